#!/usr/bin/env python3
"""The echo rig's scorer (tests/rig/score.py) on hand-made logs: which customer turns count as
heard, lost, cut off, merged; which kiosk turns are its own voice; latency and barge-in times.

    python3 -m unittest tests/rig/test_score.py
"""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import score  # noqa: E402

T0 = 1000.0


class Log:
    """A rig log and the kiosk's events, written in rig seconds (the kiosk's at T0 + s)."""

    def __init__(self, lag_ms=0, t0_end=None):
        self.rig = [{"event": "start", "t0": T0, "delay_ms": 50, "rt60_ms": 200},
                    {"event": "lag", "s": 1.0, "lag_ms": lag_ms, "t0": T0}]
        self.ev = []
        self.n = 0
        self.seg = 0
        self.t0_end = t0_end

    def customer(self, on, off, words="a cheeseburger and a large coke", trigger="wait"):
        self.n += 1
        self.rig += [{"event": "customer_start", "s": on - 0.1, "turn": self.n, "trigger": trigger, "words": words},
                     {"event": "customer_on", "s": on, "turn": self.n},
                     {"event": "customer_off", "s": off, "turn": self.n}]
        return self

    def kiosk_voice(self, on, off, prompt_s=None):
        """A stretch of the kiosk's voice on the loudspeaker; its say event when prompt_s."""
        self.seg += 1
        self.rig += [{"event": "kiosk_on", "s": on, "seg": self.seg}, {"event": "kiosk_off", "s": off, "seg": self.seg}]
        if prompt_s is not None:
            self.ev.append({"event": "say", "t": T0 + on - 0.03, "ms": int(prompt_s * 1000)})
        return self

    def kiosk_turn(self, t, a0, heard="a cheeseburger and a large coke", free_text="", said="Anything else?",
                   endpoint_ms=0.0):
        """A kiosk turn event at rig time t whose audio began at a0 (and ended endpoint_ms before t)."""
        a1 = t - endpoint_ms / 1000.0
        self.ev.append({"event": "turn", "t": T0 + t, "audio_ms": round((a1 - a0) * 1000), "endpoint_ms": endpoint_ms,
                        "heard": heard, "free_text": free_text, "said": said, "page": None})
        return self

    def score(self):
        rig = sorted(self.rig[2:], key=lambda e: e["s"])
        end = {"event": "end", "s": 60.0}
        if self.t0_end is not None:
            end["t0"] = self.t0_end
        return score.score_conversation(self.rig[:2] + rig + [end], sorted(self.ev, key=lambda e: e["t"]))


