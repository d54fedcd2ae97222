/* test_crew_screen.c: the full-screen crew station's layout
 * (crew_screen_compose in src/kiosk/crew_screen.c), without a terminal: a
 * view and a size in, the exact rows and their attributes out.  The screen
 * itself is tested in tmux (tests/e2e/crew_screen.sh). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/kiosk/crew_screen.h"

static json_t *order_of(int nlines)
{
    json_t *lines = json_array();
    for (int i = 0; i < nlines; i++)
        json_array_append_new(lines, json_pack("{s:s, s:i, s:s, s:i}", "item", "Cookie", "qty", i + 1, "size",
                                               "small", "cents", 100 * (i + 1)));
    return json_pack("{s:s, s:o, s:i}", "status", "open", "lines", lines, "total_cents", 4200);
}

static void expect_rows(const cs_frame_t *f, const char *const *want, int n)
{
    assert_int_equal(f->text.n, n);
    for (int i = 0; i < n; i++) assert_string_equal(f->text.v[i], want[i]);
}

/* 12 rows: six for the order and the transcript; the order gets what the
 * transcript's three leave: its last line and the total, the rest counted */
static void test_long_order_keeps_total(void **state)
{
    (void)state;
    crew_view_t v;
    view_init(&v);
    v.lane = xstrdup("Lane 2");
    v.car = 7;
    v.order = order_of(6);
    strlist_t tr = {0};
    strlist_push(&tr, "12:00:01 car 7 arrived");
    cs_input_t in = { &v, 0, &tr, "", "ad", 0 };
    cs_frame_t f;
    crew_screen_compose(&in, 12, 30, &f);
    static const char *const want[] = {
        "Lane 2 | car 7 | order: kiosk",
        "-- order ---------------------",
        "... 5 more",
        "6. 6 x Small Cookie  $6.00",
        "total $42.00",
        "-- transcript ----------------",
        "12:00:01 car 7 arrived",
        "",
        "",
        "------------------------------",
        "type help for the commands",
        "> ad",
    };
    expect_rows(&f, want, 12);
    assert_int_equal(f.attr[0], CS_BOLD);
    assert_int_equal(f.cursor, 4);
    cs_frame_free(&f);
    strlist_free(&tr);
    view_free(&v);
}

/* the page: a bar across the screen with its age; an escalation and who has
 * the car under it; long transcript lines wrapped under their text, the
 * oldest rows dropped first */
static void test_page_and_wrapping(void **state)
{
    (void)state;
    crew_view_t v;
    view_init(&v);
    v.lane = xstrdup("Lane 1");
    v.car = 3;
    v.taken_over = 1;
    v.talking = 1;
    v.page_open = 1;
    v.page_at = 100.0;
    v.page_car = 3;
    v.page_text = xstrdup("asked for a person");
    v.escalated = 2;
    strlist_t tr = {0};
    strlist_push(&tr, "12:00:01 old line");
    strlist_push(&tr, "12:00:02 car 3 customer: \"one two three four five six\"");
    cs_input_t in = { &v, 112.7, &tr, "remove 9: error: no line 9", "", 0 };
    cs_frame_t f;
    crew_screen_compose(&in, 13, 40, &f);
    static const char *const want[] = {
        "Lane 1 | car 3 | order: YOURS | TALKING",
        "PAGE car 3: asked for a person - 12 s   ",
        "not acknowledged: sent to the manager; a",
        "-- order -------------------------------",
        "(nothing ordered yet)",
        "total $0.00",
        "-- transcript --------------------------",
        "12:00:02 car 3 customer: \"one two three",
        "         four five six\"",
        "----------------------------------------",
        "remove 9: error: no line 9",
        "> ",
    };
    /* 13 rows: header 3, rules 3, status and command 2: 5 for order and transcript */
    assert_int_equal(f.text.n, 13);
    assert_string_equal(f.text.v[0], want[0]);
    assert_string_equal(f.text.v[1], want[1]);
    assert_int_equal(f.attr[1], CS_PAGE);
    assert_string_equal(f.text.v[2], want[2]);
    assert_int_equal(f.attr[2], CS_BOLD);
    assert_string_equal(f.text.v[3], want[3]);
    assert_string_equal(f.text.v[4], want[4]);
    assert_string_equal(f.text.v[5], want[5]);
    assert_string_equal(f.text.v[6], want[6]);
    assert_string_equal(f.text.v[7], "12:00:01 old line");
    assert_string_equal(f.text.v[8], want[7]);
    assert_string_equal(f.text.v[9], want[8]);
    assert_string_equal(f.text.v[10], want[9]);
    assert_string_equal(f.text.v[11], want[10]);
    assert_int_equal(f.attr[11], CS_BOLD);
    assert_string_equal(f.text.v[12], want[11]);
    cs_frame_free(&f);

    /* one row less: the order's one row says how many and the total */
    crew_screen_compose(&in, 12, 40, &f);
    assert_int_equal(f.text.n, 12);
    assert_string_equal(f.text.v[4], "... 1 more; total $0.00");
    assert_string_equal(f.text.v[6], "12:00:01 old line");
    assert_string_equal(f.text.v[8], want[8]);
    cs_frame_free(&f);

    /* two rows less: the oldest transcript line leaves, the wrapped one stays whole */
    crew_screen_compose(&in, 11, 40, &f);
    assert_int_equal(f.text.n, 11);
    assert_string_equal(f.text.v[6], want[7]);
    assert_string_equal(f.text.v[7], want[8]);
    cs_frame_free(&f);
    strlist_free(&tr);
    view_free(&v);
}

/* no car, no page; a terminal too small for the order still has the header,
 * the status row and the command line; control characters never reach it */
static void test_small_and_bad_input(void **state)
{
    (void)state;
    crew_view_t v;
    view_init(&v);
    v.lane = xstrdup("Lane\t1\n");
    cs_input_t in = { &v, 0, NULL, NULL, "x", 1 };
    cs_frame_t f;
    crew_screen_compose(&in, 4, 20, &f);
    assert_int_equal(f.text.n, 4);
    assert_string_equal(f.text.v[0], "Lane 1  | no car");
    assert_string_equal(f.text.v[1], "");
    assert_string_equal(f.text.v[2], "type help for the co");
    assert_string_equal(f.text.v[3], "> x");
    cs_frame_free(&f);
    crew_screen_compose(&in, 1, 5, &f);   /* nothing to lay out: no crash */
    assert_string_equal(f.text.v[0], "Lane ");
    cs_frame_free(&f);
    view_free(&v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_long_order_keeps_total),
        cmocka_unit_test(test_page_and_wrapping),
        cmocka_unit_test(test_small_and_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
