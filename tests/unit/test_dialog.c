/* test_dialog.c: conversations with one car (src/dialog/dialog.c), as tables.
 *
 * Each script is a list of turns: what the grammar heard (and its confidence),
 * then what the kiosk must say, whether it pages (and why), and the order JSON
 * after the turn, compared as strings (SAME: as after the turn before).
 * Run from the repository root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/dialog/dialog.h"
#include "../../src/dialog/session.h"
#include "../../src/speech/asr.h"

/* ---- writing order JSON compactly ---- */
#define ORDER(status, lines, sub, tax, total)                                                   \
    "{\"status\": \"" status "\", \"lines\": [" lines "], \"subtotal_cents\": " #sub            \
    ", \"tax_cents\": " #tax ", \"total_cents\": " #total "}"
#define LINE(item, qty, size, opts, choices, unit, cents)                                       \
    "{\"item\": \"" item "\", \"qty\": " #qty ", \"size\": " size ", \"options\": [" opts       \
    "], \"choices\": {" choices "}, \"unit_cents\": " #unit ", \"cents\": " #cents "}"
#define OPT(name, amount) "{\"name\": \"" name "\", \"amount\": \"" amount "\"}"
#define DRINK(item) "\"drink\": \"" item "\""
#define SZ(s) "\"" s "\""
#define NOSIZE "null"
#define NONE ""
#define EMPTY(status) ORDER(status, "", 0, 0, 0)
#define SAME NULL

#define CREW "A team member will be right with you."
#define SORRY "Sorry, I didn't catch that. Could you say it again?"
#define THANKS "Thank you! Please pull forward to the window."
#define MORE " Anything else?"
#define COKE_SIZE "What size would you like for the coke: small, medium or large?"
#define DRINKS "Coke, Diet Coke, Sprite, Root Beer, Iced Tea or Lemonade?"

/* lines used often (Burger Barn prices) */
#define L_CHEESE2_NO_ONIONS LINE("Cheeseburger", 2, NOSIZE, OPT("onions", "no"), NONE, 349, 698)
#define L_COKE_L LINE("Coke", 1, SZ("large"), NONE, NONE, 209, 209)
#define L_COOKIE LINE("Cookie", 1, NOSIZE, NONE, NONE, 99, 99)
#define L_WATER LINE("Water", 1, NOSIZE, NONE, NONE, 100, 100)

typedef struct {
    const char *heard;
    double confidence;        /* 0 in the table: 0.95 */
    const char *said;
    const char *page;         /* NULL: no page */
    const char *json;         /* SAME: as the turn before */
} turn_row_t;

typedef struct {
    const char *name;
    char menu;                /* 'b' burger, 'c' coffee */
    double threshold;
    const char *state;        /* dialog state at the end, NULL: not checked */
    turn_row_t turns[14];
} script_t;

