/* voice.c: the kiosk's voice with the espeak-ng library (see voice.h).
 *
 * espeak-ng runs in synchronous mode: espeak_ng_Synthesize() calls our
 * callback with blocks of 16-bit samples at espeak's own rate (22050 Hz for
 * its usual voices) and returns when the text is spoken.  The blocks are
 * gathered as floats and handed to audio_to_16k() (src/audio/wav.h), the same
 * speexdsp conversion every recorded turn goes through, so the kiosk's voice
 * and a WAV file of it decode alike.
 *
 * espeak-ng's state is global (voice, rate, output buffer, and the one
 * synthesis callback), so there is one instance, `the_voice`; voice_create()
 * refuses a second.  The espeak_ng_* calls are used rather than
 * espeak_Initialize() because the latter prints to stderr and, unless told
 * not to, calls exit(1) when its data is missing: a kiosk must not vanish
 * over a missing package; it must say which one.
 *
 * espeak-ng is loaded once per process and never shut down: in 1.51
 * espeak_ng_Terminate() followed by espeak_ng_Initialize() leaves its
 * internal command thread waiting for a signal that never comes, and the
 * next espeak_ng_Terminate() hangs for ever.  So voice_free() only frees the
 * handle, and the next voice_create() sets the voice and rate on the loaded
 * engine.  What espeak-ng allocated stays reachable from its globals, so
 * LeakSanitizer does not report it.  A failed load (no data) loads nothing
 * and may be retried.
 *
 * Determinism: espeak-ng's wave generator keeps state from one utterance
 * to the next that no call resets (a pitch-flutter phase and a cycle count,
 * statics in wavegen.c), so the same text said twice comes out a few ms
 * longer or shorter and not sample-identical.  Two things make the voice
 * repeatable anyway: a process that says the same texts in the same order
 * gets the same samples every run (that state starts from zero); and each
 * voice_t keeps what it said recently (CACHE_ENTRIES texts, CACHE_SAMPLES in
 * all, least recently said dropped first), so a prompt sounds identical every
 * time it is said, and the greeting, "Anything else?" and the like are
 * synthesised once.
 *
 * espeak_ng_Initialize() sets the process's LC_CTYPE locale (to C.UTF-8 if
 * it exists) so that its wide-character classes work; nothing in the kiosk
 * depends on LC_CTYPE. */
#include "voice.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <espeak-ng/espeak_ng.h>
#include <espeak-ng/speak_lib.h>

#include "../audio/wav.h"
#include "../util/util.h"

#define DEFAULT_VOICE "en-us"
#define DEFAULT_WPM 165
#define WPM_MIN 80             /* espeak-ng's own limits */
#define WPM_MAX 450
#define NAME_MAX_LEN 40
#define BLOCK_MS 100           /* length of the blocks espeak hands the callback */

/* What was said recently, by text: the same text is not synthesised again.
 * See "Determinism" at the top. */
#define CACHE_ENTRIES 32
#define CACHE_SAMPLES ((size_t)AUDIO_RATE * 120)   /* all entries together, ~3.8 MB */

typedef struct {
    char *text;                /* NULL: free slot */
    int16_t *pcm;              /* 16 kHz */
    size_t n;
    unsigned long used;        /* the tick it was last said at, for eviction */
} cache_entry_t;

struct voice_s {
    int rate;                  /* espeak-ng's output rate, Hz */
    /* The utterance being gathered, as floats in -1..1 at `rate`. */
    float *buf;
    size_t len, cap, max;      /* max: VOICE_MAX_SECONDS at rate */
    int too_long;              /* the callback stopped synthesis at max */
    cache_entry_t cache[CACHE_ENTRIES];
    size_t cache_samples;      /* sum of n over the cache */
    unsigned long tick;
};

/* The one instance (espeak-ng's state is global); NULL when none exists.
 * The synthesis callback finds its buffer here. */
