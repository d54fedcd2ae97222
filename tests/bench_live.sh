#!/usr/bin/env bash
# The live kiosk's figures (issue 4), through a private PulseAudio null sink:
#  - endpoint delay: from the end of the customer's speech to the kiosk's turn
#    event (the order event goes out with it), less the trailing silence that
#    ends a turn; median and 95th percentile over 30 turns.  Measured two ways:
#    outside (paplay's start + where the speech ends in the file) and inside
#    (the kiosk's own endpoint_ms: from its endpoint to the event).
#  - a request for a person: from the end of the customer's speech to the
#    kiosk's page event, less the trailing silence (the turn ends there);
#    10 phrasings, each to a car of its own (the one before has left).
#  - CPU while listening to silence, as a share of one core, full duplex,
#    beside plain PortAudio's (build/pa_idle) in the same run.
# Prints figures; asserts nothing (timings flake on shared machines).
set -euo pipefail
kiosk=${1:-build/kiosk}
dir=build/bench-live
rm -rf "$dir" && mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
. "$(dirname "$0")/pulse.sh"
pa_private "$dir/pa"
trap 'kill $KPID 2>/dev/null || true; pa_stop' EXIT
pa_start
sentences=(
  "can i get two cheeseburgers no onions and a large coke"
  "a number one with a sprite and a small fries"
  "i'd like three chicken sandwiches with bacon"
  "that's all"
  "make it a large"
  "a vanilla shake and a cookie please"
  "two hamburgers with extra pickles and a lemonade"
  "yes"
  "a medium coffee"
  "remove the fries"
)
voices=(en-us en-us+f3 en-us+m3)
n=0
for v in "${voices[@]}"; do
  for s in "${sentences[@]}"; do
    espeak-ng -v "$v" -s 160 -w "$dir/t$n.wav" "$s"; n=$((n + 1))
  done
done

# CPU while listening to silence, as a share of one core: 20 s of the
# kiosk's own CPU time after start-up, full duplex (its loudspeaker on the
# same sink, the echo canceller running), beside build/pa_idle, plain
# PortAudio with the same streams and nothing else, in the same run.
cpu_of() { awk '{print $14 + $15}' "/proc/$1/stat"; }
share() { python3 -c "import os,sys; hz=os.sysconf('SC_CLK_TCK'); c=(float(sys.argv[2])-float(sys.argv[1]))/hz; t=float(sys.argv[4])-float(sys.argv[3]); print(f'{100*c/t:.1f} % of one core ({c:.2f} s CPU in {t:.1f} s)')" "$@"; }
idle_of() {   # PID: its share over 20 s
  local c0 t0 c1 t1
  c0=$(cpu_of "$1"); t0=$(date +%s.%N); sleep 20; c1=$(cpu_of "$1"); t1=$(date +%s.%N)
  share "$c0" "$c1" "$t0" "$t1"
}
"$kiosk" run --headless --events --output pulse --db "$dir/idle.db" --car-gone 3 \
  --crew-socket "$dir/idle.sock" --crew-token "$dir/idle.token" >/dev/null 2>"$dir/idle.err" &
KPID=$!
for _ in $(seq 100); do grep -q "listening" "$dir/idle.err" && break; sleep 0.1; done
sleep 2
echo "idle listening, full duplex: $(idle_of "$KPID")"
kill "$KPID"; wait "$KPID" 2>/dev/null || true
grep -o 'echo canceller: [^,]*' "$dir/idle.err" | sed 's/^/  /' || true
"$(dirname "$kiosk")/pa_idle" 30 2>/dev/null & PPID_=$!
sleep 2
echo "  beside plain PortAudio with the same streams (build/pa_idle): $(idle_of "$PPID_")"
kill "$PPID_" 2>/dev/null; wait "$PPID_" 2>/dev/null || true

timeout -s KILL 600 "$kiosk" run --headless --events --output none --db "$dir/k.db" --car-gone 3 \
  --crew-socket "$dir/crew.sock" --crew-token "$dir/crew.token" >"$dir/events.jsonl" 2>"$dir/err" &
KPID=$!
for _ in $(seq 100); do grep -q "listening" "$dir/err" && break; sleep 0.1; done
sleep 1

