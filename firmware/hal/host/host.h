/*
 * host.h: the host side's handles on the hal (unit tests, `kiosk post-sim`).
 * One post a process: the hal is global, as the chip's registers are.
 */
#ifndef FW_HAL_HOST_H
#define FW_HAL_HOST_H

#include <stddef.h>
#include <stdint.h>

/* timer: virtual by default (starts at 0, moves only when told) */
void timer_set(uint16_t ms);
void timer_advance(uint16_t ms);
void host_timer_realtime(int on);   /* 1: the monotonic clock, from now */

/* gpio: the level on each pin; inputs idle high (the pull-ups) */
void host_gpio_reset(void);
void host_gpio_set(uint8_t pin, uint8_t high);   /* the outside world drives an input */
uint8_t host_gpio_get(uint8_t pin);

/* uart, buffer mode (the default): bytes toward the post, and what it sent */
void host_uart_reset(void);
void host_uart_push(const uint8_t *p, size_t n);
size_t host_uart_take(uint8_t *out, size_t max);
/* uart, fd mode: reads and writes fd (non-blocking; the caller sets it so) */
void host_uart_use_fd(int fd);
/* 0: every byte both ways is dropped, as with the cable pulled */
void host_uart_plug(int plugged);
/* called with each uart_write's bytes before they go (post-sim records frames) */
void host_uart_tap(void (*fn)(const uint8_t *p, uint8_t n));
/* bytes uart_write could not hand to the fd (nobody reading the pty) */
unsigned long host_uart_dropped(void);

/* wdt: the reset cause the next wdt_reset_cause() gives; feeds counted */
void host_wdt_set_cause(uint8_t cause);
unsigned long host_wdt_feeds(void);

#endif
