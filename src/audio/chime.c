/* chime.c: see chime.h. */
#include "chime.h"

#include <math.h>

static size_t ms(int rate, int n)
{
    return (size_t)rate * (size_t)n / 1000;
}

size_t chime_samples(int rate, int times)
{
    if (rate < 8000 || rate > 192000 || times < 1 || times > CHIME_TIMES_MAX) return 0;
    return (size_t)times * 2 * ms(rate, CHIME_TONE_MS) + (size_t)(times - 1) * ms(rate, CHIME_GAP_MS);
}

/* One tone of n samples at hz, faded in and out over fade samples. */
static void tone(float *out, size_t n, size_t fade, int rate, double hz)
{
    for (size_t i = 0; i < n; i++) {
        double g = 1.0;
        size_t edge = i < n - 1 - i ? i : n - 1 - i;   /* samples from the nearer end */
        if (edge < fade) g = 0.5 - 0.5 * cos(M_PI * (double)edge / (double)fade);
        out[i] = (float)(CHIME_PEAK * g * sin(2.0 * M_PI * hz * (double)i / rate));
    }
}

size_t chime_make(float *out, int rate, int times)
{
    size_t total = chime_samples(rate, times);
    if (!total) return 0;
    size_t t = ms(rate, CHIME_TONE_MS), gap = ms(rate, CHIME_GAP_MS), fade = ms(rate, CHIME_FADE_MS), at = 0;
    for (int k = 0; k < times; k++) {
        if (k) {
            for (size_t i = 0; i < gap; i++) out[at + i] = 0;
            at += gap;
        }
        tone(out + at, t, fade, rate, CHIME_HI_HZ);
        tone(out + at + t, t, fade, rate, CHIME_LO_HZ);
        at += 2 * t;
    }
    return at;
}
