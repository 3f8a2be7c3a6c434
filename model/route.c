/* SPDX-License-Identifier: MIT */
/*
 * Route timelines. A route's cycle (out through its waypoints, dwelling at
 * each, and back when round_trip) is walked once over the grid: every
 * cell boundary the straight segments cross becomes a step at its exact
 * time. A device on the route is the cycle shifted by its own phase, so
 * its cell, tracking-area and country changes are events at the next
 * boundary, never time steps or random crossing times.
 */
#include "model-internal.h"

#include <blocsim/error.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int push(struct bsim__route_tl *r, size_t *cap, uint64_t t_ns,
		uint32_t cell, bool moving)
{
	if (r->n > 0 && r->steps[r->n - 1].cell == cell &&
	    r->steps[r->n - 1].moving == moving)
		return 0;
	if (r->n > 0 && r->steps[r->n - 1].t_ns == t_ns) {
		/* A zero-length step: the later state wins. */
		r->steps[r->n - 1].cell = cell;
		r->steps[r->n - 1].moving = moving;
		return 0;
	}
	if (r->n == *cap) {
		size_t c = *cap ? 2 * *cap : 256;
		struct bsim__tl_step *s = realloc(r->steps, c * sizeof(*s));

		if (!s)
			return BSIM_ENOMEM;
		r->steps = s;
		*cap = c;
	}
	r->steps[r->n].t_ns = t_ns;
	r->steps[r->n].cell = cell;
	r->steps[r->n].moving = moving;
	r->n++;
	return 0;
}

static int leg(struct bsim_model *m, struct bsim__route_tl *r, size_t *cap,
	       const struct bsim_city *a, const struct bsim_city *b,
	       double speed_kmh, double *t_s, char *err, size_t errlen,
	       const char *name)
{
	const struct bsim_grid *g = m->g;
	double km = bsim_geo_distance_km(a->lat, a->lon, b->lat, b->lon);
	double dur = km / speed_kmh * 3600.0;
	size_t max = 4 * (size_t)(g->nx + g->ny) + 16, n;
	struct bsim_grid_step *st = malloc(max * sizeof(*st));
	int rc = 0;

	if (!st)
		return BSIM_ENOMEM;
	n = bsim_grid_walk(g, a->lat, a->lon, b->lat, b->lon, st, max);
	if (n > max)
		n = max;
	if (n == 0) {
		snprintf(err, errlen,
			 "routes.%s: the segment %s-%s leaves the grid", name,
			 a->name, b->name);
		free(st);
		return BSIM_EINVAL;
	}
	for (size_t k = 0; k < n && !rc; k++) {
		if (g->country[st[k].cell] == BSIM_GEO_NONE) {
			/* Sea or a country outside the scenario: keep the
			 * previous cell's state (ferries and tunnels). */
			continue;
		}
		rc = push(r, cap, S_TO_NS(*t_s + st[k].t_enter * dur),
			  st[k].cell, true);
	}
	free(st);
	*t_s += dur;
	return rc;
}

int bsim__routes_build(struct bsim_model *m, char *err, size_t errlen)
{
	const struct bsim_world *w = m->w;

	m->routes = calloc(w->nroutes ? w->nroutes : 1, sizeof(*m->routes));
	if (!m->routes)
		return BSIM_ENOMEM;
	for (size_t i = 0; i < w->nroutes; i++) {
		const struct bsim_route *rt = &w->routes[i];
		struct bsim__route_tl *r = &m->routes[i];
		size_t cap = 0, nw = rt->nwaypoints;
		size_t legs = rt->round_trip ? 2 * (nw - 1) : nw - 1;
		double t = 0;
		int rc;

		for (size_t k = 0; k < legs; k++) {
			size_t ia = k < nw - 1 ? k : 2 * (nw - 1) - k;
			size_t ib = k < nw - 1 ? k + 1 : ia - 1;
			const struct bsim_city *a =
				&w->cities[rt->waypoints[ia]];
			const struct bsim_city *b =
				&w->cities[rt->waypoints[ib]];

			rc = leg(m, r, &cap, a, b, rt->speed_kmh, &t, err,
				 errlen, rt->name);
			if (rc)
				return rc;
			if (rt->dwell_s > 0) {
				int64_t c =
					bsim_grid_cell(m->g, b->lat, b->lon);

				if (c >= 0 &&
				    m->g->country[c] != BSIM_GEO_NONE &&
				    (rc = push(r, &cap, S_TO_NS(t), (uint32_t)c,
					       false)))
					return rc;
				t += rt->dwell_s;
			}
		}
		if (r->n == 0) {
			snprintf(err, errlen,
				 "routes.%s: crosses no cell of the "
				 "scenario's countries",
				 rt->name);
			return BSIM_EINVAL;
		}
		r->period_ns = S_TO_NS(t);
		r->steps[0].t_ns = 0;
		if (r->period_ns <= r->steps[r->n - 1].t_ns)
			r->period_ns = r->steps[r->n - 1].t_ns + 1;
	}
	return 0;
}

void bsim__routes_free(struct bsim_model *m)
{
	if (!m->routes)
		return;
	for (size_t i = 0; i < m->w->nroutes; i++)
		free(m->routes[i].steps);
	free(m->routes);
}

uint32_t bsim__route_index(const struct bsim__route_tl *r, uint64_t c_ns)
{
	size_t lo = 0, hi = r->n;

	/* The last step with t_ns <= c_ns. */
	while (hi - lo > 1) {
		size_t mid = (lo + hi) / 2;

		if (r->steps[mid].t_ns <= c_ns)
			lo = mid;
		else
			hi = mid;
	}
	return (uint32_t)lo;
}
