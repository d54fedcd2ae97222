/* cmd_crew.c: `kiosk crew`, the crew station in a terminal.
 *
 * Connects to a running `kiosk run` (its Unix socket, or TCP on 127.0.0.1),
 * proves itself with the token the kiosk wrote, then does two things at
 * once with poll(): shows the kiosk's events for a person (or, with --json,
 * as they come, for scripts) and turns the commands typed on standard input
 * into protocol messages (src/crew/proto.h), printing the kiosk's answer to
 * each.  A page rings the terminal's bell and, until someone acknowledges
 * it, a reminder line comes every 5 s. */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "../crew/proto.h"
#include "../util/util.h"
#include "commands.h"

#define REMIND_S 5          /* a reminder line this often while a page is open */
#define EOF_WAIT_S 0.3      /* after standard input ends: time for the last replies */
#define EOF_WAIT_MAX_S 2.0
#define AUTH_WAIT_MS 5000
#define MAX_IN_LINE (1 << 20)

static const char usage[] =
    "usage: kiosk crew [--connect ADDR] [--token FILE] [--json] [--role manager]\n"
    "  The crew station: shows what the kiosk hears, says and pages, and sends\n"
    "  the crew's commands to it (type help once connected).\n"
    "  --connect ADDR  the kiosk's crew socket (default " DEFAULT_CREW_SOCKET "), or\n"
    "                  127.0.0.1:PORT / localhost:PORT for `kiosk run --crew-port PORT`\n"
    "  --token FILE    the token file `kiosk run` wrote (default " DEFAULT_CREW_TOKEN ")\n"
    "  --json          print the kiosk's lines as they come (JSON), for scripts\n"
    "  --role manager  connect as the manager (gets pages nobody acknowledged)\n";

static const char commands_help[] =
    "commands (one a line):\n"
    "  ack            acknowledge the page (stops the reminders)\n"
    "  take           take over the car: the kiosk stops answering\n"
    "  back           hand the car back to the kiosk\n"
    "  talk / release the headset's talk button down / up\n"
    "  edit WORDS     change the order as a customer would say it\n"
    "                 (\"edit two large cokes\", \"edit remove the fries\"); add WORDS is the same\n"
    "  remove N       remove line N of the order (the numbers shown with it)\n"
    "  confirm        confirm the order and send the car to the window\n"
    "  cancel         cancel the order\n"
    "  help, quit\n";

typedef struct {
    int fd;
    int json;
    const char *addr;
    strbuf_t in;            /* from the kiosk, up to a newline */
    int pending;            /* messages sent and not answered yet */
    int page_open;
    double page_at;         /* monotonic */
    int page_car;
    int reminded;           /* reminders printed for the open page */
    char *last_said;        /* the last turn's answer, so its say event is not shown twice */
} station_t;

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

