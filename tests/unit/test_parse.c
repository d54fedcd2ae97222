/* test_parse.c: words heard -> actions (src/order/parse.c), as a table.
 *
 * Each row: a menu, what the grammar heard, and the actions expected, written
 * as one line so a failure shows both sides at a glance:
 *   add ITEM qQTY [SIZE] [OPTION:AMOUNT ...] [+CHOICE ...]
 *   qty TARGET N | size TARGET SIZE | replace TARGET ITEM [SIZE] [...] | remove TARGET
 *   answer SIZE | cancel | start over | done | yes | no | human
 * joined by " | "; TARGET is an item name or "last"; "ERROR" when order_parse
 * returns -1; "" for no actions.  Run from the repository root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/order/order.h"

#include "sample_menus.h"

static const char *item_name(const menu_t *m, int i)
{
    return i >= 0 && i < m->nitems ? m->items[i].name : "last";
}

static void render_tail(const menu_t *m, const action_t *a, strbuf_t *b)
{
    if (a->size >= 0) strbuf_printf(b, " %s", m->sizes[a->size].name);
    for (int i = 0; i < a->nopts; i++)
        strbuf_printf(b, " %s:%s", m->options[a->opts[i].option].name, amount_names[a->opts[i].amount]);
    for (int i = 0; i < a->nchoices; i++) strbuf_printf(b, " +%s", m->items[a->choices[i]].name);
}

static void render(const menu_t *m, const action_t *acts, int n, strbuf_t *b)
{
    if (n < 0) {
        strbuf_append(b, "ERROR");
        return;
    }
    for (int i = 0; i < n; i++) {
        const action_t *a = &acts[i];
        if (i) strbuf_append(b, " | ");
        switch (a->kind) {
        case ACT_ADD:
            strbuf_printf(b, "add %s q%ld", item_name(m, a->item), a->qty);
            render_tail(m, a, b);
            break;
        case ACT_SET_QTY:
            strbuf_printf(b, "qty %s %ld", item_name(m, a->target), a->qty);
            break;
        case ACT_SET_SIZE:
            strbuf_printf(b, "size %s %s", item_name(m, a->target),
                          a->size >= 0 ? m->sizes[a->size].name : "?");
            break;
        case ACT_REPLACE:
            strbuf_printf(b, "replace %s %s", item_name(m, a->target), item_name(m, a->item));
            render_tail(m, a, b);
            break;
        case ACT_REMOVE:
            strbuf_printf(b, "remove %s", item_name(m, a->target));
            break;
        case ACT_CANCEL_LAST: strbuf_append(b, "cancel"); break;
        case ACT_START_OVER: strbuf_append(b, "start over"); break;
        case ACT_DONE: strbuf_append(b, "done"); break;
        case ACT_YES: strbuf_append(b, "yes"); break;
        case ACT_NO: strbuf_append(b, "no"); break;
        case ACT_SIZE:
            strbuf_printf(b, "answer %s", a->size >= 0 ? m->sizes[a->size].name : "?");
            break;
        case ACT_HUMAN: strbuf_append(b, "human"); break;
        case ACT_GREET: strbuf_append(b, "greet"); break;
        }
    }
}

#define MAXA 32

static char *parse_str(const menu_t *m, const char *heard, int max)
{
    action_t acts[MAXA];
    int n = order_parse(m, heard, acts, max);
    strbuf_t b = {0};
    render(m, acts, n, &b);
    return strbuf_steal(&b);
}

typedef struct {
    char menu;              /* 'b' burger, 'c' coffee */
    const char *heard;
    const char *expect;
} row_t;

