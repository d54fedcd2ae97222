/* crew_screen.c: see crew_screen.h.  The layout first (pure), then the
 * terminal (ncurses, the wide-character library so that a menu's or a
 * customer's accented words fit their columns). */
#define NCURSES_WIDECHAR 1
#include "crew_screen.h"

#include <curses.h>
#include <langinfo.h>
#include <limits.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include <wctype.h>

#define STAMP_COLS 9          /* "12:03:04 ": wrapped transcript lines go on under the text */
#define MAX_TYPED 1000        /* a message is at most 1024 bytes (proto.h), with its JSON */
#define MIN_TRANSCRIPT 3      /* rows the order leaves to the transcript, at least */

/* ---- the layout -------------------------------------------------------------- */

/* How many bytes of s fit in cols columns; *used gets their width.  Bytes
 * that are not a character in the locale count one column each (curses
 * shows them somehow; the row is cut anyway). */
static size_t fit(const char *s, int cols, int *used)
{
    mbstate_t st;
    memset(&st, 0, sizeof st);
    size_t off = 0, len = strlen(s);
    int w = 0;
    while (off < len) {
        wchar_t wc;
        size_t n = mbrtowc(&wc, s + off, len - off, &st);
        int cw = 1;
        if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
            n = 1;
            memset(&st, 0, sizeof st);
        } else {
            cw = wcwidth(wc);
            if (cw < 0) cw = 1;
        }
        if (w + cw > cols) break;
        w += cw;
        off += n;
    }
    if (used) *used = w;
    return off;
}

/* s without control characters (a tab or a newline from the kiosk would
 * move curses' cursor off the row). */
static char *printable(const char *s)
{
    char *c = xstrdup(s ? s : "");
    for (char *p = c; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f) *p = ' ';
    return c;
}

static void push_row(cs_frame_t *f, const char *text, int attr)
{
    char *t = printable(text);
    int used;
    size_t n = fit(t, f->cols, &used);
    strbuf_t b = {0};
    strbuf_appendn(&b, t, n);
    if (attr == CS_PAGE)   /* a bar across the screen */
        for (; used < f->cols; used++) strbuf_append(&b, " ");
    free(t);
    strlist_push_owned(&f->text, strbuf_steal(&b));
    f->attr[f->text.n - 1] = attr;
}

/* "-- order ----...", across the screen. */
static void push_rule(cs_frame_t *f, const char *title)
{
    strbuf_t b = {0};
    if (title) strbuf_printf(&b, "-- %s ", title);
    while ((int)b.len < f->cols) strbuf_append(&b, "-");
    push_row(f, strbuf_cstr(&b), CS_PLAIN);
    strbuf_free(&b);
}

/* Where a transcript line's wrapped rows go on: under the text after its
 * time stamp ("12:03:04 "), or after a help line's command column
 * ("  remove N       remove line N ..."). */
static int indent_of(const char *line)
{
    if (strlen(line) > STAMP_COLS && line[2] == ':' && line[5] == ':' && line[8] == ' ') return STAMP_COLS;
    const char *p = line + strspn(line, " ");
    const char *gap = strstr(p, "  ");
    if (*p && gap) return (int)(gap - line + strspn(gap, " "));
    return (int)(p - line) + 2;
}

/* line cut into rows of cols columns, at spaces where it can be; the rows
 * after the first indented as indent_of() says. */
static void wrap(const char *line, int cols, strlist_t *out)
{
    char *t = printable(line);
    const char *s = t;
    int first = 1, indent = indent_of(t);
    if (indent > cols / 2) indent = 0;
    do {
        int room = first ? cols : cols - indent;
        size_t n = fit(s, room, NULL);
        if (s[n]) {   /* more follows: break after the last space, if any */
            size_t sp = n;
            while (sp > 0 && s[sp - 1] != ' ') sp--;
            if (sp > 0) n = sp;
        }
        if (n == 0) n = 1;   /* a character wider than the screen */
        strbuf_t b = {0};
        if (!first) strbuf_printf(&b, "%*s", indent, "");
        strbuf_appendn(&b, s, n);
        while (b.len && b.s[b.len - 1] == ' ') b.s[--b.len] = '\0';
        strlist_push_owned(out, strbuf_steal(&b));
        s += n;
        while (*s == ' ') s++;
        first = 0;
    } while (*s);
    free(t);
}

void crew_screen_header(const crew_view_t *v, strbuf_t *b)
{
    strbuf_append(b, v->lane ? v->lane : "connecting");
    if (v->menu && *v->menu) strbuf_printf(b, " (%s)", v->menu);
    if (!v->car) {
        strbuf_append(b, " | no car");
    } else {
        const char *status = json_string_value(json_object_get(v->order, "status"));
        int yours = v->taken_over || (status && !strcmp(status, "crew"));
        strbuf_printf(b, " | car %d | order: %s", v->car, yours ? "YOURS" : "kiosk");
    }
    if (v->talking) strbuf_append(b, " | TALKING");
}

