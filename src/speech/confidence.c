/* confidence.c: see confidence.h.
 *
 * confidence = the lower of two logistic models,
 *   1 / (1 + exp(-(intercept + sum of coef[i] * feature[i]))),
 * one fitted on the espeak-ng set and the real recordings together
 * (confidence_coef.h), one on the espeak-ng set alone (confidence_coef_synth.h).
 * The joint model knows real speakers, whose free-pass text is poor even when
 * the grammar is right, so it leans on the word loop; the synthetic one has
 * seen the off-menu turns (questions, chatter, other chains' items, noises)
 * the real set lacks, and leans on the free text.  A turn is trusted only as
 * far as both trust it (src/DECISIONS.md has the figures).
 *
 * The coefficients are fitted by tests/speech/fit_confidence.py (logistic
 * regression, label: what was heard is what was said); README.md of
 * tests/speech says how to refit them.  Features out of their usual range are clamped first so
 * that one wild value (a score of -1e9 from a broken pass) cannot swing the
 * result past what the fit saw. */
#include "confidence.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../util/util.h"
#include "confidence_coef.h"
#include "confidence_coef_synth.h"

const char *const conf_feature_names[CF_N] = {
    "mean", "worst", "coverage", "loop_agree", "free_agree", "snr", "clipped", "seconds",
    "loop_margin", "loop_worst", "word_peak",
};

/* The range each feature is clamped to before it is weighed. */
static const double lo[CF_N] = { -400, -400, 0, 0, 0, 0, 0, 0, -400, -400, -60 };
static const double hi[CF_N] = { 100, 100, 1, 1, 1, 80, 1, 20, 100, 100, 0 };

static double logistic(double intercept, const double coef[CF_N], const double f[CF_N])
{
    double z = intercept;
    for (int i = 0; i < CF_N; i++) {
        double v = f[i];
        if (!(v >= lo[i])) v = lo[i];          /* NaN too */
        if (v > hi[i]) v = hi[i];
        z += coef[i] * v;
    }
    return 1.0 / (1.0 + exp(-z));
}

double conf_calibrate(const double f[CF_N])
{
    double joint = logistic(conf_intercept, conf_coef, f);
    double synth = logistic(conf_synth_intercept, conf_synth_coef, f);
    return joint < synth ? joint : synth;
}

static const char *const function_words[] = {
    "a", "an", "the", "and", "with", "i", "i'd", "i'll", "i'm", "like", "can", "get", "please",
    "to", "of", "some", "me", "have", "want", "would", "will", "could", "uh", "um", "it", "that",
    "make", "let", "give", "just", "also", "one", NULL,
};

static int is_function_word(const char *w)
{
    for (int i = 0; function_words[i]; i++)
        if (strcmp(w, function_words[i]) == 0) return 1;
    return 0;
}

/* Joins adjacent words of l whose concatenation is a word of other
 * ("cheese burger" -> "cheeseburger" when other has "cheeseburger"). */
static void join_compounds(strlist_t *l, const strlist_t *other)
{
    strlist_t out = {0};
    for (int i = 0; i < l->n; i++) {
        if (i + 1 < l->n) {
            char *j = xasprintf("%s%s", l->v[i], l->v[i + 1]);
            if (strlist_index(other, j) >= 0) {
                strlist_push(&out, j);
                free(j);
                i++;
                continue;
            }
            free(j);
        }
        strlist_push(&out, l->v[i]);
    }
    strlist_free(l);
    *l = out;
}

double conf_agreement(const char *want, const char *have, int skip_function_words)
{
    strlist_t w = {0}, h = {0};
    split_words(want ? want : "", &w);
    split_words(have ? have : "", &h);
    join_compounds(&w, &h);
    join_compounds(&h, &w);
    /* the words of want that count */
    strlist_t k = {0};
    for (int i = 0; i < w.n; i++)
        if (!skip_function_words || !is_function_word(w.v[i])) strlist_push(&k, w.v[i]);
    double result = 1.0;
    if (k.n > 0) {
        /* longest common subsequence of k and h */
        int *prev = xcalloc((size_t)h.n + 1, sizeof *prev), *cur = xcalloc((size_t)h.n + 1, sizeof *cur);
        for (int i = 1; i <= k.n; i++) {
            for (int j = 1; j <= h.n; j++) {
                if (strcmp(k.v[i - 1], h.v[j - 1]) == 0) cur[j] = prev[j - 1] + 1;
                else cur[j] = prev[j] > cur[j - 1] ? prev[j] : cur[j - 1];
            }
            int *t = prev;
            prev = cur;
            cur = t;
        }
        result = (double)prev[h.n] / k.n;
        free(prev);
        free(cur);
    }
    strlist_free(&w);
    strlist_free(&h);
    strlist_free(&k);
    return result;
}