static const script_t scripts[] = {
    { "the spec's example, read back and confirmed", 'b', 0, "confirmed", {
        { "two cheeseburgers no onions and a large coke", 0,
          "Two cheeseburgers, no onions, and a large Coke." MORE, NULL,
          ORDER("open", L_CHEESE2_NO_ONIONS ", " L_COKE_L, 907, 75, 982) },
        { "that's all", 0,
          "You have two cheeseburgers, no onions, and a large Coke. Your total is $9.82. Is that right?",
          NULL, SAME },
        { "yes", 0, THANKS, NULL,
          ORDER("confirmed", L_CHEESE2_NO_ONIONS ", " L_COKE_L, 907, 75, 982) },
        { "a cookie", 0, THANKS, NULL, SAME },
    } },
    { "a greeting changes nothing, pages nothing, confirms nothing", 'b', 0, "readback", {
        { "hello", 0, "What can I get you?", NULL, EMPTY("open") },
        { "hi there", 0, "What can I get you?", NULL, SAME },
        { "a cookie", 0, "A Cookie." MORE, NULL, ORDER("open", L_COOKIE, 99, 8, 107) },
        { "hello", 0, "Anything else?", NULL, SAME },
        { "that's all", 0, "You have a Cookie. Your total is $1.07. Is that right?", NULL, SAME },
        { "good morning", 0, "You have a Cookie. Your total is $1.07. Is that right?", NULL, SAME },
    } },
    { "two turns not understood in a row page out_of_menu", 'b', 0, "crew", {
        { "", 0, SORRY, NULL, EMPTY("open") },
        { "blah blah", 0, CREW, "out_of_menu", EMPTY("crew") },
        { "a cookie", 0, CREW, NULL, SAME },
        { "", 0, CREW, NULL, SAME },
    } },
    { "an understood turn resets the count", 'b', 0, "crew", {
        { "and", 0, SORRY, NULL, EMPTY("open") },
        { "a cookie", 0, "A Cookie." MORE, NULL, ORDER("open", L_COOKIE, 99, 8, 107) },
        { "no onions", 0, SORRY, NULL, SAME },
        { "a water", 0, "A Water." MORE, NULL, ORDER("open", L_COOKIE ", " L_WATER, 199, 16, 215) },
        { "   ", 0, SORRY, NULL, SAME },
        { "zero cheeseburgers", 0, CREW, "out_of_menu",
          ORDER("crew", L_COOKIE ", " L_WATER, 199, 16, 215) },
    } },
    { "a person asked for, even mid-order: nothing of the turn applies", 'b', 0, "crew", {
        { "a cookie", 0, "A Cookie." MORE, NULL, ORDER("open", L_COOKIE, 99, 8, 107) },
        { "two cheeseburgers and a manager", 0, CREW, "human_request",
          ORDER("crew", L_COOKIE, 99, 8, 107) },
        { "yes", 0, CREW, NULL, SAME },
    } },
    { "a quantity above max_quantity pages; that line is not added", 'b', 0, "crew", {
        { "ten waters", 0, "Ten waters." MORE, NULL,
          ORDER("open", LINE("Water", 10, NOSIZE, NONE, NONE, 100, 1000), 1000, 83, 1083) },
        { "a cookie and eleven cheeseburgers", 0, CREW, "quantity_limit",
          ORDER("crew", LINE("Water", 10, NOSIZE, NONE, NONE, 100, 1000) ", " L_COOKIE, 1099, 91, 1190) },
    } },
    { "eighteen thousand", 'b', 0, "crew", {
        { "eighteen thousand cheeseburgers", 0, CREW, "quantity_limit", EMPTY("crew") },
    } },
    { "make that eleven pages and keeps the line", 'b', 0, "crew", {
        { "a cookie", 0, "A Cookie." MORE, NULL, ORDER("open", L_COOKIE, 99, 8, 107) },
        { "make that eleven", 0, CREW, "quantity_limit", ORDER("crew", L_COOKIE, 99, 8, 107) },
    } },
    { "low confidence pages, nothing applied", 'b', 0.5, "crew", {
        { "a cookie", 0.6, "A Cookie." MORE, NULL, ORDER("open", L_COOKIE, 99, 8, 107) },
        { "a water", 0.3, CREW, "low_confidence", ORDER("crew", L_COOKIE, 99, 8, 107) },
    } },
    { "a zero threshold never pages for confidence", 'b', 0, "ordering", {
        { "a cookie", 0.01, "A Cookie." MORE, NULL, ORDER("open", L_COOKIE, 99, 8, 107) },
    } },
    { "sold out: refused, the rest applies", 'b', 0, "ordering", {
        { "an apple pie and a cookie", 0, "Sorry, we're out of apple pie. A Cookie." MORE, NULL,
          ORDER("open", L_COOKIE, 99, 8, 107) },
        { "apple pie", 0, "Sorry, we're out of apple pie." MORE, NULL, SAME },
    } },
    { "a missing size is asked, the answer applies to that line", 'b', 0, "readback", {
        { "chicken nuggets", 0,
          "What size would you like for the chicken nuggets: small, medium or large?", NULL,
          ORDER("open", LINE("Chicken Nuggets", 1, NOSIZE, NONE, NONE, 0, 0), 0, 0, 0) },
        { "a cookie", 0,
          "A Cookie. What size would you like for the chicken nuggets: small, medium or large?", NULL,
          ORDER("open", LINE("Chicken Nuggets", 1, NOSIZE, NONE, NONE, 0, 0) ", " L_COOKIE, 99, 8, 107) },
        { "yes", 0, "What size would you like for the chicken nuggets: small, medium or large?", NULL,
          SAME },
        { "large", 0, "A large Chicken Nuggets." MORE, NULL,
          ORDER("open", LINE("Chicken Nuggets", 1, SZ("large"), NONE, NONE, 599, 599) ", " L_COOKIE,
                698, 58, 756) },
        { "no", 0, "You have a large Chicken Nuggets and a Cookie. Your total is $7.56. Is that right?",
          NULL, SAME },
    } },
    { "a size the item does not sell is asked again", 'b', 0, "ordering", {
        { "a large orange juice", 0, "What size would you like for the orange juice: small or medium?",
          NULL, ORDER("open", LINE("Orange Juice", 1, NOSIZE, NONE, NONE, 0, 0), 0, 0, 0) },
        { "large", 0, "What size would you like for the orange juice: small or medium?", NULL, SAME },
        { "small orange juice", 0, "A small Orange Juice." MORE, NULL,
          ORDER("open", LINE("Orange Juice", 1, SZ("small"), NONE, NONE, 199, 199), 199, 16, 215) },
    } },
    { "a combo's drink is asked; the answer is the choice, not a new line", 'b', 0, "ordering", {
        { "a number one", 0, "Which drink would you like with the number one: " DRINKS, NULL,
          ORDER("open", LINE("Number One", 1, NOSIZE, NONE, NONE, 899, 899), 899, 74, 973) },
        { "a sprite", 0, "A Number One with a Sprite." MORE, NULL,
          ORDER("open", LINE("Number One", 1, NOSIZE, NONE, DRINK("Sprite"), 899, 899), 899, 74, 973) },
        { "a sprite", 0, "What size would you like for the sprite: small, medium or large?", NULL,
          ORDER("open", LINE("Number One", 1, NOSIZE, NONE, DRINK("Sprite"), 899, 899) ", "
                LINE("Sprite", 1, NOSIZE, NONE, NONE, 0, 0), 899, 74, 973) },
        { "medium", 0, "A medium Sprite." MORE, NULL,
          ORDER("open", LINE("Number One", 1, NOSIZE, NONE, DRINK("Sprite"), 899, 899) ", "
                LINE("Sprite", 1, SZ("medium"), NONE, NONE, 179, 179), 1078, 89, 1167) },
    } },
    { "one question at a time, in the order of the lines; closing waits for answers", 'b', 0,
      "readback", {
        { "a number one and a coke that's all", 0,
          "Which drink would you like with the number one: " DRINKS, NULL,
          ORDER("open", LINE("Number One", 1, NOSIZE, NONE, NONE, 899, 899) ", "
                LINE("Coke", 1, NOSIZE, NONE, NONE, 0, 0), 899, 74, 973) },
        { "iced tea", 0, "A Number One with an Iced Tea. " COKE_SIZE, NULL,
          ORDER("open", LINE("Number One", 1, NOSIZE, NONE, DRINK("Iced Tea"), 899, 899) ", "
                LINE("Coke", 1, NOSIZE, NONE, NONE, 0, 0), 899, 74, 973) },
        { "small", 0,
          "A small Coke. You have a Number One with an Iced Tea and a small Coke. Your total is $11.34. "
          "Is that right?", NULL,
          ORDER("open", LINE("Number One", 1, NOSIZE, NONE, DRINK("Iced Tea"), 899, 899) ", "
                LINE("Coke", 1, SZ("small"), NONE, NONE, 149, 149), 1048, 86, 1134) },
    } },
    { "changes: size, quantity, remove, cancel, start over", 'b', 0, "ordering", {
        { "a large coke and fries", 0, "A large Coke and a medium Fries." MORE, NULL,
          ORDER("open", L_COKE_L ", " LINE("Fries", 1, SZ("medium"), NONE, NONE, 229, 229), 438, 36, 474) },
        { "make the fries large", 0, "OK, a large Fries." MORE, NULL,
          ORDER("open", L_COKE_L ", " LINE("Fries", 1, SZ("large"), NONE, NONE, 279, 279), 488, 40, 528) },
        { "make the coke two", 0, "OK, two large cokes." MORE, NULL,
          ORDER("open", LINE("Coke", 2, SZ("large"), NONE, NONE, 209, 418) ", "
                LINE("Fries", 1, SZ("large"), NONE, NONE, 279, 279), 697, 58, 755) },
        { "remove the fries", 0, "OK, I took off a large Fries." MORE, NULL,
          ORDER("open", LINE("Coke", 2, SZ("large"), NONE, NONE, 209, 418), 418, 34, 452) },
        { "no fries", 0, "There's no fries in your order." MORE, NULL, SAME },
        { "cancel that", 0, "OK, I took that back." MORE, NULL,
          ORDER("open", LINE("Coke", 2, SZ("large"), NONE, NONE, 209, 418) ", "
                LINE("Fries", 1, SZ("large"), NONE, NONE, 279, 279), 697, 58, 755) },
        { "cancel that", 0, "There's nothing to take back." MORE, NULL, SAME },
        { "start over", 0, "OK, let's start over. What can I get you?", NULL, EMPTY("open") },
        { "that's all", 0, "Your order is empty. What can I get you?", NULL, SAME },
        { "make it a large", 0, "Your order is empty. What can I get you?", NULL, SAME },
    } },
    { "replace keeps qty, size and the options the new item takes", 'b', 0, "ordering", {
        { "two large cokes with no ice and a cookie", 0, "Two large cokes, no ice, and a Cookie." MORE,
          NULL,
          ORDER("open", LINE("Coke", 2, SZ("large"), OPT("ice", "no"), NONE, 209, 418) ", " L_COOKIE,
                517, 43, 560) },
        { "actually make the coke an iced tea", 0, "OK, two large iced teas, no ice." MORE, NULL,
          ORDER("open", LINE("Iced Tea", 2, SZ("large"), OPT("ice", "no"), NONE, 199, 398) ", " L_COOKIE,
                497, 41, 538) },
        { "make the cookie a water", 0, "OK, a Water." MORE, NULL,
          ORDER("open", LINE("Iced Tea", 2, SZ("large"), OPT("ice", "no"), NONE, 199, 398) ", " L_WATER,
                498, 41, 539) },
        { "a cheeseburger", 0, "A Cheeseburger." MORE, NULL,
          ORDER("open", LINE("Iced Tea", 2, SZ("large"), OPT("ice", "no"), NONE, 199, 398) ", " L_WATER
                ", " LINE("Cheeseburger", 1, NOSIZE, NONE, NONE, 349, 349), 847, 70, 917) },
        { "make the cheeseburger a coke", 0, COKE_SIZE, NULL,
          ORDER("open", LINE("Iced Tea", 2, SZ("large"), OPT("ice", "no"), NONE, 199, 398) ", " L_WATER
                ", " LINE("Coke", 1, NOSIZE, NONE, NONE, 0, 0), 498, 41, 539) },
        { "medium", 0, "A medium Coke." MORE, NULL,
          ORDER("open", LINE("Iced Tea", 2, SZ("large"), OPT("ice", "no"), NONE, 199, 398) ", " L_WATER
                ", " LINE("Coke", 1, SZ("medium"), NONE, NONE, 179, 179), 677, 56, 733) },
    } },
    { "a combo's drink replaced by name", 'b', 0, "ordering", {
        { "a number one with a coke", 0, "A Number One with a Coke." MORE, NULL,
          ORDER("open", LINE("Number One", 1, NOSIZE, NONE, DRINK("Coke"), 899, 899), 899, 74, 973) },
        { "make the coke a sprite", 0, "OK, a Number One with a Sprite." MORE, NULL,
          ORDER("open", LINE("Number One", 1, NOSIZE, NONE, DRINK("Sprite"), 899, 899), 899, 74, 973) },
        { "make the sprite a water", 0,
          "The number one comes with Coke, Diet Coke, Sprite, Root Beer, Iced Tea or Lemonade." MORE, NULL,
          SAME },
    } },
    { "the same line corrected twice pages repeated_corrections", 'b', 0, "crew", {
        { "a cheeseburger and a cookie", 0, "A Cheeseburger and a Cookie." MORE, NULL,
          ORDER("open", LINE("Cheeseburger", 1, NOSIZE, NONE, NONE, 349, 349) ", " L_COOKIE, 448, 37, 485) },
        { "make the cheeseburger two", 0, "OK, two cheeseburgers." MORE, NULL,
          ORDER("open", LINE("Cheeseburger", 2, NOSIZE, NONE, NONE, 349, 698) ", " L_COOKIE, 797, 66, 863) },
        { "make the cookie two", 0, "OK, two cookies." MORE, NULL,
          ORDER("open", LINE("Cheeseburger", 2, NOSIZE, NONE, NONE, 349, 698) ", "
                LINE("Cookie", 2, NOSIZE, NONE, NONE, 99, 198), 896, 74, 970) },
        { "make the cheeseburger a hamburger", 0, CREW, "repeated_corrections",
          ORDER("crew", LINE("Hamburger", 2, NOSIZE, NONE, NONE, 299, 598) ", "
                LINE("Cookie", 2, NOSIZE, NONE, NONE, 99, 198), 796, 66, 862) },
    } },
    { "\"that\" is the line most recently added or changed", 'b', 0, "crew", {
        { "a cheeseburger and a cookie", 0, "A Cheeseburger and a Cookie." MORE, NULL,
          ORDER("open", LINE("Cheeseburger", 1, NOSIZE, NONE, NONE, 349, 349) ", " L_COOKIE, 448, 37, 485) },
        { "make the cheeseburger two", 0, "OK, two cheeseburgers." MORE, NULL,
          ORDER("open", LINE("Cheeseburger", 2, NOSIZE, NONE, NONE, 349, 698) ", " L_COOKIE, 797, 66, 863) },
        { "make that three", 0, CREW, "repeated_corrections",
          ORDER("crew", LINE("Cheeseburger", 3, NOSIZE, NONE, NONE, 349, 1047) ", " L_COOKIE, 1146, 95, 1241) },
    } },
    { "\"make it a large\" answering the size question is no correction", 'b', 0, "crew", {
        { "a coke", 0, COKE_SIZE, NULL, ORDER("open", LINE("Coke", 1, NOSIZE, NONE, NONE, 0, 0), 0, 0, 0) },
        { "make it a large", 0, "A large Coke." MORE, NULL, ORDER("open", L_COKE_L, 209, 17, 226) },
        { "make it a small", 0, "OK, a small Coke." MORE, NULL,
          ORDER("open", LINE("Coke", 1, SZ("small"), NONE, NONE, 149, 149), 149, 12, 161) },
        { "make it a medium", 0, CREW, "repeated_corrections",
          ORDER("crew", LINE("Coke", 1, SZ("medium"), NONE, NONE, 179, 179), 179, 15, 194) },
    } },
    { "\"make it a sprite\" answering the drink question", 'b', 0, "ordering", {
        { "a number one", 0, "Which drink would you like with the number one: " DRINKS, NULL,
          ORDER("open", LINE("Number One", 1, NOSIZE, NONE, NONE, 899, 899), 899, 74, 973) },
        { "make it a sprite", 0, "A Number One with a Sprite." MORE, NULL,
          ORDER("open", LINE("Number One", 1, NOSIZE, NONE, DRINK("Sprite"), 899, 899), 899, 74, 973) },
        { "a kids meal", 0, "Which drink would you like with the kids meal: Milk, Orange Juice or Water?",
          NULL,
          ORDER("open", LINE("Number One", 1, NOSIZE, NONE, DRINK("Sprite"), 899, 899) ", "
                LINE("Kids Meal", 1, NOSIZE, NONE, NONE, 499, 499), 1398, 115, 1513) },
        { "make it a cookie", 0, "OK, a Cookie." MORE, NULL,
          ORDER("open", LINE("Number One", 1, NOSIZE, NONE, DRINK("Sprite"), 899, 899) ", " L_COOKIE,
                998, 82, 1080) },
    } },
    { "the asked item said again is a repeat, not a second line", 'b', 0, "ask_size", {
        { "a coke", 0, COKE_SIZE, NULL, ORDER("open", LINE("Coke", 1, NOSIZE, NONE, NONE, 0, 0), 0, 0, 0) },
        { "a coke", 0, COKE_SIZE, NULL, SAME },
        { "a coke please", 0, COKE_SIZE, NULL, SAME },
        { "a large coke", 0, "A large Coke." MORE, NULL, ORDER("open", L_COKE_L, 209, 17, 226) },
        { "a number one", 0, "Which drink would you like with the number one: " DRINKS, NULL,
          ORDER("open", L_COKE_L ", " LINE("Number One", 1, NOSIZE, NONE, NONE, 899, 899), 1108, 91, 1199) },
        { "a number one with a root beer", 0, "A Number One with a Root Beer." MORE, NULL,
          ORDER("open", L_COKE_L ", " LINE("Number One", 1, NOSIZE, NONE, DRINK("Root Beer"), 899, 899),
                1108, 91, 1199) },
        { "a coke", 0, COKE_SIZE, NULL,
          ORDER("open", L_COKE_L ", " LINE("Number One", 1, NOSIZE, NONE, DRINK("Root Beer"), 899, 899)
                ", " LINE("Coke", 1, NOSIZE, NONE, NONE, 0, 0), 1108, 91, 1199) },
    } },
    { "\"make it X\" after a combo changes its choice when X is one", 'c', 0, "ordering", {
        { "a breakfast deal with a bagel", 0, "A Coffee And Pastry with a Bagel." MORE, NULL,
          ORDER("open", LINE("Coffee And Pastry", 1, NOSIZE, NONE, "\"pastry\": \"Bagel\"", 495, 495),
                495, 35, 530) },
        { "make it a croissant", 0, "OK, a Coffee And Pastry with a Croissant." MORE, NULL,
          ORDER("open", LINE("Coffee And Pastry", 1, NOSIZE, NONE, "\"pastry\": \"Croissant\"", 495, 495),
                495, 35, 530) },
    } },
    { "replace: a size the new item does not sell is asked", 'b', 0, "ordering", {
        { "a large coke", 0, "A large Coke." MORE, NULL, ORDER("open", L_COKE_L, 209, 17, 226) },
        { "make the coke an orange juice", 0,
          "What size would you like for the orange juice: small or medium?", NULL,
          ORDER("open", LINE("Orange Juice", 1, NOSIZE, NONE, NONE, 0, 0), 0, 0, 0) },
        { "medium", 0, "A medium Orange Juice." MORE, NULL,
          ORDER("open", LINE("Orange Juice", 1, SZ("medium"), NONE, NONE, 249, 249), 249, 21, 270) },
        { "make the number one a sprite", 0, "There's no number one in your order." MORE, NULL, SAME },
        { "a number one with a coke", 0, "A Number One with a Coke." MORE, NULL,
          ORDER("open", LINE("Orange Juice", 1, SZ("medium"), NONE, NONE, 249, 249) ", "
                LINE("Number One", 1, NOSIZE, NONE, DRINK("Coke"), 899, 899), 1148, 95, 1243) },
        { "make the number one a sprite", 0, "OK, a Number One with a Sprite." MORE, NULL,
          ORDER("open", LINE("Orange Juice", 1, SZ("medium"), NONE, NONE, 249, 249) ", "
                LINE("Number One", 1, NOSIZE, NONE, DRINK("Sprite"), 899, 899), 1148, 95, 1243) },
    } },
    { "one turn with two changes to a line counts once", 'b', 0, "ordering", {
        { "a coke", 0, COKE_SIZE, NULL, ORDER("open", LINE("Coke", 1, NOSIZE, NONE, NONE, 0, 0), 0, 0, 0) },
        { "large", 0, "A large Coke." MORE, NULL, ORDER("open", L_COKE_L, 209, 17, 226) },
        { "make it two small", 0, "OK, two small cokes." MORE, NULL,
          ORDER("open", LINE("Coke", 2, SZ("small"), NONE, NONE, 149, 298), 298, 25, 323) },
    } },
    { "read back: no, change, read back, yes", 'b', 0, "confirmed", {
        { "a cookie", 0, "A Cookie." MORE, NULL, ORDER("open", L_COOKIE, 99, 8, 107) },
        { "that's all", 0, "You have a Cookie. Your total is $1.07. Is that right?", NULL, SAME },
        { "no", 0, "Sorry about that. What would you like to change?", NULL, SAME },
        { "make it two", 0, "OK, two cookies." MORE, NULL,
          ORDER("open", LINE("Cookie", 2, NOSIZE, NONE, NONE, 99, 198), 198, 16, 214) },
        { "no", 0, "You have two cookies. Your total is $2.14. Is that right?", NULL, SAME },
        { "that's it", 0, "You have two cookies. Your total is $2.14. Is that right?", NULL, SAME },
        { "yeah", 0, THANKS, NULL,
          ORDER("confirmed", LINE("Cookie", 2, NOSIZE, NONE, NONE, 99, 198), 198, 16, 214) },
    } },
    { "read back: a new item is applied and read back again", 'b', 0, "readback", {
        { "a cookie that's all", 0, "A Cookie. You have a Cookie. Your total is $1.07. Is that right?",
          NULL, ORDER("open", L_COOKIE, 99, 8, 107) },
        { "yes and a water", 0,
          "A Water. You have a Cookie and a Water. Your total is $2.15. Is that right?", NULL,
          ORDER("open", L_COOKIE ", " L_WATER, 199, 16, 215) },
        { "a diet coke", 0, "What size would you like for the diet coke: small, medium or large?", NULL,
          ORDER("open", L_COOKIE ", " L_WATER ", " LINE("Diet Coke", 1, NOSIZE, NONE, NONE, 0, 0), 199, 16, 215) },
        { "a kids", 0,
          "A small Diet Coke. You have a Cookie, a Water, and a small Diet Coke. Your total is $3.77. "
          "Is that right?", NULL,
          ORDER("open", L_COOKIE ", " L_WATER ", " LINE("Diet Coke", 1, SZ("small"), NONE, NONE, 149, 149),
                348, 29, 377) },
    } },
    { "yes and no while ordering", 'b', 0, "readback", {
        { "yes", 0, "What else can I get you?", NULL, EMPTY("open") },
        { "no", 0, "Your order is empty. What can I get you?", NULL, SAME },
        { "a water", 0, "A Water." MORE, NULL, ORDER("open", L_WATER, 100, 8, 108) },
        { "yes", 0, "What else can I get you?", NULL, SAME },
        { "no thanks", 0, "You have a Water. Your total is $1.08. Is that right?", NULL, SAME },
    } },
    { "options: off, extra, added, in the menu's order", 'b', 0, "ordering", {
        { "a hamburger with extra bacon no onions and pickles", 0,
          "A Hamburger, no onions, no pickles, extra bacon." MORE, NULL,
          ORDER("open", LINE("Hamburger", 1, NOSIZE, OPT("onions", "no") ", " OPT("pickles", "no") ", "
                OPT("bacon", "extra"), NONE, 499, 499), 499, 41, 540) },
        { "a bacon cheeseburger", 0, "A Cheeseburger with bacon." MORE, NULL,
          ORDER("open", LINE("Hamburger", 1, NOSIZE, OPT("onions", "no") ", " OPT("pickles", "no") ", "
                OPT("bacon", "extra"), NONE, 499, 499) ", "
                LINE("Cheeseburger", 1, NOSIZE, OPT("bacon", "normal"), NONE, 449, 449), 948, 78, 1026) },
    } },
    { "cancel that in the same turn takes back that turn", 'b', 0, "ordering", {
        { "a cookie", 0, "A Cookie." MORE, NULL, ORDER("open", L_COOKIE, 99, 8, 107) },
        { "a water cancel that", 0, "OK, I took that back." MORE, NULL, SAME },
        { "cancel that", 0, "OK, I took that back. What can I get you?", NULL, EMPTY("open") },
    } },
    { "coffee menu", 'c', 0, "confirmed", {
        { "a grande latte with a splash of oat milk and a breakfast deal", 0,
          "A medium Latte, light oat milk. Which pastry would you like with the coffee and pastry: "
          "Croissant, Blueberry Muffin or Bagel?", NULL,
          ORDER("open", LINE("Latte", 1, SZ("medium"), OPT("oat milk", "light"), NONE, 395, 395) ", "
                LINE("Coffee And Pastry", 1, NOSIZE, NONE, NONE, 495, 495), 890, 62, 952) },
        { "a muffin", 0, "A Coffee And Pastry with a Blueberry Muffin." MORE, NULL,
          ORDER("open", LINE("Latte", 1, SZ("medium"), OPT("oat milk", "light"), NONE, 395, 395) ", "
                LINE("Coffee And Pastry", 1, NOSIZE, NONE, "\"pastry\": \"Blueberry Muffin\"", 495, 495),
                890, 62, 952) },
        { "that's all", 0,
          "You have a medium Latte, light oat milk, and a Coffee And Pastry with a Blueberry Muffin. "
          "Your total is $9.52. Is that right?", NULL, SAME },
        { "correct", 0, THANKS, NULL,
          ORDER("confirmed", LINE("Latte", 1, SZ("medium"), OPT("oat milk", "light"), NONE, 395, 395) ", "
                LINE("Coffee And Pastry", 1, NOSIZE, NONE, "\"pastry\": \"Blueberry Muffin\"", 495, 495),
                890, 62, 952) },
    } },
};

