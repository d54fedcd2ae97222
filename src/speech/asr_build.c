/* asr_build.c: the recogniser's decoders and searches, made once
 * (asr_create) and freed (asr_free); the answer grammar's search, made again
 * for each question (asr_set_answer).  Which search runs when: asr.h and
 * asr.c.
 *
 * Two decoders over the same acoustic model:
 *   the main decoder   "free" (general English trigram, with the human-phrase
 *                      model weighed in) and "loop" / "loop_wide" (any
 *                      sequence of the grammar's words); its dictionary is a
 *                      smaller vocabulary (below) and the menu's words;
 *   the grammar's      "phones", "menu", "nfa", "one" and "answer"; it knows
 *     decoder          only the grammar's words (copy_words), so it costs the
 *                      acoustic model again and its lexical trees but no
 *                      dictionary.  Without a menu there is no grammar's
 *                      decoder and "phones" goes on the main one.
 * and, only for a model ptm.c does not score, pocketsphinx's scorer with a
 * search "score" of silence alone (asr_scores.c).
 *
 * Every search decodes the turn as one whole utterance (full_utt: batch CMN
 * over the whole file, pauses included), so the same turn gives the same
 * words whether its searches share a decoder or not.  Two parts of the front
 * end that adapt across utterances are off, so that a turn decodes the same
 * whatever came before it: the voice activity detector (-remove_silence no:
 * the searches of one turn saw different frames) and the spectral noise
 * subtraction (-remove_noise no: a turn decoded after another scored
 * differently than alone, and it heard fewer espeak-ng turns right).
 *
 * A smaller vocabulary.  The whole CMU dictionary (134 723 pronunciations)
 * under the general model's 72 547 words costs 13 MB of dictionary and 17 MB
 * of lexical tree, and spreads the search over words no customer says at a
 * drive-through.  The free search knows the ASR_FREE_WORDS words of highest
 * unigram probability and every word of the menu's grammar
 * (write_free_dict(): a dictionary file written into the scores folder for
 * ps_init and removed at once; the whole dictionary when there is no
 * folder).  It is faster and as right, and the kiosk starts smaller.
 *
 * Requests for a person in the free search.  The general model finds "um i
 * need help" less likely than "oh minute though", and "is there a person
 * there" than "is there a third and error", so those turns paged
 * low_confidence rather than human_request.  A small bigram model of the
 * requests (menu_human_lm, asr_write_human_lm) is written into the scores folder and added
 * to the free search's set of models (add_human_lm).  The set mixes scores
 * after the language weight, so a weight of w^lw makes a word about
 * max(P_general, w * P_human) likely: w = ASR_HUMAN_LM_WEIGHT.  It also hears
 * "somebody" in a few garbled orders, which then page the crew.  The set
 * keeps the logmath it was read with: it must outlive the decoder (a->lmath,
 * freed after it).
 *
 * Settings.  pocketsphinx reads most of its settings when a search is made,
 * so each search is made with its own in force (settings_push) and the
 * configuration put back after (settings_pop).  The figures behind each
 * table are in src/DECISIONS.md. */
#include "asr_int.h"

#include <malloc.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sphinxbase/ckd_alloc.h>
#include <sphinxbase/err.h>
#include <sphinxbase/fsg_model.h>
#include <sphinxbase/hash_table.h>
#include <sphinxbase/jsgf.h>
#include <sphinxbase/ngram_model.h>

#include "../menu/lexicon.h"
#include "../util/util.h"
#include "fsgmin.h"

#define DEFAULT_MODEL_DIR "/usr/share/pocketsphinx/model/en-us"


/* Settings in force while one search is built (pocketsphinx reads them when
 * a search is created), then put back; cmd_ln keeps booleans as ints. */
typedef struct {
    const char *name;
    int is_float;
    double value;
} setting_t;

/* The grammar's searches decide the order, so they get wide beams: the
 * menu's grammar is large, and with the default beams the right path was
 * pruned on some turns, which then matched nothing at all.  Capping the
 * active HMMs a frame wins back some of the time with the same results.
 * Also "one" and "answer", so that the same words score the same in them. */
static const setting_t menu_settings[] = {
    { "-beam", 1, 1e-60 },
    { "-pbeam", 1, 1e-60 },
    { "-wbeam", 1, 1e-40 },
    { "-maxhmmpf", 0, 10000 },
};

/* The free search feeds the crew's screen and the early look for a request
 * for a person, not the order, so it trades a little accuracy for speed: no
 * second (flat-lexicon) pass, fewer active HMMs and word exits per frame
 * (about three times faster, the same word error rate). */
