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

/* Good evidence everywhere, then each feature made worse alone: the
 * confidence is in 0..1, never rises when evidence gets worse, and wild or
 * NaN values are clamped rather than spread. */
static void test_calibrate(void **state)
{
    (void)state;
    double good[CF_N] = {0};
    good[CF_MEAN] = -10;
    good[CF_WORST] = -20;
    good[CF_COVERAGE] = 1;
    good[CF_LOOP_AGREE] = 1;
    good[CF_FREE_AGREE] = 1;
    good[CF_SNR] = 40;
    good[CF_CLIPPED] = 0;
    good[CF_SECONDS] = 1.5;
    good[CF_LOOP_MARGIN] = 0;
    double base = conf_calibrate(good);
    assert_true(base > 0.0 && base < 1.0);
    assert_true(base > 0.5);

    double f[CF_N];
    memcpy(f, good, sizeof f);
    f[CF_MEAN] = -120;
    f[CF_WORST] = -200;
    double bad_fit = conf_calibrate(f);
    assert_true(bad_fit < base);
    assert_true(bad_fit < 0.5);

    memcpy(f, good, sizeof f);
    f[CF_COVERAGE] = 0.3;
    assert_true(conf_calibrate(f) <= base);

    memcpy(f, good, sizeof f);
    f[CF_WORST] = -1e12;
    double wild = conf_calibrate(f);
    f[CF_WORST] = -400;
    assert_true(fabs(wild - conf_calibrate(f)) < 1e-12);     /* clamped */
    f[CF_WORST] = NAN;
    double nan = conf_calibrate(f);
    assert_false(isnan(nan));
    assert_true(nan <= base);

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
