/*
 * timer.h: milliseconds, the portable face (QMK's timer.h).  On the AVR a
 * Timer0 compare interrupt counts them; on the host time is a variable a test
 * moves (timer_advance, host.h) or, for `kiosk post-sim`, the monotonic clock.
 * 16 bits wrap every 65.5 s: compare times only through TIMER_DIFF_16.
 */
#ifndef FW_HAL_TIMER_H
#define FW_HAL_TIMER_H

#include <stdint.h>

#define TIMER_DIFF_16(a, b) ((uint16_t)((a) - (b)))

void timer_init(void);
uint16_t timer_read(void);

#endif
