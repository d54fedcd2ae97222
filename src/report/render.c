/* render.c: a report's figures as text for a terminal, as CSV, and as one
 * self-contained HTML page (report.h).  Pure: everything goes into a strbuf. */
#include "report.h"

#include <math.h>
#include <string.h>

#include "../crew/words.h"

#define TOP 10   /* rows of the item tables in the text and the page (the CSV has them all) */

static double pct(long n, long of)
{
    return of ? 100.0 * (double)n / (double)of : 0;
}

static void money(strbuf_t *b, double cents)
{
    long c = lround(cents);
    strbuf_printf(b, "$%ld.%02ld", c / 100, c % 100);
}

/* Characters of UTF-8 text (what a terminal shows, near enough). */
static int width(const char *s)
{
    int n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) n += (*p & 0xC0) != 0x80;
    return n;
}

/* s in a column of w characters, left-aligned; cut with "…" when longer. */
static void column(strbuf_t *b, const char *s, int w)
{
    int n = width(s);
    if (n > w) {
        int keep = w - 1;
        const unsigned char *p = (const unsigned char *)s;
        for (int seen = 0; *p; p++) {
            if ((*p & 0xC0) != 0x80 && seen++ == keep) break;
        }
        strbuf_appendn(b, s, (size_t)((const char *)p - s));
        strbuf_append(b, "…");
        return;
    }
    strbuf_append(b, s);
    for (; n < w; n++) strbuf_append(b, " ");
}

static const char *plural(long n, const char *one, const char *many)
{
    return n == 1 ? one : many;
}

static const char *reason_words(const char *reason)
{
    const char *w = view_reason_words(reason);
    return strcmp(w, reason) ? w : "";
}

/* ---- text ------------------------------------------------------------------ */

