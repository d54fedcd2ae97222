/* menu_watch.c: see menu_watch.h.
 *
 * Decisions where the issue leaves a choice (history in src/DECISIONS.md,
 * 2026-12-07):
 * - The folder is watched, not the file: editors save by writing a new file
 *   and renaming it over the old one (a watch on the file would follow the
 *   old one away), some by renaming the old one aside first.  Events for the
 *   file's name (written and closed, moved in or out, created, deleted) are
 *   gathered for DEBOUNCE_S and read once: a rename-replace is one reload,
 *   not a "deleted" error and then a good one.  A file written without being
 *   closed is read when it is closed.
 * - The text is read on the loop (a regular file only, never waiting on a
 *   FIFO; at most MENU_FILE_MAX bytes) and compared with the menu the kiosk
 *   runs on: the same text again (a save without changes, the SIGHUP of an
 *   edit already taken) is nothing to do; the same errors again are not
 *   told twice.
 * - A recogniser is built only when the menu's words changed: its key is
 *   everything asr_create_lex takes from a menu (the grammar, the one-item
 *   grammar, the human-phrase model, the words' pronunciations).  A price,
 *   a title or available: false is a new menu on the same recogniser.
 * - A car keeps its menu and the recogniser built for it (the sources ask
 *   menu_watch_asr for the car's), so a new recogniser is never swapped in
 *   mid-order and no turn is decoded with one menu's grammar for another's
 *   dialog.  The old ones are freed when no car uses the menu
 *   (lane_menu_in_use) and no turn is being decoded (the source is not
 *   busy); the recogniser on the build thread, since pocketsphinx may still
 *   be finishing a turn with it in the background.
 * - Two recognisers are in memory while a car finishes on the old menu
 *   (about 180 MB each): the price of never changing one mid-order. */
#define _GNU_SOURCE   /* pipe2 */
#include "menu_watch.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../store/menus.h"   /* store_menu_last_in, at start */
#include "commands.h"

#define MENU_FILE_MAX (1 << 20)   /* a big real menu is 20 KB (issue 18, item 4: 1 MB) */
#define DEBOUNCE_S 0.3            /* an editor's save is a few events within milliseconds */
#define SWEEP_S 0.5               /* old menus and recognisers looked at this often while any wait */

/* ---- reading the file ------------------------------------------------------ */

/* The text of the menu file: a regular file of at most MENU_FILE_MAX bytes,
 * read as menu_load reads it, with the same words for a file refused (a
 * FIFO without a writer would hold the loop: read_regular never waits).
 * NULL with the line in errs. */
static char *read_menu(const char *path, size_t *len, strlist_t *errs)
{
    strbuf_t b = {0};
    char why[128];
    int r = read_regular(path, MENU_FILE_MAX, &b, why, sizeof why);
    if (r == -1) {
        strlist_pushf(errs, "%s: cannot read: %s", path, why);
    } else if (r < 0) {
        strlist_pushf(errs, "%s: %s; a menu must be a regular file of at most 1 MB (%d bytes)", path, why,
                      MENU_FILE_MAX);
    } else if (b.len) {
        *len = b.len;
        return strbuf_steal(&b);
    } else {
        *len = 0;   /* an empty file: its (empty) buffer freed below */
        strbuf_free(&b);
        return xstrdup("");
    }
    strbuf_free(&b);
    return NULL;
}

char *menu_store_path(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir = slash ? xstrndup(path, (size_t)(slash - path)) : xstrdup(".");
    if (!*dir) {
        free(dir);
        dir = xstrdup("/");
    }
    char real[PATH_MAX];
    char *out = realpath(dir, real) ? xasprintf("%s%s%s", real, strcmp(real, "/") ? "/" : "", slash ? slash + 1 : path)
                                    : xstrdup(path);
    free(dir);
    return out;
}

/* ---- the build: checking a text and its recogniser -------------------------- */

/* Everything asr_create_lex takes from a menu: two menus with the same key
 * are heard by the same recogniser. */