#include "sample_menus.h"

static void test_scripts(void **state)
{
    menus_t *ms = *state;
    int bad = 0;
    for (size_t s = 0; s < sizeof scripts / sizeof scripts[0]; s++) {
        const script_t *sc = &scripts[s];
        dialog_config_t cfg = { .confidence_threshold = sc->threshold };
        dialog_t *d = dialog_create(sc->menu == 'c' ? ms->coffee : ms->burger, &cfg);
        const char *want_json = NULL;
        for (int t = 0; t < 14 && sc->turns[t].said; t++) {
            const turn_row_t *r = &sc->turns[t];
            hearing_t h = { .heard = r->heard, .free_text = "free text",
                            .confidence = r->confidence > 0 ? r->confidence : 0.95 };
            dialog_effects_t fx;
            dialog_hear(d, &h, &fx);
            if (r->json) want_json = r->json;
            strbuf_t j = {0};
            order_json(dialog_order(d), &j);
            const char *page = fx.page == PAGE_NONE ? NULL : page_reason_names[fx.page];
            int ok = strcmp(fx.said, r->said) == 0 && strcmp(strbuf_cstr(&j), want_json) == 0 &&
                     ((!page && !r->page) || (page && r->page && strcmp(page, r->page) == 0));
            if (!ok) {
                fprintf(stderr, "%s, turn %d \"%s\":\n", sc->name, t + 1, r->heard);
                fprintf(stderr, "   said %s\n   want %s\n", fx.said, r->said);
                fprintf(stderr, "   page %s, want %s\n", page ? page : "-", r->page ? r->page : "-");
                fprintf(stderr, "   json %s\n   want %s\n", strbuf_cstr(&j), want_json);
                bad++;
            }
            strbuf_free(&j);
            assert_int_equal(dialog_turns(d), t + 1);
        }
        if (sc->state && strcmp(dialog_state_names[dialog_state(d)], sc->state) != 0) {
            fprintf(stderr, "%s: ends in state %s, want %s\n", sc->name,
                    dialog_state_names[dialog_state(d)], sc->state);
            bad++;
        }
        dialog_free(d);
    }
    if (bad) fail_msg("%d turns differ", bad);
}

static void hear(dialog_t *d, const char *heard, dialog_effects_t *fx)
{
    hearing_t h = { .heard = heard, .free_text = "", .confidence = 0.9 };
    dialog_hear(d, &h, fx);
}

static void test_greeting_and_turns(void **state)
{
    menus_t *ms = *state;
    dialog_t *d = dialog_create(ms->coffee, NULL);
    assert_string_equal(dialog_greeting(d), "Welcome to Bean Counter Coffee! What can I get you?");
    dialog_free(d);
    d = dialog_create(ms->burger, NULL);
    assert_string_equal(dialog_greeting(d), "Welcome to Burger Barn! What can I get you?");
    assert_int_equal(dialog_state(d), DIALOG_ORDERING);
    assert_int_equal(dialog_turns(d), 0);

    /* lines record the turn that added them */
    dialog_effects_t fx;
    hear(d, "a cookie", &fx);
    hear(d, "", &fx);
    hear(d, "a water and a coke", &fx);
    assert_int_equal(dialog_state(d), DIALOG_ASK_SIZE);
    const order_t *o = dialog_order(d);
    assert_int_equal(o->nlines, 3);
    assert_int_equal(o->lines[0].turn, 1);
    assert_int_equal(o->lines[1].turn, 3);
    assert_int_equal(o->lines[2].turn, 3);
    assert_int_equal(dialog_turns(d), 3);
    dialog_free(d);
    dialog_free(NULL);

    assert_string_equal(page_reason_names[PAGE_DEVICE_FAULT], "device_fault");
    assert_string_equal(dialog_state_names[DIALOG_CANCELLED], "cancelled");
}

/* The question the next turn answers follows the state (dialog_question),
 * for the recogniser's answer grammar. */
static void test_question(void **state)
{
    menus_t *ms = *state;
    const menu_t *m = ms->burger;
    dialog_t *d = dialog_create(m, NULL);
    dialog_effects_t fx;
    menu_ask_t q;
    dialog_question(d, &q);
    assert_int_equal(q.kind, MENU_ASK_NONE);
    hear(d, "chicken nuggets", &fx);
    dialog_question(d, &q);
    assert_int_equal(q.kind, MENU_ASK_SIZE);
    assert_int_equal(q.item, menu_item_find(m, "Chicken Nuggets"));
    hear(d, "large", &fx);
    dialog_question(d, &q);
    assert_int_equal(q.kind, MENU_ASK_NONE);
    hear(d, "a number one", &fx);
    dialog_question(d, &q);
    assert_int_equal(q.kind, MENU_ASK_CHOICE);
    assert_int_equal(q.item, menu_item_find(m, "Number One"));
    assert_int_equal(q.choice, 0);
    hear(d, "sprite", &fx);
    hear(d, "that's all", &fx);
    dialog_question(d, &q);
    assert_int_equal(q.kind, MENU_ASK_YESNO);
    hear(d, "yes", &fx);
    dialog_question(d, &q);
    assert_int_equal(q.kind, MENU_ASK_NONE);
    dialog_free(d);
}

/* Bad and big input: a re-ask, then a page; never a crash or a guessed line. */
static void test_bad_input(void **state)
{
    menus_t *ms = *state;
    dialog_effects_t fx;
    strbuf_t b = {0};

    dialog_t *d = dialog_create(ms->burger, NULL);
    hearing_t h = { .heard = NULL, .free_text = NULL, .confidence = 0 };
    dialog_hear(d, &h, &fx);
    assert_string_equal(fx.said, SORRY);
    assert_int_equal(fx.page, PAGE_NONE);

    for (int i = 0; i < 1000; i++) strbuf_append(&b, "a coke and ");
    hear(d, strbuf_cstr(&b), &fx);
    assert_string_equal(fx.said, CREW);
    assert_int_equal(fx.page, PAGE_OUT_OF_MENU);
    assert_int_equal(dialog_order(d)->nlines, 0);
    /* crew: a thousand more turns change nothing and page no more */
    for (int i = 0; i < 1000; i++) {
        hear(d, "a cookie", &fx);
        assert_int_equal(fx.page, PAGE_NONE);
    }
    assert_int_equal(dialog_order(d)->nlines, 0);
    assert_int_equal(dialog_turns(d), 1002);
    dialog_free(d);

    /* very long input, one word */
    d = dialog_create(ms->burger, NULL);
    strbuf_reset(&b);
    for (int i = 0; i < 200000; i++) strbuf_append(&b, "z");
    hear(d, strbuf_cstr(&b), &fx);
    assert_string_equal(fx.said, SORRY);
    /* the same order many times over, a turn at a time: the order grows, no page */
    for (int i = 0; i < 1000; i++) {
        hear(d, "two cookies", &fx);
        assert_int_equal(fx.page, PAGE_NONE);
    }
    assert_int_equal(dialog_order(d)->nlines, 1000);
    assert_int_equal(order_subtotal_cents(dialog_order(d)), 198000);
    /* quantities at the edges */
    hear(d, "ten cookies", &fx);
    assert_int_equal(fx.page, PAGE_NONE);
    hear(d, "eleven cookies", &fx);
    assert_int_equal(fx.page, PAGE_QUANTITY_LIMIT);
    assert_int_equal(dialog_order(d)->nlines, 1001);
    assert_int_equal(dialog_order(d)->status, ORDER_CREW);
    dialog_free(d);

    /* a confidence that is not a number pages as low */
    dialog_config_t cfg = { .confidence_threshold = 0.5 };
    d = dialog_create(ms->burger, &cfg);
    hearing_t hn = { .heard = "a cookie", .free_text = "", .confidence = NAN };
    dialog_hear(d, &hn, &fx);
    assert_int_equal(fx.page, PAGE_LOW_CONFIDENCE);
    assert_int_equal(dialog_order(d)->nlines, 0);
    dialog_free(d);

    /* a lone size with nothing ordered */
    d = dialog_create(ms->burger, NULL);
    hear(d, "large", &fx);
    assert_string_equal(fx.said, "Your order is empty. What can I get you?");
    hear(d, "and and and", &fx);
    assert_string_equal(fx.said, SORRY);
    hear(d, "remove the fries", &fx);
    assert_string_equal(fx.said, "There's no fries in your order. What can I get you?");
    dialog_free(d);
    strbuf_free(&b);
}

/* Random turns from the words the grammar knows (a fixed seed, so the test is
 * the same every run): never a crash, and whatever happens, every line of the
 * order is one the menu allows. */
static void check_order(const menu_t *m, const order_t *o)
{
    for (int i = 0; i < o->nlines; i++) {
        const order_line_t *l = &o->lines[i];
        assert_true(l->item >= 0 && l->item < m->nitems);
        assert_true(m->items[l->item].available);
        assert_true(l->qty >= 1 && l->qty <= m->max_quantity);
        assert_true(l->size == -1 || menu_item_has_size(m, l->item, l->size));
        for (int k = 0; k < m->noptions; k++)
            assert_true(l->amount[k] == -1 || menu_item_takes_option(m, l->item, k));
        const menu_item_t *it = &m->items[l->item];
        for (int k = 0; k < ORDER_MAX_CHOICES; k++) {
            if (l->choice[k] < 0) continue;
            assert_true(k < it->nchoose);
            int ok = 0;
            for (int j = 0; j < it->choose[k].nitems; j++) ok |= it->choose[k].items[j] == l->choice[k];
            assert_true(ok);
        }
    }
}

