/* turnshape.c: is what was heard so far a whole sentence (see turnshape.h).
 *
 * Unfinished is decided on the end of the words alone, before the parser
 * looks at them: the parser skips a trailing "and" or filler and takes
 * "a cheeseburger no" as an item and a no, but a speaker who stops there is
 * not done.  The rules, in order, on the words with trailing politeness
 * dropped ("a coke please" ends like "a coke"):
 *   1. a hesitation or a greeting at the end ("um", "ah", "let's see", "hi");
 *   2. a word that never ends an order ("a", "the", "and", "with", "of"...:
 *      never_final);
 *   3. an amount ("extra", "a little bit of", "without") or a lead ("can i
 *      get", "i'd like", "can i talk to", "make it", "remove"), whole or
 *      begun ("can i", "let me"), unless the words also end an item, option
 *      or size there; and "make the ITEM";
 *   4. "no" after an item ("a burger no ..."; alone it is an answer);
 *   5. a number with no item after it ("can i get two"), unless it is part
 *      of an item ("number two") or a change ("make it two");
 *   6. a size with no item before it ("a large", "two large", "can i get a
 *      big"), unless it follows an item ("a coke large"), a change ("make it
 *      a large"), or answers "What size?" (menu_ask_t);
 *   7. a begun item, option or size ("a chicken", "a double", "a diet",
 *      "number", "honey"), and an option or size that begins an item ("a
 *      cheese", as in "a cheese burger") when the words do not parse.
 * Otherwise complete when the parser makes actions of the whole, else
 * unsure.  The rules know only the menu and lexicon.h's built-in phrases,
 * so any menu works. */
#include "turnshape.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../menu/lexicon.h"
#include "../order/order.h"
#include "dialog.h"

const char *const turn_shape_names[] = { "unsure", "complete", "unfinished" };

int turn_ahead_answered(int greeting, double ms)
{
    return greeting && ms >= TURN_AHEAD_HEARD_MS;
}

/* Words an order never ends on.  Not "to", "is", "i'm" and the like: the
 * general English search ends complete turns on them often enough ("a
 * medium sprite" heard "i'm really i'm trying to"). */
static const char *const never_final[] = {
    "a", "an", "the", "and", "or", "with", "without", "of", "for", "from", "plus", "some", "extra",
    "another", "my", "your", "our", NULL,
};

/* Sounds of someone still thinking, and greetings, which come before an
 * order; not lex_fillers' "so" and "okay", which the general English search
 * hears at the end of complete turns. */
static const char *const hesitations[] = {
    "um", "uh", "ah", "er", "erm", "hmm", "hi", "hello", "let's see", NULL,
};

/* The leads of a change (order/parse.c's key words) that need what follows. */
static const char *const change_leads[] = {
    "make that", "make it", "make them", "make the", "remove the", "take off", "take the",
    "cancel the", "start", "actually", NULL,
};

/* Words that may stand before a size that answers "What size?". */
static const char *const answer_lead[] = { "a", "an", "the", "um", "uh", "yes", "yeah", NULL };

enum { CAT_ITEM = 1, CAT_OPTION = 2, CAT_SIZE = 4, CAT_AMOUNT = 8, CAT_LEAD = 16 };

typedef struct {
    const char *p;
    int cat;
} phrase_t;

typedef struct {
    const menu_t *m;
    const menu_ask_t *ask;
    const char *const *w;
    int n;                   /* words looked at: trailing politeness dropped */
    phrase_t *ph;
    int nph, cap;
    strlist_t plurals;       /* owns the item plurals ph points into */
} shaper_t;

static void add(shaper_t *S, const char *p, int cat)
{
    if (!p || !*p) return;
    if (S->nph == S->cap) {
        S->cap = S->cap ? 2 * S->cap : 64;
        S->ph = realloc(S->ph, (size_t)S->cap * sizeof *S->ph);
        if (!S->ph) abort();
    }
    S->ph[S->nph++] = (phrase_t){ p, cat };
}

static void add_list(shaper_t *S, const char *const *l, int cat)
{
    for (int i = 0; l[i]; i++) add(S, l[i], cat);
}

