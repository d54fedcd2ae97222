/* wav.c: reading a recorded turn (see wav.h).
 *
 * libsndfile reads whatever container and sample format it knows (WAV 8/16/
 * 24/32-bit, float, ...) as floats in -1..1; the channels are averaged to
 * mono while reading, so memory is one float per frame whatever the channel
 * count; speexdsp resamples to 16 kHz.
 *
 * Invariants of audio_to_16k:
 *   - output length is round(frames * 16000 / rate), exactly: the resampler's
 *     filter delay is skipped at the start (speex_resampler_skip_zeros) and
 *     flushed with zeros at the end, so nothing is cut and the output is not
 *     shifted in time against the input;
 *   - samples are clipped to int16, never wrapped (a float file may hold
 *     values beyond -1..1).
 *
 * Limits: a turn longer than WAV_MAX_SECONDS is refused (a live turn is at
 * most ~15 s; a file of hours is a mistake, and would cost memory and decode
 * time for nothing). */
#include "wav.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sndfile.h>
#include <speex/speex_resampler.h>

#include "../util/util.h"

#define WAV_MAX_SECONDS 120
#define RATE_MIN 1000          /* below this it is not speech audio */
#define RATE_MAX 384000
#define CHANNELS_MAX 64
#define RESAMPLE_QUALITY 5     /* speexdsp 0..10; 5 is its "VoIP" default */
#define READ_CHUNK 4096        /* frames per sf_readf_float call */

static int16_t to_s16(float v)
{
    if (!(v == v)) return 0;               /* NaN from a broken float file */
    if (v >= 32767.0f) return 32767;
    if (v <= -32768.0f) return -32768;
    return (int16_t)lrintf(v);
}

/* Mono float (scaled to int16 range) -> int16, same rate. */
static void mono_to_s16(const float *in, size_t n, int16_t *out)
{
    for (size_t i = 0; i < n; i++) out[i] = to_s16(in[i]);
}

/* Resamples mono float x[0..n) at rate to exactly want samples at 16 kHz. */
static int resample_mono(const float *x, size_t n, int rate, int16_t *out, size_t want,
                         char *err, size_t errlen)
{
    int e = 0;
    SpeexResamplerState *st = speex_resampler_init(1, (spx_uint32_t)rate, AUDIO_RATE,
                                                   RESAMPLE_QUALITY, &e);
    if (!st) {
        snprintf(err, errlen, "cannot resample %d Hz to %d Hz (%s)", rate, AUDIO_RATE,
                 speex_resampler_strerror(e));
        return -1;
    }
    /* The first output sample then lines up with the first input sample. */
    speex_resampler_skip_zeros(st);

    enum { OUT_CHUNK = 4096 };
    float buf[OUT_CHUNK];
    static const float zeros[1024];
    size_t got = 0, used = 0;
    /* Flushing: the filter still holds input_latency samples of real audio
     * when the input runs out; zeros push them through.  Bounded in case a
     * resampler ever produced less than expected. */
    size_t flush_left = (size_t)speex_resampler_get_input_latency(st) + 64;

    while (got < want) {
        const float *src;
        spx_uint32_t in_len, out_len = OUT_CHUNK;
        if (used < n) {
            size_t left = n - used;
            in_len = left > 1u << 20 ? 1u << 20 : (spx_uint32_t)left;
            src = x + used;
        } else if (flush_left > 0) {
            in_len = flush_left > 1024 ? 1024 : (spx_uint32_t)flush_left;
            src = zeros;
        } else {
            break;
        }
        speex_resampler_process_float(st, 0, src, &in_len, buf, &out_len);
        if (used < n) used += in_len;
        else flush_left -= in_len;
        for (spx_uint32_t i = 0; i < out_len && got < want; i++) out[got++] = to_s16(buf[i]);
    }
    speex_resampler_destroy(st);
    /* Only reachable if the resampler under-delivered by a sample or two. */
    while (got < want) out[got++] = 0;
    return 0;
}

