/* source_mic.c: the microphone as a turn source ("mic"): PortAudio's
 * capture wakes the event loop, frames go through the echo canceller and the
 * endpointer, a turn's audio to the recogniser's thread, and its result back
 * to the loop and the lane.  Also the device's health: a microphone that
 * stops delivering pages device_fault and is reopened every 2 s until it is
 * back.
 *
 *   microphone + what the loudspeaker played (device_read_pair)
 *        -> echo canceller (aec.h) -> [denoise] -> endpoint (gated while the
 *        kiosk's voice may be in the air) -> turn audio -> recogniser thread
 *        (asr_decode_early) -> eventfd -> the result -> lane_io_turn
 *
 * Full duplex: the kiosk listens while it speaks.  Three things keep it from
 * taking its own voice for a customer's (history in src/DECISIONS.md):
 * - the canceller removes the loudspeaker's signal, found in the microphone
 *   at whatever delay the post's hardware has;
 * - while that voice may be in the air, a frame is speech only above what
 *   the canceller may have left of it (endpoint_set_gate): speech over the
 *   kiosk needs more evidence than speech in silence;
 * - a turn heard over the kiosk's voice that repeats its words, or that
 *   heard no word at all (over it or begun just after it), is dropped
 *   (lane_own_voice) and counted as missed, reason own_voice; a prompt it
 *   stopped is said again.
 * A customer who starts speaking over a prompt stops it (lane_barge_in).
 * --half-duplex keeps the old way: deaf while speaking, plus a short tail.
 *
 * Recognition starts speculatively when the customer pauses (EP_PAUSE,
 * 100 ms of silence) on the audio so far; if they go on speaking the result
 * is dropped, and if the pause becomes the endpoint the result is (nearly)
 * ready.  Finished turns queue for the recogniser (RECOG_QUEUE): one is
 * never replaced by the next; a queue that overflows is a missed turn, said
 * so. */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../audio/aec.h"
#include "../audio/denoise.h"
#include "../audio/endpoint.h"
#include "../audio/keeper.h"
#include "../audio/wav.h"
#include "../dialog/turnshape.h"
#include "commands.h"
#include "hear.h"
#include "source.h"

/* The device's health and the overruns' log are looked at this often. */
#define HEALTH_S 0.5
/* --echo-check: the pause between its prompts, and how often it looks. */
#define ECHO_GAP_S 0.4
/* After the loudspeaker slips against the microphone, its voice counts as
 * echo, whatever the canceller says, this long (the canceller re-finds a
 * moved delay in about a second: src/DECISIONS.md, 2026-12-07). */
#define DISTRUST_S 1.5
/* the loudspeaker quiet this long: its echo (the output latency, the air, the
   room's tail) is over, pairing or not */
#define UNPAIRED_QUIET_S 1.0
/* A turn begun this soon after the loudspeaker's last sound that heard no
 * word at all is its echo's tail or noise, not a customer to be answered. */
#define AFTER_VOICE_S 1.0
/* The silence that starts the speculative decode (EP_PAUSE). */
#define PAUSE_S 0.1
/* Early barge-in: frames of 8, and how long a turn has to begin after it. */
#define BARGE_NEED 5
#define BARGE_WAIT_S 0.6
/* $KIOSK_AEC_DUMP keeps at most this much of each input (2 x 19 MB). */
#define DUMP_MAX_S 600
/* The start's sentence: how long to wait for the canceller to find it. */
#define PROBE_WAIT_S 4.0
#define PROBE_SETTLE_S 1.0
#define ECHO_TICK_S 0.05

/* ---- the recogniser thread ------------------------------------------------ */

#define RECOG_NICE 10       /* the recogniser's threads' nice value */
#define RECOG_QUEUE 4       /* finished turns waiting for the recogniser */
#define RECOG_DONE 8        /* results waiting for the loop */

typedef struct {
    int id;                 /* the turn's job number */
    int spec;               /* speculative: a newer one replaces it */
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
    job_t q[RECOG_QUEUE + 1];   /* waiting, oldest first (+1: a speculative one) */
    int nq;
    result_t done[RECOG_DONE];  /* finished, oldest first; the loop takes them */
    int ndone;
    int busy_id, stop;
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
    /* Below the audio: a decode that takes both cores must not starve the
     * loudspeaker's callback (an underrun moves the echo).  Linux keeps the
     * nice value per thread, and the recogniser's own threads inherit it. */
    if (setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), RECOG_NICE) < 0) {
        /* not allowed: it runs at the loop's priority, as before */
    }
    pthread_mutex_lock(&g->mu);
    for (;;) {
        while (!g->stop && !g->nq) pthread_cond_wait(&g->cv, &g->mu);
        if (g->stop) break;
        job_t j = g->q[0];
        memmove(g->q, g->q + 1, (size_t)--g->nq * sizeof g->q[0]);
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
        if (g->ndone == RECOG_DONE) {   /* nobody took the oldest: a speculative one gone stale */
            result_clear(&g->done[0]);
            memmove(g->done, g->done + 1, (size_t)--g->ndone * sizeof g->done[0]);
        }
        g->done[g->ndone++] = res;
        uint64_t one = 1;
        if (write(g->done_fd, &one, sizeof one) < 0) {
            /* full: the loop has a wake-up waiting already */
        }
    }
    pthread_mutex_unlock(&g->mu);
    return NULL;
}

