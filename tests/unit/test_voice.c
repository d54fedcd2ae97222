/* test_voice.c: the kiosk's voice (src/voice/voice.c): espeak-ng speaks
 * prompts into 16 kHz PCM that is plausible speech (length, level, no
 * clipping), the same every time, and refuses what it cannot do with a
 * message that says why.
 *
 * Needs espeak-ng-data installed (the Makefile's deps step installs it). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../src/voice/voice.h"

#define RATE 16000
#define GREETING "Welcome to Burger Barn! What can I get you?"
#define READ_BACK "You have two cheeseburgers, no onions, and a large Coke. " \
                  "Your total is $9.82. Is that right?"

static voice_t *make_voice(const char *name, int wpm)
{
    char err[256] = "";
    voice_t *v = voice_create(name, wpm, err, sizeof err);
    if (!v) fail_msg("voice_create: %s", err);
    return v;
}

static size_t say(voice_t *v, const char *text, int16_t **pcm)
{
    char err[256] = "";
    size_t n = 99;
    if (voice_say(v, text, pcm, &n, err, sizeof err) != 0) fail_msg("voice_say: %s", err);
    return n;
}

static double rms(const int16_t *x, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++) s += (double)x[i] * x[i];
    return n ? sqrt(s / (double)n) : 0;
}

/* Longest run of samples at full scale (a clipped waveform sits there). */
static size_t clip_run(const int16_t *x, size_t n)
{
    size_t run = 0, best = 0;
    for (size_t i = 0; i < n; i++) {
        run = (x[i] >= 32767 || x[i] <= -32767) ? run + 1 : 0;
        if (run > best) best = run;
    }
    return best;
}

static void test_sentence_is_plausible_speech(void **state)
{
    (void)state;
    voice_t *v = make_voice(NULL, 0);
    int16_t *pcm;
    size_t n = say(v, GREETING, &pcm);
    double secs = (double)n / RATE;
    assert_true(secs >= 0.5 && secs <= 10.0);
    size_t nonzero = 0;
    for (size_t i = 0; i < n; i++) nonzero += pcm[i] != 0;
    assert_true(nonzero > n / 4);
    double r = rms(pcm, n);
    if (r < 300 || r > 12000) fail_msg("RMS %.0f outside 300..12000", r);
    assert_true(clip_run(pcm, n) < 3);
    /* Speech in the middle, not just a burst: both halves carry sound. */
    assert_true(rms(pcm, n / 2) > 100 && rms(pcm + n / 2, n - n / 2) > 100);
    free(pcm);
    voice_free(v);
}

static void test_longer_text_longer_audio(void **state)
{
    (void)state;
    voice_t *v = make_voice(NULL, 0);
    int16_t *a, *b;
    size_t na = say(v, "Anything else?", &a);
    size_t nb = say(v, READ_BACK, &b);
    assert_true(na > RATE / 4);
    assert_true(nb > na * 2);
    free(a);
    free(b);
    voice_free(v);
}

static void test_faster_rate_shorter_audio(void **state)
{
    (void)state;
    int16_t *a, *b;
    voice_t *v = make_voice("en-us", 120);
    size_t slow = say(v, READ_BACK, &a);
    voice_free(v);
    v = make_voice("en-us", 240);
    size_t fast = say(v, READ_BACK, &b);
    voice_free(v);
    assert_true(fast < slow * 3 / 4);
    free(a);
    free(b);
}

static void test_empty_text_no_samples(void **state)
{
    (void)state;
    voice_t *v = make_voice(NULL, 0);
    const char *blank[] = { "", "   ", "\n\t" };
    for (size_t i = 0; i < sizeof blank / sizeof blank[0]; i++) {
        int16_t *pcm = (int16_t *)1;
        size_t n = say(v, blank[i], &pcm);
        assert_int_equal(n, 0);
        assert_null(pcm);
    }
    /* The voice still speaks afterwards. */
    int16_t *pcm;
    assert_true(say(v, "Anything else?", &pcm) > 0);
    free(pcm);
    voice_free(v);
}

