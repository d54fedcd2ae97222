/* board.c: the order board, drawn by SDL2_ttf onto a software surface.
 *
 * The picture, top to bottom (every band spans the whole width):
 *   title    the restaurant's name, bold, on a dark grey bar
 *   banner   the status, large and centred, on a colour of its own per state
 *   list     one row per order line: "2  Cheeseburger ......... $6.98", the
 *            options and choices below it in smaller grey text ("no onions,
 *            Drink: Sprite"); the newest line has a lighter background
 *   totals   "Subtotal $9.07  Tax $0.75" on the left, "Total $9.82" bold on
 *            the right; fixed above the strip, empty while there are no lines
 *   heard    "I heard: two cheeseburgers no onions and a large coke"
 *
 * Why it is this way: the board is read from a car about 3 m away, so there
 * is one column, large bold text, light on dark, and nothing moves.  Rows are
 * laid out from the newest line upwards when they do not all fit, so the line
 * the customer just ordered is always on screen.
 *
 * Invariants: the drawing depends only on the view (no clock, no state kept
 * between draws but the fonts and the surface), so one view is one picture;
 * text that does not fit is cut with "…", never wrapped over its neighbours. */
#include "board.h"

#include <SDL.h>
#include <SDL_ttf.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- fonts and metrics -------------------------------------------------- */

enum { F_TITLE, F_BANNER, F_LINE, F_PRICE, F_OPT, F_SMALL, F_TOTAL, F_HEARD, F_HINT, F_N };
enum { FACE_REGULAR, FACE_BOLD };
static const char *const face_files[] = { "DejaVuSans.ttf", "DejaVuSans-Bold.ttf" };
static const int font_face[F_N] = {
    [F_TITLE] = FACE_BOLD,  [F_BANNER] = FACE_BOLD,   [F_LINE] = FACE_BOLD,
    [F_PRICE] = FACE_BOLD,  [F_OPT] = FACE_REGULAR,   [F_SMALL] = FACE_REGULAR,
    [F_TOTAL] = FACE_BOLD,  [F_HEARD] = FACE_REGULAR, [F_HINT] = FACE_REGULAR,
};
/* A font put in assets/ wins over the system's. */
static const char *const font_dirs[] = { "assets/", "/usr/share/fonts/truetype/dejavu/" };

/* One layout, in pixels (font sizes in points at 72 dpi, so about pixels). */
typedef struct {
    int w, h;
    int margin, gap;
    int title_h, banner_h, totals_h, heard_h;
    int row_pad, qty_w, rule;
    int pt[F_N];
} metrics_t;

static const metrics_t layout_1080 = {
    1920, 1080, 64, 24, 112, 136, 128, 88, 8, 140, 3,
    { [F_TITLE] = 60, [F_BANNER] = 72, [F_LINE] = 58, [F_PRICE] = 58, [F_OPT] = 40,
      [F_SMALL] = 42, [F_TOTAL] = 68, [F_HEARD] = 42, [F_HINT] = 36 },
};
static const metrics_t layout_480 = {
    800, 480, 20, 10, 50, 62, 58, 40, 3, 60, 2,
    { [F_TITLE] = 28, [F_BANNER] = 32, [F_LINE] = 26, [F_PRICE] = 26, [F_OPT] = 18,
      [F_SMALL] = 19, [F_TOTAL] = 30, [F_HEARD] = 19, [F_HINT] = 16 },
};

/* Colours, 0xRRGGBB: light text on a near-black board. */
#define C_BG 0x0E1116
#define C_TITLE_BG 0x1C2430
#define C_NEWEST_BG 0x1A2433
#define C_STRIP_BG 0x161D26
#define C_RULE 0x3A4656
#define C_TEXT 0xFFFFFF
#define C_DIM 0xB4C0CC      /* options, subtotal and tax */
#define C_LABEL 0x8FA0B3    /* "I heard:", "▲ 3 more" */

static const struct {
    const char *text;
    uint32_t bg, fg;
} banners[BOARD_NBANNERS] = {
    [BOARD_WELCOME] = { "Welcome", 0x1E4E8C, C_TEXT },
    [BOARD_LISTENING] = { "Listening\xE2\x80\xA6", 0x00796B, C_TEXT },
    [BOARD_CONFIRM] = { "Did I get that right?", 0x6A1B9A, C_TEXT },
    [BOARD_CREW] = { "A team member is coming", 0xFFB300, 0x000000 },
    [BOARD_TEAM_SPEAKING] = { "Team member speaking", 0xC62828, C_TEXT },
    [BOARD_THANKS] = { "Thank you, please pull forward", 0x2E7D32, C_TEXT },
};

