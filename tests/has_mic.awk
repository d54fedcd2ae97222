# has_mic.awk: exits 0 when `kiosk devices` lists a device with input
# channels (a microphone), else 1.  Only device lines count: they start with
# the device's index ("0    2    0    44100   pulse"); the header and the
# "(no audio devices: ...)" line do not.
$1 ~ /^[0-9]+$/ && $2 ~ /^[0-9]+$/ && $2 + 0 > 0 { found = 1 }
END { exit !found }
