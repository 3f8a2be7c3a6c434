/* SPDX-License-Identifier: MIT */
/*
 * Signalling nodes against queueing theory. Poisson arrivals at a node with
 * mu = 1000/s and rho = 0.8 must reproduce the closed forms for the mean
 * time in system: M/M/1 W = 1/(mu - lambda) = 5.0 ms, M/D/1 W = 1/mu +
 * rho/(2 mu (1 - rho)) = 3.0 ms, each inside a 99% batch-means confidence
 * interval; at rho = 1.17 the backlog grows at lambda - mu = 170/s; a full
 * node rejects. With c servers: one server is the Lindley recursion on the
 * same draws, two and three servers give hand-computed departures, M/M/4
 * at rho = 0.8 has the Erlang-C mean wait, and the queue limit counts the
 * transactions in the system although they leave out of arrival order.
 * Wait and sojourn quantiles come within 1% of the exact quantile of the
 * same sample and within 2% of the M/M/1 closed form.
 */
#include "../../../model/node.h"

#include <blocsim/engine.h>
#include <blocsim/error.h>
#include <blocsim/rng.h>

#include <criterion/criterion.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_sf_gamma.h>
#include <gsl/gsl_fit.h>
#include <gsl/gsl_statistics_double.h>

#include <math.h>
#include <stdlib.h>

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

	cr_assert_eq(bsim__node_init(&n, bsim_entity(BSIM_ENTITY_NODE, 0), 1,
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

	cr_assert_eq(bsim__node_init(&n, bsim_entity(BSIM_ENTITY_NODE, 1), 1,
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

	cr_assert_eq(bsim__node_init(&n, bsim_entity(BSIM_ENTITY_NODE, 2), 1,
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

Test(node, the_departure_heap_grows_with_the_backlog_in_fifo_order)
{
	struct bsim_rng *rng = bsim_rng_create(3);
	struct bsim__node n;
	uint64_t dep, last = 0;

	/* Deterministic 1 s services, limit 1000: a burst of 700 at t = 0
	 * grows the heap from 64 past 512; 300 more after 650 s. */
	cr_assert_eq(bsim__node_init(&n, bsim_entity(BSIM_ENTITY_NODE, 7), 1,
				     1.0, BSIM_SERVICE_DETERMINISTIC, 0, 1000),
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
	cr_assert_eq(last, 1000000000000u, "FIFO with one server");
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

	bsim__node_init(&a, bsim_entity(BSIM_ENTITY_NODE, 5), 1, 10.0,
			BSIM_SERVICE_LOGNORMAL, 0.5, 10);
	bsim__node_init(&b, bsim_entity(BSIM_ENTITY_NODE, 5), 1, 10.0,
			BSIM_SERVICE_LOGNORMAL, 0.5, 10);
	bsim__node_init(&c, bsim_entity(BSIM_ENTITY_NODE, 6), 1, 10.0,
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
		bsim__node_init(&c, 1, 1, 0.0, BSIM_SERVICE_EXPONENTIAL, 0, 10),
		BSIM_EINVAL);
	cr_assert_eq(
		bsim__node_init(&c, 1, 0, 1.0, BSIM_SERVICE_EXPONENTIAL, 0, 10),
		BSIM_EINVAL, "no servers");
	bsim_rng_destroy(rng);
}

/* Departures of arrivals at t[k] seconds at a node of `c` servers with
 * deterministic services of svc seconds. */
static void deterministic_departures(uint32_t c, double svc, const double *t,
				     int n, uint64_t *dep)
{
	struct bsim_rng *rng = bsim_rng_create(1);
	struct bsim__node x;

	cr_assert_eq(bsim__node_init(&x, bsim_entity(BSIM_ENTITY_NODE, 0), c,
				     1.0 / svc, BSIM_SERVICE_DETERMINISTIC, 0,
				     100),
		     0);
	for (int k = 0; k < n; k++)
		cr_assert(bsim__node_arrive(&x, rng, (uint64_t)(t[k] * 1e9),
					    &dep[k]));
	bsim__node_finish(&x);
	bsim_rng_destroy(rng);
}

Test(node, one_server_is_the_lindley_recursion_by_hand)
{
	/* Services of 2 s; D(k) = max(A(k), D(k - 1)) + 2. */
	static const double a[] = { 0, 1, 5, 6, 6, 20 };
	static const double want[] = { 2, 4, 7, 9, 11, 22 };
	uint64_t dep[6];

	deterministic_departures(1, 2.0, a, 6, dep);
	for (int k = 0; k < 6; k++)
		cr_assert_eq(dep[k], (uint64_t)(want[k] * 1e9), "arrival %d",
			     k);
}

Test(node, one_server_draws_and_departs_as_lindley)
{
	/* Exponential services drawn here from the node's stream as node.c
	 * draws them, then the Lindley recursion: the node must give the
	 * same departures to the nanosecond. */
	struct bsim_rng *rng = bsim_rng_create(11), *mine = bsim_rng_create(11);
	struct bsim__node x;
	uint64_t ent = bsim_entity(BSIM_ENTITY_NODE, 4),
		 src = bsim_entity(BSIM_ENTITY_WORLD, 9);
	uint64_t t = 0, free_at = 0, dep;
	bsim_rng_ctr ctr = 0, svc_ctr = 0;

	cr_assert_eq(bsim__node_init(&x, ent, 1, 800.0,
				     BSIM_SERVICE_EXPONENTIAL, 0, 1000000),
		     0);
	for (int k = 0; k < 100000; k++) {
		double u, svc;
		uint64_t start;

		t += bsim_rng_exp_ns(rng, src, BSIM_RNG_TEST, &ctr, 1 / 700.0);
		cr_assert(bsim__node_arrive(&x, rng, t, &dep));
		u = bsim_rng_uniform(mine, ent, BSIM_RNG_NODE_SERVICE,
				     &svc_ctr);
		svc = -(1.0 / 800.0) * log1p(-u);
		start = t > free_at ? t : free_at;
		free_at = start + (uint64_t)llround(svc * 1e9);
		cr_assert_eq(dep, free_at, "arrival %d", k);
	}
	bsim__node_finish(&x);
	bsim_rng_destroy(rng);
	bsim_rng_destroy(mine);
}

Test(node, two_servers_by_hand)
{
	/* Services of 3 s. Servers free at (0, 0): 0 -> 3, 0 -> 3; 1 and 2
	 * wait for 3 -> 6, 6; at 7 both are free again: 7 -> 10, 7 -> 10;
	 * 7 and 8 wait for 10 -> 13. */
	static const double a[] = { 0, 0, 1, 2, 7, 7, 7, 8 };
	static const double want[] = { 3, 3, 6, 6, 10, 10, 13, 13 };
	uint64_t dep[8];

	deterministic_departures(2, 3.0, a, 8, dep);
	for (int k = 0; k < 8; k++)
		cr_assert_eq(dep[k], (uint64_t)(want[k] * 1e9), "arrival %d",
			     k);
}

Test(node, three_servers_by_hand)
{
	/* Services of 3 s. Three start at 0 (-> 3); the fourth and the two
	 * at 1 take the servers as they free at 3 (-> 6); 4 and 5 wait for
	 * 6 (-> 9); 10 finds all free. Waits: 0 0 0 3 2 2 2 1 0. */
	static const double a[] = { 0, 0, 0, 0, 1, 1, 4, 5, 10 };
	static const double want[] = { 3, 3, 3, 6, 6, 6, 9, 9, 13 };
	struct bsim_rng *rng = bsim_rng_create(1);
	struct bsim__node x;
	uint64_t dep[9];

	deterministic_departures(3, 3.0, a, 9, dep);
	for (int k = 0; k < 9; k++)
		cr_assert_eq(dep[k], (uint64_t)(want[k] * 1e9), "arrival %d",
			     k);
	/* The same first eight, then who is in the system. */
	cr_assert_eq(bsim__node_init(&x, 1, 3, 1 / 3.0,
				     BSIM_SERVICE_DETERMINISTIC, 0, 100),
		     0);
	for (int k = 0; k < 8; k++)
		bsim__node_arrive(&x, rng, (uint64_t)(a[k] * 1e9), &dep[k]);
	cr_assert_float_eq(x.sum_wait_s, 10.0, 1e-9, "3 + 2 + 2 + 2 + 1");
	cr_assert_eq(x.max_in_system, 6, "at 1 s; the first three left at 3");
	cr_assert_eq(bsim__node_in_system(&x, 5000000000u), 5);
	cr_assert_eq(bsim__node_in_system(&x, 6000000000u), 2);
	cr_assert_eq(bsim__node_in_system(&x, 9000000000u), 0);
	bsim__node_finish(&x);
	bsim_rng_destroy(rng);
}

/* Erlang's C formula: the probability that an arrival at an M/M/c queue
 * with offered load a = lambda / mu waits. */
static double erlang_c(unsigned c, double a)
{
	double sum = 0, top;

	for (unsigned k = 0; k < c; k++)
		sum += pow(a, k) / gsl_sf_fact(k);
	top = pow(a, c) / gsl_sf_fact(c) * c / (c - a);
	return top / (sum + top);
}

Test(node, mm4_mean_wait_is_erlang_c, .timeout = 60)
{
	enum { C = 4, WARMUP = 20000, PER_BATCH = 25000 };
	const double mu = 1000.0, lambda = 0.8 * C * mu;
	const double wq = erlang_c(C, lambda / mu) / (C * mu - lambda);
	struct bsim_rng *rng = bsim_rng_create(20261129);
	struct bsim__node n;
	uint64_t t = 0, dep, src = bsim_entity(BSIM_ENTITY_WORLD, 4);
	bsim_rng_ctr ctr = 0;
	double batch[BATCHES], mean, half;

	cr_assert_eq(bsim__node_init(&n, bsim_entity(BSIM_ENTITY_NODE, 3), C,
				     mu, BSIM_SERVICE_EXPONENTIAL, 0, 1000000),
		     0);
	cr_assert_float_eq(n.rate_per_s, C * mu, 1e-9);
	for (int b = -1; b < BATCHES; b++) {
		int k = b < 0 ? WARMUP : PER_BATCH;
		double before = n.sum_wait_s;

		for (int i = 0; i < k; i++) {
			t += bsim_rng_exp_ns(rng, src, BSIM_RNG_TEST, &ctr,
					     1.0 / lambda);
			cr_assert(bsim__node_arrive(&n, rng, t, &dep));
		}
		if (b >= 0)
			batch[b] = (n.sum_wait_s - before) / k;
	}
	mean = gsl_stats_mean(batch, 1, BATCHES);
	half = gsl_cdf_tdist_Qinv(0.005, BATCHES - 1) *
	       gsl_stats_sd(batch, 1, BATCHES) / sqrt(BATCHES);
	cr_log_info("M/M/4 Wq = %.4f ms +- %.4f (99%%), Erlang C %.4f ms",
		    mean * 1e3, half * 1e3, wq * 1e3);
	/* By hand: sum_{k<4} 3.2^k/k! = 14.7813, 3.2^4/4! 4/0.8 = 21.8453. */
	cr_assert_float_eq(erlang_c(C, 3.2), 21.8453 / 36.6267, 1e-4,
			   "C(4, 3.2) = 0.5964");
	cr_assert_lt(fabs(mean - wq), half,
		     "M/M/4 Wq = %.4f ms +- %.4f, "
		     "Erlang C %.4f ms",
		     mean * 1e3, half * 1e3, wq * 1e3);
	cr_assert_lt(half, 0.1 * wq, "the interval must be informative");
	/* Utilisation is the busy time over c servers. */
	cr_assert_float_eq(n.busy_s / (C * (double)t * 1e-9), 0.8, 0.01);
	bsim__node_finish(&n);
	bsim_rng_destroy(rng);
}

Test(node, the_limit_counts_transactions_in_the_system_with_c_servers)
{
	/* Three servers with very variable services (lognormal, cv 2) and a
	 * limit of 6 at twice the capacity: short services overtake long
	 * ones. Every arrival's admission must follow the count of earlier
	 * admitted transactions still there (departure after it). */
	enum { N = 6000, LIMIT = 6 };
	static uint64_t arr[N], dep[N];
	struct bsim_rng *rng = bsim_rng_create(5);
	struct bsim__node n;
	uint64_t t = 0, d, src = bsim_entity(BSIM_ENTITY_WORLD, 5);
	bsim_rng_ctr ctr = 0;
	int m = 0, overtaken = 0, full = 0;

	cr_assert_eq(bsim__node_init(&n, bsim_entity(BSIM_ENTITY_NODE, 8), 3,
				     100.0, BSIM_SERVICE_LOGNORMAL, 2.0, LIMIT),
		     0);
	for (int k = 0; k < N; k++) {
		uint32_t there = 0;
		bool ok;

		t += bsim_rng_exp_ns(rng, src, BSIM_RNG_TEST, &ctr, 1 / 600.0);
		for (int j = 0; j < m; j++)
			there += dep[j] > t;
		cr_assert_eq(bsim__node_in_system(&n, t), there, "arrival %d",
			     k);
		ok = bsim__node_arrive(&n, rng, t, &d);
		cr_assert_eq(ok, there < LIMIT, "arrival %d with %u there", k,
			     there);
		full += !ok;
		if (ok) {
			overtaken += m > 0 && d < dep[m - 1];
			arr[m] = t;
			dep[m++] = d;
			cr_assert_eq(n.count, there + 1);
		}
	}
	cr_log_info("%d admitted, %d overtook, %d refused", m, overtaken, full);
	cr_assert_gt(overtaken, 100, "departures out of arrival order");
	cr_assert_gt(full, 100, "the limit was reached");
	cr_assert_eq(n.max_in_system, LIMIT);
	(void)arr;
	bsim__node_finish(&n);
	bsim_rng_destroy(rng);
}

Test(node, many_servers_start_a_burst_at_once)
{
	/* 100,000 servers: a burst of 50,000 waits for none of them, and
	 * the busy-server heap never passes the queue limit's size. */
	struct bsim_rng *rng = bsim_rng_create(2);
	struct bsim__node n;
	uint64_t dep;

	cr_assert_eq(bsim__node_init(&n, bsim_entity(BSIM_ENTITY_NODE, 9),
				     100000, 10.0, BSIM_SERVICE_EXPONENTIAL, 0,
				     60000),
		     0);
	for (int k = 0; k < 50000; k++)
		cr_assert(bsim__node_arrive(&n, rng, 1000, &dep));
	cr_assert_eq(n.sum_wait_s, 0.0);
	cr_assert_eq(n.nbusy, 50000);
	cr_assert_float_eq(n.rate_per_s, 1e6, 1e-6);
	bsim__node_finish(&n);
	bsim_rng_destroy(rng);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The ceil(p n)-th smallest of a[0..n), sorting a. */
static double exact_quantile(double *a, size_t n, double p)
{
	size_t k = (size_t)ceil(p * (double)n);

	qsort(a, n, sizeof(*a), cmp_double);
	return a[k ? k - 1 : 0];
}

Test(node, mm1_wait_and_sojourn_quantiles_within_2_percent, .timeout = 60)
{
	/* M/M/1, mu = 1000/s, rho = 0.8: the wait is 0 with probability
	 * 1 - rho, else Exp(mu - lambda): P(W > w) = rho e^{-(mu - lambda) w},
	 * p99 = ln(rho / 0.01) / 200 = 21.91 ms; the sojourn is
	 * Exp(mu - lambda), p99 = ln(100) / 200 = 23.03 ms. */
	enum { N = 4000000 };
	const double mu = 1000, lambda = 800;
	const double w99 = log(0.8 / 0.01) / (mu - lambda);
	const double s99 = log(100.0) / (mu - lambda);
	double *wait = malloc(N * sizeof(double));
	double *soj = malloc(N * sizeof(double));
	struct bsim_rng *rng = bsim_rng_create(20261130);
	struct bsim__node n;
	uint64_t t = 0, dep, prev = 0, src = bsim_entity(BSIM_ENTITY_WORLD, 6);
	bsim_rng_ctr ctr = 0;
	double qw, qs, ew, es;

	cr_assert(wait && soj);
	cr_assert_eq(bsim__node_init(&n, bsim_entity(BSIM_ENTITY_NODE, 10), 1,
				     mu, BSIM_SERVICE_EXPONENTIAL, 0, 1000000),
		     0);
	for (int k = 0; k < N; k++) {
		t += bsim_rng_exp_ns(rng, src, BSIM_RNG_TEST, &ctr,
				     1.0 / lambda);
		cr_assert(bsim__node_arrive(&n, rng, t, &dep));
		/* One server: it starts when the previous one left. */
		wait[k] = prev > t ? (double)(prev - t) * 1e-9 : 0;
		soj[k] = (double)(dep - t) * 1e-9;
		prev = dep;
	}
	qw = bsim__node_wait_quantile(&n, 0.99);
	qs = bsim__node_sojourn_quantile(&n, 0.99);
	ew = exact_quantile(wait, N, 0.99);
	es = exact_quantile(soj, N, 0.99);
	cr_log_info("p99 wait %.4f ms (sample %.4f, theory %.4f), sojourn "
		    "%.4f ms (sample %.4f, theory %.4f), P(W = 0) %.4f",
		    qw * 1e3, ew * 1e3, w99 * 1e3, qs * 1e3, es * 1e3,
		    s99 * 1e3, (double)n.wait_hist[0] / (double)n.served);
	cr_assert_lt(fabs(qw / ew - 1), 0.01, "wait: histogram vs sample");
	cr_assert_lt(fabs(qs / es - 1), 0.01, "sojourn: histogram vs sample");
	cr_assert_lt(fabs(qw / w99 - 1), 0.02, "wait p99 vs theory");
	cr_assert_lt(fabs(qs / s99 - 1), 0.02, "sojourn p99 vs theory");
	cr_assert_float_eq((double)n.wait_hist[0] / (double)n.served, 0.2,
			   0.005, "P(W = 0) = 1 - rho");
	cr_assert_eq(bsim__node_wait_quantile(&n, 0.15), 0.0,
		     "below 1 - rho the wait is exactly 0");
	free(wait);
	free(soj);
	bsim__node_finish(&n);
	bsim_rng_destroy(rng);
}

Test(node, background_load_queues_with_the_simulated_arrivals, .timeout = 60)
{
	/* An M/M/4 node at 1000/s per server with a background stream of
	 * 2400/s all day and simulated arrivals at 800/s: by PASTA the
	 * simulated transactions see the M/M/4 queue of the total 3200/s
	 * (rho = 0.8), so their mean wait is Erlang C's. */
	enum { C = 4, WARMUP = 5000, PER_BATCH = 10000 };
	const double mu = 1000.0, lb = 2400.0, lm = 800.0;
	const double wq = erlang_c(C, (lb + lm) / mu) / (C * mu - lb - lm);
	double rate[24], batch[BATCHES], mean, half;
	struct bsim_rng *rng = bsim_rng_create(20261203);
	struct bsim__node n;
	uint64_t t = 0, dep, src = bsim_entity(BSIM_ENTITY_WORLD, 5);
	bsim_rng_ctr ctr = 0;

	for (int h = 0; h < 24; h++)
		rate[h] = lb;
	cr_assert_eq(bsim__node_init(&n, bsim_entity(BSIM_ENTITY_NODE, 7), C,
				     mu, BSIM_SERVICE_EXPONENTIAL, 0, 1000000),
		     0);
	bsim__node_background(&n, rng, rate, 0, 0);
	for (int b = -1; b < BATCHES; b++) {
		int k = b < 0 ? WARMUP : PER_BATCH;
		double before = n.sum_wait_s;

		for (int i = 0; i < k; i++) {
			t += bsim_rng_exp_ns(rng, src, BSIM_RNG_TEST, &ctr,
					     1.0 / lm);
			cr_assert(bsim__node_arrive(&n, rng, t, &dep));
		}
		if (b >= 0)
			batch[b] = (n.sum_wait_s - before) / k;
	}
	mean = gsl_stats_mean(batch, 1, BATCHES);
	half = gsl_cdf_tdist_Qinv(0.005, BATCHES - 1) *
	       gsl_stats_sd(batch, 1, BATCHES) / sqrt(BATCHES);
	cr_assert_lt(fabs(mean - wq), half, "Wq %.4f ms +- %.4f, Erlang C %.4f",
		     mean * 1e3, half * 1e3, wq * 1e3);
	/* The background arrived at its rate and used its share. */
	cr_assert_float_eq((double)n.bg_arrivals / ((double)t * 1e-9), lb,
			   0.02 * lb);
	cr_assert_float_eq((n.busy_s + n.bg_busy_s) / (C * (double)t * 1e-9),
			   0.8, 0.02);
	cr_assert_eq(n.bg_rejected, 0);
	bsim__node_finish(&n);
	bsim_rng_destroy(rng);
}

Test(node, background_follows_the_local_hour)
{
	/* 1000/s in local hour 3 only, the node's local time one hour east
	 * of UTC and the run starting at 00:00 UTC: the background arrives
	 * between 02:00 and 03:00 UTC, 3.6 million of them, none else. */
	double rate[24] = { 0 };
	struct bsim_rng *rng = bsim_rng_create(7);
	struct bsim__node n;
	uint64_t dep, before, hour = UINT64_C(3600000000000);

	rate[3] = 1000.0;
	cr_assert_eq(bsim__node_init(&n, bsim_entity(BSIM_ENTITY_NODE, 1), 10,
				     1e6, BSIM_SERVICE_EXPONENTIAL, 0, 1000000),
		     0);
	bsim__node_background(&n, rng, rate, 1767225600, 3600);
	cr_assert_geq(n.bg_next_ns, 2 * hour);
	cr_assert_lt(n.bg_next_ns, 2 * hour + 10000000);
	cr_assert(bsim__node_arrive(&n, rng, 2 * hour, &dep));
	cr_assert_eq(n.bg_arrivals, 0);
	cr_assert(bsim__node_arrive(&n, rng, 3 * hour, &dep));
	before = n.bg_arrivals;
	cr_assert_float_eq((double)before, 3.6e6, 6 * sqrt(3.6e6));
	cr_assert(bsim__node_arrive(&n, rng, 26 * hour, &dep));
	cr_assert_eq(n.bg_arrivals, before, "nothing outside hour 3");
	cr_assert_geq(n.bg_next_ns, 26 * hour);
	bsim__node_finish(&n);
	bsim_rng_destroy(rng);
}