/* answer: session_answer() of the car's session (taken over), or NULL.
 * 0, or -1 when the queue is full (the turn is lost: the caller says so). */
static int recog_submit(recog_t *g, int id, int spec, const int16_t *pcm, size_t n, char *answer, asr_t *asr,
                        const menu_t *menu)
{
    pthread_mutex_lock(&g->mu);
    for (int i = 0; i < g->nq; i++)      /* a newer speculation replaces an older one */
        if (g->q[i].spec) {
            free(g->q[i].pcm);
            free(g->q[i].answer);
            memmove(g->q + i, g->q + i + 1, (size_t)(g->nq - i - 1) * sizeof g->q[0]);
            g->nq--;
            i--;
        }
    int finals = g->nq;
    if (!spec && finals >= RECOG_QUEUE) {
        pthread_mutex_unlock(&g->mu);
        free(answer);
        return -1;
    }
    int16_t *copy = xmalloc(n * sizeof *copy + 1);
    memcpy(copy, pcm, n * sizeof *copy);
    g->q[g->nq++] = (job_t){ id, spec, copy, n, answer, asr, menu };
    pthread_cond_signal(&g->cv);
    pthread_mutex_unlock(&g->mu);
    return 0;
}

/* 1 while a job waits or runs (the loop's own bookkeeping may have let go
 * of it: a turn cut short by the talk button still finishes here). */
static int recog_working(recog_t *g)
{
    pthread_mutex_lock(&g->mu);
    int w = g->busy_id != 0 || g->nq > 0;
    pthread_mutex_unlock(&g->mu);
    return w;
}

/* The result of job id when it is done (1, *out filled and owned by the
 * caller), else 0.  Done results of older jobs are dropped: nobody waits
 * for them (job numbers only grow, and turns are taken in order). */
static int recog_take(recog_t *g, int id, result_t *out)
{
    int got = 0;
    pthread_mutex_lock(&g->mu);
    for (int i = 0; i < g->ndone; i++) {
        if (g->done[i].id > id) continue;
        if (g->done[i].id == id) {
            *out = g->done[i];
            got = 1;
        } else {
            result_clear(&g->done[i]);
        }
        memmove(g->done + i, g->done + i + 1, (size_t)(g->ndone - i - 1) * sizeof g->done[0]);
        g->ndone--;
        i--;
    }
    pthread_mutex_unlock(&g->mu);
    return got;
}

/* A look at job id's result without taking it: 1 with a copy in *out
 * (result_clear it), else 0. */
static int recog_peek(recog_t *g, int id, result_t *out)
{
    int got = 0;
    pthread_mutex_lock(&g->mu);
    for (int i = 0; i < g->ndone && !got; i++)
        if (g->done[i].id == id && !g->done[i].failed) {
            *out = g->done[i];
            asr_hearing_t *h = &out->r.hearing;
            h->heard = xstrdup(h->heard);
            h->free_text = xstrdup(h->free_text);
            h->loop_text = xstrdup(h->loop_text);
            h->nfa_text = xstrdup(h->nfa_text);
            out->r.diag.answer_text = xstrdup(out->r.diag.answer_text);
            got = 1;
        }
    pthread_mutex_unlock(&g->mu);
    return got;
}

