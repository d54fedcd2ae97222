/* denoise.h: noise suppression and automatic gain control for 16 kHz mono
 * 16-bit audio, with speexdsp's preprocessor (speex_preprocess_*), frame by
 * frame for the live microphone or a whole turn at once for replay.
 *
 * Settings, and why:
 * - denoise on, noise suppressed by up to DENOISE_SUPPRESS_DB (-25 dB): an idling
 *   engine, wind and traffic are steady enough for speexdsp's noise estimate;
 *   speexdsp's default (-15 dB) leaves much of a 10 dB bed in place, and deeper
 *   suppression trades more "musical noise" artefacts for it.
 * - AGC on, aiming at a speech level of DENOISE_AGC_LEVEL (8000, speexdsp's own
 *   default, about -12 dBFS), with at most DENOISE_AGC_MAX_GAIN dB of gain (20, not
 *   speexdsp's 30): a quiet customer far from the post is brought up to the level
 *   the acoustic model expects, but a noise-only stretch is not blown up into
 *   something that looks like speech.
 * - dereverberation off: a drive-through lane is open air, with little
 *   reverberation to remove, and the evaluation measured the kiosk without it.
 * - VAD off (speexdsp's default, left alone): its answer is only the return
 *   value of speex_preprocess_run, which the endpointer does not need, and
 *   setting it at all makes speexdsp print a warning on stderr.
 *
 * The noise estimate starts from nothing: the first few hundred milliseconds
 * of a fresh state are barely suppressed.  A turn's leading silence (the
 * endpointer keeps some) is what it learns from.
 *
 * Both entry points are deterministic: the same input gives the same output.
 *
 * Measured on the development speech set (tests/speech/README.md, issue 4):
 * with these settings, one fresh state per turn, the kiosk did worse at 10
 * and 5 dB (more silent-wrong orders, lower auto-correct, confidence no longer
 * calibrated), so it is an option of `kiosk replay` (--denoise), not on by
 * default. */
#ifndef KIOSK_DENOISE_H
#define KIOSK_DENOISE_H

#include <stddef.h>
#include <stdint.h>

typedef struct denoise_s denoise_t;

#define DENOISE_FRAME 160          /* 10 ms at 16 kHz: denoise_frame() takes exactly this many samples */
#define DENOISE_SUPPRESS_DB (-25)  /* the most the noise is attenuated, in dB */
#define DENOISE_AGC_LEVEL 8000.0f  /* the AGC's target speech level (speexdsp units, ~ RMS) */
#define DENOISE_AGC_MAX_GAIN 20    /* the most the AGC amplifies, in dB */

/* A fresh preprocessor at 16 kHz: noise suppression and AGC on, dereverb and
 * VAD off.  NULL only when memory runs out.  Free with denoise_free(). */
denoise_t *denoise_create(void);

/* Frees d; NULL is allowed. */
void denoise_free(denoise_t *d);

/* Processes one frame of DENOISE_FRAME samples in place; the state (noise
 * estimate, gain) carries over to the next frame. */
void denoise_frame(denoise_t *d, int16_t *frame);

/* Processes a whole turn of n samples with a fresh state, DENOISE_FRAME at a
 * time; a short last frame is padded with zeros internally and only its n
 * samples are written.  out may equal in (otherwise they must not overlap).
 * Should memory run out, out is a copy of in. */
void denoise_buffer(const int16_t *in, int16_t *out, size_t n);

#endif
