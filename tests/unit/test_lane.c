/* test_lane.c: the lane's decisions (src/dialog/lane.c) as tables: inputs at
 * given times, and the effects each must produce, in order.  No clock, no
 * sound card, no store: the lane is pure, and this links only the core.
 *
 * A step is "T INPUT" (T seconds on the lane's clock; the wall clock is
 * 1000 + T) and the effects it must give, summarised one per item, "; "
 * between them (log lines left out):
 *   event TYPE key=value...   an event line (keys: state why status reason
 *                             level kind by page down after_s total_cents),
 *                             "lines=N" for an order's lines, said="..." for a turn
 *   say "WORDS"   hush   ok KIND   error "WHY"   reply TYPE key=value...
 *   ear LEVEL REASON "WORDS"   (the page in the crew's headset; LEVEL page, remind or manager)
 *   store car | store turn N [PAGE] | store page REASON N | store order STATUS CENTS |
 *   store confirm CENTS | store ack BY | store crew KIND [DETAIL] [refused] |
 *   store end WHY STATUS CENTS
 * Inputs: arrive; leave WHY; turn C WORDS (the grammar heard WORDS with
 * confidence C; the free pass the same) or turn C [WORDS] / FREE (the free
 * pass heard FREE); crew KIND [ARG]; tick (listening) and busy (not
 * listening), which add "next=S" (lane_tick's answer); page REASON (from
 * outside a turn); quiet T2 (lane_quiet_since); view (lane_view's summary);
 * fault WHAT (the store stopped saving, 7 rows held); saving N (it is back);
 * menu NAME (lane_menu: a menu of the table's menus below), menu_failed N
 * (lane_menu_failed with N errors), in_use NAME (lane_menu_in_use: 0 or 1);
 * ahead C WORDS [/ FREE] (lane_preview of that turn: "ahead \"WORDS\"" or "ahead none", and
 * the effects, which must be none);
 * barge (lane_barge_in); unbarge (lane_barge_false); missed REASON MS (lane_missed); own FREE (lane_own_voice
 * on the free pass's text FREE: 0 or 1).  The speaker post: post up|down (lane_post_link); loop 1|0
 * (lane_post_loop); help (lane_post_help); button down|up (lane_post_talk); crew_present 1|0
 * (lane_post_crew); inputs LOOP CREW (a heartbeat's, lane_post_inputs); mic 0|1 (lane_mic_ok);
 * lamp (lane_lamp's name); starts (lane_speech_starts_car: 0 or 1). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/crew/words.h"
#include "../../src/dialog/lane.h"
#include "sample_menus.h"

typedef struct {
    const char *in, *out;
} step_t;

/* The menus a table's steps name: "burger" (menus/burger.yaml), and
 * "winter", the same file as a manager edited it: another title, the
 * cookie and the sprite sold out, the apple pie back. */
static const menu_t *table_menus[2];
static const char *const table_menu_names[2] = { "burger", "winter" };

static const menu_t *table_menu(const char *name)
{
    for (int i = 0; i < 2; i++)
        if (!strcmp(name, table_menu_names[i])) return table_menus[i];
    fail_msg("no menu \"%s\" in the tables", name);
    return NULL;
}

typedef struct {
    const char *name;
    lane_config_t cfg;       /* name and threshold filled in when 0 */
    step_t steps[32];
} case_t;

/* The value of "key" in a JSON line, as written (a string without its
 * quotes), appended as " key=value"; nothing when the key is absent or null. */
static void field(strbuf_t *b, const char *json, const char *key)
{
    char pat[64];
    snprintf(pat, sizeof pat, "\"%s\": ", key);
    const char *p = strstr(json, pat);
    if (!p) return;
    p += strlen(pat);
    if (!strncmp(p, "null", 4) || *p == '{') return;   /* an object's keys are found on their own */
    size_t n = *p == '"' ? strcspn(p + 1, "\"") : *p == '[' ? strcspn(p, "]") + 1 : strcspn(p, ",}");
    strbuf_printf(b, " %s=%.*s", key, (int)n, *p == '"' ? p + 1 : p);
}

static void summarise_json(strbuf_t *b, const char *json)
{
    static const char *const keys[] = { "state", "why", "status", "reason", "level", "kind", "by",
                                        "page", "down", "after_s", "total_cents", "error", "held",
                                        "written", "detail", "ok", "menu", "items", "sold_out", "from_car",
                                        "errors", "menu_errors", "overheard", "asked_again", "false",
                                        "link", "crew_present", "post" };
    const char *ev = strstr(json, "\"event\": \"");
    if (ev) {
        ev += 10;
        strbuf_printf(b, "%.*s", (int)strcspn(ev, "\""), ev);
    }
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) field(b, json, keys[i]);
    if (strstr(json, "\"lines\": [")) {
        int n = 0;
        for (const char *p = json; (p = strstr(p, "\"item\": ")); p++) n++;
        strbuf_printf(b, " lines=%d", n);
    }
    const char *said = strstr(json, "\"said\": \"");
    if (said) {
        said += 9;
        strbuf_printf(b, " said=\"%.*s\"", (int)strcspn(said, "\""), said);
    }
}

static void summarise(strbuf_t *b, const lane_fxlist_t *fx)
{
    int first = 1;
    for (int i = 0; i < fx->n; i++) {
        const lane_fx_t *e = &fx->v[i];
        if (e->kind == LANE_FX_LOG) continue;
        if (!first) strbuf_append(b, "; ");
        first = 0;
        switch (e->kind) {
        case LANE_FX_EVENT:
            strbuf_append(b, "event ");
            summarise_json(b, e->text);
            break;
        case LANE_FX_SAY: strbuf_printf(b, "say \"%s\"", e->text); break;
        case LANE_FX_HUSH: strbuf_append(b, "hush"); break;
        case LANE_FX_CREW_PAGE: strbuf_printf(b, "ear %s %s \"%s\"", e->status, e->name, e->text); break;
        case LANE_FX_CREW_OK: strbuf_printf(b, "ok %s", e->name); break;
        case LANE_FX_REPLY:
            if (!strncmp(e->text, "{\"error\": \"", 11)) {
                strbuf_printf(b, "error \"%.*s\"", (int)strcspn(e->text + 11, "\""), e->text + 11);
            } else {
                strbuf_append(b, "reply ");
                summarise_json(b, e->text);
            }
            break;
        case LANE_FX_CAR_BEGIN: strbuf_append(b, "store car"); break;
        case LANE_FX_TURN:
            strbuf_printf(b, "store turn %d%s%s", e->turn, e->name ? " " : "", e->name ? e->name : "");
            break;
        case LANE_FX_PAGE: strbuf_printf(b, "store page %s %d", e->name, e->turn); break;
        case LANE_FX_ORDER: strbuf_printf(b, "store order %s %ld", e->status, e->cents); break;
        case LANE_FX_CONFIRM: strbuf_printf(b, "store confirm %ld", e->cents); break;
        case LANE_FX_ACK: strbuf_printf(b, "store ack %s", e->name); break;
        case LANE_FX_CREW:
            strbuf_printf(b, "store crew %s%s%s%s", e->name, e->text ? " " : "", e->text ? e->text : "",
                          e->ok ? "" : " refused");
            break;
        case LANE_FX_CAR_END: strbuf_printf(b, "store end %s %s %ld", e->name, e->status, e->cents); break;
        case LANE_FX_LOG: break;
        }
    }
}

static int crew_kind(const char *word)
{
    if (!strcmp(word, "release")) return CREW_TALK;
    for (int k = 0; k < CREW_KINDS; k++)
        if (!strcmp(word, crew_kind_names[k])) return k;
    fail_msg("no crew action \"%s\"", word);
    return -1;
}

