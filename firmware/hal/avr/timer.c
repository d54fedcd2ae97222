/* timer.c (AVR): Timer0 in CTC mode, a compare interrupt each millisecond. */
#include <avr/interrupt.h>
#include <avr/io.h>
#include <util/atomic.h>

#include "../timer.h"

static volatile uint16_t ms;

ISR(TIMER0_COMPA_vect)
{
    ms++;
}

void timer_init(void)
{
    /* 16 MHz / 64 = 250 kHz; 250 counts (OCR0A 249) = 1 ms */
    TCCR0A = _BV(WGM01);
    TCCR0B = _BV(CS01) | _BV(CS00);
    OCR0A = (uint8_t)(F_CPU / 64 / 1000 - 1);
    TIMSK0 = _BV(OCIE0A);
}

uint16_t timer_read(void)
{
    uint16_t t;
    ATOMIC_BLOCK(ATOMIC_RESTORESTATE) { t = ms; }   /* two bytes: not torn by the ISR */
    return t;
}