static const row_t rows[] = {
    /* the spec's examples */
    { 'b', "two cheeseburgers no onions and a large coke",
      "add Cheeseburger q2 onions:no | add Coke q1 large" },
    { 'b', "a large coke", "add Coke q1 large" },
    { 'b', "coke", "add Coke q0" },
    { 'b', "fries", "add Fries q0" },
    { 'b', "a bacon cheeseburger", "add Cheeseburger q1 bacon:normal" },
    { 'b', "an extra cheese burger", "add Hamburger q1 cheese:extra" },
    { 'b', "cheese burger", "add Cheeseburger q0" },
    { 'b', "a cheeseburger with bacon", "add Cheeseburger q1 bacon:normal" },
    { 'b', "a hamburger without pickles", "add Hamburger q1 pickles:no" },
    { 'b', "a hamburger hold the onions", "add Hamburger q1 onions:no" },
    { 'b', "a large coffee with a lot of sugar and a bit of cream",
      "add Coffee q1 large sugar:extra cream:light" },
    { 'b', "a coffee with extra cream and sugar", "add Coffee q1 cream:extra sugar:normal" },
    { 'b', "a hamburger with lettuce and tomato", "add Hamburger q1 lettuce:normal tomato:normal" },
    { 'b', "a cheeseburger no onions and pickles", "add Cheeseburger q1 onions:no pickles:no" },
    { 'b', "a cheeseburger no onions no pickles", "add Cheeseburger q1 onions:no pickles:no" },
    { 'b', "a cheeseburger no onions and bacon", "add Cheeseburger q1 onions:no bacon:no" },
    { 'b', "a veggie burger without tomatoes and onions", "add Veggie Burger q1 tomato:no onions:no" },
    { 'b', "a cheeseburger no onions and extra bacon", "add Cheeseburger q1 onions:no bacon:extra" },
    { 'b', "a cheeseburger with bacon and no onions", "add Cheeseburger q1 bacon:normal onions:no" },
    { 'b', "a coke with no ice", "add Coke q1 ice:no" },
    { 'b', "a coke light ice", "add Coke q1 ice:light" },
    { 'b', "a number one with a sprite", "add Number One q1 +Sprite" },
    { 'b', "a number one with a sprite and a coke", "add Number One q1 +Sprite | add Coke q1" },
    { 'b', "a kids meal with milk", "add Kids Meal q1 +Milk" },
    { 'b', "two number ones", "add Number One q2" },
    { 'b', "a big stack", "add Big Stack q1" },
    { 'b', "a big stack meal", "add Number One q1" },
    { 'b', "a big coke", "add Coke q1 large" },
    { 'b', "a kids meal", "add Kids Meal q1" },
    { 'b', "kids fries", "add Fries q0 small" },
    { 'b', "an iced tea", "add Iced Tea q1" },
    { 'b', "ice tea", "add Iced Tea q0" },
    { 'b', "a double cheeseburger", "add Double Cheeseburger q1" },
    { 'b', "chicken nuggets", "add Chicken Nuggets q0" },
    { 'b', "three large fries and two small cokes", "add Fries q3 large | add Coke q2 small" },
    { 'b', "a coke and a coke", "add Coke q1 | add Coke q1" },
    { 'b', "a cheeseburger a coke", "add Cheeseburger q1 | add Coke q1" },
    { 'b', "a cheeseburger with fries", "add Cheeseburger q1 | add Fries q0" },
    { 'b', "a hamburger with cheese and bacon cheeseburger",
      "add Hamburger q1 cheese:normal | add Cheeseburger q0 bacon:normal" },
    { 'b', "a cheeseburger with bacon and cheese burger", "add Cheeseburger q1 bacon:normal | add Cheeseburger q0" },
    { 'b', "a coke large", "add Coke q1 large" },
    { 'b', "a coke large and fries", "add Coke q1 large | add Fries q0" },
    { 'b', "can i get two cheeseburgers please", "add Cheeseburger q2" },
    { 'b', "we'll have a sprite", "add Sprite q1" },
    { 'b', "one coke", "add Coke q1" },
    { 'b', "a hundred and five cokes", "add Coke q105" },
    { 'b', "eleven cheeseburgers", "add Cheeseburger q11" },
    { 'b', "eighteen thousand cheeseburgers", "add Cheeseburger q18000" },
    { 'b', "a large orange juice", "add Orange Juice q1 large" },
    { 'b', "an apple pie", "add Apple Pie q1" },
    { 'b', "Two Cheeseburgers, no onions.", "add Cheeseburger q2 onions:no" },
    { 'b', "  a   coke  ", "add Coke q1" },
    { 'b', "yes a coke", "yes | add Coke q1" },
    { 'b', "a coke that's all", "add Coke q1 | done" },
    { 'b', "a coke and that's it", "add Coke q1 | done" },
    /* changes */
    { 'b', "make that two", "qty last 2" },
    { 'b', "make it three", "qty last 3" },
    { 'b', "make that one", "qty last 1" },
    { 'b', "make that two cokes", "replace last Coke | qty last 2" },
    { 'b', "make that two large cokes", "replace last Coke large | qty last 2" },
    { 'b', "make the coke two sprites", "replace Coke Sprite | qty last 2" },
    { 'b', "make the coke two cokes", "qty Coke 2" },
    { 'b', "make the coke two large cokes", "qty Coke 2 | size Coke large" },
    { 'b', "no cheese burger", "remove Cheeseburger" },
    { 'b', "actually no cheese burger", "remove Cheeseburger" },
    { 'b', "no ice tea", "remove Iced Tea" },
    { 'b', "no onion cheeseburger", "add Cheeseburger q0 onions:no" },
    { 'b', "make it two large", "qty last 2 | size last large" },
    { 'b', "make it a large", "size last large" },
    { 'b', "make that a large", "size last large" },
    { 'b', "make them large", "size last large" },
    { 'b', "make the fries large", "size Fries large" },
    { 'b', "make the coke a large", "size Coke large" },
    { 'b', "make the fries two", "qty Fries 2" },
    { 'b', "actually make the coke a sprite", "replace Coke Sprite" },
    { 'b', "make the coke a large sprite", "replace Coke Sprite large" },
    { 'b', "make that a large coke", "replace last Coke large" },
    { 'b', "make it a number one with a sprite", "replace last Number One +Sprite" },
    { 'b', "no actually make the coke a sprite", "no | replace Coke Sprite" },
    { 'b', "remove the fries", "remove Fries" },
    { 'b', "remove fries", "remove Fries" },
    { 'b', "remove that", "remove last" },
    { 'b', "no fries", "remove Fries" },
    { 'b', "no the fries", "remove Fries" },
    { 'b', "take off the fries", "remove Fries" },
    { 'b', "take the fries off", "remove Fries" },
    { 'b', "cancel the cokes", "remove Coke" },
    { 'b', "cancel that", "cancel" },
    { 'b', "start over", "start over" },
    { 'b', "actually start over", "start over" },
    /* closings, answers */
    { 'b', "that's all", "done" },
    { 'b', "that's it", "done" },
    { 'b', "nothing else", "done" },
    { 'b', "no thanks", "done" },
    { 'b', "no that's all", "done" },
    { 'b', "that's all thank you", "done" },
    { 'b', "yes", "yes" },
    { 'b', "yeah", "yes" },
    { 'b', "yes please", "yes" },
    { 'b', "no", "no" },
    { 'b', "nope", "no" },
    { 'b', "large", "answer large" },
    { 'b', "a medium", "answer medium" },
    { 'b', "regular please", "answer medium" },
    /* people */
    { 'b', "manager", "human" },
    { 'b', "i want to talk to a real person", "human" },
    { 'b', "two cheeseburgers and a manager", "human" },
    { 'b', "crew member", "human" },
    { 'b', "help", "human" },
    { 'b', "a coke blah blah speak to someone", "human" },
    /* what cannot be placed */
    { 'b', "", "" },
    { 'b', "   ", "" },
    { 'b', "blah", "ERROR" },
    { 'b', "and", "ERROR" },
    { 'b', "and and and", "ERROR" },
    { 'b', "please", "ERROR" },
    { 'b', "can i get", "ERROR" },
    { 'b', "the", "ERROR" },
    { 'b', "with", "ERROR" },
    { 'b', "two", "ERROR" },
    { 'b', "two large", "ERROR" },
    { 'b', "zero cheeseburgers", "ERROR" },
    { 'b', "2 cheeseburgers", "ERROR" },
    { 'b', "a cheeseburger and blah", "ERROR" },
    { 'b', "no onions", "ERROR" },
    { 'b', "extra cheese", "ERROR" },
    { 'b', "a coke with bacon", "ERROR" },
    { 'b', "a bacon coke", "ERROR" },
    { 'b', "a large cheeseburger", "ERROR" },
    { 'b', "a cheeseburger no onions extra onions", "ERROR" },
    { 'b', "a number one with fries", "ERROR" },
    { 'b', "a number one with a large coke", "ERROR" },
    { 'b', "a number one no onions", "ERROR" },
    { 'b', "a coke with", "ERROR" },
    { 'b', "actually a sprite", "ERROR" },
    { 'b', "make the burger no onions", "ERROR" },
    { 'b', "make it", "ERROR" },
    { 'b', "make the", "ERROR" },
    { 'b', "remove", "ERROR" },
    { 'b', "remove the", "ERROR" },
    { 'b', "take the fries", "ERROR" },
    { 'b', "a latte", "ERROR" },
    /* the coffee menu: its own amounts, sizes and carriers */
    { 'c', "a large dark roast latte", "add Latte q1 large dark roast:normal" },
    { 'c', "a latte with an extra shot", "add Latte q1 extra shot:normal" },
    { 'c', "a grande latte with a splash of oat milk", "add Latte q1 medium oat milk:light" },
    { 'c', "a venti mocha with a lot of whipped cream", "add Mocha q1 large whipped cream:extra" },
    { 'c', "a bagel skip the cream cheese", "add Bagel q1 cream cheese:no" },
    /* size and options before the item in any order; the longest phrase first */
    { 'c', "a dark roast large latte", "add Latte q1 large dark roast:normal" },
    { 'c', "an oat milk large dark roast latte", "add Latte q1 large oat milk:normal dark roast:normal" },
    { 'c', "a large dark roast large latte", "ERROR" },
    { 'c', "a large latte with oat milk and with sugar", "add Latte q1 large oat milk:normal sugar:normal" },
    /* fillers between phrases are no part of the order */
    { 'c', "um can i get uh a large latte and so a mocha", "add Latte q1 large | add Mocha q1" },
    { 'c', "okay", "ERROR" },
    /* words the search added over noise: refused, so the turn pages */
    { 'c', "give me a sugar sugar latte", "ERROR" },
    { 'c', "a latte with sugar and sugar", "ERROR" },
    { 'c', "an iced coffee latte", "ERROR" },
    { 'c', "a latte large mocha", "ERROR" },
    { 'c', "a latte a mocha", "add Latte q1 | add Mocha q1" },
    { 'c', "a latte and mocha", "add Latte q1 | add Mocha q0" },
    { 'c', "a coffee", "add Drip Coffee q1" },
    { 'c', "two coffees", "add Drip Coffee q2" },
    { 'c', "a coffee and pastry with a muffin", "add Coffee And Pastry q1 +Blueberry Muffin" },
    { 'c', "a coffee and a muffin", "add Drip Coffee q1 | add Blueberry Muffin q1" },
    { 'c', "i'll get a tall americano with double sugar", "add Americano q1 small sugar:extra" },
    { 'c', "banana bread", "add Banana Bread q0" },
    { 'c', "a large coke", "ERROR" },
    /* greetings: alone a turn of their own, before an order nothing */
    { 'b', "hello", "greet" },
    { 'b', "hi there", "greet" },
    { 'b', "good morning please", "greet" },
    { 'b', "hi can i get a coke", "add Coke q1" },
    { 'b', "hello um a large coke", "add Coke q1 large" },
    { 'b', "um", "ERROR" },
    { 'b', "hello pizza", "ERROR" },
};

