/* device.c: see device.h.
 *
 * The callbacks run on PortAudio's thread and do nothing but copy samples in
 * or out of a ring and bump counters: no locks, no allocation; the capture
 * callback's one system call is a write to an eventfd that wakes the event
 * loop (non-blocking: it never waits).  Rate conversion, mixing and the
 * stall check happen on the caller's thread. */
#include "device.h"

#include <alsa/asoundlib.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <pa_linux_alsa.h>
#include <portaudio.h>
#include <speex/speex_resampler.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "resample.h"
#include "ring.h"

#define RATE 16000
#define OUT_LATENCY_S 0.05         /* the loudspeaker's buffer, at least */
#define PAIR_CAP (RATE * 4)        /* the loudspeaker's 16 kHz samples kept for pairing */
#define PAIR_WINDOW 50             /* reads (of ~10-20 ms each) the pairing offset is judged over */
#define PAIR_SLIP (RATE / 50)      /* 20 ms: the offset moves when it has slipped further */
#define STALL_SECONDS 1.0     /* no capture callback for this long: the device is gone */
#define STARTUP_SECONDS 5.0   /* ...or none at all this long after opening (PulseAudio's
                                 monitor source takes about 2 s to deliver its first samples) */

struct device_s {
    PaStream *in, *out;
    int in_rate, in_ch, out_rate;
    ring_t in_ring, out_ring;
    ring_t ref_ring;               /* what the output callback gave the loudspeaker, silence too */
    atomic_ulong in_frames;        /* frames the capture callback has delivered */
    atomic_ulong overflows;        /* the device's own input-overflow flags */
    atomic_int hush;               /* set: the output callback drops what is queued */
    SpeexResamplerState *in_rs, *out_rs;
    resample_t ref_rs;             /* silent nearly all the time: passed by (resample.h) */
    /* device_read_pair: the loudspeaker's samples at 16 kHz, ref16[0] being
     * number ref_base since open; the counts of both sides since open */
    int16_t *ref16;
    size_t ref16_n;
    long long ref_base, ref_total, mic_total;
    long long offset, win_min;     /* track_offset's */
    int offset_set, win_n;
    unsigned long realigns;
    atomic_ulong underflows;       /* the output's underflow reports */
    unsigned long seen_frames;
    double seen_at;
    char describe[512];
    int wake_fd;                   /* eventfd: samples arrived (device_wake_fd) */
};

static int pa_users;   /* Pa_Initialize calls not yet matched (PortAudio counts them too) */
static int mic_open;   /* a device_t exists (one at a time; a device_out_t may be open beside it) */

static double mono_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ALSA and JACK print pages of probing noise to stderr while PortAudio
 * enumerates devices; the kiosk's own messages say what matters. */
static int quiet_begin(void)
{
    fflush(stderr);
    int saved = dup(2), null = open("/dev/null", O_WRONLY);
    if (saved >= 0 && null >= 0) dup2(null, 2);
    if (null >= 0) close(null);
    return saved;
}

static void quiet_end(int saved)
{
    if (saved < 0) return;
    dup2(saved, 2);
    close(saved);
}

/* ALSA reports every playback underrun and every probe that failed on
 * stderr by itself; the kiosk counts them instead (PortAudio's ALSA host
 * reads them as stream status, which is what matters). */
static atomic_ulong alsa_msgs;
static void alsa_quiet(const char *file, int line, const char *fn, int err, const char *fmt, ...)
{
    (void)file; (void)line; (void)fn; (void)err; (void)fmt;
    atomic_fetch_add_explicit(&alsa_msgs, 1, memory_order_relaxed);
}

static int pa_up(char *err, size_t errlen)
{
    snd_lib_error_set_handler(alsa_quiet);
    setenv("JACK_NO_START_SERVER", "1", 0);
    int q = quiet_begin();
    PaError e = Pa_Initialize();
    quiet_end(q);
    if (e != paNoError) {
        snprintf(err, errlen, "audio: PortAudio did not start (%s); is the sound system running?",
                 Pa_GetErrorText(e));
        return -1;
    }
    pa_users++;
    return 0;
}

static void pa_down(void)
{
    if (!pa_users) return;
    int q = quiet_begin();
    Pa_Terminate();
    quiet_end(q);
    pa_users--;
}

