/* cmd_report.c: `kiosk report`: what the kiosk did in a period, from its
 * database, for a manager: text at a terminal, CSV, or one HTML page.
 *
 * The database is opened read-only (SQLITE_OPEN_READONLY) and read in one
 * read transaction: a running kiosk goes on writing (WAL lets a reader see
 * the last committed state without holding the writer up), and every figure
 * comes from the same moment.  This file reads the rows and works out local
 * hours; the figures are src/report/report.c's, the output render.c's. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../report/report.h"
#include "../store/store.h"
#include "commands.h"

static const char usage[] =
    "usage: kiosk report [--db F] [--since DATE] [--until DATE] [--csv] [--html FILE]\n"
    "  What the kiosk did: cars, confirmed orders, the automation rate, pages by\n"
    "  reason and how long they waited, the most corrected and most paged items,\n"
    "  orders and pages by hour, the average ticket (the README says how each is\n"
    "  counted).  Reads the database only: safe while kiosk run writes it.\n"
    "  --db F         the kiosk's database (default " DEFAULT_DB ")\n"
    "  --since DATE   cars that arrived from DATE on: YYYY-MM-DD (from 00:00) or\n"
    "                 YYYY-MM-DDTHH:MM, local time (default: the first car)\n"
    "  --until DATE   cars that arrived before DATE: YYYY-MM-DD (that day included)\n"
    "                 or YYYY-MM-DDTHH:MM, local time (default: the last car)\n"
    "  --csv          CSV on standard output instead of text: one table a section,\n"
    "                 a blank line between them; each header row starts with the\n"
    "                 section's name (summary, cars_by_why, pages_by_reason,\n"
    "                 ack_time, by_hour, corrected_items, paged_items, crew_refused)\n"
    "  --html FILE    write one self-contained page with charts to FILE (readable\n"
    "                 on a phone) instead of printing the text\n";

#define DATE_FORMS "give YYYY-MM-DD or YYYY-MM-DDTHH:MM (local time), e.g. 2027-01-15 or 2027-01-15T14:30"

typedef struct {
    const char *db, *since_arg, *until_arg, *html;
    int csv;
    double since, until;   /* seconds since the epoch; -INFINITY / INFINITY when not given */
} opts_t;

static int all_digits(const char *s, int n)
{
    for (int i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9') return 0;
    return 1;
}

/* YYYY-MM-DD or YYYY-MM-DDTHH:MM, local time -> *t.  A day alone is its
 * midnight, or with end set the next day's (--until includes the day). */
static int parse_date(const char *s, int end, double *t)
{
    size_t n = strlen(s);
    if (!(n == 10 || (n == 16 && (s[10] == 'T' || s[10] == ' ') && s[13] == ':' && all_digits(s + 11, 2) &&
                      all_digits(s + 14, 2))) ||
        !all_digits(s, 4) || s[4] != '-' || !all_digits(s + 5, 2) || s[7] != '-' || !all_digits(s + 8, 2))
        return -1;
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    tm.tm_year = atoi(s) - 1900;
    tm.tm_mon = atoi(s + 5) - 1;
    tm.tm_mday = atoi(s + 8);
    if (n == 16) {
        tm.tm_hour = atoi(s + 11);
        tm.tm_min = atoi(s + 14);
    }
    if (tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_hour > 23 || tm.tm_min > 59) return -1;
    struct tm want = tm;
    tm.tm_isdst = -1;
    time_t v = mktime(&tm);
    /* mktime makes 2027-02-30 March the 2nd: a day the month does not have is refused */
    if (v == (time_t)-1 || tm.tm_mday != want.tm_mday || tm.tm_mon != want.tm_mon) return -1;
    if (end && n == 10) {
        tm = want;
        tm.tm_mday++;
        tm.tm_isdst = -1;
        v = mktime(&tm);
    }
    *t = (double)v;
    return 0;
}

static int parse_opts(int argc, char **argv, opts_t *o)
{
    static const struct option longs[] = {
        { "db", required_argument, NULL, 'd' },   { "since", required_argument, NULL, 's' },
        { "until", required_argument, NULL, 'u' }, { "csv", no_argument, NULL, 'c' },
        { "html", required_argument, NULL, 'H' }, { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    memset(o, 0, sizeof *o);
    o->db = DEFAULT_DB;
    o->since = -INFINITY;
    o->until = INFINITY;
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "+h", longs, NULL)) != -1) {
        switch (c) {
        case 'd': o->db = optarg; break;
        case 's':
        case 'u':
            if (parse_date(optarg, c == 'u', c == 's' ? &o->since : &o->until) < 0) {
                fprintf(stderr, "kiosk report: %s \"%s\": not a date; " DATE_FORMS "\n",
                        c == 's' ? "--since" : "--until", optarg);
                return EXIT_BADINPUT;
            }
            if (c == 's') o->since_arg = optarg;
            else o->until_arg = optarg;
            break;
        case 'c': o->csv = 1; break;
        case 'H': o->html = optarg; break;
        case 'h': fputs(usage, stdout); return 0;
        default:
            fprintf(stderr, "kiosk report: %s option %s\n%s", optopt ? "bad use of" : "unknown", argv[optind - 1],
                    usage);
            return EXIT_BADINPUT;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "kiosk report: \"%s\": not an option (the database is --db F)\n%s", argv[optind], usage);
        return EXIT_BADINPUT;
    }
    if (o->csv && o->html) {
        fprintf(stderr, "kiosk report: --csv or --html, not both\n");
        return EXIT_BADINPUT;
    }
    if (o->since >= o->until) {
        fprintf(stderr, "kiosk report: --since %s is not before --until %s: no time between them\n", o->since_arg,
                o->until_arg);
        return EXIT_BADINPUT;
    }
    return -1;
}