static void test_fuzz(void **state)
{
    menus_t *ms = *state;
    static const char *const words[] = {
        "a", "an", "the", "and", "with", "no", "yes", "please", "make", "that", "it", "them",
        "remove", "take", "off", "cancel", "start", "over", "actually", "that's", "all", "two",
        "eleven", "hundred", "thousand", "large", "small", "medium", "regular", "extra",
        "without", "hold", "a lot of", "a bit of", "onions", "cheese", "bacon", "ice", "coke",
        "cokes", "sprite", "fries", "cheeseburger", "cheese burger", "burger", "number one",
        "kids meal", "milk", "orange juice", "apple pie", "chicken nuggets", "iced tea", "big",
        "stack", "can i get", "thanks", "nope", "it's", "sugar", "cream", "coffee", "water",
    };
    const int nwords = (int)(sizeof words / sizeof words[0]);
    unsigned long seed = 12345;
    dialog_config_t cfg = { .confidence_threshold = 0 };
    for (int car = 0; car < 300; car++) {
        dialog_t *d = dialog_create(ms->burger, &cfg);
        for (int turn = 0; turn < 12; turn++) {
            strbuf_t b = {0};
            seed = seed * 6364136223846793005UL + 1442695040888963407UL;
            int n = (int)((seed >> 33) % 7);
            for (int i = 0; i < n; i++) {
                seed = seed * 6364136223846793005UL + 1442695040888963407UL;
                if (i) strbuf_append(&b, " ");
                strbuf_append(&b, words[(seed >> 33) % (unsigned long)nwords]);
            }
            hearing_t h = { .heard = strbuf_cstr(&b), .free_text = "", .confidence = 0.9 };
            dialog_effects_t fx;
            dialog_hear(d, &h, &fx);
            assert_non_null(fx.said);
            assert_true(fx.said[0] != '\0');
            check_order(ms->burger, dialog_order(d));
            strbuf_free(&b);
        }
        dialog_free(d);
    }
}

/* The paging policy as a table of hearings: what the grammar heard, its
 * confidence and the free pass's text, after an optional first turn heard
 * clearly; then the page the turn must raise (NULL: none), the order's status
 * and how many lines it holds. */
typedef struct {
    char menu;                /* 'b' burger, 'c' coffee */
    double threshold;
    const char *before;       /* a first turn at confidence 0.95, or NULL */
    const char *heard;
    double confidence;
    const char *free_text;
    const char *page;
    const char *status;
    int nlines;
} policy_row_t;

static const policy_row_t policy[] = {
    /* confidence against the threshold */
    { 'b', 0.5, NULL, "a cookie", 0.9, "a cookie", NULL, "open", 1 },
    { 'b', 0.5, NULL, "a cookie", 0.5, "a cookie", NULL, "open", 1 },
    { 'b', 0.5, NULL, "a cookie", 0.4999, "a cookie", "low_confidence", "crew", 0 },
    { 'b', 0.5, NULL, "a cookie", 0.05, "", "low_confidence", "crew", 0 },
    { 'b', 0.5, NULL, "a cookie", NAN, "a cookie", "low_confidence", "crew", 0 },
    { 'b', 0.0, NULL, "a cookie", 0.05, "a cookie", NULL, "open", 1 },
    { 'b', 0.9, NULL, "a cookie", 0.85, "a cookie", "low_confidence", "crew", 0 },
    /* a doubtful turn adds none of its lines; what came before stays for the crew */
    { 'b', 0.5, "a cookie", "two waters and a large coke", 0.3, "", "low_confidence", "crew", 1 },
    /* a request for a person: in the grammar's words or only in the free text,
     * whatever the confidence, and nothing else of the turn is applied */
    { 'b', 0.5, NULL, "i want to talk to a manager", 0.95, "", "human_request", "crew", 0 },
    { 'b', 0.5, NULL, "i want to talk to a manager", 0.1, "", "human_request", "crew", 0 },
    { 'b', 0.5, NULL, "", 0.0, "is there a real person i can talk to", "human_request", "crew", 0 },
    { 'b', 0.5, NULL, "two cookies", 0.95, "two cookies and get me a manager", "human_request", "crew", 0 },
    { 'b', 0.5, NULL, "a sprite", 0.2, "i want to speak to someone", "human_request", "crew", 0 },
    { 'b', 0.5, "a cookie", "a water", 0.9, "can somebody help me", "human_request", "crew", 1 },
    { 'b', 0.5, NULL, "a cookie", 0.95, "uh HUMAN please", "human_request", "crew", 0 },
    { 'b', 0.5, NULL, "", 0.0, "get me a team member", "human_request", "crew", 0 },   /* the menu's human: */
    { 'c', 0.5, NULL, "a latte", 0.95, "a latte for my team member", NULL, "open", 1 },  /* not coffee's */
    { 'b', 0.5, NULL, "a cookie", 0.95, "a personal pan pizza", NULL, "open", 1 },      /* whole words */
    { 'b', 0.5, NULL, "a cookie", 0.95, "the humane society", NULL, "open", 1 },
    { 'b', 0.5, NULL, "", 0.0, "can i talk to a real tears in", "human_request", "crew", 0 },
    { 'b', 0.5, NULL, "a cookie", 0.95, "a cookie and i'll talk to you later", NULL, "open", 1 },
    /* one word of a request in a long free text (DIALOG_HUMAN_LONE): only
     * when the grammar is not sure of an order */
    { 'b', 0.5, NULL, "a double cheeseburger", 0.95, "oh boy get a double cheese us person", NULL, "open", 1 },
    { 'b', 0.5, NULL, "a double cheeseburger", 0.3, "oh boy get a double cheese us person", "human_request", "crew", 0 },
    { 'b', 0.5, NULL, "", 0.0, "manager was i'd cheese burgers winner", "human_request", "crew", 0 },
    { 'b', 0.5, NULL, "blah blah", 0.95, "who did the house has help me", "human_request", "crew", 0 },
    { 'b', 0.0, NULL, "a cookie", 0.05, "who did the cookie has help me", NULL, "open", 1 },
    { 'b', 0.5, NULL, "a cookie", 0.95, "a cookie and get me the manager", "human_request", "crew", 0 },
    { 'b', 0.5, NULL, "a cookie", 0.95, "a cookie please and a person", "human_request", "crew", 0 },
    { 'b', 0.5, NULL, "a cookie", 0.95, "cookie help", "human_request", "crew", 0 },
    /* a question the kiosk cannot answer, in the free text: out_of_menu at
     * once and nothing applied, however sure the grammar was of its nearest
     * order; a request for a person still comes first; question words later
     * in the sentence are no question */
    { 'b', 0.5, NULL, "salad please a large coke", 0.97, "how much is a large coke", "out_of_menu", "crew", 0 },
    { 'b', 0.5, "a cookie", "a cookie", 0.95, "uh do you have cookies", "out_of_menu", "crew", 1 },
    { 'b', 0.5, NULL, "", 0.0, "What comes on the big stack", "out_of_menu", "crew", 0 },
    { 'b', 0.5, NULL, "a cookie", 0.95, "is there a person there", "human_request", "crew", 0 },
    { 'b', 0.5, NULL, "a cookie", 0.95, "a cookie how much", NULL, "open", 1 },
    { 'b', 0.5, NULL, "a cookie", 0.95, "how about a cookie", NULL, "open", 1 },
    { 'b', 0.5, NULL, "a cookie", 0.95, "is therefore a cookie", NULL, "open", 1 },
    /* greetings alone in the free text: nothing the grammar made of them is
     * taken, nothing pages; not when the free text holds more */
    { 'b', 0.5, NULL, "fries", 0.84, "hi", NULL, "open", 0 },
    { 'b', 0.5, NULL, "a coke", 0.4, "hello", NULL, "open", 0 },
    { 'b', 0.5, NULL, "", 0.0, "good morning", NULL, "open", 0 },
    { 'b', 0.5, "a cookie", "no", 0.95, "uh hi there", NULL, "open", 1 },
    { 'b', 0.5, NULL, "a cookie", 0.95, "hi a cookie", NULL, "open", 1 },
    { 'b', 0.5, NULL, "fries", 0.84, "hi fries", NULL, "open", 1 },
    { 'b', 0.5, NULL, "two waters", 0.3, "hi um", NULL, "open", 0 },
    { 'b', 0.5, NULL, "two waters", 0.3, "hi there two waters", "low_confidence", "crew", 0 },
    /* off the menu: asked again, no line */
    { 'b', 0.5, NULL, "", 0.0, "do you sell tacos", "out_of_menu", "crew", 0 },
    { 'b', 0.5, "a cookie", "", 0.0, "is there authors and error", "out_of_menu", "crew", 1 },
    { 'b', 0.5, NULL, "", 0.0, "uh huh", NULL, "open", 0 },
    { 'b', 0.5, NULL, "", 0.0, "", NULL, "open", 0 },
    { 'b', 0.5, "", "", 0.0, "what", "out_of_menu", "crew", 0 },
    { 'b', 0.5, NULL, "blah blah", 0.9, "", NULL, "open", 0 },
    { 'b', 0.5, NULL, "blah blah", 0.9, "blah blah blah", "out_of_menu", "crew", 0 },
    /* quantity limit: the line is not added */
    { 'b', 0.5, NULL, "eleven cookies", 0.95, "eleven cookies", "quantity_limit", "crew", 0 },
    { 'b', 0.5, NULL, "eighteen thousand waters", 0.95, "", "quantity_limit", "crew", 0 },
    { 'c', 0.5, NULL, "nine lattes", 0.95, "", "quantity_limit", "crew", 0 },
    { 'c', 0.5, NULL, "eight lattes", 0.95, "", NULL, "open", 1 },
    /* after a page the order is the crew's */
    { 'b', 0.5, "i want to talk to a manager", "a cookie", 0.95, "a cookie", NULL, "crew", 0 },
    /* ... but a request for a person after another page is paged too */
    { 'b', 0.5, "eleven cookies", "get me a human", 0.95, "", "human_request", "crew", 0 },
    { 'b', 0.5, "i want to talk to a manager", "get me a human", 0.95, "", NULL, "crew", 0 },
};

/* A request for a person that another pass heard (hearing_t.human: the
 * loop over the menu's words heard "help" where the grammar heard "i need
 * two cokes") pages human_request whatever the grammar heard and however
 * sure it was, and adds none of the turn's lines; without it the same
 * hearing is an order. */
static void test_policy_human_flag(void **state)
{
    menus_t *ms = *state;
    static const struct {
        const char *heard;
        double confidence;
        int human;
        const char *page;
        int nlines;
    } rows[] = {
        { "i need two cokes", 0.82, 1, "human_request", 0 },
        { "i need two cokes", 0.82, 0, NULL, 1 },
        { "a bagel with butter ten mochas", 0.99, 1, "human_request", 0 },
        { "", 0.0, 1, "human_request", 0 },
        { "nope", 0.71, 1, "human_request", 0 },
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        dialog_config_t cfg = { .confidence_threshold = 0.7 };
        dialog_t *d = dialog_create(ms->burger, &cfg);
        dialog_effects_t fx;
        hearing_t h = { .heard = rows[i].heard, .free_text = "", .confidence = rows[i].confidence,
                        .human = rows[i].human };
        dialog_hear(d, &h, &fx);
        const char *page = fx.page == PAGE_NONE ? NULL : page_reason_names[fx.page];
        if ((page == NULL) != (rows[i].page == NULL) || (page && strcmp(page, rows[i].page) != 0) ||
            dialog_order(d)->nlines != rows[i].nlines)
            fail_msg("row %zu (\"%s\", human %d): page %s, %d lines; want %s, %d lines", i,
                     rows[i].heard, rows[i].human, page ? page : "-", dialog_order(d)->nlines,
                     rows[i].page ? rows[i].page : "-", rows[i].nlines);
        dialog_free(d);
    }
}

/* The recogniser's other hearings reach the policy through session_apply():
 * a request for a person in the word loop's text or in the short turn's
 * second search (nfa_text) pages human_request and adds nothing; the same
 * turn without them is an order. */
static void test_session_other_hearings(void **state)
{
    menus_t *ms = *state;
    static const struct {
        const char *loop, *nfa, *page;
        int nlines;
    } rows[] = {
        { "i a me to nope a", "", NULL, 1 },
        { "i a me to nope a", "i need help", "human_request", 0 },
        { "i a me to nope help", "", "human_request", 0 },
        { "i a me to nope a", "i need two cokes", NULL, 1 },
        { "helpful a", "", NULL, 1 },                  /* whole words only */
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        dialog_config_t cfg = { .confidence_threshold = 0.7 };
        session_t *s = session_create(ms->burger, &cfg);
        asr_result_t r;
        memset(&r, 0, sizeof r);
        r.hearing = (asr_hearing_t){
            .heard = (char *)"i need two cokes", .free_text = (char *)"are you need to open",
            .loop_text = (char *)rows[i].loop, .nfa_text = (char *)rows[i].nfa,
            .confidence = 0.82,
        };
        session_apply(s, "t1.wav", 1900, &r);
        const session_turn_t *t = session_turn(s, 0);
        const char *page = t->page == PAGE_NONE ? NULL : page_reason_names[t->page];
        int nlines = dialog_order(session_dialog(s))->nlines;
        if ((page == NULL) != (rows[i].page == NULL) || (page && strcmp(page, rows[i].page) != 0) ||
            nlines != rows[i].nlines)
            fail_msg("row %zu (loop \"%s\", nfa \"%s\"): page %s, %d lines; want %s, %d lines", i,
                     rows[i].loop, rows[i].nfa, page ? page : "-", nlines,
                     rows[i].page ? rows[i].page : "-", rows[i].nlines);
        session_free(s);
    }
}

