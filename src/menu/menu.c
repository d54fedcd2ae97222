/* menu.c: reads a manager's menu file (shared/spec/menu-format.md, version 1)
 * into a menu_t and checks every rule of the format except pronunciations,
 * which need the dictionary (dict.c).
 *
 * How: libyaml's document API loads the whole file as a tree of nodes, each
 * with its line and column, and the tree is then walked in dependency order:
 *   1. top-level keys: menu, currency, tax_percent, max_quantity, sizes,
 *      amounts, carriers, human, options, pronunciations;
 *   2. item names, so that includes: may name an item written further down;
 *   3. each item's own keys (say, price, sizes, options, ...);
 *   4. includes: and choose:, which need the other items' sizes;
 *   5. cross checks: one phrase naming two items, sizes, options or amounts.
 * Problems are collected with their position, sorted into file order and only
 * then written to the caller's list, so a manager reads them top to bottom.
 *
 * Cascades: a problem is reported where it is, once.  When a whole section is
 * unusable (sizes: is a list, options: is a single value) the checks that
 * would compare against it are skipped instead of failing for every item; a
 * size whose price is wrong still counts as sold; an option that is not in
 * the menu is reported under options: and not again under defaults:.
 *
 * Invariant: the menu_t being built is always in a state menu_free() accepts
 * (arrays are zeroed when allocated, counts never exceed what is filled), so
 * every path out of menu_parse() goes through its one cleanup.
 *
 * Decisions the spec leaves open (see also README, "Editing a menu"):
 * - an item without say: is said as its name in lower case, as an option is;
 *   when the name cannot be spoken ("Number 1", "Coffee & Pastry") that is an
 *   error asking for say:;
 * - phrases are trimmed and runs of spaces become one; a phrase listed twice
 *   in one list is kept once; carriers: and human: phrases that are already
 *   built in are kept once (the spec's own example repeats built-ins);
 * - required: menu: and items:.  currency: defaults to USD, tax_percent: to 0,
 *   max_quantity: to 10 (at most 99);
 * - includes: of a sized item must name its size ("Fries/medium"); choose:
 *   lists item names only (menu_choice_t has no size: the kiosk asks);
 *   an item included or offered in a choice may not itself be a meal, which
 *   also rules out cycles;
 * - a phrase may not name two items, also counting plurals ("fry" and
 *   "fries"); likewise two options, two sizes or two amounts (exactly). */
#include "menu.h"
#include "lexicon.h"
#include "problems.h"
#include "yamlerr.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

const char *const amount_names[AMOUNT_COUNT] = { "no", "light", "normal", "extra" };

/* Above these the value is a typo, not a price; they also keep every sum
 * the order code makes far below INT_MAX. */
#define MAX_CENTS     10000000LL   /* 100000.00 */
#define MAX_TAX_BP    10000LL      /* 100 % */
#define MAX_QUANTITY  99           /* the grammar says numbers up to "ninety nine" */

static const char *const top_keys[] = {
    "menu", "currency", "tax_percent", "max_quantity", "sizes", "amounts", "carriers",
    "items", "options", "pronunciations", "human", NULL,
};
static const char *const item_keys[] = {
    "name", "say", "price", "sizes", "default_size", "options", "defaults", "includes",
    "choose", "available", NULL,
};
static const char *const option_keys[] = { "name", "say", "price", NULL };
static const char *const amount_keys[] = { "no", "light", "normal", "extra", NULL };

/* ---- problems ----------------------------------------------------------- */

/* A top-level section that others refer to: absent, usable, or broken (its
 * problem is reported, and references to it are not checked). */
typedef enum { SECTION_ABSENT, SECTION_OK, SECTION_BROKEN } section_t;

typedef struct {
    yaml_node_t *map;          /* the item's keys; NULL when the entry is not a map */
    char *prefix;              /* "item \"Fries\": ", for messages */
    yaml_node_t *includes;     /* kept for pass 4 */
    yaml_node_t *choose;
} item_tmp_t;

typedef struct {
    const char *file;
    const char *text;
    size_t len;
    yaml_document_t *doc;
    menu_t *m;
    problems_t probs;
    section_t sizes, options;
    item_tmp_t *it;            /* [m->nitems] */
    /* names and phrases looked up while checking (keys borrowed from m) */
    strmap_t item_ix, option_ix, size_ix;
    /* misspelt(): the keys suggested for the unknown keys of one map */
    const yaml_node_t *sugg_map;
    const char *const *sugg_allowed;
    unsigned sugg_mask;
    /* stamps: which options (items) the list being read has named already */
    int *opt_stamp, *item_stamp, stamp;
} ctx_t;

/* A message longer than this is cut ("…"): only a value of absurd length
 * quoted in it can make one, and a problem stays a line a manager can read. */
#define MAX_MESSAGE 1000

static void vproblem_at(ctx_t *c, int line, int col, const char *fmt, va_list ap)
{
    if (!problems_wanted(&c->probs, line, col)) {   /* counted, not written */
        problems_add(&c->probs, line, col, NULL);
        return;
    }
    strbuf_t raw = {0}, b = {0};
    strbuf_vprintf(&raw, fmt, ap);
    strbuf_printf(&b, "%s:%d:%d: ", c->file, line, col);
    size_t start = b.len;
    /* Messages quote what the manager wrote, which may hold a line break
     * ("a\nb" in quotes); each problem must stay one line. */
    for (const char *p = strbuf_cstr(&raw); *p; p++) {
        if (b.len - start >= MAX_MESSAGE && ((unsigned char)*p & 0xC0) != 0x80) {
            strbuf_append(&b, "\u2026");
            break;
        }
        if (*p == '\n') strbuf_append(&b, "\\n");
        else if (*p == '\t') strbuf_append(&b, "\\t");
        else if ((unsigned char)*p < 0x20) strbuf_printf(&b, "\\x%02x", (unsigned)*p);
        else strbuf_appendn(&b, p, 1);
    }
    strbuf_free(&raw);
    problems_add(&c->probs, line, col, strbuf_steal(&b));
}

static void problem_at(ctx_t *c, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void problem_at(ctx_t *c, int line, int col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vproblem_at(c, line, col, fmt, ap);
    va_end(ap);
}

/* A problem at a node; libyaml counts lines and columns from 0. */
static void problem(ctx_t *c, const yaml_node_t *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void problem(ctx_t *c, const yaml_node_t *n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vproblem_at(c, (int)n->start_mark.line + 1, (int)n->start_mark.column + 1, fmt, ap);
    va_end(ap);
}

/* 1 when a problem at node n would be written: a message that is dear to
 * make (a suggestion compared with every name) is made only then. */
static int problem_wanted(const ctx_t *c, const yaml_node_t *n)
{
    return problems_wanted(&c->probs, (int)n->start_mark.line + 1, (int)n->start_mark.column + 1);
}

/* ---- small string helpers ----------------------------------------------- */

static int in_list(const char *const *list, const char *s)
{
    for (int i = 0; list[i]; i++)
        if (strcmp(list[i], s) == 0) return 1;
    return 0;
}

static int int_in(const int *v, int n, int x)
{
    for (int i = 0; i < n; i++)
        if (v[i] == x) return 1;
    return 0;
}

/* Optimal string alignment distance, ignoring case: a transposed pair of
 * letters ("pirce") is one slip, as managers make them. */
#define SUGGEST_MAXLEN 60
static int edit_distance(const char *a, const char *b)
{
    int la = (int)strlen(a), lb = (int)strlen(b);
    int d[SUGGEST_MAXLEN + 1][SUGGEST_MAXLEN + 1];
    for (int i = 0; i <= la; i++) d[i][0] = i;
    for (int j = 0; j <= lb; j++) d[0][j] = j;
    for (int i = 1; i <= la; i++) {
        for (int j = 1; j <= lb; j++) {
            int ca = tolower((unsigned char)a[i - 1]), cb = tolower((unsigned char)b[j - 1]);
            int cost = ca != cb;
            int v = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < v) v = d[i][j - 1] + 1;
            if (d[i - 1][j - 1] + cost < v) v = d[i - 1][j - 1] + cost;
            if (i > 1 && j > 1 && ca == tolower((unsigned char)b[j - 2]) &&
                tolower((unsigned char)a[i - 2]) == cb && d[i - 2][j - 2] + 1 < v)
                v = d[i - 2][j - 2] + 1;
            d[i][j] = v;
        }
    }
    return d[la][lb];
}

static int starts_with_ci(const char *s, const char *prefix)
{
    for (; *prefix; s++, prefix++)
        if (tolower((unsigned char)*s) != tolower((unsigned char)*prefix)) return 0;
    return 1;
}

/* The candidate the manager probably meant by word, or NULL: a close
 * spelling, else a longer name word starts ("tax" -> "tax_percent"). */
static const char *suggest(const char *word, const char *const *cands, int n)
{
    const char *best = NULL;
    int best_score = 1 << 30;
    size_t wl = strlen(word);
    if (wl == 0 || wl > SUGGEST_MAXLEN) return NULL;
    int limit = wl <= 4 ? 1 : wl <= 8 ? 2 : 3;
    for (int i = 0; i < n; i++) {
        const char *cand = cands[i];
        if (!cand || strlen(cand) > SUGGEST_MAXLEN) continue;
        int d = edit_distance(word, cand), score;
        if (d <= limit && d < (int)wl) score = d;
        else if (wl >= 3 && starts_with_ci(cand, word)) score = 100 + (int)(strlen(cand) - wl);
        else continue;
        if (score < best_score) {
            best_score = score;
            best = cand;
        }
    }
    return best;
}

static int list_len(const char *const *list)
{
    int n = 0;
    while (list[n]) n++;
    return n;
}

/* ---- phrases ------------------------------------------------------------- */

static void phrases_push(phrases_t *p, char *s, int line, int col)
{
    /* phrases_t has no capacity: the arrays double when n reaches a power
     * of two, so a long list is not copied once per phrase */
    if (p->n == 0 || (p->n & (p->n - 1)) == 0) {
        size_t cap = p->n ? 2 * (size_t)p->n : 4;
        p->v = xrealloc(p->v, cap * sizeof *p->v);
        p->line = xrealloc(p->line, cap * sizeof *p->line);
        p->col = xrealloc(p->col, cap * sizeof *p->col);
    }
    p->v[p->n] = s;
    p->line[p->n] = line;
    p->col[p->n] = col;
    p->n++;
}

static void phrases_free(phrases_t *p)
{
    for (int i = 0; i < p->n; i++) free(p->v[i]);
    free(p->v);
    free(p->line);
    free(p->col);
    memset(p, 0, sizeof *p);
}

static void phrases_builtin(phrases_t *p, const char *const *list)
{
    for (int i = 0; list[i]; i++) phrases_push(p, xstrdup(list[i]), 0, 0);
}

typedef enum { PH_OK, PH_EMPTY, PH_LONG, PH_CHAR, PH_DIGIT, PH_NOLETTER, PH_UPPER } ph_status_t;

/* Characters (not bytes) of the UTF-8 text s[0..n). */
static size_t utf8_len(const char *s, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) k += ((unsigned char)s[i] & 0xC0) != 0x80;
    return k;
}