/* ---- the rows ---------------------------------------------------------------- */

/* The rows read, and the strings they point to (owned here). */
typedef struct {
    report_rows_t rows;
    report_car_t *cars;
    report_page_t *pages;
    report_crew_t *crew;
    report_line_t *lines;
    report_snap_t *snaps;
    int cap_cars, cap_pages, cap_crew, cap_lines, cap_snaps;
    strlist_t strings;
    double first, last;    /* the first and last car's arrival */
} rows_t;

/* A copy of column i's text kept with the rows; NULL for NULL. */
static const char *text(rows_t *r, sqlite3_stmt *st, int i)
{
    const unsigned char *s = sqlite3_column_text(st, i);
    if (!s) return NULL;
    strlist_push(&r->strings, (const char *)s);
    return r->strings.v[r->strings.n - 1];
}

static int local_hour(double t)
{
    time_t v = (time_t)floor(t);
    struct tm tm;
    return localtime_r(&v, &tm) ? tm.tm_hour : -1;
}

#define GROW(arr, n, cap) do { if ((n) == (cap)) { (cap) = (cap) ? 2 * (cap) : 64; \
    (arr) = xrealloc((arr), (size_t)(cap) * sizeof *(arr)); } } while (0)

static const char sql_cars[] =
    "SELECT id, started, why, coalesce(total_cents, 0), confirmed FROM cars"
    " WHERE started >= ?1 AND started < ?2 ORDER BY id";
/* a page or crew action belongs to its car's period; one with no car to its own time */
static const char sql_pages[] =
    "SELECT coalesce(p.car, 0), p.t, p.reason, coalesce(p.ack_after_s, p.acked - p.t, -1) FROM pages p"
    " LEFT JOIN cars c ON c.id = p.car"
    " WHERE CASE WHEN p.car IS NULL THEN p.t ELSE c.started END >= ?1"
    "   AND CASE WHEN p.car IS NULL THEN p.t ELSE c.started END < ?2 ORDER BY p.rowid";
static const char sql_crew[] =
    "SELECT coalesce(a.car, 0), a.action, a.ok, a.error FROM crew_actions a LEFT JOIN cars c ON c.id = a.car"
    " WHERE CASE WHEN a.car IS NULL THEN a.t ELSE c.started END >= ?1"
    "   AND CASE WHEN a.car IS NULL THEN a.t ELSE c.started END < ?2 ORDER BY a.rowid";
static const char sql_lines[] =
    "SELECT l.car, l.item, l.qty FROM order_lines l JOIN cars c ON c.id = l.car"
    " WHERE c.started >= ?1 AND c.started < ?2 ORDER BY l.car, l.line";
/* Each order the events showed, line by line, and whether the car's event
 * before it was its turn.  The events of the period's cars are found by
 * time (the events_t index), from the first car's arrival to the last one's
 * end. */
