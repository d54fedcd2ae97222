/* proto.c: the crew station's messages, checked at the edge (proto.h).
 *
 * A message comes from a socket, so it may hold any bytes.  The checks run in
 * this order, so that the reason given is the most useful one:
 *   length -> NUL bytes -> UTF-8 -> JSON (jansson) -> an object -> its kind
 *   ("auth" or "action") -> no key the kind does not allow -> each value.
 * Error messages are one line of ASCII: anything quoted from the message (a
 * key, an action) is cut short and its control or non-ASCII bytes shown as '?'.
 *
 * "say" goes to the order parser as if a customer had said it, so it is made
 * into what the recogniser would produce: lower case words.  Printable ASCII
 * punctuation ("two cokes, please.") becomes a space; control characters and
 * anything outside ASCII are refused, because the menu's words are plain
 * English and a silent change of "café" into "caf" would be worse than a
 * clear refusal. */
#include "proto.h"

#include <ctype.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define SAY_MAX_CHARS 200
#define LINE_MAX_NO 999

/* The keys each kind allows besides its kind key, and the one it needs. */
static const struct {
    const char *keys[3];   /* all allowed keys, the kind key first */
    const char *needs;     /* required value key, or NULL */
} kind_keys[] = {
    [CREW_AUTH] = { { "auth", "role", NULL }, NULL },
    [CREW_ACK] = { { "action", NULL, NULL }, NULL },
    [CREW_TAKE_OVER] = { { "action", NULL, NULL }, NULL },
    [CREW_HAND_BACK] = { { "action", NULL, NULL }, NULL },
    [CREW_EDIT] = { { "action", "say", NULL }, "say" },
    [CREW_REMOVE] = { { "action", "line", NULL }, "line" },
    [CREW_CONFIRM] = { { "action", NULL, NULL }, NULL },
    [CREW_CANCEL] = { { "action", NULL, NULL }, NULL },
    [CREW_TALK] = { { "action", "down", NULL }, "down" },
    [CREW_GONE] = { { "action", NULL, NULL }, NULL },
    [CREW_APPLY] = { { "action", NULL, NULL }, NULL },
};
#define NKINDS ((int)(sizeof kind_keys / sizeof kind_keys[0]))
_Static_assert(sizeof kind_keys / sizeof kind_keys[0] == CREW_KINDS, "a kind without its keys");

static int fail(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
        /* one line of ASCII whatever jansson or the message put in it (its
         * "near '...'" may cut a UTF-8 character in two) */
        for (char *p = err; *p; p++)
            if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f) *p = '?';
    }
    return -1;
}

/* Text from the message, safe to quote in an error: at most 40 bytes,
 * printable ASCII only. */
static const char *quoted(const char *s, char *buf, size_t n)
{
    size_t i = 0;
    for (; s[i] && i + 1 < n && i < 40; i++) {
        unsigned char c = (unsigned char)s[i];
        buf[i] = (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') ? '?' : (char)c;
    }
    buf[i] = '\0';
    if (s[i] && i + 4 < n) strcpy(buf + i, "...");
    return buf;
}

/* Offset of the first byte that is not well-formed UTF-8 (no overlong forms,
 * no surrogates, nothing above U+10FFFF), or -1 when all is. */
static long utf8_bad_at(const unsigned char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        unsigned char c = s[i];
        size_t n;
        unsigned lo = 0x80, hi = 0xbf;   /* the range of the second byte */
        if (c < 0x80) { i++; continue; }
        else if (c >= 0xc2 && c <= 0xdf) n = 1;
        else if (c >= 0xe0 && c <= 0xef) {
            n = 2;
            if (c == 0xe0) lo = 0xa0;
            if (c == 0xed) hi = 0x9f;
        } else if (c >= 0xf0 && c <= 0xf4) {
            n = 3;
            if (c == 0xf0) lo = 0x90;
            if (c == 0xf4) hi = 0x8f;
        } else return (long)i;
        if (i + n >= len) return (long)i;   /* cut short */
        if (s[i + 1] < lo || s[i + 1] > hi) return (long)i;
        for (size_t k = 2; k <= n; k++)
            if ((s[i + k] & 0xc0) != 0x80) return (long)i;
        i += n + 1;
    }
    return -1;
}

