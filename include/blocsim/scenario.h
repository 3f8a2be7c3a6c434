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
#include <blocsim/geo.h>
#include <blocsim/world.h>

#include <stddef.h>
#include <stdio.h>

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

/**
 * As bsim_scenario_load(), from YAML @p text (no `extends`), e.g. the
 * resolved scenario kept in a result file; @p name labels messages.
 */
int bsim_scenario_load_text(const char *text, const char *name,
			    const char *const *sets, size_t nsets,
			    struct bsim_world **out, char **resolved,
			    struct bsim_cfg_err *err);

/**
 * Write the Markdown key tables of the scenario sections that are declared
 * in tables (scenarios/README.md holds the same text between its
 * `<!-- keys:begin -->` and `<!-- keys:end -->` markers).
 */
void bsim_scenario_keys_markdown(FILE *f);

/**
 * Print, for `blocsim check`, the values of @p w's run, grid, operators,
 * platforms and classes that differ from their defaults, one line per
 * entity that has any ("  operator DT-DE: hss_capacity_per_s=2000 tx/s").
 */
void bsim_scenario_print_settings(FILE *f, const struct bsim_world *w);

/**
 * Build the world's map: its grid with every territory country
 * rasterised from the gmt-dcw outlines.
 * @return 0 and @p g filled (free with bsim_grid_finish()); BSIM_EIO when
 *         the outlines cannot be read, BSIM_EINVAL when a territory has no
 *         cell on the grid, with @p err filled.
 */
int bsim_scenario_geography(const struct bsim_world *w, struct bsim_grid *g,
			    char *err, size_t errlen);

#ifdef __cplusplus
}
#endif

#endif /* BSIM_SCENARIO_H */
