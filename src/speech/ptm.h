/* ptm.h: every senone's score for a whole turn, as pocketsphinx scores them.
 *
 * pocketsphinx-en-us is a phonetically tied mixture (PTM) model: one
 * codebook of 128 Gaussians per base phone and feature stream, and per
 * senone a mixture weight for each.  With -compallsen and -senlogdir,
 * pocketsphinx 5prealpha scores every senone of every frame and writes the
 * scores to a file that other searches read (asr_scores.c).
 * ptm_score() computes the same scores and writes the same file, byte for
 * byte (tests/unit/test_ptm.c compares them), in under a quarter of the time:
 * the Gaussians of a codebook are computed side by side rather than one
 * after another.  See ptm.c for how each step follows pocketsphinx's. */
#ifndef KIOSK_PTM_H
#define KIOSK_PTM_H

#include <stddef.h>
#include <stdint.h>

#include <sphinxbase/cmd_ln.h>

typedef struct ptm_s ptm_t;

/* A scorer for the acoustic model of config: a configuration that
 * ps_init() has read (it has the model's files, "_mdef", "_mean", "_var",
 * "_sendump", and its feat.params).  NULL with the reason in err when the
 * model is not one it scores (not PTM, 4-bit or clustered mixture weights)
 * or a file is damaged: the caller then lets pocketsphinx score. */
ptm_t *ptm_open(cmd_ln_t *config, char *err, size_t errlen);

/* Scores pcm[0..n) (16-bit samples at the model's rate) as one whole
 * utterance (full_utt: batch CMN) and writes the score file to path.  The
 * number of frames, or -1 with the reason in err (the file could not be
 * written). */
int ptm_score(ptm_t *p, const int16_t *pcm, size_t n, const char *path, char *err,
              size_t errlen);

void ptm_close(ptm_t *p);

#endif
