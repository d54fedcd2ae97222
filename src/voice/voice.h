/* voice.h: the kiosk's voice: prompts and read-backs synthesised with the
 * espeak-ng library into 16 kHz mono PCM.  Playing it is someone else's job
 * (PortAudio in `kiosk run`); this part only produces samples.
 *
 * espeak-ng keeps its state in globals (one voice, one rate, one output
 * buffer per process), so at most ONE voice_t may exist at a time: a second
 * voice_create() while one exists fails with a message.  Free the first to
 * make another.  Calls on a voice_t are not thread-safe; use it from one
 * thread at a time.
 *
 * espeak-ng's data (phoneme tables, dictionaries, voices) is looked up where
 * the library was built to find it, or under $ESPEAK_DATA_PATH when set.
 * Text is passed as plain UTF-8: no SSML, no phoneme input, nothing escaped. */
#ifndef KIOSK_VOICE_H
#define KIOSK_VOICE_H

#include <stddef.h>
#include <stdint.h>

/* Longest text voice_say() takes, in bytes: a read-back of a big order fits
 * many times over; more is a mistake, not a prompt. */
#define VOICE_TEXT_MAX 4096
/* Longest speech voice_say() produces, in seconds; synthesis stops there. */
#define VOICE_MAX_SECONDS 110

typedef struct voice_s voice_t;

/* Loads espeak-ng (synchronous output, no sound device of its own) with the
 * named voice (NULL: "en-us"; a variant as in "en-us+f3"), speaking rate in
 * words per minute (0: 165; else 80..450).  NULL on failure with a one-line
 * message in err naming what is missing and what to do, e.g.
 * "espeak-ng: no voice named 'xx-yy' (list them with `espeak-ng --voices`)". */
voice_t *voice_create(const char *name, int wpm, char *err, size_t errlen);

/* Frees v; another voice_create() may follow.  NULL is a no-op.
 * espeak-ng itself stays loaded until the process exits (its 1.51 cannot be
 * shut down and loaded again without hanging), so its data is read once, at
 * the first voice_create() that succeeds: ESPEAK_DATA_PATH counts only then. */
void voice_free(voice_t *v);

/* Speaks text (UTF-8, at most VOICE_TEXT_MAX bytes) into *pcm (16 kHz mono,
 * caller frees) and *n samples.  Returns 0, or -1 with err filled (*pcm NULL,
 * *n 0).  Empty or all-blank text gives *n = 0 and *pcm = NULL.
 * The same text on the same voice_t gives the same samples: recent texts are
 * kept and not synthesised again (espeak-ng itself carries state from one
 * utterance to the next, so a fresh synthesis may differ by a few ms; see
 * voice.c).  Synthesis takes a few tens of ms for a sentence. */
int voice_say(voice_t *v, const char *text, int16_t **pcm, size_t *n, char *err,
              size_t errlen);

/* text as it is spoken: prices written for the ear ("Your total is $9.82"
 * -> "Your total is 9 dollars and 82 cents"; espeak-ng reads "$9.82" as
 * "dollar nine point eight two").  The caller frees the result. */
char *voice_words(const char *text);

#endif
