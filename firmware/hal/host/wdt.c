/* wdt.c (host): no watchdog to bite; the reset cause is set by the test. */
#include "../wdt.h"
#include "host.h"

static uint8_t cause = RESET_POWER_ON;
static unsigned long feeds;

void wdt_start(void) {}

void wdt_feed(void)
{
    feeds++;
}

uint8_t wdt_reset_cause(void)
{
    return cause;
}

void host_wdt_set_cause(uint8_t c)
{
    cause = c;
}

unsigned long host_wdt_feeds(void)
{
    return feeds;
}