/* One input; its summary (effects, or what it answers) into b. */
static void step(lane_t *l, double t, const char *in, strbuf_t *b)
{
    lane_set_time(l, t, 1000 + t);
    char word[32];
    int used = 0;
    sscanf(in, "%31s %n", word, &used);
    const char *arg = in + used;
    if (!strcmp(word, "arrive")) {
        lane_car_arrives(l);
    } else if (!strcmp(word, "leave")) {
        lane_car_leaves(l, arg);
    } else if (!strcmp(word, "turn") || !strcmp(word, "ahead")) {
        double c;
        int n = 0;
        if (sscanf(arg, "%lf %n", &c, &n) != 1) fail_msg("%s C WORDS: %s", word, in);
        char heard[256];
        snprintf(heard, sizeof heard, "%s", arg + n);
        const char *slash = strstr(arg + n, "/ ");
        if (slash) heard[slash - (arg + n) - (slash > arg + n)] = '\0';
        asr_result_t r;
        memset(&r, 0, sizeof r);
        r.hearing = (asr_hearing_t){ .heard = heard, .free_text = (char *)(slash ? slash + 2 : arg + n),
                                     .confidence = c, .loop_text = "", .nfa_text = "" };
        if (!strcmp(word, "turn")) {
            lane_turn(l, "mic", &r, 1500, t);
        } else {
            char *text = lane_preview(l, &r);
            if (text) strbuf_printf(b, "ahead \"%s\"", text);
            else strbuf_append(b, "ahead none");
            free(text);
        }
    } else if (!strcmp(word, "crew")) {
        crew_msg_t m;
        memset(&m, 0, sizeof m);
        sscanf(arg, "%31s %n", word, &used);
        m.kind = crew_kind(word);
        m.down = !strcmp(word, "talk");
        if (m.kind == CREW_EDIT) snprintf(m.say, sizeof m.say, "%s", arg + used);
        if (m.kind == CREW_REMOVE) m.line = atoi(arg + used);
        lane_crew(l, 7, &m);
    } else if (!strcmp(word, "tick") || !strcmp(word, "busy")) {
        double next = lane_tick(l, !strcmp(word, "tick"));
        summarise(b, &l->fx);
        strbuf_printf(b, "%snext=%.1f", b->len ? "; " : "", next);
        lane_fx_clear(&l->fx);
        return;
    } else if (!strcmp(word, "page")) {
        page_reason_t why = PAGE_NONE;
        for (int k = 0; k < PAGE_DEVICE_FAULT + 1; k++)
            if (page_reason_names[k] && !strcmp(arg, page_reason_names[k])) why = (page_reason_t)k;
        if (why == PAGE_NONE) fail_msg("no page reason \"%s\"", arg);
        lane_outside_page(l, why);
    } else if (!strcmp(word, "fault")) {
        lane_store_fault(l, arg, 7);
    } else if (!strcmp(word, "saving")) {
        lane_store_saving(l, (unsigned long)atol(arg), 0);
    } else if (!strcmp(word, "menu")) {
        lane_menu(l, table_menu(arg));
    } else if (!strcmp(word, "menu_failed")) {
        strlist_t errs = {0};
        for (int i = 1; i <= atoi(arg); i++)
            strlist_pushf(&errs, "menus/burger.yaml:%d:5: unknown key \"prise\"; did you mean \"price\"?", 10 * i);
        lane_menu_failed(l, "menus/burger.yaml", &errs);
        strlist_free(&errs);
    } else if (!strcmp(word, "in_use")) {
        strbuf_printf(b, "%d", lane_menu_in_use(l, table_menu(arg)));
        return;
    } else if (!strcmp(word, "barge")) {
        lane_barge_in(l);
    } else if (!strcmp(word, "unbarge")) {
        lane_barge_false(l);
    } else if (!strcmp(word, "missed")) {
        char why[32];
        long ms = 0;
        if (sscanf(arg, "%31s %ld", why, &ms) != 2) fail_msg("missed REASON MS: %s", in);
        int k = 0;
        while (k < LANE_MISS_N && strcmp(why, lane_miss_names[k])) k++;
        if (k == LANE_MISS_N) fail_msg("no miss reason \"%s\"", why);
        lane_missed(l, (lane_miss_t)k, ms);
    } else if (!strcmp(word, "own")) {
        strbuf_printf(b, "%d", lane_own_voice(l, "", arg));
        return;
    } else if (!strcmp(word, "post")) {
        lane_post_link(l, !strcmp(arg, "up"));
    } else if (!strcmp(word, "loop")) {
        lane_post_loop(l, atoi(arg));
    } else if (!strcmp(word, "help")) {
        lane_post_help(l);
    } else if (!strcmp(word, "button")) {
        lane_post_talk(l, !strcmp(arg, "down"));
    } else if (!strcmp(word, "crew_present")) {
        lane_post_crew(l, atoi(arg));
    } else if (!strcmp(word, "inputs")) {
        int loop, crew;
        if (sscanf(arg, "%d %d", &loop, &crew) != 2) fail_msg("inputs LOOP CREW: %s", in);
        lane_post_inputs(l, loop, crew);
    } else if (!strcmp(word, "mic")) {
        lane_mic_ok(l, atoi(arg));
    } else if (!strcmp(word, "lamp")) {
        strbuf_append(b, lane_lamp_names[lane_lamp(l)]);
        return;
    } else if (!strcmp(word, "starts")) {
        strbuf_printf(b, "%d", lane_speech_starts_car(l));
        return;
    } else if (!strcmp(word, "quiet")) {
        lane_quiet_since(l, atof(arg));
    } else if (!strcmp(word, "view")) {
        lane_view_t v;
        lane_view(l, &v);
        strbuf_printf(b, "%s lines=%d%s%s%s%s", v.car ? dialog_state_names[v.state] : "no car", v.order->nlines,
                      v.thanks ? " thanks" : "", v.talking ? " talking" : "", v.heard ? " heard=" : "",
                      v.heard ? v.heard : "");
        return;
    } else {
        fail_msg("no input \"%s\"", in);
    }
    summarise(b, &l->fx);
    lane_fx_clear(&l->fx);
}

static int run_case(const menu_t *menu, const case_t *c)
{
    lane_config_t cfg = c->cfg;
    if (!cfg.name) cfg.name = "Lane 1";
    if (!cfg.threshold) cfg.threshold = 0.6;
    if (!cfg.nudge && !cfg.no_response) {
        cfg.nudge = 10;
        cfg.no_response = 15;
        cfg.car_gone = 30;
    }
    lane_t l;
    lane_init(&l, &cfg, menu);
    int failed = 0;
    for (int i = 0; c->steps[i].in; i++) {
        char *end;
        double t = strtod(c->steps[i].in, &end);
        strbuf_t b = {0};
        step(&l, t, end + strspn(end, " "), &b);
        if (strcmp(strbuf_cstr(&b), c->steps[i].out)) {
            print_error("%s, step %d (%s):\n  expected: %s\n  got:      %s\n", c->name, i + 1, c->steps[i].in,
                        c->steps[i].out, strbuf_cstr(&b));
            failed = 1;
        }
        strbuf_free(&b);
    }
    lane_free(&l);
    return failed;
}

#define WELCOME "Welcome to Burger Barn! "
#define ORDER2 "Two cheeseburgers and a large Coke. Anything else?"