/* s, or its first 30 characters and "…" when longer than 60: a message
 * quotes what the manager wrote, but not a megabyte of it.  Into buf. */
static const char *clip(const char *s, char buf[128])
{
    size_t n = strlen(s);
    if (utf8_len(s, n) <= 60) return s;
    size_t b = 0;
    for (size_t chars = 0; b < n && chars < 30; chars++) {
        b++;
        while (b < n && ((unsigned char)s[b] & 0xC0) == 0x80) b++;
    }
    snprintf(buf, 128, "%.*s\u2026", (int)b, s);
    return buf;
}

/* Copies the UTF-8 character at s (at most 4 bytes) into out[5]. */
static void utf8_char(const unsigned char *s, char out[5])
{
    int n = s[0] >= 0xF0 ? 4 : s[0] >= 0xE0 ? 3 : s[0] >= 0xC0 ? 2 : 1;
    int i = 0;
    for (; i < n && s[i]; i++) out[i] = (char)s[i];
    out[i] = '\0';
}

/* Normalises a spoken phrase: words of a-z and apostrophes, one space apart.
 * *out receives the trimmed, lower-cased phrase (caller frees) whatever the
 * status, so a message can show the fix.  A typographic apostrophe (’) is
 * read as ' because editors put it in by themselves. */
static ph_status_t phrase_norm(const char *s, char **out, char bad[5])
{
    strbuf_t b = {0};
    int upper = 0, digit = 0, other = 0, noletter = 0, longword = 0;
    const unsigned char *p = (const unsigned char *)s;
    bad[0] = '\0';
    for (;;) {
        while (*p && isspace(*p)) p++;
        if (!*p) break;
        int letters = 0;
        size_t chars = 0;
        if (b.len) strbuf_append(&b, " ");
        while (*p && !isspace(*p)) {
            if ((*p & 0xC0) != 0x80 && ++chars > MENU_MAX_WORD) longword = 1;
            if (p[0] == 0xE2 && p[1] == 0x80 && p[2] == 0x99) {
                strbuf_append(&b, "'");
                p += 3;
                continue;
            }
            unsigned char ch = *p;
            if (ch >= 'a' && ch <= 'z') letters++;
            else if (ch >= 'A' && ch <= 'Z') letters++, upper = 1;
            else if (ch >= '0' && ch <= '9') digit = 1;
            else if (ch != '\'' && !other) {
                other = 1;
                utf8_char(p, bad);
            }
            char lc = (char)tolower(ch);
            strbuf_appendn(&b, &lc, 1);
            p++;
        }
        if (!letters) noletter = 1;
    }
    *out = strbuf_steal(&b);
    if (!**out) return PH_EMPTY;
    if (longword) return PH_LONG;
    if (other) return PH_CHAR;
    if (digit) return PH_DIGIT;
    if (noletter) return PH_NOLETTER;
    if (upper) return PH_UPPER;
    return PH_OK;
}

/* ---- nodes ---------------------------------------------------------------- */

static yaml_node_t *node(ctx_t *c, int id)
{
    return yaml_document_get_node(c->doc, id);
}

static const char *sval(const yaml_node_t *n)
{
    return (const char *)n->data.scalar.value;
}

/* An empty value: "key:" with nothing after it, or ~ / null. */
static int is_null(const yaml_node_t *n)
{
    if (n->type != YAML_SCALAR_NODE) return 0;
    if (n->data.scalar.length == 0) return 1;
    if (n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE) return 0;
    const char *s = sval(n);
    return !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") || !strcmp(s, "NULL");
}

static const char *kind(const yaml_node_t *n)
{
    switch (n->type) {
    case YAML_SEQUENCE_NODE: return "a list";
    case YAML_MAPPING_NODE: return "a map";
    case YAML_SCALAR_NODE: return is_null(n) ? "empty" : "a single value";
    default: return "nothing";
    }
}

static int seq_len(const yaml_node_t *n)
{
    return (int)(n->data.sequence.items.top - n->data.sequence.items.start);
}

static yaml_node_t *seq_at(ctx_t *c, const yaml_node_t *n, int i)
{
    return node(c, n->data.sequence.items.start[i]);
}

static int map_len(const yaml_node_t *n)
{
    return (int)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
}

static yaml_node_t *map_key(ctx_t *c, const yaml_node_t *n, int i)
{
    return node(c, n->data.mapping.pairs.start[i].key);
}

static yaml_node_t *map_val(ctx_t *c, const yaml_node_t *n, int i)
{
    return node(c, n->data.mapping.pairs.start[i].value);
}

/* The value of the first key named key, or NULL. */
static yaml_node_t *map_get(ctx_t *c, const yaml_node_t *map, const char *key)
{
    for (int i = 0; i < map_len(map); i++) {
        yaml_node_t *k = map_key(c, map, i);
        if (k && k->type == YAML_SCALAR_NODE && strcmp(sval(k), key) == 0)
            return map_val(c, map, i);
    }
    return NULL;
}

/* 1 when n has type t; else a problem telling what to write instead. */
static int want(ctx_t *c, const yaml_node_t *n, yaml_node_type_t t, const char *prefix,
                const char *label, const char *what)
{
    if (n->type == t) return 1;
    problem(c, n, "%s%s is %s; write %s", prefix, label, kind(n), what);
    return 0;
}

/* The text of a non-empty single value, or NULL after a problem. */
static const char *get_text(ctx_t *c, const yaml_node_t *n, const char *prefix,
                            const char *label, const char *what)
{
    if (n->type != YAML_SCALAR_NODE || is_null(n)) {
        problem(c, n, "%s%s is %s; write %s", prefix, label, kind(n), what);
        return NULL;
    }
    return sval(n);
}

/* A name shown on screen: one line, and without "/" when it can appear in an
 * "Item/size" reference. */
static const char *get_name(ctx_t *c, const yaml_node_t *n, const char *prefix,
                            const char *label, const char *what, int no_slash)
{
    const char *s = get_text(c, n, prefix, label, what);
    if (!s) return NULL;
    size_t chars = utf8_len(s, strlen(s));
    if (chars > MENU_MAX_NAME) {
        char buf[128];
        problem(c, n, "%s%s \"%s\" is too long (%zu characters; at most %d); shorten it", prefix, label,
                clip(s, buf), chars, MENU_MAX_NAME);
        return NULL;
    }
    for (const char *p = s; *p; p++) {
        if (*p == '\n' || *p == '\r' || *p == '\t') {
            problem(c, n, "%s%s must be on one line", prefix, label);
            return NULL;
        }
    }
    if (no_slash && strchr(s, '/')) {
        problem(c, n, "%s%s \"%s\" must not contain \"/\" (it separates an item from its size, as in Fries/medium)",
                prefix, label, s);
        return NULL;
    }
    return s;
}

/* 1 when map has an unknown key that looks like a misspelt key: the typo
 * is reported once, as an unknown key, and not again as key missing.  The
 * suggestions for a map's keys are made once and kept (c->sugg_*): an item
 * is asked about three keys, and may have thousands of unknown ones. */
static int misspelt(ctx_t *c, const yaml_node_t *map, const char *const *allowed, const char *key)
{
    if (c->sugg_map != map || c->sugg_allowed != allowed) {
        c->sugg_map = map;
        c->sugg_allowed = allowed;
        c->sugg_mask = 0;
        strmap_t seen = {0};
        for (int i = 0; i < map_len(map); i++) {
            yaml_node_t *k = map_key(c, map, i);
            if (!k || k->type != YAML_SCALAR_NODE || in_list(allowed, sval(k))) continue;
            if (strmap_add(&seen, sval(k), i) >= 0) continue;   /* the same key again */
            const char *s = suggest(sval(k), allowed, list_len(allowed));
            for (int j = 0; s && allowed[j]; j++)
                if (allowed[j] == s) c->sugg_mask |= 1u << j;
        }
        strmap_free(&seen);
    }
    for (int j = 0; allowed[j]; j++)
        if (strcmp(allowed[j], key) == 0) return (c->sugg_mask >> j) & 1;
    return 0;
}

/* Where each known key goes, for a key written in the wrong place: a
 * manager who put pronunciations: under an item needs to hear where it goes,
 * not only that it is unknown there. */
static const struct {
    const char *const *keys;
    const char *place;
} key_homes[] = {
    { top_keys, "at the top level of the menu" },
    { item_keys, "under an item" },
    { option_keys, "under an option" },
    { amount_keys, "under amounts:" },
};

/* "\"price\" belongs under an item or under an option, not at the top level
 * of the menu", when key is known somewhere other than allowed; else 0. */
static int misplaced_key(ctx_t *c, const yaml_node_t *k, const char *const *allowed)
{
    const char *ks = sval(k), *here = NULL;
    strbuf_t places = {0};
    for (size_t h = 0; h < sizeof key_homes / sizeof key_homes[0]; h++) {
        if (key_homes[h].keys == allowed) here = key_homes[h].place;
        else if (in_list(key_homes[h].keys, ks))
            strbuf_printf(&places, "%s%s", places.len ? " or " : "", key_homes[h].place);
    }
    int found = places.len > 0 && here;
    if (found) problem(c, k, "\"%s\" belongs %s, not %s", ks, strbuf_cstr(&places), here);
    strbuf_free(&places);
    return found;
}

/* Reports unknown keys (when allowed is given), keys given twice and keys
 * that are not words. */
static void check_keys(ctx_t *c, const yaml_node_t *map, const char *const *allowed,
                       const char *whose, const char *prefix)
{
    strmap_t seen = {0};   /* key -> its first index */
    for (int i = 0; i < map_len(map); i++) {
        yaml_node_t *k = map_key(c, map, i);
        if (!k) continue;
        if (k->type != YAML_SCALAR_NODE) {
            problem(c, k, "%sa key is %s; write a word followed by \":\"", prefix, kind(k));
            continue;
        }
        const char *ks = sval(k);
        if (allowed && !in_list(allowed, ks)) {
            if (misplaced_key(c, k, allowed)) continue;
            strbuf_t keys = {0};
            for (int j = 0; allowed[j]; j++) strbuf_printf(&keys, "%s%s", j ? ", " : "", allowed[j]);
            const char *s = problem_wanted(c, k) ? suggest(ks, allowed, list_len(allowed)) : NULL;
            char buf[128];
            if (s)
                problem(c, k, "unknown key \"%s\"; did you mean \"%s\"? (%s: %s)", clip(ks, buf), s, whose,
                        strbuf_cstr(&keys));
            else
                problem(c, k, "unknown key \"%s\" (%s: %s)", clip(ks, buf), whose, strbuf_cstr(&keys));
            strbuf_free(&keys);
            continue;
        }
        int first = strmap_add(&seen, ks, i);
        if (first >= 0) {
            char buf[128];
            problem(c, k, "%skey \"%s\" is given twice (first at line %d); keep one", prefix, clip(ks, buf),
                    (int)map_key(c, map, first)->start_mark.line + 1);
        }
    }
    strmap_free(&seen);
}

