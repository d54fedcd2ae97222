/* test_grammar.c: the grammar a menu compiles to (src/menu/grammar.c).
 *
 * The grammar is checked the way the recogniser will read it: sphinxbase
 * parses the JSGF text and builds the finite-state grammar (FSG), and a small
 * acceptor walks that FSG word by word (null arcs included).  Tables of
 * sentences, one block per phrasing family of the spec's "What a customer
 * can say", must be accepted; off-menu and ill-formed ones must be refused.
 * Then pocketsphinx itself must take the menu's words and the grammar.
 *
 * Run from the repository root (the sample menus are read from menus/). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pocketsphinx.h>
#include <sphinxbase/err.h>
#include <sphinxbase/fsg_model.h>
#include <sphinxbase/jsgf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../src/menu/lexicon.h"
#include "../../src/menu/menu.h"
#include "../../src/order/order.h"
#include "../../src/speech/fsgmin.h"

/* ---- helpers ---- */

typedef struct {
    jsgf_t *jsgf;
    logmath_t *lmath;
    fsg_model_t *fsg;
} compiled_t;

/* Parses and builds the grammar text; fails the test when sphinxbase refuses it. */
static void compile(const char *grammar, compiled_t *c)
{
    c->jsgf = jsgf_parse_string(grammar, NULL);
    if (!c->jsgf) fail_msg("sphinxbase cannot parse the grammar:\n%s", grammar);
    jsgf_rule_t *rule = jsgf_get_rule(c->jsgf, "kiosk.turn");
    assert_non_null(rule);
    assert_true(jsgf_rule_public(rule));
    c->lmath = logmath_init(1.0001, 0, 0);
    c->fsg = jsgf_build_fsg(c->jsgf, rule, c->lmath, 1.0f);
    assert_non_null(c->fsg);
}

static void compiled_free(compiled_t *c)
{
    fsg_model_free(c->fsg);
    logmath_free(c->lmath);
    jsgf_grammar_free(c->jsgf);
}

/* Marks every state reachable from a marked one through null arcs. */
static void null_closure(fsg_model_t *f, char *in)
{
    int n = fsg_model_n_state(f);
    int changed = 1;
    while (changed) {
        changed = 0;
        for (int s = 0; s < n; s++) {
            if (!in[s]) continue;
            for (fsg_arciter_t *it = fsg_model_arcs(f, s); it; it = fsg_arciter_next(it)) {
                fsg_link_t *l = fsg_arciter_get(it);
                if (fsg_link_wid(l) < 0 && !in[fsg_link_to_state(l)]) {
                    in[fsg_link_to_state(l)] = 1;
                    changed = 1;
                }
            }
        }
    }
}

/* 1 when the FSG accepts the whole sentence. */
static int accepts(fsg_model_t *f, const char *sentence)
{
    int n = fsg_model_n_state(f);
    char *cur = xcalloc((size_t)n, 1), *next = xcalloc((size_t)n, 1);
    strlist_t w = {0};
    split_words(sentence, &w);
    cur[fsg_model_start_state(f)] = 1;
    null_closure(f, cur);
    int ok = 1;
    for (int i = 0; i < w.n && ok; i++) {
        int wid = fsg_model_word_id(f, w.v[i]);
        memset(next, 0, (size_t)n);
        ok = 0;
        for (int s = 0; s < n && wid >= 0; s++) {
            if (!cur[s]) continue;
            for (fsg_arciter_t *it = fsg_model_arcs(f, s); it; it = fsg_arciter_next(it)) {
                fsg_link_t *l = fsg_arciter_get(it);
                if (fsg_link_wid(l) == wid) {
                    next[fsg_link_to_state(l)] = 1;
                    ok = 1;
                }
            }
        }
        null_closure(f, next);
        char *t = cur;
        cur = next;
        next = t;
    }
    ok = ok && cur[fsg_model_final_state(f)];
    strlist_free(&w);
    free(cur);
    free(next);
    return ok;
}

static menu_t *load_menu(const char *path)
{
    strlist_t errs = {0};
    menu_t *m = menu_load(path, &errs);
    for (int i = 0; i < errs.n; i++) print_error("%s\n", errs.v[i]);
    strlist_free(&errs);
    assert_non_null(m);
    return m;
}

static menu_t *parse_menu(const char *yaml)
{
    strlist_t errs = {0};
    menu_t *m = menu_parse(yaml, strlen(yaml), "test.yaml", &errs);
    for (int i = 0; i < errs.n; i++) print_error("%s\n", errs.v[i]);
    strlist_free(&errs);
    assert_non_null(m);
    return m;
}

typedef struct {
    const char *sentence;
    int accept;
} row_t;

/* Checks every row; reports all the rows that fail, not just the first. */
static void check_rows(const menu_t *m, const row_t *rows, size_t n)
{
    char *g = menu_grammar(m);
    compiled_t c;
    compile(g, &c);
    int bad = 0;
    for (size_t i = 0; i < n; i++) {
        int got = accepts(c.fsg, rows[i].sentence);
        if (got != rows[i].accept) {
            print_error("%s: \"%s\" is %s\n", m->file, rows[i].sentence,
                        got ? "accepted but should not be" : "refused but should be accepted");
            bad++;
        }
    }
    compiled_free(&c);
    free(g);
    if (bad) fail_msg("%d sentence(s) wrong", bad);
}

#define ACCEPT(s) { s, 1 }
#define REFUSE(s) { s, 0 }
#define ROWS(r) r, sizeof r / sizeof r[0]

/* ---- coverage: the burger menu ---- */

