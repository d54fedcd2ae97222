#!/usr/bin/env bash
# `make run` until the live kiosk lands: speaks a sample conversation with
# espeak-ng (at run time: no audio is committed) and replays it through the
# kiosk on the sample menu, printing the transcript and the order.
set -euo pipefail
kiosk=${1:-build/kiosk}
menu=${2:-menus/burger.yaml}
dir=build/demo
mkdir -p "$dir"
turns=(
  "can i get two cheeseburgers no onions and a large coke"
  "and a number one with a sprite"
  "make that two"
  "that's all"
  "yes"
)
. "$(dirname "$0")/speak.sh"
speak "$dir" "${turns[@]}"
echo "The live kiosk (microphone, speaker, order board) is not built yet; replaying a sample conversation:"
echo
"$kiosk" replay --menu "$menu" "${files[@]}"
