/* SPDX-License-Identifier: MIT */
/* The cell grid: rasterisation, look-up, segment walks, distances. */
#include <blocsim/error.h>
#include <blocsim/geo.h>

#include <criterion/criterion.h>

#include <math.h>
#include <stdlib.h>

/* A 2x2 degree square at (50..52 N, 4..6 E) with a 1x1 hole in the middle
 * (a second ring: even-odd makes it a hole). */
static void square_with_hole(struct bsim_rings *r)
{
	static double lat[] = { 50, 50, 52, 52, 50.5, 51.5, 51.5, 50.5 };
	static double lon[] = { 4, 6, 6, 4, 4.5, 4.5, 5.5, 5.5 };
	static size_t start[] = { 0, 4 };

	*r = (struct bsim_rings){ 8, lat, lon, 2, start, 50, 4, 52, 6 };
}

Test(geo, rasterise_fills_the_inside_and_leaves_holes)
{
	struct bsim_grid g;
	struct bsim_rings r;
	size_t marked, inside = 0, hole = 0;
	double lat, lon;

	square_with_hole(&r);
	cr_assert_eq(bsim_grid_init(&g, 49, 3, 53, 7, 5.0), 0);
	marked = bsim_grid_rasterize(&g, &r, 3);
	for (uint32_t c = 0; c < g.nx * g.ny; c++) {
		bsim_grid_centre(&g, c, &lat, &lon);
		bool in_sq = lat > 50 && lat < 52 && lon > 4 && lon < 6;
		bool in_hole =
			lat > 50.5 && lat < 51.5 && lon > 4.5 && lon < 5.5;

		if (in_sq && !in_hole) {
			cr_assert_eq(g.country[c], 3, "cell %u at %.3f,%.3f", c,
				     lat, lon);
			inside++;
		} else {
			cr_assert_eq(g.country[c], BSIM_GEO_NONE);
			hole += in_hole;
		}
	}
	cr_assert_eq(marked, inside);
	cr_assert_gt(hole, 100);
	/* A second country never overwrites the first. */
	cr_assert_eq(bsim_grid_rasterize(&g, &r, 4), 0);
	bsim_grid_finish(&g);
}

Test(geo, cells_are_cell_km_wide_at_the_middle_latitude)
{
	struct bsim_grid g;

	cr_assert_eq(bsim_grid_init(&g, 50, 0, 52, 10, 10.0), 0);
	cr_assert_float_eq(bsim_geo_distance_km(51, 5, 51, 5 + g.dlon), 10.0,
			   0.01);
	cr_assert_float_eq(bsim_geo_distance_km(51, 5, 51 + g.dlat, 5), 10.0,
			   0.01);
	cr_assert_eq(bsim_grid_cell(&g, 49.9, 5), -1);
	cr_assert_eq(bsim_grid_cell(&g, 50.0 + g.dlat * 1.5, g.dlon * 2.5),
		     (int64_t)g.nx + 2);
	bsim_grid_finish(&g);
	cr_assert_eq(bsim_grid_init(&g, 52, 0, 50, 10, 10.0), BSIM_EINVAL);
	cr_assert_eq(bsim_grid_init(&g, 50, 0, 52, 10, 0.0), BSIM_EINVAL);
}

Test(geo, a_walk_visits_adjacent_cells_in_order)
{
	struct bsim_grid g;
	struct bsim_grid_step s[512];
	size_t n;

	cr_assert_eq(bsim_grid_init(&g, 50, 0, 52, 4, 5.0), 0);
	n = bsim_grid_walk(&g, 50.1, 0.1, 51.9, 3.7, s, 512);
	cr_assert_gt(n, 10);
	cr_assert_lt(n, 512);
	cr_assert_eq(s[0].cell, (uint32_t)bsim_grid_cell(&g, 50.1, 0.1));
	cr_assert_eq(s[0].t_enter, 0);
	cr_assert_eq(s[n - 1].cell, (uint32_t)bsim_grid_cell(&g, 51.9, 3.7));
	for (size_t i = 1; i < n; i++) {
		long dx =
			(long)(s[i].cell % g.nx) - (long)(s[i - 1].cell % g.nx);
		long dy =
			(long)(s[i].cell / g.nx) - (long)(s[i - 1].cell / g.nx);

		cr_assert_eq(labs(dx) + labs(dy), 1, "step %zu jumps", i);
		cr_assert_geq(s[i].t_enter, s[i - 1].t_enter);
		cr_assert_leq(s[i].t_enter, 1.0);
	}
	/* The entry point of each cell lies on its boundary. */
	for (size_t i = 1; i < n; i++) {
		double t = s[i].t_enter;
		double lat = 50.1 + t * 1.8, lon = 0.1 + t * 3.6;
		double fx = (lon - g.west) / g.dlon,
		       fy = (lat - g.south) / g.dlat;

		cr_assert(fabs(fx - round(fx)) < 1e-9 ||
				  fabs(fy - round(fy)) < 1e-9,
			  "step %zu enters off a cell edge", i);
	}
	bsim_grid_finish(&g);
}

Test(geo, great_circle_distances)
{
	/* Rotterdam to Duisburg (166.505 km by an independent haversine),
	 * and a quarter of a meridian. */
	cr_assert_float_eq(
		bsim_geo_distance_km(51.9225, 4.47917, 51.4344, 6.7623),
		166.505, 0.001);
	cr_assert_float_eq(bsim_geo_distance_km(0, 0, 90, 0),
			   BSIM_EARTH_RADIUS_KM * 3.14159265358979 / 2, 1e-6);
	cr_assert_eq(bsim_geo_distance_km(10, 10, 10, 10), 0);
}
