/*
 * uart.h: the serial line to the kiosk (38400 8N1), the portable face.  On the
 * AVR, interrupt-driven ring buffers both ways; on the host a byte buffer (unit
 * tests) or a file descriptor (`kiosk post-sim`'s pty), host.h.
 */
#ifndef FW_HAL_UART_H
#define FW_HAL_UART_H

#include <stdint.h>

void uart_init(void);
/* the next received byte, or -1 when none is waiting */
int uart_getc(void);
/* queues n bytes; waits while the transmit ring is full (the AVR) */
void uart_write(const uint8_t *p, uint8_t n);

#endif
