/* dialog.c: the conversation with one car, and when to hand it to the crew.
 *
 * Pure core: a hearing in, what to say and whether to page out.  The order
 * lives here; order/ parses the words and keeps the prices.
 *
 * States and transitions (a turn is one dialog_hear()):
 *
 *   (start)    -> ORDERING    [dialog_create; greeting "Welcome to T! What can I get you?"]
 *   ORDERING   -> ORDERING    [items added or changed: echo them, "Anything else?"]
 *   ORDERING   -> ASK_SIZE    [a line needs a size (sized item, no default, none said
 *                              or one it does not sell)]
 *   ORDERING   -> ASK_CHOICE  [a combo line has a choose: entry not yet answered]
 *   ASK_SIZE   -> ASK_SIZE    [the answer is not a size the item sells: ask again]
 *   ASK_SIZE   -> ASK_CHOICE  [answered, and a combo still needs a choice]
 *   ASK_SIZE   -> ORDERING    [answered, nothing else pending: "Anything else?"]
 *   ASK_CHOICE -> ASK_CHOICE / ASK_SIZE / ORDERING  [likewise]
 *   ORDERING   -> READBACK    [a closing, or "no" to "Anything else?", nothing pending,
 *                              order not empty: "You have ... Your total is $X. Is that right?"]
 *   ASK_*      -> READBACK    [the last answer, when the customer had already closed]
 *   READBACK   -> CONFIRMED   ["yes" (and nothing else changed that turn)]
 *   READBACK   -> ORDERING    ["no": "Sorry about that. What would you like to change?"]
 *   READBACK   -> READBACK    [a change or new item: applied, then read back again]
 *   READBACK   -> ASK_*       [a new item that needs an answer; read back after it]
 *   any open   -> CREW        [a page: human_request, low_confidence, out_of_menu (a
 *                              sentence not understood, or two turns in a row), quantity_limit,
 *                              repeated_corrections]
 *   any open   -> CREW        [dialog_page: no_response (the live loop's timer),
 *                              device_fault, crew_override]
 *   any open   -> CANCELLED   [dialog_car_left: the car drove off mid-order]
 *   CONFIRMED, CANCELLED: final; later turns and crew actions change nothing.
 *   CREW: later turns change nothing; only the crew's actions move it.
 *   CREW, CONFIRMED -> the same  [a request for a person: pages human_request, once
 *                              (again only after dialog_hand_back or
 *                              dialog_crew_confirm; never while the crew took the
 *                              order over with dialog_take_over); the order stays]
 *
 * The crew's actions (the crew station; no turn, nothing said, no page):
 *   any open   -> CREW        [dialog_take_over]
 *   CREW       -> CREW        [dialog_take_over (already the crew's: 0); dialog_crew_edit,
 *                              dialog_crew_remove: the order changes, the state does not]
 *   CREW       -> ORDERING    [dialog_hand_back: status open; misses, focus, the pending
 *                              question, the closing, the correction counts and whether a
 *                              person was asked for reset; the
 *                              next turn asks what is still missing]
 *   ORDERING   -> ORDERING    [dialog_crew_edit / dialog_crew_remove; a line needing an
 *                              answer is asked at the next turn]
 *   ASK_*      -> ASK_*       [dialog_crew_edit / dialog_crew_remove, when the line asked
 *                              about still needs the answer asked]
 *   ASK_*      -> ORDERING    [dialog_crew_edit / dialog_crew_remove, when it does not]
 *   READBACK   -> ORDERING    [dialog_crew_edit / dialog_crew_remove that changed the
 *                              order: the next turn reads back again (or asks first)]
 *   READBACK   -> READBACK    [a crew edit that changed nothing (and was refused)]
 *   any open, CREW -> CONFIRMED [dialog_crew_confirm: not empty, no line waiting for an answer]
 *   any open, CREW -> CANCELLED [dialog_crew_cancel]
 *
 * Invariants:
 * - The order's status follows the state: CONFIRMED <-> confirmed, CREW <-> crew.
 * - Questions are derived from the order, not queued: the pending question is
 *   the line asked about if it still needs its answer, else the first line in
 *   order that needs a size or a choice (its size first).  So a "cancel that",
 *   a removal or "start over" cannot leave a stale question behind.
 * - corr[] runs parallel to order.lines (every add/remove goes through
 *   line_add/line_remove here) and counts corrections per line, once per turn.
 * - Nothing here keeps state outside a dialog_t; `said` is owned by it and
 *   valid until the next dialog_hear() (the crew's actions leave it alone);
 *   a crew action's *why is owned by it and valid until the next crew action.
 *
 * Decisions where the spec is silent:
 * - Checks in this order: final state; a request for a person, in what the
 *   grammar heard or anywhere in the free pass's text (the menu's human:
 *   phrases, built-ins included, as whole words, or "can i talk to" and the
 *   like followed by anything: dialog_spot_human), whatever the confidence;
 *   but a lone word of one ("person", "help", "manager"; one only: "can
 *   somebody help me please" is two) inside a free text
 *   of DIALOG_HUMAN_LONE_WORDS words or more counts only when the grammar did
 *   not hear an order it is sure of: on real speech the free pass makes
 *   those words out of orders it garbles ("oh boy get double shot us
 *   person" for "a double shot espresso", paged human_request on 3 of 100
 *   clean recordings), while a customer who wants a person says more, or
 *   says the word alone;
 *   a question in the free pass's text (dialog_spot_question: "how much is
 *   a large coke"), which pages out_of_menu and applies nothing, however sure
 *   the grammar was of its nearest order ("salad please an large coke",
 *   0.97); "" heard (not understood); confidence below the threshold (page
 *   low_confidence: nothing of the turn is applied, so one doubtful line is
 *   never added silently); the parse (-1 = not understood); then the actions
 *   in the order said.
 * - Not understood (the grammar heard nothing, or nothing it can parse):
 *   when the free pass heard a sentence (DIALOG_OFF_MENU_WORDS words or more:
 *   "do you have wifi", "is there a person there" misheard), page out_of_menu
 *   at once: the customer said something the kiosk cannot handle, and a
 *   person can.  Otherwise (a cough, an engine, a word or two) "Sorry, ... say
 *   it again?", and the second such turn in a row pages out_of_menu.
 * - A quantity above max_quantity (ADD or SET_QTY) pages quantity_limit and that
 *   line is not added/changed; the rest of the turn is applied so the crew sees
 *   what was understood.  repeated_corrections likewise applies the second
 *   correction, then pages.
 * - repeated_corrections: any two corrections (SET_QTY, SET_SIZE, REPLACE) of
 *   the same line, in two different turns, page; several in one turn ("make
 *   it two small") count once.  Answering a question is no correction, in any
 *   of its forms: "large", "a large", "make it a large", "large nuggets" for
 *   a size; "a sprite", "make it a sprite" for a choice.
 * - An answer to "Which drink...?" must be one of that entry's items, said
 *   without size or options; another item is a new line and the question is
 *   asked again.
 * - What is said: sentences about what could not be done ("Sorry, we're out
 *   of apple pie.", "There's no fries in your order."), then "OK, <changed
 *   lines>.", then the added lines ("Two cheeseburgers, no onions, and a large
 *   Coke."), then the next question, the read-back or "Anything else?" ("What
 *   can I get you?" when the order is empty).  A line still waiting for an
 *   answer is not echoed until the answer completes it ("A large Chicken
 *   Nuggets.").  Item names are as the menu writes them, plurals lower case.
 * - "no" while ordering (after "Anything else?") closes the order like "that's
 *   all"; "yes" while ordering answers "What else can I get you?".
 * - In READBACK any change is applied and the order is read back again; "yes"
 *   said together with a change is not taken as confirmation.  A closing in
 *   READBACK reads back again.
 * - "cancel that" restores the order as it was before the last turn that
 *   changed it (one level: a second "cancel that" has nothing left to take
 *   back); when the same turn already changed the order, it takes back that
 *   turn's earlier changes instead.
 * - A size said alone when no size was asked sets the size of the line most
 *   recently added or changed, as "make it a large" would.
 * - SET_QTY/SET_SIZE/REMOVE name an item: the most recent line of it; no item:
 *   the line most recently added or changed (else the last line).  REPLACE of
 *   an item that is only a combo's choice ("make the coke a sprite" when the
 *   Coke is the Number One's drink) changes the choice.
 * - "make (that|it|them) [N] [SIZE] X" (REPLACE with no target) when the
 *   order already has X, and the focus line is not a combo X is a choice of:
 *   a change of X's line, not the focus line turned into a second X ("a
 *   cheeseburger and a coke", "make that two cheeseburgers": two
 *   cheeseburgers and the coke).  X's line is the focus line when that is X,
 *   else the most recent line of X (a small and a large coke: the large, the
 *   later one).  Its size is set if said (an answer, when X's size is the
 *   question asked), the count that follows goes to it; "a"/"an" is no
 *   count ("make it a large coke" keeps two cokes two), and with neither the
 *   line is only echoed as it is.  Said with options or choices (not in the
 *   grammar; a crew edit) it stays a replacement.  X not in the order: the
 *   focus line becomes X ("make it a sprite" replaces the coke).
 * - REPLACE keeps qty, the size when the new item sells it (a size it does not
 *   sell is asked; a line that had no size takes the new item's default), the
 *   options the new item takes, and combo choices whose choose: entry has the
 *   same name and still allows the item.  "make it X" (or "make the number one
 *   X") on a combo line, X one of its choices, changes that choice instead.
 * - The item being asked about, said again ("a coke" to "What size would you
 *   like for the coke?"), is a repeat: the question is asked again and no
 *   second line is added; said with its answer ("a large coke", "a number one
 *   with a sprite") it is the answer.
 * - A removal says what it took off: "OK, I took off two cheeseburgers."
 * - Sold-out items are refused ("Sorry, we're out of apple pie.") and the rest
 *   of the turn applies.  A turn that changed nothing and said nothing new
 *   still answers (e.g. "There's no coke in your order. Anything else?").
 *
 * Decisions on the crew's actions:
 * - A crew edit runs the turn's machinery (run_actions) with the crew's
 *   authority: no confidence check, no page of any kind, no quantity_limit
 *   (up to DIALOG_CREW_MAX_QTY, 999, above which the line is refused as a slip
 *   of the keys), and its changes are not counted as the customer's
 *   corrections.  Sold-out items are still refused.  It says nothing: the
 *   customer hears of it at the next turn (echo, question or read-back).
 * - A crew edit that asks for a person is refused whole ("a request for a
 *   person is no edit"); one that parses but changes nothing is refused with
 *   what the kiosk would have said ("There's no fries in your order.") or
 *   "nothing to change: <say>"; yes/no/closings in it are ignored.  On
 *   success *why is NULL.
 * - A crew edit or removal cannot be taken back by a later "cancel that"
 *   (the customer's or the crew's): the order before it is forgotten.  A
 *   "cancel that" inside a crew edit still takes back the customer's last
 *   turn.  dialog_hand_back forgets it too: the crew checked that order.
 * - The asked question survives a crew change only while the same line still
 *   needs the same answer; otherwise the dialog goes back to ORDERING and the
 *   next turn asks whatever is pending (the customer never heard a question
 *   the kiosk did not say).  A read-back the crew changed is stale: ORDERING
 *   with the closing kept, so the next turn reads the new order back, and a
 *   "yes" to the old one confirms nothing.
 * - dialog_crew_confirm refuses a line still waiting for an answer ("line 2
 *   (coke) still needs a size", "... still needs a drink"): the kitchen must
 *   not guess.  It confirms from any open state or CREW.
 * - dialog_hand_back of a confirmed or cancelled order gives that reason
 *   rather than "the kiosk has the order already". */