# How many events match $1 so far; wait_more PATTERN N TRIES: until more than
# N do (at most TRIES x 50 ms).
events() { grep -c "$1" "$dir/events.jsonl" || true; }
wait_more() { for _ in $(seq "$3"); do [ "$(events "$1")" -gt "$2" ] && return; sleep 0.05; done; }

# Endpoint delay: each turn played, then wait for its event and a quiet gap.
: > "$dir/plays.txt"
for ((i = 0; i < n; i++)); do
  before=$(events '"event": "turn"')
  echo "$i $(date +%s.%N)" >> "$dir/plays.txt"
  paplay "$dir/t$i.wav"
  wait_more '"event": "turn"' "$before" 300
  sleep 0.5
done

# Requests for a person: each to a new car.  A car that paged is the crew's
# and never leaves by silence: a crew station says it drove off.
mapfile -t human < "$(dirname "$0")/human_phrases.txt"   # the ones bench.sh replays
nh=0
for s in "${human[@]}"; do
  espeak-ng -v en-us -s 160 -w "$dir/h$nh.wav" "$s"; nh=$((nh + 1))
done
: > "$dir/hplays.txt"
for ((i = 0; i < nh; i++)); do
  if [ "$(events '"state": "left"')" -lt "$(events '"state": "arrived"')" ]; then
    echo gone | "$kiosk" crew --connect "$dir/crew.sock" --token "$dir/crew.token" >/dev/null 2>&1
  fi
  wait_more '"state": "left"' $(($(events '"state": "arrived"') - 1)) 200   # the car before left
  before=$(events '"event": "page"')
  echo "$i $(date +%s.%N)" >> "$dir/hplays.txt"
  paplay "$dir/h$i.wav"
  wait_more '"event": "page"' "$before" 100
done
kill -TERM $KPID; wait $KPID || true
python3 - "$dir" "$n" "$nh" <<'PY'
import json, sys, wave, array, statistics
d, n, nh = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
def speech_end(path):
    w = wave.open(path); rate = w.getframerate(); a = array.array("h", w.readframes(w.getnframes()))
    last = max((i for i, x in enumerate(a) if abs(x) > 300), default=0)
    return (last + 1) / rate
plays = {int(l.split()[0]): float(l.split()[1]) for l in open(f"{d}/plays.txt")}
turns = [json.loads(l) for l in open(f"{d}/events.jsonl") if '"event": "turn"' in l]
outside, inside = [], []
for i in range(n):
    end = plays[i] + speech_end(f"{d}/t{i}.wav")
    after = [t for t in turns if t["t"] > end]
    if not after: continue
    outside.append((after[0]["t"] - end) * 1000 - 700)
    inside.append(after[0]["endpoint_ms"])
def q(v, p): v = sorted(v); return v[min(len(v) - 1, int(round(p * (len(v) - 1))))]
print(f"endpoint delay beyond the 700 ms trailing silence, {len(outside)} of {n} turns:")
print(f"  speech end to turn event, less 700 ms: median {statistics.median(outside):.0f} ms, 95th percentile {q(outside, .95):.0f} ms, max {max(outside):.0f} ms")
print(f"  kiosk's endpoint to turn event:        median {statistics.median(inside):.0f} ms, 95th percentile {q(inside, .95):.0f} ms, max {max(inside):.0f} ms")
hplays = {int(l.split()[0]): float(l.split()[1]) for l in open(f"{d}/hplays.txt")}
pages = [json.loads(l) for l in open(f"{d}/events.jsonl") if '"event": "page"' in l]
ms, other = [], []
for i in range(nh):
    end = hplays[i] + speech_end(f"{d}/h{i}.wav")
    nxt = hplays.get(i + 1, float("inf"))
    got = [p for p in pages if end - 3 < p["t"] < nxt]
    if not got: continue
    if got[0]["reason"] != "human_request": other.append(got[0]["reason"]); continue
    ms.append((got[0]["t"] - end) * 1000 - 700)
if ms:
    ms.sort()
    print(f"request for a person, live: {len(ms)} of {nh} paged human_request" +
          (f" ({len(other)} paged {', '.join(other)})" if other else "") +
          f"; end of speech to page, less the 700 ms trailing silence: median {statistics.median(ms):.0f} ms, "
          f"max {ms[-1]:.0f} ms (target 300 ms after the turn ends)")
else:
    print(f"request for a person, live: none of {nh} paged human_request")
PY
grep "stopped:" "$dir/err" || true
