/* confidence_coef.h: the logistic model of confidence.c.
 * Written by tests/speech/fit_confidence.py; do not edit by hand (rerun it).
 * Fitted on 451 turns (383 right) of the development set, levels clean, 10;
 * AUC 0.917, cross-validated 0.887. */
static const double conf_intercept = 2.164796;
static const double conf_coef[CF_N] = {
    /* mean */ 0.01071153, /* worst */ 0.01559952, /* coverage */ 0, /* loop_agree */ 1.218312, /* free_agree */ 3.095743, /* snr */ 0.01927076, /* clipped */ 0, /* seconds */ 0.05520412, /* loop_margin */ 0.1083325, /* loop_worst */ 0.0328401, /* word_peak */ 0,
};
