/* source_mic.c: the microphone as a turn source ("mic"): PortAudio's
 * capture wakes the event loop, frames go through the endpointer, a turn's
 * audio to the recogniser's thread, and its result back to the loop and the
 * lane.  Also the device's health: a microphone that stops delivering pages
 * device_fault and is reopened every 2 s until it is back.
 *
 *   microphone -> eventfd from the capture callback -> device_read (16 kHz)
 *        -> [denoise] -> endpoint -> turn audio -> recogniser thread
 *        (asr_decode_early) -> eventfd -> the result -> lane_io_turn
 *
 * Decisions where the issues leave a choice (history in src/DECISIONS.md):
 * - The kiosk stops listening while it speaks (half duplex), plus a short
 *   tail for the loudspeaker's latency, rather than cancelling its own voice
 *   with speexdsp's echo canceller.  The canceller needs the loudspeaker's
 *   signal and the microphone's aligned within its filter length, which
 *   depends on the speaker post's hardware we do not have yet; a canceller
 *   that leaves residue makes the kiosk hear itself and take orders from its
 *   own read-back, the worst failure there is.  The cost: a customer cannot
 *   interrupt a prompt; prompts are short, and the board shows the order.
 * - Recognition starts speculatively when the customer pauses (EP_PAUSE,
 *   100 ms of silence) on the audio so far; if they go on speaking the
 *   result is dropped, and if the pause becomes the endpoint the result is
 *   (nearly) ready.  The passes of the recogniser share one decoder, so they
 *   cannot each follow the audio as it comes. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "../audio/denoise.h"
#include "../audio/endpoint.h"
#include "../audio/keeper.h"
#include "commands.h"
#include "hear.h"
#include "source.h"

/* The device's health and the overruns' log are looked at this often. */
#define HEALTH_S 0.5

/* ---- the recogniser thread ------------------------------------------------ */

typedef struct {
    int id;                 /* the turn's job number */
    int16_t *pcm;
    size_t n;
    char *answer;           /* session_answer() when it was submitted (owned), NULL: none */
    asr_t *asr;             /* the recogniser of the car's menu (menu_watch.c may hold two) */
    const menu_t *menu;     /* the car's menu, for the requests for a person */
} job_t;

typedef struct {
    int id;
    asr_result_t r;         /* strings owned here (copied off the decoder) */
    int failed;
    char err[256];
} result_t;

typedef struct {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    job_t next;             /* waiting (pcm NULL: none); a newer job replaces it */
    result_t done;          /* finished (id 0: none); the loop takes it */
    int have_done, busy_id, stop;
    int done_fd;            /* eventfd: a result is done (the event loop watches it) */
} recog_t;

static void result_clear(result_t *r)
{
    free(r->r.hearing.heard);
    free(r->r.hearing.free_text);
    free(r->r.hearing.loop_text);
    free(r->r.hearing.nfa_text);
    free(r->r.diag.answer_text);
    memset(r, 0, sizeof *r);
}

static void *recog_main(void *arg)
{
    recog_t *g = arg;
    pthread_mutex_lock(&g->mu);
    for (;;) {
        while (!g->stop && !g->next.pcm) pthread_cond_wait(&g->cv, &g->mu);
        if (g->stop) break;
        job_t j = g->next;
        g->next.pcm = NULL;
        g->next.answer = NULL;
        g->busy_id = j.id;
        pthread_mutex_unlock(&g->mu);

        result_t res;
        memset(&res, 0, sizeof res);
        res.id = j.id;
        asr_result_t r;
        char aerr[256];   /* an aid only: without it the turn decodes as without a question */
        asr_set_answer(j.asr, j.answer, aerr, sizeof aerr);
        free(j.answer);
        if (asr_decode_early(j.asr, j.pcm, j.n, session_spot_human, (void *)j.menu, &r,
                             res.err, sizeof res.err) < 0) {
            res.failed = 1;
        } else {
            res.r = r;
            asr_hearing_t *h = &res.r.hearing;
            h->heard = xstrdup(r.hearing.heard);
            h->free_text = xstrdup(r.hearing.free_text);
            h->loop_text = xstrdup(r.hearing.loop_text ? r.hearing.loop_text : "");
            h->nfa_text = xstrdup(r.hearing.nfa_text ? r.hearing.nfa_text : "");
            res.r.diag.answer_text = xstrdup(r.diag.answer_text ? r.diag.answer_text : "");
        }
        free(j.pcm);

        pthread_mutex_lock(&g->mu);
        g->busy_id = 0;
        if (g->have_done) result_clear(&g->done);
        g->done = res;
        g->have_done = 1;
        uint64_t one = 1;
        if (write(g->done_fd, &one, sizeof one) < 0) {
            /* full: the loop has a wake-up waiting already */
        }
    }
    pthread_mutex_unlock(&g->mu);
    return NULL;
}

