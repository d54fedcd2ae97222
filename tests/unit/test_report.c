/* test_report.c: kiosk report's figures (src/report/report.c) and their
 * text, CSV and HTML (render.c), as tables of rows and what they must give. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/report/report.h"

/* ---- median and 95th percentile ---- */

typedef struct {
    const char *name;
    double v[32];
    int n;
    double median, p95;
} stat_case_t;

static const stat_case_t stat_cases[] = {
    { "none: 0", { 0 }, 0, 0, 0 },
    { "one", { 7 }, 1, 7, 7 },
    { "two: the mean of both; p95 the larger", { 12, 3 }, 2, 7.5, 12 },
    { "three, unsorted", { 30, 1, 5 }, 3, 5, 30 },
    { "four", { 4, 1, 3, 2 }, 4, 2.5, 4 },
    { "20 values: p95 is the 19th", { 20, 19, 18, 17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1 }, 20, 10.5,
      19 },
    { "21 values: p95 is the 20th (ceil 19.95)",
      { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21 }, 21, 11, 20 },
    { "ties", { 5, 5, 5, 100 }, 4, 5, 100 },
};

static void test_stats(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof stat_cases / sizeof stat_cases[0]; i++) {
        const stat_case_t *c = &stat_cases[i];
        double v[32];
        memcpy(v, c->v, sizeof v);
        double m = report_median(v, c->n);
        memcpy(v, c->v, sizeof v);
        double p = report_p95(v, c->n);
        if (fabs(m - c->median) > 1e-9 || fabs(p - c->p95) > 1e-9)
            fail_msg("%s: median %g p95 %g, expected %g and %g", c->name, m, p, c->median, c->p95);
    }
}

/* ---- a line's choices ---- */

typedef struct {
    const char *a, *b;
    int subset;
} subset_case_t;

static const subset_case_t subset_cases[] = {
    { "{}", "{\"drink\":\"Coke\"}", 1 },
    { NULL, "{\"drink\":\"Coke\"}", 1 },
    { "{\"drink\":\"Coke\"}", "{\"drink\":\"Coke\"}", 1 },
    { "{\"drink\":\"Coke\"}", "{\"drink\":\"Sprite\"}", 0 },
    { "{\"drink\":\"Coke\"}", "{}", 0 },
    { "{\"side\": \"Fries\"}", "{ \"drink\" : \"Coke\", \"side\":\"Fries\" }", 1 },
    { "{\"drink\":\"Coke\",\"side\":\"Fries\"}", "{\"drink\":\"Coke\"}", 0 },
    { "{\"a\\\"b\":\"c\"}", "{\"a\\\"b\":\"c\"}", 1 },
    { "{\"drink\":\"Co\"}", "{\"drink\":\"Coke\"}", 0 },
    { "not json", "not json", 1 },
    { "not json", "{}", 0 },
};

static void test_subset(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof subset_cases / sizeof subset_cases[0]; i++) {
        const subset_case_t *c = &subset_cases[i];
        if (report_pairs_subset(c->a, c->b) != c->subset)
            fail_msg("%s in %s: expected %d", c->a ? c->a : "NULL", c->b, c->subset);
    }
}

/* ---- corrections: a car's orders, event by event ---- */

#define NOCH "{}"
#define NOOPT "[]"
/* a line of an event's order: event, car, after its turn, status, item, qty, size, options, choices */
#define L(ev, car, turn, st, item, qty, size, ch) { ev, car, turn, st, item, qty, size, NOOPT, ch }
#define EMPTY(ev, car, turn, st) { ev, car, turn, st, NULL, 0, NULL, NULL, NULL }

typedef struct {
    const char *name;
    report_snap_t snaps[16];
    const char *expect;   /* "item customers/crew; ..." most first */
} corr_case_t;

