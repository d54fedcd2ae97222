/* fsgmin.c: see fsgmin.h.
 *
 * Why: burger.yaml's grammar becomes, through jsgf_build_fsg(), an FSG of
 * 3303 states, 7656 word arcs and 5774 null arcs.  At every word's end the
 * FSG search follows the null arcs and enters the lexical tree of each state
 * they reach, so the same words are tried many times over, once per state a
 * prefix can be in.  The minimal deterministic FSG of the same sentences has
 * 946 states and 20121 word arcs: more arcs (what null arcs shared is now
 * copied into each state), but each prefix is in one state only.  The menu
 * pass goes from 0.20x to 0.07x real time (CPU) with the same words heard
 * on the development turns but for a few near-ties ("a"/"an").
 *
 * How: the subset construction over null-arc closures, then Moore's
 * partition refinement (states are split by acceptance, then by where each
 * word leads, until no block splits).  Both intern sorted int arrays (a set
 * of states, a state's signature) in one hash table.  Only for FSGs whose
 * arcs all have probability 1: menu_grammar() writes no weights, and with
 * weights the best path through a determinised FSG would score differently.
 *
 * The result has one extra state, the final one, reached by a null arc from
 * every accepting state; pocketsphinx wants a single final state. */
#include "fsgmin.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/util.h"

/* ---- growable int arrays -------------------------------------------------- */

typedef struct {
    int *v;
    size_t n, cap;
} ivec_t;

static void ivec_push(ivec_t *a, int x)
{
    if (a->n == a->cap) {
        a->cap = a->cap ? 2 * a->cap : 64;
        a->v = xrealloc(a->v, a->cap * sizeof *a->v);
    }
    a->v[a->n++] = x;
}

/* ---- interned int arrays: id -> (start, len) in one pool ------------------ */

typedef struct {
    ivec_t pool;              /* the arrays, back to back */
    ivec_t start, len;        /* per id */
    int *slot;                /* hash slots: id + 1, 0 empty */
    size_t nslot;
} intern_t;

static uint32_t hash_ints(const int *v, int n)
{
    uint32_t h = (uint32_t)n * 0x9e3779b9u;
    for (int i = 0; i < n; i++) {
        h = (h ^ (uint32_t)v[i]) * 0x85ebca6bu;
        h ^= h >> 13;
    }
    return h * 0xc2b2ae35u ^ (h >> 16);
}

static int intern_count(const intern_t *t)
{
    return (int)t->start.n;
}

static void intern_rehash(intern_t *t)
{
    size_t ns = t->nslot ? 2 * t->nslot : 1024;
    int *slot = xcalloc(ns, sizeof *slot);
    for (int id = 0; id < intern_count(t); id++) {
        uint32_t h = hash_ints(t->pool.v + t->start.v[id], t->len.v[id]);
        size_t i = h & (ns - 1);
        while (slot[i]) i = (i + 1) & (ns - 1);
        slot[i] = id + 1;
    }
    free(t->slot);
    t->slot = slot;
    t->nslot = ns;
}

/* The id of v[0..n), added when new (*added := 1). */
static int intern(intern_t *t, const int *v, int n, int *added)
{
    if ((size_t)(intern_count(t) + 1) * 2 > t->nslot) intern_rehash(t);
    uint32_t h = hash_ints(v, n);
    size_t i = h & (t->nslot - 1);
    while (t->slot[i]) {
        int id = t->slot[i] - 1;
        if (t->len.v[id] == n && memcmp(t->pool.v + t->start.v[id], v, (size_t)n * sizeof *v) == 0) {
            if (added) *added = 0;
            return id;
        }
        i = (i + 1) & (t->nslot - 1);
    }
    int id = intern_count(t);
    ivec_push(&t->start, (int)t->pool.n);
    ivec_push(&t->len, n);
    for (int k = 0; k < n; k++) ivec_push(&t->pool, v[k]);
    t->slot[i] = id + 1;
    if (added) *added = 1;
    return id;
}

static void intern_free(intern_t *t)
{
    free(t->pool.v);
    free(t->start.v);
    free(t->len.v);
    free(t->slot);
    memset(t, 0, sizeof *t);
}

/* ---- the FSG's arcs, by state ------------------------------------------- */

