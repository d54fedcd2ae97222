/* endpoint.c: cutting the live microphone stream into turns (see endpoint.h).
 *
 * The feature: band energy.  Each 10 ms frame goes through a 4th-order
 * high-pass at BAND_HZ (two cascaded Butterworth biquads, state kept across
 * frames), and its energy is taken in dBFS.  Engine and traffic rumble lives
 * mostly below 250 Hz while speech formants and fricatives are above it, so
 * the high-pass is the spectral feature that buys most of the SNR against a
 * drive-through's noise (brown noise at "10 dB SNR" full-band is ~30 dB
 * below speech in this band).  Nothing below ABS_MIN_DB is ever speech:
 * digital silence (the exact zeros of a null sink) and a faint hiss are not.
 *
 * The noise floor (dB), tracked on the energy smoothed over ~20 ms:
 *   - below the floor: it follows quickly down (DOWN_K of the gap a frame);
 *   - above it, in a frame that is not speech: up by at most UP_QUIET dB a
 *     frame (10 dB/s), enough to follow wind gusts and passing cars;
 *   - above it, in a speech frame: up by at most UP_SPEECH dB a frame, so a
 *     turn is not absorbed into the floor;
 *   - and never below the minimum of the smoothed energy over the last
 *     MS_BLOCKS * MS_BLOCK frames (2.4 s; "minimum statistics"): a noise
 *     that steps up and stays (or a car passing during a turn) is the floor
 *     2.4 s later even if every frame of it looked like speech, while speech
 *     always has a quieter frame in 2.4 s (between words, in a stop's
 *     closure).  A sudden step of noise can therefore open a turn, which
 *     ends ~3 s later; a rise of up to ~10 dB/s (gusts, passing cars) does
 *     not open one.
 * It starts at the first frame's energy (noise present from the start is
 * the floor at once), survives endpoint_reset and endpoint_mute, and lives
 * within [FLOOR_MIN_DB, 0].
 *
 * The decision, per frame, against the floor before this frame's update:
 *   on   = energy > floor + ON_DB   (and > ABS_MIN_DB): loud enough to open;
 *   stay = energy > floor + STAY_DB (and > ABS_MIN_DB): speech inside a turn.
 * Two thresholds are the hysteresis: a turn opens on clear speech and keeps
 * the soft parts (consonants, word tails) once open.
 *
 * The state machine:
 *   IDLE --[enough `stay` and `on` frames in the last 300 ms]--> TURN  (EP_ONSET)
 *   TURN --[pause_f frames since the last speech]--> TURN, paused      (EP_PAUSE)
 *   paused --[speech again]--> TURN                                    (EP_RESUME)
 *   TURN --[trail_f frames since the last speech]--> DONE              (EP_END)
 *   TURN --[max_f frames since the speech start]--> DONE               (EP_CUT)
 *   DONE --[endpoint_reset, or the next feed]--> IDLE
 *   any  --[endpoint_mute]--> IDLE, pre-roll history and decisions forgotten
 * Onset needs 100 ms of `stay` within 300 ms (ONSET_NEED of ONSET_WIN), 50 ms
 * of it `on` (ONSET_PEAK): a click, a door's clunk or a low cough-length
 * blip (< 100 ms) does not open a turn; a word does, ~100 ms after it starts
 * (up to ~250 ms in loud wind, where only the vowels stand out).  The window
 * is 300 ms, not 100, so that "a coffee" over wind, syllables of 60-80 ms
 * between dips under the noise, still opens.  The speech start is the oldest
 * `stay` frame of that window, and the
 * turn's audio begins preroll_f frames before it (taken from a ring of the
 * last preroll_f + ONSET_WIN frames), so the detection delay does not eat the
 * pre-roll.  Inside a turn "speech" (the last speech frame) is confirmed
 * when CONF_NEED of the last CONF_WIN frames are `stay`: a lone noise spike
 * in a pause neither resumes nor prolongs the turn.  The trailing and pause
 * counters are the hangover: END comes exactly trail_f frames after the
 * last speech frame, and the turn's audio ends there.  trail_f is
 * trailing_f unless endpoint_set_trailing changed it for the silence under
 * way; any confirmed speech, and a new turn, bring it back.  Set below the
 * silence already heard, it ends the turn at the next feed (end_due).
 *
 * Costs: O(EP_FRAME) a frame, no allocation after endpoint_create (the turn
 * buffer is sized for pre-roll + max_turn_ms: ~490 kB at the defaults). */
