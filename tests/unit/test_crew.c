/* test_crew.c: the crew station link: messages (src/crew/proto.c) as a table
 * of inputs and the fields or the exact error they give, and the server
 * (src/crew/server.c) in-process over real sockets in a temporary directory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/prctl.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include "../../src/crew/server.h"
#include "../../src/util/util.h"

/* ---- messages --------------------------------------------------------------- */

#define TOK "0123456789abcdef0123456789abcdef"

typedef struct {
    const char *in;
    int kind;            /* expected kind, when err is NULL */
    const char *err;     /* the exact error, or NULL for a good message */
    int line, down, manager;
    const char *say;
    const char *token;
} row_t;

static const row_t rows[] = {
    /* good ones, every kind */
    { "{\"auth\": \"" TOK "\"}", CREW_AUTH, NULL, 0, 0, 0, NULL, TOK },
    { "{\"auth\": \"" TOK "\", \"role\": \"crew\"}", CREW_AUTH, NULL, 0, 0, 0, NULL, TOK },
    { "{\"role\": \"manager\", \"auth\": \"0123456789ABCDEF0123456789abcdef\"}", CREW_AUTH, NULL, 0, 0, 1, NULL, TOK },
    { "{\"action\": \"ack\"}", CREW_ACK, NULL, 0, 0, 0, NULL, NULL },
    { " {\"action\":\"take_over\"} \r", CREW_TAKE_OVER, NULL, 0, 0, 0, NULL, NULL },
    { "{\"action\": \"hand_back\"}", CREW_HAND_BACK, NULL, 0, 0, 0, NULL, NULL },
    { "{\"action\": \"edit\", \"say\": \"two large cokes\"}", CREW_EDIT, NULL, 0, 0, 0, "two large cokes", NULL },
    { "{\"say\": \"Two  Large, COKES -- please!\", \"action\": \"edit\"}", CREW_EDIT, NULL, 0, 0, 0,
      "two large cokes please", NULL },
    { "{\"action\": \"edit\", \"say\": \"i'd like 2 cokes\"}", CREW_EDIT, NULL, 0, 0, 0, "i'd like 2 cokes", NULL },
    { "{\"action\": \"remove\", \"line\": 1}", CREW_REMOVE, NULL, 1, 0, 0, NULL, NULL },
    { "{\"action\": \"remove\", \"line\": 999}", CREW_REMOVE, NULL, 999, 0, 0, NULL, NULL },
    { "{\"action\": \"confirm\"}", CREW_CONFIRM, NULL, 0, 0, 0, NULL, NULL },
    { "{\"action\": \"cancel\"}", CREW_CANCEL, NULL, 0, 0, 0, NULL, NULL },
    { "{\"action\": \"talk\", \"down\": true}", CREW_TALK, NULL, 0, 1, 0, NULL, NULL },
    { "{\"action\": \"talk\", \"down\": false}", CREW_TALK, NULL, 0, 0, 0, NULL, NULL },
    { "{\"action\": \"gone\"}", CREW_GONE, NULL, 0, 0, 0, NULL, NULL },
    { "{\"action\": \"apply\"}", CREW_APPLY, NULL, 0, 0, 0, NULL, NULL },
    { "{\"action\": \"apply\", \"say\": \"a coke\"}", 0,
      "unknown key \"say\" for \"apply\" (allowed: action)", 0, 0, 0, NULL, NULL },

    /* not JSON, not an object */
    { "", 0, "empty message: send one JSON object a line", 0, 0, 0, NULL, NULL },
    { "   ", 0, "empty message: send one JSON object a line", 0, 0, 0, NULL, NULL },
    { "ack", 0, "not JSON: invalid token near 'ack' (column 3)", 0, 0, 0, NULL, NULL },
    { "{\"action\": \"ack\"", 0, "not JSON: '}' expected near end of file (column 16)", 0, 0, 0, NULL, NULL },
    { "{\"action\": \"ack\"} {}", 0, "not JSON: end of file expected near '{' (column 19)", 0, 0, 0, NULL, NULL },
    { "[{\"action\": \"ack\"}]", 0, "not a JSON object: send {\"action\": ...} or {\"auth\": ...}", 0, 0, 0, NULL, NULL },
    { "\"ack\"", 0, "not a JSON object: send {\"action\": ...} or {\"auth\": ...}", 0, 0, 0, NULL, NULL },
    { "42", 0, "not a JSON object: send {\"action\": ...} or {\"auth\": ...}", 0, 0, 0, NULL, NULL },
    { "null", 0, "not a JSON object: send {\"action\": ...} or {\"auth\": ...}", 0, 0, 0, NULL, NULL },
    { "{\"action\": \"ack\", \"action\": \"cancel\"}", 0,
      "not JSON: duplicate object key near '\"action\"' (column 26)", 0, 0, 0, NULL, NULL },

    /* kinds and keys */
    { "{}", 0, "no \"action\": send {\"action\": \"ack\"} or similar", 0, 0, 0, NULL, NULL },
    { "{\"action\": \"dance\"}", 0, "unknown action \"dance\"", 0, 0, 0, NULL, NULL },
    { "{\"action\": \"auth\"}", 0, "unknown action \"auth\"", 0, 0, 0, NULL, NULL },
    { "{\"action\": \"ACK\"}", 0, "unknown action \"ACK\"", 0, 0, 0, NULL, NULL },
    { "{\"action\": \"a\\nb\"}", 0, "unknown action \"a?b\"", 0, 0, 0, NULL, NULL },
    { "{\"action\": 1}", 0, "\"action\" must be a string", 0, 0, 0, NULL, NULL },
    { "{\"action\": null}", 0, "\"action\" must be a string", 0, 0, 0, NULL, NULL },
    { "{\"action\": \"ack\", \"line\": 2}", 0, "unknown key \"line\" for \"ack\" (allowed: action)", 0, 0, 0, NULL, NULL },
    { "{\"action\": \"edit\", \"say\": \"a coke\", \"colour\": \"red\"}", 0,
      "unknown key \"colour\" for \"edit\" (allowed: action, say)", 0, 0, 0, NULL, NULL },
    { "{\"auth\": \"" TOK "\", \"action\": \"ack\"}", 0,
      "unknown key \"action\" for \"auth\" (allowed: auth, role)", 0, 0, 0, NULL, NULL },
    { "{\"action\": \"edit\"}", 0, "\"edit\" needs \"say\"", 0, 0, 0, NULL, NULL },
    { "{\"action\": \"remove\"}", 0, "\"remove\" needs \"line\"", 0, 0, 0, NULL, NULL },
    { "{\"action\": \"talk\"}", 0, "\"talk\" needs \"down\"", 0, 0, 0, NULL, NULL },

    /* types and ranges */
    { "{\"action\": \"remove\", \"line\": 0}", 0, "\"line\" must be a whole number from 1 to 999", 0, 0, 0, NULL, NULL },
    { "{\"action\": \"remove\", \"line\": 1000}", 0, "\"line\" must be a whole number from 1 to 999", 0, 0, 0, NULL, NULL },
    { "{\"action\": \"remove\", \"line\": -1}", 0, "\"line\" must be a whole number from 1 to 999", 0, 0, 0, NULL, NULL },
    { "{\"action\": \"remove\", \"line\": \"2\"}", 0, "\"line\" must be a whole number from 1 to 999", 0, 0, 0, NULL, NULL },
    { "{\"action\": \"remove\", \"line\": 2.5}", 0, "\"line\" must be a whole number from 1 to 999", 0, 0, 0, NULL, NULL },
    { "{\"action\": \"remove\", \"line\": 2.0}", 0, "\"line\" must be a whole number from 1 to 999", 0, 0, 0, NULL, NULL },
    { "{\"action\": \"remove\", \"line\": true}", 0, "\"line\" must be a whole number from 1 to 999", 0, 0, 0, NULL, NULL },
    { "{\"action\": \"remove\", \"line\": 99999999999999999999}", 0,
      "not JSON: too big integer near '99999999999999999999' (column 49)", 0, 0, 0, NULL, NULL },
    { "{\"action\": \"talk\", \"down\": 1}", 0, "\"down\" must be true or false", 0, 0, 0, NULL, NULL },
    { "{\"action\": \"talk\", \"down\": \"true\"}", 0, "\"down\" must be true or false", 0, 0, 0, NULL, NULL },
    { "{\"action\": \"edit\", \"say\": 2}", 0, "\"say\" must be a string of words", 0, 0, 0, NULL, NULL },
    { "{\"action\": \"edit\", \"say\": [\"a\"]}", 0, "\"say\" must be a string of words", 0, 0, 0, NULL, NULL },
    { "{\"action\": \"edit\", \"say\": \"\"}", 0, "\"say\" is empty: give the words, e.g. \"two large cokes\"", 0, 0,
      0, NULL, NULL },
    { "{\"action\": \"edit\", \"say\": \" ?! \"}", 0,
      "\"say\" has no words: give the words, e.g. \"two large cokes\"", 0, 0, 0, NULL, NULL },
    { "{\"action\": \"edit\", \"say\": \"two\\tcokes\"}", 0, "\"say\" has a control character (byte 4)", 0, 0, 0,
      NULL, NULL },
    { "{\"action\": \"edit\", \"say\": \"two\\u001bcokes\"}", 0, "\"say\" has a control character (byte 4)", 0, 0, 0,
      NULL, NULL },
    { "{\"action\": \"edit\", \"say\": \"a caf\\u00e9 latte\"}", 0,
      "\"say\" has a character outside plain English text (byte 6)", 0, 0, 0, NULL, NULL },
    { "{\"action\": \"edit\", \"say\": \"a\\u0000b\"}", 0, "NUL character (\\u0000) in a string (column 36)", 0, 0, 0,
      NULL, NULL },
    { "{\"auth\": \"0123\"}", 0, "\"auth\" must be the 32-character hex token from the kiosk's token file", 0, 0, 0,
      NULL, NULL },
    { "{\"auth\": \"0123456789abcdef0123456789abcdeg\"}", 0,
      "\"auth\" must be the 32-character hex token from the kiosk's token file", 0, 0, 0, NULL, NULL },
    { "{\"auth\": \"" TOK "0\"}", 0, "\"auth\" must be the 32-character hex token from the kiosk's token file", 0, 0,
      0, NULL, NULL },
    { "{\"auth\": 12345}", 0, "\"auth\" must be the 32-character hex token from the kiosk's token file", 0, 0, 0,
      NULL, NULL },
    { "{\"auth\": \"" TOK "\", \"role\": \"boss\"}", 0, "\"role\" must be \"crew\" or \"manager\"", 0, 0, 0, NULL,
      NULL },

    /* bytes that are not text */
    { "{\"action\": \"edit\", \"say\": \"caf\xc3\"}", 0, "invalid UTF-8 at byte 31", 0, 0, 0, NULL, NULL },
    { "{\"action\": \"ack\"}\xff", 0, "invalid UTF-8 at byte 18", 0, 0, 0, NULL, NULL },
    { "{\"action\": \"edit\", \"say\": \"\xc0\xaf\"}", 0, "invalid UTF-8 at byte 28", 0, 0, 0, NULL, NULL },  /* overlong */
    { "{\"action\": \"edit\", \"say\": \"\xed\xa0\x80\"}", 0, "invalid UTF-8 at byte 28", 0, 0, 0, NULL, NULL }, /* surrogate */
    { "{\"action\": \"edit\", \"say\": \"\xf4\x90\x80\x80\"}", 0, "invalid UTF-8 at byte 28", 0, 0, 0, NULL, NULL },
};

