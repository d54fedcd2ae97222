/* test_asr.c: the recogniser on spoken turns made at test time.
 *
 * espeak-ng speaks sentences of the sample menu into a temporary folder; the
 * decoder is loaded once with menus/burger.yaml (about half a second) and
 * shared by the tests.  Without espeak-ng the spoken tests are skipped. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sphinxbase/err.h>
#include <sphinxbase/logmath.h>
#include <sphinxbase/ngram_model.h>

#include "../../src/audio/wav.h"
#include "../../src/dialog/dialog.h"
#include "../../src/menu/menu.h"
#include "../../src/speech/asr.h"

static char tmpdir[64];
static int have_espeak;
static menu_t *menu;
static cmudict_t *dict;
static asr_t *asr;

static int setup(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/test_asr.XXXXXX");
    if (!mkdtemp(tmpdir)) return -1;
    have_espeak = system("command -v espeak-ng >/dev/null 2>&1") == 0;
    strlist_t errs = {0};
    menu = menu_load("menus/burger.yaml", &errs);
    dict = cmudict_load(cmudict_default_path(), &errs);
    for (int i = 0; i < errs.n; i++) fprintf(stderr, "%s\n", errs.v[i]);
    strlist_free(&errs);
    if (!menu || !dict) return -1;
    char err[512] = "";
    asr_config_t cfg = { .free_pass = 1 };
    asr = asr_create(&cfg, menu, dict, err, sizeof err);
    if (!asr) fprintf(stderr, "asr_create: %s\n", err);
    return asr ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    asr_free(asr);
    cmudict_free(dict);
    menu_free(menu);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

/* Speaks text and reads it back at 16 kHz. */
static void speak(const char *text, int16_t **pcm, size_t *n)
{
    char path[128], txt[128], cmd[512], err[256];
    static int count;
    snprintf(path, sizeof path, "%s/say%d.wav", tmpdir, count);
    snprintf(txt, sizeof txt, "%s/say%d.txt", tmpdir, count++);
    FILE *f = fopen(txt, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    snprintf(cmd, sizeof cmd, "espeak-ng -v en-us -s 150 -w '%s' -f '%s'", path, txt);
    assert_int_equal(system(cmd), 0);
    if (wav_read(path, pcm, n, err, sizeof err) != 0) fail_msg("%s", err);
}

static void decode_ok(const int16_t *pcm, size_t n, asr_result_t *r)
{
    char err[256] = "";
    if (asr_decode(asr, pcm, n, r, err, sizeof err) != 0) fail_msg("asr_decode: %s", err);
    assert_non_null(r->hearing.heard);
    assert_non_null(r->hearing.free_text);
    assert_true(r->hearing.confidence >= 0.0 && r->hearing.confidence <= 1.0);
}

/* No filler, alternate-pronunciation mark or double space survives. */
static void assert_clean(const char *s)
{
    if (strpbrk(s, "<>[]()+") || strstr(s, "  ") || (*s && (s[0] == ' ' || s[strlen(s) - 1] == ' ')))
        fail_msg("not clean words: \"%s\"", s);
}

static const char *const sentences[] = {
    "i'd like a medium fries",
    "i want a large sprite and a small fries",
    "yes",
};

static double speech_confidence_min = 1.0;

/* The free pass knows the common words and the menu's, not the rare ones of
 * the CMU dictionary (asr_build.c, "A smaller vocabulary"). */
static void test_free_vocabulary(void **state)
{
    (void)state;
    static const char *const known[] = {
        "the", "weather", "what", "today", "talk", "someone", "manager", "help",
        "cheeseburger", "cheeseburgers", "nuggets", "lemonade", "milkshakes", "sprite", NULL,
    };
    static const char *const rare[] = { "aardvark", "zygote", "xylophone", "quillen", NULL };
    for (int i = 0; known[i]; i++)
        if (!asr_free_knows(asr, known[i])) fail_msg("the free pass does not know \"%s\"", known[i]);
    for (int i = 0; rare[i]; i++)
        if (asr_free_knows(asr, rare[i])) fail_msg("the free pass knows the rare \"%s\"", rare[i]);
}

/* The human-phrase model (asr_build.c, "Requests for a person in the free
 * search") reads as a language model; every history's next words sum to one; "help"
 * after "need" and "person" after "a" are likely, a menu item is not in it;
 * the menu's own human: phrases are; an unwritable path is an error. */
static void test_human_model(void **state)
{
    (void)state;
    char path[128];
    snprintf(path, sizeof path, "%s/human.arpa", tmpdir);
    assert_int_equal(asr_write_human_lm(menu, path), 0);
    err_set_logfp(NULL);
    logmath_t *lm = logmath_init(1.0001, 0, 0);
    ngram_model_t *h = ngram_model_read(NULL, path, NGRAM_ARPA, lm);
    assert_non_null(h);
    int nw = ngram_model_get_counts(h)[0];
    assert_true(nw > 20);
    for (int v = 0; v < nw; v++) {
        const char *hist = ngram_word(h, v);
        if (strcmp(hist, "</s>") == 0) continue;
        double sum = 0;
        for (int w = 0; w < nw; w++) {
            const char *word = ngram_word(h, w);
            if (strcmp(word, "<s>") == 0) continue;
            sum += logmath_exp(lm, ngram_probv(h, word, hist, NULL));
        }
        if (fabs(sum - 1.0) > 0.01) fail_msg("after \"%s\" the words sum to %.4f", hist, sum);
    }
    double help = logmath_exp(lm, ngram_probv(h, "help", "need", NULL));
    double person = logmath_exp(lm, ngram_probv(h, "person", "a", NULL));
    print_message("human model: %d words; P(help | need) %.3f, P(person | a) %.3f\n", nw, help,
                  person);
    assert_true(help > 0.2);
    assert_true(person > 0.05);
    assert_int_equal(ngram_wid(h, "cheeseburger"), NGRAM_INVALID_WID);
    ngram_model_free(h);
    logmath_free(lm);

    /* the menu's own phrase: "team member" in menus/burger.yaml's human: */
    int has_team = 0;
    for (int i = 0; i < menu->human.n; i++) has_team |= strcmp(menu->human.v[i], "team member") == 0;
    assert_true(has_team);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char line[256];
    int found = 0;
    while (fgets(line, sizeof line, f)) found |= strstr(line, " team member\n") != NULL;
    fclose(f);
    assert_true(found);
    assert_int_equal(asr_write_human_lm(menu, "/nonexistent-dir/human.arpa"), -1);
}

/* The kiosk-scores-* folders under dir: how many. */
static int score_folders(const char *dir, char *first, size_t firstlen)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "ls -d '%s'/kiosk-scores-* 2>/dev/null", dir);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    char line[160];
    int n = 0;
    while (fgets(line, sizeof line, p)) {
        line[strcspn(line, "\n")] = '\0';
        if (n++ == 0 && first) snprintf(first, firstlen, "%s", line);
    }
    pclose(p);
    return n;
}

