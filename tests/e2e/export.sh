#!/usr/bin/env bash
# kiosk export: a database made by scripted lanes (`kiosk replay --db F
# --script S`, on the virtual clock's day, 2027-01-15 12:00 UTC), exported
# whole and by dates; every line checked: the events are the lines the
# script printed, byte for byte, each car's order follows its leaving; the
# one-line errors; and reading while a writer holds the database.
set -uo pipefail
K=${KIOSK:-build/kiosk}
KS=${KIOSK_SAN:-$K}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
. "$(dirname "$0")/../check.sh"
export TZ=UTC0   # the dates below are the virtual clock's, in UTC unless a case says

DB=$T/k.db
# car 1 at 12:00 confirms; car 2 at 13:00 asks for a person, the crew takes
# it and confirms; car 3 at 13:00:10 is noise and leaves by silence
cat > "$T/day.script" <<'EOF'
set escalate 10,30
say two cheeseburgers and a large coke
say that is all
say yes
wait 3600
say a cookie
say can i talk to a person
wait 12
crew take
crew add a large fries
crew confirm
wait 10
say -c 0.9 hello
wait 100
EOF
"$KS" replay --menu menus/burger.yaml --db "$DB" --script "$T/day.script" >"$T/printed" 2>"$T/err"
check "the day's script runs" "" "$(cat "$T/err")"
# what kiosk run --events would have printed: the script's output but the crew's answers
grep '^{"t"' "$T/printed" > "$T/events"

out=$("$KS" export --db "$DB" 2>"$T/err"); check "export exits 0" 0 $?
check "export: nothing on stderr" "" "$(cat "$T/err")"
printf '%s\n' "$out" > "$T/all"
# the event lines' "line", as text, in order: exactly the lines printed
check "the events are the lines kiosk run --events prints, byte for byte, in order" \
  "$(cat "$T/events")" "$(python3 -c '
import sys
for l in open(sys.argv[1]):
    if l.startswith("{\"kind\": \"event\""):
        print(l[l.index("\"line\": ") + 8:-2])' "$T/all")"
check "the first line, whole" \
  '{"kind": "event", "t": 1800014400.000, "car_id": 1, "event": "car", "line": {"t": 1800014400.000, "event": "car", "car": 1, "state": "arrived"}}' \
  "$(head -1 "$T/all")"
check "car 1's order line, whole" \
  '{"kind": "order", "t": 1800014400.000, "car_id": 1, "menu": "Burger Barn", "started": 1800014400.000, "ended": 1800014400.000, "status": "confirmed", "total_cents": 982, "order": {"status": "confirmed", "lines": [{"item": "Cheeseburger", "qty": 2, "size": null, "options": [], "choices": {}, "unit_cents": 349, "cents": 698}, {"item": "Coke", "qty": 1, "size": "large", "options": [], "choices": {}, "unit_cents": 209, "cents": 209}], "subtotal_cents": 907, "tax_cents": 75, "total_cents": 982}}' \
  "$(grep '"kind": "order", "t": [0-9.]*, "car_id": 1,' "$T/all")"
