#!/usr/bin/env bash
# The crew station against the live kiosk (issue 5): the kiosk listens to a
# private PulseAudio null sink as in live.sh; a customer asks for a person, and
# a scripted crew member (`kiosk crew` reading commands from a pipe)
# acknowledges, takes over, fixes the order, talks on the headset, hands back
# and confirms.  Also: the protocol's refusals (no token, a wrong token,
# garbage, an oversized line) from a raw socket, the token file's mode, and a
# reader of --events that goes away.  A second station in line
# mode watches: its screen (standard output) is asserted exactly at each step
# (tests/station.sh), and every line of the --json station must be JSON.
set -uo pipefail
K=${KIOSK:-build/kiosk}
T=$(mktemp -d)
. "$(dirname "$0")/../check.sh"
. "$(dirname "$0")/../events.sh"
. "$(dirname "$0")/../pulse.sh"
. "$(dirname "$0")/../station.sh"
pa_private "$T"
cleanup() {
  [ -n "${KPID:-}" ] && kill "$KPID" 2>/dev/null
  [ -n "${CPID:-}" ] && kill "$CPID" 2>/dev/null
  [ -n "${WPID:-}" ] && kill "$WPID" 2>/dev/null
  pa_stop
  rm -rf "$T"
}
trap cleanup EXIT
pa_start || { echo "FAIL crew: PulseAudio did not start"; cat "$T/pulse.log"; exit 1; }

out=$("$K" run --escalate 30,10 2>&1); check "bad --escalate exits 2" 2 $?
contains "bad --escalate explained" "the second larger" "$out"
out=$("$K" crew --connect "$T/nothere.sock" --token "$T/nothere.token" </dev/null 2>&1)
check "crew without a kiosk exits 1" 1 $?
contains "crew without a kiosk says why" "is \`kiosk run\` running?" "$out"

espeak-ng -v en-us -s 150 -w "$T/person.wav" "can i talk to a person"
espeak-ng -v en-us -s 150 -w "$T/done.wav" "that's all"
espeak-ng -v en-us -s 150 -w "$T/coke.wav" "a large coke"

EV=$T/events.jsonl
SOCK=$T/crew.sock
TOK=$T/crew.token
timeout -s KILL 300 "$K" run --headless --events --output none --db "$T/k.db" --crew-socket "$SOCK" \
  --crew-token "$TOK" --board "$T/board.png" --board-size 800x480 --no-response 60 --car-gone 120 --escalate 3,6 \
  >"$EV" 2>"$T/err" &
KPID=$!
for _ in $(seq 150); do grep -q "listening" "$T/err" && break; sleep 0.1; done
contains "kiosk listens" "listening" "$(cat "$T/err")"
check "token file is mode 600" "600" "$(stat -c %a "$TOK")"
check "token is 32 hex characters" "1" "$(grep -cE '^[0-9a-f]{32}$' "$TOK")"