static void test_table(void **state)
{
    menus_t *ms = *state;
    int bad = 0;
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        const menu_t *m = rows[i].menu == 'c' ? ms->coffee : ms->burger;
        char *got = parse_str(m, rows[i].heard, MAXA);
        if (strcmp(got, rows[i].expect) != 0) {
            fprintf(stderr, "row %zu \"%s\":\n   got: %s\n  want: %s\n", i, rows[i].heard, got,
                     rows[i].expect);
            bad++;
        }
        free(got);
    }
    if (bad) fail_msg("%d of %zu rows differ", bad, sizeof rows / sizeof rows[0]);
}

/* Bad and big input: never a crash, never a guessed line. */
static void test_bad_input(void **state)
{
    menus_t *ms = *state;
    const menu_t *m = ms->burger;
    action_t acts[MAXA];
    char *got;

    assert_int_equal(order_parse(m, NULL, acts, MAXA), 0);

    /* 1000 repetitions: more actions than fit is refused as a whole */
    strbuf_t b = {0};
    for (int i = 0; i < 1000; i++) strbuf_append(&b, "a coke and ");
    assert_int_equal(order_parse(m, strbuf_cstr(&b), acts, MAXA), -1);
    strbuf_reset(&b);

    /* ... but fillers do not count */
    strbuf_append(&b, "a coke");
    for (int i = 0; i < 1000; i++) strbuf_append(&b, " please");
    got = parse_str(m, strbuf_cstr(&b), MAXA);
    assert_string_equal(got, "add Coke q1");
    free(got);
    strbuf_reset(&b);

    /* one word a hundred thousand letters long */
    for (int i = 0; i < 100000; i++) strbuf_append(&b, "x");
    assert_int_equal(order_parse(m, strbuf_cstr(&b), acts, MAXA), -1);
    strbuf_reset(&b);

    /* 10000 words, all known but making no sense together */
    for (int i = 0; i < 10000; i++) strbuf_append(&b, "with ");
    assert_int_equal(order_parse(m, strbuf_cstr(&b), acts, MAXA), -1);
    strbuf_reset(&b);

    /* control characters and bytes above 127 separate words or are unknown */
    assert_int_equal(order_parse(m, "a\tcoke\n", acts, MAXA), 1);
    assert_int_equal(order_parse(m, "a co\xc3\xa9ke", acts, MAXA), -1);

    /* max is respected */
    assert_int_equal(order_parse(m, "a coke and a sprite", acts, 1), -1);
    assert_int_equal(order_parse(m, "a coke and a sprite", acts, 2), 2);
    assert_int_equal(order_parse(m, "manager", acts, 0), -1);

    /* a huge quantity is read, not capped: the dialog pages */
    got = parse_str(m, "nine hundred ninety nine thousand nine hundred ninety nine cokes", MAXA);
    assert_string_equal(got, "add Coke q999999");
    free(got);
    strbuf_free(&b);
}

