/* test_menu.c: the menu loader (src/menu/menu.c).
 *
 * A table of broken menus, each with the exact lines menu_parse() must
 * report (all of them, in order): these are what a manager reads, so their
 * wording is part of the contract.  Then the sample menus, loaded for real
 * and checked value by value, and the small helpers (plurals, words,
 * lookups).  Run from the repository root (menus/ is read). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../src/menu/lexicon.h"
#include "../../src/menu/menu.h"

#define MAX_ERRS 6

typedef struct {
    const char *name;
    const char *yaml;
    const char *errs[MAX_ERRS];   /* every line expected, NULL-terminated */
} bad_menu_t;

static const bad_menu_t bad_menus[] = {
    { "syntax_bad_indent",
      "menu: T\n"
      "items:\n"
      "  - name: A\n"
      "   price: 1\n",
      { "t.yaml:4:4: this line is not lined up with the list above it; indent \"price:\" to column 5 like \"name:\" on line 3 (a new entry starts with \"- \" at column 3)" } },
    { "syntax_unclosed_quote",
      "menu: T\n"
      "items:\n"
      "  - name: \"Fries\n",
      { "t.yaml:3:11: the quote \" opened here is never closed; add a closing \" at the end of the value" } },
    { "syntax_truncated_flow",
      "menu: T\n"
      "items: [\n",
      { "t.yaml:2:8: this \"[\" is never closed; add \"]\" at the end of the list" } },
    { "syntax_tab_indent",
      "menu: T\n"
      "items:\n"
      "\t- name: A\n",
      { "t.yaml:3:1: this line is indented with a tab; indent with spaces only" } },
    /* The manager's common mistakes, each at the line to fix (issue 16, item 6). */
    { "syntax_missing_colon",
      "menu: T\n"
      "items:\n"
      "  - name: A\n"
      "    price 3.50\n"
      "    say: [a]\n",
      { "t.yaml:4:5: \"price 3.50\" needs a colon after the key: \"price: 3.50\"" } },
    { "syntax_missing_colon_last_line",
      "menu: T\n"
      "items:\n"
      "  - name: A\n"
      "    price 3.50\n",
      { "t.yaml:4:5: \"price 3.50\" needs a colon after the key: \"price: 3.50\"" } },
    { "syntax_missing_colon_top",
      "menu T\n"
      "items:\n"
      "  - name: A\n",
      { "t.yaml:1:1: \"menu T\" needs a colon after the key: \"menu: T\"" } },
    { "syntax_missing_colon_entry",
      "menu: T\n"
      "items:\n"
      "  - name A\n"
      "    price: 1\n",
      { "t.yaml:3:5: \"name A\" needs a colon after the key: \"name: A\"" } },
    { "syntax_colon_in_value",
      "menu: T\n"
      "items:\n"
      "  - name: A: B\n"
      "    price: 1\n",
      { "t.yaml:3:11: \"A: B\" has \": \" in it, which YAML reads as another key; put the value in quotes: name: \"A: B\"" } },
    { "syntax_indented_too_far",
      "menu: T\n"
      "items:\n"
      "  - name: A\n"
      "     price: 1\n",
      { "t.yaml:4:6: this line is indented more than the line above it; line \"price:\" up with \"name:\" (column 5)" } },
    { "syntax_top_key_indented",
      "menu: T\n"
      " items:\n"
      "  - name: A\n",
      { "t.yaml:2:2: this line is indented more than the line above it; line \"items:\" up with \"menu:\" (column 1)" } },
    { "syntax_key_without_dash",
      "menu: T\n"
      "items:\n"
      "  - name: A\n"
      "    price: 1\n"
      "  name: B\n",
      { "t.yaml:5:3: \"name: B\" is lined up with the \"- \" entries of the list above (line 3) but does not start with \"- \"; write \"- name: B\" for a new entry, or indent it to column 5 to belong to the entry above" } },
    { "syntax_dash_among_keys",
      "menu: T\n"
      "sizes:\n"
      "  small: [s]\n"
      "  - large\n"
      "items:\n"
      "  - name: A\n",
      { "t.yaml:4:3: a \"- \" entry cannot stand among keys such as \"small:\" (line 3); write it as a key like the lines above, or make every line a \"- \" entry" } },
    { "syntax_dash_not_lined_up",
      "menu: T\n"
      "items:\n"
      "  - name: A\n"
      "    price: 1\n"
      " - name: B\n"
      "   price: 2\n",
      { "t.yaml:5:2: this line is not lined up with the list above it; line up its \"-\" with the \"-\" on line 3 (column 3)" } },
    { "syntax_key_between_columns",
      "menu: T\n"
      "sizes:\n"
      "  small: [s]\n"
      "  large: [l]\n"
      "items:\n"
      "  - name: A\n"
      "    sizes:\n"
      "      small: 1\n"
      "     large: 2\n",
      { "t.yaml:9:6: \"large:\" is not lined up with the keys above it; move it to column 7 (like \"small:\" on line 8) or column 5 (like \"name:\" on line 6)" } },
    { "syntax_tab_inside",
      "menu: T\n"
      "items:\n"
      "  - name: A\n"
      "\tprice: 1\n",
      { "t.yaml:4:1: this line is indented with a tab; indent with spaces only" } },
    { "syntax_unclosed_single_quote",
      "menu: T\n"
      "items:\n"
      "  - name: 'Fries\n"
      "    price: 1\n"
      "  - name: B\n",
      { "t.yaml:3:11: the quote ' opened here is never closed; add a closing ' at the end of the value" } },
    { "syntax_text_after_quote",
      "menu: T\n"
      "items:\n"
      "  - name: \"A\" B\n",
      { "t.yaml:3:15: there is text after the closing quote; put the whole value inside the quotes" } },
    { "syntax_unclosed_bracket",
      "menu: T\n"
      "items:\n"
      "  - name: A\n"
      "    say: [a, b\n"
      "    price: 1\n",
      { "t.yaml:4:10: this \"[\" is never closed; add \"]\" at the end of the list" } },
    { "syntax_unclosed_brace",
      "menu: T\n"
      "items:\n"
      "  - name: A\n"
      "    sizes: {small: 1, large: 2\n"
      "  - name: B\n",
      { "t.yaml:4:12: this \"{\" is never closed; add \"}\" at the end of the map" } },
    { "syntax_missing_comma",
      "menu: T\n"
      "items:\n"
      "  - name: A\n"
      "    say: [a, \"b\" c]\n",
      { "t.yaml:4:18: separate the entries with \", \" and end the list with \"]\" (put an entry that has a comma or a colon in quotes)" } },
    { "syntax_bad_start_char",
      "menu: T\n"
      "items:\n"
      "  - name: @A\n",
      { "t.yaml:3:11: a value cannot start with \"@\"; put the value in quotes" } },
    { "syntax_fallback",   /* anything else: plain words, libyaml's context never shown */
      "menu: T\n"
      "items: ]\n",
      { "t.yaml:2:8: this line cannot be read; check its indentation (spaces only, lined up with the lines above), the colon after each key, and that every quote and bracket is closed" } },
    { "syntax_bad_utf8",
      "menu: T\n"
      "items:\n"
      "  - name: A\377\n"
      "    price: 1\n",
      { "t.yaml:3:12: not plain text: invalid leading UTF-8 octet (0xFF); save the file as UTF-8 text" } },
    { "syntax_undefined_alias",
      "menu: T\n"
      "items:\n"
      "  - *nope\n",
      { "t.yaml:3:5: a value cannot start with \"*\"; put the value in quotes" } },
    { "empty_file",
      "",
      { "t.yaml:1:1: the file is empty; write at least menu: and items:" } },
    { "only_comments",
      "# nothing yet\n",
      { "t.yaml:1:1: the file is empty; write at least menu: and items:" } },
    { "top_is_list",
      "- menu: T\n",
      { "t.yaml:1:1: the file is a list; write keys such as menu: and items:, one per line" } },
    { "second_document",
      "menu: T\n"
      "items:\n"
      "  - name: A\n"
      "    price: 1\n"
      "---\n"
      "menu: U\n",
      { "t.yaml:5:1: a second document; a file holds one menu, so remove this \"---\" and what follows or merge it" } },
    /* A known key in the wrong place says where it belongs (issue 16, item 6). */
    { "misplaced_pronunciations_under_item",
      "menu: T\n"
      "items:\n"
      "  - name: A\n"
      "    price: 1\n"
      "    pronunciations:\n"
      "      a: AH\n",
      { "t.yaml:5:5: \"pronunciations\" belongs at the top level of the menu, not under an item" } },
    { "misplaced_item_key_at_top",
      "menu: T\n"
      "defaults: [a]\n"
      "items:\n"
      "  - name: A\n"
      "    price: 1\n",
      { "t.yaml:2:1: \"defaults\" belongs under an item, not at the top level of the menu" } },
    { "misplaced_price_at_top",
      "menu: T\n"
      "price: 1\n"
      "items:\n"
      "  - name: A\n"
      "    price: 1\n",
      { "t.yaml:2:1: \"price\" belongs under an item or under an option, not at the top level of the menu" } },
    { "misplaced_amount_at_top",
      "menu: T\n"
      "extra: [lots]\n"
      "items:\n"
      "  - name: A\n"
      "    price: 1\n",
      { "t.yaml:2:1: \"extra\" belongs under amounts:, not at the top level of the menu" } },
    { "misplaced_item_key_under_option",
      "menu: T\n"
      "items:\n"
      "  - name: A\n"
      "    price: 1\n"
      "options:\n"
      "  - name: onions\n"
      "    available: false\n",
      { "t.yaml:7:5: \"available\" belongs under an item, not under an option" } },
    { "unknown_top_key",
      "menu: T\n"
      "prise: 3\n"
      "items:\n"
      "  - name: A\n"
      "    price: 1\n",
      { "t.yaml:2:1: unknown key \"prise\" (keys of a menu: menu, currency, tax_percent, max_quantity, sizes, amounts, carriers, items, options, pronunciations, human)" } },
    { "unknown_item_key_prise",
      "menu: T\n"
      "items:\n"
      "  - name: A\n"
      "    prise: 1\n",
      { "t.yaml:4:5: unknown key \"prise\"; did you mean \"price\"? (keys of an item: name, say, price, sizes, default_size, options, defaults, includes, choose, available)" } },
    { "unknown_option_key",
      "menu: T\n"
      "items:\n"
      "  - name: A\n"
      "    price: 1\n"
      "options:\n"
      "  - name: bacon\n"
      "    cost: 1\n",
      { "t.yaml:7:5: unknown key \"cost\" (keys of an option: name, say, price)" } },
    { "unknown_key_case",
      "menu: T\n"
      "items:\n"
      "  - name: A\n"
      "    Price: 1\n",
      { "t.yaml:4:5: unknown key \"Price\"; did you mean \"price\"? (keys of an item: name, say, price, sizes, default_size, options, defaults, includes, choose, available)" } },
    { "missing_menu_and_items",
      "currency: USD\n",
      { "t.yaml:1:1: no menu: key; add the name shown on the order board, e.g. menu: Burger Barn",
        "t.yaml:1:1: no items: key; add the list of what customers can order, starting with items:" } },
    { "misspelt_items_once",
      "menu: T\n"
      "item:\n"
      "  - name: A\n"
      "    price: 1\n",
      { "t.yaml:2:1: unknown key \"item\"; did you mean \"items\"? (keys of a menu: menu, currency, tax_percent, max_quantity, sizes, amounts, carriers, items, options, pronunciations, human)" } },
    { "duplicate_key",
      "menu: T\n"
      "items:\n"
      "  - name: A\n"
      "    price: 1\n"
      "    price: 2\n",
      { "t.yaml:5:5: item \"A\": key \"price\" is given twice (first at line 4); keep one" } },
    { "duplicate_top_key",
      "menu: T\n"
      "menu: U\n"
      "items:\n"
      "  - name: A\n"
      "    price: 1\n",
      { "t.yaml:2:1: key \"menu\" is given twice (first at line 1); keep one" } },
    { "key_not_a_word",
      "menu: T\n"
      "? [a, b]\n"
      ": 1\n"
      "items:\n"
      "  - name: A\n"
      "    price: 1\n",
      { "t.yaml:2:3: a key is a list; write a word followed by \":\"" } },
    { "menu_is_list",
      "menu: [a, b]\n"
      "items:\n"
      "  - name: A\n"
      "    price: 1\n",
      { "t.yaml:1:7: menu: is a list; write the name shown on the order board, e.g. menu: Burger Barn" } },
    { "items_is_map",
      "menu: T\n"
      "items:\n"
      "  name: A\n"
      "  price: 1\n",
      { "t.yaml:3:3: items: is a map; write a list of items, each starting with \"- name:\"" } },
    { "items_empty_list",
      "menu: T\n"
      "items: []\n",
      { "t.yaml:2:8: items: is empty; add at least one item, e.g. - name: Fries" } },
    { "items_null",
      "menu: T\n"
      "items:\n",
      { "t.yaml:2:7: items: is empty; write a list of items, each starting with \"- name:\"" } },
    { "item_is_list",
      "menu: T\n"
      "items:\n"
      "  - [A, 1]\n",
      { "t.yaml:3:5: items: entry 1 is a list; write an item with keys such as name:, say: and price:" } },
    { "item_is_scalar",
      "menu: T\n"
      "items:\n"
      "  - Fries\n",
      { "t.yaml:3:5: items: entry 1 is a single value; write an item with keys such as name:, say: and price:" } },
    { "say_is_scalar",
      "menu: T\n"
      "items:\n"
      "  - name: Fries\n"
      "    say: fries\n"
      "    price: 1\n",
      { "t.yaml:4:10: item \"Fries\": say: is a single value; write a list of how customers say it, e.g. say: [fries, french fries]" } },
    { "say_entry_is_map",
      "menu: T\n"
      "items:\n"
      "  - name: Fries\n"
      "    say: [{fries: 1}]\n"
      "    price: 1\n",
      { "t.yaml:4:11: item \"Fries\": say: entry 1 is a map; write a phrase" } },
    { "options_top_is_scalar",
      "menu: T\n"
      "items:\n"
      "  - name: A\n"
      "    price: 1\n"
      "    options: [onions]\n"
      "options: onions\n",
      { "t.yaml:6:10: options: is a single value; write a list of options, each starting with \"- name:\"" } },
    { "sizes_top_is_list",
      "menu: T\n"
      "sizes: [small, large]\n"
      "items:\n"
      "  - name: Fries\n"
      "    sizes: {small: 1}\n",
      { "t.yaml:2:8: sizes: is a list; write each size and how customers say it, e.g. sizes: {small: [small, kids], large: [large, big]}" } },
    { "item_sizes_is_list",
      "menu: T\n"
      "sizes: {small: [small]}\n"
      "items:\n"
      "  - name: Fries\n"
      "    sizes: [small]\n",
      { "t.yaml:5:12: item \"Fries\": sizes: is a list; write a price for each size, e.g. sizes: {small: 1.79, large: 2.79}" } },
    { "price_abc",
      "menu: T\n"
      "items:\n"
      "  - name: A\n"
      "    price: abc\n",
      { "t.yaml:4:12: item \"A\": price \"abc\" is not a number; write it like 3.49" } },
    { "price_negative",
      "menu: T\n"
      "items:\n"
      "  - name: A\n"
      "    price: -1\n",
      { "t.yaml:4:12: item \"A\": price \"-1\" is negative; write an amount like 3.49" } },
    { "price_three_decimals",
      "menu: T\n"
      "items:\n"
      "  - name: A\n"
      "    price: 1.234\n",
      { "t.yaml:4:12: item \"A\": price \"1.234\" has more than 2 decimals; write it like 3.49" } },
    { "price_huge",
      "menu: T\n"
      "items:\n"
      "  - name: A\n"
      "    price: 99999999999999999999999\n",
      { "t.yaml:4:12: item \"A\": price \"99999999999999999999999\" is too large (at most 100000)" } },
    { "price_dollar",
      "menu: T\n"
      "items:\n"
      "  - name: A\n"
      "    price: $3.49\n",
      { "t.yaml:4:12: item \"A\": price \"$3.49\" is not a number; write it without the currency sign, like 3.49" } },
    { "price_comma",
      "menu: T\n"
      "items:\n"
      "  - name: A\n"
      "    price: 3,49\n",
      { "t.yaml:4:12: item \"A\": price \"3,49\" is not a number; write it with a point and no commas, like 3.49" } },
    { "price_empty",
      "menu: T\n"
      "items:\n"
      "  - name: A\n"
      "    price:\n",
      { "t.yaml:4:11: item \"A\": price is empty; write an amount like 3.49" } },
    { "price_list",
      "menu: T\n"
      "items:\n"
      "  - name: A\n"
      "    price: [1]\n",
      { "t.yaml:4:12: item \"A\": price is a list; write an amount like 3.49" } },
    { "price_no_leading_digit",
      "menu: T\n"
      "items:\n"
      "  - name: A\n"
      "    price: .5\n",
      { "t.yaml:4:12: item \"A\": price \".5\" is not a number; write it like 3.49" } },
    { "price_trailing_point",
      "menu: T\n"
      "items:\n"
      "  - name: A\n"
      "    price: 5.\n",
      { "t.yaml:4:12: item \"A\": price \"5.\" is not a number; write it like 3.49" } },
    { "price_exponent",
      "menu: T\n"
      "items:\n"
      "  - name: A\n"
      "    price: 1e3\n",
      { "t.yaml:4:12: item \"A\": price \"1e3\" is not a number; write it like 3.49" } },
    { "size_price_bad",
      "menu: T\n"
      "sizes: {small: [small]}\n"
      "items:\n"
      "  - name: Fries\n"
      "    sizes: {small: cheap}\n",
      { "t.yaml:5:20: item \"Fries\": small price \"cheap\" is not a number; write it like 3.49" } },
    { "option_price_bad",
      "menu: T\n"
      "items:\n"
      "  - name: A\n"
      "    price: 1\n"
      "options:\n"
      "  - name: bacon\n"
      "    price: 1.005\n",
      { "t.yaml:7:12: option \"bacon\": price \"1.005\" has more than 2 decimals; write it like 0.50" } },
    { "tax_three_decimals",
      "menu: T\n"
      "tax_percent: 8.255\n"
      "items:\n"
      "  - name: A\n"
      "    price: 1\n",
      { "t.yaml:2:14: tax_percent \"8.255\" has more than 2 decimals; write it like 8.25" } },
    { "tax_over_100",
      "menu: T\n"
      "tax_percent: 101\n"
      "items:\n"
      "  - name: A\n"
      "    price: 1\n",
      { "t.yaml:2:14: tax_percent \"101\" is too large (at most 100)" } },
    { "tax_negative",
      "menu: T\n"
      "tax_percent: -1\n"
      "items:\n"
      "  - name: A\n"
      "    price: 1\n",
      { "t.yaml:2:14: tax_percent \"-1\" is negative; write an amount like 8.25" } },
    { "tax_percent_sign",
      "menu: T\n"
      "tax_percent: 8.25%\n"
      "items:\n"
      "  - name: A\n"
      "    price: 1\n",
      { "t.yaml:2:14: tax_percent \"8.25%\" is not a number; write it without the % sign, like 8.25" } },
    { "max_quantity_zero",
      "menu: T\n"
      "max_quantity: 0\n"
      "items:\n"
      "  - name: A\n"
      "    price: 1\n",
      { "t.yaml:2:15: max_quantity \"0\" must be at least 1; write it like 10" } },
    { "max_quantity_negative",
      "menu: T\n"
      "max_quantity: -1\n"
      "items:\n"
      "  - name: A\n"
      "    price: 1\n",
      { "t.yaml:2:15: max_quantity \"-1\" must be at least 1; write it like 10" } },
    { "max_quantity_fraction",
      "menu: T\n"
      "max_quantity: 2.5\n"
      "items:\n"
      "  - name: A\n"
      "    price: 1\n",
      { "t.yaml:2:15: max_quantity \"2.5\" is not a whole number; write it like 10" } },
    { "max_quantity_huge",
      "menu: T\n"
      "max_quantity: 99999999999999999999999\n"
      "items:\n"
      "  - name: A\n"
      "    price: 1\n",
      { "t.yaml:2:15: max_quantity \"99999999999999999999999\" is too large (at most 99)" } },
    { "max_quantity_word",
      "menu: T\n"
      "max_quantity: ten\n"
      "items:\n"
      "  - name: A\n"
      "    price: 1\n",
      { "t.yaml:2:15: max_quantity \"ten\" is not a whole number; write it like 10" } },
    { "currency_lower",
      "menu: T\n"
      "currency: usd\n"
      "items:\n"
      "  - name: A\n"
      "    price: 1\n",
      { "t.yaml:2:11: currency: \"usd\" is not a currency code; write three capital letters, e.g. USD" } },
    { "available_not_bool",
      "menu: T\n"
      "items:\n"
      "  - name: A\n"
      "    price: 1\n"
      "    available: maybe\n",
      { "t.yaml:5:16: item \"A\": available: must be true or false, not \"maybe\"" } },
    { "available_list",
      "menu: T\n"
      "items:\n"
      "  - name: A\n"
      "    price: 1\n"
      "    available: [no]\n",
      { "t.yaml:5:16: item \"A\": available: is a list; write true or false" } },
    { "item_no_name",
      "menu: T\n"
      "items:\n"
      "  - say: [fries]\n"
      "    price: 1\n",
      { "t.yaml:3:5: items: entry 1 has no name:; add one, e.g. - name: Cheeseburger" } },
    { "item_name_twice",
      "menu: T\n"
      "items:\n"
      "  - name: Fries\n"
      "    price: 1\n"
      "  - name: Fries\n"
      "    say: [chips]\n"
      "    price: 2\n",
      { "t.yaml:5:11: item name \"Fries\" is used twice (first at line 3); give each item its own name" } },
    { "item_name_slash",
      "menu: T\n"
      "items:\n"
      "  - name: Fries/Chips\n"
      "    price: 1\n",
      { "t.yaml:3:11: item name \"Fries/Chips\" must not contain \"/\" (it separates an item from its size, as in Fries/medium)" } },
    { "item_name_two_lines",
      "menu: T\n"
      "items:\n"
      "  - name: \"Fries\\nChips\"\n"
      "    price: 1\n",
      { "t.yaml:3:11: item name must be on one line" } },
    { "item_price_and_sizes",
      "menu: T\n"
      "sizes: {small: [small]}\n"
      "items:\n"
      "  - name: Coke\n"
      "    price: 1\n"
      "    sizes: {small: 1}\n",
      { "t.yaml:6:12: item \"Coke\": has both price: and sizes:; keep price: for one price or sizes: for a price per size" } },
    { "item_no_price",
      "menu: T\n"
      "items:\n"
      "  - name: Pie\n",
      { "t.yaml:3:5: item \"Pie\": has no price:; add price: (e.g. price: 3.49) or sizes: (e.g. sizes: {small: 1.79, large: 2.79})" } },
    { "size_not_in_menu",
      "menu: T\n"
      "sizes:\n"
      "  small:  [small]\n"
      "  medium: [medium]\n"
      "  large:  [large]\n"
      "items:\n"
      "  - name: Fries\n"
      "    sizes: {small: 1.79, jumbo: 2.29}\n",
      { "t.yaml:8:26: item \"Fries\": size \"jumbo\" is not in the menu's sizes (small, medium, large)" } },
    { "size_but_menu_has_none",
      "menu: T\n"
      "items:\n"
      "  - name: Fries\n"
      "    sizes: {small: 1}\n"
      "    default_size: small\n",
      { "t.yaml:4:13: item \"Fries\": size \"small\" is not in the menu's sizes (there are none; add sizes: at the top of the file)" } },
    { "item_sizes_empty",
      "menu: T\n"
      "sizes: {small: [small]}\n"
      "items:\n"
      "  - name: Fries\n"
      "    sizes: {}\n",
      { "t.yaml:5:12: item \"Fries\": sizes: is empty; write a price for each size, e.g. sizes: {small: 1.79, large: 2.79}" } },
    { "default_size_not_sold",
      "menu: T\n"
      "sizes: {small: [small], large: [large]}\n"
      "items:\n"
      "  - name: Juice\n"
      "    sizes: {small: 1}\n"
      "    default_size: large\n",
      { "t.yaml:6:19: item \"Juice\": default_size \"large\" is not one of its sizes (small)" } },
    { "default_size_without_sizes",
      "menu: T\n"
      "items:\n"
      "  - name: Tea\n"
      "    price: 1\n"
      "    default_size: small\n",
      { "t.yaml:5:19: item \"Tea\": default_size: needs sizes:; remove it or give the item sizes:" } },
    { "option_unknown_suggested",
      "menu: T\n"
      "items:\n"
      "  - name: A\n"
      "    price: 1\n"
      "    options: [katchup]\n"
      "options:\n"
      "  - name: ketchup\n",
      { "t.yaml:5:15: item \"A\": option \"katchup\" is not in the menu's options; did you mean \"ketchup\"?" } },
    { "option_unknown",
      "menu: T\n"
      "items:\n"
      "  - name: A\n"
      "    price: 1\n"
      "    options: [gravy]\n"
      "options:\n"
      "  - name: ketchup\n",
      { "t.yaml:5:15: item \"A\": option \"gravy\" is not in the menu's options; add it to the options: list" } },
    { "option_none_in_menu",
      "menu: T\n"
      "items:\n"
      "  - name: A\n"
      "    price: 1\n"
      "    options: [gravy]\n",
      { "t.yaml:5:15: item \"A\": option \"gravy\" is not in the menu's options; add it to the options: list" } },
    { "default_not_in_item_options",
      "menu: T\n"
      "items:\n"
      "  - name: A\n"
      "    price: 1\n"
      "    options: [ketchup]\n"
      "    defaults: [bacon]\n"
      "options:\n"
      "  - name: ketchup\n"
      "  - name: bacon\n",
      { "t.yaml:6:16: item \"A\": default \"bacon\" is not in its options; add it to its options: too" } },
    { "default_not_in_menu",
      "menu: T\n"
      "items:\n"
      "  - name: A\n"
      "    price: 1\n"
      "    defaults: [gravy]\n"
      "options:\n"
      "  - name: ketchup\n",
      { "t.yaml:5:16: item \"A\": default \"gravy\" is not in the menu's options; add it to the options: list" } },
    { "default_unknown_reported_once",
      "menu: T\n"
      "items:\n"
      "  - name: A\n"
      "    price: 1\n"
      "    options: [gravy]\n"
      "    defaults: [gravy]\n"
      "options:\n"
      "  - name: ketchup\n",
      { "t.yaml:5:15: item \"A\": option \"gravy\" is not in the menu's options; add it to the options: list" } },
    { "option_no_name",
      "menu: T\n"
      "items:\n"
      "  - name: A\n"
      "    price: 1\n"
      "options:\n"
      "  - price: 1\n",
      { "t.yaml:6:5: options: entry 1 has no name:; add one, e.g. - name: bacon" } },
    { "option_name_twice",
      "menu: T\n"
      "items:\n"
      "  - name: A\n"
      "    price: 1\n"
      "options:\n"
      "  - name: bacon\n"
      "  - name: bacon\n"
      "    say: [streaky bacon]\n",
      { "t.yaml:7:11: option name \"bacon\" is used twice (first at line 6); give each option its own name" } },
    { "option_is_scalar",
      "menu: T\n"
      "items:\n"
      "  - name: A\n"
      "    price: 1\n"
      "options:\n"
      "  - bacon\n",
      { "t.yaml:6:5: options: entry 1 is a single value; write an option with keys such as name: and price:" } },
    { "includes_unknown_suggested",
      "menu: T\n"
      "items:\n"
      "  - name: Big Stack\n"
      "    price: 5\n"
      "  - name: Meal\n"
      "    price: 8\n"
      "    includes: [Big Stak]\n",
      { "t.yaml:7:16: item \"Meal\": includes \"Big Stak\": no item is named \"Big Stak\"; did you mean \"Big Stack\"?" } },
    { "includes_unknown",
      "menu: T\n"
      "items:\n"
      "  - name: Meal\n"
      "    price: 8\n"
      "    includes: [Pizza]\n",
      { "t.yaml:5:16: item \"Meal\": includes \"Pizza\": no item is named \"Pizza\"; add it to items: or fix the spelling" } },
    { "includes_sized_without_size",
      "menu: T\n"
      "sizes: {small: [small], medium: [medium]}\n"
      "items:\n"
      "  - name: Fries\n"
      "    sizes: {small: 1, medium: 2}\n"
      "    default_size: medium\n"
      "  - name: Meal\n"
      "    price: 8\n"
      "    includes: [Fries]\n",
      { "t.yaml:9:16: item \"Meal\": includes \"Fries\": \"Fries\" comes in sizes (small, medium); write one, e.g. \"Fries/medium\"" } },
    { "includes_size_on_unsized",
      "menu: T\n"
      "items:\n"
      "  - name: Water\n"
      "    price: 1\n"
      "  - name: Meal\n"
      "    price: 8\n"
      "    includes: [Water/large]\n",
      { "t.yaml:7:16: item \"Meal\": includes \"Water/large\": \"Water\" has no sizes; write \"Water\"" } },
    { "includes_size_not_in_menu",
      "menu: T\n"
      "sizes: {small: [small]}\n"
      "items:\n"
      "  - name: Fries\n"
      "    sizes: {small: 1}\n"
      "  - name: Meal\n"
      "    price: 8\n"
      "    includes: [Fries/jumbo]\n",
      { "t.yaml:8:16: item \"Meal\": includes \"Fries/jumbo\": size \"jumbo\" is not in the menu's sizes (small)" } },
    { "includes_size_not_sold",
      "menu: T\n"
      "sizes: {small: [small], large: [large]}\n"
      "items:\n"
      "  - name: Fries\n"
      "    sizes: {small: 1}\n"
      "  - name: Meal\n"
      "    price: 8\n"
      "    includes: [Fries/large]\n",
      { "t.yaml:8:16: item \"Meal\": includes \"Fries/large\": \"Fries\" is not sold in large (its sizes: small)" } },
    { "includes_itself",
      "menu: T\n"
      "items:\n"
      "  - name: Meal\n"
      "    price: 8\n"
      "    includes: [Meal]\n",
      { "t.yaml:5:16: item \"Meal\": includes \"Meal\": an item cannot contain itself; remove it" } },
    { "includes_a_meal",
      "menu: T\n"
      "items:\n"
      "  - name: Water\n"
      "    price: 1\n"
      "  - name: Meal\n"
      "    price: 8\n"
      "    includes: [Deal]\n"
      "  - name: Deal\n"
      "    price: 9\n"
      "    includes: [Water]\n",
      { "t.yaml:7:16: item \"Meal\": includes \"Deal\": \"Deal\" is itself a meal (it has includes: or choose:); list single items" } },
    { "includes_is_scalar",
      "menu: T\n"
      "items:\n"
      "  - name: Water\n"
      "    price: 1\n"
      "  - name: Meal\n"
      "    price: 8\n"
      "    includes: Water\n",
      { "t.yaml:7:15: item \"Meal\": includes: is a single value; write a list of items, e.g. includes: [Big Stack, Fries/medium]" } },
    { "choose_with_size",
      "menu: T\n"
      "sizes: {small: [small]}\n"
      "items:\n"
      "  - name: Coke\n"
      "    sizes: {small: 1}\n"
      "  - name: Meal\n"
      "    price: 8\n"
      "    choose:\n"
      "      drink: [Coke/small]\n",
      { "t.yaml:9:15: item \"Meal\": choose \"drink\": \"Coke/small\" has a size; write the item's name only, the kiosk asks for the size" } },
    { "choose_unknown_suggested",
      "menu: T\n"
      "items:\n"
      "  - name: Sprite\n"
      "    price: 1\n"
      "  - name: Meal\n"
      "    price: 8\n"
      "    choose:\n"
      "      drink: [Sprit]\n",
      { "t.yaml:8:15: item \"Meal\": choose \"drink\": no item is named \"Sprit\"; did you mean \"Sprite\"?" } },
    { "choose_empty",
      "menu: T\n"
      "items:\n"
      "  - name: Meal\n"
      "    price: 8\n"
      "    choose:\n"
      "      drink: []\n",
      { "t.yaml:6:14: item \"Meal\": choose \"drink\" is empty; write a list of items, e.g. drink: [Coke, Sprite]" } },
    { "choose_not_a_list",
      "menu: T\n"
      "items:\n"
      "  - name: Coke\n"
      "    price: 1\n"
      "  - name: Meal\n"
      "    price: 8\n"
      "    choose:\n"
      "      drink: Coke\n",
      { "t.yaml:8:14: item \"Meal\": choose \"drink\" is a single value; write a list of items, e.g. drink: [Coke, Sprite]" } },
    { "choose_is_list",
      "menu: T\n"
      "items:\n"
      "  - name: Coke\n"
      "    price: 1\n"
      "  - name: Meal\n"
      "    price: 8\n"
      "    choose: [Coke]\n",
      { "t.yaml:7:13: item \"Meal\": choose: is a list; write each choice and its items, e.g. choose: {drink: [Coke, Sprite]}" } },
    { "say_upper_case",
      "menu: T\n"
      "items:\n"
      "  - name: Fries\n"
      "    say: [French Fries]\n"
      "    price: 1\n",
      { "t.yaml:4:11: item \"Fries\": phrase \"French Fries\" has upper case; write it in lower case: \"french fries\"" } },
    { "say_digit",
      "menu: T\n"
      "items:\n"
      "  - name: Meal\n"
      "    say: [number 1]\n"
      "    price: 1\n",
      { "t.yaml:4:11: item \"Meal\": phrase \"number 1\" has a digit; write numbers as words, e.g. \"number one\"" } },
    { "say_hyphen",
      "menu: T\n"
      "items:\n"
      "  - name: Coke\n"
      "    say: [coca-cola]\n"
      "    price: 1\n",
      { "t.yaml:4:11: item \"Coke\": phrase \"coca-cola\" has \"-\"; use only lower-case letters, apostrophes and spaces" } },
    { "say_accent",
      "menu: T\n"
      "items:\n"
      "  - name: Cafe\n"
      "    say: [caf\303\251]\n"
      "    price: 1\n",
      { "t.yaml:4:11: item \"Cafe\": phrase \"caf\303\251\" has \"\303\251\"; use only lower-case letters, apostrophes and spaces" } },
    { "say_no_letters",
      "menu: T\n"
      "items:\n"
      "  - name: A\n"
      "    say: [\"'\"]\n"
      "    price: 1\n",
      { "t.yaml:4:11: item \"A\": phrase \"'\" has a word without letters; use only lower-case letters, apostrophes and spaces" } },
    { "say_empty_phrase",
      "menu: T\n"
      "items:\n"
      "  - name: A\n"
      "    say: [\"  \"]\n"
      "    price: 1\n",
      { "t.yaml:4:11: item \"A\": an empty phrase; remove it or write how customers say it" } },
    { "say_empty_list",
      "menu: T\n"
      "items:\n"
      "  - name: A\n"
      "    say: []\n"
      "    price: 1\n",
      { "t.yaml:4:10: item \"A\": say: is empty; write a list of how customers say it, e.g. say: [fries, french fries]" } },
    { "name_not_sayable_digit",
      "menu: T\n"
      "items:\n"
      "  - name: Number 1\n"
      "    price: 1\n",
      { "t.yaml:3:11: item \"Number 1\": add say: with how customers say it, numbers as words (the name has a digit)" } },
    { "name_not_sayable_ampersand",
      "menu: T\n"
      "items:\n"
      "  - name: Coffee & Pastry\n"
      "    price: 1\n",
      { "t.yaml:3:11: item \"Coffee & Pastry\": add say: with how customers say it (the name has \"&\", which cannot be spoken)" } },
    { "option_name_not_sayable",
      "menu: T\n"
      "items:\n"
      "  - name: A\n"
      "    price: 1\n"
      "options:\n"
      "  - name: 2% milk\n",
      { "t.yaml:6:11: option \"2% milk\": add say: with how customers say it (the name has \"%\", which cannot be spoken)" } },
    { "phrase_names_two_items",
      "menu: T\n"
      "items:\n"
      "  - name: Coke\n"
      "    price: 1\n"
      "  - name: Diet Coke\n"
      "    say: [diet coke, coke]\n"
      "    price: 1\n",
      { "t.yaml:6:22: item \"Diet Coke\": phrase \"coke\" also names item \"Coke\" (line 3); each phrase may name only one item" } },
    { "phrase_clashes_in_plural",
      "menu: T\n"
      "items:\n"
      "  - name: Fry\n"
      "    price: 1\n"
      "  - name: Fries\n"
      "    price: 1\n",
      { "t.yaml:5:11: item \"Fries\": phrase \"fries\" clashes in the plural with \"fry\" of item \"Fry\" (line 3); each phrase may name only one item" } },
    { "phrase_names_two_options",
      "menu: T\n"
      "items:\n"
      "  - name: A\n"
      "    price: 1\n"
      "options:\n"
      "  - name: cheese\n"
      "  - name: american\n"
      "    say: [american, cheese]\n",
      { "t.yaml:8:21: option \"american\": phrase \"cheese\" also names option \"cheese\" (line 6); each phrase may name only one option" } },
    { "phrase_names_two_sizes",
      "menu: T\n"
      "sizes:\n"
      "  medium: [medium, regular]\n"
      "  large: [large, regular]\n"
      "items:\n"
      "  - name: A\n"
      "    price: 1\n",
      { "t.yaml:4:18: size \"large\": phrase \"regular\" also names size \"medium\" (line 3); each phrase may name only one size" } },
    { "amount_phrase_clashes_builtin",
      "menu: T\n"
      "amounts:\n"
      "  normal: [some, without]\n"
      "items:\n"
      "  - name: A\n"
      "    price: 1\n",
      { "t.yaml:3:18: amount \"normal\": phrase \"without\" also names amount \"no\" (built in); each phrase may name only one amount" } },
    { "amounts_unknown_key",
      "menu: T\n"
      "amounts:\n"
      "  extr: [extra]\n"
      "items:\n"
      "  - name: A\n"
      "    price: 1\n",
      { "t.yaml:3:3: unknown key \"extr\"; did you mean \"extra\"? (keys of amounts: no, light, normal, extra)" } },
    { "amounts_empty_list",
      "menu: T\n"
      "amounts:\n"
      "  no: []\n"
      "items:\n"
      "  - name: A\n"
      "    price: 1\n",
      { "t.yaml:3:7: amounts: no: is empty; write a list of phrases, e.g. no: [no]" } },
    { "amounts_is_list",
      "menu: T\n"
      "amounts: [no, extra]\n"
      "items:\n"
      "  - name: A\n"
      "    price: 1\n",
      { "t.yaml:2:10: amounts: is a list; write the words for each amount, e.g. amounts: {no: [no, without], extra: [extra, lots of]}" } },
    { "size_say_is_price",
      "menu: T\n"
      "sizes:\n"
      "  small: 1.79\n"
      "items:\n"
      "  - name: A\n"
      "    price: 1\n",
      { "t.yaml:3:10: sizes: small: is a single value; write a list of how customers say it, e.g. small: [small]" } },
    { "size_say_upper",
      "menu: T\n"
      "sizes:\n"
      "  large: [Large]\n"
      "items:\n"
      "  - name: A\n"
      "    price: 1\n",
      { "t.yaml:3:11: size \"large\": phrase \"Large\" has upper case; write it in lower case: \"large\"" } },
    { "size_name_slash",
      "menu: T\n"
      "sizes:\n"
      "  big/ger: [bigger]\n"
      "items:\n"
      "  - name: A\n"
      "    price: 1\n",
      { "t.yaml:3:3: size name \"big/ger\" must not contain \"/\" (it separates an item from its size, as in Fries/medium)" } },
    { "carriers_upper",
      "menu: T\n"
      "carriers: [Gimme]\n"
      "items:\n"
      "  - name: A\n"
      "    price: 1\n",
      { "t.yaml:2:12: carriers: phrase \"Gimme\" has upper case; write it in lower case: \"gimme\"" } },
    { "human_not_a_list",
      "menu: T\n"
      "human: manager\n"
      "items:\n"
      "  - name: A\n"
      "    price: 1\n",
      { "t.yaml:2:8: human: is a single value; write a list of phrases, e.g. human: [crew member]" } },
    { "pronunciation_upper",
      "menu: T\n"
      "pronunciations:\n"
      "  McFlurry: M AH K F L ER IY\n"
      "items:\n"
      "  - name: A\n"
      "    price: 1\n",
      { "t.yaml:3:3: pronunciations: phrase \"McFlurry\" has upper case; write it in lower case: \"mcflurry\"" } },
    { "pronunciation_two_words",
      "menu: T\n"
      "pronunciations:\n"
      "  mc flurry: M AH K\n"
      "items:\n"
      "  - name: A\n"
      "    price: 1\n",
      { "t.yaml:3:3: pronunciations: \"mc flurry\" is more than one word; give each word its own line" } },
    { "pronunciation_no_phones",
      "menu: T\n"
      "pronunciations:\n"
      "  mcflurry:\n"
      "items:\n"
      "  - name: A\n"
      "    price: 1\n",
      { "t.yaml:3:12: pronunciations: mcflurry: is empty; write its phones, e.g. mcflurry: M AH K F L ER IY" } },
    { "several_in_file_order",
      "menu: T\n"
      "tax_percent: abc\n"
      "items:\n"
      "  - name: B\n"
      "    price: 1\n"
      "    default_size: small\n"
      "  - name: A\n"
      "    prise: 2\n"
      "    available: maybe\n",
      { "t.yaml:2:14: tax_percent \"abc\" is not a number; write it like 8.25",
        "t.yaml:6:19: item \"B\": default_size: needs sizes:; remove it or give the item sizes:",
        "t.yaml:8:5: unknown key \"prise\"; did you mean \"price\"? (keys of an item: name, say, price, sizes, default_size, options, defaults, includes, choose, available)",
        "t.yaml:9:16: item \"A\": available: must be true or false, not \"maybe\"" } },
    { "item_misspelt_name_once",
      "menu: T\n"
      "items:\n"
      "  - nme: A\n"
      "    price: 1\n",
      { "t.yaml:3:5: unknown key \"nme\"; did you mean \"name\"? (keys of an item: name, say, price, sizes, default_size, options, defaults, includes, choose, available)" } },
    { "option_misspelt_name_once",
      "menu: T\n"
      "items:\n"
      "  - name: A\n"
      "    price: 1\n"
      "options:\n"
      "  - nam: bacon\n",
      { "t.yaml:6:5: unknown key \"nam\"; did you mean \"name\"? (keys of an option: name, say, price)" } },
    { "unknown_key_prefix_suggested",
      "menu: T\n"
      "tax: 8\n"
      "max: 5\n"
      "items:\n"
      "  - name: A\n"
      "    price: 1\n",
      { "t.yaml:2:1: unknown key \"tax\"; did you mean \"tax_percent\"? (keys of a menu: menu, currency, tax_percent, max_quantity, sizes, amounts, carriers, items, options, pronunciations, human)",
        "t.yaml:3:1: unknown key \"max\"; did you mean \"max_quantity\"? (keys of a menu: menu, currency, tax_percent, max_quantity, sizes, amounts, carriers, items, options, pronunciations, human)" } },
    { "unknown_key_transposed",
      "menu: T\n"
      "items:\n"
      "  - name: A\n"
      "    price: 1\n"
      "    avialable: false\n",
      { "t.yaml:5:5: unknown key \"avialable\"; did you mean \"available\"? (keys of an item: name, say, price, sizes, default_size, options, defaults, includes, choose, available)" } },
    { "one_line_per_problem",
      "menu: T\n"
      "items:\n"
      "  - name: A\n"
      "    price: 1\n"
      "    say: [\"Big\\nMac\"]\n"
      "    \"pri\\tce\": 2\n",
      { "t.yaml:5:11: item \"A\": phrase \"Big\\nMac\" has upper case; write it in lower case: \"big mac\"",
        "t.yaml:6:5: unknown key \"pri\\tce\"; did you mean \"price\"? (keys of an item: name, say, price, sizes, default_size, options, defaults, includes, choose, available)" } },
    /* Bounds (issue 18): a word, a name, a pronunciation's parts; what
     * the manager wrote is quoted, cut to its start when long. */
    { "word_too_long",
      "menu: T\n"
      "items:\n"
      "  - name: A\n"
      "    price: 1\n"
      "    say: [mcflurry aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa, fries]\n",
      { "t.yaml:5:11: item \"A\": phrase \"mcflurry aaaaaaaaaaaaaaaaaaaaa\u2026\" has a word of 65 characters; a word may have at most 64" } },
    { "name_too_long",
      "menu: T\n"
      "items:\n"
      "  - name: NNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNN\n"
      "    price: 1\n",
      { "t.yaml:3:11: item name \"NNNNNNNNNNNNNNNNNNNNNNNNNNNNNN\u2026\" is too long (101 characters; at most 100); shorten it" } },
    { "name_word_too_long",
      "menu: T\n"
      "items:\n"
      "  - name: Fries\n"
      "    price: 1\n"
      "options:\n"
      "  - name: bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\n",
      { "t.yaml:6:11: option \"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\": add say: with how customers say it (the name has a word of more than 64 characters)" } },
    { "pron_word_too_long",
      "menu: T\n"
      "items:\n"
      "  - name: A\n"
      "    price: 1\n"
      "pronunciations:\n"
      "  aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa: K\n",
      { "t.yaml:6:3: pronunciations: phrase \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\u2026\" has a word of 65 characters; a word may have at most 64" } },
    { "pron_phone_too_long",
      "menu: T\n"
      "items:\n"
      "  - name: A\n"
      "    price: 1\n"
      "pronunciations:\n"
      "  mcflurry: M AH K FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF\n",
      { "t.yaml:6:13: pronunciations: mcflurry: \"FFFFFFFFFFFFFFFFFFFFFFFFFFFFFF\u2026\" has 65 characters; a phone or word may have at most 64" } },
    { "alias_inside_itself",
      "menu: T\n"
      "items:\n"
      "  - name: A\n"
      "    price: 1\n"
      "    say: &s [a, *s]\n",
      { "t.yaml:1:1: an alias (*name) is used inside the list or map it names, which would never end; write the values out instead" } },
};

