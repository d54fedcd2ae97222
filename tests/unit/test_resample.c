/* test_resample.c: the resampler that passes silences by (src/audio/resample.c)
 * gives sample for sample what speexdsp's alone gives, whatever the rates,
 * the silences' lengths and the blocks the input comes in. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/audio/resample.h"

static unsigned long seed = 12345;
static unsigned rnd(unsigned n)
{
    seed = seed * 6364136223846793005ul + 1442695040888963407ul;
    return (unsigned)(seed >> 33) % n;
}

/* sound and silence in turn: the silences from a few samples to seconds */
static float *signal_of(size_t n, int with_silence)
{
    float *x = calloc(n, sizeof *x);
    size_t at = 0;
    while (at < n) {
        size_t s = 50 + rnd(8000);
        for (size_t i = 0; i < s && at < n; i++, at++)
            x[at] = 0.3f * sinf(0.05f * (float)at) + 0.01f * (float)((int)rnd(200) - 100) / 100.0f;
        if (!with_silence) continue;
        size_t z = rnd(4) == 0 ? rnd(40) : rnd(60000);
        at += z;   /* calloc's zeros */
    }
    return x;
}

/* the whole of x through one resampler, in blocks of random length */
static float *through(int in_rate, int out_rate, const float *x, size_t n, int ours, size_t *made,
                      unsigned long *skipped)
{
    float *y = malloc((n * (size_t)out_rate / (size_t)in_rate + 4096) * sizeof *y);
    char err[128];
    resample_t r;
    SpeexResamplerState *plain = NULL;
    if (ours) {
        assert_int_equal(resample_init(&r, in_rate, out_rate, 5, err, sizeof err), 0);
    } else {
        int e;
        plain = speex_resampler_init(1, (spx_uint32_t)in_rate, (spx_uint32_t)out_rate, 5, &e);
        assert_non_null(plain);
    }
    size_t at = 0, k = 0;
    unsigned long blocks = 0;
    while (at < n) {
        size_t b = 1 + rnd(1024);
        if (b > n - at) b = n - at;
        size_t room = b * (size_t)out_rate / (size_t)in_rate + 64;
        if (ours) {
            k += resample_run(&r, x + at, b, y + k, room);
        } else {
            spx_uint32_t il = (spx_uint32_t)b, ol = (spx_uint32_t)room;
            speex_resampler_process_float(plain, 0, x + at, &il, y + k, &ol);
            assert_int_equal(il, b);
            k += ol;
        }
        at += b;
        blocks++;
    }
    if (ours) {
        *skipped = r.skipped;
        resample_free(&r);
    } else {
        speex_resampler_destroy(plain);
    }
    *made = k;
    return y;
}

static void same(int in_rate, int out_rate, int with_silence)
{
    size_t n = (size_t)in_rate * 30;
    float *x = signal_of(n, with_silence);
    unsigned long start = seed, skipped = 0, none = 0;
    size_t na, nb;
    float *a = through(in_rate, out_rate, x, n, 0, &na, &none);
    seed = start;   /* the same blocks */
    float *b = through(in_rate, out_rate, x, n, 1, &nb, &skipped);
    if (na != nb) fail_msg("%d -> %d: %zu samples alone, %zu passing silences by", in_rate, out_rate, na, nb);
    for (size_t i = 0; i < na; i++)
        if (a[i] != b[i]) fail_msg("%d -> %d: sample %zu of %zu: %g, not %g", in_rate, out_rate, i, na, b[i], a[i]);
    if (with_silence && skipped < n / 4)
        fail_msg("%d -> %d: only %lu of %zu samples passed by", in_rate, out_rate, skipped, n);
    if (!with_silence) assert_int_equal(skipped, 0);
    free(a);
    free(b);
    free(x);
}

static void test_same_as_speexdsp(void **state)
{
    (void)state;
    static const int rates[][2] = { { 44100, 16000 }, { 48000, 16000 }, { 22050, 16000 }, { 16000, 44100 }, { 8000, 16000 } };
    for (size_t i = 0; i < sizeof rates / sizeof rates[0]; i++) {
        same(rates[i][0], rates[i][1], 1);
        same(rates[i][0], rates[i][1], 0);
    }
}

static void test_bad_rates(void **state)
{
    (void)state;
    resample_t r;
    char err[128];
    assert_int_equal(resample_init(&r, 0, 16000, 5, err, sizeof err), -1);
    assert_string_equal(err, "resampler: rates 0 and 16000");
    assert_int_equal(resample_init(&r, 44100, 16000, 11, err, sizeof err), -1);
    assert_non_null(strstr(err, "resampler 44100 -> 16000 Hz: "));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_as_speexdsp),
        cmocka_unit_test(test_bad_rates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
