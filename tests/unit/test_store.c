/* test_store.c: the SQLite store and its writer: every operation's rows,
 * the file's mode, an older database migrated, a newer one refused, cars a
 * killed kiosk left open closed as interrupted, a locked or full database
 * (one clear line naming the file), and the writer holding everything while
 * it fails and writing it when the database is back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <grp.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../src/store/store.h"
#include "../../src/store/writer.h"

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

static void db_path(char *path, size_t n, const char *name)
{
    snprintf(path, n, "%s/%s", dir, name);
}

/* The first column of the first row of sql, as text ("" for NULL, "-" for no row). */
static void query(const char *path, const char *sql, char *out, size_t n)
{
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    if (sqlite3_step(st) == SQLITE_ROW) {
        const unsigned char *v = sqlite3_column_text(st, 0);
        snprintf(out, n, "%s", v ? (const char *)v : "");
    } else {
        snprintf(out, n, "-");
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
}

#define ASSERT_QUERY(path, sql, want) do { char got_[4096]; query(path, sql, got_, sizeof got_); \
    assert_string_equal(got_, want); } while (0)

static const char order_json[] =
    "{\"status\": \"confirmed\", \"lines\": [{\"item\": \"Cheeseburger\", \"qty\": 2, \"size\": null, "
    "\"options\": [\"no onions\"], \"choices\": {}, \"unit_cents\": 349, \"cents\": 698}, {\"item\": \"Coke\", "
    "\"qty\": 1, \"size\": \"large\", \"options\": [], \"choices\": {}, \"unit_cents\": 209, \"cents\": 209}], "
    "\"subtotal_cents\": 907, \"tax_cents\": 75, \"total_cents\": 982}";

static int apply(store_t *s, store_op_t op)
{
    char err[512];
    int rc = store_apply(s, &op, err, sizeof err);
    if (rc < 0) print_error("%s\n", err);
    return rc;
}

static void test_rows_land(void **state)
{
    (void)state;
    char path[128], err[256];
    snprintf(path, sizeof path, "%s/sub/folder/kiosk.db", dir);   /* folders are created */
    store_t *s = store_open(path, NULL, err, sizeof err);
    assert_non_null(s);
    assert_int_equal(apply(s, (store_op_t){ .kind = STORE_CAR_BEGIN, .car = 1, .t = 1000, .text = "Burger Barn",
                                            .name = "Lane 1" }), 0);
    assert_int_equal(apply(s, (store_op_t){ .kind = STORE_TURN, .car = 1, .t = 1001, .turn = 1, .file = "t1.wav",
                                            .heard = "two cheeseburgers no onions", .free_text = "two cheese",
                                            .confidence = 0.9, .said = "Anything else?", .decode_ms = 312.5,
                                            .audio_ms = 2100 }), 0);
    assert_int_equal(apply(s, (store_op_t){ .kind = STORE_PAGE, .car = 1, .t = 1002, .turn = 1,
                                            .name = "low_confidence", .heard = "x", .free_text = "y" }), 0);
    assert_int_equal(apply(s, (store_op_t){ .kind = STORE_ACK, .car = 1, .t = 1005, .after_s = 3.0,
                                            .name = "take_over" }), 0);
    assert_int_equal(apply(s, (store_op_t){ .kind = STORE_CREW, .car = 1, .t = 1005, .name = "remove", .text = "9",
                                            .ok = 0, .error = "no line 9" }), 0);
    assert_int_equal(apply(s, (store_op_t){ .kind = STORE_CONFIRM, .car = 1, .t = 1006, .status = "confirmed",
                                            .cents = 982, .text = (char *)order_json }), 0);
    assert_int_equal(apply(s, (store_op_t){ .kind = STORE_CAR_END, .car = 1, .t = 1007, .name = "confirmed",
                                            .status = "confirmed", .cents = 982, .text = (char *)order_json }), 0);
    assert_int_equal(apply(s, (store_op_t){ .kind = STORE_EVENT, .car = 1, .t = 1007, .name = "car",
                                            .text = "{\"event\": \"car\"}" }), 0);
    assert_int_equal(apply(s, (store_op_t){ .kind = STORE_EVENT, .car = 0, .t = 1008, .name = "page",
                                            .text = "{\"event\": \"page\"}" }), 0);
    /* The same turn twice is refused, not silently duplicated, with the file named. */
    store_op_t again = { .kind = STORE_TURN, .car = 1, .t = 1001, .turn = 1 };
    assert_int_equal(store_apply(s, &again, err, sizeof err), -1);
    assert_non_null(strstr(err, path));
    store_close(s);

    ASSERT_QUERY(path, "SELECT lane || '|' || menu || '|' || started || '|' || ended || '|' || why || '|' || status"
                       " || '|' || total_cents || '|' || confirmed FROM cars",
                 "Lane 1|Burger Barn|1000.0|1007.0|confirmed|confirmed|982|1006.0");
    ASSERT_QUERY(path, "SELECT group_concat(line || ':' || qty || 'x' || item || ':' || coalesce(size, '-') || ':'"
                       " || options || ':' || cents, ' / ') FROM order_lines WHERE car = 1",
                 "1:2xCheeseburger:-:[\"no onions\"]:698 / 2:1xCoke:large:[]:209");
    ASSERT_QUERY(path, "SELECT file || '|' || heard || '|' || confidence || '|' || decode_ms || '|' || audio_ms"
                       " FROM turns", "t1.wav|two cheeseburgers no onions|0.9|312.5|2100");
    ASSERT_QUERY(path, "SELECT reason || '|' || acked || '|' || ack_after_s || '|' || acked_by FROM pages",
                 "low_confidence|1005.0|3.0|take_over");
    ASSERT_QUERY(path, "SELECT action || '|' || detail || '|' || ok || '|' || error FROM crew_actions",
                 "remove|9|0|no line 9");
    ASSERT_QUERY(path, "SELECT group_concat(coalesce(car, 'NULL') || ':' || event, ' ') FROM events", "1:car NULL:page");
    ASSERT_QUERY(path, "PRAGMA user_version", "2");
    ASSERT_QUERY(path, "PRAGMA journal_mode", "wal");
}