#define NBAD (sizeof bad_menus / sizeof bad_menus[0])

static void print_lines(const char *what, const strlist_t *l)
{
    print_message("%s (%d lines):\n", what, l->n);
    for (int i = 0; i < l->n; i++) print_message("  %s\n", l->v[i]);
}

/* One row of the table: no menu comes back, and exactly the expected lines. */
static void test_bad_menu(void **state)
{
    const bad_menu_t *row = *state;
    strlist_t errs = {0};
    menu_t *m = menu_parse(row->yaml, strlen(row->yaml), "t.yaml", &errs);
    int want = 0;
    while (want < MAX_ERRS && row->errs[want]) want++;
    if (m != NULL || errs.n != want) {
        print_message("row %s\n", row->name);
        print_lines("got", &errs);
    }
    assert_null(m);
    assert_int_equal(errs.n, want);
    for (int i = 0; i < want; i++) assert_string_equal(errs.v[i], row->errs[i]);
    strlist_free(&errs);
}

/* ---- helpers for the good menus ------------------------------------------ */

static menu_t *load_ok(const char *path)
{
    strlist_t errs = {0};
    menu_t *m = menu_load(path, &errs);
    if (!m || errs.n) print_lines(path, &errs);
    assert_non_null(m);
    assert_int_equal(errs.n, 0);
    strlist_free(&errs);
    return m;
}