struct board_s {
    metrics_t m;
    SDL_Surface *surf;
    TTF_Font *font[F_N];
    int fh[F_N], fasc[F_N];   /* height and ascent of each font */
    int ttf;                  /* TTF_Init succeeded: TTF_Quit owed */
    int failed;               /* a text of this draw could not be rendered */
    board_layout_t lay;
};

/* ---- helpers ------------------------------------------------------------ */

static int scaled(int v, double s)
{
    int r = (int)lround(v * s);
    return r < 1 ? 1 : r;
}

/* The nearer of the two layouts (by ratio of widths and of heights), scaled
 * to fit width x height. */
static metrics_t pick_metrics(int w, int h)
{
    double d1 = fabs(log(w / 1920.0)) + fabs(log(h / 1080.0));
    double d2 = fabs(log(w / 800.0)) + fabs(log(h / 480.0));
    metrics_t m = d1 <= d2 ? layout_1080 : layout_480;
    if (m.w == w && m.h == h) return m;
    double s = fmin((double)w / m.w, (double)h / m.h);
    m.margin = scaled(m.margin, s);
    m.gap = scaled(m.gap, s);
    m.title_h = scaled(m.title_h, s);
    m.banner_h = scaled(m.banner_h, s);
    m.totals_h = scaled(m.totals_h, s);
    m.heard_h = scaled(m.heard_h, s);
    m.row_pad = scaled(m.row_pad, s);
    m.qty_w = scaled(m.qty_w, s);
    m.rule = scaled(m.rule, s);
    for (int f = 0; f < F_N; f++) m.pt[f] = scaled(m.pt[f], s);
    m.w = w;
    m.h = h;
    return m;
}

static void fill(board_t *b, int x, int y, int w, int h, uint32_t rgb)
{
    SDL_Rect r = { x, y, w, h };
    SDL_FillRect(b->surf, &r, SDL_MapRGB(b->surf->format, (rgb >> 16) & 255, (rgb >> 8) & 255, rgb & 255));
}

/* Copies text for drawing: at most TEXT_MAX bytes, cut on a character
 * boundary, control characters as spaces (the recogniser's and the menu's
 * words are untrusted). */
#define TEXT_MAX 480
static void clean_text(const char *s, char *out)
{
    size_t n = strlen(s);
    if (n > TEXT_MAX) {
        n = TEXT_MAX;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80) n--;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        out[i] = c < 0x20 || c == 0x7F ? ' ' : (char)c;
    }
    out[n] = '\0';
}

/* Byte offset of the count-th character of s (UTF-8). */
static size_t utf8_offset(const char *s, int count)
{
    size_t i = 0;
    for (int k = 0; k < count && s[i]; k++) {
        i++;
        while (((unsigned char)s[i] & 0xC0) == 0x80) i++;
    }
    return i;
}

static int text_width(board_t *b, int f, const char *s)
{
    int w = 0;
    if (!*s || TTF_SizeUTF8(b->font[f], s, &w, NULL) < 0) return 0;
    return w;
}

#define ELLIPSIS "\xE2\x80\xA6"
/* Cuts buf (TEXT_MAX + 4 bytes) so that it fits maxw, ending it with "…". */
static void ellipsize(board_t *b, int f, char *buf, int maxw)
{
    int ew = text_width(b, f, ELLIPSIS);
    int extent = 0, count = 0;
    if (maxw <= ew || TTF_MeasureUTF8(b->font[f], buf, maxw - ew, &extent, &count) < 0) count = 0;
    size_t n = utf8_offset(buf, count);
    for (;;) {
        while (n > 0 && buf[n - 1] == ' ') n--;
        memcpy(buf + n, ELLIPSIS, sizeof ELLIPSIS);
        if (n == 0 || text_width(b, f, buf) <= maxw) break;
        do n--; while (n > 0 && ((unsigned char)buf[n] & 0xC0) == 0x80);   /* kerning: one less */
    }
    if (text_width(b, f, buf) > maxw) buf[0] = '\0';
}

enum { AL_LEFT, AL_RIGHT, AL_CENTER };

/* Draws s in font f with its top at y; x is the left edge, the right edge or
 * the centre, by align; cut with "…" to maxw.  Returns the width drawn. */