/* ---- numbers ------------------------------------------------------------ */

typedef enum { NUM_OK, NUM_BAD, NUM_NEGATIVE, NUM_DECIMALS, NUM_LARGE } num_status_t;

/* Reads "3.49" as 349 hundredths, exactly from the text: a double would make
 * 0.29 into 28.999... cents.  At most 2 decimals; max in hundredths. */
static num_status_t parse_hundredths(const char *s, long long max, long long *out)
{
    const char *p = s;
    int neg = 0, big = 0, ndec = 0;
    long long whole = 0, frac = 0;
    if (*p == '-') neg = 1, p++;
    if (!isdigit((unsigned char)*p)) return NUM_BAD;
    for (; isdigit((unsigned char)*p); p++) {
        if (whole > max) big = 1;   /* keep reading: the text may still be bad */
        else whole = whole * 10 + (*p - '0');
    }
    if (*p == '.') {
        p++;
        if (!isdigit((unsigned char)*p)) return NUM_BAD;
        for (; isdigit((unsigned char)*p); p++, ndec++)
            if (ndec < 2) frac = frac * 10 + (*p - '0');
    }
    if (*p) return NUM_BAD;
    if (neg) return NUM_NEGATIVE;
    if (ndec > 2) return NUM_DECIMALS;
    if (ndec == 1) frac *= 10;
    if (big || whole * 100 + frac > max) return NUM_LARGE;
    *out = whole * 100 + frac;
    return NUM_OK;
}

/* An amount in hundredths from node n ("price", "small price", "tax_percent").
 * Returns 1 and sets *out, or 0 after a problem. */
static int get_hundredths(ctx_t *c, const yaml_node_t *n, const char *prefix, const char *label,
                          long long max, const char *example, long long *out)
{
    if (n->type != YAML_SCALAR_NODE || is_null(n)) {
        problem(c, n, "%s%s is %s; write an amount like %s", prefix, label, kind(n), example);
        return 0;
    }
    const char *s = sval(n);
    switch (parse_hundredths(s, max, out)) {
    case NUM_OK:
        return 1;
    case NUM_NEGATIVE:
        problem(c, n, "%s%s \"%s\" is negative; write an amount like %s", prefix, label, s, example);
        break;
    case NUM_DECIMALS:
        problem(c, n, "%s%s \"%s\" has more than 2 decimals; write it like %s", prefix, label, s, example);
        break;
    case NUM_LARGE:
        problem(c, n, "%s%s \"%s\" is too large (at most %lld)", prefix, label, s, max / 100);
        break;
    case NUM_BAD:
        if (s[0] == '$')
            problem(c, n, "%s%s \"%s\" is not a number; write it without the currency sign, like %s",
                    prefix, label, s, example);
        else if (s[0] && s[strlen(s) - 1] == '%')
            problem(c, n, "%s%s \"%s\" is not a number; write it without the %% sign, like %s",
                    prefix, label, s, example);
        else if (strchr(s, ','))
            problem(c, n, "%s%s \"%s\" is not a number; write it with a point and no commas, like %s",
                    prefix, label, s, example);
        else
            problem(c, n, "%s%s \"%s\" is not a number; write it like %s", prefix, label, s, example);
        break;
    }
    return 0;
}

/* 1 true, 0 false, -1 neither.  yes/no as in YAML 1.1, which libyaml reads. */
static int parse_bool(const char *s)
{
    static const char *const yes[] = { "true", "True", "TRUE", "yes", "Yes", "YES", NULL };
    static const char *const no[] = { "false", "False", "FALSE", "no", "No", "NO", NULL };
    if (in_list(yes, s)) return 1;
    if (in_list(no, s)) return 0;
    return -1;
}

/* ---- spoken phrases from the file ------------------------------------------ */

/* Reports a phrase that cannot be said; fixed is its normalised form. */
static void phrase_problem(ctx_t *c, const yaml_node_t *n, const char *prefix, const char *raw,
                           ph_status_t st, const char *fixed, const char *bad)
{
    char rbuf[128], fbuf[128];
    raw = clip(raw, rbuf);
    fixed = clip(fixed, fbuf);
    switch (st) {
    case PH_EMPTY:
        problem(c, n, "%san empty phrase; remove it or write how customers say it", prefix);
        break;
    case PH_LONG: {
        /* the word itself may be a megabyte: its length, and its start */
        size_t longest = 0;
        for (const char *p = sval(n); *p;) {
            while (*p && isspace((unsigned char)*p)) p++;
            const char *e = p;
            while (*e && !isspace((unsigned char)*e)) e++;
            size_t chars = utf8_len(p, (size_t)(e - p));
            if (chars > longest) longest = chars;
            p = e;
        }
        problem(c, n, "%sphrase \"%s\" has a word of %zu characters; a word may have at most %d", prefix, raw,
                longest, MENU_MAX_WORD);
        break;
    }
    case PH_CHAR:
        problem(c, n, "%sphrase \"%s\" has \"%s\"; use only lower-case letters, apostrophes and spaces",
                prefix, raw, bad);
        break;
    case PH_DIGIT:
        problem(c, n, "%sphrase \"%s\" has a digit; write numbers as words, e.g. \"number one\"", prefix, raw);
        break;
    case PH_NOLETTER:
        problem(c, n, "%sphrase \"%s\" has a word without letters; use only lower-case letters, apostrophes and spaces",
                prefix, raw);
        break;
    case PH_UPPER:
        problem(c, n, "%sphrase \"%s\" has upper case; write it in lower case: \"%s\"", prefix, raw, fixed);
        break;
    case PH_OK:
        break;
    }
}

/* Appends the phrases of list n to out, skipping ones out already has.
 * prefix and label start messages about the list ("item \"Fries\": ", "say:"),
 * owner those about one phrase (NULL: the same as prefix).
 * need_one: an empty list is a problem (nobody could say the thing). */
static void get_phrases(ctx_t *c, const yaml_node_t *n, const char *prefix, const char *label,
                        const char *owner, const char *what, int need_one, phrases_t *out)
{
    if (!owner) owner = prefix;
    if (!want(c, n, YAML_SEQUENCE_NODE, prefix, label, what)) return;
    if (need_one && seq_len(n) == 0) {
        problem(c, n, "%s%s is empty; write %s", prefix, label, what);
        return;
    }
    strmap_t have = {0};   /* out's phrases, for the "listed twice" check */
    strmap_reserve(&have, (size_t)out->n + (size_t)seq_len(n));
    for (int i = 0; i < out->n; i++) strmap_add(&have, out->v[i], i);
    for (int i = 0; i < seq_len(n); i++) {
        yaml_node_t *e = seq_at(c, n, i);
        if (!e) continue;
        if (e->type != YAML_SCALAR_NODE) {
            problem(c, e, "%s%s entry %d is %s; write a phrase", prefix, label, i + 1, kind(e));
            continue;
        }
        char *norm, bad[5];
        ph_status_t st = phrase_norm(sval(e), &norm, bad);
        if (st != PH_OK) {
            phrase_problem(c, e, owner, sval(e), st, norm, bad);
            free(norm);
        } else if (strmap_get(&have, norm) >= 0) {
            free(norm);
        } else {
            strmap_add(&have, norm, out->n);
            phrases_push(out, norm, (int)e->start_mark.line + 1, (int)e->start_mark.column + 1);
        }
    }
    strmap_free(&have);
}

/* No say: given: the name in lower case is how it is said. */
static void default_say(ctx_t *c, const yaml_node_t *name_node, const char *prefix, const char *name,
                        phrases_t *out)
{
    char *norm, bad[5];
    ph_status_t st = phrase_norm(name, &norm, bad);
    switch (st) {
    case PH_OK:
    case PH_UPPER:
        phrases_push(out, norm, (int)name_node->start_mark.line + 1,
                     (int)name_node->start_mark.column + 1);
        return;
    case PH_CHAR:
        problem(c, name_node, "%sadd say: with how customers say it (the name has \"%s\", which cannot be spoken)",
                prefix, bad);
        break;
    case PH_DIGIT:
        problem(c, name_node, "%sadd say: with how customers say it, numbers as words (the name has a digit)",
                prefix);
        break;
    case PH_LONG:
        problem(c, name_node, "%sadd say: with how customers say it (the name has a word of more than %d characters)",
                prefix, MENU_MAX_WORD);
        break;
    default:
        problem(c, name_node, "%sadd say: with how customers say it (the name is not made of words)", prefix);
        break;
    }
    free(norm);
}

/* ---- top level ------------------------------------------------------------- */

static void parse_sizes(ctx_t *c, const yaml_node_t *n)
{
    menu_t *m = c->m;
    if (!want(c, n, YAML_MAPPING_NODE, "", "sizes:",
              "each size and how customers say it, e.g. sizes: {small: [small, kids], large: [large, big]}")) {
        c->sizes = SECTION_BROKEN;
        return;
    }
    c->sizes = SECTION_OK;
    check_keys(c, n, NULL, NULL, "sizes: ");
    m->sizes = xcalloc((size_t)map_len(n), sizeof *m->sizes);
    for (int i = 0; i < map_len(n); i++) {
        yaml_node_t *k = map_key(c, n, i), *v = map_val(c, n, i);
        if (!k || !v || k->type != YAML_SCALAR_NODE) continue;
        const char *name = get_name(c, k, "", "size name", "a word, e.g. small", 1);
        if (!name || strmap_get(&c->size_ix, name) >= 0) continue;   /* twice: check_keys said so */
        menu_size_t *s = &m->sizes[m->nsizes];
        s->name = xstrdup(name);
        strmap_add(&c->size_ix, s->name, m->nsizes++);
        char *label = xasprintf("%s:", name), *prefix = xasprintf("size \"%s\": ", name);
        char *what = xasprintf("a list of how customers say it, e.g. %s: [%s]", name, name);
        get_phrases(c, v, "sizes: ", label, prefix, what, 1, &s->say);
        free(label);
        free(prefix);
        free(what);
    }
}