static const char sql_snaps[] =
    "WITH pc AS (SELECT id, started, coalesce(ended, 9e15) AS ended FROM cars WHERE started >= ?1 AND started < ?2),"
    " ev AS (SELECT e.rowid AS r, e.car, e.event, e.json,"
    "        lag(e.event) OVER (PARTITION BY e.car ORDER BY e.rowid) AS prev FROM events e"
    "        WHERE e.t >= (SELECT min(started) FROM pc) AND e.t <= (SELECT max(ended) FROM pc)"
    "          AND e.car IN (SELECT id FROM pc) AND json_valid(e.json))"
    " SELECT ev.r, ev.car, coalesce(ev.prev = 'turn', 0), json_extract(ev.json, '$.order.status'),"
    "   json_extract(l.value, '$.item'), coalesce(json_extract(l.value, '$.qty'), 0),"
    "   json_extract(l.value, '$.size'), json_extract(l.value, '$.options'), json_extract(l.value, '$.choices')"
    " FROM ev LEFT JOIN json_each(ev.json, '$.order.lines') AS l"
    " WHERE ev.event IN ('order', 'confirmed') ORDER BY ev.r, l.key";

static sqlite3_stmt *prepare(sqlite3 *db, const char *sql, const opts_t *o)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) return NULL;
    sqlite3_bind_double(st, 1, isinf(o->since) ? -9e15 : o->since);
    sqlite3_bind_double(st, 2, isinf(o->until) ? 9e15 : o->until);
    return st;
}

/* Reads the period's rows; -1 with sqlite's error left in db. */
static int read_rows(sqlite3 *db, const opts_t *o, rows_t *r)
{
    sqlite3_stmt *st;
    int rc;
    r->first = INFINITY;
    r->last = -INFINITY;
    if (!(st = prepare(db, sql_cars, o))) return -1;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        GROW(r->cars, r->rows.ncars, r->cap_cars);
        report_car_t *c = &r->cars[r->rows.ncars++];
        double started = sqlite3_column_double(st, 1);
        c->id = (long)sqlite3_column_int64(st, 0);
        c->hour = local_hour(started);
        c->why = text(r, st, 2);
        c->total_cents = (long)sqlite3_column_int64(st, 3);
        c->confirmed = sqlite3_column_type(st, 4) != SQLITE_NULL;
        c->confirmed_hour = c->confirmed ? local_hour(sqlite3_column_double(st, 4)) : -1;
        if (started < r->first) r->first = started;
        if (started > r->last) r->last = started;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE || !(st = prepare(db, sql_pages, o))) return -1;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        GROW(r->pages, r->rows.npages, r->cap_pages);
        report_page_t *p = &r->pages[r->rows.npages++];
        p->car = (long)sqlite3_column_int64(st, 0);
        p->hour = local_hour(sqlite3_column_double(st, 1));
        p->reason = text(r, st, 2);
        p->ack_after_s = sqlite3_column_double(st, 3);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE || !(st = prepare(db, sql_crew, o))) return -1;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        GROW(r->crew, r->rows.ncrew, r->cap_crew);
        report_crew_t *a = &r->crew[r->rows.ncrew++];
        a->car = (long)sqlite3_column_int64(st, 0);
        a->action = text(r, st, 1);
        a->ok = sqlite3_column_int(st, 2) != 0;
        a->error = text(r, st, 3);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE || !(st = prepare(db, sql_lines, o))) return -1;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        GROW(r->lines, r->rows.nlines, r->cap_lines);
        report_line_t *l = &r->lines[r->rows.nlines++];
        l->car = (long)sqlite3_column_int64(st, 0);
        l->item = text(r, st, 1);
        l->qty = (long)sqlite3_column_int64(st, 2);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE || !(st = prepare(db, sql_snaps, o))) return -1;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        GROW(r->snaps, r->rows.nsnaps, r->cap_snaps);
        report_snap_t *s = &r->snaps[r->rows.nsnaps++];
        s->event = (long)sqlite3_column_int64(st, 0);
        s->car = (long)sqlite3_column_int64(st, 1);
        s->after_turn = sqlite3_column_int(st, 2) != 0;
        s->status = text(r, st, 3);
        s->item = text(r, st, 4);
        s->qty = (long)sqlite3_column_int64(st, 5);
        s->size = text(r, st, 6);
        s->options = text(r, st, 7);
        s->choices = text(r, st, 8);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) return -1;
    r->rows.cars = r->cars;
    r->rows.pages = r->pages;
    r->rows.crew = r->crew;
    r->rows.lines = r->lines;
    r->rows.snaps = r->snaps;
    return 0;
}

