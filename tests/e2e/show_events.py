"""The events of `kiosk run --events` / `kiosk replay --script`, one a line,
as a person checks them: seconds since the virtual clock's start, the event,
the car, and what matters of it.  Crew answers are shown as "  reply {...}"
(board_ms left out: it is a timing).  Used by tests/e2e/script.sh."""
import json
import sys

EPOCH = 1800014400  # lane.c's VIRTUAL_EPOCH


def order(o):
    lines = ", ".join(f"{l['qty']} {(l['size'] + ' ') if l['size'] else ''}{l['item']}" for l in o["lines"])
    return f"[{lines}] {o['status']} {o['total_cents']}"


def what(e):
    ev = e["event"]
    if ev == "car":
        return e["state"] + (f" {e['why']} {e['status']} {e['total_cents']}" if e["state"] == "left" else "")
    if ev == "turn":
        return f"{e['heard']!r} conf {e['confidence']:.2f} page {e['page']} said {e['said']!r}"
    if ev == "say":
        return repr(e["text"])
    if ev == "page":
        return e["reason"]
    if ev in ("order", "confirmed"):
        return order(e["order"])
    if ev == "ack":
        return f"after {e['after_s']:.0f} s" + (f" by {e['by']}" if "by" in e else "")
    if ev == "escalate":
        return f"{e['level']} after {e['after_s']:.0f} s"
    if ev == "override":
        return e["kind"] + (f" down {e['down']}" if "down" in e else "")
    if ev == "menu" and e["ok"]:
        return (f"{e['file']} ok {e['menu']!r} {e['items']} items sold out {e['sold_out']} from car {e['from_car']}"
                + (f" warnings {len(e['warnings'])}" if "warnings" in e else ""))
    if ev == "menu":
        return f"{e['file']} failed, keeps {e['menu']!r}: " + " | ".join(e["errors"])
    return json.dumps(e)


for line in sys.stdin:
    e = json.loads(line)
    if "event" not in e:
        e.pop("board_ms", None)
        print("  reply", json.dumps(e, sort_keys=True))
        continue
    print(f"{e['t'] - EPOCH:6.1f} {e['event']} car {e.get('car', '-')}: {what(e)}")
