/* test_order.c: the order model, prices, JSON and how lines are said
 * (src/order/order.c).  Run from the repository root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/order/order.h"

static int setup(void **state)
{
    strlist_t errs = {0};
    menu_t *m = menu_load("menus/burger.yaml", &errs);
    for (int i = 0; i < errs.n; i++) fprintf(stderr, "%s\n", errs.v[i]);
    strlist_free(&errs);
    if (!m) return -1;
    *state = m;
    return 0;
}

static int teardown(void **state)
{
    menu_free(*state);
    return 0;
}

static int item(const menu_t *m, const char *name)
{
    int i = menu_item_find(m, name);
    if (i < 0) fail_msg("no item %s", name);
    return i;
}

static int size(const menu_t *m, const char *name)
{
    int s = menu_size_find(m, name);
    if (s < 0) fail_msg("no size %s", name);
    return s;
}

static amount_t amount(const char *name)
{
    for (int a = 0; a < AMOUNT_COUNT; a++)
        if (strcmp(amount_names[a], name) == 0) return (amount_t)a;
    fail_msg("no amount %s", name);
    return AMOUNT_NORMAL;
}

/* A line from text: "Cheeseburger 2 - onions:no bacon:extra +Sprite"
 * (item, qty, size or "-", options, choices). */
static int add_line(order_t *o, const char *spec)
{
    const menu_t *m = o->menu;
    strlist_t w = {0};
    split_words(spec, &w);
    /* the item name may have several words: up to the first number */
    strbuf_t name = {0};
    int i = 0;
    while (i < w.n && (w.v[i][0] < '0' || w.v[i][0] > '9')) {
        if (name.len) strbuf_append(&name, " ");
        strbuf_append(&name, w.v[i++]);
    }
    assert_true(i + 1 < w.n);
    int l = order_add(o, item(m, strbuf_cstr(&name)), atol(w.v[i]), 1);
    if (strcmp(w.v[i + 1], "-") != 0) o->lines[l].size = size(m, w.v[i + 1]);
    for (int k = i + 2; k < w.n; k++) {
        /* names with a space are written with '_' here */
        for (char *p = w.v[k]; *p; p++)
            if (*p == '_') *p = ' ';
        if (w.v[k][0] == '+') {
            int c = item(m, w.v[k] + 1);
            const menu_item_t *it = &m->items[o->lines[l].item];
            for (int j = 0; j < it->nchoose; j++)
                if (o->lines[l].choice[j] < 0) {
                    o->lines[l].choice[j] = c;
                    break;
                }
            continue;
        }
        char *colon = strchr(w.v[k], ':');
        assert_non_null(colon);
        *colon = '\0';
        int opt = menu_option_find(m, w.v[k]);
        if (opt < 0) fail_msg("no option %s", w.v[k]);
        order_set_option(o, l, opt, amount(colon + 1));
    }
    strbuf_free(&name);
    strlist_free(&w);
    return l;
}

/* ---- prices and speech of one line ---- */

static const struct {
    const char *line;
    long unit, cents;
    const char *say;
} lines[] = {
    { "Cheeseburger 2 - onions:no", 349, 698, "two cheeseburgers, no onions" },
    { "Coke 1 large", 209, 209, "a large Coke" },
    { "Coke 1 -", 0, 0, "a Coke" },                          /* still waiting for a size */
    { "Fries 3 small", 179, 537, "three small fries" },
    { "Number One 1 - +Sprite", 899, 899, "a Number One with a Sprite" },
    { "Number One 2 - +Iced_Tea", 899, 1798, "two number ones with an Iced Tea" },
    { "Kids Meal 1 -", 499, 499, "a Kids Meal" },
    /* a non-default option: its price when added, twice when extra */
    { "Hamburger 1 - bacon:normal", 399, 399, "a Hamburger with bacon" },
    { "Hamburger 1 - bacon:extra", 499, 499, "a Hamburger, extra bacon" },
    { "Hamburger 1 - bacon:light", 399, 399, "a Hamburger, light bacon" },
    { "Hamburger 1 - cheese:normal bacon:normal", 449, 449, "a Hamburger with cheese and bacon" },
    /* a default option: extra costs its price once, off costs nothing back */
    { "Cheeseburger 1 - cheese:extra", 399, 399, "a Cheeseburger, extra cheese" },
    { "Cheeseburger 1 - cheese:no", 349, 349, "a Cheeseburger, no cheese" },
    { "Cheeseburger 1 - cheese:light", 349, 349, "a Cheeseburger, light cheese" },
    /* no change: normal on a default, no on a non-default */
    { "Cheeseburger 1 - cheese:normal bacon:no", 349, 349, "a Cheeseburger" },
    { "Cheeseburger 1 - onions:no pickles:no bacon:extra lettuce:normal", 549, 549,
      "a Cheeseburger with lettuce, no onions, no pickles, extra bacon" },
    { "Sundae 10 - nuts:normal", 279, 2790, "ten sundaes with nuts" },
    { "Apple Pie 1 -", 129, 129, "an Apple Pie" },
    { "Orange Juice 1 small", 199, 199, "a small Orange Juice" },
    { "Coke 21 medium ice:no", 179, 3759, "twenty one medium cokes, no ice" },
};

