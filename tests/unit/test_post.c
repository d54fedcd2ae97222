/* test_post.c: the kiosk's side of the speaker post (src/post/post.c) over a
 * real pseudo-terminal.  The kiosk opens the pty's slave as it would a USB
 * serial port; on the master side a fake post runs the SAME link.c (or
 * writes crafted frames: corrupt, truncated, oversize, duplicate, out of
 * order).  Time is passed in, so link loss is 3 s of a virtual clock.  The
 * lane behind the adapter is the real one: a car on the loop is a car at the
 * post (lane.car), the help button a page, and the lamp the kiosk sends
 * follows. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../firmware/proto/link.h"
#include "../../src/post/post.h"
#include "sample_menus.h"

/* The fake post: the master side of the pty, its link (the firmware's
 * link.c), and what reached it. */
typedef struct {
    int fd;
    link_ops_t ops;
    link_t link;
    frame_rx_t raw;           /* raw mode: every frame the kiosk wrote, unlinked */
    int use_raw;
    int lamps[32], nlamps;    /* FT_LAMP payloads delivered, in order */
    int heartbeats, last_hb_lamp;
    int acks[32], nacks;      /* raw mode: the seqs the kiosk acknowledged */
} fake_t;

typedef struct {
    menus_t *ms;
    lane_config_t cfg;
    lane_t lane;
    loop_t *loop;
    lane_io_t io;
    fake_t fake;
    char path[128];
    post_line_t *post;
    uint16_t t;
} bench_t;

static void fake_write(void *ctx, const uint8_t *p, uint8_t n)
{
    fake_t *f = ctx;
    assert_int_equal(write(f->fd, p, n), n);
}

static void fake_deliver(void *ctx, uint8_t type, const uint8_t *p, uint8_t len)
{
    fake_t *f = ctx;
    if (type == FT_LAMP && len == 1 && f->nlamps < 32) f->lamps[f->nlamps++] = p[0];
    if (type == FT_HEARTBEAT && len == 1) {
        f->heartbeats++;
        f->last_hb_lamp = p[0];
    }
}

/* The kiosk's bytes at the fake post. */
static void fake_read(bench_t *b)
{
    fake_t *f = &b->fake;
    uint8_t buf[256];
    ssize_t n;
    while ((n = read(f->fd, buf, sizeof buf)) > 0)
        for (ssize_t i = 0; i < n; i++) {
            if (!f->use_raw) {
                link_rx_byte(&f->link, buf[i], b->t);
                continue;
            }
            if (frame_rx_byte(&f->raw, buf[i], b->t) != FRX_FRAME) continue;
            const uint8_t *fr = f->raw.buf;
            if (fr[3] == FT_ACK && fr[1] == 1 && f->nacks < 32) f->acks[f->nacks++] = fr[4];
            if (fr[3] == FT_HEARTBEAT && fr[1] == 1) {
                f->heartbeats++;
                f->last_hb_lamp = fr[4];
            }
        }
}

/* Bytes move both ways until the line is quiet for 30 ms (the pty hands
 * bytes over on a kernel worker: not at once).  The clock stands still. */
static void pump(bench_t *b)
{
    int quiet = 0;
    for (int round = 0; round < 200 && quiet < 3; round++) {
        struct pollfd p[2] = { { .fd = b->fake.fd, .events = POLLIN }, { .fd = post_fd(b->post), .events = POLLIN } };
        int r = poll(p, post_fd(b->post) >= 0 ? 2 : 1, 10);
        if (r <= 0) {
            quiet++;
            continue;
        }
        quiet = 0;
        if (p[0].revents) fake_read(b);
        if (post_fd(b->post) >= 0 && p[1].revents) post_read(b->post, b->t);
    }
}

/* The clock moves on to t (both sides' timers run), then the bytes. */
static void at(bench_t *b, uint16_t t)
{
    b->t = t;
    post_poll(b->post, t);
    if (!b->fake.use_raw) link_poll(&b->fake.link, t);
    pump(b);
}

static void fake_event(bench_t *b, uint8_t code, uint8_t value)
{
    uint8_t p[2] = { code, value };
    assert_int_equal(link_send(&b->fake.link, FT_EVENT, p, 2, b->t), 1);
    pump(b);
}