int device_list(FILE *out, char *err, size_t errlen)
{
    if (pa_up(err, errlen) < 0) return -1;
    int n = Pa_GetDeviceCount();
    if (n < 0) {
        snprintf(err, errlen, "audio: cannot list devices (%s)", Pa_GetErrorText(n));
        pa_down();
        return -1;
    }
    PaDeviceIndex din = Pa_GetDefaultInputDevice(), dout = Pa_GetDefaultOutputDevice();
    fprintf(out, "%-5s %-4s %-4s %-7s %s\n", "index", "in", "out", "rate", "name");
    for (int i = 0; i < n; i++) {
        const PaDeviceInfo *d = Pa_GetDeviceInfo(i);
        if (!d) continue;
        fprintf(out, "%-5d %-4d %-4d %-7.0f %s%s%s\n", i, d->maxInputChannels, d->maxOutputChannels,
                d->defaultSampleRate, d->name, i == din ? "  (default input)" : "",
                i == dout ? "  (default output)" : "");
    }
    if (n == 0) fprintf(out, "(no audio devices: the kiosk cannot listen; try `make demo`)\n");
    pa_down();
    return 0;
}

static int ci_contains(const char *hay, const char *needle)
{
    size_t nl = strlen(needle);
    for (; *hay; hay++) {
        size_t i = 0;
        while (i < nl && hay[i] && tolower((unsigned char)hay[i]) == tolower((unsigned char)needle[i])) i++;
        if (i == nl) return 1;
    }
    return 0;
}

/* The device a name, an index or NULL (default) means, with the channels the
 * direction needs; paNoDevice with err filled when there is none (naming the
 * option flag: "input", "output", "crew-audio"). */
static PaDeviceIndex find_device(const char *spec, int input, const char *flag, char *err, size_t errlen)
{
    const char *dir = input ? "input" : "output";
    int n = Pa_GetDeviceCount();
    if (!spec || !*spec || !strcmp(spec, "default")) {
        PaDeviceIndex i = input ? Pa_GetDefaultInputDevice() : Pa_GetDefaultOutputDevice();
        if (i == paNoDevice || n <= 0)
            snprintf(err, errlen, "audio: no %s device found; plug one in, or pass --%s (see "
                                  "`kiosk devices`)", dir, flag);
        return n <= 0 ? paNoDevice : i;
    }
    char *end;
    long idx = strtol(spec, &end, 10);
    if (*spec && !*end) {
        const PaDeviceInfo *d = idx >= 0 && idx < n ? Pa_GetDeviceInfo((PaDeviceIndex)idx) : NULL;
        if (!d || (input ? d->maxInputChannels : d->maxOutputChannels) < 1) {
            snprintf(err, errlen, "audio: --%s %s: no %s device with that index; `kiosk devices` "
                                  "lists them", flag, spec, dir);
            return paNoDevice;
        }
        return (PaDeviceIndex)idx;
    }
    PaDeviceIndex part = paNoDevice;
    for (int i = 0; i < n; i++) {
        const PaDeviceInfo *d = Pa_GetDeviceInfo(i);
        if (!d || (input ? d->maxInputChannels : d->maxOutputChannels) < 1) continue;
        if (!strcmp(d->name, spec)) return i;
        if (part == paNoDevice && ci_contains(d->name, spec)) part = i;
    }
    if (part == paNoDevice)
        snprintf(err, errlen, "audio: --%s \"%s\": no %s device by that name; `kiosk devices` "
                              "lists them", flag, spec, dir);
    return part;
}

/* An output callback's part common to the loudspeaker and the headset: count
 * an underflow, drop what is queued when hushed, play the ring, silence after. */
static void play_ring(ring_t *ring, atomic_int *hush, atomic_ulong *underflows,
                      PaStreamCallbackFlags flags, void *output, unsigned long frames)
{
    float *o = output;
    if (flags & paOutputUnderflow) atomic_fetch_add_explicit(underflows, 1, memory_order_relaxed);
    if (atomic_exchange_explicit(hush, 0, memory_order_acq_rel)) ring_clear(ring);
    size_t got = ring_read(ring, o, frames);
    memset(o + got, 0, (frames - got) * sizeof *o);
}

