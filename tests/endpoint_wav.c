/* endpoint_wav.c: the endpointer (src/audio/endpoint.c) over a WAV file, for
 * measuring it on real speech and noise; with --adaptive, the live kiosk's
 * turn path over many files: quick answers (src/dialog/turnshape.h) measured
 * offline.
 *
 * Plain mode reads the file with wav_read (any rate/channels -> 16 kHz
 * mono), feeds it frame by frame as the live loop would (a last partial
 * frame is padded with zeros), calls endpoint_reset after EP_END/EP_CUT as
 * the live loop does, and prints one line an event: the time it happens in
 * ms, and its name:
 *     1100 onset
 *     1600 pause
 *     ...
 * With -v the onset line also gives where the turn's audio starts, the end
 * and cut lines the turn's span, and every line the noise floor (dBFS); a
 * last line says whether a turn was still open at the end of the file.
 *
 * --adaptive: each file is one utterance (one customer turn, pauses and all).
 * The kiosk's recogniser is loaded as `kiosk replay` loads it (hear.c), and
 * each file goes through the endpointer as in src/kiosk/source_mic.c (pause
 * 100 ms, trailing -t, default 700) followed by 3 s of digital silence; at
 * each EP_PAUSE the turn so far is decoded (asr_decode_early, the answer
 * grammar of the file's question if any), timed on the wall clock.  Time is
 * the audio's: a decode sent at a pause runs on one worker as in the live
 * kiosk (after the one before it), and its result counts from the first
 * frame delivered after it is done.  Policies, each a pass over the same
 * audio (decodes are kept and shared between passes):
 *   fixed     the endpointer as it is: the turn ends after trailing_ms;
 *   adaptive  at EP_PAUSE endpoint_set_trailing(TURN_WAIT_MS) (hold for the
 *             decode), and when its result is in, while no EP_RESUME came,
 *             endpoint_set_trailing(turn_trailing_ms(turn_shape_hearing()));
 *   nohold    the same without the hold at EP_PAUSE;
 *   and with --sweep, a grid of the policy's figures (quick ms, confidence,
 *   unsure ms) over the same decodes.
 * The end of speech is the endpointer's own last speech frame of the whole
 * file (a pass with a 10 s trailing silence).  A file is cut off when there
 * is speech after its first EP_END/EP_CUT.  Its delays, for a file not cut
 * off: "end" = first EP_END - end of speech; "ready" = when the answer can
 * start: the EP_END, or the decode it waits for when later (at EP_END the
 * kiosk takes the speculative result of the last pause, or decodes the
 * turn).  With --json one JSON object a file (decodes and each pass), then
 * the summary lines; without, one short line a file.  --sweep with --json:
 * a first line {"sweep": [[quick, confidence, wait, unsure], ...]}, and each
 * file's object has "sweep": [[cut, end delay, ready delay], ...] in that
 * order; without --json a summary line each.
 *
 * Usage: endpoint_wav [-v] [-r preroll_ms] [-t trailing_ms] [-p pause_ms]
 *                     [-m max_turn_ms] FILE.wav
 *        endpoint_wav --adaptive [--menu F] [--list FILE] [--json] [--sweep]
 *                     [--decodes FILE] [-t trailing_ms] [FILE.wav...]
 *   --list FILE: one file a line, optionally followed by a space and the
 *   question it answers: size:ITEM, choice:ITEM or yesno (the kiosk's answer
 *   grammar and turn_shape_hearing's ask).
 *   --decodes FILE: every decode is appended to FILE, and those already in it
 *   are taken from it instead of decoding again, times and all: for trying
 *   rules on the same decodes; the figures to report come from a run
 *   without it (the decode times are the machine's of that moment).
 * Exits 0, or 1 when a file cannot be read or the recogniser not loaded,
 * 2 on bad usage. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../src/audio/endpoint.h"
#include "../src/audio/wav.h"
#include "../src/dialog/session.h"
#include "../src/dialog/turnshape.h"
#include "../src/kiosk/hear.h"

static const char *event_name(ep_event_t ev)
{
    switch (ev) {
    case EP_ONSET: return "onset";
    case EP_PAUSE: return "pause";
    case EP_RESUME: return "resume";
    case EP_END: return "end";
    case EP_CUT: return "cut";
    case EP_NONE: break;
    }
    return "none";
}

static void usage(void)
{
    fprintf(stderr, "usage: endpoint_wav [-v] [-r preroll_ms] [-t trailing_ms] [-p pause_ms] "
                    "[-m max_turn_ms] FILE.wav\n"
                    "       endpoint_wav --adaptive [--menu F] [--list FILE] [--json] [--sweep] "
                    "[--decodes FILE] [-t trailing_ms] [FILE.wav...]\n");
}

static int plain(const endpoint_config_t *cfg, int verbose, const char *path)
{
    endpoint_t *ep = endpoint_create(cfg);
    if (!ep) {
        fprintf(stderr, "endpoint_wav: configuration out of range\n");
        return 2;
    }
    int16_t *pcm;
    size_t n;
    char err[512];
    if (wav_read(path, &pcm, &n, err, sizeof err) < 0) {
        fprintf(stderr, "%s\n", err);
        endpoint_free(ep);
        return 1;
    }
    long ms = 0;
    for (size_t at = 0; at < n; at += EP_FRAME) {
        int16_t frame[EP_FRAME] = {0};
        size_t k = n - at < EP_FRAME ? n - at : EP_FRAME;
        memcpy(frame, pcm + at, k * sizeof *frame);
        ep_event_t ev = endpoint_feed(ep, frame);
        ms += EP_FRAME * 1000 / AUDIO_RATE;
        if (ev == EP_NONE) continue;
        printf("%ld %s", ms, event_name(ev));
        if (verbose) {
            size_t len;
            endpoint_turn(ep, &len);
            long turn_ms = (long)(len * 1000 / AUDIO_RATE);
            if (ev == EP_ONSET || ev == EP_END || ev == EP_CUT)
                printf("  turn %ld..%ld ms (%ld ms)", ms - turn_ms, ms, turn_ms);
            printf("  floor %.1f dBFS", endpoint_noise_db(ep));
        }
        printf("\n");
        if (ev == EP_END || ev == EP_CUT) endpoint_reset(ep);
    }
    if (verbose)
        printf("%ld eof%s  floor %.1f dBFS\n", ms, endpoint_in_turn(ep) ? " (turn open)" : "",
               endpoint_noise_db(ep));
    free(pcm);
    endpoint_free(ep);
    return 0;
}

/* ---- --adaptive -------------------------------------------------------- */

