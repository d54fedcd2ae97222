#!/usr/bin/env python3
"""Scores the kiosk on the development speech set (tests/speech/set.json), clean and in
drive-through noise.

    python3 tests/speech/eval.py --kiosk build/kiosk [--noise clean,20,10,5] [--check]
                                 [--threshold T] [--denoise] [--only CAT[,CAT]] [--limit N] [-j 2]

1. Speaks every turn with espeak-ng (voice, speed and file format given per case in the set),
   pads it with 250 ms of silence at each end and lays a faint noise floor under it (sox), into
   build/speech/audio/, cached by a hash of text + voice + speed + format: a rerun synthesises
   nothing.  A turn written "<silence 2.0>", "<cough>", "<cough 2>", "<engine 3.0>",
   "<wind 2.5>", "<traffic 3.0>", "<clunk>" is not speech: sox makes it (always `sox -R`, fixed
   parameters: the same samples on every run), then it goes through the same padding and floor.
2. Noise (--noise, default "clean"; e.g. "clean,20,10,5"): three drive-through noises, made
   once with sox into build/speech/noise/ (NOISE_SECONDS long, deterministic): an idling engine
   (brown noise low-passed, a 27 Hz tremolo for the firing rhythm, a low rumble), wind (pink
   noise band-passed, gusting at 0.13 and 0.3 Hz) and traffic (brown + pink noise swelling as
   cars pass every few seconds).  Each case gets one of them, round robin over its place in the
   set (engine, wind, traffic); each turn a start offset that is a hash of the case id and the
   turn.  The noise is scaled so that SNR = 20 log10(speech RMS / noise RMS), the speech RMS
   taken over the clean turn's active 20 ms frames (above ACTIVE_DBFS) and the noise RMS over
   the stretch mixed in; a turn that is not speech gets the noise a typical turn would
   (speech at REF_SPEECH_DBFS).  Format, rate and channels stay those of the clean file.  Mixed
   files are cached in build/speech/audio/ by a hash of clean file + noise + SNR + offset.
   Every level is a full pass over the same cases.
3. Replays the turns through the kiosk (../shared/spec/kiosk-cli.md):
      kiosk replay --menu MENU --db DB --json --features F --each f1.wav f2.wav ...  singles
      kiosk replay --menu MENU --db DB --json --features F t1.wav t2.wav ...         a conversation
   (`--threshold T` and `--denoise` too when given here), -j processes at a time, all levels in one queue.
   The kiosk appends each turn's confidence evidence to F (one JSON object a line); it is
   joined back to the turns by file path, in order, and kept in results.json.
4. Compares the final order (status; lines in order: item, qty, size, options, choices;
   prices are not compared) and the set of page reasons with the expectation, and prints, per
   level: the exact-order rate by category (the whole table for the first level, then one
   column per level), the product metrics below, and a reliability table.  Every failure, with
   what the kiosk heard, goes to build/speech/failures.txt; results.json beside it has every
   turn; build/speech/reliability.png (gnuplot, when installed) the reliability diagram.

Case families (by the expectation in set.json):
- ordering: not off-menu and no page expected (orders, changes, sizes, combos, sold-out items);
- human: a page `human_request` expected;
- off-menu (`"offmenu": true`: questions, chatter, other chains' items, sounds): judged for
  safety only: "ok" when the final order holds no line beyond the expected `lines` (none for a
  single turn) whatever the pages; "wrong" when it does.  `offmenu_turns` names the turns that
  are off the menu.

Metrics, per level (a case with no usable output counts as a failure in every share):
- auto-correct: ordering cases exactly right and no page raised;
- silent-wrong: ordering cases whose order is wrong and no page was raised (the worst
  outcome); also over all cases (any case that ends with a line not asked for, or not as
  asked, and no page at all, whatever its verdict: a request for a person heard as an order
  counts);
- paged: ordering cases where a page was raised (none was needed: safe, but a cost);
- human-request recall: human cases that paged human_request (strict), and that paged
  anything (the customer got a person either way);
- off-menu safety: off-menu cases that added no line;
- reliability: every turn that heard something (`heard` not empty), in confidence bins of 0.1:
  count, mean confidence and observed accuracy, with the expected calibration error (ECE).  A
  turn is right when what was heard is what was said (words(): articles, "please", fillers,
  spacing and contractions aside); a turn off the menu (off-menu cases, sounds) that heard
  something is wrong.

The issue's targets (TARGET_*) are printed beside the figures and the ones missed listed at
the end.  --check (`make test`) exits 1, naming every floor broken, when on this run: clean
auto-correct, clean silent-wrong, 10 dB silent-wrong (when 10 is among the levels), clean
human-request recall (any page) or clean off-menu safety is worse than FLOORS, the figures
measured at the last fit less a margin (regression guards; the targets are not all met yet).  The
auto-correct floor replaces the old floor on the exact-order rate over all cases, which now
mixes in off-menu and human cases and counts a safe page as a failure (the rate is still
printed).  A kiosk crash, time-out or output that is not the JSON of the spec fails the cases
concerned; it is reported, never a Python traceback.  Python standard library only.

results.json (one case a line, to grep):
    {"set": PATH, "kiosk": PATH, "threshold": T or null, "levels_run": ["clean", "10"],
     "cases": N, "wall_seconds": S,
     "levels": {
       "clean": {"snr_db": null, "cases": N, "exact": K, "overall": K/N,
                 "metrics": {NAME: {"k": K, "n": N, "rate": R or null}, ...},
                 "reliability": {"n": N, "ece": E, "bins": [{"lo", "hi", "n", "conf", "acc"}...]},
                 "results": {ID: {"id", "category", "kind", "menu", "voice", "speed", "audio",
                                  "level", "snr_db", "noise" (engine|wind|traffic|null),
                                  "verdict", "why", "pages": [reasons raised], "wrong_line",
                                  "turns": [
                                    {"said", "heard", "free_text", "confidence", "heard_ok",
                                     "offmenu", "right", "page", "features", "audio"}...]}}},
       "10": {"snr_db": 10, ...}}}
  heard_ok: words(heard) == words(said); offmenu: the turn is off the menu; right: the label the
  reliability table uses (heard something, heard_ok, and not off the menu; null when nothing was
  heard); page: the reason of the page this turn raised, or null; features: the kiosk's
  --features object for the turn (null when the kiosk gave none); other keys of its record
  (e.g. loop_text) are kept beside.
"""
import argparse
import array
import collections
import concurrent.futures
import hashlib
import json
import math
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import warnings
import wave

try:                          # C speed for RMS and mixing; deprecated, gone in Python 3.13
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import audioop
except ImportError:           # pragma: no cover - the array fallback below does the same
    audioop = None

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

# ---- targets (the issue's "done when"): printed beside the figures, and the ones missed are
# listed after them.  Not all are met yet (see the README), so --check does not fail on them.
TARGET_AUTO_CORRECT = 0.90          # clean: ordering cases right and not paged, at least
TARGET_SILENT_WRONG_CLEAN = 0.01    # clean: ordering cases wrong and not paged, at most
TARGET_SILENT_WRONG_10DB = 0.03     # at 10 dB SNR, at most
TARGET_HUMAN_RECALL = 1.00          # clean: human requests that paged human_request
TARGET_OFFMENU_SAFETY = 0.95        # clean: off-menu cases that added no line, at least
TARGETS = {"auto": TARGET_AUTO_CORRECT, "sw_clean": TARGET_SILENT_WRONG_CLEAN,
           "sw_10": TARGET_SILENT_WRONG_10DB, "human": TARGET_HUMAN_RECALL,
           "human_key": "human_recall_strict", "offmenu": TARGET_OFFMENU_SAFETY}
# ---- floors, checked by --check (`make test`): the figures measured last (2026-11-26, the
# threshold at 0.76, the free pass with the human-phrase model, the word loop and the grammar
# searched again when they find no path: clean auto-correct 92.6%, silent-wrong 0.8%,
# off-menu safety 96.7%, every request for a person paged; 10 dB: silent-wrong 2.9%) less a
# margin, so that a change that makes the kiosk worse fails the tests.  The auto-correct
# floor is the target (0.90): six cases below the figure, as runs of the same build differ by
# a case or two and the threshold trades right orders paged for wrong ones taken silently.  Raise them
# as the kiosk improves; the targets above are where they must end.  A customer who asks for
# a person must always get one (any page).
FLOORS = {"auto": 0.90, "sw_clean": 0.025, "sw_10": 0.04, "human": 1.00,
          "human_key": "human_recall_any", "offmenu": 0.92}

PAD_S = 0.25
GEN_VERSION = "2"          # bump when the way audio is made changes: invalidates the cache
NONSPEECH_VERSION = "1"    # bump when the sounds ("<cough>"...) change: invalidates those only
NOISE_VOL = "0.002"        # white noise floor under the whole turn: about -58 dBFS RMS
BATCH = 48                 # single turns per `replay --each` process
MAX_RESUME = 5             # crashes tolerated per batch before giving up on it
# audio variants: (rate, channels) to convert to (None: espeak-ng's own 22050 Hz mono), and
# whether a faint noise floor runs under the turn.  Real endpointed audio is never digital
# silence; "22050z" keeps the exact zeros of espeak-ng and sox pad, a case the kiosk must
# survive too (WAV files trimmed or gated by other tools).
FORMATS = {"22050": (None, True), "8000": (("8000", "1"), True), "48000": (("48000", "1"), True), "44100s": (("44100", "2"), True),
           "22050z": (None, False)}
FORMAT_NAMES = {"22050": "22.05 kHz mono", "8000": "8 kHz mono", "48000": "48 kHz mono", "44100s": "44.1 kHz stereo",
                "22050z": "22.05 kHz, digital silence"}

