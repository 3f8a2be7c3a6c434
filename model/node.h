/* SPDX-License-Identifier: MIT */
/*
 * A signalling node (visited MME/VLR, home HSS/HLR, DEA, IPX hub): c
 * identical servers sharing one first-come-first-served queue, with a
 * sampled service time and a limit on the transactions in the system. The
 * queue is computed, not simulated: an arrival's wait follows from the
 * Kiefer-Wolfowitz recursion (an arrival at t starts at max(t, the
 * earliest time a server is free), and that server is then busy until the
 * start plus the service), so a node costs no events of its own; the
 * caller schedules the answer at the returned departure time. With one
 * server this is the Lindley recursion. Transactions whose requester
 * already gave up are still served, wasting capacity as in real signalling
 * storms; nothing here knows about requesters.
 */
#ifndef BSIM_MODEL_NODE_H
#define BSIM_MODEL_NODE_H

#include <blocsim/rng.h>

#include <stdbool.h>
#include <stdint.h>

/* Service-time distributions, numbered as the world's enum
 * bsim_service_dist. */
enum bsim__service {
	BSIM_SERVICE_EXPONENTIAL = 0, /* Mean 1/server_rate_per_s. */
	BSIM_SERVICE_DETERMINISTIC = 1,
	BSIM_SERVICE_LOGNORMAL = 2, /* That mean, coefficient of variation
				       cv. */
};
#define BSIM__SERVICE_COUNT 3

/* Waits and sojourns are histogrammed for quantiles: bin 0 holds exact
 * zeros (an arrival that finds a server free waits 0), bin 1 times below
 * 1 us, then BSIM__NODE_HIST_PER_DECADE log-spaced bins per decade from
 * 1 us to 10^4 s (each 1.9% wide); longer times go to the last bin. The
 * counts are uint64: 1202 bins, 9.6 kB per histogram and node. */
#define BSIM__NODE_HIST_MIN_S 1e-6
#define BSIM__NODE_HIST_PER_DECADE 120
#define BSIM__NODE_HIST_BINS (2 + 10 * BSIM__NODE_HIST_PER_DECADE)

struct bsim__node {
	/* Parameters. */
	uint64_t entity;	  /* Random-stream entity id. */
	uint32_t servers;	  /* c >= 1 servers sharing the queue. */
	double server_rate_per_s; /* One server's rate, 1/s: the mean
				     service time is its inverse. */
	double rate_per_s; /* The node's capacity, servers x server rate. */
	enum bsim__service service;
	double cv;	      /* Lognormal coefficient of variation. */
	uint32_t queue_limit; /* Most transactions in the system. */
	/* State. */
	uint64_t *busy;	  /* When each busy server is free, a min-heap of
			     nbusy. A server free by an arrival is dropped
			     from it: it would start any later arrival at
			     once, like a server never used. */
	uint32_t nbusy;	  /* <= min(servers, queue_limit). */
	uint64_t *dep;	  /* Departure times of the transactions in the
			     system, a min-heap (with c > 1 they do not
			     leave in arrival order). */
	uint32_t count;	  /* Transactions in the system (dep's size). */
	uint32_t cap;	  /* dep's capacity, <= queue_limit. */
	bsim_rng_ctr ctr; /* Service-time draws. */
	/* Background: transactions of the subscribers the model does not
	 * simulate, a Poisson stream whose rate is constant within each
	 * local hour (bg_rate_per_s[hour], hours from bg_offset_s east of
	 * UTC at t = 0). They queue like the others and are offered lazily,
	 * just before each simulated arrival, so they cost no events. */
	double bg_rate_per_s[24];
	int64_t bg_offset_s;
	uint64_t bg_next_ns; /* Next background arrival; UINT64_MAX: none. */
	bsim_rng_ctr bg_ctr;
	uint64_t bg_arrivals, bg_rejected;
	double bg_busy_s; /* Their service time, server-seconds. */
	/* Statistics. */
	uint64_t arrivals, served, rejected;
	uint32_t max_in_system;
	double sum_wait_s, sum_sojourn_s;
	double busy_s; /* Service time handed out to simulated transactions,
			  server-seconds (bg_busy_s holds the background's):
			  the utilisation over T seconds is their sum /
			  (servers T). */
	uint64_t wait_hist[BSIM__NODE_HIST_BINS];
	uint64_t sojourn_hist[BSIM__NODE_HIST_BINS];
};

