/* yamlerr.c: libyaml's syntax errors said in a manager's words (yamlerr.h).
 *
 * libyaml stops where the text stops making sense to it, which is often not
 * where the mistake is: a key without its colon ("price 3.50") is only found
 * wrong at the next line, and an unclosed quote at the end of the file.  Its
 * problem and context strings tell which rule broke; this file reads the
 * lines around the marks to find the line the manager must fix and says what
 * to write there.  The common mistakes, each seen from libyaml 0.2.5:
 *
 *   key without colon      "could not find expected ':'" (simple key), or
 *                          "mapping values are not allowed" on the next line
 *   line indented too far  "mapping values are not allowed" (the line is read
 *                          as the continuation of the value above)
 *   line not lined up      "did not find expected '-' indicator" (in a list),
 *                          "did not find expected key" (among keys)
 *   "- " among keys        "did not find expected key"
 *   tab in the indentation "found a tab character that violates indentation"
 *   unclosed quote         "found unexpected end of stream" (quoted scalar)
 *   unclosed [ or {        "did not find expected ',' or ']'" (flow ...)
 *
 * Anything else gets a plain fallback at libyaml's position: the context
 * string ("while parsing a block collection") is never shown.  Columns here
 * are in characters, as libyaml counts them; lines are 0-based inside. */
#include "yamlerr.h"
#include "../util/util.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *text;
    size_t len;
    size_t *starts;      /* where each line starts: looked up, not counted */
    size_t nlines;       /* from the start of the text each time, which made */
} src_t;                 /* an error after 300 000 lines take seconds */

static void index_lines(src_t *s)
{
    size_t cap = 1024;
    s->starts = xmalloc(cap * sizeof *s->starts);
    s->starts[0] = 0;
    s->nlines = 1;
    for (size_t i = 0; i < s->len; i++) {
        if (s->text[i] != '\n') continue;
        if (s->nlines == cap) s->starts = xrealloc(s->starts, (cap *= 2) * sizeof *s->starts);
        s->starts[s->nlines++] = i + 1;
    }
}

/* Start of line (0-based) and its length without the line break; NULL past
 * the end. */
static const char *line_at(const src_t *s, size_t line, size_t *n)
{
    if (line >= s->nlines) return NULL;
    size_t i = s->starts[line];
    if (i > s->len) return NULL;
    size_t e = i;
    while (e < s->len && s->text[e] != '\n') e++;
    if (e > i && s->text[e - 1] == '\r') e--;
    *n = e - i;
    return s->text + i;
}

/* Byte offset in l of character column col (0-based). */
static size_t col_byte(const char *l, size_t n, size_t col)
{
    size_t b = 0;
    for (size_t c = 0; b < n && c < col; c++) {
        b++;
        while (b < n && ((unsigned char)l[b] & 0xC0) == 0x80) b++;
    }
    return b;
}

/* 1-based character column of byte offset b in l. */
static int byte_col(const char *l, size_t b)
{
    int col = 1;
    for (size_t i = 0; i < b; i++)
        if (((unsigned char)l[i] & 0xC0) != 0x80) col++;
    return col;
}

static size_t skip_spaces(const char *l, size_t n, size_t i)
{
    while (i < n && l[i] == ' ') i++;
    return i;
}

/* Where a line's text starts, after its indentation and any "- ". */
static size_t after_dashes(const char *l, size_t n)
{
    size_t i = skip_spaces(l, n, 0);
    while (i < n && l[i] == '-' && (i + 1 == n || l[i + 1] == ' ')) i = skip_spaces(l, n, i + 1);
    return i;
}

/* End of a line's text from i: before a comment (" #"), trailing spaces off. */
static size_t text_end(const char *l, size_t n, size_t i)
{
    char q = 0;
    size_t e = i;
    for (; e < n; e++) {
        if (q) {
            if (l[e] == q) q = 0;
        } else if (l[e] == '"' || l[e] == '\'') {
            q = l[e];
        } else if (l[e] == '#' && (e == 0 || l[e - 1] == ' ')) {
            break;
        }
    }
    while (e > i && (l[e - 1] == ' ' || l[e - 1] == '\t')) e--;
    return e;
}

static int is_blank(const char *l, size_t n)
{
    size_t i = skip_spaces(l, n, 0);
    return i == n || l[i] == '#';
}

