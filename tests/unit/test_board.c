/* test_board.c: the order board (src/board/board.c), rendered off-screen and
 * checked picture by picture: the same view gives the same pixels, text lands
 * in the rows, bands and strips where it belongs, each banner has its colour,
 * a long order keeps its newest line in view, and untrusted text is cut, not
 * crashed on.
 *
 * "Text" below means bright pixels: the board is light text on dark bands,
 * so a band with no pixel brighter than BRIGHT has nothing written in it.
 * Run from the repository root.  With BOARD_PNG_DIR set, every picture drawn
 * is also saved there, to be looked at. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../src/board/board.h"
#include "sample_menus.h"

#define BRIGHT 140

static uint32_t px(const board_t *b, int x, int y)
{
    int w, h, pitch;
    const uint32_t *p = board_pixels(b, &w, &h, &pitch);
    return ((const uint32_t *)((const char *)p + (size_t)y * (size_t)pitch))[x] & 0xFFFFFF;
}

static int lum(uint32_t c) { return (int)(((c >> 16) & 255) + ((c >> 8) & 255) + (c & 255)) / 3; }

/* Bright pixels in the rectangle x0 <= x < x1, y0 <= y < y1. */
static int bright_in(const board_t *b, int x0, int y0, int x1, int y1)
{
    int n = 0;
    for (int y = y0; y < y1; y++)
        for (int x = x0; x < x1; x++) n += lum(px(b, x, y)) > BRIGHT;
    return n;
}

static int bright_rect(const board_t *b, board_rect_t r) { return bright_in(b, r.x, r.y, r.x + r.w, r.y + r.h); }

/* Pixels of the rectangle that differ from c. */
static int differ_in(const board_t *b, board_rect_t r, uint32_t c)
{
    int n = 0;
    for (int y = r.y; y < r.y + r.h; y++)
        for (int x = r.x; x < r.x + r.w; x++) n += px(b, x, y) != c;
    return n;
}

static void snap(const board_t *b, const char *name)
{
    const char *dir = getenv("BOARD_PNG_DIR");
    if (!dir) return;
    char path[512], err[256];
    snprintf(path, sizeof path, "%s/%s.png", dir, name);
    if (board_save_png(b, path, err, sizeof err) < 0) fprintf(stderr, "%s\n", err);
}

static board_t *make(int w, int h)
{
    char err[256] = "";
    board_t *b = board_create(w, h, err, sizeof err);
    if (!b) fprintf(stderr, "%s\n", err);
    assert_non_null(b);
    return b;
}

static void draw(board_t *b, const order_t *o, board_banner_t banner, const char *heard, const char *name)
{
    board_view_t v = { NULL, o, banner, heard };
    assert_int_equal(board_draw(b, &v), 0);
    snap(b, name);
}

/* Adds qty of item (at size, NULL: none); returns the line. */
static int add(order_t *o, const char *item, long qty, const char *size)
{
    int it = menu_item_find(o->menu, item);
    assert_true(it >= 0);
    int l = order_add(o, it, qty, 1);
    if (size) o->lines[l].size = menu_size_find(o->menu, size);
    return l;
}

static void opt(order_t *o, int l, const char *name, amount_t a)
{
    int k = menu_option_find(o->menu, name);
    assert_true(k >= 0);
    order_set_option(o, l, k, a);
}

/* The spec's example plus a combo: 2 Cheeseburger (no onions), Large Coke,
 * Number One (Drink: Sprite). */
static void three_lines(order_t *o, const menu_t *m)
{
    order_init(o, m);
    opt(o, add(o, "Cheeseburger", 2, NULL), "onions", AMOUNT_NO);
    add(o, "Coke", 1, "large");
    int l = add(o, "Number One", 1, NULL);
    o->lines[l].choice[0] = menu_item_find(m, "Sprite");
}

static void thirty_lines(order_t *o, const menu_t *m)
{
    static const char *const items[] = { "Hamburger", "Fries", "Cookie", "Water", "Cheeseburger" };
    order_init(o, m);
    for (int i = 0; i < 30; i++) {
        int l = add(o, items[i % 5], 1 + i % 3, i % 5 == 1 ? "large" : NULL);
        if (i % 4 == 0 && i % 5 != 2 && i % 5 != 3 && i % 5 != 1) opt(o, l, "pickles", AMOUNT_NO);
    }
}

