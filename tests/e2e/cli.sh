#!/usr/bin/env bash
# End-to-end checks of the kiosk command as a manager, a till or a checker uses
# it: exit statuses and the exact error lines for bad input, and the spec's
# replay JSON for a spoken order.
set -uo pipefail
K=${KIOSK:-build/kiosk}
KS=${KIOSK_SAN:-$K}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
. "$(dirname "$0")/../check.sh"

# ---- make run: live with a microphone, else the demo (tests/has_mic.awk) ----
mic() { printf '%b' "$1" | awk -f "$(dirname "$0")/../has_mic.awk"; }
mic 'index in   out  rate    name\n(no audio devices: the kiosk cannot listen; try `make demo`)\n'
check "no devices: no microphone (the demo runs)" 1 $?
mic 'index in   out  rate    name\n0     0    2    48000   hdmi  (default output)\n'
check "a loudspeaker alone: no microphone" 1 $?
mic 'index in   out  rate    name\n0     0    2    48000   hdmi\n1     2    2    44100   pulse  (default input)\n'
check "a device with input channels: a microphone" 0 $?
out=$("$K" devices 2>/dev/null | awk -f "$(dirname "$0")/../has_mic.awk"; echo "rc=$?")
if ! "$K" devices 2>/dev/null | grep -q '^[0-9]'; then
  contains "this machine's empty device list: no microphone" "rc=1" "$out"
fi

# ---- kiosk and kiosk menu ----
out=$("$K" 2>&1); check "no command exits 2" 2 $?
contains "no command prints usage" "usage: kiosk COMMAND" "$out"
out=$("$K" frobnicate 2>&1); check "unknown command exits 2" 2 $?
contains "unknown command named" 'unknown command "frobnicate"' "$out"

# ---- the newcomer's path: every command's usage on --help and -h, --version ----
# (stdout only, exit 0; also with other arguments before it, e.g. a file name)
for args in "" "replay" "replay t1.wav" "replay --json" "menu" "menu check" "menu check menus/burger.yaml" \
            "menu grammar" "run" "run --headless" "devices" "crew" "crew --json" "report" "export" \
            "export --db x.db" "help"; do
  for h in --help -h; do
    [ "$args" = help ] && [ "$h" = -h ] && continue
    out=$("$K" $args $h 2>"$T/err"); check "kiosk $args $h exits 0" 0 $?
    first=${args%% *}; [ "$first" = help ] && first=COMMAND
    check "kiosk $args $h: usage on stdout" "usage: kiosk ${first:-COMMAND}" "$(printf '%s\n' "$out" | head -1 | cut -d' ' -f1-3)"
    check "kiosk $args $h: nothing on stderr" "" "$(cat "$T/err")"
  done
done
out=$("$K" help menu 2>&1); check "kiosk help menu exits 0" 0 $?
contains "kiosk help menu is menu's usage" "usage: kiosk menu check" "$out"
out=$("$K" menu check --help menus/burger.yaml 2>&1); check "menu check --help does not check" 0 $?
check "menu check --help: no ok line" "" "$(printf '%s\n' "$out" | grep '^ok:')"
# each command's usage gives every option the README gives for it
for cmd in replay run crew export report; do
  usage=$("$K" $cmd --help)
  for o in $(grep -o "kiosk $cmd \[[^\`]*" README.md | grep -o -- '--[a-z][a-z-]*' | sort -u); do
    contains "kiosk $cmd --help lists $o (README)" "$o" "$usage"
  done
done
# and every option the README names anywhere is in some command's usage
# (--kiosk, --noise, --baseline: tests/speech's scripts' own options)
usages=$(for c in replay menu run devices crew report export post-sim; do "$K" $c --help; done; "$K" --help)
for o in $(grep -o -- '--[a-z][a-z-]*' README.md | sort -u | grep -vx -- '--kiosk\|--noise\|--baseline'); do
  contains "the README's $o is in a usage" "$o" "$usages"
