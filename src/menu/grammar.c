/* grammar.c: the JSGF grammar a menu compiles to (menu.h, "grammar").
 *
 * The recogniser can only hear what this grammar allows, so it is the other
 * half of the contract in ../shared/spec/menu-format.md, "What a customer can
 * say", and must stay in step with order/parse.c, which turns what was heard
 * into actions.  Everything a phrasing needs comes from the menu or from the
 * built-in tables of lexicon.h; the few fixed key words ("make", "remove",
 * "cancel that", "start over", "actually", "with", "and") are the ones the
 * parser lists.
 *
 * Shape (one public rule, <turn>):
 *
 *   turn   = [polite] (order | human | change | closing | yes | no | [a|an] SIZE) [polite]
 *   order  = [yes] items [[and] closing | human]
 *   items  = [and] ([carrier] line | (human_lead | carrier) [a|the] human) [polite] [items]
 *   (a bare human phrase is a turn of its own: turn = ... | [human_lead] [a|the] human)
 *   line   = [a|an|one] ONE | NUMBER>=2 MANY
 *   ONE    = for each group of alike items: [SIZE] {[amount] OPTION} ITEM [post]
 *   post   = {with [a|an|one] CHOICE} (once per choose: entry, combos only)
 *            [(with [amount] OPTION | amount OPTION)
 *             {with [amount] OPTION | amount OPTION | and [amount] OPTION}]
 *   change = [no] [actually] (make (that|it|them|the ITEM) NEW
 *            | make (that|it|them) NUMBER [SIZE] ITEMS
 *            | (remove|take off|cancel|no) [the] ITEM | remove (that|it)
 *            | cancel (that|it) | start (over|again))
 *   NEW    = NUMBER [SIZE] | [a|an] SIZE | [a|an|one] [SIZE] ITEM
 *
 * Tightness: recognition accuracy falls as the grammar loosens, so each item
 * only takes the sizes it is sold in, the options listed for it and (combos)
 * its own choices, and the count agrees with the noun ("a cheeseburger", "two
 * cheeseburgers").  Items that take the same sizes, options and choices share
 * one group of rules ("Coke", "Sprite", "Root Beer"...), which keeps the
 * grammar small.  Quantities go well beyond max_quantity ("eighteen thousand
 * waters") on purpose: a number that is heard can be refused and paged, a
 * number that is not heard becomes a wrong order.
 *
 * Size: sphinxbase expands every rule reference in place when it builds the
 * finite-state grammar, and "x+" holds two copies of x.  So repetition is
 * written as right recursion ("<order_items> = ... [<order_items>]", one
 * copy) and the big rules (the items, the numbers) are referenced as few
 * times as possible.
 *
 * Right recursion: sphinxbase turns "<r> = x [<r>]" into an arc back to the
 * state where <r> was entered.  When that state is shared with other paths
 * (the start of <one>, where every group of items begins), the loop leads
 * into them too: "a bacon cookie" would be heard.  So a recursive rule is
 * only ever entered at a state of its own: after a word or after an
 * optional part, never as the first thing of an alternative
 * ("<g0_pre> = [<amount>] <g0_opt> [<g0_pre_more>]" rather than a recursive
 * <g0_pre>).  test_grammar.c checks such leaks stay refused.
 *
 * JSGF words: the sphinxbase scanner takes any run of characters other than
 * blanks and ; = | * + < > ( ) [ ] { } / as a word, so "that's" is fine; but
 * "grammar", "import" and "public" are keywords and a quoted word keeps its
 * quotes.  menu_check_words() refuses such words; here a phrase with one is
 * left out rather than emitted broken. */
#include "menu.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lexicon.h"

/* 1 when the word can be written bare in JSGF and means itself. */
static int jsgf_word_ok(const char *w, size_t n)
{
    static const char *const keywords[] = { "grammar", "import", "public", NULL };
    if (n == 0) return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)w[i];
        if (c <= ' ' || c >= 0x7f || strchr(";=|*+<>()[]{}/\"#\\", c)) return 0;
    }
    for (int i = 0; keywords[i]; i++)
        if (strlen(keywords[i]) == n && strncmp(keywords[i], w, n) == 0) return 0;
    return 1;
}

