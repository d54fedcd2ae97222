#!/usr/bin/env bash
# The live kiosk end to end, with no sound card: a private PulseAudio server
# with a null sink "drive" whose monitor is the kiosk's microphone.  Turns
# spoken by espeak-ng are played into it with paplay; the kiosk captures them
# through PortAudio (ALSA's pulse device), and its own voice goes into the
# same sink, as a loudspeaker beside the microphone would: the kiosk must not
# take its own read-back for a customer.  Checks the events it writes
# (`kiosk run --headless --events`) and what it stored.
set -uo pipefail
K=${KIOSK:-build/kiosk}
KS=${KIOSK_SAN:-$K}
T=$(mktemp -d)
. "$(dirname "$0")/../check.sh"
. "$(dirname "$0")/../events.sh"

# ---- no sound system at all: one line, pointing to make demo ----
# (leak checks off for this one: ALSA's plugins, loaded and unloaded while
# PortAudio probes for devices, leave allocations LeakSanitizer cannot name)
out=$(XDG_RUNTIME_DIR=$T/none PULSE_RUNTIME_PATH=$T/none ASAN_OPTIONS=detect_leaks=0 "$KS" run --headless --db "$T/x.db" 2>&1)
check "no device exits 1" 1 $?
contains "no device says make demo" "make demo" "$out"
check "no device is one line" 1 "$(printf '%s\n' "$out" | wc -l)"
out=$("$K" run --trailing-ms soon 2>&1); check "bad --trailing-ms exits 2" 2 $?
contains "bad --trailing-ms named" "--trailing-ms soon: give a number from 200 to 5000" "$out"
out=$("$K" run --frob 2>&1); check "unknown run option exits 2" 2 $?

# ---- a private PulseAudio ----
. "$(dirname "$0")/../pulse.sh"
pa_private "$T"
cleanup() {
  [ -n "${KPID:-}" ] && kill "$KPID" 2>/dev/null
  pa_stop
  rm -rf "$T"
}
trap cleanup EXIT
if ! pa_start; then
  echo "FAIL live: PulseAudio did not start (see below; \`make deps\` installs it)"; cat "$T/pulse.log"; exit 1
fi
# ---- --post: a file that is not a serial line, a port that is not there ----
out=$("$K" run --headless --output none --db "$T/p.db" --post /dev/null 2>&1); check "--post not a tty exits 2" 2 $?
contains "--post not a tty explained" "--post /dev/null: not a serial line (a tty)" "$out"
out=$("$K" run --headless --output none --db "$T/p.db" --post "$T/ttyUSB9" 2>&1); check "--post missing exits 1" 1 $?
contains "--post missing says what to do" \
  "ttyUSB9: No such file or directory; check the post's cable and port, or run with --no-post" "$out"

out=$("$K" devices 2>&1); check "devices exits 0" 0 $?
contains "devices lists pulse" " pulse" "$out"
contains "devices marks the default" "(default input)" "$out"

out=$("$K" run --headless --input 99 --db "$T/x.db" 2>&1); check "--input 99 exits 1" 1 $?
contains "--input 99 explained" "--input 99: no input device with that index; \`kiosk devices\` lists them" "$out"
out=$("$K" run --headless --input "no such mic" --db "$T/x.db" 2>&1); check "--input by a wrong name exits 1" 1 $?
contains "--input name explained" '--input "no such mic": no input device by that name' "$out"

say() { espeak-ng -v en-us -s 150 -w "$T/$1.wav" "$2"; }
say order "two cheeseburgers and a large coke"
say done "that's all"
say yes "yes"
say person "can i talk to a person"

EV=$T/events.jsonl
# plays a turn, waits for its turn event and for the kiosk to finish speaking
turn() { # wav, expected turn events after it
  local says; says=$(count say)
  paplay "$T/$1.wav"
  wait_for turn "$2" 40 || { echo "no turn event after $1"; return 1; }
  if wait_for say $((says + 1)) 5; then
    local ms; ms=$(grep '"event": "say"' "$EV" | tail -1 | python3 -c 'import json,sys; print(json.load(sys.stdin)["ms"])')
    sleep "$(python3 -c "print(($ms + 900) / 1000)")"
  fi
}

# not --headless: the board's window opens on SDL's offscreen display
SDL_VIDEODRIVER=offscreen timeout -s KILL 300 "$K" run --events --input pulse --output pulse --db "$T/k.db" \
  --board "$T/board.png" --board-size 800x480 \
  --crew-socket "$T/crew.sock" --crew-token "$T/crew.token" >"$EV" 2>"$T/err" &