static menu_t *parse_ok(const char *yaml)
{
    strlist_t errs = {0};
    menu_t *m = menu_parse(yaml, strlen(yaml), "t.yaml", &errs);
    if (!m || errs.n) print_lines("t.yaml", &errs);
    assert_non_null(m);
    assert_int_equal(errs.n, 0);
    strlist_free(&errs);
    return m;
}

static int item(const menu_t *m, const char *name)
{
    int i = menu_item_find(m, name);
    if (i < 0) print_message("no item %s\n", name);
    assert_true(i >= 0);
    return i;
}

static int option(const menu_t *m, const char *name)
{
    int o = menu_option_find(m, name);
    if (o < 0) print_message("no option %s\n", name);
    assert_true(o >= 0);
    return o;
}

static int size(const menu_t *m, const char *name)
{
    int s = menu_size_find(m, name);
    assert_true(s >= 0);
    return s;
}

static int builtin_count(const char *const *list)
{
    int n = 0;
    while (list[n]) n++;
    return n;
}

/* ---- the sample menus ----------------------------------------------------- */

static void test_burger_menu(void **state)
{
    (void)state;
    menu_t *m = load_ok("menus/burger.yaml");
    assert_string_equal(m->file, "menus/burger.yaml");
    assert_string_equal(m->title, "Burger Barn");
    assert_string_equal(m->currency, "USD");
    assert_int_equal(m->tax_bp, 825);
    assert_int_equal(m->max_quantity, 10);
    assert_int_equal(m->nitems, 31);
    assert_int_equal(m->noptions, 22);
    assert_int_equal(m->nsizes, 3);
    assert_int_equal(m->nprons, 0);

    /* sizes, in the order written, with their phrases and places */
    assert_string_equal(m->sizes[0].name, "small");
    assert_string_equal(m->sizes[1].name, "medium");
    assert_string_equal(m->sizes[2].name, "large");
    assert_int_equal(m->sizes[1].say.n, 2);
    assert_string_equal(m->sizes[1].say.v[1], "regular");
    assert_int_equal(m->sizes[1].say.line[1], 9);
    assert_int_equal(m->sizes[1].say.col[1], 20);

    /* a plain item */
    int cb = item(m, "Cheeseburger");
    const menu_item_t *it = &m->items[cb];
    assert_int_equal(it->cents, 349);
    assert_null(it->size_cents);
    assert_int_equal(it->default_size, -1);
    assert_int_equal(it->say.n, 2);
    assert_string_equal(it->say.v[0], "cheeseburger");
    assert_string_equal(it->say.v[1], "cheese burger");
    assert_int_equal(it->line, 20);
    assert_int_equal(it->col, 5);
    assert_int_equal(it->noptions, 8);
    assert_int_equal(it->ndefaults, 5);
    assert_true(it->available);
    assert_true(menu_item_takes_option(m, cb, option(m, "bacon")));
    assert_false(menu_item_option_default(m, cb, option(m, "bacon")));
    assert_true(menu_item_option_default(m, cb, option(m, "cheese")));
    assert_false(menu_item_takes_option(m, cb, option(m, "ice")));
    assert_int_equal(m->items[item(m, "Water")].cents, 100);
    assert_int_equal(m->items[item(m, "Cookie")].cents, 99);

    /* a sized item with a default size */
    int fr = item(m, "Fries");
    it = &m->items[fr];
    assert_int_equal(it->cents, -1);
    assert_non_null(it->size_cents);
    assert_int_equal(it->size_cents[size(m, "small")], 179);
    assert_int_equal(it->size_cents[size(m, "medium")], 229);
    assert_int_equal(it->size_cents[size(m, "large")], 279);
    assert_int_equal(it->default_size, size(m, "medium"));
    assert_true(menu_item_option_default(m, fr, option(m, "salt")));

    /* sized without a default; sold in two sizes only */
    assert_int_equal(m->items[item(m, "Chicken Nuggets")].default_size, -1);
    int oj = item(m, "Orange Juice");
    assert_true(menu_item_has_size(m, oj, size(m, "medium")));
    assert_false(menu_item_has_size(m, oj, size(m, "large")));
    assert_int_equal(m->items[oj].size_cents[size(m, "large")], -1);
    assert_false(menu_item_has_size(m, cb, size(m, "small")));
    assert_false(menu_item_has_size(m, fr, 3));
    assert_false(menu_item_has_size(m, -1, 0));

    /* combos */
    int n1 = item(m, "Number One");
    it = &m->items[n1];
    assert_int_equal(it->cents, 899);
    assert_int_equal(it->nincludes, 2);
    assert_int_equal(it->includes[0].item, item(m, "Big Stack"));
    assert_int_equal(it->includes[0].size, -1);
    assert_int_equal(it->includes[1].item, fr);
    assert_int_equal(it->includes[1].size, size(m, "medium"));
    assert_int_equal(it->nchoose, 1);
    assert_string_equal(it->choose[0].name, "drink");
    assert_int_equal(it->choose[0].nitems, 6);
    assert_int_equal(it->choose[0].items[0], item(m, "Coke"));
    assert_int_equal(it->choose[0].items[5], item(m, "Lemonade"));
    const menu_item_t *kids = &m->items[item(m, "Kids Meal")];
    assert_int_equal(kids->includes[1].size, size(m, "small"));
    assert_int_equal(kids->choose[0].nitems, 3);
    assert_int_equal(kids->choose[0].items[1], oj);

    /* sold out */
    assert_false(m->items[item(m, "Apple Pie")].available);
    assert_int_equal(m->items[item(m, "Apple Pie")].cents, 129);

    /* options: prices, say: defaulting to the name at the name's place */
    const menu_option_t *o = &m->options[option(m, "cheese")];
    assert_int_equal(o->cents, 50);
    o = &m->options[option(m, "nuts")];
    assert_int_equal(o->cents, 30);
    o = &m->options[option(m, "tartar sauce")];
    assert_int_equal(o->cents, 0);
    assert_int_equal(o->say.n, 1);
    assert_string_equal(o->say.v[0], "tartar sauce");
    assert_int_equal(o->say.line[0], 183);
    assert_int_equal(o->say.col[0], 11);

    /* built-ins first (line 0), then the menu's own */
    int nc = builtin_count(lex_carriers);
    assert_int_equal(m->carriers.n, nc + 3);
    assert_string_equal(m->carriers.v[0], lex_carriers[0]);
    assert_int_equal(m->carriers.line[0], 0);
    assert_string_equal(m->carriers.v[nc], "can we get");
    assert_int_equal(m->carriers.line[nc], 12);
    int nh = builtin_count(lex_human);
    assert_int_equal(m->human.n, nh + 2);
    assert_string_equal(m->human.v[nh + 1], "team member");
    /* no amounts: in the file: the spec's defaults */
    assert_int_equal(m->amounts[AMOUNT_NO].n, 3);
    assert_string_equal(m->amounts[AMOUNT_LIGHT].v[3], "a bit of");
    assert_int_equal(m->amounts[AMOUNT_EXTRA].line[0], 0);

    assert_int_equal(menu_item_find(m, "cheeseburger"), -1);   /* names compare exactly */
    assert_int_equal(menu_option_find(m, "gravy"), -1);
    assert_int_equal(menu_size_find(m, "jumbo"), -1);
    menu_free(m);
}