void crew_screen_page(const crew_view_t *v, double now, int utf8, strbuf_t *b)
{
    if (!v->page_open) return;
    double age = now - v->page_at;
    if (age < 0) age = 0;
    strbuf_append(b, "PAGE");
    if (v->page_car) strbuf_printf(b, " car %d", v->page_car);
    strbuf_printf(b, ": %s %s %ld s", v->page_text ? v->page_text : "?", utf8 ? "\xe2\x80\x94" : "-", (long)age);
}

void crew_screen_compose(const cs_input_t *in, int rows, int cols, cs_frame_t *f)
{
    const crew_view_t *v = in->view;
    memset(f, 0, sizeof *f);
    f->rows = rows < 1 ? 1 : rows;
    f->cols = cols < 1 ? 1 : cols;
    f->attr = xcalloc((size_t)f->rows + 8, sizeof *f->attr);
    strbuf_t b = {0};

    /* the header: who, and the page while it is open */
    int head = 0;
    crew_screen_header(v, &b);
    push_row(f, strbuf_cstr(&b), CS_BOLD);
    head++;
    if (v->page_open && f->rows >= 4) {
        strbuf_reset(&b);
        crew_screen_page(v, in->now, in->utf8, &b);
        push_row(f, strbuf_cstr(&b), CS_PAGE);
        strbuf_reset(&b);
        if (v->escalated)
            strbuf_printf(&b, "not acknowledged: %s; ", v->escalated == 2 ? "sent to the manager" : "chiming again");
        strbuf_append(&b, v->taken_over ? "ack to stop the chime; the car is yours already"
                                        : "ack to stop the chime; take to talk to the car");
        push_row(f, strbuf_cstr(&b), v->escalated ? CS_BOLD : CS_PLAIN);
        head += 2;
    }

    /* the order and the transcript share what the header, three rules, the
     * status row and the command line leave */
    int avail = f->rows - head - 5;
    if (avail >= 2) {
        strlist_t order = {0};
        if (v->car) view_order_lines(v->order, &order);
        else strlist_push(&order, "(no car at the post)");
        int room = avail - (avail / 3 > MIN_TRANSCRIPT ? avail / 3 : MIN_TRANSCRIPT);
        if (room < 1) room = 1;
        push_rule(f, "order");
        int shown = order.n;
        if (order.n > room) {   /* the last lines and the total; the first ones counted */
            shown = room - 1;
            strbuf_reset(&b);
            strbuf_printf(&b, "... %d more", order.n - shown - (shown == 0));
            if (shown == 0) strbuf_printf(&b, "; %s", order.v[order.n - 1]);   /* one row: the total */
            push_row(f, strbuf_cstr(&b), CS_PLAIN);
        }
        for (int i = order.n - shown; i < order.n; i++) push_row(f, order.v[i], CS_PLAIN);
        strlist_free(&order);

        push_rule(f, "transcript");
        int trows = f->rows - f->text.n - 3;
        strlist_t wrapped = {0};
        /* only the newest lines can show: wrap from the end back */
        int first = in->transcript ? in->transcript->n : 0;
        for (int rowsum = 0; first > 0 && rowsum < trows;) {
            strlist_t one = {0};
            wrap(in->transcript->v[--first], f->cols, &one);
            rowsum += one.n;
            strlist_free(&one);
        }
        for (int i = first; in->transcript && i < in->transcript->n; i++)
            wrap(in->transcript->v[i], f->cols, &wrapped);
        int from = wrapped.n > trows ? wrapped.n - trows : 0;
        for (int i = from; i < wrapped.n; i++) push_row(f, wrapped.v[i], CS_PLAIN);
        for (int i = wrapped.n - from; i < trows; i++) push_row(f, "", CS_PLAIN);
        strlist_free(&wrapped);
        push_rule(f, NULL);
    }

    /* the reply to the last command, then the command line */
    while (f->text.n < f->rows - 2) push_row(f, "", CS_PLAIN);
    if (f->text.n < f->rows - 1) {
        const char *st = in->status ? in->status : "";
        int err = strstr(st, "error: ") != NULL;
        push_row(f, *st ? st : "type help for the commands", err ? CS_BOLD : CS_PLAIN);
    }
    /* the tail of a command longer than the row */
    const char *typed = in->typed ? in->typed : "";
    int w;
    fit(typed, 1 << 30, &w);
    while (*typed && w > f->cols - 3) {
        typed++;
        while ((*typed & 0xc0) == 0x80) typed++;
        fit(typed, 1 << 30, &w);
    }
    strbuf_reset(&b);
    strbuf_printf(&b, "> %s", typed);
    push_row(f, strbuf_cstr(&b), CS_PLAIN);
    f->cursor = 2 + w < f->cols ? 2 + w : f->cols - 1;
    strbuf_free(&b);
}

void cs_frame_free(cs_frame_t *f)
{
    strlist_free(&f->text);
    free(f->attr);
    memset(f, 0, sizeof *f);
}

/* ---- the terminal ------------------------------------------------------------- */

struct crew_screen_s {
    SCREEN *scr;
    int utf8;
    strlist_t transcript;   /* stamped, newest last, at most VIEW_MAX_LINES */
    char *status;
    strbuf_t typed;
};

