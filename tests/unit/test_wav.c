/* test_wav.c: reading turns of any rate, channel count and sample format, and
 * refusing bad files with a message that says what is wrong.
 *
 * Every sound file is written here, at test time, with libsndfile into a
 * temporary folder that is removed afterwards. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <sndfile.h>

#include "../../src/audio/wav.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

static char tmpdir[64];

static int setup(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/test_wav.XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

static void tmp_path(char *buf, size_t len, const char *name)
{
    snprintf(buf, len, "%s/%s", tmpdir, name);
}

enum { SIG_SINE, SIG_NOISE, SIG_SINE_LEFT_ONLY };

/* Writes a sound file; returns the number of frames written. */
static size_t write_sound(const char *path, int rate, int channels, int format, int sig,
                          double freq, double seconds, double amp)
{
    SF_INFO info = { .samplerate = rate, .channels = channels, .format = format };
    SNDFILE *sf = sf_open(path, SFM_WRITE, &info);
    assert_non_null(sf);
    if ((format & SF_FORMAT_SUBMASK) == SF_FORMAT_FLOAT)
        sf_command(sf, SFC_SET_CLIPPING, NULL, SF_FALSE);
    size_t frames = (size_t)lround(seconds * rate);
    float *buf = calloc(frames * (size_t)channels, sizeof *buf);
    assert_non_null(buf);
    unsigned seed = 12345;
    for (size_t f = 0; f < frames; f++) {
        for (int c = 0; c < channels; c++) {
            float v;
            if (sig == SIG_NOISE) {
                seed = seed * 1103515245u + 12345u;
                v = (float)(amp * (((seed >> 8) & 0xffff) / 32768.0 - 1.0));
            } else if (sig == SIG_SINE_LEFT_ONLY && c > 0) {
                v = 0;
            } else {
                v = (float)(amp * sin(2 * M_PI * freq * (double)f / rate));
            }
            buf[f * (size_t)channels + (size_t)c] = v;
        }
    }
    assert_int_equal(sf_writef_float(sf, buf, (sf_count_t)frames), (sf_count_t)frames);
    sf_close(sf);
    free(buf);
    return frames;
}

static void write_text(const char *path, const char *text, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    if (len) assert_int_equal(fwrite(text, 1, len, f), len);
    fclose(f);
}

/* Sign changes, ignoring the first and last 10 ms (filter edges). */
static int zero_crossings(const int16_t *x, size_t n)
{
    int count = 0;
    size_t edge = AUDIO_RATE / 100;
    for (size_t i = edge + 1; i + edge < n; i++)
        if ((x[i - 1] < 0) != (x[i] < 0)) count++;
    return count;
}

static double rms(const int16_t *x, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++) s += (double)x[i] * x[i];
    return sqrt(s / (double)n) / 32768.0;
}

/* Normalised correlation with the ideal sine at 16 kHz, no time shift: near 1
 * only when the resampler's delay was removed. */
static double sine_match(const int16_t *x, size_t n, double freq)
{
    double sxy = 0, sxx = 0, syy = 0;
    size_t edge = AUDIO_RATE / 100;
    for (size_t i = edge; i + edge < n; i++) {
        double y = sin(2 * M_PI * freq * (double)i / AUDIO_RATE);
        sxy += x[i] * y;
        sxx += (double)x[i] * x[i];
        syy += y * y;
    }
    return sxy / sqrt(sxx * syy + 1e-12);
}

typedef struct {
    const char *name;
    int rate, channels, format, sig;
    double freq, seconds, amp;
} sound_case_t;

