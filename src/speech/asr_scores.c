/* asr_scores.c: the turn's acoustic scores, computed once for every search.
 *
 * Scoring the acoustic model's Gaussians is a large share of a search's time,
 * and every search would compute it again for the same frames.  So on the
 * grammar's thread, before any search, the scorer scores every senone of
 * every frame once and writes the scores to a file; every search then reads
 * them (ps_decode_senscr) instead of scoring.  Scores computed for all
 * senones are normalised per frame to the best of all (a search scoring for
 * itself normalises to the best of those it needs), so the searches compare
 * on one scale: the confidence model is fitted on these.
 *
 * The scorer is ptm.c when the model is one it scores (pocketsphinx-en-us's
 * phonetically tied mixtures): the same scores as pocketsphinx, written as
 * the same file, byte for byte (tests/unit/test_ptm.c), faster and with no
 * decoder.  Otherwise (asr_config_t.ps_scorer, or another kind of model) a
 * third decoder of pocketsphinx's own decodes the turn with -compallsen
 * -senlogdir and its file is taken (scores_take).
 *
 * The folder is our own, made with mkdtemp in $TMPDIR, else /dev/shm, else
 * /tmp: about 1 MB per second of speech, emptied at every turn and removed
 * by asr_free.  /dev/shm is memory, so the turns do not wear a kiosk's flash
 * card (and Docker's default 64 MB of it holds a turn of a minute).  Folders
 * left by kiosks that died are swept at start.
 *
 * Two limits of pocketsphinx 5prealpha shape this:
 *   - a decoder that decoded audio with full_utt must not read a score file
 *     afterwards (acmod_process_full_cep grows its feature buffer but not the
 *     frame positions that reading writes into: a heap overflow).  Hence
 *     pocketsphinx's scorer is a decoder of its own, which never reads; and
 *     when a turn's scores go missing (the folder removed, the disk full)
 *     every search scores for itself from then on (noshare), never reading
 *     again: slower, the same words;
 *   - reading does not work with the n-gram search's phone lookahead
 *     (-pl_window: it seeks back in the file, and the next frame is then read
 *     from the wrong place): the free search runs without it (asr_build.c). */
#include "asr_int.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../util/util.h"

/* Removes the files of folder dir; 0, or -1 when it cannot be read. */
static int empty_folder(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) return -1;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        char *f = xasprintf("%s/%s", dir, e->d_name);
        unlink(f);
        free(f);
    }
    closedir(d);
    return 0;
}

/* Removes the files of sendir (the last turn's scores), and makes the folder
 * again if something (a /tmp cleaner) removed it. */
void asr_scores_clear(asr_t *a)
{
    if (a->sendir && empty_folder(a->sendir) < 0) mkdir(a->sendir, 0700);
}

/* Where the scores folder goes: $TMPDIR when set, else /dev/shm (memory,
 * not the kiosk's flash card: a few MB per turn, rewritten every turn), else
 * /tmp. */
static const char *scores_parent(void)
{
    const char *tmp = getenv("TMPDIR");
    if (tmp && *tmp) return tmp;
    struct stat st;
    if (stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) && access("/dev/shm", W_OK | X_OK) == 0)
        return "/dev/shm";
    return "/tmp";
}

/* Removes the score folders (kiosk-scores-PID-*) that kiosks which are no
 * longer running left in tmp (killed, crashed): a few MB each. */
static void scores_sweep(const char *tmp)
{
    DIR *d = opendir(tmp);
    if (!d) return;
    struct dirent *e;
    while ((e = readdir(d))) {
        long pid;
        char rest[32];
        if (sscanf(e->d_name, "kiosk-scores-%ld-%31s", &pid, rest) != 2 || pid <= 0 ||
            strlen(rest) != 6 || kill((pid_t)pid, 0) == 0 || errno != ESRCH)
            continue;
        char *dir = xasprintf("%s/%s", tmp, e->d_name);
        if (empty_folder(dir) == 0) rmdir(dir);
        free(dir);
    }
    closedir(d);
}

/* After the scorer's pass (on the grammar's thread): its score file (the
 * only one in sendir, named by pocketsphinx) becomes senfile.  1 when
 * found. */
static int scores_take(asr_t *a)
{
    DIR *d = opendir(a->sendir);
    if (!d) return 0;
    int found = 0;
    struct dirent *e;
    while (!found && (e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (e->d_name[0] == '.' || len < 5 || strcmp(e->d_name + len - 4, ".sen") != 0 ||
            strcmp(e->d_name, "turn.sen") == 0)
            continue;
        char *f = xasprintf("%s/%s", a->sendir, e->d_name);
        found = rename(f, a->senfile) == 0;
        free(f);
    }
    closedir(d);
    return found;
}

/* The score file a search on ps reads, waiting for the scorer to write it;
 * NULL when the search scores for itself (no shared scores this turn, or
 * pocketsphinx's scorer itself). */
const char *asr_scores_for(asr_t *a, ps_decoder_t *ps)
{
    if (!a->sendir || ps == a->sps) return NULL;
    return asr_sync_wait(a, &a->senstate, SCORES_PENDING) == SCORES_READY ? a->senfile : NULL;
}

/* The folder for the shared scores, after sweeping the ones dead kiosks
 * left; a->sendir stays NULL when it cannot be made. */
void asr_scores_open(asr_t *a)
{
    const char *tmp = scores_parent();
    scores_sweep(tmp);
    char *sdir = xasprintf("%s/kiosk-scores-%ld-XXXXXX", tmp, (long)getpid());
    if (mkdtemp(sdir)) {
        a->sendir = sdir;
        a->senfile = xasprintf("%s/turn.sen", sdir);
    } else {
        free(sdir);   /* each search scores the turn itself: slower, the same words */
    }
}

/* Removes the folder, when it is still there and ours to empty. */
void asr_scores_close(asr_t *a)
{
    if (a->sendir && empty_folder(a->sendir) == 0) rmdir(a->sendir);
}

/* On the grammar's thread, first: scores a->buf[0..n) into senfile and tells
 * the searches waiting for it (asr_scores_for).  Returns the wall time it
 * took, or 0 when there are no shared scores this turn (each search then
 * scores for itself, and from now on: see the top). */
double asr_scores_make(asr_t *a, size_t n, char *err, size_t errlen)
{
    double t = asr_now_ms();
    const char *hyp;
    long score;
    int ok = !a->noshare &&
             (a->ptm ? ptm_score(a->ptm, a->buf, n, a->senfile, err, errlen) >= 0
                     : asr_run_pass(a, a->sps, "score", n, &hyp, &score, err, errlen) == 0 &&
                       scores_take(a));
    if (!ok) a->noshare = 1;
    double ms = ok ? asr_now_ms() - t : 0;
    asr_sync_set(a, &a->senstate, ok ? SCORES_READY : SCORES_NONE);
    return ms;
}
