#!/usr/bin/env python3
"""Quick answers (issue 19, item 4): turns with natural pauses, and short complete answers,
through the live kiosk's turn path offline (build/endpoint_wav --adaptive).

The set is made here at test time, never committed: each sentence below is spoken by
espeak-ng in pieces split at "|", the silence around each piece trimmed (sox), the pieces
joined with a pause of 300-1000 ms where people pause ("can i get | a number two", "a large
| coke", "a cheeseburger and | a large fries"), 500 ms before and 1 s after, over a faint
white-noise floor (about -58 dBFS, as tests/speech/eval.py lays under its turns), at 16 kHz.
Five voices at two speeds (eval.py's), each sentence with VARIANTS of them; the pause lengths
go round PAUSES so that every sentence gets short and long ones.  Audio is cached in
build/pauses/audio/ by a hash of what made it.

Groups:
  pause     a pause where the sentence is plainly unfinished (after a lead, an article, a
            size, "and", "with", "number", a quantity, "um"): the target, cut-offs <= 1 %
  after     a pause after a complete sentence ("a cheeseburger | and a coke"): reported
            beside, not in the target (a quicker end cuts these by design)
  answer    short complete answers ("yes", "that's all", "large" after "What size?")
  whole     whole orders said without a pause
Then, with --real DIR, the real recordings (DIR/clean/*.flac, with DIR/menu.yaml): whole
orders, some with hesitations.

Prints, per group and policy (fixed 700 ms, adaptive, adaptive without the hold at the pause,
and answers said ahead: the adaptive rule with the answer begun as soon as the decode at the
pause is back, unless unfinished, and the turn ended there when the speech comes back
TURN_AHEAD_HEARD_MS or more after it began, as the live kiosk does): cut-off rate, end of
speech to EP_END and to the answer (decode included) p50/p95, answers taken back.
--check fails (exit 1) when the pause group's cut-off rate with the adaptive rule is above
1 %, or any answer is cut off.  --small: a set of 16 turns for `make speech` (under 30 s).

    python3 tests/speech/pauses.py --real auto         # make bench: the set, then the real ones
    python3 tests/speech/pauses.py --small --check     # make speech
    python3 tests/speech/pauses.py --real ../shared/speech/real --sweep
The JSON of each run (every decode at every pause, and each policy's outcome) is kept in
build/pauses/set.json, small.json and real.json.
"""
import argparse
import hashlib
import json
import os
import subprocess
import sys
import wave

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

VOICES = ["en-us", "en-us+m3", "en-us+f2", "en-us+f5", "en-us+m5"]   # as make_set.py
SPEEDS = [140, 175]
VARIANTS = 5                     # (voice, speed) pairs each sentence is spoken with
PAUSES = [300, 450, 600, 750, 900, 1000]
NOISE_VOL = "0.002"              # as eval.py

