#!/usr/bin/env python3
"""Writes tests/speech/set.json, the development speech set, from the structure below.

Each case is composed from parts (carrier, quantity, size, options, item, choice...) whose
meaning is known here by construction, so the expected order follows from the parts and the
menu file, never from the kiosk.  Conversations are written by hand with their expected
final order.  Run it again after editing; commit both this file and set.json:

    python3 tests/speech/make_set.py            # writes tests/speech/set.json
    python3 tests/speech/make_set.py --stdout   # prints it instead

Rules the expectations follow (../shared/spec/menu-format.md, kiosk-cli.md):
- a sized item said without a size takes its default_size, or stays null (the kiosk asks);
- `options` lists only changes from the item's defaults, in the order of the menu's
  top-level `options:` list: `no` for a default taken off, `light`/`normal`/`extra` for an
  option asked for (a bare option is `normal`).  The set never says `no X` for an X that is
  not a default, nor a bare `with X` for an X that is one: the spec leaves those open;
- a sold-out item (`available: false`) adds nothing;
- a quantity above max_quantity adds no line, pages `quantity_limit`; a page hands the order
  to the crew (status `crew`);
- a request for a person pages `human_request` (status `crew`);
- a turn that is not an order (a question, chatter, another chain's item, a sound written
  "<cough>", "<engine 3.0>"... that eval.py makes with sox) adds no line: such cases carry
  `"offmenu": true` and are judged for safety only (any page is fine, a line added is not).
Cases added after the first set are appended with their own round robin of audio variants, so
the existing cases keep their ids, voices, speeds and formats.
Python standard library only.
"""
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

# Audio variants, assigned round-robin over the cases (see assign_audio).
# US English variants: the sample menus are American restaurants.  The British
# voice (en+m7) and 8 kHz narrowband audio were in the first version of the set and
# scored 48% and 35% (against 85% for en-us at 22.05 kHz): the en-us acoustic model
# is wideband American English.  They are kept out of the 90% floor; see README.md.
VOICES = ["en-us", "en-us+m3", "en-us+f2", "en-us+f5", "en-us+m5"]
SPEEDS = [140, 175]


# ---------------------------------------------------------------- a small YAML reader
# Enough YAML for menu files (block maps and sequences, flow [..] and {..} of scalars,
# comments).  The kiosk reads menus with libyaml; this only feeds the generator.

def _strip_comment(s):
    out, q = [], None
    for i, ch in enumerate(s):
        if q:
            if ch == q:
                q = None
        elif ch in "\"'" and (i == 0 or s[i - 1] in " [{,:"):
            q = ch
        elif ch == "#" and (i == 0 or s[i - 1] in " \t"):
            break
        out.append(ch)
    return "".join(out).rstrip()


def _scalar(s):
    s = s.strip()
    if s.startswith("[") and s.endswith("]"):
        inner = s[1:-1].strip()
        return [_scalar(x) for x in inner.split(",")] if inner else []
    if s.startswith("{") and s.endswith("}"):
        d = {}
        for part in s[1:-1].split(","):
            if part.strip():
                k, _, v = part.partition(":")
                d[k.strip()] = _scalar(v)
        return d
    if len(s) >= 2 and s[0] == s[-1] and s[0] in "\"'":
        return s[1:-1]
    if s in ("true", "false"):
        return s == "true"
    if re.fullmatch(r"-?\d+", s):
        return int(s)
    if re.fullmatch(r"-?\d+\.\d*", s):
        return float(s)
    return s


def read_yaml(path):
    lines = []
    with open(path, encoding="utf-8") as f:
        for raw in f:
            s = _strip_comment(raw.rstrip("\n"))
            if s.strip():
                lines.append([len(s) - len(s.lstrip(" ")), s.strip()])
    pos = 0

    def node(indent):
        return seq(indent) if lines[pos][1].startswith("- ") else mapping(indent)

    def mapping(indent):
        nonlocal pos
        d = {}
        while pos < len(lines) and lines[pos][0] == indent and not lines[pos][1].startswith("- "):
            key, _, rest = lines[pos][1].partition(":")
            pos += 1
            if rest.strip():
                d[key.strip()] = _scalar(rest)
            elif pos < len(lines) and (lines[pos][0] > indent or
                                       (lines[pos][0] == indent and lines[pos][1].startswith("- "))):
                d[key.strip()] = node(lines[pos][0])
            else:
                d[key.strip()] = None
        return d

    def seq(indent):
        nonlocal pos
        out = []
        while pos < len(lines) and lines[pos][0] == indent and lines[pos][1].startswith("- "):
            inner = lines[pos][1][2:]
            sub = indent + 2 + len(inner) - len(inner.lstrip())
            inner = inner.strip()
            if re.match(r"^[A-Za-z_][\w ]*:(\s|$)", inner):
                lines[pos] = [sub, inner]
                out.append(mapping(sub))
            else:
                pos += 1
                out.append(_scalar(inner))
        return out

    return node(lines[0][0])


# ---------------------------------------------------------------- the menu, as the spec defines it

DEFAULT_AMOUNTS = {
    "no": ["no", "without", "hold the"],
    "light": ["light", "a little", "a little bit of", "a bit of"],
    "normal": ["some", "regular"],
    "extra": ["extra", "a lot of", "lots of"],
}


class Menu:
    def __init__(self, relpath):
        self.path = relpath
        y = read_yaml(os.path.join(ROOT, relpath))
        self.name = y["menu"]
        self.max_quantity = y.get("max_quantity", 10)
        self.sizes = y["sizes"]                       # name -> [words]
        self.amounts = y.get("amounts") or DEFAULT_AMOUNTS
        self.carriers = y.get("carriers") or []
        self.options = [o["name"] for o in y["options"]]
        self.option_say = {o["name"]: o.get("say") or [o["name"]] for o in y["options"]}
        self.items = {}
        for it in y["items"]:
            self.items[it["name"]] = {
                "say": it["say"],
                "sizes": it.get("sizes"),
                "default_size": it.get("default_size"),
                "options": it.get("options") or [],
                "defaults": it.get("defaults") or [],
                "available": it.get("available", True),
                "choose": it.get("choose") or {},
            }
        self.human = y.get("human") or []

    def item(self, name):
        if name not in self.items:
            raise SystemExit(f"make_set: {self.path}: no item {name!r}")
        return self.items[name]


