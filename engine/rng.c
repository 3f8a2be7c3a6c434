/* SPDX-License-Identifier: MIT */
/*
 * Philox streams and the gsl_rng view over them (see rng.h for the key and
 * counter layout). A view costs one gsl_rng (a few dozen bytes) per
 * bsim_rng, against 5 kB of state per entity for MT19937: at 10^7 devices
 * only the 32-bit counters stay per entity.
 *
 * The view's gsl type returns 32-bit integers (the high half of a draw) so
 * that every GSL routine that assumes a 32-bit generator stays exact, and
 * doubles with 53 bits from a whole draw.
 */
#include <blocsim/rng.h>

#include <Random123/philox.h>
#include <gsl/gsl_randist.h>

#include <assert.h>
#include <math.h>
#include <stdlib.h>

struct view_state {
	uint64_t seed;
	uint64_t entity;
	uint64_t purpose_word;
	bsim_rng_ctr *ctr;
};

struct bsim_rng {
	uint64_t seed;
	gsl_rng *view;
};

static inline uint64_t purpose_word(enum bsim_rng_purpose purpose)
{
	return ((uint64_t)BSIM_RNG_SCHEME_VERSION << 32) | (uint64_t)purpose;
}

static inline uint64_t draw(uint64_t seed, uint64_t entity, uint64_t pword,
			    uint64_t index)
{
	philox4x64_ctr_t c = { { index, pword, 0, 0 } };
	philox4x64_key_t k = { { seed, entity } };

	return philox4x64(c, k).v[0];
}

static inline uint64_t next(uint64_t seed, uint64_t entity, uint64_t pword,
			    bsim_rng_ctr *ctr)
{
	assert(*ctr != UINT32_MAX && "random stream exhausted");
	return draw(seed, entity, pword, (*ctr)++);
}

static inline double to_unit(uint64_t x)
{
	return (double)(x >> 11) * 0x1.0p-53;
}

static void view_set(void *state, unsigned long seed)
{
	(void)state;
	(void)seed; /* Keys come from bsim_rng_bind(), never from GSL. */
}

static unsigned long view_get(void *state)
{
	struct view_state *s = state;

	return (unsigned long)(next(s->seed, s->entity, s->purpose_word,
				    s->ctr) >>
			       32);
}

static double view_get_double(void *state)
{
	struct view_state *s = state;

	return to_unit(next(s->seed, s->entity, s->purpose_word, s->ctr));
}

static const gsl_rng_type view_type = {
	.name = "bsim-philox4x64",
	.max = 0xffffffffUL,
	.min = 0,
	.size = sizeof(struct view_state),
	.set = view_set,
	.get = view_get,
	.get_double = view_get_double,
};

struct bsim_rng *bsim_rng_create(uint64_t seed)
{
	struct bsim_rng *rng = calloc(1, sizeof(*rng));

	if (!rng)
		return NULL;
	rng->seed = seed;
	rng->view = gsl_rng_alloc(&view_type);
	if (!rng->view) {
		free(rng);
		return NULL;
	}
	return rng;
}

void bsim_rng_destroy(struct bsim_rng *rng)
{
	if (!rng)
		return;
	gsl_rng_free(rng->view);
	free(rng);
}

uint64_t bsim_rng_seed(const struct bsim_rng *rng)
{
	return rng->seed;
}

uint64_t bsim_rng_at(const struct bsim_rng *rng, uint64_t entity,
		     enum bsim_rng_purpose purpose, uint64_t index)
{
	return draw(rng->seed, entity, purpose_word(purpose), index);
}

double bsim_rng_uniform_at(const struct bsim_rng *rng, uint64_t entity,
			   enum bsim_rng_purpose purpose, uint64_t index)
{
	return to_unit(bsim_rng_at(rng, entity, purpose, index));
}

uint64_t bsim_rng_u64(const struct bsim_rng *rng, uint64_t entity,
		      enum bsim_rng_purpose purpose, bsim_rng_ctr *ctr)
{
	return next(rng->seed, entity, purpose_word(purpose), ctr);
}

double bsim_rng_uniform(const struct bsim_rng *rng, uint64_t entity,
			enum bsim_rng_purpose purpose, bsim_rng_ctr *ctr)
{
	return to_unit(next(rng->seed, entity, purpose_word(purpose), ctr));
}

gsl_rng *bsim_rng_bind(struct bsim_rng *rng, uint64_t entity,
		       enum bsim_rng_purpose purpose, bsim_rng_ctr *ctr)
{
	struct view_state *s = rng->view->state;

	s->seed = rng->seed;
	s->entity = entity;
	s->purpose_word = purpose_word(purpose);
	s->ctr = ctr;
	return rng->view;
}

uint64_t bsim_rng_exp_ns(struct bsim_rng *rng, uint64_t entity,
			 enum bsim_rng_purpose purpose, bsim_rng_ctr *ctr,
			 double mean_s)
{
	double u = bsim_rng_uniform(rng, entity, purpose, ctr);

	return (uint64_t)llround(-log1p(-u) * mean_s * 1e9);
}