static void add_phrases(shaper_t *S, const phrases_t *ph, int cat)
{
    for (int i = 0; i < ph->n; i++) add(S, ph->v[i], cat);
}

static void collect(shaper_t *S)
{
    const menu_t *m = S->m;
    for (int i = 0; i < m->nitems; i++)
        for (int j = 0; j < m->items[i].say.n; j++) {
            add(S, m->items[i].say.v[j], CAT_ITEM);
            strlist_push_owned(&S->plurals, menu_plural(m->items[i].say.v[j]));
        }
    for (int i = 0; i < S->plurals.n; i++) add(S, S->plurals.v[i], CAT_ITEM);
    for (int i = 0; i < m->noptions; i++) {
        if (m->options[i].say.n) add_phrases(S, &m->options[i].say, CAT_OPTION);
        else add(S, m->options[i].name, CAT_OPTION);
    }
    for (int i = 0; i < m->nsizes; i++) add_phrases(S, &m->sizes[i].say, CAT_SIZE);
    for (int a = 0; a < AMOUNT_COUNT; a++) {
        if (m->amounts[a].n) add_phrases(S, &m->amounts[a], CAT_AMOUNT);
        else add_list(S, lex_default_amounts[a], CAT_AMOUNT);
    }
    add_phrases(S, &m->carriers, CAT_LEAD);
    add_list(S, lex_carriers, CAT_LEAD);
    add_list(S, lex_human_lead, CAT_LEAD);
    add_list(S, change_leads, CAT_LEAD);
}

/* The words of phrase p: up to max (start, length) pairs; how many. */
static int phrase_words(const char *p, const char **ws, size_t *wl, int max)
{
    int k = 0;
    while (*p && k < max) {
        while (*p == ' ') p++;
        if (!*p) break;
        const char *e = strchr(p, ' ');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        ws[k] = p;
        wl[k++] = len;
        p += len;
    }
    return k;
}

#define PHRASE_MAX 16

static int word_is(const char *w, const char *s, size_t len)
{
    return strlen(w) == len && strncmp(w, s, len) == 0;
}

/* How p's words lie against the words ending at end: 2 when they are all
 * there (w[end-k..end) is p), 1 when p's first k words are (for some k
 * shorter than p: p was begun), 0 when neither; *k the words used. */
static int tail_match(const shaper_t *S, int end, const char *p, int *k)
{
    const char *ws[PHRASE_MAX];
    size_t wl[PHRASE_MAX];
    int np = phrase_words(p, ws, wl, PHRASE_MAX);
    for (int j = np; j >= 1; j--) {
        if (j > end) continue;
        int ok = 1;
        for (int i = 0; ok && i < j; i++) ok = word_is(S->w[end - j + i], ws[i], wl[i]);
        if (ok) {
            *k = j;
            return j == np ? 2 : 1;
        }
    }
    return 0;
}

/* The longest whole phrase of cats ending at end: its words, or 0. */
static int whole_at(const shaper_t *S, int end, int cats)
{
    int best = 0, k;
    for (int i = 0; i < S->nph; i++)
        if ((S->ph[i].cat & cats) && tail_match(S, end, S->ph[i].p, &k) == 2 && k > best) best = k;
    return best;
}

/* 1 when a phrase of cats of exactly k words ends at end. */
static int whole_exact(const shaper_t *S, int end, int k, int cats)
{
    int j;
    for (int i = 0; i < S->nph; i++)
        if ((S->ph[i].cat & cats) && tail_match(S, end, S->ph[i].p, &j) == 2 && j == k) return 1;
    return 0;
}

/* Phrases of cats begun at the end of the words: 2 when one of them is not
 * a whole phrase as it stands ("a chicken"), 1 when each is ("cheese",
 * begun as "cheese burger"), 0 when none is begun. */
static int begun_at_end(const shaper_t *S, int cats)
{
    int r = 0, k;
    for (int i = 0; i < S->nph; i++)
        if ((S->ph[i].cat & cats) && tail_match(S, S->n, S->ph[i].p, &k) == 1) {
            if (!whole_exact(S, S->n, k, cats)) return 2;
            r = 1;
        }
    return r;
}