/* ---- tests -------------------------------------------------------------- */

static void test_same_view_same_pixels(void **state)
{
    menus_t *ms = *state;
    order_t o;
    three_lines(&o, ms->burger);
    static const int sizes[][2] = { { 1920, 1080 }, { 800, 480 } };
    for (int s = 0; s < 2; s++) {
        int w = sizes[s][0], h = sizes[s][1], pw, ph, pitch;
        board_t *a = make(w, h), *b = make(w, h);
        draw(a, &o, BOARD_LISTENING, "two cheeseburgers no onions", "same_a");
        size_t n = (size_t)h * (size_t)w * 4;
        const uint32_t *pa = board_pixels(a, &pw, &ph, &pitch);
        assert_int_equal(pw, w);
        assert_int_equal(ph, h);
        assert_int_equal(pitch, w * 4);
        uint32_t *first = malloc(n);
        memcpy(first, pa, n);
        /* something else in between, then the same view again */
        draw(a, NULL, BOARD_CREW, "something else entirely", "same_between");
        assert_memory_not_equal(first, board_pixels(a, NULL, NULL, NULL), n);
        draw(a, &o, BOARD_LISTENING, "two cheeseburgers no onions", "same_a");
        assert_memory_equal(first, board_pixels(a, NULL, NULL, NULL), n);
        /* and on a second board */
        draw(b, &o, BOARD_LISTENING, "two cheeseburgers no onions", "same_b");
        assert_memory_equal(first, board_pixels(b, NULL, NULL, NULL), n);
        free(first);
        board_free(a);
        board_free(b);
    }
    order_free(&o);
}

static void test_empty_order_no_rows(void **state)
{
    menus_t *ms = *state;
    order_t o;
    order_init(&o, ms->burger);
    board_t *b = make(1920, 1080);
    draw(b, &o, BOARD_WELCOME, NULL, "empty_1080");
    const board_layout_t *L = board_layout(b);
    assert_int_equal(L->nshown, 0);
    assert_int_equal(L->first_line, 0);
    uint32_t bg = px(b, L->list.x, L->list.y);
    assert_int_equal(differ_in(b, L->list, bg), 0);     /* the list is all background */
    assert_int_equal(differ_in(b, L->totals, bg), 0);   /* no totals for no order */
    assert_true(bright_rect(b, L->title) > 500);        /* "Burger Barn", from the menu */
    assert_true(bright_rect(b, L->banner) > 500);       /* "Welcome" */
    board_free(b);
    order_free(&o);
}

static void check_three_lines(board_t *b, const char *name)
{
    int w, h;
    board_pixels(b, &w, &h, NULL);
    const board_layout_t *L = board_layout(b);
    assert_int_equal(L->first_line, 0);
    assert_int_equal(L->nshown, 3);
    int bottom = L->list.y;
    for (int k = 0; k < 3; k++) {
        board_rect_t r = L->rows[k];
        assert_true(r.y >= bottom);                        /* in order, not overlapping */
        assert_true(r.y + r.h <= L->list.y + L->list.h);   /* inside the list */
        bottom = r.y + r.h;
        assert_true(bright_rect(b, r) > 300);
        assert_true(bright_in(b, 0, r.y, w / 12, r.y + r.h) > 10);            /* quantity on the left */
        assert_true(bright_in(b, w * 3 / 4, r.y, w, r.y + r.h) > 50);          /* price on the right */
        assert_true(bright_in(b, w / 12, r.y, w / 2, r.y + r.h) > 100);        /* the name */
    }
    /* rows 0 and 2 have a line of details under the name ("no onions", "Drink: Sprite"), row 1 none */
    assert_true(L->rows[0].h > L->rows[1].h);
    assert_int_equal(L->rows[0].h, L->rows[2].h);
    /* nothing below the last row */
    assert_int_equal(bright_in(b, 0, bottom, w, L->list.y + L->list.h), 0);
    /* the totals: "Total $x" on the right, subtotal and tax on the left */
    assert_true(bright_in(b, w / 2, L->totals.y, w, L->totals.y + L->totals.h) > 500);
    assert_true(bright_in(b, 0, L->totals.y, w / 3, L->totals.y + L->totals.h) > 200);
    assert_true(bright_rect(b, L->heard) > 200);
    (void)name;
}

