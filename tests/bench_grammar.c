/* bench_grammar.c: how long a large menu takes to become a grammar.
 *
 * A manager's edit must be live within a second: the kiosk reloads the menu,
 * checks its words, writes the grammar and has sphinxbase compile it to a
 * finite-state grammar.  This builds a synthetic menu of 100 items (90 foods
 * in 10 x 9 names, 10 sodas; 20 options spread so that few items share a
 * set, which is the worst case for grammar size; sizes on half of them; 10
 * combos with a choice of the 10 sodas), then times each step and prints the
 * figures.  Like the rest of `make bench` it asserts no timing (timings
 * flake on shared machines): a figure over its limit is flagged "OVER" in
 * the output; the exit status is 1 only when something fails outright.
 * For information it also times pocketsphinx taking the words and the
 * grammar (the FSG again, plus the decoder's search tree), which is what a
 * menu reload costs the running kiosk.
 *
 * Usage: bench_grammar [ITEMS_MENU.yaml]   (default: the synthetic menu)
 * Run from the repository root (`make bench`). */
#include <pocketsphinx.h>
#include <sphinxbase/err.h>
#include <sphinxbase/fsg_model.h>
#include <sphinxbase/jsgf.h>

#include "../src/speech/fsgmin.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../src/menu/menu.h"

#define RUNS 5
#define LIMIT_MS 1000.0

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static const char *const adjectives[10] = {
    "spicy", "crispy", "grilled", "smoked", "classic", "deluxe", "double", "mini", "jumbo", "garden",
};
static const char *const nouns[9] = {
    "chicken", "beef", "turkey", "fish", "pork", "tuna", "ham", "egg", "steak",
};
static const char *const flavours[10] = {
    "cherry", "grape", "orange", "lemon", "lime", "berry", "vanilla", "cola", "mango", "peach",
};
static const char *const options[20] = {
    "onions", "pickles", "cheese", "bacon", "lettuce", "tomato", "mayo", "mustard", "ketchup",
    "ranch", "jalapenos", "peppers", "mushrooms", "avocado", "olives", "spinach", "salsa",
    "honey", "garlic", "butter",
};

static void cap_name(strbuf_t *b, const char *a, const char *n)
{
    strbuf_printf(b, "%c%s %c%s", a[0] - 'a' + 'A', a + 1, n[0] - 'a' + 'A', n + 1);
}

static char *synthetic_menu(void)
{
    strbuf_t y = {0};
    strbuf_append(&y, "menu: Bench Barn\ncurrency: USD\ntax_percent: 8\nmax_quantity: 10\n"
                      "sizes:\n  small: [small, kids]\n  medium: [medium, regular]\n"
                      "  large: [large, big]\nitems:\n");
    int item = 0;
    for (int a = 0; a < 10; a++)
        for (int n = 0; n < 9; n++, item++) {
            strbuf_append(&y, "  - name: ");
            cap_name(&y, adjectives[a], nouns[n]);
            strbuf_printf(&y, "\n    say: [%s %s, %s %s sandwich]\n", adjectives[a], nouns[n],
                          adjectives[a], nouns[n]);
            if (item % 9 == 8) {   /* a combo: sandwich, and a soda to choose */
                strbuf_append(&y, "    price: 7.99\n    choose:\n      drink: [");
                for (int f = 0; f < 10; f++)
                    strbuf_printf(&y, "%s%c%s Soda", f ? ", " : "", flavours[f][0] - 'a' + 'A',
                                  flavours[f] + 1);
                strbuf_append(&y, "]\n");
                continue;
            }
            if (n % 2) strbuf_append(&y, "    sizes: {small: 3.49, medium: 4.49, large: 5.49}\n");
            else strbuf_append(&y, "    price: 4.99\n");
            /* 6 to 9 options from a window that moves with the item: almost
             * every item gets a set of its own */
            int k0 = (item * 7) % 20, nk = 6 + item % 4;
            strbuf_append(&y, "    options: [");
            for (int k = 0; k < nk; k++)
                strbuf_printf(&y, "%s%s", k ? ", " : "", options[(k0 + k) % 20]);
            strbuf_append(&y, "]\n");
        }
    for (int f = 0; f < 10; f++) {
        strbuf_printf(&y, "  - name: %c%s Soda\n    say: [%s soda, %s]\n",
                      flavours[f][0] - 'a' + 'A', flavours[f] + 1, flavours[f], flavours[f]);
        strbuf_append(&y, "    sizes: {small: 1.49, medium: 1.79, large: 2.09}\n"
                          "    options: [lemon]\n");
    }
    strbuf_append(&y, "options:\n");
    for (int k = 0; k < 20; k++) strbuf_printf(&y, "  - name: %s\n", options[k]);
    strbuf_append(&y, "  - name: lemon\n");
    return strbuf_steal(&y);
}

