#!/usr/bin/env bash
# The full-screen crew station (issue 16, item 2) in a real terminal: `kiosk
# crew` runs in a tmux pane (100 x 30), a fake kiosk (a few lines of Python on
# a Unix socket, no audio) sends it a state line and events, and the test
# reads the screen as a person would (tmux capture-pane; -e for the reverse
# video), types commands (send-keys) and checks what the fake kiosk received.
# Then the same station with its output in a pipe prints lines; and a kiosk
# that goes away leaves the terminal as it was, with the reason.
set -uo pipefail
K=$(realpath "${KIOSK:-build/kiosk}")
T=$(mktemp -d)
. "$(dirname "$0")/../check.sh"
export TZ=UTC LANG=C.UTF-8
cleanup() {
  tmux -S "$T/tmux" kill-server 2>/dev/null
  [ -n "${FPID:-}" ] && kill "$FPID" 2>/dev/null
  rm -rf "$T"
}
trap cleanup EXIT
command -v tmux >/dev/null || { echo "FAIL crew_screen: tmux is not installed (make deps)"; exit 1; }

# ---- the fake kiosk -----------------------------------------------------------
# Checks the token, answers the auth and sends the state line in the same
# write (as a busy kiosk may), forwards the lines the test appends to
# $T/outbox ("CLOSE" hangs up), records what the station sends in $T/got and
# answers it as the kiosk would, with the events the action causes.
cat >"$T/fake.py" <<'PY'
import copy, json, os, select, socket, sys
sock_path, token, outbox, got_path = sys.argv[1:5]
T0 = 1796604000.0   # 2026-12-07 00:40:00 UTC
ORDER = {"status": "open", "lines": [
    {"item": "Coke", "qty": 2, "size": "large", "options": [{"name": "ice", "amount": "no"}],
     "choices": {}, "unit_cents": 209, "cents": 418},
    {"item": "Cheeseburger", "qty": 1, "size": None, "options": [{"name": "onions", "amount": "no"}],
     "choices": {}, "unit_cents": 499, "cents": 499}],
    "subtotal_cents": 917, "tax_cents": 65, "total_cents": 982}
srv = socket.socket(socket.AF_UNIX)
srv.bind(sock_path)
srv.listen(4)
open(got_path, "a").close()
while True:
    c, _ = srv.accept()
    order, st = copy.deepcopy(ORDER), {"page": False, "t": T0}
    def ev(event_type, **kw):
        st["t"] += 1
        d = {"t": st["t"], "event": event_type, "car": 3}
        d.update(kw)
        return json.dumps(d)
    def answer(msg):
        a = msg.get("action")
        if a == "ack":
            if not st["page"]:
                return [json.dumps({"error": "no page is waiting"})]
            st["page"] = False
            return [ev("ack", after_s=4.2), json.dumps({"ok": "ack", "board_ms": 0.1})]
        if a == "take_over":
            order["status"] = "crew"
            return [ev("override", kind="take_over"), ev("order", order=order), json.dumps({"ok": "take_over"})]
        if a == "remove" and msg.get("line", 0) > len(order["lines"]):
            return [json.dumps({"error": "no line %d" % msg["line"]})]
        return [json.dumps({"ok": a})]
    f = c.makefile("rb")
    auth = json.loads(f.readline())
    with open(got_path, "a") as g:
        g.write(json.dumps(auth) + "\n")
    if auth.get("auth") != token:
        c.sendall(b'{"error": "wrong token"}\n'); c.close(); continue
    state = {"t": T0, "event": "state", "lane": "Lane 1", "menu": "Burger Barn", "car": 3,
             "taken_over": False, "talking": False, "page": None, "order": order}
    c.sendall(('{"ok": "auth", "role": "crew"}\n' + json.dumps(state) + "\n").encode())
    pos, buf, alive = os.path.getsize(outbox), b"", True
    while alive:
        if select.select([c], [], [], 0.05)[0]:
            try:
                b = c.recv(4096)
            except OSError:
                b = b""
            alive = bool(b)
            buf += b
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                with open(got_path, "a") as g:
                    g.write(line.decode() + "\n")
                try:
                    out = answer(json.loads(line))
                except ValueError:
                    out = [json.dumps({"error": "not JSON"})]
                c.sendall(("\n".join(out) + "\n").encode())
        with open(outbox, "rb") as o:
            o.seek(pos)
            new = o.read()
        if new.endswith(b"\n"):
            pos += len(new)
            for l in new.decode().splitlines():
                if l == "CLOSE":
                    alive = False
                    break
                d = json.loads(l)
                if d.get("event") == "page": st["page"] = True
                if d.get("event") == "ack": st["page"] = False
                if "t" not in d:
                    st["t"] += 1; d["t"] = st["t"]
                c.sendall((json.dumps(d) + "\n").encode())
    try:
        c.shutdown(socket.SHUT_RDWR)   # the makefile() would keep it open
    except OSError:
        pass
    c.close()