static const sound_case_t sound_cases[] = {
    { "s16_8k.wav",      8000, 1, SF_FORMAT_WAV | SF_FORMAT_PCM_16, SIG_SINE, 440, 1.0, 0.5 },
    { "s16_16k.wav",    16000, 1, SF_FORMAT_WAV | SF_FORMAT_PCM_16, SIG_SINE, 440, 1.0, 0.5 },
    { "s16_22k.wav",    22050, 1, SF_FORMAT_WAV | SF_FORMAT_PCM_16, SIG_SINE, 1000, 0.77, 0.5 },
    { "s16_44k.wav",    44100, 1, SF_FORMAT_WAV | SF_FORMAT_PCM_16, SIG_SINE, 1000, 1.3, 0.5 },
    { "s16_48k.wav",    48000, 1, SF_FORMAT_WAV | SF_FORMAT_PCM_16, SIG_SINE, 300, 0.5, 0.5 },
    { "st_44k.wav",     44100, 2, SF_FORMAT_WAV | SF_FORMAT_PCM_16, SIG_SINE, 500, 1.0, 0.5 },
    { "st_48k_24.wav",  48000, 2, SF_FORMAT_WAV | SF_FORMAT_PCM_24, SIG_SINE, 700, 1.0, 0.5 },
    { "s32_11k.wav",    11025, 1, SF_FORMAT_WAV | SF_FORMAT_PCM_32, SIG_SINE, 440, 1.0, 0.5 },
    { "f32_44k.wav",    44100, 1, SF_FORMAT_WAV | SF_FORMAT_FLOAT,  SIG_SINE, 440, 1.0, 0.5 },
    { "u8_8k.wav",       8000, 1, SF_FORMAT_WAV | SF_FORMAT_PCM_U8, SIG_SINE, 440, 1.0, 0.5 },
    { "u8_22k_st.wav",  22050, 2, SF_FORMAT_WAV | SF_FORMAT_PCM_U8, SIG_SINE, 600, 0.4, 0.5 },
    { "noise_48k.wav",  48000, 1, SF_FORMAT_WAV | SF_FORMAT_PCM_16, SIG_NOISE, 0, 0.9, 0.3 },
    { "noise_8k_st.wav", 8000, 2, SF_FORMAT_WAV | SF_FORMAT_FLOAT,  SIG_NOISE, 0, 0.3, 0.3 },
    { "tiny_44k.wav",   44100, 1, SF_FORMAT_WAV | SF_FORMAT_PCM_16, SIG_SINE, 440, 0.001, 0.5 },
    { "one_frame.wav",  22050, 1, SF_FORMAT_WAV | SF_FORMAT_PCM_16, SIG_SINE, 440, 1.0 / 22050, 0.5 },
    { "s16_8k.flac",     8000, 1, SF_FORMAT_FLAC | SF_FORMAT_PCM_16, SIG_SINE, 440, 0.5, 0.5 },
};

static void test_formats_and_rates(void **state)
{
    (void)state;
    for (size_t k = 0; k < sizeof sound_cases / sizeof sound_cases[0]; k++) {
        const sound_case_t *c = &sound_cases[k];
        char path[256], err[256] = "";
        tmp_path(path, sizeof path, c->name);
        size_t frames = write_sound(path, c->rate, c->channels, c->format, c->sig, c->freq,
                                    c->seconds, c->amp);
        int16_t *pcm = NULL;
        size_t n = 0;
        int r = wav_read(path, &pcm, &n, err, sizeof err);
        if (r != 0) fail_msg("%s: wav_read failed: %s", c->name, err);
        size_t want = (size_t)llround((double)frames * AUDIO_RATE / c->rate);
        if (n != want) fail_msg("%s: %zu samples, want %zu", c->name, n, want);
        if (c->sig == SIG_SINE && c->seconds >= 0.3) {
            double secs = (double)(n - 2 * AUDIO_RATE / 100) / AUDIO_RATE;
            double expect = 2 * c->freq * secs;
            int zc = zero_crossings(pcm, n);
            if (fabs(zc - expect) > 4 + expect * 0.01)
                fail_msg("%s: %d zero crossings, want about %.0f", c->name, zc, expect);
            double m = sine_match(pcm, n, c->freq);
            if (m < 0.98) fail_msg("%s: sine correlation %.3f (time shifted?)", c->name, m);
            double a = rms(pcm, n) * sqrt(2.0);
            if (fabs(a - c->amp) > 0.03)
                fail_msg("%s: amplitude %.3f, want %.2f", c->name, a, c->amp);
        }
        if (c->sig == SIG_NOISE && rms(pcm, n) < 0.01)
            fail_msg("%s: noise came out silent", c->name);
        free(pcm);
    }
}