static void test_three_lines_land_in_rows(void **state)
{
    menus_t *ms = *state;
    order_t o;
    three_lines(&o, ms->burger);
    board_t *b = make(1920, 1080);
    draw(b, &o, BOARD_CONFIRM, "and a number one with a sprite", "three_1080");
    check_three_lines(b, "three_1080");
    board_free(b);
    order_free(&o);
}

static void test_small_layout(void **state)
{
    menus_t *ms = *state;
    order_t o;
    three_lines(&o, ms->burger);
    board_t *b = make(800, 480);
    draw(b, &o, BOARD_LISTENING, "and a number one with a sprite", "three_480");
    check_three_lines(b, "three_480");
    const board_layout_t *L = board_layout(b);
    assert_int_equal(L->heard.y + L->heard.h, 480);
    assert_true(L->list.h > 3 * L->rows[0].h);
    board_free(b);
    /* other sizes scale the nearer layout */
    b = make(1280, 720);
    draw(b, &o, BOARD_THANKS, "yes", "three_720");
    check_three_lines(b, "three_720");
    board_free(b);
    order_free(&o);
}

static void test_banner_colours(void **state)
{
    menus_t *ms = *state;
    order_t o;
    three_lines(&o, ms->burger);
    static const int sizes[][2] = { { 1920, 1080 }, { 800, 480 } };
    for (int s = 0; s < 2; s++) {
        board_t *b = make(sizes[s][0], sizes[s][1]);
        for (int k = 0; k < BOARD_NBANNERS; k++) {
            char name[32];
            snprintf(name, sizeof name, "banner%d_%d", k, sizes[s][1]);
            draw(b, &o, (board_banner_t)k, "two cheeseburgers", name);
            const board_layout_t *L = board_layout(b);
            uint32_t c = board_banner_rgb((board_banner_t)k);
            /* the band's corners and edges are the banner's colour, its middle has the words */
            assert_int_equal(px(b, 1, L->banner.y + 1), c);
            assert_int_equal(px(b, L->banner.w - 2, L->banner.y + L->banner.h - 2), c);
            assert_int_equal(px(b, L->banner.w / 2, L->banner.y + 1), c);
            board_rect_t mid = { L->banner.w / 4, L->banner.y, L->banner.w / 2, L->banner.h };
            assert_true(differ_in(b, mid, c) > 300);
            assert_true(strlen(board_banner_text((board_banner_t)k)) > 0);
            for (int j = 0; j < k; j++) assert_int_not_equal(board_banner_rgb((board_banner_t)j), c);
            /* the banner is not the board's background */
            assert_int_not_equal(px(b, 1, L->list.y + L->list.h - 2), c);
        }
        board_free(b);
    }
    assert_string_equal(board_banner_text(BOARD_CONFIRM), "Did I get that right?");
    assert_string_equal(board_banner_text(BOARD_CREW), "A team member is coming");
    assert_string_equal(board_banner_text(BOARD_THANKS), "Thank you, please pull forward");
    order_free(&o);
}

static void test_banner_for_state(void **state)
{
    (void)state;
    static const struct {
        dialog_state_t s;
        int listening;
        board_banner_t want;
    } rows[] = {
        { DIALOG_ORDERING, 0, BOARD_WELCOME },    { DIALOG_ORDERING, 1, BOARD_LISTENING },
        { DIALOG_ASK_SIZE, 1, BOARD_LISTENING },  { DIALOG_ASK_CHOICE, 1, BOARD_LISTENING },
        { DIALOG_READBACK, 1, BOARD_CONFIRM },    { DIALOG_READBACK, 0, BOARD_CONFIRM },
        { DIALOG_CONFIRMED, 1, BOARD_THANKS },    { DIALOG_CREW, 1, BOARD_CREW },
        { DIALOG_CREW, 0, BOARD_CREW },           { DIALOG_CANCELLED, 1, BOARD_WELCOME },
    };
    for (size_t i = 0; i < sizeof rows / sizeof *rows; i++)
        assert_int_equal(board_banner_for(rows[i].s, rows[i].listening), rows[i].want);
}

