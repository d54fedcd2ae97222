/* cmd_run.c: `kiosk run`, the drive-through, and `kiosk devices`.
 *
 * One thread owns the core and runs the event loop below; recognition runs on
 * its own thread; PortAudio's callbacks only fill rings (device.h).
 *
 *   microphone -> device_read (16 kHz) -> [denoise] -> endpoint -> turn audio
 *        turn audio -> recogniser thread (asr_decode_early) -> result
 *        result -> session_apply (dialog, store) -> events, voice
 *   timers: no_response (the customer does not answer), car gone (no speech
 *           for a long time), device check (the microphone went away)
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
 * - Without a speaker post (--no-post, the only mode until the post's
 *   firmware lands), speech onset starts a car.  The customer is already
 *   speaking, so the greeting is not spoken over them: it opens the kiosk's
 *   first answer instead ("Welcome to Burger Barn! Two cheeseburgers...").
 * - Recognition starts speculatively when the customer pauses (EP_PAUSE,
 *   100 ms of silence) on the audio so far; if they go on speaking the
 *   result is dropped, and if the pause becomes the endpoint the result is
 *   (nearly) ready.  The passes of the recogniser share one decoder, so they
 *   cannot each follow the audio as it comes.
 * - Patience (src/DECISIONS.md, 2026-12-07): a customer quiet for --nudge
 *   seconds after the kiosk spoke is told "Take your time." and the question
 *   again, once; quiet --no-response seconds more, an order with something
 *   in it pages no_response.  An empty car (no speaker post: noise may have
 *   started it) quiet for --car-gone seconds has left.  A car whose order is
 *   the crew's or that has an open page never leaves by silence: only the
 *   crew (confirm, cancel, gone) ends it.
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
#include "session.h"

/* After a car leaves, its board ("Thank you, please pull forward" and the
 * order) stays up this long, then the board says Welcome. */
#define BOARD_LINGER_S 8.0
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

static double wall_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static double mono_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

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

/* ---- events ------------------------------------------------------------- */

typedef struct {
    const run_opts_t *o;
    const menu_t *menu;
    asr_t *asr;
    store_t *store;
    device_t *dev;
    voice_t *voice;
    endpoint_t *ep;
    denoise_t *dn;
    recog_t rec;

    session_t *car;           /* NULL: no car at the post */
    int cars;                 /* cars so far (the events' "car") */
    int greet;                /* the next answer opens with the greeting */
    double last_activity;     /* mono: the customer's speech or the kiosk's voice ended */
    int paged_no_response;
    int nudged;               /* "Take your time" said since the customer last spoke */
    int applied_turn;         /* the turn the crew's "apply" took, 0 none */
    page_reason_t page_reason;   /* of the open page */

    int job;                  /* the newest job number */
    int spec_job;             /* a speculative job still valid for the open turn, 0 none */
    int await_job;            /* the job whose result the loop waits for, 0 none */
    double turn_end;          /* mono: when the awaited turn's endpoint was reached */
    long await_ms;            /* its audio length */
    int turns_decoded, speculative_used;
    double mute_until;        /* mono: not listening before this (the voice's tail) */
    double fault_since;       /* mono: the device is down since, 0 when up */
    double next_reopen;
    int listening;            /* the microphone has delivered (logged once) */
    board_t *board;
    window_t *win;
    int board_dirty;          /* the view changed: draw before the next frame */
    order_t no_order;         /* what the board shows between cars: the last car's order
                                 while linger_until, then nothing */
    double linger_until;      /* mono: the last car's board stays up until then */
    crew_server_t *crew;
    escalation_t esc;
    int taken_over;           /* the crew took the car: the kiosk does not speak */
    int talking;              /* the crew's headset talk button is held */
    outq_t *out;              /* standard output's writer (out_line) */
    unsigned long out_dropped_seen;
    double ev_t;              /* the event being made: its time and type (ev_begin) */
    const char *ev_type;
    unsigned long overruns_seen;   /* device_overruns() at the last check */
    double overrun_check;
} kiosk_t;

/* Standard output (the --events reader, or a person) never holds up the
 * lane: lines go through a writer thread, and a reader that stops reading
 * loses lines, counted, rather than the lane its audio. */
