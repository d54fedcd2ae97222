/* human_lm.c: the human-phrase language model of a menu (menu.h, "human
 * phrases"): an ARPA bigram model of the ways to ask for a person, which the
 * recogniser weighs into its general English pass (src/speech/asr_build.c,
 * add_human_lm) so that "um i need help" is heard as such rather than as "oh
 * minute though".  Pure text from the menu and lexicon.h's tables: the
 * recogniser writes it where it reads it. */
#include <math.h>
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

void menu_human_lm(const menu_t *m, strbuf_t *out)
{
    strlist_t sent = {0}, vocab = {0};
    human_sentences(m, &sent);
    strlist_push(&vocab, "<s>");
    strlist_push(&vocab, "</s>");
    /* the words as indexes into vocab, each sentence between <s> and </s> */
    int cap = 64, n = 0, *seq = xmalloc((size_t)cap * sizeof *seq);
    for (int i = 0; i < sent.n; i++) {
        strlist_t w = {0};
        split_words(sent.v[i], &w);
        for (int j = -1; j <= w.n; j++) {
            int id = j < 0 ? 0 : j == w.n ? 1 : strlist_index(&vocab, w.v[j]);
            if (id < 0) {
                strlist_push(&vocab, w.v[j]);
                id = vocab.n - 1;
            }
            if (n == cap) seq = xrealloc(seq, (size_t)(cap *= 2) * sizeof *seq);
            seq[n++] = id;
        }
        strlist_free(&w);
    }
    int V = vocab.n;
    int *uni = xcalloc((size_t)V, sizeof *uni), *hist = xcalloc((size_t)V, sizeof *hist),
        *types = xcalloc((size_t)V, sizeof *types), *bi = xcalloc((size_t)V * V, sizeof *bi);
    int total = 0;
    for (int k = 0; k < n; k++) {
        if (seq[k] != 0) {
            uni[seq[k]]++;
            total++;
        }
        if (seq[k] != 1 && k + 1 < n) {           /* </s> ends a sentence: no bigram after it */
            if (bi[seq[k] * V + seq[k + 1]]++ == 0) types[seq[k]]++;
            hist[seq[k]]++;
        }
    }
    const double D = 0.5;
    double *p1 = xcalloc((size_t)V, sizeof *p1);
    for (int w = 1; w < V; w++) p1[w] = (uni[w] + 1.0) / (total + V - 1.0);
    int nbi = 0;
    for (int i = 0; i < V * V; i++) nbi += bi[i] > 0;
    strbuf_printf(out, "\\data\\\nngram 1=%d\nngram 2=%d\n\n\\1-grams:\n", V, nbi);
    for (int v = 0; v < V; v++) {
        double bo = 1.0;
        if (hist[v] > 0) {
            double seen = 0;
            for (int w = 0; w < V; w++) if (bi[v * V + w]) seen += p1[w];
            /* every word seen after v: nothing left to back off to */
            bo = seen < 1.0 - 1e-9 ? (D * types[v] / hist[v]) / (1.0 - seen) : 1e-9;
        }
        strbuf_printf(out, "%.6f %s %.6f\n", v == 0 ? -99.0 : log10(p1[v]), vocab.v[v], log10(bo));
    }
    strbuf_printf(out, "\n\\2-grams:\n");
    for (int v = 0; v < V; v++)
        for (int w = 0; w < V; w++)
            if (bi[v * V + w])
                strbuf_printf(out, "%.6f %s %s\n", log10((bi[v * V + w] - D) / hist[v]), vocab.v[v], vocab.v[w]);
    strbuf_printf(out, "\n\\end\\\n");
    free(p1); free(uni); free(hist); free(types); free(bi); free(seq);
    strlist_free(&sent);
    strlist_free(&vocab);
}
