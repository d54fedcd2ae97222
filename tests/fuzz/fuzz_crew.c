/* fuzz_crew.c: libFuzzer over the crew station's message parser
 * (src/crew/proto.c), the edge where a socket's bytes come in.
 *
 * Each input is taken twice: whole, as one message of any length and bytes,
 * and split into lines the way the server splits a connection's stream (a
 * buffer of CREW_MAX_LINE + 1 bytes, a trailing '\r' dropped, a line that
 * does not fit refused).  Beyond "no crash, no sanitizer report", it checks
 * what the rest of the kiosk relies on: a good message's fields are in range
 * and "say" is plain lower-case words; a refusal has a reason that is one
 * line of printable ASCII.
 *
 *   make fuzz FUZZ_SECONDS=120 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/crew/proto.h"

#define CHECK(cond)                                                                  \
    do {                                                                             \
        if (!(cond)) {                                                               \
            fprintf(stderr, "fuzz_crew: %s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
            abort();                                                                 \
        }                                                                            \
    } while (0)

static void one(const char *buf, size_t len)
{
    crew_msg_t m;
    char err[256];
    memset(err, 'X', sizeof err);
    int rc = crew_parse(buf, len, &m, err, sizeof err);
    CHECK(rc == 0 || rc == -1);
    if (rc < 0) {
        size_t n = strnlen(err, sizeof err);
        CHECK(n > 0 && n < sizeof err);
        for (size_t i = 0; i < n; i++) CHECK(err[i] >= 0x20 && err[i] < 0x7f);
        CHECK(len <= CREW_MAX_LINE || !strcmp(err, "message longer than 1024 bytes"));
        return;
    }
    CHECK(len <= CREW_MAX_LINE);
    CHECK(memchr(buf, '\0', len) == NULL);
    CHECK((int)m.kind >= CREW_AUTH && (int)m.kind < CREW_KINDS);
    CHECK(crew_kind_names[m.kind] != NULL);
    switch (m.kind) {
    case CREW_AUTH:
        CHECK(strlen(m.token) == CREW_TOKEN_LEN);
        CHECK(strspn(m.token, "0123456789abcdef") == CREW_TOKEN_LEN);
        CHECK(crew_token_equal(m.token, m.token));
        CHECK(m.manager == 0 || m.manager == 1);
        break;
    case CREW_EDIT: {
        size_t n = strlen(m.say);
        CHECK(n > 0 && n <= 200);
        CHECK(strspn(m.say, "abcdefghijklmnopqrstuvwxyz0123456789' ") == n);
        CHECK(m.say[0] != ' ' && m.say[n - 1] != ' ' && !strstr(m.say, "  "));
        break;
    }
    case CREW_REMOVE:
        CHECK(m.line >= 1 && m.line <= 999);
        break;
    case CREW_TALK:
        CHECK(m.down == 0 || m.down == 1);
        break;
    default:
        break;
    }
}

/* The server's splitting, as a model: lines up to CREW_MAX_LINE bytes go to
 * the parser; a longer one ends the connection. */
static void split(const uint8_t *data, size_t size)
{
    char in[CREW_MAX_LINE + 1];
    size_t have = 0;
    for (size_t i = 0; i < size; i++) {
        if (data[i] == '\n') {
            size_t n = have;
            if (n && in[n - 1] == '\r') n--;
            if (n) one(in, n);
            have = 0;
            continue;
        }
        if (have == sizeof in) return;   /* refused and closed */
        in[have++] = (char)data[i];
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* a copy of exactly size bytes, so that ASan sees any read past the end */
    char *buf = malloc(size ? size : 1);
    if (!buf) return 0;
    memcpy(buf, data, size);
    one(buf, size);
    free(buf);
    split(data, size);
    return 0;
}
