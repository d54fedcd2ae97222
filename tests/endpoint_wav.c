/* endpoint_wav.c: the endpointer (src/audio/endpoint.c) over a WAV file, for
 * measuring it on real speech and noise.
 *
 * Reads the file with wav_read (any rate/channels -> 16 kHz mono), feeds it
 * frame by frame as the live loop would (a last partial frame is padded with
 * zeros), calls endpoint_reset after EP_END/EP_CUT as the live loop does, and
 * prints one line an event: the time it happens in ms, and its name:
 *     1100 onset
 *     1600 pause
 *     ...
 * With -v the onset line also gives where the turn's audio starts, the end
 * and cut lines the turn's span, and every line the noise floor (dBFS); a
 * last line says whether a turn was still open at the end of the file.
 *
 * Usage: endpoint_wav [-v] [-r preroll_ms] [-t trailing_ms] [-p pause_ms]
 *                     [-m max_turn_ms] FILE.wav
 * Exits 0, or 1 when the file cannot be read, 2 on bad usage. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../src/audio/endpoint.h"
#include "../src/audio/wav.h"

static const char *event_name(ep_event_t ev)
{
    switch (ev) {
    case EP_ONSET: return "onset";
    case EP_PAUSE: return "pause";
    case EP_RESUME: return "resume";
    case EP_END: return "end";
    case EP_CUT: return "cut";
    case EP_NONE: break;
    }
    return "none";
}

static void usage(void)
{
    fprintf(stderr, "usage: endpoint_wav [-v] [-r preroll_ms] [-t trailing_ms] [-p pause_ms] "
                    "[-m max_turn_ms] FILE.wav\n");
}

int main(int argc, char **argv)
{
    endpoint_config_t cfg;
    endpoint_defaults(&cfg);
    int verbose = 0, opt;
    while ((opt = getopt(argc, argv, "vr:t:p:m:")) != -1) {
        switch (opt) {
        case 'v': verbose = 1; break;
        case 'r': cfg.preroll_ms = atoi(optarg); break;
        case 't': cfg.trailing_ms = atoi(optarg); break;
        case 'p': cfg.pause_ms = atoi(optarg); break;
        case 'm': cfg.max_turn_ms = atoi(optarg); break;
        default: usage(); return 2;
        }
    }
    if (optind != argc - 1) {
        usage();
        return 2;
    }
    endpoint_t *ep = endpoint_create(&cfg);
    if (!ep) {
        fprintf(stderr, "endpoint_wav: configuration out of range\n");
        return 2;
    }
    int16_t *pcm;
    size_t n;
    char err[512];
    if (wav_read(argv[optind], &pcm, &n, err, sizeof err) < 0) {
        fprintf(stderr, "%s\n", err);
        endpoint_free(ep);
        return 1;
    }
    long ms = 0;
    for (size_t at = 0; at < n; at += EP_FRAME) {
        int16_t frame[EP_FRAME] = {0};
        size_t k = n - at < EP_FRAME ? n - at : EP_FRAME;
        memcpy(frame, pcm + at, k * sizeof *frame);
        ep_event_t ev = endpoint_feed(ep, frame);
        ms += EP_FRAME * 1000 / AUDIO_RATE;
        if (ev == EP_NONE) continue;
        printf("%ld %s", ms, event_name(ev));
        if (verbose) {
            size_t len;
            endpoint_turn(ep, &len);
            long turn_ms = (long)(len * 1000 / AUDIO_RATE);
            if (ev == EP_ONSET || ev == EP_END || ev == EP_CUT)
                printf("  turn %ld..%ld ms (%ld ms)", ms - turn_ms, ms, turn_ms);
            printf("  floor %.1f dBFS", endpoint_noise_db(ep));
        }
        printf("\n");
        if (ev == EP_END || ev == EP_CUT) endpoint_reset(ep);
    }
    if (verbose)
        printf("%ld eof%s  floor %.1f dBFS\n", ms, endpoint_in_turn(ep) ? " (turn open)" : "",
               endpoint_noise_db(ep));
    free(pcm);
    endpoint_free(ep);
    return 0;
}
