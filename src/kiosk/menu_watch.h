/* menu_watch.h: the menu file under a running lane (issue 18, item 5): the
 * manager edits it, the kiosk reloads it, and a broken edit never costs the
 * lane its menu.
 *
 *   the file's folder (inotify: editors replace files by rename) or SIGHUP
 *        -> the text read on the loop (a regular file, at most 1 MB)
 *        -> the build thread: the dictionary, the menu parsed and checked,
 *           and, when its words changed, a recogniser built for it (seconds)
 *        -> eventfd -> the loop: lane_menu (the next car gets it, what is
 *           sold out applies at once) or lane_menu_failed (the errors to the
 *           crew stations), a line on stderr either way; a good menu is
 *           kept in the store (opts.keep: src/store/menus.h)
 *
 * A car keeps the menu it arrived on and the recogniser built for that menu
 * (the turn sources ask menu_watch_asr for it): an old menu and its
 * recogniser are freed when no car and no turn being decoded uses them.
 * Scripts (`kiosk replay --script`, step `menu FILE`) reload the same way,
 * at once and on the loop's thread, on the virtual clock. */
#ifndef KIOSK_MENU_WATCH_H
#define KIOSK_MENU_WATCH_H

#include "hear.h"
#include "lane_io.h"
#include "source.h"

typedef struct menu_watch_s menu_watch_t;

typedef struct {
    lane_io_t *io;            /* the lane, its loop, and its store (good menus are kept there) */
    const char *path;         /* the menu file */
    const char *who;          /* "kiosk run": the log lines' prefix */
    const asr_config_t *acfg; /* recognisers for new words are built with it; NULL: no recogniser
                                 (a script of `say` steps) */
    int live;                 /* 1: the folder watched, SIGHUP, builds on a thread (kiosk run);
                                 0: only menu_watch_reload, done at once (scripts) */
    /* Keeps a good menu's text as the last good one of path (absolute: menu_store_path),
     * for a start on a broken file (store_menu_keep, or the store's writer): 0, or -1 with
     * err, which is logged.  NULL: nothing kept. */
    int (*keep)(void *ctx, const char *path, const char *text, char *err, size_t errlen);
    void *keep_ctx;
} menu_watch_opts_t;

/* Takes over menu (loaded from text, which is kept in the store) and its
 * recogniser asr (NULL without one).  file_errs: the file's errors when the
 * kiosk started on the last good menu of the store instead (told to the
 * crew stations now; stderr has them already), else NULL.  NULL on failure
 * (err filled; nothing taken over). */
menu_watch_t *menu_watch_open(const menu_watch_opts_t *o, menu_t *menu, asr_t *asr, const char *text,
                              const strlist_t *file_errs, char *err, size_t errlen);
/* The source whose busy() says when an old recogniser may be freed. */
void menu_watch_source(menu_watch_t *w, source_t *src);
/* The recogniser for a car's menu (a source_asr_fn; ctx is the menu_watch_t). */
asr_t *menu_watch_asr(void *ctx, const menu_t *m);
/* Reloads now, from path (NULL: the watched file), as an edit of the watched
 * file: SIGHUP, a script's step.  Live, the build finishes later on its
 * thread; otherwise it is done when this returns.  forced: say so even when
 * nothing changed.  0, or -1 when the store failed (logged). */
int menu_watch_reload(menu_watch_t *w, const char *path, int forced);
/* Frees every menu and recogniser, after the sources are closed and the lane
 * freed (a build still running is waited for).  NULL is allowed. */
void menu_watch_close(menu_watch_t *w);

/* `kiosk run`'s start: the dictionary, then the menu file read (*text),
 * parsed and checked.  When the file fails but db (NULL: none) keeps a last good menu of
 * it that loads, the kiosk runs on that: the file's errors and "WHO: FILE:
 * N errors (above); running on the last good menu, kept at TIME" go to
 * stderr, the errors into *file_errs (for menu_watch_open), *text is the
 * kept text, and 0 is returned.  Otherwise 0, or the exit status (1 the
 * dictionary is missing, 2 the menu is bad) with the messages in errs.  The
 * caller frees *dict, *menu and *text whatever is returned. */
int menu_start(const char *who, const char *path, const char *db, cmudict_t **dict, menu_t **menu, char **text,
               strlist_t *errs, strlist_t *file_errs);

/* The path a menu file is kept under in the store: absolute, its folder's
 * links resolved (the file itself may be gone).  The caller frees it. */
char *menu_store_path(const char *path);

#endif
