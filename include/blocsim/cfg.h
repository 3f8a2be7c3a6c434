/* SPDX-License-Identifier: MIT */
/**
 * @file cfg.h
 * @brief The scenario language's document layer: YAML files with
 *        `extends:` and `--set` overrides, every node knowing where it came
 *        from, and typed readers whose errors name file, line, column and
 *        key path.
 *
 * A document is loaded from a file; a root key `extends: FILE` (relative to
 * the file) loads FILE first and deep-merges this file onto it: mappings
 * merge key by key, anything else (scalars, sequences) is replaced. Then
 * `--set a.b.c=value` overrides address the merged keys. Scenario and sweep
 * files share this layer. Error messages have the form
 *   FILE:LINE:COLUMN: key.path: what is wrong
 * (1-based line and column, in the file that holds the mistake, also inside
 * an extended file), or `--set #K: key.path: ...` for the K-th override.
 */
#ifndef BSIM_CFG_H
#define BSIM_CFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Node kinds. */
enum bsim_cfg_kind {
	BSIM_CFG_SCALAR,
	BSIM_CFG_MAP,
	BSIM_CFG_SEQ,
};

/** One node of a document. Read-only for users; owned by the document. */
struct bsim_cfg_node {
	enum bsim_cfg_kind kind;
	const char *file; /**< Source file, or "--set #K". */
	int line, col;	  /**< 1-based position; 0 for overrides. */
	int kline, kcol;  /**< Where its key stands in the parent mapping
			       (else line, col). */
	char *path;	  /**< Key path: "operators.DT-DE.mnc", "a.b[2]". */
	char *text;	  /**< Scalar text (NULL for collections). */
	bool quoted;	  /**< Scalar was quoted: always a string. */
	size_t n;	  /**< Children of a mapping or sequence. */
	char **keys;	  /**< Mapping keys, in file order. */
	struct bsim_cfg_node **child; /**< Children, in file order. */
};

/** A loaded document. */
struct bsim_cfg;

/** The first error of an operation, formatted as described above. */
struct bsim_cfg_err {
	char msg[1024];
};

/**
 * Load @p path and everything it extends.
 * @return 0 and *out (caller frees with bsim_cfg_destroy()), or BSIM_EIO
 *         (unreadable file), BSIM_EPARSE (bad YAML, a broken or cyclic
 *         extends) with @p err filled.
 */
int bsim_cfg_load(const char *path, struct bsim_cfg **out,
		  struct bsim_cfg_err *err);

/** Parse a document from memory; @p name stands for the file in errors. */
int bsim_cfg_load_string(const char *text, const char *name,
			 struct bsim_cfg **out, struct bsim_cfg_err *err);

/** Free a document. Accepts NULL. */
void bsim_cfg_destroy(struct bsim_cfg *cfg);

/**
 * Apply override number @p index (1-based, for messages) "a.b.c=value".
 * Every key but the last must name an existing mapping; the last is
 * replaced or added. The value is YAML ("12", "true", "[1, 2]", "x").
 * @return 0, or BSIM_EPARSE with @p err filled.
 */
int bsim_cfg_override(struct bsim_cfg *cfg, const char *assignment, int index,
		      struct bsim_cfg_err *err);

/** The root mapping (never NULL after a successful load). */
const struct bsim_cfg_node *bsim_cfg_root(const struct bsim_cfg *cfg);

/** Child of mapping @p map at @p key, or NULL (also if @p map is NULL). */
const struct bsim_cfg_node *bsim_cfg_get(const struct bsim_cfg_node *map,
					 const char *key);

/**
 * Fill @p err with "LOCATION: PATH: message" for node @p n.
 * @return BSIM_EPARSE, for `return bsim_cfg_fail(...)`.
 */
int bsim_cfg_fail(const struct bsim_cfg_node *n, struct bsim_cfg_err *err,
		  const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 3, 4)))
#endif
	;

/**
 * Check that @p map is a mapping whose keys are all in the NULL-terminated
 * list @p allowed: a typo is an error, never ignored.
 */
int bsim_cfg_check_keys(const struct bsim_cfg_node *map,
			const char *const *allowed, struct bsim_cfg_err *err);

/*
 * Typed readers of map[key]. With @p required false an absent key leaves
 * *out unchanged (the default) and returns 0; a present key of the wrong
 * type or out of range is an error naming its location.
 */

/** A whole number in [min, max]. */
int bsim_cfg_u64(const struct bsim_cfg_node *map, const char *key,
		 bool required, uint64_t min, uint64_t max, uint64_t *out,
		 struct bsim_cfg_err *err);

/** A finite real number in [min, max]. */
int bsim_cfg_double(const struct bsim_cfg_node *map, const char *key,
		    bool required, double min, double max, double *out,
		    struct bsim_cfg_err *err);

/** `true` or `false`, nothing else. */
int bsim_cfg_bool(const struct bsim_cfg_node *map, const char *key,
		  bool required, bool *out, struct bsim_cfg_err *err);

/** A non-empty string (borrowed from the document). */
int bsim_cfg_string(const struct bsim_cfg_node *map, const char *key,
		    bool required, const char **out, struct bsim_cfg_err *err);

/**
 * Money in euro as decimal text ("0.35", "12", "0.000001"), converted
 * exactly to integer micro-euro, never through a float: more than six
 * decimals, an exponent or an overflow is an error. Negative amounts are
 * refused unless @p allow_negative.
 */
int bsim_cfg_money_ueur(const struct bsim_cfg_node *map, const char *key,
			bool required, bool allow_negative, int64_t *out,
			struct bsim_cfg_err *err);

/**
 * A UTC date-time "YYYY-MM-DDTHH:MM:SSZ" (run.start), as seconds since
 * 1970-01-01T00:00:00Z; impossible dates and a missing "Z" are errors.
 */
int bsim_cfg_utc(const struct bsim_cfg_node *map, const char *key,
		 bool required, int64_t *unix_s, struct bsim_cfg_err *err);

/** Parse euro decimal text into micro-euro exactly (0 or BSIM_ERANGE). */
int bsim_parse_money_ueur(const char *text, int64_t *out);

/**
 * The merged document as YAML, with overrides applied and `extends`
 * removed: loading it gives the same document. Caller frees with free().
 * @return the text, or NULL when out of memory.
 */
char *bsim_cfg_to_yaml(const struct bsim_cfg *cfg);

#ifdef __cplusplus
}
#endif

#endif /* BSIM_CFG_H */