static int in_cb(const void *input, void *output, unsigned long frames,
                 const PaStreamCallbackTimeInfo *ti, PaStreamCallbackFlags flags, void *user)
{
    (void)output;
    (void)ti;
    device_t *d = user;
    if (flags & paInputOverflow) atomic_fetch_add_explicit(&d->overflows, 1, memory_order_relaxed);
    size_t n = frames * (size_t)d->in_ch;
    if (input) ring_write(&d->in_ring, input, n);
    else ring_write_zeros(&d->in_ring, n);
    atomic_fetch_add_explicit(&d->in_frames, frames, memory_order_relaxed);
    uint64_t one = 1;
    if (write(d->wake_fd, &one, sizeof one) < 0) {
        /* the counter is full (nobody reads): the loop is woken already */
    }
    return paContinue;
}

static int out_cb(const void *input, void *output, unsigned long frames,
                  const PaStreamCallbackTimeInfo *ti, PaStreamCallbackFlags flags, void *user)
{
    (void)input;
    (void)ti;
    device_t *d = user;
    play_ring(&d->out_ring, &d->hush, &d->underflows, flags, output, frames);
    ring_write(&d->ref_ring, output, frames);   /* the echo canceller's reference */
    return paContinue;
}

static int open_input(device_t *d, PaDeviceIndex i, char *err, size_t errlen)
{
    const PaDeviceInfo *info = Pa_GetDeviceInfo(i);
    d->in_rate = (int)(info->defaultSampleRate + 0.5);
    PaError e = paNoError;
    /* Mono where the device offers it, else its first two channels, mixed later. */
    for (int ch = 1; ch <= 2 && ch <= info->maxInputChannels; ch++) {
        PaStreamParameters p = { i, ch, paFloat32, info->defaultLowInputLatency, NULL };
        d->in_ch = ch;
        int q = quiet_begin();
        e = Pa_OpenStream(&d->in, &p, NULL, d->in_rate, (unsigned long)(d->in_rate / 100),
                          paNoFlag, in_cb, d);
        quiet_end(q);
        if (e == paNoError) break;
        d->in = NULL;
    }
    if (e != paNoError || !d->in) {
        snprintf(err, errlen, "audio: cannot open input \"%s\" (%s); check it is not in use, or "
                              "pick another with --input (see `kiosk devices`)",
                 info->name, Pa_GetErrorText(e));
        return -1;
    }
    if (ring_init(&d->in_ring, (size_t)d->in_rate * (size_t)d->in_ch * 4) < 0) {
        snprintf(err, errlen, "audio: out of memory");
        return -1;
    }
    int rerr = 0;
    d->in_rs = speex_resampler_init(1, (spx_uint32_t)d->in_rate, RATE, 5, &rerr);
    if (!d->in_rs) {
        snprintf(err, errlen, "audio: input \"%s\" at %d Hz: cannot convert to 16 kHz (%s)",
                 info->name, d->in_rate, speex_resampler_strerror(rerr));
        return -1;
    }
    return 0;
}

static int open_output(device_t *d, PaDeviceIndex i, char *err, size_t errlen)
{
    const PaDeviceInfo *info = Pa_GetDeviceInfo(i);
    d->out_rate = (int)(info->defaultSampleRate + 0.5);
    /* At least OUT_LATENCY_S: below it PulseAudio's ALSA plugin underran
     * whenever both cores were busy (decoding and synthesising), and every
     * underrun moves the echo (src/DECISIONS.md, 2026-12-07). */
    double lat = info->defaultLowOutputLatency > OUT_LATENCY_S ? info->defaultLowOutputLatency : OUT_LATENCY_S;
    PaStreamParameters p = { i, 1, paFloat32, lat, NULL };
    int q = quiet_begin();
    PaError e = Pa_OpenStream(&d->out, NULL, &p, d->out_rate, paFramesPerBufferUnspecified,
                              paNoFlag, out_cb, d);
    quiet_end(q);
    if (e != paNoError) {
        d->out = NULL;
        snprintf(err, errlen, "audio: cannot open output \"%s\" (%s); pick another with --output "
                              "(see `kiosk devices`) or --output none", info->name, Pa_GetErrorText(e));
        return -1;
    }
    if (ring_init(&d->out_ring, (size_t)d->out_rate * 60) < 0 ||
        ring_init(&d->ref_ring, (size_t)d->out_rate * 4) < 0) {
        snprintf(err, errlen, "audio: out of memory");
        return -1;
    }
    int rerr = 0;
    char why[128] = "";
    d->out_rs = speex_resampler_init(1, RATE, (spx_uint32_t)d->out_rate, 5, &rerr);
    if (!d->out_rs) snprintf(why, sizeof why, "%s", speex_resampler_strerror(rerr));
    if (!d->out_rs || resample_init(&d->ref_rs, d->out_rate, RATE, 5, why, sizeof why) < 0) {
        snprintf(err, errlen, "audio: output \"%s\" at %d Hz: cannot convert from 16 kHz (%s)",
                 info->name, d->out_rate, why);
        return -1;
    }
    return 0;
}