typedef struct {
    int n;                    /* states */
    int *wstart, *wid, *wto;  /* word arcs of state s: wstart[s] .. wstart[s+1] */
    int *nstart, *nto;        /* null arcs, likewise */
    int weighted;             /* an arc with a probability other than 1 */
} arcs_t;

static void arcs_read(fsg_model_t *f, arcs_t *a)
{
    int n = fsg_model_n_state(f);
    ivec_t wid = {0}, wto = {0}, nto = {0};
    a->n = n;
    a->weighted = 0;
    a->wstart = xmalloc((size_t)(n + 1) * sizeof *a->wstart);
    a->nstart = xmalloc((size_t)(n + 1) * sizeof *a->nstart);
    for (int s = 0; s < n; s++) {
        a->wstart[s] = (int)wid.n;
        a->nstart[s] = (int)nto.n;
        for (fsg_arciter_t *it = fsg_model_arcs(f, s); it; it = fsg_arciter_next(it)) {
            fsg_link_t *l = fsg_arciter_get(it);
            if (fsg_link_logs2prob(l) != 0) a->weighted = 1;
            if (fsg_link_wid(l) < 0) {
                ivec_push(&nto, fsg_link_to_state(l));
            } else {
                ivec_push(&wid, fsg_link_wid(l));
                ivec_push(&wto, fsg_link_to_state(l));
            }
        }
    }
    a->wstart[n] = (int)wid.n;
    a->nstart[n] = (int)nto.n;
    a->wid = wid.v;
    a->wto = wto.v;
    a->nto = nto.v;
}

static void arcs_free(arcs_t *a)
{
    free(a->wstart);
    free(a->wid);
    free(a->wto);
    free(a->nstart);
    free(a->nto);
}

static int cmp_int(const void *x, const void *y)
{
    int a = *(const int *)x, b = *(const int *)y;
    return (a > b) - (a < b);
}

/* set := its closure over null arcs (in no order).  mark[] is all 0
 * on entry and on return. */
static void closure(const arcs_t *a, ivec_t *set, char *mark)
{
    for (size_t i = 0; i < set->n; i++) mark[set->v[i]] = 1;
    for (size_t i = 0; i < set->n; i++) {          /* set grows while walked */
        int s = set->v[i];
        for (int k = a->nstart[s]; k < a->nstart[s + 1]; k++) {
            int t = a->nto[k];
            if (!mark[t]) {
                mark[t] = 1;
                ivec_push(set, t);
            }
        }
    }
    for (size_t i = 0; i < set->n; i++) mark[set->v[i]] = 0;
}

/* The FSG without null arcs: for each state, the word arcs of every state
 * its null arcs reach (itself included), sorted and without repeats; acc[s]
 * when they reach the final state.  Computed once per state, so that the
 * subset construction below never walks null arcs. */
typedef struct {
    int *estart, *ewid, *eto;
    char *acc;
} eps_free_t;

typedef struct {
    int wid, to;
} pair_t;

static void eps_free(fsg_model_t *f, const arcs_t *a, eps_free_t *e)
{
    char *mark = xcalloc((size_t)a->n, 1);
    ivec_t set = {0}, ewid = {0}, eto = {0};
    pair_t *pairs = NULL, *sorted = NULL;
    size_t pcap = 0;
    int nw = fsg_model_n_word(f);
    int *count = xcalloc((size_t)nw + 1, sizeof *count);
    e->estart = xmalloc((size_t)(a->n + 1) * sizeof *e->estart);
    e->acc = xcalloc((size_t)a->n, 1);
    for (int s = 0; s < a->n; s++) {
        e->estart[s] = (int)ewid.n;
        set.n = 0;
        ivec_push(&set, s);
        closure(a, &set, mark);
        size_t np = 0;
        for (size_t k = 0; k < set.n; k++) {
            int t = set.v[k];
            e->acc[s] |= t == fsg_model_final_state(f);
            for (int j = a->wstart[t]; j < a->wstart[t + 1]; j++) {
                if (np == pcap) {
                    pcap = pcap ? 2 * pcap : 256;
                    pairs = xrealloc(pairs, pcap * sizeof *pairs);
                    sorted = xrealloc(sorted, pcap * sizeof *sorted);
                }
                pairs[np++] = (pair_t){ a->wid[j], a->wto[j] };
            }
        }
        /* by word (counting sort: few words), each word's targets once */
        for (size_t i = 0; i < np; i++) count[pairs[i].wid + 1]++;
        for (int w = 0; w < nw; w++) count[w + 1] += count[w];
        for (size_t i = 0; i < np; i++) sorted[count[pairs[i].wid]++] = pairs[i];
        memset(count, 0, (size_t)(nw + 1) * sizeof *count);
        for (size_t i = 0; i < np;) {
            size_t j = i;
            for (; j < np && sorted[j].wid == sorted[i].wid; j++)
                if (!mark[sorted[j].to]) {
                    mark[sorted[j].to] = 1;
                    ivec_push(&ewid, sorted[j].wid);
                    ivec_push(&eto, sorted[j].to);
                }
            for (size_t k = i; k < j; k++) mark[sorted[k].to] = 0;
            i = j;
        }
    }
    e->estart[a->n] = (int)ewid.n;
    e->ewid = ewid.v;
    e->eto = eto.v;
    free(count);
    free(sorted);
    free(pairs);
    free(set.v);
    free(mark);
}