static int draw_text(board_t *b, int f, const char *s, uint32_t rgb, int x, int y, int maxw, int align)
{
    char buf[TEXT_MAX + 8];
    if (!s || maxw <= 0) return 0;
    clean_text(s, buf);
    if (!buf[0]) return 0;
    if (text_width(b, f, buf) > maxw) ellipsize(b, f, buf, maxw);
    if (!buf[0]) return 0;
    SDL_Color c = { (rgb >> 16) & 255, (rgb >> 8) & 255, rgb & 255, 255 };
    SDL_Surface *t = TTF_RenderUTF8_Blended(b->font[f], buf, c);
    if (!t) {
        b->failed = 1;
        return 0;
    }
    SDL_SetSurfaceBlendMode(t, SDL_BLENDMODE_BLEND);
    SDL_Rect d = { x, y, t->w, t->h };
    if (align == AL_RIGHT) d.x = x - t->w;
    else if (align == AL_CENTER) d.x = x - t->w / 2;
    SDL_BlitSurface(t, NULL, b->surf, &d);
    int w = t->w;
    SDL_FreeSurface(t);
    return w;
}

static void money(long cents, char *buf, size_t n)
{
    unsigned long a = cents < 0 ? 0UL - (unsigned long)cents : (unsigned long)cents;
    snprintf(buf, n, "%s$%lu.%02lu", cents < 0 ? "-" : "", a / 100, a % 100);
}

/* "Large Coke": the size (capitalised) then the item. */
static void line_name(const order_t *o, int i, strbuf_t *out)
{
    const menu_t *m = o->menu;
    const order_line_t *l = &o->lines[i];
    if (l->size >= 0 && l->size < m->nsizes) {
        const char *sz = m->sizes[l->size].name;
        char first[2] = { (char)toupper((unsigned char)sz[0]), 0 };
        strbuf_append(out, first);
        if (sz[0]) strbuf_append(out, sz + 1);
        strbuf_append(out, " ");
    }
    strbuf_append(out, m->items[l->item].name);
}

static void append_part(strbuf_t *out, const char *a, const char *b)
{
    if (out->len) strbuf_append(out, ", ");
    strbuf_append(out, a);
    strbuf_append(out, b);
}

/* The smaller line under a line: choices ("Drink: Sprite"), options as
 * changed from the item's defaults ("no onions", "extra cheese"), and what
 * is still to be answered ("size?", "Drink?").  Empty when nothing. */
static void line_details(const order_t *o, int i, strbuf_t *out)
{
    const menu_t *m = o->menu;
    const order_line_t *l = &o->lines[i];
    const menu_item_t *it = &m->items[l->item];
    for (int k = 0; k < it->nchoose && k < ORDER_MAX_CHOICES; k++) {
        char cap[64];
        snprintf(cap, sizeof cap, "%s", it->choose[k].name);
        cap[0] = (char)toupper((unsigned char)cap[0]);
        if (l->choice[k] >= 0 && l->choice[k] < m->nitems) {
            strbuf_t p = {0};
            strbuf_printf(&p, "%s: ", cap);
            append_part(out, strbuf_cstr(&p), m->items[l->choice[k]].name);
            strbuf_free(&p);
        } else {
            append_part(out, cap, "?");
        }
    }
    static const char *const words[AMOUNT_COUNT] = { "no ", "light ", "with ", "extra " };
    for (int k = 0; k < m->noptions; k++) {
        int a = l->amount[k];
        if (a >= 0 && a < AMOUNT_COUNT) append_part(out, words[a], m->options[k].name);
    }
    if (order_line_needs_size(o, i)) append_part(out, "size", "?");
}

/* ---- the bands ---------------------------------------------------------- */

static int row_height(board_t *b, int has_details)
{
    return b->fh[F_LINE] + (has_details ? b->fh[F_OPT] : 0) + 2 * b->m.row_pad;
}

