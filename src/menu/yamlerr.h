/* yamlerr.h: libyaml's syntax errors said in a manager's words (menu.c only).
 *
 * libyaml reports where it gave up, in its own terms ("did not find expected
 * '-' indicator (while parsing a block collection at 15:3)"), often a line
 * after the mistake.  yamlerr_explain() reads the text around that place and
 * returns what the manager must fix, at the line and column where the fix
 * goes. */
#ifndef KIOSK_YAMLERR_H
#define KIOSK_YAMLERR_H

#include <stddef.h>
#include <yaml.h>

/* For a parser that failed with a scanner, parser or composer error on text:
 * a message (the caller frees) and its 1-based *line and *col. */
char *yamlerr_explain(const char *text, size_t len, const yaml_parser_t *p, int *line, int *col);

#endif