static voice_t *the_voice;
/* espeak-ng's data loaded (see above); its output rate once output is set up, 0 before. */
static int data_loaded;
static int loaded_rate;

/* espeak-ng's synthesis callback: appends one block; returns 1 to stop. */
static int on_samples(short *wav, int nsamples, espeak_EVENT *events)
{
    (void)events;
    voice_t *v = the_voice;
    if (!v || !wav || nsamples <= 0) return 0;   /* wav NULL: end of text */
    size_t add = (size_t)nsamples;
    if (v->len + add > v->max) {
        v->too_long = 1;
        return 1;
    }
    if (v->len + add > v->cap) {
        size_t cap = v->cap ? v->cap : (size_t)v->rate * 4;
        while (cap < v->len + add) cap *= 2;
        v->buf = xrealloc(v->buf, cap * sizeof *v->buf);
        v->cap = cap;
    }
    for (size_t i = 0; i < add; i++) v->buf[v->len + i] = (float)wav[i] / 32768.0f;
    v->len += add;
    return 0;
}

/* Copies espeak-ng's text for status (and its error context, which names the
 * file it could not read) into out, as one line without a final full stop. */
static void status_text(espeak_ng_STATUS status, espeak_ng_ERROR_CONTEXT ctx, char *out,
                        size_t outlen)
{
    out[0] = '\0';
    char *mem = NULL;
    size_t memlen = 0;
    FILE *f = ctx ? open_memstream(&mem, &memlen) : NULL;
    if (f) {
        espeak_ng_PrintStatusCodeMessage(status, f, ctx);
        fclose(f);
        snprintf(out, outlen, "%s", mem ? mem : "");
        free(mem);
    }
    if (!out[0]) espeak_ng_GetStatusCodeMessage(status, out, outlen);
    for (char *p = out; *p; p++)
        if (*p == '\n' || *p == '\r') *p = ' ';
    size_t l = strlen(out);
    while (l > 0 && (out[l - 1] == ' ' || out[l - 1] == '.')) out[--l] = '\0';
}

/* A voice name as espeak-ng takes it ("en-us", "en-us+f3", "gmw/en-US"):
 * printable, short, and not a way out of its voices directory. */
static int name_ok(const char *name)
{
    size_t l = strlen(name);
    if (l == 0 || l > NAME_MAX_LEN || strstr(name, "..")) return 0;
    for (size_t i = 0; i < l; i++) {
        unsigned char c = (unsigned char)name[i];
        if (c <= ' ' || c >= 0x7f) return 0;
    }
    return 1;
}

/* Loads espeak-ng's data and sets up synchronous output, once per process. */
static int load_engine(char *err, size_t errlen)
{
    if (loaded_rate) return 0;
    char why[256];
    espeak_ng_STATUS st;
    if (!data_loaded) {
        espeak_ng_ERROR_CONTEXT ctx = NULL;
        espeak_ng_InitializePath(NULL);
        st = espeak_ng_Initialize(&ctx);
        if (st != ENS_OK) {
            /* It failed before starting anything, so it may be called again. */
            status_text(st, ctx, why, sizeof why);
            espeak_ng_ClearErrorContext(&ctx);
            snprintf(err, errlen, "espeak-ng: cannot load its data (%s); install "
                     "espeak-ng-data (apt-get install espeak-ng-data) or point "
                     "ESPEAK_DATA_PATH at it", why);
            return -1;
        }
        data_loaded = 1;
    }
    st = espeak_ng_InitializeOutput(ENOUTPUT_MODE_SYNCHRONOUS, BLOCK_MS, NULL);
    if (st != ENS_OK) {
        status_text(st, NULL, why, sizeof why);
        snprintf(err, errlen, "espeak-ng: cannot set up synchronous output (%s)", why);
        return -1;
    }
    int rate = espeak_ng_GetSampleRate();
    if (rate < 8000 || rate > 96000) {
        snprintf(err, errlen, "espeak-ng: unexpected sample rate %d Hz", rate);
        return -1;
    }
    loaded_rate = rate;
    return 0;
}

