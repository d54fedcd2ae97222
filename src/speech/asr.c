/* asr.c: one customer turn through the recogniser's searches (asr.h), on two
 * threads.  The decoders and searches are made in asr_build.c, the shared
 * scores in asr_scores.c, the evidence's arithmetic in evidence.c.
 *
 * A turn, in order (asr_decode_early; the steps are numbered there too):
 *      silence?  No 25 ms stretch above -55 dBFS: nothing was said, no search.
 *   0. a dithered copy of the turn (below: "Digital silence"), then the
 *      grammar's thread starts (menu_main): the scorer (asr_scores.c), the
 *      phone loop "phones", the grammar "menu" (again as "menu_wide" when it
 *      finds no path), "one" when "menu" heard more than one item, "answer"
 *      when a question is pending; the heard words weighed against the phone
 *      loop there.
 *   1. meanwhile, on the caller's thread, once the scores are written: "free",
 *      general English; early() may take a request for a person in it, and
 *      the call returns at once, the grammar's thread left to finish.
 *   2. (without a menu, the phone loop here instead.)
 *   3. "loop", any sequence of the grammar's words (again as "loop_wide"
 *      when it finds no path: then it would have no second opinion), on
 *      whichever thread is done first: both decoders have it, and give the
 *      same words and scores.  Not when the grammar heard nothing (its words
 *      are weighed against the loop's, and there are none).
 *   4. the grammar's thread joined; words forced onto noise are dropped
 *      (below: "No speech").
 *   5. the calibrated confidence (conf_calibrate) from all of the evidence.
 *   6. "nfa" on a short turn the grammar is not sure of (ASR_NFA_MAX_MS), on
 *      the grammar's decoder, idle by then.
 * The live kiosk waits for all of it after the customer stops speaking, so
 * the two decoders share the work on the two cores as evenly as it goes:
 * "free" is the longest search by far, and the loop goes to the thread idle
 * first.  "free"
 * comes first on its thread because it finds what the grammar cannot ("uh do
 * you have tacos... let me talk to someone"), and the page then goes out
 * without waiting for the rest.
 *
 * No speech.  Nothing was said when no 25 ms stretch of the turn is above
 * -55 dBFS (a voice at the post is 20 dB or more above it; batch CMN takes
 * the level away, so the decoder alone cannot tell near-silence from
 * speech), or when both the phone loop finds nothing but silence and noise
 * fillers (SIL, +NSN+, +SPN+) and the grammar heard nothing or heard it with
 * a margin's confidence below NOISE_CONF.  Then heard and free_text are ""
 * and confidence 0.  Either test alone is not enough: the grammar, with its
 * wide beams, "hears" "no" or "yeah" in steady noise (white, pink, brown,
 * hum, tones: the phone loop found only SIL in all of them), and the
 * context-independent phone loop explained one whole espeak-ng turn ("make
 * it a venti") as SIL.
 *
 * Digital silence.  Synthesised or gated audio has runs of exact zeros whose
 * log energy is -inf; the decoder then loses words next to them.  A
 * triangular dither of +-63 LSB (about -62 dBFS RMS, the noise floor of a
 * quiet real microphone), from a fixed seed per turn, is added to a copy of
 * the turn: the same turn always decodes the same way (sphinx's own -dither
 * seeds its generator from the clock, once, and lets it run on across
 * searches and turns).
 *
 * The grammar again.  Sometimes the grammar's search finds no path to the
 * grammar's end ("Final result does not match the grammar"), so heard would
 * be "" and a plain "a large latte" page out_of_menu: the quiet after the
 * turn taken for the start of a word, and every path that ended the
 * sentence more than the word beam behind it.  A wider word beam finds them,
 * but costs time and memory on every turn; so only a turn with no path is
 * searched again with it (asr_menu_widen: the search freed and made again
 * from the same FSG, so that two lexical trees are never held at once, then
 * made back).  Not when the free search took a request for a person (nobody
 * reads the grammar then: the grammar's thread waits for the free search's
 * verdict, job.verdict; without the wait, the next turn waited for a search
 * nobody needed), nor when the phone loop heard no speech.  "nfa" has the
 * same word beam and is not searched again.
 *
 * The answer first.  After "What size?", "Which drink?" or "Is that right?"
 * the customer mostly answers in a word or two, and the whole menu's
 * grammar, thousands of sentences wide, is a poor place to look for one
 * word: its beams and HMM cap prune the answer's path, or a longer sentence
 * wins.  So the caller hands over a small grammar of the answers
 * (asr_set_answer) and it is searched after "menu" from the same scores, as
 * a deterministic FSG like "menu" (as sphinxbase builds it, the same words
 * score worse than in "menu", which made the two incomparable).  Every
 * answer is a menu sentence too, and neither grammar has weights, so the
 * answer's words are taken only when its best path is no worse than the menu
 * grammar's both in acoustic score (fillers and silence included, over the
 * same frames) and in path score: then the menu search lost a path it should
 * have found.  Otherwise the menu grammar's words stand, so corrections and
 * new orders are heard as before; and when the menu grammar heard nothing
 * the answer is not taken either.  The acoustic score alone is not enough: in
 * noise an answer grammar's word can fit the sounds better and still be far
 * worse as a path, and would set the size silently.
 *
 * One item first.  Neither grammar has weights, so the menu grammar's best
 * path is simply the sentence that fits the sounds best, and in noise that
 * is often an order with more in it than was said: kitchen noise heard as a
 * second item.  Drive-through turns are mostly one item, so that sentence
 * deserves a prior the menu grammar cannot give.  When the menu grammar's
 * words are more than one item (fsg_accepts() on the "one" search's FSG says
 * no), the turn is searched again with menu_one_grammar(), the same
 * sentences but one item at most, and its words are taken when its path
 * score is at most ASR_ONE_BONUS worse: a second item really said costs the
 * one-item path far more than that, a second item made of noise much less.
 * A turn already of one item costs nothing more.
 *
 * Words taken from "answer" or "one" go through the same confidence and
 * threshold as any other.  Ownership: result strings belong to the asr_t
 * until the next decode. */