# every line: JSON, its fields in order; an order line right after its
# car's "left" event, with the order that event's car ended with
check "every line, as a person reads them" \
"event 12:00:00 car 1 car
event 12:00:00 car 1 turn
event 12:00:00 car 1 order
event 12:00:00 car 1 say
event 12:00:00 car 1 turn
event 12:00:00 car 1 say
event 12:00:00 car 1 turn
event 12:00:00 car 1 say
event 12:00:00 car 1 confirmed
event 12:00:00 car 1 car
order 12:00:00 car 1 confirmed 982 Burger Barn started 12:00:00 [2 Cheeseburger, 1 large Coke]
event 13:00:00 car 2 car
event 13:00:00 car 2 turn
event 13:00:00 car 2 order
event 13:00:00 car 2 say
event 13:00:00 car 2 turn
event 13:00:00 car 2 order
event 13:00:00 car 2 page
event 13:00:00 car 2 say
event 13:00:10 car 2 escalate
event 13:00:12 car 2 override
event 13:00:12 car 2 order
event 13:00:12 car 2 ack
event 13:00:12 car 2 order
event 13:00:12 car 2 confirmed
event 13:00:12 car 2 say
event 13:00:12 car 2 car
order 13:00:12 car 2 confirmed 409 Burger Barn started 13:00:00 [1 Cookie, 1 large Fries]
event 13:00:22 car 3 car
event 13:00:22 car 3 turn
event 13:00:22 car 3 say
event 13:00:32 car 3 say
event 13:01:02 car 3 car
order 13:01:02 car 3 cancelled 0 Burger Barn started 13:00:22 []" \
"$(python3 - "$T/all" <<'PY'
import json, sys, time
hm = lambda t: time.strftime("%H:%M:%S", time.gmtime(t))
order = lambda o: "[" + ", ".join(f"{l['qty']} {(l['size'] + ' ') if l['size'] else ''}{l['item']}" for l in o["lines"]) + "]"
prev, last_order = None, {}
for raw in open(sys.argv[1]):
    e = json.loads(raw)
    if e["kind"] == "event":
        assert list(e) == ["kind", "t", "car_id", "event", "line"], list(e)
        line = e["line"]
        assert abs(line["t"] - e["t"]) < 0.0005 and line["event"] == e["event"], raw
        if "order" in line: last_order[e["car_id"]] = line["order"]
        print(f"event {hm(e['t'])} car {e['car_id']} {e['event']}")
    else:
        assert list(e) == ["kind", "t", "car_id", "menu", "started", "ended", "status", "total_cents", "order"], list(e)
        assert e["t"] == e["ended"] and prev["kind"] == "event" and prev["car_id"] == e["car_id"], raw
        assert prev["line"]["state"] == "left" and prev["line"]["status"] == e["status"], raw
        assert prev["line"]["total_cents"] == e["total_cents"] == e["order"]["total_cents"], raw
        assert e["order"] == last_order.get(e["car_id"], e["order"]), raw   # as its last order or confirmed event
        print(f"order {hm(e['t'])} car {e['car_id']} {e['status']} {e['total_cents']} {e['menu']} "
              f"started {hm(e['started'])} {order(e['order'])}")
    prev = e
PY
)"