static const corr_case_t corr_cases[] = {
    { "a size answered is no correction; a size changed is",
      { L(1, 1, 1, "open", "Coke", 1, NULL, NOCH), L(2, 1, 1, "open", "Coke", 1, "large", NOCH),
        L(3, 1, 1, "open", "Coke", 1, "small", NOCH) },
      "Coke 1/0" },
    { "the quantity changed, the item replaced: the item it was",
      { L(1, 1, 1, "open", "Cheeseburger", 2, NULL, NOCH), L(1, 1, 1, "open", "Coke", 1, "large", NOCH),
        L(2, 1, 1, "open", "Cheeseburger", 3, NULL, NOCH), L(2, 1, 1, "open", "Coke", 1, "large", NOCH),
        L(3, 1, 1, "open", "Cheeseburger", 3, NULL, NOCH), L(3, 1, 1, "open", "Sprite", 1, "large", NOCH) },
      "Cheeseburger 1/0; Coke 1/0" },
    { "a line taken off, down to an empty order; added again: no correction",
      { L(1, 1, 1, "open", "Fries", 1, "medium", NOCH), EMPTY(2, 1, 1, "open"),
        L(3, 1, 1, "open", "Fries", 1, "medium", NOCH) },
      "Fries 1/0" },
    { "a combo's drink answered, then changed",
      { L(1, 1, 1, "open", "Number One", 1, NULL, NOCH),
        L(2, 1, 1, "open", "Number One", 1, NULL, "{\"drink\":\"Sprite\"}"),
        L(3, 1, 1, "open", "Number One", 1, NULL, "{\"drink\":\"Coke\"}") },
      "Number One 1/0" },
    { "the crew's: not after a turn, or the order was the crew's; the crew's add raising a quantity is none",
      { L(1, 1, 1, "open", "Fries", 1, "medium", NOCH),
        L(2, 1, 1, "crew", "Fries", 1, "medium", NOCH),                                        /* the page */
        L(3, 1, 0, "crew", "Fries", 1, "medium", NOCH), L(3, 1, 0, "crew", "Fries", 1, "large", NOCH),   /* add */
        L(4, 1, 0, "crew", "Fries", 1, "medium", NOCH), L(4, 1, 0, "crew", "Fries", 2, "large", NOCH),   /* add again */
        L(5, 1, 0, "crew", "Fries", 2, "large", NOCH),                                         /* remove 1 */
        L(6, 1, 1, "crew", "Fries", 1, "large", NOCH) },   /* right after a turn, but the crew's order */
      "Fries 0/2" },
    { "a crew edit while the kiosk has the car (no turn before it) is the crew's",
      { L(1, 1, 1, "open", "Coke", 1, "large", NOCH), L(2, 1, 0, "open", "Coke", 1, "small", NOCH) },
      "Coke 0/1" },
    { "the customer's quantity going up is a correction",
      { L(1, 1, 1, "open", "Cookie", 1, NULL, NOCH), L(2, 1, 1, "open", "Cookie", 3, NULL, NOCH) },
      "Cookie 1/0" },
    { "two cars' events interleaved: each compared with its own",
      { L(1, 1, 1, "open", "Coke", 1, "large", NOCH), L(2, 2, 1, "open", "Sprite", 1, "small", NOCH),
        L(3, 1, 1, "open", "Coke", 1, "large", NOCH), L(3, 1, 1, "open", "Water", 1, NULL, NOCH),
        L(4, 2, 1, "open", "Water", 1, NULL, NOCH) },
      "Sprite 1/0" },
    { "two lines alike, one taken off: one correction",
      { L(1, 1, 1, "open", "Cookie", 1, NULL, NOCH), L(1, 1, 1, "open", "Cookie", 1, NULL, NOCH),
        L(2, 1, 1, "open", "Cookie", 1, NULL, NOCH) },
      "Cookie 1/0" },
    { "a car not in the rows' cars: ignored",
      { L(1, 9, 1, "open", "Coke", 1, "large", NOCH), L(2, 9, 1, "open", "Coke", 2, "large", NOCH) },
      "" },
    { "the first order of a car: nothing to compare",
      { L(1, 1, 1, "open", "Coke", 1, "large", NOCH) },
      "" },
};

