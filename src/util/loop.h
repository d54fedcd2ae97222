/* loop.h: one event loop, in the manner of Redis's ae: file events and
 * timers, callbacks with a context, a timer's return value rescheduling it.
 * The clock is a driver (loop_clock_real, loop_clock_virtual): on the virtual
 * clock nothing sleeps, time jumps to the next timer, so a lane's minutes of
 * waiting run in microseconds (`kiosk replay --script`).
 *
 * Single-threaded: only the thread running the loop calls it.  Another
 * thread wakes it by writing to a file it watches (an eventfd or a pipe). */
#ifndef KIOSK_LOOP_H
#define KIOSK_LOOP_H

#define LOOP_READ 1
#define LOOP_WRITE 2
#define LOOP_NOMORE (-1.0)   /* a timer's return: do not run again */

typedef struct loop_s loop_t;

typedef struct {
    const char *name;
    /* seconds on a monotonic clock (any origin) */
    double (*now)(void *ctx);
    /* 1: the loop advances it itself (virtual: no sleeping) */
    int is_virtual;
} loop_clock_t;

extern const loop_clock_t loop_clock_real;
extern const loop_clock_t loop_clock_virtual;

typedef void (*loop_file_fn)(loop_t *l, int fd, int mask, void *ctx);
/* Returns the seconds until it runs again, or LOOP_NOMORE. */
typedef double (*loop_timer_fn)(loop_t *l, long id, void *ctx);

loop_t *loop_create(const loop_clock_t *clock);
void loop_free(loop_t *l);
double loop_now(const loop_t *l);
int loop_clock_is_virtual(const loop_t *l);

/* Watches fd for mask (LOOP_READ and/or LOOP_WRITE); one callback per fd,
 * the newest wins.  0, or -1 when the table is full (LOOP_MAX_FILES). */
#define LOOP_MAX_FILES 64
int loop_add_file(loop_t *l, int fd, int mask, loop_file_fn fn, void *ctx);
void loop_del_file(loop_t *l, int fd);

/* Runs fn after `after` seconds; returns the timer's id (> 0). */
long loop_add_timer(loop_t *l, double after, loop_timer_fn fn, void *ctx);
void loop_del_timer(loop_t *l, long id);
/* Seconds until timer id runs, or -1 when there is no such timer. */
double loop_timer_left(const loop_t *l, long id);

/* Runs until loop_stop (from a callback or a signal handler's flag the
 * caller checks in a callback) or, on the virtual clock, until nothing is
 * left to do.  Returns 0. */
int loop_run(loop_t *l);
void loop_stop(loop_t *l);
/* Runs what is due now and in the next `seconds` (the virtual clock jumps
 * from timer to timer; the real clock waits).  For scripts and tests. */
void loop_run_for(loop_t *l, double seconds);

#endif
