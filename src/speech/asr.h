/* asr.h: offline recognition of one customer turn with pocketsphinx.
 *
 * Two passes over the same audio: the menu's grammar ("heard") and the
 * general English language model of pocketsphinx-en-us ("free_text"), plus an
 * unconstrained phone loop whose score is the yardstick for the confidence.
 * The decoder is loaded once (asr_create) and reused for every turn; it is
 * not thread-safe: one thread decodes. */
#ifndef KIOSK_ASR_H
#define KIOSK_ASR_H

#include <stddef.h>
#include <stdint.h>

#include "../menu/menu.h"
#include "confidence.h"

typedef struct {
    const char *model_dir;    /* NULL: $KIOSK_MODEL_DIR or /usr/share/pocketsphinx/model/en-us */
    int free_pass;            /* 1: run the general English pass (default), 0: skip it */
    int one_thread;           /* 1: the grammar's pass on the caller's thread too (batches
                                 run several processes at once); 0: on its own thread */
    int no_menu_again;        /* 1: never search the grammar again with a wider word beam when
                                 it finds no path (tests: how it was before); 0: do (default) */
    int ps_scorer;            /* 1: pocketsphinx's own decoder scores the turn for the passes, as
                                 before ptm.c (tests: the same results, slower); 0: ptm.c when
                                 the model is one it scores (default) */
} asr_config_t;

typedef struct {
    char *heard;              /* grammar pass words, "" when nothing matched; owned by the asr_t until the next decode */
    char *free_text;          /* language-model pass words, "" when nothing */
    double confidence;        /* 0..1, see asr.c for how it is derived */
    int frames;               /* 10 ms frames decoded */
    long grammar_score;       /* raw path scores (log base 1.0001), for calibration */
    long phone_score;
    double decode_ms;         /* wall time of all passes */
    /* Added after the first draft (append-only, so older code still builds): */
    double margin;            /* the evidence behind confidence (asr.c): how much worse the heard
                                 words fit than a free phone loop, per frame, less a penalty for
                                 loud frames left outside the words; 0 when nothing was heard */
    int word_frames;          /* frames covered by the heard words */
    double coverage;          /* 0..1: share of the turn's loud frames inside heard words */
    double grammar_ms, phone_ms, free_ms;   /* wall time of each pass (free_ms 0 when skipped) */
    /* Added for calibration (issue 3): */
    double features[CF_N];    /* the evidence conf_calibrate() weighs; all 0 when nothing was heard */
    char *loop_text;          /* what the loop over the menu's words heard (owned like heard) */
    double loop_ms;
    int early;                /* asr_decode_early(): early() took the free text; the other passes did not run */
    double early_ms;          /* ... and how long after the call it did */
    /* Added for requests for a person (issue 3): */
    char *nfa_text;           /* a short turn heard with confidence below ASR_NFA_BELOW, searched
                                 again with the grammar as sphinxbase built it, before fsgmin.c
                                 ("" when not run; owned like heard): where it hears a request for
                                 a person, one was said */
    double nfa_ms;            /* wall time of that search (0 when not run) */
    /* Added with the shared scores: */
    double scores_ms;         /* wall time of scoring the turn once for every search (asr.c,
                                 "Shared scores"); 0 when each search scored it itself */
    int menu_wide;            /* 1: the grammar found no path and was searched again with a
                                 wider word beam ("menu_wide", asr.c, "The grammar again") */
    int loop_wide;            /* 1: the word loop found no path and was searched again with a
                                 wider word beam ("loop_wide", asr.c) */
    /* Added for answers to the kiosk's questions (asr_set_answer): */
    char *answer_text;        /* what the answer grammar heard ("" when not searched; owned like heard) */
    int answer;               /* 1: heard (and the confidence's evidence) is the answer grammar's */
    double answer_ms;         /* wall time of the answer search (0 when not run) */
    /* Added for one item first (asr.c): */
    int one;                  /* 1: heard (and the confidence's evidence) is the "one" search's */
    double one_ms;            /* wall time of that search (0 when not run) */
} asr_result_t;

