/* SPDX-License-Identifier: MIT */
/*
 * Real borders from Debian's gmt-dcw: decoding, rasterising, and where the
 * straight Rotterdam-Duisburg segment leaves the Netherlands (about
 * 51.56 N, 6.17 E; computed independently from the same outline).
 */
#include <blocsim/error.h>
#include <blocsim/geo.h>

#include <criterion/criterion.h>

#include <string.h>

/* City coordinates: Wikipedia/GeoNames city centres. */
#define ROTTERDAM 51.9225, 4.47917
#define DUISBURG 51.4344, 6.7623

Test(dcw, outlines_decode_to_their_published_boxes)
{
	struct bsim_rings de, us;
	char err[256];

	cr_assert_eq(bsim_dcw_read(BSIM_DCW_PATH, "DE", &de, err, sizeof(err)),
		     0, "%s", err);
	cr_assert_float_eq(de.south, 47.28, 0.01);
	cr_assert_float_eq(de.north, 55.06, 0.01);
	cr_assert_float_eq(de.west, 5.87, 0.01);
	cr_assert_float_eq(de.east, 15.00, 0.02);
	cr_assert_gt(de.nrings, 1, "islands are separate rings");
	cr_assert_lt(de.n, 6563);
	/* Longitudes stored in 0..360 come back in -180..180. */
	cr_assert_eq(bsim_dcw_read(BSIM_DCW_PATH, "US", &us, err, sizeof(err)),
		     0, "%s", err);
	cr_assert_geq(us.west, -180);
	cr_assert_leq(us.east, 180);
	cr_assert_lt(us.west, -120, "the US lies west of Greenwich");
	bsim_rings_finish(&de);
	bsim_rings_finish(&us);
}

Test(dcw, unknown_country_or_file_fails_with_a_message)
{
	struct bsim_rings r;
	char err[256];

	cr_assert_eq(bsim_dcw_read(BSIM_DCW_PATH, "XQ", &r, err, sizeof(err)),
		     BSIM_ENOTFOUND);
	cr_assert(strstr(err, "'XQ'"), "%s", err);
	cr_assert_eq(
		bsim_dcw_read("/nonexistent.nc", "DE", &r, err, sizeof(err)),
		BSIM_EIO);
	cr_assert(strstr(err, "gmt-dcw"), "%s", err);
}

Test(dcw, rotterdam_duisburg_leaves_nl_at_the_real_border)
{
	static const char *const iso[] = { "NL", "BE", "DE", "LU" };
	struct bsim_grid g;
	struct bsim_grid_step s[256];
	char err[256];
	size_t n, cells_nl = 0, cells_de = 0;
	double lat, lon, t;
	const double cell_km = 5.0;

	cr_assert_eq(bsim_grid_init(&g, 47, 2, 55.5, 15.5, cell_km), 0);
	for (uint16_t c = 0; c < 4; c++) {
		struct bsim_rings r;

		cr_assert_eq(bsim_dcw_read(BSIM_DCW_PATH, iso[c], &r, err,
					   sizeof(err)),
			     0, "%s", err);
		cr_assert_gt(bsim_grid_rasterize(&g, &r, c), 0);
		bsim_rings_finish(&r);
	}
	for (size_t i = 0; i < (size_t)g.nx * g.ny; i++) {
		cells_nl += g.country[i] == 0;
		cells_de += g.country[i] == 2;
	}
	/* Areas (Destatis, CBS): DE 357,022 km^2; NL 33,893 km^2 of land,
	 * 41,850 with water, part of which the outline includes. */
	cr_assert_float_eq(cells_de * cell_km * cell_km, 357022, 357022 * 0.03);
	cr_assert_geq(cells_nl * cell_km * cell_km, 33893 * 0.97);
	cr_assert_leq(cells_nl * cell_km * cell_km, 41850);
	n = bsim_grid_walk(&g, ROTTERDAM, DUISBURG, s, 256);
	cr_assert_eq(g.country[s[0].cell], 0, "Rotterdam is in NL");
	cr_assert_eq(g.country[s[n - 1].cell], 2, "Duisburg is in DE");
	for (size_t i = 1; i < n; i++) {
		if (g.country[s[i].cell] == 0)
			continue;
		t = s[i].t_enter;
		lat = 51.9225 + t * (51.4344 - 51.9225);
		lon = 4.47917 + t * (6.7623 - 4.47917);
		cr_assert_lt(bsim_geo_distance_km(lat, lon, 51.5623, 6.1640),
			     cell_km,
			     "left NL at %.4f N %.4f E, more than one cell "
			     "from the border",
			     lat, lon);
		cr_assert_eq(g.country[s[i].cell], 2, "into Germany");
		bsim_grid_finish(&g);
		return;
	}
	cr_assert_fail("the walk never left the Netherlands");
}