/* The post's heartbeat: its inputs (bit 0 loop, 3 crew present) and counters. */
static void fake_heartbeat(bench_t *b, uint8_t inputs, uint8_t crc_errors)
{
    uint8_t st[ST_LEN] = {0};
    st[ST_INPUTS] = inputs;
    st[ST_LAMP] = LAMP_LISTENING;
    st[ST_CRC] = crc_errors;
    uint8_t f[FRAME_MAX];
    uint8_t n = frame_encode(f, 0, FT_HEARTBEAT, st, ST_LEN);
    assert_int_equal(write(b->fake.fd, f, n), n);
    pump(b);
}

/* A frame as the post's link would write it, seq and type chosen. */
static void raw_frame(bench_t *b, uint8_t seq, uint8_t type, uint8_t code, uint8_t value, int flip, int cut)
{
    uint8_t p[2] = { code, value }, f[FRAME_MAX];
    uint8_t n = frame_encode(f, seq, type, p, 2);
    if (flip) f[4] ^= 0x01;   /* a bit of the payload changed on the wire */
    assert_int_equal(write(b->fake.fd, f, cut ? (uint8_t)cut : n), cut ? cut : n);
    pump(b);
}

static int bench_setup(void **state)
{
    menus_t *ms = NULL;
    if (setup((void **)&ms) < 0) return -1;
    bench_t *b = calloc(1, sizeof *b);
    b->ms = ms;
    b->cfg = (lane_config_t){ .name = "Lane 1", .threshold = 0.6, .nudge = 10, .no_response = 15, .car_gone = 30 };
    lane_init(&b->lane, &b->cfg, ms->burger);
    b->loop = loop_create(&loop_clock_virtual);
    lane_io_init(&b->io, &b->lane, b->loop, "test_post");
    b->fake.fd = posix_openpt(O_RDWR | O_NOCTTY | O_NONBLOCK);
    if (b->fake.fd < 0 || grantpt(b->fake.fd) < 0 || unlockpt(b->fake.fd) < 0) return -1;
    snprintf(b->path, sizeof b->path, "%s", ptsname(b->fake.fd));
    b->fake.ops = (link_ops_t){ .write = fake_write, .deliver = fake_deliver, .state = NULL, .ctx = &b->fake };
    link_init(&b->fake.link, &b->fake.ops, 0);
    frame_rx_init(&b->fake.raw);
    char err[256];
    b->post = post_open(b->path, &b->io, 0, err, sizeof err);
    if (!b->post) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    *state = b;
    return 0;
}

static int bench_teardown(void **state)
{
    bench_t *b = *state;
    post_close(b->post);
    if (b->fake.fd >= 0) close(b->fake.fd);
    lane_io_free(&b->io);
    lane_free(&b->lane);
    loop_free(b->loop);
    teardown((void **)&b->ms);
    free(b);
    return 0;
}

/* A car on the loop is a car at the post, greeted; the help button pages; the
 * talk button is the crew's talk; the lamp reaches the post each time; the
 * departure ends the car. */
