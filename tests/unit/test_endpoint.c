/* test_endpoint.c: the endpointer (src/audio/endpoint.c) on synthetic audio.
 *
 * Signals are built here from segments: digital silence, a voiced-like sound
 * (150 Hz harmonics shaped by three formant bumps at 500/1500/2500 Hz,
 * amplitude-modulated at 4 Hz like syllables), a click; optionally over a
 * steady white or brown noise.  Everything is deterministic (own PRNG).  The
 * table rows give the events expected and when (ms, +-tolerance); any other
 * event fails the row.  The runner resets after EP_END/EP_CUT as the live
 * loop does.  Real speech is measured with build/endpoint_wav (see
 * tests/endpoint_wav.c), not here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/audio/endpoint.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

#define RATE 16000
#define MS(n) ((size_t)(n) * RATE / 1000)

/* ---- signals ---- */
typedef enum { SIL, VOICE, CLICK } seg_kind_t;
typedef struct {
    seg_kind_t kind;
    int ms;
    double db;                  /* RMS level, dBFS (VOICE, CLICK) */
} seg_t;

typedef enum { NOISE_NONE, NOISE_WHITE, NOISE_BROWN } noise_kind_t;

static uint64_t rng_state;

static double uniform(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return ((double)(rng_state >> 11) + 0.5) / 9007199254740992.0;
}

static double gauss(void)
{
    return sqrt(-2.0 * log(uniform())) * cos(2.0 * M_PI * uniform());
}

static double rms(const double *x, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++) s += x[i] * x[i];
    return n ? sqrt(s / (double)n) : 0;
}

static double from_db(double db)
{
    return 32768.0 * pow(10.0, db / 20.0);
}

/* The voiced-like sound at sample t of a segment starting at t0, RMS about 1.
 * Its 4 Hz envelope peaks at the start (and at the end of a segment lasting
 * a multiple of 250 ms), so the signal's own edges are clear in time. */
static double voice_at(size_t t, size_t t0)
{
    static const double formant[3] = {500, 1500, 2500};
    double s = 0, secs = (double)t / RATE, rel = (double)(t - t0) / RATE;
    for (int k = 1; k * 150 < 3600; k++) {
        double f = 150.0 * k, w = 0.08;
        for (int j = 0; j < 3; j++) w += exp(-pow((f - formant[j]) / 200.0, 2)) / (j + 1);
        s += w * sin(2.0 * M_PI * f * secs + 0.7 * k * k);
    }
    return 1.4 * s * (0.6 + 0.4 * cos(2.0 * M_PI * 4.0 * rel));
}

/* Builds the signal of segs (nseg of them) over noise at noise_db; *n samples. */
static int16_t *make_signal(const seg_t *segs, int nseg, noise_kind_t nk, double noise_db, size_t *n)
{
    size_t len = 0;
    for (int i = 0; i < nseg; i++) len += MS(segs[i].ms);
    double *x = calloc(len + 1, sizeof *x);
    assert_non_null(x);
    size_t at = 0;
    for (int i = 0; i < nseg; i++) {
        size_t m = MS(segs[i].ms);
        double a = from_db(segs[i].db);
        for (size_t j = 0; j < m; j++) {
            if (segs[i].kind == VOICE) x[at + j] = a * voice_at(at + j, at);
            else if (segs[i].kind == CLICK) x[at + j] = j < MS(5) ? a * (j % 2 ? -1 : 1) : 0;
        }
        at += m;
    }
    if (nk != NOISE_NONE) {
        double *w = malloc(len * sizeof *w), b = 0;
        assert_non_null(w);
        rng_state = 0x9E3779B97F4A7C15ull;
        for (size_t i = 0; i < len; i++) {
            double g = gauss();
            w[i] = nk == NOISE_WHITE ? g : (b = 0.995 * b + g);
        }
        double g = from_db(noise_db) / rms(w, len);
        for (size_t i = 0; i < len; i++) x[i] += g * w[i];
        free(w);
    }
    int16_t *pcm = malloc((len + 1) * sizeof *pcm);
    assert_non_null(pcm);
    for (size_t i = 0; i < len; i++)
        pcm[i] = (int16_t)(x[i] > 32767 ? 32767 : x[i] < -32768 ? -32768 : lrint(x[i]));
    free(x);
    *n = len;
    return pcm;
}