static int dbl_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The decoder taking the menu's words and grammar, as asr.c does. */
static int decoder_time(const menu_t *m, const cmudict_t *d)
{
    char hmm[4200];
    snprintf(hmm, sizeof hmm, "%s", cmudict_default_path());
    char *slash = strrchr(hmm, '/');
    if (slash) strcpy(slash, "/en-us");
    cmd_ln_t *cfg = cmd_ln_init(NULL, ps_args(), TRUE, "-hmm", hmm, "-dict", cmudict_default_path(),
                                "-logfn", "/dev/null", NULL);
    ps_decoder_t *ps = cfg ? ps_init(cfg) : NULL;
    if (!ps) {
        fprintf(stderr, "bench_grammar: cannot load the acoustic model %s\n", hmm);
        if (cfg) cmd_ln_free_r(cfg);
        return 1;
    }
    strlist_t words = {0}, phones = {0};
    char *g = menu_grammar(m);
    double a = now_ms();
    menu_lexicon(m, d, &words, &phones);
    int bad = 0;
    for (int i = 0; i < words.n; i++)
        bad |= ps_add_word(ps, words.v[i], phones.v[i], i == words.n - 1) < 0;
    /* jsgf_build_fsg + ps_set_fsg rather than ps_set_jsgf_string, which in
     * pocketsphinx 5prealpha leaks the parsed grammar on every call */
    jsgf_t *j = jsgf_parse_string(g, NULL);
    fsg_model_t *f = j ? jsgf_build_fsg(j, jsgf_get_rule(j, "kiosk.turn"), ps_get_logmath(ps),
                                        cmd_ln_float32_r(cfg, "-lw")) : NULL;
    int rc = f ? ps_set_fsg(ps, "menu", f) : -1;
    if (rc == 0) rc = ps_set_search(ps, "menu");
    double b = now_ms();
    printf("decoder: %d words taught; ps_add_word + JSGF parse + FSG build + ps_set_fsg + "
           "ps_set_search %.1f ms%s\n", words.n, b - a, rc || bad ? " (FAILED)" : "");
    fsg_model_free(f);
    if (j) jsgf_grammar_free(j);
    free(g);
    strlist_free(&words);
    strlist_free(&phones);
    ps_free(ps);
    cmd_ln_free_r(cfg);
    return rc || bad;
}