/* answer: session_answer() of the car's session (taken over), or NULL. */
static void recog_submit(recog_t *g, int id, const int16_t *pcm, size_t n, char *answer, asr_t *asr,
                         const menu_t *menu)
{
    int16_t *copy = xmalloc(n * sizeof *copy + 1);
    memcpy(copy, pcm, n * sizeof *copy);
    pthread_mutex_lock(&g->mu);
    free(g->next.pcm);
    free(g->next.answer);
    g->next = (job_t){ id, copy, n, answer, asr, menu };
    pthread_cond_signal(&g->cv);
    pthread_mutex_unlock(&g->mu);
}

/* 1 while a job waits or runs (the loop's own bookkeeping may have let go
 * of it: a turn cut short by the talk button still finishes here). */
static int recog_working(recog_t *g)
{
    pthread_mutex_lock(&g->mu);
    int w = g->busy_id != 0 || g->next.pcm != NULL;
    pthread_mutex_unlock(&g->mu);
    return w;
}

/* The result of job id when it is done (1, *out filled and owned by the
 * caller), else 0.  Results of other jobs are dropped. */
static int recog_take(recog_t *g, int id, result_t *out)
{
    int got = 0;
    pthread_mutex_lock(&g->mu);
    if (g->have_done) {
        if (g->done.id == id) {
            *out = g->done;
            memset(&g->done, 0, sizeof g->done);
            got = 1;
        } else {
            result_clear(&g->done);
        }
        g->have_done = 0;
    }
    pthread_mutex_unlock(&g->mu);
    return got;
}

typedef struct {
    source_t base;
    source_opts_t o;
    lane_io_t *io;
    loop_t *loop;
    device_t *dev;            /* NULL while it is down */
    endpoint_t *ep;
    denoise_t *dn;
    recog_t rec;
    int rec_started;
    int job;                  /* the newest job number */
    int spec_job;             /* a speculative job still valid for the open turn, 0 none */
    int await_job;            /* the job whose result the loop waits for, 0 none */
    double turn_end;          /* when the awaited turn's endpoint was reached */
    long await_ms;            /* its audio length */
    char *await_file;         /* where its audio is kept, or NULL */
    int turns_decoded, speculative_used;
    double fault_since;       /* the device is down since, 0 when up */
    double next_reopen;
    int listening;            /* the microphone has delivered (logged once) */
    unsigned long overruns_seen;   /* device_overruns() at the last check */
    unsigned long overruns_before; /* of devices closed since */
    double overrun_check;
    double mute_until;        /* not listening before this (the voice's tail) */
    long timer;
    int status;               /* an exit status once it failed for good */
    int16_t frame[EP_FRAME];  /* a frame being filled from the device */
    size_t have;
} mic_t;

/* A turn of the car at the post to the recogniser of its menu. */
static void submit(mic_t *m, int id, const int16_t *pcm, size_t n)
{
    const lane_t *L = m->io->lane;
    const menu_t *menu = L->car ? session_menu(L->car) : L->menu;
    asr_t *asr = m->o.asr_for ? m->o.asr_for(m->o.asr_ctx, menu) : m->o.asr;
    recog_submit(&m->rec, id, pcm, n, L->car ? session_answer(L->car) : NULL, asr, menu);
}

static void failed(mic_t *m)
{
    m->status = EXIT_RUNTIME;
    loop_stop(m->loop);
}

static void on_frame(mic_t *m, int16_t *frame, double now)
{
    lane_t *L = m->io->lane;
    if (L->talking) {                        /* the crew is speaking to the car */
        endpoint_mute(m->ep);
        lane_quiet_since(L, now);
        return;
    }
    if (device_playing(m->dev) > 0 || now < m->mute_until) {
        endpoint_mute(m->ep);
        if (device_playing(m->dev) > 0) {
            m->mute_until = now + 0.25;      /* the loudspeaker's own latency */
            lane_quiet_since(L, now + 0.25);
        }
        return;
    }
    if (m->dn) denoise_frame(m->dn, frame);
    ep_event_t ev = endpoint_feed(m->ep, frame);
    size_t n;
    const int16_t *pcm;
    switch (ev) {
    case EP_ONSET:
        if (!L->car && lane_io_arrive(m->io) < 0) failed(m);
        m->spec_job = 0;
        lane_io_log(m->io, "  (listening)");
        break;
    case EP_PAUSE:
        pcm = endpoint_turn(m->ep, &n);
        m->spec_job = ++m->job;
        submit(m, m->spec_job, pcm, n);
        break;
    case EP_RESUME:
        m->spec_job = 0;
        break;
    case EP_END:
    case EP_CUT:
        pcm = endpoint_turn(m->ep, &n);
        if (ev == EP_END && m->spec_job) {
            m->await_job = m->spec_job;
            m->speculative_used++;
        } else {
            m->await_job = ++m->job;
            submit(m, m->await_job, pcm, n);
        }
        m->spec_job = 0;
        m->turn_end = now;
        m->await_ms = (long)(n * 1000 / 16000);
        free(m->await_file);
        m->await_file = m->o.keeper && L->car ? keeper_put(m->o.keeper, pcm, n, lane_io_wall(m->io), L->cars,
                                                           session_nturns(L->car) + 1) : NULL;
        lane_quiet_since(L, now);
        endpoint_reset(m->ep);
        break;
    default:
        break;
    }
    if (endpoint_in_turn(m->ep)) lane_quiet_since(L, now);
}

