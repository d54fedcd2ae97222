#!/usr/bin/env python3
"""Scores echo-rig runs (tests/rig/run.sh): the rig's log against the kiosk's events.

    python3 tests/rig/score.py RUNDIR [CONVERSATIONS.json] [--json OUT]   every cNN/ in RUNDIR
    python3 tests/rig/score.py --brief RUNDIR/cNN [CONVERSATIONS.json]     one line for one

Each conversation folder holds rig.jsonl (tests/rig/rig.c: the customer's turns and the
kiosk's voice on the loudspeaker, on the rig's sample clock, with t0, the wall clock of its
sample 0; "drain" and "behind", its own gaps) and events.jsonl (`kiosk run --events`: "t" is the wall clock).  Two clocks, one
time line: a rig time s is wall time t0 + s; the kiosk hears a customer's sample the rig's own
path later (the "lag" lines, ~35 ms), so customer speech is placed at t0 + s + lag on the
kiosk's clock.

What a kiosk `turn` event covers: its audio is the `audio_ms` that ended at its endpoint,
`endpoint_ms` before the event (the endpointer keeps 300 ms before the speech and the trailing
silence after it).  Per customer turn (its speech: the first to the last loud sample):
- heard: a kiosk turn whose event comes after the customer's speech end and before the next
  customer turn's speech end (at most HEARD_S after it), and whose audio holds at least
  MIN_HELD_S of that speech (a turn's 300 ms pre-roll reaching back into the end of it is not
  enough); a kiosk turn whose audio holds both this turn and the next may come after the next
  one's end: it took the two as one ("merged").  A kiosk slow to answer (a turn held open by
  the noise, a decode slowed by a busy machine) has heard, late: its latency says so.  A turn the kiosk took before the speech ended does not count as
  hearing it (it is the "split" below), nor does one whose audio holds none of the speech.
- lost: not heard.  The rule reads the kiosk's audio, not only event times, so a turn made of
  the echo in the seconds after a lost customer turn does not pass for hearing it.
- nothing alike: heard, but no word of what was said (articles and fillers aside) is in what
  the kiosk heard or in its free text.  Flagged, not counted lost: whether the kiosk heard the
  turn is the rig's question, what it made of it the speech set's.
- start missed ("clipped"): the earliest kiosk audio that holds some of the speech begins more
  than CLIP_S after the customer's first loud sample: the kiosk was not listening when the
  customer began (a half-duplex kiosk unmuting mid-sentence).
- split: the kiosk ended a turn (its event came) while this customer turn's speech was still
  going on and held some of it: the customer was cut off mid-sentence.
  Cut off mid-sentence = clipped or split.
- answer latency: for a heard turn the kiosk answered out loud, from the customer's speech end
  to the first sound of the next stretch of kiosk voice on the loudspeaker recording that
  begins after the turn event (within ANSWER_S), both on the rig's clock: what a customer at
  the post would hear, the rig's own path included (shown also without it).
- barge-in: a customer turn whose speech begins while the kiosk's voice is on; its stop time
  is from that onset to the end of that stretch of voice, and "cut short" when the stretch is
  shorter than the prompt the kiosk said (its say event's ms) by more than CUT_SHORT_S.  Only
  a prompt cut short within 200 ms counts as stopped in time: one that was about to end anyway
  is counted apart.
- rig gap: the rig was starved of the CPU (or drained a backlog) during the speech: the kiosk
  heard it with a hole; such turns are listed, their figures kept.
A turn not heard that ended less than CUT_BY_END_S before the rig stopped is left out (the
echo-only mode stops at its time limit, mid-conversation).
Per conversation, the kiosk turns that heard no customer turn: "self" when its audio holds the
kiosk's own voice (a stretch on the loudspeaker, plus the echo's delay and room) and less than
MIN_HELD_S of any customer's speech, "noise" when it holds neither, "late" when it holds a
customer's speech but came too late to count (after the next turn's end, or HEARD_S).
"""
import argparse
import json
import os
import re
import sys

