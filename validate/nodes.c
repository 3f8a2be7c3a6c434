/* SPDX-License-Identifier: MIT */
/*
 * The node-level half of the validation report (docs/validation.md): drives
 * a signalling node (model/node.h) directly with Poisson arrivals and
 * prints, one JSON object a line, what validate.py needs to judge each
 * check against queueing theory. A statistical check prints, per batch,
 * the measured value, the closed form evaluated at that batch's measured
 * load (lambda-hat, mu-hat, rho-hat) and rho-hat; validate.py forms the
 * batch-means interval of measured minus theory. An exact check prints
 * both numbers and its verdict.
 *
 * Each check is one row of the CHECKS table below, with its own seed: add
 * a queue by adding a row. The batches hold B / (1 - rho)^2 arrivals (the
 * relaxation time of a queue grows as (1 - rho)^-2), B set by --scale; one
 * batch's worth is discarded first as warm-up, from an empty node. Quantiles
 * are exact order statistics of a batch's sojourns (the ceil(p n)-th
 * smallest), not the node's histogram, which an exact check compares with
 * them separately.
 *
 * Not here: the model-level checks, the intervals and the report
 * (validate.py).
 */
#include "../model/node.h"

#include <blocsim/engine.h>
#include <blocsim/rng.h>

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum kind {
	MEAN,	  /* Mean sojourn W. */
	QUANTILE, /* p-quantile of the sojourn. */
	SLOPE,	  /* Backlog growth, transactions per second. */
	HIST,	  /* The node's histogram quantile against the exact one. */
};

struct check {
	const char *id;
	enum kind kind;
	enum bsim__service service;
	uint32_t servers;
	double rho; /* Offered load lambda / (c mu). */
	double p;   /* Quantile level (QUANTILE, HIST). */
	uint64_t seed;
};

/* One server serves at MU per second in every check. */
#define MU 1000.0
#define BATCHES_MAX 1000

/* The checks, in report order. Seeds are fixed here, never drawn. */
static const struct check CHECKS[] = {
	{ "mm1-0.5-mean", MEAN, BSIM_SERVICE_EXPONENTIAL, 1, 0.5, 0, 1001 },
	{ "mm1-0.8-mean", MEAN, BSIM_SERVICE_EXPONENTIAL, 1, 0.8, 0, 1002 },
	{ "mm1-0.9-mean", MEAN, BSIM_SERVICE_EXPONENTIAL, 1, 0.9, 0, 1003 },
	{ "mm1-0.5-p99", QUANTILE, BSIM_SERVICE_EXPONENTIAL, 1, 0.5, 0.99,
	  1004 },
	{ "mm1-0.8-p99", QUANTILE, BSIM_SERVICE_EXPONENTIAL, 1, 0.8, 0.99,
	  1005 },
	{ "mm1-0.9-p99", QUANTILE, BSIM_SERVICE_EXPONENTIAL, 1, 0.9, 0.99,
	  1006 },
	{ "md1-0.5-mean", MEAN, BSIM_SERVICE_DETERMINISTIC, 1, 0.5, 0, 1007 },
	{ "md1-0.8-mean", MEAN, BSIM_SERVICE_DETERMINISTIC, 1, 0.8, 0, 1008 },
	{ "md1-0.9-mean", MEAN, BSIM_SERVICE_DETERMINISTIC, 1, 0.9, 0, 1009 },
	{ "mm10-0.5-mean", MEAN, BSIM_SERVICE_EXPONENTIAL, 10, 0.5, 0, 1010 },
	{ "mm10-0.8-mean", MEAN, BSIM_SERVICE_EXPONENTIAL, 10, 0.8, 0, 1011 },
	{ "mm10-0.9-mean", MEAN, BSIM_SERVICE_EXPONENTIAL, 10, 0.9, 0, 1012 },
	{ "mm10-0.5-p99", QUANTILE, BSIM_SERVICE_EXPONENTIAL, 10, 0.5, 0.99,
	  1013 },
	{ "mm10-0.8-p99", QUANTILE, BSIM_SERVICE_EXPONENTIAL, 10, 0.8, 0.99,
	  1014 },
	{ "mm10-0.9-p99", QUANTILE, BSIM_SERVICE_EXPONENTIAL, 10, 0.9, 0.99,
	  1015 },
	{ "overload-1.17-slope", SLOPE, BSIM_SERVICE_EXPONENTIAL, 1, 1.17, 0,
	  1016 },
	{ "hist-p99", HIST, BSIM_SERVICE_EXPONENTIAL, 1, 0.9, 0.99, 1017 },
};
#define NCHECKS (sizeof(CHECKS) / sizeof(CHECKS[0]))

