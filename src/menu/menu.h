/* menu.h: a manager's menu file, loaded and checked; the grammar and the
 * pronunciation lexicon it compiles to.
 *
 * The file format is ../shared/spec/menu-format.md (version 1).  A menu_t is
 * plain data, read by order/, dialog/ and speech/; nothing here touches audio,
 * the screen or the decoder.  Every index below is an index into the arrays of
 * the same menu_t.
 *
 * Errors: loaders append one line per problem to a strlist_t, each formatted
 * "FILE:LINE:COL: message" where the message says what to do; they return NULL
 * (or a negative number) when there was any error.  A menu that fails its check
 * is never returned, so it can never replace the live one.  At most
 * MENU_MAX_ERRORS lines a load (menu_load, menu_check_words), the first in
 * file order, then one line MENU_MORE_ERRORS_FMT with the count of the rest.
 *
 * Bounds (src/DECISIONS.md, 2026-12-07): a menu file is a regular file of at
 * most MENU_MAX_BYTES; at most MENU_MAX_VALUES values once its YAML aliases
 * are copied out; a spoken word of at most MENU_MAX_WORD characters, a name
 * of at most MENU_MAX_NAME.  Every check is about linear in the file's size.
 *
 * Ownership: menu_load() returns a menu the caller frees with menu_free();
 * all strings inside belong to the menu. */
#ifndef KIOSK_MENU_H
#define KIOSK_MENU_H

#include "../util/util.h"

#define MENU_MAX_BYTES (1024 * 1024)    /* 1 MB: a big real menu is 20 KB */
#define MENU_MAX_VALUES 500000          /* about what a 1 MB file holds without aliases */
#define MENU_MAX_WORD 64                /* characters of a spoken word */
#define MENU_MAX_NAME 100               /* characters of a name (item, option, size, menu, choice) */
#define MENU_MAX_ERRORS 20              /* problem lines a load gives, then MENU_MORE_ERRORS_FMT */
#define MENU_MORE_ERRORS_FMT "%s: \u2026 and %d more problems, not listed; fix the ones above first"

/* How much of an option: the keys of amounts:, in this order. */
typedef enum { AMOUNT_NO, AMOUNT_LIGHT, AMOUNT_NORMAL, AMOUNT_EXTRA, AMOUNT_COUNT } amount_t;
extern const char *const amount_names[AMOUNT_COUNT];     /* "no", "light", "normal", "extra" */

/* A list of spoken phrases (lower-case words separated by single spaces),
 * each with the place in the file it came from (line/col 0 for built-ins). */
typedef struct {
    char **v;
    int *line, *col;
    int n;
} phrases_t;

typedef struct {
    char *name;          /* "large" */
    phrases_t say;       /* [large, big] */
} menu_size_t;

typedef struct {
    char *name;          /* "cheese": as listed, shown in order JSON */
    phrases_t say;       /* defaults to [name] */
    int cents;           /* 0 when free */
} menu_option_t;

typedef struct {
    int item;            /* index into menu->items */
    int size;            /* index into menu->sizes, or -1 */
} menu_ref_t;

typedef struct {
    char *name;          /* "drink" */
    int *items;          /* indices into menu->items */
    int nitems;
} menu_choice_t;

typedef struct {
    char *name;          /* "Cheeseburger": unique, shown on screen and in order JSON */
    phrases_t say;       /* as written; plurals are not stored, see menu_plural() */
    int cents;           /* the price, or -1 for a sized item */
    int *size_cents;     /* NULL for an unsized item; else [menu->nsizes], -1 where not sold */
    int default_size;    /* index into menu->sizes, or -1 (the kiosk asks) */
    int *options;        /* indices into menu->options, in the order written */
    int noptions;
    int *defaults;       /* indices into menu->options: what comes on it */
    int ndefaults;
    menu_ref_t *includes;
    int nincludes;
    menu_choice_t *choose;
    int nchoose;
    int available;       /* 0: sold out, refused politely */
    int line, col;       /* where "- name:" is */
} menu_item_t;

typedef struct {
    char *word;          /* "mcflurry" */
    char *phones;        /* as written: CMU phones "M AH K F L ER IY", words the
                          * dictionary knows "mick flurry", or both; dict.c reads
                          * the words' phones (menu_check_words, menu_lexicon) */
    int line, col;
} menu_pron_t;

typedef struct menu_s {
    char *file;          /* the path it was loaded from */
    char *title;         /* menu: */
    char *currency;      /* "USD" */
    int tax_bp;          /* tax in hundredths of a percent: 8.25 % is 825 */
    int max_quantity;    /* default 10 */
    menu_size_t *sizes;
    int nsizes;
    phrases_t amounts[AMOUNT_COUNT];  /* the menu's, or the defaults of the spec */
    phrases_t carriers;  /* built-in carriers followed by the menu's */
    menu_item_t *items;
    int nitems;
    menu_option_t *options;
    int noptions;
    menu_pron_t *prons;
    int nprons;
    phrases_t human;     /* built-in phrases that page the crew, then the menu's */
} menu_t;

/* Loads and checks the structure of a menu file (every rule of the spec except
 * pronunciations, which need the dictionary: see menu_check_words()).
 * Returns NULL and appends to errs on any error. */
menu_t *menu_load(const char *path, strlist_t *errs);
/* The same from text in memory; file is used in messages. */
menu_t *menu_parse(const char *text, size_t len, const char *file, strlist_t *errs);
void menu_free(menu_t *m);

/* Things a menu may do but a manager probably does not mean, one line each,
 * "FILE:LINE:COL: warning: ..." (a menu with warnings still loads): a combo
 * with a sold-out part (available: false), which the kiosk refuses or whose
 * sold-out choice it does not offer.  Returns the number appended to out. */
