/* resample.c: see resample.h. */
#include "resample.h"

#include <stdio.h>
#include <string.h>

static size_t gcd(size_t a, size_t b)
{
    while (b) {
        size_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

int resample_init(resample_t *r, int in_rate, int out_rate, int quality, char *err, size_t errlen)
{
    memset(r, 0, sizeof *r);
    int e = 0;
    if (in_rate <= 0 || out_rate <= 0) {
        snprintf(err, errlen, "resampler: rates %d and %d", in_rate, out_rate);
        return -1;
    }
    r->rs = speex_resampler_init(1, (spx_uint32_t)in_rate, (spx_uint32_t)out_rate, quality, &e);
    if (!r->rs) {
        snprintf(err, errlen, "resampler %d -> %d Hz: %s", in_rate, out_rate, speex_resampler_strerror(e));
        return -1;
    }
    size_t g = gcd((size_t)in_rate, (size_t)out_rate);
    r->period_in = (size_t)in_rate / g;
    r->period_out = (size_t)out_rate / g;
    /* the filter's length in input samples, with room to spare (its
     * latency is half of it) */
    r->hold = 4 * (size_t)speex_resampler_get_input_latency(r->rs) + 64;
    return 0;
}

void resample_free(resample_t *r)
{
    if (r->rs) speex_resampler_destroy(r->rs);
    r->rs = NULL;
}

static size_t compute(resample_t *r, const float *in, size_t n, float *out, size_t room)
{
    size_t made = 0;
    while (n && made < room) {
        spx_uint32_t il = (spx_uint32_t)n, ol = (spx_uint32_t)(room - made);
        speex_resampler_process_float(r->rs, 0, in, &il, out + made, &ol);
        if (!il && !ol) break;
        in += il;
        n -= il;
        made += ol;
    }
    return made;
}

size_t resample_run(resample_t *r, const float *in, size_t n, float *out, size_t room)
{
    size_t made = 0, at = 0;
    while (at < n) {
        if (r->zeros >= r->hold) {   /* the filter holds only zeros: whole periods of silence are counted */
            size_t z = 0;
            while (at + z < n && in[at + z] == 0.0f) z++;
            size_t periods = z / r->period_in;
            if (periods && made + periods * r->period_out <= room) {
                memset(out + made, 0, periods * r->period_out * sizeof *out);
                made += periods * r->period_out;
                at += periods * r->period_in;
                r->skipped += periods * r->period_in;
                continue;
            }
        }
        /* computed: what is left of a silence (less than a period), then
         * sound, up to where the silence after it clears the filter again */
        size_t end = at, zeros = r->zeros;
        int fresh = zeros < r->hold;
        while (end < n && !(fresh && zeros >= r->hold)) {
            if (in[end] != 0.0f) {
                zeros = 0;
                fresh = 1;
            } else if (zeros < r->hold) {
                zeros++;
            }
            end++;
        }
        made += compute(r, in + at, end - at, out + made, room - made);
        r->zeros = zeros;
        at = end;
    }
    return made;
}
