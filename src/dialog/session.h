/* session.h: one car's conversation as the kiosk keeps it: the dialog, and
 * every turn (what was heard, what the kiosk answered, any page) for the
 * replay JSON, the transcript, the board and the crew's "apply".
 *
 * Pure, like the dialog: a recognised turn in (asr_result_t, the
 * recogniser's result type only: no recogniser is called here), records
 * out.  Where the audio came from and what is saved are the callers'
 * (src/kiosk/hear.c decodes, src/kiosk/lane_io.c stores). */
#ifndef KIOSK_SESSION_H
#define KIOSK_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "../speech/asr.h"
#include "dialog.h"

typedef struct {
    char *file;              /* where the turn came from ("t1.wav", or "mic") */
    long audio_ms;
    double decode_ms;
    char *heard, *free_text;
    double confidence;
    char *said;
    page_reason_t page;
    int noted;               /* the answer opens with a note (an item sold out): dialog_effects_t's */
    double features[CF_N];   /* the recogniser's evidence behind confidence (confidence.h) */
    char *loop_text;         /* what the loop over the menu's words heard */
    int overheard;           /* said while the crew talked: kept, not acted on (session_overhear) */
} session_turn_t;

typedef struct {
    int turn;                /* 1-based */
    page_reason_t reason;
    char *heard, *free_text;
} session_page_t;

typedef struct session_s session_t;

/* The session borrows the menu. */
session_t *session_create(const menu_t *m, const dialog_config_t *cfg);
void session_free(session_t *s);
/* A session with a copy of s's dialog and no turns: what a turn would do,
 * tried without touching s (lane_preview).  Freed with session_free. */
session_t *session_try(const session_t *s);

/* A request for a person in the free pass's text (asr_decode_early's spot
 * function: it only reads the menu, so it is safe on the recogniser's thread). */
int session_spot_human(void *menu, const char *free_text);
/* The grammar of the answers to the question the dialog just asked
 * (menu_answer_grammar), for asr_set_answer() before the next turn is
 * decoded; NULL when none is pending.  The caller frees it. */
char *session_answer(const session_t *s);
/* One recognised customer turn through the dialog, recorded as the session's
 * next turn (session_turn(s, session_nturns(s) - 1)). */
void session_apply(session_t *s, const char *file, long audio_ms, const asr_result_t *r);
/* A turn the customer said while the crew's headset talk was held: kept as
 * the session's next turn for the transcript, the dialog untouched (the
 * crew is answering; their words are not the kiosk's to act on). */
void session_overhear(session_t *s, const char *file, long audio_ms, const asr_result_t *r);
/* A page from outside a turn (no_response, device_fault): recorded against
 * the last turn; returns what to tell the customer ("" for nothing), valid
 * until the next call. */
const char *session_page(session_t *s, page_reason_t why);

const menu_t *session_menu(const session_t *s);
const dialog_t *session_dialog(const session_t *s);
/* The same, for the crew's actions and a car leaving: the session records
 * nothing of them (the lane's events do). */
dialog_t *session_dialog_rw(session_t *s);
int session_nturns(const session_t *s);
const session_turn_t *session_turn(const session_t *s, int i);

/* The replay JSON object of ../shared/spec/kiosk-cli.md, on one line. */
void session_json(const session_t *s, strbuf_t *out);
/* The same as a short transcript for people. */
void session_transcript(const session_t *s, strbuf_t *out);

#endif