static void out_line(kiosk_t *k, const char *line, size_t n)
{
    if (k->out) {
        outq_put(k->out, line, n);
        return;
    }
    fwrite(line, 1, n, stdout);   /* no writer thread: the lane waits rather than loses */
    fflush(stdout);
}

/* Every event line is made here: ev_begin opens the object, the caller adds
 * its fields, ev_end closes it and hands the same complete line to the crew
 * stations, the store and --events. */
static void ev_begin(kiosk_t *k, strbuf_t *b, const char *type)
{
    k->ev_t = wall_now();
    k->ev_type = type;
    strbuf_printf(b, "{\"t\": %.3f, \"event\": ", k->ev_t);
    strbuf_json_str(b, type);
    if (k->car) strbuf_printf(b, ", \"car\": %d", k->cars);
}

static void ev_end(kiosk_t *k, strbuf_t *b)
{
    k->board_dirty = 1;
    strbuf_append(b, "}");
    const char *line = strbuf_cstr(b);
    if (k->crew) crew_server_broadcast(k->crew, line, 0);
    char err[512];
    if (k->store && store_event(k->store, k->car ? session_store_car(k->car) : 0, k->ev_t, k->ev_type, line,
                                err, sizeof err) < 0)
        fprintf(stderr, "kiosk run: %s\n", err);
    if (k->o->events) {
        strbuf_append(b, "\n");
        out_line(k, strbuf_cstr(b), b->len);
    }
    strbuf_free(b);
}

