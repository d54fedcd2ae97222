#!/usr/bin/env bash
# kiosk report (issue 18, item 6): a day of 44 cars made by a scripted lane
# (tests/e2e/report_day.script: the same lane and store as kiosk run, on the
# virtual day 2027-01-15 from 12:00 UTC), then the report's text and CSV
# compared whole with what the script implies (the figures are worked out car
# by car in the script's comments and below), its periods in local time, its
# one-line errors, the database left as it was and read while a kiosk writes
# it, and the HTML page opened in headless Chromium at a phone's size: a
# screenshot that is there and not blank (build/report/phone.png, and the whole
# page as phone-long.png, for a person to look at).
set -uo pipefail
K=${KIOSK:-build/kiosk}
KS=${KIOSK_SAN:-$K}   # the reports under the sanitizers when make e2e gives them
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
OUT=${REPORT_OUT:-build/report}
mkdir -p "$OUT"
. "$(dirname "$0")/../check.sh"
HERE=$(dirname "$0")
# The hours of the report are local: the test's zone is US Eastern standard
# time, a POSIX zone that needs no tzdata (12:00 UTC is 07:00 EST).
export TZ=EST5

# q DB SQL: the first column of the first row
q() { python3 -c "import sqlite3,sys; r=sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone(); print('' if r is None else r[0])" "$@"; }

# ---- the day ----
DB=$T/day.db
"$K" replay --menu menus/burger.yaml --db "$DB" --script "$HERE/report_day.script" > "$T/day.out" 2> "$T/day.err"
check "the day's script runs" 0 $?
check "44 cars, one every 15 minutes from 12:00 UTC" "44 True" "$(python3 -c "
import sqlite3, sys
s = [r[0] for r in sqlite3.connect(sys.argv[1]).execute('select started from cars order by id')]
print(len(s), s == [1800014400 + 900 * i for i in range(44)])" "$DB")"
# The last car was still there (a page nobody answered) when the script
# ended.  A kiosk killed at that moment leaves its row open (tests/e2e/kill.sh
# kills it for real, 53 times); made so here, the next start closes it as
# interrupted, as it would.
python3 -c "
import sqlite3, sys
c = sqlite3.connect(sys.argv[1]); c.execute('update cars set ended = null, why = null where id = 44'); c.commit()" "$DB"
: > "$T/empty.script"
"$K" replay --menu menus/burger.yaml --db "$DB" --script "$T/empty.script" > /dev/null 2> "$T/restart.err"
contains "the next start closes it" "1 car left open by a kiosk that stopped: closed as interrupted" "$(cat "$T/restart.err")"
sum=$(md5sum < "$DB")

# ---- the text: what the script implies ----
# 44 cars (4 an hour, 07:00-17:45 EST); not confirmed: car 12 and 38 (nobody
# ordered: gone), 33 (the crew said it drove off: gone), 36 (cancelled), 44
# (interrupted): 39 confirmed.  Automated: the 39 less the 11 confirmed cars
# that paged (6 10 14 17 19 25 26 28 30 40 43) and car 23 (the crew changed
# its coke): 27.  Pages (6 human_request, 2 each low_confidence, out_of_menu,
# quantity_limit, 1 each no_response, repeated_corrections), acknowledged
# after 3 8 12 25 4 6 45 20 95 150 2 12 35 s (car 44's never): sorted 2 3 4 6
# 8 12 12 20 25 35 45 95 150, median the 7th (12), 95th percentile the 13th
# (ceil(12.35)) = 150.  Corrections by customers: Cheeseburger (cars 5, 24),
# Fries (8, 31, and twice 25), Number One (13), Cookie (18, 39); by the crew:
# Coke (23), Hamburger and Fries (26).  Paged items: Hamburger on 6 17 28 33
# 40, Coke on 14 19 43, ...  Sales: 13 x 982 (the two cheeseburgers and a
# large coke) + 3 x 226 + 4 x 973 + 2 x 917 + 2 x 194 + 973 + 2 x 161 + 161 +
# 3 x 324 + 2 x 464 + 226 + 2 x 4695 + 248 + 194 + 324 = 33296 cents over 39
# orders.  Crew actions: the script's 36 crew steps, 5 refused (two acks with
# no page, a second apply twice, remove 9).
expected_text="Kiosk report: $DB
2027-01-15 07:00 to 2027-01-15 17:45 (hours in EST)

