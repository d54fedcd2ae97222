/* test_agreement.c: the grammar and the parser agree.  Random sentences are
 * walked through each sample menu's compiled grammar (menu_grammar, built by
 * sphinxbase into an FSG and made deterministic by fsgmin.c, as the
 * recogniser does); every one must parse (order_parse), and the parse must
 * say what its words say: each item the words name is in an action, and no
 * action names an item the words do not. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sphinxbase/jsgf.h>
#include <sphinxbase/logmath.h>

#include "../../src/menu/lexicon.h"
#include "../../src/menu/menu.h"
#include "../../src/order/order.h"
#include "../../src/speech/fsgmin.h"

#define SENTENCES 3000
#define MAX_WORDS 60

static unsigned long long rng = 88172645463325252ULL;
static unsigned next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (unsigned)(rng >> 11);
}

/* One random sentence of f (deterministic: one arc per word, null arcs only
 * into the final state); 0, or -1 for a walk that ran past MAX_WORDS. */
static int walk(fsg_model_t *f, strbuf_t *out)
{
    strbuf_reset(out);
    int state = fsg_model_start_state(f), words = 0;
    while (state != fsg_model_final_state(f) || words == 0) {
        fsg_link_t *arcs[4096];
        int n = 0;
        for (fsg_arciter_t *it = fsg_model_arcs(f, state); it; it = fsg_arciter_next(it))
            if (n < 4096) arcs[n++] = fsg_arciter_get(it);
        if (state == fsg_model_final_state(f) && (n == 0 || next_rand() % 2 == 0)) break;
        if (n == 0) fail_msg("state %d: no way on after \"%s\"", state, strbuf_cstr(out));
        fsg_link_t *a = arcs[next_rand() % (unsigned)n];
        if (fsg_link_wid(a) >= 0) {
            const char *w = fsg_model_word_str(f, fsg_link_wid(a));
            if (*w != '<' && *w != '+') {   /* not a silence or filler */
                strbuf_printf(out, "%s%s", out->len ? " " : "", w);
                if (++words > MAX_WORDS) return -1;
            }
        }
        state = fsg_link_to_state(a);
    }
    return 0;
}

/* Marks in named[] the items whose phrases (or their plurals) are in the
 * words, longest first, left to right. */
static void items_named(const menu_t *m, const char *sentence, int *named)
{
    strlist_t w = {0};
    split_words(sentence, &w);
    for (int i = 0; i < w.n;) {
        int best_len = 0, best_item = -1;
        for (int it = 0; it < m->nitems; it++)
            for (int p = 0; p < m->items[it].say.n; p++)
                for (int plural = 0; plural < 2; plural++) {
                    char *ph = plural ? menu_plural(m->items[it].say.v[p]) : xstrdup(m->items[it].say.v[p]);
                    strlist_t pw = {0};
                    split_words(ph, &pw);
                    int ok = pw.n > best_len && i + pw.n <= w.n;
                    for (int k = 0; ok && k < pw.n; k++) ok = !strcmp(pw.v[k], w.v[i + k]);
                    if (ok) {
                        best_len = pw.n;
                        best_item = it;
                    }
                    strlist_free(&pw);
                    free(ph);
                }
        if (best_item >= 0) {
            named[best_item] = 1;
            i += best_len;
        } else {
            i++;
        }
    }
    strlist_free(&w);
}

/* 1 when words [i, i + n) are the phrase ph. */
static int at(const strlist_t *w, int i, const char *ph)
{
    strlist_t pw = {0};
    split_words(ph, &pw);
    int ok = pw.n > 0 && i + pw.n <= w->n;
    for (int k = 0; ok && k < pw.n; k++) ok = !strcmp(pw.v[k], w->v[i + k]);
    int n = ok ? pw.n : 0;
    strlist_free(&pw);
    return n;
}

static int at_any(const strlist_t *w, int i, const char *const *list)
{
    int best = 0;
    for (int k = 0; list[k]; k++) {
        int n = at(w, i, list[k]);
        if (n > best) best = n;
    }
    return best;
}

/* Two items said one straight after the other, with nothing that can start
 * a new line between them ("three cheeseburgers fish sandwich", "fries
 * onions big stack"): the grammar has them (a pause between items is often
 * all there is), the parser refuses them on purpose (parse.c: over noise
 * that is an added word far more often than an order). */