static int is_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* "say": the words, cleaned into out (CREW_MAX_LINE + 1 bytes). */
static int check_say(const char *s, size_t n, char *out, char *err, size_t errlen)
{
    size_t chars = 0;
    for (size_t i = 0; i < n; i++)
        if (((unsigned char)s[i] & 0xc0) != 0x80) chars++;
    if (chars == 0) return fail(err, errlen, "\"say\" is empty: give the words, e.g. \"two large cokes\"");
    if (chars > SAY_MAX_CHARS)
        return fail(err, errlen, "\"say\" is longer than %d characters", SAY_MAX_CHARS);
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f)
            return fail(err, errlen, "\"say\" has a control character (byte %zu)", i + 1);
        if (c >= 0x80)
            return fail(err, errlen, "\"say\" has a character outside plain English text (byte %zu)", i + 1);
        char w;
        if (isalnum(c) || c == '\'') w = (char)tolower(c);
        else w = ' ';   /* space, tab-free punctuation: a word break */
        if (w == ' ' && (o == 0 || out[o - 1] == ' ')) continue;
        out[o++] = w;
    }
    while (o > 0 && out[o - 1] == ' ') o--;
    out[o] = '\0';
    if (o == 0) return fail(err, errlen, "\"say\" has no words: give the words, e.g. \"two large cokes\"");
    return 0;
}

static int check_value(crew_kind_t kind, const char *key, json_t *v, crew_msg_t *out, char *err,
                       size_t errlen)
{
    if (!strcmp(key, "auth")) {
        const char *t = json_is_string(v) ? json_string_value(v) : NULL;
        size_t n = t ? json_string_length(v) : 0;
        int ok = t && n == CREW_TOKEN_LEN;
        for (size_t i = 0; ok && i < n; i++) ok = is_hex(t[i]);
        if (!ok)
            return fail(err, errlen, "\"auth\" must be the %d-character hex token from the kiosk's "
                                     "token file", CREW_TOKEN_LEN);
        for (size_t i = 0; i < n; i++) out->token[i] = (char)tolower((unsigned char)t[i]);
        out->token[n] = '\0';
    } else if (!strcmp(key, "role")) {
        const char *r = json_is_string(v) ? json_string_value(v) : NULL;
        if (r && json_string_length(v) == strlen(r) && !strcmp(r, "manager")) out->manager = 1;
        else if (r && json_string_length(v) == strlen(r) && !strcmp(r, "crew")) out->manager = 0;
        else return fail(err, errlen, "\"role\" must be \"crew\" or \"manager\"");
    } else if (!strcmp(key, "say")) {
        if (!json_is_string(v)) return fail(err, errlen, "\"say\" must be a string of words");
        return check_say(json_string_value(v), json_string_length(v), out->say, err, errlen);
    } else if (!strcmp(key, "line")) {
        json_int_t l = json_is_integer(v) ? json_integer_value(v) : 0;
        if (l < 1 || l > LINE_MAX_NO)
            return fail(err, errlen, "\"line\" must be a whole number from 1 to %d", LINE_MAX_NO);
        out->line = (int)l;
    } else if (!strcmp(key, "down")) {
        if (!json_is_boolean(v)) return fail(err, errlen, "\"down\" must be true or false");
        out->down = json_is_true(v);
    } else {
        (void)kind;   /* "action" was checked by the caller */
    }
    return 0;
}