#define TAIL_MS 3000          /* digital silence after each file: every turn ends */
#define REF_TRAILING_MS 10000 /* the pass that finds the end of speech */
#define LIVE_PAUSE_MS 100     /* source_mic.c's pause */

typedef struct {
    size_t end, n;            /* the decoded audio: samples [end - n, end) of the file */
    double ms;                /* its decode, wall clock */
    char *heard, *free_text, *loop_text;
    double conf;
    turn_shape_t shape;       /* turn_shape_hearing */
} decode_t;

typedef struct {
    const char *path;
    char *ask_text;           /* as given, or NULL */
    menu_ask_t ask;
    char *answer;             /* its answer grammar, or NULL */
    int16_t *pcm;
    size_t n;                 /* samples, the silence after it included */
    long speech_end;          /* ms; -1: no speech found */
    decode_t *dec;
    int ndec, cap;
} file_t;

typedef struct {
    const char *name;
    int adaptive, hold;       /* 0: fixed */
    int quick_ms, wait_ms;    /* 0: turn_trailing_ms's own figures */
    double conf;
    int mid_ms;               /* --sweep: neither quick nor unfinished */
    int ahead;                /* 1: the answer said ahead at the decode (not unfinished), as live */
} policy_t;

typedef struct {
    int cut;
    int taken_back;           /* answers said ahead and taken back (the speech went on) */
    long end, ready;          /* the first turn's EP_END (or EP_CUT) and answer, ms; -1 none */
    int decisions[3];         /* results applied, by shape */
} outcome_t;