/* The awaited turn's result, when it is done, goes to the lane.  Called when
 * the recogniser says a result is done, and when a turn ends (a speculative
 * result may have been done before the turn was known to be over). */
static void take_result(mic_t *m)
{
    result_t res;
    if (m->await_job) {
        if (!recog_take(&m->rec, m->await_job, &res)) return;
        m->await_job = 0;
        m->turns_decoded++;
        if (res.failed) {
            fprintf(stderr, "%s: %s\n", m->io->who, res.err);
            failed(m);
        } else if (m->io->lane->car &&
                   lane_io_turn(m->io, m->await_file ? m->await_file : "mic", &res.r, m->await_ms, m->turn_end) < 0) {
            failed(m);
        }
        free(m->await_file);
        m->await_file = NULL;
        result_clear(&res);
        lane_quiet_since(m->io->lane, loop_now(m->loop));
    } else if (m->spec_job == 0 && recog_take(&m->rec, -1, &res)) {
        result_clear(&res);   /* a speculative result nobody waits for */
    }
    if (m->io->lane->board_dirty) lane_io_board(m->io);
}

static void on_result(loop_t *l, int fd, int mask, void *ctx)
{
    (void)l;
    (void)mask;
    uint64_t n;
    if (read(fd, &n, sizeof n) < 0) { /* nothing to read: a wake-up already taken */ }
    take_result(ctx);
}

static void on_audio(loop_t *l, int fd, int mask, void *ctx);

static void device_gone(mic_t *m)
{
    fprintf(stderr, "%s: audio: the microphone stopped (%s); paging the crew and "
                    "reopening it every 2 s\n", m->io->who, device_describe(m->dev));
    loop_del_file(m->loop, device_wake_fd(m->dev));
    m->overruns_before += device_overruns(m->dev);
    device_close(m->dev);
    m->dev = m->io->dev = NULL;
    m->fault_since = loop_now(m->loop);
    m->next_reopen = m->fault_since + 2.0;
    if (lane_io_page(m->io, PAGE_DEVICE_FAULT) < 0) failed(m);
}

static void reopen(mic_t *m, double now)
{
    if (now < m->next_reopen) return;
    m->next_reopen = now + 2.0;
    char err[512];
    device_t *d = device_open(m->o.input, m->o.output, err, sizeof err);
    if (!d) return;
    m->dev = m->io->dev = d;
    m->overruns_seen = 0;
    fprintf(stderr, "%s: audio back after %.1f s: %s\n", m->io->who, now - m->fault_since, device_describe(d));
    m->fault_since = 0;
    endpoint_mute(m->ep);
    loop_add_file(m->loop, device_wake_fd(d), LOOP_READ, on_audio, m);
}

/* Samples arrived: every whole frame through the endpointer. */
static void on_audio(loop_t *l, int fd, int mask, void *ctx)
{
    (void)l;
    (void)mask;
    mic_t *m = ctx;
    uint64_t n;
    if (read(fd, &n, sizeof n) < 0) { /* a wake-up already taken */ }
    if (!m->listening && device_started(m->dev)) {
        m->listening = 1;
        fprintf(stderr, "%s: listening (%s, trailing silence %d ms)\n", m->io->who, m->io->lane->menu->title,
                m->o.trailing_ms);
    }
    int16_t buf[1600];
    size_t got;
    double now = loop_now(m->loop);
    while (m->dev && (got = device_read(m->dev, buf, sizeof buf / sizeof buf[0])) > 0)
        for (size_t i = 0; i < got; i++) {
            m->frame[m->have++] = buf[i];
            if (m->have == EP_FRAME) {
                on_frame(m, m->frame, now);
                m->have = 0;
            }
        }
    if (m->await_job) take_result(m);
    if (m->io->lane->board_dirty) lane_io_board(m->io);
}