#include "dialog.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../menu/lexicon.h"

#define DIALOG_MAX_ACTIONS 32    /* actions in one turn; more is not understood */
#define DIALOG_CREW_MAX_QTY 999  /* a crew edit's quantity cap: above it is a slip of the keys */

const char *const page_reason_names[] = {
    "human_request", "low_confidence", "out_of_menu", "quantity_limit",
    "repeated_corrections", "no_response", "crew_override", "device_fault",
};

const char *const dialog_state_names[] = {
    "ordering", "ask_size", "ask_choice", "readback", "confirmed", "crew", "cancelled",
};

static const char SAY_CREW[] = "A team member will be right with you.";
static const char SAY_SORRY[] = "Sorry, I didn't catch that. Could you say it again?";
static const char SAY_THANKS[] = "Thank you! Please pull forward to the window.";

typedef struct {
    int count;        /* corrections of this line */
    int last_turn;    /* the turn that last counted one */
} corr_t;

struct dialog_s {
    const menu_t *m;
    unsigned char *stock;  /* [m->nitems]: 1 while the item sells; m's available: at first,
                              then a newer menu's (dialog_stock): the menu itself never changes */
    dialog_config_t cfg;
    char *greeting;
    dialog_state_t state;
    int turns;
    int misses;          /* turns in a row not understood */
    int ask_line;        /* ASK_SIZE / ASK_CHOICE: the line asked about */
    int ask_choice;      /* ASK_CHOICE: the choose: entry */
    int done_asked;      /* the customer closed while a question was pending */
    int focus;           /* the line most recently added or changed, -1 none */
    int human_paged;     /* human_request was paged, or the crew took the order over; reset
                            when the crew hands back or confirms */

    order_t order;
    corr_t *corr;        /* parallel to order.lines */
    int corr_cap;

    order_t prev;        /* the order before the last turn that changed it */
    corr_t *prev_corr;
    int prev_cap;
    int have_prev;

    strbuf_t said;

    int crew_authority;  /* run_actions() with the crew's authority: no pages, no limits */
    strbuf_t why;        /* the crew actions' reason, valid until the next call */
};

/* 1 while item sells (not sold out, as the newest menu has it). */
static int sells(const dialog_t *d, int item)
{
    return d->stock[item];
}

/* ---- lines, kept in step with corr[] ---- */

static void corr_reserve(corr_t **c, int *cap, int n)
{
    if (n <= *cap) return;
    int nc = *cap ? *cap : 8;
    while (nc < n) nc *= 2;
    *c = xrealloc(*c, (size_t)nc * sizeof **c);
    *cap = nc;
}

static int line_add(dialog_t *d, int item, long qty)
{
    int l = order_add(&d->order, item, qty, d->turns);
    corr_reserve(&d->corr, &d->corr_cap, d->order.nlines);
    d->corr[l].count = 0;
    d->corr[l].last_turn = 0;
    return l;
}

static void line_remove(dialog_t *d, int l)
{
    int n = d->order.nlines;
    order_remove(&d->order, l);
    memmove(&d->corr[l], &d->corr[l + 1], (size_t)(n - l - 1) * sizeof *d->corr);
    if (d->focus == l) d->focus = -1;
    else if (d->focus > l) d->focus--;
    /* the line asked about keeps pointing at it (or at none) */
    if (d->ask_line == l) d->ask_line = -1;
    else if (d->ask_line > l) d->ask_line--;
}

/* dst order (and corr) := src */
static void snapshot(order_t *dst, corr_t **dcorr, int *dcap, const order_t *src, const corr_t *scorr)
{
    order_copy(dst, src);
    corr_reserve(dcorr, dcap, src->nlines);
    if (src->nlines) memcpy(*dcorr, scorr, (size_t)src->nlines * sizeof *scorr);
}

/* ---- words ---- */

static char *lower_dup(const char *s)
{
    char *p = xstrdup(s);
    for (char *q = p; *q; q++) *q = (char)tolower((unsigned char)*q);
    return p;
}

static void say_sentence(dialog_t *d, const char *s)
{
    if (d->said.len) strbuf_append(&d->said, " ");
    strbuf_append(&d->said, s);
}

/* Appends the items joined as a list: "a, b, and c" ("a and b" when a has no comma). */
static void join_list(strbuf_t *b, char **parts, int n, const char *last_word)
{
    for (int i = 0; i < n; i++) {
        if (i > 0) {
            if (i == n - 1) {
                int comma = n > 2 || strchr(parts[0], ',') != NULL;
                strbuf_printf(b, "%s%s ", comma ? ", " : " ", last_word);
            } else {
                strbuf_append(b, ", ");
            }
        }
        strbuf_append(b, parts[i]);
    }
}

/* The lines given, said as a list. */
static void say_lines(const dialog_t *d, const int *lines, int n, strbuf_t *out)
{
    char **parts = xcalloc((size_t)(n ? n : 1), sizeof *parts);
    for (int i = 0; i < n; i++) {
        strbuf_t b = {0};
        order_line_say(&d->order, lines[i], &b);
        parts[i] = strbuf_steal(&b);
    }
    join_list(out, parts, n, "and");
    for (int i = 0; i < n; i++) free(parts[i]);
    free(parts);
}

static void capitalise_from(strbuf_t *b, size_t at)
{
    if (at < b->len) b->s[at] = (char)toupper((unsigned char)b->s[at]);
}