def expect_line(m, item, qty=1, size=None, opts=(), choices=None):
    """The order line the spec says `item` said this way becomes; None when nothing is added."""
    it = m.item(item)
    if not it["available"]:
        return None
    if it["sizes"]:
        if size is None:
            size = it["default_size"]            # may stay None: the kiosk asks
        elif size not in it["sizes"]:
            raise SystemExit(f"make_set: {item} has no size {size}")
    elif size is not None:
        raise SystemExit(f"make_set: {item} is not sized")
    seen = {}
    for name, amount in opts:
        if name not in it["options"]:
            raise SystemExit(f"make_set: {item} has no option {name}")
        if amount not in ("no", "light", "normal", "extra"):
            raise SystemExit(f"make_set: bad amount {amount}")
        if amount == "no" and name not in it["defaults"]:
            raise SystemExit(f"make_set: {item}: 'no {name}' is not a change (not a default)")
        if amount == "normal" and name in it["defaults"]:
            raise SystemExit(f"make_set: {item}: bare '{name}' is not a change (a default)")
        if name in seen:
            raise SystemExit(f"make_set: {item}: {name} said twice")
        seen[name] = amount
    ordered = [{"name": n, "amount": seen[n]} for n in m.options if n in seen]
    choices = dict(choices or {})
    for k, v in choices.items():
        if k not in it["choose"] or v not in it["choose"][k]:
            raise SystemExit(f"make_set: {item}: {k}={v} is not a choice")
    return {"item": item, "qty": qty, "size": size, "options": ordered, "choices": choices}


# ---------------------------------------------------------------- composing what a customer says

NUM = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
       "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
       "eighteen", "nineteen"]
TENS = {20: "twenty", 30: "thirty", 40: "forty", 50: "fifty", 60: "sixty", 70: "seventy",
        80: "eighty", 90: "ninety"}


def num_word(n):
    if n < 20:
        return NUM[n]
    if n < 100:
        t, u = n - n % 10, n % 10
        return TENS[t] + ("" if u == 0 else " " + NUM[u])
    if n < 1000:
        h, r = divmod(n, 100)
        return ("a hundred" if h == 1 else NUM[h] + " hundred") + ("" if r == 0 else " " + num_word(r))
    th, r = divmod(n, 1000)
    return num_word(th) + " thousand" + ("" if r == 0 else " " + num_word(r))


def plural(phrase):
    words = phrase.split()
    w = words[-1]
    if w.endswith("s"):
        pass
    elif w.endswith(("ch", "sh", "x", "z")):
        w += "es"
    elif w.endswith("y") and w[-2] not in "aeiou":
        w = w[:-1] + "ies"
    else:
        w += "s"
    return " ".join(words[:-1] + [w])


def article(next_word):
    return "an" if next_word[0] in "aeiou" else "a"


class O:
    """An option as said: name, amount, the amount phrase (aw), the option phrase (ow),
    and for options after the item the word that leads it in (lead)."""
    def __init__(self, name, amount="normal", aw=None, ow=None, lead=None):
        self.name, self.amount, self.aw, self.ow, self.lead = name, amount, aw, ow, lead


class I:
    """An item as said.  qty: number; size: size name; sw: the size word; say: which say:
    phrase (index or text); qw: the quantity word; before/after: options; choice: combo
    choice item; cw: the phrase for it."""
    def __init__(self, item, qty=1, size=None, sw=None, say=0, qw=None, before=(), after=(),
                 choice=None, cw=None):
        self.item, self.qty, self.size, self.sw, self.say, self.qw = item, qty, size, sw, say, qw
        self.before, self.after, self.choice, self.cw = list(before), list(after), choice, cw


def _amount_word(m, o):
    if o.aw is not None:
        if o.aw not in m.amounts[o.amount]:
            raise SystemExit(f"make_set: {m.path}: {o.aw!r} is not an amount word for {o.amount}")
        return o.aw
    return {"no": "no", "light": "light", "extra": "extra", "normal": ""}[o.amount]


def _option_word(m, o):
    says = m.option_say[o.name]
    if o.ow is None:
        return says[0]
    if isinstance(o.ow, int):
        return says[o.ow]
    if o.ow not in says:
        raise SystemExit(f"make_set: {o.ow!r} is not a way to say {o.name}")
    return o.ow


def render_item(m, spec):
    it = m.item(spec.item)
    say = it["say"][spec.say] if isinstance(spec.say, int) else spec.say
    if say not in it["say"]:
        raise SystemExit(f"make_set: {say!r} is not a way to say {spec.item}")
    words = []
    if spec.size:
        sw = spec.sw or m.sizes[spec.size][0]
        if sw not in m.sizes[spec.size]:
            raise SystemExit(f"make_set: {sw!r} is not a way to say {spec.size}")
        words.append(sw)
    for o in spec.before:
        words += [w for w in (_amount_word(m, o), _option_word(m, o)) if w]
    words.append(plural(say) if spec.qty > 1 else say)
    if spec.choice:
        ch = spec.cw or m.item(spec.choice)["say"][0]
        if ch not in m.item(spec.choice)["say"]:
            raise SystemExit(f"make_set: {ch!r} is not a way to say {spec.choice}")
        words += ["with", article(ch), ch]
    for k, o in enumerate(spec.after):
        lead = o.lead if o.lead is not None else ("" if o.amount == "no" else ("with" if k == 0 else "and"))
        words += [w for w in (lead, _amount_word(m, o), _option_word(m, o)) if w]
    text = " ".join(words)
    if spec.qw is not None:
        q = spec.qw
        if q in ("a", "an"):
            assert spec.qty == 1
        elif q != num_word(spec.qty):
            raise SystemExit(f"make_set: {q!r} is not {spec.qty}")
    elif spec.qty == 1:
        # "fries", "large fries", "chicken nuggets": no article for a plural-looking name
        q = "" if say.split()[-1].endswith("s") else article(text)
    else:
        q = num_word(spec.qty)
    if q:
        text = q + " " + text
    opts = [(o.name, o.amount) for o in spec.before + spec.after]
    choices = {next(k for k, v in it["choose"].items() if spec.choice in v): spec.choice} if spec.choice else {}
    line = expect_line(m, spec.item, spec.qty, spec.size, opts, choices)
    return text, line