static const setting_t free_settings[] = {
    { "-fwdflat", 0, 0 },
    { "-maxhmmpf", 0, 2000 },
    { "-maxwpf", 0, 10 },
};

/* The grammar searched again, only when it found no path (asr_menu_widen):
 * the word beam as wide as the beam. */
static const setting_t menu_wide_settings[] = {
    { "-wbeam", 1, 1e-60 },
};

/* The word loop searched again, only when it found no path with the
 * default beams (set_loop). */
static const setting_t loop_wide_settings[] = {
    { "-wbeam", 1, 1e-40 },
};

/* The phone loop on context-independent phones: the triphone loop costs
 * about a hundred times more. */
static const setting_t phone_settings[] = {
    { "-allphone_ci", 0, 1 },
};

#define NSET(t) (sizeof (t) / sizeof (t)[0])
#define MAX_SETTINGS 4
_Static_assert(NSET(menu_settings) <= MAX_SETTINGS && NSET(free_settings) <= MAX_SETTINGS &&
               NSET(loop_wide_settings) <= MAX_SETTINGS && NSET(menu_wide_settings) <= MAX_SETTINGS &&
               NSET(phone_settings) <= MAX_SETTINGS, "raise MAX_SETTINGS");


static int readable(const char *path)
{
    return access(path, R_OK) == 0;
}

static void settings_push(cmd_ln_t *c, const setting_t *set, size_t n, double *saved)
{
    for (size_t i = 0; i < n; i++) {
        if (set[i].is_float) {
            saved[i] = cmd_ln_float_r(c, set[i].name);
            cmd_ln_set_float_r(c, set[i].name, set[i].value);
        } else {
            saved[i] = (double)cmd_ln_int_r(c, set[i].name);
            cmd_ln_set_int_r(c, set[i].name, (long)set[i].value);
        }
    }
}

static void settings_pop(cmd_ln_t *c, const setting_t *set, size_t n, const double *saved)
{
    for (size_t i = 0; i < n; i++) {
        if (set[i].is_float) cmd_ln_set_float_r(c, set[i].name, saved[i]);
        else cmd_ln_set_int_r(c, set[i].name, (long)saved[i]);
    }
}


/* When the grammar does not compile: the words pocketsphinx does not know,
 * which is nearly always why. */
static void explain_grammar(ps_decoder_t *ps, fsg_model_t *f, char *err, size_t errlen)
{
    strbuf_t b = {0};
    int shown = 0;
    for (int i = 0; f && i < fsg_model_n_word(f) && shown < 8; i++) {
        const char *w = fsg_model_word_str(f, i);
        if (asr_is_filler(w)) continue;
        char *ph = ps_lookup_word(ps, w);
        if (ph) {
            ckd_free(ph);
            continue;
        }
        strbuf_printf(&b, "%s%s", shown++ ? ", " : "", w);
    }
    if (shown)
        snprintf(err, errlen, "menu grammar: the decoder does not know %s; run `kiosk menu check` "
                 "on the menu and add pronunciations", strbuf_cstr(&b));
    else
        snprintf(err, errlen, "menu grammar: pocketsphinx could not compile it; see "
                 "`kiosk menu grammar` for the text");
    strbuf_free(&b);
}

/* Teaches the decoder the menu's own words.  Words it knows already (taught
 * by an earlier menu) are skipped; the searches are rebuilt once, with the
 * last word. */
static int teach_words(ps_decoder_t *ps, const strlist_t *words, const strlist_t *phones,
                       char *err, size_t errlen)
{
    strlist_t todo = {0}, todo_ph = {0};
    for (int i = 0; i < words->n && i < phones->n; i++) {
        char *have = ps_lookup_word(ps, words->v[i]);
        if (have) {
            ckd_free(have);
            continue;
        }
        strlist_push(&todo, words->v[i]);
        strlist_push(&todo_ph, phones->v[i]);
    }
    int ret = 0;
    for (int i = 0; i < todo.n && ret == 0; i++) {
        if (ps_add_word(ps, todo.v[i], todo_ph.v[i], i == todo.n - 1) < 0) {
            snprintf(err, errlen, "menu word \"%s\" (%s): the decoder refused its pronunciation; "
                     "run `kiosk menu check` on the menu", todo.v[i], todo_ph.v[i]);
            ret = -1;
        }
    }
    strlist_free(&todo);
    strlist_free(&todo_ph);
    return ret;
}

/* The grammar's words, each once, as JSGF alternatives ("a | an | two ...")
 * appended to b; returns how many. */