static void eps_free_free(eps_free_t *e)
{
    free(e->estart);
    free(e->ewid);
    free(e->eto);
    free(e->acc);
}

/* The deterministic FSG: state d's arcs are dstart[d] .. dstart[d+1] of
 * dwid/dto, sorted by word; acc[d] when it holds f's final state. */
typedef struct {
    int n;
    ivec_t dstart, dwid, dto;
    char *acc;
} dfa_t;

static void dfa_free(dfa_t *d)
{
    free(d->dstart.v);
    free(d->dwid.v);
    free(d->dto.v);
    free(d->acc);
}

/* The subset construction over the null-free FSG: a state of the result is
 * a set of f's states, reached from {start}; its arcs for word w lead to the
 * set of all targets of w from its members.  The targets are bucketed by
 * word (f has few words), so no set's arcs are ever sorted whole. */
static int determinize(fsg_model_t *f, const arcs_t *a, dfa_t *d, char *err, size_t errlen)
{
    eps_free_t e;
    eps_free(f, a, &e);
    int nw = fsg_model_n_word(f);
    ivec_t *bucket = xcalloc((size_t)nw, sizeof *bucket);
    ivec_t touched = {0}, accv = {0};
    char *mark = xcalloc((size_t)a->n, 1);
    intern_t sets = {0};
    int rc = 0;

    memset(d, 0, sizeof *d);
    int start = fsg_model_start_state(f);
    intern(&sets, &start, 1, NULL);
    for (int id = 0; id < intern_count(&sets); id++) {     /* grows as it goes */
        if (id >= FSGMIN_MAX_STATES) {
            snprintf(err, errlen, "grammar: its deterministic FSG passes %d states",
                     FSGMIN_MAX_STATES);
            rc = -1;
            break;
        }
        ivec_push(&d->dstart, (int)d->dwid.n);
        int is_acc = 0;
        touched.n = 0;
        for (int k = 0; k < sets.len.v[id]; k++) {
            int s = sets.pool.v[sets.start.v[id] + k];
            is_acc |= e.acc[s];
            for (int j = e.estart[s]; j < e.estart[s + 1]; j++) {
                int w = e.ewid[j];
                if (bucket[w].n == 0) ivec_push(&touched, w);
                ivec_push(&bucket[w], e.eto[j]);
            }
        }
        ivec_push(&accv, is_acc);
        qsort(touched.v, touched.n, sizeof *touched.v, cmp_int);
        for (size_t i = 0; i < touched.n; i++) {
            ivec_t *b = &bucket[touched.v[i]];
            size_t m = 0;                  /* unique targets, kept in b->v[0..m) */
            for (size_t k = 0; k < b->n; k++)
                if (!mark[b->v[k]]) {
                    mark[b->v[k]] = 1;
                    b->v[m++] = b->v[k];
                }
            for (size_t k = 0; k < m; k++) mark[b->v[k]] = 0;
            qsort(b->v, m, sizeof *b->v, cmp_int);
            int to = intern(&sets, b->v, (int)m, NULL);
            ivec_push(&d->dwid, touched.v[i]);
            ivec_push(&d->dto, to);
            b->n = 0;
        }
    }
    if (rc == 0) {
        d->n = intern_count(&sets);
        ivec_push(&d->dstart, (int)d->dwid.n);
        d->acc = xmalloc((size_t)d->n);
        for (int i = 0; i < d->n; i++) d->acc[i] = (char)accv.v[i];
    }
    for (int w = 0; w < nw; w++) free(bucket[w].v);
    free(bucket);
    free(touched.v);
    free(accv.v);
    free(mark);
    intern_free(&sets);
    eps_free_free(&e);
    return rc;
}

