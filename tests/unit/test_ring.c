/* test_ring.c: the lock-free sample ring between the PortAudio callback and
 * the event loop (src/audio/ring.c): order kept across the wrap, overruns
 * counted and never fatal, and a real producer thread against a consumer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <string.h>

#include "../../src/audio/ring.h"

static void test_order_and_wrap(void **state)
{
    (void)state;
    ring_t r;
    assert_int_equal(ring_init(&r, 1000), 0);
    assert_int_equal(r.cap, 1024);
    float in[700], out[700];
    float next = 0, want = 0;
    for (int round = 0; round < 10; round++) {     /* 7000 samples through 1024 slots */
        for (int i = 0; i < 700; i++) in[i] = next++;
        assert_int_equal(ring_write(&r, in, 700), 700);
        assert_int_equal(ring_used(&r), 700);
        assert_int_equal(ring_read(&r, out, 700), 700);
        for (int i = 0; i < 700; i++) assert_true(out[i] == want++);
    }
    assert_int_equal(ring_read(&r, out, 10), 0);
    assert_int_equal(atomic_load(&r.dropped), 0);
    ring_free(&r);
}

static void test_overrun_counted(void **state)
{
    (void)state;
    ring_t r;
    assert_int_equal(ring_init(&r, 1024), 0);
    float in[600];
    for (int i = 0; i < 600; i++) in[i] = (float)i;
    assert_int_equal(ring_write(&r, in, 600), 600);
    assert_int_equal(ring_write(&r, in, 600), 424);       /* only the room left */
    assert_int_equal(atomic_load(&r.dropped), 176);
    assert_int_equal(ring_write_zeros(&r, 5), 0);
    assert_int_equal(atomic_load(&r.dropped), 181);
    float out[1024];
    assert_int_equal(ring_read(&r, out, 1024), 1024);
    assert_true(out[599] == 599 && out[600] == 0 && out[1023] == 423);
    ring_write_zeros(&r, 3);
    ring_clear(&r);
    assert_int_equal(ring_used(&r), 0);
    ring_free(&r);
}

#define STRESS_N 2000000

static void *producer(void *arg)
{
    ring_t *r = arg;
    float chunk[97];
    size_t sent = 0;
    while (sent < STRESS_N) {
        size_t k = STRESS_N - sent < 97 ? STRESS_N - sent : 97;
        for (size_t i = 0; i < k; i++) chunk[i] = (float)((sent + i) % 65536);
        size_t took = 0;
        while (took < k) took += ring_write(r, chunk + took, k - took);
        sent += k;
    }
    return NULL;
}

/* The producer retries what did not fit so nothing is lost on purpose; the
 * consumer checks every sample arrives once, in order, whole. */
static void test_two_threads(void **state)
{
    (void)state;
    ring_t r;
    assert_int_equal(ring_init(&r, 256), 0);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, producer, &r), 0);
    float out[61];
    size_t got = 0, bad = 0;
    while (got < STRESS_N) {
        size_t k = ring_read(&r, out, 61);
        for (size_t i = 0; i < k; i++)
            if (out[i] != (float)((got + i) % 65536)) bad++;
        got += k;
    }
    pthread_join(t, NULL);
    assert_int_equal(bad, 0);
    assert_int_equal(got, STRESS_N);
    ring_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_order_and_wrap),
        cmocka_unit_test(test_overrun_counted),
        cmocka_unit_test(test_two_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
