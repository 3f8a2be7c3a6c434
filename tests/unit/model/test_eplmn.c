/* SPDX-License-Identifier: MIT */
/*
 * Equivalent-PLMN lists as the serving MME builds them: the home, then
 * the partners whose agreement grants eplmn, the device's country first,
 * then by distance from its cell, at most 15 (model/device.c).
 */
#include "../../../model/model-internal.h"

#include <blocsim/engine.h>
#include <blocsim/geo.h>
#include <blocsim/model.h>
#include <blocsim/rng.h>
#include <blocsim/scenario.h>

#include <criterion/criterion.h>

#include <stdio.h>

struct world {
	struct bsim_world *w;
	struct bsim_grid g;
	struct bsim_rng *rng;
	struct bsim_engine *e;
	struct bsim_model *m;
};

static void world_open(struct world *x, const char *file)
{
	static const char *const sets[] = { "classes.smart_meter.count=10",
					    "classes.wearable.count=10",
					    "classes.car_telematics.count=10",
					    "classes.truck_tracker.count=10" };
	struct bsim_engine_config ec = { .backend = BSIM_BACKEND_NATIVE,
					 .queue = BSIM_QUEUE_LADDER };
	struct bsim_cfg_err cerr;
	char path[1024], err[512];

	snprintf(path, sizeof(path), "%s/../../scenarios/%s", BSIM_TEST_DATA,
		 file);
	cr_assert_eq(bsim_scenario_load(path, sets, 4, &x->w, NULL, &cerr), 0,
		     "%s", cerr.msg);
	cr_assert_eq(bsim_scenario_geography(x->w, &x->g, err, sizeof(err)), 0,
		     "%s", err);
	x->rng = bsim_rng_create(1);
	cr_assert_eq(bsim_engine_create(&ec, &x->e), 0);
	cr_assert_eq(bsim_model_create(x->w, &x->g, x->e, x->rng, &x->m, err,
				       sizeof(err)),
		     0, "%s", err);
}

static void world_close(struct world *x)
{
	bsim_model_destroy(x->m);
	bsim_engine_destroy(x->e);
	bsim_rng_destroy(x->rng);
	bsim_grid_finish(&x->g);
	bsim_world_destroy(x->w);
}

static uint16_t op(const struct world *x, const char *name)
{
	int k = bsim_world_operator(x->w, name);

	cr_assert_geq(k, 0, "%s", name);
	return (uint16_t)k;
}

static uint32_t cell_at(const struct world *x, double lat, double lon)
{
	int64_t c = bsim_grid_cell(&x->g, lat, lon);

	cr_assert_geq(c, 0);
	return (uint32_t)c;
}

static unsigned list_size(const struct world *x, uint16_t home, uint32_t cell)
{
	unsigned n = 0;

	for (size_t v = 0; v < x->w->noperators; v++)
		n += bsim__eplmn_has(x->m, home, cell, (uint16_t)v);
	return n;
}

Test(eplmn, the_grand_alliance_list_holds_the_partners_around_the_device)
{
	struct world x;
	uint16_t dt;
	/* Venlo (NL, near the German border) and Porto (PT). */
	uint32_t venlo, porto;

	world_open(&x, "grand-alliance.yaml");
	dt = op(&x, "DT-DE");
	venlo = cell_at(&x, 51.37, 6.17);
	porto = cell_at(&x, 41.15, -8.61);
	cr_assert_gt(x.w->noperators, 40);
	/* 56 partners, a list of 15 wherever the device is. */
	cr_assert_eq(list_size(&x, dt, venlo), 15);
	cr_assert_eq(list_size(&x, dt, porto), 15);
	/* At Venlo: the home, the Dutch networks and the neighbours. */
	cr_assert(bsim__eplmn_has(x.m, dt, venlo, dt));
	cr_assert(bsim__eplmn_has(x.m, dt, venlo, op(&x, "KPN-NL")));
	cr_assert(bsim__eplmn_has(x.m, dt, venlo, op(&x, "Vodafone-NL")));
	cr_assert(bsim__eplmn_has(x.m, dt, venlo, op(&x, "Odido-NL")));
	cr_assert(bsim__eplmn_has(x.m, dt, venlo, op(&x, "Proximus-BE")));
	cr_assert(!bsim__eplmn_has(x.m, dt, venlo, op(&x, "MEO-PT")));
	cr_assert(!bsim__eplmn_has(x.m, dt, venlo, op(&x, "Telstra-AU")));
	/* At Porto: the Portuguese and Spanish networks, not the Dutch. */
	cr_assert(bsim__eplmn_has(x.m, dt, porto, op(&x, "MEO-PT")));
	cr_assert(bsim__eplmn_has(x.m, dt, porto, op(&x, "NOS-PT")));
	cr_assert(bsim__eplmn_has(x.m, dt, porto, op(&x, "Movistar-ES")));
	cr_assert(!bsim__eplmn_has(x.m, dt, porto, op(&x, "KPN-NL")));
	world_close(&x);
}

Test(eplmn, only_an_agreement_with_eplmn_puts_a_network_on_the_list)
{
	/* Arm's length grants no eplmn: the list is the home alone, also
	 * next to a bloc's partners in default.yaml's paper alliance. */
	struct world x;
	uint32_t venlo;
	uint16_t kpn;

	world_open(&x, "arms-length.yaml");
	venlo = cell_at(&x, 51.37, 6.17);
	kpn = op(&x, "KPN-NL");
	for (size_t h = 0; h < x.w->noperators; h++)
		cr_assert_eq(list_size(&x, (uint16_t)h, venlo), 1, "%s",
			     x.w->operators[h].name);
	cr_assert(bsim__eplmn_has(x.m, kpn, venlo, kpn));
	world_close(&x);
}
