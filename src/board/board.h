/* board.h: the order board the customer reads from the car: the restaurant's
 * name, a status banner, the order's lines with quantity, size, options and
 * price, subtotal, tax and total, and the words just heard.
 *
 * Drawn by SDL2_ttf onto a software surface the board owns, never onto a
 * window: the live loop copies board_pixels() into its window's texture, and
 * `kiosk replay --board` saves it with board_save_png().  Drawing is
 * deterministic: the same view always gives the same pixels (no clock, no
 * animation), so the board is tested picture by picture.
 *
 * Layouts: 1920x1080 (a large outdoor screen) and 800x480 (a small panel);
 * any other size in 320x200..7680x4320 scales the nearer of the two.  A long
 * order scrolls so that the newest (last) line is always in view, with
 * "▲ N more" above it.
 *
 * Fonts: DejaVu Sans (Bold, Oblique), from assets/ when put there (relative
 * to the working directory), else from Debian's fonts-dejavu-core. */
#ifndef KIOSK_BOARD_H
#define KIOSK_BOARD_H

#include <stddef.h>
#include <stdint.h>

#include "../dialog/dialog.h"

typedef enum {
    BOARD_WELCOME,        /* "Welcome": no car yet */
    BOARD_LISTENING,      /* "Listening...": taking the order */
    BOARD_CONFIRM,        /* "Did I get that right?": the read-back */
    BOARD_CREW,           /* "A team member is coming": paged */
    BOARD_TEAM_SPEAKING,  /* "Team member speaking": the crew's headset is open */
    BOARD_THANKS,         /* "Thank you, please pull forward" */
    BOARD_NBANNERS
} board_banner_t;

/* What to show.  Everything is borrowed for the call only; any pointer may
 * be NULL (title NULL: the order's menu title; order NULL: no lines). */
typedef struct {
    const char *title;
    const order_t *order;
    board_banner_t banner;
    const char *heard;    /* the words just heard; NULL or "": the strip is empty */
} board_view_t;

typedef struct board_s board_t;

/* The two layouts' sizes as the commands take them: "1920x1080" or
 * "800x480".  0 with *width and *height set, or -1. */
int board_parse_size(const char *text, int *width, int *height);

/* Loads the fonts and lays the board out for width x height.  NULL with a
 * message in err when the size is out of range or a font cannot be loaded. */
board_t *board_create(int width, int height, char *err, size_t errlen);
void board_free(board_t *b);

/* Draws v, replacing what was drawn before.  0, or -1 when some text could
 * not be rendered (the rest is still drawn). */
int board_draw(board_t *b, const board_view_t *v);

/* The picture: ARGB8888 (one uint32_t per pixel, 0xAARRGGBB, alpha 255),
 * rows pitch bytes apart.  Owned by the board; valid until the next draw. */
const uint32_t *board_pixels(const board_t *b, int *width, int *height, int *pitch);

/* Saves the picture as an 8-bit RGB PNG (libpng).  0, or -1 with
 * "PATH: why" in err. */
int board_save_png(const board_t *b, const char *path, char *err, size_t errlen);

/* The banner for a dialog state.  listening: 1 when a car is there and has
 * spoken (or is being asked to), 0 before its first turn: an open order then
 * shows WELCOME.  The crew's own states (TEAM_SPEAKING) come from the crew
 * station, not from the dialog. */
board_banner_t board_banner_for(dialog_state_t s, int listening);
const char *board_banner_text(board_banner_t banner);  /* "Did I get that right?" */
uint32_t board_banner_rgb(board_banner_t banner);      /* its background, 0xRRGGBB */

/* Where things landed in the last draw, for the tests and the live loop. */
#define BOARD_MAX_ROWS 64
typedef struct { int x, y, w, h; } board_rect_t;
typedef struct {
    board_rect_t title, banner, list, totals, heard;
    int first_line;      /* the first order line shown; lines before it are scrolled off */
    int nshown;          /* lines shown: first_line .. first_line + nshown - 1 */
    board_rect_t rows[BOARD_MAX_ROWS];  /* rows[k]: line first_line + k (its options included) */
} board_layout_t;
const board_layout_t *board_layout(const board_t *b);

#endif