/* "small, medium or large": the sizes item sells, in the menu's order. */
static void say_sizes(const dialog_t *d, int item, strbuf_t *out)
{
    const menu_t *m = d->m;
    char **parts = xcalloc((size_t)(m->nsizes ? m->nsizes : 1), sizeof *parts);
    int n = 0;
    for (int s = 0; s < m->nsizes; s++)
        if (menu_item_has_size(m, item, s)) parts[n++] = m->sizes[s].name;
    for (int i = 0; i < n; i++) {
        if (i) strbuf_append(out, i == n - 1 ? " or " : ", ");
        strbuf_append(out, parts[i]);
    }
    free(parts);
}

/* The choices that are not sold out: a sold-out one is never offered. */
static void say_choices(const dialog_t *d, const menu_choice_t *c, strbuf_t *out)
{
    int n = 0, k = 0;
    for (int i = 0; i < c->nitems; i++) n += sells(d, c->items[i]);
    for (int i = 0; i < c->nitems; i++) {
        if (!sells(d, c->items[i])) continue;
        if (k) strbuf_append(out, k == n - 1 ? " or " : ", ");
        strbuf_append(out, d->m->items[c->items[i]].name);
        k++;
    }
}

static void say_readback(dialog_t *d)
{
    strbuf_t b = {0};
    int n = d->order.nlines;
    int *all = xcalloc((size_t)(n ? n : 1), sizeof *all);
    for (int i = 0; i < n; i++) all[i] = i;
    strbuf_append(&b, "You have ");
    say_lines(d, all, n, &b);
    strbuf_append(&b, ". Your total is ");
    order_money_say(order_total_cents(&d->order), &b);
    strbuf_append(&b, ". Is that right?");
    say_sentence(d, strbuf_cstr(&b));
    strbuf_free(&b);
    free(all);
}

/* ---- questions ---- */

/* The next question: 1 with the line and its kind (0 size, 1 choice) set, else 0.
 * The line asked about comes first, then the lines in order. */
static int line_pending(const order_t *o, int l, int *line, int *kind)
{
    if (l < 0 || l >= o->nlines) return 0;
    *line = l;
    if (order_line_needs_size(o, l)) {
        *kind = 0;
        return 1;
    }
    if (order_line_needs_choice(o, l) >= 0) {
        *kind = 1;
        return 1;
    }
    return 0;
}

static int pending(const dialog_t *d, int *line, int *kind)
{
    const order_t *o = &d->order;
    if ((d->state == DIALOG_ASK_SIZE || d->state == DIALOG_ASK_CHOICE) &&
        line_pending(o, d->ask_line, line, kind))
        return 1;
    for (int i = 0; i < o->nlines; i++)
        if (line_pending(o, i, line, kind)) return 1;
    return 0;
}

static void ask(dialog_t *d, int line, int kind)
{
    const order_line_t *l = &d->order.lines[line];
    const menu_item_t *it = &d->m->items[l->item];
    char *low = lower_dup(it->name);
    strbuf_t b = {0};
    d->ask_line = line;
    if (kind == 0) {
        d->state = DIALOG_ASK_SIZE;
        strbuf_printf(&b, "What size would you like for the %s: ", low);
        say_sizes(d, l->item, &b);
        strbuf_append(&b, "?");
    } else {
        int k = order_line_needs_choice(&d->order, line);
        d->ask_choice = k;
        d->state = DIALOG_ASK_CHOICE;
        strbuf_printf(&b, "Which %s would you like with the %s: ", it->choose[k].name, low);
        say_choices(d, &it->choose[k], &b);
        strbuf_append(&b, "?");
    }
    say_sentence(d, strbuf_cstr(&b));
    strbuf_free(&b);
    free(low);
}

/* ---- paging ---- */

static void to_crew(dialog_t *d, page_reason_t why, dialog_effects_t *out)
{
    if (why == PAGE_HUMAN_REQUEST) d->human_paged = 1;
    d->state = DIALOG_CREW;
    d->order.status = ORDER_CREW;
    strbuf_reset(&d->said);
    say_sentence(d, SAY_CREW);
    out->page = why;
    out->said = strbuf_cstr(&d->said);
}

/* Words in the free pass's text. */
static int count_words(const char *s)
{
    int n = 0, in = 0;
    for (; s && *s; s++) {
        int sp = isspace((unsigned char)*s);
        if (!sp && !in) n++;
        in = !sp;
    }
    return n;
}

static void not_understood(dialog_t *d, const hearing_t *h, dialog_effects_t *out)
{
    d->misses++;
    if (d->misses >= 2 || count_words(h ? h->free_text : NULL) >= DIALOG_OFF_MENU_WORDS) {
        to_crew(d, PAGE_OUT_OF_MENU, out);
        return;
    }
    say_sentence(d, SAY_SORRY);
    out->said = strbuf_cstr(&d->said);
}

/* ---- applying a turn ---- */

typedef struct {
    int *added;          /* lines added (or completed by an answer) this turn, in order */
    int nadded;
    int *changed_lines;  /* lines changed this turn ("OK, two cokes.") */
    int nchanged;
    strbuf_t notes;      /* sentences said before the echo: sold out, acknowledgements */
    page_reason_t page;
    int changed, cancelled, done, yes, no, answered;
} turn_t;

static void note(turn_t *t, const char *s)
{
    if (t->notes.len) strbuf_append(&t->notes, " ");
    strbuf_append(&t->notes, s);
}

static void note_item(dialog_t *d, turn_t *t, const char *before, int item, const char *after)
{
    char *low = lower_dup(d->m->items[item].name);
    strbuf_t b = {0};
    strbuf_printf(&b, "%s%s%s", before, low, after);
    note(t, strbuf_cstr(&b));
    strbuf_free(&b);
    free(low);
}

static void list_push(int **v, int *n, int line)
{
    for (int i = 0; i < *n; i++)
        if ((*v)[i] == line) return;
    *v = xrealloc(*v, (size_t)(*n + 1) * sizeof **v);
    (*v)[(*n)++] = line;
}

/* A line removed: forget it, renumber the ones after it. */
static void list_forget(int *v, int *n, int line)
{
    int j = 0;
    for (int i = 0; i < *n; i++) {
        if (v[i] == line) continue;
        v[j++] = v[i] > line ? v[i] - 1 : v[i];
    }
    *n = j;
}

/* Echo line at the end of the turn as added ("A large Coke."). */
static void echo(turn_t *t, int line)
{
    list_push(&t->added, &t->nadded, line);
}

/* Echo line at the end of the turn as changed ("OK, two cokes."). */
static void echo_change(turn_t *t, int line)
{
    list_push(&t->changed_lines, &t->nchanged, line);
}

static void correction(dialog_t *d, turn_t *t, int line)
{
    if (d->crew_authority) return;     /* the crew's fixes are not the customer's corrections */
    corr_t *c = &d->corr[line];
    if (c->last_turn == d->turns) return;     /* once per turn */
    c->last_turn = d->turns;
    if (++c->count >= 2 && t->page == PAGE_NONE) t->page = PAGE_REPEATED_CORRECTIONS;
}

/* The line an action names: the most recent line of item, or the focus line. */
static int find_line(const dialog_t *d, int item)
{
    const order_t *o = &d->order;
    if (item < 0) {
        if (d->focus >= 0 && d->focus < o->nlines) return d->focus;
        return o->nlines - 1;
    }
    for (int i = o->nlines - 1; i >= 0; i--)
        if (o->lines[i].item == item) return i;
    return -1;
}

/* A combo line whose choice is item: the line, and the slot in *k. */
static int find_choice_line(const dialog_t *d, int item, int *k)
{
    const order_t *o = &d->order;
    for (int i = o->nlines - 1; i >= 0; i--) {
        const menu_item_t *it = &d->m->items[o->lines[i].item];
        for (int c = 0; c < it->nchoose && c < ORDER_MAX_CHOICES; c++)
            if (o->lines[i].choice[c] == item) {
                *k = c;
                return i;
            }
    }
    return -1;
}

static int choice_allows(const menu_choice_t *c, int item)
{
    for (int i = 0; i < c->nitems; i++)
        if (c->items[i] == item) return 1;
    return 0;
}

/* A choice the kiosk can sell: allowed and not sold out. */
static int choice_takes(const dialog_t *d, const menu_choice_t *c, int item)
{
    return choice_allows(c, item) && sells(d, item);
}

/* A part that keeps combo item from being sold: an included item that is
 * sold out, or the first of a choose: entry whose items all are; -1 when
 * none.  menu check warns of these (menu_warnings). */
static int combo_sold_out_part(const dialog_t *d, int item)
{
    const menu_item_t *it = &d->m->items[item];
    for (int k = 0; k < it->nincludes; k++)
        if (!sells(d, it->includes[k].item)) return it->includes[k].item;
    for (int k = 0; k < it->nchoose; k++) {
        int open = 0;
        for (int i = 0; i < it->choose[k].nitems; i++) open |= sells(d, it->choose[k].items[i]);
        if (!open && it->choose[k].nitems > 0) return it->choose[k].items[0];
    }
    return -1;
}

