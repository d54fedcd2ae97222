/* cmd_export.c: `kiosk export [--db F] [--since DATE] [--until DATE]`: what
 * the kiosk recorded, as JSON lines on standard output, for a chain's
 * central systems (the format: README, "Leaving the lane").
 *
 * It reads the store and nothing else, opened read-only, so it can run while
 * `kiosk run` writes: the database is in WAL mode, where a reader sees the
 * last committed state and never blocks the writer.  The one SELECT below is
 * one read transaction, so the lines are one consistent snapshot.
 *
 * It relies on two tables only, whatever else the store's schema holds:
 *   events(car, t, event, json)   every event line as kiosk run --events
 *                                 printed it (json), its wall-clock time t,
 *                                 the car's id (NULL outside a car)
 *   cars(id, menu, started, ended, status, total_cents, order_json)
 * and on their rowids (a plain table's) for the order of events made at the
 * same moment. */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../util/date.h"
#include "../util/util.h"
#include "commands.h"

static const char usage[] =
    "usage: kiosk export [--db F] [--since DATE] [--until DATE]\n"
    "  Writes the orders and events the kiosk recorded as JSON lines on standard\n"
    "  output, oldest first: one {\"kind\": \"event\", ...} line for each event\n"
    "  `kiosk run --events` printed, one {\"kind\": \"order\", ...} line for each car\n"
    "  when it left (the format: README, \"Leaving the lane\").  Reads the database\n"
    "  only: it can run while the kiosk writes it.\n"
    "  --db F          the kiosk's database (default " DEFAULT_DB ")\n"
    "  --since DATE    only what happened at or after DATE: " DATE_FORMS ",\n"
    "                  in local time (a date alone: its midnight)\n"
    "  --until DATE    only what happened before DATE, likewise; a date alone\n"
    "                  includes that day (--since 2026-12-07 --until 2026-12-07: that day)\n";

/* Events by time, each car's order line at the time it left; at the same
 * moment the events first (the car's "left" event, then its order), then in
 * the order they were written. */
static const char query[] =
    "SELECT 0, t, rowid, car, event, json, NULL, NULL, NULL FROM events"
    "  WHERE t >= ?1 AND t < ?2"
    " UNION ALL "
    "SELECT 1, ended, id, id, status, order_json, menu, started, total_cents FROM cars"
    "  WHERE ended IS NOT NULL AND ended >= ?1 AND ended < ?2"
    " ORDER BY 2, 1, 3";

typedef struct {
    const char *db, *since_arg, *until_arg;
    double since, until;
} export_opts_t;

static int parse_opts(int argc, char **argv, export_opts_t *o)
{
    static const struct option longs[] = {
        { "db", required_argument, NULL, 'd' },    { "since", required_argument, NULL, 's' },
        { "until", required_argument, NULL, 'u' }, { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    if (cmd_wants_help(argc, argv)) {
        fputs(usage, stdout);
        return 0;
    }
    memset(o, 0, sizeof *o);
    o->db = DEFAULT_DB;
    o->since = -1e300;
    o->until = 1e300;
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "+h", longs, NULL)) != -1) {
        switch (c) {
        case 'd': o->db = optarg; break;
        case 's':
        case 'u':
            if (date_parse_local(optarg, c == 'u', c == 's' ? &o->since : &o->until) < 0) {
                fprintf(stderr, "kiosk export: --%s %s: not a date; give " DATE_FORMS " (local time)\n",
                        c == 's' ? "since" : "until", optarg);
                return EXIT_BADINPUT;
            }
            if (c == 's') o->since_arg = optarg;
            else o->until_arg = optarg;
            break;
        case 'h': fputs(usage, stdout); return 0;
        default:
            if (optopt == 'd') fprintf(stderr, "kiosk export: --db needs the database's file\n");
            else if (optopt) fprintf(stderr, "kiosk export: %s needs a date: " DATE_FORMS "\n", argv[optind - 1]);
            else fprintf(stderr, "kiosk export: unknown option %s (kiosk export --help lists them)\n", argv[optind - 1]);
            return EXIT_BADINPUT;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "kiosk export: unexpected argument \"%s\" (the database goes with --db F)\n", argv[optind]);
        return EXIT_BADINPUT;
    }
    if (o->since_arg && o->until_arg && o->since >= o->until) {
        fprintf(stderr, "kiosk export: --since %s is not before --until %s: nothing is between them\n",
                o->since_arg, o->until_arg);
        return EXIT_BADINPUT;
    }
    return -1;
}

/* The column's text, which must be one JSON object on one line (a line the
 * kiosk wrote); NULL when it is not. */
static const char *json_object_text(sqlite3_stmt *st, int col)
{
    const char *text = (const char *)sqlite3_column_text(st, col);
    int n = sqlite3_column_bytes(st, col);
    if (!text || memchr(text, '\n', (size_t)n) || memchr(text, '\r', (size_t)n)) return NULL;
    json_error_t jerr;
    json_t *j = json_loadb(text, (size_t)n, 0, &jerr);
    int ok = j && json_is_object(j);
    json_decref(j);
    return ok ? text : NULL;
}

/* One row as its line into b; -1 when its JSON is not one object (b left
 * unfinished: the caller drops it). */
