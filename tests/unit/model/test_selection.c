/* SPDX-License-Identifier: MIT */
/* Network selection and the memory of reject causes #11 and #13. */
#include "../../../model/selection.h"

#include <criterion/criterion.h>

#define H (3600 * UINT64_C(1000000000))

static struct bsim_rng *rng;

static void setup(void)
{
	rng = bsim_rng_create(11);
}

static void teardown(void)
{
	bsim_rng_destroy(rng);
}

TestSuite(selection, .init = setup, .fini = teardown);

static int pick(const struct bsim__candidate *c, int n, uint16_t home,
		const struct bsim__sim *sim, const struct bsim__sel_state *st,
		uint64_t now)
{
	bsim_rng_ctr ctr = 0;

	return bsim__select(c, n, home, sim, st, now, 0.5, rng, 1, &ctr);
}

Test(selection, cause_11_survives_a_power_cycle)
{
	struct bsim__sim sim;
	struct bsim__sel_state st = { 0 };
	const struct bsim__candidate c[] = { { 3, 1, 0.9, 1 },
					     { 5, 1, 0.2, 0 } };

	bsim__sim_init(&sim, 4);
	cr_assert_eq(pick(c, 2, 0, &sim, &st, 0), 0, "rank 1 wins");
	bsim__sim_forbid(&sim, 3);
	bsim__power_cycle(&st);
	cr_assert_eq(pick(c, 2, 0, &sim, &st, 100 * H), 1,
		     "a #11 network stays forbidden after power-off");
	cr_assert(bsim__sim_forbidden(&sim, 3));
}

Test(selection, cause_13_lasts_only_for_its_timer)
{
	struct bsim__sim sim;
	struct bsim__sel_state st = { 0 };
	const struct bsim__candidate c[] = { { 3, 7, 0.9, 1 },
					     { 5, 9, 0.8, 2 },
					     { 3, 8, 0.9, 1 } };

	bsim__sim_init(&sim, 4);
	bsim__forbid_ta(&st, 3, 7, 12 * H);
	cr_assert_eq(pick(c, 2, 0, &sim, &st, 1 * H), 1,
		     "the forbidden area is skipped");
	cr_assert_eq(pick(c + 2, 1, 0, &sim, &st, 1 * H), 0,
		     "another area of the same network is fine");
	cr_assert_eq(pick(c, 2, 0, &sim, &st, 12 * H), 0,
		     "allowed again when the timer ends");
	bsim__forbid_ta(&st, 3, 7, 24 * H);
	bsim__power_cycle(&st);
	cr_assert_eq(pick(c, 2, 0, &sim, &st, 13 * H), 0,
		     "the list is volatile");
	/* Home is never roaming: #13 does not apply to it. */
	bsim__forbid_ta(&st, 3, 7, 24 * H);
	cr_assert_eq(pick(c, 2, 3, &sim, &st, 13 * H), 0);
}

Test(selection, the_forbidden_list_drops_its_oldest_entry)
{
	struct bsim__sim sim;

	bsim__sim_init(&sim, 4);
	for (uint16_t op = 10; op < 15; op++)
		bsim__sim_forbid(&sim, op);
	cr_assert_not(bsim__sim_forbidden(&sim, 10), "oldest dropped");
	for (uint16_t op = 11; op < 15; op++)
		cr_assert(bsim__sim_forbidden(&sim, op));
	bsim__sim_forbid(&sim, 12); /* Already there: nothing moves. */
	cr_assert(bsim__sim_forbidden(&sim, 11));
	cr_assert_eq(sim.nfplmn, 4);
}

Test(selection, order_is_rplmn_home_steering_good_random_then_quality)
{
	struct bsim__sim sim;
	struct bsim__sel_state st = { 0 };
	struct bsim__candidate c[] = {
		{ 20, 1, 0.3, 0 }, /* weak, unlisted */
		{ 21, 1, 0.9, 0 }, /* good, unlisted */
		{ 22, 1, 0.6, 2 }, /* listed, rank 2 */
		{ 23, 1, 0.4, 1 }, /* listed, rank 1 */
		{ 24, 1, 0.7, 0 }, /* home */
		{ 25, 1, 0.8, 0 }, /* last registered */
	};

	bsim__sim_init(&sim, 4);
	sim.rplmn = 25;
	cr_assert_eq(pick(c, 6, 24, &sim, &st, 0), 5);
	cr_assert_eq(pick(c, 5, 24, &sim, &st, 0), 4, "home next");
	cr_assert_eq(pick(c, 4, 24, &sim, &st, 0), 3,
		     "then the best steering rank, whatever its quality");
	cr_assert_eq(pick(c, 3, 24, &sim, &st, 0), 2);
	cr_assert_eq(pick(c, 2, 24, &sim, &st, 0), 1, "a good unlisted one");
	cr_assert_eq(pick(c, 1, 24, &sim, &st, 0), 0, "the rest by quality");
	bsim__sim_forbid(&sim, 20);
	cr_assert_eq(pick(c, 1, 24, &sim, &st, 0), -1, "nothing allowed");
}

Test(selection, good_networks_are_drawn_uniformly_from_the_stream)
{
	struct bsim__sim sim;
	struct bsim__sel_state st = { 0 };
	const struct bsim__candidate c[] = { { 1, 1, 0.9, 0 },
					     { 2, 1, 0.8, 0 },
					     { 3, 1, 0.7, 0 },
					     { 4, 1, 0.1, 0 } };
	int count[4] = { 0 };
	bsim_rng_ctr ctr = 0, again = 0;

	bsim__sim_init(&sim, 4);
	for (int i = 0; i < 30000; i++)
		count[bsim__select(c, 4, 0, &sim, &st, 0, 0.5, rng, 9, &ctr)]++;
	for (int k = 0; k < 3; k++)
		cr_assert_float_eq(count[k] / 30000.0, 1 / 3.0, 0.02);
	cr_assert_eq(count[3], 0, "a weak network waits for the good ones");
	cr_assert_eq(bsim__select(c, 4, 0, &sim, &st, 0, 0.5, rng, 9, &again),
		     bsim__select(c, 4, 0, &sim, &st, 0, 0.5, rng, 9,
				  &(bsim_rng_ctr){ 0 }),
		     "same stream, same choice");
}

Test(selection, higher_priority_search_finds_home_or_a_better_rank)
{
	struct bsim__sim sim;
	struct bsim__sel_state st = { 0 };
	const struct bsim__candidate c[] = { { 7, 1, 0.5, 3 },
					     { 8, 1, 0.5, 1 },
					     { 9, 1, 0.5, 0 } };

	bsim__sim_init(&sim, 4);
	cr_assert_eq(bsim__higher_priority(c, 3, 9, 7, 3, &sim, &st, 0), 2,
		     "back home");
	cr_assert_eq(bsim__higher_priority(c, 3, 9, 9, 0, &sim, &st, 0), -1,
		     "nothing above home");
	cr_assert_eq(bsim__higher_priority(c, 2, 9, 7, 3, &sim, &st, 0), 1,
		     "rank 1 above rank 3");
	cr_assert_eq(bsim__higher_priority(c, 2, 9, 8, 1, &sim, &st, 0), -1);
	bsim__sim_forbid(&sim, 9);
	cr_assert_eq(bsim__higher_priority(c, 3, 9, 7, 3, &sim, &st, 0), 1,
		     "a forbidden home is skipped");
}
