/* dict.c: the CMU pronouncing dictionary, pronunciations derived by rule,
 * and the menu's word check (see menu.h, "dictionary and pronunciations").
 *
 * The dictionary file (about 135,000 lines, 3.5 MB) is read whole into one
 * buffer and split in place: each entry's word and phones point into that
 * buffer, so loading is one read, one pass and one allocation per table, well
 * under the 0.3 s the kiosk can afford at start-up and on every menu check.
 * Lookups go through an open-addressing hash table (linear probing, at most
 * half full).
 *
 * Only the first pronunciation of a word is kept: the decoder reads the same
 * file itself and knows the alternates ("word(2) ..."); here we only need a
 * pronunciation to derive plurals from, and the alternate numbers a word
 * already uses, so that a menu's own pronunciation of a dictionary word can
 * be taught to the decoder as the next alternate (see menu_lexicon()).
 *
 * Derivation rules (cmudict_derive): a word is known when it is in the
 * dictionary, or is the plural / third person ("-s", "-es", "-ies") or the
 * possessive ("'s", "s'") of a word that is.  The "-s" ending is voiced or
 * not after the last phone of the stem, as in English: "cakes" K EY K S,
 * "fries" F R AY Z, "sandwiches" ... CH IH Z.  menu_check_words() and
 * menu_lexicon() use the same rules with the menu's pronunciations: as a
 * second source, so "mcflurries" follows from a menu's "mcflurry". */
#include "menu.h"
#include "problems.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct {
    const char *word;    /* into dict->text */
    const char *phones;  /* into dict->text, single spaces */
    unsigned last_alt;   /* highest N of a "word(N)" alternate; 1 when none */
} dict_entry_t;

struct cmudict_s {
    char *text;          /* the whole file, split in place */
    dict_entry_t *ents;
    size_t nents;
    uint32_t *slots;     /* entry index + 1; 0 is an empty slot */
    size_t mask;         /* slots - 1; the slot count is a power of two */
};

/* ---- the dictionary ----------------------------------------------------- */

const char *cmudict_default_path(void)
{
    /* One static buffer: the path is read at start-up by one thread, and
     * callers use it at once (cmudict_load copies nothing it does not need). */
    static char path[4096];
    const char *dir = getenv("KIOSK_MODEL_DIR");
    if (!dir || !*dir) dir = "/usr/share/pocketsphinx/model/en-us";
    snprintf(path, sizeof path, "%s/cmudict-en-us.dict", dir);
    return path;
}

static uint32_t hash_str(const char *s, size_t n)
{
    uint32_t h = 2166136261u;   /* FNV-1a: fast and good enough for words */
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 16777619u;
    }
    return h;
}

/* Slot of word[0..n) (occupied by it, or the empty slot where it would go). */
static size_t find_slot(const cmudict_t *d, const char *w, size_t n)
{
    size_t i = hash_str(w, n) & d->mask;
    for (;;) {
        uint32_t e = d->slots[i];
        if (!e) return i;
        const char *k = d->ents[e - 1].word;
        if (strncmp(k, w, n) == 0 && k[n] == '\0') return i;
        i = (i + 1) & d->mask;
    }
}

/* Length of the base word of a "word(2)" alternate, or 0 when w is not one;
 * *alt receives the 2. */
static size_t alternate_base(const char *w, size_t n, unsigned *alt)
{
    if (n < 4 || w[n - 1] != ')') return 0;
    size_t i = n - 1;
    while (i > 0 && isdigit((unsigned char)w[i - 1])) i--;
    if (i == n - 1 || i < 2 || w[i - 1] != '(' || n - 1 - i > 4) return 0;
    *alt = (unsigned)strtoul(w + i, NULL, 10);
    return i - 1;
}

