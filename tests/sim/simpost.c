/*
 * simpost: the speaker post's firmware (post.elf) running in simavr, its
 * USART0 bridged to a pseudo-terminal for `kiosk run --post`, driven from
 * stdin with the same commands as `kiosk post-sim`:
 *
 *   build/simpost build/firmware/post.elf
 *   pty /dev/pts/7                      <- the first line; give it to --post
 *   arrive | leave | help | talk down | talk up | crew on | crew off | status
 *   corrupt | truncate | replay | out-of-order | oversize | garbage N
 *   to-post <one of those six>          (the same faults toward the firmware)
 *   unplug | plug | quit
 *
 * and prints, as things happen: `pin loop 0 at T` (wall clock, when it set a
 * pin), `sent loop 1 at T` (a new event frame from the firmware), `lamp
 * listening|crew_coming|crew_talking|fault|off`, `inject corrupt toward the
 * kiosk seq=N at T`, `cable unplugged at T`; on `status`, `post inputs ...`
 * and `post counters crc=N ...` from the firmware's next heartbeat.  Errors
 * go to stderr.
 *
 * The simulation is throttled to the wall clock: the link's 100 ms ack
 * timeouts and 3 s link loss only mean something if the firmware's time and
 * the kiosk's run at the same pace.  Both directions' bytes go through a
 * frame_rx each (firmware/proto/frame.c, the one codec) so that faults are
 * injected at frame boundaries and the last reliable frames can be replayed;
 * the firmware's heartbeats give its receive counters (`status`).
 *
 * Our own pty rather than simavr's uart_pty part: the bridge has to sit in
 * the middle of both directions (faults, unplug, frame parsing), and uart_pty
 * feeds the UART from a thread of its own.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <sim_avr.h>
#include <sim_elf.h>
#include <sim_irq.h>
#include <avr_ioport.h>
#include <avr_uart.h>

#include "../../firmware/proto/frame.h"
#include "../../firmware/proto/link.h"

#define FREQ 16000000u
#define HELP_PRESS_MS 100
/* a truncated frame is followed by this much silence on its direction, longer
   than FRAME_GAP_MS, so that the receiver times it out rather than taking the
   next real frame's bytes into it */
#define SILENCE_MS (FRAME_GAP_MS + 50)
#define GARBAGE_MAX 4096      /* as kiosk post-sim's */
#define BLINK_HOLD_MS 1000      /* the red lamp off this long: it stopped blinking */
#define STATUS_WAIT_MS 2500     /* `status` waits for a fresh heartbeat this long */

/* ---- small byte queues, with a pause marker ---------------------------- */
#define Q_SIZE 8192
#define Q_PAUSE (-1)   /* an entry: hold the rest back SILENCE_MS from here */
typedef struct {
    int16_t v[Q_SIZE];
    unsigned head, n;
    uint64_t hold_until;   /* sim ms */
} queue_t;

static int q_push(queue_t *q, int v)
{
    if (q->n == Q_SIZE) return 0;
    q->v[(q->head + q->n++) % Q_SIZE] = (int16_t)v;
    return 1;
}
static int q_peek(const queue_t *q) { return q->v[q->head]; }
static void q_pop(queue_t *q) { q->head = (q->head + 1) % Q_SIZE; q->n--; }

/* ---- state ----------------------------------------------------------- */
enum { PIN_LOOP, PIN_HELP, PIN_TALK, PIN_CREW, PIN_N };
/* in PE_* order too */
static const char *const pin_names[PIN_N] = {"loop", "help", "talk", "crew"};
static const int pin_bits[PIN_N] = {2, 3, 4, 5};            /* PD2..PD5, active low */
static const char *const lamp_names[] = {"off", "listening", "crew_coming", "crew_talking", "fault"};

static avr_t *avr;
static avr_irq_t *in_irq[PIN_N];
static int pin_level[PIN_N] = {1, 1, 1, 1};   /* pulled up: nothing pressed */
static uint64_t help_release_ms;              /* 0: no help press running */

static int master = -1, slave = -1;
static queue_t to_kiosk, to_post;             /* what goes out on the pty; into the UART */
static int uart_xoff;
static int unplugged;