/*
 * Set up a node of `servers` (>= 1) servers, each serving at
 * server_rate_per_s (> 0, transactions per second; the node's capacity is
 * servers x server_rate_per_s), with at most queue_limit (>= 1)
 * transactions in the system, service one of enum bsim__service and
 * cv >= 0. Allocates its two heaps once
 * (the busy-server heap at min(servers, queue_limit) slots; pages are
 * touched only as servers get busy) and the departure heap at 64 slots,
 * growing with the backlog. Returns 0, BSIM_EINVAL or BSIM_ENOMEM (n is
 * then safe to finish).
 */
int bsim__node_init(struct bsim__node *n, uint64_t entity, uint32_t servers,
		    double server_rate_per_s, enum bsim__service service,
		    double cv, uint32_t queue_limit);
/* Free a node's heaps. Accepts NULL or a zeroed node. */
void bsim__node_finish(struct bsim__node *n);

/*
 * A transaction arrives at t_ns. Returns true and its departure time in
 * *depart_ns, or false when the node is full (too busy: rejected).
 * Arrivals must come in non-decreasing time order.
 */
/* The same with a lower limit for this arrival (limit <= queue_limit):
 * capacity above it is reserved for prioritised arrivals. */
bool bsim__node_arrive_below(struct bsim__node *n, struct bsim_rng *rng,
			     uint64_t t_ns, uint32_t limit,
			     uint64_t *depart_ns);

bool bsim__node_arrive(struct bsim__node *n, struct bsim_rng *rng,
		       uint64_t t_ns, uint64_t *depart_ns);

/* Transactions in the system (waiting or in service: their departure is
 * after t_ns) at t_ns, which must not precede the last arrival. */
uint32_t bsim__node_in_system(struct bsim__node *n, uint64_t t_ns);

/* The backlog at t_ns in ns of work: the wait a transaction arriving at
 * t_ns would have, given the work already admitted (FIFO): the time
 * until the earliest busy server is free when all servers are busy, else
 * 0. Read-only; t_ns must not precede the last arrival. */
static inline uint64_t bsim__node_backlog_ns(const struct bsim__node *n,
					     uint64_t t_ns)
{
	if (n->nbusy < n->servers || n->busy[0] <= t_ns)
		return 0;
	return n->busy[0] - t_ns;
}

/* The p-quantile (0..1) of the waits (before service) and of the sojourns
 * (wait plus service) of the transactions admitted so far, seconds: the
 * ceil(p n)-th smallest's bin, 0 for bin 0, 1 us for bin 1, else the
 * geometric middle of its bin (within 1% of the exact value from 1 us to
 * 10^4 s). 0 when none were admitted. */
double bsim__node_wait_quantile(const struct bsim__node *n, double p);
double bsim__node_sojourn_quantile(const struct bsim__node *n, double p);

/*
 * Give node n a background stream: rate_per_s[h] transactions per second
 * (>= 0) during local hour h, local time being offset_s east of UTC and
 * t = 0 being start_unix_s. All zero: no background (the default). The
 * stream's draws come from the node's BSIM_RNG_NODE_BACKGROUND stream,
 * so they are the same in every topology.
 */
void bsim__node_background(struct bsim__node *n, struct bsim_rng *rng,
			   const double rate_per_s[24], int64_t start_unix_s,
			   int64_t offset_s);

#endif /* BSIM_MODEL_NODE_H */