# ---- refusals, from a raw socket ----
raw() { # lines to send (a python expression giving a list of bytes); prints the
        # replies, then CLOSED when the kiosk closed the connection, else OPEN
  python3 - "$SOCK" "$1" <<'PY'
import socket, sys, time
msgs = eval(sys.argv[2])
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.settimeout(1.5)
for m in msgs:
    try: s.sendall(m)
    except OSError: break
got, closed = b"", False
while True:
    try:
        b = s.recv(65536)
    except (socket.timeout, ConnectionResetError):
        break
    if not b: closed = True; break
    got += b
replies = [l for l in got.decode(errors="replace").splitlines() if l.startswith('{"ok"') or l.startswith('{"error"')]
print(" | ".join(replies), "CLOSED" if closed else "OPEN")
PY
}
tok=$(cat "$TOK")
contains "no auth: refused" '{"error": "not authenticated' "$(raw '[b"{\"action\": \"ack\"}\n"]')"
contains "no auth: closed" "CLOSED" "$(raw '[b"{\"action\": \"ack\"}\n"]')"
contains "wrong token: refused" '{"error": ' "$(raw '[b"{\"auth\": \"00000000000000000000000000000000\"}\n"]')"
contains "garbage first: closed" "CLOSED" "$(raw '[b"\x00\xff\xfe garbage\n"]')"
out=$(raw "[b'{\"auth\": \"$tok\"}\n', b'not json at all\n', b'{\"action\": \"fly\"}\n']")
contains "auth ok" '{"ok": "auth"' "$out"
contains "bad message answered, connection kept" "OPEN" "$out"
check "two bad messages, two errors" "2" "$(printf '%s' "$out" | grep -o '{"error"' | wc -l)"
out=$(raw "[b'{\"auth\": \"$tok\"}\n', b'{\"action\": \"edit\", \"say\": \"' + b'a' * 2000 + b'\"}\n']")
contains "oversized line: refused" "longer than 1024 bytes" "$out"
contains "oversized line: closed" "CLOSED" "$out"
contains "refusals logged" "crew: connection" "$(cat "$T/err")"
kill -0 "$KPID"; check "kiosk alive after garbage" 0 $?

# ---- bounded input (issue 18) ----
check "the database is mode 600" "600" "$(stat -c %a "$T/k.db")"
# 16 strangers that never authenticate and reconnect as soon as they are
# dropped do not lock the crew out: each station gets in at once
python3 - "$SOCK" 12 <<'PY' &
import socket, sys, time
path, end = sys.argv[1], time.time() + float(sys.argv[2])
socks = [None] * 16
while time.time() < end:
    for i, s in enumerate(socks):
        if s is not None:
            try:
                if s.recv(4096):
                    continue          # the reason; the close follows
            except BlockingIOError:
                continue              # still waiting
            except OSError:
                pass
            s.close()
        s = socket.socket(socket.AF_UNIX)
        s.setblocking(False)
        try:
            s.connect(path)
            socks[i] = s
        except OSError:
            s.close()
            socks[i] = None
    time.sleep(0.001)
PY
FPID=$!
sleep 2
got=0
for i in 1 2 3 4 5 6; do
  out=$(timeout 10 "$K" crew --connect "$SOCK" --token "$TOK" --json </dev/null 2>&1)
  [[ "$out" == *'{"ok": "auth"'* ]] && got=$((got + 1))
done
check "6 stations of 6 get in while 16 strangers keep connecting" 6 "$got"
contains "strangers are dropped for newer ones" "dropped: not authenticated, and 4 newer connections are waiting" "$(cat "$T/err")"
wait "$FPID"
kill -0 "$KPID"; check "kiosk alive after the strangers" 0 $?

# ---- a scripted crew member, through `kiosk crew` ----
mkfifo "$T/cmds" "$T/watch"
"$K" crew --connect "$SOCK" --token "$TOK" --json <"$T/cmds" >"$T/crew.out" 2>"$T/crew.err" &
CPID=$!
SCREEN=$T/screen
"$K" crew --connect "$SOCK" --token "$TOK" <"$T/watch" >"$SCREEN" 2>"$T/watch.err" &
WPID=$!
exec 3>"$T/cmds" 5>"$T/watch"
for _ in $(seq 50); do [ -s "$SCREEN" ] && break; sleep 0.1; done
step "the watching station: connected, no car" "connected to Lane 1 (Burger Barn): no car at the post"
replies() { grep -c '^{"ok"' "$T/crew.out" 2>/dev/null || true; }
cmd() { # sends one command, waits for its reply
  local before; before=$(grep -c '^{"ok"\|^{"error"' "$T/crew.out" 2>/dev/null || true)
  echo "$1" >&3
  for _ in $(seq 50); do
    [ "$(grep -c '^{"ok"\|^{"error"' "$T/crew.out" 2>/dev/null || true)" -gt "$before" ] && return 0; sleep 0.1
  done
}
banner() { python3 "$(dirname "$0")/png_pixel.py" "$T/board.png" 5 80; }   # the banner's colour

