/* confidence_coef.h: the logistic model of confidence.c.
 * Written by tests/speech/fit_confidence.py; do not edit by hand (rerun it).
 * placeholder: the uncalibrated mapping of issue 2 (margin (-60) / 7) */
static const double conf_intercept = 0.0;
static const double conf_coef[CF_N] = {
    /* mean */ 0.0714286, /* worst */ 0.0714286, /* coverage */ 8.5714286, /* loop_agree */ 0.0,
    /* free_agree */ 0.0, /* snr */ 0.0, /* clipped */ 0.0, /* seconds */ 0.0, /* loop_margin */ 0.0,
};
