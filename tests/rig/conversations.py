#!/usr/bin/env python3
"""Makes the echo rig's conversations (tests/rig/rig.c) at test time: nothing spoken is committed.

    python3 tests/rig/conversations.py --out DIR [--seed 19] [--n 30] [--only c03,c17] [--noises engine]
    python3 tests/rig/conversations.py --out DIR --echo-minutes M     (the kiosk talking to nobody)
    python3 tests/rig/conversations.py --out DIR --check build/kiosk  (each conversation through
                                                                        kiosk replay, quiet, turn by turn)

Writes, for each conversation cNN, DIR/cNN/conv.txt (the rig's format: TRIGGER MS | WORDS | WAV),
its turns' WAVs (espeak-ng, then sox to 16 kHz mono) and DIR/cNN/rig.args (the rig's options:
the echo path and the noise); DIR/noise/{engine,wind,traffic}.wav (30 s each, the recipes of
tests/speech/eval.py, at 16 kHz); DIR/conversations.json, the whole plan.

The 30 conversations, in a seeded order, four kinds of customer (menus/burger.yaml):
- wait (8): an order, "that's all", "yes", each 0.7-1.5 s after the kiosk stops talking;
- greeting (8): "hello", then "a cheeseburger and a large coke" 0.6-1.2 s into the kiosk's
  greeting (its first answer, "Welcome to Burger Barn! ..."), then waits;
- readback (8): "a cheeseburger and a medium coke", "that's all", then 1.0-2.5 s into the
  read-back one of "make it a large", "and a large fries", "and a medium coke", then "yes";
- pause (6): "can i get" + 600-900 ms of silence + "a number two" (or "i'd like" + ... + "two
  cheeseburgers"), the drink when asked, "that's all", "yes".
Each customer is one voice (en-us, +f3, +m3, +f4, +m7, +f2; not +f3 for "hello") at one rate (140-190 words a
minute); each conversation an echo path: delay 20-120 ms, attenuation 6-15 dB, RT60 100-300 ms,
the lane's noise (engine, wind, traffic in turn, or those of --noises) at an SNR of 10-20 dB;
the same seed gives the same conversations and echo paths whatever the noises.

The phrasings are those the kiosk hears in quiet, half-duplex conditions (--check replays them,
each turn its own WAV, as the live kiosk would cut them): "no wait make it a large", the
issue's example, pages low_confidence on all five voices tried (the grammar hears "no make them
eighty large"), so the read-back is interrupted with "make it a large" instead; "hello" is
heard as "a coke", "coke" or "no" (the kiosk greets on "no", asks the coke's size on the
others): either way its first answer opens with the welcome, which is what the greeting's
interrupters talk over.
"""
import argparse
import array
import json
import os
import random
import subprocess
import sys
import wave

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "speech"))
import eval as speech_eval  # noqa: E402  (its sox recipes for the lane's noise)

RATE = 16000
VOICES = ["en-us", "en-us+f3", "en-us+m3", "en-us+f4", "en-us+m7", "en-us+f2"]
# "hello" by +f3 is heard as "that is all" (and pages low_confidence) in quiet replay
GREETING_VOICES = [v for v in VOICES if v != "en-us+f3"]
NOISES = ["engine", "wind", "traffic"]
NOISE_SECONDS = 30.0
LOUD = int(32768 * 10 ** (-40 / 20))   # the rig's "loud sample" (LOUD_DBFS in rig.c)

WAIT_ORDERS = [
    "a cheeseburger and a large coke",
    "a chicken sandwich and a large fries",
    "two hamburgers and a medium sprite",
    "a double cheeseburger and a small coke",
    "a fish sandwich and a large lemonade",
]   # not "a veggie burger and a medium root beer": +f3 gets nuggets out of it
READBACK_CHANGES = ["make it a large", "and a large fries", "and a medium coke"]
PAUSES = [("can i get", "a number two"), ("i'd like", "two cheeseburgers")]
DRINKS = ["a coke", "a sprite", "a lemonade"]
KINDS = ["wait"] * 8 + ["greeting"] * 8 + ["readback"] * 8 + ["pause"] * 6


def run(argv):
    r = subprocess.run(argv, capture_output=True, text=True)
    if r.returncode:
        sys.exit(f"conversations.py: {argv[0]} failed ({r.returncode}): {r.stderr.strip()[:300]}")


def read_pcm(path):
    with wave.open(path) as w:
        if w.getframerate() != RATE or w.getnchannels() != 1 or w.getsampwidth() != 2:
            sys.exit(f"conversations.py: {path}: not 16 kHz mono 16-bit")
        return array.array("h", w.readframes(w.getnframes()))


