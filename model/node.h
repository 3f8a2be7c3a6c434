/* SPDX-License-Identifier: MIT */
/*
 * A signalling node (visited MME/VLR, home HSS/HLR, DEA, IPX hub): one
 * FIFO server with a sampled service time and a limit on the transactions
 * in the system. The queue is computed, not simulated: an arrival's wait
 * follows from the exact Lindley recursion (the server is free at
 * `free_at_ns`; a transaction starts at max(arrival, free_at) and leaves
 * after its service), so a node costs no events of its own; the caller
 * schedules the answer at the returned departure time. Transactions whose
 * requester already gave up are still served, wasting capacity as in real
 * signalling storms; nothing here knows about requesters.
 */
#ifndef BSIM_MODEL_NODE_H
#define BSIM_MODEL_NODE_H

#include <blocsim/rng.h>

#include <stdbool.h>
#include <stdint.h>

/* Service-time distributions. */
enum bsim__service {
	BSIM_SERVICE_EXPONENTIAL, /* Mean 1/rate. */
	BSIM_SERVICE_DETERMINISTIC,
	BSIM_SERVICE_LOGNORMAL, /* Mean 1/rate, coefficient of variation cv. */
};

/* Waits are histogrammed in log-spaced bins for percentiles. */
#define BSIM__WAIT_BINS 128

struct bsim__node {
	/* Parameters. */
	uint64_t entity;   /* Random-stream entity id. */
	double rate_per_s; /* Service rate, transactions per second. */
	enum bsim__service service;
	double cv;	      /* Lognormal coefficient of variation. */
	uint32_t queue_limit; /* Most transactions in the system. */
	/* State. */
	uint64_t free_at_ns;  /* When the server finishes its backlog. */
	uint64_t *dep;	      /* Departure times in the system (ring). */
	uint32_t head, count; /* Ring position and size. */
	uint32_t cap;	      /* Ring capacity, <= queue_limit. */
	bsim_rng_ctr ctr;     /* Service-time draws. */
	/* Statistics. */
	uint64_t arrivals, served, rejected;
	uint32_t max_in_system;
	double sum_wait_s, sum_sojourn_s;
	double busy_s; /* Service time handed out. */
	uint64_t wait_hist[BSIM__WAIT_BINS];
};

/* Set up a node; queue_limit >= 1. Returns 0 or BSIM_ENOMEM/BSIM_EINVAL. */
int bsim__node_init(struct bsim__node *n, uint64_t entity, double rate_per_s,
		    enum bsim__service service, double cv,
		    uint32_t queue_limit);
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

/* Transactions in the system (waiting or in service) at t_ns, which must
 * not precede the last arrival. */
uint32_t bsim__node_in_system(struct bsim__node *n, uint64_t t_ns);

/* The p-quantile (0..1) of waits so far, seconds (bin upper edge). */
double bsim__node_wait_quantile(const struct bsim__node *n, double p);

#endif /* BSIM_MODEL_NODE_H */
