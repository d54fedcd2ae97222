/* cmd_post_sim.c: `kiosk post-sim [--link PATH] [--seed N]`: a speaker post
 * without hardware, for benches, demos and tests.  It runs the firmware's
 * own logic (firmware/post.c, debounce, proto/; the host hal with the real
 * monotonic clock) against a pseudo-terminal, which `kiosk run --post` opens
 * as it would the post's serial port.
 *
 * Its inputs are typed on standard input, one command a line (the same
 * language as the simavr harness's, README "The speaker post"):
 *   arrive | leave                   the loop pin low / high (a car on / off the loop)
 *   help                             the help button pressed 100 ms, then released
 *   talk down | talk up              the crew headset base's talk button
 *   crew on | crew off               the headset base's "crew present" line
 *   status                           the post's link counters
 *   corrupt | truncate | replay | out-of-order | oversize | garbage N
 *                                    a damaged frame toward the kiosk, at a frame boundary
 *   unplug | plug                    stop / resume every byte both ways
 *   quit                             (and end of input)
 * and it reports on standard output, a line each: `pty /dev/pts/N` first,
 * then `lamp STATE`, `link up|down`, `sent loop 1` ..., `injected FAULT`,
 * `counters ...`, `error: ...` for a line it cannot take.
 *
 * The faults go out between the post's frames (the post writes each frame
 * whole, and this loop is single-threaded), so each damages exactly one
 * frame's worth of the kiosk's receiver. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "../../firmware/hal/host/host.h"
#include "../../firmware/hal/pins.h"
#include "../../firmware/hal/timer.h"
#include "../../firmware/hal/wdt.h"
#include "../../firmware/post.h"
#include "commands.h"

static const char usage[] =
    "usage: kiosk post-sim [--link PATH] [--seed N]\n"
    "  A simulated speaker post (the firmware's own logic) on a pseudo-terminal,\n"
    "  for `kiosk run --post TTY`.  Prints `pty /dev/pts/N` first, then what happens.\n"
    "  --link PATH   also a symbolic link PATH to the pty (replaced if it is one)\n"
    "  --seed N      seeds `garbage N`'s bytes (default: the time)\n"
    "  Commands on standard input, one a line:\n"
    "    arrive, leave            a car onto / off the loop\n"
    "    help                     the help button pressed for 100 ms\n"
    "    talk down, talk up       the crew's talk button\n"
    "    crew on, crew off        the headset base's crew-present line\n"
    "    status                   the post's link counters\n"
    "    corrupt, truncate, replay, out-of-order, oversize, garbage N\n"
    "                             a damaged frame toward the kiosk\n"
    "    unplug, plug             cut / restore the line both ways\n"
    "    quit                     (or end of input)\n";

#define HELP_PRESS_MS 100
/* after a half frame or garbage: the kiosk's receiver drops what it began
   (FRAME_GAP_MS) before the post's next frame comes */
#define SILENCE_MS (2 * FRAME_GAP_MS)
#define GARBAGE_MAX 4096

static post_t post;
static int master = -1;
static uint8_t last_rel[FRAME_MAX], last_rel_n;    /* the last reliable frame the post sent */
static uint32_t rng;
static volatile sig_atomic_t stop;

static void say(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
    fflush(stdout);
}

static const char *event_name(uint8_t code)
{
    switch (code) {
    case PE_LOOP: return "loop";
    case PE_HELP: return "help";
    case PE_TALK: return "talk";
    case PE_CREW: return "crew";
    default: return "?";
    }
}

static const char *const lamp_names[LAMP_N] = { "off", "listening", "crew_coming", "crew_talking", "fault" };

static void observe(void *ctx, uint8_t what, uint8_t a, uint8_t b)
{
    (void)ctx;
    if (what == POST_SENT) say("sent %s %u", event_name(a), b);
    else if (what == POST_DROPPED) say("dropped %s %u (the post's queue is full)", event_name(a), b);
    else if (what == POST_LINK) say("link %s", a ? "up" : "down");
    else if (what == POST_LAMP) say("lamp %s", a < LAMP_N ? lamp_names[a] : "?");
}

