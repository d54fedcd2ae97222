/* test_escalate.c: the clock of an unacknowledged page (src/crew/escalate.c),
 * as a table of raises, ticks and acknowledgements at given times. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../../src/crew/escalate.h"

/* r: esc_raise(at); t: esc_tick(at) must return level; a: esc_ack(at) must
 * return waited (-1: none open).  After each step, open must be as given. */
typedef struct {
    char op;
    double at;
    esc_level_t level;        /* t */
    double waited;            /* a */
    int open;
} esc_step_t;

#define RAISE(at) { 'r', at, ESC_NONE, 0, 1 }
#define TICK(at, level) { 't', at, level, 0, 1 }
#define TICK_CLOSED(at) { 't', at, ESC_NONE, 0, 0 }
#define ACK(at, waited) { 'a', at, ESC_NONE, waited, 0 }

typedef struct {
    const char *name;
    esc_step_t steps[16];
} esc_script_t;

static const esc_script_t scripts[] = {
    { "remind at exactly 10 s, once; manager at exactly 30 s, once", {
        RAISE(100), TICK(100, ESC_NONE), TICK(109.999, ESC_NONE), TICK(110, ESC_REMIND),
        TICK(110, ESC_NONE), TICK(115, ESC_NONE), TICK(129.9, ESC_NONE), TICK(130, ESC_MANAGER),
        TICK(130.5, ESC_NONE), TICK(500, ESC_NONE), ACK(500, 400), TICK_CLOSED(600),
    } },
    { "acknowledged before 10 s: nothing, and the seconds waited", {
        RAISE(5), TICK(9, ESC_NONE), ACK(12.5, 7.5), TICK_CLOSED(15), TICK_CLOSED(40),
    } },
    { "a second raise while open keeps the first time", {
        RAISE(0), TICK(8, ESC_NONE), RAISE(8), TICK(10, ESC_REMIND), RAISE(20),
        TICK(30, ESC_MANAGER), ACK(31, 31),
    } },
    { "ack with nothing open", {
        ACK(3, -1), TICK_CLOSED(50), RAISE(60), ACK(61, 1), ACK(62, -1),
    } },
    { "after an ack a new raise restarts the clock", {
        RAISE(0), TICK(10, ESC_REMIND), ACK(12, 12), RAISE(20), TICK(29, ESC_NONE),
        TICK(30, ESC_REMIND), TICK(49, ESC_NONE), TICK(50, ESC_MANAGER), ACK(55, 35),
    } },
    { "a late tick past both marks reports the manager, once", {
        RAISE(0), TICK(45, ESC_MANAGER), TICK(46, ESC_NONE), ACK(50, 50),
    } },
    { "a time such as 100.1 + 10 still reminds at the mark", {
        RAISE(100.1), TICK(110.1, ESC_REMIND), TICK(130.1, ESC_MANAGER),
    } },
    { "a clock going backwards waits nothing", {
        RAISE(100), TICK(50, ESC_NONE), ACK(90, 0),
    } },
};

static void test_scripts(void **state)
{
    (void)state;
    int bad = 0;
    for (size_t s = 0; s < sizeof scripts / sizeof scripts[0]; s++) {
        const esc_script_t *sc = &scripts[s];
        escalation_t e;
        esc_init(&e);
        assert_false(e.open);
        for (int i = 0; i < 16 && sc->steps[i].op; i++) {
            const esc_step_t *st = &sc->steps[i];
            int ok = 1;
            switch (st->op) {
            case 'r':
                esc_raise(&e, st->at);
                break;
            case 't': {
                esc_level_t got = esc_tick(&e, st->at);
                if (got != st->level) {
                    fprintf(stderr, "%s, step %d: tick at %g gave %s, want %s\n", sc->name, i + 1,
                            st->at, esc_level_names[got], esc_level_names[st->level]);
                    ok = 0;
                }
                break;
            }
            case 'a': {
                double got = esc_ack(&e, st->at);
                if (fabs(got - st->waited) > 1e-9) {
                    fprintf(stderr, "%s, step %d: ack at %g gave %g, want %g\n", sc->name, i + 1, st->at,
                            got, st->waited);
                    ok = 0;
                }
                break;
            }
            }
            if (!!e.open != st->open) {
                fprintf(stderr, "%s, step %d: open %d, want %d\n", sc->name, i + 1, e.open, st->open);
                ok = 0;
            }
            bad += !ok;
        }
    }
    if (bad) fail_msg("%d steps differ", bad);
}

static void test_levels(void **state)
{
    (void)state;
    assert_string_equal(esc_level_names[ESC_NONE], "none");
    assert_string_equal(esc_level_names[ESC_REMIND], "remind");
    assert_string_equal(esc_level_names[ESC_MANAGER], "manager");

    /* the level reached stays readable after the ack; a new raise clears it */
    escalation_t e;
    esc_init(&e);
    assert_int_equal(e.level, ESC_NONE);
    esc_raise(&e, 0);
    assert_int_equal(esc_tick(&e, 10), ESC_REMIND);
    assert_int_equal(e.level, ESC_REMIND);
    assert_true(esc_ack(&e, 11) == 11);
    assert_int_equal(e.level, ESC_REMIND);
    esc_raise(&e, 20);
    assert_int_equal(e.level, ESC_NONE);
    assert_true(e.raised == 20);

    /* a NaN time reaches nothing and waits nothing */
    assert_int_equal(esc_tick(&e, NAN), ESC_NONE);
    assert_true(esc_ack(&e, NAN) == 0);
    assert_false(e.open);
}

/* Other marks (kiosk run --escalate 3,6). */
static void test_custom_marks(void **state)
{
    (void)state;
    escalation_t e;
    esc_init(&e);
    assert_true(e.remind_s == ESC_REMIND_S && e.manager_s == ESC_MANAGER_S);
    e.remind_s = 3;
    e.manager_s = 6;
    esc_raise(&e, 100);
    assert_int_equal(esc_tick(&e, 102.9), ESC_NONE);
    assert_int_equal(esc_tick(&e, 103), ESC_REMIND);
    assert_int_equal(esc_tick(&e, 105), ESC_NONE);
    assert_int_equal(esc_tick(&e, 106), ESC_MANAGER);
    assert_int_equal(esc_tick(&e, 140), ESC_NONE);
    assert_true(fabs(esc_ack(&e, 107) - 7) < 1e-9);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scripts),
        cmocka_unit_test(test_levels),
        cmocka_unit_test(test_custom_marks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
