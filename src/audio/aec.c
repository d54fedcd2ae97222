/* aec.c: the echo canceller of aec.h.
 *
 * The chain, a 10 ms frame at a time:
 *
 *   ref -> delay line (delay - AEC_MARGIN_MS) ---------------.
 *   mic ---------------------------------------> speexdsp MDF (tail_ms) -> residual
 *   mic, ref -> 4 kHz -> GCC-PHAT every 250 ms -> the delay     suppressor -> out
 *
 * The bulk delay.  speexdsp's filter only models tail_ms of echo path, so the
 * reference must reach it at most a few ms before the echo does; the delay
 * (PulseAudio's buffers plus the air: 0..max_delay_ms) is found here.  Both
 * signals are low-passed (a 33-tap windowed sinc at 1.7 kHz) and kept at
 * 4 kHz, where speech has most of its energy and a cross-correlation over
 * 500 ms of lags is a 4096-point FFT.  Every HOP_FRAMES (250 ms) the last
 * 500 ms of microphone is correlated with the reference from max_delay_ms
 * before it to its end (zero-padded: no wrap-around for any lag in range),
 * when the reference was on for at least ACTIVE_MIN frames of that span.
 * The cross-spectra are summed with forgetting (KEEP a hop: the last ~1 s
 * counts) over 150-1800 Hz, and the sum is whitened (PHAT: each bin's phase,
 * none of its weight), which turns a voice's broad correlation into a sharp
 * peak at the lag where the kiosk's voice arrives, reverberation or not.
 * An estimate is confident when the peak stands CONF_MIN times above the
 * correlation's RMS over all lags: a real echo gave 9-29 in
 * tests/unit/test_aec.c (under 12 only during double talk), and with no echo
 * at all a customer whose (synthetic) voice resembles the kiosk's up to 7.  A
 * delay is adopted when two confident estimates in a row agree within 2 ms
 * (so 1 s of the kiosk's voice after create/reset); once one is in use, a new one replaces it only when
 * the echo moved earlier by more than EARLY_MS (it would fall before the
 * filter) or later by more than LATE_MS (it would waste the tail), and the
 * filter is reset then: its taps describe the old alignment.  While a
 * confident estimate disagrees with the delay in use and is not yet
 * confirmed, ERLE is not told (NAN): the filter may not be cancelling, and
 * the caller must not trust an old figure.  Before any delay is known the
 * reference goes to speexdsp unshifted, so that short delays (< tail_ms)
 * are cancelled from the start.
 *
 * The filter: speexdsp's MDF, tail_ms long (200 by default: a lane's post is
 * open air with walls nearby, RT60 of 150-300 ms, and the echo 180 ms after
 * its direct sound is 20-40 dB down.  On test_aec's room, RT60 250 ms: 100 ms
 * left 10 dB more echo once converged, 300 ms converged more slowly, 2-10 dB
 * worse 1.5-3.5 s after the delay was found; 150 ms was as good as 200).
 *
 * After it, speex_preprocess's residual-echo suppressor (fed by the filter's
 * own estimate of what it left), by at most suppress_db (-40 by default,
 * -15 while the customer speaks: speexdsp's defaults).  It earns its place:
 * on test_aec's 120 ms lane ERLE went from 24 to 33.5 dB, and the customer,
 * talking 6 dB under the kiosk's echo, kept their voice (0.8 dB less of it,
 * correlation 0.969 against 0.965 without).  It needs its denoiser on to
 * apply any gain, so that is on, with a noise suppression of 0 dB: noise is
 * left alone (denoise.c's job, if anyone's); no AGC, no dereverberation.  It
 * works on overlapping windows: out is the input of one frame earlier
 * (10 ms), and the stats describe the audio in out.
 *
 * speexdsp also takes DC and rumble out of the microphone (its DC notch:
 * -1 dB at 100 Hz, -5.5 dB at 50 Hz), with or without a reference.
 *
 * The echo model, for echo_db.  Each frame's reference energy, delayed by
 * the bulk delay (to the nearest frame; the loudest within ECHO_SPREAD
 * frames either side, as the path wanders) and smeared by the room
 * (m = r + REVERB_A * m, 3 dB a frame: RT60 ~200 ms), times the path's power
 * gain.  The gain is the ratio of the microphone's energy to m, summed with a
 * 1 s memory over frames where the canceller removed at least 6 dB (those
 * are the kiosk's, not the customer's: a customer is not cancelled), or over
 * every frame with the kiosk's voice until ERLE is measured; when a delay is
 * adopted it is first sized from the last 2 s of levels.  On test_aec's
 * lanes echo_db was within -2..+3.4 dB of the true echo in 90 % of the
 * frames where it was above -50 dBFS.
 *
 * ERLE: the median of mic_db - out_db over the last ERLE_N frames where only
 * the kiosk spoke: the kiosk's voice may be in the microphone, the
 * microphone is no louder than echo_db + 3 dB (a louder customer is not
 * "only the kiosk"), and the echo stands ABOVE_FLOOR_DB over the noise floor
 * (below that a frame's ratio measures the noise, not the canceller).  A
 * median, not a ratio of summed energies: frames' ratios span 40 dB, and a
 * sum with a memory of seconds stays ruled by the worst frames of the
 * filter's first second (it read 12-18 dB where the lanes' were 30-40).  A
 * customer softer than the echo still counts as "only the kiosk", so ERLE
 * sags during double talk: the safe side (the rule in aec.h then asks for
 * more, not less).  The noise floor is a running minimum of mic_db that
 * rises by at most FLOOR_UP_DB a frame, as endpoint.c's does.
 *
 * Costs: speexdsp does nearly all the work; the estimator is two 4096-point
 * FFTs every 250 ms and a 33-tap filter on 80 samples a frame.  The whole
 * module took 0.5-0.65 % of one core at 16 kHz on the development machine
 * (build/aec_wav; figures in src/DECISIONS.md).  Memory ~350 kB at the
 * defaults, all allocated in aec_create. */
