/* test_link.c: the post's link layer (firmware/proto/link.c) on a virtual
 * clock: acks, retransmission times with back-off, give-up and resync,
 * duplicates and out-of-order frames rejected and counted, link loss at 3 s
 * and recovery, the heartbeat each second, and two links back to back over a
 * lossy wire delivering every message once and in order. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "../../firmware/proto/link.h"

/* One end: what it wrote (frames, in order) and what it delivered. */
#define MAXF 256
typedef struct {
    uint8_t out[MAXF][FRAME_MAX];
    uint8_t out_n[MAXF];
    uint16_t out_t[MAXF];
    int nout;
    uint8_t got_type[MAXF], got[MAXF][FRAME_MAX_PAYLOAD], got_len[MAXF];
    int ngot;
    int ups, downs;
    uint16_t now;
    link_t l;
    link_ops_t ops;
} end_t;

static void w(void *ctx, const uint8_t *p, uint8_t n)
{
    end_t *e = ctx;
    assert_true(e->nout < MAXF);
    memcpy(e->out[e->nout], p, n);
    e->out_n[e->nout] = n;
    e->out_t[e->nout++] = e->now;
}

static void d(void *ctx, uint8_t type, const uint8_t *p, uint8_t len)
{
    end_t *e = ctx;
    assert_true(e->ngot < MAXF);
    e->got_type[e->ngot] = type;
    memcpy(e->got[e->ngot], p, len);
    e->got_len[e->ngot++] = len;
}

static void st(void *ctx, uint8_t up)
{
    end_t *e = ctx;
    if (up) e->ups++;
    else e->downs++;
}

static end_t A, B;

static void end_init(end_t *e, uint16_t now)
{
    memset(e, 0, sizeof *e);
    e->ops = (link_ops_t){ w, d, st, e };
    e->now = now;
    link_init(&e->l, &e->ops, now);
}

static void give(end_t *to, const uint8_t *f, uint8_t n)
{
    for (uint8_t i = 0; i < n; i++) link_rx_byte(&to->l, f[i], to->now);
}

/* hands `from`'s frames [first, from->nout) to `to` */
static void pass(end_t *from, int first, end_t *to)
{
    for (int i = first; i < from->nout; i++) give(to, from->out[i], from->out_n[i]);
}

static uint8_t fseq(const end_t *e, int i) { return e->out[i][2]; }
static uint8_t ftype(const end_t *e, int i) { return e->out[i][3]; }

static int setup(void **state)
{
    (void)state;
    end_init(&A, 0);
    end_init(&B, 0);
    return 0;
}

static void test_ack_delivers_once(void **state)
{
    (void)state;
    uint8_t ev[2] = { PE_LOOP, 1 };
    assert_int_equal(link_send(&A.l, FT_EVENT, ev, 2, 0), 1);
    assert_int_equal(A.nout, 1);
    assert_int_equal(fseq(&A, 0), 1);
    assert_int_equal(ftype(&A, 0), FT_EVENT | LINK_SYNC);   /* the first frame: take my seq */
    pass(&A, 0, &B);
    assert_int_equal(B.ngot, 1);
    assert_int_equal(B.got_type[0], FT_EVENT);
    assert_memory_equal(B.got[0], ev, 2);
    assert_int_equal(B.nout, 1);                     /* the ack */
    assert_int_equal(ftype(&B, 0), FT_ACK);
    assert_int_equal(fseq(&B, 0), 0);
    assert_int_equal(B.out[0][4], 1);
    pass(&B, 0, &A);
    assert_int_equal(A.l.in_flight, 0);
    assert_int_equal(A.l.q_count, 0);
    /* acked: nothing is sent again, however long */
    for (uint16_t t = 0; t < 5000; t += 10) {
        A.now = t;
        link_poll(&A.l, t);
    }
    assert_int_equal(A.nout, 1);
    assert_int_equal(A.l.err[LE_RETRANSMIT], 0);
    /* the next frame is seq 2, without LINK_SYNC */
    A.nout = 0;
    link_send(&A.l, FT_EVENT, ev, 2, 5000);
    assert_int_equal(fseq(&A, 0), 2);
    assert_int_equal(ftype(&A, 0), FT_EVENT);
}

/* No ack: sends at 0, 100, 300, 700, 1500, 2300 (the wait doubling up to
   800 ms), gives up at 3100; the clock starts just before the 16-bit wrap. */
