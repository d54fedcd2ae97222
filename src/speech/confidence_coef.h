/* confidence_coef.h: the logistic model of confidence.c.
 * Written by tests/speech/fit_confidence.py; do not edit by hand (rerun it).
 * Fitted on 1038 turns (850 right) of the development set and the real recordings, levels clean, 10, real clean, real 10;
 * AUC 0.874, cross-validated 0.863. */
static const double conf_intercept = 1.722048;
static const double conf_coef[CF_N] = {
    /* mean */ 0.01985208, /* worst */ 0, /* coverage */ 0, /* loop_agree */ 2.987218, /* free_agree */ 2.358695, /* snr */ 0.02633379, /* clipped */ 0, /* seconds */ -0.6324816, /* loop_margin */ 0.06413992, /* loop_worst */ 0.008637294, /* word_peak */ 0.05770617,
};