/* Output length for frames at rate: round(frames * 16000 / rate). */
static size_t out_len_for(size_t frames, int rate)
{
    return (size_t)(((unsigned long long)frames * AUDIO_RATE + (unsigned)rate / 2) /
                    (unsigned)rate);
}

/* The conversion on an already mono buffer scaled to int16 range. */
static int mono_to_16k(const float *mono, size_t frames, int rate, int16_t **out, size_t *n,
                       char *err, size_t errlen)
{
    size_t want = rate == AUDIO_RATE ? frames : out_len_for(frames, rate);
    int16_t *pcm = xmalloc((want ? want : 1) * sizeof *pcm);
    if (rate == AUDIO_RATE) {
        mono_to_s16(mono, frames, pcm);
    } else if (resample_mono(mono, frames, rate, pcm, want, err, errlen) < 0) {
        free(pcm);
        return -1;
    }
    *out = pcm;
    *n = want;
    return 0;
}

int audio_to_16k(const float *in, size_t frames, int rate, int channels,
                 int16_t **out, size_t *n, char *err, size_t errlen)
{
    *out = NULL;
    *n = 0;
    if (rate < RATE_MIN || rate > RATE_MAX) {
        snprintf(err, errlen, "unsupported sample rate %d Hz (use %d..%d Hz)", rate,
                 RATE_MIN, RATE_MAX);
        return -1;
    }
    if (channels < 1 || channels > CHANNELS_MAX) {
        snprintf(err, errlen, "unsupported channel count %d (use 1..%d)", channels,
                 CHANNELS_MAX);
        return -1;
    }
    if (frames == 0 || !in) {
        snprintf(err, errlen, "contains no audio (0 frames)");
        return -1;
    }
    if (frames / (size_t)rate > WAV_MAX_SECONDS) {
        snprintf(err, errlen, "%zu s of audio is too long for one turn (at most %d s)",
                 frames / (size_t)rate, WAV_MAX_SECONDS);
        return -1;
    }
    float *mono = xmalloc(frames * sizeof *mono);
    for (size_t f = 0; f < frames; f++) {
        float s = 0;
        for (int c = 0; c < channels; c++) s += in[f * (size_t)channels + (size_t)c];
        mono[f] = s / (float)channels * 32768.0f;
    }
    int r = mono_to_16k(mono, frames, rate, out, n, err, errlen);
    free(mono);
    return r;
}