static char *recogniser_key(const menu_t *m, const cmudict_t *d)
{
    strbuf_t b = {0};
    char *g = menu_grammar(m), *one = menu_one_grammar(m);
    strbuf_printf(&b, "%s\n--one--\n%s\n--human--\n", g ? g : "", one ? one : "");
    free(g);
    free(one);
    menu_human_lm(m, &b);
    strlist_t words = {0}, phones = {0};
    menu_lexicon(m, d, &words, &phones);
    strbuf_append(&b, "\n--lexicon--\n");
    for (int i = 0; i < words.n; i++) strbuf_printf(&b, "%s\t%s\n", words.v[i], phones.v[i]);
    strlist_free(&words);
    strlist_free(&phones);
    return strbuf_steal(&b);
}

typedef struct {
    /* in */
    char *text;               /* the file's text */
    size_t len;
    char *file;               /* the file read, for the messages */
    const menu_t *ref;        /* the newest good menu (its recogniser's), alive until the result is taken */
    char *ref_key;            /* its recogniser's key when known (owned), else NULL */
    const asr_config_t *acfg; /* NULL: no recogniser */
    int forced;               /* asked for (SIGHUP, a script): the same errors are told again */
    /* out */
    menu_t *menu;             /* NULL: it failed (errs) */
    asr_t *asr;               /* a new recogniser, or NULL: ref's does (reused) or none */
    char *key;                /* menu's recogniser key (with acfg) */
    strlist_t errs;
    double build_s;           /* the new recogniser's building, seconds */
} build_t;

static void build_free(build_t *b)
{
    if (!b) return;
    free(b->text);
    free(b->file);
    free(b->ref_key);
    menu_free(b->menu);
    asr_free(b->asr);
    free(b->key);
    strlist_free(&b->errs);
    free(b);
}

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The work of a reload, on the build thread (or at once, in a script). */
static void build_run(build_t *b)
{
    cmudict_t *d = cmudict_load(cmudict_default_path(), &b->errs);
    if (!d) return;
    b->menu = menu_parse(b->text, b->len, b->file, &b->errs);
    if (b->menu && menu_check_words(b->menu, d, &b->errs) > 0) {
        menu_free(b->menu);
        b->menu = NULL;
    }
    if (b->menu && b->acfg) {
        b->key = recogniser_key(b->menu, d);
        if (!b->ref_key) b->ref_key = recogniser_key(b->ref, d);
        if (strcmp(b->key, b->ref_key)) {   /* new words: a recogniser of its own */
            double t0 = mono();
            char err[512];
            b->asr = session_asr(b->acfg, b->menu, &d, err, sizeof err);
            b->build_s = mono() - t0;
            if (!b->asr) {
                strlist_pushf(&b->errs, "%s: the recogniser could not be built for it: %s", b->file, err);
                menu_free(b->menu);
                b->menu = NULL;
            }
        }
    }
    cmudict_free(d);
}

/* ---- the watch ---------------------------------------------------------- */

/* A menu the kiosk ran on or runs on, with its recogniser. */
typedef struct version_s {
    menu_t *menu;
    asr_t *asr;               /* shared with other versions when the words are the same; NULL: none */
    char *key;                /* its recogniser's key, NULL until a build worked it out */
    struct version_s *next;   /* older */
} version_t;

struct menu_watch_s {
    menu_watch_opts_t o;
    char *path, *store_path, *dir, *base;
    version_t *versions;      /* newest first: the newest is the one new cars get */
    char *live_text;          /* the newest version's text */
    strlist_t failed;         /* the errors of the file as it last failed, told already; empty: it loads */
    source_t *src;
    long sweep;               /* the timer freeing old versions, 0 none */

    /* the build in flight (one at a time), and a request that came meanwhile */
    int building;
    int again, again_forced;
    char *again_path;

    /* the build thread (live) */
    pthread_t thread;
    int thread_started;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    build_t *todo, *done;
    asr_t **frees;            /* recognisers for the thread to free */
    int nfrees, capfrees;
    int stop;
    int done_fd;              /* eventfd: a build is done */

    int ino_fd;               /* inotify on the folder, -1 none */
    long debounce;            /* the timer reading the file after its events, 0 none */
    int hup_r;                /* SIGHUP's pipe, read end, -1 none */
};

/* SIGHUP: the handler writes a byte to a pipe the loop watches. */
static int hup_w = -1;
static void on_hup(int sig)
{
    (void)sig;
    int e = errno;
    if (hup_w >= 0 && write(hup_w, "h", 1) < 0) { /* full: a reload is asked for already */ }
    errno = e;
}

