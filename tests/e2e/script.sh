#!/usr/bin/env bash
# Scripted lanes (`kiosk replay --script`): the lane of `kiosk run` on a
# virtual clock, so escalation, the customer's silences, cars leaving and
# every crew flow are checked in milliseconds with the exact events, where the
# live tests (live.sh, crew.sh, lunch.sh) have to sleep.  Each case: a script,
# and the events it must print, each shown as "SECONDS EVENT what" (the
# seconds since the script began; see show() below), compared whole.
set -uo pipefail
K=${KIOSK:-build/kiosk}
KS=${KIOSK_SAN:-$K}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
. "$(dirname "$0")/../check.sh"

show() { python3 "$(dirname "$0")/show_events.py"; }
case_() { # NAME SCRIPT EXPECTED
  printf '%s\n' "$2" > "$T/s.script"
  local out rc
  out=$("$KS" replay --menu menus/burger.yaml --script "$T/s.script" 2>"$T/err"); rc=$?
  check "$1: exits 0" 0 "$rc"
  [ "$rc" -eq 0 ] || cat "$T/err"
  check "$1" "$3" "$(printf '%s\n' "$out" | show | sed "s#$T/##g")"
}

case_ "a pause to think, then no answer: one nudge, then the page, which escalates" '
set escalate 10,30
say two cheeseburgers and a large coke
wait 9
wait 100' \
"   0.0 car car 1: arrived
   0.0 turn car 1: 'two cheeseburgers and a large coke' conf 0.95 page None said 'Welcome to Burger Barn! Two cheeseburgers and a large Coke. Anything else?'
   0.0 order car 1: [2 Cheeseburger, 1 large Coke] open 982
   0.0 say car 1: 'Welcome to Burger Barn! Two cheeseburgers and a large Coke. Anything else?'
  10.0 say car 1: 'Take your time. Anything else?'
  25.0 page car 1: no_response
  25.0 order car 1: [2 Cheeseburger, 1 large Coke] crew 982
  25.0 say car 1: 'A team member will be right with you.'
  35.0 escalate car 1: remind after 10 s
  55.0 escalate car 1: manager after 30 s
 109.0 car car 1: left stopped crew 982"

case_ "the customer answers after the nudge: no page; read back, yes, gone to the window" '
say a coke
wait 10
say large
say that is all
wait 3
say yes
wait 60' \
"   0.0 car car 1: arrived
   0.0 turn car 1: 'a coke' conf 0.95 page None said 'Welcome to Burger Barn! What size would you like for the coke: small, medium or large?'
   0.0 order car 1: [1 Coke] open 0
   0.0 say car 1: 'Welcome to Burger Barn! What size would you like for the coke: small, medium or large?'
  10.0 say car 1: 'Take your time. What size would you like for the coke: small, medium or large?'
  10.0 turn car 1: 'large' conf 0.95 page None said 'A large Coke. Anything else?'
  10.0 order car 1: [1 large Coke] open 226
  10.0 say car 1: 'A large Coke. Anything else?'
  10.0 turn car 1: 'that is all' conf 0.95 page None said 'You have a large Coke. Your total is \$2.26. Is that right?'
  10.0 say car 1: 'You have a large Coke. Your total is \$2.26. Is that right?'
  13.0 turn car 1: 'yes' conf 0.95 page None said 'Thank you! Please pull forward to the window.'
  13.0 say car 1: 'Thank you! Please pull forward to the window.'
  13.0 confirmed car 1: [1 large Coke] confirmed 226
  13.0 car car 1: left confirmed confirmed 226"

case_ "an empty car (noise started it): the nudge, then it has left; no page" '
set nudge 5
set car_gone 20
say -c 0.9 hello
wait 60' \
"   0.0 car car 1: arrived
   0.0 turn car 1: 'hello' conf 0.90 page None said 'Welcome to Burger Barn! What can I get you?'
   0.0 say car 1: 'Welcome to Burger Barn! What can I get you?'
   5.0 say car 1: 'Take your time. What can I get you?'
  25.0 car car 1: left gone cancelled 0"