static void test_parse_table(void **state)
{
    (void)state;
    int bad = 0;
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        const row_t *r = &rows[i];
        crew_msg_t m;
        char err[256] = "";
        int rc = crew_parse(r->in, strlen(r->in), &m, err, sizeof err);
        if (r->err) {
            if (rc != -1 || strcmp(err, r->err)) {
                print_error("row %zu %s:\n  want error [%s]\n  got %d [%s]\n", i, r->in, r->err, rc, err);
                bad++;
            }
            continue;
        }
        if (rc != 0) fail_msg("row %zu %s: want ok, got [%s]", i, r->in, err);
        if ((int)m.kind != r->kind) fail_msg("row %zu %s: kind %d, want %d", i, r->in, m.kind, r->kind);
        assert_int_equal(m.line, r->line);
        assert_int_equal(m.down, r->down);
        assert_int_equal(m.manager, r->manager);
        assert_string_equal(m.say, r->say ? r->say : "");
        assert_string_equal(m.token, r->token ? r->token : "");
    }
    assert_int_equal(bad, 0);
}

static void test_parse_bytes(void **state)
{
    (void)state;
    crew_msg_t m;
    char err[256];
    /* a NUL inside: the length says where the message ends, not the NUL */
    static const char nul[] = "{\"action\": \"ack\"}\0{\"action\": \"cancel\"}";
    assert_int_equal(crew_parse(nul, sizeof nul - 1, &m, err, sizeof err), -1);
    assert_string_equal(err, "NUL byte in message");
    static const char nul2[] = "{\"action\": \"edit\", \"say\": \"a\0b\"}";
    assert_int_equal(crew_parse(nul2, sizeof nul2 - 1, &m, err, sizeof err), -1);
    assert_string_equal(err, "NUL byte in message");
    /* not NUL-terminated: only len bytes are read */
    char buf[64];
    memset(buf, 'x', sizeof buf);
    memcpy(buf, "{\"action\": \"ack\"}", 17);
    assert_int_equal(crew_parse(buf, 17, &m, err, sizeof err), 0);
    assert_int_equal(m.kind, CREW_ACK);

    /* 1024 bytes are allowed, 1025 are not (spaces are JSON's) */
    char big[CREW_MAX_LINE + 2];
    memset(big, ' ', sizeof big);
    memcpy(big, "{\"action\": \"ack\"}", 17);
    assert_int_equal(crew_parse(big, CREW_MAX_LINE, &m, err, sizeof err), 0);
    assert_int_equal(crew_parse(big, CREW_MAX_LINE + 1, &m, err, sizeof err), -1);
    assert_string_equal(err, "message longer than 1024 bytes");

    /* "say": 200 characters are allowed, 201 are not */
    strbuf_t b = {0};
    strbuf_append(&b, "{\"action\": \"edit\", \"say\": \"");
    for (int i = 0; i < 200; i++) strbuf_append(&b, "a");
    strbuf_append(&b, "\"}");
    assert_int_equal(crew_parse(b.s, b.len, &m, err, sizeof err), 0);
    assert_int_equal(strlen(m.say), 200);
    strbuf_reset(&b);
    strbuf_append(&b, "{\"action\": \"edit\", \"say\": \"");
    for (int i = 0; i < 201; i++) strbuf_append(&b, "a");
    strbuf_append(&b, "\"}");
    assert_int_equal(crew_parse(b.s, b.len, &m, err, sizeof err), -1);
    assert_string_equal(err, "\"say\" is longer than 200 characters");
    strbuf_free(&b);

    /* a tiny error buffer is cut, not overrun */
    char small[8];
    assert_int_equal(crew_parse("[]", 2, &m, small, sizeof small), -1);
    assert_string_equal(small, "not a J");
}

