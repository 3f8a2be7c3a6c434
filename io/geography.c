/* SPDX-License-Identifier: MIT */
/*
 * The scenario's map: its grid with every territory country rasterised
 * from Debian's gmt-dcw outlines (real borders; GEOGRAPHY.md). Countries
 * are drawn in scenario order; a cell already taken stays with the first.
 */
#include <blocsim/error.h>
#include <blocsim/geo.h>
#include <blocsim/scenario.h>

#include <stdio.h>

int bsim_scenario_geography(const struct bsim_world *w, struct bsim_grid *g,
			    char *err, size_t errlen)
{
	const struct bsim_grid_settings *gs = &w->grid;
	int rc = bsim_grid_init(g, gs->south, gs->west, gs->north, gs->east,
				gs->cell_km);

	if (rc) {
		snprintf(err, errlen,
			 "grid: cannot build a grid of %g km "
			 "cells over the extent",
			 gs->cell_km);
		return rc;
	}
	for (size_t c = 0; c < w->ncountries; c++) {
		const struct bsim_country *k = &w->countries[c];
		struct bsim_rings r;
		size_t n;

		if (!k->territory)
			continue;
		rc = bsim_dcw_read(BSIM_DCW_PATH, k->iso, &r, err, errlen);
		if (rc) {
			bsim_grid_finish(g);
			return rc;
		}
		n = bsim_grid_rasterize(g, &r, (uint16_t)c);
		bsim_rings_finish(&r);
		if (n == 0) {
			snprintf(err, errlen,
				 "countries.%s: no cell of the grid lies in "
				 "%s (extend the grid or set territory: "
				 "false)",
				 k->name, k->iso);
			bsim_grid_finish(g);
			return BSIM_EINVAL;
		}
	}
	return 0;
}
