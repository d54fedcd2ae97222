/* keeper.c: see keeper.h. */
#include "keeper.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../util/util.h"
#include "wav.h"

#define SWEEP_EVERY_S 3600.0

typedef struct job_s {
    char *path;
    int16_t *pcm;
    size_t n;
    struct job_s *next;
} job_t;

struct keeper_s {
    char *dir;
    double days;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    job_t *head, *tail;
    int stop;
    unsigned long written, failed;
};

static double wall_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Only the keeper's own files: digits, a dash, "-car", ".wav". */
static int ours(const char *name)
{
    size_t n = strlen(name);
    return n > 20 && !strcmp(name + n - 4, ".wav") && strstr(name, "-car") && name[0] >= '0' && name[0] <= '9';
}

int keeper_sweep(const char *dir, double days, double now)
{
    DIR *d = opendir(dir);
    if (!d) return 0;
    int gone = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!ours(e->d_name)) continue;
        char *path = xasprintf("%s/%s", dir, e->d_name);
        struct stat st;
        if (lstat(path, &st) == 0 && S_ISREG(st.st_mode) && now - (double)st.st_mtime > days * 86400.0 &&
            unlink(path) == 0)
            gone++;
        free(path);
    }
    closedir(d);
    return gone;
}

static void *keeper_main(void *arg)
{
    keeper_t *k = arg;
    double next_sweep = 0;
    pthread_mutex_lock(&k->mu);
    for (;;) {
        if (wall_now() >= next_sweep) {
            pthread_mutex_unlock(&k->mu);
            int gone = keeper_sweep(k->dir, k->days, wall_now());
            if (gone)
                fprintf(stderr, "kiosk run: %d recorded turn%s older than %g days deleted from %s\n", gone,
                        gone == 1 ? "" : "s", k->days, k->dir);
            next_sweep = wall_now() + SWEEP_EVERY_S;
            pthread_mutex_lock(&k->mu);
        }
        if (!k->head) {
            if (k->stop) break;
            struct timespec until;
            clock_gettime(CLOCK_REALTIME, &until);
            until.tv_sec += 60;
            pthread_cond_timedwait(&k->cv, &k->mu, &until);
            continue;
        }
        job_t *j = k->head;
        k->head = j->next;
        if (!k->head) k->tail = NULL;
        pthread_mutex_unlock(&k->mu);
        char err[512];
        int rc = wav_write(j->path, j->pcm, j->n, err, sizeof err);
        if (rc < 0) fprintf(stderr, "kiosk run: keeping a turn's audio: %s\n", err);
        free(j->path);
        free(j->pcm);
        free(j);
        pthread_mutex_lock(&k->mu);
        if (rc < 0) k->failed++;
        else k->written++;
    }
    pthread_mutex_unlock(&k->mu);
    return NULL;
}

keeper_t *keeper_start(const char *dir, double days, char *err, size_t errlen)
{
    if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
        snprintf(err, errlen, "%s: cannot make the folder for recorded turns (%s)", dir, strerror(errno));
        return NULL;
    }
    struct stat st;
    if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
        snprintf(err, errlen, "%s: not a folder; recorded turns go in a folder", dir);
        return NULL;
    }
    keeper_t *k = xcalloc(1, sizeof *k);
    k->dir = xstrdup(dir);
    k->days = days;
    pthread_mutex_init(&k->mu, NULL);
    pthread_cond_init(&k->cv, NULL);
    if (pthread_create(&k->thread, NULL, keeper_main, k) != 0) {
        snprintf(err, errlen, "cannot start the thread that keeps recorded turns");
        pthread_mutex_destroy(&k->mu);
        pthread_cond_destroy(&k->cv);
        free(k->dir);
        free(k);
        return NULL;
    }
    return k;
}

char *keeper_put(keeper_t *k, const int16_t *pcm, size_t n, double wall, int car, int turn)
{
    time_t t = (time_t)wall;
    struct tm tm;
    localtime_r(&t, &tm);
    char stamp[32];
    strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
    job_t *j = xcalloc(1, sizeof *j);
    j->path = xasprintf("%s/%s-car%d-turn%d.wav", k->dir, stamp, car, turn);
    j->pcm = xmalloc(n * sizeof *pcm + 1);
    memcpy(j->pcm, pcm, n * sizeof *pcm);
    j->n = n;
    char *path = xstrdup(j->path);
    pthread_mutex_lock(&k->mu);
    if (k->tail) k->tail->next = j;
    else k->head = j;
    k->tail = j;
    pthread_cond_signal(&k->cv);
    pthread_mutex_unlock(&k->mu);
    return path;
}

void keeper_counts(keeper_t *k, unsigned long *written, unsigned long *failed)
{
    pthread_mutex_lock(&k->mu);
    *written = k->written;
    *failed = k->failed;
    pthread_mutex_unlock(&k->mu);
}

void keeper_stop(keeper_t *k)
{
    if (!k) return;
    pthread_mutex_lock(&k->mu);
    k->stop = 1;
    pthread_cond_signal(&k->cv);
    pthread_mutex_unlock(&k->mu);
    pthread_join(k->thread, NULL);
    pthread_mutex_destroy(&k->mu);
    pthread_cond_destroy(&k->cv);
    free(k->dir);
    free(k);
}
