/* cmd_crew.c: `kiosk crew`, the crew station in a terminal.
 *
 * Connects to a running `kiosk run` (its Unix socket, or TCP on 127.0.0.1),
 * proves itself with the token the kiosk wrote, then does two things at
 * once with poll(): shows the kiosk's events for a person (or, with --json,
 * as they come, for scripts) and turns the commands typed on standard input
 * into protocol messages (src/crew/proto.h), printing the kiosk's answer to
 * each.  What it shows is src/crew/view.c's: the crew's words, one line
 * per event in line mode; at a terminal, the whole view at once
 * (crew_screen.h: the header with the lane, the car and the open page, the
 * order, the transcript, the command line).  A page rings the terminal's
 * bell; the kiosk's escalation events say when nobody acknowledged it. */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "../crew/proto.h"
#include "../crew/view.h"
#include "../util/util.h"
#include "commands.h"
#include "crew_screen.h"

#define EOF_WAIT_S 0.3      /* after standard input ends: time for the last replies */
#define EOF_WAIT_MAX_S 2.0
#define AUTH_WAIT_MS 5000
#define MAX_IN_LINE (1 << 20)

static const char usage[] =
    "usage: kiosk crew [--connect ADDR] [--token FILE] [--json | --lines] [--role manager]\n"
    "  The crew station: shows what the kiosk hears, says and pages, and sends\n"
    "  the crew's commands to it (type help once connected).  At a terminal it\n"
    "  takes the whole screen: the lane, the car and any open page on top, the\n"
    "  order, what was said, and the command line at the bottom; otherwise\n"
    "  (a pipe, or --lines / --json) one line per event.\n"
    "  --connect ADDR  the kiosk's crew socket (default " DEFAULT_CREW_SOCKET "), or\n"
    "                  127.0.0.1:PORT / localhost:PORT for `kiosk run --crew-port PORT`\n"
    "  --token FILE    the token file `kiosk run` wrote (default " DEFAULT_CREW_TOKEN ")\n"
    "  --json          print the kiosk's lines as they come (JSON), for scripts\n"
    "  --lines         one line per event even at a terminal (no full screen)\n"
    "  --role manager  connect as the manager (gets pages nobody acknowledged)\n";

static const char commands_help[] =
    "commands (one a line):\n"
    "  ack            acknowledge the page (stops the chime)\n"
    "  take           take the car: the kiosk stops answering, the order is yours\n"
    "  back           hand the car back to the kiosk\n"
    "  talk / release the headset's talk button down / up\n"
    "  add WORDS      add to the order as you would say it (\"add a large fries\")\n"
    "  change WORDS   change a line (\"change the coke to a sprite\", \"change the fries to two\")\n"
    "  edit WORDS     any change a customer could say (\"edit remove the fries\")\n"
    "  remove N       remove line N of the order (the numbers shown with it)\n"
    "  apply          put the customer's last words in the order as the kiosk heard them\n"
    "                 (when it was unsure and you agree)\n"
    "  confirm        confirm the order and send the car to the window\n"
    "  cancel         cancel the order\n"
    "  gone           the car drove off (a car that is yours never leaves by itself)\n"
    "  help, quit\n";

typedef struct {
    int fd;
    int json;
    const char *addr;
    strbuf_t in;            /* from the kiosk, up to a newline */
    int pending;            /* messages sent and not answered yet */
    crew_view_t view;       /* what the kiosk's lines said so far */
    crew_screen_t *screen;  /* the full screen; NULL in line mode */
    strlist_t sent;         /* full screen: the commands awaiting their answers, oldest first */
    strbuf_t later;         /* full screen: what to tell stderr once the terminal is given back */
} station_t;

static volatile sig_atomic_t stop_signal;   /* full screen: Ctrl-C, a hang-up, kill */

static void on_stop_signal(int sig)
{
    stop_signal = sig;
}

/* A failure at run time: to stderr, or after the full screen has gone. */
static void __attribute__((format(printf, 2, 3))) fail(station_t *st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (st->screen) strbuf_vprintf(&st->later, fmt, ap);
    else vfprintf(stderr, fmt, ap);
    va_end(ap);
}

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- connecting ------------------------------------------------------------ */

/* 127.0.0.1:PORT or localhost:PORT -> port; 0 for a socket path; -1 for a
 * host:port that is not this machine. */