# ---- noise
NOISE_TYPES = ("engine", "wind", "traffic")   # assigned round robin over the cases
NOISE_SECONDS = 30.0       # length of each noise bed (turns take a stretch of it, wrapping)
NOISE_VERSION = "1"        # bump when the noise recipes change: invalidates beds and mixes
MIX_VERSION = "1"          # bump when the mixing changes
ACTIVE_DBFS = -45.0        # a 20 ms frame above this RMS is speech, for the speech level
REF_SPEECH_DBFS = -20.0    # the speech level assumed for turns that are not speech
# peak level of the sounds played alone ("<engine 3.0>"...): an engine or wind near the mic
ALONE_PEAK_DBFS = {"engine": -12, "wind": -10, "traffic": -14}
NONSPEECH_RE = re.compile(r"<(silence|engine|wind|traffic|cough|clunk)(?: (\d+(?:\.\d+)?))?>")

RELIABILITY_BINS = 10


def die(msg, code=2):
    print(f"eval.py: {msg}", file=sys.stderr)
    sys.exit(code)


# ---------------------------------------------------------------- the set

def load_set(path):
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except (OSError, ValueError) as e:
        die(f"{path}: cannot read the speech set ({e}); regenerate it with tests/speech/make_set.py")
    cases = data.get("cases") if isinstance(data, dict) else None
    if not isinstance(cases, list) or not cases:
        die(f"{path}: no cases")
    for k, c in enumerate(cases):
        if not isinstance(c, dict):
            die(f"{path}: case {k + 1} is not an object")
        for key in ("id", "kind", "category", "menu", "turns", "expect", "voice", "speed", "audio"):
            if key not in c:
                die(f"{path}: case {c.get('id', '?')} has no {key!r}")
        if c["audio"] not in FORMATS:
            die(f"{path}: case {c['id']}: unknown audio format {c['audio']!r}")
        for t in c["turns"]:
            if t.startswith("<") and not NONSPEECH_RE.fullmatch(t):
                die(f"{path}: case {c['id']}: unknown sound {t!r} (see NONSPEECH_RE in eval.py)")
        c["_index"] = k                    # its place in the whole set: the noise type follows it
    return cases


def is_offmenu(c):
    return bool(c["expect"].get("offmenu"))


def is_human(c):
    return "human_request" in (c["expect"].get("pages") or [])


def is_ordering(c):
    return not is_offmenu(c) and not c["expect"].get("pages")


def offmenu_turns(c):
    """1-based numbers of the turns that are off the menu: all turns of an off-menu single, the
    named ones of a conversation, and every sound (<cough>...)."""
    off = set()
    if is_offmenu(c):
        off |= set(c["expect"].get("offmenu_turns") or range(1, len(c["turns"]) + 1))
    off |= {k + 1 for k, t in enumerate(c["turns"]) if t.startswith("<")}
    return off


def select(cases, only, limit):
    if only:
        want = {w.strip() for w in only.split(",") if w.strip()}

        def tags(c):
            t = {c["category"], c["kind"], c["id"], menu_short(c["menu"])}
            if is_offmenu(c):
                t.add("offmenu")
            if is_human(c):
                t.add("human")
            if is_ordering(c):
                t.add("ordering")
            return t
        cases = [c for c in cases if want & tags(c)]
    if limit and limit < len(cases):
        # round-robin over the categories (within one, the menus in turn), so a short run
        # still sees every family
        by_cat = {}
        for c in cases:
            by_cat.setdefault(c["category"], {}).setdefault(c["menu"], []).append(c)
        for cat, per_menu in by_cat.items():
            lists = list(per_menu.values())
            by_cat[cat] = [lst[i] for i in range(max(map(len, lists))) for lst in lists if i < len(lst)]
        picked, k = [], 0
        while len(picked) < limit:
            for lst in by_cat.values():
                if k < len(lst) and len(picked) < limit:
                    picked.append(lst[k])
            k += 1
        keep = {id(c) for c in picked}
        cases = [c for c in cases if id(c) in keep]
    return cases


def menu_short(path):
    return os.path.splitext(os.path.basename(path))[0]


def parse_levels(spec):
    """"clean,20,10,5" -> [("clean", None), ("20", 20.0), ...] (the name is how it is printed
    and keyed in results.json)."""
    out = []
    for w in spec.split(","):
        w = w.strip().lower()
        if not w:
            continue
        if w == "clean":
            name, snr = "clean", None
        else:
            num = w[:-2].strip() if w.endswith("db") else w
            try:
                snr = float(num)
            except ValueError:
                die(f"--noise: {w!r} is neither 'clean' nor an SNR in dB (e.g. --noise clean,20,10,5)")
            if not (math.isfinite(snr) and -10.0 <= snr <= 60.0):
                die(f"--noise: {w!r}: an SNR between -10 and 60 dB, please")
            name = f"{snr:g}"
        if name in [n for n, _ in out]:
            die(f"--noise: {name} given twice")
        out.append((name, snr))
    if not out:
        die("--noise: no level given (e.g. --noise clean,10)")
    return out


def level_title(name):
    return "clean" if name == "clean" else f"{name} dB"


# ---------------------------------------------------------------- sox recipes

def noise_argv(kind, rate, chans, dur, out, peak):
    """The sox command that writes `dur` seconds of a drive-through noise to `out` (16 bit,
    `rate` Hz, `chans` identical channels, peak at `peak` dBFS).  -R everywhere: the same
    samples on every run and every machine with the same sox."""
    def gen(*eff):
        return f"|sox -R -q -n -r {rate} -c 1 -p synth {dur:.3f} " + " ".join(eff)
    if kind == "engine":
        # idling: the firing rhythm (~27 Hz amplitude modulation of low-passed brown noise),
        # a low rumble, and a slow wobble of the idle speed
        ins = [gen("brownnoise", "lowpass", "240", "tremolo", "27", "65"),
               gen("sine", "31", "vol", "0.25", "tremolo", "0.5", "30")]
        post = ["tremolo", "0.4", "15"]
    elif kind == "wind":
        # buffeting: band-passed pink noise, gusting at two slow rates
        ins = [gen("pinknoise", "sinc", "100-1600")]
        post = ["tremolo", "0.3", "60", "tremolo", "0.13", "45"]
    elif kind == "traffic":
        # road noise: brown + pink, swelling as a car passes every ~4.5 s, in slower waves
        ins = [gen("brownnoise", "lowpass", "500"), gen("pinknoise", "sinc", "80-5000", "vol", "0.35")]
        post = ["tremolo", "0.22", "80", "tremolo", "0.09", "40"]
    else:
        raise ValueError(kind)
    argv = ["sox", "-R", "-q"] + (["-m"] if len(ins) > 1 else []) + ins + ["-b", "16", out] + post
    if chans == 2:
        argv += ["channels", "2"]
    return argv + ["norm", str(peak)]


def nonspeech_steps(text, out):
    """The sox commands that make a sound turn ("<cough 2>"...) at espeak-ng's 22050 Hz mono,
    16 bit, into `out`; the caller pads it and lays the floor under it as for speech.
    Returns (list of argv, temporary files to remove)."""
    m = NONSPEECH_RE.fullmatch(text)
    kind, arg = m.group(1), m.group(2)
    r = ["-r", "22050", "-c", "1"]
    if kind == "silence":
        return [["sox", "-R", "-q", "-n"] + r + ["-b", "16", out, "trim", "0", str(float(arg or 2))]], []
    if kind in NOISE_TYPES:
        return [noise_argv(kind, 22050, 1, float(arg or 3), out, ALONE_PEAK_DBFS[kind])], []
    n = int(float(arg or 1))
    steps, parts = [], []
    for i in range(n):
        part = f"{out}.part{i}.wav"
        parts.append(part)
        gap = ["pad", "0", "0.22"] if i < n - 1 else []
        if kind == "cough":
            # a burst of band-passed pink and brown noise: 8 ms attack, decaying over the rest
            d = (0.30, 0.22, 0.26)[i % 3]
            band = ("300-3500", "250-3000", "350-4000")[i % 3]
            steps.append(["sox", "-R", "-q", "-m",
                          f"|sox -R -q -n -r 22050 -c 1 -p synth {d} pinknoise sinc {band}",
                          f"|sox -R -q -n -r 22050 -c 1 -p synth {d} brownnoise lowpass 900",
                          "-b", "16", part, "fade", "l", "0.008", str(d), f"{d - 0.01:.3f}"] + gap)
        else:
            # a door or a boot lid: a low thump, 2 ms attack, 0.35 s decay
            d = 0.35
            steps.append(["sox", "-R", "-q", "-m",
                          f"|sox -R -q -n -r 22050 -c 1 -p synth {d} brownnoise lowpass 400",
                          f"|sox -R -q -n -r 22050 -c 1 -p synth {d} sine 55",
                          "-b", "16", part, "fade", "l", "0.002", str(d), f"{d - 0.01:.3f}"]
                         + (["pad", "0", "0.4"] if gap else []))
    peak = "-10" if kind == "cough" else "-6"
    steps.append(["sox", "-R", "-q"] + parts + ["-b", "16", out, "norm", peak])
    return steps, parts


# ---------------------------------------------------------------- audio

