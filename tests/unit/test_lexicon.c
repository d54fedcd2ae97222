/* test_lexicon.c: number words and phrase matching shared by grammar and parser. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "../../src/menu/lexicon.h"
#include "../../src/util/util.h"

static const struct {
    const char *words;
    long value;
    int used;
} numbers[] = {
    { "a", 1, 1 },
    { "an", 1, 1 },
    { "one", 1, 1 },
    { "ten", 10, 1 },
    { "eleven cheeseburgers", 11, 1 },
    { "twenty", 20, 1 },
    { "twenty one", 21, 2 },
    { "ninety nine fries", 99, 2 },
    { "a hundred", 100, 2 },
    { "one hundred and five", 105, 4 },
    { "two hundred fifty", 250, 3 },
    { "eighteen thousand waters", 18000, 2 },
    { "a thousand", 1000, 2 },
    { "a thousand one hundred", 1100, 4 },
    { "a thousand and five", 1005, 4 },
    { "two thousand and twelve", 2012, 4 },
    { "large coke", 0, 0 },
    { "and", 0, 0 },
    { "", 0, 0 },
    { "hundred", 0, 0 },
};

static void test_numbers(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof numbers / sizeof numbers[0]; i++) {
        strlist_t w = {0};
        split_words(numbers[i].words, &w);
        long v = 0;
        int used = lex_number((const char *const *)w.v, w.n, &v);
        if (used != numbers[i].used || (used && v != numbers[i].value))
            fail_msg("\"%s\": got %ld using %d words, expected %ld using %d", numbers[i].words, v,
                     used, numbers[i].value, numbers[i].used);
        strlist_free(&w);
    }
}

static void test_number_words_round_trip(void **state)
{
    (void)state;
    char buf[64];
    assert_string_equal(lex_number_words(21, buf, sizeof buf), "twenty one");
    assert_string_equal(lex_number_words(18000, buf, sizeof buf), "eighteen thousand");
    assert_string_equal(lex_number_words(105, buf, sizeof buf), "one hundred five");
    for (long n = 1; n < 100000; n += 7) {
        strlist_t w = {0};
        split_words(lex_number_words(n, buf, sizeof buf), &w);
        long v = 0;
        int used = lex_number((const char *const *)w.v, w.n, &v);
        if (used != w.n || v != n) fail_msg("%ld -> \"%s\" -> %ld", n, buf, v);
        strlist_free(&w);
    }
}

static void test_match_longest(void **state)
{
    (void)state;
    const char *const list[] = { "no", "no thanks", "no thank you", NULL };
    const char *const words[] = { "no", "thank", "you", "please" };
    int which = -1;
    assert_int_equal(lex_match(list, words, 4, &which), 3);
    assert_int_equal(which, 2);
    assert_int_equal(lex_match(list, words, 2, &which), 1);
    assert_int_equal(which, 0);
    assert_int_equal(lex_match(list, words + 1, 3, NULL), 0);
    assert_int_equal(lex_match(lex_closing, (const char *const[]){ "that's", "all" }, 2, NULL), 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_number_words_round_trip),
        cmocka_unit_test(test_match_longest),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