#include "asr_int.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sphinxbase/fsg_model.h>

#include "../audio/wav.h"
#include "../util/util.h"
#include "fsgmin.h"

#define MAX_TURN_SECONDS 120
#define NOISE_CONF 0.05

double asr_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Words from the decoder that are not words the customer said. */
int asr_is_filler(const char *w)
{
    return w[0] == '<' || w[0] == '[' || w[0] == '+' || w[0] == '(' || w[0] == '\0';
}

/* A hypothesis without fillers and without alternate-pronunciation marks
 * ("coke(2)" -> "coke"), words separated by single spaces. */
char *asr_clean_hyp(const char *hyp)
{
    strbuf_t b = {0};
    strbuf_append(&b, "");
    if (!hyp) return strbuf_steal(&b);
    const char *p = hyp;
    while (*p) {
        while (*p == ' ') p++;
        const char *s = p;
        while (*p && *p != ' ') p++;
        size_t len = (size_t)(p - s);
        if (len == 0) break;
        char *w = xstrndup(s, len);
        if (!asr_is_filler(w)) {
            char *paren = strchr(w, '(');
            if (paren && paren != w) *paren = '\0';
            if (b.len) strbuf_append(&b, " ");
            strbuf_append(&b, w);
        }
        free(w);
    }
    return strbuf_steal(&b);
}

void asr_menu_join(asr_t *a)
{
    if (a->job.running) pthread_join(a->job.thread, NULL);
    a->job.running = 0;
    free(a->job.energy);
    a->job.energy = NULL;
}

int asr_searched_again(asr_t *a)
{
    asr_menu_join(a);
    return a->searched_again;
}

/* The two threads' hand-overs (a->senstate, job.verdict), under senmu and
 * signalled on sencv: *state := v, and the value *state takes once it is no
 * longer pending. */
void asr_sync_set(asr_t *a, int *state, int v)
{
    pthread_mutex_lock(&a->senmu);
    *state = v;
    pthread_cond_broadcast(&a->sencv);
    pthread_mutex_unlock(&a->senmu);
}

int asr_sync_wait(asr_t *a, const int *state, int pending)
{
    pthread_mutex_lock(&a->senmu);
    while (*state == pending) pthread_cond_wait(&a->sencv, &a->senmu);
    int v = *state;
    pthread_mutex_unlock(&a->senmu);
    return v;
}

/* One pass of search name over the turn: from the turn's scores when there
 * are (asr_scores_for), else from the audio.  Returns the hypothesis (owned by
 * the decoder) or NULL; *score its path score. */
