#!/usr/bin/env bash
# The events to an MQTT broker (--mqtt): a real mosquitto on 127.0.0.1, on a
# free port, with a subscriber (mosquitto_sub, a persistent session: what it
# misses while the broker restarts is kept for it).
#   1. a scripted lane (kiosk replay --script --mqtt): every event line, in
#      order, exactly as printed, on kiosk/STORE/LANE/events; the store's
#      default name; no broker at all; more events than the queue holds.
#   2. the live kiosk (kiosk run --mqtt, a private PulseAudio as in live.sh):
#      started before the broker (it says so and runs on), the broker comes;
#      a turn; the broker stops mid-car and the lane goes on (two turns, the
#      order confirmed); the broker comes back and what was made meanwhile
#      arrives; the broker frozen and killed with a car's events in flight,
#      restarted: they are sent again; everything the subscriber got is what
#      --events printed, in order.
set -uo pipefail
K=${KIOSK:-build/kiosk}
KS=${KIOSK_SAN:-$K}
T=$(mktemp -d)
. "$(dirname "$0")/../check.sh"
. "$(dirname "$0")/../events.sh"
PATH=$PATH:/usr/sbin   # Debian's broker is /usr/sbin/mosquitto

have() { command -v mosquitto >/dev/null && command -v mosquitto_sub >/dev/null; }
have || make -s deps >/dev/null 2>&1
if ! have; then
  echo "SKIP mqtt: mosquitto and mosquitto-clients are not installed and \`make deps\` could not install them"
  rm -rf "$T"
  exit 0
fi

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
PORT=$(free_port)
BPID= SPID= KPID=
broker_start() {
  mkdir -p "$T/broker"
  printf 'listener %s 127.0.0.1\nallow_anonymous true\npersistence true\npersistence_location %s/broker/\nuser %s\n' \
    "$PORT" "$T" "$(id -un)" > "$T/broker.conf"
  mosquitto -c "$T/broker.conf" >>"$T/broker.log" 2>&1 &
  BPID=$!
  for _ in $(seq 50); do
    python3 -c "import socket; socket.create_connection(('127.0.0.1', $PORT), 0.2)" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "FAIL mqtt: the broker did not start"; cat "$T/broker.log"; return 1
}
broker_stop() { kill "$BPID"; wait "$BPID"; BPID=; }
# the subscriber: "TOPIC PAYLOAD" lines; a persistent session (-c) so that
# the broker keeps what comes while it is reconnecting
# (subscribed once a probe on kiosk/ready comes back; subbed leaves the probes out)
sub_start() {
  mosquitto_sub -h 127.0.0.1 -p "$PORT" -i kiosk-e2e-sub -c -q 1 -t 'kiosk/#' -v >>"$T/sub" 2>>"$T/sub.err" &
  SPID=$!
  for _ in $(seq 100); do
    mosquitto_pub -h 127.0.0.1 -p "$PORT" -q 1 -t kiosk/ready -m ready 2>/dev/null
    grep -q '^kiosk/ready ' "$T/sub" && return 0
    sleep 0.1
  done
  echo "FAIL mqtt: the subscriber did not subscribe"; cat "$T/sub.err"; return 1
}
subbed() { grep -v '^kiosk/ready ' "$T/sub"; }
sub_lines() { subbed | wc -l; }
# waits until the subscriber has at least $1 lines (at most $2 seconds)
sub_wait() { for _ in $(seq $(( ${2:-10} * 10 ))); do [ "$(sub_lines)" -ge "$1" ] && return 0; sleep 0.1; done; return 1; }
cleanup() {
  [ -n "$KPID" ] && kill "$KPID" 2>/dev/null
  [ -n "$SPID" ] && kill "$SPID" 2>/dev/null
  [ -n "$BPID" ] && kill "$BPID" 2>/dev/null
  [ -n "${PA_DIR:-}" ] && pa_stop
  rm -rf "$T"
}
trap cleanup EXIT

# ---- 1. a scripted lane -----------------------------------------------------------
broker_start || exit 1
: > "$T/sub"
sub_start || exit 1
cat > "$T/day.script" <<'EOF'
set lane Lane 2
set escalate 10,30
say two cheeseburgers and a large coke
say that is all
say yes
wait 60
say a cookie
say can i talk to a person
wait 40
crew take
crew add a large fries
crew confirm
EOF
"$KS" replay --menu menus/burger.yaml --script "$T/day.script" --mqtt "127.0.0.1:$PORT" --store "Main St #12" \
  >"$T/printed" 2>"$T/err"
check "script: exits 0" 0 $?
check "script: connected, said once" \
  "kiosk replay: mqtt: connected to the broker at 127.0.0.1:$PORT: events go to kiosk/main-st-12/<lane>/events" \
  "$(cat "$T/err")"
