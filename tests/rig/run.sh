#!/usr/bin/env bash
# The echo rig (issue 19): the live kiosk with its loudspeaker coming back
# into its microphone, customers who wait, talk over it and pause mid-sentence.
#
#   tests/rig/run.sh [N]        the first N of the 30 conversations (default all)
#   tests/rig/run.sh --echo M   the kiosk talking with nobody there for M minutes
#   make rig                    builds the kiosk and the rig, then all 30
#
# A private PulseAudio (tests/pulse.sh, pa_start_rig): the kiosk plays into
# the null sink kiosk_spk and listens to post_air.monitor; build/rig reads
# kiosk_spk.monitor and writes echo + customer + noise to post_air.  Each
# conversation gets a fresh `kiosk run --headless --events` on a database of
# its own; the rig starts once the kiosk says it is listening.  Then
# tests/rig/score.py scores them all.  Prints figures; asserts nothing (the
# timings are the kiosk's and the machine's: a shared machine shifts them).
#
# Everything goes to $OUT (default build/rig-run): conv/ (the conversations,
# spoken at run time), cNN/ (events.jsonl, kiosk.err, rig.jsonl, speaker.wav,
# mic.wav), score.txt, score.json.
# Environment: KIOSK (build/kiosk), RIG (build/rig), OUT, SEED (19),
# NOISES (engine,wind,traffic: the lane's noises, in turn; e.g. NOISES=engine),
# KIOSK_ARGS (more options for kiosk run, e.g. "--trailing-ms 500").
# The machine's load average is printed at the start and the end: the
# kiosk's decoding, and so its latency, slows down on a busy machine.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
KIOSK=${KIOSK:-build/kiosk}
RIG=${RIG:-build/rig}
OUT=${OUT:-build/rig-run}
SEED=${SEED:-19}
NOISES=${NOISES:-engine,wind,traffic}
read -r -a extra <<< "${KIOSK_ARGS:-}"

# The echo-only mode: kiosk run --echo-check SECONDS: no car, the kiosk says its prompts back to back
# while listening and reports any turn it hears.  0: the old way, one customer
# keeps it talking (an order, "that's all", "no", "that's all", "yes", again:
# conversations.py, echo_plan) and a crew station sends a car that paged away.
ECHO_CHECK=1

n=30 echo_min=
case "${1:-}" in
  --echo) echo_min=${2:?"--echo M: give the minutes"} ;;
  "") ;;
  *) n=$1 ;;
esac
for f in "$KIOSK" "$RIG"; do
  [ -x "$f" ] || { echo "run.sh: $f missing (make build/kiosk build/rig)"; exit 2; }
done
rm -rf "$OUT" && mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
t_start=$(date +%s)
load0=$(cut -d' ' -f1-3 /proc/loadavg)

if [ -n "$echo_min" ]; then
  secs=$(python3 -c "print(int(float('$echo_min') * 60))")
  if [ "$ECHO_CHECK" = 1 ]; then conv_min=0; kargs=(--echo-check "$secs")
  else conv_min=$echo_min; kargs=(); fi
  python3 "$here/conversations.py" --out "$OUT/conv" --echo-minutes "$conv_min"
  limit=$secs
  rig_extra=(--tail-ms $((secs * 1000)))   # to the end of the M minutes, whatever the turns
else
  python3 "$here/conversations.py" --out "$OUT/conv" --seed "$SEED" --n "$n" --noises "$NOISES"
  kargs=() rig_extra=()
  limit=150
fi
mapfile -t ids < <(python3 -c "import json; [print(c['id']) for c in json.load(open('$OUT/conv/conversations.json'))]")

# The rig keeps a 10 ms clock on a shared 2-core machine: real-time
# scheduling when it may have it (a late block is a gap in what the kiosk
# hears; rig.jsonl's "behind" counts them)
rt=
chrt -f 10 true 2>/dev/null && rt="chrt -f 10"

. "$here/../pulse.sh"
pa_private "$OUT/pa"
KPID= RPID=
trap '{ [ -n "$KPID" ] && kill "$KPID"; [ -n "$RPID" ] && kill "$RPID"; } 2>/dev/null; pa_stop' EXIT
pa_start_rig || { echo "run.sh: PulseAudio did not start; see $OUT/pa/pulse.log"; exit 1; }

for id in "${ids[@]}"; do
  d=$OUT/$id
  mkdir -p "$d"
  : > "$d/kiosk.err"
  # the rig first: the lane's noise is there before the kiosk's first frame
  read -r -a rargs < "$OUT/conv/$id/rig.args"
  $rt "$RIG" --go-signal --conv "$OUT/conv/$id/conv.txt" --log "$d/rig.jsonl" --record "$d" --limit-s "$limit" \
    "${rargs[@]}" ${rig_extra[@]+"${rig_extra[@]}"} &
  RPID=$!
  for _ in $(seq 100); do grep -q '"start"' "$d/rig.jsonl" 2>/dev/null && break; sleep 0.05; done
  timeout -s KILL $((limit + 120)) "$KIOSK" run --headless --events --input pulse --output pulse \
    --db "$d/k.db" --keep-audio 0 --crew-socket "$d/crew.sock" --crew-token "$d/crew.token" \
    --for $((limit + 60)) ${kargs[@]+"${kargs[@]}"} ${extra[@]+"${extra[@]}"} >"$d/events.jsonl" 2>"$d/kiosk.err" &
  KPID=$!
  for _ in $(seq 200); do grep -q "listening" "$d/kiosk.err" && break; kill -0 "$KPID" 2>/dev/null || break; sleep 0.1; done
  if ! grep -q "listening" "$d/kiosk.err"; then
    echo "run.sh: $id: the kiosk did not start listening:"; cat "$d/kiosk.err"; exit 1
  fi
  sleep 1   # its noise floor settles
  kill -USR1 "$RPID"
  if [ -n "$echo_min" ] && [ "$ECHO_CHECK" != 1 ]; then
    # a car that paged is the crew's and would stay so: a crew station says it drove off
    ( paged=0
      while kill -0 "$RPID" 2>/dev/null; do
        n=$(grep -c '"event": "page"' "$d/events.jsonl" || true)
        if [ "$n" -gt "$paged" ]; then
          paged=$n
          echo gone | "$KIOSK" crew --connect "$d/crew.sock" --token "$d/crew.token" >/dev/null 2>&1 || true
        fi
        sleep 1
      done ) &
  fi
  wait "$RPID" || { echo "run.sh: $id: the rig failed"; exit 1; }
  RPID=
  kill -TERM "$KPID" 2>/dev/null || true
  wait "$KPID" || true
  KPID=
  python3 "$here/score.py" --brief "$d" "$OUT/conv/conversations.json" || true
done
python3 "$here/score.py" --json "$OUT/score.json" "$OUT" "$OUT/conv/conversations.json" | tee "$OUT/score.txt"
echo "run.sh: ${#ids[@]} conversation(s) in $(( $(date +%s) - t_start )) s; load average $load0 at the start," \
  "$(cut -d' ' -f1-3 /proc/loadavg) at the end ($(nproc) cores); everything in $OUT" | tee -a "$OUT/score.txt"
