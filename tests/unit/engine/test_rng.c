/* SPDX-License-Identifier: MIT */
/*
 * Random streams: a stream depends only on (seed, entity, purpose, index);
 * different keys look independent; GSL's distributions on the view have the
 * right moments. Statistical thresholds are p > 10^-4 on fixed seeds, so the
 * tests are deterministic: they fail only if the streams change or break.
 */
#include <blocsim/rng.h>

#include <criterion/criterion.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include <math.h>
#include <stdlib.h>

#define SEED 20261128u
static const enum bsim_rng_purpose purposes[] = {
	BSIM_RNG_PLACEMENT, BSIM_RNG_ROUTE,	BSIM_RNG_TRAFFIC,
	BSIM_RNG_BACKOFF,   BSIM_RNG_SELECTION, BSIM_RNG_NODE_SERVICE,
	BSIM_RNG_COVERAGE,  BSIM_RNG_FAILURE,	BSIM_RNG_BENCH,
};
#define NPURPOSES (sizeof(purposes) / sizeof(purposes[0]))

/* Entity 7's first 1000 draws of every purpose, with `others` other
 * entities drawing in between in a shuffled order. */
static void draws_of_7(uint64_t others, uint64_t shuffle, uint64_t *out)
{
	struct bsim_rng *rng = bsim_rng_create(SEED);
	bsim_rng_ctr *ctr = calloc((others + 1) * NPURPOSES, sizeof(*ctr));
	uint64_t x = shuffle | 1;
	size_t got[NPURPOSES] = { 0 };
	size_t left = 1000 * NPURPOSES;

	cr_assert(rng && ctr);
	while (left > 0) {
		uint64_t ent, p;

		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		ent = (others && (x & 1)) ? 1 + (x >> 1) % others : 0;
		p = (x >> 32) % NPURPOSES;
		if (ent == 0) {
			if (got[p] == 1000)
				continue;
			out[p * 1000 + got[p]++] = bsim_rng_u64(
				rng, bsim_entity(BSIM_ENTITY_DEVICE, 7),
				purposes[p], &ctr[p]);
			left--;
		} else {
			/* Entity ids 8.. around 7, device and node kinds. */
			uint64_t id = bsim_entity(ent % 2 ? BSIM_ENTITY_DEVICE
							  : BSIM_ENTITY_NODE,
						  7 + ent);
			bsim_rng_u64(rng, id, purposes[p],
				     &ctr[ent * NPURPOSES + p]);
		}
	}
	free(ctr);
	bsim_rng_destroy(rng);
}

Test(rng, entity_stream_ignores_other_entities_and_order)
{
	static uint64_t alone[1000 * NPURPOSES], few[1000 * NPURPOSES],
		many[1000 * NPURPOSES];

	draws_of_7(0, 1, alone);
	draws_of_7(10, 12345, few);
	draws_of_7(100000, 987654321, many);
	for (size_t i = 0; i < 1000 * NPURPOSES; i++) {
		cr_assert_eq(alone[i], few[i], "draw %zu differs with 10", i);
		cr_assert_eq(alone[i], many[i], "draw %zu differs with 1e5", i);
	}
	/* And the purposes are distinct streams. */
	cr_assert_neq(alone[0], alone[1000]);
}

Test(rng, draws_are_a_pure_function_of_the_key)
{
	struct bsim_rng *a = bsim_rng_create(1), *b = bsim_rng_create(2);
	uint64_t dev = bsim_entity(BSIM_ENTITY_DEVICE, 3);
	bsim_rng_ctr ca = 0;

	for (uint64_t i = 0; i < 100; i++)
		cr_assert_eq(bsim_rng_u64(a, dev, BSIM_RNG_TRAFFIC, &ca),
			     bsim_rng_at(a, dev, BSIM_RNG_TRAFFIC, i));
	cr_assert_eq(ca, 100);
	cr_assert_neq(bsim_rng_at(a, dev, BSIM_RNG_TRAFFIC, 0),
		      bsim_rng_at(b, dev, BSIM_RNG_TRAFFIC, 0),
		      "seeds must change streams");
	cr_assert_neq(bsim_rng_at(a, dev, BSIM_RNG_TRAFFIC, 0),
		      bsim_rng_at(a, bsim_entity(BSIM_ENTITY_NODE, 3),
				  BSIM_RNG_TRAFFIC, 0),
		      "device 3 and node 3 must be different entities");
	cr_assert_eq(bsim_rng_seed(a), 1);
	/* Pinned value: changing the scheme must be a deliberate act. */
	cr_assert_eq(bsim_rng_at(a, 0, BSIM_RNG_PLACEMENT, 0),
		     UINT64_C(8775603884103913064));
	bsim_rng_destroy(a);
	bsim_rng_destroy(b);
}

