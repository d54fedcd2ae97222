#!/usr/bin/env python3
"""Fits the kiosk's confidence model: a logistic regression from the recogniser's evidence
(src/speech/confidence.h) to "this turn came out right", on the development speech set.

    make build/kiosk
    python3 tests/speech/eval.py --kiosk build/kiosk --threshold 0 --noise clean,20,10,5
    python3 tests/speech/real_eval.py --kiosk build/kiosk --threshold 0 --noise clean,10
    python3 tests/speech/fit_confidence.py [--results build/speech/results.json]
                                           [--real build/real/results.json] [--write]

Samples: every single-turn case of every noise level whose turn heard something (`heard` not
empty), except requests for a person (those page whatever the confidence).  Label: the case's
verdict at threshold 0 (the order came out exactly as expected; for a turn off the menu: no
line was added).  Run eval.py with --threshold 0 first, so that no low_confidence page hides
what the turn would have done.

With --real, also every real recording (tests/speech/real_eval.py's results.json) whose turn
heard something, labelled right when the slots the grammar heard are the labelled ones; the
cross-validation folds are by recording (all levels of one file in one fold), and the
reliability and AUC are printed for each set apart as well as together.  The real set names no
speakers, so a speaker can be in two folds: the cross-validated figures are a little kind.

The fit: features standardised, L2-regularised (LAMBDA) logistic regression by Newton's method,
Python standard library only.  It prints the coefficients, the area under the ROC curve on the
samples and by 5-fold cross-validation (folds by case, all levels of a case in one fold), a
reliability table, and what each threshold would do (share paged, share of accepted turns that
are wrong) per level.  --write writes src/speech/confidence_coef.h (raw feature units, so the C
side needs no scaling), or with --synthetic (the espeak-ng set alone) confidence_coef_synth.h:
the kiosk's confidence is the lower of the two models (confidence.c); the kiosk then needs a rebuild.  The default threshold
(DIALOG_DEFAULT_THRESHOLD in src/dialog/dialog.h) is chosen by hand from the table.
"""
import argparse
import json
import math
import os
import sys
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
# the order of conf_feature_t in src/speech/confidence.h
FEATURES = ["mean", "worst", "coverage", "loop_agree", "free_agree", "snr", "clipped", "seconds",
            "loop_margin", "loop_worst", "word_peak"]
# and the range confidence.c clamps each to (keep in step)
LO = [-400, -400, 0, 0, 0, 0, 0, 0, -400, -400, -60]
HI = [100, 100, 1, 1, 1, 80, 1, 20, 100, 100, 0]
# The sign each coefficient must have: +1 where more means better evidence, -1 where more
# means worse (clipping), 0 free.  A feature whose fitted coefficient has the wrong sign (two
# features that say much the same thing can pull each other over zero) is dropped and the
# rest refitted, so that the model never lowers the confidence for better evidence.
SIGN = {"mean": 1, "worst": 1, "coverage": 1, "loop_agree": 1, "free_agree": 1, "snr": 1,
        "clipped": -1, "seconds": 0, "loop_margin": 1, "loop_worst": 1, "word_peak": 1}
LAMBDA = 1.0
COEF_H = os.path.join(ROOT, "src", "speech", "confidence_coef.h")
SYNTH_H = os.path.join(ROOT, "src", "speech", "confidence_coef_synth.h")


def die(msg):
    print(f"fit_confidence.py: {msg}", file=sys.stderr)
    sys.exit(2)


def clamp(x, i):
    if not isinstance(x, (int, float)) or x != x:
        return LO[i]
    return min(max(x, LO[i]), HI[i])