static void draw_row(board_t *b, const order_t *o, int i, board_rect_t r, int newest)
{
    const metrics_t *m = &b->m;
    if (newest) fill(b, r.x, r.y, r.w, r.h, C_NEWEST_BG);
    int y = r.y + m->row_pad;
    char buf[64];
    snprintf(buf, sizeof buf, "%ld", o->lines[i].qty);
    int name_x = m->margin + m->qty_w;
    draw_text(b, F_LINE, buf, C_TEXT, name_x - m->gap * 3 / 2, y, m->qty_w - m->gap * 3 / 2, AL_RIGHT);
    int pw = 0;
    if (!order_line_needs_size(o, i)) {
        money(order_line_cents(o, i), buf, sizeof buf);
        pw = draw_text(b, F_PRICE, buf, C_TEXT, m->w - m->margin, y, m->w / 3, AL_RIGHT);
    }
    strbuf_t s = {0};
    line_name(o, i, &s);
    draw_text(b, F_LINE, strbuf_cstr(&s), C_TEXT, name_x, y, m->w - m->margin - pw - 2 * m->gap - name_x,
              AL_LEFT);
    strbuf_reset(&s);
    line_details(o, i, &s);
    if (s.len)
        draw_text(b, F_OPT, strbuf_cstr(&s), C_DIM, name_x, y + b->fh[F_LINE], m->w - m->margin - name_x,
                  AL_LEFT);
    strbuf_free(&s);
}

/* The list: as many lines as fit, the newest always among them. */
static void draw_list(board_t *b, const order_t *o)
{
    board_layout_t *L = &b->lay;
    L->first_line = 0;
    L->nshown = 0;
    int n = o ? o->nlines : 0;
    if (n == 0) return;
    int top = L->list.y + b->m.row_pad, avail = L->list.y + L->list.h - top;
    strbuf_t s = {0};
    int *rh = xcalloc((size_t)n, sizeof *rh), total = 0;
    for (int i = 0; i < n; i++) {
        strbuf_reset(&s);
        line_details(o, i, &s);
        rh[i] = row_height(b, s.len > 0);
        total += rh[i];
    }
    strbuf_free(&s);
    int first = 0;
    if (total > avail || n > BOARD_MAX_ROWS) {
        /* Scrolled: fill upwards from the newest line, under a hint row. */
        int hint_h = b->fh[F_HINT] + 2 * b->m.row_pad, used = 0;
        first = n;
        while (first > 0 && n - first < BOARD_MAX_ROWS && used + rh[first - 1] <= avail - hint_h)
            used += rh[--first];
        if (first == n) first = n - 1;   /* not even one fits: show it cut */
        char hint[64];
        snprintf(hint, sizeof hint, "\xE2\x96\xB2 %d more", first);
        draw_text(b, F_HINT, hint, C_LABEL, b->m.margin + b->m.qty_w, top + b->m.row_pad, b->m.w / 2, AL_LEFT);
        top += hint_h;
    }
    SDL_Rect clip = { L->list.x, L->list.y, L->list.w, L->list.h };
    SDL_SetClipRect(b->surf, &clip);
    for (int i = first, y = top; i < n; y += rh[i], i++) {
        board_rect_t r = { 0, y, b->m.w, rh[i] };
        L->rows[i - first] = r;
        draw_row(b, o, i, r, i == n - 1);
    }
    SDL_SetClipRect(b->surf, NULL);
    L->first_line = first;
    L->nshown = n - first;
    free(rh);
}

static void draw_totals(board_t *b, const order_t *o)
{
    const metrics_t *m = &b->m;
    board_rect_t r = b->lay.totals;
    if (!o || o->nlines == 0) return;
    fill(b, m->margin, r.y, m->w - 2 * m->margin, m->rule, C_RULE);
    int ytot = r.y + (r.h - b->fh[F_TOTAL]) / 2;
    int base = ytot + b->fasc[F_TOTAL];
    char amt[48], buf[80];
    money(order_total_cents(o), amt, sizeof amt);
    snprintf(buf, sizeof buf, "Total  %s", amt);
    int tw = draw_text(b, F_TOTAL, buf, C_TEXT, m->w - m->margin, ytot, m->w / 2, AL_RIGHT);
    int x = m->margin, right = m->w - m->margin - tw - 2 * m->gap;
    money(order_subtotal_cents(o), amt, sizeof amt);
    snprintf(buf, sizeof buf, "Subtotal %s", amt);
    x += draw_text(b, F_SMALL, buf, C_DIM, x, base - b->fasc[F_SMALL], right - x, AL_LEFT) + 2 * m->gap;
    money(order_tax_cents(o), amt, sizeof amt);
    snprintf(buf, sizeof buf, "Tax %s", amt);
    draw_text(b, F_SMALL, buf, C_DIM, x, base - b->fasc[F_SMALL], right - x, AL_LEFT);
}