static void test_kind_names(void **state)
{
    (void)state;
    assert_string_equal(crew_kind_names[CREW_AUTH], "auth");
    assert_string_equal(crew_kind_names[CREW_TAKE_OVER], "take_over");
    assert_string_equal(crew_kind_names[CREW_HAND_BACK], "hand_back");
    assert_string_equal(crew_kind_names[CREW_TALK], "talk");
}

static void test_token_equal(void **state)
{
    (void)state;
    assert_int_equal(crew_token_equal(TOK, TOK), 1);
    assert_int_equal(crew_token_equal(TOK, "0123456789abcdef0123456789abcdee"), 0);
    assert_int_equal(crew_token_equal(TOK, "1123456789abcdef0123456789abcdef"), 0);
    assert_int_equal(crew_token_equal(TOK, "0123"), 0);
    assert_int_equal(crew_token_equal("", ""), 0);
}

/* ---- the server ------------------------------------------------------------ */

typedef struct {
    char dir[64], sock[128], token_path[128];
    char token[CREW_TOKEN_LEN + 1];
    crew_server_t *s;
    char *logbuf;
    size_t loglen;
    FILE *log;
    /* what the callback saw */
    int got, client, manager, auths;
    crew_msg_t last;
    pid_t flood;         /* a process flooding the socket, killed at teardown */
} fix_t;

static void on_msg(void *ctx, int client, int manager, const crew_msg_t *m)
{
    fix_t *f = ctx;
    if (m->kind == CREW_AUTH) {   /* a station just authenticated: the kiosk would send its state */
        f->auths++;
        f->manager = manager;
        crew_server_reply(f->s, client, "{\"t\": 0, \"event\": \"state\"}");
        return;
    }
    f->got++;
    f->client = client;
    f->manager = manager;
    f->last = *m;
    crew_server_reply(f->s, client, "{\"ok\": \"test\"}");
}

static int setup_server(void **state)
{
    fix_t *f = xcalloc(1, sizeof *f);
    strcpy(f->dir, "/tmp/test_crew-XXXXXX");
    if (!mkdtemp(f->dir)) return -1;
    snprintf(f->sock, sizeof f->sock, "%s/crew.sock", f->dir);
    snprintf(f->token_path, sizeof f->token_path, "%s/var/crew.token", f->dir);   /* var/ made by open */
    char err[512];
    f->s = crew_server_open(f->sock, 0, f->token_path, err, sizeof err);
    if (!f->s) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    FILE *t = fopen(f->token_path, "r");
    if (!t || fscanf(t, "%32s", f->token) != 1) return -1;
    fclose(t);
    f->log = open_memstream(&f->logbuf, &f->loglen);
    *state = f;
    return 0;
}

