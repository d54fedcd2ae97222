/* parse.c: the words the menu grammar heard -> actions on the order.
 *
 * The input is what the recogniser's menu grammar matched (lower case words),
 * so it is mostly well formed; but it is untrusted text all the same, and a
 * turn the parser cannot place as a whole is refused (-1) rather than guessed
 * at: a wrong order taken silently is the worst outcome, a re-ask is cheap.
 *
 * Method: the words are matched left to right, greedily, longest phrase first,
 * against the menu's phrases (item say: and their plurals from menu_plural,
 * options, sizes, amounts, carriers, human phrases) and the built-in ones of
 * lexicon.h (numbers, closings, yes/no, politeness).  Small fixed key words
 * ("and", "with", "make that/it/the", "actually", "the", "remove", "take off",
 * "cancel that", "start over") are listed below.
 *
 * A turn is a sequence of segments, each one of:
 *   [carrier] [qty] {size | [amount] option} ITEM [size] {post}     ACT_ADD
 *       post: "with" [amount] option | "with" CHOICE (combo) | amount option
 *             | "and" [amount] option (continuing a list of options)
 *   [a|an] SIZE                                     ACT_SIZE (an answer)
 *   make (that|it) NUMBER [SIZE] [ITEM]             ACT_SET_QTY (+ ACT_SET_SIZE)
 *   make (that|it) [a|an] SIZE                      ACT_SET_SIZE, target the last line
 *   make the ITEM [a|an] SIZE                       ACT_SET_SIZE, target ITEM
 *   make (that|it|the ITEM) [a|an] [SIZE] ITEM2 ... ACT_REPLACE (target -1: "that"; the
 *                                                   dialog makes it a change of ITEM2's
 *                                                   line when the order has one)
 *   remove (the ITEM|that|it), take off the ITEM, take (the ITEM|that|it) off,
 *   no [the] ITEM, cancel the ITEM                  ACT_REMOVE
 *   cancel that | cancel it                         ACT_CANCEL_LAST
 *   start over | start again                        ACT_START_OVER
 *   closing ("that's all", "no thanks", ...)        ACT_DONE
 *   yes-phrase / no-phrase                          ACT_YES / ACT_NO
 * separated by "and", politeness, fillers ("um", "so", lex_fillers),
 * greetings (lex_greetings) or nothing; "actually" may lead a change.  A
 * turn of greetings alone ("hello", "hi there") is one ACT_GREET.
 *
 * Choices made here where the spec is silent:
 * - A human phrase anywhere in the turn (word aligned) makes the whole turn a
 *   single ACT_HUMAN: the dialog pages and applies nothing else anyway.
 * - Quantity: "a"/"an" count as one (qty 1); no number at all gives qty 0.
 *   Quantities are not capped here (the dialog pages above max_quantity).
 * - "no onions" needs an item: after one it is an option of it; alone (or at
 *   the start of a turn) it cannot be placed, so the turn is refused.  "no" +
 *   an item is a removal; "no" alone is ACT_NO.
 * - A bare option after "with" means normal; a bare option joined by "and"
 *   after a taken-off one ("no onions and pickles", "without tomatoes and
 *   onions") is taken off too.  For an option that is not on the item anyway
 *   ("no onions and bacon") that means no change: of the two readings, leaving
 *   something off is the safe one (an unwanted topping can be an allergy), and
 *   the echo and read-back show it.
 * - An option the item does not take, one option said twice (with the same
 *   amount or not: "a sugar sugar espresso" is a word the search repeated),
 *   or a size said for an unsized item ("a large cheeseburger") refuse the
 *   turn.  A size the item does not sell ("a large orange juice") is passed
 *   on: the dialog asks which size.
 * - Size after the item ("a coke large") is taken only at the end of the
 *   segment (end, "and", politeness), where it cannot begin the next item.
 * - Combos: "with [a|an] ITEM" names a choice when ITEM is one of the combo's
 *   choices; a choice said with a size or a count ("with a large coke") is
 *   refused (the model has no size for a choice); an ITEM after "with" that is
 *   not one of its choices is refused too.  After a plain item, "with ITEM"
 *   ("a burger with fries") starts a new line, as "and" would.
 * - "actually" followed by a plain new item ("actually a sprite") is refused:
 *   it probably means a replacement, and guessing which line is unsafe.
 * - "make that a large coke": REPLACE of the last line.  "make that two cokes",
 *   "make the coke two sprites": REPLACE, then SET_QTY of the last line (the
 *   dialog makes the replaced line the last one changed).  The parser knows
 *   no order: when the coke is already in it, the dialog changes that line
 *   instead (its size if said, then the count); "make the coke two
 *   cokes" is SET_QTY (and SET_SIZE if said) of the Coke line.  "make the burger no onions" (changing options of
 *   a line) has no action and is refused.
 * - A second item straight after another, with no "and", article, number
 *   or carrier between ("an iced mocha mocha", "a latte large mocha") is
 *   refused: over noise that is an added word far more often than an order.
 * - More actions than max: refused (-1); a turn of only fillers ("and",
 *   "please", a carrier) is refused too; "" gives 0 actions. */
