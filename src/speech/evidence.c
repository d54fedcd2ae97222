/* evidence.c: the acoustic evidence behind a turn's confidence (confidence.h,
 * "evidence"): what the recogniser's searches found, as stretches of frames
 * and scores, weighed against each other and against the turn's loudness.
 * Pure arithmetic on arrays: asr.c reads the searches' segments out of
 * pocketsphinx and hands them here; conf_calibrate() (confidence.c) turns
 * the features into the confidence.
 *
 * The idea.  Each word the grammar heard is compared with the phone loop
 * over the same frames.  The phone loop may put any phone after any other, so
 * where the grammar's words are what was said the two score about the same;
 * where the grammar forced its words onto sounds they do not fit (an order
 * off the menu, one word misheard) the phone loop scores far better.  And the
 * grammar may explain sounds it cannot match as silence or noise fillers
 * ("make it a venti" heard as <sil> grande <sil>): so the share of the turn's
 * loud frames that lie inside heard words counts too.  With
 *     d(w)     = ascr of word w - phone-loop ascr of w's frames
 *     mean     = sum of d(w) / frames of all words
 *     worst    = min over words of d(w) / frames of w
 *     coverage = loud frames inside words / loud frames, where a frame is loud
 *                when its energy is within LOUD_RANGE_DB of the turn's loudest,
 *                LOUD_ABOVE_DB above the quietest tenth of the turn and above
 *                SILENCE_RMS
 *     margin   = (mean + worst) / 2 - COVER_WEIGHT * (1 - coverage)
 * in pocketsphinx score units (log base 1.0001 of the likelihood, shifted
 * right by 10 bits: one unit is about 0.1 nat) per 10 ms frame.  The mean
 * sees a turn that is wrong throughout, the worst word one misheard word in a
 * turn otherwise right ("sweet tea" for "extra cheese"), the coverage words
 * swallowed by fillers.  Only acoustic scores are compared: the grammar's and
 * the phone bigram's language scores are not on one scale.  Silence between
 * words is in none of the terms, so pauses do not change the margin.  The
 * phone loop is context-independent (the triphone loop is far slower), so it
 * is no strict upper bound of the grammar's triphone scores (a clear "yes"
 * scores above it): hence a mapping, not a threshold at 0.
 *
 * The margin's own logistic mapping (CONF_MID, CONF_SCALE) predates the
 * calibrated one; it still decides one thing, in asr.c: whether words were
 * forced onto noise.  How its constants were chosen is in src/DECISIONS.md. */
#include "confidence.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../audio/wav.h"
#include "../util/util.h"

#define CONF_MID   (-60.0)
#define CONF_SCALE 7.0
#define COVER_WEIGHT 60.0
#define SILENCE_RMS 58.0       /* -55 dBFS in 16-bit samples: a voice at the post is 20 dB above */
#define LOUD_RANGE_DB 30.0     /* loud: within this of the loudest frame... */
#define LOUD_ABOVE_DB 10.0     /* ...and this above the quietest tenth */
#define SILENCE_DB (20.0 * log10(SILENCE_RMS))

double *conf_frame_energies(const int16_t *pcm, size_t n, int *count)
{
    const size_t win = AUDIO_RATE / 40, hop = AUDIO_RATE / 100;
    int nf = (int)(n / hop) + 1;
    double *e = xmalloc((size_t)nf * sizeof *e);
    for (int f = 0; f < nf; f++) {
        size_t start = (size_t)f * hop, end = start + win < n ? start + win : n;
        double sum = 0;
        for (size_t i = start; i < end; i++) sum += (double)pcm[i] * pcm[i];
        e[f] = 10.0 * log10(sum / (double)(end > start ? end - start : 1) + 1.0);
    }
    *count = nf;
    return e;
}

int conf_silent(const double *e, int nen)
{
    double loudest = e[0];
    for (int f = 1; f < nen; f++) if (e[f] > loudest) loudest = e[f];
    return loudest <= SILENCE_DB;
}

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

