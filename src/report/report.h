/* report.h: what `kiosk report` says about a lane, computed from the store's
 * rows (pure: no SQLite, no clock, no time zone).
 *
 * src/kiosk/cmd_report.c reads the rows of a period from the database
 * (read-only) and hands them here as plain arrays; report_compute() makes the
 * figures and report_text(), report_csv() and report_html() write them into a
 * string.  Times are given as the local hour of the day (0-23), worked out by
 * the caller, so the figures never depend on where the tests run.
 *
 * How the figures are counted (the README's "kiosk report" says it for
 * managers):
 * - cars: every car that arrived in the period (cars.started), whatever it did.
 * - confirmed orders: cars whose order was confirmed (by the customer's "yes"
 *   or the crew's confirm).
 * - automated: confirmed with no page and no crew action done on the car
 *   (a refused action does not count): the kiosk did it alone.  The rate is
 *   over all cars, as the issue asks, so cars that drove off count against it.
 * - pages: the pages of the period's cars, and those raised with no car at
 *   the post in the period (a device fault).  Time to acknowledge: over the
 *   acknowledged pages, the median (the mean of the two middle values for an
 *   even count) and the 95th percentile by nearest rank (the smallest time at
 *   or above which 95 % of them fall: the ceil(0.95 n)-th in order).
 * - corrections: an order's lines, compared from each `order` / `confirmed`
 *   event of a car to the next.  A line the order had and no longer has as it
 *   was (its quantity, size, options, item or combo choice changed, or the
 *   line taken off: "remove the coke", "cancel that", "start over", the crew's
 *   remove) is one correction of the item it was.  Not corrections: new lines;
 *   answers to the kiosk's questions (a size where there was none, a combo's
 *   choice where there was none); and, for the crew only, a quantity that only
 *   went up (the station's `add` of an item the order has raises its
 *   quantity).  A change is the customer's when its event came right after the
 *   car's turn and the order was not the crew's (status `crew`) before it;
 *   every other change is the crew's.
 * - paged items: for each item, the cars that paged (at least once) with it in
 *   their order as it stood when they left.
 * - by hour: cars by the hour they arrived, confirmed orders by the hour they
 *   were confirmed, pages by the hour they were raised; the automation rate of
 *   an hour is its automated cars over its cars.
 * - average ticket: the mean total (tax included) of the confirmed orders. */
#ifndef KIOSK_REPORT_H
#define KIOSK_REPORT_H

#include "../util/util.h"

/* ---- the rows (borrowed: the caller's, valid while report_compute runs) ---- */

typedef struct {
    long id;
    int hour;              /* local hour it arrived, 0-23 */
    const char *why;       /* how it left (cars.why); NULL: still at the post */
    long total_cents;      /* its order's total as it stands */
    int confirmed;         /* 1: its order was confirmed */
    int confirmed_hour;    /* local hour of the confirmation */
} report_car_t;

typedef struct {
    long car;              /* 0: raised with no car at the post */
    int hour;              /* local hour it was raised */
    const char *reason;
    double ack_after_s;    /* seconds until acknowledged; < 0: never acknowledged */
} report_page_t;

typedef struct {
    long car;              /* 0: no car at the post */
    const char *action;    /* crew_actions.action: ack, take_over, edit, remove, ... */
    int ok;                /* 0: refused */
    const char *error;     /* why it was refused */
} report_crew_t;

/* A line of a car's order as it stood when the car left (order_lines); the
 * lines of a car one after another. */
typedef struct {
    long car;
    const char *item;
    long qty;
} report_line_t;

/* One line of an order as an `order` or `confirmed` event showed it, in the
 * order of the events (the events table's rowid), lines in their order.  An
 * event whose order has no lines gives one row with item NULL. */
typedef struct {
    long event;            /* the event's rowid: the rows of one event share it */
    long car;
    int after_turn;        /* the car's event just before this one was its `turn` */
    const char *status;    /* the order's status in this event */
    const char *item;      /* NULL: the order had no lines */
    long qty;
    const char *size;      /* NULL: none (yet) */
    const char *options;   /* the line's options and choices as JSON text */
    const char *choices;
} report_snap_t;

typedef struct {
    const report_car_t *cars;
    int ncars;
    const report_page_t *pages;
    int npages;
    const report_crew_t *crew;
    int ncrew;
    const report_line_t *lines;
    int nlines;
    const report_snap_t *snaps;
    int nsnaps;
} report_rows_t;

/* ---- the figures (owned by the report: report_free) ---- */

/* A name (and a second one where a table has two: a refused action's
 * reason) and its counts: n, and n2 where a table has two. */
typedef struct {
    char *name, *name2;
    long n, n2;
} report_count_t;

typedef struct {
    report_count_t *v;
    int n;
} report_table_t;

/* Time to acknowledge, in buckets: under 5 s, 5-10, 10-30, 30-60, 1-2 min, 2 min and more. */
#define REPORT_ACK_BUCKETS 6
extern const double report_ack_edges[REPORT_ACK_BUCKETS - 1];   /* 5, 10, 30, 60, 120 */
extern const char *const report_ack_labels[REPORT_ACK_BUCKETS];

typedef struct {
    long cars, confirmed, automated, interrupted;
    long paged_cars;                 /* cars with at least one page */
    long pages, acked;               /* pages, and those acknowledged */
    double ack_median_s, ack_p95_s, ack_max_s;   /* 0 when none acknowledged */
    long ack_buckets[REPORT_ACK_BUCKETS];
    long sales_cents;                /* the confirmed orders' totals */
    long crew_actions, crew_refused;
    long corrections_customer, corrections_crew;
    report_table_t why;              /* cars by how they left (n), most first */
    report_table_t reasons;          /* pages by reason (n), most first */
    report_table_t corrected;        /* items: n by customers, n2 by the crew, most (n + n2) first */
    report_table_t paged_items;      /* items: n paged cars with it, most first */
    report_table_t refused;          /* crew actions refused: action, why (name2), n; most first */
    struct {
        long cars, confirmed, automated, pages;
    } hours[24];
    int first_hour, last_hour;       /* the hours with anything in them; -1 when none */
} report_t;

/* The figures of rows into *r (zeroed first; report_free after). */
void report_compute(const report_rows_t *rows, report_t *r);
void report_free(report_t *r);

/* The automation rate (automated over cars) and the average ticket in
 * cents: 0 when there is nothing to divide by. */
double report_automation(const report_t *r);
double report_avg_ticket_cents(const report_t *r);

/* Median and 95th percentile (nearest rank) of v (sorted in place), 0 when n is 0. */
double report_median(double *v, int n);
double report_p95(double *v, int n);

/* 1 when every "key": "value" pair of the flat JSON object a is in b too
 * (objects of strings, as an order's choices are). */
int report_pairs_subset(const char *a, const char *b);

/* What the report is about, for its heading (the caller's words, local time). */
typedef struct {
    const char *db;        /* the database's path */
    const char *period;    /* e.g. "2027-01-15 00:00 to 2027-01-16 00:00" */
    const char *zone;      /* the time zone of the hours, e.g. "EST" */
} report_meta_t;

/* The report, appended to out: text for a terminal (aligned columns), CSV
 * (one table a section, a blank line between; each section's header row
 * starts with the section's name), or one self-contained HTML page (inline
 * CSS and SVG, no scripts, fonts or images from elsewhere). */
void report_text(const report_t *r, const report_meta_t *m, strbuf_t *out);
void report_csv(const report_t *r, const report_meta_t *m, strbuf_t *out);
void report_html(const report_t *r, const report_meta_t *m, strbuf_t *out);

#endif