static void realtime(PaStream *s, PaDeviceIndex dev)
{
    const PaDeviceInfo *info = Pa_GetDeviceInfo(dev);
    const PaHostApiInfo *host = info ? Pa_GetHostApiInfo(info->hostApi) : NULL;
    if (host && host->type == paALSA) PaAlsa_EnableRealtimeScheduling(s, 1);
}

device_t *device_open(const char *input, const char *output, char *err, size_t errlen)
{
    if (mic_open) {
        snprintf(err, errlen, "audio: a device is already open");
        return NULL;
    }
    if (pa_up(err, errlen) < 0) return NULL;
    device_t *d = calloc(1, sizeof *d);
    if (!d) {
        pa_down();
        snprintf(err, errlen, "audio: out of memory");
        return NULL;
    }
    mic_open = 1;
    atomic_init(&d->in_frames, 0);
    atomic_init(&d->overflows, 0);
    atomic_init(&d->hush, 0);
    atomic_init(&d->underflows, 0);
    d->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (d->wake_fd < 0) {
        snprintf(err, errlen, "audio: cannot make an eventfd: %s", strerror(errno));
        goto fail;
    }
    PaDeviceIndex in = find_device(input, 1, "input", err, errlen);
    if (in == paNoDevice || open_input(d, in, err, errlen) < 0) goto fail;
    int speak = !(output && !strcmp(output, "none"));
    PaDeviceIndex out = paNoDevice;
    if (speak) {
        out = find_device(output, 0, "output", err, errlen);
        if (out == paNoDevice || open_output(d, out, err, errlen) < 0) goto fail;
    }
    /* The callbacks only copy samples: safe to run ahead of everything else.
     * A loudspeaker that underruns while both cores decode and synthesise
     * moves its echo, and the canceller must find it again (src/DECISIONS.md,
     * 2026-12-07).  Without the right to real-time priority this does nothing. */
    realtime(d->in, in);
    if (d->out) realtime(d->out, out);
    PaError e = Pa_StartStream(d->in);
    if (e == paNoError && d->out) e = Pa_StartStream(d->out);
    if (e != paNoError) {
        snprintf(err, errlen, "audio: cannot start \"%s\" (%s)", Pa_GetDeviceInfo(in)->name,
                 Pa_GetErrorText(e));
        goto fail;
    }
    d->seen_at = mono_now();
    snprintf(d->describe, sizeof d->describe, "capture \"%s\" %d Hz %d ch; playback %s%s%s",
             Pa_GetDeviceInfo(in)->name, d->in_rate, d->in_ch, d->out ? "\"" : "none",
             d->out ? Pa_GetDeviceInfo(out)->name : "", d->out ? "\"" : "");
    if (d->out)
        snprintf(d->describe + strlen(d->describe), sizeof d->describe - strlen(d->describe),
                 " %d Hz", d->out_rate);
    return d;
fail:
    device_close(d);
    return NULL;
}

void device_close(device_t *d)
{
    if (!d) return;
    int q = quiet_begin();
    if (d->in) Pa_CloseStream(d->in);
    if (d->out) Pa_CloseStream(d->out);
    quiet_end(q);
    pa_down();
    mic_open = 0;
    if (d->in_rs) speex_resampler_destroy(d->in_rs);
    if (d->out_rs) speex_resampler_destroy(d->out_rs);
    resample_free(&d->ref_rs);
    ring_free(&d->in_ring);
    ring_free(&d->out_ring);
    ring_free(&d->ref_ring);
    free(d->ref16);
    if (d->wake_fd >= 0) close(d->wake_fd);
    free(d);
}

int device_wake_fd(const device_t *d)
{
    return d->wake_fd;
}

static int16_t to_s16(float x)
{
    x *= 32768.0f;
    if (x > 32767.0f) return 32767;
    if (x < -32768.0f) return -32768;
    return (int16_t)(x < 0 ? x - 0.5f : x + 0.5f);
}