# (group, category, sentence with "|" at the pauses, question it answers or "")
SET = [
    # after a lead
    ("pause", "lead", "can i get | a number two", ""),
    ("pause", "lead", "can i get | two cheeseburgers", ""),
    ("pause", "lead", "i'd like | a chicken sandwich", ""),
    ("pause", "lead", "i'd like | a large coke", ""),
    ("pause", "lead", "let me get | a vanilla shake", ""),
    ("pause", "lead", "give me | a double cheeseburger", ""),
    ("pause", "lead", "could i have | a side salad", ""),
    ("pause", "lead", "i want | a hamburger", ""),
    ("pause", "lead", "can we get | two large fries", ""),
    ("pause", "lead", "i need | a number three", ""),
    ("pause", "lead", "can i talk to | a manager", ""),
    # after an article
    ("pause", "article", "can i get a | cheeseburger", ""),
    ("pause", "article", "i'd like a | fish sandwich", ""),
    ("pause", "article", "a | number one", ""),
    ("pause", "article", "can i have a | large sprite", ""),
    ("pause", "article", "let me get an | iced tea", ""),
    ("pause", "article", "i'll have a | strawberry shake", ""),
    # after a size
    ("pause", "size", "a large | coke", ""),
    ("pause", "size", "a medium | sprite", ""),
    ("pause", "size", "can i get a small | fries", ""),
    ("pause", "size", "two large | lemonades", ""),
    ("pause", "size", "i'd like a large | root beer", ""),
    ("pause", "size", "a small | vanilla shake", ""),
    # between items, after "and"
    ("pause", "and", "a cheeseburger and | a large coke", ""),
    ("pause", "and", "two hamburgers and | a diet coke", ""),
    ("pause", "and", "a number two and | a cookie", ""),
    ("pause", "and", "a chicken sandwich and | two small fries", ""),
    ("pause", "and", "can i get a big stack and | a sprite", ""),
    ("pause", "and", "a fish sandwich and | an orange juice", ""),
    # after "number" or a quantity
    ("pause", "number", "a number | two", ""),
    ("pause", "number", "can i get a number | one", ""),
    ("pause", "number", "i'd like a number | three meal", ""),
    ("pause", "number", "two | double cheeseburgers", ""),
    ("pause", "number", "can i get three | chicken sandwiches", ""),
    # after "with", an amount, "no"
    ("pause", "with", "a hamburger with | extra pickles", ""),
    ("pause", "with", "a number one with | a sprite", ""),
    ("pause", "with", "a cheeseburger with | bacon", ""),
    ("pause", "with", "a coffee with | cream and sugar", ""),
    ("pause", "with", "a hamburger with extra | pickles", ""),
    ("pause", "with", "a cheeseburger no | onions", ""),
    # thinking aloud, and two pauses in one turn
    ("pause", "um", "can i get um | a cheeseburger", ""),
    ("pause", "um", "a number two and uh | a coke", ""),
    ("pause", "two", "can i get | a large | coke", ""),
    ("pause", "two", "i'd like | a number | two", ""),
    ("pause", "two", "can i get a | double cheeseburger and | a large fries", ""),
    ("pause", "two", "let me get | two | cheeseburgers", ""),
    # a pause after a complete sentence: not the target
    ("after", "after", "a cheeseburger | and a large coke", ""),
    ("after", "after", "a number one | with a coke", ""),
    ("after", "after", "two hamburgers | no onions", ""),
    ("after", "after", "a large coke | and a cookie", ""),
    # short complete answers
    ("answer", "answer", "yes", "yesno"),
    ("answer", "answer", "no", "yesno"),
    ("answer", "answer", "yes please", "yesno"),
    ("answer", "answer", "that's all", ""),
    ("answer", "answer", "that's it", ""),
    ("answer", "answer", "no thanks", ""),
    ("answer", "answer", "a cheeseburger", ""),
    ("answer", "answer", "a large coke", ""),
    ("answer", "answer", "a number two", ""),
    ("answer", "answer", "large", "size:Coke"),
    ("answer", "answer", "a medium", "size:Fries"),
    ("answer", "answer", "sprite", "choice:Number One"),
    ("answer", "answer", "can i talk to a manager", ""),
    # whole orders without a pause
    ("whole", "whole", "can i get two cheeseburgers and a large coke", ""),
    ("whole", "whole", "i'd like a number one with a sprite", ""),
    ("whole", "whole", "a double cheeseburger no onions and a medium fries", ""),
    ("whole", "whole", "let me get three chicken sandwiches with bacon", ""),
    ("whole", "whole", "two hot fudge sundaes and a vanilla shake", ""),
    ("whole", "whole", "make it a large", ""),
]

# make speech: one of each kind of pause, long pauses (which the fixed 700 ms cuts) among them
SMALL = [
    ("can i get | a number two", 0, 900), ("i'd like a | fish sandwich", 1, 750),
    ("a large | coke", 2, 1000), ("a cheeseburger and | a large coke", 3, 600),
    ("a number | two", 4, 900), ("a hamburger with | extra pickles", 0, 750),
    ("can i get | a large | coke", 1, 600), ("two | double cheeseburgers", 2, 450),
    ("a cheeseburger no | onions", 3, 900), ("give me | a double cheeseburger", 4, 1000),
    ("yes", 0, 0), ("that's all", 1, 0), ("a cheeseburger", 2, 0), ("large", 3, 0),
    ("a number two", 4, 0), ("can i get two cheeseburgers and a large coke", 0, 0),
]