static int grammar_words(fsg_model_t *grammar, strbuf_t *b)
{
    int n = 0;
    strlist_t seen = {0};
    for (int i = 0; i < fsg_model_n_word(grammar); i++) {
        const char *w = fsg_model_word_str(grammar, i);
        if (asr_is_filler(w)) continue;
        /* "an(2)": the decoder tries every pronunciation of "an" anyway */
        char *base = xstrndup(w, strcspn(w, "("));
        if (strlist_index(&seen, base) < 0) {
            strbuf_printf(b, "%s%s", n++ ? " | " : "", base);
            strlist_push(&seen, base);
        }
        free(base);
    }
    strlist_free(&seen);
    return n;
}

/* The scorer's search, "score": silence alone, as little search as can be;
 * the decoder is there for its senone scores. */
static int set_scorer(asr_t *a)
{
    fsg_model_t *f = fsg_model_init("score", ps_get_logmath(a->sps), 1.0, 2);
    fsg_model_trans_add(f, 0, 1, 0, fsg_model_word_add(f, "<sil>"));
    f->start_state = 0;
    f->final_state = 1;
    int rc = ps_set_fsg(a->sps, "score", f);
    fsg_model_free(f);
    return rc;
}

/* The "loop" search: any sequence of the grammar's words, in any order.
 * Where the grammar's words are what was said, the loop mostly finds them
 * too; where the grammar forced its sentences onto sounds they do not fit,
 * the loop goes its own way.  Built with the decoder's default beams, on
 * decoder ps (configuration c, at its defaults then); on both decoders, so
 * that whichever thread is idle first runs it (asr.c, step 3).  *wide: the
 * "loop_wide" search was made too. */
static int set_loop(ps_decoder_t *ps, cmd_ln_t *c, fsg_model_t *grammar, int *wide, char *err,
                    size_t errlen)
{
    if (!grammar) {
        snprintf(err, errlen, "menu grammar: no grammar to build the word loop from");
        return -1;
    }
    strbuf_t b = {0};
    strbuf_append(&b, "#JSGF V1.0;\ngrammar loop;\npublic <loop> = <w>+;\n<w> = ");
    int n = grammar_words(grammar, &b);
    strbuf_append(&b, ";\n");
    jsgf_t *j = n ? jsgf_parse_string(strbuf_cstr(&b), NULL) : NULL;
    jsgf_rule_t *rule = j ? jsgf_get_public_rule(j) : NULL;
    fsg_model_t *f = rule ? jsgf_build_fsg(j, rule, ps_get_logmath(ps), cmd_ln_float32_r(c, "-lw")) : NULL;
    int ret = 0;
    *wide = 0;
    if (!f || ps_set_fsg(ps, "loop", f) < 0) {
        snprintf(err, errlen, "menu grammar: the loop over its %d words did not compile", n);
        ret = -1;
    } else {
        double saved[MAX_SETTINGS];
        settings_push(c, loop_wide_settings, NSET(loop_wide_settings), saved);
        *wide = ps_set_fsg(ps, "loop_wide", f) == 0;
        settings_pop(c, loop_wide_settings, NSET(loop_wide_settings), saved);
    }
    if (f) fsg_model_free(f);
    if (j) jsgf_grammar_free(j);
    strbuf_free(&b);
    return ret;
}

/* The grammar's decoder knows only the grammar's words: each, with every
 * pronunciation ("an", "an(2)"), as the main decoder has them (the CMU
 * dictionary and the menu's words taught to it). */
static int copy_words(asr_t *a, fsg_model_t *f)
{
    for (int i = 0; i < fsg_model_n_word(f); i++) {
        const char *w = fsg_model_word_str(f, i);
        if (asr_is_filler(w)) continue;
        char *have = ps_lookup_word(a->gps, w);
        if (have) {
            ckd_free(have);
            continue;
        }
        for (int k = 1;; k++) {
            char *name = k == 1 ? xstrdup(w) : xasprintf("%s(%d)", w, k);
            char *ph = ps_lookup_word(a->ps, name);
            int rc = ph ? ps_add_word(a->gps, name, ph, FALSE) : 0;
            if (ph) ckd_free(ph);
            free(name);
            if (!ph) break;
            if (rc < 0) return -1;
        }
    }
    return 0;
}

/* The FSG of JSGF text (its public rule) for the grammar's decoder, or NULL
 * when sphinxbase cannot parse it.  jsgf_parse_string + jsgf_build_fsg
 * rather than ps_set_jsgf_string, which in 5prealpha never frees the parsed
 * JSGF. */