static int tcp_port_of(const char *addr)
{
    const char *colon = strrchr(addr, ':');
    if (!colon || strchr(addr, '/')) return 0;
    size_t hl = (size_t)(colon - addr);
    int local = (hl == 9 && !strncmp(addr, "127.0.0.1", 9)) || (hl == 9 && !strncmp(addr, "localhost", 9));
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (!local || end == colon + 1 || *end || port < 1 || port > 65535) return -1;
    return (int)port;
}

static int connect_to(const char *addr)
{
    int port = tcp_port_of(addr);
    int fd;
    if (port > 0) {
        struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0) return fd;
    } else {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        if (strlen(addr) >= sizeof sa.sun_path) {
            fprintf(stderr, "kiosk crew: cannot connect to %s: the path is too long (at most %zu bytes)\n",
                    addr, sizeof sa.sun_path - 1);
            return -1;
        }
        strcpy(sa.sun_path, addr);
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0) return fd;
    }
    int e = errno;
    fprintf(stderr, "kiosk crew: cannot connect to %s (%s): is `kiosk run` running?%s\n", addr, strerror(e),
            port > 0 ? " (with --crew-port)" : "");
    if (fd >= 0) close(fd);
    return -1;
}

/* The token from path into token; -1 with the message in why. */
static int read_token(const char *path, char *token, char *why, size_t whylen)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(why, whylen, "kiosk crew: cannot read the token file %s (%s): `kiosk run` writes it when it "
                              "starts; give --token FILE if it is elsewhere%s\n",
                 path, strerror(errno), errno == EACCES ? " (or run as the kiosk's user)" : "");
        return -1;
    }
    char buf[128];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    while (n && strchr(" \t\r\n", buf[n - 1])) buf[--n] = '\0';
    int ok = n == CREW_TOKEN_LEN;
    for (size_t i = 0; ok && i < n; i++) ok = strchr("0123456789abcdefABCDEF", buf[i]) != NULL;
    if (!ok) {
        snprintf(why, whylen, "kiosk crew: the token file %s does not hold a token (%d hex characters): restart "
                              "`kiosk run` to write a fresh one\n", path, CREW_TOKEN_LEN);
        return -1;
    }
    memcpy(token, buf, CREW_TOKEN_LEN + 1);
    return 0;
}

static int send_line(station_t *st, const char *json)
{
    strbuf_t b = {0};
    strbuf_printf(&b, "%s\n", json);
    size_t off = 0;
    int rc = 0;
    while (off < b.len) {
        ssize_t n = send(st->fd, b.s + off, b.len - off, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            fail(st, "kiosk crew: lost the connection to %s (%s): is `kiosk run` still running?\n", st->addr,
                 strerror(errno));
            rc = -1;
            break;
        }
        off += (size_t)n;
    }
    strbuf_free(&b);
    return rc;
}

/* Reads one line from the kiosk into line (owned by the caller), waiting at
 * most ms; 1 a line, 0 none yet, -1 the connection ended. */
