/* test_view.c: the crew station's words (src/crew/view.c), as tables of the
 * kiosk's lines and the exact lines a crew member reads. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../src/crew/view.h"

#define ORDER1 "{\"status\": \"open\", \"lines\": [{\"item\": \"Cheeseburger\", \"qty\": 2, \"size\": null, " \
               "\"options\": [{\"name\": \"onions\", \"amount\": \"no\"}], \"choices\": {}, \"unit_cents\": 399, " \
               "\"cents\": 798}, {\"item\": \"Coke\", \"qty\": 1, \"size\": \"large\", \"options\": [], " \
               "\"choices\": {}, \"unit_cents\": 209, \"cents\": 209}], \"subtotal_cents\": 1007, " \
               "\"tax_cents\": 83, \"total_cents\": 1090}"

typedef struct {
    const char *event;    /* one line from the kiosk */
    double now;           /* the station's clock */
    const char *want;     /* the lines out, joined by '|' */
    int bell;
} step_t;

/* A lunch-rush car as the kiosk tells it. */
static const step_t car_steps[] = {
    { "{\"t\": 1, \"event\": \"state\", \"lane\": \"Lane 1\", \"menu\": \"Burger Barn\", \"taken_over\": false, "
      "\"talking\": false, \"page\": null}", 0,
      "connected to Lane 1 (Burger Barn): no car at the post", 0 },
    { "{\"t\": 2, \"event\": \"car\", \"car\": 3, \"state\": \"arrived\"}", 1, "car 3 arrived", 0 },
    { "{\"t\": 3, \"event\": \"turn\", \"car\": 3, \"turn\": 1, \"heard\": \"two cheeseburgers no onions and a "
      "large coke\", \"free_text\": \"two cheese burgers no onions and a large coke\", \"confidence\": 0.91, "
      "\"said\": \"Two cheeseburgers, no onions, and a large Coke. Anything else?\", \"page\": null}", 2,
      "car 3 customer: \"two cheese burgers no onions and a large coke\", understood \"two cheeseburgers no "
      "onions and a large coke\"", 0 },
    { "{\"t\": 3, \"event\": \"order\", \"car\": 3, \"order\": " ORDER1 "}", 2,
      "car 3 order (the kiosk's):|    1. 2 x Cheeseburger (no onions)  $7.98|    2. 1 x Large Coke  $2.09|"
      "    total $10.90", 0 },
    { "{\"t\": 3, \"event\": \"say\", \"car\": 3, \"text\": \"Welcome to Burger Barn! Two cheeseburgers, no "
      "onions, and a large Coke. Anything else?\", \"ms\": 4000}", 2,
      "car 3 kiosk: \"Welcome to Burger Barn! Two cheeseburgers, no onions, and a large Coke. Anything else?\"", 0 },
    { "{\"t\": 9, \"event\": \"turn\", \"car\": 3, \"turn\": 2, \"heard\": \"a cookie\", \"free_text\": \"and uh "
      "cookie\", \"confidence\": 0.41, \"said\": \"A team member will be right with you.\", \"page\": "
      "\"low_confidence\"}", 8,
      "car 3 customer: \"and uh cookie\", understood \"a cookie\" (unsure)", 0 },
    { "{\"t\": 9, \"event\": \"page\", \"car\": 3, \"turn\": 2, \"reason\": \"low_confidence\", \"heard\": \"a "
      "cookie\", \"free_text\": \"and uh cookie\"}", 8,
      "*** PAGE car 3: not sure what was said: \"and uh cookie\"|    ack to stop the chime; take to talk to the car", 1 },
    { "{\"t\": 19, \"event\": \"escalate\", \"car\": 3, \"level\": \"remind\", \"after_s\": 10.0}", 18,
      "*** PAGE NOT ACKNOWLEDGED after 10 s: chiming again", 1 },
    { "{\"t\": 20, \"event\": \"override\", \"car\": 3, \"kind\": \"take_over\"}", 19,
      "car 3 is yours: the kiosk stays quiet (back hands it back)", 0 },
    { "{\"t\": 20, \"event\": \"ack\", \"car\": 3, \"after_s\": 11.2, \"by\": \"take_over\"}", 19,
      "page acknowledged after 11.2 s", 0 },
    /* nothing was said to the car while it is the crew's: no kiosk line, no "said" shown */
    { "{\"t\": 25, \"event\": \"turn\", \"car\": 3, \"turn\": 3, \"heard\": \"\", \"free_text\": \"hello anybody "
      "there\", \"confidence\": 0.0, \"said\": \"\", \"page\": null}", 24,
      "car 3 customer: \"hello anybody there\", nothing from the menu", 0 },
    { "{\"t\": 26, \"event\": \"turn\", \"car\": 3, \"turn\": 4, \"heard\": \"\", \"free_text\": \"\", "
      "\"confidence\": 0.0, \"said\": \"\", \"page\": null}", 25,
      "car 3 customer: (no words made out), nothing from the menu", 0 },
    { "{\"t\": 30, \"event\": \"override\", \"car\": 3, \"kind\": \"talk\", \"down\": true}", 29,
      "talk button down: the car hears you", 0 },
    { "{\"t\": 31, \"event\": \"override\", \"car\": 3, \"kind\": \"talk\", \"down\": false}", 30,
      "talk button up", 0 },
    { "{\"t\": 40, \"event\": \"confirmed\", \"car\": 3, \"order\": {\"status\": \"confirmed\", \"lines\": [], "
      "\"total_cents\": 0}}", 39, "car 3 ORDER CONFIRMED:|    (nothing ordered yet)|    total $0.00", 0 },
    { "{\"t\": 40, \"event\": \"car\", \"car\": 3, \"state\": \"left\", \"why\": \"confirmed\", \"status\": "
      "\"confirmed\", \"total_cents\": 1090}", 39, "car 3 left for the window: order confirmed, $10.90", 0 },
    /* a fault with no car */
    { "{\"t\": 50, \"event\": \"page\", \"turn\": 0, \"reason\": \"device_fault\", \"heard\": \"\", \"free_text\": "
      "\"\"}", 49, "*** PAGE: equipment problem|    ack to stop the chime; take to talk to the car", 1 },
    { "{\"t\": 51, \"event\": \"car\", \"car\": 4, \"state\": \"left\", \"why\": \"gone\", \"status\": \"crew\", "
      "\"total_cents\": 459}", 50, "car 4 drove off: your order kept as it stood, $4.59", 0 },
    { "{\"t\": 52, \"event\": \"car\", \"car\": 5, \"state\": \"left\", \"why\": \"gone\", \"status\": "
      "\"cancelled\", \"total_cents\": 0}", 51, "car 5 drove off: nothing ordered", 0 },
    { "{\"t\": 53, \"event\": \"car\", \"car\": 6, \"state\": \"left\", \"why\": \"cancelled\", \"status\": "
      "\"cancelled\", \"total_cents\": 0}", 52, "car 6 left: order cancelled", 0 },
};

