/* asr.c: one customer turn through pocketsphinx (see asr.h).
 *
 * Two decoders, loaded once, hold seven searches over the same acoustic model:
 *   "free"    the general English trigram of pocketsphinx-en-us -> free_text; a request
 *             for a person in it pages at once (asr_decode_early), the rest is skipped
 *   "loop"    any sequence of the grammar's words              -> a second opinion
 *             ("loop_wide": the same with a wider word beam, searched only when
 *             "loop" finds no path: 3-4 turns of the ~870 of the development set)
 * on the main decoder, run one after the other, and
 *   "phones"  a context-independent phone loop (phone bigram)  -> speech?, the yardstick
 *   "menu"    the menu's grammar, as its minimal deterministic FSG (fsgmin.c) -> heard
 *   ("menu_wide": the same with a wider word beam, made only for a turn
 *   the grammar found no path through: "The grammar again", below)
 * on a second decoder that knows only the grammar's words, on its own thread,
 * started first.  The live kiosk waits for all of them after the customer
 * stops speaking, so the two decoders share the work on the two cores about
 * evenly.  The second decoder also holds
 *   "nfa"     the grammar as sphinxbase built it, before fsgmin.c -> nfa_text,
 *             run after the others on short doubtful turns only (ASR_NFA_MAX_MS)
 *   "answer"  the answers to the question just asked (asr_set_answer), after
 *             "menu" on the grammar's thread -> answer_text ("The answer first")
 *   "one"     one item at most (menu_one_grammar), after "menu" when it heard
 *             more than one item ("One item first")
 * and costs about 60 MB (the acoustic model again, both grammars' lexical
 * trees; no dictionary).  The turn's acoustic scores come from ptm.c (below:
 * "Shared scores"); only for a model ptm.c does not score is there a third
 * decoder, pocketsphinx's scorer, with
 *   "score"   silence alone: it is there to score the turn.
 * Each search decodes the turn as one whole utterance (full_utt: batch CMN
 * over the whole file, pauses included); the same turn gives the same
 * features and words whether its passes share a decoder or not (checked on
 * espeak-ng turns).  The free pass comes first on the main decoder because
 * it is the one that finds "uh do you have tacos... let me talk to someone"
 * (the grammar cannot), and it is cheap: the page goes out without waiting
 * for the others.
 *
 * A smaller vocabulary.  The free pass used the whole CMU dictionary (134 723
 * pronunciations) over the language model's 72 547 words: 13 MB of
 * dictionary and 17 MB of lexical tree, and the search spread over words no
 * customer says at a drive-through.  It now knows the ASR_FREE_WORDS (20 000)
 * words of highest unigram probability and every word of the menu's grammar
 * (write_free_dict(), a dictionary file written into the shared scores'
 * folder for ps_init and removed at once; the whole dictionary when there is
 * no folder).  On 9 turns (make bench) the free pass went from 0.054-0.058x
 * to 0.043-0.045x real time with the same free text on 8 of 9 (and a better
 * one on the 9th), and peak memory at start-up from 211 to 172 MiB.
 *
 * Requests for a person in the free pass.  The general model found "um i
 * need help" less likely than "oh minute though", and "is there a person
 * there" than "is there a third and error", so those turns paged
 * low_confidence rather than human_request.  A small bigram model of the
 * requests (asr_write_human_lm: the menu's human: phrases and the built-ins,
 * alone and after the ways into them, "can i talk to") is written into the
 * scores folder and added to the free search's set of models (add_human_lm).  The set mixes scores after the language weight,
 * so a weight of w^lw makes a word about max(P_general, w * P_human) likely:
 * w = ASR_HUMAN_LM_WEIGHT, 0.3.  On the development set (clean / 10 dB)
 * human_request recall went from 95.1 / 93.4 % to 98.4 / 93.4 %; it also
 * hears "somebody" in a few orders that it garbles ("could we get a
 * breakfast sandwich" -> "completed somebody that sandwich"), which page
 * the crew.  The set keeps the logmath it was read with: it must outlive
 * the decoder (a->lmath; freed with it, it was a use-after-free).
 *
 * The grammar again.  On 5 of the 242 clean orders of the development set
 * (and more at 10 dB) the grammar's pass found no path to the grammar's end
 * ("Final result does not match the grammar"), so heard was "" and a plain
 * "a large latte" paged out_of_menu.  The best path at the last frame was
 * "a large latte the": the quiet after the turn taken for the start of a
 * word, and every path that ended the sentence more than the word beam
 * (-wbeam 1e-40) behind it.  With -wbeam 1e-60 all five are heard, but on
 * every turn that costs 35-70 % more time and 50-120 MB more for a batch's
 * history.  So only a turn with no path is searched again with it
 * ("menu_wide", menu_remake: the search freed and made again from the same
 * FSG, so that two lexical trees of 50 MB are never held at once, then
 * "menu" made again the same way; "a large latte" took 0.41 s instead of
 * 0.14 s).  Not when the free pass took a request for a person (nobody
 * reads the grammar then: the grammar's thread waits for the free pass's
 * verdict, job.verdict), nor when the phone loop heard no speech.
 * Development set (clean / 10 dB): auto-correct 90.5 / 74.4 % -> 92.6 /
 * 75.2 %, paged without need 7.9 / 22.7 % -> 5.8 / 21.9 %, every other
 * figure the same: the same figures as -wbeam 1e-60 on every turn, and the
 * set decoded in the same time (0.23-0.24 x real time).  A batch that needs
 * it often peaks higher all the same (40 turns decoded with the other
 * sample menu: 207 -> 226 MB), as glibc hands the thread's new tree memory
 * of its own arena.  Cutting the quiet after a turn short instead (300 ms
 * kept) heard four of the five but moved the other turns: silent-wrong
 * 0.8 -> 1.7 % clean.  The "nfa" search (ASR_NFA_MAX_MS) has the same word
 * beam and is not searched again.
 *
 * Shared scores.  Two fifths of the decoding time went to the acoustic
 * model's Gaussians (ptm_mgau_frame_eval, by perf), computed again by every
 * pass for the same frames.  So the scorer, on the grammar's thread, scores
 * every senone of every frame once (-compallsen) and pocketsphinx writes the
 * scores to a file (-senlogdir: a folder of our own made with mkdtemp in
 * $TMPDIR, else /dev/shm, else /tmp: about 1 MB per second of speech, emptied
 * at every turn and removed by asr_free; /dev/shm is memory, so the turns do
 * not wear a kiosk's flash card, and Docker's default 64 MB of it holds a
 * turn of a minute); every other pass then reads them (ps_decode_senscr)
 * instead of scoring.  The main thread waits for the file before its free
 * pass.  On 9 turns (make bench): all passes 0.25 -> 0.19 CPU seconds per
 * second of speech, the wall time about the same (the free pass starts later
 * but runs faster).  Scores computed for all senones are normalised per
 * frame to the best of all (a pass scoring for itself normalises to the best
 * of those it needs), so the passes now compare on one scale; the margins
 * moved and the confidence model was fitted again.  Two limits of
 * pocketsphinx 5prealpha shape this:
 *   - a decoder that decoded audio with full_utt must not read a score file
 *     afterwards (acmod_process_full_cep grows its feature buffer but not the
 *     frame positions that reading writes into: a heap overflow, found with
 *     valgrind).  Hence a decoder of its own for scoring, which never reads;
 *     and when a turn's scores go missing (the folder removed, the disk full)
 *     every pass scores for itself from then on (noshare), never reading
 *     again;
 *   - reading does not work with the n-gram search's phone lookahead
 *     (-pl_window: it seeks back in the file, and the next frame is then read
 *     from the wrong place): the free pass runs without it (-pl_window 0),
 *     which on these turns gave the same free text but for a word or two.
 * The scorer is now ptm.c: the same scores, written as the same file, byte
 * for byte (tests/unit/test_ptm.c; test_ptm_scorer_same in test_asr.c checks
 * that every figure of a turn is the same), but the Gaussians of a codebook
 * are computed side by side and 16 senones at a time, with no decoder and no
 * search.  On make bench's 9 turns: scoring 0.046 -> 0.010 x real time, all
 * passes 0.170 -> 0.138 CPU seconds per second of speech, wall 0.120 ->
 * 0.086; the scorer decoder's 4 MB are gone.  With asr_config_t.ps_scorer,
 * or a model that is not PTM, pocketsphinx's decoder scores as before (it
 * decodes audio, so it never reads a score file: the first limit above).
 *
 * The confidence is calibrated (issue 3): the evidence below and more (the
 * loop's agreement with the grammar, the free pass's, the level of the
 * signal) goes into conf_calibrate() (confidence.c), a logistic model fitted
 * on the development set by tests/speech/fit_confidence.py.  The margin and
 * the constants below still decide one thing: whether words were forced onto
 * noise.
 *
 * No speech.  Nothing was said when no 25 ms stretch of the turn is louder
 * than SILENCE_RMS (-55 dBFS: a voice at the post is 20 dB or more above it;
 * batch CMN takes the level away, so the decoder alone cannot tell
 * near-silence from speech), or when both the phone loop finds nothing but
 * silence and noise fillers (SIL, +NSN+, +SPN+) and the grammar heard nothing
 * or heard it with confidence below NOISE_CONF.  Then heard and free_text are
 * "" and confidence 0 (the free pass is skipped).  Either test alone is not
 * enough: the grammar, with its wide beams, "hears" "no" or "yeah" in steady
 * noise (white, pink, brown, hum, tones: the phone loop found only SIL in all
 * of them), and the context-independent phone loop explained one whole
 * espeak-ng turn ("make it a venti") as SIL.
 *
 * Confidence.  Each word the grammar heard is compared with the phone loop
 * over the same frames.  The phone loop may put any phone after any other, so
 * where the grammar's words are what was said the two score about the same;
 * where the grammar forced its words onto sounds they do not fit (an order
 * off the menu, one word misheard) the phone loop scores far better.  And the
 * grammar may explain sounds it cannot match as silence or noise fillers
 * ("make it a venti" heard as <sil> grande <sil>): so the share of the turn's
 * loud frames that lie inside heard words counts too.  With
 *     d(w)     = ascr of word w - phone-loop ascr of w's frames
 *     mean     = sum of d(w) / frames of all words
 *     worst    = min over words of d(w) / frames of w
 *     coverage = loud frames inside words / loud frames, where a frame is loud
 *                when its energy is within 30 dB of the turn's loudest, 10 dB
 *                above the quietest tenth of the turn and above SILENCE_RMS
 *     margin   = (mean + worst) / 2 - COVER_WEIGHT * (1 - coverage)
 *     confidence = 1 / (1 + exp(-(margin - CONF_MID) / CONF_SCALE))
 * in pocketsphinx score units (log base 1.0001 of the likelihood, shifted
 * right by 10 bits: one unit is about 0.1 nat) per 10 ms frame.  The mean
 * sees a turn that is wrong throughout, the worst word one misheard word in a
 * turn otherwise right ("sweet tea" for "extra cheese"), the coverage words
 * swallowed by fillers.  Only acoustic scores are compared: the grammar's and
 * the phone bigram's language scores are not on one scale.  Silence between
 * words is in none of the terms, so pauses do not change the margin.
 *   The constants come from 88 espeak-ng turns decoded with menus/burger.yaml
 * (70 on the menu: 3 voices x 2 speeds, 10 of them with pink noise; 10 off
 * the menu; 8 of silence, noise and tones).  Of the 76 where the grammar
 * heard words, 51 were right (as parsed: "cheese burger" = "cheeseburger")
 * and 25 wrong.  How well each ranks right above wrong (AUC): mean 0.80,
 * worst 0.79, (mean + worst) / 2 0.815, with the coverage term at weight 20,
 * 40, 60, 100: 0.85, 0.88, 0.89, 0.90.  COVER_WEIGHT = 60; the margins of
 * right turns then have median -49, of wrong ones -70, and CONF_MID = -60,
 * CONF_SCALE = 7 give 0.8 and 0.2 there.  espeak-ng is far from the speakers
 * the model was trained on (real speech should score higher margins), so
 * issue 3 calibrates these on the development speech set: asr_result_t
 * carries margin, word_frames and coverage for it.
 *   The phone loop is context-independent: the triphone loop costs 5x real
 * time, this one 0.04x.  It is no strict upper bound of the grammar's triphone
 * scores (a clear "yes" scores above it), hence a mapping, not a threshold at 0.
 *
 * Digital silence.  Synthesised or gated audio has runs of exact zeros whose
 * log energy is -inf; the decoder then loses words next to them (espeak-ng
 * turns resampled by us, without dither, lost whole words).  A triangular
 * dither of +-63 LSB (about -62 dBFS RMS, the noise floor of a quiet real
 * microphone), from a fixed seed per turn, is added to a copy of the turn:
 * the same turn always decodes the same way (sphinx's own
 * -dither seeds its generator from the clock, once, and lets it run on across
 * passes and turns).  For the same reason two parts of the front end that
 * adapt across utterances are off: the voice activity detector
 * (-remove_silence no; the three passes of one turn saw different frames) and
 * the spectral noise subtraction (-remove_noise no; a turn decoded after
 * another scored differently than alone).  Without noise subtraction 41 of 70
 * espeak-ng turns were heard exactly (as parsed), with it 39.  The dither's
 * size was measured on the 26 single turns of the speech set kept with exact
 * digital silence (heard word for word): none 9, +-15 LSB 17, +-63 LSB 24,
 * +-255 LSB 21, +-1020 LSB 18.
 *
 * The answer first.  After "What size?", "Which drink?" or "Is that right?"
 * the customer mostly answers, in a word or two, and the whole menu's
 * grammar, thousands of sentences wide, is a poor place to look for one
 * word: its beams and HMM cap prune the answer's path, or a longer sentence
 * wins.  So the caller hands over a small grammar of the answers
 * (menu_answer_grammar: the sizes, the choices, yes and no, a request for a
 * person: a few dozen sentences, a lexical tree of kilobytes) and it is
 * searched after the menu's, from the same shared scores, as a deterministic
 * FSG like "menu" (as sphinxbase builds it, the same words scored 0-400
 * worse than in "menu", which made the two incomparable).  Every answer
 * sentence is a menu sentence too, and neither grammar has weights, so the
 * answer search's words are taken only when its best path is no worse than
 * the menu grammar's both in acoustic score (fillers and silence included,
 * over the same frames) and in path score: then the menu search lost a path
 * it should have found.  Otherwise the menu grammar's words stand, as
 * without a question, so corrections and new orders are heard as before;
 * and when the menu grammar heard nothing the answer is not taken either.
 * The acoustic score alone is not enough: at 10 dB a "that's it" after "What
 * size?" was heard by the menu grammar as "and venti chai" (0.30: paged) and
 * by the answer grammar as "venti", acoustically better by 135 but 202 worse
 * as a path, and at 0.94 it would have set the size silently.  The words
 * taken go through the same confidence (the phone loop, the word loop, the
 * free text) and threshold as any other.
 *
 * One item first.  Neither grammar has weights, so the menu grammar's best
 * path is simply the sentence that fits the sounds best, and in noise that
 * is often an order with more in it than was said: kitchen noise heard as a
 * second item ("... espresso ten lattes an mocha" for "an espresso with lots
 * of soy milk").  Drive-through turns are mostly one item, so that sentence
 * deserves a prior the menu grammar cannot give.  When the menu grammar's
 * words are more than one item (fsg_accepts() on the "one" search's FSG says
 * no), the turn is searched again with menu_one_grammar(): the same
 * sentences but one item at most (requests for a person, changes and
 * closings all still there), a deterministic FSG like "menu" with its beams,
 * from the same shared scores.  Its words are taken when its path score is
 * at most ASR_ONE_BONUS worse than the menu grammar's; a second item that was
 * really said costs the one-item path far more than that (espeak-ng's "a
 * large latte and a banana bread": 3330, "an cheeseburger and a large coke":
 * 1688), a second item made of noise a few hundred.  The words taken go
 * through the same confidence and threshold as any other.  A turn already
 * of one item costs nothing more.
 *
 * Ownership: result strings belong to the asr_t until the next decode. */
