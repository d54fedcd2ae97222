/* source_files.c: the turn sources that are told what the customer said:
 * "wav" (a recording, decoded by the recogniser; the loop's clock moves on
 * by its length first, as if it were being spoken) and "words" (a script's
 * `say [-c C] [-f "FREE"] WORDS`: the recogniser's result written out, so
 * no models load). */
#include <stdlib.h>
#include <string.h>

#include "../audio/denoise.h"
#include "../audio/wav.h"
#include "commands.h"
#include "hear.h"
#include "source.h"

typedef struct {
    source_t base;
    source_opts_t o;
    int turns;
} file_source_t;

static source_t *file_open(const source_driver_t *d, const source_opts_t *o)
{
    file_source_t *f = xcalloc(1, sizeof *f);
    f->base.driver = d;
    f->o = *o;
    return &f->base;
}

static source_t *wav_open(const source_opts_t *o, char *err, size_t errlen)
{
    if (!o->asr) {
        snprintf(err, errlen, "recordings need the recogniser");
        return NULL;
    }
    return file_open(&source_wav, o);
}

static source_t *words_open(const source_opts_t *o, char *err, size_t errlen)
{
    (void)err;
    (void)errlen;
    return file_open(&source_words, o);
}

static int wav_turn(source_t *s, const char *path, char *err, size_t errlen)
{
    file_source_t *f = (file_source_t *)s;
    lane_io_t *io = f->o.io;
    int16_t *pcm = NULL;
    size_t n = 0;
    if (wav_read(path, &pcm, &n, err, errlen) < 0) return EXIT_BADINPUT;
    if (f->o.denoise) denoise_buffer(pcm, pcm, n);
    long ms = (long)(n * 1000 / 16000);
    /* speech starts a car; then the customer speaks, and time passes */
    if (!io->lane->car && lane_io_arrive(io) < 0) {
        free(pcm);
        *err = '\0';
        return EXIT_RUNTIME;
    }
    lane_quiet_since(io->lane, loop_now(io->loop) + ms / 1000.0);
    loop_run_for(io->loop, ms / 1000.0);
    asr_result_t r;
    const session_t *car = io->lane->car;
    asr_t *asr = f->o.asr_for ? f->o.asr_for(f->o.asr_ctx, session_menu(car)) : f->o.asr;
    int rc = session_hear(asr, car, pcm, n, &r, err, errlen);
    free(pcm);
    if (rc < 0) return EXIT_RUNTIME;
    f->turns++;
    if (lane_io_turn(io, path, &r, ms, loop_now(io->loop)) < 0) {
        *err = '\0';
        return EXIT_RUNTIME;
    }
    return 0;
}

static int number(const char *arg, double lo, double hi, double *out)
{
    char *end;
    double v = strtod(arg, &end);
    if (end == arg || *end || !(v >= lo && v <= hi)) return -1;
    *out = v;
    return 0;
}

/* [-c C] [-f "FREE"] WORDS */
static int words_turn(source_t *s, const char *arg, char *err, size_t errlen)
{
    file_source_t *f = (file_source_t *)s;
    char *copy = xstrdup(arg), *args = copy, *free_text = NULL;
    double conf = 0.95;
    int rc = EXIT_BADINPUT;
    for (;;) {
        while (*args == ' ') args++;
        if (!strncmp(args, "-c ", 3)) {
            char *v = args + 3, *sp = strchr(v, ' ');
            if (!sp) {
                snprintf(err, errlen, "say -c C WORDS: the words are missing");
                goto out;
            }
            *sp = '\0';
            if (number(v, 0, 1, &conf) < 0) {
                snprintf(err, errlen, "say -c %s: give a confidence from 0 to 1", v);
                goto out;
            }
            args = sp + 1;
        } else if (!strncmp(args, "-f \"", 4)) {
            char *v = args + 4, *end = strchr(v, '"');
            if (!end) {
                snprintf(err, errlen, "say -f \"FREE\" WORDS: the closing quote is missing");
                goto out;
            }
            *end = '\0';
            free_text = v;
            args = end + 1;
        } else {
            break;
        }
    }
    if (!*args) {
        snprintf(err, errlen, "say: what did the customer say? (say two cokes)");
        goto out;
    }
    asr_result_t r;
    memset(&r, 0, sizeof r);
    r.hearing.heard = args;
    r.hearing.free_text = free_text ? free_text : args;
    r.hearing.confidence = conf;
    r.hearing.loop_text = "";
    r.hearing.nfa_text = "";
    f->turns++;
    lane_io_t *io = f->o.io;
    rc = 0;
    if (lane_io_turn(io, "say", &r, 0, loop_now(io->loop)) < 0) {
        *err = '\0';
        rc = EXIT_RUNTIME;
    }
out:
    free(copy);
    return rc;
}

static int file_busy(const source_t *s)
{
    (void)s;
    return 0;   /* a told turn is over when turn() returns */
}

static void file_stats(const source_t *s, strbuf_t *out)
{
    const file_source_t *f = (const file_source_t *)s;
    strbuf_printf(out, "%d turn%s", f->turns, f->turns == 1 ? "" : "s");
}

static int file_status(const source_t *s)
{
    (void)s;
    return 0;
}

static void file_close(source_t *s)
{
    free(s);
}

const source_driver_t source_wav = {
    .name = "wav", .what = "recordings, one file a turn", .needs_asr = 1,
    .open = wav_open, .turn = wav_turn, .busy = file_busy, .stats = file_stats, .status = file_status,
    .close = file_close,
};

const source_driver_t source_words = {
    .name = "words", .what = "what the recogniser heard, typed (no models)", .needs_asr = 0,
    .open = words_open, .turn = words_turn, .busy = file_busy, .stats = file_stats, .status = file_status,
    .close = file_close,
};

static const source_driver_t *const drivers[] = { &source_mic, &source_wav, &source_words };

const source_driver_t *source_find(const char *name)
{
    for (size_t i = 0; i < sizeof drivers / sizeof drivers[0]; i++)
        if (!strcmp(drivers[i]->name, name)) return drivers[i];
    return NULL;
}