static void test_retransmit_backoff_and_give_up(void **state)
{
    (void)state;
    const uint16_t t0 = 65400;
    end_init(&A, t0);
    A.l.hb_ms = t0;   /* no heartbeats in the way */
    uint8_t ev[2] = { PE_HELP, 1 };
    link_send(&A.l, FT_EVENT, ev, 2, t0);
    for (uint16_t k = 1; k <= 4000; k++) {
        A.now = (uint16_t)(t0 + k);
        link_poll(&A.l, A.now);
        A.l.hb_ms = A.now;
    }
    static const uint16_t want[] = { 0, 100, 300, 700, 1500, 2300 };
    assert_int_equal(A.nout, 6);
    for (int i = 0; i < 6; i++) {
        assert_int_equal((uint16_t)(A.out_t[i] - t0), want[i]);
        assert_int_equal(fseq(&A, i), 1);
        assert_memory_equal(A.out[i], A.out[0], A.out_n[0]);
    }
    assert_int_equal(A.l.err[LE_RETRANSMIT], 5);
    assert_int_equal(A.l.err[LE_GAVE_UP], 1);
    assert_int_equal(A.l.in_flight, 0);
}

/* After a give-up the next frame carries LINK_SYNC: a receiver that had
   seen seq 1 takes seq 3 as new instead of out of order. */
static void test_resync_after_give_up(void **state)
{
    (void)state;
    uint8_t ev[2] = { PE_TALK, 1 };
    link_send(&A.l, FT_EVENT, ev, 2, 0);
    pass(&A, 0, &B);
    pass(&B, 0, &A);                    /* seq 1 delivered and acked */
    A.nout = 0;
    link_send(&A.l, FT_EVENT, ev, 2, 10);   /* seq 2: lost, every try */
    for (uint16_t t = 10; t < 4000; t++) link_poll(&A.l, t);
    assert_int_equal(A.l.err[LE_GAVE_UP], 1);
    A.nout = 0;
    ev[1] = 0;
    link_send(&A.l, FT_EVENT, ev, 2, 4000);
    assert_int_equal(fseq(&A, 0), 3);
    assert_int_equal(ftype(&A, 0), FT_EVENT | LINK_SYNC);
    B.now = 2000;                       /* B still up: heard within 3 s */
    pass(&A, 0, &B);
    assert_int_equal(B.ngot, 2);
    assert_int_equal(B.got[1][1], 0);
    assert_int_equal(B.l.err[LE_OUT_OF_ORDER], 0);
}

static void test_duplicate_acked_not_delivered(void **state)
{
    (void)state;
    uint8_t ev[2] = { PE_CREW, 1 };
    link_send(&A.l, FT_EVENT, ev, 2, 0);
    pass(&A, 0, &B);
    pass(&A, 0, &B);            /* the same frame again: its ack was lost */
    pass(&A, 0, &B);
    assert_int_equal(B.ngot, 1);
    assert_int_equal(B.l.err[LE_DUPLICATE], 2);
    assert_int_equal(B.nout, 3);    /* acked each time */
    for (int i = 0; i < 3; i++) assert_int_equal(ftype(&B, i), FT_ACK);
}

static void test_out_of_order_rejected(void **state)
{
    (void)state;
    uint8_t ev[2] = { PE_LOOP, 1 }, f[FRAME_MAX];
    link_send(&A.l, FT_EVENT, ev, 2, 0);
    pass(&A, 0, &B);            /* seq 1 */
    int acks = B.nout;
    uint8_t n = frame_encode(f, 3, FT_EVENT, ev, 2);   /* two ahead, no sync */
    give(&B, f, n);
    assert_int_equal(B.ngot, 1);
    assert_int_equal(B.l.err[LE_OUT_OF_ORDER], 1);
    assert_int_equal(B.nout, acks);     /* not acked */
    n = frame_encode(f, 2, FT_EVENT, ev, 2);           /* the right one still goes */
    give(&B, f, n);
    assert_int_equal(B.ngot, 2);
    /* after the peer's FT_BOOT any seq starts it afresh */
    uint8_t cause = 1;
    n = frame_encode(f, 0, FT_BOOT, &cause, 1);
    give(&B, f, n);
    assert_int_equal(B.got_type[2], FT_BOOT);
    n = frame_encode(f, 1, FT_EVENT, ev, 2);
    give(&B, f, n);
    assert_int_equal(B.ngot, 4);
    assert_int_equal(B.l.err[LE_OUT_OF_ORDER], 1);
    assert_int_equal(B.l.err[LE_DUPLICATE], 0);
}

