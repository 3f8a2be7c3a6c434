/* SPDX-License-Identifier: MIT */
/* The scenario loader fills the world with what the file says and the
 * documented defaults where it is silent (tests/data/mini.yaml). */
#include <blocsim/error.h>
#include <blocsim/scenario.h>

#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MINI BSIM_TEST_DATA "/mini.yaml"

Test(scenario, the_world_holds_what_the_file_says)
{
	struct bsim_world *w;
	struct bsim_cfg_err err;
	const struct bsim_operator *dt, *kpn;
	char *yaml = NULL;
	int i;

	cr_assert_eq(bsim_scenario_load(MINI, NULL, 0, &w, &yaml, &err), 0,
		     "%s", err.msg);
	cr_assert_str_eq(w->name, "mini");
	cr_assert_eq(w->run.start_unix_s, 1767571200, "2026-01-05T00:00:00Z");
	cr_assert_eq(w->run.duration_s, 86400);
	cr_assert_eq(w->run.seed, 42);
	cr_assert_eq(w->run.output, BSIM_OUTPUT_BILLING);
	cr_assert_eq(w->grid.ta_cells, 4);
	cr_assert_eq(w->ncountries, 3);
	cr_assert_eq(w->countries[2].utc_offset_min, -300);
	cr_assert_not(w->countries[2].territory);
	cr_assert(w->countries[0].territory, "territory by default");
	i = bsim_world_operator(w, "DT-DE");
	cr_assert_eq(i, 0);
	dt = &w->operators[i];
	kpn = &w->operators[bsim_world_operator(w, "KPN-NL")];
	cr_assert_str_eq(dt->mnc, "01", "leading zeros are kept");
	cr_assert_str_eq(w->operators[2].mnc, "410");
	cr_assert_eq(dt->radios,
		     BSIM_RADIO_LTE_M | BSIM_RADIO_NB_IOT | BSIM_RADIO_2G);
	cr_assert_eq(w->operators[2].radios, BSIM_RADIO_LTE_M, "default");
	cr_assert_str_eq(w->cities[dt->hss_site].name, "Bonn");
	cr_assert_float_eq(dt->coverage_share, 0.98, 1e-12);
	cr_assert_eq(dt->mme_capacity_per_s, 37000, "default [K-prados]");
	cr_assert_eq(dt->hss_capacity_per_s, 5000, "default [assumption]");
	cr_assert_eq(kpn->hss_capacity_per_s, 2000);
	cr_assert_eq(kpn->hss_queue_limit, 50000);
	cr_assert_eq(w->nblocs, 1);
	cr_assert_eq(w->blocs[0].nmembers, 2);
	cr_assert_eq(w->blocs[0].members[0], bsim_world_operator(w, "ATT-US"));
	cr_assert_eq(bsim_world_operator(w, "nobody"), -1);
	cr_assert_not_null(yaml);
	cr_assert(strstr(yaml, "mnc: \"01\""), "%s", yaml);
	free(yaml);
	bsim_world_destroy(w);
}

Test(scenario, overrides_apply_before_validation)
{
	static const char *const sets[] = {
		"run.output=full", "operators.DT-DE.hss_queue_limit=9"
	};
	static const char *const bad[] = {
		"operators.DT-DE.hss_queue_limit=0"
	};
	struct bsim_world *w = NULL;
	struct bsim_cfg_err err;

	cr_assert_eq(bsim_scenario_load(MINI, sets, 2, &w, NULL, &err), 0, "%s",
		     err.msg);
	cr_assert_eq(w->run.output, BSIM_OUTPUT_FULL);
	cr_assert_eq(w->operators[0].hss_queue_limit, 9);
	bsim_world_destroy(w);
	w = NULL;
	cr_assert_eq(bsim_scenario_load(MINI, bad, 1, &w, NULL, &err),
		     BSIM_EPARSE);
	cr_assert_null(w);
	cr_assert_str_eq(err.msg, "--set #1: operators.DT-DE.hss_queue_limit: "
				  "0 is out of range [1, 1073741824]");
}

