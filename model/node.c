/* SPDX-License-Identifier: MIT */
/*
 * Signalling nodes as c-server FIFO queues computed by the Kiefer-Wolfowitz
 * recursion (see node.h). Per arrival: drop departures that are past,
 * compare the count with the limit, draw a service time from the node's
 * own stream, start it when the earliest server is free, and record its
 * departure. Two binary min-heaps of uint64 ns are the only memory per
 * node beyond counters: the free-at times of the busy servers (the
 * earliest on top: the server the next arrival gets) and the departures of
 * the transactions in the system (with c > 1 a short service overtakes a
 * long one, so a FIFO ring would keep a departed transaction counted while
 * an earlier one is still in service). With one server both heaps hold
 * departures in arrival order, each push stops at once, and the node is
 * the Lindley recursion: the same draws and the same departures.
 *
 * Not here: service priorities, server vacations, or a server's own
 * failure; a node's outage is the model's (proc.c).
 */
#include "node.h"

#include <blocsim/error.h>

#include <gsl/gsl_randist.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* First capacity of the departure heap. */
#define HEAP_MIN 64u

/* Push v on the min-heap a of *n elements (room for one more). */
static void heap_push(uint64_t *a, uint32_t *n, uint64_t v)
{
	uint32_t k = (*n)++;

	while (k > 0) {
		uint32_t p = (k - 1) / 2;

		if (a[p] <= v)
			break;
		a[k] = a[p];
		k = p;
	}
	a[k] = v;
}

/* Replace the top of the min-heap a of n >= 1 elements with v. */
static void heap_replace_top(uint64_t *a, uint32_t n, uint64_t v)
{
	uint32_t k = 0;

	for (;;) {
		uint32_t c = 2 * k + 1;

		if (c >= n)
			break;
		if (c + 1 < n && a[c + 1] < a[c])
			c++;
		if (v <= a[c])
			break;
		a[k] = a[c];
		k = c;
	}
	a[k] = v;
}

/* Drop every element <= t from the min-heap a of *n elements. */
static void heap_drop_upto(uint64_t *a, uint32_t *n, uint64_t t)
{
	while (*n > 0 && a[0] <= t) {
		(*n)--;
		if (*n > 0)
			heap_replace_top(a, *n, a[*n]);
	}
}

int bsim__node_init(struct bsim__node *n, uint64_t entity, uint32_t servers,
		    double server_rate_per_s, enum bsim__service service,
		    double cv, uint32_t queue_limit)
{
	uint32_t nb;

	memset(n, 0, sizeof(*n));
	n->bg_next_ns = UINT64_MAX; /* No background until one is set. */
	if (!(server_rate_per_s > 0) || servers == 0 || queue_limit == 0 ||
	    (unsigned)service >= BSIM__SERVICE_COUNT || !(cv >= 0))
		return BSIM_EINVAL;
	/* The departure heap grows with the backlog, up to the limit: one of
	 * the full limit would cost the limit's memory at every node. The
	 * busy-server heap is allocated once: at most min(servers, limit)
	 * servers are busy, since each holds a transaction in the system;
	 * only the slots ever used are touched. */
	nb = servers < queue_limit ? servers : queue_limit;
	n->cap = queue_limit < HEAP_MIN ? queue_limit : HEAP_MIN;
	n->dep = malloc(n->cap * sizeof(*n->dep));
	n->busy = malloc((size_t)nb * sizeof(*n->busy));
	if (!n->dep || !n->busy) {
		bsim__node_finish(n);
		return BSIM_ENOMEM;
	}
	n->entity = entity;
	n->servers = servers;
	n->server_rate_per_s = server_rate_per_s;
	n->rate_per_s = (double)servers * server_rate_per_s;
	n->service = service;
	n->cv = cv;
	n->queue_limit = queue_limit;
	return 0;
}

/* Double the departure heap (at most to the queue limit). */
static void dep_grow(struct bsim__node *n)
{
	uint32_t cap =
		n->cap > n->queue_limit / 2 ? n->queue_limit : 2 * n->cap;
	uint64_t *a = realloc(n->dep, (size_t)cap * sizeof(*a));

	if (!a)
		bsim_fatal(BSIM_LOC, "out of memory for a node's queue of %u",
			   cap);
	n->dep = a;
	n->cap = cap;
}

