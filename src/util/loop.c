/* loop.c: see loop.h.  poll() over at most LOOP_MAX_FILES descriptors; the
 * timers in a small unsorted array (a lane has about ten: a linear scan is
 * cheaper than keeping a heap). */
#include "loop.h"

#include <errno.h>
#include <math.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util.h"

typedef struct {
    int fd, mask;
    loop_file_fn fn;
    void *ctx;
} file_ev_t;

typedef struct {
    long id;
    double when;
    loop_timer_fn fn;
    void *ctx;
    int dead;               /* deleted while the timers were being run */
} timer_ev_t;

struct loop_s {
    const loop_clock_t *clock;
    double vnow;            /* the virtual clock's time */
    file_ev_t files[LOOP_MAX_FILES];
    int nfiles;
    timer_ev_t *timers;
    int ntimers, cap;
    long next_id;
    int stop;
};

static double real_now(void *ctx)
{
    (void)ctx;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double virtual_now(void *ctx)
{
    return ((const loop_t *)ctx)->vnow;
}

const loop_clock_t loop_clock_real = { "real", real_now, 0 };
const loop_clock_t loop_clock_virtual = { "virtual", virtual_now, 1 };

loop_t *loop_create(const loop_clock_t *clock)
{
    loop_t *l = xcalloc(1, sizeof *l);
    l->clock = clock ? clock : &loop_clock_real;
    l->next_id = 1;
    return l;
}

void loop_free(loop_t *l)
{
    if (!l) return;
    free(l->timers);
    free(l);
}

double loop_now(const loop_t *l)
{
    return l->clock->now((void *)l);
}

int loop_clock_is_virtual(const loop_t *l)
{
    return l->clock->is_virtual;
}

int loop_add_file(loop_t *l, int fd, int mask, loop_file_fn fn, void *ctx)
{
    for (int i = 0; i < l->nfiles; i++)
        if (l->files[i].fd == fd) {
            l->files[i] = (file_ev_t){ .fd = fd, .mask = mask, .fn = fn, .ctx = ctx };
            return 0;
        }
    if (l->nfiles >= LOOP_MAX_FILES) return -1;
    l->files[l->nfiles++] = (file_ev_t){ .fd = fd, .mask = mask, .fn = fn, .ctx = ctx };
    return 0;
}

void loop_del_file(loop_t *l, int fd)
{
    for (int i = 0; i < l->nfiles; i++)
        if (l->files[i].fd == fd) {
            l->files[i] = l->files[--l->nfiles];
            return;
        }
}

long loop_add_timer(loop_t *l, double after, loop_timer_fn fn, void *ctx)
{
    if (l->ntimers == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 16;
        l->timers = xrealloc(l->timers, (size_t)l->cap * sizeof *l->timers);
    }
    long id = l->next_id++;
    l->timers[l->ntimers++] = (timer_ev_t){ .id = id, .when = loop_now(l) + (after > 0 ? after : 0), .fn = fn,
                                            .ctx = ctx };
    return id;
}

void loop_del_timer(loop_t *l, long id)
{
    for (int i = 0; i < l->ntimers; i++)
        if (l->timers[i].id == id) l->timers[i].dead = 1;
}

double loop_timer_left(const loop_t *l, long id)
{
    for (int i = 0; i < l->ntimers; i++)
        if (l->timers[i].id == id && !l->timers[i].dead) {
            double left = l->timers[i].when - loop_now(l);
            return left > 0 ? left : 0;
        }
    return -1;
}

void loop_stop(loop_t *l)
{
    l->stop = 1;
}

static void sweep(loop_t *l)
{
    int n = 0;
    for (int i = 0; i < l->ntimers; i++)
        if (!l->timers[i].dead) l->timers[n++] = l->timers[i];
    l->ntimers = n;
}

/* The earliest live timer's time, or INFINITY. */
static double next_due(const loop_t *l)
{
    double t = INFINITY;
    for (int i = 0; i < l->ntimers; i++)
        if (!l->timers[i].dead && l->timers[i].when < t) t = l->timers[i].when;
    return t;
}

/* Runs the timers due now.  A timer added by a callback waits for the next
 * round, so a timer that reschedules itself at 0 cannot starve the files. */
static void run_timers(loop_t *l)
{
    double now = loop_now(l);
    int n = l->ntimers;
    for (int i = 0; i < n && !l->stop; i++) {
        timer_ev_t *t = &l->timers[i];
        if (t->dead || t->when > now) continue;
        long id = t->id;
        loop_timer_fn fn = t->fn;
        void *ctx = t->ctx;
        double again = fn(l, id, ctx);
        t = &l->timers[i];   /* the array may have grown */
        if (t->dead) continue;
        if (again < 0) t->dead = 1;
        else t->when = loop_now(l) + again;
    }
    sweep(l);
}

/* One round: waits for a file or the next timer, at most `wait` seconds
 * (the virtual clock does not wait: it jumps), then runs what is ready. */
static void round_once(loop_t *l, double wait)
{
    double now = loop_now(l), due = next_due(l);
    double until = due - now < wait ? due - now : wait;
    if (until < 0) until = 0;
    struct pollfd p[LOOP_MAX_FILES];
    for (int i = 0; i < l->nfiles; i++)
        p[i] = (struct pollfd){ .fd = l->files[i].fd,
                                .events = (short)((l->files[i].mask & LOOP_READ ? POLLIN : 0) |
                                                  (l->files[i].mask & LOOP_WRITE ? POLLOUT : 0)) };
    int ms = l->clock->is_virtual ? 0 : isinf(until) ? -1 : (int)ceil(until * 1000);
    int nf = l->nfiles;
    int r = poll(p, (nfds_t)nf, ms);
    if (r < 0 && errno != EINTR) r = 0;
    if (l->clock->is_virtual && r <= 0 && !isinf(until)) l->vnow += until;
    for (int i = 0; i < nf && r > 0 && !l->stop; i++) {
        if (!p[i].revents) continue;
        /* a callback may have removed or replaced this descriptor */
        for (int k = 0; k < l->nfiles; k++)
            if (l->files[k].fd == p[i].fd) {
                int mask = (p[i].revents & (POLLIN | POLLHUP | POLLERR) ? LOOP_READ : 0) |
                           (p[i].revents & (POLLOUT | POLLERR) ? LOOP_WRITE : 0);
                l->files[k].fn(l, p[i].fd, mask & (l->files[k].mask | LOOP_READ), l->files[k].ctx);
                break;
            }
    }
    if (!l->stop) run_timers(l);
}

int loop_run(loop_t *l)
{
    l->stop = 0;
    while (!l->stop) {
        if (l->clock->is_virtual && isinf(next_due(l))) {
            round_once(l, 0);   /* files that are ready, then nothing is left to wait for */
            if (isinf(next_due(l))) break;
            continue;
        }
        round_once(l, INFINITY);
    }
    return 0;
}

void loop_run_for(loop_t *l, double seconds)
{
    l->stop = 0;
    double end = loop_now(l) + seconds;
    do {
        round_once(l, end - loop_now(l));
    } while (!l->stop && loop_now(l) < end);
}