#include "aec.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <speex/speex_echo.h>
#include <speex/speex_preprocess.h>

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

#define RATE 16000
#define FRAME_MS 10
#define DEC 4                       /* the delay is looked for at 4 kHz ... */
#define DFRAME (AEC_FRAME / DEC)    /* ... 40 samples a frame */
#define NTAP 33                     /* the decimator's low-pass (odd: linear phase) */
#define CUT_HZ 1700.0               /* its corner */
#define BAND_LO_HZ 150.0            /* GCC-PHAT looks at this band */
#define BAND_HI_HZ 1800.0
#define WIN_FRAMES 50               /* the microphone's window (0.5 s) ... */
#define HOP_FRAMES 25               /* ... correlated every 250 ms */
#define WIN_D (WIN_FRAMES * DFRAME)
#define KEEP 0.5                    /* share of the summed cross-spectrum kept a hop */
#define MIN_HOPS 3                  /* windows with the kiosk's voice before a first estimate */
#define ACTIVE_MIN 20               /* frames of voice the reference needs in a window's span */
#define CONF_MIN 12.0               /* PHAT peak over the correlation's RMS: confident */
#define AGREE_D 8                   /* two estimates agree within 2 ms (8 samples at 4 kHz) */
#define EARLY_MS (AEC_MARGIN_MS / 2)/* re-align when the echo comes this much earlier ... */
#define LATE_MS 30                  /* ... or this much later than the delay in use */
#define REF_ON_DB (-70.0)           /* a reference frame above this is the kiosk's voice */
#define REVERB_A 0.5                /* the echo model's room: share of energy kept a frame */
#define MODEL_MIN 1e-8              /* (-80 dBFS) below this the model says "no echo" */
#define GAIN_KEEP 0.99              /* the path gain's memory, a frame (1 s) */
#define GOOD_CANCEL 0.25            /* out 6 dB below mic: the frame is the kiosk's */
#define ERLE_N 200                  /* ERLE: the median over this many echo-only frames ... */
#define ERLE_MIN_FRAMES 50          /* ... told once there are this many */
#define SPELL_N 30                  /* ERLE now: the last this many echo-only frames of the spell ... */
#define SPELL_MIN 20                /* ... told once the spell has this many ... */
#define SPELL_Q 5                   /* ... their 1/SPELL_Q quantile (the 20th percentile) ... */
#define SPELL_ABOVE_DB 10.0         /* ... of frames with the echo this far above the floor */
#define ECHO_SPREAD 3               /* frames either side of the delay the echo model looks at */
#define ECHO_ONLY_DB 3.0            /* mic no louder than echo_db + this: only the kiosk */
#define ABOVE_FLOOR_DB 20.0         /* ... and the echo this far above the microphone's floor */
#define FLOOR_UP_DB 0.02            /* the floor rises at most this much a frame (2 dB/s) */
#define HIST 200                    /* frames of levels kept to size the gain (2 s) */
#define SILENT_POW 1e-12            /* -120 dBFS: digital silence */
#define SUPPRESS_ACTIVE_DB (-15)    /* the suppressor's depth while the customer speaks */
#define IDLE_F 100                  /* the reference silent this long past delay + tail: idle */