/* A finished turn waiting for its result. */
typedef struct {
    int job;
    double turn_end;          /* when its endpoint was reached */
    long ms;                  /* its audio's length */
    char *file;               /* where its audio is kept, or NULL */
    int over_voice;           /* the kiosk's voice was in the air during it */
    int after_voice;          /* ... or it began within AFTER_VOICE_S of that voice */
    int barged;               /* its onset stopped a prompt */
    unsigned long overruns;   /* samples lost during it */
} await_t;

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
    int spec_seen;            /* its result has been looked at (quick_end) */
    size_t spec_n;            /* its samples: the turn's first spec_n */
    int ahead_job;            /* the job whose answer was said ahead (quick_end), 0 none */
    int ahead_greets;         /* ... a greeting alone, answered with the welcome */
    int said_ahead;           /* answers said ahead of their turn's end (taken back: io's count) */
    await_t aw[RECOG_QUEUE];  /* finished turns waiting for their results, oldest first */
    int naw;
    int turn_voice;           /* the kiosk's voice was in the air during the open turn */
    int turn_after_voice;     /* ... it began within AFTER_VOICE_S of the loudspeaker's last sound */
    int turn_barged;          /* its onset stopped a prompt */
    unsigned long turn_overruns;   /* device_overruns() at its onset */
    aec_t *aec;               /* NULL: half duplex */
    aec_stats_t st;           /* the canceller's, for the last frame */
    aec_gate_t gate;          /* the veto's memory (aec_only_echo) */
    unsigned near_bits;       /* bit i: frame now-i was the customer's voice over the kiosk's */
    double barged;            /* when the prompt was stopped early, 0: not (or a turn followed) */
    double last_barge;        /* when a prompt was last stopped for the customer */
    unsigned long slips;      /* the device's underflows and re-pairings so far */
    double distrust_until;    /* the kiosk's voice is all echo until then (a slip) */
    int playing;              /* the loudspeaker had speech queued at the last frame */
    double last_playing;      /* ... the last frame it had */
    double voice_at;          /* the last frame with the kiosk's voice in the air (ref_active) */
    int spec_clean;           /* the speculative job's pause had none of it: a real silence */
    int turns_decoded, speculative_used, own_voice, self_turns;
    double probe_at;          /* when the sentence that finds the echo began (probe_done), 0 before */
    double probe_quiet;       /* the kiosk's voice last in the air during it */
    double echo_check_end;    /* --echo-check: when it ends (0: not started) */
    int echo_prompt;          /* the next prompt it says */
    double fault_since;       /* the device is down since, 0 when up */
    double next_reopen;
    int listening;            /* the microphone has delivered (logged once) */
    unsigned long overruns_seen;   /* device_overruns() at the last check */
    unsigned long overruns_before; /* of devices closed since */
    double overrun_check;
    double mute_until;        /* not listening before this (the voice's tail) */
    long timer, echo_timer;
    int status;               /* an exit status once it failed for good */
    int16_t frame[EP_FRAME];  /* a frame being filled from the device */
    int16_t rframe[EP_FRAME]; /* ... and what the loudspeaker played meanwhile */
    size_t have;
    /* $KIOSK_AEC_DUMP=DIR: the canceller's two inputs, as paired, kept (at most
     * DUMP_MAX_S) and written to DIR/aec-PID-{mic,ref}.wav at close: a
     * diagnostic, for build/aec_wav on what the live kiosk heard */
    char *dump_dir;
    int16_t *dump_mic, *dump_ref;
    size_t dump_n;
} mic_t;

/* A turn of the car at the post to the recogniser of its menu. */
static int submit(mic_t *m, int id, int spec, const int16_t *pcm, size_t n)
{
    const lane_t *L = m->io->lane;
    const menu_t *menu = L->car ? session_menu(L->car) : L->menu;
    asr_t *asr = m->o.asr_for ? m->o.asr_for(m->o.asr_ctx, menu) : m->o.asr;
    return recog_submit(&m->rec, id, spec, pcm, n, L->car ? session_answer(L->car) : NULL, asr, menu);
}

static void failed(mic_t *m)
{
    m->status = EXIT_RUNTIME;
    loop_stop(m->loop);
}

/* The customer is speaking over a prompt: it stops (at most once in
 * BARGE_WAIT_S; not for the crew's talk nor the echo check).  1 when it did. */
static int barge_in(mic_t *m, double now)
{
    if (!m->playing || m->io->lane->talking || m->o.echo_check || now - m->last_barge <= BARGE_WAIT_S) return 0;
    m->last_barge = now;
    if (lane_io_barge_in(m->io) < 0) failed(m);
    return 1;
}

/* The open turn (pcm, n: its audio) waits for job id's result, which
 * decoded its first keep samples: those are what the keeper keeps, so that
 * a replay hears what the kiosk heard (after them may come the kiosk's
 * answer said ahead, in the air while the turn was still open). */
static void await_turn(mic_t *m, int id, const int16_t *pcm, size_t n, size_t keep, double now)
{
    const lane_t *L = m->io->lane;
    await_t *a = &m->aw[m->naw++];
    a->job = id;
    a->turn_end = now;
    a->ms = (long)(n * 1000 / 16000);
    a->over_voice = m->turn_voice;
    a->after_voice = m->turn_after_voice;
    a->barged = m->turn_barged;
    a->overruns = device_overruns(m->dev) - m->turn_overruns;
    a->file = m->o.keeper && L->car ? keeper_put(m->o.keeper, pcm, keep, lane_io_wall(m->io), L->cars,
                                                 session_nturns(L->car) + m->naw) : NULL;
}

static void take_result(mic_t *m);

/* Speech came back after the welcome said ahead had been in the air a
 * while (turn_ahead_answered): the customer is answering it, not going on.  The turn ends
 * at its pause, heard as the decode the answer came from (its say is the
 * answer in the air), and the new speech is a turn of its own, over the
 * kiosk's voice: a barge-in. */
static void answered(mic_t *m, double now)
{
    size_t n;
    const int16_t *pcm = endpoint_turn(m->ep, &n);
    await_turn(m, m->spec_job, pcm, n, m->spec_n, now);
    m->speculative_used++;
    endpoint_split(m->ep);
    m->near_bits = 0;
    take_result(m);
    m->turn_voice = 1;
    m->turn_overruns = device_overruns(m->dev);
    m->turn_barged = barge_in(m, now);
}

