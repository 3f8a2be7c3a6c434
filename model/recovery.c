/* SPDX-License-Identifier: MIT */
/*
 * Recovery after scheduled failures (results/README.md, recovery_s): each
 * failure's affected devices, how many of them are without a registration
 * now, and when, after the failure's end, at least RECOVERY_SHARE of them
 * were registered again. A device is affected by a failure that concerns
 * it (its HSS or pool, its country's radio, the hub while it roams) if,
 * while the failure is on, it loses service or an attempt of it fails
 * (steering rejects apart); a data loss affects every subscriber of its
 * node at the recovery. A device counts for the latest failure that
 * affected it. Work per change is O(1), per loss or refusal O(failures).
 */
#include "model-internal.h"

/* A recovery ends when at most RECOVERY_OUT_NUM / RECOVERY_OUT_DEN (5%)
 * of the affected devices are still without a registration, i.e. 95% are
 * registered again (integers: exact). */
#define RECOVERY_OUT_NUM 1u
#define RECOVERY_OUT_DEN 20u

static bool concerns(const struct bsim_model *m, const struct bsim_failure *f,
		     const struct bsim__device *d)
{
	const struct bsim_world *w = m->w;
	uint16_t hn = m->op_hss_node[d->home];

	switch (f->kind) {
	case BSIM_FAIL_HSS:
	case BSIM_FAIL_HSS_DATA_LOSS:
		return hn == bsim__node_of(m, BSIM_NODE_HSS, f->target);
	case BSIM_FAIL_PLATFORM:
	case BSIM_FAIL_PLATFORM_DATA_LOSS:
		return hn == bsim__node_of(m, BSIM_NODE_PLATFORM, f->target);
	case BSIM_FAIL_RADIO:
		return m->g->country[d->cell] == f->target ||
		       (d->serving != BSIM__NO_OP &&
			w->operators[d->serving].country == f->target);
	case BSIM_FAIL_IPX:
		return (d->serving != BSIM__NO_OP && d->serving != d->home) ||
		       ((d->flags & DEV_BUSY) && d->target != d->home);
	}
	return false;
}

/* Failure f has ended: is it recovered now? */
static void check(struct bsim_model *m, uint16_t f, uint64_t now)
{
	if (m->fail_state[f] == 2 &&
	    (uint64_t)m->fail_out[f] * RECOVERY_OUT_DEN <=
		    (uint64_t)m->fail_n[f] * RECOVERY_OUT_NUM) {
		m->fail_state[f] = 3;
		m->fail_recovered_ns[f] = now;
	}
}

void bsim__recovery_mark(struct bsim_model *m, uint32_t i, uint16_t f,
			 uint64_t now)
{
	uint16_t old = m->dev_fail[i];
	bool out = bsim__dev_out(&m->dev[i]);

	if (old == f)
		return;
	if (old != NO_FAILURE) {
		m->fail_n[old]--;
		m->fail_out[old] -= out;
		check(m, old, now);
	}
	m->dev_fail[i] = f;
	m->fail_n[f]++;
	m->fail_out[f] += out;
}

void bsim__recovery_hit(struct bsim_model *m, uint32_t i, uint64_t now)
{
	const struct bsim_world *w = m->w;
	size_t best = SIZE_MAX;

	/* The one in progress that began last (the later index on a tie). */
	for (size_t f = 0; f < w->nfailures; f++)
		if (m->fail_state[f] == 1 &&
		    concerns(m, &w->failures[f], &m->dev[i]) &&
		    (best == SIZE_MAX ||
		     w->failures[f].start_s >= w->failures[best].start_s))
			best = f;
	if (best != SIZE_MAX)
		bsim__recovery_mark(m, i, (uint16_t)best, now);
}

void bsim__recovery_note(struct bsim_model *m, uint32_t i, bool was_out,
			 uint64_t now)
{
	bool out = bsim__dev_out(&m->dev[i]);
	uint16_t f = m->dev_fail ? m->dev_fail[i] : NO_FAILURE;

	if (f == NO_FAILURE || out == was_out)
		return;
	if (out) {
		m->fail_out[f]++;
		return;
	}
	m->fail_out[f]--;
	check(m, f, now);
}

void bsim__recovery_end(struct bsim_model *m, uint16_t f, uint64_t now)
{
	m->failure_end_ns[f] = now;
	m->fail_state[f] = 2;
	check(m, f, now);
}
