/* rig.c: the echo rig (issue 19): a drive-through post with a real echo path,
 * for testing the live kiosk's turn-taking (barge-in, echo cancellation) as a
 * person would, on a machine with no sound card.
 *
 * A private PulseAudio (tests/pulse.sh, pa_start_rig) has two null sinks:
 *   kiosk_spk  the kiosk's loudspeaker (the default sink: `kiosk run` plays there)
 *   post_air   what the post's microphone hears (its .monitor is the default
 *              source: `kiosk run` listens there)
 * Every 10 ms the rig reads the loudspeaker from kiosk_spk.monitor and writes
 * to post_air
 *
 *   mic = echo + customer + noise
 *   echo     = the loudspeaker delayed by --delay-ms, attenuated by --atten-db
 *              and convolved with a room: a direct path of gain 1 and, from
 *              3 ms on, a seeded exponentially decaying noise tail that falls
 *              60 dB in --rt60-ms, --drr-db below the direct path in energy
 *   customer = the conversation's turns (WAV files) as their triggers fire
 *   noise    = --noise WAV looped from a seeded offset, scaled so that the
 *              customer's speech is --snr-db above it (speech level: the RMS of
 *              the turns' 20 ms frames above -45 dBFS; no turns: -26 dBFS)
 * and keeps both signals (--record DIR: speaker.wav, mic.wav).  The rig's own
 * buffering adds to the echo's delay: the path from kiosk_spk to post_air is
 * the record fragment + the playback buffer (logged as "lag_ms"), so the echo
 * reaches the kiosk --delay-ms + lag_ms after it played (plus the kiosk's own
 * device latencies, as at a real post).
 *
 * The lane's noise is there before the conversation: it fades in from -20 dB
 * over --fade-ms (default 8 s: 2.5 dB/s, under the 10 dB/s the kiosk's noise
 * floor follows: noise that starts at once from digital silence is a step the
 * endpointer takes for a turn, which a kiosk at a real post, up for hours,
 * never hears.  The traffic's swells and the wind's gusts still open a car
 * now and then, before the conversation as during it, at 5 dB/s as at 2.5:
 * 2 and 3 kiosks of 30; tests/rig/score.py counts them), and the
 * conversation's clock starts ("go") when it is in full, or on SIGUSR1 with
 * --go-signal if that comes later: tests/rig/run.sh starts the rig, then the
 * kiosk, and says go once the kiosk listens.
 *
 * The conversation file: one customer turn a line, `#` starts a comment line.
 *
 *   TRIGGER MS | WORDS | WAV
 *
 *   at MS      MS after "go"
 *   after MS   MS after the previous turn's speech ended, whatever the kiosk does
 *   wait MS    MS after the kiosk's voice stopped: the end of its answer, the
 *              first stretch of kiosk speech that began after the previous
 *              turn's speech ended (for the first turn: after "go").  A
 *              customer who waits for the kiosk to finish.
 *   over MS    MS after that answer started: a customer who talks over it
 *   WORDS      what the customer says, for scoring (not used by the rig)
 *   WAV        16 kHz mono 16-bit, relative to the conversation file's folder
 *
 *   e.g.   at 500    | hello | c07-1.wav
 *          over 900  | a cheeseburger and a large coke | c07-2.wav
 *          wait 800  | that's all | c07-3.wav
 *
 * Turns play one after the other, never overlapping: a trigger is looked at
 * once the turn before has played to its end.  For wait and over, a kiosk that
 * says nothing for --answer-timeout-ms after the previous turn's speech end
 * (a customer left without an answer) gets the turn then anyway
 * ("gave_up": true).  The kiosk's voice is found on the loudspeaker signal by
 * energy: on at the first sample of a 10 ms frame above --vad-dbfs, off at the
 * last sample above that level once --hangover-ms have passed without one
 * (longer than the pause between the kiosk's sentences, ~400 ms: one answer is
 * one stretch).  So a wait turn with MS below the hangover starts at the
 * hangover, late (its "late_ms" says by how much).  The conversation ends
 * --tail-ms after the last turn's speech end once the kiosk is quiet, or at
 * --limit-s after "go".  With no turns at all (the kiosk talking to nobody) it
 * runs to the limit.
 *
 * The log (--log FILE, default standard output): one JSON object a line, on
 * the rig's sample clock: "s" is seconds since sample 0 (both signals share
 * that clock: speaker sample n was read at the same 10 ms step as mic sample
 * n was written) and "t" is the wall clock, t0 + s, the kiosk's --events
 * clock: for the loudspeaker's events that is when the kiosk played it; the
 * post hears a customer's sample lag_ms after its "t".  t0, the wall clock of
 * sample 0, is the least of (wall clock after a read - samples read so far):
 * a read that had to wait for its data, not one of a backlog (the rig
 * starting, or starved of the CPU: "behind" counts the reads that came back
 * more than 30 ms late).  Each line's "t" uses t0 as known then; the "end"
 * line has the best (good to ~10 ms, the monitor's own latency).
 *   {"event": "start", "t0": wall-clock of sample 0, "rate": 16000, options...}
 *   {"event": "lag", "s", "t", "lag_ms", "behind_ms", "play_ms", "t0"}   at 2 s, then every 5 s
 *   {"event": "go", "s", "t"}   the conversation's clock starts
 *   {"event": "customer_start", "s", "t", "turn": n (from 1), "trigger", "ms",
 *    "words", "wav", "late_ms", "gave_up"}
 *   {"event": "customer_on" | "customer_off", "s", "t", "turn"}   first/last loud sample
 *   {"event": "kiosk_on", "s", "t", "seg": n}   {"event": "kiosk_off", "s", "t", "seg", "dur"}
 *   {"event": "drain", "s", "t", "ms"}   blocks from s on read and not played (a backlog: below)
 *   {"event": "behind", "s", "t", "until", "max_ms"}   the rig's reads came back late (starved)
 *   {"event": "end", "s", "t", "why": "done" | "limit" | "signal" | "no go" | "error", "t0",
 *    "turns_played", "clipped" (mic samples at full scale), "behind", "behind_max_ms", "drained_ms",
 *    "lag_min_ms", "lag_max_ms"}
 *
 * The rig's clock is the loudspeaker's: one block read, one written, so the
 * path from loudspeaker to microphone is what waits to be read plus what
 * waits to be played, and either would stay for the rest of the run once
 * grown (the two streams run at the same rate): a start slow to read, or the
 * rig starved of the CPU (the playback then runs dry, pauses and refills, a
 * little later than before).  So a block is read and not played ("drain", a
 * gap in what the kiosk hears) while the reads come back more than DRAIN_MS
 * late (by the rig's own clock: PulseAudio's latency figures are stale at
 * times), or the playback holds 2 DRAIN_MS more than --play-ms (then at most
 * one block in ten, its latency being known a little late).  Before sample
 * 0 the loudspeaker's stream is read until reads wait for their data.
 * "behind" and "drain" say when; tests/rig/score.py flags the customer turns
 * they fall in.  (Not prebuf 0, a playback that never pauses: once late,
 * PulseAudio drops every block written after, in its past, for good.)
 *
 * Usage: rig --conv FILE [--log FILE] [--record DIR] [options]; rig --help.
 * Exit 0, 1 on a runtime failure (PulseAudio), 2 on bad input. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <pulse/error.h>
#include <pulse/simple.h>
#include <sndfile.h>

#define RATE 16000
#define BLOCK 160                  /* 10 ms */
#define PREDELAY 48                /* the reverberation tail starts 3 ms after the direct path */
#define ACTIVE_DBFS (-45.0)        /* a 20 ms frame of a turn above this is speech (tests/speech/eval.py) */
#define LOUD_DBFS (-40.0)          /* a customer's first/last loud sample: |x| above this */
#define NO_SPEECH_DBFS (-26.0)     /* the speech level the noise is set against when there are no turns */
#define DRAIN_MS 30                /* a backlog of the loudspeaker beyond this is read and not played */