/* The end of the turn must not be cut: a tone only in the last 50 ms survives. */
static void test_end_not_cut(void **state)
{
    (void)state;
    int rates[] = { 8000, 22050, 44100, 48000 };
    for (size_t k = 0; k < sizeof rates / sizeof rates[0]; k++) {
        int rate = rates[k];
        size_t frames = (size_t)rate / 2, tail = (size_t)rate / 20;
        float *x = calloc(frames, sizeof *x);
        assert_non_null(x);
        for (size_t i = frames - tail; i < frames; i++)
            x[i] = (float)(0.5 * sin(2 * M_PI * 400.0 * (double)i / rate));
        int16_t *out = NULL;
        size_t n = 0;
        char err[128];
        assert_int_equal(audio_to_16k(x, frames, rate, 1, &out, &n, err, sizeof err), 0);
        assert_int_equal(n, (size_t)llround((double)frames * AUDIO_RATE / rate));
        /* energy in the last 40 ms (leaving the final 5 ms of filter edge) */
        size_t last = AUDIO_RATE / 25, edge = AUDIO_RATE / 200;
        double e = rms(out + n - last - edge, last);
        if (e < 0.3) fail_msg("%d Hz: tail rms %.3f: the end was cut", rate, e);
        /* down to the very last samples (the resampler's delay was flushed
         * out with zeros, not padded with them) */
        int peak = 0;
        for (size_t i = n - 8; i < n; i++)
            if (abs(out[i]) > peak) peak = abs(out[i]);
        if (peak < 0.05 * 32768) fail_msg("%d Hz: last 8 samples silent: the end was cut", rate);
        /* and nothing before it */
        double pre = rms(out + AUDIO_RATE / 100, n / 2);
        if (pre > 0.01) fail_msg("%d Hz: rms %.3f before the tone", rate, pre);
        free(out);
        free(x);
    }
}

static void test_stereo_mix(void **state)
{
    (void)state;
    char path[256], err[256];
    tmp_path(path, sizeof path, "left_only.wav");
    write_sound(path, 16000, 2, SF_FORMAT_WAV | SF_FORMAT_PCM_16, SIG_SINE_LEFT_ONLY, 440, 0.5,
                0.8);
    int16_t *pcm;
    size_t n;
    assert_int_equal(wav_read(path, &pcm, &n, err, sizeof err), 0);
    assert_int_equal(n, 8000);
    /* averaged with a silent right channel: half the amplitude */
    assert_true(fabs(rms(pcm, n) * sqrt(2.0) - 0.4) < 0.01);
    free(pcm);
}

static void test_float_clips(void **state)
{
    (void)state;
    char path[256], err[256];
    tmp_path(path, sizeof path, "loud.wav");
    write_sound(path, 16000, 1, SF_FORMAT_WAV | SF_FORMAT_FLOAT, SIG_SINE, 100, 0.2, 3.0);
    int16_t *pcm;
    size_t n;
    assert_int_equal(wav_read(path, &pcm, &n, err, sizeof err), 0);
    int16_t lo = 0, hi = 0;
    for (size_t i = 0; i < n; i++) {
        if (pcm[i] < lo) lo = pcm[i];
        if (pcm[i] > hi) hi = pcm[i];
    }
    assert_int_equal(hi, 32767);       /* clipped, not wrapped around */
    assert_int_equal(lo, -32768);
    assert_true(pcm[20] > 0);          /* sin > 0 at the start of the period */
    free(pcm);
}

static void test_audio_to_16k_identity_and_args(void **state)
{
    (void)state;
    float x[4] = { 0.0f, 0.5f, -0.5f, 1.0f };
    int16_t *out;
    size_t n;
    char err[128];
    assert_int_equal(audio_to_16k(x, 4, 16000, 1, &out, &n, err, sizeof err), 0);
    assert_int_equal(n, 4);
    assert_int_equal(out[0], 0);
    assert_int_equal(out[1], 16384);
    assert_int_equal(out[2], -16384);
    assert_int_equal(out[3], 32767);
    free(out);
    /* two channels of one frame each pair */
    assert_int_equal(audio_to_16k(x, 2, 16000, 2, &out, &n, err, sizeof err), 0);
    assert_int_equal(n, 2);
    assert_int_equal(out[0], 8192);
    assert_int_equal(out[1], 8192);
    free(out);

    static const struct { size_t frames; int rate, ch; const char *msg; } bad[] = {
        { 0, 16000, 1, "contains no audio" },
        { 4, 0, 1, "unsupported sample rate 0 Hz" },
        { 4, -8000, 1, "unsupported sample rate" },
        { 4, 10000000, 1, "unsupported sample rate" },
        { 4, 16000, 0, "unsupported channel count 0" },
        { 4, 16000, 1000, "unsupported channel count" },
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        out = (int16_t *)x;
        err[0] = '\0';
        assert_int_equal(audio_to_16k(x, bad[k].frames, bad[k].rate, bad[k].ch, &out, &n,
                                      err, sizeof err), -1);
        assert_null(out);
        if (!strstr(err, bad[k].msg)) fail_msg("row %zu: \"%s\" lacks \"%s\"", k, err, bad[k].msg);
    }
    /* 121 s at 1 kHz: too long for a turn */
    size_t frames = 121000;
    float *big = calloc(frames, sizeof *big);
    assert_non_null(big);
    assert_int_equal(audio_to_16k(big, frames, 1000, 1, &out, &n, err, sizeof err), -1);
    assert_non_null(strstr(err, "too long"));
    free(big);
}