/* Moore's refinement: block[d] for each state; returns the number of blocks.
 * Block ids are in order of each block's first state, so the start state's
 * block is 0. */
static int minimize(const dfa_t *d, int *block)
{
    int nb = 0;
    ivec_t sig = {0};
    int *next = xmalloc((size_t)d->n * sizeof *next);
    /* blocks by acceptance first */
    int first_acc = -1, first_rej = -1;
    for (int s = 0; s < d->n; s++) {
        int *first = d->acc[s] ? &first_acc : &first_rej;
        if (*first < 0) *first = nb++;
        block[s] = *first;
    }
    for (;;) {
        intern_t t = {0};
        for (int s = 0; s < d->n; s++) {
            sig.n = 0;
            ivec_push(&sig, block[s]);
            for (int k = d->dstart.v[s]; k < d->dstart.v[s + 1]; k++) {
                ivec_push(&sig, d->dwid.v[k]);
                ivec_push(&sig, block[d->dto.v[k]]);
            }
            next[s] = intern(&t, sig.v, (int)sig.n, NULL);
        }
        int nn = intern_count(&t);
        intern_free(&t);
        memcpy(block, next, (size_t)d->n * sizeof *block);
        if (nn == nb) break;                 /* no block split: stable */
        nb = nn;
    }
    free(next);
    free(sig.v);
    return nb;
}

fsg_model_t *fsg_minimize(fsg_model_t *f, char *err, size_t errlen)
{
    arcs_t a;
    arcs_read(f, &a);
    if (a.weighted) {
        snprintf(err, errlen, "grammar: its FSG has weighted arcs; kept as it is");
        arcs_free(&a);
        return NULL;
    }
    dfa_t d;
    if (determinize(f, &a, &d, err, errlen) < 0) {
        arcs_free(&a);
        return NULL;
    }
    arcs_free(&a);

    int *block = xmalloc((size_t)d.n * sizeof *block);
    int nb = minimize(&d, block);
    fsg_model_t *g = fsg_model_init(fsg_model_name(f), f->lmath, fsg_model_lw(f), nb + 1);
    for (int w = 0; w < fsg_model_n_word(f); w++)
        fsg_model_word_add(g, fsg_model_word_str(f, w));     /* same ids: added in order */
    char *done = xcalloc((size_t)nb, 1);
    for (int s = 0; s < d.n; s++) {
        int b = block[s];
        if (done[b]) continue;              /* every state of a block has the same arcs */
        done[b] = 1;
        for (int k = d.dstart.v[s]; k < d.dstart.v[s + 1]; k++)
            fsg_model_trans_add(g, b, block[d.dto.v[k]], 0, d.dwid.v[k]);
        if (d.acc[s]) fsg_model_null_trans_add(g, b, nb, 0);
    }
    g->start_state = block[0];
    g->final_state = nb;
    free(done);
    free(block);
    dfa_free(&d);
    return g;
}

/* ---- acceptance ----------------------------------------------------------- */

/* The state a word leads to from state s, or -1 (at most one: deterministic). */
static int next_state(fsg_model_t *f, int s, int wid)
{
    for (fsg_arciter_t *it = fsg_model_arcs(f, s); it; it = fsg_arciter_next(it)) {
        fsg_link_t *l = fsg_arciter_get(it);
        if (fsg_link_wid(l) == wid) {
            fsg_arciter_free(it);
            return fsg_link_to_state(l);
        }
    }
    return -1;
}

int fsg_accepts(fsg_model_t *f, const char *words)
{
    int s = fsg_model_start_state(f);
    char w[256];
    for (const char *p = words; s >= 0 && *p;) {
        while (*p == ' ') p++;
        size_t n = strcspn(p, " ");
        if (n == 0) break;
        if (n >= sizeof w) return 0;
        memcpy(w, p, n);
        w[n] = '\0';
        p += n;
        int wid = fsg_model_word_id(f, w);
        s = wid < 0 ? -1 : next_state(f, s, wid);
    }
    if (s < 0) return 0;
    return s == fsg_model_final_state(f) || fsg_model_null_trans(f, s, fsg_model_final_state(f)) != NULL;
}