static void test_deterministic(void **state)
{
    (void)state;
    voice_t *v = make_voice(NULL, 0);
    int16_t *a, *b, *c, *d;
    size_t na = say(v, READ_BACK, &a);
    size_t nb = say(v, READ_BACK, &b);
    assert_int_equal(na, nb);
    assert_memory_equal(a, b, na * sizeof *a);
    assert_true(a != b);                        /* each call's copy is the caller's */
    /* Other sentences in between change nothing. */
    for (int i = 0; i < 3; i++) {
        char text[64];
        snprintf(text, sizeof text, "Your total is %d dollars.", i + 3);
        assert_true(say(v, text, &c) > 0);
        free(c);
    }
    size_t nd = say(v, READ_BACK, &d);
    assert_int_equal(na, nd);
    assert_memory_equal(a, d, na * sizeof *a);
    free(a);
    free(b);
    free(d);
    voice_free(v);
}

/* More distinct texts than the cache holds: the oldest are dropped, and what
 * is said again is still plausible speech (and comes out alike in length). */
static void test_many_texts(void **state)
{
    (void)state;
    voice_t *v = make_voice(NULL, 0);
    int16_t *first, *p;
    size_t n0 = say(v, "Number 0, please.", &first);
    for (int i = 1; i < 45; i++) {
        char text[64];
        snprintf(text, sizeof text, "Number %d, please.", i);
        size_t n = say(v, text, &p);
        assert_true(n > RATE / 2 && n < 5 * RATE);
        free(p);
    }
    size_t n1 = say(v, "Number 0, please.", &p);
    /* Synthesised afresh: espeak-ng's carried-over state moves it a little. */
    assert_true(n1 > n0 - RATE / 10 && n1 < n0 + RATE / 10);
    free(p);
    free(first);
    voice_free(v);
}

static void test_one_voice_at_a_time(void **state)
{
    (void)state;
    voice_t *v = make_voice(NULL, 0);
    char err[256] = "";
    assert_null(voice_create(NULL, 0, err, sizeof err));
    assert_non_null(strstr(err, "already exists"));
    assert_non_null(strstr(err, "voice_free"));
    /* The first is untouched by the refusal. */
    int16_t *pcm;
    assert_true(say(v, "Anything else?", &pcm) > 0);
    free(pcm);
    voice_free(v);
    /* Once freed, another may be made. */
    v = make_voice(NULL, 0);
    voice_free(v);
    voice_free(NULL);
}

static void test_bad_voice_name(void **state)
{
    (void)state;
    char err[256] = "";
    assert_null(voice_create("xx-nosuch", 0, err, sizeof err));
    assert_non_null(strstr(err, "'xx-nosuch'"));
    assert_non_null(strstr(err, "--voices"));
    err[0] = '\0';
    assert_null(voice_create("../../etc/passwd", 0, err, sizeof err));
    assert_non_null(strstr(err, "not a voice name"));
    err[0] = '\0';
    assert_null(voice_create("", 0, err, sizeof err));
    assert_non_null(strstr(err, "not a voice name"));
    /* A failed create leaves espeak-ng free for the next. */
    voice_free(make_voice("en-us", 0));
}

static void test_bad_rate(void **state)
{
    (void)state;
    char err[256] = "";
    assert_null(voice_create(NULL, 5, err, sizeof err));
    assert_non_null(strstr(err, "5 words per minute"));
    assert_null(voice_create(NULL, -1, err, sizeof err));
    assert_null(voice_create(NULL, 9999, err, sizeof err));
}

