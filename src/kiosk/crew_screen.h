/* crew_screen.h: `kiosk crew`'s full screen, for a crew member at a real
 * terminal (ncurses).  Top to bottom:
 *
 *   Lane 1 (Burger Barn) | car 3 | order: YOURS | TALKING        the header, always
 *   PAGE car 3: asked for a person: "..." - 12 s                 reverse video, blinking,
 *   ack to stop the chime; the car is yours already              while a page is open
 *   -- order ------------------------------------------------
 *   1. 2 x Large Coke  $4.18 ... total $9.82                     as many as fit
 *   -- transcript -------------------------------------------
 *   12:03:04 car 3 arrived ...                                   newest last
 *   ---------------------------------------------------------
 *   take: ok                                                     the reply to the last command
 *   > remove 2_                                                  the command being typed
 *
 * What goes on which row is crew_screen_compose(): pure (a view and a size
 * in, rows of text and attributes out), tested without a terminal.  The
 * rest owns the terminal: drawing, keys, the bell. */
#ifndef KIOSK_CREW_SCREEN_H
#define KIOSK_CREW_SCREEN_H

#include "../crew/view.h"
#include "../util/util.h"

/* ---- the layout (pure) ---------------------------------------------------- */

enum { CS_PLAIN = 0, CS_BOLD = 1, CS_PAGE = 2 };   /* CS_PAGE: reverse video, blinking */

typedef struct {
    const crew_view_t *view;
    double now;                    /* the clock view_event() was given, for the page's age */
    const strlist_t *transcript;   /* "HH:MM:SS what happened", newest last */
    const char *status;            /* the reply to the last command, "" none */
    const char *typed;             /* the command line being typed */
    int utf8;                      /* the terminal shows UTF-8: a dash for "-" */
} cs_input_t;

typedef struct {
    int rows, cols;
    strlist_t text;   /* rows lines, each at most cols columns wide */
    int *attr;        /* CS_* of each row */
    int cursor;       /* the cursor's column on the last row */
} cs_frame_t;

/* Lays the screen out for rows x cols (owned by f; cs_frame_free). */
void crew_screen_compose(const cs_input_t *in, int rows, int cols, cs_frame_t *f);
void cs_frame_free(cs_frame_t *f);

/* The header's first row: "Lane 1 (Burger Barn) | car 3 | order: kiosk". */
void crew_screen_header(const crew_view_t *v, strbuf_t *b);

/* The page's row, "PAGE car 3: asked for a person: \"...\" - 12 s"; "" when
 * no page is open. */
void crew_screen_page(const crew_view_t *v, double now, int utf8, strbuf_t *b);

/* ---- the terminal ----------------------------------------------------------- */

typedef struct crew_screen_s crew_screen_t;

/* Takes over the terminal (standard input and output); NULL, saying why in
 * err, when it cannot (no TERM, an unknown terminal). */
crew_screen_t *crew_screen_open(char *err, size_t errlen);
/* Gives the terminal back as it was; NULL is fine. */
void crew_screen_close(crew_screen_t *cs);

/* A line for the transcript area (stamp NULL: none, e.g. the help text). */
void crew_screen_note(crew_screen_t *cs, const char *stamp, const char *line);
/* The status row's text. */
void crew_screen_status(crew_screen_t *cs, const char *text);
void crew_screen_bell(crew_screen_t *cs);
void crew_screen_draw(crew_screen_t *cs, const crew_view_t *v, double now);

/* Reads the keys waiting.  Returns CS_KEYS_LINE with *line (the caller's)
 * when Enter ended one, CS_KEYS_QUIT for Ctrl-C / Ctrl-D on an empty line,
 * CS_KEYS_NONE when no key is left.  Call again until CS_KEYS_NONE: curses
 * may hold keys that poll() no longer sees. */
enum { CS_KEYS_NONE = 0, CS_KEYS_LINE = 1, CS_KEYS_QUIT = -1 };
int crew_screen_keys(crew_screen_t *cs, char **line);

#endif
