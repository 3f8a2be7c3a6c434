/* SPDX-License-Identifier: MIT */
/**
 * @file geo.h
 * @brief Geography: country outlines, the scenario's cell grid, and walking
 *        straight segments across it.
 *
 * The grid is a plate carrée (equirectangular) raster: cells are dlat by
 * dlon degrees, with dlon chosen so that a cell is cell_km wide at the
 * grid's reference latitude. At the scale of a European scenario this is
 * what a route needs (which cell, which country, when the next boundary
 * comes); distances for latency are great-circle, not grid distances.
 * Countries are rasterised once at load by a scanline fill of their
 * outlines (even-odd rule, so lakes and enclaves cut holes): a device's
 * country is then a table look-up.
 */
#ifndef BSIM_GEO_H
#define BSIM_GEO_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Mean Earth radius, km (IUGG). */
#define BSIM_EARTH_RADIUS_KM 6371.0088

/** Country code of a cell that belongs to no rasterised country. */
#define BSIM_GEO_NONE UINT16_MAX

/** A country outline: closed rings of (lat, lon) degrees, lon in -180..180. */
struct bsim_rings {
	size_t n;      /**< Points in all rings. */
	double *lat;   /**< Latitudes, degrees north. */
	double *lon;   /**< Longitudes, degrees east. */
	size_t nrings; /**< Rings. */
	size_t *start; /**< First point of each ring; ring r ends before
			      start[r + 1] (or n). */
	double south, west, north, east; /**< Bounding box, degrees. */
};

/** Free the arrays of an outline (not the struct). Accepts NULL. */
void bsim_rings_finish(struct bsim_rings *r);

/** The scenario's raster. */
struct bsim_grid {
	double south, west; /**< South-west corner of cell (0, 0), degrees. */
	double dlat, dlon;  /**< Cell size, degrees. */
	double cell_km;	    /**< Cell width at the reference latitude, km. */
	uint32_t nx, ny;    /**< Columns (west to east) and rows (south to
				 north). */
	uint16_t *country;  /**< nx * ny country indices, row-major from the
				 south-west; BSIM_GEO_NONE where none. */
};

/**
 * Set up a grid covering [south, north] x [west, east] with cells of
 * @p cell_km (>= 0.1) at the box's middle latitude; every cell starts as
 * BSIM_GEO_NONE.
 * @return 0, BSIM_EINVAL for an empty box or bad size, or BSIM_ENOMEM.
 */
int bsim_grid_init(struct bsim_grid *g, double south, double west, double north,
		   double east, double cell_km);

/** Free the grid's cells. Accepts NULL or a zeroed grid. */
void bsim_grid_finish(struct bsim_grid *g);

/**
 * Mark with @p country every still-unassigned cell whose centre lies
 * inside @p r (even-odd rule over all its rings).
 * @return the number of cells marked.
 */
size_t bsim_grid_rasterize(struct bsim_grid *g, const struct bsim_rings *r,
			   uint16_t country);

/** Cell index (iy * nx + ix) of a point, or -1 outside the grid. */
int64_t bsim_grid_cell(const struct bsim_grid *g, double lat, double lon);

/** Centre of cell @p cell, degrees. */
void bsim_grid_centre(const struct bsim_grid *g, uint32_t cell, double *lat,
		      double *lon);

/** One cell entered while walking a segment. */
struct bsim_grid_step {
	uint32_t cell;	/**< Cell index. */
	double t_enter; /**< Fraction of the segment, 0..1, where it starts. */
};

/**
 * The cells that the straight segment (lat0, lon0) -> (lat1, lon1) passes
 * through, in order (a grid traversal, Amanatides and Woo 1987), with the
 * fraction of the segment at which each is entered. Writes at most @p max
 * steps; stops at the grid's edge.
 * @return the number of steps the whole walk has (may exceed @p max).
 */
size_t bsim_grid_walk(const struct bsim_grid *g, double lat0, double lon0,
		      double lat1, double lon1, struct bsim_grid_step *steps,
		      size_t max);

/** Great-circle distance in km (haversine on a sphere). */
double bsim_geo_distance_km(double lat0, double lon0, double lat1, double lon1);

/**
 * Read country @p iso2 (e.g. "DE") from the Digital Chart of the World as
 * Debian's gmt-dcw ships it (@p path, usually
 * /usr/share/gmt-dcw/dcw-gmt.nc): decoded, split into rings, longitudes
 * normalised to -180..180.
 * @return 0, BSIM_ENOTFOUND for an unknown country, BSIM_EIO for an
 *         unreadable file (with a message in @p err).
 */
int bsim_dcw_read(const char *path, const char *iso2, struct bsim_rings *out,
		  char *err, size_t errlen);

/** Where Debian's gmt-dcw package puts the outlines. */
#define BSIM_DCW_PATH "/usr/share/gmt-dcw/dcw-gmt.nc"

#ifdef __cplusplus
}
#endif

#endif /* BSIM_GEO_H */