static void corrections(const report_t *r, strbuf_t *b)
{
    for (int i = 0; i < r->corrected.n; i++)
        strbuf_printf(b, "%s%s %ld/%ld", i ? "; " : "", r->corrected.v[i].name, r->corrected.v[i].n,
                      r->corrected.v[i].n2);
}

static void test_corrections(void **state)
{
    (void)state;
    static const report_car_t cars[] = { { 1, 12, "confirmed", 0, 0, -1 }, { 2, 12, "confirmed", 0, 0, -1 } };
    for (size_t i = 0; i < sizeof corr_cases / sizeof corr_cases[0]; i++) {
        const corr_case_t *c = &corr_cases[i];
        int n = 0;
        while (n < 16 && c->snaps[n].event) n++;
        report_rows_t rows = { .cars = cars, .ncars = 2, .snaps = c->snaps, .nsnaps = n };
        report_t r;
        report_compute(&rows, &r);
        strbuf_t b = {0};
        corrections(&r, &b);
        if (strcmp(strbuf_cstr(&b), c->expect))
            fail_msg("%s: got \"%s\", expected \"%s\"", c->name, strbuf_cstr(&b), c->expect);
        long cu = 0, cr = 0;
        for (int k = 0; k < r.corrected.n; k++) {
            cu += r.corrected.v[k].n;
            cr += r.corrected.v[k].n2;
        }
        assert_int_equal(cu, r.corrections_customer);
        assert_int_equal(cr, r.corrections_crew);
        strbuf_free(&b);
        report_free(&r);
    }
}

/* ---- the figures of a small day ---- */

/* cars: id, hour, why, total, confirmed, its hour */
static const report_car_t day_cars[] = {
    { 1, 7, "confirmed", 982, 1, 7 },      /* alone */
    { 2, 7, "confirmed", 226, 1, 8 },      /* alone, confirmed the next hour */
    { 3, 7, "confirmed", 500, 1, 7 },      /* paged, acked, the crew confirmed */
    { 4, 8, "confirmed", 300, 1, 8 },      /* no page, but the crew took it over */
    { 5, 8, "confirmed", 400, 1, 8 },      /* a refused crew action only: still alone */
    { 6, 8, "gone", 0, 0, -1 },            /* an empty car */
    { 7, 9, "cancelled", 700, 0, -1 },     /* paged twice, never acknowledged */
    { 8, 9, "interrupted", 250, 0, -1 },
    { 9, 10, NULL, 0, 0, -1 },             /* still at the post */
};
static const report_page_t day_pages[] = {
    { 3, 7, "human_request", 4.99 },
    { 7, 9, "low_confidence", 5 },
    { 7, 9, "repeated_corrections", -1 },
    { 0, 11, "device_fault", 130 },        /* no car at the post */
    { 8, 9, "human_request", 30 },
};
static const report_crew_t day_crew[] = {
    { 3, "take_over", 1, NULL }, { 3, "confirm", 1, NULL }, { 4, "take_over", 1, NULL },
    { 4, "confirm", 1, NULL },   { 5, "remove", 0, "no line 9" }, { 7, "remove", 0, "no line 9" },
    { 0, "ack", 0, "no page is waiting" },
};
static const report_line_t day_lines[] = {
    { 3, "Fries", 1 }, { 3, "Coke", 1 }, { 3, "Fries", 2 },   /* Fries twice: one car */
    { 7, "Fries", 1 }, { 1, "Cookie", 1 },                    /* car 1 never paged */
    { 8, "Sundae", 1 },
};

static void day(report_t *r)
{
    report_rows_t rows = {
        day_cars, 9, day_pages, 5, day_crew, 7, day_lines, 6, NULL, 0,
    };
    report_compute(&rows, r);
}