static void test_coffee_menu(void **state)
{
    (void)state;
    menu_t *m = load_ok("menus/coffee.yaml");
    assert_string_equal(m->title, "Bean Counter Coffee");
    assert_int_equal(m->tax_bp, 700);
    assert_int_equal(m->max_quantity, 8);
    assert_int_equal(m->nitems, 16);
    assert_int_equal(m->noptions, 19);
    assert_int_equal(m->nsizes, 3);
    assert_string_equal(m->sizes[1].say.v[1], "grande");

    /* amounts: given replace the defaults key by key */
    assert_int_equal(m->amounts[AMOUNT_NO].n, 4);
    assert_string_equal(m->amounts[AMOUNT_NO].v[3], "skip the");
    assert_int_equal(m->amounts[AMOUNT_NO].line[3], 13);
    assert_int_equal(m->amounts[AMOUNT_LIGHT].n, 5);
    assert_string_equal(m->amounts[AMOUNT_EXTRA].v[3], "double");

    assert_int_equal(m->nprons, 1);
    assert_string_equal(m->prons[0].word, "americano");
    assert_string_equal(m->prons[0].phones, "AH M EH R IH K AA N OW");
    assert_int_equal(m->prons[0].line, 124);
    assert_int_equal(m->prons[0].col, 3);

    int latte = item(m, "Latte");
    assert_int_equal(m->items[latte].size_cents[size(m, "large")], 445);
    assert_int_equal(m->items[latte].ndefaults, 0);
    assert_true(menu_item_takes_option(m, latte, option(m, "oat milk")));
    assert_int_equal(m->items[item(m, "Espresso")].cents, 225);
    assert_int_equal(m->options[option(m, "extra shot")].cents, 90);
    assert_int_equal(m->options[option(m, "extra shot")].say.n, 3);
    assert_int_equal(m->options[option(m, "bacon")].cents, 150);
    assert_int_equal(m->options[option(m, "egg")].say.n, 2);
    assert_false(m->items[item(m, "Banana Bread")].available);

    const menu_item_t *deal = &m->items[item(m, "Coffee And Pastry")];
    assert_int_equal(deal->cents, 495);
    assert_int_equal(deal->nincludes, 1);
    assert_int_equal(deal->includes[0].item, item(m, "Drip Coffee"));
    assert_int_equal(deal->includes[0].size, size(m, "medium"));
    assert_string_equal(deal->choose[0].name, "pastry");
    assert_int_equal(deal->choose[0].nitems, 3);
    assert_int_equal(deal->choose[0].items[2], item(m, "Bagel"));
    assert_int_equal(m->items[item(m, "Drip Coffee")].default_size, size(m, "medium"));
    menu_free(m);
}