#include "asr.h"

#include <dirent.h>
#include <errno.h>
#include <malloc.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <pocketsphinx.h>
#include <sphinxbase/ckd_alloc.h>
#include <sphinxbase/err.h>
#include <sphinxbase/fsg_model.h>
#include <sphinxbase/hash_table.h>
#include <sphinxbase/jsgf.h>
#include <sphinxbase/ngram_model.h>

#include "../audio/wav.h"
#include "../util/util.h"
#include "../menu/lexicon.h"
#include "fsgmin.h"
#include "ptm.h"

#define DEFAULT_MODEL_DIR "/usr/share/pocketsphinx/model/en-us"
#define CONF_MID   (-60.0)
#define CONF_SCALE 7.0
#define COVER_WEIGHT 60.0
#define MAX_TURN_SECONDS 120
#define SILENCE_RMS 58.0       /* -55 dBFS in 16-bit samples */
#define LOUD_RANGE_DB 30.0     /* loud: within this of the loudest frame... */
#define LOUD_ABOVE_DB 10.0     /* ...and this above the quietest tenth */
#define NOISE_CONF 0.05
#define SILENCE_DB (20.0 * log10(SILENCE_RMS))

/* Settings in force while one search is built (pocketsphinx reads them when
 * a search is created), then put back; cmd_ln keeps booleans as ints. */
typedef struct {
    const char *name;
    int is_float;
    double value;
} setting_t;

/* The grammar pass decides the order, so it gets wide beams: the menu's
 * grammar is large (burger.yaml: 3220 FSG states, 17543 arcs) and with the
 * default beams (1e-48, 1e-48, 7e-29) the right path was pruned on 5 of 70
 * espeak-ng turns, which then matched nothing at all; with these, none.  It
 * costs 0.15x -> 0.30x real time (CPU); capping the active HMMs at 10000 a
 * frame (default 30000) brings that to 0.26x with the same results. */
static const setting_t menu_settings[] = {
    { "-beam", 1, 1e-60 },
    { "-pbeam", 1, 1e-60 },
    { "-wbeam", 1, 1e-40 },
    { "-maxhmmpf", 0, 10000 },
};

/* The free pass only feeds the crew's screen, so it trades a little accuracy
 * for speed: no second (flat-lexicon) pass, at most 2000 active HMMs and 10
 * word exits per frame.  On espeak-ng turns: 0.22x -> 0.08x real time, word
 * error rate unchanged (72.5% vs 72.5%: espeak-ng is far from the model's
 * speakers; the grammar pass is what must be right). */
static const setting_t free_settings[] = {
    { "-fwdflat", 0, 0 },
    { "-maxhmmpf", 0, 2000 },
    { "-maxwpf", 0, 10 },
};

/* The grammar searched again, only when it found no path (menu_again):
 * the word beam as wide as the beam. */
static const setting_t menu_wide_settings[] = {
    { "-wbeam", 1, 1e-60 },
};

/* The word loop searched again, only when it found no path with the
 * default beams (set_loop). */
static const setting_t loop_wide_settings[] = {
    { "-wbeam", 1, 1e-40 },
};

/* The phone loop on context-independent phones: 0.04x real time, where the
 * triphone loop takes 5x. */
static const setting_t phone_settings[] = {
    { "-allphone_ci", 0, 1 },
};

#define NSET(t) (sizeof (t) / sizeof (t)[0])
#define MAX_SETTINGS 4
_Static_assert(NSET(menu_settings) <= MAX_SETTINGS && NSET(free_settings) <= MAX_SETTINGS &&
               NSET(loop_wide_settings) <= MAX_SETTINGS && NSET(menu_wide_settings) <= MAX_SETTINGS &&
               NSET(phone_settings) <= MAX_SETTINGS, "raise MAX_SETTINGS");

/* The phone loop's and the menu grammar's passes, on the second decoder and
 * its thread (see the top). */
typedef struct {
    pthread_t thread;
    int running;              /* started and not yet joined */
    int verdict;              /* the free pass's: VERDICT_PENDING until it is done, then
                                 VERDICT_ABANDONED when the caller took its request for a person
                                 (nobody reads this turn's grammar), else VERDICT_GO_ON; under
                                 senmu, signalled on sencv */
    size_t n;                 /* samples of a->buf to decode */
    double *energy;           /* the turn's frame energies (owned: the thread may outlive the call) */
    int nen;
    int rc;
    char err[256];
    const char *hyp;          /* owned by the grammar decoder */
    char *heard;              /* hyp, cleaned (clean_hyp; owned) */
    long score;
    double ms;                /* the grammar's pass */
    int speech;               /* the phone loop heard speech */
    double grammar_ascr;      /* the grammar's best path, fillers included */
    asr_result_t r;           /* phone_score, frames, phone_ms, and weigh_words()' fields */
    char *answer;             /* what the answer search heard (clean_hyp; owned), NULL when not run */
} menu_job_t;