static const case_t cases[] = {
    { "an answer said ahead is the turn's answer, and trying it changes nothing", {0}, {
        { "0 ahead 0.95 two cheeseburgers", "ahead none" },   /* no car yet */
        { "0 arrive", "store car; event car state=arrived" },
        { "1 ahead 0.95 two cheeseburgers", "ahead \"Welcome to Burger Barn! Two cheeseburgers. Anything else?\"" },
        { "1 view", "ordering lines=0" },
        { "2 ahead 0.95 hello / hello", "ahead \"Welcome to Burger Barn! What can I get you?\"" },
        { "2 ahead 0.3 two cheeseburgers", "ahead \"A team member will be right with you.\"" },
        { "3 turn 0.95 two cheeseburgers",
          "store turn 1; event turn said=\"Welcome to Burger Barn! Two cheeseburgers. Anything else?\"; store order "
          "open 756; event order status=open total_cents=756 lines=1; say \"Welcome to Burger Barn! Two "
          "cheeseburgers. Anything else?\"" },
        { "4 ahead 0.95 that is all", "ahead \"You have two cheeseburgers. Your total is $7.56. Is that right?\"" },
        { "5 turn 0.95 that is all",
          "store turn 2; event turn said=\"You have two cheeseburgers. Your total is $7.56. Is that right?\"; "
          "say \"You have two cheeseburgers. Your total is $7.56. Is that right?\"" },
        /* a confirmation: its first sentence only; the rest waits for the store */
        { "6 ahead 0.95 yes", "ahead \"Thank you!\"" },
        { "6 view", "readback lines=1 heard=that is all" },
        { "7 crew take_over", "hush; event override kind=take_over; store order crew 756; event order status=crew "
                              "total_cents=756 lines=1; store crew take_over; ok take_over" },
        { "8 ahead 0.95 yes", "ahead none" },   /* the crew holds the order: the kiosk says nothing */
        { NULL, NULL } } },

    { "a car orders, hears the read-back and confirms; the board thanks it, then welcomes the next", { .board = 1 }, {
        { "0 view", "no car lines=0" },
        { "0 turn 0.95 two cheeseburgers and a large coke",
          "store car; event car state=arrived; store turn 1; event turn said=\"Welcome to Burger Barn!"
          " Two cheeseburgers and a large Coke. Anything else?\"; store order open 982; event order"
          " status=open total_cents=982 lines=2; say \"Welcome to Burger Barn! Two cheeseburgers and a"
          " large Coke. Anything else?\"" },
        { "1 view", "ordering lines=2 heard=two cheeseburgers and a large coke" },
        { "3 turn 0.95 that is all",
          "store turn 2; event turn said=\"You have two cheeseburgers and a large Coke. Your total is $9.82. "
          "Is that right?\"; say \"You have two cheeseburgers and a large Coke. Your total is $9.82. Is that right?\"" },
        { "5 turn 0.95 yes",
          "store turn 3; store confirm 982; event turn said=\"Thank you! Please pull forward to the"
          " window.\"; say \"Thank you! Please pull forward to the window.\"; event confirmed"
          " status=confirmed total_cents=982 lines=2; store end confirmed confirmed 982; event car"
          " state=left why=confirmed status=confirmed total_cents=982" },
        { "6 view", "no car lines=2 thanks" },
        { "6 tick", "next=7.0" },
        { "13 tick", "next=3600.0" },
        { "13 view", "no car lines=0" },
        { NULL, NULL } } },

    { "a hello opens the car with the greeting, not an apology; the next car is car 2", {0}, {
        { "0 turn 0.95 hello",
          "store car; event car state=arrived; store turn 1; event turn said=\"Welcome to Burger Barn! What can I "
          "get you?\"; say \"Welcome to Burger Barn! What can I get you?\"" },
        { "2 leave stopped",
          "store end stopped open 0; event car state=left why=stopped status=open total_cents=0" },
        { "3 arrive", "store car; event car state=arrived" },
        { NULL, NULL } } },

    { "a quiet customer: nudged once at 10 s, paged no_response 15 s later, never left; the page escalates", {0}, {
        { "0 turn 0.95 a cheeseburger",
          "store car; event car state=arrived; store turn 1; event turn said=\"Welcome to Burger Barn!"
          " A Cheeseburger. Anything else?\"; store order open 378; event order status=open"
          " total_cents=378 lines=1; say \"Welcome to Burger Barn! A Cheeseburger. Anything else?\"" },
        { "5 tick", "next=5.0" },
        { "9.9 busy", "next=0.1" },
        { "10 tick", "say \"Take your time. Anything else?\"; next=15.0" },
        { "24 tick", "next=1.0" },
        { "25 tick",
          "store page no_response 1; event page reason=no_response; ear page no_response \"Lane 1: no"
          " answer.\"; store order crew 378; event order status=crew total_cents=378 lines=1; say \"A team member will be right with you.\";"
          " next=10.0" },
        { "35 tick", "event escalate level=remind after_s=10.0; ear remind no_response \"Lane 1 again: no"
                     " answer.\"; next=20.0" },
        { "55 tick", "event escalate level=manager after_s=30.0; ear manager no_response \"Manager to Lane 1,"
                     " page not answered: no answer.\"; next=3600.0" },
        { "500 tick", "next=3600.0" },
        { "501 crew ack",
          "store ack ack; event ack after_s=476.0; store crew ack; ok ack" },
        { NULL, NULL } } },

    { "an empty car: nudged, then gone after car_gone; speech in the meantime starts the clock again", {0}, {
        { "0 turn 0.95 hello",
          "store car; event car state=arrived; store turn 1; event turn said=\"Welcome to Burger Barn! What can I "
          "get you?\"; say \"Welcome to Burger Barn! What can I get you?\"" },
        { "10 tick", "say \"Take your time. What can I get you?\"; next=30.0" },
        { "30 quiet 30", "" },
        { "40 tick", "next=20.0" },
        { "60 tick",
          "store end gone cancelled 0; event car state=left why=gone status=cancelled total_cents=0;"
          " next=3600.0" },
        { NULL, NULL } } },
    { "the crew takes the car: the kiosk hushes and stays silent; edits, a removal; hand back; confirm", {0}, {
        { "0 turn 0.95 two cheeseburgers and a large coke",
          "store car; event car state=arrived; store turn 1; event turn said=\"Welcome to Burger Barn!"
          " Two cheeseburgers and a large Coke. Anything else?\"; store order open 982; event order"
          " status=open total_cents=982 lines=2; say \"Welcome to Burger Barn! Two cheeseburgers and a"
          " large Coke. Anything else?\"" },
        { "2 crew take_over",
          "hush; event override kind=take_over; store order crew 982; event order status=crew"
          " total_cents=982 lines=2; store crew take_over; ok take_over" },
        { "2.5 crew take_over",
          "store crew take_over refused; error \"the crew has the car already\"" },
        { "3 turn 0.95 and a sprite", "store turn 2; event turn said=\"\"" },   /* the crew's order: words change nothing */
        { "30 tick", "next=3600.0" },
        { "31 crew edit and a large sprite",
          "store order crew 1208; event order status=crew total_cents=1208 lines=3; store crew edit"
          " and a large sprite; ok edit" },
        { "31.5 crew edit change the sprite to a diet coke",
          "store order crew 1208; event order status=crew total_cents=1208 lines=3; store crew edit"
          " change the sprite to a diet coke; ok edit" },
        { "31.7 view", "crew lines=3 heard=and a sprite" },
        { "32 crew remove 3",
          "store order crew 982; event order status=crew total_cents=982 lines=2; store crew remove 3;"
          " ok remove" },
        { "33 crew remove 9",
          "store crew remove 9 refused; error \"no line 9\"" },
        { "34 crew hand_back",
          "event override kind=hand_back; store order open 982; event order status=open"
          " total_cents=982 lines=2; store crew hand_back; ok hand_back" },
        { "40 tick", "next=4.0" },
        { "44 tick", "say \"Take your time. Anything else?\"; next=15.0" },
        { "45 crew confirm",
          "store confirm 982; event confirmed status=confirmed total_cents=982 lines=2; say \"Thank"
          " you! Please pull forward to the window.\"; store crew confirm; store end confirmed"
          " confirmed 982; event car state=left why=confirmed status=confirmed total_cents=982; ok"
          " confirm" },
        { "46 crew confirm",
          "store crew confirm refused; error \"no car at the post\"" },
        { NULL, NULL } } },

    { "the headset's talk button: the kiosk hushes and says nothing while it is held; the board shows it;"
      " what the customer says meanwhile is kept, not acted on", {0}, {
        { "0 turn 0.95 a cheeseburger",
          "store car; event car state=arrived; store turn 1; event turn said=\"Welcome to Burger Barn!"
          " A Cheeseburger. Anything else?\"; store order open 378; event order status=open"
          " total_cents=378 lines=1; say \"Welcome to Burger Barn! A Cheeseburger. Anything else?\"" },
        { "1 crew talk",
          "hush; event override kind=talk down=true; store crew talk down; ok talk" },
        { "1.2 view", "ordering lines=1 talking heard=a cheeseburger" },
        { "1.5 crew talk",
          "store crew talk down refused; error \"the talk button is already down\"" },
        { "2 turn 0.95 and a medium coke",
          "store turn 2; event turn overheard=true said=\"\"" },
        { "2.1 view", "ordering lines=1 talking heard=a cheeseburger" },
        { "3 crew release",
          "event override kind=talk down=false; store crew talk up; ok talk" },
        { "3.5 crew release",
          "store crew talk up refused; error \"the talk button is not down\"" },
        { "4 turn 0.95 that is all", "store turn 3; event turn said=\"You have a Cheeseburger. "
                                     "Your total is $3.78. Is that right?\"; say \"You have a Cheeseburger. "
                                     "Your total is $3.78. Is that right?\"" },
        { NULL, NULL } } },

    { "a turn the kiosk is unsure of pages; the crew applies it once; acting on the car acknowledges the page", {0}, {
        { "0 turn 0.3 two cheeseburgers",
          "store car; event car state=arrived; store turn 1 low_confidence; store page low_confidence"
          " 1; event turn page=low_confidence said=\"A team member will be right with you.\"; store"
          " order crew 0; event order status=crew total_cents=0 lines=0; event page"
          " reason=low_confidence; ear page low_confidence \"Lane 1: not sure what was said.\"; say \"A"
          " team member will be right with you.\"" },
        { "0 busy", "next=10.0" },
        { "10 tick", "event escalate level=remind after_s=10.0; ear remind low_confidence \"Lane 1 again:"
                     " not sure what was said.\"; next=20.0" },
        { "100 tick", "event escalate level=manager after_s=100.0; ear manager low_confidence \"Manager to"
                      " Lane 1, page not answered: not sure what was said.\"; next=3600.0" },
        { "101 crew apply",
          "store order crew 756; event order status=crew total_cents=756 lines=1; store ack apply;"
          " event ack by=apply after_s=101.0; store crew apply; ok apply" },
        { "102 crew apply",
          "store crew apply refused; error \"the customer's last turn is in the order already\"" },
        { "103 crew ack",
          "store crew ack refused; error \"no page is waiting\"" },
        { "104 crew gone",
          "store crew gone; store end gone crew 756; event car state=left why=gone status=crew"
          " total_cents=756; ok gone" },
        { NULL, NULL } } },

    { "words off the menu page; apply has nothing to take; cancel ends the car and its page; a device fault with no car", {0}, {
        { "0 turn 0.95 / i would like a unicorn",
          "store car; event car state=arrived; store turn 1 out_of_menu; store page out_of_menu 1;"
          " event turn page=out_of_menu said=\"A team member will be right with you.\"; store order"
          " crew 0; event order status=crew total_cents=0 lines=0; event page reason=out_of_menu; ear page"
          " out_of_menu \"Lane 1: didn't understand.\"; say \"A team member will be right with you.\"" },
        { "1 crew apply",
          "store crew apply refused; error \"the customer's last turn had nothing from the menu: add"
          " what they want\"" },
        { "2 crew cancel",
          "store order cancelled 0; event order status=cancelled total_cents=0 lines=0; store ack"
          " cancel; event ack by=cancel after_s=2.0; store crew cancel; store end cancelled cancelled"
          " 0; event car state=left why=cancelled status=cancelled total_cents=0; ok cancel" },
        { "3 page device_fault",
          "store page device_fault 0; event page reason=device_fault; ear page device_fault \"Lane 1:"
          " equipment problem.\"" },
        { "4 crew auth", "reply state reason=device_fault menu=Burger Barn" },
        { "5 crew ack",
          "store ack ack; event ack after_s=2.0; store crew ack; ok ack" },
        { "6 crew auth", "reply state menu=Burger Barn" },
        { NULL, NULL } } },

    { "while the kiosk is not listening (a turn, its own voice) the customer's silence does not count", {0}, {
        { "0 turn 0.95 a cheeseburger",
          "store car; event car state=arrived; store turn 1; event turn said=\"Welcome to Burger Barn!"
          " A Cheeseburger. Anything else?\"; store order open 378; event order status=open"
          " total_cents=378 lines=1; say \"Welcome to Burger Barn! A Cheeseburger. Anything else?\"" },
        { "30 busy", "next=0.0" },
        { "31 quiet 31", "" },
        { "40 tick", "next=1.0" },
        { "41 tick", "say \"Take your time. Anything else?\"; next=15.0" },
        { "42 quiet 44.5", "" },
        { "59 tick", "next=0.5" },
        { "59.5 tick",
          "store page no_response 1; event page reason=no_response; ear page no_response \"Lane 1: no"
          " answer.\"; store order crew 378; event order status=crew total_cents=378 lines=1; say \"A team member will be right with you.\";"
          " next=10.0" },
        { NULL, NULL } } },

    { "a recording's car (kiosk replay) stays after its confirmation", { .one_car = 1 }, {
        { "0 turn 0.95 a coke",
          "store car; event car state=arrived; store turn 1; event turn said=\"Welcome to Burger Barn!"
          " What size would you like for the coke: small, medium or large?\"; store order open 0;"
          " event order status=open total_cents=0 lines=1; say \"Welcome to Burger Barn! What size"
          " would you like for the coke: small, medium or large?\"" },
        { "1 turn 0.95 large",
          "store turn 2; event turn said=\"A large Coke. Anything else?\"; store order open 226; event"
          " order status=open total_cents=226 lines=1; say \"A large Coke. Anything else?\"" },
        { "2 turn 0.95 that is all", "store turn 3; event turn said=\"You have a large Coke. Your total is $2.26. "
                                        "Is that right?\"; say \"You have a large Coke. Your total is $2.26. Is that "
                                        "right?\"" },
        { "3 turn 0.95 yes",
          "store turn 4; store confirm 226; event turn said=\"Thank you! Please pull forward to the"
          " window.\"; say \"Thank you! Please pull forward to the window.\"; event confirmed"
          " status=confirmed total_cents=226 lines=1" },
        { "4 view", "confirmed lines=1 heard=yes" },
        { "5 leave replayed",
          "store end replayed confirmed 226; event car state=left why=replayed status=confirmed"
          " total_cents=226" },
        { NULL, NULL } } },
    { "the store stops saving mid-order: the crew is paged once, the kiosk goes on taking the order", {0}, {
        { "0 turn 0.95 a cheeseburger",
          "store car; event car state=arrived; store turn 1; event turn said=\"Welcome to Burger Barn!"
          " A Cheeseburger. Anything else?\"; store order open 378; event order status=open"
          " total_cents=378 lines=1; say \"Welcome to Burger Barn! A Cheeseburger. Anything else?\"" },
        { "1 fault var/kiosk.db: cannot write: the disk is full",
          "event store state=failing error=var/kiosk.db: cannot write: the disk is full held=7; event"
          " page reason=device_fault detail=orders are not being saved: var/kiosk.db: cannot write: the"
          " disk is full; store page device_fault 1; ear page device_fault \"Lane 1: equipment problem:"
          " orders are not being saved.\"" },
        { "2 fault var/kiosk.db: cannot write: the disk is full", "" },
        { "3 turn 0.95 and a medium coke",
          "store turn 2; event turn said=\"A medium Coke. Anything else?\"; store order open 572; event"
          " order status=open total_cents=572 lines=2; say \"A medium Coke. Anything else?\"" },
        { "4 view", "ordering lines=2 heard=and a medium coke" },
        { "5 crew ack", "store ack ack; event ack after_s=4.0; store crew ack; ok ack" },
        { "6 saving 12", "event store state=saving written=12" },
        { "7 saving 12", "" },
        { NULL, NULL } } },

    { "a manager's edit mid-order: the car keeps its menu but for what is sold out; the next car gets it", {0}, {
        { "0 turn 0.95 a cookie",
          "store car; event car state=arrived; store turn 1; event turn said=\"Welcome to Burger Barn!"
          " A Cookie. Anything else?\"; store order open 107; event order status=open total_cents=107"
          " lines=1; say \"Welcome to Burger Barn! A Cookie. Anything else?\"" },
        { "1 menu winter", "event menu ok=true menu=Burger Barn Winter items=31 sold_out=[\"Sprite\", \"Cookie\"] "
                           "from_car=2" },
        { "1 in_use burger", "1" },
        { "1 in_use winter", "1" },
        { "2 turn 0.95 a cookie", "store turn 2; event turn said=\"Sorry, we're out of cookie. Anything else?\"; "
                                  "say \"Sorry, we're out of cookie. Anything else?\"" },
        { "3 turn 0.95 an apple pie",
          "store turn 3; event turn said=\"An Apple Pie. Anything else?\"; store order open 247; event"
          " order status=open total_cents=247 lines=2; say \"An Apple Pie. Anything else?\"" },
        { "4 crew auth", "reply state status=open total_cents=247 menu=Burger Barn lines=2" },   /* the car's menu */
        { "5 leave stopped",
          "store end stopped open 247; event car state=left why=stopped status=open total_cents=247" },
        { "5 in_use burger", "1" },                           /* the last car's board may still show it */
        { "6 turn 0.95 hello", "store car; event car state=arrived; store turn 1; event turn said=\"Welcome to Burger "
                               "Barn Winter! What can I get you?\"; say \"Welcome to Burger Barn Winter! What can I "
                               "get you?\"" },
        { "6 in_use burger", "0" },
        { "7 turn 0.95 a cookie", "store turn 2; event turn said=\"Sorry, we're out of cookie. What can I get you?\"; "
                                  "say \"Sorry, we're out of cookie. What can I get you?\"" },
        { NULL, NULL } } },

    { "a broken file keeps the menu, tells the stations (and those that connect later) until a good one comes", {0}, {
        { "0 menu_failed 2", "event menu ok=false menu=Burger Barn errors=[\"menus/burger.yaml:10:5: unknown key "
                             "\\\"prise\\\"; did you mean \\\"price\\\"?\", \"menus/burger.yaml:20:5: unknown key "
                             "\\\"prise\\\"; did you mean \\\"price\\\"?\"]" },
        { "0 crew auth", "reply state menu=Burger Barn menu_errors=[\"menus/burger.yaml:10:5: unknown key "
                         "\\\"prise\\\"; did you mean \\\"price\\\"?\", \"menus/burger.yaml:20:5: unknown key "
                         "\\\"prise\\\"; did you mean \\\"price\\\"?\"]" },
        { "1 turn 0.95 a cookie",
          "store car; event car state=arrived; store turn 1; event turn said=\"Welcome to Burger Barn!"
          " A Cookie. Anything else?\"; store order open 107; event order status=open total_cents=107"
          " lines=1; say \"Welcome to Burger Barn! A Cookie. Anything else?\"" },
        { "2 menu_failed 12", "event menu ok=false menu=Burger Barn errors=[\"menus/burger.yaml:10:5: unknown key "
                              "\\\"prise\\\"; did you mean \\\"price\\\"?\", \"menus/burger.yaml:20:5: unknown key "
                              "\\\"prise\\\"; did you mean \\\"price\\\"?\", \"menus/burger.yaml:30:5: unknown key "
                              "\\\"prise\\\"; did you mean \\\"price\\\"?\", \"menus/burger.yaml:40:5: unknown key "
                              "\\\"prise\\\"; did you mean \\\"price\\\"?\", \"menus/burger.yaml:50:5: unknown key "
                              "\\\"prise\\\"; did you mean \\\"price\\\"?\", \"menus/burger.yaml:60:5: unknown key "
                              "\\\"prise\\\"; did you mean \\\"price\\\"?\", \"menus/burger.yaml:70:5: unknown key "
                              "\\\"prise\\\"; did you mean \\\"price\\\"?\", \"menus/burger.yaml:80:5: unknown key "
                              "\\\"prise\\\"; did you mean \\\"price\\\"?\", \"menus/burger.yaml:90:5: unknown key "
                              "\\\"prise\\\"; did you mean \\\"price\\\"?\", \"menus/burger.yaml:100:5: unknown key "
                              "\\\"prise\\\"; did you mean \\\"price\\\"?\", \"... and 2 more\"]" },
        { "3 turn 0.95 and a cookie",
          "store turn 2; event turn said=\"A Cookie. Anything else?\"; store order open 214; event"
          " order status=open total_cents=214 lines=2; say \"A Cookie. Anything else?\"" },
        { "4 menu winter", "event menu ok=true menu=Burger Barn Winter items=31 sold_out=[\"Sprite\", \"Cookie\"] "
                           "from_car=2" },
        { "5 crew auth", "reply state status=open total_cents=214 menu=Burger Barn lines=2" },   /* no menu_errors now */
        { "6 menu burger", "event menu ok=true menu=Burger Barn items=31 sold_out=[\"Apple Pie\"] from_car=2" },
        { "6 in_use winter", "0" },                            /* an edit undone before the next car */
        { "7 turn 0.95 and a cookie",
          "store turn 3; event turn said=\"A Cookie. Anything else?\"; store order open 322; event"
          " order status=open total_cents=322 lines=3; say \"A Cookie. Anything else?\"" },
        { NULL, NULL } } },

    { "a sold-out item as the first words: refused after the welcome, never replaced by the greeting", {0}, {
        { "0 turn 0.95 an apple pie", "store car; event car state=arrived; store turn 1; event turn said=\"" WELCOME
                                      "Sorry, we're out of apple pie. What can I get you?\"; say \"" WELCOME "Sorry, "
                                      "we're out of apple pie. What can I get you?\"" },
        { NULL, NULL } } },

    { "no car at the post: a new menu is the lane's at once; the board's empty order is of it", { .board = 1 }, {
        { "0 menu winter", "event menu ok=true menu=Burger Barn Winter items=31 sold_out=[\"Sprite\", \"Cookie\"] "
                           "from_car=1" },
        { "0 in_use burger", "0" },
        { "0 crew auth", "reply state menu=Burger Barn Winter" },
        { "1 turn 0.95 an apple pie",
          "store car; event car state=arrived; store turn 1; event turn said=\"Welcome to Burger Barn"
          " Winter! An Apple Pie. Anything else?\"; store order open 140; event order status=open"
          " total_cents=140 lines=1; say \"Welcome to Burger Barn Winter! An Apple Pie. Anything"
          " else?\"" },
        { NULL, NULL } } },
    { "the customer talks over the read-back: it stops; the kiosk's own words heard back are its voice;"
      " speech lost asks again, but not the kiosk's own voice nor an empty post", {0}, {
        { "0 missed device 900", "event missed reason=device asked_again=false" },
        { "1 turn 0.95 two cheeseburgers and a large coke",
          "store car; event car state=arrived; store turn 1; event turn said=\"" WELCOME ORDER2 "\"; store order open"
          " 982; event order status=open total_cents=982 lines=2; say \"" WELCOME ORDER2 "\"" },
        { "2 barge", "hush; event barge_in" },
        { "2.6 unbarge", "event barge_in false=true; say \"" WELCOME ORDER2 "\"" },
        { "3 barge", "hush; event barge_in" },
        { "2.1 own two cheeseburgers and a large coke anything else", "1" },
        { "2.1 own anything else", "1" },
        { "2.1 own cheeseburgers", "1" },
        { "2.1 own ", "1" },
        { "2.1 own yes", "0" },
        { "2.1 own that's all", "0" },
        { "2.1 own and a medium sprite", "0" },
        { "2.1 own no wait make it a medium coke", "0" },
        { "3 missed own_voice 1200", "event missed reason=own_voice asked_again=false" },
        { "4 missed busy 1200",
          "event missed reason=busy asked_again=true; say \"Sorry, I missed that, could you say it again?\"" },
        { "4.5 missed device 200", "event missed reason=device asked_again=false" },
        { "5 missed overrun 2000", "event missed reason=overrun asked_again=false" },
        { "6 crew take_over", "hush; event override kind=take_over; store order crew 982; event order status=crew"
                              " total_cents=982 lines=2; store crew take_over; ok take_over" },
        { "7 missed device 1500", "event missed reason=device asked_again=false" },
        { NULL, NULL } } },

    /* The crew's headset (kiosk run --crew-audio): every page and escalation
     * lists the page in words, the lane's name first; nothing else does. */
    { "each page reason in the crew's headset, in the station's words, with the lane's name; "
      "a second page while one is open is heard too; the ack is not, nor a tick after it", { .name = "Drive 2" }, {
        { "0 page human_request",
          "store page human_request 0; event page reason=human_request; ear page human_request \"Drive"
          " 2: asked for a person.\"" },
        { "1 page low_confidence",
          "store page low_confidence 0; event page reason=low_confidence; ear page low_confidence"
          " \"Drive 2: not sure what was said.\"" },
        { "2 page out_of_menu",
          "store page out_of_menu 0; event page reason=out_of_menu; ear page out_of_menu \"Drive 2:"
          " didn't understand.\"" },
        { "3 page quantity_limit",
          "store page quantity_limit 0; event page reason=quantity_limit; ear page quantity_limit"
          " \"Drive 2: large quantity.\"" },
        { "4 page repeated_corrections",
          "store page repeated_corrections 0; event page reason=repeated_corrections; ear page"
          " repeated_corrections \"Drive 2: keeps correcting.\"" },
        { "5 page no_response",
          "store page no_response 0; event page reason=no_response; ear page no_response \"Drive 2: no"
          " answer.\"" },
        { "6 page crew_override",
          "store page crew_override 0; event page reason=crew_override; ear page crew_override \"Drive"
          " 2: crew took over.\"" },
        { "7 page device_fault",
          "store page device_fault 0; event page reason=device_fault; ear page device_fault \"Drive 2:"
          " equipment problem.\"" },
        { "10 tick",
          "event escalate level=remind after_s=10.0; ear remind human_request \"Drive 2 again: asked"
          " for a person.\"; next=20.0" },
        { "11 crew ack", "store ack ack; event ack after_s=11.0; store crew ack; ok ack" },
        { "40 tick", "next=3600.0" },
        { "41 crew ack", "store crew ack refused; error \"no page is waiting\"" },
        { NULL, NULL } } },
    { "a person asked for in a turn: the headset hears it; taking the car over acknowledges it: no "
      "escalation after; no page, nothing in the headset", {0}, {
        { "0 turn 0.95 / can i talk to a person",
          "store car; event car state=arrived; store turn 1 human_request; store page human_request 1;"
          " event turn page=human_request said=\"A team member will be right with you.\"; store order"
          " crew 0; event order status=crew total_cents=0 lines=0; event page reason=human_request;"
          " ear page human_request \"Lane 1: asked for a person.\"; say \"A team member will be right"
          " with you.\"" },
        { "5 crew take_over",
          "hush; event override kind=take_over; store order crew 0; event order status=crew"
          " total_cents=0 lines=0; store ack take_over; event ack by=take_over after_s=5.0; store crew"
          " take_over; ok take_over" },
        { "10 tick", "next=3600.0" },
        { "40 tick", "next=3600.0" },
        { "41 crew hand_back",
          "event override kind=hand_back; store order open 0; event order status=open total_cents=0"
          " lines=0; store crew hand_back; ok hand_back" },
        { "42 turn 0.95 a cheeseburger",
          "store turn 2; event turn said=\"A Cheeseburger. Anything else?\"; store order open 378;"
          " event order status=open total_cents=378 lines=1; say \"A Cheeseburger. Anything else?\"" },
        { NULL, NULL } } },

    /* ---- the speaker post ---- */
    { "with the post's link up the loop starts the car, greeted before anyone speaks; the answer does not welcome"
      " again; speech with no car is ignored; departure ends the car", {0}, {
        { "0 starts", "1" },
        { "0 post up", "event post link=up" },
        { "0 starts", "0" },
        { "0 lamp", "listening" },
        { "0.5 turn 0.95 a cheeseburger", "" },
        { "0.6 view", "no car lines=0" },
        { "1 inputs 0 0", "" },
        { "2 loop 1",
          "store car; event car state=arrived by=loop; say \"Welcome to Burger Barn! What can I get you?\"" },
        { "5 turn 0.95 two cheeseburgers and a large coke",
          "store turn 1; event turn said=\"" ORDER2 "\"; store order open 982; event order status=open"
          " total_cents=982 lines=2; say \"" ORDER2 "\"" },
        { "6 loop 1", "" },
        { "8 loop 0",
          "store end gone cancelled 982; event car state=left why=gone status=cancelled by=loop total_cents=982" },
        { "9 turn 0.95 hello", "" },
        { "9 view", "no car lines=0" },
        { "9 loop 0", "" },
        { NULL, NULL } } },

    { "an empty car on the loop never leaves by silence; link loss pages device_fault and speech starts cars"
      " again; the lamp shows the fault once the page is acknowledged", {0}, {
        { "0 post up", "event post link=up" },
        { "0 loop 1", "store car; event car state=arrived by=loop; say \"Welcome to Burger Barn! What can I get you?\"" },
        { "10 tick", "say \"Take your time. What can I get you?\"; next=3600.0" },
        { "60 tick", "next=3600.0" },
        { "61 post down",
          "event post link=down; event page reason=device_fault detail=the speaker post stopped"
          " answering; store page device_fault 0; ear page device_fault \"Lane 1: equipment problem: the"
          " speaker post stopped answering.\"" },
        { "61 post down", "" },
        { "61 starts", "1" },
        { "61 lamp", "crew_coming" },
        { "62 crew ack", "store ack ack; event ack after_s=1.0; store crew ack; ok ack" },
        { "62 lamp", "fault" },
        { "63 crew gone", "store crew gone; store end gone cancelled 0; event car state=left why=gone"
          " status=cancelled total_cents=0; ok gone" },
        { "64 turn 0.95 a cheeseburger",
          "store car; event car state=arrived; store turn 1; event turn said=\"Welcome to Burger Barn! A"
          " Cheeseburger. Anything else?\"; store order open 378; event order status=open total_cents=378 lines=1;"
          " say \"Welcome to Burger Barn! A Cheeseburger. Anything else?\"" },
        { "64 loop 1", "" },
        { "65 post up", "event post link=up" },
        { "65 starts", "0" },
        { "65 lamp", "listening" },
        { "66 inputs 1 0", "" },
        { NULL, NULL } } },

    { "the link back with a vehicle waiting: its car starts from the heartbeat's inputs, once; the crew's"
      " presence is recorded", {0}, {
        { "0 post down",
          "event post link=down; event page reason=device_fault detail=the speaker post is not"
          " answering; store page device_fault 0; ear page device_fault \"Lane 1: equipment problem: the"
          " speaker post is not answering.\"" },
        { "1 crew ack", "store ack ack; event ack after_s=1.0; store crew ack; ok ack" },
        { "1 lamp", "fault" },
        { "2 post up", "event post link=up" },
        { "2 lamp", "listening" },
        { "2 inputs 1 1",
          "event post crew_present=true; store car; event car state=arrived by=loop;"
          " say \"Welcome to Burger Barn! What can I get you?\"" },
        { "3 inputs 1 1", "" },
        { "4 crew auth", "reply state status=open total_cents=0 menu=Burger Barn crew_present=true post=up lines=0" },
        { "5 crew_present 0", "event post crew_present=false" },
        { "6 loop 0", "store end gone cancelled 0; event car state=left why=gone status=cancelled by=loop"
          " total_cents=0" },
        { "7 inputs 1 0", "" },
        { NULL, NULL } } },

    { "the link back with the loop empty: the car that left while it was down (its departure given up) ends",
      {0}, {
        { "0 post up", "event post link=up" },
        { "0 loop 1", "store car; event car state=arrived by=loop; say \"Welcome to Burger Barn! What can I get you?\"" },
        { "2 post down",
          "event post link=down; event page reason=device_fault detail=the speaker post stopped"
          " answering; store page device_fault 0; ear page device_fault \"Lane 1: equipment problem: the"
          " speaker post stopped answering.\"" },
        { "9 post up", "event post link=up" },
        { "9 inputs 0 0", "store end gone cancelled 0; event car state=left why=gone status=cancelled by=loop"
          " total_cents=0" },
        { "10 inputs 0 0", "" },
        { "10 view", "no car lines=0" },
        { "12 tick",
          "event escalate level=remind after_s=10.0; ear remind device_fault \"Lane 1 again: equipment"
          " problem.\"; next=20.0" },
        { NULL, NULL } } },

    { "the help button pages human_request by the button, once while it is open; the talk button is the crew's"
      " talk override; the lamp follows", {0}, {
        { "0 post up", "event post link=up" },
        { "0 loop 1", "store car; event car state=arrived by=loop; say \"Welcome to Burger Barn! What can I get you?\"" },
        { "2 help",
          "store page human_request 0; event page reason=human_request by=button; ear page"
          " human_request \"Lane 1: asked for a person.\"; store order crew 0; event order status=crew"
          " total_cents=0 lines=0; say \"A team member will be right with you.\"" },
        { "2 lamp", "crew_coming" },
        { "3 help", "" },
        { "4 button down", "hush; event override kind=talk by=button down=true; store crew talk down" },
        { "4 lamp", "crew_talking" },
        { "4.2 view", "crew lines=0 talking" },
        { "4.5 button down", "store crew talk down refused" },
        { "5 crew talk", "store crew talk down refused; error \"the talk button is already down\"" },
        { "6 button up", "event override kind=talk by=button down=false; store crew talk up" },
        { "6 lamp", "crew_coming" },
        { "7 crew ack", "store ack ack; event ack after_s=5.0; store crew ack; ok ack" },
        { "7 lamp", "crew_coming" },
        { "8 loop 0", "store end gone crew 0; event car state=left why=gone status=crew by=loop total_cents=0" },
        { "8 lamp", "listening" },
        { "9 help",
          "store page human_request 0; event page reason=human_request by=button; ear page"
          " human_request \"Lane 1: asked for a person.\"" },
        { NULL, NULL } } },

    { "a car that drives off the loop while its page is open: the page stops escalating, unacknowledged", {0}, {
        { "0 post up", "event post link=up" },
        { "0 loop 1", "store car; event car state=arrived by=loop; say \"Welcome to Burger Barn! What can I get you?\"" },
        { "2 page no_response",
          "store page no_response 0; event page reason=no_response; ear page no_response \"Lane 1: no"
          " answer.\"; store order crew 0; event order status=crew total_cents=0 lines=0; say \"A team"
          " member will be right with you.\"" },
        { "3 loop 0", "store end gone crew 0; event car state=left why=gone status=crew by=loop total_cents=0" },
        { "30 tick", "next=3600.0" },
        { "30 lamp", "listening" },
        { NULL, NULL } } },

    { "the lamp: fault while the microphone or the store fails (crew coming while their page is open)", {0}, {
        { "0 lamp", "listening" },
        { "0 mic 0", "" },
        { "0 lamp", "fault" },
        { "1 mic 1", "" },
        { "1 lamp", "listening" },
        { "2 fault var/kiosk.db: cannot write: the disk is full",
          "event store state=failing error=var/kiosk.db: cannot write: the disk is full held=7; event"
          " page reason=device_fault detail=orders are not being saved: var/kiosk.db: cannot write: the"
          " disk is full; store page device_fault 0; ear page device_fault \"Lane 1: equipment problem:"
          " orders are not being saved.\"" },
        { "2 lamp", "crew_coming" },
        { "3 crew ack", "store ack ack; event ack after_s=1.0; store crew ack; ok ack" },
        { "3 lamp", "fault" },
        { "4 saving 7", "event store state=saving written=7" },
        { "4 lamp", "listening" },
        { NULL, NULL } } },

    { NULL, {0}, {{ NULL, NULL }} },
};