def samples(results):
    levels = results.get("levels")
    if not isinstance(levels, dict) or not levels:
        die("results.json has no \"levels\"; run eval.py first (see --help)")
    if results.get("threshold") not in (0, 0.0):
        print("fit_confidence.py: warning: eval.py ran with threshold "
              f"{results.get('threshold')!r}, not 0: low_confidence pages hide labels", file=sys.stderr)
    out = []
    for level, lv in levels.items():
        for cid, c in lv.get("results", {}).items():
            if c.get("kind") != "single" or c.get("category", "").startswith("human"):
                continue
            if c.get("verdict") == "error":
                continue
            t = (c.get("turns") or [None])[0]
            if not isinstance(t, dict) or not t.get("heard") or not isinstance(t.get("features"), dict):
                continue
            f = t["features"]
            if any(k not in f for k in FEATURES):
                die(f"{cid}: features lack {[k for k in FEATURES if k not in f]}; rebuild the kiosk "
                    "and rerun eval.py")
            x = [clamp(f[k], i) for i, k in enumerate(FEATURES)]
            out.append({"id": cid, "level": level, "x": x, "y": 1 if c["verdict"] == "ok" else 0,
                        "conf": t.get("confidence")})
    return out


def real_samples(results):
    """Every real recording whose turn heard something (tests/speech/real_eval.py's
    results.json): label 1 when the slots heard are the labelled ones (right ignoring pages,
    so the kiosk's threshold does not matter)."""
    out = []
    for level, lv in (results.get("levels") or {}).items():
        for name, r in (lv.get("results") or {}).items():
            t, f = r.get("turn"), (r.get("features") or {}).get("features")
            if not isinstance(t, dict) or not t.get("heard") or not isinstance(f, dict):
                continue
            if any(k not in f for k in FEATURES):
                die(f"real {name}: features lack {[k for k in FEATURES if k not in f]}; rerun real_eval.py")
            out.append({"id": "real:" + name, "level": "real " + level,
                        "x": [clamp(f[k], i) for i, k in enumerate(FEATURES)],
                        "y": 1 if r.get("right_ignoring_pages") else 0, "conf": t.get("confidence")})
    return out


def solve(a, b):
    """Gaussian elimination with partial pivoting: a x = b."""
    n = len(b)
    m = [row[:] + [b[i]] for i, row in enumerate(a)]
    for c in range(n):
        p = max(range(c, n), key=lambda r: abs(m[r][c]))
        m[c], m[p] = m[p], m[c]
        if abs(m[c][c]) < 1e-12:
            continue
        for r in range(n):
            if r != c:
                k = m[r][c] / m[c][c]
                for j in range(c, n + 1):
                    m[r][j] -= k * m[c][j]
    return [m[i][n] / m[i][i] if abs(m[i][i]) > 1e-12 else 0.0 for i in range(n)]


def sigmoid(z):
    return 1.0 / (1.0 + math.exp(-z)) if z > -700 else 0.0


WITHOUT = set()     # features left out of the fit (--without), weight 0


def fit(xs, ys):
    """fit_free() under SIGN: returns (intercept, weights) in raw units, 0 for a dropped feature."""
    keep = [i for i in range(len(xs[0])) if FEATURES[i] not in WITHOUT]
    while True:
        b0, c = fit_free([[x[i] for i in keep] for x in xs], ys)
        bad = [k for k, i in enumerate(keep) if SIGN.get(FEATURES[i], 0) * c[k] < 0]
        if not bad:
            break
        worst = min(bad, key=lambda k: SIGN[FEATURES[keep[k]]] * c[k])
        keep.pop(worst)
    coef = [0.0] * len(xs[0])
    for k, i in enumerate(keep):
        coef[i] = c[k]
    return b0, coef