Cars                          44
Confirmed orders              39   88.6 % of the cars
Automation rate           61.4 %   27 of 44 cars confirmed with no page and no crew action
Average ticket             \$8.54   39 confirmed orders, \$332.96 in all
Pages                         14   on 14 cars
Time to acknowledge       12.0 s   median; 95th percentile 150.0 s, longest 150.0 s (13 acknowledged, 1 never)
Corrections                   12   9 by customers, 3 by the crew
Cars interrupted               1   left open by a kiosk that stopped
Crew actions refused           5   of 36 crew actions

Pages by reason          pages    share
  human_request              6   42.9 %   asked for a person
  low_confidence             2   14.3 %   not sure what was said
  out_of_menu                2   14.3 %   didn't understand
  quantity_limit             2   14.3 %   large quantity
  no_response                1    7.1 %   no answer
  repeated_corrections       1    7.1 %   keeps correcting

Time to acknowledge      pages
  under 5 s                  3
  5-10 s                     2
  10-30 s                    4
  30-60 s                    2
  1-2 min                    1
  2 min or more              1
  never acknowledged         1

By hour        cars  orders  automated  pages
  07:00           4       4      100 %      0
  08:00           4       4       75 %      1
  09:00           4       3       50 %      1
  10:00           4       4       75 %      1
  11:00           4       4       50 %      2
  12:00           4       4       75 %      0
  13:00           4       4       25 %      3
  14:00           4       4       75 %      1
  15:00           4       2       50 %      2
  16:00           4       3       50 %      1
  17:00           4       3       50 %      2

Most corrected items     customers   crew  total
  Fries                          4      1      5
  Cheeseburger                   2      0      2
  Cookie                         2      0      2
  Coke                           0      1      1
  Hamburger                      0      1      1
  Number One                     1      0      1

Most paged items            cars
  Hamburger                    5
  Coke                         3
  Cheeseburger                 2
  Fish Sandwich                2
  Fries                        2
  Vanilla Shake                1

How cars left               cars
  confirmed                   39
  gone                         3
  cancelled                    1
  interrupted                  1

Crew actions refused (times, action: why)
       2  ack: no page is waiting
       2  apply: the customer's last turn is in the order already
       1  remove: no line 9"
out=$("$KS" report --db "$DB" 2> "$T/err"); check "text: exits 0" 0 $?
check "text: the day's figures" "$expected_text" "$out"
check "text: nothing on stderr" "" "$(cat "$T/err")"
check "the script has 36 crew steps" 36 "$(grep -c '^crew ' "$HERE/report_day.script")"
check "the confirmed totals the lane printed add up to the sales" "39 33296" "$(python3 -c "
import json, sys
t = [json.loads(l)['order']['total_cents'] for l in open(sys.argv[1]) if '\"event\": \"confirmed\"' in l]
print(len(t), sum(t))" "$T/day.out")"

# the README's example is this day's report
sed -n '/^The text, for the day/,/^What each figure means/p' README.md | sed -n '/^```$/,/^```$/p' | grep -v '^```$\|\.\.\.$' \
  | sed "s|var/kiosk.db|$DB|" > "$T/readme.txt"
check "the README's example report is the day's (its lines, in order)" "20 lines: True" "$(python3 -c "
import sys
readme = [l for l in open(sys.argv[1]).read().splitlines() if l]
day = sys.argv[2].splitlines()
at = [day.index(l) if l in day else -1 for l in readme]
print(len(readme), 'lines:', -1 not in at and at == sorted(at))" "$T/readme.txt" "$expected_text")"

