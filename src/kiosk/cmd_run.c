/* cmd_run.c: `kiosk run`, the drive-through live, and `kiosk devices`: the
 * wiring of the lane (lane.c) to a microphone, a loudspeaker, the crew
 * stations and the board, on one event loop (src/util/loop.c).
 *
 *   microphone -> eventfd from the capture callback -> device_read (16 kHz)
 *        -> [denoise] -> endpoint -> turn audio -> recogniser thread
 *        (asr_decode_early) -> eventfd -> the result -> lane_turn
 *   crew sockets -> crew_server_poll -> lane_crew
 *   one timer: the lane's timers (lane_tick: escalation, the customer's
 *        silences, the board's linger), the device's health, the crew
 *        server's time-outs, the window's events, a stop signal
 *
 * Decisions where the issue leaves a choice:
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
 *   cannot each follow the audio as it comes.
 * - A microphone that stops delivering pages device_fault (the car's order
 *   becomes the crew's) and is reopened every 2 s until it comes back. */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../audio/denoise.h"
#include "../audio/device.h"
#include "../audio/endpoint.h"
#include "../board/board.h"
#include "../crew/escalate.h"
#include "../crew/server.h"
#include "../crew/view.h"
#include "../ui/window.h"
#include "../util/outq.h"
#include "../voice/voice.h"
#include "commands.h"
#include "lane.h"
#include "session.h"

/* Standard output's lines waiting for a slow reader, at most (about 3000 events). */
#define OUT_QUEUE_MAX (1 << 20)

static const char usage[] =
    "usage: kiosk run [--menu F] [--db F] [--input DEV] [--output DEV] [--post TTY]\n"
    "                 [--headless] [--events] [--no-post] [--threshold T]\n"
    "                 [--trailing-ms MS] [--nudge S] [--no-response S] [--car-gone S] [--voice V]\n"
    "                 [--denoise] [--board PNG] [--board-size WxH] [--for S]\n"
    "                 [--crew-socket PATH] [--crew-port N] [--crew-token FILE]\n"
    "                 [--escalate S1,S2] [--lane NAME]\n"
    "  The drive-through: listens on the microphone, answers out loud, takes the\n"
    "  order and pages the crew.  Stop it with Ctrl-C.\n"
    "  --menu F        the menu (default " DEFAULT_MENU ")\n"
    "  --db F          where cars, turns and pages are recorded (default " DEFAULT_DB ")\n"
    "  --input DEV     microphone: an index or (part of) a name from `kiosk devices`\n"
    "  --output DEV    loudspeaker, likewise; \"none\" for a silent kiosk\n"
    "  --post TTY      the speaker post's serial line (not available yet: --no-post)\n"
    "  --no-post       no speaker post: speech starts a car (the default for now)\n"
    "  --headless      no window for the order board (without a display it is headless anyway)\n"
    "  --board PNG     also save the order board to PNG whenever it changes\n"
    "  --board-size WxH  1920x1080 (default) or 800x480\n"
    "  --events        one JSON object a line on standard output as things happen\n"
    "  --threshold T   page low_confidence below T, 0..1 (default " DIALOG_DEFAULT_THRESHOLD_STR ")\n"
    "  --trailing-ms MS  silence that ends a customer's turn (default 700)\n"
    "  --nudge S       after S seconds of silence say \"Take your time\" and ask again,\n"
    "                  once (default 10; 0 never)\n"
    "  --no-response S   then page no_response after S more seconds (default 15)\n"
    "  --car-gone S      or, with nothing ordered, the car has left after S more seconds\n"
    "                  (default 30); the crew's cars and cars with an open page stay until\n"
    "                  the crew ends them\n"
    "  --lane NAME     the lane's name on the crew stations (default \"Lane 1\")\n"
    "  --voice V       espeak-ng voice (default en-us)\n"
    "  --denoise       run speexdsp's noise suppression and gain control on the\n"
    "                  microphone (off by default: it made the kiosk worse at 10 and 5 dB)\n"
    "  --for S         stop after S seconds (for tests and benchmarks)\n"
    "  --crew-socket PATH  where crew stations connect (default " DEFAULT_CREW_SOCKET ")\n"
    "  --crew-port N   also listen on TCP 127.0.0.1:N for crew stations\n"
    "  --crew-token FILE   the token crew stations prove themselves with, written\n"
    "                  at start with mode 0600 (default " DEFAULT_CREW_TOKEN ")\n"
    "  --escalate S1,S2  a page nobody acknowledges chimes again after S1 seconds\n"
    "                  and goes to the manager after S2 (default 10,30)\n";

