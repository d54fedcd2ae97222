#!/usr/bin/env bash
# Pathological menus (issue 18, "Bounded input"): each made here, at bench
# time, in build/bench/menus/ (nothing large is committed), then checked with
# `kiosk menu check`; prints the time, the exit status and how many lines the
# check wrote.  Asserts nothing: `make bench` prints figures.
#   bash tests/bench_menus.sh [build/kiosk]
set -euo pipefail
kiosk=${1:-build/kiosk}
dir=${BENCH_MENUS_DIR:-build/bench/menus}
rm -rf "$dir" && mkdir -p "$dir"

python3 - "$dir" <<'PY'
import itertools, string, sys
d = sys.argv[1]
HEAD = "menu: Bench\n"

def words(n, length=5, prefix="zq"):
    """n distinct made-up lower-case words (not in the CMU dictionary)."""
    it = itertools.product(string.ascii_lowercase, repeat=length)
    return [prefix + "".join(t) for t, _ in zip(it, range(n))]

def write(name, text):
    with open(f"{d}/{name}.yaml", "w") as f:
        f.write(text)

# 80 000 pronunciations (the issue's 35 s: a quadratic duplicate check)
w = words(80000, 4, "q")
write("prons80k", HEAD + "items:\n  - name: Fries\n    price: 1\n"
      + "pronunciations:\n" + "".join(f"  {x}: K\n" for x in w))
# the same, every word also said by an item (the word check looks each up)
w = words(18000, 4, "q")
write("prons18k_used", HEAD + "items:\n"
      + "".join(f"  - {{name: I{i}, say: [{x}], price: 1}}\n" for i, x in enumerate(w))
      + "pronunciations:\n" + "".join(f"  {x}: K\n" for x in w))
# a word of 1 000 000 letters (the issue's 100 s)
write("longword", HEAD + "items:\n  - name: Fries\n    say: [" + "a" * 1000000 + "]\n    price: 1\n")
# the same as a pronunciation's word and as its phones
write("longpron", HEAD + "items:\n  - name: Fries\n    price: 1\npronunciations:\n  fries: " + "a" * 1000000 + "\n")
# 1000 items, each say: an alias of one list of 1000 phrases (the issue's 140 MB of errors):
# a million phrases once expanded, refused as too big
s = ", ".join(words(1000, 3, "zq"))
write("alias1000", HEAD + "items:\n  - name: I0\n    say: &s [" + s + "]\n    price: 1\n"
      + "".join(f"  - name: I{i}\n    say: *s\n    price: 1\n" for i in range(1, 1000)))
# 400 items aliasing 1000 phrases: under the size limit, 399 000 clashes to report
write("alias400", HEAD + "items:\n  - name: I0\n    say: &s [" + s + "]\n    price: 1\n"
      + "".join(f"  - name: I{i}\n    say: *s\n    price: 1\n" for i in range(1, 400)))
# 30 000 items with the same name and phrase (duplicate names, clashing phrases)
write("samename30k", HEAD + "items:\n" + "  - name: Fries\n    price: 1\n" * 30000)
# 20 000 items, each with a word nobody knows (the word check and its suggestions)
w = words(20000, 4, "zx")
write("unknown20k", HEAD + "items:\n"
      + "".join(f"  - name: I{i}\n    say: [{x}]\n    price: 1\n" for i, x in enumerate(w)))
# 10 000 options and 10 000 items each naming an option that is not there (suggestions)
w = words(10000, 4, "o")
write("options10k", HEAD + "options:\n" + "".join(f"  - name: {x}\n" for x in w) + "items:\n"
      + "".join(f"  - name: I{i}\n    price: 1\n    options: [{x}x]\n" for i, x in enumerate(w)))
# 50 000 sizes in one item's sizes: map, none of them the menu's (the duplicate key check)
w = words(50000, 4, "s")
write("sizes50k", HEAD + "sizes: {small: [small]}\nitems:\n  - name: Fries\n    sizes:\n"
      + "".join(f"      {x}: 1\n" for x in w))
# a line indented too far after 900 000 blank lines (the error's explanation looks for the line above)
write("blanklines", HEAD + "items: x\n" + "\n" * 900000 + "   y: 1\n")
# 2 MB: over the size limit
write("big2mb", HEAD + "items:\n  - name: Fries\n    price: 1\n" + "#" * 2000000 + "\n")
PY

printf '%-16s %8s %7s %8s %6s  %s\n' menu bytes seconds status lines "first line"
for f in "$dir"/*.yaml; do
  name=$(basename "$f" .yaml)
  start=$(date +%s.%N)
  set +e
  timeout "${BENCH_TIMEOUT:-600}" "$kiosk" menu check "$f" >"$dir/$name.out" 2>&1
  rc=$?
  set -e
  end=$(date +%s.%N)
  lines=$(wc -l <"$dir/$name.out")
  first=$(head -c 110 "$dir/$name.out" | head -n 1)
  python3 -c "import sys; print(f'{sys.argv[1]:<16} {int(sys.argv[2]):>8} {float(sys.argv[4])-float(sys.argv[3]):7.2f} {sys.argv[5]:>8} {int(sys.argv[6]):>6}  {sys.argv[7]}')" \
    "$name" "$(stat -c %s "$f")" "$start" "$end" "$rc" "$lines" "${first#$dir/}"
done