# ---- the CSV ----
expected_csv="summary,value
database,$DB
period,2027-01-15 07:00 to 2027-01-15 17:45
time_zone,EST
cars,44
confirmed_orders,39
automated_cars,27
automation_percent,61.4
average_ticket_cents,854
sales_cents,33296
pages,14
paged_cars,14
pages_acknowledged,13
ack_median_s,12.0
ack_p95_s,150.0
ack_max_s,150.0
corrections_by_customers,9
corrections_by_crew,3
cars_interrupted,1
crew_actions,36
crew_actions_refused,5

cars_by_why,cars
confirmed,39
gone,3
cancelled,1
interrupted,1

pages_by_reason,pages,percent
human_request,6,42.9
low_confidence,2,14.3
out_of_menu,2,14.3
quantity_limit,2,14.3
no_response,1,7.1
repeated_corrections,1,7.1

ack_time,pages
under 5 s,3
5-10 s,2
10-30 s,4
30-60 s,2
1-2 min,1
2 min or more,1
never,1

by_hour,cars,confirmed_orders,automated_cars,automation_percent,pages
07:00,4,4,4,100.0,0
08:00,4,4,3,75.0,1
09:00,4,3,2,50.0,1
10:00,4,4,3,75.0,1
11:00,4,4,2,50.0,2
12:00,4,4,3,75.0,0
13:00,4,4,1,25.0,3
14:00,4,4,3,75.0,1
15:00,4,2,2,50.0,2
16:00,4,3,2,50.0,1
17:00,4,3,2,50.0,2

corrected_items,by_customers,by_crew,total
Fries,4,1,5
Cheeseburger,2,0,2
Cookie,2,0,2
Coke,0,1,1
Hamburger,0,1,1
Number One,1,0,1

paged_items,cars
Hamburger,5
Coke,3
Cheeseburger,2
Fish Sandwich,2
Fries,2
Vanilla Shake,1

crew_refused,why,times
ack,no page is waiting,2
apply,the customer's last turn is in the order already,2
remove,no line 9,1"
out=$("$KS" report --db "$DB" --csv 2> "$T/err"); check "csv: exits 0" 0 $?
check "csv: the day's tables" "$expected_csv" "$out"
check "csv: every section parses, one header each" "8 sections" "$(printf '%s\n' "$out" | python3 -c "
import csv, sys
parts = sys.stdin.read().split('\n\n')
print(len([list(csv.reader(p.splitlines())) for p in parts]), 'sections')")"

# ---- periods, in local time ----
# 09:00 to 11:00 EST: cars 9-16; car 10 paged (8 s), 12 drove off, 14 paged
# (12 s); the crew ack with no car at 09:46 belongs to the period by its time
out=$("$KS" report --db "$DB" --csv --since 2027-01-15T09:00 --until 2027-01-15T11:00 | sed -n '/^period/,/^$/p')
check "--since/--until HH:MM: the cars of those hours" "period,2027-01-15 09:00 to 2027-01-15 11:00
time_zone,EST
cars,8
confirmed_orders,7
automated_cars,5
automation_percent,62.5
average_ticket_cents,689
sales_cents,4826
pages,2
paged_cars,2
pages_acknowledged,2
ack_median_s,10.0
ack_p95_s,12.0
ack_max_s,12.0
corrections_by_customers,1
corrections_by_crew,0
cars_interrupted,0
crew_actions,7
crew_actions_refused,2" "$out"
out=$("$KS" report --db "$DB" --csv --since 2027-01-15 --until 2027-01-15 | sed -n 's/^\(period\|cars\),//p')
check "--until a day: that day included" "2027-01-15 00:00 to 2027-01-16 00:00
44" "$out"
check "--until is not included" "cars,1" "$("$KS" report --db "$DB" --csv --until 2027-01-15T07:15 | grep '^cars,')"
check "--since is included" "cars,1" "$("$KS" report --db "$DB" --csv --since 2027-01-15T17:45 | grep '^cars,')"
out=$(TZ=UTC "$KS" report --db "$DB" --csv --since 2027-01-15T12:00 --until 2027-01-15T13:00 | sed -n 's/^\(time_zone\|cars\),//p;/^by_hour/,/^$/p')
check "another zone: its hours" "UTC
4
by_hour,cars,confirmed_orders,automated_cars,automation_percent,pages
12:00,4,4,4,100.0,0" "$out"