/* The event lines themselves, whole: the tables above read only their fields. */
static void test_event_lines(void **state)
{
    menus_t *ms = *state;
    lane_config_t cfg = { .name = "Lane 1", .threshold = 0.6, .nudge = 10, .no_response = 15, .car_gone = 30 };
    lane_t l;
    lane_init(&l, &cfg, ms->burger);
    lane_set_time(&l, 2, 1800000000.25);
    lane_car_arrives(&l);
    assert_int_equal(l.fx.n, 3);
    assert_int_equal(l.fx.v[0].kind, LANE_FX_CAR_BEGIN);
    assert_string_equal(l.fx.v[0].text, "Burger Barn");
    assert_int_equal(l.fx.v[1].kind, LANE_FX_EVENT);
    assert_string_equal(l.fx.v[1].name, "car");
    assert_string_equal(l.fx.v[1].text, "{\"t\": 1800000000.250, \"event\": \"car\", \"car\": 1, \"state\": \"arrived\"}");
    assert_int_equal(l.fx.v[2].kind, LANE_FX_LOG);
    assert_string_equal(l.fx.v[2].text, "car 1 arrived");
    strbuf_t b = {0};
    lane_say_event(&b, 1800000001.5, 1, "Say \"hi\"", 1250, 0);
    assert_string_equal(strbuf_cstr(&b),
                        "{\"t\": 1800000001.500, \"event\": \"say\", \"car\": 1, \"text\": \"Say \\\"hi\\\"\", \"ms\": 1250}");
    strbuf_free(&b);
    /* said ahead of the turn's end: how long before the event it began */
    lane_say_event(&b, 1800000001.5, 1, "A Coke.", 800, 640);
    assert_string_equal(strbuf_cstr(&b), "{\"t\": 1800000001.500, \"event\": \"say\", \"car\": 1, \"text\": \"A Coke.\", "
                                         "\"ms\": 800, \"ahead_ms\": 640}");
    strbuf_free(&b);
    /* said ahead and stopped after 300 ms */
    lane_taken_back_event(&b, 1800000001.5, 1, "A Coke. Anything else?", 300);
    assert_string_equal(strbuf_cstr(&b), "{\"t\": 1800000001.500, \"event\": \"taken_back\", \"car\": 1, "
                                         "\"text\": \"A Coke. Anything else?\", \"ms\": 300}");
    strbuf_free(&b);
    lane_free(&l);
}