/* --decodes: a decode kept from an earlier run. */
typedef struct {
    char *path, *ask;
    decode_t d;
} kept_t;

typedef struct {
    const menu_t *menu;
    asr_t *asr;
    int trailing_ms;
    int decodes;              /* made in this run */
    kept_t *kept;             /* --decodes FILE: read at start ... */
    int nkept;
    FILE *keep;               /* ... and each new decode appended */
} sim_t;

static double mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

/* max_turn_ms 0: the default (15 s, as the live kiosk). */
static endpoint_t *live_endpointer(int trailing_ms, int max_turn_ms)
{
    endpoint_config_t c;
    endpoint_defaults(&c);
    c.trailing_ms = trailing_ms;
    c.pause_ms = LIVE_PAUSE_MS;
    if (max_turn_ms) c.max_turn_ms = max_turn_ms;
    return endpoint_create(&c);
}

/* The end of speech: the last speech frame of the file, from a pass whose
 * turns end only after 10 s of silence.  -1 when nothing was speech. */
static long find_speech_end(const file_t *F)
{
    endpoint_t *e = live_endpointer(REF_TRAILING_MS, 120000);   /* no cut: 10 s more would pass 15 s */
    long end = -1, ms = 0;
    int16_t zero[EP_FRAME] = {0};
    size_t frames = F->n / EP_FRAME + (size_t)(REF_TRAILING_MS / 10) + 10;
    for (size_t k = 0; k < frames; k++) {
        ep_event_t ev = endpoint_feed(e, (k + 1) * EP_FRAME <= F->n ? F->pcm + k * EP_FRAME : zero);
        ms += 10;
        if (ev == EP_END) end = ms - REF_TRAILING_MS;
        if (ev == EP_END || ev == EP_CUT) endpoint_reset(e);
    }
    endpoint_free(e);
    return end;
}

/* The decode of samples [end - n, end) of F: done once, kept. */
static const decode_t *decode(sim_t *S, file_t *F, size_t end, size_t n)
{
    for (int i = 0; i < F->ndec; i++)
        if (F->dec[i].end == end && F->dec[i].n == n) return &F->dec[i];
    if (F->ndec == F->cap) {
        F->cap = F->cap ? 2 * F->cap : 8;
        F->dec = xrealloc(F->dec, (size_t)F->cap * sizeof *F->dec);
    }
    decode_t *d = &F->dec[F->ndec++];
    memset(d, 0, sizeof *d);
    d->end = end;
    d->n = n;
    const char *ask_text = F->ask_text ? F->ask_text : "";
    for (int i = 0; i < S->nkept; i++) {
        const kept_t *k = &S->kept[i];
        if (k->d.end == end && k->d.n == n && strcmp(k->path, F->path) == 0 && strcmp(k->ask, ask_text) == 0) {
            *d = k->d;
            d->heard = xstrdup(k->d.heard);
            d->free_text = xstrdup(k->d.free_text);
            d->loop_text = xstrdup(k->d.loop_text);
            goto shape;
        }
    }
    char aerr[256], err[512];
    asr_set_answer(S->asr, F->answer, aerr, sizeof aerr);
    asr_result_t r;
    double t0 = mono_ms();
    if (asr_decode_early(S->asr, F->pcm + end - n, n, session_spot_human, (void *)S->menu, &r, err,
                         sizeof err) < 0) {
        fprintf(stderr, "endpoint_wav: %s: %s\n", F->path, err);
        d->heard = xstrdup("");
        d->free_text = xstrdup("");
        d->loop_text = xstrdup("");
    } else {
        d->heard = xstrdup(r.hearing.heard);
        d->free_text = xstrdup(r.hearing.free_text);
        d->loop_text = xstrdup(r.hearing.loop_text ? r.hearing.loop_text : "");
        if (r.diag.early) d->conf = 1.0;      /* as turnshape.h tells the live loop */
        d->conf = r.hearing.confidence;
    }
    d->ms = mono_ms() - t0;
    if (S->keep)
        fprintf(S->keep, "%s\t%s\t%zu\t%zu\t%.1f\t%.4f\t%s\t%s\t%s\n", F->path, ask_text, end, n, d->ms, d->conf,
                d->heard, d->free_text, d->loop_text);
    S->decodes++;
shape:;
    const menu_ask_t *ask = F->ask.kind == MENU_ASK_NONE ? NULL : &F->ask;
    d->shape = turn_shape_hearing(S->menu, ask, d->heard, d->free_text);
    return d;
}