/* what aec_process knows of a frame's input, kept one frame for the suppressor's latency */
typedef struct {
    double mp;                      /* mic energy (mean square, full scale 1.0) */
    double model;                   /* the echo model before the gain */
    int ref_active, known;          /* the kiosk may be in it; the delay was known */
} side_t;

struct aec_s {
    aec_config_t cfg;
    SpeexEchoState *echo;
    SpeexPreprocessState *pre;      /* the residual-echo suppressor, NULL: off */
    int tail_f, maxd_f, maxd_d;     /* tail and max delay in frames; max delay at 4 kHz */

    int16_t *ref;                   /* the reference's delay line at 16 kHz (ring) */
    int ref_len, ref_at;

    double *refpow, *micpow;        /* frame energies (rings of pow_len and HIST) */
    int pow_len;
    unsigned long frames, echo_frames, realigns, idle_frames;
    double notch[2];                /* dc_notch's state, kept up in every frame */
    int since_ref;                  /* frames since the reference was last on */

    /* the delay estimator */
    float fir[NTAP];
    float mic_h[NTAP - 1 + AEC_FRAME], ref_h[NTAP - 1 + AEC_FRAME];
    float dmic[WIN_D];              /* the microphone's last window at 4 kHz (ring) */
    int dmic_at;
    float *dref;                    /* the reference's last maxd_d + WIN_D at 4 kHz (ring) */
    int dref_len, dref_at;
    int hop_f;                      /* frames since the last look */
    int nfft;
    double *re, *im, *are, *aim;    /* work; the summed cross-spectrum */
    double *cosv, *sinv;
    int *rev;
    int hops;                       /* windows summed */
    int cand;                       /* the last estimate (4 kHz samples), -1: not confident */
    int suspect;                    /* a confident estimate disagrees with the delay in use */

    int delay;                      /* in use, samples at 16 kHz; -1 unknown */
    int spx_delay;                  /* the reference's delay before speexdsp */

    double model;                   /* the echo model (see the top) */
    double gnum, gden;              /* the path's gain: gnum / gden */
    float erle_v[ERLE_N];           /* ERLE: the last echo-only frames' mic/out, dB (ring) */
    int erle_n, erle_at;            /* frames in it; where the next goes */
    double erle;                    /* their median, NAN below ERLE_MIN_FRAMES */
    float spell_v[SPELL_N];         /* ERLE now: the echo-only frames' mic/out since the reference
                                       last went quiet (ring) */
    int spell_n, spell_at;
    double erle_now;                /* their SPELL_Q quantile, NAN below SPELL_MIN */
    double floor_db;                /* the microphone's floor (noise), dBFS; NAN: nothing heard yet */
    side_t prev;
    double mic_db, out_db, echo_db; /* the last frame's stats */
    int ref_active;
};

/* ---- small helpers --------------------------------------------------------- */

static double frame_pow(const int16_t *x)
{
    double s = 0;
    for (int i = 0; i < AEC_FRAME; i++) s += (double)x[i] * x[i];
    return s / AEC_FRAME / (32768.0 * 32768.0);
}

static double pow_db(double p)
{
    return 10.0 * log10(p > SILENT_POW ? p : SILENT_POW);
}

/* The energy of the reference frame `back` frames before the newest. */
static double ref_pow_at(const aec_t *a, int back)
{
    long idx = (long)a->frames - 1 - back;
    return idx < 0 ? 0 : a->refpow[idx % a->pow_len];
}

/* In-place radix-2 FFT of nfft points (sign -1 forward, +1 inverse, unscaled). */
static void fft(const aec_t *a, double *re, double *im, int sign)
{
    int n = a->nfft;
    for (int i = 0; i < n; i++) {
        int j = a->rev[i];
        if (j > i) {
            double t = re[i]; re[i] = re[j]; re[j] = t;
            t = im[i]; im[i] = im[j]; im[j] = t;
        }
    }
    for (int len = 2; len <= n; len <<= 1) {
        int half = len / 2, step = n / len;
        for (int i = 0; i < n; i += len) {
            for (int k = 0; k < half; k++) {
                double c = a->cosv[k * step], s = sign * a->sinv[k * step];
                double xr = re[i + k + half], xi = im[i + k + half];
                double tr = xr * c - xi * s, ti = xr * s + xi * c;
                re[i + k + half] = re[i + k] - tr;
                im[i + k + half] = im[i + k] - ti;
                re[i + k] += tr;
                im[i + k] += ti;
            }
        }
    }
}

/* ---- the delay estimator --------------------------------------------------- */

/* Low-passes a frame and keeps every DEC-th sample; h holds the NTAP - 1
 * samples before it. */
