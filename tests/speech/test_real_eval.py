"""Tests of tests/speech/real_eval.py's scoring and mixing (no kiosk, no real audio needed).

    python3 -m unittest tests/speech/test_real_eval.py
"""
import audioop
import math
import os
import subprocess
import sys
import tempfile
import unittest
import wave

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import real_eval as R  # noqa: E402


def line(item, size, *opts):
    return {"item": item, "qty": 1, "size": size,
            "options": [{"name": n, "amount": a} for n, a in opts]}


def obj(heard, lines, pages=()):
    return {"turns": [{"file": "x.flac", "heard": heard, "confidence": 0.9, "free_text": ""}],
            "order": {"lines": lines}, "pages": [{"reason": p} for p in pages]}


class Labels(unittest.TestCase):
    def test_amounts(self):
        e = R.expected_line({"coffeeDrink": "latte", "milkAmount": "a little bit of soy milk",
                             "sugarAmount": "lots of brown sugar", "size": "twelve ounce"})
        self.assertEqual(e["milk"], ("soy milk", "light"))
        self.assertEqual(e["sugar"], ("brown sugar", "extra"))
        self.assertEqual(e["size"], "12 oz")
        self.assertEqual(R.expected_line({"coffeeDrink": "mocha"})["size"], "medium")
        self.assertEqual(R.amount_of("cream", R.MILKS), ("cream", "normal"))
        self.assertEqual(R.amount_of("some milk", R.MILKS), ("milk", "normal"))
        with self.assertRaises(ValueError):
            R.amount_of("a splash of milk", R.MILKS)


class Text(unittest.TestCase):
    exp = R.expected_line({"coffeeDrink": "iced coffee", "roast": "dark roast", "size": "eight ounce",
                           "sugarAmount": "a lot of brown sugar"})

    def test_right_in_any_order(self):
        for t in ("may i have a dark roast eight ounce iced coffee with a lot of brown sugar",
                  "an eight ounce dark roast iced coffee with a lot of brown sugar please"):
            self.assertTrue(R.same(self.exp, R.slots_of_text(t)), t)

    def test_wrong(self):
        for t in ("may i have a dark roast eight ounce coffee with a lot of brown sugar",    # drink
                  "may i have a dark roast iced coffee with a lot of brown sugar",           # size
                  "may i have a dark roast eight ounce iced coffee with brown sugar",        # amount
                  "may i have a dark roast eight ounce iced coffee with a lot of sugar",     # option
                  "may i have a no dark roast eight ounce iced coffee with a lot of brown sugar",
                  "a dark roast eight ounce iced coffee with a lot of brown sugar and a mocha",
                  ""):
            self.assertFalse(R.same(self.exp, R.slots_of_text(t)), t)


class Judge(unittest.TestCase):
    exp = R.expected_line({"coffeeDrink": "latte", "milkAmount": "almond milk"})

    def test_right(self):
        v, paged, rip, _, _ = R.judge_kiosk(self.exp, obj("a latte with almond milk",
                                                          [line("Latte", "medium", ("almond milk", "normal"))]))
        self.assertEqual((v, paged, rip), ("right", False, True))

    def test_wrong_amount_and_extra_line(self):
        v, _, _, _, _ = R.judge_kiosk(self.exp, obj("", [line("Latte", "medium", ("almond milk", "no"))]))
        self.assertEqual(v, "wrong")
        v, _, _, _, _ = R.judge_kiosk(self.exp, obj("", [line("Latte", "medium", ("almond milk", "normal")),
                                                         line("Mocha", "medium")]))
        self.assertEqual(v, "wrong")

    def test_paged_and_missing(self):
        v, paged, rip, _, _ = R.judge_kiosk(self.exp, obj("a latte with almond milk", [], ["low_confidence"]))
        self.assertEqual((v, paged, rip), ("wrong", True, True))
        self.assertEqual(R.judge_kiosk(self.exp, None)[0], "error")


class Mix(unittest.TestCase):
    def test_peak_frame_snr(self):
        with tempfile.TemporaryDirectory() as d:
            clean = os.path.join(d, "c.wav")
            # a tone burst in silence: its loudest frame sets the level
            tone = b"".join(int(8000 * math.sin(i / 5.0)).to_bytes(2, "little", signed=True)
                            for i in range(16000))
            R.write_wav(clean, b"\0\0" * 8000 + tone + b"\0\0" * 8000)
            noise = b"".join(int(3000 * math.sin(i * 1.7)).to_bytes(2, "little", signed=True)
                             for i in range(40000))
            out = os.path.join(d, "m.wav")
            R.mix(clean, noise, 10.0, out)
            with wave.open(out) as w:
                mixed = w.readframes(w.getnframes())
            self.assertEqual(len(mixed), 64000)
            added = audioop.add(mixed, audioop.mul(R.read_pcm(clean), 2, -1.0), 2)
            snr = 10 * math.log10(R.peak_frame_power(R.read_pcm(clean)) / R.peak_frame_power(added))
            self.assertAlmostEqual(snr, 10.0, delta=0.3)

    def test_no_set_is_one_line(self):
        env = dict(os.environ, KIOSK_REAL_SPEECH="/nonexistent")
        here = os.path.dirname(os.path.abspath(__file__))
        # a copy of the script where ../shared is not beside the checkout either
        with tempfile.TemporaryDirectory() as d:
            os.makedirs(os.path.join(d, "a", "tests", "speech"))
            dst = os.path.join(d, "a", "tests", "speech", "real_eval.py")
            with open(os.path.join(here, "real_eval.py")) as f, open(dst, "w") as g:
                g.write(f.read())
            r = subprocess.run([sys.executable, dst], capture_output=True, text=True, env=env)
        self.assertEqual(r.returncode, 0)
        self.assertEqual(r.stdout.strip().splitlines(),
                         ["real speech: no set at $KIOSK_REAL_SPEECH or ../shared/speech/real: skipped"])


if __name__ == "__main__":
    unittest.main()
