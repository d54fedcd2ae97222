/* timer.c (host): time as a variable (QMK's platforms/test/timer.c), or the
   monotonic clock for post-sim. */
#include <time.h>

#include "../timer.h"
#include "host.h"

static uint16_t now_ms;
static int realtime;
static long long t0_ms;

static long long mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void timer_init(void) {}

uint16_t timer_read(void)
{
    if (realtime) return (uint16_t)(mono_ms() - t0_ms);
    return now_ms;
}

void timer_set(uint16_t ms)
{
    now_ms = ms;
}

void timer_advance(uint16_t ms)
{
    now_ms = (uint16_t)(now_ms + ms);
}

void host_timer_realtime(int on)
{
    realtime = on;
    t0_ms = mono_ms();
}