def run(argv, **kw):
    r = subprocess.run(argv, capture_output=True, text=True, **kw)
    if r.returncode != 0:
        sys.exit(f"pauses.py: {argv[0]} failed ({r.returncode}): {r.stderr.strip()[:300]}")
    return r


def read_wav(path):
    with wave.open(path) as w:
        assert w.getsampwidth() == 2 and w.getnchannels() == 1
        return w.getframerate(), w.readframes(w.getnframes())


def speak(text, voice, speed, pauses, out):
    """The pieces of text (split at "|") joined by pauses (ms), into out at 16 kHz."""
    tmp = out + ".tmp"
    os.makedirs(tmp, exist_ok=True)
    pieces = [p.strip() for p in text.split("|")]
    rate, joined = 22050, bytearray()
    for i, piece in enumerate(pieces):
        raw, cut = f"{tmp}/p{i}.wav", f"{tmp}/t{i}.wav"
        run(["espeak-ng", "-v", voice, "-s", str(speed), "-w", raw, piece])
        # the silence espeak-ng leaves around a piece (~400 ms after it) would lengthen the pause
        run(["sox", raw, cut, "silence", "1", "0.005", "-60d", "reverse", "silence", "1", "0.005", "-60d",
             "reverse"])
        rate, pcm = read_wav(cut)
        gap = 500 if i == 0 else pauses[i - 1]
        joined += bytes(2 * (rate * gap // 1000)) + pcm
    joined += bytes(2 * rate)
    plain = f"{tmp}/joined.wav"
    with wave.open(plain, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(bytes(joined))
    dur = len(joined) / 2 / rate
    noise = f"|sox -R -n -r {rate} -c 1 -p synth {dur:.4f} whitenoise vol {NOISE_VOL}"
    run(["sox", "-R", "-q", "-m", "-v", "1", plain, "-v", "1", noise, "-r", "16000", "-b", "16", out + ".part.wav"])
    os.replace(out + ".part.wav", out)
    for f in os.listdir(tmp):
        os.remove(os.path.join(tmp, f))
    os.rmdir(tmp)


def make_set(outdir, small):
    """[(path, ask, group, category, text, pauses)]"""
    cases = []
    if small:
        by_text = {t: (g, c, a) for g, c, t, a in SET}
        for text, v, pause in SMALL:
            g, c, a = by_text[text]
            cases.append((g, c, text, a, v, [pause] * text.count("|")))
    else:
        k = 0
        for si, (g, c, text, a) in enumerate(SET):
            for j in range(VARIANTS):
                v = (si + j) % (len(VOICES) * len(SPEEDS))
                ps = []
                for _ in range(text.count("|")):
                    ps.append(PAUSES[k % len(PAUSES)])
                    k += 1
                cases.append((g, c, text, a, v, ps))
    out = []
    outdir = os.path.abspath(outdir)
    os.makedirs(os.path.join(outdir, "audio"), exist_ok=True)
    for g, c, text, a, v, ps in cases:
        voice, speed = VOICES[v % len(VOICES)], SPEEDS[v // len(VOICES) % len(SPEEDS)]
        key = hashlib.md5(json.dumps([text, voice, speed, ps, NOISE_VOL]).encode()).hexdigest()[:12]
        path = os.path.join(outdir, "audio", f"{key}.wav")
        if not os.path.exists(path):
            speak(text, voice, speed, ps, path)
        out.append({"path": path, "ask": a, "group": g, "category": c, "text": text, "voice": voice,
                    "speed": speed, "pauses": ps})
    return out


def simulate(tool, menu, files, asks, outfile, sweep):
    """{file: its JSON object}, and the sweep's policies ([] without --sweep)."""
    lst = outfile + ".list"
    with open(lst, "w") as f:
        for p, a in zip(files, asks):
            f.write(f"{p} {a}\n" if a else f"{p}\n")
    r = run([tool, "--adaptive", "--json", "--menu", menu, "--list", lst] + (["--sweep"] if sweep else []))
    with open(outfile, "w") as f:
        f.write(r.stdout)
    res, policies = {}, []
    for o in (json.loads(l) for l in r.stdout.splitlines() if l.startswith("{")):
        if "file" in o:
            res[o["file"]] = o
        else:
            policies = o["sweep"]
    return res, policies


def pct(v, q):
    if not v:
        return None
    v = sorted(v)
    i = max(0, min(len(v) - 1, -(-len(v) * q // 100) - 1))
    return v[int(i)]


POLICIES = [("fixed", "fixed 700 ms"), ("adaptive", "adaptive"), ("nohold", "adaptive, no hold"),
            ("ahead", "answers said ahead")]


def figures(results):
    """{policy: (cut, n, end p50, end p95, ready p50, ready p95)} over results (JSON objects)."""
    out = {}
    for key, _ in POLICIES:
        rs = [r[key] for r in results if key in r]
        kept = [r for r in rs if not r["cut"]]
        end = [r["end_delay"] for r in kept]
        ready = [r["ready_delay"] for r in kept]
        out[key] = (sum(r["cut"] for r in rs), len(rs), pct(end, 50), pct(end, 95), pct(ready, 50), pct(ready, 95),
                    sum(r.get("taken_back", 0) for r in rs))
    return out


def report(title, results):
    f = figures(results)
    print(f"{title}: {len(results)} turns")
    for key, name in POLICIES:
        cut, n, e50, e95, r50, r95, back = f[key]
        rate = 100.0 * cut / n if n else 0.0
        print(f"  {name:18} cut off {cut:3d}/{n:<3d} ({rate:5.2f} %)   end of speech to EP_END p50 {e50} p95 {e95} ms;"
              f" to the answer p50 {r50} p95 {r95} ms" + (f"; answers taken back {back}" if back else ""))
    return f


def sweep_table(policies, sets):
    """One line a policy: cut-offs and answer delays p50/p95 in each of sets [(name, results)]."""
    print("  sweep: quick ms, confidence, wait ms, unsure ms | per set: cut off, to the answer p50/p95 ms")
    for i, (q, c, w, m) in enumerate(policies):
        line = f"    {q:4d} {c:.2f} {w:4d} {m:4d} |"
        for name, rs in sets:
            rs = [r for r in rs if "sweep" in r]
            cut = sum(r["sweep"][i][0] for r in rs)
            ready = [r["sweep"][i][2] for r in rs if not r["sweep"][i][0]]
            line += f" {name} {cut:3d}/{len(rs):<3d} {pct(ready, 50)}/{pct(ready, 95)} |"
        print(line)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tool", default=os.path.join(ROOT, "build", "endpoint_wav"))
    ap.add_argument("--menu", default=os.path.join(ROOT, "menus", "burger.yaml"))
    ap.add_argument("--out", default=os.path.join(ROOT, "build", "pauses"))
    ap.add_argument("--small", action="store_true", help="16 turns, for make speech")
    ap.add_argument("--check", action="store_true", help="fail when the targets are missed")
    ap.add_argument("--real", help="also the real recordings of this folder (clean/*.flac, menu.yaml); "
                    "auto: $KIOSK_REAL_SPEECH or ../shared/speech/real, skipped in one line when neither is there")
    ap.add_argument("--real-only", action="store_true", help="only the real recordings (with --real)")
    ap.add_argument("-v", "--verbose", action="store_true", help="each cut-off turn and what was heard")
    ap.add_argument("--sweep", action="store_true", help="also a grid of the policy's figures")
    a = ap.parse_args()
    for tool in ("espeak-ng", "sox"):
        if subprocess.run(["sh", "-c", f"command -v {tool}"], capture_output=True).returncode:
            sys.exit(f"pauses.py: {tool} is needed")
    if not os.access(a.tool, os.X_OK):
        sys.exit(f"pauses.py: {a.tool} is missing: make build/endpoint_wav")
    os.makedirs(a.out, exist_ok=True)
    failed = []
    if not a.real_only:
        cases = make_set(a.out, a.small)
        res, policies = simulate(a.tool, a.menu, [c["path"] for c in cases], [c["ask"] for c in cases],
                                 os.path.join(a.out, "small.json" if a.small else "set.json"), a.sweep)
        for c in cases:
            c["r"] = res.get(c["path"], {})
        print(f"natural pauses ({'small set' if a.small else 'the set'}: {len(cases)} turns, "
              f"{len(VOICES)} voices x {len(SPEEDS)} speeds, pauses {PAUSES[0]}-{PAUSES[-1]} ms)")
        groups = {}
        for g in ("pause", "after", "answer", "whole"):
            rs = [c["r"] for c in cases if c["group"] == g and "fixed" in c["r"]]
            if rs:
                groups[g] = report(f"- {g}", rs)
        if not a.small:
            print("  the pause group by category, adaptive: cut off / turns")
            cats = sorted({c["category"] for c in cases if c["group"] == "pause"})
            print("   ", ", ".join(f"{cat} {sum(c['r']['adaptive']['cut'] for c in cases if c['category'] == cat)}/"
                                 f"{sum(1 for c in cases if c['category'] == cat)}" for cat in cats))
        target = [c["r"] for c in cases if c["group"] != "after" and "fixed" in c["r"]]
        report("- all but 'after'", target)
        if a.sweep:
            sweep_table(policies, [(g, [c["r"] for c in cases if c["group"] == g]) for g in ("pause", "answer", "whole")])
        for c in cases:
            r = c["r"]
            if a.verbose and r and (r["adaptive"]["cut"] or r["fixed"]["cut"]):
                print(f"    cut: {c['text']!r} {c['voice']} {c['speed']} pauses {c['pauses']}: "
                      f"fixed {r['fixed']['cut']} adaptive {r['adaptive']['cut']}; "
                      + "; ".join(f"{d['at']} ms {d['heard']!r}/{d['free_text']!r} {d['confidence']:.2f} {d['shape']}"
                                  for d in r["decodes"]))
        if a.check:
            cut, n = groups["pause"]["adaptive"][:2] if "pause" in groups else (0, 0)
            if n == 0 or cut > 0.01 * n:
                failed.append(f"natural pauses cut off by the adaptive rule: {cut} of {n} (the target is 1 %)")
            if "answer" in groups and groups["answer"]["adaptive"][0]:
                failed.append(f"short answers cut off: {groups['answer']['adaptive'][0]}")
            missing = [c["path"] for c in cases if "fixed" not in c["r"]]
            if missing:
                failed.append(f"{len(missing)} turns with no result (no speech found?)")
    if a.real == "auto":
        env = os.environ.get("KIOSK_REAL_SPEECH")
        found = [d for d in ([env] if env else []) + [os.path.join(ROOT, "..", "shared", "speech", "real")]
                 if d and os.path.isdir(os.path.join(d, "clean"))]
        a.real = os.path.normpath(found[0]) if found else None
        if not a.real:
            print("real recordings: none at $KIOSK_REAL_SPEECH or ../shared/speech/real: skipped")
    if a.real:
        clean = os.path.join(a.real, "clean")
        files = sorted(os.path.join(clean, f) for f in os.listdir(clean) if f.endswith(".flac"))
        res, policies = simulate(a.tool, os.path.join(a.real, "menu.yaml"), files, [""] * len(files),
                                 os.path.join(a.out, "real.json"), a.sweep)
        print(f"real recordings ({a.real}: whole orders, clean)")
        report("- real", [r for r in res.values() if "fixed" in r])
        if a.sweep:
            sweep_table(policies, [("real", list(res.values()))])
        if a.verbose:
            for f, r in res.items():
                if "fixed" in r and (r["adaptive"]["cut"] or r["fixed"]["cut"]):
                    print(f"    cut: {os.path.basename(f)} fixed {r['fixed']['cut']} adaptive {r['adaptive']['cut']}; "
                          + "; ".join(f"{d['at']} ms {d['heard']!r}/{d['free_text']!r} {d['confidence']:.2f} "
                                      f"{d['shape']}" for d in r["decodes"]))
    for f in failed:
        print(f"FAILED: {f}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