crew_screen_t *crew_screen_open(char *err, size_t errlen)
{
    setlocale(LC_ALL, "");
    const char *term = getenv("TERM");
    if (!term || !*term) {
        snprintf(err, errlen, "TERM is not set");
        return NULL;
    }
    SCREEN *scr = newterm(NULL, stdout, stdin);
    if (!scr) {
        snprintf(err, errlen, "curses does not know the terminal \"%s\"", term);
        return NULL;
    }
    set_term(scr);
    crew_screen_t *cs = xcalloc(1, sizeof *cs);
    cs->scr = scr;
    cs->utf8 = !strcmp(nl_langinfo(CODESET), "UTF-8");
    cs->status = xstrdup("");
    cbreak();
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    nodelay(stdscr, TRUE);   /* keys are read when poll() says they came */
    set_escdelay(25);
    return cs;
}

void crew_screen_close(crew_screen_t *cs)
{
    if (!cs) return;
    endwin();
    delscreen(cs->scr);
    strlist_free(&cs->transcript);
    strbuf_free(&cs->typed);
    free(cs->status);
    free(cs);
}

void crew_screen_note(crew_screen_t *cs, const char *stamp, const char *line)
{
    strlist_t *t = &cs->transcript;
    if (t->n >= VIEW_MAX_LINES) {
        free(t->v[0]);
        memmove(t->v, t->v + 1, (size_t)(t->n - 1) * sizeof *t->v);
        t->n--;
    }
    /* "car 3 order (yours):" heads the order's lines in line mode; here
     * the order has its own place */
    size_t n = strlen(line);
    if (stamp && n > 1 && line[n - 1] == ':') n--;
    if (stamp) strlist_pushf(t, "%s %.*s", stamp, (int)n, line);
    else strlist_pushf(t, "%.*s", (int)n, line);
}

void crew_screen_status(crew_screen_t *cs, const char *text)
{
    free(cs->status);
    cs->status = xstrdup(text);
}

void crew_screen_bell(crew_screen_t *cs)
{
    (void)cs;
    beep();
}

void crew_screen_draw(crew_screen_t *cs, const crew_view_t *v, double now)
{
    int rows, cols;
    getmaxyx(stdscr, rows, cols);
    cs_input_t in = { v, now, &cs->transcript, cs->status, strbuf_cstr(&cs->typed), cs->utf8 };
    cs_frame_t f;
    crew_screen_compose(&in, rows, cols, &f);
    for (int y = 0; y < f.text.n && y < rows; y++) {
        attr_t a = f.attr[y] == CS_PAGE ? A_REVERSE | A_BLINK | A_BOLD : f.attr[y] == CS_BOLD ? A_BOLD : A_NORMAL;
        move(y, 0);
        attrset(a);
        addstr(f.text.v[y]);
        attrset(A_NORMAL);
        clrtoeol();
    }
    move(f.text.n - 1 < rows ? f.text.n - 1 : rows - 1, f.cursor);
    cs_frame_free(&f);
    refresh();
}

/* Removes the last character (not byte) typed. */
static void rubout(strbuf_t *t)
{
    while (t->len && (t->s[t->len - 1] & 0xc0) == 0x80) t->len--;
    if (t->len) t->len--;
    if (t->s) t->s[t->len] = '\0';
}

int crew_screen_keys(crew_screen_t *cs, char **line)
{
    for (;;) {
        wint_t ch;
        int r = get_wch(&ch);
        if (r == ERR) return CS_KEYS_NONE;
        if (r == KEY_CODE_YES) {
            if (ch == KEY_BACKSPACE || ch == KEY_DC) rubout(&cs->typed);
            else if (ch == KEY_ENTER) goto enter;
            else if (ch == KEY_RESIZE) clearok(curscr, TRUE);   /* drawn again whole */
            continue;
        }
        switch (ch) {
        case '\r':
        case '\n':
            goto enter;
        case 3:   /* Ctrl-C, where it comes as a key */
            return CS_KEYS_QUIT;
        case 4:   /* Ctrl-D: the end, on an empty line */
            if (!cs->typed.len) return CS_KEYS_QUIT;
            break;
        case 8:
        case 127:
            rubout(&cs->typed);
            break;
        case 21:   /* Ctrl-U */
            strbuf_reset(&cs->typed);
            break;
        case 12:   /* Ctrl-L */
            clearok(curscr, TRUE);
            break;
        default:
            if (iswprint(ch)) {
                char mb[MB_LEN_MAX];
                mbstate_t st;
                memset(&st, 0, sizeof st);
                size_t n = wcrtomb(mb, (wchar_t)ch, &st);
                if (n == (size_t)-1) break;
                if (cs->typed.len + n > MAX_TYPED) {
                    crew_screen_status(cs, "error: the command is too long");
                    beep();
                    break;
                }
                strbuf_appendn(&cs->typed, mb, n);
            }
        }
        continue;
    enter:
        *line = xstrdup(strbuf_cstr(&cs->typed));
        strbuf_reset(&cs->typed);
        return CS_KEYS_LINE;
    }
}
