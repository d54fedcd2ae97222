#!/usr/bin/env bash
# The whole lane with the speaker post's firmware in simavr: build/simpost runs
# build/firmware/post.elf with its USART0 on a pty, and `kiosk run --post` talks
# to it as to the real post, with a private PulseAudio for its loudspeaker and
# microphone (tests/pulse.sh, as live.sh).  A car arrives on the loop (a pin),
# is greeted before it speaks, orders by voice; the crew's headset talk button
# hushes the loudspeaker; the help button pages; the car leaves.  Then frame
# faults both ways, each rejected and counted by its receiver (the kiosk's post
# event, the firmware's heartbeat counters) with the link up and no event
# delivered twice; then the cable pulled for more than the link's 3 s.
# Prints the time from the loop's pin to the greeting's first sound, measured
# on a recording of the drive sink.
set -uo pipefail
K=${KIOSK:-build/kiosk}
SIM=${SIMPOST:-build/simpost}
ELF=${POST_ELF:-build/firmware/post.elf}
T=$(mktemp -d)
. "$(dirname "$0")/../check.sh"
. "$(dirname "$0")/../events.sh"

for f in "$SIM" "$ELF"; do
  [ -e "$f" ] || { echo "FAIL post: $f is missing (make build/simpost firmware)"; exit 1; }
done

# ---- simpost's own errors ----
out=$("$SIM" 2>&1); check "simpost with no elf exits 2" 2 $?
contains "simpost with no elf says usage" "usage: simpost [-v] POST.elf" "$out"
out=$("$SIM" "$T/none.elf" 2>&1); check "simpost, a missing elf, exits 1" 1 $?
contains "a missing elf named" "$T/none.elf: No such file or directory (\`make firmware\` builds" "$out"
printf 'not an elf' > "$T/bad.elf"
out=$("$SIM" "$T/bad.elf" 2>&1); check "simpost, a bad elf, exits 1" 1 $?
contains "a bad elf named" "$T/bad.elf: not an ELF file" "$out"
out=$("$SIM" /bin/sh 2>&1); check "simpost, a host elf, exits 1" 1 $?
contains "a host elf named" "/bin/sh: an ELF file, but not for the AVR" "$out"
out=$(printf 'frob\ngarbage 0\nreplay\nto-post out-of-order\nquit\n' | timeout 10 "$SIM" "$ELF" 2>&1)
check "simpost quits on quit" 0 $?
contains "an unknown command named" 'unknown command "frob"; commands: arrive, leave, help' "$out"
contains "garbage 0 refused" "garbage N: N is a number of bytes from 1 to 4096" "$out"
contains "replay with nothing to replay" "replay toward the kiosk: no reliable frame from the post yet to replay" "$out"
contains "out-of-order with nothing before" "out-of-order toward the post: no reliable frame from the kiosk yet" "$out"
check "the pty is the first line" "pty /dev/pts/" "$(printf '%s\n' "$out" | head -1 | cut -c1-13)"

# ---- a private PulseAudio, the post in simavr, the kiosk ----
. "$(dirname "$0")/../pulse.sh"
pa_private "$T"
SPID= KPID= RPID=
cleanup() {
  for p in $KPID $RPID $SPID; do kill "$p" 2>/dev/null; done
  exec 3>&- 2>/dev/null
  pa_stop
  rm -rf "$T"
}
trap cleanup EXIT
if ! pa_start; then
  echo "FAIL post: PulseAudio did not start (see below; \`make deps\` installs it)"; cat "$T/pulse.log"; exit 1
fi

say() { espeak-ng -v en-us -s 150 -w "$T/$1.wav" "$2"; }
say order "two cheeseburgers and a large coke"

SO=$T/sim.out
mkfifo "$T/cmd"
"$SIM" "$ELF" <"$T/cmd" >"$SO" 2>"$T/sim.err" &
SPID=$!
exec 3>"$T/cmd"
sim() { echo "$*" >&3; }
for _ in $(seq 50); do grep -q '^pty ' "$SO" && break; sleep 0.1; done
PTY=$(sed -n 's/^pty //p' "$SO")
[ -c "$PTY" ] || { echo "FAIL post: simpost gave no pty"; cat "$T/sim.err"; exit 1; }
# waits until $SO has at least $2 lines matching $1 (at most $3 seconds)
sim_wait() {
  for _ in $(seq $(( ${3:-10} * 10 ))); do
    [ "$(grep -c -- "$1" "$SO")" -ge "$2" ] && return 0
    sleep 0.1
  done
  return 1
}
simcount() { grep -c -- "$1" "$SO"; }