static void rows_free(rows_t *r)
{
    free(r->cars);
    free(r->pages);
    free(r->crew);
    free(r->lines);
    free(r->snaps);
    strlist_free(&r->strings);
}

/* ---- the database ---------------------------------------------------------------- */

static long one_number(sqlite3 *db, const char *sql, int *rc)
{
    sqlite3_stmt *st = NULL;
    long v = -1;
    *rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
    if (*rc == SQLITE_OK && (*rc = sqlite3_step(st)) == SQLITE_ROW) {
        v = (long)sqlite3_column_int64(st, 0);
        *rc = SQLITE_OK;
    }
    sqlite3_finalize(st);
    return v;
}

/* The database's own words for why it cannot be read, in a kiosk's terms. */
static const char *db_why(sqlite3 *db, int rc)
{
    rc &= 0xff;   /* the primary code of an extended one */
    /* (a reader of a WAL database needs its -shm file writable unless a
     * writer has it open: seen once as another user, not reproduced) */
    return rc == SQLITE_READONLY ? "the database's -wal and -shm files cannot be written by this user, "
                                   "which SQLite needs to read it; run kiosk report as the kiosk's user"
         : rc == SQLITE_BUSY || rc == SQLITE_LOCKED ? "the database is locked by another program; try again"
         : rc == SQLITE_NOTADB ? "not a kiosk database (not an SQLite database)"
         : rc == SQLITE_CORRUPT ? "the database is damaged"
         : sqlite3_errmsg(db);
}

/* Opens path read-only and checks it is a kiosk's database this kiosk
 * knows; NULL with the message printed and *status set. */
static sqlite3 *open_db(const char *path, int *status)
{
    struct stat sb;
    *status = EXIT_BADINPUT;
    if (stat(path, &sb) < 0) {
        if (errno == ENOENT)
            fprintf(stderr, "kiosk report: %s: no such database; give the kiosk's database with --db F "
                            "(kiosk run keeps it in " DEFAULT_DB ")\n", path);
        else {
            fprintf(stderr, "kiosk report: %s: cannot read the database: %s\n", path, strerror(errno));
            *status = EXIT_RUNTIME;
        }
        return NULL;
    }
    if (!S_ISREG(sb.st_mode)) {
        fprintf(stderr, "kiosk report: %s: not a kiosk database (not a regular file)\n", path);
        return NULL;
    }
    if (access(path, R_OK) < 0) {
        fprintf(stderr, "kiosk report: %s: cannot read the database: %s (it is kept 0600, for the kiosk's user)\n",
                path, strerror(errno));
        *status = EXIT_RUNTIME;
        return NULL;
    }
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        fprintf(stderr, "kiosk report: %s: cannot open the database: %s\n", path,
                db ? sqlite3_errmsg(db) : "out of memory");
        *status = EXIT_RUNTIME;
        sqlite3_close(db);
        return NULL;
    }
    /* the kiosk's writer commits in milliseconds: wait for it rather than fail */
    sqlite3_busy_timeout(db, 5000);
    int rc;
    long version = one_number(db, "PRAGMA user_version", &rc);
    long tables = rc == SQLITE_OK ? one_number(db, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN"
                                                   " ('cars', 'pages', 'crew_actions', 'order_lines', 'events')", &rc)
                                  : 0;
    if (rc != SQLITE_OK) {
        int p = rc & 0xff;
        if (p == SQLITE_BUSY || p == SQLITE_LOCKED || p == SQLITE_CANTOPEN || p == SQLITE_IOERR || p == SQLITE_READONLY)
            *status = EXIT_RUNTIME;
        fprintf(stderr, "kiosk report: %s: %s\n", path, db_why(db, rc));
    } else if (version > STORE_VERSION) {
        fprintf(stderr, "kiosk report: %s: made by a newer kiosk (schema %ld; this one knows up to %d): "
                        "use that kiosk's report\n", path, version, STORE_VERSION);
    } else if (version == STORE_VERSION && tables == 5) {
        *status = 0;
        return db;
    } else if (version < STORE_VERSION &&
               one_number(db, "SELECT count(*) FROM sqlite_master WHERE name = 'cars'", &rc) > 0) {
        fprintf(stderr, "kiosk report: %s: made by an older kiosk (schema %ld); open it once with this kiosk "
                        "(kiosk run --db %s) to bring it up to date\n", path, version ? version : 1, path);
    } else {
        fprintf(stderr, "kiosk report: %s: not a kiosk database (no kiosk tables in it)\n", path);
    }
    sqlite3_close(db);
    return NULL;
}