static void test_lines(void **state)
{
    const menu_t *m = *state;
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        order_t o;
        order_init(&o, m);
        int l = add_line(&o, lines[i].line);
        strbuf_t say = {0};
        order_line_say(&o, l, &say);
        if (order_line_unit_cents(&o, l) != lines[i].unit || order_line_cents(&o, l) != lines[i].cents ||
            strcmp(strbuf_cstr(&say), lines[i].say) != 0)
            fail_msg("\"%s\": got %ld/%ld \"%s\", want %ld/%ld \"%s\"", lines[i].line,
                     order_line_unit_cents(&o, l), order_line_cents(&o, l), strbuf_cstr(&say),
                     lines[i].unit, lines[i].cents, lines[i].say);
        strbuf_free(&say);
        order_free(&o);
    }
}

/* ---- whole orders: JSON exactly as the spec's "order" object ---- */

static const struct {
    const char *lines[4];
    order_status_t status;
    const char *json;
} orders[] = {
    { { "Cheeseburger 2 - onions:no", "Coke 1 large" }, ORDER_OPEN,
      "{\"status\": \"open\", \"lines\": [{\"item\": \"Cheeseburger\", \"qty\": 2, \"size\": null, "
      "\"options\": [{\"name\": \"onions\", \"amount\": \"no\"}], \"choices\": {}, \"unit_cents\": 349, "
      "\"cents\": 698}, {\"item\": \"Coke\", \"qty\": 1, \"size\": \"large\", \"options\": [], "
      "\"choices\": {}, \"unit_cents\": 209, \"cents\": 209}], \"subtotal_cents\": 907, "
      "\"tax_cents\": 75, \"total_cents\": 982}" },
    { { NULL }, ORDER_OPEN,
      "{\"status\": \"open\", \"lines\": [], \"subtotal_cents\": 0, \"tax_cents\": 0, \"total_cents\": 0}" },
    { { "Number One 1 - +Sprite" }, ORDER_CONFIRMED,
      "{\"status\": \"confirmed\", \"lines\": [{\"item\": \"Number One\", \"qty\": 1, \"size\": null, "
      "\"options\": [], \"choices\": {\"drink\": \"Sprite\"}, \"unit_cents\": 899, \"cents\": 899}], "
      "\"subtotal_cents\": 899, \"tax_cents\": 74, \"total_cents\": 973}" },
    /* options in the order of the menu's options: list, not as said */
    { { "Hamburger 1 - bacon:extra onions:no ketchup:light" }, ORDER_CREW,
      "{\"status\": \"crew\", \"lines\": [{\"item\": \"Hamburger\", \"qty\": 1, \"size\": null, "
      "\"options\": [{\"name\": \"onions\", \"amount\": \"no\"}, {\"name\": \"ketchup\", \"amount\": "
      "\"light\"}, {\"name\": \"bacon\", \"amount\": \"extra\"}], \"choices\": {}, \"unit_cents\": 499, "
      "\"cents\": 499}], \"subtotal_cents\": 499, \"tax_cents\": 41, \"total_cents\": 540}" },
    /* a combo still waiting for its drink, a sized item waiting for a size */
    { { "Number One 1 -", "Chicken Nuggets 1 -" }, ORDER_CANCELLED,
      "{\"status\": \"cancelled\", \"lines\": [{\"item\": \"Number One\", \"qty\": 1, \"size\": null, "
      "\"options\": [], \"choices\": {}, \"unit_cents\": 899, \"cents\": 899}, {\"item\": \"Chicken "
      "Nuggets\", \"qty\": 1, \"size\": null, \"options\": [], \"choices\": {}, \"unit_cents\": 0, "
      "\"cents\": 0}], \"subtotal_cents\": 899, \"tax_cents\": 74, \"total_cents\": 973}" },
};

static void test_json(void **state)
{
    const menu_t *m = *state;
    for (size_t i = 0; i < sizeof orders / sizeof orders[0]; i++) {
        order_t o;
        order_init(&o, m);
        for (int k = 0; k < 4 && orders[i].lines[k]; k++) add_line(&o, orders[i].lines[k]);
        o.status = orders[i].status;
        strbuf_t j = {0};
        order_json(&o, &j);
        if (strcmp(strbuf_cstr(&j), orders[i].json) != 0)
            fail_msg("order %zu:\n   got %s\n  want %s", i, strbuf_cstr(&j), orders[i].json);
        strbuf_free(&j);
        order_free(&o);
    }
}