static const char usage_text[] =
    "usage: rig --conv FILE [--log FILE] [--record DIR] [--delay-ms MS] [--atten-db DB]\n"
    "           [--rt60-ms MS] [--drr-db DB] [--noise WAV] [--snr-db DB] [--seed N]\n"
    "           [--limit-s S] [--tail-ms MS] [--answer-timeout-ms MS] [--vad-dbfs DB]\n"
    "           [--hangover-ms MS] [--play-ms MS] [--speaker SOURCE] [--mic SINK] [--go-signal]\n"
    "           [--fade-ms MS]\n"
    "  The echo rig: reads the kiosk's loudspeaker from a PulseAudio monitor, writes\n"
    "  echo + customer + noise to the sink the kiosk listens to, every 10 ms.\n"
    "  --conv FILE        the conversation (format at the top of tests/rig/rig.c)\n"
    "  --log FILE         JSON lines on the rig's sample clock (default: standard output)\n"
    "  --record DIR       save speaker.wav and mic.wav there\n"
    "  --delay-ms MS      the echo's delay, 0..500 (default 60)\n"
    "  --atten-db DB      the direct echo's attenuation, 0..80 (default 10)\n"
    "  --rt60-ms MS       the room's reverberation time, 0..1000 (default 200; 0: none)\n"
    "  --drr-db DB        direct path above the reverberation, in energy (default 6)\n"
    "  --noise WAV        drive-through noise, 16 kHz mono, looped (default: none)\n"
    "  --snr-db DB        the customer's speech above the noise (default 15)\n"
    "  --seed N           the room's tail and the noise's offset (default 1)\n"
    "  --go-signal        the conversation starts on SIGUSR1 (noise and echo before it)\n"
    "  --fade-ms MS       the noise fades in from -20 dB over MS, before the start (default 8000)\n"
    "  --limit-s S        stop S seconds after the start whatever happens (default 120)\n"
    "  --tail-ms MS       keep going this long after the last turn (default 4000)\n"
    "  --answer-timeout-ms MS  a wait/over turn goes ahead without an answer (default 6000)\n"
    "  --vad-dbfs DB      the kiosk's voice is on above this 10 ms RMS (default -45)\n"
    "  --hangover-ms MS   and off after this long below it (default 600)\n"
    "  --play-ms MS       the playback buffer (default 30)\n"
    "  --speaker SOURCE   default kiosk_spk.monitor\n"
    "  --mic SINK         default post_air\n";

typedef enum { TRIG_AT, TRIG_AFTER, TRIG_WAIT, TRIG_OVER } trig_t;
static const char *const trig_names[] = { "at", "after", "wait", "over" };

typedef struct {
    trig_t trig;
    long ms;
    char *words, *wav;
    int16_t *pcm;
    long n;
    long on, off;              /* first/last loud sample within pcm */
    long start;                /* rig sample it started at, -1 before */
} turn_t;

