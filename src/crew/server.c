/* server.c: the kiosk's end of the crew station link (server.h).
 *
 * Everything here is non-blocking and driven by crew_server_poll(), which the
 * event loop calls each time round: accept, read, split lines, answer, flush.
 *
 * A connection goes through these states:
 *
 *   NEW --auth ok--> AUTHED --20 bad messages--> CLOSING
 *    |                  |
 *    +--anything else---+--line > 1024 bytes---> CLOSING --reply sent--> DRAINING --EOF/2 s--> closed
 *   (any state) --peer gone, send error, output buffer full--> DEAD --next poll--> closed
 *
 * CLOSING sends what is queued (the reason), then shuts our side and reads
 * and discards what the peer still sends (DRAINING) so that a TCP peer gets
 * the reason rather than a reset.  DEAD is closed at the next sweep and never
 * while a callback may still be running, so that a broadcast from inside a
 * callback never pulls a connection from under the loop reading it.
 *
 * Connections are numbered from 1 in the order they arrive; the number is
 * what the logs show and what crew_msg_fn's client means, so a reply to a
 * station that has gone is dropped instead of reaching the next one in its
 * slot.
 *
 * Slots (issue 18): MAX_STATIONS for authenticated stations, and a pool of
 * MAX_PENDING of their own for connections that have not authenticated (NEW,
 * and those being refused before they did: CLOSING, DRAINING, DEAD).
 * Anyone who can reach the socket can connect; only the kiosk's user can
 * read the token.  16 strangers used to hold every slot, 10 s at a time, for
 * ever.  Now a stranger holds a pending slot, never a station's:
 *   - a new connection is read as soon as it is accepted: a station's token
 *     is usually there already (it waited in the listen queue), and then it
 *     never needs the pool;
 *   - when the pool is full, what the pending connections sent is read first
 *     (a token moves its connection to a station slot), then the oldest one
 *     that has had GRACE_S to send its token is dropped for the newcomer;
 *   - when every pending one is younger than that, nothing more is accepted
 *     (the listening sockets are not watched) until one is old enough: the
 *     newcomers wait their turn in the kernel's listen queue, first come
 *     first served, rather than pushing out a station that connected a
 *     moment ago and has not been scheduled to send its token yet;
 *   - AUTH_S after connecting, a connection that has not authenticated is
 *     refused.
 * So however many strangers keep connecting, a station that sends its token
 * as it connects, as `kiosk crew` does, gets in within a few GRACE_S. */
#define _GNU_SOURCE   /* accept4 */
#include "server.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "../util/util.h"

#define MAX_STATIONS 16           /* authenticated stations at once */
#define MAX_PENDING 4             /* connections not (yet) authenticated */
#define MAX_CLIENTS (MAX_STATIONS + MAX_PENDING + 1)   /* + the newcomer being read */
#define OUT_MAX (64 * 1024)      /* unsent bytes a station may have before it is dropped */
#define MAX_BAD 20               /* bad messages after which a connection is closed */
#define READ_PER_POLL (64 * 1024) /* bytes read from one connection per poll, for fairness */
#define DRAIN_S 2.0
#define DRAIN_MAX (64 * 1024)
#define AUTH_S 3.0              /* a connection must authenticate within this: a
                                 * station sends its token as it connects */
#define GRACE_S 0.25            /* a pending connection is not dropped for a newer one
                                 * sooner: its time to send the token, however loaded
                                 * the machine */

typedef enum { C_FREE, C_NEW, C_AUTHED, C_CLOSING, C_DRAINING, C_DEAD } cstate_t;

typedef struct {
    cstate_t state;
    int fd;
    int id;
    const char *via;             /* "unix" or "tcp" */
    int station;                 /* authenticated: holds a station slot until freed */
    int manager;
    int bad;
    char in[CREW_MAX_LINE + 1];  /* a line and its newline fit; more is refused */
    size_t inlen;
    char *out;
    size_t outlen, outcap;
    double since;                /* when it connected (monotonic) */
    double drain_until;
    size_t drained;
} client_t;

