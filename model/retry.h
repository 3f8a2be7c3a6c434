/* SPDX-License-Identifier: MIT */
/*
 * When a device tries again after a failed attach or tracking-area update.
 *
 * NAS timers (3GPP TS 24.301): a timeout (T3410 expired) or a reject that
 * allows a retry (#17, ...) increments the attempt counter; below
 * max_attempts (5) the device waits T3411 (10 s), at max_attempts it waits
 * T3402 (12 min) and the counter starts again. A congestion reject (#22)
 * carries T3346, drawn uniformly from the network's range (15-30 min by
 * default [assumption]); the counter is left alone.
 *
 * GSMA TS.34 back-off, when the class enables it: the long waits (T3402 and
 * T3346) are stretched to at least a step of an escalating schedule (5, 10,
 * 15, 20, 30, then 60 min, as in shipped products [K-particle]) and every
 * wait, short ones included, is jittered by a factor uniform in
 * [1 - jitter, 1 + jitter] from the device's BACKOFF stream, so devices
 * knocked off together do not come back together. Success resets it all.
 */
#ifndef BSIM_MODEL_RETRY_H
#define BSIM_MODEL_RETRY_H

#include <blocsim/rng.h>

#include <stdbool.h>
#include <stdint.h>

#define BSIM__TS34_STEPS 6

struct bsim__retry_params {
	uint64_t t3411_ns;     /* Short retry wait. */
	uint64_t t3402_ns;     /* Long wait after max_attempts. */
	uint8_t max_attempts;  /* Attempt counter limit (5). */
	uint64_t t3346_min_ns; /* Congestion back-off range. */
	uint64_t t3346_max_ns;
	bool ts34;     /* TS.34 randomised exponential back-off. */
	double jitter; /* TS.34 jitter, 0..1. */
	uint64_t ts34_step_ns[BSIM__TS34_STEPS]; /* Escalating minimum. */
};

/* Per device, two bytes. */
struct bsim__retry {
	uint8_t attempts; /* Attempt counter. */
	uint8_t step;	  /* TS.34 schedule position. */
};

/* Why the last attempt failed. */
enum bsim__fail {
	BSIM_FAIL_TIMEOUT,    /* No answer before T3410/T3430. */
	BSIM_FAIL_RETRYABLE,  /* A reject that allows a retry (#17, ...). */
	BSIM_FAIL_CONGESTION, /* #22 with T3346. */
};

/* The defaults above. */
void bsim__retry_defaults(struct bsim__retry_params *p, bool ts34);

/*
 * The wait before the next attempt after a failure, in ns, updating the
 * device's counters; draws (when needed) from the device's BACKOFF stream.
 */
uint64_t bsim__retry_after(struct bsim__retry *r,
			   const struct bsim__retry_params *p,
			   enum bsim__fail why, struct bsim_rng *rng,
			   uint64_t entity, bsim_rng_ctr *ctr);

/* A successful attempt: counters back to zero. */
static inline void bsim__retry_success(struct bsim__retry *r)
{
	r->attempts = 0;
	r->step = 0;
}

#endif /* BSIM_MODEL_RETRY_H */