def utterance(m, items, join="and", carrier=None, please=False):
    """One turn of one or more items: `[carrier] ITEM (and|,|) ITEM ... [please]`."""
    parts, lines = [], []
    for spec in items:
        t, line = render_item(m, spec)
        parts.append(t)
        if line is not None:
            lines.append(line)
    if join == "and":
        body = " and ".join(parts)
    elif join == "run":
        body = " ".join(parts)
    elif join == "list":                 # "a, b and c"
        body = ", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else parts[0]
    elif join == "comma":
        body = ", ".join(parts)
    else:
        raise ValueError(join)
    text = " ".join(x for x in (carrier, body, "please" if please else None) if x)
    status, pages = "open", []
    over = [ln for ln in lines if ln["qty"] > m.max_quantity]
    if over:
        assert len(items) == 1, "a quantity-limit case says one item"
        lines, status, pages = [], "crew", ["quantity_limit"]
    return text, {"status": status, "lines": lines, "pages": pages}


# ---------------------------------------------------------------- the set

CASES = []
# A turn that is not speech, made with sox by eval.py: "<silence 2.0>", "<engine 3.0>",
# "<wind 2.5>", "<traffic 3.0>" (seconds), "<cough>", "<cough 2>", "<clunk>" (how many).
NONSPEECH_RE = r"<(?:(?:silence|engine|wind|traffic) \d+(?:\.\d+)?|(?:cough|clunk)(?: [1-3])?)>"


def add(kind, category, m, turns, expect, note=None):
    c = {"id": None, "kind": kind, "category": category, "menu": m.path,
         "turns": turns, "expect": expect}
    if note:
        c["note"] = note
    for t in turns:
        if not (re.fullmatch(r"[a-z' ,]+", t) or re.fullmatch(NONSPEECH_RE, t)):
            raise SystemExit(f"make_set: turn {t!r}: lower-case words only (or a sound: "
                             f"<silence|engine|wind|traffic SECONDS>, <cough|clunk [COUNT]>)")
    CASES.append(c)


def single(category, m, items, **kw):
    text, exp = utterance(m, items, **kw)
    add("single", category, m, [text], exp)