static void draw_heard(board_t *b, const char *heard)
{
    const metrics_t *m = &b->m;
    board_rect_t r = b->lay.heard;
    fill(b, r.x, r.y, r.w, r.h, C_STRIP_BG);
    if (!heard || !*heard) return;
    int y = r.y + (r.h - b->fh[F_HEARD]) / 2;
    int x = m->margin;
    x += draw_text(b, F_HEARD, "I heard:", C_LABEL, x, y, m->w - 2 * m->margin, AL_LEFT) + m->gap / 2;
    draw_text(b, F_HEARD, heard, C_TEXT, x, y, m->w - m->margin - x, AL_LEFT);
}

/* ---- the API ------------------------------------------------------------ */

static TTF_Font *open_font(const char *file, int pt, char *err, size_t errlen)
{
    char path[512];
    for (size_t d = 0; d < sizeof font_dirs / sizeof *font_dirs; d++) {
        snprintf(path, sizeof path, "%s%s", font_dirs[d], file);
        FILE *f = fopen(path, "rb");
        if (!f) continue;
        fclose(f);
        TTF_Font *font = TTF_OpenFont(path, pt);
        if (font) return font;
        snprintf(err, errlen, "board: font %s: %s", path, TTF_GetError());
        return NULL;
    }
    snprintf(err, errlen, "board: font %s not found in assets/ or %s; install fonts-dejavu-core "
                          "(make deps) or put it in assets/", file, font_dirs[1]);
    return NULL;
}

board_t *board_create(int width, int height, char *err, size_t errlen)
{
    if (width < 320 || height < 200 || width > 7680 || height > 4320) {
        snprintf(err, errlen, "board: size %dx%d is out of range; use 1920x1080 or 800x480 "
                              "(anything from 320x200 to 7680x4320 works)", width, height);
        return NULL;
    }
    board_t *b = xcalloc(1, sizeof *b);
    b->m = pick_metrics(width, height);
    if (TTF_Init() < 0) {
        snprintf(err, errlen, "board: cannot start SDL_ttf: %s", TTF_GetError());
        goto err;
    }
    b->ttf = 1;
    b->surf = SDL_CreateRGBSurfaceWithFormat(0, width, height, 32, SDL_PIXELFORMAT_ARGB8888);
    if (!b->surf) {
        snprintf(err, errlen, "board: cannot make a %dx%d surface: %s", width, height, SDL_GetError());
        goto err;
    }
    for (int f = 0; f < F_N; f++) {
        if (!(b->font[f] = open_font(face_files[font_face[f]], b->m.pt[f], err, errlen))) goto err;
        b->fh[f] = TTF_FontHeight(b->font[f]);
        b->fasc[f] = TTF_FontAscent(b->font[f]);
    }
    const metrics_t *m = &b->m;
    board_layout_t *L = &b->lay;
    L->title = (board_rect_t){ 0, 0, width, m->title_h };
    L->banner = (board_rect_t){ 0, m->title_h, width, m->banner_h };
    L->heard = (board_rect_t){ 0, height - m->heard_h, width, m->heard_h };
    L->totals = (board_rect_t){ 0, L->heard.y - m->totals_h, width, m->totals_h };
    L->list = (board_rect_t){ 0, L->banner.y + L->banner.h, width, L->totals.y - (L->banner.y + L->banner.h) };
    return b;
err:
    board_free(b);
    return NULL;
}

void board_free(board_t *b)
{
    if (!b) return;
    for (int f = 0; f < F_N; f++)
        if (b->font[f]) TTF_CloseFont(b->font[f]);
    if (b->surf) SDL_FreeSurface(b->surf);
    if (b->ttf) TTF_Quit();
    free(b);
}

int board_draw(board_t *b, const board_view_t *v)
{
    if (!b || !v) return -1;
    const metrics_t *m = &b->m;
    const board_layout_t *L = &b->lay;
    b->failed = 0;
    fill(b, 0, 0, m->w, m->h, C_BG);

    fill(b, L->title.x, L->title.y, L->title.w, L->title.h, C_TITLE_BG);
    const char *title = v->title ? v->title : v->order && v->order->menu ? v->order->menu->title : NULL;
    draw_text(b, F_TITLE, title, C_TEXT, m->margin, (L->title.h - b->fh[F_TITLE]) / 2, m->w - 2 * m->margin,
              AL_LEFT);

    board_banner_t bn = (int)v->banner >= 0 && (int)v->banner < BOARD_NBANNERS ? v->banner : BOARD_WELCOME;
    fill(b, L->banner.x, L->banner.y, L->banner.w, L->banner.h, banners[bn].bg);
    draw_text(b, F_BANNER, banners[bn].text, banners[bn].fg, m->w / 2,
              L->banner.y + (L->banner.h - b->fh[F_BANNER]) / 2, m->w - 2 * m->margin, AL_CENTER);

    draw_list(b, v->order);
    draw_totals(b, v->order);
    draw_heard(b, v->heard);
    return b->failed ? -1 : 0;
}

