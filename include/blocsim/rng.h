/* SPDX-License-Identifier: MIT */
/**
 * @file rng.h
 * @brief Counter-based random streams keyed by (seed, entity, purpose).
 *
 * Every draw is Philox4x64-10 (Random123) of a counter under a key:
 *   key     = { run seed, entity id }
 *   counter = { draw index, (scheme version << 32) | purpose, 0, 0 }
 * The first 64-bit output word is the draw. A stream therefore depends on
 * nothing but its key and its own draw index: an entity's numbers are the
 * same whatever other entities exist and whatever order events run in. This
 * is what gives sweeps common random numbers across topologies and lets a
 * distributed run reproduce a sequential one. Per-entity state is one draw
 * counter per purpose, kept by the model.
 *
 * GSL's distributions run on these streams through one re-keyable gsl_rng
 * view per bsim_rng: bsim_rng_bind() points the view at a stream, and every
 * number a gsl_ran_* call consumes advances that stream's counter.
 */
#ifndef BSIM_RNG_H
#define BSIM_RNG_H

#include <gsl/gsl_rng.h>

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Version of the stream layout; part of every counter and result file. */
#define BSIM_RNG_SCHEME_VERSION 1

/** Human-readable scheme name, written to result files. */
#define BSIM_RNG_SCHEME "philox4x64-10/key(seed,entity)/ctr(draw,v1|purpose)"

/**
 * Purposes of random draws: a fixed list. Values never change meaning;
 * a new purpose gets a new number, a changed meaning a new scheme version.
 */
enum bsim_rng_purpose {
	BSIM_RNG_PLACEMENT = 1,	   /**< Initial position, home, timer phases. */
	BSIM_RNG_ROUTE = 2,	   /**< Route choice, trip times, dwell. */
	BSIM_RNG_TRAFFIC = 3,	   /**< Report times and payload sizes. */
	BSIM_RNG_BACKOFF = 4,	   /**< Retry and back-off timers. */
	BSIM_RNG_SELECTION = 5,	   /**< Network selection ties and order. */
	BSIM_RNG_NODE_SERVICE = 6, /**< Service times at signalling nodes. */
	BSIM_RNG_COVERAGE = 7,	   /**< Coverage and cell quality placement. */
	BSIM_RNG_FAILURE = 8,	   /**< Random faults and repair times. */
	BSIM_RNG_BENCH = 9,	   /**< Benchmark workloads. */
	BSIM_RNG_TEST = 10,	   /**< Tests only. */
	BSIM_RNG_MT = 11,	   /**< Mobile-terminated message arrivals. */
	BSIM_RNG_NODE_BACKGROUND = 12, /**< Background transactions at
					    signalling nodes: gaps and
					    service times. */
};

/** Entity kinds; ids of different kinds never collide. */
enum bsim_entity_kind {
	BSIM_ENTITY_DEVICE = 0,
	BSIM_ENTITY_NODE = 1,	  /**< Signalling node (MME, HSS, IPX, ...). */
	BSIM_ENTITY_OPERATOR = 2, /**< Operator or agreement-level draws. */
	BSIM_ENTITY_WORLD = 3,	  /**< Scenario-wide draws. */
};

/** Entity id of index @p index (< 2^56) of kind @p kind. */
static inline uint64_t bsim_entity(enum bsim_entity_kind kind, uint64_t index)
{
	return ((uint64_t)kind << 56) | (index & ((UINT64_C(1) << 56) - 1));
}

/** One stream's draw counter (the only per-entity state). */
typedef uint32_t bsim_rng_ctr;

struct bsim_rng;

/**
 * Create a stream factory for run seed @p seed with its gsl_rng view.
 * @return the object (caller frees with bsim_rng_destroy()), or NULL when
 *         out of memory.
 */
struct bsim_rng *bsim_rng_create(uint64_t seed);

/** Free the object. Accepts NULL. */
void bsim_rng_destroy(struct bsim_rng *rng);

/** The run seed. */
uint64_t bsim_rng_seed(const struct bsim_rng *rng);

/**
 * The raw 64-bit draw number @p index of stream (entity, purpose); pure.
 */
uint64_t bsim_rng_at(const struct bsim_rng *rng, uint64_t entity,
		     enum bsim_rng_purpose purpose, uint64_t index);

/** Draw number @p index of stream (entity, purpose) as a uniform double
 *  in [0, 1) with 53 random bits; pure (no counter). */
double bsim_rng_uniform_at(const struct bsim_rng *rng, uint64_t entity,
			   enum bsim_rng_purpose purpose, uint64_t index);

/** Next 64-bit draw of a stream; advances *ctr. */
uint64_t bsim_rng_u64(const struct bsim_rng *rng, uint64_t entity,
		      enum bsim_rng_purpose purpose, bsim_rng_ctr *ctr);

/** Next uniform double in [0, 1) with 53 random bits; advances *ctr. */
double bsim_rng_uniform(const struct bsim_rng *rng, uint64_t entity,
			enum bsim_rng_purpose purpose, bsim_rng_ctr *ctr);

/**
 * Point the gsl_rng view at stream (entity, purpose) with counter @p ctr,
 * which the view advances on every number it produces; @p ctr must stay
 * valid until the next bind. Use the result with any gsl_ran_* function.
 * The view is owned by @p rng (never free it); binding again re-keys it.
 */
gsl_rng *bsim_rng_bind(struct bsim_rng *rng, uint64_t entity,
		       enum bsim_rng_purpose purpose, bsim_rng_ctr *ctr);

/**
 * Sample an exponential time with mean @p mean_s seconds, as whole
 * nanoseconds (rounded to nearest); advances *ctr.
 */
uint64_t bsim_rng_exp_ns(struct bsim_rng *rng, uint64_t entity,
			 enum bsim_rng_purpose purpose, bsim_rng_ctr *ctr,
			 double mean_s);

#ifdef __cplusplus
}
#endif

#endif /* BSIM_RNG_H */