static void test_car_at_the_loop(void **state)
{
    bench_t *b = *state;
    assert_int_equal(post_up(b->post), 0);
    at(b, 0);   /* the kiosk's first heartbeat goes at once */
    assert_int_equal(b->fake.heartbeats, 1);
    assert_int_equal(b->fake.last_hb_lamp, LAMP_LISTENING);
    at(b, 100);   /* the post's first: the link is up, the lamp sent reliably */
    link_poll(&b->fake.link, 100);
    fake_heartbeat(b, 0x00, 0);
    assert_int_equal(post_up(b->post), 1);
    assert_int_equal(b->lane.post, 1);
    assert_false(lane_speech_starts_car(&b->lane));
    assert_int_equal(b->fake.nlamps, 1);
    assert_int_equal(b->fake.lamps[0], LAMP_LISTENING);

    b->t = 200;
    fake_event(b, PE_LOOP, 1);
    assert_non_null(b->lane.car);
    assert_int_equal(b->lane.cars, 1);
    assert_string_equal(b->lane.said[0], "Welcome to Burger Barn! What can I get you?");
    assert_int_equal(b->fake.link.in_flight, 0);   /* acknowledged */

    b->t = 300;
    fake_event(b, PE_HELP, 1);
    assert_true(b->lane.esc.open);
    assert_int_equal(b->lane.page_reason, PAGE_HUMAN_REQUEST);
    at(b, 310);
    assert_int_equal(b->fake.nlamps, 2);
    assert_int_equal(b->fake.lamps[1], LAMP_CREW_COMING);

    b->t = 400;
    fake_event(b, PE_TALK, 1);
    assert_true(b->lane.talking);
    at(b, 410);
    assert_int_equal(b->fake.lamps[b->fake.nlamps - 1], LAMP_CREW_TALKING);
    b->t = 500;
    fake_event(b, PE_TALK, 0);
    assert_false(b->lane.talking);
    at(b, 510);
    assert_int_equal(b->fake.lamps[b->fake.nlamps - 1], LAMP_CREW_COMING);

    b->t = 600;
    fake_event(b, PE_CREW, 1);
    assert_int_equal(b->lane.post_crew, 1);
    b->t = 700;
    fake_event(b, PE_LOOP, 0);
    assert_null(b->lane.car);
    assert_int_equal(b->lane.cars, 1);
    at(b, 1000);   /* the next heartbeat carries the lamp the kiosk wants */
    assert_int_equal(b->fake.last_hb_lamp, LAMP_LISTENING);
    assert_int_equal(b->fake.lamps[b->fake.nlamps - 1], LAMP_LISTENING);

    /* nothing went wrong on the line */
    unsigned long mine[LE_N], theirs[POST_PEER_ERRORS];
    post_errors(b->post, mine, theirs);
    for (int i = 0; i < LE_N; i++) assert_int_equal(mine[i], 0);
    strbuf_t s = {0};
    post_stats(b->post, &s);
    char want[512];
    snprintf(want, sizeof want, "speaker post %s: link up; frame errors at the kiosk: none; at the post: none", b->path);
    assert_string_equal(strbuf_cstr(&s), want);
    strbuf_free(&s);
}

/* Bad frames are rejected and counted by the kiosk's link, and the lane sees
 * none of them; good frames after them get through. */
static void test_bad_frames(void **state)
{
    bench_t *b = *state;
    b->fake.use_raw = 1;
    fake_heartbeat(b, 0x00, 0);
    assert_int_equal(post_up(b->post), 1);
    raw_frame(b, 1, FT_EVENT | LINK_SYNC, PE_LOOP, 1, 0, 0);
    assert_int_equal(b->lane.cars, 1);
    raw_frame(b, 2, FT_EVENT, PE_LOOP, 0, 0, 0);
    assert_null(b->lane.car);
    assert_int_equal(b->fake.nacks, 2);

    /* seq 2 again, with other contents: a duplicate by its seq, acked again, not delivered */
    raw_frame(b, 2, FT_EVENT, PE_LOOP, 1, 0, 0);
    assert_null(b->lane.car);
    assert_int_equal(b->fake.nacks, 3);
    assert_int_equal(b->fake.acks[2], 2);
    /* seq 4 before 3: out of order, not acked, not delivered */
    raw_frame(b, 4, FT_EVENT, PE_LOOP, 1, 0, 0);
    assert_null(b->lane.car);
    assert_int_equal(b->fake.nacks, 3);
    /* a bit changed on the wire: the CRC rejects it */
    raw_frame(b, 3, FT_EVENT, PE_LOOP, 1, 1, 0);
    assert_null(b->lane.car);
    /* a frame cut short: dropped when nothing more comes for FRAME_GAP_MS */
    raw_frame(b, 3, FT_EVENT, PE_LOOP, 1, 0, 5);
    at(b, (uint16_t)(b->t + FRAME_GAP_MS + 10));
    assert_null(b->lane.car);
    /* a length over FRAME_MAX_PAYLOAD, then line noise */
    const uint8_t junk[] = { FRAME_START, 40, 3, FT_EVENT, 0x11, 0x22, 0x00, 0x55, 0xff };
    assert_int_equal(write(b->fake.fd, junk, sizeof junk), (ssize_t)sizeof junk);
    pump(b);
    /* and seq 3, whole: the car arrives */
    raw_frame(b, 3, FT_EVENT, PE_LOOP, 1, 0, 0);
    assert_non_null(b->lane.car);
    assert_int_equal(b->lane.cars, 2);

    unsigned long mine[LE_N], theirs[POST_PEER_ERRORS];
    post_errors(b->post, mine, theirs);
    assert_int_equal(mine[LE_DUPLICATE], 1);
    assert_int_equal(mine[LE_OUT_OF_ORDER], 1);
    assert_int_equal(mine[LE_CRC], 1);
    assert_int_equal(mine[LE_TRUNCATED], 1);
    assert_int_equal(mine[LE_OVERSIZE], 1);
    /* the post's own counts come in its heartbeat */
    fake_heartbeat(b, 0x01, 4);
    post_errors(b->post, mine, theirs);
    assert_int_equal(theirs[0], 4);
    strbuf_t s = {0};
    post_stats(b->post, &s);
    char want[512];
    snprintf(want, sizeof want, "speaker post %s: link up; frame errors at the kiosk: crc 1, truncated 1, oversize 1, "
                                "duplicate 1, out_of_order 1; at the post: crc 4", b->path);
    assert_string_equal(strbuf_cstr(&s), want);
    strbuf_free(&s);
}