static fsg_model_t *grammar_fsg(asr_t *a, const char *jsgf)
{
    jsgf_t *j = jsgf ? jsgf_parse_string(jsgf, NULL) : NULL;
    jsgf_rule_t *rule = j ? jsgf_get_public_rule(j) : NULL;
    fsg_model_t *f = rule ? jsgf_build_fsg(j, rule, ps_get_logmath(a->gps),
                                           cmd_ln_float32_r(a->gconfig, "-lw")) : NULL;
    if (j) jsgf_grammar_free(j);
    return f;
}

/* The "one" search (asr.c, "One item first"): menu_one_grammar() as
 * a deterministic FSG like "menu" (the same words must score the same in
 * both), with the menu's beams.  0, or -1: no such search. */
static int set_one(asr_t *a, const menu_t *m)
{
    char *g = menu_one_grammar(m);
    fsg_model_t *f = grammar_fsg(a, g);
    char why[128];
    fsg_model_t *small = f ? fsg_minimize(f, why, sizeof why) : NULL;
    int ret = -1;
    if (small) {
        double saved[MAX_SETTINGS];
        settings_push(a->gconfig, menu_settings, NSET(menu_settings), saved);
        ret = ps_set_fsg(a->gps, "one", small);
        settings_pop(a->gconfig, menu_settings, NSET(menu_settings), saved);
        fsg_model_free(small);
    }
    if (f) fsg_model_free(f);
    free(g);
    return ret;
}

static int set_grammar(asr_t *a, const menu_t *m, char *err, size_t errlen)
{
    char *g = menu_grammar(m);
    fsg_model_t *f = grammar_fsg(a, g);
    char why[128];
    fsg_model_t *small = f ? fsg_minimize(f, why, sizeof why) : NULL;
    int ret = 0;
    if (!f) {
        snprintf(err, errlen, "menu grammar: sphinxbase could not parse it; see "
                 "`kiosk menu grammar` for the text");
        ret = -1;
    } else if (copy_words(a, f) < 0 || ps_set_fsg(a->gps, "menu", small ? small : f) < 0) {
        explain_grammar(a->gps, f, err, errlen);
        ret = -1;
    } else if (small) {                /* see ASR_NFA_MAX_MS; the menu's wide beams */
        a->has_nfa = ps_set_fsg(a->gps, "nfa", f) == 0;
    }
    if (small) fsg_model_free(small);  /* the searches keep their own references */
    if (f) fsg_model_free(f);
    free(g);
    if (ret == 0 && a->one_bonus > 0) a->has_one = set_one(a, m) == 0;
    return ret;
}

typedef struct {
    int32 wid, score;
} word_score_t;

static int by_score(const void *x, const void *y)
{
    const word_score_t *a = x, *b = y;
    return (b->score > a->score) - (b->score < a->score);
}

/* Writes to out the lines of the pronunciation dictionary model_dict (the
 * CMU dictionary of pocketsphinx-en-us, alternates included) for the
 * ASR_FREE_WORDS most probable words of lmodel and every word of m's
 * grammar: the free search's vocabulary.  0, or -1 when a file failed. */
static int write_free_dict(const char *model_dict, ngram_model_t *lmodel, const menu_t *m,
                           const char *out)
{
    int n = (int)ngram_model_get_counts(lmodel)[0];
    word_score_t *v = xmalloc((size_t)(n > 0 ? n : 1) * sizeof *v);
    for (int i = 0; i < n; i++) {
        int32 used;
        v[i].wid = i;
        v[i].score = ngram_ng_score(lmodel, i, NULL, 0, &used);
    }
    qsort(v, (size_t)n, sizeof *v, by_score);
    hash_table_t *keep = hash_table_new(2 * ASR_FREE_WORDS, HASH_CASE_YES);
    for (int i = 0; i < n && i < ASR_FREE_WORDS; i++)
        hash_table_enter_int32(keep, ngram_word(lmodel, v[i].wid), 1);
    free(v);
    /* the grammar's words: its text outside <rules> and // comments */
    strlist_t gw = {0};
    char *g = menu_grammar(m);
    for (const char *p = g ? g : ""; *p;) {
        if (p[0] == '/' && p[1] == '/') {
            while (*p && *p != '\n') p++;
        } else if (*p == '<') {
            while (*p && *p != '>') p++;
        } else if ((*p >= 'a' && *p <= 'z') || *p == '\'') {
            const char *s = p;
            while ((*p >= 'a' && *p <= 'z') || *p == '\'') p++;
            char *w = xstrndup(s, (size_t)(p - s));
            strlist_push(&gw, w);
            free(w);
            continue;
        }
        if (*p) p++;
    }
    free(g);
    for (int i = 0; i < gw.n; i++) hash_table_enter_int32(keep, gw.v[i], 1);

    int rc = -1;
    FILE *in = fopen(model_dict, "r"), *o = fopen(out, "w");
    if (in && o) {
        char line[1024];
        while (fgets(line, sizeof line, in)) {
            size_t len = strcspn(line, " \t(");
            char c = line[len];
            line[len] = '\0';
            int32 yes;
            int found = hash_table_lookup_int32(keep, line, &yes) == 0;
            line[len] = c;
            if (found) fputs(line, o);
        }
        rc = ferror(in) ? -1 : 0;
    }
    if (in) fclose(in);
    if (o && fclose(o) != 0) rc = -1;
    hash_table_free(keep);
    strlist_free(&gw);
    return rc;
}

