/* SPDX-License-Identifier: MIT */
/* Billing arithmetic: charged volume, exact charges, months, fees, netting. */
#include "../../../model/billing.h"

#include <stdlib.h>

#include <criterion/criterion.h>

Test(billing, charged_kilobytes_round_up_to_the_minimum)
{
	cr_assert_eq(bsim__charged_kb(0, 10), 10);
	cr_assert_eq(bsim__charged_kb(1, 10), 10);
	cr_assert_eq(bsim__charged_kb(10000, 10), 10);
	cr_assert_eq(bsim__charged_kb(10001, 10), 11);
	cr_assert_eq(bsim__charged_kb(999, 0), 1);
	cr_assert_eq(bsim__charged_kb(1000, 0), 1);
	cr_assert_eq(bsim__charged_kb(5000000000u, 10), 5000000);
}

Test(billing, charges_round_half_up_to_the_micro_euro)
{
	/* EUR 1.30/GB = 1300 ueur/MB: 11 kB -> 14.3 ueur -> 14. */
	cr_assert_eq(bsim__charge_ueur(11, 1300), 14);
	/* 5 kB at 100 ueur/MB = 0.5 ueur: half up. */
	cr_assert_eq(bsim__charge_ueur(5, 100), 1);
	cr_assert_eq(bsim__charge_ueur(4, 100), 0);
	/* 1 MB at EUR 0.35/MB. */
	cr_assert_eq(bsim__charge_ueur(1000, 350000), 350000);
	/* A credit rounds symmetrically. */
	cr_assert_eq(bsim__charge_ueur(5, -100), -1);
	/* A large session stays exact: 5 GB at EUR 2/MB is EUR 10,000. */
	cr_assert_eq(bsim__charge_ueur(5000000, 2000000), 10000000000);
}

/* The latest charged triple of each test SIM, as a device keeps it. */
struct sims {
	uint16_t op[200000];
	uint8_t month[200000];
};

static bool due(struct bsim__fee_set *s, struct sims *m, uint32_t sim,
		uint16_t op, int64_t month)
{
	return bsim__fee_due(s, sim, op, month, &m->op[sim], &m->month[sim]);
}

Test(billing, one_access_fee_per_sim_network_and_month)
{
	struct bsim__fee_set s = { 0 };
	struct sims *m = malloc(sizeof(*m));
	int n = 0;

	cr_assert_not_null(m);
	for (size_t i = 0; i < 200000; i++)
		m->op[i] = BSIM__FEE_NONE;
	for (int i = 0; i < 5; i++)
		n += due(&s, m, 42, 3, 24313);
	cr_assert_eq(n, 1, "five attaches in one month, one fee");
	cr_assert(due(&s, m, 42, 3, 24314), "next month");
	cr_assert(due(&s, m, 42, 4, 24313), "another network");
	cr_assert_not(due(&s, m, 42, 3, 24314), "back on the first one");
	cr_assert_not(due(&s, m, 42, 4, 24313), "back on the second one");
	cr_assert(due(&s, m, 43, 3, 24313), "another SIM");
	for (uint32_t d = 0; d < 100000; d++)
		cr_assert(due(&s, m, 1000 + d, 7, 24313));
	for (uint32_t d = 0; d < 100000; d += 997)
		cr_assert_not(due(&s, m, 1000 + d, 7, 24313));
	/* Only the first network of SIM 42 had to be remembered apart. */
	cr_assert_eq(s.n, 1);
	/* Months far from the first: the full month of a SIM's latest triple
	 * is found again from its low 8 bits (24313 + 300 wraps them). */
	cr_assert(due(&s, m, 5, 8, 24613));
	cr_assert(due(&s, m, 5, 9, 24612), "a time zone behind");
	cr_assert_not(due(&s, m, 5, 8, 24613));
	cr_assert(due(&s, m, 5, 8, 24614));
	cr_assert_not(due(&s, m, 5, 9, 24612));
	cr_assert_eq(s.n, 3);
	bsim__fee_set_finish(&s);
	free(m);
}

Test(billing, bilateral_netting_pays_only_the_difference)
{
	/* Three operators; A-B net, A-C do not. */
	const int64_t gross[9] = { 0, 100, 40, 30, 0, 5, 10, 7, 0 };
	const bool pair[9] = { 0, 1, 0, 1, 0, 0, 0, 0, 0 };
	int64_t net[9];

	bsim__settle_net(gross, pair, 3, net);
	cr_assert_eq(net[0 * 3 + 1], 70, "A owes B 100 - 30");
	cr_assert_eq(net[1 * 3 + 0], 0);
	cr_assert_eq(net[0 * 3 + 2], 40, "no netting with C");
	cr_assert_eq(net[2 * 3 + 0], 10);
	cr_assert_eq(net[1 * 3 + 2], 5);
	cr_assert_eq(net[2 * 3 + 1], 7);
	/* Netting never changes who is owed what in balance. */
	for (int o = 0; o < 3; o++) {
		int64_t bg = 0, bn = 0;

		for (int x = 0; x < 3; x++) {
			bg += gross[x * 3 + o] - gross[o * 3 + x];
			bn += net[x * 3 + o] - net[o * 3 + x];
		}
		cr_assert_eq(bg, bn, "operator %d's balance", o);
	}
}