/* "Label            value   note": fmt makes "VALUE\tNOTE" (printf's). */
static void fig(strbuf_t *b, const char *label, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void fig(strbuf_t *b, const char *label, const char *fmt, ...)
{
    strbuf_t line = {0};
    va_list ap;
    va_start(ap, fmt);
    strbuf_vprintf(&line, fmt, ap);
    va_end(ap);
    const char *all = strbuf_cstr(&line), *tab = strchr(all, '\t');
    column(b, label, 22);
    strbuf_printf(b, "%10.*s", tab ? (int)(tab - all) : (int)line.len, all);
    if (tab && tab[1]) strbuf_printf(b, "   %s", tab + 1);
    strbuf_append(b, "\n");
    strbuf_free(&line);
}

static void text_table(strbuf_t *b, const char *title, const report_table_t *t, const char *col, int top)
{
    strbuf_append(b, "\n");
    if (!t->n) {
        strbuf_printf(b, "%s: none\n", title);
        return;
    }
    column(b, title, 26);
    strbuf_printf(b, "%6s\n", col);
    for (int i = 0; i < t->n && i < top; i++) {
        strbuf_append(b, "  ");
        column(b, t->v[i].name, 24);
        strbuf_printf(b, "%6ld\n", t->v[i].n);
    }
    if (t->n > top) strbuf_printf(b, "  (and %d more)\n", t->n - top);
}

void report_text(const report_t *r, const report_meta_t *m, strbuf_t *out)
{
    strbuf_t v = {0}, n = {0};
    strbuf_printf(out, "Kiosk report: %s\n%s (hours in %s)\n\n", m->db, m->period, m->zone);

    fig(out, "Cars", "%ld\t", r->cars);
    fig(out, "Confirmed orders", "%ld\t%.1f %% of the cars", r->confirmed, pct(r->confirmed, r->cars));
    fig(out, "Automation rate", "%.1f %%\t%ld of %ld %s confirmed with no page and no crew action",
        100 * report_automation(r), r->automated, r->cars, plural(r->cars, "car", "cars"));
    if (r->confirmed) {
        money(&v, report_avg_ticket_cents(r));
        money(&n, (double)r->sales_cents);
        fig(out, "Average ticket", "%s\t%ld confirmed %s, %s in all", strbuf_cstr(&v), r->confirmed,
            plural(r->confirmed, "order", "orders"), strbuf_cstr(&n));
    } else {
        fig(out, "Average ticket", "-\tno confirmed order");
    }
    fig(out, "Pages", "%ld\ton %ld %s", r->pages, r->paged_cars, plural(r->paged_cars, "car", "cars"));
    if (r->acked)
        fig(out, "Time to acknowledge",
            "%.1f s\tmedian; 95th percentile %.1f s, longest %.1f s (%ld acknowledged, %ld never)", r->ack_median_s,
            r->ack_p95_s, r->ack_max_s, r->acked, r->pages - r->acked);
    else
        fig(out, "Time to acknowledge", "-\t%s", r->pages ? "no page was acknowledged" : "no page");
    fig(out, "Corrections", "%ld\t%ld by customers, %ld by the crew", r->corrections_customer + r->corrections_crew,
        r->corrections_customer, r->corrections_crew);
    fig(out, "Cars interrupted", "%ld\tleft open by a kiosk that stopped", r->interrupted);
    fig(out, "Crew actions refused", "%ld\tof %ld crew %s", r->crew_refused, r->crew_actions,
        plural(r->crew_actions, "action", "actions"));

    strbuf_append(out, "\n");
    if (!r->reasons.n) {
        strbuf_append(out, "Pages by reason: none\n");
    } else {
        column(out, "Pages by reason", 24);
        strbuf_printf(out, "%6s %8s\n", "pages", "share");
        for (int i = 0; i < r->reasons.n; i++) {
            const report_count_t *c = &r->reasons.v[i];
            strbuf_append(out, "  ");
            column(out, c->name, 22);
            strbuf_printf(out, "%6ld %6.1f %%   %s\n", c->n, pct(c->n, r->pages), reason_words(c->name));
        }
    }

    if (r->pages) {
        strbuf_append(out, "\n");
        column(out, "Time to acknowledge", 24);
        strbuf_printf(out, "%6s\n", "pages");
        for (int i = 0; i < REPORT_ACK_BUCKETS; i++) {
            strbuf_append(out, "  ");
            column(out, report_ack_labels[i], 22);
            strbuf_printf(out, "%6ld\n", r->ack_buckets[i]);
        }
        strbuf_append(out, "  ");
        column(out, "never acknowledged", 22);
        strbuf_printf(out, "%6ld\n", r->pages - r->acked);
    }

    strbuf_append(out, "\n");
    if (r->first_hour < 0) {
        strbuf_append(out, "By hour: none\n");
    } else {
        strbuf_printf(out, "%-12s %6s %7s %10s %6s\n", "By hour", "cars", "orders", "automated", "pages");
        for (int h = r->first_hour; h <= r->last_hour; h++) {
            strbuf_reset(&v);
            if (r->hours[h].cars) strbuf_printf(&v, "%.0f %%", pct(r->hours[h].automated, r->hours[h].cars));
            else strbuf_append(&v, "-");
            strbuf_printf(out, "  %02d:00      %6ld %7ld %10s %6ld\n", h, r->hours[h].cars, r->hours[h].confirmed,
                          strbuf_cstr(&v), r->hours[h].pages);
        }
    }

    strbuf_append(out, "\n");
    if (!r->corrected.n) {
        strbuf_append(out, "Most corrected items: none\n");
    } else {
        column(out, "Most corrected items", 24);
        strbuf_printf(out, "%10s %6s %6s\n", "customers", "crew", "total");
        for (int i = 0; i < r->corrected.n && i < TOP; i++) {
            const report_count_t *c = &r->corrected.v[i];
            strbuf_append(out, "  ");
            column(out, c->name, 22);
            strbuf_printf(out, "%10ld %6ld %6ld\n", c->n, c->n2, c->n + c->n2);
        }
        if (r->corrected.n > TOP) strbuf_printf(out, "  (and %d more)\n", r->corrected.n - TOP);
    }

    text_table(out, "Most paged items", &r->paged_items, "cars", TOP);
    text_table(out, "How cars left", &r->why, "cars", 1000);

    strbuf_append(out, "\n");
    if (!r->refused.n) {
        strbuf_append(out, "Crew actions refused: none\n");
    } else {
        strbuf_append(out, "Crew actions refused (times, action: why)\n");
        for (int i = 0; i < r->refused.n; i++)
            strbuf_printf(out, "  %6ld  %s: %s\n", r->refused.v[i].n, r->refused.v[i].name, r->refused.v[i].name2);
    }
    strbuf_free(&v);
    strbuf_free(&n);
}

/* ---- CSV --------------------------------------------------------------------- */

/* A field, quoted when it needs to be (RFC 4180). */
static void csv_field(strbuf_t *b, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        strbuf_append(b, s);
        return;
    }
    strbuf_append(b, "\"");
    for (const char *p = s; *p; p++) {
        if (*p == '"') strbuf_append(b, "\"");
        strbuf_appendn(b, p, 1);
    }
    strbuf_append(b, "\"");
}

