/* lexicon.c: see lexicon.h. */
#include "lexicon.h"

#include <stdio.h>
#include <string.h>

const char *const lex_carriers[] = {
    "can i get", "can i have", "could i get", "could i have", "may i have", "may i get",
    "i want", "i'd like", "i would like", "i'll have", "i'll take", "i will have",
    "give me", "let me get", "let me have", "get me", "i need", NULL,
};

const char *const lex_human[] = {
    "human", "a human", "person", "a person", "a real person", "real person", "someone",
    "somebody", "talk to someone", "speak to someone", "talk to somebody", "speak to somebody",
    "manager", "the manager", "a manager", "an employee", "help", "i need help", "operator",
    NULL,
};

const char *const lex_human_lead[] = {
    "i want to talk to", "i want to speak to", "i'd like to talk to", "i'd like to speak to",
    "can i talk to", "can i speak to", "let me talk to", "let me speak to", "get me",
    "i want", "i need", "talk to", "speak to", NULL,
};

const char *const lex_closing[] = {
    "that's all", "that's it", "nothing else", "no thanks", "no thank you", "that is all",
    "that will be all", "that'll be all", "that's everything", "i'm done", "i'm good",
    "no that's all", "no that's it", NULL,
};

const char *const lex_yes[] = {
    "yes", "yeah", "yep", "correct", "that's right", "that's correct", "right", "sure",
    "yes please", "yes it is", "yes that's right", NULL,
};

const char *const lex_no[] = {
    "no", "nope", "that's wrong", "that's not right", "not right", "no it's not", NULL,
};

const char *const lex_politeness[] = { "please", "thank you", "thanks", NULL };

const char *const lex_fillers[] = { "um", "uh", "so", "okay", "let's see", NULL };

const char *const lex_greetings[] = {
    "hi", "hello", "hey", "hi there", "hello there", "hey there", "good morning",
    "good afternoon", "good evening", "howdy", NULL,
};

const char *const lex_default_amounts[4][6] = {
    { "no", "without", "hold the", NULL },
    { "light", "a little", "a little bit of", "a bit of", NULL },
    { "some", "regular", NULL },
    { "extra", "a lot of", "lots of", NULL },
};

const char *const lex_units[20] = {
    "", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
    "eighteen", "nineteen",
};

const char *const lex_tens[10] = {
    "", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
};

static int unit_value(const char *w)
{
    for (int i = 1; i < 20; i++)
        if (strcmp(w, lex_units[i]) == 0) return i;
    return 0;
}

static int tens_value(const char *w)
{
    for (int i = 2; i < 10; i++)
        if (strcmp(w, lex_tens[i]) == 0) return i * 10;
    return 0;
}

/* 1..99 at words: "seven", "twenty", "twenty one". */
static int below_hundred(const char *const *words, int n, long *v)
{
    if (n <= 0) return 0;
    int u = unit_value(words[0]);
    if (u) {
        *v = u;
        return 1;
    }
    int t = tens_value(words[0]);
    if (!t) return 0;
    if (n > 1) {
        int u2 = unit_value(words[1]);
        if (u2 && u2 < 10) {
            *v = t + u2;
            return 2;
        }
    }
    *v = t;
    return 1;
}

/* 1..999: "a hundred", "two hundred and five", "forty". */
static int below_thousand(const char *const *words, int n, long *v)
{
    long lead = 0;
    int used = 0;
    if (n >= 2 && (strcmp(words[0], "a") == 0 || strcmp(words[0], "an") == 0) &&
        strcmp(words[1], "hundred") == 0) {
        lead = 1;
        used = 1;
    } else {
        used = below_hundred(words, n, &lead);
        if (!used) return 0;
    }
    if (used < n && strcmp(words[used], "hundred") == 0 && lead < 10) {
        long rest = 0;
        int k = used + 1;
        int r = 0;
        if (k < n && strcmp(words[k], "and") == 0) {
            r = below_hundred(words + k + 1, n - k - 1, &rest);
            if (r) k += 1 + r;
        } else {
            r = below_hundred(words + k, n - k, &rest);
            k += r;
        }
        *v = lead * 100 + rest;
        return k;
    }
    if (strcmp(words[0], "a") == 0) return 0;
    *v = lead;
    return used;
}

int lex_number(const char *const *words, int n, long *value)
{
    if (n <= 0) return 0;
    long v = 0;
    int used = below_thousand(words, n, &v);
    int article = strcmp(words[0], "a") == 0 || strcmp(words[0], "an") == 0;
    if (!used && article && n >= 2 && strcmp(words[1], "thousand") == 0) {
        v = 1;         /* "a thousand": the article stands for one */
        used = 1;
    }
    if (used && used < n && strcmp(words[used], "thousand") == 0) {
        long rest = 0;
        int k = used + 1, r = 0;
        if (k < n && strcmp(words[k], "and") == 0) {
            r = below_thousand(words + k + 1, n - k - 1, &rest);
            if (r) k += 1 + r;
        } else {
            r = below_thousand(words + k, n - k, &rest);
            k += r;
        }
        *value = v * 1000 + rest;
        return k;
    }
    if (used) {
        *value = v;
        return used;
    }
    if (article) {
        *value = 1;
        return 1;
    }
    return 0;
}

static void below_hundred_words(long v, char *buf, unsigned size)
{
    if (v < 20) snprintf(buf, size, "%s", lex_units[v]);
    else if (v % 10 == 0) snprintf(buf, size, "%s", lex_tens[v / 10]);
    else snprintf(buf, size, "%s %s", lex_tens[v / 10], lex_units[v % 10]);
}

static void below_thousand_words(long v, char *buf, unsigned size)
{
    char a[32], b[32];
    if (v < 100) {
        below_hundred_words(v, buf, size);
        return;
    }
    below_hundred_words(v / 100, a, sizeof a);
    if (v % 100 == 0) {
        snprintf(buf, size, "%s hundred", a);
    } else {
        below_hundred_words(v % 100, b, sizeof b);
        snprintf(buf, size, "%s hundred %s", a, b);
    }
}

char *lex_number_words(long value, char *buf, unsigned size)
{
    char a[64], b[64];
    if (value <= 0 || value >= 1000000) {
        snprintf(buf, size, "%ld", value);
        return buf;
    }
    if (value < 1000) {
        below_thousand_words(value, buf, size);
        return buf;
    }
    below_thousand_words(value / 1000, a, sizeof a);
    if (value % 1000 == 0) {
        snprintf(buf, size, "%s thousand", a);
    } else {
        below_thousand_words(value % 1000, b, sizeof b);
        snprintf(buf, size, "%s thousand %s", a, b);
    }
    return buf;
}

int lex_match(const char *const *list, const char *const *words, int n, int *which)
{
    int best = 0;
    for (int i = 0; list[i]; i++) {
        const char *p = list[i];
        int k = 0;
        int ok = 1;
        while (*p) {
            const char *e = strchr(p, ' ');
            size_t len = e ? (size_t)(e - p) : strlen(p);
            if (k >= n || strlen(words[k]) != len || strncmp(words[k], p, len) != 0) {
                ok = 0;
                break;
            }
            k++;
            p += len;
            if (*p == ' ') p++;
        }
        if (ok && k > best) {
            best = k;
            if (which) *which = i;
        }
    }
    return best;
}
