/* human_lm.c: the human-phrase language model of a menu (menu.h, "human
 * phrases"): an ARPA bigram model of the ways to ask for a person, which the
 * recogniser weighs into its general English pass (src/speech/asr_build.c,
 * add_human_lm) so that "um i need help" is heard as such rather than as "oh
 * minute though".  Pure text from the menu and lexicon.h's tables: the
 * recogniser writes it where it reads it. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/util.h"
#include "lexicon.h"
#include "menu.h"

/* The sentences of the human-phrase model: every phrase of m->human (the
 * built-ins and the menu's) alone and after every lead of lex_human_lead
 * ("can i talk to"), with "a" and "the" before a phrase that has no article
 * of its own.  Only the grammar's leads: others ("is there a", "i need to
 * talk to") made "i need help" less likely after "i need" (src/DECISIONS.md). */
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

static int u64_cmp(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

void menu_human_lm(const menu_t *m, strbuf_t *out)
{
    strlist_t sent = {0}, vocab = {0};
    strmap_t ix = {0};   /* word -> index in vocab */
    human_sentences(m, &sent);
    strlist_push(&vocab, "<s>");
    strlist_push(&vocab, "</s>");
    /* the words as indexes into vocab, each sentence between <s> and </s> */
    int cap = 64, n = 0, *seq = xmalloc((size_t)cap * sizeof *seq);
    for (int i = 0; i < sent.n; i++) {
        strlist_t w = {0};
        split_words(sent.v[i], &w);
        for (int j = -1; j <= w.n; j++) {
            int id = j < 0 ? 0 : j == w.n ? 1 : strmap_get(&ix, w.v[j]);
            if (id < 0) {
                strlist_push(&vocab, w.v[j]);
                id = vocab.n - 1;
                strmap_add(&ix, vocab.v[id], id);
            }
            if (n == cap) seq = xrealloc(seq, (size_t)(cap *= 2) * sizeof *seq);
            seq[n++] = id;
        }
        strlist_free(&w);
    }
    int V = vocab.n;
    int *uni = xcalloc((size_t)V, sizeof *uni), *hist = xcalloc((size_t)V, sizeof *hist),
        *types = xcalloc((size_t)V, sizeof *types);
    /* the bigrams as (first << 32 | second), sorted and counted: a table of
     * V x V counts was gigabytes for a menu with a long human: list */
    uint64_t *pairs = xmalloc((size_t)(n ? n : 1) * sizeof *pairs);
    int np = 0, total = 0;
    for (int k = 0; k < n; k++) {
        if (seq[k] != 0) {
            uni[seq[k]]++;
            total++;
        }
        if (seq[k] != 1 && k + 1 < n) {           /* </s> ends a sentence: no bigram after it */
            pairs[np++] = (uint64_t)seq[k] << 32 | (uint32_t)seq[k + 1];
            hist[seq[k]]++;
        }
    }
    qsort(pairs, (size_t)np, sizeof *pairs, u64_cmp);
    /* distinct bigrams in (first, second) order, with their counts */
    int nbi = 0, *count = xmalloc((size_t)(np ? np : 1) * sizeof *count);
    for (int k = 0; k < np; k++) {
        if (nbi > 0 && pairs[nbi - 1] == pairs[k]) {
            count[nbi - 1]++;
            continue;
        }
        pairs[nbi] = pairs[k];
        count[nbi++] = 1;
        types[pairs[k] >> 32]++;
    }
    const double D = 0.5;
    double *p1 = xcalloc((size_t)V, sizeof *p1), *seen = xcalloc((size_t)V, sizeof *seen);
    for (int w = 1; w < V; w++) p1[w] = (uni[w] + 1.0) / (total + V - 1.0);
    for (int k = 0; k < nbi; k++) seen[pairs[k] >> 32] += p1[pairs[k] & 0xffffffffu];
    strbuf_printf(out, "\\data\\\nngram 1=%d\nngram 2=%d\n\n\\1-grams:\n", V, nbi);
    for (int v = 0; v < V; v++) {
        double bo = 1.0;
        if (hist[v] > 0)   /* every word seen after v: nothing left to back off to */
            bo = seen[v] < 1.0 - 1e-9 ? (D * types[v] / hist[v]) / (1.0 - seen[v]) : 1e-9;
        strbuf_printf(out, "%.6f %s %.6f\n", v == 0 ? -99.0 : log10(p1[v]), vocab.v[v], log10(bo));
    }
    strbuf_printf(out, "\n\\2-grams:\n");
    for (int k = 0; k < nbi; k++) {
        int v = (int)(pairs[k] >> 32), w = (int)(pairs[k] & 0xffffffffu);
        strbuf_printf(out, "%.6f %s %s\n", log10((count[k] - D) / hist[v]), vocab.v[v], vocab.v[w]);
    }
    strbuf_printf(out, "\n\\end\\\n");
    free(p1); free(seen); free(uni); free(hist); free(types); free(pairs); free(count); free(seq);
    strmap_free(&ix);
    strlist_free(&sent);
    strlist_free(&vocab);
}
