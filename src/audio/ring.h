/* ring.h: a single-producer single-consumer ring of float samples, lock-free.
 *
 * The PortAudio callback is the producer: ring_write never blocks, never
 * allocates and never takes a lock; what does not fit is dropped and counted
 * (an overrun), never fatal.  The event loop is the consumer.  One thread
 * writes and one thread reads; any more needs a lock the callback must not
 * take. */
#ifndef KIOSK_RING_H
#define KIOSK_RING_H

#include <stdatomic.h>
#include <stddef.h>

typedef struct {
    float *buf;
    size_t cap;                 /* a power of two */
    atomic_size_t head;         /* total written (producer owns) */
    atomic_size_t tail;         /* total read (consumer owns) */
    atomic_ulong dropped;       /* samples that did not fit */
} ring_t;

/* Room for at least min_samples.  0, or -1 when out of memory. */
int ring_init(ring_t *r, size_t min_samples);
void ring_free(ring_t *r);
/* Producer: copies up to n samples, returns how many fit; the rest count as dropped. */
size_t ring_write(ring_t *r, const float *src, size_t n);
/* Producer: n zeros (a device that gives no buffer). */
size_t ring_write_zeros(ring_t *r, size_t n);
/* Consumer: copies up to max samples out, returns how many. */
size_t ring_read(ring_t *r, float *dst, size_t max);
size_t ring_used(ring_t *r);
/* Consumer: forget what is buffered. */
void ring_clear(ring_t *r);

#endif