/* The turn is scored once into a folder of the decoder's own, read by every
 * search; when that folder cannot be written, every search scores the turn
 * itself and hears the same words; asr_free removes the folder, and the
 * folders of kiosks no longer running are removed at start. */
/* ptm.c scores the turn for the passes (the default); pocketsphinx's own
 * decoder did before (asr_config_t.ps_scorer).  The scores are the same
 * bytes (test_ptm.c), so every figure of a turn must be the same too: three
 * turns through each, one after another (the scorers keep a history). */
static void test_ptm_scorer_same(void **state)
{
    (void)state;
    if (!have_espeak) skip();
    static const char *said[] = { "two cheeseburgers and a large coke please",
                                  "can i talk to a person", "make that a medium" };
    char err[256] = "";
    asr_config_t cfg = { .free_pass = 1, .ps_scorer = 1 };
    asr_t *ps_scored = asr_create(&cfg, menu, dict, err, sizeof err);
    if (!ps_scored) fail_msg("asr_create: %s", err);
    if (!getenv("TMPDIR") || access(getenv("TMPDIR"), W_OK) == 0) {
        assert_string_equal(asr_scorer(asr), "ptm.c");
        assert_string_equal(asr_scorer(ps_scored), "pocketsphinx (asked for)");
    }
    for (size_t i = 0; i < sizeof said / sizeof said[0]; i++) {
        int16_t *pcm;
        size_t n;
        speak(said[i], &pcm, &n);
        asr_result_t a, b;
        if (asr_decode(asr, pcm, n, &a, err, sizeof err) != 0) fail_msg("asr_decode: %s", err);
        if (asr_decode(ps_scored, pcm, n, &b, err, sizeof err) != 0) fail_msg("asr_decode: %s", err);
        print_message("\"%s\": heard \"%s\" %.4f, scored in %.0f ms (pocketsphinx: \"%s\" %.4f, "
                      "%.0f ms)\n", said[i], a.hearing.heard, a.hearing.confidence, a.diag.scores_ms, b.hearing.heard,
                      b.hearing.confidence, b.diag.scores_ms);
        assert_true(a.diag.scores_ms > 0 && b.diag.scores_ms > 0);
        assert_string_equal(a.hearing.heard, b.hearing.heard);
        assert_string_equal(a.hearing.free_text, b.hearing.free_text);
        assert_string_equal(a.hearing.loop_text, b.hearing.loop_text);
        assert_int_equal(a.diag.frames, b.diag.frames);
        assert_true(a.diag.margin == b.diag.margin);
        assert_true(a.hearing.confidence == b.hearing.confidence);
        assert_int_equal(a.diag.grammar_score, b.diag.grammar_score);
        assert_int_equal(a.diag.phone_score, b.diag.phone_score);
        free(pcm);
    }
    asr_free(ps_scored);
}