Test(rng, uniform_passes_kolmogorov_smirnov)
{
	enum { N = 100000 };
	struct bsim_rng *rng = bsim_rng_create(SEED);
	double *u = malloc(N * sizeof(*u)), d = 0, p;
	bsim_rng_ctr c = 0;

	for (size_t i = 0; i < N; i++) {
		u[i] = bsim_rng_uniform(rng, 42, BSIM_RNG_SELECTION, &c);
		cr_assert(u[i] >= 0 && u[i] < 1);
	}
	gsl_sort(u, 1, N);
	for (size_t i = 0; i < N; i++) {
		double lo = u[i] - (double)i / N,
		       hi = (double)(i + 1) / N - u[i];

		d = fmax(d, fmax(lo, hi));
	}
	/* Asymptotic KS p-value, first terms of the Kolmogorov series. */
	{
		double lam =
			(sqrt((double)N) + 0.12 + 0.11 / sqrt((double)N)) * d;

		p = 0;
		for (int j = 1; j <= 100; j++)
			p += 2 * (j % 2 ? 1 : -1) * exp(-2 * j * j * lam * lam);
	}
	cr_assert_gt(p, 1e-4, "KS D=%g p=%g", d, p);
	cr_assert_lt(d, 0.01);
	free(u);
	bsim_rng_destroy(rng);
}

Test(rng, neighbouring_keys_are_independent_chi_square)
{
	/* 10x10 contingency table of (entity 7, entity 8) draw pairs and of
	 * (purpose TRAFFIC, purpose BACKOFF) of one entity. */
	enum { N = 200000, B = 10 };
	struct bsim_rng *rng = bsim_rng_create(SEED);
	struct {
		uint64_t e1, e2;
		enum bsim_rng_purpose p1, p2;
	} pairs[] = { { 7, 8, BSIM_RNG_TRAFFIC, BSIM_RNG_TRAFFIC },
		      { 7, 7, BSIM_RNG_TRAFFIC, BSIM_RNG_BACKOFF } };

	for (size_t k = 0; k < 2; k++) {
		double obs[B][B] = { { 0 } }, chi2 = 0, e = (double)N / (B * B),
		       p;
		double *x = malloc(N * sizeof(*x)), *y = malloc(N * sizeof(*y));
		bsim_rng_ctr c1 = 0, c2 = 0;

		for (size_t i = 0; i < N; i++) {
			x[i] = bsim_rng_uniform(rng, pairs[k].e1, pairs[k].p1,
						&c1);
			y[i] = bsim_rng_uniform(rng, pairs[k].e2, pairs[k].p2,
						&c2);
			obs[(int)(x[i] * B)][(int)(y[i] * B)] += 1;
		}
		for (int i = 0; i < B; i++)
			for (int j = 0; j < B; j++)
				chi2 += (obs[i][j] - e) * (obs[i][j] - e) / e;
		p = gsl_cdf_chisq_Q(chi2, B * B - 1);
		cr_assert_gt(p, 1e-4, "pair %zu: chi2=%g p=%g", k, chi2, p);
		cr_assert_lt(fabs(gsl_stats_correlation(x, 1, y, 1, N)), 0.01);
		free(x);
		free(y);
	}
	bsim_rng_destroy(rng);
}

Test(rng, gsl_view_consumes_the_bound_stream)
{
	struct bsim_rng *rng = bsim_rng_create(SEED);
	bsim_rng_ctr c = 0, d = 0;
	gsl_rng *g = bsim_rng_bind(rng, 5, BSIM_RNG_ROUTE, &c);

	for (int i = 0; i < 50; i++)
		cr_assert_eq(gsl_rng_uniform(g),
			     bsim_rng_uniform(rng, 5, BSIM_RNG_ROUTE, &d));
	cr_assert_eq(c, 50);
	cr_assert_eq(gsl_rng_get(g),
		     bsim_rng_at(rng, 5, BSIM_RNG_ROUTE, 50) >> 32);
	cr_assert_eq(c, 51);
	cr_assert_eq(gsl_rng_max(g), 0xffffffffUL);
	/* Re-binding switches streams without touching the old counter. */
	bsim_rng_ctr e = 0;
	g = bsim_rng_bind(rng, 6, BSIM_RNG_ROUTE, &e);
	gsl_rng_uniform(g);
	cr_assert_eq(c, 51);
	cr_assert_eq(e, 1);
	bsim_rng_destroy(rng);
}

