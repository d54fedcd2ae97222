/* test_store_menus.c: the menus kept in the store (src/store/menus.c): the
 * hash is SHA-256 (FIPS 180-4's vectors and the padding's edges), the same
 * text is one row, the last kept is the one a broken file falls back on,
 * per path; a locked database gives one line naming the file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../src/store/menus.h"

static char dir[64];

static int setup(void **state)
{
    (void)state;
    strcpy(dir, "/tmp/kiosk-menus-XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd);
}

static void test_sha256(void **state)
{
    (void)state;
    static const struct {
        size_t n;   /* that many bytes: "abc" for 3, else 'a's */
        const char *hex;
    } rows[] = {
        { 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
        { 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
        { 55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318" },   /* one block of padding */
        { 56, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a" },   /* two */
        { 64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb" },
        { 1000, "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3" },
    };
    char buf[1000], hex[65];
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        memset(buf, 'a', sizeof buf);
        if (rows[i].n == 3) memcpy(buf, "abc", 3);
        store_sha256_hex(buf, rows[i].n, hex);
        assert_string_equal(hex, rows[i].hex);
    }
}

static int count(const char *path)
{
    sqlite3 *db;
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*) FROM menus", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int n = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return n;
}

static void test_keep_and_last(void **state)
{
    (void)state;
    char path[128], err[256] = "";
    snprintf(path, sizeof path, "%s/kiosk.db", dir);
    store_t *s = store_open(path, NULL, err, sizeof err);
    assert_non_null(s);
    assert_null(store_menu_last(s, "/menus/burger.yaml"));   /* nothing kept yet: the table is made */
    double t0 = 0, t1 = 0;
    assert_int_equal(store_menu_keep(s, "/menus/burger.yaml", "menu: A\n", err, sizeof err), 0);
    char *text = store_menu_last_at(s, "/menus/burger.yaml", &t0);
    assert_string_equal(text, "menu: A\n");
    free(text);
    assert_true(t0 > 1.7e9);
    assert_int_equal(store_menu_keep(s, "/menus/burger.yaml", "menu: B\n", err, sizeof err), 0);
    assert_int_equal(store_menu_keep(s, "/menus/coffee.yaml", "menu: C\n", err, sizeof err), 0);
    text = store_menu_last(s, "/menus/burger.yaml");
    assert_string_equal(text, "menu: B\n");
    free(text);
    /* A again: no second row, but it is the last one now */
    assert_int_equal(store_menu_keep(s, "/menus/burger.yaml", "menu: A\n", err, sizeof err), 0);
    text = store_menu_last_at(s, "/menus/burger.yaml", &t1);
    assert_string_equal(text, "menu: A\n");
    free(text);
    assert_true(t1 >= t0);
    text = store_menu_last(s, "/menus/coffee.yaml");
    assert_string_equal(text, "menu: C\n");
    free(text);
    assert_null(store_menu_last(s, "menus/burger.yaml"));     /* the path as kept: the caller makes it absolute */
    store_close(s);
    assert_int_equal(count(path), 3);

    /* a store reopened: still there, hashes as sha256sum prints them */
    s = store_open(path, NULL, err, sizeof err);
    text = store_menu_last(s, "/menus/coffee.yaml");
    assert_string_equal(text, "menu: C\n");
    free(text);
    store_close(s);
    sqlite3 *db;
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT sha256 FROM menus WHERE text = 'menu: A\n'", -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    char hex[65];
    store_sha256_hex("menu: A\n", 8, hex);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), hex);
    sqlite3_finalize(st);
    sqlite3_close(db);
}

/* Read at a kiosk's start, before its store opens: read-only, nothing made. */
static void test_last_in(void **state)
{
    (void)state;
    char path[128], none[128], err[256] = "";
    snprintf(path, sizeof path, "%s/in.db", dir);
    snprintf(none, sizeof none, "%s/none.db", dir);
    double kept = 0;
    assert_null(store_menu_last_in(none, "/m.yaml", &kept));
    assert_int_equal(access(none, F_OK), -1);   /* no database made */
    store_t *s = store_open(path, NULL, err, sizeof err);
    assert_non_null(s);
    store_close(s);
    assert_null(store_menu_last_in(path, "/m.yaml", &kept));   /* no menus table: none, and none made */
    sqlite3 *db;
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_master WHERE name = 'menus'", -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    s = store_open(path, NULL, err, sizeof err);
    assert_int_equal(store_menu_keep(s, "/m.yaml", "menu: A\n", err, sizeof err), 0);
    store_close(s);
    char *text = store_menu_last_in(path, "/m.yaml", &kept);
    assert_string_equal(text, "menu: A\n");
    assert_true(kept > 1.7e9);
    free(text);
}

static void test_locked(void **state)
{
    (void)state;
    char path[128], err[256] = "";
    snprintf(path, sizeof path, "%s/locked.db", dir);
    store_t *s = store_open(path, NULL, err, sizeof err);
    assert_non_null(s);
    assert_int_equal(store_menu_keep(s, "/m.yaml", "menu: A\n", err, sizeof err), 0);
    sqlite3 *other;
    assert_int_equal(sqlite3_open(path, &other), SQLITE_OK);
    assert_int_equal(sqlite3_exec(other, "BEGIN EXCLUSIVE", NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(store_menu_keep(s, "/m.yaml", "menu: B\n", err, sizeof err), -1);   /* after busy_timeout */
    assert_non_null(strstr(err, path));
    assert_non_null(strstr(err, "cannot keep the menu: the database is locked by another program"));
    sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_close(other);
    char *text = store_menu_last(s, "/m.yaml");
    assert_string_equal(text, "menu: A\n");
    free(text);
    store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sha256),
        cmocka_unit_test(test_keep_and_last),
        cmocka_unit_test(test_last_in),
        cmocka_unit_test(test_locked),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