static void test_figures(void **state)
{
    (void)state;
    report_t r;
    day(&r);
    assert_int_equal(r.cars, 9);
    assert_int_equal(r.confirmed, 5);
    assert_int_equal(r.automated, 3);   /* cars 1, 2 and 5 */
    assert_true(fabs(report_automation(&r) - 3.0 / 9) < 1e-12);
    assert_int_equal(r.sales_cents, 982 + 226 + 500 + 300 + 400);
    assert_true(fabs(report_avg_ticket_cents(&r) - 2408.0 / 5) < 1e-9);
    assert_int_equal(r.interrupted, 1);
    assert_int_equal(r.pages, 5);
    assert_int_equal(r.paged_cars, 3);   /* 3, 7, 8; the device fault had no car */
    assert_int_equal(r.acked, 4);
    assert_true(fabs(r.ack_median_s - 17.5) < 1e-9);   /* 4.99 5 30 130 */
    assert_true(fabs(r.ack_p95_s - 130) < 1e-9);
    assert_true(fabs(r.ack_max_s - 130) < 1e-9);
    /* edges: 4.99 under 5 s, 5 in 5-10, 30 in 30-60, 130 in 2 min or more */
    static const long buckets[REPORT_ACK_BUCKETS] = { 1, 1, 0, 1, 0, 1 };
    for (int i = 0; i < REPORT_ACK_BUCKETS; i++) assert_int_equal(r.ack_buckets[i], buckets[i]);
    assert_int_equal(r.crew_actions, 7);
    assert_int_equal(r.crew_refused, 3);

    assert_int_equal(r.reasons.n, 4);
    assert_string_equal(r.reasons.v[0].name, "human_request");
    assert_int_equal(r.reasons.v[0].n, 2);
    assert_string_equal(r.reasons.v[1].name, "device_fault");   /* ties by name */
    assert_int_equal(r.why.n, 5);
    assert_string_equal(r.why.v[0].name, "confirmed");
    assert_int_equal(r.why.v[0].n, 5);
    assert_string_equal(r.why.v[1].name, "at the post");
    assert_int_equal(r.refused.n, 2);
    assert_string_equal(r.refused.v[0].name, "remove");
    assert_string_equal(r.refused.v[0].name2, "no line 9");
    assert_int_equal(r.refused.v[0].n, 2);
    assert_string_equal(r.refused.v[1].name, "ack");

    /* paged items: Fries on cars 3 and 7 (twice on 3: once), Coke and Sundae once; not the Cookie */
    assert_int_equal(r.paged_items.n, 3);
    assert_string_equal(r.paged_items.v[0].name, "Fries");
    assert_int_equal(r.paged_items.v[0].n, 2);
    assert_string_equal(r.paged_items.v[1].name, "Coke");
    assert_string_equal(r.paged_items.v[2].name, "Sundae");

    assert_int_equal(r.first_hour, 7);
    assert_int_equal(r.last_hour, 11);
    assert_int_equal(r.hours[7].cars, 3);
    assert_int_equal(r.hours[7].confirmed, 2);
    assert_int_equal(r.hours[7].automated, 2);
    assert_int_equal(r.hours[7].pages, 1);
    assert_int_equal(r.hours[8].cars, 3);
    assert_int_equal(r.hours[8].confirmed, 3);
    assert_int_equal(r.hours[8].automated, 1);
    assert_int_equal(r.hours[9].pages, 3);
    assert_int_equal(r.hours[10].cars, 1);
    assert_int_equal(r.hours[11].cars, 0);
    assert_int_equal(r.hours[11].pages, 1);
    report_free(&r);
}

static void test_nothing(void **state)
{
    (void)state;
    report_rows_t rows = {0};
    report_t r;
    report_compute(&rows, &r);
    assert_int_equal(r.cars, 0);
    assert_int_equal(r.first_hour, -1);
    assert_true(report_automation(&r) == 0 && report_avg_ticket_cents(&r) == 0);
    report_meta_t m = { "k.db", "2027-01-15 00:00 to 2027-01-16 00:00", "UTC" };
    strbuf_t b = {0};
    report_text(&r, &m, &b);
    report_csv(&r, &m, &b);
    report_html(&r, &m, &b);
    assert_non_null(strstr(strbuf_cstr(&b), "Time to acknowledge            -   no page\n"));
    strbuf_free(&b);
    report_free(&r);
}

/* ---- the text, the CSV and the page of the small day ---- */

