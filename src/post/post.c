/* post.c: see post.h. */
#include "post.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "../../firmware/hal/timer.h"   /* TIMER_DIFF_16 */
#include "../../firmware/proto/link.h"

/* the loop's tick: retransmissions wait 100 ms, a truncated frame 50 ms */
#define POST_TICK_S 0.02

const char *const post_peer_error_names[POST_PEER_ERRORS] = {
    "crc", "truncated", "oversize", "duplicate", "out_of_order", "retransmit", "gave_up",
};
_Static_assert(ST_GAVE_UP - ST_CRC + 1 == POST_PEER_ERRORS, "the post's counters and their names");

struct post_s {
    char *path;
    int fd;                   /* -1 while the line is away */
    lane_io_t *io;
    loop_t *loop;             /* post_attach's, or NULL */
    long timer;
    link_ops_t ops;
    link_t link;
    uint16_t now;             /* the time of the call being handled */
    uint16_t opened;          /* when the kiosk started listening (a post never heard from) */
    uint16_t gone_at, next_reopen;
    int gone;                 /* the line went away: reopened every POST_REOPEN_MS */
    int ever_up, silence_told;
    int pending;              /* a link state to give the lane: 1 up, -1 down, 0 none */
    int lamp;                 /* the wire lamp (LAMP_*) the lane wants */
    int lamp_sent;            /* the last sent by FT_LAMP since the link came up, -1 none */
    uint8_t peer[POST_PEER_ERRORS];            /* the post's counters, as last heard */
    unsigned long told_mine[LE_N], told_peer[POST_PEER_ERRORS];   /* as last given to the lane */
    unsigned long bad;        /* frames the link delivered that make no sense here */
    unsigned long write_lost; /* bytes the line would not take */
};

static const char *who(const post_line_t *p)
{
    return p->io->who ? p->io->who : "kiosk";
}

/* ---- the line ---------------------------------------------------------------- */

