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