cmudict_t *cmudict_load(const char *path, strlist_t *errs)
{
    /* a regular file only: a FIFO would hang the kiosk at start-up (its size
     * is not bounded: the stock file is 3.5 MB, and $KIOSK_MODEL_DIR may
     * point at a bigger one) */
    char why[128];
    int fd = open_regular(path, NULL, NULL, why, sizeof why);
    FILE *f = fd >= 0 ? fdopen(fd, "rb") : NULL;
    if (!f) {
        if (fd >= 0) {
            snprintf(why, sizeof why, "%s", strerror(errno));
            close(fd);
        }
        strlist_pushf(errs, "%s: cannot read the pronunciation dictionary: %s; "
                      "install pocketsphinx-en-us (make deps)", path, why);
        return NULL;
    }
    cmudict_t *d = xcalloc(1, sizeof *d);
    struct {
        const char *word;
        unsigned n;
    } *alts = NULL;          /* the "word(N)" lines, base word cut at '(' */
    size_t nalts = 0;
    size_t cap = 1 << 22, len = 0;   /* the stock file is 3.5 MB: one read */
    d->text = xmalloc(cap + 1);
    for (;;) {
        size_t got = fread(d->text + len, 1, cap - len, f);
        len += got;
        if (len < cap) break;
        cap *= 2;
        d->text = xrealloc(d->text, cap + 1);
    }
    int read_err = ferror(f) ? errno : 0;
    fclose(f);
    if (read_err) {
        strlist_pushf(errs, "%s: cannot read the pronunciation dictionary: %s; "
                      "install pocketsphinx-en-us (make deps)", path, strerror(read_err));
        goto err;
    }
    d->text[len] = '\0';

    size_t lines = 1;
    for (const char *p = d->text; (p = memchr(p, '\n', (size_t)(d->text + len - p))); p++) lines++;
    size_t nslots = 1024;
    while (nslots < 2 * lines) nslots *= 2;
    d->slots = xcalloc(nslots, sizeof *d->slots);
    d->mask = nslots - 1;
    d->ents = xmalloc(lines * sizeof *d->ents);
    alts = xmalloc(lines * sizeof *alts);

    char *p = d->text, *end = d->text + len;
    while (p < end) {
        char *eol = memchr(p, '\n', (size_t)(end - p));
        if (!eol) eol = end;
        *eol = '\0';
        char *w = p;
        p = eol + 1;
        while (*w == ' ' || *w == '\t') w++;
        char *we = w;
        while (*we && *we != ' ' && *we != '\t' && *we != '\r') we++;
        if (we == w || *w == '#' || *w == ';') continue;   /* blank or comment */
        size_t wn = (size_t)(we - w);

        /* Phones: collapse runs of blanks to one space and stop at a comment,
         * in place (the result is never longer than the source). */
        char *src = we, *dst = we;
        int pending = 0;
        if (*src) src++;
        *dst++ = '\0';
        char *ph = dst;
        for (; *src && *src != '#' && *src != '\r'; src++) {
            if (*src == ' ' || *src == '\t') {
                pending = dst > ph;
                continue;
            }
            if (pending) *dst++ = ' ';
            pending = 0;
            *dst++ = *src;
        }
        *dst = '\0';
        if (!*ph) continue;

        unsigned alt = 0;
        size_t base = alternate_base(w, wn, &alt);
        if (base) {
            /* counted once every base word is in: a file need not list the
             * base first */
            w[base] = '\0';
            alts[nalts].word = w;
            alts[nalts++].n = alt;
            continue;
        }
        size_t s = find_slot(d, w, wn);
        if (d->slots[s]) continue;   /* a repeated word: the first one wins */
        d->ents[d->nents] = (dict_entry_t){ w, ph, 1 };
        d->slots[s] = (uint32_t)++d->nents;
    }
    for (size_t i = 0; i < nalts; i++) {
        uint32_t e = d->slots[find_slot(d, alts[i].word, strlen(alts[i].word))];
        if (e && d->ents[e - 1].last_alt < alts[i].n) d->ents[e - 1].last_alt = alts[i].n;
    }
    free(alts);
    alts = NULL;
    if (d->nents == 0) {
        strlist_pushf(errs, "%s: the pronunciation dictionary is empty; "
                      "reinstall pocketsphinx-en-us (make deps)", path);
        goto err;
    }
    return d;
err:
    free(alts);
    cmudict_free(d);
    return NULL;
}

void cmudict_free(cmudict_t *d)
{
    if (!d) return;
    free(d->text);
    free(d->ents);
    free(d->slots);
    free(d);
}

static const dict_entry_t *dict_entry(const cmudict_t *d, const char *word)
{
    if (!d || !word) return NULL;
    uint32_t e = d->slots[find_slot(d, word, strlen(word))];
    return e ? &d->ents[e - 1] : NULL;
}

const char *cmudict_lookup(const cmudict_t *d, const char *word)
{
    const dict_entry_t *e = dict_entry(d, word);
    return e ? e->phones : NULL;
}