# ---- no cars in the period: one line, exit 0, nothing on stdout ----
empty() { # NAME EXPECTED-LINE ARGS...
  local name=$1 want=$2; shift 2
  out=$("$KS" report --db "$DB" "$@" 2> "$T/err"); check "$name: exits 0" 0 $?
  check "$name: nothing on stdout" "" "$out"
  check "$name: says so" "$want" "$(cat "$T/err")"
}
empty "a day with no cars" "kiosk report: no cars between 2027-01-16 00:00 and 2027-01-17 00:00" \
  --since 2027-01-16 --until 2027-01-16
empty "since a time after the last car" "kiosk report: no cars since 2027-01-15 17:46" --since 2027-01-15T17:46
empty "before the first car" "kiosk report: no cars before 2027-01-15 07:00" --until 2027-01-15T07:00 --csv
rm -f "$OUT/none.html"
empty "--html: no page either" "kiosk report: no cars before 2027-01-14 00:00" --until 2027-01-13 --html "$OUT/none.html"
check "--html with no cars writes no file" "no" "$([ -e "$OUT/none.html" ] && echo yes || echo no)"
python3 -c "import sqlite3, shutil, sys; shutil.copy(sys.argv[1], sys.argv[2]); c = sqlite3.connect(sys.argv[2]); c.execute('delete from order_lines'); c.execute('delete from events'); c.execute('delete from pages'); c.execute('delete from crew_actions'); c.execute('delete from turns'); c.execute('delete from cars'); c.commit()" "$DB" "$T/nocars.db"
out=$("$KS" report --db "$T/nocars.db" 2>&1); check "a database with no cars: exits 0" 0 $?
check "a database with no cars: says so" "kiosk report: no cars in $T/nocars.db" "$out"

# ---- errors: one line each ----
err() { # NAME STATUS EXPECTED ARGS...
  local name=$1 status=$2 want=$3; shift 3
  out=$("$KS" report "$@" 2>&1); check "$name: exits $status" "$status" $?
  check "$name: says why" "$want" "$out"
}
FORMS='give YYYY-MM-DD or YYYY-MM-DDTHH:MM (local time), e.g. 2027-01-15 or 2027-01-15T14:30'
err "no such database" 2 "kiosk report: $T/none.db: no such database; give the kiosk's database with --db F (kiosk run keeps it in var/kiosk.db)" --db "$T/none.db"
check "no such database: none made" "no" "$([ -e "$T/none.db" ] && echo yes || echo no)"
err "a menu as the database" 2 "kiosk report: menus/burger.yaml: not a kiosk database (not an SQLite database)" --db menus/burger.yaml
err "a folder as the database" 2 "kiosk report: menus: not a kiosk database (not a regular file)" --db menus
python3 -c "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute('create table notes(x)'); c.commit()" "$T/other.db"
err "another program's database" 2 "kiosk report: $T/other.db: not a kiosk database (no kiosk tables in it)" --db "$T/other.db"
: > "$T/zero.db"
err "an empty file" 2 "kiosk report: $T/zero.db: not a kiosk database (no kiosk tables in it)" --db "$T/zero.db"
python3 -c "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute('create table cars(id integer primary key, menu text, started real)'); c.execute('pragma user_version = 3'); c.commit()" "$T/newer.db"
err "a newer kiosk's database" 2 "kiosk report: $T/newer.db: made by a newer kiosk (schema 3; this one knows up to 2): use that kiosk's report" --db "$T/newer.db"
python3 -c "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute('create table cars(id integer primary key, menu text, started real, ended real, status text)'); c.commit()" "$T/older.db"
err "the first kiosk's database" 2 "kiosk report: $T/older.db: made by an older kiosk (schema 1); open it once with this kiosk (kiosk run --db $T/older.db) to bring it up to date" --db "$T/older.db"
# a database another user cannot read (it is kept 0600)
cp "$DB" "$T/mine.db"; chmod 600 "$T/mine.db"
if [ "$(id -u)" = 0 ]; then   # root reads anything: ask as nobody
  chmod 711 "$T"
  out=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$(realpath "$KS")" report --db "$T/mine.db" 2>&1); st=$?
  chmod 700 "$T"
