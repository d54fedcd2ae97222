/* cmd_replay.c: `kiosk replay`: one car's conversation from recorded turns
 * (or, with --each, one car per file), through the same session code that
 * `kiosk run` uses; prints the spec's JSON or a transcript. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../audio/wav.h"
#include "../board/board.h"
#include "commands.h"
#include "hear.h"
#include "lane_io.h"
#include "source.h"

static const char usage[] =
    "usage: kiosk replay [--menu F] [--db F] [--json] [--each] [--board PNG] [--board-size WxH]\n"
    "                    [--threshold T] [--features FILE] [--denoise] [--one-thread] TURN.wav...\n"
    "       kiosk replay [--menu F] [--db F] [--threshold T] [--mqtt HOST[:PORT] [--store NAME]] --script FILE\n"
    "       kiosk replay [--menu F] [--db F] [--json] [--threshold T] --car ID\n"
    "  Replays one car's conversation from recorded turns, in order, through the\n"
    "  kiosk's dialog, confidence and paging, and prints what happened.\n"
    "  --menu F     the menu (default " DEFAULT_MENU ")\n"
    "  --db F       also record the cars, turns and pages in this SQLite file\n"
    "  --json       print one JSON object (see the README) instead of a transcript\n"
    "  --each       every file is its own car (the model is loaded once)\n"
    "  --board PNG  save the order board as it stands after the last turn, rendered\n"
    "               off-screen (with --each: the last file's car)\n"
    "  --board-size WxH  the board's size: 1920x1080 (default) or 800x480\n"
    "  --threshold T  page the crew (low_confidence) for a turn whose confidence\n"
    "               is below T, 0..1 (default " DIALOG_DEFAULT_THRESHOLD_STR "; 0: never)\n"
    "  --features FILE  append each turn's confidence evidence to FILE, one JSON\n"
    "               object a line (for tests/speech/fit_confidence.py)\n"
    "  --denoise    pass every turn through the live kiosk's noise suppression and\n"
    "               gain control (speexdsp's preprocessor) before decoding it\n"
    "  --one-thread  decode each turn on one thread (for batches that run several\n"
    "               replays at once; the same results, only slower alone)\n"
    "  --car ID     replay car ID of the database (--db, default " DEFAULT_DB ") from its\n"
    "               recorded turns (kiosk run --keep-audio) through today's recogniser\n"
    "  --script FILE  a scripted lane on a virtual clock: customer turns (wav FILE,\n"
    "               say WORDS), crew commands (crew take, crew add a coke, ...),\n"
    "               menu edits (menu FILE) and time passing (wait 12), in order;\n"
    "               prints the events as\n"
    "               kiosk run --events does (the format: README, \"Scripted lanes\")\n"
    "  --mqtt HOST[:PORT], --store NAME  with --script: publish the events to an\n"
    "               MQTT broker too, as kiosk run does\n";

typedef struct {
    const char *menu, *db, *board, *features, *script, *mqtt, *store_name;
    int json, each, denoise, one_thread;
    int board_w, board_h;
    double threshold;
    long car;                /* --car ID, 0 none */
    FILE *ffeat;
} opts_t;

