/* test_util.c: the helpers of src/util/util.c that the bounds of issue 18
 * rest on: the string map the menu checks look names up in, and reading a
 * regular file of bounded size. */
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

#include "../../src/util/util.h"

static void test_strmap(void **state)
{
    (void)state;
    strmap_t m = {0};
    assert_int_equal(strmap_get(&m, "x"), -1);   /* empty: nothing allocated yet */
    enum { N = 50000 };
    char **keys = xcalloc(N, sizeof *keys);
    for (int i = 0; i < N; i++) {
        keys[i] = xasprintf("k%d", i);
        assert_int_equal(strmap_add(&m, keys[i], i), -1);
    }
    assert_int_equal(m.n, N);
    assert_true(m.cap >= 2 * m.n);   /* at most half full */
    for (int i = 0; i < N; i++) assert_int_equal(strmap_get(&m, keys[i]), i);
    /* a key equal in text, not in pointer, finds the same entry */
    char probe[16];
    snprintf(probe, sizeof probe, "k%d", 4242);
    assert_int_equal(strmap_get(&m, probe), 4242);
    assert_int_equal(strmap_add(&m, probe, 7), 4242);   /* kept: the first stays */
    assert_int_equal(strmap_get(&m, "k50000"), -1);
    strmap_set(&m, probe, 7);
    assert_int_equal(strmap_get(&m, "k4242"), 7);
    assert_int_equal(m.n, N);
    strmap_set(&m, "new", 1);
    assert_int_equal(m.n, N + 1);
    strmap_free(&m);
    assert_int_equal(strmap_get(&m, "k1"), -1);
    for (int i = 0; i < N; i++) free(keys[i]);
    free(keys);
}

static void test_read_regular(void **state)
{
    (void)state;
    alarm(20);
    char dir[] = "/tmp/test_util-XXXXXX", path[96], why[128];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/f", dir);
    FILE *f = fopen(path, "w");
    fputs("0123456789", f);
    fclose(f);

    strbuf_t b = {0};
    strbuf_append(&b, ">");
    assert_int_equal(read_regular(path, 10, &b, why, sizeof why), 0);   /* exactly the limit */
    assert_string_equal(strbuf_cstr(&b), ">0123456789");                /* appended */
    strbuf_reset(&b);
    assert_int_equal(read_regular(path, 9, &b, why, sizeof why), -2);
    assert_string_equal(why, "too big (10 bytes)");
    assert_int_equal(read_regular(dir, 9, &b, why, sizeof why), -2);
    assert_string_equal(why, "not a regular file (a directory)");
    assert_int_equal(read_regular("/dev/null", 9, &b, why, sizeof why), -2);
    assert_string_equal(why, "not a regular file (a character device)");
    char fifo[96];
    snprintf(fifo, sizeof fifo, "%s/p", dir);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    assert_int_equal(read_regular(fifo, 9, &b, why, sizeof why), -2);
    assert_string_equal(why, "not a regular file (a FIFO)");
    snprintf(path, sizeof path, "%s/none", dir);
    assert_int_equal(read_regular(path, 9, &b, why, sizeof why), -1);
    assert_string_equal(why, "No such file or directory");

    /* an empty file reads as "" */
    snprintf(path, sizeof path, "%s/empty", dir);
    fclose(fopen(path, "w"));
    strbuf_reset(&b);
    assert_int_equal(read_regular(path, 9, &b, why, sizeof why), 0);
    assert_string_equal(strbuf_cstr(&b), "");
    long long size = -1;
    int fd = open_regular(path, &size, NULL, why, sizeof why);
    assert_true(fd >= 0);
    assert_int_equal(size, 0);
    close(fd);
    strbuf_free(&b);
    unlink(path);
    unlink(fifo);
    snprintf(path, sizeof path, "%s/f", dir);
    unlink(path);
    rmdir(dir);
    alarm(0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_strmap),
        cmocka_unit_test(test_read_regular),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