static void parse_amounts(ctx_t *c, const yaml_node_t *n)
{
    menu_t *m = c->m;
    if (!want(c, n, YAML_MAPPING_NODE, "", "amounts:",
              "the words for each amount, e.g. amounts: {no: [no, without], extra: [extra, lots of]}"))
        return;
    check_keys(c, n, amount_keys, "keys of amounts", "amounts: ");
    for (int a = 0; a < AMOUNT_COUNT; a++) {
        yaml_node_t *v = map_get(c, n, amount_names[a]);
        if (!v) continue;
        phrases_free(&m->amounts[a]);   /* the menu's list replaces the default one */
        char *label = xasprintf("%s:", amount_names[a]);
        char *owner = xasprintf("amount \"%s\": ", amount_names[a]);
        char *what = xasprintf("a list of phrases, e.g. %s: [%s]", amount_names[a],
                               lex_default_amounts[a][0]);
        get_phrases(c, v, "amounts: ", label, owner, what, 1, &m->amounts[a]);
        free(label);
        free(owner);
        free(what);
    }
}

static void parse_options(ctx_t *c, const yaml_node_t *n)
{
    menu_t *m = c->m;
    if (!want(c, n, YAML_SEQUENCE_NODE, "", "options:",
              "a list of options, each starting with \"- name:\"")) {
        c->options = SECTION_BROKEN;
        return;
    }
    c->options = SECTION_OK;
    m->options = xcalloc((size_t)seq_len(n), sizeof *m->options);
    m->noptions = seq_len(n);
    for (int i = 0; i < seq_len(n); i++) {
        yaml_node_t *e = seq_at(c, n, i), *v;
        menu_option_t *o = &m->options[i];
        if (!e) continue;
        if (e->type != YAML_MAPPING_NODE) {
            problem(c, e, "options: entry %d is %s; write an option with keys such as name: and price:",
                    i + 1, kind(e));
            continue;
        }
        char *prefix = NULL;
        yaml_node_t *name_node = map_get(c, e, "name");
        if (!name_node) {
            prefix = xasprintf("option #%d: ", i + 1);
            if (!misspelt(c, e, option_keys, "name"))
                problem(c, e, "options: entry %d has no name:; add one, e.g. - name: bacon", i + 1);
        } else {
            const char *name = get_name(c, name_node, "", "option name", "the option's name, e.g. name: bacon", 0);
            if (name) {
                o->name = xstrdup(name);
                int first = strmap_add(&c->option_ix, o->name, i);
                if (first >= 0)
                    problem(c, name_node, "option name \"%s\" is used twice (first at line %d); give each option its own name",
                            name, (int)seq_at(c, n, first)->start_mark.line + 1);
                prefix = xasprintf("option \"%s\": ", name);
            } else {
                prefix = xasprintf("option #%d: ", i + 1);
            }
        }
        check_keys(c, e, option_keys, "keys of an option", prefix);
        if ((v = map_get(c, e, "say")))
            get_phrases(c, v, prefix, "say:", NULL, "a list of how customers say it, e.g. say: [bacon]", 1, &o->say);
        else if (o->name)
            default_say(c, name_node, prefix, o->name, &o->say);
        if ((v = map_get(c, e, "price"))) {
            long long cents;
            if (get_hundredths(c, v, prefix, "price", MAX_CENTS, "0.50", &cents)) o->cents = (int)cents;
        }
        free(prefix);
    }
}

static void parse_prons(ctx_t *c, const yaml_node_t *n)
{
    menu_t *m = c->m;
    if (!want(c, n, YAML_MAPPING_NODE, "", "pronunciations:",
              "each word and its phones, e.g. pronunciations: {mcflurry: M AH K F L ER IY}"))
        return;
    check_keys(c, n, NULL, NULL, "pronunciations: ");
    m->prons = xcalloc((size_t)map_len(n), sizeof *m->prons);
    strmap_t have = {0};   /* the words kept so far */
    for (int i = 0; i < map_len(n); i++) {
        yaml_node_t *k = map_key(c, n, i), *v = map_val(c, n, i);
        if (!k || !v || k->type != YAML_SCALAR_NODE) continue;
        char *word, bad[5];
        ph_status_t st = phrase_norm(sval(k), &word, bad);
        int dup = strmap_get(&have, word) >= 0;
        if (st == PH_OK && strchr(word, ' ')) {
            problem(c, k, "pronunciations: \"%s\" is more than one word; give each word its own line",
                    sval(k));
        } else if (st != PH_OK) {
            phrase_problem(c, k, "pronunciations: ", sval(k), st, word, bad);
        } else if (!dup) {
            char *what = xasprintf("its phones, e.g. %s: M AH K F L ER IY", word);
            char *label = xasprintf("%s:", word);
            const char *phones = get_text(c, v, "pronunciations: ", label, what);
            free(what);
            free(label);
            if (phones) {
                strlist_t ph = {0};
                split_words(phones, &ph);
                strbuf_t b = {0};
                size_t longest = 0;
                const char *lw = NULL;
                for (int j = 0; j < ph.n; j++) {
                    size_t chars = utf8_len(ph.v[j], strlen(ph.v[j]));
                    if (chars > longest) longest = chars, lw = ph.v[j];
                    strbuf_printf(&b, "%s%s", j ? " " : "", ph.v[j]);
                }
                if (longest > MENU_MAX_WORD) {
                    /* a phone is two letters, a word a few: a megabyte is a mistake */
                    char buf[128];
                    problem(c, v, "pronunciations: %s: \"%s\" has %zu characters; a phone or word may have at most %d",
                            word, clip(lw, buf), longest, MENU_MAX_WORD);
                    strbuf_free(&b);
                } else {
                    menu_pron_t *p = &m->prons[m->nprons];
                    p->word = word;
                    word = NULL;
                    p->phones = strbuf_steal(&b);
                    p->line = (int)k->start_mark.line + 1;
                    p->col = (int)k->start_mark.column + 1;
                    strmap_add(&have, p->word, m->nprons++);
                }
                strlist_free(&ph);
            }
        }
        free(word);
    }
    strmap_free(&have);
}

/* ---- items ------------------------------------------------------------------ */

/* "small, medium, large": the menu's sizes, or those item i sells (item >= 0). */
static char *size_list(const menu_t *m, int item)
{
    strbuf_t b = {0};
    for (int s = 0; s < m->nsizes; s++) {
        if (item >= 0 && !menu_item_has_size(m, item, s)) continue;
        strbuf_printf(&b, "%s%s", b.len ? ", " : "", m->sizes[s].name);
    }
    return strbuf_steal(&b);
}

static const char **item_names(const menu_t *m)
{
    const char **v = xcalloc((size_t)m->nitems + 1, sizeof *v);
    for (int i = 0; i < m->nitems; i++) v[i] = m->items[i].name;
    return v;
}

static const char **option_names(const menu_t *m)
{
    const char **v = xcalloc((size_t)m->noptions + 1, sizeof *v);
    for (int i = 0; i < m->noptions; i++) v[i] = m->options[i].name;
    return v;
}

/* Pass 2: names first, so that any item can refer to any other. */
static void item_names_pass(ctx_t *c, const yaml_node_t *items)
{
    menu_t *m = c->m;
    for (int i = 0; i < m->nitems; i++) {
        yaml_node_t *e = seq_at(c, items, i);
        menu_item_t *it = &m->items[i];
        it->cents = -1;
        it->default_size = -1;
        it->available = 1;
        if (!e) continue;
        it->line = (int)e->start_mark.line + 1;
        it->col = (int)e->start_mark.column + 1;
        if (e->type != YAML_MAPPING_NODE) {
            problem(c, e, "items: entry %d is %s; write an item with keys such as name:, say: and price:",
                    i + 1, kind(e));
            continue;
        }
        c->it[i].map = e;
        yaml_node_t *nn = map_get(c, e, "name");
        const char *name = NULL;
        if (!nn && !misspelt(c, e, item_keys, "name"))
            problem(c, e, "items: entry %d has no name:; add one, e.g. - name: Cheeseburger", i + 1);
        else if (nn)
            name = get_name(c, nn, "", "item name", "the item's name, e.g. name: Cheeseburger", 1);
        if (!name) {
            c->it[i].prefix = xasprintf("item #%d: ", i + 1);
            continue;
        }
        it->name = xstrdup(name);
        int first = strmap_add(&c->item_ix, it->name, i);
        if (first >= 0)
            problem(c, nn, "item name \"%s\" is used twice (first at line %d); give each item its own name",
                    name, m->items[first].line);
        c->it[i].prefix = xasprintf("item \"%s\": ", name);
    }
}

static void unknown_option(ctx_t *c, const yaml_node_t *n, const char *prefix, const char *what,
                           const char *name)
{
    if (c->options == SECTION_BROKEN) return;
    /* the suggestion compares with every option: only for a line shown */
    const char **names = problem_wanted(c, n) ? option_names(c->m) : NULL;
    const char *s = names ? suggest(name, names, c->m->noptions) : NULL;
    if (s)
        problem(c, n, "%s%s \"%s\" is not in the menu's options; did you mean \"%s\"?", prefix, what, name, s);
    else
        problem(c, n, "%s%s \"%s\" is not in the menu's options; add it to the options: list", prefix, what, name);
    free(names);
}

static void item_sizes(ctx_t *c, int i, const yaml_node_t *n)
{
    menu_t *m = c->m;
    menu_item_t *it = &m->items[i];
    const char *px = c->it[i].prefix;
    const char *what = "a price for each size, e.g. sizes: {small: 1.79, large: 2.79}";
    if (!want(c, n, YAML_MAPPING_NODE, px, "sizes:", what)) return;
    check_keys(c, n, NULL, NULL, px);
    it->size_cents = xmalloc((size_t)(m->nsizes ? m->nsizes : 1) * sizeof *it->size_cents);
    for (int s = 0; s < m->nsizes; s++) it->size_cents[s] = -1;
    if (map_len(n) == 0) problem(c, n, "%ssizes: is empty; write %s", px, what);
    for (int j = 0; j < map_len(n); j++) {
        yaml_node_t *k = map_key(c, n, j), *v = map_val(c, n, j);
        if (!k || !v || k->type != YAML_SCALAR_NODE) continue;
        const char *name = sval(k);
        char *label = xasprintf("%s price", name);
        long long cents = 0;
        int ok = get_hundredths(c, v, px, label, MAX_CENTS, "3.49", &cents);
        free(label);
        int s = strmap_get(&c->size_ix, name);
        if (s < 0) {
            if (c->sizes == SECTION_OK) {
                char *l = problem_wanted(c, k) ? size_list(m, -1) : NULL;
                problem(c, k, "%ssize \"%s\" is not in the menu's sizes (%s)", px, name, l);
                free(l);
            } else if (c->sizes == SECTION_ABSENT) {
                problem(c, k, "%ssize \"%s\" is not in the menu's sizes (there are none; add sizes: at the top of the file)",
                        px, name);
            }
            continue;
        }
        /* A wrong price still marks the size as sold, so default_size: and
         * includes: do not report it again. */
        if (it->size_cents[s] < 0) it->size_cents[s] = ok ? (int)cents : 0;
    }
}