done
out=$("$K" --version 2>&1); check "--version exits 0" 0 $?
check "--version prints the version" "kiosk $(cat "$(dirname "$0")/../../VERSION")" "$(printf '%s' "$out" | cut -d' ' -f1-2)"
check "version prints the same" "$out" "$("$K" version 2>&1)"
# (kiosk report itself: tests/e2e/report.sh)
out=$("$K" report --db "$T/none.db" 2>&1); check "report of no database exits 2" 2 $?
contains "report of no database says so" "kiosk report: $T/none.db: no such database" "$out"

out=$("$K" menu check menus/burger.yaml menus/coffee.yaml 2>&1); check "sample menus pass" 0 $?
contains "burger ok line" "ok: menus/burger.yaml (" "$out"
contains "coffee ok line" "ok: menus/coffee.yaml (" "$out"

printf 'menu: Test\nitems:\n  - name: Fries\n    say: [fries]\n    prise: 1.00\n' > "$T/typo.yaml"
out=$("$K" menu check "$T/typo.yaml" 2>&1); check "typo menu exits 2" 2 $?
contains "typo names file:line:col and key" "$T/typo.yaml:5:5: " "$out"
contains "typo names the key" '"prise"' "$out"

printf 'menu: Test\nsizes:\n  small: [small]\nitems:\n  - name: Fries\n    say: [fries]\n    sizes: {small: 1.00, jumbo: 2.00}\n' > "$T/size.yaml"
out=$("$K" menu check "$T/size.yaml" 2>&1); check "bad size exits 2" 2 $?
contains "bad size message" "item \"Fries\": size \"jumbo\" is not in the menu's sizes (small)" "$out"

printf 'menu: Test\nitems:\n  - name: McFlurry\n    say: [mcflurry]\n    price: 2.00\n' > "$T/word.yaml"
out=$("$K" menu check "$T/word.yaml" 2>&1); check "unknown word exits 2" 2 $?
contains "unknown word message" "$T/word.yaml:4:11: word \"mcflurry\" has no pronunciation; add it under pronunciations:" "$out"
printf 'pronunciations:\n  mcflurry: M AH K F L ER IY\n' >> "$T/word.yaml"
out=$("$K" menu check "$T/word.yaml" 2>&1); check "pronunciation fixes it" 0 $?

printf 'menu: Test\nitems:\n  - name: Pie\n    price: 1.00\n    available: false\n  - name: Pie Meal\n    price: 3.00\n    includes: [Pie]\n' > "$T/soldout.yaml"
out=$("$K" menu check "$T/soldout.yaml" 2>&1); check "a sold-out part only warns" 0 $?
contains "sold-out part warning" "$T/soldout.yaml:6:5: warning: item \"Pie Meal\": its part \"Pie\" is sold out" "$out"
contains "warned menu is ok" "ok: $T/soldout.yaml (" "$out"
# kiosk run says it at start too (here without a sound system, so it stops after)
out=$(XDG_RUNTIME_DIR=$T/none PULSE_RUNTIME_PATH=$T/none "$K" run --menu "$T/soldout.yaml" --headless --db "$T/x.db" 2>&1)
contains "kiosk run warns of the sold-out part at start" "kiosk run: $T/soldout.yaml:6:5: warning: item \"Pie Meal\": its part \"Pie\" is sold out" "$out"

out=$("$K" menu check "$T/nothere.yaml" 2>&1); check "missing menu exits 2" 2 $?
contains "missing menu named" "$T/nothere.yaml: cannot read" "$out"