static int recv_line(station_t *st, int ms, char **line)
{
    for (;;) {
        char *nl = st->in.len ? memchr(st->in.s, '\n', st->in.len) : NULL;
        if (nl) {
            size_t n = (size_t)(nl - st->in.s);
            *line = xstrndup(st->in.s, n);
            memmove(st->in.s, nl + 1, st->in.len - n - 1);
            st->in.len -= n + 1;
            st->in.s[st->in.len] = '\0';
            return 1;
        }
        struct pollfd p = { st->fd, POLLIN, 0 };
        int r = poll(&p, 1, ms);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return 0;
        char buf[4096];
        ssize_t n = recv(st->fd, buf, sizeof buf, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return -1;
        if (st->in.len + (size_t)n > MAX_IN_LINE) return -1;
        strbuf_appendn(&st->in, buf, (size_t)n);
        ms = 0;
    }
}

/* ---- the kiosk's lines, for a person -------------------------------------- */

static void print_lines(const char *stamp, const strlist_t *out)
{
    for (int i = 0; i < out->n; i++) {
        if (out->v[i][0] == ' ') puts(out->v[i]);   /* an order's lines, a hint: under their event */
        else printf("%s %s\n", stamp, out->v[i]);
    }
}

/* A line from the kiosk: an event, or the answer to a command. */
static void show_line(station_t *st, const char *line)
{
    json_t *j = json_loads(line, 0, NULL);
    const char *type = j ? json_string_value(json_object_get(j, "event")) : NULL;
    int answer = j && !type && (json_object_get(j, "ok") || json_object_get(j, "error"));
    if (answer && st->pending > 0) st->pending--;
    json_t *e = answer ? json_object_get(j, "error") : NULL;
    strbuf_t reply = {0};
    if (answer) {
        if (!e) strbuf_append(&reply, "ok");
        else strbuf_printf(&reply, "error: %s", json_is_string(e) ? json_string_value(e) : line);
    }
    if (st->json) {
        puts(line);
    } else if (answer && st->screen) {
        /* "take: ok": the kiosk answers each message in turn */
        strbuf_t b = {0};
        if (st->sent.n) {
            strbuf_printf(&b, "%s: ", st->sent.v[0]);
            free(st->sent.v[0]);
            memmove(st->sent.v, st->sent.v + 1, (size_t)(st->sent.n - 1) * sizeof *st->sent.v);
            st->sent.n--;
        }
        strbuf_append(&b, strbuf_cstr(&reply));
        crew_screen_status(st->screen, strbuf_cstr(&b));
        strbuf_free(&b);
    } else if (answer) {
        puts(strbuf_cstr(&reply));
    } else {
        strlist_t out = {0};
        /* the full screen shows the order in its own place, not under the event */
        int bell = type ? view_event(&st->view, j, mono(), !st->screen, &out) : -1;
        char stamp[16];
        view_stamp(j, stamp, sizeof stamp);
        if (bell < 0 && st->screen) {
            crew_screen_note(st->screen, NULL, line);   /* not an event this station knows: as it came */
        } else if (bell < 0) {
            puts(line);
        } else if (st->screen) {
            for (int i = 0; i < out.n; i++)   /* the hints under a page are the header's */
                if (out.v[i][0] != ' ') crew_screen_note(st->screen, stamp, out.v[i]);
            if (bell) crew_screen_bell(st->screen);
        } else {
            print_lines(stamp, &out);
            if (bell) fputc('\a', stdout);   /* the chime */
        }
        strlist_free(&out);
    }
    if (!st->screen) fflush(stdout);
    strbuf_free(&reply);
    json_decref(j);
}

/* ---- commands -------------------------------------------------------------- */

cmd_kind_t crew_command(const char *line, char **msg)
{
    *msg = NULL;
    while (*line == ' ' || *line == '\t') line++;
    const char *end = line + strlen(line);
    while (end > line && strchr(" \t\r", end[-1])) end--;
    char *cmd = xstrndup(line, (size_t)(end - line));
    char *args = cmd + strcspn(cmd, " \t");
    if (*args) *args++ = '\0';
    while (*args == ' ' || *args == '\t') args++;
    cmd_kind_t kind = CMD_ERROR;
    static const struct { const char *word, *action; } plain[] = {
        { "ack", "ack" }, { "take", "take_over" }, { "take_over", "take_over" }, { "back", "hand_back" },
        { "hand_back", "hand_back" }, { "confirm", "confirm" }, { "cancel", "cancel" },
        { "gone", "gone" }, { "apply", "apply" },
    };
    for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++)
        if (!strcmp(cmd, plain[i].word)) {
            if (*args) *msg = xasprintf("%s takes no words; type help", cmd);
            else {
                *msg = xasprintf("{\"action\": \"%s\"}", plain[i].action);
                kind = CMD_SEND;
            }
            goto done;
        }
    if (!*cmd) {
        kind = CMD_NONE;   /* an empty line: nothing */
    } else if (!strcmp(cmd, "talk") || !strcmp(cmd, "release")) {
        *msg = xasprintf("{\"action\": \"talk\", \"down\": %s}", !strcmp(cmd, "talk") ? "true" : "false");
        kind = CMD_SEND;
    } else if (!strcmp(cmd, "edit") || !strcmp(cmd, "add") || !strcmp(cmd, "change")) {
        if (!*args) {
            *msg = xasprintf("%s what? e.g. \"%s\"", cmd,
                             !strcmp(cmd, "change") ? "change the coke to a sprite" : "add two large cokes");
        } else {
            strbuf_t b = {0}, say = {0};
            /* the kiosk knows the crew's verbs: "change X to Y" is its own */
            strbuf_printf(&say, "%s%s", !strcmp(cmd, "change") ? "change " : "", args);
            strbuf_append(&b, "{\"action\": \"edit\", \"say\": ");
            strbuf_json_str(&b, strbuf_cstr(&say));
            strbuf_free(&say);
            strbuf_append(&b, "}");
            *msg = strbuf_steal(&b);
            kind = CMD_SEND;
        }
    } else if (!strcmp(cmd, "remove")) {
        char *e;
        long n = strtol(args, &e, 10);
        if (!*args || *e || n < 1 || n > 999) {
            *msg = xstrdup("remove N: give the line's number as shown with the order (1 to 999)");
        } else {
            *msg = xasprintf("{\"action\": \"remove\", \"line\": %ld}", n);
            kind = CMD_SEND;
        }
    } else if (!strcmp(cmd, "help") || !strcmp(cmd, "?")) {
        kind = CMD_HELP;
    } else if (!strcmp(cmd, "quit") || !strcmp(cmd, "exit")) {
        kind = CMD_QUIT;
    } else {
        *msg = xasprintf("unknown command \"%s\": type help", cmd);
    }
done:
    free(cmd);
    return kind;
}