static void test_shared_scores(void **state)
{
    (void)state;
    if (!have_espeak) skip();
    char dir[128], folder[200], cmd[1024], err[256] = "";
    snprintf(dir, sizeof dir, "%s/scores", tmpdir);
    /* the shared decoder's folder (setup): in memory when TMPDIR is unset */
    if (!getenv("TMPDIR") && access("/dev/shm", W_OK | X_OK) == 0) {
        snprintf(cmd, sizeof cmd, "ls -d /dev/shm/kiosk-scores-%ld-* >/dev/null", (long)getpid());
        assert_int_equal(system(cmd), 0);
    }
    pid_t dead = fork();
    if (dead == 0) _exit(0);
    assert_true(dead > 0);
    waitpid(dead, NULL, 0);
    snprintf(cmd, sizeof cmd, "mkdir -p '%s/kiosk-scores-%ld-abcdef' '%s/kiosk-scores-1-abcdef' && "
             "touch '%s/kiosk-scores-%ld-abcdef/000000001.sen'", dir, (long)dead, dir, dir, (long)dead);
    assert_int_equal(system(cmd), 0);
    char *old = getenv("TMPDIR") ? strdup(getenv("TMPDIR")) : NULL;
    setenv("TMPDIR", dir, 1);
    asr_config_t cfg = { .free_pass = 1 };
    asr_t *a = asr_create(&cfg, menu, dict, err, sizeof err);
    if (old) setenv("TMPDIR", old, 1); else unsetenv("TMPDIR");
    free(old);
    if (!a) fail_msg("asr_create: %s", err);
    /* the dead kiosk's folder went; a running one's (pid 1) stays */
    snprintf(cmd, sizeof cmd, "test ! -e '%s/kiosk-scores-%ld-abcdef' && rmdir '%s/kiosk-scores-1-abcdef'",
             dir, (long)dead, dir);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(score_folders(dir, folder, sizeof folder), 1);

    int16_t *pcm;
    size_t n;
    speak("i want a large sprite and a small fries", &pcm, &n);
    asr_result_t r;
    if (asr_decode(a, pcm, n, &r, err, sizeof err) != 0) fail_msg("asr_decode: %s", err);
    assert_string_equal(r.hearing.heard, "i want a large sprite and a small fries");
    assert_true(r.diag.scores_ms > 0);
    char *heard = strdup(r.hearing.heard), *free_text = strdup(r.hearing.free_text);
    double conf = r.hearing.confidence;
    /* one file: the turn's scores (the reading searches write none) */
    snprintf(cmd, sizeof cmd, "test \"$(ls '%s')\" = turn.sen", folder);
    assert_int_equal(system(cmd), 0);

    /* the folder replaced by a file: nothing can be written there */
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && touch '%s'", folder, folder);
    assert_int_equal(system(cmd), 0);
    for (int k = 0; k < 2; k++) {
        if (asr_decode(a, pcm, n, &r, err, sizeof err) != 0) fail_msg("asr_decode: %s", err);
        print_message("without shared scores: heard \"%s\" free \"%s\" confidence %.3f "
                      "(shared: %.3f)\n", r.hearing.heard, r.hearing.free_text, r.hearing.confidence, conf);
        assert_string_equal(r.hearing.heard, heard);
        assert_string_equal(r.hearing.free_text, free_text);
        assert_true(r.diag.scores_ms == 0);
        assert_true(fabs(r.hearing.confidence - conf) < 0.2);
        /* and once a search has scored a turn itself, it never reads again,
         * even when the folder is back */
        snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir '%s'", folder, folder);
        assert_int_equal(system(cmd), 0);
    }
    asr_free(a);
    assert_int_equal(score_folders(dir, NULL, 0), 0);
    free(heard);
    free(free_text);
    free(pcm);
}

static void test_menu_sentences(void **state)
{
    (void)state;
    if (!have_espeak) skip();
    for (size_t k = 0; k < sizeof sentences / sizeof sentences[0]; k++) {
        int16_t *pcm;
        size_t n;
        speak(sentences[k], &pcm, &n);
        asr_result_t r;
        decode_ok(pcm, n, &r);
        print_message("\"%s\": heard \"%s\", free \"%s\", confidence %.3f (margin %.1f over %d "
                      "word frames), %.0f ms for %.2f s\n", sentences[k], r.hearing.heard, r.hearing.free_text,
                      r.hearing.confidence, r.diag.margin, r.diag.word_frames, r.diag.decode_ms, (double)n / AUDIO_RATE);
        assert_string_equal(r.hearing.heard, sentences[k]);
        assert_clean(r.hearing.heard);
        /* only a short turn it is not sure of is searched with the
         * nondeterministic grammar too, which then hears the same here */
        assert_non_null(r.hearing.nfa_text);
        if (n <= (size_t)AUDIO_RATE * ASR_NFA_MAX_MS / 1000 && r.hearing.confidence < ASR_NFA_BELOW)
            assert_string_equal(r.hearing.nfa_text, sentences[k]);
        else
            assert_string_equal(r.hearing.nfa_text, "");
        assert_true(*r.hearing.nfa_text ? r.diag.nfa_ms > 0 : r.diag.nfa_ms == 0);
        assert_clean(r.hearing.free_text);
        assert_true(r.diag.frames >= (int)(n / 160) - 1 && r.diag.frames <= (int)(n / 160) + 1);
        assert_true(r.diag.word_frames > 0 && r.diag.word_frames <= r.diag.frames);
        assert_true(r.diag.grammar_ms > 0 && r.diag.phone_ms > 0 && r.diag.free_ms > 0);
        /* scoring, phones then the grammar on the second thread, beside
         * free; the loop after whichever was done first */
        assert_true(r.diag.scores_ms > 0 && r.diag.loop_ms > 0);
        double grammar_thread = r.diag.scores_ms + r.diag.phone_ms + r.diag.grammar_ms +
                                r.diag.one_ms + r.diag.answer_ms;
        assert_true(r.diag.decode_ms >= grammar_thread - 1);
        assert_true(r.diag.free_ms > 0 && r.diag.decode_ms >= r.diag.free_ms - 1);
        assert_true(r.diag.loop_on == 1 || r.diag.loop_on == 2);
        assert_true(r.diag.decode_ms >= (r.diag.loop_on == 1 ? r.diag.free_ms : grammar_thread) +
                                        r.diag.loop_ms - 1);
        if (r.hearing.confidence < speech_confidence_min) speech_confidence_min = r.hearing.confidence;
        assert_true(r.hearing.confidence > 0.4);
        free(pcm);
    }
}