else
  chmod 000 "$T/mine.db"
  out=$("$KS" report --db "$T/mine.db" 2>&1); st=$?
fi
check "a database this user may not read: exits 1" 1 "$st"
check "a database this user may not read: says so" "kiosk report: $T/mine.db: cannot read the database: Permission denied (it is kept 0600, for the kiosk's user)" "$out"
for d in 15/01/2027 2027-1-15 2027-02-30 2027-13-01 2027-01-15T25:00 2027-01-15T09:60 2027-01-15T9:00 2027-01-15T09:00:00 yesterday ""; do
  err "--since \"$d\"" 2 "kiosk report: --since \"$d\": not a date; $FORMS" --db "$DB" --since "$d"
done
err "--until \"noon\"" 2 "kiosk report: --until \"noon\": not a date; $FORMS" --db "$DB" --until noon
err "--since after --until" 2 "kiosk report: --since 2027-01-16 is not before --until 2027-01-15: no time between them" \
  --db "$DB" --since 2027-01-16 --until 2027-01-15
err "--csv and --html" 2 "kiosk report: --csv or --html, not both" --db "$DB" --csv --html "$T/r.html"
err "--html in a folder that is not there" 1 "kiosk report: cannot write $T/no/r.html: No such file or directory" --db "$DB" --html "$T/no/r.html"
out=$("$KS" report --db "$DB" --weekly 2>&1); check "an unknown option: exits 2" 2 $?
check "an unknown option: named, then the usage" "kiosk report: unknown option --weekly
usage: kiosk report [--db F] [--since DATE] [--until DATE] [--csv] [--html FILE]" "$(printf '%s\n' "$out" | head -2)"
out=$("$KS" report "$DB" 2>&1); check "the database without --db: exits 2" 2 $?
check "the database without --db: says so" "kiosk report: \"$DB\": not an option (the database is --db F)" "$(printf '%s\n' "$out" | head -1)"
out=$("$KS" report --help); check "--help exits 0" 0 $?
contains "--help: the date forms" "YYYY-MM-DD (from 00:00) or" "$out"
contains "--help: the CSV's sections" "(summary, cars_by_why, pages_by_reason," "$out"

# ---- read-only: the database as it was, and read while a kiosk writes it ----
check "the reports left the database as it was" "$sum" "$(md5sum < "$DB")"
python3 - "$T/busy.script" <<'EOF'
import sys
lines = []
for i in range(600):
    k = i % 3
    if k == 0: lines += ["say two cheeseburgers and a large coke", "say that is all", "say yes"]
    elif k == 1: lines += ["say a cookie", "say can i talk to a person", "crew take", "crew add a large fries", "crew confirm"]
    else: lines += ["say a coke", "say large", "wait 12", "say that is all", "say yes"]