/* ---- the station ------------------------------------------------------------ */

static int authenticate(station_t *st, const char *token, int manager, int quiet)
{
    char *auth = xasprintf("{\"auth\": \"%s\", \"role\": \"%s\"}", token, manager ? "manager" : "crew");
    int rc = send_line(st, auth);
    free(auth);
    if (rc < 0) return -1;
    char *line = NULL;
    int r = recv_line(st, AUTH_WAIT_MS, &line);
    if (r <= 0) {
        fprintf(stderr, "kiosk crew: %s %s: is it a kiosk's crew socket?\n", st->addr,
                r < 0 ? "closed the connection" : "did not answer within 5 s");
        return -1;
    }
    json_t *j = json_loads(line, 0, NULL);
    const char *ok = j ? json_string_value(json_object_get(j, "ok")) : NULL;
    const char *error = j ? json_string_value(json_object_get(j, "error")) : NULL;
    rc = ok && !strcmp(ok, "auth") ? 0 : -1;
    if (rc < 0)
        fprintf(stderr, "kiosk crew: %s refused the station: %s\n", st->addr, error ? error : line);
    else if (st->json) puts(line);
    else if (!quiet)
        fprintf(stderr, "kiosk crew: connected to %s as %s; type help for the commands\n", st->addr,
                manager ? "manager" : "crew");
    fflush(stdout);
    json_decref(j);
    free(line);
    return rc;
}

/* Shows every line the kiosk sent; -1 when the connection ended. */
static int read_kiosk(station_t *st)
{
    char *line;
    int got;
    while ((got = recv_line(st, 0, &line)) > 0) {
        show_line(st, line);
        free(line);
    }
    if (got < 0) {
        fail(st, "kiosk crew: %s closed the connection: `kiosk run` stopped, or it dropped this station "
                 "(see its log)\n", st->addr);
        return -1;
    }
    return 0;
}

/* One typed line, in either mode; 1 to quit, -1 the connection lost. */
static int typed_line(station_t *st, const char *line)
{
    char *msg;
    cmd_kind_t kind = crew_command(line, &msg);
    int rc = 0;
    if (kind == CMD_SEND) {
        if (send_line(st, msg) < 0) {
            rc = -1;
        } else {
            st->pending++;
            if (st->screen) {   /* its answer says "take: ok" */
                strbuf_t b = {0};
                const char *s = line + strspn(line, " \t");
                strbuf_appendn(&b, s, strcspn(s, "\r\n"));
                while (b.len && strchr(" \t", b.s[b.len - 1])) b.s[--b.len] = '\0';
                strlist_push_owned(&st->sent, strbuf_steal(&b));
                crew_screen_status(st->screen, "...");
            }
        }
    } else if (kind == CMD_ERROR) {
        if (st->screen) {
            char *e = xasprintf("error: %s", msg);
            crew_screen_status(st->screen, e);
            free(e);
        } else {
            fprintf(stderr, "kiosk crew: %s\n", msg);
        }
    } else if (kind == CMD_HELP) {
        if (st->screen) {
            const char *h = commands_help;
            while (*h) {   /* into the transcript, a line each */
                size_t n = strcspn(h, "\n");
                char *l = xstrndup(h, n);
                crew_screen_note(st->screen, NULL, l);
                free(l);
                h += n + (h[n] == '\n');
            }
        } else {
            fputs(commands_help, stdout);
            fflush(stdout);
        }
    } else if (kind == CMD_QUIT) {
        rc = 1;
    }
    free(msg);
    return rc;
}

