/* writer.c: see writer.h. */
#include "writer.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "../util/util.h"

/* A failed operation is tried again this often. */
#define RETRY_S 1.0

typedef struct {
    store_op_t op;
    unsigned long seq;
} item_t;

struct store_writer_s {
    store_t *store;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;        /* the thread: work, or stop; waiters: progress */
    item_t *q;                /* a ring of queued operations */
    size_t cap, head, n;
    unsigned long next_seq;
    store_news_t news;
    int stop;
    double stop_by;           /* monotonic: give up on what is left after this */
    int fd;                   /* eventfd */
};

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void wake_loop(store_writer_t *w)
{
    uint64_t one = 1;
    if (write(w->fd, &one, sizeof one) < 0) { /* full: a wake-up is waiting already */ }
}

static void *writer_main(void *arg)
{
    store_writer_t *w = arg;
    pthread_mutex_lock(&w->mu);
    for (;;) {
        while (!w->n && !w->stop) pthread_cond_wait(&w->cv, &w->mu);
        if (!w->n) break;   /* stopping, all written */
        if (w->stop && mono() > w->stop_by) break;
        item_t *it = &w->q[w->head];
        store_op_t op = it->op;   /* the thread's alone while it is at the head */
        unsigned long seq = it->seq;
        pthread_mutex_unlock(&w->mu);
        char err[512];
        int rc = store_apply(w->store, &op, err, sizeof err);
        pthread_mutex_lock(&w->mu);
        if (seq > w->news.tried) w->news.tried = seq;
        if (rc == 0) {
            store_op_free(&w->q[w->head].op);
            w->head = (w->head + 1) % w->cap;
            w->n--;
            w->news.written = seq;
            int was_failing = w->news.failing;
            w->news.failing = 0;
            w->news.held = w->n;
            /* the loop wants to know when saving is back, and when a
             * confirmation (the lane waits for it) or everything is written */
            if (was_failing || !w->n || op.kind == STORE_CONFIRM) wake_loop(w);
        } else {
            w->news.failing = 1;
            snprintf(w->news.error, sizeof w->news.error, "%s", err);
            w->news.held = w->n;
            w->news.tried = w->next_seq;   /* the rest is held behind it: as good as tried */
            wake_loop(w);
            /* again in a second (a fifth of one while stopping); new work does not hurry it */
            double retry_at = mono() + (w->stop ? 0.2 : RETRY_S);
            for (double now = mono(); now < retry_at; now = mono()) {
                if (w->stop && retry_at - now > 0.2) retry_at = now + 0.2;
                struct timespec until;
                clock_gettime(CLOCK_REALTIME, &until);
                long ns = (long)((retry_at - now) * 1e9);
                until.tv_sec += (until.tv_nsec + ns) / 1000000000L;
                until.tv_nsec = (until.tv_nsec + ns) % 1000000000L;
                pthread_cond_timedwait(&w->cv, &w->mu, &until);
            }
        }
        pthread_cond_broadcast(&w->cv);
    }
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

store_writer_t *store_writer_start(store_t *s, char *err, unsigned errlen)
{
    store_writer_t *w = xcalloc(1, sizeof *w);
    w->store = s;
    w->cap = 256;
    w->q = xcalloc(w->cap, sizeof *w->q);
    w->fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (w->fd < 0) {
        snprintf(err, errlen, "cannot make an eventfd for the store's writer: %s", strerror(errno));
        free(w->q);
        free(w);
        return NULL;
    }
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->cv, NULL);
    if (pthread_create(&w->thread, NULL, writer_main, w) != 0) {
        snprintf(err, errlen, "cannot start the store's writer thread");
        close(w->fd);
        pthread_mutex_destroy(&w->mu);
        pthread_cond_destroy(&w->cv);
        free(w->q);
        free(w);
        return NULL;
    }
    return w;
}

unsigned long store_writer_put(store_writer_t *w, const store_op_t *op)
{
    pthread_mutex_lock(&w->mu);
    unsigned long seq = ++w->next_seq;
    if (op->kind == STORE_EVENT && w->n >= WRITER_MAX_HELD) {
        w->news.dropped++;   /* the line went out on stdout and to the stations; only its copy here is lost */
        if (seq > w->news.tried) w->news.tried = seq;
        pthread_mutex_unlock(&w->mu);
        wake_loop(w);
        return seq;
    }
    if (w->n == w->cap) {   /* grow the ring, oldest first */
        item_t *q = xcalloc(2 * w->cap, sizeof *q);
        for (size_t i = 0; i < w->n; i++) q[i] = w->q[(w->head + i) % w->cap];
        free(w->q);
        w->q = q;
        w->head = 0;
        w->cap *= 2;
    }
    item_t *it = &w->q[(w->head + w->n) % w->cap];
    store_op_copy(&it->op, op);
    it->seq = seq;
    w->n++;
    w->news.held = w->n;
    int held = w->news.failing;
    if (held) w->news.tried = seq;   /* held behind the failing one: nobody waits for it */
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
    if (held) wake_loop(w);
    return seq;
}

store_t *store_writer_store(const store_writer_t *w)
{
    return w->store;
}

int store_writer_fd(const store_writer_t *w)
{
    return w->fd;
}

void store_writer_news(store_writer_t *w, store_news_t *n)
{
    uint64_t v;
    if (read(w->fd, &v, sizeof v) < 0) { /* no wake-up waiting */ }
    pthread_mutex_lock(&w->mu);
    *n = w->news;
    pthread_mutex_unlock(&w->mu);
}

int store_writer_wait(store_writer_t *w, unsigned long seq, double timeout)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    double whole;
    double frac = modf(timeout, &whole);
    until.tv_sec += (time_t)whole;
    until.tv_nsec += (long)(frac * 1e9);
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&w->mu);
    int rc = 0;
    while (w->news.tried < seq && rc == 0) rc = pthread_cond_timedwait(&w->cv, &w->mu, &until);
    int out = w->news.tried < seq ? -1 : w->news.written >= seq ? 1 : 0;
    pthread_mutex_unlock(&w->mu);
    return out;
}

unsigned long store_writer_stop(store_writer_t *w, double timeout)
{
    pthread_mutex_lock(&w->mu);
    w->stop = 1;
    w->stop_by = mono() + timeout;
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
    pthread_join(w->thread, NULL);
    unsigned long left = w->n;
    for (size_t i = 0; i < w->n; i++) store_op_free(&w->q[(w->head + i) % w->cap].op);
    free(w->q);
    close(w->fd);
    pthread_mutex_destroy(&w->mu);
    pthread_cond_destroy(&w->cv);
    free(w);
    return left;
}