# ---- by dates: local time; --until a day includes it ----
lines() { "$KS" export --db "$DB" "$@" 2>&1 | python3 -c '
import sys, time
for l in sys.stdin:
    print(l[:40] if not l.startswith("{") else l.split(",")[0][9:] + " " + l.split(",")[2].strip())' | LC_ALL=C sort | uniq -c | tr -s ' ' | tr '\n' ';'; }
check "--since 13:00: cars 2 and 3" ' 16 "event" "car_id": 2; 5 "event" "car_id": 3; 1 "order" "car_id": 2; 1 "order" "car_id": 3;' \
  "$(lines --since 2027-01-15T13:00)"
check "--until 13:00: car 1" ' 10 "event" "car_id": 1; 1 "order" "car_id": 1;' "$(lines --until 2027-01-15T13:00)"
check "--since and --until split the day whole" "$(cat "$T/all")" \
  "$("$KS" export --db "$DB" --until 2027-01-15T13:00; "$KS" export --db "$DB" --since 2027-01-15T13:00)"
check "--since 13:01: car 3's leaving (13:01:02) alone" ' 1 "event" "car_id": 3; 1 "order" "car_id": 3;' \
  "$(lines --since 2027-01-15T13:01)"
check "local time: 08:00 in New York is 13:00 UTC" "$(lines --since 2027-01-15T13:00)" \
  "$(TZ=EST5EDT,M3.2.0,M11.1.0 lines --since 2027-01-15T08:00)"
check "local time: in Tokyo the day is the 15th until 15:00 UTC" "$(cat "$T/all")" \
  "$(TZ=JST-9 "$KS" export --db "$DB" --since 2027-01-15 --until 2027-01-15)"
check "--until a day includes it" "$(cat "$T/all")" "$("$KS" export --db "$DB" --until 2027-01-15)"
out=$("$KS" export --db "$DB" --until 2027-01-14 2>&1); check "--until the day before: exits 0" 0 $?
check "--until the day before: nothing" "" "$out"
check "--since the day after: nothing" "" "$("$KS" export --db "$DB" --since 2027-01-16 2>&1)"

# ---- one line saying what is wrong ----
echo "not a database" > "$T/text.db"
: > "$T/empty.db"
python3 -c "import sqlite3; c = sqlite3.connect('$T/other.db'); c.execute('create table cars(id)'); c.commit()"
err() { # NAME STATUS MESSAGE ARGS...
  local name=$1 st=$2 msg=$3; shift 3
  local out; out=$("$KS" export "$@" 2>&1 >/dev/null)
  check "$name: exits $st" "$st" $?
  check "$name: one line" "$msg" "$out"
}
err "no such database" 2 "kiosk export: $T/nothere.db: no such database (kiosk run writes var/kiosk.db; give another with --db F)" --db "$T/nothere.db"
err "a text file" 2 "kiosk export: $T/text.db: not a kiosk database (not an SQLite file)" --db "$T/text.db"
err "an empty file" 2 "kiosk export: $T/empty.db: not a kiosk database (no such table: cars; kiosk run's has the tables cars and events)" --db "$T/empty.db"
err "another program's database" 2 "kiosk export: $T/other.db: not a kiosk database (no such table: events; kiosk run's has the tables cars and events)" --db "$T/other.db"
err "a folder" 2 "kiosk export: $T: not a kiosk database (not a file)" --db "$T"
for d in 2027-02-29 2027-13-01 2027-01-15T24:00 "2027-01-15 13:00" 2027-01-15T13 yesterday 15/01/2027; do
  err "--since $d" 2 "kiosk export: --since $d: not a date; give YYYY-MM-DD or YYYY-MM-DDTHH:MM (local time)" --db "$DB" --since "$d"
done
err "--until 2027-01-15T13:00:30" 2 "kiosk export: --until 2027-01-15T13:00:30: not a date; give YYYY-MM-DD or YYYY-MM-DDTHH:MM (local time)" --db "$DB" --until 2027-01-15T13:00:30
err "--since after --until" 2 "kiosk export: --since 2027-01-16 is not before --until 2027-01-15T23:00: nothing is between them" \
  --db "$DB" --since 2027-01-16 --until 2027-01-15T23:00
err "--since without a date" 2 "kiosk export: --since needs a date: YYYY-MM-DD or YYYY-MM-DDTHH:MM" --db "$DB" --since
err "an unknown option" 2 "kiosk export: unknown option --from (kiosk export --help lists them)" --db "$DB" --from 2027-01-15
err "a stray argument" 2 "kiosk export: unexpected argument \"$DB\" (the database goes with --db F)" "$DB"

# ---- while a writer holds the database (kiosk run, in WAL mode) ----
python3 - "$KS" "$DB" "$T/all" <<'PY' > "$T/wal.out"
import sqlite3, subprocess, sys
kiosk, db, whole = sys.argv[1:]
export = lambda: subprocess.run([kiosk, "export", "--db", db], capture_output=True, text=True, timeout=20)
w = sqlite3.connect(db, isolation_level=None)
w.execute("PRAGMA wal_autocheckpoint=0")    # what is committed stays in the -wal file
w.execute("""INSERT INTO events(car, t, event, json) VALUES(NULL, 1800020000.5, 'page',
          '{"t": 1800020000.500, "event": "page", "turn": 0, "reason": "device_fault", "heard": "", "free_text": ""}')""")
w.execute("BEGIN IMMEDIATE")                # and a write under way, not committed
w.execute("INSERT INTO events(car, t, event, json) VALUES(NULL, 1800020001, 'x', '{}')")
r = export()
w.execute("ROLLBACK")
print(r.returncode, repr(r.stderr))
print(r.stdout == open(whole).read() + '{"kind": "event", "t": 1800020000.500, "car_id": null, "event": "page", "line": '
      '{"t": 1800020000.500, "event": "page", "turn": 0, "reason": "device_fault", "heard": "", "free_text": ""}}\n')
w.execute("DELETE FROM events WHERE t >= 1800020000")
w.close()
PY
check "while a writer holds it: exits 0, the committed line (outside a car: car_id null), not the uncommitted" \
  $'0 \'\'\nTrue' "$(cat "$T/wal.out")"
sum=$(md5sum < "$DB")
"$KS" export --db "$DB" >/dev/null
check "export wrote nothing to the database" "$sum" "$(md5sum < "$DB")"

# ---- a row that is not the kiosk's JSON: left out, said, status 1 ----
row=$(python3 -c "import sqlite3; c = sqlite3.connect('$DB'); print(c.execute(\"INSERT INTO events(car, t, event, json) VALUES(NULL, 1800020000, 'x', 'not json')\").lastrowid); c.commit()")
out=$("$KS" export --db "$DB" 2>"$T/err"); check "a broken row: exits 1" 1 $?
check "a broken row: the rest exported" "$(cat "$T/all")" "$out"
check "a broken row: said" "kiosk export: $DB: event row $row's JSON is not one object on one line; left out
kiosk export: $DB: 1 row left out (not the kiosk's JSON)" "$(cat "$T/err")"

out=$("$K" export --help); check "export --help exits 0" 0 $?
contains "export --help: the usage" "usage: kiosk export [--db F] [--since DATE] [--until DATE]" "$out"

echo "export: $pass passed, $fails failed"
[ "$fails" -eq 0 ]