def fit_free(xs, ys):
    """Standardised L2 logistic regression; returns (intercept, weights) in raw units."""
    d = len(xs[0])
    mu = [sum(x[i] for x in xs) / len(xs) for i in range(d)]
    sd = [math.sqrt(sum((x[i] - mu[i]) ** 2 for x in xs) / len(xs)) or 1.0 for i in range(d)]
    zs = [[1.0] + [(x[i] - mu[i]) / sd[i] for i in range(d)] for x in xs]
    w = [0.0] * (d + 1)
    for _ in range(50):
        g = [0.0] * (d + 1)
        h = [[0.0] * (d + 1) for _ in range(d + 1)]
        for z, y in zip(zs, ys):
            p = sigmoid(sum(a * b for a, b in zip(w, z)))
            for i in range(d + 1):
                g[i] += (p - y) * z[i]
                for j in range(d + 1):
                    h[i][j] += p * (1 - p) * z[i] * z[j]
        for i in range(1, d + 1):          # no penalty on the intercept
            g[i] += LAMBDA * w[i]
            h[i][i] += LAMBDA
        step = solve(h, g)
        w = [a - b for a, b in zip(w, step)]
        if max(abs(s) for s in step) < 1e-8:
            break
    coef = [w[i + 1] / sd[i] for i in range(d)]
    b0 = w[0] - sum(w[i + 1] * mu[i] / sd[i] for i in range(d))
    return b0, coef


def predict(b0, coef, x):
    return sigmoid(b0 + sum(c * v for c, v in zip(coef, x)))


def auc(ps, ys):
    pairs = sorted(zip(ps, ys))
    pos = sum(ys)
    neg = len(ys) - pos
    if not pos or not neg:
        return float("nan")
    # rank-sum with ties averaged
    rank, i, s = 0, 0, 0.0
    while i < len(pairs):
        j = i
        while j < len(pairs) and pairs[j][0] == pairs[i][0]:
            j += 1
        r = (rank + 1 + rank + (j - i)) / 2.0
        s += r * sum(y for _, y in pairs[i:j])
        rank += j - i
        i = j
    return (s - pos * (pos + 1) / 2.0) / (pos * neg)