int wav_read(const char *path, int16_t **pcm, size_t *n, char *err, size_t errlen)
{
    *pcm = NULL;
    *n = 0;
    /* A regular file only, opened without blocking and checked on the open
     * descriptor: libsndfile would wait for ever on a FIFO with no writer, and
     * read a device until the 120 s cap. */
    char bad[128];
    long long size = 0;
    int not_regular = 0;
    int fd = open_regular(path, &size, &not_regular, bad, sizeof bad);
    if (fd < 0 && not_regular) {
        snprintf(err, errlen, "%s: %s; give a WAV file", path, bad);
        return -1;
    }
    if (fd < 0) {
        snprintf(err, errlen, "%s: cannot open (%s); check the path", path, bad);
        return -1;
    }
    if (size == 0) {
        close(fd);
        snprintf(err, errlen, "%s: empty file, contains no audio; record the turn again", path);
        return -1;
    }

    SF_INFO info;
    memset(&info, 0, sizeof info);
    SNDFILE *sf = sf_open_fd(fd, SFM_READ, &info, 1);   /* closes fd, even when it fails */
    if (!sf) {
        /* sf_strerror(NULL) is the reason of the last failed sf_open. */
        char why[128];
        snprintf(why, sizeof why, "%s", sf_strerror(NULL));
        size_t wl = strlen(why);
        while (wl > 0 && (why[wl - 1] == '.' || why[wl - 1] == '\n' || why[wl - 1] == ' '))
            why[--wl] = '\0';
        snprintf(err, errlen, "%s: not a sound file (%s); give a WAV file", path, why);
        return -1;
    }
    int rate = info.samplerate, ch = info.channels;
    float *mono = NULL;
    float *buf = NULL;
    int ret = -1;

    if (rate < RATE_MIN || rate > RATE_MAX) {
        snprintf(err, errlen, "%s: unsupported sample rate %d Hz; convert it to 16000 Hz "
                 "(sox IN -r 16000 OUT)", path, rate);
        goto out;
    }
    if (ch < 1 || ch > CHANNELS_MAX) {
        snprintf(err, errlen, "%s: unsupported channel count %d (use 1..%d)", path, ch,
                 CHANNELS_MAX);
        goto out;
    }
    /* The header's length may be a lie (a truncated file, or SF_COUNT_MAX for
     * a stream); it is only used to refuse early and to size the buffer.  The
     * read loop below takes what is really there and applies the cap itself. */
    size_t max_frames = (size_t)rate * WAV_MAX_SECONDS;
    if (info.frames > 0 && (unsigned long long)info.frames > max_frames) {
        snprintf(err, errlen, "%s: %.0f s of audio is too long for one turn (at most %d s); "
                 "split the recording into one file per turn", path,
                 (double)info.frames / rate, WAV_MAX_SECONDS);
        goto out;
    }
    size_t cap = info.frames > 0 ? (size_t)info.frames : (size_t)rate;
    size_t len = 0;
    mono = xmalloc(cap * sizeof *mono);
    buf = xmalloc((size_t)READ_CHUNK * (size_t)ch * sizeof *buf);
    for (;;) {
        sf_count_t got = sf_readf_float(sf, buf, READ_CHUNK);
        if (got <= 0) break;
        if (len + (size_t)got > max_frames) {
            snprintf(err, errlen, "%s: more than %d s of audio is too long for one turn; "
                     "split the recording into one file per turn", path, WAV_MAX_SECONDS);
            goto out;
        }
        if (len + (size_t)got > cap) {
            while (len + (size_t)got > cap) cap *= 2;
            if (cap > max_frames) cap = max_frames;
            mono = xrealloc(mono, cap * sizeof *mono);
        }
        for (sf_count_t f = 0; f < got; f++) {
            float s = 0;
            for (int c = 0; c < ch; c++) s += buf[(size_t)f * (size_t)ch + (size_t)c];
            mono[len++] = s / (float)ch * 32768.0f;
        }
    }
    if (len == 0) {
        int e = sf_error(sf);
        if (e != SF_ERR_NO_ERROR)
            snprintf(err, errlen, "%s: contains no audio (%s); record the turn again", path,
                     sf_strerror(sf));
        else
            snprintf(err, errlen, "%s: contains no audio (0 frames); record the turn again",
                     path);
        goto out;
    }
    char why[160];
    if (mono_to_16k(mono, len, rate, pcm, n, why, sizeof why) < 0) {
        snprintf(err, errlen, "%s: %s", path, why);
        goto out;
    }
    ret = 0;
out:
    free(buf);
    free(mono);
    sf_close(sf);
    return ret;
}

int wav_write(const char *path, const int16_t *pcm, size_t n, char *err, size_t errlen)
{
    char *tmp = xasprintf("%s.tmp", path);
    SF_INFO info = { .samplerate = AUDIO_RATE, .channels = 1, .format = SF_FORMAT_WAV | SF_FORMAT_PCM_16 };
    SNDFILE *sf = sf_open(tmp, SFM_WRITE, &info);
    int rc = -1;
    if (!sf) {
        snprintf(err, errlen, "%s: cannot write (%s)", path, sf_strerror(NULL));
        goto out;
    }
    sf_count_t wrote = sf_write_short(sf, pcm, (sf_count_t)n);
    int closed = sf_close(sf);
    if (wrote != (sf_count_t)n || closed != 0) {
        snprintf(err, errlen, "%s: cannot write: %s", path, wrote != (sf_count_t)n ? "the disk may be full" : sf_error_number(closed));
        unlink(tmp);
        goto out;
    }
    if (rename(tmp, path) < 0) {
        snprintf(err, errlen, "%s: cannot write (%s)", path, strerror(errno));
        unlink(tmp);
        goto out;
    }
    rc = 0;
out:
    free(tmp);
    return rc;
}