struct crew_server_s {
    int ufd, tfd;
    char *sock_path;
    char *token_path;
    ino_t sock_ino;
    char token[CREW_TOKEN_LEN + 1];
    client_t c[MAX_CLIENTS];
    int next_id;
    FILE *log;                   /* from the last poll, for drops in broadcast */
};

static void set_err(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || !errlen) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void logc(crew_server_t *s, const client_t *c, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void logc(crew_server_t *s, const client_t *c, const char *fmt, ...)
{
    if (!s->log) return;
    fprintf(s->log, "crew: connection %d (%s): ", c->id, c->via);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(s->log, fmt, ap);
    va_end(ap);
    fputc('\n', s->log);
    fflush(s->log);
}

/* ---- opening ------------------------------------------------------------- */

/* Creates the directory that holds path when it is missing (one level). */
static int make_parent(const char *path, char *err, size_t errlen)
{
    const char *slash = strrchr(path, '/');
    if (!slash || slash == path) return 0;
    char *dir = xstrndup(path, (size_t)(slash - path));
    int rc = 0;
    if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
        set_err(err, errlen, "cannot create directory %s (%s): create it or choose another path", dir,
                strerror(errno));
        rc = -1;
    }
    free(dir);
    return rc;
}

/* 1 when path is a crew token file a kiosk made: a regular file (not a
 * link) of this user's, mode 0600, exactly one line of CREW_TOKEN_LEN
 * lower-case hex digits. */
static int is_token_file(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
        (st.st_mode & 07777) != 0600 || st.st_size != CREW_TOKEN_LEN + 1)
        return 0;
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) return 0;
    char buf[CREW_TOKEN_LEN + 2];
    ssize_t n = read(fd, buf, sizeof buf);
    close(fd);
    if (n != CREW_TOKEN_LEN + 1 || buf[CREW_TOKEN_LEN] != '\n') return 0;
    for (int i = 0; i < CREW_TOKEN_LEN; i++)
        if (!strchr("0123456789abcdef", buf[i]) || !buf[i]) return 0;
    return 1;
}

/* Writes the token's line to fd (mode 0600 whatever the umask) and closes
 * it; the message names path (and tmp, the file written, when not NULL). */
static int write_line(int fd, const char line[CREW_TOKEN_LEN + 1], const char *path, const char *tmp,
                      char *err, size_t errlen)
{
    int rc = 0;
    if (fchmod(fd, 0600) < 0 || write(fd, line, CREW_TOKEN_LEN + 1) != CREW_TOKEN_LEN + 1) {
        set_err(err, errlen, "cannot write the crew token to %s (%s)", tmp ? tmp : path, strerror(errno));
        rc = -1;
    }
    if (close(fd) < 0 && rc == 0) {
        set_err(err, errlen, "cannot write the crew token to %s (%s)", tmp ? tmp : path, strerror(errno));
        rc = -1;
    }
    return rc;
}

