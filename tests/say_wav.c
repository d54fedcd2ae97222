/* say_wav.c: speaks a sentence with the kiosk's voice (src/voice/) into a
 * 16 kHz mono 16-bit WAV, for listening to prompts and for feeding the
 * kiosk's own voice back to `kiosk replay`.  Prints the synthesis time and
 * the audio length on stderr.
 *
 * Usage: say_wav [-v VOICE] [-s WPM] TEXT OUT.wav
 *   e.g. build/say_wav "two cheeseburgers and a large coke" /tmp/t.wav */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sndfile.h>

#include "../src/audio/wav.h"
#include "../src/voice/voice.h"

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int usage(void)
{
    fprintf(stderr, "usage: say_wav [-v VOICE] [-s WPM] TEXT OUT.wav\n");
    return 2;
}

int main(int argc, char **argv)
{
    const char *name = NULL;
    int wpm = 0, i = 1;
    for (; i + 1 < argc && argv[i][0] == '-' && argv[i][1] && !argv[i][2]; i += 2) {
        if (argv[i][1] == 'v') name = argv[i + 1];
        else if (argv[i][1] == 's') {
            char *end;
            long w = strtol(argv[i + 1], &end, 10);
            if (*end || end == argv[i + 1] || w < 0 || w > 10000) return usage();
            wpm = (int)w;
        } else return usage();
    }
    if (argc - i != 2) return usage();
    const char *text = argv[i], *out = argv[i + 1];

    char err[512];
    double t0 = now_ms();
    voice_t *v = voice_create(name, wpm, err, sizeof err);
    if (!v) {
        fprintf(stderr, "say_wav: %s\n", err);
        return 1;
    }
    double t1 = now_ms();
    int16_t *pcm;
    size_t n;
    if (voice_say(v, text, &pcm, &n, err, sizeof err) < 0) {
        fprintf(stderr, "say_wav: %s\n", err);
        voice_free(v);
        return 1;
    }
    double t2 = now_ms();
    voice_free(v);

    SF_INFO info;
    memset(&info, 0, sizeof info);
    info.samplerate = AUDIO_RATE;
    info.channels = 1;
    info.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
    SNDFILE *sf = sf_open(out, SFM_WRITE, &info);
    if (!sf) {
        fprintf(stderr, "say_wav: %s: cannot write (%s)\n", out, sf_strerror(NULL));
        free(pcm);
        return 1;
    }
    sf_count_t wrote = n ? sf_write_short(sf, pcm, (sf_count_t)n) : 0;
    int bad = wrote != (sf_count_t)n;
    if (bad) fprintf(stderr, "say_wav: %s: short write (%s)\n", out, sf_strerror(sf));
    if (sf_close(sf) != 0 && !bad) {
        fprintf(stderr, "say_wav: %s: cannot finish writing\n", out);
        bad = 1;
    }
    free(pcm);
    if (bad) return 1;
    fprintf(stderr, "say_wav: %s: %zu samples, %.2f s of audio; load %.0f ms, synthesis %.0f ms\n",
            out, n, (double)n / AUDIO_RATE, t1 - t0, t2 - t1);
    return 0;
}