/* A line for the person watching a headless kiosk without --events. */
static void say_log(kiosk_t *k, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say_log(kiosk_t *k, const char *fmt, ...)
{
    if (k->o->events) return;
    strbuf_t b = {0};
    va_list ap;
    va_start(ap, fmt);
    strbuf_vprintf(&b, fmt, ap);
    va_end(ap);
    strbuf_append(&b, "\n");
    out_line(k, strbuf_cstr(&b), b.len);
    strbuf_free(&b);
}

/* Queues text for the loudspeaker; returns how long it will speak, in ms. */
static long speak(kiosk_t *k, const char *text)
{
    if (!text || !*text || k->taken_over || k->talking) return 0;
    say_log(k, "  kiosk: %s", text);
    if (!k->voice || !k->dev) return 0;
    int16_t *pcm = NULL;
    size_t n = 0;
    char err[256];
    if (voice_say(k->voice, text, &pcm, &n, err, sizeof err) < 0 ||
        device_play(k->dev, pcm, n, err, sizeof err) < 0)
        fprintf(stderr, "kiosk run: %s\n", err);
    free(pcm);
    long ms = (long)(n * 1000 / 16000);
    strbuf_t b = {0};
    ev_begin(k, &b, "say");
    strbuf_append(&b, ", \"text\": ");
    strbuf_json_str(&b, text);
    strbuf_printf(&b, ", \"ms\": %ld", ms);
    ev_end(k, &b);
    return ms;
}

static void ev_page(kiosk_t *k, page_reason_t why, int turn, const char *heard, const char *free_text)
{
    strbuf_t b = {0};
    ev_begin(k, &b, "page");
    strbuf_printf(&b, ", \"turn\": %d, \"reason\": ", turn);
    strbuf_json_str(&b, page_reason_names[why]);
    strbuf_append(&b, ", \"heard\": ");
    strbuf_json_str(&b, heard);
    strbuf_append(&b, ", \"free_text\": ");
    strbuf_json_str(&b, free_text);
    ev_end(k, &b);
    if (!k->esc.open) k->page_reason = why;   /* the one the crew is late for */
    esc_raise(&k->esc, mono_now());
    say_log(k, "  PAGE crew: %s", view_reason_words(page_reason_names[why]));
}

static void ev_order(kiosk_t *k, const char *type)
{
    strbuf_t b = {0};
    ev_begin(k, &b, type);
    strbuf_append(&b, ", \"order\": ");
    order_json(dialog_order(session_dialog(k->car)), &b);
    ev_end(k, &b);
}

static int car_arrives(kiosk_t *k)
{
    k->linger_until = 0;
    char err[512];
    dialog_config_t cfg = { .confidence_threshold = k->o->threshold };
    k->car = session_create(k->menu, k->asr, k->store, &cfg, wall_now(), err, sizeof err);
    if (!k->car) {
        fprintf(stderr, "kiosk run: %s\n", err);
        return -1;
    }
    k->cars++;
    k->greet = 1;
    k->paged_no_response = 0;
    k->nudged = 0;
    k->applied_turn = 0;
    strbuf_t b = {0};
    ev_begin(k, &b, "car");
    strbuf_append(&b, ", \"state\": \"arrived\"");
    ev_end(k, &b);
    say_log(k, "car %d arrived", k->cars);
    return 0;
}

static int car_leaves(kiosk_t *k, const char *why)
{
    char err[512];
    int rc = session_end(k->car, wall_now(), err, sizeof err);
    if (rc < 0) fprintf(stderr, "kiosk run: %s\n", err);
    const order_t *o = dialog_order(session_dialog(k->car));
    if (k->board) {   /* "Thank you, please pull forward" stays up while the car pulls away */
        order_copy(&k->no_order, o);
        k->linger_until = mono_now() + BOARD_LINGER_S;
    }
    strbuf_t b = {0};
    ev_begin(k, &b, "car");
    strbuf_append(&b, ", \"state\": \"left\", \"why\": ");
    strbuf_json_str(&b, why);
    strbuf_append(&b, ", \"status\": ");
    strbuf_json_str(&b, order_status_names[o->status]);
    strbuf_printf(&b, ", \"total_cents\": %ld", order_total_cents(o));
    ev_end(k, &b);
    say_log(k, "car %d left (%s): order %s", k->cars, why, order_status_names[o->status]);
    session_free(k->car);
    k->car = NULL;
    k->taken_over = 0;
    return rc;
}

/* A recognised turn goes through the dialog; what changed goes out. */
static int apply_turn(kiosk_t *k, result_t *res)
{
    char err[512];
    const dialog_t *d = session_dialog(k->car);
    strbuf_t before = {0}, after = {0};
    order_json(dialog_order(d), &before);
    dialog_state_t was = dialog_state(d);
    if (session_apply(k->car, "mic", k->await_ms, &res->r, wall_now(), err, sizeof err) < 0) {
        fprintf(stderr, "kiosk run: %s\n", err);
        strbuf_free(&before);
        return -1;
    }
    double delay_ms = (mono_now() - k->turn_end) * 1000.0;
    int nt = session_nturns(k->car);
    const session_turn_t *t = session_turn(k->car, nt - 1);

    strbuf_t b = {0};
    ev_begin(k, &b, "turn");
    strbuf_printf(&b, ", \"turn\": %d, \"audio_ms\": %ld, \"decode_ms\": %.1f, \"endpoint_ms\": %.1f, "
                      "\"heard\": ", nt, t->audio_ms, t->decode_ms, delay_ms);
    strbuf_json_str(&b, t->heard);
    strbuf_append(&b, ", \"free_text\": ");
    strbuf_json_str(&b, t->free_text);
    strbuf_printf(&b, ", \"confidence\": %.2f, \"said\": ", t->confidence);
    /* what the loudspeaker said: nothing while the crew holds the car */
    strbuf_json_str(&b, k->taken_over || k->talking ? "" : t->said);
    strbuf_append(&b, ", \"page\": ");
    if (t->page == PAGE_NONE) strbuf_append(&b, "null");
    else strbuf_json_str(&b, page_reason_names[t->page]);
    ev_end(k, &b);
    say_log(k, "  heard: %s  (free text: %s; confidence %.2f; ready %.0f ms after the endpoint)",
            *t->heard ? t->heard : "(nothing on the menu)", t->free_text, t->confidence, delay_ms);

    order_json(dialog_order(d), &after);
    int changed = strcmp(strbuf_cstr(&before), strbuf_cstr(&after)) != 0;
    /* a confirmation has its own event below, with the order */
    if (changed && dialog_state(d) != DIALOG_CONFIRMED) ev_order(k, "order");
    strbuf_free(&before);
    strbuf_free(&after);
    if (t->page != PAGE_NONE) ev_page(k, t->page, nt, t->heard, t->free_text);

    strbuf_t say = {0};
    if (k->greet && t->page == PAGE_NONE && !changed && dialog_state(d) == was) {
        /* "hello" or a cough opened the car: greet rather than apologise */
        strbuf_append(&say, dialog_greeting(d));
    } else {
        /* the customer spoke first: the welcome opens the answer */
        if (k->greet && t->page == PAGE_NONE)
            strbuf_printf(&say, "Welcome to %s! ", k->menu->title ? k->menu->title : "our drive-through");
        strbuf_append(&say, t->said);
    }
    k->greet = 0;
    k->nudged = 0;
    speak(k, strbuf_cstr(&say));
    strbuf_free(&say);

    if (was != DIALOG_CONFIRMED && dialog_state(d) == DIALOG_CONFIRMED) {
        ev_order(k, "confirmed");
        return car_leaves(k, "confirmed");
    }
    return 0;
}

/* A page from a timer or a device, with or without a car. */
static void outside_page(kiosk_t *k, page_reason_t why)
{
    if (!k->car) {
        ev_page(k, why, 0, "", "");
        return;
    }
    char err[512];
    const char *said = "";
    if (session_page(k->car, why, wall_now(), &said, err, sizeof err) < 0)
        fprintf(stderr, "kiosk run: %s\n", err);
    ev_page(k, why, session_nturns(k->car), "", "");
    ev_order(k, "order");
    speak(k, said);
}

/* ---- the order board ----------------------------------------------------- */

static void board_update(kiosk_t *k)
{
    k->board_dirty = 0;
    if (!k->board) return;
    board_view_t v = { k->menu->title, &k->no_order, BOARD_WELCOME, NULL };
    if (k->linger_until && k->no_order.status == ORDER_CONFIRMED) v.banner = BOARD_THANKS;
    if (k->car) {
        const dialog_t *d = session_dialog(k->car);
        v.order = dialog_order(d);
        v.banner = board_banner_for(dialog_state(d), 1);
        int n = session_nturns(k->car);
        const session_turn_t *t = n ? session_turn(k->car, n - 1) : NULL;
        v.heard = !t ? NULL : *t->heard ? t->heard : t->free_text;   /* the words just heard */
    }
    if (k->talking) v.banner = BOARD_TEAM_SPEAKING;
    board_draw(k->board, &v);
    int w, h, pitch;
    const uint32_t *px = board_pixels(k->board, &w, &h, &pitch);
    window_show(k->win, px, w, h, pitch);
    char err[512];
    if (k->o->board_png && board_save_png(k->board, k->o->board_png, err, sizeof err) < 0)
        fprintf(stderr, "kiosk run: --board %s\n", err);
}

/* ---- the crew station --------------------------------------------------- */

static void ev_override(kiosk_t *k, const char *kind, int down)
{
    strbuf_t b = {0};
    ev_begin(k, &b, "override");
    strbuf_append(&b, ", \"kind\": ");
    strbuf_json_str(&b, kind);
    if (!strcmp(kind, "talk")) strbuf_printf(&b, ", \"down\": %s", down ? "true" : "false");
    ev_end(k, &b);
    say_log(k, "  crew: %s%s", kind, !strcmp(kind, "talk") ? (down ? " (button down)" : " (released)") : "");
}

/* A station that just connected: where things stand, to it alone. */
static void hello(kiosk_t *k, int client)
{
    strbuf_t b = {0};
    ev_begin(k, &b, "state");
    strbuf_append(&b, ", \"lane\": ");
    strbuf_json_str(&b, k->o->lane);
    strbuf_append(&b, ", \"menu\": ");
    strbuf_json_str(&b, k->menu->title ? k->menu->title : "");
    strbuf_printf(&b, ", \"taken_over\": %s, \"talking\": %s, \"page\": ", k->taken_over ? "true" : "false",
                  k->talking ? "true" : "false");
    if (k->esc.open) {
        strbuf_append(&b, "{\"reason\": ");
        strbuf_json_str(&b, page_reason_names[k->page_reason]);
        strbuf_printf(&b, ", \"age_s\": %.1f}", mono_now() - k->esc.raised);
    } else {
        strbuf_append(&b, "null");
    }
    if (k->car) {
        strbuf_append(&b, ", \"order\": ");
        order_json(dialog_order(session_dialog(k->car)), &b);
    }
    strbuf_append(&b, "}");
    crew_server_reply(k->crew, client, strbuf_cstr(&b));
    strbuf_free(&b);
}

/* One action from a crew station: applied, the board redrawn at once, and
 * the station told how long the board took (the action-to-board delay). */
static void on_crew(void *ctx, int client, int manager, const crew_msg_t *m)
{
    (void)manager;
    kiosk_t *k = ctx;
    double t0 = mono_now();
    const char *why = NULL;
    int rc = 0, leave = 0;
    if (m->kind == CREW_AUTH) {
        hello(k, client);
        return;
    }
    dialog_t *d = k->car ? session_dialog_rw(k->car) : NULL;
    if (!d && m->kind != CREW_ACK && m->kind != CREW_TALK) {
        why = "no car at the post";
        rc = -1;
    } else switch (m->kind) {
    case CREW_ACK: {
        double waited = esc_ack(&k->esc, t0);
        if (waited < 0) {
            why = "no page is waiting";
            rc = -1;
            break;
        }
        strbuf_t b = {0};
        ev_begin(k, &b, "ack");
        strbuf_printf(&b, ", \"after_s\": %.1f", waited);
        ev_end(k, &b);
        break;
    }
    case CREW_TAKE_OVER:
        if ((rc = dialog_take_over(d, &why)) == 0) {
            k->taken_over = 1;
            if (k->dev) device_hush(k->dev);
            ev_override(k, "take_over", 0);
            ev_order(k, "order");
        }
        break;
    case CREW_HAND_BACK:
        if ((rc = dialog_hand_back(d, &why)) == 0) {
            k->taken_over = 0;
            k->paged_no_response = 0;   /* the kiosk's patience starts afresh */
            k->nudged = 0;
            k->last_activity = t0;
            ev_override(k, "hand_back", 0);
            ev_order(k, "order");
        }
        break;
    case CREW_EDIT:
        if ((rc = dialog_crew_edit(d, m->say, &why)) == 0) ev_order(k, "order");
        break;
    case CREW_REMOVE:
        if ((rc = dialog_crew_remove(d, m->line - 1, &why)) == 0) ev_order(k, "order");
        break;
    case CREW_CONFIRM:
        if ((rc = dialog_crew_confirm(d, &why)) == 0) {
            ev_order(k, "confirmed");
            k->taken_over = 0;     /* the car is leaving: the kiosk sees it off */
            speak(k, "Thank you! Please pull forward to the window.");
            leave = 1;
        }
        break;
    case CREW_CANCEL:
        if ((rc = dialog_crew_cancel(d, &why)) == 0) {
            ev_order(k, "order");
            leave = 1;
        }
        break;
    case CREW_GONE:   /* the car drove off: its order is kept as it stands */
        dialog_car_left(d);
        leave = 1;
        break;
    case CREW_APPLY: {
        int n = session_nturns(k->car);
        const session_turn_t *t = n ? session_turn(k->car, n - 1) : NULL;
        if (!t || !*t->heard) {
            why = "the customer's last turn had nothing from the menu: add what they want";
            rc = -1;
        } else if ((t->page != PAGE_LOW_CONFIDENCE && t->page != PAGE_OUT_OF_MENU) || k->applied_turn == n) {
            why = "the customer's last turn is in the order already";
            rc = -1;
        } else if ((rc = dialog_crew_edit(d, t->heard, &why)) == 0) {
            k->applied_turn = n;
            ev_order(k, "order");
        }
        break;
    }
    case CREW_TALK:
        if (m->down == k->talking) {
            why = m->down ? "the talk button is already down" : "the talk button is not down";
            rc = -1;
            break;
        }
        k->talking = m->down;
        if (k->talking && k->dev) device_hush(k->dev);
        ev_override(k, "talk", m->down);
        break;
    default:
        why = "not an action";
        rc = -1;
    }
    /* a crew member acting on the car has seen the page: it stops escalating */
    if (rc == 0 && m->kind != CREW_ACK && m->kind != CREW_TALK && k->esc.open) {
        double waited = esc_ack(&k->esc, mono_now());
        strbuf_t b = {0};
        ev_begin(k, &b, "ack");
        strbuf_printf(&b, ", \"after_s\": %.1f, \"by\": ", waited);
        strbuf_json_str(&b, crew_kind_names[m->kind]);
        ev_end(k, &b);
    }
    if (leave && car_leaves(k, m->kind == CREW_CONFIRM ? "confirmed" : m->kind == CREW_GONE ? "gone" : "cancelled") < 0)
        fprintf(stderr, "kiosk run: the store failed at the end of a car\n");
    strbuf_t r = {0};
    if (rc < 0) {
        strbuf_append(&r, "{\"error\": ");
        strbuf_json_str(&r, why ? why : "refused");
        strbuf_append(&r, "}");
    } else {
        board_update(k);
        strbuf_append(&r, "{\"ok\": ");
        strbuf_json_str(&r, crew_kind_names[m->kind]);
        strbuf_printf(&r, ", \"board_ms\": %.2f}", (mono_now() - t0) * 1000.0);
    }
    crew_server_reply(k->crew, client, strbuf_cstr(&r));
    strbuf_free(&r);
}

static void escalate(kiosk_t *k, double now)
{
    esc_level_t lvl = esc_tick(&k->esc, now);
    if (lvl == ESC_NONE) return;
    strbuf_t b = {0};
    ev_begin(k, &b, "escalate");
    strbuf_append(&b, ", \"level\": ");
    strbuf_json_str(&b, esc_level_names[lvl]);
    strbuf_printf(&b, ", \"after_s\": %.1f", now - k->esc.raised);
    ev_end(k, &b);
    say_log(k, "  PAGE not acknowledged after %.0f s: %s", now - k->esc.raised,
            lvl == ESC_MANAGER ? "sent to the manager" : "chiming again");
}

/* ---- audio in --------------------------------------------------------------- */

static void on_frame(kiosk_t *k, int16_t *frame, double now)
{
    if (k->talking) {                      /* the crew is speaking to the car */
        endpoint_mute(k->ep);
        k->last_activity = now;
        return;
    }
    if (device_playing(k->dev) > 0 || now < k->mute_until) {
        endpoint_mute(k->ep);
        if (device_playing(k->dev) > 0) {
            k->mute_until = now + 0.25;    /* the loudspeaker's own latency */
            k->last_activity = now + 0.25;
        }
        return;
    }
    if (k->dn) denoise_frame(k->dn, frame);
    ep_event_t ev = endpoint_feed(k->ep, frame);
    size_t n;
    const int16_t *pcm;
    switch (ev) {
    case EP_ONSET:
        if (!k->car && car_arrives(k) < 0) return;
        k->spec_job = 0;
        say_log(k, "  (listening)");
        break;
    case EP_PAUSE:
        pcm = endpoint_turn(k->ep, &n);
        k->spec_job = ++k->job;
        recog_submit(&k->rec, k->spec_job, pcm, n, k->car ? session_answer(k->car) : NULL);
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
            recog_submit(&k->rec, k->await_job, pcm, n, k->car ? session_answer(k->car) : NULL);
        }
        k->spec_job = 0;
        k->turn_end = now;
        k->await_ms = (long)(n * 1000 / 16000);
        k->last_activity = now;
        endpoint_reset(k->ep);
        break;
    default:
        break;
    }
    if (endpoint_in_turn(k->ep)) k->last_activity = now;
}

