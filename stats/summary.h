/* SPDX-License-Identifier: MIT */
/*
 * Summary statistics for comparing runs: mean, standard deviation and a
 * 95% confidence interval from Student's t (GSL). n = 1 has no interval
 * (NaN), never a made-up one; NaN samples (a KPI without a denominator in
 * some run) are left out.
 */
#ifndef BSIM_STATS_SUMMARY_H
#define BSIM_STATS_SUMMARY_H

#include <stddef.h>

struct bsim_summary {
	size_t n;		    /* Samples used (NaN left out). */
	double mean, sd;	    /* sd: n - 1 in the denominator. */
	double ci95_low, ci95_high; /* mean -+ t(0.975, n - 1) sd / sqrt(n). */
};

struct bsim_summary bsim_summarise(const double *x, size_t n);

/* The t quantile the interval uses for n samples: t(0.975, n - 1). */
double bsim_t975(size_t n);

#endif /* BSIM_STATS_SUMMARY_H */