/* 3 s of silence: the lane is told the post is down (device_fault paged,
 * speech starts cars); its next heartbeat brings it back, and a vehicle
 * already on the loop (its inputs' bit 0) starts its car. */
static void test_link_loss(void **state)
{
    bench_t *b = *state;
    at(b, 50);
    fake_heartbeat(b, 0x00, 0);
    assert_int_equal(b->lane.post, 1);
    at(b, 1050);
    at(b, 2050);
    assert_int_equal(b->lane.post, 1);
    at(b, 3050);   /* nothing heard since 50 */
    assert_int_equal(post_up(b->post), 0);
    assert_int_equal(b->lane.post, -1);
    assert_true(b->lane.esc.open);
    assert_int_equal(b->lane.page_reason, PAGE_DEVICE_FAULT);
    assert_true(lane_speech_starts_car(&b->lane));
    assert_int_equal(lane_lamp(&b->lane), LANE_LAMP_CREW_COMING);

    b->t = 5000;
    fake_heartbeat(b, 0x01, 0);   /* back, a car waiting on the loop */
    assert_int_equal(b->lane.post, 1);
    assert_non_null(b->lane.car);
    assert_int_equal(b->lane.cars, 1);
    fake_heartbeat(b, 0x01, 0);   /* the next heartbeat starts no second car */
    assert_int_equal(b->lane.cars, 1);
}

/* A post that never answers: after 3 s the crew is paged all the same. */
static void test_never_answers(void **state)
{
    bench_t *b = *state;
    at(b, 1000);
    at(b, 2000);
    assert_int_equal(b->lane.post, 0);
    assert_true(lane_speech_starts_car(&b->lane));
    at(b, 3000);
    assert_int_equal(b->lane.post, -1);
    assert_true(b->lane.esc.open);
    assert_int_equal(b->lane.page_reason, PAGE_DEVICE_FAULT);
}

/* The line goes away (the pty's other side closed: EIO, as a USB adapter
 * pulled): closed, never fatal, tried again every 2 s; the link goes down by
 * its silence. */
static void test_line_gone(void **state)
{
    bench_t *b = *state;
    fake_heartbeat(b, 0x00, 0);
    assert_int_equal(b->lane.post, 1);
    close(b->fake.fd);
    b->fake.fd = -1;
    b->t = 100;
    post_read(b->post, b->t);
    assert_int_equal(post_fd(b->post), -1);
    post_poll(b->post, 2200);   /* the path is gone with its master: it stays away */
    assert_int_equal(post_fd(b->post), -1);
    post_poll(b->post, 3100);
    assert_int_equal(b->lane.post, -1);
    assert_true(b->lane.esc.open);
}

static void test_open_errors(void **state)
{
    (void)state;
    lane_io_t io;
    memset(&io, 0, sizeof io);
    char err[256];
    assert_null(post_open("/nonexistent/ttyUSB9", &io, 0, err, sizeof err));
    assert_string_equal(err, "/nonexistent/ttyUSB9: No such file or directory");
    errno = 0;
    assert_null(post_open("/dev/null", &io, 0, err, sizeof err));
    assert_int_equal(errno, ENOTTY);
    assert_string_equal(err, "/dev/null: not a serial line (a tty): give the post's port, e.g. /dev/ttyUSB0");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_car_at_the_loop, bench_setup, bench_teardown),
        cmocka_unit_test_setup_teardown(test_bad_frames, bench_setup, bench_teardown),
        cmocka_unit_test_setup_teardown(test_link_loss, bench_setup, bench_teardown),
        cmocka_unit_test_setup_teardown(test_never_answers, bench_setup, bench_teardown),
        cmocka_unit_test_setup_teardown(test_line_gone, bench_setup, bench_teardown),
        cmocka_unit_test(test_open_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
