/* SPDX-License-Identifier: MIT */
/* Summary statistics (see summary.h). */
#include "summary.h"

#include <gsl/gsl_cdf.h>

#include <math.h>

double bsim_t975(size_t n)
{
	return n >= 2 ? gsl_cdf_tdist_Pinv(0.975, (double)(n - 1)) : NAN;
}

struct bsim_summary bsim_summarise(const double *x, size_t n)
{
	struct bsim_summary s = { 0, NAN, NAN, NAN, NAN };
	double sum = 0, ss = 0;

	for (size_t i = 0; i < n; i++)
		if (!isnan(x[i])) {
			sum += x[i];
			s.n++;
		}
	if (s.n == 0)
		return s;
	s.mean = sum / (double)s.n;
	if (s.n < 2)
		return s;
	for (size_t i = 0; i < n; i++)
		if (!isnan(x[i]))
			ss += (x[i] - s.mean) * (x[i] - s.mean);
	s.sd = sqrt(ss / (double)(s.n - 1));
	{
		double h = bsim_t975(s.n) * s.sd / sqrt((double)s.n);

		s.ci95_low = s.mean - h;
		s.ci95_high = s.mean + h;
	}
	return s;
}