grep '^{"t"' "$T/printed" > "$T/events"   # the events; the rest are the crew's answers
n=$(wc -l < "$T/events")
sub_wait "$n" 10
check "script: every event line arrived, in order, exactly as printed" "$(cat "$T/events")" "$(subbed | cut -d' ' -f2-)"
check "script: all on the store's and lane's topic" "$n kiosk/main-st-12/lane-2/events" \
  "$(subbed | cut -d' ' -f1 | uniq -c | tr -s ' ' | sed 's/^ //')"
check "script: events of two cars, escalations, the crew's" "car turn order say turn say turn say confirmed car car turn order say turn order page say escalate escalate override order ack order confirmed say car" \
  "$(python3 -c 'import json,sys; print(" ".join(json.loads(l)["event"] for l in open(sys.argv[1])))' "$T/events")"

# the store's name by default: this machine's, slugged
: > "$T/sub"
printf 'say a coke\nsay small\ncrew confirm\n' > "$T/short.script"
"$KS" replay --menu menus/burger.yaml --script "$T/short.script" --mqtt "127.0.0.1:$PORT" >"$T/printed" 2>"$T/err"
check "default store: exits 0" 0 $?
host=$(python3 -c 'import re, socket; print(re.sub("[^a-z0-9]+", "-", socket.gethostname().lower()).strip("-")[:64] or "kiosk")')
n=$(grep -c '^{"t"' "$T/printed")
sub_wait "$n" 10
check "default store: the hostname ($host), lane 1" "$n kiosk/$host/lane-1/events" \
  "$(subbed | cut -d' ' -f1 | uniq -c | tr -s ' ' | sed 's/^ //')"

# no broker there: the lane runs, says so, and what could not go
NOPORT=$(free_port)
"$KS" replay --menu menus/burger.yaml --script "$T/short.script" --mqtt "127.0.0.1:$NOPORT" >"$T/printed" 2>"$T/err"
rc=$?
check "no broker: exits 0, the lane ran" "0 $n" "$rc $(grep -c '^{"t"' "$T/printed")"
check "no broker: said, and what was not delivered" \
  "kiosk replay: mqtt: cannot reach the broker at 127.0.0.1:$NOPORT (Connection refused); the kiosk runs on, events are kept in memory until it can (at most 4 MB) and the connection retried
kiosk replay: mqtt: $n events not delivered (the broker at 127.0.0.1:$NOPORT is away), 0 dropped" "$(cat "$T/err")"

# more events than the queue keeps (16384): the rest dropped, counted, said
python3 -c 'print("say a coke\nsay large"); [print("say hello") for _ in range(9000)]' > "$T/many.script"
"$K" replay --menu menus/burger.yaml --script "$T/many.script" --mqtt "127.0.0.1:$NOPORT" >"$T/printed" 2>"$T/err"
rc=$?
check "a full queue: the lane ran" "0 18008" "$rc $(grep -c '^{"t"' "$T/printed")"
check "a full queue: the first drop said at once, the rest counted at the end" \
  "kiosk replay: mqtt: 1 event dropped: 16384 (2.3 MB) already wait for the broker at 127.0.0.1:$NOPORT, the most kept in memory; 1 dropped in all (the store has them: kiosk export)
kiosk replay: mqtt: 16384 events not delivered (the broker at 127.0.0.1:$NOPORT is away), 1624 dropped" \
  "$(tail -n +2 "$T/err")"

# bad options: one line, exit 2
bad() { # NAME MESSAGE ARGS...
  local name=$1 msg=$2; shift 2
  local out; out=$("$K" "$@" 2>&1); check "$name: exits 2" 2 $?
  check "$name: says why" "$msg" "$out"
}
bad "--mqtt without a host" "kiosk run: --mqtt :1883: give HOST[:PORT], e.g. 127.0.0.1:1883" run --mqtt :1883
bad "--mqtt, a bad port" "kiosk run: --mqtt localhost:99999: the port must be a number from 1 to 65535 (MQTT's is 1883)" run --mqtt localhost:99999
bad "--store without --mqtt" "kiosk run: --store s1: it names the store in --mqtt's topics; give --mqtt HOST[:PORT] too" run --store s1
bad "--store of no letter" "kiosk run: --store \"#!\": give a name with a letter or a digit" run --mqtt localhost --store '#!'
bad "replay --mqtt without --script" "kiosk replay: --mqtt goes with --script (a scripted lane's events)" replay --mqtt localhost x.wav

# ---- 2. the live kiosk; the broker away and back -------------------------------------
broker_stop
kill "$SPID"; wait "$SPID" 2>/dev/null; SPID=
: > "$T/sub"
. "$(dirname "$0")/../pulse.sh"
pa_private "$T"
if ! pa_start; then echo "FAIL mqtt: PulseAudio did not start"; cat "$T/pulse.log"; exit 1; fi
say() { espeak-ng -v en-us -s 150 -w "$T/$1.wav" "$2"; }
say coke "a large coke"
say done "that's all"
say yes "yes"
say cookie "a cookie"

