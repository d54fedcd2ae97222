/* test_turnshape.c: complete, unfinished or unsure (src/dialog/turnshape.c)
 * on the sample menus, as rows of words and the shape expected; and the
 * trailing silence each shape gets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "../../src/dialog/dialog.h"
#include "../../src/dialog/turnshape.h"
#include "sample_menus.h"

#define C TURN_COMPLETE
#define U TURN_UNFINISHED
#define Q TURN_UNSURE

typedef struct {
    const char *words;
    turn_shape_t want;
} row_t;

/* menus/burger.yaml, no question pending. */
static const row_t burger[] = {
    /* whole sentences */
    {"a cheeseburger", C},
    {"cheeseburger", C},
    {"two cheeseburgers", C},
    {"can i get a number two", C},
    {"a number one", C},
    {"number three meal", C},
    {"a big stack", C},
    {"big stack burger", C},
    {"can i get a large coke", C},
    {"a large coke please", C},
    {"a coke large", C},
    {"i'd like two double cheeseburgers and a large fries", C},
    {"a chicken sandwich", C},
    {"a hamburger with cheese", C},
    {"a hamburger with extra pickles", C},
    {"a cheeseburger no onions", C},
    {"a cheeseburger without onions and pickles", C},
    {"a coke with ice", C},
    {"nuggets with barbecue", C},
    {"a number one with a sprite", C},
    {"let me get a vanilla shake", C},
    {"give me a water", C},
    {"we'll have two hot fudge sundaes", C},
    {"yes", C},
    {"yeah", C},
    {"yes please", C},
    {"no", C},
    {"nope", C},
    {"no thanks", C},
    {"that's all", C},
    {"that's it", C},
    {"that is all thank you", C},
    {"that'll be all", C},
    {"nothing else", C},
    {"i'm good", C},
    {"make it a large", C},
    {"make that two", C},
    {"make the coke a sprite", C},
    {"make the fries large", C},
    {"remove the fries", C},
    {"take off the coke", C},
    {"no fries", C},
    {"cancel that", C},
    {"start over", C},
    {"can i talk to a manager", C},
    {"i need help", C},
    {"a real person", C},
    {"help", C},
    {"A Cheeseburger, please!", C},
    /* unfinished: a lead with nothing after it */
    {"can i get", U},
    {"can i", U},
    {"i'd like", U},
    {"i would like", U},
    {"give me", U},
    {"let me get", U},
    {"let me", U},
    {"i want", U},
    {"i need", U},
    {"could i have", U},
    {"can we get", U},
    {"can i talk to", U},
    {"i'd like to speak to", U},
    {"make it", U},
    {"make that", U},
    {"make", U},
    {"make the coke", U},
    {"remove", U},
    {"remove the", U},
    {"take off", U},
    {"cancel", U},
    {"start", U},
    {"actually", U},
    /* ... an article, a joining word, an amount */
    {"a", U},
    {"can i get a", U},
    {"i'd like an", U},
    {"a cheeseburger and", U},
    {"a cheeseburger and a", U},
    {"two cheeseburgers and the", U},
    {"a hamburger with", U},
    {"a hamburger with extra", U},
    {"a hamburger with a little", U},
    {"a hamburger with a little bit of", U},
    {"a hamburger without", U},
    {"a hamburger hold the", U},
    {"a coke with lots", U},
    {"a coke or", U},
    {"yes and", U},
    {"and", U},
    {"with", U},
    /* ... "no" after an item */
    {"a cheeseburger no", U},
    {"a double cheeseburger with lettuce no", U},
    /* ... a number or a size with no item */
    {"two", U},
    {"can i get two", U},
    {"a cheeseburger and two", U},
    {"a large", U},
    {"large", U},
    {"can i get a large", U},
    {"two large", U},
    {"a coke and a medium", U},
    {"a big", U},
    {"a kids", U},
    /* ... a begun item or option */
    {"number", U},
    {"a number", U},
    {"can i get a number", U},
    {"a chicken", U},
    {"a double", U},
    {"a double cheese", U},
    {"a diet", U},
    {"a root", U},
    {"a chocolate", U},
    {"a large chocolate", U},
    {"a cheese", U},
    {"an orange", U},
    {"french", U},
    {"a hot fudge", U},
    {"nuggets with honey", U},
    {"a coke and a fish", U},
    /* ... a filler */
    {"um", U},
    {"a cheeseburger um", U},
    {"can i get uh", U},
    {"let's see", U},
    {"hi", U},
    {"hello", U},
    /* neither */
    {"", Q},
    {"please", Q},
    {"do you have tacos", Q},
    {"a taco", Q},
    {"a large hamburger", Q},
    {"coke coke", Q},
    {"a large cheeseburger", Q},              /* wrong words, not unfinished */
    {"what", Q},
    {"that's", Q},
    {"a coke okay", C},                     /* the free search hears these at the end of turns */
    {"fries is", Q},
    {"can i get a number to", Q},
    {"that number two", Q},
};