static int write_token(crew_server_t *s, const char *path, char *err, size_t errlen)
{
    unsigned char raw[CREW_TOKEN_LEN / 2];
    size_t got = 0;
    while (got < sizeof raw) {
        ssize_t n = getrandom(raw + got, sizeof raw - got, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        got += (size_t)n;
    }
    if (got < sizeof raw) {   /* an old kernel: /dev/urandom */
        int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
        got = 0;
        while (fd >= 0 && got < sizeof raw) {
            ssize_t n = read(fd, raw + got, sizeof raw - got);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) break;
            got += (size_t)n;
        }
        if (fd >= 0) close(fd);
        if (got < sizeof raw) {
            set_err(err, errlen, "cannot get random bytes for the crew token (%s)", strerror(errno));
            return -1;
        }
    }
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < sizeof raw; i++) {
        s->token[2 * i] = hex[raw[i] >> 4];
        s->token[2 * i + 1] = hex[raw[i] & 15];
    }
    s->token[CREW_TOKEN_LEN] = '\0';

    if (make_parent(path, err, errlen) < 0) return -1;
    char line[CREW_TOKEN_LEN + 1];
    memcpy(line, s->token, CREW_TOKEN_LEN);
    line[CREW_TOKEN_LEN] = '\n';

    /* A new file: created here or not at all (O_EXCL), 0600 whatever the
     * umask.  --crew-token once wrote over whatever the path named, a menu
     * included. */
    int fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd >= 0) {
        int rc = write_line(fd, line, path, NULL, err, errlen);
        if (rc < 0) unlink(path);   /* ours, and not a token */
        return rc;
    }
    if (errno != EEXIST) {
        set_err(err, errlen, "cannot write the crew token to %s (%s): check the directory's permissions",
                path, strerror(errno));
        return -1;
    }
    /* There is one: replaced only when it is a token file a kiosk made (a
     * previous run's), by a new file renamed over it, so that it is never
     * half written and a station never reads a mix of two tokens. */
    if (!is_token_file(path)) {
        set_err(err, errlen, "%s exists and is not a crew token file (one line of %d hex digits, mode 0600, "
                             "as the kiosk writes it); remove it or give another --crew-token", path,
                CREW_TOKEN_LEN);
        return -1;
    }
    char *tmp = xasprintf("%s.XXXXXX", path);
    fd = mkostemp(tmp, O_CLOEXEC);
    if (fd < 0) {
        set_err(err, errlen, "cannot write the crew token next to %s (%s): check the directory's permissions",
                path, strerror(errno));
        free(tmp);
        return -1;
    }
    int rc = write_line(fd, line, path, tmp, err, errlen);
    if (rc == 0 && rename(tmp, path) < 0) {
        set_err(err, errlen, "cannot replace the crew token file %s (%s)", path, strerror(errno));
        rc = -1;
    }
    if (rc < 0) unlink(tmp);
    free(tmp);
    return rc;
}

static int open_unix(crew_server_t *s, const char *path, char *err, size_t errlen)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    if (strlen(path) >= sizeof sa.sun_path) {
        set_err(err, errlen, "crew socket path %s is too long (at most %zu bytes): choose a shorter one",
                path, sizeof sa.sun_path - 1);
        return -1;
    }
    strcpy(sa.sun_path, path);
    struct stat st;
    if (lstat(path, &st) == 0) {
        if (!S_ISSOCK(st.st_mode)) {
            set_err(err, errlen, "crew socket path %s exists and is not a socket: remove it or choose "
                                 "another path", path);
            return -1;
        }
        /* a socket file: a live kiosk answers, a stale one refuses */
        int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (probe >= 0) {
            int live = connect(probe, (struct sockaddr *)&sa, sizeof sa) == 0;
            close(probe);
            if (live) {
                set_err(err, errlen, "another kiosk is already listening on %s: stop it first (only one "
                                     "`kiosk run` per crew socket)", path);
                return -1;
            }
        }
        if (unlink(path) < 0 && errno != ENOENT) {
            set_err(err, errlen, "cannot remove the stale crew socket %s (%s): remove it by hand", path,
                    strerror(errno));
            return -1;
        }
    } else if (make_parent(path, err, errlen) < 0) {
        return -1;
    }
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(fd, MAX_CLIENTS) < 0) {
        set_err(err, errlen, "cannot listen on crew socket %s (%s): check the directory or choose another "
                             "path", path, strerror(errno));
        if (fd >= 0) close(fd);
        return -1;
    }
    if (stat(path, &st) == 0) s->sock_ino = st.st_ino;
    s->ufd = fd;
    s->sock_path = xstrdup(path);
    return 0;
}