static const row_t burger_rows[] = {
    /* [carrier] [qty] [size] [options] ITEM [with OPTIONS] [and ...] [please] */
    ACCEPT("can i get two cheeseburgers no onions and a large coke please"),
    ACCEPT("cheeseburger"),
    ACCEPT("a cheeseburger"),
    ACCEPT("one cheese burger"),
    ACCEPT("two cheeseburgers"),
    ACCEPT("a bacon cheeseburger"),
    ACCEPT("a bacon extra cheese cheeseburger no onion"),
    /* before the item an option is bare or "extra"; "no" goes after it */
    REFUSE("a bacon extra cheese no onion cheeseburger"),
    REFUSE("a lot of bacon cheeseburger"),
    /* only what comes on it can be taken off (fries come without ketchup) */
    REFUSE("a large fries no ketchup"),
    REFUSE("a hamburger with without pickles"),
    ACCEPT("a hamburger with no pickles"),
    /* fillers are left to the decoder's own silence and noise models: in the
     * grammar, "um" opened off-menu turns ("um bacon burger" for "a baconator") */
    REFUSE("um can i get a cheeseburger"),
    REFUSE("can i get uh cheeseburger"),
    ACCEPT("an extra cheese hamburger"),
    ACCEPT("a double cheeseburger with extra bacon and no pickles"),
    ACCEPT("a hamburger without pickles"),
    ACCEPT("a hamburger hold the onions"),
    ACCEPT("a cheeseburger with a lot of bacon and a bit of cheese"),
    ACCEPT("a cheeseburger with lettuce and tomato"),
    ACCEPT("a cheeseburger no onions no pickles"),
    ACCEPT("a large coffee with a lot of sugar and a bit of cream"),
    ACCEPT("i'd like a medium fries and a small sprite"),
    ACCEPT("a large fries a large coke"),
    ACCEPT("we want three cheeseburgers and two kids meals"),
    ACCEPT("can we get a big stack and a root beer"),
    ACCEPT("a chocolate milkshake"),
    ACCEPT("two strawberry milkshakes"),
    ACCEPT("a large iced tea with lemon"),
    ACCEPT("a coke no ice"),
    ACCEPT("an apple pie"),
    ACCEPT("can i get a coke please and a large fries thank you"),
    ACCEPT("and a large coke"),
    ACCEPT("yeah a large coke"),
    ACCEPT("a coke and that's all"),
    /* quantities up to and beyond max_quantity (10) */
    ACCEPT("ten hamburgers"),
    ACCEPT("eleven hamburgers"),
    ACCEPT("twenty one chicken nuggets"),
    ACCEPT("a hundred cheeseburgers"),
    ACCEPT("eighteen thousand waters"),
    ACCEPT("two hundred and five thousand and twelve waters"),
    /* combos: the choice after "with" */
    ACCEPT("a number one with a sprite"),
    ACCEPT("a number two meal with a diet coke"),
    ACCEPT("two number ones with a coke and a sprite"),
    ACCEPT("a kids meal with a milk"),
    ACCEPT("a number three with iced tea"),
    /* changes */
    ACCEPT("make that two"),
    ACCEPT("make it a large"),
    ACCEPT("actually make the coke a sprite"),
    ACCEPT("make the coke a sprite"),
    ACCEPT("make the fries large"),
    ACCEPT("make that two cokes"),
    ACCEPT("make that two cheeseburgers"),
    ACCEPT("make that two large"),
    ACCEPT("make it one"),
    ACCEPT("make it a large sprite"),
    ACCEPT("make them three"),
    ACCEPT("no make it a medium"),
    ACCEPT("remove the fries"),
    ACCEPT("remove the onion rings"),
    ACCEPT("no fries"),
    ACCEPT("take off the cheeseburger"),
    ACCEPT("remove that"),
    ACCEPT("cancel that"),
    ACCEPT("start over"),
    /* closings */
    ACCEPT("that's all"),
    ACCEPT("that's it"),
    ACCEPT("nothing else"),
    ACCEPT("no thanks"),
    ACCEPT("that's all thank you"),
    ACCEPT("thanks that's it"),
    /* answers */
    ACCEPT("yes"),
    ACCEPT("yeah"),
    ACCEPT("no"),
    ACCEPT("nope"),
    ACCEPT("large"),
    ACCEPT("a large"),
    ACCEPT("medium please"),
    ACCEPT("sprite"),
    ACCEPT("a sprite"),
    ACCEPT("diet coke please"),
    /* a person: alone or inside an order */
    ACCEPT("i want to talk to a manager"),
    ACCEPT("i want to speak to someone"),
    ACCEPT("can i get a crew member"),
    ACCEPT("real person"),
    ACCEPT("help"),
    ACCEPT("a cheeseburger and i want to talk to a manager"),
    ACCEPT("a cheeseburger with bacon help"),  /* a bare phrase, last */
    ACCEPT("two fries and a coke manager"),
    ACCEPT("team member please"),
    /* off the menu */
    REFUSE("do you sell tacos"),
    REFUSE("two tacos"),
    REFUSE("large cokes"),                 /* a plural needs its number */
    REFUSE("cheeseburgers and a coke"),
    REFUSE("a taco"),
    REFUSE("a cheeseburger and a taco"),
    /* not the menu's shape: the recogniser must not be able to hear these */
    REFUSE(""),
    REFUSE("please"),
    REFUSE("and"),
    REFUSE("eighteen thousand"),
    REFUSE("a large cheeseburger"),          /* not sold by size */
    REFUSE("a coke with bacon"),             /* not an option of a coke */
    REFUSE("a cheeseburgers"),               /* count and noun disagree */
    REFUSE("two cheeseburger"),
    REFUSE("one waters"),
    REFUSE("cheeseburger bacon"),            /* an option after the item needs with or an amount */
    REFUSE("with bacon"),
    REFUSE("no onions"),                     /* an option with no item */
    REFUSE("a cheeseburger and with cheese"),
    REFUSE("a cheeseburger help a coke"),    /* a bare phrase only last: between items it is */
    REFUSE("help a cheeseburger"),           /* what the search reaches for when a word is unclear */
    REFUSE("a cheeseburger help that's all"),
    REFUSE("a number one with a large coke"), /* a choice has no size */
    REFUSE("a number one with a cheeseburger"), /* not one of its choices */
    REFUSE("a hamburger with a sprite"),
    REFUSE("make that"),
    REFUSE("actually a sprite"),
    REFUSE("make it a large cheeseburger"),  /* sizes and counts in changes follow the item too */
    REFUSE("make that two large cheeseburgers"),
    REFUSE("make that two cheeseburger"),
    REFUSE("a number one with a coke with a sprite"), /* one choose: entry, one choice */
    /* options of one group must not leak into another (see grammar.c,
     * "Right recursion") */
    REFUSE("a lettuce cookie"),
    REFUSE("two bacon waters"),
    REFUSE("a bacon cheese sprite"),
    REFUSE("a coke make it a large"),
};