static const char day_text[] =
    "Kiosk report: var/kiosk.db\n"
    "2027-01-15 07:00 to 2027-01-15 11:00 (hours in EST)\n"
    "\n"
    "Cars                           9\n"
    "Confirmed orders               5   55.6 % of the cars\n"
    "Automation rate           33.3 %   3 of 9 cars confirmed with no page and no crew action\n"
    "Average ticket             $4.82   5 confirmed orders, $24.08 in all\n"
    "Pages                          5   on 3 cars\n"
    "Time to acknowledge       17.5 s   median; 95th percentile 130.0 s, longest 130.0 s (4 acknowledged, 1 never)\n"
    "Corrections                    0   0 by customers, 0 by the crew\n"
    "Cars interrupted               1   left open by a kiosk that stopped\n"
    "Crew actions refused           3   of 7 crew actions\n"
    "\n"
    "Pages by reason          pages    share\n"
    "  human_request              2   40.0 %   asked for a person\n"
    "  device_fault               1   20.0 %   equipment problem\n"
    "  low_confidence             1   20.0 %   not sure what was said\n"
    "  repeated_corrections       1   20.0 %   keeps correcting\n"
    "\n"
    "Time to acknowledge      pages\n"
    "  under 5 s                  1\n"
    "  5-10 s                     1\n"
    "  10-30 s                    0\n"
    "  30-60 s                    1\n"
    "  1-2 min                    0\n"
    "  2 min or more              1\n"
    "  never acknowledged         1\n"
    "\n"
    "By hour        cars  orders  automated  pages\n"
    "  07:00           3       2       67 %      1\n"
    "  08:00           3       3       33 %      0\n"
    "  09:00           2       0        0 %      3\n"
    "  10:00           1       0        0 %      0\n"
    "  11:00           0       0          -      1\n"
    "\n"
    "Most corrected items: none\n"
    "\n"
    "Most paged items            cars\n"
    "  Fries                        2\n"
    "  Coke                         1\n"
    "  Sundae                       1\n"
    "\n"
    "How cars left               cars\n"
    "  confirmed                    5\n"
    "  at the post                  1\n"
    "  cancelled                    1\n"
    "  gone                         1\n"
    "  interrupted                  1\n"
    "\n"
    "Crew actions refused (times, action: why)\n"
    "       2  remove: no line 9\n"
    "       1  ack: no page is waiting\n";

static const char day_csv[] =
    "summary,value\n"
    "database,var/kiosk.db\n"
    "period,2027-01-15 07:00 to 2027-01-15 11:00\n"
    "time_zone,EST\n"
    "cars,9\n"
    "confirmed_orders,5\n"
    "automated_cars,3\n"
    "automation_percent,33.3\n"
    "average_ticket_cents,482\n"
    "sales_cents,2408\n"
    "pages,5\n"
    "paged_cars,3\n"
    "pages_acknowledged,4\n"
    "ack_median_s,17.5\n"
    "ack_p95_s,130.0\n"
    "ack_max_s,130.0\n"
    "corrections_by_customers,0\n"
    "corrections_by_crew,0\n"
    "cars_interrupted,1\n"
    "crew_actions,7\n"
    "crew_actions_refused,3\n"
    "\n"
    "cars_by_why,cars\n"
    "confirmed,5\n"
    "at the post,1\n"
    "cancelled,1\n"
    "gone,1\n"
    "interrupted,1\n"
    "\n"
    "pages_by_reason,pages,percent\n"
    "human_request,2,40.0\n"
    "device_fault,1,20.0\n"
    "low_confidence,1,20.0\n"
    "repeated_corrections,1,20.0\n"
    "\n"
    "ack_time,pages\n"
    "under 5 s,1\n"
    "5-10 s,1\n"
    "10-30 s,0\n"
    "30-60 s,1\n"
    "1-2 min,0\n"
    "2 min or more,1\n"
    "never,1\n"
    "\n"
    "by_hour,cars,confirmed_orders,automated_cars,automation_percent,pages\n"
    "07:00,3,2,2,66.7,1\n"
    "08:00,3,3,1,33.3,0\n"
    "09:00,2,0,0,0.0,3\n"
    "10:00,1,0,0,0.0,0\n"
    "11:00,0,0,0,,1\n"
    "\n"
    "corrected_items,by_customers,by_crew,total\n"
    "\n"
    "paged_items,cars\n"
    "Fries,2\n"
    "Coke,1\n"
    "Sundae,1\n"
    "\n"
    "crew_refused,why,times\n"
    "remove,no line 9,2\n"
    "ack,no page is waiting,1\n";