/* 1 when an item phrase is begun (not whole) at the end of the words. */
static int begun_item_at_end(const shaper_t *S)
{
    int k;
    for (int i = 0; i < S->nph; i++)
        if (S->ph[i].cat == CAT_ITEM && tail_match(S, S->n, S->ph[i].p, &k) == 1) return 1;
    return 0;
}

/* 1 when an item phrase starts at word p. */
static int item_at(const shaper_t *S, int p)
{
    const char *ws[PHRASE_MAX];
    size_t wl[PHRASE_MAX];
    for (int i = 0; i < S->nph; i++) {
        if (S->ph[i].cat != CAT_ITEM) continue;
        int np = phrase_words(S->ph[i].p, ws, wl, PHRASE_MAX);
        if (np == 0 || p + np > S->n) continue;
        int ok = 1;
        for (int j = 0; ok && j < np; j++) ok = word_is(S->w[p + j], ws[j], wl[j]);
        if (ok) return 1;
    }
    return 0;
}

static int in_list(const char *w, const char *const *l)
{
    for (int i = 0; l[i]; i++)
        if (strcmp(w, l[i]) == 0) return 1;
    return 0;
}

/* 1 when "make" is among the few words before word i: "make it two",
 * "make the double cheeseburger a large". */
static int change_before(const shaper_t *S, int i)
{
    for (int j = i - 1; j >= 0 && j >= i - 5; j--)
        if (strcmp(S->w[j], "make") == 0) return 1;
    return 0;
}

/* 1 when the words end with a hesitation ("um", "let's see"). */
static int hesitation_at_end(const shaper_t *S)
{
    return lex_match(hesitations, S->w + S->n - 1, 1, NULL) == 1 ||
           (S->n >= 2 && lex_match(hesitations, S->w + S->n - 2, 2, NULL) == 2);
}

static turn_shape_t classify(shaper_t *S)
{
    int n = S->n;
    const char *last = S->w[n - 1];
    int ios = whole_at(S, n, CAT_ITEM | CAT_OPTION | CAT_SIZE);

    if (hesitation_at_end(S)) return TURN_UNFINISHED;                           /* 1 */
    if (in_list(last, never_final) && !ios) return TURN_UNFINISHED;              /* 2 */
    if (!ios && strcmp(last, "no") != 0 &&                                       /* 3 */
        (whole_at(S, n, CAT_AMOUNT | CAT_LEAD) || begun_at_end(S, CAT_AMOUNT | CAT_LEAD)))
        return TURN_UNFINISHED;
    if (strcmp(last, "no") == 0)                                                 /* 4 */
        for (int p = 0; p < n - 1; p++)
            if (item_at(S, p)) return TURN_UNFINISHED;
    for (int i = 0; i < n; i++) {                                                /* 5 */
        long v;
        if (lex_number(S->w + i, n - i, &v) != n - i) continue;
        if (!whole_at(S, n, CAT_ITEM | CAT_SIZE) && !change_before(S, i)) return TURN_UNFINISHED;
        break;
    }
    int ks = whole_at(S, n, CAT_SIZE);                                           /* 6 */
    if (ks && ks >= whole_at(S, n, CAT_ITEM | CAT_OPTION)) {
        int i = n - ks;
        int answer = S->ask && S->ask->kind == MENU_ASK_SIZE;
        for (int j = 0; answer && j < i; j++) answer = in_list(S->w[j], answer_lead);
        if (!whole_at(S, i, CAT_ITEM) && !change_before(S, i) && !answer) return TURN_UNFINISHED;
    }
    int ki = whole_at(S, n, CAT_ITEM);                                           /* 3, "make the coke" */
    if (ki && n - ki >= 2 && strcmp(S->w[n - ki - 1], "the") == 0 && strcmp(S->w[n - ki - 2], "make") == 0)
        return TURN_UNFINISHED;
    int begun = begun_at_end(S, CAT_ITEM | CAT_OPTION | CAT_SIZE);             /* 7 */
    if (begun == 2) return TURN_UNFINISHED;

    strbuf_t text = {0};
    for (int i = 0; i < n; i++) strbuf_printf(&text, "%s%s", i ? " " : "", S->w[i]);
    action_t acts[32];
    int got = order_parse(S->m, strbuf_cstr(&text), acts, 32);
    strbuf_free(&text);
    if (got > 0) return TURN_COMPLETE;
    /* 7: an option or size that begins an item, with no item before it:
     * "a cheese", as in "a cheese burger" (not "a large cheeseburger",
     * whose words are wrong, not unfinished) */
    if (begun && !whole_at(S, n, CAT_ITEM) && begun_item_at_end(S)) return TURN_UNFINISHED;
    return TURN_UNSURE;
}