size_t device_read(device_t *d, int16_t *out, size_t max)
{
    float raw[2048], mono[1024], conv[1024];
    size_t done = 0;
    while (done < max) {
        /* Enough input that the converted output still fits in what is left. */
        size_t want_frames = (max - done) * (size_t)d->in_rate / RATE;
        if (want_frames > 1024) want_frames = 1024;
        if (want_frames == 0) break;
        size_t got = ring_read(&d->in_ring, raw, want_frames * (size_t)d->in_ch) / (size_t)d->in_ch;
        if (!got) break;
        for (size_t i = 0; i < got; i++)
            mono[i] = d->in_ch == 1 ? raw[i] : 0.5f * (raw[2 * i] + raw[2 * i + 1]);
        spx_uint32_t in_len = (spx_uint32_t)got, out_len = (spx_uint32_t)(max - done < 1024 ? max - done : 1024);
        speex_resampler_process_float(d->in_rs, 0, mono, &in_len, conv, &out_len);
        for (spx_uint32_t i = 0; i < out_len; i++) out[done + i] = to_s16(conv[i]);
        done += out_len;
    }
    return done;
}

/* The loudspeaker's samples since the last call, at 16 kHz, appended to
 * d->ref16 (the oldest dropped beyond PAIR_CAP). */
static void drain_ref(device_t *d)
{
    float raw[1024], conv[4096];   /* (room for an output rate down to 4 kHz) */
    size_t got;
    while ((got = ring_read(&d->ref_ring, raw, 1024)) > 0) {
        size_t out_len = resample_run(&d->ref_rs, raw, got, conv, sizeof conv / sizeof conv[0]);
        for (size_t i = 0; i < out_len; i++) {
            if (d->ref16_n == PAIR_CAP) {   /* nobody paired these: the microphone stalled */
                memmove(d->ref16, d->ref16 + PAIR_CAP / 2, PAIR_CAP / 2 * sizeof *d->ref16);
                d->ref16_n -= PAIR_CAP / 2;
                d->ref_base += PAIR_CAP / 2;
            }
            d->ref16[d->ref16_n++] = to_s16(conv[i]);
        }
        d->ref_total += out_len;
    }
}

/* Pairing by time of arrival: at each read, everything the output callback
 * has written and everything the input callback has delivered are both "up
 * to now", so ref_total - mic_total is where the loudspeaker was when the
 * microphone's newest sample came in.  Both callbacks run in bursts, so that
 * offset jitters by a burst; its smallest value over PAIR_WINDOW reads is
 * the one where the loudspeaker's sample was surely written before the
 * microphone's arrived: its echo can only come later, and the canceller
 * finds how much later.  The offset is held, so the echo's delay stays put,
 * until the smallest value moves by more than PAIR_SLIP (an output underrun:
 * the loudspeaker played silence nobody wrote); then it is moved and counted. */
static void track_offset(device_t *d)
{
    long long off = d->ref_total - d->mic_total;
    if (d->offset_set && off < d->offset - PAIR_SLIP) {
        /* below the floor at once: the loudspeaker fell behind (jitter only
         * ever lifts the offset above its floor), no need to wait a window */
        d->offset = off;
        d->realigns++;
        d->win_n = 0;
        return;
    }
    if (d->win_n == 0 || off < d->win_min) d->win_min = off;
    if (++d->win_n < PAIR_WINDOW) return;
    if (!d->offset_set) {
        d->offset = d->win_min;
        d->offset_set = 1;
    } else if (llabs(d->win_min - d->offset) > PAIR_SLIP) {
        d->offset = d->win_min;
        d->realigns++;
    }
    d->win_n = 0;
}

