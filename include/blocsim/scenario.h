/* SPDX-License-Identifier: MIT */
/**
 * @file scenario.h
 * @brief Loading a scenario file into a validated world (io/scenario.c).
 *
 * Every mistake is reported as `file:line:column: key.path: what is wrong`
 * (or `--set #K: key.path: ...`): unknown keys, wrong types, out-of-range
 * values and broken cross-references (a bloc member that is not an
 * operator, an operator in a country that does not exist) are errors, never
 * silently ignored.
 */
#ifndef BSIM_SCENARIO_H
#define BSIM_SCENARIO_H

#include <blocsim/cfg.h>
#include <blocsim/world.h>

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Load @p path (following `extends`), apply the @p nsets overrides
 * "path=value" in order, and validate.
 * @param resolved if not NULL, receives the merged scenario as YAML
 *        (caller frees with free()), for result files and `--from`.
 * @return 0 and *out (free with bsim_world_destroy()); BSIM_EIO or
 *         BSIM_EPARSE with @p err filled.
 */
int bsim_scenario_load(const char *path, const char *const *sets, size_t nsets,
		       struct bsim_world **out, char **resolved,
		       struct bsim_cfg_err *err);

#ifdef __cplusplus
}
#endif

#endif /* BSIM_SCENARIO_H */
