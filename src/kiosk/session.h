/* session.h: one car's conversation, the glue `kiosk run` and `kiosk replay`
 * share: a turn's audio goes through the recogniser, what was heard through the
 * dialog, and what happened into the store and the transcript.
 *
 * Replay and run differ only in where the audio comes from and which clock
 * ticks: the caller passes the time in. */
#ifndef KIOSK_SESSION_H
#define KIOSK_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "../dialog/dialog.h"
#include "../speech/asr.h"
#include "../store/store.h"

typedef struct {
    char *file;              /* where the turn came from ("t1.wav", or "mic") */
    long audio_ms;
    double decode_ms;
    char *heard, *free_text;
    double confidence;
    char *said;
    page_reason_t page;
    double features[CF_N];   /* the recogniser's evidence behind confidence (confidence.h) */
    char *loop_text;         /* what the loop over the menu's words heard */
} session_turn_t;

typedef struct {
    int turn;                /* 1-based */
    page_reason_t reason;
    char *heard, *free_text;
} session_page_t;

typedef struct session_s session_t;

/* The dictionary, then the menu, checked against it: 0, or the exit status
 * (1 the dictionary is missing, 2 the menu is bad) with the messages in errs.
 * The caller frees both, whatever is returned. */
int session_load(const char *menu_path, cmudict_t **dict, menu_t **menu, strlist_t *errs);

/* The recogniser for menu: keeps the menu's words and their pronunciations,
 * frees *dict (set to NULL: its 12 MB need not sit under the models' peak),
 * then loads the models.  NULL on failure with a message in err. */
asr_t *session_asr(const asr_config_t *cfg, const menu_t *menu, cmudict_t **dict, char *err,
                   size_t errlen);

/* store may be NULL (nothing recorded).  The session borrows menu, asr and store. */
session_t *session_create(const menu_t *m, asr_t *asr, store_t *store, const dialog_config_t *cfg,
                          double now, char *err, size_t errlen);
void session_free(session_t *s);

/* One customer turn of 16 kHz mono audio.  0, or -1 (err filled) when the
 * recogniser or the store failed; the dialog never fails. */
int session_hear(session_t *s, const char *file, const int16_t *pcm, size_t n, double now,
                 char *err, size_t errlen);
/* The same in two halves, for `kiosk run`, where recognition runs on its own
 * thread: asr_decode_early(..., session_spot_human, menu, ...) there, then
 * the result applied here on the event loop's thread.  session_spot_human
 * only reads the menu, so it is safe on the recogniser's thread. */
int session_spot_human(void *menu, const char *free_text);
/* The grammar of the answers to the question the dialog just asked
 * (menu_answer_grammar), for asr_set_answer() before the next turn is
 * decoded; NULL when none is pending.  The caller frees it. */
char *session_answer(const session_t *s);
int session_apply(session_t *s, const char *file, long audio_ms, const asr_result_t *r, double now,
                  char *err, size_t errlen);
/* A page from outside a turn (no_response, device_fault): recorded against
 * the last turn; *said is what to tell the customer ("" for none), valid
 * until the next call.  0, or -1 when the store failed. */
int session_page(session_t *s, page_reason_t why, double now, const char **said,
                 char *err, size_t errlen);
/* The car is done: records the order.  0 or -1. */
int session_end(session_t *s, double now, char *err, size_t errlen);

const dialog_t *session_dialog(const session_t *s);
/* The same, for the live loop's own events (the crew's actions, a car
 * leaving): the session records nothing of them until session_end. */
dialog_t *session_dialog_rw(session_t *s);
int session_nturns(const session_t *s);
long session_store_car(const session_t *s);   /* the car's id in the store, -1 without one */
const session_turn_t *session_turn(const session_t *s, int i);

/* The replay JSON object of ../shared/spec/kiosk-cli.md, on one line. */
void session_json(const session_t *s, strbuf_t *out);
/* The same as a short transcript for people. */
void session_transcript(const session_t *s, strbuf_t *out);

#endif