static void decimate(const aec_t *a, float *h, const int16_t *x, float *out)
{
    for (int i = 0; i < AEC_FRAME; i++) h[NTAP - 1 + i] = x[i] / 32768.0f;
    for (int o = 0; o < DFRAME; o++) {
        const float *p = h + o * DEC + DEC - 1;
        float s = 0;
        for (int k = 0; k < NTAP; k++) s += a->fir[k] * p[k];
        out[o] = s;
    }
    memmove(h, h + AEC_FRAME, (NTAP - 1) * sizeof *h);
}

/* Adds the last window's cross-spectrum to the sum and looks for the peak.
 * Returns the delay in 4 kHz samples when confident, else -1. */
static int estimate(aec_t *a)
{
    int n = a->nfft, seg = a->maxd_d + WIN_D;
    /* two real signals in one complex FFT: the microphone's window in the real
     * part, the reference from maxd_d before it to its end in the imaginary */
    for (int i = 0; i < n; i++) {
        a->re[i] = i < WIN_D ? a->dmic[(a->dmic_at + i) % WIN_D] : 0;
        a->im[i] = i < seg ? a->dref[(a->dref_at + i) % a->dref_len] : 0;
    }
    fft(a, a->re, a->im, -1);
    int lo = (int)ceil(BAND_LO_HZ * n / (RATE / DEC)), hi = (int)(BAND_HI_HZ * n / (RATE / DEC));
    for (int k = lo; k <= hi; k++) {
        int m = n - k;
        double mr = (a->re[k] + a->re[m]) / 2, mi = (a->im[k] - a->im[m]) / 2;
        double rr = (a->im[k] + a->im[m]) / 2, ri = (a->re[m] - a->re[k]) / 2;
        /* conj(M) R: its inverse is sum_t mic(t) ref'(t + s), lag maxd_d - s */
        a->are[k] = KEEP * a->are[k] + mr * rr + mi * ri;
        a->aim[k] = KEEP * a->aim[k] + mr * ri - mi * rr;
    }
    a->hops++;
    memset(a->re, 0, (size_t)n * sizeof *a->re);
    memset(a->im, 0, (size_t)n * sizeof *a->im);
    for (int k = lo; k <= hi; k++) {
        double mag = hypot(a->are[k], a->aim[k]);
        if (mag <= 0) continue;
        a->re[k] = a->are[k] / mag;
        a->im[k] = a->aim[k] / mag;
        a->re[n - k] = a->re[k];            /* Hermitian: the correlation is real */
        a->im[n - k] = -a->im[k];
    }
    fft(a, a->re, a->im, 1);
    int best = 0;
    double peak = -HUGE_VAL, ss = 0;
    for (int s = 0; s <= a->maxd_d; s++) {
        double v = a->re[s];
        ss += v * v;
        if (v > peak) {
            peak = v;
            best = s;
        }
    }
    double rms = sqrt(ss / (a->maxd_d + 1));
    if (a->hops < MIN_HOPS || rms <= 0 || peak < CONF_MIN * rms) return -1;
    return a->maxd_d - best;
}

/* The path gain and the echo model from the last HIST frames, for a delay
 * just adopted. */
static void gain_from_history(aec_t *a)
{
    int df = (a->delay + AEC_FRAME / 2) / AEC_FRAME;
    double m = 0, num = 0, den = 0;
    long n = (long)a->frames < HIST ? (long)a->frames : HIST;
    for (long back = n - 1; back >= 0; back--) {
        m = ref_pow_at(a, (int)back + df) + REVERB_A * m;
        if (m > MODEL_MIN) {
            num += a->micpow[((long)a->frames - 1 - back) % HIST];
            den += m;
        }
    }
    a->model = m;
    a->gnum = num;
    a->gden = den;
}

static void spell_reset(aec_t *a)
{
    a->spell_n = a->spell_at = 0;
    a->erle_now = NAN;
}

static void set_delay(aec_t *a, int delay)
{
    int margin = AEC_MARGIN_MS * RATE / 1000;
    int spx = delay > margin ? delay - margin : 0;
    if (a->delay >= 0) a->realigns++;
    a->delay = delay;
    if (spx != a->spx_delay) speex_echo_state_reset(a->echo);
    a->spx_delay = spx;
    a->erle_n = a->erle_at = 0;
    a->erle = NAN;
    spell_reset(a);
    gain_from_history(a);
}

