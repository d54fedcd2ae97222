/* store.c: see store.h. */
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../util/util.h"
#include "menus.h"

/* The lane's last few car numbers and their ids: rows of a car that just
 * left (its "left" event) still find it. */
#define CAR_MAP 8
/* Prepared statements kept, by their SQL's address (the statements below). */
#define STMT_CACHE 16

struct store_s {
    sqlite3 *db;
    char *path;
    struct { int no; long id; } cars[CAR_MAP];
    int ncars;
    struct { const char *sql; sqlite3_stmt *st; } stmts[STMT_CACHE];
    int nstmts;
};

const char *const store_op_names[] = {
    "car_begin", "turn", "page", "order", "confirm", "ack", "crew", "car_end", "event", "menu",
};
_Static_assert(sizeof store_op_names / sizeof store_op_names[0] == STORE_MENU + 1, "an operation without its name");

/* Version 2.  cars holds the order as it stands (status, total, JSON; the
 * time it was confirmed) and why the car left; order_lines its lines. */
static const char schema_v2[] =
    "CREATE TABLE cars("
    "  id INTEGER PRIMARY KEY, lane TEXT, menu TEXT NOT NULL, started REAL NOT NULL, ended REAL,"
    "  why TEXT, status TEXT, total_cents INTEGER, order_json TEXT, confirmed REAL);"
    "CREATE TABLE order_lines("
    "  car INTEGER NOT NULL REFERENCES cars(id), line INTEGER NOT NULL, item TEXT NOT NULL,"
    "  qty INTEGER NOT NULL, size TEXT, options TEXT, choices TEXT, unit_cents INTEGER, cents INTEGER,"
    "  PRIMARY KEY(car, line));"
    "CREATE TABLE turns("
    "  car INTEGER NOT NULL REFERENCES cars(id), turn INTEGER NOT NULL, t REAL NOT NULL,"
    "  file TEXT, heard TEXT, free_text TEXT, confidence REAL, said TEXT, page TEXT,"
    "  decode_ms REAL, audio_ms INTEGER, PRIMARY KEY(car, turn));"
    "CREATE TABLE pages("
    "  car INTEGER REFERENCES cars(id), turn INTEGER NOT NULL, t REAL NOT NULL,"
    "  reason TEXT NOT NULL, heard TEXT, free_text TEXT, acked REAL, ack_after_s REAL, acked_by TEXT);"
    "CREATE TABLE crew_actions("
    "  car INTEGER REFERENCES cars(id), t REAL NOT NULL, action TEXT NOT NULL, detail TEXT,"
    "  ok INTEGER NOT NULL, error TEXT);"
    "CREATE TABLE events("
    "  car INTEGER REFERENCES cars(id), t REAL NOT NULL, event TEXT NOT NULL, json TEXT NOT NULL);"
    "CREATE INDEX events_t ON events(t);"
    "CREATE INDEX cars_started ON cars(started);";

/* Version 1 (2026-11, no user_version) had cars, turns, pages and events
 * without the columns below. */
static const char migrate_v1[] =
    "ALTER TABLE cars ADD COLUMN lane TEXT;"
    "ALTER TABLE cars ADD COLUMN why TEXT;"
    "ALTER TABLE cars ADD COLUMN confirmed REAL;"
    "ALTER TABLE turns ADD COLUMN decode_ms REAL;"
    "ALTER TABLE turns ADD COLUMN audio_ms INTEGER;"
    "ALTER TABLE pages ADD COLUMN ack_after_s REAL;"
    "ALTER TABLE pages ADD COLUMN acked_by TEXT;"
    "CREATE TABLE order_lines("
    "  car INTEGER NOT NULL REFERENCES cars(id), line INTEGER NOT NULL, item TEXT NOT NULL,"
    "  qty INTEGER NOT NULL, size TEXT, options TEXT, choices TEXT, unit_cents INTEGER, cents INTEGER,"
    "  PRIMARY KEY(car, line));"
    "CREATE TABLE crew_actions("
    "  car INTEGER REFERENCES cars(id), t REAL NOT NULL, action TEXT NOT NULL, detail TEXT,"
    "  ok INTEGER NOT NULL, error TEXT);"
    "CREATE INDEX IF NOT EXISTS events_t ON events(t);"
    "CREATE INDEX IF NOT EXISTS cars_started ON cars(started);"
    "UPDATE cars SET why = status WHERE ended IS NOT NULL;";