static void test_burger_coverage(void **state)
{
    (void)state;
    menu_t *m = load_menu("menus/burger.yaml");
    check_rows(m, ROWS(burger_rows));
    menu_free(m);
}

/* ---- coverage: the coffee menu (its own amounts, sizes and carriers) ---- */

static const row_t coffee_rows[] = {
    ACCEPT("a large dark roast latte with oat milk and a bit of caramel"),
    ACCEPT("a grande latte with a splash of vanilla syrup"),
    ACCEPT("a venti mocha with double whipped cream"),
    ACCEPT("a tall americano"),
    ACCEPT("two americanos"),
    ACCEPT("a mocha skip the whipped cream"),
    REFUSE("a cappuccino skip the sugar"),
    /* size and options before the item in any order, the size once */
    ACCEPT("a dark roast large latte"),
    ACCEPT("a large dark roast latte"),
    ACCEPT("an oat milk large dark roast latte"),
    REFUSE("a large dark roast large latte"),
    ACCEPT("a large latte with oat milk and with sugar"),
    ACCEPT("a large latte with a bit of oat milk and some sugar"),
    REFUSE("a large latte a bit of oat milk"),
    ACCEPT("an extra shot latte"),
    ACCEPT("a latte with an extra shot"),
    ACCEPT("i'll get a hot chocolate"),
    ACCEPT("could we get two chai lattes and a blueberry muffin"),
    ACCEPT("a bagel with cream cheese"),
    ACCEPT("a coffee and pastry with a muffin"),
    ACCEPT("a breakfast deal with a croissant"),
    ACCEPT("a banana bread"),
    ACCEPT("eight lattes"),
    ACCEPT("nine lattes"),
    ACCEPT("make it a venti"),
    ACCEPT("make the latte a mocha"),
    ACCEPT("grande"),
    ACCEPT("that's everything"),
    REFUSE("a large croissant"),
    REFUSE("a latte with bacon"),
    REFUSE("a pizza"),
    REFUSE("a large cheeseburger"),
};

static void test_coffee_coverage(void **state)
{
    (void)state;
    menu_t *m = load_menu("menus/coffee.yaml");
    check_rows(m, ROWS(coffee_rows));
    menu_free(m);
}

/* ---- numbers: every way lex_number_words writes one, and only those ---- */

static void test_numbers(void **state)
{
    (void)state;
    menu_t *m = load_menu("menus/burger.yaml");
    char *g = menu_grammar(m);
    compiled_t c;
    compile(g, &c);
    char buf[64], sentence[128];
    static const long big[] = { 1000, 1001, 2012, 18000, 99999, 100000, 123456, 999999 };
    for (long n = 1; n < 2000 + (long)(sizeof big / sizeof big[0]); n++) {
        long v = n < 2000 ? n : big[n - 2000];
        snprintf(sentence, sizeof sentence, "%s %s", lex_number_words(v, buf, sizeof buf),
                 v == 1 ? "water" : "waters");
        if (!accepts(c.fsg, sentence)) fail_msg("\"%s\" is refused", sentence);
        /* and the parser reads back the number the grammar let through */
        strlist_t w = {0};
        split_words(buf, &w);
        long back = 0;
        assert_int_equal(lex_number((const char *const *)w.v, w.n, &back), w.n);
        assert_int_equal(back, v);
        strlist_free(&w);
    }
    assert_true(accepts(c.fsg, "a thousand waters"));
    assert_true(accepts(c.fsg, "a hundred and one waters"));
    assert_false(accepts(c.fsg, "hundred waters"));
    assert_false(accepts(c.fsg, "thousand waters"));
    assert_false(accepts(c.fsg, "twenty twenty waters"));
    compiled_free(&c);
    free(g);
    menu_free(m);
}

/* ---- the parser reads what the grammar lets through ---- */

static void test_parser_agrees(void **state)
{
    (void)state;
    static const struct {
        const char *menu;
        const row_t *rows;
        size_t n;
    } sets[] = {
        { "menus/burger.yaml", ROWS(burger_rows) },
        { "menus/coffee.yaml", ROWS(coffee_rows) },
    };
    int bad = 0;
    for (size_t s = 0; s < sizeof sets / sizeof sets[0]; s++) {
        menu_t *m = load_menu(sets[s].menu);
        for (size_t i = 0; i < sets[s].n; i++) {
            if (!sets[s].rows[i].accept) continue;
            action_t acts[16];
            int n = order_parse(m, sets[s].rows[i].sentence, acts, 16);
            if (n <= 0) {
                print_error("%s: the grammar accepts \"%s\" but the parser refuses it\n",
                            sets[s].menu, sets[s].rows[i].sentence);
                bad++;
            }
        }
        menu_free(m);
    }
    if (bad) fail_msg("%d sentence(s) the parser cannot read", bad);
}