class Audio:
    def __init__(self, outdir):
        self.dir = os.path.join(outdir, "audio")
        os.makedirs(self.dir, exist_ok=True)
        self.made = 0
        self.lock = threading.Lock()

    def path(self, text, voice, speed, fmt):
        extra = f"|ns{NONSPEECH_VERSION}" if text.startswith("<") else ""
        key = hashlib.sha1(f"{GEN_VERSION}|{text}|{voice}|{speed}|{fmt}|{PAD_S}{extra}".encode()).hexdigest()[:20]
        return os.path.join(self.dir, key + ".wav")

    def make(self, text, voice, speed, fmt):
        """Returns (path, seconds, error)."""
        out = self.path(text, voice, speed, fmt)
        if not os.path.exists(out):
            tmp_raw = f"{out}.{os.getpid()}.{threading.get_ident()}.raw.wav"
            tmp_out = f"{out}.{os.getpid()}.{threading.get_ident()}.tmp.wav"
            temps = [tmp_raw, tmp_out, tmp_out + ".pad.wav"]
            try:
                if text.startswith("<"):
                    steps, parts = nonspeech_steps(text, tmp_raw)
                    temps += parts
                    for argv in steps:
                        r = subprocess.run(argv, capture_output=True, text=True, timeout=60)
                        if r.returncode != 0:
                            return out, 0.0, f"sox failed making {text} ({r.returncode}): {r.stderr.strip()[:200]}"
                else:
                    r = subprocess.run(["espeak-ng", "-v", voice, "-s", str(speed), "-w", tmp_raw, text],
                                       capture_output=True, text=True, timeout=60)
                    if r.returncode != 0 or not os.path.exists(tmp_raw):
                        return out, 0.0, f"espeak-ng failed ({r.returncode}): {r.stderr.strip()[:200]}"
                conv, floor = FORMATS[fmt]
                conv = ["-r", conv[0], "-c", conv[1]] if conv else []
                tmp_pad = tmp_out + ".pad.wav" if floor else tmp_out
                r = subprocess.run(["sox", "-q", tmp_raw] + conv + [tmp_pad, "pad", str(PAD_S), str(PAD_S)],
                                   capture_output=True, text=True, timeout=60)
                if r.returncode != 0:
                    return out, 0.0, f"sox failed ({r.returncode}): {r.stderr.strip()[:200]}"
                if floor:
                    with wave.open(tmp_pad, "rb") as w:
                        rate, ch, dur = w.getframerate(), w.getnchannels(), w.getnframes() / w.getframerate()
                    # -R: the same noise on every run, so the audio (and the score) is repeatable
                    noise = f"|sox -R -n -r {rate} -c {ch} -p synth {dur:.4f} whitenoise vol {NOISE_VOL}"
                    r = subprocess.run(["sox", "-R", "-q", "-m", "-v", "1", tmp_pad, "-v", "1", noise,
                                        "-b", "16", tmp_out], capture_output=True, text=True, timeout=60)
                    os.unlink(tmp_pad)
                    if r.returncode != 0:
                        return out, 0.0, f"sox failed ({r.returncode}): {r.stderr.strip()[:200]}"
                os.replace(tmp_out, out)
                with open(out[:-4] + ".txt", "w", encoding="utf-8") as f:
                    f.write(f"{text}\n{voice} {speed} {fmt}\n")
                with self.lock:
                    self.made += 1
            except (OSError, subprocess.SubprocessError, wave.Error, EOFError) as e:
                return out, 0.0, f"cannot make audio: {e}"
            finally:
                for p in temps:
                    if os.path.exists(p):
                        os.unlink(p)
        return out, wav_seconds(out), None


def wav_seconds(path):
    try:
        with wave.open(path, "rb") as w:
            return w.getnframes() / float(w.getframerate())
    except (wave.Error, OSError, EOFError):
        try:
            return max(0, os.path.getsize(path) - 44) / 44100.0   # rough; only for the totals
        except OSError:
            return 0.0


# 16-bit sample arithmetic: audioop when there, else arrays (slower, same result)
def _samples(b):
    a = array.array("h")
    a.frombytes(b)
    if sys.byteorder == "big":
        a.byteswap()
    return a


def _bytes(a):
    if sys.byteorder == "big":
        a = array.array("h", a)
        a.byteswap()
    return a.tobytes()


def pcm_rms(b):
    if audioop:
        return float(audioop.rms(b, 2))
    a = _samples(b)
    return math.sqrt(sum(x * x for x in a) / len(a)) if a else 0.0


def pcm_mix(speech, noise, gain):
    """speech + gain * noise, 16-bit, saturating."""
    if audioop:
        return audioop.add(speech, audioop.mul(noise, 2, gain), 2)
    s, n = _samples(speech), _samples(noise)
    return _bytes(array.array("h", (max(-32768, min(32767, int(x + gain * y))) for x, y in zip(s, n))))


def dbfs_to_rms(db):
    return 32768.0 * 10.0 ** (db / 20.0)


def active_rms(frames, rate, chans):
    """RMS over the 20 ms frames above ACTIVE_DBFS (the speech, not the pauses); None if none."""
    step = max(1, int(rate * 0.02)) * chans * 2
    thr = dbfs_to_rms(ACTIVE_DBFS)
    energy = n = 0
    for i in range(0, len(frames) - step + 1, step):
        r = pcm_rms(frames[i:i + step])
        if r >= thr:
            energy += r * r
            n += 1
    return math.sqrt(energy / n) if n else None


class Noise:
    """The noise beds (build/speech/noise/) and the mixing of turns with them."""
    def __init__(self, outdir, audio_dir):
        self.dir = os.path.join(outdir, "noise")
        self.audio_dir = audio_dir
        os.makedirs(self.dir, exist_ok=True)
        self.beds = {}               # (kind, rate, chans) -> frames (bytes)
        self.lock = threading.Lock()
        self.made_beds = 0
        self.mixed = 0

    def bed_path(self, kind, rate, chans):
        return os.path.join(self.dir, f"{kind}-{rate}{'s' if chans == 2 else ''}-v{NOISE_VERSION}.wav")

    def make_bed(self, kind, rate, chans):
        """Makes (or finds) one bed; returns an error or None."""
        out = self.bed_path(kind, rate, chans)
        if not os.path.exists(out):
            tmp = f"{out}.{os.getpid()}.{threading.get_ident()}.tmp.wav"
            try:
                r = subprocess.run(noise_argv(kind, rate, chans, NOISE_SECONDS, tmp, -3),
                                   capture_output=True, text=True, timeout=300)
                if r.returncode != 0:
                    return f"sox failed making the {kind} noise ({r.returncode}): {r.stderr.strip()[:200]}"
                os.replace(tmp, out)
                with self.lock:
                    self.made_beds += 1
            except (OSError, subprocess.SubprocessError) as e:
                return f"cannot make the {kind} noise: {e}"
            finally:
                if os.path.exists(tmp):
                    os.unlink(tmp)
        try:
            with wave.open(out, "rb") as w:
                if w.getsampwidth() != 2 or w.getframerate() != rate or w.getnchannels() != chans:
                    return f"{out}: not {rate} Hz {chans}-channel 16-bit; delete it and rerun"
                frames = w.readframes(w.getnframes())
        except (wave.Error, OSError, EOFError) as e:
            return f"{out}: cannot read the noise ({e}); delete it and rerun"
        if len(frames) < rate * chans * 2 * 5:
            return f"{out}: too short; delete it and rerun"
        with self.lock:
            self.beds[(kind, rate, chans)] = frames
        return None

    def offset(self, cid, turn, kind):
        """Where in the bed (seconds) the turn's stretch starts: a hash of the case and turn."""
        h = int(hashlib.sha1(f"{cid}|{turn}|{kind}".encode()).hexdigest()[:8], 16)
        return round((h % 100000) / 100000.0 * NOISE_SECONDS, 3)

    def mixed_path(self, clean, kind, snr, name, off):
        key = hashlib.sha1(f"{MIX_VERSION}|{NOISE_VERSION}|{os.path.basename(clean)}|{kind}|{snr:g}|{off:.3f}"
                           f"|{ACTIVE_DBFS}|{REF_SPEECH_DBFS}".encode()).hexdigest()[:12]
        base = os.path.basename(clean)[:-4]
        return os.path.join(self.audio_dir, f"{base}.snr{name}.{key}.wav")

    def mix(self, clean, speech, kind, snr, name, off):
        """Returns (path, error).  speech: False for a sound turn (REF_SPEECH_DBFS used)."""
        out = self.mixed_path(clean, kind, snr, name, off)
        if os.path.exists(out):
            return out, None
        try:
            with wave.open(clean, "rb") as w:
                params = w.getparams()
                frames = w.readframes(w.getnframes())
        except (wave.Error, OSError, EOFError) as e:
            return out, f"cannot read {clean} to add noise: {e}"
        rate, chans = params.framerate, params.nchannels
        if params.sampwidth != 2:
            return out, f"{clean}: {8 * params.sampwidth}-bit audio; the mixer takes 16-bit"
        bed = self.beds.get((kind, rate, chans))
        if bed is None:
            return out, f"no {kind} noise at {rate} Hz, {chans} channel(s)"
        level = active_rms(frames, rate, chans) if speech else None
        if level is None:
            level = dbfs_to_rms(REF_SPEECH_DBFS)
        fb = chans * 2
        start = (int(off * rate) * fb) % len(bed)
        need = len(frames)
        seg = bed[start:start + need]
        while len(seg) < need:                       # wrap around the bed
            seg += bed[:need - len(seg)]
        nrms = pcm_rms(seg)
        gain = level / (nrms * 10.0 ** (snr / 20.0)) if nrms > 0 else 0.0
        tmp = f"{out}.{os.getpid()}.{threading.get_ident()}.tmp.wav"
        try:
            with wave.open(tmp, "wb") as w:
                w.setnchannels(chans)
                w.setsampwidth(2)
                w.setframerate(rate)
                w.writeframes(pcm_mix(frames, seg, gain))
            os.replace(tmp, out)
        except (wave.Error, OSError) as e:
            return out, f"cannot write {out}: {e}"
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        with self.lock:
            self.mixed += 1
        return out, None


def format_of(fmt):
    """(rate, channels) of an audio variant's files."""
    conv = FORMATS[fmt][0]
    return (int(conv[0]), int(conv[1])) if conv else (22050, 1)


# ---------------------------------------------------------------- running the kiosk

def run_kiosk(argv, timeout):
    """Runs one kiosk process; returns dict(rc, out, err, secs, timeout)."""
    t0 = time.monotonic()
    try:
        p = subprocess.Popen(argv, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, start_new_session=True)
    except OSError as e:
        return {"rc": None, "out": b"", "err": str(e).encode(), "secs": 0.0, "timeout": False}
    try:
        out, err = p.communicate(timeout=timeout)
        to = False
    except subprocess.TimeoutExpired:
        try:
            os.killpg(p.pid, signal.SIGKILL)      # the process group this run started
        except OSError:
            pass
        out, err = p.communicate()
        to = True
    return {"rc": p.returncode, "out": out, "err": err, "secs": time.monotonic() - t0, "timeout": to}