/* "Sorry, we're out of big stack, so we can't make the number one.": the
 * sold-out sentence, with why the combo is refused. */
static void note_combo_sold_out(dialog_t *d, turn_t *t, int combo, int part)
{
    char *c = lower_dup(d->m->items[combo].name), *p = lower_dup(d->m->items[part].name);
    strbuf_t b = {0};
    strbuf_printf(&b, "Sorry, we're out of %s, so we can't make the %s.", p, c);
    note(t, strbuf_cstr(&b));
    strbuf_free(&b);
    free(c);
    free(p);
}

/* Sets the first open choose: entry of line that allows item; 1 if set. */
static int set_choice(dialog_t *d, int line, int item)
{
    order_line_t *l = &d->order.lines[line];
    const menu_item_t *it = &d->m->items[l->item];
    for (int k = 0; k < it->nchoose && k < ORDER_MAX_CHOICES; k++)
        if (l->choice[k] < 0 && choice_takes(d, &it->choose[k], item)) {
            l->choice[k] = item;
            return 1;
        }
    return 0;
}

static void apply_size(dialog_t *d, int line, int size)
{
    const menu_item_t *it = &d->m->items[d->order.lines[line].item];
    if (size >= 0 && menu_item_has_size(d->m, d->order.lines[line].item, size))
        d->order.lines[line].size = size;
    else if (it->size_cents && it->default_size >= 0 && size < 0)
        d->order.lines[line].size = it->default_size;
    else
        d->order.lines[line].size = -1;
}

/* The line asked about when it still waits for the kind of answer given
 * (0 size, 1 choice) and no answer came yet this turn; else -1.  item, when
 * not -1, must be the line's item (for a size). */
static int asked_line(const dialog_t *d, const turn_t *t, int kind, int item)
{
    if (t->answered || d->ask_line < 0 || d->ask_line >= d->order.nlines) return -1;
    if (kind == 0) {
        if (d->state != DIALOG_ASK_SIZE || !order_line_needs_size(&d->order, d->ask_line)) return -1;
        if (item >= 0 && d->order.lines[d->ask_line].item != item) return -1;
    } else {
        if (d->state != DIALOG_ASK_CHOICE || d->ask_choice < 0 ||
            order_line_needs_choice(&d->order, d->ask_line) != d->ask_choice)
            return -1;
    }
    return d->ask_line;
}

/* A size as the answer to "What size...?": applied when the item sells it,
 * else the question is asked again.  1 when taken as the answer. */
static int answer_size(dialog_t *d, turn_t *t, int item, int size)
{
    int l = asked_line(d, t, 0, item);
    if (l < 0) return 0;
    t->answered = 1;
    if (menu_item_has_size(d->m, d->order.lines[l].item, size)) {
        d->order.lines[l].size = size;
        d->focus = l;
        t->changed = 1;
        echo(t, l);
    }
    return 1;
}

/* An item as the answer to "Which drink...?".  1 when taken as the answer. */
static int answer_choice(dialog_t *d, turn_t *t, int item)
{
    int l = asked_line(d, t, 1, -1);
    if (l < 0) return 0;
    const menu_item_t *combo = &d->m->items[d->order.lines[l].item];
    if (!choice_allows(&combo->choose[d->ask_choice], item)) return 0;
    if (!sells(d, item)) {
        /* the choice stays open, so the question comes again without it */
        t->answered = 1;
        note_item(d, t, "Sorry, we're out of ", item, ".");
        return 1;
    }
    d->order.lines[l].choice[d->ask_choice] = item;
    t->answered = 1;
    t->changed = 1;
    d->focus = l;
    echo(t, l);
    return 1;
}

/* A quantity the line may take: above max_quantity a customer's turn pages
 * quantity_limit; the crew may go up to DIALOG_CREW_MAX_QTY.  0 when refused. */
static int qty_allowed(dialog_t *d, turn_t *t, long qty)
{
    if (d->crew_authority) {
        if (qty <= DIALOG_CREW_MAX_QTY) return 1;
        strbuf_t b = {0};
        strbuf_printf(&b, "%ld is too many for one line (at most %d).", qty, DIALOG_CREW_MAX_QTY);
        note(t, strbuf_cstr(&b));
        strbuf_free(&b);
        return 0;
    }
    if (qty <= d->m->max_quantity) return 1;
    if (t->page == PAGE_NONE) t->page = PAGE_QUANTITY_LIMIT;
    return 0;
}

static void act_add(dialog_t *d, turn_t *t, const action_t *a)
{
    int plain = a->nopts == 0 && a->nchoices == 0 && a->qty <= 1;

    /* an answer to the question asked: "large nuggets", "a sprite" */
    if (plain && a->size >= 0 && answer_size(d, t, a->item, a->size)) return;
    if (plain && a->size < 0 && answer_choice(d, t, a->item)) return;
    /* the asked item said again ("a coke" to "What size...for the coke?", "a
     * number one with a sprite" to "Which drink...?"): its answer if it has
     * one, else a repeat to ask again, never a second line */
    if (a->nopts == 0 && a->qty <= 1) {
        int l = asked_line(d, t, 0, a->item);
        if (l < 0) l = asked_line(d, t, 1, -1);
        if (l >= 0 && d->order.lines[l].item == a->item) {
            t->answered = 1;
            for (int i = 0; i < a->nchoices; i++)
                if (!set_choice(d, l, a->choices[i]) && !sells(d, a->choices[i]))
                    note_item(d, t, "Sorry, we're out of ", a->choices[i], ".");
            if (a->nchoices) {
                t->changed = 1;
                d->focus = l;
                echo(t, l);
            }
            return;
        }
    }

    if (!sells(d, a->item)) {
        note_item(d, t, "Sorry, we're out of ", a->item, ".");
        return;
    }
    int out = combo_sold_out_part(d, a->item);
    if (out >= 0) {
        note_combo_sold_out(d, t, a->item, out);
        return;
    }
    long qty = a->qty > 0 ? a->qty : 1;
    if (!qty_allowed(d, t, qty)) return;
    int l = line_add(d, a->item, qty);
    apply_size(d, l, a->size);
    for (int i = 0; i < a->nopts; i++)
        order_set_option(&d->order, l, a->opts[i].option, a->opts[i].amount);
    for (int i = 0; i < a->nchoices; i++)
        if (!set_choice(d, l, a->choices[i]) && !sells(d, a->choices[i]))
            note_item(d, t, "Sorry, we're out of ", a->choices[i], ".");   /* asked again */
    echo(t, l);
    t->changed = 1;
    d->focus = l;
}

static int need_line(dialog_t *d, turn_t *t, int target)
{
    int l = find_line(d, target);
    if (l < 0) {
        if (target < 0) note(t, "Your order is empty.");
        else note_item(d, t, "There's no ", target, " in your order.");
    }
    return l;
}

static void act_set_qty(dialog_t *d, turn_t *t, const action_t *a)
{
    int l = need_line(d, t, a->target);
    if (l < 0) return;
    if (!qty_allowed(d, t, a->qty)) return;
    if (a->qty < 1) return;
    d->order.lines[l].qty = a->qty;
    d->focus = l;
    t->changed = 1;
    correction(d, t, l);
    echo_change(t, l);
}

static void set_line_size(dialog_t *d, turn_t *t, int l, int size, int counts)
{
    int item = d->order.lines[l].item;
    const menu_item_t *it = &d->m->items[item];
    if (!it->size_cents) {
        note_item(d, t, "The ", item, " comes in one size.");
        return;
    }
    if (!menu_item_has_size(d->m, item, size)) {
        strbuf_t b = {0};
        char *low = lower_dup(it->name);
        strbuf_printf(&b, "The %s comes in ", low);
        say_sizes(d, item, &b);
        strbuf_append(&b, ".");
        note(t, strbuf_cstr(&b));
        strbuf_free(&b);
        free(low);
        return;
    }
    d->order.lines[l].size = size;
    d->focus = l;
    t->changed = 1;
    if (counts) correction(d, t, l);
    echo_change(t, l);
}

static void act_set_size(dialog_t *d, turn_t *t, int target, int size, int counts)
{
    int l = need_line(d, t, target);
    if (l >= 0) set_line_size(d, t, l, size, counts);
}

/* The line of item that "make that X" means: the focus line if it is X,
 * else the most recent line of X; -1 when the order has no X. */
static int named_line(const dialog_t *d, int focus, int item)
{
    if (focus >= 0 && d->order.lines[focus].item == item) return focus;
    return find_line(d, item);
}