static void run_steps(const step_t *steps, size_t n, crew_view_t *v)
{
    int bad = 0;
    for (size_t i = 0; i < n; i++) {
        json_error_t je;
        json_t *ev = json_loads(steps[i].event, 0, &je);
        if (!ev) fail_msg("step %zu: bad JSON in the test: %s", i + 1, je.text);
        strlist_t out = {0};
        int bell = view_event(v, ev, steps[i].now, 1, &out);
        strbuf_t got = {0};
        for (int k = 0; k < out.n; k++) strbuf_printf(&got, "%s%s", k ? "|" : "", out.v[k]);
        if (strcmp(strbuf_cstr(&got), steps[i].want) || bell != steps[i].bell) {
            fprintf(stderr, "step %zu: got  %s (bell %d)\n         want %s (bell %d)\n", i + 1, strbuf_cstr(&got),
                    bell, steps[i].want, steps[i].bell);
            bad++;
        }
        strbuf_free(&got);
        strlist_free(&out);
        json_decref(ev);
    }
    if (bad) fail_msg("%d steps differ", bad);
}

static void test_lunch_car(void **state)
{
    (void)state;
    crew_view_t v;
    view_init(&v);
    run_steps(car_steps, 7, &v);
    /* after the page: the view holds it with its time and words */
    assert_int_equal(v.car, 3);
    assert_true(v.page_open);
    assert_true(v.page_at == 8);
    assert_string_equal(v.page_text, "not sure what was said: \"and uh cookie\"");
    assert_int_equal(v.page_car, 3);
    assert_string_equal(v.lane, "Lane 1");
    run_steps(car_steps + 7, 3, &v);
    assert_int_equal(v.escalated, 1);
    assert_true(v.taken_over);
    assert_false(v.page_open);
    run_steps(car_steps + 10, sizeof car_steps / sizeof car_steps[0] - 10, &v);
    assert_int_equal(v.car, 0);
    assert_null(v.order);
    /* the transcript keeps the event lines, not the order's lines or the hint */
    assert_string_equal(v.lines.v[0], "connected to Lane 1 (Burger Barn): no car at the post");
    assert_string_equal(v.lines.v[3], "car 3 order (the kiosk's):");
    assert_string_equal(v.lines.v[4], "car 3 kiosk: \"Welcome to Burger Barn! Two cheeseburgers, no onions, and a "
                                      "large Coke. Anything else?\"");
    assert_string_equal(v.lines.v[6], "*** PAGE car 3: not sure what was said: \"and uh cookie\"");
    assert_string_equal(v.lines.v[7], "*** PAGE NOT ACKNOWLEDGED after 10 s: chiming again");
    view_free(&v);
}