#include "order.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "../menu/lexicon.h"

typedef struct {
    char *phrase;      /* owned when a plural */
    int item;
    int owned;
} item_phrase_t;

typedef struct {
    const menu_t *m;
    strlist_t words;
    const char *const *w;
    int n;
    item_phrase_t *items;
    int nitems;
    action_t *out;
    int max, count;
} parser_t;

/* ---- matching ---- */

/* Words of phrase at w[p..n): how many, or 0. */
static int match_at(const char *phrase, const char *const *w, int n)
{
    int k = 0;
    const char *s = phrase;
    while (*s) {
        const char *e = strchr(s, ' ');
        size_t len = e ? (size_t)(e - s) : strlen(s);
        if (len == 0) return 0;
        if (k >= n || strlen(w[k]) != len || strncmp(w[k], s, len) != 0) return 0;
        k++;
        s += len;
        while (*s == ' ') s++;
    }
    return k;
}

static int match_phrases(const phrases_t *ph, const char *const *w, int n, int *which, int best)
{
    int got = 0;
    for (int i = 0; i < ph->n; i++) {
        int k = match_at(ph->v[i], w, n);
        if (k > best) {
            best = k;
            got = k;
            if (which) *which = i;
        }
    }
    return got;
}

static int is_word(const parser_t *P, int p, const char *word)
{
    return p < P->n && strcmp(P->w[p], word) == 0;
}

static int match_list(const parser_t *P, int p, const char *const *list)
{
    if (p >= P->n) return 0;
    return lex_match(list, P->w + p, P->n - p, NULL);
}

/* Longest item phrase at p (singular or plural). */
static int match_item(const parser_t *P, int p, int *item)
{
    int best = 0;
    if (p >= P->n) return 0;
    for (int i = 0; i < P->nitems; i++) {
        int k = match_at(P->items[i].phrase, P->w + p, P->n - p);
        if (k > best) {
            best = k;
            if (item) *item = P->items[i].item;
        }
    }
    return best;
}

static int match_size(const parser_t *P, int p, int *size)
{
    int best = 0;
    if (p >= P->n) return 0;
    for (int s = 0; s < P->m->nsizes; s++) {
        int k = match_phrases(&P->m->sizes[s].say, P->w + p, P->n - p, NULL, best);
        if (k > best) {
            best = k;
            if (size) *size = s;
        }
    }
    return best;
}

static int match_option(const parser_t *P, int p, int *opt)
{
    int best = 0;
    if (p >= P->n) return 0;
    for (int o = 0; o < P->m->noptions; o++) {
        int k = match_phrases(&P->m->options[o].say, P->w + p, P->n - p, NULL, best);
        /* an option written without say: is said as its name */
        if (P->m->options[o].say.n == 0 && P->m->options[o].name) {
            int k2 = match_at(P->m->options[o].name, P->w + p, P->n - p);
            if (k2 > k) k = k2;
        }
        if (k > best) {
            best = k;
            if (opt) *opt = o;
        }
    }
    return best;
}