/* Erlang's C formula, the probability that an arrival at an M/M/c queue
 * with offered load a = lambda / mu (< c) waits, through the stable Erlang
 * B recursion B(k) = a B(k-1) / (k + a B(k-1)). */
static double erlang_c(uint32_t c, double a)
{
	double b = 1;

	for (uint32_t k = 1; k <= c; k++)
		b = a * b / (k + a * b);
	return c * b / (c - a * (1 - b));
}

/* P(T > t) for the sojourn T of M/M/c: with probability 1 - C no wait,
 * else an exponential wait of rate theta = c mu - lambda; plus an
 * exponential service of rate mu, independent of the wait under FIFO. The
 * convolution gives C (theta e^{-mu t} - mu e^{-theta t}) / (theta - mu)
 * for the waiting part; with c = 1 the whole is e^{-(mu - lambda) t}. */
static double mmc_sojourn_tail(uint32_t c, double lambda, double mu, double t)
{
	double C = erlang_c(c, lambda / mu), theta = c * mu - lambda;
	double waited;

	if (fabs(theta - mu) < 1e-9 * mu)
		waited = (1 + mu * t) * exp(-mu * t);
	else
		waited = (theta * exp(-mu * t) - mu * exp(-theta * t)) /
			 (theta - mu);
	return (1 - C) * exp(-mu * t) + C * waited;
}

/* The p-quantile of that sojourn, by bisection (the tail decreases). */
static double mmc_sojourn_quantile(uint32_t c, double lambda, double mu,
				   double p)
{
	double lo = 0, hi = 1 / mu;

	while (mmc_sojourn_tail(c, lambda, mu, hi) > 1 - p)
		hi *= 2;
	for (int i = 0; i < 200; i++) {
		double mid = (lo + hi) / 2;

		if (mmc_sojourn_tail(c, lambda, mu, mid) > 1 - p)
			lo = mid;
		else
			hi = mid;
	}
	return (lo + hi) / 2;
}