paplay "$T/person.wav"
wait_for page 1 30
check "customer asks for a person: page" "human_request" "$(field '[e for e in E if e["event"]=="page"][0]["reason"]')"
step "the station shows the page in the crew's words" \
'car 1 arrived
car 1 customer: (asks for a person)
car 1 order (yours):
    (nothing ordered yet)
    total $0.00
*** PAGE car 1: asked for a person: (words)
    ack to stop the chime; take to talk to the car' "$PERSON_SED"
check "the page rang the station's bell" "1" "$(grep -c $'\a' "$SCREEN")"
cmd ack
check "ack event" "1" "$(count ack)"
step "ack" "page acknowledged after N s"
cmd take
check "taken over: the banner is A team member is coming (amber)" "ffb300" "$(banner)"
check "take over event" "take_over" "$(field '[e for e in E if e["event"]=="override"][0]["kind"]')"
step "take: the car and its order are the crew's" \
'car 1 is yours: the kiosk stays quiet (back hands it back)
car 1 order (yours):
    (nothing ordered yet)
    total $0.00'
cmd "edit two cheeseburgers and a large coke"
cmd "add a cookie"
cmd "remove 3"
check "crew's edits" "crew [('Cheeseburger', 2, None), ('Coke', 1, 'large')]" \
  "$(field '(lambda o: o["status"] + " " + str([(l["item"], l["qty"], l["size"]) for l in o["lines"]]))([e for e in E if e["event"]=="order"][-1]["order"])')"
step "the crew's edits, each order numbered" \
'car 1 order (yours):
    1. 2 x Cheeseburger  $6.98
    2. 1 x Large Coke  $2.09
    total $9.82
car 1 order (yours):
    1. 2 x Cheeseburger  $6.98
    2. 1 x Large Coke  $2.09
    3. 1 x Cookie  $0.99
    total $10.89
car 1 order (yours):
    1. 2 x Cheeseburger  $6.98
    2. 1 x Large Coke  $2.09
    total $9.82'
