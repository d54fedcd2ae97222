/* order.h: the order being built, its prices, and the parser that turns the
 * words the recogniser heard into actions on it.
 *
 * Pure core: no I/O.  Money is integer cents throughout.  An order_t refers to
 * its menu, which must outlive it. */
#ifndef KIOSK_ORDER_H
#define KIOSK_ORDER_H

#include "../menu/menu.h"

#define ORDER_MAX_CHOICES 4     /* choose: entries per combo */
#define ACTION_MAX_OPTS 16      /* option requests in one spoken line */

typedef enum { ORDER_OPEN, ORDER_CONFIRMED, ORDER_CREW, ORDER_CANCELLED } order_status_t;
extern const char *const order_status_names[];   /* "open", "confirmed", "crew", "cancelled" */

typedef struct {
    int item;                 /* index into menu->items */
    long qty;                 /* >= 1 */
    int size;                 /* index into menu->sizes, -1: unsized or still to ask */
    signed char *amount;      /* [menu->noptions]; -1: as the item comes, else an amount_t */
    int choice[ORDER_MAX_CHOICES]; /* per item->choose[k]: the chosen item, -1 not yet chosen */
    int turn;                 /* the turn that added it (1-based) */
} order_line_t;

typedef struct {
    const menu_t *menu;
    order_line_t *lines;
    int nlines, cap;
    order_status_t status;
} order_t;

void order_init(order_t *o, const menu_t *m);
void order_free(order_t *o);
void order_copy(order_t *dst, const order_t *src);  /* dst must be initialised; replaced */
void order_clear(order_t *o);                        /* no lines; status unchanged */
/* Adds a line of qty of item (no size, no options, no choices); returns its index. */
int order_add(order_t *o, int item, long qty, int turn);
void order_remove(order_t *o, int line);
/* Sets an option on a line, as said: AMOUNT_NO takes it off. */
void order_set_option(order_t *o, int line, int option, amount_t amount);
/* 1 when the line still needs a size (a sized item with none chosen). */
int order_line_needs_size(const order_t *o, int line);
/* Index k of the first choose: entry of the line still unanswered, or -1. */
int order_line_needs_choice(const order_t *o, int line);

/* Prices. unit: the item at its size plus options (an option not on the item by
 * default costs its price when added, and its price again when "extra"; a
 * default option asked for "extra" costs its price once). */
long order_line_unit_cents(const order_t *o, int line);
long order_line_cents(const order_t *o, int line);
long order_subtotal_cents(const order_t *o);
long order_tax_cents(const order_t *o);              /* rounded half up */
long order_total_cents(const order_t *o);

/* Appends the "order" object of ../shared/spec/kiosk-cli.md. */
void order_json(const order_t *o, strbuf_t *out);
/* Appends a line as a person would say it: "two cheeseburgers, no onions". */
void order_line_say(const order_t *o, int line, strbuf_t *out);
/* "$9.82" */
void order_money_say(long cents, strbuf_t *out);

/* ---- parsing (parse.c): words heard -> actions ---- */

typedef enum {
    ACT_ADD,           /* a new line: item, qty, size, opts, choices */
    ACT_SET_QTY,       /* "make that two": qty of target (-1: the last line) */
    ACT_SET_SIZE,      /* "make it a large", "make the fries large": size of target */
    ACT_REPLACE,       /* "make the coke a sprite": target -> item (size kept unless said) */
    ACT_REMOVE,        /* "remove the fries", "no fries" */
    ACT_CANCEL_LAST,   /* "cancel that": take back what the last turn did */
    ACT_START_OVER,    /* "start over": empty the order */
    ACT_DONE,          /* "that's all", "that's it", "nothing else", "no thanks" */
    ACT_YES,
    ACT_NO,
    ACT_SIZE,          /* a size said alone ("large"): an answer */
    ACT_HUMAN,         /* a request for a person */
    ACT_GREET,         /* "hello", "hi there": a turn of greetings alone (changes nothing) */
} action_kind_t;

typedef struct {
    int option;               /* index into menu->options */
    amount_t amount;
} action_opt_t;

typedef struct {
    action_kind_t kind;
    int item;                 /* ADD, REPLACE (the new item) */
    int target;               /* SET_QTY, SET_SIZE, REPLACE, REMOVE: item named, -1: the last line */
    long qty;                 /* ADD, SET_QTY: 0 when not said */
    int size;                 /* ADD, SET_SIZE, REPLACE, SIZE: -1 when not said */
    action_opt_t opts[ACTION_MAX_OPTS];
    int nopts;
    int choices[ORDER_MAX_CHOICES]; /* ADD: items named after a combo ("with a sprite") */
    int nchoices;
} action_t;

/* Parses what the grammar heard.  Writes at most max actions; returns how many
 * were found, or -1 when the words do not make sense as a whole (nothing of
 * the turn should then be applied). */
int order_parse(const menu_t *m, const char *heard, action_t *out, int max);

#endif
