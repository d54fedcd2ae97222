#!/usr/bin/env bash
# `make demo`: a car at the drive-through, through the whole live kiosk, on a
# machine with no sound card and no speaker post.  The post is simulated: its
# firmware (build/firmware/post.elf) in simavr (build/simpost) when it is
# built, else `kiosk post-sim` (the same logic on the host); either gives a pty
# that `kiosk run --post` opens as the post's serial line.  The car arrives on
# the loop (a pin of the post), the kiosk greets it, the customer's turns are
# spoken by espeak-ng (at run time: no audio is committed) and played with
# paplay into a private PulseAudio null sink; `kiosk run` listens to it through
# PortAudio, answers out loud into the same sink, and takes the order; the car
# leaves the loop.  Prints it as it happens and the order board at the end.
set -euo pipefail
kiosk=${1:-build/kiosk}
menu=${2:-menus/burger.yaml}
simpost=${SIMPOST:-build/simpost}
elf=${POST_ELF:-build/firmware/post.elf}
dir=build/demo
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
turns=(
  "can i get two cheeseburgers no onions and a large coke"
  "and a number one with a sprite"
  "make that two"
  "that's all"
  "yes"
)
. "$(dirname "$0")/speak.sh"
. "$(dirname "$0")/pulse.sh"
speak "$dir" "${turns[@]}"
rm -rf "$dir/pa" && pa_private "$dir/pa"
KPID= PPID_=
trap '{ [ -n "$KPID" ] && kill $KPID 2>/dev/null; } || true; { [ -n "$PPID_" ] && kill $PPID_ 2>/dev/null; } || true; pa_stop' EXIT
pa_start || { echo "make demo: PulseAudio did not start; see $dir/pa/pulse.log"; exit 1; }

# ---- the speaker post, simulated ----
if [ -x "$simpost" ] && [ -f "$elf" ]; then
  post=("$simpost" "$elf"); post_what="its ATmega328P firmware ($elf) running in simavr"
else
  post=("$kiosk" post-sim); post_what="kiosk post-sim (the firmware's logic on this computer; \`make firmware build/simpost\` for simavr)"
fi
rm -f "$dir/post.cmd" && mkfifo "$dir/post.cmd"
: > "$dir/post.out"
"${post[@]}" <"$dir/post.cmd" >"$dir/post.out" 2>"$dir/post.err" &
PPID_=$!
exec 3>"$dir/post.cmd"
for _ in $(seq 50); do grep -q '^pty ' "$dir/post.out" && break; sleep 0.1; done
pty=$(sed -n 's/^pty //p' "$dir/post.out")
[ -n "$pty" ] || { echo "make demo: the simulated post gave no pty:"; cat "$dir/post.err"; exit 1; }

ev=$dir/events.jsonl
# Emptied here, not by the kiosk's own redirection below: that happens in the
# background child, so the first grep could run before the file exists ("No
# such file") or read the last run's "listening".
: > "$dir/kiosk.err"
"$kiosk" run --headless --events --menu "$menu" --db "$dir/demo.db" --board "$dir/board.png" --post "$pty" \
  >"$ev" 2>"$dir/kiosk.err" &
KPID=$!
for _ in $(seq 100); do grep -q "listening" "$dir/kiosk.err" && break; sleep 0.1; done
grep -q "listening" "$dir/kiosk.err" || { cat "$dir/kiosk.err"; exit 1; }
count() { grep -c "\"event\": \"$1\"" "$ev" || true; }
for _ in $(seq 100); do grep -q '"link": "up"' "$ev" && break; sleep 0.1; done
grep -q '"link": "up"' "$ev" || { echo "make demo: the post's link did not come up"; cat "$dir/kiosk.err" "$dir/post.err"; exit 1; }
for _ in $(seq 30); do [ "$(grep '^lamp' "$dir/post.out" | tail -1)" = "lamp listening" ] && break; sleep 0.1; done
echo "The speaker post is $post_what, on $pty."
echo "The kiosk listens to a private PulseAudio sink and talks to the post over that line: the link"
echo "is up, the post's lamp $(grep '^lamp' "$dir/post.out" | tail -1 | cut -d' ' -f2)."
echo
echo "A car drives onto the loop (the post's loop-detector pin goes low)."
t_arrive=$(python3 -c 'import time; print(time.time())')
echo arrive >&3
for _ in $(seq 100); do [ "$(count say)" -ge 1 ] && break; sleep 0.1; done
python3 - "$ev" "$t_arrive" <<'PY'
import json, sys
E = [json.loads(l) for l in open(sys.argv[1])]
car = [e for e in E if e["event"] == "car"]
s = [e for e in E if e["event"] == "say"]
if car: print(f'  post: a vehicle on the loop; kiosk: car {car[0]["car"]} arrived (by {car[0].get("by", "?")})')
if s: print(f'  kiosk says:  {s[0]["text"]}   ({(s[0]["t"] - float(sys.argv[2])) * 1000:.0f} ms after the loop; the post waits 500 ms for a car to settle)')
else: print("  (the kiosk did not greet the car)")
PY
ms=$(grep '"event": "say"' "$ev" | head -1 | python3 -c 'import json,sys; print(json.load(sys.stdin)["ms"])' 2>/dev/null || echo 0)
sleep "$(python3 -c "print(($ms + 600) / 1000)")"
for i in "${!turns[@]}"; do
  says=$(count say); heard=$(count turn)
  echo "customer: ${turns[$i]}"
  paplay "${files[$i]}"
  for _ in $(seq 300); do [ "$(count turn)" -gt "$heard" ] && break; sleep 0.1; done
  for _ in $(seq 50); do [ "$(count say)" -gt "$says" ] && break; sleep 0.1; done
  python3 - "$ev" <<'PY'