const uint32_t *board_pixels(const board_t *b, int *width, int *height, int *pitch)
{
    if (width) *width = b->surf->w;
    if (height) *height = b->surf->h;
    if (pitch) *pitch = b->surf->pitch;
    return b->surf->pixels;
}

const board_layout_t *board_layout(const board_t *b) { return &b->lay; }

board_banner_t board_banner_for(dialog_state_t s, int listening)
{
    switch (s) {
    case DIALOG_READBACK: return BOARD_CONFIRM;
    case DIALOG_CONFIRMED: return BOARD_THANKS;
    case DIALOG_CREW: return BOARD_CREW;
    case DIALOG_CANCELLED: return BOARD_WELCOME;
    case DIALOG_ORDERING:
    case DIALOG_ASK_SIZE:
    case DIALOG_ASK_CHOICE: break;
    }
    return listening ? BOARD_LISTENING : BOARD_WELCOME;
}

const char *board_banner_text(board_banner_t banner)
{
    return (int)banner >= 0 && (int)banner < BOARD_NBANNERS ? banners[banner].text : "";
}

uint32_t board_banner_rgb(board_banner_t banner)
{
    return (int)banner >= 0 && (int)banner < BOARD_NBANNERS ? banners[banner].bg : C_BG;
}

/* ---- PNG (libpng) ------------------------------------------------------- */

static void png_fail(png_structp png, png_const_charp msg)
{
    (void)msg;
    png_longjmp(png, 1);
}

static void png_warn(png_structp png, png_const_charp msg)
{
    (void)png;
    (void)msg;
}

/* Writes rows of packed RGB; 0 or -1. */
static int write_png(FILE *f, int w, int h, unsigned char *rgb)
{
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, png_fail, png_warn);
    if (!png) return -1;
    png_infop info = png_create_info_struct(png);
    if (!info) {
        png_destroy_write_struct(&png, NULL);
        return -1;
    }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        return -1;
    }
    png_init_io(png, f);
    png_set_IHDR(png, info, (png_uint_32)w, (png_uint_32)h, 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    for (int y = 0; y < h; y++) png_write_row(png, rgb + (size_t)y * (size_t)w * 3);
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    return 0;
}

int board_save_png(const board_t *b, const char *path, char *err, size_t errlen)
{
    int w, h, pitch;
    const uint32_t *px = board_pixels(b, &w, &h, &pitch);
    FILE *f = fopen(path, "wb");
    if (!f) {
        snprintf(err, errlen, "%s: cannot write the board picture there (%s)", path, strerror(errno));
        return -1;
    }
    unsigned char *rgb = xmalloc((size_t)w * (size_t)h * 3);
    for (int y = 0; y < h; y++) {
        const uint32_t *row = (const uint32_t *)((const unsigned char *)px + (size_t)y * (size_t)pitch);
        unsigned char *o = rgb + (size_t)y * (size_t)w * 3;
        for (int x = 0; x < w; x++) {
            o[3 * x] = (row[x] >> 16) & 255;
            o[3 * x + 1] = (row[x] >> 8) & 255;
            o[3 * x + 2] = row[x] & 255;
        }
    }
    int rc = write_png(f, w, h, rgb);
    free(rgb);
    int saved_errno = errno;
    if (fclose(f) != 0 && rc == 0) {
        rc = -1;
        saved_errno = errno;
    }
    if (rc < 0) {
        snprintf(err, errlen, "%s: cannot write the board picture (%s)", path, strerror(saved_errno));
        remove(path);
    }
    return rc;
}

int board_parse_size(const char *text, int *width, int *height)
{
    int w, h;
    char x, extra;
    if (!text || sscanf(text, "%d%c%d%c", &w, &x, &h, &extra) != 3 || x != 'x' ||
        !((w == 1920 && h == 1080) || (w == 800 && h == 480)))
        return -1;
    *width = w;
    *height = h;
    return 0;
}