static int policy_ms(const policy_t *p, const decode_t *d, int def)
{
    if (!p->quick_ms) return turn_trailing_ms(d->shape, d->conf, def);
    if (d->shape == TURN_COMPLETE && d->conf >= p->conf) return p->quick_ms;
    if (d->shape == TURN_UNFINISHED) return p->wait_ms;
    return p->mid_ms > def ? p->mid_ms : def;
}

/* One pass of policy p over F; the audio times are ms from the file's start. */
static void simulate(sim_t *S, file_t *F, const policy_t *p, outcome_t *o)
{
    memset(o, 0, sizeof *o);
    o->end = o->ready = -1;
    endpoint_t *e = live_endpointer(S->trailing_ms, 0);
    double worker_free = 0;      /* when the recogniser's worker is free again */
    const decode_t *spec = NULL; /* the speculative decode valid for the open turn */
    double spec_done = 0;
    int applied = 0;             /* its result was applied to the endpointer */
    double ahead_at = -1;        /* when the answer said ahead began, -1 none */
    int ahead_greets = 0;        /* ... a greeting alone, answered with the welcome */
    int hold = p->wait_ms ? p->wait_ms : TURN_WAIT_MS;
    for (size_t k = 0; (k + 1) * EP_FRAME <= F->n; k++) {
        double t = (double)(k + 1) * 10.0;     /* the frame is delivered at its end */
        if (p->adaptive && spec && !applied && spec_done <= t) {
            endpoint_set_trailing(e, policy_ms(p, spec, S->trailing_ms));
            o->decisions[spec->shape]++;
            applied = 1;
            int greets = dialog_greeting_only(S->menu, spec->free_text);
            if (p->ahead && turn_says_ahead(spec->shape, greets)) {
                ahead_at = spec_done;
                ahead_greets = greets;
            }
        }
        ep_event_t ev = endpoint_feed(e, F->pcm + k * EP_FRAME);
        size_t pos = (k + 1) * EP_FRAME, n;
        switch (ev) {
        case EP_PAUSE:
            endpoint_turn(e, &n);
            spec = decode(S, F, pos, n);
            spec_done = (t > worker_free ? t : worker_free) + spec->ms;
            worker_free = spec_done;
            applied = 0;
            if (p->adaptive && p->hold) endpoint_set_trailing(e, hold);
            break;
        case EP_RESUME:
            spec = NULL;
            if (ahead_at >= 0 && turn_ahead_answered(ahead_greets, t - ahead_at)) {
                o->end = (long)t;        /* taken for an answer to it: the turn ends here */
                o->ready = (long)(ahead_at + 0.5);
            } else if (ahead_at >= 0) {
                o->taken_back++;
            }
            ahead_at = -1;
            break;
        case EP_END:
        case EP_CUT: {
            double ready;
            if (ev == EP_END && ahead_at >= 0) {
                ready = ahead_at;
            } else if (ev == EP_END && spec) {
                ready = t > spec_done ? t : spec_done;
            } else {
                endpoint_turn(e, &n);
                const decode_t *d = decode(S, F, pos, n);
                ready = (t > worker_free ? t : worker_free) + d->ms;
                worker_free = ready;
            }
            o->end = (long)t;
            o->ready = (long)(ready + 0.5);
            break;
        }
        default:
            break;
        }
        if (o->end >= 0) break;       /* the first turn is the measure: no more decodes for this pass */
    }
    o->cut = o->end >= 0 && F->speech_end > o->end;
    endpoint_free(e);
}

/* ---- figures ---- */

typedef struct {
    long *v;
    int n, cap;
} vec_t;

static void vec_push(vec_t *v, long x)
{
    if (v->n == v->cap) {
        v->cap = v->cap ? 2 * v->cap : 64;
        v->v = xrealloc(v->v, (size_t)v->cap * sizeof *v->v);
    }
    v->v[v->n++] = x;
}