#include "endpoint.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define FRAME_MS 10
#define BAND_HZ 250.0           /* high-pass corner of the band the decision uses */
#define ABS_MIN_DB (-60.0)      /* band energy below this is never speech, dBFS */
#define FLOOR_MIN_DB (-90.0)    /* the floor does not go below this (digital silence) */
#define ON_DB 9.0               /* a frame this far above the floor can open a turn */
#define STAY_DB 6.0             /* ... and this far above keeps an open one going */
#define DOWN_K 0.3              /* share of the gap the floor falls a frame */
#define UP_QUIET 0.1            /* dB a frame the floor may rise in a non-speech frame */
#define UP_SPEECH 0.02          /* dB a frame the floor may rise in a speech frame */
#define MS_BLOCK 30             /* minimum statistics: frames a block ... */
#define MS_BLOCKS 8             /* ... and blocks a window (3.2 s) */
#define ONSET_WIN 30            /* onset: of the last ONSET_WIN frames ... */
#define ONSET_NEED 10           /* ... this many `stay` (100 ms within 300 ms) ... */
#define ONSET_PEAK 5            /* ... this many of them `on` */
#define CONF_WIN 8              /* inside a turn: of the last CONF_WIN frames ... */
#define CONF_NEED 4             /* ... this many `stay` confirm speech */
#define SPLIT_PREROLL_F 10      /* endpoint_split's pre-roll, frames: before the speech that came
                                   back is the kiosk's voice (the customer answered it), whose
                                   echo's residue in a turn is heard as words ("burger") */

typedef enum { ST_IDLE, ST_TURN, ST_DONE } ep_state_t;

typedef struct {
    double b0, b1, b2, a1, a2;
    double z[2][2];             /* two cascaded stages, transposed direct form II */
} highpass_t;

struct endpoint_s {
    endpoint_config_t cfg;
    int preroll_f, trailing_f, pause_f, max_f;   /* the config in frames */
    int trail_f;                /* the trailing silence in force for this silence */
    int end_due;                /* endpoint_set_trailing: the next feed ends the turn */

    highpass_t hp;
    double ps;                  /* band power smoothed over ~20 ms (linear) */
    double floor_db;
    int floor_set;
    double blk_min[MS_BLOCKS];  /* minimum statistics: each past block's minimum */
    double cur_min;             /* ... and the current block's so far */
    int blk_n, blk_i;           /* frames in the current block; its slot */

    uint32_t on_bits, stay_bits;   /* bit i: frame (frame - i) was on / stay */

    int16_t *ring;              /* the last ring_cap frames heard (pre-roll) */
    int ring_cap, ring_head, ring_fill;

    int16_t *turn;
    size_t turn_cap, turn_len;  /* samples */

    int veto;                   /* endpoint_veto: the next frame is not speech */

    ep_state_t state;
    int paused;
    uint64_t frame;             /* index of the frame being fed */
    uint64_t anchor;            /* the turn's first speech frame */
    uint64_t last_in;           /* the last `stay` frame of the turn */
    uint64_t last_speech;       /* the last confirmed speech frame of the turn */
};

void endpoint_defaults(endpoint_config_t *c)
{
    c->preroll_ms = 300;
    c->trailing_ms = 700;
    c->max_turn_ms = 15000;
    c->pause_ms = 200;
}

static int ms_to_frames(int ms)
{
    return (ms + FRAME_MS / 2) / FRAME_MS;
}

static int bit_count(uint32_t x)
{
    int n = 0;
    for (; x; x &= x - 1) n++;
    return n;
}

/* Index of the highest set bit of x (x != 0). */
static int top_bit(uint32_t x)
{
    int i = 0;
    while (x >>= 1) i++;
    return i;
}

static void highpass_init(highpass_t *h, double hz)
{
    double w = 2.0 * M_PI * hz / (double)(EP_FRAME * 1000 / FRAME_MS);
    double c = cos(w), alpha = sin(w) / (2.0 * sqrt(0.5));
    double a0 = 1.0 + alpha;
    h->b0 = (1.0 + c) / 2.0 / a0;
    h->b1 = -(1.0 + c) / a0;
    h->b2 = (1.0 + c) / 2.0 / a0;
    h->a1 = -2.0 * c / a0;
    h->a2 = (1.0 - alpha) / a0;
    memset(h->z, 0, sizeof h->z);
}

/* Band energy of one frame, dBFS (a full-scale sine: -3). */
static double band_power(highpass_t *h, const int16_t *x)
{
    double sum = 0.0;
    for (int i = 0; i < EP_FRAME; i++) {
        double y = x[i];
        for (int s = 0; s < 2; s++) {
            double *z = h->z[s];
            double o = h->b0 * y + z[0];
            z[0] = h->b1 * y - h->a1 * o + z[1];
            z[1] = h->b2 * y - h->a2 * o;
            y = o;
        }
        sum += y * y;
    }
    for (int s = 0; s < 2; s++)             /* no denormals after digital silence */
        for (int k = 0; k < 2; k++)
            if (fabs(h->z[s][k]) < 1e-15) h->z[s][k] = 0.0;
    return sum / EP_FRAME / (32768.0 * 32768.0);
}