int asr_write_human_lm(const menu_t *m, const char *path)
{
    strbuf_t b = {0};
    menu_human_lm(m, &b);
    FILE *f = fopen(path, "w");
    int rc = f && fwrite(b.s, 1, b.len, f) == b.len ? 0 : -1;
    if (f && fclose(f) != 0) rc = -1;
    strbuf_free(&b);
    return rc;
}

/* Weighs the human-phrase model (menu_human_lm) into the free search's
 * language model set at ASR_HUMAN_LM_WEIGHT (see the top); the set keeps
 * the general model's words.  Nothing changes when the model cannot be
 * written into the scores folder. */
static void add_human_lm(asr_t *a, const menu_t *m, logmath_t *lmath)
{
    double wt = ASR_HUMAN_LM_WEIGHT;
    const char *e = getenv("KIOSK_HUMAN_LM_WEIGHT");
    if (e && *e) wt = atof(e);
    ngram_model_t *set = ps_get_lm(a->ps, "free");
    if (!(wt > 0 && wt < 1) || !a->sendir || !set) return;
    char *path = xasprintf("%s/human.arpa", a->sendir);
    ngram_model_t *h = asr_write_human_lm(m, path) == 0
        ? ngram_model_read(a->config, path, NGRAM_ARPA, lmath) : NULL;
    unlink(path);
    free(path);
    if (!h) return;
    float32 lw = cmd_ln_float32_r(a->config, "-lw");
    ngram_model_apply_weights(h, lw, cmd_ln_float32_r(a->config, "-wip"));
    /* The set mixes the models' scores after the language weight: as
     * probabilities, P_general^lw + w * P_human^lw, which is about
     * max(P_general, wt * P_human)^lw when w = wt^lw.  ngram_model_set_add
     * weighs a model in at its weight / (the number of models). */
    ngram_model_set_add(set, h, "human", (float32)(2 * pow(wt, lw)), TRUE);
    ngram_model_set_interp(set, NULL, NULL);
}

asr_t *asr_create(const asr_config_t *cfg, const menu_t *m, const cmudict_t *d,
                  char *err, size_t errlen)
{
    if (m && !d) {
        snprintf(err, errlen, "asr_create: a menu needs the CMU dictionary (cmudict_load)");
        return NULL;
    }
    strlist_t words = {0}, phones = {0};
    if (m) menu_lexicon(m, d, &words, &phones);
    asr_t *a = asr_create_lex(cfg, m, m ? &words : NULL, m ? &phones : NULL, err, errlen);
    strlist_free(&words);
    strlist_free(&phones);
    return a;
}

/* pocketsphinx's log lines go nowhere (every configuration here says
 * -logfn /dev/null), and through a callback that touches no FILE: ps_init's
 * -logfn opens a new log FILE and closes the one before, which another
 * thread's decoder may be writing to at that moment.  With the callback, a
 * recogniser can be built while another decodes (a menu reloaded under a
 * running kiosk, src/kiosk/menu_watch.c).  Set once, by the first recogniser,
 * before any of them decodes. */
static void no_log(void *user_data, err_lvl_t lvl, const char *fmt, ...)
{
    (void)user_data;
    (void)lvl;
    (void)fmt;
}

static void logs_off(void)
{
    err_set_callback(no_log, NULL);
}

