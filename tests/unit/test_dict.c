/* test_dict.c: the pronouncing dictionary, pronunciations derived by rule,
 * and the menu's word check (src/menu/dict.c).
 *
 * Rules are checked against a small dictionary written by the test, so each
 * expected pronunciation is known exactly; the stock dictionary is checked
 * for the words the sample menus rely on.  Run from the repository root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../../src/menu/menu.h"

/* ---- a small dictionary on disk ---- */

/* Blank lines, a comment, tabs, a carriage return, runs of spaces, an
 * alternate and a repeated word: what real dictionary files contain. */
static const char small_dict[] =
    "; a comment line\n"
    "cake K EY K\n"
    "berry B EH R IY\n"
    "sandwich S AE N D W IH CH\n"
    "tomato T AH M EY T OW\n"
    "wendy W EH N D IY\n"
    "kid\tK IH D\n"
    "latte L AA T EY\r\n"
    "fish F IH SH\n"
    "glass G L AE S\n"
    "moth M AO TH\n"
    "bag  B AE G  \n"
    "\n"
    "croissant K W AA S AA N T\n"
    "croissant(2) K R AH S AA N T\n"
    "cake K EY K S\n"
    "pie(3) P AY IY\n"
    "pie P AY\n"
    "flurry F L ER IY\n"
    "burger B ER G ER\n"
    "bowl B OW L\n"
    "coke K OW K\n"
    "mc M IH K\n";