# ---- bounded input (issue 18): one line naming the file and the limit, never a hang ----
lim="a menu must be a regular file of at most 1 MB (1048576 bytes)"
out=$(timeout 10 "$K" menu check /dev/zero 2>&1); check "/dev/zero as a menu exits 2" 2 $?
check "/dev/zero refused in one line" "/dev/zero: not a regular file (a character device); $lim" "$out"
mkfifo "$T/menu.fifo" "$T/turn.fifo"
out=$(timeout 10 "$K" menu check "$T/menu.fifo" 2>&1); check "a FIFO as a menu exits 2, no hang" 2 $?
check "a FIFO menu refused in one line" "$T/menu.fifo: not a regular file (a FIFO); $lim" "$out"
out=$(timeout 10 "$K" menu check menus 2>&1); check "a directory as a menu exits 2" 2 $?
check "a directory menu refused in one line" "menus: not a regular file (a directory); $lim" "$out"
python3 -c 'import sys; open(sys.argv[1], "w").write("menu: T\nitems:\n  - name: Fries\n    price: 1\n" + "#" * 1048576 + "\n")' "$T/big.yaml"
out=$(timeout 10 "$K" menu check "$T/big.yaml" 2>&1); check "a menu over 1 MB exits 2" 2 $?
check "a menu over 1 MB refused in one line" "$T/big.yaml: too big (1048621 bytes); $lim" "$out"
out=$(timeout 20 "$K" replay --menu "$T/menu.fifo" "$T/typo.yaml" 2>&1); check "replay with a FIFO menu exits 2" 2 $?
contains "replay says why" "$T/menu.fifo: not a regular file (a FIFO); $lim" "$out"
out=$(XDG_RUNTIME_DIR=$T/none PULSE_RUNTIME_PATH=$T/none timeout 20 "$K" run --menu "$T/menu.fifo" --headless --db "$T/y.db" 2>&1)
check "run with a FIFO menu exits 2" 2 $?
contains "run says why" "$T/menu.fifo: not a regular file (a FIFO); $lim" "$out"
out=$(timeout 20 "$K" replay --menu menus/burger.yaml "$T/turn.fifo" 2>&1); check "replay of a FIFO exits 2, no hang" 2 $?
contains "a FIFO turn refused" "$T/turn.fifo: not a regular file (a FIFO); give a WAV file" "$out"
# at most 20 problem lines, then the count of the rest: 100 items whose say:
# is one aliased list of 100 phrases clash 9900 times
python3 - "$T/alias.yaml" <<'PY'
import sys
w = ", ".join(f"w{chr(97 + k // 26)}{chr(97 + k % 26)}" for k in range(100))
open(sys.argv[1], "w").write("menu: T\nitems:\n  - name: I0\n    price: 1\n    say: &s [" + w + "]\n"
                             + "".join(f"  - {{name: I{i}, price: 1, say: *s}}\n" for i in range(1, 100)))
PY
out=$(timeout 20 "$K" menu check "$T/alias.yaml" 2>&1); check "aliased clashes exit 2" 2 $?
check "aliased clashes: 21 lines" 21 "$(printf '%s\n' "$out" | wc -l)"
check "aliased clashes: the first" "$T/alias.yaml:5:14: item \"I1\": phrase \"waa\" also names item \"I0\" (line 5); each phrase may name only one item" "$(printf '%s\n' "$out" | head -1)"
check "aliased clashes: the count" "$T/alias.yaml: … and 9880 more problems, not listed; fix the ones above first" "$(printf '%s\n' "$out" | tail -1)"
python3 -c 'import sys; open(sys.argv[1], "w").write("menu: T\nitems:\n  - name: Fries\n    price: 1\n    say: [" + "a" * 1000000 + "]\n")' "$T/longword.yaml"
out=$(timeout 20 "$K" menu check "$T/longword.yaml" 2>&1); check "a word of a million letters exits 2" 2 $?
check "a long word refused in one line" "$T/longword.yaml:5:11: item \"Fries\": phrase \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa…\" has a word of 1000000 characters; a word may have at most 64" "$out"
out=$("$K" menu grammar menus/burger.yaml 2>&1); check "grammar prints" 0 $?
contains "grammar is JSGF" "#JSGF V1.0;" "$out"
contains "grammar has items" "cheeseburgers" "$out"

