#!/usr/bin/env python3
"""crew_audio.py: what a recording of a PulseAudio monitor holds, for
tests/e2e/crew_audio.sh (plain Python: wave and a Goertzel filter).

  crew_audio.py WAV END [--between A B ...]

END is the wall-clock time the recording stopped at: its first sample is
taken to be its length before (a monitor source starts delivering a while
after the recorder connects, so the time it started at is no guide; a
recorder with a 20 ms latency loses at most that much at its end).  Prints one
JSON object: "chimes", each [onset, end] (wall clock) of a run of 20 ms
frames whose power is nearly all at 880 Hz (a pure tone: no voice is);
"sounds", each [onset, end] of a stretch of sound (frames above -50 dBFS,
no more than 0.3 s of silence inside); with --between, "between": the
seconds of sound between each pair of wall-clock times A, B."""
import array
import json
import math
import sys
import wave

FRAME_S = 0.02
CHIME_HZ = 880.0
LOUD = 10 ** (-50 / 10)      # mean square of -50 dBFS
PURE = 0.7                   # of the frame's power at 880 Hz: a tone


def load(path):
    with wave.open(path) as w:
        rate, ch, width = w.getframerate(), w.getnchannels(), w.getsampwidth()
        raw = w.readframes(w.getnframes())
    if width != 2:
        sys.exit(f"{path}: 16-bit samples expected")
    x = array.array("h", raw)
    if sys.byteorder != "little":
        x.byteswap()
    if ch > 1:
        x = array.array("h", (sum(x[i:i + ch]) // ch for i in range(0, len(x), ch)))
    return [v / 32768.0 for v in x], rate


def goertzel(frame, rate, hz):
    """The power at hz, normalised so that a sine of amplitude A gives A^2/4."""
    c = 2 * math.cos(2 * math.pi * hz / rate)
    s1 = s2 = 0.0
    for v in frame:
        s1, s2 = v + c * s1 - s2, s1
    return (s1 * s1 + s2 * s2 - c * s1 * s2) / (len(frame) ** 2)


def runs(flags, t0, gap):
    out, start, last = [], None, None
    for i, f in enumerate(flags):
        if not f:
            continue
        if start is None or i - last > gap:
            if start is not None:
                out.append([round(t0 + start * FRAME_S, 3), round(t0 + (last + 1) * FRAME_S, 3)])
            start = i
        last = i
    if start is not None:
        out.append([round(t0 + start * FRAME_S, 3), round(t0 + (last + 1) * FRAME_S, 3)])
    return out


def main():
    path, end = sys.argv[1], float(sys.argv[2])
    x, rate = load(path)
    start = end - len(x) / rate
    n = int(rate * FRAME_S)
    loud, pure = [], []
    for i in range(0, len(x) - n + 1, n):
        f = x[i:i + n]
        ms = sum(v * v for v in f) / n
        loud.append(ms > LOUD)
        pure.append(ms > LOUD and 2 * goertzel(f, rate, CHIME_HZ) / ms > PURE)
    res = {
        "start": start,
        "seconds": round(len(x) / rate, 3),
        # at least 60 ms of tone: a chime, not a vowel's glint
        "chimes": [c for c in runs(pure, start, 1) if c[1] - c[0] >= 0.06],
        "sounds": runs(loud, start, int(0.3 / FRAME_S)),
    }
    args = sys.argv[3:]
    if args[:1] == ["--between"]:
        res["between"] = []
        for a, b in zip(args[1::2], args[2::2]):
            i, j = (max(0, int((float(t) - start) / FRAME_S)) for t in (a, b))
            res["between"].append(round(sum(loud[i:j]) * FRAME_S, 3))
    print(json.dumps(res))


main()