def singles(B, C):
    # -- single_item: every available, non-combo item, alternating its say: phrases;
    #    sized items without a default_size get a size (the no-size form is size_pending).
    for m in (B, C):
        k = 0
        for name, it in m.items.items():
            if not it["available"] or it["choose"]:
                continue
            say = k % len(it["say"])
            size = None
            if it["sizes"] and not it["default_size"]:
                sizes = list(it["sizes"])
                size = sizes[k % len(sizes)]
            single("single_item", m, [I(name, say=say, size=size)])
            k += 1

    # -- size_pending: a sized item with no default said without a size: kept, size null
    for m, name, say in [(B, "Chicken Nuggets", 0), (B, "Coke", 0), (B, "Iced Tea", 2),
                         (C, "Latte", 0), (C, "Hot Chocolate", 1), (C, "Americano", 0)]:
        single("size_pending", m, [I(name, say=say)])

    # -- size_before: every other sized item, sizes and their words rotated
    for m in (B, C):
        k = 0
        for name, it in m.items.items():
            if not it["sizes"] or not it["available"]:
                continue
            sizes = list(it["sizes"])
            size = sizes[(k + 2) % len(sizes)]
            words = m.sizes[size]
            if k % 2 == 0:
                    single("size_before", m, [I(name, size=size, sw=words[k % len(words)],
                                               say=k % len(it["say"]))])
            k += 1

    # -- quantity: a/an/one .. ten (eight on the coffee menu), including the max itself
    qb = [("Cheeseburger", 1, "one"), ("Hamburger", 2, None), ("Cookie", 3, None),
          ("Water", 5, None), ("Sundae", 7, None), ("Cookie", 10, None), ("Big Stack", 1, "one")]
    for name, q, qw in qb:
        single("quantity", B, [I(name, qty=q, qw=qw)])
    qc = [("Espresso", 1, "an"), ("Bagel", 2, None), ("Espresso", 4, None),
          ("Breakfast Sandwich", 6, None), ("Blueberry Muffin", 8, None)]
    for name, q, qw in qc:
        single("quantity", C, [I(name, qty=q, qw=qw)])
    single("quantity", B, [I("Coke", qty=3, size="large")])
    single("quantity", C, [I("Latte", qty=2, size="small", sw="tall")])

    # -- plural: derived plural forms (-s, -es, multi-word names)
    for m, name, q, size, say in [
            (B, "Cheeseburger", 3, None, 1),
            (B, "Chicken Sandwich", 2, None, 0), (B, "Fish Sandwich", 3, None, 0),
            (B, "Chocolate Shake", 2, "large", 1), (B, "Lemonade", 2, "small", 0),
            (B, "Double Cheeseburger", 2, None, 0),
            (C, "Latte", 2, "large", 0), (C, "Blueberry Muffin", 2, None, 0),
            (C, "Mocha", 2, "medium", 0), (C, "Breakfast Sandwich", 2, None, 1)]:
        single("plural", m, [I(name, qty=q, size=size, say=say)])

    # -- several items joined by "and"
    for m, items in [
            (B, [I("Cheeseburger"), I("Coke", size="large")]),
            (B, [I("Hamburger", qty=2), I("Fries", size="large")]),
            (B, [I("Chicken Sandwich"), I("Sprite", size="medium"), I("Cookie")]),
            (B, [I("Big Stack"), I("Onion Rings")]),
            (B, [I("Double Cheeseburger"), I("Chocolate Shake", size="medium")]),
            (B, [I("Cheeseburger", qty=2), I("Fries", qty=2)]),
            (B, [I("Chicken Nuggets", size="large"), I("Diet Coke", size="large")]),
            (B, [I("Cheeseburger", after=[O("bacon")]), I("Coke", size="large")]),
            (C, [I("Latte", size="large"), I("Croissant")]),
            (C, [I("Drip Coffee", size="large"), I("Blueberry Muffin")]),
            (C, [I("Drip Coffee"), I("Bagel")]),
            (C, [I("Espresso", qty=2), I("Croissant", qty=2)]),
            (C, [I("Breakfast Sandwich"), I("Iced Coffee", size="large")]),
            (C, [I("Chai Latte", size="medium"), I("Bagel"), I("Blueberry Muffin")])]:
        single("several_and", m, items, join="and")

    # -- several items one after another, no "and" (or a list: "a, b and c")
    for m, items, join in [
            (B, [I("Cheeseburger"), I("Coke", size="large")], "run"),
            (B, [I("Hamburger"), I("Fries", size="small")], "run"),
            (B, [I("Fish Sandwich"), I("Lemonade", size="medium")], "comma"),
            (B, [I("Big Stack"), I("Fries", size="large"), I("Sprite", size="large")], "run"),
            (B, [I("Chicken Sandwich"), I("Onion Rings"), I("Root Beer", size="small")], "list"),
            (B, [I("Double Cheeseburger", after=[O("onions", "no")]), I("Iced Tea", size="large")], "comma"),
            (C, [I("Latte", size="medium"), I("Croissant")], "run"),
            (C, [I("Americano", size="large"), I("Bagel")], "comma"),
            (C, [I("Cappuccino", size="small"), I("Blueberry Muffin"), I("Espresso")], "list"),
            (C, [I("Drip Coffee", qty=2), I("Croissant", qty=2)], "comma")]:
        single("several_run_on", m, items, join=join)

    # -- carriers: the built-in ones of the spec, and each menu's own
    builtin = ["can i get", "can i have", "i want", "i'd like", "i'll have", "give me", "let me get"]
    bi = [I("Cheeseburger"), I("Coke", size="large"), I("Hamburger", qty=2), I("Fish Sandwich"),
          I("Fries", size="large"), I("Chicken Sandwich"), I("Cookie")]
    ci = [I("Latte", size="large"), I("Croissant"), I("Mocha", size="small"), I("Bagel"),
          I("Espresso", qty=2), I("Drip Coffee"), I("Blueberry Muffin")]
    for k, car in enumerate(builtin):              # each once, the menus in turn
        if k % 2 == 0:
            single("carrier", B, [bi[k]], carrier=car, please=(k % 3 == 2))
        else:
            single("carrier", C, [ci[k]], carrier=car, please=(k % 3 == 0))
    for k, car in enumerate(B.carriers):
        single("carrier", B, [[I("Big Stack"), I("Sprite", size="medium"), I("Onion Rings")][k % 3]],
               carrier=car, please=(k == 1))
    for k, car in enumerate(C.carriers):
        single("carrier", C, [[I("Cappuccino", size="large"), I("Breakfast Sandwich")][k % 2]],
               carrier=car, please=(k == 0))

    # -- options before the item
    for m, spec in [
            (B, I("Cheeseburger", before=[O("bacon")])),
            (B, I("Double Cheeseburger", before=[O("bacon")])),
            (B, I("Hamburger", say=1, before=[O("bacon")])),
            (B, I("Hamburger", before=[O("cheese", "extra")])),
            (B, I("Chicken Sandwich", before=[O("bacon")])),
            (B, I("Iced Tea", size="large", before=[O("lemon")])),
            (C, I("Latte", size="large", before=[O("vanilla")])),
            (C, I("Latte", size="medium", before=[O("oat milk")])),
            (C, I("Americano", size="small", before=[O("dark roast")])),
            (C, I("Iced Coffee", size="large", before=[O("caramel")])),
            (C, I("Cappuccino", size="medium", sw="grande", before=[O("almond milk")])),
            (C, I("Drip Coffee", before=[O("dark roast")])),
            (C, I("Mocha", size="large", sw="venti", before=[O("oat milk")])),
            (C, I("Latte", size="large", before=[O("vanilla", "extra", aw="double")]))]:
        single("options_before", m, [spec])

    # -- options after the item: with / no / without / hold the / amounts / several
    for m, spec in [
            (B, I("Cheeseburger", after=[O("bacon")])),
            (B, I("Hamburger", after=[O("onions", "no")])),
            (B, I("Cheeseburger", after=[O("pickles", "no", aw="without")])),
            (B, I("Hamburger", after=[O("onions", "no", aw="hold the")])),
            (B, I("Cheeseburger", after=[O("cheese", "extra")])),
            (B, I("Double Cheeseburger", after=[O("onions", "no"), O("pickles", "no")])),
            (B, I("Hamburger", say=1, after=[O("lettuce"), O("tomato")])),
            (B, I("Chicken Sandwich", after=[O("mayo", "light")])),
            (B, I("Big Stack", after=[O("sauce", "no", ow="special sauce")])),
            (B, I("Fish Sandwich", after=[O("tartar sauce", "no")])),
            (B, I("Veggie Burger", after=[O("mayo", "no", aw="hold the")])),
            (B, I("Side Salad", after=[O("croutons", "no")])),
            (B, I("Fries", size="large", after=[O("salt", "no", lead="with")])),
            (B, I("Fries", size="small", after=[O("ketchup")])),
            (B, I("Coke", size="large", after=[O("ice", "no")])),
            (B, I("Sprite", size="medium", after=[O("ice", "light")])),
            (B, I("Coffee", size="small", after=[O("sugar", "extra", aw="a lot of"),
                                                O("cream", "light", aw="a bit of")])),
            (B, I("Sundae", say=1, after=[O("whipped cream", "no")])),
            (B, I("Chocolate Shake", size="large", after=[O("whipped cream", "no", aw="without")])),
            (B, I("Chicken Nuggets", size="large", after=[O("barbecue sauce")])),
            (B, I("Cheeseburger", after=[O("bacon"), O("lettuce")])),       # said out of menu order
            (B, I("Chicken Sandwich", after=[O("mayo", "extra"), O("lettuce", "no")])),
            (B, I("Hamburger", after=[O("pickles", "extra", aw="lots of")])),
            (B, I("Cheeseburger", after=[O("onions", "no"), O("bacon", lead="with")])),
            (C, I("Latte", size="large", after=[O("oat milk")])),
            (C, I("Latte", size="medium", after=[O("extra shot", ow="an extra shot")])),
            (C, I("Mocha", size="small", after=[O("whipped cream", "no")])),
            (C, I("Drip Coffee", size="large", after=[O("sugar", "extra", aw="a lot of"),
                                                     O("cream", "light", aw="a bit of")])),
            (C, I("Drip Coffee", after=[O("cream", "light", aw="a splash of")])),
            (C, I("Bagel", after=[O("butter")])),
            (C, I("Bagel", after=[O("cream cheese", "no", aw="skip the")])),
            (C, I("Breakfast Sandwich", after=[O("egg", "no")])),
            (C, I("Iced Coffee", size="large", after=[O("ice", "no")])),
            (C, I("Green Tea", size="medium", after=[O("honey"), O("lemon")])),
            (C, I("Hot Chocolate", size="large", after=[O("whipped cream", "extra")])),
            (C, I("Latte", size="medium", sw="grande", after=[O("caramel"), O("hazelnut")]))]:
        single("options_after", m, [spec])

    # -- combos with their choice said
    for m, spec in [
            (B, I("Number One", choice="Sprite")),
            (B, I("Number One", say=2, choice="Root Beer")),
            (B, I("Number Two", choice="Diet Coke")),
            (B, I("Number Two", say=2, choice="Lemonade")),
            (B, I("Number Three", say=2, choice="Coke")),
            (B, I("Kids Meal", choice="Milk")),
            (B, I("Kids Meal", say=1, choice="Orange Juice")),
            (C, I("Coffee And Pastry", choice="Croissant")),
            (C, I("Coffee And Pastry", say=1, choice="Blueberry Muffin", cw="muffin")),
            (C, I("Coffee And Pastry", say=2, choice="Bagel"))]:
        single("combo_choice", m, [spec])
    single("combo_choice", B, [I("Number One", choice="Sprite"), I("Cookie")])
    single("combo_choice", C, [I("Coffee And Pastry", say=1, choice="Croissant"), I("Espresso")])

    # -- sold out: nothing added for it, the rest of the turn stands
    single("sold_out", B, [I("Apple Pie")])
    single("sold_out", B, [I("Apple Pie")], carrier="can i get")
    single("sold_out", B, [I("Cheeseburger"), I("Apple Pie")])
    single("sold_out", C, [I("Banana Bread")])
    single("sold_out", C, [I("Latte", size="large"), I("Banana Bread")])
    single("sold_out", C, [I("Banana Bread")], carrier="i'd like")

    # -- above max_quantity: no line, the crew is paged
    for m, name, q, size in [(B, "Cheeseburger", 11, None), (B, "Water", 18000, None),
                             (B, "Coke", 12, "large"), (B, "Cookie", 100, None),
                             (C, "Latte", 9, "large"), (C, "Croissant", 10, None),
                             (C, "Blueberry Muffin", 50, None)]:
        single("quantity_limit", m, [I(name, qty=q, size=size)])
    single("quantity_limit", B, [I("Cheeseburger", qty=11)], carrier="can i get")

    # -- asking for a person
    crew = {"status": "crew", "lines": [], "pages": ["human_request"]}
    for m, text in [(B, "can i talk to a manager"), (B, "human"),
                    (B, "i want to talk to a person"), (B, "help"),
                    (B, "i need a crew member"),
                    (B, "let me talk to a team member"),
                    (C, "can i talk to a manager"), (C, "i want a real person"),
                    (C, "can i speak to someone please")]:
        add("single", "human_request", m, [text], dict(crew))
    # mid-order: whether the items said before the request are added is not in the spec
    # (the crew takes over either way), so only status and pages are compared
    for m, text in [(B, "two fries and i want to talk to a person"),
                    (B, "a cheeseburger, can i talk to a manager"),
                    (C, "a large latte and i want to speak to someone")]:
        add("single", "human_request", m, [text],
            {"status": "crew", "lines": None, "pages": ["human_request"]},
            note="lines not compared: the spec leaves open whether items before the request are added")


