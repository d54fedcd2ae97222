/* post.c: the speaker post's state machine (post.h draws it). */
#include "post.h"
#include "hal/gpio.h"
#include "hal/timer.h"
#include "hal/uart.h"
#include "hal/wdt.h"

static const uint8_t in_pin[IN_N] = { PIN_LOOP, PIN_HELP, PIN_TALK, PIN_CREW };
static const uint8_t in_code[IN_N] = { PE_LOOP, PE_HELP, PE_TALK, PE_CREW };
/* debounce.h says why these times */
static const uint16_t in_on_ms[IN_N] = { 500, 30, 30, 200 };
static const uint16_t in_off_ms[IN_N] = { 2000, 30, 30, 200 };
/* indexed by lamp state - 1 */
static const uint8_t lamp_pin[4] = { PIN_LAMP_GREEN, PIN_LAMP_AMBER, PIN_LAMP_BLUE, PIN_LAMP_RED };

static void op_write(void *ctx, const uint8_t *b, uint8_t n)
{
    (void)ctx;
    uart_write(b, n);
}

static void op_deliver(void *ctx, uint8_t type, const uint8_t *payload, uint8_t len)
{
    post_t *p = ctx;
    /* the kiosk's heartbeat carries the lamp it wants too, so a lost FT_LAMP
       (given up) is put right within a second */
    if ((type == FT_LAMP || type == FT_HEARTBEAT) && len >= 1) {
        if (payload[0] < LAMP_N) p->lamp_want = payload[0];
        else if (p->link.err[LE_UNKNOWN] != 0xFFFF) p->link.err[LE_UNKNOWN]++;
    }
    /* the kiosk's FT_BOOT: the link already resynchronised on it; nothing else */
}

static void op_state(void *ctx, uint8_t up)
{
    post_t *p = ctx;
    if (p->observe) p->observe(p->ctx, POST_LINK, up, 0);
}

/* not const: ctx is the post, set in post_init (one post a chip) */
static link_ops_t post_ops = { op_write, op_deliver, op_state, 0 };

static uint8_t sat8(uint16_t v)
{
    return v > 255 ? 255 : (uint8_t)v;
}

uint8_t post_inputs(const post_t *p)
{
    uint8_t bits = 0;
    for (uint8_t i = 0; i < IN_N; i++)
        if (p->in[i].stable) bits |= (uint8_t)(1u << i);
    return bits;
}

static void heartbeat(post_t *p)
{
    uint8_t st[ST_LEN];
    st[ST_INPUTS] = post_inputs(p);
    st[ST_LAMP] = p->lamp;
    for (uint8_t e = LE_CRC; e <= LE_GAVE_UP; e++) st[ST_CRC + e] = sat8(p->link.err[e]);
    link_send_raw(&p->link, FT_HEARTBEAT, st, ST_LEN);
}

static void sample(post_t *p, uint16_t now)
{
    for (uint8_t i = 0; i < IN_N; i++) {
        uint8_t active = !gpio_read(in_pin[i]);   /* active low */
        if (!debounce_update(&p->in[i], active, now, in_on_ms[i], in_off_ms[i])) continue;
        uint8_t v = p->in[i].stable;
        if (i == IN_HELP && !v) continue;   /* the kiosk pages on the press; the release means nothing */
        uint8_t ev[2] = { in_code[i], v };
        uint8_t ok = (uint8_t)link_send(&p->link, FT_EVENT, ev, 2, now);
        if (p->observe) p->observe(p->ctx, ok ? POST_SENT : POST_DROPPED, in_code[i], v);
    }
}

static void drive_lamp(post_t *p, uint16_t now)
{
    uint8_t lamp = p->link.up ? p->lamp_want : LAMP_FAULT;
    if (lamp != p->lamp) {
        p->lamp = lamp;
        p->blink_on = 1;
        p->blink_ms = now;
        if (p->observe) p->observe(p->ctx, POST_LAMP, lamp, 0);
    }
    uint8_t on = lamp;   /* 1..4 = the pin lit, 0 none */
    if (lamp == LAMP_FAULT) {
        while (TIMER_DIFF_16(now, p->blink_ms) >= POST_BLINK_MS) {
            p->blink_on ^= 1;
            p->blink_ms = (uint16_t)(p->blink_ms + POST_BLINK_MS);
        }
        if (!p->blink_on) on = LAMP_OFF;
    }
    for (uint8_t i = 0; i < 4; i++)   /* off first, then on: never two lit */
        if (i + 1 != on) gpio_write(lamp_pin[i], 0);
    if (on != LAMP_OFF) gpio_write(lamp_pin[on - 1], 1);
}

void post_init(post_t *p, post_observer_fn observe, void *ctx)
{
    uint16_t now = timer_read();
    uint8_t *b = (uint8_t *)p;
    for (uint16_t i = 0; i < sizeof *p; i++) b[i] = 0;
    p->observe = observe;
    p->ctx = ctx;
    for (uint8_t i = 0; i < IN_N; i++) {
        gpio_input_pullup(in_pin[i]);
        /* all off at boot: a car already on the loop becomes an event once
           steady, so the kiosk learns of it */
        debounce_init(&p->in[i], 0, now);
    }
    for (uint8_t i = 0; i < 4; i++) gpio_output(lamp_pin[i]);
    post_ops.ctx = p;
    link_init(&p->link, &post_ops, now);
    p->sampled_ms = now;
    p->lamp = 0xFF;   /* so the first drive_lamp reports LAMP_FAULT */
    drive_lamp(p, now);
    uint8_t cause = wdt_reset_cause();
    link_send_raw(&p->link, FT_BOOT, &cause, 1);
}

void post_step(post_t *p)
{
    uint16_t now = timer_read();
    int c;
    while ((c = uart_getc()) >= 0) link_rx_byte(&p->link, (uint8_t)c, now);
    if (link_poll(&p->link, now)) heartbeat(p);
    if (now != p->sampled_ms) {
        p->sampled_ms = now;
        sample(p, now);
    }
    drive_lamp(p, now);
}