def fold_of(cid):
    """All levels of a case (or of a real recording) in one fold."""
    return zlib.crc32(cid.encode()) % 5


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--results", default=os.path.join(ROOT, "build", "speech", "results.json"))
    ap.add_argument("--write", action="store_true", help=f"write {os.path.relpath(COEF_H, ROOT)}")
    ap.add_argument("--synthetic", action="store_true",
                    help=f"fit the espeak-ng set alone (no --real) and write {os.path.relpath(SYNTH_H, ROOT)} "
                         "with --write: the second of confidence.c's two models")
    ap.add_argument("--real", metavar="RESULTS",
                    help="also fit on real recordings: tests/speech/real_eval.py's results.json")
    ap.add_argument("--without", default="", metavar="F,G",
                    help="leave these features out (weight 0), to see what they bring")
    args = ap.parse_args()
    for name in filter(None, args.without.split(",")):
        if name not in FEATURES:
            die(f"--without: no feature {name!r}; the features are {', '.join(FEATURES)}")
        WITHOUT.add(name)
    try:
        with open(args.results, encoding="utf-8") as f:
            results = json.load(f)
    except OSError as e:
        die(f"{args.results}: {e.strerror}; run eval.py first (see --help)")
    except ValueError as e:
        die(f"{args.results}: not JSON ({e})")
    ss = samples(results)
    if args.real and args.synthetic:
        die("--synthetic fits the espeak-ng set alone: leave out --real")
    if args.real:
        try:
            with open(args.real, encoding="utf-8") as f:
                ss += real_samples(json.load(f))
        except OSError as e:
            die(f"{args.real}: {e.strerror}; run real_eval.py first (see --help)")
        except ValueError as e:
            die(f"{args.real}: not JSON ({e})")
    if len(ss) < 50 or len({s["y"] for s in ss}) < 2:
        die(f"only {len(ss)} usable turns ({sum(s['y'] for s in ss)} right); need more of both kinds")
    xs, ys = [s["x"] for s in ss], [s["y"] for s in ss]
    b0, coef = fit(xs, ys)
    ps = [predict(b0, coef, x) for x in xs]
    cv = [0.0] * len(ss)
    for k in range(5):
        tr = [i for i, s in enumerate(ss) if fold_of(s["id"]) != k]
        te = [i for i, s in enumerate(ss) if fold_of(s["id"]) == k]
        if not te:
            continue
        fb0, fc = fit([xs[i] for i in tr], [ys[i] for i in tr])
        for i in te:
            cv[i] = predict(fb0, fc, xs[i])
    old = [s["conf"] if isinstance(s["conf"], (int, float)) else 0.0 for s in ss]
    print(f"{len(ss)} turns ({sum(ys)} right, {len(ys) - sum(ys)} wrong) from levels "
          f"{', '.join(sorted({s['level'] for s in ss}))}")
    print(f"AUC: fitted {auc(ps, ys):.3f}, 5-fold cross-validated {auc(cv, ys):.3f}, "
          f"the kiosk's confidence in these results {auc(old, ys):.3f}")
    print("\nfeature       coefficient   AUC alone")
    for i, name in enumerate(FEATURES):
        print(f"{name:<12} {coef[i]:>12.5f}   {auc([x[i] for x in xs], ys):.3f}")
    print(f"{'intercept':<12} {b0:>12.5f}")

    for part, keep in (("all", lambda s: True), ("espeak-ng", lambda s: not s["id"].startswith("real:")),
                       ("real speech", lambda s: s["id"].startswith("real:"))):
        idx = [i for i, s in enumerate(ss) if keep(s)]
        if not idx or part != "all" and len(idx) == len(ss):
            continue
        print(f"\nreliability (cross-validated), {part}: bin, turns, mean confidence, share right"
              f"   (AUC {auc([cv[i] for i in idx], [ys[i] for i in idx]):.3f}; the kiosk's confidence "
              f"{auc([old[i] for i in idx], [ys[i] for i in idx]):.3f})")
        for b in range(10):
            sel = [i for i in idx if b / 10 <= cv[i] < (b + 1) / 10 or (b == 9 and cv[i] == 1.0)]
            if sel:
                print(f"  {b / 10:.1f}-{(b + 1) / 10:.1f} {len(sel):>6} {sum(cv[i] for i in sel) / len(sel):>8.3f} "
                      f"{sum(ys[i] for i in sel) / len(sel):>8.3f}")

    def level_key(v):
        real, lv = v.startswith("real "), v[5:] if v.startswith("real ") else v
        return (real, lv != "clean", -float(lv) if lv != "clean" else 0)
    levels = sorted({s["level"] for s in ss}, key=level_key)
    print("\nthreshold (cross-validated): per level, % of turns paged / % of turns wrong and not paged")
    print("  t     " + "".join(f"{lv:>16}" for lv in levels))
    for t in (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9):
        cells = ""
        for lv in levels:
            sel = [i for i, s in enumerate(ss) if s["level"] == lv]
            paged = sum(1 for i in sel if cv[i] < t)
            sw = sum(1 for i in sel if cv[i] >= t and not ys[i])
            cells += f"{100 * paged / len(sel):>8.1f}/{100 * sw / len(sel):<6.1f} "
        print(f"  {t:.1f}  {cells}")

    if args.write:
        names = ", ".join(f"/* {n} */ {c:.7g}" for n, c in zip(FEATURES, coef))
        path, prefix = (SYNTH_H, "conf_synth_") if args.synthetic else (COEF_H, "conf_")
        what = ("fitted on the espeak-ng set alone" if args.synthetic
                else "fitted on the espeak-ng set and the real recordings")
        text = (f"/* {os.path.basename(path)}: a logistic model of confidence.c, {what}.\n"
                " * Written by tests/speech/fit_confidence.py; do not edit by hand (rerun it"
                + (" with --synthetic" if args.synthetic else "") + ").\n"
                f" * Fitted on {len(ss)} turns ({sum(ys)} right), levels {', '.join(levels)};\n"
                f" * AUC {auc(ps, ys):.3f}, cross-validated {auc(cv, ys):.3f}. */\n"
                f"static const double {prefix}intercept = {b0:.7g};\n"
                f"static const double {prefix}coef[CF_N] = {{\n    " + names + ",\n};\n")
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        print(f"\nwrote {os.path.relpath(path, ROOT)}; rebuild the kiosk (make)")


if __name__ == "__main__":
    main()