/* ---- every word of the grammar can be pronounced by the decoder ---- */

static void test_words_known(void **state)
{
    (void)state;
    strlist_t errs = {0};
    cmudict_t *d = cmudict_load(cmudict_default_path(), &errs);
    assert_non_null(d);
    const char *menus[] = { "menus/burger.yaml", "menus/coffee.yaml" };
    for (size_t k = 0; k < 2; k++) {
        menu_t *m = load_menu(menus[k]);
        strlist_t words = {0}, phones = {0};
        menu_lexicon(m, d, &words, &phones);
        char *g = menu_grammar(m);
        compiled_t c;
        compile(g, &c);
        for (int w = 0; w < fsg_model_n_word(c.fsg); w++) {
            const char *word = fsg_model_word_str(c.fsg, w);
            if (!cmudict_lookup(d, word) && strlist_index(&words, word) < 0)
                fail_msg("%s: the grammar word \"%s\" is in neither the dictionary nor the "
                         "menu's lexicon", menus[k], word);
        }
        compiled_free(&c);
        free(g);
        strlist_free(&words);
        strlist_free(&phones);
        menu_free(m);
    }
    cmudict_free(d);
    strlist_free(&errs);
}

/* ---- pocketsphinx takes the words and the grammar ---- */

static void test_decoder_loads(void **state)
{
    (void)state;
    strlist_t errs = {0};
    cmudict_t *d = cmudict_load(cmudict_default_path(), &errs);
    assert_non_null(d);
    char hmm[4200];
    snprintf(hmm, sizeof hmm, "%s", cmudict_default_path());
    strcpy(strrchr(hmm, '/'), "/en-us");
    cmd_ln_t *cfg = cmd_ln_init(NULL, ps_args(), TRUE, "-hmm", hmm, "-dict", cmudict_default_path(),
                                "-logfn", "/dev/null", NULL);
    assert_non_null(cfg);
    ps_decoder_t *ps = ps_init(cfg);
    assert_non_null(ps);
    /* the sample menus, and one that says dictionary words its own way
     * (taught as alternates: "coke(2)", "croissant(3)") */
    const char *menus[] = { "menus/burger.yaml", "menus/coffee.yaml", "own words" };
    for (size_t k = 0; k < 3; k++) {
        menu_t *m = k < 2 ? load_menu(menus[k]) : parse_menu(
            "menu: Own\n"
            "items:\n"
            "  - name: Coke\n    say: [coke]\n    price: 1\n"
            "  - name: Croissant\n    say: [croissant]\n    price: 1\n"
            "  - name: McFlurry\n    say: [mcflurry]\n    price: 1\n"
            "pronunciations:\n"
            "  coke: K OW K AH\n  croissant: K R W AA S AA N\n  mcflurry: M AH K F L ER IY\n");
        strlist_t words = {0}, phones = {0};
        menu_lexicon(m, d, &words, &phones);
        if (k == 2) assert_int_equal(words.n, 4);   /* and "mcflurries" */
        for (int i = 0; i < words.n; i++)
            if (ps_add_word(ps, words.v[i], phones.v[i], i == words.n - 1) < 0)
                fail_msg("%s: ps_add_word(\"%s\", \"%s\") failed", menus[k], words.v[i], phones.v[i]);
        char *g = menu_grammar(m);
        char name[16];
        snprintf(name, sizeof name, "menu%zu", k);
        /* pocketsphinx 5prealpha's ps_set_jsgf_string() never frees the JSGF
         * it parses (later versions call jsgf_grammar_free()), so it is tried
         * in a child that leaves by _exit(): LeakSanitizer checks at exit()
         * and would blame us for the library's leak. */
        fflush(NULL);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0)
            _exit(ps_set_jsgf_string(ps, name, g) == 0 && ps_set_search(ps, name) == 0 ? 0 : 1);
        int st = 0;
        assert_int_equal(waitpid(pid, &st, 0), pid);
        if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
            fail_msg("%s: ps_set_jsgf_string or ps_set_search failed", menus[k]);
        /* the way the kiosk should do it: build the FSG, ps_set_fsg, free */
        jsgf_t *j = jsgf_parse_string(g, NULL);
        assert_non_null(j);
        fsg_model_t *f = jsgf_build_fsg(j, jsgf_get_rule(j, "kiosk.turn"), ps_get_logmath(ps),
                                        cmd_ln_float32_r(cfg, "-lw"));
        assert_non_null(f);
        snprintf(name, sizeof name, "fsg%zu", k);
        assert_int_equal(ps_set_fsg(ps, name, f), 0);
        assert_int_equal(ps_set_search(ps, name), 0);
        fsg_model_free(f);
        jsgf_grammar_free(j);
        free(g);
        strlist_free(&words);
        strlist_free(&phones);
        menu_free(m);
    }
    ps_free(ps);
    cmd_ln_free_r(cfg);
    cmudict_free(d);
    strlist_free(&errs);
}

/* ---- small and odd menus still give a grammar sphinxbase takes ---- */

static const char bare_menu[] =
    "menu: Bare\n"
    "amounts:\n  no: [no]\n  light: [light]\n  normal: [some]\n  extra: [extra]\n"
    "items:\n"
    "  - name: Water\n    say: [water]\n    price: 1.00\n";

static const char public_menu[] =
    "menu: Odd\n"
    "items:\n"
    "  - name: Public Burger\n    say: [public burger, house burger]\n    price: 1.00\n";