/* ---- derivation by rule ------------------------------------------------- */

/* Where known words come from: the dictionary, optionally the menu's
 * pronunciations: (m, looked up through prons: word -> index), and
 * optionally a set of words to treat as known but one ("would adding these
 * words to pronunciations: also fix that one?"). */
typedef struct {
    const cmudict_t *d;
    const menu_t *m;
    const strmap_t *prons;
    const strmap_t *pretend;
    const char *pretend_not;
} source_t;

/* word -> index in m->prons, the first entry of each word */
static void index_prons(const menu_t *m, strmap_t *ix)
{
    for (int i = 0; i < m->nprons; i++) strmap_add(ix, m->prons[i].word, i);
}

static char *pron_phones(const cmudict_t *d, const char *written, char **bad);

/* The phones of w from src, or NULL.  A new string. */
static char *source_find(const source_t *src, const char *w)
{
    if (src->pretend && strmap_get(src->pretend, w) >= 0 && strcmp(w, src->pretend_not) != 0)
        return xstrdup("AH");
    int i = src->m ? strmap_get(src->prons, w) : -1;
    if (i >= 0) {
        char *p = pron_phones(src->d, src->m->prons[i].phones, NULL);
        /* An entry with an unknown word is reported by check_pron(); the
         * word itself counts as listed, so it is not reported twice. */
        return p ? p : xstrdup(src->m->prons[i].phones);
    }
    const char *p = cmudict_lookup(src->d, w);
    return p ? xstrdup(p) : NULL;
}

static int ends_with(const char *s, size_t n, const char *suffix)
{
    size_t k = strlen(suffix);
    return n >= k && memcmp(s + n - k, suffix, k) == 0;
}

/* phones + the "-s" ending: /s/ after a voiceless stop or fricative, /iz/
 * after a sibilant, /z/ otherwise. */
static char *add_s(const char *phones)
{
    const char *last = strrchr(phones, ' ');
    last = last ? last + 1 : phones;
    static const char *const voiceless[] = { "P", "T", "K", "F", "TH", NULL };
    static const char *const sibilant[] = { "S", "Z", "SH", "ZH", "CH", "JH", NULL };
    for (int i = 0; sibilant[i]; i++)
        if (strcmp(last, sibilant[i]) == 0) return xasprintf("%s IH Z", phones);
    for (int i = 0; voiceless[i]; i++)
        if (strcmp(last, voiceless[i]) == 0) return xasprintf("%s S", phones);
    return xasprintf("%s Z", phones);
}

static char *derive(const source_t *src, const char *word, int depth);

/* The stem word[0..n) followed by tail, derived, then with "-s" added when
 * plural is set. */
static char *derive_from(const source_t *src, const char *word, size_t n, const char *tail,
                         int plural, int depth)
{
    if (n == 0) return NULL;
    char *stem = xasprintf("%.*s%s", (int)n, word, tail);
    char *p = derive(src, stem, depth + 1);
    free(stem);
    if (!p || !plural) return p;
    char *r = add_s(p);
    free(p);
    return r;
}

static char *derive(const source_t *src, const char *word, int depth)
{
    char *known = source_find(src, word);
    if (known) return known;
    /* Two levels cover "kids'" and a possessive of a plural; deeper chains
     * would only invent words nobody says. */
    if (depth >= 2) return NULL;
    size_t n = strlen(word);
    char *r = NULL;
    if (ends_with(word, n, "'s"))
        return derive_from(src, word, n - 2, "", 1, depth);
    if (ends_with(word, n, "s'"))
        return derive_from(src, word, n - 1, "", 0, depth);
    if (n > 3 && ends_with(word, n, "ies") && (r = derive_from(src, word, n - 3, "y", 1, depth)))
        return r;
    if (n > 3 && ends_with(word, n, "es")) {
        /* "-es" only where English spelling adds it: after s, x, z, ch, sh, o. */
        const char *stem_end = word + n - 2;
        size_t sn = n - 2;
        if (strchr("sxzo", stem_end[-1]) || ends_with(word, sn, "ch") || ends_with(word, sn, "sh"))
            if ((r = derive_from(src, word, sn, "", 1, depth))) return r;
    }
    if (n > 2 && word[n - 1] == 's' && word[n - 2] != 's' && word[n - 2] != '\'')
        return derive_from(src, word, n - 1, "", 1, depth);
    return NULL;
}

