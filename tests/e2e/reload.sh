#!/usr/bin/env bash
# The menu edited under a live kiosk (issue 18, item 5), as a manager does it:
# the kiosk listens to a private PulseAudio null sink as in live.sh; its menu
# file is replaced by rename (as editors save) mid-order, broken in place,
# written slowly, deleted and put back, given new words; SIGHUP reloads it.
# Checked exactly: the menu events (--events), the kiosk's stderr lines and
# what a crew station in line mode shows; that the car at the post keeps its
# menu but what is sold out applies at once; that the next car gets the new
# menu and, for new words, the new recogniser.  Then SIGINT and SIGTERM end
# the car at the post ("stopped", kept so in the store), and a kiosk started
# on a broken file runs on the last good menu the store kept.
# The rules themselves are tested in milliseconds in script.sh (`menu FILE`).
set -uo pipefail
K=${KIOSK:-build/kiosk}
T=$(mktemp -d)
. "$(dirname "$0")/../check.sh"
. "$(dirname "$0")/../events.sh"
. "$(dirname "$0")/../pulse.sh"
. "$(dirname "$0")/../station.sh"
pa_private "$T"
cleanup() {
  [ -n "${KPID:-}" ] && kill "$KPID" 2>/dev/null
  [ -n "${WPID:-}" ] && kill "$WPID" 2>/dev/null
  pa_stop
  rm -rf "$T"
}
trap cleanup EXIT
pa_start || { echo "FAIL reload: PulseAudio did not start"; cat "$T/pulse.log"; exit 1; }

say() { espeak-ng -v en-us -s 150 -w "$T/$1.wav" "$2"; }
say cookie "a cookie"
say done "that's all"
say yes "yes"
say pretzel "a soft pretzel"

# the menus: the sample, as the manager edits it
M=$T/menus/burger.yaml
mkdir -p "$T/menus" "$T/edits"
cp menus/burger.yaml "$M"
python3 - "$T/edits" <<'PY'
import sys
d = sys.argv[1]
win = []
for line in open("menus/burger.yaml"):
    if line == "menu: Burger Barn\n": line = "menu: Burger Barn Winter\n"
    if line == "    available: false\n": continue          # the apple pie back on sale
    win.append(line)
    if line in ("    price: 0.99\n", "    say: [sprite]\n"): win.append("    available: false\n")   # cookie, sprite
win = "".join(win)
open(f"{d}/winter.yaml", "w").write(win)
pretzel = win.replace("\noptions:\n", "\n  - name: Pretzel\n    say: [pretzel, soft pretzel]\n    price: 2.49\n\noptions:\n")
open(f"{d}/pretzel.yaml", "w").write(pretzel)
open(f"{d}/broken.yaml", "w").write("menu: Burger Barn\nitems:\n  - name: Fries\n    prise: 1.00\n")
PY
replace() { cp "$T/edits/$1" "$T/menus/.burger.yaml.swp" && mv "$T/menus/.burger.yaml.swp" "$M"; }   # as editors save

EV=$T/events.jsonl
SOCK=$T/crew.sock
TOK=$T/crew.token
turn() { # WAV: plays it, waits for its turn event
  local n; n=$(count turn)
  paplay "$T/$1.wav"
  wait_for turn $((n + 1)) 30 || echo "no turn event after $1"
  sleep 0.3
}
# the menu event N (1-based), without its time, keys sorted
menu_event() { field "json.dumps({k: v for k, v in [e for e in E if e['event'] == 'menu'][$1 - 1].items() if k != 't'}, sort_keys=True)"; }
said() { field "[e for e in E if e['event'] == 'turn'][$1 - 1]['said']"; }
# stderr's lines about the menu since the last mark
errseen=0
mark() { errseen=$(wc -l <"$T/err"); }
menu_stderr() { tail -n +$((errseen + 1)) "$T/err" | grep -v -E '^(kiosk run: (audio|listening|stopped)|crew: )'; }
start() { # the kiosk, on $M; sets KPID (timeout's) and KID (the kiosk's, for signals)
  : >"$EV"
  timeout -s KILL 300 "$K" run --headless --events --input pulse --output none --menu "$M" --db "$T/k.db" \
    --crew-socket "$SOCK" --crew-token "$TOK" >"$EV" 2>"$T/err" &
  KPID=$!
  for _ in $(seq 150); do grep -q "listening" "$T/err" && break; sleep 0.1; done
  KID=$(cat "/proc/$KPID/task/$KPID/children" 2>/dev/null | tr -d ' ')
  errseen=0
}
station() { # a crew station in line mode, its screen in $SCREEN
  mkfifo "$T/watch$1"
  SCREEN=$T/screen$1
  "$K" crew --connect "$SOCK" --token "$TOK" --lines <"$T/watch$1" >"$SCREEN" 2>"$T/watch$1.err" &
  WPID=$!
  exec 5>"$T/watch$1"
  seen=0
  for _ in $(seq 50); do [ -s "$SCREEN" ] && break; sleep 0.1; done
}
station_off() { exec 5>&-; wait "$WPID" 2>/dev/null; WPID=; }
WARN="is sold out (available: false), so the kiosk offers only Coke, Diet Coke, Root Beer, Iced Tea, Lemonade"