/* The speaker post's event lines, whole: the link, the frame errors (every
 * counter, by name, both sides), the help button's page. */
static void test_post_lines(void **state)
{
    menus_t *ms = *state;
    lane_config_t cfg = { .name = "Lane 1", .threshold = 0.6, .nudge = 10, .no_response = 15, .car_gone = 30 };
    lane_t l;
    lane_init(&l, &cfg, ms->burger);
    lane_set_time(&l, 2, 1800000000.25);
    lane_post_link(&l, 1);
    assert_int_equal(l.fx.n, 2);
    assert_string_equal(l.fx.v[0].text, "{\"t\": 1800000000.250, \"event\": \"post\", \"link\": \"up\"}");
    assert_string_equal(l.fx.v[1].text, "speaker post: answering; cars start at the loop");
    lane_fx_clear(&l.fx);

    static const char *const mine_names[] = { "crc", "truncated", "duplicate" };
    static const char *const theirs_names[] = { "crc", "gave_up" };
    const unsigned long mine_v[] = { 2, 0, 1 }, theirs_v[] = { 0, 0 };
    lane_counts_t mine = { 3, mine_names, mine_v }, theirs = { 2, theirs_names, theirs_v };
    lane_post_errors(&l, &mine, &theirs);
    assert_int_equal(l.fx.n, 2);
    assert_string_equal(l.fx.v[0].name, "post");
    assert_string_equal(l.fx.v[0].text, "{\"t\": 1800000000.250, \"event\": \"post\", \"errors\": {\"crc\": 2, "
                                        "\"truncated\": 0, \"duplicate\": 1}, \"post_errors\": {\"crc\": 0, \"gave_up\": 0}}");
    assert_string_equal(l.fx.v[1].text, "speaker post frame errors: the kiosk's crc 2, duplicate 1; the post's none");
    lane_fx_clear(&l.fx);

    lane_post_loop(&l, 1);
    lane_fx_clear(&l.fx);
    lane_set_time(&l, 3, 1800000001.5);
    lane_post_help(&l);
    assert_int_equal(l.fx.v[1].kind, LANE_FX_EVENT);
    assert_string_equal(l.fx.v[1].text, "{\"t\": 1800000001.500, \"event\": \"page\", \"car\": 1, \"turn\": 0, "
                                        "\"reason\": \"human_request\", \"heard\": \"\", \"free_text\": \"\", "
                                        "\"by\": \"button\"}");
    assert_int_equal(l.fx.v[2].kind, LANE_FX_CREW_PAGE);   /* in the crew's headset too */
    assert_string_equal(l.fx.v[2].text, "Lane 1: asked for a person.");
    assert_string_equal(l.fx.v[3].text, "  PAGE crew: asked for a person (the help button)");
    lane_fx_clear(&l.fx);

    lane_post_link(&l, 0);
    assert_string_equal(l.fx.v[0].text, "{\"t\": 1800000001.500, \"event\": \"post\", \"car\": 1, \"link\": \"down\"}");
    assert_string_equal(l.fx.v[1].text, "{\"t\": 1800000001.500, \"event\": \"page\", \"car\": 1, \"turn\": 0, "
                                        "\"reason\": \"device_fault\", \"heard\": \"\", \"free_text\": \"\", "
                                        "\"detail\": \"the speaker post stopped answering\"}");
    lane_free(&l);
}