int asr_run_pass(asr_t *a, ps_decoder_t *ps, const char *name, size_t n, const char **hyp,
                 long *score, char *err, size_t errlen)
{
    *hyp = NULL;
    *score = 0;
    const char *scores = asr_scores_for(a, ps);
    if (scores) {               /* the scorer scored the turn already */
        FILE *f = fopen(scores, "rb");
        if (!f) {
            snprintf(err, errlen, "decoder: %s: cannot read the turn's scores for the %s pass (%s)",
                     scores, name, strerror(errno));
            return -1;
        }
        int nfr = ps_set_search(ps, name) < 0 ? -1 : ps_decode_senscr(ps, f);
        fclose(f);
        if (nfr < 0) {
            snprintf(err, errlen, "decoder: the %s pass failed on this turn's scores", name);
            return -1;
        }
    } else if (ps_set_search(ps, name) < 0 || ps_start_utt(ps) < 0) {
        snprintf(err, errlen, "decoder: cannot start the %s pass", name);
        return -1;
    } else if (ps_process_raw(ps, a->buf, n, FALSE, TRUE) < 0) {
        ps_end_utt(ps);
        snprintf(err, errlen, "decoder: the %s pass failed on this audio", name);
        return -1;
    } else if (ps_end_utt(ps) < 0) {
        snprintf(err, errlen, "decoder: the %s pass failed to finish", name);
        return -1;
    }
    int32 s = 0;
    *hyp = ps_get_hyp(ps, &s);
    *score = *hyp ? (long)s : 0;
    return 0;
}

/* asr_run_pass() on decoder ps, then its words, cleaned (asr_clean_hyp),
 * into *slot. */
static int pass_words(asr_t *a, ps_decoder_t *ps, const char *name, size_t n, char **slot,
                      long *score, char *err, size_t errlen)
{
    const char *hyp;
    if (asr_run_pass(a, ps, name, n, &hyp, score, err, errlen) < 0) return -1;
    free(*slot);
    *slot = asr_clean_hyp(hyp);
    return 0;
}

/* Adds a +-DITHER_LSB triangular dither from a fixed seed (see the top). */
static void dither_copy(asr_t *a, const int16_t *pcm, size_t n)
{
    if (n > a->bufcap) {
        free(a->buf);
        a->buf = xmalloc(n * sizeof *a->buf);
        a->bufcap = n;
    }
    uint32_t st = 0x9e3779b9u;
    for (size_t i = 0; i < n; i++) {
        st = st * 1664525u + 1013904223u;
        int r1 = (int)(st >> 26);                 /* 0..63 */
        st = st * 1664525u + 1013904223u;
        int r2 = (int)(st >> 26);
        int v = pcm[i] + r1 - r2;
        a->buf[i] = (int16_t)(v > 32767 ? 32767 : v < -32768 ? -32768 : v);
    }
}

/* A segment's frames, clipped to [0, nfr), and its acoustic score.
 * Returns 0 when no frame of it is left. */
static int seg_span(ps_seg_t *s, int nfr, int *sf, int *ef, int32 *ascr)
{
    int32 lscr = 0, lback = 0;
    *sf = 0;
    *ef = -1;
    *ascr = 0;
    ps_seg_frames(s, sf, ef);
    ps_seg_prob(s, ascr, &lscr, &lback);
    if (*sf < 0) *sf = 0;
    if (*ef >= nfr) *ef = nfr - 1;
    return *ef >= *sf;
}

/* The segments of the best path on ps, clipped to [0, nfr): all of them, or
 * (words) only the words the customer said; *n of them, in *v (grown as
 * needed, *cap long). */
static void seg_spans(ps_decoder_t *ps, int nfr, int words, conf_span_t **v, int *n, int *cap)
{
    *n = 0;
    for (ps_seg_t *s = ps_seg_iter(ps); s; s = ps_seg_next(s)) {
        int sf, ef;
        int32 ascr;
        if ((words && asr_is_filler(ps_seg_word(s))) || !seg_span(s, nfr, &sf, &ef, &ascr))
            continue;
        if (*n == *cap) {
            *cap = *cap ? 2 * *cap : 16;
            *v = xrealloc(*v, (size_t)*cap * sizeof **v);
        }
        (*v)[(*n)++] = (conf_span_t){ .sf = sf, .ef = ef, .ascr = ascr };
    }
}

