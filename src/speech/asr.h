/* asr.h: offline recognition of one customer turn with pocketsphinx.
 *
 * A turn is searched several ways over the same acoustic scores, because a
 * grammar search always returns the nearest sentence of the menu, even for
 * "do you sell tacos" or a cough; the other searches are the evidence of
 * whether the grammar's words are what was said.  In order:
 *   scores   every senone of every frame scored once (ptm.c), for every search;
 * then on two threads at once, each with its own decoder:
 *   grammar's thread: "phones"  a phone loop: was anything said at all?
 *                     "menu"    the menu's grammar (fsgmin.c's minimal FSG) -> heard;
 *                               again with a wider word beam when it finds no path
 *                     "one"     one item at most, when "menu" heard more than one
 *                     "answer"  the answers to the question pending (asr_set_answer)
 *   caller's thread:  "free"    general English (+ requests for a person) -> free_text;
 *                               a request for a person may end the turn here
 *                               (asr_decode_early)
 *                     "loop"    any sequence of the grammar's words: a second opinion
 * and last, on a short turn the grammar is not sure of:
 *                     "nfa"     the grammar as sphinxbase built it -> nfa_text.
 * The evidence (confidence.h) gives the calibrated confidence.  Why each
 * search is there, and its costs: asr.c; the measurements: src/DECISIONS.md.
 *
 * The decoders are loaded once (asr_create) and reused for every turn; an
 * asr_t is not thread-safe: one thread calls it (it runs its second thread
 * itself). */
#ifndef KIOSK_ASR_H
#define KIOSK_ASR_H

#include <stddef.h>
#include <stdint.h>

#include "../menu/menu.h"
#include "confidence.h"

typedef struct {
    const char *model_dir;    /* NULL: $KIOSK_MODEL_DIR or /usr/share/pocketsphinx/model/en-us */
    int free_pass;            /* 1: run the general English search ("free"), 0: skip it */
    int one_thread;           /* 1: the grammar's searches on the caller's thread too
                                 (batches run several processes at once); 0: their own */
    int no_menu_again;        /* 1: never search the grammar again with a wider word beam when
                                 it finds no path (tests: how it was before); 0: do (default) */
    int ps_scorer;            /* 1: pocketsphinx's own decoder scores the turn for the
                                 searches (tests: the same results as ptm.c, slower); 0: ptm.c
                                 when the model is one it scores (default) */
    int loop_on;              /* the word loop on: 0 whichever decoder is idle first (default),
                                 1 the main decoder's thread, 2 the grammar's (tests: the same
                                 results either way) */
} asr_config_t;

/* What was heard: everything the dialog decides on.  The strings are owned
 * by the asr_t and valid until its next decode; never NULL after a decode. */
typedef struct {
    char *heard;              /* the grammar's words ("menu", or "one"/"answer" taken in its
                                 place), "" when nothing matched or nothing was said */
    char *free_text;          /* the general English search's words, "" when none */
    double confidence;        /* 0..1 that heard is what was said (conf_calibrate) */
    char *loop_text;          /* the word loop's words, "" when heard is "" */
    char *nfa_text;           /* the nondeterministic grammar's words on a short doubtful
                                 turn (ASR_NFA_MAX_MS), "" when not searched: where it hears
                                 a request for a person, one was said */
} asr_hearing_t;

/* How it was heard: for calibration, tests and make bench; the dialog reads
 * none of it.  Times are wall milliseconds, 0 for a search not run. */
typedef struct {
    int frames;               /* 10 ms frames decoded */
    long grammar_score;       /* the grammar's path score (log base 1.0001) */
    long phone_score;         /* the phone loop's */
    double margin;            /* how much worse the heard words fit than the phone loop, per
                                 frame, less a penalty for loud frames outside them
                                 (evidence.c); 0 when nothing was heard */
    int word_frames;          /* frames covered by the heard words */
    double coverage;          /* 0..1: share of the turn's loud frames inside heard words */
    double features[CF_N];    /* the evidence conf_calibrate() weighs; all 0 when nothing
                                 was heard */
    char *answer_text;        /* what the answer grammar heard ("" when not searched; owned
                                 like the hearing's strings) */
    int answer;               /* 1: heard (and its evidence) is the answer grammar's */
    int one;                  /* 1: heard (and its evidence) is the "one" search's */
    int menu_wide;            /* 1: the grammar found no path and was searched again with a
                                 wider word beam */
    int loop_wide;            /* 1: the same for the word loop */
    int loop_on;              /* the decoder the word loop ran on: 1 the main one (after
                                 "free"), 2 the grammar's (after "menu", "one", "answer"), 0 none */
    int early;                /* asr_decode_early(): early() took the free text; the other
                                 searches' results were not waited for */
    double decode_ms;         /* the whole call */
    double scores_ms;         /* scoring the turn once for every search (0: each scored it) */
    double phone_ms, grammar_ms, free_ms, loop_ms, nfa_ms, answer_ms, one_ms;
    double early_ms;          /* when early() took the free text, after the call began */
} asr_diag_t;