static double wall_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int parse_opts(int argc, char **argv, opts_t *o)
{
    static const struct option longs[] = {
        { "menu", required_argument, NULL, 'm' }, { "db", required_argument, NULL, 'd' },
        { "json", no_argument, NULL, 'j' },       { "each", no_argument, NULL, 'e' },
        { "board", required_argument, NULL, 'b' }, { "help", no_argument, NULL, 'h' },
        { "threshold", required_argument, NULL, 't' }, { "features", required_argument, NULL, 'f' },
        { "denoise", no_argument, NULL, 'n' },    { "one-thread", no_argument, NULL, '1' },
        { "board-size", required_argument, NULL, 'B' }, { "script", required_argument, NULL, 's' },
        { "car", required_argument, NULL, 'c' },
        { "mqtt", required_argument, NULL, 'Q' }, { "store", required_argument, NULL, 'R' },
        { NULL, 0, NULL, 0 },
    };
    if (cmd_wants_help(argc, argv)) { /* also after the files: `kiosk replay t1.wav -h` */
        fputs(usage, stdout);
        return 0;
    }
    memset(o, 0, sizeof *o);
    o->menu = DEFAULT_MENU;
    o->threshold = DIALOG_DEFAULT_THRESHOLD;
    o->board_w = 1920;
    o->board_h = 1080;
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "+h", longs, NULL)) != -1) {
        switch (c) {
        case 'm': o->menu = optarg; break;
        case 'd': o->db = optarg; break;
        case 'j': o->json = 1; break;
        case 'e': o->each = 1; break;
        case 'b': o->board = optarg; break;
        case 'B':
            if (board_parse_size(optarg, &o->board_w, &o->board_h) < 0) {
                fprintf(stderr, "kiosk replay: --board-size %s: give 1920x1080 or 800x480\n", optarg);
                return EXIT_BADINPUT;
            }
            break;
        case 'f': o->features = optarg; break;
        case 'n': o->denoise = 1; break;
        case '1': o->one_thread = 1; break;
        case 's': o->script = optarg; break;
        case 'c': {
            char *end;
            o->car = strtol(optarg, &end, 10);
            if (end == optarg || *end || o->car < 1) {
                fprintf(stderr, "kiosk replay: --car %s: give a car's number in the database (1, 2, ...)\n", optarg);
                return EXIT_BADINPUT;
            }
            break;
        }
        case 'Q': o->mqtt = optarg; break;
        case 'R': o->store_name = optarg; break;
        case 't': {
            char *end;
            o->threshold = strtod(optarg, &end);
            if (end == optarg || *end || !(o->threshold >= 0 && o->threshold <= 1)) {
                fprintf(stderr, "kiosk replay: --threshold %s: give a number from 0 to 1 "
                                "(e.g. 0.5; 0 never pages for low confidence)\n", optarg);
                return EXIT_BADINPUT;
            }
            break;
        }
        case 'h': fputs(usage, stdout); return 0;
        default:
            fprintf(stderr, "kiosk replay: %s option %s\n%s",
                    optopt ? "bad use of" : "unknown", argv[optind - 1], usage);
            return EXIT_BADINPUT;
        }
    }
    if (o->script && optind < argc) {
        fprintf(stderr, "kiosk replay: --script %s: the script names its WAV files; \"%s\" is one too many\n",
                o->script, argv[optind]);
        return EXIT_BADINPUT;
    }
    if (o->script && (o->json || o->each || o->board || o->features || o->denoise)) {
        fprintf(stderr, "kiosk replay: --script takes only --menu, --db, --threshold, --mqtt and --store (it "
                        "prints the events, as kiosk run --events does)\n");
        return EXIT_BADINPUT;
    }
    if (!o->script && (o->mqtt || o->store_name)) {
        fprintf(stderr, "kiosk replay: --%s goes with --script (a scripted lane's events)\n",
                o->mqtt ? "mqtt" : "store");
        return EXIT_BADINPUT;
    }
    char err[256];
    if ((o->mqtt || o->store_name) && mqtt_check(o->mqtt, o->store_name, err, sizeof err) < 0) {
        fprintf(stderr, "kiosk replay: %s\n", err);
        return EXIT_BADINPUT;
    }
    if (o->car && (o->script || o->each || optind < argc)) {
        fprintf(stderr, "kiosk replay: --car takes its turns from the database: give no TURN.wav, --script or --each\n");
        return EXIT_BADINPUT;
    }
    if (!o->script && !o->car && optind >= argc) {
        fprintf(stderr, "kiosk replay: give at least one TURN.wav, or --script FILE\n%s", usage);
        return EXIT_BADINPUT;
    }
    return -1;
}

/* 0 when path is a recording the kiosk can read (the "wav" source reads it
 * again for its turn: a few milliseconds against the decode), else -1 with err. */
static int readable(const char *path, char *err, size_t errlen)
{
    int16_t *pcm = NULL;
    size_t n = 0;
    int rc = wav_read(path, &pcm, &n, err, errlen);
    free(pcm);
    return rc;
}

/* Prints one car's outcome. */
static void print_car(const session_t *s, int json)
{
    strbuf_t b = {0};
    if (json) {
        session_json(s, &b);
        strbuf_append(&b, "\n");
    } else {
        session_transcript(s, &b);
    }
    fputs(strbuf_cstr(&b), stdout);
    fflush(stdout);
    strbuf_free(&b);
}

