#!/usr/bin/env bash
# `make run`: the kiosk on the sample menu, live, when this machine has a
# microphone; otherwise says so in one line and runs `make demo` instead.
kiosk=${1:-build/kiosk}
menu=${2:-menus/burger.yaml}
here=$(dirname "$0")
if "$kiosk" devices 2>/dev/null | awk -f "$here/has_mic.awk"; then
  exec "$kiosk" run --menu "$menu"
fi
echo "make run: no microphone on this machine (\`kiosk devices\` lists none); running \`make demo\`, a sample conversation through the live kiosk"
exec bash "$here/demo.sh" "$kiosk" "$menu"