/* menus/coffee.yaml: its own amounts ("a splash of", "double"), sizes and carriers. */
static const row_t coffee[] = {
    {"a large latte", C},
    {"a venti latte with oat milk", C},
    {"i'll get a grande cappuccino", C},
    {"a latte with a splash of oat milk", C},
    {"a latte with", U},
    {"a latte with a splash of", U},
    {"a latte with a splash", U},
    {"a latte with oat", U},
    {"i'll get", U},
    {"could we get", U},
    {"a venti", U},
    {"a double", U},
    {"a latte skip the", U},
};

static void run_rows(const menu_t *m, const row_t *rows, size_t n, const menu_ask_t *ask)
{
    int bad = 0;
    for (size_t i = 0; i < n; i++) {
        turn_shape_t got = ask ? turn_shape_hearing(m, ask, rows[i].words, "") : turn_shape(m, rows[i].words);
        if (got != rows[i].want) {
            fprintf(stderr, "\"%s\": %s, want %s\n", rows[i].words, turn_shape_names[got],
                    turn_shape_names[rows[i].want]);
            bad++;
        }
    }
    if (bad) fail_msg("%d of %zu rows differ", bad, n);
}

static void test_burger(void **state)
{
    menus_t *ms = *state;
    run_rows(ms->burger, burger, sizeof burger / sizeof burger[0], NULL);
}

static void test_coffee(void **state)
{
    menus_t *ms = *state;
    run_rows(ms->coffee, coffee, sizeof coffee / sizeof coffee[0], NULL);
}

/* After "What size?" a size alone is the answer; anything else as ever. */
static void test_size_answer(void **state)
{
    menus_t *ms = *state;
    static const row_t rows[] = {
        {"large", C}, {"a large", C}, {"a large please", C}, {"um a medium", C}, {"big", C},
        {"make it a large", C}, {"a large coke", C},
        {"a", U}, {"two large", U}, {"can i get a large", U}, {"a large and", U},
    };
    menu_ask_t q = { MENU_ASK_SIZE, menu_item_find(ms->burger, "Coke"), 0 };
    run_rows(ms->burger, rows, sizeof rows / sizeof rows[0], &q);
    menu_ask_t yn = { MENU_ASK_YESNO, -1, 0 };
    static const row_t yesno[] = { {"yes", C}, {"no", C}, {"a large", U} };
    run_rows(ms->burger, yesno, sizeof yesno / sizeof yesno[0], &yn);
}

/* The grammar's words always make a sentence; the free search's say when it
 * was cut short. */
static void test_hearing(void **state)
{
    menus_t *ms = *state;
    const menu_t *m = ms->burger;
    static const struct {
        const char *heard, *free_text;
        turn_shape_t want;
    } rows[] = {
        {"can i get coke", "can i get", U},
        {"i'd like a ice tea", "i'd like to", U},
        {"two cheeseburgers i'm done", "two cheeseburgers and", U},
        {"a cheeseburger with cheese", "cheeseburger with", U},
        {"a double cheeseburger no cheese", "double cheeseburger know", C},
        {"an large", "large", U},
        {"make it a large", "we get a large", C},   /* the same end: the grammar's reading */
        {"a cheeseburger", "but cheeseburger and", U},
        {"", "can i get", U},
        {"", "can i talk to a manager", C},         /* an early result: a request for a person */
        {"", "can i talk to", U},
        {"a cheeseburger", "cheeseburger", C},
        {"that is all", "this old", C},
        {"yes", "yes", C},
        {"", "do you sell tacos", Q},
        {"", "", Q},
        {NULL, NULL, Q},
        {"a cheeseburger", NULL, C},
    };
    int bad = 0;
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        turn_shape_t got = turn_shape_hearing(m, NULL, rows[i].heard, rows[i].free_text);
        if (got != rows[i].want) {
            fprintf(stderr, "\"%s\" / \"%s\": %s, want %s\n", rows[i].heard ? rows[i].heard : "(null)",
                    rows[i].free_text ? rows[i].free_text : "(null)", turn_shape_names[got],
                    turn_shape_names[rows[i].want]);
            bad++;
        }
    }
    if (bad) fail_msg("%d rows differ", bad);
}