/* It holds every customer's words: 0600 whatever the umask, its WAL too. */
static void test_mode(void **state)
{
    (void)state;
    char path[128], wal[140], err[256];
    db_path(path, sizeof path, "mode.db");
    mode_t old = umask(0);
    store_t *s = store_open(path, NULL, err, sizeof err);
    umask(old);
    assert_non_null(s);
    assert_int_equal(apply(s, (store_op_t){ .kind = STORE_CAR_BEGIN, .car = 1, .t = 1, .text = "B" }), 0);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    snprintf(wal, sizeof wal, "%s-wal", path);
    assert_int_equal(stat(wal, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    store_close(s);
    /* an existing database's mode is the owner's business */
    assert_int_equal(chmod(path, 0640), 0);
    s = store_open(path, NULL, err, sizeof err);
    assert_non_null(s);
    store_close(s);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0640);
}

/* --db-group: a new database its group may read, 0640; an unknown group refused in words. */
static void test_group(void **state)
{
    (void)state;
    char path[128], err[256] = "";
    db_path(path, sizeof path, "group.db");
    struct group *g = getgrgid(getgid());
    assert_non_null(g);
    assert_int_equal(store_create_for_group(path, g->gr_name, err, sizeof err), 0);
    store_t *s = store_open(path, NULL, err, sizeof err);
    assert_non_null(s);
    store_close(s);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0640);
    assert_int_equal(st.st_gid, g->gr_gid);
    assert_int_equal(store_create_for_group(path, g->gr_name, err, sizeof err), 0);   /* there: left alone */
    assert_int_equal(store_create_for_group(path, "no-such-group-here", err, sizeof err), -1);
    assert_string_equal(err, "--db-group no-such-group-here: no such group (getent group lists them)");
}