/* ---- running ---- */
typedef struct {
    ep_event_t ev;
    int ms;                     /* when: the end of the frame that raised it */
} hit_t;

#define MAX_HITS 32

/* Feeds pcm (n samples, whole frames) to e; records events; resets after END/CUT. */
static int run(endpoint_t *e, const int16_t *pcm, size_t n, hit_t *hits)
{
    int k = 0;
    for (size_t at = 0; at + EP_FRAME <= n; at += EP_FRAME) {
        ep_event_t ev = endpoint_feed(e, pcm + at);
        if (ev == EP_NONE) continue;
        if (k < MAX_HITS) hits[k++] = (hit_t){ ev, (int)((at + EP_FRAME) * 1000 / RATE) };
        if (ev == EP_END || ev == EP_CUT) endpoint_reset(e);
    }
    return k;
}

static const char *ev_name(ep_event_t ev)
{
    static const char *names[] = {"none", "onset", "pause", "resume", "end", "cut"};
    return (unsigned)ev < 6 ? names[ev] : "?";
}

/* ---- the table ---- */
typedef struct {
    ep_event_t ev;
    int ms, tol;                /* expected at ms +- tol */
} want_t;

typedef struct {
    const char *name;
    seg_t segs[8];
    noise_kind_t noise;
    double noise_db;
    int trailing_ms;            /* 0: default */
    want_t want[8];             /* ends at ev == EP_NONE */
} row_t;

#define S(ms) {SIL, ms, 0}
#define V(ms) {VOICE, ms, -20}
#define VL(ms, db) {VOICE, ms, db}
#define ONSET_AT(ms) {EP_ONSET, (ms) + 100, 50}   /* within 150 ms of the start */
#define ONSET_NOISY(ms) {EP_ONSET, (ms) + 125, 75} /* within 200 ms: the envelope's dips are under the noise */

static const row_t rows[] = {
    {"silence only", {S(5000)}, NOISE_NONE, 0, 0, {{0}}},
    {"faint white noise", {S(10000)}, NOISE_WHITE, -62, 0, {{0}}},
    {"white noise -30 dBFS", {S(10000)}, NOISE_WHITE, -30, 0, {{0}}},
    {"loud white noise -8 dBFS", {S(10000)}, NOISE_WHITE, -8, 0, {{0}}},
    {"brown noise -25 dBFS", {S(10000)}, NOISE_BROWN, -25, 0, {{0}}},
    {"loud brown noise -6 dBFS", {S(10000)}, NOISE_BROWN, -6, 0, {{0}}},
    {"click", {S(1000), {CLICK, 10, -3}, S(2000)}, NOISE_NONE, 0, 0, {{0}}},
    {"clicks in noise", {S(1000), {CLICK, 10, -6}, S(300), {CLICK, 10, -6}, S(2000)},
     NOISE_WHITE, -40, 0, {{0}}},
    {"60 ms blip", {S(1000), VL(60, -30), S(2000)}, NOISE_WHITE, -60, 0, {{0}}},
    {"1 s of speech",
     {S(1000), V(1000), S(2000)}, NOISE_NONE, 0, 0,
     {ONSET_AT(1000), {EP_PAUSE, 2200, 10}, {EP_END, 2700, 10}}},
    {"1 s of speech over a faint floor",
     {S(1000), V(1000), S(2000)}, NOISE_WHITE, -62, 0,
     {ONSET_AT(1000), {EP_PAUSE, 2200, 10}, {EP_END, 2700, 10}}},
    {"quiet speech -40 dBFS",
     {S(1000), VL(1000, -40), S(2000)}, NOISE_NONE, 0, 0,
     {ONSET_AT(1000), {EP_PAUSE, 2200, 10}, {EP_END, 2700, 10}}},
    {"300 ms gap: pause and resume, one turn",
     {S(1000), V(1000), S(300), V(1000), S(2000)}, NOISE_NONE, 0, 0,
     {ONSET_AT(1000), {EP_PAUSE, 2200, 10}, {EP_RESUME, 2340, 30}, {EP_PAUSE, 3500, 10},
      {EP_END, 4000, 10}}},
    {"600 ms gap: still one turn",
     {S(1000), V(500), S(600), V(500), S(2000)}, NOISE_NONE, 0, 0,
     {ONSET_AT(1000), {EP_PAUSE, 1700, 10}, {EP_RESUME, 2140, 30}, {EP_PAUSE, 2800, 10},
      {EP_END, 3300, 10}}},
    {"trailing 400 ms",
     {S(1000), V(1000), S(2000)}, NOISE_NONE, 0, 400,
     {ONSET_AT(1000), {EP_PAUSE, 2200, 10}, {EP_END, 2400, 10}}},
    {"800 ms gap with trailing 700: two turns",
     {S(1000), V(500), S(800), V(500), S(2000)}, NOISE_NONE, 0, 0,
     {ONSET_AT(1000), {EP_PAUSE, 1700, 10}, {EP_END, 2200, 10}, ONSET_AT(2300),
      {EP_PAUSE, 3000, 10}, {EP_END, 3500, 10}}},
    {"20 s of speech: cut at 15 s, then a new turn at once",
     {S(1000), V(20000), S(2000)}, NOISE_NONE, 0, 0,
     {ONSET_AT(1000), {EP_CUT, 16000, 10}, {EP_ONSET, 16010, 0}, {EP_PAUSE, 21200, 10},
      {EP_END, 21700, 10}}},
    {"speech at 10 dB SNR over white noise",
     {S(3000), VL(1000, -25), S(2000)}, NOISE_WHITE, -35, 0,
     {ONSET_NOISY(3000), {EP_PAUSE, 4200, 40}, {EP_END, 4700, 40}}},
    {"speech at 10 dB SNR over brown noise",
     {S(3000), VL(1000, -25), S(2000)}, NOISE_BROWN, -35, 0,
     {ONSET_NOISY(3000), {EP_PAUSE, 4200, 40}, {EP_END, 4700, 40}}},
    {"speech at 10 dB SNR over loud white noise",
     {S(3000), VL(1000, -16), S(2000)}, NOISE_WHITE, -26, 0,
     {ONSET_NOISY(3000), {EP_PAUSE, 4200, 40}, {EP_END, 4700, 40}}},
};