/* Nothing said: silence, steady noise, a hum: nothing heard, no confidence. */
static void test_silence_and_noise(void **state)
{
    (void)state;
    size_t n = AUDIO_RATE;
    int16_t *pcm = calloc(n, sizeof *pcm);
    assert_non_null(pcm);
    for (int kind = 0; kind < 4; kind++) {
        unsigned seed = 99;
        for (size_t i = 0; i < n; i++) {
            seed = seed * 1103515245u + 12345u;
            double white = ((seed >> 8) & 0xffff) / 32768.0 - 1.0;
            pcm[i] = kind == 0 ? 0
                   : kind == 1 ? (int16_t)(600 * white)
                   : kind == 2 ? (int16_t)(6000 * white)
                   : (int16_t)(3000 * sin(2 * M_PI * 120.0 * (double)i / AUDIO_RATE));
        }
        asr_result_t r;
        decode_ok(pcm, n, &r);
        print_message("noise %d: heard \"%s\" free \"%s\" confidence %.3f\n", kind, r.hearing.heard,
                      r.hearing.free_text, r.hearing.confidence);
        assert_string_equal(r.hearing.heard, "");
        if (kind < 3) assert_string_equal(r.hearing.free_text, "");  /* no speech phone at all */
        assert_true(r.hearing.confidence < 0.05);
        assert_true(r.hearing.confidence < speech_confidence_min);
        assert_int_equal(r.diag.frames, (int)(n / 160));
    }
    free(pcm);
}

/* A turn made as the development set makes its turns (tests/speech/eval.py:
 * espeak-ng's voice at speed words a minute, 22.05 kHz, 250 ms of silence
 * each side, a white noise floor at 0.002), read into *pcm; name names its
 * files in tmpdir.  0, or -1 when espeak-ng or sox is missing. */
static int set_turn(const char *voice, int speed, const char *text, const char *name,
                    int16_t **pcm, size_t *n)
{
    if (!have_espeak || system("command -v sox >/dev/null 2>&1") != 0) return -1;
    char cmd[1024], raw[128], pad[128], out[128], err[512] = "";
    snprintf(raw, sizeof raw, "%s/%s_raw.wav", tmpdir, name);
    snprintf(pad, sizeof pad, "%s/%s_pad.wav", tmpdir, name);
    snprintf(out, sizeof out, "%s/%s.wav", tmpdir, name);
    snprintf(cmd, sizeof cmd,
             "espeak-ng -v %s -s %d -w '%s' '%s' && sox -q '%s' '%s' pad 0.25 0.25 && "
             "sox -R -q -m -v 1 '%s' -v 1 \"|sox -R -n -r 22050 -c 1 -p synth $(soxi -D '%s') "
             "whitenoise vol 0.002\" -b 16 '%s'", voice, speed, raw, text, raw, pad, pad, pad, out);
    assert_int_equal(system(cmd), 0);
    if (wav_read(out, pcm, n, err, sizeof err) != 0) fail_msg("%s", err);
    return 0;
}

/* The word loop searched again with a wider word beam when it finds no path
 * (asr.c, step 3): espeak-ng's en-us+m5 at 140 words a minute saying
 * "a hot cocoa", made as the development set makes its turns (22.05 kHz,
 * 250 ms of silence each side, a white noise floor at 0.002), is such a turn
 * on Debian 12's espeak-ng and sox.  With the second search the loop hears
 * words and the turn is confident; without it (before) the loop heard
 * nothing and the turn paged low_confidence at 0.40. */
