/* outq.h: lines for a reader that may stop reading (`kiosk run --events`
 * into a till's pipe), written by a thread of their own so that the lane
 * never waits on the reader.  Bounded: when more than max_bytes wait, a
 * line is dropped and counted instead of queued; a reader that has gone
 * (EPIPE) drops everything after. */
#ifndef KIOSK_OUTQ_H
#define KIOSK_OUTQ_H

#include <stddef.h>

typedef struct outq_s outq_t;

/* Writes to fd (not closed by outq).  NULL when the thread cannot start. */
outq_t *outq_open(int fd, size_t max_bytes);
/* Queues n bytes of line (a whole line, newline included): 0, or -1 when
 * it was dropped (the queue is full or the reader has gone). */
int outq_put(outq_t *q, const char *line, size_t n);
unsigned long outq_dropped(const outq_t *q);   /* lines dropped so far */
/* Waits at most wait_s for the queue to drain, then stops the thread and
 * frees q; returns the lines dropped in all, those still unwritten then
 * included. */
unsigned long outq_close(outq_t *q, double wait_s);

#endif