static int cmp_long(const void *a, const void *b)
{
    long x = *(const long *)a, y = *(const long *)b;
    return (x > y) - (x < y);
}

/* Nearest-rank percentile q (0..100) of v; -1 when empty. */
static long pct(vec_t *v, double q)
{
    if (!v->n) return -1;
    qsort(v->v, (size_t)v->n, sizeof *v->v, cmp_long);
    int i = (int)((q / 100.0) * v->n + 0.999999) - 1;
    if (i < 0) i = 0;
    if (i >= v->n) i = v->n - 1;
    return v->v[i];
}

typedef struct {
    int files, cut, decisions[3], taken_back;
    vec_t end, ready;
} tally_t;

static void tally_add(tally_t *t, const file_t *F, const outcome_t *o)
{
    t->files++;
    for (int i = 0; i < 3; i++) t->decisions[i] += o->decisions[i];
    t->taken_back += o->taken_back;
    if (o->cut) {
        t->cut++;
        return;
    }
    vec_push(&t->end, o->end - F->speech_end);
    vec_push(&t->ready, o->ready - F->speech_end);
}

static void tally_print(const char *name, tally_t *t)
{
    printf("%-22s cut off %d of %d (%.2f %%); end of speech to EP_END p50 %ld p95 %ld ms; "
           "to the answer (decode included) p50 %ld p95 %ld ms",
           name, t->cut, t->files, t->files ? 100.0 * t->cut / t->files : 0.0, pct(&t->end, 50),
           pct(&t->end, 95), pct(&t->ready, 50), pct(&t->ready, 95));
    if (t->decisions[0] + t->decisions[1] + t->decisions[2])
        printf("; results applied: %d complete, %d unfinished, %d unsure", t->decisions[TURN_COMPLETE],
               t->decisions[TURN_UNFINISHED], t->decisions[TURN_UNSURE]);
    if (t->taken_back) printf("; answers said ahead taken back %d", t->taken_back);
    printf("\n");
}

static void json_outcome(strbuf_t *b, const char *name, const file_t *F, const outcome_t *o)
{
    strbuf_printf(b, ", \"%s\": {\"cut\": %d, \"end\": %ld, \"ready\": %ld, "
                     "\"end_delay\": %ld, \"ready_delay\": %ld, \"taken_back\": %d}",
                  name, o->cut, o->end, o->ready, o->end - F->speech_end, o->ready - F->speech_end, o->taken_back);
}

static int parse_ask(const menu_t *m, const char *s, menu_ask_t *q)
{
    memset(q, 0, sizeof *q);
    q->kind = MENU_ASK_NONE;
    q->item = -1;
    if (!s || !*s || strcmp(s, "-") == 0) return 0;
    if (strcmp(s, "yesno") == 0) {
        q->kind = MENU_ASK_YESNO;
        return 0;
    }
    const char *c = strchr(s, ':');
    if (!c) return -1;
    if (strncmp(s, "size:", 5) == 0) q->kind = MENU_ASK_SIZE;
    else if (strncmp(s, "choice:", 7) == 0) q->kind = MENU_ASK_CHOICE;
    else return -1;
    q->item = menu_item_find(m, c + 1);
    return q->item < 0 ? -1 : 0;
}

static int read_list(const char *path, strlist_t *files, strlist_t *asks)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        perror(path);
        return -1;
    }
    char line[4096];
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = 0;
        if (!line[0] || line[0] == '#') continue;
        char *sp = strchr(line, ' ');
        if (sp) *sp++ = 0;
        strlist_push(files, line);
        strlist_push(asks, sp ? sp : "");
    }
    fclose(f);
    return 0;
}

/* Reads the decodes kept in path (tab-separated: file, question, end, n,
 * decode ms, confidence, heard, free text, loop text), then keeps appending
 * to it.  0, or -1 when it cannot be opened for appending. */
