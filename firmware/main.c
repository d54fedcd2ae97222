/*
 * main.c: the speaker post on the ATmega328P.  Everything it decides is in
 * post.c (tested on the host); this file only starts the hal and runs the loop.
 */
#include <avr/interrupt.h>
#include <avr/sleep.h>

#include "hal/timer.h"
#include "hal/uart.h"
#include "hal/wdt.h"
#include "post.h"

static post_t post;   /* static, not on the stack: avr-size counts it */

int main(void)
{
    timer_init();
    uart_init();
    sei();
    /* 250 ms: a pass of the loop takes well under 1 ms, and a hang shows on
       the link as the next FT_BOOT (cause RESET_WATCHDOG) within a second */
    wdt_start();
    post_init(&post, 0, 0);
    set_sleep_mode(SLEEP_MODE_IDLE);
    for (;;) {
        wdt_feed();
        post_step(&post);
        /* idle until an interrupt: the 1 ms tick or a received byte.  Racing
           an interrupt that came just before costs at most one tick. */
        sleep_mode();
    }
}