static void on_frame(mic_t *m, const int16_t *mic, const int16_t *ref, double now)
{
    lane_t *L = m->io->lane;
    if (m->dump_dir && m->dump_n + EP_FRAME <= (size_t)DUMP_MAX_S * AUDIO_RATE) {
        memcpy(m->dump_mic + m->dump_n, mic, EP_FRAME * sizeof *mic);
        memcpy(m->dump_ref + m->dump_n, ref, EP_FRAME * sizeof *ref);
        m->dump_n += EP_FRAME;
    }
    int16_t frame[EP_FRAME];
    m->playing = device_playing(m->dev) > 0;
    if (m->aec) {
        aec_process(m->aec, mic, ref, frame);
        aec_stats(m->aec, &m->st);
        /* the loudspeaker underran or the pairing moved: the echo is not where
         * the canceller thinks until it finds it again */
        unsigned long slips = device_underflows(m->dev) + device_realigns(m->dev);
        if (slips != m->slips) {
            m->slips = slips;
            m->distrust_until = now + DISTRUST_S;
        }
        int echo = aec_only_echo(&m->gate, &m->st);
        /* Not yet paired (the first second after open or a reopen): the
         * reference is unknown, so the kiosk's voice is all echo; but with
         * nothing played for UNPAIRED_QUIET_S there is no echo to fear, and
         * a customer who speaks then is heard from the first word. */
        if (m->playing) m->last_playing = now;
        int unpaired = !device_paired(m->dev) && now - m->last_playing < UNPAIRED_QUIET_S;
        int veto = echo || (m->st.ref_active && now < m->distrust_until) || unpaired;
        endpoint_veto(m->ep, veto);
        /* Barge-in early: the prompt stops at BARGE_NEED of the last 8 frames
         * of the customer's voice over it, before the turn's onset (100 ms of
         * speech) is sure; if no turn follows, the prompt is said again.  Only
         * frames where its voice is heard count (aec_barge_frame): before its
         * echo arrives and between sentences the onset stops it. */
        m->near_bits = (m->near_bits << 1) | (unsigned)aec_barge_frame(&m->gate, &m->st, veto);
        if (!m->barged && L->car && !endpoint_in_turn(m->ep) && __builtin_popcount(m->near_bits & 0xff) >= BARGE_NEED &&
            barge_in(m, now))
            m->barged = now;
    } else {
        memcpy(frame, mic, sizeof frame);
        if (m->playing || now < m->mute_until) {   /* half duplex: deaf while it speaks */
            endpoint_mute(m->ep);
            if (m->playing) {
                m->mute_until = now + 0.25;        /* the loudspeaker's own latency */
                lane_quiet_since(L, now + 0.25);
            }
            return;
        }
    }
    int voice = m->aec ? m->st.ref_active : 0;
    if (voice) m->voice_at = now;
    if (voice || L->talking) lane_quiet_since(L, now);   /* the kiosk or the crew is speaking */
    if (m->dn) denoise_frame(m->dn, frame);
    ep_event_t ev = endpoint_feed(m->ep, frame);
    if (!m->listening && ev != EP_NONE) {   /* before "listening" (the start's sentence) nothing is a turn */
        endpoint_mute(m->ep);
        return;
    }
    /* (the answer said ahead is the turn's own answer, not in it) */
    if (voice && endpoint_in_turn(m->ep) && !m->io->ahead) m->turn_voice = 1;
    size_t n;
    const int16_t *pcm;
    switch (ev) {
    case EP_ONSET: {
        int early = m->barged != 0;
        m->barged = 0;   /* a turn came: the prompt stays stopped */
        m->turn_voice = voice;
        m->turn_after_voice = m->aec && now - m->last_playing < AFTER_VOICE_S;
        m->turn_overruns = device_overruns(m->dev);
        /* with a speaker post answering, its loop starts cars, not speech */
        if (!L->car && !m->o.echo_check && lane_speech_starts_car(L) && lane_io_arrive(m->io) < 0) failed(m);
        m->turn_barged = early || barge_in(m, now);
        m->spec_job = 0;
        lane_io_log(m->io, "  (listening)");
        break;
    }
    case EP_PAUSE:
        pcm = endpoint_turn(m->ep, &n);
        m->spec_job = ++m->job;
        m->spec_n = n;
        m->spec_clean = m->voice_at < now - PAUSE_S - 0.005;
        m->spec_seen = 0;
        submit(m, m->spec_job, 1, pcm, n);
        /* the turn waits for what the decode says of it (quick_end) rather
         * than ending by the clock while it runs */
        endpoint_set_trailing(m->ep, TURN_WAIT_MS > m->o.trailing_ms ? TURN_WAIT_MS : m->o.trailing_ms);
        break;
    case EP_RESUME:
        if (m->io->ahead && m->ahead_job == m->spec_job && m->naw < RECOG_QUEUE &&
            turn_ahead_answered(m->ahead_greets, (now - m->io->ahead_t) * 1000.0)) {
            answered(m, now);   /* the customer answers the answer said ahead */
        } else if (lane_io_take_back(m->io)) {   /* the customer went on: the answer said ahead stops */
            m->turn_voice = 1;
            lane_io_log(m->io, "  (the customer went on: the answer said ahead is taken back)");
        }
        m->spec_job = 0;
        break;
    case EP_END:
    case EP_CUT: {
        pcm = endpoint_turn(m->ep, &n);
        long ms = (long)(n * 1000 / 16000);
        int id;
        size_t keep = n;
        if (ev == EP_END && m->spec_job) {
            id = m->spec_job;
            keep = m->spec_n;
            m->speculative_used++;
        } else {
            id = ++m->job;
            if (submit(m, id, 0, pcm, n) < 0) id = 0;
        }
        m->spec_job = 0;
        lane_quiet_since(L, now);
        if (!id || m->naw == RECOG_QUEUE) {
            /* the recogniser is this far behind: the turn cannot be heard */
            if (lane_io_missed(m->io, LANE_MISS_BUSY, ms) < 0) failed(m);
            endpoint_reset(m->ep);
            break;
        }
        await_turn(m, id, pcm, n, keep, now);
        endpoint_reset(m->ep);
        m->near_bits = 0;   /* the turn's own frames never barge in on its answer said ahead */
        break;
    }
    default:
        break;
    }
    if (endpoint_in_turn(m->ep)) lane_quiet_since(L, now);
    if (m->barged && !endpoint_in_turn(m->ep) && now - m->barged > BARGE_WAIT_S) {
        m->barged = 0;
        if (lane_io_barge_false(m->io) < 0) failed(m);
    }
}

