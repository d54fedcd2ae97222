/* denoise.c: speexdsp's preprocessor (noise suppression + AGC) behind the
 * small API of denoise.h.  The settings and the reasons for them are there. */
#include "denoise.h"

#include <stdlib.h>
#include <string.h>

#include <speex/speex_preprocess.h>

#include "wav.h"

struct denoise_s {
    SpeexPreprocessState *st;
};

denoise_t *denoise_create(void)
{
    denoise_t *d = calloc(1, sizeof *d);
    if (!d) return NULL;
    d->st = speex_preprocess_state_init(DENOISE_FRAME, AUDIO_RATE);
    if (!d->st) {
        free(d);
        return NULL;
    }
    int on = 1, off = 0, suppress = DENOISE_SUPPRESS_DB, max_gain = DENOISE_AGC_MAX_GAIN;
    float level = DENOISE_AGC_LEVEL;
    /* speex_preprocess_ctl only fails for an unknown request: these are all known. */
    speex_preprocess_ctl(d->st, SPEEX_PREPROCESS_SET_DENOISE, &on);
    speex_preprocess_ctl(d->st, SPEEX_PREPROCESS_SET_NOISE_SUPPRESS, &suppress);
    speex_preprocess_ctl(d->st, SPEEX_PREPROCESS_SET_AGC, &on);
    speex_preprocess_ctl(d->st, SPEEX_PREPROCESS_SET_AGC_LEVEL, &level);
    speex_preprocess_ctl(d->st, SPEEX_PREPROCESS_SET_AGC_MAX_GAIN, &max_gain);
    speex_preprocess_ctl(d->st, SPEEX_PREPROCESS_SET_DEREVERB, &off);
    /* VAD is off by default; SPEEX_PREPROCESS_SET_VAD is not called because
     * speexdsp prints a warning on stderr ("The VAD has been replaced by a
     * hack...") whenever it is, even to turn it off. */
    return d;
}

void denoise_free(denoise_t *d)
{
    if (!d) return;
    speex_preprocess_state_destroy(d->st);
    free(d);
}

void denoise_frame(denoise_t *d, int16_t *frame)
{
    speex_preprocess_run(d->st, frame);
}

void denoise_buffer(const int16_t *in, int16_t *out, size_t n)
{
    if (n == 0) return;
    if (out != in) memmove(out, in, n * sizeof *out);
    denoise_t *d = denoise_create();
    if (!d) return;                     /* out already holds the input unchanged */
    size_t i = 0;
    for (; i + DENOISE_FRAME <= n; i += DENOISE_FRAME)
        denoise_frame(d, out + i);
    if (i < n) {
        int16_t last[DENOISE_FRAME] = {0};
        memcpy(last, out + i, (n - i) * sizeof *last);
        denoise_frame(d, last);
        memcpy(out + i, last, (n - i) * sizeof *last);
    }
    denoise_free(d);
}
