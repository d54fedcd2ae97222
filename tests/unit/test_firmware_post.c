/* test_firmware_post.c: the speaker post's state machine (firmware/post.c) over the
 * host hal: a virtual clock, pins a test sets, the UART a byte buffer, and a
 * kiosk made of a second link_t on the other end.  Boot frame, heartbeats
 * each second, inputs to reliable events, the lamp as the kiosk commands,
 * one-hot, and the red blink while the link is down. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "../../firmware/hal/host/host.h"
#include "../../firmware/hal/pins.h"
#include "../../firmware/hal/timer.h"
#include "../../firmware/hal/wdt.h"
#include "../../firmware/post.h"

static post_t post;

/* ---- the kiosk: a link_t, recording what the post sent it ---------------- */
#define MAXR 512
typedef struct {
    link_t l;
    link_ops_t ops;
    uint8_t type[MAXR], payload[MAXR][FRAME_MAX_PAYLOAD], len[MAXR];
    uint16_t at[MAXR];
    int n;
    int deaf;           /* drops what the post sends */
} kiosk_t;
static kiosk_t K;

static void k_write(void *ctx, const uint8_t *p, uint8_t n)
{
    (void)ctx;
    host_uart_push(p, n);
}

static void k_deliver(void *ctx, uint8_t type, const uint8_t *p, uint8_t len)
{
    kiosk_t *k = ctx;
    assert_true(k->n < MAXR);
    k->type[k->n] = type;
    memcpy(k->payload[k->n], p, len);
    k->len[k->n] = len;
    k->at[k->n++] = timer_read();
}

/* what the post observed, for the last few checks */
static int obs_lamp[32], n_obs_lamp, obs_link[8], n_obs_link;
static void observe(void *ctx, uint8_t what, uint8_t a, uint8_t b)
{
    (void)ctx; (void)b;
    if (what == POST_LAMP && n_obs_lamp < 32) obs_lamp[n_obs_lamp++] = a;
    if (what == POST_LINK && n_obs_link < 8) obs_link[n_obs_link++] = a;
}

static int lamps_lit(void)
{
    return host_gpio_get(PIN_LAMP_GREEN) + host_gpio_get(PIN_LAMP_AMBER) + host_gpio_get(PIN_LAMP_BLUE) +
           host_gpio_get(PIN_LAMP_RED);
}

/* runs n ms: the post's loop, the wire, the kiosk's link; one-hot checked each ms */
static void run(int n)
{
    for (int i = 0; i < n; i++) {
        post_step(&post);
        uint8_t buf[256];
        size_t got;
        while ((got = host_uart_take(buf, sizeof buf)) > 0)
            if (!K.deaf)
                for (size_t j = 0; j < got; j++) link_rx_byte(&K.l, buf[j], timer_read());
        link_poll(&K.l, timer_read());
        post_step(&post);   /* the kiosk's bytes (acks) at once */
        assert_true(lamps_lit() <= 1);
        timer_advance(1);
    }
}

static int setup(void **state)
{
    (void)state;
    host_uart_reset();
    host_gpio_reset();
    timer_set(64000);   /* the wrap comes along in most tests */
    host_wdt_set_cause(RESET_WATCHDOG);
    memset(&K, 0, sizeof K);
    K.ops = (link_ops_t){ k_write, k_deliver, NULL, &K };
    link_init(&K.l, &K.ops, timer_read());
    n_obs_lamp = n_obs_link = 0;
    post_init(&post, observe, NULL);
    return 0;
}

/* the index of the kiosk's k-th received frame of type t (k from 0), or -1 */
static int find(uint8_t t, int k)
{
    for (int i = 0; i < K.n; i++)
        if (K.type[i] == t && k-- == 0) return i;
    return -1;
}

static int count(uint8_t t)
{
    int c = 0;
    for (int i = 0; i < K.n; i++) c += K.type[i] == t;
    return c;
}

static void kiosk_heartbeat(uint8_t lamp)
{
    link_send_raw(&K.l, FT_HEARTBEAT, &lamp, 1);
}

static void test_boot_and_heartbeats(void **state)
{
    (void)state;
    run(5001);
    int b = find(FT_BOOT, 0);
    assert_int_equal(b, 0);                     /* the first thing it says */
    assert_int_equal(K.len[b], 1);
    assert_int_equal(K.payload[b][0], RESET_WATCHDOG);
    assert_int_equal(count(FT_BOOT), 1);
    assert_int_equal(count(FT_HEARTBEAT), 6);   /* at 0, 1, 2, 3, 4, 5 s */
    for (int k = 0; k < 6; k++) {
        int i = find(FT_HEARTBEAT, k);
        assert_int_equal((uint16_t)(K.at[i] - 64000), k * 1000);
        assert_int_equal(K.len[i], ST_LEN);
        assert_int_equal(K.payload[i][ST_INPUTS], 0);
        assert_int_equal(K.payload[i][ST_LAMP], LAMP_FAULT);   /* nothing heard from the kiosk yet */
    }
    assert_int_equal(obs_lamp[0], LAMP_FAULT);
    assert_int_equal(n_obs_link, 0);
}