typedef struct {
    const char *menu, *db, *input, *output, *post, *voice, *board_png;
    const char *crew_socket, *crew_token, *lane;
    int crew_port;
    double remind_s, manager_s;
    int board_w, board_h;
    int headless, events, denoise;
    double threshold, nudge, no_response, car_gone, run_for;
    int trailing_ms;
} run_opts_t;

static int number_opt(const char *name, const char *arg, double lo, double hi, double *out)
{
    char *end;
    double v = strtod(arg, &end);
    if (end == arg || *end || !(v >= lo && v <= hi)) {
        fprintf(stderr, "kiosk run: --%s %s: give a number from %g to %g\n", name, arg, lo, hi);
        return -1;
    }
    *out = v;
    return 0;
}

static int parse_opts(int argc, char **argv, run_opts_t *o)
{
    static const struct option longs[] = {
        { "menu", required_argument, NULL, 'm' },   { "db", required_argument, NULL, 'd' },
        { "input", required_argument, NULL, 'i' },  { "output", required_argument, NULL, 'o' },
        { "post", required_argument, NULL, 'p' },   { "no-post", no_argument, NULL, 'P' },
        { "headless", no_argument, NULL, 'H' },     { "events", no_argument, NULL, 'e' },
        { "threshold", required_argument, NULL, 't' },
        { "trailing-ms", required_argument, NULL, 'T' },
        { "no-response", required_argument, NULL, 'n' },
        { "car-gone", required_argument, NULL, 'g' },
        { "voice", required_argument, NULL, 'v' },  { "denoise", no_argument, NULL, 'D' },
        { "for", required_argument, NULL, 'f' },    { "help", no_argument, NULL, 'h' },
        { "board", required_argument, NULL, 'b' },  { "board-size", required_argument, NULL, 'B' },
        { "crew-socket", required_argument, NULL, 'S' }, { "crew-port", required_argument, NULL, 'C' },
        { "crew-token", required_argument, NULL, 'K' },
        { "escalate", required_argument, NULL, 'E' },
        { "nudge", required_argument, NULL, 'N' },  { "lane", required_argument, NULL, 'L' },
        { NULL, 0, NULL, 0 },
    };
    if (cmd_wants_help(argc, argv)) {
        fputs(usage, stdout);
        return 0;
    }
    memset(o, 0, sizeof *o);
    o->menu = DEFAULT_MENU;
    o->db = DEFAULT_DB;
    o->threshold = DIALOG_DEFAULT_THRESHOLD;
    o->nudge = 10;
    o->no_response = 15;
    o->car_gone = 30;
    o->lane = "Lane 1";
    o->trailing_ms = 700;
    o->denoise = 0;
    o->board_w = 1920;
    o->board_h = 1080;
    o->crew_socket = DEFAULT_CREW_SOCKET;
    o->crew_token = DEFAULT_CREW_TOKEN;
    o->remind_s = ESC_REMIND_S;
    o->manager_s = ESC_MANAGER_S;
    opterr = 0;
    optind = 1;
    int c;
    double v;
    while ((c = getopt_long(argc, argv, "+h", longs, NULL)) != -1) {
        switch (c) {
        case 'm': o->menu = optarg; break;
        case 'd': o->db = optarg; break;
        case 'i': o->input = optarg; break;
        case 'o': o->output = optarg; break;
        case 'p': o->post = optarg; break;
        case 'P': o->post = NULL; break;
        case 'H': o->headless = 1; break;
        case 'e': o->events = 1; break;
        case 'v': o->voice = optarg; break;
        case 'D': o->denoise = 1; break;
        case 'b': o->board_png = optarg; break;
        case 'S': o->crew_socket = optarg; break;
        case 'K': o->crew_token = optarg; break;
        case 'E': {
            char extra;
            if (sscanf(optarg, "%lf,%lf%c", &o->remind_s, &o->manager_s, &extra) != 2 ||
                !(o->remind_s >= 1 && o->manager_s > o->remind_s && o->manager_s <= 3600)) {
                fprintf(stderr, "kiosk run: --escalate %s: give two numbers of seconds, the second "
                                "larger, e.g. 10,30\n", optarg);
                return EXIT_BADINPUT;
            }
            break;
        }
        case 'C':
            if (number_opt("crew-port", optarg, 1, 65535, &v) < 0) return EXIT_BADINPUT;
            o->crew_port = (int)v;
            break;
        case 'B':
            if (board_parse_size(optarg, &o->board_w, &o->board_h) < 0) {
                fprintf(stderr, "kiosk run: --board-size %s: give 1920x1080 or 800x480\n", optarg);
                return EXIT_BADINPUT;
            }
            break;
        case 't': if (number_opt("threshold", optarg, 0, 1, &o->threshold) < 0) return EXIT_BADINPUT; break;
        case 'T':
            if (number_opt("trailing-ms", optarg, 200, 5000, &v) < 0) return EXIT_BADINPUT;
            o->trailing_ms = (int)v;
            break;
        case 'n': if (number_opt("no-response", optarg, 1, 600, &o->no_response) < 0) return EXIT_BADINPUT; break;
        case 'N': if (number_opt("nudge", optarg, 0, 600, &o->nudge) < 0) return EXIT_BADINPUT; break;
        case 'L':
            if (!*optarg || strlen(optarg) > 40) {
                fprintf(stderr, "kiosk run: --lane \"%s\": give a name of 1 to 40 characters\n", optarg);
                return EXIT_BADINPUT;
            }
            o->lane = optarg;
            break;
        case 'g': if (number_opt("car-gone", optarg, 2, 3600, &o->car_gone) < 0) return EXIT_BADINPUT; break;
        case 'f': if (number_opt("for", optarg, 0.1, 1e7, &o->run_for) < 0) return EXIT_BADINPUT; break;
        case 'h': fputs(usage, stdout); return 0;
        default:
            fprintf(stderr, "kiosk run: %s option %s\n%s", optopt ? "bad use of" : "unknown",
                    argv[optind - 1], usage);
            return EXIT_BADINPUT;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "kiosk run: unexpected argument \"%s\"\n%s", argv[optind], usage);
        return EXIT_BADINPUT;
    }
    if (o->post) {
        fprintf(stderr, "kiosk run: --post %s: the speaker post is not supported yet; run with "
                        "--no-post (speech starts a car)\n", o->post);
        return EXIT_BADINPUT;
    }
    return -1;
}

