#!/usr/bin/env bash
# End-to-end checks of the kiosk command as a manager, a till or a checker uses
# it: exit statuses and the exact error lines for bad input, and the spec's
# replay JSON for a spoken order.
set -uo pipefail
K=${KIOSK:-build/kiosk}
KS=${KIOSK_SAN:-$K}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
pass=0
check() { # name, expected, actual
  if [ "$2" == "$3" ]; then pass=$((pass + 1)); else
    fails=$((fails + 1)); printf 'FAIL %s\n  expected: %s\n  actual:   %s\n' "$1" "$2" "$3"; fi
}
contains() { # name, needle, haystack
  if [[ "$3" == *"$2"* ]]; then pass=$((pass + 1)); else
    fails=$((fails + 1)); printf 'FAIL %s\n  expected to contain: %s\n  actual: %s\n' "$1" "$2" "$3"; fi
}

# ---- kiosk and kiosk menu ----
out=$("$K" 2>&1); check "no command exits 2" 2 $?
contains "no command prints usage" "usage: kiosk COMMAND" "$out"
out=$("$K" frobnicate 2>&1); check "unknown command exits 2" 2 $?
contains "unknown command named" 'unknown command "frobnicate"' "$out"
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

out=$("$K" menu check "$T/nothere.yaml" 2>&1); check "missing menu exits 2" 2 $?
contains "missing menu named" "$T/nothere.yaml: cannot read" "$out"
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

echo "cli: $pass passed, $fails failed"
[ "$fails" -eq 0 ]