/* Every frame: the estimator's share of the work. */
static void track_delay(aec_t *a, const int16_t *mic, const int16_t *ref)
{
    float dm[DFRAME], dr[DFRAME];
    decimate(a, a->mic_h, mic, dm);
    decimate(a, a->ref_h, ref, dr);
    for (int i = 0; i < DFRAME; i++) {
        a->dmic[a->dmic_at] = dm[i];
        a->dmic_at = (a->dmic_at + 1) % WIN_D;
        a->dref[a->dref_at] = dr[i];
        a->dref_at = (a->dref_at + 1) % a->dref_len;
    }
    if (++a->hop_f < HOP_FRAMES) return;
    a->hop_f = 0;
    int active = 0;
    for (int back = 0; back < a->maxd_f + WIN_FRAMES; back++)
        active += pow_db(ref_pow_at(a, back)) > REF_ON_DB;
    double heard = 0;
    for (int back = 0; back < WIN_FRAMES && back < (int)a->frames; back++)
        heard += a->micpow[((long)a->frames - 1 - back) % HIST];
    if (active < ACTIVE_MIN || heard <= SILENT_POW * WIN_FRAMES) return;   /* nothing to learn from */

    int l = estimate(a);
    int d = l * DEC, cur = a->delay;
    int differs = l >= 0 && cur >= 0 &&
                  (d < cur - EARLY_MS * RATE / 1000 || d > cur + LATE_MS * RATE / 1000);
    a->suspect = differs;
    if (l >= 0 && a->cand >= 0 && abs(l - a->cand) <= AGREE_D && (cur < 0 || differs)) {
        set_delay(a, d);
        a->suspect = 0;
    }
    a->cand = l;
}

static double erle_db(const aec_t *a)
{
    return a->suspect ? NAN : a->erle;
}

static int cmp_float(const void *x, const void *y)
{
    float a = *(const float *)x, b = *(const float *)y;
    return (a > b) - (a < b);
}

/* One more echo-only frame's ERLE for the spell's quantile (SPELL_N floats:
 * sorted every frame). */
static void add_spell(aec_t *a, double db)
{
    a->spell_v[a->spell_at] = (float)db;
    a->spell_at = (a->spell_at + 1) % SPELL_N;
    if (a->spell_n < SPELL_N) a->spell_n++;
    if (a->spell_n < SPELL_MIN) return;
    float w[SPELL_N];
    memcpy(w, a->spell_v, (size_t)a->spell_n * sizeof *w);
    qsort(w, (size_t)a->spell_n, sizeof *w, cmp_float);
    a->erle_now = w[a->spell_n / SPELL_Q];
}

/* One more echo-only frame's ERLE; the median is taken again every tenth. */
static void add_erle(aec_t *a, double db)
{
    a->erle_v[a->erle_at] = (float)db;
    a->erle_at = (a->erle_at + 1) % ERLE_N;
    if (a->erle_n < ERLE_N) a->erle_n++;
    if (a->erle_n < ERLE_MIN_FRAMES || a->erle_at % 10 != 0) return;
    float v[ERLE_N];
    memcpy(v, a->erle_v, (size_t)a->erle_n * sizeof *v);
    qsort(v, (size_t)a->erle_n, sizeof *v, cmp_float);
    a->erle = v[a->erle_n / 2];
}

/* ---- the API --------------------------------------------------------------- */

void aec_defaults(aec_config_t *c)
{
    c->tail_ms = 200;
    c->max_delay_ms = 500;
    c->suppress_db = -40;
}

void aec_free(aec_t *a)
{
    if (!a) return;
    if (a->pre) speex_preprocess_state_destroy(a->pre);
    if (a->echo) speex_echo_state_destroy(a->echo);
    free(a->ref);
    free(a->refpow);
    free(a->micpow);
    free(a->dref);
    free(a->re);
    free(a->im);
    free(a->are);
    free(a->aim);
    free(a->cosv);
    free(a->sinv);
    free(a->rev);
    free(a);
}