def write_pcm(path, pcm):
    with wave.open(path, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(pcm.tobytes())


def loud_extent(pcm):
    idx = [i for i, x in enumerate(pcm) if abs(x) > LOUD]
    return (idx[0], idx[-1]) if idx else (0, len(pcm) - 1)


def speak(text, voice, wpm, out):
    """espeak-ng at its own rate, then sox to 16 kHz mono 16-bit, 100 ms of silence each side."""
    raw = out + ".22k.wav"
    run(["espeak-ng", "-v", voice, "-s", str(wpm), "-w", raw, text])
    run(["sox", "-R", "-q", raw, "-r", str(RATE), "-c", "1", "-b", "16", out, "pad", "0.1", "0.1"])
    os.remove(raw)


def speak_paused(first, second, pause_ms, voice, wpm, out):
    """`first`, then exactly pause_ms of silence between the last loud sample of the one and the
    first loud sample of the other, then `second`: a customer who stops to think mid-sentence."""
    a, b = out + ".a.wav", out + ".b.wav"
    speak(first, voice, wpm, a)
    speak(second, voice, wpm, b)
    pa, pb = read_pcm(a), read_pcm(b)
    _, a_end = loud_extent(pa)
    b_on, _ = loud_extent(pb)
    gap = array.array("h", [0]) * (pause_ms * RATE // 1000 - 1)
    write_pcm(out, pa[:a_end + 1] + gap + pb[b_on:])
    os.remove(a)
    os.remove(b)


def make_noise(outdir):
    os.makedirs(outdir, exist_ok=True)
    paths = {}
    for kind in NOISES:
        p = os.path.join(outdir, kind + ".wav")
        if not os.path.exists(p):
            run(speech_eval.noise_argv(kind, RATE, 1, NOISE_SECONDS, p + ".tmp.wav", -6))
            os.replace(p + ".tmp.wav", p)
        paths[kind] = p
    return paths


def plan(seed, n, noises=NOISES):
    """The conversations as data: kind, voice, rate, echo path, turns (trigger, ms, words...)."""
    rnd = random.Random(seed)
    kinds = KINDS[:]
    rnd.shuffle(kinds)
    convs = []
    for i in range(n):
        kind = kinds[i % len(kinds)]
        cid = f"c{i + 1:02d}"
        voice = rnd.choice(GREETING_VOICES if kind == "greeting" else VOICES)
        wpm = rnd.randint(140, 190)

        def waits():
            return rnd.randint(700, 1500)
        first_at = rnd.randint(500, 1500)
        turns = []
        if kind == "wait":
            turns = [("at", first_at, rnd.choice(WAIT_ORDERS)), ("wait", waits(), "that's all"),
                     ("wait", waits(), "yes")]
        elif kind == "greeting":
            turns = [("at", first_at, "hello"), ("over", rnd.randint(600, 1200), "a cheeseburger and a large coke"),
                     ("wait", waits(), "that's all"), ("wait", waits(), "yes")]
        elif kind == "readback":
            turns = [("at", first_at, "a cheeseburger and a medium coke"), ("wait", waits(), "that's all"),
                     ("over", rnd.randint(1000, 2500), rnd.choice(READBACK_CHANGES)), ("wait", waits(), "yes")]
        else:
            a, b = rnd.choice(PAUSES)
            pause = rnd.randint(600, 900)
            turns = [("at", first_at, f"{a} ... {b}", a, b, pause)]
            if b == "a number two":
                turns.append(("wait", waits(), rnd.choice(DRINKS)))
            turns += [("wait", waits(), "that's all"), ("wait", waits(), "yes")]
        convs.append({
            "id": cid, "kind": kind, "voice": voice, "wpm": wpm,
            "rig": {"delay_ms": rnd.randint(20, 120), "atten_db": round(rnd.uniform(6, 15), 1),
                    "rt60_ms": rnd.randint(100, 300), "snr_db": round(rnd.uniform(10, 20), 1),
                    "noise": noises[i % len(noises)], "seed": seed * 1000 + i + 1},
            "turns": [{"trigger": t[0], "ms": t[1], "words": t[2].replace(" ... ", " "),
                       **({"parts": [t[3], t[4]], "pause_ms": t[5]} if len(t) > 3 else {})} for t in turns],
        })
    return convs


def echo_plan(minutes):
    """The kiosk talking with nobody there, until `kiosk run --echo-check` exists: one customer
    who keeps it talking, each turn 1 s after it stops: an order ("Welcome to Burger Barn! A
    Cheeseburger and a large Coke. Anything else?"), "that's all" (the read-back), "no" ("Sorry
    about that. What would you like to change?"), "that's all" (the read-back again), "yes"
    ("Thank you! ..."; the car leaves), and again: ~35 s a round, the kiosk speaking ~20 s of
    it (quiet replay: no page; run.sh says "gone" from a crew station after a page, so that a
    turn misheard does not leave the car to the crew for the rest of the run).  Every kiosk
    turn beyond these is its own voice or the noise.  minutes=0: no turn at all (the rig runs
    to its --limit-s), for --echo-check."""
    turns = []
    if minutes > 0:
        rounds = int(minutes * 60 / 35) + 1
        one = ["a cheeseburger and a large coke", "that's all", "no", "that's all", "yes"]
        for r in range(rounds):
            for w in one:
                turns.append({"trigger": "wait" if turns else "at", "ms": 1000 if turns else 500, "words": w})
    return [{"id": "echo", "kind": "echo", "voice": "en-us", "wpm": 160,
             "rig": {"delay_ms": 60, "atten_db": 6.0, "rt60_ms": 300, "snr_db": 15.0, "noise": "engine", "seed": 1},
             "turns": turns}]


def write(convs, out, noise):
    for c in convs:
        d = os.path.join(out, c["id"])
        os.makedirs(d, exist_ok=True)
        lines = [f"# {c['id']}: {c['kind']}, {c['voice']} at {c['wpm']} wpm (tests/rig/conversations.py)"]
        for k, t in enumerate(c["turns"], 1):
            wav = f"t{k}.wav"
            path = os.path.join(d, wav)
            if "parts" in t:
                speak_paused(t["parts"][0], t["parts"][1], t["pause_ms"], c["voice"], c["wpm"], path)
            else:
                speak(t["words"], c["voice"], c["wpm"], path)
            t["wav"] = os.path.join(c["id"], wav)
            lines.append(f"{t['trigger']} {t['ms']} | {t['words']} | {wav}")
        with open(os.path.join(d, "conv.txt"), "w") as f:
            f.write("\n".join(lines) + "\n")
        r = c["rig"]
        args = ["--delay-ms", r["delay_ms"], "--atten-db", r["atten_db"], "--rt60-ms", r["rt60_ms"],
                "--snr-db", r["snr_db"], "--noise", noise[r["noise"]], "--seed", r["seed"]]
        with open(os.path.join(d, "rig.args"), "w") as f:
            f.write(" ".join(str(a) for a in args) + "\n")
    with open(os.path.join(out, "conversations.json"), "w") as f:
        json.dump(convs, f, indent=1)


def check(convs, out, kiosk, menu):
    """Each conversation through `kiosk replay --json`, its turns as separate WAVs (quiet, as
    a half-duplex kiosk would cut them): what the kiosk heard and answered, turn by turn."""
    bad = 0
    for c in convs:
        files = [os.path.join(out, t["wav"]) for t in c["turns"]]
        r = subprocess.run([kiosk, "replay", "--json", "--menu", menu] + files, capture_output=True, text=True)
        if r.returncode:
            print(f"{c['id']}: kiosk replay failed ({r.returncode}): {r.stderr.strip()[:200]}")
            bad += 1
            continue
        d = json.loads(r.stdout)
        pages = [p["reason"] for p in d.get("pages", [])]
        print(f"{c['id']} {c['kind']:8s} {c['voice']:9s} {c['wpm']} wpm -> {d['order']['status']}"
              + (f"  PAGES {pages}" if pages else ""))
        for t, h in zip(c["turns"], d["turns"]):
            print(f"    {t['words']!r:40s} heard {h['heard']!r:40s} said {h['said'][:70]!r}")
        bad += bool(pages) or d["order"]["status"] != "confirmed"
    print(f"{len(convs) - bad} of {len(convs)} conversations confirmed with no page in quiet replay")
    return bad


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=19)
    ap.add_argument("--n", type=int, default=30)
    ap.add_argument("--only", help="ids, comma-separated (c03,c17)")
    ap.add_argument("--echo-minutes", type=float, help="the echo-only conversation instead")
    ap.add_argument("--check", metavar="KIOSK", help="then replay each conversation through KIOSK")
    ap.add_argument("--menu", default="menus/burger.yaml")
    ap.add_argument("--noises", default=",".join(NOISES),
                    help="the lane's noises, given to the conversations in turn (default engine,wind,traffic)")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    noise = make_noise(os.path.join(a.out, "noise"))
    if a.echo_minutes is not None:
        convs = echo_plan(a.echo_minutes)
    else:
        noises = a.noises.split(",")
        if not noises or any(x not in NOISES for x in noises):
            sys.exit(f"conversations.py: --noises {a.noises}: give some of {','.join(NOISES)}")
        convs = plan(a.seed, a.n, noises)
        if a.only:
            want = set(a.only.split(","))
            convs = [c for c in convs if c["id"] in want]
    write(convs, a.out, noise)
    print(f"conversations.py: {len(convs)} conversation(s) in {a.out}", file=sys.stderr)
    if a.check:
        sys.exit(1 if check(convs, a.out, a.check, a.menu) else 0)


if __name__ == "__main__":
    main()