static int open_tcp(crew_server_t *s, int port, char *err, size_t errlen)
{
    if (port < 1 || port > 65535) {
        set_err(err, errlen, "crew TCP port %d is not a port number (1 to 65535)", port);
        return -1;
    }
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);   /* never another interface */
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
        bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(fd, MAX_CLIENTS) < 0) {
        set_err(err, errlen, "cannot listen on 127.0.0.1:%d for the crew (%s): choose another port", port,
                strerror(errno));
        if (fd >= 0) close(fd);
        return -1;
    }
    s->tfd = fd;
    return 0;
}

crew_server_t *crew_server_open(const char *sock_path, int tcp_port, const char *token_path, char *err,
                                size_t errlen)
{
    crew_server_t *s = xcalloc(1, sizeof *s);
    s->ufd = s->tfd = -1;
    for (int i = 0; i < MAX_CLIENTS; i++) s->c[i].fd = -1;
    s->next_id = 1;
    if (open_unix(s, sock_path, err, errlen) < 0) goto err;
    if (tcp_port && open_tcp(s, tcp_port, err, errlen) < 0) goto err;
    if (write_token(s, token_path, err, errlen) < 0) goto err;
    s->token_path = xstrdup(token_path);
    return s;
err:
    crew_server_close(s);
    return NULL;
}

static void client_free(client_t *c)
{
    if (c->fd >= 0) close(c->fd);
    free(c->out);
    memset(c, 0, sizeof *c);
    c->fd = -1;
    c->state = C_FREE;
}

void crew_server_close(crew_server_t *s)
{
    if (!s) return;
    for (int i = 0; i < MAX_CLIENTS; i++)
        if (s->c[i].state != C_FREE) client_free(&s->c[i]);
    if (s->ufd >= 0) {
        close(s->ufd);
        /* only our own socket file: not one a later kiosk put there */
        struct stat st;
        if (stat(s->sock_path, &st) == 0 && st.st_ino == s->sock_ino) unlink(s->sock_path);
    }
    if (s->tfd >= 0) close(s->tfd);
    free(s->sock_path);
    free(s->token_path);
    free(s);
}

/* ---- output -------------------------------------------------------------- */

