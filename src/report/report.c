/* report.c: the figures of `kiosk report` from the store's rows (see
 * report.h for what each one counts).  Pure: the rows come in as arrays, the
 * figures go out in a report_t. */
#include "report.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

const double report_ack_edges[REPORT_ACK_BUCKETS - 1] = { 5, 10, 30, 60, 120 };
const char *const report_ack_labels[REPORT_ACK_BUCKETS] = {
    "under 5 s", "5-10 s", "10-30 s", "30-60 s", "1-2 min", "2 min or more",
};

/* ---- small tables of counts ------------------------------------------------ */

static report_count_t *table_find(report_table_t *t, const char *name, const char *name2)
{
    for (int i = 0; i < t->n; i++)
        if (!strcmp(t->v[i].name, name) && !strcmp(t->v[i].name2 ? t->v[i].name2 : "", name2 ? name2 : ""))
            return &t->v[i];
    t->v = xrealloc(t->v, (size_t)(t->n + 1) * sizeof *t->v);
    report_count_t *c = &t->v[t->n++];
    memset(c, 0, sizeof *c);
    c->name = xstrdup(name);
    c->name2 = name2 ? xstrdup(name2) : NULL;
    return c;
}

static void table_add(report_table_t *t, const char *name, long n, long n2)
{
    report_count_t *c = table_find(t, name, NULL);
    c->n += n;
    c->n2 += n2;
}

/* Most (n + n2) first, then by name, so the same rows give the same order. */
static int count_cmp(const void *a, const void *b)
{
    const report_count_t *x = a, *y = b;
    long dx = x->n + x->n2, dy = y->n + y->n2;
    if (dx != dy) return dx > dy ? -1 : 1;
    int c = strcmp(x->name, y->name);
    if (c) return c;
    return strcmp(x->name2 ? x->name2 : "", y->name2 ? y->name2 : "");
}

static void table_sort(report_table_t *t)
{
    if (t->n > 1) qsort(t->v, (size_t)t->n, sizeof *t->v, count_cmp);
}

static void table_free(report_table_t *t)
{
    for (int i = 0; i < t->n; i++) {
        free(t->v[i].name);
        free(t->v[i].name2);
    }
    free(t->v);
    memset(t, 0, sizeof *t);
}

/* ---- statistics -------------------------------------------------------------- */

static int dbl_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