/* Sample mean within 5 standard errors of the true mean. */
static void check_mean(const char *what, const double *x, size_t n, double mean,
		       double sd)
{
	double m = gsl_stats_mean(x, 1, n);

	cr_assert_lt(fabs(m - mean), 5 * sd / sqrt((double)n),
		     "%s: mean %g, expected %g", what, m, mean);
}

Test(rng, gsl_distributions_have_their_moments)
{
	enum { N = 100000 };
	struct bsim_rng *rng = bsim_rng_create(SEED);
	double *x = malloc(N * sizeof(*x));
	bsim_rng_ctr c = 0;
	gsl_rng *g = bsim_rng_bind(rng, 11, BSIM_RNG_TEST, &c);
	double w[3] = { 0.2, 0.5, 0.3 };
	gsl_ran_discrete_t *dt = gsl_ran_discrete_preproc(3, w);
	size_t count[3] = { 0 };

	for (size_t i = 0; i < N; i++)
		x[i] = gsl_ran_exponential(g, 2.0);
	check_mean("exponential", x, N, 2.0, 2.0);
	for (size_t i = 0; i < N; i++)
		x[i] = gsl_ran_gaussian(g, 3.0) + 1.0;
	check_mean("normal", x, N, 1.0, 3.0);
	cr_assert_lt(fabs(gsl_stats_sd(x, 1, N) - 3.0), 0.05);
	for (size_t i = 0; i < N; i++)
		x[i] = gsl_ran_lognormal(g, 0.0, 0.5);
	check_mean("lognormal", x, N, exp(0.125),
		   sqrt((exp(0.25) - 1) * exp(0.25)));
	for (size_t i = 0; i < N; i++)
		x[i] = gsl_ran_beta(g, 2.0, 5.0);
	check_mean("beta", x, N, 2.0 / 7, sqrt(10.0 / (49 * 8)));
	for (size_t i = 0; i < N; i++)
		x[i] = gsl_ran_gamma(g, 3.0, 2.0);
	check_mean("gamma", x, N, 6.0, sqrt(12.0));
	for (size_t i = 0; i < N; i++)
		x[i] = gsl_ran_pareto(g, 5.0, 1.0);
	check_mean("pareto", x, N, 1.25, sqrt(5.0 / (16 * 3)));
	for (size_t i = 0; i < N; i++)
		x[i] = gsl_ran_flat(g, -1.0, 3.0);
	check_mean("uniform", x, N, 1.0, 4.0 / sqrt(12.0));
	for (size_t i = 0; i < N; i++)
		count[gsl_ran_discrete(g, dt)]++;
	for (int k = 0; k < 3; k++)
		cr_assert_lt(fabs((double)count[k] / N - w[k]), 0.01);
	cr_assert_gt(c, 6 * N, "draws must come from the bound stream");
	gsl_ran_discrete_free(dt);
	free(x);
	bsim_rng_destroy(rng);
}

Test(rng, exp_ns_has_the_requested_mean)
{
	struct bsim_rng *rng = bsim_rng_create(SEED);
	bsim_rng_ctr c = 0;
	double sum = 0;

	for (int i = 0; i < 100000; i++)
		sum += (double)bsim_rng_exp_ns(rng, 1, BSIM_RNG_BACKOFF, &c,
					       0.01);
	cr_assert_lt(fabs(sum / 100000 - 1e7), 5 * 1e7 / sqrt(100000.0));
	bsim_rng_destroy(rng);
}

Test(rng, entity_kinds_are_disjoint)
{
	cr_assert_neq(bsim_entity(BSIM_ENTITY_DEVICE, 5),
		      bsim_entity(BSIM_ENTITY_NODE, 5));
	cr_assert_eq(bsim_entity(BSIM_ENTITY_DEVICE, 5), 5);
	cr_assert_eq(bsim_entity(BSIM_ENTITY_NODE, 0) >> 56, 1);
	cr_assert_eq(bsim_entity(BSIM_ENTITY_WORLD, 9) >> 56, 3);
}

Test(rng, uniform_at_is_the_indexed_draw_of_the_stream)
{
	struct bsim_rng *rng = bsim_rng_create(99);
	uint64_t e = bsim_entity(BSIM_ENTITY_DEVICE, 12);
	bsim_rng_ctr ctr = 0;

	/* Draw k by index equals the k-th draw of the counted stream. */
	for (uint64_t k = 0; k < 1000; k++) {
		double a = bsim_rng_uniform_at(rng, e, BSIM_RNG_TRAFFIC, k);
		double b = bsim_rng_uniform(rng, e, BSIM_RNG_TRAFFIC, &ctr);

		cr_assert_eq(a, b, "draw %lu", (unsigned long)k);
		cr_assert(a >= 0 && a < 1);
	}
	bsim_rng_destroy(rng);
}