def conversations(B, C):
    def L(m, item, qty=1, size=None, opts=(), choices=None):
        return expect_line(m, item, qty, size, opts, choices)

    def conv(category, m, turns, lines, status="open", pages=()):
        add("conversation", category, m, list(turns),
            {"status": status, "lines": list(lines), "pages": list(pages)})

    # "make that N": the quantity of the last line
    conv("conv_make_that", B, ["a cheeseburger", "make that two"], [L(B, "Cheeseburger", 2)])
    conv("conv_make_that", B, ["a large coke and a cookie", "make that two"],
         [L(B, "Coke", 1, "large"), L(B, "Cookie", 2)])
    conv("conv_make_that", B, ["can i get a fish sandwich", "make that two", "that's all", "yes"],
         [L(B, "Fish Sandwich", 2)], status="confirmed")
    conv("conv_make_that", C, ["a croissant", "make that two"], [L(C, "Croissant", 2)])

    # "make it a large", "make the fries large": the size of a line
    conv("conv_make_it_size", B, ["fries", "make it a large"], [L(B, "Fries", 1, "large")])
    conv("conv_make_it_size", B, ["a cheeseburger and a medium sprite", "make it a large"],
         [L(B, "Cheeseburger"), L(B, "Sprite", 1, "large")])
    conv("conv_make_it_size", B, ["a cheeseburger and fries", "make the fries large"],
         [L(B, "Cheeseburger"), L(B, "Fries", 1, "large")])
    conv("conv_make_it_size", C, ["a tall mocha", "make it a venti"], [L(C, "Mocha", 1, "large")])
    conv("conv_make_it_size", C, ["a coffee and a croissant", "make the coffee large"],
         [L(C, "Drip Coffee", 1, "large"), L(C, "Croissant")])

    # "actually make the coke a sprite": another item in the line's place, size kept
    conv("conv_replace", B, ["a large coke", "actually make the coke a sprite"],
         [L(B, "Sprite", 1, "large")])
    conv("conv_replace", B, ["a cheeseburger and a medium coke", "actually make the coke a root beer"],
         [L(B, "Cheeseburger"), L(B, "Root Beer", 1, "medium")])
    conv("conv_replace", B, ["a small lemonade and fries", "actually make the lemonade an iced tea"],
         [L(B, "Iced Tea", 1, "small"), L(B, "Fries")])
    conv("conv_replace", C, ["a medium latte", "actually make the latte a cappuccino"],
         [L(C, "Cappuccino", 1, "medium")])
    conv("conv_replace", C, ["a croissant and a large mocha", "make the croissant a muffin"],
         [L(C, "Blueberry Muffin"), L(C, "Mocha", 1, "large")])

    # "remove the fries"
    conv("conv_remove", B, ["a cheeseburger and fries", "remove the fries"], [L(B, "Cheeseburger")])
    conv("conv_remove", B, ["a fish sandwich", "a cookie", "remove the cookie"], [L(B, "Fish Sandwich")])
    conv("conv_remove", B, ["a cheeseburger and onion rings", "remove the onion rings", "that's all", "yes"],
         [L(B, "Cheeseburger")], status="confirmed")
    conv("conv_remove", C, ["a croissant and a bagel", "remove the bagel"], [L(C, "Croissant")])

    # "no fries"
    conv("conv_no_item", B, ["a cheeseburger and large fries", "no fries"], [L(B, "Cheeseburger")])
    conv("conv_no_item", B, ["a big stack and a cookie", "no cookie"], [L(B, "Big Stack")])
    conv("conv_no_item", C, ["a bagel and a croissant", "no croissant"], [L(C, "Bagel")])
    conv("conv_no_item", C, ["an espresso and a muffin", "no muffin"], [L(C, "Espresso")])

    # "cancel that": takes back what the last turn added
    conv("conv_cancel_that", B, ["a cheeseburger", "a large coke and a cookie", "cancel that"],
         [L(B, "Cheeseburger")])
    conv("conv_cancel_that", B, ["a fish sandwich", "large fries", "cancel that", "a side salad"],
         [L(B, "Fish Sandwich"), L(B, "Side Salad")])
    conv("conv_cancel_that", C, ["a large latte", "two croissants", "cancel that"],
         [L(C, "Latte", 1, "large")])
    conv("conv_cancel_that", C, ["a bagel", "cancel that"], [])

    # "start over": empties the order
    conv("conv_start_over", B, ["two cheeseburgers and large fries", "start over"], [])
    conv("conv_start_over", B, ["a big stack", "a large coke", "start over", "a veggie burger"],
         [L(B, "Veggie Burger")])
    conv("conv_start_over", C, ["a large mocha", "start over", "a croissant"], [L(C, "Croissant")])
    conv("conv_start_over", C, ["two muffins", "start over"], [])

    # the kiosk asks a size; the answer is a size word
    conv("conv_size_answer", B, ["chicken nuggets", "large"], [L(B, "Chicken Nuggets", 1, "large")])
    conv("conv_size_answer", B, ["a cheeseburger and a sprite", "small"],
         [L(B, "Cheeseburger"), L(B, "Sprite", 1, "small")])
    conv("conv_size_answer", B, ["a vanilla shake", "large please"], [L(B, "Vanilla Shake", 1, "large")])
    conv("conv_size_answer", C, ["a latte", "grande"], [L(C, "Latte", 1, "medium")])
    conv("conv_size_answer", C, ["a cappuccino", "venti"], [L(C, "Cappuccino", 1, "large")])

    # the kiosk asks a combo's choice; the answer names it
    conv("conv_combo_answer", B, ["number one", "sprite"], [L(B, "Number One", choices={"drink": "Sprite"})])
    conv("conv_combo_answer", B, ["a number two", "diet coke"],
         [L(B, "Number Two", choices={"drink": "Diet Coke"})])
    conv("conv_combo_answer", B, ["a kids meal", "orange juice"],
         [L(B, "Kids Meal", choices={"drink": "Orange Juice"})])
    conv("conv_combo_answer", C, ["coffee and pastry", "croissant"],
         [L(C, "Coffee And Pastry", choices={"pastry": "Croissant"})])
    conv("conv_combo_answer", C, ["a breakfast deal", "blueberry muffin"],
         [L(C, "Coffee And Pastry", choices={"pastry": "Blueberry Muffin"})])

    # closing, read-back, "yes": confirmed
    conv("conv_confirm", B, ["a cheeseburger and a large coke", "that's all", "yes"],
         [L(B, "Cheeseburger"), L(B, "Coke", 1, "large")], status="confirmed")
    conv("conv_confirm", B, ["a number one with a sprite", "nothing else", "yes"],
         [L(B, "Number One", choices={"drink": "Sprite"})], status="confirmed")
    conv("conv_confirm", B, ["a fish sandwich and fries", "no thanks", "yes"],
         [L(B, "Fish Sandwich"), L(B, "Fries")], status="confirmed")
    conv("conv_confirm", C, ["a large latte", "that's all", "yes"], [L(C, "Latte", 1, "large")],
         status="confirmed")
    conv("conv_confirm", C, ["a coffee", "nothing else", "yes"], [L(C, "Drip Coffee")], status="confirmed")

    # closing, read-back, "no": still open
    conv("conv_reject", B, ["a cheeseburger", "that's all", "no"], [L(B, "Cheeseburger")])
    conv("conv_reject", B, ["a hamburger", "that's all", "no", "a cookie", "that's all", "yes"],
         [L(B, "Hamburger"), L(B, "Cookie")], status="confirmed")
    conv("conv_reject", C, ["a bagel", "that's all", "no", "a large latte", "that's all", "yes"],
         [L(C, "Bagel"), L(C, "Latte", 1, "large")], status="confirmed")
    conv("conv_reject", C, ["a muffin", "that's it", "no"], [L(C, "Blueberry Muffin")])

    # a person asked for after ordering: the order stands, the crew has it
    conv("conv_human", B, ["two fries", "i want to talk to a person"], [L(B, "Fries", 2)],
         status="crew", pages=["human_request"])
    conv("conv_human", B, ["a cheeseburger", "can i talk to a manager"], [L(B, "Cheeseburger")],
         status="crew", pages=["human_request"])
    conv("conv_human", B, ["a number one with a coke", "help"],
         [L(B, "Number One", choices={"drink": "Coke"})], status="crew", pages=["human_request"])
    conv("conv_human", C, ["a large latte", "can i speak to someone"], [L(C, "Latte", 1, "large")],
         status="crew", pages=["human_request"])

    # too many of something after ordering: the order stands, the crew is paged
    conv("conv_quantity_limit", B, ["a cheeseburger", "eleven cookies"], [L(B, "Cheeseburger")],
         status="crew", pages=["quantity_limit"])
    conv("conv_quantity_limit", B, ["two hamburgers", "eighteen thousand waters"], [L(B, "Hamburger", 2)],
         status="crew", pages=["quantity_limit"])
    conv("conv_quantity_limit", C, ["a large latte", "nine croissants"], [L(C, "Latte", 1, "large")],
         status="crew", pages=["quantity_limit"])

    # a sold-out item in a conversation: refused, the rest goes on
    conv("conv_sold_out", B, ["a cheeseburger", "an apple pie", "that's all", "yes"],
         [L(B, "Cheeseburger")], status="confirmed")
    conv("conv_sold_out", C, ["a banana bread", "a blueberry muffin"], [L(C, "Blueberry Muffin")])
    conv("conv_sold_out", C, ["a large latte and a banana bread", "that's it", "yes"],
         [L(C, "Latte", 1, "large")], status="confirmed")

    # whole orders, start to finish
    conv("conv_long", B, ["can i get a number one", "coke", "two cheeseburgers no onions", "that's all", "yes"],
         [L(B, "Number One", choices={"drink": "Coke"}), L(B, "Cheeseburger", 2, opts=[("onions", "no")])],
         status="confirmed")
    conv("conv_long", B, ["a cheeseburger", "chicken nuggets", "small", "a large sprite", "that's all", "yes"],
         [L(B, "Cheeseburger"), L(B, "Chicken Nuggets", 1, "small"), L(B, "Sprite", 1, "large")],
         status="confirmed")
    conv("conv_long", C, ["a large latte with oat milk", "a blueberry muffin", "that's all", "yes"],
         [L(C, "Latte", 1, "large", opts=[("oat milk", "normal")]), L(C, "Blueberry Muffin")],
         status="confirmed")
    conv("conv_long", C, ["morning deal", "bagel", "an americano", "large", "that's it", "yes"],
         [L(C, "Coffee And Pastry", choices={"pastry": "Bagel"}), L(C, "Americano", 1, "large")],
         status="confirmed")