/* Item option names as written (found or not), for the defaults: check;
 * written_ix indexes written. */
static void item_options(ctx_t *c, int i, const yaml_node_t *n, strlist_t *written, strmap_t *written_ix)
{
    menu_item_t *it = &c->m->items[i];
    const char *px = c->it[i].prefix;
    if (!want(c, n, YAML_SEQUENCE_NODE, px, "options:", "a list of option names, e.g. options: [onions, cheese]"))
        return;
    it->options = xcalloc((size_t)seq_len(n), sizeof *it->options);
    int stamp = ++c->stamp;
    for (int j = 0; j < seq_len(n); j++) {
        yaml_node_t *e = seq_at(c, n, j);
        char label[48];
        snprintf(label, sizeof label, "options: entry %d", j + 1);
        const char *name = e ? get_text(c, e, px, label, "an option name") : NULL;
        if (!name) continue;
        if (strmap_get(written_ix, name) < 0) {
            strlist_push(written, name);
            strmap_add(written_ix, written->v[written->n - 1], written->n - 1);
        }
        int o = strmap_get(&c->option_ix, name);
        if (o < 0) {
            unknown_option(c, e, px, "option", name);
        } else if (c->opt_stamp[o] != stamp) {   /* listed twice: kept once */
            c->opt_stamp[o] = stamp;
            it->options[it->noptions++] = o;
        }
    }
}

static void item_defaults(ctx_t *c, int i, const yaml_node_t *n, const strmap_t *written_ix)
{
    menu_item_t *it = &c->m->items[i];
    const char *px = c->it[i].prefix;
    if (!want(c, n, YAML_SEQUENCE_NODE, px, "defaults:", "a list of the options it comes with, e.g. defaults: [onions]"))
        return;
    it->defaults = xcalloc((size_t)seq_len(n), sizeof *it->defaults);
    int stamp = ++c->stamp;
    for (int j = 0; j < seq_len(n); j++) {
        yaml_node_t *e = seq_at(c, n, j);
        char label[48];
        snprintf(label, sizeof label, "defaults: entry %d", j + 1);
        const char *name = e ? get_text(c, e, px, label, "an option name") : NULL;
        if (!name) continue;
        int o = strmap_get(&c->option_ix, name);
        if (strmap_get(written_ix, name) >= 0) {
            if (o >= 0 && c->opt_stamp[o] != stamp) {
                c->opt_stamp[o] = stamp;
                it->defaults[it->ndefaults++] = o;
            }
        } else if (o < 0) {
            unknown_option(c, e, px, "default", name);
        } else {
            problem(c, e, "%sdefault \"%s\" is not in its options; add it to its options: too", px, name);
        }
    }
}

/* Pass 3: an item's own keys. */
static void parse_item(ctx_t *c, int i)
{
    menu_t *m = c->m;
    menu_item_t *it = &m->items[i];
    item_tmp_t *t = &c->it[i];
    const yaml_node_t *map = t->map;
    const char *px = t->prefix;
    yaml_node_t *n;

    check_keys(c, map, item_keys, "keys of an item", px);

    if ((n = map_get(c, map, "say")))
        get_phrases(c, n, px, "say:", NULL, "a list of how customers say it, e.g. say: [fries, french fries]", 1,
                    &it->say);
    else if (it->name)
        default_say(c, map_get(c, map, "name"), px, it->name, &it->say);

    yaml_node_t *price = map_get(c, map, "price"), *sizes = map_get(c, map, "sizes");
    if (price && sizes)
        problem(c, sizes, "%shas both price: and sizes:; keep price: for one price or sizes: for a price per size", px);
    else if (!price && !sizes && !misspelt(c, map, item_keys, "price") && !misspelt(c, map, item_keys, "sizes"))
        problem(c, map, "%shas no price:; add price: (e.g. price: 3.49) or sizes: (e.g. sizes: {small: 1.79, large: 2.79})",
                px);
    if (price) {
        long long cents;
        if (get_hundredths(c, price, px, "price", MAX_CENTS, "3.49", &cents)) it->cents = (int)cents;
    }
    if (sizes) item_sizes(c, i, sizes);

    if ((n = map_get(c, map, "default_size"))) {
        const char *s = get_text(c, n, px, "default_size:", "one of its sizes, e.g. default_size: medium");
        if (s && !sizes) {
            problem(c, n, "%sdefault_size: needs sizes:; remove it or give the item sizes:", px);
        } else if (s && it->size_cents) {
            int k = strmap_get(&c->size_ix, s);
            if (k >= 0 && it->size_cents[k] >= 0) {
                it->default_size = k;
            } else if (k < 0 && sizes->type == YAML_MAPPING_NODE && map_get(c, sizes, s)) {
                /* its sizes: lists a size the menu lacks: reported there */
            } else {
                char *l = problem_wanted(c, n) ? size_list(m, i) : NULL;
                problem(c, n, "%sdefault_size \"%s\" is not one of its sizes (%s)", px, s, l);
                free(l);
            }
        }
    }

    strlist_t written = {0};
    strmap_t written_ix = {0};
    if ((n = map_get(c, map, "options"))) item_options(c, i, n, &written, &written_ix);
    if ((n = map_get(c, map, "defaults"))) item_defaults(c, i, n, &written_ix);
    strmap_free(&written_ix);
    strlist_free(&written);

    t->includes = map_get(c, map, "includes");
    t->choose = map_get(c, map, "choose");

    if ((n = map_get(c, map, "available"))) {
        const char *s = get_text(c, n, px, "available:", "true or false");
        if (s) {
            int b = parse_bool(s);
            if (b < 0) problem(c, n, "%savailable: must be true or false, not \"%s\"", px, s);
            else it->available = b;
        }
    }
}

static int is_meal(const ctx_t *c, int i)
{
    return c->it[i].includes || c->it[i].choose;
}

/* The item named name in includes:/choose: of item self; -1 after a problem.
 * where: "includes \"X\"" or "choose \"drink\": \"X\"", to start messages. */
static int find_part(ctx_t *c, const yaml_node_t *n, int self, const char *name, const char *where)
{
    const char *px = c->it[self].prefix;
    int j = strmap_get(&c->item_ix, name);
    if (j < 0) {
        /* the suggestion compares with every item: only for a line shown */
        const char **names = problem_wanted(c, n) ? item_names(c->m) : NULL;
        const char *s = names ? suggest(name, names, c->m->nitems) : NULL;
        if (s)
            problem(c, n, "%s%s: no item is named \"%s\"; did you mean \"%s\"?", px, where, name, s);
        else
            problem(c, n, "%s%s: no item is named \"%s\"; add it to items: or fix the spelling", px, where, name);
        free(names);
        return -1;
    }
    if (j == self) {
        problem(c, n, "%s%s: an item cannot contain itself; remove it", px, where);
        return -1;
    }
    if (is_meal(c, j)) {
        problem(c, n, "%s%s: \"%s\" is itself a meal (it has includes: or choose:); list single items", px,
                where, name);
        return -1;
    }
    return j;
}

static void item_includes(ctx_t *c, int i, const yaml_node_t *n)
{
    menu_t *m = c->m;
    menu_item_t *it = &m->items[i];
    const char *px = c->it[i].prefix;
    if (!want(c, n, YAML_SEQUENCE_NODE, px, "includes:", "a list of items, e.g. includes: [Big Stack, Fries/medium]"))
        return;
    it->includes = xcalloc((size_t)seq_len(n), sizeof *it->includes);
    for (int k = 0; k < seq_len(n); k++) {
        yaml_node_t *e = seq_at(c, n, k);
        char label[48];
        snprintf(label, sizeof label, "includes: entry %d", k + 1);
        const char *ref = e ? get_text(c, e, px, label, "an item, e.g. Fries/medium") : NULL;
        if (!ref) continue;
        const char *slash = strrchr(ref, '/');
        char *name = slash ? xstrndup(ref, (size_t)(slash - ref)) : xstrdup(ref);
        char *where = xasprintf("includes \"%s\"", ref);
        int j = find_part(c, e, i, name, where);
        int s = -1;
        if (j < 0) goto next;
        const menu_item_t *part = &m->items[j];
        if (!slash && part->size_cents) {
            char *l = problem_wanted(c, e) ? size_list(m, j) : NULL;
            int ex = part->default_size >= 0 ? part->default_size : -1;
            for (int z = 0; l && ex < 0 && z < m->nsizes; z++)
                if (menu_item_has_size(m, j, z)) ex = z;
            problem(c, e, "%s%s: \"%s\" comes in sizes (%s); write one, e.g. \"%s/%s\"", px, where, name, l, name,
                    ex >= 0 ? m->sizes[ex].name : "medium");
            free(l);
            goto next;
        }
        if (slash && !part->size_cents) {
            problem(c, e, "%s%s: \"%s\" has no sizes; write \"%s\"", px, where, name, name);
            goto next;
        }
        if (slash) {
            s = strmap_get(&c->size_ix, slash + 1);
            if (s < 0) {
                char *l = problem_wanted(c, e) ? size_list(m, -1) : NULL;
                problem(c, e, "%s%s: size \"%s\" is not in the menu's sizes (%s)", px, where, slash + 1, l);
                free(l);
                goto next;
            }
            if (!menu_item_has_size(m, j, s)) {
                char *l = problem_wanted(c, e) ? size_list(m, j) : NULL;
                problem(c, e, "%s%s: \"%s\" is not sold in %s (its sizes: %s)", px, where, name, slash + 1, l);
                free(l);
                goto next;
            }
        }
        it->includes[it->nincludes++] = (menu_ref_t){ j, s };
    next:
        free(name);
        free(where);
    }
}

