#!/usr/bin/env bash
# A lunch rush as the crew sees it (issue 16): the live kiosk on a private
# PulseAudio null sink (as live.sh), two cars in a row, and a crew member at
# `kiosk crew` in line mode, whose screen (its standard output) is asserted
# line by line at each step.  Car 1 orders, pauses to think (the kiosk says
# "Take your time"), finishes and confirms.  Car 2 orders, asks for a
# person, the crew takes over, the customer waits in silence (the car must
# not leave, nothing must page), the crew edits the order as crew talk and
# confirms.  A second station with --json sees the same events: every line
# it prints must parse as JSON.
# The screen's lines are compared exactly, masked as tests/station.sh says.
set -uo pipefail
K=${KIOSK:-build/kiosk}
T=$(mktemp -d)
. "$(dirname "$0")/../check.sh"
. "$(dirname "$0")/../events.sh"
. "$(dirname "$0")/../pulse.sh"
. "$(dirname "$0")/../station.sh"
pa_private "$T"
cleanup() {
  exec 3>&- 4>&- 2>/dev/null
  [ -n "${KPID:-}" ] && kill "$KPID" 2>/dev/null
  [ -n "${CPID:-}" ] && kill "$CPID" 2>/dev/null
  [ -n "${JPID:-}" ] && kill "$JPID" 2>/dev/null
  pa_stop
  rm -rf "$T"
}
trap cleanup EXIT
pa_start || { echo "FAIL lunch: PulseAudio did not start"; cat "$T/pulse.log"; exit 1; }
export TZ=UTC

say() { espeak-ng -v en-us -s 150 -w "$T/$1.wav" "$2"; }
say order "two cheeseburgers and a large coke"
say done "that's all"
say yes "yes"
say cookie "a cookie"
say person "can i talk to a person"
say question "do you have a large coke"

EV=$T/events.jsonl
SOCK=$T/crew.sock
TOK=$T/crew.token
timeout -s KILL 300 "$K" run --headless --events --input pulse --output pulse --db "$T/k.db" \
  --crew-socket "$SOCK" --crew-token "$TOK" --nudge 3 --no-response 5 --car-gone 8 --escalate 30,60 \
  >"$EV" 2>"$T/err" &
KPID=$!
for _ in $(seq 150); do grep -q "listening" "$T/err" && break; sleep 0.1; done
contains "kiosk listens" "listening" "$(cat "$T/err")"

# the kiosk's last say event, then as long as it speaks
wait_voice() {
  local ms; ms=$(grep '"event": "say"' "$EV" | tail -1 | python3 -c 'import json,sys; print(json.load(sys.stdin)["ms"])')
  sleep "$(python3 -c "print(($ms + 900) / 1000)")"
}
turn() { # wav: plays it, waits for its turn and the kiosk's answer
  local turns says; turns=$(count turn); says=$(count say)
  paplay "$T/$1.wav"
  wait_for turn $((turns + 1)) 30 || echo "no turn event after $1"
  wait_for say $((says + 1)) 5 && wait_voice
}

SCREEN=$T/screen
mkfifo "$T/cmds" "$T/none"
"$K" crew --connect "$SOCK" --token "$TOK" <"$T/cmds" >"$T/screen" 2>"$T/crew.err" &
CPID=$!
"$K" crew --connect "$SOCK" --token "$TOK" --json <"$T/none" >"$T/json" 2>"$T/json.err" &
JPID=$!
exec 3>"$T/cmds" 4>"$T/none"

cmd() { # types one command, waits for its answer
  local before; before=$(grep -c '^ok$\|^error: ' "$T/screen" || true)
  echo "$1" >&3
  for _ in $(seq 50); do
    [ "$(grep -c '^ok$\|^error: ' "$T/screen" || true)" -gt "$before" ] && return 0; sleep 0.1
  done
}

for _ in $(seq 50); do [ -s "$T/screen" ] && break; sleep 0.1; done
step "connected: the lane, no car" "connected to Lane 1 (Burger Barn): no car at the post"

