/* SPDX-License-Identifier: MIT */
/*
 * Coverage: which operators serve each cell, placed from the seed.
 *
 * An operator covers its own country's cells by tracking area: each of
 * its country's tracking areas is covered with probability
 * coverage_share (a draw per operator and area, so coverage holes are
 * area-sized, as in rural gaps). Its coverage then spills across borders:
 * a cell of another territory within spill_km of one of its covered
 * cells hears it too, which is why real border roaming happens. Signal
 * quality per (cell, operator) is a pure function of the seed: no radio
 * model.
 */
#include "model-internal.h"

#include <blocsim/error.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

double bsim__quality(const struct bsim_model *m, uint32_t cell, uint16_t op)
{
	return bsim_rng_uniform_at(m->rng,
				   bsim_entity(BSIM_ENTITY_OPERATOR, op),
				   BSIM_RNG_COVERAGE, 2 * (uint64_t)cell + 1);
}

bool bsim__covers(const struct bsim_model *m, uint32_t cell, uint16_t op)
{
	for (uint32_t k = m->cover_start[cell]; k < m->cover_start[cell + 1];
	     k++)
		if (m->cover_op[k] == op)
			return !m->op_radio_down[op];
	return false;
}

int bsim__candidates(const struct bsim_model *m, const struct bsim__device *d,
		     uint32_t cell, struct bsim__candidate *c, int max)
{
	const struct bsim_class *cl = &m->w->classes[d->cls];
	int n = 0;

	for (uint32_t k = m->cover_start[cell];
	     k < m->cover_start[cell + 1] && n < max; k++) {
		uint16_t op = m->cover_op[k];
		const struct bsim_terms *t =
			bsim_world_terms(m->w, d->home, op);

		if (m->op_radio_down[op] ||
		    !(m->w->operators[op].radios & cl->radio))
			continue;
		/* A radio the agreement does not grant is still tried: the
		 * network answers #15 (proc.c). */
		c[n].op = op;
		c[n].ta = m->cell_ta[cell];
		c[n].quality = bsim__quality(m, cell, op);
		c[n].steering_rank = op == d->home ? 0 : t->steering_rank;
		n++;
	}
	return n;
}

/* Tracking area of cell (x, y): ta_cells x ta_cells blocks. */
static uint32_t ta_of(const struct bsim_grid *g, uint32_t ta_cells, uint32_t x,
		      uint32_t y)
{
	uint32_t tx = (g->nx + ta_cells - 1) / ta_cells;

	return (y / ta_cells) * tx + x / ta_cells;
}

