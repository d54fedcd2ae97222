/* test_denoise.c: the speexdsp preprocessor wrapper really removes noise,
 * keeps speech-like sound, leaves silence silent, and handles buffers of any
 * length, in place or not, the same way every time.
 *
 * Signals are made here: white noise from a fixed-seed generator (the same
 * samples on every run) and a tone standing in for a voice. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/audio/denoise.h"
#include "../../src/audio/wav.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

#define SECS(s) ((size_t)((s) * AUDIO_RATE))

/* Roughly Gaussian white noise (sum of four uniforms), deterministic. */
static double noise_sample(uint32_t *seed)
{
    double sum = 0;
    for (int k = 0; k < 4; k++) {
        *seed = *seed * 1664525u + 1013904223u;
        sum += (double)(*seed >> 8) / (double)(1u << 24) - 0.5;
    }
    return sum * 1.7320508;        /* variance 1 */
}

static int16_t clip16(double v)
{
    return (int16_t)(v > 32767 ? 32767 : v < -32768 ? -32768 : lrint(v));
}

/* noise at noise_rms everywhere, plus a voice-like sound of peak tone_amp in
 * [t0, t1) seconds: syllables of 150 ms with 100 ms gaps, each a harmonic-rich
 * tone whose pitch differs from the last (a steady tone is what the noise
 * estimator learns, and rightly suppresses, as noise). */
static int16_t *make_signal(size_t n, double noise_rms, double tone_amp, double t0, double t1)
{
    int16_t *x = malloc(n * sizeof *x);
    assert_non_null(x);
    uint32_t seed = 12345;
    for (size_t i = 0; i < n; i++) {
        double t = (double)i / AUDIO_RATE, v = noise_rms * noise_sample(&seed);
        if (t >= t0 && t < t1) {
            double ts = fmod(t - t0, 0.25);
            int syl = (int)((t - t0) / 0.25);
            double f0 = 120 + 40 * (syl % 3), env = ts < 0.15 ? sin(M_PI * ts / 0.15) : 0;
            double s = sin(2 * M_PI * f0 * t) + 0.6 * sin(4 * M_PI * f0 * t) + 0.4 * sin(6 * M_PI * f0 * t);
            v += tone_amp * env * s / 2.0;
        }
        x[i] = clip16(v);
    }
    return x;
}

static double rms(const int16_t *x, size_t from, size_t to)
{
    double s = 0;
    for (size_t i = from; i < to; i++) s += (double)x[i] * x[i];
    return to > from ? sqrt(s / (double)(to - from)) : 0;
}

/* The noise-only stretches lose most of their energy once the estimate has
 * settled; the tone survives. */
static void test_noise_attenuated_tone_kept(void **state)
{
    (void)state;
    size_t n = SECS(4);
    int16_t *in = make_signal(n, 1000, 8000, 1.5, 2.5);
    int16_t *out = malloc(n * sizeof *out);
    assert_non_null(out);
    denoise_buffer(in, out, n);

    /* noise before the tone (after a second to learn) and after it */
    double before_in = rms(in, SECS(1.0), SECS(1.5)), before_out = rms(out, SECS(1.0), SECS(1.5));
    double after_in = rms(in, SECS(3.0), SECS(4.0)), after_out = rms(out, SECS(3.0), SECS(4.0));
    print_message("noise RMS %.0f -> %.0f before the tone, %.0f -> %.0f after it\n",
                  before_in, before_out, after_in, after_out);
    assert_true(before_out < before_in / 4);     /* at least 12 dB down */
    assert_true(after_out < after_in / 4);

    /* the tone (with its noise) keeps most of its level: not suppressed as noise */
    double tone_in = rms(in, SECS(1.7), SECS(2.5)), tone_out = rms(out, SECS(1.7), SECS(2.5));
    print_message("tone RMS %.0f -> %.0f\n", tone_in, tone_out);
    assert_true(tone_out > tone_in / 2 && tone_out < tone_in * 2);
    free(in);
    free(out);
}

/* Digital silence stays (near) silent: no gain applied to nothing, no noise added. */
static void test_silence_stays_silent(void **state)
{
    (void)state;
    size_t n = SECS(2);
    int16_t *x = calloc(n, sizeof *x);
    assert_non_null(x);
    denoise_buffer(x, x, n);
    int maxabs = 0;
    for (size_t i = 0; i < n; i++) maxabs = abs(x[i]) > maxabs ? abs(x[i]) : maxabs;
    assert_true(maxabs <= 2);
    free(x);
}

