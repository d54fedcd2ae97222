/* lexicon.h: the built-in spoken phrases every menu shares, and number words.
 *
 * The grammar (grammar.c) and the order parser (order/parse.c) both read these
 * tables, so what the recogniser can hear and what the parser understands are
 * the same by construction.  All phrases are lower case, single spaces. */
#ifndef KIOSK_LEXICON_H
#define KIOSK_LEXICON_H

/* NULL-terminated lists. */
extern const char *const lex_carriers[];     /* "can i get", ... (a menu's carriers: are added) */
extern const char *const lex_human[];        /* phrases that page the crew (a menu's human: are added) */
extern const char *const lex_human_lead[];   /* "i want to talk to", ... said before a human phrase */
extern const char *const lex_closing[];      /* "that's all", "that's it", "nothing else", "no thanks", ... */
extern const char *const lex_yes[];          /* "yes", "yeah", "correct", ... */
extern const char *const lex_no[];           /* "no", "nope", ... */
extern const char *const lex_politeness[];   /* "please", "thank you", "thanks" */
extern const char *const lex_fillers[];      /* "um", "uh", "so", "okay", ...: between phrases, no meaning */
extern const char *const lex_greetings[];    /* "hi", "hello", "good morning", ...: alone, a greeting (ACT_GREET) */
extern const char *const lex_default_amounts[4][6]; /* spec defaults for amounts:, by amount_t, NULL-terminated */

/* Number words the grammar knows: "one".."nineteen", the tens, "hundred",
 * "thousand".  lex_units[i] is the word for i (index 0 unused). */
extern const char *const lex_units[20];      /* "", "one", ..., "nineteen" */
extern const char *const lex_tens[10];       /* "", "", "twenty", ..., "ninety" */

/* Reads a quantity at words[0..n): "a", "an", "one".."ninety nine",
 * "a hundred", "two hundred and five", "eighteen thousand", ...
 * Stores the value and returns how many words it used (0: not a number). */
int lex_number(const char *const *words, int n, long *value);

/* The words for a number, as the grammar writes it: 21 -> "twenty one".
 * Writes into buf (size at least 64). Returns buf. */
char *lex_number_words(long value, char *buf, unsigned size);

/* Length in words of the phrase from list that matches words[0..n) at its
 * start, longest first; 0 when none.  *which receives its index when not NULL. */
int lex_match(const char *const *list, const char *const *words, int n, int *which);

#endif