aec_t *aec_create(const aec_config_t *c, char *err, size_t errlen)
{
    aec_config_t def;
    if (!c) {
        aec_defaults(&def);
        c = &def;
    }
    if (c->tail_ms < 20 || c->tail_ms > 1000) {
        snprintf(err, errlen, "aec: tail_ms %d out of range (20..1000)", c->tail_ms);
        return NULL;
    }
    if (c->max_delay_ms < 0 || c->max_delay_ms > 2000) {
        snprintf(err, errlen, "aec: max_delay_ms %d out of range (0..2000)", c->max_delay_ms);
        return NULL;
    }
    if (c->suppress_db < -100 || c->suppress_db > 0) {
        snprintf(err, errlen, "aec: suppress_db %d out of range (-100..0)", c->suppress_db);
        return NULL;
    }
    aec_t *a = calloc(1, sizeof *a);
    if (!a) goto oom;
    a->cfg = *c;
    a->tail_f = (c->tail_ms + FRAME_MS - 1) / FRAME_MS;
    a->maxd_f = (c->max_delay_ms + FRAME_MS - 1) / FRAME_MS;
    a->maxd_d = c->max_delay_ms * (RATE / DEC) / 1000;
    a->ref_len = c->max_delay_ms * RATE / 1000 + 2 * AEC_FRAME;
    a->pow_len = a->maxd_f + HIST + 1;
    a->dref_len = a->maxd_d + WIN_D;
    for (a->nfft = 256; a->nfft < WIN_D + a->maxd_d; a->nfft *= 2) {}
    a->echo = speex_echo_state_init(AEC_FRAME, c->tail_ms * RATE / 1000);
    a->ref = calloc((size_t)a->ref_len, sizeof *a->ref);
    a->refpow = calloc((size_t)a->pow_len, sizeof *a->refpow);
    a->micpow = calloc(HIST, sizeof *a->micpow);
    a->dref = calloc((size_t)a->dref_len, sizeof *a->dref);
    a->re = calloc((size_t)a->nfft, sizeof *a->re);
    a->im = calloc((size_t)a->nfft, sizeof *a->im);
    a->are = calloc((size_t)a->nfft, sizeof *a->are);
    a->aim = calloc((size_t)a->nfft, sizeof *a->aim);
    a->cosv = calloc((size_t)a->nfft / 2, sizeof *a->cosv);
    a->sinv = calloc((size_t)a->nfft / 2, sizeof *a->sinv);
    a->rev = calloc((size_t)a->nfft, sizeof *a->rev);
    if (!a->echo || !a->ref || !a->refpow || !a->micpow || !a->dref || !a->re || !a->im ||
        !a->are || !a->aim || !a->cosv || !a->sinv || !a->rev)
        goto oom;
    int rate = RATE;
    speex_echo_ctl(a->echo, SPEEX_ECHO_SET_SAMPLING_RATE, &rate);
    if (c->suppress_db < 0) {
        a->pre = speex_preprocess_state_init(AEC_FRAME, RATE);
        if (!a->pre) goto oom;
        /* speex_preprocess_ctl fails only for an unknown request; VAD is left
         * alone (setting it prints a warning, see denoise.c) */
        int on = 1, off = 0, noise = 0, sup = c->suppress_db;
        int active = sup > SUPPRESS_ACTIVE_DB ? sup : SUPPRESS_ACTIVE_DB;
        speex_preprocess_ctl(a->pre, SPEEX_PREPROCESS_SET_DENOISE, &on);
        speex_preprocess_ctl(a->pre, SPEEX_PREPROCESS_SET_NOISE_SUPPRESS, &noise);
        speex_preprocess_ctl(a->pre, SPEEX_PREPROCESS_SET_AGC, &off);
        speex_preprocess_ctl(a->pre, SPEEX_PREPROCESS_SET_DEREVERB, &off);
        speex_preprocess_ctl(a->pre, SPEEX_PREPROCESS_SET_ECHO_SUPPRESS, &sup);
        speex_preprocess_ctl(a->pre, SPEEX_PREPROCESS_SET_ECHO_SUPPRESS_ACTIVE, &active);
        speex_preprocess_ctl(a->pre, SPEEX_PREPROCESS_SET_ECHO_STATE, a->echo);
    }
    for (int i = 0; i < a->nfft / 2; i++) {
        a->cosv[i] = cos(2 * M_PI * i / a->nfft);
        a->sinv[i] = sin(2 * M_PI * i / a->nfft);
    }
    int bits = 0;
    while ((1 << bits) < a->nfft) bits++;
    for (int i = 0; i < a->nfft; i++) {
        int r = 0;
        for (int b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
        a->rev[i] = r;
    }
    /* the decimator: a Hamming-windowed sinc, unity gain at DC */
    double sum = 0, fc = CUT_HZ / RATE;
    for (int k = 0; k < NTAP; k++) {
        double x = k - (NTAP - 1) / 2.0;
        double s = x == 0 ? 2 * fc : sin(2 * M_PI * fc * x) / (M_PI * x);
        double w = 0.54 - 0.46 * cos(2 * M_PI * k / (NTAP - 1));
        a->fir[k] = (float)(s * w);
        sum += s * w;
    }
    for (int k = 0; k < NTAP; k++) a->fir[k] = (float)(a->fir[k] / sum);
    aec_reset(a);
    return a;
oom:
    snprintf(err, errlen, "aec: out of memory");
    aec_free(a);
    return NULL;
}

void aec_reset(aec_t *a)
{
    speex_echo_state_reset(a->echo);
    memset(a->ref, 0, (size_t)a->ref_len * sizeof *a->ref);
    memset(a->refpow, 0, (size_t)a->pow_len * sizeof *a->refpow);
    memset(a->micpow, 0, HIST * sizeof *a->micpow);
    memset(a->dref, 0, (size_t)a->dref_len * sizeof *a->dref);
    memset(a->dmic, 0, sizeof a->dmic);
    memset(a->are, 0, (size_t)a->nfft * sizeof *a->are);
    memset(a->aim, 0, (size_t)a->nfft * sizeof *a->aim);
    memset(a->mic_h, 0, sizeof a->mic_h);
    memset(a->ref_h, 0, sizeof a->ref_h);
    memset(&a->prev, 0, sizeof a->prev);
    a->ref_at = a->dref_at = a->dmic_at = 0;
    a->frames = a->echo_frames = a->realigns = a->idle_frames = 0;
    a->notch[0] = a->notch[1] = 0;
    a->since_ref = 1 << 20;
    a->hop_f = a->hops = 0;
    a->cand = -1;
    a->suspect = 0;
    a->delay = a->cfg.max_delay_ms == 0 ? 0 : -1;
    a->spx_delay = 0;
    a->model = a->gnum = a->gden = 0;
    a->erle_n = a->erle_at = 0;
    a->erle = NAN;
    spell_reset(a);
    a->floor_db = NAN;
    a->mic_db = a->out_db = pow_db(0);
    a->echo_db = -INFINITY;
    a->ref_active = 0;
}

/* speexdsp's own input filter (mdf.c's filter_dc_notch16, its radius at 16
 * kHz): with a filter of zeros its output is this, so an idle frame is
 * what speex_echo_cancellation would have made of it. */
static void dc_notch(aec_t *a, const int16_t *in, int16_t *out)
{
    const double r = 0.982, den2 = r * r + 0.7 * (1 - r) * (1 - r);
    for (int i = 0; i < AEC_FRAME; i++) {
        double vin = in[i], vout = a->notch[0] + vin;
        a->notch[0] = a->notch[1] + 2 * (-vin + r * vout);
        a->notch[1] = vin - den2 * vout;
        double o = r * vout;
        out[i] = (int16_t)(o > 32767 ? 32767 : o < -32768 ? -32768 : lrint(o));
    }
}

void aec_process(aec_t *a, const int16_t *mic, const int16_t *ref, int16_t *out)
{
    int16_t in[AEC_FRAME], refd[AEC_FRAME];
    memcpy(in, mic, sizeof in);             /* out may be mic */

    for (int i = 0; i < AEC_FRAME; i++) {
        a->ref[a->ref_at] = ref[i];
        a->ref_at = (a->ref_at + 1) % a->ref_len;
    }
    int from = ((a->ref_at - AEC_FRAME - a->spx_delay) % a->ref_len + a->ref_len) % a->ref_len;
    for (int i = 0; i < AEC_FRAME; i++) refd[i] = a->ref[(from + i) % a->ref_len];

    double rp = frame_pow(ref), mp = frame_pow(in);
    a->refpow[a->frames % a->pow_len] = rp;
    a->micpow[a->frames % HIST] = mp;
    a->frames++;
    a->since_ref = pow_db(rp) > REF_ON_DB ? 0 : a->since_ref + (a->since_ref < (1 << 30));   /* capped: months idle */
    if (a->maxd_d > 0) track_delay(a, in, ref);

    side_t cur = {.mp = mp, .known = a->delay >= 0};
    int span = (a->delay >= 0 ? a->delay / AEC_FRAME : a->maxd_f) + a->tail_f;
    cur.ref_active = a->since_ref <= span;
    if (cur.known) {
        /* the loudest reference within ECHO_SPREAD frames of the delay: the
         * path moves by a few ms between prompts (PulseAudio), and a voice
         * that starts early must not look like a customer */
        int at = (a->delay + AEC_FRAME / 2) / AEC_FRAME;
        double most = 0;
        for (int k = at > ECHO_SPREAD ? at - ECHO_SPREAD : 0; k <= at + ECHO_SPREAD; k++) {
            double p = ref_pow_at(a, k);
            if (p > most) most = p;
        }
        a->model = most + REVERB_A * a->model;
        cur.model = a->model;
    }

    /* Idle, speexdsp's filter holds only silence and would remove nothing
     * but the microphone's DC (dc_notch does that): skipped, the idle kiosk's
     * thread spends a fifth less (src/DECISIONS.md, 2026-12-07).  The
     * kiosk's first word wakes it. */
    int16_t notched[AEC_FRAME];
    dc_notch(a, in, notched);
    if (a->since_ref > span + IDLE_F) {
        memcpy(out, notched, sizeof notched);
        a->idle_frames++;
    } else {
        speex_echo_cancellation(a->echo, in, refd, out);
    }
    if (a->pre) speex_preprocess_run(a->pre, out);

    /* the measures pair out with the input it came from */
    side_t s = a->pre ? a->prev : cur;
    a->prev = cur;
    double op = frame_pow(out);
    a->mic_db = pow_db(s.mp);
    a->out_db = pow_db(op);
    /* digital silence (a device starting, a dropout) says nothing of the noise */
    if (s.mp > SILENT_POW) {
        if (isnan(a->floor_db) || a->mic_db < a->floor_db) a->floor_db = a->mic_db;
        else a->floor_db += FLOOR_UP_DB;
    }
    a->ref_active = s.ref_active;
    if (!s.ref_active) {
        a->echo_db = -INFINITY;
        spell_reset(a);             /* the path may move before the next (PulseAudio) */
        return;
    }
    a->echo_frames++;
    if (s.known && s.model > MODEL_MIN && (isnan(a->erle) || op < GOOD_CANCEL * s.mp)) {
        a->gnum = GAIN_KEEP * a->gnum + s.mp;
        a->gden = GAIN_KEEP * a->gden + s.model;
    }
    if (!s.known || a->gden <= 0) {         /* no path measured yet: all of it may be the kiosk */
        a->echo_db = a->mic_db;
        return;
    }
    a->echo_db = pow_db(a->gnum / a->gden * s.model);
    if (s.model > MODEL_MIN && a->mic_db <= a->echo_db + ECHO_ONLY_DB) {
        if (!(a->echo_db < a->floor_db + ABOVE_FLOOR_DB)) add_erle(a, a->mic_db - a->out_db);
        /* the spell's: nearer the floor, where the noise left in out makes
         * ERLE read low (the safe side), or there would be none in a noisy lane */
        if (!(a->echo_db < a->floor_db + SPELL_ABOVE_DB)) add_spell(a, a->mic_db - a->out_db);
    }
}

int aec_near_speech(const aec_stats_t *s)
{
    if (!s->ref_active) return 0;
    double resid = s->echo_db - (isnan(s->erle_db) ? 0 : s->erle_db);
    /* The customer adds to what the microphone hears: output louder than its
     * input is the canceller's own guess of an echo that has not arrived yet
     * (the microphone silent while the delayed reference plays). */
    double heard = s->out_db < s->mic_db ? s->out_db : s->mic_db;
    return heard > (resid > s->floor_db ? resid : s->floor_db) + AEC_NEAR_MARGIN_DB;
}

int aec_only_echo(aec_gate_t *g, const aec_stats_t *s)
{
    aec_stats_t st = *s;
    double e = isfinite(st.echo_db) ? st.echo_db : -200;
    g->env = e > g->env - AEC_ECHO_DECAY_DB ? e : g->env - AEC_ECHO_DECAY_DB;
    if (!st.ref_active) return 0;
    if (g->env > st.echo_db) st.echo_db = g->env;
    /* trusted: the cap, or this spell's own ERLE when higher (the median over
     * older frames may still hold the filter's first, unconverged second) and
     * the microphone hears more than the echo expected: a filter the path
     * has just moved under leaves as much as the echo, or more, and only a
     * few frames of its spell show it yet */
    if (!g->cap_only && st.erle_now_db > AEC_ERLE_CREDIT_DB && !isnan(st.erle_db) &&
        st.mic_db > st.echo_db)
        st.erle_db = st.erle_now_db;
    else if (!(st.erle_db < AEC_ERLE_CREDIT_DB))
        st.erle_db = AEC_ERLE_CREDIT_DB;   /* NAN too */
    return !aec_near_speech(&st);
}

int aec_barge_frame(const aec_gate_t *g, const aec_stats_t *s, int vetoed)
{
    return s->ref_active && !vetoed && g->env > s->floor_db + AEC_AUDIBLE_DB;
}

void aec_stats(const aec_t *a, aec_stats_t *s)
{
    s->delay_ms = a->delay < 0 ? -1 : (int)lround(a->delay * 1000.0 / RATE);
    s->erle_db = erle_db(a);
    s->erle_now_db = a->suspect ? NAN : a->erle_now;
    s->mic_db = a->mic_db;
    s->out_db = a->out_db;
    s->echo_db = a->echo_db;
    s->floor_db = isnan(a->floor_db) ? pow_db(0) : a->floor_db;
    s->ref_active = a->ref_active;
    s->frames = a->frames;
    s->echo_frames = a->echo_frames;
    s->realigns = a->realigns;
    s->idle_frames = a->idle_frames;
}
