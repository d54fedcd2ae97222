/* cmd_menu.c: `kiosk menu check F...` and `kiosk menu grammar F`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../menu/menu.h"
#include "commands.h"

static const char usage[] =
    "usage: kiosk menu check FILE...   validate menu files\n"
    "       kiosk menu grammar FILE    print the grammar a menu compiles to (JSGF)\n";

static void print_errors(strlist_t *errs)
{
    for (int i = 0; i < errs->n; i++) fprintf(stderr, "%s\n", errs->v[i]);
}

/* Loads and fully checks one menu; NULL after printing its errors. */
static menu_t *load_checked(const char *path, const cmudict_t *d)
{
    strlist_t errs = {0};
    menu_t *m = menu_load(path, &errs);
    if (m && menu_check_words(m, d, &errs) > 0) {
        menu_free(m);
        m = NULL;
    }
    print_errors(&errs);
    strlist_free(&errs);
    return m;
}

/* menu_words() gives each word once */
static int distinct_words(const menu_t *m)
{
    menu_word_t *w = NULL;
    int n = menu_words(m, &w);
    menu_words_free(w, n);
    return n;
}

int cmd_menu(int argc, char **argv)
{
    if (cmd_wants_help(argc, argv)) { /* also `kiosk menu check --help` */
        fputs(usage, stdout);
        return 0;
    }
    if (argc < 2) {
        fputs(usage, stderr);
        return EXIT_BADINPUT;
    }
    const char *sub = argv[1];
    if (strcmp(sub, "check") && strcmp(sub, "grammar")) {
        fprintf(stderr, "kiosk menu: unknown command \"%s\"; use check or grammar\n%s", sub, usage);
        return EXIT_BADINPUT;
    }
    if (argc < 3 || (!strcmp(sub, "grammar") && argc != 3)) {
        fprintf(stderr, "kiosk menu %s: %s\n%s", sub,
                argc < 3 ? "give a menu file, e.g. menus/burger.yaml" : "give exactly one menu file", usage);
        return EXIT_BADINPUT;
    }
    strlist_t errs = {0};
    cmudict_t *d = cmudict_load(cmudict_default_path(), &errs);
    if (!d) {
        print_errors(&errs);
        strlist_free(&errs);
        return EXIT_RUNTIME;
    }
    int status = 0;
    if (!strcmp(sub, "check")) {
        for (int i = 2; i < argc; i++) {
            menu_t *m = load_checked(argv[i], d);
            if (!m) {
                status = EXIT_BADINPUT;
                continue;
            }
            /* warnings do not fail the check: the menu is valid, and a sold-out
             * item is the manager's everyday switch */
            strlist_t warns = {0};
            menu_warnings(m, &warns);
            print_errors(&warns);
            strlist_free(&warns);
            printf("ok: %s (%d items, %d words)\n", argv[i], m->nitems, distinct_words(m));
            menu_free(m);
        }
    } else {
        menu_t *m = load_checked(argv[2], d);
        if (!m) {
            status = EXIT_BADINPUT;
        } else {
            char *g = menu_grammar(m);
            fputs(g, stdout);
            free(g);
            menu_free(m);
        }
    }
    cmudict_free(d);
    return status;
}