/* The score of the search just run on ps spread over frames: out[f] (nfr + 1
 * long, zeroed) is its score of frame f, each segment's shared evenly by its
 * frames. */
static void spread_frames(ps_decoder_t *ps, double *out, int nfr)
{
    conf_span_t *v = NULL;
    int n = 0, cap = 0;
    seg_spans(ps, nfr, 0, &v, &n, &cap);
    conf_spread(v, n, out);
    free(v);
}

/* Whether the phone loop just run on ps found any speech phone (anything but
 * silence and noise fillers). */
static int phones_speech(ps_decoder_t *ps)
{
    int speech = 0;
    for (ps_seg_t *s = ps_seg_iter(ps); s; s = ps_seg_next(s)) {
        const char *ph = ps_seg_word(s);
        if (strcmp(ph, "SIL") != 0 && ph[0] != '+' && !asr_is_filler(ph)) speech = 1;
    }
    return speech;
}

/* The acoustic score of the best path over the whole turn, fillers and
 * silence included, in the same units as the margins. */
static double path_ascr(ps_decoder_t *ps, int nfr)
{
    double sum = 0;
    for (ps_seg_t *s = ps_seg_iter(ps); s; s = ps_seg_next(s)) {
        int sf, ef;
        int32 ascr;
        if (seg_span(s, nfr, &sf, &ef, &ascr)) sum += ascr;
    }
    return sum;
}

/* Keeps the heard words' frames and acoustic scores, for loop_worst(). */
static void keep_spans(asr_t *a, int nfr)
{
    seg_spans(a->gps, nfr, 1, &a->span, &a->nspan, &a->capspan);
}

/* After the loop's search: the kept words against the loop's words over the
 * same frames (CF_LOOP_WORST).  A word the loop explains much better with
 * other words is a word the grammar may have forced. */
static double loop_worst(asr_t *a, int nfr)
{
    double *lf = xcalloc((size_t)nfr + 1, sizeof *lf);
    spread_frames(a->job.loop_ps, lf, nfr);
    double worst = conf_worst_against(a->span, a->nspan, lf);
    free(lf);
    return worst;
}

/* The grammar's words on ps against the phone loop and the loud frames
 * (evidence.c): sets word_frames and, when there are any, margin, coverage,
 * the features of the words and the margin's confidence. */
static void weigh_words(ps_decoder_t *ps, const double *phone, int nfr, const double *energy,
                        int nen, asr_result_t *out)
{
    conf_span_t *v = NULL;
    int n = 0, cap = 0;
    seg_spans(ps, nfr, 1, &v, &n, &cap);
    conf_weighing_t w;
    out->diag.word_frames = conf_weigh(v, n, phone, nfr, energy, nen, &w, out->diag.features);
    free(v);
    if (out->diag.word_frames == 0) return;
    out->diag.coverage = w.coverage;
    out->diag.margin = w.margin;
    out->hearing.confidence = w.confidence;
}

/* The phone loop over a->buf[0..n) on decoder ps: *phone (the caller frees
 * it) its score spread over the frames, d->phone_score, d->frames and
 * d->phone_ms filled; returns 1 when it heard speech, 0 not, -1 failed. */
static int phones_pass(asr_t *a, ps_decoder_t *ps, size_t n, double **phone, asr_diag_t *d,
                       char *err, size_t errlen)
{
    double t = asr_now_ms();
    const char *hyp;
    long score;
    *phone = NULL;
    if (asr_run_pass(a, ps, "phones", n, &hyp, &score, err, errlen) < 0) return -1;
    d->phone_score = score;
    d->frames = ps_get_n_frames(ps);
    int nfr = d->frames > 0 ? d->frames : 0;
    *phone = xcalloc((size_t)nfr + 1, sizeof **phone);
    int speech = phones_speech(ps);
    spread_frames(ps, *phone, nfr);
    d->phone_ms = asr_now_ms() - t;
    return speech;
}

/* The words of the search just run on the grammar's decoder (its path:
 * score, ascr) in place of the menu grammar's, weighed against the phone
 * loop like them; 1 when taken (they cover frames), else 0 and nothing
 * changed. */