def describe_exit(r, timeout):
    if r["timeout"]:
        return f"timed out after {timeout:.0f} s"
    if r["rc"] is None:
        return f"could not start: {r['err'].decode(errors='replace')}"
    if r["rc"] < 0:
        try:
            name = signal.Signals(-r["rc"]).name
        except ValueError:
            name = f"signal {-r['rc']}"
        return f"crashed ({name})"
    return f"exited {r['rc']}"


def stderr_tail(r, n=3):
    lines = [ln for ln in r["err"].decode(errors="replace").splitlines() if ln.strip()]
    return " | ".join(lines[-n:])


def kiosk_options(kiosk):
    """The replay options this kiosk build knows, from `kiosk replay --help`."""
    r = run_kiosk([kiosk, "replay", "--help"], 20)
    text = (r["out"] + r["err"]).decode(errors="replace")
    return {o for o in ("--threshold", "--features", "--denoise", "--one-thread") if o in text}


class Job:
    def __init__(self, level, kind, menu, cases, wavs, secs):
        self.level, self.kind, self.menu, self.cases, self.wavs, self.secs = level, kind, menu, cases, wavs, secs


def read_features(path):
    """The kiosk's --features records, in order; bad lines skipped (and counted)."""
    recs, bad = [], 0
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            for ln in f:
                if not ln.strip():
                    continue
                try:
                    obj = json.loads(ln)
                except ValueError:
                    bad += 1
                    continue
                if isinstance(obj, dict) and isinstance(obj.get("file"), str):
                    recs.append(obj)
                else:
                    bad += 1
    except OSError:
        pass
    return recs, bad


def do_job(job, kiosk, dbdir, featdir, seq, base_timeout, extra):
    """Runs a job; returns (results, warnings, seconds, features): one (obj or None, error or None)
    per case, and the kiosk's --features records (or None when not asked for).  A batch that
    crashes on a file is resumed after that file (at most MAX_RESUME times), so one bad turn
    costs one case."""
    db = os.path.join(dbdir, f"job-{seq}.db")
    feat = os.path.join(featdir, f"job-{seq}.jsonl") if featdir else None
    base = [kiosk, "replay", "--menu", job.menu, "--db", db, "--json"] + list(extra)
    if feat:
        base += ["--features", feat]
        try:
            os.unlink(feat)
        except OSError:
            pass
    warns, spent = [], 0.0

    def run(argv, secs):
        timeout = base_timeout + 4 * secs
        r = run_kiosk(argv, timeout)
        for suffix in ("", "-wal", "-shm", "-journal"):
            try:
                os.unlink(db + suffix)
            except OSError:
                pass
        bad = r["timeout"] or r["rc"] != 0
        why = describe_exit(r, timeout)
        tail = stderr_tail(r)
        return r, bad, f"kiosk {why}", (f": {tail}" if tail else "")

    def features():
        if not feat:
            return None
        recs, nbad = read_features(feat)
        if nbad:
            warns.append(f"{nbad} --features lines that are not JSON objects with a \"file\"")
        try:
            os.unlink(feat)
        except OSError:
            pass
        return recs

    if job.kind == "each":
        results, start, resumes = [], 0, 0
        per = [sum(wav_seconds(w) for w in ws) for ws in job.wavs]
        while start < len(job.cases):
            wavs = job.wavs[start:]
            r, bad, why, tail = run(base + ["--each"] + [ws[0] for ws in wavs], sum(per[start:]))
            spent += r["secs"]
            lines = [ln for ln in r["out"].decode("utf-8", errors="replace").splitlines() if ln.strip()]
            for k in range(min(len(lines), len(wavs))):
                obj, err = parse_obj(lines[k])
                if err is None:
                    err = check_files(obj, wavs[k])
                results.append((obj, err))
            if len(lines) > len(wavs):
                warns.append(f"{len(lines) - len(wavs)} more output lines than files")
            if len(lines) >= len(wavs):
                if bad:
                    warns.append(f"{why} after printing every result{tail}")
                break
            # stopped short: the next file is the culprit
            results.append((None, f"{why} on this file{tail}" if bad else "no output line for this file"))
            start += len(lines) + 1
            resumes += 1
            if resumes > MAX_RESUME:
                results += [(None, f"not replayed: the kiosk failed {resumes} times in this batch")] \
                    * (len(job.cases) - start)
                break
        return results, warns, spent, features()

    r, bad, why, tail = run(base + list(job.wavs[0]), job.secs)
    text = r["out"].decode("utf-8", errors="replace").strip()
    obj, err = parse_obj(text)
    if err is not None and text:
        # maybe a stray line before the object: try the last line alone
        obj2, err2 = parse_obj(text.splitlines()[-1])
        if err2 is None:
            obj, err = obj2, None
    if bad:
        err = why + tail if err is not None else f"{why} after printing its JSON{tail}"
    if err is None:
        err = check_files(obj, job.wavs[0])
    return [(obj, err)], warns, r["secs"], features()


def parse_obj(s):
    if not s:
        return None, "no JSON output"
    try:
        obj = json.loads(s)
    except ValueError as e:
        return None, f"invalid JSON ({e}): {s[:120]!r}"
    if not isinstance(obj, dict):
        return None, f"output is not a JSON object: {s[:120]!r}"
    return obj, None


def check_files(obj, wavs):
    turns = obj.get("turns")
    if not isinstance(turns, list):
        return "JSON has no \"turns\" list"
    if len(turns) != len(wavs):
        return f"JSON lists {len(turns)} turns for {len(wavs)} files"
    for t, w in zip(turns, wavs):
        f = t.get("file") if isinstance(t, dict) else None
        if isinstance(f, str) and os.path.basename(f) != os.path.basename(w):
            return f"JSON turn file {f!r} is not {os.path.basename(w)!r}: output out of order"
    return None


def join_features(job, results, recs):
    """Per case of the job, per turn, the --features record for it (or None): by file path, in
    order (one wav may appear in several cases).  Only turns with a JSON result take one."""
    out = [[None] * len(ws) for ws in job.wavs]
    if not recs:
        return out
    queue = {}
    for rec in recs:
        f = rec["file"]
        f = os.path.normpath(f if os.path.isabs(f) else os.path.join(ROOT, f))
        queue.setdefault(f, collections.deque()).append(rec)
    for i, ws in enumerate(job.wavs):
        obj = results[i][0] if i < len(results) else None
        turns = obj.get("turns") if isinstance(obj, dict) and isinstance(obj.get("turns"), list) else []
        for k, w in enumerate(ws):
            if k >= len(turns):
                break
            q = queue.get(os.path.normpath(w))
            if q:
                out[i][k] = q.popleft()
    return out


# ---------------------------------------------------------------- comparing

class Shape(Exception):
    pass


def norm_line(ln):
    if not isinstance(ln, dict):
        raise Shape("a line is not an object")
    item, qty, size = ln.get("item"), ln.get("qty"), ln.get("size")
    if not isinstance(item, str) or not isinstance(qty, int) or isinstance(qty, bool):
        raise Shape(f"line with bad item/qty: {json.dumps(ln)[:120]}")
    if size is not None and not isinstance(size, str):
        raise Shape(f"line with bad size: {json.dumps(ln)[:120]}")
    opts = ln.get("options", [])
    if not isinstance(opts, list) or not all(isinstance(o, dict) for o in opts):
        raise Shape(f"line with bad options: {json.dumps(ln)[:120]}")
    ch = ln.get("choices", {})
    if ch is None:
        ch = {}
    if not isinstance(ch, dict):
        raise Shape(f"line with bad choices: {json.dumps(ln)[:120]}")
    return (item, qty, size, tuple((o.get("name"), o.get("amount")) for o in opts),
            tuple(sorted((str(k), v) for k, v in ch.items())))


def actual_of(obj):
    order = obj.get("order")
    if not isinstance(order, dict):
        raise Shape("JSON has no \"order\" object")
    lines = order.get("lines")
    if not isinstance(lines, list):
        raise Shape("order has no \"lines\" list")
    status = order.get("status")
    if not isinstance(status, str):
        raise Shape("order has no \"status\"")
    pages = obj.get("pages", [])
    if not isinstance(pages, list):
        raise Shape("\"pages\" is not a list")
    reasons = set()
    for p in pages:
        if not isinstance(p, dict) or not isinstance(p.get("reason"), str):
            raise Shape("a page without a reason")
        reasons.add(p["reason"])
    return status, [norm_line(ln) for ln in lines], reasons


def expected_of(case):
    e = case["expect"]
    lines = None if e.get("lines") is None else [norm_line(ln) for ln in e["lines"]]
    return e["status"], lines, set(e.get("pages", []))


def judge(case, obj, err):
    """Returns (verdict, detail), the verdict one of
    ok     the final order and pages are as expected (off-menu: no line beyond those expected);
    error  no usable output (crash, time-out, not the JSON of the spec);
    nopage an expected page (a person asked for, too many of an item) did not come;
    paged  an unexpected page: the crew was brought in without need (a safe failure);
    wrong  the order holds a line that was not asked for, or not as asked, and nobody was
           paged: an order taken silently wrong, the worst outcome (off-menu: a line was
           added, paged or not);
    short  only that something asked for is missing, or the order was not confirmed: the
           kiosk did not get it all ("sorry, I didn't catch that"), which the customer sees;
           a line still waiting for its size or combo choice (waits_for) is such a line."""
    if err is not None:
        return "error", err
    try:
        got = actual_of(obj)
    except Shape as e:
        return "error", f"JSON not as the spec says: {e}"
    exp = expected_of(case)
    if is_offmenu(case):
        left, extra = list(exp[1] or []), []
        for ln in got[1]:
            if ln in left:
                left.remove(ln)
            else:
                extra.append(ln)
        paged = f"paged {', '.join(sorted(got[2]))}" if got[2] else "no page"
        if extra:
            return "wrong", f"off-menu turn added {'; '.join(fmt_line(ln) for ln in extra)} ({paged})"
        return "ok", paged + (f"; missing {'; '.join(fmt_line(ln) for ln in left)}" if left else "")
    ok_status = got[0] == exp[0]
    ok_lines = exp[1] is None or got[1] == exp[1]
    ok_pages = got[2] == exp[2]
    if ok_status and ok_lines and ok_pages:
        return "ok", ""
    what = "differs in " + ", ".join(w for w, ok in (("status", ok_status), ("lines", ok_lines),
                                                      ("pages", ok_pages)) if not ok)
    if exp[2] - got[2]:
        return "nopage", what
    if got[2] - exp[2]:
        return "paged", what
    if exp[1] is not None and not_asked(got[1], exp[1]):
        return "wrong", what
    return "short", what