static void *worker(void *arg)
{
    menu_watch_t *w = arg;
    pthread_mutex_lock(&w->mu);
    for (;;) {
        while (!w->stop && !w->todo && !w->nfrees) pthread_cond_wait(&w->cv, &w->mu);
        if (w->nfrees) {   /* an old recogniser: pocketsphinx may be finishing a turn with it */
            asr_t *a = w->frees[--w->nfrees];
            pthread_mutex_unlock(&w->mu);
            asr_free(a);
            pthread_mutex_lock(&w->mu);
            continue;
        }
        if (w->stop) break;
        build_t *b = w->todo;
        w->todo = NULL;
        pthread_mutex_unlock(&w->mu);
        build_run(b);
        pthread_mutex_lock(&w->mu);
        w->done = b;
        uint64_t one = 1;
        if (write(w->done_fd, &one, sizeof one) < 0) { /* a wake-up is waiting already */ }
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

static void free_asr(menu_watch_t *w, asr_t *a)
{
    if (!a) return;
    if (!w->thread_started) {
        asr_free(a);
        return;
    }
    pthread_mutex_lock(&w->mu);
    if (w->nfrees == w->capfrees) {
        w->capfrees = w->capfrees ? 2 * w->capfrees : 4;
        w->frees = xrealloc(w->frees, (size_t)w->capfrees * sizeof *w->frees);
    }
    w->frees[w->nfrees++] = a;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
}

static double on_sweep(loop_t *l, long id, void *ctx);

/* 1 while turns may still be heard for v's menu: the newest (the next car's),
 * the lane's, or the car's at the post.  The last car's board may still show
 * its menu, but it has no more turns. */
static int hears(const menu_watch_t *w, const version_t *v)
{
    const lane_t *L = w->o.io->lane;
    return v == w->versions || v->menu == L->menu || v->menu == L->next_menu ||
           (L->car && session_menu(L->car) == v->menu);
}

/* Frees the recognisers no car can need any more (when no turn is being
 * decoded), then the versions no car uses (but the newest).  1 when some
 * wait. */
static int sweep_versions(menu_watch_t *w)
{
    int waiting = 0;
    int idle = !w->src || !w->src->driver->busy(w->src);
    for (version_t *v = w->versions->next; v; v = v->next) {
        if (!v->asr || hears(w, v)) continue;
        int needed = 0;
        for (version_t *u = w->versions; u; u = u->next) needed |= u->asr == v->asr && hears(w, u);
        if (needed) {
            v->asr = NULL;   /* the same recogniser goes on for a newer menu */
            continue;
        }
        if (!idle) {
            waiting = 1;
            continue;
        }
        asr_t *a = v->asr;
        for (version_t *u = w->versions; u; u = u->next)
            if (u->asr == a) u->asr = NULL;
        free_asr(w, a);
    }
    version_t **pv = &w->versions->next;
    while (*pv) {
        version_t *v = *pv;
        if (v->asr || lane_menu_in_use(w->o.io->lane, v->menu)) {
            waiting = 1;
            pv = &v->next;
            continue;
        }
        *pv = v->next;
        menu_free(v->menu);
        free(v->key);
        free(v);
    }
    return waiting;
}

static void sweep_later(menu_watch_t *w)
{
    if (sweep_versions(w) && !w->sweep) w->sweep = loop_add_timer(w->o.io->loop, SWEEP_S, on_sweep, w);
}

static double on_sweep(loop_t *l, long id, void *ctx)
{
    (void)l;
    (void)id;
    menu_watch_t *w = ctx;
    if (sweep_versions(w)) return SWEEP_S;
    w->sweep = 0;
    return LOOP_NOMORE;
}

static void now(menu_watch_t *w)
{
    lane_set_time(w->o.io->lane, loop_now(w->o.io->loop), lane_io_wall(w->o.io));
}

/* A good menu's text to the store (o.keep), as the last good one of the file. */
static void keep(menu_watch_t *w, const char *text)
{
    char err[512];
    if (w->o.keep && w->o.keep(w->o.keep_ctx, w->store_path, text, err, sizeof err) < 0)
        fprintf(stderr, "%s: %s\n", w->o.who, err);
}

static int same_errors(const strlist_t *a, const strlist_t *b)
{
    if (a->n != b->n) return 0;
    for (int i = 0; i < a->n; i++)
        if (strcmp(a->v[i], b->v[i])) return 0;
    return 1;
}

/* The file failed to load: the lane keeps its menu, the crew stations and
 * stderr hear why (once for the same errors, unless asked). */
static int failed(menu_watch_t *w, const char *file, const strlist_t *errs, int forced)
{
    if (!forced && w->failed.n && same_errors(&w->failed, errs)) return 0;
    strlist_free(&w->failed);
    for (int i = 0; i < errs->n; i++) strlist_push(&w->failed, errs->v[i]);
    lane_t *L = w->o.io->lane;
    const char *title = w->versions->menu->title;
    fprintf(stderr, "%s: %s: not reloaded, %d error%s; the kiosk keeps its menu (%s):\n", w->o.who, file, errs->n,
            errs->n == 1 ? "" : "s", title ? title : "");
    for (int i = 0; i < errs->n; i++) fprintf(stderr, "%s\n", errs->v[i]);
    now(w);
    lane_menu_failed(L, file, errs);
    return lane_io_flush(w->o.io);
}

/* A good menu: the lane's for the next car (its sold-out items at once),
 * kept in the store, and said on stderr. */
static int taken(menu_watch_t *w, const char *file, double build_s)
{
    lane_t *L = w->o.io->lane;
    const menu_t *m = w->versions->menu;
    strlist_free(&w->failed);
    keep(w, w->live_text);
    strbuf_t b = {0};
    strbuf_printf(&b, "%s: %s: reloaded: %s, %d items", w->o.who, file, m->title ? m->title : "", m->nitems);
    int nout = 0;
    for (int i = 0; i < m->nitems; i++)
        if (!m->items[i].available) strbuf_printf(&b, "%s%s", nout++ ? ", " : ", sold out: ", m->items[i].name);
    strbuf_printf(&b, "; from car %d", L->cars + 1);
    if (L->car) strbuf_printf(&b, " (car %d keeps its menu, but what is sold out applies now)", L->cars);
    fprintf(stderr, "%s\n", strbuf_cstr(&b));
    strbuf_free(&b);
    if (build_s > 0) fprintf(stderr, "%s: %s: new words: their recogniser was built in %.1f s\n", w->o.who, file, build_s);
    strlist_t warns = {0};
    menu_warnings(m, &warns);
    for (int i = 0; i < warns.n; i++) fprintf(stderr, "%s: %s\n", w->o.who, warns.v[i]);
    strlist_free(&warns);
    now(w);
    lane_menu(L, m);
    int rc = lane_io_flush(w->o.io);
    sweep_later(w);
    return rc;
}

static int request(menu_watch_t *w, const char *path, int forced);

/* A build's result, on the loop. */
static int finish(menu_watch_t *w, build_t *b)
{
    int rc;
    w->building = 0;
    version_t *cur = w->versions;
    if (b->ref_key && !cur->key) {   /* worked out on the way: the next build need not */
        cur->key = b->ref_key;
        b->ref_key = NULL;
    }
    if (!b->menu) {
        rc = failed(w, b->file, &b->errs, b->forced);
    } else {
        version_t *v = xcalloc(1, sizeof *v);
        v->menu = b->menu;
        v->asr = b->asr ? b->asr : cur->asr;
        v->key = b->key;
        v->next = w->versions;
        w->versions = v;
        b->menu = NULL;
        b->asr = NULL;
        b->key = NULL;
        free(w->live_text);
        w->live_text = b->text;
        b->text = NULL;
        rc = taken(w, b->file, b->build_s);
    }
    build_free(b);
    if (w->again) {   /* the file changed again while this was built */
        char *path = w->again_path;
        int f = w->again_forced;
        w->again = w->again_forced = 0;
        w->again_path = NULL;
        if (request(w, path, f) < 0) rc = -1;
        free(path);
    }
    return rc;
}

/* Reads path and, when it says something new, builds it (now, or on the
 * thread).  0, or -1 when the store failed. */
static int request(menu_watch_t *w, const char *path, int forced)
{
    if (w->building) {   /* one build at a time: read it again when this one is done */
        w->again = 1;
        w->again_forced |= forced;
        free(w->again_path);
        w->again_path = xstrdup(path);
        return 0;
    }
    strlist_t errs = {0};
    size_t len = 0;
    char *text = read_menu(path, &len, &errs);
    int rc = 0;
    if (!text) {
        rc = failed(w, path, &errs, forced);
    } else if (!strcmp(text, w->live_text) && strlen(text) == len) {
        /* the menu the kiosk runs on: nothing new, or the file put back after a broken edit */
        const menu_t *m = w->versions->menu;
        if (w->failed.n) rc = taken(w, path, 0);
        else if (forced)
            fprintf(stderr, "%s: %s: unchanged (%s, %d items)\n", w->o.who, path, m->title ? m->title : "", m->nitems);
        free(text);
    } else {
        build_t *b = xcalloc(1, sizeof *b);
        b->text = text;
        b->len = len;
        b->file = xstrdup(path);
        b->ref = w->versions->menu;
        b->ref_key = w->versions->key ? xstrdup(w->versions->key) : NULL;
        b->acfg = w->o.acfg;
        b->forced = forced;
        w->building = 1;
        if (w->thread_started) {
            pthread_mutex_lock(&w->mu);
            w->todo = b;
            pthread_cond_signal(&w->cv);
            pthread_mutex_unlock(&w->mu);
        } else {
            build_run(b);
            rc = finish(w, b);
        }
    }
    strlist_free(&errs);
    return rc;
}

static void on_done(loop_t *l, int fd, int mask, void *ctx)
{
    (void)l;
    (void)mask;
    menu_watch_t *w = ctx;
    uint64_t n;
    if (read(fd, &n, sizeof n) < 0) { /* a wake-up taken already */ }
    pthread_mutex_lock(&w->mu);
    build_t *b = w->done;
    w->done = NULL;
    pthread_mutex_unlock(&w->mu);
    if (!b) return;
    if (finish(w, b) < 0)
        fprintf(stderr, "%s: the store failed while the menu was reloaded\n", w->o.who);
}

static double on_debounce(loop_t *l, long id, void *ctx)
{
    (void)l;
    (void)id;
    menu_watch_t *w = ctx;
    w->debounce = 0;
    if (request(w, w->path, 0) < 0) fprintf(stderr, "%s: the store failed while the menu was reloaded\n", w->o.who);
    return LOOP_NOMORE;
}

/* The folder's events: those of the file's name start (or restart) the wait. */
static void on_inotify(loop_t *l, int fd, int mask, void *ctx)
{
    (void)mask;
    menu_watch_t *w = ctx;
    char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
    ssize_t n;
    int ours = 0;
    while ((n = read(fd, buf, sizeof buf)) > 0) {
        for (char *p = buf; p < buf + n;) {
            const struct inotify_event *e = (const struct inotify_event *)p;
            if (e->mask & IN_Q_OVERFLOW) ours = 1;   /* events lost: read it to be sure */
            else if (e->len && !strcmp(e->name, w->base)) ours = 1;
            if (e->mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED)) {
                fprintf(stderr, "%s: %s: its folder is gone: edits are no longer seen (SIGHUP still reloads)\n",
                        w->o.who, w->path);
                loop_del_file(l, fd);
                close(fd);
                w->ino_fd = -1;
                return;
            }
            p += sizeof *e + e->len;
        }
    }
    if (!ours) return;
    if (w->debounce) loop_del_timer(l, w->debounce);
    w->debounce = loop_add_timer(l, DEBOUNCE_S, on_debounce, w);
}

static void on_hup_pipe(loop_t *l, int fd, int mask, void *ctx)
{
    (void)l;
    (void)mask;
    menu_watch_t *w = ctx;
    char buf[64];
    while (read(fd, buf, sizeof buf) > 0) { /* several signals: one reload */ }
    fprintf(stderr, "%s: SIGHUP: reloading %s\n", w->o.who, w->path);
    if (request(w, w->path, 1) < 0) fprintf(stderr, "%s: the store failed while the menu was reloaded\n", w->o.who);
}

static int start_live(menu_watch_t *w, char *err, size_t errlen)
{
    loop_t *loop = w->o.io->loop;
    w->done_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (w->done_fd < 0) {
        snprintf(err, errlen, "menu reload: cannot make an eventfd: %s", strerror(errno));
        return -1;
    }
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->cv, NULL);
    if (pthread_create(&w->thread, NULL, worker, w) != 0) {
        snprintf(err, errlen, "menu reload: cannot start its thread");
        return -1;
    }
    w->thread_started = 1;
    loop_add_file(loop, w->done_fd, LOOP_READ, on_done, w);

    /* the folder, not the file: editors replace the file by renaming another over it */
    w->ino_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (w->ino_fd < 0 || inotify_add_watch(w->ino_fd, w->dir, IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM |
                                                                  IN_CREATE | IN_DELETE | IN_DELETE_SELF |
                                                                  IN_MOVE_SELF) < 0) {
        fprintf(stderr, "%s: %s: cannot watch its folder (%s); edits are seen on SIGHUP only\n", w->o.who, w->path,
                strerror(errno));
        if (w->ino_fd >= 0) close(w->ino_fd);
        w->ino_fd = -1;
    } else {
        loop_add_file(loop, w->ino_fd, LOOP_READ, on_inotify, w);
    }

    int p[2];
    if (pipe2(p, O_NONBLOCK | O_CLOEXEC) < 0) {
        snprintf(err, errlen, "menu reload: cannot make a pipe: %s", strerror(errno));
        return -1;
    }
    w->hup_r = p[0];
    hup_w = p[1];
    loop_add_file(loop, w->hup_r, LOOP_READ, on_hup_pipe, w);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_hup;
    sa.sa_flags = SA_RESTART;
    sigaction(SIGHUP, &sa, NULL);
    return 0;
}