static int take_words(asr_t *a, menu_job_t *j, const double *phone, int nfr, const char *words,
                      long score, double ascr)
{
    asr_result_t r = j->r;
    r.diag.word_frames = 0;
    weigh_words(a->gps, phone, nfr, j->energy, j->nen, &r);
    if (r.diag.word_frames <= 0) return 0;
    keep_spans(a, nfr);
    j->r = r;
    j->grammar_ascr = ascr;
    j->score = score;
    free(j->heard);
    j->heard = xstrdup(words);
    return 1;
}

/* On the grammar's thread, after the menu grammar's search: when its words
 * are more than one item, the "one" search's, taken in their place when its
 * path is at most a->one_bonus worse (see "One item first" at the top). */
static void one_pass(asr_t *a, menu_job_t *j, const double *phone)
{
    fsg_model_t *f = ps_get_fsg(a->gps, "one");
    if (!f || fsg_accepts(f, j->heard)) return;   /* one item already: the same best path */
    double t = asr_now_ms();
    const char *hyp;
    long score;
    char err[256];
    int nfr = j->r.diag.frames > 0 ? j->r.diag.frames : 0;
    if (asr_run_pass(a, a->gps, "one", j->n, &hyp, &score, err, sizeof err) == 0 && hyp) {
        char *w = asr_clean_hyp(hyp);
        if (*w && score + a->one_bonus >= j->score &&
            take_words(a, j, phone, nfr, w, score, path_ascr(a->gps, nfr)))
            j->r.diag.one = 1;
        free(w);
    }
    j->r.diag.one_ms = asr_now_ms() - t;
}

/* On the grammar's thread, after the menu grammar's search: the answer
 * grammar's, its words taken in place of the menu grammar's when its path is
 * no worse, acoustically and as a whole (see "The answer first" at the top). */
static void answer_pass(asr_t *a, menu_job_t *j, const double *phone)
{
    double t = asr_now_ms();
    const char *hyp;
    long score;
    char err[256];
    if (asr_run_pass(a, a->gps, "answer", j->n, &hyp, &score, err, sizeof err) < 0) {
        j->answer = xstrdup("");   /* the menu grammar's result stands */
        j->r.diag.answer_ms = asr_now_ms() - t;
        return;
    }
    j->answer = asr_clean_hyp(hyp);
    int nfr = j->r.diag.frames > 0 ? j->r.diag.frames : 0;
    if (*j->answer && j->heard && *j->heard && strcmp(j->answer, j->heard) != 0) {
        double ascr = path_ascr(a->gps, nfr);
        if (ascr >= j->grammar_ascr && score >= j->score &&
            take_words(a, j, phone, nfr, j->answer, score, ascr))
            j->r.diag.answer = 1;
    }
    j->r.diag.answer_ms = asr_now_ms() - t;
}

/* Step 3, the word loop over the menu's words, on decoder ps (its thread's),
 * unless the other thread took it first or it is not needed (the grammar
 * heard nothing: its words are not weighed then).  The loop searched again
 * with a wider word beam when it finds no path, rather than page
 * low_confidence for want of a second opinion. */
static void loop_pass(asr_t *a, ps_decoder_t *ps)
{
    menu_job_t *j = &a->job;
    int which = ps == a->ps ? 1 : 2;
    pthread_mutex_lock(&a->senmu);
    int mine = j->loop_state == LOOP_FREE && (a->loop_on == 0 || a->loop_on == which) &&
               j->verdict != VERDICT_ABANDONED;
    if (mine) j->loop_state = LOOP_TAKEN;
    pthread_mutex_unlock(&a->senmu);
    if (!mine) return;
    double t = asr_now_ms();
    long score;
    j->loop_ps = ps;
    j->loop_rc = pass_words(a, ps, "loop", j->n, &j->loop_text, &score, j->loop_err, sizeof j->loop_err);
    if (j->loop_rc == 0 && a->has_loop_wide && !j->loop_text[0]) {
        j->loop_wide = 1;
        j->loop_rc = pass_words(a, ps, "loop_wide", j->n, &j->loop_text, &score, j->loop_err,
                                sizeof j->loop_err);
    }
    j->loop_ms = asr_now_ms() - t;
}

