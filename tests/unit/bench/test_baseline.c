/* SPDX-License-Identifier: MIT */
/* The benchmark's baseline heap pops in (time, seq) order. */
#include "../../../bench/bench.h"

#include <criterion/criterion.h>

Test(baseline, pops_in_time_then_sequence_order)
{
	struct bsim__baseline h;
	uint64_t x = 12345, last_t = 0;
	uint32_t last_seq = 0;

	cr_assert_eq(bsim__baseline_init(&h, 4), 0);
	for (uint32_t i = 0; i < 10000; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		bsim__baseline_push(
			&h, (struct bsim__baseline_rec){ x % 500, i, i });
	}
	for (int i = 0; i < 10000; i++) {
		struct bsim__baseline_rec r = bsim__baseline_pop(&h);

		cr_assert(r.t > last_t || (r.t == last_t && r.seq >= last_seq),
			  "pop %d out of order", i);
		last_t = r.t;
		last_seq = r.seq;
	}
	cr_assert_eq(h.n, 0);
	bsim__baseline_finish(&h);
}
