/* view.h: what a crew station shows, made from the kiosk's lines.  Pure: a
 * JSON event in, the station's state updated and the lines a person reads
 * out; the clock (for a page's age) is passed in.  `kiosk crew` prints the
 * lines as they come (line mode) or draws the whole view (full screen).
 *
 * The words are the crew's, not the code's: "asked for a person", not
 * human_request; "unsure" only where a turn paged for it; the order "yours"
 * while it is the crew's; a kiosk line only for what the loudspeaker said. */
#ifndef KIOSK_CREW_VIEW_H
#define KIOSK_CREW_VIEW_H

#include <jansson.h>

#include "../util/util.h"
#include "words.h"   /* view_reason_words */

#define VIEW_MAX_LINES 500   /* transcript lines kept for the full screen */

typedef struct {
    char *lane;              /* "Lane 1", from the kiosk's state line; NULL before it */
    char *menu;              /* the menu's title */
    int car;                 /* the car at the post, 0 none */
    json_t *order;           /* its order (the spec's order object), NULL none */
    int taken_over;          /* the crew holds the car: the kiosk is quiet */
    int talking;             /* the headset's talk button is down */
    int page_open;
    double page_at;          /* the caller's clock when it was raised */
    char *page_text;         /* "asked for a person: \"can i talk to someone\"" */
    int page_car;            /* 0: no car (a device) */
    int escalated;           /* 0, 1 chimed again, 2 sent to the manager */
    int post;                /* the speaker post's link: 1 up, -1 down, 0 none heard of */
    int crew_present;        /* the post's headset base says a crew member is there */
    strlist_t lines;         /* the transcript, newest last, at most VIEW_MAX_LINES */
} crew_view_t;

void view_init(crew_view_t *v);
void view_free(crew_view_t *v);

/* One line from the kiosk, parsed.  Updates v; appends to out what a person
 * reads (without the time; the order's numbered lines too for an order
 * event, when with_order).  Returns 1 to ring the bell, 0 otherwise, -1 for
 * an object that is not an event it knows (out untouched). */
int view_event(crew_view_t *v, json_t *ev, double now, int with_order, strlist_t *out);

/* The order as the customer's board shows it, lines numbered for "remove N":
 *   "1. 2 x Cheeseburger, no onions  $7.98" ... "total $9.82" */
void view_order_lines(const json_t *order, strlist_t *out);

/* "HH:MM:SS" of an event's wall-clock "t" (local time), "--:--:--" without one. */
void view_stamp(json_t *ev, char *buf, size_t n);

#endif
