# Sourced by the end-to-end scripts (tests/e2e/*.sh): counts what passed and
# prints what failed, with what was expected and what came.
#   check NAME EXPECTED ACTUAL      equal
#   contains NAME NEEDLE HAYSTACK   NEEDLE somewhere in HAYSTACK
fails=0
pass=0
check() {
  if [ "$2" == "$3" ]; then pass=$((pass + 1)); else
    fails=$((fails + 1)); printf 'FAIL %s\n  expected: %s\n  actual:   %s\n' "$1" "$2" "$3"; fi
}
contains() {
  if [[ "$3" == *"$2"* ]]; then pass=$((pass + 1)); else
    fails=$((fails + 1)); printf 'FAIL %s\n  expected to contain: %s\n  actual: %s\n' "$1" "$2" "$3"; fi
}