size_t device_read_pair(device_t *d, int16_t *mic, int16_t *ref, size_t max)
{
    if (!d->ref16 && !(d->ref16 = malloc(PAIR_CAP * sizeof *d->ref16))) return 0;
    size_t n = device_read(d, mic, max);
    if (!d->out || !n) {
        memset(ref, 0, n * sizeof *ref);
        d->mic_total += (long long)n;
        return n;
    }
    drain_ref(d);
    d->mic_total += (long long)n;
    track_offset(d);
    /* microphone sample i (counted from open) goes with the loudspeaker's i + offset */
    long long first = d->mic_total - (long long)n + d->offset;
    for (size_t i = 0; i < n; i++) {
        long long j = first + (long long)i - d->ref_base;
        ref[i] = d->offset_set && j >= 0 && j < (long long)d->ref16_n ? d->ref16[j] : 0;
    }
    /* what no later microphone sample can pair with goes */
    long long keep_from = first + (long long)n - d->ref_base - PAIR_SLIP * 4;
    if (keep_from > 0) {
        size_t k = keep_from > (long long)d->ref16_n ? d->ref16_n : (size_t)keep_from;
        memmove(d->ref16, d->ref16 + k, (d->ref16_n - k) * sizeof *d->ref16);
        d->ref16_n -= k;
        d->ref_base += (long long)k;
    }
    return n;
}

int device_paired(const device_t *d)
{
    return !d->out || d->offset_set;
}

unsigned long device_realigns(const device_t *d)
{
    return d->realigns;
}

unsigned long device_underflows(const device_t *d)
{
    return atomic_load_explicit(&d->underflows, memory_order_relaxed);
}

int device_play(device_t *d, const int16_t *pcm, size_t n, char *err, size_t errlen)
{
    if (!d->out) {
        snprintf(err, errlen, "audio: no output device open");
        return -1;
    }
    float in[512], conv[4096];
    for (size_t at = 0; at < n;) {
        size_t k = n - at < 512 ? n - at : 512;
        for (size_t i = 0; i < k; i++) in[i] = pcm[at + i] / 32768.0f;
        spx_uint32_t in_len = (spx_uint32_t)k, out_len = 4096;
        speex_resampler_process_float(d->out_rs, 0, in, &in_len, conv, &out_len);
        if (ring_write(&d->out_ring, conv, out_len) < out_len) {
            snprintf(err, errlen, "audio: the loudspeaker queue is full (over a minute of speech)");
            return -1;
        }
        at += in_len;
    }
    return 0;
}

double device_playing(device_t *d)
{
    return d->out ? (double)ring_used(&d->out_ring) / d->out_rate : 0;
}

void device_hush(device_t *d)
{
    /* The output callback is the ring's only reader: it drops the queue. */
    if (d->out) atomic_store_explicit(&d->hush, 1, memory_order_release);
}

int device_alive(device_t *d)
{
    if (!d || !d->in) return 0;
    double now = mono_now();
    unsigned long f = atomic_load_explicit(&d->in_frames, memory_order_relaxed);
    if (f != d->seen_frames) {
        d->seen_frames = f;
        d->seen_at = now;
    }
    if (Pa_IsStreamActive(d->in) != 1) return 0;
    return now - d->seen_at < (f ? STALL_SECONDS : STARTUP_SECONDS);
}

int device_started(const device_t *d)
{
    return d && atomic_load_explicit(&d->in_frames, memory_order_relaxed) > 0;
}

unsigned long device_overruns(const device_t *d)
{
    return atomic_load(&d->in_ring.dropped) + atomic_load(&d->overflows);
}

const char *device_describe(const device_t *d) { return d->describe; }

/* ---- a second output, alone (device_out_t) ----------------------------------
 * The same path as the loudspeaker's (a ring the callback drains, silence
 * when empty, speexdsp to the device's rate) without the pairing: nothing
 * here is the echo canceller's reference. */

struct device_out_s {
    PaStream *s;
    int rate;
    ring_t ring;
    atomic_int hush;
    atomic_ulong underflows;
    /* the callback's last run (CLOCK_MONOTONIC, ns; 0 before the first): the
     * output is only looked at when a page comes, maybe hours apart, so it
     * keeps its own time rather than a count the caller would compare */
    atomic_llong last_ns;
    SpeexResamplerState *rs;
    double opened;
    char describe[300];
};

static int alone_cb(const void *input, void *output, unsigned long frames,
                    const PaStreamCallbackTimeInfo *ti, PaStreamCallbackFlags flags, void *user)
{
    (void)input;
    (void)ti;
    device_out_t *o = user;
    play_ring(&o->ring, &o->hush, &o->underflows, flags, output, frames);
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);   /* the vDSO's: no system call, no lock */
    atomic_store_explicit(&o->last_ns, (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec, memory_order_relaxed);
    return paContinue;
}

