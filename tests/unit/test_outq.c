/* test_outq.c: a reader that stops reading never blocks the writer of
 * lines; what does not fit is dropped whole and counted; what arrives is in
 * order and whole. */
#define _GNU_SOURCE   /* F_SETPIPE_SZ */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../../src/util/outq.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A reader that stops: the lane's puts stay quick, the overflow is dropped
 * and counted, the lines that did go through are whole and in order. */
static void test_stalled_reader(void **state)
{
    (void)state;
    int p[2];
    assert_int_equal(pipe(p), 0);
    fcntl(p[1], F_SETPIPE_SZ, 4096);
    outq_t *q = outq_open(p[1], 8192);
    assert_non_null(q);
    int ok = 0, dropped = 0;
    double t0 = now(), slowest = 0;
    for (int i = 0; i < 2000; i++) {
        char line[64];
        int n = snprintf(line, sizeof line, "{\"event\": \"turn\", \"n\": %04d, \"pad\": \"xxxxxxxx\"}\n", i);
        double t = now();
        if (outq_put(q, line, (size_t)n) == 0) ok++;
        else dropped++;
        if (now() - t > slowest) slowest = now() - t;
    }
    assert_true(now() - t0 < 2.0);
    assert_true(slowest < 0.5);          /* never waits on the reader */
    assert_true(dropped > 1000);         /* 2000 x 50 bytes into 4 KB + 8 KB */
    assert_int_equal(outq_dropped(q), (unsigned long)dropped);

    /* the reader comes back: what was queued arrives, in order, each line whole */
    char buf[1 << 16];
    size_t have = 0;
    double until = now() + 2.0;
    fcntl(p[0], F_SETFL, O_NONBLOCK);
    while (now() < until && have < sizeof buf - 1) {
        ssize_t n = read(p[0], buf + have, sizeof buf - 1 - have);
        if (n > 0) have += (size_t)n;
        else usleep(10000);
    }
    buf[have] = '\0';
    int lines = 0, last = -1;
    for (char *l = buf, *nl; (nl = strchr(l, '\n')); l = nl + 1) {
        int n;
        assert_int_equal(sscanf(l, "{\"event\": \"turn\", \"n\": %d, \"pad\": \"xxxxxxxx\"}", &n), 1);
        assert_true(n > last);
        last = n;
        lines++;
    }
    assert_int_equal(lines, ok);
    assert_int_equal(buf[have - 1], '\n');
    assert_int_equal(outq_close(q, 1.0), (unsigned long)dropped);
    close(p[0]);
    close(p[1]);
}

/* The reader has gone (a closed pipe): lines are dropped, nothing dies. */
static void test_reader_gone(void **state)
{
    (void)state;
    signal(SIGPIPE, SIG_IGN);
    int p[2];
    assert_int_equal(pipe(p), 0);
    close(p[0]);
    outq_t *q = outq_open(p[1], 1 << 20);
    assert_int_equal(outq_put(q, "a\n", 2), 0);
    double until = now() + 2.0;
    while (outq_put(q, "b\n", 2) == 0 && now() < until) usleep(1000);
    assert_true(now() < until);
    assert_true(outq_dropped(q) >= 1);
    outq_close(q, 1.0);
    close(p[1]);
}

/* Stopping with a reader that never reads: close gives up after its wait
 * and says how many lines were not written. */
static void test_close_stuck(void **state)
{
    (void)state;
    int p[2];
    assert_int_equal(pipe(p), 0);
    fcntl(p[1], F_SETPIPE_SZ, 4096);
    outq_t *q = outq_open(p[1], 1 << 20);
    char line[1000];
    memset(line, 'x', sizeof line - 1);
    line[sizeof line - 1] = '\n';
    for (int i = 0; i < 20; i++) assert_int_equal(outq_put(q, line, sizeof line), 0);
    double t0 = now();
    unsigned long lost = outq_close(q, 0.3);
    assert_true(now() - t0 < 1.5);
    assert_true(lost >= 15);   /* at most 4 of the 1000-byte lines fit the pipe */
    close(p[0]);
    close(p[1]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stalled_reader),
        cmocka_unit_test(test_reader_gone),
        cmocka_unit_test(test_close_stuck),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
