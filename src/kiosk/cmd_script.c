/* cmd_script.c: `kiosk replay --script FILE`: a scripted lane on the virtual
 * clock.  The same lane as `kiosk run` (lane.c: cars, turns, the crew's
 * actions, escalation, the customer's silences), on the same event loop, but
 * time jumps from one timer to the next instead of passing: ten minutes of a
 * lane run in milliseconds, and every run prints the same events.
 *
 * The script, one step a line ('#' starts a comment):
 *   set nudge S | set no_response S | set car_gone S | set escalate S1,S2 | set lane NAME
 *                        the lane's settings (before the first turn), as kiosk run's options
 *   wav FILE             a customer turn from a recording (relative to the script's folder);
 *                        the clock moves on by its length, then the recogniser's answer
 *   say [-c C] [-f "FREE"] WORDS
 *                        a customer turn as the menu's grammar heard it (WORDS), with
 *                        confidence C (default 0.95) and the free pass's words FREE (default
 *                        WORDS); no recogniser, so no models load
 *   wait S               S seconds of silence pass: the lane's timers run
 *   crew COMMAND         what a crew station types (`kiosk crew`'s commands: ack, take,
 *                        back, talk, release, add ..., change ..., edit ..., remove N,
 *                        apply, confirm, cancel, gone)
 *   menu FILE            the menu file now reads as FILE (relative to the script's folder)
 *                        and is reloaded as `kiosk run` reloads an edit (menu_watch.c): a
 *                        good one is the next car's, what it sells out applies at once, a
 *                        broken one keeps the menu and its errors go out
 * A turn while no car is at the post starts one, as speech does without a
 * speaker post.  The kiosk's answers take no time.  At the end a car still
 * there leaves "stopped".
 *
 * Output: the events as `kiosk run --events` prints them, on the virtual
 * clock's day, and each crew command's answer as the station gets it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../audio/wav.h"
#include "../crew/proto.h"
#include "commands.h"
#include "hear.h"
#include "lane_io.h"
#include "../store/menus.h"
#include "menu_watch.h"
#include "source.h"

#define MAX_LINE 4096

typedef struct {
    lane_t L;
    lane_io_t io;
    lane_config_t cfg;
    loop_t *loop;
    const char *path;        /* the script, for messages */
    int lineno;
    long tick;               /* the lane's timer on the loop, 0 none */
    char *dir;               /* the script's folder, for wav paths */
    char *lane_name;         /* set lane NAME */
    source_t *wav, *words;   /* where `wav` and `say` turns come from (source.h) */
    menu_watch_t *watch;     /* the menu, reloaded by `menu` steps; owns the menus and recognisers */
} script_t;

static void say_reply(lane_io_t *io, int client, const char *json)
{
    (void)io;
    (void)client;
    printf("%s\n", json);
}

/* The lane's timer: lane_tick, then again when it says. */
static double on_tick(loop_t *l, long id, void *ctx)
{
    (void)l;
    (void)id;
    script_t *s = ctx;
    double next = lane_io_tick(&s->io, 1);
    if (next < 0) return LOOP_NOMORE;
    return next;
}

