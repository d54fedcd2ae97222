/* problems.h: the problems a menu loader reports, at most MENU_MAX_ERRORS of
 * them, in file order (inside src/menu only; menu.h says what callers get).
 *
 * Every problem is counted; only the first MENU_MAX_ERRORS in file order are
 * kept, in a sorted array, so a menu that breaks a rule a million times costs
 * a counter, not a million messages (a file of 1000 aliased say: lists once
 * printed 140 MB).  problems_wanted() tells beforehand whether a problem at a
 * place would be kept, so that a message that is dear to make (a suggestion
 * compared against every name) is only made when it will be shown. */
#ifndef KIOSK_MENU_PROBLEMS_H
#define KIOSK_MENU_PROBLEMS_H

#include "menu.h"

typedef struct {
    int line, col, seq;     /* seq: problems at one place keep the order found */
    char *msg;              /* the whole line, file name first */
} problem_t;

typedef struct {
    problem_t v[MENU_MAX_ERRORS];   /* the first ones in file order, sorted */
    int n;                          /* kept */
    int total;                      /* reported, kept or not */
} problems_t;

/* 1 when a problem reported now at line:col would be kept. */
int problems_wanted(const problems_t *p, int line, int col);
/* Counts a problem and keeps it when wanted; takes msg (freed when not kept). */
void problems_add(problems_t *p, int line, int col, char *msg);
/* Appends the kept lines to errs (when not NULL) in file order, then
 * "FILE: … and N more problems; ..." when some were not kept; frees them.
 * Returns the total. */
int problems_flush(problems_t *p, const char *file, strlist_t *errs);

#endif
