/* test_debounce.c: firmware/debounce.c as tables: a raw waveform sampled
 * each ms, and the times the debounced value must change (and no others). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../../firmware/debounce.h"

typedef struct { uint16_t ms; uint8_t level; } seg_t;
typedef struct {
    const char *name;
    uint16_t on_ms, off_ms;
    seg_t wave[16];     /* ends at ms 0 */
    int changes[6];     /* ms from the start at which stable flips; -1 ends */
} row_t;

static const row_t rows[] = {
    { "button: contact bounce, then held", 30, 30,
      { {10, 0}, {2, 1}, {3, 0}, {1, 1}, {4, 0}, {2, 1}, {200, 1}, {3, 0}, {2, 1}, {1, 0}, {100, 0} },
      /* last rise at 20: on at 50; last fall at 227: off at 257 */
      { 50, 257, -1 } },
    { "button: a 20 ms glitch is not a press", 30, 30, { {50, 0}, {20, 1}, {100, 0} }, { -1 } },
    /* steady for 30 ms: the 31st sample (t+30) sees it; 30 samples do not */
    { "button: 30 samples pressed are not a press", 30, 30, { {50, 0}, {30, 1}, {100, 0} }, { -1 } },
    { "button: 31 samples pressed are", 30, 30, { {50, 0}, {31, 1}, {100, 0} }, { 80, 111, -1 } },
    { "loop: a car arrives and leaves", 500, 2000, { {100, 0}, {4000, 1}, {3000, 0} }, { 600, 6100, -1 } },
    { "loop: a car passing by the edge, 499 ms, is no car", 500, 2000, { {100, 0}, {499, 1}, {3000, 0} }, { -1 } },
    /* a car creeping over the loop's edge: the detector flickers for seconds;
       one arrival, one departure, not two cars */
    { "loop: creeping on and off the edge is one car", 500, 2000,
      { {100, 0}, {300, 1}, {200, 0}, {600, 1}, {1500, 0}, {400, 1}, {1900, 0}, {700, 1},
        {1999, 0}, {100, 1}, {2500, 0} },
      /* steady on from 600: arrives at 1100; absent for 2000 ms only at the
         end, from 7799: leaves at 9799 */
      { 1100, 9799, -1 } },
    { "loop: leaving needs 2 s absent; 1999 ms and back is the same car", 500, 2000,
      { {10, 0}, {1000, 1}, {1999, 0}, {1000, 1}, {10, 0} }, { 510, -1 } },
    { "crew present: 200 ms", 200, 200, { {10, 0}, {150, 1}, {50, 0}, {300, 1}, {199, 0}, {300, 0} },
      { 410, 710, -1 } },
};

static void run_row(const row_t *row, uint16_t t0)
{
    debounce_t d;
    debounce_init(&d, 0, t0);
    int t = 0, got = 0;
    for (int s = 0; s < 16 && row->wave[s].ms; s++)
        for (int k = 0; k < row->wave[s].ms; k++, t++) {
            uint8_t before = d.stable;
            uint8_t changed = debounce_update(&d, row->wave[s].level, (uint16_t)(t0 + t), row->on_ms, row->off_ms);
            assert_int_equal(changed, d.stable != before);
            if (!changed) continue;
            if (row->changes[got] != t) print_message("%s: change %d at %d ms\n", row->name, got, t);
            assert_int_equal(row->changes[got], t);
            assert_int_equal(d.stable, got % 2 == 0);   /* on, off, on... */
            got++;
        }
    assert_int_equal(row->changes[got], -1);
}

static void test_tables(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
        print_message("row: %s\n", rows[i].name);
        run_row(&rows[i], 0);
        run_row(&rows[i], 63000);   /* the same across the 16-bit wrap */
    }
}

/* Samples need not come each ms: a late sample still sees the time passed. */
static void test_sparse_samples(void **state)
{
    (void)state;
    debounce_t d;
    debounce_init(&d, 0, 100);
    assert_int_equal(debounce_update(&d, 1, 110, 500, 2000), 0);
    assert_int_equal(debounce_update(&d, 1, 609, 500, 2000), 0);
    assert_int_equal(debounce_update(&d, 1, 700, 500, 2000), 1);
    assert_int_equal(d.stable, 1);
    assert_int_equal(debounce_update(&d, 0, 800, 500, 2000), 0);
    assert_int_equal(debounce_update(&d, 0, 2799, 500, 2000), 0);
    assert_int_equal(debounce_update(&d, 0, 2800, 500, 2000), 1);
    assert_int_equal(d.stable, 0);
    debounce_init(&d, 1, 0);    /* started on */
    assert_int_equal(debounce_update(&d, 7, 5000, 30, 30), 0);   /* any non-zero is on */
    assert_int_equal(d.stable, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tables),
        cmocka_unit_test(test_sparse_samples),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