/* Copies the first keep bytes of src to dst. */
static void truncate_copy(const char *src, const char *dst, long keep)
{
    FILE *in = fopen(src, "rb");
    assert_non_null(in);
    char *buf = malloc((size_t)keep);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)keep, in), (size_t)keep);
    fclose(in);
    write_text(dst, buf, (size_t)keep);
    free(buf);
}

static void test_bad_files(void **state)
{
    (void)state;
    char good[256], p[256], err[512];
    tmp_path(good, sizeof good, "good.wav");
    write_sound(good, 16000, 1, SF_FORMAT_WAV | SF_FORMAT_PCM_16, SIG_SINE, 440, 1.0, 0.5);
    /* 44-byte header + 32000 bytes of samples */

    struct {
        const char *name;
        const char *want1, *want2;
    } rows[] = {
        { "missing.wav",   "cannot open", "No such file" },
        { "text.wav",      "not a sound file", "give a WAV file" },
        { "empty.wav",     "contains no audio", NULL },
        { "header20.wav",  "not a sound file", NULL },
        { "header44.wav",  "contains no audio", NULL },
        { "dir.wav",       "not a regular file (a directory)", "give a WAV file" },
        { "long.wav",      "too long", "120 s" },
        { "zero.wav",      "contains no audio", NULL },
    };
    tmp_path(p, sizeof p, "text.wav");
    const char *txt = "this is not audio, it is a note about the order\n";
    write_text(p, txt, strlen(txt));
    tmp_path(p, sizeof p, "empty.wav");
    write_text(p, "", 0);
    tmp_path(p, sizeof p, "header20.wav");
    truncate_copy(good, p, 20);
    tmp_path(p, sizeof p, "header44.wav");
    truncate_copy(good, p, 44);
    tmp_path(p, sizeof p, "dir.wav");
    assert_int_equal(mkdir(p, 0700), 0);
    tmp_path(p, sizeof p, "long.wav");
    write_sound(p, 1000, 1, SF_FORMAT_WAV | SF_FORMAT_PCM_U8, SIG_NOISE, 0, 121, 0.1);
    tmp_path(p, sizeof p, "zero.wav");
    write_sound(p, 16000, 1, SF_FORMAT_WAV | SF_FORMAT_PCM_16, SIG_SINE, 440, 0, 0.5);

    for (size_t k = 0; k < sizeof rows / sizeof rows[0]; k++) {
        tmp_path(p, sizeof p, rows[k].name);
        int16_t *pcm = (int16_t *)good;
        size_t n = 99;
        err[0] = '\0';
        int r = wav_read(p, &pcm, &n, err, sizeof err);
        if (r != -1) fail_msg("%s: read succeeded (%zu samples)", rows[k].name, n);
        assert_null(pcm);
        assert_int_equal(n, 0);
        if (!strstr(err, p)) fail_msg("%s: message does not name the file: %s", rows[k].name, err);
        if (!strstr(err, rows[k].want1) || (rows[k].want2 && !strstr(err, rows[k].want2)))
            fail_msg("%s: unexpected message: %s", rows[k].name, err);
        if (strchr(err, '\n')) fail_msg("%s: message is not one line: %s", rows[k].name, err);
    }
}

/* Not a regular file: one exact line, at once (a FIFO with no writer would
 * have hung libsndfile; the alarm fails the test instead of hanging it). */
