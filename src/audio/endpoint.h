/* endpoint.h: cutting the live microphone stream into turns.
 *
 * The live loop feeds 10 ms frames of 16 kHz mono int16 and acts on the
 * events: it starts decoding speculatively at EP_PAUSE, goes on at EP_RESUME,
 * and takes the turn at EP_END or EP_CUT.  Pure C: no I/O, no clock, no
 * library; time is the count of frames fed.  The algorithm and its constants
 * are described at the top of endpoint.c.
 *
 * Times: frame k (counting from 0 since create) covers [10k, 10k+10) ms; an
 * event returned by the feed of frame k happens at 10(k+1) ms. */
#ifndef KIOSK_ENDPOINT_H
#define KIOSK_ENDPOINT_H

#include <stddef.h>
#include <stdint.h>

#define EP_FRAME 160            /* samples per frame: 10 ms at 16 kHz */

typedef struct {
    int preroll_ms;             /* audio kept before onset (default 300) */
    int trailing_ms;            /* silence that ends a turn (default 700) */
    int max_turn_ms;            /* a turn is cut here (default 15000) */
    int pause_ms;               /* silence after which EP_PAUSE is raised (default 200): the lead starts decoding speculatively then */
} endpoint_config_t;

/* Fills c with the defaults above. */
void endpoint_defaults(endpoint_config_t *c);

typedef enum {
    EP_NONE,     /* nothing new */
    EP_ONSET,    /* speech started: a turn is open (its audio starts preroll_ms before
                    the first speech frame, which is ~100 ms before this event) */
    EP_PAUSE,    /* speech has paused for pause_ms inside an open turn */
    EP_RESUME,   /* speech came back after an EP_PAUSE: the turn goes on */
    EP_END,      /* trailing_ms of silence: the turn is complete */
    EP_CUT,      /* the turn reached max_turn_ms: complete, cut */
} ep_event_t;

typedef struct endpoint_s endpoint_t;

/* NULL config: defaults.  Returns NULL when out of memory or when the config
 * is out of range: preroll_ms 0..2000, trailing_ms and pause_ms 10..10000,
 * max_turn_ms 100..120000 (milliseconds are rounded to whole 10 ms frames). */
endpoint_t *endpoint_create(const endpoint_config_t *c);
void endpoint_free(endpoint_t *e);

/* Feeds one frame of exactly EP_FRAME samples; returns at most one event.
 * Feeding after EP_END/EP_CUT without endpoint_reset resets first. */
ep_event_t endpoint_feed(endpoint_t *e, const int16_t *frame);

/* The open (or just completed) turn's audio, pre-roll included (less when
 * less has been heard since create/mute); owned by e, valid until the next
 * feed/reset/mute.  NULL and *n = 0 when no turn is open.  After EP_END it
 * ends where the trailing silence in force ran out (trailing_ms, or what
 * endpoint_set_trailing set; one frame more when that was set below the
 * silence already heard) after the last speech frame (that silence is kept
 * in; the recogniser copes); after EP_CUT it holds pre-roll + max_turn_ms. */
const int16_t *endpoint_turn(const endpoint_t *e, size_t *n);

/* The trailing silence that ends the open turn, from now until speech
 * resumes (EP_RESUME, or any speech before EP_PAUSE) or the turn ends: then
 * it is trailing_ms again.  For the words heard so far, which are what a
 * speculative decode at EP_PAUSE was about: shorter after a complete
 * sentence, longer after an unfinished one (src/dialog/turnshape.h).  When
 * the turn has already been silent ms or longer, the next feed returns
 * EP_END (whatever that frame holds).  0; -1 when no turn is open or ms is
 * out of 10..10000 (nothing changes then). */
int endpoint_set_trailing(endpoint_t *e, int ms);

/* After EP_END/EP_CUT the caller takes the turn and calls this; the
 * noise-floor estimate survives, and so do the pre-roll history and the
 * recent speech decisions: when speech goes on after EP_CUT, the next turn
 * opens at once (its pre-roll overlaps the end of the cut one). */
void endpoint_reset(endpoint_t *e);

/* Just after EP_RESUME: the turn so far is over (the caller took its audio
 * first) and the speech that came back opens a new one, its audio from
 * 100 ms before that speech (or preroll_ms when shorter), as if it had
 * begun in silence: the customer answered the kiosk rather than going on.  -1 when no turn is
 * open (nothing changes), else 0. */
int endpoint_split(endpoint_t *e);

/* Forgets everything heard (the kiosk was speaking and must not hear itself):
 * drops an open turn and the pre-roll history; keeps the noise floor. */
void endpoint_mute(endpoint_t *e);

/* 1 while a turn is open (from EP_ONSET until EP_END/EP_CUT), else 0. */
int endpoint_in_turn(const endpoint_t *e);

/* veto 1: the frames fed from now on are not speech, however loud, until
 * endpoint_veto(e, 0).  While the kiosk's own voice is in the microphone the
 * caller vetoes the frames the echo canceller cannot tell from that voice
 * (aec.h's rule): speech over the kiosk needs more evidence than speech in
 * silence.  The noise floor is still tracked on vetoed frames. */
void endpoint_veto(endpoint_t *e, int veto);

/* The current noise-floor estimate, dBFS (energy above ~250 Hz, where the
 * decision is taken; a full-scale sine reads -3), for the logs. */
double endpoint_noise_db(const endpoint_t *e);

#endif
