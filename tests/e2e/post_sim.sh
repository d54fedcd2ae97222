#!/usr/bin/env bash
# kiosk post-sim: the simulated speaker post from the kiosk's end of its pty
# (tests/e2e/post_sim.py: a kiosk written from frame.h in Python): events
# after their debounce, each fault frame counted by its kind, link loss when
# unplugged, clear errors for bad lines and arguments.  About 15 s.
set -euo pipefail
K=${KIOSK:-build/kiosk}
exec timeout 120 python3 "$(dirname "$0")/post_sim.py" "$K"