static void test_table(void **state)
{
    (void)state;
    int bad = 0;
    for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++) {
        const row_t *row = &rows[r];
        int nseg = 0;
        while (nseg < 8 && row->segs[nseg].ms) nseg++;
        size_t n;
        int16_t *pcm = make_signal(row->segs, nseg, row->noise, row->noise_db, &n);
        endpoint_config_t cfg;
        endpoint_defaults(&cfg);
        if (row->trailing_ms) cfg.trailing_ms = row->trailing_ms;
        endpoint_t *e = endpoint_create(&cfg);
        assert_non_null(e);
        hit_t hits[MAX_HITS];
        int k = run(e, pcm, n, hits), nw = 0;
        while (nw < 8 && row->want[nw].ev != EP_NONE) nw++;
        int ok = k == nw;
        for (int i = 0; ok && i < nw; i++)
            ok = hits[i].ev == row->want[i].ev && abs(hits[i].ms - row->want[i].ms) <= row->want[i].tol;
        if (!ok) {
            fprintf(stderr, "row \"%s\": got", row->name);
            for (int i = 0; i < k; i++) fprintf(stderr, " %s@%d", ev_name(hits[i].ev), hits[i].ms);
            fprintf(stderr, "; want");
            for (int i = 0; i < nw; i++)
                fprintf(stderr, " %s@%d+-%d", ev_name(row->want[i].ev), row->want[i].ms, row->want[i].tol);
            fprintf(stderr, " (noise floor %.1f dBFS)\n", endpoint_noise_db(e));
            bad++;
        }
        endpoint_free(e);
        free(pcm);
    }
    if (bad) fail_msg("%d rows differ", bad);
}

/* Feeds pcm until the first event; returns it, *at_ms when. */
static ep_event_t until_event(endpoint_t *e, const int16_t *pcm, size_t n, size_t *pos, int *at_ms)
{
    for (; *pos + EP_FRAME <= n; *pos += EP_FRAME) {
        ep_event_t ev = endpoint_feed(e, pcm + *pos);
        if (ev != EP_NONE) {
            *pos += EP_FRAME;
            *at_ms = (int)(*pos * 1000 / RATE);
            return ev;
        }
    }
    return EP_NONE;
}