cmd "remove 9"
contains "bad line refused" '{"error": "no line 9"}' "$(tail -1 "$T/crew.out")"
# the headset: while the button is held the kiosk says nothing and acts on nothing;
# what the customer says is kept for the transcript
cmd talk
turns=$(count turn)
orders=$(count order)
paplay "$T/coke.wav"; sleep 2
check "talk: the customer's words kept as a turn" "$((turns + 1))" "$(count turn)"
check "talk: ... marked overheard" "True" "$(field '[e for e in E if e["event"]=="turn"][-1].get("overheard")')"
check "talk: ... and not acted on" "$orders" "$(count order)"
check "talk: the board's banner is Team member speaking (red)" "c62828" "$(banner)"
step "talk: the customer's words during it shown as kept, not acted on" "talk button down: the car hears you
car 1 customer, while you talked: WORDS (kept, not acted on)" 's/while you talked: .* \(kept/while you talked: WORDS (kept/' 
cmd release
check "talk events" "[True, False]" "$(field '[e["down"] for e in E if e["event"]=="override" and e["kind"]=="talk"]')"
step "release" "talk button up"
cmd back
check "hand back" "open" "$(field '[e for e in E if e["event"]=="order"][-1]["order"]["status"]')"
turns=$(count turn)
paplay "$T/done.wav"
wait_for turn $((turns + 1)) 20
check "after hand back the kiosk reads back" "True" "$(field '"Your total is" in [e for e in E if e["event"]=="turn"][-1]["said"]')"
step "back, and the customer's turn" \
'car 1 handed back to the kiosk
car 1 order (the kiosk'"'"'s):
    1. 2 x Cheeseburger  $6.98
    2. 1 x Large Coke  $2.09
    total $9.82
car 1 customer: "that is all"'
cmd confirm
wait_for confirmed 1 10
check "crew confirms: order sent" "confirmed 982" "$(field '(lambda o: o["status"] + " " + str(o["total_cents"]))([e for e in E if e["event"]=="confirmed"][0]["order"])')"
check "car left confirmed" "confirmed" "$(field '[e for e in E if e["event"]=="car" and e["state"]=="left"][-1]["why"]')"
delays=$(python3 -c "
import json
d = sorted(json.loads(l)['board_ms'] for l in open('$T/crew.out') if l.startswith('{\"ok\"') and 'board_ms' in l)
print(len(d), max(d) < 100, f'median {d[len(d)//2]:.1f} ms, max {d[-1]:.1f} ms')")
contains "every action on the board within 100 ms" "True" "$delays"
echo "crew: action to board: $delays"

step "confirm" \
'car 1 ORDER CONFIRMED:
    1. 2 x Cheeseburger  $6.98
    2. 1 x Large Coke  $2.09
    total $9.82
car 1 left for the window: order confirmed, $9.82'

# (a page acknowledged by acting on the car, and a page nobody acknowledges
# escalating to the manager, are tables in tests/unit/test_lane.c and scripts
# in tests/e2e/script.sh; the station's words for them are test_view.c's)

exec 3>&- 5>&-
wait "$CPID"; check "kiosk crew exits 0 at the end of its input" 0 $?
CPID=
wait "$WPID"; WPID=
check "every line of the --json station is JSON" "True" "$(all_json "$T/crew.out" 25)"
kill -TERM "$KPID"; wait "$KPID"; check "kiosk stops cleanly" 0 $?
KPID=

# ---- a --crew-token that names someone's file: refused, the file kept (issue 18) ----
cp menus/burger.yaml "$T/menu-copy.yaml"
out=$(timeout -s KILL 60 "$K" run --headless --output none --db "$T/k3.db" --crew-socket "$T/s3" \
  --crew-token "$T/menu-copy.yaml" 2>&1); check "kiosk run with a menu as --crew-token exits 1" 1 $?
check "refused in one line" "kiosk run: crew station: $T/menu-copy.yaml exists and is not a crew token file (one line of 32 hex digits, mode 0600, as the kiosk writes it); remove it or give another --crew-token" "$(printf '%s\n' "$out" | grep 'crew token')"
cmp -s menus/burger.yaml "$T/menu-copy.yaml"; check "the menu is untouched" 0 $?

# ---- an --events reader that went away: the lane goes on, the lines are counted ----
( timeout -s KILL 60 "$K" run --headless --events --output none --db "$T/k2.db" --crew-socket "$T/s2" \
    --crew-token "$T/tok2" 2>"$T/err2"; echo "exit $?" >"$T/rc2" ) | true &
for _ in $(seq 150); do grep -q "listening" "$T/err2" && break; sleep 0.1; done
out=$(printf 'talk\nrelease\ntalk\n' | "$K" crew --connect "$T/s2" --token "$T/tok2" 2>&1)
check "a kiosk whose --events reader left still answers the crew" "3" "$(printf '%s\n' "$out" | grep -c '^ok$')"
for _ in $(seq 30); do grep -q "not being read" "$T/err2" && break; sleep 0.1; done
contains "and says the lines are dropped" "kiosk run: standard output is not being read: " "$(cat "$T/err2")"
pkill -TERM -f "crew-socket $T/s2"
for _ in $(seq 50); do [ -s "$T/rc2" ] && break; sleep 0.1; done
check "it stops cleanly" "exit 0" "$(cat "$T/rc2")"
contains "its summary counts them" "lines of standard output dropped" "$(cat "$T/err2")"
if [ "$fails" -ne 0 ]; then echo "--- kiosk stderr"; cat "$T/err"; echo "--- crew"; cat "$T/crew.out" "$T/crew.err"; fi
echo "crew: $pass passed, $fails failed"
[ "$fails" -eq 0 ]