static frame_rx_t rx_fw, rx_kiosk;            /* the firmware's bytes, the kiosk's */
static uint8_t last_fw[FRAME_MAX], last_fw_n;         /* last reliable frames, as sent */
static uint8_t last_kiosk[FRAME_MAX], last_kiosk_n;

static uint8_t st[ST_LEN];                    /* the firmware's last heartbeat */
static int have_st;
static unsigned heartbeats;
static int status_pending;                    /* `status` waits for the next heartbeat */
static unsigned status_after;
static uint64_t status_deadline;

static int lamp_pin[4];                       /* PB0..PB3 */
static uint64_t red_fell_ms;
static int red_seen;
static int lamp_shown = -1;

/* a fault waiting for its direction's frame boundary */
typedef struct { int to_post, kind, n; } inject_t;
enum { INJ_CORRUPT, INJ_TRUNCATE, INJ_REPLAY, INJ_OUT_OF_ORDER, INJ_OVERSIZE, INJ_GARBAGE, INJ_N };
static const char *const inj_names[INJ_N] = {"corrupt", "truncate", "replay", "out-of-order", "oversize", "garbage"};
static inject_t pending[16];
static int npending;

static int verbose;
static volatile sig_atomic_t stop;

static uint64_t sim_ms(void) { return avr->cycle / (FREQ / 1000); }

static double wall_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    return (double)t.tv_sec + t.tv_nsec / 1e9;
}

static uint64_t mono_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static void out(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    fflush(stdout);
}

