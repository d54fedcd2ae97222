/* util.h: small helpers shared by every part: checked allocation, growable
 * strings and string lists, JSON string quoting.
 *
 * Ownership: a strbuf_t or strlist_t owns its memory; free it with
 * strbuf_free()/strlist_free().  Allocation failure aborts with a message:
 * the kiosk cannot do anything useful without memory, and a half-built order
 * is worse than a restart. */
#ifndef KIOSK_UTIL_H
#define KIOSK_UTIL_H

#include <stddef.h>
#include <stdarg.h>

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Growable string. s is always NUL-terminated once anything was appended
 * (strbuf_cstr() returns "" for an empty buffer). */
typedef struct {
    char *s;
    size_t len, cap;
} strbuf_t;

void strbuf_append(strbuf_t *b, const char *s);
void strbuf_appendn(strbuf_t *b, const char *s, size_t n);
void strbuf_printf(strbuf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void strbuf_vprintf(strbuf_t *b, const char *fmt, va_list ap);
void strbuf_json_str(strbuf_t *b, const char *s);   /* appends "s" quoted for JSON; NULL -> null */
const char *strbuf_cstr(const strbuf_t *b);
void strbuf_reset(strbuf_t *b);                      /* empty, keeps memory */
char *strbuf_steal(strbuf_t *b);                     /* caller owns result; b is empty afterwards */
void strbuf_free(strbuf_t *b);

/* Growable list of owned strings. */
typedef struct {
    char **v;
    int n, cap;
} strlist_t;

void strlist_push(strlist_t *l, const char *s);       /* copies s */
void strlist_push_owned(strlist_t *l, char *s);       /* takes s */
void strlist_pushf(strlist_t *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int strlist_index(const strlist_t *l, const char *s); /* -1 when absent */
void strlist_free(strlist_t *l);

/* Splits s on spaces into words (copies).  Returns the number of words. */
int split_words(const char *s, strlist_t *out);

/* String -> int map (FNV-1a, open addressing, at most half full): the menu
 * checks look names and phrases up in it rather than through lists, so that
 * a menu of many thousand entries is checked in about linear time.  Keys are
 * borrowed, not copied: they must outlive the map.  Zero-initialise. */
typedef struct {
    const char **keys;
    int *vals;
    size_t n, cap;
} strmap_t;

int strmap_get(const strmap_t *m, const char *key);        /* the value, or -1 when absent */
/* Adds key with val unless it is there; returns the value already there, or
 * -1 when key was added. */
int strmap_add(strmap_t *m, const char *key, int val);
void strmap_set(strmap_t *m, const char *key, int val);    /* adds or replaces */
void strmap_reserve(strmap_t *m, size_t n);                /* room for n keys without growing */
void strmap_free(strmap_t *m);

/* Opens path read-only when it is a regular file, never blocking on a FIFO
 * without a writer or a device (O_NONBLOCK, then fstat).  Returns the
 * descriptor, with its size in *size when size is not NULL; -1 with why
 * filled: "not a regular file (a FIFO)" (and *not_regular set to 1, when not
 * NULL), or strerror's words. */
int open_regular(const char *path, long long *size, int *not_regular, char *why, size_t whylen);

/* Reads the regular file path whole into out (appended, NUL-terminated),
 * when it is at most max bytes (a file that grows past max while being read
 * counts as too big).  Returns 0; -1 when it cannot be read (why: strerror's
 * words); -2 when it is refused, why then saying why: "not a regular file (a
 * directory)" or "too big (2000049 bytes)". */
int read_regular(const char *path, size_t max, strbuf_t *out, char *why, size_t whylen);

#endif