/* A database of the first schema (no user_version) is brought up to date, its rows kept. */
static void test_migrates_v1(void **state)
{
    (void)state;
    char path[128], err[256];
    db_path(path, sizeof path, "v1.db");
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db,
        "CREATE TABLE cars(id INTEGER PRIMARY KEY, menu TEXT NOT NULL, started REAL NOT NULL, ended REAL,"
        "  status TEXT, total_cents INTEGER, order_json TEXT);"
        "CREATE TABLE turns(car INTEGER NOT NULL REFERENCES cars(id), turn INTEGER NOT NULL, t REAL NOT NULL,"
        "  file TEXT, heard TEXT, free_text TEXT, confidence REAL, said TEXT, page TEXT, PRIMARY KEY(car, turn));"
        "CREATE TABLE pages(car INTEGER NOT NULL REFERENCES cars(id), turn INTEGER NOT NULL, t REAL NOT NULL,"
        "  reason TEXT NOT NULL, heard TEXT, free_text TEXT, acked REAL);"
        "CREATE TABLE events(car INTEGER REFERENCES cars(id), t REAL NOT NULL, event TEXT NOT NULL, json TEXT NOT NULL);"
        "INSERT INTO cars VALUES(1, 'Burger Barn', 10, 20, 'confirmed', 982, '{}');"
        "INSERT INTO turns VALUES(1, 1, 11, 'mic', 'a coke', 'a coke', 0.9, 'ok', NULL);",
        NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    store_t *s = store_open(path, NULL, err, sizeof err);
    assert_non_null(s);
    assert_int_equal(apply(s, (store_op_t){ .kind = STORE_CAR_BEGIN, .car = 1, .t = 30, .text = "Burger Barn",
                                            .name = "Lane 2" }), 0);
    assert_int_equal(apply(s, (store_op_t){ .kind = STORE_TURN, .car = 1, .t = 31, .turn = 1, .decode_ms = 5 }), 0);
    store_close(s);
    ASSERT_QUERY(path, "PRAGMA user_version", "2");
    ASSERT_QUERY(path, "SELECT group_concat(id || ':' || coalesce(lane, '-') || ':' || coalesce(why, '-'), ' ') FROM cars",
                 "1:-:confirmed 2:Lane 2:-");
    ASSERT_QUERY(path, "SELECT group_concat(car || ':' || coalesce(heard, '') || ':' || coalesce(decode_ms, '-'), ' ') FROM turns",
                 "1:a coke:- 2::5.0");
}

static void test_newer_refused(void **state)
{
    (void)state;
    char path[128], err[256] = "";
    db_path(path, sizeof path, "newer.db");
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 9", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    assert_null(store_open(path, NULL, err, sizeof err));
    char want[300];
    snprintf(want, sizeof want, "%s: made by a newer kiosk (schema 9; this one knows up to 2): use that kiosk, "
                                "or give another --db", path);
    assert_string_equal(err, want);
}

/* A kiosk killed mid-car: the next open closes the car as interrupted at
 * its last event, its order as it stood. */
static void test_interrupted(void **state)
{
    (void)state;
    char path[128], err[256];
    db_path(path, sizeof path, "killed.db");
    store_t *s = store_open(path, NULL, err, sizeof err);
    assert_non_null(s);
    assert_int_equal(apply(s, (store_op_t){ .kind = STORE_CAR_BEGIN, .car = 1, .t = 100, .text = "B" }), 0);
    assert_int_equal(apply(s, (store_op_t){ .kind = STORE_ORDER, .car = 1, .t = 101, .status = "open", .cents = 982,
                                            .text = (char *)order_json }), 0);
    assert_int_equal(apply(s, (store_op_t){ .kind = STORE_EVENT, .car = 1, .t = 104.5, .name = "order", .text = "{}" }), 0);
    assert_int_equal(apply(s, (store_op_t){ .kind = STORE_CAR_BEGIN, .car = 2, .t = 200, .text = "B" }), 0);
    assert_int_equal(apply(s, (store_op_t){ .kind = STORE_CAR_END, .car = 2, .t = 210, .name = "confirmed",
                                            .status = "confirmed", .cents = 1, .text = "{}" }), 0);
    assert_int_equal(apply(s, (store_op_t){ .kind = STORE_CAR_BEGIN, .car = 3, .t = 300, .text = "B" }), 0);
    /* no close: as SIGKILL leaves it */
    int interrupted = -1;
    store_t *again = store_open(path, &interrupted, err, sizeof err);
    assert_non_null(again);
    assert_int_equal(interrupted, 2);
    ASSERT_QUERY(path, "SELECT group_concat(id || ':' || ended || ':' || why || ':' || status || ':' ||"
                       " coalesce(total_cents, '-'), ' ') FROM cars",
                 "1:104.5:interrupted:open:982 2:210.0:confirmed:confirmed:1 3:300.0:interrupted:open:-");
    ASSERT_QUERY(path, "SELECT count(*) FROM order_lines WHERE car = 1", "2");
    interrupted = -1;
    store_close(again);
    again = store_open(path, &interrupted, err, sizeof err);
    assert_int_equal(interrupted, 0);
    store_close(again);
    store_close(s);
}

