/*
 * debounce.h: an input changes only after it has been steady for a time, one
 * time for going on and one for going off (hysteresis in time).  Time-based,
 * not sample-counted, so a late sample (the host, a busy loop) changes nothing.
 *
 * The post's inputs (post.c), on / off:
 *   vehicle loop   500 ms / 2000 ms   a car creeping over the loop's edge flickers
 *                                      the detector; one car must stay one car
 *   help, talk     30 ms / 30 ms      contact bounce is under 10 ms
 *   crew present   200 ms / 200 ms    the headset base's line, slow to settle
 */
#ifndef FW_DEBOUNCE_H
#define FW_DEBOUNCE_H

#include <stdint.h>

typedef struct {
    uint8_t stable;     /* the debounced value */
    uint8_t raw;        /* the last sample */
    uint16_t since;     /* when raw last changed */
} debounce_t;

void debounce_init(debounce_t *d, uint8_t value, uint16_t now);
/* One sample; returns 1 when the debounced value changed (d->stable). */
uint8_t debounce_update(debounce_t *d, uint8_t raw, uint16_t now, uint16_t on_ms, uint16_t off_ms);

#endif