static void test_small_menus(void **state)
{
    (void)state;
    menu_t *m = parse_menu(bare_menu);
    static const row_t bare_rows[] = {
        ACCEPT("water"), ACCEPT("two waters please"), ACCEPT("that's all"), ACCEPT("yes"),
        ACCEPT("make that two"), ACCEPT("remove the water"), ACCEPT("a manager"),
        REFUSE("a large water"), REFUSE("large"), REFUSE("a water with ice"),
    };
    check_rows(m, ROWS(bare_rows));
    menu_free(m);

    /* "public" is a JSGF keyword: the phrase is left out, the rest compiles
     * (menu_check_words refuses such a menu; the grammar must not crash on it) */
    m = parse_menu(public_menu);
    static const row_t public_rows[] = { ACCEPT("a house burger"), REFUSE("a public burger") };
    check_rows(m, ROWS(public_rows));
    menu_free(m);
}

static void test_text_shape(void **state)
{
    (void)state;
    menu_t *m = load_menu("menus/burger.yaml");
    char *g = menu_grammar(m);
    assert_non_null(strstr(g, "#JSGF V1.0;"));
    assert_non_null(strstr(g, "grammar kiosk;"));
    assert_non_null(strstr(g, "public <turn> ="));
    assert_null(strstr(g, "<VOID>"));
    /* the same menu always gives the same text */
    char *g2 = menu_grammar(m);
    assert_string_equal(g, g2);
    free(g2);
    free(g);
    menu_free(m);
}

/* ---- the minimal deterministic FSG (src/speech/fsgmin.c) ---- */

/* 1 when no state has two arcs with the same word and the only null arcs
 * lead into the final state, which has no arcs of its own. */
static int deterministic(fsg_model_t *f)
{
    int n = fsg_model_n_state(f), nw = fsg_model_n_word(f), ok = 1;
    char *seen = xcalloc((size_t)nw, 1);
    for (int s = 0; s < n && ok; s++) {
        memset(seen, 0, (size_t)nw);
        for (fsg_arciter_t *it = fsg_model_arcs(f, s); it; it = fsg_arciter_next(it)) {
            fsg_link_t *l = fsg_arciter_get(it);
            int w = fsg_link_wid(l);
            if (s == fsg_model_final_state(f)) ok = 0;
            else if (w < 0) ok &= fsg_link_to_state(l) == fsg_model_final_state(f);
            else if (seen[w]) ok = 0;
            else seen[w] = 1;
        }
    }
    free(seen);
    return ok;
}

static fsg_model_t *minimized(fsg_model_t *f)
{
    char err[128] = "";
    fsg_model_t *g = fsg_minimize(f, err, sizeof err);
    if (!g) fail_msg("fsg_minimize: %s", err);
    assert_true(deterministic(g));
    assert_int_equal(fsg_model_n_word(g), fsg_model_n_word(f));
    for (int w = 0; w < fsg_model_n_word(f); w++)
        assert_string_equal(fsg_model_word_str(g, w), fsg_model_word_str(f, w));
    return g;
}

/* ---- the answer grammar (menu_answer_grammar) ---- */

static void compile_rule(const char *grammar, const char *rule_name, compiled_t *c)
{
    c->jsgf = jsgf_parse_string(grammar, NULL);
    if (!c->jsgf) fail_msg("sphinxbase cannot parse the answer grammar:\n%s", grammar);
    jsgf_rule_t *rule = jsgf_get_rule(c->jsgf, rule_name);
    if (!rule) fail_msg("no rule %s in:\n%s", rule_name, grammar);
    c->lmath = logmath_init(1.0001, 0, 0);
    c->fsg = jsgf_build_fsg(c->jsgf, rule, c->lmath, 1.0f);
    assert_non_null(c->fsg);
}

/* Every sentence of a finite FSG (the answer grammar has no loops), up to
 * max, each as words joined by spaces. */
static void enumerate(fsg_model_t *f, int s, strbuf_t *path, strlist_t *out, int depth, int max)
{
    if (out->n >= max || depth > 40) return;
    if (s == fsg_model_final_state(f) && strlist_index(out, strbuf_cstr(path)) < 0)
        strlist_push(out, strbuf_cstr(path));
    for (fsg_arciter_t *it = fsg_model_arcs(f, s); it; it = fsg_arciter_next(it)) {
        fsg_link_t *l = fsg_arciter_get(it);
        int wid = fsg_link_wid(l);
        size_t keep = path->len;
        if (wid >= 0) {
            if (path->len) strbuf_append(path, " ");
            strbuf_append(path, fsg_model_word_str(f, wid));
        }
        enumerate(f, fsg_link_to_state(l), path, out, depth + 1, max);
        path->len = keep;
        if (path->s) path->s[keep] = '\0';
    }
}

typedef struct {
    const char *menu;
    menu_ask_kind_t kind;
    const char *item;            /* SIZE, CHOICE */
    int choice;
    const char *sentence;
    int accept;
} answer_row_t;