/* Before the kiosk is heard the lamp is red, blinking at 2 Hz. */
static void test_fault_blink_before_link(void **state)
{
    (void)state;
    int on = 0, flips = 0, last = -1;
    for (int ms = 0; ms < 2000; ms++) {
        run(1);
        int red = host_gpio_get(PIN_LAMP_RED);
        assert_int_equal(host_gpio_get(PIN_LAMP_GREEN) | host_gpio_get(PIN_LAMP_AMBER) | host_gpio_get(PIN_LAMP_BLUE), 0);
        assert_int_equal(red, (ms / POST_BLINK_MS) % 2 == 0);   /* on 0-249, off 250-499, ... */
        on += red;
        if (last >= 0 && red != last) flips++;
        last = red;
    }
    assert_int_equal(on, 1000);
    assert_int_equal(flips, 7);     /* 4 periods of 500 ms in 2 s */
}

static void test_lamp_commands_and_link_loss(void **state)
{
    (void)state;
    run(10);
    kiosk_heartbeat(LAMP_LISTENING);
    run(2);
    assert_int_equal(post.link.up, 1);
    assert_int_equal(post.lamp, LAMP_LISTENING);
    assert_int_equal(host_gpio_get(PIN_LAMP_GREEN), 1);
    assert_int_equal(lamps_lit(), 1);
    /* FT_LAMP, reliable: acked by the post, so the kiosk's queue empties */
    uint8_t lamp = LAMP_CREW_TALKING;
    assert_int_equal(link_send(&K.l, FT_LAMP, &lamp, 1, timer_read()), 1);
    run(3);
    assert_int_equal(host_gpio_get(PIN_LAMP_BLUE), 1);
    assert_int_equal(lamps_lit(), 1);
    assert_int_equal(K.l.in_flight, 0);
    lamp = LAMP_CREW_COMING;
    link_send(&K.l, FT_LAMP, &lamp, 1, timer_read());
    run(3);
    assert_int_equal(host_gpio_get(PIN_LAMP_AMBER), 1);
    assert_int_equal(lamps_lit(), 1);
    /* the heartbeat reports it */
    run(1000);
    int hb = find(FT_HEARTBEAT, count(FT_HEARTBEAT) - 1);
    assert_int_equal(K.payload[hb][ST_LAMP], LAMP_CREW_COMING);
    lamp = LAMP_OFF;
    link_send(&K.l, FT_LAMP, &lamp, 1, timer_read());
    run(3);
    assert_int_equal(lamps_lit(), 0);
    /* a lamp state that does not exist: kept as it was, counted */
    kiosk_heartbeat(LAMP_N + 3);
    run(2);
    assert_int_equal(post.lamp, LAMP_OFF);
    assert_int_equal(post.link.err[LE_UNKNOWN], 1);
    kiosk_heartbeat(LAMP_LISTENING);
    run(1);     /* heard at T */
    /* the kiosk falls silent: 3 s later the lamp is the fault, red blinking */
    run(LINK_LOSS_MS - 1);      /* up to T + 2999 */
    assert_int_equal(post.link.up, 1);
    assert_int_equal(host_gpio_get(PIN_LAMP_GREEN), 1);
    run(1);     /* T + 3000 */
    assert_int_equal(post.link.up, 0);
    assert_int_equal(post.lamp, LAMP_FAULT);
    int red = 0;
    for (int i = 0; i < 1000; i++) {
        run(1);
        red += host_gpio_get(PIN_LAMP_RED);
        assert_int_equal(host_gpio_get(PIN_LAMP_GREEN), 0);
    }
    assert_int_equal(red, 500);
    /* back: the lamp it last asked for */
    kiosk_heartbeat(LAMP_LISTENING);
    run(2);
    assert_int_equal(post.link.up, 1);
    assert_int_equal(host_gpio_get(PIN_LAMP_GREEN), 1);
    assert_int_equal(lamps_lit(), 1);
    assert_int_equal(n_obs_link, 3);
    assert_int_equal(obs_link[0], 1);
    assert_int_equal(obs_link[1], 0);
    assert_int_equal(obs_link[2], 1);
}

/* the kiosk's FT_EVENTs, (code, value) pairs in order */
static int events(uint8_t out[][2], int max)
{
    int n = 0;
    for (int i = 0; i < K.n && n < max; i++)
        if (K.type[i] == FT_EVENT) {
            out[n][0] = K.payload[i][0];
            out[n++][1] = K.payload[i][1];
        }
    return n;
}