/* A station that connects while a car is at the post with a page open. */
static void test_state_mid_car(void **state)
{
    (void)state;
    static const step_t steps[] = {
        { "{\"t\": 1, \"event\": \"state\", \"car\": 7, \"lane\": \"Lane 2\", \"menu\": \"\", \"taken_over\": true, "
          "\"talking\": false, \"page\": {\"reason\": \"human_request\", \"age_s\": 12.4}, \"order\": {\"status\": "
          "\"crew\", \"lines\": [{\"item\": \"Number One\", \"qty\": 1, \"size\": null, \"options\": [], "
          "\"choices\": {\"drink\": \"Sprite\"}, \"cents\": 749}, {\"item\": \"Fries\", \"qty\": 1, \"size\": null, "
          "\"options\": [{\"name\": \"salt\", \"amount\": \"extra\"}], \"choices\": {}, \"cents\": 0}], "
          "\"total_cents\": 811}}", 100,
          "connected to Lane 2: car 7 at the post, order yours; PAGE open 12 s: asked for a person|"
          "    1. 1 x Number One (Drink: Sprite)  $7.49|    2. 1 x Fries (extra salt, size?)  $0.00|    total $8.11", 1 },
    };
    crew_view_t v;
    view_init(&v);
    run_steps(steps, 1, &v);
    assert_int_equal(v.car, 7);
    assert_true(v.taken_over);
    assert_true(v.page_open);
    assert_true(v.page_at > 87.5 && v.page_at < 87.7);
    view_free(&v);
}

/* A manager edits the menu (issue 18, item 5): a broken save, which a
 * station connecting then hears of too, then a good one mid-car, then one
 * between cars; wrong types and an empty list do not crash. */