/* The closed form of check x at arrival rate lambda and server rate mu. */
static double theory(const struct check *x, double lambda, double mu)
{
	double rho = lambda / (x->servers * mu);

	switch (x->kind) {
	case MEAN:
		if (x->service == BSIM_SERVICE_DETERMINISTIC)
			/* Pollaczek-Khinchine with zero service variance. */
			return 1 / mu + rho / (2 * mu * (1 - rho));
		return erlang_c(x->servers, lambda / mu) /
			       (x->servers * mu - lambda) +
		       1 / mu;
	case QUANTILE:
	case HIST:
		return mmc_sojourn_quantile(x->servers, lambda, mu, x->p);
	case SLOPE:
		return lambda - x->servers * mu;
	}
	return NAN;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The ceil(p n)-th smallest of a[0..n-1] (n >= 1), the definition node.h
 * uses; sorts a. */
static double quantile(double *a, size_t n, double p)
{
	size_t r = (size_t)ceil(p * (double)n);

	qsort(a, n, sizeof(*a), cmp_double);
	return a[r > 0 ? r - 1 : 0];
}

/* A node fed by Poisson arrivals at rate lambda from its own stream. */
struct feed {
	struct bsim_rng *rng;
	struct bsim__node node;
	uint64_t src, t;
	bsim_rng_ctr ctr;
	double lambda;
};

static int feed_init(struct feed *f, const struct check *x, uint32_t limit)
{
	memset(f, 0, sizeof(*f));
	f->rng = bsim_rng_create(x->seed);
	f->src = bsim_entity(BSIM_ENTITY_WORLD, 1);
	f->lambda = x->rho * x->servers * MU;
	if (!f->rng ||
	    bsim__node_init(&f->node, bsim_entity(BSIM_ENTITY_NODE, 0),
			    x->servers, MU, x->service, 0, limit))
		return -1;
	return 0;
}

static void feed_finish(struct feed *f)
{
	bsim__node_finish(&f->node);
	bsim_rng_destroy(f->rng);
}

/* Next arrival; returns its sojourn in seconds (never refused: the
 * limits here are above any backlog the runs reach). */
static double feed_next(struct feed *f)
{
	uint64_t dep;

	f->t += bsim_rng_exp_ns(f->rng, f->src, BSIM_RNG_TEST, &f->ctr,
				1.0 / f->lambda);
	if (!bsim__node_arrive(&f->node, f->rng, f->t, &dep)) {
		fprintf(stderr, "validate_nodes: arrival refused\n");
		exit(1);
	}
	return (double)(dep - f->t) * 1e-9;
}

static void print_head(const struct check *x, int batches, long per_batch)
{
	printf("{\"id\": \"node.%s\", \"kind\": \"%s\", \"servers\": %u, "
	       "\"mu\": %.17g, \"rho\": %.17g, \"p\": %.17g, \"seed\": %llu, "
	       "\"batches\": %d, \"per_batch\": %ld, \"theory_nominal\": "
	       "%.17g",
	       x->id,
	       x->kind == MEAN	  ? "mean"
	       : x->kind == SLOPE ? "slope"
	       : x->kind == HIST  ? "hist"
				  : "quantile",
	       x->servers, MU, x->rho, x->p, (unsigned long long)x->seed,
	       batches, per_batch, theory(x, x->rho * x->servers * MU, MU));
}

static void print_array(const char *name, const double *a, int n)
{
	printf(", \"%s\": [", name);
	for (int i = 0; i < n; i++)
		printf("%s%.17g", i ? ", " : "", a[i]);
	printf("]");
}

/* A stable queue: per batch its mean or quantile and the theory at the
 * batch's lambda-hat and mu-hat. */
static int run_stable(const struct check *x, int batches, double scale)
{
	long per = (long)ceil(scale / ((1 - x->rho) * (1 - x->rho)));
	double *soj = malloc((size_t)per * sizeof(*soj));
	double meas[BATCHES_MAX], th[BATCHES_MAX], rho[BATCHES_MAX];
	struct feed f;

	if (!soj || feed_init(&f, x, UINT32_MAX)) {
		free(soj);
		return -1;
	}
	for (long i = 0; i < per; i++)
		feed_next(&f);
	for (int b = 0; b < batches; b++) {
		uint64_t t0 = f.t, served0 = f.node.served;
		double busy0 = f.node.busy_s, sum = 0, lambda, mu;

		for (long i = 0; i < per; i++)
			sum += soj[i] = feed_next(&f);
		lambda = (double)per / ((double)(f.t - t0) * 1e-9);
		mu = (double)(f.node.served - served0) /
		     (f.node.busy_s - busy0);
		rho[b] = lambda / (x->servers * mu);
		th[b] = theory(x, lambda, mu);
		meas[b] = x->kind == MEAN ? sum / (double)per
					  : quantile(soj, (size_t)per, x->p);
	}
	print_head(x, batches, per);
	print_array("measured", meas, batches);
	print_array("theory", th, batches);
	print_array("rho_hat", rho, batches);
	printf("}\n");
	feed_finish(&f);
	free(soj);
	return 0;
}

/* An overloaded queue with no limit: per batch of `span` seconds the
 * least-squares slope of the number in system on time, sampled after the
 * first arrival past each of 100 equally spaced times, against
 * lambda-hat (the batch's arrivals over its length) minus the capacity. */
static int run_slope(const struct check *x, int batches, double scale)
{
	enum { SAMPLES = 100 };
	const double span = 10 * scale / 1000, warm = 10;
	double meas[BATCHES_MAX], th[BATCHES_MAX], rho[BATCHES_MAX];
	struct feed f;
	uint64_t arrivals0;

	if (feed_init(&f, x, UINT32_MAX))
		return -1;
	while ((double)f.t * 1e-9 < warm)
		feed_next(&f);
	for (int b = 0; b < batches; b++) {
		double t0 = warm + b * span, sx = 0, sy = 0, sxx = 0, sxy = 0;
		double lambda;

		arrivals0 = f.node.arrivals;
		for (int k = 1; k <= SAMPLES; k++) {
			double ts = t0 + span * k / SAMPLES, tx, y;

			while ((double)f.t * 1e-9 < ts)
				feed_next(&f);
			tx = (double)f.t * 1e-9;
			y = bsim__node_in_system(&f.node, f.t);
			sx += tx;
			sy += y;
			sxx += tx * tx;
			sxy += tx * y;
		}
		meas[b] = (SAMPLES * sxy - sx * sy) / (SAMPLES * sxx - sx * sx);
		lambda = (double)(f.node.arrivals - arrivals0) / span;
		th[b] = theory(x, lambda, MU);
		rho[b] = lambda / (x->servers * MU);
	}
	print_head(x, batches, (long)(span * f.lambda));
	print_array("measured", meas, batches);
	print_array("theory", th, batches);
	print_array("rho_hat", rho, batches);
	printf("}\n");
	feed_finish(&f);
	return 0;
}

/* The node's own p-quantile (a 1/120-decade histogram, node.h: within 1%
 * of the exact value) against the exact order statistic of the same
 * sojourns, over n arrivals from an empty node. */
static int run_hist(const struct check *x, double scale)
{
	size_t n = (size_t)ceil(scale * 100);
	double *soj = malloc(n * sizeof(*soj)), exact, node, rel;
	struct feed f;

	if (!soj || feed_init(&f, x, UINT32_MAX)) {
		free(soj);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		soj[i] = feed_next(&f);
	exact = quantile(soj, n, x->p);
	node = bsim__node_sojourn_quantile(&f.node, x->p);
	rel = fabs(node / exact - 1);
	print_head(x, 0, (long)n);
	printf(", \"measured\": %.17g, \"exact\": %.17g, \"rel_error\": %.17g, "
	       "\"tolerance\": 0.01, \"pass\": %s}\n",
	       node, exact, rel, rel <= 0.01 ? "true" : "false");
	feed_finish(&f);
	free(soj);
	return 0;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: validate_nodes [--scale B] [--batches N] "
		"[--only PREFIX]\n"
		"  B: arrivals per batch x (1 - rho)^2 (default 10000)\n"
		"  N: batches after the warm-up batch (default 30)\n");
}

int main(int argc, char **argv)
{
	double scale = 10000;
	int batches = 30;
	const char *only = NULL;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--scale") && i + 1 < argc)
			scale = atof(argv[++i]);
		else if (!strcmp(argv[i], "--batches") && i + 1 < argc)
			batches = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--only") && i + 1 < argc)
			only = argv[++i];
		else {
			usage();
			return 2;
		}
	}
	if (!(scale >= 10) || batches < 2 || batches > BATCHES_MAX) {
		usage();
		return 2;
	}
	for (size_t k = 0; k < NCHECKS; k++) {
		const struct check *x = &CHECKS[k];
		int rc;

		if (only && strncmp(only, x->id, strlen(only)))
			continue;
		rc = x->kind == SLOPE  ? run_slope(x, batches, scale)
		     : x->kind == HIST ? run_hist(x, scale)
				       : run_stable(x, batches, scale);
		if (rc) {
			fprintf(stderr, "validate_nodes: out of memory\n");
			return 1;
		}
		fflush(stdout);
	}
	return 0;
}