typedef struct {
    long on, off;              /* off -1 while it lasts */
} seg_t;

typedef struct {
    const char *conv, *log, *record, *noise, *speaker, *mic;
    double fade_ms;
    double delay_ms, atten_db, rt60_ms, drr_db, snr_db, limit_s, tail_ms, timeout_ms, vad_dbfs, hangover_ms, play_ms;
    unsigned long seed;
    int go_signal;
} opts_t;

static volatile sig_atomic_t stop_signal, go_signal;
static void on_signal(int sig)
{
    if (sig == SIGUSR1) go_signal = 1;
    else stop_signal = 1;
}

static FILE *logf_;
static double t0;

static void die_input(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die_input(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("rig: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(2);
}

static void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size);
    if (!p) {
        fputs("rig: out of memory\n", stderr);
        exit(1);
    }
    return p;
}

static char *xstrdup(const char *s)
{
    char *p = xcalloc(strlen(s) + 1, 1);
    memcpy(p, s, strlen(s));
    return p;
}

static double wall_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- the log ------------------------------------------------------------------- */

static void json_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\') fprintf(f, "\\%c", *p);
        else if (*p < 0x20) fprintf(f, "\\u%04x", *p);
        else fputc(*p, f);
    }
    fputc('"', f);
}

/* Opens a log line of event `ev` at rig sample `s`; the caller adds fields
 * (", \"k\": v") and calls log_end. */
static void log_begin(const char *ev, long s)
{
    fprintf(logf_, "{\"event\": \"%s\", \"s\": %.4f, \"t\": %.4f", ev, (double)s / RATE, t0 + (double)s / RATE);
}

/* No file I/O in the 10 ms loop: a write can wait on the disk's journal
 * (the kiosk's SQLite commits), and then so would the microphone.  The log
 * is buffered whole (flushed at its start line and at the end), the
 * recordings are kept in memory and written at the end. */
static void log_end(void)
{
    fputs("}\n", logf_);
}

typedef struct {
    int16_t *v;
    size_t n, cap;
} pcmbuf_t;

static void pcm_append(pcmbuf_t *b, const int16_t *x, size_t n)
{
    if (b->n + n > b->cap) {
        size_t cap = b->cap ? 2 * b->cap : (size_t)RATE * 60;
        while (cap < b->n + n) cap *= 2;
        int16_t *v = realloc(b->v, cap * sizeof *v);
        if (!v) {
            fputs("rig: out of memory\n", stderr);
            exit(1);
        }
        b->v = v;
        b->cap = cap;
    }
    memcpy(b->v + b->n, x, n * sizeof *x);
    b->n += n;
}

/* ---- audio files ----------------------------------------------------------------- */

/* A 16 kHz mono WAV's samples (owned by the caller), or exit 2 with `what` named. */
static int16_t *read_wav(const char *path, long *n, const char *what)
{
    SF_INFO info;
    memset(&info, 0, sizeof info);
    SNDFILE *f = sf_open(path, SFM_READ, &info);
    if (!f) die_input("%s: %s: %s", what, path, sf_strerror(NULL));
    if (info.samplerate != RATE || info.channels != 1) {
        sf_close(f);
        die_input("%s: %s: %d Hz, %d channels; give 16000 Hz mono (sox IN -r 16000 -c 1 OUT)", what, path,
                  info.samplerate, info.channels);
    }
    int16_t *pcm = xcalloc((size_t)info.frames + 1, sizeof *pcm);
    *n = (long)sf_readf_short(f, pcm, info.frames);
    sf_close(f);
    if (*n <= 0) die_input("%s: %s: no samples", what, path);
    return pcm;
}

/* Writes a recording; 0, or -1 with the reason on stderr. */
static int write_wav(const char *dir, const char *name, const pcmbuf_t *b)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    SF_INFO info = { .samplerate = RATE, .channels = 1, .format = SF_FORMAT_WAV | SF_FORMAT_PCM_16 };
    SNDFILE *f = sf_open(path, SFM_WRITE, &info);
    if (!f || sf_write_short(f, b->v, (sf_count_t)b->n) != (sf_count_t)b->n) {
        fprintf(stderr, "rig: --record: %s: %s\n", path, sf_strerror(f));
        if (f) sf_close(f);
        return -1;
    }
    return sf_close(f) ? -1 : 0;
}

/* ---- the conversation file ---------------------------------------------------------- */

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t') s++;
    char *e = s + strlen(s);
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r')) *--e = 0;
    return s;
}