static int teardown_server(void **state)
{
    fix_t *f = *state;
    if (f->flood > 0) {
        kill(f->flood, SIGKILL);
        waitpid(f->flood, NULL, 0);
    }
    crew_server_close(f->s);
    fclose(f->log);
    free(f->logbuf);
    unlink(f->token_path);
    char var[160];
    snprintf(var, sizeof var, "%s/var", f->dir);
    rmdir(var);
    rmdir(f->dir);
    free(f);
    return 0;
}

static int connect_unix(const char *path)
{
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    strcpy(sa.sun_path, path);
    assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    fcntl(fd, F_SETFL, O_NONBLOCK);
    return fd;
}

static void send_str(int fd, const char *s)
{
    size_t n = strlen(s), off = 0;
    while (off < n) {
        ssize_t w = send(fd, s + off, n - off, MSG_NOSIGNAL);
        if (w < 0 && errno == EAGAIN) continue;
        assert_true(w > 0);
        off += (size_t)w;
    }
}

/* Polls the server until fd has a whole line (returned, owned by the caller),
 * or the connection ended (NULL, *closed set), or nothing came in time
 * (NULL).  Lines already read are kept in per-fd buffers. */
static char pending[64][8192];
static char *next_line(fix_t *f, int fd, int *closed)
{
    char *buf = pending[fd % 64];
    if (closed) *closed = 0;
    for (int i = 0; i < 2000; i++) {
        char *nl = strchr(buf, '\n');
        if (nl) {
            char *line = xstrndup(buf, (size_t)(nl - buf));
            memmove(buf, nl + 1, strlen(nl + 1) + 1);
            return line;
        }
        crew_server_poll(f->s, on_msg, f, f->log);
        size_t have = strlen(buf);
        ssize_t n = recv(fd, buf + have, sizeof pending[0] - 1 - have, 0);
        if (n > 0) {
            buf[have + (size_t)n] = '\0';
            continue;
        }
        if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) {
            if (closed) *closed = 1;
            return NULL;
        }
        usleep(1000);
    }
    return NULL;
}

static void expect_line(fix_t *f, int fd, const char *want)
{
    int closed;
    char *line = next_line(f, fd, &closed);
    if (!line) fail_msg("no line (%s), want %s", closed ? "closed" : "timed out", want);
    if (strcmp(line, want)) fail_msg("got  %s\nwant %s", line, want);
    free(line);
}

static void expect_closed(fix_t *f, int fd)
{
    int closed;
    char *line = next_line(f, fd, &closed);
    if (line) fail_msg("want the connection closed, got %s", line);
    assert_true(closed);
}

/* Nothing arrives on fd while the server is polled a while. */
static void expect_nothing(fix_t *f, int fd)
{
    for (int i = 0; i < 20; i++) {
        crew_server_poll(f->s, on_msg, f, f->log);
        usleep(500);
    }
    char c;
    ssize_t n = recv(fd, &c, 1, MSG_PEEK);
    assert_true(n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK));
    assert_null(strchr(pending[fd % 64], '\n'));
}

static int auth(fix_t *f, const char *role)
{
    int fd = connect_unix(f->sock);
    pending[fd % 64][0] = '\0';
    char msg[128], want[64];
    snprintf(msg, sizeof msg, "{\"auth\": \"%s\", \"role\": \"%s\"}\n", f->token, role);
    send_str(fd, msg);
    snprintf(want, sizeof want, "{\"ok\": \"auth\", \"role\": \"%s\"}", role);
    int before = f->auths;
    expect_line(f, fd, want);
    /* then the kiosk's answer to a new station, after the ok */
    expect_line(f, fd, "{\"t\": 0, \"event\": \"state\"}");
    assert_int_equal(f->auths, before + 1);
    return fd;
}

static const char *logged(fix_t *f)
{
    fflush(f->log);
    return f->logbuf ? f->logbuf : "";
}