asr_t *asr_create_lex(const asr_config_t *cfg, const menu_t *m, const strlist_t *words,
                      const strlist_t *phones, char *err, size_t errlen)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, logs_off);
    const char *dir = cfg && cfg->model_dir ? cfg->model_dir : NULL;
    if (!dir || !*dir) dir = getenv("KIOSK_MODEL_DIR");
    if (!dir || !*dir) dir = DEFAULT_MODEL_DIR;

    asr_t *a = xcalloc(1, sizeof *a);
    pthread_mutex_init(&a->senmu, NULL);
    pthread_cond_init(&a->sencv, NULL);
    a->senstate = SCORES_NONE;     /* until a turn's scorer writes them */
    a->free_pass = cfg ? cfg->free_pass : 1;
    a->one_thread = cfg ? cfg->one_thread : 0;
    a->loop_on = cfg ? cfg->loop_on : 0;
    a->menu_again = cfg ? !cfg->no_menu_again : 1;
    const char *ob = getenv("KIOSK_ONE_BONUS");
    a->one_bonus = ob && *ob ? strtol(ob, NULL, 10) : ASR_ONE_BONUS;
    char *hmm = xasprintf("%s/en-us", dir);
    char *mdef = xasprintf("%s/mdef", hmm);
    char *dictf = xasprintf("%s/cmudict-en-us.dict", dir);
    char *lm = xasprintf("%s/en-us.lm.bin", dir);
    char *plm = xasprintf("%s/en-us-phone.lm.bin", dir);
    double saved[MAX_SETTINGS], menu_saved[MAX_SETTINGS];
    logmath_t *lmath = NULL;
    ngram_model_t *lmodel = NULL;
    if (m && (!words || !phones)) {
        snprintf(err, errlen, "asr_create: a menu needs its words' pronunciations (menu_lexicon)");
        goto err;
    }
    const char *missing = !readable(mdef) ? mdef : !readable(dictf) ? dictf
                        : !readable(lm) ? lm : !readable(plm) ? plm : NULL;
    if (missing) {
        snprintf(err, errlen, "%s: speech model file missing; install pocketsphinx-en-us "
                 "(make deps) or set KIOSK_MODEL_DIR to a folder that has it", missing);
        goto err;
    }
    if (m) asr_scores_open(a);     /* the folder for the shared scores (asr_scores.c) */
    /* the free search's vocabulary (see the top), written into that folder */
    char *free_dict = m && a->free_pass && a->sendir ? xasprintf("%s/free.dict", a->sendir) : NULL;
    a->config = cmd_ln_init(NULL, ps_args(), TRUE, "-hmm", hmm, "-dict", free_dict ? free_dict : dictf,
                            "-logfn", "/dev/null", "-remove_silence", "no", "-remove_noise", "no",
                            "-pl_window", "0",
                            NULL);
    if (!a->config) {
        free(free_dict);
        snprintf(err, errlen, "%s: pocketsphinx rejected its configuration", dir);
        goto err;
    }
    if (free_dict) {
        err_set_logfp(NULL);   /* what ps_init's -logfn does, before it runs */
        lmath = logmath_init(cmd_ln_float32_r(a->config, "-logbase"), 0, 0);
        lmodel = ngram_model_read(a->config, lm, NGRAM_AUTO, lmath);
        if (!lmodel) {
            free(free_dict);
            snprintf(err, errlen, "%s: language model did not load; reinstall pocketsphinx-en-us "
                     "(make deps)", lm);
            goto err;
        }
        if (write_free_dict(dictf, lmodel, m, free_dict) < 0)
            cmd_ln_set_str_r(a->config, "-dict", dictf);   /* the whole dictionary, then */
    }
    a->ps = ps_init(a->config);
    if (free_dict) {
        unlink(free_dict);
        free(free_dict);
    }
    if (!a->ps) {
        snprintf(err, errlen, "%s: the speech model did not load (damaged?); reinstall "
                 "pocketsphinx-en-us (make deps)", hmm);
        goto err;
    }

    /* The free search first, so that the menu's words join its language model
     * too (ps_add_word adds them to every n-gram search), and with its own
     * settings in force while it is built and rebuilt by ps_add_word. */
    if (a->free_pass) {
        settings_push(a->config, free_settings, NSET(free_settings), saved);
        int rc = lmodel ? ps_set_lm(a->ps, "free", lmodel) : ps_set_lm_file(a->ps, "free", lm);
        if (rc < 0) {
            settings_pop(a->config, free_settings, NSET(free_settings), saved);
            snprintf(err, errlen, "%s: language model did not load; reinstall pocketsphinx-en-us "
                     "(make deps)", lm);
            goto err;
        }
        rc = m ? teach_words(a->ps, words, phones, err, errlen) : 0;
        settings_pop(a->config, free_settings, NSET(free_settings), saved);
        if (rc < 0) goto err;
    } else if (m && teach_words(a->ps, words, phones, err, errlen) < 0) {
        goto err;
    }

    if (m) {
        /* its own decoder, with only the menu's words and the wide beams */
        a->gconfig = cmd_ln_init(NULL, ps_args(), TRUE, "-hmm", hmm, "-logfn", "/dev/null",
                                 "-remove_silence", "no", "-remove_noise", "no", NULL);
        if (a->gconfig) settings_push(a->gconfig, menu_settings, NSET(menu_settings), menu_saved);
        a->gps = a->gconfig ? ps_init(a->gconfig) : NULL;
        if (!a->gps) {
            snprintf(err, errlen, "%s: the speech model did not load for the menu grammar; "
                     "reinstall pocketsphinx-en-us (make deps)", hmm);
            goto err;
        }
        /* the scorer, which scores every senone of the turn once, for every
         * search (asr_scores.c): ptm.c, with the grammar
         * decoder's configuration (the same front end and model); when the
         * model is not one ptm.c scores, a decoder of pocketsphinx's own */
        char why[256] = "asked for";
        if (a->sendir && !(cfg && cfg->ps_scorer)) a->ptm = ptm_open(a->gconfig, why, sizeof why);
        if (a->ptm) snprintf(a->scorer, sizeof a->scorer, "ptm.c");
        else if (a->sendir) snprintf(a->scorer, sizeof a->scorer, "pocketsphinx (%s)", why);
        if (a->sendir && !a->ptm) {
            a->sconfig = cmd_ln_init(NULL, ps_args(), TRUE, "-hmm", hmm, "-logfn", "/dev/null",
                                     "-remove_silence", "no", "-remove_noise", "no",
                                     "-compallsen", "yes", "-senlogdir", a->sendir, NULL);
            a->sps = a->sconfig ? ps_init(a->sconfig) : NULL;
            if (!a->sps || set_scorer(a) < 0) {
                snprintf(err, errlen, "%s: the speech model did not load for scoring the turn; "
                         "reinstall pocketsphinx-en-us (make deps)", hmm);
                goto err;
            }
        }
        if (set_grammar(a, m, err, errlen) < 0 ||
            set_loop(a->ps, a->config, ps_get_fsg(a->gps, "menu"), &a->has_loop_wide, err, errlen) < 0)
            goto err;
        a->has_menu = 1;
    }

    /* the phone loop with the decoder's default beams and phone_settings,
     * on the grammar's decoder when there is one (it runs on that thread) */
    ps_decoder_t *pps = a->gps ? a->gps : a->ps;
    cmd_ln_t *pcfg = a->gps ? a->gconfig : a->config;
    if (a->gps) settings_pop(a->gconfig, menu_settings, NSET(menu_settings), menu_saved);
    settings_push(pcfg, phone_settings, NSET(phone_settings), saved);
    int rc = ps_set_allphone_file(pps, "phones", plm);
    settings_pop(pcfg, phone_settings, NSET(phone_settings), saved);
    if (rc < 0) {
        snprintf(err, errlen, "%s: phone language model did not load; reinstall "
                 "pocketsphinx-en-us (make deps)", plm);
        goto err;
    }
    a->phones_ps = pps;
    if (a->gps) {                  /* its configuration at the defaults again, as the main's */
        int wide = 0;
        if (set_loop(a->gps, a->gconfig, ps_get_fsg(a->gps, "menu"), &wide, err, errlen) < 0) goto err;
        a->has_loop_wide = a->has_loop_wide && wide;
    }
    if (m && lmath && a->free_pass) add_human_lm(a, m, lmath);
    ngram_model_free(lmodel);      /* the free search keeps its own reference */
    a->lmath = lmath;              /* the set of models mixes on it at every turn */
    free(hmm); free(mdef); free(dictf); free(lm); free(plm);
    return a;
