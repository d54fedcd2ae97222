/* dialog.h: the conversation with one car, and the paging policy.
 *
 * Pure core: events in (what was heard), effects out (what to say, whether to
 * page the crew), no I/O and no clock.  `kiosk run` and `kiosk replay` feed it
 * the same way.  The state machine is written out at the top of dialog.c. */
#ifndef KIOSK_DIALOG_H
#define KIOSK_DIALOG_H

#include "../order/order.h"

typedef enum {
    PAGE_NONE = -1,
    PAGE_HUMAN_REQUEST,
    PAGE_LOW_CONFIDENCE,
    PAGE_OUT_OF_MENU,
    PAGE_QUANTITY_LIMIT,
    PAGE_REPEATED_CORRECTIONS,
    PAGE_NO_RESPONSE,
    PAGE_CREW_OVERRIDE,
    PAGE_DEVICE_FAULT,
} page_reason_t;
extern const char *const page_reason_names[];   /* "human_request", ... */

typedef enum {
    DIALOG_ORDERING,      /* taking items */
    DIALOG_ASK_SIZE,      /* asked the size of one line */
    DIALOG_ASK_CHOICE,    /* asked a combo's choice (which drink?) */
    DIALOG_READBACK,      /* read the order back, waiting for yes/no */
    DIALOG_CONFIRMED,     /* customer accepted: pull forward */
    DIALOG_CREW,          /* paged: the order is the crew's */
    DIALOG_CANCELLED,
} dialog_state_t;
extern const char *const dialog_state_names[];

/* The kiosk's default confidence threshold: a turn the calibrated confidence
 * puts below it pages low_confidence (tests/speech/fit_confidence.py).  The
 * confidence is the lower of two models (confidence.c), so it runs lower than
 * either alone: 0.70 pages about as often as one model did at 0.76, and
 * catches the off-menu turns and real speakers' misses that each one alone
 * let through (src/DECISIONS.md). */
#define DIALOG_DEFAULT_THRESHOLD 0.70
#define DIALOG_DEFAULT_THRESHOLD_STR "0.70"

/* A turn the grammar does not understand pages out_of_menu at once when the
 * free pass heard at least this many words (a sentence off the menu). */
#define DIALOG_OFF_MENU_WORDS 3

typedef struct {
    double confidence_threshold;  /* below it a turn pages low_confidence; 0 disables */
} dialog_config_t;

/* One customer turn as the recogniser heard it. */
typedef struct {
    const char *heard;            /* menu grammar result, "" when nothing matched */
    const char *free_text;        /* general English pass, for the crew */
    double confidence;            /* 0..1 */
    int human;                    /* a request for a person was heard by another pass (the word
                                     loop, the short turn's second search), whatever heard and
                                     free_text say */
} hearing_t;

typedef struct {
    const char *said;             /* what the kiosk answers; owned by the dialog, valid until the next call */
    page_reason_t page;           /* PAGE_NONE, or why the crew was paged this turn */
    int noted;                    /* 1: the answer opens with something the customer must hear
                                     ("Sorry, we're out of apple pie."): a greeting never replaces it */
} dialog_effects_t;

typedef struct dialog_s dialog_t;

dialog_t *dialog_create(const menu_t *m, const dialog_config_t *cfg);
void dialog_free(dialog_t *d);
/* A copy of d that goes its own way (what a turn would do, tried on it). */
dialog_t *dialog_clone(const dialog_t *d);
const char *dialog_greeting(const dialog_t *d);   /* "Welcome to Burger Barn! What can I get you?" */
void dialog_hear(dialog_t *d, const hearing_t *h, dialog_effects_t *out);
/* How a request for a person is spotted in the free pass: DIALOG_HUMAN_SAID
 * when text holds one of the menu's human: phrases (built-ins included) as
 * whole words, or a lead of three words or more that ends in "talk to" or
 * "speak to" ("can i talk to") followed by a word; DIALOG_HUMAN_LONE when
 * the only such phrase is one word ("person", "help"; not two such words) in a text of
 * DIALOG_HUMAN_LONE_WORDS words or more (it counts only when the grammar is
 * not sure of an order: see dialog.c); 0 when none. */
