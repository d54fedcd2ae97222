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

#endif