/* The turn's audio: 300 ms before the speech start, to 700 ms after its end. */
static void test_turn_audio(void **state)
{
    (void)state;
    seg_t segs[] = {S(1000), V(1000), S(2000)};
    size_t n, pos = 0, len;
    int16_t *pcm = make_signal(segs, 3, NOISE_WHITE, -62, &n);
    endpoint_t *e = endpoint_create(NULL);
    assert_non_null(e);
    assert_null(endpoint_turn(e, &len));
    assert_int_equal(len, 0);
    assert_false(endpoint_in_turn(e));

    int at = 0;
    assert_int_equal(until_event(e, pcm, n, &pos, &at), EP_ONSET);
    assert_true(endpoint_in_turn(e));
    const int16_t *t = endpoint_turn(e, &len);
    assert_non_null(t);
    assert_int_equal(len, pos - MS(700));               /* from 700 ms to now */
    assert_memory_equal(t, pcm + MS(700), len * sizeof *t);

    assert_int_equal(until_event(e, pcm, n, &pos, &at), EP_PAUSE);
    assert_true(endpoint_in_turn(e));
    assert_int_equal(until_event(e, pcm, n, &pos, &at), EP_END);
    assert_in_range(at, 2700, 2710);                    /* +1 frame: the filter's ring */
    assert_false(endpoint_in_turn(e));
    t = endpoint_turn(e, &len);                         /* still there until reset */
    assert_non_null(t);
    assert_int_equal(len, MS(at - 700));                /* 700 .. 2700 ms */
    assert_memory_equal(t, pcm + MS(700), len * sizeof *t);

    endpoint_reset(e);
    assert_null(endpoint_turn(e, &len));
    assert_int_equal(len, 0);
    endpoint_free(e);
    free(pcm);
}

/* A split at EP_RESUME: the speech that came back is a turn of its own,
 * its audio from the pre-roll before it, and it ends as any turn. */
static void test_split(void **state)
{
    (void)state;
    seg_t segs[] = {S(1000), V(1000), S(600), V(800), S(2000)};
    size_t n, pos = 0, len;
    int16_t *pcm = make_signal(segs, 5, NOISE_WHITE, -62, &n);
    endpoint_t *e = endpoint_create(NULL);
    assert_int_equal(endpoint_split(e), -1);            /* no turn open */
    int at = 0;
    assert_int_equal(until_event(e, pcm, n, &pos, &at), EP_ONSET);
    assert_int_equal(until_event(e, pcm, n, &pos, &at), EP_PAUSE);
    assert_int_equal(until_event(e, pcm, n, &pos, &at), EP_RESUME);
    assert_in_range(at, 2600, 2700);
    assert_int_equal(endpoint_split(e), 0);
    assert_true(endpoint_in_turn(e));
    const int16_t *t = endpoint_turn(e, &len);
    size_t start = pos - len;                           /* 100 ms before the speech came back */
    assert_in_range(start, MS(2480), MS(2520));
    assert_memory_equal(t, pcm + start, len * sizeof *t);
    assert_int_equal(until_event(e, pcm, n, &pos, &at), EP_PAUSE);
    assert_int_equal(until_event(e, pcm, n, &pos, &at), EP_END);
    assert_in_range(at, 4100, 4110);
    t = endpoint_turn(e, &len);
    assert_int_equal(len, MS(at) - start);
    assert_memory_equal(t, pcm + start, len * sizeof *t);
    endpoint_free(e);
    free(pcm);
}

/* After reset a second turn works, with its own pre-roll; the floor survives;
 * feeding after END without a reset resets by itself. */
static void test_second_turn(void **state)
{
    (void)state;
    seg_t segs[] = {S(1000), V(750), S(1550), V(500), S(1600), V(500), S(1500)};
    size_t n, pos = 0, len;
    int16_t *pcm = make_signal(segs, 7, NOISE_WHITE, -50, &n);
    endpoint_t *e = endpoint_create(NULL);
    assert_non_null(e);
    int at = 0;
    assert_int_equal(until_event(e, pcm, n, &pos, &at), EP_ONSET);
    assert_int_equal(until_event(e, pcm, n, &pos, &at), EP_PAUSE);
    assert_int_equal(until_event(e, pcm, n, &pos, &at), EP_END);
    assert_in_range(at, 2450, 2460);
    double floor = endpoint_noise_db(e);
    assert_true(floor > -53 && floor < -47);
    endpoint_reset(e);
    assert_true(fabs(endpoint_noise_db(e) - floor) < 1e-9);

    /* second turn: speech at 3300 ms */
    assert_int_equal(until_event(e, pcm, n, &pos, &at), EP_ONSET);
    assert_in_range(at, 3300, 3450);
    const int16_t *t = endpoint_turn(e, &len);
    assert_int_equal(len, pos - MS(3000));
    assert_memory_equal(t, pcm + MS(3000), len * sizeof *t);
    assert_int_equal(until_event(e, pcm, n, &pos, &at), EP_PAUSE);
    assert_int_equal(until_event(e, pcm, n, &pos, &at), EP_END);
    assert_in_range(at, 3800 + 700, 3810 + 700);
    t = endpoint_turn(e, &len);
    assert_int_equal(len, MS(at - 3000));               /* 3000 .. 4500 ms */

    /* third turn without a reset: speech at 5400 ms */
    assert_int_equal(until_event(e, pcm, n, &pos, &at), EP_ONSET);
    assert_in_range(at, 5400, 5550);
    t = endpoint_turn(e, &len);
    assert_int_equal(len, pos - MS(5100));
    assert_memory_equal(t, pcm + MS(5100), len * sizeof *t);
    endpoint_free(e);
    free(pcm);
}