voice_t *voice_create(const char *name, int wpm, char *err, size_t errlen)
{
    if (!name) name = DEFAULT_VOICE;
    if (wpm == 0) wpm = DEFAULT_WPM;
    if (the_voice) {
        snprintf(err, errlen, "espeak-ng: a voice already exists (espeak-ng allows one per "
                 "process); free it with voice_free() before creating another");
        return NULL;
    }
    if (!name_ok(name)) {
        snprintf(err, errlen, "espeak-ng: '%.60s' is not a voice name (e.g. en-us, en-us+f3; "
                 "list them with `espeak-ng --voices`)", name);
        return NULL;
    }
    if (wpm < WPM_MIN || wpm > WPM_MAX) {
        snprintf(err, errlen, "espeak-ng: speaking rate %d words per minute is out of range "
                 "(use %d..%d, or 0 for %d)", wpm, WPM_MIN, WPM_MAX, DEFAULT_WPM);
        return NULL;
    }

    char why[256];
    if (load_engine(err, errlen) < 0) return NULL;
    espeak_ng_STATUS st = espeak_ng_SetVoiceByName(name);
    if (st == ENS_VOICE_NOT_FOUND) {
        snprintf(err, errlen, "espeak-ng: no voice named '%s' (list them with `espeak-ng "
                 "--voices`; install espeak-ng-data if the list is empty)", name);
        return NULL;
    } else if (st != ENS_OK) {
        status_text(st, NULL, why, sizeof why);
        snprintf(err, errlen, "espeak-ng: cannot load voice '%s' (%s); reinstall "
                 "espeak-ng-data", name, why);
        return NULL;
    }
    st = espeak_ng_SetParameter(espeakRATE, wpm, 0);
    if (st != ENS_OK) {
        status_text(st, NULL, why, sizeof why);
        snprintf(err, errlen, "espeak-ng: cannot set the rate to %d words per minute (%s)",
                 wpm, why);
        return NULL;
    }
    espeak_SetSynthCallback(on_samples);

    voice_t *v = xcalloc(1, sizeof *v);
    v->rate = loaded_rate;
    v->max = (size_t)loaded_rate * VOICE_MAX_SECONDS;
    the_voice = v;
    return v;
}

void voice_free(voice_t *v)
{
    if (!v) return;
    if (v == the_voice) the_voice = NULL;   /* espeak-ng stays loaded: see the top */
    for (int i = 0; i < CACHE_ENTRIES; i++) {
        free(v->cache[i].text);
        free(v->cache[i].pcm);
    }
    free(v->buf);
    free(v);
}

static cache_entry_t *cache_find(voice_t *v, const char *text)
{
    for (int i = 0; i < CACHE_ENTRIES; i++)
        if (v->cache[i].text && strcmp(v->cache[i].text, text) == 0) return &v->cache[i];
    return NULL;
}

static void cache_drop(voice_t *v, cache_entry_t *e)
{
    v->cache_samples -= e->n;
    free(e->text);
    free(e->pcm);
    memset(e, 0, sizeof *e);
}

/* Keeps a copy of pcm[0..n) as what text sounds like, dropping the least
 * recently said entries to make room.  Too long for the cache: not kept. */
static void cache_put(voice_t *v, const char *text, const int16_t *pcm, size_t n)
{
    if (n == 0 || n > CACHE_SAMPLES / 4) return;
    for (;;) {
        cache_entry_t *free_slot = NULL, *oldest = NULL;
        for (int i = 0; i < CACHE_ENTRIES; i++) {
            cache_entry_t *e = &v->cache[i];
            if (!e->text) {
                if (!free_slot) free_slot = e;
            } else if (!oldest || e->used < oldest->used) {
                oldest = e;
            }
        }
        if (free_slot && v->cache_samples + n <= CACHE_SAMPLES) {
            free_slot->text = xstrdup(text);
            free_slot->pcm = xmalloc(n * sizeof *pcm);
            memcpy(free_slot->pcm, pcm, n * sizeof *pcm);
            free_slot->n = n;
            free_slot->used = v->tick;
            v->cache_samples += n;
            return;
        }
        cache_drop(v, oldest);   /* non-NULL: the cache is full one way or the other */
    }
}

