#!/usr/bin/env bash
# `make run`: the kiosk on the sample menu, live, when this machine has a
# microphone; otherwise says so in one line and runs `make demo` instead.
kiosk=${1:-build/kiosk}
menu=${2:-menus/burger.yaml}
if "$kiosk" devices 2>/dev/null | awk 'NR > 1 && $2 > 0 { found = 1 } END { exit !found }'; then
  exec "$kiosk" run --menu "$menu"
fi
echo "make run: no microphone on this machine (\`kiosk devices\` lists none); running \`make demo\`, a sample conversation through the live kiosk"
exec bash "$(dirname "$0")/demo.sh" "$kiosk" "$menu"