static void test_loop_wide(void **state)
{
    (void)state;
    int16_t *pcm;
    size_t n;
    char err[512] = "";
    if (set_turn("en-us+m5", 140, "a hot cocoa", "cocoa", &pcm, &n) < 0) skip();

    strlist_t errs = {0};
    menu_t *coffee = menu_load("menus/coffee.yaml", &errs);
    strlist_free(&errs);
    assert_non_null(coffee);
    for (int on = 1; on <= 2; on++) {   /* on either thread's decoder (asr.c, step 3) */
        asr_config_t cfg = { .free_pass = 1, .loop_on = on };
        asr_t *a = asr_create(&cfg, coffee, dict, err, sizeof err);
        if (!a) fail_msg("asr_create: %s", err);
        asr_result_t r;
        if (asr_decode(a, pcm, n, &r, err, sizeof err) != 0) fail_msg("asr_decode: %s", err);
        print_message("loop_wide on decoder %d: heard \"%s\" loop \"%s\" confidence %.2f "
                      "(searched again: %d)\n", on, r.hearing.heard, r.hearing.loop_text,
                      r.hearing.confidence, r.diag.loop_wide);
        assert_string_equal(r.hearing.heard, "a hot cocoa");
        assert_int_equal(r.diag.loop_wide, 1);
        assert_true(r.hearing.loop_text[0] != '\0');
        assert_true(r.hearing.confidence >= DIALOG_DEFAULT_THRESHOLD);
        asr_free(a);
    }
    menu_free(coffee);
    free(pcm);
}

/* A turn of the development set that the grammar found no path through
 * (espeak-ng en-us+m5 at 175 wpm, "a large latte", padded, with the noise
 * floor: the best path at its end was "a large latte the", half a word into
 * the trailing quiet): heard "" and paged out_of_menu.  The grammar searched
 * again with a wider word beam hears it, and the search is put back for
 * the next turn. */
/* early() callbacks for asr_decode_early: take any free text (after a
 * second's thought, so that the grammar's thread is done first), or none. */
static int take_it(void *ctx, const char *free_text)
{
    (void)ctx;
    usleep(1000 * 1000);
    return free_text[0] != '\0';
}

static int decline_it(void *ctx, const char *free_text)
{
    (void)ctx;
    (void)free_text;
    return 0;
}

static void test_menu_wide(void **state)
{
    (void)state;
    int16_t *pcm, *other;
    size_t n, nother;
    char err[512] = "";
    if (set_turn("en-us+m5", 175, "a large latte", "latte", &pcm, &n) < 0) skip();
    speak("a small mocha", &other, &nother);

    strlist_t errs = {0};
    menu_t *coffee = menu_load("menus/coffee.yaml", &errs);
    strlist_free(&errs);
    assert_non_null(coffee);
    asr_result_t r;
    /* without the second search: nothing heard */
    asr_config_t before = { .free_pass = 1, .no_menu_again = 1 };
    asr_t *a = asr_create(&before, coffee, dict, err, sizeof err);
    if (!a) fail_msg("asr_create: %s", err);
    if (asr_decode(a, pcm, n, &r, err, sizeof err) != 0) fail_msg("asr_decode: %s", err);
    print_message("menu_wide off: heard \"%s\" confidence %.2f\n", r.hearing.heard, r.hearing.confidence);
    assert_string_equal(r.hearing.heard, "");
    assert_int_equal(r.diag.menu_wide, 0);
    asr_free(a);

    asr_config_t cfg = { .free_pass = 1 };
    a = asr_create(&cfg, coffee, dict, err, sizeof err);
    if (!a) fail_msg("asr_create: %s", err);
    double conf = -1;
    for (int i = 0; i < 2; i++) {        /* twice: the search made again is the same search */
        if (asr_decode(a, pcm, n, &r, err, sizeof err) != 0) fail_msg("asr_decode: %s", err);
        print_message("menu_wide: heard \"%s\" confidence %.2f (searched again: %d)\n", r.hearing.heard,
                      r.hearing.confidence, r.diag.menu_wide);
        assert_string_equal(r.hearing.heard, "a large latte");
        assert_int_equal(r.diag.menu_wide, 1);
        assert_true(r.hearing.confidence >= DIALOG_DEFAULT_THRESHOLD);
        if (i == 1) assert_true(fabs(r.hearing.confidence - conf) < 1e-9);
        conf = r.hearing.confidence;
    }
    /* the next turn: the grammar's own search again, found at once */
    if (asr_decode(a, other, nother, &r, err, sizeof err) != 0) fail_msg("asr_decode: %s", err);
    assert_string_equal(r.hearing.heard, "a small mocha");
    assert_int_equal(r.diag.menu_wide, 0);
    assert_int_equal(asr_searched_again(a), 2);
    /* a turn paged from the free pass (early() takes it) is not searched
     * again, even when the grammar's pass ends first: its thread waits for
     * the free pass's verdict; one early() declines is */
    if (asr_decode_early(a, pcm, n, take_it, NULL, &r, err, sizeof err) != 0)
        fail_msg("asr_decode_early: %s", err);
    assert_int_equal(r.diag.early, 1);
    assert_int_equal(asr_searched_again(a), 2);
    if (asr_decode_early(a, pcm, n, decline_it, NULL, &r, err, sizeof err) != 0)
        fail_msg("asr_decode_early: %s", err);
    assert_int_equal(r.diag.early, 0);
    assert_int_equal(r.diag.menu_wide, 1);
    assert_int_equal(asr_searched_again(a), 3);
    asr_free(a);
    menu_free(coffee);
    free(other);
    free(pcm);
}

