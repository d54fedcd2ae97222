/* aec_wav.c: the echo canceller (src/audio/aec.c) over two recordings, for
 * measuring it on the test rig's lanes: the microphone's and the
 * loudspeaker's (the reference) signals, started at the same moment.
 *
 * Reads both with wav_read (any rate/channels -> 16 kHz mono; the shorter is
 * padded with silence), feeds them 10 ms at a time as the live loop would,
 * optionally writes the cancelled microphone (AEC_LATENCY_MS late, as the
 * module gives it), and prints one line a measure:
 *     delay 120 ms (found at 1.48 s, re-aligned 0 times)
 *     erle 40.2 dB at the end, median 35.1 dB over the 16.8 s it was known
 *     near-end speech in 2.3 % of the 1928 frames with the kiosk's voice
 *     cpu 0.0055 s per second of audio (0.55 % of one core)
 * ERLE is the module's own figure (aec.h); "near-end speech" counts the
 * frames aec_near_speech() gives to the customer while the kiosk speaks
 * (on an echo-only recording, its false alarms).  The CPU time is the
 * process's, around aec_process alone.  With -v, one line a second: time,
 * delay, ERLE, mic/out/echo/floor levels.
 *
 * With -e, the live kiosk's endpointer on the output with its veto
 * (aec_only_echo): where turns would start and end, which start while
 * the kiosk's voice is in the air, and where the live kiosk's early
 * barge-in (5 of the last 8 frames with its voice in the air not vetoed,
 * outside a turn, 0.6 s apart: source_mic.c, aec_barge_frame), or else the
 * turn's onset over its voice, would stop a prompt.  -c: the veto as it was before 2026-12-08 (the canceller trusted
 * for 10 dB at most, aec_gate_t.cap_only); -b: the barge-in's frames as they
 * were before 2026-12-08 (any frame with the kiosk's voice in the air the veto
 * let through, the echo audible or not).
 *
 * With -f FROM-TO (seconds), every frame's figures in that stretch.
 *
 * Usage: aec_wav [-v] [-e [-c] [-b]] [-f FROM-TO] [-t tail_ms] [-d max_delay_ms] MIC.wav REF.wav [OUT.wav]
 * Exits 0, or 1 when a file cannot be read or written, 2 on bad usage. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../src/audio/aec.h"
#include "../src/audio/endpoint.h"
#include "../src/audio/wav.h"

static void usage(void)
{
    fprintf(stderr, "usage: aec_wav [-v] [-e [-c] [-b]] [-f FROM-TO] [-t tail_ms] [-d max_delay_ms] MIC.wav REF.wav [OUT.wav]\n");
}

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

static double cpu_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    aec_config_t cfg;
    aec_defaults(&cfg);
    int verbose = 0, turns = 0, opt;
    double show_from = 1e9, show_to = -1;
    int cap_only = 0, old_barge = 0;
    while ((opt = getopt(argc, argv, "vecbf:t:d:")) != -1) {
        switch (opt) {
        case 'f':
            if (sscanf(optarg, "%lf-%lf", &show_from, &show_to) != 2) {
                usage();
                return 2;
            }
            break;
        case 'v': verbose = 1; break;
        case 'e': turns = 1; break;
        case 'c': cap_only = 1; break;
        case 'b': old_barge = 1; break;
        case 't': cfg.tail_ms = atoi(optarg); break;
        case 'd': cfg.max_delay_ms = atoi(optarg); break;
        default: usage(); return 2;
        }
    }
    if (argc - optind < 2 || argc - optind > 3) {
        usage();
        return 2;
    }
    char err[512];
    aec_t *a = aec_create(&cfg, err, sizeof err);
    if (!a) {
        fprintf(stderr, "aec_wav: %s\n", err);
        return 2;
    }
    int16_t *mic = NULL, *ref = NULL, *out = NULL;
    endpoint_t *ep = NULL;
    double *erles = NULL;
    size_t nm, nr;
    int rc = 1;
    if (wav_read(argv[optind], &mic, &nm, err, sizeof err) < 0 ||
        wav_read(argv[optind + 1], &ref, &nr, err, sizeof err) < 0) {
        fprintf(stderr, "aec_wav: %s\n", err);
        goto done;
    }
    size_t frames = ((nm > nr ? nm : nr) + AEC_FRAME - 1) / AEC_FRAME;
    out = calloc(frames * AEC_FRAME, sizeof *out);
    if (!out) {
        fprintf(stderr, "aec_wav: out of memory\n");
        goto done;
    }
    double found_s = -1, cpu = 0;
    erles = malloc(frames * sizeof *erles);
    size_t n_erle = 0;
    unsigned long near = 0;
    aec_stats_t st;
    aec_gate_t gate = {.cap_only = cap_only};
    unsigned near_bits = 0;
    double barged = -1;
    int barges = 0;
    ep = endpoint_create(NULL);
    int onsets = 0, onsets_voice = 0, in_voice = 0;
    if (!erles || !ep) {
        fprintf(stderr, "aec_wav: out of memory\n");
        goto done;
    }
    for (size_t f = 0; f < frames; f++) {
        int16_t m[AEC_FRAME] = {0}, r[AEC_FRAME] = {0};
        size_t at = f * AEC_FRAME;
        if (at < nm) memcpy(m, mic + at, (nm - at < AEC_FRAME ? nm - at : AEC_FRAME) * sizeof *m);
        if (at < nr) memcpy(r, ref + at, (nr - at < AEC_FRAME ? nr - at : AEC_FRAME) * sizeof *r);
        double t0 = cpu_seconds();
        aec_process(a, m, r, out + at);
        cpu += cpu_seconds() - t0;
        aec_stats(a, &st);
        if (found_s < 0 && st.delay_ms >= 0) found_s = (f + 1) * AEC_FRAME / (double)AUDIO_RATE;
        if (!isnan(st.erle_db)) erles[n_erle++] = st.erle_db;
        near += (unsigned long)aec_near_speech(&st);
        int veto = turns ? aec_only_echo(&gate, &st) : 0;
        double now = (f + 1) / 100.0;
        if (now >= show_from && now <= show_to)
            printf("%7.2f s  delay %d  erle %5.1f now %5.1f  mic %6.1f  out %6.1f  echo %6.1f  floor %6.1f  "
                   "kiosk %d  near %d%s\n", now, st.delay_ms, st.erle_db, st.erle_now_db, st.mic_db, st.out_db,
                   st.echo_db, st.floor_db, st.ref_active, aec_near_speech(&st),
                   turns ? veto ? "  veto" : "  -" : "");
        if (turns) {   /* the live kiosk's endpointer on the cancelled audio, with its veto */
            endpoint_veto(ep, veto);
            near_bits = (near_bits << 1) | (unsigned)(old_barge ? st.ref_active && !veto
                                                                : aec_barge_frame(&gate, &st, veto));
            if (!endpoint_in_turn(ep) && __builtin_popcount(near_bits & 0xff) >= 5 &&
                (barged < 0 || now - barged > 0.6)) {
                barged = now;
                barges++;
                printf("%7.2f s  barge-in\n", now);
            }
            ep_event_t ev = endpoint_feed(ep, out + at);
            if (ev == EP_ONSET) {
                onsets++;
                in_voice = st.ref_active;
                onsets_voice += in_voice;
                if (in_voice && (barged < 0 || now - barged > 0.6)) {   /* no early one: the onset stops it */
                    barged = now;
                    barges++;
                    printf("%7.2f s  barge-in at the onset\n", now);
                }
            }
            if (ev == EP_ONSET || ev == EP_END || ev == EP_CUT)
                printf("%7.2f s  %s%s\n", (f + 1) / 100.0, ev == EP_ONSET ? "turn starts" : "turn ends",
                       ev == EP_ONSET && in_voice ? " over the kiosk's voice" : "");
            if (ev == EP_END || ev == EP_CUT) endpoint_reset(ep);
        }
        if (verbose && (f + 1) % 100 == 0)
            printf("%6.1f s  delay %4d ms  erle %5.1f dB  mic %6.1f  out %6.1f  echo %6.1f  floor %6.1f dBFS%s\n",
                   (f + 1) / 100.0, st.delay_ms, st.erle_db, st.mic_db, st.out_db, st.echo_db,
                   st.floor_db, st.ref_active ? "  (kiosk)" : "");
    }
    double secs = frames * AEC_FRAME / (double)AUDIO_RATE;
    if (st.delay_ms >= 0)
        printf("delay %d ms (found at %.2f s, re-aligned %lu times)\n", st.delay_ms, found_s, st.realigns);
    else
        printf("delay unknown (no confident estimate)\n");
    qsort(erles, n_erle, sizeof *erles, cmp_double);
    printf("erle %.1f dB at the end, median %.1f dB over the %.1f s it was known\n", st.erle_db,
           n_erle ? erles[n_erle / 2] : NAN, n_erle / 100.0);
    printf("near-end speech in %.1f %% of the %lu frames with the kiosk's voice\n",
           st.echo_frames ? 100.0 * near / st.echo_frames : 0.0, st.echo_frames);
    if (turns) printf("turns %d, %d of them starting over the kiosk's voice; barge-ins %d\n", onsets, onsets_voice,
                      barges);
    printf("cpu %.4f s per second of audio (%.2f %% of one core)\n", cpu / secs, 100 * cpu / secs);
    if (argc - optind == 3 && wav_write(argv[optind + 2], out, frames * AEC_FRAME, err, sizeof err) < 0) {
        fprintf(stderr, "aec_wav: %s\n", err);
        goto done;
    }
    rc = 0;
done:
    free(erles);
    free(mic);
    free(ref);
    free(out);
    aec_free(a);
    endpoint_free(ep);
    return rc;
}
