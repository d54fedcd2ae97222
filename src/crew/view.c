/* view.c: see view.h. */
#include "view.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void view_init(crew_view_t *v)
{
    memset(v, 0, sizeof *v);
}

void view_free(crew_view_t *v)
{
    free(v->lane);
    free(v->menu);
    free(v->page_text);
    json_decref(v->order);
    strlist_free(&v->lines);
    memset(v, 0, sizeof *v);
}

static const char *jstr(const json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static long jlong(const json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    return json_is_integer(v) ? (long)json_integer_value(v) : json_is_real(v) ? (long)json_real_value(v) : 0;
}

static double jnum(const json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    return json_is_number(v) ? json_number_value(v) : 0;
}

static void money(long cents, strbuf_t *b)
{
    unsigned long a = cents < 0 ? 0UL - (unsigned long)cents : (unsigned long)cents;
    strbuf_printf(b, "%s$%lu.%02lu", cents < 0 ? "-" : "", a / 100, a % 100);
}

void view_stamp(json_t *ev, char *buf, size_t n)
{
    double t = jnum(ev, "t");
    time_t s = (time_t)t;
    struct tm tm;
    if (t <= 0 || !localtime_r(&s, &tm) || !strftime(buf, n, "%H:%M:%S", &tm)) snprintf(buf, n, "--:--:--");
}

/* ---- the order ---------------------------------------------------------- */

static void set_str(char **dst, const char *s)
{
    free(*dst);
    *dst = s ? xstrdup(s) : NULL;
}

/* As the board writes a line: "Large Coke", then in brackets its choices,
 * options and what is still to be answered. */
void view_order_lines(const json_t *order, strlist_t *out)
{
    json_t *lines = json_object_get(order, "lines");
    size_t i;
    json_t *l;
    if (!json_array_size(lines)) strlist_push(out, "(nothing ordered yet)");
    json_array_foreach(lines, i, l) {
        strbuf_t b = {0}, d = {0};
        strbuf_printf(&b, "%zu. %ld x ", i + 1, jlong(l, "qty"));
        const char *size = jstr(l, "size"), *item = jstr(l, "item");
        if (size && *size) strbuf_printf(&b, "%c%s ", toupper((unsigned char)size[0]), size + 1);
        strbuf_append(&b, item ? item : "?");
        const char *ck;
        json_t *cv;
        json_object_foreach(json_object_get(l, "choices"), ck, cv) {
            if (!json_is_string(cv)) continue;
            strbuf_printf(&d, "%s%c%s: %s", d.len ? ", " : "", toupper((unsigned char)ck[0]), ck + 1,
                          json_string_value(cv));
        }
        size_t k;
        json_t *opt;
        json_array_foreach(json_object_get(l, "options"), k, opt) {
            const char *amount = jstr(opt, "amount"), *name = jstr(opt, "name");
            if (!amount || !name) continue;
            strbuf_printf(&d, "%s%s %s", d.len ? ", " : "", !strcmp(amount, "normal") ? "with" : amount, name);
        }
        if (!size && jlong(l, "cents") == 0) strbuf_printf(&d, "%ssize?", d.len ? ", " : "");
        if (d.len) strbuf_printf(&b, " (%s)", strbuf_cstr(&d));
        strbuf_append(&b, "  ");
        money(jlong(l, "cents"), &b);
        strlist_push_owned(out, strbuf_steal(&b));
        strbuf_free(&d);
    }
    strbuf_t t = {0};
    strbuf_append(&t, "total ");
    money(jlong(order, "total_cents"), &t);
    strlist_push_owned(out, strbuf_steal(&t));
}

/* "the kiosk's", "yours", ... for an order's status. */
static const char *whose(const char *status)
{
    if (!status) return "?";
    if (!strcmp(status, "open")) return "the kiosk's";
    if (!strcmp(status, "crew")) return "yours";
    return status;
}

/* ---- events -------------------------------------------------------------- */

static void quoted(strbuf_t *b, const char *s)
{
    strbuf_printf(b, "\"%s\"", s ? s : "");
}

/* "car 3 " or "" */
static void car_of(json_t *ev, strbuf_t *b)
{
    json_t *car = json_object_get(ev, "car");
    if (json_is_integer(car)) strbuf_printf(b, "car %ld ", (long)json_integer_value(car));
}

static void open_page(crew_view_t *v, json_t *ev, double at, const char *text)
{
    if (!v->page_open) {   /* one clock per kiosk, like its escalation */
        v->page_open = 1;
        v->page_at = at;
        v->escalated = 0;
    }
    set_str(&v->page_text, text);
    json_t *car = json_object_get(ev, "car");
    v->page_car = json_is_integer(car) ? (int)json_integer_value(car) : 0;
}

static void keep(crew_view_t *v, const char *line)
{
    if (v->lines.n >= VIEW_MAX_LINES) {
        free(v->lines.v[0]);
        memmove(v->lines.v, v->lines.v + 1, (size_t)(v->lines.n - 1) * sizeof *v->lines.v);
        v->lines.n--;
    }
    strlist_push(&v->lines, line);
}

static void set_order(crew_view_t *v, json_t *order)
{
    json_decref(v->order);
    v->order = json_is_object(order) ? json_incref(order) : NULL;
}

/* The strings of an array, each a line of their own. */
static void each_string(const json_t *a, strlist_t *more)
{
    size_t i;
    json_t *e;
    json_array_foreach(a, i, e)
        if (json_is_string(e)) strlist_push(more, json_string_value(e));
}

/* A menu event: the manager's edit taken, or the file's errors, which the
 * crew sees line by line (each "FILE:LINE:COL: what to do"). */
static void menu_event(crew_view_t *v, json_t *ev, strbuf_t *b, strlist_t *more)
{
    const char *title = jstr(ev, "menu"), *file = jstr(ev, "file");
    if (json_is_true(json_object_get(ev, "ok")) && title) set_str(&v->menu, title);   /* the header's */
    if (!title) title = "?";
    if (json_is_true(json_object_get(ev, "ok"))) {
        long from = jlong(ev, "from_car");
        strbuf_printf(b, "menu updated: %s, %ld items", title, jlong(ev, "items"));
        json_t *out = json_object_get(ev, "sold_out");
        size_t i;
        json_t *e;
        json_array_foreach(out, i, e)
            if (json_is_string(e)) strbuf_printf(b, "%s%s", i ? ", " : ", sold out: ", json_string_value(e));
        strbuf_printf(b, "; from car %ld", from);
        if (v->car && v->car < from)
            strbuf_printf(b, " (car %d keeps its menu, but what is sold out applies now)", v->car);
        each_string(json_object_get(ev, "warnings"), more);
    } else {
        int n = more->n;
        each_string(json_object_get(ev, "errors"), more);
        strbuf_printf(b, "*** MENU NOT LOADED: %s has %s; the kiosk keeps %s as it was", file ? file : "the file",
                      more->n - n == 1 ? "an error" : "errors", title);
    }
}

/* A frame-error counts object's non-zero counts, "crc 2, duplicate 1", or "none". */
static void counts(const json_t *o, strbuf_t *b)
{
    size_t at = b->len;
    const char *k;
    json_t *n;
    json_object_foreach((json_t *)o, k, n)
        if (json_is_integer(n) && json_integer_value(n) > 0)
            strbuf_printf(b, "%s%s %ld", b->len > at ? ", " : "", k, (long)json_integer_value(n));
    if (b->len == at) strbuf_append(b, "none");
}

/* The speaker post: its link, the crew at its headset base, frame errors. */
static void post_event(crew_view_t *v, json_t *ev, strbuf_t *b)
{
    const char *link = jstr(ev, "link");
    json_t *crew = json_object_get(ev, "crew_present");
    if (link && !strcmp(link, "up")) {
        v->post = 1;
        strbuf_append(b, "speaker post answering: cars start at the loop");
    } else if (link) {
        v->post = -1;
        strbuf_append(b, "*** SPEAKER POST NOT ANSWERING: cars start when the customer speaks");
    } else if (json_is_boolean(crew)) {
        v->crew_present = json_is_true(crew);
        strbuf_append(b, v->crew_present ? "crew at the headset base" : "no crew at the headset base");
    } else if (json_is_object(json_object_get(ev, "errors"))) {
        strbuf_append(b, "speaker post frame errors: at the kiosk ");
        counts(json_object_get(ev, "errors"), b);
        strbuf_append(b, "; at the post ");
        counts(json_object_get(ev, "post_errors"), b);
    } else {
        strbuf_append(b, "speaker post: ?");
    }
}

/* Speech the kiosk could not take as a turn. */
static void missed_event(json_t *ev, strbuf_t *b)
{
    static const char *const reasons[][2] = {
        { "own_voice", "it was the kiosk's own voice" }, { "device", "the microphone stopped" },
        { "busy", "the recogniser was busy" }, { "overrun", "samples were lost (decoded anyway)" },
    };
    const char *reason = jstr(ev, "reason"), *words = reason ? reason : "?";
    for (size_t i = 0; reason && i < sizeof reasons / sizeof reasons[0]; i++)
        if (!strcmp(reason, reasons[i][0])) words = reasons[i][1];
    car_of(ev, b);
    strbuf_printf(b, "missed %.1f s of speech: %s", jlong(ev, "audio_ms") / 1000.0, words);
    if (json_is_true(json_object_get(ev, "asked_again"))) strbuf_append(b, "; asked the customer to say it again");
}

int view_event(crew_view_t *v, json_t *ev, double now, int with_order, strlist_t *out)
{
    const char *type = jstr(ev, "event");
    if (!type) return -1;
    strbuf_t b = {0};
    strlist_t more = {0};   /* lines of their own after b's */
    int bell = 0, order_lines = 0;
    json_t *carj = json_object_get(ev, "car");
    int car = json_is_integer(carj) ? (int)json_integer_value(carj) : 0;

    if (!strcmp(type, "state")) {
        set_str(&v->lane, jstr(ev, "lane"));
        set_str(&v->menu, jstr(ev, "menu"));
        v->car = car;
        v->taken_over = json_is_true(json_object_get(ev, "taken_over"));
        v->talking = json_is_true(json_object_get(ev, "talking"));
        const char *post = jstr(ev, "post");
        v->post = !post ? 0 : !strcmp(post, "up") ? 1 : -1;
        v->crew_present = json_is_true(json_object_get(ev, "crew_present"));
        set_order(v, car ? json_object_get(ev, "order") : NULL);
        strbuf_printf(&b, "connected to %s", v->lane ? v->lane : "the kiosk");
        if (v->menu && *v->menu) strbuf_printf(&b, " (%s)", v->menu);
        if (car) strbuf_printf(&b, ": car %d at the post, order %s", car, whose(jstr(v->order, "status")));
        else strbuf_append(&b, ": no car at the post");
        if (v->post) strbuf_printf(&b, "; speaker post %s%s", v->post > 0 ? "answering" : "NOT ANSWERING",
                                   v->crew_present ? ", crew at the headset base" : "");
        json_t *page = json_object_get(ev, "page");
        if (json_is_object(page)) {
            strbuf_t p = {0};
            strbuf_append(&p, view_reason_words(jstr(page, "reason")));
            open_page(v, ev, now - jnum(page, "age_s"), strbuf_cstr(&p));
            strbuf_printf(&b, "; PAGE open %.0f s: %s", jnum(page, "age_s"), strbuf_cstr(&p));
            strbuf_free(&p);
            bell = 1;
        }
        order_lines = car && v->order;
        json_t *menu_errors = json_object_get(ev, "menu_errors");
        if (json_array_size(menu_errors)) {
            strlist_pushf(&more, "*** MENU NOT LOADED: the menu file has %s; the kiosk runs on its last good menu (%s)",
                          json_array_size(menu_errors) == 1 ? "an error" : "errors", v->menu ? v->menu : "?");
            each_string(menu_errors, &more);
        }
    } else if (!strcmp(type, "menu")) {
        menu_event(v, ev, &b, &more);
    } else if (!strcmp(type, "car")) {
        const char *state = jstr(ev, "state");
        if (state && !strcmp(state, "arrived")) {
            v->car = car;
            v->taken_over = 0;
            set_order(v, NULL);
            strbuf_printf(&b, "car %d arrived", car);
        } else {
            const char *why = jstr(ev, "why"), *status = jstr(ev, "status");
            long total = jlong(ev, "total_cents");
            if (!why) why = "?";
            if (!status) status = "?";
            strbuf_printf(&b, "car %d ", car);
            if (!strcmp(why, "confirmed")) {
                strbuf_append(&b, "left for the window: order confirmed, ");
                money(total, &b);
            } else if (!strcmp(why, "cancelled")) {
                strbuf_append(&b, "left: order cancelled");
            } else if (!strcmp(why, "gone")) {
                strbuf_append(&b, "drove off: ");
                if (!strcmp(status, "crew")) {
                    strbuf_append(&b, "your order kept as it stood, ");
                    money(total, &b);
                } else {
                    strbuf_append(&b, total ? "order abandoned" : "nothing ordered");
                }
            } else if (!strcmp(why, "stopped")) {
                strbuf_printf(&b, "ended: the kiosk stopped (order %s)", whose(status));
            } else {
                strbuf_printf(&b, "left (%s): order %s", why, whose(status));
            }
            if (v->car == car) {
                v->car = 0;
                v->taken_over = 0;
                set_order(v, NULL);
            }
            if (v->page_open && v->page_car == car) v->page_open = 0;
        }
    } else if (!strcmp(type, "turn")) {
        const char *heard = jstr(ev, "heard"), *free_text = jstr(ev, "free_text"), *page = jstr(ev, "page");
        int overheard = json_is_true(json_object_get(ev, "overheard"));
        car_of(ev, &b);
        strbuf_append(&b, overheard ? "customer, while you talked: " : "customer: ");
        if (free_text && *free_text) quoted(&b, free_text);
        else strbuf_append(&b, "(no words made out)");
        if (!heard || !*heard) strbuf_append(&b, ", nothing from the menu");
        else if (!free_text || strcmp(heard, free_text)) {
            strbuf_append(&b, ", understood ");
            quoted(&b, heard);
        }
        if (page && !strcmp(page, "low_confidence")) strbuf_append(&b, " (unsure)");
        if (overheard) strbuf_append(&b, " (kept, not acted on)");
    } else if (!strcmp(type, "say")) {
        car_of(ev, &b);
        strbuf_append(&b, "kiosk: ");
        quoted(&b, jstr(ev, "text"));
    } else if (!strcmp(type, "page")) {
        const char *free_text = jstr(ev, "free_text"), *heard = jstr(ev, "heard");
        const char *words = free_text && *free_text ? free_text : heard;
        strbuf_t p = {0};
        const char *by = jstr(ev, "by"), *detail = jstr(ev, "detail");
        strbuf_append(&p, view_reason_words(jstr(ev, "reason")));
        if (by && !strcmp(by, "button")) strbuf_append(&p, " (the help button)");
        else if (by) strbuf_printf(&p, " (%s)", by);
        if (detail && *detail) strbuf_printf(&p, ": %s", detail);
        if (words && *words) {
            strbuf_append(&p, ": ");
            quoted(&p, words);
        }
        open_page(v, ev, now, strbuf_cstr(&p));
        strbuf_append(&b, "*** PAGE ");
        car_of(ev, &b);
        if (b.s[b.len - 1] == ' ') b.s[--b.len] = '\0';
        strbuf_printf(&b, ": %s", strbuf_cstr(&p));
        strbuf_free(&p);
        bell = 1;
    } else if (!strcmp(type, "ack")) {
        v->page_open = 0;
        strbuf_printf(&b, "page acknowledged after %.1f s", jnum(ev, "after_s"));
    } else if (!strcmp(type, "escalate")) {
        const char *level = jstr(ev, "level");
        int manager = level && !strcmp(level, "manager");
        v->escalated = manager ? 2 : 1;
        strbuf_printf(&b, "*** PAGE NOT ACKNOWLEDGED after %.0f s: %s", jnum(ev, "after_s"),
                      manager ? "sent to the manager" : "chiming again");
        bell = 1;
    } else if (!strcmp(type, "override")) {
        const char *kind = jstr(ev, "kind");
        if (!kind) kind = "?";
        if (!strcmp(kind, "take_over")) {
            v->taken_over = 1;
            strbuf_printf(&b, "car %d is yours: the kiosk stays quiet (back hands it back)", car);
        } else if (!strcmp(kind, "hand_back")) {
            v->taken_over = 0;
            strbuf_printf(&b, "car %d handed back to the kiosk", car);
        } else if (!strcmp(kind, "talk")) {
            const char *by = jstr(ev, "by");
            v->talking = json_is_true(json_object_get(ev, "down"));
            if (by && !strcmp(by, "button")) strbuf_append(&b, "headset ");
            strbuf_append(&b, v->talking ? "talk button down: the car hears you" : "talk button up");
        } else {
            strbuf_printf(&b, "override: %s", kind);
        }
    } else if (!strcmp(type, "post")) {
        post_event(v, ev, &b);
    } else if (!strcmp(type, "taken_back")) {
        car_of(ev, &b);
        json_t *ms = json_object_get(ev, "ms");
        strbuf_printf(&b, "kiosk stopped after %.1f s, the customer went on or it had misheard: ",
                      json_is_number(ms) ? json_number_value(ms) / 1000.0 : 0.0);
        quoted(&b, jstr(ev, "text"));
    } else if (!strcmp(type, "barge_in")) {
        car_of(ev, &b);
        strbuf_append(&b, json_is_true(json_object_get(ev, "false")) ? "nobody went on: the kiosk says it again"
                                                                     : "customer spoke over the kiosk: it stopped to listen");
    } else if (!strcmp(type, "missed")) {
        missed_event(ev, &b);
    } else if (!strcmp(type, "order") || !strcmp(type, "confirmed")) {
        json_t *o = json_object_get(ev, "order");
        set_order(v, o);
        if (!strcmp(type, "confirmed")) strbuf_printf(&b, "car %d ORDER CONFIRMED:", car);
        else strbuf_printf(&b, "car %d order (%s):", car, whose(jstr(o, "status")));
        order_lines = json_is_object(o);
    } else {
        strbuf_free(&b);
        strlist_free(&more);
        return -1;
    }
    if (b.len) {
        keep(v, strbuf_cstr(&b));
        strlist_push_owned(out, strbuf_steal(&b));
    }
    strbuf_free(&b);
    for (int i = 0; i < more.n; i++) {
        keep(v, more.v[i]);
        strlist_push(out, more.v[i]);
    }
    strlist_free(&more);
    if (!strcmp(type, "page"))   /* what to do, for line mode; the full screen says it in its header */
        strlist_push(out, v->taken_over ? "    ack to stop the chime; the car is yours already"
                                        : "    ack to stop the chime; take to talk to the car");
    if (order_lines && with_order) {
        strlist_t ol = {0};
        view_order_lines(v->order, &ol);
        for (int i = 0; i < ol.n; i++) strlist_pushf(out, "    %s", ol.v[i]);
        strlist_free(&ol);
    }
    return bell;
}
