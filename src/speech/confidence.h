/* confidence.h: the evidence behind a turn's confidence, and the calibrated
 * mapping from it to 0..1 (a logistic model fitted on the development speech
 * set by tests/speech/fit_confidence.py; coefficients in confidence_coef.h).
 *
 * asr.c measures the features; conf_calibrate() combines them.  Kept apart
 * from asr.c so that the mapping is pure and tested with tables. */
#ifndef KIOSK_CONFIDENCE_H
#define KIOSK_CONFIDENCE_H

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

#endif
