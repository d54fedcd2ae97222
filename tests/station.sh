# Sourced by the end-to-end scripts that watch a crew station in line mode
# (`kiosk crew` with its standard output in $SCREEN): what a person sees,
# step by step.
#   step NAME EXPECTED   the lines the station printed since the last step,
#                        masked as below, equal to EXPECTED
# Masked: the clock at the start of a line, the seconds in "page acknowledged
# after N s", and the customer's words as the free pass made them out (they
# vary with the recogniser and with where the live endpointer cut the audio):
# a turn shows what the kiosk understood, compared exactly (customer: "two
# cokes"), or (words) when it understood nothing from the menu; a page shows
# (words).  The bell is removed (count it in $SCREEN).
seen=0
screen_since() {
  sleep 0.4
  tail -n +$((seen + 1)) "$SCREEN" | tr -d '\a' | sed -E \
    -e 's/^[0-9]{2}:[0-9]{2}:[0-9]{2} //' \
    -e 's/^(car [0-9]+ customer: )"[^"]*", understood ("[^"]*")/\1\2/' \
    -e 's/^(car [0-9]+ customer: )"[^"]*", nothing from/\1(words), nothing from/' \
    -e 's/^(\*\*\* PAGE car [0-9]+: [^:"]+: )"[^"]*"$/\1(words)/' \
    -e 's/acknowledged after [0-9.]+ s/acknowledged after N s/'
}
# A request for a person is heard by the grammar or only by the free pass,
# depending on where the live endpointer cut the audio; both page the same.
PERSON_SED='s/^(car [0-9]+ customer: )("can i talk to a person"|\(words\), nothing from the menu)$/\1(asks for a person)/'
step() { # NAME EXPECTED [SED]: SED is applied too
  local got; got=$(screen_since | sed -E -e "${3:-}")
  seen=$(wc -l <"$SCREEN")
  check "$1" "$2" "$got"
}
# all_json FILE MIN: "True" when every line of FILE parses as JSON and there
# are more than MIN of them; else what went wrong.
all_json() {
  python3 -c "
import json, sys
n = 0
for l in open(sys.argv[1]):
    json.loads(l); n += 1
print(True if n > int(sys.argv[2]) else f'only {n} lines')" "$1" "$2" 2>&1 | tail -1
}