static int match_amount(const parser_t *P, int p, amount_t *amt)
{
    int best = 0;
    if (p >= P->n) return 0;
    for (int a = 0; a < AMOUNT_COUNT; a++) {
        int k;
        if (P->m->amounts[a].n > 0)
            k = match_phrases(&P->m->amounts[a], P->w + p, P->n - p, NULL, best);
        else
            k = lex_match(lex_default_amounts[a], P->w + p, P->n - p, NULL);
        if (k > best) {
            best = k;
            if (amt) *amt = (amount_t)a;
        }
    }
    return best;
}

/* [amount] option at p.  *bare is 1 when no amount was said. */
static int match_amount_option(const parser_t *P, int p, int *opt, amount_t *amt, int *bare)
{
    int o1 = -1, o2 = -1;
    amount_t a = AMOUNT_NORMAL;
    int lo = match_option(P, p, &o1);
    int la = match_amount(P, p, &a);
    int lo2 = la ? match_option(P, p + la, &o2) : 0;
    if (la && lo2 && la + lo2 > lo) {
        *opt = o2;
        *amt = a;
        *bare = 0;
        return la + lo2;
    }
    if (lo) {
        *opt = o1;
        *amt = AMOUNT_NORMAL;
        *bare = 1;
        return lo;
    }
    return 0;
}

static int match_carrier(const parser_t *P, int p)
{
    if (p >= P->n) return 0;
    int k = match_phrases(&P->m->carriers, P->w + p, P->n - p, NULL, 0);
    int k2 = lex_match(lex_carriers, P->w + p, P->n - p, NULL);
    return k > k2 ? k : k2;
}

static int match_human(const parser_t *P, int p)
{
    if (p >= P->n) return 0;
    int k = match_phrases(&P->m->human, P->w + p, P->n - p, NULL, 0);
    int k2 = lex_match(lex_human, P->w + p, P->n - p, NULL);
    return k > k2 ? k : k2;
}

/* The end of a segment: nothing more, "and", or politeness. */
static int segment_end(const parser_t *P, int p)
{
    return p >= P->n || is_word(P, p, "and") || match_list(P, p, lex_politeness);
}

/* ---- actions ---- */

static void action_init(action_t *a, action_kind_t kind)
{
    memset(a, 0, sizeof *a);
    a->kind = kind;
    a->item = -1;
    a->target = -1;
    a->size = -1;
}

static int emit(parser_t *P, const action_t *a)
{
    if (P->count >= P->max) return -1;
    P->out[P->count++] = *a;
    return 0;
}

/* An option request as said, before the item is known. */
typedef struct {
    int option;
    amount_t amount;
} said_opt_t;

typedef struct {
    said_opt_t v[ACTION_MAX_OPTS];
    int n;
    int overflow;
} said_opts_t;

static void said_push(said_opts_t *s, int opt, amount_t amt)
{
    if (s->n >= ACTION_MAX_OPTS) {
        s->overflow = 1;
        return;
    }
    s->v[s->n].option = opt;
    s->v[s->n].amount = amt;
    s->n++;
}

/* Resolves the options said against the item: -1 when one cannot be placed. */
static int resolve_opts(const parser_t *P, int item, const said_opts_t *s, action_t *a)
{
    if (s->overflow) return -1;
    a->nopts = 0;
    for (int i = 0; i < s->n; i++) {
        int o = s->v[i].option;
        amount_t amt = s->v[i].amount;
        if (!menu_item_takes_option(P->m, item, o)) return -1;
        for (int j = 0; j < a->nopts; j++) {
            /* "no onions ... extra onions"; and the same one twice ("a sugar
             * sugar espresso") is a word the search repeated over noise */
            if (a->opts[j].option == o) return -1;
        }
        a->opts[a->nopts].option = o;
        a->opts[a->nopts].amount = amt;
        a->nopts++;
    }
    return 0;
}

static int choice_slot(const menu_t *m, int combo, int item, const action_t *a)
{
    const menu_item_t *it = &m->items[combo];
    for (int k = 0; k < it->nchoose && k < ORDER_MAX_CHOICES; k++) {
        int taken = 0;
        for (int j = 0; j < a->nchoices; j++) {
            for (int i = 0; i < it->choose[k].nitems; i++)
                if (it->choose[k].items[i] == a->choices[j]) taken = 1;
        }
        if (taken) continue;
        for (int i = 0; i < it->choose[k].nitems; i++)
            if (it->choose[k].items[i] == item) return k;
    }
    return -1;
}

