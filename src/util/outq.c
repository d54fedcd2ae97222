/* outq.c: see outq.h.  One mutex, one condition: the lane only appends
 * under the mutex; the writer takes the whole queue and writes it outside. */
#include "outq.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

struct outq_s {
    int fd;
    size_t max;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;       /* work for the writer, or the queue drained */
    strbuf_t q;              /* waiting bytes */
    strbuf_t out;            /* the writer's batch (here so a cancelled writer leaks nothing) */
    int lines;               /* whole lines in q */
    int writing;             /* lines the writer has taken and not finished */
    int stop, gone;
    unsigned long dropped;
};

static void *writer(void *arg)
{
    outq_t *q = arg;
    pthread_mutex_lock(&q->mu);
    for (;;) {
        while (!q->q.len && !q->stop) pthread_cond_wait(&q->cv, &q->mu);
        if (!q->q.len) break;
        strbuf_t out = q->q;            /* take it all */
        memset(&q->q, 0, sizeof q->q);
        q->out = out;
        q->writing = q->lines;
        q->lines = 0;
        pthread_mutex_unlock(&q->mu);
        size_t off = 0;
        int gone = 0;
        while (off < out.len) {
            ssize_t n = write(q->fd, out.s + off, out.len - off);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) {
                gone = 1;               /* EPIPE, EBADF, a full disk: nobody gets the rest */
                break;
            }
            off += (size_t)n;
        }
        pthread_mutex_lock(&q->mu);
        strbuf_free(&q->out);
        if (gone) {
            q->gone = 1;
            q->dropped += (unsigned long)q->writing;   /* this batch may be cut; count it lost */
        }
        q->writing = 0;
        pthread_cond_broadcast(&q->cv);
        if (gone) break;
    }
    pthread_mutex_unlock(&q->mu);
    return NULL;
}

outq_t *outq_open(int fd, size_t max_bytes)
{
    outq_t *q = xcalloc(1, sizeof *q);
    q->fd = fd;
    q->max = max_bytes;
    pthread_mutex_init(&q->mu, NULL);
    pthread_cond_init(&q->cv, NULL);
    if (pthread_create(&q->thread, NULL, writer, q) != 0) {
        pthread_mutex_destroy(&q->mu);
        pthread_cond_destroy(&q->cv);
        free(q);
        return NULL;
    }
    return q;
}

int outq_put(outq_t *q, const char *line, size_t n)
{
    pthread_mutex_lock(&q->mu);
    int rc = 0;
    if (q->gone || q->q.len + n > q->max) {
        q->dropped++;
        rc = -1;
    } else {
        strbuf_appendn(&q->q, line, n);
        q->lines++;
        pthread_cond_signal(&q->cv);
    }
    pthread_mutex_unlock(&q->mu);
    return rc;
}

unsigned long outq_dropped(const outq_t *q)
{
    pthread_mutex_lock((pthread_mutex_t *)&q->mu);
    unsigned long d = q->dropped;
    pthread_mutex_unlock((pthread_mutex_t *)&q->mu);
    return d;
}

unsigned long outq_close(outq_t *q, double wait_s)
{
    if (!q) return 0;
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += (time_t)wait_s;
    until.tv_nsec += (long)((wait_s - (double)(time_t)wait_s) * 1e9);
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&q->mu);
    while ((q->q.len || q->writing) && !q->gone)
        if (pthread_cond_timedwait(&q->cv, &q->mu, &until) == ETIMEDOUT) break;
    int stuck = q->writing > 0 && !q->gone;   /* a write() that does not return */
    unsigned long left = (unsigned long)q->lines + (stuck ? (unsigned long)q->writing : 0);
    q->dropped += left;
    unsigned long all = q->dropped;
    strbuf_reset(&q->q);
    q->lines = 0;
    q->stop = 1;
    pthread_cond_broadcast(&q->cv);
    pthread_mutex_unlock(&q->mu);
    if (stuck) pthread_cancel(q->thread);   /* write() is a cancellation point */
    pthread_join(q->thread, NULL);
    strbuf_free(&q->q);
    strbuf_free(&q->out);
    pthread_mutex_destroy(&q->mu);
    pthread_cond_destroy(&q->cv);
    free(q);
    return all;
}