/* Short turns (up to ASR_NFA_MAX_MS) heard with a confidence below
 * ASR_NFA_BELOW are searched with the nondeterministic grammar too (about
 * 0.2x real time: 0.4 s at most, inside the live kiosk's head start).  The
 * deterministic grammar is faster and right more often, but on the
 * development set it heard an espeak-ng "i need help" as "i need two cokes"
 * (0.82) and "help" in noise as "nope" (0.71), where the nondeterministic
 * one heard them right; requests for a person are short. */
#define ASR_NFA_MAX_MS 2000
#define ASR_NFA_BELOW 0.95

/* The free pass knows the ASR_FREE_WORDS most probable words of the general
 * English language model (of its 72 547) and the menu grammar's words: see
 * asr.c, "A smaller vocabulary". */
#define ASR_FREE_WORDS 20000

/* The weight of the human-phrase model in the free pass's language model
 * (asr.c, "Requests for a person in the free pass"); the environment
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

/* Writes the human-phrase model of m (an ARPA bigram model of its requests
 * for a person) to path.  0, or -1 when the file could not be written. */
int asr_write_human_lm(const menu_t *m, const char *path);

/* 1 when the free pass can hear word (it is in its dictionary), else 0. */
int asr_free_knows(asr_t *a, const char *word);

/* Who scores the turns for the passes: "ptm.c", "pocketsphinx (<why not
 * ptm.c>)", or "each pass" (no folder for the scores); for make bench. */
const char *asr_scorer(asr_t *a);

/* Loads the acoustic model and dictionary, teaches it the menu's words and
 * compiles the menu's grammar.  NULL on failure with a message in err. */
asr_t *asr_create(const asr_config_t *cfg, const menu_t *m, const cmudict_t *d,
                  char *err, size_t errlen);
/* The same from the menu's words and their pronunciations (menu_lexicon()),
 * so that the caller can free the CMU dictionary before the models load: it
 * is 12 MB of the peak. */
asr_t *asr_create_lex(const asr_config_t *cfg, const menu_t *m, const strlist_t *words,
                      const strlist_t *phones, char *err, size_t errlen);
void asr_free(asr_t *a);
/* The answers to the question the kiosk just asked, as JSGF text
 * (menu_answer_grammar; its words must be the menu grammar's), searched too
 * on the turns decoded from now on; NULL: none (no question pending).  The
 * same text again costs nothing.  The answer grammar's words replace the
 * menu grammar's only when the menu grammar heard words and its best path is
 * no better, acoustically and as a path (asr.c, "The answer first").  It
 * waits for a turn still finishing in the background.  0, or -1 with err filled and no
 * answer search (the turns are then decoded as without one). */
int asr_set_answer(asr_t *a, const char *jsgf, char *err, size_t errlen);
/* Decodes one whole turn of 16 kHz mono audio. 0, or -1 with err filled. */
int asr_decode(asr_t *a, const int16_t *pcm, size_t n, asr_result_t *out,
               char *err, size_t errlen);

/* The same, but the free pass runs first and its text goes to early(ctx,
 * text) at once; when early returns nonzero (a request for a person: the
 * page need not wait for the grammar) the other passes are skipped, heard
 * stays "", confidence 0, and out->early is 1. */
typedef int (*asr_early_fn)(void *ctx, const char *free_text);
int asr_decode_early(asr_t *a, const int16_t *pcm, size_t n, asr_early_fn early, void *ctx,
                     asr_result_t *out, char *err, size_t errlen);

/* How many turns so far the grammar was searched again with a wider word
 * beam (asr_result_t.menu_wide), counting a turn still finishing in the
 * background after an early return (it waits for it).  A turn whose request
 * for a person early() took is never searched again. */
int asr_searched_again(asr_t *a);

#endif
