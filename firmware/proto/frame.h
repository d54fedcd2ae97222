/*
 * frame.h: the speaker post's serial frames, one codec for the firmware and
 * the kiosk (src/post/ compiles this same file; it is never written twice).
 *
 * A frame on the wire (38400 8N1):
 *
 *   0xA5 | len | seq | type | payload (len bytes, 0..FRAME_MAX_PAYLOAD) | crc hi | crc lo
 *
 * The CRC is CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF, no reflection)
 * over len, seq, type and the payload.  seq 0 marks a frame that is not
 * acknowledged (heartbeats, acks, the boot frame); reliable frames carry
 * 1..255 (link.h).  Plain C99, no allocation: it runs on an ATmega328P.
 */
#ifndef POST_FRAME_H
#define POST_FRAME_H

#include <stdint.h>

#define FRAME_START 0xA5
#define FRAME_MAX_PAYLOAD 16
#define FRAME_OVERHEAD 6                        /* start, len, seq, type, crc x2 */
#define FRAME_MAX (FRAME_MAX_PAYLOAD + FRAME_OVERHEAD)
/* a frame whose bytes stop for this long is truncated (a 22-byte frame takes
   6 ms at 38400 baud) */
#define FRAME_GAP_MS 50

/* frame types */
enum {
    FT_ACK = 0x01,        /* payload: the acknowledged seq (1 byte); seq 0 */
    FT_HEARTBEAT = 0x02,  /* seq 0, each second both ways; post: frame_status payload,
                             kiosk: 1 byte, the lamp it wants */
    FT_BOOT = 0x03,       /* seq 0, the post started: 1 byte, reset cause (MCUSR) */
    FT_EVENT = 0x10,      /* post -> kiosk, reliable: 2 bytes, event code and value */
    FT_LAMP = 0x20,       /* kiosk -> post, reliable: 1 byte, lamp state */
};

/* FT_EVENT codes: value 1 = on / pressed / arrived, 0 = off / released / left */
enum {
    PE_LOOP = 1,      /* vehicle on the loop (debounced, with hysteresis) */
    PE_HELP = 2,      /* the customer's help button */
    PE_TALK = 3,      /* the crew headset base's talk button */
    PE_CREW = 4,      /* the headset base's "crew present" line */
};

/* lamp states (FT_LAMP, kiosk heartbeat) */
enum {
    LAMP_OFF = 0,
    LAMP_LISTENING = 1,     /* green */
    LAMP_CREW_COMING = 2,   /* amber */
    LAMP_CREW_TALKING = 3,  /* blue */
    LAMP_FAULT = 4,         /* red, blinking */
    LAMP_N
};

/* The post's heartbeat payload: its inputs and what its receiver rejected,
   so the kiosk can log both sides' frame errors.  Counters saturate. */
enum {
    ST_INPUTS = 0,     /* bit 0 loop, 1 help, 2 talk, 3 crew present */
    ST_LAMP = 1,
    ST_CRC = 2,        /* the counters from here are 8-bit, saturating */
    ST_TRUNCATED = 3,
    ST_OVERSIZE = 4,
    ST_DUPLICATE = 5,
    ST_OUT_OF_ORDER = 6,
    ST_RETRANSMIT = 7,
    ST_GAVE_UP = 8,
    ST_LEN = 9
};

/* Encodes one frame into out (FRAME_MAX bytes); returns its length, or 0 if
   len is over FRAME_MAX_PAYLOAD. */
uint8_t frame_encode(uint8_t *out, uint8_t seq, uint8_t type, const uint8_t *payload, uint8_t len);

uint16_t frame_crc(const uint8_t *p, uint8_t n);

/* A byte-at-a-time receiver.  frame_rx_byte returns FRX_FRAME when a whole
   frame with a good CRC is in r->buf (seq r->buf[2], type r->buf[3], payload
   r->buf + 4, length r->buf[1]), FRX_NONE while nothing is complete, and an
   error when it dropped one.  After an error it hunts for the next start
   byte. */
enum { FRX_NONE = 0, FRX_FRAME, FRX_CRC, FRX_OVERSIZE, FRX_TRUNCATED };

typedef struct {
    uint8_t buf[FRAME_MAX];
    uint8_t n;          /* bytes of the current frame so far, 0 = hunting */
    uint16_t last_ms;   /* when the last byte came */
} frame_rx_t;

void frame_rx_init(frame_rx_t *r);
int frame_rx_byte(frame_rx_t *r, uint8_t b, uint16_t now_ms);
/* A frame begun and silent for FRAME_GAP_MS is dropped: FRX_TRUNCATED. */
int frame_rx_idle(frame_rx_t *r, uint16_t now_ms);

#endif