/* The receiver's bad-frame counters, through link_rx_byte and link_poll. */
static void test_bad_frames_counted(void **state)
{
    (void)state;
    uint8_t f[FRAME_MAX], ev[2] = { PE_LOOP, 1 };
    uint8_t n = frame_encode(f, 0, FT_HEARTBEAT, ev, 2);
    f[5] ^= 0x10;
    give(&B, f, n);
    assert_int_equal(B.l.err[LE_CRC], 1);
    f[5] ^= 0x10;
    give(&B, f, 4);                 /* truncated: noticed by the poll after the gap */
    B.now = FRAME_GAP_MS - 1;
    link_poll(&B.l, B.now);
    assert_int_equal(B.l.err[LE_TRUNCATED], 0);
    B.now = FRAME_GAP_MS;
    link_poll(&B.l, B.now);
    assert_int_equal(B.l.err[LE_TRUNCATED], 1);
    uint8_t over[2] = { FRAME_START, FRAME_MAX_PAYLOAD + 1 };
    give(&B, over, 2);
    assert_int_equal(B.l.err[LE_OVERSIZE], 1);
    n = frame_encode(f, 0, 0x7E, ev, 2);   /* an unknown unacked type */
    give(&B, f, n);
    assert_int_equal(B.l.err[LE_UNKNOWN], 1);
    assert_int_equal(B.ngot, 0);
    /* a queue of LINK_QUEUE; the next is refused and counted */
    for (int i = 0; i < LINK_QUEUE; i++) assert_int_equal(link_send(&A.l, FT_EVENT, ev, 2, 0), 1);
    assert_int_equal(link_send(&A.l, FT_EVENT, ev, 2, 0), 0);
    assert_int_equal(A.l.err[LE_QUEUE_FULL], 1);
    assert_int_equal(link_send(&A.l, FT_EVENT, ev, LINK_MSG_MAX + 1, 0), 0);
    assert_string_equal(link_err_names[LE_OUT_OF_ORDER], "out_of_order");
}

static void test_heartbeat_each_second(void **state)
{
    (void)state;
    int due[8], n = 0;
    for (uint16_t t = 0; t <= 5000; t++)
        if (link_poll(&A.l, t)) {
            assert_true(n < 8);
            due[n++] = t;
        }
    assert_int_equal(n, 6);
    for (int i = 0; i < n; i++) assert_int_equal(due[i], i * 1000);
}

static void test_link_loss_and_recovery(void **state)
{
    (void)state;
    assert_int_equal(B.l.up, 0);        /* down until something is heard */
    link_send_raw(&A.l, FT_HEARTBEAT, (const uint8_t *)"\x01", 1);
    B.now = 100;
    pass(&A, 0, &B);
    assert_int_equal(B.l.up, 1);
    assert_int_equal(B.ups, 1);
    link_poll(&B.l, 3099);
    assert_int_equal(B.l.up, 1);
    link_poll(&B.l, 3100);
    assert_int_equal(B.l.up, 0);
    assert_int_equal(B.downs, 1);
    /* garbage is not hearing the peer */
    uint8_t junk[8] = { 1, 2, 3, 4, FRAME_START, 0, 0, 0 };
    B.now = 3200;
    give(&B, junk, 8);
    assert_int_equal(B.l.up, 0);
    B.now = 4000;
    pass(&A, 0, &B);
    assert_int_equal(B.l.up, 1);
    assert_int_equal(B.ups, 2);
}

/* ---- two links back to back over a lossy wire ----------------------------- */

static uint32_t rng = 12345;
static uint32_t rnd(void)
{
    rng = rng * 1103515245u + 12345u;
    return rng >> 8;
}

typedef struct { int dropped, flipped, cut; } damage_t;

static void pop_got(end_t *e)
{
    e->ngot--;
    memmove(e->got_type, e->got_type + 1, (size_t)e->ngot);
    memmove(e->got_len, e->got_len + 1, (size_t)e->ngot);
    memmove(e->got, e->got + 1, sizeof e->got[0] * (size_t)e->ngot);
}

/* frames [*first, from->nout) to `to`, damaged at random */
static void wire(end_t *from, int *first, end_t *to, damage_t *dm)
{
    for (int i = *first; i < from->nout; i++) {
        uint8_t f[FRAME_MAX];
        uint8_t n = from->out_n[i];
        memcpy(f, from->out[i], n);
        uint32_t r = rnd() % 100;
        if (r < 10) { dm->dropped++; continue; }
        if (r < 15) { f[1 + rnd() % (n - 1)] ^= (uint8_t)(1u << rnd() % 8); dm->flipped++; }
        else if (r < 18) { n = (uint8_t)(n / 2); dm->cut++; }
        give(to, f, n);
    }
    *first = from->nout;
    if (from->nout > MAXF - 40) {   /* keep the capture small */
        from->nout = 0;
        *first = 0;
    }
}