/* Mute drops an open turn and what was heard before; keeps the floor. */
static void test_mute(void **state)
{
    (void)state;
    seg_t segs[] = {S(1000), V(3000), S(2000)};
    size_t n, pos = 0, len;
    int16_t *pcm = make_signal(segs, 3, NOISE_WHITE, -50, &n);
    endpoint_t *e = endpoint_create(NULL);
    assert_non_null(e);
    int at = 0;
    assert_int_equal(until_event(e, pcm, n, &pos, &at), EP_ONSET);
    double floor = endpoint_noise_db(e);
    endpoint_mute(e);
    assert_false(endpoint_in_turn(e));
    assert_null(endpoint_turn(e, &len));
    assert_true(fabs(endpoint_noise_db(e) - floor) < 1e-9);

    /* the speech goes on: a new turn, whose audio starts at the mute */
    size_t muted = pos;
    assert_int_equal(until_event(e, pcm, n, &pos, &at), EP_ONSET);
    assert_int_equal(pos - muted, MS(100));
    const int16_t *t = endpoint_turn(e, &len);
    assert_int_equal(len, pos - muted);
    assert_memory_equal(t, pcm + muted, len * sizeof *t);
    assert_int_equal(until_event(e, pcm, n, &pos, &at), EP_PAUSE);
    assert_int_equal(until_event(e, pcm, n, &pos, &at), EP_END);
    assert_in_range(at, 4700, 4710);
    endpoint_free(e);
    free(pcm);
}

/* The floor follows a steady noise, in dBFS (white noise: all of it is in the band). */
static void test_noise_floor(void **state)
{
    (void)state;
    static const double levels[] = {-60, -45, -30, -15};
    for (size_t i = 0; i < sizeof levels / sizeof levels[0]; i++) {
        seg_t segs[] = {S(3000)};
        size_t n;
        int16_t *pcm = make_signal(segs, 1, NOISE_WHITE, levels[i], &n);
        endpoint_t *e = endpoint_create(NULL);
        hit_t hits[MAX_HITS];
        assert_int_equal(run(e, pcm, n, hits), 0);
        double f = endpoint_noise_db(e);
        if (f < levels[i] - 3 || f > levels[i] + 1)
            fail_msg("white noise at %.0f dBFS: floor %.1f", levels[i], f);
        endpoint_free(e);
        free(pcm);
    }
    /* digital silence: the floor's bottom */
    int16_t zero[EP_FRAME] = {0};
    endpoint_t *e = endpoint_create(NULL);
    for (int i = 0; i < 100; i++) assert_int_equal(endpoint_feed(e, zero), EP_NONE);
    assert_true(endpoint_noise_db(e) <= -89.0);
    endpoint_free(e);
}

/* Noise that steps up from silence may open a turn, but the floor catches up
 * within the minimum-statistics window and the turn ends; no turn after. */
static void test_noise_step(void **state)
{
    (void)state;
    seg_t segs[] = {S(10000)};
    size_t n;
    int16_t *pcm = make_signal(segs, 1, NOISE_BROWN, -20, &n);
    memset(pcm, 0, MS(2000) * sizeof *pcm);
    endpoint_t *e = endpoint_create(NULL);
    hit_t hits[MAX_HITS];
    int k = run(e, pcm, n, hits);
    assert_true(k == 0 || k >= 2);
    if (k) {
        assert_int_equal(hits[0].ev, EP_ONSET);
        assert_int_equal(hits[k - 1].ev, EP_END);
        assert_true(hits[k - 1].ms < 6500);
    }
    assert_false(endpoint_in_turn(e));
    endpoint_free(e);
    free(pcm);
}