static int keep_open(sim_t *S, const char *path)
{
    FILE *f = fopen(path, "r");
    char line[8192];
    while (f && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = 0;
        char *field[9];
        int nf = 0;
        for (char *p = line; nf < 9; nf++) {
            field[nf] = p;
            char *tab = strchr(p, '\t');
            if (!tab) {
                nf++;
                break;
            }
            *tab = 0;
            p = tab + 1;
        }
        if (nf != 9) continue;
        if (S->nkept % 256 == 0) S->kept = xrealloc(S->kept, (size_t)(S->nkept + 256) * sizeof *S->kept);
        kept_t *k = &S->kept[S->nkept++];
        memset(k, 0, sizeof *k);
        k->path = xstrdup(field[0]);
        k->ask = xstrdup(field[1]);
        k->d.end = strtoul(field[2], NULL, 10);
        k->d.n = strtoul(field[3], NULL, 10);
        k->d.ms = strtod(field[4], NULL);
        k->d.conf = strtod(field[5], NULL);
        k->d.heard = xstrdup(field[6]);
        k->d.free_text = xstrdup(field[7]);
        k->d.loop_text = xstrdup(field[8]);
    }
    if (f) fclose(f);
    S->keep = fopen(path, "a");
    if (!S->keep) perror(path);
    return S->keep ? 0 : -1;
}

