/* SPDX-License-Identifier: MIT */
/*
 * The cell grid: set-up, scanline rasterisation of country outlines, point
 * look-up and segment traversal (see geo.h). Rasterising costs O(edges x
 * rows) per country plus the cells filled, so a 1:1,000,000 outline (DE has
 * 6,563 points) needs no simplification. Crossings are computed in degree
 * space, the same space the grid is regular in, so the cells a segment
 * enters are exactly those whose squares it crosses.
 */
#include <blocsim/error.h>
#include <blocsim/geo.h>

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

#define KM_PER_DEG_LAT (BSIM_EARTH_RADIUS_KM * M_PI / 180.0)

void bsim_rings_finish(struct bsim_rings *r)
{
	if (!r)
		return;
	free(r->lat);
	free(r->lon);
	free(r->start);
	memset(r, 0, sizeof(*r));
}

int bsim_grid_init(struct bsim_grid *g, double south, double west, double north,
		   double east, double cell_km)
{
	double mid = 0.5 * (south + north);
	double nx, ny;

	memset(g, 0, sizeof(*g));
	if (!(north > south) || !(east > west) || !(cell_km >= 0.1) ||
	    south < -89 || north > 89)
		return BSIM_EINVAL;
	g->south = south;
	g->west = west;
	g->cell_km = cell_km;
	g->dlat = cell_km / KM_PER_DEG_LAT;
	g->dlon = cell_km / (KM_PER_DEG_LAT * cos(mid * M_PI / 180.0));
	ny = ceil((north - south) / g->dlat);
	nx = ceil((east - west) / g->dlon);
	if (nx * ny > 1e9)
		return BSIM_EINVAL;
	g->nx = (uint32_t)nx;
	g->ny = (uint32_t)ny;
	g->country = malloc((size_t)g->nx * g->ny * sizeof(*g->country));
	if (!g->country)
		return BSIM_ENOMEM;
	for (size_t i = 0; i < (size_t)g->nx * g->ny; i++)
		g->country[i] = BSIM_GEO_NONE;
	return 0;
}

void bsim_grid_finish(struct bsim_grid *g)
{
	if (!g)
		return;
	free(g->country);
	memset(g, 0, sizeof(*g));
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

size_t bsim_grid_rasterize(struct bsim_grid *g, const struct bsim_rings *r,
			   uint16_t country)
{
	double *xs = malloc((r->n + 1) * sizeof(*xs));
	size_t marked = 0;
	long y0, y1;

	if (!xs)
		bsim_fatal(BSIM_LOC, "out of memory");
	y0 = (long)floor((r->south - g->south) / g->dlat);
	y1 = (long)ceil((r->north - g->south) / g->dlat);
	if (y0 < 0)
		y0 = 0;
	if (y1 > (long)g->ny)
		y1 = (long)g->ny;
	for (long iy = y0; iy < y1; iy++) {
		double lat = g->south + ((double)iy + 0.5) * g->dlat;
		size_t nx = 0;

		/* Every edge that crosses the row's centre line. */
		for (size_t k = 0; k < r->nrings; k++) {
			size_t a = r->start[k];
			size_t b = k + 1 < r->nrings ? r->start[k + 1] : r->n;

			for (size_t i = a; i < b; i++) {
				size_t j = i + 1 < b ? i + 1 : a;
				double la = r->lat[i], lb = r->lat[j];

				if ((la > lat) != (lb > lat))
					xs[nx++] = r->lon[i] +
						   (lat - la) *
							   (r->lon[j] -
							    r->lon[i]) /
							   (lb - la);
			}
		}
		qsort(xs, nx, sizeof(*xs), cmp_double);
		/* Fill cell centres between pairs: inside by even-odd. */
		for (size_t p = 0; p + 1 < nx; p += 2) {
			double c0 = (xs[p] - g->west) / g->dlon - 0.5;
			double c1 = (xs[p + 1] - g->west) / g->dlon - 0.5;
			long ix0 = (long)ceil(c0), ix1 = (long)ceil(c1);

			if (ix0 < 0)
				ix0 = 0;
			if (ix1 > (long)g->nx)
				ix1 = (long)g->nx;
			for (long ix = ix0; ix < ix1; ix++) {
				uint16_t *c = &g->country[(size_t)iy * g->nx +
							  (size_t)ix];

				if (*c == BSIM_GEO_NONE) {
					*c = country;
					marked++;
				}
			}
		}
	}
	free(xs);
	return marked;
}

int64_t bsim_grid_cell(const struct bsim_grid *g, double lat, double lon)
{
	double fx = floor((lon - g->west) / g->dlon);
	double fy = floor((lat - g->south) / g->dlat);

	if (fx < 0 || fy < 0 || fx >= g->nx || fy >= g->ny)
		return -1;
	return (int64_t)fy * g->nx + (int64_t)fx;
}

void bsim_grid_centre(const struct bsim_grid *g, uint32_t cell, double *lat,
		      double *lon)
{
	*lat = g->south + ((double)(cell / g->nx) + 0.5) * g->dlat;
	*lon = g->west + ((double)(cell % g->nx) + 0.5) * g->dlon;
}

size_t bsim_grid_walk(const struct bsim_grid *g, double lat0, double lon0,
		      double lat1, double lon1, struct bsim_grid_step *steps,
		      size_t max)
{
	/* In cell units: x along longitude, y along latitude. */
	double x = (lon0 - g->west) / g->dlon, y = (lat0 - g->south) / g->dlat;
	double dx = (lon1 - lon0) / g->dlon, dy = (lat1 - lat0) / g->dlat;
	long ix = (long)floor(x), iy = (long)floor(y);
	long sx = dx > 0 ? 1 : -1, sy = dy > 0 ? 1 : -1;
	double tdx = dx != 0 ? fabs(1.0 / dx) : INFINITY;
	double tdy = dy != 0 ? fabs(1.0 / dy) : INFINITY;
	double tx = dx > 0   ? (floor(x) + 1 - x) / dx
		    : dx < 0 ? (x - floor(x)) / -dx
			     : INFINITY;
	double ty = dy > 0   ? (floor(y) + 1 - y) / dy
		    : dy < 0 ? (y - floor(y)) / -dy
			     : INFINITY;
	double t = 0;
	size_t n = 0;

	while (ix >= 0 && iy >= 0 && ix < (long)g->nx && iy < (long)g->ny) {
		if (n < max)
			steps[n] = (struct bsim_grid_step){
				(uint32_t)((size_t)iy * g->nx + (size_t)ix), t
			};
		n++;
		if (tx < ty) {
			t = tx;
			tx += tdx;
			ix += sx;
		} else {
			t = ty;
			ty += tdy;
			iy += sy;
		}
		if (t > 1)
			break;
	}
	return n;
}

double bsim_geo_distance_km(double lat0, double lon0, double lat1, double lon1)
{
	double p0 = lat0 * M_PI / 180, p1 = lat1 * M_PI / 180;
	double dp = p1 - p0, dl = (lon1 - lon0) * M_PI / 180;
	double a = sin(dp / 2) * sin(dp / 2) +
		   cos(p0) * cos(p1) * sin(dl / 2) * sin(dl / 2);

	return 2 * BSIM_EARTH_RADIUS_KM * asin(sqrt(a < 1 ? a : 1));
}
