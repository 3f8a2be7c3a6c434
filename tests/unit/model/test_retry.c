/* SPDX-License-Identifier: MIT */
/* Retry timers: NAS counters, #22 back-off, TS.34 escalation and jitter. */
#include "../../../model/retry.h"

#include <criterion/criterion.h>

#define S UINT64_C(1000000000)
#define MIN (60 * S)

Test(retry, nas_retries_four_times_at_t3411_then_waits_t3402)
{
	struct bsim__retry_params p;
	struct bsim__retry r = { 0 };
	struct bsim_rng *rng = bsim_rng_create(1);
	bsim_rng_ctr ctr = 0;

	bsim__retry_defaults(&p, false);
	for (int round = 0; round < 2; round++) {
		for (int i = 0; i < 4; i++)
			cr_assert_eq(bsim__retry_after(&r, &p,
						       BSIM_FAIL_TIMEOUT, rng,
						       1, &ctr),
				     10 * S);
		cr_assert_eq(bsim__retry_after(&r, &p, BSIM_FAIL_RETRYABLE, rng,
					       1, &ctr),
			     12 * MIN, "the fifth failure waits T3402");
	}
	cr_assert_eq(ctr, 0, "plain NAS timers draw nothing");
	bsim__retry_after(&r, &p, BSIM_FAIL_TIMEOUT, rng, 1, &ctr);
	bsim__retry_success(&r);
	cr_assert_eq(r.attempts, 0);
	bsim_rng_destroy(rng);
}

Test(retry, congestion_waits_t3346_uniform_in_its_range)
{
	struct bsim__retry_params p;
	struct bsim__retry r = { 0 };
	struct bsim_rng *rng = bsim_rng_create(2);
	bsim_rng_ctr ctr = 0;
	double sum = 0;

	bsim__retry_defaults(&p, false);
	for (int i = 0; i < 20000; i++) {
		uint64_t w = bsim__retry_after(&r, &p, BSIM_FAIL_CONGESTION,
					       rng, 1, &ctr);

		cr_assert_geq(w, 15 * MIN);
		cr_assert_leq(w, 30 * MIN);
		sum += (double)w;
	}
	cr_assert_float_eq(sum / 20000 / MIN, 22.5, 0.15);
	cr_assert_eq(r.attempts, 0, "#22 leaves the attempt counter alone");
	bsim_rng_destroy(rng);
}

Test(retry, ts34_escalates_long_waits_and_jitters_every_wait)
{
	struct bsim__retry_params p;
	struct bsim__retry r = { 0 };
	struct bsim_rng *rng = bsim_rng_create(3);
	bsim_rng_ctr ctr = 0;
	uint64_t longs[8];
	double short_sum = 0;
	int n_short = 0;

	bsim__retry_defaults(&p, true);
	for (int k = 0; k < 8; k++) {
		for (int i = 0; i < 4; i++) {
			uint64_t w = bsim__retry_after(
				&r, &p, BSIM_FAIL_TIMEOUT, rng, 1, &ctr);

			cr_assert_geq(w, 5 * S);
			cr_assert_leq(w, 15 * S);
			short_sum += (double)w;
			n_short++;
		}
		longs[k] = bsim__retry_after(&r, &p, BSIM_FAIL_TIMEOUT, rng, 1,
					     &ctr);
	}
	/* Steps 12 (T3402 > 5 and 10), 15, 20, 30, 60, 60 min, +-50%. */
	static const double base[8] = { 12, 12, 15, 20, 30, 60, 60, 60 };
	for (int k = 0; k < 8; k++) {
		cr_assert_geq(longs[k], base[k] * 0.5 * MIN, "wait %d", k);
		cr_assert_leq(longs[k], base[k] * 1.5 * MIN, "wait %d", k);
	}
	cr_assert_float_eq(short_sum / n_short / S, 10, 1.5);
	bsim__retry_success(&r);
	cr_assert_eq(r.step, 0);
	bsim_rng_destroy(rng);
}

Test(retry, jittered_waits_depend_only_on_the_devices_stream)
{
	struct bsim__retry_params p;
	struct bsim__retry a = { 0 }, b = { 0 }, c = { 0 };
	struct bsim_rng *rng = bsim_rng_create(4);
	bsim_rng_ctr ca = 0, cb = 0, cc = 0;
	int differ = 0;

	bsim__retry_defaults(&p, true);
	for (int i = 0; i < 20; i++) {
		uint64_t wa = bsim__retry_after(&a, &p, BSIM_FAIL_CONGESTION,
						rng, 7, &ca);
		uint64_t wb = bsim__retry_after(&b, &p, BSIM_FAIL_CONGESTION,
						rng, 7, &cb);
		uint64_t wc = bsim__retry_after(&c, &p, BSIM_FAIL_CONGESTION,
						rng, 8, &cc);

		cr_assert_eq(wa, wb);
		differ += wa != wc;
	}
	cr_assert_gt(differ, 15, "other devices come back at other times");
	bsim_rng_destroy(rng);
}