struct asr_s {
    ps_decoder_t *ps;         /* free, phones and loop passes */
    cmd_ln_t *config;
    ps_decoder_t *gps;        /* the menu grammar's pass (NULL without a menu) */
    cmd_ln_t *gconfig;
    menu_job_t job;
    int free_pass;
    int one_thread;
    ps_decoder_t *phones_ps;  /* the decoder with the "phones" search: gps with a menu, else ps */
    int has_menu;             /* the "menu" search exists */
    int has_nfa;              /* the "nfa" search exists: the grammar as sphinxbase built it */
    int has_one;              /* the "one" search exists: one item at most (menu_one_grammar) */
    long one_bonus;           /* its margin over "menu" (ASR_ONE_BONUS; KIOSK_ONE_BONUS) */
    char *heard, *free_text, *loop_text, *nfa_text, *answer_text;
    char *answer_jsgf;        /* the "answer" search's grammar (asr_set_answer), NULL: none */
    int *span;                /* the heard words' frames and acoustic scores: sf, ef, ascr per word */
    int nspan, capspan;
    int16_t *buf;             /* the dithered copy of the turn */
    size_t bufcap;
    /* Shared scores (see the top): NULL dir when every pass scores for itself */
    ptm_t *ptm;               /* the scorer (ptm.c), when the model is one it scores */
    ps_decoder_t *sps;        /* else pocketsphinx's, writing every senone's score */
    cmd_ln_t *sconfig;
    int noshare;              /* a turn's scores went missing: each pass scores itself from then on */
    logmath_t *lmath;         /* the free pass's language models' (not retained by them) */
    int has_loop_wide;        /* the "loop_wide" search is there (set_loop) */
    int menu_again;           /* search the grammar again when it finds no path (menu_remake) */
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

static int empty_folder(const char *dir);
static void scores_sweep(const char *tmp);
static const char *scores_parent(void);

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int readable(const char *path)
{
    return access(path, R_OK) == 0;
}

static void settings_push(cmd_ln_t *c, const setting_t *set, size_t n, double *saved)
{
    for (size_t i = 0; i < n; i++) {
        if (set[i].is_float) {
            saved[i] = cmd_ln_float_r(c, set[i].name);
            cmd_ln_set_float_r(c, set[i].name, set[i].value);
        } else {
            saved[i] = (double)cmd_ln_int_r(c, set[i].name);
            cmd_ln_set_int_r(c, set[i].name, (long)set[i].value);
        }
    }
}

static void settings_pop(cmd_ln_t *c, const setting_t *set, size_t n, const double *saved)
{
    for (size_t i = 0; i < n; i++) {
        if (set[i].is_float) cmd_ln_set_float_r(c, set[i].name, saved[i]);
        else cmd_ln_set_int_r(c, set[i].name, (long)saved[i]);
    }
}

/* Words from the decoder that are not words the customer said. */
static int is_filler(const char *w)
{
    return w[0] == '<' || w[0] == '[' || w[0] == '+' || w[0] == '(' || w[0] == '\0';
}

/* A hypothesis without fillers and without alternate-pronunciation marks
 * ("coke(2)" -> "coke"), words separated by single spaces. */
static char *clean_hyp(const char *hyp)
{
    strbuf_t b = {0};
    strbuf_append(&b, "");
    if (!hyp) return strbuf_steal(&b);
    const char *p = hyp;
    while (*p) {
        while (*p == ' ') p++;
        const char *s = p;
        while (*p && *p != ' ') p++;
        size_t len = (size_t)(p - s);
        if (len == 0) break;
        char *w = xstrndup(s, len);
        if (!is_filler(w)) {
            char *paren = strchr(w, '(');
            if (paren && paren != w) *paren = '\0';
            if (b.len) strbuf_append(&b, " ");
            strbuf_append(&b, w);
        }
        free(w);
    }
    return strbuf_steal(&b);
}

/* When the grammar does not compile: the words pocketsphinx does not know,
 * which is nearly always why. */
static void explain_grammar(ps_decoder_t *ps, fsg_model_t *f, char *err, size_t errlen)
{
    strbuf_t b = {0};
    int shown = 0;
    for (int i = 0; f && i < fsg_model_n_word(f) && shown < 8; i++) {
        const char *w = fsg_model_word_str(f, i);
        if (is_filler(w)) continue;
        char *ph = ps_lookup_word(ps, w);
        if (ph) {
            ckd_free(ph);
            continue;
        }
        strbuf_printf(&b, "%s%s", shown++ ? ", " : "", w);
    }
    if (shown)
        snprintf(err, errlen, "menu grammar: the decoder does not know %s; run `kiosk menu check` "
                 "on the menu and add pronunciations", strbuf_cstr(&b));
    else
        snprintf(err, errlen, "menu grammar: pocketsphinx could not compile it; see "
                 "`kiosk menu grammar` for the text");
    strbuf_free(&b);
}

/* Teaches the decoder the menu's own words.  Words it knows already (taught
 * by an earlier menu) are skipped; the searches are rebuilt once, with the
 * last word. */
static int teach_words(ps_decoder_t *ps, const strlist_t *words, const strlist_t *phones,
                       char *err, size_t errlen)
{
    strlist_t todo = {0}, todo_ph = {0};
    for (int i = 0; i < words->n && i < phones->n; i++) {
        char *have = ps_lookup_word(ps, words->v[i]);
        if (have) {
            ckd_free(have);
            continue;
        }
        strlist_push(&todo, words->v[i]);
        strlist_push(&todo_ph, phones->v[i]);
    }
    int ret = 0;
    for (int i = 0; i < todo.n && ret == 0; i++) {
        if (ps_add_word(ps, todo.v[i], todo_ph.v[i], i == todo.n - 1) < 0) {
            snprintf(err, errlen, "menu word \"%s\" (%s): the decoder refused its pronunciation; "
                     "run `kiosk menu check` on the menu", todo.v[i], todo_ph.v[i]);
            ret = -1;
        }
    }
    strlist_free(&todo);
    strlist_free(&todo_ph);
    return ret;
}

/* The grammar's words, each once, as JSGF alternatives ("a | an | two ...")
 * appended to b; returns how many. */
static int grammar_words(fsg_model_t *grammar, strbuf_t *b)
{
    int n = 0;
    strlist_t seen = {0};
    for (int i = 0; i < fsg_model_n_word(grammar); i++) {
        const char *w = fsg_model_word_str(grammar, i);
        if (is_filler(w)) continue;
        /* "an(2)": the decoder tries every pronunciation of "an" anyway */
        char *base = xstrndup(w, strcspn(w, "("));
        if (strlist_index(&seen, base) < 0) {
            strbuf_printf(b, "%s%s", n++ ? " | " : "", base);
            strlist_push(&seen, base);
        }
        free(base);
    }
    strlist_free(&seen);
    return n;
}

/* The scorer's search, "score": silence alone, as little search as can be;
 * the decoder is there for its senone scores. */
static int set_scorer(asr_t *a)
{
    fsg_model_t *f = fsg_model_init("score", ps_get_logmath(a->sps), 1.0, 2);
    fsg_model_trans_add(f, 0, 1, 0, fsg_model_word_add(f, "<sil>"));
    f->start_state = 0;
    f->final_state = 1;
    int rc = ps_set_fsg(a->sps, "score", f);
    fsg_model_free(f);
    return rc;
}

/* The "loop" search: any sequence of the grammar's words, in any order.
 * Where the grammar's words are what was said, the loop mostly finds them
 * too; where the grammar forced its sentences onto sounds they do not fit,
 * the loop goes its own way.  Built with the decoder's default beams. */
static int set_loop(asr_t *a, fsg_model_t *grammar, char *err, size_t errlen)
{
    if (!grammar) {
        snprintf(err, errlen, "menu grammar: no grammar to build the word loop from");
        return -1;
    }
    strbuf_t b = {0};
    strbuf_append(&b, "#JSGF V1.0;\ngrammar loop;\npublic <loop> = <w>+;\n<w> = ");
    int n = grammar_words(grammar, &b);
    strbuf_append(&b, ";\n");
    jsgf_t *j = n ? jsgf_parse_string(strbuf_cstr(&b), NULL) : NULL;
    jsgf_rule_t *rule = j ? jsgf_get_public_rule(j) : NULL;
    fsg_model_t *f = rule ? jsgf_build_fsg(j, rule, ps_get_logmath(a->ps),
                                           cmd_ln_float32_r(a->config, "-lw")) : NULL;
    int ret = 0;
    if (!f || ps_set_fsg(a->ps, "loop", f) < 0) {
        snprintf(err, errlen, "menu grammar: the loop over its %d words did not compile", n);
        ret = -1;
    } else {
        double saved[MAX_SETTINGS];
        settings_push(a->config, loop_wide_settings, NSET(loop_wide_settings), saved);
        a->has_loop_wide = ps_set_fsg(a->ps, "loop_wide", f) == 0;
        settings_pop(a->config, loop_wide_settings, NSET(loop_wide_settings), saved);
    }
    if (f) fsg_model_free(f);
    if (j) jsgf_grammar_free(j);
    strbuf_free(&b);
    return ret;
}

/* The grammar's decoder knows only the grammar's words: each, with every
 * pronunciation ("an", "an(2)"), as the main decoder has them (the CMU
 * dictionary and the menu's words taught to it). */
static int copy_words(asr_t *a, fsg_model_t *f)
{
    for (int i = 0; i < fsg_model_n_word(f); i++) {
        const char *w = fsg_model_word_str(f, i);
        if (is_filler(w)) continue;
        char *have = ps_lookup_word(a->gps, w);
        if (have) {
            ckd_free(have);
            continue;
        }
        for (int k = 1;; k++) {
            char *name = k == 1 ? xstrdup(w) : xasprintf("%s(%d)", w, k);
            char *ph = ps_lookup_word(a->ps, name);
            int rc = ph ? ps_add_word(a->gps, name, ph, FALSE) : 0;
            if (ph) ckd_free(ph);
            free(name);
            if (!ph) break;
            if (rc < 0) return -1;
        }
    }
    return 0;
}

/* The FSG of JSGF text (its public rule) for the grammar's decoder, or NULL
 * when sphinxbase cannot parse it.  jsgf_parse_string + jsgf_build_fsg
 * rather than ps_set_jsgf_string, which in 5prealpha never frees the parsed
 * JSGF. */
static fsg_model_t *grammar_fsg(asr_t *a, const char *jsgf)
{
    jsgf_t *j = jsgf ? jsgf_parse_string(jsgf, NULL) : NULL;
    jsgf_rule_t *rule = j ? jsgf_get_public_rule(j) : NULL;
    fsg_model_t *f = rule ? jsgf_build_fsg(j, rule, ps_get_logmath(a->gps),
                                           cmd_ln_float32_r(a->gconfig, "-lw")) : NULL;
    if (j) jsgf_grammar_free(j);
    return f;
}

/* The "one" search (see "One item first" at the top): menu_one_grammar() as
 * a deterministic FSG like "menu" (the same words must score the same in
 * both), with the menu's beams.  0, or -1: no such search. */
static int set_one(asr_t *a, const menu_t *m)
{
    char *g = menu_one_grammar(m);
    fsg_model_t *f = grammar_fsg(a, g);
    char why[128];
    fsg_model_t *small = f ? fsg_minimize(f, why, sizeof why) : NULL;
    int ret = -1;
    if (small) {
        double saved[MAX_SETTINGS];
        settings_push(a->gconfig, menu_settings, NSET(menu_settings), saved);
        ret = ps_set_fsg(a->gps, "one", small);
        settings_pop(a->gconfig, menu_settings, NSET(menu_settings), saved);
        fsg_model_free(small);
    }
    if (f) fsg_model_free(f);
    free(g);
    return ret;
}

static int set_grammar(asr_t *a, const menu_t *m, char *err, size_t errlen)
{
    char *g = menu_grammar(m);
    fsg_model_t *f = grammar_fsg(a, g);
    char why[128];
    fsg_model_t *small = f ? fsg_minimize(f, why, sizeof why) : NULL;
    int ret = 0;
    if (!f) {
        snprintf(err, errlen, "menu grammar: sphinxbase could not parse it; see "
                 "`kiosk menu grammar` for the text");
        ret = -1;
    } else if (copy_words(a, f) < 0 || ps_set_fsg(a->gps, "menu", small ? small : f) < 0) {
        explain_grammar(a->gps, f, err, errlen);
        ret = -1;
    } else if (small) {                /* see ASR_NFA_MAX_MS; the menu's wide beams */
        a->has_nfa = ps_set_fsg(a->gps, "nfa", f) == 0;
    }
    if (small) fsg_model_free(small);  /* the searches keep their own references */
    if (f) fsg_model_free(f);
    free(g);
    if (ret == 0 && a->one_bonus > 0) a->has_one = set_one(a, m) == 0;
    return ret;
}

typedef struct {
    int32 wid, score;
} word_score_t;

static int by_score(const void *x, const void *y)
{
    const word_score_t *a = x, *b = y;
    return (b->score > a->score) - (b->score < a->score);
}

/* Writes to out the lines of the pronunciation dictionary model_dict (the
 * CMU dictionary of pocketsphinx-en-us, alternates included) for the
 * ASR_FREE_WORDS most probable words of lmodel and every word of m's
 * grammar: the free pass's vocabulary.  0, or -1 when a file failed. */
static int write_free_dict(const char *model_dict, ngram_model_t *lmodel, const menu_t *m,
                           const char *out)
{
    int n = (int)ngram_model_get_counts(lmodel)[0];
    word_score_t *v = xmalloc((size_t)(n > 0 ? n : 1) * sizeof *v);
    for (int i = 0; i < n; i++) {
        int32 used;
        v[i].wid = i;
        v[i].score = ngram_ng_score(lmodel, i, NULL, 0, &used);
    }
    qsort(v, (size_t)n, sizeof *v, by_score);
    hash_table_t *keep = hash_table_new(2 * ASR_FREE_WORDS, HASH_CASE_YES);
    for (int i = 0; i < n && i < ASR_FREE_WORDS; i++)
        hash_table_enter_int32(keep, ngram_word(lmodel, v[i].wid), 1);
    free(v);
    /* the grammar's words: its text outside <rules> and // comments */
    strlist_t gw = {0};
    char *g = menu_grammar(m);
    for (const char *p = g ? g : ""; *p;) {
        if (p[0] == '/' && p[1] == '/') {
            while (*p && *p != '\n') p++;
        } else if (*p == '<') {
            while (*p && *p != '>') p++;
        } else if ((*p >= 'a' && *p <= 'z') || *p == '\'') {
            const char *s = p;
            while ((*p >= 'a' && *p <= 'z') || *p == '\'') p++;
            char *w = xstrndup(s, (size_t)(p - s));
            strlist_push(&gw, w);
            free(w);
            continue;
        }
        if (*p) p++;
    }
    free(g);
    for (int i = 0; i < gw.n; i++) hash_table_enter_int32(keep, gw.v[i], 1);

    int rc = -1;
    FILE *in = fopen(model_dict, "r"), *o = fopen(out, "w");
    if (in && o) {
        char line[1024];
        while (fgets(line, sizeof line, in)) {
            size_t len = strcspn(line, " \t(");
            char c = line[len];
            line[len] = '\0';
            int32 yes;
            int found = hash_table_lookup_int32(keep, line, &yes) == 0;
            line[len] = c;
            if (found) fputs(line, o);
        }
        rc = ferror(in) ? -1 : 0;
    }
    if (in) fclose(in);
    if (o && fclose(o) != 0) rc = -1;
    hash_table_free(keep);
    strlist_free(&gw);
    return rc;
}

/* The sentences of the human-phrase model: every phrase of m->human (the
 * built-ins and the menu's) alone and after every lead of lex_human_lead
 * ("can i talk to"), with "a" and "the" before a phrase that has no article
 * of its own.  (Leads the grammar does not have, "is there a", "i need to
 * talk to", made "i need help" less likely after "i need" and lost one
 * request on the development set: 96.7 % against 98.4 %.) */
static void human_sentences(const menu_t *m, strlist_t *out)
{
    for (int i = 0; i < m->human.n; i++) {
        const char *h = m->human.v[i];
        int bare = strncmp(h, "a ", 2) != 0 && strncmp(h, "an ", 3) != 0 && strncmp(h, "the ", 4) != 0;
        strlist_push(out, h);
        for (int l = 0; lex_human_lead[l]; l++) {
            strlist_pushf(out, "%s %s", lex_human_lead[l], h);
            if (!bare) continue;
            strlist_pushf(out, "%s a %s", lex_human_lead[l], h);
            strlist_pushf(out, "%s the %s", lex_human_lead[l], h);
        }
    }
}

/* A bigram model of the requests for a person (human_sentences), for the
 * free pass to weigh in beside the general one (ASR_HUMAN_LM_WEIGHT):
 * absolute discounting (0.5) of the bigrams, the rest backed off to add-one
 * unigrams. */
int asr_write_human_lm(const menu_t *m, const char *path)
{
    strlist_t sent = {0}, vocab = {0};
    human_sentences(m, &sent);
    strlist_push(&vocab, "<s>");
    strlist_push(&vocab, "</s>");
    /* the words as indexes into vocab, each sentence between <s> and </s> */
    int cap = 64, n = 0, *seq = xmalloc((size_t)cap * sizeof *seq);
    for (int i = 0; i < sent.n; i++) {
        strlist_t w = {0};
        split_words(sent.v[i], &w);
        for (int j = -1; j <= w.n; j++) {
            int id = j < 0 ? 0 : j == w.n ? 1 : strlist_index(&vocab, w.v[j]);
            if (id < 0) {
                strlist_push(&vocab, w.v[j]);
                id = vocab.n - 1;
            }
            if (n == cap) seq = xrealloc(seq, (size_t)(cap *= 2) * sizeof *seq);
            seq[n++] = id;
        }
        strlist_free(&w);
    }
    int V = vocab.n;
    int *uni = xcalloc((size_t)V, sizeof *uni), *hist = xcalloc((size_t)V, sizeof *hist),
        *types = xcalloc((size_t)V, sizeof *types), *bi = xcalloc((size_t)V * V, sizeof *bi);
    int total = 0;
    for (int k = 0; k < n; k++) {
        if (seq[k] != 0) {
            uni[seq[k]]++;
            total++;
        }
        if (seq[k] != 1 && k + 1 < n) {           /* </s> ends a sentence: no bigram after it */
            if (bi[seq[k] * V + seq[k + 1]]++ == 0) types[seq[k]]++;
            hist[seq[k]]++;
        }
    }
    const double D = 0.5;
    double *p1 = xcalloc((size_t)V, sizeof *p1);
    for (int w = 1; w < V; w++) p1[w] = (uni[w] + 1.0) / (total + V - 1.0);
    int nbi = 0;
    for (int i = 0; i < V * V; i++) nbi += bi[i] > 0;
    FILE *f = fopen(path, "w");
    int rc = -1;
    if (f) {
        fprintf(f, "\\data\\\nngram 1=%d\nngram 2=%d\n\n\\1-grams:\n", V, nbi);
        for (int v = 0; v < V; v++) {
            double bo = 1.0;
            if (hist[v] > 0) {
                double seen = 0;
                for (int w = 0; w < V; w++) if (bi[v * V + w]) seen += p1[w];
                /* every word seen after v: nothing left to back off to */
                bo = seen < 1.0 - 1e-9 ? (D * types[v] / hist[v]) / (1.0 - seen) : 1e-9;
            }
            fprintf(f, "%.6f %s %.6f\n", v == 0 ? -99.0 : log10(p1[v]), vocab.v[v], log10(bo));
        }
        fprintf(f, "\n\\2-grams:\n");
        for (int v = 0; v < V; v++)
            for (int w = 0; w < V; w++)
                if (bi[v * V + w])
                    fprintf(f, "%.6f %s %s\n", log10((bi[v * V + w] - D) / hist[v]), vocab.v[v], vocab.v[w]);
        fprintf(f, "\n\\end\\\n");
        rc = ferror(f) ? -1 : 0;
        if (fclose(f) != 0) rc = -1;
    }
    free(p1); free(uni); free(hist); free(types); free(bi); free(seq);
    strlist_free(&sent);
    strlist_free(&vocab);
    return rc;
}

/* Weighs the human-phrase model (asr_write_human_lm) into the free search's
 * language model set at ASR_HUMAN_LM_WEIGHT (see the top); the set keeps
 * the general model's words.  Nothing changes when the model cannot be
 * written into the scores folder. */
static void add_human_lm(asr_t *a, const menu_t *m, logmath_t *lmath)
{
    double wt = ASR_HUMAN_LM_WEIGHT;
    const char *e = getenv("KIOSK_HUMAN_LM_WEIGHT");
    if (e && *e) wt = atof(e);
    ngram_model_t *set = ps_get_lm(a->ps, "free");
    if (!(wt > 0 && wt < 1) || !a->sendir || !set) return;
    char *path = xasprintf("%s/human.arpa", a->sendir);
    ngram_model_t *h = asr_write_human_lm(m, path) == 0
        ? ngram_model_read(a->config, path, NGRAM_ARPA, lmath) : NULL;
    unlink(path);
    free(path);
    if (!h) return;
    float32 lw = cmd_ln_float32_r(a->config, "-lw");
    ngram_model_apply_weights(h, lw, cmd_ln_float32_r(a->config, "-wip"));
    /* The set mixes the models' scores after the language weight: as
     * probabilities, P_general^lw + w * P_human^lw, which is about
     * max(P_general, wt * P_human)^lw when w = wt^lw.  ngram_model_set_add
     * weighs a model in at its weight / (the number of models). */
    ngram_model_set_add(set, h, "human", (float32)(2 * pow(wt, lw)), TRUE);
    ngram_model_set_interp(set, NULL, NULL);
}

asr_t *asr_create(const asr_config_t *cfg, const menu_t *m, const cmudict_t *d,
                  char *err, size_t errlen)
{
    if (m && !d) {
        snprintf(err, errlen, "asr_create: a menu needs the CMU dictionary (cmudict_load)");
        return NULL;
    }
    strlist_t words = {0}, phones = {0};
    if (m) menu_lexicon(m, d, &words, &phones);
    asr_t *a = asr_create_lex(cfg, m, m ? &words : NULL, m ? &phones : NULL, err, errlen);
    strlist_free(&words);
    strlist_free(&phones);
    return a;
}

asr_t *asr_create_lex(const asr_config_t *cfg, const menu_t *m, const strlist_t *words,
                      const strlist_t *phones, char *err, size_t errlen)
{
    const char *dir = cfg && cfg->model_dir ? cfg->model_dir : NULL;
    if (!dir || !*dir) dir = getenv("KIOSK_MODEL_DIR");
    if (!dir || !*dir) dir = DEFAULT_MODEL_DIR;

    asr_t *a = xcalloc(1, sizeof *a);
    pthread_mutex_init(&a->senmu, NULL);
    pthread_cond_init(&a->sencv, NULL);
    a->senstate = SCORES_NONE;     /* until a turn's scorer writes them */
    a->free_pass = cfg ? cfg->free_pass : 1;
    a->one_thread = cfg ? cfg->one_thread : 0;
    a->menu_again = cfg ? !cfg->no_menu_again : 1;
    const char *ob = getenv("KIOSK_ONE_BONUS");
    a->one_bonus = ob && *ob ? strtol(ob, NULL, 10) : ASR_ONE_BONUS;
    char *hmm = xasprintf("%s/en-us", dir);
    char *mdef = xasprintf("%s/mdef", hmm);
    char *dictf = xasprintf("%s/cmudict-en-us.dict", dir);
    char *lm = xasprintf("%s/en-us.lm.bin", dir);
    char *plm = xasprintf("%s/en-us-phone.lm.bin", dir);
    double saved[MAX_SETTINGS], menu_saved[MAX_SETTINGS];
    logmath_t *lmath = NULL;
    ngram_model_t *lmodel = NULL;
    if (m && (!words || !phones)) {
        snprintf(err, errlen, "asr_create: a menu needs its words' pronunciations (menu_lexicon)");
        goto err;
    }
    const char *missing = !readable(mdef) ? mdef : !readable(dictf) ? dictf
                        : !readable(lm) ? lm : !readable(plm) ? plm : NULL;
    if (missing) {
        snprintf(err, errlen, "%s: speech model file missing; install pocketsphinx-en-us "
                 "(make deps) or set KIOSK_MODEL_DIR to a folder that has it", missing);
        goto err;
    }
    if (m) {
        /* the folder for the shared scores (see the top) */
        const char *tmp = scores_parent();
        scores_sweep(tmp);
        char *sdir = xasprintf("%s/kiosk-scores-%ld-XXXXXX", tmp, (long)getpid());
        if (mkdtemp(sdir)) {
            a->sendir = sdir;
            a->senfile = xasprintf("%s/turn.sen", sdir);
        } else {
            free(sdir);   /* each pass scores the turn itself: slower, the same words */
        }
    }
    /* the free pass's vocabulary (see the top), written into that folder */
    char *free_dict = m && a->free_pass && a->sendir ? xasprintf("%s/free.dict", a->sendir) : NULL;
    a->config = cmd_ln_init(NULL, ps_args(), TRUE, "-hmm", hmm, "-dict", free_dict ? free_dict : dictf,
                            "-logfn", "/dev/null", "-remove_silence", "no", "-remove_noise", "no",
                            "-pl_window", "0",
                            NULL);
    if (!a->config) {
        free(free_dict);
        snprintf(err, errlen, "%s: pocketsphinx rejected its configuration", dir);
        goto err;
    }
    if (free_dict) {
        err_set_logfp(NULL);   /* what ps_init's -logfn does, before it runs */
        lmath = logmath_init(cmd_ln_float32_r(a->config, "-logbase"), 0, 0);
        lmodel = ngram_model_read(a->config, lm, NGRAM_AUTO, lmath);
        if (!lmodel) {
            free(free_dict);
            snprintf(err, errlen, "%s: language model did not load; reinstall pocketsphinx-en-us "
                     "(make deps)", lm);
            goto err;
        }
        if (write_free_dict(dictf, lmodel, m, free_dict) < 0)
            cmd_ln_set_str_r(a->config, "-dict", dictf);   /* the whole dictionary, then */
    }
    a->ps = ps_init(a->config);
    if (free_dict) {
        unlink(free_dict);
        free(free_dict);
    }
    if (!a->ps) {
        snprintf(err, errlen, "%s: the speech model did not load (damaged?); reinstall "
                 "pocketsphinx-en-us (make deps)", hmm);
        goto err;
    }

    /* The free pass first, so that the menu's words join its language model
     * too (ps_add_word adds them to every n-gram search), and with its own
     * settings in force while it is built and rebuilt by ps_add_word. */
    if (a->free_pass) {
        settings_push(a->config, free_settings, NSET(free_settings), saved);
        int rc = lmodel ? ps_set_lm(a->ps, "free", lmodel) : ps_set_lm_file(a->ps, "free", lm);
        if (rc < 0) {
            settings_pop(a->config, free_settings, NSET(free_settings), saved);
            snprintf(err, errlen, "%s: language model did not load; reinstall pocketsphinx-en-us "
                     "(make deps)", lm);
            goto err;
        }
        rc = m ? teach_words(a->ps, words, phones, err, errlen) : 0;
        settings_pop(a->config, free_settings, NSET(free_settings), saved);
        if (rc < 0) goto err;
    } else if (m && teach_words(a->ps, words, phones, err, errlen) < 0) {
        goto err;
    }

    if (m) {
        /* its own decoder, with only the menu's words and the wide beams */
        a->gconfig = cmd_ln_init(NULL, ps_args(), TRUE, "-hmm", hmm, "-logfn", "/dev/null",
                                 "-remove_silence", "no", "-remove_noise", "no", NULL);
        if (a->gconfig) settings_push(a->gconfig, menu_settings, NSET(menu_settings), menu_saved);
        a->gps = a->gconfig ? ps_init(a->gconfig) : NULL;
        if (!a->gps) {
            snprintf(err, errlen, "%s: the speech model did not load for the menu grammar; "
                     "reinstall pocketsphinx-en-us (make deps)", hmm);
            goto err;
        }
        /* the scorer, which scores every senone of the turn once, for every
         * pass (see "Shared scores" at the top): ptm.c, with the grammar
         * decoder's configuration (the same front end and model); when the
         * model is not one ptm.c scores, a decoder of pocketsphinx's own */
        char why[256] = "asked for";
        if (a->sendir && !(cfg && cfg->ps_scorer)) a->ptm = ptm_open(a->gconfig, why, sizeof why);
        if (a->ptm) snprintf(a->scorer, sizeof a->scorer, "ptm.c");
        else if (a->sendir) snprintf(a->scorer, sizeof a->scorer, "pocketsphinx (%s)", why);
        if (a->sendir && !a->ptm) {
            a->sconfig = cmd_ln_init(NULL, ps_args(), TRUE, "-hmm", hmm, "-logfn", "/dev/null",
                                     "-remove_silence", "no", "-remove_noise", "no",
                                     "-compallsen", "yes", "-senlogdir", a->sendir, NULL);
            a->sps = a->sconfig ? ps_init(a->sconfig) : NULL;
            if (!a->sps || set_scorer(a) < 0) {
                snprintf(err, errlen, "%s: the speech model did not load for scoring the turn; "
                         "reinstall pocketsphinx-en-us (make deps)", hmm);
                goto err;
            }
        }
        if (set_grammar(a, m, err, errlen) < 0 ||
            set_loop(a, ps_get_fsg(a->gps, "menu"), err, errlen) < 0)
            goto err;
        a->has_menu = 1;
    }

    /* the phone loop with the decoder's default beams and phone_settings,
     * on the grammar's decoder when there is one (it runs on that thread) */
    ps_decoder_t *pps = a->gps ? a->gps : a->ps;
    cmd_ln_t *pcfg = a->gps ? a->gconfig : a->config;
    if (a->gps) settings_pop(a->gconfig, menu_settings, NSET(menu_settings), menu_saved);
    settings_push(pcfg, phone_settings, NSET(phone_settings), saved);
    int rc = ps_set_allphone_file(pps, "phones", plm);
    settings_pop(pcfg, phone_settings, NSET(phone_settings), saved);
    if (rc < 0) {
        snprintf(err, errlen, "%s: phone language model did not load; reinstall "
                 "pocketsphinx-en-us (make deps)", plm);
        goto err;
    }
    a->phones_ps = pps;
    if (m && lmath && a->free_pass) add_human_lm(a, m, lmath);
    ngram_model_free(lmodel);      /* the free search keeps its own reference */
    a->lmath = lmath;              /* the set of models mixes on it at every turn */
    free(hmm); free(mdef); free(dictf); free(lm); free(plm);
    return a;
err:
    ngram_model_free(lmodel);
    logmath_free(lmath);
    free(hmm); free(mdef); free(dictf); free(lm); free(plm);
    asr_free(a);
    return NULL;
}

const char *asr_scorer(asr_t *a)
{
    return a->scorer[0] ? a->scorer : "each pass";
}

int asr_free_knows(asr_t *a, const char *word)
{
    char *ph = a && a->ps && word ? ps_lookup_word(a->ps, word) : NULL;
    if (!ph) return 0;
    ckd_free(ph);
    return 1;
}

static void menu_join(asr_t *a)
{
    if (a->job.running) pthread_join(a->job.thread, NULL);
    a->job.running = 0;
    free(a->job.energy);
    a->job.energy = NULL;
}

int asr_set_answer(asr_t *a, const char *jsgf, char *err, size_t errlen)
{
    if (!a->has_menu) return 0;
    if (jsgf && a->answer_jsgf && strcmp(jsgf, a->answer_jsgf) == 0) return 0;
    if (!jsgf && !a->answer_jsgf) return 0;
    menu_join(a);                  /* the grammar's thread may still be searching */
    if (a->answer_jsgf) {
        ps_unset_search(a->gps, "answer");
        free(a->answer_jsgf);
        a->answer_jsgf = NULL;
    }
    if (!jsgf) return 0;
    fsg_model_t *f = grammar_fsg(a, jsgf);
    int ret = -1;
    if (!f) {
        snprintf(err, errlen, "answer grammar: sphinxbase could not parse it");
    } else if (copy_words(a, f) < 0) {
        snprintf(err, errlen, "answer grammar: a word the decoder cannot be taught");
    } else {
        /* deterministic, like "menu": the same words then score the same in
         * both searches, which the choice between them relies on (with
         * sphinxbase's FSG they scored 0-400 worse here); the menu's beams */
        char why[128];
        fsg_model_t *small = fsg_minimize(f, why, sizeof why);
        double saved[MAX_SETTINGS];
        settings_push(a->gconfig, menu_settings, NSET(menu_settings), saved);
        ret = ps_set_fsg(a->gps, "answer", small ? small : f);
        if (small) fsg_model_free(small);
        settings_pop(a->gconfig, menu_settings, NSET(menu_settings), saved);
        if (ret < 0) explain_grammar(a->gps, f, err, errlen);
        else a->answer_jsgf = xstrdup(jsgf);
    }
    if (f) fsg_model_free(f);
    return ret < 0 ? -1 : 0;
}

int asr_searched_again(asr_t *a)
{
    menu_join(a);
    return a->searched_again;
}

void asr_free(asr_t *a)
{
    if (!a) return;
    menu_join(a);
    /* pocketsphinx 5prealpha's allphone_search_free() forgets the phone
     * segments of the last utterance (a later version frees them); an empty
     * utterance makes the search drop them first. */
    if (a->phones_ps && ps_set_search(a->phones_ps, "phones") == 0 &&
        ps_start_utt(a->phones_ps) == 0)
        ps_end_utt(a->phones_ps);
    if (a->ps) ps_free(a->ps);
    logmath_free(a->lmath);
    if (a->config) cmd_ln_free_r(a->config);
    if (a->gps) ps_free(a->gps);
    if (a->gconfig) cmd_ln_free_r(a->gconfig);
    ptm_close(a->ptm);
    if (a->sps) ps_free(a->sps);
    if (a->sconfig) cmd_ln_free_r(a->sconfig);
    free(a->heard);
    free(a->free_text);
    free(a->loop_text);
    free(a->job.heard);
    free(a->nfa_text);
    free(a->answer_text);
    free(a->job.answer);
    free(a->answer_jsgf);
    if (a->sendir && empty_folder(a->sendir) == 0) rmdir(a->sendir);
    free(a->sendir);
    free(a->senfile);
    pthread_mutex_destroy(&a->senmu);
    pthread_cond_destroy(&a->sencv);
    free(a->span);
    free(a->buf);
    free(a);
}

/* ---- shared scores ---- */

/* Removes the files of folder dir; 0, or -1 when it cannot be read. */
static int empty_folder(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) return -1;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        char *f = xasprintf("%s/%s", dir, e->d_name);
        unlink(f);
        free(f);
    }
    closedir(d);
    return 0;
}

