/* debounce.c: steady-for-a-time debouncing (debounce.h). */
#include "debounce.h"
#include "hal/timer.h"

void debounce_init(debounce_t *d, uint8_t value, uint16_t now)
{
    d->stable = d->raw = value;
    d->since = now;
}

uint8_t debounce_update(debounce_t *d, uint8_t raw, uint16_t now, uint16_t on_ms, uint16_t off_ms)
{
    raw = raw ? 1 : 0;
    if (raw != d->raw) {
        d->raw = raw;
        d->since = now;
    }
    /* While raw differs from stable, since is at most off_ms old, far from
       the 65 s wrap; while they agree its age does not matter. */
    if (raw != d->stable && TIMER_DIFF_16(now, d->since) >= (raw ? on_ms : off_ms)) {
        d->stable = raw;
        return 1;
    }
    return 0;
}
