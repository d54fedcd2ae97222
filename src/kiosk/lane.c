/* lane.c: see lane.h.
 *
 * Decisions where the issues leave a choice (history in src/DECISIONS.md):
 * - Without a speaker post, speech onset starts a car (the caller's
 *   lane_car_arrives).  The customer is already speaking, so the greeting is
 *   not spoken over them: it opens the kiosk's first answer instead
 *   ("Welcome to Burger Barn! Two cheeseburgers...").
 * - Patience: a customer quiet for cfg->nudge seconds after the kiosk spoke
 *   is told "Take your time." and the question again, once; quiet
 *   cfg->no_response seconds more, an order with something in it pages
 *   no_response.  An empty car (without a post, noise may have started it)
 *   quiet cfg->car_gone seconds has left.  A car whose order is the crew's
 *   or that has an open page never leaves by silence: only the crew
 *   (confirm, cancel, gone) ends it. */
#include "lane.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../crew/view.h"

/* After a car leaves, its board ("Thank you, please pull forward" and the
 * order) stays up this long, then the board says Welcome. */
#define BOARD_LINGER_S 8.0
/* The virtual clock's day (2027-01-15 12:00 UTC): a script's events have
 * the same "t" on every run. */
#define VIRTUAL_EPOCH 1800014400.0

void lane_init(lane_t *l, const lane_config_t *cfg, const menu_t *menu, loop_t *loop)
{
    memset(l, 0, sizeof *l);
    l->cfg = cfg;
    l->menu = menu;
    l->loop = loop;
    esc_init(&l->esc);
    order_init(&l->no_order, menu);
    l->last_activity = lane_now(l);
}

void lane_free(lane_t *l)
{
    if (l->car) session_free(l->car);
    l->car = NULL;
    order_free(&l->no_order);
}

double lane_now(const lane_t *l)
{
    return loop_now(l->loop);
}

