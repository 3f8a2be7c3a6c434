/* SPDX-License-Identifier: MIT */
/*
 * The periodic-update timers (T3412) of all devices, one pending event per
 * class instead of one per device.
 *
 * A device's timer runs on a fixed grid: phase_i + k * T3412 of its class,
 * the phase drawn once from its own stream (phase() below). So the
 * class's devices fire in the same order every cycle: the order of their
 * phases. Each class keeps its devices sorted by (phase, index), 4 bytes a
 * device, and one event walks that order: it serves one device and posts
 * itself for the next. Every device fires at exactly the times its own
 * timer would give; a pending event per device would cost 24 bytes of
 * queue for the same information. The next device's phase is drawn again
 * (one counter-based draw per update) rather than kept, for the same
 * reason.
 */
#include "model-internal.h"

#include <blocsim/error.h>

#include <stdlib.h>

/* Device i's phase in [0, T3412): its PLACEMENT draw 4. */
static uint64_t phase(const struct bsim_model *m, uint32_t i)
{
	return (uint64_t)(bsim_rng_uniform_at(m->rng, bsim__dev_entity(m, i),
					      BSIM_RNG_PLACEMENT, 4) *
			  (double)m->cp[m->dev[i].cls].t3412_ns);
}

struct phased {
	uint64_t phase_ns;
	uint32_t i;
};

static int by_phase(const void *a, const void *b)
{
	const struct phased *x = a, *y = b;

	if (x->phase_ns != y->phase_ns)
		return x->phase_ns < y->phase_ns ? -1 : 1;
	return (x->i > y->i) - (x->i < y->i);
}

int bsim__periodic_create(struct bsim_model *m)
{
	const struct bsim_world *w = m->w;

	m->per = calloc(w->nclasses ? w->nclasses : 1, sizeof(*m->per));
	if (!m->per)
		return BSIM_ENOMEM;
	for (size_t c = 0; c < w->nclasses; c++) {
		struct bsim__periodic *p = &m->per[c];
		uint32_t first = m->cls_first[c],
			 n = m->cls_first[c + 1] - first;
		struct phased *s;

		if (n == 0)
			continue;
		s = malloc((size_t)n * sizeof(*s));
		p->order = malloc((size_t)n * sizeof(*p->order));
		if (!s || !p->order) {
			free(s);
			return BSIM_ENOMEM;
		}
		for (uint32_t k = 0; k < n; k++)
			s[k] = (struct phased){ phase(m, first + k),
						first + k };
		qsort(s, n, sizeof(*s), by_phase);
		for (uint32_t k = 0; k < n; k++)
			p->order[k] = s[k].i;
		free(s);
		bsim_engine_post_at(m->eng, phase(m, p->order[0]),
				    m->h_periodic, (uint32_t)c, NULL);
	}
	return 0;
}

void bsim__periodic_free(struct bsim_model *m)
{
	if (!m->per)
		return;
	for (size_t c = 0; c < m->w->nclasses; c++)
		free(m->per[c].order);
	free(m->per);
}

void bsim__on_periodic(struct bsim_engine *e, void *ctx, uint32_t c,
		       const void *payload)
{
	struct bsim_model *m = ctx;
	struct bsim__periodic *p = &m->per[c];
	uint32_t i = p->order[p->cur];

	(void)payload;
	if (++p->cur == m->cls_first[c + 1] - m->cls_first[c]) {
		p->cur = 0;
		p->cycle0_ns += m->cp[c].t3412_ns;
	}
	/* Posted before the device acts, as its own timer would be. */
	bsim_engine_post_at(e, p->cycle0_ns + phase(m, p->order[p->cur]),
			    m->h_periodic, c, NULL);
	bsim__periodic_fire(m, i, bsim_engine_now(e));
}
