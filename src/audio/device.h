/* device.h: the PortAudio adapter: the kiosk's microphone and loudspeaker.
 *
 * Capture: the stream's callback only copies the device's samples into a
 * lock-free ring (ring.h); device_read() drains it on the event loop's
 * thread, mixes to mono and converts the device's native rate to 16 kHz with
 * speexdsp.  Playback: device_play() converts 16 kHz speech to the output's
 * rate and queues it in a second ring that the output callback drains,
 * playing silence when it is empty.
 *
 * PortAudio is global, so there is one device_t at a time; a device_out_t
 * (an output alone: the crew's headset) may be open beside it. */
#ifndef KIOSK_DEVICE_H
#define KIOSK_DEVICE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct device_s device_t;

/* Prints the input and output devices, one a line: index, in/out channels,
 * default rate, name, and which are the defaults.  0, or -1 with err. */
int device_list(FILE *out, char *err, size_t errlen);

/* Opens capture on input and, unless output is "none", playback on output.
 * Each is NULL (the default device), a device index ("3") or a name or
 * part of one ("pulse").  NULL with a one-line message naming the device and
 * what to do. */
device_t *device_open(const char *input, const char *output, char *err, size_t errlen);
void device_close(device_t *d);

/* Up to max samples of 16 kHz mono captured audio; 0 when none is waiting. */
size_t device_read(device_t *d, int16_t *out, size_t max);

/* The same, each microphone sample paired with a loudspeaker sample written
 * no later than the microphone's arrived, at a held offset (the echo
 * canceller's reference: its echo comes later, by the device's latencies
 * and the air; silence when nothing plays or there is no output).  Up to max
 * of each; the same count in both. */
size_t device_read_pair(device_t *d, int16_t *mic, int16_t *ref, size_t max);
/* 1 once the pairing's offset is known (half a second or so after open; at
 * once without an output): before, the reference is silence whatever plays. */
int device_paired(const device_t *d);
/* Times the pairing had to move (the loudspeaker's stream slipped against
 * the microphone's: the echo canceller must find the delay again), and the
 * output's underflows, since open. */
unsigned long device_realigns(const device_t *d);
unsigned long device_underflows(const device_t *d);

/* Queues 16 kHz mono speech for the loudspeaker; returns at once.  0, or -1
 * (err) when there is no output or the queue is full. */
int device_play(device_t *d, const int16_t *pcm, size_t n, char *err, size_t errlen);
/* Seconds of queued speech still to play (0 when quiet). */
double device_playing(device_t *d);
/* Drops the speech still queued (the crew took over). */
void device_hush(device_t *d);

/* 1 while capture works; 0 once the device has stopped or gone away
 * (PortAudio stopped the stream, or no samples for a second). */
int device_alive(device_t *d);
/* 1 once the microphone has delivered its first samples (some devices take
 * a second or two after opening). */
int device_started(const device_t *d);
/* Samples lost because the event loop fell behind (overruns), and the
 * device's own overflow reports, since open. */
unsigned long device_overruns(const device_t *d);
/* What is open, for the log: "capture \"pulse\" 44100 Hz 1 ch, playback ...". */
const char *device_describe(const device_t *d);
/* Readable when captured samples arrived: an eventfd for the event loop to
 * watch; read its 8 bytes, then device_read() what is there. */
int device_wake_fd(const device_t *d);

/* ---- an output alone: the crew's headset base (kiosk run --crew-audio) ----
 * A second playback stream, apart from the device_t's loudspeaker: what it
 * plays is nobody's echo reference, and nothing it does waits on or delays
 * the loudspeaker (its own ring and callback, silence when it is empty).
 * Its calls are for the event loop's thread. */
typedef struct device_out_s device_out_t;

/* Opens and starts output spec (a device index or (part of) a name, as
 * --output takes); flag names the option in messages ("crew-audio").  NULL
 * with a one-line message naming the device and what to do. */
device_out_t *device_out_open(const char *spec, const char *flag, char *err, size_t errlen);
void device_out_close(device_out_t *o);
int device_out_rate(const device_out_t *o);           /* the device's own, Hz */
const char *device_out_describe(const device_out_t *o);   /* "\"headset\" 44100 Hz" */
/* Queues samples at the device's rate (device_out_rate), mono. */
int device_out_write(device_out_t *o, const float *x, size_t n, char *err, size_t errlen);
/* Queues 16 kHz mono speech (converted to the device's rate). */
int device_out_play(device_out_t *o, const int16_t *pcm, size_t n, char *err, size_t errlen);
double device_out_playing(device_out_t *o);   /* seconds still queued */
void device_out_hush(device_out_t *o);        /* drops what is queued */
/* 1 while the stream plays; 0 once PortAudio stopped it or its callback has
 * not run for a second (the device went away). */
int device_out_alive(device_out_t *o);
unsigned long device_out_underflows(const device_out_t *o);

#endif
