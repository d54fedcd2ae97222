/* cmd_run.c: `kiosk run`, the drive-through live, and `kiosk devices`: the
 * wiring of one lane on one event loop (src/util/loop.c):
 *
 *   the microphone's turns (source_mic.c) -> lane_io_turn
 *   crew sockets -> crew_server_poll -> lane_io_crew
 *   one timer: the lane's timers (lane_tick: escalation, the customer's
 *        silences, the board's linger), the crew server's time-outs, the
 *        window's events, a stop signal
 *   the lane's decisions (src/dialog/lane.c) carried out by lane_io.c on the
 *        loudspeaker, the board and its window, the crew stations, the
 *        store and standard output
 *   the menu file's folder and SIGHUP -> menu_watch.c (reloads, a new
 *        recogniser built on its thread for new words, lane_menu)
 *   --post: the speaker post's serial line -> src/post/post.c -> lane_io_post_*
 *        (the loop, the buttons, its link), and the lamp back to it */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../audio/keeper.h"
#include "../post/post.h"
#include "../store/menus.h"
#include "commands.h"
#include "hear.h"
#include "lane_io.h"
#include "menu_watch.h"
#include "source.h"

/* Standard output's lines waiting for a slow reader, at most (about 3000 events). */
#define OUT_QUEUE_MAX (1 << 20)

static const char usage[] =
    "usage: kiosk run [--menu F] [--db F] [--db-group G] [--input DEV] [--output DEV] [--post TTY]\n"
    "                 [--crew-audio DEV]\n"
    "                 [--headless] [--events] [--no-post] [--threshold T]\n"
    "                 [--trailing-ms MS] [--nudge S] [--no-response S] [--car-gone S] [--voice V]\n"
    "                 [--denoise] [--board PNG] [--board-size WxH] [--for S]\n"
    "                 [--crew-socket PATH] [--crew-port N] [--crew-token FILE]\n"
    "                 [--escalate S1,S2] [--lane NAME] [--keep-audio DAYS]\n"
    "                 [--mqtt HOST[:PORT]] [--store NAME] [--half-duplex] [--echo-check S]\n"
    "                 [--no-answer-ahead]\n"
    "  The drive-through: listens on the microphone, answers out loud, takes the\n"
    "  order and pages the crew.  Stop it with Ctrl-C (or SIGTERM): the car at the\n"
    "  post ends as \"stopped\".\n"
    "  --menu F        the menu (default " DEFAULT_MENU "); saving it, or SIGHUP, reloads it:\n"
    "                  the next car gets it, what it sells out applies at once; a broken\n"
    "                  one is refused with its errors.  Started with a broken file, the\n"
    "                  kiosk runs on the last good menu the --db keeps\n"
    "  --db F          where cars, turns and pages are recorded (default " DEFAULT_DB "),\n"
    "                  made readable by its owner alone (0600)\n"
    "  --db-group G    a new database readable by group G too (0640), for kiosk report\n"
    "  --input DEV     microphone: an index or (part of) a name from `kiosk devices`\n"
    "  --output DEV    loudspeaker, likewise; \"none\" for a silent kiosk\n"
    "  --crew-audio DEV  the crew's headset base (its audio input), likewise: every page\n"
    "                  plays there as a chime and the page in words (\"Lane 1: asked for a\n"
    "                  person.\"), again on escalation (two chimes for the manager); the\n"
    "                  crew's acknowledgement stops it\n"
    "  --post TTY      the speaker post's serial line (38400 8N1): cars start at its\n"
    "                  vehicle loop, greeted at once, and end when they leave it; its\n"
    "                  help button pages the crew, the headset's talk button talks to\n"
    "                  the car; the lamp shows what the kiosk is doing.  If the post\n"
    "                  stops answering for 3 s the crew is paged and cars start on\n"
    "                  speech until it answers (README: \"Speaker post\")\n"
    "  --no-post       no speaker post: speech starts a car (the default)\n"
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
    "  --keep-audio DAYS  keep each turn's recording this long, in the folder audio/ beside\n"
    "                  the database, for `kiosk replay --car ID` (default 7; 0 keeps none)\n"
    "  --voice V       espeak-ng voice (default en-us)\n"
    "  --denoise       run speexdsp's noise suppression and gain control on the\n"
    "                  microphone (off by default: it made the kiosk worse at 10 and 5 dB)\n"
    "  --for S         stop after S seconds (for tests and benchmarks)\n"
    "  --half-duplex   deaf while the kiosk speaks (no echo canceller): for a post\n"
    "                  whose loudspeaker cannot be cancelled; customers cannot talk over it\n"
    "  --no-answer-ahead  answer only once the turn has ended, never while the\n"
    "                  customer's pause may still be a pause (the answer is then later)\n"
    "  --echo-check S  an installation check: no cars; the kiosk speaks its prompts for\n"
    "                  S seconds while listening, then says how much of its voice the echo\n"
    "                  canceller removed and exits 1 if it heard any of it as a turn\n"
    "  --crew-socket PATH  where crew stations connect (default " DEFAULT_CREW_SOCKET ")\n"
    "  --crew-port N   also listen on TCP 127.0.0.1:N for crew stations\n"
    "  --crew-token FILE   the token crew stations prove themselves with, written\n"
    "                  at start with mode 0600 (default " DEFAULT_CREW_TOKEN ")\n"
    "  --escalate S1,S2  a page nobody acknowledges chimes again after S1 seconds\n"
    "                  and goes to the manager after S2 (default 10,30)\n"
    "  --mqtt HOST[:PORT]  also publish every event line to this MQTT broker (port\n"
    "                  1883 by default) on kiosk/STORE/LANE/events, QoS 1; kept in\n"
    "                  memory while it is away (README: \"Leaving the lane\")\n"
    "  --store NAME    the store's name in those topics (default: this machine's name)\n";