static turn_t *read_conv(const char *path, int *nturns)
{
    FILE *f = fopen(path, "r");
    if (!f) die_input("--conv %s: %s", path, strerror(errno));
    char dir[4096] = ".";
    const char *slash = strrchr(path, '/');
    if (slash) snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    turn_t *v = NULL;
    int n = 0, cap = 0, lineno = 0;
    char line[4096];
    while (fgets(line, sizeof line, f)) {
        lineno++;
        char *s = trim(line);
        if (!*s || *s == '#') continue;
        char *bar1 = strchr(s, '|'), *bar2 = bar1 ? strchr(bar1 + 1, '|') : NULL;
        if (!bar2) die_input("%s:%d: give TRIGGER MS | WORDS | WAV", path, lineno);
        *bar1 = *bar2 = 0;
        char name[16];
        long ms;
        char extra;
        if (sscanf(s, "%15s %ld %c", name, &ms, &extra) != 2 || ms < 0 || ms > 3600000)
            die_input("%s:%d: \"%s\": give a trigger and a number of ms, e.g. \"wait 800\"", path, lineno, trim(s));
        int t = -1;
        for (int k = 0; k < 4; k++)
            if (!strcmp(name, trig_names[k])) t = k;
        if (t < 0) die_input("%s:%d: trigger \"%s\": give at, after, wait or over", path, lineno, name);
        char *words = trim(bar1 + 1), *wav = trim(bar2 + 1);
        if (!*wav) die_input("%s:%d: no WAV file", path, lineno);
        if (n == cap) {
            cap = cap ? 2 * cap : 8;
            turn_t *nv = realloc(v, (size_t)cap * sizeof *v);
            if (!nv) die_input("out of memory");
            v = nv;
        }
        turn_t *u = &v[n++];
        memset(u, 0, sizeof *u);
        u->trig = (trig_t)t;
        u->ms = ms;
        u->words = xstrdup(words);
        char full[8192];
        if (wav[0] == '/') snprintf(full, sizeof full, "%s", wav);
        else snprintf(full, sizeof full, "%s/%s", dir, wav);
        u->wav = xstrdup(full);
        char what[64];
        snprintf(what, sizeof what, "turn %d", n);
        u->pcm = read_wav(full, &u->n, what);
        int thr = (int)(32768.0 * pow(10.0, LOUD_DBFS / 20.0));
        u->on = -1;
        for (long i = 0; i < u->n; i++)
            if (abs(u->pcm[i]) > thr) {
                if (u->on < 0) u->on = i;
                u->off = i;
            }
        if (u->on < 0) die_input("%s:%d: %s is silent (nothing above %.0f dBFS)", path, lineno, full, LOUD_DBFS);
        u->start = -1;
    }
    fclose(f);
    *nturns = n;
    return v;
}

/* The RMS of the turns' 20 ms frames above ACTIVE_DBFS (the speech, not its pauses). */
static double speech_rms(const turn_t *t, int n)
{
    double sum = 0, thr = 32768.0 * pow(10.0, ACTIVE_DBFS / 20.0);
    long count = 0;
    for (int k = 0; k < n; k++)
        for (long i = 0; i + 320 <= t[k].n; i += 320) {
            double e = 0;
            for (int j = 0; j < 320; j++) e += (double)t[k].pcm[i + j] * t[k].pcm[i + j];
            if (sqrt(e / 320) > thr) {
                sum += e;
                count += 320;
            }
        }
    return count ? sqrt(sum / (double)count) : 32768.0 * pow(10.0, NO_SPEECH_DBFS / 20.0);
}

/* ---- the room -------------------------------------------------------------------------- */

/* xorshift64*: the same tail and noise offset for a seed on every machine. */
static uint64_t rng_state;
static double rng_uniform(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (double)((rng_state * 2685821657736338717ULL) >> 11) / 9007199254740992.0;
}
static double rng_gauss(void)
{
    double u = rng_uniform(), v = rng_uniform();
    return sqrt(-2.0 * log(u > 1e-300 ? u : 1e-300)) * cos(2 * M_PI * v);
}

/* The impulse response, direct path 1 at tap 0 (the delay is applied apart). */
static float *room_ir(double rt60_ms, double drr_db, int *len)
{
    int tail = (int)(rt60_ms * RATE / 1000.0);
    if (tail <= 0) {
        *len = 1;
        float *h = xcalloc(1, sizeof *h);
        h[0] = 1;
        return h;
    }
    int n = PREDELAY + tail;
    float *h = xcalloc((size_t)n, sizeof *h);
    double e = 0;
    for (int i = PREDELAY; i < n; i++) {
        double decay = pow(10.0, -3.0 * (i - PREDELAY) / (double)tail);   /* -60 dB at the end */
        h[i] = (float)(rng_gauss() * decay);
        e += (double)h[i] * h[i];
    }
    double g = sqrt(pow(10.0, -drr_db / 10.0) / e);
    for (int i = PREDELAY; i < n; i++) h[i] = (float)(h[i] * g);
    h[0] = 1;
    *len = n;
    return h;
}

/* ---- options ------------------------------------------------------------------------ */

static double num_opt(const char *name, const char *arg, double lo, double hi)
{
    char *end;
    double v = strtod(arg, &end);
    if (end == arg || *end || !(v >= lo && v <= hi))
        die_input("--%s %s: give a number from %g to %g", name, arg, lo, hi);
    return v;
}

