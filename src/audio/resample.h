/* resample.h: speexdsp's resampler, with long silences passed by uncomputed.
 *
 * The loudspeaker's reference is resampled to 16 kHz all the time the kiosk
 * runs, and is digital silence nearly all of it.  Once the resampler has
 * taken in more silence than its filter holds, its memory is all zeros; a
 * whole period of its rates then (in_rate/g samples in, out_rate/g out, g
 * their greatest common divisor) brings its phase back where it was and
 * gives zeros.  So such periods are counted, not computed, and the output
 * is sample for sample what the resampler alone gives (test_resample). */
#ifndef KIOSK_RESAMPLE_H
#define KIOSK_RESAMPLE_H

#include <speex/speex_resampler.h>
#include <stddef.h>

typedef struct {
    SpeexResamplerState *rs;
    size_t period_in, period_out;   /* one period of the two rates */
    size_t hold;                    /* silence that clears the filter's memory */
    size_t zeros;                   /* input samples of silence since the last sound (capped) */
    unsigned long skipped;          /* input samples passed by uncomputed */
} resample_t;

/* 0, or -1 (speexdsp's error in err). */
int resample_init(resample_t *r, int in_rate, int out_rate, int quality, char *err, size_t errlen);
void resample_free(resample_t *r);
/* All n samples of in taken; the samples made written to out, which has
 * room for n * out_rate / in_rate + 64 (more is an error: returns what fit). */
size_t resample_run(resample_t *r, const float *in, size_t n, float *out, size_t room);

#endif