static void test_policy(void **state)
{
    menus_t *ms = *state;
    int bad = 0;
    for (size_t i = 0; i < sizeof policy / sizeof policy[0]; i++) {
        const policy_row_t *r = &policy[i];
        dialog_config_t cfg = { .confidence_threshold = r->threshold };
        dialog_t *d = dialog_create(r->menu == 'c' ? ms->coffee : ms->burger, &cfg);
        dialog_effects_t fx;
        if (r->before) {
            hearing_t h0 = { .heard = r->before, .free_text = r->before, .confidence = 0.95 };
            dialog_hear(d, &h0, &fx);
        }
        hearing_t h = { .heard = r->heard, .free_text = r->free_text, .confidence = r->confidence };
        dialog_hear(d, &h, &fx);
        const char *page = fx.page == PAGE_NONE ? NULL : page_reason_names[fx.page];
        const order_t *o = dialog_order(d);
        strbuf_t j = {0};
        order_json(o, &j);
        char want_status[40];
        snprintf(want_status, sizeof want_status, "{\"status\": \"%s\"", r->status);
        int ok = ((!page && !r->page) || (page && r->page && strcmp(page, r->page) == 0)) &&
                 strncmp(strbuf_cstr(&j), want_status, strlen(want_status)) == 0 &&
                 o->nlines == r->nlines;
        if (!ok) {
            fprintf(stderr, "policy row %zu (\"%s\" %.4f, free \"%s\"): page %s, want %s; %s; "
                    "want status %s and %d lines\n", i, r->heard, r->confidence, r->free_text,
                    page ? page : "-", r->page ? r->page : "-", strbuf_cstr(&j), r->status, r->nlines);
            bad++;
        }
        strbuf_free(&j);
        dialog_free(d);
    }
    if (bad) fail_msg("%d policy rows differ", bad);
}

static void test_spot_human(void **state)
{
    menus_t *ms = *state;
    assert_true(dialog_spot_human(ms->burger, "can i talk to a person"));
    assert_true(dialog_spot_human(ms->burger, "person"));
    assert_true(dialog_spot_human(ms->burger, "Get Me A\tCrew Member"));
    assert_false(dialog_spot_human(ms->coffee, "get me a crew member"));
    assert_false(dialog_spot_human(ms->burger, "personally"));
    assert_false(dialog_spot_human(ms->burger, ""));
    assert_false(dialog_spot_human(ms->burger, "two cheeseburgers and a large coke"));
    /* a lead that names talking to someone, with a word after it */
    assert_true(dialog_spot_human(ms->burger, "can i talk to a real tears in"));
    assert_true(dialog_spot_human(ms->burger, "uh let me speak to the um"));
    assert_true(dialog_spot_human(ms->burger, "i'd like to talk to whoever"));
    assert_false(dialog_spot_human(ms->burger, "can i talk to"));          /* nothing after */
    assert_false(dialog_spot_human(ms->burger, "i'll talk to you later"));  /* no such lead */
    assert_false(dialog_spot_human(ms->burger, "we talk to them"));
    assert_false(dialog_spot_human(ms->burger, "i need a cheeseburger"));   /* short leads */
    assert_false(dialog_spot_human(ms->burger, "get me a cheeseburger"));
    assert_false(dialog_spot_human(ms->burger, "can i talk tomorrow"));     /* whole words */
    /* how sure: a phrase of more words, a short text, or a lead, against one
     * word in a long text */
    assert_int_equal(dialog_spot_human(ms->burger, "person"), DIALOG_HUMAN_SAID);
    assert_int_equal(dialog_spot_human(ms->burger, "uh human please"), DIALOG_HUMAN_SAID);
    assert_int_equal(dialog_spot_human(ms->burger, "a large coke and i need help"), DIALOG_HUMAN_SAID);
    assert_int_equal(dialog_spot_human(ms->burger, "a large coke and the manager"), DIALOG_HUMAN_SAID);
    assert_int_equal(dialog_spot_human(ms->burger, "oh boy get double shot us person"), DIALOG_HUMAN_LONE);
    assert_int_equal(dialog_spot_human(ms->burger, "  get  a dog what else help the big hole "),
                     DIALOG_HUMAN_LONE);
    assert_int_equal(dialog_spot_human(ms->burger, "four words help me"), DIALOG_HUMAN_SAID);
    assert_int_equal(dialog_spot_human(ms->burger, "can somebody help me please"), DIALOG_HUMAN_SAID);
    assert_int_equal(dialog_spot_human(ms->burger, "oh boy person get double can i talk to us"),
                     DIALOG_HUMAN_SAID);
}

/* The live loop's events: pages from outside a turn, waiting, a car leaving. */
static void test_live_events(void **state)
{
    menus_t *ms = *state;
    dialog_effects_t fx;

    /* no answer: the open order becomes the crew's, lines kept */
    dialog_t *d = dialog_create(ms->burger, NULL);
    assert_true(dialog_waiting(d));
    hear(d, "a cookie", &fx);
    dialog_page(d, PAGE_NO_RESPONSE, &fx);
    assert_int_equal(fx.page, PAGE_NO_RESPONSE);
    assert_string_equal(fx.said, "A team member will be right with you.");
    assert_int_equal(dialog_state(d), DIALOG_CREW);
    assert_int_equal(dialog_order(d)->status, ORDER_CREW);
    assert_int_equal(dialog_order(d)->nlines, 1);
    assert_false(dialog_waiting(d));
    /* a device fault after that still pages, and changes nothing */
    dialog_page(d, PAGE_DEVICE_FAULT, &fx);
    assert_int_equal(fx.page, PAGE_DEVICE_FAULT);
    assert_string_equal(fx.said, "");
    assert_int_equal(dialog_state(d), DIALOG_CREW);
    /* the crew's order is not abandoned when the car leaves */
    assert_false(dialog_car_left(d));
    assert_int_equal(dialog_order(d)->status, ORDER_CREW);
    dialog_free(d);

    /* a car that drives off mid-order abandons it */
    d = dialog_create(ms->burger, NULL);
    hear(d, "a coke", &fx);
    assert_int_equal(dialog_state(d), DIALOG_ASK_SIZE);
    assert_true(dialog_waiting(d));
    assert_true(dialog_car_left(d));
    assert_int_equal(dialog_state(d), DIALOG_CANCELLED);
    assert_int_equal(dialog_order(d)->status, ORDER_CANCELLED);
    hear(d, "a cookie", &fx);
    assert_int_equal(dialog_order(d)->nlines, 1);       /* nothing more is taken */
    dialog_free(d);

    /* a confirmed order stays confirmed */
    d = dialog_create(ms->burger, NULL);
    hear(d, "a cookie", &fx);
    hear(d, "that's all", &fx);
    assert_int_equal(dialog_state(d), DIALOG_READBACK);
    assert_true(dialog_waiting(d));
    hear(d, "yes", &fx);
    assert_int_equal(dialog_state(d), DIALOG_CONFIRMED);
    assert_false(dialog_waiting(d));
    assert_false(dialog_car_left(d));
    assert_int_equal(dialog_order(d)->status, ORDER_CONFIRMED);
    dialog_free(d);
}

/* The crew's actions, as tables: customer turns (h) and crew actions (t take
 * over, b hand back, e edit, r remove, c confirm, x cancel).  After each step:
 * the state (the order's status must follow it), the lines ("Item xQTY size",
 * SAME: as before); for a turn what was said (NULL: not checked) and the page;
 * for a crew action its return code and *why (NULL when it succeeded). */
typedef struct {
    char op;
    const char *text;         /* h, e */
    int line;                 /* r */
    int rc;
    const char *msg;          /* h: said; crew: why */
    const char *page;         /* h: NULL no page */
    const char *state;
    const char *lines;
} crew_step_t;

#define HEAR(text, said, page, state, lines) { 'h', text, 0, 0, said, page, state, lines }
#define EDIT(text, rc, why, state, lines) { 'e', text, 0, rc, why, NULL, state, lines }
#define REMOVE(n, rc, why, state, lines) { 'r', NULL, n, rc, why, NULL, state, lines }
#define TAKE(rc, why, state) { 't', NULL, 0, rc, why, NULL, state, SAME }
#define BACK(rc, why, state) { 'b', NULL, 0, rc, why, NULL, state, SAME }
#define CONFIRM(rc, why, state) { 'c', NULL, 0, rc, why, NULL, state, SAME }
#define CANCEL(rc, why, state) { 'x', NULL, 0, rc, why, NULL, state, SAME }
#define IS_CONFIRMED "the order is already confirmed"
#define IS_CANCELLED "the order was cancelled"

typedef struct {
    const char *name;
    crew_step_t steps[20];
} crew_script_t;