/* Removes the files of sendir (the last turn's scores), and makes the folder
 * again if something (a /tmp cleaner) removed it. */
static void scores_clear(asr_t *a)
{
    if (a->sendir && empty_folder(a->sendir) < 0) mkdir(a->sendir, 0700);
}

/* Where the scores folder goes: $TMPDIR when set, else /dev/shm (memory,
 * not the kiosk's flash card: a few MB per turn, rewritten every turn), else
 * /tmp. */
static const char *scores_parent(void)
{
    const char *tmp = getenv("TMPDIR");
    if (tmp && *tmp) return tmp;
    struct stat st;
    if (stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) && access("/dev/shm", W_OK | X_OK) == 0)
        return "/dev/shm";
    return "/tmp";
}

/* Removes the score folders (kiosk-scores-PID-*) that kiosks which are no
 * longer running left in tmp (killed, crashed): a few MB each. */
static void scores_sweep(const char *tmp)
{
    DIR *d = opendir(tmp);
    if (!d) return;
    struct dirent *e;
    while ((e = readdir(d))) {
        long pid;
        char rest[32];
        if (sscanf(e->d_name, "kiosk-scores-%ld-%31s", &pid, rest) != 2 || pid <= 0 ||
            strlen(rest) != 6 || kill((pid_t)pid, 0) == 0 || errno != ESRCH)
            continue;
        char *dir = xasprintf("%s/%s", tmp, e->d_name);
        if (empty_folder(dir) == 0) rmdir(dir);
        free(dir);
    }
    closedir(d);
}