# ---------------------------------------------------------------- added with the noise work
# Appended after the cases above (which keep their ids and audio variants): turns that are
# not orders, and more ways to ask for a person.

def offmenu(category, m, turns, lines=(), status="open", off=None):
    """Something that is not an order (a question, chatter, another chain's item, a sound).
    The kiosk may page (low_confidence, out_of_menu) or just say sorry: any page is safe;
    what must not happen is a line added.  `lines`: what the order turns around it add; the
    case passes when the final order holds nothing else (eval.py: off-menu safety).
    `off`: which turns (1-based) are off the menu: all of a single turn; in a conversation
    the ones named (eval.py counts a turn there that heard something as a wrong turn)."""
    if off is None:
        assert len(turns) == 1, "say which turns of a conversation are off the menu"
        off = [1]
    add("single" if len(turns) == 1 else "conversation", category, m, list(turns),
        {"offmenu": True, "offmenu_turns": list(off), "status": status, "lines": list(lines),
         "pages": []},
        note="off-menu: passes when no line beyond `lines` is added, whatever the pages")


def off_menu_singles(B, C):
    # -- questions, some naming a menu item: a question orders nothing
    for m, text in [(B, "do you sell tacos"), (B, "what time do you close"),
                    (B, "where is the bathroom"), (B, "how much is a large coke"),
                    (B, "is the ice cream machine working"), (B, "do you take credit cards"),
                    (B, "are you guys hiring"), (B, "what comes on the big stack"),
                    (C, "do you have wifi"), (C, "how much is a latte"),
                    (C, "are you open on sundays"), (C, "do you have decaf"),
                    (C, "what kind of milk do you have"), (C, "is the croissant fresh today"),
                    (C, "can i pay with my phone")]:
        offmenu("off_menu_question", m, [text])

    # -- talk not meant for the kiosk: the car, the radio
    for m, text in [(B, "hang on a second"), (B, "uh what do you want honey"), (B, "let me think"),
                    (B, "hold on my kids are deciding"), (B, "sorry what was that"), (B, "um"),
                    (B, "can you hear me"), (B, "stay tuned for more after the break"),
                    (C, "give me a minute"), (C, "what did you say"), (C, "okay um let me see"),
                    (C, "and now the weather for the tri county area"),
                    (C, "traffic on the interstate is backed up for three miles"),
                    (C, "you're listening to the best hits of the eighties"),
                    (C, "hey can you pass me my wallet")]:
        offmenu("off_menu_chatter", m, [text])

    # -- other chains' items: none is a menu item (a word or two may be: big, cheese, caramel)
    for m, text in [(B, "a big mac and a mcflurry"), (B, "a whopper with cheese"),
                    (B, "a crunchwrap supreme"), (B, "a frosty"), (B, "a baconator"),
                    (B, "a mcrib"), (B, "a chalupa supreme"), (B, "a blizzard"),
                    (C, "a pumpkin spice frappuccino"), (C, "a caramel macchiato"),
                    (C, "a flat white"), (C, "a box of munchkins"), (C, "a pink drink"),
                    (C, "a boston kreme donut"), (C, "a cake pop")]:
        offmenu("other_chain", m, [text])

    # -- no speech at all: eval.py makes these with sox (see NONSPEECH_RE)
    for m, text in [(B, "<silence 2.0>"), (B, "<cough>"), (B, "<engine 3.0>"), (B, "<wind 2.5>"),
                    (B, "<clunk>"), (C, "<silence 3.0>"), (C, "<cough 2>"), (C, "<traffic 3.0>"),
                    (C, "<engine 5.0>"), (C, "<clunk 2>")]:
        offmenu("nonspeech", m, [text])