/* Appends each turn's evidence to the --features file. */
static void write_features(const session_t *s, FILE *f)
{
    strbuf_t b = {0};
    for (int i = 0; i < session_nturns(s); i++) {
        const session_turn_t *t = session_turn(s, i);
        strbuf_append(&b, "{\"file\": ");
        strbuf_json_str(&b, t->file);
        strbuf_append(&b, ", \"heard\": ");
        strbuf_json_str(&b, t->heard);
        strbuf_append(&b, ", \"free_text\": ");
        strbuf_json_str(&b, t->free_text);
        strbuf_append(&b, ", \"loop_text\": ");
        strbuf_json_str(&b, t->loop_text);
        strbuf_printf(&b, ", \"confidence\": %.4f, \"features\": {", t->confidence);
        for (int k = 0; k < CF_N; k++)
            strbuf_printf(&b, "%s\"%s\": %.4f", k ? ", " : "", conf_feature_names[k], t->features[k]);
        strbuf_append(&b, "}}\n");
    }
    fputs(strbuf_cstr(&b), f);
    fflush(f);
    strbuf_free(&b);
}

/* Draws the board as the car left it and saves it to --board: 0, or -1
 * (the message printed). */
static int save_board(board_t *board, const session_t *s, const char *path)
{
    const dialog_t *d = session_dialog(s);
    int nt = session_nturns(s);
    const session_turn_t *last = nt > 0 ? session_turn(s, nt - 1) : NULL;
    /* The words just heard: the grammar's, else (a sentence off the menu) the free pass's. */
    const char *heard = last ? (last->heard && *last->heard ? last->heard : last->free_text) : NULL;
    board_view_t v = { NULL, dialog_order(d), board_banner_for(dialog_state(d), 1), heard };
    char err[512];
    board_draw(board, &v);
    if (board_save_png(board, path, err, sizeof err) < 0) {
        fprintf(stderr, "kiosk replay: --board %s\n", err);
        return -1;
    }
    return 0;
}

/* One car over files[0..n) (read once already: they are good): 0, or an
 * exit status.  The car is a lane's, on the virtual clock, its turns from
 * the "wav" source (each file's length passes before it is heard), as
 * `kiosk run` would take it; the recording's turns all belong to it, after
 * a confirmation too.  board: draw the car's board into o->board at the end
 * (NULL: not this car). */
static int replay_car(const menu_t *m, asr_t *asr, store_writer_t *store, const opts_t *o, char **files, int n,
                      board_t *board)
{
    char err[512] = "";
    lane_config_t cfg = { .name = "Lane 1", .threshold = o->threshold, .one_car = 1 };
    lane_t L;
    lane_io_t io;
    loop_t *loop = loop_create(&loop_clock_virtual);
    lane_init(&L, &cfg, m);
    lane_io_init(&io, &L, loop, "kiosk replay");
    io.wall_epoch = wall_now();   /* the store's times are the replay's */
    lane_io_set_writer(&io, store);
    source_opts_t so = { .io = &io, .asr = asr, .denoise = o->denoise };
    source_t *wav = source_wav.open(&so, err, sizeof err);
    int status = lane_io_arrive(&io) < 0 ? EXIT_RUNTIME : 0;
    for (int i = 0; i < n && !status; i++)
        if ((status = wav->driver->turn(wav, files[i], err, sizeof err)) && *err)
            fprintf(stderr, "kiosk replay: %s\n", err);
    if (lane_io_leave(&io, "replayed") < 0 && !status) status = EXIT_RUNTIME;
    const session_t *s = L.last_car;
    if (!status) print_car(s, o->json);
    if (!status && board && save_board(board, s, o->board) < 0) status = EXIT_RUNTIME;
    if (!status && o->ffeat) write_features(s, o->ffeat);
    wav->driver->close(wav);
    lane_io_drain(&io, 30);
    lane_io_free(&io);
    lane_free(&L);
    loop_free(loop);
    return status;
}

/* --car ID: the recordings of its turns, each there still: 0, or -1 said. */
static int car_turns(const opts_t *o, strlist_t *files)
{
    const char *db = o->db ? o->db : DEFAULT_DB;
    char err[512];
    if (store_car_files(db, o->car, files, err, sizeof err) < 0) {
        fprintf(stderr, "kiosk replay: %s\n", err);
        return -1;
    }
    if (!files->n) {
        fprintf(stderr, "kiosk replay: %s: car %ld has no turns\n", db, o->car);
        return -1;
    }
    for (int i = 0; i < files->n; i++) {
        const char *f = files->v[i];
        if (!strcmp(f, "mic") || !strcmp(f, "say")) {
            fprintf(stderr, "kiosk replay: %s: car %ld's turn %d was not recorded (kiosk run --keep-audio 0, or a "
                            "scripted turn)\n", db, o->car, i + 1);
            return -1;
        }
        if (access(f, R_OK) < 0) {
            fprintf(stderr, "kiosk replay: %s: car %ld's turn %d, %s, is gone: recorded turns are kept "
                            "--keep-audio days (7 by default), then deleted\n", db, o->car, i + 1, f);
            return -1;
        }
    }
    return 0;
}