device_out_t *device_out_open(const char *spec, const char *flag, char *err, size_t errlen)
{
    if (pa_up(err, errlen) < 0) return NULL;
    device_out_t *o = calloc(1, sizeof *o);
    if (!o) {
        pa_down();
        snprintf(err, errlen, "audio: out of memory");
        return NULL;
    }
    atomic_init(&o->hush, 0);
    atomic_init(&o->last_ns, 0);
    atomic_init(&o->underflows, 0);
    PaDeviceIndex i = find_device(spec, 0, flag, err, errlen);
    if (i == paNoDevice) goto fail;
    const PaDeviceInfo *info = Pa_GetDeviceInfo(i);
    o->rate = (int)(info->defaultSampleRate + 0.5);
    /* Nobody answers back through it: a roomy buffer costs nothing and keeps
     * it from underrunning while both cores decode and synthesise. */
    double lat = info->defaultHighOutputLatency > 2 * OUT_LATENCY_S ? info->defaultHighOutputLatency
                                                                     : 2 * OUT_LATENCY_S;
    /* the ring before the stream: its callback reads it from the start */
    int rerr = 0;
    if (ring_init(&o->ring, (size_t)o->rate * 30) < 0 ||
        !(o->rs = speex_resampler_init(1, RATE, (spx_uint32_t)o->rate, 5, &rerr))) {
        snprintf(err, errlen, "audio: --%s \"%s\" at %d Hz: cannot play there", flag, info->name, o->rate);
        goto fail;
    }
    PaStreamParameters p = { i, 1, paFloat32, lat, NULL };
    int q = quiet_begin();
    PaError e = Pa_OpenStream(&o->s, NULL, &p, o->rate, paFramesPerBufferUnspecified, paNoFlag, alone_cb, o);
    if (e == paNoError) e = Pa_StartStream(o->s);
    quiet_end(q);
    if (e != paNoError) {
        snprintf(err, errlen, "audio: --%s: cannot open output \"%s\" (%s); pick another (see `kiosk devices`)",
                 flag, info->name, Pa_GetErrorText(e));
        goto fail;
    }
    o->opened = mono_now();
    snprintf(o->describe, sizeof o->describe, "\"%s\" %d Hz", info->name, o->rate);
    return o;
fail:
    device_out_close(o);
    return NULL;
}

void device_out_close(device_out_t *o)
{
    if (!o) return;
    int q = quiet_begin();
    if (o->s) Pa_CloseStream(o->s);
    quiet_end(q);
    pa_down();
    if (o->rs) speex_resampler_destroy(o->rs);
    ring_free(&o->ring);
    free(o);
}

int device_out_rate(const device_out_t *o) { return o->rate; }
const char *device_out_describe(const device_out_t *o) { return o->describe; }

int device_out_write(device_out_t *o, const float *x, size_t n, char *err, size_t errlen)
{
    if (ring_write(&o->ring, x, n) < n) {
        snprintf(err, errlen, "audio: the %s queue is full (over 30 s of sound)", o->describe);
        return -1;
    }
    return 0;
}

int device_out_play(device_out_t *o, const int16_t *pcm, size_t n, char *err, size_t errlen)
{
    float in[512], conv[4096];
    for (size_t at = 0; at < n;) {
        size_t k = n - at < 512 ? n - at : 512;
        for (size_t i = 0; i < k; i++) in[i] = pcm[at + i] / 32768.0f;
        spx_uint32_t in_len = (spx_uint32_t)k, out_len = 4096;
        speex_resampler_process_float(o->rs, 0, in, &in_len, conv, &out_len);
        if (device_out_write(o, conv, out_len, err, errlen) < 0) return -1;
        at += in_len;
    }
    return 0;
}

double device_out_playing(device_out_t *o)
{
    return (double)ring_used(&o->ring) / o->rate;
}

void device_out_hush(device_out_t *o)
{
    atomic_store_explicit(&o->hush, 1, memory_order_release);
}

int device_out_alive(device_out_t *o)
{
    if (Pa_IsStreamActive(o->s) != 1) return 0;
    long long last = atomic_load_explicit(&o->last_ns, memory_order_relaxed);
    double now = mono_now();
    return last ? now - last / 1e9 < STALL_SECONDS : now - o->opened < STARTUP_SECONDS;
}

unsigned long device_out_underflows(const device_out_t *o)
{
    return atomic_load_explicit(&o->underflows, memory_order_relaxed);
}