/* The car is the crew's: they took it, it was paged to them, or a page is
 * open.  Such a car never leaves by silence (a customer waiting for a person
 * is silent). */
static int crew_owns(const kiosk_t *k)
{
    return k->taken_over || k->esc.open || dialog_state(session_dialog(k->car)) == DIALOG_CREW;
}

/* The customer is quiet: once "Take your time" and the question again, then
 * a page for an order with something in it, or, for an empty car, it left.
 * -1 when the store failed as the car left. */
static int patience(kiosk_t *k, double now)
{
    const dialog_t *d = session_dialog(k->car);
    if (crew_owns(k) || !dialog_waiting(d)) return 0;
    double quiet = now - k->last_activity;
    if (k->o->nudge > 0 && !k->nudged) {
        if (quiet >= k->o->nudge) {
            k->nudged = 1;
            long ms = speak(k, dialog_nudge(session_dialog_rw(k->car)));
            k->last_activity = now + ms / 1000.0;
        }
        return 0;
    }
    if (dialog_order(d)->nlines == 0) {
        if (quiet < k->o->car_gone) return 0;
        dialog_car_left(session_dialog_rw(k->car));
        return car_leaves(k, "gone");
    }
    if (quiet >= k->o->no_response && !k->paged_no_response) {
        k->paged_no_response = 1;
        outside_page(k, PAGE_NO_RESPONSE);
    }
    return 0;
}