/* The key a line starts with ("  - name: A" -> "name"): 1 with its byte
 * offset and length, 0 when the line has none. */
static int line_key(const char *l, size_t n, size_t *at, size_t *klen)
{
    size_t i = after_dashes(l, n), e = text_end(l, n, i);
    char q = 0;
    for (size_t j = i; j < e; j++) {
        if (q) {
            if (l[j] == q) q = 0;
        } else if (l[j] == '"' || l[j] == '\'') {
            q = l[j];
        } else if (l[j] == ':' && (j + 1 == e || l[j + 1] == ' ')) {
            size_t k = j;
            while (k > i && l[k - 1] == ' ') k--;
            if (k == i) return 0;
            *at = i;
            *klen = k - i;
            return 1;
        }
    }
    return 0;
}

/* The nearest line above line that is not blank or a comment; NULL if none. */
static const char *line_above(const src_t *s, size_t line, size_t *n, size_t *which)
{
    while (line-- > 0) {
        const char *l = line_at(s, line, n);
        if (l && !is_blank(l, *n)) {
            *which = line;
            return l;
        }
    }
    return NULL;
}

/* "price 3.50" -> "price: 3.50": the colon after the first word. */
static char *with_colon(const char *s, size_t n)
{
    size_t k = 0;
    while (k < n && s[k] != ' ') k++;
    if (k == n) return xasprintf("%.*s:", (int)n, s);
    size_t v = skip_spaces(s, n, k);
    return xasprintf("%.*s: %.*s", (int)k, s, (int)(n - v), s + v);
}

/* A line that lacks the colon after its key: the message, at its text. */
static char *needs_colon(const char *l, size_t n, size_t line, int *oline, int *ocol)
{
    size_t i = after_dashes(l, n), e = text_end(l, n, i);
    char *fix = with_colon(l + i, e - i);
    char *msg = xasprintf("\"%.*s\" needs a colon after the key: \"%s\"", (int)(e - i), l + i, fix);
    free(fix);
    *oline = (int)line + 1;
    *ocol = byte_col(l, i);
    return msg;
}

/* The innermost "[" or "{" left open before byte offset end; -1 if none. */
static long unclosed_bracket(const src_t *s, size_t end)
{
    long stack[64];
    int top = 0;
    char q = 0;
    int comment = 0;
    for (size_t i = 0; i < end && i < s->len; i++) {
        char ch = s->text[i];
        if (ch == '\n') comment = 0;
        if (comment) continue;
        if (q) {
            if (ch == q && !(q == '"' && i > 0 && s->text[i - 1] == '\\')) q = 0;
        } else if (ch == '"' || ch == '\'') {
            q = ch;
        } else if (ch == '#' && (i == 0 || s->text[i - 1] == ' ' || s->text[i - 1] == '\n')) {
            comment = 1;
        } else if (ch == '[' || ch == '{') {
            if (top < 64) stack[top] = (long)i;
            top++;
        } else if ((ch == ']' || ch == '}') && top > 0) {
            top--;
        }
    }
    return top > 0 && top <= 64 ? stack[top - 1] : -1;
}

/* Line (0-based) and the line's start of byte offset off. */
static size_t offset_line(const src_t *s, size_t off, size_t *start)
{
    if (off > s->len) off = s->len;
    size_t lo = 0, hi = s->nlines;   /* the last line starting at or before off */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->starts[mid] <= off) lo = mid;
        else hi = mid;
    }
    *start = s->starts[lo];
    return lo;
}

/* Byte offset of a mark in the text. */
static size_t mark_offset(const src_t *s, yaml_mark_t m)
{
    size_t n = 0;
    const char *l = line_at(s, m.line, &n);
    if (!l) return s->len;
    return (size_t)(l - s->text) + col_byte(l, n, m.column);
}

/* A tab in the indentation of line: its byte offset, else -1. */
static long tab_in_indent(const char *l, size_t n)
{
    for (size_t i = 0; i < n && (l[i] == ' ' || l[i] == '\t' || l[i] == '-'); i++)
        if (l[i] == '\t') return (long)i;
    return -1;
}

static char *explain(src_t *s, const yaml_parser_t *p, int *oline, int *ocol);

char *yamlerr_explain(const char *text, size_t len, const yaml_parser_t *p, int *oline, int *ocol)
{
    src_t s = { text, len, NULL, 0 };
    index_lines(&s);
    char *msg = explain(&s, p, oline, ocol);
    free(s.starts);
    return msg;
}

