/* The idle-CPU peer for `make bench` (tests/bench_live.sh): plain PortAudio,
 * the kiosk's streams and nothing else.  It opens the default input and
 * output as src/audio/device.c does (float mono, the devices' own rates, the
 * input in 10 ms callbacks, the output's buffer at least 50 ms), plays
 * silence, and hands the microphone's samples to the main thread through an
 * eventfd, which reads and drops them.  What the kiosk spends beyond this
 * when nobody is there is its own (the canceller, resampling, endpointing).
 *
 *   build/pa_idle SECONDS      runs that long, then exits 0 */
#include <errno.h>
#include <poll.h>
#include <portaudio.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

static int wake_fd = -1;

static int in_cb(const void *input, void *output, unsigned long frames,
                 const PaStreamCallbackTimeInfo *ti, PaStreamCallbackFlags flags, void *user)
{
    (void)input, (void)output, (void)frames, (void)ti, (void)flags, (void)user;
    uint64_t one = 1;
    if (write(wake_fd, &one, sizeof one) < 0) { /* full: the loop is awake already */ }
    return paContinue;
}

static int out_cb(const void *input, void *output, unsigned long frames,
                  const PaStreamCallbackTimeInfo *ti, PaStreamCallbackFlags flags, void *user)
{
    (void)input, (void)ti, (void)flags, (void)user;
    memset(output, 0, frames * sizeof(float));
    return paContinue;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    double secs = argc > 1 ? atof(argv[1]) : 0;
    if (secs <= 0) {
        fprintf(stderr, "usage: pa_idle SECONDS\n");
        return 2;
    }
    wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (wake_fd < 0 || Pa_Initialize() != paNoError) {
        fprintf(stderr, "pa_idle: cannot start PortAudio (%s)\n", strerror(errno));
        return 1;
    }
    PaDeviceIndex ii = Pa_GetDefaultInputDevice(), oi = Pa_GetDefaultOutputDevice();
    if (ii == paNoDevice || oi == paNoDevice) {
        fprintf(stderr, "pa_idle: no default input or output device\n");
        return 1;
    }
    const PaDeviceInfo *in = Pa_GetDeviceInfo(ii), *out = Pa_GetDeviceInfo(oi);
    double olat = out->defaultLowOutputLatency > 0.05 ? out->defaultLowOutputLatency : 0.05;
    PaStreamParameters ip = { ii, 1, paFloat32, in->defaultLowInputLatency, NULL };
    PaStreamParameters op = { oi, 1, paFloat32, olat, NULL };
    PaStream *is = NULL, *os = NULL;
    PaError e = Pa_OpenStream(&is, &ip, NULL, in->defaultSampleRate,
                              (unsigned long)(in->defaultSampleRate / 100), paNoFlag, in_cb, NULL);
    if (e == paNoError)
        e = Pa_OpenStream(&os, NULL, &op, out->defaultSampleRate, paFramesPerBufferUnspecified,
                          paNoFlag, out_cb, NULL);
    if (e == paNoError) e = Pa_StartStream(is);
    if (e == paNoError) e = Pa_StartStream(os);
    if (e != paNoError) {
        fprintf(stderr, "pa_idle: %s\n", Pa_GetErrorText(e));
        return 1;
    }
    double end = now() + secs;
    for (double t = now(); t < end; t = now()) {
        struct pollfd p = { wake_fd, POLLIN, 0 };
        if (poll(&p, 1, (int)((end - t) * 1000) + 1) > 0) {
            uint64_t n;
            if (read(wake_fd, &n, sizeof n) < 0) { /* spurious */ }
        }
    }
    Pa_StopStream(is);
    Pa_StopStream(os);
    Pa_CloseStream(is);
    Pa_CloseStream(os);
    Pa_Terminate();
    return 0;
}
