/* test_loop.c: the event loop (src/util/loop.c): timers in order on the
 * virtual clock without sleeping, rescheduling by return value, deletion
 * from inside a callback, file events, the real clock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../../src/util/loop.h"
#include "../../src/util/util.h"

static double wall(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

typedef struct {
    strbuf_t log;
    int left;              /* runs before a repeating timer stops */
    long victim;           /* a timer to delete from inside a callback */
} rec_t;

static rec_t rec;

static double once(loop_t *l, long id, void *ctx)
{
    (void)id;
    strbuf_printf(&rec.log, "%s@%g ", (const char *)ctx, loop_now(l));
    return LOOP_NOMORE;
}

static double every5(loop_t *l, long id, void *ctx)
{
    (void)id;
    (void)ctx;
    strbuf_printf(&rec.log, "tick@%g ", loop_now(l));
    return --rec.left > 0 ? 5 : LOOP_NOMORE;
}

static double killer(loop_t *l, long id, void *ctx)
{
    (void)id;
    (void)ctx;
    strbuf_printf(&rec.log, "kill@%g ", loop_now(l));
    loop_del_timer(l, rec.victim);
    return LOOP_NOMORE;
}

static void test_virtual_timers(void **state)
{
    (void)state;
    memset(&rec, 0, sizeof rec);
    loop_t *l = loop_create(&loop_clock_virtual);
    assert_true(loop_now(l) == 0);
    loop_add_timer(l, 30, once, "escalate");
    loop_add_timer(l, 8, once, "nudge");
    rec.left = 3;
    loop_add_timer(l, 2, every5, NULL);
    rec.victim = loop_add_timer(l, 40, once, "never");
    loop_add_timer(l, 35, killer, NULL);
    assert_true(loop_timer_left(l, rec.victim) == 40);
    double t0 = wall();
    assert_int_equal(loop_run(l), 0);   /* returns: nothing left */
    assert_true(wall() - t0 < 0.5);     /* 40 virtual seconds, no sleeping */
    assert_string_equal(strbuf_cstr(&rec.log), "tick@2 tick@7 nudge@8 tick@12 escalate@30 kill@35 ");
    assert_true(loop_now(l) == 35);
    assert_true(loop_timer_left(l, rec.victim) < 0);
    strbuf_free(&rec.log);
    loop_free(l);
}

static void test_run_for(void **state)
{
    (void)state;
    memset(&rec, 0, sizeof rec);
    loop_t *l = loop_create(&loop_clock_virtual);
    loop_add_timer(l, 10, once, "a");
    loop_add_timer(l, 25, once, "b");
    loop_run_for(l, 12);
    assert_string_equal(strbuf_cstr(&rec.log), "a@10 ");
    assert_true(loop_now(l) == 12);
    loop_run_for(l, 13);               /* a timer exactly at the end runs */
    assert_string_equal(strbuf_cstr(&rec.log), "a@10 b@25 ");
    assert_true(loop_now(l) == 25);
    loop_run_for(l, 100);              /* nothing to do: time still passes */
    assert_true(loop_now(l) == 125);
    strbuf_free(&rec.log);
    loop_free(l);
}

static void on_pipe(loop_t *l, int fd, int mask, void *ctx)
{
    char buf[16];
    ssize_t n = read(fd, buf, sizeof buf);
    strbuf_printf(&rec.log, "read %zd mask %d ", n, mask);
    if (ctx) loop_stop(l);
}

static double writer(loop_t *l, long id, void *ctx)
{
    (void)l;
    (void)id;
    if (write(*(int *)ctx, "x", 1) != 1) fail();
    return LOOP_NOMORE;
}

/* The real clock: a pipe written by a timer wakes the loop, which stops. */
static void test_files_real(void **state)
{
    (void)state;
    memset(&rec, 0, sizeof rec);
    int p[2];
    assert_int_equal(pipe(p), 0);
    loop_t *l = loop_create(&loop_clock_real);
    assert_int_equal(loop_add_file(l, p[0], LOOP_READ, on_pipe, (void *)1), 0);
    loop_add_timer(l, 0.05, writer, &p[1]);
    double t0 = wall();
    loop_run(l);
    double took = wall() - t0;
    assert_true(took >= 0.04 && took < 2.0);
    assert_string_equal(strbuf_cstr(&rec.log), "read 1 mask 1 ");
    /* removed: a second write wakes nothing */
    loop_del_file(l, p[0]);
    assert_int_equal(write(p[1], "y", 1), 1);
    loop_add_timer(l, 0.02, once, "t");
    loop_run_for(l, 0.05);
    assert_int_equal(strncmp(strbuf_cstr(&rec.log), "read 1 mask 1 t@", 16), 0);
    assert_null(strstr(strbuf_cstr(&rec.log) + 1, "read"));
    close(p[0]);
    close(p[1]);
    strbuf_free(&rec.log);
    loop_free(l);
}

/* The file table is bounded and says so. */
static void test_full(void **state)
{
    (void)state;
    loop_t *l = loop_create(NULL);
    for (int i = 0; i < LOOP_MAX_FILES; i++) assert_int_equal(loop_add_file(l, 100 + i, LOOP_READ, on_pipe, NULL), 0);
    assert_int_equal(loop_add_file(l, 1000, LOOP_READ, on_pipe, NULL), -1);
    assert_int_equal(loop_add_file(l, 100, LOOP_WRITE, on_pipe, NULL), 0);   /* the same fd: replaced */
    loop_free(l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_virtual_timers),
        cmocka_unit_test(test_run_for),
        cmocka_unit_test(test_files_real),
        cmocka_unit_test(test_full),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