def human_singles(B, C):
    crew = {"status": "crew", "lines": [], "pages": ["human_request"]}
    # -- a person asked for, alone, in many phrasings (the spec's built-in phrases, the burger
    #    menu's `human: [crew member, team member]`, and words outside the grammar around them)
    for m, text in [(B, "can i talk to a real person"), (B, "get me a human"),
                    (B, "i want to speak to the manager"), (B, "operator"), (B, "human please"),
                    (B, "can someone help me"), (B, "i need help"), (B, "let me talk to somebody"),
                    (B, "is there a person there"), (B, "can i get a team member"),
                    (B, "this is too complicated can i just talk to a person"),
                    (B, "ugh forget it get me a manager"),
                    (C, "can i talk to a real person"), (C, "get me a human"),
                    (C, "i'd like to speak to a manager"), (C, "operator"), (C, "somebody help"),
                    (C, "i need to talk to someone"), (C, "can i speak to an employee"),
                    (C, "real person please"), (C, "is anyone there i need a person"),
                    (C, "this machine doesn't understand me get me a person")]:
        add("single", "human_request", m, [text], dict(crew))

    # -- a person asked for in the middle or at the end of an order: the crew takes the car;
    #    whether the items said before are added is left open (as for the mid-order
    #    human_request cases above), so only status and pages are compared
    for m, text in [(B, "two cheeseburgers and can i talk to a manager"),
                    (B, "a number one with a coke actually get me a real person"),
                    (B, "large fries and uh i need help"),
                    (B, "a cheeseburger and a sprite wait can i talk to someone"),
                    (B, "three hamburgers no actually i want a real person"),
                    (B, "a big stack and let me talk to a team member"),
                    (B, "a chocolate shake um can i speak to somebody"),
                    (B, "a kids meal and i need a human"),
                    (C, "a large latte and uh i need to speak to someone"),
                    (C, "two croissants and can i talk to the manager"),
                    (C, "a medium mocha actually get me a person"),
                    (C, "an espresso and i want to talk to a real person"),
                    (C, "a bagel with butter help"),
                    (C, "a chai latte and can someone help me"),
                    (C, "a breakfast sandwich actually let me talk to somebody")]:
        add("single", "human_mid_order", m, [text],
            {"status": "crew", "lines": None, "pages": ["human_request"]},
            note="lines not compared: the spec leaves open whether items before the request are added")