typedef struct {
    const char *menu, *db, *input, *output, *post, *voice, *board_png, *crew_audio;
    const char *crew_socket, *crew_token, *lane, *mqtt, *store_name, *db_group;
    int crew_port;
    double remind_s, manager_s;
    int board_w, board_h;
    int headless, events, denoise, half_duplex, ahead_off;
    double echo_check;
    double threshold, nudge, no_response, car_gone, run_for, keep_audio;
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
        { "keep-audio", required_argument, NULL, 'A' }, { "db-group", required_argument, NULL, 'G' },
        { "mqtt", required_argument, NULL, 'Q' },   { "store", required_argument, NULL, 'R' },
        { "half-duplex", no_argument, NULL, 'X' },  { "echo-check", required_argument, NULL, 'Y' },
        { "crew-audio", required_argument, NULL, 'W' }, { "no-answer-ahead", no_argument, NULL, 'J' },
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
    o->keep_audio = 7;
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
        case 'X': o->half_duplex = 1; break;
        case 'J': o->ahead_off = 1; break;
        case 'W': o->crew_audio = optarg; break;
        case 'Y': if (number_opt("echo-check", optarg, 1, 86400, &o->echo_check) < 0) return EXIT_BADINPUT; break;
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
        case 'G': o->db_group = optarg; break;
        case 'A': if (number_opt("keep-audio", optarg, 0, 3650, &o->keep_audio) < 0) return EXIT_BADINPUT; break;
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
        case 'Q': o->mqtt = optarg; break;
        case 'R': o->store_name = optarg; break;
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
    char err[256];
    if ((o->mqtt || o->store_name) && mqtt_check(o->mqtt, o->store_name, err, sizeof err) < 0) {
        fprintf(stderr, "kiosk run: %s\n", err);
        return EXIT_BADINPUT;
    }
    if (o->echo_check && o->output && !strcmp(o->output, "none")) {
        fprintf(stderr, "kiosk run: --echo-check needs the loudspeaker: drop --output none\n");
        return EXIT_BADINPUT;
    }
    if (o->post && o->echo_check) {
        fprintf(stderr, "kiosk run: --echo-check takes no cars: drop --post %s\n", o->post);
        return EXIT_BADINPUT;
    }
    return -1;
}

/* ---- the lane, live --------------------------------------------------------- */

typedef struct {
    const run_opts_t *o;
    lane_t L;                 /* the lane's decisions (src/dialog/lane.c) */
    lane_io_t io;             /* and the adapters that carry them out (lane_io.c) */
    voice_t *voice;           /* the loudspeaker's (io.voice, unless --output none) and the crew headset's */
    lane_config_t lcfg;
    asr_t *asr;
    source_t *mic;            /* the turns (source_mic.c) */
    keeper_t *keeper;         /* their recordings, kept --keep-audio days */
    menu_watch_t *watch;      /* the menu file, reloaded (menu_watch.c); owns the menus and recognisers */
    post_line_t *post;        /* --post: the speaker post (src/post/post.c), or NULL */
    unsigned long out_dropped_seen;
    loop_t *loop;
    double start;
    int status;               /* EXIT_RUNTIME once the store failed */
    int crew_fds[CREW_SERVER_MAX_FDS], ncrew_fds;
    loop_file_fn on_crew_fd;
} kiosk_t;

