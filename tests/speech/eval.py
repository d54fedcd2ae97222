#!/usr/bin/env python3
"""Scores the kiosk on the development speech set (tests/speech/set.json).

    python3 tests/speech/eval.py --kiosk build/kiosk [--check] [--only CAT[,CAT]] [--limit N] [-j 2]

1. Speaks every turn with espeak-ng (voice, speed and file format given per case in the set),
   pads it with 250 ms of silence at each end and lays a faint noise floor under it (sox), into
   build/speech/audio/, cached by a hash of text + voice + speed + format: a rerun synthesises
   nothing.
2. Replays the turns through the kiosk (../shared/spec/kiosk-cli.md):
      kiosk replay --menu MENU --db DB --json --each f1.wav f2.wav ...   single turns, batched
      kiosk replay --menu MENU --db DB --json t1.wav t2.wav ...          one conversation
   -j processes at a time.
3. Compares the final order (status; lines in order: item, qty, size, options, choices;
   prices are not compared) and the set of page reasons with the expectation; prints the
   exact-order rate by category, per menu and overall, and writes every failure, with what
   the kiosk heard, to build/speech/failures.txt (results.json beside it for tools).

--check exits 1 when the overall exact-order rate is below the floor (90%).  A kiosk crash,
time-out or output that is not the JSON of the spec fails the cases concerned; it is reported,
never a Python traceback.  Python standard library only.
"""
import argparse
import concurrent.futures
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import wave

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
FLOOR = 0.90
PAD_S = 0.25
GEN_VERSION = "2"          # bump when the way audio is made changes: invalidates the cache
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
    for c in cases:
        for k in ("id", "kind", "category", "menu", "turns", "expect", "voice", "speed", "audio"):
            if k not in c:
                die(f"{path}: case {c.get('id', '?')} has no {k!r}")
        if c["audio"] not in FORMATS:
            die(f"{path}: case {c['id']}: unknown audio format {c['audio']!r}")
    return cases


def select(cases, only, limit):
    if only:
        want = {w.strip() for w in only.split(",") if w.strip()}
        cases = [c for c in cases if want & {c["category"], c["kind"], c["id"], menu_short(c["menu"])}]
    if limit and limit < len(cases):
        # round-robin over categories and menus, so a short run still sees every family
        by_cat = {}
        for c in cases:
            by_cat.setdefault((c["category"], c["menu"]), []).append(c)
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


# ---------------------------------------------------------------- audio

class Audio:
    def __init__(self, outdir):
        self.dir = os.path.join(outdir, "audio")
        os.makedirs(self.dir, exist_ok=True)
        self.made = 0
        self.lock = threading.Lock()

    def path(self, text, voice, speed, fmt):
        key = hashlib.sha1(f"{GEN_VERSION}|{text}|{voice}|{speed}|{fmt}|{PAD_S}".encode()).hexdigest()[:20]
        return os.path.join(self.dir, key + ".wav")

    def make(self, text, voice, speed, fmt):
        """Returns (path, seconds, error)."""
        out = self.path(text, voice, speed, fmt)
        if not os.path.exists(out):
            tmp_raw = f"{out}.{os.getpid()}.{threading.get_ident()}.raw.wav"
            tmp_out = f"{out}.{os.getpid()}.{threading.get_ident()}.tmp.wav"
            try:
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
            except (OSError, subprocess.SubprocessError) as e:
                return out, 0.0, f"cannot make audio: {e}"
            finally:
                for p in (tmp_raw, tmp_out, tmp_out + ".pad.wav"):
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


class Job:
    def __init__(self, kind, menu, cases, wavs, secs):
        self.kind, self.menu, self.cases, self.wavs, self.secs = kind, menu, cases, wavs, secs