/* After anything that changes the lane: its timer from now. */
static void rearm(script_t *s)
{
    if (s->tick) loop_del_timer(s->loop, s->tick);
    s->tick = loop_add_timer(s->loop, 0, on_tick, s);
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

static int fail(const script_t *s, const char *fmt, const char *arg)
{
    fprintf(stderr, "kiosk replay: %s:%d: ", s->path, s->lineno);
    fprintf(stderr, fmt, arg);
    fputc('\n', stderr);
    return EXIT_BADINPUT;
}

static int number(const char *arg, double lo, double hi, double *out)
{
    char *end;
    double v = strtod(arg, &end);
    if (end == arg || *end || !(v >= lo && v <= hi)) return -1;
    *out = v;
    return 0;
}

/* A customer turn from a source ("wav" FILE, "words" WORDS), then the
 * lane's timer from its new state. */
static int turn(script_t *s, source_t *src, const char *arg)
{
    char err[512] = "";
    int rc = src->driver->turn(src, arg, err, sizeof err);
    if (rc) {
        if (*err) fprintf(stderr, "kiosk replay: %s:%d: %s\n", s->path, s->lineno, err);
        return rc;
    }
    rearm(s);
    return 0;
}

static int step_wav(script_t *s, const char *file)
{
    strbuf_t path = {0};
    if (file[0] == '/' || !s->dir) strbuf_append(&path, file);
    else strbuf_printf(&path, "%s/%s", s->dir, file);
    int rc = turn(s, s->wav, strbuf_cstr(&path));
    strbuf_free(&path);
    return rc;
}

/* The menu file now reads as FILE's text: reloaded as kiosk run reloads an edit. */
static int step_menu(script_t *s, const char *file)
{
    strbuf_t path = {0};
    if (file[0] == '/' || !s->dir) strbuf_append(&path, file);
    else strbuf_printf(&path, "%s/%s", s->dir, file);
    int rc = menu_watch_reload(s->watch, strbuf_cstr(&path), 1) < 0 ? EXIT_RUNTIME : 0;
    strbuf_free(&path);
    rearm(s);
    return rc;
}

static int step_crew(script_t *s, const char *line)
{
    char *msg = NULL;
    cmd_kind_t kind = crew_command(line, &msg);
    if (kind != CMD_SEND) {
        int rc = fail(s, "crew %s: not a command a station sends (kiosk crew's help lists them)", line);
        free(msg);
        return rc;
    }
    crew_msg_t m;
    char why[256];
    if (crew_parse(msg, strlen(msg), &m, why, sizeof why) < 0) {
        free(msg);
        return fail(s, "crew: %s", why);
    }
    free(msg);
    lane_io_crew(&s->io, 1, 0, &m);
    rearm(s);
    return 0;
}

static int step_set(script_t *s, char *args)
{
    char *val = strchr(args, ' ');
    if (!val) return fail(s, "set %s: give a value", args);
    *val++ = '\0';
    double v;
    if (!strcmp(args, "lane")) {
        free(s->lane_name);
        s->cfg.name = s->lane_name = xstrdup(val);
        return 0;
    }
    if (!strcmp(args, "escalate")) {
        char extra;
        if (sscanf(val, "%lf,%lf%c", &s->L.esc.remind_s, &s->L.esc.manager_s, &extra) != 2 ||
            !(s->L.esc.remind_s >= 1 && s->L.esc.manager_s > s->L.esc.remind_s))
            return fail(s, "set escalate %s: give two numbers of seconds, the second larger, e.g. 10,30", val);
        return 0;
    }
    double *field = !strcmp(args, "nudge") ? &s->cfg.nudge : !strcmp(args, "no_response") ? &s->cfg.no_response
                  : !strcmp(args, "car_gone") ? &s->cfg.car_gone : NULL;
    if (!field) return fail(s, "set %s: unknown; set nudge, no_response, car_gone, escalate or lane", args);
    if (number(val, 0, 3600, &v) < 0) return fail(s, "set: \"%s\" is not a number of seconds from 0 to 3600", val);
    *field = v;
    return 0;
}

int replay_script(const char *menu_path, const char *script, const char *db, double threshold, const char *mqtt,
                  const char *store_name)
{
    FILE *f = fopen(script, "r");
    if (!f) {
        fprintf(stderr, "kiosk replay: cannot read the script %s: %s\n", script, strerror(errno));
        return EXIT_BADINPUT;
    }
    /* the whole script first: a mistake in it is found before anything runs */
    strlist_t lines = {0};
    char buf[MAX_LINE];
    int needs_asr = 0, status = 0;
    while (fgets(buf, sizeof buf, f)) {
        size_t n = strcspn(buf, "\r\n");
        if (buf[n] == '\0' && !feof(f)) {
            fprintf(stderr, "kiosk replay: %s:%d: a line longer than %d bytes\n", script, lines.n + 1, MAX_LINE - 2);
            fclose(f);
            strlist_free(&lines);
            return EXIT_BADINPUT;
        }
        buf[n] = '\0';
        char *hash = strchr(buf, '#');
        if (hash) *hash = '\0';
        strlist_push(&lines, buf);
        if (!strncmp(buf + strspn(buf, " \t"), "wav ", 4)) needs_asr = 1;
    }
    fclose(f);

    script_t s;
    memset(&s, 0, sizeof s);
    s.path = script;
    const char *slash = strrchr(script, '/');
    if (slash) s.dir = xstrndup(script, (size_t)(slash - script));
    cmudict_t *dict = NULL;
    menu_t *menu = NULL;
    char *menu_text = NULL;
    asr_t *asr = NULL;
    store_writer_t *store = NULL;
    strlist_t errs = {0};
    char err[512];
    asr_config_t acfg = { .free_pass = 1, .one_thread = 1 };
    status = menu_start("kiosk replay", menu_path, NULL, &dict, &menu, &menu_text, &errs, NULL);
    if (status) goto out;
    if (needs_asr) {
        if (!(asr = session_asr(&acfg, menu, &dict, err, sizeof err))) {
            strlist_pushf(&errs, "kiosk replay: %s", err);
            status = EXIT_RUNTIME;
            goto out;
        }
    }
    if (db && !(store = lane_io_store_open("kiosk replay", db, err, sizeof err))) {
        strlist_pushf(&errs, "kiosk replay: %s", err);
        status = EXIT_RUNTIME;
        goto out;
    }
    s.cfg = (lane_config_t){ .name = "Lane 1", .threshold = threshold, .nudge = 10, .no_response = 15,
                             .car_gone = 30 };
    s.loop = loop_create(&loop_clock_virtual);
    lane_init(&s.L, &s.cfg, menu);
    lane_io_init(&s.io, &s.L, s.loop, "kiosk replay");
    s.io.events = 1;
    s.io.narrate = 1;
    lane_io_set_writer(&s.io, store);
    s.io.reply = say_reply;
    if (mqtt && !(s.io.mqtt = mqtt_open(mqtt, store_name, "kiosk replay", err, sizeof err))) {
        fprintf(stderr, "kiosk replay: %s\n", err);
        status = EXIT_RUNTIME;
    }
    menu_watch_opts_t wo = { .io = &s.io, .path = menu_path, .who = "kiosk replay", .acfg = asr ? &acfg : NULL,
                             .keep = store ? keep_menu : NULL, .keep_ctx = store };
    s.watch = menu_watch_open(&wo, menu, asr, menu_text, NULL, err, sizeof err);   /* nothing to fail without a thread */
    menu = NULL;   /* the watch's now */
    source_opts_t so = { .io = &s.io, .asr = asr, .asr_for = menu_watch_asr, .asr_ctx = s.watch };
    asr = NULL;
    s.wav = source_wav.open(&so, err, sizeof err);
    s.words = source_words.open(&so, err, sizeof err);
    for (int i = 0; i < lines.n && !status; i++) {
        s.lineno = i + 1;
        char *line = lines.v[i] + strspn(lines.v[i], " \t");
        size_t len = strlen(line);
        while (len && strchr(" \t", line[len - 1])) line[--len] = '\0';
        if (!*line) continue;
        char *args = line + strcspn(line, " \t");
        if (*args) *args++ = '\0';
        args += strspn(args, " \t");
        double v;
        if (!strcmp(line, "set")) {
            if (s.L.cars) status = fail(&s, "set %s: settings go before the first turn", args);
            else status = step_set(&s, args);
        } else if (!strcmp(line, "say")) {
            status = turn(&s, s.words, args);
        } else if (!strcmp(line, "wav")) {
            status = *args ? step_wav(&s, args) : fail(&s, "wav: %s", "which file?");
        } else if (!strcmp(line, "wait")) {
            if (number(args, 0, 86400, &v) < 0)
                status = fail(&s, "wait %s: give the seconds that pass, e.g. wait 12", args);
            else loop_run_for(s.loop, v);
        } else if (!strcmp(line, "crew")) {
            status = step_crew(&s, args);
        } else if (!strcmp(line, "menu")) {
            status = *args ? step_menu(&s, args) : fail(&s, "menu: %s", "which file?");
        } else {
            status = fail(&s, "\"%s\" is not a step: wav, say, wait, crew, menu or set", line);
        }
        fflush(stdout);
    }
    if (s.L.car && lane_io_leave(&s.io, "stopped") < 0 && !status) status = EXIT_RUNTIME;
    fflush(stdout);
    mqtt_close(s.io.mqtt, MQTT_DRAIN_S);   /* what the broker has not taken yet: a moment to go */
    if (s.wav) s.wav->driver->close(s.wav);   /* NULL: no recogniser, no `wav` step */
    s.words->driver->close(s.words);
    lane_io_drain(&s.io, 30);
    lane_io_free(&s.io);
    lane_free(&s.L);
    menu_watch_close(s.watch);
    loop_free(s.loop);
out:
    for (int i = 0; i < errs.n; i++) fprintf(stderr, "%s\n", errs.v[i]);
    strlist_free(&errs);
    strlist_free(&lines);
    lane_io_store_close("kiosk replay", store, 30);
    asr_free(asr);
    menu_free(menu);
    free(menu_text);
    cmudict_free(dict);
    free(s.dir);
    free(s.lane_name);
    return status;
}