/* How an item phrase began, for the callers that read a partial one. */
typedef struct {
    int qty_word;     /* a number word other than a/an was said */
    int article;      /* a, an or the */
} phrase_info_t;

/* [carrier] [qty] [size] {[amount] option} [ITEM [size] {post}] at p.
 * Fills a (kind ACT_ADD; item -1 when no item was named) and returns the
 * position after it, or -1 when the words cannot be an item phrase. */
static int parse_item_phrase(const parser_t *P, int p, action_t *a, phrase_info_t *info)
{
    const menu_t *m = P->m;
    said_opts_t said = { .n = 0 };
    int start = p;
    action_init(a, ACT_ADD);
    memset(info, 0, sizeof *info);

    /* quantity or article, unless the words are an amount ("a bit of cream") */
    {
        int opt, bare;
        amount_t amt;
        int la = match_amount_option(P, p, &opt, &amt, &bare);
        long q = 0;
        int lq = p < P->n ? lex_number(P->w + p, P->n - p, &q) : 0;
        if (la > 0 && !bare && la > lq) lq = 0;
        if (lq > 0 && match_size(P, p, NULL) > lq) lq = 0;     /* "twenty ounce", a size */
        if (lq > 0) {
            a->qty = q;
            if (lq == 1 && (is_word(P, p, "a") || is_word(P, p, "an"))) info->article = 1;
            else info->qty_word = 1;
            p += lq;
        } else if (is_word(P, p, "the")) {
            info->article = 1;
            p++;
        }
    }
    /* size and options before the item, in any order ("a dark roast large
     * latte", "a double shot twelve ounce cappuccino"), the longest phrase
     * first ("medium roast" is an option, not the size "medium"), unless the
     * words are an item ("big stack"); a second size refuses the turn */
    for (;;) {
        int s = -1, opt, bare;
        amount_t amt;
        int ls = match_size(P, p, &s);
        int lo = match_amount_option(P, p, &opt, &amt, &bare);
        int li = match_item(P, p, NULL);
        if (ls > 0 && ls > lo && ls > li) {
            if (a->size >= 0) return -1;
            a->size = s;
            p += ls;
        } else if (lo > 0 && lo > li) {
            said_push(&said, opt, amt);
            p += lo;
        } else {
            break;
        }
    }
    int item = -1;
    int li = match_item(P, p, &item);
    if (li == 0) {
        if (p == start) return -1;
        if (said.n > 0) return -1;      /* options with no item to go on */
        return p;                       /* qty and/or size alone: the caller decides */
    }
    a->item = item;
    p += li;
    const menu_item_t *it = &m->items[item];

    /* size after the item, only where it cannot start the next item */
    if (a->size < 0) {
        int s = -1;
        int ls = match_size(P, p, &s);
        if (ls > 0 && ls > match_item(P, p, NULL) && segment_end(P, p + ls)) {
            a->size = s;
            p += ls;
        }
    }

    /* after the item: options, a combo's choices */
    int in_list = 0;
    amount_t last = AMOUNT_NORMAL;
    while (p < P->n) {
        int opt, bare;
        amount_t amt;
        if (is_word(P, p, "with")) {
            int q = p + 1;
            int lo = match_amount_option(P, q, &opt, &amt, &bare);
            int ci = -1;
            /* [a|an|one] [size] ITEM */
            int r = q;
            if (is_word(P, r, "a") || is_word(P, r, "an") || is_word(P, r, "one")) r++;
            int cs = -1;
            int lcs = match_size(P, r, &cs);
            if (lcs > match_item(P, r, NULL)) r += lcs;
            else lcs = 0;
            int lci = match_item(P, r, &ci);
            if (lo > 0 && lo >= (r - q) + lci) {
                said_push(&said, opt, amt);
                last = amt;
                in_list = 1;
                p = q + lo;
                continue;
            }
            if (lci > 0) {
                if (it->nchoose == 0) break;        /* "a burger with fries": a new line */
                if (lcs > 0) return -1;             /* no size for a choice */
                int k = choice_slot(m, item, ci, a);
                if (k < 0 || a->nchoices >= ORDER_MAX_CHOICES) return -1;
                a->choices[a->nchoices++] = ci;
                p = r + lci;
                in_list = 1;
                continue;
            }
            /* "with" and a number ("with two cokes") or nothing known */
            return -1;
        }
        if (is_word(P, p, "and") && in_list) {
            int q = p + 1 + is_word(P, p + 1, "with");     /* "with milk and with sugar" */
            int lo = match_amount_option(P, q, &opt, &amt, &bare);
            long dummy;
            int lq = q < P->n ? lex_number(P->w + q, P->n - q, &dummy) : 0;
            /* "... with cheese and bacon cheeseburger": bacon goes with the
             * next item, not this one */
            if (lo > 0 && lo > match_item(P, q, NULL) && !(lq > 0 && bare) &&
                match_item(P, q + lo, NULL) == 0) {
                /* "no onions and pickles": both off */
                if (bare && last == AMOUNT_NO) amt = AMOUNT_NO;
                said_push(&said, opt, amt);
                if (!bare) last = amt;
                p = q + lo;
                continue;
            }
            break;
        }
        {
            int lo = match_amount_option(P, p, &opt, &amt, &bare);
            if (lo > 0 && !bare && lo > match_item(P, p, NULL)) {
                said_push(&said, opt, amt);
                last = amt;
                in_list = 1;
                p += lo;
                continue;
            }
        }
        break;
    }
    if (a->size >= 0 && !it->size_cents) return -1;   /* "a large cheeseburger" */
    if (resolve_opts(P, item, &said, a) < 0) return -1;
    return p;
}