/* Line mode: events printed as they come, commands read a line at a time. */
static int run_lines(station_t *st)
{
    strbuf_t typed = {0};
    int stdin_open = 1, quit = 0, status = 0;
    double wait_until = 0, wait_max = 0;
    if (read_kiosk(st) < 0) return EXIT_RUNTIME;   /* the state line may have come with the auth's answer */
    for (;;) {
        double now = mono();
        if (!stdin_open) {
            if (st->pending <= 0 || now >= wait_until || now >= wait_max) break;
        }
        struct pollfd p[2] = { { st->fd, POLLIN, 0 }, { 0, POLLIN, 0 } };
        int ms = 1000;
        if (!stdin_open) {
            int left = (int)((wait_until - now) * 1000) + 1;
            if (left < ms) ms = left;
        }
        if (ms < 0) ms = 0;
        int r = poll(p, stdin_open ? 2 : 1, ms);
        if (r < 0 && errno != EINTR) {
            fprintf(stderr, "kiosk crew: poll: %s\n", strerror(errno));
            status = EXIT_RUNTIME;
            break;
        }
        if (r <= 0) continue;

        if (p[0].revents) {
            if (read_kiosk(st) < 0) {
                status = EXIT_RUNTIME;
                break;
            }
            if (!stdin_open) wait_until = mono() + EOF_WAIT_S;
        }
        if (stdin_open && p[1].revents) {
            char buf[4096];
            ssize_t n = read(0, buf, sizeof buf);
            if (n < 0 && errno == EINTR) continue;
            if (n > 0) strbuf_appendn(&typed, buf, (size_t)n);
            if (n <= 0 && typed.len) strbuf_append(&typed, "\n");   /* a last line without newline */
            char *nl;
            while (!quit && typed.len && (nl = memchr(typed.s, '\n', typed.len))) {
                size_t len = (size_t)(nl - typed.s);
                char *line = xstrndup(typed.s, len);
                memmove(typed.s, nl + 1, typed.len - len - 1);
                typed.len -= len + 1;
                typed.s[typed.len] = '\0';
                int rc = typed_line(st, line);
                free(line);
                if (rc < 0) {
                    status = EXIT_RUNTIME;
                    goto out;
                }
                if (rc > 0) quit = 1;
            }
            if (typed.len > 4096) {
                fprintf(stderr, "kiosk crew: a command longer than 4096 bytes was dropped\n");
                strbuf_reset(&typed);
            }
            if (n <= 0 || quit) {
                stdin_open = 0;
                wait_until = mono() + EOF_WAIT_S;
                wait_max = mono() + EOF_WAIT_MAX_S;
            }
        }
    }
out:
    strbuf_free(&typed);
    return status;
}

/* The full screen: drawn again after every line from the kiosk and every
 * key, and each second while a page is open (its age, its flashing). */
static int run_screen(station_t *st)
{
    int status = 0;
    if (read_kiosk(st) < 0) return EXIT_RUNTIME;
    for (;;) {
        if (stop_signal) break;
        double now = mono();
        crew_screen_draw(st->screen, &st->view, now);
        int ms = 1000;
        if (st->view.page_open) {   /* just after the age's next whole second */
            double age = now - st->view.page_at;
            ms = (int)((1.0 - (age - (double)(long)age)) * 1000) + 5;
            if (ms > 1000 || ms < 1) ms = 1000;
        }
        struct pollfd p[2] = { { st->fd, POLLIN, 0 }, { 0, POLLIN, 0 } };
        int r = poll(p, 2, ms);
        if (r < 0 && errno != EINTR) {
            fail(st, "kiosk crew: poll: %s\n", strerror(errno));
            status = EXIT_RUNTIME;
            break;
        }
        if (r > 0 && p[0].revents && read_kiosk(st) < 0) {
            status = EXIT_RUNTIME;
            break;
        }
        /* keys, also after a signal: a resized window comes as KEY_RESIZE */
        char *line;
        int k, rc = 0;
        while (rc == 0 && (k = crew_screen_keys(st->screen, &line)) != CS_KEYS_NONE) {
            if (k == CS_KEYS_QUIT) {
                rc = 1;
                break;
            }
            rc = typed_line(st, line);
            free(line);
        }
        if (rc < 0) status = EXIT_RUNTIME;
        if (rc) break;
        if (r > 0 && (p[1].revents & (POLLHUP | POLLERR | POLLNVAL))) break;   /* the terminal went away */
    }
    return status;
}

