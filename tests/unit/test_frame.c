/* test_frame.c: the post's frame codec (firmware/proto/frame.c): the CRC
 * against the standard check value, every length round-tripped, and bad
 * input as a table: corrupted, truncated, oversize, noise between frames. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "../../firmware/proto/frame.h"

static void test_crc_check_value(void **state)
{
    (void)state;
    /* CRC-16/CCITT-FALSE's catalogue check: "123456789" -> 0x29B1 */
    assert_int_equal(frame_crc((const uint8_t *)"123456789", 9), 0x29B1);
    assert_int_equal(frame_crc(NULL, 0), 0xFFFF);
    assert_int_equal(frame_crc((const uint8_t *)"A", 1), 0xB915);
}

/* feeds n bytes at time t; returns the last non-NONE result (or NONE) */
static int feed(frame_rx_t *r, const uint8_t *p, int n, uint16_t t, int *frames)
{
    int last = FRX_NONE;
    for (int i = 0; i < n; i++) {
        int x = frame_rx_byte(r, p[i], t);
        if (x == FRX_FRAME && frames) (*frames)++;
        if (x != FRX_NONE) last = x;
    }
    return last;
}

static void test_round_trip_every_length(void **state)
{
    (void)state;
    frame_rx_t r;
    frame_rx_init(&r);
    for (uint8_t len = 0; len <= FRAME_MAX_PAYLOAD; len++) {
        uint8_t pl[FRAME_MAX_PAYLOAD], f[FRAME_MAX];
        for (uint8_t i = 0; i < len; i++) pl[i] = (uint8_t)(0xA5 ^ (i * 37));   /* start bytes inside too */
        uint8_t n = frame_encode(f, (uint8_t)(len + 1), FT_EVENT, pl, len);
        assert_int_equal(n, len + FRAME_OVERHEAD);
        assert_int_equal(f[0], FRAME_START);
        int frames = 0;
        assert_int_equal(feed(&r, f, n, 10, &frames), FRX_FRAME);
        assert_int_equal(frames, 1);
        assert_int_equal(r.buf[1], len);
        assert_int_equal(r.buf[2], len + 1);
        assert_int_equal(r.buf[3], FT_EVENT);
        assert_memory_equal(r.buf + 4, pl, len);
    }
    uint8_t big[FRAME_MAX_PAYLOAD + 1] = {0}, f[FRAME_MAX + 1];
    assert_int_equal(frame_encode(f, 1, FT_EVENT, big, FRAME_MAX_PAYLOAD + 1), 0);
}

/* Each row: a frame damaged one way, fed at 1 ms a byte, then the receiver
   left idle for idle_ms; what it must report, and a good frame after it
   must still come through. */
typedef struct {
    const char *name;
    int flip_byte, flip_bit;    /* -1: none */
    int keep;                   /* bytes of the frame sent, -1 all */
    int oversize;               /* the length byte set to FRAME_MAX_PAYLOAD + 1 */
    int noise;                  /* bytes (no start byte) before the frame */
    int idle_ms;
    int expect;                 /* FRX_* from the frame or the idle check */
} bad_row_t;

static const bad_row_t bad_rows[] = {
    { "intact", -1, 0, -1, 0, 0, 0, FRX_FRAME },
    { "payload bit flipped", 5, 3, -1, 0, 0, 0, FRX_CRC },
    { "seq bit flipped", 2, 0, -1, 0, 0, 0, FRX_CRC },
    { "type bit flipped", 3, 7, -1, 0, 0, 0, FRX_CRC },
    { "crc bit flipped", 8, 0, -1, 0, 0, 0, FRX_CRC },
    { "half a frame, then 50 ms silence", -1, 0, 4, 0, 0, FRAME_GAP_MS, FRX_TRUNCATED },
    { "half a frame, 49 ms silence: still waiting", -1, 0, 4, 0, 0, FRAME_GAP_MS - 1, FRX_NONE },
    { "length over the maximum", -1, 0, -1, 1, 0, 0, FRX_OVERSIZE },
    { "noise between frames is skipped", -1, 0, -1, 0, 7, 0, FRX_FRAME },
};

static void test_bad_frames(void **state)
{
    (void)state;
    for (size_t k = 0; k < sizeof bad_rows / sizeof *bad_rows; k++) {
        const bad_row_t *row = &bad_rows[k];
        print_message("row: %s\n", row->name);
        frame_rx_t r;
        frame_rx_init(&r);
        uint8_t pl[4] = { PE_LOOP, 1, 0x12, 0x34 }, f[FRAME_MAX];
        uint8_t n = frame_encode(f, 9, FT_EVENT, pl, 4);
        if (row->flip_byte >= 0) f[row->flip_byte] ^= (uint8_t)(1u << row->flip_bit);
        if (row->oversize) f[1] = FRAME_MAX_PAYLOAD + 1;
        int send = row->keep >= 0 ? row->keep : n;
        uint16_t t = 65500;   /* across the 16-bit wrap */
        int got = FRX_NONE;
        for (int i = 0; i < row->noise; i++) {
            assert_int_equal(frame_rx_byte(&r, (uint8_t)(0x10 + i), t), FRX_NONE);
            t++;
        }
        for (int i = 0; i < send; i++) {
            int x = frame_rx_byte(&r, f[i], t++);
            if (x != FRX_NONE) got = x;
            if (row->oversize && i == 1) break;   /* the receiver hunts again from here */
        }
        if (row->idle_ms) {
            t = (uint16_t)(t - 1 + row->idle_ms);
            got = frame_rx_idle(&r, t);
        }
        assert_int_equal(got, row->expect);
        /* a good frame still decodes afterwards (for the 49 ms row, after the
           gap has passed: its own first byte reports the truncation) */
        uint8_t g[FRAME_MAX];
        uint8_t gn = frame_encode(g, 10, FT_EVENT, pl, 2);
        int frames = 0;
        feed(&r, g, gn, (uint16_t)(t + FRAME_GAP_MS), &frames);
        assert_int_equal(frames, 1);
        assert_int_equal(r.buf[2], 10);
    }
}

/* A frame interrupted, with the next frame coming after the gap: the first
   is reported truncated by the next one's start byte, which still begins a frame. */
static void test_truncated_then_next(void **state)
{
    (void)state;
    frame_rx_t r;
    frame_rx_init(&r);
    uint8_t f[FRAME_MAX];
    uint8_t n = frame_encode(f, 3, FT_HEARTBEAT, (const uint8_t *)"abcdefghi", 9);
    for (int i = 0; i < n / 2; i++) assert_int_equal(frame_rx_byte(&r, f[i], 100), FRX_NONE);
    assert_int_equal(frame_rx_byte(&r, f[0], 100 + FRAME_GAP_MS), FRX_TRUNCATED);
    int last = FRX_NONE;
    for (int i = 1; i < n; i++) last = frame_rx_byte(&r, f[i], 100 + FRAME_GAP_MS);
    assert_int_equal(last, FRX_FRAME);
    /* within the gap the start byte is just data: the frame fails its CRC */
    frame_rx_init(&r);
    for (int i = 0; i < n / 2; i++) frame_rx_byte(&r, f[i], 200);
    last = FRX_NONE;
    for (int i = 0; i < n && last == FRX_NONE; i++) last = frame_rx_byte(&r, f[i], 210);
    assert_true(last == FRX_CRC || last == FRX_OVERSIZE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crc_check_value),
        cmocka_unit_test(test_round_trip_every_length),
        cmocka_unit_test(test_bad_frames),
        cmocka_unit_test(test_truncated_then_next),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