/* The level above which a frame counts as loud (see the top). */
static double loud_threshold_sorted(const double *sorted, int nf)
{
    double thr = sorted[nf - 1] - LOUD_RANGE_DB;
    if (sorted[nf / 10] + LOUD_ABOVE_DB > thr) thr = sorted[nf / 10] + LOUD_ABOVE_DB;
    if (SILENCE_DB > thr) thr = SILENCE_DB;
    return thr;
}

/* A sorted copy of the frame energies; the caller frees it. */
static double *sorted_energies(const double *e, int nf)
{
    double *sorted = xmalloc((size_t)nf * sizeof *sorted);
    memcpy(sorted, e, (size_t)nf * sizeof *sorted);
    qsort(sorted, (size_t)nf, sizeof *sorted, cmp_double);
    return sorted;
}

static double loud_threshold(const double *e, int nf)
{
    double *sorted = sorted_energies(e, nf);
    double thr = loud_threshold_sorted(sorted, nf);
    free(sorted);
    return thr;
}

void conf_spread(const conf_span_t *s, int n, double *out)
{
    for (int i = 0; i < n; i++)
        for (int f = s[i].sf; f <= s[i].ef; f++) out[f] += (double)s[i].ascr / (s[i].ef - s[i].sf + 1);
}

int conf_weigh(const conf_span_t *words, int nwords, const double *phone, int nfr,
               const double *energy, int nen, conf_weighing_t *w, double f[CF_N])
{
    double thr = loud_threshold(energy, nen);
    int loud = 0, covered = 0;
    for (int k = 0; k < nen && k < nfr; k++) loud += energy[k] > thr;
    double total = 0, worst = 0, loudest = energy[0], quiet_peak = 0;
    int frames = 0;
    for (int k = 1; k < nen; k++) if (energy[k] > loudest) loudest = energy[k];
    for (int i = 0; i < nwords; i++) {
        int sf = words[i].sf, ef = words[i].ef;
        double diff = words[i].ascr, peak = -1e9;
        for (int k = sf; k <= ef; k++) {
            diff -= phone[k];
            if (k < nen && energy[k] > thr) covered++;
            if (k < nen && energy[k] > peak) peak = energy[k];
        }
        if (i == 0 || peak - loudest < quiet_peak) quiet_peak = peak - loudest;
        double per = diff / (ef - sf + 1);
        if (i == 0 || per < worst) worst = per;
        total += diff;
        frames += ef - sf + 1;
    }
    w->word_frames = frames;
    if (frames == 0) return 0;
    w->coverage = loud > 0 ? (double)covered / loud : 1.0;
    w->margin = 0.5 * (total / frames + worst) - COVER_WEIGHT * (1.0 - w->coverage);
    f[CF_MEAN] = total / frames;
    f[CF_WORST] = worst;
    f[CF_COVERAGE] = w->coverage;
    f[CF_SECONDS] = frames / 100.0;
    f[CF_WORD_PEAK] = quiet_peak;
    w->confidence = 1.0 / (1.0 + exp(-(w->margin - CONF_MID) / CONF_SCALE));
    return frames;
}

double conf_worst_against(const conf_span_t *words, int nwords, const double *other)
{
    double worst = 0;
    for (int i = 0; i < nwords; i++) {
        double d = words[i].ascr;
        for (int k = words[i].sf; k <= words[i].ef; k++) d -= other[k];
        d /= words[i].ef - words[i].sf + 1;
        if (i == 0 || d < worst) worst = d;
    }
    return worst;
}

void conf_signal(const int16_t *pcm, size_t n, const double *e, int nen, double f[CF_N])
{
    double *sorted = sorted_energies(e, nen);
    double thr = loud_threshold_sorted(sorted, nen);
    int first = 0;
    while (first < nen && sorted[first] <= thr) first++;
    double loud = first < nen ? sorted[first + (nen - first) / 2] : sorted[nen - 1];
    f[CF_SNR] = loud - sorted[nen / 10];
    free(sorted);
    size_t clipped = 0;
    for (size_t i = 0; i < n; i++) clipped += pcm[i] >= 32000 || pcm[i] <= -32000;
    f[CF_CLIPPED] = (double)clipped / (double)n;
}