static void test_bad_path(void **state)
{
    (void)state;
    char err[256] = "";
    /* A folder where the file should be. */
    store_t *s = store_open(dir, NULL, err, sizeof err);
    assert_null(s);
    assert_non_null(strstr(err, dir));
    assert_non_null(strstr(err, "cannot open the database"));
}

static void test_not_a_database(void **state)
{
    (void)state;
    char path[128], err[256] = "";
    db_path(path, sizeof path, "garbage.db");
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    for (int i = 0; i < 200; i++) fputs("this is not a database file at all\n", f);
    fclose(f);
    store_t *s = store_open(path, NULL, err, sizeof err);
    assert_null(s);
    char want[300];
    snprintf(want, sizeof want, "%s: cannot set up the database: file is not a database", path);
    assert_string_equal(err, want);
}

static void test_locked(void **state)
{
    (void)state;
    char path[128], err[256] = "";
    db_path(path, sizeof path, "locked.db");
    store_t *s = store_open(path, NULL, err, sizeof err);
    assert_non_null(s);
    sqlite3 *other;
    assert_int_equal(sqlite3_open(path, &other), SQLITE_OK);
    assert_int_equal(sqlite3_exec(other, "BEGIN EXCLUSIVE", NULL, NULL, NULL), SQLITE_OK);
    store_op_t op = { .kind = STORE_CAR_BEGIN, .car = 1, .t = 1, .text = "B" };
    assert_int_equal(store_apply(s, &op, err, sizeof err), -1);   /* waits 250 ms, then fails */
    char want[300];
    snprintf(want, sizeof want, "%s: cannot write: the database is locked by another program", path);
    assert_string_equal(err, want);
    sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_close(other);
    assert_int_equal(store_apply(s, &op, err, sizeof err), 0);
    store_close(s);
}