start
contains "kiosk listens" "kiosk run: listening (Burger Barn" "$(cat "$T/err")"
station 1
step "the station: connected" "connected to Lane 1 (Burger Barn): no car at the post"

# ---- car 1 orders a cookie; the manager sells out cookies mid-order (an editor's rename) ----
turn cookie
check "car 1: a cookie" "Welcome to Burger Barn! A Cookie. Anything else?" "$(said 1)"
mark
replace winter.yaml
wait_for menu 1 10
check "the edit: one menu event" \
  "{\"car\": 1, \"event\": \"menu\", \"file\": \"$M\", \"from_car\": 2, \"items\": 31, \"menu\": \"Burger Barn Winter\", \"ok\": true, \"sold_out\": [\"Sprite\", \"Cookie\"], \"warnings\": [\"$M:140:5: warning: item \\\"Number One\\\": drink Sprite $WARN\", \"$M:146:5: warning: item \\\"Number Two\\\": drink Sprite $WARN\", \"$M:152:5: warning: item \\\"Number Three\\\": drink Sprite $WARN\"]}" \
  "$(menu_event 1)"
check "the edit: stderr" \
"kiosk run: $M: reloaded: Burger Barn Winter, 31 items, sold out: Sprite, Cookie; from car 2 (car 1 keeps its menu, but what is sold out applies now)
kiosk run: $M:140:5: warning: item \"Number One\": drink Sprite $WARN
kiosk run: $M:146:5: warning: item \"Number Two\": drink Sprite $WARN
kiosk run: $M:152:5: warning: item \"Number Three\": drink Sprite $WARN" "$(menu_stderr)"
step "the edit: the station" \
"car 1 arrived
car 1 customer: \"a cookie\"
car 1 order (the kiosk's):
    1. 1 x Cookie  \$0.99
    total \$1.07
menu updated: Burger Barn Winter, 31 items, sold out: Sprite, Cookie; from car 2 (car 1 keeps its menu, but what is sold out applies now)
$M:140:5: warning: item \"Number One\": drink Sprite $WARN
$M:146:5: warning: item \"Number Two\": drink Sprite $WARN
$M:152:5: warning: item \"Number Three\": drink Sprite $WARN" 's/^(car 1 customer: )"[^"]*"$/\1"a cookie"/'
turn cookie
check "car 1: a cookie again, now sold out, refused politely" "Sorry, we're out of cookie. Anything else?" "$(said 2)"

# ---- broken in place, written slowly, deleted, put back ----
mark
printf 'menu: Burger Barn\nitems:\n  - name: Fries\n    prise: 1.00\n' > "$M"
wait_for menu 2 10
ERR="$M:4:5: unknown key \\\"prise\\\"; did you mean \\\"price\\\"? (keys of an item: name, say, price, sizes, default_size, options, defaults, includes, choose, available)"
check "broken: the event" \
  "{\"car\": 1, \"errors\": [\"$ERR\"], \"event\": \"menu\", \"file\": \"$M\", \"menu\": \"Burger Barn Winter\", \"ok\": false}" \
  "$(menu_event 2)"
check "broken: stderr, the error as FILE:LINE:COL" \
"kiosk run: $M: not reloaded, 1 error; the kiosk keeps its menu (Burger Barn Winter):
$M:4:5: unknown key \"prise\"; did you mean \"price\"? (keys of an item: name, say, price, sizes, default_size, options, defaults, includes, choose, available)" \
  "$(menu_stderr)"
step "broken: the station" \
"car 1 customer: \"a cookie\"
*** MENU NOT LOADED: $M has an error; the kiosk keeps Burger Barn Winter as it was
$M:4:5: unknown key \"prise\"; did you mean \"price\"? (keys of an item: name, say, price, sizes, default_size, options, defaults, includes, choose, available)" \
  's/^(car 1 customer: )"[^"]*"$/\1"a cookie"/'
# a file written in two goes, 2 s apart, closed after: read once, when closed
python3 - "$M" "$T/edits/winter.yaml" <<'PY'
import sys, time
text = open(sys.argv[2]).read()
with open(sys.argv[1], "w") as f:
    f.write(text[:len(text) // 2]); f.flush(); time.sleep(2); f.write(text[len(text) // 2:])
PY
wait_for menu 3 10
check "written slowly: one event, when it was closed (the good menu back)" "3 True Burger Barn Winter" \
  "$(field "(lambda m: f'{len(m)} {m[-1][\"ok\"]} {m[-1][\"menu\"]}')([e for e in E if e['event'] == 'menu'])")"
mark
rm "$M"
wait_for menu 4 10
check "deleted: the event" \
  "{\"car\": 1, \"errors\": [\"$M: cannot read: No such file or directory\"], \"event\": \"menu\", \"file\": \"$M\", \"menu\": \"Burger Barn Winter\", \"ok\": false}" \
  "$(menu_event 4)"
check "deleted: stderr" "kiosk run: $M: not reloaded, 1 error; the kiosk keeps its menu (Burger Barn Winter):
$M: cannot read: No such file or directory" "$(menu_stderr)"
replace winter.yaml
wait_for menu 5 10
check "put back: the menu it runs on, ok again" "True Burger Barn Winter 2" \
  "$(field "(lambda e: f'{e[\"ok\"]} {e[\"menu\"]} {e[\"from_car\"]}')([e for e in E if e['event'] == 'menu'][4])")"
mark
kill -HUP "$KID"
sleep 1
check "SIGHUP, nothing changed: said on stderr, no event" \
"kiosk run: SIGHUP: reloading $M
kiosk run: $M: unchanged (Burger Barn Winter, 31 items)" "$(menu_stderr)"
check "SIGHUP: no new menu event, the kiosk still running" "5 0" "$(count menu) $(kill -0 "$KID"; echo $?)"

# ---- car 1 leaves; car 2 gets the new menu; new words mid-car 2 wait for car 3 ----
turn done
turn yes
wait_for car 2 10
check "car 1 leaves, the cookie it ordered before the edit kept" "confirmed 107" \
  "$(field "(lambda e: f'{e[\"why\"]} {e[\"total_cents\"]}')([e for e in E if e['event'] == 'car'][-1])")"
turn cookie
check "car 2: the new menu's welcome, the cookie refused" \
  "Welcome to Burger Barn Winter! Sorry, we're out of cookie. What can I get you?" "$(said 5)"
mark
replace pretzel.yaml
wait_for menu 6 60
check "new words: the event once their recogniser is built; from car 3" "True 32 3" \
  "$(field "(lambda e: f'{e[\"ok\"]} {e[\"items\"]} {e[\"from_car\"]}')([e for e in E if e['event'] == 'menu'][5])")"
check "new words: stderr" \
"kiosk run: $M: reloaded: Burger Barn Winter, 32 items, sold out: Sprite, Cookie; from car 3 (car 2 keeps its menu, but what is sold out applies now)
kiosk run: $M: new words: their recogniser was built in N s" \
  "$(menu_stderr | grep -v warning | sed -E 's/built in [0-9.]+ s/built in N s/')"
turn pretzel
check "car 2 keeps its recogniser: no pretzel heard" "False" "$(field "'pretzel' in [e for e in E if e['event'] == 'turn'][5]['heard']")"
station_off
echo cancel | "$K" crew --connect "$SOCK" --token "$TOK" --lines >/dev/null 2>&1
wait_for car 4 10
turn pretzel
check "car 3: the new recogniser hears the pretzel" "a soft pretzel | Pretzel" \
  "$(field "(lambda t, o: t['heard'] + ' | ' + o['order']['lines'][0]['item'])([e for e in E if e['event'] == 'turn'][-1], [e for e in E if e['event'] == 'order'][-1])")"

# ---- SIGINT: the car at the post ends as "stopped", in the store too ----
kill -INT "$KID"
wait "$KPID"; check "SIGINT: exits 0" 0 $?
KPID=
check "SIGINT: car 3 left stopped, the last event" "car 3 left stopped open" \
  "$(field "(lambda e: f'{e[\"event\"]} {e[\"car\"]} {e[\"state\"]} {e[\"why\"]} {e[\"status\"]}')(E[-1])")"
check "SIGINT: the store has every car ended, car 3 open" "[(1, 'confirmed'), (2, 'cancelled'), (3, 'open')]" \
  "$(python3 -c "
import sqlite3; c = sqlite3.connect('$T/k.db')
print([(r[0], r[1]) for r in c.execute('select id, status from cars where ended is not null order by id')])")"
contains "SIGINT: the stop line" "kiosk run: stopped: 3 cars" "$(cat "$T/err")"
check "the store kept the good menus once each" "['Burger Barn', 'Burger Barn Winter', 'Burger Barn Winter']" \
  "$(python3 -c "
import sqlite3; c = sqlite3.connect('$T/k.db')
print([t.split('\\nmenu: ')[1].split('\\n')[0] for (t,) in c.execute('select text from menus order by id')])")"

# ---- restarted on a broken file: the last good menu; SIGTERM ends its car ----
cp "$T/edits/broken.yaml" "$M"
start
check "broken at start: the error, then the menu it runs on" \
"$M:4:5: unknown key \"prise\"; did you mean \"price\"? (keys of an item: name, say, price, sizes, default_size, options, defaults, includes, choose, available)
kiosk run: $M: 1 error (above); running on the last good menu (Burger Barn Winter), kept at DATE in $T/k.db" \
  "$(head -2 "$T/err" | sed -E 's/kept at [0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2} in/kept at DATE in/')"
contains "broken at start: listening on it" "kiosk run: listening (Burger Barn Winter" "$(cat "$T/err")"
check "broken at start: the first event says so" \
  "{\"errors\": [\"$ERR\"], \"event\": \"menu\", \"file\": \"$M\", \"menu\": \"Burger Barn Winter\", \"ok\": false}" \
  "$(menu_event 1)"
station 2
step "broken at start: a station connecting is told" \
"connected to Lane 1 (Burger Barn Winter): no car at the post
*** MENU NOT LOADED: the menu file has an error; the kiosk runs on its last good menu (Burger Barn Winter)
$M:4:5: unknown key \"prise\"; did you mean \"price\"? (keys of an item: name, say, price, sizes, default_size, options, defaults, includes, choose, available)"
station_off
turn pretzel
check "broken at start: the kept menu's words are heard" "a soft pretzel" "$(field "[e for e in E if e['event'] == 'turn'][0]['heard']")"
kill -TERM "$KID"
wait "$KPID"; check "SIGTERM: exits 0" 0 $?
KPID=
check "SIGTERM: the car left stopped, the last event" "car 1 left stopped open" \
  "$(field "(lambda e: f'{e[\"event\"]} {e[\"car\"]} {e[\"state\"]} {e[\"why\"]} {e[\"status\"]}')(E[-1])")"
check "SIGTERM: the store ended it" "(4, 'open')" \
  "$(python3 -c "
import sqlite3; c = sqlite3.connect('$T/k.db')
print(c.execute('select id, status from cars where ended is not null order by id desc').fetchone())")"

if [ "$fails" -ne 0 ]; then echo "--- kiosk stderr"; cat "$T/err"; echo "--- events"; cut -c1-300 "$EV"; fi
echo "reload: $pass passed, $fails failed"
[ "$fails" -eq 0 ]