char *cmudict_derive(const cmudict_t *d, const char *word)
{
    source_t src = { d, NULL, NULL, NULL, NULL };
    return derive(&src, word, 0);
}

/* ---- examples for words that cannot be pronounced ----------------------- */

/* Spelling -> phones, letter by letter with the common digraphs.  Crude on
 * purpose: it only has to give a manager a starting point, and the message
 * says it is a guess. */
static void guess_from_spelling(const char *w, strbuf_t *out)
{
    static const struct { const char *spell, *phones; } pairs[] = {
        { "tch", "CH" }, { "sch", "S K" }, { "igh", "AY" },
        { "ch", "CH" }, { "sh", "SH" }, { "th", "TH" }, { "ph", "F" }, { "ck", "K" },
        { "ng", "NG" }, { "qu", "K W" }, { "wh", "W" }, { "kn", "N" }, { "wr", "R" },
        { "ee", "IY" }, { "ea", "IY" }, { "oo", "UW" }, { "ai", "EY" }, { "ay", "EY" },
        { "ou", "AW" }, { "ow", "OW" }, { "oi", "OY" }, { "oy", "OY" }, { "au", "AO" },
        { "aw", "AO" }, { "ie", "IY" }, { "er", "ER" }, { "ur", "ER" }, { "ir", "ER" },
        { "ar", "AA R" }, { "or", "AO R" },
    };
    static const char *const letter[26] = {
        "AE", "B", "K", "D", "EH", "F", "G", "HH", "IH", "JH", "K", "L", "M",
        "N", "AA", "P", "K", "R", "S", "T", "AH", "V", "W", "K S", "IY", "Z",
    };
    size_t n = strlen(w);
    char prev = 0;
    for (size_t i = 0; i < n;) {
        const char *ph = NULL;
        size_t used = 1;
        for (size_t k = 0; k < sizeof pairs / sizeof pairs[0]; k++) {
            size_t l = strlen(pairs[k].spell);
            if (strncmp(w + i, pairs[k].spell, l) == 0) {
                ph = pairs[k].phones;
                used = l;
                break;
            }
        }
        char c = w[i];
        if (!ph) {
            if (c < 'a' || c > 'z' || c == prev) {   /* apostrophes, digits, double letters */
                prev = c;
                i++;
                continue;
            }
            if (c == 'e' && i == n - 1 && i > 0) break;          /* silent final e */
            if (c == 'c' && i + 1 < n && strchr("eiy", w[i + 1])) ph = "S";
            else if (c == 'y' && i == 0) ph = "Y";
            else ph = letter[c - 'a'];
        }
        if (out->len) strbuf_append(out, " ");
        strbuf_append(out, ph);
        prev = w[i + used - 1];
        i += used;
    }
    if (!out->len) strbuf_append(out, "AH");
}

/* Pronunciation of part word[0..n) for a compound, or NULL. "mc" is the fast-food
 * prefix ("mcnuggets" M AH K N AH G AH T S), not the dictionary's "M IH K". */
static char *part_pron(const source_t *src, const char *w, size_t n, int first)
{
    if (first && n == 2 && strncmp(w, "mc", 2) == 0) return xstrdup("M AH K");
    char *s = xstrndup(w, n);
    char *p = derive(src, s, 0);
    free(s);
    return p;
}

/* An example entry for an unknown word: two known words run together
 * ("mcflurry" = mc + flurry) when there is such a split, else a guess from
 * the spelling (*guess set). Returns a new string. */
static char *example_pron(const source_t *src, const char *w, int *guess)
{
    size_t n = strlen(w);
    char *best = NULL;
    size_t best_min = 0;
    /* Of all splits into two known parts of two letters or more, prefer the
     * most even one: short dictionary entries ("ry", "fl") are mostly
     * abbreviations and give silly results. */
    for (size_t i = 2; i + 2 <= n; i++) {
        size_t shortest = i < n - i ? i : n - i;
        if (best && shortest <= best_min) continue;
        char *a = part_pron(src, w, i, 1);
        if (!a) continue;
        char *b = part_pron(src, w + i, n - i, 0);
        if (b) {
            free(best);
            best = xasprintf("%s %s", a, b);
            best_min = shortest;
        }
        free(a);
        free(b);
    }
    /* The "mc" rule wins over an even split: it is what fast-food names are. */
    if (n > 4 && strncmp(w, "mc", 2) == 0) {
        char *b = part_pron(src, w + 2, n - 2, 0);
        if (b) {
            free(best);
            best = xasprintf("M AH K %s", b);
            free(b);
        }
    }
    *guess = best == NULL;
    if (best) return best;
    strbuf_t g = {0};
    guess_from_spelling(w, &g);
    return strbuf_steal(&g);
}