static void test_not_regular(void **state)
{
    (void)state;
    alarm(20);
    char fifo[256], dir[256], err[512], want[512];
    tmp_path(fifo, sizeof fifo, "turn.fifo");
    assert_int_equal(mkfifo(fifo, 0600), 0);
    tmp_path(dir, sizeof dir, "turns.wav");
    assert_int_equal(mkdir(dir, 0700), 0);
    const struct {
        const char *path, *kind;
    } rows[] = { { fifo, "a FIFO" }, { dir, "a directory" }, { "/dev/zero", "a character device" } };
    for (size_t k = 0; k < sizeof rows / sizeof rows[0]; k++) {
        int16_t *pcm = NULL;
        size_t n = 99;
        assert_int_equal(wav_read(rows[k].path, &pcm, &n, err, sizeof err), -1);
        assert_null(pcm);
        assert_int_equal(n, 0);
        snprintf(want, sizeof want, "%s: not a regular file (%s); give a WAV file", rows[k].path, rows[k].kind);
        assert_string_equal(err, want);
    }
    unlink(fifo);
    rmdir(dir);
    alarm(0);
}

/* A header claiming more data than the file holds: what is there is read. */
static void test_truncated_data(void **state)
{
    (void)state;
    char good[256], p[256], err[256];
    tmp_path(good, sizeof good, "full.wav");
    write_sound(good, 16000, 1, SF_FORMAT_WAV | SF_FORMAT_PCM_16, SIG_SINE, 440, 1.0, 0.5);
    static const struct { long bytes; size_t samples; } cut[] = {
        { 44 + 16000, 8000 },      /* half the samples */
        { 44 + 2 * 1000 + 1, 1000 },  /* an odd byte in the middle of a sample */
        { 44 + 2, 1 },
    };
    for (size_t k = 0; k < sizeof cut / sizeof cut[0]; k++) {
        tmp_path(p, sizeof p, "cut.wav");
        truncate_copy(good, p, cut[k].bytes);
        int16_t *pcm;
        size_t n;
        int r = wav_read(p, &pcm, &n, err, sizeof err);
        if (r != 0) fail_msg("cut at %ld bytes: %s", cut[k].bytes, err);
        assert_int_equal(n, cut[k].samples);
        free(pcm);
    }
    /* the same at 44.1 kHz stereo: resampled length follows the real data */
    tmp_path(good, sizeof good, "full44.wav");
    write_sound(good, 44100, 2, SF_FORMAT_WAV | SF_FORMAT_PCM_16, SIG_SINE, 440, 1.0, 0.5);
    tmp_path(p, sizeof p, "cut44.wav");
    truncate_copy(good, p, 44 + 4 * 22050);
    int16_t *pcm;
    size_t n;
    assert_int_equal(wav_read(p, &pcm, &n, err, sizeof err), 0);
    assert_int_equal(n, 8000);
    assert_true(sine_match(pcm, n, 440) > 0.98);
    free(pcm);
}

/* Random garbage after a valid RIFF header must never crash. */
static void test_garbage_never_crashes(void **state)
{
    (void)state;
    char good[256], p[256], err[256];
    tmp_path(good, sizeof good, "g.wav");
    write_sound(good, 8000, 1, SF_FORMAT_WAV | SF_FORMAT_PCM_16, SIG_SINE, 440, 0.1, 0.5);
    FILE *f = fopen(good, "rb");
    assert_non_null(f);
    unsigned char orig[1644];
    size_t len = fread(orig, 1, sizeof orig, f);
    fclose(f);
    unsigned seed = 7;
    for (int round = 0; round < 200; round++) {
        unsigned char buf[sizeof orig];
        memcpy(buf, orig, len);
        for (int j = 0; j < 4; j++) {      /* flip bytes in the header */
            seed = seed * 1103515245u + 12345u;
            buf[(seed >> 8) % 60] = (unsigned char)(seed >> 16);
        }
        tmp_path(p, sizeof p, "fuzz.wav");
        write_text(p, (const char *)buf, len);
        int16_t *pcm = NULL;
        size_t n = 0;
        err[0] = '\0';
        if (wav_read(p, &pcm, &n, err, sizeof err) == 0) {
            assert_true(n > 0);
            free(pcm);
        } else {
            assert_non_null(strstr(err, p));
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_formats_and_rates),
        cmocka_unit_test(test_end_not_cut),
        cmocka_unit_test(test_stereo_mix),
        cmocka_unit_test(test_float_clips),
        cmocka_unit_test(test_audio_to_16k_identity_and_args),
        cmocka_unit_test(test_bad_files),
        cmocka_unit_test(test_not_regular),
        cmocka_unit_test(test_truncated_data),
        cmocka_unit_test(test_garbage_never_crashes),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