def waits_for(got, exp):
    """Whether line got is line exp still waiting for its answer: the same item, quantity
    and options, but no size where exp has one and/or a combo choice missing that exp has
    (kiosk-cli.md: size null for "one still waiting for an answer").  The kiosk is asking
    for it ("What size would you like for the lemonade?") and will not read the order back
    until it is answered: something missing that the customer hears about, not a line
    taken wrong."""
    g_item, g_qty, g_size, g_opts, g_ch = got
    e_item, e_qty, e_size, e_opts, e_ch = exp
    if (g_item, g_qty, g_opts) != (e_item, e_qty, e_opts) or got == exp:
        return False
    size_ok = g_size == e_size or (g_size is None and e_size is not None)
    return size_ok and set(g_ch) <= set(e_ch)


def not_asked(got_lines, exp_lines):
    """The lines of got_lines that were not asked for, or not as asked: each expected line
    matches one got line, exactly or one still waiting for its answer (waits_for)."""
    left, extra = list(exp_lines), []
    for ln in got_lines:
        if ln in left:
            left.remove(ln)
        else:
            extra.append(ln)
    out = []
    for ln in extra:
        m = next((e for e in left if waits_for(ln, e)), None)
        if m is None:
            out.append(ln)
        else:
            left.remove(m)
    return out


def fmt_line(ln):
    item, qty, size, opts, ch = ln
    s = (f"{qty} x " if qty != 1 else "") + (f"{size} " if size else "") + item
    if opts:
        s += " [" + ", ".join(f"{a} {n}" for n, a in opts) + "]"
    if ch:
        s += " {" + ", ".join(f"{k}: {v}" for k, v in ch) + "}"
    return s


def fmt_order(status, lines, pages):
    ls = "(lines not compared)" if lines is None else ("; ".join(fmt_line(ln) for ln in lines) or "(no lines)")
    return f"{status}: {ls}; pages: {', '.join(sorted(pages)) or '-'}"


FILLERS = {"a", "an", "please", "uh", "um", "ugh", "er", "hmm"}


def words(s):
    """A phrase for comparing what was said with what was heard: lower case, no commas,
    articles, "please" or fillers (uh, um), contractions spelt out, no spaces ("cheese burger"
    = "cheeseburger")."""
    t = " " + " ".join(str(s or "").lower().replace(",", " ").split()) + " "
    for a, b in (("that's", "that is"), ("i'd", "i would"), ("i'll", "i will"), ("we'll", "we will")):
        t = t.replace(f" {a} ", f" {b} ")
    return "".join(w for w in t.split() if w not in FILLERS)


def case_result(case, level, snr, noise, obj, err, feats, wavs):
    """Everything known about one case at one level, as results.json keeps it."""
    verdict, why = judge(case, obj, err)
    raised, wrong_line = [], False
    try:
        if isinstance(obj, dict) and err is None:
            got = actual_of(obj)
            raised = sorted(got[2])
            exp = expected_of(case)[1]
            if exp is not None:          # a line not asked for (or not as asked)?
                wrong_line = bool(not_asked(got[1], exp))
    except Shape:
        pass
    turns = obj.get("turns") if isinstance(obj, dict) and isinstance(obj.get("turns"), list) else []
    off = offmenu_turns(case)
    tl = []
    for k, text in enumerate(case["turns"]):
        t = turns[k] if k < len(turns) and isinstance(turns[k], dict) else {}
        heard = t.get("heard") if isinstance(t.get("heard"), str) else None
        conf = t.get("confidence")
        conf = conf if isinstance(conf, (int, float)) and not isinstance(conf, bool) else None
        page = t.get("page")
        page = page.get("reason") if isinstance(page, dict) else (page if isinstance(page, str) else None)
        heard_ok = words(heard) == words(text)
        is_off = (k + 1) in off
        rec = feats[k] if feats and k < len(feats) else None
        row = {"said": text, "heard": heard, "free_text": t.get("free_text"), "confidence": conf,
               "heard_ok": heard_ok, "offmenu": is_off,
               "right": (heard_ok and not is_off) if heard else None,
               "page": page, "features": rec.get("features") if isinstance(rec, dict) else None,
               "audio": os.path.relpath(wavs[k], ROOT) if k < len(wavs) and wavs[k] else None}
        if isinstance(rec, dict):
            for key, v in rec.items():
                if key not in row and key not in ("file", "features"):
                    row[key] = v
        tl.append(row)
    return {"id": case["id"], "category": case["category"], "kind": case["kind"], "menu": case["menu"],
            "voice": case["voice"], "speed": case["speed"], "audio": case["audio"],
            "level": level, "snr_db": snr, "noise": noise,
            "verdict": verdict, "why": why, "pages": raised, "wrong_line": wrong_line, "turns": tl}


# ---------------------------------------------------------------- metrics

def share(sel, pred):
    k = sum(1 for x in sel if pred(x))
    return {"k": k, "n": len(sel), "rate": (k / len(sel)) if sel else None}


def metrics(cases, res):
    """The product metrics of one level; res: id -> case_result."""
    ordering = [res[c["id"]] for c in cases if is_ordering(c)]
    human = [res[c["id"]] for c in cases if is_human(c)]
    offm = [res[c["id"]] for c in cases if is_offmenu(c)]
    every = [res[c["id"]] for c in cases]

    def silent_wrong(r):
        # a line not asked for (or not as asked) and no page at all: for an ordering case the
        # verdict "wrong"; elsewhere too, e.g. "i need help" heard as "a lemonade coke" (nopage)
        return r["wrong_line"] and not r["pages"]
    return {
        "auto_correct": share(ordering, lambda r: r["verdict"] == "ok" and not r["pages"]),
        "silent_wrong": share(ordering, silent_wrong),
        "silent_wrong_all": share(every, silent_wrong),
        "paged": share(ordering, lambda r: bool(r["pages"])),
        "short": share(ordering, lambda r: r["verdict"] == "short"),
        "human_recall_strict": share(human, lambda r: "human_request" in r["pages"]),
        "human_recall_any": share(human, lambda r: bool(r["pages"])),
        "offmenu_safety": share(offm, lambda r: r["verdict"] == "ok"),
        "offmenu_paged": share(offm, lambda r: bool(r["pages"])),
        "errors": share(every, lambda r: r["verdict"] == "error"),
        "exact": share(every, lambda r: r["verdict"] == "ok"),
    }


def reliability(cases, res):
    """Confidence bins over the turns that heard something: count, mean confidence, accuracy."""
    pts = []
    for c in cases:
        for t in res[c["id"]]["turns"]:
            if t["heard"] and t["confidence"] is not None:
                pts.append((min(1.0, max(0.0, float(t["confidence"]))), 1.0 if t["right"] else 0.0))
    bins = []
    for b in range(RELIABILITY_BINS):
        lo, hi = b / RELIABILITY_BINS, (b + 1) / RELIABILITY_BINS
        sel = [p for p in pts if min(int(p[0] * RELIABILITY_BINS), RELIABILITY_BINS - 1) == b]
        bins.append({"lo": lo, "hi": hi, "n": len(sel),
                     "conf": sum(p[0] for p in sel) / len(sel) if sel else None,
                     "acc": sum(p[1] for p in sel) / len(sel) if sel else None})
    n = len(pts)
    ece = sum(b["n"] / n * abs(b["acc"] - b["conf"]) for b in bins if b["n"]) if n else None
    return {"n": n, "ece": ece, "bins": bins,
            "accuracy": sum(p[1] for p in pts) / n if n else None,
            "mean_conf": sum(p[0] for p in pts) / n if n else None}


# ---------------------------------------------------------------- reporting

def pct(k, n):
    return f"{100.0 * k / n:5.1f}" if n else "    -"


def heard_right(t):
    """For the heard% column: a turn off the menu is heard right when nothing was matched."""
    return not t["heard"] if t["offmenu"] else t["heard_ok"]