KPID=$!
for _ in $(seq 100); do grep -q "listening" "$T/err" && break; sleep 0.1; done
contains "kiosk listens" "kiosk run: listening (Burger Barn" "$(cat "$T/err")"

# ---- car 1: an order, the read-back, yes ----
turn order 1 && turn done 2 && turn yes 3
wait_for confirmed 1 10
check "car 1 heard the order" "True" "$(field '[e for e in E if e["event"]=="turn"][0]["heard"].replace(" ", "") == "twocheeseburgersandalargecoke"')"
check "car 1 confirmed order" "confirmed [('Cheeseburger', 2, None), ('Coke', 1, 'large')] 982" \
  "$(field '(lambda o: " ".join([o["status"], str([(l["item"], l["qty"], l["size"]) for l in o["lines"]]), str(o["total_cents"])]))([e for e in E if e["event"]=="confirmed"][0]["order"])')"
check "car 1 greeted in its first answer" "True" "$(field '[e for e in E if e["event"]=="say"][0]["text"].startswith("Welcome to Burger Barn! Two cheeseburgers")')"
check "car 1 read back with the total" "True" "$(field '"Your total is " in [e for e in E if e["event"]=="turn"][1]["said"]')"
check "car 1 left confirmed" "confirmed" "$(field '[e for e in E if e["event"]=="car" and e["state"]=="left"][0]["status"]')"
check "the kiosk did not hear itself (3 turns)" "3" "$(count turn)"
check "board saved, 800x480" "800 480" "$(python3 -c "import struct; d=open('$T/board.png','rb').read(24); print(*struct.unpack('>II', d[16:24]))")"
check "the window opened on the offscreen display" "0" "$(grep -c 'running headless' "$T/err")"
check "every event has a wall-clock t" "True" "$(field 'all(abs(e["t"] - __import__("time").time()) < 600 for e in E)')"

# ---- car 2: asks for a person ----
turn person 4
wait_for page 1 10
check "car 2 pages human_request" "2 human_request" "$(field '" ".join(str(x) for x in [(e["car"], e["reason"]) for e in E if e["event"]=="page"][0])')"

# ---- the crew, from a station, says car 2 drove off ----
# (the lane's timers, that a crew's car never leaves by silence, the nudge and
# no_response, are tables in tests/unit/test_lane.c and scripts in script.sh)
out=$(echo gone | "$K" crew --connect "$T/crew.sock" --token "$T/crew.token" 2>&1)
contains "the crew says it drove off" "car 2 drove off: your order kept as it stood" "$out"
check "car 2 left, still the crew's" "gone crew" "$(field '" ".join([[e for e in E if e["event"]=="car" and e["state"]=="left"][1][k] for k in ("why", "status")])')"

# ---- the microphone goes away and comes back ----
pa_stop
wait_for page 2 10
check "device gone pages device_fault" "device_fault" "$(field '[e for e in E if e["event"]=="page"][1]["reason"]')"
pa_start
for _ in $(seq 100); do grep -q "audio back" "$T/err" && break; sleep 0.1; done
contains "device reopened" "kiosk run: audio back after" "$(cat "$T/err")"
sleep 1
turn person 5
# (what it pages, not the free text's words: espeak-ng's "person" through PulseAudio has come
# out "others and", still a request for a person)
check "heard again after the reopen: a request for a person" "human_request" "$(field '[e for e in E if e["event"]=="turn"][4]["page"]')"
check "car 3 pages human_request" "3 human_request" "$(field '" ".join(str(x) for x in [(e.get("car"), e["reason"]) for e in E if e["event"]=="page"][2])')"

kill -TERM "$KPID"; wait "$KPID"; check "SIGTERM stops it cleanly" 0 $?
KPID=
contains "stop summary" "kiosk run: stopped: " "$(cat "$T/err")"
stored=$(python3 -c "
import sqlite3; c = sqlite3.connect('$T/k.db')
print(c.execute('select count(*) from cars').fetchone()[0], [r[0] for r in c.execute('select reason from pages order by t')])")
check "stored cars and pages (the device fault with no car too)" "3 ['human_request', 'device_fault', 'human_request']" "$stored"

if [ "$fails" -ne 0 ]; then echo "--- kiosk stderr"; cat "$T/err"; echo "--- events"; cat "$EV"; fi
echo "live: $pass passed, $fails failed"
[ "$fails" -eq 0 ]