static void item_choose(ctx_t *c, int i, const yaml_node_t *n)
{
    menu_t *m = c->m;
    menu_item_t *it = &m->items[i];
    const char *px = c->it[i].prefix;
    if (!want(c, n, YAML_MAPPING_NODE, px, "choose:",
              "each choice and its items, e.g. choose: {drink: [Coke, Sprite]}"))
        return;
    check_keys(c, n, NULL, NULL, px);
    it->choose = xcalloc((size_t)map_len(n), sizeof *it->choose);
    strmap_t names = {0};
    for (int k = 0; k < map_len(n); k++) {
        yaml_node_t *key = map_key(c, n, k), *v = map_val(c, n, k);
        if (!key || !v || key->type != YAML_SCALAR_NODE) continue;
        const char *cname = get_name(c, key, px, "a choice", "a word, e.g. drink", 0);
        if (!cname) continue;
        if (strmap_add(&names, cname, k) >= 0) continue;   /* twice: check_keys said so */
        menu_choice_t *ch = &it->choose[it->nchoose++];
        ch->name = xstrdup(cname);
        char *label = xasprintf("choose \"%s\"", cname);
        char *what = xasprintf("a list of items, e.g. %s: [Coke, Sprite]", cname);
        if (want(c, v, YAML_SEQUENCE_NODE, px, label, what)) {
            if (seq_len(v) == 0) problem(c, v, "%s%s is empty; write %s", px, label, what);
            ch->items = xcalloc((size_t)seq_len(v), sizeof *ch->items);
            int stamp = ++c->stamp;
            for (int z = 0; z < seq_len(v); z++) {
                yaml_node_t *e = seq_at(c, v, z);
                const char *name = e ? get_text(c, e, px, label, "an item name") : NULL;
                if (!name) continue;
                if (strchr(name, '/')) {
                    problem(c, e, "%s%s: \"%s\" has a size; write the item's name only, the kiosk asks for the size",
                            px, label, name);
                    continue;
                }
                int j = find_part(c, e, i, name, label);
                if (j >= 0 && c->item_stamp[j] != stamp) {   /* listed twice: kept once */
                    c->item_stamp[j] = stamp;
                    ch->items[ch->nitems++] = j;
                }
            }
        }
        free(label);
        free(what);
    }
    strmap_free(&names);
}

static void parse_items(ctx_t *c, const yaml_node_t *items)
{
    menu_t *m = c->m;
    if (!want(c, items, YAML_SEQUENCE_NODE, "", "items:", "a list of items, each starting with \"- name:\""))
        return;
    if (seq_len(items) == 0) {
        problem(c, items, "items: is empty; add at least one item, e.g. - name: Fries");
        return;
    }
    m->nitems = seq_len(items);
    m->items = xcalloc((size_t)m->nitems, sizeof *m->items);
    c->it = xcalloc((size_t)m->nitems, sizeof *c->it);
    c->opt_stamp = xcalloc((size_t)m->noptions + 1, sizeof *c->opt_stamp);
    c->item_stamp = xcalloc((size_t)m->nitems, sizeof *c->item_stamp);
    item_names_pass(c, items);
    for (int i = 0; i < m->nitems; i++)
        if (c->it[i].map) parse_item(c, i);
    for (int i = 0; i < m->nitems; i++) {
        if (c->it[i].includes) item_includes(c, i, c->it[i].includes);
        if (c->it[i].choose) item_choose(c, i, c->it[i].choose);
    }
}

/* ---- cross checks --------------------------------------------------------- */

static const char *where_line(int line, char buf[32])
{
    if (line == 0) snprintf(buf, 32, "built in");
    else snprintf(buf, 32, "line %d", line);
    return buf;
}

/* Where a phrase was first seen, for the cross checks below: the first list
 * (item, size...) that has it, and the first one named otherwise than that
 * one.  The first earlier list named otherwise than list i, which is what a
 * clash is reported against, is then one of the two: each phrase is looked up
 * once (the checks were a loop over every pair of lists, minutes for a menu
 * of many thousand phrases). */
typedef struct {
    int j1, l1;          /* list and index in it */
    int j2, l2;          /* -1 while every list seen so far has j1's name */
} seen_t;

typedef struct {
    strmap_t ix;         /* phrase -> index into v */
    seen_t *v;
    int n, cap;
} seen_map_t;

static void seen_note(seen_map_t *sm, const char *phrase, const char *const *names, int j, int l)
{
    int x = strmap_get(&sm->ix, phrase);
    if (x < 0) {
        if (sm->n == sm->cap) {
            sm->cap = sm->cap ? 2 * sm->cap : 64;
            sm->v = xrealloc(sm->v, (size_t)sm->cap * sizeof *sm->v);
        }
        sm->v[sm->n] = (seen_t){ j, l, -1, -1 };
        strmap_add(&sm->ix, phrase, sm->n++);
        return;
    }
    seen_t *e = &sm->v[x];
    if (e->j2 < 0 && strcmp(names[e->j1], names[j]) != 0) e->j2 = j, e->l2 = l;
}

/* The first list before list i, named otherwise, that has phrase: 1 with
 * *j and *l set, else 0. */
static int seen_before(const seen_map_t *sm, const char *phrase, const char *const *names, int i, int *j,
                       int *l)
{
    int x = strmap_get(&sm->ix, phrase);
    if (x < 0) return 0;
    const seen_t *e = &sm->v[x];
    if (e->j1 < i && strcmp(names[e->j1], names[i]) != 0) {
        *j = e->j1, *l = e->l1;
        return 1;
    }
    if (e->j2 >= 0 && e->j2 < i) {
        *j = e->j2, *l = e->l2;
        return 1;
    }
    return 0;
}

static void seen_free(seen_map_t *sm)
{
    strmap_free(&sm->ix);
    free(sm->v);
}

/* A phrase may name one item only; plurals count, since the kiosk hears
 * "two fries" as the plural of whichever item says "fry".  A phrase p of
 * item i clashes with a phrase q of an earlier item j when p is q, or p or
 * its plural is q or q's plural; the first such (j, q) in file order is
 * reported, as "also names" when p is q. */
static void check_item_phrases(ctx_t *c)
{
    menu_t *m = c->m;
    const char **names = xcalloc((size_t)m->nitems + 1, sizeof *names);
    char ***plural = xcalloc((size_t)m->nitems + 1, sizeof *plural);
    for (int i = 0; i < m->nitems; i++) {
        names[i] = m->items[i].name;
        plural[i] = xcalloc((size_t)m->items[i].say.n + 1, sizeof **plural);
        for (int k = 0; k < m->items[i].say.n; k++) plural[i][k] = menu_plural(m->items[i].say.v[k]);
    }
    seen_map_t said = {0}, said_plural = {0};   /* by q, by q's plural */
    for (int i = 0; i < m->nitems; i++) {
        if (!names[i]) continue;   /* a nameless item is reported already */
        const phrases_t *p = &m->items[i].say;
        for (int k = 0; k < p->n; k++) {
            int best_j = -1, best_l = -1;
            const struct {
                const seen_map_t *map;
                const char *key;
            } looks[] = {
                { &said, p->v[k] }, { &said_plural, p->v[k] }, { &said, plural[i][k] },
                { &said_plural, plural[i][k] },
            };
            for (size_t a = 0; a < sizeof looks / sizeof looks[0]; a++) {
                int j, l;
                if (!seen_before(looks[a].map, looks[a].key, names, i, &j, &l)) continue;
                if (best_j < 0 || j < best_j || (j == best_j && l < best_l)) best_j = j, best_l = l;
            }
            if (best_j < 0) continue;
            const phrases_t *q = &m->items[best_j].say;
            char b[32];
            if (strcmp(p->v[k], q->v[best_l]) == 0)
                problem_at(c, p->line[k], p->col[k],
                           "%sphrase \"%s\" also names item \"%s\" (%s); each phrase may name only one item",
                           c->it[i].prefix, p->v[k], names[best_j], where_line(q->line[best_l], b));
            else
                problem_at(c, p->line[k], p->col[k],
                           "%sphrase \"%s\" clashes in the plural with \"%s\" of item \"%s\" (%s); each phrase may name only one item",
                           c->it[i].prefix, p->v[k], q->v[best_l], names[best_j], where_line(q->line[best_l], b));
        }
        /* then item i's own, for the items after it */
        for (int k = 0; k < p->n; k++) {
            seen_note(&said, p->v[k], names, i, k);
            seen_note(&said_plural, plural[i][k], names, i, k);
        }
    }
    seen_free(&said);
    seen_free(&said_plural);
    for (int i = 0; i < m->nitems; i++) {
        for (int k = 0; k < m->items[i].say.n; k++) free(plural[i][k]);
        free(plural[i]);
    }
    free(plural);
    free(names);
}

/* The same check for lists of phrases of one kind (sizes, options, amounts):
 * names[i] names list i in messages ("size \"small\""). */
static void check_phrase_lists(ctx_t *c, const phrases_t *const *lists, const char *const *names,
                               int n, const char *kind_name)
{
    seen_map_t seen = {0};
    for (int i = 0; i < n; i++) {
        if (!names[i]) continue;   /* a nameless list is reported already */
        for (int k = 0; k < lists[i]->n; k++) {
            int j, l;
            if (!seen_before(&seen, lists[i]->v[k], names, i, &j, &l)) continue;
            /* Report at the one the manager wrote: the other may be built in. */
            int a = i, ka = k, b = j, kb = l;
            if (lists[i]->line[k] == 0) a = j, ka = l, b = i, kb = k;
            if (lists[a]->line[ka] == 0) continue;   /* two built-ins: not the manager's doing */
            char w[32];
            problem_at(c, lists[a]->line[ka], lists[a]->col[ka],
                       "%s \"%s\": phrase \"%s\" also names %s \"%s\" (%s); each phrase may name only one %s",
                       kind_name, names[a], lists[a]->v[ka], kind_name, names[b],
                       where_line(lists[b]->line[kb], w), kind_name);
        }
        for (int k = 0; k < lists[i]->n; k++) seen_note(&seen, lists[i]->v[k], names, i, k);
    }
    seen_free(&seen);
}

static void check_phrases(ctx_t *c)
{
    menu_t *m = c->m;
    int n = m->nsizes > m->noptions ? m->nsizes : m->noptions;
    if (n < AMOUNT_COUNT) n = AMOUNT_COUNT;
    const phrases_t **lists = xcalloc((size_t)n, sizeof *lists);
    const char **names = xcalloc((size_t)n, sizeof *names);

    for (int i = 0; i < m->nsizes; i++) lists[i] = &m->sizes[i].say, names[i] = m->sizes[i].name;
    check_phrase_lists(c, lists, names, m->nsizes, "size");
    for (int i = 0; i < m->noptions; i++) lists[i] = &m->options[i].say, names[i] = m->options[i].name;
    check_phrase_lists(c, lists, names, m->noptions, "option");
    for (int i = 0; i < AMOUNT_COUNT; i++) lists[i] = &m->amounts[i], names[i] = amount_names[i];
    check_phrase_lists(c, lists, names, AMOUNT_COUNT, "amount");
    free(lists);
    free(names);
    check_item_phrases(c);
}