/* ---- details of what is accepted ------------------------------------------- */

static void test_defaults_and_normalising(void **state)
{
    (void)state;
    menu_t *m = parse_ok("menu: Test Menu\n"
                         "carriers: [can i get, \"  we'll   take \", we'll take]\n"
                         "human: [manager, shift lead]\n"
                         "amounts:\n"
                         "  extra: [extra, heaps of]\n"
                         "items:\n"
                         "  - name: Big Mac\n"
                         "    price: 1\n"
                         "  - name: Fries\n"
                         "    say: [fries, \"  french   fries \", fries, \"i\xe2\x80\x99ll fries\"]\n"
                         "    price: \"2.5\"\n"
                         "    available: yes\n"
                         "  - name: Pie\n"
                         "    price: 0\n"
                         "    available: False\n"
                         "  - name: Meal\n"
                         "    price: 5\n"
                         "    includes: [Fries, Fries]\n"
                         "options:\n"
                         "  - name: Ketchup\n");
    assert_string_equal(m->currency, "USD");   /* defaults */
    assert_int_equal(m->tax_bp, 0);
    assert_int_equal(m->max_quantity, 10);
    assert_int_equal(m->nsizes, 0);
    /* a built-in carrier is kept once; spaces are normalised */
    int nc = builtin_count(lex_carriers);
    assert_int_equal(m->carriers.n, nc + 1);
    assert_string_equal(m->carriers.v[nc], "we'll take");
    assert_int_equal(m->human.n, builtin_count(lex_human) + 1);
    /* amounts: replaces only the keys given */
    assert_int_equal(m->amounts[AMOUNT_EXTRA].n, 2);
    assert_string_equal(m->amounts[AMOUNT_EXTRA].v[1], "heaps of");
    assert_int_equal(m->amounts[AMOUNT_NO].n, 3);
    /* no say: the name in lower case, at the name */
    const menu_item_t *it = &m->items[item(m, "Big Mac")];
    assert_int_equal(it->say.n, 1);
    assert_string_equal(it->say.v[0], "big mac");
    assert_int_equal(it->say.line[0], 7);
    assert_int_equal(it->say.col[0], 11);
    assert_int_equal(it->cents, 100);
    /* duplicates dropped, runs of spaces and a typographic apostrophe fixed */
    it = &m->items[item(m, "Fries")];
    assert_int_equal(it->say.n, 3);
    assert_string_equal(it->say.v[1], "french fries");
    assert_string_equal(it->say.v[2], "i'll fries");
    assert_int_equal(it->cents, 250);
    assert_true(it->available);
    assert_int_equal(m->items[item(m, "Pie")].cents, 0);
    assert_false(m->items[item(m, "Pie")].available);
    /* the same item twice in a meal is two of it */
    assert_int_equal(m->items[item(m, "Meal")].nincludes, 2);
    assert_string_equal(m->options[0].say.v[0], "ketchup");
    menu_free(m);
}

