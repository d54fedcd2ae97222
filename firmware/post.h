/*
 * post.h: the speaker post's state machine, over the hal (uart, gpio, timer,
 * wdt) and proto/link.  The same source runs on the ATmega328P (main.c), in
 * the unit tests (virtual clock) and in `kiosk post-sim` (the real clock, a
 * pty).
 *
 *   boot    -> FT_BOOT (the reset cause), the lamp LAMP_FAULT until the
 *              kiosk is heard (the link starts down)
 *   each ms -> the four inputs sampled and debounced (debounce.h); a
 *              debounced change -> a reliable FT_EVENT:
 *                PE_LOOP 1/0, PE_HELP 1 (on press only), PE_TALK 1/0, PE_CREW 1/0
 *   each s  -> FT_HEARTBEAT with the ST_* payload (frame.h)
 *   FT_LAMP, the kiosk's FT_HEARTBEAT byte -> the lamp the kiosk wants
 *   link down (link.h: nothing valid for 3 s)     -> LAMP_FAULT, red blinking at 2 Hz
 *   link up again                                  -> the lamp the kiosk last asked for
 *
 * The lamp's four outputs are one-hot: a colour is switched on only after
 * the others are off.
 */
#ifndef FW_POST_H
#define FW_POST_H

#include <stdint.h>

#include "debounce.h"
#include "proto/link.h"

enum { IN_LOOP, IN_HELP, IN_TALK, IN_CREW, IN_N };

#define POST_BLINK_MS 250   /* red on 250 ms, off 250 ms: 2 Hz */

/* What the owner may watch (post-sim prints it; the AVR passes NULL):
   POST_SENT (code, value): an FT_EVENT queued; POST_DROPPED (code, value):
   the link's queue was full; POST_LINK (up); POST_LAMP (lamp state). */
enum { POST_SENT, POST_DROPPED, POST_LINK, POST_LAMP };
typedef void (*post_observer_fn)(void *ctx, uint8_t what, uint8_t a, uint8_t b);

typedef struct {
    link_t link;
    debounce_t in[IN_N];
    uint16_t sampled_ms;
    uint8_t lamp_want;      /* what the kiosk last asked for */
    uint8_t lamp;           /* what the lamp shows: lamp_want, or LAMP_FAULT while the link is down */
    uint8_t blink_on;
    uint16_t blink_ms;
    post_observer_fn observe;
    void *ctx;
} post_t;

/* Sets up the pins, sends FT_BOOT.  The hal's init (timer, uart) comes first. */
void post_init(post_t *p, post_observer_fn observe, void *ctx);
/* One pass of the main loop: received bytes to the link, retransmission and
   link loss, inputs sampled (once a ms), heartbeat, the lamp driven. */
void post_step(post_t *p);
/* the debounced inputs, ST_INPUTS's bits */
uint8_t post_inputs(const post_t *p);

#endif