/* The words after "make that|it" or "make the ITEM" (target -1 or the item). */
static int parse_change(parser_t *P, int p, int target)
{
    action_t a;
    phrase_info_t info;
    int q = parse_item_phrase(P, p, &a, &info);
    if (q < 0) return -1;
    if (a.item < 0) {
        if (a.nopts > 0) return -1;
        if (info.qty_word) {
            action_t s;
            action_init(&s, ACT_SET_QTY);
            s.target = target;
            s.qty = a.qty;
            if (emit(P, &s) < 0) return -1;
        } else if (a.size < 0) {
            return -1;                 /* "make it the" */
        }
        if (a.size >= 0) {
            action_t s;
            action_init(&s, ACT_SET_SIZE);
            s.target = target;
            s.size = a.size;
            if (emit(P, &s) < 0) return -1;
        }
        return q;
    }
    if (info.qty_word && target >= 0 && target == a.item && a.nopts == 0 && a.nchoices == 0) {
        /* "make the coke two cokes": the count (and size) of that item */
        action_t s;
        action_init(&s, ACT_SET_QTY);
        s.target = a.item;
        s.qty = a.qty;
        if (emit(P, &s) < 0) return -1;
        if (a.size >= 0) {
            action_init(&s, ACT_SET_SIZE);
            s.target = a.item;
            s.size = a.size;
            if (emit(P, &s) < 0) return -1;
        }
        return q;
    }
    if (info.qty_word) {
        /* "make that two cokes", "make the coke two sprites": that line becomes
         * the item said, then its count; the dialog applies the count to the
         * line just replaced (REPLACE makes it the line most recently changed) */
        long qty = a.qty;
        a.kind = ACT_REPLACE;
        a.target = target;
        a.qty = 0;
        if (emit(P, &a) < 0) return -1;
        action_t s;
        action_init(&s, ACT_SET_QTY);
        s.qty = qty;
        return emit(P, &s) < 0 ? -1 : q;
    }
    a.kind = ACT_REPLACE;
    a.target = target;
    a.qty = 0;
    if (emit(P, &a) < 0) return -1;
    return q;
}