static void test_missing_data(void **state)
{
    (void)state;
    char dir[] = "/tmp/test_voice.XXXXXX";
    assert_non_null(mkdtemp(dir));
    const char *saved = getenv("ESPEAK_DATA_PATH");
    char *keep = saved ? strdup(saved) : NULL;
    setenv("ESPEAK_DATA_PATH", dir, 1);
    char err[512] = "";
    voice_t *v = voice_create(NULL, 0, err, sizeof err);
    if (keep) setenv("ESPEAK_DATA_PATH", keep, 1);
    else unsetenv("ESPEAK_DATA_PATH");
    free(keep);
    rmdir(dir);
    assert_null(v);
    assert_non_null(strstr(err, "install espeak-ng-data"));
    assert_non_null(strstr(err, dir));          /* says where it looked */
    assert_null(strchr(err, '\n'));
    voice_free(make_voice(NULL, 0));
}

static void test_too_long_text(void **state)
{
    (void)state;
    voice_t *v = make_voice(NULL, 0);
    size_t len = VOICE_TEXT_MAX + 10;
    char *text = malloc(len + 1);
    assert_non_null(text);
    for (size_t i = 0; i < len; i++) text[i] = i % 6 == 5 ? ' ' : 'a';
    text[len] = '\0';
    int16_t *pcm = (int16_t *)1;
    size_t n = 1;
    char err[256] = "";
    assert_int_equal(voice_say(v, text, &pcm, &n, err, sizeof err), -1);
    assert_null(pcm);
    assert_int_equal(n, 0);
    assert_non_null(strstr(err, "say it in parts"));
    free(text);
    voice_free(v);
}

static void test_odd_text_is_spoken(void **state)
{
    (void)state;
    voice_t *v = make_voice(NULL, 0);
    /* Not SSML, not phonemes, bad UTF-8: plain text or nothing, no crash. */
    const char *odd[] = { "<speak>two <break/> cokes</speak>", "[[h@'loU]]", "caf\xc3\xa9 au lait",
                          "bad \xff\xfe utf8 \xc3", "?!.", "$9.82 & 10% off" };
    for (size_t i = 0; i < sizeof odd / sizeof odd[0]; i++) {
        int16_t *pcm;
        size_t n = 99;
        char err[256] = "";
        assert_int_equal(voice_say(v, odd[i], &pcm, &n, err, sizeof err), 0);
        assert_true((double)n / RATE < 10.0);
        free(pcm);
    }
    voice_free(v);
}

/* Prices are written out for the ear. */
static void test_words_for_prices(void **state)
{
    (void)state;
    static const char *const rows[][2] = {
        { "Your total is $9.82. Is that right?", "Your total is 9 dollars and 82 cents. Is that right?" },
        { "$1.00", "1 dollar" },
        { "$0.50 each", "50 cents each" },
        { "$10.05", "10 dollars and 5 cents" },
        { "$0.01", "1 cent" },
        { "$3", "3 dollars" },
        { "no price $ here, $x", "no price $ here, $x" },
        { "$2.5", "2 dollars.5" },
        { "", "" },
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        char *got = voice_words(rows[i][0]);
        if (strcmp(got, rows[i][1]))
            fail_msg("voice_words(\"%s\") = \"%s\", want \"%s\"", rows[i][0], got, rows[i][1]);
        free(got);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        /* First: espeak-ng reads its data only until it has loaded once. */
        cmocka_unit_test(test_missing_data),
        cmocka_unit_test(test_sentence_is_plausible_speech),
        cmocka_unit_test(test_longer_text_longer_audio),
        cmocka_unit_test(test_faster_rate_shorter_audio),
        cmocka_unit_test(test_empty_text_no_samples),
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_many_texts),
        cmocka_unit_test(test_one_voice_at_a_time),
        cmocka_unit_test(test_bad_voice_name),
        cmocka_unit_test(test_bad_rate),
        cmocka_unit_test(test_too_long_text),
        cmocka_unit_test(test_odd_text_is_spoken),
        cmocka_unit_test(test_words_for_prices),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