/* endpoint_set_trailing: the trailing silence of the silence under way.  The
 * live kiosk's pause (100 ms): the decision comes back from the speculative
 * decode while the customer is quiet. */
typedef struct {
    const char *name;
    seg_t segs[6];
    int set_after_ms;           /* set this long after each EP_PAUSE (0: at it) ... */
    int set_ms;                 /* ... to this; at the first pause only when once */
    int once;
    want_t want[8];
} set_row_t;

static const set_row_t set_rows[] = {
    {"shorter at the pause: the end 300 ms after the speech",
     {S(1000), V(1000), S(2000)}, 0, 300, 0,
     {ONSET_AT(1000), {EP_PAUSE, 2100, 10}, {EP_END, 2300, 10}}},
    {"set below the silence already heard: the next feed ends",
     {S(1000), V(1000), S(2000)}, 300, 250, 0,
     {ONSET_AT(1000), {EP_PAUSE, 2100, 10}, {EP_END, 2410, 10}}},
    {"longer: a 1000 ms gap stays one turn, then 1500 ms after the end",
     {S(1000), V(500), S(1000), V(500), S(3000)}, 0, 1500, 0,
     {ONSET_AT(1000), {EP_PAUSE, 1600, 10}, {EP_RESUME, 2540, 30}, {EP_PAUSE, 3100, 10},
      {EP_END, 4500, 10}}},
    {"speech again: back to the configured 700 ms",
     {S(1000), V(500), S(1000), V(500), S(3000)}, 0, 1500, 1,
     {ONSET_AT(1000), {EP_PAUSE, 1600, 10}, {EP_RESUME, 2540, 30}, {EP_PAUSE, 3100, 10},
      {EP_END, 3700, 10}}},
    {"a short gap after a quick decision: resumed, then 700 ms",
     {S(1000), V(500), S(200), V(500), S(2000)}, 0, 300, 1,
     {ONSET_AT(1000), {EP_PAUSE, 1600, 10}, {EP_RESUME, 1740, 30}, {EP_PAUSE, 2300, 10},
      {EP_END, 2900, 10}}},
};

static void test_set_trailing(void **state)
{
    (void)state;
    int bad = 0;
    for (size_t r = 0; r < sizeof set_rows / sizeof set_rows[0]; r++) {
        const set_row_t *row = &set_rows[r];
        int nseg = 0;
        while (nseg < 6 && row->segs[nseg].ms) nseg++;
        size_t n;
        int16_t *pcm = make_signal(row->segs, nseg, NOISE_NONE, 0, &n);
        endpoint_config_t cfg;
        endpoint_defaults(&cfg);
        cfg.pause_ms = 100;
        endpoint_t *e = endpoint_create(&cfg);
        assert_non_null(e);
        hit_t hits[MAX_HITS];
        int k = 0, set_at = -1, pauses = 0;
        for (size_t at = 0; at + EP_FRAME <= n; at += EP_FRAME) {
            int ms = (int)(at * 1000 / RATE);
            if (set_at >= 0 && ms >= set_at) {
                assert_int_equal(endpoint_set_trailing(e, row->set_ms), 0);
                set_at = -1;
            }
            ep_event_t ev = endpoint_feed(e, pcm + at);
            if (ev == EP_NONE) continue;
            if (k < MAX_HITS) hits[k++] = (hit_t){ ev, ms + 10 };
            if (ev == EP_PAUSE && (!row->once || pauses++ == 0)) set_at = ms + 10 + row->set_after_ms;
            if (ev == EP_RESUME) set_at = -1;
            if (ev == EP_END || ev == EP_CUT) endpoint_reset(e);
        }
        int nw = 0;
        while (nw < 8 && row->want[nw].ev != EP_NONE) nw++;
        int ok = k == nw;
        for (int i = 0; ok && i < nw; i++)
            ok = hits[i].ev == row->want[i].ev && abs(hits[i].ms - row->want[i].ms) <= row->want[i].tol;
        if (!ok) {
            fprintf(stderr, "row \"%s\": got", row->name);
            for (int i = 0; i < k; i++) fprintf(stderr, " %s@%d", ev_name(hits[i].ev), hits[i].ms);
            fprintf(stderr, "; want");
            for (int i = 0; i < nw; i++)
                fprintf(stderr, " %s@%d+-%d", ev_name(row->want[i].ev), row->want[i].ms, row->want[i].tol);
            fprintf(stderr, "\n");
            bad++;
        }
        endpoint_free(e);
        free(pcm);
    }
    if (bad) fail_msg("%d rows differ", bad);
}

