/* confidence.h: the evidence behind a turn's confidence (evidence.c), and the
 * calibrated mapping from it to 0..1 (confidence.c: logistic models fitted on
 * the speech sets by tests/speech/fit_confidence.py; coefficients in
 * confidence_coef.h and confidence_coef_synth.h).
 *
 * asr.c runs the searches and reads their segments out of pocketsphinx; the
 * arithmetic on them is here, pure, so that it is tested with tables. */
#ifndef KIOSK_CONFIDENCE_H
#define KIOSK_CONFIDENCE_H

#include <stddef.h>
#include <stdint.h>

typedef enum {
    CF_MEAN,        /* grammar words vs the phone loop, acoustic score per frame (mean) */
    CF_WORST,       /* the same for the worst-fitting word */
    CF_COVERAGE,    /* 0..1: loud frames inside heard words / loud frames */
    CF_LOOP_AGREE,  /* 0..1: the grammar's words found by a free loop over the menu's words */
    CF_FREE_AGREE,  /* 0..1: the grammar's content words found in the free (general English) pass */
    CF_SNR,         /* dB: loud frames' median level over the quietest tenth's */
    CF_CLIPPED,     /* 0..1: share of samples at full scale */
    CF_SECONDS,     /* seconds inside heard words */
    CF_LOOP_MARGIN, /* grammar path's acoustic score less the word loop's, per frame */
    CF_LOOP_WORST,  /* the same for the heard word the loop fits best against (per frame) */
    CF_WORD_PEAK,   /* dB: the quietest heard word's loudest frame, less the turn's loudest */
    CF_N
} conf_feature_t;

extern const char *const conf_feature_names[CF_N];   /* "mean", "worst", ... */

/* The calibrated probability that the heard words are what was said, 0..1. */
double conf_calibrate(const double f[CF_N]);

/* 0..1: the share of want's words that occur in have, in order (longest
 * common subsequence over want's length); "cheese burger" and "cheeseburger"
 * count as the same.  skip_function_words: only content words of want count.
 * 1 when want has no (content) words. */
double conf_agreement(const char *want, const char *have, int skip_function_words);

/* ---- evidence (evidence.c) ---- */

/* One stretch of a turn that a search put a word (or a phone) on: frames
 * sf..ef (10 ms each, inside the turn) and its acoustic score over them. */
typedef struct {
    int sf, ef;
    int32_t ascr;
} conf_span_t;

/* The heard words weighed against the phone loop (evidence.c, at the top). */
typedef struct {
    int word_frames;     /* frames inside the words; 0: no word, nothing else set */
    double coverage;     /* 0..1: share of the turn's loud frames inside the words */
    double margin;       /* (mean + worst) / 2 less the penalty for loud frames left out */
    double confidence;   /* the margin's own mapping to 0..1 (not conf_calibrate()'s) */
} conf_weighing_t;

/* Energy of each 10 ms frame of 16 kHz audio (25 ms window, as the decoder
 * frames it) in dB of the mean square sample; *count frames.  The caller
 * frees the array. */
double *conf_frame_energies(const int16_t *pcm, size_t n, int *count);

/* 1 when no frame of energies e (conf_frame_energies) is louder than
 * -55 dBFS: nothing was said. */
int conf_silent(const double *e, int nen);

/* Spreads each span's score evenly over its frames: out[f] += its share. */
void conf_spread(const conf_span_t *s, int n, double *out);

/* The heard words (spans inside [0, nfr)) against phone, the phone loop's
 * score of each frame (conf_spread), and the turn's frame energies: fills *w,
 * and f's CF_MEAN, CF_WORST, CF_COVERAGE, CF_SECONDS and CF_WORD_PEAK.
 * Returns the frames inside the words; when 0, only w->word_frames is set. */
int conf_weigh(const conf_span_t *words, int nwords, const double *phone, int nfr,
               const double *energy, int nen, conf_weighing_t *w, double f[CF_N]);

/* The lowest, over the words, of a word's score less other's over the same
 * frames, per frame (CF_LOOP_WORST: other is the word loop's conf_spread);
 * 0 when there are no words. */
double conf_worst_against(const conf_span_t *words, int nwords, const double *other);

/* How clean the signal is: f[CF_SNR], the loud frames' median level over the
 * quietest tenth's, and f[CF_CLIPPED], the share of samples at full scale. */
void conf_signal(const int16_t *pcm, size_t n, const double *e, int nen, double f[CF_N]);

#endif
