/* test_confidence.c: the calibrated mapping and the agreement measure of
 * src/speech/confidence.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../../src/speech/confidence.h"

typedef struct {
    const char *want, *have;
    int skip;
    double agree;
} agree_row_t;

static const agree_row_t agree_rows[] = {
    { "two cheeseburgers and a large coke", "two cheeseburgers and a large coke", 0, 1.0 },
    { "a cheese burger", "a cheeseburger", 0, 1.0 },            /* compounds count as one */
    { "a cheeseburger", "a cheese burger", 0, 1.0 },
    { "two croissants", "to you you croissants", 0, 0.5 },
    { "two croissants", "croissants two", 0, 0.5 },             /* in order */
    { "a large coke", "", 0, 0.0 },
    { "a large coke", "large coke", 1, 1.0 },                   /* function words skipped */
    { "a large coke", "the large dogs", 1, 0.5 },
    { "", "anything", 0, 1.0 },                                 /* nothing to find */
    { "a the and", "", 1, 1.0 },                                /* no content words */
    { "eight large fries", "large fries is", 0, 2.0 / 3 },
};

static void test_agreement(void **state)
{
    (void)state;
    int bad = 0;
    for (size_t i = 0; i < sizeof agree_rows / sizeof agree_rows[0]; i++) {
        const agree_row_t *r = &agree_rows[i];
        double got = conf_agreement(r->want, r->have, r->skip);
        if (fabs(got - r->agree) > 1e-9) {
            fprintf(stderr, "agreement(\"%s\", \"%s\", %d) = %.4f, want %.4f\n", r->want, r->have,
                    r->skip, got, r->agree);
            bad++;
        }
    }
    assert_true(conf_agreement(NULL, NULL, 0) == 1.0);
    if (bad) fail_msg("%d agreement rows differ", bad);
}

/* Good evidence everywhere, bad evidence everywhere, and each feature made
 * better alone: the confidence is in 0..1, high for the good, low for the
 * bad, never lower for better evidence (the fit keeps the coefficients'
 * signs), and wild or NaN values are clamped rather than spread. */
static void fill(double f[CF_N], int good)
{
    memset(f, 0, CF_N * sizeof f[0]);
    f[CF_MEAN] = good ? -10 : -120;
    f[CF_WORST] = good ? -20 : -200;
    f[CF_COVERAGE] = good ? 1 : 0.4;
    f[CF_LOOP_AGREE] = good ? 1 : 0.2;
    f[CF_FREE_AGREE] = good ? 1 : 0;
    f[CF_SNR] = good ? 40 : 8;
    f[CF_CLIPPED] = 0;
    f[CF_SECONDS] = 1.5;
    f[CF_LOOP_MARGIN] = good ? 2 : -30;
    f[CF_LOOP_WORST] = good ? 0 : -80;
    f[CF_WORD_PEAK] = good ? -3 : -30;
}

static void test_calibrate(void **state)
{
    (void)state;
    double good[CF_N], bad[CF_N], f[CF_N];
    fill(good, 1);
    fill(bad, 0);
    double hi = conf_calibrate(good), lo = conf_calibrate(bad);
    assert_true(hi > 0.8 && hi < 1.0);
    assert_true(lo > 0.0 && lo < 0.2);

    /* better evidence never lowers it: each feature from bad to good alone */
    static const int better[] = { CF_MEAN, CF_WORST, CF_COVERAGE, CF_LOOP_AGREE, CF_FREE_AGREE,
                                  CF_SNR, CF_LOOP_MARGIN, CF_LOOP_WORST, CF_WORD_PEAK };
    for (size_t k = 0; k < sizeof better / sizeof better[0]; k++) {
        memcpy(f, bad, sizeof f);
        f[better[k]] = good[better[k]];
        if (conf_calibrate(f) < lo) fail_msg("better %s lowered the confidence", conf_feature_names[better[k]]);
        memcpy(f, good, sizeof f);
        f[better[k]] = bad[better[k]];
        if (conf_calibrate(f) > hi) fail_msg("worse %s raised the confidence", conf_feature_names[better[k]]);
    }
    memcpy(f, good, sizeof f);
    f[CF_CLIPPED] = 0.2;
    assert_true(conf_calibrate(f) <= hi);

    memcpy(f, good, sizeof f);
    f[CF_LOOP_WORST] = -1e12;
    double wild = conf_calibrate(f);
    f[CF_LOOP_WORST] = -400;
    assert_true(fabs(wild - conf_calibrate(f)) < 1e-12);     /* clamped */
    f[CF_LOOP_WORST] = NAN;
    double nan = conf_calibrate(f);
    assert_false(isnan(nan));
    assert_true(nan <= hi);
    f[CF_LOOP_WORST] = INFINITY;
    assert_false(isnan(conf_calibrate(f)));

    for (int i = 0; i < CF_N; i++) {
        assert_non_null(conf_feature_names[i]);
        for (int k = 0; k < i; k++) assert_string_not_equal(conf_feature_names[i], conf_feature_names[k]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_agreement),
        cmocka_unit_test(test_calibrate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
