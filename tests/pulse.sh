# Sourced: a private PulseAudio server with a null sink "drive" whose monitor is
# the default source, so PortAudio (ALSA's pulse device) has a microphone on a
# machine with no sound card.  Whatever paplay plays into the sink, the kiosk
# hears.  Uses $1 of pa_private (a scratch folder) for its runtime files.
#   pa_private DIR   exports XDG_RUNTIME_DIR/PULSE_RUNTIME_PATH/HOME under DIR
#   pa_start         starts the server (again, after pa_stop); 1 on failure
#   pa_start_rig     instead, the echo rig's two null sinks (tests/rig/): "kiosk_spk",
#                    the kiosk's loudspeaker (the default sink; tests/rig reads its
#                    .monitor), and "post_air", what the post's microphone hears
#                    (tests/rig writes it; its .monitor is the default source)
#   pa_stop          stops it
pa_private() {
  PA_DIR=$1
  export XDG_RUNTIME_DIR=$PA_DIR/run PULSE_RUNTIME_PATH=$PA_DIR/run/pulse HOME=$PA_DIR/home
  mkdir -p "$XDG_RUNTIME_DIR" "$HOME" && chmod 700 "$XDG_RUNTIME_DIR"
}
pa_start() {
  pulseaudio -n --daemonize=yes --exit-idle-time=-1 --use-pid-file=yes \
    -L module-native-protocol-unix -L "module-null-sink sink_name=drive" \
    --log-target=file:"$PA_DIR/pulse.log" 2>>"$PA_DIR/pulse.log" || return 1
  for _ in $(seq 50); do pactl info >/dev/null 2>&1 && break; sleep 0.1; done
  pactl set-default-sink drive && pactl set-default-source drive.monitor
}
# Both sinks 16 kHz mono, the rate of everything the rig does: the rig's own
# streams are never resampled, only the kiosk's (to and from its devices' rates).
pa_start_rig() {
  pulseaudio -n --daemonize=yes --exit-idle-time=-1 --use-pid-file=yes \
    -L module-native-protocol-unix \
    -L "module-null-sink sink_name=kiosk_spk rate=16000 channels=1" \
    -L "module-null-sink sink_name=post_air rate=16000 channels=1" \
    --log-target=file:"$PA_DIR/pulse.log" 2>>"$PA_DIR/pulse.log" || return 1
  for _ in $(seq 50); do pactl info >/dev/null 2>&1 && break; sleep 0.1; done
  # its main thread carries the rig's streams: real-time when it may be (its
  # sinks' threads are already), so that a busy machine delays them less
  chrt -f -p 5 "$(cat "$PULSE_RUNTIME_PATH/pid" 2>/dev/null)" 2>/dev/null || true
  pactl set-default-sink kiosk_spk && pactl set-default-source post_air.monitor
}
pa_stop() { pulseaudio --kill 2>/dev/null; sleep 0.3; }