int crew_parse(const char *buf, size_t len, crew_msg_t *out, char *err, size_t errlen)
{
    char q[48];
    memset(out, 0, sizeof *out);
    if (err && errlen) err[0] = '\0';
    if (len > CREW_MAX_LINE) return fail(err, errlen, "message longer than %d bytes", CREW_MAX_LINE);
    if (len && memchr(buf, '\0', len)) return fail(err, errlen, "NUL byte in message");
    long bad = utf8_bad_at((const unsigned char *)buf, len);
    if (bad >= 0) return fail(err, errlen, "invalid UTF-8 at byte %ld", bad + 1);
    size_t i = 0;
    while (i < len && strchr(" \t\r\n", buf[i])) i++;
    if (i == len) return fail(err, errlen, "empty message: send one JSON object a line");

    json_error_t je;
    json_t *root = json_loadb(buf, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &je);
    if (!root) {
        if (json_error_code(&je) == json_error_null_character)
            return fail(err, errlen, "NUL character (\\u0000) in a string (column %d)", je.column);
        return fail(err, errlen, "not JSON: %s (column %d)", je.text, je.column);
    }
    int rc = -1;
    if (!json_is_object(root)) {
        fail(err, errlen, "not a JSON object: send {\"action\": ...} or {\"auth\": ...}");
        goto out;
    }

    crew_kind_t kind;
    json_t *a = json_object_get(root, "auth");
    json_t *act = json_object_get(root, "action");
    if (a) {
        kind = CREW_AUTH;
    } else if (act) {
        if (!json_is_string(act)) {
            fail(err, errlen, "\"action\" must be a string");
            goto out;
        }
        const char *name = json_string_value(act);
        int k = NKINDS;
        if (json_string_length(act) == strlen(name))
            for (k = CREW_AUTH + 1; k < NKINDS; k++)
                if (!strcmp(name, crew_kind_names[k])) break;
        if (k >= NKINDS) {
            fail(err, errlen, "unknown action \"%s\"", quoted(name, q, sizeof q));
            goto out;
        }
        kind = (crew_kind_t)k;
    } else {
        fail(err, errlen, "no \"action\": send {\"action\": \"ack\"} or similar");
        goto out;
    }
    out->kind = kind;

    const char *key;
    json_t *v;
    json_object_foreach(root, key, v) {
        int allowed = 0;
        for (int k = 0; k < 3 && kind_keys[kind].keys[k]; k++)
            if (!strcmp(key, kind_keys[kind].keys[k])) allowed = 1;
        if (!allowed) {
            char keys[64] = "";
            for (int k = 0; k < 3 && kind_keys[kind].keys[k]; k++)
                snprintf(keys + strlen(keys), sizeof keys - strlen(keys), "%s%s", k ? ", " : "",
                         kind_keys[kind].keys[k]);
            fail(err, errlen, "unknown key \"%s\" for \"%s\" (allowed: %s)", quoted(key, q, sizeof q),
                 crew_kind_names[kind], keys);
            goto out;
        }
    }
    json_object_foreach(root, key, v) {
        if (check_value(kind, key, v, out, err, errlen) < 0) goto out;
    }
    if (kind_keys[kind].needs && !json_object_get(root, kind_keys[kind].needs)) {
        fail(err, errlen, "\"%s\" needs \"%s\"", crew_kind_names[kind], kind_keys[kind].needs);
        goto out;
    }
    rc = 0;
out:
    json_decref(root);
    if (rc < 0) {
        crew_kind_t k = out->kind;
        memset(out, 0, sizeof *out);
        out->kind = k;
    }
    return rc;
}

int crew_token_equal(const char *a, const char *b)
{
    if (strlen(a) != CREW_TOKEN_LEN || strlen(b) != CREW_TOKEN_LEN) return 0;
    volatile unsigned char diff = 0;
    for (int i = 0; i < CREW_TOKEN_LEN; i++) diff |= (unsigned char)(a[i] ^ b[i]);
    return diff == 0;
}
