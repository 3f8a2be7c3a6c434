/* SPDX-License-Identifier: MIT */
/*
 * Network selection (see selection.h). Candidate lists are short (the
 * networks audible in one cell, a handful), so every step is a linear scan;
 * nothing here allocates.
 */
#include "selection.h"

#include <string.h>

void bsim__sim_init(struct bsim__sim *sim, uint8_t fplmn_slots)
{
	memset(sim, 0, sizeof(*sim));
	sim->fplmn_slots = fplmn_slots < 1		   ? 1
			   : fplmn_slots > BSIM__FPLMN_MAX ? BSIM__FPLMN_MAX
							   : fplmn_slots;
	sim->rplmn = BSIM__NO_OP;
}

bool bsim__sim_forbidden(const struct bsim__sim *sim, uint16_t op)
{
	for (uint8_t i = 0; i < sim->nfplmn; i++)
		if (sim->fplmn[i] == op)
			return true;
	return false;
}

void bsim__sim_forbid(struct bsim__sim *sim, uint16_t op)
{
	if (bsim__sim_forbidden(sim, op))
		return;
	if (sim->nfplmn == sim->fplmn_slots) {
		memmove(sim->fplmn, sim->fplmn + 1,
			(sim->nfplmn - 1) * sizeof(sim->fplmn[0]));
		sim->nfplmn--;
	}
	sim->fplmn[sim->nfplmn++] = op;
}

void bsim__power_cycle(struct bsim__sel_state *st)
{
	memset(st, 0, sizeof(*st));
}

void bsim__forbid_ta(struct bsim__sel_state *st, uint16_t op, uint32_t ta,
		     uint64_t until_ns)
{
	for (uint8_t i = 0; i < st->nta; i++)
		if (st->ta[i].op == op && st->ta[i].ta == ta) {
			st->ta[i].until_ns = until_ns;
			return;
		}
	if (st->nta == BSIM__TA_FORBID_MAX) {
		memmove(st->ta, st->ta + 1,
			(BSIM__TA_FORBID_MAX - 1) * sizeof(st->ta[0]));
		st->nta--;
	}
	st->ta[st->nta++] = (struct bsim__ta_forbid){ until_ns, ta, op };
}

bool bsim__ta_forbidden(const struct bsim__sel_state *st, uint16_t op,
			uint32_t ta, uint64_t now_ns)
{
	for (uint8_t i = 0; i < st->nta; i++)
		if (st->ta[i].op == op && st->ta[i].ta == ta &&
		    now_ns < st->ta[i].until_ns)
			return true;
	return false;
}

static bool allowed(const struct bsim__candidate *c, uint16_t home,
		    const struct bsim__sim *sim,
		    const struct bsim__sel_state *st, uint64_t now_ns)
{
	if (bsim__sim_forbidden(sim, c->op))
		return false;
	/* #13 forbids roaming in the area; home is never roaming. */
	return c->op == home || !bsim__ta_forbidden(st, c->op, c->ta, now_ns);
}

int bsim__select(const struct bsim__candidate *c, int n, uint16_t home,
		 const struct bsim__sim *sim, const struct bsim__sel_state *st,
		 uint64_t now_ns, double good_quality, struct bsim_rng *rng,
		 uint64_t entity, bsim_rng_ctr *ctr)
{
	int best = -1, good = 0, pick;
	double u;

	/* 1. The last registered network; 2. home. */
	for (int i = 0; i < n; i++)
		if (c[i].op == sim->rplmn &&
		    allowed(&c[i], home, sim, st, now_ns))
			return i;
	for (int i = 0; i < n; i++)
		if (c[i].op == home && allowed(&c[i], home, sim, st, now_ns))
			return i;
	/* 3. The operator-controlled list, best rank first. */
	for (int i = 0; i < n; i++)
		if (c[i].steering_rank &&
		    allowed(&c[i], home, sim, st, now_ns) &&
		    (best < 0 || c[i].steering_rank < c[best].steering_rank))
			best = i;
	if (best >= 0)
		return best;
	/* 4. Other networks of good quality, in random order: the first of
	 * a random permutation is a uniform pick among them. */
	for (int i = 0; i < n; i++)
		good += c[i].quality >= good_quality &&
			allowed(&c[i], home, sim, st, now_ns);
	if (good > 0) {
		u = bsim_rng_uniform(rng, entity, BSIM_RNG_SELECTION, ctr);
		pick = (int)(u * good);
		for (int i = 0; i < n; i++)
			if (c[i].quality >= good_quality &&
			    allowed(&c[i], home, sim, st, now_ns) &&
			    pick-- == 0)
				return i;
	}
	/* 5. The rest by decreasing quality. */
	for (int i = 0; i < n; i++)
		if (allowed(&c[i], home, sim, st, now_ns) &&
		    (best < 0 || c[i].quality > c[best].quality))
			best = i;
	return best;
}

bool bsim__any_allowed(const struct bsim__candidate *c, int n, uint16_t home,
		       const struct bsim__sim *sim,
		       const struct bsim__sel_state *st, uint64_t now_ns,
		       uint64_t *until_ns)
{
	uint64_t until = UINT64_MAX;

	for (int i = 0; i < n; i++) {
		if (allowed(&c[i], home, sim, st, now_ns))
			return true;
		if (bsim__sim_forbidden(sim, c[i].op))
			continue; /* Only a profile switch clears it. */
		for (uint8_t k = 0; k < st->nta; k++)
			if (st->ta[k].op == c[i].op &&
			    st->ta[k].ta == c[i].ta &&
			    now_ns < st->ta[k].until_ns &&
			    st->ta[k].until_ns < until)
				until = st->ta[k].until_ns;
	}
	*until_ns = until;
	return false;
}

int bsim__higher_priority(const struct bsim__candidate *c, int n, uint16_t home,
			  uint16_t serving, uint16_t serving_rank,
			  const struct bsim__sim *sim,
			  const struct bsim__sel_state *st, uint64_t now_ns)
{
	int best = -1;

	if (serving == home)
		return -1; /* Nothing ranks above home. */
	for (int i = 0; i < n; i++)
		if (c[i].op == home && allowed(&c[i], home, sim, st, now_ns))
			return i;
	for (int i = 0; i < n; i++)
		if (c[i].op != serving && c[i].steering_rank &&
		    (serving_rank == 0 || c[i].steering_rank < serving_rank) &&
		    allowed(&c[i], home, sim, st, now_ns) &&
		    (best < 0 || c[i].steering_rank < c[best].steering_rank))
			best = i;
	return best;
}