HEARD_S = 10.0       # a turn event this long after the speech end at most
ANSWER_S = 8.0       # the answer's first sound this long after the speech end at most
CLIP_S = 0.15        # the kiosk's audio may begin this much after the speech onset (clock slack)
MIN_HELD_S = 0.15    # a kiosk turn holds a customer's speech when this much of it is in its audio
SLACK_S = 0.1        # alignment slack of the two clocks
CUT_SHORT_S = 0.5    # a stretch this much shorter than its prompt was stopped
ECHO_TAIL_S = 0.6    # the echo outlasts the loudspeaker by delay + room, at most
STOP_TARGET_MS = 200
CUT_BY_END_S = 3.0   # a turn not heard that ended this close to the rig's end is not judged
FILLER = {"a", "an", "the", "and", "uh", "um", "please", "i", "can", "get", "it", "to", "of", "me", "like",
          "i'd", "id", "we", "you", "have", "with"}


def words(text):
    t = (text or "").lower().replace("that's", "that is").replace("i'd", "i would")
    return {w for w in re.findall(r"[a-z']+", t) if w not in FILLER}


def pct(values, p):
    """Nearest-rank percentile; None for no values."""
    v = sorted(values)
    if not v:
        return None
    k = max(0, min(len(v) - 1, int(-(-p * len(v) // 100)) - 1))
    return v[k]


def load_jsonl(path):
    out = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line:
                try:
                    out.append(json.loads(line))
                except json.JSONDecodeError:
                    pass   # a line cut short by a kill
    return out


def overlap(a0, a1, b0, b1):
    return max(0.0, min(a1, b1) - max(a0, b0))


def score_conversation(rig, events, kind=None, noise=None):
    """rig: the rig's log lines; events: the kiosk's.  Returns a dict (see report())."""
    start = next(e for e in rig if e["event"] == "start")
    t0s = [e["t0"] for e in rig if e["event"] in ("lag", "end") and "t0" in e]
    t0 = t0s[-1] if t0s else start["t0"]   # the best estimate is the last (rig.c)
    lags = sorted(e["lag_ms"] for e in rig if e["event"] == "lag")
    lag = (lags[len(lags) // 2] / 1000.0) if lags else 0.0
    turns = {}
    for e in rig:
        if e["event"] == "customer_start":
            turns[e["turn"]] = {"turn": e["turn"], "words": e["words"], "trigger": e["trigger"],
                                "start": e["s"], "on": None, "off": None}
        elif e["event"] in ("customer_on", "customer_off") and e["turn"] in turns:
            turns[e["turn"]]["on" if e["event"] == "customer_on" else "off"] = e["s"]
    custs = [turns[k] for k in sorted(turns) if turns[k]["on"] is not None and turns[k]["off"] is not None]
    segs, open_seg = [], {}
    for e in rig:
        if e["event"] == "kiosk_on":
            open_seg[e["seg"]] = e["s"]
        elif e["event"] == "kiosk_off" and e["seg"] in open_seg:
            segs.append((open_seg.pop(e["seg"]), e["s"]))
    end_s = max([e["s"] for e in rig if "s" in e] + [0])
    # the rig's own gaps: a backlog drained, reads that came back late (rig.c)
    gaps = [(e["s"], e["s"] + e["ms"] / 1000.0) for e in rig if e["event"] == "drain"]
    gaps += [(e["s"], e["until"]) for e in rig if e["event"] == "behind"]
    for k, on in open_seg.items():
        segs.append((on, end_s))
    segs.sort()
    echo_s = (start.get("delay_ms", 0) + start.get("rt60_ms", 0)) / 1000.0
    go_s = next((e["s"] for e in rig if e["event"] == "go"), 0.0)

    # the kiosk's turns on the rig's clock: event time, audio window
    kturns = []
    for i, e in enumerate(events):
        if e.get("event") != "turn":
            continue
        te = e["t"] - t0
        # its answer said ahead of the event: the say after it (before the next turn)
        say = next((x for x in events[i + 1:] if x.get("event") in ("say", "turn")), {})
        ahead_s = say.get("ahead_ms", 0) / 1000.0 if say.get("event") == "say" else 0.0
        a1 = te - e.get("endpoint_ms", 0) / 1000.0
        a0 = a1 - e.get("audio_ms", 0) / 1000.0
        kturns.append({"t": te, "a0": a0, "a1": a1, "heard": e.get("heard", ""), "free_text": e.get("free_text", ""),
                       "said": e.get("said", ""), "page": e.get("page"), "used": [],
                       "endpoint_ms": e.get("endpoint_ms", 0), "decode_ms": e.get("decode_ms", 0), "ahead_s": ahead_s})
    says = [(e["t"] - t0 - e.get("ahead_ms", 0) / 1000.0, e.get("ms", 0) / 1000.0) for e in events if e.get("event") == "say"]

    out_turns, unjudged = [], 0
    for i, c in enumerate(custs):
        on, off = c["on"] + lag, c["off"] + lag    # the customer's speech as the kiosk heard it
        nxt = custs[i + 1] if i + 1 < len(custs) else None

        def held(k, c=c):
            return overlap(k["a0"], k["a1"], c["on"] + lag, c["off"] + lag) >= MIN_HELD_S
        cands = [k for k in kturns if off - SLACK_S < k["t"] <= off + HEARD_S and held(k)
                 and (nxt is None or k["t"] <= nxt["off"] + lag or held(k, nxt))]
        r = {"turn": c["turn"], "words": c["words"], "trigger": c["trigger"], "on": c["on"], "off": c["off"],
             "heard": False, "merged": False, "clipped": False, "split": False, "alike": None, "kiosk_heard": None,
             "latency_ms": None, "barge": None, "ready_ms": None,
             "rig_gap": any(overlap(g0, g1, c["on"], c["off"]) > 0 for g0, g1 in gaps)}
        if cands:
            k = cands[0]
            r["heard"] = True
            r["merged"] = any(o != c["turn"] for o in k["used"])
            k["used"].append(c["turn"])
            r["kiosk_heard"] = k["heard"]
            r["ready_ms"] = k["endpoint_ms"]     # the kiosk's own: its endpoint to its turn event
            said = words(c["words"])
            got = words(k["heard"]) | words(k["free_text"])
            r["alike"] = bool(said & got) if said else True
            if k["said"]:
                # an answer said ahead (its say event's ahead_ms) begins before the turn's event
                ans = [s0 for s0, s1 in segs if s0 >= k["t"] - k["ahead_s"] - SLACK_S and c["off"] < s0 <= c["off"] + ANSWER_S]
                if ans:
                    r["latency_ms"] = round((ans[0] - c["off"]) * 1000.0, 1)
        # split: a kiosk turn that ended while this speech still went on, holding some of it
        for k in kturns:
            if on + SLACK_S < k["t"] < off - SLACK_S and overlap(k["a0"], k["a1"], on, off) >= MIN_HELD_S:
                r["split"] = True
                k["used"].append(c["turn"])
        # start missed: the earliest kiosk audio that holds this speech began after it
        held = [k["a0"] for k in kturns if k["t"] > on + SLACK_S and overlap(k["a0"], k["a1"], on, off) >= MIN_HELD_S]
        r["clipped"] = bool(held) and min(held) > on + CLIP_S
        # barge-in: the speech began while the kiosk's voice was on
        for s0, s1 in segs:
            if s0 < c["on"] < s1 - 0.05:
                prompt = [ms for ts, ms in says if abs(ts - s0) < 1.0]
                cut = bool(prompt) and (s1 - s0) < prompt[-1] - CUT_SHORT_S
                r["barge"] = {"stop_ms": round((s1 - c["on"]) * 1000.0, 1), "cut_short": cut}
                break
        if not r["heard"] and c["off"] + CUT_BY_END_S > end_s:
            unjudged += 1   # the rig stopped (its --limit-s) before the kiosk could answer
            continue
        out_turns.append(r)

    selfs = []
    for k in kturns:
        if k["used"]:
            continue
        if any(overlap(k["a0"], k["a1"], c["on"] + lag, c["off"] + lag) >= MIN_HELD_S for c in custs):
            xkind = "late"   # a customer's speech, but its event came too late to count
        elif any(overlap(k["a0"], min(k["a1"], k["t"] - k["ahead_s"]), s0 + lag, s1 + lag + echo_s) > 0
                 for s0, s1 in segs):   # (not its own answer, said ahead while it was still open)
            xkind = "self"
        else:
            xkind = "noise"
        selfs.append({"t": round(k["t"], 3), "heard": k["heard"], "free_text": k["free_text"], "kind": xkind,
                      "before_go": k["a0"] < go_s})   # its audio began before the conversation
    end = next((e for e in rig if e["event"] == "end"), {})
    return {"kind": kind, "noise": noise, "lag_ms": round(lag * 1000.0, 1), "unjudged": unjudged, "turns": out_turns, "extra": selfs,
            "kiosk_turns": len(kturns), "end": end.get("why"), "gave_up": sum(1 for e in rig if e.get("gave_up"))}


def summary(results):
    """Totals over conversations {id: score_conversation()}."""
    T = [(cid, r, t) for cid, r in results.items() for t in r["turns"]]
    interrupting_conv = {cid for cid, r in results.items() if any(t["trigger"] == "over" for t in r["turns"])}
    lat = [t["latency_ms"] for _, _, t in T if t["latency_ms"] is not None]
    lags = [r["lag_ms"] for r in results.values()]
    lag = sorted(lags)[len(lags) // 2] if lags else 0.0
    barges = [t["barge"] for _, _, t in T if t["barge"]]
    stops = [b["stop_ms"] for b in barges]
    s = {
        "conversations": len(results),
        "turns": len(T),
        "heard": sum(t["heard"] for _, _, t in T),
        "lost": [f"{cid}/{t['turn']}" for cid, _, t in T if not t["heard"]],
        "lost_of_interrupting_customers": [f"{cid}/{t['turn']}" for cid, _, t in T
                                           if not t["heard"] and cid in interrupting_conv],
        "turns_of_interrupting_customers": sum(1 for cid, _, _ in T if cid in interrupting_conv),
        "over_turns": sum(1 for _, _, t in T if t["trigger"] == "over"),
        "over_lost": [f"{cid}/{t['turn']}" for cid, _, t in T if t["trigger"] == "over" and not t["heard"]],
        "over_clipped": [f"{cid}/{t['turn']}" for cid, _, t in T if t["trigger"] == "over" and t["heard"] and t["clipped"]],
        "barge_turns": len(barges),
        "barge_lost": [f"{cid}/{t['turn']}" for cid, _, t in T if t["barge"] and not t["heard"]],
        "nothing_alike": [f"{cid}/{t['turn']}" for cid, _, t in T if t["heard"] and t["alike"] is False],
        "merged": [f"{cid}/{t['turn']}" for cid, _, t in T if t["merged"]],
        "clipped": [f"{cid}/{t['turn']}" for cid, _, t in T if t["clipped"]],
        "split": [f"{cid}/{t['turn']}" for cid, _, t in T if t["split"]],
        "rig_gap": [f"{cid}/{t['turn']}" for cid, _, t in T if t.get("rig_gap")],
        "self_turns": [f"{cid}@{x['t']}" for cid, r in results.items() for x in r["extra"] if x["kind"] == "self"],
        "noise_turns": [f"{cid}@{x['t']}" for cid, r in results.items() for x in r["extra"] if x["kind"] == "noise"],
        "noise_turns_before_go": [f"{cid}@{x['t']}" for cid, r in results.items() for x in r["extra"]
                                  if x["kind"] == "noise" and x.get("before_go")],
        "late_turns": [f"{cid}@{x['t']}" for cid, r in results.items() for x in r["extra"] if x["kind"] == "late"],
        "latency_ms": {"n": len(lat), "p50": pct(lat, 50), "p95": pct(lat, 95), "max": max(lat) if lat else None},
        "rig_lag_ms": lag,
        "barge_stop_ms": {"n": len(stops), "p50": pct(stops, 50), "p95": pct(stops, 95),
                          "max": max(stops) if stops else None,
                          "within_200ms": sum(1 for b in barges if b["cut_short"] and b["stop_ms"] <= STOP_TARGET_MS),
                          "ended_anyway_within_200ms": sum(1 for b in barges if not b["cut_short"]
                                                           and b["stop_ms"] <= STOP_TARGET_MS),
                          "cut_short": sum(1 for b in barges if b["cut_short"])},
    }
    s["cut_off"] = sorted(set(s["clipped"]) | set(s["split"]))
    ready = [t["ready_ms"] for _, _, t in T if t["ready_ms"] is not None]
    s["ready_ms"] = {"n": len(ready), "p50": pct(ready, 50), "p95": pct(ready, 95), "max": max(ready) if ready else None}
    by = {}
    for _, r, t in T:
        if t["latency_ms"] is not None and r.get("noise"):
            by.setdefault(r["noise"], []).append(t["latency_ms"])
    s["latency_by_noise"] = {k: {"n": len(v), "p50": pct(v, 50), "p95": pct(v, 95)} for k, v in sorted(by.items())}
    return s


def fmt_ms(v):
    return "-" if v is None else f"{v:.0f}"


def brief(cid, r):
    t = r["turns"]
    lost = [x["turn"] for x in t if not x["heard"]]
    lat = [fmt_ms(x["latency_ms"]) for x in t if x["latency_ms"] is not None]
    barge = [f"{fmt_ms(x['barge']['stop_ms'])}{'' if x['barge']['cut_short'] else '(full)'}" for x in t if x["barge"]]
    flags = []
    for name in ("clipped", "split", "merged", "rig_gap"):
        n = [str(x["turn"]) for x in t if x[name]]
        if n:
            flags.append(f"{name} {','.join(n)}")
    odd = [str(x["turn"]) for x in t if x["heard"] and x["alike"] is False]
    if odd:
        flags.append(f"nothing alike {','.join(odd)}")
    extra = [f"{x['kind']} {x['heard']!r}{' (before go)' if x.get('before_go') else ''}" for x in r["extra"]]
    return (f"{cid} {r['kind'] or '':8s} heard {len(t) - len(lost)}/{len(t)}"
            + (f" lost {','.join(map(str, lost))}" if lost else "")
            + f"  latency {' '.join(lat) or '-'} ms"
            + (f"  barge-in stop {' '.join(barge)} ms" if barge else "")
            + (f"  {'; '.join(flags)}" if flags else "")
            + (f"  turns with no customer: {', '.join(extra)}" if extra else ""))


def report(results, s):
    lines = [brief(cid, r) for cid, r in results.items()]
    L, B = s["latency_ms"], s["barge_stop_ms"]
    lag = s["rig_lag_ms"]
    less = (lambda v: "-" if v is None else f"{v - lag:.0f}")
    lines += [
        "",
        f"{s['conversations']} conversations, {s['turns']} customer turns",
        f"heard: {s['heard']} of {s['turns']}; lost {len(s['lost'])}" + (f" ({' '.join(s['lost'])})" if s['lost'] else ""),
        f"  of the interrupting customers (a turn begun over the kiosk's voice in the plan): "
        f"{len(s['lost_of_interrupting_customers'])} of {s['turns_of_interrupting_customers']} turns lost (target 0)",
        f"  of the interruptions in the plan (over): {len(s['over_lost'])} of {s['over_turns']} lost, "
        f"{len(s['over_clipped'])} more heard without their start",
        f"  of the turns begun while the kiosk's voice was on: {len(s['barge_lost'])} of {s['barge_turns']} lost",
        f"  heard as nothing alike (flagged, not counted lost): {len(s['nothing_alike'])}"
        + (f" ({' '.join(s['nothing_alike'])})" if s['nothing_alike'] else ""),
        f"  two customer turns taken as one: {len(s['merged'])}",
        f"turns made of the kiosk's own voice: {len(s['self_turns'])} (target 0)"
        + (f" ({' '.join(s['self_turns'])})" if s['self_turns'] else "")
        + f"; of noise alone: {len(s['noise_turns'])} ({len(s['noise_turns_before_go'])} before the conversation "
        f"began, a car opened on the noise); a customer's, too late: {len(s['late_turns'])}",
        f"answer latency, speech end to the answer's first sound on the loudspeaker ({L['n']} answers): "
        f"p50 {fmt_ms(L['p50'])} ms, p95 {fmt_ms(L['p95'])} ms, max {fmt_ms(L['max'])} ms (target p50 <= 350, p95 <= 500);"
        f" less the rig's own path ({lag:.0f} ms): p50 {less(L['p50'])}, p95 {less(L['p95'])}",
        "  by noise: " + "; ".join(f"{k} p50 {fmt_ms(v['p50'])}, p95 {fmt_ms(v['p95'])} ms ({v['n']})"
                                   for k, v in s["latency_by_noise"].items()),
        f"  the kiosk's own share after its endpoint (the trailing silence before it): its endpoint to its turn "
        f"event p50 {fmt_ms(s['ready_ms']['p50'])} ms, p95 {fmt_ms(s['ready_ms']['p95'])} ms, "
        f"max {fmt_ms(s['ready_ms']['max'])} ms",
        f"barge-in, onset to the kiosk's voice stopping ({B['n']} turns begun over it): p50 {fmt_ms(B['p50'])} ms, "
        f"p95 {fmt_ms(B['p95'])} ms, max {fmt_ms(B['max'])} ms (less the rig's path: p50 {less(B['p50'])}); "
        f"cut short within 200 ms: {B['within_200ms']} of {B['n']} ({B['ended_anyway_within_200ms']} more ended on "
        f"their own within 200 ms); prompts cut short at all: {B['cut_short']} (the rest played to their end)",
        f"cut off mid-sentence: {len(s['cut_off'])} of {s['turns']} turns"
        + (f" ({100.0 * len(s['cut_off']) / s['turns']:.1f} %)" if s['turns'] else "")
        + f" (target <= 1 %): start missed {len(s['clipped'])}, ended in a pause {len(s['split'])}",
        f"customer turns the rig itself played with a gap (starved of the CPU): {len(s['rig_gap'])}"
        + (f" ({' '.join(s['rig_gap'])})" if s['rig_gap'] else ""),
    ]
    return "\n".join(lines)


def load_dir(d, plan):
    rig = load_jsonl(os.path.join(d, "rig.jsonl"))
    ev = load_jsonl(os.path.join(d, "events.jsonl"))
    cid = os.path.basename(os.path.normpath(d))
    c = plan.get(cid, {})
    return cid, score_conversation(rig, ev, c.get("kind"), c.get("rig", {}).get("noise"))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("rundir")
    ap.add_argument("plan", nargs="?", help="conversations.json (for the kinds)")
    ap.add_argument("--json", help="write the figures here")
    ap.add_argument("--brief", action="store_true", help="RUNDIR is one conversation: one line")
    a = ap.parse_args()
    plan = {}
    if a.plan and os.path.exists(a.plan):
        plan = {c["id"]: c for c in json.load(open(a.plan))}
    if a.brief:
        cid, r = load_dir(a.rundir, plan)
        print(brief(cid, r))
        return
    results = {}
    for name in sorted(os.listdir(a.rundir)):
        d = os.path.join(a.rundir, name)
        if os.path.isfile(os.path.join(d, "rig.jsonl")) and os.path.isfile(os.path.join(d, "events.jsonl")):
            cid, r = load_dir(d, plan)
            results[cid] = r
    if not results:
        sys.exit(f"score.py: no conversation (rig.jsonl + events.jsonl) in {a.rundir}")
    s = summary(results)
    print(report(results, s))
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"summary": s, "conversations": results}, f, indent=1)


if __name__ == "__main__":
    main()