static void err(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("simpost: ", stderr);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

/* simavr's own messages go to stderr: stdout is the harness's protocol */
static void sim_logger(avr_t *a, const int level, const char *fmt, va_list ap)
{
    if (level > (a ? a->log : LOG_ERROR)) return;
    fputs("simavr: ", stderr);
    vfprintf(stderr, fmt, ap);
}

static void trace_frame(const char *dir, const uint8_t *f)
{
    if (!verbose) return;
    fprintf(stderr, "simpost: %s seq=%u type=0x%02x len=%u", dir, f[2], f[3], f[1]);
    for (int i = 0; i < f[1]; i++) fprintf(stderr, " %02x", f[4 + i]);
    fputc('\n', stderr);
}

/* ---- the lamp -------------------------------------------------------- */
static int lamp_now(uint64_t now)
{
    if (lamp_pin[3] || (red_seen && now - red_fell_ms <= BLINK_HOLD_MS)) return LAMP_FAULT;
    if (lamp_pin[2]) return LAMP_CREW_TALKING;
    if (lamp_pin[1]) return LAMP_CREW_COMING;
    if (lamp_pin[0]) return LAMP_LISTENING;
    return LAMP_OFF;
}

/* The firmware turns every lamp pin off before it lights the next one (never
   two lit), so a change passes through "off" for a few instructions: a state
   is printed once it has held LAMP_STEADY_MS. */
#define LAMP_STEADY_MS 3
static int lamp_candidate = -1;
static uint64_t lamp_candidate_ms;

static void lamp_update(void)
{
    uint64_t now = sim_ms();
    int l = lamp_now(now);
    if (l != lamp_candidate) {
        lamp_candidate = l;
        lamp_candidate_ms = now;
    }
    if (l == lamp_shown || now - lamp_candidate_ms < LAMP_STEADY_MS) return;
    lamp_shown = l;
    out("lamp %s\n", lamp_names[l]);
}

static void lamp_pin_changed(struct avr_irq_t *irq, uint32_t value, void *param)
{
    (void)irq;
    int i = (int)(intptr_t)param;
    int v = value & 1;
    if (lamp_pin[i] == v) return;
    lamp_pin[i] = v;
    if (i == 3 && !v) {
        red_fell_ms = sim_ms();
        red_seen = 1;
    }
}

/* ---- the inputs ------------------------------------------------------ */
static void set_pin(int pin, int level)
{
    pin_level[pin] = level;
    avr_raise_irq(in_irq[pin], (uint32_t)level);
    out("pin %s %d at %.3f\n", pin_names[pin], level, wall_now());
}

/* The firmware writing PORTD (its pull-ups) drives the same pin IRQs: what we
   hold is asserted again whenever it differs. */
static void hold_pins(void)
{
    for (int i = 0; i < PIN_N; i++)
        if ((int)in_irq[i]->value != pin_level[i]) avr_raise_irq(in_irq[i], (uint32_t)pin_level[i]);
}

/* ---- the UART, both directions --------------------------------------- */
static void uart_out(struct avr_irq_t *irq, uint32_t value, void *param)
{
    (void)irq; (void)param;
    uint8_t b = (uint8_t)value;
    int r = frame_rx_byte(&rx_fw, b, (uint16_t)sim_ms());
    if (r == FRX_FRAME) {
        const uint8_t *f = rx_fw.buf;
        trace_frame("post>", f);
        if (f[2] != 0) {
            /* a new event (not the same seq sent again): when the firmware
               decided, so a test can split a latency into the post's part
               and the kiosk's */
            int fresh = !last_fw_n || last_fw[2] != f[2];
            if (fresh && (f[3] & ~LINK_SYNC) == FT_EVENT && f[1] == 2 && f[4] >= PE_LOOP && f[4] <= PE_CREW)
                out("sent %s %u at %.3f\n", pin_names[f[4] - PE_LOOP], f[5], wall_now());
            last_fw_n = (uint8_t)(f[1] + FRAME_OVERHEAD);
            memcpy(last_fw, f, last_fw_n);
        } else if (f[3] == FT_HEARTBEAT && f[1] >= ST_LEN) {
            memcpy(st, f + 4, ST_LEN);
            have_st = 1;
            heartbeats++;
        }
    } else if (r != FRX_NONE && verbose) {
        fprintf(stderr, "simpost: post> a bad frame (%d)\n", r);
    }
    /* unplugged: the firmware still talks, to nobody */
    if (!unplugged && !q_push(&to_kiosk, b)) err("the kiosk is not reading the pty: a byte dropped");
}

static void uart_xon(struct avr_irq_t *irq, uint32_t value, void *param)
{
    (void)irq; (void)value; (void)param;
    uart_xoff = 0;
}

static void uart_xoff_irq(struct avr_irq_t *irq, uint32_t value, void *param)
{
    (void)irq; (void)value; (void)param;
    uart_xoff = 1;
}

static avr_irq_t *uart_in;

/* Into the UART while its receive FIFO has room (XON/XOFF), so no byte is
   lost; simavr paces them into the firmware at the byte time of its baud. */
static void feed_post(void)
{
    uint64_t now = sim_ms();
    while (to_post.n && !uart_xoff && now >= to_post.hold_until) {
        int v = q_peek(&to_post);
        q_pop(&to_post);
        if (v == Q_PAUSE) {
            to_post.hold_until = now + SILENCE_MS;
            break;
        }
        avr_raise_irq(uart_in, (uint32_t)v);
    }
}

static void flush_kiosk(void)
{
    uint64_t now = sim_ms();
    uint8_t buf[512];
    while (to_kiosk.n && now >= to_kiosk.hold_until) {
        size_t n = 0;
        int paused = 0;
        while (to_kiosk.n && n < sizeof buf) {
            int v = q_peek(&to_kiosk);
            q_pop(&to_kiosk);
            if (v == Q_PAUSE) { paused = 1; break; }
            buf[n++] = (uint8_t)v;
        }
        if (n) {
            ssize_t w = write(master, buf, n);
            /* a full pty (nobody reading) drops bytes, as a cable to nobody would */
            (void)w;
        }
        if (paused) {
            to_kiosk.hold_until = now + SILENCE_MS;
            break;
        }
    }
}

static void read_kiosk(void)
{
    uint8_t buf[256];
    ssize_t n = read(master, buf, sizeof buf);
    for (ssize_t i = 0; i < n; i++) {
        int r = frame_rx_byte(&rx_kiosk, buf[i], (uint16_t)sim_ms());
        if (r == FRX_FRAME) {
            const uint8_t *f = rx_kiosk.buf;
            trace_frame("kiosk>", f);
            if (f[2] != 0) {
                last_kiosk_n = (uint8_t)(f[1] + FRAME_OVERHEAD);
                memcpy(last_kiosk, f, last_kiosk_n);
            }
        }
        if (!unplugged && !q_push(&to_post, buf[i])) err("the firmware is not reading: a byte dropped");
    }
}

/* ---- faults ---------------------------------------------------------- */
static uint8_t seq_after(uint8_t s, int k)
{
    while (k--) s = (uint8_t)(s == 255 ? 1 : s + 1);
    return s;
}

static uint32_t rng = 0x2545F491u;
static uint8_t rand_byte(void)
{
    rng ^= rng << 13; rng ^= rng >> 17; rng ^= rng << 5;
    return (uint8_t)rng;
}

/* Builds the fault's bytes; 0 and a message when there is nothing to build
   it from. */
static int build_fault(const inject_t *in, uint8_t *f, int *pause, char *why, size_t whysz)
{
    const uint8_t *last = in->to_post ? last_kiosk : last_fw;
    uint8_t last_n = in->to_post ? last_kiosk_n : last_fw_n;
    uint8_t last_seq = last_n ? last[2] : 0;
    /* what an accepted fault would do is something a test sees: a help press
       toward the kiosk (a page), the fault lamp toward the post */
    uint8_t type = in->to_post ? FT_LAMP : FT_EVENT;
    uint8_t loud[2] = {in->to_post ? LAMP_FAULT : PE_HELP, 1};
    uint8_t loud_n = in->to_post ? 1 : 2;
    *pause = 0;
    switch (in->kind) {
    case INJ_CORRUPT: {
        /* encoded quiet (lamp off / help released), one bit flipped to loud */
        uint8_t quiet[2] = {in->to_post ? LAMP_OFF : PE_HELP, 0};
        int n = frame_encode(f, seq_after(last_seq, 1), type, quiet, loud_n);
        f[4 + loud_n - 1] ^= in->to_post ? (uint8_t)LAMP_FAULT : 1u;
        return n;
    }
    case INJ_TRUNCATE: {
        int n = frame_encode(f, seq_after(last_seq, 1), type, loud, loud_n);
        *pause = 1;
        return n / 2;
    }
    case INJ_REPLAY:
        if (!last_n) {
            snprintf(why, whysz, "no reliable frame from the %s yet to replay", in->to_post ? "kiosk" : "post");
            return 0;
        }
        memcpy(f, last, last_n);
        return last_n;
    case INJ_OUT_OF_ORDER:
        if (!last_n) {
            /* before any frame the receiver takes any seq as its first */
            snprintf(why, whysz, "no reliable frame from the %s yet: out of order after what?", in->to_post ? "kiosk" : "post");
            return 0;
        }
        return frame_encode(f, seq_after(last_seq, 2), type, loud, loud_n);
    case INJ_OVERSIZE: {
        /* frame_encode refuses it, rightly: the header is written here and
           the CRC is still the codec's */
        uint8_t len = FRAME_MAX_PAYLOAD + 1;
        f[0] = FRAME_START; f[1] = len; f[2] = seq_after(last_seq, 1); f[3] = type;
        memset(f + 4, 0, len);
        uint16_t crc = frame_crc(f + 1, (uint8_t)(len + 3));
        f[4 + len] = (uint8_t)(crc >> 8); f[5 + len] = (uint8_t)crc;
        return len + FRAME_OVERHEAD;
    }
    case INJ_GARBAGE:
        /* line noise that starts with a start byte, so the receiver always has
           something to reject, then silence so a frame it began times out
           rather than swallowing the next real one */
        for (int i = 0; i < in->n; i++) f[i] = i == 0 ? FRAME_START : rand_byte();
        *pause = 1;
        return in->n;
    }
    return 0;
}

/* At a frame boundary of its direction (the receiver hunting), or wait. */
static int try_inject(const inject_t *in)
{
    const frame_rx_t *r = in->to_post ? &rx_kiosk : &rx_fw;
    if (r->n != 0) return 0;
    static uint8_t f[GARBAGE_MAX + FRAME_MAX];
    char why[160] = "";
    int pause;
    int n = build_fault(in, f, &pause, why, sizeof why);
    const char *dir = in->to_post ? "toward the post" : "toward the kiosk";
    if (n == 0) {
        err("%s %s: %s", inj_names[in->kind], dir, why);
        return 1;
    }
    queue_t *q = in->to_post ? &to_post : &to_kiosk;
    for (int i = 0; i < n; i++) q_push(q, f[i]);
    if (pause) q_push(q, Q_PAUSE);
    if (in->kind == INJ_GARBAGE) out("inject garbage %s %d bytes at %.3f\n", dir, n, wall_now());
    else out("inject %s %s seq=%u at %.3f\n", inj_names[in->kind], dir, f[2], wall_now());
    return 1;
}

static void run_pending(void)
{
    int k = 0;
    for (int i = 0; i < npending; i++)
        if (!try_inject(&pending[i])) pending[k++] = pending[i];
    npending = k;
}

/* ---- commands -------------------------------------------------------- */
static void print_status(void)
{
    out("post inputs loop=%d help=%d talk=%d crew=%d lamp=%s cable=%s\n",
        !pin_level[PIN_LOOP], !pin_level[PIN_HELP], !pin_level[PIN_TALK], !pin_level[PIN_CREW],
        lamp_shown >= 0 ? lamp_names[lamp_shown] : "off", unplugged ? "unplugged" : "plugged");
    if (!have_st) {
        out("post counters: no heartbeat from the firmware yet\n");
        return;
    }
    out("post counters crc=%u truncated=%u oversize=%u duplicate=%u out_of_order=%u retransmit=%u gave_up=%u\n",
        st[ST_CRC], st[ST_TRUNCATED], st[ST_OVERSIZE], st[ST_DUPLICATE], st[ST_OUT_OF_ORDER],
        st[ST_RETRANSMIT], st[ST_GAVE_UP]);
}

static const char *const usage_cmds =
    "arrive, leave, help, talk down, talk up, crew on, crew off, status, corrupt, truncate, replay, "
    "out-of-order, oversize, garbage N, to-post <fault>, unplug, plug, quit";

static int fault_kind(const char *w, int *n)
{
    *n = 0;
    for (int k = 0; k < INJ_N; k++) {
        if (k == INJ_GARBAGE) {
            char extra;
            if (sscanf(w, "garbage %d %c", n, &extra) == 1) return *n >= 1 && *n <= GARBAGE_MAX ? k : -2;
            if (!strcmp(w, "garbage")) return -2;
        } else if (!strcmp(w, inj_names[k])) {
            return k;
        }
    }
    return -1;
}

static void command(char *line)
{
    size_t len = strlen(line);
    while (len && (line[len - 1] == '\n' || line[len - 1] == '\r' || line[len - 1] == ' ')) line[--len] = 0;
    char *c = line;
    while (*c == ' ') c++;
    if (!*c) return;
    if (!strcmp(c, "arrive")) set_pin(PIN_LOOP, 0);
    else if (!strcmp(c, "leave")) set_pin(PIN_LOOP, 1);
    else if (!strcmp(c, "help")) {
        set_pin(PIN_HELP, 0);
        help_release_ms = sim_ms() + HELP_PRESS_MS;
    } else if (!strcmp(c, "talk down")) set_pin(PIN_TALK, 0);
    else if (!strcmp(c, "talk up")) set_pin(PIN_TALK, 1);
    else if (!strcmp(c, "crew on")) set_pin(PIN_CREW, 0);
    else if (!strcmp(c, "crew off")) set_pin(PIN_CREW, 1);
    else if (!strcmp(c, "status")) {
        status_pending = 1;
        status_after = heartbeats;
        status_deadline = sim_ms() + STATUS_WAIT_MS;
    } else if (!strcmp(c, "unplug")) {
        unplugged = 1;
        /* what was on its way is lost with the cable */
        to_kiosk.n = 0; to_post.n = 0;
        out("cable unplugged at %.3f\n", wall_now());
    } else if (!strcmp(c, "plug")) {
        unplugged = 0;
        out("cable plugged at %.3f\n", wall_now());
    } else if (!strcmp(c, "quit")) stop = 1;
    else {
        int to_post_dir = 0;
        if (!strncmp(c, "to-post ", 8)) {
            to_post_dir = 1;
            c += 8;
            while (*c == ' ') c++;
        }
        int n, k = fault_kind(c, &n);
        if (k == -2) { err("garbage N: N is a number of bytes from 1 to %d", GARBAGE_MAX); return; }
        if (k < 0) {
            err("unknown command \"%s\"; commands: %s", line, usage_cmds);
            return;
        }
        if (unplugged) { err("%s: the cable is unplugged; plug it first", c); return; }
        if (npending == (int)(sizeof pending / sizeof pending[0])) { err("%s: too many faults waiting", c); return; }
        pending[npending++] = (inject_t){to_post_dir, k, n};
        run_pending();
    }
}

static char linebuf[512];
static size_t linelen;

/* 1 at the end of stdin */
static int read_stdin(void)
{
    char buf[256];
    ssize_t n = read(0, buf, sizeof buf);
    if (n == 0) return 1;
    if (n < 0) return errno == EAGAIN || errno == EINTR ? 0 : 1;
    for (ssize_t i = 0; i < n; i++) {
        if (buf[i] == '\n') {
            linebuf[linelen] = 0;
            command(linebuf);
            linelen = 0;
        } else if (linelen < sizeof linebuf - 1) {
            linebuf[linelen++] = buf[i];
        }
    }
    return 0;
}

/* ---- setup ----------------------------------------------------------- */
static void no_sleep(avr_t *a, avr_cycle_count_t howlong) { (void)a; (void)howlong; }

static void on_signal(int s) { (void)s; stop = 1; }

static int open_pty(void)
{
    master = posix_openpt(O_RDWR | O_NOCTTY);
    if (master < 0 || grantpt(master) || unlockpt(master)) return -1;
    const char *name = ptsname(master);
    if (!name) return -1;
    /* Our own end of the slave stays open so that the master never reads EIO
       while no kiosk has it open; raw so that the line discipline neither
       echoes the firmware's bytes back at it nor waits for a newline. */
    slave = open(name, O_RDWR | O_NOCTTY);
    if (slave < 0) return -1;
    struct termios t;
    if (tcgetattr(slave, &t)) return -1;
    cfmakeraw(&t);
    cfsetispeed(&t, B38400);
    cfsetospeed(&t, B38400);
    if (tcsetattr(slave, TCSANOW, &t)) return -1;
    fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK);
    out("pty %s\n", name);
    return 0;
}

