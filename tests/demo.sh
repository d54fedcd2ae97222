#!/usr/bin/env bash
# `make demo`: a sample conversation through the whole live kiosk, on a machine
# with no sound card.  The customer's turns are spoken by espeak-ng (at run
# time: no audio is committed) and played with paplay into a private
# PulseAudio null sink; `kiosk run` listens to it through PortAudio, answers
# out loud into the same sink, and takes the order.  Prints the conversation
# as it happens and the order board at the end.
set -euo pipefail
kiosk=${1:-build/kiosk}
menu=${2:-menus/burger.yaml}
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
KPID=
trap '{ [ -n "$KPID" ] && kill $KPID 2>/dev/null; } || true; pa_stop' EXIT
pa_start || { echo "make demo: PulseAudio did not start; see $dir/pa/pulse.log"; exit 1; }
ev=$dir/events.jsonl
# Emptied here, not by the kiosk's own redirection below: that happens in the
# background child, so the first grep could run before the file exists ("No
# such file") or read the last run's "listening".
: > "$dir/kiosk.err"
"$kiosk" run --headless --events --menu "$menu" --db "$dir/demo.db" --board "$dir/board.png" >"$ev" 2>"$dir/kiosk.err" &
KPID=$!
for _ in $(seq 100); do grep -q "listening" "$dir/kiosk.err" && break; sleep 0.1; done
grep -q "listening" "$dir/kiosk.err" || { cat "$dir/kiosk.err"; exit 1; }
echo "The kiosk is listening to a private PulseAudio sink; a customer drives up and speaks."
echo
count() { grep -c "\"event\": \"$1\"" "$ev" || true; }
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
kill -TERM $KPID; wait $KPID || true; KPID=
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
echo "(events: $ev; the kiosk's log: $dir/kiosk.err)"