# ---- kiosk replay: bad input ----
out=$("$K" replay 2>&1); check "replay without files exits 2" 2 $?
contains "replay asks for files" "give at least one TURN.wav" "$out"
out=$("$K" replay --frob x.wav 2>&1); check "replay bad option exits 2" 2 $?
echo "this is not audio" > "$T/text.wav"
out=$("$K" replay "$T/text.wav" 2>&1); check "text as wav exits 2" 2 $?
contains "text as wav named" "$T/text.wav" "$out"
: > "$T/empty.wav"
out=$("$K" replay "$T/empty.wav" 2>&1); check "empty wav exits 2" 2 $?
contains "empty wav named" "$T/empty.wav" "$out"
out=$("$K" replay "$T/missing.wav" 2>&1); check "missing wav exits 2" 2 $?
contains "missing wav named" "$T/missing.wav" "$out"
out=$("$K" replay --menu "$T/typo.yaml" "$T/text.wav" 2>&1); check "replay with broken menu exits 2" 2 $?
contains "replay shows menu error" "$T/typo.yaml:5:5: " "$out"

# ---- kiosk replay: a spoken order, the spec's example ----
espeak-ng -v en-us -s 150 -w "$T/t1.wav" "two cheeseburgers no onions and a large coke"
head -c 30000 "$T/t1.wav" > "$T/truncated.wav"   # header says more data than there is
out=$("$KS" replay --menu menus/burger.yaml --json "$T/t1.wav" 2>"$T/err"); check "replay exits 0" 0 $?
order=$(printf '%s' "$out" | python3 -c 'import json,sys; o=json.load(sys.stdin); print(json.dumps(o["order"]))')
check "spec example order" '{"status": "open", "lines": [{"item": "Cheeseburger", "qty": 2, "size": null, "options": [{"name": "onions", "amount": "no"}], "choices": {}, "unit_cents": 349, "cents": 698}, {"item": "Coke", "qty": 1, "size": "large", "options": [], "choices": {}, "unit_cents": 209, "cents": 209}], "subtotal_cents": 907, "tax_cents": 75, "total_cents": 982}' "$order"
keys=$(printf '%s' "$out" | python3 -c 'import json,sys; o=json.load(sys.stdin); print(list(o), list(o["turns"][0]), o["pages"])')
check "replay json keys" "['menu', 'turns', 'order', 'pages'] ['file', 'audio_ms', 'decode_ms', 'heard', 'free_text', 'confidence', 'said', 'page'] []" "$keys"
said=$(printf '%s' "$out" | python3 -c 'import json,sys; o=json.load(sys.stdin); t=o["turns"][0]; print(t["said"], "|", t["page"], "|", 0 <= t["confidence"] <= 1, "|", "coke" in t["heard"])')
check "said, page, confidence" "Two cheeseburgers, no onions, and a large Coke. Anything else? | None | True | True" "$said"

# --each keeps going past a bad file, one line per file.
out=$("$K" replay --menu menus/burger.yaml --json --each "$T/t1.wav" "$T/text.wav" "$T/truncated.wav" 2>"$T/err"); check "each with a bad file exits 2" 2 $?
check "each prints one line per file" 3 "$(printf '%s\n' "$out" | wc -l)"
contains "each reports the bad file" "$T/text.wav" "$(cat "$T/err")"

# --db records the car.
"$K" replay --menu menus/burger.yaml --db "$T/db/kiosk.db" "$T/t1.wav" > "$T/transcript"; check "replay --db exits 0" 0 $?
contains "transcript shows the order" "two cheeseburgers" "$(cat "$T/transcript")"
rows=$(python3 -c 'import sqlite3,sys; d=sqlite3.connect(sys.argv[1]); print(d.execute("select count(*), status, total_cents from cars").fetchone(), d.execute("select count(*), said from turns").fetchone())' "$T/db/kiosk.db")
check "db rows" "(1, 'open', 982) (1, 'Two cheeseburgers, no onions, and a large Coke. Anything else?')" "$rows"
check "a new database is private (mode 600)" "600" "$(stat -c %a "$T/db/kiosk.db")"

