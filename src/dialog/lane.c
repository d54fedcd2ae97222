/* lane.c: see lane.h.
 *
 * Decisions where the issues leave a choice (history in src/DECISIONS.md):
 * - Without a speaker post, speech onset starts a car (the caller's
 *   lane_car_arrives).  The customer is already speaking, so the greeting is
 *   not spoken over them: it opens the kiosk's first answer instead
 *   ("Welcome to Burger Barn! Two cheeseburgers...").
 * - With a speaker post whose link is up, the loop starts the car and the
 *   kiosk greets it at once ("Welcome to Burger Barn! What can I get you?");
 *   speech with no car is ignored (logged), not kept: nobody is on the loop
 *   (the last car pulling forward, a passer-by).  The loop's departure ends
 *   the car as "gone", and a page raised for it stops escalating, left
 *   unacknowledged.  An empty car on the loop never leaves by silence.
 * - Patience: a customer quiet for cfg->nudge seconds after the kiosk spoke
 *   is told "Take your time." and the question again, once; quiet
 *   cfg->no_response seconds more, an order with something in it pages
 *   no_response.  An empty car (without a post, noise may have started it)
 *   quiet cfg->car_gone seconds has left.  A car whose order is the crew's
 *   or that has an open page never leaves by silence: only the crew
 *   (confirm, cancel, gone) ends it. */
#include "lane.h"

#include <ctype.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../crew/words.h"

/* After a car leaves, its board ("Thank you, please pull forward" and the
 * order) stays up this long, then the board says Welcome. */
#define BOARD_LINGER_S 8.0

const char *const lane_fx_names[] = {
    "event", "say", "hush", "crew_page", "log", "reply", "crew_ok", "car_begin", "turn", "page", "order", "confirm",
    "ack",
    "crew", "car_end",
};
_Static_assert(sizeof lane_fx_names / sizeof lane_fx_names[0] == LANE_FX_CAR_END + 1, "an effect without its name");

const char *const lane_miss_names[] = { "own_voice", "device", "busy", "overrun" };
_Static_assert(sizeof lane_miss_names / sizeof lane_miss_names[0] == LANE_MISS_N, "a reason without its name");

void lane_init(lane_t *l, const lane_config_t *cfg, const menu_t *menu)
{
    memset(l, 0, sizeof *l);
    l->cfg = cfg;
    l->menu = menu;
    esc_init(&l->esc);
    order_init(&l->empty, menu);
}

void lane_fx_clear(lane_fxlist_t *fx)
{
    for (int i = 0; i < fx->n; i++) {
        lane_fx_t *e = &fx->v[i];
        free(e->text);
        free(e->file);
        free(e->heard);
        free(e->free_text);
        free(e->said);
        free(e->error);
    }
    fx->n = 0;
}

void lane_free(lane_t *l)
{
    session_free(l->car);
    session_free(l->last_car);
    l->car = l->last_car = NULL;
    order_free(&l->empty);
    strlist_free(&l->menu_errors);
    for (int i = 0; i < LANE_SAID_KEEP; i++) {
        free(l->said[i]);
        l->said[i] = NULL;
    }
    lane_fx_clear(&l->fx);
    free(l->fx.v);
    l->fx.v = NULL;
    l->fx.cap = 0;
}

void lane_set_time(lane_t *l, double now, double wall)
{
    l->now = now;
    l->wall = wall;
}

/* A new effect of the current car at the current time; the caller fills the rest. */
static lane_fx_t *fx_add(lane_t *l, lane_fx_kind_t kind, const char *text)
{
    lane_fxlist_t *f = &l->fx;
    if (f->n == f->cap) {
        f->cap = f->cap ? 2 * f->cap : 16;
        f->v = xrealloc(f->v, (size_t)f->cap * sizeof *f->v);
    }
    lane_fx_t *e = &f->v[f->n++];
    memset(e, 0, sizeof *e);
    e->kind = kind;
    e->car = l->car ? l->cars : 0;
    e->t = l->wall;
    e->text = text ? xstrdup(text) : NULL;
    return e;
}

/* Every event line is made here: ev_open starts the object, the caller adds
 * its fields, ev_end closes it as one effect (lane_io.c hands the same
 * complete line to the crew stations, the store and --events). */
static void ev_open(strbuf_t *b, double t, const char *type, int car)
{
    strbuf_printf(b, "{\"t\": %.3f, \"event\": ", t);
    strbuf_json_str(b, type);
    if (car) strbuf_printf(b, ", \"car\": %d", car);
}

static void ev_begin(lane_t *l, strbuf_t *b, const char *type)
{
    ev_open(b, l->wall, type, l->car ? l->cars : 0);
}

static void ev_end(lane_t *l, strbuf_t *b, const char *type)
{
    l->board_dirty = 1;
    strbuf_append(b, "}");
    fx_add(l, LANE_FX_EVENT, strbuf_cstr(b))->name = type;
    strbuf_free(b);
}

void lane_say_event(strbuf_t *b, double t, int car, const char *text, long ms, long ahead_ms)
{
    ev_open(b, t, "say", car);
    strbuf_append(b, ", \"text\": ");
    strbuf_json_str(b, text);
    strbuf_printf(b, ", \"ms\": %ld", ms);
    if (ahead_ms > 0) strbuf_printf(b, ", \"ahead_ms\": %ld", ahead_ms);
    strbuf_append(b, "}");
}

void lane_taken_back_event(strbuf_t *b, double t, int car, const char *text, long ms)
{
    ev_open(b, t, "taken_back", car);
    strbuf_append(b, ", \"text\": ");
    strbuf_json_str(b, text);
    strbuf_printf(b, ", \"ms\": %ld}", ms);
}