/* Exactly n samples are written, whatever n: the guard after them is untouched;
 * a short last frame is processed as if zero-padded. */
static void test_lengths_and_short_last_frame(void **state)
{
    (void)state;
    static const size_t lens[] = { 0, 1, 159, 160, 161, 1000, 16000 + 77 };
    enum { GUARD = 64 };
    for (size_t k = 0; k < sizeof lens / sizeof lens[0]; k++) {
        size_t n = lens[k];
        int16_t *in = make_signal(n ? n : 1, 1000, 4000, 0.01, 0.5);
        int16_t *out = malloc((n + GUARD) * sizeof *out);
        assert_non_null(out);
        for (size_t i = 0; i < n + GUARD; i++) out[i] = 0x5a5a;
        denoise_buffer(in, out, n);
        for (size_t i = n; i < n + GUARD; i++) assert_int_equal(out[i], 0x5a5a);

        /* the same by hand: frames of 160 through one state, the last one padded */
        size_t padded = (n + DENOISE_FRAME - 1) / DENOISE_FRAME * DENOISE_FRAME;
        int16_t *ref = calloc(padded ? padded : 1, sizeof *ref);
        assert_non_null(ref);
        if (n) memcpy(ref, in, n * sizeof *ref);
        denoise_t *d = denoise_create();
        assert_non_null(d);
        for (size_t i = 0; i < padded; i += DENOISE_FRAME) denoise_frame(d, ref + i);
        denoise_free(d);
        if (n) assert_memory_equal(out, ref, n * sizeof *ref);
        free(ref);
        free(out);
        free(in);
    }
}

/* In place gives the same as into another buffer; the input is left alone. */
static void test_in_place(void **state)
{
    (void)state;
    size_t n = SECS(1.5) + 33;
    int16_t *in = make_signal(n, 800, 6000, 0.6, 1.2);
    int16_t *keep = malloc(n * sizeof *keep), *out = malloc(n * sizeof *out);
    assert_non_null(keep);
    assert_non_null(out);
    memcpy(keep, in, n * sizeof *in);
    denoise_buffer(in, out, n);
    assert_memory_equal(in, keep, n * sizeof *in);
    denoise_buffer(in, in, n);
    assert_memory_equal(in, out, n * sizeof *in);
    assert_memory_not_equal(in, keep, n * sizeof *in);
    free(in);
    free(keep);
    free(out);
}

/* Two runs give the same samples (each denoise_buffer starts fresh), and a
 * stream of denoise_frame calls matches a whole-buffer call. */
static void test_deterministic_and_streaming(void **state)
{
    (void)state;
    size_t n = SECS(2);                     /* a multiple of DENOISE_FRAME */
    int16_t *in = make_signal(n, 1500, 5000, 0.8, 1.4);
    int16_t *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b), *c = malloc(n * sizeof *c);
    assert_true(a && b && c);
    denoise_buffer(in, a, n);
    denoise_buffer(in, b, n);
    assert_memory_equal(a, b, n * sizeof *a);

    memcpy(c, in, n * sizeof *c);
    denoise_t *d = denoise_create();
    assert_non_null(d);
    for (size_t i = 0; i < n; i += DENOISE_FRAME) denoise_frame(d, c + i);
    denoise_free(d);
    assert_memory_equal(a, c, n * sizeof *a);

    denoise_free(NULL);
    free(in);
    free(a);
    free(b);
    free(c);
}

/* A quiet tone is brought up by the AGC, but by no more than its maximum gain. */
static void test_agc_raises_quiet_speech(void **state)
{
    (void)state;
    size_t n = SECS(4);
    int16_t *in = make_signal(n, 20, 500, 0.5, 4.0);
    int16_t *out = malloc(n * sizeof *out);
    assert_non_null(out);
    denoise_buffer(in, out, n);
    double r_in = rms(in, SECS(3.0), SECS(4.0)), r_out = rms(out, SECS(3.0), SECS(4.0));
    print_message("quiet tone RMS %.0f -> %.0f\n", r_in, r_out);
    assert_true(r_out > 1.5 * r_in);
    assert_true(r_out < r_in * pow(10, DENOISE_AGC_MAX_GAIN / 20.0) * 1.1);
    free(in);
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_noise_attenuated_tone_kept),
        cmocka_unit_test(test_silence_stays_silent),
        cmocka_unit_test(test_lengths_and_short_last_frame),
        cmocka_unit_test(test_in_place),
        cmocka_unit_test(test_deterministic_and_streaming),
        cmocka_unit_test(test_agc_raises_quiet_speech),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
