/* writer.h: the store's writer thread.  The lane's loop puts operations
 * (store.h) and goes on; the thread applies them in order.  When one fails
 * (disk full, database locked, removed) it is kept with everything after it,
 * in memory, and retried every second; the loop is told once that saving
 * stopped, and once that it works again (with how much was written then).
 * Nothing is dropped, except event lines beyond WRITER_MAX_HELD operations
 * held (they are on standard output and the crew stations too), counted.
 *
 * The loop watches store_writer_fd(): readable when there is news (an
 * operation done, saving stopped or back). */
#ifndef KIOSK_STORE_WRITER_H
#define KIOSK_STORE_WRITER_H

#include "store.h"

#define WRITER_MAX_HELD 100000

typedef struct store_writer_s store_writer_t;

typedef struct {
    unsigned long tried;      /* every operation up to this one was tried at least once */
    unsigned long written;    /* every operation up to this one is in the database */
    int failing;              /* the last try failed */
    char error[512];          /* its message */
    unsigned long held;       /* operations waiting (failing: held in memory) */
    unsigned long dropped;    /* event lines dropped, held too long, since the start */
} store_news_t;

/* Starts the thread on s (the writer uses s alone from now on).  NULL with err. */
store_writer_t *store_writer_start(store_t *s, char *err, unsigned errlen);
/* Queues a copy of op; returns its number (1, 2, ...). */
unsigned long store_writer_put(store_writer_t *w, const store_op_t *op);
int store_writer_fd(const store_writer_t *w);
/* Where things stand (and the fd's wake-up taken). */
void store_writer_news(store_writer_t *w, store_news_t *n);
/* Waits until operation seq was tried (written, or failed and held), at
 * most timeout seconds: 1 written, 0 tried and held, -1 timed out. */
int store_writer_wait(store_writer_t *w, unsigned long seq, double timeout);
/* The store it writes to. */
store_t *store_writer_store(const store_writer_t *w);
/* Writes what is queued (trying for at most timeout seconds), stops the
 * thread, and returns how many operations could not be written.  The store
 * is the caller's again. */
unsigned long store_writer_stop(store_writer_t *w, double timeout);

#endif
