/*
 * gpio.h: pins, the portable face (QMK's gpio.h).  hal/avr/gpio.c sets the
 * port registers; hal/host/gpio.c keeps the pins in an array a test sets
 * (host.h).  Pins are pins.h's PIN_ID numbers.
 */
#ifndef FW_HAL_GPIO_H
#define FW_HAL_GPIO_H

#include <stdint.h>
#include "pins.h"

void gpio_input_pullup(uint8_t pin);
void gpio_output(uint8_t pin);
uint8_t gpio_read(uint8_t pin);               /* the level: 1 high, 0 low */
void gpio_write(uint8_t pin, uint8_t high);

#endif