/* Said, but not on the menu: nothing heard, or heard with low confidence. */
static void test_off_menu(void **state)
{
    (void)state;
    if (!have_espeak) skip();
    int16_t *pcm;
    size_t n;
    speak("what is the weather like today", &pcm, &n);
    asr_result_t r;
    decode_ok(pcm, n, &r);
    print_message("off the menu: heard \"%s\" free \"%s\" confidence %.3f\n", r.hearing.heard, r.hearing.free_text,
                  r.hearing.confidence);
    assert_true(r.hearing.heard[0] == '\0' || r.hearing.confidence < speech_confidence_min);
    assert_true(r.hearing.free_text[0] != '\0');    /* the crew still gets something to read */
    free(pcm);
}

/* The same turn decodes the same way whatever came before it. */
static void test_deterministic(void **state)
{
    (void)state;
    if (!have_espeak) skip();
    int16_t *a, *b;
    size_t na, nb;
    speak("that's all", &a, &na);
    speak("three chicken nuggets please", &b, &nb);
    asr_result_t r1, r2, r3;
    decode_ok(a, na, &r1);
    char *heard1 = strdup(r1.hearing.heard), *free1 = strdup(r1.hearing.free_text);
    decode_ok(b, nb, &r2);
    decode_ok(a, na, &r3);
    assert_string_equal(r3.hearing.heard, heard1);
    assert_string_equal(r3.hearing.free_text, free1);
    assert_int_equal(r3.diag.grammar_score, r1.diag.grammar_score);
    assert_int_equal(r3.diag.phone_score, r1.diag.phone_score);
    assert_true(r3.diag.margin == r1.diag.margin);
    assert_true(r3.hearing.confidence == r1.hearing.confidence);
    free(heard1);
    free(free1);
    free(a);
    free(b);
}

/* After a question (asr_set_answer): the answer is heard from the small
 * grammar; an order the menu grammar fits better keeps the menu grammar's
 * words (asr.c, "The answer first"); no question, no answer search; a
 * grammar that does not parse is refused and decoding goes on without. */
static void test_answer_grammar(void **state)
{
    (void)state;
    if (!have_espeak) skip();
    char err[256] = "";
    menu_ask_t q = { MENU_ASK_SIZE, menu_item_find(menu, "Chicken Nuggets"), -1 };
    char *g = menu_answer_grammar(menu, &q);
    assert_non_null(g);
    assert_int_equal(asr_set_answer(asr, g, err, sizeof err), 0);
    assert_int_equal(asr_set_answer(asr, g, err, sizeof err), 0);   /* the same: kept */
    int16_t *a, *b;
    size_t na, nb;
    speak("large", &a, &na);
    speak("i want a large sprite and a small fries", &b, &nb);
    asr_result_t r;
    decode_ok(a, na, &r);
    assert_string_equal(r.diag.answer_text, "large");
    assert_string_equal(r.hearing.heard, "large");
    decode_ok(b, nb, &r);
    print_message("after a question: heard \"%s\" answer \"%s\" (%d)\n", r.hearing.heard, r.diag.answer_text,
                  r.diag.answer);
    assert_int_equal(r.diag.answer, 0);
    assert_true(strstr(r.hearing.heard, "sprite") != NULL);
    assert_int_equal(asr_set_answer(asr, NULL, err, sizeof err), 0);
    decode_ok(a, na, &r);
    assert_string_equal(r.diag.answer_text, "");
    assert_int_equal(r.diag.answer, 0);
    /* refused, naming the word (a grammar sphinxbase cannot parse would do, but its
     * scanner leaks a token on that path, which the sanitizer build reports) */
    assert_int_equal(asr_set_answer(asr, "#JSGF V1.0; grammar answer; public <answer> = zzyzxq;",
                                    err, sizeof err), -1);
    print_message("refused: %s\n", err);
    assert_non_null(strstr(err, "zzyzxq"));
    decode_ok(a, na, &r);
    assert_string_equal(r.diag.answer_text, "");
    assert_string_equal(r.hearing.heard, "large");
    free(g);
    free(a);
    free(b);
}

static void test_bad_audio(void **state)
{
    (void)state;
    char err[256];
    asr_result_t r;
    int16_t one[100] = {0};
    err[0] = '\0';
    assert_int_equal(asr_decode(asr, NULL, 100, &r, err, sizeof err), -1);
    assert_non_null(strstr(err, "no audio"));
    assert_string_equal(r.hearing.heard, "");       /* results stay readable after a failure */
    err[0] = '\0';
    assert_int_equal(asr_decode(asr, one, 0, &r, err, sizeof err), -1);
    assert_non_null(strstr(err, "no audio"));
    size_t big = (size_t)AUDIO_RATE * 121;
    int16_t *pcm = calloc(big, sizeof *pcm);
    assert_non_null(pcm);
    err[0] = '\0';
    assert_int_equal(asr_decode(asr, pcm, big, &r, err, sizeof err), -1);
    assert_non_null(strstr(err, "too long"));
    free(pcm);
    /* tiny turns decode to nothing, without a crash */
    size_t sizes[] = { 1, 100, 400, 1600 };
    for (size_t k = 0; k < 4; k++) {
        int16_t *buf = calloc(sizes[k], sizeof *buf);
        assert_non_null(buf);
        for (size_t i = 0; i < sizes[k]; i++) buf[i] = (int16_t)((i * 7919) % 4000 - 2000);
        decode_ok(buf, sizes[k], &r);
        free(buf);
    }
}

