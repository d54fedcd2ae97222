/* uart.c (host): a byte buffer each way for unit tests, or a file descriptor
   (post-sim's pty). */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "../uart.h"
#include "host.h"

#define BUF 4096

static uint8_t rx[BUF], tx[BUF];
static size_t rx_n, rx_off, tx_n;
static int fd = -1;
static int plugged = 1;
static void (*tap)(const uint8_t *p, uint8_t n);
static unsigned long dropped;

void uart_init(void) {}

void host_uart_reset(void)
{
    rx_n = rx_off = tx_n = 0;
    fd = -1;
    plugged = 1;
    tap = NULL;
    dropped = 0;
}

void host_uart_push(const uint8_t *p, size_t n)
{
    if (rx_off == rx_n) rx_off = rx_n = 0;
    for (size_t i = 0; i < n && rx_n < BUF; i++) rx[rx_n++] = p[i];
}

size_t host_uart_take(uint8_t *out, size_t max)
{
    size_t n = tx_n < max ? tx_n : max;
    memcpy(out, tx, n);
    memmove(tx, tx + n, tx_n - n);
    tx_n -= n;
    return n;
}

void host_uart_use_fd(int f)
{
    fd = f;
    rx_n = rx_off = 0;
}

void host_uart_plug(int on)
{
    plugged = on;
}

void host_uart_tap(void (*fn)(const uint8_t *p, uint8_t n))
{
    tap = fn;
}

unsigned long host_uart_dropped(void)
{
    return dropped;
}

int uart_getc(void)
{
    while (fd >= 0 && rx_off == rx_n) {
        ssize_t r = read(fd, rx, sizeof rx);
        if (r <= 0) return -1;   /* EAGAIN: nothing waiting */
        rx_off = 0;
        rx_n = plugged ? (size_t)r : 0;   /* unplugged: read and dropped, not kept for later */
    }
    if (rx_off == rx_n) return -1;
    if (!plugged) {
        rx_off = rx_n;
        return -1;
    }
    return rx[rx_off++];
}

void uart_write(const uint8_t *p, uint8_t n)
{
    if (!plugged) return;
    if (tap) tap(p, n);
    if (fd < 0) {
        for (uint8_t i = 0; i < n; i++) {
            if (tx_n < BUF) tx[tx_n++] = p[i];
            else dropped++;
        }
        return;
    }
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) {   /* the pty's buffer full: nobody reads; the bytes are lost as on a wire */
            dropped += n;
            return;
        }
        p += w;
        n = (uint8_t)(n - w);
    }
}
