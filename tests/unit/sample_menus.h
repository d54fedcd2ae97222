/* sample_menus.h: a cmocka group fixture loading both sample menus
 * (menus/burger.yaml and menus/coffee.yaml; tests run from the repository
 * root), shared by the parser and dialog tests.  A menu that fails to load
 * prints its errors and fails the group's setup. */
#ifndef KIOSK_TEST_SAMPLE_MENUS_H
#define KIOSK_TEST_SAMPLE_MENUS_H

#include <stdio.h>
#include <stdlib.h>

#include "../../src/menu/menu.h"

typedef struct {
    menu_t *burger, *coffee;
} menus_t;

static menu_t *load(const char *path)
{
    strlist_t errs = {0};
    menu_t *m = menu_load(path, &errs);
    for (int i = 0; i < errs.n; i++) fprintf(stderr, "%s\n", errs.v[i]);
    strlist_free(&errs);
    return m;
}

static int setup(void **state)
{
    menus_t *ms = calloc(1, sizeof *ms);
    ms->burger = load("menus/burger.yaml");
    ms->coffee = load("menus/coffee.yaml");
    if (!ms->burger || !ms->coffee) {
        menu_free(ms->burger);
        menu_free(ms->coffee);
        free(ms);
        return -1;
    }
    *state = ms;
    return 0;
}

static int teardown(void **state)
{
    menus_t *ms = *state;
    menu_free(ms->burger);
    menu_free(ms->coffee);
    free(ms);
    return 0;
}

#endif