/* menus/burger.yaml as a manager edited it (table_menus' "winter"). */
static menu_t *winter_menu(void)
{
    FILE *f = fopen("menus/burger.yaml", "r");
    assert_non_null(f);
    strbuf_t b = {0};
    char line[512];
    while (fgets(line, sizeof line, f)) {
        if (!strcmp(line, "menu: Burger Barn\n")) strcpy(line, "menu: Burger Barn Winter\n");
        if (!strcmp(line, "    available: false\n")) continue;   /* the apple pie is back */
        strbuf_append(&b, line);
        if (!strcmp(line, "    price: 0.99\n") || !strcmp(line, "    say: [sprite]\n"))
            strbuf_append(&b, "    available: false\n");        /* the cookie (0.99) and the sprite */
    }
    fclose(f);
    strlist_t errs = {0};
    menu_t *m = menu_parse(strbuf_cstr(&b), b.len, "menus/burger.yaml", &errs);
    for (int i = 0; i < errs.n; i++) print_error("%s\n", errs.v[i]);
    assert_non_null(m);
    strlist_free(&errs);
    strbuf_free(&b);
    return m;
}

/* The menu's event lines and log lines, whole. */
static void test_menu_lines(void **state)
{
    menus_t *ms = *state;
    menu_t *winter = winter_menu();
    lane_config_t cfg = { .name = "Lane 1", .threshold = 0.6, .nudge = 10, .no_response = 15, .car_gone = 30 };
    lane_t l;
    lane_init(&l, &cfg, ms->burger);
    lane_set_time(&l, 2, 1800000000.25);
    lane_car_arrives(&l);
    lane_fx_clear(&l.fx);
#define OFFERS "is sold out (available: false), so the kiosk offers only Coke, Diet Coke, Root Beer, Iced Tea, Lemonade"
    lane_menu(&l, winter);
    assert_int_equal(l.fx.n, 5);
    assert_int_equal(l.fx.v[0].kind, LANE_FX_EVENT);
    assert_string_equal(l.fx.v[0].name, "menu");
    assert_string_equal(l.fx.v[0].text,
        "{\"t\": 1800000000.250, \"event\": \"menu\", \"car\": 1, \"ok\": true, \"file\": \"menus/burger.yaml\", "
        "\"menu\": \"Burger Barn Winter\", \"items\": 31, \"sold_out\": [\"Sprite\", \"Cookie\"], \"warnings\": ["
        "\"menus/burger.yaml:140:5: warning: item \\\"Number One\\\": drink Sprite " OFFERS "\", "
        "\"menus/burger.yaml:146:5: warning: item \\\"Number Two\\\": drink Sprite " OFFERS "\", "
        "\"menus/burger.yaml:152:5: warning: item \\\"Number Three\\\": drink Sprite " OFFERS "\"], \"from_car\": 2}");
    assert_string_equal(l.fx.v[1].text, "menu: Burger Barn Winter, 31 items; sold out: Sprite, Cookie; from car 2 "
                                        "(the car at the post keeps its menu, but what is sold out applies now)");
    assert_string_equal(l.fx.v[2].text, "  menus/burger.yaml:140:5: warning: item \"Number One\": drink Sprite " OFFERS);
#undef OFFERS
    lane_fx_clear(&l.fx);

    strlist_t errs = {0};
    strlist_push(&errs, "menus/burger.yaml:12:5: \"price 3.50\" needs a colon after the key: \"price: 3.50\"");
    lane_set_time(&l, 3, 1800000001.5);
    lane_menu_failed(&l, "menus/burger.yaml", &errs);
    assert_int_equal(l.fx.n, 3);
    assert_string_equal(l.fx.v[0].text,
        "{\"t\": 1800000001.500, \"event\": \"menu\", \"car\": 1, \"ok\": false, \"file\": \"menus/burger.yaml\", "
        "\"menu\": \"Burger Barn Winter\", \"errors\": [\"menus/burger.yaml:12:5: \\\"price 3.50\\\" needs a colon after "
        "the key: \\\"price: 3.50\\\"\"]}");
    /* the menu kept is the next car's (the car at the post has its own) */
    assert_string_equal(l.fx.v[1].text, "menu: menus/burger.yaml not loaded (1 error); the kiosk keeps Burger Barn Winter");
    assert_string_equal(l.fx.v[2].text, "  menus/burger.yaml:12:5: \"price 3.50\" needs a colon after the key: "
                                        "\"price: 3.50\"");
    strlist_free(&errs);
    lane_free(&l);
    menu_free(winter);
}