# ---- confidence and paging (issue 3) ----
out=$("$K" replay --threshold abc "$T/t1.wav" 2>&1); check "threshold not a number exits 2" 2 $?
contains "threshold message" "--threshold abc: give a number from 0 to 1" "$out"
out=$("$K" replay --threshold 1.5 "$T/t1.wav" 2>&1); check "threshold above 1 exits 2" 2 $?
out=$("$K" replay --features "$T/no/such/dir/f.jsonl" "$T/t1.wav" 2>&1); check "unwritable features exits 2" 2 $?
contains "features message" "--features $T/no/such/dir/f.jsonl: cannot open it for writing" "$out"
# a threshold nothing reaches pages low_confidence and adds nothing; 0 never pages
out=$("$K" replay --menu menus/burger.yaml --json --threshold 1 "$T/t1.wav" 2>&1)
got=$(printf '%s' "$out" | python3 -c 'import json,sys; o=json.load(sys.stdin); print(o["order"]["status"], len(o["order"]["lines"]), [p["reason"] for p in o["pages"]], o["turns"][0]["said"])')
check "threshold 1 pages" "crew 0 ['low_confidence'] A team member will be right with you." "$got"
out=$("$K" replay --menu menus/burger.yaml --json --threshold 0 --features "$T/f.jsonl" "$T/t1.wav" "$T/t1.wav" 2>&1)
got=$(printf '%s' "$out" | python3 -c 'import json,sys; o=json.load(sys.stdin); print(o["order"]["status"], len(o["order"]["lines"]), o["pages"])')
check "threshold 0 never pages" "open 4 []" "$got"
got=$(python3 -c '
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
want = ["mean", "worst", "coverage", "loop_agree", "free_agree", "snr", "clipped", "seconds", "loop_margin", "loop_worst", "word_peak"]
print(len(rows), list(rows[0]), list(rows[0]["features"]) == want, rows[0]["file"] == sys.argv[2],
      all(0 <= r["confidence"] <= 1 for r in rows))' "$T/f.jsonl" "$T/t1.wav")
check "features lines" "2 ['file', 'heard', 'free_text', 'loop_text', 'confidence', 'features'] True True True" "$got"
# a request for a person the grammar cannot parse, found in the free pass
espeak-ng -v en-us -s 150 -w "$T/person.wav" "i need to speak to somebody about my order"
out=$("$K" replay --menu menus/burger.yaml --json "$T/t1.wav" "$T/person.wav" 2>&1)
got=$(printf '%s' "$out" | python3 -c 'import json,sys; o=json.load(sys.stdin); p=o["pages"]; print(o["order"]["status"], len(o["order"]["lines"]), [(x["turn"], x["reason"]) for x in p], "somebody" in p[0]["free_text"], o["turns"][1]["heard"])')
check "person in free text pages" "crew 2 [(2, 'human_request')] True " "$got"
# a cough and an idling engine: nothing added
sox -R -n -r 16000 -c 1 -b 16 "$T/cough.wav" synth 0.3 pinknoise bandpass 1200 1.5k fade q 0.01 0.3 0.25 gain -n -8 pad 0.3 0.3
sox -R -n -r 16000 -c 1 -b 16 "$T/engine.wav" synth 3 brownnoise lowpass 200 tremolo 27 60 gain -n -20
out=$("$K" replay --menu menus/burger.yaml --json --each "$T/cough.wav" "$T/engine.wav" 2>&1)
got=$(printf '%s\n' "$out" | python3 -c 'import json,sys; print([len(json.loads(l)["order"]["lines"]) for l in sys.stdin])')
check "noise adds no line" "[0, 0]" "$got"

# ---- noise suppression and gain control (issue 4) ----
out=$("$KS" replay --menu menus/burger.yaml --json --each --denoise "$T/t1.wav" "$T/engine.wav" 2>"$T/err"); check "replay --denoise exits 0" 0 $?
got=$(printf '%s\n' "$out" | python3 -c 'import json,sys; o=[json.loads(l) for l in sys.stdin]; print(len(o), list(o[0]), len(o[1]["order"]["lines"]))')
check "replay --denoise prints the JSON" "2 ['menu', 'turns', 'order', 'pages'] 0" "$got"

echo "cli: $pass passed, $fails failed"
[ "$fails" -eq 0 ]
