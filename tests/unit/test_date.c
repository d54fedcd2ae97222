/* test_date.c: the command line's dates (src/util/date.c), as a table of
 * inputs, time zones and the seconds they must give, bad input included. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "../../src/util/date.h"

#define BAD (-1.0)

typedef struct {
    const char *tz;           /* POSIX TZ strings: no zoneinfo files needed */
    const char *in;
    int end_of_day;
    double want;              /* BAD: refused */
} date_case_t;

static const date_case_t cases[] = {
    { "UTC0", "2027-01-15", 0, 1799971200 },
    { "UTC0", "2027-01-15", 1, 1800057600 },          /* --until a day: the day included */
    { "UTC0", "2027-01-15T12:00", 0, 1800014400 },
    { "UTC0", "2027-01-15T12:00", 1, 1800014400 },    /* a time is a time */
    { "UTC0", "2027-01-31", 1, 1801440000 },          /* the day after the 31st is 1 February */
    { "UTC0", "2027-12-31", 1, 1830297600 },
    { "UTC0", "2028-02-29", 0, 1835395200 },          /* leap years */
    { "UTC0", "2028-02-29", 1, 1835481600 },
    { "UTC0", "2000-02-29", 0, 951782400 },
    { "EST5EDT,M3.2.0,M11.1.0", "2027-01-15T07:00", 0, 1800014400 },   /* local time: winter */
    { "EST5EDT,M3.2.0,M11.1.0", "2027-07-01T08:00", 0, 1814443200 },   /* summer time */
    { "EST5EDT,M3.2.0,M11.1.0", "2027-07-01", 1, 1814500800 },
    { "EST5EDT,M3.2.0,M11.1.0", "2027-03-14T02:30", 0, 1805009400 },   /* the gap: 03:30 EDT */
    { "UTC0", "2027-02-29", 0, BAD },
    { "UTC0", "2100-02-29", 0, BAD },
    { "UTC0", "2027-13-01", 0, BAD },
    { "UTC0", "2027-00-10", 0, BAD },
    { "UTC0", "2027-01-32", 0, BAD },
    { "UTC0", "2027-01-00", 0, BAD },
    { "UTC0", "2027-01-15T24:00", 0, BAD },
    { "UTC0", "2027-01-15T12:60", 0, BAD },
    { "UTC0", "2027-01-15T12", 0, BAD },
    { "UTC0", "2027-01-15 12:00", 0, BAD },
    { "UTC0", "2027-01-15T12:00:00", 0, BAD },
    { "UTC0", "2027-01-15T1:00x", 0, BAD },
    { "UTC0", "2027-1-15", 0, BAD },
    { "UTC0", "2027/01/15", 0, BAD },
    { "UTC0", "+027-01-15", 0, BAD },
    { "UTC0", "1969-12-31", 0, BAD },
    { "UTC0", "yesterday", 0, BAD },
    { "UTC0", "", 0, BAD },
};

static void test_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const date_case_t *c = &cases[i];
        setenv("TZ", c->tz, 1);
        tzset();
        double t = BAD;
        int rc = date_parse_local(c->in, c->end_of_day, &t);
        if (c->want == BAD) {
            if (rc != -1) fail_msg("\"%s\" (TZ %s) was taken as %.0f", c->in, c->tz, t);
        } else if (rc != 0 || t != c->want) {
            fail_msg("\"%s\" end_of_day %d (TZ %s): rc %d, %.0f, expected %.0f", c->in, c->end_of_day, c->tz,
                     rc, t, c->want);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = { cmocka_unit_test(test_table) };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