typedef struct {
    asr_hearing_t hearing;
    asr_diag_t diag;
} asr_result_t;

/* Short turns (up to ASR_NFA_MAX_MS) heard with a confidence below
 * ASR_NFA_BELOW are searched with the nondeterministic grammar too ("nfa";
 * 0.4 s at most, inside the live kiosk's head start).  The deterministic
 * grammar is faster and right more often, but it hears some short requests
 * for a person as orders ("i need help" as "i need two cokes") that the
 * nondeterministic one hears right; requests for a person are short. */
#define ASR_NFA_MAX_MS 2000
#define ASR_NFA_BELOW 0.95

/* The free search knows the ASR_FREE_WORDS most probable words of the
 * general English language model (of its 72 547) and the menu grammar's
 * words: see asr_build.c, "A smaller vocabulary". */
#define ASR_FREE_WORDS 20000

/* The weight of the human-phrase model (menu_human_lm) in the free
 * search's language model (asr_build.c, "Requests for a person in the free
 * search"); the environment
 * variable KIOSK_HUMAN_LM_WEIGHT overrides it (0: none) for
 * tests/speech/eval.py runs. */
#define ASR_HUMAN_LM_WEIGHT 0.3

/* How much worse (in path score units: log base 1.0001, shifted right 10
 * bits, about 0.1 nat) the best path of one item may be than the menu
 * grammar's best path of several and still be taken (asr.c, "One item
 * first"); the environment variable KIOSK_ONE_BONUS overrides it (0: no
 * "one" search) for tests/speech/eval.py runs. */
#define ASR_ONE_BONUS 500

typedef struct asr_s asr_t;

/* 1 when the free search can hear word (it is in its dictionary), else 0. */
int asr_free_knows(asr_t *a, const char *word);

/* Who scores the turns for the searches: "ptm.c", "pocketsphinx (<why not
 * ptm.c>)", or "each pass" (no folder for the scores: each search scores the
 * turn itself); for make bench. */
const char *asr_scorer(asr_t *a);

/* Loads the acoustic model and dictionary, teaches it the menu's words and
 * compiles the menu's grammar (with m NULL: the free search and the phone
 * loop only).  NULL on failure with a message in err. */
asr_t *asr_create(const asr_config_t *cfg, const menu_t *m, const cmudict_t *d,
                  char *err, size_t errlen);
/* The same from the menu's words and their pronunciations (menu_lexicon()),
 * so that the caller can free the CMU dictionary before the models load: it
 * is 12 MB of the peak. */
asr_t *asr_create_lex(const asr_config_t *cfg, const menu_t *m, const strlist_t *words,
                      const strlist_t *phones, char *err, size_t errlen);
/* Frees a, waiting for a turn still finishing in the background, and
 * removes its scores folder.  NULL is allowed. */
void asr_free(asr_t *a);

/* The answers to the question the kiosk just asked, as JSGF text
 * (menu_answer_grammar; its words must be the menu grammar's), searched too
 * on the turns decoded from now on; NULL: none (no question pending).  The
 * same text again costs nothing.  The answer grammar's words replace the
 * menu grammar's only when the menu grammar heard words and its best path is
 * no better, acoustically and as a path (asr.c, "The answer first").  It
 * waits for a turn still finishing in the background.  0, or -1 with err
 * filled and no answer search (the turns are then decoded as without one). */
int asr_set_answer(asr_t *a, const char *jsgf, char *err, size_t errlen);
/* Decodes one whole turn of 16 kHz mono audio (at most 120 s) into *out.
 * 0, or -1 with err filled (out's strings are then "" or partial). */
int asr_decode(asr_t *a, const int16_t *pcm, size_t n, asr_result_t *out,
               char *err, size_t errlen);

/* The same, and the free search's text goes to early(ctx, text) as soon as
 * it is there; when early returns nonzero (a request for a person: the page
 * need not wait for the grammar) the call returns at once: heard stays "",
 * confidence 0, diag.early is 1, and the grammar's thread finishes in the
 * background (the next call waits for it). */
typedef int (*asr_early_fn)(void *ctx, const char *free_text);
int asr_decode_early(asr_t *a, const int16_t *pcm, size_t n, asr_early_fn early, void *ctx,
                     asr_result_t *out, char *err, size_t errlen);

/* How many turns so far the grammar was searched again with a wider word
 * beam (asr_diag_t.menu_wide), counting a turn still finishing in the
 * background after an early return (it waits for it).  A turn whose request
 * for a person early() took is never searched again. */
int asr_searched_again(asr_t *a);

/* Writes menu_human_lm's model of m to path: 0, or -1 when it could not. */
int asr_write_human_lm(const menu_t *m, const char *path);

#endif