static void test_render(void **state)
{
    (void)state;
    report_t r;
    day(&r);
    report_meta_t m = { "var/kiosk.db", "2027-01-15 07:00 to 2027-01-15 11:00", "EST" };
    strbuf_t b = {0};
    report_text(&r, &m, &b);
    assert_string_equal(strbuf_cstr(&b), day_text);
    strbuf_reset(&b);
    report_csv(&r, &m, &b);
    assert_string_equal(strbuf_cstr(&b), day_csv);
    strbuf_reset(&b);
    report_html(&r, &m, &b);
    const char *h = strbuf_cstr(&b);
    /* one file: nothing fetched from elsewhere, no script */
    static const char *const never[] = {
        "<script", "src=", "href=", "url(", "@import", "http:", "https:", "<img", "<link",
    };
    for (size_t i = 0; i < sizeof never / sizeof never[0]; i++)
        if (strstr(h, never[i])) fail_msg("the page has %s", never[i]);
    static const char *const has[] = {
        "<!DOCTYPE html>", "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">",
        "<h2>Pages by reason</h2>", "<h2>Automation by hour</h2>", "<h2>Time to acknowledge a page</h2>", "<svg ",
        "asked for a person", "<title>07:00: 67 % of 3 cars</title>", "</html>\n",
    };
    for (size_t i = 0; i < sizeof has / sizeof has[0]; i++)
        if (!strstr(h, has[i])) fail_msg("the page lacks %s", has[i]);
    strbuf_free(&b);
    report_free(&r);
}

/* Names as a menu may write them: quoted in CSV, escaped in HTML, cut in the text. */
static void test_names(void **state)
{
    (void)state;
    static const report_car_t cars[] = { { 1, 12, "confirmed", 100, 1, 12 } };
    static const report_page_t pages[] = { { 1, 12, "<odd>", 1 } };
    static const report_line_t lines[] = {
        { 1, "Fish, \"Large\" <Deluxe> & Chips", 1 },
        { 1, "Crème brûlée with a very long name indeed", 1 },
    };
    report_rows_t rows = { cars, 1, pages, 1, NULL, 0, lines, 2, NULL, 0 };
    report_t r;
    report_compute(&rows, &r);
    report_meta_t m = { "a&b.db", "p", "UTC" };
    strbuf_t b = {0};
    report_csv(&r, &m, &b);
    assert_non_null(strstr(strbuf_cstr(&b), "\n\"Fish, \"\"Large\"\" <Deluxe> & Chips\",1\n"));
    strbuf_reset(&b);
    report_html(&r, &m, &b);
    assert_non_null(strstr(strbuf_cstr(&b), "<td>Fish, &quot;Large&quot; &lt;Deluxe&gt; &amp; Chips</td>"));
    assert_non_null(strstr(strbuf_cstr(&b), "&lt;odd&gt;"));
    assert_null(strstr(strbuf_cstr(&b), "<odd>"));
    strbuf_reset(&b);
    report_text(&r, &m, &b);
    /* 24 characters, the last one "…"; the columns after it stay in place */
    assert_non_null(strstr(strbuf_cstr(&b), "\n  Crème brûlée with a ver…     1\n"));
    assert_non_null(strstr(strbuf_cstr(&b), "\n  Fish, \"Large\" <Deluxe> …     1\n"));
    strbuf_free(&b);
    report_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stats),   cmocka_unit_test(test_subset), cmocka_unit_test(test_corrections),
        cmocka_unit_test(test_figures), cmocka_unit_test(test_nothing), cmocka_unit_test(test_render),
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