/* 1 when a line was replaced, its choice changed or X's line taken (the
 * count that follows goes to it), else 0. */
static int act_replace(dialog_t *d, turn_t *t, const action_t *a)
{
    const menu_t *m = d->m;
    int l = find_line(d, a->target);
    if (l < 0 && a->target >= 0) {
        /* the coke may be a combo's drink */
        int k = -1;
        int cl = find_choice_line(d, a->target, &k);
        if (cl >= 0) {
            const menu_item_t *combo = &m->items[d->order.lines[cl].item];
            if (a->size < 0 && a->nopts == 0 && choice_allows(&combo->choose[k], a->item) &&
                !sells(d, a->item)) {
                note_item(d, t, "Sorry, we're out of ", a->item, ".");
            } else if (a->size < 0 && a->nopts == 0 && choice_allows(&combo->choose[k], a->item)) {
                d->order.lines[cl].choice[k] = a->item;
                d->focus = cl;
                t->changed = 1;
                correction(d, t, cl);
                echo_change(t, cl);
                return 1;
            } else {
                strbuf_t b = {0};
                char *low = lower_dup(combo->name);
                strbuf_printf(&b, "The %s comes with ", low);
                say_choices(d, &combo->choose[k], &b);
                strbuf_append(&b, ".");
                note(t, strbuf_cstr(&b));
                strbuf_free(&b);
                free(low);
            }
            return 0;
        }
    }
    if (l < 0) {
        need_line(d, t, a->target);
        return 0;
    }
    /* "make it a croissant" right after "a coffee and pastry with a bagel":
     * the combo's choice, not the whole combo */
    if (a->target < 0 || a->target == d->order.lines[l].item) {
        order_line_t *cl = &d->order.lines[l];
        const menu_item_t *combo = &m->items[cl->item];
        for (int k = 0; k < combo->nchoose && k < ORDER_MAX_CHOICES; k++) {
            if (a->size >= 0 || a->nopts || a->nchoices || a->item == cl->item ||
                !choice_takes(d, &combo->choose[k], a->item))
                continue;
            cl->choice[k] = a->item;
            d->focus = l;
            t->changed = 1;
            correction(d, t, l);
            echo_change(t, l);
            return 1;
        }
    }
    /* "make that two cheeseburgers" after "a cheeseburger and a coke": the
     * customer changes the cheeseburger, not the coke into a second one; a
     * size, if said, is that line's ("make it a large coke"), and the count
     * that follows goes to it as the line now in focus */
    int x = a->target < 0 && a->nopts == 0 && a->nchoices == 0 ? named_line(d, l, a->item) : -1;
    if (x >= 0) {
        d->focus = x;
        if (a->size < 0) echo_change(t, x);
        else if (!answer_size(d, t, a->item, a->size)) set_line_size(d, t, x, a->size, 1);
        return 1;
    }
    if (!sells(d, a->item)) {
        note_item(d, t, "Sorry, we're out of ", a->item, ".");
        return 0;
    }
    int out = combo_sold_out_part(d, a->item);
    if (out >= 0) {
        note_combo_sold_out(d, t, a->item, out);
        return 0;
    }
    order_line_t *ln = &d->order.lines[l];
    int old_item = ln->item, old_size = ln->size;
    int old_choice[ORDER_MAX_CHOICES];
    memcpy(old_choice, ln->choice, sizeof old_choice);
    int nopt = m->noptions;
    signed char *old_amount = xmalloc((size_t)(nopt > 0 ? nopt : 1));
    if (nopt > 0) memcpy(old_amount, ln->amount, (size_t)nopt);

    ln->item = a->item;
    if (nopt > 0) memset(ln->amount, -1, (size_t)nopt);
    for (int k = 0; k < ORDER_MAX_CHOICES; k++) ln->choice[k] = -1;

    /* size: as said; else the old one when the new item sells it; else, when
     * the old line had none, the new item's default; else ask */
    if (a->size >= 0) apply_size(d, l, a->size);
    else if (old_size >= 0 && menu_item_has_size(m, a->item, old_size)) ln->size = old_size;
    else if (old_size >= 0) ln->size = -1;
    else apply_size(d, l, -1);

    /* options the new item takes, as they were, then as said now */
    for (int k = 0; k < nopt; k++) {
        if (old_amount[k] < 0 || !menu_item_takes_option(m, a->item, k)) continue;
        int was_def = menu_item_option_default(m, old_item, k);
        int amt = old_amount[k];
        /* "no" on the old item's default means off; normal on a non-default means on */
        if (amt == AMOUNT_NO && !was_def) continue;
        order_set_option(&d->order, l, k, (amount_t)amt);
    }
    for (int i = 0; i < a->nopts; i++)
        order_set_option(&d->order, l, a->opts[i].option, a->opts[i].amount);

    /* choices kept where the new combo has an entry of the same name allowing them */
    const menu_item_t *oi = &m->items[old_item], *ni = &m->items[a->item];
    for (int k = 0; k < oi->nchoose && k < ORDER_MAX_CHOICES; k++) {
        if (old_choice[k] < 0) continue;
        for (int j = 0; j < ni->nchoose && j < ORDER_MAX_CHOICES; j++)
            if (strcmp(oi->choose[k].name, ni->choose[j].name) == 0 &&
                choice_takes(d, &ni->choose[j], old_choice[k]))
                ln->choice[j] = old_choice[k];
    }
    for (int i = 0; i < a->nchoices; i++) set_choice(d, l, a->choices[i]);
    free(old_amount);

    d->focus = l;
    t->changed = 1;
    correction(d, t, l);
    echo_change(t, l);
    return 1;
}

static void act_remove(dialog_t *d, turn_t *t, const action_t *a)
{
    int l = need_line(d, t, a->target);
    if (l < 0) return;
    strbuf_t b = {0};
    strbuf_append(&b, "OK, I took off ");
    order_line_say(&d->order, l, &b);
    strbuf_append(&b, ".");
    line_remove(d, l);
    list_forget(t->added, &t->nadded, l);
    list_forget(t->changed_lines, &t->nchanged, l);
    t->changed = 1;
    note(t, strbuf_cstr(&b));
    strbuf_free(&b);
}

static void act_cancel_last(dialog_t *d, turn_t *t, const order_t *before, const corr_t *bcorr)
{
    if (t->changed) {
        snapshot(&d->order, &d->corr, &d->corr_cap, before, bcorr);
    } else if (d->have_prev) {
        snapshot(&d->order, &d->corr, &d->corr_cap, &d->prev, d->prev_corr);
        d->have_prev = 0;
    } else {
        note(t, "There's nothing to take back.");
        return;
    }
    d->order.status = ORDER_OPEN;
    d->focus = -1;
    t->nadded = 0;
    t->nchanged = 0;
    t->cancelled = 1;
    t->changed = 0;
    note(t, "OK, I took that back.");
}

/* The actions, in the order said, on the order (state untouched; t filled in:
 * the caller frees t's lists and notes). */
static void run_actions(dialog_t *d, const action_t *acts, int n, turn_t *tp)
{
    turn_t t;
    memset(&t, 0, sizeof t);
    t.page = PAGE_NONE;

    order_t before;
    corr_t *bcorr = NULL;
    int bcap = 0;
    order_init(&before, d->m);
    snapshot(&before, &bcorr, &bcap, &d->order, d->corr);

    for (int i = 0; i < n; i++) {
        const action_t *a = &acts[i];
        switch (a->kind) {
        case ACT_ADD:
            act_add(d, &t, a);
            break;
        case ACT_SIZE:
            if (!answer_size(d, &t, -1, a->size)) act_set_size(d, &t, -1, a->size, 0);
            break;
        case ACT_SET_QTY:
            act_set_qty(d, &t, a);
            break;
        case ACT_SET_SIZE:
            /* "make it a large" answering "What size...?" is no correction */
            if (!answer_size(d, &t, a->target, a->size))
                act_set_size(d, &t, a->target, a->size, 1);
            break;
        case ACT_REPLACE:
            /* "make it a sprite" answering "Which drink...?" */
            if (a->size < 0 && a->nopts == 0 && a->nchoices == 0 &&
                (a->target < 0 || (asked_line(d, &t, 1, -1) >= 0 &&
                                   d->order.lines[d->ask_line].item == a->target)) &&
                answer_choice(d, &t, a->item))
                break;
            if (!act_replace(d, &t, a) && i + 1 < n && acts[i + 1].kind == ACT_SET_QTY &&
                acts[i + 1].target < 0)
                i++;    /* "make the coke two sprites" with no coke: not the count either */
            break;
        case ACT_REMOVE:
            act_remove(d, &t, a);
            break;
        case ACT_CANCEL_LAST:
            act_cancel_last(d, &t, &before, bcorr);
            break;
        case ACT_START_OVER:
            order_clear(&d->order);
            d->focus = -1;
            d->done_asked = 0;
            t.nadded = 0;
            t.nchanged = 0;
            t.changed = 1;
            note(&t, "OK, let's start over.");
            break;
        case ACT_DONE:
            t.done = 1;
            break;
        case ACT_YES:
            t.yes = 1;
            break;
        case ACT_NO:
            t.no = 1;
            break;
        case ACT_HUMAN:
            break;      /* handled before */
        case ACT_GREET:
            break;      /* changes nothing: what comes next is asked (the lane greets a new car) */
        }
    }

    if (t.changed && !t.cancelled) {
        snapshot(&d->prev, &d->prev_corr, &d->prev_cap, &before, bcorr);
        d->have_prev = 1;
    }
    order_free(&before);
    free(bcorr);
    *tp = t;
}