static void fail(const store_t *s, const char *what, char *err, unsigned errlen)
{
    int code = sqlite3_errcode(s->db);
    const char *why = code == SQLITE_BUSY || code == SQLITE_LOCKED ? "the database is locked by another program"
                    : code == SQLITE_FULL ? "the disk is full"
                    : code == SQLITE_READONLY ? "the database cannot be written (read-only)"
                    : sqlite3_errmsg(s->db);
    snprintf(err, errlen, "%s: %s: %s", s->path, what, why);
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

static int exec(store_t *s, const char *sql, const char *what, char *err, unsigned errlen)
{
    char *msg = NULL;
    if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) == SQLITE_OK) return 0;
    fail(s, what, err, errlen);
    sqlite3_free(msg);
    return -1;
}

static long one_number(store_t *s, const char *sql)
{
    sqlite3_stmt *st = NULL;
    long v = -1;
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        v = (long)sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

/* The schema at STORE_VERSION: made, migrated, or refused when newer. */
static int schema(store_t *s, char *err, unsigned errlen)
{
    long version = one_number(s, "PRAGMA user_version");
    if (version == STORE_VERSION) return 0;
    if (version > STORE_VERSION) {
        snprintf(err, errlen, "%s: made by a newer kiosk (schema %ld; this one knows up to %d): use that kiosk, "
                              "or give another --db", s->path, version, STORE_VERSION);
        return -1;
    }
    int has_cars = one_number(s, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'cars'") > 0;
    if (exec(s, "BEGIN IMMEDIATE", "cannot set up the database", err, errlen) < 0) return -1;
    if (exec(s, has_cars ? migrate_v1 : schema_v2, has_cars ? "cannot bring an older database up to date"
                                                            : "cannot set up the database", err, errlen) < 0 ||
        exec(s, "PRAGMA user_version = 2", "cannot set up the database", err, errlen) < 0) {
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
        return -1;
    }
    return exec(s, "COMMIT", "cannot set up the database", err, errlen);
}

store_t *store_open(const char *path, int *interrupted, char *err, unsigned errlen)
{
    store_t *s = xcalloc(1, sizeof *s);
    s->path = xstrdup(path);
    if (interrupted) *interrupted = 0;
    make_parent(path);
    /* Created here with 0600 whatever the umask: it holds every customer's
     * words.  SQLite gives its -wal and -shm files the database's mode. */
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd >= 0) close(fd);
    if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "%s: cannot open the database: %s; check the folder exists and is writable",
                 path, s->db ? sqlite3_errmsg(s->db) : "out of memory");
        goto err;
    }
    /* A locked database is waited for a little (the writer's thread retries
     * for longer); a kiosk never waits seconds on one. */
    sqlite3_busy_timeout(s->db, 250);
    if (exec(s, "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL;",
             "cannot set up the database", err, errlen) < 0 ||
        schema(s, err, errlen) < 0)
        goto err;
    /* Cars a kiosk that died left open: closed at their last event, their
     * order kept as it stood. */
    if (exec(s, "UPDATE cars SET ended = max(started, coalesce((SELECT max(t) FROM events e WHERE e.car = cars.id), 0)),"
                " why = 'interrupted', status = coalesce(status, 'open') WHERE ended IS NULL",
             "cannot close the cars a stopped kiosk left open", err, errlen) < 0)
        goto err;
    if (interrupted) *interrupted = sqlite3_changes(s->db);
    return s;
err:
    store_close(s);
    return NULL;
}

int store_create_for_group(const char *path, const char *group, char *err, unsigned errlen)
{
    struct group *g = getgrnam(group);
    if (!g) {
        snprintf(err, errlen, "--db-group %s: no such group (getent group lists them)", group);
        return -1;
    }
    make_parent(path);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) return 0;   /* there already (or not makeable: store_open says why) */
    int rc = 0;
    if (fchown(fd, (uid_t)-1, g->gr_gid) < 0 || fchmod(fd, 0640) < 0) {
        snprintf(err, errlen, "%s: cannot give the new database to group %s (%s); the kiosk's user must be in it",
                 path, group, strerror(errno));
        unlink(path);
        rc = -1;
    }
    close(fd);
    return rc;
}