/* ---- the whole file --------------------------------------------------------- */

static void parse_root(ctx_t *c, const yaml_node_t *root)
{
    menu_t *m = c->m;
    yaml_node_t *n;
    check_keys(c, root, top_keys, "keys of a menu", "");

    if ((n = map_get(c, root, "menu"))) {
        const char *s = get_name(c, n, "", "menu:", "the name shown on the order board, e.g. menu: Burger Barn", 0);
        if (s) m->title = xstrdup(s);
    } else if (!misspelt(c, root, top_keys, "menu")) {
        problem(c, root, "no menu: key; add the name shown on the order board, e.g. menu: Burger Barn");
    }
    if ((n = map_get(c, root, "currency"))) {
        const char *s = get_text(c, n, "", "currency:", "a currency code, e.g. currency: USD");
        if (s && (strlen(s) != 3 || !isupper((unsigned char)s[0]) || !isupper((unsigned char)s[1]) ||
                  !isupper((unsigned char)s[2])))
            problem(c, n, "currency: \"%s\" is not a currency code; write three capital letters, e.g. USD", s);
        else if (s) {
            free(m->currency);
            m->currency = xstrdup(s);
        }
    }
    if ((n = map_get(c, root, "tax_percent"))) {
        long long bp;
        if (get_hundredths(c, n, "", "tax_percent", MAX_TAX_BP, "8.25", &bp)) m->tax_bp = (int)bp;
    }
    if ((n = map_get(c, root, "max_quantity"))) {
        const char *s = get_text(c, n, "", "max_quantity:", "a whole number, e.g. max_quantity: 10");
        if (s) {
            const char *p = s + (*s == '-');
            long long v = 0;
            int digits = *p != '\0';
            for (; *p && digits; p++) {
                if (!isdigit((unsigned char)*p)) digits = 0;
                else if (v <= MAX_QUANTITY) v = v * 10 + (*p - '0');
            }
            if (!digits)
                problem(c, n, "max_quantity \"%s\" is not a whole number; write it like 10", s);
            else if (*s == '-' || v == 0)
                problem(c, n, "max_quantity \"%s\" must be at least 1; write it like 10", s);
            else if (v > MAX_QUANTITY)
                problem(c, n, "max_quantity \"%s\" is too large (at most %d)", s, MAX_QUANTITY);
            else
                m->max_quantity = (int)v;
        }
    }

    if ((n = map_get(c, root, "sizes"))) parse_sizes(c, n);
    if ((n = map_get(c, root, "amounts"))) parse_amounts(c, n);
    if ((n = map_get(c, root, "carriers")))
        get_phrases(c, n, "", "carriers:", "carriers: ", "a list of phrases, e.g. carriers: [we'll have]", 0, &m->carriers);
    if ((n = map_get(c, root, "human")))
        get_phrases(c, n, "", "human:", "human: ", "a list of phrases, e.g. human: [crew member]", 0, &m->human);
    if ((n = map_get(c, root, "options"))) parse_options(c, n);
    if ((n = map_get(c, root, "pronunciations"))) parse_prons(c, n);

    if ((n = map_get(c, root, "items")))
        parse_items(c, n);
    else if (!misspelt(c, root, top_keys, "items"))
        problem(c, root, "no items: key; add the list of what customers can order, starting with items:");

    check_phrases(c);
}

/* Line and column (1-based, in characters) of a byte offset in the text. */
static void offset_pos(const ctx_t *c, size_t off, int *line, int *col)
{
    *line = 1;
    *col = 1;
    for (size_t i = 0; i < off && i < c->len; i++) {
        unsigned char ch = (unsigned char)c->text[i];
        if (ch == '\n') ++*line, *col = 1;
        else if ((ch & 0xC0) != 0x80) ++*col;
    }
}

static void yaml_problem(ctx_t *c, const yaml_parser_t *p)
{
    int line, col;
    switch (p->error) {
    case YAML_MEMORY_ERROR:
        problem_at(c, 1, 1, "out of memory while reading the file");
        return;
    case YAML_READER_ERROR:
        offset_pos(c, p->problem_offset, &line, &col);
        if (p->problem_value >= 0)
            problem_at(c, line, col, "not plain text: %s (0x%02X); save the file as UTF-8 text", p->problem,
                       (unsigned)p->problem_value);
        else
            problem_at(c, line, col, "not plain text: %s; save the file as UTF-8 text", p->problem);
        return;
    default:
        break;
    }
    /* libyaml's own words name its grammar, not the manager's mistake */
    char *msg = yamlerr_explain(c->text, c->len, p, &line, &col);
    problem_at(c, line, col, "%s", msg);
    free(msg);
}

/* How many values (scalars, lists, maps) the document holds with every alias
 * copied out where it is used, up to MENU_MAX_VALUES + 1: the checks walk an
 * aliased list once per use, so a few lines of "*name" can stand for
 * millions of values.  -1 for a list that contains itself (libyaml lets
 * "&a [*a]" be).  Iterative, each node once: a document may nest deeper
 * than the stack would like. */
static long long count_values(yaml_document_t *doc)
{
    const long long over = MENU_MAX_VALUES + 1LL;
    int n = (int)(doc->nodes.top - doc->nodes.start);
    if (n <= 0) return 0;
    long long *size = xcalloc((size_t)n + 1, sizeof *size);
    unsigned char *state = xcalloc((size_t)n + 1, 1);   /* 0 new, 1 open, 2 done */
    int *stack = NULL, sp = 0, cap = 0;
    long long result = 0;
#define PUSH(id) do { if (sp == cap) { cap = cap ? 2 * cap : 256; stack = xrealloc(stack, (size_t)cap * sizeof *stack); } \
                      stack[sp++] = (id); } while (0)
    PUSH(1);   /* the root */
    while (sp > 0) {
        int id = stack[sp - 1];
        if (id < 1 || id > n || state[id] == 2) {
            sp--;
            continue;
        }
        yaml_node_t *nd = &doc->nodes.start[id - 1];
        int kids = 0;
        yaml_node_item_t *items = NULL;
        yaml_node_pair_t *pairs = NULL;
        if (nd->type == YAML_SEQUENCE_NODE) {
            items = nd->data.sequence.items.start;
            kids = (int)(nd->data.sequence.items.top - items);
        } else if (nd->type == YAML_MAPPING_NODE) {
            pairs = nd->data.mapping.pairs.start;
            kids = 2 * (int)(nd->data.mapping.pairs.top - pairs);
        }
        if (state[id] == 0) {
            state[id] = 1;
            for (int k = 0; k < kids; k++) {
                int cid = items ? items[k] : k % 2 ? pairs[k / 2].value : pairs[k / 2].key;
                if (cid < 1 || cid > n) continue;
                if (state[cid] == 1) {   /* on the path to here: it contains itself */
                    result = -1;
                    goto out;
                }
                if (state[cid] == 0) PUSH(cid);
            }
            continue;
        }
        long long total = 1;   /* every child is done */
        for (int k = 0; k < kids && total < over; k++) {
            int cid = items ? items[k] : k % 2 ? pairs[k / 2].value : pairs[k / 2].key;
            if (cid >= 1 && cid <= n) total += size[cid];
        }
        size[id] = total < over ? total : over;
        state[id] = 2;
        sp--;
    }
#undef PUSH
    result = size[1];
out:
    free(size);
    free(state);
    free(stack);
    return result;
}

menu_t *menu_parse(const char *text, size_t len, const char *file, strlist_t *errs)
{
    ctx_t c = { .file = file, .text = text, .len = len };
    yaml_parser_t parser;
    yaml_document_t doc, extra;
    int have_parser = 0, have_doc = 0;
    menu_t *m = xcalloc(1, sizeof *m);

    m->file = xstrdup(file);
    m->currency = xstrdup("USD");
    m->max_quantity = 10;
    for (int a = 0; a < AMOUNT_COUNT; a++) phrases_builtin(&m->amounts[a], lex_default_amounts[a]);
    phrases_builtin(&m->carriers, lex_carriers);
    phrases_builtin(&m->human, lex_human);
    c.m = m;

    if (!yaml_parser_initialize(&parser)) {
        problem_at(&c, 1, 1, "out of memory while reading the file");
        goto out;
    }
    have_parser = 1;
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    if (!yaml_parser_load(&parser, &doc)) {
        yaml_problem(&c, &parser);
        goto out;
    }
    have_doc = 1;
    c.doc = &doc;
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    if (!root || is_null(root)) {
        problem_at(&c, 1, 1, "the file is empty; write at least menu: and items:");
        goto out;
    }
    if (root->type != YAML_MAPPING_NODE) {
        problem(&c, root, "the file is %s; write keys such as menu: and items:, one per line", kind(root));
        goto out;
    }
    /* A second document ("---" again) is not read by anyone: say so rather
     * than ignore half of what the manager wrote. */
    if (!yaml_parser_load(&parser, &extra)) {
        yaml_problem(&c, &parser);
    } else {
        if (yaml_document_get_root_node(&extra))
            problem_at(&c, (int)extra.start_mark.line + 1, (int)extra.start_mark.column + 1,
                       "a second document; a file holds one menu, so remove this \"---\" and what follows or merge it");
        yaml_document_delete(&extra);
    }
    long long values = count_values(&doc);
    if (values < 0) {
        problem_at(&c, 1, 1, "an alias (*name) is used inside the list or map it names, which would never "
                   "end; write the values out instead");
        goto out;
    }
    if (values > MENU_MAX_VALUES) {
        problem_at(&c, 1, 1, "the menu holds more than %d values once its aliases (*name) are copied out "
                   "where they are used; a menu needs far fewer: write the lists out, or use fewer aliases",
                   MENU_MAX_VALUES);
        goto out;
    }
    parse_root(&c, root);

out:
    if (c.it) {
        for (int i = 0; i < m->nitems; i++) free(c.it[i].prefix);
        free(c.it);
    }
    if (have_doc) yaml_document_delete(&doc);
    if (have_parser) yaml_parser_delete(&parser);
    strmap_free(&c.item_ix);
    strmap_free(&c.option_ix);
    strmap_free(&c.size_ix);
    free(c.opt_stamp);
    free(c.item_stamp);
    if (problems_flush(&c.probs, file, errs)) {
        menu_free(m);
        m = NULL;
    }
    return m;
}