def do_job(job, kiosk, dbdir, seq, base_timeout):
    """Runs a job; returns (results, warnings, seconds): one (obj or None, error or None) per case.
    A batch that crashes on a file is resumed after that file (at most MAX_RESUME times), so one
    bad turn costs one case."""
    db = os.path.join(dbdir, f"job-{seq}.db")
    base = [kiosk, "replay", "--menu", job.menu, "--db", db, "--json"]
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
        return results, warns, spent

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
    return [(obj, err)], warns, r["secs"]


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
    ok     the final order and pages are as expected;
    error  no usable output (crash, time-out, not the JSON of the spec);
    nopage an expected page (a person asked for, too many of an item) did not come;
    paged  an unexpected page: the crew was brought in without need (a safe failure);
    wrong  the order holds a line that was not asked for, or not as asked, and nobody was
           paged: an order taken silently wrong, the worst outcome;
    short  only that something asked for is missing, or the order was not confirmed: the
           kiosk did not get it all ("sorry, I didn't catch that"), which the customer sees."""
    if err is not None:
        return "error", err
    try:
        got = actual_of(obj)
    except Shape as e:
        return "error", f"JSON not as the spec says: {e}"
    exp = expected_of(case)
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
    if exp[1] is not None:
        left = list(exp[1])
        for ln in got[1]:
            if ln not in left:
                return "wrong", what
            left.remove(ln)
    return "short", what


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


# ---------------------------------------------------------------- reporting

def pct(k, n):
    return f"{100.0 * k / n:5.1f}" if n else "    -"


def words(s):
    """A phrase for comparing what was said with what was heard: lower case, no commas,
    articles or "please", contractions spelt out, no spaces ("cheese burger" = "cheeseburger")."""
    t = " " + " ".join(str(s or "").lower().replace(",", " ").split()) + " "
    for a, b in (("that's", "that is"), ("i'd", "i would"), ("i'll", "i will"), ("we'll", "we will")):
        t = t.replace(f" {a} ", f" {b} ")
    return "".join(w for w in t.split() if w not in ("a", "an", "please"))


def heard_counts(case, obj):
    """(turns heard word for word, turns) of one case: tells recognition errors from parsing ones."""
    turns = obj.get("turns") if isinstance(obj, dict) and isinstance(obj.get("turns"), list) else []
    k = 0
    for i, text in enumerate(case["turns"]):
        t = turns[i] if i < len(turns) and isinstance(turns[i], dict) else {}
        k += words(t.get("heard")) == words(text)
    return k, len(case["turns"])


def report(cases, verdicts, details, out):
    menus = sorted({menu_short(c["menu"]) for c in cases})
    cats = []
    for c in cases:
        if c["category"] not in cats:
            cats.append(c["category"])
    kinds = {c["category"]: c["kind"] for c in cases}

    def stats(sel):
        n = len(sel)
        cnt = {"ok": 0, "wrong": 0, "short": 0, "paged": 0, "nopage": 0, "error": 0}
        for c in sel:
            cnt[verdicts[c["id"]][0]] += 1
        return n, cnt

    w = max([len(c) for c in cats] + [14])
    mcols = "".join(f"{m:>12}" for m in menus)
    head = (f"{'category':<{w}}  {'kind':<4}{mcols}{'all':>14}{'%':>7}  {'wrong':>5} {'short':>5} "
            f"{'paged':>5} {'nopage':>6} {'error':>5}  {'heard%':>6}")
    print(head, file=out)
    print("-" * len(head), file=out)

    def row(label, kind, sel):
        n, cnt = stats(sel)
        cells = ""
        for m in menus:
            ms = [c for c in sel if menu_short(c["menu"]) == m]
            k = sum(1 for c in ms if verdicts[c["id"]][0] == "ok")
            cells += f"{(f'{k}/{len(ms)}' if ms else '-'):>12}"
        hk = [heard_counts(c, details.get(c["id"])) for c in sel]
        hw = pct(sum(a for a, _ in hk), sum(b for _, b in hk))
        print(f"{label:<{w}}  {kind:<4}{cells}{cnt['ok']:>8}/{n:<5}{pct(cnt['ok'], n):>7}  "
              f"{cnt['wrong']:>5} {cnt['short']:>5} {cnt['paged']:>5} {cnt['nopage']:>6} {cnt['error']:>5}  "
              f"{hw:>6}", file=out)

    for cat in cats:
        row(cat, "1" if kinds[cat] == "single" else "conv", [c for c in cases if c["category"] == cat])
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
          "heard%: turns whose \"heard\"\nis what was said (articles, spacing, contractions aside): "
          "recognition, apart from parsing.", file=out)
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
            k = sum(1 for c in sel if verdicts[c["id"]][0] == "ok")
            parts.append(f"{g} {pct(k, len(sel)).strip()}% ({len(sel)})")
        print(f"by {label:<6}  " + "   ".join(parts), file=out)


def write_failures(path, cases, verdicts, details, wavs):
    bad = [c for c in cases if verdicts[c["id"]][0] != "ok"]
    with open(path, "w", encoding="utf-8") as f:
        f.write(f"# {len(bad)} failing cases of {len(cases)}; rerun one with: "
                f"python3 tests/speech/eval.py --kiosk build/kiosk --only ID\n")
        for c in bad:
            verdict, why = verdicts[c["id"]]
            obj = details.get(c["id"])
            f.write(f"\n== {c['id']}  [{c['category']}, {c['menu']}, {c['voice']} @{c['speed']} wpm, "
                    f"{c['audio']}]  {verdict.upper()}: {why}\n")
            turns = obj.get("turns") if isinstance(obj, dict) and isinstance(obj.get("turns"), list) else []
            for k, text in enumerate(c["turns"]):
                f.write(f"   turn {k + 1}: said     \"{text}\"\n")
                t = turns[k] if k < len(turns) and isinstance(turns[k], dict) else None
                if t is not None:
                    conf = t.get("confidence")
                    conf = f"{conf:.2f}" if isinstance(conf, (int, float)) else repr(conf)
                    page = t.get("page")
                    page = page.get("reason") if isinstance(page, dict) else (page or "-")
                    mark = "" if words(t.get("heard")) == words(text) else "   <- misheard"
                    f.write(f"           heard    \"{t.get('heard')}\"{mark}\n")
                    f.write(f"           free     \"{t.get('free_text')}\"   confidence {conf}   page {page}\n")
                    f.write(f"           kiosk    \"{t.get('said')}\"\n")
                if k < len(wavs.get(c["id"], [])):
                    f.write(f"           audio    {os.path.relpath(wavs[c['id']][k], ROOT)}\n")
            exp = expected_of(c)
            f.write(f"   expected {fmt_order(*exp)}\n")
            try:
                got = actual_of(obj) if isinstance(obj, dict) else None
            except Shape:
                got = None
            f.write(f"   got      {fmt_order(*got) if got else '(no usable output)'}\n")


# ---------------------------------------------------------------- main

def main():
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)      # `eval.py | head` ends quietly
    ap = argparse.ArgumentParser(description="Score the kiosk on the development speech set.")
    ap.add_argument("--kiosk", required=True, help="the kiosk program (build/kiosk)")
    ap.add_argument("--check", action="store_true",
                    help=f"exit 1 when the overall exact-order rate is below {100 * FLOOR:.0f}%%")
    ap.add_argument("--only", help="comma-separated categories (or ids, menus, 'single', 'conversation')")
    ap.add_argument("--limit", type=int, default=0, help="at most N cases, spread over the categories")
    ap.add_argument("-j", "--jobs", type=int, default=2, help="processes at a time (default 2)")
    ap.add_argument("--timeout", type=float, default=60.0,
                    help="seconds a kiosk run may take, plus 4 s per second of audio (default 60)")
    ap.add_argument("--set", default=os.path.join(HERE, "set.json"), help="the speech set (tests/speech/set.json)")
    ap.add_argument("--out", default=os.path.join(ROOT, "build", "speech"), help="work directory (build/speech)")
    args = ap.parse_args()

    t_start = time.monotonic()
    kiosk = os.path.abspath(args.kiosk)
    if not (os.path.isfile(kiosk) and os.access(kiosk, os.X_OK)):
        die(f"{args.kiosk}: no kiosk program there; build it with `make` first")
    for tool in ("espeak-ng", "sox"):
        if shutil.which(tool) is None:
            die(f"{tool} is not installed; `make deps` installs it")
    jobs_n = max(1, args.jobs)
    cases = select(load_set(args.set), args.only, args.limit)
    if not cases:
        die(f"no case matches --only {args.only}")
    os.makedirs(args.out, exist_ok=True)

    # 1. audio
    audio = Audio(args.out)
    todo = [(c["id"], k, t, c["voice"], c["speed"], c["audio"]) for c in cases for k, t in enumerate(c["turns"])]
    wavs = {c["id"]: [None] * len(c["turns"]) for c in cases}
    secs = {c["id"]: 0.0 for c in cases}
    synth_err = {}
    t0 = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(jobs_n) as ex:
        futs = {ex.submit(audio.make, t, v, s, fmt): (cid, k) for cid, k, t, v, s, fmt in todo}
        for fu in concurrent.futures.as_completed(futs):
            cid, k = futs[fu]
            path, sec, err = fu.result()
            wavs[cid][k] = path
            secs[cid] += sec
            if err:
                synth_err[cid] = err
    t_synth = time.monotonic() - t0
    if not args.only and not args.limit:
        # a full run prunes audio the set no longer uses (old texts, older GEN_VERSION)
        used = {os.path.basename(p)[:-4] for ps in wavs.values() for p in ps if p}
        for name in os.listdir(audio.dir):
            if name.split(".")[0] not in used:
                try:
                    os.unlink(os.path.join(audio.dir, name))
                except OSError:
                    pass
    if len(synth_err) == len(cases):
        die(f"no audio could be made: {next(iter(synth_err.values()))}")

    # 2. replay
    verdicts, details = {}, {}
    for cid, err in synth_err.items():
        verdicts[cid] = ("error", f"test audio: {err}")
    runnable = [c for c in cases if c["id"] not in synth_err]
    jobs = []
    for m in sorted({c["menu"] for c in runnable}):
        sing = [c for c in runnable if c["menu"] == m and c["kind"] == "single"]
        nb = max(1, -(-len(sing) // BATCH))
        size = -(-len(sing) // nb) if sing else 0
        for b in range(nb):
            chunk = sing[b * size:(b + 1) * size]
            if chunk:
                jobs.append(Job("each", m, chunk, [wavs[c["id"]] for c in chunk],
                                sum(secs[c["id"]] for c in chunk)))
        for c in runnable:
            if c["menu"] == m and c["kind"] != "single":
                jobs.append(Job("conv", m, [c], [wavs[c["id"]]], secs[c["id"]]))
    jobs.sort(key=lambda j: -j.secs)          # longest first: the two workers end together
    dbdir = os.path.join(args.out, "db")
    os.makedirs(dbdir, exist_ok=True)
    warnings = []
    decode_ms = 0.0
    t0 = time.monotonic()
    done = 0
    tty = sys.stderr.isatty()
    with concurrent.futures.ThreadPoolExecutor(jobs_n) as ex:
        futs = {ex.submit(do_job, job, kiosk, dbdir, k, args.timeout): job for k, job in enumerate(jobs)}
        for fu in concurrent.futures.as_completed(futs):
            job = futs[fu]
            try:
                results, warns, _ = fu.result()
            except Exception as e:          # a bug here must not hide the others' results
                results, warns = [(None, f"evaluator error: {e!r}")] * len(job.cases), []
            warnings += [f"{job.menu} ({job.cases[0]['id']}...): {w}" for w in warns]
            for c, (obj, err) in zip(job.cases, results):
                verdicts[c["id"]] = judge(c, obj, err)
                details[c["id"]] = obj
                if isinstance(obj, dict) and isinstance(obj.get("turns"), list):
                    for t in obj["turns"]:
                        if isinstance(t, dict) and isinstance(t.get("decode_ms"), (int, float)):
                            decode_ms += t["decode_ms"]
            done += 1
            if tty:
                print(f"\rreplaying: {done}/{len(jobs)} kiosk runs", end="", file=sys.stderr, flush=True)
    if tty:
        print("\r" + " " * 40 + "\r", end="", file=sys.stderr)
    t_replay = time.monotonic() - t0

    # 3. report
    n_turns = sum(len(c["turns"]) for c in cases)
    audio_s = sum(secs.values())
    n_single = sum(1 for c in cases if c["kind"] == "single")
    print(f"Speech set {os.path.relpath(args.set, ROOT)}: {n_single} single turns, "
          f"{len(cases) - n_single} conversations; kiosk {args.kiosk}\n")
    report(cases, verdicts, details, sys.stdout)
    ok = sum(1 for c in cases if verdicts[c["id"]][0] == "ok")
    rate = ok / len(cases)
    print(f"\n{n_turns} turns, {audio_s:.1f} s of audio ({audio.made} files made, "
          f"{n_turns - audio.made} from the cache, {t_synth:.1f} s); "
          f"{len(jobs)} kiosk runs, {t_replay:.1f} s with -j {jobs_n}"
          + (f" (decode {decode_ms / 1000.0:.1f} s, {decode_ms / 1000.0 / audio_s:.2f} x real time)"
             if audio_s and decode_ms else "")
          + f"; wall time {time.monotonic() - t_start:.1f} s")
    for w in warnings:
        print(f"warning: {w}")
    fail_path = os.path.join(args.out, "failures.txt")
    write_failures(fail_path, cases, verdicts, details, wavs)
    with open(os.path.join(args.out, "results.json"), "w", encoding="utf-8") as f:
        per_case = {}
        for c in cases:
            obj = details.get(c["id"])
            turns = obj.get("turns") if isinstance(obj, dict) and isinstance(obj.get("turns"), list) else []
            tl = []
            for k, text in enumerate(c["turns"]):
                t = turns[k] if k < len(turns) and isinstance(turns[k], dict) else {}
                tl.append({"said": text, "heard": t.get("heard"), "free_text": t.get("free_text"),
                           "confidence": t.get("confidence"), "heard_ok": words(t.get("heard")) == words(text),
                           "audio": os.path.relpath(wavs[c["id"]][k], ROOT) if wavs[c["id"]][k] else None})
            per_case[c["id"]] = {"verdict": verdicts[c["id"]][0], "why": verdicts[c["id"]][1],
                                 "category": c["category"], "voice": c["voice"], "speed": c["speed"],
                                 "audio": c["audio"], "turns": tl}
        # one line per case: easy to grep, and to pair confidence with correctness
        f.write(json.dumps({"overall": rate, "cases": len(cases), "exact": ok, "audio_seconds": audio_s,
                            "wall_seconds": time.monotonic() - t_start})[:-1] + ', "results": {\n')
        f.write(",\n".join(f"{json.dumps(k)}: {json.dumps(v)}" for k, v in per_case.items()) + "\n}}\n")
    print(f"exact-order rate {100 * rate:.1f}% ({ok}/{len(cases)}); failures in "
          f"{os.path.relpath(fail_path, ROOT)}")
    if args.check and rate < FLOOR:
        worst = sorted({c["category"] for c in cases},
                       key=lambda cat: sum(1 for c in cases if c["category"] == cat and verdicts[c["id"]][0] == "ok")
                       / sum(1 for c in cases if c["category"] == cat))[:3]
        print(f"FAIL: the exact-order rate {100 * rate:.1f}% is below the {100 * FLOOR:.0f}% floor on clean "
              f"audio (weakest: {', '.join(worst)}; see {os.path.relpath(fail_path, ROOT)})")
        sys.exit(1)
    if args.check:
        print(f"ok: at or above the {100 * FLOOR:.0f}% floor")


if __name__ == "__main__":
    main()