menu_watch_t *menu_watch_open(const menu_watch_opts_t *o, menu_t *menu, asr_t *asr, const char *text,
                              const strlist_t *file_errs, char *err, size_t errlen)
{
    menu_watch_t *w = xcalloc(1, sizeof *w);
    w->o = *o;
    w->ino_fd = w->hup_r = w->done_fd = -1;
    w->path = xstrdup(o->path);
    w->store_path = menu_store_path(o->path);
    const char *slash = strrchr(o->path, '/');
    w->dir = slash ? xstrndup(o->path, (size_t)(slash - o->path)) : xstrdup(".");
    if (!*w->dir) {
        free(w->dir);
        w->dir = xstrdup("/");
    }
    w->base = xstrdup(slash ? slash + 1 : o->path);
    w->live_text = xstrdup(text);
    version_t *v = xcalloc(1, sizeof *v);
    v->menu = menu;
    v->asr = asr;
    w->versions = v;
    w->o.who = o->who ? o->who : "kiosk";
    if (o->live && start_live(w, err, errlen) < 0) {
        w->versions->menu = NULL;   /* not taken over */
        w->versions->asr = NULL;
        menu_watch_close(w);
        return NULL;
    }
    if (file_errs && file_errs->n) {   /* running on the store's menu: the stations hear why */
        for (int i = 0; i < file_errs->n; i++) strlist_push(&w->failed, file_errs->v[i]);
        now(w);
        lane_menu_failed(o->io->lane, o->path, file_errs);
        lane_io_flush(o->io);
    } else {
        keep(w, text);
    }
    /* an edit made while the kiosk was starting */
    if (o->live && request(w, w->path, 0) < 0) fprintf(stderr, "%s: the store failed\n", w->o.who);
    return w;
}

