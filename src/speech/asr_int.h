/* asr_int.h: what the parts of the recogniser share (asr.h is the public
 * face).  asr_build.c makes and frees the decoders and their searches,
 * asr_scores.c the folder of the turn's shared scores, asr.c decodes a turn
 * on two threads; evidence.c (confidence.h) does their arithmetic.
 *
 * Threads: asr_decode_early() runs on the caller's thread and starts
 * menu_main() (asr.c) on a second one for the grammar's decoder.  They hand
 * over two things, each under senmu and signalled on sencv (asr_sync_set,
 * asr_sync_wait): senstate, the turn's scores written (SCORES_READY) or not
 * to be had (SCORES_NONE), which every search but the scorer waits for; and
 * job.verdict, the free search's verdict, which the grammar's thread waits
 * for before it searches again with a wider beam.  Everything else in job
 * belongs to the grammar's thread from its start to asr_menu_join(). */
#ifndef KIOSK_ASR_INT_H
#define KIOSK_ASR_INT_H

#include <pthread.h>

#include <pocketsphinx.h>

#include "asr.h"
#include "ptm.h"

/* The grammar's thread's turn: the phone loop's and the menu grammar's
 * searches (and "one", "answer") on the second decoder. */
typedef struct {
    pthread_t thread;
    int running;              /* started and not yet joined */
    int verdict;              /* the free search's: VERDICT_PENDING until it is done, then
                                 VERDICT_ABANDONED when the caller took its request for a person
                                 (nobody reads this turn's grammar), else VERDICT_GO_ON */
    size_t n;                 /* samples of a->buf to decode */
    double *energy;           /* the turn's frame energies (owned: the thread may outlive the call) */
    int nen;
    int rc;
    char err[256];
    const char *hyp;          /* owned by the grammar decoder */
    char *heard;              /* hyp, cleaned (asr_clean_hyp; owned) */
    long score;
    double ms;                /* the grammar's search */
    int speech;               /* the phone loop heard speech */
    double grammar_ascr;      /* the grammar's best path, fillers included */
    asr_result_t r;           /* the diagnostics of this thread's searches, and the hearing's
                                 confidence from weighing the words (not yet calibrated) */
    char *answer;             /* what the answer search heard (asr_clean_hyp; owned), NULL when
                                 not run */
    /* the word loop (asr.c, step 3), on whichever thread takes it first */
    int loop_state;           /* LOOP_FREE, LOOP_TAKEN, LOOP_NEEDLESS (the grammar heard nothing);
                                 under senmu */
    ps_decoder_t *loop_ps;    /* the decoder it ran on (its best path is read at step 5) */
    char *loop_text;          /* its words (owned), NULL when not run */
    int loop_wide, loop_rc;
    double loop_ms;
    char loop_err[256];
} menu_job_t;

struct asr_s {
    ps_decoder_t *ps;         /* the main decoder: "free", "loop", "loop_wide" */
    int loop_on;              /* asr_config_t.loop_on */
    cmd_ln_t *config;
    ps_decoder_t *gps;        /* the grammar's decoder: "phones", "menu", "nfa", "one",
                                 "answer", "loop", "loop_wide" (NULL without a menu) */
    cmd_ln_t *gconfig;
    menu_job_t job;
    int free_pass;
    int one_thread;
    ps_decoder_t *phones_ps;  /* the decoder with the "phones" search: gps with a menu, else ps */
    int has_menu;             /* the "menu" search exists */
    int has_nfa;              /* the "nfa" search exists: the grammar as sphinxbase built it */
    int has_one;              /* the "one" search exists: one item at most (menu_one_grammar) */
    long one_bonus;           /* its margin over "menu" (ASR_ONE_BONUS; KIOSK_ONE_BONUS) */
    char *heard, *free_text, *loop_text, *nfa_text, *answer_text;   /* the last turn's */
    char *answer_jsgf;        /* the "answer" search's grammar (asr_set_answer), NULL: none */
    conf_span_t *span;        /* the heard words' frames and acoustic scores */
    int nspan, capspan;
    int16_t *buf;             /* the dithered copy of the turn */
    size_t bufcap;
    /* the shared scores (asr_scores.c); sendir NULL when every search scores for itself */
    ptm_t *ptm;               /* the scorer (ptm.c), when the model is one it scores */
    ps_decoder_t *sps;        /* else pocketsphinx's, writing every senone's score */
    cmd_ln_t *sconfig;
    int noshare;              /* a turn's scores went missing: each search scores itself from
                                 then on */
    logmath_t *lmath;         /* the free search's language models' (not retained by them) */
    int has_loop_wide;        /* the "loop_wide" search is there */
    int menu_again;           /* search the grammar again when it finds no path */
    char scorer[320];         /* asr_scorer() */
    int searched_again;       /* asr_searched_again() */
    char *sendir;             /* a folder of our own (mkdtemp) */
    char *senfile;            /* sendir/turn.sen: this turn's scores */
    pthread_mutex_t senmu;
    pthread_cond_t sencv;
    int senstate;             /* this turn: SCORES_PENDING, _READY or _NONE */
};

enum { SCORES_PENDING, SCORES_READY, SCORES_NONE };
enum { VERDICT_PENDING, VERDICT_ABANDONED, VERDICT_GO_ON };
enum { LOOP_FREE, LOOP_TAKEN, LOOP_NEEDLESS };

/* asr.c */
double asr_now_ms(void);
int asr_is_filler(const char *w);        /* words from the decoder the customer did not say */
char *asr_clean_hyp(const char *hyp);    /* the words alone, "coke(2)" -> "coke"; caller frees */
void asr_menu_join(asr_t *a);            /* waits for the grammar's thread, if running */
void asr_sync_set(asr_t *a, int *state, int v);
int asr_sync_wait(asr_t *a, const int *state, int pending);
int asr_run_pass(asr_t *a, ps_decoder_t *ps, const char *name, size_t n, const char **hyp,
                 long *score, char *err, size_t errlen);

/* asr_build.c: the grammar's search made again with a wider word beam
 * ("menu" -> "menu_wide"), or back; 0, or -1 with no grammar search left. */
int asr_menu_widen(asr_t *a);
int asr_menu_narrow(asr_t *a);

/* asr_scores.c */
void asr_scores_open(asr_t *a);          /* makes a->sendir, or leaves it NULL */
void asr_scores_close(asr_t *a);         /* removes it */
void asr_scores_clear(asr_t *a);         /* empties it for a new turn */
double asr_scores_make(asr_t *a, size_t n, char *err, size_t errlen);
const char *asr_scores_for(asr_t *a, ps_decoder_t *ps);

#endif
