/* wdt.c (AVR): the watchdog, and MCUSR saved before anything clears it. */
#include <avr/io.h>
#include <avr/wdt.h>

#include "../wdt.h"

/* .noinit: the C start-up must not zero it after .init3 has set it */
static uint8_t mcusr_copy __attribute__((section(".noinit")));

/* Runs before main, as avr-libc's wdt.h advises: after a watchdog reset the
   watchdog stays on (at 15 ms) until WDRF is cleared, and would reset the chip
   again before main got to it. */
void wdt_early(void) __attribute__((naked, used, section(".init3")));
void wdt_early(void)
{
    mcusr_copy = MCUSR;
    MCUSR = 0;
    wdt_disable();
}

void wdt_start(void)
{
    wdt_enable(WDTO_250MS);
}

void wdt_feed(void)
{
    wdt_reset();
}

uint8_t wdt_reset_cause(void)
{
    return (uint8_t)(mcusr_copy & (RESET_POWER_ON | RESET_EXTERNAL | RESET_BROWN_OUT | RESET_WATCHDOG));
}