double report_median(double *v, int n)
{
    if (n <= 0) return 0;
    qsort(v, (size_t)n, sizeof *v, dbl_cmp);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

double report_p95(double *v, int n)
{
    if (n <= 0) return 0;
    qsort(v, (size_t)n, sizeof *v, dbl_cmp);
    /* nearest rank: the ceil(0.95 n)-th smallest (integers, so 0.95 * 20 is 19 exactly) */
    int rank = (95 * n + 99) / 100;
    if (rank < 1) rank = 1;
    return v[rank - 1];
}

double report_automation(const report_t *r)
{
    return r->cars ? (double)r->automated / (double)r->cars : 0;
}

double report_avg_ticket_cents(const report_t *r)
{
    return r->confirmed ? (double)r->sales_cents / (double)r->confirmed : 0;
}

/* ---- flat JSON objects of strings (a line's choices) ------------------------------ */

static const char *skip_ws(const char *p)
{
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') p++;
    return p;
}

/* A JSON string at p: its text between the quotes (escapes left as they
 * are) in *s and *n; the character after it, or NULL when there is none. */
static const char *json_string(const char *p, const char **s, size_t *n)
{
    if (*p != '"') return NULL;
    const char *q = ++p;
    while (*q && *q != '"') q += q[0] == '\\' && q[1] ? 2 : 1;
    if (*q != '"') return NULL;
    *s = p;
    *n = (size_t)(q - p);
    return q + 1;
}

typedef struct {
    const char *k, *v;
    size_t kn, vn;
} pair_t;

/* The pairs of a flat object of strings; -1 when it is not one. */
static int pairs(const char *js, pair_t *out, int max)
{
    const char *p = skip_ws(js ? js : "{}");
    if (*p++ != '{') return -1;
    int n = 0;
    p = skip_ws(p);
    if (*p == '}') return 0;
    for (;;) {
        pair_t pr;
        if (n == max || !(p = json_string(skip_ws(p), &pr.k, &pr.kn))) return -1;
        p = skip_ws(p);
        if (*p++ != ':') return -1;
        if (!(p = json_string(skip_ws(p), &pr.v, &pr.vn))) return -1;
        out[n++] = pr;
        p = skip_ws(p);
        if (*p == '}') return n;
        if (*p++ != ',') return -1;
    }
}

int report_pairs_subset(const char *a, const char *b)
{
    pair_t pa[16], pb[16];
    int na = pairs(a, pa, 16), nb = pairs(b, pb, 16);
    if (na < 0 || nb < 0) return !strcmp(a ? a : "", b ? b : "");
    for (int i = 0; i < na; i++) {
        int found = 0;
        for (int j = 0; j < nb && !found; j++)
            found = pa[i].kn == pb[j].kn && pa[i].vn == pb[j].vn && !memcmp(pa[i].k, pb[j].k, pa[i].kn) &&
                    !memcmp(pa[i].v, pb[j].v, pa[i].vn);
        if (!found) return 0;
    }
    return 1;
}

/* ---- corrections ------------------------------------------------------------- */

static int same(const char *a, const char *b)
{
    return !strcmp(a ? a : "", b ? b : "") && !a == !b;
}

static int same_line(const report_snap_t *a, const report_snap_t *b)
{
    return same(a->item, b->item) && a->qty == b->qty && same(a->size, b->size) && same(a->options, b->options) &&
           same(a->choices, b->choices);
}

/* s answers a question about p: the same line with a size where it had none,
 * or more of a combo's choices. */
static int answers(const report_snap_t *p, const report_snap_t *s)
{
    return same(p->item, s->item) && p->qty == s->qty && same(p->options, s->options) &&
           (!p->size || same(p->size, s->size)) && report_pairs_subset(p->choices, s->choices);
}

/* The crew's `add` of an item the order has: the same line, more of it. */
static int crew_more(const report_snap_t *p, const report_snap_t *s)
{
    return same(p->item, s->item) && s->qty > p->qty && same(p->size, s->size) && same(p->options, s->options) &&
           same(p->choices, s->choices);
}

/* The lines of before (P, np rows) no longer in after (S, ns rows): each a
 * correction of its item, the customer's or the crew's. */
static void diff(report_t *r, const report_snap_t *P, int np, const report_snap_t *S, int ns, int customer)
{
    char *mp = xcalloc((size_t)np + 1, 1), *ms = xcalloc((size_t)ns + 1, 1);
    for (int pass = 0; pass < 3; pass++) {
        if (pass == 2 && customer) break;
        for (int i = 0; i < np; i++) {
            if (mp[i] || !P[i].item) continue;
            for (int j = 0; j < ns; j++) {
                if (ms[j] || !S[j].item) continue;
                if (pass == 0 ? same_line(&P[i], &S[j]) : pass == 1 ? answers(&P[i], &S[j]) : crew_more(&P[i], &S[j])) {
                    mp[i] = ms[j] = 1;
                    break;
                }
            }
        }
    }
    for (int i = 0; i < np; i++) {
        if (mp[i] || !P[i].item) continue;
        table_add(&r->corrected, P[i].item, customer, !customer);
        if (customer) r->corrections_customer++;
        else r->corrections_crew++;
    }
    free(mp);
    free(ms);
}

/* ---- the figures ---------------------------------------------------------------- */

typedef struct {
    long id;
    int idx;
} car_ix_t;

static int car_ix_cmp(const void *a, const void *b)
{
    long x = ((const car_ix_t *)a)->id, y = ((const car_ix_t *)b)->id;
    return x < y ? -1 : x > y;
}

/* The index in rows->cars of car id, -1 when it is not one of them. */
static int car_index(const car_ix_t *ix, int n, long id)
{
    car_ix_t key = { id, 0 };
    const car_ix_t *f = bsearch(&key, ix, (size_t)n, sizeof *ix, car_ix_cmp);
    return f ? f->idx : -1;
}

static int hour_ok(int h)
{
    return h >= 0 && h < 24;
}

void report_compute(const report_rows_t *rows, report_t *r)
{
    memset(r, 0, sizeof *r);
    r->first_hour = r->last_hour = -1;
    int nc = rows->ncars;
    car_ix_t *ix = xmalloc((size_t)(nc + 1) * sizeof *ix);
    for (int i = 0; i < nc; i++) ix[i] = (car_ix_t){ rows->cars[i].id, i };
    qsort(ix, (size_t)nc, sizeof *ix, car_ix_cmp);
    char *paged = xcalloc((size_t)nc + 1, 1), *crewed = xcalloc((size_t)nc + 1, 1);

    /* pages */
    double *acks = xmalloc((size_t)(rows->npages + 1) * sizeof *acks);
    int nacks = 0;
    for (int i = 0; i < rows->npages; i++) {
        const report_page_t *p = &rows->pages[i];
        r->pages++;
        table_add(&r->reasons, p->reason ? p->reason : "?", 1, 0);
        if (hour_ok(p->hour)) r->hours[p->hour].pages++;
        int c = p->car ? car_index(ix, nc, p->car) : -1;
        if (c >= 0) paged[c] = 1;
        if (p->ack_after_s >= 0) {
            acks[nacks++] = p->ack_after_s;
            int b = 0;
            while (b < REPORT_ACK_BUCKETS - 1 && p->ack_after_s >= report_ack_edges[b]) b++;
            r->ack_buckets[b]++;
        }
    }
    r->acked = nacks;
    r->ack_median_s = report_median(acks, nacks);
    r->ack_p95_s = report_p95(acks, nacks);
    r->ack_max_s = nacks ? acks[nacks - 1] : 0;   /* sorted by the two above */
    free(acks);

    /* crew actions */
    for (int i = 0; i < rows->ncrew; i++) {
        const report_crew_t *a = &rows->crew[i];
        r->crew_actions++;
        if (!a->ok) {
            r->crew_refused++;
            table_find(&r->refused, a->action ? a->action : "?", a->error ? a->error : "refused")->n++;
            continue;
        }
        int c = a->car ? car_index(ix, nc, a->car) : -1;
        if (c >= 0) crewed[c] = 1;
    }

    /* cars */
    for (int i = 0; i < nc; i++) {
        const report_car_t *c = &rows->cars[i];
        r->cars++;
        table_add(&r->why, c->why ? c->why : "at the post", 1, 0);
        if (c->why && !strcmp(c->why, "interrupted")) r->interrupted++;
        if (paged[i]) r->paged_cars++;
        int automated = c->confirmed && !paged[i] && !crewed[i];
        if (hour_ok(c->hour)) {
            r->hours[c->hour].cars++;
            r->hours[c->hour].automated += automated;
        }
        if (c->confirmed) {
            r->confirmed++;
            r->sales_cents += c->total_cents;
            if (hour_ok(c->confirmed_hour)) r->hours[c->confirmed_hour].confirmed++;
        }
        r->automated += automated;
    }

    /* paged items: each paged car once per item of its order */
    for (int i = 0; i < rows->nlines; i++) {
        const report_line_t *l = &rows->lines[i];
        int c = car_index(ix, nc, l->car);
        if (c < 0 || !paged[c] || !l->item) continue;
        int dup = 0;   /* the same item on an earlier line of this car */
        for (int j = i - 1; j >= 0 && rows->lines[j].car == l->car && !dup; j--)
            dup = rows->lines[j].item && !strcmp(rows->lines[j].item, l->item);
        if (!dup) table_add(&r->paged_items, l->item, 1, 0);
    }

    /* corrections: each car's order from one event to its next */
    int *prev = xmalloc((size_t)(nc + 1) * sizeof *prev), *prev_n = xmalloc((size_t)(nc + 1) * sizeof *prev_n);
    for (int i = 0; i < nc; i++) prev[i] = -1;
    for (int i = 0; i < rows->nsnaps;) {
        int j = i;
        while (j < rows->nsnaps && rows->snaps[j].event == rows->snaps[i].event) j++;
        const report_snap_t *s = &rows->snaps[i];
        int c = car_index(ix, nc, s->car);
        if (c >= 0) {
            if (prev[c] >= 0) {
                const report_snap_t *p = &rows->snaps[prev[c]];
                int customer = s->after_turn && !same(p->status, "crew");
                diff(r, p, prev_n[c], s, j - i, customer);
            }
            prev[c] = i;
            prev_n[c] = j - i;
        }
        i = j;
    }
    free(prev);
    free(prev_n);

    for (int h = 0; h < 24; h++) {
        if (!r->hours[h].cars && !r->hours[h].confirmed && !r->hours[h].pages) continue;
        if (r->first_hour < 0) r->first_hour = h;
        r->last_hour = h;
    }
    table_sort(&r->why);
    table_sort(&r->reasons);
    table_sort(&r->corrected);
    table_sort(&r->paged_items);
    table_sort(&r->refused);
    free(ix);
    free(paged);
    free(crewed);
}

void report_free(report_t *r)
{
    table_free(&r->why);
    table_free(&r->reasons);
    table_free(&r->corrected);
    table_free(&r->paged_items);
    table_free(&r->refused);
}