/* Raw 38400 8N1, no flow control, reads that never wait. */
static int open_line(const char *path, char *err, size_t errlen)
{
    int fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    if (!isatty(fd)) {
        snprintf(err, errlen, "%s: not a serial line (a tty): give the post's port, e.g. /dev/ttyUSB0", path);
        close(fd);
        errno = ENOTTY;   /* the caller's exit status: a bad argument, not a device gone */
        return -1;
    }
    struct termios t;
    if (tcgetattr(fd, &t) < 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    cfmakeraw(&t);
    t.c_cflag &= (tcflag_t) ~(CSTOPB | PARENB | CRTSCTS | CSIZE);
    t.c_cflag |= CS8 | CLOCAL | CREAD;
    /* VMIN 1: with O_NONBLOCK a read of nothing is EAGAIN, so 0 can only
       mean a hang-up (VMIN 0 would return 0 for nothing too) */
    t.c_cc[VMIN] = 1;
    t.c_cc[VTIME] = 0;
    if (cfsetispeed(&t, B38400) < 0 || cfsetospeed(&t, B38400) < 0 || tcsetattr(fd, TCSANOW, &t) < 0) {
        snprintf(err, errlen, "%s: cannot set 38400 8N1: %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    tcflush(fd, TCIOFLUSH);   /* what a previous run left unread is stale */
    return fd;
}

static void on_readable(loop_t *l, int fd, int mask, void *ctx);

static uint16_t loop_ms(loop_t *l)
{
    return (uint16_t)(unsigned long long)(loop_now(l) * 1000.0);
}

/* The line went away (a USB adapter pulled, the simulator gone): closed,
 * tried again every POST_REOPEN_MS.  The link notices the silence itself. */
static void line_gone(post_line_t *p, const char *why)
{
    if (p->fd < 0) return;
    fprintf(stderr, "%s: speaker post: %s: %s; reopening it every %d s\n", who(p), p->path, why,
            POST_REOPEN_MS / 1000);
    if (p->loop) loop_del_file(p->loop, p->fd);
    close(p->fd);
    p->fd = -1;
    p->gone = 1;
    p->gone_at = p->now;
    p->next_reopen = (uint16_t)(p->now + POST_REOPEN_MS);
}

static void reopen(post_line_t *p)
{
    if (TIMER_DIFF_16(p->now, p->next_reopen) >= 0x8000) return;   /* not yet (wrap-safe: next_reopen is ahead) */
    p->next_reopen = (uint16_t)(p->now + POST_REOPEN_MS);
    char err[256];
    int fd = open_line(p->path, err, sizeof err);
    if (fd < 0) return;
    p->fd = fd;
    p->gone = 0;
    fprintf(stderr, "%s: speaker post: %s back after %.1f s\n", who(p), p->path, TIMER_DIFF_16(p->now, p->gone_at) / 1000.0);
    if (p->loop) loop_add_file(p->loop, fd, LOOP_READ, on_readable, p);
}

/* ---- the link's callbacks ------------------------------------------------------ */

static void on_write(void *ctx, const uint8_t *b, uint8_t n)
{
    post_line_t *p = ctx;
    if (p->fd < 0) return;   /* away: the link retransmits, then gives up (counted) */
    ssize_t w = write(p->fd, b, n);
    if (w == n) return;
    if (w < 0 && (errno == EIO || errno == ENXIO || errno == ENODEV)) {
        line_gone(p, strerror(errno));
        return;
    }
    p->write_lost += (unsigned long)(n - (w > 0 ? w : 0));   /* a full output queue: the link tries again */
}

static void on_state(void *ctx, uint8_t up)
{
    post_line_t *p = ctx;
    /* given to the lane once the link has finished with the frame (settle):
       the lane's answer may send frames */
    p->pending = up ? 1 : -1;
}

static const int wire_lamp[] = {
    [LANE_LAMP_LISTENING] = LAMP_LISTENING, [LANE_LAMP_CREW_COMING] = LAMP_CREW_COMING,
    [LANE_LAMP_CREW_TALKING] = LAMP_CREW_TALKING, [LANE_LAMP_FAULT] = LAMP_FAULT,
};

static void send_lamp(post_line_t *p)
{
    if (!p->link.up || p->lamp == p->lamp_sent) return;   /* the heartbeats carry it meanwhile */
    uint8_t b[1] = { (uint8_t)p->lamp };
    if (link_send(&p->link, FT_LAMP, b, 1, p->now)) p->lamp_sent = p->lamp;
}

/* lane_io's lamp hook */
static void on_lamp(void *ctx, lane_lamp_t lamp)
{
    post_line_t *p = ctx;
    p->lamp = wire_lamp[lamp];
    send_lamp(p);
}

static void settle(post_line_t *p)
{
    int s = p->pending;
    if (!s) return;
    p->pending = 0;
    if (s > 0) {
        p->ever_up = 1;
        p->lamp_sent = -1;   /* the post may have restarted: it is told again */
        fprintf(stderr, "%s: speaker post: %s answering: cars start at the loop\n", who(p), p->path);
    } else {
        fprintf(stderr, "%s: speaker post: %s: nothing heard for %.0f s: paging the crew; cars start when the "
                        "customer speaks until it answers\n", who(p), p->path, LINK_LOSS_MS / 1000.0);
    }
    lane_io_post_link(p->io, s > 0);
    send_lamp(p);
}

static void bad_frame(post_line_t *p, const char *what, uint8_t type, uint8_t len)
{
    p->bad++;
    fprintf(stderr, "%s: speaker post: ignored %s (type 0x%02x, %u bytes)\n", who(p), what, type, len);
}

static void on_deliver(void *ctx, uint8_t type, const uint8_t *pl, uint8_t len)
{
    post_line_t *p = ctx;
    settle(p);   /* the link came up with this frame: the lane knows before its content */
    switch (type) {
    case FT_EVENT:
        if (len != 2) {
            bad_frame(p, "an event of the wrong length", type, len);
            return;
        }
        switch (pl[0]) {
        case PE_LOOP: lane_io_post_loop(p->io, pl[1] != 0); break;
        case PE_HELP:
            if (pl[1]) lane_io_post_help(p->io);   /* pressed; its release says nothing */
            break;
        case PE_TALK: lane_io_post_talk(p->io, pl[1] != 0); break;
        case PE_CREW: lane_io_post_crew(p->io, pl[1] != 0); break;
        default: bad_frame(p, "an unknown event code", type, len);
        }
        break;
    case FT_HEARTBEAT:
        if (len != ST_LEN) {
            bad_frame(p, "a heartbeat of the wrong length", type, len);
            return;
        }
        memcpy(p->peer, pl + ST_CRC, POST_PEER_ERRORS);
        lane_io_post_inputs(p->io, pl[ST_INPUTS] & 1, (pl[ST_INPUTS] >> 3) & 1);
        /* a lamp the post lost (a reset between heartbeats): FT_LAMP again */
        if (pl[ST_LAMP] != p->lamp && p->lamp_sent == p->lamp && !p->link.in_flight) {
            p->lamp_sent = -1;
            send_lamp(p);
        }
        break;
    case FT_BOOT:
        fprintf(stderr, "%s: speaker post: it restarted (reset cause 0x%02x)\n", who(p), len ? pl[0] : 0);
        p->lamp_sent = -1;
        send_lamp(p);
        break;
    default:
        bad_frame(p, "a frame of an unknown type", type, len);
    }
}

/* ---- the public face ---------------------------------------------------------- */

post_line_t *post_open(const char *path, lane_io_t *io, uint16_t now, char *err, size_t errlen)
{
    int fd = open_line(path, err, errlen);
    if (fd < 0) return NULL;
    post_line_t *p = xcalloc(1, sizeof *p);
    p->path = xstrdup(path);
    p->fd = fd;
    p->io = io;
    p->now = p->opened = now;
    p->lamp_sent = -1;
    p->lamp = wire_lamp[lane_lamp(io->lane)];
    p->ops = (link_ops_t){ .write = on_write, .deliver = on_deliver, .state = on_state, .ctx = p };
    link_init(&p->link, &p->ops, now);
    io->lamp = on_lamp;
    io->lamp_ctx = p;
    io->lamp_told = (int)lane_lamp(io->lane);
    return p;
}

void post_read(post_line_t *p, uint16_t now)
{
    p->now = now;
    uint8_t buf[256];
    while (p->fd >= 0) {
        ssize_t n = read(p->fd, buf, sizeof buf);
        if (n > 0) {
            for (ssize_t i = 0; i < n; i++) {
                link_rx_byte(&p->link, buf[i], now);
                settle(p);
            }
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
        if (n < 0 && errno == EINTR) continue;
        line_gone(p, n == 0 ? "hung up" : strerror(errno));
    }
}

static void check_errors(post_line_t *p)
{
    unsigned long mine[LE_N], theirs[POST_PEER_ERRORS];
    post_errors(p, mine, theirs);
    if (!memcmp(mine, p->told_mine, sizeof mine) && !memcmp(theirs, p->told_peer, sizeof theirs)) return;
    memcpy(p->told_mine, mine, sizeof mine);
    memcpy(p->told_peer, theirs, sizeof theirs);
    lane_counts_t m = { LE_N, link_err_names, mine }, t = { POST_PEER_ERRORS, post_peer_error_names, theirs };
    lane_io_post_errors(p->io, &m, &t);
}

void post_poll(post_line_t *p, uint16_t now)
{
    p->now = now;
    if (p->gone) reopen(p);
    int beat = link_poll(&p->link, now);
    settle(p);
    if (beat) {
        uint8_t b[1] = { (uint8_t)p->lamp };
        link_send_raw(&p->link, FT_HEARTBEAT, b, 1);
        check_errors(p);   /* once a second: a burst of garbage is one event, not hundreds */
    }
    if (!p->ever_up && !p->silence_told && TIMER_DIFF_16(now, p->opened) >= LINK_LOSS_MS) {
        /* never heard since the start: the crew should know as they would of a post that stopped */
        p->silence_told = 1;
        fprintf(stderr, "%s: speaker post: %s: not answering after %.0f s: paging the crew; cars start when the "
                        "customer speaks until it answers\n", who(p), p->path, LINK_LOSS_MS / 1000.0);
        lane_io_post_link(p->io, 0);
    }
}

static void on_readable(loop_t *l, int fd, int mask, void *ctx)
{
    (void)fd;
    (void)mask;
    post_read(ctx, loop_ms(l));
}

static double on_tick(loop_t *l, long id, void *ctx)
{
    (void)id;
    post_poll(ctx, loop_ms(l));
    return POST_TICK_S;
}

void post_attach(post_line_t *p, loop_t *loop)
{
    p->loop = loop;
    p->now = p->opened = loop_ms(loop);
    link_init(&p->link, &p->ops, p->now);
    if (p->fd >= 0) loop_add_file(loop, p->fd, LOOP_READ, on_readable, p);
    p->timer = loop_add_timer(loop, 0, on_tick, p);
}

void post_close(post_line_t *p)
{
    if (!p) return;
    if (p->io->lamp_ctx == p) {
        p->io->lamp = NULL;
        p->io->lamp_ctx = NULL;
    }
    if (p->loop) {
        loop_del_timer(p->loop, p->timer);
        if (p->fd >= 0) loop_del_file(p->loop, p->fd);
    }
    if (p->fd >= 0) close(p->fd);
    free(p->path);
    free(p);
}

int post_fd(const post_line_t *p)
{
    return p->fd;
}

int post_up(const post_line_t *p)
{
    return p->link.up;
}

void post_errors(const post_line_t *p, unsigned long mine[], unsigned long theirs[])
{
    for (int i = 0; i < LE_N; i++) mine[i] = p->link.err[i];
    for (int i = 0; i < POST_PEER_ERRORS; i++) theirs[i] = p->peer[i];
}

static void nonzero(strbuf_t *b, const char *const *names, const unsigned long *v, int n)
{
    size_t at = b->len;
    for (int i = 0; i < n; i++)
        if (v[i]) strbuf_printf(b, "%s%s %lu", b->len > at ? ", " : "", names[i], v[i]);
    if (b->len == at) strbuf_append(b, "none");
}

void post_stats(const post_line_t *p, strbuf_t *b)
{
    unsigned long mine[LE_N], theirs[POST_PEER_ERRORS];
    post_errors(p, mine, theirs);
    strbuf_printf(b, "speaker post %s: link %s; frame errors at the kiosk: ", p->path,
                  p->link.up ? "up" : p->ever_up ? "down" : "never up");
    nonzero(b, link_err_names, mine, LE_N);
    strbuf_append(b, "; at the post: ");
    nonzero(b, post_peer_error_names, theirs, POST_PEER_ERRORS);
    if (p->bad) strbuf_printf(b, "; %lu frames ignored", p->bad);
}
