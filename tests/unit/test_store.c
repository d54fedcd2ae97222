/* test_store.c: the SQLite store: rows land, bad paths and a locked database
 * give one clear line naming the file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../src/store/store.h"

static char dir[64];

static int setup(void **state)
{
    (void)state;
    strcpy(dir, "/tmp/kiosk-store-XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd);
}

static void test_rows_land(void **state)
{
    (void)state;
    char path[128], err[256];
    snprintf(path, sizeof path, "%s/sub/folder/kiosk.db", dir);   /* folders are created */
    store_t *s = store_open(path, err, sizeof err);
    assert_non_null(s);
    long car = store_car_begin(s, "Burger Barn", 1000.0, err, sizeof err);
    assert_true(car > 0);
    assert_int_equal(store_turn(s, car, 1, 1001.0, "t1.wav", "a coke", "a coke", 0.9, "A Coke. Anything else?",
                                NULL, err, sizeof err), 0);
    assert_int_equal(store_turn(s, car, 2, 1002.0, "t2.wav", "manager", "i want a manager", 0.8,
                                "A team member will be right with you.", "human_request", err, sizeof err), 0);
    assert_int_equal(store_page(s, car, 2, 1002.0, "human_request", "manager", "i want a manager", err, sizeof err), 0);
    assert_int_equal(store_car_end(s, car, 1003.0, "crew", 194, "{}", err, sizeof err), 0);
    /* The same turn twice is refused, not silently duplicated. */
    assert_int_equal(store_turn(s, car, 2, 1002.0, "t2.wav", "", "", 0, "", NULL, err, sizeof err), -1);
    assert_non_null(strstr(err, path));
    store_close(s);

    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db,
        "SELECT c.status, c.total_cents, (SELECT count(*) FROM turns), p.reason, p.free_text "
        "FROM cars c JOIN pages p ON p.car = c.id", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "crew");
    assert_int_equal(sqlite3_column_int(st, 1), 194);
    assert_int_equal(sqlite3_column_int(st, 2), 2);
    assert_string_equal((const char *)sqlite3_column_text(st, 3), "human_request");
    assert_string_equal((const char *)sqlite3_column_text(st, 4), "i want a manager");
    sqlite3_finalize(st);
    sqlite3_close(db);
}

/* Event lines are kept as sent, with their car (NULL outside a car). */
static void test_events(void **state)
{
    (void)state;
    char path[128], err[256];
    snprintf(path, sizeof path, "%s/events.db", dir);
    store_t *s = store_open(path, err, sizeof err);
    assert_non_null(s);
    long car = store_car_begin(s, "Burger Barn", 1000.0, err, sizeof err);
    const char *line = "{\"t\": 1000.500, \"event\": \"car\", \"car\": 1, \"state\": \"arrived\"}";
    assert_int_equal(store_event(s, car, 1000.5, "car", line, err, sizeof err), 0);
    assert_int_equal(store_event(s, 0, 1001.0, "page", "{\"event\": \"page\"}", err, sizeof err), 0);
    store_close(s);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT car, t, event, json FROM events ORDER BY rowid", -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int64(st, 0), car);
    assert_true(sqlite3_column_double(st, 1) == 1000.5);
    assert_string_equal((const char *)sqlite3_column_text(st, 2), "car");
    assert_string_equal((const char *)sqlite3_column_text(st, 3), line);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_type(st, 0), SQLITE_NULL);
    assert_string_equal((const char *)sqlite3_column_text(st, 2), "page");
    assert_int_equal(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
    sqlite3_close(db);
}

static mode_t mode_of(const char *path, const char *suffix)
{
    char p[160];
    snprintf(p, sizeof p, "%s%s", path, suffix);
    struct stat st;
    if (stat(p, &st) != 0) fail_msg("%s: %s", p, strerror(errno));
    return st.st_mode & 07777;
}

/* A new database and its -wal and -shm are 0600 whatever the umask (it holds
 * every customer's words); an existing database's mode is left alone. */
static void test_file_mode(void **state)
{
    (void)state;
    char path[128], err[256];
    snprintf(path, sizeof path, "%s/private/kiosk.db", dir);
    mode_t old_mask = umask(0);   /* the most open a umask can make it */
    store_t *s = store_open(path, err, sizeof err);
    umask(old_mask);
    if (!s) fail_msg("%s", err);
    assert_true(store_car_begin(s, "Burger Barn", 1.0, err, sizeof err) > 0);   /* the WAL is in use */
    assert_int_equal(mode_of(path, ""), 0600);
    assert_int_equal(mode_of(path, "-wal"), 0600);
    assert_int_equal(mode_of(path, "-shm"), 0600);
    store_close(s);

    /* an owner who chose 0640 (a group reads the reports) keeps it */
    assert_int_equal(chmod(path, 0640), 0);
    s = store_open(path, err, sizeof err);
    if (!s) fail_msg("%s", err);
    assert_true(store_car_begin(s, "Burger Barn", 2.0, err, sizeof err) > 0);
    assert_int_equal(mode_of(path, ""), 0640);
    store_close(s);
}

static void test_bad_path(void **state)
{
    (void)state;
    char err[256] = "";
    /* A folder where the file should be. */
    store_t *s = store_open(dir, err, sizeof err);
    assert_null(s);
    assert_non_null(strstr(err, dir));
    assert_non_null(strstr(err, "cannot"));
}

static void test_not_a_database(void **state)
{
    (void)state;
    char path[128], err[256] = "";
    snprintf(path, sizeof path, "%s/garbage.db", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    for (int i = 0; i < 200; i++) fputs("this is not a database file at all\n", f);
    fclose(f);
    store_t *s = store_open(path, err, sizeof err);
    assert_null(s);
    assert_non_null(strstr(err, path));
    assert_non_null(strstr(err, "not a database"));
}

static void test_locked(void **state)
{
    (void)state;
    char path[128], err[256] = "";
    snprintf(path, sizeof path, "%s/locked.db", dir);
    store_t *s = store_open(path, err, sizeof err);
    assert_non_null(s);
    sqlite3 *other;
    assert_int_equal(sqlite3_open(path, &other), SQLITE_OK);
    assert_int_equal(sqlite3_exec(other, "BEGIN EXCLUSIVE", NULL, NULL, NULL), SQLITE_OK);
    long car = store_car_begin(s, "Burger Barn", 1.0, err, sizeof err);  /* waits busy_timeout, then fails */
    assert_int_equal(car, -1);
    assert_non_null(strstr(err, "locked"));
    sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_close(other);
    assert_true(store_car_begin(s, "Burger Barn", 1.0, err, sizeof err) > 0);
    store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rows_land),
        cmocka_unit_test(test_events),
        cmocka_unit_test(test_file_mode),
        cmocka_unit_test(test_bad_path),
        cmocka_unit_test(test_not_a_database),
        cmocka_unit_test(test_locked),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