static void test_inputs_become_events(void **state)
{
    (void)state;
    uint8_t ev[16][2];
    kiosk_heartbeat(LAMP_LISTENING);
    run(100);
    /* a car: the loop pin low; reported after 500 ms steady */
    host_gpio_set(PIN_LOOP, 0);
    run(499);
    assert_int_equal(events(ev, 16), 0);
    run(5);
    assert_int_equal(events(ev, 16), 1);
    assert_int_equal(ev[0][0], PE_LOOP);
    assert_int_equal(ev[0][1], 1);
    /* the help button, bouncing: one press, no release event */
    for (int i = 0; i < 6; i++) {
        host_gpio_set(PIN_HELP, (uint8_t)(i & 1));
        run(3);
    }
    host_gpio_set(PIN_HELP, 0);
    run(100);
    host_gpio_set(PIN_HELP, 1);
    run(100);
    /* crew talk held and released; crew present on and off */
    host_gpio_set(PIN_TALK, 0);
    run(100);
    int hb_before = count(FT_HEARTBEAT);
    run(1000);
    int hb = find(FT_HEARTBEAT, hb_before);
    assert_true(hb >= 0);
    assert_int_equal(K.payload[hb][ST_INPUTS], 1u << IN_LOOP | 1u << IN_TALK);
    host_gpio_set(PIN_TALK, 1);
    run(100);
    host_gpio_set(PIN_CREW, 0);
    run(199);
    host_gpio_set(PIN_CREW, 1);    /* 199 ms: not yet present, nothing */
    run(300);
    host_gpio_set(PIN_CREW, 0);
    run(300);
    host_gpio_set(PIN_CREW, 1);
    run(300);
    /* the car leaves: 2 s after the loop goes high */
    host_gpio_set(PIN_LOOP, 1);
    run(1990);
    int n = events(ev, 16);
    assert_int_equal(ev[n - 1][0], PE_CREW);
    run(20);
    static const uint8_t want[][2] = {
        { PE_LOOP, 1 }, { PE_HELP, 1 }, { PE_TALK, 1 }, { PE_TALK, 0 }, { PE_CREW, 1 }, { PE_CREW, 0 }, { PE_LOOP, 0 },
    };
    n = events(ev, 16);
    assert_int_equal(n, 7);
    assert_memory_equal(ev, want, sizeof want);
    assert_int_equal(K.l.err[LE_DUPLICATE] + K.l.err[LE_OUT_OF_ORDER] + K.l.err[LE_CRC], 0);
}

/* An event the kiosk did not hear is sent again and delivered once. */
static void test_event_retransmitted(void **state)
{
    (void)state;
    kiosk_heartbeat(LAMP_LISTENING);
    run(10);
    host_gpio_set(PIN_HELP, 0);
    K.deaf = 1;
    run(40);    /* pressed at 30 ms: sent, lost */
    K.deaf = 0;
    run(300);
    uint8_t ev[4][2];
    assert_int_equal(events(ev, 4), 1);
    assert_int_equal(ev[0][0], PE_HELP);
    assert_true(post.link.err[LE_RETRANSMIT] >= 1);
    assert_int_equal(post.link.in_flight, 0);
}

/* The post's receive counters go out in its heartbeat, saturated to a byte. */
static void test_heartbeat_counters(void **state)
{
    (void)state;
    uint8_t f[FRAME_MAX], lamp = LAMP_LISTENING;
    uint8_t n = frame_encode(f, 0, FT_HEARTBEAT, &lamp, 1);
    f[4] ^= 1;
    host_uart_push(f, n);                   /* a CRC error */
    uint8_t over[2] = { FRAME_START, 200 };
    host_uart_push(over, 2);                /* oversize */
    run(10);
    post.link.err[LE_RETRANSMIT] = 300;     /* more than a byte holds */
    run(1000);
    int hb = find(FT_HEARTBEAT, count(FT_HEARTBEAT) - 1);
    assert_int_equal(K.payload[hb][ST_CRC], 1);
    assert_int_equal(K.payload[hb][ST_OVERSIZE], 1);
    assert_int_equal(K.payload[hb][ST_TRUNCATED], 0);
    assert_int_equal(K.payload[hb][ST_RETRANSMIT], 255);
    assert_int_equal(K.payload[hb][ST_GAVE_UP], 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_boot_and_heartbeats, setup),
        cmocka_unit_test_setup(test_fault_blink_before_link, setup),
        cmocka_unit_test_setup(test_lamp_commands_and_link_loss, setup),
        cmocka_unit_test_setup(test_inputs_become_events, setup),
        cmocka_unit_test_setup(test_event_retransmitted, setup),
        cmocka_unit_test_setup(test_heartbeat_counters, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