static const crew_script_t crew_scripts[] = {
    { "a page, then the crew fixes the order in CREW and confirms it", {
        HEAR("a cookie", "A Cookie." MORE, NULL, "ordering", "Cookie x1"),
        HEAR("i want to talk to a manager", CREW, "human_request", "crew", SAME),
        EDIT("two large cokes", 0, NULL, "crew", "Cookie x1, Coke x2 large"),
        EDIT("make the coke a sprite", 0, NULL, "crew", "Cookie x1, Sprite x2 large"),
        EDIT("remove the cookie", 0, NULL, "crew", "Sprite x2 large"),
        /* above max_quantity (10): the crew may */
        EDIT("thirty cheeseburgers", 0, NULL, "crew", "Sprite x2 large, Cheeseburger x30"),
        /* corrections by the crew never page */
        EDIT("make the cheeseburger two", 0, NULL, "crew", "Sprite x2 large, Cheeseburger x2"),
        EDIT("make it twelve", 0, NULL, "crew", "Sprite x2 large, Cheeseburger x12"),
        EDIT("make the sprite small", 0, NULL, "crew", "Sprite x2 small, Cheeseburger x12"),
        HEAR("a water", CREW, NULL, "crew", SAME),
        CONFIRM(0, NULL, "confirmed"),
        /* after confirm every action is refused and nothing changes */
        EDIT("a cookie", -1, IS_CONFIRMED, "confirmed", SAME),
        REMOVE(0, -1, IS_CONFIRMED, "confirmed", SAME),
        TAKE(-1, IS_CONFIRMED, "confirmed"),
        BACK(-1, IS_CONFIRMED, "confirmed"),
        CANCEL(-1, IS_CONFIRMED, "confirmed"),
        CONFIRM(-1, IS_CONFIRMED, "confirmed"),
        HEAR("a cookie", THANKS, NULL, "confirmed", SAME),
    } },
    { "a request for a person after another page, or after the read-back, pages once more", {
        HEAR("a cheeseburger", "A Cheeseburger." MORE, NULL, "ordering", "Cheeseburger x1"),
        HEAR("make it two", "OK, two cheeseburgers." MORE, NULL, "ordering", "Cheeseburger x2"),
        HEAR("make it three", CREW, "repeated_corrections", "crew", "Cheeseburger x3"),
        HEAR("a cookie", CREW, NULL, "crew", SAME),
        HEAR("get me a manager", CREW, "human_request", "crew", SAME),
        /* once: the crew already knows */
        HEAR("get me a manager", CREW, NULL, "crew", SAME),
        BACK(0, NULL, "ordering"),
        HEAR("make it four", "OK, four cheeseburgers." MORE, NULL, "ordering", "Cheeseburger x4"),
        HEAR("get me a manager", CREW, "human_request", "crew", SAME),
        CONFIRM(0, NULL, "confirmed"),
        HEAR("i want to talk to a manager", CREW, "human_request", "confirmed", SAME),
        HEAR("i want to talk to a manager", THANKS, NULL, "confirmed", SAME),
        HEAR("a cookie", THANKS, NULL, "confirmed", SAME),
    } },
    { "the crew cancels; then everything is refused", {
        HEAR("a cookie", "A Cookie." MORE, NULL, "ordering", "Cookie x1"),
        TAKE(0, NULL, "crew"),
        CANCEL(0, NULL, "cancelled"),
        CONFIRM(-1, IS_CANCELLED, "cancelled"),
        EDIT("a water", -1, IS_CANCELLED, "cancelled", SAME),
        BACK(-1, IS_CANCELLED, "cancelled"),
        TAKE(-1, IS_CANCELLED, "cancelled"),
        CANCEL(-1, IS_CANCELLED, "cancelled"),
        HEAR("a water", "Your order was cancelled.", NULL, "cancelled", SAME),
    } },
    { "hand back: the next turn is the kiosk's, and asks what is missing", {
        HEAR("a coke", COKE_SIZE, NULL, "ask_size", "Coke x1"),
        HEAR("get me a manager", CREW, "human_request", "crew", SAME),
        BACK(0, NULL, "ordering"),
        BACK(-1, "the kiosk has the order already", "ordering"),
        HEAR("a cookie", "A Cookie. " COKE_SIZE, NULL, "ask_size", "Coke x1, Cookie x1"),
        HEAR("large", "A large Coke." MORE, NULL, "ordering", "Coke x1 large, Cookie x1"),
        TAKE(0, NULL, "crew"),
        TAKE(0, NULL, "crew"),
        HEAR("a water", CREW, NULL, "crew", SAME),
        BACK(0, NULL, "ordering"),
        HEAR("that's all", "You have a large Coke and a Cookie. Your total is $3.33. Is that right?",
             NULL, "readback", SAME),
        HEAR("yes", THANKS, NULL, "confirmed", SAME),
    } },
    { "take over mid-order, hand back: the lines are kept", {
        HEAR("two cheeseburgers no onions and a large coke",
             "Two cheeseburgers, no onions, and a large Coke." MORE, NULL, "ordering",
             "Cheeseburger x2, Coke x1 large"),
        TAKE(0, NULL, "crew"),
        HEAR("a cookie", CREW, NULL, "crew", SAME),
        /* the crew took it over: they hear the customer already */
        HEAR("get me a manager", CREW, NULL, "crew", SAME),
        BACK(0, NULL, "ordering"),
        HEAR("that's all",
             "You have two cheeseburgers, no onions, and a large Coke. Your total is $9.82. Is that right?",
             NULL, "readback", SAME),
        HEAR("yes", THANKS, NULL, "confirmed", SAME),
    } },
    { "hand back after repeated corrections: the customer starts afresh", {
        HEAR("a cheeseburger", "A Cheeseburger." MORE, NULL, "ordering", "Cheeseburger x1"),
        HEAR("make it two", "OK, two cheeseburgers." MORE, NULL, "ordering", "Cheeseburger x2"),
        HEAR("make it three", CREW, "repeated_corrections", "crew", "Cheeseburger x3"),
        EDIT("make it two", 0, NULL, "crew", "Cheeseburger x2"),
        BACK(0, NULL, "ordering"),
        HEAR("make it four", "OK, four cheeseburgers." MORE, NULL, "ordering", "Cheeseburger x4"),
        /* "cancel that" takes back the customer's turn, not the crew's edit */
        HEAR("cancel that", "OK, I took that back." MORE, NULL, "ordering", "Cheeseburger x2"),
    } },
    { "refused edits, removals and confirmations", {
        HEAR("a cookie", "A Cookie." MORE, NULL, "ordering", "Cookie x1"),
        TAKE(0, NULL, "crew"),
        EDIT("blah blah", -1, "not understood: blah blah", "crew", SAME),
        EDIT("", -1, "not understood: ", "crew", SAME),
        EDIT("no onions", -1, "not understood: no onions", "crew", SAME),
        EDIT("get me a manager", -1, "a request for a person is no edit", "crew", SAME),
        EDIT("remove the fries", -1, "There's no fries in your order.", "crew", SAME),
        EDIT("yes", -1, "nothing to change: yes", "crew", SAME),
        EDIT("an apple pie", -1, "Sorry, we're out of apple pie.", "crew", SAME),
        EDIT("eighteen thousand cookies", -1, "18000 is too many for one line (at most 999).", "crew",
             SAME),
        REMOVE(1, -1, "no line 2", "crew", SAME),
        REMOVE(-1, -1, "no line 0", "crew", SAME),
        REMOVE(0, 0, NULL, "crew", ""),
        CONFIRM(-1, "the order is empty", "crew"),
        EDIT("a coke", 0, NULL, "crew", "Coke x1"),
        CONFIRM(-1, "line 1 (coke) still needs a size", "crew"),
        EDIT("a number one and make the coke large", 0, NULL, "crew", "Coke x1 large, Number One x1"),
        CONFIRM(-1, "line 2 (number one) still needs a drink", "crew"),
        EDIT("make the number one a sprite", 0, NULL, "crew", "Coke x1 large, Number One x1"),
        CONFIRM(0, NULL, "confirmed"),
    } },
    { "crew talk: a large fries, the same item again, a change", {
        HEAR("a cookie", "A Cookie." MORE, NULL, "ordering", "Cookie x1"),
        TAKE(0, NULL, "crew"),
        EDIT("a large fries", 0, NULL, "crew", "Cookie x1, Fries x1 large"),
        EDIT("large fries", 0, NULL, "crew", "Cookie x1, Fries x2 large"),
        EDIT("a cookie", 0, NULL, "crew", "Cookie x2, Fries x2 large"),
        EDIT("a medium fries", 0, NULL, "crew", "Cookie x2, Fries x2 large, Fries x1 medium"),
        EDIT("make the cookies three", 0, NULL, "crew", "Cookie x3, Fries x2 large, Fries x1 medium"),
        EDIT("two cheeseburgers no onions", 0, NULL, "crew",
             "Cookie x3, Fries x2 large, Fries x1 medium, Cheeseburger x2"),
        EDIT("a cheeseburger", 0, NULL, "crew",
             "Cookie x3, Fries x2 large, Fries x1 medium, Cheeseburger x2, Cheeseburger x1"),
        EDIT("a cheeseburger no onions", 0, NULL, "crew",
             "Cookie x3, Fries x2 large, Fries x1 medium, Cheeseburger x3, Cheeseburger x1"),
    } },
    { "crew talk: verbs a crew member uses", {
        HEAR("a cookie", "A Cookie." MORE, NULL, "ordering", "Cookie x1"),
        TAKE(0, NULL, "crew"),
        EDIT("add a large fries", 0, NULL, "crew", "Cookie x1, Fries x1 large"),
        EDIT("Add  a large fries", 0, NULL, "crew", "Cookie x1, Fries x2 large"),
        EDIT("also add a coke", 0, NULL, "crew", "Cookie x1, Fries x2 large, Coke x1"),
        EDIT("change the coke to a large", 0, NULL, "crew", "Cookie x1, Fries x2 large, Coke x1 large"),
        EDIT("change the coke to a sprite", 0, NULL, "crew", "Cookie x1, Fries x2 large, Sprite x1 large"),
        EDIT("change the fries to one", 0, NULL, "crew", "Cookie x1, Fries x1 large, Sprite x1 large"),
        EDIT("add", -1, "not understood: add", "crew", SAME),
        EDIT("change", -1, "not understood: change", "crew", SAME),
        EDIT("add a flying car", -1, "not understood: add a flying car", "crew", SAME),
    } },
    { "a crew edit while ordering: the kiosk asks what is missing next turn", {
        HEAR("a cookie", "A Cookie." MORE, NULL, "ordering", "Cookie x1"),
        EDIT("a coke", 0, NULL, "ordering", "Cookie x1, Coke x1"),
        EDIT("make the cookie fifteen", 0, NULL, "ordering", "Cookie x15, Coke x1"),
        HEAR("a water", "A Water. " COKE_SIZE, NULL, "ask_size", "Cookie x15, Coke x1, Water x1"),
        HEAR("medium", "A medium Coke." MORE, NULL, "ordering", "Cookie x15, Coke x1 medium, Water x1"),
        /* the customer's first correction of a line the crew changed: no page */
        HEAR("make the cookie two", "OK, two cookies." MORE, NULL, "ordering",
             "Cookie x2, Coke x1 medium, Water x1"),
        REMOVE(2, 0, NULL, "ordering", "Cookie x2, Coke x1 medium"),
        HEAR("cancel that", "There's nothing to take back." MORE, NULL, "ordering", SAME),
    } },
    { "a crew edit while a size is asked: the question stands while it still applies", {
        HEAR("a cookie and a coke", "A Cookie. " COKE_SIZE, NULL, "ask_size", "Cookie x1, Coke x1"),
        EDIT("a water", 0, NULL, "ask_size", "Cookie x1, Coke x1, Water x1"),
        REMOVE(0, 0, NULL, "ask_size", "Coke x1, Water x1"),
        HEAR("small", "A small Coke." MORE, NULL, "ordering", "Coke x1 small, Water x1"),
        HEAR("a sprite", "What size would you like for the sprite: small, medium or large?", NULL,
             "ask_size", "Coke x1 small, Water x1, Sprite x1"),
        /* the crew answers it: the kiosk goes back to ordering */
        EDIT("make the sprite large", 0, NULL, "ordering", "Coke x1 small, Water x1, Sprite x1 large"),
        HEAR("a cookie", "A Cookie." MORE, NULL, "ordering",
             "Coke x1 small, Water x1, Sprite x1 large, Cookie x1"),
        HEAR("a diet coke", "What size would you like for the diet coke: small, medium or large?", NULL,
             "ask_size", "Coke x1 small, Water x1, Sprite x1 large, Cookie x1, Diet Coke x1"),
        /* the crew removes the line asked about */
        REMOVE(4, 0, NULL, "ordering", "Coke x1 small, Water x1, Sprite x1 large, Cookie x1"),
        HEAR("no thanks",
             "You have a small Coke, a Water, a large Sprite, and a Cookie. Your total is $6.03. "
             "Is that right?", NULL, "readback", SAME),
    } },
    { "a crew edit during the read-back: read back again, the old yes confirms nothing", {
        HEAR("a cookie that's all", "A Cookie. You have a Cookie. Your total is $1.07. Is that right?",
             NULL, "readback", "Cookie x1"),
        EDIT("remove the fries", -1, "There's no fries in your order.", "readback", SAME),
        EDIT("a water", 0, NULL, "ordering", "Cookie x1, Water x1"),
        HEAR("yes", "You have a Cookie and a Water. Your total is $2.15. Is that right?", NULL,
             "readback", SAME),
        HEAR("yes", THANKS, NULL, "confirmed", SAME),
    } },
    { "the crew confirms and cancels from an open state", {
        HEAR("a large coke", "A large Coke." MORE, NULL, "ordering", "Coke x1 large"),
        CONFIRM(0, NULL, "confirmed"),
        HEAR("a cookie", THANKS, NULL, "confirmed", SAME),
    } },
    { "cancel from ordering", {
        HEAR("a coke", COKE_SIZE, NULL, "ask_size", "Coke x1"),
        CONFIRM(-1, "line 1 (coke) still needs a size", "ask_size"),
        CANCEL(0, NULL, "cancelled"),
    } },
};

static void lines_text(const dialog_t *d, strbuf_t *b)
{
    const order_t *o = dialog_order(d);
    const menu_t *m = o->menu;
    for (int i = 0; i < o->nlines; i++) {
        const order_line_t *l = &o->lines[i];
        strbuf_printf(b, "%s%s x%ld", i ? ", " : "", m->items[l->item].name, l->qty);
        if (l->size >= 0) strbuf_printf(b, " %s", m->sizes[l->size].name);
    }
}

static const char *status_for(dialog_state_t s)
{
    switch (s) {
    case DIALOG_CONFIRMED: return "confirmed";
    case DIALOG_CREW: return "crew";
    case DIALOG_CANCELLED: return "cancelled";
    default: return "open";
    }
}

static void test_crew_actions(void **state)
{
    menus_t *ms = *state;
    int bad = 0;
    for (size_t s = 0; s < sizeof crew_scripts / sizeof crew_scripts[0]; s++) {
        const crew_script_t *sc = &crew_scripts[s];
        dialog_t *d = dialog_create(ms->burger, NULL);
        const char *want_lines = "";
        int turns = 0;
        for (int i = 0; i < 20 && sc->steps[i].op; i++) {
            const crew_step_t *st = &sc->steps[i];
            dialog_effects_t fx = { .said = NULL, .page = PAGE_NONE };
            const char *why = "(unset)";
            int rc = 0;
            switch (st->op) {
            case 'h': {
                hearing_t h = { .heard = st->text, .free_text = "", .confidence = 0.95 };
                dialog_hear(d, &h, &fx);
                turns++;
                break;
            }
            case 't': rc = dialog_take_over(d, &why); break;
            case 'b': rc = dialog_hand_back(d, &why); break;
            case 'e': rc = dialog_crew_edit(d, st->text, &why); break;
            case 'r': rc = dialog_crew_remove(d, st->line, &why); break;
            case 'c': rc = dialog_crew_confirm(d, &why); break;
            case 'x': rc = dialog_crew_cancel(d, &why); break;
            default: fail_msg("bad op %c", st->op);
            }
            if (st->lines) want_lines = st->lines;
            strbuf_t l = {0};
            lines_text(d, &l);
            const char *got_state = dialog_state_names[dialog_state(d)];
            const char *got_status = order_status_names[dialog_order(d)->status];
            int ok = strcmp(got_state, st->state) == 0 &&
                     strcmp(got_status, status_for(dialog_state(d))) == 0 &&
                     strcmp(strbuf_cstr(&l), want_lines) == 0;
            if (st->op == 'h') {
                const char *page = fx.page == PAGE_NONE ? NULL : page_reason_names[fx.page];
                ok = ok && (!st->msg || strcmp(fx.said, st->msg) == 0) &&
                     ((!page && !st->page) || (page && st->page && strcmp(page, st->page) == 0));
                if (!ok) {
                    fprintf(stderr, "%s, step %d heard \"%s\": said \"%s\" page %s\n", sc->name, i + 1,
                            st->text, fx.said, page ? page : "-");
                    if (st->msg) fprintf(stderr, "   want said \"%s\" page %s\n", st->msg,
                                         st->page ? st->page : "-");
                }
            } else {
                ok = ok && rc == st->rc &&
                     ((!st->msg && !why) || (st->msg && why && strcmp(why, st->msg) == 0));
                if (!ok)
                    fprintf(stderr, "%s, step %d crew %c \"%s\" %d: rc %d why \"%s\"; want %d \"%s\"\n",
                            sc->name, i + 1, st->op, st->text ? st->text : "", st->line, rc,
                            why ? why : "(null)", st->rc, st->msg ? st->msg : "(null)");
            }
            if (!ok) {
                fprintf(stderr, "   state %s/%s, want %s\n   lines \"%s\"\n   want  \"%s\"\n", got_state,
                        got_status, st->state, strbuf_cstr(&l), want_lines);
                bad++;
            }
            strbuf_free(&l);
            /* the crew's actions are no turns */
            assert_int_equal(dialog_turns(d), turns);
        }
        dialog_free(d);
    }
    if (bad) fail_msg("%d crew steps differ", bad);
}