EV=$T/events.jsonl
wait_err() { for _ in $(seq $(( ${2:-20} * 10 ))); do grep -q "$1" "$T/err" && return 0; sleep 0.1; done; return 1; }
turn() { paplay "$T/$1.wav"; wait_for turn "$2" 40 || echo "no turn event after $1"; sleep 0.5; }

timeout -s KILL 300 "$K" run --headless --events --output none --db "$T/k.db" --crew-socket "$T/crew.sock" \
  --crew-token "$T/crew.token" --mqtt "127.0.0.1:$PORT" --store s1 --lane "Lane 2" >"$EV" 2>"$T/err" &
KPID=$!
wait_err "listening" 30
wait_err "cannot reach the broker" 5
contains "live: no broker at start: said, the kiosk runs on" \
  "kiosk run: mqtt: cannot reach the broker at 127.0.0.1:$PORT (Connection refused); the kiosk runs on" "$(cat "$T/err")"
broker_start || exit 1
sub_start || exit 1
wait_err "reached the broker" 20
contains "live: the broker reached, retrying with back-off" "kiosk run: mqtt: reached the broker at 127.0.0.1:$PORT after" "$(cat "$T/err")"

turn coke 1
wait_for order 1 5
sub_wait "$(wc -l < "$EV")" 10
check "live: the first turn's events arrived at once" "$(wc -l < "$EV")" "$(sub_lines)"
sleep 0.5   # the broker's acknowledgements home: nothing in flight when it stops

broker_stop
wait_err "lost the broker" 10
contains "live: the broker lost, said" "kiosk run: mqtt: lost the broker at 127.0.0.1:$PORT (" "$(cat "$T/err")"
before=$(wc -l < "$EV")
turn done 2
turn yes 3
wait_for confirmed 1 10
away=$(( $(wc -l < "$EV") - before ))
check "live: the lane went on without the broker: read back, yes, confirmed, left" "turn turn confirmed car" \
  "$(tail -n "$away" "$EV" | python3 -c 'import json,sys; print(" ".join(json.loads(l)["event"] for l in sys.stdin))')"

broker_start || exit 1
wait_err "back to the broker" 20
contains "live: the broker back, with the events kept meanwhile" \
  "kiosk run: mqtt: back to the broker at 127.0.0.1:$PORT after" "$(cat "$T/err")"
contains "live: ... how many" "sending the $away events kept meanwhile" "$(cat "$T/err")"
sub_wait "$(wc -l < "$EV")" 10
sleep 0.5

# the broker frozen (SIGSTOP): the connection stays up, the next car's events
# go out and wait for acknowledgements that never come; then it dies (SIGKILL:
# nothing saved, the connection reset), with them in flight
kill -STOP "$BPID"
before=$(wc -l < "$EV")
turn cookie 4
wait_for order 2 5
flight=$(( $(wc -l < "$EV") - before ))
check "live: a frozen broker holds nothing up: car 2 arrived, its turn, its order" "car turn order" \
  "$(tail -n "$flight" "$EV" | python3 -c 'import json,sys; print(" ".join(json.loads(l)["event"] for l in sys.stdin))')"
kill -KILL "$BPID"; wait "$BPID" 2>/dev/null; BPID=
wait_err "lost the broker at 127.0.0.1:$PORT" 10
broker_start || exit 1
for _ in $(seq 200); do [ "$(grep -c "back to the broker" "$T/err")" -ge 2 ] && break; sleep 0.1; done
check "live: back again; what was in flight is sent again" "1" \
  "$(grep -c "back to the broker at 127.0.0.1:$PORT after [0-9]* s: sending the $flight events kept meanwhile" "$T/err")"
kill -TERM "$KPID"; wait "$KPID"; check "live: SIGTERM stops it cleanly" 0 $?
KPID=
sub_wait "$(wc -l < "$EV")" 15
kill "$SPID"; wait "$SPID" 2>/dev/null; SPID=
# QoS 1 is at least once: a line may come twice; once each, the order must be --events'
check "live: everything arrived, in order, exactly as --events printed it" "$(cat "$EV")" \
  "$(subbed | cut -d' ' -f2- | awk '!seen[$0]++')"
check "live: one topic, the store's and the lane's" "kiosk/s1/lane-2/events" "$(subbed | cut -d' ' -f1 | sort -u)"
check "live: the cars (the second stopped with the kiosk)" "confirmed stopped" \
  "$(python3 -c 'import json,sys; print(" ".join(e["why"] for e in map(json.loads, open(sys.argv[1])) if e["event"] == "car" and e["state"] == "left"))' "$EV")"
check "live: nothing lost at the end" "0" "$(grep -c 'not delivered' "$T/err")"

if [ "$fails" -ne 0 ]; then
  echo "--- kiosk stderr"; cat "$T/err"; echo "--- events"; cat "$EV"; echo "--- subscriber"; cat "$T/sub" "$T/sub.err"
  echo "--- broker"; cat "$T/broker.log"
fi
echo "mqtt: $pass passed, $fails failed"
[ "$fails" -eq 0 ]