static int adaptive_main(const char *menu_path, const char *list, const char *keep, int json, int sweep,
                         int trailing_ms, char **argv, int argc)
{
    strlist_t paths = {0}, asks = {0}, errs = {0};
    if (list && read_list(list, &paths, &asks) < 0) return 1;
    for (int i = 0; i < argc; i++) {
        strlist_push(&paths, argv[i]);
        strlist_push(&asks, "");
    }
    if (!paths.n) {
        usage();
        return 2;
    }
    cmudict_t *dict = NULL;
    menu_t *menu = NULL;
    int status = session_load(menu_path, &dict, &menu, &errs);
    for (int i = 0; i < errs.n; i++) fprintf(stderr, "%s\n", errs.v[i]);
    strlist_free(&errs);
    if (status) {
        cmudict_free(dict);
        menu_free(menu);
        return 1;
    }
    char err[512];
    asr_config_t acfg = { .free_pass = 1 };       /* as kiosk replay */
    sim_t S = { .menu = menu, .trailing_ms = trailing_ms };
    if (keep && keep_open(&S, keep) < 0) {
        cmudict_free(dict);
        menu_free(menu);
        return 1;
    }
    S.asr = session_asr(&acfg, menu, &dict, err, sizeof err);
    if (!S.asr) {
        fprintf(stderr, "endpoint_wav: %s\n", err);
        menu_free(menu);
        return 1;
    }

    static const policy_t main_policies[] = {
        { "fixed", 0, 0, 0, 0, 0, 0, 0 },
        { "adaptive", 1, 1, 0, 0, 0, 0, 0 },
        { "nohold", 1, 0, 0, 0, 0, 0, 0 },
        { "ahead", 1, 1, 0, 0, 0, 0, 1 },
    };
    enum { NMAIN = 4 };
    static const int quicks[] = { 300, 350, 400, 450 };
    static const double confs[] = { 0.85, 0.9, 0.95 };
    static const int mids[] = { 700, 1100, 1300 };
    enum { NQ = 4, NC = 3, NM = 3, NSWEEP = NQ * NC * NM };
    policy_t sweeps[NSWEEP];
    for (int i = 0; i < NSWEEP; i++)
        sweeps[i] = (policy_t){ "sweep", 1, 1, quicks[i / (NC * NM)], TURN_WAIT_MS, confs[i / NM % NC], mids[i % NM], 0 };
    if (sweep && json) {
        printf("{\"sweep\": [");
        for (int i = 0; i < NSWEEP; i++)
            printf("%s[%d, %.2f, %d, %d]", i ? ", " : "", sweeps[i].quick_ms, sweeps[i].conf, sweeps[i].wait_ms,
                   sweeps[i].mid_ms);
        printf("]}\n");
    }
    tally_t tal[NMAIN], stal[NSWEEP];
    memset(tal, 0, sizeof tal);
    memset(stal, 0, sizeof stal);
    vec_t dec_ms = {0};
    int rc = 0, nospeech = 0;

    for (int fi = 0; fi < paths.n; fi++) {
        file_t F = { .path = paths.v[fi] };
        if (parse_ask(menu, asks.v[fi], &F.ask) < 0) {
            fprintf(stderr, "endpoint_wav: %s: question \"%s\": give size:ITEM, choice:ITEM or yesno\n", F.path,
                    asks.v[fi]);
            rc = 2;
            continue;
        }
        if (F.ask.kind != MENU_ASK_NONE) {
            F.ask_text = asks.v[fi];
            F.answer = menu_answer_grammar(menu, &F.ask);
        }
        int16_t *pcm;
        size_t n;
        if (wav_read(F.path, &pcm, &n, err, sizeof err) < 0) {
            fprintf(stderr, "%s\n", err);
            free(F.answer);
            rc = 1;
            continue;
        }
        size_t frames = (n + EP_FRAME - 1) / EP_FRAME + TAIL_MS / 10;
        F.n = frames * EP_FRAME;
        F.pcm = xcalloc(F.n, sizeof *F.pcm);
        memcpy(F.pcm, pcm, n * sizeof *pcm);
        free(pcm);
        F.speech_end = find_speech_end(&F);

        outcome_t o[NMAIN], so[NSWEEP];
        if (F.speech_end >= 0) {
            for (int p = 0; p < NMAIN; p++) {
                simulate(&S, &F, &main_policies[p], &o[p]);
                tally_add(&tal[p], &F, &o[p]);
            }
            for (int p = 0; sweep && p < NSWEEP; p++) {
                simulate(&S, &F, &sweeps[p], &so[p]);
                tally_add(&stal[p], &F, &so[p]);
            }
            for (int i = 0; i < F.ndec; i++) vec_push(&dec_ms, (long)(F.dec[i].ms + 0.5));
        } else {
            nospeech++;
        }

        strbuf_t b = {0};
        if (json) {
            strbuf_append(&b, "{\"file\": ");
            strbuf_json_str(&b, F.path);
            strbuf_append(&b, ", \"ask\": ");
            strbuf_json_str(&b, F.ask_text);
            strbuf_printf(&b, ", \"speech_end\": %ld, \"decodes\": [", F.speech_end);
            for (int i = 0; i < F.ndec; i++) {
                const decode_t *d = &F.dec[i];
                strbuf_printf(&b, "%s{\"at\": %ld, \"audio_ms\": %ld, \"decode_ms\": %.1f, \"heard\": ", i ? ", " : "",
                              (long)(d->end * 1000 / AUDIO_RATE), (long)(d->n * 1000 / AUDIO_RATE), d->ms);
                strbuf_json_str(&b, d->heard);
                strbuf_append(&b, ", \"free_text\": ");
                strbuf_json_str(&b, d->free_text);
                strbuf_append(&b, ", \"loop_text\": ");
                strbuf_json_str(&b, d->loop_text);
                strbuf_printf(&b, ", \"confidence\": %.3f, \"shape\": \"%s\"}", d->conf, turn_shape_names[d->shape]);
            }
            strbuf_append(&b, "]");
            if (F.speech_end >= 0)
                for (int p = 0; p < NMAIN; p++) json_outcome(&b, main_policies[p].name, &F, &o[p]);
            if (F.speech_end >= 0 && sweep) {
                strbuf_append(&b, ", \"sweep\": [");
                for (int p = 0; p < NSWEEP; p++)
                    strbuf_printf(&b, "%s[%d, %ld, %ld]", p ? ", " : "", so[p].cut, so[p].end - F.speech_end,
                                  so[p].ready - F.speech_end);
                strbuf_append(&b, "]");
            }
            strbuf_append(&b, "}\n");
        } else if (F.speech_end < 0) {
            strbuf_printf(&b, "%s: no speech\n", F.path);
        } else {
            strbuf_printf(&b, "%s: speech ends %ld ms", F.path, F.speech_end);
            for (int p = 0; p < NMAIN; p++)
                strbuf_printf(&b, "; %s %s+%ld ready +%ld", main_policies[p].name, o[p].cut ? "CUT OFF " : "",
                              o[p].end - F.speech_end, o[p].ready - F.speech_end);
            strbuf_append(&b, "\n");
        }
        fputs(strbuf_cstr(&b), stdout);
        fflush(stdout);
        strbuf_free(&b);
        for (int i = 0; i < F.ndec; i++) {
            free(F.dec[i].heard);
            free(F.dec[i].free_text);
            free(F.dec[i].loop_text);
        }
        free(F.dec);
        free(F.pcm);
        free(F.answer);
    }

    printf("summary: %d files (%d with no speech, left out); trailing %d ms, pause %d ms; %d decodes (%d made now), "
           "decode p50 %ld p95 %ld ms (wall clock); delays over the files not cut off\n",
           paths.n, nospeech, trailing_ms, LIVE_PAUSE_MS, dec_ms.n, S.decodes, pct(&dec_ms, 50), pct(&dec_ms, 95));
    for (int p = 0; p < NMAIN; p++) {
        char name[64];
        snprintf(name, sizeof name, "summary %s:", main_policies[p].name);
        tally_print(name, &tal[p]);
    }
    for (int p = 0; sweep && !json && p < NSWEEP; p++) {
        char name[64];
        snprintf(name, sizeof name, "sweep q%d c%.2f w%d m%d:", sweeps[p].quick_ms, sweeps[p].conf,
                 sweeps[p].wait_ms, sweeps[p].mid_ms);
        tally_print(name, &stal[p]);
    }
    for (int p = 0; p < NMAIN; p++) {
        free(tal[p].end.v);
        free(tal[p].ready.v);
    }
    for (int p = 0; p < NSWEEP; p++) {
        free(stal[p].end.v);
        free(stal[p].ready.v);
    }
    free(dec_ms.v);
    for (int i = 0; i < S.nkept; i++) {
        free(S.kept[i].path);
        free(S.kept[i].ask);
        free(S.kept[i].d.heard);
        free(S.kept[i].d.free_text);
        free(S.kept[i].d.loop_text);
    }
    free(S.kept);
    if (S.keep) fclose(S.keep);
    asr_free(S.asr);
    menu_free(menu);
    strlist_free(&paths);
    strlist_free(&asks);
    return rc;
}

