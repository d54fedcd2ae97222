/* aec.h: acoustic echo cancelling, so that the kiosk hears a customer who
 * talks over its own prompts (full duplex).
 *
 * The loudspeaker's signal is the reference; the microphone hears it again,
 * late (PulseAudio's hops plus the acoustic path: anything from 0 to
 * max_delay_ms) and coloured by the lane's reverberation.  The module finds
 * that bulk delay itself (GCC-PHAT between the reference and the microphone
 * while the kiosk speaks), delays the reference by it less AEC_MARGIN_MS, and
 * lets speexdsp's echo canceller (MDF, a tail_ms filter) take out what is
 * left: the room.  How, and the constants, at the top of aec.c.
 *
 * Pure C on 10 ms frames of 16 kHz mono int16, like endpoint.h: no I/O, no
 * clock; time is the count of frames fed.  Deterministic: the same frames give
 * the same output.  Not thread-safe: one thread feeds an aec_t.
 *
 * Telling the customer from the echo (what src/kiosk/source_mic.c is to do
 * with aec_stats): the cancelling is never perfect, so while the kiosk speaks out
 * still holds its voice, about erle_db below the echo, over the noise.  A
 * frame is the customer's (near-end speech) when
 *
 *     ref_active && min(out_db, mic_db) > max(echo_db - erle_db, floor_db) + AEC_NEAR_MARGIN_DB
 *
 * (aec_near_speech), erle_db taken as 0 while it is NAN (nothing measured
 * yet: only speech well above the echo itself counts).  While delay_ms is -1
 * echo_db is mic_db: everything heard is taken to be the kiosk's voice, so
 * the kiosk is as deaf as a half-duplex one for the first second or two of
 * its voice after create/reset, and for good when no echo is ever found (no
 * delay is made up: a kiosk whose microphone does not hear its loudspeaker
 * stays half duplex).  When ref_active is 0 the kiosk's voice is not in the
 * microphone and out is judged as it would be without a canceller.  The
 * margin is wide because single frames' residue wanders around its median
 * (erle_db): in tests/unit/test_aec.c, at 10 dB 0.3-3.6 % of the echo-only
 * frames of a lane passed for the customer, at 14 dB 0-0.9 %; a customer as
 * loud as the echo was flagged in 98 % of their frames, 6 dB softer in 72 %,
 * 10 dB softer in 47 % (src/DECISIONS.md, 2026-12-07, "the echo
 * canceller").  A caller wanting speech during the kiosk's voice to carry
 * more evidence than speech in silence asks for more of these frames. */
#ifndef KIOSK_AEC_H
#define KIOSK_AEC_H

#include <stddef.h>
#include <stdint.h>

#define AEC_FRAME 160              /* samples a frame: 10 ms at 16 kHz mono int16 */
#define AEC_MARGIN_MS 20           /* the reference goes to speexdsp this much earlier than the delay found */
#define AEC_NEAR_MARGIN_DB 14.0    /* the rule above: how far above the expected residue the customer is */
#define AEC_LATENCY_MS 10          /* out lags mic by this with the suppressor on */

typedef struct {
    int tail_ms;        /* speexdsp's filter: the room's reverberation it models (default 200; 20..1000) */
    int max_delay_ms;   /* the longest bulk delay looked for (default 500; 0..2000; 0: none, the
                           reference is aligned with the microphone) */
    int suppress_db;    /* the residual echo left by the filter is suppressed by up to this much
                           (speex_preprocess; default -40; -100..0; 0: off, and out is not delayed) */
} aec_config_t;

typedef struct aec_s aec_t;

/* Fills c with the defaults above. */
void aec_defaults(aec_config_t *c);

/* NULL config: defaults.  NULL with a one-line message in err when the
 * config is out of range ("aec: tail_ms 5 out of range (20..1000)") or memory
 * runs out.  Free with aec_free(). */
aec_t *aec_create(const aec_config_t *c, char *err, size_t errlen);

/* Frees a; NULL is allowed. */
void aec_free(aec_t *a);

/* mic: the AEC_FRAME samples just captured; ref: the AEC_FRAME samples the
 * loudspeaker was given at the same moment by the device's clocks (zeros
 * while it is silent).  out gets mic with the kiosk's voice removed; out may
 * be mic (otherwise they must not overlap).  With the suppressor on
 * (suppress_db < 0, the default) out is the microphone of one call earlier
 * (AEC_LATENCY_MS: it works on overlapping windows; the first out is
 * silence).  Feed every frame, silent or not: the delay is counted in frames. */
void aec_process(aec_t *a, const int16_t *mic, const int16_t *ref, int16_t *out);

/* A device was reopened: forgets the filter, the delay, the path's gain and
 * the counts (as after aec_create). */