case_ "a person asked for: the crew's car waits in silence for them; take, talk, edits, apply refused, gone" '
say a cookie
say can i talk to a person
wait 600
crew take
crew talk
crew release
crew add a large fries
crew add a large fries
crew change the cookie to three
crew remove 9
crew apply
crew gone
crew ack' \
"   0.0 car car 1: arrived
   0.0 turn car 1: 'a cookie' conf 0.95 page None said 'Welcome to Burger Barn! A Cookie. Anything else?'
   0.0 order car 1: [1 Cookie] open 107
   0.0 say car 1: 'Welcome to Burger Barn! A Cookie. Anything else?'
   0.0 turn car 1: 'can i talk to a person' conf 0.95 page human_request said 'A team member will be right with you.'
   0.0 order car 1: [1 Cookie] crew 107
   0.0 page car 1: human_request
   0.0 say car 1: 'A team member will be right with you.'
  10.0 escalate car 1: remind after 10 s
  30.0 escalate car 1: manager after 30 s
 600.0 override car 1: take_over
 600.0 order car 1: [1 Cookie] crew 107
 600.0 ack car 1: after 600 s by take_over
  reply {\"ok\": \"take_over\"}
 600.0 override car 1: talk down True
  reply {\"ok\": \"talk\"}
 600.0 override car 1: talk down False
  reply {\"ok\": \"talk\"}
 600.0 order car 1: [1 Cookie, 1 large Fries] crew 409
  reply {\"ok\": \"edit\"}
 600.0 order car 1: [1 Cookie, 2 large Fries] crew 711
  reply {\"ok\": \"edit\"}
 600.0 order car 1: [3 Cookie, 2 large Fries] crew 926
  reply {\"ok\": \"edit\"}
  reply {\"error\": \"no line 9\"}
  reply {\"error\": \"the customer's last turn is in the order already\"}
 600.0 car car 1: left gone crew 926
  reply {\"ok\": \"gone\"}
  reply {\"error\": \"no page is waiting\"}"

case_ "unsure: the crew agrees with what the kiosk heard (apply, once), hands back, the kiosk carries on" '
say -c 0.40 -f "and uh cookie" a cookie
crew apply
crew apply
crew back
say that is all
say yes' \
"   0.0 car car 1: arrived
   0.0 turn car 1: 'a cookie' conf 0.40 page low_confidence said 'A team member will be right with you.'
   0.0 order car 1: [] crew 0
   0.0 page car 1: low_confidence
   0.0 say car 1: 'A team member will be right with you.'
   0.0 order car 1: [1 Cookie] crew 107
   0.0 ack car 1: after 0 s by apply
  reply {\"ok\": \"apply\"}
  reply {\"error\": \"the customer's last turn is in the order already\"}
   0.0 override car 1: hand_back
   0.0 order car 1: [1 Cookie] open 107
  reply {\"ok\": \"hand_back\"}
   0.0 turn car 1: 'that is all' conf 0.95 page None said 'You have a Cookie. Your total is \$1.07. Is that right?'
   0.0 say car 1: 'You have a Cookie. Your total is \$1.07. Is that right?'
   0.0 turn car 1: 'yes' conf 0.95 page None said 'Thank you! Please pull forward to the window.'
   0.0 say car 1: 'Thank you! Please pull forward to the window.'
   0.0 confirmed car 1: [1 Cookie] confirmed 107
   0.0 car car 1: left confirmed confirmed 107"

# ---- the manager edits the menu (issue 18, item 5): `menu FILE` reloads as kiosk run does ----
# winter.yaml: the sample menu as a manager edited it: another title, the
# cookie and the sprite sold out, the apple pie back on sale
python3 - "$T/winter.yaml" <<'PY'
import sys
out = []
for line in open("menus/burger.yaml"):
    if line == "menu: Burger Barn\n": line = "menu: Burger Barn Winter\n"
    if line == "    available: false\n": continue
    out.append(line)
    if line in ("    price: 0.99\n", "    say: [sprite]\n"): out.append("    available: false\n")
open(sys.argv[1], "w").write("".join(out))
PY
# saved mid-edit: a new item's price typed without its colon yet
sed 's/^options:$/  - name: Pretzel\n    say: [pretzel]\n    price 2\n\noptions:/' "$T/winter.yaml" > "$T/midedit.yaml"
: > "$T/empty.yaml"
cp menus/burger.yaml "$T/burger.yaml"

case_ "an edit mid-order: the car keeps its menu, but what is sold out (or back) applies at once; the next car gets it" '
say a cookie
menu winter.yaml
say a cookie
say an apple pie
say that is all
say yes
say a cookie and a sprite' \
"   0.0 car car 1: arrived
   0.0 turn car 1: 'a cookie' conf 0.95 page None said 'Welcome to Burger Barn! A Cookie. Anything else?'
   0.0 order car 1: [1 Cookie] open 107
   0.0 say car 1: 'Welcome to Burger Barn! A Cookie. Anything else?'
   0.0 menu car 1: winter.yaml ok 'Burger Barn Winter' 31 items sold out ['Sprite', 'Cookie'] from car 2 warnings 3
   0.0 turn car 1: 'a cookie' conf 0.95 page None said \"Sorry, we're out of cookie. Anything else?\"
   0.0 say car 1: \"Sorry, we're out of cookie. Anything else?\"
   0.0 turn car 1: 'an apple pie' conf 0.95 page None said 'An Apple Pie. Anything else?'
   0.0 order car 1: [1 Cookie, 1 Apple Pie] open 247
   0.0 say car 1: 'An Apple Pie. Anything else?'
   0.0 turn car 1: 'that is all' conf 0.95 page None said 'You have a Cookie and an Apple Pie. Your total is \$2.47. Is that right?'
   0.0 say car 1: 'You have a Cookie and an Apple Pie. Your total is \$2.47. Is that right?'
   0.0 turn car 1: 'yes' conf 0.95 page None said 'Thank you! Please pull forward to the window.'
   0.0 say car 1: 'Thank you! Please pull forward to the window.'
   0.0 confirmed car 1: [1 Cookie, 1 Apple Pie] confirmed 247
   0.0 car car 1: left confirmed confirmed 247
   0.0 car car 2: arrived
   0.0 turn car 2: 'a cookie and a sprite' conf 0.95 page None said \"Welcome to Burger Barn Winter! Sorry, we're out of cookie. Sorry, we're out of sprite. What can I get you?\"
   0.0 say car 2: \"Welcome to Burger Barn Winter! Sorry, we're out of cookie. Sorry, we're out of sprite. What can I get you?\"
   0.0 car car 2: left stopped open 0"
check "an edit mid-order: stderr" \
"kiosk replay: $T/winter.yaml: reloaded: Burger Barn Winter, 31 items, sold out: Sprite, Cookie; from car 2 (car 1 keeps its menu, but what is sold out applies now)
kiosk replay: $T/winter.yaml:140:5: warning: item \"Number One\": drink Sprite is sold out (available: false), so the kiosk offers only Coke, Diet Coke, Root Beer, Iced Tea, Lemonade
kiosk replay: $T/winter.yaml:146:5: warning: item \"Number Two\": drink Sprite is sold out (available: false), so the kiosk offers only Coke, Diet Coke, Root Beer, Iced Tea, Lemonade
kiosk replay: $T/winter.yaml:152:5: warning: item \"Number Three\": drink Sprite is sold out (available: false), so the kiosk offers only Coke, Diet Coke, Root Beer, Iced Tea, Lemonade" "$(cat "$T/err")"

case_ "broken saves (mid-edit, empty, deleted) keep the menu and say why, once each; the same text is nothing new; fixed, it applies" '
menu midedit.yaml
menu empty.yaml
menu nothere.yaml
say a cookie
menu burger.yaml
menu burger.yaml
menu winter.yaml
crew cancel
say a cookie' \
"   0.0 menu car -: midedit.yaml failed, keeps 'Burger Barn': midedit.yaml:167:5: \"price 2\" needs a colon after the key: \"price: 2\"
   0.0 menu car -: empty.yaml failed, keeps 'Burger Barn': empty.yaml:1:1: the file is empty; write at least menu: and items:
   0.0 menu car -: nothere.yaml failed, keeps 'Burger Barn': nothere.yaml: cannot read: No such file or directory
   0.0 car car 1: arrived
   0.0 turn car 1: 'a cookie' conf 0.95 page None said 'Welcome to Burger Barn! A Cookie. Anything else?'
   0.0 order car 1: [1 Cookie] open 107
   0.0 say car 1: 'Welcome to Burger Barn! A Cookie. Anything else?'
   0.0 menu car 1: menus/burger.yaml ok 'Burger Barn' 31 items sold out ['Apple Pie'] from car 2
   0.0 menu car 1: winter.yaml ok 'Burger Barn Winter' 31 items sold out ['Sprite', 'Cookie'] from car 2 warnings 3
   0.0 order car 1: [1 Cookie] cancelled 107
   0.0 car car 1: left cancelled cancelled 107
  reply {\"ok\": \"cancel\"}
   0.0 car car 2: arrived
   0.0 turn car 2: 'a cookie' conf 0.95 page None said \"Welcome to Burger Barn Winter! Sorry, we're out of cookie. What can I get you?\"
   0.0 say car 2: \"Welcome to Burger Barn Winter! Sorry, we're out of cookie. What can I get you?\"
   0.0 car car 2: left stopped open 0"
check "broken saves: stderr, each error a FILE:LINE:COL line" \
"kiosk replay: $T/midedit.yaml: not reloaded, 1 error; the kiosk keeps its menu (Burger Barn):
$T/midedit.yaml:167:5: \"price 2\" needs a colon after the key: \"price: 2\"
kiosk replay: $T/empty.yaml: not reloaded, 1 error; the kiosk keeps its menu (Burger Barn):
$T/empty.yaml:1:1: the file is empty; write at least menu: and items:
kiosk replay: $T/nothere.yaml: not reloaded, 1 error; the kiosk keeps its menu (Burger Barn):
$T/nothere.yaml: cannot read: No such file or directory
kiosk replay: $T/burger.yaml: reloaded: Burger Barn, 31 items, sold out: Apple Pie; from car 2 (car 1 keeps its menu, but what is sold out applies now)
kiosk replay: $T/burger.yaml: unchanged (Burger Barn, 31 items)
kiosk replay: $T/winter.yaml: reloaded: Burger Barn Winter, 31 items, sold out: Sprite, Cookie; from car 2 (car 1 keeps its menu, but what is sold out applies now)
kiosk replay: $T/winter.yaml:140:5: warning: item \"Number One\": drink Sprite is sold out (available: false), so the kiosk offers only Coke, Diet Coke, Root Beer, Iced Tea, Lemonade
kiosk replay: $T/winter.yaml:146:5: warning: item \"Number Two\": drink Sprite is sold out (available: false), so the kiosk offers only Coke, Diet Coke, Root Beer, Iced Tea, Lemonade
kiosk replay: $T/winter.yaml:152:5: warning: item \"Number Three\": drink Sprite is sold out (available: false), so the kiosk offers only Coke, Diet Coke, Root Beer, Iced Tea, Lemonade" "$(cat "$T/err")"

# (the menu put back is the one loaded at start, menus/burger.yaml's: the same text)

# ---- the store keeps the good menus; kiosk run starts on the last one when its file is broken ----
cp menus/burger.yaml "$T/m.yaml"
printf 'menu winter.yaml\nmenu midedit.yaml\nmenu burger.yaml\nmenu winter.yaml\n' > "$T/m.script"
"$K" replay --menu "$T/m.yaml" --db "$T/m.db" --script "$T/m.script" >/dev/null 2>&1
check "the store keeps each good text once, under the menu file's path, by its sha256" \
  "[('m.yaml', 'Burger Barn', True), ('m.yaml', 'Burger Barn Winter', True)]" \
  "$(python3 -c "
import hashlib, os, sqlite3
rows = sqlite3.connect('$T/m.db').execute('select path, sha256, text from menus order by kept')
print([(os.path.relpath(p, os.path.realpath('$T')), t.split('\\nmenu: ')[1].split('\\n')[0],
        h == hashlib.sha256(t.encode()).hexdigest()) for p, h, t in rows])")"
cp "$T/midedit.yaml" "$T/m.yaml"
out=$(XDG_RUNTIME_DIR=$T/none PULSE_RUNTIME_PATH=$T/none ASAN_OPTIONS=detect_leaks=0 "$KS" run --menu "$T/m.yaml" \
      --db "$T/m.db" --headless 2>&1)
check "a broken menu file at start, a good one kept: runs on it (here, no sound card: exits 1 after)" 1 $?
check "a broken menu file at start: the errors, then which menu it runs on" \
"$T/m.yaml:167:5: \"price 2\" needs a colon after the key: \"price: 2\"
kiosk run: $T/m.yaml: 1 error (above); running on the last good menu (Burger Barn Winter), kept at DATE in $T/m.db" \
  "$(printf '%s\n' "$out" | head -2 | sed -E 's/kept at [0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2} in/kept at DATE in/')"
out=$("$KS" run --menu "$T/m.yaml" --db "$T/fresh.db" --headless 2>&1)
check "a broken menu file and nothing kept: exits 2, as before" 2 $?
check "a broken menu file and nothing kept: only the errors; no database made" \
  "$T/m.yaml:167:5: \"price 2\" needs a colon after the key: \"price: 2\" no db" \
  "$out $([ -e "$T/fresh.db" ] && echo db || echo no db)"

# ---- a recording through the recogniser, on the same virtual clock ----
# (make check runs this script without speech: SCRIPT_NO_SPEECH=1)
if [ -z "${SCRIPT_NO_SPEECH:-}" ]; then
espeak-ng -v en-us -s 150 -w "$T/coke.wav" "a large coke"
printf 'wav coke.wav\nwait 5\ncrew cancel\n' > "$T/w.script"
out=$("$K" replay --menu menus/burger.yaml --script "$T/w.script" 2>"$T/err")
check "wav: exits 0" 0 $?
got=$(printf '%s\n' "$out" | show | sed -E "s/^ +[0-9.]+ turn car 1: 'a large coke' conf [0-9.]+ page None/TURN/")
contains "wav: the recording heard, answered" "TURN said 'Welcome to Burger Barn! A large Coke. Anything else?'" "$got"
contains "wav: the clock moved on by the recording's length, then 5 s" "car 1: left cancelled cancelled 226" "$got"
check "wav: the turn's audio length" "True" "$(printf '%s\n' "$out" | python3 -c '
import json, sys
t = [json.loads(l) for l in sys.stdin if "\"turn\"" in l][0]
print(700 < t["audio_ms"] < 2500 and abs(t["t"] - 1800014400 - t["audio_ms"] / 1000) < 0.002)')"

# new words: a recogniser of their own for the next car; the car at the post keeps its own
sed 's/^options:$/  - name: Pretzel\n    say: [pretzel, soft pretzel]\n    price: 2.49\n\noptions:/' menus/burger.yaml \
  > "$T/pretzel.yaml"
espeak-ng -v en-us -s 150 -w "$T/pretzel.wav" "a soft pretzel"
printf 'wav coke.wav\nmenu pretzel.yaml\nwav pretzel.wav\ncrew cancel\nwav pretzel.wav\n' > "$T/p.script"
out=$("$K" replay --menu menus/burger.yaml --script "$T/p.script" 2>"$T/err")
check "new words: exits 0" 0 $?
check "new words: car 1 (the old grammar) cannot hear a pretzel; car 2 does" "1 [] | 2 ['a soft pretzel'] Pretzel" \
  "$(printf '%s\n' "$out" | python3 -c '
import json, sys
E = [json.loads(l) for l in sys.stdin if l.startswith("{\"t\"")]
heard = lambda car: [e["heard"] for e in E if e["event"] == "turn" and e["car"] == car and "pretzel" in e["heard"]]
o = [e for e in E if e["event"] == "order" and e["car"] == 2][-1]["order"]
print(1, heard(1), "|", 2, heard(2), o["lines"][0]["item"])')"
contains "new words: the recogniser built, said on stderr" "kiosk replay: $T/pretzel.yaml: new words: their recogniser was built in " \
  "$(cat "$T/err")"
fi

# ---- mistakes in a script: one line naming the file and line, nothing run ----
bad() { # NAME SCRIPT MESSAGE
  printf '%s\n' "$2" > "$T/b.script"
  local out; out=$("$KS" replay --menu menus/burger.yaml --script "$T/b.script" 2>&1)
  check "$1: exits 2" 2 $?
  contains "$1: says why" "$3" "$out"
}
bad "an unknown step" $'say a coke\nfly away' "$T/b.script:2: \"fly\" is not a step: wav, say, wait, crew, menu or set"
bad "wait without seconds" 'wait soon' "$T/b.script:1: wait soon: give the seconds that pass, e.g. wait 12"
bad "a crew command that is none" 'crew dance' "$T/b.script:1: crew dance: not a command a station sends"
bad "a missing recording" 'wav nothere.wav' "$T/b.script:1: "
bad "a setting after the first turn" $'say a coke\nset nudge 3' "$T/b.script:2: set nudge 3: settings go before the first turn"
bad "a bad setting" 'set nudge soon' "$T/b.script:1: set: \"soon\" is not a number of seconds from 0 to 3600"
out=$("$K" replay --menu menus/burger.yaml --script "$T/none.script" 2>&1); check "no script: exits 2" 2 $?
contains "no script: named" "cannot read the script $T/none.script" "$out"
out=$("$K" replay --menu menus/burger.yaml --script "$T/b.script" --json 2>&1); check "--script with --json: exits 2" 2 $?
contains "--script with --json: why" "--script takes only --menu, --db, --threshold, --mqtt and --store" "$out"

# ---- the store gets the same events ----
printf 'say a coke\nsay small\ncrew confirm\n' > "$T/d.script"
out=$("$K" replay --menu menus/burger.yaml --db "$T/k.db" --script "$T/d.script")
check "--db: the store's events are the lines printed" "True" "$(python3 -c "
import sqlite3, sys
printed = [l for l in sys.argv[1].splitlines() if l.startswith('{\"t\"')]
stored = [r[0] for r in sqlite3.connect('$T/k.db').execute('select json from events order by rowid')]
print(printed == stored and len(stored) > 5)" "$out")"

echo "script: $pass passed, $fails failed"
[ "$fails" -eq 0 ]