def report(cases, res, out):
    """The per-category table of one level, and the rates by voice, speed and format."""
    menus = sorted({menu_short(c["menu"]) for c in cases})
    cats = []
    for c in cases:
        if c["category"] not in cats:
            cats.append(c["category"])
    kinds = {c["category"]: c["kind"] for c in cases}

    w = max([len(c) for c in cats] + [14])
    mcols = "".join(f"{m:>12}" for m in menus)
    head = (f"{'category':<{w}}  {'kind':<4}{mcols}{'all':>14}{'%':>7}  {'wrong':>5} {'short':>5} "
            f"{'paged':>5} {'nopage':>6} {'error':>5}  {'heard%':>6}")
    print(head, file=out)
    print("-" * len(head), file=out)

    def row(label, kind, sel):
        cnt = collections.Counter(res[c["id"]]["verdict"] for c in sel)
        cells = ""
        for m in menus:
            ms = [c for c in sel if menu_short(c["menu"]) == m]
            k = sum(1 for c in ms if res[c["id"]]["verdict"] == "ok")
            cells += f"{(f'{k}/{len(ms)}' if ms else '-'):>12}"
        hk = [heard_right(t) for c in sel for t in res[c["id"]]["turns"]]
        print(f"{label:<{w}}  {kind:<4}{cells}{cnt['ok']:>8}/{len(sel):<5}{pct(cnt['ok'], len(sel)):>7}  "
              f"{cnt['wrong']:>5} {cnt['short']:>5} {cnt['paged']:>5} {cnt['nopage']:>6} {cnt['error']:>5}  "
              f"{pct(sum(hk), len(hk)):>6}", file=out)

    for cat in cats:
        sel = [c for c in cases if c["category"] == cat]
        row(cat + (" *" if all(is_offmenu(c) for c in sel) else ""),
            "1" if kinds[cat] == "single" else "conv", sel)
    print("-" * len(head), file=out)
    singles = [c for c in cases if c["kind"] == "single"]
    convs = [c for c in cases if c["kind"] != "single"]
    if singles:
        row("single turns", "", singles)
    if convs:
        row("conversations", "", convs)
    row("OVERALL", "", cases)
    print("", file=out)
    print("wrong: a line not asked for (or not as asked) taken silently, the worst; short: something "
          "missing or\nnot confirmed, nothing wrong added; paged: the crew brought in unasked (safe); "
          "nopage: an expected\npage did not come; error: crash, time-out or output not per the spec; "
          "heard%: turns whose \"heard\"\nis what was said (articles, fillers, spacing, contractions "
          "aside): recognition, apart from parsing.\n*: off-menu, judged for safety: ok when no line "
          "was added, whatever the pages; wrong when one was\n(paged or not); heard% there: turns off "
          "the menu that matched nothing.", file=out)
    # the audio variants, to see where recognition is weak
    print("", file=out)
    for label, key in (("voice", lambda c: c["voice"]), ("speed", lambda c: f"{c['speed']} wpm"),
                       ("format", lambda c: FORMAT_NAMES[c["audio"]])):
        groups = {}
        for c in cases:
            groups.setdefault(key(c), []).append(c)
        parts = []
        for g in sorted(groups):
            sel = groups[g]
            k = sum(1 for c in sel if res[c["id"]]["verdict"] == "ok")
            parts.append(f"{g} {pct(k, len(sel)).strip()}% ({len(sel)})")
        print(f"by {label:<6}  " + "   ".join(parts), file=out)


def report_levels(cases, levels, R, out):
    """Exact-order % (off-menu: safe %) per category, one column per level; wrong cases in ()."""
    cats = []
    for c in cases:
        if c["category"] not in cats:
            cats.append(c["category"])
    w = max([len(c) for c in cats] + [14]) + 2
    head = f"{'category':<{w}}{'cases':>6}" + "".join(f"{level_title(n):>14}" for n, _ in levels)
    print(head, file=out)
    print("-" * len(head), file=out)

    def row(label, sel):
        cells = ""
        for n, _ in levels:
            k = sum(1 for c in sel if R[n][c["id"]]["verdict"] == "ok")
            bad = sum(1 for c in sel if R[n][c["id"]]["verdict"] == "wrong")
            cells += f"{pct(k, len(sel)).strip():>8}" + (f" ({bad:>2})" if bad else "     ") + " "
        print(f"{label:<{w}}{len(sel):>6}{cells}", file=out)
    for cat in cats:
        sel = [c for c in cases if c["category"] == cat]
        row(cat + (" *" if all(is_offmenu(c) for c in sel) else ""), sel)
    print("-" * len(head), file=out)
    row("OVERALL", cases)
    print("%: exact order and pages (*: no line added); (n): cases with a wrong line", file=out)


def fmt_share(s):
    return f"{100.0 * s['rate']:6.1f}%" if s["n"] else "      -"


METRIC_ROWS = [
    ("auto_correct", "auto-correct (right, not paged)", "ordering",
     f">= {100 * TARGET_AUTO_CORRECT:.0f}% clean"),
    ("silent_wrong", "silent-wrong (wrong, not paged)", "ordering",
     f"<= {100 * TARGET_SILENT_WRONG_CLEAN:.0f}% clean, <= {100 * TARGET_SILENT_WRONG_10DB:.0f}% at 10 dB"),
    ("paged", "paged (a page not needed)", "ordering", ""),
    ("short", "short (something missing)", "ordering", ""),
    ("silent_wrong_all", "silent-wrong, over all cases", "all", ""),
    ("human_recall_strict", "human-request recall (strict)", "human",
     f">= {100 * TARGET_HUMAN_RECALL:.0f}% clean"),
    ("human_recall_any", "human-request recall (any page)", "human", ""),
    ("offmenu_safety", "off-menu safety (no line added)", "off-menu",
     f">= {100 * TARGET_OFFMENU_SAFETY:.0f}% clean"),
    ("offmenu_paged", "off-menu paged", "off-menu", ""),
    ("errors", "errors (no usable output)", "all", ""),
    ("exact", "exact (order and pages as expected)", "all", ""),
]


def report_metrics(levels, M, out):
    w = 37
    head = f"{'metric':<{w}}{'of':>9}" + "".join(f"{level_title(n):>10}" for n, _ in levels) + "   target"
    print(head, file=out)
    print("-" * len(head), file=out)
    for key, label, of, target in METRIC_ROWS:
        first = M[levels[0][0]][key]
        cells = "".join(f"{fmt_share(M[n][key]):>10}" for n, _ in levels)
        print(f"{label:<{w}}{first['n']:>9}{cells}   {target}", file=out)
    # counts behind the worst outcomes, to read without a calculator
    cells = "".join(f"{M[n]['silent_wrong']['k']:>6}/{M[n]['silent_wrong']['n']:<3}" for n, _ in levels)
    print(f"{'  silent-wrong cases':<{w}}{'':>9}{cells}", file=out)
    cells = "".join(f"{M[n]['human_recall_strict']['k']:>6}/{M[n]['human_recall_strict']['n']:<3}" for n, _ in levels)
    print(f"{'  human requests paged human_request':<{w}}{'':>9}{cells}", file=out)
    print("ordering: no page expected and not off-menu; human: human_request expected; "
          "off-menu: questions,\nchatter, other chains, sounds (safe when no line is added).", file=out)


def report_reliability(levels, REL, out):
    print("turns that heard something, by confidence; acc: heard = said (off the menu: wrong)", file=out)
    head = f"{'confidence':<11}" + "".join(f"{level_title(n) + ': n  conf   acc':>24}" for n, _ in levels)
    print(head, file=out)
    print("-" * len(head), file=out)
    for b in range(RELIABILITY_BINS):
        lo, hi = b / RELIABILITY_BINS, (b + 1) / RELIABILITY_BINS
        cells = ""
        for n, _ in levels:
            x = REL[n]["bins"][b]
            cells += (f"{x['n']:>13} {x['conf']:.2f} {x['acc']:5.2f}" if x["n"] else f"{0:>13}     -     -")
        print(f"{lo:.1f}-{hi:.1f}    " + cells, file=out)
    print("-" * len(head), file=out)
    cells = ""
    for n, _ in levels:
        r = REL[n]
        cells += (f"{r['n']:>13} {r['mean_conf']:.2f} {r['accuracy']:5.2f}" if r["n"] else f"{0:>13}     -     -")
    print(f"{'all':<11}" + cells, file=out)
    cells = "".join(f"{(f'{r:.3f}' if r is not None else '-'):>24}" for r in (REL[n]["ece"] for n, _ in levels))
    print(f"{'ECE':<11}" + cells, file=out)


def plot_reliability(levels, REL, outdir):
    """build/speech/reliability.png with gnuplot; returns (path or None, note)."""
    gp = shutil.which("gnuplot")
    if not gp:
        try:
            os.unlink(os.path.join(outdir, "reliability.png"))
        except OSError:
            pass
        return None, "gnuplot is not installed (apt-get install gnuplot-nox): no reliability.png"
    dat = os.path.join(outdir, "reliability.dat")
    png = os.path.join(outdir, "reliability.png")
    for p in (dat, png):                 # never leave an older run's diagram behind
        try:
            os.unlink(p)
        except OSError:
            pass
    series = []
    with open(dat, "w", encoding="utf-8") as f:
        for n, _ in levels:
            pts = [b for b in REL[n]["bins"] if b["n"]]
            if not pts:
                continue
            f.write(f"# {level_title(n)}: mean confidence, accuracy, count\n")
            for b in pts:
                f.write(f"{b['conf']:.4f} {b['acc']:.4f} {b['n']}\n")
            f.write("\n\n")
            ece = REL[n]["ece"]
            series.append(f"{level_title(n)} (ECE {ece:.3f}, {REL[n]['n']} turns)")
    if not series:
        return None, "no turn heard anything: no reliability.png"
    plots = ["x with lines dt 2 lc rgb 'gray' title 'perfectly calibrated'"]
    for i, title in enumerate(series):
        plots.append(f"'{dat}' index {i} using 1:2 with linespoints lw 2 pt 7 title '{title}'")
    script = "\n".join([
        "set terminal {term} size 720,600",
        f"set output '{png}'",
        "set title 'Kiosk confidence: reliability (development speech set)'",
        "set xlabel 'mean confidence in bin'", "set ylabel 'observed accuracy (heard = said)'",
        "set xrange [0:1]", "set yrange [0:1]", "set size square", "set grid",
        "set key bottom right",
        "plot " + ", ".join(plots), ""])
    err = ""
    for term in ("pngcairo", "png"):
        try:
            r = subprocess.run([gp], input=script.format(term=term), capture_output=True, text=True, timeout=60)
        except (OSError, subprocess.SubprocessError) as e:
            return None, f"gnuplot failed: {e}"
        if r.returncode == 0 and os.path.exists(png) and os.path.getsize(png) > 0:
            return png, ""
        err = r.stderr.strip().splitlines()[-1:] if r.stderr.strip() else [f"exit {r.returncode}"]
        err = err[0]
    return None, f"gnuplot could not draw reliability.png: {err}"


