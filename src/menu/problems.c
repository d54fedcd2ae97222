/* problems.c: see problems.h. */
#include "problems.h"

#include <stdlib.h>
#include <string.h>

/* File order: line, column, then the order found. */
static int before(int line, int col, int seq, const problem_t *q)
{
    if (line != q->line) return line < q->line;
    if (col != q->col) return col < q->col;
    return seq < q->seq;
}

int problems_wanted(const problems_t *p, int line, int col)
{
    if (p->n < MENU_MAX_ERRORS) return 1;
    /* a new one comes after every kept one found at the same place */
    return before(line, col, p->total, &p->v[p->n - 1]);
}

void problems_add(problems_t *p, int line, int col, char *msg)
{
    int keep = msg && problems_wanted(p, line, col);
    int seq = p->total++;
    if (!keep) {
        free(msg);
        return;
    }
    if (p->n == MENU_MAX_ERRORS) free(p->v[--p->n].msg);   /* the last in file order goes */
    int i = p->n;
    while (i > 0 && before(line, col, seq, &p->v[i - 1])) {
        p->v[i] = p->v[i - 1];
        i--;
    }
    p->v[i] = (problem_t){ line, col, seq, msg };
    p->n++;
}

int problems_flush(problems_t *p, const char *file, strlist_t *errs)
{
    for (int i = 0; i < p->n; i++) {
        if (errs) strlist_push_owned(errs, p->v[i].msg);
        else free(p->v[i].msg);
    }
    if (errs && p->total > p->n)
        strlist_pushf(errs, MENU_MORE_ERRORS_FMT, file, p->total - p->n);
    int total = p->total;
    memset(p, 0, sizeof *p);
    return total;
}
