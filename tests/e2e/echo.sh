#!/usr/bin/env bash
# Full duplex through the echo rig (issue 19): the kiosk's loudspeaker comes
# back into its microphone through a delay, a room and the lane's noise
# (tests/rig/rig.c between two PulseAudio null sinks), and customers wait,
# talk over its greeting and read-back, and pause mid-sentence.  The first 4
# of the rig's 30 conversations (tests/rig/run.sh; `make bench` runs all 30
# and prints the timings), then `kiosk run --echo-check` with nobody there.
# Asserted: no turn made of the kiosk's own voice, at most one customer turn
# lost of the ~15 (the bench's target is 0 in 30 conversations; a shared
# machine's hiccup is allowed one here), some prompt cut short by a customer,
# and the echo check's verdict.  Timings are printed, not asserted.
set -uo pipefail
K=${KIOSK:-build/kiosk}
T=$(mktemp -d)
trap '[ "${KEEP:-}" ] || rm -rf "$T"' EXIT
. "$(dirname "$0")/../check.sh"

out=$("$K" run --echo-check 0 2>&1); check "--echo-check 0 exits 2" 2 $?
contains "--echo-check 0 explained" "--echo-check 0: give a number from 1 to 86400" "$out"
out=$("$K" run --echo-check 5 --output none 2>&1); check "--echo-check without a loudspeaker exits 2" 2 $?
contains "--echo-check without a loudspeaker explained" "--echo-check needs the loudspeaker: drop --output none" "$out"

RIG=${RIG:-build/rig}
[ -x "$RIG" ] || { echo "FAIL echo: $RIG missing (make build/rig)"; exit 1; }
KIOSK=$K RIG=$RIG OUT=$T/conv bash tests/rig/run.sh 4 > "$T/run.log" 2>&1
check "the rig ran" 0 $?
S=$T/conv/score.json
sc() { python3 -c "import json; s=json.load(open('$S'))['summary']; print($1)"; }
check "4 conversations scored" 4 "$(sc 's["conversations"]')"
check "no turn made of the kiosk's own voice" "[]" "$(sc 's["self_turns"]')"
check "at most one customer turn lost" "True" "$(sc 'len(s["lost"]) <= 1')"
check "a prompt was cut short by a customer talking over it" "True" \
  "$(cat "$T"/conv/c0*/events.jsonl | grep -c '"event": "barge_in"' | awk '{print ($1 >= 1) ? "True" : "False"}')"
contains "the stop line gives the canceller's figures" "echo canceller: " "$(cat "$T"/conv/c01/kiosk.err)"
# answers said ahead of the turn's end: most turns of customers who wait have one
check "answers were said ahead of their turns' end (ahead_ms in say events)" "True" \
  "$(cat "$T"/conv/c0*/events.jsonl | grep -c '"ahead_ms"' | awk '{print ($1 >= 4) ? "True" : "False"}')"
contains "the stop line counts them" "answers said ahead of the turn's end" "$(cat "$T"/conv/c01/kiosk.err)"
# every answer said ahead and stopped is an event for the crew, as many as the stop lines count
taken_events=$(cat "$T"/conv/c0*/events.jsonl | grep -c '"event": "taken_back"')
taken_lines=$(cat "$T"/conv/c0*/kiosk.err | sed -n 's/.*answers said ahead of the turn.s end, \([0-9]*\) of them taken back.*/\1/p' |
  awk '{n += $1} END {print n + 0}')
check "taken_back events as many as the stop lines count ($taken_lines)" "$taken_lines" "$taken_events"
contains "the kiosk found its own voice at start" "its own voice comes back" "$(cat "$T"/conv/c01/kiosk.err)"
grep -E "^heard|^turns made|^answer latency|^barge-in|^cut off" "$T/conv/score.txt" | sed 's/^/  echo: /'

KIOSK=$K RIG=$RIG OUT=$T/alone bash tests/rig/run.sh --echo 0.5 > "$T/alone.log" 2>&1
check "the echo check ran" 0 $?
done_line=$(grep '"echo_check_done"' "$T"/alone/echo/events.jsonl)
check "30 s of the kiosk talking to nobody: no turn heard" 0 \
  "$(python3 -c "import json,sys; print(json.loads(sys.argv[1])['turns'])" "$done_line")"
check "it said several prompts" "True" \
  "$(python3 -c "import json,sys; print(json.loads(sys.argv[1])['prompts'] >= 4)" "$done_line")"
check "its echo was measured and cancelled by 10 dB or more" "True" \
  "$(python3 -c "import json,sys; e=json.loads(sys.argv[1])['erle_db']; print(e is not None and e >= 10)" "$done_line")"
contains "the verdict for a person" "echo check: 30 s of the kiosk's voice" "$(cat "$T"/alone/echo/kiosk.err)"
echo "  echo: $(grep 'echo check:' "$T"/alone/echo/kiosk.err | sed 's/^kiosk run: //')"

if [ "$fails" -ne 0 ]; then echo "--- run.log"; tail -30 "$T/run.log"; fi
echo "echo: $pass passed, $fails failed"
[ "$fails" -eq 0 ]