static volatile sig_atomic_t stopping;
static void on_signal(int sig)
{
    (void)sig;
    stopping = 1;
}

/* ---- the event loop's callbacks ---------------------------------------------- */

/* The crew server's descriptors as the loop watches them: re-registered
 * after every poll (connections come and go). */
static void crew_sync(kiosk_t *k)
{
    for (int i = 0; i < k->ncrew_fds; i++) loop_del_file(k->loop, k->crew_fds[i]);
    int want[CREW_SERVER_MAX_FDS];
    k->ncrew_fds = crew_server_fds(k->io.crew, k->crew_fds, want, CREW_SERVER_MAX_FDS);
    for (int i = 0; i < k->ncrew_fds; i++)
        loop_add_file(k->loop, k->crew_fds[i], LOOP_READ | (want[i] ? LOOP_WRITE : 0), k->on_crew_fd, k);
}

static void crew_poll(kiosk_t *k)
{
    crew_server_poll(k->io.crew, lane_io_crew, &k->io, stderr);
    crew_sync(k);
    if (k->L.board_dirty) lane_io_board(&k->io);
}

static void on_crew_fd(loop_t *l, int fd, int mask, void *ctx)
{
    (void)l;
    (void)fd;
    (void)mask;
    crew_poll(ctx);
}

static void crew_reply(lane_io_t *io, int client, const char *json)
{
    crew_server_reply(io->crew, client, json);
}

/* What runs on time rather than on input: the lane's timers (escalation,
 * the customer's silence, the board's linger), the log of what standard
 * output lost, the crew server's time-outs, the window, a stop signal.
 * Returns when it is next due: the lane's next decision, at most HOUSE_S
 * (HOUSE_WINDOW_S with a window: SDL's events are polled). */
#define HOUSE_S 0.5
#define HOUSE_WINDOW_S 0.05
static double on_house(loop_t *l, long id, void *ctx)
{
    (void)id;
    kiosk_t *k = ctx;
    double now = loop_now(k->loop);
    if (stopping || (k->o->run_for > 0 && now - k->start >= k->o->run_for)) {
        loop_stop(l);
        return LOOP_NOMORE;
    }
    if (k->io.out && outq_dropped(k->io.out) > k->out_dropped_seen) {
        unsigned long d = outq_dropped(k->io.out);
        fprintf(stderr, "kiosk run: standard output is not being read: %lu line%s dropped (%lu in all); "
                        "the lane goes on\n", d - k->out_dropped_seen, d - k->out_dropped_seen == 1 ? "" : "s", d);
        k->out_dropped_seen = d;
    }
    crew_poll(k);
    double next = lane_io_tick(&k->io, !k->mic->driver->busy(k->mic));
    if (next < 0) {
        k->status = EXIT_RUNTIME;   /* the store failed (logged) */
        loop_stop(l);
        return LOOP_NOMORE;
    }
    if (k->io.win && window_poll(k->io.win)) {
        loop_stop(l);
        return LOOP_NOMORE;
    }
    double most = k->io.win ? HOUSE_WINDOW_S : HOUSE_S;
    return next < most ? next : most;
}

static int run_loop(kiosk_t *k)
{
    k->on_crew_fd = on_crew_fd;
    k->start = loop_now(k->loop);
    lane_quiet_since(&k->L, k->start);
    crew_sync(k);
    /* the post's clock starts now: its 3 s of silence are not the models' loading time */
    if (k->post) post_attach(k->post, k->loop);
    loop_add_timer(k->loop, 0, on_house, k);
    loop_run(k->loop);
    int st = k->mic->driver->status(k->mic);
    return st ? st : k->status;
}