/* After "remove", "take off", "cancel", "no": [the] ITEM, or that/it. */
static int parse_remove_target(parser_t *P, int p, int allow_that)
{
    action_t a;
    action_init(&a, ACT_REMOVE);
    if (allow_that && (is_word(P, p, "that") || is_word(P, p, "it"))) {
        if (emit(P, &a) < 0) return -1;
        return p + 1;
    }
    if (is_word(P, p, "the")) p++;
    int item = -1;
    int li = match_item(P, p, &item);
    if (!li) return -1;
    a.target = item;
    if (emit(P, &a) < 0) return -1;
    return p + li;
}

/* One segment at p; returns the position after it or -1. */
static int parse_segment(parser_t *P, int p, int actually)
{
    int k;
    action_t a;

    if ((k = match_list(P, p, lex_closing)) > 0) {
        action_init(&a, ACT_DONE);
        return emit(P, &a) < 0 ? -1 : p + k;
    }
    if (is_word(P, p, "cancel")) {
        if (is_word(P, p + 1, "that") || is_word(P, p + 1, "it")) {
            action_init(&a, ACT_CANCEL_LAST);
            return emit(P, &a) < 0 ? -1 : p + 2;
        }
        return parse_remove_target(P, p + 1, 0);
    }
    if (is_word(P, p, "start") && (is_word(P, p + 1, "over") || is_word(P, p + 1, "again"))) {
        action_init(&a, ACT_START_OVER);
        return emit(P, &a) < 0 ? -1 : p + 2;
    }
    if (is_word(P, p, "make")) {
        if (is_word(P, p + 1, "that") || is_word(P, p + 1, "it") || is_word(P, p + 1, "them"))
            return parse_change(P, p + 2, -1);
        if (is_word(P, p + 1, "the")) {
            int item = -1;
            int li = match_item(P, p + 2, &item);
            if (!li) return -1;
            return parse_change(P, p + 2 + li, item);
        }
        return -1;
    }
    if (is_word(P, p, "remove")) return parse_remove_target(P, p + 1, 1);
    if (is_word(P, p, "take")) {
        if (is_word(P, p + 1, "off")) return parse_remove_target(P, p + 2, 0);
        /* take (the ITEM|that|it) off */
        int q = p + 1;
        action_init(&a, ACT_REMOVE);
        if (is_word(P, q, "that") || is_word(P, q, "it")) {
            q++;
        } else {
            if (is_word(P, q, "the")) q++;
            int item = -1;
            int li = match_item(P, q, &item);
            if (!li) return -1;
            a.target = item;
            q += li;
        }
        if (!is_word(P, q, "off")) return -1;
        return emit(P, &a) < 0 ? -1 : q + 1;
    }

    /* "no cheese burger": the cheeseburger off, not a burger without cheese
     * (the longest phrase wins, as everywhere; and a removal of a line that is
     * not there is harmless, while an added line is a wrong order) */
    if (is_word(P, p, "no")) {
        int r = p + 1 + is_word(P, p + 1, "the");
        int li = match_item(P, r, NULL);
        if (li > 0 && li >= match_option(P, r, NULL)) return parse_remove_target(P, p + 1, 0);
    }

    phrase_info_t info;
    int q = parse_item_phrase(P, p, &a, &info);
    if (q > p) {
        if (a.item < 0) {
            /* a size alone is an answer ("large", "a medium") */
            if (a.size < 0 || info.qty_word || a.nopts > 0) return -1;
            action_t s;
            action_init(&s, ACT_SIZE);
            s.size = a.size;
            return emit(P, &s) < 0 ? -1 : q;
        }
        if (actually) return -1;
        return emit(P, &a) < 0 ? -1 : q;
    }

    if (is_word(P, p, "no")) {
        int r = parse_remove_target(P, p + 1, 0);
        if (r > 0) return r;
        /* not an item: undo nothing (parse_remove_target emits only on success) */
    }
    if ((k = match_list(P, p, lex_yes)) > 0) {
        action_init(&a, ACT_YES);
        return emit(P, &a) < 0 ? -1 : p + k;
    }
    if ((k = match_list(P, p, lex_no)) > 0) {
        action_init(&a, ACT_NO);
        return emit(P, &a) < 0 ? -1 : p + k;
    }
    return -1;
}