static void apply(dialog_t *d, const action_t *acts, int n, dialog_effects_t *out)
{
    dialog_state_t was = d->state;
    turn_t t;
    run_actions(d, acts, n, &t);

    if (t.page != PAGE_NONE) {
        free(t.added);
        free(t.changed_lines);
        strbuf_free(&t.notes);
        to_crew(d, t.page, out);
        return;
    }

    /* what to say: notes, the echo of what was added, then what comes next */
    if (t.notes.len) say_sentence(d, strbuf_cstr(&t.notes));
    /* changed lines (not also added), then the added ones; lines still
     * waiting for an answer are echoed once it comes */
    int nch = 0;
    for (int i = 0; i < t.nchanged; i++) {
        int dup = 0;
        for (int j = 0; j < t.nadded; j++)
            if (t.added[j] == t.changed_lines[i]) dup = 1;
        if (!dup && !order_line_needs_size(&d->order, t.changed_lines[i]) &&
            order_line_needs_choice(&d->order, t.changed_lines[i]) < 0)
            t.changed_lines[nch++] = t.changed_lines[i];
    }
    if (nch) {
        strbuf_t b = {0};
        strbuf_append(&b, "OK, ");
        say_lines(d, t.changed_lines, nch, &b);
        strbuf_append(&b, ".");
        say_sentence(d, strbuf_cstr(&b));
        strbuf_free(&b);
    }
    int ncomplete = 0;
    for (int i = 0; i < t.nadded; i++)
        if (!order_line_needs_size(&d->order, t.added[i]) &&
            order_line_needs_choice(&d->order, t.added[i]) < 0)
            t.added[ncomplete++] = t.added[i];
    if (ncomplete) {
        strbuf_t b = {0};
        say_lines(d, t.added, ncomplete, &b);
        strbuf_append(&b, ".");
        capitalise_from(&b, 0);
        say_sentence(d, strbuf_cstr(&b));
        strbuf_free(&b);
    }
    int had_notes = t.notes.len > 0;
    out->noted = had_notes;
    free(t.added);
    free(t.changed_lines);
    strbuf_free(&t.notes);

    int touched = t.changed || t.cancelled;
    if (was == DIALOG_READBACK && touched) d->done_asked = 1;
    if (t.done) d->done_asked = 1;

    int pl, pk;
    if (pending(d, &pl, &pk)) {
        ask(d, pl, pk);
    } else if (was == DIALOG_READBACK && !touched && t.yes && !t.no) {
        d->state = DIALOG_CONFIRMED;
        d->order.status = ORDER_CONFIRMED;
        say_sentence(d, SAY_THANKS);
    } else if (was == DIALOG_READBACK && !touched && t.no) {
        d->state = DIALOG_ORDERING;
        d->done_asked = 0;
        say_sentence(d, "Sorry about that. What would you like to change?");
    } else if (d->done_asked || (was == DIALOG_READBACK) ||
               (!touched && t.no && !t.yes && was == DIALOG_ORDERING)) {
        d->done_asked = 0;
        if (d->order.nlines == 0) {
            d->state = DIALOG_ORDERING;
            say_sentence(d, "Your order is empty. What can I get you?");
        } else {
            d->state = DIALOG_READBACK;
            say_readback(d);
        }
    } else {
        d->state = DIALOG_ORDERING;
        if (!touched && t.yes && !had_notes) say_sentence(d, "What else can I get you?");
        else if (d->order.nlines == 0) say_sentence(d, "What can I get you?");
        else say_sentence(d, "Anything else?");
    }
    out->said = strbuf_cstr(&d->said);
}

/* ---- public ---- */

dialog_t *dialog_create(const menu_t *m, const dialog_config_t *cfg)
{
    dialog_t *d = xcalloc(1, sizeof *d);
    d->m = m;
    if (cfg) d->cfg = *cfg;
    d->greeting = xasprintf("Welcome to %s! What can I get you?", m->title ? m->title : "our drive-through");
    d->state = DIALOG_ORDERING;
    d->ask_line = -1;
    d->ask_choice = -1;
    d->focus = -1;
    d->stock = xmalloc((size_t)(m->nitems > 0 ? m->nitems : 1));
    for (int i = 0; i < m->nitems; i++) d->stock[i] = m->items[i].available != 0;
    order_init(&d->order, m);
    order_init(&d->prev, m);
    return d;
}

dialog_t *dialog_clone(const dialog_t *d)
{
    dialog_t *c = xmalloc(sizeof *c);
    *c = *d;
    c->greeting = xstrdup(d->greeting);
    c->stock = xmalloc((size_t)(d->m->nitems > 0 ? d->m->nitems : 1));
    memcpy(c->stock, d->stock, (size_t)d->m->nitems);
    c->corr = c->prev_corr = NULL;
    c->corr_cap = c->prev_cap = 0;
    order_init(&c->order, d->m);
    order_init(&c->prev, d->m);
    snapshot(&c->order, &c->corr, &c->corr_cap, &d->order, d->corr);
    snapshot(&c->prev, &c->prev_corr, &c->prev_cap, &d->prev, d->prev_corr);
    memset(&c->said, 0, sizeof c->said);
    memset(&c->why, 0, sizeof c->why);
    strbuf_append(&c->said, strbuf_cstr(&d->said));
    return c;
}

int dialog_stock(dialog_t *d, const menu_t *newer)
{
    int changed = 0;
    for (int i = 0; i < d->m->nitems; i++) {
        int k = newer == d->m ? i : menu_item_find(newer, d->m->items[i].name);
        if (k < 0) continue;   /* gone from the newer menu: that waits for the next car */
        unsigned char now = newer->items[k].available != 0;
        changed += now != d->stock[i];
        d->stock[i] = now;
    }
    return changed;
}

void dialog_free(dialog_t *d)
{
    if (!d) return;
    free(d->greeting);
    free(d->stock);
    order_free(&d->order);
    order_free(&d->prev);
    free(d->corr);
    free(d->prev_corr);
    strbuf_free(&d->said);
    strbuf_free(&d->why);
    free(d);
}

const char *dialog_greeting(const dialog_t *d)
{
    return d->greeting;
}

/* 1 when text parses to one greeting, in *greet.  The text is the free
 * search's: the grammar has no greetings, so for "hello" or "hi there" it
 * heard its nearest sentence ("fries" at 0.84, "a coke"), and that is not
 * what was said (src/DECISIONS.md, 2026-12-07, "Greetings"). */
static int greeting(const menu_t *m, const char *text, action_t *greet)
{
    action_t acts[2];
    if (!text || order_parse(m, text, acts, 2) != 1 || acts[0].kind != ACT_GREET) return 0;
    *greet = acts[0];
    return 1;
}

int dialog_greeting_only(const menu_t *m, const char *text)
{
    action_t greet;
    return greeting(m, text, &greet);
}

