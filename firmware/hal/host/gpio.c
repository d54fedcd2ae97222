/* gpio.c (host): pins are bytes a test sets and reads. */
#include "../gpio.h"
#include "host.h"

static uint8_t level[PIN_COUNT] = {
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
};

void host_gpio_reset(void)
{
    for (int i = 0; i < PIN_COUNT; i++) level[i] = 1;
}

void host_gpio_set(uint8_t pin, uint8_t high)
{
    if (pin < PIN_COUNT) level[pin] = high ? 1 : 0;
}

uint8_t host_gpio_get(uint8_t pin)
{
    return pin < PIN_COUNT ? level[pin] : 0;
}

void gpio_input_pullup(uint8_t pin)
{
    (void)pin;   /* the level stays what the test drives; undriven it is high */
}

void gpio_output(uint8_t pin)
{
    host_gpio_set(pin, 0);
}

uint8_t gpio_read(uint8_t pin)
{
    return host_gpio_get(pin);
}

void gpio_write(uint8_t pin, uint8_t high)
{
    host_gpio_set(pin, high);
}
