/* confidence_coef.h: the logistic model of confidence.c.
 * Written by tests/speech/fit_confidence.py; do not edit by hand (rerun it).
 * Fitted on 445 turns (372 right) of the development set, levels clean, 10;
 * AUC 0.907, cross-validated 0.873. */
static const double conf_intercept = 2.942675;
static const double conf_coef[CF_N] = {
    /* mean */ 0.02056799, /* worst */ 0, /* coverage */ 0, /* loop_agree */ 0.6267557, /* free_agree */ 3.238308, /* snr */ 0.01508321, /* clipped */ 0, /* seconds */ -0.2812014, /* loop_margin */ 0.05708681, /* loop_worst */ 0.05014949, /* word_peak */ 0.04782338,
};