/* Only an open turn's trailing silence changes, within the config's range;
 * speech undoes it; the next turn has the configured one again. */
static void test_set_trailing_bounds(void **state)
{
    (void)state;
    seg_t segs[] = {S(1000), V(1000), S(1500), V(1000), S(2000)};
    size_t n, pos = 0;
    int16_t *pcm = make_signal(segs, 5, NOISE_NONE, 0, &n);
    endpoint_t *e = endpoint_create(NULL);
    assert_non_null(e);
    assert_int_equal(endpoint_set_trailing(e, 300), -1);        /* no turn open */
    int at = 0;
    assert_int_equal(until_event(e, pcm, n, &pos, &at), EP_ONSET);
    assert_int_equal(endpoint_set_trailing(e, 9), -1);
    assert_int_equal(endpoint_set_trailing(e, 10001), -1);
    assert_int_equal(endpoint_set_trailing(e, 10000), 0);       /* undone by the speech after it */
    assert_int_equal(until_event(e, pcm, n, &pos, &at), EP_PAUSE);
    assert_int_equal(endpoint_set_trailing(e, 400), 0);
    assert_int_equal(until_event(e, pcm, n, &pos, &at), EP_END);
    assert_in_range(at, 2400, 2410);
    assert_int_equal(endpoint_set_trailing(e, 300), -1);        /* over, not yet reset */
    endpoint_reset(e);
    assert_int_equal(until_event(e, pcm, n, &pos, &at), EP_ONSET);
    assert_int_equal(until_event(e, pcm, n, &pos, &at), EP_PAUSE);
    assert_int_equal(until_event(e, pcm, n, &pos, &at), EP_END);
    assert_in_range(at, 4500 + 700, 4510 + 700);                /* the default again */
    endpoint_free(e);
    free(pcm);
}

static void test_config(void **state)
{
    (void)state;
    endpoint_config_t c;
    endpoint_defaults(&c);
    assert_int_equal(c.preroll_ms, 300);
    assert_int_equal(c.trailing_ms, 700);
    assert_int_equal(c.max_turn_ms, 15000);
    assert_int_equal(c.pause_ms, 200);
    static const endpoint_config_t bad[] = {
        {-1, 700, 15000, 200}, {3000, 700, 15000, 200}, {300, 0, 15000, 200},
        {300, 700, 50, 200}, {300, 700, 200000, 200}, {300, 700, 15000, 0},
        {300, 20000, 15000, 200},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_null(endpoint_create(&bad[i]));
    endpoint_t *e = endpoint_create(NULL);
    assert_non_null(e);
    endpoint_free(e);
    endpoint_free(NULL);

    /* no pre-roll, short turns: the turn starts at the speech; cut at 1 s */
    endpoint_config_t z = {0, 700, 1000, 200};
    seg_t segs[] = {S(500), V(2000), S(1000)};
    size_t n, pos = 0, len;
    int16_t *pcm = make_signal(segs, 3, NOISE_NONE, 0, &n);
    e = endpoint_create(&z);
    assert_non_null(e);
    int at = 0;
    assert_int_equal(until_event(e, pcm, n, &pos, &at), EP_ONSET);
    const int16_t *t = endpoint_turn(e, &len);
    assert_int_equal(len, pos - MS(500));
    assert_memory_equal(t, pcm + MS(500), len * sizeof *t);
    assert_int_equal(until_event(e, pcm, n, &pos, &at), EP_CUT);
    assert_int_equal(at, 1500);
    t = endpoint_turn(e, &len);
    assert_int_equal(len, MS(1000));
    endpoint_free(e);
    free(pcm);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_turn_audio),
        cmocka_unit_test(test_second_turn),
        cmocka_unit_test(test_split),
        cmocka_unit_test(test_mute),
        cmocka_unit_test(test_noise_floor),
        cmocka_unit_test(test_noise_step),
        cmocka_unit_test(test_config),
        cmocka_unit_test(test_set_trailing),
        cmocka_unit_test(test_set_trailing_bounds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