static int is_blank(const char *s)
{
    for (; *s; s++)
        if (!isspace((unsigned char)*s)) return 0;
    return 1;
}

char *voice_words(const char *text)
{
    strbuf_t b = {0};
    strbuf_append(&b, "");
    for (const char *p = text; *p;) {
        const char *d = p + 1;
        if (*p == '$' && isdigit((unsigned char)*d)) {
            long dollars = 0, cents = 0;
            while (isdigit((unsigned char)*d) && dollars < 100000000) dollars = dollars * 10 + (*d++ - '0');
            if (d[0] == '.' && isdigit((unsigned char)d[1]) && isdigit((unsigned char)d[2]) &&
                !isdigit((unsigned char)d[3])) {
                cents = (d[1] - '0') * 10 + (d[2] - '0');
                d += 3;
            }
            if (dollars || !cents)
                strbuf_printf(&b, "%ld dollar%s", dollars, dollars == 1 ? "" : "s");
            if (dollars && cents) strbuf_append(&b, " and ");
            if (cents) strbuf_printf(&b, "%ld cent%s", cents, cents == 1 ? "" : "s");
            p = d;
            continue;
        }
        strbuf_appendn(&b, p, 1);
        p++;
    }
    return strbuf_steal(&b);
}

int voice_say(voice_t *v, const char *text, int16_t **pcm, size_t *n, char *err,
              size_t errlen)
{
    *pcm = NULL;
    *n = 0;
    if (!v || v != the_voice) {
        snprintf(err, errlen, "voice_say: no voice (voice_create() failed or was freed)");
        return -1;
    }
    if (!text || is_blank(text)) return 0;
    size_t tl = strnlen(text, VOICE_TEXT_MAX + 1);
    if (tl > VOICE_TEXT_MAX) {
        snprintf(err, errlen, "voice_say: text longer than %d bytes; say it in parts",
                 VOICE_TEXT_MAX);
        return -1;
    }

    v->tick++;
    cache_entry_t *hit = cache_find(v, text);
    if (hit) {
        hit->used = v->tick;
        *pcm = xmalloc(hit->n * sizeof **pcm);
        memcpy(*pcm, hit->pcm, hit->n * sizeof **pcm);
        *n = hit->n;
        return 0;
    }

    v->len = 0;
    v->too_long = 0;
    /* espeakENDPAUSE: the usual pause after the last sentence, so prompts
     * played back to back do not run together. */
    char *words = voice_words(text);
    espeak_ng_STATUS st = espeak_ng_Synthesize(words, strlen(words) + 1, 0, POS_CHARACTER, 0,
                                               espeakCHARS_UTF8 | espeakENDPAUSE, NULL, NULL);
    free(words);
    if (v->too_long) {
        snprintf(err, errlen, "voice_say: text gives more than %d s of speech; say it in parts",
                 VOICE_MAX_SECONDS);
        return -1;
    }
    if (st != ENS_OK) {
        char why[160];
        status_text(st, NULL, why, sizeof why);
        snprintf(err, errlen, "espeak-ng: cannot speak the text (%s)", why);
        return -1;
    }
    if (v->len == 0) return 0;       /* e.g. text of only punctuation */

    char why[160];
    if (audio_to_16k(v->buf, v->len, v->rate, 1, pcm, n, why, sizeof why) < 0) {
        snprintf(err, errlen, "voice_say: cannot resample espeak-ng's %d Hz to %d Hz (%s)",
                 v->rate, AUDIO_RATE, why);
        return -1;
    }
    cache_put(v, text, *pcm, *n);
    return 0;
}