/* Speech after an answer said ahead: an answer to it only after a welcome
 * that was in the air long enough; otherwise the customer goes on. */
static void test_ahead_answered(void **state)
{
    (void)state;
    assert_int_equal(turn_ahead_answered(1, TURN_AHEAD_HEARD_MS), 1);
    assert_int_equal(turn_ahead_answered(1, 2000), 1);
    assert_int_equal(turn_ahead_answered(1, TURN_AHEAD_HEARD_MS - 1), 0);
    assert_int_equal(turn_ahead_answered(0, 2000), 0);   /* "can i get ... a number two" */
    assert_int_equal(turn_ahead_answered(0, 0), 0);
}

/* Which turns' answers are said ahead of the turn's end: all but the
 * plainly unfinished, and a greeting alone though it is unfinished. */
static void test_says_ahead(void **state)
{
    menus_t *ms = *state;
    const menu_t *m = ms->burger;
    static const struct {
        const char *heard, *free_text;
        int want;
    } rows[] = {
        {"a cheeseburger", "cheeseburger", 1},
        {"can i get coke", "can i get", 0},
        {"", "do you sell tacos", 1},             /* unsure: its answer is a page or a question */
        {"", "hello", 1},                         /* a greeting alone: the welcome */
        {"", "hello can i get", 1},               /* still the greeting alone to the parser: the
                                                     welcome, and what follows a new turn */
        {"", "hello a cheeseburger and", 0},      /* a greeting and an order to come */
        {"", "can i talk to", 0},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        turn_shape_t shape = turn_shape_hearing(m, NULL, rows[i].heard, rows[i].free_text);
        int got = turn_says_ahead(shape, dialog_greeting_only(m, rows[i].free_text));
        if (got != rows[i].want)
            fail_msg("\"%s\" / \"%s\" (%s): said ahead %d, want %d", rows[i].heard, rows[i].free_text,
                     turn_shape_names[shape], got, rows[i].want);
    }
    assert_int_equal(turn_says_ahead(TURN_UNFINISHED, 0), 0);
    assert_int_equal(turn_says_ahead(TURN_UNFINISHED, 1), 1);
    assert_int_equal(turn_says_ahead(TURN_COMPLETE, 0), 1);
    assert_int_equal(turn_says_ahead(TURN_UNSURE, 0), 1);
}

static void test_trailing(void **state)
{
    (void)state;
    static const struct {
        turn_shape_t shape;
        double conf;
        int def, want;
    } rows[] = {
        {TURN_COMPLETE, 1.0, 700, TURN_QUICK_MS},
        {TURN_COMPLETE, TURN_QUICK_CONFIDENCE, 700, TURN_QUICK_MS},
        {TURN_COMPLETE, TURN_QUICK_CONFIDENCE - 0.01, 700, TURN_UNSURE_MS},
        {TURN_COMPLETE, 0.0, 700, TURN_UNSURE_MS},
        {TURN_COMPLETE, 1.0, 200, 200},          /* never longer than the default when quick */
        {TURN_UNFINISHED, 1.0, 700, TURN_WAIT_MS},
        {TURN_UNFINISHED, 0.0, 700, TURN_WAIT_MS},
        {TURN_UNFINISHED, 0.5, 2000, 2000},      /* never shorter than the default otherwise */
        {TURN_UNSURE, 1.0, 700, TURN_UNSURE_MS},
        {TURN_UNSURE, 0.0, 500, TURN_UNSURE_MS},
        {TURN_UNSURE, 0.0, 3000, 3000},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        assert_int_equal(turn_trailing_ms(rows[i].shape, rows[i].conf, rows[i].def), rows[i].want);
    assert_true(TURN_QUICK_MS < 700 && TURN_UNSURE_MS > 1000 && TURN_WAIT_MS >= TURN_UNSURE_MS);
    assert_string_equal(turn_shape_names[TURN_UNFINISHED], "unfinished");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_burger),
        cmocka_unit_test(test_coffee),
        cmocka_unit_test(test_size_answer),
        cmocka_unit_test(test_hearing),
        cmocka_unit_test(test_trailing),
        cmocka_unit_test(test_ahead_answered),
        cmocka_unit_test(test_says_ahead),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