# The drive sink's monitor, recorded from before the kiosk starts: the
# loudspeaker's first sound after the loop's pin is the greeting.
parec --raw --format=s16le --rate=16000 --channels=1 --latency-msec=10 -d drive.monitor >"$T/drive.raw" &
RPID=$!

EV=$T/events.jsonl
# a python condition over the events, waited for (at most $2 seconds)
wait_until() {
  for _ in $(seq $(( ${2:-10} * 10 ))); do
    [ "$(field "$1")" = True ] && return 0
    sleep 0.1
  done
  return 1
}

timeout -s KILL 300 "$K" run --headless --events --input pulse --output pulse --post "$PTY" \
  --db "$T/k.db" >"$EV" 2>"$T/err" &
KPID=$!
for _ in $(seq 100); do grep -q "listening" "$T/err" && break; sleep 0.1; done
contains "kiosk listens" "kiosk run: listening (Burger Barn" "$(cat "$T/err")"

# ---- the link comes up: the kiosk's post event, the post's lamp ----
wait_until 'any(e["event"] == "post" and e.get("link") == "up" for e in E)' 10
check "the link comes up (a post event)" "up" "$(field '[e["link"] for e in E if e["event"] == "post" and "link" in e][0]')"
sim_wait '^lamp listening' 1 5
check "the post's lamp says listening" "lamp listening" "$(grep '^lamp' "$SO" | tail -1)"

# ---- a car on the loop: greeted before it speaks ----
sim arrive
sim_wait '^pin loop 0 at ' 1 5
t_arrive=$(sed -n 's/^pin loop 0 at //p' "$SO" | head -1)
wait_for car 1 10
wait_for say 1 10
check "the loop starts car 1" "1 arrived" "$(field '" ".join(str(x) for x in [(e["car"], e["state"]) for e in E if e["event"] == "car"][0])')"
check "the greeting is said before any turn" "True" "$(field '[e["event"] for e in E if e["event"] in ("say", "turn")][0] == "say"')"
check "the greeting welcomes" "True" "$(field '[e for e in E if e["event"] == "say"][0]["text"].startswith("Welcome to Burger Barn")')"
sim_wait '^sent loop 1 at ' 1 5
t_sent=$(sed -n 's/^sent loop 1 at //p' "$SO" | head -1)
check "the firmware sent the arrival once" "1" "$(simcount '^sent loop 1 at ')"
post_ms=$(python3 -c "print(round(($t_sent - $t_arrive) * 1000))")
greet_ms=$(field '[e for e in E if e["event"] == "say"][0]["ms"]')
say_delay=$(field "round(([e for e in E if e['event'] == 'say'][0]['t'] - $t_arrive) * 1000)")
sleep "$(python3 -c "print(($greet_ms + 900) / 1000)")"

# ---- an order, spoken ----
says=$(count say)
paplay "$T/order.wav"
wait_for turn 1 40
wait_for say $((says + 1)) 10
check "the order is heard into car 1" "1 Cheeseburger 2 Coke 1" \
  "$(field '(lambda o: " ".join([str(o["car"])] + [str(x) for l in o["order"]["lines"] for x in (l["item"], l["qty"])]))([e for e in E if e["event"] == "order"][-1])')"

# ---- the crew's talk button while the kiosk reads the order back ----
sleep 0.5
sim talk down
sim_wait '^pin talk 0 at ' 1 5
t_talk=$(sed -n 's/^pin talk 0 at //p' "$SO" | head -1)
readback_end=$(field "(lambda s: s['t'] + s['ms'] / 1000)([e for e in E if e['event'] == 'say'][-1])")
wait_until 'any(e["event"] == "override" and e.get("kind") == "talk" and e.get("down") is True for e in E)' 5
check "talk down is the crew's override, by the button" "talk True button" \
  "$(field '" ".join(str(x) for x in [(e["kind"], e["down"], e.get("by")) for e in E if e["event"] == "override"][0])')"
sim_wait '^lamp crew_talking' 1 5
check "the post's lamp says crew talking" "lamp crew_talking" "$(grep '^lamp' "$SO" | tail -1)"
sleep 1.5
sim talk up
wait_until 'sum(e["event"] == "override" for e in E) >= 2' 5
check "talk up releases" "talk False button" \
  "$(field '" ".join(str(x) for x in [(e["kind"], e["down"], e.get("by")) for e in E if e["event"] == "override"][1])')"

# ---- the help button pages the crew ----
sim help
wait_for page 1 10
check "the help button pages human_request for car 1" "1 human_request" \
  "$(field '" ".join(str(x) for x in [(e.get("car"), e["reason"]) for e in E if e["event"] == "page"][0])')"