/* Quiet for a while: "Take your time." and the question that stands; no
 * turn, no change, nothing once the order is not the kiosk's. */
static void test_nudge(void **state)
{
    menus_t *ms = *state;
    dialog_effects_t fx;
    dialog_t *d = dialog_create(ms->burger, NULL);
    assert_string_equal(dialog_nudge(d), "Take your time. What can I get you?");
    hear(d, "a cookie", &fx);
    assert_string_equal(dialog_nudge(d), "Take your time. Anything else?");
    hear(d, "a coke", &fx);
    assert_string_equal(dialog_nudge(d),
                        "Take your time. What size would you like for the coke: small, medium or large?");
    assert_int_equal(dialog_state(d), DIALOG_ASK_SIZE);
    hear(d, "large", &fx);
    hear(d, "that's all", &fx);
    assert_int_equal(dialog_state(d), DIALOG_READBACK);
    assert_string_equal(dialog_nudge(d), "Take your time. Is the order on the screen right?");
    assert_int_equal(dialog_turns(d), 4);
    assert_int_equal(dialog_order(d)->nlines, 2);
    assert_int_equal(dialog_take_over(d, NULL), 0);
    assert_null(dialog_nudge(d));
    dialog_free(d);
}

/* A crew action leaves the kiosk's last answer alone, and a NULL why is allowed. */
static void test_crew_keeps_said(void **state)
{
    menus_t *ms = *state;
    dialog_effects_t fx;
    dialog_t *d = dialog_create(ms->burger, NULL);
    hear(d, "a cookie", &fx);
    const char *said = fx.said;
    assert_string_equal(said, "A Cookie." MORE);
    assert_int_equal(dialog_crew_edit(d, "a water", NULL), 0);
    assert_int_equal(dialog_crew_edit(d, NULL, NULL), -1);
    assert_int_equal(dialog_crew_remove(d, 7, NULL), -1);
    assert_string_equal(fx.said, "A Cookie." MORE);
    assert_string_equal(said, "A Cookie." MORE);
    assert_int_equal(dialog_take_over(d, NULL), 0);
    assert_int_equal(dialog_crew_confirm(d, NULL), 0);
    assert_int_equal(dialog_order(d)->nlines, 2);
    dialog_free(d);
}

/* ---- every change the grammar accepts, on orders of one, two and three lines ---- */

/* The orders a change is tried on (the setup turn, then the lines it gives). */
enum { O1, O2, O3, O2R, O3D, O2Q };
static const struct {
    const char *heard;
    const char *lines;
} change_orders[] = {
    [O1] = { "a cheeseburger", "Cheeseburger x1" },
    [O2] = { "a cheeseburger and a small coke", "Cheeseburger x1, Coke x1 small" },
    [O3] = { "a cheeseburger a fries and a small coke", "Cheeseburger x1, Fries x1 medium, Coke x1 small" },
    /* the coke not the last line; two lines of one item */
    [O2R] = { "a small coke and a cheeseburger", "Coke x1 small, Cheeseburger x1" },
    [O3D] = { "a small coke a large coke and a cheeseburger",
              "Coke x1 small, Coke x1 large, Cheeseburger x1" },
    /* issue 15 as said: the coke's size still asked */
    [O2Q] = { "a cheeseburger and a coke", "Cheeseburger x1, Coke x1" },
};

typedef struct {
    int order;
    const char *heard;        /* one change, after the order's setup turn */
    const char *said;
    const char *page;         /* NULL: no page */
    const char *lines;        /* the order after it (lines_text) */
} change_row_t;

#define GONE "What can I get you?"

static const change_row_t change_rows[] = {
    /* make (that|it|them|the NAME) COUNT [SIZE] */
    { O1, "make that two", "OK, two cheeseburgers." MORE, NULL, "Cheeseburger x2" },
    { O2, "make that two", "OK, two small cokes." MORE, NULL, "Cheeseburger x1, Coke x2 small" },
    { O3, "make it three", "OK, three small cokes." MORE, NULL,
      "Cheeseburger x1, Fries x1 medium, Coke x3 small" },
    { O3, "make them two", "OK, two small cokes." MORE, NULL,
      "Cheeseburger x1, Fries x1 medium, Coke x2 small" },
    { O2, "make it one", "OK, a small Coke." MORE, NULL, "Cheeseburger x1, Coke x1 small" },
    { O2, "make it two large", "OK, two large cokes." MORE, NULL, "Cheeseburger x1, Coke x2 large" },
    { O1, "make it two large", "The cheeseburger comes in one size. OK, two cheeseburgers." MORE, NULL,
      "Cheeseburger x2" },
    { O3, "make the fries two", "OK, two medium fries." MORE, NULL,
      "Cheeseburger x1, Fries x2 medium, Coke x1 small" },
    { O3, "make the cheeseburger two", "OK, two cheeseburgers." MORE, NULL,
      "Cheeseburger x2, Fries x1 medium, Coke x1 small" },
    { O2, "make the coke two large", "OK, two large cokes." MORE, NULL, "Cheeseburger x1, Coke x2 large" },
    { O1, "make the coke two", "There's no coke in your order." MORE, NULL, "Cheeseburger x1" },
    { O2, "make it eleven", CREW, "quantity_limit", "Cheeseburger x1, Coke x1 small" },
    /* make (that|it|them|the NAME) [a|an] SIZE */
    { O1, "make it a large", "The cheeseburger comes in one size." MORE, NULL, "Cheeseburger x1" },
    { O2, "make it a large", "OK, a large Coke." MORE, NULL, "Cheeseburger x1, Coke x1 large" },
    { O3, "make that large", "OK, a large Coke." MORE, NULL,
      "Cheeseburger x1, Fries x1 medium, Coke x1 large" },
    { O3, "make them large", "OK, a large Coke." MORE, NULL,
      "Cheeseburger x1, Fries x1 medium, Coke x1 large" },
    { O3, "make the fries large", "OK, a large Fries." MORE, NULL,
      "Cheeseburger x1, Fries x1 large, Coke x1 small" },
    { O3, "make the fries a small", "OK, a small Fries." MORE, NULL,
      "Cheeseburger x1, Fries x1 small, Coke x1 small" },
    { O2, "make the coke a medium", "OK, a medium Coke." MORE, NULL, "Cheeseburger x1, Coke x1 medium" },
    { O2, "make the cheeseburger large", "The cheeseburger comes in one size." MORE, NULL,
      "Cheeseburger x1, Coke x1 small" },
    /* make (that|it|them) [a|an|one] [SIZE] ITEM: an item not in the order
     * replaces the line just said ... */
    { O1, "make it a hamburger", "OK, a Hamburger." MORE, NULL, "Hamburger x1" },
    { O2, "make it a sprite", "OK, a small Sprite." MORE, NULL, "Cheeseburger x1, Sprite x1 small" },
    { O3, "make it a sprite", "OK, a small Sprite." MORE, NULL,
      "Cheeseburger x1, Fries x1 medium, Sprite x1 small" },
    { O3, "make that a large sprite", "OK, a large Sprite." MORE, NULL,
      "Cheeseburger x1, Fries x1 medium, Sprite x1 large" },
    { O1, "make them a coke", COKE_SIZE, NULL, "Coke x1" },
    /* ... an item in the order is that line, with its size if said */
    { O2, "make it a cheeseburger", "OK, a Cheeseburger." MORE, NULL, "Cheeseburger x1, Coke x1 small" },
    { O2, "make that a large coke", "OK, a large Coke." MORE, NULL, "Cheeseburger x1, Coke x1 large" },
    { O2R, "make that a large coke", "OK, a large Coke." MORE, NULL, "Coke x1 large, Cheeseburger x1" },
    { O2R, "make it a coke", "OK, a small Coke." MORE, NULL, "Coke x1 small, Cheeseburger x1" },
    { O3, "make it one cheeseburger", "OK, a Cheeseburger." MORE, NULL,
      "Cheeseburger x1, Fries x1 medium, Coke x1 small" },
    { O3, "make it a large fries", "OK, a large Fries." MORE, NULL,
      "Cheeseburger x1, Fries x1 large, Coke x1 small" },
    { O3, "actually make that a medium fries", "OK, a medium Fries." MORE, NULL,
      "Cheeseburger x1, Fries x1 medium, Coke x1 small" },
    /* two lines of the item: the most recent one */
    { O3D, "make that a medium coke", "OK, a medium Coke." MORE, NULL,
      "Coke x1 small, Coke x1 medium, Cheeseburger x1" },
    /* make the NAME [a|an|one] [SIZE] ITEM: that line becomes the item */
    { O2, "make the coke a sprite", "OK, a small Sprite." MORE, NULL, "Cheeseburger x1, Sprite x1 small" },
    { O2, "make the coke a large sprite", "OK, a large Sprite." MORE, NULL,
      "Cheeseburger x1, Sprite x1 large" },
    { O3, "make the fries onion rings", "OK, a medium Onion Rings." MORE, NULL,
      "Cheeseburger x1, Onion Rings x1 medium, Coke x1 small" },
    { O2, "make the cheeseburger a coke", COKE_SIZE, NULL, "Coke x1, Coke x1 small" },
    { O1, "make the coke a sprite", "There's no coke in your order." MORE, NULL, "Cheeseburger x1" },
    /* make (that|it|them) NUMBER [SIZE] ITEMS: the count of the item's line
     * when it is in the order (issue 15) ... */
    { O1, "make that two cheeseburgers", "OK, two cheeseburgers." MORE, NULL, "Cheeseburger x2" },
    { O2, "make that two cheeseburgers", "OK, two cheeseburgers." MORE, NULL,
      "Cheeseburger x2, Coke x1 small" },
    { O2, "actually make that two cheeseburgers", "OK, two cheeseburgers." MORE, NULL,
      "Cheeseburger x2, Coke x1 small" },
    { O2, "no make that two cheeseburgers", "OK, two cheeseburgers." MORE, NULL,
      "Cheeseburger x2, Coke x1 small" },
    { O2, "no actually make it two cheese burgers", "OK, two cheeseburgers." MORE, NULL,
      "Cheeseburger x2, Coke x1 small" },
    { O3, "make that two cheeseburgers", "OK, two cheeseburgers." MORE, NULL,
      "Cheeseburger x2, Fries x1 medium, Coke x1 small" },
    { O2, "make it two cokes", "OK, two small cokes." MORE, NULL, "Cheeseburger x1, Coke x2 small" },
    { O2, "make them two large cokes", "OK, two large cokes." MORE, NULL, "Cheeseburger x1, Coke x2 large" },
    { O2R, "make them three cokes", "OK, three small cokes." MORE, NULL, "Coke x3 small, Cheeseburger x1" },
    { O3, "make that two large fries", "OK, two large fries." MORE, NULL,
      "Cheeseburger x1, Fries x2 large, Coke x1 small" },
    { O3D, "make that two cokes", "OK, two large cokes." MORE, NULL,
      "Coke x1 small, Coke x2 large, Cheeseburger x1" },
    { O2Q, "make that two cheeseburgers", "OK, two cheeseburgers. " COKE_SIZE, NULL,
      "Cheeseburger x2, Coke x1" },
    /* the answer to the size asked, as "make it a large" is */
    { O2Q, "make it a large coke", "A large Coke." MORE, NULL, "Cheeseburger x1, Coke x1 large" },
    { O2Q, "make it a sprite", "What size would you like for the sprite: small, medium or large?", NULL,
      "Cheeseburger x1, Sprite x1" },
    /* ... else the line just said becomes them */
    { O2, "make that two sprites", "OK, two small sprites." MORE, NULL, "Cheeseburger x1, Sprite x2 small" },
    { O1, "make it two cokes", COKE_SIZE, NULL, "Coke x2" },
    { O3, "make it two hamburgers", "OK, two hamburgers." MORE, NULL,
      "Cheeseburger x1, Fries x1 medium, Hamburger x2" },
    /* (remove | take off | cancel | no) [the] NAME */
    { O1, "remove the cheeseburger", "OK, I took off a Cheeseburger. " GONE, NULL, "" },
    { O2, "remove the coke", "OK, I took off a small Coke." MORE, NULL, "Cheeseburger x1" },
    { O3, "remove fries", "OK, I took off a medium Fries." MORE, NULL, "Cheeseburger x1, Coke x1 small" },
    { O3, "take off the fries", "OK, I took off a medium Fries." MORE, NULL, "Cheeseburger x1, Coke x1 small" },
    { O3, "take off coke", "OK, I took off a small Coke." MORE, NULL, "Cheeseburger x1, Fries x1 medium" },
    { O2, "cancel the cheeseburger", "OK, I took off a Cheeseburger." MORE, NULL, "Coke x1 small" },
    { O2, "cancel coke", "OK, I took off a small Coke." MORE, NULL, "Cheeseburger x1" },
    { O3, "no fries", "OK, I took off a medium Fries." MORE, NULL, "Cheeseburger x1, Coke x1 small" },
    { O3, "no the cheeseburgers", "OK, I took off a Cheeseburger." MORE, NULL,
      "Fries x1 medium, Coke x1 small" },
    { O2, "actually remove the cheeseburger", "OK, I took off a Cheeseburger." MORE, NULL, "Coke x1 small" },
    { O2, "no actually no coke", "OK, I took off a small Coke." MORE, NULL, "Cheeseburger x1" },
    { O3D, "remove the coke", "OK, I took off a large Coke." MORE, NULL, "Coke x1 small, Cheeseburger x1" },
    { O1, "no coke", "There's no coke in your order." MORE, NULL, "Cheeseburger x1" },
    /* remove (that | it) */
    { O1, "remove that", "OK, I took off a Cheeseburger. " GONE, NULL, "" },
    { O2, "remove it", "OK, I took off a small Coke." MORE, NULL, "Cheeseburger x1" },
    { O3, "remove that", "OK, I took off a small Coke." MORE, NULL, "Cheeseburger x1, Fries x1 medium" },
    /* cancel (that | it): the setup turn is taken back */
    { O1, "cancel that", "OK, I took that back. " GONE, NULL, "" },
    { O2, "cancel it", "OK, I took that back. " GONE, NULL, "" },
    { O3, "actually cancel that", "OK, I took that back. " GONE, NULL, "" },
    /* start (over | again) */
    { O1, "start over", "OK, let's start over. " GONE, NULL, "" },
    { O2, "start again", "OK, let's start over. " GONE, NULL, "" },
    { O3, "actually start over", "OK, let's start over. " GONE, NULL, "" },
};