static int jsgf_phrase_ok(const char *p)
{
    if (!p || !*p) return 0;
    while (*p) {
        const char *e = strchr(p, ' ');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (!jsgf_word_ok(p, n)) return 0;
        p += n;
        if (*p) p++;
    }
    return 1;
}

/* A rule's alternatives, each once: looked up in ix rather than compared
 * with every one before (a menu's human: list of many thousand phrases made
 * the grammar take minutes). */
typedef struct {
    strlist_t l;
    strmap_t ix;         /* keys borrowed from l */
} alts_t;

static void add_owned(alts_t *a, char *s)
{
    if (strmap_get(&a->ix, s) >= 0) {
        free(s);
        return;
    }
    strlist_push_owned(&a->l, s);
    strmap_add(&a->ix, s, a->l.n - 1);
}

/* Adds a phrase (or an expansion) once. */
static void add(alts_t *l, const char *s)
{
    if (strmap_get(&l->ix, s) < 0) add_owned(l, xstrdup(s));
}

static void alts_free(alts_t *a)
{
    strlist_free(&a->l);
    strmap_free(&a->ix);
}

static void add_phrase(alts_t *l, const char *p)
{
    if (jsgf_phrase_ok(p)) add(l, p);
}

static void add_table(alts_t *l, const char *const *t)
{
    for (int i = 0; t[i]; i++) add_phrase(l, t[i]);
}

static void add_phrases(alts_t *l, const phrases_t *p)
{
    for (int i = 0; i < p->n; i++) add_phrase(l, p->v[i]);
}

/* An option's spoken forms: its say:, or its name when say: is empty (the
 * parser reads it the same way). */
static void add_option(alts_t *l, const menu_option_t *o)
{
    if (o->say.n > 0) add_phrases(l, &o->say);
    else if (o->name) add_phrase(l, o->name);
}

/* Writes "<name> = a | b | c;" and empties alts.  Returns 0 (nothing
 * written) when there is no alternative: JSGF has no empty rule, and <VOID>
 * would make sphinxbase drop the whole grammar, so callers leave the
 * reference out instead. */
static int rule(strbuf_t *g, const char *name, alts_t *alts)
{
    if (alts->l.n == 0) return 0;
    /* one alternative per line once a rule gets long, to keep
     * `kiosk menu grammar` readable */
    size_t len = strlen(name) + 5;
    for (int i = 0; i < alts->l.n; i++) len += strlen(alts->l.v[i]) + 3;
    strbuf_printf(g, "<%s> =", name);
    for (int i = 0; i < alts->l.n; i++) {
        if (len > 100) strbuf_append(g, i ? "\n    | " : "\n      ");
        else strbuf_append(g, i ? " | " : " ");
        strbuf_append(g, alts->l.v[i]);
    }
    strbuf_append(g, ";\n");
    alts_free(alts);
    return 1;
}

/* ---- numbers ---- */

/* <num_many> (two and up: "two", "twenty one", "a hundred", "eighteen
 * thousand", "two hundred and five thousand and twelve") and <count> (the
 * same and "one"): the forms lex_number() reads, built from the same word
 * tables. */
static void number_rules(strbuf_t *g)
{
    alts_t a = {0};
    char buf[128];
    for (int i = 1; i <= 9; i++) add(&a, lex_units[i]);
    rule(g, "u1_9", &a);
    for (int i = 2; i <= 9; i++) add(&a, lex_tens[i]);
    rule(g, "tens", &a);
    for (int i = 1; i <= 19; i++) add(&a, lex_units[i]);
    add(&a, "<tens> [<u1_9>]");
    rule(g, "n1_99", &a);
    for (int i = 2; i <= 19; i++) add(&a, lex_units[i]);
    add(&a, "<tens> [<u1_9>]");
    rule(g, "n2_99", &a);
    add(&a, "(a | <u1_9>) hundred [[and] <n1_99>]");
    rule(g, "hundreds", &a);
    add(&a, "<n1_99>");
    add(&a, "<hundreds>");
    rule(g, "below_thousand", &a);
    add(&a, "<n2_99>");
    add(&a, "<hundreds>");
    add(&a, "(a | <below_thousand>) thousand [[and] <below_thousand>]");
    rule(g, "num_many", &a);
    snprintf(buf, sizeof buf, "%s | <num_many>", lex_units[1]);
    add(&a, buf);
    rule(g, "count", &a);
}