static const answer_row_t answer_rows[] = {
    /* a size the item sells, bare, with an article, "make it" */
    { "menus/burger.yaml", MENU_ASK_SIZE, "Chicken Nuggets", 0, "large", 1 },
    { "menus/burger.yaml", MENU_ASK_SIZE, "Chicken Nuggets", 0, "a large please", 1 },
    { "menus/burger.yaml", MENU_ASK_SIZE, "Chicken Nuggets", 0, "make it a small", 1 },
    { "menus/burger.yaml", MENU_ASK_SIZE, "Chicken Nuggets", 0, "um medium", 0 },
    { "menus/burger.yaml", MENU_ASK_SIZE, "Chicken Nuggets", 0, "regular thanks", 1 },
    { "menus/burger.yaml", MENU_ASK_SIZE, "Chicken Nuggets", 0, "can i talk to a manager", 1 },
    { "menus/burger.yaml", MENU_ASK_SIZE, "Chicken Nuggets", 0, "yes", 0 },
    { "menus/burger.yaml", MENU_ASK_SIZE, "Chicken Nuggets", 0, "a large coke", 0 },
    { "menus/burger.yaml", MENU_ASK_SIZE, "Chicken Nuggets", 0, "sprite", 0 },
    { "menus/coffee.yaml", MENU_ASK_SIZE, "Latte", 0, "grande", 1 },
    { "menus/coffee.yaml", MENU_ASK_SIZE, "Latte", 0, "make it a venti", 1 },
    { "menus/coffee.yaml", MENU_ASK_SIZE, "Latte", 0, "large", 1 },
    /* a choice of the entry asked about, not another's */
    { "menus/burger.yaml", MENU_ASK_CHOICE, "Number One", 0, "sprite", 1 },
    { "menus/burger.yaml", MENU_ASK_CHOICE, "Number One", 0, "a diet coke please", 1 },
    { "menus/burger.yaml", MENU_ASK_CHOICE, "Number One", 0, "i need help", 1 },
    { "menus/burger.yaml", MENU_ASK_CHOICE, "Number One", 0, "milk", 0 },
    { "menus/burger.yaml", MENU_ASK_CHOICE, "Number One", 0, "large", 0 },
    { "menus/burger.yaml", MENU_ASK_CHOICE, "Number One", 0, "two sprites", 0 },
    { "menus/burger.yaml", MENU_ASK_CHOICE, "Kids Meal", 0, "orange juice", 1 },
    { "menus/burger.yaml", MENU_ASK_CHOICE, "Kids Meal", 0, "sprite", 0 },
    { "menus/coffee.yaml", MENU_ASK_CHOICE, "Coffee And Pastry", 0, "a blueberry muffin", 1 },
    /* yes or no */
    { "menus/burger.yaml", MENU_ASK_YESNO, NULL, 0, "yes", 1 },
    { "menus/burger.yaml", MENU_ASK_YESNO, NULL, 0, "yeah that's right", 0 },
    { "menus/burger.yaml", MENU_ASK_YESNO, NULL, 0, "yes that's right", 1 },
    { "menus/burger.yaml", MENU_ASK_YESNO, NULL, 0, "nope", 1 },
    { "menus/burger.yaml", MENU_ASK_YESNO, NULL, 0, "no thanks", 1 },
    { "menus/burger.yaml", MENU_ASK_YESNO, NULL, 0, "no make the coke a sprite", 0 },
    { "menus/burger.yaml", MENU_ASK_YESNO, NULL, 0, "a cookie", 0 },
};

static menu_ask_t row_ask(const menu_t *m, const answer_row_t *r)
{
    menu_ask_t q = { r->kind, -1, r->choice };
    if (r->item) {
        q.item = menu_item_find(m, r->item);
        if (q.item < 0) fail_msg("%s: no item %s", r->menu, r->item);
    }
    return q;
}

static void test_answer_rows(void **state)
{
    (void)state;
    int bad = 0;
    for (size_t i = 0; i < sizeof answer_rows / sizeof *answer_rows; i++) {
        const answer_row_t *r = &answer_rows[i];
        menu_t *m = load_menu(r->menu);
        menu_ask_t q = row_ask(m, r);
        char *g = menu_answer_grammar(m, &q);
        assert_non_null(g);
        compiled_t c;
        compile_rule(g, "answer.answer", &c);
        if (accepts(c.fsg, r->sentence) != r->accept) {
            print_error("%s, %s: \"%s\" is %s\n", r->menu, r->item ? r->item : "yes/no", r->sentence,
                        r->accept ? "refused but should be accepted" : "accepted but should not be");
            bad++;
        }
        compiled_free(&c);
        free(g);
        menu_free(m);
    }
    if (bad) fail_msg("%d answer sentence(s) wrong", bad);
}

/* No question, or one that cannot be asked: no grammar. */
static void test_answer_none(void **state)
{
    (void)state;
    menu_t *m = load_menu("menus/burger.yaml");
    menu_ask_t none = { MENU_ASK_NONE, -1, -1 };
    assert_null(menu_answer_grammar(m, &none));
    assert_null(menu_answer_grammar(m, NULL));
    menu_ask_t bad_item = { MENU_ASK_SIZE, m->nitems, -1 };
    assert_null(menu_answer_grammar(m, &bad_item));
    menu_ask_t unsized = { MENU_ASK_SIZE, menu_item_find(m, "Cheeseburger"), -1 };
    assert_null(menu_answer_grammar(m, &unsized));
    menu_ask_t no_choose = { MENU_ASK_CHOICE, menu_item_find(m, "Cheeseburger"), 0 };
    assert_null(menu_answer_grammar(m, &no_choose));
    menu_ask_t bad_choice = { MENU_ASK_CHOICE, menu_item_find(m, "Number One"), 1 };
    assert_null(menu_answer_grammar(m, &bad_choice));
    menu_free(m);
}

/* Every answer (the <reply> rule, all of its sentences) is a sentence of
 * the menu grammar and the parser reads it as that answer; the whole
 * <answer> rule is small. */