static void test_lossy_wire_exactly_once_in_order(void **state)
{
    (void)state;
    enum { MSGS = 300 };
    int sent_a = 0, sent_b = 0, fa = 0, fb = 0;
    int next_at_b = 0, next_at_a = 0;
    damage_t dm = {0};
    for (uint32_t t = 0; t < 600000 && (next_at_b < MSGS || next_at_a < MSGS); t++) {
        uint16_t now = (uint16_t)t;
        A.now = B.now = now;
        /* each side sends as fast as its queue takes, messages numbered */
        if (sent_a < MSGS && A.l.q_count < LINK_QUEUE) {
            uint8_t m[2] = { (uint8_t)(sent_a >> 8), (uint8_t)sent_a };
            assert_int_equal(link_send(&A.l, FT_EVENT, m, 2, now), 1);
            sent_a++;
        }
        if (sent_b < MSGS && B.l.q_count < LINK_QUEUE && t % 3 == 0) {
            uint8_t m[3] = { (uint8_t)(sent_b >> 8), (uint8_t)sent_b, 0x5A };
            assert_int_equal(link_send(&B.l, FT_LAMP, m, 3, now), 1);
            sent_b++;
        }
        if (link_poll(&A.l, now)) link_send_raw(&A.l, FT_HEARTBEAT, (const uint8_t *)"A", 1);
        if (link_poll(&B.l, now)) link_send_raw(&B.l, FT_HEARTBEAT, (const uint8_t *)"B", 1);
        if (t % 2 == 0) {   /* a byte takes its time: the wire moves every 2 ms */
            wire(&A, &fa, &B, &dm);
            wire(&B, &fb, &A, &dm);
        }
        while (B.ngot) {   /* B's deliveries from A, in order (heartbeats aside) */
            if (B.got_type[0] == FT_EVENT) {
                assert_int_equal(B.got_len[0], 2);
                assert_int_equal(B.got[0][0] << 8 | B.got[0][1], next_at_b);
                next_at_b++;
            }
            pop_got(&B);
        }
        while (A.ngot) {
            if (A.got_type[0] == FT_LAMP) {
                assert_int_equal(A.got_len[0], 3);
                assert_int_equal(A.got[0][0] << 8 | A.got[0][1], next_at_a);
                assert_int_equal(A.got[0][2], 0x5A);
                next_at_a++;
            }
            pop_got(&A);
        }
    }
    print_message("wire: %d dropped, %d bit-flipped, %d cut; A: retransmit %u crc %u truncated %u "
                  "duplicate %u out_of_order %u; B: retransmit %u crc %u duplicate %u\n",
                  dm.dropped, dm.flipped, dm.cut, A.l.err[LE_RETRANSMIT], A.l.err[LE_CRC], A.l.err[LE_TRUNCATED],
                  A.l.err[LE_DUPLICATE], A.l.err[LE_OUT_OF_ORDER], B.l.err[LE_RETRANSMIT], B.l.err[LE_CRC],
                  B.l.err[LE_DUPLICATE]);
    assert_int_equal(next_at_b, MSGS);
    assert_int_equal(next_at_a, MSGS);
    assert_int_equal(A.l.err[LE_GAVE_UP] + B.l.err[LE_GAVE_UP], 0);
    /* the wire really was bad, and the link really had to work */
    assert_true(dm.dropped > 50 && dm.flipped > 20 && dm.cut > 10);
    assert_true(A.l.err[LE_RETRANSMIT] > 10 && B.l.err[LE_RETRANSMIT] > 10);
    assert_true(A.l.err[LE_DUPLICATE] + B.l.err[LE_DUPLICATE] > 0);
    assert_true(A.l.err[LE_CRC] + B.l.err[LE_CRC] > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_ack_delivers_once, setup),
        cmocka_unit_test_setup(test_retransmit_backoff_and_give_up, setup),
        cmocka_unit_test_setup(test_resync_after_give_up, setup),
        cmocka_unit_test_setup(test_duplicate_acked_not_delivered, setup),
        cmocka_unit_test_setup(test_out_of_order_rejected, setup),
        cmocka_unit_test_setup(test_bad_frames_counted, setup),
        cmocka_unit_test_setup(test_heartbeat_each_second, setup),
        cmocka_unit_test_setup(test_link_loss_and_recovery, setup),
        cmocka_unit_test_setup(test_lossy_wire_exactly_once_in_order, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