static void test_exact_cents(void **state)
{
    (void)state;
    /* every amount a float would round wrongly somewhere */
    static const struct {
        const char *text;
        int cents;
    } rows[] = {
        { "0.29", 29 }, { "0.57", 57 }, { "1.15", 115 }, { "3.49", 349 }, { "1", 100 },
        { "1.5", 150 }, { "01.05", 105 }, { "0", 0 }, { "100000", 10000000 }, { "4.35", 435 },
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        char *yaml = xasprintf("menu: T\ntax_percent: %s\nitems:\n  - name: A\n    price: %s\n",
                               strcmp(rows[i].text, "100000") ? rows[i].text : "100", rows[i].text);
        menu_t *m = parse_ok(yaml);
        assert_int_equal(m->items[0].cents, rows[i].cents);
        if (strcmp(rows[i].text, "100000"))
            assert_int_equal(m->tax_bp, rows[i].cents);
        else
            assert_int_equal(m->tax_bp, 10000);
        menu_free(m);
        free(yaml);
    }
}

static void test_load_missing_file(void **state)
{
    (void)state;
    strlist_t errs = {0};
    assert_null(menu_load("menus/no-such-menu.yaml", &errs));
    assert_int_equal(errs.n, 1);
    assert_string_equal(errs.v[0], "menus/no-such-menu.yaml: cannot read: No such file or directory");
    strlist_free(&errs);
    menu_free(NULL);
}