void bsim__node_finish(struct bsim__node *n)
{
	if (!n)
		return;
	free(n->dep);
	free(n->busy);
	memset(n, 0, sizeof(*n));
}

uint32_t bsim__node_in_system(struct bsim__node *n, uint64_t t_ns)
{
	heap_drop_upto(n->dep, &n->count, t_ns);
	return n->count;
}

/* A service time from stream `purpose` with its counter. */
static double service_from(struct bsim__node *n, struct bsim_rng *rng,
			   enum bsim_rng_purpose purpose, bsim_rng_ctr *ctr)
{
	double mean = 1.0 / n->server_rate_per_s;
	gsl_rng *g;

	switch (n->service) {
	case BSIM_SERVICE_DETERMINISTIC:
		return mean;
	case BSIM_SERVICE_LOGNORMAL: {
		/* Lognormal with the given mean and coefficient of variation. */
		double s2 = log1p(n->cv * n->cv);

		g = bsim_rng_bind(rng, n->entity, purpose, ctr);
		return gsl_ran_lognormal(g, log(mean) - s2 / 2, sqrt(s2));
	}
	case BSIM_SERVICE_EXPONENTIAL:
		break;
	}
	return -mean * log1p(-bsim_rng_uniform(rng, n->entity, purpose, ctr));
}

static double service_s(struct bsim__node *n, struct bsim_rng *rng)
{
	return service_from(n, rng, BSIM_RNG_NODE_SERVICE, &n->ctr);
}

/* Histogram bin of a time of t_ns (node.h). A log scale wider than 1/8
 * decade put every seed's p99 at the same bin edge, 33% above the next;
 * 1/120 decade costs 9.6 kB per histogram and keeps quantiles within 1%. */
static unsigned hist_bin(uint64_t t_ns)
{
	double b, s = (double)t_ns * 1e-9;

	if (t_ns == 0)
		return 0;
	if (s < BSIM__NODE_HIST_MIN_S)
		return 1;
	b = 2 + floor(log10(s / BSIM__NODE_HIST_MIN_S) *
		      BSIM__NODE_HIST_PER_DECADE);
	return b >= BSIM__NODE_HIST_BINS ? BSIM__NODE_HIST_BINS - 1
					 : (unsigned)b;
}

bool bsim__node_arrive(struct bsim__node *n, struct bsim_rng *rng,
		       uint64_t t_ns, uint64_t *depart_ns)
{
	return bsim__node_arrive_below(n, rng, t_ns, n->queue_limit, depart_ns);
}

/* Admit a transaction of svc_ns arriving at t_ns (Kiefer-Wolfowitz: a
 * server free by now starts it now; otherwise the earliest to be free
 * takes it then); its start and end. The caller checked the limit. */
static void admit(struct bsim__node *n, uint64_t t_ns, uint64_t svc_ns,
		  uint64_t *start, uint64_t *end)
{
	heap_drop_upto(n->busy, &n->nbusy, t_ns);
	if (n->nbusy < n->servers) {
		*start = t_ns;
		*end = *start + svc_ns;
		heap_push(n->busy, &n->nbusy, *end);
	} else {
		*start = n->busy[0];
		*end = *start + svc_ns;
		heap_replace_top(n->busy, n->nbusy, *end);
	}
	if (n->count == n->cap)
		dep_grow(n);
	heap_push(n->dep, &n->count, *end);
	if (n->count > n->max_in_system)
		n->max_in_system = n->count;
}

/* The background rate at t_ns, and when that local hour ends (ns). */
static double bg_rate_at(const struct bsim__node *n, uint64_t t_ns,
			 uint64_t *hour_end_ns)
{
	uint64_t local = (uint64_t)n->bg_offset_s * UINT64_C(1000000000) + t_ns;
	uint64_t h = (local / UINT64_C(3600000000000)) % 24;

	*hour_end_ns = t_ns + (UINT64_C(3600000000000) -
			       local % UINT64_C(3600000000000));
	return n->bg_rate_per_s[h];
}

/* The first background arrival after t_ns: an Exp(1) amount of the
 * integrated rate, walked hour by hour (exact for a rate constant within
 * each hour). UINT64_MAX when the rate is zero all day. */