sim_wait '^lamp crew_coming' 1 5
check "the post's lamp says crew coming" "lamp crew_coming" "$(grep '^lamp' "$SO" | tail -1)"

# ---- the car leaves the loop ----
sim leave
wait_until 'any(e["event"] == "car" and e["state"] == "left" for e in E)' 10
check "the loop ends car 1" "1 left gone" \
  "$(field '" ".join(str(x) for x in [(e["car"], e["state"], e.get("why")) for e in E if e["event"] == "car"][1])')"

sim_wait '^lamp listening' 2 5
check "the car gone, the post's lamp says listening" "lamp listening" "$(grep '^lamp' "$SO" | tail -1)"

# ---- frame faults: each rejected and counted by its receiver ----
# The kiosk's counters: its latest post event with "errors" (its receiver) and
# "post_errors" (the firmware's, from its heartbeats).  The firmware's own: a
# fresh heartbeat's, from simpost's status.
kiosk_err() { field "([e for e in E if e['event'] == 'post' and 'errors' in e] or [{'errors': {}}])[-1]['errors'].get('$1', 0)"; }
fw_err() {
  local n; n=$(simcount '^post counters ')
  sim status
  sim_wait '^post counters ' $((n + 1)) 5
  grep '^post counters ' "$SO" | tail -1 | tr ' ' '\n' | sed -n "s/^$1=//p"
}
deliveries() { field 'sum(e["event"] in ("car", "page", "override", "turn") for e in E)'; }
lamps() { simcount '^lamp '; }
delivered=$(deliveries)
nlamps=$(lamps)
# fault kiosk-counter firmware-counter
for f in "corrupt crc" "truncate truncated" "replay duplicate" "out-of-order out_of_order" "oversize oversize"; do
  set -- $f
  before=$(kiosk_err "$2")
  sim "$1"
  sim_wait "^inject $1 toward the kiosk" 1 5
  wait_until "([e for e in E if e['event'] == 'post' and 'errors' in e] or [{'errors': {}}])[-1]['errors'].get('$2', 0) > $before" 4
  check "$1 toward the kiosk: its $2 count" "$((before + 1))" "$(kiosk_err "$2")"
done
before=$(field "sum(([e for e in E if e['event'] == 'post' and 'errors' in e] or [{'errors': {}}])[-1]['errors'].get(k, 0) for k in ('crc', 'truncated', 'oversize'))")
sim garbage 40
sleep 2
after=$(field "sum(([e for e in E if e['event'] == 'post' and 'errors' in e] or [{'errors': {}}])[-1]['errors'].get(k, 0) for k in ('crc', 'truncated', 'oversize'))")
check "garbage toward the kiosk is rejected, counted" "True" "$([ "$after" -gt "$before" ] && echo True || echo "False ($before then $after)")"

for f in "corrupt crc" "truncate truncated" "replay duplicate" "out-of-order out_of_order" "oversize oversize"; do
  set -- $f
  before=$(fw_err "$2")
  sim "to-post $1"
  sim_wait "^inject $1 toward the post" 1 5
  sleep 0.3
  check "$1 toward the post: the firmware's $2 count" "$((before + 1))" "$(fw_err "$2")"
done
before=$(( $(fw_err crc) + $(fw_err truncated) + $(fw_err oversize) ))
sim to-post garbage 40
sleep 0.3
after=$(( $(fw_err crc) + $(fw_err truncated) + $(fw_err oversize) ))
check "garbage toward the post is rejected, counted" "True" "$([ "$after" -gt "$before" ] && echo True || echo "False ($before then $after)")"
check "the kiosk hears the firmware's counts (post_errors)" "True" \
  "$(field "([e for e in E if e['event'] == 'post' and 'post_errors' in e])[-1]['post_errors'].get('crc', 0) >= 1")"

check "after the faults the link is still up" "up" "$(field '[e["link"] for e in E if e["event"] == "post" and "link" in e][-1]')"
check "no event delivered twice (nor made up) by the faults" "$delivered" "$(deliveries)"
check "the post's lamp did not move for a fault" "$nlamps" "$(lamps)"
kiosk_counts=$(field "([e for e in E if e['event'] == 'post' and 'errors' in e])[-1]['errors']")
sim status
sim_wait '^post counters ' $(( $(simcount '^post counters ') + 1 )) 5
fw_counts=$(grep '^post counters ' "$SO" | tail -1)

