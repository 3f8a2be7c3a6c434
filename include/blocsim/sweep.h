/* SPDX-License-Identifier: MIT */
/**
 * @file sweep.h
 * @brief Sweep files: parameters to vary, constraints and filters, stable
 *        run ids and per-replication seeds.
 *
 * A sweep file is YAML in the scenario language (errors read
 * `file:line:column: key.path: ...`):
 *
 *     sweep:
 *       base: default.yaml        # scenario, relative to the sweep file
 *       seed: 1                   # sweep seed
 *       replications: 5
 *       parameters:               # grid axes, by --set path; the first
 *         topology: [blocs, arms-length]          # varies slowest
 *         operators.DT-DE.hss_capacity_per_s: [1000, 5000]
 *       zip:                      # lists that advance together: one axis
 *         - {a.b: [1, 2], c.d: [x, y]}
 *       constraints:              # runs must satisfy every expression
 *         - "topology != 'arms-length' || replication < 2"
 *       set:                      # overrides applied to every run
 *         run.duration_s: 3600
 *
 * A parameter named `topology` with value X selects X.yaml beside the base
 * scenario; the other settings apply on top of it.
 *
 * Expressions (constraints and --filter):
 *     expr    := and ('||' and)*
 *     and     := unary ('&&' unary)*
 *     unary   := '!' unary | '(' expr ')' | operand [cmp operand]
 *     cmp     := '==' | '!=' | '<' | '<=' | '>' | '>='
 *     operand := name | number | 'text' | "text"
 * A name is a parameter path (letters, digits, '_', '.', '-', starting
 * with a letter or '_') or `replication`. Two numbers compare as numbers,
 * anything else as text. A lone operand is true when non-zero/non-empty.
 *
 * Run ids: 16 hex digits of FNV-1a (64-bit), finished by MurmurHash3's
 * fmix64, over the canonical text of the run's parameters: "key=value\n"
 * lines with keys sorted bytewise and numbers normalised (printf "%.17g"
 * of their value, so 1000, 1e3 and 1000.0 agree), then "replication=R\n".
 *
 * Seeds (scheme v1): seed = first word of Philox4x64-10 with key
 * (sweep seed, 0x5357454550) and counter (replication, 1, 0, 0). Every
 * configuration of one replication gets the same seed, hence the same
 * device streams: comparisons between topologies are paired (common
 * random numbers).
 */
#ifndef BSIM_SWEEP_H
#define BSIM_SWEEP_H

#include <blocsim/cfg.h>

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Version of the seed derivation; written to index files. */
#define BSIM_SWEEP_SEED_SCHEME 1

/** One name = value pair of a run. */
struct bsim_param {
	char *name;
	char *value;
};

/** One run of a sweep. */
struct bsim_run {
	char id[17];	      /**< Run id, 16 hex digits. */
	uint64_t replication; /**< 0-based. */
	uint64_t seed;	      /**< Run seed. */
	size_t nparams;
	struct bsim_param *params; /**< Swept parameters, in file order. */
};

/** An expanded sweep. */
struct bsim_sweep {
	char *base;    /**< Base scenario path (resolved). */
	uint64_t seed; /**< Sweep seed. */
	uint64_t replications;
	size_t nset;
	struct bsim_param *set; /**< Fixed overrides. */
	size_t nruns;
	struct bsim_run *runs; /**< In canonical order. */
};

/**
 * Load and expand a sweep file (constraints applied).
 * @return 0 and *out (free with bsim_sweep_destroy()), or BSIM_EIO /
 *         BSIM_EPARSE with @p err filled.
 */
int bsim_sweep_load(const char *path, struct bsim_sweep **out,
		    struct bsim_cfg_err *err);

/** Free a sweep. Accepts NULL. */
void bsim_sweep_destroy(struct bsim_sweep *s);

/** The seed of replication @p r under sweep seed @p sweep_seed. */
uint64_t bsim_sweep_seed(uint64_t sweep_seed, uint64_t r);

/** Fill @p id (17 bytes) with the run id of these parameters. */
void bsim_run_id(const struct bsim_param *params, size_t n,
		 uint64_t replication, char id[17]);

/** A parsed expression. */
struct bsim_expr;

/**
 * Parse an expression; on error fill @p err with "WHERE: column C: what"
 * (@p where names the source, e.g. "--filter" or a file position).
 */
int bsim_expr_parse(const char *text, const char *where, struct bsim_expr **out,
		    struct bsim_cfg_err *err);

/** Free an expression. Accepts NULL. */
void bsim_expr_destroy(struct bsim_expr *e);

/**
 * Evaluate for a run. A name that is not a parameter of the run (nor
 * `replication`) is an error (BSIM_ENOTFOUND, @p err filled).
 * @return 1 (true), 0 (false), or a negative error.
 */
int bsim_expr_eval(const struct bsim_expr *e, const struct bsim_run *run,
		   struct bsim_cfg_err *err);

#ifdef __cplusplus
}
#endif

#endif /* BSIM_SWEEP_H */