/* A menu file is a regular file of at most 1 MB: anything else is refused in
 * one line naming it and the limit, at once (a FIFO without a writer is not
 * waited for: the alarm fails the test rather than hang it). */
static void test_load_bounds(void **state)
{
    (void)state;
    alarm(20);
    static const char *const limit = "a menu must be a regular file of at most 1 MB (1048576 bytes)";
    char dir[] = "/tmp/test_menu-XXXXXX", path[128], want[256];
    assert_non_null(mkdtemp(dir));
    strlist_t errs = {0};

    assert_null(menu_load("menus", &errs));
    assert_int_equal(errs.n, 1);
    snprintf(want, sizeof want, "menus: not a regular file (a directory); %s", limit);
    assert_string_equal(errs.v[0], want);
    strlist_free(&errs);

    assert_null(menu_load("/dev/zero", &errs));
    assert_int_equal(errs.n, 1);
    snprintf(want, sizeof want, "/dev/zero: not a regular file (a character device); %s", limit);
    assert_string_equal(errs.v[0], want);
    strlist_free(&errs);

    snprintf(path, sizeof path, "%s/menu.fifo", dir);
    assert_int_equal(mkfifo(path, 0600), 0);
    assert_null(menu_load(path, &errs));
    assert_int_equal(errs.n, 1);
    snprintf(want, sizeof want, "%s: not a regular file (a FIFO); %s", path, limit);
    assert_string_equal(errs.v[0], want);
    strlist_free(&errs);
    unlink(path);

    /* exactly 1 MB (a menu and a long comment) loads; one byte more does not */
    static const char head[] = "menu: T\nitems:\n  - name: Fries\n    price: 1\n#";
    size_t n = MENU_MAX_BYTES;
    char *text = xmalloc(n + 2);
    memset(text, 'x', n + 1);
    memcpy(text, head, strlen(head));
    text[n - 1] = '\n';
    snprintf(path, sizeof path, "%s/big.yaml", dir);
    FILE *f = fopen(path, "w");
    assert_int_equal(fwrite(text, 1, n, f), n);
    fclose(f);
    menu_t *m = menu_load(path, &errs);
    if (!m) print_lines(path, &errs);
    assert_non_null(m);
    menu_free(m);
    f = fopen(path, "a");
    fputc('\n', f);
    fclose(f);
    assert_null(menu_load(path, &errs));
    assert_int_equal(errs.n, 1);
    snprintf(want, sizeof want, "%s: too big (1048577 bytes); %s", path, limit);
    assert_string_equal(errs.v[0], want);
    strlist_free(&errs);
    unlink(path);
    free(text);
    rmdir(dir);
    alarm(0);
}

/* At most 20 problems a load, the first in file order whatever order they
 * were found in, then one line with the count of the rest. */
static void test_errors_capped(void **state)
{
    (void)state;
    strbuf_t y = {0};
    /* 30 items named alike: 29 problems at their names, found in pass 2;
     * then an unknown key in each, found in pass 3, each before the next
     * item's name: the first 20 in file order mix the two */
    strbuf_append(&y, "menu: T\nitems:\n");
    for (int i = 0; i < 30; i++) strbuf_append(&y, "  - name: A\n    price: 1\n    prise: 2\n");
    strlist_t errs = {0};
    assert_null(menu_parse(y.s, y.len, "t.yaml", &errs));
    assert_int_equal(errs.n, 21);
    for (int i = 0; i < 20; i++) {
        char want[256];
        int item = i / 2;   /* item 0: its key; then each item: its name, its key */
        if (i == 0)
            snprintf(want, sizeof want, "t.yaml:5:5: unknown key \"prise\"; did you mean \"price\"?");
        else if (i % 2)
            snprintf(want, sizeof want, "t.yaml:%d:11: item name \"A\" is used twice (first at line 3)",
                     3 + 3 * ((i + 1) / 2));
        else
            snprintf(want, sizeof want, "t.yaml:%d:5: unknown key \"prise\"", 5 + 3 * item);
        if (strncmp(errs.v[i], want, strlen(want))) fail_msg("line %d: %s\nwant %s...", i, errs.v[i], want);
    }
    assert_string_equal(errs.v[20], "t.yaml: \u2026 and 39 more problems, not listed; fix the ones above first");
    strlist_free(&errs);

    /* 20 problems: no count line */
    strbuf_reset(&y);
    strbuf_append(&y, "menu: T\nitems:\n");
    for (int i = 0; i < 20; i++) strbuf_printf(&y, "  - name: B%c\n    price: x\n", 'a' + i);
    assert_null(menu_parse(y.s, y.len, "t.yaml", &errs));
    assert_int_equal(errs.n, 20);
    assert_string_equal(errs.v[19], "t.yaml:42:12: item \"Bt\": price \"x\" is not a number; write it like 3.49");
    strlist_free(&errs);

    /* the issue's case, smaller: items whose say: is one aliased list, each
     * phrase clashing with the first item's: 99 x 100 problems, 21 lines */
    strbuf_reset(&y);
    strbuf_append(&y, "menu: T\nitems:\n  - name: I0\n    price: 1\n    say: &s [");
    for (int k = 0; k < 100; k++) strbuf_printf(&y, "%sw%c%c", k ? ", " : "", 'a' + k / 26, 'a' + k % 26);
    strbuf_append(&y, "]\n");
    for (int i = 1; i < 100; i++) strbuf_printf(&y, "  - name: I%d\n    price: 1\n    say: *s\n", i);
    assert_null(menu_parse(y.s, y.len, "t.yaml", &errs));
    assert_int_equal(errs.n, 21);
    assert_string_equal(errs.v[0], "t.yaml:5:14: item \"I1\": phrase \"waa\" also names item \"I0\" (line 5); "
                                   "each phrase may name only one item");
    assert_string_equal(errs.v[20], "t.yaml: \u2026 and 9880 more problems, not listed; fix the ones above first");
    strlist_free(&errs);
    strbuf_free(&y);
}

/* Aliases may not make a menu bigger than a file could hold: a few lines that
 * copy a list a million times are refused in one line, before any check. */
static void test_alias_limit(void **state)
{
    (void)state;
    strbuf_t y = {0};
    strbuf_append(&y, "menu: T\nitems:\n  - name: I0\n    price: 1\n    say: &s [");
    for (int k = 0; k < 1000; k++) strbuf_printf(&y, "%sw%c%c%c", k ? ", " : "", 'a' + k / 676, 'a' + k / 26 % 26, 'a' + k % 26);
    strbuf_append(&y, "]\n");
    for (int i = 1; i < 1000; i++) strbuf_printf(&y, "  - {name: I%d, price: 1, say: *s}\n", i);
    strlist_t errs = {0};
    assert_null(menu_parse(y.s, y.len, "t.yaml", &errs));
    assert_int_equal(errs.n, 1);
    assert_string_equal(errs.v[0], "t.yaml:1:1: the menu holds more than 500000 values once its aliases (*name) "
                                   "are copied out where they are used; a menu needs far fewer: write the lists "
                                   "out, or use fewer aliases");
    strlist_free(&errs);
    strbuf_free(&y);

    /* aliases within the limit are fine */
    menu_t *m = parse_ok("menu: T\n"
                         "items:\n"
                         "  - &fries {name: Fries, price: 1, options: &opts [salt]}\n"
                         "  - {name: Chips, price: 1, options: *opts}\n"
                         "options:\n"
                         "  - name: salt\n");
    assert_int_equal(m->nitems, 2);
    assert_int_equal(m->items[1].noptions, 1);
    menu_free(m);
}