static int read_token(const char *path, char *token)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "kiosk crew: cannot read the token file %s (%s): `kiosk run` writes it when it "
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
        fprintf(stderr, "kiosk crew: the token file %s does not hold a token (%d hex characters): restart "
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
            fprintf(stderr, "kiosk crew: lost the connection to %s (%s): is `kiosk run` still running?\n",
                    st->addr, strerror(errno));
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

static const char *jstr(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static long jlong(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    return json_is_integer(v) ? (long)json_integer_value(v) : json_is_real(v) ? (long)json_real_value(v) : 0;
}

static double jnum(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    return json_is_number(v) ? json_number_value(v) : 0;
}

static void money(long cents, char *buf, size_t n)
{
    snprintf(buf, n, "%s$%ld.%02ld", cents < 0 ? "-" : "", labs(cents) / 100, labs(cents) % 100);
}

/* "12:03:04 car 3" */
static void stamp(json_t *ev, strbuf_t *b)
{
    time_t t = (time_t)jnum(ev, "t");
    struct tm tm;
    char hms[16] = "--:--:--";
    if (t > 0 && localtime_r(&t, &tm)) strftime(hms, sizeof hms, "%H:%M:%S", &tm);
    strbuf_append(b, hms);
    json_t *car = json_object_get(ev, "car");
    if (json_is_integer(car)) strbuf_printf(b, " car %ld", (long)json_integer_value(car));
}

/* The order as numbered lines, so the crew can "remove N". */
static void show_order(json_t *o, strbuf_t *b)
{
    char m[32];
    json_t *lines = json_object_get(o, "lines");
    size_t i;
    json_t *l;
    if (!json_array_size(lines)) strbuf_append(b, "    (no lines)\n");
    json_array_foreach(lines, i, l) {
        strbuf_printf(b, "    %zu. %ld x %s", i + 1, jlong(l, "qty"), jstr(l, "item") ? jstr(l, "item") : "?");
        if (jstr(l, "size")) strbuf_printf(b, " %s", jstr(l, "size"));
        size_t k;
        json_t *opt;
        json_array_foreach(json_object_get(l, "options"), k, opt) {
            const char *amount = jstr(opt, "amount"), *name = jstr(opt, "name");
            strbuf_printf(b, ", %s %s", amount ? amount : "", name ? name : "?");
        }
        const char *ck;
        json_t *cv;
        json_object_foreach(json_object_get(l, "choices"), ck, cv)
            if (json_is_string(cv)) strbuf_printf(b, ", %s: %s", ck, json_string_value(cv));
        money(jlong(l, "cents"), m, sizeof m);
        strbuf_printf(b, "  %s\n", m);
    }
    money(jlong(o, "total_cents"), m, sizeof m);
    strbuf_printf(b, "    total %s (%s)\n", m, jstr(o, "status") ? jstr(o, "status") : "?");
}

static void quote(strbuf_t *b, const char *s)
{
    strbuf_printf(b, "\"%s\"", s ? s : "");
}

/* One event as a person reads it; 0 when it was not an event it knows. */
static int show_event(station_t *st, json_t *ev, const char *type)
{
    strbuf_t b = {0};
    stamp(ev, &b);
    int bell = 0;
    if (!strcmp(type, "turn")) {
        const char *heard = jstr(ev, "heard");
        strbuf_printf(&b, " turn %ld: heard ", jlong(ev, "turn"));
        if (heard && *heard) quote(&b, heard);
        else strbuf_append(&b, "nothing on the menu");
        strbuf_append(&b, " (free ");
        quote(&b, jstr(ev, "free_text"));
        strbuf_printf(&b, ", confidence %.2f)", jnum(ev, "confidence"));
        const char *said = jstr(ev, "said");
        if (said && *said) {
            strbuf_append(&b, " -> kiosk: ");
            quote(&b, said);
        }
        free(st->last_said);
        st->last_said = xstrdup(said ? said : "");
        strbuf_append(&b, "\n");
    } else if (!strcmp(type, "say")) {
        const char *text = jstr(ev, "text");
        size_t tl = text ? strlen(text) : 0, sl = st->last_said ? strlen(st->last_said) : 0;
        int shown = sl && tl >= sl && !strcmp(text + tl - sl, st->last_said);
        free(st->last_said);
        st->last_said = NULL;
        if (shown || !text) {
            strbuf_free(&b);
            return 1;
        }
        strbuf_append(&b, " kiosk says: ");
        quote(&b, text);
        strbuf_append(&b, "\n");
    } else if (!strcmp(type, "page")) {
        const char *reason = jstr(ev, "reason");
        strbuf_reset(&b);
        time_t t = (time_t)jnum(ev, "t");
        struct tm tm;
        char hms[16] = "--:--:--";
        if (t > 0 && localtime_r(&t, &tm)) strftime(hms, sizeof hms, "%H:%M:%S", &tm);
        strbuf_printf(&b, "%s *** PAGE", hms);
        json_t *car = json_object_get(ev, "car");
        if (json_is_integer(car)) strbuf_printf(&b, " car %ld", (long)json_integer_value(car));
        strbuf_printf(&b, ": %s", reason ? reason : "?");
        const char *heard = jstr(ev, "heard"), *free_text = jstr(ev, "free_text");
        if ((heard && *heard) || (free_text && *free_text)) {
            strbuf_append(&b, " \xe2\x80\x94 heard ");
            if (heard && *heard) quote(&b, heard);
            else strbuf_append(&b, "nothing on the menu");
            strbuf_append(&b, ", free text ");
            quote(&b, free_text);
        }
        strbuf_append(&b, "\n    type ack, then take to talk to the car (or edit / remove / confirm)\n");
        bell = 1;
        if (!st->page_open) {   /* one clock per kiosk, like its escalation */
            st->page_open = 1;
            st->page_at = mono();
            st->reminded = 0;
        }
    } else if (!strcmp(type, "ack")) {
        strbuf_printf(&b, " page acknowledged after %.1f s\n", jnum(ev, "after_s"));
        st->page_open = 0;
    } else if (!strcmp(type, "escalate")) {
        const char *level = jstr(ev, "level");
        /* the flash: blinking reverse video on a terminal */
        int tty = isatty(STDOUT_FILENO);
        strbuf_printf(&b, " %s*** PAGE NOT ACKNOWLEDGED after %.0f s: %s%s\n", tty ? "\033[5;7m" : "",
                      jnum(ev, "after_s"),
                      level && !strcmp(level, "manager") ? "sent to the manager" : "chiming again",
                      tty ? "\033[0m" : "");
        bell = 1;
    } else if (!strcmp(type, "override")) {
        const char *kind = jstr(ev, "kind");
        if (!kind) kind = "?";
        if (!strcmp(kind, "take_over")) strbuf_append(&b, " the crew took over: the kiosk is quiet\n");
        else if (!strcmp(kind, "hand_back")) strbuf_append(&b, " handed back to the kiosk\n");
        else if (!strcmp(kind, "talk"))
            strbuf_append(&b, json_is_true(json_object_get(ev, "down")) ? " talk button down: you are on the speaker\n"
                                                                         : " talk button released\n");
        else strbuf_printf(&b, " override: %s\n", kind);
    } else if (!strcmp(type, "order") || !strcmp(type, "confirmed")) {
        json_t *o = json_object_get(ev, "order");
        strbuf_printf(&b, " %s:\n", !strcmp(type, "order") ? "order" : "ORDER CONFIRMED");
        if (json_is_object(o)) show_order(o, &b);
    } else if (!strcmp(type, "car")) {
        const char *state = jstr(ev, "state");
        if (state && !strcmp(state, "arrived")) {
            strbuf_append(&b, " arrived\n");
        } else {
            char m[32];
            money(jlong(ev, "total_cents"), m, sizeof m);
            strbuf_printf(&b, " left (%s): order %s, total %s\n", jstr(ev, "why") ? jstr(ev, "why") : "?",
                          jstr(ev, "status") ? jstr(ev, "status") : "?", m);
        }
    } else {
        strbuf_free(&b);
        return 0;
    }
    fputs(strbuf_cstr(&b), stdout);
    if (bell) fputc('\a', stdout);   /* the chime */
    fflush(stdout);
    strbuf_free(&b);
    return 1;
}

/* A line from the kiosk: an event, or the answer to a command. */
static void show_line(station_t *st, const char *line)
{
    json_t *j = json_loads(line, 0, NULL);
    const char *type = j ? jstr(j, "event") : NULL;
    int answer = j && !type && (json_object_get(j, "ok") || json_object_get(j, "error"));
    if (answer && st->pending > 0) st->pending--;
    if (st->json) {
        puts(line);
        fflush(stdout);
    } else if (answer) {
        const char *ok = jstr(j, "ok"), *error = jstr(j, "error");
        if (ok) printf("ok: %s\n", ok);
        else printf("error: %s\n", error ? error : line);
        fflush(stdout);
    } else if (!type || !show_event(st, j, type)) {
        puts(line);
        fflush(stdout);
    }
    json_decref(j);
}

/* ---- commands -------------------------------------------------------------- */

/* One typed line -> one message (owned by the caller) or NULL after saying
 * why; *quit set for "quit". */
static char *command(const char *line, int *quit)
{
    while (*line == ' ' || *line == '\t') line++;
    const char *end = line + strlen(line);
    while (end > line && strchr(" \t\r", end[-1])) end--;
    char *cmd = xstrndup(line, (size_t)(end - line));
    char *args = cmd + strcspn(cmd, " \t");
    if (*args) *args++ = '\0';
    while (*args == ' ' || *args == '\t') args++;
    char *msg = NULL;
    static const struct { const char *word, *action; } plain[] = {
        { "ack", "ack" }, { "take", "take_over" }, { "take_over", "take_over" }, { "back", "hand_back" },
        { "hand_back", "hand_back" }, { "confirm", "confirm" }, { "cancel", "cancel" },
    };
    for (size_t i = 0; i < sizeof plain / sizeof plain[0] && !msg; i++)
        if (!strcmp(cmd, plain[i].word)) {
            if (*args) fprintf(stderr, "kiosk crew: %s takes no words; type help\n", cmd);
            else msg = xasprintf("{\"action\": \"%s\"}", plain[i].action);
            goto done;
        }
    if (!*cmd) {
        /* an empty line: nothing */
    } else if (!strcmp(cmd, "talk") || !strcmp(cmd, "release")) {
        msg = xasprintf("{\"action\": \"talk\", \"down\": %s}", !strcmp(cmd, "talk") ? "true" : "false");
    } else if (!strcmp(cmd, "edit") || !strcmp(cmd, "add")) {
        if (!*args) {
            fprintf(stderr, "kiosk crew: %s what? e.g. \"%s two large cokes\"\n", cmd, cmd);
        } else {
            strbuf_t b = {0};
            strbuf_append(&b, "{\"action\": \"edit\", \"say\": ");
            strbuf_json_str(&b, args);
            strbuf_append(&b, "}");
            msg = strbuf_steal(&b);
        }
    } else if (!strcmp(cmd, "remove")) {
        char *e;
        long n = strtol(args, &e, 10);
        if (!*args || *e || n < 1 || n > 999)
            fprintf(stderr, "kiosk crew: remove N: give the line's number as shown with the order (1 to 999)\n");
        else msg = xasprintf("{\"action\": \"remove\", \"line\": %ld}", n);
    } else if (!strcmp(cmd, "help") || !strcmp(cmd, "?")) {
        fputs(commands_help, stdout);
        fflush(stdout);
    } else if (!strcmp(cmd, "quit") || !strcmp(cmd, "exit")) {
        *quit = 1;
    } else {
        fprintf(stderr, "kiosk crew: unknown command \"%s\": type help\n", cmd);
    }
done:
    free(cmd);
    return msg;
}

/* ---- the station ------------------------------------------------------------ */

static int authenticate(station_t *st, const char *token, int manager)
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
    const char *ok = j ? jstr(j, "ok") : NULL;
    const char *error = j ? jstr(j, "error") : NULL;
    rc = ok && !strcmp(ok, "auth") ? 0 : -1;
    if (rc < 0)
        fprintf(stderr, "kiosk crew: %s refused the station: %s\n", st->addr, error ? error : line);
    else if (st->json) puts(line);
    else
        fprintf(stderr, "kiosk crew: connected to %s as %s; type help for the commands\n", st->addr,
                manager ? "manager" : "crew");
    fflush(stdout);
    json_decref(j);
    free(line);
    return rc;
}

static void remind(station_t *st, double now)
{
    if (!st->page_open || st->json) return;
    int due = (int)((now - st->page_at) / REMIND_S);
    if (due > st->reminded) {
        st->reminded = due;
        printf("page open %d s\n", due * REMIND_S);
        fflush(stdout);
    }
}

static int run(station_t *st)
{
    strbuf_t typed = {0};
    int stdin_open = 1, quit = 0, status = 0;
    double wait_until = 0, wait_max = 0;
    for (;;) {
        double now = mono();
        if (!stdin_open) {
            if (st->pending <= 0 || now >= wait_until || now >= wait_max) break;
        }
        struct pollfd p[2] = { { st->fd, POLLIN, 0 }, { 0, POLLIN, 0 } };
        int ms = 1000;
        if (st->page_open && !st->json) {
            double next = st->page_at + (st->reminded + 1) * REMIND_S;
            ms = (int)((next - now) * 1000) + 1;
        }
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
        now = mono();
        remind(st, now);
        if (r <= 0) continue;

        if (p[0].revents) {
            char *line;
            int got;
            while ((got = recv_line(st, 0, &line)) > 0) {
                show_line(st, line);
                free(line);
                if (!stdin_open) wait_until = mono() + EOF_WAIT_S;
            }
            if (got < 0) {
                fprintf(stderr, "kiosk crew: %s closed the connection: `kiosk run` stopped, or it dropped "
                                "this station (see its log)\n", st->addr);
                status = EXIT_RUNTIME;
                break;
            }
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
                char *msg = command(line, &quit);
                free(line);
                if (msg) {
                    int rc = send_line(st, msg);
                    free(msg);
                    if (rc < 0) {
                        status = EXIT_RUNTIME;
                        goto out;
                    }
                    st->pending++;
                }
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

int cmd_crew(int argc, char **argv)
{
    static const struct option longs[] = {
        { "connect", required_argument, NULL, 'c' }, { "token", required_argument, NULL, 't' },
        { "json", no_argument, NULL, 'j' },          { "role", required_argument, NULL, 'r' },
        { "help", no_argument, NULL, 'h' },          { NULL, 0, NULL, 0 },
    };
    const char *addr = DEFAULT_CREW_SOCKET, *token_path = DEFAULT_CREW_TOKEN;
    int json = 0, manager = 0, c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "+h", longs, NULL)) != -1) {
        switch (c) {
        case 'c': addr = optarg; break;
        case 't': token_path = optarg; break;
        case 'j': json = 1; break;
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

    station_t st = { .fd = -1, .json = json, .addr = addr };
    char token[CREW_TOKEN_LEN + 1];
    st.fd = connect_to(addr);
    if (st.fd < 0) return EXIT_RUNTIME;
    int status = EXIT_RUNTIME;
    if (read_token(token_path, token) == 0 && authenticate(&st, token, manager) == 0) status = run(&st);
    close(st.fd);
    strbuf_free(&st.in);
    free(st.last_said);
    return status;
}