static void check_scrolled(board_t *b, int n)
{
    int w;
    board_pixels(b, &w, NULL, NULL);
    const board_layout_t *L = board_layout(b);
    assert_true(L->first_line > 0);                        /* scrolled */
    assert_true(L->nshown >= 2);
    assert_int_equal(L->first_line + L->nshown, n);        /* the newest line is shown */
    board_rect_t last = L->rows[L->nshown - 1];
    assert_true(last.y >= L->list.y);
    assert_true(last.y + last.h <= L->list.y + L->list.h); /* wholly */
    assert_true(bright_rect(b, last) > 100);
    assert_true(bright_in(b, w * 3 / 4, last.y, w, last.y + last.h) > 50);
    /* the "▲ N more" hint above the first row shown */
    assert_true(bright_in(b, 0, L->list.y, w, L->rows[0].y) > 30);
}

static void test_long_order_keeps_newest_in_view(void **state)
{
    menus_t *ms = *state;
    order_t o;
    thirty_lines(&o, ms->burger);
    board_t *b = make(1920, 1080);
    draw(b, &o, BOARD_LISTENING, "and two cheeseburgers", "thirty_1080");
    check_scrolled(b, 30);
    board_free(b);
    b = make(800, 480);
    draw(b, &o, BOARD_LISTENING, "and two cheeseburgers", "thirty_480");
    check_scrolled(b, 30);
    /* one line more: still the newest in view */
    add(&o, "Sundae", 1, NULL);
    draw(b, &o, BOARD_LISTENING, "and a sundae", "thirtyone_480");
    check_scrolled(b, 31);
    board_free(b);
    order_free(&o);
}

static void test_long_text_is_cut(void **state)
{
    menus_t *ms = *state;
    order_t o;
    order_init(&o, ms->burger);
    /* every option of a burger changed: details far wider than the board */
    int l = add(&o, "Cheeseburger", 10, NULL);
    static const char *const opts[] = { "onions", "pickles", "ketchup", "mustard", "lettuce", "tomato", "cheese", "bacon" };
    for (int k = 0; k < 8; k++) opt(&o, l, opts[k], (amount_t)(k % 4));
    char *title = malloc(5001), *heard = malloc(20001);
    memset(title, 'W', 5000);
    title[5000] = '\0';
    for (int i = 0; i < 20000; i++) heard[i] = "word \n\t\x01"[i % 8];
    heard[19999] = '\0';
    heard[17] = (char)0xC3;   /* a broken UTF-8 sequence */
    static const int sizes[][2] = { { 1920, 1080 }, { 800, 480 } };
    for (int s = 0; s < 2; s++) {
        int w = sizes[s][0];
        board_t *b = make(w, sizes[s][1]);
        board_view_t v = { title, &o, BOARD_CREW, heard };
        assert_int_equal(board_draw(b, &v), 0);
        snap(b, s ? "long_480" : "long_1080");
        const board_layout_t *L = board_layout(b);
        uint32_t title_bg = px(b, 0, 0);
        /* cut before the right margin: the last pixels of every band are background */
        for (int y = 0; y < L->title.h; y++) assert_int_equal(px(b, w - 3, y), title_bg);
        for (int y = L->heard.y; y < L->heard.y + L->heard.h; y++) assert_int_equal(px(b, w - 3, y), px(b, w - 3, L->heard.y));
        assert_true(bright_rect(b, L->title) > 1000);
        assert_true(bright_rect(b, L->heard) > 200);
        assert_int_equal(L->nshown, 1);
        board_free(b);
    }
    free(title);
    free(heard);
    order_free(&o);
}