static void test_model_missing(void **state)
{
    (void)state;
    char err[512] = "";
    asr_config_t cfg = { .model_dir = "/nonexistent/model", .free_pass = 1 };
    assert_null(asr_create(&cfg, menu, dict, err, sizeof err));
    assert_non_null(strstr(err, "/nonexistent/model"));
    assert_non_null(strstr(err, "install pocketsphinx-en-us (make deps)"));
    assert_null(strchr(err, '\n'));
    /* $KIOSK_MODEL_DIR is used when the config names none */
    setenv("KIOSK_MODEL_DIR", "/also/missing", 1);
    asr_config_t none = { .free_pass = 0 };
    err[0] = '\0';
    assert_null(asr_create(&none, menu, dict, err, sizeof err));
    unsetenv("KIOSK_MODEL_DIR");
    assert_non_null(strstr(err, "/also/missing"));
    /* a menu without its words' pronunciations, or without the dictionary */
    asr_config_t ok = { .free_pass = 1 };
    assert_null(asr_create_lex(&ok, menu, NULL, NULL, err, sizeof err));
    assert_string_equal(err, "asr_create: a menu needs its words' pronunciations (menu_lexicon)");
    assert_null(asr_create(&ok, menu, NULL, err, sizeof err));
    assert_string_equal(err, "asr_create: a menu needs the CMU dictionary (cmudict_load)");
}

/* A word nobody taught the decoder is named in the error. */
static void test_unknown_word(void **state)
{
    (void)state;
    static const char text[] =
        "menu: Odd\n"
        "items:\n"
        "  - name: Zorblax\n    say: [zorblax]\n    price: 1.00\n";
    strlist_t errs = {0};
    menu_t *m = menu_parse(text, sizeof text - 1, "odd.yaml", &errs);
    strlist_free(&errs);
    assert_non_null(m);
    char err[512] = "";
    asr_config_t cfg = { .free_pass = 0 };
    assert_null(asr_create(&cfg, m, dict, err, sizeof err));
    if (!strstr(err, "zorblax") || !strstr(err, "kiosk menu check")) fail_msg("message: %s", err);
    menu_free(m);
}

/* Without the free pass: free_text stays empty and costs nothing. */
static void test_no_free_pass(void **state)
{
    (void)state;
    if (!have_espeak) skip();
    char err[512] = "";
    asr_config_t cfg = { .free_pass = 0 };
    asr_t *a = asr_create(&cfg, menu, dict, err, sizeof err);
    if (!a) fail_msg("%s", err);
    int16_t *pcm;
    size_t n;
    speak("yes", &pcm, &n);
    asr_result_t r;
    assert_int_equal(asr_decode(a, pcm, n, &r, err, sizeof err), 0);
    assert_string_equal(r.hearing.heard, "yes");
    assert_string_equal(r.hearing.free_text, "");
    assert_true(r.diag.free_ms == 0);
    free(pcm);
    asr_free(a);
}

/* The grammar's pass on its own thread (the default) and on the caller's
 * (replay --one-thread) give the same words, confidence and evidence. */
static void test_one_thread_same(void **state)
{
    (void)state;
    if (!have_espeak) skip();
    char err[512] = "";
    asr_config_t cfg = { .free_pass = 1, .one_thread = 1 };
    asr_t *a = asr_create(&cfg, menu, dict, err, sizeof err);
    if (!a) fail_msg("%s", err);
    static const char *const said[] = { "two cheeseburgers no onions and a large coke",
                                        "do you sell tacos", "make it a large" };
    for (size_t k = 0; k < sizeof said / sizeof said[0]; k++) {
        int16_t *pcm;
        size_t n;
        speak(said[k], &pcm, &n);
        asr_result_t r1, r2;
        assert_int_equal(asr_decode(asr, pcm, n, &r1, err, sizeof err), 0);
        char *heard = xstrdup(r1.hearing.heard), *loop = xstrdup(r1.hearing.loop_text);
        double conf = r1.hearing.confidence, feat[CF_N];
        memcpy(feat, r1.diag.features, sizeof feat);
        assert_int_equal(asr_decode(a, pcm, n, &r2, err, sizeof err), 0);
        assert_string_equal(heard, r2.hearing.heard);
        assert_string_equal(loop, r2.hearing.loop_text);
        assert_true(conf == r2.hearing.confidence);
        assert_memory_equal(feat, r2.diag.features, sizeof feat);
        free(heard);
        free(loop);
        free(pcm);
    }
    asr_free(a);
}

/* The word loop runs on whichever thread is idle first (asr.c, step 3), on
 * that thread's decoder: each decoder's loop must give the same words, path
 * and features, or a turn's confidence would depend on which thread won. */