/* --echo-check: a turn heard while nobody is there is the kiosk's own voice. */
static void echo_check_turn(mic_t *m, const await_t *a, const asr_result_t *r)
{
    m->self_turns++;
    strbuf_t b = {0};
    strbuf_printf(&b, "{\"t\": %.3f, \"event\": \"echo_check\", \"heard\": ", lane_io_wall(m->io));
    strbuf_json_str(&b, r->hearing.heard);
    strbuf_append(&b, ", \"free_text\": ");
    strbuf_json_str(&b, r->hearing.free_text);
    strbuf_printf(&b, ", \"audio_ms\": %ld, \"over_voice\": %s}", a->ms, a->over_voice ? "true" : "false");
    lane_io_event(m->io, strbuf_cstr(&b), "echo_check");
    fprintf(stderr, "%s: echo check: heard a turn with nobody there (%.1f s): \"%s\"\n", m->io->who,
            a->ms / 1000.0, r->hearing.free_text);
    strbuf_free(&b);
}

/* The kiosk's own voice, not a customer: words of its own heard over its
 * voice, or no word at all over it or begun just after it. */
static int own_voice(const lane_t *L, int over, int after, const asr_hearing_t *h)
{
    return (over || (after && lane_heard_nothing(h->heard, h->free_text))) && lane_own_voice(L, h->heard, h->free_text);
}

/* One finished turn's result to the lane (or dropped as the kiosk's own voice). */
static void deliver(mic_t *m, await_t *a, result_t *res)
{
    lane_t *L = m->io->lane;
    m->turns_decoded++;
    const asr_hearing_t *h = &res->r.hearing;
    if (res->failed) {
        fprintf(stderr, "%s: %s\n", m->io->who, res->err);
        failed(m);
    } else if (m->o.echo_check) {
        echo_check_turn(m, a, &res->r);
    } else if (own_voice(L, a->over_voice, a->after_voice, h)) {
        m->own_voice++;
        if (lane_io_missed(m->io, LANE_MISS_OWN_VOICE, a->ms) < 0) failed(m);
        /* the prompt it stopped is said again, unless the customer spoke since */
        if (a->barged && m->naw == 1 && !endpoint_in_turn(m->ep) && lane_io_barge_false(m->io) < 0) failed(m);
    } else if (L->car) {
        if (a->overruns && lane_io_missed(m->io, LANE_MISS_OVERRUN, a->ms) < 0) failed(m);
        if (lane_io_turn(m->io, a->file ? a->file : "mic", &res->r, a->ms, a->turn_end) < 0) failed(m);
    }
    /* the turn said something else, or nothing: its answer said ahead was not
     * it (unless its say waits behind the store's write of a confirmation) */
    if (m->ahead_job && a->job >= m->ahead_job && !m->io->barrier) {
        m->ahead_job = 0;
        if (lane_io_take_back(m->io)) {
            lane_io_log(m->io, "  (the answer said ahead was not the turn's: stopped)");
        }
    }
}

/* The speculative decode of the open turn is done: a complete sentence
 * heard with confidence ends the turn after a short silence, an unfinished
 * one ("can I get ...") waits longer (turnshape.h).  Unless it is plainly
 * unfinished, its answer is said now, while the silence that ends the turn
 * runs on: if the customer goes on (EP_RESUME) the answer stops and the
 * turn goes on whole; if not, the lane's answer when the turn ends is the
 * same words, in the air already (lane_io_say_ahead).  Not in half duplex:
 * the kiosk would be deaf to the customer going on. */