static volatile sig_atomic_t stopping;
static void on_signal(int sig)
{
    (void)sig;
    stopping = 1;
}

static int reopen(kiosk_t *k, double now)
{
    if (now < k->next_reopen) return 0;
    k->next_reopen = now + 2.0;
    char err[512];
    device_t *d = device_open(k->o->input, k->o->output, err, sizeof err);
    if (!d) return 0;
    k->dev = d;
    k->overruns_seen = 0;
    fprintf(stderr, "kiosk run: audio back after %.1f s: %s\n", now - k->fault_since, device_describe(d));
    k->fault_since = 0;
    endpoint_mute(k->ep);
    return 1;
}

static int loop(kiosk_t *k)
{
    int16_t buf[1600], frame[EP_FRAME];
    size_t have = 0;
    double start = mono_now();
    k->last_activity = start;
    int status = 0;
    while (!stopping && !status) {
        double now = mono_now();
        if (k->o->run_for > 0 && now - start >= k->o->run_for) break;

        if (k->fault_since) {
            if (!reopen(k, now)) {
                usleep(20000);
                continue;
            }
        } else if (!device_alive(k->dev)) {
            fprintf(stderr, "kiosk run: audio: the microphone stopped (%s); paging the crew and "
                            "reopening it every 2 s\n", device_describe(k->dev));
            device_close(k->dev);
            k->dev = NULL;
            k->fault_since = now;
            k->next_reopen = now + 2.0;
            outside_page(k, PAGE_DEVICE_FAULT);
            continue;
        }

        if (!k->listening && device_started(k->dev)) {
            k->listening = 1;
            fprintf(stderr, "kiosk run: listening (%s, trailing silence %d ms)\n", k->menu->title,
                    k->o->trailing_ms);
        }
        size_t got = device_read(k->dev, buf, sizeof buf / sizeof buf[0]);
        for (size_t i = 0; i < got; i++) {
            frame[have++] = buf[i];
            if (have == EP_FRAME) {
                on_frame(k, frame, now);
                have = 0;
            }
        }

        if (k->await_job) {
            result_t res;
            if (recog_take(&k->rec, k->await_job, &res)) {
                k->await_job = 0;
                k->turns_decoded++;
                if (res.failed) {
                    fprintf(stderr, "kiosk run: %s\n", res.err);
                    status = EXIT_RUNTIME;
                } else if (k->car && apply_turn(k, &res) < 0) {
                    status = EXIT_RUNTIME;
                }
                result_clear(&res);
                k->last_activity = mono_now();
            }
        } else if (k->spec_job == 0) {
            /* drop a finished speculative result nobody waits for */
            result_t res;
            if (recog_take(&k->rec, -1, &res)) result_clear(&res);
        }

        if (k->car && !k->await_job && !endpoint_in_turn(k->ep) && device_playing(k->dev) == 0 &&
            now >= k->mute_until && patience(k, now) < 0)
            status = EXIT_RUNTIME;
        if (k->dev && now - k->overrun_check >= 1.0) {
            unsigned long lost = device_overruns(k->dev);
            if (lost > k->overruns_seen)
                fprintf(stderr, "kiosk run: audio: %lu samples lost (the kiosk fell behind the "
                                "microphone); listening goes on\n", lost - k->overruns_seen);
            k->overruns_seen = lost;
            k->overrun_check = now;
        }
        if (k->out && outq_dropped(k->out) > k->out_dropped_seen) {
            unsigned long d = outq_dropped(k->out);
            fprintf(stderr, "kiosk run: standard output is not being read: %lu line%s dropped (%lu in all); "
                            "the lane goes on\n", d - k->out_dropped_seen, d - k->out_dropped_seen == 1 ? "" : "s", d);
            k->out_dropped_seen = d;
        }
        if (k->crew) crew_server_poll(k->crew, on_crew, k, stderr);
        escalate(k, now);
        if (k->linger_until && now >= k->linger_until && !k->car) {
            k->linger_until = 0;
            order_clear(&k->no_order);
            k->board_dirty = 1;
        }
        if (k->board_dirty) board_update(k);
        if (window_poll(k->win)) break;
        if (!got) usleep(5000);
    }
    return status;
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
    k.menu = menu;
    strlist_t warns = {0};   /* a combo that stops selling: the manager should know at start too */
    menu_warnings(menu, &warns);
    for (int i = 0; i < warns.n; i++) fprintf(stderr, "kiosk run: %s\n", warns.v[i]);
    strlist_free(&warns);

    /* The device first: without a microphone nothing else is worth loading. */
    k.dev = device_open(o.input, o.output, err, sizeof err);
    if (!k.dev) {
        status = no_device(err);
        goto out;
    }
    fprintf(stderr, "kiosk run: audio: %s\n", device_describe(k.dev));
    if (strcmp(o.output ? o.output : "", "none") &&
        !(k.voice = voice_create(o.voice, 0, err, sizeof err))) {
        strlist_pushf(&errs, "kiosk run: %s", err);
        status = EXIT_RUNTIME;
        goto out;
    }
    asr_config_t acfg = { .free_pass = 1 };
    k.asr = session_asr(&acfg, menu, &dict, err, sizeof err);
    if (!k.asr) {
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
    if (!(k.store = store_open(o.db, err, sizeof err))) {
        strlist_pushf(&errs, "kiosk run: %s", err);
        status = EXIT_RUNTIME;
        goto out;
    }
    esc_init(&k.esc);
    k.esc.remind_s = o.remind_s;
    k.esc.manager_s = o.manager_s;
    if (!(k.crew = crew_server_open(o.crew_socket, o.crew_port, o.crew_token, err, sizeof err))) {
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

    k.rec.asr = k.asr;
    k.rec.menu = menu;
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
        if (!(k.board = board_create(o.board_w, o.board_h, err, sizeof err))) {
            strlist_pushf(&errs, "kiosk run: order board: %s", err);
            status = EXIT_RUNTIME;
            goto out;
        }
        k.board_dirty = 1;
        order_init(&k.no_order, menu);
    }
    if (!o.headless && !(k.win = window_open(menu->title, o.board_w, o.board_h, 0, err, sizeof err)))
        fprintf(stderr, "kiosk run: %s; running headless\n", err);
    signal(SIGPIPE, SIG_IGN);   /* a reader of standard output that went away is counted, not fatal */
    k.out = outq_open(STDOUT_FILENO, OUT_QUEUE_MAX);
    status = loop(&k);
    if (k.car && car_leaves(&k, "stopped") < 0 && !status) status = EXIT_RUNTIME;
    unsigned long out_lost = 0;
    if (k.out) {
        out_lost = outq_close(k.out, 2.0);
        k.out = NULL;
    }
    fprintf(stderr, "kiosk run: stopped: %d cars, %d turns (%d decoded speculatively), %lu samples "
                    "lost to overruns, %lu lines of standard output dropped\n", k.cars, k.turns_decoded,
            k.speculative_used, k.dev ? device_overruns(k.dev) : 0UL, out_lost);

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
    if (k.car) session_free(k.car);
    window_close(k.win);
    crew_server_close(k.crew);
    if (k.board) order_free(&k.no_order);
    board_free(k.board);
    endpoint_free(k.ep);
    denoise_free(k.dn);
    store_close(k.store);
    asr_free(k.asr);
    voice_free(k.voice);
    device_close(k.dev);
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