void aec_reset(aec_t *a);

typedef struct {
    int delay_ms;          /* bulk delay in use (the echo's arrival; the reference goes to speexdsp
                              AEC_MARGIN_MS earlier), -1 while unknown */
    double erle_db;        /* echo return loss enhancement (mic over out, dB): the median over the last
                              200 frames where only the kiosk spoke (its echo 20 dB above the floor and
                              the microphone no louder than echo_db + 3 dB); NAN until 50 such frames
                              are in, again after a re-alignment, and while a new delay is suspected */
    double erle_now_db;    /* the same over this spell of the kiosk's voice alone (since the reference
                              was last quiet past delay + tail, or the delay last changed): the 20th
                              percentile of its last 30 echo-only frames; NAN until 20 are in and
                              while erle_db is NAN for a suspected delay */
    double mic_db;         /* this frame's level in dBFS (a full-scale sine reads -3; digital silence -120),
                              before cancelling */
    double out_db;         /* ... after */
    double echo_db;        /* the level the echo is expected to have in this frame before cancelling
                              (from the reference, its delay and the path's measured gain), dBFS;
                              mic_db while delay_ms is -1; -INFINITY when the reference was silent
                              for longer than delay + tail */
    double floor_db;       /* the microphone's noise floor, dBFS: a running minimum of mic_db that
                              rises by at most 2 dB/s, digital silence left out (-120 until a frame
                              that is not) */
    int ref_active;        /* 1 while the kiosk's voice may be in the microphone (reference active
                              within delay + tail; within max_delay + tail while the delay is unknown) */
    unsigned long frames;       /* frames processed since create/reset */
    unsigned long echo_frames;  /* ... of them with ref_active */
    unsigned long realigns;     /* times the delay changed after it was first found */
    unsigned long idle_frames;  /* ... with speexdsp's filter skipped: the reference silent for
                                   delay + tail + 1 s (out is then mic, less nothing) */
} aec_stats_t;

/* The rule at the top on the stats of one frame: 1 when it holds speech
 * that is not the kiosk's (only ever while ref_active), else 0. */
int aec_near_speech(const aec_stats_t *s);

/* What the live kiosk does with the rule (src/kiosk/source_mic.c, and
 * build/aec_wav -e): a frame that may be only what the canceller left of
 * the kiosk's voice is vetoed as speech for the endpointer.  Stricter than
 * aec_near_speech alone, in two ways:
 * - the echo's level is its envelope, falling AEC_ECHO_DECAY_DB a frame: a
 *   word's echo rings on in the room after the word has stopped;
 * - the canceller is trusted for at most AEC_ERLE_CREDIT_DB of what it
 *   measured, unless this spell of its voice shows it cancelling more
 *   (erle_now_db, which then stands for erle_db): when the echo path moves by a
 *   millisecond or two (PulseAudio does that between prompts; a re-alignment
 *   needs 10 ms) speexdsp's filter takes a second or so to follow, and
 *   meanwhile its residue is far above the ERLE it measured before
 *   (src/DECISIONS.md, 2026-12-07); a spell's own frames show that at once.
 * Start g zeroed; 1: only echo (not evidence of a customer). */
#define AEC_ECHO_DECAY_DB 3.0
#define AEC_ERLE_CREDIT_DB 10.0
typedef struct {
    double env;                /* the echo's envelope, dBFS */
    int cap_only;              /* 1: AEC_ERLE_CREDIT_DB at most, whatever the spell shows (the rule
                                  before 2026-12-08; build/aec_wav -c compares them) */
} aec_gate_t;
int aec_only_echo(aec_gate_t *g, const aec_stats_t *s);

/* A frame's evidence for an early barge-in (source_mic.c stops a prompt at 5
 * of the last 8 such frames, before the turn's onset is sure): one the veto
 * let through (vetoed: what it said of the frame, 0 or 1) while the kiosk's
 * voice is expected at the microphone, the echo's envelope (g, after
 * aec_only_echo on this frame) AEC_AUDIBLE_DB over the floor.  Before the
 * echo arrives (the reference runs delay_ms ahead of it) and in the gaps
 * between sentences there is no voice to tell the customer from, and 50 ms
 * of noise 14 dB over the floor stopped prompts there (the rig,
 * src/DECISIONS.md 2026-12-08); the endpointer's onset stops them instead. */
#define AEC_AUDIBLE_DB 0.0
int aec_barge_frame(const aec_gate_t *g, const aec_stats_t *s, int vetoed);

/* The state after the last aec_process.  The levels, echo_db and
 * ref_active describe the audio that call put in out (with the suppressor
 * on, the microphone of the call before), so that they compare. */
void aec_stats(const aec_t *a, aec_stats_t *s);

#endif
