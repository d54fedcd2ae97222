/* test_chime.c: the crew headset's chime (src/audio/chime.c): its length at
 * the rates headsets run at, its peak, silence at both ends and between the
 * tones (no click), no jump between samples larger than a sine's, and its
 * two pitches where they belong. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>

#include "../../src/audio/chime.h"

/* The power at hz in x[0..n) (Goertzel), normalised by n. */
static double power_at(const float *x, size_t n, int rate, double hz)
{
    double w = 2.0 * M_PI * hz / rate, c = 2.0 * cos(w), s1 = 0, s2 = 0;
    for (size_t i = 0; i < n; i++) {
        double s0 = x[i] + c * s1 - s2;
        s2 = s1;
        s1 = s0;
    }
    return (s1 * s1 + s2 * s2 - c * s1 * s2) / ((double)n * n);
}

static void test_length(void **state)
{
    (void)state;
    assert_int_equal(chime_samples(48000, 1), 2 * 7200);          /* 2 x 150 ms */
    assert_int_equal(chime_samples(44100, 1), 2 * 6615);
    assert_int_equal(chime_samples(16000, 2), 4 * 2400 + 1920);   /* and a 120 ms gap */
    assert_int_equal(chime_samples(44100, 0), 0);
    assert_int_equal(chime_samples(44100, CHIME_TIMES_MAX + 1), 0);
    assert_int_equal(chime_samples(4000, 1), 0);
    float dummy;
    assert_int_equal(chime_make(&dummy, 0, 1), 0);
}

static void check_chime(int rate, int times)
{
    size_t n = chime_samples(rate, times);
    float *x = malloc(n * sizeof *x);
    assert_non_null(x);
    assert_int_equal(chime_make(x, rate, times), n);
    float peak = 0, jump = 0;
    for (size_t i = 0; i < n; i++) {
        if (fabsf(x[i]) > peak) peak = fabsf(x[i]);
        if (i && fabsf(x[i] - x[i - 1]) > jump) jump = fabsf(x[i] - x[i - 1]);
    }
    assert_true(peak <= CHIME_PEAK && peak > 0.95f * CHIME_PEAK);
    /* no click: silence at both ends and where the tones meet ... */
    size_t t = (size_t)rate * CHIME_TONE_MS / 1000;
    assert_true(fabsf(x[0]) < 1e-3f && fabsf(x[n - 1]) < 1e-3f);
    assert_true(fabsf(x[t - 1]) < 1e-3f && fabsf(x[t]) < 1e-3f);
    /* ... and no step larger than the highest tone's own steepest slope */
    assert_true(jump <= CHIME_PEAK * 2 * M_PI * CHIME_HI_HZ / rate * 1.01);
    /* ding (880 Hz) then dong (660 Hz) */
    assert_true(power_at(x, t, rate, CHIME_HI_HZ) > 100 * power_at(x, t, rate, CHIME_LO_HZ));
    assert_true(power_at(x + t, t, rate, CHIME_LO_HZ) > 100 * power_at(x + t, t, rate, CHIME_HI_HZ));
    assert_true(power_at(x, t, rate, CHIME_HI_HZ) > 0.03);   /* (0.5 * 0.92)^2 / 4 ~ 0.05 */
    if (times == 2) {   /* the gap between the two chimes is silent */
        size_t g0 = 2 * t, g = (size_t)rate * CHIME_GAP_MS / 1000;
        for (size_t i = g0; i < g0 + g; i++) assert_true(x[i] == 0.0f);
    }
    free(x);
}

static void test_shape(void **state)
{
    (void)state;
    check_chime(48000, 1);
    check_chime(44100, 1);
    check_chime(16000, 1);
    check_chime(44100, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_length),
        cmocka_unit_test(test_shape),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
