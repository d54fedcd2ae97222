/* ring.c: see ring.h.  head and tail only grow; their difference is what is
 * buffered.  The producer publishes samples with a release store of head after
 * copying them; the consumer acquires head before reading them, and the same
 * the other way round for tail, so neither sees a half-written sample. */
#include "ring.h"

#include <stdlib.h>
#include <string.h>

int ring_init(ring_t *r, size_t min_samples)
{
    size_t cap = 1024;
    while (cap < min_samples) cap <<= 1;
    r->buf = calloc(cap, sizeof *r->buf);
    if (!r->buf) return -1;
    r->cap = cap;
    atomic_init(&r->head, 0);
    atomic_init(&r->tail, 0);
    atomic_init(&r->dropped, 0);
    return 0;
}

void ring_free(ring_t *r)
{
    free(r->buf);
    r->buf = NULL;
}

static size_t room(ring_t *r, size_t *head)
{
    *head = atomic_load_explicit(&r->head, memory_order_relaxed);
    size_t tail = atomic_load_explicit(&r->tail, memory_order_acquire);
    return r->cap - (*head - tail);
}

static size_t put(ring_t *r, const float *src, size_t n)
{
    size_t head, fit = room(r, &head);
    size_t k = n < fit ? n : fit;
    size_t at = head & (r->cap - 1), first = k < r->cap - at ? k : r->cap - at;
    if (src) {
        memcpy(r->buf + at, src, first * sizeof *src);
        memcpy(r->buf, src + first, (k - first) * sizeof *src);
    } else {
        memset(r->buf + at, 0, first * sizeof *r->buf);
        memset(r->buf, 0, (k - first) * sizeof *r->buf);
    }
    atomic_store_explicit(&r->head, head + k, memory_order_release);
    if (k < n) atomic_fetch_add_explicit(&r->dropped, (unsigned long)(n - k), memory_order_relaxed);
    return k;
}

size_t ring_write(ring_t *r, const float *src, size_t n) { return put(r, src, n); }
size_t ring_write_zeros(ring_t *r, size_t n) { return put(r, NULL, n); }

size_t ring_read(ring_t *r, float *dst, size_t max)
{
    size_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
    size_t head = atomic_load_explicit(&r->head, memory_order_acquire);
    size_t have = head - tail, k = have < max ? have : max;
    size_t at = tail & (r->cap - 1), first = k < r->cap - at ? k : r->cap - at;
    memcpy(dst, r->buf + at, first * sizeof *dst);
    memcpy(dst + first, r->buf, (k - first) * sizeof *dst);
    atomic_store_explicit(&r->tail, tail + k, memory_order_release);
    return k;
}

size_t ring_used(ring_t *r)
{
    return atomic_load_explicit(&r->head, memory_order_acquire) -
           atomic_load_explicit(&r->tail, memory_order_relaxed);
}

void ring_clear(ring_t *r)
{
    atomic_store_explicit(&r->tail, atomic_load_explicit(&r->head, memory_order_acquire),
                          memory_order_release);
}