/* Nothing heard is the kiosk's own voice only once it has said something
 * (lane_own_voice); lane_heard_nothing looks at both searches' words. */
static void test_heard_nothing(void **state)
{
    menus_t *ms = *state;
    lane_config_t cfg = { .name = "Lane 1", .threshold = 0.6, .nudge = 10, .no_response = 15, .car_gone = 30 };
    lane_t l;
    lane_init(&l, &cfg, ms->burger);
    assert_int_equal(lane_own_voice(&l, "", ""), 0);   /* silent kiosk: no voice of its own to hear */
    lane_free(&l);
    static const struct {
        const char *heard, *free_text;
        int nothing;
    } rows[] = {
        { "", "", 1 }, { NULL, NULL, 1 }, { " ", "  ", 1 }, { "", "-", 1 },
        { "yes", "", 0 }, { "", "uh", 0 }, { "a coke", "a coke", 0 }, { "", "that's", 0 },
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        if (lane_heard_nothing(rows[i].heard, rows[i].free_text) != rows[i].nothing)
            fail_msg("row %zu: \"%s\" / \"%s\": expected %d", i, rows[i].heard ? rows[i].heard : "(null)",
                     rows[i].free_text ? rows[i].free_text : "(null)", rows[i].nothing);
}

static void test_tables(void **state)
{
    menus_t *ms = *state;
    menu_t *winter = winter_menu();
    table_menus[0] = ms->burger;
    table_menus[1] = winter;
    int failed = 0;
    for (int i = 0; cases[i].name; i++) failed += run_case(ms->burger, &cases[i]);
    menu_free(winter);
    if (failed) fail_msg("%d of the tables' cases failed", failed);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_event_lines),
        cmocka_unit_test(test_tables),
        cmocka_unit_test(test_menu_lines),
        cmocka_unit_test(test_post_lines),
        cmocka_unit_test(test_heard_nothing),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
