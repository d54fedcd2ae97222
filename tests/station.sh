# Sourced by the end-to-end scripts that watch a crew station in line mode
# (`kiosk crew` with its standard output in $SCREEN): what a person sees,
# step by step.
#   step NAME EXPECTED   the lines the station printed since the last step,
#                        masked as below, equal to EXPECTED
# Masked: the clock at the start of a line, the seconds in "page acknowledged
# after N s", the customer's words as the free pass made them out where they
# differ from what the kiosk understood (they vary with the recogniser; what
# the kiosk understood is compared exactly) and in a page's line; the bell is
# removed (count it in $SCREEN).
seen=0
screen_since() {
  sleep 0.4
  tail -n +$((seen + 1)) "$SCREEN" | tr -d '\a' | sed -E \
    -e 's/^[0-9]{2}:[0-9]{2}:[0-9]{2} //' \
    -e 's/^(car [0-9]+ customer: )"[^"]*", understood /\1(words), understood /' \
    -e 's/^(car [0-9]+ customer: )"[^"]*", nothing from/\1(words), nothing from/' \
    -e 's/^(\*\*\* PAGE car [0-9]+: [a-z ]+: )"[^"]*"$/\1(words)/' \
    -e 's/acknowledged after [0-9.]+ s/acknowledged after N s/'
}
step() {
  local got; got=$(screen_since)
  seen=$(wc -l <"$SCREEN")
  check "$1" "$2" "$got"
}