static void test_menu_edits(void **state)
{
    (void)state;
#define ERR1 "menus/burger.yaml:12:5: \\\"price 3.50\\\" needs a colon after the key: \\\"price: 3.50\\\""
#define ERR1_SHOWN "menus/burger.yaml:12:5: \"price 3.50\" needs a colon after the key: \"price: 3.50\""
#define ERR2 "menus/burger.yaml:30:11: item \\\"Fries\\\": phrase \\\"French Fries\\\" has upper case"
#define ERR2_SHOWN "menus/burger.yaml:30:11: item \"Fries\": phrase \"French Fries\" has upper case"
    static const step_t steps[] = {
        { "{\"t\": 1, \"event\": \"menu\", \"ok\": false, \"file\": \"menus/burger.yaml\", \"menu\": \"Burger Barn\", "
          "\"errors\": [\"" ERR1 "\", \"" ERR2 "\"]}", 0,
          "*** MENU NOT LOADED: menus/burger.yaml has errors; the kiosk keeps Burger Barn as it was|" ERR1_SHOWN "|"
          ERR2_SHOWN, 0 },
        { "{\"t\": 2, \"event\": \"state\", \"lane\": \"Lane 1\", \"menu\": \"Burger Barn\", \"taken_over\": false, "
          "\"talking\": false, \"page\": null, \"menu_errors\": [\"" ERR1 "\"]}", 1,
          "connected to Lane 1 (Burger Barn): no car at the post|*** MENU NOT LOADED: the menu file has an error; "
          "the kiosk runs on its last good menu (Burger Barn)|" ERR1_SHOWN, 0 },
        { "{\"t\": 3, \"event\": \"car\", \"car\": 4, \"state\": \"arrived\"}", 2, "car 4 arrived", 0 },
        { "{\"t\": 4, \"event\": \"menu\", \"car\": 4, \"ok\": true, \"file\": \"menus/burger.yaml\", \"menu\": "
          "\"Burger Barn Winter\", \"items\": 31, \"sold_out\": [\"Sprite\", \"Cookie\"], \"warnings\": [\"menus/"
          "burger.yaml:140:5: warning: item \\\"Number One\\\": drink Sprite is sold out\"], \"from_car\": 5}", 3,
          "menu updated: Burger Barn Winter, 31 items, sold out: Sprite, Cookie; from car 5 (car 4 keeps its menu, "
          "but what is sold out applies now)|menus/burger.yaml:140:5: warning: item \"Number One\": drink Sprite is "
          "sold out", 0 },
        { "{\"t\": 5, \"event\": \"car\", \"car\": 4, \"state\": \"left\", \"why\": \"gone\", \"status\": "
          "\"cancelled\", \"total_cents\": 0}", 4, "car 4 drove off: nothing ordered", 0 },
        { "{\"t\": 6, \"event\": \"menu\", \"ok\": true, \"file\": \"menus/burger.yaml\", \"menu\": \"Burger Barn\", "
          "\"items\": 32, \"sold_out\": [], \"from_car\": 5}", 5, "menu updated: Burger Barn, 32 items; from car 5", 0 },
        { "{\"t\": 7, \"event\": \"menu\", \"ok\": false, \"menu\": 3, \"errors\": [5, \"" ERR1 "\"]}", 6,
          "*** MENU NOT LOADED: the file has an error; the kiosk keeps ? as it was|" ERR1_SHOWN, 0 },
        { "{\"t\": 8, \"event\": \"menu\", \"ok\": true, \"sold_out\": {}, \"warnings\": 7}", 7,
          "menu updated: ?, 0 items; from car 0", 0 },
    };
#undef ERR1
#undef ERR1_SHOWN
#undef ERR2
#undef ERR2_SHOWN
    crew_view_t v;
    view_init(&v);
    run_steps(steps, sizeof steps / sizeof steps[0], &v);
    assert_string_equal(v.menu, "Burger Barn");
    assert_string_equal(v.lines.v[1], "menus/burger.yaml:12:5: \"price 3.50\" needs a colon after the key: \"price: 3.50\"");
    view_free(&v);
}

/* A lane with a speaker post: its link, the crew at its headset base, the help
 * button's page, the headset's talk button, frame errors; and the turn-taking
 * events (barge_in, missed) in words rather than raw JSON. */