static uint64_t bg_after(struct bsim__node *n, struct bsim_rng *rng,
			 uint64_t t_ns)
{
	double need = -log1p(-bsim_rng_uniform(
		rng, n->entity, BSIM_RNG_NODE_BACKGROUND, &n->bg_ctr));

	for (int hours = 0; hours < 24 * 366; hours++) {
		uint64_t end;
		double r = bg_rate_at(n, t_ns, &end),
		       span = (double)(end - t_ns) * 1e-9;

		if (r * span >= need)
			return t_ns + (uint64_t)llround(need / r * 1e9);
		need -= r * span;
		t_ns = end;
	}
	return UINT64_MAX;
}

void bsim__node_background(struct bsim__node *n, struct bsim_rng *rng,
			   const double rate_per_s[24], int64_t start_unix_s,
			   int64_t offset_s)
{
	bool any = false;

	for (int h = 0; h < 24; h++) {
		n->bg_rate_per_s[h] = rate_per_s[h] > 0 ? rate_per_s[h] : 0;
		any |= rate_per_s[h] > 0;
	}
	/* Seconds into the local day at t = 0, as a non-negative offset. */
	n->bg_offset_s = ((start_unix_s + offset_s) % 86400 + 86400) % 86400;
	n->bg_next_ns = any ? bg_after(n, rng, 0) : UINT64_MAX;
}

/* Offer the background arrivals before t_ns, in order: each is refused
 * at the queue limit or queues like any transaction. */
static void background_until(struct bsim__node *n, struct bsim_rng *rng,
			     uint64_t t_ns)
{
	while (n->bg_next_ns < t_ns) {
		uint64_t at = n->bg_next_ns, start, end, svc_ns;

		n->bg_arrivals++;
		if (bsim__node_in_system(n, at) >= n->queue_limit) {
			n->bg_rejected++;
		} else {
			svc_ns = (uint64_t)llround(
				service_from(n, rng, BSIM_RNG_NODE_BACKGROUND,
					     &n->bg_ctr) *
				1e9);
			admit(n, at, svc_ns, &start, &end);
			n->bg_busy_s += (double)svc_ns * 1e-9;
		}
		n->bg_next_ns = bg_after(n, rng, at);
	}
}

bool bsim__node_arrive_below(struct bsim__node *n, struct bsim_rng *rng,
			     uint64_t t_ns, uint32_t limit, uint64_t *depart_ns)
{
	uint32_t in_sys;
	uint64_t start, end, svc_ns;

	if (n->bg_next_ns < t_ns)
		background_until(n, rng, t_ns);
	in_sys = bsim__node_in_system(n, t_ns);
	n->arrivals++;
	if (in_sys >= (limit < n->queue_limit ? limit : n->queue_limit)) {
		n->rejected++;
		return false;
	}
	svc_ns = (uint64_t)llround(service_s(n, rng) * 1e9);
	admit(n, t_ns, svc_ns, &start, &end);
	n->served++;
	n->sum_wait_s += (double)(start - t_ns) * 1e-9;
	n->sum_sojourn_s += (double)(end - t_ns) * 1e-9;
	n->busy_s += (double)svc_ns * 1e-9;
	n->wait_hist[hist_bin(start - t_ns)]++;
	n->sojourn_hist[hist_bin(end - t_ns)]++;
	*depart_ns = end;
	return true;
}

static double hist_quantile(const uint64_t *h, double p)
{
	uint64_t total = 0, need, acc = 0;
	unsigned b;

	for (b = 0; b < BSIM__NODE_HIST_BINS; b++)
		total += h[b];
	if (total == 0)
		return 0;
	need = (uint64_t)ceil(p * (double)total);
	if (need == 0)
		need = 1;
	for (b = 0; b + 1 < BSIM__NODE_HIST_BINS; b++) {
		acc += h[b];
		if (acc >= need)
			break;
	}
	if (b < 2)
		return b == 0 ? 0 : BSIM__NODE_HIST_MIN_S;
	return BSIM__NODE_HIST_MIN_S *
	       pow(10, (b - 2 + 0.5) / BSIM__NODE_HIST_PER_DECADE);
}

double bsim__node_wait_quantile(const struct bsim__node *n, double p)
{
	return hist_quantile(n->wait_hist, p);
}

double bsim__node_sojourn_quantile(const struct bsim__node *n, double p)
{
	return hist_quantile(n->sojourn_hist, p);
}