/* Lower case; anything but letters, digits and apostrophes separates words
 * (as order/parse.c reads them). */
static void split_lower(const char *s, strlist_t *out)
{
    char *t = xstrdup(s ? s : "");
    for (char *c = t; *c; c++) {
        unsigned char u = (unsigned char)*c;
        *c = isalnum(u) || u == '\'' ? (char)tolower(u) : ' ';
    }
    split_words(t, out);
    free(t);
}

static turn_shape_t shape(const menu_t *m, const menu_ask_t *ask, const char *words)
{
    strlist_t w = {0};
    split_lower(words, &w);
    int n = w.n;
    /* politeness ends a sentence and says nothing of its shape */
    for (;;) {
        const char *const *v = (const char *const *)w.v;
        if (n >= 2 && lex_match(lex_politeness, v + n - 2, 2, NULL) == 2) n -= 2;
        else if (n >= 1 && lex_match(lex_politeness, v + n - 1, 1, NULL) == 1) n -= 1;
        else break;
    }
    turn_shape_t r = TURN_UNSURE;
    if (n > 0) {
        shaper_t S = { .m = m, .ask = ask, .w = (const char *const *)w.v, .n = n };
        collect(&S);
        r = classify(&S);
        free(S.ph);
        strlist_free(&S.plurals);
    }
    strlist_free(&w);
    return r;
}

turn_shape_t turn_shape(const menu_t *m, const char *words)
{
    return shape(m, NULL, words);
}

/* The last word of text, lower case, into buf ("" when none). */
static void last_word(const char *text, char *buf, size_t size)
{
    strlist_t w = {0};
    split_lower(text, &w);
    snprintf(buf, size, "%s", w.n ? w.v[w.n - 1] : "");
    strlist_free(&w);
}

turn_shape_t turn_shape_hearing(const menu_t *m, const menu_ask_t *ask, const char *heard,
                                const char *free_text)
{
    turn_shape_t h = shape(m, ask, heard);
    /* nothing from the grammar, a request for a person from the free search
     * (asr_decode_early returns so): the kiosk pages whatever follows */
    if (h == TURN_UNSURE && (!heard || !heard[strspn(heard, " ")]) && free_text &&
        dialog_spot_human(m, free_text) == DIALOG_HUMAN_SAID)
        return TURN_COMPLETE;
    if (h == TURN_UNFINISHED || shape(m, ask, free_text) != TURN_UNFINISHED) return h;
    /* The free search says unfinished.  Over a whole sentence the grammar
     * heard as the free search's words ended ("make it a large" / "we get a
     * large"), the grammar's reading stands; a half sentence the grammar
     * completed ends elsewhere ("can i get coke" / "can i get"). */
    char a[MENU_MAX_WORD + 1], b[MENU_MAX_WORD + 1];
    last_word(heard, a, sizeof a);
    last_word(free_text, b, sizeof b);
    if (h == TURN_COMPLETE && a[0] && strcmp(a, b) == 0) return h;
    return TURN_UNFINISHED;
}

int turn_trailing_ms(turn_shape_t shape, double confidence, int default_ms)
{
    int ms = TURN_UNSURE_MS;
    if (shape == TURN_COMPLETE && confidence >= TURN_QUICK_CONFIDENCE)
        return TURN_QUICK_MS < default_ms ? TURN_QUICK_MS : default_ms;
    if (shape == TURN_UNFINISHED) ms = TURN_WAIT_MS;
    return ms > default_ms ? ms : default_ms;
}

int turn_says_ahead(turn_shape_t shape, int greeting)
{
    return shape != TURN_UNFINISHED || greeting;
}