/* The device's health: a stopped microphone pages and is reopened; samples
 * lost because the kiosk fell behind are logged, never fatal. */
static double on_health(loop_t *l, long id, void *ctx)
{
    (void)l;
    (void)id;
    mic_t *m = ctx;
    double now = loop_now(m->loop);
    if (m->fault_since) reopen(m, now);
    else if (!device_alive(m->dev)) device_gone(m);
    if (m->dev && now - m->overrun_check >= 1.0) {
        unsigned long lost = device_overruns(m->dev);
        if (lost > m->overruns_seen)
            fprintf(stderr, "%s: audio: %lu samples lost (the kiosk fell behind the "
                            "microphone); listening goes on\n", m->io->who, lost - m->overruns_seen);
        m->overruns_seen = lost;
        m->overrun_check = now;
    }
    return HEALTH_S;
}

static void mic_close(source_t *s);

static source_t *mic_open(const source_opts_t *o, char *err, size_t errlen)
{
    mic_t *m = xcalloc(1, sizeof *m);
    m->base.driver = &source_mic;
    m->o = *o;
    m->io = o->io;
    m->loop = o->io->loop;
    m->dev = m->io->dev = o->dev;
    endpoint_config_t ecfg;
    endpoint_defaults(&ecfg);
    ecfg.trailing_ms = o->trailing_ms;
    /* Speculate early: 100 ms of silence starts the decode, 600 ms before
     * the endpoint (src/DECISIONS.md: the pause that starts it). */
    ecfg.pause_ms = 100;
    m->ep = endpoint_create(&ecfg);
    if (o->denoise) m->dn = denoise_create();
    m->rec.done_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (m->rec.done_fd < 0) {
        snprintf(err, errlen, "cannot make an eventfd: %s", strerror(errno));
        goto fail;
    }
    pthread_mutex_init(&m->rec.mu, NULL);
    pthread_cond_init(&m->rec.cv, NULL);
    if (pthread_create(&m->rec.thread, NULL, recog_main, &m->rec) != 0) {
        snprintf(err, errlen, "cannot start the recogniser thread");
        goto fail;
    }
    m->rec_started = 1;
    loop_add_file(m->loop, device_wake_fd(m->dev), LOOP_READ, on_audio, m);
    loop_add_file(m->loop, m->rec.done_fd, LOOP_READ, on_result, m);
    m->timer = loop_add_timer(m->loop, HEALTH_S, on_health, m);
    return &m->base;
fail:
    mic_close(&m->base);
    return NULL;
}

static int mic_busy(const source_t *s)
{
    const mic_t *m = (const mic_t *)s;
    return m->await_job || endpoint_in_turn(m->ep) || (m->dev && device_playing(m->dev) != 0) ||
           loop_now(m->loop) < m->mute_until || (m->rec_started && recog_working((recog_t *)&m->rec));
}

static void mic_stats(const source_t *s, strbuf_t *out)
{
    const mic_t *m = (const mic_t *)s;
    strbuf_printf(out, "%d turns (%d decoded speculatively), %lu samples lost to overruns", m->turns_decoded,
                  m->speculative_used, m->overruns_before + (m->dev ? device_overruns(m->dev) : 0UL));
}

static int mic_status(const source_t *s)
{
    return ((const mic_t *)s)->status;
}

static void mic_close(source_t *s)
{
    mic_t *m = (mic_t *)s;
    if (m->rec_started) {
        pthread_mutex_lock(&m->rec.mu);
        m->rec.stop = 1;
        pthread_cond_signal(&m->rec.cv);
        pthread_mutex_unlock(&m->rec.mu);
        pthread_join(m->rec.thread, NULL);
        pthread_mutex_destroy(&m->rec.mu);
        pthread_cond_destroy(&m->rec.cv);
    }
    free(m->rec.next.pcm);
    free(m->rec.next.answer);
    result_clear(&m->rec.done);
    if (m->timer) loop_del_timer(m->loop, m->timer);
    if (m->dev) loop_del_file(m->loop, device_wake_fd(m->dev));
    if (m->rec.done_fd > 0) {
        loop_del_file(m->loop, m->rec.done_fd);
        close(m->rec.done_fd);
    }
    endpoint_free(m->ep);
    denoise_free(m->dn);
    free(m->await_file);
    device_close(m->dev);
    m->io->dev = NULL;
    free(m);
}

const source_driver_t source_mic = {
    .name = "mic", .what = "the microphone (PortAudio), turns found by the endpointer", .needs_asr = 1,
    .open = mic_open, .turn = NULL, .busy = mic_busy, .stats = mic_stats, .status = mic_status, .close = mic_close,
};