static void csv_kv(strbuf_t *b, const char *key, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void csv_kv(strbuf_t *b, const char *key, const char *fmt, ...)
{
    strbuf_printf(b, "%s,", key);
    strbuf_t v = {0};
    va_list ap;
    va_start(ap, fmt);
    strbuf_vprintf(&v, fmt, ap);
    va_end(ap);
    csv_field(b, strbuf_cstr(&v));
    strbuf_free(&v);
    strbuf_append(b, "\n");
}

static void csv_table(strbuf_t *b, const char *header, const report_table_t *t)
{
    strbuf_printf(b, "\n%s\n", header);
    for (int i = 0; i < t->n; i++) {
        csv_field(b, t->v[i].name);
        strbuf_printf(b, ",%ld\n", t->v[i].n);
    }
}

void report_csv(const report_t *r, const report_meta_t *m, strbuf_t *out)
{
    strbuf_append(out, "summary,value\n");
    csv_kv(out, "database", "%s", m->db);
    csv_kv(out, "period", "%s", m->period);
    csv_kv(out, "time_zone", "%s", m->zone);
    csv_kv(out, "cars", "%ld", r->cars);
    csv_kv(out, "confirmed_orders", "%ld", r->confirmed);
    csv_kv(out, "automated_cars", "%ld", r->automated);
    csv_kv(out, "automation_percent", "%.1f", 100 * report_automation(r));
    csv_kv(out, "average_ticket_cents", "%ld", lround(report_avg_ticket_cents(r)));
    csv_kv(out, "sales_cents", "%ld", r->sales_cents);
    csv_kv(out, "pages", "%ld", r->pages);
    csv_kv(out, "paged_cars", "%ld", r->paged_cars);
    csv_kv(out, "pages_acknowledged", "%ld", r->acked);
    if (r->acked) {
        csv_kv(out, "ack_median_s", "%.1f", r->ack_median_s);
        csv_kv(out, "ack_p95_s", "%.1f", r->ack_p95_s);
        csv_kv(out, "ack_max_s", "%.1f", r->ack_max_s);
    } else {   /* no time: empty fields */
        strbuf_append(out, "ack_median_s,\nack_p95_s,\nack_max_s,\n");
    }
    csv_kv(out, "corrections_by_customers", "%ld", r->corrections_customer);
    csv_kv(out, "corrections_by_crew", "%ld", r->corrections_crew);
    csv_kv(out, "cars_interrupted", "%ld", r->interrupted);
    csv_kv(out, "crew_actions", "%ld", r->crew_actions);
    csv_kv(out, "crew_actions_refused", "%ld", r->crew_refused);

    csv_table(out, "cars_by_why,cars", &r->why);

    strbuf_append(out, "\npages_by_reason,pages,percent\n");
    for (int i = 0; i < r->reasons.n; i++) {
        csv_field(out, r->reasons.v[i].name);
        strbuf_printf(out, ",%ld,%.1f\n", r->reasons.v[i].n, pct(r->reasons.v[i].n, r->pages));
    }

    strbuf_append(out, "\nack_time,pages\n");
    for (int i = 0; i < REPORT_ACK_BUCKETS; i++)
        strbuf_printf(out, "%s,%ld\n", report_ack_labels[i], r->ack_buckets[i]);
    strbuf_printf(out, "never,%ld\n", r->pages - r->acked);

    strbuf_append(out, "\nby_hour,cars,confirmed_orders,automated_cars,automation_percent,pages\n");
    for (int h = r->first_hour; h >= 0 && h <= r->last_hour; h++) {
        strbuf_printf(out, "%02d:00,%ld,%ld,%ld,", h, r->hours[h].cars, r->hours[h].confirmed, r->hours[h].automated);
        if (r->hours[h].cars) strbuf_printf(out, "%.1f", pct(r->hours[h].automated, r->hours[h].cars));
        strbuf_printf(out, ",%ld\n", r->hours[h].pages);
    }

    strbuf_append(out, "\ncorrected_items,by_customers,by_crew,total\n");
    for (int i = 0; i < r->corrected.n; i++) {
        const report_count_t *c = &r->corrected.v[i];
        csv_field(out, c->name);
        strbuf_printf(out, ",%ld,%ld,%ld\n", c->n, c->n2, c->n + c->n2);
    }

    csv_table(out, "paged_items,cars", &r->paged_items);

    strbuf_append(out, "\ncrew_refused,why,times\n");
    for (int i = 0; i < r->refused.n; i++) {
        csv_field(out, r->refused.v[i].name);
        strbuf_append(out, ",");
        csv_field(out, r->refused.v[i].name2);
        strbuf_printf(out, ",%ld\n", r->refused.v[i].n);
    }
}

/* ---- HTML -------------------------------------------------------------------- */

static void esc(strbuf_t *b, const char *s)
{
    for (const char *p = s; *p; p++) {
        switch (*p) {
        case '&': strbuf_append(b, "&amp;"); break;
        case '<': strbuf_append(b, "&lt;"); break;
        case '>': strbuf_append(b, "&gt;"); break;
        case '"': strbuf_append(b, "&quot;"); break;
        default: strbuf_appendn(b, p, 1);
        }
    }
}

static const char css[] =
    ":root{--ink:#16202a;--muted:#4a5663;--line:#d8dde3;--bg:#eef1f4;--card:#fff;"
    "--blue:#1c64b4;--green:#1f7a3a;--orange:#c2410c;--grey:#c9d1d9}"
    "*{box-sizing:border-box}"
    "body{margin:0;background:var(--bg);color:var(--ink);"
    "font:19px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',Arial,sans-serif;"
    "-webkit-text-size-adjust:100%}"
    "main{max-width:760px;margin:0 auto;padding:14px}"
    "h1{font-size:1.45em;margin:.2em 0 .1em;line-height:1.2}"
    ".sub{color:var(--muted);margin:0 0 12px;overflow-wrap:anywhere}"
    "h2{font-size:1.15em;margin:0 0 .5em}"
    "section{background:var(--card);border-radius:12px;padding:14px 16px;margin:14px 0;"
    "box-shadow:0 1px 3px rgba(0,0,0,.12)}"
    ".tiles{display:grid;grid-template-columns:repeat(2,1fr);gap:10px}"
    "@media (min-width:600px){.tiles{grid-template-columns:repeat(3,1fr)}}"
    ".tile{background:var(--card);border-radius:12px;padding:10px 14px;box-shadow:0 1px 3px rgba(0,0,0,.12)}"
    ".tile b{display:block;font-size:1.75em;line-height:1.2}"
    ".tile span{color:var(--muted);font-size:.85em}"
    ".tile.good b{color:var(--green)}.tile.warn b{color:var(--orange)}"
    ".hb{margin:0 0 10px}"
    ".hb .l{display:flex;justify-content:space-between;gap:10px}"
    ".hb .l span:last-child{font-weight:600;white-space:nowrap}"
    ".track{background:var(--grey);height:16px;border-radius:8px;overflow:hidden;margin-top:3px}"
    ".fill{height:100%;border-radius:8px}"
    ".orange{background:var(--orange)}.blue{background:var(--blue)}.green{background:var(--green)}"
    "svg{display:block;width:100%;max-width:560px;height:auto;margin:0 auto}"
    "svg text{font-family:inherit;fill:var(--ink)}"
    ".note{color:var(--muted);font-size:.85em;margin:.4em 0 0}"
    "table{width:100%;border-collapse:collapse}"
    "th,td{padding:7px 4px;border-bottom:1px solid var(--line);text-align:right;vertical-align:top}"
    "th{font-size:.85em;color:var(--muted);font-weight:600}"
    "th:first-child,td:first-child{text-align:left}"
    "td:first-child{overflow-wrap:break-word}td+td,th+th{white-space:nowrap}"
    "footer{color:var(--muted);font-size:.85em;margin:18px 0 30px}"
    "footer p{margin:.4em 0}";

static void tile(strbuf_t *b, const char *cls, const char *value, const char *label)
{
    strbuf_printf(b, "<div class=\"tile %s\"><b>", cls);
    esc(b, value);
    strbuf_append(b, "</b><span>");
    esc(b, label);
    strbuf_append(b, "</span></div>\n");
}

/* A labelled horizontal bar: width n of max. */
static void hbar(strbuf_t *b, const char *label, const char *value, double n, double max, const char *colour)
{
    strbuf_append(b, "<div class=\"hb\"><div class=\"l\"><span>");
    esc(b, label);
    strbuf_append(b, "</span><span>");
    esc(b, value);
    double w = n > 0 && max > 0 ? 100.0 * n / max : 0;
    if (n > 0 && w < 1.5) w = 1.5;   /* something is never drawn as nothing */
    strbuf_printf(b, "</span></div><div class=\"track\"><div class=\"fill %s\" style=\"width:%.1f%%\">"
                     "</div></div></div>\n", colour, w);
}

/* Automation by hour: a column an hour, its height the rate (the figure
 * above it), the hour and its cars below.  Sized in the viewBox for a phone's
 * width (about 360 CSS pixels), where 15 units are 15 pixels. */
static void svg_hours(strbuf_t *b, const report_t *r)
{
    int n = r->last_hour - r->first_hour + 1;
    const double W = 360, H = 286, top = 30, bottom = 214, left = 50, right = 354;
    double step = (right - left) / n, bw = step * 0.72 > 48 ? 48 : step * 0.72;
    int every = n <= 12 ? 1 : 2;   /* 13 to 24 hours: every other label */
    strbuf_printf(b, "<svg viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-labelledby=\"hours-title\">"
                     "<title id=\"hours-title\">Automation rate by hour of the day</title>\n", W, H);
    for (int g = 0; g <= 100; g += 50) {   /* grid lines and their percentages */
        double y = bottom - (bottom - top) * g / 100.0;
        strbuf_printf(b, "<line x1=\"%.0f\" y1=\"%.1f\" x2=\"%.0f\" y2=\"%.1f\" stroke=\"#c9d1d9\" stroke-width=\"1\"/>"
                         "<text x=\"%.0f\" y=\"%.1f\" font-size=\"14\" text-anchor=\"end\">%d %%</text>\n",
                      left, y, right, y, left - 6, y + 5, g);
    }
    strbuf_printf(b, "<text x=\"%.0f\" y=\"%.0f\" font-size=\"14\" text-anchor=\"end\" fill=\"#4a5663\">hour</text>"
                     "<text x=\"%.0f\" y=\"%.0f\" font-size=\"14\" text-anchor=\"end\" fill=\"#4a5663\">cars</text>\n",
                  left - 6, bottom + 22, left - 6, bottom + 42);
    for (int i = 0; i < n; i++) {
        int h = r->first_hour + i;
        double cx = left + step * (i + 0.5), x = cx - bw / 2;
        long cars = r->hours[h].cars;
        double rate = cars ? (double)r->hours[h].automated / (double)cars : 0;
        double y = bottom - (bottom - top) * rate;
        if (cars)
            strbuf_printf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" rx=\"3\" fill=\"#1f7a3a\">"
                             "<title>%02d:00: %.0f %% of %ld cars</title></rect>\n",
                          x, y, bw, bottom - y, h, 100 * rate, cars);
        if (cars && n <= 12)   /* the rate above its column */
            strbuf_printf(b, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"%d\" text-anchor=\"middle\">%.0f</text>\n", cx,
                          y - 6, n <= 8 ? 15 : 13, 100 * rate);
        if (i % every == 0)
            strbuf_printf(b, "<text x=\"%.1f\" y=\"%.0f\" font-size=\"15\" text-anchor=\"middle\">%02d</text>"
                             "<text x=\"%.1f\" y=\"%.0f\" font-size=\"14\" text-anchor=\"middle\" "
                             "fill=\"#4a5663\">%ld</text>\n",
                          cx, bottom + 22, h, cx, bottom + 42, cars);
    }
    strbuf_printf(b, "<text x=\"%.0f\" y=\"%.0f\" font-size=\"14\" text-anchor=\"middle\" fill=\"#4a5663\">"
                     "%% of the hour's cars the kiosk did alone</text>\n</svg>\n", (left + right) / 2, H - 6);
}

