/* crew_ears.c: see crew_ears.h. */
#include "crew_ears.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../audio/chime.h"
#include "../util/util.h"

/* Between the chime and the words: the ear hears them as two things. */
#define PAUSE_MS 150
/* Pages waiting for their words in one turn of the loop, at most (a burst
 * beyond it keeps its chimes; its words are the stations' to show). */
#define PENDING_MAX 4

struct crew_ears_s {
    device_out_t *out;            /* NULL while it is gone (opened again at the next page) */
    char *spec;                   /* --crew-audio's */
    char describe[300];
    loop_t *loop;
    const char *who;
    voice_t *voice;
    char *pending[PENDING_MAX];   /* words to synthesise on the loop's next turn, oldest first */
    int npending;
    long timer;                   /* the loop's timer that says them, 0 none */
};

crew_ears_t *crew_ears_open(const char *dev, loop_t *loop, const char *who, char *err, size_t errlen)
{
    device_out_t *out = device_out_open(dev, "crew-audio", err, errlen);
    if (!out) return NULL;
    crew_ears_t *c = xcalloc(1, sizeof *c);
    c->out = out;
    c->spec = xstrdup(dev);
    snprintf(c->describe, sizeof c->describe, "%s", device_out_describe(out));
    c->loop = loop;
    c->who = who;
    return c;
}

static void drop_pending(crew_ears_t *c)
{
    for (int i = 0; i < c->npending; i++) free(c->pending[i]);
    c->npending = 0;
    if (c->timer) loop_del_timer(c->loop, c->timer);
    c->timer = 0;
}

void crew_ears_close(crew_ears_t *c)
{
    if (!c) return;
    drop_pending(c);
    device_out_close(c->out);
    free(c->spec);
    free(c);
}

const char *crew_ears_describe(const crew_ears_t *c)
{
    return c->describe;
}

/* The output plays, or, gone, opens again (at a page: the loop waits the
 * few ms of an open only then).  Said on stderr when it stops, at each page
 * it misses, and when it is back. */
static int alive(crew_ears_t *c)
{
    if (c->out && device_out_alive(c->out)) return 1;
    if (c->out) {
        fprintf(stderr, "%s: crew audio: the headset output %s stopped playing; pages go to the crew "
                        "stations only until it is back (tried again at each page)\n", c->who, c->describe);
        drop_pending(c);
        device_out_close(c->out);
        c->out = NULL;
    }
    char err[256];
    if (!(c->out = device_out_open(c->spec, "crew-audio", err, sizeof err))) {
        fprintf(stderr, "%s: crew audio: still gone (%s); this page goes to the crew stations only\n", c->who,
                err);
        return 0;
    }
    snprintf(c->describe, sizeof c->describe, "%s", device_out_describe(c->out));
    fprintf(stderr, "%s: crew audio: the headset output %s is back\n", c->who, c->describe);
    return 1;
}

/* The loop's next turn: the words of the pages chimed since. */
static double say_pending(loop_t *l, long id, void *ctx)
{
    (void)l;
    (void)id;
    crew_ears_t *c = ctx;
    c->timer = 0;
    for (int i = 0; i < c->npending; i++) {
        int16_t *pcm = NULL;
        size_t n = 0;
        char err[256];
        if (c->voice && c->out &&
            (voice_say(c->voice, c->pending[i], &pcm, &n, err, sizeof err) < 0 ||
             device_out_play(c->out, pcm, n, err, sizeof err) < 0))
            fprintf(stderr, "%s: crew audio: %s\n", c->who, err);
        free(pcm);
        free(c->pending[i]);
    }
    c->npending = 0;
    return LOOP_NOMORE;
}

void crew_ears_voice(crew_ears_t *c, voice_t *v)
{
    c->voice = v;
}

void crew_ears_page(crew_ears_t *c, const char *level, const char *words)
{
    if (!alive(c)) return;
    int rate = device_out_rate(c->out), times = !strcmp(level, "manager") ? 2 : 1;
    size_t n = chime_samples(rate, times), pause = (size_t)rate * PAUSE_MS / 1000;
    float *x = xcalloc(n + pause, sizeof *x);   /* the chime, then silence */
    chime_make(x, rate, times);
    char err[256];
    if (device_out_write(c->out, x, n + pause, err, sizeof err) < 0)
        fprintf(stderr, "%s: crew audio: %s\n", c->who, err);
    free(x);
    fprintf(stderr, "%s: crew audio: paged (%s): %s\n", c->who, level, words);
    if (c->npending < PENDING_MAX) c->pending[c->npending++] = xstrdup(words);
    if (!c->timer) c->timer = loop_add_timer(c->loop, 0, say_pending, c);
}

void crew_ears_ack(crew_ears_t *c)
{
    if (c->out && (device_out_playing(c->out) > 0 || c->npending)) {
        device_out_hush(c->out);
        drop_pending(c);
        fprintf(stderr, "%s: crew audio: the page was acknowledged: stopped\n", c->who);
    }
}
