#!/usr/bin/env bash
# The store fails while a car is at the post (issue 18): another program
# holds the database locked for a while.  The live kiosk must go on taking
# the order, page the crew once (device_fault: "orders are not being
# saved"), say so in a "store" event, and when the database is free again
# write everything it held, in order.  A private PulseAudio as in live.sh.
set -uo pipefail
K=${KIOSK:-build/kiosk}
T=$(mktemp -d)
. "$(dirname "$0")/../check.sh"
. "$(dirname "$0")/../pulse.sh"
pa_private "$T"
cleanup() {
  [ -n "${KPID:-}" ] && kill "$KPID" 2>/dev/null
  [ -n "${LPID:-}" ] && kill "$LPID" 2>/dev/null
  pa_stop
  rm -rf "$T"
}
trap cleanup EXIT
if ! pa_start; then
  echo "FAIL store: PulseAudio did not start (see below; \`make deps\` installs it)"; cat "$T/pulse.log"; exit 1
fi
say() { espeak-ng -v en-us -s 150 -w "$T/$1.wav" "$2"; }
say order "two cheeseburgers and a large coke"
say done "that's all"
say yes "yes"
DB=$T/k.db
EV=$T/events.jsonl
q() { python3 -c "import sqlite3,sys; r=sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone(); print('' if r is None else r[0])" "$@"; }
count() { grep -c "\"event\": \"$1\"" "$EV" 2>/dev/null || true; }
wait_for() { for _ in $(seq $(( ${3:-30} * 10 ))); do [ "$(count "$1")" -ge "$2" ] && return 0; sleep 0.1; done; return 1; }
field() { python3 -c "import json,sys; E=[json.loads(l) for l in open('$EV')]; print($1)"; }
turn() {
  local says; says=$(count say)
  paplay "$T/$1.wav"; wait_for turn "$2" 40
  if wait_for say $((says + 1)) 5; then
    local ms; ms=$(grep '"event": "say"' "$EV" | tail -1 | python3 -c 'import json,sys; print(json.load(sys.stdin)["ms"])')
    sleep "$(python3 -c "print(($ms + 900) / 1000)")"
  fi
}

"$K" run --headless --events --input pulse --output pulse --db "$DB" \
  --crew-socket "$T/crew.sock" --crew-token "$T/crew.token" >"$EV" 2>"$T/err" &
KPID=$!
for _ in $(seq 150); do grep -q "listening" "$T/err" && break; sleep 0.1; done

# another program takes the database and keeps it until told (a file appears)
python3 - "$DB" "$T/release" <<'EOF' &
import os, sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("BEGIN EXCLUSIVE")
open(sys.argv[2] + ".held", "w").close()
while not os.path.exists(sys.argv[2]):
    time.sleep(0.05)
c.execute("ROLLBACK")
EOF
LPID=$!
for _ in $(seq 50); do [ -e "$T/release.held" ] && break; sleep 0.1; done

turn order 1
wait_for store 1 10
check "saving stopped: a store event with the error" "failing True" \
  "$(field '(lambda e: e["state"] + " " + str("the database is locked by another program" in e["error"]))([e for e in E if e["event"]=="store"][0])')"
check "the crew is paged once, in words" "device_fault orders are not being saved: $DB: cannot write: the database is locked by another program" \
  "$(field '(lambda e: e["reason"] + " " + e["detail"])([e for e in E if e["event"]=="page"][0])')"
contains "and stderr says so" "orders are not being saved: $DB: cannot write: the database is locked by another program; holding them in memory and trying again every second" "$(cat "$T/err")"
turn done 2
check "the kiosk goes on: the read-back" "True" "$(field '"Your total is" in [e for e in E if e["event"]=="turn"][1]["said"]')"
check "one page only" 1 "$(count page)"

touch "$T/release"; wait "$LPID"; LPID=
wait_for store 2 10
check "saving again: a store event with how much was written" "saving True 0" \
  "$(field '(lambda e: e["state"] + " " + str(e["written"] > 5) + " " + str(e["dropped"]))([e for e in E if e["event"]=="store"][1])')"
turn yes 3
wait_for confirmed 1 10
kill -TERM "$KPID"; wait "$KPID"; check "SIGTERM stops it cleanly" 0 $?
KPID=
check "everything held is in the database: the car, its 3 turns, confirmed" "1 3 confirmed confirmed" \
  "$(q "$DB" "select count(*) || ' ' || (select count(*) from turns) || ' ' || why || ' ' || status from cars")"
check "the page is kept too" "device_fault" "$(q "$DB" "select group_concat(reason) from pages")"
check "and every event line, in order" "$(grep -c . "$EV")" "$(q "$DB" "select count(*) from events")"
check "in the order they were printed" "True" "$(python3 -c "
import json, sqlite3
printed = [l.rstrip('\n') for l in open('$EV')]
kept = [r[0] for r in sqlite3.connect('$DB').execute('select json from events order by rowid')]
print(printed == kept)")"

if [ "$fails" -ne 0 ]; then echo "--- kiosk stderr"; cat "$T/err"; echo "--- events"; cat "$EV"; fi
echo "store: $pass passed, $fails failed"
[ "$fails" -eq 0 ]