int cmd_crew(int argc, char **argv)
{
    static const struct option longs[] = {
        { "connect", required_argument, NULL, 'c' }, { "token", required_argument, NULL, 't' },
        { "json", no_argument, NULL, 'j' },          { "role", required_argument, NULL, 'r' },
        { "lines", no_argument, NULL, 'l' },         { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *addr = DEFAULT_CREW_SOCKET, *token_path = DEFAULT_CREW_TOKEN;
    int json = 0, lines = 0, manager = 0, c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "+h", longs, NULL)) != -1) {
        switch (c) {
        case 'c': addr = optarg; break;
        case 't': token_path = optarg; break;
        case 'j': json = 1; break;
        case 'l': lines = 1; break;
        case 'r':
            if (!strcmp(optarg, "manager")) manager = 1;
            else if (!strcmp(optarg, "crew")) manager = 0;
            else {
                fprintf(stderr, "kiosk crew: --role %s: give manager or crew\n", optarg);
                return EXIT_BADINPUT;
            }
            break;
        case 'h': fputs(usage, stdout); return 0;
        default:
            fprintf(stderr, "kiosk crew: %s: unknown option or missing value\n%s", argv[optind - 1], usage);
            return EXIT_BADINPUT;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "kiosk crew: unexpected argument \"%s\"\n%s", argv[optind], usage);
        return EXIT_BADINPUT;
    }
    if (!*addr || tcp_port_of(addr) < 0) {
        fprintf(stderr, "kiosk crew: --connect %s: give a socket path, or 127.0.0.1:PORT or localhost:PORT "
                        "(the kiosk listens on no other address)\n", addr);
        return EXIT_BADINPUT;
    }
    signal(SIGPIPE, SIG_IGN);

    /* the full screen for a person at a terminal; lines for pipes and scripts */
    int full = !json && !lines && isatty(0) && isatty(1);
    station_t st = { .fd = -1, .json = json, .addr = addr };
    /* The token is read before connecting and sent as soon as connected: a
     * connection that has not authenticated may be dropped for newer ones
     * (src/crew/server.c, "Slots"); but a missing kiosk is said first. */
    char token[CREW_TOKEN_LEN + 1], why[1024];
    int have_token = read_token(token_path, token, why, sizeof why) == 0;
    st.fd = connect_to(addr);
    if (st.fd < 0) return EXIT_RUNTIME;
    if (!have_token) fputs(why, stderr);
    int status = EXIT_RUNTIME;
    if (have_token && authenticate(&st, token, manager, full) == 0) {
        if (full) {
            /* Ctrl-C, a closed terminal or kill: the terminal given back first
             * (set before curses starts, which then leaves them alone) */
            struct sigaction sa = { .sa_handler = on_stop_signal };
            sigemptyset(&sa.sa_mask);
            sigaction(SIGINT, &sa, NULL);
            sigaction(SIGTERM, &sa, NULL);
            sigaction(SIGHUP, &sa, NULL);
            char err[256];
            st.screen = crew_screen_open(err, sizeof err);
            if (!st.screen)
                fprintf(stderr, "kiosk crew: no full screen (%s): one line per event (--lines)\n", err);
        }
        status = st.screen ? run_screen(&st) : run_lines(&st);
        if (st.screen) {
            crew_screen_close(st.screen);
            st.screen = NULL;
            if (stop_signal == SIGHUP || stop_signal == SIGTERM) status = EXIT_RUNTIME;
            fputs(strbuf_cstr(&st.later), stderr);
        }
    }
    close(st.fd);
    strbuf_free(&st.in);
    strbuf_free(&st.later);
    strlist_free(&st.sent);
    view_free(&st.view);
    return status;
}
