/* gpio.c (AVR): pins.h's PIN_IDs onto the DDR/PORT/PIN registers. */
#include <avr/io.h>

#include "../gpio.h"

/* Port B, C, D's registers sit at the same offsets: PINx, DDRx, PORTx. */
static volatile uint8_t *port_base(uint8_t pin)
{
    switch (PIN_PORT(pin)) {
    case PORT_B: return &PINB;
    case PORT_C: return &PINC;
    default: return &PIND;
    }
}

#define REG_PIN(b) (b)[0]
#define REG_DDR(b) (b)[1]
#define REG_PORT(b) (b)[2]

void gpio_input_pullup(uint8_t pin)
{
    volatile uint8_t *b = port_base(pin);
    REG_DDR(b) &= (uint8_t)~(1u << PIN_BIT(pin));
    REG_PORT(b) |= (uint8_t)(1u << PIN_BIT(pin));
}

void gpio_output(uint8_t pin)
{
    volatile uint8_t *b = port_base(pin);
    REG_PORT(b) &= (uint8_t)~(1u << PIN_BIT(pin));   /* low before it drives: no flash of a lamp */
    REG_DDR(b) |= (uint8_t)(1u << PIN_BIT(pin));
}

uint8_t gpio_read(uint8_t pin)
{
    return (uint8_t)((REG_PIN(port_base(pin)) >> PIN_BIT(pin)) & 1);
}

void gpio_write(uint8_t pin, uint8_t high)
{
    volatile uint8_t *b = port_base(pin);
    if (high) REG_PORT(b) |= (uint8_t)(1u << PIN_BIT(pin));
    else REG_PORT(b) &= (uint8_t)~(1u << PIN_BIT(pin));
}