static double to_db(double power)
{
    return 10.0 * log10(power + 1e-12);     /* -120 dBFS for digital silence */
}

/* Minimum of the smoothed energy over the last MS_BLOCKS blocks, this one included. */
static double window_min(endpoint_t *e, double es)
{
    if (es < e->cur_min) e->cur_min = es;
    double m = e->cur_min;
    for (int i = 0; i < MS_BLOCKS; i++)
        if (i != e->blk_i && e->blk_min[i] < m) m = e->blk_min[i];
    if (++e->blk_n == MS_BLOCK) {
        e->blk_min[e->blk_i] = e->cur_min;
        e->blk_i = (e->blk_i + 1) % MS_BLOCKS;
        e->blk_n = 0;
        e->cur_min = HUGE_VAL;
    }
    return m;
}

static void floor_update(endpoint_t *e, double es, int speech)
{
    double f = e->floor_db;
    if (es < f) f += DOWN_K * (es - f);
    else {
        double up = speech ? UP_SPEECH : UP_QUIET;
        f += (es - f < up) ? es - f : up;
    }
    double m = window_min(e, es);
    if (m > f) f = m;
    if (f < FLOOR_MIN_DB) f = FLOOR_MIN_DB;
    if (f > 0.0) f = 0.0;
    e->floor_db = f;
}

endpoint_t *endpoint_create(const endpoint_config_t *c)
{
    endpoint_config_t d;
    endpoint_defaults(&d);
    if (!c) c = &d;
    if (c->preroll_ms < 0 || c->preroll_ms > 2000 || c->trailing_ms < 10 || c->trailing_ms > 10000 ||
        c->pause_ms < 10 || c->pause_ms > 10000 || c->max_turn_ms < 100 || c->max_turn_ms > 120000)
        return NULL;
    endpoint_t *e = calloc(1, sizeof *e);
    if (!e) return NULL;
    e->cfg = *c;
    e->preroll_f = ms_to_frames(c->preroll_ms);
    e->trailing_f = ms_to_frames(c->trailing_ms);
    e->pause_f = ms_to_frames(c->pause_ms);
    e->max_f = ms_to_frames(c->max_turn_ms);
    e->ring_cap = e->preroll_f + ONSET_WIN;
    e->ring = malloc((size_t)e->ring_cap * EP_FRAME * sizeof *e->ring);
    e->turn_cap = (size_t)(e->preroll_f + e->max_f) * EP_FRAME;
    e->turn = malloc(e->turn_cap * sizeof *e->turn);
    if (!e->ring || !e->turn) goto err;
    highpass_init(&e->hp, BAND_HZ);
    e->cur_min = HUGE_VAL;
    for (int i = 0; i < MS_BLOCKS; i++) e->blk_min[i] = HUGE_VAL;
    e->floor_db = FLOOR_MIN_DB;
    e->state = ST_IDLE;
    return e;
err:
    endpoint_free(e);
    return NULL;
}

void endpoint_free(endpoint_t *e)
{
    if (!e) return;
    free(e->ring);
    free(e->turn);
    free(e);
}

/* Keeps the decision history: after a cut in the middle of speech the next
 * turn opens at once, with its pre-roll overlapping the cut turn's end. */
void endpoint_reset(endpoint_t *e)
{
    e->state = ST_IDLE;
    e->paused = 0;
    e->turn_len = 0;
}

void endpoint_mute(endpoint_t *e)
{
    endpoint_reset(e);
    e->on_bits = e->stay_bits = 0;
    e->ring_fill = 0;
}

int endpoint_set_trailing(endpoint_t *e, int ms)
{
    if (e->state != ST_TURN || ms < 10 || ms > 10000) return -1;
    e->trail_f = ms_to_frames(ms);
    if (e->frame - e->last_speech >= (uint64_t)e->trail_f) e->end_due = 1;
    return 0;
}

int endpoint_in_turn(const endpoint_t *e)
{
    return e->state == ST_TURN;
}

void endpoint_veto(endpoint_t *e, int veto)
{
    e->veto = veto;
}

double endpoint_noise_db(const endpoint_t *e)
{
    return e->floor_db;
}

const int16_t *endpoint_turn(const endpoint_t *e, size_t *n)
{
    if (e->state == ST_IDLE) {
        *n = 0;
        return NULL;
    }
    *n = e->turn_len;
    return e->turn;
}