static void test_null_and_empty_text(void **state)
{
    menus_t *ms = *state;
    order_t o;
    three_lines(&o, ms->burger);
    board_t *b = make(800, 480);
    const board_layout_t *L = board_layout(b);
    draw(b, &o, BOARD_LISTENING, NULL, "null_heard");
    assert_int_equal(bright_rect(b, L->heard), 0);
    draw(b, &o, BOARD_LISTENING, "", "empty_heard");
    assert_int_equal(bright_rect(b, L->heard), 0);
    draw(b, &o, BOARD_LISTENING, "   ", "space_heard");
    /* nothing at all: no title, no order */
    board_view_t v = { NULL, NULL, BOARD_WELCOME, NULL };
    assert_int_equal(board_draw(b, &v), 0);
    assert_int_equal(bright_rect(b, L->title), 0);
    assert_int_equal(L->nshown, 0);
    v.title = "";
    assert_int_equal(board_draw(b, &v), 0);
    v.banner = (board_banner_t)99;   /* out of range: drawn as Welcome */
    assert_int_equal(board_draw(b, &v), 0);
    assert_int_equal(px(b, 1, L->banner.y + 1), board_banner_rgb(BOARD_WELCOME));
    assert_int_equal(board_draw(b, NULL), -1);
    board_free(b);
    order_free(&o);
}

/* The PNG: signature and IHDR size; a path that cannot be written. */
static void test_save_png(void **state)
{
    menus_t *ms = *state;
    order_t o;
    three_lines(&o, ms->burger);
    board_t *b = make(800, 480);
    draw(b, &o, BOARD_THANKS, "yes", "png");
    char path[] = "/tmp/test_board_XXXXXX", err[256] = "";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(board_save_png(b, path, err, sizeof err), 0);
    unsigned char hdr[24];
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    assert_int_equal(fread(hdr, 1, sizeof hdr, f), sizeof hdr);
    fclose(f);
    remove(path);
    assert_memory_equal(hdr, "\x89PNG\r\n\x1a\n", 8);
    assert_memory_equal(hdr + 12, "IHDR", 4);
    assert_int_equal((hdr[16] << 24) | (hdr[17] << 16) | (hdr[18] << 8) | hdr[19], 800);
    assert_int_equal((hdr[20] << 24) | (hdr[21] << 16) | (hdr[22] << 8) | hdr[23], 480);

    assert_int_equal(board_save_png(b, "/nonexistent/dir/x.png", err, sizeof err), -1);
    assert_non_null(strstr(err, "/nonexistent/dir/x.png: "));
    board_free(b);
    order_free(&o);
}

static void test_bad_size(void **state)
{
    (void)state;
    char err[256] = "";
    assert_null(board_create(100, 100, err, sizeof err));
    assert_non_null(strstr(err, "100x100"));
    assert_null(board_create(100000, 1080, err, sizeof err));
    assert_null(board_create(-1, -1, err, sizeof err));
    board_free(NULL);
}

static void test_parse_size(void **state)
{
    (void)state;
    int w = 0, h = 0;
    assert_int_equal(board_parse_size("1920x1080", &w, &h), 0);
    assert_true(w == 1920 && h == 1080);
    assert_int_equal(board_parse_size("800x480", &w, &h), 0);
    assert_true(w == 800 && h == 480);
    static const char *const bad[] = { "800x4801", "800x480x", "1280x720", "800*480", "", "x", NULL };
    for (int i = 0; bad[i]; i++) assert_int_equal(board_parse_size(bad[i], &w, &h), -1);
    assert_int_equal(board_parse_size(NULL, &w, &h), -1);
    assert_true(w == 800 && h == 480);          /* untouched on failure */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_view_same_pixels),
        cmocka_unit_test(test_empty_order_no_rows),
        cmocka_unit_test(test_three_lines_land_in_rows),
        cmocka_unit_test(test_small_layout),
        cmocka_unit_test(test_banner_colours),
        cmocka_unit_test(test_banner_for_state),
        cmocka_unit_test(test_long_order_keeps_newest_in_view),
        cmocka_unit_test(test_long_text_is_cut),
        cmocka_unit_test(test_null_and_empty_text),
        cmocka_unit_test(test_save_png),
        cmocka_unit_test(test_bad_size),
        cmocka_unit_test(test_parse_size),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