/* Sizes that begin with a number word ("twelve ounce"), as the real coffee
 * orders have them: the size, not a quantity of twelve. */
static void test_number_sizes(void **state)
{
    (void)state;
    static const char yaml[] =
        "menu: Ounces\n"
        "sizes:\n  8 oz: [eight ounce]\n  12 oz: [twelve ounce]\n  large: [large]\n"
        "items:\n"
        "  - {name: Latte, say: [latte], sizes: {8 oz: 3, 12 oz: 3.5, large: 4},"
        " options: [dark roast, double shot]}\n"
        "options:\n  - {name: dark roast}\n  - {name: double shot}\n";
    strlist_t errs = {0};
    menu_t *m = menu_parse(yaml, strlen(yaml), "ounces.yaml", &errs);
    for (int i = 0; i < errs.n; i++) fprintf(stderr, "%s\n", errs.v[i]);
    strlist_free(&errs);
    assert_non_null(m);
    static const struct { const char *heard, *expect; } rows[] = {
        { "i want twelve ounce dark roast latte", "add Latte q0 12 oz dark roast:normal" },
        { "a double shot twelve ounce latte", "add Latte q1 12 oz double shot:normal" },
        { "an eight ounce latte", "add Latte q1 8 oz" },
        { "two twelve ounce lattes", "add Latte q2 12 oz" },
        { "twelve lattes", "add Latte q12" },
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        char *got = parse_str(m, rows[i].heard, MAXA);
        if (strcmp(got, rows[i].expect) != 0)
            fail_msg("\"%s\"\n   got: %s\n  want: %s", rows[i].heard, got, rows[i].expect);
        free(got);
    }
    menu_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_number_sizes),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