menu_t *menu_load(const char *path, strlist_t *errs)
{
    /* A FIFO or /dev/zero would hang or fill memory; a file over the size
     * limit is not a menu anyone wrote (src/DECISIONS.md, 2026-12-07). */
    strbuf_t b = {0};
    char why[128];
    int r = read_regular(path, MENU_MAX_BYTES, &b, why, sizeof why);
    menu_t *m = NULL;
    if (r == -1)
        strlist_pushf(errs, "%s: cannot read: %s", path, why);
    else if (r < 0)
        strlist_pushf(errs, "%s: %s; a menu must be a regular file of at most 1 MB (%d bytes)", path, why,
                      MENU_MAX_BYTES);
    else
        m = menu_parse(strbuf_cstr(&b), b.len, path, errs);
    strbuf_free(&b);
    return m;
}

void menu_free(menu_t *m)
{
    if (!m) return;
    free(m->file);
    free(m->title);
    free(m->currency);
    for (int i = 0; i < m->nsizes; i++) {
        free(m->sizes[i].name);
        phrases_free(&m->sizes[i].say);
    }
    free(m->sizes);
    for (int a = 0; a < AMOUNT_COUNT; a++) phrases_free(&m->amounts[a]);
    phrases_free(&m->carriers);
    for (int i = 0; i < m->nitems; i++) {
        menu_item_t *it = &m->items[i];
        free(it->name);
        phrases_free(&it->say);
        free(it->size_cents);
        free(it->options);
        free(it->defaults);
        free(it->includes);
        for (int k = 0; k < it->nchoose; k++) {
            free(it->choose[k].name);
            free(it->choose[k].items);
        }
        free(it->choose);
    }
    free(m->items);
    for (int i = 0; i < m->noptions; i++) {
        free(m->options[i].name);
        phrases_free(&m->options[i].say);
    }
    free(m->options);
    for (int i = 0; i < m->nprons; i++) {
        free(m->prons[i].word);
        free(m->prons[i].phones);
    }
    free(m->prons);
    phrases_free(&m->human);
    free(m);
}

/* ---- warnings ---------------------------------------------------------------- */

int menu_warnings(const menu_t *m, strlist_t *out)
{
    int n = 0;
    for (int i = 0; i < m->nitems; i++) {
        const menu_item_t *it = &m->items[i];
        if (!it->available) continue;   /* refused as a whole anyway */
        for (int k = 0; k < it->nincludes; k++) {
            const menu_item_t *part = &m->items[it->includes[k].item];
            if (part->available) continue;
            strlist_pushf(out, "%s:%d:%d: warning: item \"%s\": its part \"%s\" is sold out (available: false), "
                          "so the kiosk refuses \"%s\" until it is back", m->file, it->line, it->col, it->name,
                          part->name, it->name);
            n++;
        }
        for (int k = 0; k < it->nchoose; k++) {
            const menu_choice_t *ch = &it->choose[k];
            strbuf_t out_names = {0}, open_names = {0};
            int nout = 0;
            for (int j = 0; j < ch->nitems; j++) {
                const menu_item_t *part = &m->items[ch->items[j]];
                strbuf_t *b = part->available ? &open_names : &out_names;
                strbuf_printf(b, "%s%s", b->len ? ", " : "", part->name);
                nout += !part->available;
            }
            if (nout && !open_names.len)
                strlist_pushf(out, "%s:%d:%d: warning: item \"%s\": every %s (%s) is sold out (available: false), "
                              "so the kiosk refuses \"%s\" until one is back", m->file, it->line, it->col,
                              it->name, ch->name, strbuf_cstr(&out_names), it->name);
            else if (nout)
                strlist_pushf(out, "%s:%d:%d: warning: item \"%s\": %s %s %s sold out (available: false), so the "
                              "kiosk offers only %s", m->file, it->line, it->col, it->name, ch->name,
                              strbuf_cstr(&out_names), nout > 1 ? "are" : "is", strbuf_cstr(&open_names));
            n += nout > 0;
            strbuf_free(&out_names);
            strbuf_free(&open_names);
        }
    }
    return n;
}

/* ---- lookups ---------------------------------------------------------------- */

int menu_item_find(const menu_t *m, const char *name)
{
    for (int i = 0; i < m->nitems; i++)
        if (m->items[i].name && strcmp(m->items[i].name, name) == 0) return i;
    return -1;
}

int menu_option_find(const menu_t *m, const char *name)
{
    for (int i = 0; i < m->noptions; i++)
        if (m->options[i].name && strcmp(m->options[i].name, name) == 0) return i;
    return -1;
}

int menu_size_find(const menu_t *m, const char *name)
{
    for (int i = 0; i < m->nsizes; i++)
        if (m->sizes[i].name && strcmp(m->sizes[i].name, name) == 0) return i;
    return -1;
}

int menu_item_has_size(const menu_t *m, int item, int size)
{
    if (item < 0 || item >= m->nitems || size < 0 || size >= m->nsizes) return 0;
    const menu_item_t *it = &m->items[item];
    return it->size_cents && it->size_cents[size] >= 0;
}

int menu_item_takes_option(const menu_t *m, int item, int option)
{
    if (item < 0 || item >= m->nitems) return 0;
    return int_in(m->items[item].options, m->items[item].noptions, option);
}

int menu_item_option_default(const menu_t *m, int item, int option)
{
    if (item < 0 || item >= m->nitems) return 0;
    return int_in(m->items[item].defaults, m->items[item].ndefaults, option);
}

/* ---- plurals ------------------------------------------------------------------ */

/* Food words English does not pluralise by the rules below. */
static const char *const irregular[][2] = {
    { "tomato", "tomatoes" }, { "potato", "potatoes" }, { "fish", "fish" }, { "shrimp", "shrimp" },
    { "sheep", "sheep" }, { "deer", "deer" },
};

static int is_vowel(char ch)
{
    return ch && strchr("aeiou", ch) != NULL;
}

/* phrase[0..keep) followed by tail: a new string (no printf: the cross
 * checks make one for every phrase of the menu). */
static char *concat(const char *phrase, size_t keep, const char *tail)
{
    size_t tl = strlen(tail);
    char *r = xmalloc(keep + tl + 1);
    memcpy(r, phrase, keep);
    memcpy(r + keep, tail, tl + 1);
    return r;
}

char *menu_plural(const char *phrase)
{
    const char *sp = strrchr(phrase, ' ');
    const char *w = sp ? sp + 1 : phrase;
    size_t head = (size_t)(w - phrase), wl = strlen(w), len = head + wl;
    for (size_t i = 0; i < sizeof irregular / sizeof irregular[0]; i++)
        if (strcmp(w, irregular[i][0]) == 0) return concat(phrase, head, irregular[i][1]);
    if (wl == 0) return xstrdup(phrase);
    char last = w[wl - 1], prev = wl > 1 ? w[wl - 2] : '\0';
    /* Ending in s: already plural ("fries", "nuggets") or as good as. */
    if (last == 's') return xstrdup(phrase);
    if (last == 'x' || last == 'z' || (last == 'h' && (prev == 'c' || prev == 's')))
        return concat(phrase, len, "es");
    if (last == 'y' && wl > 1 && !is_vowel(prev) && prev != '\'')
        return concat(phrase, len - 1, "ies");
    return concat(phrase, len, "s");
}

/* ---- words -------------------------------------------------------------------- */

/* A word being collected; seq keeps the order of words within a phrase. */
typedef struct {
    menu_word_t w;
    int seq;
} word_entry_t;

typedef struct {
    word_entry_t *v;
    int n, cap;
} words_t;

static void words_add_phrase(words_t *w, const char *phrase, int line, int col)
{
    strlist_t l = {0};
    split_words(phrase, &l);
    for (int i = 0; i < l.n; i++) {
        if (w->n == w->cap) {
            w->cap = w->cap ? w->cap * 2 : 64;
            w->v = xrealloc(w->v, (size_t)w->cap * sizeof *w->v);
        }
        w->v[w->n] = (word_entry_t){ { l.v[i], line, col }, w->n };
        w->n++;
    }
    free(l.v);   /* the words now belong to w */
}

static void words_add(words_t *w, const phrases_t *p)
{
    for (int i = 0; i < p->n; i++) words_add_phrase(w, p->v[i], p->line[i], p->col[i]);
}

/* File order, built-ins (line 0) last, then the order collected. */
static int word_pos_cmp(const word_entry_t *a, const word_entry_t *b)
{
    if ((a->w.line == 0) != (b->w.line == 0)) return a->w.line == 0 ? 1 : -1;
    if (a->w.line != b->w.line) return a->w.line < b->w.line ? -1 : 1;
    if (a->w.col != b->w.col) return a->w.col < b->w.col ? -1 : 1;
    return (a->seq > b->seq) - (a->seq < b->seq);
}

static int word_cmp(const void *a, const void *b)
{
    const word_entry_t *x = a, *y = b;
    int r = strcmp(x->w.word, y->w.word);
    return r ? r : word_pos_cmp(x, y);
}

static int word_pos_qcmp(const void *a, const void *b)
{
    return word_pos_cmp(a, b);
}

/* Each word once, at the first place the manager wrote it (built-in only
 * when the file never uses it), in file order: the word check then reports
 * an unknown word once, where the manager first wrote it. */
int menu_words(const menu_t *m, menu_word_t **out)
{
    words_t w = {0};
    for (int i = 0; i < m->nsizes; i++) words_add(&w, &m->sizes[i].say);
    for (int a = 0; a < AMOUNT_COUNT; a++) words_add(&w, &m->amounts[a]);
    words_add(&w, &m->carriers);
    for (int i = 0; i < m->nitems; i++) {
        const phrases_t *p = &m->items[i].say;
        for (int k = 0; k < p->n; k++) {
            words_add_phrase(&w, p->v[k], p->line[k], p->col[k]);
            char *pl = menu_plural(p->v[k]);
            const char *sp = strrchr(pl, ' ');
            words_add_phrase(&w, sp ? sp + 1 : pl, p->line[k], p->col[k]);
            free(pl);
        }
    }
    for (int i = 0; i < m->noptions; i++) words_add(&w, &m->options[i].say);
    words_add(&w, &m->human);

    int n = 0;
    if (w.n) {
        qsort(w.v, (size_t)w.n, sizeof *w.v, word_cmp);
        for (int i = 0; i < w.n; i++) {
            if (n > 0 && strcmp(w.v[n - 1].w.word, w.v[i].w.word) == 0) free(w.v[i].w.word);
            else w.v[n++] = w.v[i];
        }
        qsort(w.v, (size_t)n, sizeof *w.v, word_pos_qcmp);
    }
    menu_word_t *r = xcalloc((size_t)n + 1, sizeof *r);
    for (int i = 0; i < n; i++) r[i] = w.v[i].w;
    free(w.v);
    *out = r;
    return n;
}

void menu_words_free(menu_word_t *w, int n)
{
    for (int i = 0; i < n; i++) free(w[i].word);
    free(w);
}