/* On the grammar's thread: the scorer (the turn's scores for every search),
 * the phone loop, then the grammar's search over a->buf[0..job.n) (again
 * with a wider beam when it finds no path), weighed against the phone loop;
 * then "one" and "answer".  The free search's verdict (job.verdict) is set
 * from the caller's thread, and the search again waits for it: when the
 * grammar's search ends first, it would otherwise start on a turn about to
 * be paged for a person, and the next turn would wait for it. */
static void *menu_main(void *arg)
{
    asr_t *a = arg;
    menu_job_t *j = &a->job;
    double *phone = NULL;
    memset(&j->r, 0, sizeof j->r);
    j->hyp = NULL;
    j->grammar_ascr = 0;
    if (a->sendir) j->r.diag.scores_ms = asr_scores_make(a, j->n, j->err, sizeof j->err);
    j->speech = phones_pass(a, a->phones_ps, j->n, &phone, &j->r.diag, j->err, sizeof j->err);
    j->rc = j->speech < 0 ? -1 : 0;
    int wide = 0;
    if (j->rc == 0) {
        double t = asr_now_ms();
        j->rc = asr_run_pass(a, a->gps, "menu", j->n, &j->hyp, &j->score, j->err, sizeof j->err);
        /* no path to the grammar's end (see "The grammar again" at the
         * top): the same search with a wider word beam, this turn only */
        if (j->rc == 0 && !j->hyp && j->speech && a->menu_again &&
            asr_sync_wait(a, &a->job.verdict, VERDICT_PENDING) != VERDICT_ABANDONED) {
            if (asr_menu_widen(a) < 0) {
                snprintf(j->err, sizeof j->err, "decoder: the grammar's search could not be made "
                         "again with a wider beam (out of memory?)");
                j->rc = -1;
            } else {
                wide = 1;
                j->r.diag.menu_wide = 1;
                a->searched_again++;
                j->rc = asr_run_pass(a, a->gps, "menu_wide", j->n, &j->hyp, &j->score, j->err,
                                     sizeof j->err);
            }
        }
        j->ms = asr_now_ms() - t;
    }
    free(j->heard);
    j->heard = j->rc == 0 ? asr_clean_hyp(j->hyp) : NULL;
    if (j->heard && *j->heard) {
        int nfr = j->r.diag.frames > 0 ? j->r.diag.frames : 0;
        weigh_words(a->gps, phone, nfr, j->energy, j->nen, &j->r);
        j->grammar_ascr = path_ascr(a->gps, nfr);
        keep_spans(a, nfr);
    }
    if (j->rc == 0 && j->speech && a->has_one && j->heard && *j->heard)
        one_pass(a, j, phone);
    free(j->answer);
    j->answer = NULL;
    if (j->rc == 0 && j->speech && a->answer_jsgf)
        answer_pass(a, j, phone);
    if (j->rc == 0 && !(j->heard && *j->heard)) {   /* no words to weigh: no loop wanted */
        pthread_mutex_lock(&a->senmu);
        if (j->loop_state == LOOP_FREE) j->loop_state = LOOP_NEEDLESS;
        pthread_mutex_unlock(&a->senmu);
    } else if (j->rc == 0) {
        loop_pass(a, a->gps);
    }
    if (wide && asr_menu_narrow(a) < 0) {
        snprintf(j->err, sizeof j->err, "decoder: the grammar's search could not be made again "
                 "(out of memory?)");
        j->rc = -1;
    }
    free(phone);
    return NULL;
}

int asr_decode(asr_t *a, const int16_t *pcm, size_t n, asr_result_t *out,
               char *err, size_t errlen)
{
    return asr_decode_early(a, pcm, n, NULL, NULL, out, err, errlen);
}