/* ---- groups of alike items ---- */

typedef struct {
    char *key;        /* sizes, options and choices, as text */
    int *items;
    int nitems;
} group_t;

static int int_cmp(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

/* What decides which phrases may go with an item: the sizes it is sold in,
 * the options it takes, the items it lets the customer choose. */
static char *group_key(const menu_t *m, int i)
{
    const menu_item_t *it = &m->items[i];
    strbuf_t k = {0};
    strbuf_append(&k, "s");
    for (int s = 0; s < m->nsizes; s++)
        if (menu_item_has_size(m, i, s)) strbuf_printf(&k, " %d", s);
    strbuf_append(&k, " o");
    int *v = xmalloc(sizeof(int) * (size_t)(it->noptions + 1));
    for (int o = 0; o < it->noptions; o++) v[o] = it->options[o];
    qsort(v, (size_t)it->noptions, sizeof *v, int_cmp);
    for (int o = 0; o < it->noptions; o++)
        if (o == 0 || v[o] != v[o - 1]) strbuf_printf(&k, " %d", v[o]);
    free(v);
    int nc = 0;
    for (int c = 0; c < it->nchoose; c++) nc += it->choose[c].nitems;
    v = xmalloc(sizeof(int) * (size_t)(nc + 1));
    nc = 0;
    for (int c = 0; c < it->nchoose; c++)
        for (int j = 0; j < it->choose[c].nitems; j++) v[nc++] = it->choose[c].items[j];
    qsort(v, (size_t)nc, sizeof *v, int_cmp);
    strbuf_printf(&k, " c%d", it->nchoose);   /* how many "with CHOICE" it takes */
    for (int c = 0; c < nc; c++)
        if (c == 0 || v[c] != v[c - 1]) strbuf_printf(&k, " %d", v[c]);
    free(v);
    return strbuf_steal(&k);
}

static group_t *make_groups(const menu_t *m, int *ngroups)
{
    group_t *gs = xcalloc((size_t)(m->nitems ? m->nitems : 1), sizeof *gs);
    int n = 0;
    strmap_t ix = {0};   /* key -> group */
    for (int i = 0; i < m->nitems; i++) {
        char *key = group_key(m, i);
        int k = strmap_get(&ix, key);
        if (k < 0) {
            k = n++;
            gs[k].key = key;
            strmap_add(&ix, key, k);
        } else {
            free(key);
        }
        int ni = gs[k].nitems;
        if ((ni & (ni - 1)) == 0)   /* 0, 1, 2, 4...: doubled */
            gs[k].items = xrealloc(gs[k].items, sizeof(int) * (size_t)(ni ? 2 * ni : 1));
        gs[k].items[gs[k].nitems++] = i;
    }
    strmap_free(&ix);
    *ngroups = n;
    return gs;
}

static void free_groups(group_t *gs, int n)
{
    for (int k = 0; k < n; k++) {
        free(gs[k].key);
        free(gs[k].items);
    }
    free(gs);
}

/* An item's spoken forms, singular or plural (menu_plural). */
static void add_item_names(alts_t *l, const menu_item_t *it, int plural)
{
    for (int j = 0; j < it->say.n; j++) {
        if (!plural) {
            add_phrase(l, it->say.v[j]);
            continue;
        }
        char *p = menu_plural(it->say.v[j]);
        if (p) add_phrase(l, p);
        free(p);
    }
}

/* The item names in a comment, for whoever reads `kiosk menu grammar`. */
static void group_comment(strbuf_t *g, const menu_t *m, const group_t *gr, int k)
{
    strbuf_printf(g, "\n// group %d:", k);
    for (int i = 0; i < gr->nitems; i++) {
        strbuf_append(g, i ? ", " : " ");
        for (const char *c = m->items[gr->items[i]].name; c && *c; c++)
            strbuf_appendn(g, (unsigned char)*c < ' ' ? " " : c, 1);
    }
    strbuf_append(g, "\n");
}

/* Rules of group k: <gK_one> and <gK_many> (the noun phrases of an order)
 * and <gK_one_short>, <gK_many_short> (size and name only, for "make it a
 * large sprite").  Returns 0 when the group has no name that can be said
 * (then none of them exists). */
/* The phrases of one amount: the menu's, or the spec's defaults. */
static void amount_phrases(const menu_t *m, amount_t k, alts_t *l)
{
    if (m->amounts[k].n > 0) add_phrases(l, &m->amounts[k]);
    else add_table(l, lex_default_amounts[k]);
}

/* Which of the amount rules exist (menu_grammar writes them). */
typedef struct {
    int no;          /* <amount_no>: "no", "without" */
    int no_with;     /* <amount_no_with>: the same said after "with" ("with no salt") */
    int more;        /* <amount_more>: light, normal and extra ("a bit of", "some", "lots of") */
    int extra;       /* <amount_extra>: "extra" */
} amounts_t;

static int group_rules(strbuf_t *g, const menu_t *m, const group_t *gr, int k, const amounts_t *am,
                       int *have_many)
{
    const menu_item_t *first = &m->items[gr->items[0]];
    alts_t a = {0};
    char name[64], buf[512];
    const char *more = am->more ? "[<amount_more>] " : "";
    const char *extra = am->extra ? "[<amount_extra>] " : "";

    group_comment(g, m, gr, k);
    /* the sizes, options and choices (alike for every item of the group) */
    for (int s = 0; s < m->nsizes; s++)
        if (menu_item_has_size(m, gr->items[0], s)) add_phrases(&a, &m->sizes[s].say);
    snprintf(name, sizeof name, "g%d_size", k);
    int has_size = rule(g, name, &a);
    for (int o = 0; o < first->noptions; o++)
        if (first->options[o] >= 0 && first->options[o] < m->noptions)
            add_option(&a, &m->options[first->options[o]]);
    snprintf(name, sizeof name, "g%d_opt", k);
    int has_opt = rule(g, name, &a);
    int has_choice = 0;
    for (int plural = 0; plural <= 1; plural++) {
        for (int c = 0; c < first->nchoose; c++)
            for (int j = 0; j < first->choose[c].nitems; j++) {
                int ci = first->choose[c].items[j];
                if (ci >= 0 && ci < m->nitems) add_item_names(&a, &m->items[ci], plural);
            }
        snprintf(name, sizeof name, "g%d_choice_%s", k, plural ? "many" : "one");
        has_choice |= rule(g, name, &a) << plural;
    }

    /* what can be taken off: the defaults of the group's items ("no onions"
     * for a burger that has them); "without almond milk" on a coffee that has
     * none changes nothing, and the phrase only stood to be misheard for "with
     * almond milk" */
    for (int i = 0; i < gr->nitems; i++) {
        const menu_item_t *it = &m->items[gr->items[i]];
        for (int d = 0; d < it->ndefaults; d++)
            if (it->defaults[d] >= 0 && it->defaults[d] < m->noptions)
                add_option(&a, &m->options[it->defaults[d]]);
    }
    snprintf(name, sizeof name, "g%d_def", k);
    int has_def = has_opt && rule(g, name, &a);

    /* options before the item, bare or "extra" ("a bacon cheeseburger", "an
     * extra cheese burger"; not "a lot of" or "no", which before an item only
     * ever stood for a misheard word).  The repeating part is a rule of its
     * own that starts after the first option: see "Right recursion" at the
     * top. */
    if (has_opt) {
        snprintf(buf, sizeof buf, "%s<g%d_opt> [<g%d_pre_more>]", extra, k, k);
        add(&a, buf);
        snprintf(name, sizeof name, "g%d_pre", k);
        rule(g, name, &a);
        snprintf(buf, sizeof buf, "%s<g%d_opt> [<g%d_pre_more>]", extra, k, k);
        add(&a, buf);
        snprintf(name, sizeof name, "g%d_pre_more", k);
        rule(g, name, &a);
    }
    /* size and options before the item in any order, the size once: "a dark
     * roast large latte", "a double shot twelve ounce cappuccino" */
    if (has_size && has_opt) {
        snprintf(buf, sizeof buf, "<g%d_size> [<g%d_pre>]", k, k);
        add(&a, buf);
        snprintf(buf, sizeof buf, "<g%d_pre> [<g%d_size> [<g%d_pre>]]", k, k, k);
        add(&a, buf);
    } else if (has_size) {
        snprintf(buf, sizeof buf, "<g%d_size>", k);
        add(&a, buf);
    } else if (has_opt) {
        snprintf(buf, sizeof buf, "<g%d_pre>", k);
        add(&a, buf);
    }
    snprintf(name, sizeof name, "g%d_mods", k);
    int has_mods = rule(g, name, &a);
    /* options after it, as the parser reads them: the first with "with", "no"
     * or "extra" ("with a bit of cream", "no onions", "extra cheese"), the
     * next ones also after "and" ("with a lot of sugar and a bit of cream",
     * "with milk and with sugar") */
    if (has_opt) {
        snprintf(buf, sizeof buf, "with %s<g%d_opt>", more, k);
        add(&a, buf);
        if (has_def && am->no_with) {
            snprintf(buf, sizeof buf, "with <amount_no_with> <g%d_def>", k);
            add(&a, buf);
        }
        if (has_def && am->no) {
            snprintf(buf, sizeof buf, "<amount_no> <g%d_def>", k);
            add(&a, buf);
        }
        if (am->extra) {
            snprintf(buf, sizeof buf, "<amount_extra> <g%d_opt>", k);
            add(&a, buf);
        }
        snprintf(name, sizeof name, "g%d_opt_clause", k);
        rule(g, name, &a);
        snprintf(buf, sizeof buf, "<g%d_opt_clause> [<g%d_opt_more>]", k, k);
        add(&a, buf);
        snprintf(buf, sizeof buf, "and [with] %s<g%d_opt> [<g%d_opt_more>]", more, k, k);
        add(&a, buf);
        if (has_def && am->no) {
            snprintf(buf, sizeof buf, "and <amount_no> <g%d_def> [<g%d_opt_more>]", k, k);
            add(&a, buf);
        }
        snprintf(name, sizeof name, "g%d_opt_more", k);
        rule(g, name, &a);
    }
    /* a combo's choices: "with a sprite", once per choose: entry (one more
     * "with" is refused by the parser, as "and a sprite" is a new line) */
    if (has_choice) {
        strbuf_t e = {0};
        strbuf_append(&e, "with (");
        if (has_choice & 1) strbuf_printf(&e, "[a | an | one] <g%d_choice_one>", k);
        if (has_choice == 3) strbuf_append(&e, " | ");
        if (has_choice & 2) strbuf_printf(&e, "<g%d_choice_many>", k);
        strbuf_append(&e, ")");
        add_owned(&a, strbuf_steal(&e));
        snprintf(name, sizeof name, "g%d_choice_clause", k);
        rule(g, name, &a);
        int nchoose = first->nchoose > 0 ? first->nchoose : 1;
        for (int c = 0; c < nchoose; c++)
            strbuf_printf(&e, "%s<g%d_choice_clause>", c ? " [" : "", k);
        for (int c = 1; c < nchoose; c++) strbuf_append(&e, "]");
        add_owned(&a, strbuf_steal(&e));
        snprintf(name, sizeof name, "g%d_choices", k);
        rule(g, name, &a);
    }
    int has_post = has_opt || has_choice;
    if (has_choice && has_opt) {
        snprintf(buf, sizeof buf, "<g%d_choices> [<g%d_opt_clause> [<g%d_opt_more>]]", k, k, k);
        add(&a, buf);
    } else if (has_choice) {
        snprintf(buf, sizeof buf, "<g%d_choices>", k);
        add(&a, buf);
    }
    if (has_opt) {
        snprintf(buf, sizeof buf, "<g%d_opt_clause> [<g%d_opt_more>]", k, k);
        add(&a, buf);
    }
    if (has_post) {
        snprintf(name, sizeof name, "g%d_post", k);
        rule(g, name, &a);
    }

    /* the names, and the noun phrases */
    int said = 0;
    *have_many = 0;
    for (int plural = 0; plural <= 1; plural++) {
        const char *num = plural ? "many" : "one";
        for (int i = 0; i < gr->nitems; i++) add_item_names(&a, &m->items[gr->items[i]], plural);
        snprintf(name, sizeof name, "g%d_%s_name", k, num);
        if (!rule(g, name, &a)) continue;
        strbuf_t e = {0};
        if (has_mods) strbuf_printf(&e, "[<g%d_mods>] ", k);
        strbuf_printf(&e, "<%s>", name);
        if (has_post) strbuf_printf(&e, " [<g%d_post>]", k);
        add_owned(&a, strbuf_steal(&e));
        snprintf(buf, sizeof buf, "g%d_%s", k, num);
        rule(g, buf, &a);
        if (has_size) strbuf_printf(&e, "[<g%d_size>] ", k);
        strbuf_printf(&e, "<%s>", name);
        add_owned(&a, strbuf_steal(&e));
        snprintf(buf, sizeof buf, "g%d_%s_short", k, num);
        rule(g, buf, &a);
        said = 1;
        if (plural) *have_many = 1;
    }
    return said;
}

/* <human> (the menu's human: phrases and the built-ins) and <human_lead>
 * ("i want to talk to", and the carriers: "can i get a manager" is as likely
 * as "i want to talk to a manager"), the same in the menu's grammar and in
 * every answer grammar.  Returns whether <human> was written. */
static int human_rules(strbuf_t *g, const menu_t *m, int *has_lead)
{
    alts_t a = {0};
    add_phrases(&a, &m->human);
    add_table(&a, lex_human);
    int has_human = rule(g, "human", &a);
    add_table(&a, lex_human_lead);
    add_phrases(&a, &m->carriers);
    add_table(&a, lex_carriers);
    *has_lead = rule(g, "human_lead", &a);
    return has_human;
}

/* ---- the whole grammar ---- */

/* single: a turn of one piece at most (menu_one_grammar) */
static char *grammar_text(const menu_t *m, int single)
{
    strbuf_t g = {0};
    alts_t a = {0}, one = {0}, many = {0};
    char buf[256];

    strbuf_append(&g, "#JSGF V1.0;\n\ngrammar kiosk;\n\n");
    strbuf_append(&g, "// What a customer can say: see ../shared/spec/menu-format.md.\n"
                      "// Generated from the menu; edit the menu, not this.\n\n");

    /* built-in phrases and the menu's own */
    add_table(&a, lex_politeness);
    int has_polite = rule(&g, "polite", &a);
    add_phrases(&a, &m->carriers);
    add_table(&a, lex_carriers);
    int has_carrier = rule(&g, "carrier", &a);
    int has_lead = 0;
    int has_human = human_rules(&g, m, &has_lead);
    add_table(&a, lex_closing);
    int has_closing = rule(&g, "closing", &a);
    add_table(&a, lex_yes);
    int has_yes = rule(&g, "yes", &a);
    add_table(&a, lex_no);
    int has_no = rule(&g, "no", &a);
    /* the amounts (a menu without amounts: the spec's defaults, as the
     * parser reads them), by what they may go with */
    amounts_t am;
    alts_t no = {0};
    amount_phrases(m, AMOUNT_NO, &no);
    for (int i = 0; i < no.l.n; i++) add(&a, no.l.v[i]);
    am.no = rule(&g, "amount_no", &a);
    for (int i = 0; i < no.l.n; i++)
        if (strncmp(no.l.v[i], "with", 4) != 0) add(&a, no.l.v[i]);
    am.no_with = rule(&g, "amount_no_with", &a);
    alts_free(&no);
    amount_phrases(m, AMOUNT_LIGHT, &a);
    amount_phrases(m, AMOUNT_NORMAL, &a);
    amount_phrases(m, AMOUNT_EXTRA, &a);
    am.more = rule(&g, "amount_more", &a);
    /* "extra" (one word) may also stand without "with" ("an extra cheese
     * burger", "a burger extra cheese"); "a lot of" may not */
    alts_t ex = {0};
    amount_phrases(m, AMOUNT_EXTRA, &ex);
    for (int i = 0; i < ex.l.n; i++)
        if (!strchr(ex.l.v[i], ' ')) add(&a, ex.l.v[i]);
    alts_free(&ex);
    am.extra = rule(&g, "amount_extra", &a);
    for (int s = 0; s < m->nsizes; s++) add_phrases(&a, &m->sizes[s].say);
    int has_size = rule(&g, "size", &a);
    strbuf_append(&g, "\n");
    number_rules(&g);

    /* the items, group by group */
    int ngroups = 0;
    group_t *gs = make_groups(m, &ngroups);
    alts_t one_short = {0}, many_short = {0};
    for (int k = 0; k < ngroups; k++) {
        int have_many = 0;
        if (!group_rules(&g, m, &gs[k], k, &am, &have_many)) continue;
        snprintf(buf, sizeof buf, "<g%d_one>", k);
        add(&one, buf);
        snprintf(buf, sizeof buf, "<g%d_one_short>", k);
        add(&one_short, buf);
        if (have_many) {
            snprintf(buf, sizeof buf, "<g%d_many>", k);
            add(&many, buf);
            snprintf(buf, sizeof buf, "<g%d_many_short>", k);
            add(&many_short, buf);
        }
    }
    free_groups(gs, ngroups);
    strbuf_append(&g, "\n");
    int has_one = rule(&g, "one", &one);
    int has_many = rule(&g, "many", &many);
    int has_one_short = rule(&g, "one_short", &one_short);
    int has_many_short = rule(&g, "many_short", &many_short);
    if (has_one) add(&a, "[a | an | one] <one>");
    /* a plural needs its number: "cokes" alone would let the search drop an
     * unclear "two" or "ten" and still take the line, with the wrong count */
    if (has_many) add(&a, "<num_many> <many>");
    int has_line = rule(&g, "line", &a);

    /* every item name, for changes ("remove the fries", "make the coke ...") */
    for (int i = 0; i < m->nitems; i++) {
        add_item_names(&a, &m->items[i], 0);
        add_item_names(&a, &m->items[i], 1);
    }
    int has_name = rule(&g, "name", &a);

    /* an order: items one after another, joined by "and" or nothing */
    strbuf_append(&g, "\n");
    if (has_line)
        add(&a, has_carrier ? "[<carrier>] <line>" : "<line>");
    /* the menu's human: phrases come without an article ("crew member") but
     * are said with one ("can i get a crew member").  Inside an order a
     * request for a person must come with its lead ("... and i want to talk
     * to a person"): a bare "help" or "manager" allowed between items is
     * what the search reaches for when a word is unclear, and paged the crew
     * for nothing.  Said alone, the bare phrase is fine (<body> below), and so
     * it is last, after the items (<order>: "a bagel with butter help" was
     * heard as "... ten mochas" and paged quantity_limit, not human_request).
     * It goes inside <order>'s one reference to <order_items>: a second
     * reference ("[<yes>] <order_items> <human>" as an alternative of its
     * own) copies the whole order into the grammar, and the kiosk took 29 MB
     * more and searched 22 % slower; this way 5 MB and no slower. */
    if (has_human && has_lead) add(&a, "<human_lead> [a | an | the] <human>");
    int has_piece = rule(&g, "piece", &a);
    if (has_piece) {
        snprintf(buf, sizeof buf, "[and] <piece>%s%s", has_polite ? " [<polite>]" : "",
                 single ? "" : " [<order_items>]");
        add(&a, buf);
        rule(&g, "order_items", &a);
        /* [<yes>] (always there: lex_yes is built in) also gives <order_items>
         * a state of its own to loop back to: see "Right recursion" */
        /* what may end the order; with one piece only, a request for a
         * person with its lead too ("a latte and let me talk to a person") */
        alts_t end = {0};
        if (has_closing) add(&end, "[and] <closing>");
        if (has_human) add(&end, "<human>");
        if (has_human && has_lead && single) add(&end, "[and] <human_lead> [a | an | the] <human>");
        strbuf_t tail = {0};
        for (int i = 0; i < end.l.n; i++) strbuf_printf(&tail, "%s%s", i ? " | " : " [", end.l.v[i]);
        if (end.l.n) strbuf_append(&tail, "]");
        alts_free(&end);
        snprintf(buf, sizeof buf, "%s<order_items>%s", has_yes ? "[<yes>] " : "", strbuf_cstr(&tail));
        strbuf_free(&tail);
        add(&a, buf);
        rule(&g, "order", &a);
    }

    /* changes: "make that two [large] [cokes]", "make it a large [sprite]",
     * "make the coke a sprite", "remove the fries", "no fries" */
    add(&a, has_size ? "<count> [<size>]" : "<count>");
    if (has_size) add(&a, "[a | an] <size>");
    if (has_one_short) add(&a, "[a | an | one] <one_short>");
    rule(&g, "new", &a);
    add(&a, "that");
    add(&a, "it");
    add(&a, "them");
    if (has_name) add(&a, "the <name>");
    rule(&g, "target", &a);
    add(&a, "make <target> <new>");
    /* a count with the item: only of the line meant ("make that two cokes") */
    if (has_many_short) add(&a, "make (that | it | them) <num_many> <many_short>");
    if (has_name) add(&a, "(remove | take off | cancel | no) [the] <name>");
    add(&a, "remove (that | it)");
    add(&a, "cancel (that | it)");
    add(&a, "start (over | again)");
    rule(&g, "change_what", &a);
    add(&a, "[no] [actually] <change_what>");
    rule(&g, "change", &a);

    /* the turn */
    strbuf_append(&g, "\n");
    if (has_piece) add(&a, "<order>");
    if (has_human)
        add(&a, has_lead ? "[<human_lead>] [a | an | the] <human>" : "[a | an | the] <human>");
    add(&a, "<change>");
    if (has_closing) add(&a, "<closing>");
    if (has_yes) add(&a, "<yes>");
    if (has_no) add(&a, "<no>");
    if (has_size) add(&a, "[a | an] <size>");
    rule(&g, "body", &a);
    strbuf_append(&g, has_polite ? "public <turn> = [<polite>] <body> [<polite>];\n"
                                 : "public <turn> = <body>;\n");
    return strbuf_steal(&g);
}

char *menu_grammar(const menu_t *m)
{
    return grammar_text(m, 0);
}

char *menu_one_grammar(const menu_t *m)
{
    return grammar_text(m, 1);
}

/* ---- the answer to a question (menu_answer_grammar) ---- */

/* Small on purpose: searched first after a question, so that "large" or
 * "sprite" is not lost among the whole menu's sentences; anything else the
 * customer may say (a correction, a new order) is the menu grammar's, which
 * is searched too (asr.c, "The answer first"). */
char *menu_answer_grammar(const menu_t *m, const menu_ask_t *q)
{
    if (!q || q->kind == MENU_ASK_NONE) return NULL;
    strbuf_t g = {0};
    alts_t a = {0};
    int has_answer = 0;
    strbuf_append(&g, "#JSGF V1.0;\n\ngrammar answer;\n\n");
    if (q->kind == MENU_ASK_SIZE) {
        if (q->item < 0 || q->item >= m->nitems) goto none;
        for (int s = 0; s < m->nsizes; s++)
            if (menu_item_has_size(m, q->item, s)) add_phrases(&a, &m->sizes[s].say);
        if (rule(&g, "a_size", &a)) {
            add(&a, "[a | an] <a_size>");
            add(&a, "make it [a | an] <a_size>");
            has_answer = rule(&g, "reply", &a);
        }
    } else if (q->kind == MENU_ASK_CHOICE) {
        if (q->item < 0 || q->item >= m->nitems) goto none;
        const menu_item_t *it = &m->items[q->item];
        if (q->choice < 0 || q->choice >= it->nchoose) goto none;
        const menu_choice_t *c = &it->choose[q->choice];
        for (int j = 0; j < c->nitems; j++)
            if (c->items[j] >= 0 && c->items[j] < m->nitems)
                add_item_names(&a, &m->items[c->items[j]], 0);
        if (rule(&g, "a_choice", &a)) {
            add(&a, "[a | an | one] <a_choice>");
            has_answer = rule(&g, "reply", &a);
        }
    } else {
        add_table(&a, lex_yes);
        add_table(&a, lex_no);
        has_answer = rule(&g, "reply", &a);
    }
    if (!has_answer) goto none;
    add_table(&a, lex_politeness);
    int has_polite = rule(&g, "polite", &a);
    int has_lead = 0;
    int has_human = human_rules(&g, m, &has_lead);
    add(&a, "<reply>");
    if (has_human)
        add(&a, has_lead ? "[<human_lead>] [a | an | the] <human>" : "[a | an | the] <human>");
    rule(&g, "body", &a);
    strbuf_append(&g, has_polite ? "public <answer> = [<polite>] <body> [<polite>];\n"
                                 : "public <answer> = <body>;\n");
    return strbuf_steal(&g);
none:
    alts_free(&a);
    strbuf_free(&g);
    return NULL;
}
