/* turnshape.h: whether the customer has finished speaking, from the words
 * heard so far: quick answers after a complete sentence, patience after an
 * unfinished one.
 *
 * Pure core: words and the menu in, a shape and a trailing silence out; no
 * audio, no recogniser.  The live loop (src/kiosk/source_mic.c) uses it with
 * the endpointer (src/audio/endpoint.h) like this:
 *
 *   EP_PAUSE   the turn so far goes to the recogniser (speculatively, as
 *              before), and endpoint_set_trailing(ep, TURN_WAIT_MS): the turn
 *              waits for the decode rather than ending at the default while
 *              it runs (the answer needs the decode anyway, so holding costs
 *              nothing, and a slow decode of a half sentence no longer lets
 *              700 ms of silence cut it);
 *   the result of that decode, while the turn is still open and no EP_RESUME
 *              came since:
 *              endpoint_set_trailing(ep, turn_trailing_ms(
 *                  turn_shape_hearing(menu, &question, heard, free_text),
 *                  confidence, default_trailing_ms));
 *              (confidence: the hearing's, or 1 when asr_diag_t.early: a
 *              request for a person the kiosk pages whatever follows);
 *              the next feed ends the turn when it has been quiet that long;
 *   EP_RESUME  nothing: the endpointer goes back to its default by itself.
 *
 * The measurements behind the constants: src/DECISIONS.md (2026-12-07,
 * "Quick answers"); the offline simulator is build/endpoint_wav --adaptive
 * (tests/endpoint_wav.c), the set tests/speech/pauses.py. */
#ifndef KIOSK_TURNSHAPE_H
#define KIOSK_TURNSHAPE_H

#include "../menu/menu.h"

typedef enum {
    TURN_UNSURE,        /* neither */
    TURN_COMPLETE,      /* a whole sentence of the grammar (an item, a change, a yes or no,
                           "that's all", a request for a person) ending where a sentence can */
    TURN_UNFINISHED,    /* ends on words that need more: "can i get", "a large", "and",
                           "with", "no" after an item, "number", "a chicken", "um" */
} turn_shape_t;

extern const char *const turn_shape_names[];   /* "unsure", "complete", "unfinished" */

/* The policy's figures (turn_trailing_ms), chosen on the natural-pause set
 * and the real recordings (src/DECISIONS.md, 2026-12-07, "Quick answers"). */
#define TURN_QUICK_MS 400            /* silence that ends a complete, confident turn: real
                                        speakers pause 330-450 ms after an item before "with
                                        ...", and 300 cut 2 % of the real orders */
#define TURN_QUICK_CONFIDENCE 0.90   /* ... confident: the hearing's confidence at least this */
#define TURN_WAIT_MS 1500            /* silence that ends an unfinished turn (and the hold at
                                        EP_PAUSE while the decode runs) */
#define TURN_AHEAD_HEARD_MS 500      /* turn_ahead_answered: the welcome said ahead was heard */
#define TURN_UNSURE_MS 1300          /* neither: half sentences are often heard as whole ones
                                        with a middling confidence, and 700 ms cut 18 % of the
                                        turns with a pause of 300-1000 ms */

/* The shape of words (the menu grammar's, or any text: lower or upper case,
 * punctuation ignored) for menu m.  "" or NULL: TURN_UNSURE. */
turn_shape_t turn_shape(const menu_t *m, const char *words);

/* The shape of a speculative decode's hearing: heard is the menu grammar's
 * words (asr_hearing_t.heard), which always make a whole sentence of the
 * grammar, even of half a sentence ("can i get" is heard "can i get coke"),
 * so free_text, the general English search's words ("can i get"), says when
 * it is unfinished.  UNFINISHED when heard is, or when free_text is and does
 * not end on heard's last word (there the grammar's reading of the same end
 * stands: "make it a large" heard as "we get a large"); COMPLETE when heard
 * is "" and free_text asks for a person (dialog_spot_human: an early
 * result); else heard's shape.  ask: the
 * question the turn answers (dialog_question), or NULL: after "What size?" a
 * size alone is an answer, not the start of "a large ... coke".  Strings may
 * be NULL (as ""). */
turn_shape_t turn_shape_hearing(const menu_t *m, const menu_ask_t *ask, const char *heard,
                                const char *free_text);

/* The trailing silence, ms, for a turn of this shape heard with this
 * confidence (0..1): TURN_QUICK_MS when complete and confidence is at least
 * TURN_QUICK_CONFIDENCE, TURN_WAIT_MS when unfinished, else TURN_UNSURE_MS;
 * default_ms (the endpointer's configured trailing_ms) bounds them: never
 * longer than it when quick, never shorter otherwise. */
int turn_trailing_ms(turn_shape_t shape, double confidence, int default_ms);

/* The customer's speech came back ms after an answer said ahead of the
 * turn's end began (source_mic.c): 1 when it answers that answer (the turn
 * ends at its pause, the speech is a new turn), 0 when the customer is
 * going on with the turn (the answer is taken back, the turn goes on
 * whole).  Only a greeting alone answered with the welcome (greeting 1)
 * is answered, once the welcome was in the air TURN_AHEAD_HEARD_MS: in the
 * middle of a sentence people pause for a second and more ("can i get ...
 * a number two"), which the decode at the pause hears as a whole sentence
 * often enough that taking the speech after it for an answer cut 11 % of
 * such turns (src/DECISIONS.md, "answers said ahead"). */
int turn_ahead_answered(int greeting, double ms);

/* Whether the answer to the turn so far is said ahead of the turn's end
 * (source_mic.c's quick_end, endpoint_wav's simulation of it): not when the
 * turn is plainly unfinished, except a greeting alone (greeting 1: it is
 * unfinished, as an order may follow it, but its answer is the welcome).
 * The caller adds its own reasons not to (half duplex, the kiosk's voice in
 * the turn). */
int turn_says_ahead(turn_shape_t shape, int greeting);

#endif