/* ---- the command ----------------------------------------------------------------- */

static void local_time(strbuf_t *b, double t)
{
    time_t v = (time_t)floor(t);
    struct tm tm;
    char s[32];
    if (!localtime_r(&v, &tm) || !strftime(s, sizeof s, "%Y-%m-%d %H:%M", &tm)) strcpy(s, "?");
    strbuf_append(b, s);
}

static void zone(strbuf_t *b, double t)
{
    time_t v = (time_t)floor(t);
    struct tm tm;
    char s[64];
    if (!localtime_r(&v, &tm) || !strftime(s, sizeof s, "%Z", &tm) || !*s) strcpy(s, "local time");
    strbuf_append(b, s);
}

/* No car in the period: one line, and nothing else (exit 0: an answer). */
static void no_cars(const opts_t *o)
{
    strbuf_t b = {0};
    if (!isinf(o->since) && !isinf(o->until)) {
        strbuf_append(&b, "no cars between ");
        local_time(&b, o->since);
        strbuf_append(&b, " and ");
        local_time(&b, o->until);
    } else if (!isinf(o->since)) {
        strbuf_append(&b, "no cars since ");
        local_time(&b, o->since);
    } else if (!isinf(o->until)) {
        strbuf_append(&b, "no cars before ");
        local_time(&b, o->until);
    } else {
        strbuf_printf(&b, "no cars in %s", o->db);
    }
    fprintf(stderr, "kiosk report: %s\n", strbuf_cstr(&b));
    strbuf_free(&b);
}

static int write_all(FILE *f, const strbuf_t *b)
{
    size_t n = b->len;
    return fwrite(strbuf_cstr(b), 1, n, f) == n ? 0 : -1;
}

int cmd_report(int argc, char **argv)
{
    if (cmd_wants_help(argc, argv)) {
        fputs(usage, stdout);
        return 0;
    }
    opts_t o;
    int rc = parse_opts(argc, argv, &o);
    if (rc >= 0) return rc;

    sqlite3 *db = open_db(o.db, &rc);
    if (!db) return rc;
    rows_t rows;
    memset(&rows, 0, sizeof rows);
    /* one read transaction: every row from the same committed state */
    int src = sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
    if (src == SQLITE_OK && read_rows(db, &o, &rows) < 0) src = sqlite3_errcode(db);
    if (src != SQLITE_OK) {
        fprintf(stderr, "kiosk report: %s: cannot read the database: %s\n", o.db, db_why(db, src));
        rows_free(&rows);
        sqlite3_close(db);
        return EXIT_RUNTIME;
    }
    sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    sqlite3_close(db);
    if (!rows.rows.ncars) {
        no_cars(&o);
        rows_free(&rows);
        return 0;
    }

    report_t r;
    report_compute(&rows.rows, &r);
    strbuf_t period = {0}, tz = {0}, out = {0};
    local_time(&period, isinf(o.since) ? rows.first : o.since);
    strbuf_append(&period, " to ");
    local_time(&period, isinf(o.until) ? rows.last : o.until);
    zone(&tz, isinf(o.since) ? rows.first : o.since);
    report_meta_t meta = { o.db, strbuf_cstr(&period), strbuf_cstr(&tz) };
    if (o.html) report_html(&r, &meta, &out);
    else if (o.csv) report_csv(&r, &meta, &out);
    else report_text(&r, &meta, &out);

    rc = 0;
    if (o.html) {
        FILE *f = fopen(o.html, "w");
        int bad = !f || write_all(f, &out) < 0;
        int err = errno;
        if (f && fclose(f) != 0 && !bad) {
            bad = 1;
            err = errno;
        }
        if (bad) {
            fprintf(stderr, "kiosk report: cannot write %s: %s\n", o.html, strerror(err));
            rc = EXIT_RUNTIME;
        }
    } else if (write_all(stdout, &out) < 0 || fflush(stdout) != 0) {
        fprintf(stderr, "kiosk report: cannot write the report: %s\n", strerror(errno));
        rc = EXIT_RUNTIME;
    }
    strbuf_free(&out);
    strbuf_free(&period);
    strbuf_free(&tz);
    report_free(&r);
    rows_free(&rows);
    return rc;
}