void menu_watch_source(menu_watch_t *w, source_t *src)
{
    w->src = src;
}

asr_t *menu_watch_asr(void *ctx, const menu_t *m)
{
    menu_watch_t *w = ctx;
    for (version_t *v = w->versions; v; v = v->next)
        if (v->menu == m) return v->asr;
    return w->versions->asr;   /* not one of ours (cannot happen): the newest */
}

int menu_watch_reload(menu_watch_t *w, const char *path, int forced)
{
    return request(w, path ? path : w->path, forced);
}

void menu_watch_close(menu_watch_t *w)
{
    if (!w) return;
    loop_t *loop = w->o.io->loop;
    if (w->thread_started) {
        pthread_mutex_lock(&w->mu);
        w->stop = 1;
        pthread_cond_signal(&w->cv);
        pthread_mutex_unlock(&w->mu);
        pthread_join(w->thread, NULL);   /* a build still running is waited for */
        build_free(w->todo);
        build_free(w->done);
        for (int i = 0; i < w->nfrees; i++) asr_free(w->frees[i]);
        pthread_mutex_destroy(&w->mu);
        pthread_cond_destroy(&w->cv);
    }
    free(w->frees);
    if (w->hup_r >= 0) {
        signal(SIGHUP, SIG_IGN);
        loop_del_file(loop, w->hup_r);
        close(w->hup_r);
        close(hup_w);
        hup_w = -1;
    }
    if (w->ino_fd >= 0) {
        loop_del_file(loop, w->ino_fd);
        close(w->ino_fd);
    }
    if (w->done_fd >= 0) {
        loop_del_file(loop, w->done_fd);
        close(w->done_fd);
    }
    if (w->debounce) loop_del_timer(loop, w->debounce);
    if (w->sweep) loop_del_timer(loop, w->sweep);
    /* recognisers shared by versions are freed once */
    for (version_t *v = w->versions; v; v = v->next) {
        int seen = 0;
        for (version_t *u = w->versions; u != v; u = u->next) seen |= u->asr == v->asr;
        if (!seen) asr_free(v->asr);
    }
    while (w->versions) {
        version_t *v = w->versions;
        w->versions = v->next;
        menu_free(v->menu);
        free(v->key);
        free(v);
    }
    strlist_free(&w->failed);
    free(w->live_text);
    free(w->again_path);
    free(w->path);
    free(w->store_path);
    free(w->dir);
    free(w->base);
    free(w);
}