/* every uart_write is one whole frame: keep the last reliable one (seq != 0) */
static void tap(const uint8_t *p, uint8_t n)
{
    if (n >= FRAME_OVERHEAD && n <= FRAME_MAX && p[0] == FRAME_START && p[2] != 0) {
        memcpy(last_rel, p, n);
        last_rel_n = n;
    }
}

static uint8_t rnd8(void)
{
    rng = rng * 1103515245u + 12345u;
    return (uint8_t)(rng >> 16);
}

static int plugged = 1;

/* a fault's bytes straight to the pty, past the post's link (and its tap) */
static void inject(const uint8_t *p, size_t n)
{
    while (n) {
        ssize_t w = write(master, p, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return;   /* nobody reading: lost, as on a wire */
        p += w;
        n -= (size_t)w;
    }
}

/* One command line; returns 1 to quit.  *silent_ms: hold the post's output
   back this long (after a half frame). */
static int command(char *line, uint16_t *press_until, int *pressing, uint16_t *silent_ms)
{
    char *w[3] = { 0 };
    int n = 0;
    for (char *t = strtok(line, " \t\r"); t; t = strtok(NULL, " \t\r"))
        if (n < 3) w[n++] = t;
        else n = 4;
    if (n == 0 || w[0][0] == '#') return 0;
    const char *c = w[0];
    static const char *const one_word[] = {
        "arrive", "leave", "help", "status", "corrupt", "truncate", "replay", "out-of-order", "oversize",
        "unplug", "plug", "quit",
    };
    int known = !strcmp(c, "talk") || !strcmp(c, "crew") || !strcmp(c, "garbage");
    int want = known ? 2 : 1;   /* words the command takes */
    for (size_t i = 0; i < sizeof one_word / sizeof *one_word; i++) known |= !strcmp(c, one_word[i]);
    if (!known) goto unknown;
    if (n != want) {
        if (!strcmp(c, "talk")) say("error: talk takes down or up");
        else if (!strcmp(c, "crew")) say("error: crew takes on or off");
        else if (!strcmp(c, "garbage")) say("error: garbage takes a byte count, 1 to %d", GARBAGE_MAX);
        else say("error: %s takes nothing after it", c);
        return 0;
    }
    uint16_t now = timer_read();
    if (!strcmp(c, "arrive")) host_gpio_set(PIN_LOOP, 0);
    else if (!strcmp(c, "leave")) host_gpio_set(PIN_LOOP, 1);
    else if (!strcmp(c, "help")) {
        host_gpio_set(PIN_HELP, 0);
        *press_until = (uint16_t)(now + HELP_PRESS_MS);
        *pressing = 1;
    } else if (!strcmp(c, "talk") && (!strcmp(w[1], "down") || !strcmp(w[1], "up")))
        host_gpio_set(PIN_TALK, !strcmp(w[1], "up"));
    else if (!strcmp(c, "talk")) say("error: talk takes down or up, not \"%s\"", w[1]);
    else if (!strcmp(c, "crew") && (!strcmp(w[1], "on") || !strcmp(w[1], "off")))
        host_gpio_set(PIN_CREW, !strcmp(w[1], "off"));
    else if (!strcmp(c, "crew")) say("error: crew takes on or off, not \"%s\"", w[1]);
    else if (!strcmp(c, "status")) {
        char buf[256];
        int k = snprintf(buf, sizeof buf, "counters");
        for (int e = 0; e < LE_N; e++)
            k += snprintf(buf + k, sizeof buf - (size_t)k, " %s=%u", link_err_names[e], post.link.err[e]);
        say("%s", buf);
    } else if (!strcmp(c, "unplug")) {
        plugged = 0;
        host_uart_plug(0);
        say("unplugged");
    } else if (!strcmp(c, "plug")) {
        plugged = 1;
        host_uart_plug(1);
        say("plugged");
    } else if (!strcmp(c, "quit")) return 1;
    else if (!strcmp(c, "corrupt") || !strcmp(c, "truncate") || !strcmp(c, "replay") ||
             !strcmp(c, "out-of-order") || !strcmp(c, "oversize") || !strcmp(c, "garbage")) {
        long count = 0;
        if (!strcmp(c, "garbage")) {
            char *end;
            count = strtol(w[1], &end, 10);
            if (*end || count < 1 || count > GARBAGE_MAX) {
                say("error: garbage takes a byte count, 1 to %d, not \"%s\"", GARBAGE_MAX, w[1]);
                return 0;
            }
        }
        if ((!strcmp(c, "replay") || !strcmp(c, "out-of-order")) && !last_rel_n) {
            say("error: %s: the post has sent no reliable frame yet (an event first, e.g. help)", c);
            return 0;
        }
        if (!plugged) {
            say("error: %s: unplugged, nothing goes out (plug first)", c);
            return 0;
        }
        uint8_t f[FRAME_MAX];
        if (!strcmp(c, "corrupt") || !strcmp(c, "truncate")) {
            /* an event the kiosk has not seen: a help press, seq the next */
            uint8_t ev[2] = { PE_HELP, 1 };
            uint8_t seq = (uint8_t)(post.link.tx_seq == 255 ? 1 : post.link.tx_seq + 1);
            uint8_t fn = frame_encode(f, seq, FT_EVENT, ev, 2);
            if (c[0] == 'c') {
                f[4] ^= 0x04;   /* one payload bit: the CRC catches every single-bit error */
                inject(f, fn);
            } else {
                inject(f, (size_t)fn / 2);
                *silent_ms = SILENCE_MS;
            }
        } else if (!strcmp(c, "replay")) inject(last_rel, last_rel_n);
        else if (!strcmp(c, "out-of-order")) {
            uint8_t seq = last_rel[2];
            seq = (uint8_t)((seq - 1 + 2) % 255 + 1);   /* two ahead in 1..255 */
            uint8_t fn = frame_encode(f, seq, (uint8_t)(last_rel[3] & ~LINK_SYNC), last_rel + 4, last_rel[1]);
            inject(f, fn);
        } else if (!strcmp(c, "oversize")) {
            uint8_t o[2] = { FRAME_START, FRAME_MAX_PAYLOAD + 1 };
            inject(o, 2);
        } else {
            uint8_t g[GARBAGE_MAX];
            for (long i = 0; i < count; i++) g[i] = rnd8();
            inject(g, (size_t)count);
            *silent_ms = SILENCE_MS;   /* a start byte among them must not swallow the next frame */
        }
        say("injected %s%s%s", c, count ? " " : "", count ? w[1] : "");
    } else goto unknown;
    return 0;
unknown:
    say("error: unknown command \"%s\" (arrive, leave, help, talk down|up, crew on|off, status, corrupt, "
        "truncate, replay, out-of-order, oversize, garbage N, unplug, plug, quit)", c);
    return 0;
}

static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

static int open_pty(char *name, size_t cap, int *slave)
{
    int m = posix_openpt(O_RDWR | O_NOCTTY);
    if (m < 0 || grantpt(m) < 0 || unlockpt(m) < 0 || !ptsname(m)) {
        fprintf(stderr, "kiosk post-sim: cannot open a pseudo-terminal: %s\n", strerror(errno));
        if (m >= 0) close(m);
        return -1;
    }
    snprintf(name, cap, "%s", ptsname(m));
    /* held open here, so the master never sees a hang-up while no kiosk has it
       open (poll would then spin) */
    *slave = open(name, O_RDWR | O_NOCTTY);
    struct termios t;
    if (*slave < 0 || tcgetattr(*slave, &t) < 0) {
        fprintf(stderr, "kiosk post-sim: cannot open %s: %s\n", name, strerror(errno));
        close(m);
        return -1;
    }
    cfmakeraw(&t);
    cfsetispeed(&t, B38400);
    cfsetospeed(&t, B38400);
    tcsetattr(*slave, TCSANOW, &t);
    fcntl(m, F_SETFL, fcntl(m, F_GETFL) | O_NONBLOCK);
    return m;
}

int cmd_post_sim(int argc, char **argv)
{
    static const struct option longs[] = {
        { "link", required_argument, NULL, 'l' },
        { "seed", required_argument, NULL, 's' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    if (cmd_wants_help(argc, argv)) {
        fputs(usage, stdout);
        return 0;
    }
    const char *link_path = NULL;
    rng = (uint32_t)time(NULL);
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "+h", longs, NULL)) != -1) {
        switch (c) {
        case 'l': link_path = optarg; break;
        case 's': {
            char *end;
            unsigned long v = strtoul(optarg, &end, 10);
            if (!*optarg || *end) {
                fprintf(stderr, "kiosk post-sim: --seed %s: not a number\n", optarg);
                return EXIT_BADINPUT;
            }
            rng = (uint32_t)v;
            break;
        }
        case 'h': fputs(usage, stdout); return 0;
        default:
            if (optopt == 'l') fprintf(stderr, "kiosk post-sim: --link needs a path for the pty's link\n");
            else if (optopt == 's') fprintf(stderr, "kiosk post-sim: --seed needs a number\n");
            else fprintf(stderr, "kiosk post-sim: unknown option %s (kiosk post-sim --help lists them)\n", argv[optind - 1]);
            return EXIT_BADINPUT;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "kiosk post-sim: unexpected argument \"%s\" (the commands come on standard input)\n%s",
                argv[optind], usage);
        return EXIT_BADINPUT;
    }
    char name[128];
    int slave = -1;
    master = open_pty(name, sizeof name, &slave);
    if (master < 0) return EXIT_RUNTIME;
    if (link_path) {
        struct stat st;
        if (lstat(link_path, &st) == 0 && !S_ISLNK(st.st_mode)) {
            fprintf(stderr, "kiosk post-sim: --link %s: exists and is not a symbolic link; not replaced\n", link_path);
            return EXIT_BADINPUT;
        }
        unlink(link_path);
        if (symlink(name, link_path) < 0) {
            fprintf(stderr, "kiosk post-sim: --link %s: %s\n", link_path, strerror(errno));
            return EXIT_RUNTIME;
        }
    }
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    signal(SIGPIPE, SIG_IGN);
    say("pty %s", name);

    host_timer_realtime(1);
    host_gpio_reset();
    host_uart_reset();
    host_uart_use_fd(master);
    host_uart_tap(tap);
    host_wdt_set_cause(RESET_POWER_ON);
    post_init(&post, observe, NULL);

    char line[512];
    size_t len = 0;
    int pressing = 0, quit = 0, overlong = 0;
    uint16_t press_until = 0, silent_from = 0, silent_ms = 0, flushed = timer_read();
    while (!quit && !stop) {
        struct pollfd pf[2] = { { 0, POLLIN, 0 }, { master, POLLIN, 0 } };
        /* while silent the post's bytes wait in the pty, unread */
        int r = poll(pf, silent_ms ? 1 : 2, 1);
        if (r < 0 && errno != EINTR) break;
        if (r > 0 && (pf[0].revents & (POLLIN | POLLHUP))) {
            ssize_t got = read(0, line + len, sizeof line - 1 - len);
            if (got <= 0) break;   /* end of input: quit */
            len += (size_t)got;
            char *nl;
            while (!quit && (nl = memchr(line, '\n', len))) {
                *nl = 0;
                if (overlong) overlong = 0;   /* the tail of a line too long to take */
                else {
                    uint16_t s = 0;
                    quit = command(line, &press_until, &pressing, &s);
                    if (s) {
                        silent_ms = s;
                        silent_from = timer_read();
                    }
                }
                len -= (size_t)(nl + 1 - line);
                memmove(line, nl + 1, len);
            }
            if (len == sizeof line - 1) {
                say("error: a line over %zu characters: ignored", sizeof line - 2);
                overlong = 1;
                len = 0;
            }
        }
        uint16_t now = timer_read();
        if (pressing && (int16_t)TIMER_DIFF_16(now, press_until) >= 0) {
            host_gpio_set(PIN_HELP, 1);
            pressing = 0;
        }
        if (silent_ms) {
            if (TIMER_DIFF_16(now, silent_from) < silent_ms) continue;
            silent_ms = 0;
        }
        post_step(&post);
        /* No kiosk reading: the post's old bytes would pile up in the pty and
           greet a kiosk that opens it later with seconds of stale frames.
           Dropped instead, as on a wire nobody listens to. */
        if (TIMER_DIFF_16(now, flushed) >= 100) {
            int queued = 0;
            flushed = now;
            if (ioctl(slave, FIONREAD, &queued) == 0 && queued > 2048) tcflush(slave, TCIFLUSH);
        }
    }
    if (link_path) unlink(link_path);
    close(slave);
    close(master);
    return 0;
}
