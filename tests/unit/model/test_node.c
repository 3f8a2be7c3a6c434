/* SPDX-License-Identifier: MIT */
/*
 * Signalling nodes against queueing theory. Poisson arrivals at a node with
 * mu = 1000/s and rho = 0.8 must reproduce the closed forms for the mean
 * time in system: M/M/1 W = 1/(mu - lambda) = 5.0 ms, M/D/1 W = 1/mu +
 * rho/(2 mu (1 - rho)) = 3.0 ms, each inside a 99% batch-means confidence
 * interval; at rho = 1.17 the backlog grows at lambda - mu = 170/s; a full
 * node rejects.
 */
#include "../../../model/node.h"

#include <blocsim/engine.h>
#include <blocsim/error.h>
#include <blocsim/rng.h>

#include <criterion/criterion.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_fit.h>
#include <gsl/gsl_statistics_double.h>

#include <math.h>

#define BATCHES 40

/* Mean time in system, its 99% CI half-width, over n arrivals at lambda. */
static void run_queue(enum bsim__service svc, double lambda, double *mean,
		      double *half)
{
	enum { WARMUP = 20000, PER_BATCH = 50000 };
	struct bsim_rng *rng = bsim_rng_create(20261128);
	struct bsim__node n;
	double batch[BATCHES];
	uint64_t t = 0, dep, src = bsim_entity(BSIM_ENTITY_WORLD, 1);
	bsim_rng_ctr ctr = 0;

	cr_assert_eq(bsim__node_init(&n, bsim_entity(BSIM_ENTITY_NODE, 0),
				     1000.0, svc, 0, 1000000),
		     0);
	for (int b = -1; b < BATCHES; b++) {
		double sum = 0;
		int k = b < 0 ? WARMUP : PER_BATCH;

		for (int i = 0; i < k; i++) {
			t += bsim_rng_exp_ns(rng, src, BSIM_RNG_TEST, &ctr,
					     1.0 / lambda);
			cr_assert(bsim__node_arrive(&n, rng, t, &dep));
			sum += (double)(dep - t) * 1e-9;
		}
		if (b >= 0)
			batch[b] = sum / k;
	}
	*mean = gsl_stats_mean(batch, 1, BATCHES);
	*half = gsl_cdf_tdist_Qinv(0.005, BATCHES - 1) *
		gsl_stats_sd(batch, 1, BATCHES) / sqrt(BATCHES);
	cr_assert_float_eq(n.busy_s / (double)n.served, 1e-3, 2e-5,
			   "mean service time");
	bsim__node_finish(&n);
	bsim_rng_destroy(rng);
}

Test(node, mm1_mean_time_in_system_is_5_ms, .timeout = 60)
{
	double mean, half;

	run_queue(BSIM_SERVICE_EXPONENTIAL, 800.0, &mean, &half);
	cr_log_info("M/M/1 W = %.4f ms +- %.4f (99%%)", mean * 1e3, half * 1e3);
	cr_assert_lt(fabs(mean - 5.0e-3), half,
		     "M/M/1 W = %.4f ms +- %.4f, theory 5.0 ms", mean * 1e3,
		     half * 1e3);
	cr_assert_lt(half, 0.5e-3, "the interval must be informative");
}

Test(node, md1_mean_time_in_system_is_3_ms, .timeout = 60)
{
	double mean, half;

	run_queue(BSIM_SERVICE_DETERMINISTIC, 800.0, &mean, &half);
	cr_log_info("M/D/1 W = %.4f ms +- %.4f (99%%)", mean * 1e3, half * 1e3);
	cr_assert_lt(fabs(mean - 3.0e-3), half,
		     "M/D/1 W = %.4f ms +- %.4f, theory 3.0 ms", mean * 1e3,
		     half * 1e3);
	cr_assert_lt(half, 0.2e-3);
}

Test(node, overload_backlog_grows_at_lambda_minus_mu)
{
	struct bsim_rng *rng = bsim_rng_create(7);
	struct bsim__node n;
	uint64_t t = 0, dep, src = bsim_entity(BSIM_ENTITY_WORLD, 2);
	bsim_rng_ctr ctr = 0;
	double x[4], y[4], c0, c1, cov00, cov01, cov11, sumsq;
	int k = 0;

	cr_assert_eq(bsim__node_init(&n, bsim_entity(BSIM_ENTITY_NODE, 1),
				     1000.0, BSIM_SERVICE_EXPONENTIAL, 0,
				     1000000),
		     0);
	while (k < 4) {
		t += bsim_rng_exp_ns(rng, src, BSIM_RNG_TEST, &ctr, 1 / 1170.0);
		cr_assert(bsim__node_arrive(&n, rng, t, &dep));
		if (t >= (uint64_t)(50 + 50 * k) * BSIM_NS_PER_S) {
			x[k] = (double)t * 1e-9;
			y[k] = bsim__node_in_system(&n, t);
			k++;
		}
	}
	gsl_fit_linear(x, 1, y, 1, 4, &c0, &c1, &cov00, &cov01, &cov11, &sumsq);
	cr_log_info("backlog slope %.1f/s", c1);
	cr_assert_float_eq(c1, 170.0, 170.0 * 0.05,
			   "backlog slope %.1f/s, expected 170/s", c1);
	bsim__node_finish(&n);
	bsim_rng_destroy(rng);
}