static char *write_temp(const char *text)
{
    char *path = xstrdup("/tmp/kiosk_test_dict_XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

static int setup_small(void **state)
{
    char *path = write_temp(small_dict);
    strlist_t errs = {0};
    cmudict_t *d = cmudict_load(path, &errs);
    unlink(path);
    free(path);
    if (!d || errs.n) return -1;
    strlist_free(&errs);
    *state = d;
    return 0;
}

static int teardown_dict(void **state)
{
    cmudict_free(*state);
    return 0;
}

static void test_lookup(void **state)
{
    const cmudict_t *d = *state;
    assert_string_equal(cmudict_lookup(d, "cake"), "K EY K");           /* the first of two wins */
    assert_string_equal(cmudict_lookup(d, "kid"), "K IH D");            /* tab */
    assert_string_equal(cmudict_lookup(d, "latte"), "L AA T EY");       /* CR LF */
    assert_string_equal(cmudict_lookup(d, "bag"), "B AE G");            /* runs of spaces */
    assert_string_equal(cmudict_lookup(d, "croissant"), "K W AA S AA N T");
    assert_null(cmudict_lookup(d, "croissant(2)"));                      /* alternates are not words */
    assert_string_equal(cmudict_lookup(d, "pie"), "P AY");                /* its alternate came first */
    assert_null(cmudict_lookup(d, "pie(3)"));
    assert_null(cmudict_lookup(d, "cak"));
    assert_null(cmudict_lookup(d, "cakes"));
    assert_null(cmudict_lookup(d, ""));
    assert_null(cmudict_lookup(d, "; a comment line"));
}

/* ---- derivation rules ---- */

static const struct {
    const char *word, *phones;   /* NULL: cannot be derived */
} derived[] = {
    { "cake", "K EY K" },                               /* in the dictionary */
    { "cakes", "K EY K S" },                            /* voiceless: + S */
    { "lattes", "L AA T EY Z" },                        /* voiced: + Z */
    { "bags", "B AE G Z" },
    { "moths", "M AO TH S" },
    { "berries", "B EH R IY Z" },                       /* -ies <- -y */
    { "sandwiches", "S AE N D W IH CH IH Z" },          /* sibilant: -es, + IH Z */
    { "glasses", "G L AE S IH Z" },
    { "fishes", "F IH SH IH Z" },
    { "tomatoes", "T AH M EY T OW Z" },                 /* -es after o */
    { "wendy's", "W EH N D IY Z" },                     /* possessive */
    { "kid's", "K IH D Z" },
    { "kids'", "K IH D Z" },                            /* plural possessive */
    { "cake's", "K EY K S" },
    { "glass's", "G L AE S IH Z" },
    { "cakes's", "K EY K S IH Z" },                     /* possessive of a plural: two rules */
    { "mcflurry", NULL },
    { "cakess", NULL },
    { "s", NULL },
    { "'s", NULL },
    { "es", NULL },
    { "ies", NULL },
    { "", NULL },
    { "glas", NULL },
};

static void test_derive(void **state)
{
    const cmudict_t *d = *state;
    for (size_t i = 0; i < sizeof derived / sizeof derived[0]; i++) {
        char *p = cmudict_derive(d, derived[i].word);
        if (!derived[i].phones && p) fail_msg("\"%s\" derived as \"%s\"", derived[i].word, p);
        if (derived[i].phones && (!p || strcmp(p, derived[i].phones) != 0))
            fail_msg("\"%s\": got \"%s\", expected \"%s\"", derived[i].word, p ? p : "(none)",
                     derived[i].phones);
        free(p);
    }
}

/* ---- loading ---- */

static void test_missing_file(void **state)
{
    (void)state;
    strlist_t errs = {0};
    assert_null(cmudict_load("/nonexistent/cmudict-en-us.dict", &errs));
    assert_int_equal(errs.n, 1);
    assert_string_equal(errs.v[0], "/nonexistent/cmudict-en-us.dict: cannot read the pronunciation "
                                   "dictionary: No such file or directory; install "
                                   "pocketsphinx-en-us (make deps)");
    strlist_free(&errs);
}

/* Not a regular file: refused at once, never waited on (a FIFO). */
static void test_not_regular(void **state)
{
    (void)state;
    alarm(20);
    char dir[] = "/tmp/kiosk_test_dict-XXXXXX", fifo[96];
    assert_non_null(mkdtemp(dir));
    snprintf(fifo, sizeof fifo, "%s/dict.fifo", dir);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    strlist_t errs = {0};
    assert_null(cmudict_load(fifo, &errs));
    assert_int_equal(errs.n, 1);
    char want[256];
    snprintf(want, sizeof want, "%s: cannot read the pronunciation dictionary: not a regular file (a FIFO); "
             "install pocketsphinx-en-us (make deps)", fifo);
    assert_string_equal(errs.v[0], want);
    strlist_free(&errs);
    assert_null(cmudict_load(dir, &errs));
    snprintf(want, sizeof want, "%s: cannot read the pronunciation dictionary: not a regular file (a directory); "
             "install pocketsphinx-en-us (make deps)", dir);
    assert_string_equal(errs.v[0], want);
    strlist_free(&errs);
    unlink(fifo);
    rmdir(dir);
    alarm(0);
}

static void test_empty_file(void **state)
{
    (void)state;
    char *path = write_temp("; nothing but a comment\n\n");
    strlist_t errs = {0};
    assert_null(cmudict_load(path, &errs));
    assert_int_equal(errs.n, 1);
    assert_non_null(strstr(errs.v[0], "the pronunciation dictionary is empty"));
    assert_int_equal(strncmp(errs.v[0], path, strlen(path)), 0);
    unlink(path);
    free(path);
    strlist_free(&errs);
}

static void test_default_path(void **state)
{
    (void)state;
    char *saved = getenv("KIOSK_MODEL_DIR") ? xstrdup(getenv("KIOSK_MODEL_DIR")) : NULL;
    unsetenv("KIOSK_MODEL_DIR");
    assert_string_equal(cmudict_default_path(),
                        "/usr/share/pocketsphinx/model/en-us/cmudict-en-us.dict");
    setenv("KIOSK_MODEL_DIR", "/opt/models/en-us", 1);
    assert_string_equal(cmudict_default_path(), "/opt/models/en-us/cmudict-en-us.dict");
    setenv("KIOSK_MODEL_DIR", "", 1);
    assert_string_equal(cmudict_default_path(),
                        "/usr/share/pocketsphinx/model/en-us/cmudict-en-us.dict");
    if (saved) setenv("KIOSK_MODEL_DIR", saved, 1);
    else unsetenv("KIOSK_MODEL_DIR");
    free(saved);
}

/* The stock dictionary, and the words the sample menus lean on. */
static void test_stock_dictionary(void **state)
{
    (void)state;
    strlist_t errs = {0};
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    cmudict_t *d = cmudict_load(cmudict_default_path(), &errs);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    assert_non_null(d);
    /* A loose bound that still catches a quadratic mistake, even under the
     * sanitizers; the real figure (about 20 ms) is printed by make bench. */
    double ms = (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6;
    if (ms > 2000) fail_msg("loading the dictionary took %.0f ms", ms);

    assert_string_equal(cmudict_lookup(d, "coke"), "K OW K");
    assert_string_equal(cmudict_lookup(d, "a"), "AH");
    assert_string_equal(cmudict_lookup(d, "that's"), "DH AE T S");
    assert_string_equal(cmudict_lookup(d, "croissant"), "K W AA S AA N T");
    assert_string_equal(cmudict_lookup(d, "'bout"), "B AW T");            /* the first line */
    static const char *const words[][2] = {
        { "milkshakes", "M IH L K SH EY K S" },
        { "sprites", "S P R AY T S" },
        { "lattes", "L AA T EY Z" },
        { "cappuccinos", "K AE P UW CH IY N OW Z" },
        { "wendy's", "W EH N D IY Z" },
    };
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        char *p = cmudict_derive(d, words[i][0]);
        assert_non_null(p);
        assert_string_equal(p, words[i][1]);
        free(p);
    }
    assert_null(cmudict_derive(d, "mcflurry"));
    cmudict_free(d);
    strlist_free(&errs);
}

/* ---- the menu's word check ---- */

static menu_t *parse_menu(const char *yaml)
{
    strlist_t errs = {0};
    menu_t *m = menu_parse(yaml, strlen(yaml), "menus/test.yaml", &errs);
    for (int i = 0; i < errs.n; i++) print_error("%s\n", errs.v[i]);
    strlist_free(&errs);
    assert_non_null(m);
    return m;
}

/* Runs the word check; returns the messages joined by newlines. */
static char *check(const cmudict_t *d, const char *yaml, int *count)
{
    menu_t *m = parse_menu(yaml);
    strlist_t errs = {0};
    *count = menu_check_words(m, d, &errs);
    assert_int_equal(*count, errs.n);
    strbuf_t b = {0};
    for (int i = 0; i < errs.n; i++) strbuf_printf(&b, "%s%s", i ? "\n" : "", errs.v[i]);
    strlist_free(&errs);
    menu_free(m);
    return strbuf_steal(&b);
}

/* At most 20 lines, the first in file order, then the count of the rest;
 * the return value counts them all. */
static void test_word_errors_capped(void **state)
{
    const cmudict_t *d = *state;
    strbuf_t y = {0};
    strbuf_append(&y, "menu: Test\nitems:\n");
    for (int i = 0; i < 30; i++)
        strbuf_printf(&y, "  - name: I%c%c\n    say: [zq%c%cv]\n    price: 1\n", 'a' + i / 26, 'a' + i % 26,
                      'a' + i / 26, 'a' + i % 26);
    menu_t *m = parse_menu(y.s);
    strlist_t errs = {0};
    assert_int_equal(menu_check_words(m, d, &errs), 30);
    assert_int_equal(errs.n, 21);
    assert_string_equal(errs.v[0], "menus/test.yaml:4:11: word \"zqaav\" has no pronunciation; add it under "
                                   "pronunciations:, e.g.  zqaav: Z K AE V (a guess from the spelling: check it)");
    assert_non_null(strstr(errs.v[19], "menus/test.yaml:61:11: word \"zqatv\" has no pronunciation"));
    assert_string_equal(errs.v[20], "menus/test.yaml: \u2026 and 10 more problems, not listed; fix the ones above first");
    strlist_free(&errs);
    menu_free(m);
    strbuf_free(&y);
}

static int setup_stock(void **state)
{
    strlist_t errs = {0};
    *state = cmudict_load(cmudict_default_path(), &errs);
    strlist_free(&errs);
    return *state ? 0 : -1;
}

static void test_sample_menus_pass(void **state)
{
    const cmudict_t *d = *state;
    const char *files[] = { "menus/burger.yaml", "menus/coffee.yaml" };
    for (size_t i = 0; i < 2; i++) {
        strlist_t errs = {0};
        menu_t *m = menu_load(files[i], &errs);
        assert_non_null(m);
        int n = menu_check_words(m, d, &errs);
        for (int k = 0; k < errs.n; k++) print_error("%s\n", errs.v[k]);
        assert_int_equal(n, 0);
        menu_free(m);
        strlist_free(&errs);
    }
}

/* The spec's own example, word for word; the derived plural "mcflurries" is
 * not reported separately (listing "mcflurry" fixes both), and a word used
 * twice is reported once, where it is first written. */
static void test_unknown_word(void **state)
{
    const cmudict_t *d = *state;
    int n;
    char *msg = check(d,
        "menu: Test\n"
        "items:\n"
        "  - name: McFlurry\n"
        "    say: [mcflurry, oreo mcflurry]\n"
        "    price: 2.99\n"
        "  - name: Big McFlurry\n"
        "    say: [big mcflurry]\n"
        "    price: 3.99\n", &n);
    assert_int_equal(n, 1);
    assert_string_equal(msg, "menus/test.yaml:4:11: word \"mcflurry\" has no pronunciation; add it "
                             "under pronunciations:, e.g.  mcflurry: M AH K F L ER IY");
    free(msg);

    /* with the entry, the word and its plural are fine */
    msg = check(d,
        "menu: Test\n"
        "items:\n"
        "  - name: McFlurry\n"
        "    say: [mcflurry]\n"
        "    price: 2.99\n"
        "pronunciations:\n"
        "  mcflurry: M AH K F L ER IY\n", &n);
    assert_int_equal(n, 0);
    free(msg);
}

/* An example from two dictionary words is not a guess; one from the spelling
 * says so, and still uses only CMU phones. */
static void test_examples(void **state)
{
    const cmudict_t *d = *state;
    int n;
    char *msg = check(d,
        "menu: Test\n"
        "items:\n"
        "  - name: Burger Bowl\n"
        "    say: [burgerbowl]\n"
        "    price: 1.00\n"
        "  - name: Zorbly\n"
        "    say:\n"
        "      - zorbly\n"
        "    price: 1.00\n", &n);
    assert_int_equal(n, 2);
    assert_string_equal(msg,
        "menus/test.yaml:4:11: word \"burgerbowl\" has no pronunciation; add it under "
        "pronunciations:, e.g.  burgerbowl: B ER G ER B OW L\n"
        "menus/test.yaml:8:9: word \"zorbly\" has no pronunciation; add it under "
        "pronunciations:, e.g.  zorbly: Z AO R B L IY (a guess from the spelling: check it)");
    free(msg);

    /* every guess is made of CMU phones, whatever the spelling */
    static const char *const odd[] = {
        "xylqwz", "phthalo", "knightchqu", "aeiouy", "zzzz", "qqq'x", "yyy", "eee", "schmorgle",
    };
    for (size_t i = 0; i < sizeof odd / sizeof odd[0]; i++) {
        char *yaml = xasprintf("menu: T\nitems:\n  - name: X\n    say: [%s]\n    price: 1\n",
                               odd[i]);
        msg = check(d, yaml, &n);
        free(yaml);
        assert_int_equal(n, 1);
        const char *ex = strstr(msg, "e.g.  ");
        assert_non_null(ex);
        ex = strchr(ex, ':') + 2;
        char *entry = xasprintf("menu: T\nitems:\n  - name: X\n    say: [%s]\n    price: 1\n"
                                "pronunciations:\n  %s: %.*s\n", odd[i], odd[i],
                                (int)strcspn(ex, "("), ex);
        /* the suggested entry, pasted into the file, passes the check */
        char *again = check(d, entry, &n);
        if (n != 0) fail_msg("the example for \"%s\" is refused: %s", odd[i], again);
        free(again);
        free(entry);
        free(msg);
    }
}

static void test_bad_phones(void **state)
{
    const cmudict_t *d = *state;
    int n;
    char *msg = check(d,
        "menu: Test\n"
        "items:\n"
        "  - name: Americano\n"
        "    say: [americano]\n"
        "    price: 2.00\n"
        "pronunciations:\n"
        "  americano: AH0 m EH R IH K QX N OW\n", &n);
    assert_int_equal(n, 3);
    assert_string_equal(msg,
        "menus/test.yaml:7:3: pronunciation of \"americano\": \"AH0\" has a stress digit, which the "
        "pocketsphinx dictionary does not use; write AH\n"
        "menus/test.yaml:7:3: pronunciation of \"americano\": phone \"m\" must be upper case: M\n"
        "menus/test.yaml:7:3: pronunciation of \"americano\": \"QX\" is not a CMU phone; use only "
        "AA AE AH AO AW AY B CH D DH EH ER EY F G HH IH IY JH K L M N NG OW OY P R S SH T TH UH "
        "UW V W Y Z ZH");
    free(msg);
}

static void test_reserved_word(void **state)
{
    const cmudict_t *d = *state;
    int n;
    char *msg = check(d,
        "menu: Test\n"
        "items:\n"
        "  - name: Public Burger\n"
        "    say: [public burger]\n"
        "    price: 2.00\n", &n);
    assert_int_equal(n, 1);
    assert_string_equal(msg, "menus/test.yaml:4:11: the word \"public\" cannot be used in a phrase: "
                             "the grammar format (JSGF) reserves it; say it another way");
    free(msg);
}

/* ---- what the decoder must be taught ---- */

static int find(const strlist_t *l, const char *s)
{
    return strlist_index(l, s);
}

static void test_lexicon(void **state)
{
    const cmudict_t *d = *state;
    menu_t *m = parse_menu(
        "menu: Test\n"
        "items:\n"
        "  - name: McFlurry\n"
        "    say: [mcflurry]\n"
        "    price: 2.99\n"
        "  - name: Coke\n"
        "    say: [coke]\n"
        "    price: 1.00\n"
        "  - name: Sprite\n"
        "    say: [sprite]\n"
        "    price: 1.00\n"
        "  - name: Americano\n"
        "    say: [americano]\n"
        "    price: 1.00\n"
        "  - name: Croissant\n"
        "    say: [croissant]\n"
        "    price: 1.00\n"
        "pronunciations:\n"
        "  mcflurry: M AH K F L ER IY\n"
        "  coke: K OW K AH\n"
        "  americano: AH M EH R IH K AA N OW\n"
        "  croissant: K R W AA S AA N\n");
    strlist_t errs = {0};
    assert_int_equal(menu_check_words(m, d, &errs), 0);
    strlist_t words = {0}, phones = {0};
    menu_lexicon(m, d, &words, &phones);
    assert_int_equal(words.n, phones.n);
    int i;
    /* the menu's word, and its plural by rule */
    assert_true((i = find(&words, "mcflurry")) >= 0);
    assert_string_equal(phones.v[i], "M AH K F L ER IY");
    assert_true((i = find(&words, "mcflurries")) >= 0);
    assert_string_equal(phones.v[i], "M AH K F L ER IY Z");
    /* a plural the dictionary lacks */
    assert_true((i = find(&words, "sprites")) >= 0);
    assert_string_equal(phones.v[i], "S P R AY T S");
    /* a dictionary word said differently: taught as its next alternate,
     * since the decoder refuses to add a word it has */
    assert_true(find(&words, "coke") < 0);
    assert_true((i = find(&words, "coke(2)")) >= 0);
    assert_string_equal(phones.v[i], "K OW K AH");
    /* the dictionary has croissant(2): the menu's is the third */
    assert_true((i = find(&words, "croissant(3)")) >= 0);
    assert_string_equal(phones.v[i], "K R W AA S AA N");
    /* the same as the dictionary: nothing to teach */
    assert_true(find(&words, "americano") < 0);
    assert_true(find(&words, "americano(2)") < 0);
    /* and nothing the dictionary already has */
    for (int k = 0; k < words.n; k++)
        if (!strchr(words.v[k], '(') && cmudict_lookup(d, words.v[k]))
            fail_msg("\"%s\" is in the dictionary already", words.v[k]);
    strlist_free(&words);
    strlist_free(&phones);
    strlist_free(&errs);
    menu_free(m);
}

/* Words a manager can read instead of phones: "mick flurry" is the
 * dictionary's "mick" and "flurry" one after the other (issue 16, item 6). */
static void test_pron_words(void **state)
{
    const cmudict_t *d = *state;
    menu_t *m = parse_menu(
        "menu: Test\n"
        "items:\n"
        "  - name: McFlurry\n"
        "    say: [mcflurry]\n"
        "    price: 2.99\n"
        "  - name: Burgerbowl\n"
        "    say: [burgerbowl]\n"
        "    price: 2.99\n"
        "pronunciations:\n"
        "  mcflurry: mick flurry\n"
        "  burgerbowl: burger B OW L\n");
    strlist_t errs = {0};
    assert_int_equal(menu_check_words(m, d, &errs), 0);
    strlist_t words = {0}, phones = {0};
    menu_lexicon(m, d, &words, &phones);
    int i;
    assert_true((i = find(&words, "mcflurry")) >= 0);
    assert_string_equal(phones.v[i], "M IH K F L ER IY");
    assert_true((i = find(&words, "mcflurries")) >= 0);
    assert_string_equal(phones.v[i], "M IH K F L ER IY Z");
    /* words and phones mixed */
    assert_true((i = find(&words, "burgerbowl")) >= 0);
    assert_string_equal(phones.v[i], "B ER G ER B OW L");
    strlist_free(&words);
    strlist_free(&phones);
    strlist_free(&errs);
    menu_free(m);

    /* a word the dictionary does not know: which one, and what to write */
    int n;
    char *msg = check(d,
        "menu: Test\n"
        "items:\n"
        "  - name: McFlurry\n"
        "    say: [mcflurry]\n"
        "    price: 2.99\n"
        "pronunciations:\n"
        "  mcflurry: mick flurri\n", &n);
    assert_int_equal(n, 1);
    assert_string_equal(msg,
        "menus/test.yaml:7:3: pronunciation of \"mcflurry\": \"flurri\" is not a word the dictionary "
        "knows; write other words it knows, or CMU phones, e.g.  mcflurry: M AH K F L ER IY");
    free(msg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_lookup, setup_small, teardown_dict),
        cmocka_unit_test_setup_teardown(test_derive, setup_small, teardown_dict),
        cmocka_unit_test(test_missing_file),
        cmocka_unit_test(test_empty_file),
        cmocka_unit_test(test_not_regular),
        cmocka_unit_test(test_default_path),
        cmocka_unit_test(test_stock_dictionary),
        cmocka_unit_test_setup_teardown(test_sample_menus_pass, setup_stock, teardown_dict),
        cmocka_unit_test_setup_teardown(test_unknown_word, setup_stock, teardown_dict),
        cmocka_unit_test_setup_teardown(test_word_errors_capped, setup_stock, teardown_dict),
        cmocka_unit_test_setup_teardown(test_examples, setup_stock, teardown_dict),
        cmocka_unit_test_setup_teardown(test_bad_phones, setup_stock, teardown_dict),
        cmocka_unit_test_setup_teardown(test_pron_words, setup_stock, teardown_dict),
        cmocka_unit_test_setup_teardown(test_reserved_word, setup_stock, teardown_dict),
        cmocka_unit_test_setup_teardown(test_lexicon, setup_stock, teardown_dict),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
