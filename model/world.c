/* SPDX-License-Identifier: MIT */
/* The world's life cycle and look-ups (see world.h). */
#include <blocsim/world.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

void bsim_world_destroy(struct bsim_world *w)
{
	if (!w)
		return;
	for (size_t i = 0; i < w->nblocs; i++)
		free(w->blocs[i].members);
	free(w->countries);
	free(w->cities);
	free(w->operators);
	free(w->blocs);
	free(w->terms);
	for (size_t i = 0; i < w->nroutes; i++)
		free(w->routes[i].waypoints);
	for (size_t i = 0; i < w->nclasses; i++) {
		free(w->classes[i].places);
		free(w->classes[i].homes);
		free(w->classes[i].routes);
	}
	for (size_t i = 0; i < w->nplatforms; i++)
		free(w->platforms[i].members);
	free(w->routes);
	free(w->classes);
	free(w->platforms);
	free(w->failures);
	free(w);
}

int bsim_world_operator(const struct bsim_world *w, const char *name)
{
	for (size_t i = 0; i < w->noperators; i++)
		if (!strcmp(w->operators[i].name, name))
			return (int)i;
	return -1;
}

uint64_t bsim_world_devices(const struct bsim_world *w)
{
	uint64_t n = 0;

	for (size_t c = 0; c < w->nclasses; c++)
		n += w->classes[c].simulated;
	return n;
}

uint64_t bsim_world_population(const struct bsim_world *w)
{
	uint64_t n = 0;

	for (size_t c = 0; c < w->nclasses; c++)
		n += w->classes[c].count;
	return n;
}

void bsim_world_sample(struct bsim_world *w, double f)
{
	w->run.sample_fraction = f;
	for (size_t c = 0; c < w->nclasses; c++) {
		struct bsim_class *k = &w->classes[c];
		double g = k->sample_fraction > 0 ? k->sample_fraction : f;

		k->simulated = (uint64_t)round((double)k->count * g);
	}
}

/* Relative load by local hour, 1 in the evening busy hour: a generic
 * diurnal shape of mobile signalling, low at night [assumption]. */
const double bsim_diurnal_profile[24] = {
	0.35, 0.25, 0.20, 0.18, 0.18, 0.22, 0.35, 0.55, 0.75, 0.85, 0.90, 0.92,
	0.95, 0.93, 0.92, 0.93, 0.97, 1.00, 1.00, 0.97, 0.90, 0.80, 0.65, 0.50,
};

double bsim_world_m2m(const struct bsim_world *w, size_t o)
{
	double n = 0;

	for (size_t c = 0; c < w->nclasses; c++)
		for (size_t h = 0; h < w->classes[c].nhomes; h++)
			if (w->classes[c].homes[h].index == o)
				n += (double)w->classes[c].count *
				     w->classes[c].homes[h].weight;
	return n;
}

uint32_t bsim_world_sampled(uint32_t x, double f)
{
	double y = f > 0 ? round((double)x * f) : (double)x;

	return y < 1 ? 1 : (uint32_t)y;
}

double bsim_world_background_per_s(const struct bsim_world *w, size_t o,
				   bool mme)
{
	const struct bsim_operator *op = &w->operators[o];
	double base;

	if (!(mme ? w->dim.mme_background : w->dim.hss_background) ||
	    op->subscribers == 0)
		return 0;
	base = (double)op->subscribers - bsim_world_m2m(w, o);
	return base > 0 ? base / 3600.0 *
				  (mme ? w->dim.mme_tx_per_sub_bh
				       : w->dim.hss_tx_per_sub_bh)
			: 0;
}

/* Whole servers of `rate` for a busy-hour load of base x per_bh per
 * hour at the rule's target utilisation and headroom: at least one. */
static uint32_t servers_for(const struct bsim_dimensioning *d, double base,
			    double per_bh, double rate)
{
	double c = ceil(d->headroom * base * per_bh / 3600.0 /
			d->target_utilisation / rate);

	return c < 1 ? 1 : c > 1e6 ? 1000000u : (uint32_t)c;
}

void bsim_world_dimension(struct bsim_world *w)
{
	const struct bsim_dimensioning *d = &w->dim;

	for (size_t o = 0; o < w->noperators; o++) {
		struct bsim_operator *op = &w->operators[o];

		if (op->subscribers == 0)
			continue;
		op->hss_servers = servers_for(d, (double)op->subscribers,
					      d->hss_tx_per_sub_bh,
					      d->hss_server_rate_per_s);
		op->hss_capacity_per_s =
			op->hss_servers * d->hss_server_rate_per_s;
		op->mme_servers = servers_for(d, (double)op->subscribers,
					      d->mme_tx_per_sub_bh,
					      d->mme_server_rate_per_s);
		op->mme_capacity_per_s =
			op->mme_servers * d->mme_server_rate_per_s;
	}
	/* A pool hosts its members' M2M subscriptions (an operator in
	 * several platforms uses the first listed). */
	for (size_t p = 0; p < w->nplatforms; p++) {
		struct bsim_platform *pf = &w->platforms[p];
		double base = 0;
		bool any = false;

		for (size_t k = 0; k < pf->nmembers; k++) {
			uint16_t o = pf->members[k];
			bool first = true;

			for (size_t q = 0; q < p && first; q++)
				for (size_t j = 0; j < w->platforms[q].nmembers;
				     j++)
					first &=
						w->platforms[q].members[j] != o;
			if (!first)
				continue;
			any |= w->operators[o].subscribers > 0;
			base += bsim_world_m2m(w, o);
		}
		if (!any)
			continue;
		pf->servers = servers_for(d, base, d->hss_tx_per_sub_bh,
					  d->hss_server_rate_per_s);
		pf->hss_capacity_per_s = pf->servers * d->hss_server_rate_per_s;
	}
}
