/* SPDX-License-Identifier: MIT */
/*
 * Signalling nodes as Lindley-recursion FIFO servers (see node.h). Per
 * arrival: drop departures that are past, compare the count with the limit,
 * draw a service time from the node's own stream, and update free_at. The
 * departure ring holds at most queue_limit times and grows with the
 * backlog; it is the only memory per node beyond counters.
 */
#include "node.h"

#include <blocsim/error.h>

#include <gsl/gsl_randist.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Waits below 1 us go to bin 0; bins are 1/8 decade wide up to 10^4 s. */
#define WAIT_MIN_S 1e-6
#define BINS_PER_DECADE 8
/* First ring capacity. */
#define RING_MIN 64u

int bsim__node_init(struct bsim__node *n, uint64_t entity, double rate_per_s,
		    enum bsim__service service, double cv, uint32_t queue_limit)
{
	memset(n, 0, sizeof(*n));
	if (!(rate_per_s > 0) || queue_limit == 0 || !(cv >= 0))
		return BSIM_EINVAL;
	/* The ring grows with the backlog, up to the limit: a ring of the
	 * full limit would make every page of it resident as its head goes
	 * round, whatever the backlog. */
	n->cap = queue_limit < RING_MIN ? queue_limit : RING_MIN;
	n->dep = malloc(n->cap * sizeof(*n->dep));
	if (!n->dep)
		return BSIM_ENOMEM;
	n->entity = entity;
	n->rate_per_s = rate_per_s;
	n->service = service;
	n->cv = cv;
	n->queue_limit = queue_limit;
	return 0;
}

/* Double the ring (at most to the queue limit), oldest entry first. */
static void ring_grow(struct bsim__node *n)
{
	uint32_t cap =
		n->cap > n->queue_limit / 2 ? n->queue_limit : 2 * n->cap;
	uint64_t *a = malloc((size_t)cap * sizeof(*a));

	if (!a)
		bsim_fatal(BSIM_LOC, "out of memory for a node's queue of %u",
			   cap);
	for (uint32_t k = 0; k < n->count; k++)
		a[k] = n->dep[(n->head + k) % n->cap];
	free(n->dep);
	n->dep = a;
	n->head = 0;
	n->cap = cap;
}

void bsim__node_finish(struct bsim__node *n)
{
	if (!n)
		return;
	free(n->dep);
	memset(n, 0, sizeof(*n));
}

uint32_t bsim__node_in_system(struct bsim__node *n, uint64_t t_ns)
{
	while (n->count > 0 && n->dep[n->head] <= t_ns) {
		n->head = n->head + 1 == n->cap ? 0 : n->head + 1;
		n->count--;
	}
	return n->count;
}

static double service_s(struct bsim__node *n, struct bsim_rng *rng)
{
	double mean = 1.0 / n->rate_per_s;
	gsl_rng *g;

	switch (n->service) {
	case BSIM_SERVICE_DETERMINISTIC:
		return mean;
	case BSIM_SERVICE_LOGNORMAL: {
		/* Lognormal with the given mean and coefficient of variation. */
		double s2 = log1p(n->cv * n->cv);

		g = bsim_rng_bind(rng, n->entity, BSIM_RNG_NODE_SERVICE,
				  &n->ctr);
		return gsl_ran_lognormal(g, log(mean) - s2 / 2, sqrt(s2));
	}
	case BSIM_SERVICE_EXPONENTIAL:
		break;
	}
	return -mean * log1p(-bsim_rng_uniform(rng, n->entity,
					       BSIM_RNG_NODE_SERVICE, &n->ctr));
}

static unsigned wait_bin(double w)
{
	double b;

	if (w < WAIT_MIN_S)
		return 0;
	b = 1 + floor(log10(w / WAIT_MIN_S) * BINS_PER_DECADE);
	return b >= BSIM__WAIT_BINS ? BSIM__WAIT_BINS - 1 : (unsigned)b;
}

bool bsim__node_arrive(struct bsim__node *n, struct bsim_rng *rng,
		       uint64_t t_ns, uint64_t *depart_ns)
{
	return bsim__node_arrive_below(n, rng, t_ns, n->queue_limit, depart_ns);
}

bool bsim__node_arrive_below(struct bsim__node *n, struct bsim_rng *rng,
			     uint64_t t_ns, uint32_t limit, uint64_t *depart_ns)
{
	uint32_t in_sys = bsim__node_in_system(n, t_ns);
	uint64_t start, svc_ns;
	double svc;

	n->arrivals++;
	if (in_sys >= (limit < n->queue_limit ? limit : n->queue_limit)) {
		n->rejected++;
		return false;
	}
	svc = service_s(n, rng);
	svc_ns = (uint64_t)llround(svc * 1e9);
	start = t_ns > n->free_at_ns ? t_ns : n->free_at_ns;
	n->free_at_ns = start + svc_ns;
	if (n->count == n->cap)
		ring_grow(n);
	n->dep[(n->head + n->count) % n->cap] = n->free_at_ns;
	n->count++;
	if (n->count > n->max_in_system)
		n->max_in_system = n->count;
	n->served++;
	n->sum_wait_s += (double)(start - t_ns) * 1e-9;
	n->sum_sojourn_s += (double)(n->free_at_ns - t_ns) * 1e-9;
	n->busy_s += (double)svc_ns * 1e-9;
	n->wait_hist[wait_bin((double)(start - t_ns) * 1e-9)]++;
	*depart_ns = n->free_at_ns;
	return true;
}

double bsim__node_wait_quantile(const struct bsim__node *n, double p)
{
	uint64_t total = 0, need, acc = 0;

	for (unsigned b = 0; b < BSIM__WAIT_BINS; b++)
		total += n->wait_hist[b];
	if (total == 0)
		return 0;
	need = (uint64_t)ceil(p * (double)total);
	for (unsigned b = 0; b < BSIM__WAIT_BINS; b++) {
		acc += n->wait_hist[b];
		if (acc >= need && acc > 0)
			return b == 0 ? WAIT_MIN_S
				      : WAIT_MIN_S *
						pow(10,
						    (double)b /
							    BINS_PER_DECADE);
	}
	return WAIT_MIN_S * pow(10, (double)BSIM__WAIT_BINS / BINS_PER_DECADE);
}