err:
    ngram_model_free(lmodel);
    logmath_free(lmath);
    free(hmm); free(mdef); free(dictf); free(lm); free(plm);
    asr_free(a);
    return NULL;
}

const char *asr_scorer(asr_t *a)
{
    return a->scorer[0] ? a->scorer : "each pass";
}

int asr_free_knows(asr_t *a, const char *word)
{
    char *ph = a && a->ps && word ? ps_lookup_word(a->ps, word) : NULL;
    if (!ph) return 0;
    ckd_free(ph);
    return 1;
}

int asr_set_answer(asr_t *a, const char *jsgf, char *err, size_t errlen)
{
    if (!a->has_menu) return 0;
    if (jsgf && a->answer_jsgf && strcmp(jsgf, a->answer_jsgf) == 0) return 0;
    if (!jsgf && !a->answer_jsgf) return 0;
    asr_menu_join(a);                  /* the grammar's thread may still be searching */
    if (a->answer_jsgf) {
        ps_unset_search(a->gps, "answer");
        free(a->answer_jsgf);
        a->answer_jsgf = NULL;
    }
    if (!jsgf) return 0;
    fsg_model_t *f = grammar_fsg(a, jsgf);
    int ret = -1;
    if (!f) {
        snprintf(err, errlen, "answer grammar: sphinxbase could not parse it");
    } else if (copy_words(a, f) < 0) {
        snprintf(err, errlen, "answer grammar: a word the decoder cannot be taught");
    } else {
        /* deterministic, like "menu": the same words then score the same in
         * both searches, which the choice between them relies on (with
         * sphinxbase's FSG they scored 0-400 worse here); the menu's beams */
        char why[128];
        fsg_model_t *small = fsg_minimize(f, why, sizeof why);
        double saved[MAX_SETTINGS];
        settings_push(a->gconfig, menu_settings, NSET(menu_settings), saved);
        ret = ps_set_fsg(a->gps, "answer", small ? small : f);
        if (small) fsg_model_free(small);
        settings_pop(a->gconfig, menu_settings, NSET(menu_settings), saved);
        if (ret < 0) explain_grammar(a->gps, f, err, errlen);
        else a->answer_jsgf = xstrdup(jsgf);
    }
    if (f) fsg_model_free(f);
    return ret < 0 ? -1 : 0;
}