int asr_decode_early(asr_t *a, const int16_t *pcm, size_t n, asr_early_fn early, void *ctx,
                     asr_result_t *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    asr_hearing_t *h = &out->hearing;
    asr_diag_t *d = &out->diag;
    free(a->heard);
    free(a->free_text);
    free(a->loop_text);
    free(a->nfa_text);
    a->nfa_text = xstrdup("");
    h->nfa_text = a->nfa_text;
    free(a->answer_text);
    a->answer_text = xstrdup("");
    d->answer_text = a->answer_text;
    a->heard = xstrdup("");
    a->free_text = xstrdup("");
    a->loop_text = xstrdup("");
    h->heard = a->heard;
    h->free_text = a->free_text;
    h->loop_text = a->loop_text;
    if (!pcm || n == 0) {
        snprintf(err, errlen, "empty turn: no audio to decode");
        return -1;
    }
    if (n > (size_t)AUDIO_RATE * MAX_TURN_SECONDS) {
        snprintf(err, errlen, "turn of %zu s is too long to decode (at most %d s)",
                 n / AUDIO_RATE, MAX_TURN_SECONDS);
        return -1;
    }
    double t0 = asr_now_ms();
    int nen = 0;
    double *energy = conf_frame_energies(pcm, n, &nen);
    if (conf_silent(energy, nen)) {   /* nothing was said */
        free(energy);
        d->frames = (int)(n / (AUDIO_RATE / 100));
        d->decode_ms = asr_now_ms() - t0;
        return 0;
    }
    asr_menu_join(a);              /* an early return left it running: a->buf is its input */
    dither_copy(a, pcm, n);
    if (a->sendir) {               /* the scorer writes the turn's scores */
        asr_scores_clear(a);
        a->senstate = SCORES_PENDING;
    }
    /* 0. the scorer, then the phone loop and the menu's grammar (none when
     * created without a menu) start on their own thread and decoder; the free
     * search and the word loop run here meanwhile, once the scores are written */
    if (a->has_menu) {
        /* no early look (or no free search): nothing to wait for */
        a->job.verdict = early && a->free_pass ? VERDICT_PENDING : VERDICT_GO_ON;
        a->job.n = n;
        a->job.nen = nen;
        a->job.loop_state = LOOP_FREE;
        a->job.loop_ps = NULL;
        a->job.loop_wide = 0;
        a->job.loop_rc = 0;
        a->job.loop_ms = 0;
        free(a->job.loop_text);
        a->job.loop_text = NULL;
        a->job.energy = xmalloc((size_t)nen * sizeof *energy);
        memcpy(a->job.energy, energy, (size_t)nen * sizeof *energy);
        a->job.running = !a->one_thread && pthread_create(&a->job.thread, NULL, menu_main, a) == 0;
        if (!a->job.running) {     /* here, before the free search: it cannot wait for it */
            a->job.verdict = VERDICT_GO_ON;
            menu_main(a);
        }
    }

    /* 1. the free search, for the crew to read, and the early look for a
     * request for a person: when early() takes it, nothing else is needed
     * (the grammar's thread finishes in the background) */
    long score;
    if (a->free_pass) {
        asr_scores_for(a, a->ps);  /* waits for the turn's scores: free_ms is the search alone */
        double t1 = asr_now_ms();
        if (pass_words(a, a->ps, "free", n, &a->free_text, &score, err, errlen) < 0) {
            if (a->has_menu) asr_sync_set(a, &a->job.verdict, VERDICT_GO_ON);
            free(energy);
            return -1;
        }
        h->free_text = a->free_text;
        d->frames = ps_get_n_frames(a->ps);
        d->free_ms = asr_now_ms() - t1;
        if (early && *a->free_text && early(ctx, a->free_text)) {
            if (a->has_menu) asr_sync_set(a, &a->job.verdict, VERDICT_ABANDONED);
            d->early = 1;
            d->early_ms = asr_now_ms() - t0;
            d->decode_ms = d->early_ms;
            free(energy);
            return 0;
        }
    }

    if (a->has_menu) asr_sync_set(a, &a->job.verdict, VERDICT_GO_ON);

    /* 2. without a menu, the phone loop here: does it hear speech at all */
    int speech = 0;
    if (!a->has_menu) {
        double *phone = NULL;
        speech = phones_pass(a, a->ps, n, &phone, d, err, errlen);
        free(phone);
        if (speech < 0) {
            free(energy);
            return -1;
        }
    }

    /* 3. the loop over the menu's words: does it find the same words?  Here
     * when this thread is idle before the grammar's is (loop_pass) */
    if (a->has_menu) loop_pass(a, a->ps);

    /* 4. the grammar's result, weighed against the phone loop on its thread */
    double grammar_ascr = 0;
    if (a->has_menu) {
        asr_menu_join(a);
        if (a->job.rc < 0) {
            snprintf(err, errlen, "%s", a->job.err);
            free(energy);
            return -1;
        }
        if (a->job.loop_rc < 0) {
            snprintf(err, errlen, "%s", a->job.loop_err);
            free(energy);
            return -1;
        }
        if (a->job.loop_text) {
            free(a->loop_text);
            a->loop_text = a->job.loop_text;
            a->job.loop_text = NULL;
        }
        d->loop_wide = a->job.loop_wide;
        d->loop_ms = a->job.loop_ms;
        d->loop_on = !a->job.loop_ps ? 0 : a->job.loop_ps == a->ps ? 1 : 2;
        const asr_result_t *r = &a->job.r;
        speech = a->job.speech;
        d->phone_score = r->diag.phone_score;
        d->frames = r->diag.frames;
        d->phone_ms = r->diag.phone_ms;
        d->menu_wide = r->diag.menu_wide;
        d->scores_ms = r->diag.scores_ms;
        d->answer = r->diag.answer;
        d->answer_ms = r->diag.answer_ms;
        d->one = r->diag.one;
        d->one_ms = r->diag.one_ms;
        if (a->job.answer) {
            free(a->answer_text);
            a->answer_text = a->job.answer;
            a->job.answer = NULL;
            d->answer_text = a->answer_text;
        }
        free(a->heard);
        a->heard = a->job.heard ? a->job.heard : xstrdup("");
        a->job.heard = NULL;
        d->grammar_score = a->job.score;
        d->grammar_ms = a->job.ms;
        h->heard = a->heard;
        if (*a->heard) {
            d->word_frames = r->diag.word_frames;
            d->coverage = r->diag.coverage;
            d->margin = r->diag.margin;
            h->confidence = r->hearing.confidence;
            static const int from_weigh[] = { CF_MEAN, CF_WORST, CF_COVERAGE, CF_SECONDS, CF_WORD_PEAK };
            for (size_t i = 0; i < sizeof from_weigh / sizeof *from_weigh; i++)
                d->features[from_weigh[i]] = r->diag.features[from_weigh[i]];
            grammar_ascr = a->job.grammar_ascr;
        }
    }
    int nfr = d->frames > 0 ? d->frames : 0;
    if (!speech && h->confidence < NOISE_CONF) {   /* words forced onto noise */
        free(energy);
        a->heard[0] = '\0';
        a->free_text[0] = '\0';
        a->loop_text[0] = '\0';
        a->nfa_text[0] = '\0';
        a->answer_text[0] = '\0';
        d->answer = 0;
        h->heard = a->heard;
        h->loop_text = a->loop_text;
        h->confidence = 0;
        d->margin = 0;
        d->word_frames = 0;
        d->coverage = 0;
        memset(d->features, 0, sizeof d->features);
        d->decode_ms = asr_now_ms() - t0;
        return 0;
    }

    /* 5. the confidence, from all of it */
    if (*a->heard) {
        h->loop_text = a->loop_text;
        d->features[CF_LOOP_AGREE] = conf_agreement(a->heard, a->loop_text, 0);
        if (nfr > 0 && a->job.loop_ps) {
            d->features[CF_LOOP_MARGIN] = (grammar_ascr - path_ascr(a->job.loop_ps, nfr)) / nfr;
            d->features[CF_LOOP_WORST] = loop_worst(a, nfr);
        }
        d->features[CF_FREE_AGREE] = a->free_pass ? conf_agreement(a->heard, a->free_text, 1) : 0.5;
        conf_signal(pcm, n, energy, nen, d->features);
        h->confidence = conf_calibrate(d->features);
    } else {
        a->loop_text[0] = '\0';
        h->loop_text = a->loop_text;
    }
    free(energy);

    /* 6. a short turn it is not sure of: the grammar as sphinxbase built it
     * (see ASR_NFA_MAX_MS), here: the grammar's decoder is idle now */
    if (a->has_nfa && n <= (size_t)AUDIO_RATE * ASR_NFA_MAX_MS / 1000 &&
        !(h->confidence >= ASR_NFA_BELOW)) {
        double t6 = asr_now_ms();
        const char *nh;
        if (asr_run_pass(a, a->gps, "nfa", n, &nh, &score, err, errlen) < 0) return -1;
        free(a->nfa_text);
        a->nfa_text = asr_clean_hyp(nh);
        h->nfa_text = a->nfa_text;
        d->nfa_ms = asr_now_ms() - t6;
    }
    d->decode_ms = asr_now_ms() - t0;
    return 0;
}