static void flush(crew_server_t *s, client_t *c)
{
    while (c->outlen && c->state != C_DEAD) {
        ssize_t n = send(c->fd, c->out, c->outlen, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
        if (n <= 0) {
            logc(s, c, "closed: %s", n < 0 ? strerror(errno) : "send failed");
            c->state = C_DEAD;
            return;
        }
        memmove(c->out, c->out + n, c->outlen - (size_t)n);
        c->outlen -= (size_t)n;
    }
}

/* Queues one line (newline added) and tries to send it. */
static void queue(crew_server_t *s, client_t *c, const char *json)
{
    if (c->state == C_DEAD || c->state == C_DRAINING || c->state == C_FREE) return;
    size_t n = strlen(json);
    if (c->outlen + n + 1 > OUT_MAX) {
        logc(s, c, "dropped: cannot keep up (%zu bytes unsent)", c->outlen);
        c->state = C_DEAD;
        return;
    }
    if (c->outlen + n + 1 > c->outcap) {
        size_t cap = c->outcap ? c->outcap : 1024;
        while (cap < c->outlen + n + 1) cap *= 2;
        if (cap > OUT_MAX) cap = OUT_MAX;
        c->out = xrealloc(c->out, cap);
        c->outcap = cap;
    }
    memcpy(c->out + c->outlen, json, n);
    c->out[c->outlen + n] = '\n';
    c->outlen += n + 1;
    flush(s, c);
}

static void queue_error(crew_server_t *s, client_t *c, const char *why)
{
    strbuf_t b = {0};
    strbuf_append(&b, "{\"error\": ");
    strbuf_json_str(&b, why);
    strbuf_append(&b, "}");
    queue(s, c, strbuf_cstr(&b));
    strbuf_free(&b);
}

/* Answers why, then closes once the answer is sent. */
static void refuse(crew_server_t *s, client_t *c, const char *why, const char *logged)
{
    queue_error(s, c, why);
    logc(s, c, "refused: %s", logged);
    if (c->state != C_DEAD) c->state = C_CLOSING;
}

static client_t *by_id(crew_server_t *s, int id)
{
    for (int i = 0; i < MAX_CLIENTS; i++)
        if (s->c[i].state != C_FREE && s->c[i].id == id) return &s->c[i];
    return NULL;
}

void crew_server_reply(crew_server_t *s, int client, const char *json)
{
    client_t *c = by_id(s, client);
    if (c) queue(s, c, json);
}

void crew_server_broadcast(crew_server_t *s, const char *json, int managers_only)
{
    for (int i = 0; i < MAX_CLIENTS; i++) {
        client_t *c = &s->c[i];
        if (c->state == C_AUTHED && (!managers_only || c->manager)) queue(s, c, json);
    }
}

int crew_server_clients(const crew_server_t *s)
{
    int n = 0;
    for (int i = 0; i < MAX_CLIENTS; i++) n += s->c[i].state == C_AUTHED;
    return n;
}

/* ---- input --------------------------------------------------------------- */

/* Station slots taken (connections that authenticated, until freed). */
static int stations(const crew_server_t *s)
{
    int n = 0;
    for (int i = 0; i < MAX_CLIENTS; i++) n += s->c[i].state != C_FREE && s->c[i].station;
    return n;
}

/* Pending slots taken (connections that never authenticated). */
static int pending(const crew_server_t *s)
{
    int n = 0;
    for (int i = 0; i < MAX_CLIENTS; i++) n += s->c[i].state != C_FREE && !s->c[i].station;
    return n;
}

/* One complete line from c; returns 1 when it went to fn. */
static int handle_line(crew_server_t *s, client_t *c, char *line, size_t len, crew_msg_fn fn, void *ctx)
{
    if (len && line[len - 1] == '\r') len--;
    if (len == 0) return 0;   /* a blank line, as `nc` users send */
    crew_msg_t m;
    char why[256];
    int ok = crew_parse(line, len, &m, why, sizeof why) == 0;

    if (c->state == C_NEW) {
        if (ok && m.kind == CREW_AUTH && crew_token_equal(m.token, s->token) && stations(s) >= MAX_STATIONS) {
            char *msg = xasprintf("too many crew stations connected (%d)", MAX_STATIONS);
            refuse(s, c, msg, msg);
            free(msg);
        } else if (ok && m.kind == CREW_AUTH && crew_token_equal(m.token, s->token)) {
            c->state = C_AUTHED;
            c->station = 1;
            c->manager = m.manager;
            queue(s, c, m.manager ? "{\"ok\": \"auth\", \"role\": \"manager\"}"
                                  : "{\"ok\": \"auth\", \"role\": \"crew\"}");
            logc(s, c, "authenticated as %s", m.manager ? "manager" : "crew");
            /* the kiosk answers with where things stand (crew_msg_fn) */
            if (fn) fn(ctx, c->id, c->manager, &m);
        } else if (ok && m.kind == CREW_AUTH) {
            char *msg = xasprintf("wrong token: use the one in %s", s->token_path);
            refuse(s, c, msg, "wrong token");
            free(msg);
        } else if (ok) {
            refuse(s, c, "not authenticated: send {\"auth\": TOKEN} first", "not authenticated");
        } else {
            char *msg = xasprintf("not authenticated: %s", why);
            refuse(s, c, msg, msg);
            free(msg);
        }
        return 0;
    }

    if (ok && m.kind == CREW_AUTH) {
        ok = 0;
        snprintf(why, sizeof why, "already authenticated");
    }
    if (!ok) {
        queue_error(s, c, why);
        logc(s, c, "bad message: %s", why);
        if (++c->bad >= MAX_BAD && c->state == C_AUTHED) {
            logc(s, c, "closed: %d bad messages", c->bad);
            c->state = C_CLOSING;
        }
        return 0;
    }
    if (!fn) return 0;
    fn(ctx, c->id, c->manager, &m);
    return 1;
}

/* Reads what c has sent and handles each complete line. */
static int read_client(crew_server_t *s, client_t *c, crew_msg_fn fn, void *ctx)
{
    int handed = 0;
    size_t total = 0;
    while ((c->state == C_NEW || c->state == C_AUTHED) && total < READ_PER_POLL) {
        ssize_t n = recv(c->fd, c->in + c->inlen, sizeof c->in - c->inlen, MSG_DONTWAIT);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
        if (n <= 0) {
            logc(s, c, "closed%s%s", n < 0 ? ": " : " by the station", n < 0 ? strerror(errno) : "");
            c->state = C_DEAD;
            break;
        }
        total += (size_t)n;
        size_t scanned = c->inlen, start = 0;
        c->inlen += (size_t)n;
        for (size_t i = scanned; i < c->inlen && (c->state == C_NEW || c->state == C_AUTHED); i++) {
            if (c->in[i] != '\n') continue;
            handed += handle_line(s, c, c->in + start, i - start, fn, ctx);
            start = i + 1;
        }
        if (c->state != C_NEW && c->state != C_AUTHED) break;
        memmove(c->in, c->in + start, c->inlen - start);
        c->inlen -= start;
        if (c->inlen == sizeof c->in) {   /* no newline within CREW_MAX_LINE + 1 bytes */
            char *msg = xasprintf("message longer than %d bytes", CREW_MAX_LINE);
            refuse(s, c, msg, msg);
            free(msg);
            break;
        }
    }
    return handed;
}

/* CLOSING -> DRAINING -> closed: see the top of the file. */
static void closing(crew_server_t *s, client_t *c, double now)
{
    if (c->state == C_CLOSING) {
        flush(s, c);
        if (c->state == C_CLOSING && c->outlen == 0) {
            shutdown(c->fd, SHUT_WR);
            c->state = C_DRAINING;
            c->drain_until = now + DRAIN_S;
        } else if (c->state == C_CLOSING && !c->drain_until) {
            c->drain_until = now + DRAIN_S;   /* the reason must go out within this */
        } else if (c->state == C_CLOSING && now > c->drain_until) {
            c->state = C_DEAD;
        }
    }
    if (c->state == C_DRAINING) {
        char junk[4096];
        for (;;) {
            ssize_t n = recv(c->fd, junk, sizeof junk, MSG_DONTWAIT);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
            if (n <= 0 || (c->drained += (size_t)n) > DRAIN_MAX) {
                c->state = C_DEAD;
                break;
            }
        }
        if (c->state == C_DRAINING && now > c->drain_until) c->state = C_DEAD;
    }
}

/* A pending connection that may be dropped for a newcomer: one being
 * refused anyway, or one that had GRACE_S to send its token. */
static int evictable(const client_t *c, double now)
{
    return c->state != C_FREE && !c->station && (c->state != C_NEW || now - c->since >= GRACE_S);
}

/* 1 when a newcomer can be given a pending slot now. */
static int pending_room(const crew_server_t *s, double now)
{
    if (pending(s) < MAX_PENDING) return 1;
    for (int i = 0; i < MAX_CLIENTS; i++)
        if (evictable(&s->c[i], now)) return 1;
    return 0;
}

/* Drops one evictable pending connection: one being refused first, else the
 * oldest. */
static void drop_pending(crew_server_t *s, double now)
{
    client_t *victim = NULL;
    for (int i = 0; i < MAX_CLIENTS; i++) {
        client_t *c = &s->c[i];
        if (!evictable(c, now)) continue;
        int refused = c->state != C_NEW, vrefused = victim && victim->state != C_NEW;
        if (!victim || refused > vrefused || (refused == vrefused && c->id < victim->id)) victim = c;
    }
    if (!victim) return;
    if (victim->state == C_NEW) {
        /* the reason, if its buffer takes it; it is not waited for */
        char *msg = xasprintf("not authenticated: dropped for a newer connection (%d may wait at once)",
                              MAX_PENDING);
        queue_error(s, victim, msg);
        free(msg);
        logc(s, victim, "dropped: not authenticated, and %d newer connections are waiting", MAX_PENDING);
    }
    client_free(victim);
}

/* Accepts while there is room (see "Slots" at the top).  Returns the
 * messages handed to fn. */
static int accept_all(crew_server_t *s, int lfd, const char *via, crew_msg_fn fn, void *ctx)
{
    int handed = 0;
    for (int n = 0; n < MAX_CLIENTS; n++) {   /* bounded work a poll */
        if (pending(s) >= MAX_PENDING)   /* tokens that came in free their slots */
            for (int i = 0; i < MAX_CLIENTS; i++)
                if (s->c[i].state == C_NEW) handed += read_client(s, &s->c[i], fn, ctx);
        double now = mono();
        if (!pending_room(s, now)) return handed;   /* the rest wait in the listen queue */
        client_t *c = NULL;
        for (int i = 0; i < MAX_CLIENTS && !c; i++)
            if (s->c[i].state == C_FREE) c = &s->c[i];
        if (!c) return handed;   /* cannot be: stations, pending and one more have slots */
        int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED) continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK && s->log)
                fprintf(s->log, "crew: accept (%s): %s\n", via, strerror(errno));
            return handed;
        }
        c->state = C_NEW;
        c->fd = fd;
        c->id = s->next_id++;
        c->via = via;
        c->since = now;
        logc(s, c, "connected");
        handed += read_client(s, c, fn, ctx);
        if (pending(s) > MAX_PENDING) drop_pending(s, now);
    }
    return handed;
}