PY
# The attributes of each row's first character in `capture-pane -e` output,
# one row a line: "reverse blink", "bold", "" ...
cat >"$T/attrs.py" <<'PY'
import re, sys
names = {1: "bold", 5: "blink", 7: "reverse"}
on = set()
for row in sys.stdin.read().split("\n"):
    first = None
    for m in re.finditer(r"\x1b\[([0-9;]*)m|([^\x1b])", row):
        if m.group(2) is not None:
            first = " ".join(sorted(names[a] for a in on)) if first is None else first
            continue
        for p in (m.group(1) or "0").split(";"):
            p = int(p or 0)
            if p == 0: on.clear()
            elif p in names: on.add(p)
            elif p in (21, 22): on.discard(1)
            elif p == 25: on.discard(5)
            elif p == 27: on.discard(7)
    print(first or "")
PY

TOKEN=0123456789abcdef0123456789abcdef
printf '%s\n' "$TOKEN" >"$T/crew.token"
chmod 600 "$T/crew.token"
: >"$T/outbox"
python3 "$T/fake.py" "$T/crew.sock" "$TOKEN" "$T/outbox" "$T/got" 2>"$T/fake.err" &
FPID=$!
for _ in $(seq 50); do [ -S "$T/crew.sock" ] && break; sleep 0.1; done

tm() { tmux -S "$T/tmux" -f /dev/null "$@"; }
screen() { tm capture-pane -p -t "$W"; }
row() { screen | sed -n "$(($1 + 1))p"; }          # rows from 0
nonblank() { screen | sed '/^$/d'; }
wait_screen() { # NEEDLE [seconds]: until the screen shows it
  for _ in $(seq $((${2:-5} * 10))); do [[ "$(screen)" == *"$1"* ]] && return 0; sleep 0.1; done
  echo "(waited for \"$1\" in vain)"; return 1
}
wait_file() { for _ in $(seq 50); do [ -s "$1" ] && return 0; sleep 0.1; done; return 1; }
send() { printf '%s\n' "$1" >>"$T/outbox"; }     # the kiosk sends a line
type_line() { tm send-keys -t "$W" -l "$1"; tm send-keys -t "$W" Enter; }
bells() { [ -f "$T/bells" ] && wc -l <"$T/bells" || echo 0; }
# what a shell in the pane runs: the station, then the terminal's settings
station_pane() { # NAME [crew options]: the station in a new pane, its exit status to $T/NAME.exit
  local name=$1; shift
  cat >"$T/$name.sh" <<EOF
stty -g >"$T/$name.stty-before"
"$K" crew --connect "$T/crew.sock" --token "$T/crew.token" $*
echo \$? >"$T/$name.status"
stty -g >"$T/$name.stty-after"
mv "$T/$name.status" "$T/$name.exit"
sleep 600
EOF
}

# ---- the screen, as a crew member finds it ------------------------------------
W=crew
station_pane crew
tm new-session -d -s crew -x 100 -y 30 "bash --noprofile --norc $T/crew.sh"
tm set-hook -g alert-bell "run-shell 'echo bell >>$T/bells'"
wait_screen "type help for the commands"
check "header: lane, car, the kiosk has the order" "Lane 1 (Burger Barn) | car 3 | order: kiosk" "$(row 0)"
check "header in bold" "bold" "$(tm capture-pane -p -e -t crew | python3 "$T/attrs.py" | sed -n 1p)"
check "the whole screen on arrival" \
"Lane 1 (Burger Barn) | car 3 | order: kiosk
-- order -------------------------------------------------------------------------------------------
1. 2 x Large Coke (no ice)  \$4.18
2. 1 x Cheeseburger (no onions)  \$4.99
total \$9.82
-- transcript --------------------------------------------------------------------------------------
00:40:00 connected to Lane 1 (Burger Barn): car 3 at the post, order the kiosk's
----------------------------------------------------------------------------------------------------
type help for the commands
>" "$(nonblank)"
check "30 rows, the command line last" "30 >" "$(screen | wc -l) $(row 29)"