static void parse(int argc, char **argv, opts_t *o)
{
    static const struct option longs[] = {
        { "conv", required_argument, NULL, 'c' },     { "log", required_argument, NULL, 'l' },
        { "record", required_argument, NULL, 'r' },   { "delay-ms", required_argument, NULL, 'd' },
        { "atten-db", required_argument, NULL, 'a' }, { "rt60-ms", required_argument, NULL, 'R' },
        { "drr-db", required_argument, NULL, 'D' },   { "noise", required_argument, NULL, 'n' },
        { "snr-db", required_argument, NULL, 's' },   { "seed", required_argument, NULL, 'S' },
        { "limit-s", required_argument, NULL, 'L' },  { "tail-ms", required_argument, NULL, 'T' },
        { "answer-timeout-ms", required_argument, NULL, 'A' },
        { "vad-dbfs", required_argument, NULL, 'v' }, { "hangover-ms", required_argument, NULL, 'H' },
        { "play-ms", required_argument, NULL, 'P' },  { "speaker", required_argument, NULL, 'k' },
        { "mic", required_argument, NULL, 'm' },      { "help", no_argument, NULL, 'h' },
        { "go-signal", no_argument, NULL, 'g' },   { "fade-ms", required_argument, NULL, 'F' },
        { NULL, 0, NULL, 0 },
    };
    *o = (opts_t){ .speaker = "kiosk_spk.monitor", .mic = "post_air", .delay_ms = 60, .atten_db = 10,
                   .rt60_ms = 200, .drr_db = 6, .snr_db = 15, .seed = 1, .limit_s = 120, .tail_ms = 4000,
                   .timeout_ms = 6000, .vad_dbfs = -45, .hangover_ms = 600, .play_ms = 30, .fade_ms = 8000 };
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "h", longs, NULL)) != -1) {
        switch (c) {
        case 'c': o->conv = optarg; break;
        case 'l': o->log = optarg; break;
        case 'r': o->record = optarg; break;
        case 'n': o->noise = optarg; break;
        case 'k': o->speaker = optarg; break;
        case 'm': o->mic = optarg; break;
        case 'g': o->go_signal = 1; break;
        case 'F': o->fade_ms = num_opt("fade-ms", optarg, 0, 60000); break;
        case 'd': o->delay_ms = num_opt("delay-ms", optarg, 0, 500); break;
        case 'a': o->atten_db = num_opt("atten-db", optarg, 0, 80); break;
        case 'R': o->rt60_ms = num_opt("rt60-ms", optarg, 0, 1000); break;
        case 'D': o->drr_db = num_opt("drr-db", optarg, -20, 40); break;
        case 's': o->snr_db = num_opt("snr-db", optarg, -20, 80); break;
        case 'S': o->seed = (unsigned long)num_opt("seed", optarg, 0, 4294967295.0); break;
        case 'L': o->limit_s = num_opt("limit-s", optarg, 0.1, 86400); break;
        case 'T': o->tail_ms = num_opt("tail-ms", optarg, 0, 86400000); break;
        case 'A': o->timeout_ms = num_opt("answer-timeout-ms", optarg, 100, 600000); break;
        case 'v': o->vad_dbfs = num_opt("vad-dbfs", optarg, -90, 0); break;
        case 'H': o->hangover_ms = num_opt("hangover-ms", optarg, 10, 10000); break;
        case 'P': o->play_ms = num_opt("play-ms", optarg, 10, 1000); break;
        case 'h': fputs(usage_text, stdout); exit(0);
        default:
            fprintf(stderr, "rig: %s option %s\n%s", optopt ? "bad use of" : "unknown", argv[optind - 1], usage_text);
            exit(2);
        }
    }
    if (optind < argc) die_input("unexpected argument \"%s\"", argv[optind]);
    if (!o->conv) {
        fprintf(stderr, "rig: --conv FILE is needed\n%s", usage_text);
        exit(2);
    }
}

/* ---- the loop ------------------------------------------------------------------------- */

typedef struct {
    pa_simple *rec, *play;
    long lag_min, lag_max;     /* the rig's path, ms (record fragment + playback buffer) */
} pa_t;

/* Logs the rig's own path from loudspeaker to microphone now, in ms: how
 * late the last read came back (the loudspeaker's backlog, by the rig's own
 * clock: PulseAudio's figure for a record stream is stale for a while after
 * it starts), the block, and what waits to be played. */
static long log_lag(pa_t *p, long s, double behind_s)
{
    int err;
    pa_usec_t w = pa_simple_get_latency(p->play, &err);
    long lag = (long)(behind_s * 1000.0 + w / 1000.0) + BLOCK * 1000 / RATE;
    if (lag < p->lag_min) p->lag_min = lag;
    if (lag > p->lag_max) p->lag_max = lag;
    log_begin("lag", s);
    fprintf(logf_, ", \"lag_ms\": %ld, \"behind_ms\": %.1f, \"play_ms\": %.1f, \"t0\": %.4f", lag, behind_s * 1000.0,
            w / 1000.0, t0);
    log_end();
    return lag;
}