int crew_server_poll(crew_server_t *s, crew_msg_fn fn, void *ctx, FILE *log)
{
    s->log = log;
    int handed = 0;
    if (s->ufd >= 0) handed += accept_all(s, s->ufd, "unix", fn, ctx);
    if (s->tfd >= 0) handed += accept_all(s, s->tfd, "tcp", fn, ctx);
    double now = mono();
    for (int i = 0; i < MAX_CLIENTS; i++) {
        client_t *c = &s->c[i];
        if (c->state == C_NEW || c->state == C_AUTHED) {
            flush(s, c);
            handed += read_client(s, c, fn, ctx);
        }
        if (c->state == C_NEW && now - c->since > AUTH_S)   /* a silent one must not hold a slot */
            refuse(s, c, "not authenticated: send {\"auth\": TOKEN} first", "not authenticated in time");
    }
    /* after every callback: closing, draining and dead connections */
    for (int i = 0; i < MAX_CLIENTS; i++) {
        client_t *c = &s->c[i];
        if (c->state == C_CLOSING || c->state == C_DRAINING) closing(s, c, now);
        if (c->state == C_DEAD) client_free(c);
    }
    return handed;
}

int crew_server_fds(const crew_server_t *s, int *fds, int *want_write, int max)
{
    int n = 0;
    /* no room for a newcomer: the listening sockets wait (a pending
     * connection's time-out, or its next message, polls again) */
    int room = pending_room(s, mono());
    if (room && s->ufd >= 0 && n < max) { fds[n] = s->ufd; want_write[n++] = 0; }
    if (room && s->tfd >= 0 && n < max) { fds[n] = s->tfd; want_write[n++] = 0; }
    for (int i = 0; i < MAX_CLIENTS && n < max; i++) {
        const client_t *c = &s->c[i];
        if (c->state == C_FREE || c->state == C_DEAD || c->fd < 0) continue;
        fds[n] = c->fd;
        want_write[n++] = c->outlen > 0;
    }
    return n;
}