# the customer asks for a person: the page in the header, a bell, its age ticking
send '{"event": "turn", "car": 3, "turn": 2, "heard": "", "free_text": "can i talk to someone", "confidence": 0.41, "said": "", "page": "human_request"}'
send '{"event": "page", "car": 3, "turn": 2, "reason": "human_request", "heard": "", "free_text": "can i talk to someone"}'
wait_screen "PAGE car 3"
page_re='^PAGE car 3: asked for a person: "can i talk to someone" — ([0-9]+) s$'
p1=$(row 1)
[[ "$p1" =~ $page_re ]] && age1=${BASH_REMATCH[1]} || age1=x
check "page row under the header, with its age" "1" "$([[ "$p1" =~ $page_re ]] && echo 1 || echo "$p1")"
check "what to do, under the page" "ack to stop the chime; take to talk to the car" "$(row 2)"
attrs=$(tm capture-pane -p -e -t crew | python3 "$T/attrs.py")
check "the page row in reverse video, bold, blinking" "blink bold reverse" "$(sed -n 2p <<<"$attrs")"
check "nothing else in reverse video" "1" "$(grep -c reverse <<<"$attrs")"
check "the page rang the bell" "1" "$(bells)"
before=$(screen | sed -n '4,28p')
sleep 2.2
p2=$(row 1)
[[ "$p2" =~ $page_re ]] && age2=${BASH_REMATCH[1]} || age2=x
check "the page's age grows with the clock (2.2 s later: 2 or 3 s more)" "1" \
  "$([[ $age1 != x && $age2 != x ]] && (( age2 - age1 >= 2 && age2 - age1 <= 3 )) && echo 1 || echo "$p1 -> $p2")"
check "the age ticks in the header, no new transcript lines" "$before" "$(screen | sed -n '4,28p')"
check "the transcript, newest last" \
"00:40:00 connected to Lane 1 (Burger Barn): car 3 at the post, order the kiosk's
00:40:01 car 3 customer: \"can i talk to someone\", nothing from the menu
00:40:02 *** PAGE car 3: asked for a person: \"can i talk to someone\"" "$(screen | sed -n '9,11p')"
check "under the transcript: a blank row" "" "$(row 11)"

# nobody answers: the kiosk chimes again
send '{"event": "escalate", "car": 3, "level": "remind", "after_s": 10.0}'
wait_screen "not acknowledged"
check "escalation said in the header" \
  "not acknowledged: chiming again; ack to stop the chime; take to talk to the car" "$(row 2)"
check "the escalation rang the bell again" "2" "$(bells)"

# ack: the message the kiosk gets, then the page leaves the header
type_line ack
wait_screen "ack: ok"
check "ack sent as the protocol's message" '{"action": "ack"}' "$(tail -1 "$T/got")"
check "after the ack event the page row is gone" "-- order ---" "$(row 1 | cut -c1-12)"
check "the page's age is no longer shown" "0" "$(screen | grep -c '^PAGE')"
check "status row: the answer" "ack: ok" "$(row 28)"

# take: the header says the order is yours
type_line take
wait_screen "order: YOURS"
check "take sent" '{"action": "take_over"}' "$(tail -1 "$T/got")"
check "header: YOURS" "Lane 1 (Burger Barn) | car 3 | order: YOURS" "$(row 0)"