class TestHearing(unittest.TestCase):
    def test_a_waiter_heard_and_answered(self):
        r = (Log().customer(1.0, 2.0).kiosk_turn(2.8, 0.7).kiosk_voice(2.9, 4.5, 1.7).score())
        t = r["turns"][0]
        self.assertEqual((t["heard"], t["alike"], t["clipped"], t["split"], t["merged"]), (True, True, False, False, False))
        self.assertEqual(t["latency_ms"], 900.0)
        self.assertIsNone(t["barge"])
        self.assertEqual(r["extra"], [])

    def test_an_answer_said_ahead_counts_from_its_own_start(self):
        # the answer began 1.0 s after the speech end, 0.8 s before the turn's event (its say's ahead_ms)
        log = Log().customer(1.0, 2.0).kiosk_turn(3.8, 0.7, endpoint_ms=0.1).kiosk_voice(3.0, 4.5)
        log.ev.append({"event": "say", "t": T0 + 3.8, "ms": 1500, "ahead_ms": 800})
        r = log.score()
        t = r["turns"][0]
        self.assertTrue(t["heard"])
        self.assertEqual(t["latency_ms"], 1000.0)
        # its own answer in the air while it was still open is not the kiosk hearing itself
        self.assertEqual(r["extra"], [])
        # without the ahead_ms, the same voice began before the event: no answer found
        log.ev[-1].pop("ahead_ms")
        self.assertIsNone(log.score()["turns"][0]["latency_ms"])

    def test_an_interrupter_the_kiosk_never_took_is_lost(self):
        r = Log().kiosk_voice(3.0, 8.0, 5.0).customer(4.0, 5.0, "make it a large", "over").score()
        t = r["turns"][0]
        self.assertFalse(t["heard"])
        self.assertIsNone(t["latency_ms"])
        self.assertEqual(t["barge"], {"stop_ms": 4000.0, "cut_short": False})

    def test_a_turn_after_the_speech_but_holding_none_of_it_is_not_hearing_it(self):
        # the customer was lost during the prompt; the kiosk then took the prompt's echo tail
        r = (Log().kiosk_voice(3.0, 8.0, 5.0).customer(4.0, 5.0, "make it a large", "over")
             .kiosk_turn(9.3, 7.9, heard="", said="Sorry, I didn't catch that.").score())
        self.assertFalse(r["turns"][0]["heard"])
        self.assertEqual([x["kind"] for x in r["extra"]], ["self"])

    def test_a_turn_taken_before_the_speech_ends_and_holding_none_is_noise(self):
        log = Log().customer(3.0, 4.0).kiosk_turn(2.2, 0.5, heard="")
        log.rig.append({"event": "go", "s": 2.5})
        r = log.score()
        self.assertFalse(r["turns"][0]["heard"])
        self.assertEqual([(x["kind"], x["before_go"]) for x in r["extra"]], [("noise", True)])
        self.assertEqual(score.summary({"c01": r})["noise_turns_before_go"], ["c01@2.2"])

    def test_too_late_is_lost(self):
        r = Log().customer(1.0, 2.0).kiosk_turn(2.0 + score.HEARD_S + 0.5, 0.7).score()
        self.assertFalse(r["turns"][0]["heard"])
        self.assertEqual([x["kind"] for x in r["extra"]], ["late"])

    def test_slow_but_before_the_next_turn_ends_is_heard(self):
        # a turn held open by the noise: its event 7 s after the speech, the next turn not over yet
        r = (Log().customer(1.0, 2.0).kiosk_turn(9.0, 0.7, endpoint_ms=3000).kiosk_voice(9.1, 10.0, 0.9)
             .customer(8.0, 9.5, "that's all").score())
        self.assertTrue(r["turns"][0]["heard"])
        self.assertEqual(r["turns"][0]["latency_ms"], 7100.0)
        self.assertEqual(r["turns"][0]["ready_ms"], 3000)
        # after the next turn's end, holding this turn only: too late, not heard
        r = Log().customer(1.0, 2.0).customer(3.0, 4.0, "that's all").kiosk_turn(4.5, 0.7, endpoint_ms=1600).score()
        self.assertFalse(r["turns"][0]["heard"])
        self.assertEqual([x["kind"] for x in r["extra"]], ["late"])

    def test_a_rig_gap_in_the_speech_is_flagged(self):
        log = Log().customer(1.0, 2.0).kiosk_turn(2.8, 0.7).customer(5.0, 6.0).kiosk_turn(6.8, 4.7)
        log.rig += [{"event": "behind", "s": 1.5, "until": 1.6, "max_ms": 80}, {"event": "drain", "s": 3.0, "ms": 200}]
        r = log.score()
        self.assertEqual([t["rig_gap"] for t in r["turns"]], [True, False])
        self.assertEqual(score.summary({"c01": r})["rig_gap"], ["c01/1"])

    def test_words_that_share_nothing_are_flagged_not_lost(self):
        r = Log().customer(1.0, 2.0, "make it a large").kiosk_turn(2.8, 0.7, heard="yes", free_text="yeah").score()
        t = r["turns"][0]
        self.assertTrue(t["heard"])
        self.assertIs(t["alike"], False)
        r = Log().customer(1.0, 2.0, "make it a large").kiosk_turn(2.8, 0.7, heard="", free_text="we get a large").score()
        self.assertIs(r["turns"][0]["alike"], True)

    def test_a_pause_mid_sentence_that_ended_the_turn_is_a_split(self):
        r = (Log().customer(1.0, 4.0, "can i get a number two")
             .kiosk_turn(2.5, 0.7, heard="can i get").kiosk_turn(4.8, 3.0, heard="a number two").score())
        t = r["turns"][0]
        self.assertEqual((t["heard"], t["split"], t["clipped"]), (True, True, False))
        self.assertEqual(r["extra"], [])   # the first half is the customer's, not an extra turn

    def test_a_kiosk_that_was_not_listening_at_the_onset_missed_the_start(self):
        r = (Log().kiosk_voice(0.5, 2.0, 1.5).customer(1.0, 3.0, trigger="over")
             .kiosk_turn(3.8, 2.25, heard="large coke").score())
        t = r["turns"][0]
        self.assertEqual((t["heard"], t["clipped"], t["split"]), (True, True, False))
        self.assertEqual(t["barge"], {"stop_ms": 1000.0, "cut_short": False})

    def test_two_turns_the_kiosk_took_as_one_are_heard_and_merged(self):
        r = (Log().customer(1.0, 1.5, "a cheeseburger").customer(1.8, 2.5, "and a large coke", "after")
             .kiosk_turn(3.3, 0.7).score())
        a, b = r["turns"]
        self.assertEqual((a["heard"], a["merged"], b["heard"], b["merged"]), (True, False, True, True))

    def test_a_prompt_stopped_on_barge_in(self):
        r = Log().kiosk_voice(3.0, 4.15, 5.0).customer(4.0, 5.0, "and a medium coke", "over").kiosk_turn(5.8, 3.8).score()
        t = r["turns"][0]
        self.assertEqual(t["barge"], {"stop_ms": 150.0, "cut_short": True})
        self.assertTrue(t["heard"])

    def test_the_lag_moves_the_customer_later_on_the_kiosk_clock(self):
        # the kiosk's audio from 1.85 s holds 0.2 s of the speech only with the lag applied
        r = Log(lag_ms=300).customer(1.0, 1.75).kiosk_turn(2.2, 1.85).score()
        self.assertTrue(r["turns"][0]["heard"])
        r = Log(lag_ms=0).customer(1.0, 1.75).kiosk_turn(2.2, 1.85).score()
        self.assertFalse(r["turns"][0]["heard"])

    def test_a_pre_roll_reaching_into_the_speech_end_is_not_hearing_it(self):
        # a turn of something else opened 0.2 s after the speech: its 0.3 s pre-roll holds 0.1 s of it
        r = Log().customer(1.0, 2.0).kiosk_turn(3.6, 1.9, heard="").score()
        self.assertFalse(r["turns"][0]["heard"])
        self.assertEqual([x["kind"] for x in r["extra"]], ["noise"])

    def test_the_end_line_t0_is_the_one_used(self):
        # the kiosk's events, 0.5 s late on the start's t0, line up with the end's
        log = Log(t0_end=T0 + 0.5).customer(1.0, 2.0)
        log.kiosk_turn(2.8, 0.7)
        for e in log.ev:
            e["t"] += 0.5
        self.assertTrue(log.score()["turns"][0]["heard"])