static void test_token_file(void **state)
{
    fix_t *f = *state;
    struct stat st;
    assert_int_equal(stat(f->token_path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(st.st_size, CREW_TOKEN_LEN + 1);
    assert_int_equal(strlen(f->token), CREW_TOKEN_LEN);
    assert_int_equal(strspn(f->token, "0123456789abcdef"), CREW_TOKEN_LEN);
    assert_int_equal(stat(f->sock, &st), 0);
    assert_true(S_ISSOCK(st.st_mode));
}

static void test_wrong_token(void **state)
{
    fix_t *f = *state;
    int fd = connect_unix(f->sock);
    pending[fd % 64][0] = '\0';
    send_str(fd, "{\"auth\": \"ffffffffffffffffffffffffffffffff\"}\n");
    char want[256];
    snprintf(want, sizeof want, "{\"error\": \"wrong token: use the one in %s\"}", f->token_path);
    expect_line(f, fd, want);
    expect_closed(f, fd);
    close(fd);
    assert_non_null(strstr(logged(f), "(unix): refused: wrong token"));
    assert_int_equal(crew_server_clients(f->s), 0);
}

static void test_no_auth(void **state)
{
    fix_t *f = *state;
    int fd = connect_unix(f->sock);
    pending[fd % 64][0] = '\0';
    send_str(fd, "{\"action\": \"confirm\"}\n{\"action\": \"cancel\"}\n");
    expect_line(f, fd, "{\"error\": \"not authenticated: send {\\\"auth\\\": TOKEN} first\"}");
    expect_closed(f, fd);
    close(fd);
    assert_int_equal(f->got, 0);
    assert_non_null(strstr(logged(f), "(unix): refused: not authenticated\n"));

    /* garbage first: the reason, and closed */
    fd = connect_unix(f->sock);
    pending[fd % 64][0] = '\0';
    send_str(fd, "GET / HTTP/1.1\r\n");
    expect_line(f, fd, "{\"error\": \"not authenticated: not JSON: invalid token near 'GET' (column 3)\"}");
    expect_closed(f, fd);
    close(fd);
    assert_int_equal(f->got, 0);
}

static void test_auth_and_messages(void **state)
{
    fix_t *f = *state;
    int fd = auth(f, "crew");
    assert_int_equal(crew_server_clients(f->s), 1);

    /* a good message reaches the callback (which answers) */
    send_str(fd, "{\"action\": \"edit\", \"say\": \"Two large cokes.\"}\n");
    expect_line(f, fd, "{\"ok\": \"test\"}");
    assert_int_equal(f->got, 1);
    assert_int_equal(f->last.kind, CREW_EDIT);
    assert_string_equal(f->last.say, "two large cokes");
    assert_int_equal(f->manager, 0);

    /* a bad one: the reason, and the connection stays */
    send_str(fd, "{\"action\": \"remove\", \"line\": 0}\n");
    expect_line(f, fd, "{\"error\": \"\\\"line\\\" must be a whole number from 1 to 999\"}");
    assert_non_null(strstr(logged(f), "(unix): bad message: \"line\" must be a whole number from 1 to 999"));
    send_str(fd, "{\"auth\": \"" TOK "\"}\n");
    expect_line(f, fd, "{\"error\": \"already authenticated\"}");
    /* two in one write, the second split across writes, CRLF and blank lines */
    send_str(fd, "{\"action\": \"ack\"}\r\n\n{\"action\": \"remove\",");
    expect_line(f, fd, "{\"ok\": \"test\"}");
    send_str(fd, " \"line\": 3}\n");
    expect_line(f, fd, "{\"ok\": \"test\"}");
    assert_int_equal(f->got, 3);
    assert_int_equal(f->last.line, 3);
    assert_int_equal(crew_server_clients(f->s), 1);

    /* a line of exactly 1024 bytes is a message */
    char big[CREW_MAX_LINE + 2];
    memset(big, ' ', sizeof big);
    memcpy(big, "{\"action\": \"ack\"}", 17);
    big[CREW_MAX_LINE] = '\n';
    big[CREW_MAX_LINE + 1] = '\0';
    send_str(fd, big);
    expect_line(f, fd, "{\"ok\": \"test\"}");
    assert_int_equal(f->got, 4);

    /* one byte more: refused and closed */
    big[CREW_MAX_LINE] = ' ';
    send_str(fd, big);
    send_str(fd, "\n");
    expect_line(f, fd, "{\"error\": \"message longer than 1024 bytes\"}");
    expect_closed(f, fd);
    close(fd);
    assert_int_equal(f->got, 4);
    assert_non_null(strstr(logged(f), "(unix): refused: message longer than 1024 bytes"));
    assert_int_equal(crew_server_clients(f->s), 0);
}

static void test_too_many_bad(void **state)
{
    fix_t *f = *state;
    int fd = auth(f, "crew");
    for (int i = 0; i < 20; i++) send_str(fd, "{\"action\": \"dance\"}\n");
    for (int i = 0; i < 20; i++) expect_line(f, fd, "{\"error\": \"unknown action \\\"dance\\\"\"}");
    expect_closed(f, fd);
    close(fd);
    assert_non_null(strstr(logged(f), "closed: 20 bad messages"));
}

static void test_broadcast(void **state)
{
    fix_t *f = *state;
    int crew = auth(f, "crew");
    int manager = auth(f, "manager");
    int stranger = connect_unix(f->sock);   /* connected, never authenticated */
    pending[stranger % 64][0] = '\0';
    crew_server_poll(f->s, on_msg, f, f->log);
    assert_int_equal(crew_server_clients(f->s), 2);

    crew_server_broadcast(f->s, "{\"event\": \"page\"}", 0);
    expect_line(f, crew, "{\"event\": \"page\"}");
    expect_line(f, manager, "{\"event\": \"page\"}");
    expect_nothing(f, stranger);

    crew_server_broadcast(f->s, "{\"event\": \"escalate\"}", 1);
    expect_line(f, manager, "{\"event\": \"escalate\"}");
    expect_nothing(f, crew);
    expect_nothing(f, stranger);

    /* the callback is told who is the manager */
    send_str(manager, "{\"action\": \"ack\"}\n");
    expect_line(f, manager, "{\"ok\": \"test\"}");
    assert_int_equal(f->manager, 1);

    /* a station gone: the others still get events */
    close(crew);
    crew_server_broadcast(f->s, "{\"event\": \"x\"}", 0);
    expect_line(f, manager, "{\"event\": \"x\"}");
    crew_server_poll(f->s, on_msg, f, f->log);
    assert_int_equal(crew_server_clients(f->s), 1);
    close(manager);
    close(stranger);
}

static void test_slow_station_dropped(void **state)
{
    fix_t *f = *state;
    int slow = auth(f, "crew");
    int fast = auth(f, "crew");
    /* slow never reads: after its socket buffer and 64 KiB it is dropped */
    char ev[1001];
    memset(ev, 'x', sizeof ev - 1);
    ev[sizeof ev - 1] = '\0';
    memcpy(ev, "{\"e\": \"", 7);
    memcpy(ev + sizeof ev - 3, "\"}", 2);
    int dropped = 0;
    for (int i = 0; i < 4000 && !dropped; i++) {
        crew_server_broadcast(f->s, ev, 0);
        char sink[4096];
        while (recv(fast, sink, sizeof sink, 0) > 0) {
        }
        dropped = strstr(logged(f), "dropped: cannot keep up") != NULL;
    }
    assert_true(dropped);
    crew_server_poll(f->s, on_msg, f, f->log);
    assert_int_equal(crew_server_clients(f->s), 1);
    close(slow);
    close(fast);
}

/* ---- slots (issue 18): strangers wait in a pool of their own ------------------ */

/* Four connections that never authenticate fill the pending pool.  A fifth
 * waits in the listen queue while they are younger than 0.25 s (they may be
 * stations not yet scheduled to send their token), then pushes the oldest
 * out, with the reason. */
static void test_pending_pool(void **state)
{
    fix_t *f = *state;
    int fd[5];
    for (int i = 0; i < 5; i++) {
        fd[i] = connect_unix(f->sock);
        pending[fd[i] % 64][0] = '\0';
        crew_server_poll(f->s, on_msg, f, f->log);
    }
    assert_null(strstr(logged(f), "connection 5 (unix): connected"));   /* still queued */
    assert_null(strstr(logged(f), "dropped"));
    int fds[CREW_SERVER_MAX_FDS], ww[CREW_SERVER_MAX_FDS];
    assert_int_equal(crew_server_fds(f->s, fds, ww, CREW_SERVER_MAX_FDS), 4);   /* not the listening socket */
    usleep(300 * 1000);
    assert_int_equal(crew_server_fds(f->s, fds, ww, CREW_SERVER_MAX_FDS), 5);   /* listening again */
    expect_line(f, fd[0], "{\"error\": \"not authenticated: dropped for a newer connection (4 may wait at once)\"}");
    expect_closed(f, fd[0]);
    assert_non_null(strstr(logged(f), "crew: connection 1 (unix): dropped: not authenticated, and 4 newer "
                                      "connections are waiting\n"));
    assert_non_null(strstr(logged(f), "connection 5 (unix): connected"));
    for (int i = 1; i < 5; i++) expect_nothing(f, fd[i]);
    /* a station that sent its token while queued gets in without a pending
     * slot: nobody is dropped for it */
    usleep(300 * 1000);
    int st = auth(f, "crew");
    assert_null(strstr(logged(f), "connection 2 (unix): dropped"));
    assert_int_equal(crew_server_clients(f->s), 1);
    for (int i = 0; i < 5; i++) close(fd[i]);
    close(st);
}

/* 16 stations at once; the 17th is refused when it authenticates, with the
 * reason, and does not hold a pending slot after. */
static void test_station_slots(void **state)
{
    fix_t *f = *state;
    int st[16];
    for (int i = 0; i < 16; i++) st[i] = auth(f, "crew");
    assert_int_equal(crew_server_clients(f->s), 16);
    int extra = connect_unix(f->sock);
    pending[extra % 64][0] = '\0';
    char msg[128];
    snprintf(msg, sizeof msg, "{\"auth\": \"%s\"}\n", f->token);
    send_str(extra, msg);
    expect_line(f, extra, "{\"error\": \"too many crew stations connected (16)\"}");
    expect_closed(f, extra);
    close(extra);
    assert_non_null(strstr(logged(f), "refused: too many crew stations connected (16)"));
    /* one leaves: the next one gets its slot */
    close(st[0]);
    crew_server_poll(f->s, on_msg, f, f->log);
    st[0] = auth(f, "manager");
    assert_int_equal(crew_server_clients(f->s), 16);
    for (int i = 0; i < 16; i++) close(st[i]);
}

/* A connection that sends nothing is refused after 3 s (it was 10 s). */
static void test_auth_deadline(void **state)
{
    fix_t *f = *state;
    int fd = connect_unix(f->sock);
    pending[fd % 64][0] = '\0';
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    char got[256] = "";
    size_t have = 0;
    for (;;) {
        crew_server_poll(f->s, on_msg, f, f->log);
        ssize_t n = recv(fd, got + have, sizeof got - 1 - have, 0);
        if (n > 0) have += (size_t)n;
        got[have] = '\0';
        if (strchr(got, '\n')) break;
        clock_gettime(CLOCK_MONOTONIC, &t1);
        if (t1.tv_sec - t0.tv_sec > 6) fail_msg("no refusal within 6 s");
        usleep(10000);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    assert_true(s >= 2.9 && s < 4.5);
    assert_string_equal(got, "{\"error\": \"not authenticated: send {\\\"auth\\\": TOKEN} first\"}\n");
    expect_closed(f, fd);
    close(fd);
    assert_non_null(strstr(logged(f), "refused: not authenticated in time"));
}

/* 16 strangers that reconnect as soon as they are dropped, from another
 * process, as fast as it can: every one of 8 stations gets in (each waits
 * its turn in the listen queue behind the strangers: about a second). */
static void test_stations_under_flood(void **state)
{
    fix_t *f = *state;
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);   /* never outlives the test */
        alarm(120);
        int fds[16];
        for (int i = 0; i < 16; i++) fds[i] = -1;
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        strcpy(sa.sun_path, f->sock);
        for (;;) {   /* until killed */
            for (int i = 0; i < 16; i++) {
                if (fds[i] >= 0) {
                    char buf[512];
                    ssize_t n;
                    while ((n = recv(fds[i], buf, sizeof buf, MSG_DONTWAIT)) > 0) {
                    }
                    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) continue;
                    close(fds[i]);   /* dropped: again */
                }
                fds[i] = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
                if (connect(fds[i], (struct sockaddr *)&sa, sizeof sa) < 0) {
                    close(fds[i]);
                    fds[i] = -1;
                }
            }
            usleep(200);
        }
    }
    f->flood = pid;
    /* the flood is on: strangers fill the pool before the first station */
    for (int i = 0; i < 50; i++) {
        crew_server_poll(f->s, on_msg, f, f->log);
        usleep(2000);
    }
    for (int i = 0; i < 8; i++) {
        int st = auth(f, i % 2 ? "manager" : "crew");
        close(st);
        crew_server_poll(f->s, on_msg, f, f->log);
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    f->flood = 0;
    assert_int_equal(f->auths, 8);
    /* and the strangers were being dropped all along: a flood, not a trickle */
    int drops = 0;
    for (const char *p = logged(f); (p = strstr(p, "dropped: not authenticated")); p++) drops++;
    if (drops < 20) fail_msg("only %d strangers dropped: the flood did not flood", drops);
}

static void test_tcp(void **state)
{
    (void)state;
    char dir[] = "/tmp/test_crew-tcp-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char sock[128], tok[128], err[512];
    snprintf(sock, sizeof sock, "%s/crew.sock", dir);
    snprintf(tok, sizeof tok, "%s/crew.token", dir);
    crew_server_t *s = NULL;
    int port = 0;
    for (int i = 0; i < 20 && !s; i++) {
        port = 20000 + (int)((getpid() * 7 + i * 131) % 40000);
        s = crew_server_open(sock, port, tok, err, sizeof err);
    }
    assert_non_null(s);

    /* bound to 127.0.0.1 only: a connection's peer address tells */
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    struct sockaddr_in peer;
    socklen_t len = sizeof peer;
    assert_int_equal(getpeername(fd, (struct sockaddr *)&peer, &len), 0);
    assert_int_equal(ntohl(peer.sin_addr.s_addr), INADDR_LOOPBACK);
    assert_int_equal(ntohs(peer.sin_port), port);
    fcntl(fd, F_SETFL, O_NONBLOCK);

    fix_t f = { .s = s };
    FILE *t = fopen(tok, "r");
    assert_non_null(t);
    assert_int_equal(fscanf(t, "%32s", f.token), 1);
    fclose(t);
    f.log = open_memstream(&f.logbuf, &f.loglen);
    pending[fd % 64][0] = '\0';
    char msg[128];
    snprintf(msg, sizeof msg, "{\"auth\": \"%s\"}\n", f.token);
    send_str(fd, msg);
    expect_line(&f, fd, "{\"ok\": \"auth\", \"role\": \"crew\"}");
    expect_line(&f, fd, "{\"t\": 0, \"event\": \"state\"}");
    send_str(fd, "{\"action\": \"talk\", \"down\": true}\n");
    expect_line(&f, fd, "{\"ok\": \"test\"}");
    assert_int_equal(f.last.kind, CREW_TALK);
    assert_int_equal(f.last.down, 1);
    assert_non_null(strstr(logged(&f), "(tcp): authenticated as crew"));

    /* bound to 127.0.0.1 only: on this machine's other addresses (when it
     * has any) nothing listens on the port */
    struct ifaddrs *ifs = NULL, *ifa;
    int others = 0;
    if (getifaddrs(&ifs) == 0) {
        for (ifa = ifs; ifa; ifa = ifa->ifa_next) {
            if (!ifa->ifa_addr || ifa->ifa_addr->sa_family != AF_INET) continue;
            struct sockaddr_in other = *(struct sockaddr_in *)ifa->ifa_addr;
            if ((ntohl(other.sin_addr.s_addr) >> 24) == 127) continue;
            other.sin_port = htons((uint16_t)port);
            int o = socket(AF_INET, SOCK_STREAM, 0);
            int rc = connect(o, (struct sockaddr *)&other, sizeof other);
            if (rc == 0) fail_msg("the crew port answers on %s", inet_ntoa(other.sin_addr));
            assert_int_equal(errno, ECONNREFUSED);
            close(o);
            others++;
        }
        freeifaddrs(ifs);
    }
    (void)others;

    /* a second server on the same port is refused with the port named */
    char sock2[160];
    snprintf(sock2, sizeof sock2, "%s/other.sock", dir);
    crew_server_t *s2 = crew_server_open(sock2, port, tok, err, sizeof err);
    assert_null(s2);
    char want[64];
    snprintf(want, sizeof want, "cannot listen on 127.0.0.1:%d", port);
    assert_non_null(strstr(err, want));

    close(fd);
    crew_server_close(s);
    fclose(f.log);
    free(f.logbuf);
    unlink(tok);
    rmdir(dir);
}

static void test_second_server_refused(void **state)
{
    fix_t *f = *state;
    char err[512], tok2[160];
    snprintf(tok2, sizeof tok2, "%s/other.token", f->dir);
    crew_server_t *s2 = crew_server_open(f->sock, 0, tok2, err, sizeof err);
    assert_null(s2);
    char want[256];
    snprintf(want, sizeof want, "another kiosk is already listening on %s: stop it first", f->sock);
    if (!strstr(err, want)) fail_msg("got: %s", err);
    /* the first one still works */
    int fd = auth(f, "crew");
    close(fd);
    unlink(tok2);

    /* a stale socket file (nobody listening) is replaced */
    char stale[160], tok3[160];
    snprintf(stale, sizeof stale, "%s/stale.sock", f->dir);
    snprintf(tok3, sizeof tok3, "%s/stale.token", f->dir);
    int sfd = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    strcpy(sa.sun_path, stale);
    assert_int_equal(bind(sfd, (struct sockaddr *)&sa, sizeof sa), 0);
    close(sfd);   /* bound, never listened, closed: a dead kiosk's file */
    crew_server_t *s3 = crew_server_open(stale, 0, tok3, err, sizeof err);
    if (!s3) fail_msg("stale socket not replaced: %s", err);
    crew_server_close(s3);
    assert_int_equal(access(stale, F_OK), -1);   /* close removes it */
    unlink(tok3);

    /* a path that is not a socket is left alone */
    char plain[160];
    snprintf(plain, sizeof plain, "%s/plain", f->dir);
    FILE *p = fopen(plain, "w");
    fclose(p);
    assert_null(crew_server_open(plain, 0, tok3, err, sizeof err));
    assert_non_null(strstr(err, "exists and is not a socket"));
    unlink(plain);
}

/* The token file is created fresh (O_EXCL, 0600 whatever the umask), or
 * replaced by rename when it is one a kiosk made; anything else at the path
 * is refused and left as it was. */
static void test_token_file_never_overwritten(void **state)
{
    (void)state;
    char dir[] = "/tmp/test_crew-tok-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char sock[128], tok[128], err[512], want[512];
    snprintf(sock, sizeof sock, "%s/crew.sock", dir);
    snprintf(tok, sizeof tok, "%s/crew.token", dir);
    struct stat st;

    /* a new one: 0600 even with no umask */
    mode_t old_mask = umask(0);
    crew_server_t *s = crew_server_open(sock, 0, tok, err, sizeof err);
    umask(old_mask);
    if (!s) fail_msg("%s", err);
    crew_server_close(s);
    assert_int_equal(stat(tok, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0600);
    assert_int_equal(st.st_size, CREW_TOKEN_LEN + 1);
    char first[CREW_TOKEN_LEN + 2] = "";
    FILE *t = fopen(tok, "r");
    assert_non_null(fgets(first, sizeof first, t));
    fclose(t);

    /* the previous run's: replaced by a new file renamed over it */
    ino_t ino = st.st_ino;
    s = crew_server_open(sock, 0, tok, err, sizeof err);
    if (!s) fail_msg("%s", err);
    crew_server_close(s);
    assert_int_equal(stat(tok, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0600);
    assert_true(st.st_ino != ino);
    char second[CREW_TOKEN_LEN + 2] = "";
    t = fopen(tok, "r");
    assert_non_null(fgets(second, sizeof second, t));
    fclose(t);
    assert_int_equal(strlen(second), CREW_TOKEN_LEN + 1);
    assert_string_not_equal(first, second);
    /* and nothing else left in the folder */
    char cmd[256], out[64] = "";
    snprintf(cmd, sizeof cmd, "ls -A %s | wc -l", dir);
    FILE *ls = popen(cmd, "r");
    assert_non_null(fgets(out, sizeof out, ls));
    pclose(ls);
    assert_int_equal(atoi(out), 1);

    /* anything else is refused, and left as it was */
    static const struct {
        const char *what, *text;
        mode_t mode;
    } rows[] = {
        { "a menu", "menu: Burger Barn\nitems:\n  - name: Fries\n    price: 1\n", 0600 },
        { "an old file readable by all", "old old old old old old old old old old\n", 0644 },
        { "a token, but readable by all", "0123456789abcdef0123456789abcdef\n", 0644 },
        { "a token and more", "0123456789abcdef0123456789abcdef\nx", 0600 },
        { "two tokens", "0123456789abcdef0123456789abcdef\n0123456789abcdef0123456789abcdef\n", 0600 },
        { "a token in capitals", "0123456789ABCDEF0123456789ABCDEF\n", 0600 },
        { "an empty file", "", 0600 },
    };
    snprintf(want, sizeof want, "%s exists and is not a crew token file (one line of 32 hex digits, mode 0600, "
             "as the kiosk writes it); remove it or give another --crew-token", tok);
    for (size_t k = 0; k < sizeof rows / sizeof rows[0]; k++) {
        unlink(tok);
        int fd = open(tok, O_CREAT | O_WRONLY, 0600);
        assert_true(fd >= 0);
        assert_int_equal(fchmod(fd, rows[k].mode), 0);
        assert_int_equal(write(fd, rows[k].text, strlen(rows[k].text)), (ssize_t)strlen(rows[k].text));
        close(fd);
        err[0] = '\0';
        s = crew_server_open(sock, 0, tok, err, sizeof err);
        if (s) fail_msg("%s: was written over", rows[k].what);
        if (strcmp(err, want)) fail_msg("%s: got %s", rows[k].what, err);
        char back[256] = "";
        fd = open(tok, O_RDONLY);
        ssize_t n = read(fd, back, sizeof back - 1);
        close(fd);
        assert_true(n >= 0);
        back[n] = '\0';
        if (strcmp(back, rows[k].text)) fail_msg("%s: changed to %s", rows[k].what, back);
        assert_int_equal(stat(tok, &st), 0);
        assert_int_equal(st.st_mode & 07777, rows[k].mode);
    }
    unlink(tok);
    /* a link, even to a token file, and a directory */
    char target[160];
    snprintf(target, sizeof target, "%s/target", dir);
    int fd = open(target, O_CREAT | O_WRONLY, 0600);
    assert_int_equal(write(fd, "0123456789abcdef0123456789abcdef\n", 33), 33);
    close(fd);
    assert_int_equal(symlink(target, tok), 0);
    assert_null(crew_server_open(sock, 0, tok, err, sizeof err));
    assert_string_equal(err, want);
    assert_int_equal(lstat(tok, &st), 0);
    assert_true(S_ISLNK(st.st_mode));
    unlink(tok);
    assert_int_equal(mkdir(tok, 0700), 0);
    assert_null(crew_server_open(sock, 0, tok, err, sizeof err));
    assert_string_equal(err, want);
    rmdir(tok);

    /* a token path that cannot be written is named */
    char bad[160];
    snprintf(bad, sizeof bad, "%s/target/x/y", dir);
    assert_null(crew_server_open(sock, 0, bad, err, sizeof err));
    assert_non_null(strstr(err, dir));
    unlink(target);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_table),
        cmocka_unit_test(test_parse_bytes),
        cmocka_unit_test(test_kind_names),
        cmocka_unit_test(test_token_equal),
        cmocka_unit_test_setup_teardown(test_token_file, setup_server, teardown_server),
        cmocka_unit_test_setup_teardown(test_wrong_token, setup_server, teardown_server),
        cmocka_unit_test_setup_teardown(test_no_auth, setup_server, teardown_server),
        cmocka_unit_test_setup_teardown(test_auth_and_messages, setup_server, teardown_server),
        cmocka_unit_test_setup_teardown(test_too_many_bad, setup_server, teardown_server),
        cmocka_unit_test_setup_teardown(test_broadcast, setup_server, teardown_server),
        cmocka_unit_test_setup_teardown(test_slow_station_dropped, setup_server, teardown_server),
        cmocka_unit_test_setup_teardown(test_second_server_refused, setup_server, teardown_server),
        cmocka_unit_test_setup_teardown(test_pending_pool, setup_server, teardown_server),
        cmocka_unit_test_setup_teardown(test_station_slots, setup_server, teardown_server),
        cmocka_unit_test_setup_teardown(test_auth_deadline, setup_server, teardown_server),
        cmocka_unit_test_setup_teardown(test_stations_under_flood, setup_server, teardown_server),
        cmocka_unit_test(test_tcp),
        cmocka_unit_test(test_token_file_never_overwritten),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
