/*
 * pins.h: the speaker post's pin map, ATmega328P at F_CPU 16 MHz.  Fixed: the
 * simavr harness (tests/) drives and reads these same pins, and the board is
 * wired to them, so a change here is a change there too.
 *
 *   PD2  in,  pull-up, active LOW   vehicle-loop detector (low = a vehicle over the loop)
 *   PD3  in,  pull-up, active LOW   customer help button
 *   PD4  in,  pull-up, active LOW   crew headset base: talk button
 *   PD5  in,  pull-up, active LOW   crew headset base: "crew present"
 *   PB0  out, active HIGH           lamp green  (listening)
 *   PB1  out, active HIGH           lamp amber  (crew coming)
 *   PB2  out, active HIGH           lamp blue   (crew talking)
 *   PB3  out, active HIGH           lamp red    (fault)
 *   PD0/PD1                         USART0 RX/TX, 38400 8N1 (U2X, UBRR 51)
 *
 * A pin is a port and a bit in one byte, as QMK's pin_t is, so the portable
 * code names pins without knowing registers (hal/avr/gpio.c maps them).
 */
#ifndef FW_PINS_H
#define FW_PINS_H

#define PORT_B 0
#define PORT_C 1
#define PORT_D 2
#define PIN_ID(port, bit) ((uint8_t)((port) << 3 | (bit)))
#define PIN_PORT(pin) ((pin) >> 3)
#define PIN_BIT(pin) ((pin) & 7)
#define PIN_COUNT 24

#define PIN_LOOP PIN_ID(PORT_D, 2)
#define PIN_HELP PIN_ID(PORT_D, 3)
#define PIN_TALK PIN_ID(PORT_D, 4)
#define PIN_CREW PIN_ID(PORT_D, 5)

#define PIN_LAMP_GREEN PIN_ID(PORT_B, 0)
#define PIN_LAMP_AMBER PIN_ID(PORT_B, 1)
#define PIN_LAMP_BLUE PIN_ID(PORT_B, 2)
#define PIN_LAMP_RED PIN_ID(PORT_B, 3)

#define UART_BAUD 38400UL

#endif