# a refusal from the kiosk, and a typing mistake, on the status row
type_line "remove 9"
wait_screen "remove 9: error"
check "remove sent" '{"action": "remove", "line": 9}' "$(tail -1 "$T/got")"
check "the kiosk's refusal on the status row" "remove 9: error: no line 9" "$(row 28)"
check "status row in bold for an error" "bold" "$(tm capture-pane -p -e -t crew | python3 "$T/attrs.py" | sed -n 29p)"
check "the whole screen after take and a refusal" \
"Lane 1 (Burger Barn) | car 3 | order: YOURS
-- order -------------------------------------------------------------------------------------------
1. 2 x Large Coke (no ice)  \$4.18
2. 1 x Cheeseburger (no onions)  \$4.99
total \$9.82
-- transcript --------------------------------------------------------------------------------------
00:40:00 connected to Lane 1 (Burger Barn): car 3 at the post, order the kiosk's
00:40:01 car 3 customer: \"can i talk to someone\", nothing from the menu
00:40:02 *** PAGE car 3: asked for a person: \"can i talk to someone\"
00:40:03 *** PAGE NOT ACKNOWLEDGED after 10 s: chiming again
00:40:04 page acknowledged after 4.2 s
00:40:05 car 3 is yours: the kiosk stays quiet (back hands it back)
00:40:06 car 3 order (yours)
----------------------------------------------------------------------------------------------------
remove 9: error: no line 9
>" "$(nonblank)"
sent=$(wc -l <"$T/got")
type_line "frobnicate now"
wait_screen 'error: unknown command'
check "a typing mistake said on the status row" 'error: unknown command "frobnicate": type help' "$(row 28)"
check "a typing mistake sends nothing" "$sent" "$(wc -l <"$T/got")"
# editing: Ctrl-U clears the line, Backspace takes a character back
tm send-keys -t crew -l "confirm"; tm send-keys -t crew C-u; tm send-keys -t crew -l "talkx"; tm send-keys -t crew BSpace
sleep 0.3
check "the command line shows what is typed" "> talk" "$(row 29)"
tm send-keys -t crew Enter
wait_screen "talk: ok"
check "Ctrl-U and Backspace edited the command" '{"action": "talk", "down": true}' "$(tail -1 "$T/got")"

# help: in the transcript area, not over the screen
type_line help
wait_screen "commands (one a line):"
check "help in the transcript, the command line still last" "  help, quit|>" "$(row 26)|$(row 29)"
check "help leaves the header" "Lane 1 (Burger Barn) | car 3 | order: YOURS" "$(row 0)"

# more lines than fit: the oldest leave the top, the order stays
for i in $(seq 1 30); do
  send "{\"event\": \"say\", \"car\": 3, \"text\": \"line $i\"}"
done
wait_screen 'kiosk: "line 30"'
check "the newest line just above the rule" '00:40:36 car 3 kiosk: "line 30"' "$(row 26)"
check "the order still shown" "total \$9.82" "$(row 4)"
check "the transcript starts under its rule" '00:40:16 car 3 kiosk: "line 10"' "$(row 6)"

# quit: the terminal given back as it was
type_line quit
wait_file "$T/crew.exit"
check "quit exits 0" "0" "$(cat "$T/crew.exit")"
check "the terminal's settings restored" "$(cat "$T/crew.stty-before")" "$(cat "$T/crew.stty-after")"
check "the screen given back (no header left)" "0" "$(screen | grep -c 'Lane 1')"

# ---- a pipe: line mode ----------------------------------------------------------
W=lines
cat >"$T/lines.sh" <<EOF
"$K" crew --connect "$T/crew.sock" --token "$T/crew.token" | cat >"$T/lines.out"
echo \${PIPESTATUS[0]} >"$T/lines.exit"
sleep 600
EOF
tm new-window -d -t crew -n lines "bash --noprofile --norc $T/lines.sh"
for _ in $(seq 50); do grep -q "total" "$T/lines.out" 2>/dev/null && break; sleep 0.1; done
type_line quit
wait_file "$T/lines.exit"
check "line mode exits 0" "0" "$(cat "$T/lines.exit")"
check "output to a pipe: the station prints lines" \
"00:40:00 connected to Lane 1 (Burger Barn): car 3 at the post, order the kiosk's
    1. 2 x Large Coke (no ice)  \$4.18
    2. 1 x Cheeseburger (no onions)  \$4.99
    total \$9.82" "$(cat "$T/lines.out")"

# ---- the kiosk goes away: the terminal back, then the reason ----------------------
W=lost
station_pane lost
tm new-window -d -t crew -n lost "bash --noprofile --norc $T/lost.sh"
wait_screen "type help for the commands"
send CLOSE
wait_file "$T/lost.exit"
check "a lost connection exits 1" "1" "$(cat "$T/lost.exit")"
check "the terminal's settings restored after a lost connection" \
  "$(cat "$T/lost.stty-before")" "$(cat "$T/lost.stty-after")"
check "the reason shown after the screen is given back" \
  "kiosk crew: $T/crew.sock closed the connection: \`kiosk run\` stopped, or it dropped this station (see its log)" \
  "$(tm capture-pane -p -J -t lost | sed '/^$/d')"

if [ "$fails" -ne 0 ]; then echo "--- fake kiosk"; cat "$T/fake.err" "$T/got"; fi
echo "crew_screen: $pass passed, $fails failed"
[ "$fails" -eq 0 ]
