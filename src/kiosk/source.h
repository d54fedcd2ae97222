/* source.h: where a lane's customer turns come from, as drivers behind one
 * table (as mpv's audio outputs are): the microphone (PortAudio, the
 * endpointer and the recogniser's thread, on the event loop), WAV files, and
 * words a script types.  A source hears a turn and gives it to the lane
 * through its lane_io_t (lane_io_turn); the lane never knows which it was.
 *
 * `kiosk run` opens "mic", which hears on its own as the loop runs;
 * `kiosk replay` gives "wav" one file a turn; a script's `wav FILE` and
 * `say WORDS` steps go to "wav" and "words". */
#ifndef KIOSK_SOURCE_H
#define KIOSK_SOURCE_H

#include "../audio/device.h"
#include "../speech/asr.h"
#include "lane_io.h"

/* The recogniser built for menu m (src/kiosk/menu_watch.c keeps one per menu
 * while a reloaded menu waits for the next car). */
typedef asr_t *(*source_asr_fn)(void *ctx, const menu_t *m);

typedef struct {
    lane_io_t *io;            /* the lane the turns go to, and its loop */
    asr_t *asr;               /* the recogniser (unused by "words") */
    source_asr_fn asr_for;    /* when set, a turn is decoded by asr_for(asr_ctx, its car's menu)
                                 instead: a car keeps the recogniser of the menu it arrived on */
    void *asr_ctx;
    int denoise;              /* speexdsp's noise suppression on the audio first */
    /* the microphone's */
    device_t *dev;            /* open already (the caller checks it first); the source owns it */
    const char *input, *output;   /* its names, to reopen it when it stops */
    int trailing_ms;          /* silence that ends a turn */
    int half_duplex;          /* 1: deaf while the kiosk speaks (no echo canceller) */
    int ahead_off;            /* 1: no answer said before its turn has ended (--no-answer-ahead) */
    double echo_check;        /* > 0: no cars; the kiosk talks this many seconds and reports any
                                 turn it hears (its own voice): `kiosk run --echo-check` */
    struct keeper_s *keeper;  /* keeps each turn's audio (keeper.h), or NULL */
} source_opts_t;

typedef struct source_s source_t;

typedef struct {
    const char *name;         /* "mic", "wav", "words" */
    const char *what;         /* for people */
    int needs_asr;
    /* NULL with a message in err. */
    source_t *(*open)(const source_opts_t *o, char *err, size_t errlen);
    /* A turn the caller names (a file, words), heard and given to the lane
     * (a car arrives first if none is there): 0, or an exit status with the
     * message in err ("" when it was logged already).  NULL for a source that
     * hears on its own as the loop runs. */
    int (*turn)(source_t *s, const char *arg, char *err, size_t errlen);
    /* 1 while the customer is speaking, a turn is being recognised, or the
     * kiosk's own voice is in the air: the lane's silence timers wait.  0
     * also means no recogniser is in use: one no car needs may be freed. */
    int (*busy)(const source_t *s);
    /* What it did, for the last line of the log ("12 turns (9 decoded
     * speculatively), 0 samples lost to overruns"). */
    void (*stats)(const source_t *s, strbuf_t *out);
    /* An exit status when the source failed for good (the loop is stopped), else 0. */
    int (*status)(const source_t *s);
    void (*close)(source_t *s);
} source_driver_t;

struct source_s {
    const source_driver_t *driver;
};

extern const source_driver_t source_mic, source_wav, source_words;
/* The driver of that name, or NULL. */
const source_driver_t *source_find(const char *name);

#endif
