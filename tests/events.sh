# Sourced by the live tests: the kiosk's --events file is $EV, its pid $KPID
# (empty or unset while none runs).
#   count TYPE            how many events of TYPE so far
#   wait_for TYPE N [S]   until there are at least N events of TYPE, at most S
#                         seconds (30); 1 when not, or as soon as the kiosk has exited
#   field EXPR            prints a python expression over E, the list of events
count() { grep -c "\"event\": \"$1\"" "$EV" 2>/dev/null || true; }
wait_for() {
  for _ in $(seq $(( ${3:-30} * 10 ))); do
    [ "$(count "$1")" -ge "$2" ] && return 0
    if [ -n "${KPID:-}" ] && ! kill -0 "$KPID" 2>/dev/null; then return 1; fi
    sleep 0.1
  done
  return 1
}
field() { python3 -c "import json,sys; E=[json.loads(l) for l in open('$EV')]; print($1)"; }