int main(int argc, char **argv)
{
    opts_t o;
    parse(argc, argv, &o);
    logf_ = stdout;
    if (o.log && !(logf_ = fopen(o.log, "w"))) die_input("--log %s: %s", o.log, strerror(errno));
    static char logbuf[1 << 20];
    setvbuf(logf_, logbuf, _IOFBF, sizeof logbuf);

    int nt;
    turn_t *turns = read_conv(o.conv, &nt);
    rng_state = 0x9E3779B97F4A7C15ULL ^ ((uint64_t)o.seed * 0xBF58476D1CE4E5B9ULL);
    if (!rng_state) rng_state = 1;
    int irlen;
    float *ir = room_ir(o.rt60_ms, o.drr_db, &irlen);
    long delay = (long)(o.delay_ms * RATE / 1000.0 + 0.5);
    float echo_gain = (float)pow(10.0, -o.atten_db / 20.0);

    float *noise = NULL;
    long nnoise = 0, noise_at = 0;
    double noise_gain = 0;
    if (o.noise) {
        int16_t *raw = read_wav(o.noise, &nnoise, "--noise");
        noise = xcalloc((size_t)nnoise, sizeof *noise);
        double e = 0;
        for (long i = 0; i < nnoise; i++) {
            noise[i] = raw[i];
            e += (double)raw[i] * raw[i];
        }
        free(raw);
        double nrms = sqrt(e / (double)nnoise);
        if (nrms < 1) die_input("--noise %s: silent", o.noise);
        noise_gain = speech_rms(turns, nt) / pow(10.0, o.snr_db / 20.0) / nrms;
        noise_at = (long)(rng_uniform() * (double)nnoise) % nnoise;
    }

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGUSR1, &sa, NULL);
    if (!o.go_signal) go_signal = 1;

    pcmbuf_t rec_spk = { 0 }, rec_mic = { 0 };
    if (o.record) {   /* the folder is checked now, not after the run */
        pcmbuf_t none = { 0 };
        if (write_wav(o.record, "speaker.wav", &none) < 0 || write_wav(o.record, "mic.wav", &none) < 0) exit(2);
        size_t want = (size_t)((o.limit_s + o.fade_ms / 1000.0 + 30) * RATE);
        rec_spk.v = xcalloc(want, sizeof *rec_spk.v);
        rec_mic.v = xcalloc(want, sizeof *rec_mic.v);
        rec_spk.cap = rec_mic.cap = want;
    }

    pa_sample_spec ss = { .format = PA_SAMPLE_S16LE, .rate = RATE, .channels = 1 };
    pa_buffer_attr ra = { .maxlength = (uint32_t)-1, .tlength = (uint32_t)-1, .prebuf = (uint32_t)-1,
                          .minreq = (uint32_t)-1, .fragsize = BLOCK * 2 };
    uint32_t tl = (uint32_t)(o.play_ms * RATE / 1000.0) * 2;
    pa_buffer_attr pa_ = { .maxlength = (uint32_t)-1, .tlength = tl, .prebuf = (uint32_t)-1, .minreq = BLOCK * 2,
                           .fragsize = (uint32_t)-1 };
    int err;
    pa_t p = { .lag_min = 1L << 30, .lag_max = 0 };
    /* the playback first: the record stream fills from its creation on */
    p.play = pa_simple_new(NULL, "kiosk rig", PA_STREAM_PLAYBACK, o.mic, "the post's microphone", &ss, NULL, &pa_,
                           &err);
    if (!p.play) {
        fprintf(stderr, "rig: cannot play to %s: %s (is the rig's PulseAudio up? tests/pulse.sh pa_start_rig)\n",
                o.mic, pa_strerror(err));
        return 1;
    }
    p.rec = pa_simple_new(NULL, "kiosk rig", PA_STREAM_RECORD, o.speaker, "the kiosk's loudspeaker", &ss, NULL, &ra,
                          &err);
    if (!p.rec) {
        fprintf(stderr, "rig: cannot record %s: %s\n", o.speaker, pa_strerror(err));
        pa_simple_free(p.play);
        return 1;
    }
    /* What the loudspeaker's stream holds before the first read is not the
     * rig's: read until a read has to wait for its data, three in a row (the
     * playback starts once the loop has written --play-ms: no prefill) */
    int16_t scratch[BLOCK];
    for (int waited = 0, k = 0; waited < 3 && k < 300; k++) {
        double w0 = wall_now();
        if (pa_simple_read(p.rec, scratch, sizeof scratch, &err) < 0) break;
        waited = wall_now() - w0 > 0.004 ? waited + 1 : 0;
    }

    /* the loudspeaker's recent past: hist[L + i - k] is speaker sample
     * (block start + i - delay - k); newest block at the end */
    long hlen = delay + irlen + BLOCK;
    float *hist = xcalloc((size_t)hlen, sizeof *hist);
    long quiet_age = hlen;     /* samples since the loudspeaker was last not silent */
    int16_t spk[BLOCK], mic[BLOCK];
    float out[BLOCK];
    double vad_rms = 32768.0 * pow(10.0, o.vad_dbfs / 20.0);
    long hang = (long)(o.hangover_ms * RATE / 1000.0), timeout = (long)(o.timeout_ms * RATE / 1000.0);
    long limit = (long)(o.limit_s * RATE), tail = (long)(o.tail_ms * RATE / 1000.0);
    seg_t *segs = NULL;
    int nseg = 0, segcap = 0, kiosk_on = 0;
    long last_loud = -1;
    int cur = 0;                /* the next turn to start, or the one playing */
    long playing_end = -1;      /* when the playing turn's WAV ends, -1 none */
    long clipped = 0, behind = 0, next_lag = 2 * RATE;   /* the playback's figure is stale before */
    double behind_max = 0;
    long fade = (long)(o.fade_ms * RATE / 1000.0);
    const char *why = "done";
    long s_end = 0;            /* samples of both signals made */
    long go = -1;              /* the sample the conversation's clock starts at */
    long drain_from = -1, drained = 0;   /* blocks read but not played (a backlog drained) */
    long last_trim = -10 * BLOCK;        /* the last block not played for a full playback */
    long late_from = -1;       /* the rig behind the clock since (an episode), -1 not */
    double late_max = 0;

    for (long s = 0;; s += BLOCK) {
        if (stop_signal) { why = "signal"; break; }
        if (go >= 0 && s >= go + limit) { why = "limit"; break; }
        if (go < 0 && s >= 600L * RATE) { why = "no go"; break; }   /* SIGUSR1 never came */
        if (pa_simple_read(p.rec, spk, sizeof spk, &err) < 0) {
            fprintf(stderr, "rig: reading %s: %s\n", o.speaker, pa_strerror(err));
            why = "error";
            break;
        }
        /* sample 0's wall clock: the read that returned soonest after its
         * block was made tells it best (a read that waited for its data);
         * the reads of a backlog come back at once and say "later" */
        double est = wall_now() - (double)(s + BLOCK) / RATE;
        if (s == 0 || est < t0) t0 = est;
        /* the path kept short (above): a block read but not played goes
         * through the echo's history all the same */
        pa_usec_t queued = pa_simple_get_latency(p.play, &err);
        int skip = est - t0 > DRAIN_MS / 1000.0;
        if (!skip && queued > (o.play_ms + 2 * DRAIN_MS) * 1000.0 && s - last_trim >= 10 * BLOCK) {
            skip = 1;
            last_trim = s;
        }
        if (skip && drain_from < 0) drain_from = s;
        if (!skip && drain_from >= 0) {
            log_begin("drain", drain_from);
            fprintf(logf_, ", \"ms\": %.0f", (double)(s - drain_from) * 1000.0 / RATE);
            log_end();
            drained += s - drain_from;
            drain_from = -1;
        }
        if (s && est - t0 > 0.030) {           /* the rig fell behind the clock */
            behind++;
            if (est - t0 > behind_max) behind_max = est - t0;
            if (late_from < 0) late_from = s;
            if (est - t0 > late_max) late_max = est - t0;
        } else if (late_from >= 0) {
            log_begin("behind", late_from);
            fprintf(logf_, ", \"until\": %.4f, \"max_ms\": %.0f", (double)s / RATE, late_max * 1000.0);
            log_end();
            late_from = -1;
            late_max = 0;
        }
        if (s == 0) {
            fprintf(logf_, "{\"event\": \"start\", \"t0\": %.4f, \"rate\": %d, \"conv\": ", t0, RATE);
            json_str(logf_, o.conv);
            fprintf(logf_, ", \"turns\": %d, \"delay_ms\": %g, \"atten_db\": %g, \"rt60_ms\": %g, \"drr_db\": %g, "
                           "\"snr_db\": %g, \"seed\": %lu, \"noise\": ", nt, o.delay_ms, o.atten_db, o.rt60_ms,
                    o.drr_db, o.snr_db, o.seed);
            if (o.noise) json_str(logf_, o.noise);
            else fputs("null", logf_);
            fprintf(logf_, ", \"vad_dbfs\": %g, \"hangover_ms\": %g, \"answer_timeout_ms\": %g}\n", o.vad_dbfs,
                    o.hangover_ms, o.timeout_ms);
            fflush(logf_);
        }
        if (go < 0 && go_signal && s >= fade) {
            go = s;
            log_begin("go", s);
            log_end();
        }
        if (s >= next_lag) {
            log_lag(&p, s, est - t0);
            next_lag = s + 5 * RATE;
        }

        /* the kiosk's voice */
        double e = 0;
        int any = 0;
        for (int i = 0; i < BLOCK; i++) {
            e += (double)spk[i] * spk[i];
            if (fabs((double)spk[i]) > vad_rms) last_loud = s + i;
            if (spk[i]) any = 1;
        }
        if (!kiosk_on && sqrt(e / BLOCK) > vad_rms) {
            long on = s;
            for (int i = 0; i < BLOCK; i++)
                if (fabs((double)spk[i]) > vad_rms) { on = s + i; break; }
            if (nseg == segcap) {
                segcap = segcap ? 2 * segcap : 16;
                seg_t *nv = realloc(segs, (size_t)segcap * sizeof *segs);
                if (!nv) die_input("out of memory");
                segs = nv;
            }
            segs[nseg++] = (seg_t){ on, -1 };
            kiosk_on = 1;
            log_begin("kiosk_on", on);
            fprintf(logf_, ", \"seg\": %d", nseg);
            log_end();
        } else if (kiosk_on && s + BLOCK - 1 - last_loud >= hang) {
            seg_t *g = &segs[nseg - 1];
            g->off = last_loud + 1;
            kiosk_on = 0;
            log_begin("kiosk_off", g->off);
            fprintf(logf_, ", \"seg\": %d, \"dur\": %.3f", nseg, (double)(g->off - g->on) / RATE);
            log_end();
        }

        /* the customer: the next turn's trigger, once the one before has played */
        if (playing_end >= 0 && s >= playing_end) playing_end = -1;
        if (go >= 0 && playing_end < 0 && cur < nt && turns[cur].start < 0) {
            turn_t *u = &turns[cur];
            long ref = cur ? turns[cur - 1].start + turns[cur - 1].off + 1 : go;   /* the previous speech end */
            long at = -1;
            int gave_up = 0;
            if (u->trig == TRIG_AT) at = go + u->ms * RATE / 1000;
            else if (u->trig == TRIG_AFTER) at = ref + u->ms * RATE / 1000;
            else {
                const seg_t *g = NULL;
                for (int k = 0; k < nseg; k++)
                    if (segs[k].on >= ref) { g = &segs[k]; break; }
                if (g && u->trig == TRIG_OVER) at = g->on + u->ms * RATE / 1000;
                else if (g && g->off >= 0) at = g->off + u->ms * RATE / 1000;
                else if (!g && s + BLOCK > ref + timeout) { at = ref + timeout; gave_up = 1; }
            }
            if (at >= 0 && at < s + BLOCK) {
                u->start = at > s ? at : s;
                playing_end = u->start + u->n;
                log_begin("customer_start", u->start);
                fprintf(logf_, ", \"turn\": %d, \"trigger\": \"%s\", \"ms\": %ld, \"words\": ", cur + 1,
                        trig_names[u->trig], u->ms);
                json_str(logf_, u->words);
                fputs(", \"wav\": ", logf_);
                json_str(logf_, u->wav);
                fprintf(logf_, ", \"late_ms\": %.1f, \"gave_up\": %s", (double)(u->start - at) * 1000.0 / RATE,
                        gave_up ? "true" : "false");
                log_end();
                cur++;
            }
        }

        /* the echo: the loudspeaker delayed, through the room */
        memmove(hist, hist + BLOCK, (size_t)(hlen - BLOCK) * sizeof *hist);
        for (int i = 0; i < BLOCK; i++) hist[hlen - BLOCK + i] = spk[i];
        quiet_age = any ? 0 : quiet_age + BLOCK;
        if (quiet_age > hlen) {
            memset(out, 0, sizeof out);
        } else {
            for (int i = 0; i < BLOCK; i++) {
                const float *x = hist + irlen + i;   /* x[-k]: speaker sample (s + i - delay - k) */
                float acc = 0;
                for (int k = 0; k < irlen; k++) acc += ir[k] * x[-k];
                out[i] = acc * echo_gain;
            }
        }
        /* the customer, with the log of the speech's first and last loud sample */
        for (int k = 0; k < nt; k++) {
            turn_t *u = &turns[k];
            if (u->start < 0 || u->start >= s + BLOCK || u->start + u->n <= s) continue;
            for (int i = 0; i < BLOCK; i++) {
                long j = s + i - u->start;
                if (j >= 0 && j < u->n) out[i] += u->pcm[j];
            }
            for (long edge = 0; edge < 2; edge++) {
                long at = u->start + (edge ? u->off : u->on);
                if (at >= s && at < s + BLOCK) {
                    log_begin(edge ? "customer_off" : "customer_on", edge ? at + 1 : at);
                    fprintf(logf_, ", \"turn\": %d", k + 1);
                    log_end();
                }
            }
        }
        /* the lane's noise */
        if (noise)
            for (int i = 0; i < BLOCK; i++) {
                double g = noise_gain;   /* faded in from -20 dB over --fade-ms */
                if (s + i < fade) g *= pow(10.0, -1.0 * (1.0 - (double)(s + i) / (double)fade));
                out[i] += (float)(noise[noise_at] * g);
                if (++noise_at == nnoise) noise_at = 0;
            }
        for (int i = 0; i < BLOCK; i++) {
            float v = out[i];
            if (v > 32767.0f) { v = 32767.0f; clipped++; }
            else if (v < -32768.0f) { v = -32768.0f; clipped++; }
            mic[i] = (int16_t)lrintf(v);
        }
        if (!skip && pa_simple_write(p.play, mic, sizeof mic, &err) < 0) {
            fprintf(stderr, "rig: writing %s: %s\n", o.mic, pa_strerror(err));
            why = "error";
            break;
        }
        if (o.record) {
            pcm_append(&rec_spk, spk, BLOCK);
            pcm_append(&rec_mic, mic, BLOCK);
        }
        s_end = s + BLOCK;

        /* the end: a while after the last turn, with the kiosk quiet */
        if (nt && cur == nt && playing_end < 0 && !kiosk_on) {
            long last_end = turns[nt - 1].start + turns[nt - 1].off + 1;
            if (s + BLOCK >= last_end + tail) break;
        }
    }
    int failed = 0;
    if (o.record)
        failed = write_wav(o.record, "speaker.wav", &rec_spk) < 0 || write_wav(o.record, "mic.wav", &rec_mic) < 0;
    free(rec_spk.v);
    free(rec_mic.v);
    if (kiosk_on) {   /* still speaking at the end: the stretch so far */
        log_begin("kiosk_off", last_loud + 1);
        fprintf(logf_, ", \"seg\": %d, \"dur\": %.3f, \"cut_by_end\": true", nseg,
                (double)(last_loud + 1 - segs[nseg - 1].on) / RATE);
        log_end();
    }
    log_begin("end", s_end);
    fprintf(logf_, ", \"why\": \"%s\", \"t0\": %.4f, \"turns_played\": %d, \"clipped\": %ld, \"behind\": %ld, "
                   "\"behind_max_ms\": %.0f, \"drained_ms\": %.0f, "
                   "\"lag_min_ms\": %ld, \"lag_max_ms\": %ld", why, t0, cur, clipped, behind, behind_max * 1000.0,
            (double)drained * 1000.0 / RATE,
            p.lag_min == (1L << 30) ? 0 : p.lag_min, p.lag_max);
    log_end();
    pa_simple_free(p.rec);
    pa_simple_free(p.play);
    if (logf_ != stdout) fclose(logf_);
    for (int k = 0; k < nt; k++) {
        free(turns[k].words);
        free(turns[k].wav);
        free(turns[k].pcm);
    }
    free(turns);
    free(segs);
    free(hist);
    free(ir);
    free(noise);
    return strcmp(why, "error") && !failed ? 0 : 1;
}