/* Tax is rounded half up, from the subtotal. */
static void test_tax(void **state)
{
    menu_t *m = *state;
    static const struct {
        int tax_bp;
        const char *line;
        long subtotal, tax;
    } rows[] = {
        { 825, "Cheeseburger 2 - onions:no", 698, 58 },   /* 57.585 */
        { 50, "Water 1 -", 100, 1 },                      /* 0.5: half up */
        { 49, "Water 1 -", 100, 0 },                      /* 0.49 */
        { 0, "Water 10 -", 1000, 0 },
        { 825, "Cookie 1 -", 99, 8 },                     /* 8.1675 */
        { 10000, "Cookie 3 -", 297, 297 },                /* 100 % */
        { 700, "Water 5 -", 500, 35 },
    };
    int saved = m->tax_bp;
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        m->tax_bp = rows[i].tax_bp;
        order_t o;
        order_init(&o, m);
        add_line(&o, rows[i].line);
        assert_int_equal(order_subtotal_cents(&o), rows[i].subtotal);
        if (order_tax_cents(&o) != rows[i].tax)
            fail_msg("row %zu: tax %ld, want %ld", i, order_tax_cents(&o), rows[i].tax);
        assert_int_equal(order_total_cents(&o), rows[i].subtotal + rows[i].tax);
        order_free(&o);
    }
    m->tax_bp = saved;
}

static void test_money_say(void **state)
{
    (void)state;
    static const struct {
        long cents;
        const char *say;
    } rows[] = {
        { 982, "$9.82" }, { 0, "$0.00" }, { 5, "$0.05" }, { 100, "$1.00" },
        { 123456, "$1234.56" }, { -250, "-$2.50" },
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        strbuf_t b = {0};
        order_money_say(rows[i].cents, &b);
        assert_string_equal(strbuf_cstr(&b), rows[i].say);
        strbuf_free(&b);
    }
}

/* add, remove, clear, copy; what a line still needs. */
static void test_model(void **state)
{
    const menu_t *m = *state;
    order_t o, c;
    order_init(&o, m);
    order_init(&c, m);
    assert_int_equal(o.nlines, 0);
    assert_int_equal(o.status, ORDER_OPEN);
    assert_string_equal(order_status_names[ORDER_CREW], "crew");

    int l0 = order_add(&o, item(m, "Chicken Nuggets"), 1, 1);
    int l1 = order_add(&o, item(m, "Number One"), 1, 2);
    int l2 = order_add(&o, item(m, "Cheeseburger"), 2, 2);
    assert_int_equal(l0, 0);
    assert_int_equal(l2, 2);
    assert_int_equal(o.lines[l1].turn, 2);
    assert_int_equal(o.lines[l0].size, -1);
    assert_true(order_line_needs_size(&o, l0));
    assert_false(order_line_needs_size(&o, l1));
    assert_false(order_line_needs_size(&o, l2));
    assert_int_equal(order_line_needs_choice(&o, l1), 0);
    assert_int_equal(order_line_needs_choice(&o, l2), -1);
    o.lines[l1].choice[0] = item(m, "Coke");
    assert_int_equal(order_line_needs_choice(&o, l1), -1);
    o.lines[l0].size = size(m, "small");
    assert_false(order_line_needs_size(&o, l0));

    /* the copy is deep */
    order_set_option(&o, l2, menu_option_find(m, "onions"), AMOUNT_NO);
    order_copy(&c, &o);
    order_set_option(&o, l2, menu_option_find(m, "onions"), AMOUNT_NORMAL);
    assert_int_equal(c.nlines, 3);
    assert_int_equal(c.lines[2].amount[menu_option_find(m, "onions")], AMOUNT_NO);
    assert_int_equal(o.lines[2].amount[menu_option_find(m, "onions")], -1);
    assert_int_equal(order_subtotal_cents(&c), 249 + 899 + 698);

    /* copying over an order with lines replaces them */
    order_copy(&o, &c);
    order_copy(&o, &o);
    assert_int_equal(o.nlines, 3);

    order_remove(&o, 1);
    assert_int_equal(o.nlines, 2);
    assert_string_equal(m->items[o.lines[1].item].name, "Cheeseburger");
    /* out of range: nothing happens */
    order_remove(&o, 5);
    order_remove(&o, -1);
    order_set_option(&o, 9, 0, AMOUNT_NO);
    order_set_option(&o, 0, 9999, AMOUNT_NO);
    order_set_option(&o, 0, -1, AMOUNT_NO);
    order_set_option(&o, 0, 0, (amount_t)17);
    assert_int_equal(o.nlines, 2);
    assert_int_equal(order_line_cents(&o, 7), 0);
    assert_false(order_line_needs_size(&o, -3));
    assert_int_equal(order_line_needs_choice(&o, 40), -1);

    /* many lines */
    for (int i = 0; i < 1000; i++) order_add(&o, item(m, "Water"), 1, 3);
    assert_int_equal(o.nlines, 1002);
    assert_int_equal(order_subtotal_cents(&o), 249 + 698 + 100000);
    order_clear(&o);
    assert_int_equal(o.nlines, 0);
    assert_int_equal(order_total_cents(&o), 0);
    o.status = ORDER_CREW;
    order_clear(&o);
    assert_int_equal(o.status, ORDER_CREW);

    order_free(&o);
    order_free(&c);
    order_free(&o);    /* twice is harmless */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lines),
        cmocka_unit_test(test_json),
        cmocka_unit_test(test_tax),
        cmocka_unit_test(test_money_say),
        cmocka_unit_test(test_model),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
