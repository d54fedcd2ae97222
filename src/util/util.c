/* util.c: see util.h. */
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void oom(void)
{
    fputs("kiosk: out of memory\n", stderr);
    abort();
}

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) oom();
    return p;
}

void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p) oom();
    return p;
}

void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p) oom();
    return p;
}

char *xstrdup(const char *s)
{
    return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
    char *p = xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *xasprintf(const char *fmt, ...)
{
    strbuf_t b = {0};
    va_list ap;
    va_start(ap, fmt);
    strbuf_vprintf(&b, fmt, ap);
    va_end(ap);
    return strbuf_steal(&b);
}

static void reserve(strbuf_t *b, size_t extra)
{
    if (b->len + extra + 1 <= b->cap) return;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->len + extra + 1) cap *= 2;
    b->s = xrealloc(b->s, cap);
    b->cap = cap;
}

void strbuf_appendn(strbuf_t *b, const char *s, size_t n)
{
    reserve(b, n);
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

void strbuf_append(strbuf_t *b, const char *s)
{
    strbuf_appendn(b, s, strlen(s));
}

void strbuf_vprintf(strbuf_t *b, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0) return;
    reserve(b, (size_t)n);
    vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
}

void strbuf_printf(strbuf_t *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    strbuf_vprintf(b, fmt, ap);
    va_end(ap);
}

void strbuf_json_str(strbuf_t *b, const char *s)
{
    if (!s) {
        strbuf_append(b, "null");
        return;
    }
    strbuf_append(b, "\"");
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"': strbuf_append(b, "\\\""); break;
        case '\\': strbuf_append(b, "\\\\"); break;
        case '\n': strbuf_append(b, "\\n"); break;
        case '\r': strbuf_append(b, "\\r"); break;
        case '\t': strbuf_append(b, "\\t"); break;
        default:
            if (*p < 0x20) strbuf_printf(b, "\\u%04x", *p);
            else strbuf_appendn(b, (const char *)p, 1);
        }
    }
    strbuf_append(b, "\"");
}

const char *strbuf_cstr(const strbuf_t *b)
{
    return b->s ? b->s : "";
}

void strbuf_reset(strbuf_t *b)
{
    b->len = 0;
    if (b->s) b->s[0] = '\0';
}

char *strbuf_steal(strbuf_t *b)
{
    char *s = b->s ? b->s : xstrdup("");
    b->s = NULL;
    b->len = b->cap = 0;
    return s;
}

void strbuf_free(strbuf_t *b)
{
    free(b->s);
    b->s = NULL;
    b->len = b->cap = 0;
}

void strlist_push_owned(strlist_t *l, char *s)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 8;
        l->v = xrealloc(l->v, (size_t)l->cap * sizeof *l->v);
    }
    l->v[l->n++] = s;
}

void strlist_push(strlist_t *l, const char *s)
{
    strlist_push_owned(l, xstrdup(s));
}

void strlist_pushf(strlist_t *l, const char *fmt, ...)
{
    strbuf_t b = {0};
    va_list ap;
    va_start(ap, fmt);
    strbuf_vprintf(&b, fmt, ap);
    va_end(ap);
    strlist_push_owned(l, strbuf_steal(&b));
}

int strlist_index(const strlist_t *l, const char *s)
{
    for (int i = 0; i < l->n; i++)
        if (strcmp(l->v[i], s) == 0) return i;
    return -1;
}

void strlist_free(strlist_t *l)
{
    for (int i = 0; i < l->n; i++) free(l->v[i]);
    free(l->v);
    l->v = NULL;
    l->n = l->cap = 0;
}

int split_words(const char *s, strlist_t *out)
{
    int n = 0;
    while (*s) {
        while (*s == ' ' || *s == '\t' || *s == '\n') s++;
        const char *e = s;
        while (*e && *e != ' ' && *e != '\t' && *e != '\n') e++;
        if (e > s) {
            strlist_push_owned(out, xstrndup(s, (size_t)(e - s)));
            n++;
        }
        s = e;
    }
    return n;
}

/* ---- strmap ---------------------------------------------------------------- */

static size_t str_hash(const char *s)
{
    uint32_t h = 2166136261u;   /* FNV-1a */
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 16777619u;
    }
    return h;
}

/* The slot holding key, or the empty one where it would go; cap > n. */
static size_t strmap_slot(const strmap_t *m, const char *key)
{
    size_t i = str_hash(key) & (m->cap - 1);
    while (m->keys[i] && strcmp(m->keys[i], key) != 0) i = (i + 1) & (m->cap - 1);
    return i;
}

