/* link.c: acks, retransmission, duplicate suppression, heartbeat, link loss
   (link.h says the rules). */
#include "link.h"
#include "../hal/timer.h"   /* TIMER_DIFF_16 */

const char *const link_err_names[LE_N] = {
    "crc", "truncated", "oversize", "duplicate", "out_of_order",
    "retransmit", "gave_up", "queue_full", "unknown",
};

static void count(link_t *l, uint8_t e)
{
    if (l->err[e] != 0xFFFF) l->err[e]++;
}

void link_init(link_t *l, const link_ops_t *ops, uint16_t now)
{
    uint8_t *p = (uint8_t *)l;
    for (uint16_t i = 0; i < sizeof *l; i++) p[i] = 0;
    l->ops = ops;
    frame_rx_init(&l->rx);
    l->need_sync = 1;
    l->heard_ms = now;
    l->hb_ms = (uint16_t)(now - LINK_HEARTBEAT_MS);   /* the first heartbeat at once */
}

static void transmit_head(link_t *l, uint16_t now)
{
    uint8_t f[FRAME_MAX];
    uint8_t type = l->q_type[l->q_head];
    if (l->need_sync) type |= LINK_SYNC;
    uint8_t n = frame_encode(f, l->tx_seq, type, l->q_payload[l->q_head], l->q_len[l->q_head]);
    l->ops->write(l->ops->ctx, f, n);
    l->sent_ms = now;
}

static void start_next(link_t *l, uint16_t now)
{
    if (l->in_flight || !l->q_count) return;
    l->tx_seq = (uint8_t)(l->tx_seq == 255 ? 1 : l->tx_seq + 1);
    l->in_flight = 1;
    l->tries = 1;
    l->rto = LINK_RTO_MS;
    transmit_head(l, now);
}

static void pop(link_t *l, uint16_t now)
{
    l->q_head = (uint8_t)((l->q_head + 1) % LINK_QUEUE);
    l->q_count--;
    l->in_flight = 0;
    start_next(l, now);
}

int link_send(link_t *l, uint8_t type, const uint8_t *payload, uint8_t len, uint16_t now)
{
    if (len > LINK_MSG_MAX) return 0;
    if (l->q_count == LINK_QUEUE) {
        count(l, LE_QUEUE_FULL);
        return 0;
    }
    uint8_t i = (uint8_t)((l->q_head + l->q_count) % LINK_QUEUE);
    l->q_type[i] = type;
    l->q_len[i] = len;
    for (uint8_t k = 0; k < len; k++) l->q_payload[i][k] = payload[k];
    l->q_count++;
    start_next(l, now);
    return 1;
}

void link_send_raw(link_t *l, uint8_t type, const uint8_t *payload, uint8_t len)
{
    uint8_t f[FRAME_MAX];
    uint8_t n = frame_encode(f, 0, type, payload, len);
    if (n) l->ops->write(l->ops->ctx, f, n);
}

static void set_up(link_t *l, uint8_t up)
{
    if (l->up == up) return;
    l->up = up;
    if (!up) l->rx_synced = 0;
    if (l->ops->state) l->ops->state(l->ops->ctx, up);
}

static void rx_error(link_t *l, int r)
{
    if (r == FRX_CRC) count(l, LE_CRC);
    else if (r == FRX_OVERSIZE) count(l, LE_OVERSIZE);
    else if (r == FRX_TRUNCATED) count(l, LE_TRUNCATED);
}

static void on_frame(link_t *l, uint16_t now)
{
    const uint8_t *f = l->rx.buf;
    uint8_t len = f[1], seq = f[2], type = f[3];
    const uint8_t *p = f + 4;
    l->heard_ms = now;
    set_up(l, 1);
    if (seq == 0) {
        if (type == FT_ACK) {
            if (len == 1 && l->in_flight && p[0] == l->tx_seq) {
                l->need_sync = 0;
                pop(l, now);
            }
            return;   /* a stale ack (a duplicate's) is harmless */
        }
        if (type == FT_BOOT) l->rx_synced = 0;
        if (type == FT_HEARTBEAT || type == FT_BOOT) l->ops->deliver(l->ops->ctx, type, p, len);
        else count(l, LE_UNKNOWN);
        return;
    }
    uint8_t sync = type & LINK_SYNC;
    type &= (uint8_t)~LINK_SYNC;
    uint8_t ack[1] = {seq};
    if (l->rx_synced && seq == l->rx_last) {
        count(l, LE_DUPLICATE);
        link_send_raw(l, FT_ACK, ack, 1);
        return;
    }
    uint8_t next = (uint8_t)(l->rx_last == 255 ? 1 : l->rx_last + 1);
    if (l->rx_synced && !sync && seq != next) {
        count(l, LE_OUT_OF_ORDER);
        return;
    }
    l->rx_synced = 1;
    l->rx_last = seq;
    link_send_raw(l, FT_ACK, ack, 1);
    l->ops->deliver(l->ops->ctx, type, p, len);
}

void link_rx_byte(link_t *l, uint8_t b, uint16_t now)
{
    int r = frame_rx_byte(&l->rx, b, now);
    if (r == FRX_FRAME) on_frame(l, now);
    else if (r != FRX_NONE) rx_error(l, r);
}

int link_poll(link_t *l, uint16_t now)
{
    int r = frame_rx_idle(&l->rx, now);
    if (r != FRX_NONE) rx_error(l, r);
    if (l->in_flight && TIMER_DIFF_16(now, l->sent_ms) >= l->rto) {
        if (l->tries >= LINK_TRIES) {
            count(l, LE_GAVE_UP);
            l->need_sync = 1;
            pop(l, now);
        } else {
            l->tries++;
            l->rto = l->rto * 2 > LINK_RTO_MAX_MS ? LINK_RTO_MAX_MS : (uint16_t)(l->rto * 2);
            count(l, LE_RETRANSMIT);
            transmit_head(l, now);
        }
    }
    if (l->up && TIMER_DIFF_16(now, l->heard_ms) >= LINK_LOSS_MS) set_up(l, 0);
    if (TIMER_DIFF_16(now, l->hb_ms) >= LINK_HEARTBEAT_MS) {
        l->hb_ms = now;
        return 1;
    }
    return 0;
}