/* libelf reads whatever it is given; the file is checked here first so a
   wrong one gets a sentence, not simavr's messages */
static int check_elf(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        err("%s: %s%s", path, strerror(errno),
            errno == ENOENT ? " (`make firmware` builds build/firmware/post.elf)" : "");
        return -1;
    }
    uint8_t h[20];
    size_t n = fread(h, 1, sizeof h, f);
    fclose(f);
    if (n < sizeof h || memcmp(h, "\177ELF", 4)) {
        err("%s: not an ELF file", path);
        return -1;
    }
    if ((h[18] | h[19] << 8) != 83) {   /* EM_AVR, little-endian */
        err("%s: an ELF file, but not for the AVR", path);
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    const char *elf = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-v")) verbose = 1;
        else if (!elf && argv[i][0] != '-') elf = argv[i];
        else {
            err("unknown argument \"%s\"; usage: simpost [-v] POST.elf", argv[i]);
            return 2;
        }
    }
    if (!elf) {
        err("usage: simpost [-v] POST.elf (the firmware; `make firmware` builds build/firmware/post.elf)");
        return 2;
    }
    avr_global_logger_set(sim_logger);
    if (check_elf(elf)) return 1;
    elf_firmware_t fw;
    memset(&fw, 0, sizeof fw);
    if (elf_read_firmware(elf, &fw) || !fw.flashsize) {
        err("%s: simavr could not load it (no program in it?)", elf);
        return 1;
    }
    if (fw.mmcu[0] && strcmp(fw.mmcu, "atmega328p")) {
        err("%s: built for %s; the post is an atmega328p", elf, fw.mmcu);
        return 1;
    }
    strcpy(fw.mmcu, "atmega328p");
    fw.frequency = FREQ;
    avr = avr_make_mcu_by_name(fw.mmcu);
    if (!avr) { err("this simavr has no atmega328p"); return 1; }
    avr_init(avr);
    avr->log = verbose ? LOG_WARNING : LOG_ERROR;
    /* no usleep inside simavr: the loop below keeps it to the wall clock */
    avr->sleep = no_sleep;
    avr_load_firmware(avr, &fw);
    avr->frequency = FREQ;

    for (int i = 0; i < PIN_N; i++) {
        in_irq[i] = avr_io_getirq(avr, AVR_IOCTL_IOPORT_GETIRQ('D'), pin_bits[i]);
        avr_raise_irq(in_irq[i], 1);
    }
    for (int i = 0; i < 4; i++)
        avr_irq_register_notify(avr_io_getirq(avr, AVR_IOCTL_IOPORT_GETIRQ('B'), i), lamp_pin_changed,
                                (void *)(intptr_t)i);
    uint32_t flags = 0;
    /* no stdio echo of the UART, no simavr-side sleeping on polling firmware */
    avr_ioctl(avr, AVR_IOCTL_UART_GET_FLAGS('0'), &flags);
    flags &= ~(uint32_t)(AVR_UART_FLAG_STDIO | AVR_UART_FLAG_POLL_SLEEP);
    avr_ioctl(avr, AVR_IOCTL_UART_SET_FLAGS('0'), &flags);
    uart_in = avr_io_getirq(avr, AVR_IOCTL_UART_GETIRQ('0'), UART_IRQ_INPUT);
    avr_irq_register_notify(avr_io_getirq(avr, AVR_IOCTL_UART_GETIRQ('0'), UART_IRQ_OUTPUT), uart_out, NULL);
    avr_irq_register_notify(avr_io_getirq(avr, AVR_IOCTL_UART_GETIRQ('0'), UART_IRQ_OUT_XON), uart_xon, NULL);
    avr_irq_register_notify(avr_io_getirq(avr, AVR_IOCTL_UART_GETIRQ('0'), UART_IRQ_OUT_XOFF), uart_xoff_irq, NULL);
    frame_rx_init(&rx_fw);
    frame_rx_init(&rx_kiosk);

    if (open_pty()) {
        err("could not open a pseudo-terminal: %s", strerror(errno));
        return 1;
    }
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    signal(SIGPIPE, SIG_IGN);
    fcntl(0, F_SETFL, fcntl(0, F_GETFL) | O_NONBLOCK);

    uint64_t t0 = mono_ns();
    int stdin_open = 1;
    int rc = 0;
    while (!stop) {
        /* run the firmware up to now, a millisecond at a time, serving the
           pty and the pins between */
        uint64_t target = (mono_ns() - t0) * (FREQ / 1000000u) / 1000u;
        uint64_t slice = avr->cycle + FREQ / 1000;
        if (slice > target) slice = target;
        while (avr->cycle < slice) {
            int s = avr_run(avr);
            if (s == cpu_Done || s == cpu_Crashed) {
                err("the firmware stopped (%s) at %.3f s", s == cpu_Crashed ? "crashed" : "sleeping with interrupts off",
                    avr->cycle / (double)FREQ);
                rc = 1;
                stop = 1;
                break;
            }
        }
        uint64_t now = sim_ms();
        if (help_release_ms && now >= help_release_ms) {
            help_release_ms = 0;
            set_pin(PIN_HELP, 1);
        }
        hold_pins();
        if (frame_rx_idle(&rx_fw, (uint16_t)now) && verbose) fprintf(stderr, "simpost: post> a truncated frame\n");
        frame_rx_idle(&rx_kiosk, (uint16_t)now);
        if (npending) run_pending();
        feed_post();
        flush_kiosk();
        lamp_update();
        if (status_pending && (heartbeats != status_after || now >= status_deadline)) {
            status_pending = 0;
            print_status();
        }
        /* caught up: wait for the next millisecond, or a byte, or a command */
        int wait_ms = avr->cycle >= (mono_ns() - t0) * (FREQ / 1000000u) / 1000u ? 1 : 0;
        struct pollfd p[2] = {{.fd = master, .events = POLLIN}, {.fd = stdin_open ? 0 : -1, .events = POLLIN}};
        if (poll(p, 2, wait_ms) > 0) {
            if (p[0].revents & POLLIN) read_kiosk();
            if (p[1].revents & (POLLIN | POLLHUP) && read_stdin()) {
                stdin_open = 0;
                stop = 1;   /* the end of the commands is a quit */
            }
        }
    }
    avr_terminate(avr);
    return rc;
}