static void test_post_and_turn_taking(void **state)
{
    (void)state;
    static const step_t steps[] = {
        { "{\"t\": 1, \"event\": \"state\", \"lane\": \"Lane 1\", \"menu\": \"Burger Barn\", \"taken_over\": false, "
          "\"talking\": false, \"page\": null, \"post\": \"up\", \"crew_present\": true}", 0,
          "connected to Lane 1 (Burger Barn): no car at the post; speaker post answering, crew at the headset base", 0 },
        { "{\"t\": 2, \"event\": \"post\", \"crew_present\": false}", 1, "no crew at the headset base", 0 },
        { "{\"t\": 3, \"event\": \"car\", \"car\": 1, \"state\": \"arrived\", \"by\": \"loop\"}", 2, "car 1 arrived", 0 },
        { "{\"t\": 4, \"event\": \"barge_in\", \"car\": 1}", 3,
          "car 1 customer spoke over the kiosk: it stopped to listen", 0 },
        { "{\"t\": 5, \"event\": \"barge_in\", \"car\": 1, \"false\": true}", 4,
          "car 1 nobody went on: the kiosk says it again", 0 },
        { "{\"t\": 5, \"event\": \"taken_back\", \"car\": 1, \"text\": \"A Coke. Anything else?\", \"ms\": 420}", 4,
          "car 1 kiosk stopped after 0.4 s, the customer went on or it had misheard: \"A Coke. Anything else?\"", 0 },
        { "{\"t\": 6, \"event\": \"missed\", \"car\": 1, \"reason\": \"busy\", \"audio_ms\": 1200, \"asked_again\": true}",
          5, "car 1 missed 1.2 s of speech: the recogniser was busy; asked the customer to say it again", 0 },
        { "{\"t\": 7, \"event\": \"missed\", \"car\": 1, \"reason\": \"own_voice\", \"audio_ms\": 800, "
          "\"asked_again\": false}", 6, "car 1 missed 0.8 s of speech: it was the kiosk's own voice", 0 },
        { "{\"t\": 8, \"event\": \"missed\", \"reason\": \"device\", \"audio_ms\": 450, \"asked_again\": false}", 7,
          "missed 0.5 s of speech: the microphone stopped", 0 },
        { "{\"t\": 9, \"event\": \"missed\", \"car\": 1, \"reason\": \"overrun\", \"audio_ms\": 2000, "
          "\"asked_again\": false}", 8, "car 1 missed 2.0 s of speech: samples were lost (decoded anyway)", 0 },
        { "{\"t\": 10, \"event\": \"page\", \"car\": 1, \"turn\": 0, \"reason\": \"human_request\", \"heard\": \"\", "
          "\"free_text\": \"\", \"by\": \"button\"}", 9,
          "*** PAGE car 1: asked for a person (the help button)|    ack to stop the chime; take to talk to the car", 1 },
        { "{\"t\": 11, \"event\": \"override\", \"car\": 1, \"kind\": \"talk\", \"down\": true, \"by\": \"button\"}", 10,
          "headset talk button down: the car hears you", 0 },
        { "{\"t\": 12, \"event\": \"override\", \"car\": 1, \"kind\": \"talk\", \"down\": false, \"by\": \"button\"}", 11,
          "headset talk button up", 0 },
        { "{\"t\": 13, \"event\": \"post\", \"errors\": {\"crc\": 2, \"truncated\": 0, \"duplicate\": 1}, "
          "\"post_errors\": {\"crc\": 0, \"gave_up\": 0}}", 12,
          "speaker post frame errors: at the kiosk crc 2, duplicate 1; at the post none", 0 },
        { "{\"t\": 14, \"event\": \"post\", \"car\": 1, \"link\": \"down\"}", 13,
          "*** SPEAKER POST NOT ANSWERING: cars start when the customer speaks", 0 },
        { "{\"t\": 14, \"event\": \"page\", \"car\": 1, \"turn\": 0, \"reason\": \"device_fault\", \"heard\": \"\", "
          "\"free_text\": \"\", \"detail\": \"the speaker post stopped answering\"}", 13,
          "*** PAGE car 1: equipment problem: the speaker post stopped answering|    ack to stop the chime; take to "
          "talk to the car", 1 },
        { "{\"t\": 20, \"event\": \"post\", \"link\": \"up\"}", 19, "speaker post answering: cars start at the loop", 0 },
        { "{\"t\": 21, \"event\": \"post\"}", 20, "speaker post: ?", 0 },
    };
    crew_view_t v;
    view_init(&v);
    run_steps(steps, 2, &v);
    assert_int_equal(v.post, 1);
    assert_false(v.crew_present);
    run_steps(steps + 2, 12, &v);
    assert_false(v.talking);
    run_steps(steps + 14, 2, &v);
    assert_int_equal(v.post, -1);
    assert_string_equal(v.page_text, "equipment problem: the speaker post stopped answering");
    run_steps(steps + 16, 2, &v);
    assert_int_equal(v.post, 1);
    view_free(&v);
}