static int juxtaposed(const menu_t *m, const char *sentence)
{
    static const char *const seps[] = { "and", "a", "an", "with", "the", "hundred", "thousand", NULL };
    strlist_t w = {0};
    split_words(sentence, &w);
    int *sep = xcalloc((size_t)w.n + 1, sizeof *sep);
    for (int i = 0; i < w.n; i++) {
        const char *const *lists[] = { seps, lex_carriers, lex_closing, lex_yes, lex_no, lex_politeness,
                                       lex_fillers, lex_human_lead };
        int n = 0;
        for (int u = 1; u < 20; u++) n |= at(&w, i, lex_units[u]);   /* numbers (not NULL-ended) */
        for (int t = 2; t < 10; t++) n |= at(&w, i, lex_tens[t]);
        for (size_t l = 0; l < sizeof lists / sizeof lists[0]; l++) {
            int k = at_any(&w, i, lists[l]);
            if (k > n) n = k;
        }
        for (int c = 0; c < m->carriers.n; c++) {
            int k = at(&w, i, m->carriers.v[c]);
            if (k > n) n = k;
        }
        for (int k = 0; k < n; k++) sep[i + k] = 1;
    }
    /* "an extra shot" is an option, not an article and an option */
    for (int i = 0; i < w.n; i++)
        for (int o = 0; o < m->noptions; o++)
            for (int p = 0; p < m->options[o].say.n; p++) {
                int n = at(&w, i, m->options[o].say.v[p]);
                for (int k = 0; k < n; k++) sep[i + k] = 0;
            }
    int last_end = -1, found = 0;
    for (int i = 0; i < w.n && !found;) {
        int best = 0;
        for (int it = 0; it < m->nitems; it++)
            for (int p = 0; p < m->items[it].say.n; p++) {
                char *pl = menu_plural(m->items[it].say.v[p]);
                int a = at(&w, i, m->items[it].say.v[p]), b = at(&w, i, pl);
                free(pl);
                if (a > best) best = a;
                if (b > best) best = b;
            }
        if (!best) {
            i++;
            continue;
        }
        if (last_end >= 0) {
            int between = 0;
            for (int k = last_end; k < i; k++) between |= sep[k];
            if (!between) found = 1;
        }
        last_end = i + best;
        i += best;
    }
    free(sep);
    strlist_free(&w);
    return found;
}

/* The longest item phrase (or plural) at word i: its length, 0 none. */
static int item_at(const menu_t *m, const strlist_t *w, int i)
{
    int best = 0;
    for (int it = 0; it < m->nitems; it++)
        for (int p = 0; p < m->items[it].say.n; p++) {
            char *pl = menu_plural(m->items[it].say.v[p]);
            int a = at(w, i, m->items[it].say.v[p]), b = at(w, i, pl);
            free(pl);
            if (a > best) best = a;
            if (b > best) best = b;
        }
    return best;
}

/* One option said twice with no item between ("special sauce special sauce
 * big stack", "cream cream coffee"): the grammar repeats options freely, the
 * parser refuses the turn on purpose (parse.c: a word the search repeated). */
static int option_twice(const menu_t *m, const char *sentence)
{
    strlist_t w = {0};
    split_words(sentence, &w);
    int *seen = xcalloc((size_t)m->noptions + 1, sizeof *seen);
    int found = 0;
    for (int i = 0; i < w.n && !found;) {
        int n = item_at(m, &w, i);
        if (n) {
            memset(seen, 0, (size_t)m->noptions * sizeof *seen);
            i += n;
            continue;
        }
        int best = 0, opt = -1;
        for (int o = 0; o < m->noptions; o++)
            for (int p = 0; p < m->options[o].say.n; p++) {
                char *pl = menu_plural(m->options[o].say.v[p]);
                int a = at(&w, i, m->options[o].say.v[p]), b = at(&w, i, pl);
                free(pl);
                if (a > best || b > best) {
                    best = a > b ? a : b;
                    opt = o;
                }
            }
        if (opt >= 0 && seen[opt]++) found = 1;
        i += best ? best : 1;
    }
    free(seen);
    strlist_free(&w);
    return found;
}