int main(int argc, char **argv)
{
    endpoint_config_t cfg;
    endpoint_defaults(&cfg);
    int verbose = 0, opt, adaptive = 0, json = 0, sweep = 0;
    const char *menu = "menus/burger.yaml", *list = NULL, *keep = NULL;
    static const struct option longs[] = {
        { "adaptive", no_argument, NULL, 'A' }, { "menu", required_argument, NULL, 'M' },
        { "list", required_argument, NULL, 'L' }, { "json", no_argument, NULL, 'J' },
        { "sweep", no_argument, NULL, 'S' },      { "decodes", required_argument, NULL, 'D' },
        { NULL, 0, NULL, 0 },
    };
    while ((opt = getopt_long(argc, argv, "vr:t:p:m:", longs, NULL)) != -1) {
        switch (opt) {
        case 'v': verbose = 1; break;
        case 'r': cfg.preroll_ms = atoi(optarg); break;
        case 't': cfg.trailing_ms = atoi(optarg); break;
        case 'p': cfg.pause_ms = atoi(optarg); break;
        case 'm': cfg.max_turn_ms = atoi(optarg); break;
        case 'A': adaptive = 1; break;
        case 'M': menu = optarg; break;
        case 'L': list = optarg; break;
        case 'J': json = 1; break;
        case 'S': sweep = 1; break;
        case 'D': keep = optarg; break;
        default: usage(); return 2;
        }
    }
    if (adaptive) {
        if (cfg.trailing_ms < 10 || cfg.trailing_ms > 10000) {
            usage();
            return 2;
        }
        return adaptive_main(menu, list, keep, json, sweep, cfg.trailing_ms, argv + optind, argc - optind);
    }
    if (optind != argc - 1) {
        usage();
        return 2;
    }
    return plain(&cfg, verbose, argv[optind]);
}