/* ---- the menu's words --------------------------------------------------- */

static const char *const cmu_phones[] = {
    "AA", "AE", "AH", "AO", "AW", "AY", "B", "CH", "D", "DH", "EH", "ER", "EY", "F",
    "G", "HH", "IH", "IY", "JH", "K", "L", "M", "N", "NG", "OW", "OY", "P", "R", "S",
    "SH", "T", "TH", "UH", "UW", "V", "W", "Y", "Z", "ZH", NULL,
};

static int is_phone(const char *p, size_t n)
{
    for (int i = 0; cmu_phones[i]; i++)
        if (strlen(cmu_phones[i]) == n && strncmp(cmu_phones[i], p, n) == 0) return 1;
    return 0;
}

/* A token of a pronunciations: entry that is a word, not a phone: it has a
 * lower-case letter and is not a phone written in lower case ("m", "ah0"
 * stay phones, so check_pron() can say how to write them). */
static int pron_token_is_word(const char *s, size_t n)
{
    char up[16];
    size_t k = 0;
    int lower = 0;
    for (size_t i = 0; i < n; i++) {
        if (islower((unsigned char)s[i])) lower = 1;
        if (!isdigit((unsigned char)s[i]) && k + 1 < sizeof up) up[k++] = (char)toupper((unsigned char)s[i]);
    }
    up[k] = '\0';
    return lower && !(n < sizeof up && is_phone(up, k));
}

/* The phones of a pronunciations: entry as written: CMU phones ("M AH K F L
 * ER IY"), words the dictionary knows ("mick flurry": their phones one after
 * the other), or both.  Managers can check words they can read; phone codes
 * they cannot.  A new string; NULL when a word is unknown, with *bad (when
 * given) a new copy of that word.  Phones are copied as written: check_pron()
 * says what is wrong with them. */
static char *pron_phones(const cmudict_t *d, const char *written, char **bad)
{
    source_t dict_only = { d, NULL, NULL, NULL, NULL };
    strbuf_t b = {0};
    const char *s = written;
    if (bad) *bad = NULL;
    for (;;) {
        while (*s == ' ' || *s == '\t') s++;
        if (!*s) break;
        const char *e = s;
        while (*e && *e != ' ' && *e != '\t') e++;
        size_t n = (size_t)(e - s);
        if (b.len) strbuf_append(&b, " ");
        if (pron_token_is_word(s, n)) {
            char *w = xstrndup(s, n);
            for (char *q = w; *q; q++) *q = (char)tolower((unsigned char)*q);
            /* dictionary words and their plurals only: not the menu's own
             * entries, so entries cannot refer to each other in a circle */
            char *ph = derive(&dict_only, w, 0);
            if (!ph) {
                if (bad) *bad = w;
                else free(w);
                strbuf_free(&b);
                return NULL;
            }
            strbuf_append(&b, ph);
            free(ph);
            free(w);
        } else {
            strbuf_appendn(&b, s, n);
        }
        s = e;
    }
    return strbuf_steal(&b);
}

/* The word check's messages, given in file order (as menu_load() gives its
 * own), whatever check found them, at most MENU_MAX_ERRORS (problems.h);
 * one that would not be shown is only counted, so an example pronunciation,
 * which tries every split of the word, is made for shown lines only. */
