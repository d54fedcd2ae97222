#!/usr/bin/env bash
# The store fails while a car is at the post (issue 18): another program
# holds the database locked for a while.  The live kiosk must go on taking
# the order, page the crew once (device_fault: "orders are not being
# saved"), say so in a "store" event, and when the database is free again
# write everything it held, in order.  Then the turns' recordings: kept
# beside the database, replayed by car (kiosk replay --car), deleted when
# older than --keep-audio.  A private PulseAudio as in live.sh.
set -uo pipefail
K=${KIOSK:-build/kiosk}
T=$(mktemp -d)
. "$(dirname "$0")/../check.sh"
. "$(dirname "$0")/../events.sh"
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

# ---- the recorded turns: kept beside the database, replayed by car, deleted when old ----
check "each turn's recording is kept beside the database" "3 3" \
  "$(ls "$T/audio" | grep -c '^[0-9]\{8\}-[0-9]\{6\}-car1-turn[123]\.wav$') $(q "$DB" "select count(*) from turns where file like '$T/audio/%-car1-turn%.wav'")"
"$K" replay --db "$DB" --car 1 --json > "$T/replayed.json" 2> "$T/replay.err"
check "kiosk replay --car 1 exits 0" 0 $?
check "and hears what the live kiosk heard" "$(field '[e["heard"] for e in E if e["event"]=="turn"]')" \
  "$(python3 -c "import json; print([t['heard'] for t in json.load(open('$T/replayed.json'))['turns']])")"
check "and does not write into the lane's database" 1 "$(q "$DB" "select count(*) from cars")"
out=$("$K" replay --db "$DB" --car 7 2>&1); check "no such car exits 2" 2 $?
check "no such car, in words" "kiosk replay: $DB: no car 7 (kiosk report and the events table list the cars)" "$out"
gone=$(q "$DB" "select file from turns where turn = 2"); rm "$gone"
out=$("$K" replay --db "$DB" --car 1 2>&1); check "a deleted recording exits 2" 2 $?
check "a deleted recording, in words" "kiosk replay: $DB: car 1's turn 2, $gone, is gone: recorded turns are kept --keep-audio days (7 by default), then deleted" "$out"
"$K" replay --db "$T/s.db" --script <(printf 'say a cookie\n') > /dev/null 2>&1
out=$("$K" replay --db "$T/s.db" --car 1 2>&1)
check "a turn never recorded, in words" "kiosk replay: $T/s.db: car 1's turn 1 was not recorded (kiosk run --keep-audio 0, or a scripted turn)" "$out"
out=$("$K" replay --car 1 "$T/order.wav" 2>&1); check "--car with files exits 2" 2 $?
contains "--car with files explained" "--car takes its turns from the database" "$out"

# older than --keep-audio: deleted at start (only the kiosk's own files)
touch -d '8 days ago' "$T/audio/20261120-101010-car4-turn1.wav" "$T/audio/notes.wav"
touch -d '2 days ago' "$T/audio/20261205-101010-car5-turn1.wav"
"$K" run --headless --events --input pulse --output none --db "$DB" --for 3 \
  --crew-socket "$T/crew.sock" --crew-token "$T/crew.token" > /dev/null 2> "$T/err3"
contains "old recordings deleted at start, said so" "1 recorded turn older than 7 days deleted from $T/audio" "$(cat "$T/err3")"
check "the old one is gone; a newer one and someone's file are kept" "no yes yes" \
  "$([ -e "$T/audio/20261120-101010-car4-turn1.wav" ] && echo yes || echo no) $([ -e "$T/audio/20261205-101010-car5-turn1.wav" ] && echo yes || echo no) $([ -e "$T/audio/notes.wav" ] && echo yes || echo no)"
out=$("$K" run --keep-audio -1 2>&1); check "a bad --keep-audio exits 2" 2 $?
contains "a bad --keep-audio explained" "--keep-audio -1: give a number from 0 to 3650" "$out"

if [ "$fails" -ne 0 ]; then echo "--- kiosk stderr"; cat "$T/err"; echo "--- events"; cat "$EV"; fi
echo "store: $pass passed, $fails failed"
[ "$fails" -eq 0 ]
