/* cmd_crew.c: `kiosk crew`, the crew station in a terminal.
 *
 * Connects to a running `kiosk run` (its Unix socket, or TCP on 127.0.0.1),
 * proves itself with the token the kiosk wrote, then does two things at
 * once with poll(): shows the kiosk's events for a person (or, with --json,
 * as they come, for scripts) and turns the commands typed on standard input
 * into protocol messages (src/crew/proto.h), printing the kiosk's answer to
 * each.  What it shows is src/crew/view.c's: the crew's words, one line
 * per event in line mode.  A page rings the terminal's bell; the kiosk's
 * escalation events say when nobody acknowledged it. */
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
#include "../crew/view.h"
#include "../util/util.h"
#include "commands.h"

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
    if (st->json) {
        puts(line);
    } else if (answer) {
        json_t *e = json_object_get(j, "error");
        if (!e) printf("ok\n");
        else printf("error: %s\n", json_is_string(e) ? json_string_value(e) : line);
    } else {
        strlist_t out = {0};
        int bell = type ? view_event(&st->view, j, mono(), 1, &out) : -1;
        if (bell < 0) {
            puts(line);   /* not an event this station knows: as it came */
        } else {
            char stamp[16];
            view_stamp(j, stamp, sizeof stamp);
            print_lines(stamp, &out);
            if (bell) fputc('\a', stdout);   /* the chime */
        }
        strlist_free(&out);
    }
    fflush(stdout);
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
        { "gone", "gone" }, { "apply", "apply" },
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
    } else if (!strcmp(cmd, "edit") || !strcmp(cmd, "add") || !strcmp(cmd, "change")) {
        if (!*args) {
            fprintf(stderr, "kiosk crew: %s what? e.g. \"%s\"\n", cmd,
                    !strcmp(cmd, "change") ? "change the coke to a sprite" : "add two large cokes");
        } else {
            strbuf_t b = {0}, say = {0};
            /* the kiosk knows the crew's verbs: "change X to Y" is its own */
            strbuf_printf(&say, "%s%s", !strcmp(cmd, "change") ? "change " : "", args);
            strbuf_append(&b, "{\"action\": \"edit\", \"say\": ");
            strbuf_json_str(&b, strbuf_cstr(&say));
            strbuf_free(&say);
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
    const char *ok = j ? json_string_value(json_object_get(j, "ok")) : NULL;
    const char *error = j ? json_string_value(json_object_get(j, "error")) : NULL;
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
    view_free(&st.view);
    return status;
}