static void html_table(strbuf_t *b, const char *title, const char *const *cols, int ncols, const report_table_t *t,
                       int top, int three)
{
    strbuf_append(b, "<section><h2>");
    esc(b, title);
    strbuf_append(b, "</h2>\n");
    if (!t->n) {
        strbuf_append(b, "<p class=\"note\">None.</p></section>\n");
        return;
    }
    strbuf_append(b, "<table><tr>");
    for (int i = 0; i < ncols; i++) strbuf_printf(b, "<th>%s</th>", cols[i]);
    strbuf_append(b, "</tr>\n");
    for (int i = 0; i < t->n && i < top; i++) {
        strbuf_append(b, "<tr><td>");
        esc(b, t->v[i].name);
        if (three) strbuf_printf(b, "</td><td>%ld</td><td>%ld</td><td>%ld</td></tr>\n", t->v[i].n, t->v[i].n2,
                                 t->v[i].n + t->v[i].n2);
        else strbuf_printf(b, "</td><td>%ld</td></tr>\n", t->v[i].n);
    }
    strbuf_append(b, "</table>");
    if (t->n > top)
        strbuf_printf(b, "<p class=\"note\">And %d more (kiosk report --csv lists them all).</p>", t->n - top);
    strbuf_append(b, "</section>\n");
}