/* Words for every reason the kiosk pages with; anything else is not an event
 * the station knows, and the transcript is bounded. */
static void test_words_and_bounds(void **state)
{
    (void)state;
    assert_string_equal(view_reason_words("human_request"), "asked for a person");
    assert_string_equal(view_reason_words("low_confidence"), "not sure what was said");
    assert_string_equal(view_reason_words("out_of_menu"), "didn't understand");
    assert_string_equal(view_reason_words("quantity_limit"), "large quantity");
    assert_string_equal(view_reason_words("repeated_corrections"), "keeps correcting");
    assert_string_equal(view_reason_words("no_response"), "no answer");
    assert_string_equal(view_reason_words("device_fault"), "equipment problem");
    assert_string_equal(view_reason_words("new_reason"), "new_reason");

    crew_view_t v;
    view_init(&v);
    strlist_t out = {0};
    json_t *j = json_loads("{\"ok\": \"ack\"}", 0, NULL);
    assert_int_equal(view_event(&v, j, 0, 1, &out), -1);
    json_decref(j);
    j = json_loads("{\"event\": \"fly\"}", 0, NULL);
    assert_int_equal(view_event(&v, j, 0, 1, &out), -1);
    json_decref(j);
    /* fields of the wrong type: no crash, plain placeholders */
    j = json_loads("{\"event\": \"turn\", \"car\": \"x\", \"heard\": 5, \"free_text\": null}", 0, NULL);
    assert_int_equal(view_event(&v, j, 0, 1, &out), 0);
    json_decref(j);
    assert_int_equal(out.n, 1);
    assert_string_equal(out.v[0], "customer: (no words made out), nothing from the menu");
    for (int i = 0; i < VIEW_MAX_LINES + 20; i++) {
        char line[96];
        snprintf(line, sizeof line, "{\"t\": 1, \"event\": \"car\", \"car\": %d, \"state\": \"arrived\"}", i + 1);
        j = json_loads(line, 0, NULL);
        view_event(&v, j, 0, 1, &out);
        json_decref(j);
    }
    assert_int_equal(v.lines.n, VIEW_MAX_LINES);
    assert_string_equal(v.lines.v[VIEW_MAX_LINES - 1], "car 520 arrived");
    char stamp[16];
    j = json_loads("{\"t\": 3723.5}", 0, NULL);
    view_stamp(j, stamp, sizeof stamp);
    assert_string_equal(stamp, "01:02:03");
    json_decref(j);
    j = json_loads("{}", 0, NULL);
    view_stamp(j, stamp, sizeof stamp);
    assert_string_equal(stamp, "--:--:--");
    json_decref(j);
    strlist_free(&out);
    view_free(&v);
}

int main(void)
{
    setenv("TZ", "UTC", 1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lunch_car),
        cmocka_unit_test(test_state_mid_car),
        cmocka_unit_test(test_words_and_bounds),
        cmocka_unit_test(test_menu_edits),
        cmocka_unit_test(test_post_and_turn_taking),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
