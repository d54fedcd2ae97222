/*
 * link.h: reliable delivery over frame.h, the same source on the post and in
 * the kiosk.  Time is passed in (milliseconds, 16 bits, wrap-safe), so it is
 * tested on the host with a virtual clock.
 *
 * - Reliable frames (link_send) carry seq 1..255, one in flight at a time,
 *   queued LINK_QUEUE deep.  The receiver acks each (FT_ACK, payload: seq).
 *   No ack within LINK_RTO_MS: sent again, the wait doubling up to
 *   LINK_RTO_MAX_MS; after LINK_TRIES sends it is given up (counted) and the
 *   next frame carries LINK_SYNC so the receiver takes its seq as new.
 * - The receiver delivers a seq once: the same seq again is a duplicate (acked
 *   again, since the ack may be what was lost, not delivered); any other seq
 *   but the next is out of order (not acked, not delivered).  Both counted.
 *   The first frame after start, link loss or the peer's FT_BOOT, and a
 *   frame flagged LINK_SYNC, set the expected seq.
 * - Heartbeats: link_poll says when one is due (every LINK_HEARTBEAT_MS);
 *   the owner sends it with link_send_raw, with its own payload.
 * - Link loss: nothing valid heard for LINK_LOSS_MS.  ops->state reports
 *   up and down.
 */
#ifndef POST_LINK_H
#define POST_LINK_H

#include <stdint.h>
#include "frame.h"

#define LINK_QUEUE 4
#define LINK_MSG_MAX 4          /* reliable payloads are short: events, lamps */
#define LINK_RTO_MS 100
#define LINK_RTO_MAX_MS 800
#define LINK_TRIES 6
#define LINK_HEARTBEAT_MS 1000
#define LINK_LOSS_MS 3000
#define LINK_SYNC 0x80          /* or'ed into a reliable frame's type */

/* what the receiver rejected, and what the sender had to do again */
enum {
    LE_CRC, LE_TRUNCATED, LE_OVERSIZE, LE_DUPLICATE, LE_OUT_OF_ORDER,
    LE_RETRANSMIT, LE_GAVE_UP, LE_QUEUE_FULL, LE_UNKNOWN, LE_N
};
extern const char *const link_err_names[LE_N];

typedef struct {
    void (*write)(void *ctx, const uint8_t *p, uint8_t n);
    /* a reliable frame (once), or an unreliable one (heartbeat, boot); type
       without LINK_SYNC */
    void (*deliver)(void *ctx, uint8_t type, const uint8_t *payload, uint8_t len);
    void (*state)(void *ctx, uint8_t up);   /* may be NULL */
    void *ctx;
} link_ops_t;

typedef struct {
    const link_ops_t *ops;
    frame_rx_t rx;
    uint8_t q_type[LINK_QUEUE], q_len[LINK_QUEUE], q_payload[LINK_QUEUE][LINK_MSG_MAX];
    uint8_t q_head, q_count;
    uint8_t tx_seq;         /* the queue head's seq while in flight */
    uint8_t in_flight, tries, need_sync;
    uint16_t sent_ms, rto;
    uint8_t rx_last, rx_synced;
    uint8_t up;
    uint16_t heard_ms, hb_ms;
    uint16_t err[LE_N];     /* saturating */
} link_t;

void link_init(link_t *l, const link_ops_t *ops, uint16_t now);
/* Queues a reliable frame; 0 if the queue is full (counted) or it is too long. */
int link_send(link_t *l, uint8_t type, const uint8_t *payload, uint8_t len, uint16_t now);
/* Sends an unacknowledged frame (seq 0) at once. */
void link_send_raw(link_t *l, uint8_t type, const uint8_t *payload, uint8_t len);
void link_rx_byte(link_t *l, uint8_t b, uint16_t now);
/* Retransmits, notices a truncated frame and link loss; returns 1 when a
   heartbeat is due (the caller sends it, link_send_raw). */
int link_poll(link_t *l, uint16_t now);

#endif