static void quick_end(mic_t *m)
{
    result_t res;
    if (!m->spec_job || m->spec_seen || !endpoint_in_turn(m->ep) || !recog_peek(&m->rec, m->spec_job, &res))
        return;
    m->spec_seen = 1;
    const lane_t *L = m->io->lane;
    const menu_t *menu = L->car ? session_menu(L->car) : L->menu;
    menu_ask_t ask;
    memset(&ask, 0, sizeof ask);
    if (L->car) dialog_question(session_dialog(L->car), &ask);
    const asr_hearing_t *h = &res.r.hearing;
    turn_shape_t shape = turn_shape_hearing(menu, L->car ? &ask : NULL, h->heard, h->free_text);
    /* a request for a person taken early is as sure as it gets */
    double conf = res.r.diag.early ? 1.0 : h->confidence;
    endpoint_set_trailing(m->ep, turn_trailing_ms(shape, conf, m->o.trailing_ms));
    /* A pause heard while the kiosk's voice was in the air may be the
     * customer's words vetoed as its echo; one after it had gone (a prompt
     * the customer stopped, or ended) is theirs.  Nothing is said ahead to
     * what will be dropped as the kiosk's own voice. */
    int greets = dialog_greeting_only(menu, h->free_text);
    int ahead = turn_says_ahead(shape, greets) && (!m->turn_voice || m->spec_clean) &&
                !own_voice(L, m->turn_voice, m->turn_after_voice, h);
    char *text = ahead && m->aec && !m->o.ahead_off ? lane_preview(L, &res.r) : NULL;
    if (text) {
        lane_io_say_ahead(m->io, text);
        m->ahead_job = m->spec_job;
        m->ahead_greets = greets;
        m->said_ahead++;
        free(text);
    }
    result_clear(&res);
}

/* The awaited turns' results, oldest first, as they are done.  Called when
 * the recogniser says a result is done, and when a turn ends (a speculative
 * result may have been done before the turn was known to be over). */