static void test_change_phrases(void **state)
{
    menus_t *ms = *state;
    int bad = 0;
    for (size_t i = 0; i < sizeof change_rows / sizeof change_rows[0]; i++) {
        const change_row_t *r = &change_rows[i];
        dialog_t *d = dialog_create(ms->burger, NULL);
        dialog_effects_t fx;
        hear(d, change_orders[r->order].heard, &fx);
        strbuf_t b = {0};
        lines_text(d, &b);
        assert_string_equal(strbuf_cstr(&b), change_orders[r->order].lines);
        strbuf_reset(&b);
        hear(d, r->heard, &fx);
        lines_text(d, &b);
        const char *page = fx.page == PAGE_NONE ? NULL : page_reason_names[fx.page];
        if (strcmp(fx.said, r->said) != 0 || strcmp(strbuf_cstr(&b), r->lines) != 0 ||
            !((!page && !r->page) || (page && r->page && strcmp(page, r->page) == 0))) {
            fprintf(stderr, "[%s] + \"%s\":\n", change_orders[r->order].lines, r->heard);
            fprintf(stderr, "   said %s\n   want %s\n", fx.said, r->said);
            fprintf(stderr, "   page %s, want %s\n", page ? page : "-", r->page ? r->page : "-");
            fprintf(stderr, "   lines %s\n   want  %s\n", strbuf_cstr(&b), r->lines);
            bad++;
        }
        strbuf_free(&b);
        dialog_free(d);
    }
    if (bad) fail_msg("%d changes differ", bad);
}

/* Customer turns and crew actions at random (a fixed seed): never a crash,
 * the status follows the state, every line is one the menu allows (the
 * crew's quantities up to 999), and a failed action always gives a reason. */
static void test_crew_fuzz(void **state)
{
    menus_t *ms = *state;
    static const char *const words[] = {
        "a", "and", "with", "no", "yes", "make", "that", "it", "remove", "the", "cancel",
        "start", "over", "that's", "all", "two", "thirty", "thousand", "large", "small", "extra",
        "onions", "coke", "sprite", "fries", "cheeseburger", "number one", "kids meal", "milk",
        "apple pie", "chicken nuggets", "manager", "water", "cookie",
    };
    const int nwords = (int)(sizeof words / sizeof words[0]);
    const menu_t *m = ms->burger;
    unsigned long seed = 777;
#define NEXT() (seed = seed * 6364136223846793005UL + 1442695040888963407UL, (unsigned)(seed >> 33))
    for (int car = 0; car < 200; car++) {
        dialog_t *d = dialog_create(m, NULL);
        for (int step = 0; step < 16; step++) {
            strbuf_t b = {0};
            int n = (int)(NEXT() % 5);
            for (int i = 0; i < n; i++) {
                if (i) strbuf_append(&b, " ");
                strbuf_append(&b, words[NEXT() % (unsigned)nwords]);
            }
            const char *why = NULL;
            int rc = 0;
            dialog_effects_t fx;
            switch (NEXT() % 8) {
            case 0: case 1: case 2: hear(d, strbuf_cstr(&b), &fx); break;
            case 3: rc = dialog_crew_edit(d, strbuf_cstr(&b), &why); break;
            case 4: rc = dialog_crew_remove(d, (int)(NEXT() % 4) - 1, &why); break;
            case 5: rc = NEXT() % 2 ? dialog_take_over(d, &why) : dialog_hand_back(d, &why); break;
            case 6: rc = dialog_crew_confirm(d, &why); break;
            case 7: rc = NEXT() % 4 ? dialog_crew_edit(d, strbuf_cstr(&b), &why) : dialog_crew_cancel(d, &why);
                    break;
            }
            strbuf_free(&b);
            assert_true(rc == 0 || rc == -1);
            if (rc) assert_true(why && why[0]);
            const order_t *o = dialog_order(d);
            assert_string_equal(order_status_names[o->status], status_for(dialog_state(d)));
            for (int i = 0; i < o->nlines; i++) {
                const order_line_t *l = &o->lines[i];
                assert_true(m->items[l->item].available);
                assert_true(l->qty >= 1 && l->qty <= 999);
                assert_true(l->size == -1 || menu_item_has_size(m, l->item, l->size));
            }
        }
        dialog_free(d);
    }
#undef NEXT
}

/* A combo with a sold-out part (issue 16, item 6): a sold-out choice is
 * refused and the choice asked again without it; a combo whose fixed part is
 * sold out is refused with the reason.  The order never holds a sold-out item. */
static void assert_nothing_sold_out(const menu_t *m, const order_t *o)
{
    for (int i = 0; i < o->nlines; i++) {
        const order_line_t *l = &o->lines[i];
        assert_true(m->items[l->item].available);
        for (int k = 0; k < m->items[l->item].nchoose && k < ORDER_MAX_CHOICES; k++)
            assert_true(l->choice[k] < 0 || m->items[l->choice[k]].available);
    }
}

static void test_sold_out_combo_part(void **state)
{
    (void)state;
    strlist_t errs = {0};
    menu_t *m = menu_load("menus/burger.yaml", &errs);
    assert_non_null(m);
    m->items[menu_item_find(m, "Sprite")].available = 0;
    dialog_t *d = dialog_create(m, NULL);
    dialog_effects_t fx;
#define OPEN_DRINKS "Coke, Diet Coke, Root Beer, Iced Tea or Lemonade?"
    hear(d, "a number one", &fx);
    assert_string_equal(fx.said, "Which drink would you like with the number one: " OPEN_DRINKS);
    hear(d, "a sprite", &fx);
    assert_string_equal(fx.said, "Sorry, we're out of sprite. Which drink would you like with the number one: " OPEN_DRINKS);
    assert_int_equal(dialog_state(d), DIALOG_ASK_CHOICE);
    assert_int_equal(dialog_order(d)->lines[0].choice[0], -1);
    hear(d, "a coke", &fx);
    assert_string_equal(fx.said, "A Number One with a Coke. Anything else?");
    hear(d, "a number two with a sprite", &fx);
    assert_string_equal(fx.said, "Sorry, we're out of sprite. Which drink would you like with the number two: " OPEN_DRINKS);
    hear(d, "make the coke a sprite", &fx);
    assert_string_equal(fx.said, "Sorry, we're out of sprite. Which drink would you like with the number two: " OPEN_DRINKS);
    assert_nothing_sold_out(m, dialog_order(d));
    dialog_free(d);

    /* a fixed part sold out: the combo is refused, and why */
    m->items[menu_item_find(m, "Big Stack")].available = 0;
    d = dialog_create(m, NULL);
    hear(d, "a number one", &fx);
    assert_string_equal(fx.said, "Sorry, we're out of big stack, so we can't make the number one. What can I get you?");
    assert_int_equal(dialog_order(d)->nlines, 0);
    hear(d, "a number two", &fx);
    hear(d, "make it a number one", &fx);
    assert_string_equal(fx.said, "Sorry, we're out of big stack, so we can't make the number one. Which drink would you like with the number two: " OPEN_DRINKS);
    assert_nothing_sold_out(m, dialog_order(d));
    dialog_free(d);
    /* every choice sold out: refused too */
    m->items[menu_item_find(m, "Big Stack")].available = 1;
    const char *drinks[] = { "Coke", "Diet Coke", "Root Beer", "Iced Tea", "Lemonade" };
    for (int i = 0; i < 5; i++) m->items[menu_item_find(m, drinks[i])].available = 0;
    d = dialog_create(m, NULL);
    hear(d, "a number one", &fx);
    assert_string_equal(fx.said, "Sorry, we're out of coke, so we can't make the number one. What can I get you?");
    assert_int_equal(dialog_order(d)->nlines, 0);
    dialog_free(d);
#undef OPEN_DRINKS
    menu_free(m);
    strlist_free(&errs);
}

/* A manager's edit mid-order (issue 18, item 5): the newer menu's stock
 * applies at once, from the next mention; the lines ordered stay; an item
 * the newer menu lacks keeps its stock; the dialog keeps its own menu. */
static void test_stock_mid_order(void **state)
{
    (void)state;
    strlist_t errs = {0};
    menu_t *m = menu_load("menus/burger.yaml", &errs), *newer = menu_load("menus/burger.yaml", &errs);
    assert_non_null(m);
    assert_non_null(newer);
    newer->items[menu_item_find(newer, "Cookie")].available = 0;
    newer->items[menu_item_find(newer, "Apple Pie")].available = 1;
    newer->items[menu_item_find(newer, "Sprite")].available = 0;
    menu_item_t *sundae = &newer->items[menu_item_find(newer, "Sundae")];   /* renamed in the newer menu */
    free(sundae->name);
    sundae->name = xstrdup("Hot Fudge Sundae");
    dialog_t *d = dialog_create(m, NULL);
    dialog_effects_t fx;
    hear(d, "a cookie", &fx);
    assert_string_equal(fx.said, "A Cookie. Anything else?");
    hear(d, "an apple pie", &fx);
    assert_string_equal(fx.said, "Sorry, we're out of apple pie. Anything else?");
    assert_int_equal(dialog_stock(d, m), 0);        /* its own menu: nothing changes */
    assert_int_equal(dialog_stock(d, newer), 3);    /* cookie out, apple pie back, sprite out */
    assert_int_equal(dialog_stock(d, newer), 0);
    hear(d, "a cookie", &fx);
    assert_string_equal(fx.said, "Sorry, we're out of cookie. Anything else?");
    hear(d, "an apple pie", &fx);
    assert_string_equal(fx.said, "An Apple Pie. Anything else?");
    hear(d, "a number one with a sprite", &fx);
    assert_string_equal(fx.said, "Sorry, we're out of sprite. Which drink would you like with the number one: "
                                 "Coke, Diet Coke, Root Beer, Iced Tea or Lemonade?");
    hear(d, "a coke", &fx);
    hear(d, "a sundae", &fx);                           /* not in the newer menu by that name: as it was */
    assert_string_equal(fx.said, "A Sundae. Anything else?");
    const order_t *o = dialog_order(d);
    assert_int_equal(o->nlines, 4);                     /* the cookie ordered before stays */
    assert_string_equal(m->items[o->lines[0].item].name, "Cookie");
    assert_ptr_equal(o->menu, m);                       /* the dialog keeps its menu */
    assert_int_equal(m->items[menu_item_find(m, "Cookie")].available, 1);   /* and the menu is untouched */
    dialog_free(d);
    menu_free(m);
    menu_free(newer);
    strlist_free(&errs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scripts),
        cmocka_unit_test(test_greeting_and_turns),
        cmocka_unit_test(test_nudge),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_fuzz),
        cmocka_unit_test(test_policy),
        cmocka_unit_test(test_policy_human_flag),
        cmocka_unit_test(test_session_other_hearings),
        cmocka_unit_test(test_spot_human),
        cmocka_unit_test(test_live_events),
        cmocka_unit_test(test_crew_actions),
        cmocka_unit_test(test_crew_keeps_said),
        cmocka_unit_test(test_change_phrases),
        cmocka_unit_test(test_crew_fuzz),
        cmocka_unit_test(test_question),
        cmocka_unit_test(test_sold_out_combo_part),
        cmocka_unit_test(test_stock_mid_order),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
