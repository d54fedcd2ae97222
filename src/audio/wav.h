/* wav.h: reading a recorded turn: any sample rate and channel count that
 * libsndfile reads, mixed to mono and resampled to 16 kHz with speexdsp.
 *
 * This is the "wav" audio source; the PortAudio source lives beside it. */
#ifndef KIOSK_WAV_H
#define KIOSK_WAV_H

#include <stddef.h>
#include <stdint.h>

#define AUDIO_RATE 16000

/* Reads path into *pcm (16 kHz mono, caller frees) and *n samples.
 * Returns 0, or -1 with a one-line message in err naming the file and what is
 * wrong ("t1.wav: not a sound file (File contains data in an unknown format)"). */
int wav_read(const char *path, int16_t **pcm, size_t *n, char *err, size_t errlen);

/* Converts interleaved float frames at rate/channels to 16 kHz mono 16-bit.
 * Returns 0 or -1 (err filled).  *out is allocated, caller frees. */
/* Writes 16 kHz mono PCM as a 16-bit WAV file: to PATH.tmp, then renamed,
 * so a reader never sees half a file.  0, or -1 with err. */
int wav_write(const char *path, const int16_t *pcm, size_t n, char *err, size_t errlen);

int audio_to_16k(const float *in, size_t frames, int rate, int channels,
                 int16_t **out, size_t *n, char *err, size_t errlen);

#endif