void store_close(store_t *s)
{
    if (!s) return;
    for (int i = 0; i < s->nstmts; i++) sqlite3_finalize(s->stmts[i].st);
    sqlite3_close(s->db);
    free(s->path);
    free(s);
}

const char *store_path(const store_t *s)
{
    return s->path;
}

sqlite3 *store_db(store_t *s)
{
    return s->db;
}

/* ---- operations ------------------------------------------------------------ */

/* The prepared statement of sql (a string literal: cached by its address). */
static sqlite3_stmt *statement(store_t *s, const char *sql, char *err, unsigned errlen)
{
    for (int i = 0; i < s->nstmts; i++)
        if (s->stmts[i].sql == sql) return s->stmts[i].st;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK) {
        fail(s, "cannot prepare a statement", err, errlen);
        return NULL;
    }
    if (s->nstmts < STMT_CACHE) {
        s->stmts[s->nstmts].sql = sql;
        s->stmts[s->nstmts].st = st;
        s->nstmts++;
    }
    return st;
}

/* Runs sql with values described by types: 'i' long, 'd' double, 's' text (NULL: NULL). */
static int run(store_t *s, const char *sql, const char *types, char *err, unsigned errlen, ...)
{
    sqlite3_stmt *st = statement(s, sql, err, errlen);
    if (!st) return -1;
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
    if (rc != SQLITE_DONE) fail(s, "cannot write", err, errlen);   /* before the reset clears it */
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    int cached = 0;
    for (int i = 0; i < s->nstmts; i++) cached |= s->stmts[i].st == st;
    if (!cached) sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

/* The store's id of the lane's car number, 0 when unknown (NULL in rows). */
static long car_id(const store_t *s, int no)
{
    for (int i = 0; i < s->ncars; i++)
        if (s->cars[i].no == no) return s->cars[i].id;
    return 0;
}

static void car_remember(store_t *s, int no, long id)
{
    if (s->ncars == CAR_MAP) {
        memmove(s->cars, s->cars + 1, (CAR_MAP - 1) * sizeof s->cars[0]);
        s->ncars--;
    }
    s->cars[s->ncars].no = no;
    s->cars[s->ncars].id = id;
    s->ncars++;
}

/* The order as it stands, and its lines (from its JSON, by SQLite's JSON1). */
static int order(store_t *s, long car, const store_op_t *op, char *err, unsigned errlen)
{
    if (run(s, "UPDATE cars SET status = ?, total_cents = ?, order_json = ?,"
               " confirmed = CASE WHEN ? THEN ? ELSE confirmed END WHERE id = ?",
            "sisidi", err, errlen, op->status, op->cents, op->text, (long)(op->kind == STORE_CONFIRM), op->t,
            car) < 0 ||
        run(s, "DELETE FROM order_lines WHERE car = ?", "i", err, errlen, car) < 0)
        return -1;
    return run(s, "INSERT INTO order_lines(car, line, item, qty, size, options, choices, unit_cents, cents)"
                  " SELECT ?, key + 1, json_extract(value, '$.item'), json_extract(value, '$.qty'),"
                  " json_extract(value, '$.size'), json_extract(value, '$.options'),"
                  " json_extract(value, '$.choices'), json_extract(value, '$.unit_cents'),"
                  " json_extract(value, '$.cents') FROM json_each(?, '$.lines')",
               "is", err, errlen, car, op->text);
}

static int apply(store_t *s, const store_op_t *op, char *err, unsigned errlen)
{
    long car = op->car ? car_id(s, op->car) : 0;
    switch (op->kind) {
    case STORE_CAR_BEGIN:
        if (run(s, "INSERT INTO cars(lane, menu, started) VALUES(?, ?, ?)", "ssd", err, errlen, op->name,
                op->text ? op->text : "", op->t) < 0)
            return -1;
        car_remember(s, op->car, (long)sqlite3_last_insert_rowid(s->db));
        return 0;
    case STORE_TURN:
        return run(s, "INSERT INTO turns(car, turn, t, file, heard, free_text, confidence, said, page, decode_ms,"
                      " audio_ms) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   "iidsssdssdi", err, errlen, car, (long)op->turn, op->t, op->file, op->heard, op->free_text,
                   op->confidence, op->said, op->name, op->decode_ms, op->audio_ms);
    case STORE_PAGE:
        return run(s, "INSERT INTO pages(car, turn, t, reason, heard, free_text) VALUES(nullif(?, 0), ?, ?, ?, ?, ?)",
                   "iidsss", err, errlen, car, (long)op->turn, op->t, op->name, op->heard, op->free_text);
    case STORE_ORDER:
    case STORE_CONFIRM:
        return order(s, car, op, err, errlen);
    case STORE_ACK:
        return run(s, "UPDATE pages SET acked = ?, ack_after_s = ?, acked_by = ?"
                      " WHERE rowid = (SELECT max(rowid) FROM pages WHERE acked IS NULL)",
                   "dds", err, errlen, op->t, op->after_s, op->name);
    case STORE_CREW:
        return run(s, "INSERT INTO crew_actions(car, t, action, detail, ok, error) VALUES(nullif(?, 0), ?, ?, ?, ?, ?)",
                   "idssis", err, errlen, car, op->t, op->name, op->text, (long)op->ok, op->error);
    case STORE_CAR_END:
        return run(s, "UPDATE cars SET ended = ?, why = ?, status = ?, total_cents = ?, order_json = ? WHERE id = ?",
                   "dssisi", err, errlen, op->t, op->name, op->status, op->cents, op->text, car);
    case STORE_MENU:
        return store_menu_keep(s, op->file, op->text, err, errlen);
    case STORE_EVENT:
        return run(s, "INSERT INTO events(car, t, event, json) VALUES(nullif(?, 0), ?, ?, ?)", "idss", err, errlen,
                   car, op->t, op->name, op->text);
    }
    return 0;
}

int store_apply(store_t *s, const store_op_t *op, char *err, unsigned errlen)
{
    /* A confirmation is on the disk when this returns, not only in the
     * OS's cache: synchronous=FULL for its commit. */
    int full = op->kind == STORE_CONFIRM;
    if (full && exec(s, "PRAGMA synchronous=FULL", "cannot write", err, errlen) < 0) return -1;
    int rc = exec(s, "BEGIN IMMEDIATE", "cannot write", err, errlen);
    if (rc == 0 && (rc = apply(s, op, err, errlen)) == 0) rc = exec(s, "COMMIT", "cannot write", err, errlen);
    if (rc < 0 && !sqlite3_get_autocommit(s->db)) sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    if (full) sqlite3_exec(s->db, "PRAGMA synchronous=NORMAL", NULL, NULL, NULL);
    return rc;
}

int store_car_files(const char *path, long id, strlist_t *files, char *err, unsigned errlen)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    int rc = -1;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "%s: cannot open the database (%s)", path, db ? sqlite3_errmsg(db) : "out of memory");
        goto out;
    }
    if (sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('cars', 'turns')",
                           -1, &st, NULL) != SQLITE_OK || sqlite3_step(st) != SQLITE_ROW || sqlite3_column_int(st, 0) != 2) {
        snprintf(err, errlen, "%s: not a kiosk database", path);
        goto out;
    }
    sqlite3_finalize(st);
    st = NULL;
    if (sqlite3_prepare_v2(db, "SELECT count(*) FROM cars WHERE id = ?", -1, &st, NULL) != SQLITE_OK) goto out;
    sqlite3_bind_int64(st, 1, id);
    int exists = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) > 0;
    sqlite3_finalize(st);
    st = NULL;
    if (!exists) {
        snprintf(err, errlen, "%s: no car %ld (kiosk report and the events table list the cars)", path, id);
        goto out;
    }
    sqlite3_prepare_v2(db, "SELECT coalesce(file, 'mic') FROM turns WHERE car = ? ORDER BY turn", -1, &st, NULL);
    sqlite3_bind_int64(st, 1, id);
    while (sqlite3_step(st) == SQLITE_ROW) strlist_push(files, (const char *)sqlite3_column_text(st, 0));
    rc = 0;
out:
    sqlite3_finalize(st);
    sqlite3_close(db);
    return rc;
}

void store_op_copy(store_op_t *dst, const store_op_t *src)
{
    *dst = *src;
#define DUP(f) dst->f = src->f ? xstrdup(src->f) : NULL
    DUP(text);
    DUP(file);
    DUP(heard);
    DUP(free_text);
    DUP(said);
    DUP(error);
#undef DUP
}

void store_op_free(store_op_t *op)
{
    free(op->text);
    free(op->file);
    free(op->heard);
    free(op->free_text);
    free(op->said);
    free(op->error);
    memset(op, 0, sizeof *op);
}