static int row_line(sqlite3_stmt *st, strbuf_t *b)
{
    int order = sqlite3_column_int(st, 0);
    strbuf_printf(b, "{\"kind\": \"%s\", \"t\": %.3f, \"car_id\": ", order ? "order" : "event",
                  sqlite3_column_double(st, 1));
    if (sqlite3_column_type(st, 3) == SQLITE_NULL) strbuf_append(b, "null");
    else strbuf_printf(b, "%lld", (long long)sqlite3_column_int64(st, 3));
    const char *json = json_object_text(st, 5);
    if (!order) {
        if (!json) return -1;
        strbuf_append(b, ", \"event\": ");
        strbuf_json_str(b, (const char *)sqlite3_column_text(st, 4));
        strbuf_append(b, ", \"line\": ");
        strbuf_append(b, json);
        strbuf_append(b, "}\n");
        return 0;
    }
    if (!json && sqlite3_column_type(st, 5) != SQLITE_NULL) return -1;
    strbuf_append(b, ", \"menu\": ");
    strbuf_json_str(b, (const char *)sqlite3_column_text(st, 6));
    strbuf_printf(b, ", \"started\": %.3f, \"ended\": %.3f, \"status\": ", sqlite3_column_double(st, 7),
                  sqlite3_column_double(st, 1));
    strbuf_json_str(b, (const char *)sqlite3_column_text(st, 4));
    strbuf_append(b, ", \"total_cents\": ");
    if (sqlite3_column_type(st, 8) == SQLITE_NULL) strbuf_append(b, "null");
    else strbuf_printf(b, "%lld", (long long)sqlite3_column_int64(st, 8));
    strbuf_append(b, ", \"order\": ");
    strbuf_append(b, json ? json : "null");
    strbuf_append(b, "}\n");
    return 0;
}

/* Opens the database read-only and prepares the query: 0, or the exit
 * status after a one-line message. */
static int open_db(const export_opts_t *o, sqlite3 **db, sqlite3_stmt **st)
{
    struct stat sb;
    if (stat(o->db, &sb) < 0) {
        if (errno == ENOENT) {
            fprintf(stderr, "kiosk export: %s: no such database (kiosk run writes " DEFAULT_DB
                            "; give another with --db F)\n", o->db);
            return EXIT_BADINPUT;
        }
        fprintf(stderr, "kiosk export: %s: %s\n", o->db, strerror(errno));
        return EXIT_RUNTIME;
    }
    if (!S_ISREG(sb.st_mode)) {
        fprintf(stderr, "kiosk export: %s: not a kiosk database (not a file)\n", o->db);
        return EXIT_BADINPUT;
    }
    if (sqlite3_open_v2(o->db, db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        fprintf(stderr, "kiosk export: %s: cannot open the database: %s\n", o->db,
                *db ? sqlite3_errmsg(*db) : "out of memory");
        return EXIT_RUNTIME;
    }
    sqlite3_busy_timeout(*db, 5000);   /* a writer's checkpoint or recovery: wait, then say so */
    int rc = sqlite3_prepare_v2(*db, query, -1, st, NULL);
    if (rc == SQLITE_OK) return 0;
    const char *msg = sqlite3_errmsg(*db);
    if (rc == SQLITE_NOTADB) {
        fprintf(stderr, "kiosk export: %s: not a kiosk database (not an SQLite file)\n", o->db);
        return EXIT_BADINPUT;
    }
    if (!strncmp(msg, "no such table", 13) || !strncmp(msg, "no such column", 14)) {
        fprintf(stderr, "kiosk export: %s: not a kiosk database (%s; kiosk run's has the tables cars "
                        "and events)\n", o->db, msg);
        return EXIT_BADINPUT;
    }
    if ((rc & 0xff) == SQLITE_READONLY || (rc & 0xff) == SQLITE_CANTOPEN) {
        /* a reader of a database in WAL mode shares F-shm with the writer,
         * creating it when no kiosk has it open: this user cannot */
        fprintf(stderr, "kiosk export: %s: cannot read the database: %s (a reader needs to open or create "
                        "%s-shm beside it: run kiosk export as the user kiosk run runs as)\n", o->db, msg, o->db);
        return EXIT_RUNTIME;
    }
    fprintf(stderr, "kiosk export: %s: cannot read the database: %s\n", o->db, msg);
    return EXIT_RUNTIME;
}

int cmd_export(int argc, char **argv)
{
    export_opts_t o;
    int status = parse_opts(argc, argv, &o);
    if (status >= 0) return status;
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    status = open_db(&o, &db, &st);
    if (status) goto out;
    sqlite3_bind_double(st, 1, o.since);
    sqlite3_bind_double(st, 2, o.until);
    strbuf_t b = {0};
    long bad = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        strbuf_reset(&b);
        if (row_line(st, &b) < 0) {
            if (!bad++)
                fprintf(stderr, "kiosk export: %s: %s %lld's JSON is not one object on one line; left out\n",
                        o.db, sqlite3_column_int(st, 0) ? "car" : "event row",
                        (long long)sqlite3_column_int64(st, 2));
            continue;
        }
        fwrite(b.s, 1, b.len, stdout);
    }
    strbuf_free(&b);
    if (rc != SQLITE_DONE) {
        fprintf(stderr, "kiosk export: %s: reading stopped: %s\n", o.db, sqlite3_errmsg(db));
        status = EXIT_RUNTIME;
    }
    if (bad) {
        fprintf(stderr, "kiosk export: %s: %ld row%s left out (not the kiosk's JSON)\n", o.db, bad,
                bad == 1 ? "" : "s");
        status = EXIT_RUNTIME;
    }
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "kiosk export: cannot write standard output: %s\n", strerror(errno));
        status = EXIT_RUNTIME;
    }
out:
    sqlite3_finalize(st);
    sqlite3_close(db);
    return status;
}