# ---- car 1: orders, pauses to think, finishes ----
turn order
step "car 1 orders: what it understood, the order numbered, the kiosk's answer" \
'car 1 arrived
car 1 customer: "two cheeseburgers and a large coke"
car 1 order (the kiosk'"'"'s):
    1. 2 x Cheeseburger  $6.98
    2. 1 x Large Coke  $2.09
    total $9.82
car 1 kiosk: "Welcome to Burger Barn! Two cheeseburgers and a large Coke. Anything else?"'
says=$(count say)
wait_for say $((says + 1)) 10 && wait_voice
step "car 1 reads the menu board: the kiosk says take your time, no page" \
'car 1 kiosk: "Take your time. Anything else?"'
turn done
turn yes
wait_for confirmed 1 10
step "car 1 finishes: read back, confirmed, left for the window" \
'car 1 customer: "that is all"
car 1 kiosk: "You have two cheeseburgers and a large Coke. Your total is $9.82. Is that right?"
car 1 customer: "yes"
car 1 kiosk: "Thank you! Please pull forward to the window."
car 1 ORDER CONFIRMED:
    1. 2 x Cheeseburger  $6.98
    2. 1 x Large Coke  $2.09
    total $9.82
car 1 left for the window: order confirmed, $9.82'

# ---- car 2: a cookie, then a person ----
turn cookie
step "car 2 orders a cookie" \
'car 2 arrived
car 2 customer: "a cookie"
car 2 order (the kiosk'"'"'s):
    1. 1 x Cookie  $0.99
    total $1.07
car 2 kiosk: "Welcome to Burger Barn! A Cookie. Anything else?"'
turn person
step "car 2 asks for a person: the page, in words, with what to do" \
'car 2 customer: (asks for a person)
car 2 order (yours):
    1. 1 x Cookie  $0.99
    total $1.07
*** PAGE car 2: asked for a person: (words)
    ack to stop the chime; take to talk to the car
car 2 kiosk: "A team member will be right with you."' "$PERSON_SED"
check "the page rang the bell" "1" "$(grep -c $'\a' "$T/screen")"
cmd take
step "the crew takes car 2: it is theirs, the page acknowledged" \
'car 2 is yours: the kiosk stays quiet (back hands it back)
car 2 order (yours):
    1. 1 x Cookie  $0.99
    total $1.07
page acknowledged after N s
ok'

# ---- the customer waits in silence for the crew: longer than --car-gone and --no-response ----
sleep 10
step "a silent wait for the crew: the car stays, nothing pages, nothing is said" ""
check "car 2 did not leave" "1" "$(grep -c '"state": "left"' "$EV")"

# ---- the crew's edits, as crew talk ----
cmd "add a large fries"
step "add a large fries" \
'car 2 order (yours):
    1. 1 x Cookie  $0.99
    2. 1 x Large Fries  $2.79
    total $4.09
ok'
cmd "add a large fries"
step "the same again: its quantity, not a second line" \
'car 2 order (yours):
    1. 1 x Cookie  $0.99
    2. 2 x Large Fries  $5.58
    total $7.11
ok'
cmd "change the cookie to three"
cmd "remove 7"
step "change, and a line that is not there" \
'car 2 order (yours):
    1. 3 x Cookie  $2.97
    2. 2 x Large Fries  $5.58
    total $9.26
ok
error: no line 7'
cmd confirm
wait_for confirmed 2 10
step "the crew confirms: the kiosk sees the car off" \
'car 2 ORDER CONFIRMED:
    1. 3 x Cookie  $2.97
    2. 2 x Large Fries  $5.58
    total $9.26
car 2 kiosk: "Thank you! Please pull forward to the window."
car 2 left for the window: order confirmed, $9.26
ok'

# ---- car 3 asks a question; the crew agrees with what the kiosk heard ----
wait_voice   # car 2's thanks: the kiosk does not listen while it speaks
turn question
step "car 3 asks a question: the crew is paged" \
'car 3 arrived
car 3 customer: (question)
car 3 order (yours):
    (nothing ordered yet)
    total $0.00
*** PAGE car 3: didn'"'"'t understand: (words)
    ack to stop the chime; take to talk to the car
car 3 kiosk: "A team member will be right with you."' 's/^(car 3 customer: ).*/\1(question)/'
cmd apply
cmd apply
step "apply: the customer's words as the kiosk heard them, once" \
'car 3 order (yours):
    1. 1 x Large Coke  $2.09
    total $2.26
page acknowledged after N s
ok
error: the customer'"'"'s last turn is in the order already'
cmd confirm
wait_for confirmed 3 10
step "car 3 confirmed by the crew" \
'car 3 ORDER CONFIRMED:
    1. 1 x Large Coke  $2.09
    total $2.26
car 3 kiosk: "Thank you! Please pull forward to the window."
car 3 left for the window: order confirmed, $2.26
ok'

# ---- the same events, whole, on a --json station and in --events ----
exec 3>&- 4>&-
wait "$CPID"; check "the station exits 0 at the end of its input" 0 $?
CPID=
wait "$JPID"; JPID=
check "every --json line is JSON" "True" "$(all_json "$T/json" 20)"
check "every --events line is JSON, and the station got the same events" "True" "$(python3 -c "
import json
ev = [json.loads(l) for l in open('$EV')]
st = [json.loads(l) for l in open('$T/json')]
st = [e for e in st if 'event' in e and e['event'] != 'state']
print(ev == st)")"
check "the store holds the same event lines" "True" "$(python3 -c "
import json, sqlite3
ev = [l.rstrip('\n') for l in open('$EV')]
db = [r[0] for r in sqlite3.connect('$T/k.db').execute('select json from events order by rowid')]
print(ev == db)")"

kill -TERM "$KPID"; wait "$KPID"; check "kiosk stops cleanly" 0 $?
KPID=
if [ "$fails" -ne 0 ]; then
  echo "--- kiosk stderr"; cat "$T/err"; echo "--- screen"; cat -A "$T/screen" | head -80; echo "--- station stderr"; cat "$T/crew.err"
fi
echo "lunch: $pass passed, $fails failed"
[ "$fails" -eq 0 ]
