#!/usr/bin/env python3
"""barge_offline.py: the early barge-in replayed offline on the echo rig's recordings.

For each conversation of the given rig runs (tests/rig/run.sh's OUT folders), runs
build/aec_wav -e over its mic.wav and speaker.wav three times: as aec_wav has it; with -b (the
barge-in's frames as before 2026-12-08: the echo audible or not); with -c -b (the veto
before 2026-12-08 too: the canceller trusted for 10 dB at most), and prints for each how soon the customers who started over the kiosk's voice (rig.jsonl's
customer_on inside a kiosk_on..kiosk_off) would stop the prompt, and the barge-ins with no
customer speaking.  Offline the reference is the rig's recording of the loudspeaker, so
the canceller is paired better than the live kiosk's may be: this compares rules, it does
not replace the rig's live figures.

Usage: python3 tests/rig/barge_offline.py build/rig-run [more runs...]   (from the repository root)
Environment: AEC_WAV (build/aec_wav)."""
import glob
import json
import os
import re
import statistics
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

AEC_WAV = os.environ.get("AEC_WAV", "build/aec_wav")


RULES = (("cap", ["-c", "-b"], "before 2026-12-08 (-c -b)"),
         ("veto", ["-b"], "the spell's ERLE trusted, any frame (-b)"),
         ("now", [], "the spell's ERLE, heard frames (aec_wav's default; the live kiosk keeps the cap)"))


def barges(conv, flags):
    out = subprocess.run([AEC_WAV, "-e"] + flags + [conv + "/mic.wav", conv + "/speaker.wav"],
                         capture_output=True, text=True, check=True).stdout
    return [float(m.group(1)) for m in re.finditer(r"^\s*([\d.]+) s  barge-in", out, re.M)]


def spans(rig, on, off):
    v = []
    for e in rig:
        if e["event"] == on:
            v.append([e["s"], None])
        elif e["event"] == off and v:
            v[-1][1] = e["s"]
    return v


def conv(c):
    rig = [json.loads(line) for line in open(c + "/rig.jsonl")]
    cust, kiosk = spans(rig, "customer_on", "customer_off"), spans(rig, "kiosk_on", "kiosk_off")
    res = {}
    for name, flags, _ in RULES:
        b = barges(c, flags)
        lat, false = [], []
        for on, _ in cust:
            if any(k0 <= on < (k1 or 1e9) for k0, k1 in kiosk):
                hit = [x for x in b if on <= x <= on + 1.5]
                lat.append((hit[0] - on) * 1000 if hit else None)
        false = [x for x in b if not any(on - 0.05 <= x <= (off or on + 5) + 0.5 for on, off in cust)]
        res[name] = (lat, false)
    return c, res


def main():
    if len(sys.argv) < 2:
        print(__doc__.split("\n\n")[-2], file=sys.stderr)
        return 2
    convs = sorted(c for d in sys.argv[1:] for c in glob.glob(d + "/c[0-9]*"))
    if not convs:
        print("barge_offline.py: no conversations in " + " ".join(sys.argv[1:]), file=sys.stderr)
        return 2
    with ThreadPoolExecutor(2) as ex:
        results = list(ex.map(conv, convs))
    for name, _, what in RULES:
        lat = [x for _, r in results for x in r[name][0]]
        got = sorted(x for x in lat if x is not None)
        false = [f"{c}@{x:.2f}s" for c, r in results for x in r[name][1]]
        p95 = got[min(len(got) - 1, int(0.95 * len(got)))] if got else float("nan")
        print(f"{what}: {len(lat)} customers began over the kiosk's voice, {len(got)} stopped it: "
              f"p50 {statistics.median(got) if got else float('nan'):.0f}, p95 {p95:.0f} ms after "
              f"their onset, {sum(x <= 170 for x in got)} within 170 ms; barge-ins with no "
              f"customer {len(false)} {' '.join(false)}")
    for c, r in results:
        show = lambda v: [round(x) if x is not None else None for x in v]
        if len({str(show(r[name][0])) for name, _, _ in RULES}) > 1:
            print(f"  {c}: " + " -> ".join(str(show(r[name][0])) for name, _, _ in RULES) + " ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