static void take_result(mic_t *m)
{
    result_t res;
    while (m->naw && recog_take(&m->rec, m->aw[0].job, &res)) {
        deliver(m, &m->aw[0], &res);
        free(m->aw[0].file);
        memmove(m->aw, m->aw + 1, (size_t)--m->naw * sizeof m->aw[0]);
        result_clear(&res);
        lane_quiet_since(m->io->lane, loop_now(m->loop));
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
    quick_end(ctx);
}

static void on_audio(loop_t *l, int fd, int mask, void *ctx);

static void device_gone(mic_t *m)
{
    if (endpoint_in_turn(m->ep)) {   /* the customer was speaking: that turn is lost */
        size_t n;
        endpoint_turn(m->ep, &n);
        if (lane_io_missed(m->io, LANE_MISS_DEVICE, (long)(n * 1000 / 16000)) < 0) failed(m);
        endpoint_mute(m->ep);
    }
    fprintf(stderr, "%s: audio: the microphone stopped (%s); paging the crew and "
                    "reopening it every 2 s\n", m->io->who, device_describe(m->dev));
    loop_del_file(m->loop, device_wake_fd(m->dev));
    m->overruns_before += device_overruns(m->dev);
    device_close(m->dev);
    m->dev = m->io->dev = NULL;
    m->fault_since = loop_now(m->loop);
    m->next_reopen = m->fault_since + 2.0;
    if (lane_io_mic_ok(m->io, 0) < 0 || lane_io_page(m->io, PAGE_DEVICE_FAULT) < 0) failed(m);
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
    if (lane_io_mic_ok(m->io, 1) < 0) failed(m);   /* the lamp stops showing the fault */
    endpoint_mute(m->ep);
    if (m->aec) aec_reset(m->aec);   /* another device: another echo path */
    m->slips = 0;
    loop_add_file(m->loop, device_wake_fd(d), LOOP_READ, on_audio, m);
}

/* At start the kiosk says a short sentence, so that the canceller finds its
 * voice's delay before the first car: otherwise it would be deaf through the
 * first greeting (aec.h: until the delay is known everything heard while the
 * kiosk speaks counts as its voice).  1 once that is done: the delay found,
 * or PROBE_WAIT_S after the sentence began. */
static int probe_done(mic_t *m, double now)
{
    if (!m->aec || !m->io->voice || m->o.echo_check) return 1;
    if (!device_paired(m->dev)) return 0;   /* its reference would be silence */
    if (!m->probe_at) {
        char *text = xasprintf("%s is open.", m->io->lane->cfg->name ? m->io->lane->cfg->name : "This lane");
        lane_io_play(m->io, text);
        free(text);
        m->probe_at = m->probe_quiet = now;
        return 0;
    }
    /* then a second of the lane's own sound after it, for the room's echo to
     * die away and the endpointer's noise floor to settle */
    if (m->playing || m->st.ref_active) m->probe_quiet = now;
    return (m->st.delay_ms >= 0 || now - m->probe_at > PROBE_WAIT_S) && now - m->probe_quiet >= PROBE_SETTLE_S;
}

/* Samples arrived: every whole frame through the endpointer. */
static void on_audio(loop_t *l, int fd, int mask, void *ctx)
{
    (void)l;
    (void)mask;
    mic_t *m = ctx;
    uint64_t n;
    if (read(fd, &n, sizeof n) < 0) { /* a wake-up already taken */ }
    if (!m->listening && device_started(m->dev) && probe_done(m, loop_now(m->loop))) {
        m->listening = 1;
        endpoint_mute(m->ep);
        fprintf(stderr, "%s: listening (%s, trailing silence %d ms", m->io->who, m->io->lane->menu->title,
                m->o.trailing_ms);
        if (m->aec && m->probe_at && m->st.delay_ms >= 0) fprintf(stderr, "; its own voice comes back %d ms late", m->st.delay_ms);
        else if (m->aec && m->probe_at) fprintf(stderr, "; its own voice not heard back yet");
        fprintf(stderr, ")\n");
    }
    int16_t buf[1600], rbuf[1600];
    size_t got;
    double now = loop_now(m->loop);
    while (m->dev && (got = device_read_pair(m->dev, buf, rbuf, sizeof buf / sizeof buf[0])) > 0)
        for (size_t i = 0; i < got; i++) {
            m->rframe[m->have] = rbuf[i];
            m->frame[m->have++] = buf[i];
            if (m->have == EP_FRAME) {
                on_frame(m, m->frame, m->rframe, now);
                m->have = 0;
            }
        }
    if (m->naw) take_result(m);
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

/* --echo-check's prompts: what the kiosk says at a lane, from its menu. */
static char *echo_prompt(const menu_t *menu, int k)
{
    int n = menu->nitems ? menu->nitems : 1;
    const char *a = menu->nitems ? menu->items[k % n].name : "cheeseburger";
    const char *b = menu->nitems ? menu->items[(k * 7 + 3) % n].name : "coke";
    strbuf_t t = {0};
    switch (k % 6) {
    case 0: strbuf_printf(&t, "Welcome to %s! What can I get for you today?", menu->title ? menu->title : "our drive-through"); break;
    case 1: strbuf_printf(&t, "A %s. Anything else?", a); break;
    case 2: strbuf_printf(&t, "You have two %s and a large %s. Your total is 12 dollars and 40 cents. Is that right?", a, b); break;
    case 3: strbuf_append(&t, "Sorry, I missed that, could you say it again?"); break;
    case 4: strbuf_printf(&t, "Sorry, we're out of %s. Would you like a %s instead?", a, b); break;
    default: strbuf_append(&t, "Thank you! Please pull forward to the window."); break;
    }
    return strbuf_steal(&t);
}

static double on_echo_check(loop_t *l, long id, void *ctx)
{
    (void)id;
    mic_t *m = ctx;
    double now = loop_now(l);
    if (!m->echo_check_end) {
        if (!m->listening) return ECHO_TICK_S;   /* the microphone first */
        m->echo_check_end = now + m->o.echo_check;
        m->mute_until = now;
    }
    if (now >= m->echo_check_end) {
        if (m->naw || endpoint_in_turn(m->ep) || m->playing) return ECHO_TICK_S;   /* the last turn heard out */
        strbuf_t b = {0};
        strbuf_printf(&b, "{\"t\": %.3f, \"event\": \"echo_check_done\", \"seconds\": %.0f, \"prompts\": %d, "
                          "\"turns\": %d, \"delay_ms\": %d, \"erle_db\": ", lane_io_wall(m->io), m->o.echo_check,
                      m->echo_prompt, m->self_turns, m->aec ? m->st.delay_ms : -1);
        if (m->aec && !isnan(m->st.erle_db)) strbuf_printf(&b, "%.1f}", m->st.erle_db);
        else strbuf_append(&b, "null}");
        lane_io_event(m->io, strbuf_cstr(&b), "echo_check_done");
        strbuf_free(&b);
        fprintf(stderr, "%s: echo check: %.0f s of the kiosk's voice (%d prompts): %d turn%s heard of it%s", m->io->who,
                m->o.echo_check, m->echo_prompt, m->self_turns, m->self_turns == 1 ? "" : "s",
                m->self_turns ? " (see above): the kiosk would take its own voice for a customer" : "");
        if (m->aec && !isnan(m->st.erle_db))
            fprintf(stderr, "; echo cancelled by %.1f dB, found %d ms after it was played\n", m->st.erle_db,
                    m->st.delay_ms);
        else
            fprintf(stderr, "%s\n", m->aec ? "; no echo measured (is the loudspeaker connected?)" : " (half duplex)");
        if (m->self_turns) m->status = EXIT_RUNTIME;
        loop_stop(l);
        return -1;
    }
    if (m->dev && !m->playing && device_playing(m->dev) == 0 && now >= m->mute_until && m->io->voice) {
        char *text = echo_prompt(m->io->lane->menu, m->echo_prompt++);
        size_t n = lane_io_play(m->io, text);
        m->playing = 1;
        m->mute_until = now + (double)n / 16000 + ECHO_GAP_S;
        free(text);
    }
    return ECHO_TICK_S;
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
    ecfg.pause_ms = (int)(PAUSE_S * 1000);
    m->ep = endpoint_create(&ecfg);
    if (o->denoise) m->dn = denoise_create();
    const char *dump = getenv("KIOSK_AEC_DUMP");
    if (dump && *dump) {
        m->dump_dir = xstrdup(dump);
        m->dump_mic = xmalloc((size_t)DUMP_MAX_S * AUDIO_RATE * sizeof *m->dump_mic);
        m->dump_ref = xmalloc((size_t)DUMP_MAX_S * AUDIO_RATE * sizeof *m->dump_ref);
    }
    /* The spell's own ERLE is not trusted live yet: on lunch.sh's direct
     * PulseAudio loop (ERLE 40 dB and more) it let the kiosk's own "A team
     * member will be right with you." stop itself (src/DECISIONS.md, 2026-12-08) */
    m->gate.cap_only = 1;
    if (!o->half_duplex) {
        aec_config_t acfg;
        aec_defaults(&acfg);
        if (!(m->aec = aec_create(&acfg, err, errlen))) goto fail;
    }
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
    if (o->echo_check > 0) m->echo_timer = loop_add_timer(m->loop, ECHO_TICK_S, on_echo_check, m);
    return &m->base;
fail:
    mic_close(&m->base);
    return NULL;
}

static int mic_busy(const source_t *s)
{
    const mic_t *m = (const mic_t *)s;
    return m->naw || endpoint_in_turn(m->ep) || (m->aec && m->st.ref_active) || (m->dev && device_playing(m->dev) != 0) ||
           loop_now(m->loop) < m->mute_until || (m->rec_started && recog_working((recog_t *)&m->rec));
}

static void mic_stats(const source_t *s, strbuf_t *out)
{
    const mic_t *m = (const mic_t *)s;
    strbuf_printf(out, "%d turns (%d decoded speculatively; %d answers said ahead of the turn's end, %d of "
                       "them taken back), %lu samples lost to overruns", m->turns_decoded, m->speculative_used,
                  m->said_ahead, m->io->taken_back, m->overruns_before + (m->dev ? device_overruns(m->dev) : 0UL));
    if (m->dev)
        strbuf_printf(out, ", %lu loudspeaker underruns, %lu re-pairings", device_underflows(m->dev),
                      device_realigns(m->dev));
    const lane_t *L = m->io->lane;
    strbuf_printf(out, "; %d prompts spoken over by the customer, %d turns of the kiosk's own voice dropped, "
                       "speech missed: %lu (device %lu, recogniser busy %lu, samples lost %lu)",
                  L->barge_ins, m->own_voice, L->missed[LANE_MISS_DEVICE] + L->missed[LANE_MISS_BUSY],
                  L->missed[LANE_MISS_DEVICE], L->missed[LANE_MISS_BUSY], L->missed[LANE_MISS_OVERRUN]);
    if (!m->aec) strbuf_append(out, "; half duplex");
    else if (isnan(m->st.erle_db)) strbuf_append(out, "; echo canceller: no echo measured");
    else strbuf_printf(out, "; echo canceller: %.1f dB, delay %d ms", m->st.erle_db, m->st.delay_ms);
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
    for (int i = 0; i < m->rec.nq; i++) {
        free(m->rec.q[i].pcm);
        free(m->rec.q[i].answer);
    }
    for (int i = 0; i < m->rec.ndone; i++) result_clear(&m->rec.done[i]);
    for (int i = 0; i < m->naw; i++) free(m->aw[i].file);
    if (m->timer) loop_del_timer(m->loop, m->timer);
    if (m->echo_timer) loop_del_timer(m->loop, m->echo_timer);
    if (m->dev) loop_del_file(m->loop, device_wake_fd(m->dev));
    if (m->rec.done_fd > 0) {
        loop_del_file(m->loop, m->rec.done_fd);
        close(m->rec.done_fd);
    }
    if (m->dump_dir) {
        char path[1024], err[256];
        const char *what[2] = {"mic", "ref"};
        const int16_t *pcm[2] = {m->dump_mic, m->dump_ref};
        for (int i = 0; i < 2; i++) {
            snprintf(path, sizeof path, "%s/aec-%d-%s.wav", m->dump_dir, (int)getpid(), what[i]);
            if (wav_write(path, pcm[i], m->dump_n, err, sizeof err) < 0)
                fprintf(stderr, "%s: KIOSK_AEC_DUMP: %s\n", m->io->who, err);
        }
        free(m->dump_dir);
        free(m->dump_mic);
        free(m->dump_ref);
    }
    endpoint_free(m->ep);
    denoise_free(m->dn);
    aec_free(m->aec);
    device_close(m->dev);
    m->io->dev = NULL;
    free(m);
}

const source_driver_t source_mic = {
    .name = "mic", .what = "the microphone (PortAudio), turns found by the endpointer", .needs_asr = 1,
    .open = mic_open, .turn = NULL, .busy = mic_busy, .stats = mic_stats, .status = mic_status, .close = mic_close,
};