static void test_answer_sentences(void **state)
{
    (void)state;
    static const char *const menus[] = { "menus/burger.yaml", "menus/coffee.yaml" };
    int bad = 0, checked = 0;
    for (size_t mi = 0; mi < 2; mi++) {
        menu_t *m = load_menu(menus[mi]);
        char *full = menu_grammar(m);
        compiled_t fc;
        compile(full, &fc);
        for (int i = -1; i < m->nitems; i++) {
            menu_ask_t qs[8];
            int nq = 0;
            if (i < 0) {
                qs[nq++] = (menu_ask_t){ MENU_ASK_YESNO, -1, -1 };
            } else {
                qs[nq++] = (menu_ask_t){ MENU_ASK_SIZE, i, -1 };
                for (int k = 0; k < m->items[i].nchoose && nq < 8; k++)
                    qs[nq++] = (menu_ask_t){ MENU_ASK_CHOICE, i, k };
            }
            for (int k = 0; k < nq; k++) {
                char *g = menu_answer_grammar(m, &qs[k]);
                if (!g) continue;
                compiled_t c;
                compile_rule(g, "answer.answer", &c);
                if (fsg_model_n_state(c.fsg) > 400)
                    fail_msg("%s: answer grammar of %d states", m->file, fsg_model_n_state(c.fsg));
                compiled_free(&c);
                compile_rule(g, "answer.reply", &c);
                strlist_t all = {0};
                strbuf_t path = {0};
                enumerate(c.fsg, fsg_model_start_state(c.fsg), &path, &all, 0, 2000);
                strbuf_free(&path);
                assert_true(all.n > 0 && all.n < 2000);
                for (int s = 0; s < all.n; s++) {
                    checked++;
                    if (!accepts(fc.fsg, all.v[s])) {
                        print_error("%s: answer \"%s\" is not a menu sentence\n", m->file, all.v[s]);
                        bad++;
                    }
                    action_t acts[4];
                    int n = order_parse(m, all.v[s], acts, 4);
                    int ok = n == 1;
                    if (ok && qs[k].kind == MENU_ASK_SIZE)
                        ok = acts[0].kind == ACT_SIZE || (acts[0].kind == ACT_SET_SIZE && acts[0].target < 0);
                    else if (ok && qs[k].kind == MENU_ASK_CHOICE)
                        ok = acts[0].kind == ACT_ADD && acts[0].qty <= 1;
                    else if (ok)
                        ok = acts[0].kind == ACT_YES || acts[0].kind == ACT_NO;
                    if (!ok) {
                        print_error("%s: the parser does not read the answer \"%s\" as one\n",
                                    m->file, all.v[s]);
                        bad++;
                    }
                }
                strlist_free(&all);
                compiled_free(&c);
                free(g);
            }
        }
        compiled_free(&fc);
        free(full);
        menu_free(m);
    }
    assert_true(checked > 50);
    if (bad) fail_msg("%d answer sentence(s) wrong", bad);
}

static void test_minimize_small(void **state)
{
    (void)state;
    compiled_t c;
    compile("#JSGF V1.0;\ngrammar kiosk;\n"
            "<more> = onions [<more>] | pickles [<more>];\n"
            "public <turn> = (a | an) (large | small) coke [please] | no <more> | yes | yeah;\n",
            &c);
    fsg_model_t *g = minimized(c.fsg);
    /* start; after a/an; after the size; after coke (accepting: please may
     * follow); after please, yes or yeah (accepting, nothing follows); after
     * no (an option must follow); after an option (accepting, more may
     * follow); and the final state */
    assert_int_equal(fsg_model_n_state(g), 8);
    const char *in[] = { "a large coke", "an small coke please", "no onions", "yes", "yeah",
                         "no pickles onions pickles onions", NULL };
    const char *out[] = { "a coke", "large coke", "a large coke please please", "no",
                          "onions", "yes please", "please", "", NULL };
    for (int i = 0; in[i]; i++) {
        if (!accepts(c.fsg, in[i]) || !accepts(g, in[i])) fail_msg("refused: \"%s\"", in[i]);
    }
    for (int i = 0; out[i]; i++) {
        if (accepts(c.fsg, out[i]) || accepts(g, out[i])) fail_msg("accepted: \"%s\"", out[i]);
    }
    fsg_model_free(g);
    compiled_free(&c);
}

static void test_minimize_weighted(void **state)
{
    (void)state;
    compiled_t c;
    compile("#JSGF V1.0;\ngrammar kiosk;\npublic <turn> = /2/ yes | /1/ no;\n", &c);
    char err[128] = "";
    assert_null(fsg_minimize(c.fsg, err, sizeof err));
    assert_non_null(strstr(err, "weighted arcs"));
    compiled_free(&c);
}

/* A random sentence of f: a walk from the start to the final state taking
 * arcs at random (null ones too); "" when it ran past 40 words. */
static void random_sentence(fsg_model_t *f, unsigned *seed, strbuf_t *out)
{
    strbuf_reset(out);
    int s = fsg_model_start_state(f), words = 0, steps = 0;
    while (s != fsg_model_final_state(f) && words <= 40 && steps < 2000) {
        int n = 0, pick = -1;
        fsg_link_t *chosen = NULL;
        for (fsg_arciter_t *it = fsg_model_arcs(f, s); it; it = fsg_arciter_next(it)) {
            n++;
            *seed = *seed * 1103515245u + 12345u;
            if ((int)((*seed >> 16) % (unsigned)n) == 0) {      /* reservoir: uniform */
                chosen = fsg_arciter_get(it);
                pick = n;
            }
        }
        if (pick < 0) break;
        if (fsg_link_wid(chosen) >= 0) {
            strbuf_printf(out, "%s%s", words ? " " : "", fsg_model_word_str(f, fsg_link_wid(chosen)));
            words++;
        }
        s = fsg_link_to_state(chosen);
        steps++;
    }
    if (s != fsg_model_final_state(f) || words > 40) strbuf_reset(out);
}

/* Both sample menus: sentences of either FSG are sentences of the other,
 * and so are they with a word dropped or doubled (mostly not sentences). */
