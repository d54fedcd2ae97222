/* fsgmin.h: the smallest deterministic FSG for a grammar's FSG.
 *
 * sphinxbase's jsgf_build_fsg() makes a nondeterministic FSG full of null
 * arcs; pocketsphinx's FSG search then carries one sentence prefix in many
 * states at once.  fsg_minimize() returns the FSG with the fewest states that
 * accepts the same word sequences and has exactly one arc per word leaving a
 * state (null arcs only into its one final state).  See fsgmin.c. */
#ifndef KIOSK_FSGMIN_H
#define KIOSK_FSGMIN_H

#include <stddef.h>

#include <sphinxbase/fsg_model.h>

/* Most states the deterministic FSG may have before it is minimised; a
 * grammar past it keeps its nondeterministic FSG. */
#define FSGMIN_MAX_STATES 200000

/* A new FSG (the caller frees it with fsg_model_free; f is untouched) with
 * f's name, log math, language weight and words, in f's word order (a word
 * id means the same word in both).  NULL, with the reason in err, when an arc
 * of f has a probability other than 1 (weights: determinising would change
 * the scores) or the deterministic FSG would pass FSGMIN_MAX_STATES. */
fsg_model_t *fsg_minimize(fsg_model_t *f, char *err, size_t errlen);

/* 1 when the deterministic FSG f (fsg_minimize's) has a path from its start
 * to its final state whose words are words (separated by single spaces),
 * else 0.  A word f does not know is not accepted. */
int fsg_accepts(fsg_model_t *f, const char *words);

#endif