int strmap_get(const strmap_t *m, const char *key)
{
    if (!m->cap) return -1;
    size_t i = strmap_slot(m, key);
    return m->keys[i] ? m->vals[i] : -1;
}

/* At least room for want keys, at most half full. */
static void strmap_resize(strmap_t *m, size_t want)
{
    size_t cap = m->cap ? m->cap : 16;
    while (2 * want > cap) cap *= 2;
    if (cap == m->cap) return;
    strmap_t big = { xcalloc(cap, sizeof *big.keys), NULL, m->n, cap };
    big.vals = xcalloc(big.cap, sizeof *big.vals);
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->keys[i]) continue;
        size_t j = strmap_slot(&big, m->keys[i]);
        big.keys[j] = m->keys[i];
        big.vals[j] = m->vals[i];
    }
    free(m->keys);
    free(m->vals);
    *m = big;
}

static void strmap_grow(strmap_t *m)
{
    if (2 * (m->n + 1) > m->cap) strmap_resize(m, 2 * (m->n + 1));
}

void strmap_reserve(strmap_t *m, size_t n)
{
    strmap_resize(m, n);
}

int strmap_add(strmap_t *m, const char *key, int val)
{
    strmap_grow(m);
    size_t i = strmap_slot(m, key);
    if (m->keys[i]) return m->vals[i];
    m->keys[i] = key;
    m->vals[i] = val;
    m->n++;
    return -1;
}

void strmap_set(strmap_t *m, const char *key, int val)
{
    strmap_grow(m);
    size_t i = strmap_slot(m, key);
    if (!m->keys[i]) m->n++;
    m->keys[i] = key;
    m->vals[i] = val;
}

void strmap_free(strmap_t *m)
{
    free(m->keys);
    free(m->vals);
    memset(m, 0, sizeof *m);
}

/* ---- files ------------------------------------------------------------------ */

static const char *file_kind(mode_t mode)
{
    if (S_ISDIR(mode)) return "a directory";
    if (S_ISCHR(mode)) return "a character device";
    if (S_ISBLK(mode)) return "a block device";
    if (S_ISFIFO(mode)) return "a FIFO";
    if (S_ISSOCK(mode)) return "a socket";
    return "not a file";
}

int open_regular(const char *path, long long *size, int *not_regular, char *why, size_t whylen)
{
    if (not_regular) *not_regular = 0;
    /* O_NONBLOCK: opening a FIFO for reading would otherwise wait for a
     * writer, for ever; it changes nothing for a regular file */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    struct stat st;
    if (fd < 0) {
        int e = errno;
        /* a socket cannot be opened at all (ENXIO): say what it is */
        if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
            snprintf(why, whylen, "not a regular file (%s)", file_kind(st.st_mode));
            if (not_regular) *not_regular = 1;
        } else {
            snprintf(why, whylen, "%s", strerror(e));
        }
        return -1;
    }
    if (fstat(fd, &st) != 0) {
        snprintf(why, whylen, "%s", strerror(errno));
        close(fd);
        return -1;
    }
    if (!S_ISREG(st.st_mode)) {
        snprintf(why, whylen, "not a regular file (%s)", file_kind(st.st_mode));
        if (not_regular) *not_regular = 1;
        close(fd);
        return -1;
    }
    if (size) *size = (long long)st.st_size;
    return fd;
}

int read_regular(const char *path, size_t max, strbuf_t *out, char *why, size_t whylen)
{
    long long size = 0;
    int not_regular = 0;
    int fd = open_regular(path, &size, &not_regular, why, whylen);
    if (fd < 0) return not_regular ? -2 : -1;
    if (size > (long long)max) {
        snprintf(why, whylen, "too big (%lld bytes)", size);
        close(fd);
        return -2;
    }
    /* up to max + 1 bytes: one more than allowed means the file grew */
    size_t start = out->len, want = max + 1;
    reserve(out, (size_t)size + 1);
    for (;;) {
        size_t got = out->len - start;
        if (got >= want) break;
        char buf[65536];
        size_t chunk = want - got < sizeof buf ? want - got : sizeof buf;
        ssize_t n = read(fd, buf, chunk);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            snprintf(why, whylen, "%s", strerror(errno));
            close(fd);
            return -1;
        }
        if (n == 0) break;
        strbuf_appendn(out, buf, (size_t)n);
    }
    close(fd);
    if (out->len - start > max) {
        snprintf(why, whylen, "too big (more than %zu bytes)", max);
        return -2;
    }
    reserve(out, 0);
    out->s[out->len] = '\0';
    return 0;
}
