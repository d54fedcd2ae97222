/* uart.c (AVR): USART0 at 38400 8N1 through interrupt-driven rings. */
#include <avr/interrupt.h>
#include <avr/io.h>

#include "../pins.h"
#include "../uart.h"

/* Powers of two, so the index wraps with a mask.  RX: the main loop drains it
   every pass (well under a ms), 64 bytes is ~17 ms of line.  TX: a frame is at
   most 22 bytes; a heartbeat and an ack together fit. */
#define RX_SIZE 64
#define TX_SIZE 64

static volatile uint8_t rx_buf[RX_SIZE], tx_buf[TX_SIZE];
static volatile uint8_t rx_head, rx_tail, tx_head, tx_tail;

ISR(USART_RX_vect)
{
    uint8_t b = UDR0;
    uint8_t next = (uint8_t)((rx_head + 1) & (RX_SIZE - 1));
    if (next != rx_tail) {   /* full: the byte is lost; the CRC and the link catch it */
        rx_buf[rx_head] = b;
        rx_head = next;
    }
}

ISR(USART_UDRE_vect)
{
    if (tx_head == tx_tail) {
        UCSR0B &= (uint8_t)~_BV(UDRIE0);
        return;
    }
    UDR0 = tx_buf[tx_tail];
    tx_tail = (uint8_t)((tx_tail + 1) & (TX_SIZE - 1));
}

void uart_init(void)
{
    /* U2X: UBRR = 16e6 / (8 * 38400) - 1 = 51, 38462 baud, 0.2 % fast */
    UCSR0A = _BV(U2X0);
    UBRR0 = (uint16_t)(F_CPU / (8 * UART_BAUD) - 1);
    UCSR0C = _BV(UCSZ01) | _BV(UCSZ00);
    UCSR0B = _BV(RXEN0) | _BV(TXEN0) | _BV(RXCIE0);
}

int uart_getc(void)
{
    if (rx_head == rx_tail) return -1;
    uint8_t b = rx_buf[rx_tail];
    rx_tail = (uint8_t)((rx_tail + 1) & (RX_SIZE - 1));
    return b;
}

void uart_write(const uint8_t *p, uint8_t n)
{
    while (n--) {
        uint8_t next = (uint8_t)((tx_head + 1) & (TX_SIZE - 1));
        while (next == tx_tail) {}   /* the UDRE interrupt drains it: < 6 ms for a full ring */
        tx_buf[tx_head] = *p++;
        tx_head = next;
        UCSR0B |= _BV(UDRIE0);
    }
}