/* After the scorer's pass (on the grammar's thread): its score file (the
 * only one in sendir, named by pocketsphinx) becomes senfile.  1 when
 * found. */
static int scores_take(asr_t *a)
{
    DIR *d = opendir(a->sendir);
    if (!d) return 0;
    int found = 0;
    struct dirent *e;
    while (!found && (e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (e->d_name[0] == '.' || len < 5 || strcmp(e->d_name + len - 4, ".sen") != 0 ||
            strcmp(e->d_name, "turn.sen") == 0)
            continue;
        char *f = xasprintf("%s/%s", a->sendir, e->d_name);
        found = rename(f, a->senfile) == 0;
        free(f);
    }
    closedir(d);
    return found;
}

/* The two threads' hand-overs (a->senstate, job.verdict), under senmu and
 * signalled on sencv: *state := v, and the value *state takes once it is no
 * longer pending. */
static void sync_set(asr_t *a, int *state, int v)
{
    pthread_mutex_lock(&a->senmu);
    *state = v;
    pthread_cond_broadcast(&a->sencv);
    pthread_mutex_unlock(&a->senmu);
}

static int sync_wait(asr_t *a, const int *state, int pending)
{
    pthread_mutex_lock(&a->senmu);
    while (*state == pending) pthread_cond_wait(&a->sencv, &a->senmu);
    int v = *state;
    pthread_mutex_unlock(&a->senmu);
    return v;
}

/* The score file a pass on ps reads, waiting for the scorer's pass to
 * write it; NULL when the pass scores for itself (no shared scores this
 * turn, or the scorer's pass itself). */
static const char *scores_for(asr_t *a, ps_decoder_t *ps)
{
    if (!a->sendir || ps == a->sps) return NULL;
    return sync_wait(a, &a->senstate, SCORES_PENDING) == SCORES_READY ? a->senfile : NULL;
}

/* One pass of search name over the turn: from the turn's scores when there
 * are (scores_for), else from the audio.  Returns the hypothesis (owned by
 * the decoder) or NULL; *score its path score. */
static int run_pass(asr_t *a, ps_decoder_t *ps, const char *name, size_t n, const char **hyp,
                    long *score, char *err, size_t errlen)
{
    *hyp = NULL;
    *score = 0;
    const char *scores = scores_for(a, ps);
    if (scores) {               /* the scorer's pass scored the turn already */
        FILE *f = fopen(scores, "rb");
        if (!f) {
            snprintf(err, errlen, "decoder: %s: cannot read the turn's scores for the %s pass (%s)",
                     scores, name, strerror(errno));
            return -1;
        }
        int nfr = ps_set_search(ps, name) < 0 ? -1 : ps_decode_senscr(ps, f);
        fclose(f);
        if (nfr < 0) {
            snprintf(err, errlen, "decoder: the %s pass failed on this turn's scores", name);
            return -1;
        }
    } else if (ps_set_search(ps, name) < 0 || ps_start_utt(ps) < 0) {
        snprintf(err, errlen, "decoder: cannot start the %s pass", name);
        return -1;
    } else if (ps_process_raw(ps, a->buf, n, FALSE, TRUE) < 0) {
        ps_end_utt(ps);
        snprintf(err, errlen, "decoder: the %s pass failed on this audio", name);
        return -1;
    } else if (ps_end_utt(ps) < 0) {
        snprintf(err, errlen, "decoder: the %s pass failed to finish", name);
        return -1;
    }
    int32 s = 0;
    *hyp = ps_get_hyp(ps, &s);
    *score = *hyp ? (long)s : 0;
    return 0;
}

/* run_pass(), then its words, cleaned (clean_hyp), into *slot. */
static int pass_words(asr_t *a, const char *name, size_t n, char **slot, long *score,
                      char *err, size_t errlen)
{
    const char *hyp;
    if (run_pass(a, a->ps, name, n, &hyp, score, err, errlen) < 0) return -1;
    free(*slot);
    *slot = clean_hyp(hyp);
    return 0;
}

/* Adds a +-DITHER_LSB triangular dither from a fixed seed (see the top). */
static void dither_copy(asr_t *a, const int16_t *pcm, size_t n)
{
    if (n > a->bufcap) {
        free(a->buf);
        a->buf = xmalloc(n * sizeof *a->buf);
        a->bufcap = n;
    }
    uint32_t st = 0x9e3779b9u;
    for (size_t i = 0; i < n; i++) {
        st = st * 1664525u + 1013904223u;
        int r1 = (int)(st >> 26);                 /* 0..63 */
        st = st * 1664525u + 1013904223u;
        int r2 = (int)(st >> 26);
        int v = pcm[i] + r1 - r2;
        a->buf[i] = (int16_t)(v > 32767 ? 32767 : v < -32768 ? -32768 : v);
    }
}

/* Energy of each 10 ms frame (25 ms window, as the decoder frames it) in dB
 * of the mean square sample; *count frames. */
static double *frame_energies(const int16_t *pcm, size_t n, int *count)
{
    const size_t win = AUDIO_RATE / 40, hop = AUDIO_RATE / 100;
    int nf = (int)(n / hop) + 1;
    double *e = xmalloc((size_t)nf * sizeof *e);
    for (int f = 0; f < nf; f++) {
        size_t start = (size_t)f * hop, end = start + win < n ? start + win : n;
        double sum = 0;
        for (size_t i = start; i < end; i++) sum += (double)pcm[i] * pcm[i];
        e[f] = 10.0 * log10(sum / (double)(end > start ? end - start : 1) + 1.0);
    }
    *count = nf;
    return e;
}

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

/* The level above which a frame counts as loud (see the top). */
static double loud_threshold_sorted(const double *sorted, int nf)
{
    double thr = sorted[nf - 1] - LOUD_RANGE_DB;
    if (sorted[nf / 10] + LOUD_ABOVE_DB > thr) thr = sorted[nf / 10] + LOUD_ABOVE_DB;
    if (SILENCE_DB > thr) thr = SILENCE_DB;
    return thr;
}

/* A sorted copy of the frame energies; the caller frees it. */
static double *sorted_energies(const double *e, int nf)
{
    double *sorted = xmalloc((size_t)nf * sizeof *sorted);
    memcpy(sorted, e, (size_t)nf * sizeof *sorted);
    qsort(sorted, (size_t)nf, sizeof *sorted, cmp_double);
    return sorted;
}

static double loud_threshold(const double *e, int nf)
{
    double *sorted = sorted_energies(e, nf);
    double thr = loud_threshold_sorted(sorted, nf);
    free(sorted);
    return thr;
}

/* A segment's frames, clipped to [0, nfr), and its acoustic score.
 * Returns 0 when no frame of it is left. */
static int seg_span(ps_seg_t *s, int nfr, int *sf, int *ef, int32 *ascr)
{
    int32 lscr = 0, lback = 0;
    *sf = 0;
    *ef = -1;
    *ascr = 0;
    ps_seg_frames(s, sf, ef);
    ps_seg_prob(s, ascr, &lscr, &lback);
    if (*sf < 0) *sf = 0;
    if (*ef >= nfr) *ef = nfr - 1;
    return *ef >= *sf;
}

/* The phone loop's acoustic score spread over frames: out[f] is its score
 * of frame f, each phone's score shared evenly by its frames.  Returns 1 when
 * it found any speech phone (anything but silence and noise fillers). */
static int phone_frames(ps_decoder_t *ps, double *out, int nfr)
{
    int speech = 0;
    for (ps_seg_t *s = ps_seg_iter(ps); s; s = ps_seg_next(s)) {
        const char *ph = ps_seg_word(s);
        if (strcmp(ph, "SIL") != 0 && ph[0] != '+' && !is_filler(ph)) speech = 1;
        int sf, ef;
        int32 ascr;
        if (!seg_span(s, nfr, &sf, &ef, &ascr)) continue;
        for (int f = sf; f <= ef; f++) out[f] += (double)ascr / (ef - sf + 1);
    }
    return speech;
}

/* The acoustic score of the best path over the whole turn, fillers and
 * silence included, in the same units as the margins. */
static double path_ascr(ps_decoder_t *ps, int nfr)
{
    double sum = 0;
    for (ps_seg_t *s = ps_seg_iter(ps); s; s = ps_seg_next(s)) {
        int sf, ef;
        int32 ascr;
        if (seg_span(s, nfr, &sf, &ef, &ascr)) sum += ascr;
    }
    return sum;
}

/* Keeps the heard words' frames and acoustic scores, for loop_worst(). */
static void keep_spans(asr_t *a, int nfr)
{
    a->nspan = 0;
    for (ps_seg_t *s = ps_seg_iter(a->gps); s; s = ps_seg_next(s)) {
        int sf, ef;
        int32 ascr;
        if (is_filler(ps_seg_word(s)) || !seg_span(s, nfr, &sf, &ef, &ascr)) continue;
        if (a->nspan == a->capspan) {
            a->capspan = a->capspan ? 2 * a->capspan : 16;
            a->span = xrealloc(a->span, (size_t)a->capspan * 3 * sizeof *a->span);
        }
        int *p = &a->span[3 * a->nspan++];
        p[0] = sf;
        p[1] = ef;
        p[2] = ascr;
    }
}

/* After the loop pass: each kept word's score less the loop's over the same
 * frames (the loop's words' scores shared evenly by their frames), per
 * frame; the lowest.  A word the loop explains much better with other words
 * is a word the grammar may have forced. */
static double loop_worst(asr_t *a, int nfr)
{
    double *lf = xcalloc((size_t)nfr + 1, sizeof *lf);
    for (ps_seg_t *s = ps_seg_iter(a->ps); s; s = ps_seg_next(s)) {
        int sf, ef;
        int32 ascr;
        if (!seg_span(s, nfr, &sf, &ef, &ascr)) continue;
        for (int f = sf; f <= ef; f++) lf[f] += (double)ascr / (ef - sf + 1);
    }
    double worst = 0;
    for (int i = 0; i < a->nspan; i++) {
        const int *p = &a->span[3 * i];
        double d = p[2];
        for (int f = p[0]; f <= p[1]; f++) d -= lf[f];
        d /= p[1] - p[0] + 1;
        if (i == 0 || d < worst) worst = d;
    }
    free(lf);
    return worst;
}

/* The grammar's words against the phone loop and the loud frames (see the
 * top): sets margin, word_frames, coverage and confidence. */
static void weigh_words(ps_decoder_t *ps, const double *phone, int nfr, const double *energy,
                        int nen, asr_result_t *out)
{
    double thr = loud_threshold(energy, nen);
    int loud = 0, covered = 0;
    for (int f = 0; f < nen && f < nfr; f++) loud += energy[f] > thr;
    double total = 0, worst = 0, loudest = energy[0], quiet_peak = 0;
    int frames = 0, nwords = 0;
    for (int f = 1; f < nen; f++) if (energy[f] > loudest) loudest = energy[f];
    for (ps_seg_t *s = ps_seg_iter(ps); s; s = ps_seg_next(s)) {
        if (is_filler(ps_seg_word(s))) continue;
        int sf, ef;
        int32 ascr;
        if (!seg_span(s, nfr, &sf, &ef, &ascr)) continue;
        double diff = ascr, peak = -1e9;
        for (int f = sf; f <= ef; f++) {
            diff -= phone[f];
            if (f < nen && energy[f] > thr) covered++;
            if (f < nen && energy[f] > peak) peak = energy[f];
        }
        if (nwords == 0 || peak - loudest < quiet_peak) quiet_peak = peak - loudest;
        double per = diff / (ef - sf + 1);
        if (nwords == 0 || per < worst) worst = per;
        total += diff;
        frames += ef - sf + 1;
        nwords++;
    }
    out->word_frames = frames;
    if (frames == 0) return;
    out->coverage = loud > 0 ? (double)covered / loud : 1.0;
    out->margin = 0.5 * (total / frames + worst) - COVER_WEIGHT * (1.0 - out->coverage);
    out->features[CF_MEAN] = total / frames;
    out->features[CF_WORST] = worst;
    out->features[CF_COVERAGE] = out->coverage;
    out->features[CF_SECONDS] = frames / 100.0;
    out->features[CF_WORD_PEAK] = quiet_peak;
    out->confidence = 1.0 / (1.0 + exp(-(out->margin - CONF_MID) / CONF_SCALE));
}

/* How clean the signal is: the loud frames' median level over the quietest
 * tenth's (a rough signal-to-noise ratio), and the share of clipped samples. */
static void signal_features(const int16_t *pcm, size_t n, const double *e, int nen,
                            asr_result_t *out)
{
    double *sorted = sorted_energies(e, nen);
    double thr = loud_threshold_sorted(sorted, nen);
    int first = 0;
    while (first < nen && sorted[first] <= thr) first++;
    double loud = first < nen ? sorted[first + (nen - first) / 2] : sorted[nen - 1];
    out->features[CF_SNR] = loud - sorted[nen / 10];
    free(sorted);
    size_t clipped = 0;
    for (size_t i = 0; i < n; i++) clipped += pcm[i] >= 32000 || pcm[i] <= -32000;
    out->features[CF_CLIPPED] = (double)clipped / (double)n;
}

/* The phone loop over a->buf[0..n) on decoder ps: *phone (the caller frees
 * it) its score spread over the frames, r->phone_score, r->frames and
 * r->phone_ms filled; returns 1 when it heard speech, 0 not, -1 failed. */
static int phones_pass(asr_t *a, ps_decoder_t *ps, size_t n, double **phone, asr_result_t *r,
                       char *err, size_t errlen)
{
    double t = now_ms();
    const char *hyp;
    long score;
    *phone = NULL;
    if (run_pass(a, ps, "phones", n, &hyp, &score, err, errlen) < 0) return -1;
    r->phone_score = score;
    r->frames = ps_get_n_frames(ps);
    int nfr = r->frames > 0 ? r->frames : 0;
    *phone = xcalloc((size_t)nfr + 1, sizeof **phone);
    int speech = phone_frames(ps, *phone, nfr);
    r->phone_ms = now_ms() - t;
    return speech;
}

/* The grammar's search made again as "name" with settings set on top of
 * menu_settings: the search it replaces ("menu" or "menu_wide") is freed
 * first, so that the two lexical trees (50 MB for burger.yaml) are never
 * held at once.  The FSG is the same object: pocketsphinx added its
 * silences and alternate pronunciations the first time and does not add
 * them again.  0, or -1 with no grammar search left. */
static int menu_remake(asr_t *a, const char *from, const char *name, const setting_t *set, size_t n)
{
    fsg_model_t *f = ps_get_fsg(a->gps, from);
    if (!f) return -1;
    fsg_model_retain(f);
    ps_unset_search(a->gps, from);
    malloc_trim(0);            /* the freed tree back to the system: this thread allocates the
                                  new one from its own arena, which cannot reuse it */
    double menu_saved[MAX_SETTINGS], saved[MAX_SETTINGS];
    settings_push(a->gconfig, menu_settings, NSET(menu_settings), menu_saved);
    settings_push(a->gconfig, set, n, saved);
    int rc = ps_set_fsg(a->gps, name, f);
    settings_pop(a->gconfig, set, n, saved);
    settings_pop(a->gconfig, menu_settings, NSET(menu_settings), menu_saved);
    fsg_model_free(f);
    return rc;
}

/* The free pass's verdict on this turn (job.verdict) is set from the
 * caller's thread; the grammar's thread waits for it before searching again
 * (below).  When the grammar's pass ends first, the search again would
 * otherwise start on a turn about to be paged for a person, and the next
 * turn wait for it (a replay of "is there a real person..." then "...tacos,
 * let me speak to someone": the second paged 660 ms after its audio instead
 * of 260). */

/* The words of the search just run on the grammar's decoder (its path:
 * score, ascr) in place of the menu grammar's, weighed against the phone
 * loop like them; 1 when taken (they cover frames), else 0 and nothing
 * changed. */
static int take_words(asr_t *a, menu_job_t *j, const double *phone, int nfr, const char *words,
                      long score, double ascr)
{
    asr_result_t r = j->r;
    r.word_frames = 0;
    weigh_words(a->gps, phone, nfr, j->energy, j->nen, &r);
    if (r.word_frames <= 0) return 0;
    keep_spans(a, nfr);
    j->r = r;
    j->grammar_ascr = ascr;
    j->score = score;
    free(j->heard);
    j->heard = xstrdup(words);
    return 1;
}

/* On the grammar's thread, after the menu grammar's pass: when its words are
 * more than one item, the "one" search's, taken in their place when its path
 * is at most a->one_bonus worse (see "One item first" at the top). */
static void one_pass(asr_t *a, menu_job_t *j, const double *phone)
{
    fsg_model_t *f = ps_get_fsg(a->gps, "one");
    if (!f || fsg_accepts(f, j->heard)) return;   /* one item already: the same best path */
    double t = now_ms();
    const char *hyp;
    long score;
    char err[256];
    int nfr = j->r.frames > 0 ? j->r.frames : 0;
    if (run_pass(a, a->gps, "one", j->n, &hyp, &score, err, sizeof err) == 0 && hyp) {
        char *w = clean_hyp(hyp);
        if (*w && score + a->one_bonus >= j->score &&
            take_words(a, j, phone, nfr, w, score, path_ascr(a->gps, nfr)))
            j->r.one = 1;
        free(w);
    }
    j->r.one_ms = now_ms() - t;
}

/* On the grammar's thread, after the menu grammar's pass: the answer
 * grammar's, its words taken in place of the menu grammar's when its path is
 * no worse, acoustically and as a whole (see "The answer first" at the top). */
static void answer_pass(asr_t *a, menu_job_t *j, const double *phone)
{
    double t = now_ms();
    const char *hyp;
    long score;
    char err[256];
    if (run_pass(a, a->gps, "answer", j->n, &hyp, &score, err, sizeof err) < 0) {
        j->answer = xstrdup("");   /* the menu grammar's result stands */
        j->r.answer_ms = now_ms() - t;
        return;
    }
    j->answer = clean_hyp(hyp);
    int nfr = j->r.frames > 0 ? j->r.frames : 0;
    if (*j->answer && j->heard && *j->heard && strcmp(j->answer, j->heard) != 0) {
        double ascr = path_ascr(a->gps, nfr);
        if (ascr >= j->grammar_ascr && score >= j->score &&
            take_words(a, j, phone, nfr, j->answer, score, ascr))
            j->r.answer = 1;
    }
    j->r.answer_ms = now_ms() - t;
}

/* On the grammar's thread: the scorer (the turn's scores for every search),
 * the phone loop, then the grammar's pass over a->buf[0..job.n), weighed
 * against the phone loop. */
static void *menu_main(void *arg)
{
    asr_t *a = arg;
    menu_job_t *j = &a->job;
    double *phone = NULL;
    memset(&j->r, 0, sizeof j->r);
    j->hyp = NULL;
    j->grammar_ascr = 0;
    if (a->sendir) {
        double t = now_ms();
        const char *hyp;
        long score;
        int ok = !a->noshare &&
                 (a->ptm ? ptm_score(a->ptm, a->buf, j->n, a->senfile, j->err, sizeof j->err) >= 0
                         : run_pass(a, a->sps, "score", j->n, &hyp, &score, j->err,
                                    sizeof j->err) == 0 && scores_take(a));
        /* A decoder that scored a turn from the audio must never read a
         * score file again (see the top): from now on, none does. */
        if (!ok) a->noshare = 1;
        j->r.scores_ms = ok ? now_ms() - t : 0;
        sync_set(a, &a->senstate, ok ? SCORES_READY : SCORES_NONE);
    }
    j->speech = phones_pass(a, a->phones_ps, j->n, &phone, &j->r, j->err, sizeof j->err);
    j->rc = j->speech < 0 ? -1 : 0;
    int wide = 0;
    if (j->rc == 0) {
        double t = now_ms();
        j->rc = run_pass(a, a->gps, "menu", j->n, &j->hyp, &j->score, j->err, sizeof j->err);
        /* no path to the grammar's end (see "The grammar again" at the
         * top): the same search with a wider word beam, this turn only */
        if (j->rc == 0 && !j->hyp && j->speech && a->menu_again &&
            sync_wait(a, &a->job.verdict, VERDICT_PENDING) != VERDICT_ABANDONED) {
            if (menu_remake(a, "menu", "menu_wide", menu_wide_settings, NSET(menu_wide_settings)) < 0) {
                snprintf(j->err, sizeof j->err, "decoder: the grammar's search could not be made "
                         "again with a wider beam (out of memory?)");
                j->rc = -1;
            } else {
                wide = 1;
                j->r.menu_wide = 1;
                a->searched_again++;
                j->rc = run_pass(a, a->gps, "menu_wide", j->n, &j->hyp, &j->score, j->err,
                                 sizeof j->err);
            }
        }
        j->ms = now_ms() - t;
    }
    free(j->heard);
    j->heard = j->rc == 0 ? clean_hyp(j->hyp) : NULL;
    if (j->heard && *j->heard) {
        int nfr = j->r.frames > 0 ? j->r.frames : 0;
        weigh_words(a->gps, phone, nfr, j->energy, j->nen, &j->r);
        j->grammar_ascr = path_ascr(a->gps, nfr);
        keep_spans(a, nfr);
    }
    if (j->rc == 0 && j->speech && a->has_one && j->heard && *j->heard)
        one_pass(a, j, phone);
    free(j->answer);
    j->answer = NULL;
    if (j->rc == 0 && j->speech && a->answer_jsgf)
        answer_pass(a, j, phone);
    if (wide && menu_remake(a, "menu_wide", "menu", NULL, 0) < 0) {
        snprintf(j->err, sizeof j->err, "decoder: the grammar's search could not be made again "
                 "(out of memory?)");
        j->rc = -1;
    }
    free(phone);
    return NULL;
}

int asr_decode(asr_t *a, const int16_t *pcm, size_t n, asr_result_t *out,
               char *err, size_t errlen)
{
    return asr_decode_early(a, pcm, n, NULL, NULL, out, err, errlen);
}

int asr_decode_early(asr_t *a, const int16_t *pcm, size_t n, asr_early_fn early, void *ctx,
                     asr_result_t *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    free(a->heard);
    free(a->free_text);
    free(a->loop_text);
    free(a->nfa_text);
    a->nfa_text = xstrdup("");
    out->nfa_text = a->nfa_text;
    free(a->answer_text);
    a->answer_text = xstrdup("");
    out->answer_text = a->answer_text;
    a->heard = xstrdup("");
    a->free_text = xstrdup("");
    a->loop_text = xstrdup("");
    out->heard = a->heard;
    out->free_text = a->free_text;
    out->loop_text = a->loop_text;
    if (!pcm || n == 0) {
        snprintf(err, errlen, "empty turn: no audio to decode");
        return -1;
    }
    if (n > (size_t)AUDIO_RATE * MAX_TURN_SECONDS) {
        snprintf(err, errlen, "turn of %zu s is too long to decode (at most %d s)",
                 n / AUDIO_RATE, MAX_TURN_SECONDS);
        return -1;
    }
    double t0 = now_ms();
    int nen = 0;
    double *energy = frame_energies(pcm, n, &nen);
    double loudest = energy[0];
    for (int f = 1; f < nen; f++) if (energy[f] > loudest) loudest = energy[f];
    if (loudest <= SILENCE_DB) {   /* silence: nothing was said */
        free(energy);
        out->frames = (int)(n / (AUDIO_RATE / 100));
        out->decode_ms = now_ms() - t0;
        return 0;
    }
    menu_join(a);                  /* an early return left it running: a->buf is its input */
    dither_copy(a, pcm, n);
    if (a->sendir) {               /* the scorer writes the turn's scores */
        scores_clear(a);
        a->senstate = SCORES_PENDING;
    }
    /* 0. the scorer, then the phone loop and the menu's grammar (none when
     * created without a menu) start on their own thread and decoder; the free
     * and loop passes run here meanwhile, once the scores are written */
    if (a->has_menu) {
        /* no early look (or no free pass): nothing to wait for */
        a->job.verdict = early && a->free_pass ? VERDICT_PENDING : VERDICT_GO_ON;
        a->job.n = n;
        a->job.nen = nen;
        a->job.energy = xmalloc((size_t)nen * sizeof *energy);
        memcpy(a->job.energy, energy, (size_t)nen * sizeof *energy);
        a->job.running = !a->one_thread && pthread_create(&a->job.thread, NULL, menu_main, a) == 0;
        if (!a->job.running) {     /* here, before the free pass: it cannot wait for it */
            a->job.verdict = VERDICT_GO_ON;
            menu_main(a);
        }
    }

    /* 1. the free pass, for the crew to read, and the early look for a
     * request for a person: when early() takes it, nothing else is needed
     * (the grammar's thread finishes in the background) */
    long score;
    if (a->free_pass) {
        scores_for(a, a->ps);      /* waits for the turn's scores: free_ms is the search alone */
        double t1 = now_ms();
        if (pass_words(a, "free", n, &a->free_text, &score, err, errlen) < 0) {
            if (a->has_menu) sync_set(a, &a->job.verdict, VERDICT_GO_ON);
            free(energy);
            return -1;
        }
        out->free_text = a->free_text;
        out->frames = ps_get_n_frames(a->ps);
        out->free_ms = now_ms() - t1;
        if (early && *a->free_text && early(ctx, a->free_text)) {
            if (a->has_menu) sync_set(a, &a->job.verdict, VERDICT_ABANDONED);
            out->early = 1;
            out->early_ms = now_ms() - t0;
            out->decode_ms = out->early_ms;
            free(energy);
            return 0;
        }
    }

    if (a->has_menu) sync_set(a, &a->job.verdict, VERDICT_GO_ON);

    /* 2. without a menu, the phone loop here: does it hear speech at all */
    int speech = 0;
    if (!a->has_menu) {
        double *phone = NULL;
        speech = phones_pass(a, a->ps, n, &phone, out, err, errlen);
        free(phone);
        if (speech < 0) {
            free(energy);
            return -1;
        }
    }

    /* 3. the loop over the menu's words, while the grammar still runs: does
     * it find the same words?  (Wasted when the grammar hears nothing.) */
    double t2 = now_ms();
    if (a->has_menu && pass_words(a, "loop", n, &a->loop_text, &score, err, errlen) < 0) {
        free(energy);
        return -1;
    }
    /* no path with the default word beam: the loop again with a wider one
     * (3-4 of about 870 turns of the development set, which then paged
     * low_confidence for want of a second opinion) */
    if (a->has_menu && a->has_loop_wide && !a->loop_text[0]) {
        out->loop_wide = 1;
        if (pass_words(a, "loop_wide", n, &a->loop_text, &score, err, errlen) < 0) {
            free(energy);
            return -1;
        }
    }
    out->loop_ms = now_ms() - t2;

    /* 4. the grammar's result, weighed against the phone loop on its thread */
    double grammar_ascr = 0;
    if (a->has_menu) {
        menu_join(a);
        if (a->job.rc < 0) {
            snprintf(err, errlen, "%s", a->job.err);
            free(energy);
            return -1;
        }
        const asr_result_t *r = &a->job.r;
        speech = a->job.speech;
        out->phone_score = r->phone_score;
        out->frames = r->frames;
        out->phone_ms = r->phone_ms;
        out->menu_wide = r->menu_wide;
        out->scores_ms = r->scores_ms;
        out->answer = r->answer;
        out->answer_ms = r->answer_ms;
        out->one = r->one;
        out->one_ms = r->one_ms;
        if (a->job.answer) {
            free(a->answer_text);
            a->answer_text = a->job.answer;
            a->job.answer = NULL;
            out->answer_text = a->answer_text;
        }
        free(a->heard);
        a->heard = a->job.heard ? a->job.heard : xstrdup("");
        a->job.heard = NULL;
        out->grammar_score = a->job.score;
        out->grammar_ms = a->job.ms;
        out->heard = a->heard;
        if (*a->heard) {
            out->word_frames = r->word_frames;
            out->coverage = r->coverage;
            out->margin = r->margin;
            out->confidence = r->confidence;
            static const int from_weigh[] = { CF_MEAN, CF_WORST, CF_COVERAGE, CF_SECONDS, CF_WORD_PEAK };
            for (size_t i = 0; i < sizeof from_weigh / sizeof *from_weigh; i++)
                out->features[from_weigh[i]] = r->features[from_weigh[i]];
            grammar_ascr = a->job.grammar_ascr;
        }
    }
    int nfr = out->frames > 0 ? out->frames : 0;
    if (!speech && out->confidence < NOISE_CONF) {   /* words forced onto noise */
        free(energy);
        a->heard[0] = '\0';
        a->free_text[0] = '\0';
        a->loop_text[0] = '\0';
        a->nfa_text[0] = '\0';
        a->answer_text[0] = '\0';
        out->answer = 0;
        out->heard = a->heard;
        out->loop_text = a->loop_text;
        out->confidence = 0;
        out->margin = 0;
        out->word_frames = 0;
        out->coverage = 0;
        memset(out->features, 0, sizeof out->features);
        out->decode_ms = now_ms() - t0;
        return 0;
    }

    /* 5. the confidence, from all of it */
    if (*a->heard) {
        out->loop_text = a->loop_text;
        out->features[CF_LOOP_AGREE] = conf_agreement(a->heard, a->loop_text, 0);
        if (nfr > 0) {
            out->features[CF_LOOP_MARGIN] = (grammar_ascr - path_ascr(a->ps, nfr)) / nfr;
            out->features[CF_LOOP_WORST] = loop_worst(a, nfr);
        }
        out->features[CF_FREE_AGREE] = a->free_pass ? conf_agreement(a->heard, a->free_text, 1) : 0.5;
        signal_features(pcm, n, energy, nen, out);
        out->confidence = conf_calibrate(out->features);
    } else {
        a->loop_text[0] = '\0';
        out->loop_text = a->loop_text;
    }
    free(energy);

    /* 6. a short turn it is not sure of: the grammar as sphinxbase built it
     * (see ASR_NFA_MAX_MS), here: the grammar's decoder is idle now */
    if (a->has_nfa && n <= (size_t)AUDIO_RATE * ASR_NFA_MAX_MS / 1000 &&
        !(out->confidence >= ASR_NFA_BELOW)) {
        double t6 = now_ms();
        const char *nh;
        if (run_pass(a, a->gps, "nfa", n, &nh, &score, err, errlen) < 0) return -1;
        free(a->nfa_text);
        a->nfa_text = clean_hyp(nh);
        out->nfa_text = a->nfa_text;
        out->nfa_ms = now_ms() - t6;
    }
    out->decode_ms = now_ms() - t0;
    return 0;
}