static void lane_log(lane_t *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void lane_log(lane_t *l, const char *fmt, ...)
{
    strbuf_t b = {0};
    va_list ap;
    va_start(ap, fmt);
    strbuf_vprintf(&b, fmt, ap);
    va_end(ap);
    fx_add(l, LANE_FX_LOG, strbuf_cstr(&b));
    strbuf_free(&b);
}

/* Words for the loudspeaker, unless the crew holds the car. */
static void speak(lane_t *l, const char *text)
{
    if (!text || !*text || l->taken_over || l->talking) return;
    lane_log(l, "  kiosk: %s", text);
    fx_add(l, LANE_FX_SAY, text);
    free(l->said[LANE_SAID_KEEP - 1]);
    memmove(l->said + 1, l->said, (LANE_SAID_KEEP - 1) * sizeof l->said[0]);
    l->said[0] = xstrdup(text);
}

/* The page in words for the crew's headset (lane_io plays a chime, then
 * these): the lane's name first, as the headsets of several lanes share one
 * channel, then the reason in the crew station's words and what went wrong
 * when the reason alone does not say (detail, or NULL); a reminder and the
 * manager's call say they are not the first. */
static void crew_page(lane_t *l, esc_level_t level, page_reason_t why, const char *detail)
{
    const char *lane = l->cfg->name ? l->cfg->name : "the lane";
    char *words = xasprintf("%s%s%s", view_reason_words(page_reason_names[why]), detail ? ": " : "",
                            detail ? detail : "");
    char *text = level == ESC_MANAGER ? xasprintf("Manager to %s, page not answered: %s.", lane, words)
               : level == ESC_REMIND  ? xasprintf("%s again: %s.", lane, words)
                                      : xasprintf("%s: %s.", lane, words);
    free(words);
    lane_fx_t *e = fx_add(l, LANE_FX_CREW_PAGE, text);
    free(text);
    e->name = page_reason_names[why];
    e->status = level == ESC_NONE ? "page" : esc_level_names[level];
}

/* A page is open from now (the first one's reason and car are the ones the crew is late for). */
static void raise_page(lane_t *l, page_reason_t why)
{
    if (!l->esc.open) {
        l->page_reason = why;
        l->page_car = l->car ? l->cars : 0;
    }
    esc_raise(&l->esc, l->now);
}

/* by: what raised it when not the dialog or a timer ("button"), else NULL */
static void ev_page(lane_t *l, page_reason_t why, int turn, const char *heard, const char *free_text, const char *by)
{
    strbuf_t b = {0};
    ev_begin(l, &b, "page");
    strbuf_printf(&b, ", \"turn\": %d, \"reason\": ", turn);
    strbuf_json_str(&b, page_reason_names[why]);
    strbuf_append(&b, ", \"heard\": ");
    strbuf_json_str(&b, heard);
    strbuf_append(&b, ", \"free_text\": ");
    strbuf_json_str(&b, free_text);
    if (by) {
        strbuf_append(&b, ", \"by\": ");
        strbuf_json_str(&b, by);
    }
    ev_end(l, &b, "page");
    raise_page(l, why);
    crew_page(l, ESC_NONE, why, NULL);
    lane_log(l, "  PAGE crew: %s%s", view_reason_words(page_reason_names[why]), by ? " (the help button)" : "");
}

static void store_page(lane_t *l, page_reason_t why, int turn, const char *heard, const char *free_text)
{
    lane_fx_t *e = fx_add(l, LANE_FX_PAGE, NULL);
    e->name = page_reason_names[why];
    e->turn = turn;
    e->heard = xstrdup(heard);
    e->free_text = xstrdup(free_text);
}

/* The order as it stands, for the store: kind LANE_FX_ORDER or LANE_FX_CONFIRM. */
static void store_order(lane_t *l, lane_fx_kind_t kind)
{
    const order_t *o = dialog_order(session_dialog(l->car));
    strbuf_t j = {0};
    order_json(o, &j);
    lane_fx_t *e = fx_add(l, kind, strbuf_cstr(&j));
    strbuf_free(&j);
    e->status = order_status_names[o->status];
    e->cents = order_total_cents(o);
}

/* An "order" or "confirmed" event; the store gets an order that changed
 * (a confirmation went to it before anything said so: store_order). */
static void ev_order(lane_t *l, const char *type)
{
    if (!strcmp(type, "order")) store_order(l, LANE_FX_ORDER);
    strbuf_t b = {0};
    ev_begin(l, &b, type);
    strbuf_append(&b, ", \"order\": ");
    order_json(dialog_order(session_dialog(l->car)), &b);
    ev_end(l, &b, type);
}

/* m becomes the lane's menu: no car is at the post. */
static void set_menu(lane_t *l, const menu_t *m)
{
    l->next_menu = NULL;
    if (m == l->menu) return;
    l->menu = m;
    order_free(&l->empty);
    order_init(&l->empty, m);
}

/* by: "loop" when the speaker post's loop started it, else NULL (speech) */
static void arrive(lane_t *l, const char *by)
{
    session_free(l->last_car);
    l->last_car = NULL;
    if (l->next_menu) set_menu(l, l->next_menu);   /* a newer menu waited for this car */
    l->linger_until = 0;
    dialog_config_t cfg = { .confidence_threshold = l->cfg->threshold };
    l->car = session_create(l->menu, &cfg);
    l->cars++;
    l->greet = 1;
    l->paged_no_response = 0;
    l->nudged = 0;
    l->applied_turn = 0;
    l->last_activity = l->now;
    fx_add(l, LANE_FX_CAR_BEGIN, l->menu->title ? l->menu->title : "")->name = l->cfg->name;
    strbuf_t b = {0};
    ev_begin(l, &b, "car");
    strbuf_append(&b, ", \"state\": \"arrived\"");
    if (by) {
        strbuf_append(&b, ", \"by\": ");
        strbuf_json_str(&b, by);
    }
    ev_end(l, &b, "car");
    lane_log(l, "car %d arrived%s", l->cars, by ? " at the loop" : "");
}

void lane_car_arrives(lane_t *l)
{
    arrive(l, NULL);
}

static void leave(lane_t *l, const char *why, const char *by)
{
    const order_t *o = dialog_order(session_dialog(l->car));
    strbuf_t j = {0};
    order_json(o, &j);
    lane_fx_t *e = fx_add(l, LANE_FX_CAR_END, strbuf_cstr(&j));
    strbuf_free(&j);
    e->name = why;
    e->status = order_status_names[o->status];
    e->cents = order_total_cents(o);
    /* "Thank you, please pull forward" stays up while the car pulls away */
    if (l->cfg->board) l->linger_until = l->now + BOARD_LINGER_S;
    strbuf_t b = {0};
    ev_begin(l, &b, "car");
    strbuf_append(&b, ", \"state\": \"left\", \"why\": ");
    strbuf_json_str(&b, why);
    strbuf_append(&b, ", \"status\": ");
    strbuf_json_str(&b, order_status_names[o->status]);
    strbuf_printf(&b, ", \"total_cents\": %ld", order_total_cents(o));
    if (by) {
        strbuf_append(&b, ", \"by\": ");
        strbuf_json_str(&b, by);
    }
    ev_end(l, &b, "car");
    lane_log(l, "car %d left (%s%s): order %s", l->cars, why, by ? ", off the loop" : "", order_status_names[o->status]);
    session_free(l->last_car);
    l->last_car = l->car;
    l->car = NULL;
    l->taken_over = 0;
}

void lane_car_leaves(lane_t *l, const char *why)
{
    leave(l, why, NULL);
}

/* A turn said while the crew talked: kept, its event, nothing acted on. */
static void overheard(lane_t *l, const char *file, const asr_result_t *r, long audio_ms, double turn_end)
{
    session_overhear(l->car, file, audio_ms, r);
    int nt = session_nturns(l->car);
    const session_turn_t *t = session_turn(l->car, nt - 1);
    lane_fx_t *st = fx_add(l, LANE_FX_TURN, NULL);
    st->turn = nt;
    st->file = xstrdup(t->file);
    st->heard = xstrdup(t->heard);
    st->free_text = xstrdup(t->free_text);
    st->said = xstrdup("");
    st->confidence = t->confidence;
    st->decode_ms = t->decode_ms;
    st->audio_ms = t->audio_ms;
    strbuf_t b = {0};
    ev_begin(l, &b, "turn");
    strbuf_printf(&b, ", \"turn\": %d, \"audio_ms\": %ld, \"decode_ms\": %.1f, \"endpoint_ms\": %.1f, "
                      "\"heard\": ", nt, t->audio_ms, t->decode_ms, (l->now - turn_end) * 1000.0);
    strbuf_json_str(&b, t->heard);
    strbuf_append(&b, ", \"free_text\": ");
    strbuf_json_str(&b, t->free_text);
    strbuf_printf(&b, ", \"confidence\": %.2f, \"said\": \"\", \"page\": null, \"overheard\": true", t->confidence);
    ev_end(l, &b, "turn");
    lane_log(l, "  overheard while the crew talked: %s", *t->free_text ? t->free_text : "(nothing)");
    l->last_activity = l->now;
}

void lane_barge_in(lane_t *l)
{
    l->barge_ins++;
    fx_add(l, LANE_FX_HUSH, NULL);
    strbuf_t b = {0};
    ev_begin(l, &b, "barge_in");
    ev_end(l, &b, "barge_in");
    lane_log(l, "  (the customer spoke over the kiosk: it stopped to listen)");
}

void lane_barge_false(lane_t *l)
{
    if (!l->said[0] || !l->car) return;
    char *again = xstrdup(l->said[0]);
    strbuf_t b = {0};
    ev_begin(l, &b, "barge_in");
    strbuf_append(&b, ", \"false\": true");
    ev_end(l, &b, "barge_in");
    lane_log(l, "  (nobody spoke after all: the kiosk says it again)");
    speak(l, again);
    free(again);
}

void lane_missed(lane_t *l, lane_miss_t why, long audio_ms)
{
    l->missed[why]++;
    int ask = why != LANE_MISS_OWN_VOICE && why != LANE_MISS_OVERRUN && audio_ms >= LANE_MISS_ASK_MS && l->car;
    strbuf_t b = {0};
    ev_begin(l, &b, "missed");
    strbuf_append(&b, ", \"reason\": ");
    strbuf_json_str(&b, lane_miss_names[why]);
    strbuf_printf(&b, ", \"audio_ms\": %ld, \"asked_again\": %s", audio_ms,
                  ask && !l->taken_over && !l->talking ? "true" : "false");
    ev_end(l, &b, "missed");
    static const char *const words[] = {
        "it was the kiosk's own voice", "the microphone stopped", "the recogniser was busy",
        "samples were lost (decoded anyway)",
    };
    lane_log(l, "  missed %.1f s of speech: %s", audio_ms / 1000.0, words[why]);
    if (ask) {
        speak(l, "Sorry, I missed that, could you say it again?");
        l->last_activity = l->now;
    }
}

/* The next word of s (lower case letters, digits and apostrophes) into w;
 * returns where it ended, NULL when there is none. */
static const char *next_word(const char *s, char *w, size_t wl)
{
    while (*s && !isalnum((unsigned char)*s)) s++;
    if (!*s) return NULL;
    size_t n = 0;
    while (*s && (isalnum((unsigned char)*s) || *s == '\'')) {
        if (n + 1 < wl) w[n++] = (char)tolower((unsigned char)*s);
        s++;
    }
    w[n] = '\0';
    return s;
}

static int said_has(const lane_t *l, const char *word)
{
    char w[64];
    for (int i = 0; i < LANE_SAID_KEEP; i++)
        for (const char *p = l->said[i]; p && (p = next_word(p, w, sizeof w));)
            if (!strcmp(w, word)) return 1;
    return 0;
}

int lane_heard_nothing(const char *heard, const char *free_text)
{
    char w[64];
    return !next_word(heard ? heard : "", w, sizeof w) && !next_word(free_text ? free_text : "", w, sizeof w);
}

int lane_own_voice(const lane_t *l, const char *heard, const char *free_text)
{
    /* A customer's answer may well be one of the kiosk's words ("yes" to
     * "Is that right? Say yes or no"): those never count as its voice alone. */
    static const char *const answers[] = { "yes", "yeah", "no", "nope", "yep", "sure", "okay", "ok", "right",
                                           "correct", "that's", "all", "it", "is", NULL };
    const char *text = free_text && *free_text ? free_text : heard ? heard : "";
    if (!l->said[0]) return 0;
    char w[64];
    int n = 0, in = 0, answer = 0;
    for (const char *p = text; (p = next_word(p, w, sizeof w));) {
        n++;
        if (said_has(l, w)) in++;
        for (int i = 0; answers[i]; i++)
            if (!strcmp(w, answers[i])) answer++;
    }
    /* not one word, from both searches, of sound with its voice in it: the
     * echo's residue or the lane's noise, never an order */
    if (n == 0) return 1;
    if (answer == n) return 0;
    return n == 1 ? in == 1 : in * 4 >= n * 3;
}

/* What the loudspeaker says for turn t, just applied to d (changed: the
 * order changed; was: d's state before it). */
static void turn_answer(const lane_t *l, const dialog_t *d, const session_turn_t *t, int changed,
                        dialog_state_t was, strbuf_t *say)
{
    int page = t->page != PAGE_NONE;
    if (l->greet && !page && !changed && dialog_state(d) == was && !t->noted) {
        /* "hello" or a cough opened the car: greet rather than apologise (but
         * "Sorry, we're out of apple pie" is said, after the welcome) */
        strbuf_append(say, dialog_greeting(d));
    } else {
        /* the customer spoke first: the welcome opens the answer */
        if (l->greet && !page)
            strbuf_printf(say, "Welcome to %s! ", l->menu->title ? l->menu->title : "our drive-through");
        strbuf_append(say, t->said);
    }
}

char *lane_preview(const lane_t *l, const asr_result_t *r)
{
    if (!l->car || l->talking || l->taken_over) return NULL;
    session_t *s = session_try(l->car);
    const dialog_t *d = session_dialog(s);
    strbuf_t before = {0}, after = {0}, say = {0};
    order_json(dialog_order(d), &before);
    dialog_state_t was = dialog_state(d);
    session_apply(s, "", 0, r);
    const session_turn_t *t = session_turn(s, session_nturns(s) - 1);
    order_json(dialog_order(d), &after);
    char *text = NULL;
    /* a confirmation waits for the turn to be final, and the store, all
     * but its first sentence when more follows ("Thank you!"), which says
     * nothing of the order */
    int confirms = was != DIALOG_CONFIRMED && dialog_state(d) == DIALOG_CONFIRMED;
    turn_answer(l, d, t, strcmp(strbuf_cstr(&before), strbuf_cstr(&after)) != 0, was, &say);
    const char *a = strbuf_cstr(&say);
    size_t n = strlen(a);
    if (confirms) {
        const char *p = a;
        while (*p && !((*p == '.' || *p == '!' || *p == '?') && p[1] == ' ')) p++;
        n = *p ? (size_t)(p - a) + 1 : 0;
    }
    if (n) text = xstrndup(a, n);
    strbuf_free(&before);
    strbuf_free(&after);
    strbuf_free(&say);
    session_free(s);
    return text;
}

/* A recognised turn goes through the dialog; what changed goes out. */
void lane_turn(lane_t *l, const char *file, const asr_result_t *r, long audio_ms, double turn_end)
{
    if (!l->car) {
        if (!lane_speech_starts_car(l)) {   /* the loop starts cars: nobody is at the post */
            const char *text = r->hearing.free_text && *r->hearing.free_text ? r->hearing.free_text : r->hearing.heard;
            lane_log(l, "  heard with no car on the loop, ignored: %s", text && *text ? text : "(nothing)");
            return;
        }
        lane_car_arrives(l);
    }
    if (l->talking) {
        overheard(l, file, r, audio_ms, turn_end);
        return;
    }
    const dialog_t *d = session_dialog(l->car);
    strbuf_t before = {0};
    order_json(dialog_order(d), &before);
    dialog_state_t was = dialog_state(d);
    session_apply(l->car, file, audio_ms, r);
    double delay_ms = (l->now - turn_end) * 1000.0;
    int nt = session_nturns(l->car);
    const session_turn_t *t = session_turn(l->car, nt - 1);
    const char *page = t->page == PAGE_NONE ? NULL : page_reason_names[t->page];

    lane_fx_t *st = fx_add(l, LANE_FX_TURN, NULL);
    st->turn = nt;
    st->file = xstrdup(t->file);
    st->heard = xstrdup(t->heard);
    st->free_text = xstrdup(t->free_text);
    st->said = xstrdup(t->said);
    st->confidence = t->confidence;
    st->decode_ms = t->decode_ms;
    st->audio_ms = t->audio_ms;
    st->name = page;
    if (page) store_page(l, t->page, nt, t->heard, t->free_text);
    /* confirmed: on the store's disk before the voice, the board or an event says so */
    int confirmed = was != DIALOG_CONFIRMED && dialog_state(d) == DIALOG_CONFIRMED;
    if (confirmed) store_order(l, LANE_FX_CONFIRM);

    strbuf_t after = {0};
    order_json(dialog_order(d), &after);
    int changed = strcmp(strbuf_cstr(&before), strbuf_cstr(&after)) != 0;
    strbuf_free(&before);
    strbuf_free(&after);
    strbuf_t say = {0};
    turn_answer(l, d, t, changed, was, &say);

    strbuf_t b = {0};
    ev_begin(l, &b, "turn");
    strbuf_printf(&b, ", \"turn\": %d, \"audio_ms\": %ld, \"decode_ms\": %.1f, \"endpoint_ms\": %.1f, "
                      "\"heard\": ", nt, t->audio_ms, t->decode_ms, delay_ms);
    strbuf_json_str(&b, t->heard);
    strbuf_append(&b, ", \"free_text\": ");
    strbuf_json_str(&b, t->free_text);
    strbuf_printf(&b, ", \"confidence\": %.2f, \"said\": ", t->confidence);
    /* the kiosk's answer as its loudspeaker gives it: nothing while the crew holds the car */
    strbuf_json_str(&b, l->taken_over || l->talking ? "" : strbuf_cstr(&say));
    strbuf_append(&b, ", \"page\": ");
    if (!page) strbuf_append(&b, "null");
    else strbuf_json_str(&b, page);
    ev_end(l, &b, "turn");
    lane_log(l, "  heard: %s  (free text: %s; confidence %.2f; ready %.0f ms after the endpoint)",
             *t->heard ? t->heard : "(nothing on the menu)", t->free_text, t->confidence, delay_ms);

    /* a confirmation has its own event below, with the order */
    if (changed && dialog_state(d) != DIALOG_CONFIRMED) ev_order(l, "order");
    if (page) ev_page(l, t->page, nt, t->heard, t->free_text, NULL);

    l->greet = 0;
    l->nudged = 0;
    l->last_activity = l->now;
    speak(l, strbuf_cstr(&say));
    strbuf_free(&say);

    if (confirmed) {
        ev_order(l, "confirmed");
        if (!l->cfg->one_car) lane_car_leaves(l, "confirmed");
    }
}

static void outside_page(lane_t *l, page_reason_t why, const char *by)
{
    if (!l->car) {
        store_page(l, why, 0, "", "");
        ev_page(l, why, 0, "", "", by);
        return;
    }
    const char *said = session_page(l->car, why);
    int nt = session_nturns(l->car);
    store_page(l, why, nt, "", "");
    ev_page(l, why, nt, "", "", by);
    ev_order(l, "order");
    speak(l, said);
}

void lane_outside_page(lane_t *l, page_reason_t why)
{
    outside_page(l, why, NULL);
}

static void ev_store(lane_t *l, const char *state, const char *error, unsigned long held, unsigned long n,
                     unsigned long dropped)
{
    strbuf_t b = {0};
    ev_begin(l, &b, "store");
    strbuf_append(&b, ", \"state\": ");
    strbuf_json_str(&b, state);
    if (error) {
        strbuf_append(&b, ", \"error\": ");
        strbuf_json_str(&b, error);
        strbuf_printf(&b, ", \"held\": %lu", held);
    } else {
        strbuf_printf(&b, ", \"written\": %lu", n);
    }
    strbuf_printf(&b, ", \"dropped\": %lu", dropped);
    ev_end(l, &b, "store");
}

void lane_store_fault(lane_t *l, const char *what, unsigned long held)
{
    if (l->store_failing) return;
    l->store_failing = 1;
    ev_store(l, "failing", what, held, 0, 0);
    /* The crew must know orders are not being kept; the car goes on with
     * the kiosk (its order is held in memory), so no dialog page. */
    strbuf_t b = {0};
    ev_begin(l, &b, "page");
    strbuf_printf(&b, ", \"turn\": %d, \"reason\": ", l->car ? session_nturns(l->car) : 0);
    strbuf_json_str(&b, page_reason_names[PAGE_DEVICE_FAULT]);
    strbuf_append(&b, ", \"heard\": \"\", \"free_text\": \"\", \"detail\": ");
    strbuf_printf(&b, "\"orders are not being saved: ");
    strbuf_t esc = {0};
    strbuf_json_str(&esc, what);
    strbuf_printf(&b, "%.*s", (int)(esc.len - 2), strbuf_cstr(&esc) + 1);   /* inside the quotes */
    strbuf_free(&esc);
    strbuf_append(&b, "\"");
    ev_end(l, &b, "page");
    store_page(l, PAGE_DEVICE_FAULT, l->car ? session_nturns(l->car) : 0, "", "");   /* kept when it is back */
    raise_page(l, PAGE_DEVICE_FAULT);
    crew_page(l, ESC_NONE, PAGE_DEVICE_FAULT, "orders are not being saved");
    lane_log(l, "  PAGE crew: orders are not being saved: %s", what);
}

void lane_store_saving(lane_t *l, unsigned long written, unsigned long dropped)
{
    if (!l->store_failing) return;
    l->store_failing = 0;
    ev_store(l, "saving", NULL, 0, written, dropped);
    lane_log(l, "  the store is saving again: %lu held rows written", written);
}

void lane_quiet_since(lane_t *l, double t)
{
    l->last_activity = t;
}

/* ---- the menu ------------------------------------------------------------ */

static void json_list(strbuf_t *b, const strlist_t *l)
{
    strbuf_append(b, "[");
    for (int i = 0; i < l->n; i++) {
        if (i) strbuf_append(b, ", ");
        strbuf_json_str(b, l->v[i]);
    }
    strbuf_append(b, "]");
}

void lane_menu(lane_t *l, const menu_t *m)
{
    strlist_free(&l->menu_errors);
    if (!l->car) set_menu(l, m);
    else l->next_menu = m == l->menu ? NULL : m;   /* the car keeps its menu */
    if (l->car) dialog_stock(session_dialog_rw(l->car), m);   /* but what is sold out applies now */
    strlist_t out = {0}, warn = {0};
    for (int i = 0; i < m->nitems; i++)
        if (!m->items[i].available) strlist_push(&out, m->items[i].name);
    menu_warnings(m, &warn);
    const char *title = m->title ? m->title : "";
    strbuf_t b = {0};
    ev_begin(l, &b, "menu");
    strbuf_append(&b, ", \"ok\": true, \"file\": ");
    strbuf_json_str(&b, m->file ? m->file : "");
    strbuf_append(&b, ", \"menu\": ");
    strbuf_json_str(&b, title);
    strbuf_printf(&b, ", \"items\": %d, \"sold_out\": ", m->nitems);
    json_list(&b, &out);
    if (warn.n) {
        strbuf_append(&b, ", \"warnings\": ");
        json_list(&b, &warn);
    }
    strbuf_printf(&b, ", \"from_car\": %d", l->cars + 1);
    ev_end(l, &b, "menu");
    strbuf_t so = {0};
    for (int i = 0; i < out.n; i++) strbuf_printf(&so, "%s%s", i ? ", " : "; sold out: ", out.v[i]);
    lane_log(l, "menu: %s, %d items%s; from car %d%s", title, m->nitems, strbuf_cstr(&so), l->cars + 1,
             l->car ? " (the car at the post keeps its menu, but what is sold out applies now)" : "");
    for (int i = 0; i < warn.n; i++) lane_log(l, "  %s", warn.v[i]);
    strbuf_free(&so);
    strlist_free(&out);
    strlist_free(&warn);
}

void lane_menu_failed(lane_t *l, const char *file, const strlist_t *errs)
{
    strlist_free(&l->menu_errors);
    for (int i = 0; i < errs->n && i < LANE_MENU_ERRORS; i++) strlist_push(&l->menu_errors, errs->v[i]);
    if (errs->n > LANE_MENU_ERRORS) strlist_pushf(&l->menu_errors, "... and %d more", errs->n - LANE_MENU_ERRORS);
    const menu_t *kept = l->next_menu ? l->next_menu : l->menu;   /* the next car's */
    const char *title = kept->title ? kept->title : "";
    strbuf_t b = {0};
    ev_begin(l, &b, "menu");
    strbuf_append(&b, ", \"ok\": false, \"file\": ");
    strbuf_json_str(&b, file);
    strbuf_append(&b, ", \"menu\": ");
    strbuf_json_str(&b, title);
    strbuf_append(&b, ", \"errors\": ");
    json_list(&b, &l->menu_errors);
    ev_end(l, &b, "menu");
    lane_log(l, "menu: %s not loaded (%d error%s); the kiosk keeps %s", file, errs->n, errs->n == 1 ? "" : "s", title);
    for (int i = 0; i < l->menu_errors.n; i++) lane_log(l, "  %s", l->menu_errors.v[i]);
}

int lane_menu_in_use(const lane_t *l, const menu_t *m)
{
    return m && (m == l->menu || m == l->next_menu || (l->car && session_menu(l->car) == m) ||
                 (l->last_car && session_menu(l->last_car) == m));
}

/* ---- the board ----------------------------------------------------------- */

void lane_view(const lane_t *l, lane_view_t *v)
{
    memset(v, 0, sizeof *v);
    v->order = &l->empty;
    v->talking = l->talking;
    if (l->car) {
        const dialog_t *d = session_dialog(l->car);
        v->car = 1;
        v->order = dialog_order(d);
        v->state = dialog_state(d);
        int n = session_nturns(l->car);
        while (n && session_turn(l->car, n - 1)->overheard) n--;   /* not the kiosk's to show as taken */
        const session_turn_t *t = n ? session_turn(l->car, n - 1) : NULL;
        v->heard = !t ? NULL : *t->heard ? t->heard : t->free_text;   /* the words just heard */
    } else if (l->linger_until && l->last_car) {
        v->order = dialog_order(session_dialog(l->last_car));
        v->thanks = v->order->status == ORDER_CONFIRMED;
    }
}

/* ---- the crew station --------------------------------------------------- */

/* by: "button" for the headset base's talk button, NULL for a crew station */
static void ev_override(lane_t *l, const char *kind, int down, const char *by)
{
    strbuf_t b = {0};
    ev_begin(l, &b, "override");
    strbuf_append(&b, ", \"kind\": ");
    strbuf_json_str(&b, kind);
    if (!strcmp(kind, "talk")) strbuf_printf(&b, ", \"down\": %s", down ? "true" : "false");
    if (by) {
        strbuf_append(&b, ", \"by\": ");
        strbuf_json_str(&b, by);
    }
    ev_end(l, &b, "override");
    lane_log(l, "  crew: %s%s%s", kind, !strcmp(kind, "talk") ? (down ? " (button down)" : " (released)") : "",
             by ? " at the headset base" : "");
}

/* The crew's talk override, from a station or the headset base (by): NULL,
 * or why it was refused. */
static const char *talk(lane_t *l, int down, const char *by)
{
    if (down == l->talking) return down ? "the talk button is already down" : "the talk button is not down";
    l->talking = down;
    if (l->talking) fx_add(l, LANE_FX_HUSH, NULL);
    ev_override(l, "talk", down, by);
    return NULL;
}

static void store_ack(lane_t *l, double after_s, const char *by)
{
    lane_fx_t *e = fx_add(l, LANE_FX_ACK, NULL);
    e->after_s = after_s;
    e->name = by;
}

/* Every crew action, done or refused, for the store (what the crew did to orders). */
static void store_crew(lane_t *l, const crew_msg_t *m, int car, const char *error)
{
    lane_fx_t *e = fx_add(l, LANE_FX_CREW, NULL);
    e->car = car;
    e->name = crew_kind_names[m->kind];
    if (m->kind == CREW_EDIT) e->text = xstrdup(m->say);
    if (m->kind == CREW_REMOVE) e->text = xasprintf("%d", m->line);
    if (m->kind == CREW_TALK) e->text = xstrdup(m->down ? "down" : "up");
    e->ok = !error;
    e->error = error ? xstrdup(error) : NULL;
}

static void reply(lane_t *l, int client, strbuf_t *json)
{
    fx_add(l, LANE_FX_REPLY, strbuf_cstr(json))->client = client;
    strbuf_free(json);
}

/* A station that just connected: where things stand, to it alone. */
static void hello(lane_t *l, int client)
{
    strbuf_t b = {0};
    ev_open(&b, l->wall, "state", l->car ? l->cars : 0);
    strbuf_append(&b, ", \"lane\": ");
    strbuf_json_str(&b, l->cfg->name);
    strbuf_append(&b, ", \"menu\": ");
    strbuf_json_str(&b, l->menu->title ? l->menu->title : "");
    strbuf_printf(&b, ", \"taken_over\": %s, \"talking\": %s, \"page\": ", l->taken_over ? "true" : "false",
                  l->talking ? "true" : "false");
    if (l->esc.open) {
        strbuf_append(&b, "{\"reason\": ");
        strbuf_json_str(&b, page_reason_names[l->page_reason]);
        strbuf_printf(&b, ", \"age_s\": %.1f}", l->now - l->esc.raised);
    } else {
        strbuf_append(&b, "null");
    }
    if (l->car) {
        strbuf_append(&b, ", \"order\": ");
        order_json(dialog_order(session_dialog(l->car)), &b);
    }
    if (l->post)   /* a speaker post answered once: its link, and whether the crew is at its headset base */
        strbuf_printf(&b, ", \"post\": \"%s\", \"crew_present\": %s", l->post > 0 ? "up" : "down",
                      l->post_crew ? "true" : "false");
    if (l->menu_errors.n) {   /* the menu file is broken: the kiosk runs on its last good menu */
        strbuf_append(&b, ", \"menu_errors\": ");
        json_list(&b, &l->menu_errors);
    }
    strbuf_append(&b, "}");
    reply(l, client, &b);
}

void lane_crew(lane_t *l, int client, const crew_msg_t *m)
{
    const char *why = NULL;
    int rc = 0, leave = 0;
    if (m->kind == CREW_AUTH) {
        hello(l, client);
        return;
    }
    int car = l->car ? l->cars : 0;   /* the car acted on, before it may leave */
    dialog_t *d = l->car ? session_dialog_rw(l->car) : NULL;
    if (!d && m->kind != CREW_ACK && m->kind != CREW_TALK) {
        why = "no car at the post";
        rc = -1;
    } else switch (m->kind) {
    case CREW_ACK: {
        double waited = esc_ack(&l->esc, l->now);
        if (waited < 0) {
            why = "no page is waiting";
            rc = -1;
            break;
        }
        store_ack(l, waited, "ack");
        strbuf_t b = {0};
        ev_begin(l, &b, "ack");
        strbuf_printf(&b, ", \"after_s\": %.1f", waited);
        ev_end(l, &b, "ack");
        break;
    }
    case CREW_TAKE_OVER:
        if (l->taken_over) {   /* a second station's take-over: nothing to hush or announce again */
            why = "the crew has the car already";
            rc = -1;
        } else if ((rc = dialog_take_over(d, &why)) == 0) {
            l->taken_over = 1;
            fx_add(l, LANE_FX_HUSH, NULL);
            ev_override(l, "take_over", 0, NULL);
            ev_order(l, "order");
        }
        break;
    case CREW_HAND_BACK:
        if ((rc = dialog_hand_back(d, &why)) == 0) {
            l->taken_over = 0;
            l->paged_no_response = 0;   /* the kiosk's patience starts afresh */
            l->nudged = 0;
            l->last_activity = l->now;
            ev_override(l, "hand_back", 0, NULL);
            ev_order(l, "order");
        }
        break;
    case CREW_EDIT:
        if ((rc = dialog_crew_edit(d, m->say, &why)) == 0) ev_order(l, "order");
        break;
    case CREW_REMOVE:
        if ((rc = dialog_crew_remove(d, m->line - 1, &why)) == 0) ev_order(l, "order");
        break;
    case CREW_CONFIRM:
        if ((rc = dialog_crew_confirm(d, &why)) == 0) {
            store_order(l, LANE_FX_CONFIRM);
            ev_order(l, "confirmed");
            l->taken_over = 0;     /* the car is leaving: the kiosk sees it off */
            speak(l, "Thank you! Please pull forward to the window.");
            leave = 1;
        }
        break;
    case CREW_CANCEL:
        if ((rc = dialog_crew_cancel(d, &why)) == 0) {
            ev_order(l, "order");
            leave = 1;
        }
        break;
    case CREW_GONE:   /* the car drove off: its order is kept as it stands */
        dialog_car_left(d);
        leave = 1;
        break;
    case CREW_APPLY: {
        int n = session_nturns(l->car);
        const session_turn_t *t = n ? session_turn(l->car, n - 1) : NULL;
        if (!t || !*t->heard) {
            why = "the customer's last turn had nothing from the menu: add what they want";
            rc = -1;
        } else if ((t->page != PAGE_LOW_CONFIDENCE && t->page != PAGE_OUT_OF_MENU) || l->applied_turn == n) {
            why = "the customer's last turn is in the order already";
            rc = -1;
        } else if ((rc = dialog_crew_edit(d, t->heard, &why)) == 0) {
            l->applied_turn = n;
            ev_order(l, "order");
        }
        break;
    }
    case CREW_TALK:
        if ((why = talk(l, m->down, NULL))) rc = -1;
        break;
    default:
        why = "not an action";
        rc = -1;
    }
    /* a crew member acting on the car has seen the page: it stops escalating */
    if (rc == 0 && m->kind != CREW_ACK && m->kind != CREW_TALK && l->esc.open) {
        double waited = esc_ack(&l->esc, l->now);
        store_ack(l, waited, crew_kind_names[m->kind]);
        strbuf_t b = {0};
        ev_begin(l, &b, "ack");
        strbuf_printf(&b, ", \"after_s\": %.1f, \"by\": ", waited);
        strbuf_json_str(&b, crew_kind_names[m->kind]);
        ev_end(l, &b, "ack");
    }
    store_crew(l, m, car, rc < 0 ? (why ? why : "refused") : NULL);
    if (leave) lane_car_leaves(l, m->kind == CREW_CONFIRM ? "confirmed" : m->kind == CREW_GONE ? "gone" : "cancelled");
    if (rc < 0) {
        strbuf_t r = {0};
        strbuf_append(&r, "{\"error\": ");
        strbuf_json_str(&r, why ? why : "refused");
        strbuf_append(&r, "}");
        reply(l, client, &r);
    } else {
        lane_fx_t *e = fx_add(l, LANE_FX_CREW_OK, NULL);
        e->client = client;
        e->name = crew_kind_names[m->kind];
    }
}

/* ---- the timers ------------------------------------------------------------ */

static void escalate(lane_t *l)
{
    esc_level_t lvl = esc_tick(&l->esc, l->now);
    if (lvl == ESC_NONE) return;
    strbuf_t b = {0};
    ev_begin(l, &b, "escalate");
    strbuf_append(&b, ", \"level\": ");
    strbuf_json_str(&b, esc_level_names[lvl]);
    strbuf_printf(&b, ", \"after_s\": %.1f", l->now - l->esc.raised);
    ev_end(l, &b, "escalate");
    crew_page(l, lvl, l->page_reason, NULL);
    lane_log(l, "  PAGE not acknowledged after %.0f s: %s", l->now - l->esc.raised,
             lvl == ESC_MANAGER ? "sent to the manager" : "chiming again");
}

/* The car is the crew's: they took it, it was paged to them, or a page is
 * open.  Such a car never leaves by silence (a customer waiting for a person
 * is silent). */
static int crew_owns(const lane_t *l)
{
    return l->taken_over || l->esc.open || dialog_state(session_dialog(l->car)) == DIALOG_CREW;
}

/* The customer is quiet: once "Take your time" and the question again, then
 * a page for an order with something in it, or, for an empty car, it left. */
static void patience(lane_t *l)
{
    const dialog_t *d = session_dialog(l->car);
    if (crew_owns(l) || !dialog_waiting(d)) return;
    double quiet = l->now - l->last_activity;
    if (l->cfg->nudge > 0 && !l->nudged) {
        if (quiet >= l->cfg->nudge) {
            l->nudged = 1;
            /* the loudspeaker's time counts as the kiosk's (the caller's lane_quiet_since) */
            l->last_activity = l->now;
            speak(l, dialog_nudge(session_dialog_rw(l->car)));
        }
        return;
    }
    if (dialog_order(d)->nlines == 0) {
        if (l->post > 0 || quiet < l->cfg->car_gone) return;   /* the loop says when a car has gone */
        dialog_car_left(session_dialog_rw(l->car));
        lane_car_leaves(l, "gone");
        return;
    }
    if (quiet >= l->cfg->no_response && !l->paged_no_response) {
        l->paged_no_response = 1;
        lane_outside_page(l, PAGE_NO_RESPONSE);
    }
}

/* Seconds until a timer's decision may be due: an escalation, the
 * customer's silence, the board's linger; 3600 when nothing waits. */
static double due(const lane_t *l)
{
    double now = l->now, next = 3600;
#define SOONER(t) do { double t_ = (t) - now; if (t_ < next) next = t_ < 0 ? 0 : t_; } while (0)
    if (l->esc.open) {
        if (l->esc.level < ESC_REMIND) SOONER(l->esc.raised + l->esc.remind_s);
        else if (l->esc.level < ESC_MANAGER) SOONER(l->esc.raised + l->esc.manager_s);
    }
    if (l->car && !crew_owns(l) && dialog_waiting(session_dialog(l->car))) {
        if (l->cfg->nudge > 0 && !l->nudged) SOONER(l->last_activity + l->cfg->nudge);
        else if (dialog_order(session_dialog(l->car))->nlines == 0) {
            if (l->post <= 0) SOONER(l->last_activity + l->cfg->car_gone);
        }
        else if (!l->paged_no_response) SOONER(l->last_activity + l->cfg->no_response);
    }
    if (l->linger_until && !l->car) SOONER(l->linger_until);
#undef SOONER
    return next;
}

double lane_tick(lane_t *l, int listening)
{
    escalate(l);
    if (l->car && listening) patience(l);
    if (l->linger_until && l->now >= l->linger_until && !l->car) {
        l->linger_until = 0;
        l->board_dirty = 1;
    }
    return due(l);
}

/* ---- the speaker post ------------------------------------------------------ */

const char *const lane_lamp_names[] = { "listening", "crew_coming", "crew_talking", "fault" };
_Static_assert(sizeof lane_lamp_names / sizeof lane_lamp_names[0] == LANE_LAMP_FAULT + 1, "a lamp without its name");

int lane_speech_starts_car(const lane_t *l)
{
    return l->post <= 0;
}

/* A car on the loop: it is greeted at once, before the customer speaks, so
 * the first answer does not welcome again. */
static void car_at_loop(lane_t *l)
{
    arrive(l, "loop");
    l->greet = 0;
    speak(l, dialog_greeting(session_dialog(l->car)));
    l->last_activity = l->now;
}

static void ev_post(lane_t *l, const char *field, const char *value)
{
    strbuf_t b = {0};
    ev_begin(l, &b, "post");
    strbuf_printf(&b, ", \"%s\": %s", field, value);
    ev_end(l, &b, "post");
}

void lane_post_link(lane_t *l, int up)
{
    int was = l->post;
    if (was == (up ? 1 : -1)) return;
    l->post = up ? 1 : -1;
    ev_post(l, "link", up ? "\"up\"" : "\"down\"");
    if (up) {
        l->post_check = 1;
        lane_log(l, "speaker post: answering%s; cars start at the loop", was < 0 ? " again" : "");
        return;
    }
    /* the car at the post, if any, goes on: the kiosk still hears it */
    const char *detail = was > 0 ? "the speaker post stopped answering" : "the speaker post is not answering";
    strbuf_t b = {0};
    ev_begin(l, &b, "page");
    strbuf_printf(&b, ", \"turn\": %d, \"reason\": ", l->car ? session_nturns(l->car) : 0);
    strbuf_json_str(&b, page_reason_names[PAGE_DEVICE_FAULT]);
    strbuf_append(&b, ", \"heard\": \"\", \"free_text\": \"\", \"detail\": ");
    strbuf_json_str(&b, detail);
    ev_end(l, &b, "page");
    store_page(l, PAGE_DEVICE_FAULT, l->car ? session_nturns(l->car) : 0, "", "");
    raise_page(l, PAGE_DEVICE_FAULT);
    crew_page(l, ESC_NONE, PAGE_DEVICE_FAULT, detail);
    lane_log(l, "  PAGE crew: %s; cars start when the customer speaks until it answers", detail);
}

void lane_post_loop(lane_t *l, int on)
{
    l->post_loop = on;
    l->post_check = 0;
    if (l->post <= 0) return;   /* not heard from a link that is down */
    if (on) {
        if (l->car) lane_log(l, "  a vehicle on the loop: car %d is at the post already", l->cars);
        else car_at_loop(l);
        return;
    }
    if (!l->car) return;   /* it confirmed and pulled forward, or was ended by the crew */
    int car = l->cars;
    dialog_car_left(session_dialog_rw(l->car));   /* the crew's order is kept as it stood */
    leave(l, "gone", "loop");
    if (l->esc.open && l->page_car == car && l->page_reason != PAGE_DEVICE_FAULT) {   /* equipment still needs them */
        /* nobody to come for: the page stops escalating, unacknowledged (the report's truth) */
        l->esc.open = 0;
        lane_log(l, "  the page for car %d closes unacknowledged: the car drove off", car);
    }
}

void lane_post_help(lane_t *l)
{
    if (l->esc.open && l->page_reason == PAGE_HUMAN_REQUEST) {
        lane_log(l, "  the help button again: the page is open already");
        return;
    }
    outside_page(l, PAGE_HUMAN_REQUEST, "button");
}

void lane_post_talk(lane_t *l, int down)
{
    const char *why = talk(l, down, "button");
    if (why) lane_log(l, "  headset talk button %s: %s", down ? "down" : "up", why);
    crew_msg_t m;
    memset(&m, 0, sizeof m);
    m.kind = CREW_TALK;
    m.down = down;
    store_crew(l, &m, l->car ? l->cars : 0, why);
}

void lane_post_crew(lane_t *l, int present)
{
    present = present != 0;
    if (present == l->post_crew) return;
    l->post_crew = present;
    ev_post(l, "crew_present", present ? "true" : "false");
    lane_log(l, "speaker post: %s", present ? "crew at the headset base" : "no crew at the headset base");
}

void lane_post_inputs(lane_t *l, int loop, int crew)
{
    lane_post_crew(l, crew);
    loop = loop != 0;
    if (l->post_check && l->post > 0) {
        /* the link is back (or the kiosk started): the loop's state is the truth, an
           arrival or departure the post gave up sending meanwhile included */
        l->post_check = 0;
        if (loop && !l->car) car_at_loop(l);
        else if (!loop && l->car) lane_post_loop(l, 0);
        l->post_loop = loop;
        return;
    }
    l->post_loop = loop;   /* the events say arrivals; a heartbeat only keeps the state */
}

static void counts_json(strbuf_t *b, const lane_counts_t *c)
{
    strbuf_append(b, "{");
    for (int i = 0; i < c->n; i++) {
        if (i) strbuf_append(b, ", ");
        strbuf_json_str(b, c->names[i]);
        strbuf_printf(b, ": %lu", c->v[i]);
    }
    strbuf_append(b, "}");
}

static void counts_words(strbuf_t *b, const lane_counts_t *c)
{
    size_t at = b->len;
    for (int i = 0; i < c->n; i++)
        if (c->v[i]) strbuf_printf(b, "%s%s %lu", b->len > at ? ", " : "", c->names[i], c->v[i]);
    if (b->len == at) strbuf_append(b, "none");
}

void lane_post_errors(lane_t *l, const lane_counts_t *mine, const lane_counts_t *theirs)
{
    strbuf_t b = {0};
    ev_begin(l, &b, "post");
    strbuf_append(&b, ", \"errors\": ");
    counts_json(&b, mine);
    strbuf_append(&b, ", \"post_errors\": ");
    counts_json(&b, theirs);
    ev_end(l, &b, "post");
    strbuf_t w = {0};
    strbuf_append(&w, "speaker post frame errors: the kiosk's ");
    counts_words(&w, mine);
    strbuf_append(&w, "; the post's ");
    counts_words(&w, theirs);
    fx_add(l, LANE_FX_LOG, strbuf_cstr(&w));
    strbuf_free(&w);
}

void lane_mic_ok(lane_t *l, int ok)
{
    l->mic_fault = !ok;
}

lane_lamp_t lane_lamp(const lane_t *l)
{
    if (l->talking) return LANE_LAMP_CREW_TALKING;
    if (l->esc.open || l->taken_over || (l->car && dialog_state(session_dialog(l->car)) == DIALOG_CREW))
        return LANE_LAMP_CREW_COMING;
    if (l->mic_fault || l->store_failing || l->post < 0) return LANE_LAMP_FAULT;
    return LANE_LAMP_LISTENING;
}