static void test_loop_either_decoder(void **state)
{
    (void)state;
    if (!have_espeak) skip();
    char err[512] = "";
    asr_t *on[2];
    for (int k = 0; k < 2; k++) {
        asr_config_t cfg = { .free_pass = 1, .loop_on = k + 1 };
        on[k] = asr_create(&cfg, menu, dict, err, sizeof err);
        if (!on[k]) fail_msg("%s", err);
    }
    static const char *const said[] = { "two cheeseburgers no onions and a large coke",
                                        "do you sell tacos", "make it a large", "that's all" };
    for (size_t i = 0; i < sizeof said / sizeof said[0]; i++) {
        int16_t *pcm;
        size_t n;
        speak(said[i], &pcm, &n);
        asr_result_t r[2];
        char *loop[2];
        for (int k = 0; k < 2; k++) {
            assert_int_equal(asr_decode(on[k], pcm, n, &r[k], err, sizeof err), 0);
            loop[k] = xstrdup(r[k].hearing.loop_text);
        }
        print_message("\"%s\": loop \"%s\" on the main decoder, \"%s\" on the grammar's; "
                      "confidence %.4f, %.4f\n", said[i], loop[0], loop[1], r[0].hearing.confidence,
                      r[1].hearing.confidence);
        assert_true(r[0].hearing.heard[0] != '\0');
        assert_true(loop[0][0] != '\0');
        assert_string_equal(loop[0], loop[1]);
        assert_true(r[0].hearing.confidence == r[1].hearing.confidence);
        assert_memory_equal(r[0].diag.features, r[1].diag.features, sizeof r[0].diag.features);
        assert_int_equal(r[0].diag.loop_wide, r[1].diag.loop_wide);
        assert_int_equal(r[0].diag.loop_on, 1);
        assert_int_equal(r[1].diag.loop_on, 2);
        free(loop[0]);
        free(loop[1]);
        free(pcm);
    }
    asr_free(on[0]);
    asr_free(on[1]);
}

/* One item first (asr.c): a second item really said stands (its path is far
 * more than ASR_ONE_BONUS better); with a bonus no second item can beat, the
 * one-item search's words are taken; a turn of one item is not searched
 * again; KIOSK_ONE_BONUS=0 turns the search off. */
static void test_one_item(void **state)
{
    (void)state;
    if (!have_espeak) skip();
    char err[512] = "";
    int16_t *two, *one;
    size_t ntwo, none;
    speak("i want a large sprite and a small fries", &two, &ntwo);
    speak("i'd like a medium fries", &one, &none);
    asr_result_t r;
    decode_ok(two, ntwo, &r);
    assert_non_null(strstr(r.hearing.heard, "sprite"));
    assert_non_null(strstr(r.hearing.heard, "fries"));
    assert_int_equal(r.diag.one, 0);
    assert_true(r.diag.one_ms > 0);                 /* searched, and not taken */
    decode_ok(one, none, &r);
    assert_string_equal(r.hearing.heard, "i'd like a medium fries");
    assert_true(r.diag.one_ms == 0);                /* one item already */

    asr_config_t cfg = { .free_pass = 1 };
    setenv("KIOSK_ONE_BONUS", "100000000", 1);
    asr_t *a = asr_create(&cfg, menu, dict, err, sizeof err);
    unsetenv("KIOSK_ONE_BONUS");
    if (!a) fail_msg("%s", err);
    assert_int_equal(asr_decode(a, two, ntwo, &r, err, sizeof err), 0);
    print_message("one item at any cost: \"%s\" (%.2f)\n", r.hearing.heard, r.hearing.confidence);
    assert_int_equal(r.diag.one, 1);
    assert_true(*r.hearing.heard);
    assert_true(!strstr(r.hearing.heard, "sprite") || !strstr(r.hearing.heard, "fries"));
    assert_clean(r.hearing.heard);
    asr_free(a);

    setenv("KIOSK_ONE_BONUS", "0", 1);
    a = asr_create(&cfg, menu, dict, err, sizeof err);
    unsetenv("KIOSK_ONE_BONUS");
    if (!a) fail_msg("%s", err);
    assert_int_equal(asr_decode(a, two, ntwo, &r, err, sizeof err), 0);
    assert_int_equal(r.diag.one, 0);
    assert_true(r.diag.one_ms == 0);
    assert_non_null(strstr(r.hearing.heard, "fries"));
    asr_free(a);
    free(two);
    free(one);
}

int main(void)
{
    err_set_logfp(NULL);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_menu_sentences),
        cmocka_unit_test(test_silence_and_noise),
        cmocka_unit_test(test_shared_scores),
        cmocka_unit_test(test_ptm_scorer_same),
        cmocka_unit_test(test_free_vocabulary),
        cmocka_unit_test(test_human_model),
        cmocka_unit_test(test_loop_wide),
        cmocka_unit_test(test_menu_wide),
        cmocka_unit_test(test_off_menu),
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_bad_audio),
        cmocka_unit_test(test_model_missing),
        cmocka_unit_test(test_unknown_word),
        cmocka_unit_test(test_no_free_pass),
        cmocka_unit_test(test_one_thread_same),
        cmocka_unit_test(test_loop_either_decoder),
        cmocka_unit_test(test_answer_grammar),
        cmocka_unit_test(test_one_item),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