# ---- the cable pulled for longer than the link's 3 s ----
pages=$(count page)
sim unplug
wait_for page $((pages + 1)) 8
check "the link lost pages device_fault" "device_fault" "$(field '[e for e in E if e["event"] == "page"][-1]["reason"]')"
check "the kiosk says the link is down" "down" "$(field '[e["link"] for e in E if e["event"] == "post" and "link" in e][-1]')"
sim_wait '^lamp fault' 1 6
check "the post's lamp shows the fault" "lamp fault" "$(grep '^lamp' "$SO" | tail -1)"
sim plug
wait_until '[e["link"] for e in E if e["event"] == "post" and "link" in e][-1] == "up"' 8
check "plugged again, the link comes up" "up" "$(field '[e["link"] for e in E if e["event"] == "post" and "link" in e][-1]')"

# ---- the figure: the loop's pin to the greeting's first sound ----
t_stop=$(python3 -c 'import time; print(time.time())')
kill "$RPID"; wait "$RPID" 2>/dev/null; RPID=
read -r onset before_talk hushed hush_ms < <(python3 - "$T/drive.raw" "$t_stop" "$t_arrive" "$t_talk" "$readback_end" <<'PY'
import array, sys
a = array.array("h", open(sys.argv[1], "rb").read())
t_stop, t_arrive, t_talk, t_end = map(float, sys.argv[2:6])
# The null sink's monitor runs on its clock without gaps, so its first sample
# is (stop time - length): anchored at the end, parec's start-up delay is out.
t0 = t_stop - len(a) / 16000
W = 160   # 10 ms windows
def rms(i): return (sum(x * x for x in a[i:i + W]) / W) ** 0.5
def at(t): return max(0, int((t - t0) * 16000))
LOUD = 328   # -40 dBFS
i = at(t_arrive)
while i + W <= len(a) and rms(i) <= LOUD: i += W
onset = round((t0 + i / 16000 - t_arrive) * 1000) if i + W <= len(a) else "none"
# the read-back was sounding just before the button; from 300 ms after it
# (debounce, the frame, the kiosk's hush and its audio buffer) until the
# read-back would have ended (at most 1.5 s), the loudspeaker is quiet
before = max(rms(j) for j in range(at(t_talk - 0.3), at(t_talk), W))
hush = [rms(j) for j in range(at(t_talk + 0.3), at(min(t_end, t_talk + 1.5)), W)]
# and how soon: from the button, the last loud window before that quiet stretch
end = at(min(t_end, t_talk + 1.5))
loud = [j for j in range(at(t_talk), end, W) if rms(j) > LOUD]
hush_ms = round((t0 + (loud[-1] + W) / 16000 - t_talk) * 1000) if loud else 0
print(onset, round(before), round(max(hush)) if hush else "none", hush_ms)
PY
)
check "the greeting is heard on the drive sink" "True" "$([[ "$onset" =~ ^[0-9]+$ ]] && echo True || echo "$onset")"
check "the read-back sounded when the talk button went down" "True" "$([ "$before_talk" -gt 328 ] && echo True || echo "False (RMS $before_talk)")"
check "the talk button hushed the loudspeaker (RMS under 328 from 300 ms on)" "True" \
  "$([[ "$hushed" =~ ^[0-9]+$ ]] && [ "$hushed" -le 328 ] && echo True || echo "False (RMS $hushed)")"

kill -TERM "$KPID"; wait "$KPID"; check "SIGTERM stops the kiosk cleanly" 0 $?
KPID=
sim quit
wait "$SPID"; check "simpost quits cleanly" 0 $?
SPID=

# POST_KEEP=DIR keeps the recording, the events and simpost's lines to look at
[ -n "${POST_KEEP:-}" ] && mkdir -p "$POST_KEEP" && cp "$T/drive.raw" "$EV" "$SO" "$T/err" "$POST_KEEP/"
if [ "$fails" -ne 0 ]; then
  echo "--- kiosk stderr"; cat "$T/err"; echo "--- simpost"; cat "$SO" "$T/sim.err"; echo "--- events"; cat "$EV"
fi
echo "post: loop arrival to the greeting's first sound: $onset ms (the post's event frame at $post_ms ms: its arrival debounce is 500 ms; the say event at $say_delay ms)"
echo "post: the talk button to the loudspeaker's last sound: $hush_ms ms (the button's debounce is 30 ms of it; 0: it fell between two sentences)"
echo "post: frame errors, the kiosk's receiver: $kiosk_counts"
echo "post: frame errors, the firmware's receiver: ${fw_counts#post counters }"
echo "post: $pass passed, $fails failed"
[ "$fails" -eq 0 ]