enum { DIALOG_HUMAN_LONE = 1, DIALOG_HUMAN_SAID = 2 };
#define DIALOG_HUMAN_LONE_WORDS 5
int dialog_spot_human(const menu_t *m, const char *text);

/* 1 when text (the free pass's) starts as a question does ("how much is a
 * large coke", "do you have wifi"): the kiosk cannot answer it, so the turn
 * pages out_of_menu and nothing of it is applied (see dialog.c). */
int dialog_spot_question(const char *text);
/* 1 when text (the free pass's) is greetings alone ("hello", "hi there"):
 * the dialog greets back whatever the grammar heard (dialog.c). */
int dialog_greeting_only(const menu_t *m, const char *text);

/* A page from outside the turns (the live loop's timers and devices):
 * no_response, device_fault, crew_override.  An open order becomes the
 * crew's; a final one stays as it is, but the page is still raised. */
void dialog_page(dialog_t *d, page_reason_t why, dialog_effects_t *out);
/* 1 while the dialog waits for the customer to speak (an open order): the
 * live loop's no_response timer runs only then. */
int dialog_waiting(const dialog_t *d);
/* The customer has been quiet a while (reading the menu board, asking the
 * car): what to say once before the crew is paged, "Take your time." and
 * the question that stands.  Not a turn; NULL when no order is open. */
const char *dialog_nudge(dialog_t *d);
/* The car left.  An order still open is cancelled (abandoned); one that is
 * confirmed or the crew's stays as it is.  1 when it was abandoned. */
int dialog_car_left(dialog_t *d);
/* The crew's actions, from the crew station.  Each returns 0, or -1 with
 * *why set to a short reason for the station ("the order is already
 * confirmed", "no line 4", "not understood: ...").
 *  take_over:  an open order becomes the crew's (state CREW, no page);
 *  hand_back:  a CREW order goes back to the kiosk (ORDERING, status open;
 *              the kiosk asks what is still missing next turn);
 *  edit:       words as a customer would say them ("two large cokes",
 *              "remove the fries", "make the coke a sprite"), parsed by
 *              order/parse.c and applied without any confidence check or
 *              quantity page, in any state but CONFIRMED and CANCELLED;
 *  remove:     line (0-based) removed;
 *  confirm:    the order confirmed and sent (state CONFIRMED; not when empty);
 *  cancel:     the order cancelled (state CANCELLED). */
int dialog_take_over(dialog_t *d, const char **why);
int dialog_hand_back(dialog_t *d, const char **why);
int dialog_crew_edit(dialog_t *d, const char *say, const char **why);
int dialog_crew_remove(dialog_t *d, int line, const char **why);
int dialog_crew_confirm(dialog_t *d, const char **why);
int dialog_crew_cancel(dialog_t *d, const char **why);
/* A newer menu's stock, at once (a manager marked an item available: false,
 * or back): each item of the dialog's menu that newer has by the same name
 * sells or not as newer says, from the next mention on ("Sorry, we're out
 * of apple pie."); lines already ordered stay.  Everything else of newer
 * (prices, phrases, items added or removed) is for the next car: the
 * dialog keeps its menu.  Returns how many items changed. */
int dialog_stock(dialog_t *d, const menu_t *newer);
const order_t *dialog_order(const dialog_t *d);
dialog_state_t dialog_state(const dialog_t *d);
/* The question the next turn answers (ASK_SIZE: the line's item; ASK_CHOICE:
 * its choose: entry; READBACK: yes or no), else MENU_ASK_NONE: for the
 * recogniser's answer grammar (menu_answer_grammar). */
void dialog_question(const dialog_t *d, menu_ask_t *q);
int dialog_turns(const dialog_t *d);              /* turns heard so far */

#endif