static char *explain(src_t *sp, const yaml_parser_t *p, int *oline, int *ocol)
{
    const src_t s = *sp;
    const char *problem = p->problem ? p->problem : "";
    const char *context = p->context ? p->context : "";
    size_t pl = p->problem_mark.line, cl = p->context_mark.line;
    size_t pn = 0, cn = 0;
    const char *pline = line_at(&s, pl, &pn);
    const char *cline = p->context ? line_at(&s, cl, &cn) : NULL;
    if (!pline) pline = "", pn = 0;
    size_t pb = col_byte(pline, pn, p->problem_mark.column);
    *oline = (int)pl + 1;
    *ocol = (int)p->problem_mark.column + 1;

    /* A tab where YAML wants spaces, on either line libyaml names. */
    long tab = tab_in_indent(pline, pn);
    if (tab >= 0) {
        *ocol = byte_col(pline, (size_t)tab);
        return xstrdup("this line is indented with a tab; indent with spaces only");
    }
    if (cline && (tab = tab_in_indent(cline, cn)) >= 0) {
        *oline = (int)cl + 1;
        *ocol = byte_col(cline, (size_t)tab);
        return xstrdup("this line is indented with a tab; indent with spaces only");
    }

    if (strstr(context, "quoted scalar") && cline) {
        size_t cb = col_byte(cline, cn, p->context_mark.column);
        char qc = cb < cn ? cline[cb] : '"';
        *oline = (int)cl + 1;
        *ocol = (int)p->context_mark.column + 1;
        if (strstr(problem, "escape")) {
            *oline = (int)pl + 1;
            *ocol = (int)p->problem_mark.column + 1;
            return xstrdup("a backslash inside double quotes starts an escape; write \\\\ for a backslash, "
                           "or use single quotes");
        }
        return xasprintf("the quote %c opened here is never closed; add a closing %c at the end of the value",
                         qc, qc);
    }

    if (strstr(problem, "expected ':'") && cline)
        return needs_colon(cline, cn, cl, oline, ocol);

    if (strstr(problem, "mapping values are not allowed")) {
        size_t at, klen;
        if (line_key(pline, pn, &at, &klen) && at + klen < pb) {
            /* "name: A: B": a second ": " in the value */
            size_t v = skip_spaces(pline, pn, at + klen + 1), e = text_end(pline, pn, v);
            *ocol = byte_col(pline, v);
            return xasprintf("\"%.*s\" has \": \" in it, which YAML reads as another key; put the value in "
                             "quotes: %.*s: \"%.*s\"", (int)(e - v), pline + v, (int)klen, pline + at,
                             (int)(e - v), pline + v);
        }
        size_t an = 0, al = 0;
        const char *above = line_above(&s, pl, &an, &al);
        if (above) {
            size_t aat, aklen;
            if (!line_key(above, an, &aat, &aklen)) return needs_colon(above, an, al, oline, ocol);
            /* the line was read as the value above going on: indented too far */
            size_t i = skip_spaces(pline, pn, 0), e = pb;
            while (e > i && pline[e - 1] == ' ') e--;
            *ocol = byte_col(pline, i);
            return xasprintf("this line is indented more than the line above it; line \"%.*s:\" up with "
                             "\"%.*s:\" (column %d)", (int)(e - i), pline + i, (int)aklen, above + aat,
                             byte_col(above, aat));
        }
    }

    if (strstr(problem, "expected '-' indicator") && cline) {
        size_t cb = col_byte(cline, cn, p->context_mark.column);
        size_t kb = after_dashes(cline, cn);
        int dash_col = byte_col(cline, cb), key_col = byte_col(cline, kb);
        size_t i = skip_spaces(pline, pn, 0), e = text_end(pline, pn, i);
        size_t at, klen, ckat, cklen;
        *ocol = byte_col(pline, i);
        if (*ocol == dash_col)
            return xasprintf("\"%.*s\" is lined up with the \"- \" entries of the list above (line %d) but does "
                             "not start with \"- \"; write \"- %.*s\" for a new entry, or indent it to column %d "
                             "to belong to the entry above", (int)(e - i), pline + i, (int)cl + 1,
                             (int)(e - i), pline + i, key_col);
        if (line_key(pline, pn, &at, &klen) && line_key(cline, cn, &ckat, &cklen))
            return xasprintf("this line is not lined up with the list above it; indent \"%.*s:\" to column %d "
                             "like \"%.*s:\" on line %d (a new entry starts with \"- \" at column %d)",
                             (int)klen, pline + at, key_col, (int)cklen, cline + ckat, (int)cl + 1, dash_col);
        return xasprintf("this line is not lined up with the list above it; indent it to column %d like the "
                         "entry on line %d (a new entry starts with \"- \" at column %d)", key_col,
                         (int)cl + 1, dash_col);
    }

    if (strstr(problem, "expected key") && cline) {
        size_t i = skip_spaces(pline, pn, 0);
        size_t ckat, cklen;
        int have_ckey = line_key(cline, cn, &ckat, &cklen);
        /* text after a closing quote: "name: "A" B" */
        size_t b = pb;
        while (b > 0 && pline[b - 1] == ' ') b--;
        if (b > i && b < pn && (pline[b - 1] == '"' || pline[b - 1] == '\'')) {
            *ocol = byte_col(pline, pb);
            return xstrdup("there is text after the closing quote; put the whole value inside the quotes");
        }
        *ocol = byte_col(pline, i);
        if (i < pn && pline[i] == '-' && (i + 1 == pn || pline[i + 1] == ' ')) {
            if (*ocol == (int)p->context_mark.column + 1 && have_ckey)
                return xasprintf("a \"- \" entry cannot stand among keys such as \"%.*s:\" (line %d); write it "
                                 "as a key like the lines above, or make every line a \"- \" entry",
                                 (int)cklen, cline + ckat, (int)cl + 1);
            for (size_t l = pl; l-- > 0;) {
                size_t n;
                const char *u = line_at(&s, l, &n);
                size_t j = u ? skip_spaces(u, n, 0) : 0;
                if (u && j < n && u[j] == '-' && (j + 1 == n || u[j + 1] == ' '))
                    return xasprintf("this line is not lined up with the list above it; line up its \"-\" "
                                     "with the \"-\" on line %d (column %d)", (int)l + 1, byte_col(u, j));
            }
        }
        size_t at, klen, an = 0, al = 0, aat, aklen;
        const char *above = line_above(&s, pl, &an, &al);
        if (line_key(pline, pn, &at, &klen) && have_ckey) {
            int ccol = byte_col(cline, ckat);
            if (above && al != cl && line_key(above, an, &aat, &aklen) && byte_col(above, aat) != ccol)
                return xasprintf("\"%.*s:\" is not lined up with the keys above it; move it to column %d "
                                 "(like \"%.*s:\" on line %d) or column %d (like \"%.*s:\" on line %d)",
                                 (int)klen, pline + at, byte_col(above, aat), (int)aklen, above + aat,
                                 (int)al + 1, ccol, (int)cklen, cline + ckat, (int)cl + 1);
            return xasprintf("\"%.*s:\" is not lined up with the keys above it; move it to column %d (like "
                             "\"%.*s:\" on line %d)", (int)klen, pline + at, ccol, (int)cklen, cline + ckat,
                             (int)cl + 1);
        }
    }

    if (strstr(context, "flow") || strstr(problem, "',' or")) {
        if (strstr(problem, "expected ','") && cline && cl == pl) {
            char close = strstr(problem, "']'") ? ']' : '}';
            return xasprintf("separate the entries with \", \" and end the list with \"%c\" (put an entry "
                             "that has a comma or a colon in quotes)", close);
        }
        long open = unclosed_bracket(&s, mark_offset(&s, p->problem_mark));
        if (open >= 0) {
            size_t start, line = offset_line(&s, (size_t)open, &start);
            char ch = s.text[open];
            *oline = (int)line + 1;
            *ocol = byte_col(s.text + start, (size_t)open - start);
            return xasprintf("this \"%c\" is never closed; add \"%c\" at the end of the %s", ch,
                             ch == '[' ? ']' : '}', ch == '[' ? "list" : "map");
        }
    }

    if (strstr(problem, "undefined alias") || strstr(problem, "cannot start any token")) {
        char ch = pb < pn ? pline[pb] : '*';
        return xasprintf("a value cannot start with \"%c\"; put the value in quotes", ch);
    }

    return xstrdup("this line cannot be read; check its indentation (spaces only, lined up with the lines "
                   "above), the colon after each key, and that every quote and bracket is closed");
}