int cmd_replay(int argc, char **argv)
{
    opts_t o;
    int rc = parse_opts(argc, argv, &o);
    if (rc >= 0) return rc;
    if (o.script) return replay_script(o.menu, o.script, o.db, o.threshold, o.mqtt, o.store_name);
    char **files = argv + optind;
    int nfiles = argc - optind;
    strlist_t car_files = {0};
    if (o.car) {
        if (car_turns(&o, &car_files) < 0) return EXIT_BADINPUT;
        files = car_files.v;
        nfiles = car_files.n;
        o.db = NULL;   /* read from; the replay is not a car of the lane's */
    }

    int status = 0;
    char err[512];
    strlist_t errs = {0};
    cmudict_t *dict = NULL;
    menu_t *menu = NULL;
    asr_t *asr = NULL;
    store_writer_t *store = NULL;
    board_t *board = NULL;

    /* Bad input is refused before anything is decoded: the menu, then (for
     * one car) every file, so a typo in the last file does not cost a decode. */
    status = session_load(o.menu, &dict, &menu, &errs);
    if (status) goto out;
    if (!o.each) {
        for (int i = 0; i < nfiles; i++) {
            if (readable(files[i], err, sizeof err) < 0) {
                strlist_pushf(&errs, "kiosk replay: %s", err);
                status = EXIT_BADINPUT;
            }
        }
        if (status) goto out;
    }
    if (o.features && !(o.ffeat = fopen(o.features, "a"))) {
        strlist_pushf(&errs, "kiosk replay: --features %s: cannot open it for writing (%s)",
                      o.features, strerror(errno));
        status = EXIT_BADINPUT;
        goto out;
    }
    /* The board's fonts before the long part: a missing font costs no decode. */
    if (o.board && !(board = board_create(o.board_w, o.board_h, err, sizeof err))) {
        strlist_pushf(&errs, "kiosk replay: --board %s: %s", o.board, err);
        status = EXIT_RUNTIME;
        goto out;
    }
    asr_config_t acfg = { .free_pass = 1, .one_thread = o.one_thread };
    asr = session_asr(&acfg, menu, &dict, err, sizeof err);
    if (!asr) {
        strlist_pushf(&errs, "kiosk replay: %s", err);
        status = EXIT_RUNTIME;
        goto out;
    }
    if (o.db && !(store = lane_io_store_open("kiosk replay", o.db, err, sizeof err))) {
        strlist_pushf(&errs, "kiosk replay: %s", err);
        status = EXIT_RUNTIME;
        goto out;
    }
    if (!o.each) {
        status = replay_car(menu, asr, store, &o, files, nfiles, board);
        goto out;
    }
    /* --each: a bad file is reported (and, with --json, given an "error"
     * object so that output lines still match the files) and the batch goes on. */
    for (int i = 0; i < nfiles; i++) {
        if (readable(files[i], err, sizeof err) < 0) {
            fprintf(stderr, "kiosk replay: %s\n", err);
            if (o.json) {
                strbuf_t b = {0};
                strbuf_append(&b, "{\"file\": ");
                strbuf_json_str(&b, files[i]);
                strbuf_append(&b, ", \"error\": ");
                strbuf_json_str(&b, err);
                strbuf_append(&b, "}\n");
                fputs(strbuf_cstr(&b), stdout);
                strbuf_free(&b);
            }
            status = EXIT_BADINPUT;
            continue;
        }
        int r = replay_car(menu, asr, store, &o, files + i, 1, i == nfiles - 1 ? board : NULL);
        if (r == EXIT_RUNTIME) {
            status = r;
            break;
        }
    }
out:
    for (int i = 0; i < errs.n; i++) fprintf(stderr, "%s\n", errs.v[i]);
    strlist_free(&errs);
    strlist_free(&car_files);
    if (o.ffeat) fclose(o.ffeat);
    lane_io_store_close("kiosk replay", store, 30);
    board_free(board);
    asr_free(asr);
    menu_free(menu);
    cmudict_free(dict);
    return status;
}