void report_html(const report_t *r, const report_meta_t *m, strbuf_t *out)
{
    strbuf_t v = {0}, l = {0};
    strbuf_append(out, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
                       "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                       "<title>Kiosk report: ");
    esc(out, m->period);
    strbuf_printf(out, "</title>\n<style>%s</style>\n</head><body><main>\n<h1>Drive-through report</h1>\n"
                       "<p class=\"sub\">", css);
    esc(out, m->period);
    strbuf_append(out, " (hours in ");
    esc(out, m->zone);
    strbuf_append(out, ")</p>\n<div class=\"tiles\">\n");

    strbuf_printf(&v, "%ld", r->cars);
    tile(out, "", strbuf_cstr(&v), "cars");
    strbuf_reset(&v);
    strbuf_printf(&v, "%ld", r->confirmed);
    strbuf_printf(&l, "confirmed orders (%.0f %%)", pct(r->confirmed, r->cars));
    tile(out, "", strbuf_cstr(&v), strbuf_cstr(&l));
    strbuf_reset(&v);
    strbuf_reset(&l);
    strbuf_printf(&v, "%.0f %%", 100 * report_automation(r));
    strbuf_printf(&l, "automated: %ld %s with no page or crew", r->automated, plural(r->automated, "car", "cars"));
    tile(out, "good", strbuf_cstr(&v), strbuf_cstr(&l));
    strbuf_reset(&v);
    strbuf_reset(&l);
    if (r->confirmed) money(&v, report_avg_ticket_cents(r));
    else strbuf_append(&v, "-");
    tile(out, "", strbuf_cstr(&v), "average ticket");
    strbuf_reset(&v);
    strbuf_printf(&v, "%ld", r->pages);
    strbuf_printf(&l, "%s, on %ld %s", plural(r->pages, "page", "pages"), r->paged_cars,
                  plural(r->paged_cars, "car", "cars"));
    tile(out, "warn", strbuf_cstr(&v), strbuf_cstr(&l));
    strbuf_reset(&v);
    strbuf_reset(&l);
    if (r->acked) strbuf_printf(&v, "%.0f s", r->ack_median_s);
    else strbuf_append(&v, "-");
    tile(out, "", strbuf_cstr(&v), "median time to acknowledge");
    strbuf_reset(&v);
    strbuf_append(out, "</div>\n");

    /* pages by reason */
    strbuf_append(out, "<section><h2>Pages by reason</h2>\n");
    if (!r->reasons.n) strbuf_append(out, "<p class=\"note\">No page.</p>\n");
    for (int i = 0; i < r->reasons.n; i++) {
        const report_count_t *c = &r->reasons.v[i];
        strbuf_reset(&v);
        strbuf_reset(&l);
        const char *w = reason_words(c->name);
        strbuf_append(&l, *w ? w : c->name);
        strbuf_printf(&v, "%ld (%.0f %%)", c->n, pct(c->n, r->pages));
        hbar(out, strbuf_cstr(&l), strbuf_cstr(&v), (double)c->n, (double)r->reasons.v[0].n, "orange");
    }
    strbuf_append(out, "</section>\n");

    /* automation by hour */
    strbuf_append(out, "<section><h2>Automation by hour</h2>\n");
    if (r->first_hour < 0) strbuf_append(out, "<p class=\"note\">No car.</p>\n");
    else svg_hours(out, r);
    strbuf_append(out, "</section>\n");

    /* time to acknowledge */
    strbuf_append(out, "<section><h2>Time to acknowledge a page</h2>\n");
    if (!r->pages) {
        strbuf_append(out, "<p class=\"note\">No page.</p>\n");
    } else {
        long most = r->pages - r->acked;
        for (int i = 0; i < REPORT_ACK_BUCKETS; i++)
            if (r->ack_buckets[i] > most) most = r->ack_buckets[i];
        for (int i = 0; i < REPORT_ACK_BUCKETS; i++) {
            strbuf_reset(&v);
            strbuf_printf(&v, "%ld", r->ack_buckets[i]);
            hbar(out, report_ack_labels[i], strbuf_cstr(&v), (double)r->ack_buckets[i], (double)most, "blue");
        }
        strbuf_reset(&v);
        strbuf_printf(&v, "%ld", r->pages - r->acked);
        hbar(out, "never acknowledged", strbuf_cstr(&v), (double)(r->pages - r->acked), (double)most, "orange");
        if (r->acked)
            strbuf_printf(out, "<p class=\"note\">Median %.1f s, 95th percentile %.1f s, longest %.1f s "
                               "(%ld pages acknowledged).</p>\n",
                          r->ack_median_s, r->ack_p95_s, r->ack_max_s, r->acked);
    }
    strbuf_append(out, "</section>\n");

    /* by hour */
    strbuf_append(out, "<section><h2>Orders and pages by hour</h2>\n");
    if (r->first_hour < 0) {
        strbuf_append(out, "<p class=\"note\">No car.</p>\n");
    } else {
        strbuf_append(out, "<table><tr><th>hour</th><th>cars</th><th>orders</th><th>auto&shy;mated</th>"
                           "<th>pages</th></tr>\n");
        for (int h = r->first_hour; h <= r->last_hour; h++) {
            strbuf_printf(out, "<tr><td>%02d:00</td><td>%ld</td><td>%ld</td><td>", h, r->hours[h].cars,
                          r->hours[h].confirmed);
            if (r->hours[h].cars) strbuf_printf(out, "%.0f %%", pct(r->hours[h].automated, r->hours[h].cars));
            else strbuf_append(out, "-");
            strbuf_printf(out, "</td><td>%ld</td></tr>\n", r->hours[h].pages);
        }
        strbuf_append(out, "</table>\n");
    }
    strbuf_append(out, "</section>\n");

    static const char *const corr_cols[] = { "item", "customers", "crew", "total" };
    html_table(out, "Most corrected items", corr_cols, 4, &r->corrected, TOP, 1);
    static const char *const paged_cols[] = { "item", "paged cars" };
    html_table(out, "Most paged items", paged_cols, 2, &r->paged_items, TOP, 0);
    static const char *const why_cols[] = { "how", "cars" };
    html_table(out, "How cars left", why_cols, 2, &r->why, 1000, 0);

    strbuf_printf(out, "<section><h2>Crew actions refused</h2>\n<p class=\"note\">%ld of %ld crew %s refused; "
                       "%ld %s interrupted (left open by a kiosk that stopped).</p>\n",
                  r->crew_refused, r->crew_actions, plural(r->crew_actions, "action was", "actions were"),
                  r->interrupted, plural(r->interrupted, "car was", "cars were"));
    if (r->refused.n) {
        strbuf_append(out, "<table><tr><th>action: why</th><th>times</th></tr>\n");
        for (int i = 0; i < r->refused.n; i++) {
            strbuf_append(out, "<tr><td>");
            esc(out, r->refused.v[i].name);
            strbuf_append(out, ": ");
            esc(out, r->refused.v[i].name2);
            strbuf_printf(out, "</td><td>%ld</td></tr>\n", r->refused.v[i].n);
        }
        strbuf_append(out, "</table>\n");
    }
    strbuf_append(out, "</section>\n");

    strbuf_append(out, "<footer><p>Automated: confirmed with no page and no crew action. A correction: a line of an "
                       "order changed or taken off after it was in it (answers to the kiosk's questions do not "
                       "count). Paged items: the cars that paged with the item in their order.</p><p>From ");
    esc(out, m->db);
    strbuf_append(out, " by kiosk report.</p></footer>\n</main></body></html>\n");
    strbuf_free(&v);
    strbuf_free(&l);
}