int bsim__cover_build(struct bsim_model *m, char *err, size_t errlen)
{
	const struct bsim_world *w = m->w;
	const struct bsim_grid *g = m->g;
	size_t nop = w->noperators, ncells = (size_t)g->nx * g->ny;
	uint32_t tc = w->grid.ta_cells ? w->grid.ta_cells : 1;
	uint8_t *own; /* [cell * nop + op]: covered by op in its country. */
	size_t total = 0;

	m->ncells = ncells;
	m->cell_ta = malloc(ncells * sizeof(*m->cell_ta));
	m->cover_start = calloc(ncells + 1, sizeof(*m->cover_start));
	m->country_cells_start =
		calloc(w->ncountries + 1, sizeof(*m->country_cells_start));
	own = calloc(ncells * nop, 1);
	if (!m->cell_ta || !m->cover_start || !m->country_cells_start || !own) {
		free(own);
		return BSIM_ENOMEM;
	}
	for (uint32_t y = 0; y < g->ny; y++)
		for (uint32_t x = 0; x < g->nx; x++)
			m->cell_ta[(size_t)y * g->nx + x] = ta_of(g, tc, x, y);
	/* Own-country coverage by tracking area. */
	for (size_t c = 0; c < ncells; c++) {
		uint16_t cc = g->country[c];

		if (cc == BSIM_GEO_NONE)
			continue;
		m->country_cells_start[cc + 1]++;
		for (size_t o = 0; o < nop; o++) {
			const struct bsim_operator *op = &w->operators[o];

			if (op->country != cc)
				continue;
			own[c * nop + o] =
				bsim_rng_uniform_at(
					m->rng,
					bsim_entity(BSIM_ENTITY_OPERATOR, o),
					BSIM_RNG_COVERAGE,
					2 * (uint64_t)m->cell_ta[c]) <
				op->coverage_share;
		}
	}
	for (size_t k = 0; k < w->ncountries; k++)
		m->country_cells_start[k + 1] += m->country_cells_start[k];
	m->country_cells = malloc((m->country_cells_start[w->ncountries] + 1) *
				  sizeof(uint32_t));
	if (!m->country_cells) {
		free(own);
		return BSIM_ENOMEM;
	}
	{
		uint32_t *fill = calloc(w->ncountries, sizeof(*fill));

		if (!fill) {
			free(own);
			return BSIM_ENOMEM;
		}
		for (size_t c = 0; c < ncells; c++) {
			uint16_t cc = g->country[c];

			if (cc != BSIM_GEO_NONE)
				m->country_cells[m->country_cells_start[cc] +
						 fill[cc]++] = (uint32_t)c;
		}
		free(fill);
	}
	/* Spill: a foreign territory cell within spill_km of a covered
	 * cell. Two passes: count, then fill the CSR lists. */
	for (int pass = 0; pass < 2; pass++) {
		for (size_t c = 0; c < ncells; c++) {
			uint16_t cc = g->country[c];
			uint32_t x = (uint32_t)(c % g->nx),
				 y = (uint32_t)(c / g->nx), k = 0;

			if (cc == BSIM_GEO_NONE)
				continue;
			for (size_t o = 0; o < nop; o++) {
				const struct bsim_operator *op =
					&w->operators[o];
				bool on = own[c * nop + o];
				int rad;

				if (!on && op->country != cc &&
				    op->spill_km > 0 &&
				    w->countries[op->country].territory) {
					rad = (int)ceil(op->spill_km /
							g->cell_km);
					for (int dy = -rad; dy <= rad && !on;
					     dy++)
						for (int dx = -rad;
						     dx <= rad && !on; dx++) {
							int64_t xx = (int64_t)
									     x +
								     dx,
								yy = (int64_t)
									     y +
								     dy;
							if (xx < 0 || yy < 0 ||
							    xx >= g->nx ||
							    yy >= g->ny)
								continue;
							if (dx * dx + dy * dy >
							    rad * rad)
								continue;
							on = own[((size_t)yy *
									  g->nx +
								  (size_t)xx) *
									 nop +
								 o];
						}
				}
				if (!on)
					continue;
				if (pass == 0)
					m->cover_start[c + 1]++;
				else
					m->cover_op[m->cover_start[c] + k++] =
						(uint16_t)o;
			}
		}
		if (pass == 0) {
			for (size_t c = 0; c < ncells; c++)
				m->cover_start[c + 1] += m->cover_start[c];
			total = m->cover_start[ncells];
			m->cover_op = malloc((total + 1) * sizeof(uint16_t));
			if (!m->cover_op) {
				free(own);
				return BSIM_ENOMEM;
			}
		}
	}
	free(own);
	/* Every territory with operators must have some coverage. */
	for (size_t o = 0; o < nop; o++) {
		const struct bsim_operator *op = &w->operators[o];
		bool any = false;

		if (!w->countries[op->country].territory)
			continue;
		for (uint32_t k = m->country_cells_start[op->country];
		     k < m->country_cells_start[op->country + 1] && !any; k++)
			any = bsim__covers(m, m->country_cells[k], (uint16_t)o);
		if (!any && m->country_cells_start[op->country + 1] >
				    m->country_cells_start[op->country]) {
			snprintf(err, errlen,
				 "operators.%s: covers no cell of %s "
				 "(coverage_share too small for the grid)",
				 op->name, w->countries[op->country].name);
			return BSIM_EINVAL;
		}
	}
	return 0;
}