int menu_warnings(const menu_t *m, strlist_t *out);

/* Lookups; -1 when absent.  Names compare exactly. */
int menu_item_find(const menu_t *m, const char *name);
int menu_option_find(const menu_t *m, const char *name);
int menu_size_find(const menu_t *m, const char *name);
/* 1 when item i sells size s. */
int menu_item_has_size(const menu_t *m, int item, int size);
/* 1 when option o may go on item i (listed in its options:). */
int menu_item_takes_option(const menu_t *m, int item, int option);
/* 1 when option o is among item i's defaults. */
int menu_item_option_default(const menu_t *m, int item, int option);

/* Plural of a spoken phrase: the last word pluralised by English spelling
 * rules ("cheeseburger" -> "cheeseburgers", "fries" -> "fries",
 * "smoothie" -> "smoothies", "berry" -> "berries", "iced tea" -> "iced teas").
 * Returns a new string the caller frees. */
char *menu_plural(const char *phrase);

/* Every spoken word the menu uses (say: of items, options, sizes, amounts,
 * carriers, human, item plurals) with where it was written, for the word check.
 * Built-in words come with line 0. */
typedef struct {
    char *word;
    int line, col;
} menu_word_t;
int menu_words(const menu_t *m, menu_word_t **out);   /* returns count; free with menu_words_free */
void menu_words_free(menu_word_t *w, int n);

/* ---- dictionary and pronunciations (dict.c) ---- */

/* The CMU pronouncing dictionary shipped with pocketsphinx-en-us.  Prefixed
 * cmudict_ because libpocketsphinx exports dict_* symbols of its own (a global
 * dict_free here would replace the library's and crash the decoder). */
typedef struct cmudict_s cmudict_t;

/* Default path of the dictionary; $KIOSK_MODEL_DIR overrides the model folder
 * (default /usr/share/pocketsphinx/model/en-us). */
const char *cmudict_default_path(void);
cmudict_t *cmudict_load(const char *path, strlist_t *errs);
void cmudict_free(cmudict_t *d);
/* The first pronunciation of word, or NULL.  Owned by the dictionary. */
const char *cmudict_lookup(const cmudict_t *d, const char *word);
/* A pronunciation for word: the dictionary's, else derived by rule from a
 * known word (plural "milkshakes" <- "milkshake", possessive "wendy's" <- "wendy").
 * Returns a new string, or NULL when none can be found. */
char *cmudict_derive(const cmudict_t *d, const char *word);

/* Checks that every word the menu uses can be pronounced (dictionary, rule or
 * the menu's pronunciations:), and that pronunciations: use only CMU phones
 * and words the dictionary knows.
 * Each unknown word is an error naming the word and its line, with an example
 * entry to add.  Returns the number of errors (0: fine), all of them: at most
 * MENU_MAX_ERRORS lines are appended, then the count of the rest. */
int menu_check_words(const menu_t *m, const cmudict_t *d, strlist_t *errs);

/* The words the recogniser must be taught on top of the dictionary: those the
 * menu pronounces itself and those derived by rule.  Parallel lists. */
void menu_lexicon(const menu_t *m, const cmudict_t *d, strlist_t *words, strlist_t *phones);

/* ---- grammar (grammar.c) ---- */

/* The JSGF grammar the menu compiles to: every phrasing of the spec's "What a
 * customer can say", quantities up to and beyond max_quantity included.
 * Returns a new string the caller frees. */
char *menu_grammar(const menu_t *m);

/* The same turns with one item (or one request for a person) at most: every
 * sentence of it is one of menu_grammar()'s.  The recogniser prefers it by a
 * margin (asr.c, "One item first"): noise heard as a second item or a request
 * for a person after the order was the commonest wrong order on real speech. */
char *menu_one_grammar(const menu_t *m);

/* What the kiosk just asked, for the answer grammar. */
typedef enum {
    MENU_ASK_NONE,       /* no question: the whole menu grammar only */
    MENU_ASK_SIZE,       /* "What size...?" of item */
    MENU_ASK_CHOICE,     /* "Which drink...?": item's choose: entry choice */
    MENU_ASK_YESNO,      /* "Is that right?" */
} menu_ask_kind_t;

typedef struct {
    menu_ask_kind_t kind;
    int item;            /* SIZE, CHOICE: index into menu->items */
    int choice;          /* CHOICE: index into that item's choose */
} menu_ask_t;

/* A small JSGF grammar (public rule <answer>, grammar "answer") of the
 * answers to q: "[a|an] SIZE [please]", "make it a SIZE" (the sizes the item
 * sells), "[a|an|one] CHOICE" (the entry's items), the yes and no phrases;
 * and a request for a person, as the menu grammar has it.  Every sentence is
 * one of menu_grammar()'s, so the parser reads it the same way.  NULL when
 * there is no question (or nothing to answer it with).  The caller frees. */
char *menu_answer_grammar(const menu_t *m, const menu_ask_t *q);

/* ---- human phrases (human_lm.c) ---- */

/* Appends to out the human-phrase model of m: an ARPA bigram model of its
 * requests for a person (its human: phrases and the built-ins, alone and after
 * the ways into them, "can i talk to"), for the recogniser's general English
 * search to weigh in beside its own (ASR_HUMAN_LM_WEIGHT in src/speech/asr.h;
 * asr_write_human_lm writes it to a file).  Absolute discounting (0.5) of the
 * bigrams, the rest backed off to add-one unigrams. */
void menu_human_lm(const menu_t *m, strbuf_t *out);

#endif