def write_failures(path, cases, levels, R, wavs_at):
    bad = [(n, c) for n, _ in levels for c in cases if R[n][c["id"]]["verdict"] != "ok"]
    with open(path, "w", encoding="utf-8") as f:
        f.write(f"# {len(bad)} failing cases of {len(cases)} x {len(levels)} level(s); rerun one with: "
                f"python3 tests/speech/eval.py --kiosk build/kiosk --only ID [--noise LEVEL]\n")
        for n, c in bad:
            r = R[n][c["id"]]
            f.write(f"\n== {c['id']}  [{level_title(n)}{(' ' + r['noise']) if r['noise'] else ''}; "
                    f"{c['category']}, {c['menu']}, {c['voice']} @{c['speed']} wpm, {c['audio']}]  "
                    f"{r['verdict'].upper()}: {r['why']}\n")
            for k, t in enumerate(r["turns"]):
                f.write(f"   turn {k + 1}: said     \"{t['said']}\"\n")
                if t["heard"] is not None:
                    conf = f"{t['confidence']:.2f}" if t["confidence"] is not None else "-"
                    mark = "" if t["heard_ok"] else "   <- misheard"
                    if t["offmenu"]:
                        mark = "   <- off the menu" if t["heard"] else ""
                    f.write(f"           heard    \"{t['heard']}\"{mark}\n")
                    f.write(f"           free     \"{t['free_text']}\"   confidence {conf}   page {t['page'] or '-'}\n")
                if t["audio"]:
                    f.write(f"           audio    {t['audio']}\n")
            f.write(f"   expected {fmt_order(*expected_of(c))}" + ("  (off-menu: no other line)" if is_offmenu(c) else "") + "\n")
            obj = R[n][c["id"]].get("_obj")
            try:
                got = actual_of(obj) if isinstance(obj, dict) else None
            except Shape:
                got = None
            f.write(f"   got      {fmt_order(*got) if got else '(no usable output)'}\n")


def write_results(path, head, levels, R, M, REL, cases):
    """One case a line: easy to grep, and to pair confidence with correctness."""
    with open(path, "w", encoding="utf-8") as f:
        f.write(json.dumps(head)[:-1] + ', "levels": {\n')
        for i, (n, snr) in enumerate(levels):
            ok = M[n]["exact"]
            lv = {"snr_db": snr, "cases": len(cases), "exact": ok["k"], "overall": ok["rate"],
                  "metrics": M[n], "reliability": REL[n]}
            f.write(f"{json.dumps(n)}: " + json.dumps(lv)[:-1] + ', "results": {\n')
            f.write(",\n".join(f"{json.dumps(c['id'])}: "
                               + json.dumps({k: v for k, v in R[n][c['id']].items() if not k.startswith('_')})
                               for c in cases))
            f.write("\n}}" + ("," if i < len(levels) - 1 else "") + "\n")
        f.write("}}\n")


def check_targets(levels, M, lim):
    """The limits missed (lim: TARGETS or FLOORS), as sentences (empty: all met)."""
    names = [n for n, _ in levels]
    fails = []

    def rate(level, key):
        s = M[level][key]
        return s["rate"] if s["n"] else None
    if "clean" in names:
        r = rate("clean", "auto_correct")
        if r is not None and r < lim["auto"]:
            fails.append(f"auto-correct on clean audio is {100 * r:.1f}%, below {100 * lim['auto']:.0f}%")
        r = rate("clean", "silent_wrong")
        if r is not None and r > lim["sw_clean"]:
            s = M["clean"]["silent_wrong"]
            fails.append(f"silent-wrong on clean audio is {100 * r:.1f}% ({s['k']}/{s['n']}), above "
                         f"{100 * lim['sw_clean']:.0f}%")
        r = rate("clean", lim["human_key"])
        if r is not None and r < lim["human"]:
            s = M["clean"][lim["human_key"]]
            what = "human_request" if lim["human_key"] == "human_recall_strict" else "any page"
            fails.append(f"human-request recall on clean audio is {100 * r:.1f}% ({s['k']}/{s['n']} paged "
                         f"{what}), below {100 * lim['human']:.0f}%")
        r = rate("clean", "offmenu_safety")
        if r is not None and r < lim["offmenu"]:
            s = M["clean"]["offmenu_safety"]
            fails.append(f"off-menu safety on clean audio is {100 * r:.1f}% ({s['n'] - s['k']} of {s['n']} "
                         f"added a line), below {100 * lim['offmenu']:.0f}%")
    if "10" in names:
        r = rate("10", "silent_wrong")
        if r is not None and r > lim["sw_10"]:
            s = M["10"]["silent_wrong"]
            fails.append(f"silent-wrong at 10 dB SNR is {100 * r:.1f}% ({s['k']}/{s['n']}), above "
                         f"{100 * lim['sw_10']:.0f}%")
    return fails


# ---------------------------------------------------------------- main

def pool_map(n, fn, items, label=None):
    """fn(item) for every item on n threads, in order; shows progress on a terminal."""
    out = [None] * len(items)
    tty = label and sys.stderr.isatty()
    with concurrent.futures.ThreadPoolExecutor(n) as ex:
        futs = {ex.submit(fn, it): i for i, it in enumerate(items)}
        for done, fu in enumerate(concurrent.futures.as_completed(futs), 1):
            out[futs[fu]] = fu.result()
            if tty:
                print(f"\r{label}: {done}/{len(items)}", end="", file=sys.stderr, flush=True)
    if tty:
        print("\r" + " " * 50 + "\r", end="", file=sys.stderr)
    return out


def level_token(name):
    """A level's name as it appears in a file name (no dots)."""
    return name.replace(".", "p").replace("-", "m")