double lane_wall(const lane_t *l)
{
    if (loop_clock_is_virtual(l->loop)) return VIRTUAL_EPOCH + loop_now(l->loop);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void reply(lane_t *k, int client, const char *json)
{
    if (k->reply) k->reply(k, client, json);
}

/* Standard output (the --events reader, or a person) never holds up the
 * lane: lines go through a writer thread, and a reader that stops reading
 * loses lines, counted, rather than the lane its audio. */
static void out_line(lane_t *k, const char *line, size_t n)
{
    if (k->out) {
        outq_put(k->out, line, n);
        return;
    }
    fwrite(line, 1, n, stdout);   /* no writer thread: the lane waits rather than loses */
    fflush(stdout);
}

/* Every event line is made here: ev_begin opens the object, the caller adds
 * its fields, ev_end closes it and hands the same complete line to the crew
 * stations, the store and --events. */
static void ev_begin(lane_t *k, strbuf_t *b, const char *type)
{
    k->ev_t = lane_wall(k);
    k->ev_type = type;
    strbuf_printf(b, "{\"t\": %.3f, \"event\": ", k->ev_t);
    strbuf_json_str(b, type);
    if (k->car) strbuf_printf(b, ", \"car\": %d", k->cars);
}

static void ev_end(lane_t *k, strbuf_t *b)
{
    k->board_dirty = 1;
    strbuf_append(b, "}");
    const char *line = strbuf_cstr(b);
    if (k->crew) crew_server_broadcast(k->crew, line, 0);
    char err[512];
    if (k->store && store_event(k->store, k->car ? session_store_car(k->car) : 0, k->ev_t, k->ev_type, line,
                                err, sizeof err) < 0)
        fprintf(stderr, "kiosk run: %s\n", err);
    if (k->cfg->events) {
        strbuf_append(b, "\n");
        out_line(k, strbuf_cstr(b), b->len);
    }
    strbuf_free(b);
}

/* A line for the person watching a headless kiosk without --events. */
void lane_log(lane_t *k, const char *fmt, ...)
{
    if (k->cfg->events) return;
    strbuf_t b = {0};
    va_list ap;
    va_start(ap, fmt);
    strbuf_vprintf(&b, fmt, ap);
    va_end(ap);
    strbuf_append(&b, "\n");
    out_line(k, strbuf_cstr(&b), b.len);
    strbuf_free(&b);
}

/* Queues text for the loudspeaker; returns how long it will speak, in ms. */
static long speak(lane_t *k, const char *text)
{
    if (!text || !*text || k->taken_over || k->talking) return 0;
    lane_log(k, "  kiosk: %s", text);
    size_t n = 0;
    if (k->voice && k->dev) {
        int16_t *pcm = NULL;
        char err[256];
        if (voice_say(k->voice, text, &pcm, &n, err, sizeof err) < 0 ||
            device_play(k->dev, pcm, n, err, sizeof err) < 0)
            fprintf(stderr, "kiosk run: %s\n", err);
        free(pcm);
    } else if (!k->cfg->narrate) {
        return 0;   /* a silent kiosk says nothing, and no event claims it did */
    }
    long ms = (long)(n * 1000 / 16000);
    strbuf_t b = {0};
    ev_begin(k, &b, "say");
    strbuf_append(&b, ", \"text\": ");
    strbuf_json_str(&b, text);
    strbuf_printf(&b, ", \"ms\": %ld", ms);
    ev_end(k, &b);
    return ms;
}

static void ev_page(lane_t *k, page_reason_t why, int turn, const char *heard, const char *free_text)
{
    strbuf_t b = {0};
    ev_begin(k, &b, "page");
    strbuf_printf(&b, ", \"turn\": %d, \"reason\": ", turn);
    strbuf_json_str(&b, page_reason_names[why]);
    strbuf_append(&b, ", \"heard\": ");
    strbuf_json_str(&b, heard);
    strbuf_append(&b, ", \"free_text\": ");
    strbuf_json_str(&b, free_text);
    ev_end(k, &b);
    if (!k->esc.open) k->page_reason = why;   /* the one the crew is late for */
    esc_raise(&k->esc, lane_now(k));
    lane_log(k, "  PAGE crew: %s", view_reason_words(page_reason_names[why]));
}

static void ev_order(lane_t *k, const char *type)
{
    strbuf_t b = {0};
    ev_begin(k, &b, type);
    strbuf_append(&b, ", \"order\": ");
    order_json(dialog_order(session_dialog(k->car)), &b);
    ev_end(k, &b);
}

int lane_car_arrives(lane_t *k)
{
    k->linger_until = 0;
    char err[512];
    dialog_config_t cfg = { .confidence_threshold = k->cfg->threshold };
    k->car = session_create(k->menu, k->asr, k->store, &cfg, lane_wall(k), err, sizeof err);
    if (!k->car) {
        fprintf(stderr, "kiosk run: %s\n", err);
        return -1;
    }
    k->cars++;
    k->greet = 1;
    k->paged_no_response = 0;
    k->nudged = 0;
    k->applied_turn = 0;
    strbuf_t b = {0};
    ev_begin(k, &b, "car");
    strbuf_append(&b, ", \"state\": \"arrived\"");
    ev_end(k, &b);
    lane_log(k, "car %d arrived", k->cars);
    return 0;
}

int lane_car_leaves(lane_t *k, const char *why)
{
    char err[512];
    int rc = session_end(k->car, lane_wall(k), err, sizeof err);
    if (rc < 0) fprintf(stderr, "kiosk run: %s\n", err);
    const order_t *o = dialog_order(session_dialog(k->car));
    if (k->board) {   /* "Thank you, please pull forward" stays up while the car pulls away */
        order_copy(&k->no_order, o);
        k->linger_until = lane_now(k) + BOARD_LINGER_S;
    }
    strbuf_t b = {0};
    ev_begin(k, &b, "car");
    strbuf_append(&b, ", \"state\": \"left\", \"why\": ");
    strbuf_json_str(&b, why);
    strbuf_append(&b, ", \"status\": ");
    strbuf_json_str(&b, order_status_names[o->status]);
    strbuf_printf(&b, ", \"total_cents\": %ld", order_total_cents(o));
    ev_end(k, &b);
    lane_log(k, "car %d left (%s): order %s", k->cars, why, order_status_names[o->status]);
    session_free(k->car);
    k->car = NULL;
    k->taken_over = 0;
    return rc;
}

/* A recognised turn goes through the dialog; what changed goes out. */
int lane_turn(lane_t *k, const asr_result_t *r, long audio_ms, double turn_end)
{
    char err[512];
    const dialog_t *d = session_dialog(k->car);
    strbuf_t before = {0};
    order_json(dialog_order(d), &before);
    dialog_state_t was = dialog_state(d);
    if (session_apply(k->car, "mic", audio_ms, r, lane_wall(k), err, sizeof err) < 0) {
        fprintf(stderr, "kiosk run: %s\n", err);
        strbuf_free(&before);
        return -1;
    }
    double delay_ms = (lane_now(k) - turn_end) * 1000.0;
    int nt = session_nturns(k->car);
    const session_turn_t *t = session_turn(k->car, nt - 1);

    strbuf_t after = {0};
    order_json(dialog_order(d), &after);
    int changed = strcmp(strbuf_cstr(&before), strbuf_cstr(&after)) != 0;
    strbuf_free(&before);
    strbuf_free(&after);
    strbuf_t say = {0};
    if (k->greet && t->page == PAGE_NONE && !changed && dialog_state(d) == was) {
        /* "hello" or a cough opened the car: greet rather than apologise */
        strbuf_append(&say, dialog_greeting(d));
    } else {
        /* the customer spoke first: the welcome opens the answer */
        if (k->greet && t->page == PAGE_NONE)
            strbuf_printf(&say, "Welcome to %s! ", k->menu->title ? k->menu->title : "our drive-through");
        strbuf_append(&say, t->said);
    }

    strbuf_t b = {0};
    ev_begin(k, &b, "turn");
    strbuf_printf(&b, ", \"turn\": %d, \"audio_ms\": %ld, \"decode_ms\": %.1f, \"endpoint_ms\": %.1f, "
                      "\"heard\": ", nt, t->audio_ms, t->decode_ms, delay_ms);
    strbuf_json_str(&b, t->heard);
    strbuf_append(&b, ", \"free_text\": ");
    strbuf_json_str(&b, t->free_text);
    strbuf_printf(&b, ", \"confidence\": %.2f, \"said\": ", t->confidence);
    /* the kiosk's answer as its loudspeaker gives it: nothing while the crew holds the car */
    strbuf_json_str(&b, k->taken_over || k->talking ? "" : strbuf_cstr(&say));
    strbuf_append(&b, ", \"page\": ");
    if (t->page == PAGE_NONE) strbuf_append(&b, "null");
    else strbuf_json_str(&b, page_reason_names[t->page]);
    ev_end(k, &b);
    lane_log(k, "  heard: %s  (free text: %s; confidence %.2f; ready %.0f ms after the endpoint)",
            *t->heard ? t->heard : "(nothing on the menu)", t->free_text, t->confidence, delay_ms);

    /* a confirmation has its own event below, with the order */
    if (changed && dialog_state(d) != DIALOG_CONFIRMED) ev_order(k, "order");
    if (t->page != PAGE_NONE) ev_page(k, t->page, nt, t->heard, t->free_text);

    k->greet = 0;
    k->nudged = 0;
    speak(k, strbuf_cstr(&say));
    strbuf_free(&say);

    if (was != DIALOG_CONFIRMED && dialog_state(d) == DIALOG_CONFIRMED) {
        ev_order(k, "confirmed");
        return lane_car_leaves(k, "confirmed");
    }
    return 0;
}

/* A page from a timer or a device, with or without a car. */
void lane_outside_page(lane_t *k, page_reason_t why)
{
    if (!k->car) {
        ev_page(k, why, 0, "", "");
        return;
    }
    char err[512];
    const char *said = "";
    if (session_page(k->car, why, lane_wall(k), &said, err, sizeof err) < 0)
        fprintf(stderr, "kiosk run: %s\n", err);
    ev_page(k, why, session_nturns(k->car), "", "");
    ev_order(k, "order");
    speak(k, said);
}

/* ---- the order board ----------------------------------------------------- */

void lane_board_update(lane_t *k)
{
    k->board_dirty = 0;
    if (!k->board) return;
    board_view_t v = { k->menu->title, &k->no_order, BOARD_WELCOME, NULL };
    if (k->linger_until && k->no_order.status == ORDER_CONFIRMED) v.banner = BOARD_THANKS;
    if (k->car) {
        const dialog_t *d = session_dialog(k->car);
        v.order = dialog_order(d);
        v.banner = board_banner_for(dialog_state(d), 1);
        int n = session_nturns(k->car);
        const session_turn_t *t = n ? session_turn(k->car, n - 1) : NULL;
        v.heard = !t ? NULL : *t->heard ? t->heard : t->free_text;   /* the words just heard */
    }
    if (k->talking) v.banner = BOARD_TEAM_SPEAKING;
    board_draw(k->board, &v);
    int w, h, pitch;
    const uint32_t *px = board_pixels(k->board, &w, &h, &pitch);
    window_show(k->win, px, w, h, pitch);
    char err[512];
    if (k->cfg->board_png && board_save_png(k->board, k->cfg->board_png, err, sizeof err) < 0)
        fprintf(stderr, "kiosk run: --board %s\n", err);
}

/* ---- the crew station --------------------------------------------------- */

static void ev_override(lane_t *k, const char *kind, int down)
{
    strbuf_t b = {0};
    ev_begin(k, &b, "override");
    strbuf_append(&b, ", \"kind\": ");
    strbuf_json_str(&b, kind);
    if (!strcmp(kind, "talk")) strbuf_printf(&b, ", \"down\": %s", down ? "true" : "false");
    ev_end(k, &b);
    lane_log(k, "  crew: %s%s", kind, !strcmp(kind, "talk") ? (down ? " (button down)" : " (released)") : "");
}

/* A station that just connected: where things stand, to it alone. */
static void hello(lane_t *k, int client)
{
    strbuf_t b = {0};
    ev_begin(k, &b, "state");
    strbuf_append(&b, ", \"lane\": ");
    strbuf_json_str(&b, k->cfg->name);
    strbuf_append(&b, ", \"menu\": ");
    strbuf_json_str(&b, k->menu->title ? k->menu->title : "");
    strbuf_printf(&b, ", \"taken_over\": %s, \"talking\": %s, \"page\": ", k->taken_over ? "true" : "false",
                  k->talking ? "true" : "false");
    if (k->esc.open) {
        strbuf_append(&b, "{\"reason\": ");
        strbuf_json_str(&b, page_reason_names[k->page_reason]);
        strbuf_printf(&b, ", \"age_s\": %.1f}", lane_now(k) - k->esc.raised);
    } else {
        strbuf_append(&b, "null");
    }
    if (k->car) {
        strbuf_append(&b, ", \"order\": ");
        order_json(dialog_order(session_dialog(k->car)), &b);
    }
    strbuf_append(&b, "}");
    reply(k, client, strbuf_cstr(&b));
    strbuf_free(&b);
}

/* One action from a crew station: applied, the board redrawn at once, and
 * the station told how long the board took (the action-to-board delay). */
void lane_crew(void *ctx, int client, int manager, const crew_msg_t *m)
{
    (void)manager;
    lane_t *k = ctx;
    double t0 = lane_now(k);
    const char *why = NULL;
    int rc = 0, leave = 0;
    if (m->kind == CREW_AUTH) {
        hello(k, client);
        return;
    }
    dialog_t *d = k->car ? session_dialog_rw(k->car) : NULL;
    if (!d && m->kind != CREW_ACK && m->kind != CREW_TALK) {
        why = "no car at the post";
        rc = -1;
    } else switch (m->kind) {
    case CREW_ACK: {
        double waited = esc_ack(&k->esc, t0);
        if (waited < 0) {
            why = "no page is waiting";
            rc = -1;
            break;
        }
        strbuf_t b = {0};
        ev_begin(k, &b, "ack");
        strbuf_printf(&b, ", \"after_s\": %.1f", waited);
        ev_end(k, &b);
        break;
    }
    case CREW_TAKE_OVER:
        if ((rc = dialog_take_over(d, &why)) == 0) {
            k->taken_over = 1;
            if (k->dev) device_hush(k->dev);
            ev_override(k, "take_over", 0);
            ev_order(k, "order");
        }
        break;
    case CREW_HAND_BACK:
        if ((rc = dialog_hand_back(d, &why)) == 0) {
            k->taken_over = 0;
            k->paged_no_response = 0;   /* the kiosk's patience starts afresh */
            k->nudged = 0;
            k->last_activity = t0;
            ev_override(k, "hand_back", 0);
            ev_order(k, "order");
        }
        break;
    case CREW_EDIT:
        if ((rc = dialog_crew_edit(d, m->say, &why)) == 0) ev_order(k, "order");
        break;
    case CREW_REMOVE:
        if ((rc = dialog_crew_remove(d, m->line - 1, &why)) == 0) ev_order(k, "order");
        break;
    case CREW_CONFIRM:
        if ((rc = dialog_crew_confirm(d, &why)) == 0) {
            ev_order(k, "confirmed");
            k->taken_over = 0;     /* the car is leaving: the kiosk sees it off */
            speak(k, "Thank you! Please pull forward to the window.");
            leave = 1;
        }
        break;
    case CREW_CANCEL:
        if ((rc = dialog_crew_cancel(d, &why)) == 0) {
            ev_order(k, "order");
            leave = 1;
        }
        break;
    case CREW_GONE:   /* the car drove off: its order is kept as it stands */
        dialog_car_left(d);
        leave = 1;
        break;
    case CREW_APPLY: {
        int n = session_nturns(k->car);
        const session_turn_t *t = n ? session_turn(k->car, n - 1) : NULL;
        if (!t || !*t->heard) {
            why = "the customer's last turn had nothing from the menu: add what they want";
            rc = -1;
        } else if ((t->page != PAGE_LOW_CONFIDENCE && t->page != PAGE_OUT_OF_MENU) || k->applied_turn == n) {
            why = "the customer's last turn is in the order already";
            rc = -1;
        } else if ((rc = dialog_crew_edit(d, t->heard, &why)) == 0) {
            k->applied_turn = n;
            ev_order(k, "order");
        }
        break;
    }
    case CREW_TALK:
        if (m->down == k->talking) {
            why = m->down ? "the talk button is already down" : "the talk button is not down";
            rc = -1;
            break;
        }
        k->talking = m->down;
        if (k->talking && k->dev) device_hush(k->dev);
        ev_override(k, "talk", m->down);
        break;
    default:
        why = "not an action";
        rc = -1;
    }
    /* a crew member acting on the car has seen the page: it stops escalating */
    if (rc == 0 && m->kind != CREW_ACK && m->kind != CREW_TALK && k->esc.open) {
        double waited = esc_ack(&k->esc, lane_now(k));
        strbuf_t b = {0};
        ev_begin(k, &b, "ack");
        strbuf_printf(&b, ", \"after_s\": %.1f, \"by\": ", waited);
        strbuf_json_str(&b, crew_kind_names[m->kind]);
        ev_end(k, &b);
    }
    if (leave && lane_car_leaves(k, m->kind == CREW_CONFIRM ? "confirmed" : m->kind == CREW_GONE ? "gone" : "cancelled") < 0)
        fprintf(stderr, "kiosk run: the store failed at the end of a car\n");
    strbuf_t r = {0};
    if (rc < 0) {
        strbuf_append(&r, "{\"error\": ");
        strbuf_json_str(&r, why ? why : "refused");
        strbuf_append(&r, "}");
    } else {
        lane_board_update(k);
        strbuf_append(&r, "{\"ok\": ");
        strbuf_json_str(&r, crew_kind_names[m->kind]);
        strbuf_printf(&r, ", \"board_ms\": %.2f}", (lane_now(k) - t0) * 1000.0);
    }
    reply(k, client, strbuf_cstr(&r));
    strbuf_free(&r);
}

static void escalate(lane_t *k, double now)
{
    esc_level_t lvl = esc_tick(&k->esc, now);
    if (lvl == ESC_NONE) return;
    strbuf_t b = {0};
    ev_begin(k, &b, "escalate");
    strbuf_append(&b, ", \"level\": ");
    strbuf_json_str(&b, esc_level_names[lvl]);
    strbuf_printf(&b, ", \"after_s\": %.1f", now - k->esc.raised);
    ev_end(k, &b);
    lane_log(k, "  PAGE not acknowledged after %.0f s: %s", now - k->esc.raised,
            lvl == ESC_MANAGER ? "sent to the manager" : "chiming again");
}


/* The car is the crew's: they took it, it was paged to them, or a page is
 * open.  Such a car never leaves by silence (a customer waiting for a person
 * is silent). */
static int crew_owns(const lane_t *k)
{
    return k->taken_over || k->esc.open || dialog_state(session_dialog(k->car)) == DIALOG_CREW;
}

/* The customer is quiet: once "Take your time" and the question again, then
 * a page for an order with something in it, or, for an empty car, it left.
 * -1 when the store failed as the car left. */
static int patience(lane_t *k, double now)
{
    const dialog_t *d = session_dialog(k->car);
    if (crew_owns(k) || !dialog_waiting(d)) return 0;
    double quiet = now - k->last_activity;
    if (k->cfg->nudge > 0 && !k->nudged) {
        if (quiet >= k->cfg->nudge) {
            k->nudged = 1;
            long ms = speak(k, dialog_nudge(session_dialog_rw(k->car)));
            k->last_activity = now + ms / 1000.0;
        }
        return 0;
    }
    if (dialog_order(d)->nlines == 0) {
        if (quiet < k->cfg->car_gone) return 0;
        dialog_car_left(session_dialog_rw(k->car));
        return lane_car_leaves(k, "gone");
    }
    if (quiet >= k->cfg->no_response && !k->paged_no_response) {
        k->paged_no_response = 1;
        lane_outside_page(k, PAGE_NO_RESPONSE);
    }
    return 0;
}


/* Seconds until a timer's decision may be due: an escalation, the
 * customer's silence, the board's linger; 3600 when nothing waits. */
static double due(const lane_t *k)
{
    double now = lane_now(k), next = 3600;
#define SOONER(t) do { double t_ = (t) - now; if (t_ < next) next = t_ < 0 ? 0 : t_; } while (0)
    if (k->esc.open) {
        if (k->esc.level < ESC_REMIND) SOONER(k->esc.raised + k->esc.remind_s);
        else if (k->esc.level < ESC_MANAGER) SOONER(k->esc.raised + k->esc.manager_s);
    }
    if (k->car && !crew_owns(k) && dialog_waiting(session_dialog(k->car))) {
        if (k->cfg->nudge > 0 && !k->nudged) SOONER(k->last_activity + k->cfg->nudge);
        else if (dialog_order(session_dialog(k->car))->nlines == 0) SOONER(k->last_activity + k->cfg->car_gone);
        else if (!k->paged_no_response) SOONER(k->last_activity + k->cfg->no_response);
    }
    if (k->linger_until && !k->car) SOONER(k->linger_until);
#undef SOONER
    return next;
}

double lane_tick(lane_t *k, int listening)
{
    double now = lane_now(k);
    escalate(k, now);
    if (k->car && listening && patience(k, now) < 0) return -1;
    if (k->linger_until && now >= k->linger_until && !k->car) {
        k->linger_until = 0;
        order_clear(&k->no_order);
        k->board_dirty = 1;
    }
    if (k->board_dirty) lane_board_update(k);
    return due(k);
}