Test(node, a_full_node_rejects_and_serves_at_capacity)
{
	struct bsim_rng *rng = bsim_rng_create(9);
	struct bsim__node n;
	uint64_t t = 0, dep, src = bsim_entity(BSIM_ENTITY_WORLD, 3);
	bsim_rng_ctr ctr = 0;

	cr_assert_eq(bsim__node_init(&n, bsim_entity(BSIM_ENTITY_NODE, 2),
				     1000.0, BSIM_SERVICE_EXPONENTIAL, 0, 100),
		     0);
	for (int i = 0; i < 400000; i++) {
		t += bsim_rng_exp_ns(rng, src, BSIM_RNG_TEST, &ctr, 1 / 2000.0);
		bsim__node_arrive(&n, rng, t, &dep);
		cr_assert_leq(bsim__node_in_system(&n, t), 100);
	}
	cr_assert_eq(n.max_in_system, 100);
	cr_assert_eq(n.arrivals, n.served + n.rejected);
	/* Throughput is the service rate: half of 2000/s gets through. */
	cr_assert_float_eq((double)n.served / (double)n.arrivals, 0.5, 0.02);
	cr_assert_gt(bsim__node_wait_quantile(&n, 0.99), 0.05,
		     "a full node's p99 wait is near 100 services");
	bsim__node_finish(&n);
	bsim_rng_destroy(rng);
}

Test(node, the_departure_ring_grows_with_the_backlog_in_fifo_order)
{
	struct bsim_rng *rng = bsim_rng_create(3);
	struct bsim__node n;
	uint64_t dep, last = 0;

	/* Deterministic 1 s services, limit 1000: a burst of 700 at t = 0
	 * grows the ring from 64 past 512; 300 more after 650 s wrap it. */
	cr_assert_eq(bsim__node_init(&n, bsim_entity(BSIM_ENTITY_NODE, 7), 1.0,
				     BSIM_SERVICE_DETERMINISTIC, 0, 1000),
		     0);
	cr_assert_eq(n.cap, 64);
	for (int k = 0; k < 700; k++) {
		cr_assert(bsim__node_arrive(&n, rng, 0, &dep));
		cr_assert_eq(dep, (uint64_t)(k + 1) * 1000000000u);
	}
	cr_assert_eq(n.cap, 1000, "64, 128, 256, 512, then the limit");
	cr_assert_eq(bsim__node_in_system(&n, 650000000000u), 50);
	for (int k = 0; k < 300; k++) {
		cr_assert(bsim__node_arrive(&n, rng, 650000000000u, &dep));
		cr_assert_gt(dep, last);
		last = dep;
	}
	cr_assert_eq(last, 1000000000000u, "FIFO across the wrap");
	cr_assert_eq(bsim__node_in_system(&n, 650000000000u), 350);
	cr_assert_eq(bsim__node_in_system(&n, 999500000000u), 1);
	cr_assert_eq(bsim__node_in_system(&n, 1000000000000u), 0);
	cr_assert_eq(n.max_in_system, 700);
	bsim__node_finish(&n);
	bsim_rng_destroy(rng);
}

Test(node, service_draws_come_from_the_nodes_own_stream)
{
	struct bsim_rng *rng = bsim_rng_create(3);
	struct bsim__node a, b, c;
	uint64_t da, db, dc;
	int same = 0;

	bsim__node_init(&a, bsim_entity(BSIM_ENTITY_NODE, 5), 10.0,
			BSIM_SERVICE_LOGNORMAL, 0.5, 10);
	bsim__node_init(&b, bsim_entity(BSIM_ENTITY_NODE, 5), 10.0,
			BSIM_SERVICE_LOGNORMAL, 0.5, 10);
	bsim__node_init(&c, bsim_entity(BSIM_ENTITY_NODE, 6), 10.0,
			BSIM_SERVICE_LOGNORMAL, 0.5, 10);
	for (int i = 1; i <= 5; i++) {
		uint64_t t = (uint64_t)i * BSIM_NS_PER_S;

		bsim__node_arrive(&a, rng, t, &da);
		bsim__node_arrive(&b, rng, t, &db);
		bsim__node_arrive(&c, rng, t, &dc);
		cr_assert_eq(da, db, "same node, same stream, same draws");
		same += da == dc;
	}
	cr_assert_lt(same, 5, "another node draws other service times");
	bsim__node_finish(&a);
	bsim__node_finish(&b);
	bsim__node_finish(&c);
	cr_assert_eq(
		bsim__node_init(&c, 1, 0.0, BSIM_SERVICE_EXPONENTIAL, 0, 10),
		BSIM_EINVAL);
	bsim_rng_destroy(rng);
}