def main():
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)      # `eval.py | head` ends quietly
    ap = argparse.ArgumentParser(description="Score the kiosk on the development speech set, clean and in noise.")
    ap.add_argument("--kiosk", required=True, help="the kiosk program (build/kiosk)")
    ap.add_argument("--noise", default="clean",
                    help="levels to run, comma-separated: 'clean' and SNRs in dB (default clean; e.g. clean,20,10,5)")
    ap.add_argument("--check", action="store_true",
                    help="exit 1 when a floor is broken, i.e. the kiosk got worse (see the top of eval.py); needs 'clean' among the levels")
    ap.add_argument("--threshold", type=float,
                    help="passed to `kiosk replay --threshold` (0..1; default: the kiosk's own)")
    ap.add_argument("--denoise", action="store_true",
                    help="pass `kiosk replay --denoise`: noise suppression and gain control "
                         "(speexdsp's preprocessor) on every turn before it is decoded")
    ap.add_argument("--only", help="comma-separated categories (or ids, menus, 'single', 'conversation', "
                                   "'ordering', 'human', 'offmenu')")
    ap.add_argument("--limit", type=int, default=0, help="at most N cases, spread over the categories")
    ap.add_argument("-j", "--jobs", type=int, default=2, help="processes at a time (default 2)")
    ap.add_argument("--timeout", type=float, default=60.0,
                    help="seconds a kiosk run may take, plus 4 s per second of audio (default 60)")
    ap.add_argument("--set", default=os.path.join(HERE, "set.json"), help="the speech set (tests/speech/set.json)")
    ap.add_argument("--out", default=os.path.join(ROOT, "build", "speech"), help="work directory (build/speech)")
    args = ap.parse_args()

    t_start = time.monotonic()
    levels = parse_levels(args.noise)
    names = [n for n, _ in levels]
    if args.check and "clean" not in names:
        die("--check measures the targets on clean audio: add 'clean' to --noise")
    if args.threshold is not None and not (0.0 <= args.threshold <= 1.0):
        die(f"--threshold {args.threshold:g}: between 0 and 1, please")
    kiosk = os.path.abspath(args.kiosk)
    if not (os.path.isfile(kiosk) and os.access(kiosk, os.X_OK)):
        die(f"{args.kiosk}: no kiosk program there; build it with `make` first")
    for tool in ("espeak-ng", "sox"):
        if shutil.which(tool) is None:
            die(f"{tool} is not installed; `make deps` installs it")
    opts = kiosk_options(kiosk)
    extra = []
    if args.threshold is not None:
        if "--threshold" not in opts:
            die(f"{args.kiosk} does not take --threshold (not in `{args.kiosk} replay --help`); "
                f"rebuild it, or leave --threshold out")
        extra = ["--threshold", f"{args.threshold:g}"]
    if args.denoise:
        if "--denoise" not in opts:
            die(f"{args.kiosk} does not take --denoise (not in `{args.kiosk} replay --help`); "
                f"rebuild it, or leave --denoise out")
        extra += ["--denoise"]
    if "--one-thread" in opts:
        extra += ["--one-thread"]   # -j processes already fill the cores
    notes = []
    if "--features" not in opts:
        notes.append(f"{args.kiosk} does not take --features (not in `replay --help`): "
                     f"results.json has no confidence features")
    jobs_n = max(1, args.jobs)
    cases = select(load_set(args.set), args.only, args.limit)
    if not cases:
        die(f"no case matches --only {args.only}")
    out_dir = os.path.abspath(args.out)
    try:
        os.makedirs(out_dir, exist_ok=True)
    except OSError as e:
        die(f"{args.out}: cannot make the work directory ({e})")

    # 1. clean audio
    audio = Audio(out_dir)
    todo = [(c["id"], k, t, c["voice"], c["speed"], c["audio"]) for c in cases for k, t in enumerate(c["turns"])]
    clean = {c["id"]: [None] * len(c["turns"]) for c in cases}
    secs = {c["id"]: 0.0 for c in cases}
    synth_err = {}
    t0 = time.monotonic()
    made = pool_map(jobs_n, lambda x: audio.make(*x[2:]), todo, "speaking")
    for (cid, k, *_), (path, sec, err) in zip(todo, made):
        clean[cid][k] = path
        secs[cid] += sec
        if err:
            synth_err.setdefault(cid, err)
    t_synth = time.monotonic() - t0
    if len(synth_err) == len(cases):
        die(f"no audio could be made: {next(iter(synth_err.values()))}")

    # 2. noise: the beds, then every turn mixed at every level
    noise = Noise(out_dir, audio.dir)
    wavs_at = {"clean": clean}
    err_at = {n: dict(synth_err) for n in names}
    kind_of = {c["id"]: NOISE_TYPES[c["_index"] % len(NOISE_TYPES)] for c in cases}
    t0 = time.monotonic()
    noisy = [(n, snr) for n, snr in levels if snr is not None]
    if noisy:
        beds = sorted({(kind_of[c["id"]],) + format_of(c["audio"]) for c in cases})
        errs = [e for e in pool_map(jobs_n, lambda b: noise.make_bed(*b), beds, "making noise") if e]
        if errs:
            die(f"cannot make the drive-through noise: {errs[0]}")
        mix_todo = []
        for n, snr in noisy:
            wavs_at[n] = {c["id"]: [None] * len(c["turns"]) for c in cases}
            for c in cases:
                if c["id"] in synth_err:
                    continue
                for k, t in enumerate(c["turns"]):
                    mix_todo.append((n, snr, c["id"], k, clean[c["id"]][k], not t.startswith("<")))

        def mix_one(x):
            n, snr, cid, k, path, speech = x
            kind = kind_of[cid]
            return noise.mix(path, speech, kind, snr, level_token(n), noise.offset(cid, k, kind))
        for (n, snr, cid, k, _, _), (path, err) in zip(mix_todo, pool_map(jobs_n, mix_one, mix_todo, "adding noise")):
            wavs_at[n][cid][k] = path
            if err:
                err_at[n].setdefault(cid, f"test audio: {err}")
    t_mix = time.monotonic() - t0
    if not args.only and not args.limit:
        # a full run prunes audio the set no longer uses (old texts, older versions); the mixes
        # of levels not run this time stay while their clean file does
        used = {os.path.basename(p) for lv in wavs_at.values() for ps in lv.values() for p in ps if p}
        used_clean = {u[:-4] for u in used if u.count(".") == 1}
        ran = {"snr" + level_token(n) for n, _ in noisy}
        for name in os.listdir(audio.dir):
            parts = name.split(".")
            stale = parts[0] not in used_clean or (len(parts) == 4 and parts[1] in ran and name not in used)
            if stale:
                try:
                    os.unlink(os.path.join(audio.dir, name))
                except OSError:
                    pass

    # 3. replay, every level in one queue
    jobs = []
    for n, _ in levels:
        runnable = [c for c in cases if c["id"] not in err_at[n]]
        for m in sorted({c["menu"] for c in runnable}):
            sing = [c for c in runnable if c["menu"] == m and c["kind"] == "single"]
            nb = max(1, -(-len(sing) // BATCH))
            size = -(-len(sing) // nb) if sing else 0
            for b in range(nb):
                chunk = sing[b * size:(b + 1) * size]
                if chunk:
                    jobs.append(Job(n, "each", m, chunk, [wavs_at[n][c["id"]] for c in chunk],
                                    sum(secs[c["id"]] for c in chunk)))
            for c in runnable:
                if c["menu"] == m and c["kind"] != "single":
                    jobs.append(Job(n, "conv", m, [c], [wavs_at[n][c["id"]]], secs[c["id"]]))
    jobs.sort(key=lambda j: -j.secs)          # longest first: the workers end together
    dbdir = os.path.join(out_dir, "db")
    featdir = os.path.join(out_dir, "features") if "--features" in opts else None
    for d in (dbdir, featdir):
        if d:
            os.makedirs(d, exist_ok=True)
    warnings_ = []
    R = {n: {} for n in names}
    snr_of = dict(levels)
    decode_ms = 0.0
    t0 = time.monotonic()

    def run_job(x):
        k, job = x
        try:
            return do_job(job, kiosk, dbdir, featdir, k, args.timeout, extra)
        except Exception as e:          # a bug here must not hide the others' results
            return [(None, f"evaluator error: {e!r}")] * len(job.cases), [], 0.0, None
    outs = pool_map(jobs_n, run_job, list(enumerate(jobs)), "replaying (kiosk runs)")
    for job, (results, warns, _, recs) in zip(jobs, outs):
        warnings_ += [f"{level_title(job.level)}, {job.menu} ({job.cases[0]['id']}...): {w}" for w in warns]
        feats = join_features(job, results, recs)
        for i, c in enumerate(job.cases):
            obj, err = results[i] if i < len(results) else (None, "no result")
            noise_kind = kind_of[c["id"]] if snr_of[job.level] is not None else None
            r = case_result(c, job.level, snr_of[job.level], noise_kind, obj, err, feats[i], job.wavs[i])
            r["_obj"] = obj
            R[job.level][c["id"]] = r
            if isinstance(obj, dict) and isinstance(obj.get("turns"), list):
                for t in obj["turns"]:
                    if isinstance(t, dict) and isinstance(t.get("decode_ms"), (int, float)):
                        decode_ms += t["decode_ms"]
    for n, snr in levels:
        for c in cases:
            if c["id"] in err_at[n]:
                ws = wavs_at.get(n, {}).get(c["id"]) or clean[c["id"]]
                R[n][c["id"]] = case_result(c, n, snr, kind_of[c["id"]] if snr is not None else None,
                                            None, err_at[n][c["id"]], None, ws)
                R[n][c["id"]]["_obj"] = None
    t_replay = time.monotonic() - t0

    # 4. report
    M = {n: metrics(cases, R[n]) for n in names}
    REL = {n: reliability(cases, R[n]) for n in names}
    n_turns = sum(len(c["turns"]) for c in cases)
    audio_s = sum(secs.values())
    n_single = sum(1 for c in cases if c["kind"] == "single")
    print(f"Speech set {os.path.relpath(args.set, ROOT)}: {n_single} single turns, "
          f"{len(cases) - n_single} conversations ({sum(map(is_ordering, cases))} ordering, "
          f"{sum(map(is_human, cases))} asking for a person, {sum(map(is_offmenu, cases))} off-menu); "
          f"kiosk {args.kiosk}"
          + (f" --threshold {args.threshold:g}" if args.threshold is not None else "")
          + (" --denoise (speexdsp preprocessor on: noise suppression + AGC)" if args.denoise else "")
          + f"; levels: {', '.join(level_title(n) for n in names)}\n")
    first = names[0]
    print(f"== {level_title(first)}: exact order by category ==")
    report(cases, R[first], sys.stdout)
    if len(names) > 1:
        print("\n== by noise level ==")
        report_levels(cases, levels, R, sys.stdout)
    print("\n== metrics ==")
    report_metrics(levels, M, sys.stdout)
    print("\n== reliability ==")
    report_reliability(levels, REL, sys.stdout)
    png, note = plot_reliability(levels, REL, out_dir)
    if png:
        print(f"reliability diagram: {os.path.relpath(png, ROOT)}")
    else:
        notes.append(note)
    print(f"\n{n_turns} turns x {len(names)} level(s), {audio_s:.1f} s of audio per level ({audio.made} files "
          f"made, {n_turns - audio.made} from the cache, {t_synth:.1f} s)"
          + (f"; noise: {noise.made_beds} beds made, {noise.mixed} turns mixed, {t_mix:.1f} s" if noisy else "")
          + f"; {len(jobs)} kiosk runs, {t_replay:.1f} s with -j {jobs_n}"
          + (f" (decode {decode_ms / 1000.0:.1f} s, {decode_ms / 1000.0 / (audio_s * len(names)):.2f} x real time)"
             if audio_s and decode_ms else "")
          + f"; wall time {time.monotonic() - t_start:.1f} s")
    for w in warnings_:
        print(f"warning: {w}")
    for note in notes:
        print(f"note: {note}")
    fail_path = os.path.join(out_dir, "failures.txt")
    write_failures(fail_path, cases, levels, R, wavs_at)
    head = {"set": os.path.relpath(args.set, ROOT), "kiosk": args.kiosk, "threshold": args.threshold,
            "levels_run": names, "cases": len(cases), "audio_seconds": audio_s,
            "wall_seconds": time.monotonic() - t_start}
    if args.denoise:
        head["denoise"] = True
    write_results(os.path.join(out_dir, "results.json"), head, levels, R, M, REL, cases)
    print("exact-order rate " + ", ".join(f"{level_title(n)} {100 * M[n]['exact']['rate']:.1f}% "
                                          f"({M[n]['exact']['k']}/{M[n]['exact']['n']})" for n in names)
          + f"; failures in {os.path.relpath(fail_path, ROOT)}, every turn in "
          + os.path.relpath(os.path.join(out_dir, "results.json"), ROOT))

    n_err = sum(M[n]["errors"]["k"] for n in names)
    if n_err == len(cases) * len(names):
        first_err = R[first][cases[0]["id"]]["why"]
        die(f"no case could be scored: the kiosk gave no usable output for any of them "
            f"(first: {first_err}); see {os.path.relpath(fail_path, ROOT)}", 1)
    missed = check_targets(levels, M, TARGETS)
    if missed:
        print(f"issue targets not met yet ({len(missed)}):")
        for f in missed:
            print(f"  - {f}")
    elif "clean" not in [n for n, _ in levels] or "10" not in [n for n, _ in levels]:
        print("issue targets: not judged in full (they concern clean audio and 10 dB; this run had "
              + ", ".join(n if n == "clean" else n + " dB" for n, _ in levels) + ")")
    else:
        print("every issue target met (auto-correct, silent-wrong, human-request recall, off-menu safety)")
    if args.check:
        fails = check_targets(levels, M, FLOORS)
        if fails:
            print(f"FAIL: {len(fails)} floor(s) broken, the kiosk got worse (see {os.path.relpath(fail_path, ROOT)}):")
            for f in fails:
                print(f"  - {f}")
            sys.exit(1)
        print("ok: every floor held (auto-correct, silent-wrong, human requests paged, off-menu safety)")


if __name__ == "__main__":
    main()