/* A full disk, as SQLite sees it: the database may not grow. */
static void test_full(void **state)
{
    (void)state;
    char path[128], err[256] = "";
    db_path(path, sizeof path, "full.db");
    store_t *s = store_open(path, NULL, err, sizeof err);
    assert_non_null(s);
    assert_int_equal(apply(s, (store_op_t){ .kind = STORE_CAR_BEGIN, .car = 1, .t = 1, .text = "B" }), 0);
    char big[3000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    sqlite3_exec(store_db(s), "PRAGMA max_page_count = 1", NULL, NULL, NULL);   /* already more: no growth */
    store_op_t op = { .kind = STORE_EVENT, .car = 1, .t = 2, .name = "x", .text = big };
    int rc = 0;
    for (int i = 0; i < 20 && rc == 0; i++) rc = store_apply(s, &op, err, sizeof err);
    assert_int_equal(rc, -1);
    char want[300];
    snprintf(want, sizeof want, "%s: cannot write: the disk is full", path);
    assert_string_equal(err, want);
    store_close(s);
}

/* The writer: while the database is locked everything is held, in order,
 * and said once; when it is free again it is all written. */
static void test_writer_holds(void **state)
{
    (void)state;
    char path[128], err[256] = "";
    db_path(path, sizeof path, "writer.db");
    store_t *s = store_open(path, NULL, err, sizeof err);
    assert_non_null(s);
    store_writer_t *w = store_writer_start(s, err, sizeof err);
    assert_non_null(w);
    store_op_t begin = { .kind = STORE_CAR_BEGIN, .car = 1, .t = 1, .text = "B" };
    unsigned long n1 = store_writer_put(w, &begin);
    assert_int_equal(store_writer_wait(w, n1, 5), 1);

    sqlite3 *other;
    assert_int_equal(sqlite3_open(path, &other), SQLITE_OK);
    assert_int_equal(sqlite3_exec(other, "BEGIN EXCLUSIVE", NULL, NULL, NULL), SQLITE_OK);
    unsigned long last = 0;
    for (int i = 1; i <= 50; i++) {
        char text[32];
        snprintf(text, sizeof text, "{\"n\": %d}", i);
        store_op_t ev = { .kind = STORE_EVENT, .car = 1, .t = 1 + i, .name = "n", .text = text };
        last = store_writer_put(w, &ev);
    }
    store_op_t confirm = { .kind = STORE_CONFIRM, .car = 1, .t = 60, .status = "confirmed", .cents = 982,
                           .text = (char *)order_json };
    unsigned long c = store_writer_put(w, &confirm);
    assert_true(c > last);
    assert_int_equal(store_writer_wait(w, c, 5), 0);   /* tried and held: the lane need not wait */
    store_news_t news;
    store_writer_news(w, &news);
    assert_int_equal(news.failing, 1);
    char want[300];
    snprintf(want, sizeof want, "%s: cannot write: the database is locked by another program", path);
    assert_string_equal(news.error, want);
    assert_int_equal(news.held, 51);
    ASSERT_QUERY(path, "SELECT count(*) FROM events", "0");

    sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_close(other);
    for (int i = 0; i < 50; i++) {   /* retried within a second or two */
        store_writer_news(w, &news);
        if (!news.held) break;
        usleep(100 * 1000);
    }
    assert_int_equal(news.failing, 0);
    assert_int_equal(news.held, 0);
    assert_int_equal(news.written, c);
    assert_int_equal(store_writer_stop(w, 1), 0);
    store_close(s);
    ASSERT_QUERY(path, "SELECT count(*) || ' ' || (SELECT json FROM events ORDER BY rowid LIMIT 1) || ' ' || max(t) FROM events", "50 {\"n\": 1} 51.0");
    ASSERT_QUERY(path, "SELECT status || ' ' || confirmed FROM cars", "confirmed 60.0");
}

/* Stopping while the database is still locked: what could not be written is counted. */
static void test_writer_stop_counts(void **state)
{
    (void)state;
    char path[128], err[256] = "";
    db_path(path, sizeof path, "stop.db");
    store_t *s = store_open(path, NULL, err, sizeof err);
    store_writer_t *w = store_writer_start(s, err, sizeof err);
    sqlite3 *other;
    assert_int_equal(sqlite3_open(path, &other), SQLITE_OK);
    assert_int_equal(sqlite3_exec(other, "BEGIN EXCLUSIVE", NULL, NULL, NULL), SQLITE_OK);
    store_op_t begin = { .kind = STORE_CAR_BEGIN, .car = 1, .t = 1, .text = "B" };
    store_writer_put(w, &begin);
    store_writer_put(w, &begin);
    assert_int_equal(store_writer_stop(w, 0.5), 2);
    sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_close(other);
    store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rows_land),
        cmocka_unit_test(test_mode),
        cmocka_unit_test(test_group),
        cmocka_unit_test(test_migrates_v1),
        cmocka_unit_test(test_newer_refused),
        cmocka_unit_test(test_interrupted),
        cmocka_unit_test(test_bad_path),
        cmocka_unit_test(test_not_a_database),
        cmocka_unit_test(test_locked),
        cmocka_unit_test(test_full),
        cmocka_unit_test(test_writer_holds),
        cmocka_unit_test(test_writer_stop_counts),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
