/* frame.c: the post's frame codec (frame.h says the format). */
#include "frame.h"

/* Bitwise rather than a 512-byte table: the ATmega328P has 2 KB of RAM, and
   at 38400 baud a frame's CRC costs well under its time on the wire. */
uint16_t frame_crc(const uint8_t *p, uint8_t n)
{
    uint16_t crc = 0xFFFF;
    while (n--) {
        crc ^= (uint16_t)(*p++) << 8;
        for (uint8_t i = 0; i < 8; i++)
            crc = crc & 0x8000 ? (uint16_t)((crc << 1) ^ 0x1021) : (uint16_t)(crc << 1);
    }
    return crc;
}

uint8_t frame_encode(uint8_t *out, uint8_t seq, uint8_t type, const uint8_t *payload, uint8_t len)
{
    if (len > FRAME_MAX_PAYLOAD) return 0;
    out[0] = FRAME_START;
    out[1] = len;
    out[2] = seq;
    out[3] = type;
    for (uint8_t i = 0; i < len; i++) out[4 + i] = payload[i];
    uint16_t crc = frame_crc(out + 1, (uint8_t)(len + 3));
    out[4 + len] = (uint8_t)(crc >> 8);
    out[5 + len] = (uint8_t)crc;
    return (uint8_t)(len + FRAME_OVERHEAD);
}

void frame_rx_init(frame_rx_t *r)
{
    r->n = 0;
    r->last_ms = 0;
}

int frame_rx_idle(frame_rx_t *r, uint16_t now_ms)
{
    if (r->n && (uint16_t)(now_ms - r->last_ms) >= FRAME_GAP_MS) {
        r->n = 0;
        return FRX_TRUNCATED;
    }
    return FRX_NONE;
}

int frame_rx_byte(frame_rx_t *r, uint8_t b, uint16_t now_ms)
{
    int err = frame_rx_idle(r, now_ms);
    r->last_ms = now_ms;
    if (r->n == 0) {
        if (b == FRAME_START) r->buf[r->n++] = b;
        return err;   /* bytes between frames are skipped, not counted: line noise while hunting */
    }
    if (r->n == 1 && b > FRAME_MAX_PAYLOAD) {
        r->n = 0;
        return FRX_OVERSIZE;
    }
    r->buf[r->n++] = b;
    if (r->n < (uint8_t)(r->buf[1] + FRAME_OVERHEAD)) return err;
    uint8_t len = r->buf[1];
    uint16_t crc = frame_crc(r->buf + 1, (uint8_t)(len + 3));
    uint16_t got = (uint16_t)((uint16_t)r->buf[4 + len] << 8 | r->buf[5 + len]);
    r->n = 0;
    return crc == got ? FRX_FRAME : FRX_CRC;
}