static void ring_push(endpoint_t *e, const int16_t *frame)
{
    memcpy(e->ring + (size_t)e->ring_head * EP_FRAME, frame, EP_FRAME * sizeof *frame);
    e->ring_head = (e->ring_head + 1) % e->ring_cap;
    if (e->ring_fill < e->ring_cap) e->ring_fill++;
}

/* Opens the turn: its audio is the ring from preroll_f frames before anchor
 * (or as far back as the ring goes) to the current frame. */
static void open_turn(endpoint_t *e, int back, int preroll_f)
{
    int want = back + 1 + preroll_f;         /* frames: pre-roll, anchor .. current */
    if (want > e->ring_fill) want = e->ring_fill;
    e->turn_len = 0;
    for (int k = want - 1; k >= 0; k--) {    /* k frames before the current one */
        int slot = ((e->ring_head - 1 - k) % e->ring_cap + e->ring_cap) % e->ring_cap;
        memcpy(e->turn + e->turn_len, e->ring + (size_t)slot * EP_FRAME, EP_FRAME * sizeof *e->turn);
        e->turn_len += EP_FRAME;
    }
    e->state = ST_TURN;
    e->paused = 0;
    e->trail_f = e->trailing_f;
    e->end_due = 0;
    e->anchor = e->frame - (uint64_t)back;
    e->last_in = e->last_speech = e->frame;
}

int endpoint_split(endpoint_t *e)
{
    if (e->state != ST_TURN) return -1;
    /* the speech came back within the last CONF_WIN frames (what confirmed it) */
    uint32_t win = e->stay_bits & ((1u << CONF_WIN) - 1);
    open_turn(e, win ? top_bit(win) : 0, e->preroll_f < SPLIT_PREROLL_F ? e->preroll_f : SPLIT_PREROLL_F);
    return 0;
}

ep_event_t endpoint_feed(endpoint_t *e, const int16_t *frame)
{
    if (e->state == ST_DONE) endpoint_reset(e);
    e->frame++;                 /* frame 0 is fed with frame == 1: 0 stays "never" */

    double p = band_power(&e->hp, frame);
    double db = to_db(p);
    e->ps = e->floor_set ? 0.5 * e->ps + 0.5 * p : p;
    double es = to_db(e->ps);
    if (!e->floor_set) {
        e->floor_db = es < FLOOR_MIN_DB ? FLOOR_MIN_DB : es;
        e->floor_set = 1;
    }
    int on = db > e->floor_db + ON_DB && db > ABS_MIN_DB && !e->veto;
    int stay = db > e->floor_db + STAY_DB && db > ABS_MIN_DB && !e->veto;
    e->on_bits = (e->on_bits << 1) | (uint32_t)on;
    e->stay_bits = (e->stay_bits << 1) | (uint32_t)stay;
    floor_update(e, es, stay);
    ring_push(e, frame);

    if (e->state == ST_IDLE) {
        uint32_t win = e->stay_bits & ((1u << ONSET_WIN) - 1);
        if (!stay || bit_count(win) < ONSET_NEED ||
            bit_count(e->on_bits & ((1u << ONSET_WIN) - 1)) < ONSET_PEAK) return EP_NONE;
        open_turn(e, top_bit(win), e->preroll_f);
        return EP_ONSET;
    }

    /* ST_TURN: there is room, as the turn is cut at max_f frames after anchor */
    memcpy(e->turn + e->turn_len, frame, EP_FRAME * sizeof *frame);
    e->turn_len += EP_FRAME;
    if (stay) e->last_in = e->frame;
    if (e->end_due) {
        e->state = ST_DONE;
        return EP_END;
    }
    int resumed = 0;
    if (bit_count(e->stay_bits & ((1u << CONF_WIN) - 1)) >= CONF_NEED && e->last_in > e->last_speech) {
        e->last_speech = e->last_in;
        e->trail_f = e->trailing_f;     /* a decision was about the words before this speech */
        resumed = 1;
    }
    uint64_t sil = e->frame - e->last_speech;
    if (sil >= (uint64_t)e->trail_f) {
        e->state = ST_DONE;
        return EP_END;
    }
    if (e->frame - e->anchor + 1 >= (uint64_t)e->max_f) {
        e->state = ST_DONE;
        return EP_CUT;
    }
    if (e->paused && resumed) {
        e->paused = 0;
        return EP_RESUME;
    }
    if (!e->paused && sil >= (uint64_t)e->pause_f) {
        e->paused = 1;
        return EP_PAUSE;
    }
    return EP_NONE;
}