/* A word of 64 characters is the longest a phrase may have; a name of 100. */
static void test_word_and_name_limits(void **state)
{
    (void)state;
    strbuf_t y = {0};
    char w64[65], n100[101];
    memset(w64, 'a', 64);
    w64[64] = '\0';
    memset(n100, 'N', 100);
    n100[100] = '\0';
    strbuf_printf(&y, "menu: T\nitems:\n  - name: %s\n    price: 1\n    say: [big %s]\n", n100, w64);
    menu_t *m = parse_ok(y.s);
    assert_string_equal(m->items[0].name, n100);
    assert_int_equal(strlen(m->items[0].say.v[0]), 4 + 64);
    menu_free(m);
    strbuf_free(&y);
}

/* Errors are appended: what the list held stays. */
static void test_errors_append(void **state)
{
    (void)state;
    strlist_t errs = {0};
    strlist_push(&errs, "earlier");
    assert_null(menu_parse("menu: T\n", 8, "x.yaml", &errs));
    assert_int_equal(errs.n, 2);
    assert_string_equal(errs.v[0], "earlier");
    assert_string_equal(errs.v[1], "x.yaml:1:1: no items: key; add the list of what customers can order, starting with items:");
    strlist_free(&errs);
}

static void test_plural(void **state)
{
    (void)state;
    static const char *const rows[][2] = {
        { "cheeseburger", "cheeseburgers" }, { "fries", "fries" }, { "smoothie", "smoothies" },
        { "berry", "berries" }, { "iced tea", "iced teas" }, { "sandwich", "sandwiches" },
        { "fish sandwich", "fish sandwiches" }, { "box", "boxes" }, { "dish", "dishes" },
        { "whiz", "whizes" }, { "turkey", "turkeys" }, { "chicken nuggets", "chicken nuggets" },
        { "coffee and pastry", "coffee and pastries" }, { "tomato", "tomatoes" },
        { "fish", "fish" }, { "big fish", "big fish" }, { "latte", "lattes" }, { "y", "ys" },
        { "a", "as" }, { "", "" },
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        char *p = menu_plural(rows[i][0]);
        assert_string_equal(p, rows[i][1]);
        free(p);
    }
}

static const menu_word_t *find_word(const menu_word_t *w, int n, const char *word)
{
    const menu_word_t *found = NULL;
    for (int i = 0; i < n; i++) {
        if (strcmp(w[i].word, word) == 0) {
            assert_null(found);   /* each word once */
            found = &w[i];
        }
    }
    return found;
}

static void test_words(void **state)
{
    (void)state;
    menu_t *m = parse_ok("menu: T\n"
                         "sizes: {large: [large, big]}\n"
                         "items:\n"
                         "  - name: Big Stack\n"
                         "    price: 1\n"
                         "  - name: Fries\n"
                         "    say: [fries, french fries]\n"
                         "    price: 1\n"
                         "    options: [gravy]\n"
                         "options:\n"
                         "  - name: gravy\n"
                         "    say: [gravy, brown gravy]\n"
                         "human: [shift lead]\n");
    menu_word_t *w = NULL;
    int n = menu_words(m, &w);
    assert_true(n > 10);
    const menu_word_t *x = find_word(w, n, "big");   /* first written at the size */
    assert_non_null(x);
    assert_int_equal(x->line, 2);
    assert_int_equal(x->col, 24);
    x = find_word(w, n, "stacks");                   /* plurals of items */
    assert_non_null(x);
    assert_int_equal(x->line, 4);
    assert_int_equal(x->col, 11);
    x = find_word(w, n, "fries");
    assert_non_null(x);
    assert_int_equal(x->line, 7);
    assert_int_equal(x->col, 11);
    assert_non_null(find_word(w, n, "french"));
    assert_non_null(find_word(w, n, "brown"));
    assert_null(find_word(w, n, "gravies"));         /* options have no plural */
    x = find_word(w, n, "lead");
    assert_non_null(x);
    assert_int_equal(x->line, 13);
    x = find_word(w, n, "without");                  /* built-in amounts and the like */
    assert_non_null(x);
    assert_int_equal(x->line, 0);
    assert_int_equal(x->col, 0);
    assert_non_null(find_word(w, n, "manager"));
    assert_non_null(find_word(w, n, "can"));
    /* file order, built-ins last; words of a phrase in their order */
    for (int i = 1; i < n; i++) {
        if (w[i].line == 0) continue;
        assert_int_not_equal(w[i - 1].line, 0);
        assert_true(w[i - 1].line < w[i].line ||
                    (w[i - 1].line == w[i].line && w[i - 1].col <= w[i].col));
    }
    assert_string_equal(w[0].word, "large");
    assert_string_equal(w[1].word, "big");
    assert_string_equal(w[2].word, "stack");
    assert_string_equal(w[3].word, "stacks");
    menu_words_free(w, n);
    menu_free(m);
}

/* Every prefix of a good menu is either a menu or errors, never a crash or
 * a leak: a file cut short by a full disk or an editor crash. */
static void test_truncated_prefixes(void **state)
{
    (void)state;
    FILE *f = fopen("menus/coffee.yaml", "rb");
    assert_non_null(f);
    static char buf[1 << 16];
    size_t len = fread(buf, 1, sizeof buf, f);
    fclose(f);
    assert_true(len > 1000);
    int ok = 0, bad = 0;
    for (size_t cut = 0; cut <= len; cut += 7) {
        strlist_t errs = {0};
        menu_t *m = menu_parse(buf, cut, "t.yaml", &errs);
        if (m) {
            ok++;
            assert_int_equal(errs.n, 0);
        } else {
            bad++;
            assert_true(errs.n > 0);
            for (int i = 0; i < errs.n; i++) assert_int_equal(strncmp(errs.v[i], "t.yaml:", 7), 0);
        }
        menu_free(m);
        strlist_free(&errs);
    }
    assert_true(bad > 0);
    assert_true(ok > 0);
}

/* A combo with a sold-out part is valid but warned about (issue 16, item 6). */
static void test_sold_out_part_warnings(void **state)
{
    (void)state;
    const char *yaml =
        "menu: T\n"
        "items:\n"
        "  - name: Pie\n"
        "    price: 1\n"
        "    available: false\n"
        "  - name: Coke\n"
        "    price: 1\n"
        "  - name: Sprite\n"
        "    price: 1\n"
        "    available: false\n"
        "  - name: Pie Meal\n"
        "    price: 3\n"
        "    includes: [Pie]\n"
        "  - name: Meal\n"
        "    price: 3\n"
        "    choose:\n"
        "      drink: [Coke, Sprite]\n"
        "  - name: Sprite Meal\n"
        "    price: 3\n"
        "    choose:\n"
        "      drink: [Sprite]\n";
    strlist_t errs = {0}, warns = {0};
    menu_t *m = menu_parse(yaml, strlen(yaml), "t.yaml", &errs);
    assert_non_null(m);
    assert_int_equal(errs.n, 0);
    assert_int_equal(menu_warnings(m, &warns), 3);
    assert_int_equal(warns.n, 3);
    assert_string_equal(warns.v[0], "t.yaml:11:5: warning: item \"Pie Meal\": its part \"Pie\" is sold out (available: false), so the kiosk refuses \"Pie Meal\" until it is back");
    assert_string_equal(warns.v[1], "t.yaml:14:5: warning: item \"Meal\": drink Sprite is sold out (available: false), so the kiosk offers only Coke");
    assert_string_equal(warns.v[2], "t.yaml:18:5: warning: item \"Sprite Meal\": every drink (Sprite) is sold out (available: false), so the kiosk refuses \"Sprite Meal\" until one is back");
    strlist_free(&warns);
    menu_free(m);
    /* the sample menus have none */
    m = menu_load("menus/burger.yaml", &errs);
    assert_non_null(m);
    assert_int_equal(menu_warnings(m, &warns), 0);
    menu_free(m);
    strlist_free(&errs);
}

int main(void)
{
    static const struct CMUnitTest fixed[] = {
        cmocka_unit_test(test_burger_menu),
        cmocka_unit_test(test_coffee_menu),
        cmocka_unit_test(test_defaults_and_normalising),
        cmocka_unit_test(test_exact_cents),
        cmocka_unit_test(test_load_missing_file),
        cmocka_unit_test(test_load_bounds),
        cmocka_unit_test(test_errors_capped),
        cmocka_unit_test(test_alias_limit),
        cmocka_unit_test(test_word_and_name_limits),
        cmocka_unit_test(test_errors_append),
        cmocka_unit_test(test_plural),
        cmocka_unit_test(test_words),
        cmocka_unit_test(test_truncated_prefixes),
        cmocka_unit_test(test_sold_out_part_warnings),
    };
    enum { NFIXED = sizeof fixed / sizeof fixed[0] };
    struct CMUnitTest tests[NBAD + NFIXED];
    for (size_t i = 0; i < NBAD; i++) {
        tests[i] = (struct CMUnitTest){ .name = bad_menus[i].name, .test_func = test_bad_menu,
                                        .initial_state = (void *)&bad_menus[i] };
    }
    for (size_t i = 0; i < NFIXED; i++) tests[NBAD + i] = fixed[i];
    return cmocka_run_group_tests_name("menu", tests, NULL, NULL);
}