/* A good menu kept in the store (menu_watch's keep). */
/* A good menu's text, kept in the store by its writer (as every row is). */
static int keep_menu(void *writer, const char *path, const char *text, char *err, size_t errlen)
{
    (void)err;
    (void)errlen;
    store_op_t op = { .kind = STORE_MENU, .t = (double)time(NULL), .file = (char *)path, .text = (char *)text };
    store_writer_put(writer, &op);
    return 0;
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
    char *menu_text = NULL;
    strlist_t errs = {0}, file_errs = {0};
    signal(SIGHUP, SIG_IGN);   /* until the menu's watch takes it: a reload, never the end */
    /* a broken menu file: the last good menu the store keeps of it, said on stderr */
    status = menu_start("kiosk run", o.menu, o.db, &dict, &menu, &menu_text, &errs, &file_errs);
    if (status) goto out;
    k.lcfg = (lane_config_t){ .name = o.lane, .threshold = o.threshold, .nudge = o.nudge,
                              .no_response = o.no_response, .car_gone = o.car_gone };
    k.loop = loop_create(&loop_clock_real);
    lane_init(&k.L, &k.lcfg, menu);
    lane_io_init(&k.io, &k.L, k.loop, "kiosk run");
    k.io.events = o.events;
    k.io.log = !o.events;
    k.io.board_png = o.board_png;
    k.io.reply = crew_reply;
    strlist_t warns = {0};   /* a combo that stops selling: the manager should know at start too */
    menu_warnings(menu, &warns);
    for (int i = 0; i < warns.n; i++) fprintf(stderr, "kiosk run: %s\n", warns.v[i]);
    strlist_free(&warns);

    /* The device first: without a microphone nothing else is worth loading. */
    k.io.dev = device_open(o.input, o.output, err, sizeof err);
    if (!k.io.dev) {
        status = no_device(err);
        goto out;
    }
    /* a headset that is not there is said now, alone, not at the first page */
    if (o.crew_audio && !(k.io.ears = crew_ears_open(o.crew_audio, k.loop, "kiosk run", err, sizeof err))) {
        strlist_pushf(&errs, "kiosk run: %s", err);
        status = EXIT_RUNTIME;
        goto out;
    }
    fprintf(stderr, "kiosk run: audio: %s\n", device_describe(k.io.dev));
    if (k.io.ears) fprintf(stderr, "kiosk run: crew audio: %s\n", crew_ears_describe(k.io.ears));
    if (o.post && !(k.post = post_open(o.post, &k.io, 0, err, sizeof err))) {
        status = errno == ENOTTY ? EXIT_BADINPUT : EXIT_RUNTIME;
        strlist_pushf(&errs, "kiosk run: --post %s%s", err,
                      status == EXIT_RUNTIME ? "; check the post's cable and port, or run with --no-post" : "");
        goto out;
    }
    int speaks = strcmp(o.output ? o.output : "", "none") != 0;
    if ((speaks || k.io.ears) && !(k.voice = voice_create(o.voice, 0, err, sizeof err))) {
        strlist_pushf(&errs, "kiosk run: %s", err);
        status = EXIT_RUNTIME;
        goto out;
    }
    if (speaks) k.io.voice = k.voice;
    if (k.io.ears) crew_ears_voice(k.io.ears, k.voice);
    if (k.io.voice) {   /* the sentences every car hears, ready before the first car */
        char *welcome = xasprintf("Welcome to %s!", menu->title ? menu->title : "our drive-through");
        const char *const common[] = {
            welcome, "Anything else?", "Is that right?", "A team member will be right with you.",
            "Thank you!", "Please pull forward to the window.", "Sorry, I didn't catch that.",
            "Could you say it again?", "Sorry, I missed that, could you say it again?", "Take your time.", NULL,
        };
        lane_io_warm(&k.io, common);
        free(welcome);
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
    if (o.db_group && store_create_for_group(o.db, o.db_group, err, sizeof err) < 0) {
        strlist_pushf(&errs, "kiosk run: %s", err);
        status = EXIT_RUNTIME;
        goto out;
    }
    store_writer_t *writer = lane_io_store_open("kiosk run", o.db, err, sizeof err);
    if (!writer) {
        strlist_pushf(&errs, "kiosk run: %s", err);
        status = EXIT_RUNTIME;
        goto out;
    }
    lane_io_set_writer(&k.io, writer);
    menu_watch_opts_t wo = { .io = &k.io, .path = o.menu, .who = "kiosk run", .acfg = &acfg, .live = 1,
                             .keep = keep_menu, .keep_ctx = k.io.writer };
    if (!(k.watch = menu_watch_open(&wo, menu, k.asr, menu_text, &file_errs, err, sizeof err))) {
        strlist_pushf(&errs, "kiosk run: %s", err);
        status = EXIT_RUNTIME;
        goto out;
    }
    asr_t *asr = k.asr;   /* the watch's now, with the menu */
    k.asr = NULL;
    menu = NULL;
    k.L.esc.remind_s = o.remind_s;
    k.L.esc.manager_s = o.manager_s;
    if (!(k.io.crew = crew_server_open(o.crew_socket, o.crew_port, o.crew_token, err, sizeof err))) {
        strlist_pushf(&errs, "kiosk run: crew station: %s", err);
        status = EXIT_RUNTIME;
        goto out;
    }
    if (o.keep_audio > 0) {
        const char *slash = strrchr(o.db, '/');
        char *dir = slash ? xasprintf("%.*s/audio", (int)(slash - o.db), o.db) : xstrdup("audio");
        k.keeper = keeper_start(dir, o.keep_audio, err, sizeof err);
        free(dir);
        if (!k.keeper) {
            strlist_pushf(&errs, "kiosk run: --keep-audio: %s", err);
            status = EXIT_RUNTIME;
            goto out;
        }
    }
    if (o.mqtt && !(k.io.mqtt = mqtt_open(o.mqtt, o.store_name, "kiosk run", err, sizeof err))) {
        strlist_pushf(&errs, "kiosk run: %s", err);
        status = EXIT_RUNTIME;
        goto out;
    }
    source_opts_t so = { .io = &k.io, .asr = asr, .asr_for = menu_watch_asr, .asr_ctx = k.watch,
                         .denoise = o.denoise, .dev = k.io.dev, .input = o.input, .output = o.output,
                         .trailing_ms = o.trailing_ms, .keeper = k.keeper, .half_duplex = o.half_duplex, .ahead_off = o.ahead_off,
                         .echo_check = o.echo_check };
    if (!(k.mic = source_mic.open(&so, err, sizeof err))) {
        k.io.dev = NULL;   /* the source's now, closed with it */
        strlist_pushf(&errs, "kiosk run: %s", err);
        status = EXIT_RUNTIME;
        goto out;
    }
    menu_watch_source(k.watch, k.mic);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    if (!o.headless || o.board_png) {
        if (!(k.io.board = board_create(o.board_w, o.board_h, err, sizeof err))) {
            strlist_pushf(&errs, "kiosk run: order board: %s", err);
            status = EXIT_RUNTIME;
            goto out;
        }
        k.L.board_dirty = 1;
        k.lcfg.board = 1;
    }
    if (!o.headless && !(k.io.win = window_open(k.L.menu->title, o.board_w, o.board_h, 0, err, sizeof err)))
        fprintf(stderr, "kiosk run: %s; running headless\n", err);
    signal(SIGPIPE, SIG_IGN);   /* a reader of standard output that went away is counted, not fatal */
    k.io.out = outq_open(STDOUT_FILENO, OUT_QUEUE_MAX);
    status = run_loop(&k);
    if (k.L.car && lane_io_leave(&k.io, "stopped") < 0 && !status) status = EXIT_RUNTIME;
    lane_io_drain(&k.io, 5.0);
    unsigned long out_lost = 0;
    if (k.io.out) {
        out_lost = outq_close(k.io.out, 2.0);
        k.io.out = NULL;
    }
    strbuf_t stats = {0};
    k.mic->driver->stats(k.mic, &stats);
    if (k.post) {
        strbuf_append(&stats, ", ");
        post_stats(k.post, &stats);
    }
    fprintf(stderr, "kiosk run: stopped: %d cars, %s, %lu lines of standard output dropped\n", k.L.cars,
            strbuf_cstr(&stats), out_lost);
    strbuf_free(&stats);
out:
    for (int i = 0; i < errs.n; i++) fprintf(stderr, "%s\n", errs.v[i]);
    strlist_free(&errs);
    if (k.mic) k.mic->driver->close(k.mic);
    post_close(k.post);
    keeper_stop(k.keeper);
    mqtt_close(k.io.mqtt, MQTT_DRAIN_S);
    lane_free(&k.L);
    menu_watch_close(k.watch);
    crew_ears_close(k.io.ears);   /* before the loop: its timer is the loop's */
    loop_free(k.loop);
    window_close(k.io.win);
    crew_server_close(k.io.crew);
    board_free(k.io.board);
    lane_io_store_close("kiosk run", k.io.writer, 5.0);
    lane_io_free(&k.io);
    asr_free(k.asr);
    voice_free(k.voice);
    device_close(k.io.dev);
    menu_free(menu);
    free(menu_text);
    strlist_free(&file_errs);
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