static void agree(const char *path)
{
    strlist_t errs = {0};
    menu_t *m = menu_load(path, &errs);
    if (!m) fail_msg("%s: %s", path, errs.n ? errs.v[0] : "?");
    char *jsgf = menu_grammar(m);
    logmath_t *lmath = logmath_init(1.0001, 0, 0);
    jsgf_t *j = jsgf_parse_string(jsgf, NULL);
    assert_non_null(j);
    jsgf_rule_t *rule = jsgf_get_public_rule(j);
    assert_non_null(rule);
    fsg_model_t *nfa = jsgf_build_fsg(j, rule, lmath, 1.0);
    assert_non_null(nfa);
    char err[256];
    fsg_model_t *f = fsg_minimize(nfa, err, sizeof err);
    if (!f) fail_msg("%s: %s", path, err);

    strbuf_t s = {0};
    int bad = 0, walked = 0, long_walks = 0, refused_juxtaposed = 0, refused_twice = 0;
    int *named = xcalloc((size_t)m->nitems, sizeof *named);
    int *acted = xcalloc((size_t)m->nitems, sizeof *acted);
    for (int t = 0; t < SENTENCES; t++) {
        if (walk(f, &s) < 0) {
            long_walks++;
            continue;
        }
        walked++;
        assert_true(fsg_accepts(f, strbuf_cstr(&s)));
        action_t acts[32];
        int n = order_parse(m, strbuf_cstr(&s), acts, 32);
        if (n <= 0 && juxtaposed(m, strbuf_cstr(&s))) {
            refused_juxtaposed++;
            continue;
        }
        if (n <= 0 && option_twice(m, strbuf_cstr(&s))) {
            refused_twice++;
            continue;
        }
        if (n <= 0) {
            if (bad++ < 40) fprintf(stderr, "%s: \"%s\": does not parse (%d)\n", path, strbuf_cstr(&s), n);
            continue;
        }
        memset(named, 0, (size_t)m->nitems * sizeof *named);
        memset(acted, 0, (size_t)m->nitems * sizeof *acted);
        items_named(m, strbuf_cstr(&s), named);
        int human = 0;
        for (int a = 0; a < n; a++) human |= acts[a].kind == ACT_HUMAN;
        if (human) continue;   /* a request for a person is all the kiosk acts on (dialog.c) */
        for (int a = 0; a < n; a++) {
            const action_t *x = &acts[a];
            if ((x->kind == ACT_ADD || x->kind == ACT_REPLACE) && x->item >= 0) acted[x->item] = 1;
            if ((x->kind == ACT_SET_QTY || x->kind == ACT_SET_SIZE || x->kind == ACT_REPLACE ||
                 x->kind == ACT_REMOVE) && x->target >= 0)
                acted[x->target] = 1;
            for (int c = 0; c < x->nchoices; c++)
                if (x->choices[c] >= 0) acted[x->choices[c]] = 1;
        }
        for (int it = 0; it < m->nitems; it++) {
            if (named[it] == acted[it]) continue;
            if (bad++ < 40)
                fprintf(stderr, "%s: \"%s\": %s is %s\n", path, strbuf_cstr(&s), m->items[it].name,
                        named[it] ? "said but in no action" : "in an action but not said");
            break;
        }
    }
    fprintf(stderr, "%s: %d sentences walked (%d walks too long), refused on purpose: %d with two items "
                    "side by side, %d with an option said twice; %d disagree\n", path, walked, long_walks,
            refused_juxtaposed, refused_twice, bad);
    assert_true(walked > SENTENCES / 2);
    free(named);
    free(acted);
    strbuf_free(&s);
    fsg_model_free(f);
    fsg_model_free(nfa);
    jsgf_grammar_free(j);
    logmath_free(lmath);
    free(jsgf);
    menu_free(m);
    strlist_free(&errs);
    if (bad) fail_msg("%s: %d sentences of the grammar the parser reads otherwise", path, bad);
}

static void test_burger(void **state)
{
    (void)state;
    agree("menus/burger.yaml");
}

static void test_coffee(void **state)
{
    (void)state;
    agree("menus/coffee.yaml");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_burger),
        cmocka_unit_test(test_coffee),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