static void problem(problems_t *pl, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void problem(problems_t *pl, int line, int col, const char *fmt, ...)
{
    if (!problems_wanted(pl, line, col)) {
        problems_add(pl, line, col, NULL);
        return;
    }
    strbuf_t b = {0};
    va_list ap;
    va_start(ap, fmt);
    strbuf_vprintf(&b, fmt, ap);
    va_end(ap);
    problems_add(pl, line, col, strbuf_steal(&b));
}

/* Checks one pronunciations: entry: CMU phones only, at least one. */
static void check_pron(const menu_t *m, const source_t *src, const menu_pron_t *p, problems_t *pl)
{
    const char *s = p->phones ? p->phones : "";
    int count = 0;
    while (*s) {
        while (*s == ' ' || *s == '\t') s++;
        const char *e = s;
        while (*e && *e != ' ' && *e != '\t') e++;
        if (e == s) break;
        size_t n = (size_t)(e - s);
        count++;
        if (pron_token_is_word(s, n)) {
            char *w = xstrndup(s, n), *ph = pron_phones(src->d, w, NULL);
            if (!ph) {
                int guess = 0;
                for (char *q = w; *q; q++) *q = (char)tolower((unsigned char)*q);
                char *ex = problems_wanted(pl, p->line, p->col) ? example_pron(src, p->word, &guess) : NULL;
                problem(pl, p->line, p->col, "%s:%d:%d: pronunciation of \"%s\": \"%s\" is not a word "
                        "the dictionary knows; write other words it knows, or CMU phones, e.g.  %s: %s%s",
                        m->file, p->line, p->col, p->word, w, p->word, ex,
                        guess ? " (a guess from the spelling: check it)" : "");
                free(ex);
            }
            free(ph);
            free(w);
        } else if (!is_phone(s, n)) {
            char up[16];
            size_t k = 0, digits = 0;
            for (size_t i = 0; i < n && k + 1 < sizeof up; i++) {
                if (isdigit((unsigned char)s[i])) digits++;
                else up[k++] = (char)toupper((unsigned char)s[i]);
            }
            up[k] = '\0';
            if (n < sizeof up && is_phone(up, k) && digits)
                problem(pl, p->line, p->col, "%s:%d:%d: pronunciation of \"%s\": \"%.*s\" has a "
                        "stress digit, which the pocketsphinx dictionary does not use; write %s",
                        m->file, p->line, p->col, p->word, (int)n, s, up);
            else if (n < sizeof up && is_phone(up, k))
                problem(pl, p->line, p->col, "%s:%d:%d: pronunciation of \"%s\": phone \"%.*s\" "
                        "must be upper case: %s", m->file, p->line, p->col, p->word, (int)n, s, up);
            else
                problem(pl, p->line, p->col, "%s:%d:%d: pronunciation of \"%s\": \"%.*s\" is not a "
                        "CMU phone; use only AA AE AH AO AW AY B CH D DH EH ER EY F G HH IH IY "
                        "JH K L M N NG OW OY P R S SH T TH UH UW V W Y Z ZH",
                        m->file, p->line, p->col, p->word, (int)n, s);
        }
        s = e;
    }
    if (count == 0) {
        int guess = 0;
        char *ex = problems_wanted(pl, p->line, p->col) ? example_pron(src, p->word, &guess) : NULL;
        problem(pl, p->line, p->col, "%s:%d:%d: pronunciation of \"%s\" is empty; give its CMU "
                "phones, e.g.  %s: %s%s", m->file, p->line, p->col, p->word, p->word, ex,
                guess ? " (a guess from the spelling: check it)" : "");
        free(ex);
    }
}

/* Words the JSGF scanner reads as keywords even inside a rule, so no phrase
 * may use them (grammar.c leaves such a phrase out). */
static int reserved(const char *w)
{
    return strcmp(w, "grammar") == 0 || strcmp(w, "import") == 0 || strcmp(w, "public") == 0;
}

typedef struct {
    const char *word;
    int line, col;
} unknown_t;

int menu_check_words(const menu_t *m, const cmudict_t *d, strlist_t *errs)
{
    problems_t pl = {0};
    strmap_t prons = {0};
    index_prons(m, &prons);
    /* An example for an empty entry must not come from that entry itself. */
    source_t dict_only = { d, NULL, NULL, NULL, NULL };
    for (int i = 0; i < m->nprons; i++) check_pron(m, &dict_only, &m->prons[i], &pl);

    /* menu_words() gives each word once, at the first place the manager
     * wrote it (a built-in phrase's, line 0, only when the file never uses it) */
    menu_word_t *w = NULL;
    int n = menu_words(m, &w);
    unknown_t *all = xmalloc((size_t)(n ? n : 1) * sizeof *all);
    source_t src = { d, m, &prons, NULL, NULL };
    int nu = 0;
    for (int i = 0; i < n; i++) {
        if (reserved(w[i].word)) {
            problem(&pl, w[i].line, w[i].col, "%s:%d:%d: the word \"%s\" cannot be used in a "
                    "phrase: the grammar format (JSGF) reserves it; say it another way", m->file,
                    w[i].line, w[i].col, w[i].word);
            continue;
        }
        char *p = derive(&src, w[i].word, 0);
        if (p) free(p);
        else all[nu++] = (unknown_t){ w[i].word, w[i].line, w[i].col };
    }
    /* One fix, one message: "mcflurries" needs nothing once "mcflurry" is
     * listed, so only the latter is reported.  A word is implied when it
     * derives from the others taken as known: one derivation each with all
     * of them at once (derive() succeeds with a set of known words when it
     * does with one of them), not one per pair of unknown words. */
    strmap_t unknown = {0};
    for (int i = 0; i < nu; i++) strmap_add(&unknown, all[i].word, i);
    int kept = 0;
    for (int i = 0; i < nu; i++) {
        source_t with = { d, m, &prons, &unknown, all[i].word };
        char *p = derive(&with, all[i].word, 0);
        if (!p) all[kept++] = all[i];
        free(p);
    }
    strmap_free(&unknown);
    for (int i = 0; i < kept; i++) {
        if (!problems_wanted(&pl, all[i].line, all[i].col)) {   /* counted; no example made */
            problems_add(&pl, all[i].line, all[i].col, NULL);
            continue;
        }
        int guess = 0;
        char *ex = example_pron(&src, all[i].word, &guess);
        const char *note = guess ? " (a guess from the spelling: check it)" : "";
        if (all[i].line > 0)
            problem(&pl, all[i].line, all[i].col, "%s:%d:%d: word \"%s\" has no pronunciation; "
                    "add it under pronunciations:, e.g.  %s: %s%s", m->file, all[i].line,
                    all[i].col, all[i].word, all[i].word, ex, note);
        else   /* a built-in phrase: only a damaged dictionary lacks one */
            problem(&pl, 0, 0, "%s: built-in word \"%s\" has no pronunciation; add it under "
                    "pronunciations:, e.g.  %s: %s%s", m->file, all[i].word, all[i].word, ex, note);
        free(ex);
    }
    free(all);
    menu_words_free(w, n);
    strmap_free(&prons);
    return problems_flush(&pl, m->file, errs);
}

void menu_lexicon(const menu_t *m, const cmudict_t *d, strlist_t *words, strlist_t *phones)
{
    strmap_t have = {0}, prons = {0};   /* words already in the list; the menu's entries */
    for (int i = 0; i < words->n; i++) strmap_add(&have, words->v[i], i);
    index_prons(m, &prons);
    /* The menu's own pronunciations first.  pocketsphinx refuses to add a word
     * it already has (ps_add_word returns -1), so a menu pronunciation that
     * differs from the dictionary's is taught as the word's next alternate,
     * "word(N)", which the grammar search uses like the others. */
    for (int i = 0; i < m->nprons; i++) {
        const menu_pron_t *p = &m->prons[i];
        const dict_entry_t *e = dict_entry(d, p->word);
        char *ph = pron_phones(d, p->phones, NULL), *name;
        if (!ph) continue;   /* menu_check_words() reports it */
        if (!e) name = xstrdup(p->word);
        else if (strcmp(e->phones, ph) == 0) name = NULL;   /* nothing to teach */
        else name = xasprintf("%s(%u)", p->word, e->last_alt + 1);
        if (!name || strmap_get(&have, name) >= 0) {
            free(name);
            free(ph);
            continue;
        }
        strlist_push_owned(words, name);
        strmap_add(&have, name, words->n - 1);
        strlist_push_owned(phones, ph);
    }
    /* Then the words known only by rule. */
    menu_word_t *w = NULL;
    int n = menu_words(m, &w);
    source_t src = { d, m, &prons, NULL, NULL };
    for (int i = 0; i < n; i++) {
        const char *word = w[i].word;
        if (cmudict_lookup(d, word) || strmap_get(&have, word) >= 0) continue;
        char *p = derive(&src, word, 0);
        if (!p) continue;   /* menu_check_words() reports it */
        strlist_push(words, word);
        strmap_add(&have, words->v[words->n - 1], words->n - 1);
        strlist_push_owned(phones, p);
    }
    menu_words_free(w, n);
    strmap_free(&prons);
    strmap_free(&have);
}
