/* SPDX-License-Identifier: MIT */
/*
 * Network selection of a device (3GPP TS 23.122, automatic mode), and the
 * memory that reject causes leave behind:
 *   - #11 (PLMN not allowed): the network goes on the SIM's forbidden list
 *     (FPLMN, 4 slots by default, oldest dropped first), which survives a
 *     power cycle;
 *   - #13 (roaming not allowed in this tracking area): the tracking area is
 *     forbidden for roaming for a timer (12-24 h, drawn by the caller); the
 *     list is volatile, cleared at power-off.
 * Selection order on loss of coverage or at switch-on: the last registered
 * network (RPLMN), the home network, the SIM's operator-controlled
 * preferred list in steering-rank order, then other networks of good
 * quality in random order, then the rest by decreasing quality. Preference
 * comes from steering ranks only, never from bloc membership as such.
 */
#ifndef BSIM_MODEL_SELECTION_H
#define BSIM_MODEL_SELECTION_H

#include <blocsim/rng.h>

#include <stdbool.h>
#include <stdint.h>

#define BSIM__NO_OP UINT16_MAX
/* FPLMN entries: TS 31.102's EF_FPLMN holds at least 4; the model keeps 4. */
#define BSIM__FPLMN_MAX 4
#define BSIM__TA_FORBID_MAX 4

/* What the SIM keeps across power cycles. */
struct bsim__sim {
	uint16_t fplmn[BSIM__FPLMN_MAX]; /* Forbidden networks, oldest first. */
	uint8_t nfplmn;
	uint8_t fplmn_slots; /* Capacity in use, 1..BSIM__FPLMN_MAX (4). */
	uint16_t rplmn;	     /* Last registered network, or BSIM__NO_OP. */
};

/* A tracking area forbidden for roaming (#13), until a time. */
struct bsim__ta_forbid {
	uint64_t until_ns;
	uint32_t ta;
	uint16_t op;
};

/* The device's volatile selection memory. */
struct bsim__sel_state {
	struct bsim__ta_forbid ta[BSIM__TA_FORBID_MAX];
	uint8_t nta;
};

/* One network the device can hear in its cell. */
struct bsim__candidate {
	uint16_t op;
	uint32_t ta;
	double quality;		/* 0..1, drawn once per cell and network. */
	uint16_t steering_rank; /* Position in the SIM's OPLMN list (1 is
				   best), 0 if not listed. */
};

void bsim__sim_init(struct bsim__sim *sim, uint8_t fplmn_slots);
/* Cause #11: forbid op on the SIM (no duplicates; oldest dropped). */
void bsim__sim_forbid(struct bsim__sim *sim, uint16_t op);
bool bsim__sim_forbidden(const struct bsim__sim *sim, uint16_t op);
/* Power off and on: the volatile state goes, the SIM stays. */
void bsim__power_cycle(struct bsim__sel_state *st);

/* Cause #13: forbid (op, ta) for roaming until until_ns (oldest entry is
 * replaced when the list is full). */
void bsim__forbid_ta(struct bsim__sel_state *st, uint16_t op, uint32_t ta,
		     uint64_t until_ns);
bool bsim__ta_forbidden(const struct bsim__sel_state *st, uint16_t op,
			uint32_t ta, uint64_t now_ns);

/*
 * Choose a network among n candidates at now_ns for a device whose home
 * is `home`; quality >= good_quality is "good". Random order among good
 * others comes from the device's SELECTION stream (entity, *ctr).
 * Returns the index of the chosen candidate, or -1 if none is allowed.
 */
int bsim__select(const struct bsim__candidate *c, int n, uint16_t home,
		 const struct bsim__sim *sim, const struct bsim__sel_state *st,
		 uint64_t now_ns, double good_quality, struct bsim_rng *rng,
		 uint64_t entity, bsim_rng_ctr *ctr);

/*
 * Is any of the n candidates allowed at now_ns (bsim__select() would
 * choose one)? If none is, *until_ns is the earliest time one becomes
 * allowed without any other change (a forbidden tracking area expiring),
 * or UINT64_MAX.
 */
bool bsim__any_allowed(const struct bsim__candidate *c, int n, uint16_t home,
		       const struct bsim__sim *sim,
		       const struct bsim__sel_state *st, uint64_t now_ns,
		       uint64_t *until_ns);

/*
 * The periodic higher-priority search (hpplmn_search_s): index of a
 * candidate of higher priority than the serving network `serving` (home,
 * or a better steering rank), or -1 to stay.
 */
int bsim__higher_priority(const struct bsim__candidate *c, int n, uint16_t home,
			  uint16_t serving, uint16_t serving_rank,
			  const struct bsim__sim *sim,
			  const struct bsim__sel_state *st, uint64_t now_ns);

#endif /* BSIM_MODEL_SELECTION_H */