Test(scenario, agreements_follow_blocs_groups_and_pairs)
{
	struct bsim_world *w;
	struct bsim_cfg_err err;
	static const char *const group[] = { "operators.DT-DE.group=X",
					     "operators.KPN-NL.group=X" };
	int dt, kpn, att;

	cr_assert_eq(bsim_scenario_load(MINI, NULL, 0, &w, NULL, &err), 0, "%s",
		     err.msg);
	dt = bsim_world_operator(w, "DT-DE");
	kpn = bsim_world_operator(w, "KPN-NL");
	att = bsim_world_operator(w, "ATT-US");
	cr_assert_eq(bsim_world_terms(w, dt, dt)->relation, BSIM_REL_HOME);
	/* ATT-US and KPN-NL share the Jasper bloc. */
	cr_assert_eq(bsim_world_terms(w, att, kpn)->relation, BSIM_REL_BLOC);
	cr_assert_eq(bsim_world_terms(w, att, kpn)->rate_ueur_per_mb, 650);
	cr_assert_eq(bsim_world_terms(w, att, kpn)->path, BSIM_PATH_DIRECT);
	cr_assert(bsim_world_terms(w, att, kpn)->handover);
	cr_assert_eq(bsim_world_terms(w, att, kpn)->steering_rank, 1);
	/* The pair entry overrides one direction only. */
	cr_assert_eq(bsim_world_terms(w, kpn, att)->relation, BSIM_REL_NONE);
	/* Arm's length: the documented defaults, then the pair's terms. */
	cr_assert_eq(bsim_world_terms(w, dt, kpn)->relation,
		     BSIM_REL_ARMS_LENGTH);
	cr_assert_eq(bsim_world_terms(w, dt, kpn)->rate_ueur_per_mb, 1300);
	cr_assert_eq(bsim_world_terms(w, dt, kpn)->access_fee_ueur, 100000);
	cr_assert_eq(bsim_world_terms(w, dt, kpn)->steering_rank, 2);
	cr_assert_eq(bsim_world_terms(w, kpn, dt)->access_fee_ueur, 300000);
	cr_assert_eq(bsim_world_terms(w, kpn, dt)->steering_rank, 0);
	cr_assert_eq(bsim_world_terms(w, kpn, dt)->min_kb, 10);
	cr_assert_eq(bsim_world_terms(w, kpn, dt)->path, BSIM_PATH_IPX);
	bsim_world_destroy(w);
	/* One operator group makes same_group, before blocs. */
	cr_assert_eq(bsim_scenario_load(MINI, group, 2, &w, NULL, &err), 0,
		     "%s", err.msg);
	cr_assert_eq(bsim_world_terms(w, kpn, dt)->relation,
		     BSIM_REL_SAME_GROUP);
	bsim_world_destroy(w);
}

Test(scenario, classes_routes_platforms_and_failures)
{
	struct bsim_world *w;
	struct bsim_cfg_err err;
	const struct bsim_class *meter, *tracker;

	cr_assert_eq(bsim_scenario_load(MINI, NULL, 0, &w, NULL, &err), 0, "%s",
		     err.msg);
	cr_assert_eq(w->nroutes, 1);
	cr_assert_eq(w->routes[0].nwaypoints, 3);
	cr_assert_str_eq(w->cities[w->routes[0].waypoints[2]].name, "Bonn");
	cr_assert(w->routes[0].round_trip, "round trips by default");
	cr_assert_eq(w->nplatforms, 1);
	cr_assert_eq(w->platforms[0].nmembers, 2);
	cr_assert(w->platforms[0].hosts_pgw);
	cr_assert_eq(w->platforms[0].local_profile_after_s, 7776000);
	cr_assert_eq(w->nclasses, 2);
	meter = &w->classes[0];
	tracker = &w->classes[1];
	cr_assert_eq(meter->count, 800);
	cr_assert_eq(meter->mobility, BSIM_MOBILITY_STATIONARY);
	cr_assert_eq(meter->nplaces, 2);
	cr_assert_float_eq(meter->places[0].weight, 0.75, 1e-12,
			   "shares are normalised");
	cr_assert_eq(meter->radio, BSIM_RADIO_NB_IOT);
	cr_assert(meter->daily);
	cr_assert_eq(meter->up_bytes, 350);
	cr_assert_eq(meter->t3412_s, 54 * 60, "default T3412 [K-T3412]");
	cr_assert_eq(meter->max_attempts, 5);
	cr_assert(meter->ts34);
	cr_assert_eq(tracker->mobility, BSIM_MOBILITY_ROUTE);
	cr_assert_eq(tracker->nroutes, 1);
	cr_assert_eq(tracker->report_s, 60);
	cr_assert_eq(tracker->homes[0].index, bsim_world_operator(w, "KPN-NL"));
	cr_assert_eq(w->nfailures, 2);
	cr_assert_eq(w->failures[0].kind, BSIM_FAIL_HSS);
	cr_assert_eq(w->failures[0].target, bsim_world_operator(w, "DT-DE"));
	cr_assert_eq(w->failures[1].kind, BSIM_FAIL_IPX);
	cr_assert_eq(w->failures[1].duration_s, 600);
	bsim_world_destroy(w);
}

Test(scenario, edrx_must_be_a_standard_cycle_the_radio_allows)
{
	static const struct {
		const char *set;
		const char *says;
	} bad[] = {
		{ "classes.edrx.edrx_s=80", "is not an eDRX cycle" },
		{ "classes.edrx.edrx_s=5242.88", "above the 2621.44 s" },
	};

	for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		char path[1024];
		struct bsim_cfg_err cerr;
		struct bsim_world *w = NULL;
		const char *sets[] = { bad[k].set };

		snprintf(path, sizeof(path), "%s/mt.yaml", BSIM_TEST_DATA);
		cr_assert_eq(bsim_scenario_load(path, sets, 1, &w, NULL, &cerr),
			     BSIM_EPARSE, "%s accepted", bad[k].set);
		cr_assert(strstr(cerr.msg, bad[k].says), "%s", cerr.msg);
		cr_assert(strstr(cerr.msg, "classes.edrx.edrx_s"), "%s",
			  cerr.msg);
	}
}
