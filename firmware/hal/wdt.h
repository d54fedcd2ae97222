/*
 * wdt.h: the watchdog and why the chip last reset.  A main loop that stops
 * feeding it resets the chip; the next FT_BOOT frame carries the cause, so
 * the kiosk logs a hang instead of just seeing the link drop and return.
 */
#ifndef FW_HAL_WDT_H
#define FW_HAL_WDT_H

#include <stdint.h>

/* MCUSR's bits, the FT_BOOT payload (the same values on the host) */
#define RESET_POWER_ON 0x01
#define RESET_EXTERNAL 0x02
#define RESET_BROWN_OUT 0x04
#define RESET_WATCHDOG 0x08

void wdt_start(void);       /* about 250 ms */
void wdt_feed(void);
uint8_t wdt_reset_cause(void);

#endif
