/* SPDX-License-Identifier: MIT */
/* Retry and back-off timers (see retry.h). */
#include "retry.h"

#include <math.h>

#define MIN_NS (60 * UINT64_C(1000000000))

void bsim__retry_defaults(struct bsim__retry_params *p, bool ts34)
{
	static const uint64_t steps[BSIM__TS34_STEPS] = {
		5, 10, 15, 20, 30, 60
	};

	p->t3411_ns = 10 * UINT64_C(1000000000);
	p->t3402_ns = 12 * MIN_NS;
	p->max_attempts = 5;
	p->t3346_min_ns = 15 * MIN_NS;
	p->t3346_max_ns = 30 * MIN_NS;
	p->ts34 = ts34;
	p->jitter = 0.5;
	for (int i = 0; i < BSIM__TS34_STEPS; i++)
		p->ts34_step_ns[i] = steps[i] * MIN_NS;
}

static uint64_t scale(uint64_t ns, double f)
{
	return (uint64_t)llround((double)ns * f);
}

uint64_t bsim__retry_after(struct bsim__retry *r,
			   const struct bsim__retry_params *p,
			   enum bsim__fail why, struct bsim_rng *rng,
			   uint64_t entity, bsim_rng_ctr *ctr)
{
	uint64_t wait;
	bool lng;

	if (why == BSIM_FAIL_CONGESTION) {
		double u = bsim_rng_uniform(rng, entity, BSIM_RNG_BACKOFF, ctr);

		wait = p->t3346_min_ns +
		       scale(p->t3346_max_ns - p->t3346_min_ns, u);
		lng = true;
	} else if (++r->attempts < p->max_attempts) {
		wait = p->t3411_ns;
		lng = false;
	} else {
		r->attempts = 0;
		wait = p->t3402_ns;
		lng = true;
	}
	if (!p->ts34)
		return wait;
	if (lng) {
		if (wait < p->ts34_step_ns[r->step])
			wait = p->ts34_step_ns[r->step];
		if (r->step + 1 < BSIM__TS34_STEPS)
			r->step++;
	}
	return scale(wait,
		     1 - p->jitter +
			     2 * p->jitter *
				     bsim_rng_uniform(rng, entity,
						      BSIM_RNG_BACKOFF, ctr));
}