/* ---- the start ------------------------------------------------------------ */

/* text checked against dict as the menu of file: 0 with *menu, or 2 (errs). */
static int check_text(const char *text, size_t len, const char *file, const cmudict_t *dict, menu_t **menu,
                      strlist_t *errs)
{
    *menu = menu_parse(text, len, file, errs);
    if (*menu && menu_check_words(*menu, dict, errs) > 0) {
        menu_free(*menu);
        *menu = NULL;
    }
    return *menu ? 0 : EXIT_BADINPUT;
}

int menu_start(const char *who, const char *path, const char *db, cmudict_t **dict, menu_t **menu, char **text,
               strlist_t *errs, strlist_t *file_errs)
{
    *menu = NULL;
    *text = NULL;
    *dict = cmudict_load(cmudict_default_path(), errs);
    if (!*dict) return EXIT_RUNTIME;
    size_t len = 0;
    *text = read_menu(path, &len, errs);
    if (*text && check_text(*text, len, path, *dict, menu, errs) == 0) return 0;
    free(*text);
    *text = NULL;

    /* the file fails: the last good menu the store keeps of it, if any (read
     * without opening the store: nothing in it changes before the kiosk's own) */
    if (!db) return EXIT_BADINPUT;
    char *where = menu_store_path(path);
    double kept = 0;
    char *last = store_menu_last_in(db, where, &kept);
    free(where);
    strlist_t lerrs = {0};
    if (!last || check_text(last, strlen(last), path, *dict, menu, &lerrs) != 0) {
        if (last) strlist_pushf(errs, "%s: the last good menu %s kept of %s does not load either (%s)", who, db, path,
                                lerrs.n ? lerrs.v[0] : "?");
        strlist_free(&lerrs);
        free(last);
        return EXIT_BADINPUT;
    }
    char stamp[64];
    time_t t = (time_t)kept;
    struct tm tm;
    if (!localtime_r(&t, &tm) || !strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S", &tm)) snprintf(stamp, sizeof stamp, "?");
    for (int i = 0; i < errs->n; i++) {
        fprintf(stderr, "%s\n", errs->v[i]);
        strlist_push(file_errs, errs->v[i]);
    }
    fprintf(stderr, "%s: %s: %d error%s (above); running on the last good menu (%s), kept at %s in %s\n", who,
            path, errs->n, errs->n == 1 ? "" : "s", (*menu)->title ? (*menu)->title : "", stamp, db);
    strlist_free(errs);
    *text = last;
    return 0;
}
