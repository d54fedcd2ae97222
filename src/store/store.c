/* store.c: see store.h. */
#include "store.h"

#include <errno.h>
#include <stdarg.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../util/util.h"

struct store_s {
    sqlite3 *db;
    char *path;
};

static const char schema[] =
    "PRAGMA journal_mode=WAL;"
    "PRAGMA busy_timeout=2000;"
    "CREATE TABLE IF NOT EXISTS cars("
    "  id INTEGER PRIMARY KEY, menu TEXT NOT NULL, started REAL NOT NULL, ended REAL,"
    "  status TEXT, total_cents INTEGER, order_json TEXT);"
    "CREATE TABLE IF NOT EXISTS turns("
    "  car INTEGER NOT NULL REFERENCES cars(id), turn INTEGER NOT NULL, t REAL NOT NULL,"
    "  file TEXT, heard TEXT, free_text TEXT, confidence REAL, said TEXT, page TEXT,"
    "  PRIMARY KEY(car, turn));"
    "CREATE TABLE IF NOT EXISTS pages("
    "  car INTEGER NOT NULL REFERENCES cars(id), turn INTEGER NOT NULL, t REAL NOT NULL,"
    "  reason TEXT NOT NULL, heard TEXT, free_text TEXT, acked REAL);"
    "CREATE TABLE IF NOT EXISTS events("
    "  car INTEGER REFERENCES cars(id), t REAL NOT NULL, event TEXT NOT NULL, json TEXT NOT NULL);";

static void fail(const store_t *s, const char *what, char *err, unsigned errlen)
{
    snprintf(err, errlen, "%s: %s: %s", s->path, what, sqlite3_errmsg(s->db));
}

/* mkdir -p of the folder holding path. */
static void make_parent(const char *path)
{
    char *dir = xstrdup(path);
    for (char *p = dir + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        mkdir(dir, 0755);
        *p = '/';
    }
    free(dir);
}

store_t *store_open(const char *path, char *err, unsigned errlen)
{
    store_t *s = xcalloc(1, sizeof *s);
    s->path = xstrdup(path);
    make_parent(path);
    if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "%s: cannot open the database: %s; check the folder exists and is writable",
                 path, s->db ? sqlite3_errmsg(s->db) : "out of memory");
        goto err;
    }
    char *msg = NULL;
    if (sqlite3_exec(s->db, schema, NULL, NULL, &msg) != SQLITE_OK) {
        snprintf(err, errlen, "%s: cannot set up the database: %s", path, msg ? msg : "?");
        sqlite3_free(msg);
        goto err;
    }
    return s;
err:
    store_close(s);
    return NULL;
}

void store_close(store_t *s)
{
    if (!s) return;
    sqlite3_close(s->db);
    free(s->path);
    free(s);
}

sqlite3 *store_db(store_t *s)
{
    return s->db;
}

/* Runs one statement with bound values described by types: 'i' long, 'd' double, 's' text. */
static int run(store_t *s, const char *sql, const char *types, char *err, unsigned errlen, ...)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
        fail(s, "cannot prepare a statement", err, errlen);
        return -1;
    }
    va_list ap;
    va_start(ap, errlen);
    for (int i = 0; types[i]; i++) {
        switch (types[i]) {
        case 'i': sqlite3_bind_int64(st, i + 1, va_arg(ap, long)); break;
        case 'd': sqlite3_bind_double(st, i + 1, va_arg(ap, double)); break;
        default: {
            const char *v = va_arg(ap, const char *);
            if (v) sqlite3_bind_text(st, i + 1, v, -1, SQLITE_TRANSIENT);
            else sqlite3_bind_null(st, i + 1);
        }
        }
    }
    va_end(ap);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        fail(s, rc == SQLITE_BUSY ? "the database is locked by another program" : "cannot write", err, errlen);
        return -1;
    }
    return 0;
}

long store_car_begin(store_t *s, const char *menu, double t, char *err, unsigned errlen)
{
    if (run(s, "INSERT INTO cars(menu, started) VALUES(?, ?)", "sd", err, errlen, menu, t) < 0)
        return -1;
    return (long)sqlite3_last_insert_rowid(s->db);
}

int store_turn(store_t *s, long car, int turn, double t, const char *file, const char *heard,
               const char *free_text, double confidence, const char *said, const char *page,
               char *err, unsigned errlen)
{
    return run(s,
               "INSERT INTO turns(car, turn, t, file, heard, free_text, confidence, said, page)"
               " VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)",
               "iidsssdss", err, errlen, car, (long)turn, t, file, heard, free_text, confidence,
               said, page);
}

int store_page(store_t *s, long car, int turn, double t, const char *reason, const char *heard,
               const char *free_text, char *err, unsigned errlen)
{
    return run(s, "INSERT INTO pages(car, turn, t, reason, heard, free_text) VALUES(?, ?, ?, ?, ?, ?)",
               "iidsss", err, errlen, car, (long)turn, t, reason, heard, free_text);
}

int store_car_end(store_t *s, long car, double t, const char *status, long total_cents,
                  const char *order_json, char *err, unsigned errlen)
{
    return run(s, "UPDATE cars SET ended = ?, status = ?, total_cents = ?, order_json = ? WHERE id = ?",
               "dsisi", err, errlen, t, status, total_cents, order_json, car);
}

int store_event(store_t *s, long car, double t, const char *event, const char *json, char *err,
                unsigned errlen)
{
    if (car > 0)
        return run(s, "INSERT INTO events(car, t, event, json) VALUES(?, ?, ?, ?)", "idss", err, errlen,
                   car, t, event, json);
    return run(s, "INSERT INTO events(car, t, event, json) VALUES(NULL, ?, ?, ?)", "dss", err, errlen, t,
               event, json);
}