void dialog_hear(dialog_t *d, const hearing_t *h, dialog_effects_t *out)
{
    d->turns++;
    strbuf_reset(&d->said);
    out->page = PAGE_NONE;
    out->said = "";
    out->noted = 0;

    const char *heard = h && h->heard ? h->heard : "";
    int blank = 1;
    for (const char *c = heard; *c; c++)
        if (!isspace((unsigned char)*c)) blank = 0;
    action_t acts[DIALOG_MAX_ACTIONS];
    int n = blank || d->state == DIALOG_CANCELLED ? 0 : order_parse(d->m, heard, acts, DIALOG_MAX_ACTIONS);
    int free_human = h && h->free_text ? dialog_spot_human(d->m, h->free_text) : 0;
    int human = h && (h->human || free_human == DIALOG_HUMAN_SAID);
    for (int i = 0; i < n; i++) human |= acts[i].kind == ACT_HUMAN;
    if (free_human == DIALOG_HUMAN_LONE && !human) {
        int sure = n > 0 && (d->cfg.confidence_threshold <= 0 ||
                             h->confidence >= d->cfg.confidence_threshold);
        human = !sure;
    }

    switch (d->state) {
    case DIALOG_CREW:
    case DIALOG_CONFIRMED:
        /* A customer can always reach a person: asked for after another
         * page, or after the read-back was accepted, the crew hears it too
         * (once; the order stays as it is). */
        if (human && !d->human_paged) {
            d->human_paged = 1;
            say_sentence(d, SAY_CREW);
            out->page = PAGE_HUMAN_REQUEST;
        } else {
            say_sentence(d, d->state == DIALOG_CREW ? SAY_CREW : SAY_THANKS);
        }
        out->said = strbuf_cstr(&d->said);
        return;
    case DIALOG_CANCELLED:
        say_sentence(d, "Your order was cancelled.");
        out->said = strbuf_cstr(&d->said);
        return;
    default:
        break;
    }

    if (human) {
        to_crew(d, PAGE_HUMAN_REQUEST, out);
        return;
    }
    if (h && h->free_text && dialog_spot_question(h->free_text)) {
        to_crew(d, PAGE_OUT_OF_MENU, out);
        return;
    }
    action_t greet;
    if (h && greeting(d->m, h->free_text, &greet)) {
        d->misses = 0;
        apply(d, &greet, 1, out);
        return;
    }
    if (blank) {
        not_understood(d, h, out);
        return;
    }
    /* written so that a NaN confidence pages too */
    if (d->cfg.confidence_threshold > 0 && !(h->confidence >= d->cfg.confidence_threshold)) {
        to_crew(d, PAGE_LOW_CONFIDENCE, out);
        return;
    }
    if (n <= 0) {
        not_understood(d, h, out);
        return;
    }
    d->misses = 0;
    apply(d, acts, n, out);
}

static int is_open(dialog_state_t s)
{
    return s != DIALOG_CREW && s != DIALOG_CONFIRMED && s != DIALOG_CANCELLED;
}

void dialog_page(dialog_t *d, page_reason_t why, dialog_effects_t *out)
{
    if (is_open(d->state)) {
        to_crew(d, why, out);
        return;
    }
    strbuf_reset(&d->said);
    out->said = "";
    out->page = why;
    out->noted = 0;
}

int dialog_waiting(const dialog_t *d)
{
    return is_open(d->state);
}

const char *dialog_nudge(dialog_t *d)
{
    if (!is_open(d->state)) return NULL;
    strbuf_reset(&d->said);
    say_sentence(d, "Take your time.");
    if ((d->state == DIALOG_ASK_SIZE || d->state == DIALOG_ASK_CHOICE) && d->ask_line >= 0)
        ask(d, d->ask_line, d->state == DIALOG_ASK_SIZE ? 0 : 1);
    else if (d->state == DIALOG_READBACK) say_sentence(d, "Is the order on the screen right?");
    else if (d->order.nlines == 0) say_sentence(d, "What can I get you?");
    else say_sentence(d, "Anything else?");
    return strbuf_cstr(&d->said);
}

int dialog_car_left(dialog_t *d)
{
    if (!is_open(d->state)) return 0;
    d->state = DIALOG_CANCELLED;
    d->order.status = ORDER_CANCELLED;
    return 1;
}

/* How a question starts, as the free pass writes it (lower case), after an
 * "uh", "um", "oh", "so", "and" or "hi".  Specific on purpose: on the
 * development set, at all four noise levels, the free text of no order
 * starts so (only "is there a person there", which pages human_request
 * first); that of 6 of its 15 off-menu questions does, clean. */
static const char *const question_leads[] = {
    "how much", "how many", "how big", "how long", "do you have", "do you sell",
    "do you guys have", "do you guys sell", "do you serve", "do you take", "do you still have",
    "do you carry", "what comes", "what kind", "what time", "what size", "what sizes",
    "what flavors", "what's in", "what is in", "is there", "are there", "can i ask",
    "can you tell", NULL
};

/* " text " in lower case, every white space a space: phrases are then
 * found as whole words by looking for " phrase ". */
static void spaced_lower(const char *text, strbuf_t *t)
{
    strbuf_append(t, " ");
    for (const char *c = text; *c; c++)
        strbuf_printf(t, "%c", isspace((unsigned char)*c) ? ' ' : tolower((unsigned char)*c));
    strbuf_append(t, " ");
}

int dialog_spot_question(const char *text)
{
    strbuf_t t = {0};
    spaced_lower(text, &t);
    const char *start = strbuf_cstr(&t);
    while (*start == ' ') start++;
    static const char *const fillers[] = { "uh ", "um ", "oh ", "so ", "and ", "hi ", NULL };
    for (int i = 0; fillers[i]; i++)
        if (strncmp(start, fillers[i], strlen(fillers[i])) == 0) {
            start += strlen(fillers[i]);
            break;
        }
    int found = 0;
    for (int i = 0; question_leads[i] && !found; i++) {
        size_t len = strlen(question_leads[i]);
        found = strncmp(start, question_leads[i], len) == 0 && start[len] == ' ';
    }
    strbuf_free(&t);
    return found;
}

int dialog_spot_human(const menu_t *m, const char *text)
{
    /* " text " against " phrase ": whole words only ("personal" is no "person") */
    strbuf_t t = {0};
    spaced_lower(text, &t);
    int words = 0;
    for (const char *c = strbuf_cstr(&t); *c; c++) words += c[0] == ' ' && c[1] && c[1] != ' ';
    int found = 0, lone = 0;   /* lone: one-word phrases found ("can somebody help me": two) */
    for (int i = 0; i < m->human.n && found != DIALOG_HUMAN_SAID; i++) {
        char *p = xasprintf(" %s ", m->human.v[i]);
        if (strstr(strbuf_cstr(&t), p)) {
            lone += !strchr(m->human.v[i], ' ');
            found = strchr(m->human.v[i], ' ') || words < DIALOG_HUMAN_LONE_WORDS || lone > 1
                    ? DIALOG_HUMAN_SAID : DIALOG_HUMAN_LONE;
        }
        free(p);
    }
    /* "can i talk to a real tears in": someone to talk to, whoever the free
     * pass made of them.  Only the leads of three words or more that end in
     * "talk to" or "speak to" ("let me speak to"; not "talk to" alone, which
     * chatter has: "i'll talk to you later"), and a word after the lead. */
    for (int i = 0; lex_human_lead[i] && found != DIALOG_HUMAN_SAID; i++) {
        const char *l = lex_human_lead[i];
        size_t len = strlen(l);
        int words = 1;
        for (const char *c = l; *c; c++) words += *c == ' ';
        if (words < 3 || (!(len >= 7 && strcmp(l + len - 7, "talk to") == 0) &&
                          !(len >= 8 && strcmp(l + len - 8, "speak to") == 0)))
            continue;
        char *p = xasprintf(" %s ", l);
        const char *at = strstr(strbuf_cstr(&t), p);
        if (at && at[strlen(p)] != '\0') found = DIALOG_HUMAN_SAID;   /* a word follows */
        free(p);
    }
    strbuf_free(&t);
    return found;
}

const order_t *dialog_order(const dialog_t *d)
{
    return &d->order;
}

dialog_state_t dialog_state(const dialog_t *d)
{
    return d->state;
}

static int asked_item(const dialog_t *d);

void dialog_question(const dialog_t *d, menu_ask_t *q)
{
    q->kind = MENU_ASK_NONE;
    q->item = -1;
    q->choice = -1;
    int item = asked_item(d);
    if (d->state == DIALOG_ASK_SIZE && item >= 0) {
        q->kind = MENU_ASK_SIZE;
        q->item = item;
    } else if (d->state == DIALOG_ASK_CHOICE && item >= 0 && d->ask_choice >= 0) {
        q->kind = MENU_ASK_CHOICE;
        q->item = item;
        q->choice = d->ask_choice;
    } else if (d->state == DIALOG_READBACK) {
        q->kind = MENU_ASK_YESNO;
    }
}

int dialog_turns(const dialog_t *d)
{
    return d->turns;
}

/* ---- the crew's actions ---- */