def more_conversations(B, C):
    def L(m, item, qty=1, size=None, opts=(), choices=None):
        return expect_line(m, item, qty, size, opts, choices)

    def conv(category, m, turns, lines, status="open", pages=()):
        add("conversation", category, m, list(turns),
            {"status": status, "lines": list(lines), "pages": list(pages)})

    # a person asked for in turn 2 or later: the order taken so far stands, the crew has it
    H = {"status": "crew", "pages": ["human_request"]}
    conv("conv_human", B, ["a cheeseburger and fries", "can i talk to a real person"],
         [L(B, "Cheeseburger"), L(B, "Fries", 1, "medium")], **H)
    conv("conv_human", B, ["two hamburgers", "a large coke", "get me a manager"],
         [L(B, "Hamburger", 2), L(B, "Coke", 1, "large")], **H)
    conv("conv_human", B, ["a number two with a sprite", "um i need help"],
         [L(B, "Number Two", choices={"drink": "Sprite"})], **H)
    conv("conv_human", B, ["a fish sandwich", "is there a person there"], [L(B, "Fish Sandwich")], **H)
    conv("conv_human", B, ["a big stack", "a cookie", "let me talk to a team member"],
         [L(B, "Big Stack"), L(B, "Cookie")], **H)
    conv("conv_human", C, ["a large latte", "a croissant", "operator"],
         [L(C, "Latte", 1, "large"), L(C, "Croissant")], **H)
    conv("conv_human", C, ["a medium cappuccino", "can i speak to an employee"],
         [L(C, "Cappuccino", 1, "medium")], **H)
    conv("conv_human", C, ["two blueberry muffins", "that's all", "no", "i want to talk to a person"],
         [L(C, "Blueberry Muffin", 2)], **H)

    # something off the menu in the middle of an order: the kiosk may page (safe) or go on;
    # judged for safety only: the final order holds nothing but what the order turns asked for
    offmenu("conv_off_menu", B, ["a cheeseburger", "what time do you close", "a large coke"],
            [L(B, "Cheeseburger"), L(B, "Coke", 1, "large")], off=[2])
    offmenu("conv_off_menu", B, ["two hamburgers", "hang on a second", "a small sprite"],
            [L(B, "Hamburger", 2), L(B, "Sprite", 1, "small")], off=[2])
    offmenu("conv_off_menu", B, ["a hamburger", "<cough>", "that's all", "yes"],
            [L(B, "Hamburger")], status="confirmed", off=[2])
    offmenu("conv_off_menu", C, ["a large latte", "do you have wifi", "a croissant"],
            [L(C, "Latte", 1, "large"), L(C, "Croissant")], off=[2])
    offmenu("conv_off_menu", C, ["a bagel", "<engine 3.0>", "a medium mocha"],
            [L(C, "Bagel"), L(C, "Mocha", 1, "medium")], off=[2])


def assign_audio(cases):
    """Voice, speed and file format, round-robin so every category meets every variant.
    Of every 8 cases one is sent at 48 kHz mono, one at 44.1 kHz stereo, one at espeak-ng's
    22050 Hz with digital silence around and between words ("22050z"); the rest at 22050 Hz
    mono.  All but "22050z" get a faint noise floor (eval.py), as real audio has.
    Called once for the first set and once for the cases added later, so adding cases at the
    end never moves an existing case to another variant."""
    for k, c in enumerate(cases):
        c["voice"] = VOICES[k % len(VOICES)]
        c["speed"] = SPEEDS[(k // len(VOICES)) % len(SPEEDS)]
        c["audio"] = {3: "48000", 5: "22050z", 7: "44100s"}.get(k % 8, "22050")


def main():
    B = Menu("menus/burger.yaml")
    C = Menu("menus/coffee.yaml")
    singles(B, C)
    conversations(B, C)
    first = len(CASES)
    off_menu_singles(B, C)
    human_singles(B, C)
    more_conversations(B, C)
    counts = {}
    for c in CASES:
        short = os.path.splitext(os.path.basename(c["menu"]))[0]
        key = (short, c["category"])
        counts[key] = counts.get(key, 0) + 1
        c["id"] = f"{short}-{c['category']}-{counts[key]:02d}"
    assign_audio(CASES[:first])
    assign_audio(CASES[first:])
    ids = [c["id"] for c in CASES]
    assert len(ids) == len(set(ids))
    out = {
        "about": "Development speech set; generated by tests/speech/make_set.py, read by "
                 "tests/speech/eval.py. Expected orders come from the phrases' structure and the "
                 "menu files, never from the kiosk. Do not edit by hand.",
        "voices": VOICES, "speeds": SPEEDS,
        "cases": CASES,
    }
    # one case a line: short diffs when the set changes
    head = {k: v for k, v in out.items() if k != "cases"}
    text = json.dumps(head, ensure_ascii=False)[:-1] + ', "cases": [\n' + ",\n".join(
        json.dumps(c, ensure_ascii=False) for c in CASES) + "\n]}"
    assert json.loads(text) == out
    if "--stdout" in sys.argv:
        print(text)
        return
    path = os.path.join(HERE, "set.json")
    with open(path, "w", encoding="utf-8") as f:
        f.write(text + "\n")
    ns = sum(1 for c in CASES if c["kind"] == "single")
    nc = len(CASES) - ns
    nt = sum(len(c["turns"]) for c in CASES)
    no = sum(1 for c in CASES if c["expect"].get("offmenu"))
    nh = sum(1 for c in CASES if "human_request" in c["expect"]["pages"])
    print(f"wrote {os.path.relpath(path, ROOT)}: {len(CASES)} cases ({ns} single turns, {nc} conversations), "
          f"{nt} turns; {no} off-menu, {nh} asking for a person")


if __name__ == "__main__":
    main()