import json, sys
E = [json.loads(l) for l in open(sys.argv[1])]
t = [e for e in E if e["event"] == "turn"][-1]
print(f'  kiosk heard: {t["heard"] or "(nothing on the menu)"}   (confidence {t["confidence"]:.2f}, ready {t["endpoint_ms"]:.0f} ms after the endpoint)')
s = [e for e in E if e["event"] == "say"]
if s: print(f'  kiosk says:  {s[-1]["text"]}')
if t["page"]: print(f'  PAGE to the crew: {t["page"]}')
PY
  ms=$(grep '"event": "say"' "$ev" | tail -1 | python3 -c 'import json,sys; print(json.load(sys.stdin)["ms"])')
  sleep "$(python3 -c "print(($ms + 800) / 1000)")"
done
echo "The car pulls forward off the loop (the loop-detector pin goes high)."
echo leave >&3
sleep 2.8   # the post reports a departure once the loop has been clear for 2 s
python3 - "$ev" <<'PY'
import json, sys
E = [json.loads(l) for l in open(sys.argv[1])]
left = [e for e in E if e["event"] == "car" and e["state"] == "left"]
for e in left:
    print(f'  kiosk: car {e["car"]} left: {e.get("why")}, the order {e.get("status")}' + (" (it ended at the confirmation; the loop only clears)" if e.get("why") != "gone" else ""))
if not left: print("  kiosk: no car ended")
PY
kill -TERM $KPID; wait $KPID || true; KPID=
echo quit >&3; exec 3>&-; wait $PPID_ || true; PPID_=
echo
python3 - "$ev" <<'PY'
import json, sys
E = [json.loads(l) for l in open(sys.argv[1])]
orders = [e for e in E if e["event"] in ("order", "confirmed")]
if not orders: print("(no order)"); sys.exit()
o = orders[-1]["order"]
money = lambda c: f"${c // 100}.{c % 100:02d}"
w = 60
print("+" + "-" * w + "+")
print("|" + " ORDER BOARD".ljust(w) + "|")
print("+" + "-" * w + "+")
for l in o["lines"]:
    desc = f'{l["qty"]} x {(l["size"] + " ") if l["size"] else ""}{l["item"]}'
    extra = ", ".join([f'{x["amount"]} {x["name"]}' for x in l["options"]] + [f'{k}: {v}' for k, v in l["choices"].items()])
    print("| " + desc.ljust(w - 12) + money(l["cents"]).rjust(9) + "  |")
    if extra: print("|     " + extra.ljust(w - 5) + "|")
print("|" + " " * w + "|")
for name, key in (("subtotal", "subtotal_cents"), ("tax", "tax_cents"), ("TOTAL", "total_cents")):
    print("| " + name.rjust(w - 12) + money(o[key]).rjust(9) + "  |")
status = {"confirmed": "Thank you, please pull forward", "crew": "A team member is coming",
          "open": "Listening", "cancelled": "Cancelled"}[o["status"]]
print("+" + "-" * w + "+")
print("|" + f" {status}".ljust(w) + "|")
print("+" + "-" * w + "+")
PY
echo "The order board as the customer saw it: $dir/board.png (1920x1080)"
echo "(events: $ev; the kiosk's log: $dir/kiosk.err; the post's: $dir/post.out)"