static void test_minimize_menus(void **state)
{
    (void)state;
    const char *menus[] = { "menus/burger.yaml", "menus/coffee.yaml" };
    for (int k = 0; k < 2; k++) {
        menu_t *m = load_menu(menus[k]);
        char *text = menu_grammar(m);
        compiled_t c;
        compile(text, &c);
        fsg_model_t *g = minimized(c.fsg);
        assert_true(fsg_model_n_state(g) < fsg_model_n_state(c.fsg));
        unsigned seed = 7;
        strbuf_t sb = {0};
        int tried = 0, differ = 0;
        for (int i = 0; i < 1500; i++) {
            fsg_model_t *from = i % 2 ? g : c.fsg;
            random_sentence(from, &seed, &sb);
            const char *sent = strbuf_cstr(&sb);
            if (!*sent) continue;
            tried++;
            if (!accepts(c.fsg, sent) || !accepts(g, sent)) fail_msg("%s: refused \"%s\"", menus[k], sent);
            strlist_t w = {0};
            split_words(sent, &w);
            int cut = (int)(seed % (unsigned)w.n);
            strbuf_t v = {0};
            for (int j = 0; j < w.n; j++) {
                if (j == cut && i % 4 < 2) continue;                  /* dropped */
                strbuf_printf(&v, "%s%s", j ? " " : "", w.v[j]);
                if (j == cut) strbuf_printf(&v, " %s", w.v[j]);     /* doubled */
            }
            int a = accepts(c.fsg, strbuf_cstr(&v)), b = accepts(g, strbuf_cstr(&v));
            if (a != b) fail_msg("%s: \"%s\": %d vs %d", menus[k], strbuf_cstr(&v), a, b);
            differ += !a;
            strbuf_free(&v);
            strlist_free(&w);
        }
        if (tried <= 500) fail_msg("%s: only %d sentences of 1500 walks", menus[k], tried);
        assert_true(differ > 50);         /* the variants did test refusals */
        strbuf_free(&sb);
        fsg_model_free(g);
        compiled_free(&c);
        free(text);
        menu_free(m);
    }
}

/* ---- one item at most (menu_one_grammar) ---- */

static const row_t one_rows[] = {
    ACCEPT("a large dark roast latte with oat milk and a bit of caramel"),
    ACCEPT("can i get two americanos please"),
    ACCEPT("a latte and that's everything"),
    ACCEPT("a mocha i need help"),
    ACCEPT("a mocha and let me talk to a person"),
    ACCEPT("can i talk to a person"),
    ACCEPT("make it a venti"),
    ACCEPT("make the latte a mocha"),
    ACCEPT("yes"),
    ACCEPT("grande"),
    REFUSE("a latte and a mocha"),
    REFUSE("a latte a mocha"),
    REFUSE("two americanos and a blueberry muffin"),
    REFUSE("i'll get a hot chocolate can i get a banana bread"),
    REFUSE("let me talk to a person and a latte"),
    REFUSE("a pizza"),
};

/* Its sentences are the menu grammar's, it refuses a second item, and
 * fsg_accepts() (the recogniser's check whether the menu grammar's words are
 * one item already) reads the minimised FSG as the reference acceptor does. */
static void test_one_grammar(void **state)
{
    (void)state;
    menu_t *m = load_menu("menus/coffee.yaml");
    char *text = menu_one_grammar(m), *full = menu_grammar(m);
    compiled_t c, fc;
    compile(text, &c);
    compile(full, &fc);
    fsg_model_t *g = minimized(c.fsg);
    int bad = 0;
    for (size_t i = 0; i < sizeof one_rows / sizeof one_rows[0]; i++) {
        int got = accepts(c.fsg, one_rows[i].sentence), fast = fsg_accepts(g, one_rows[i].sentence);
        if (got != one_rows[i].accept || fast != got) {
            print_error("\"%s\": accepted %d, by fsg_accepts %d, want %d\n", one_rows[i].sentence,
                        got, fast, one_rows[i].accept);
            bad++;
        }
    }
    assert_false(fsg_accepts(g, "a latte with unicorn"));   /* a word it does not know */
    assert_false(fsg_accepts(g, "a large dark roast"));      /* a sentence cut short */
    unsigned seed = 11;
    strbuf_t sb = {0};
    int tried = 0;
    for (int i = 0; i < 1000; i++) {
        random_sentence(g, &seed, &sb);
        const char *sent = strbuf_cstr(&sb);
        if (!*sent) continue;
        tried++;
        if (!accepts(fc.fsg, sent) || !fsg_accepts(g, sent)) {
            print_error("\"%s\" is not a menu sentence\n", sent);
            bad++;
        }
    }
    assert_true(tried > 300);
    strbuf_free(&sb);
    fsg_model_free(g);
    compiled_free(&c);
    compiled_free(&fc);
    free(text);
    free(full);
    menu_free(m);
    if (bad) fail_msg("%d sentence(s) wrong", bad);
}

int main(void)
{
    err_set_logfp(NULL);   /* sphinxbase logs every rule it defines */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_burger_coverage),
        cmocka_unit_test(test_coffee_coverage),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_parser_agrees),
        cmocka_unit_test(test_words_known),
        cmocka_unit_test(test_decoder_loads),
        cmocka_unit_test(test_small_menus),
        cmocka_unit_test(test_text_shape),
        cmocka_unit_test(test_answer_rows),
        cmocka_unit_test(test_answer_none),
        cmocka_unit_test(test_answer_sentences),
        cmocka_unit_test(test_minimize_small),
        cmocka_unit_test(test_minimize_weighted),
        cmocka_unit_test(test_minimize_menus),
        cmocka_unit_test(test_one_grammar),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