int main(int argc, char **argv)
{
    err_set_logfp(NULL);   /* sphinxbase logs every rule it defines */
    strlist_t errs = {0};
    int status = 0;

    /* the dictionary: loaded at start-up and by every `kiosk menu check` */
    double t_dict[RUNS], t0;
    cmudict_t *d = NULL;
    for (int r = 0; r < RUNS; r++) {
        cmudict_free(d);
        t0 = now_ms();
        d = cmudict_load(cmudict_default_path(), &errs);
        t_dict[r] = now_ms() - t0;
        if (!d) goto fail;
    }
    qsort(t_dict, RUNS, sizeof *t_dict, dbl_cmp);
    printf("dictionary: %s loaded in %.1f ms (median of %d; worst %.1f ms; limit 300 ms)\n",
           cmudict_default_path(), t_dict[RUNS / 2], RUNS, t_dict[RUNS - 1]);
    if (t_dict[RUNS / 2] > 300) printf("OVER: loading the dictionary takes more than 300 ms\n");

    menu_t *m;
    t0 = now_ms();
    if (argc > 1) {
        m = menu_load(argv[1], &errs);
    } else {
        char *yaml = synthetic_menu();
        m = menu_parse(yaml, strlen(yaml), "synthetic.yaml", &errs);
        free(yaml);
    }
    if (!m || menu_check_words(m, d, &errs) > 0) {
        menu_free(m);
        cmudict_free(d);
        goto fail;
    }
    double t_menu = now_ms() - t0;
    printf("menu: %s, %d items, %d options; parsed and word-checked in %.1f ms\n",
           argc > 1 ? argv[1] : "synthetic", m->nitems, m->noptions, t_menu);

    double total[RUNS], str[RUNS], parse[RUNS], build[RUNS], mini[RUNS];
    int states = 0, words = 0, min_states = 0;
    size_t bytes = 0;
    for (int r = 0; r < RUNS; r++) {
        double a = now_ms();
        char *g = menu_grammar(m);
        double b = now_ms();
        jsgf_t *j = jsgf_parse_string(g, NULL);
        double c = now_ms();
        jsgf_rule_t *rule = j ? jsgf_get_rule(j, "kiosk.turn") : NULL;
        logmath_t *lm = logmath_init(1.0001, 0, 0);
        fsg_model_t *f = rule ? jsgf_build_fsg(j, rule, lm, 1.0f) : NULL;
        double e = now_ms();
        char why[128];
        fsg_model_t *small = f ? fsg_minimize(f, why, sizeof why) : NULL;
        double e2 = now_ms();
        if (!f || !small) {
            fprintf(stderr, "bench_grammar: the grammar does not compile\n");
            status = 1;
        } else {
            states = fsg_model_n_state(f);
            words = fsg_model_n_word(f);
            min_states = fsg_model_n_state(small);
        }
        bytes = strlen(g);
        str[r] = b - a;
        parse[r] = c - b;
        build[r] = e - c;
        mini[r] = e2 - e;
        total[r] = e2 - a;
        if (small) fsg_model_free(small);
        fsg_model_free(f);
        logmath_free(lm);
        if (j) jsgf_grammar_free(j);
        free(g);
    }
    qsort(total, RUNS, sizeof *total, dbl_cmp);
    qsort(str, RUNS, sizeof *str, dbl_cmp);
    qsort(parse, RUNS, sizeof *parse, dbl_cmp);
    qsort(build, RUNS, sizeof *build, dbl_cmp);
    qsort(mini, RUNS, sizeof *mini, dbl_cmp);
    printf("grammar: %zu bytes, FSG of %d states (%d minimised) and %d distinct words\n", bytes,
           states, min_states, words);
    printf("compile (median of %d): string %.1f ms + JSGF parse %.1f ms + FSG build %.1f ms "
           "+ minimise %.1f ms = %.1f ms (worst %.1f ms; limit %.0f ms)\n", RUNS, str[RUNS / 2],
           parse[RUNS / 2], build[RUNS / 2], mini[RUNS / 2], total[RUNS / 2], total[RUNS - 1],
           LIMIT_MS);
    if (total[RUNS / 2] > LIMIT_MS)
        printf("OVER: compiling the grammar takes more than %.0f ms\n", LIMIT_MS);
    status |= decoder_time(m, d);
    menu_free(m);
    cmudict_free(d);
    strlist_free(&errs);
    return status;

fail:
    for (int i = 0; i < errs.n; i++) fprintf(stderr, "%s\n", errs.v[i]);
    strlist_free(&errs);
    return 1;
}
