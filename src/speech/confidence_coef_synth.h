/* confidence_coef_synth.h: the logistic model of confidence.c fitted on the espeak-ng set alone.
 * Written by tests/speech/fit_confidence.py; do not edit by hand (rerun it with --synthetic).
 * Fitted on 449 turns (381 right) of the development set, levels clean, 10;
 * AUC 0.919, cross-validated 0.888. */
static const double conf_synth_intercept = 2.188072;
static const double conf_synth_coef[CF_N] = {
    /* mean */ 0.01155244, /* worst */ 0.0148257, /* coverage */ 0, /* loop_agree */ 1.110287, /* free_agree */ 3.197093, /* snr */ 0.01884238, /* clipped */ 0, /* seconds */ 0.02080694, /* loop_margin */ 0.1047375, /* loop_worst */ 0.03321889, /* word_peak */ 0,
};