static void parser_free(parser_t *P)
{
    for (int i = 0; i < P->nitems; i++)
        if (P->items[i].owned) free(P->items[i].phrase);
    free(P->items);
    strlist_free(&P->words);
}

/* Lower case; anything but letters, digits and apostrophes separates words. */
static char *normalise(const char *heard)
{
    char *s = xstrdup(heard);
    for (char *c = s; *c; c++) {
        unsigned char u = (unsigned char)*c;
        if (isalnum(u) || u == '\'') *c = (char)tolower(u);
        else *c = ' ';
    }
    return s;
}

int order_parse(const menu_t *m, const char *heard, action_t *out, int max)
{
    parser_t P;
    memset(&P, 0, sizeof P);
    P.m = m;
    P.out = out;
    P.max = max;
    if (!heard) heard = "";
    char *text = normalise(heard);
    split_words(text, &P.words);
    free(text);
    P.w = (const char *const *)P.words.v;
    P.n = P.words.n;
    if (P.n == 0) {
        parser_free(&P);
        return 0;
    }

    /* a request for a person anywhere: that is the whole turn */
    for (int p = 0; p < P.n; p++) {
        if (match_human(&P, p) > 0) {
            action_t a;
            action_init(&a, ACT_HUMAN);
            int r = emit(&P, &a) < 0 ? -1 : 1;
            parser_free(&P);
            return r;
        }
    }

    int cap = 0;
    for (int i = 0; i < m->nitems; i++) cap += 2 * m->items[i].say.n;
    P.items = xcalloc((size_t)(cap ? cap : 1), sizeof *P.items);
    for (int i = 0; i < m->nitems; i++) {
        for (int j = 0; j < m->items[i].say.n; j++) {
            char *ph = m->items[i].say.v[j];
            P.items[P.nitems++] = (item_phrase_t){ ph, i, 0 };
            char *pl = menu_plural(ph);
            if (pl && strcmp(pl, ph) != 0) P.items[P.nitems++] = (item_phrase_t){ pl, i, 1 };
            else free(pl);
        }
    }

    int p = 0, actually = 0, result = 0, joined = 1, greeted = 0;
    while (p < P.n) {
        int k;
        if (is_word(&P, p, "and")) { p++; joined = 1; continue; }
        if ((k = match_list(&P, p, lex_greetings)) > 0) { p += k; greeted = 1; continue; }
        if ((k = match_list(&P, p, lex_politeness)) > 0) { p += k; joined = 1; continue; }
        if ((k = match_list(&P, p, lex_fillers)) > 0) { p += k; continue; }
        if ((k = match_carrier(&P, p)) > 0) { p += k; joined = 1; continue; }
        /* a second item straight after the first, without "and", an article
         * or a number ("an iced mocha mocha", "a latte large mocha"): a word
         * the search added, not a second line (refused: the turn pages) */
        if (!joined && P.count > 0 && P.out[P.count - 1].kind == ACT_ADD &&
            (match_item(&P, p, NULL) > 0 || match_size(&P, p, NULL) > 0 || match_option(&P, p, NULL) > 0)) {
            result = -1;
            break;
        }
        if (is_word(&P, p, "actually")) { actually = 1; joined = 1; p++; continue; }
        /* "a burger with fries": "with" before a new item joins like "and" */
        if (is_word(&P, p, "with") && P.count > 0 && P.out[P.count - 1].kind == ACT_ADD &&
            match_item(&P, p + 1 + (is_word(&P, p + 1, "a") || is_word(&P, p + 1, "an")), NULL) > 0) {
            p++;
            joined = 1;
            continue;
        }
        int q = parse_segment(&P, p, actually);
        if (q <= p) {
            result = -1;
            break;
        }
        actually = 0;
        joined = 0;
        p = q;
    }
    if (result == 0 && P.count == 0 && greeted) {
        action_t a;
        action_init(&a, ACT_GREET);
        if (emit(&P, &a) < 0) result = -1;
    }
    if (result == 0) result = P.count > 0 ? P.count : -1;
    parser_free(&P);
    return result;
}