open(sys.argv[1], "w").write("\n".join(lines) + "\n")
EOF
W=$T/busy.db
"$K" replay --menu menus/burger.yaml --db "$W" --script "$T/busy.script" > /dev/null 2>&1 &
writer=$!
# the first report once the writer has made its tables and a car
for _ in $(seq 100); do "$KS" report --db "$W" --csv > /dev/null 2>&1 && break; sleep 0.05; done
reads=0 bad=0 last=0 went_down=0
while kill -0 "$writer" 2> /dev/null; do
  out=$("$KS" report --db "$W" --csv 2> "$T/err") || { bad=$((bad + 1)); echo "report during the writes: $(cat "$T/err")"; }
  n=$(printf '%s\n' "$out" | sed -n 's/^cars,//p')
  [ "${n:-0}" -ge "$last" ] || went_down=$((went_down + 1))
  last=${n:-0}
  reads=$((reads + 1))
done
wait "$writer"; check "the writer ran to its end" 0 $?
check "reports while the kiosk writes: all read" 0 "$bad"
check "reports while the kiosk writes: the cars only grow" 0 "$went_down"
check "reports while the kiosk writes: several ($reads)" True "$([ "$reads" -ge 3 ] && echo True || echo "$reads")"
check "and after: every car" "cars,600" "$("$KS" report --db "$W" --csv | grep '^cars,')"

# ---- the page: one self-contained file, in a real browser at a phone's size ----
H=$OUT/day.html
rm -f "$H" "$OUT/phone.png" "$OUT/phone-long.png"
out=$("$KS" report --db "$DB" --html "$H" 2>&1); check "html: exits 0" 0 $?
check "html: nothing printed" "" "$out"
check "html: nothing fetched from elsewhere, no script" "" \
  "$(grep -o -i '<script\|src=\|href=\|url(\|@import\|https\?:\|<img\|<link' "$H" | sort -u | tr '\n' ' ')"
for want in '<meta name="viewport" content="width=device-width, initial-scale=1">' '<h2>Pages by reason</h2>' \
            '<h2>Automation by hour</h2>' '<h2>Time to acknowledge a page</h2>' '<svg ' \
            '<title>13:00: 25 % of 4 cars</title>' 'asked for a person</span><span>6 (43 %)</span>'; do
  contains "html: has $want" "$want" "$(cat "$H")"
done
shot() { # PNG HEIGHT
  timeout 120 chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$T/chromium" \
    --window-size=412,"$2" --screenshot="$1" "file://$(realpath "$H")" > "$T/chromium.log" 2>&1
}
shot "$OUT/phone.png" 915; check "chromium: the phone's screenshot" 0 $?
shot "$OUT/phone-long.png" 4200; check "chromium: the whole page" 0 $?
# the phone's first screen: 412 x 915, many colours (text, tiles, the orange
# pages and the green automation figure), mostly the light page; the whole
# page also has the green hour columns and the blue acknowledgement bars
stats=$(python3 "$HERE/png_stats.py" "$OUT/phone.png" c2410c 1f7a3a eef1f4 ffffff 2>&1)
read -r w h colours orange green bg white <<< "$(printf '%s\n' "$stats" | tr '\n' ' ')"
check "screenshot: a phone's size" "412 915" "${w:-} ${h:-}"
check "screenshot: not blank (${colours:-?} colours, ${orange:-?} orange, ${green:-?} green pixels)" True \
  "$(python3 -c "import sys; c, o, g, b, w = map(int, sys.argv[1:]); print(c >= 50 and o >= 1000 and g >= 100 and b + w < 412 * 915 * 0.95)" \
     "${colours:-0}" "${orange:-0}" "${green:-0}" "${bg:-0}" "${white:-0}")"
stats=$(python3 "$HERE/png_stats.py" "$OUT/phone-long.png" 1f7a3a 1c64b4 2>&1)
read -r _ _ _ green blue <<< "$(printf '%s\n' "$stats" | tr '\n' ' ')"
check "the whole page: the hour columns and the acknowledgement bars are drawn" True \
  "$(python3 -c "import sys; g, b = map(int, sys.argv[1:]); print(g >= 3000 and b >= 3000)" "${green:-0}" "${blue:-0}")"

echo "report: $pass passed, $fails failed (the page and its screenshots: $OUT/)"
[ "$fails" -eq 0 ]
