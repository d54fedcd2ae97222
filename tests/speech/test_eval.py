"""Tests of eval.py's judging (python3 -m unittest tests/speech/test_eval.py): which
outcome counts as an order taken silently wrong, which as something missing."""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import eval as ev  # noqa: E402


def line(item, qty=1, size=None, options=(), choices=None):
    return {"item": item, "qty": qty, "size": size,
            "options": [{"name": n, "amount": a} for n, a in options], "choices": choices or {}}


def case(lines, status="open", pages=(), offmenu=False):
    e = {"status": status, "lines": lines, "pages": list(pages)}
    if offmenu:
        e["offmenu"] = True
    return {"id": "t", "kind": "single", "category": "x", "menu": "menus/burger.yaml",
            "turns": ["a"], "expect": e, "voice": "en-us", "speed": 140, "audio": "22050"}


def out(lines, status="open", pages=()):
    return {"turns": [], "order": {"status": status, "lines": lines},
            "pages": [{"turn": 1, "reason": r} for r in pages]}


class Judge(unittest.TestCase):
    def verdict(self, want, got):
        return ev.judge(want, got, None)[0]

    def test_exact(self):
        self.assertEqual(self.verdict(case([line("Coke", size="large")]),
                                      out([line("Coke", size="large")])), "ok")

    def test_size_still_asked_is_short(self):
        # "a medium lemonade" heard as "can we get lemonade": the kiosk asks for the size
        self.assertEqual(self.verdict(case([line("Lemonade", size="medium")]),
                                      out([line("Lemonade")])), "short")

    def test_choice_still_asked_is_short(self):
        want = case([line("Number One", choices={"drink": "Sprite"})])
        self.assertEqual(self.verdict(want, out([line("Number One")])), "short")

    def test_other_size_is_wrong(self):
        self.assertEqual(self.verdict(case([line("Lemonade", size="medium")]),
                                      out([line("Lemonade", size="large")])), "wrong")

    def test_other_item_waiting_is_wrong(self):
        # "a muffin" heard as "an latte": the latte waits for its size, but it is no muffin
        self.assertEqual(self.verdict(case([line("Blueberry Muffin")]),
                                      out([line("Latte")])), "wrong")

    def test_other_quantity_is_wrong(self):
        self.assertEqual(self.verdict(case([line("Chicken Nuggets", size="large")]),
                                      out([line("Chicken Nuggets", 2)])), "wrong")

    def test_other_choice_is_wrong(self):
        want = case([line("Number One", choices={"drink": "Sprite"})])
        self.assertEqual(self.verdict(want, out([line("Number One", choices={"drink": "Coke"})])),
                         "wrong")

    def test_one_expected_line_matches_once(self):
        # two lemonades waiting for one asked for: the second is not asked for
        want = case([line("Lemonade", size="medium")])
        self.assertEqual(self.verdict(want, out([line("Lemonade"), line("Lemonade")])), "wrong")

    def test_extra_line_is_wrong(self):
        self.assertEqual(self.verdict(case([line("Coke", size="large")]),
                                      out([line("Coke", size="large"), line("Hamburger")])),
                         "wrong")

    def test_off_menu_waiting_line_is_wrong(self):
        # off the menu, any line added is unsafe, waiting for an answer or not
        self.assertEqual(self.verdict(case([], offmenu=True), out([line("Lemonade")])), "wrong")

    def test_paged(self):
        self.assertEqual(self.verdict(case([line("Coke")]),
                                      out([], status="crew", pages=["low_confidence"])), "paged")


class SilentWrong(unittest.TestCase):
    def test_waiting_line_is_not_a_wrong_line(self):
        want = case([line("Lemonade", size="medium")])
        r = ev.case_result(want, "clean", None, None, out([line("Lemonade")]), None, None, [])
        self.assertFalse(r["wrong_line"])
        r = ev.case_result(want, "clean", None, None, out([line("Lemonade", size="small")]), None,
                           None, [])
        self.assertTrue(r["wrong_line"])


if __name__ == "__main__":
    unittest.main()