/* *why := a reason built here (valid until the next crew call); returns -1. */
static int refuse(dialog_t *d, const char **why, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int refuse(dialog_t *d, const char **why, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    strbuf_reset(&d->why);
    strbuf_vprintf(&d->why, fmt, ap);
    va_end(ap);
    if (why) *why = strbuf_cstr(&d->why);
    return -1;
}

static int succeed(const char **why)
{
    if (why) *why = NULL;
    return 0;
}

/* A final state's reason, or NULL for an open or CREW order. */
static const char *final_reason(const dialog_t *d)
{
    if (d->state == DIALOG_CONFIRMED) return "the order is already confirmed";
    if (d->state == DIALOG_CANCELLED) return "the order was cancelled";
    return NULL;
}

/* After the crew changed the order: CREW stays the crew's; an open state is
 * recomputed from the order (see the state table). */
static void crew_settle(dialog_t *d, int asked_item)
{
    int l, k;
    switch (d->state) {
    case DIALOG_CREW:
        d->order.status = ORDER_CREW;
        return;
    case DIALOG_ASK_SIZE:
    case DIALOG_ASK_CHOICE: {
        int want = d->state == DIALOG_ASK_SIZE ? 0 : 1;
        if (line_pending(&d->order, d->ask_line, &l, &k) && k == want &&
            d->order.lines[l].item == asked_item &&
            (want == 0 || order_line_needs_choice(&d->order, l) == d->ask_choice))
            break;      /* the question the customer heard still stands */
        d->state = DIALOG_ORDERING;
        d->ask_line = -1;
        d->ask_choice = -1;
        break;
    }
    case DIALOG_READBACK:
        /* what was read back is no longer the order: a "yes" must not confirm it */
        d->state = DIALOG_ORDERING;
        d->done_asked = d->order.nlines > 0;
        break;
    default:
        break;
    }
    d->order.status = ORDER_OPEN;
}

static int asked_item(const dialog_t *d)
{
    if ((d->state == DIALOG_ASK_SIZE || d->state == DIALOG_ASK_CHOICE) && d->ask_line >= 0 &&
        d->ask_line < d->order.nlines)
        return d->order.lines[d->ask_line].item;
    return -1;
}

int dialog_take_over(dialog_t *d, const char **why)
{
    const char *r = final_reason(d);
    if (r) return refuse(d, why, "%s", r);
    d->state = DIALOG_CREW;
    d->order.status = ORDER_CREW;
    d->human_paged = 1;   /* the crew is on the headset already: asking for a person pages nobody */
    return succeed(why);
}

int dialog_hand_back(dialog_t *d, const char **why)
{
    const char *r = final_reason(d);
    if (r) return refuse(d, why, "%s", r);
    if (d->state != DIALOG_CREW) return refuse(d, why, "%s", "the kiosk has the order already");
    d->state = DIALOG_ORDERING;
    d->order.status = ORDER_OPEN;
    d->misses = 0;
    d->focus = -1;
    d->ask_line = -1;
    d->ask_choice = -1;
    d->done_asked = 0;
    d->have_prev = 0;   /* the crew checked the order: no "cancel that" past it */
    d->human_paged = 0;
    for (int i = 0; i < d->order.nlines; i++) {
        d->corr[i].count = 0;
        d->corr[i].last_turn = 0;
    }
    return succeed(why);
}

/* Two lines that are the same thing: item, size, options and choices. */
static int same_line(const order_t *o, int a, int b)
{
    const order_line_t *x = &o->lines[a], *y = &o->lines[b];
    if (x->item != y->item || x->size != y->size) return 0;
    for (int i = 0; i < o->menu->noptions; i++)
        if (x->amount[i] != y->amount[i]) return 0;
    for (int k = 0; k < ORDER_MAX_CHOICES; k++)
        if (x->choice[k] != y->choice[k]) return 0;
    return 1;
}

/* A line the crew added that is already in the order, complete and the
 * same, raises that line's quantity instead ("add a large fries" twice is
 * two large fries, one line).  A line still waiting for its size or choice
 * is left alone: its answer may make it different. */
static void crew_merge(dialog_t *d, const int *added, int nadded)
{
    for (int a = nadded - 1; a >= 0; a--) {
        int l = added[a];
        if (l < 0 || l >= d->order.nlines || order_line_needs_size(&d->order, l) ||
            order_line_needs_choice(&d->order, l) >= 0)
            continue;
        for (int i = 0; i < d->order.nlines; i++) {
            if (i == l || !same_line(&d->order, i, l)) continue;
            if (d->order.lines[i].qty + d->order.lines[l].qty > DIALOG_CREW_MAX_QTY) break;
            d->order.lines[i].qty += d->order.lines[l].qty;
            line_remove(d, l);
            break;
        }
    }
}

/* The crew talks as crew: "add a large fries", "change the coke to a
 * sprite".  The verb is theirs, not a customer's; the words after it are
 * what the order parser knows. */
static const char *crew_words(const char *say, strbuf_t *b)
{
    static const char *const verbs[] = { "add ", "also ", "plus ", "and ", "please ", NULL };
    while (isspace((unsigned char)*say)) say++;
    for (int again = 1; again;) {
        again = 0;
        for (int i = 0; verbs[i]; i++)
            if (!strncasecmp(say, verbs[i], strlen(verbs[i]))) {
                say += strlen(verbs[i]);
                while (isspace((unsigned char)*say)) say++;
                again = 1;
            }
    }
    /* "change X to Y" is the parser's "make X Y" */
    if (!strncasecmp(say, "change ", 7)) {
        const char *rest = say + 7, *to = strstr(rest, " to ");
        if (to) {
            strbuf_printf(b, "make %.*s %s", (int)(to - rest), rest, to + 4);
            return strbuf_cstr(b);
        }
        strbuf_printf(b, "make %s", rest);
        return strbuf_cstr(b);
    }
    strbuf_append(b, say);
    return strbuf_cstr(b);
}

int dialog_crew_edit(dialog_t *d, const char *said, const char **why)
{
    const char *r = final_reason(d);
    if (r) return refuse(d, why, "%s", r);
    if (!said) said = "";
    strbuf_t words = {0};
    const char *say = crew_words(said, &words);
    int blank = 1;
    for (const char *c = say; *c; c++)
        if (!isspace((unsigned char)*c)) blank = 0;
    action_t acts[DIALOG_MAX_ACTIONS];
    int n = blank ? 0 : order_parse(d->m, say, acts, DIALOG_MAX_ACTIONS);
    int rc;
    if (n <= 0) {
        rc = refuse(d, why, "not understood: %s", said);
        strbuf_free(&words);
        return rc;
    }
    for (int i = 0; i < n; i++)
        if (acts[i].kind == ACT_HUMAN) {
            strbuf_free(&words);
            return refuse(d, why, "%s", "a request for a person is no edit");
        }

    int item = asked_item(d);
    turn_t t;
    d->crew_authority = 1;
    run_actions(d, acts, n, &t);
    d->crew_authority = 0;
    int changed = t.changed || t.cancelled;
    if (changed) {
        d->have_prev = 0;   /* a customer's "cancel that" does not undo the crew */
        crew_merge(d, t.added, t.nadded);
        crew_settle(d, item);
        rc = succeed(why);
    } else if (t.notes.len) {
        rc = refuse(d, why, "%s", strbuf_cstr(&t.notes));
    } else {
        rc = refuse(d, why, "nothing to change: %s", said);
    }
    strbuf_free(&words);
    free(t.added);
    free(t.changed_lines);
    strbuf_free(&t.notes);
    return rc;
}

int dialog_crew_remove(dialog_t *d, int line, const char **why)
{
    const char *r = final_reason(d);
    if (r) return refuse(d, why, "%s", r);
    if (line < 0 || line >= d->order.nlines)
        return refuse(d, why, "no line %lld", (long long)line + 1);
    int item = asked_item(d);
    line_remove(d, line);
    d->have_prev = 0;
    crew_settle(d, item);
    return succeed(why);
}

int dialog_crew_confirm(dialog_t *d, const char **why)
{
    const char *r = final_reason(d);
    if (r) return refuse(d, why, "%s", r);
    if (d->order.nlines == 0) return refuse(d, why, "%s", "the order is empty");
    for (int l = 0; l < d->order.nlines; l++) {
        int k = order_line_needs_choice(&d->order, l);
        if (!order_line_needs_size(&d->order, l) && k < 0) continue;
        const menu_item_t *it = &d->m->items[d->order.lines[l].item];
        char *low = lower_dup(it->name);
        int rc = refuse(d, why, "line %d (%s) still needs a %s", l + 1, low,
                        order_line_needs_size(&d->order, l) ? "size" : it->choose[k].name);
        free(low);
        return rc;
    }
    d->state = DIALOG_CONFIRMED;
    d->human_paged = 0;   /* the crew closed the order: a new request is news */
    d->order.status = ORDER_CONFIRMED;
    return succeed(why);
}

int dialog_crew_cancel(dialog_t *d, const char **why)
{
    const char *r = final_reason(d);
    if (r) return refuse(d, why, "%s", r);
    d->state = DIALOG_CANCELLED;
    d->order.status = ORDER_CANCELLED;
    return succeed(why);
}