/* ---- the recogniser thread ------------------------------------------------ */

typedef struct {
    int id;                 /* the turn's job number */
    int16_t *pcm;
    size_t n;
    char *answer;           /* session_answer() when it was submitted (owned), NULL: none */
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
    asr_t *asr;
    const menu_t *menu;
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
        asr_set_answer(g->asr, j.answer, aerr, sizeof aerr);
        free(j.answer);
        if (asr_decode_early(g->asr, j.pcm, j.n, session_spot_human, (void *)g->menu, &r,
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
static void recog_submit(recog_t *g, int id, const int16_t *pcm, size_t n, char *answer)
{
    int16_t *copy = xmalloc(n * sizeof *copy + 1);
    memcpy(copy, pcm, n * sizeof *copy);
    pthread_mutex_lock(&g->mu);
    free(g->next.pcm);
    free(g->next.answer);
    g->next = (job_t){ id, copy, n, answer };
    pthread_cond_signal(&g->cv);
    pthread_mutex_unlock(&g->mu);
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

/* ---- the lane, live --------------------------------------------------------- */

typedef struct {
    const run_opts_t *o;
    lane_t L;                 /* the lane's behaviour (lane.c) and the adapters it drives */
    lane_config_t lcfg;
    endpoint_t *ep;
    denoise_t *dn;
    recog_t rec;
    int job;                  /* the newest job number */
    int spec_job;             /* a speculative job still valid for the open turn, 0 none */
    int await_job;            /* the job whose result the loop waits for, 0 none */
    double turn_end;          /* when the awaited turn's endpoint was reached */
    long await_ms;            /* its audio length */
    int turns_decoded, speculative_used;
    double fault_since;       /* the device is down since, 0 when up */
    double next_reopen;
    int listening;            /* the microphone has delivered (logged once) */
    unsigned long out_dropped_seen;
    unsigned long overruns_seen;   /* device_overruns() at the last check */
    double overrun_check;
    loop_t *loop;
    double start;
    int status;               /* the loop's exit status */
    int16_t frame[EP_FRAME];  /* a frame being filled from the device */
    size_t have;
    int crew_fds[CREW_SERVER_MAX_FDS], ncrew_fds;
    loop_file_fn on_crew_fd;
} kiosk_t;

/* ---- audio in --------------------------------------------------------------- */

static void on_frame(kiosk_t *k, int16_t *frame, double now)
{
    if (k->L.talking) {                      /* the crew is speaking to the car */
        endpoint_mute(k->ep);
        k->L.last_activity = now;
        return;
    }
    if (device_playing(k->L.dev) > 0 || now < k->L.mute_until) {
        endpoint_mute(k->ep);
        if (device_playing(k->L.dev) > 0) {
            k->L.mute_until = now + 0.25;    /* the loudspeaker's own latency */
            k->L.last_activity = now + 0.25;
        }
        return;
    }
    if (k->dn) denoise_frame(k->dn, frame);
    ep_event_t ev = endpoint_feed(k->ep, frame);
    size_t n;
    const int16_t *pcm;
    switch (ev) {
    case EP_ONSET:
        if (!k->L.car && lane_car_arrives(&k->L) < 0) return;
        k->spec_job = 0;
        lane_log(&k->L, "  (listening)");
        break;
    case EP_PAUSE:
        pcm = endpoint_turn(k->ep, &n);
        k->spec_job = ++k->job;
        recog_submit(&k->rec, k->spec_job, pcm, n, k->L.car ? session_answer(k->L.car) : NULL);
        break;
    case EP_RESUME:
        k->spec_job = 0;
        break;
    case EP_END:
    case EP_CUT:
        pcm = endpoint_turn(k->ep, &n);
        if (ev == EP_END && k->spec_job) {
            k->await_job = k->spec_job;
            k->speculative_used++;
        } else {
            k->await_job = ++k->job;
            recog_submit(&k->rec, k->await_job, pcm, n, k->L.car ? session_answer(k->L.car) : NULL);
        }
        k->spec_job = 0;
        k->turn_end = now;
        k->await_ms = (long)(n * 1000 / 16000);
        k->L.last_activity = now;
        endpoint_reset(k->ep);
        break;
    default:
        break;
    }
    if (endpoint_in_turn(k->ep)) k->L.last_activity = now;
}
static volatile sig_atomic_t stopping;
static void on_signal(int sig)
{
    (void)sig;
    stopping = 1;
}

/* ---- the event loop's callbacks ---------------------------------------------- */

static void on_audio(loop_t *l, int fd, int mask, void *ctx);

/* The crew server's descriptors as the loop watches them: re-registered
 * after every poll (connections come and go). */
static void crew_sync(kiosk_t *k)
{
    for (int i = 0; i < k->ncrew_fds; i++) loop_del_file(k->loop, k->crew_fds[i]);
    int want[CREW_SERVER_MAX_FDS];
    k->ncrew_fds = crew_server_fds(k->L.crew, k->crew_fds, want, CREW_SERVER_MAX_FDS);
    for (int i = 0; i < k->ncrew_fds; i++)
        loop_add_file(k->loop, k->crew_fds[i], LOOP_READ | (want[i] ? LOOP_WRITE : 0), k->on_crew_fd, k);
}

static void crew_poll(kiosk_t *k)
{
    crew_server_poll(k->L.crew, lane_crew, &k->L, stderr);
    crew_sync(k);
    if (k->L.board_dirty) lane_board_update(&k->L);
}

static void on_crew_fd(loop_t *l, int fd, int mask, void *ctx)
{
    (void)l;
    (void)fd;
    (void)mask;
    crew_poll(ctx);
}

static void crew_reply(lane_t *L, int client, const char *json)
{
    crew_server_reply(L->crew, client, json);
}

/* The awaited turn's result, when it is done, goes to the lane.  Called when
 * the recogniser says a result is done, and when a turn ends (a speculative
 * result may have been done before the turn was known to be over). */
static void take_result(kiosk_t *k)
{
    loop_t *l = k->loop;
    result_t res;
    if (k->await_job) {
        if (!recog_take(&k->rec, k->await_job, &res)) return;
        k->await_job = 0;
        k->turns_decoded++;
        if (res.failed) {
            fprintf(stderr, "kiosk run: %s\n", res.err);
            k->status = EXIT_RUNTIME;
            loop_stop(l);
        } else if (k->L.car && lane_turn(&k->L, &res.r, k->await_ms, k->turn_end) < 0) {
            k->status = EXIT_RUNTIME;
            loop_stop(l);
        }
        result_clear(&res);
        k->L.last_activity = lane_now(&k->L);
    } else if (k->spec_job == 0 && recog_take(&k->rec, -1, &res)) {
        result_clear(&res);   /* a speculative result nobody waits for */
    }
    if (k->L.board_dirty) lane_board_update(&k->L);
}

static void on_result(loop_t *l, int fd, int mask, void *ctx)
{
    (void)l;
    (void)mask;
    uint64_t n;
    if (read(fd, &n, sizeof n) < 0) { /* nothing to read: a wake-up already taken */ }
    take_result(ctx);
}

static void device_gone(kiosk_t *k)
{
    fprintf(stderr, "kiosk run: audio: the microphone stopped (%s); paging the crew and "
                    "reopening it every 2 s\n", device_describe(k->L.dev));
    loop_del_file(k->loop, device_wake_fd(k->L.dev));
    device_close(k->L.dev);
    k->L.dev = NULL;
    k->fault_since = lane_now(&k->L);
    k->next_reopen = k->fault_since + 2.0;
    lane_outside_page(&k->L, PAGE_DEVICE_FAULT);
}

static void reopen(kiosk_t *k, double now)
{
    if (now < k->next_reopen) return;
    k->next_reopen = now + 2.0;
    char err[512];
    device_t *d = device_open(k->o->input, k->o->output, err, sizeof err);
    if (!d) return;
    k->L.dev = d;
    k->overruns_seen = 0;
    fprintf(stderr, "kiosk run: audio back after %.1f s: %s\n", now - k->fault_since, device_describe(d));
    k->fault_since = 0;
    endpoint_mute(k->ep);
    loop_add_file(k->loop, device_wake_fd(d), LOOP_READ, on_audio, k);
}

/* Samples arrived: every whole frame through the endpointer. */
static void on_audio(loop_t *l, int fd, int mask, void *ctx)
{
    (void)l;
    (void)mask;
    kiosk_t *k = ctx;
    uint64_t n;
    if (read(fd, &n, sizeof n) < 0) { /* a wake-up already taken */ }
    if (!k->listening && device_started(k->L.dev)) {
        k->listening = 1;
        fprintf(stderr, "kiosk run: listening (%s, trailing silence %d ms)\n", k->L.menu->title,
                k->o->trailing_ms);
    }
    int16_t buf[1600];
    size_t got;
    double now = lane_now(&k->L);
    while (k->L.dev && (got = device_read(k->L.dev, buf, sizeof buf / sizeof buf[0])) > 0)
        for (size_t i = 0; i < got; i++) {
            k->frame[k->have++] = buf[i];
            if (k->have == EP_FRAME) {
                on_frame(k, k->frame, now);
                k->have = 0;
            }
        }
    if (k->await_job) take_result(k);
    if (k->L.board_dirty) lane_board_update(&k->L);
}

/* What runs on time rather than on input: the lane's timers (escalation,
 * the customer's silence, the board's linger), the device's health, the
 * logs of what was lost, the crew server's time-outs, the window, a stop
 * signal.  Returns when it is next due: the lane's next decision, at most
 * HOUSE_S (HOUSE_WINDOW_S with a window: SDL's events are polled). */
#define HOUSE_S 0.5
#define HOUSE_WINDOW_S 0.05
static double on_house(loop_t *l, long id, void *ctx)
{
    (void)id;
    kiosk_t *k = ctx;
    double now = lane_now(&k->L);
    if (stopping || (k->o->run_for > 0 && now - k->start >= k->o->run_for)) {
        loop_stop(l);
        return LOOP_NOMORE;
    }
    if (k->fault_since) reopen(k, now);
    else if (!device_alive(k->L.dev)) device_gone(k);
    if (k->L.dev && now - k->overrun_check >= 1.0) {
        unsigned long lost = device_overruns(k->L.dev);
        if (lost > k->overruns_seen)
            fprintf(stderr, "kiosk run: audio: %lu samples lost (the kiosk fell behind the "
                            "microphone); listening goes on\n", lost - k->overruns_seen);
        k->overruns_seen = lost;
        k->overrun_check = now;
    }
    if (k->L.out && outq_dropped(k->L.out) > k->out_dropped_seen) {
        unsigned long d = outq_dropped(k->L.out);
        fprintf(stderr, "kiosk run: standard output is not being read: %lu line%s dropped (%lu in all); "
                        "the lane goes on\n", d - k->out_dropped_seen, d - k->out_dropped_seen == 1 ? "" : "s", d);
        k->out_dropped_seen = d;
    }
    crew_poll(k);
    int listening = !k->await_job && !endpoint_in_turn(k->ep) && (!k->L.dev || device_playing(k->L.dev) == 0) &&
                    now >= k->L.mute_until;
    double next = lane_tick(&k->L, listening);
    if (next < 0) {
        k->status = EXIT_RUNTIME;
        loop_stop(l);
        return LOOP_NOMORE;
    }
    if (k->L.win && window_poll(k->L.win)) {
        loop_stop(l);
        return LOOP_NOMORE;
    }
    double most = k->L.win ? HOUSE_WINDOW_S : HOUSE_S;
    return next < most ? next : most;
}

static int run_loop(kiosk_t *k)
{
    k->on_crew_fd = on_crew_fd;
    k->start = lane_now(&k->L);
    k->L.last_activity = k->start;
    loop_add_file(k->loop, device_wake_fd(k->L.dev), LOOP_READ, on_audio, k);
    loop_add_file(k->loop, k->rec.done_fd, LOOP_READ, on_result, k);
    crew_sync(k);
    loop_add_timer(k->loop, 0, on_house, k);
    loop_run(k->loop);
    return k->status;
}

static int no_device(const char *err)
{
    fprintf(stderr, "kiosk run: %s; without a microphone, `make demo` plays a sample "
                    "conversation through the kiosk\n", err);
    return EXIT_RUNTIME;
}

int cmd_run(int argc, char **argv)
{
    run_opts_t o;
    int rc = parse_opts(argc, argv, &o);
    if (rc >= 0) return rc;

    kiosk_t k;
    memset(&k, 0, sizeof k);
    k.o = &o;
    int status = 0;
    char err[512];
    cmudict_t *dict = NULL;
    menu_t *menu = NULL;
    strlist_t errs = {0};
    status = session_load(o.menu, &dict, &menu, &errs);
    if (status) goto out;
    k.lcfg = (lane_config_t){ .name = o.lane, .threshold = o.threshold, .nudge = o.nudge,
                              .no_response = o.no_response, .car_gone = o.car_gone, .events = o.events,
                              .board_png = o.board_png };
    k.loop = loop_create(&loop_clock_real);
    lane_init(&k.L, &k.lcfg, menu, k.loop);
    k.L.reply = crew_reply;
    strlist_t warns = {0};   /* a combo that stops selling: the manager should know at start too */
    menu_warnings(menu, &warns);
    for (int i = 0; i < warns.n; i++) fprintf(stderr, "kiosk run: %s\n", warns.v[i]);
    strlist_free(&warns);

    /* The device first: without a microphone nothing else is worth loading. */
    k.L.dev = device_open(o.input, o.output, err, sizeof err);
    if (!k.L.dev) {
        status = no_device(err);
        goto out;
    }
    fprintf(stderr, "kiosk run: audio: %s\n", device_describe(k.L.dev));
    if (strcmp(o.output ? o.output : "", "none") &&
        !(k.L.voice = voice_create(o.voice, 0, err, sizeof err))) {
        strlist_pushf(&errs, "kiosk run: %s", err);
        status = EXIT_RUNTIME;
        goto out;
    }
    asr_config_t acfg = { .free_pass = 1 };
    k.L.asr = session_asr(&acfg, menu, &dict, err, sizeof err);
    if (!k.L.asr) {
        strlist_pushf(&errs, "kiosk run: %s", err);
        status = EXIT_RUNTIME;
        goto out;
    }
    if (strchr(o.db, '/')) {
        char *dir = xstrdup(o.db);
        *strrchr(dir, '/') = 0;
        if (*dir) mkdir(dir, 0755);
        free(dir);
    }
    if (!(k.L.store = store_open(o.db, err, sizeof err))) {
        strlist_pushf(&errs, "kiosk run: %s", err);
        status = EXIT_RUNTIME;
        goto out;
    }
    k.L.esc.remind_s = o.remind_s;
    k.L.esc.manager_s = o.manager_s;
    if (!(k.L.crew = crew_server_open(o.crew_socket, o.crew_port, o.crew_token, err, sizeof err))) {
        strlist_pushf(&errs, "kiosk run: crew station: %s", err);
        status = EXIT_RUNTIME;
        goto out;
    }
    endpoint_config_t ecfg;
    endpoint_defaults(&ecfg);
    ecfg.trailing_ms = o.trailing_ms;
    /* Speculate early: 100 ms of silence starts the decode, 600 ms before
     * the endpoint.  make bench, 30 turns, endpoint delay p95: pause 200 ms
     * 460 ms, 150 ms 424, 100 ms 257-306, 60 ms 482 (more decodes started
     * at gaps between words, each one the real turn must wait behind). */
    ecfg.pause_ms = 100;
    k.ep = endpoint_create(&ecfg);
    if (o.denoise) k.dn = denoise_create();

    k.rec.asr = k.L.asr;
    k.rec.menu = menu;
    k.rec.done_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (k.rec.done_fd < 0) {
        strlist_pushf(&errs, "kiosk run: cannot make an eventfd: %s", strerror(errno));
        status = EXIT_RUNTIME;
        goto out;
    }
    pthread_mutex_init(&k.rec.mu, NULL);
    pthread_cond_init(&k.rec.cv, NULL);
    if (pthread_create(&k.rec.thread, NULL, recog_main, &k.rec) != 0) {
        strlist_pushf(&errs, "kiosk run: cannot start the recogniser thread");
        status = EXIT_RUNTIME;
        goto out;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    if (!o.headless || o.board_png) {
        if (!(k.L.board = board_create(o.board_w, o.board_h, err, sizeof err))) {
            strlist_pushf(&errs, "kiosk run: order board: %s", err);
            status = EXIT_RUNTIME;
            goto out;
        }
        k.L.board_dirty = 1;
    }
    if (!o.headless && !(k.L.win = window_open(menu->title, o.board_w, o.board_h, 0, err, sizeof err)))
        fprintf(stderr, "kiosk run: %s; running headless\n", err);
    signal(SIGPIPE, SIG_IGN);   /* a reader of standard output that went away is counted, not fatal */
    k.L.out = outq_open(STDOUT_FILENO, OUT_QUEUE_MAX);
    status = run_loop(&k);
    if (k.L.car && lane_car_leaves(&k.L, "stopped") < 0 && !status) status = EXIT_RUNTIME;
    unsigned long out_lost = 0;
    if (k.L.out) {
        out_lost = outq_close(k.L.out, 2.0);
        k.L.out = NULL;
    }
    fprintf(stderr, "kiosk run: stopped: %d cars, %d turns (%d decoded speculatively), %lu samples "
                    "lost to overruns, %lu lines of standard output dropped\n", k.L.cars, k.turns_decoded,
            k.speculative_used, k.L.dev ? device_overruns(k.L.dev) : 0UL, out_lost);

    pthread_mutex_lock(&k.rec.mu);
    k.rec.stop = 1;
    pthread_cond_signal(&k.rec.cv);
    pthread_mutex_unlock(&k.rec.mu);
    pthread_join(k.rec.thread, NULL);
    free(k.rec.next.pcm);
    free(k.rec.next.answer);
    result_clear(&k.rec.done);
    pthread_mutex_destroy(&k.rec.mu);
    pthread_cond_destroy(&k.rec.cv);
out:
    for (int i = 0; i < errs.n; i++) fprintf(stderr, "%s\n", errs.v[i]);
    strlist_free(&errs);
    if (k.rec.done_fd > 0) close(k.rec.done_fd);
    lane_free(&k.L);
    loop_free(k.loop);
    window_close(k.L.win);
    crew_server_close(k.L.crew);
    board_free(k.L.board);
    endpoint_free(k.ep);
    denoise_free(k.dn);
    store_close(k.L.store);
    asr_free(k.L.asr);
    voice_free(k.L.voice);
    device_close(k.L.dev);
    menu_free(menu);
    cmudict_free(dict);
    return status;
}

int cmd_devices(int argc, char **argv)
{
    if (cmd_wants_help(argc, argv)) {
        puts("usage: kiosk devices\n  Lists the audio input and output devices PortAudio sees; "
             "`kiosk run --input/--output` take an index or a name from this list.");
        return 0;
    }
    if (argc > 1) {
        fprintf(stderr, "kiosk devices: unexpected argument \"%s\"\n", argv[1]);
        return EXIT_BADINPUT;
    }
    char err[512];
    if (device_list(stdout, err, sizeof err) < 0) {
        fprintf(stderr, "kiosk devices: %s\n", err);
        return EXIT_RUNTIME;
    }
    return 0;
}