void asr_free(asr_t *a)
{
    if (!a) return;
    asr_menu_join(a);
    /* pocketsphinx 5prealpha's allphone_search_free() forgets the phone
     * segments of the last utterance (a later version frees them); an empty
     * utterance makes the search drop them first. */
    if (a->phones_ps && ps_set_search(a->phones_ps, "phones") == 0 &&
        ps_start_utt(a->phones_ps) == 0)
        ps_end_utt(a->phones_ps);
    if (a->ps) ps_free(a->ps);
    logmath_free(a->lmath);
    if (a->config) cmd_ln_free_r(a->config);
    if (a->gps) ps_free(a->gps);
    if (a->gconfig) cmd_ln_free_r(a->gconfig);
    ptm_close(a->ptm);
    if (a->sps) ps_free(a->sps);
    if (a->sconfig) cmd_ln_free_r(a->sconfig);
    free(a->heard);
    free(a->free_text);
    free(a->loop_text);
    free(a->job.heard);
    free(a->nfa_text);
    free(a->answer_text);
    free(a->job.answer);
    free(a->job.loop_text);
    free(a->answer_jsgf);
    asr_scores_close(a);
    free(a->sendir);
    free(a->senfile);
    pthread_mutex_destroy(&a->senmu);
    pthread_cond_destroy(&a->sencv);
    free(a->span);
    free(a->buf);
    free(a);
}


/* The grammar's search made again as "name" with settings set on top of
 * menu_settings: the search it replaces ("menu" or "menu_wide") is freed
 * first, so that the two lexical trees (50 MB for burger.yaml) are never
 * held at once.  The FSG is the same object: pocketsphinx added its
 * silences and alternate pronunciations the first time and does not add
 * them again.  0, or -1 with no grammar search left. */
static int menu_remake(asr_t *a, const char *from, const char *name, const setting_t *set,
                       size_t n)
{
    fsg_model_t *f = ps_get_fsg(a->gps, from);
    if (!f) return -1;
    fsg_model_retain(f);
    ps_unset_search(a->gps, from);
    malloc_trim(0);            /* the freed tree back to the system: this thread allocates the
                                  new one from its own arena, which cannot reuse it */
    double menu_saved[MAX_SETTINGS], saved[MAX_SETTINGS];
    settings_push(a->gconfig, menu_settings, NSET(menu_settings), menu_saved);
    settings_push(a->gconfig, set, n, saved);
    int rc = ps_set_fsg(a->gps, name, f);
    settings_pop(a->gconfig, set, n, saved);
    settings_pop(a->gconfig, menu_settings, NSET(menu_settings), menu_saved);
    fsg_model_free(f);
    return rc;
}

int asr_menu_widen(asr_t *a)
{
    return menu_remake(a, "menu", "menu_wide", menu_wide_settings, NSET(menu_wide_settings));
}

int asr_menu_narrow(asr_t *a)
{
    return menu_remake(a, "menu_wide", "menu", NULL, 0);
}