class TestSummary(unittest.TestCase):
    def test_percentiles_nearest_rank(self):
        self.assertEqual(score.pct([], 50), None)
        self.assertEqual(score.pct([5], 95), 5)
        self.assertEqual(score.pct(list(range(1, 21)), 50), 10)
        self.assertEqual(score.pct(list(range(1, 21)), 95), 19)
        self.assertEqual(score.pct(list(range(1, 101)), 95), 95)

    def test_totals(self):
        res = {
            "c01": Log().kiosk_voice(3.0, 8.0, 5.0).customer(4.0, 5.0, "make it a large", "over").score(),
            "c02": Log().customer(1.0, 2.0).kiosk_turn(2.8, 0.7).kiosk_voice(2.9, 4.5, 1.7)
                        .kiosk_turn(9.0, 7.5, heard="").score(),
        }
        s = score.summary(res)
        self.assertEqual((s["turns"], s["heard"], s["lost"]), (2, 1, ["c01/1"]))
        self.assertEqual(s["lost_of_interrupting_customers"], ["c01/1"])
        self.assertEqual(s["turns_of_interrupting_customers"], 1)
        self.assertEqual((s["barge_turns"], s["barge_lost"]), (1, ["c01/1"]))
        self.assertEqual(len(s["self_turns"]) + len(s["noise_turns"]), 1)
        self.assertEqual(s["latency_ms"]["n"], 1)
        self.assertEqual(s["barge_stop_ms"]["within_200ms"], 0)
        res["c03"] = Log().kiosk_voice(3.0, 4.15, 5.0).customer(4.0, 5.0, "and a medium coke", "over").score()
        res["c04"] = Log().kiosk_voice(3.0, 4.15, 1.2).customer(4.0, 5.0, "and a medium coke", "over").score()
        b = score.summary(res)["barge_stop_ms"]
        self.assertEqual((b["n"], b["within_200ms"], b["ended_anyway_within_200ms"], b["cut_short"]), (3, 1, 1, 1))
        text = score.report(res, s)
        self.assertIn("lost 1 (c01/1)", text)
        self.assertIn("1 of 1 turns lost (target 0)", text)


if __name__ == "__main__":
    unittest.main()
