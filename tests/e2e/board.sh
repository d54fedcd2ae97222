#!/usr/bin/env bash
# End-to-end checks of `kiosk replay --board`: a spoken order's board saved
# as a PNG of the right size, the same replay giving the same bytes, the
# small layout, and a path that cannot be written.
set -uo pipefail
K=${KIOSK:-build/kiosk}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
. "$(dirname "$0")/../check.sh"
# The PNG's signature and IHDR width x height, or what is wrong with it.
png_size() {
  python3 -c '
import struct, sys
d = open(sys.argv[1], "rb").read(24)
if d[:8] != b"\x89PNG\r\n\x1a\n" or d[12:16] != b"IHDR": print("not a PNG")
else: print("%dx%d" % struct.unpack(">II", d[16:24]))' "$1" 2>&1
}

espeak-ng -v en-us -s 150 -w "$T/t1.wav" "two cheeseburgers no onions and a large coke"
espeak-ng -v en-us -s 150 -w "$T/t2.wav" "that's all"

out=$("$K" replay --menu menus/burger.yaml --board "$T/b.png" "$T/t1.wav" 2>&1); check "replay --board exits 0" 0 $?
contains "the transcript is still printed" "a large Coke" "$out"
check "board is a 1920x1080 PNG" "1920x1080" "$(png_size "$T/b.png")"
"$K" replay --menu menus/burger.yaml --board "$T/b2.png" "$T/t1.wav" >/dev/null 2>&1; check "second render exits 0" 0 $?
cmp -s "$T/b.png" "$T/b2.png"; check "two renders are byte-identical" 0 $?

out=$("$K" replay --menu menus/burger.yaml --json --board-size 800x480 --board "$T/s.png" "$T/t1.wav" "$T/t2.wav" 2>&1)
check "replay --board-size 800x480 exits 0" 0 $?
check "small board is 800x480" "800x480" "$(png_size "$T/s.png")"
state=$(printf '%s' "$out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["order"]["status"])' 2>&1)
check "--json output unchanged by --board" "open" "$state"
cmp -s "$T/b.png" "$T/s.png"; check "a different order and size, a different picture" 1 $?

out=$("$K" replay --menu menus/burger.yaml --board-size 1024x768 --board "$T/x.png" "$T/t1.wav" 2>&1)
check "bad --board-size exits 2" 2 $?
contains "bad --board-size message" "--board-size 1024x768: give 1920x1080 or 800x480" "$out"

# --each: the board is the last car's
"$K" replay --menu menus/burger.yaml --each --board "$T/e.png" "$T/t2.wav" "$T/t1.wav" >/dev/null 2>&1
check "replay --each --board exits 0" 0 $?
cmp -s "$T/b.png" "$T/e.png"; check "--each draws the last car" 0 $?

out=$("$K" replay --menu menus/burger.yaml --board /nonexistent/dir/x.png "$T/t1.wav" 2>"$T/err"); check "unwritable board exits 1" 1 $?
check "one error line" 1 "$(wc -l < "$T/err")"
contains "error names the file" "/nonexistent/dir/x.png" "$(cat "$T/err")"

echo "board: $pass passed, $fails failed"
[ "$fails" -eq 0 ]
