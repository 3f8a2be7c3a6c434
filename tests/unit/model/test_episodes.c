/* SPDX-License-Identifier: MIT */
/*
 * What the registration KPIs count (results/README.md, format 2), on small
 * worlds written here: steering rejects are not failures of an episode, a
 * wait without any allowed candidate is not attach latency, and a world
 * where every attempt fails has no successful episode.
 */
#include <blocsim/engine.h>
#include <blocsim/error.h>
#include <blocsim/geo.h>
#include <blocsim/model.h>
#include <blocsim/rng.h>
#include <blocsim/scenario.h>

#include <criterion/criterion.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Two countries along the Rotterdam-Bonn corridor: DE-A in Germany, two
 * Dutch networks; the caller adds agreements, classes and failures. */
static const char world_head[] =
	"name: episodes\n"
	"run: {start: 2026-01-05T00:00:00Z, duration_s: 86400, seed: 7, "
	"output: summary, bin_s: 600}\n"
	"grid: {cell_km: 5, south: 50.5, west: 3.5, north: 53.0, east: 8.0, "
	"ta_cells: 4}\n"
	"countries:\n"
	"  DE: {iso: DE, mcc: \"262\", utc_offset_min: 60}\n"
	"  NL: {iso: NL, mcc: \"204\", utc_offset_min: 60}\n"
	"cities:\n"
	"  Rotterdam: {lat: 51.9225, lon: 4.47917, country: NL}\n"
	"  Duisburg: {lat: 51.4344, lon: 6.7623, country: DE}\n"
	"  Bonn: {lat: 50.7374, lon: 7.0982, country: DE}\n"
	"routes:\n"
	"  rotterdam-bonn: {waypoints: [Rotterdam, Duisburg, Bonn], "
	"speed_kmh: 80, dwell_s: 1800}\n";

struct run {
	struct bsim_world *w;
	struct bsim_grid g;
	struct bsim_engine *e;
	struct bsim_rng *rng;
	struct bsim_model *m;
	const struct bsim_results *r;
};

static void run_text(struct run *x, const char *rest)
{
	char err[512], *text = malloc(strlen(world_head) + strlen(rest) + 1);
	struct bsim_cfg_err cerr;
	struct bsim_engine_config ec = { .backend = BSIM_BACKEND_NATIVE,
					 .queue = BSIM_QUEUE_LADDER };

	cr_assert_not_null(text);
	strcpy(text, world_head);
	strcat(text, rest);
	memset(x, 0, sizeof(*x));
	cr_assert_eq(bsim_scenario_load_text(text, "episodes", NULL, 0, &x->w,
					     NULL, &cerr),
		     0, "%s", cerr.msg);
	free(text);
	cr_assert_eq(bsim_scenario_geography(x->w, &x->g, err, sizeof(err)), 0,
		     "%s", err);
	x->rng = bsim_rng_create(x->w->run.seed);
	cr_assert_eq(bsim_engine_create(&ec, &x->e), 0);
	cr_assert_eq(bsim_model_create(x->w, &x->g, x->e, x->rng, &x->m, err,
				       sizeof(err)),
		     0, "%s", err);
	cr_assert_eq(bsim_model_run(x->m, 0, NULL, NULL), 0);
	x->r = bsim_model_results(x->m);
}

static void run_free(struct run *x)
{
	bsim_model_destroy(x->m);
	bsim_engine_destroy(x->e);
	bsim_rng_destroy(x->rng);
	bsim_grid_finish(&x->g);
	bsim_world_destroy(x->w);
}

static const char operators_ab[] =
	"operators:\n"
	"  DE-A: {mcc: \"262\", mnc: \"01\", tadig: DEUA1, country: DE, "
	"coverage_share: 1.0, hss_site: Bonn, spill_km: 0}\n"
	"  NL-B: {mcc: \"204\", mnc: \"08\", tadig: NLDB1, country: NL, "
	"coverage_share: 1.0, hss_site: Rotterdam}\n"
	"  NL-C: {mcc: \"204\", mnc: \"04\", tadig: NLDC1, country: NL, "
	"coverage_share: 0.5, hss_site: Rotterdam}\n";

Test(episodes, steering_alone_fails_no_episode)
{
	/* Dutch meters with a German SIM attach for each report. Their home
	 * prefers NL-C, which covers half the country; where it is absent
	 * they attach to NL-B and are steered away with #17 until the home
	 * admits them. Nothing else fails: no outages, no faults, ample
	 * capacity, agreements with both networks. */
	struct run x;
	char yaml[4096];

	snprintf(yaml, sizeof(yaml),
		 "%s"
		 "agreements:\n"
		 "  terms:\n"
		 "    arms_length: {fault_rate_per_year: 0}\n"
		 "  pairs:\n"
		 "    DE-A>NL-C: {steering_rank: 1}\n"
		 "classes:\n"
		 "  meter:\n"
		 "    count: 300\n"
		 "    mobility: stationary\n"
		 "    countries: {NL: 1}\n"
		 "    homes: {DE-A: 1}\n"
		 "    report_s: 3600\n"
		 "    session_per_report: true\n"
		 "    up_bytes: 100\n",
		 operators_ab);
	run_text(&x, yaml);
	cr_assert_gt(x.r->kpi[BSIM_KPI_steering_rejects], 100, "%g",
		     x.r->kpi[BSIM_KPI_steering_rejects]);
	/* Every reject is a steering one, every answer came in time. */
	cr_assert_eq(x.r->kpi[BSIM_KPI_timeouts], 0);
	cr_assert_eq(x.r->kpi[BSIM_KPI_rejects_cause_11], 0);
	cr_assert_eq(x.r->kpi[BSIM_KPI_steering_rejects],
		     x.r->kpi[BSIM_KPI_rejects_cause_17]);
	/* Per attempt, the rejects show; per episode, nothing failed. */
	cr_assert_gt(x.r->kpi[BSIM_KPI_attach_attempt_failure_ratio], 0.01);
	cr_assert_eq(x.r->kpi[BSIM_KPI_attach_success_ratio], 1.0, "%.9f",
		     x.r->kpi[BSIM_KPI_attach_success_ratio]);
	cr_assert_gt(x.r->kpi[BSIM_KPI_steering_rejects_per_roaming_device_day],
		     0);
	run_free(&x);
}

Test(episodes, a_wait_without_candidate_is_not_latency)
{
	/* German trackers drive into the Netherlands, whose only network
	 * has no agreement with their home: it refuses them with #11, and
	 * then they have nothing to try until they are back in German
	 * coverage, hours later. That wait is no_candidate_s, not attach
	 * latency. */
	struct run x;
	char yaml[4096];

	snprintf(yaml, sizeof(yaml),
		 "operators:\n"
		 "  DE-A: {mcc: \"262\", mnc: \"01\", tadig: DEUA1, "
		 "country: DE, coverage_share: 1.0, hss_site: Bonn, "
		 "spill_km: 0}\n"
		 "  NL-B: {mcc: \"204\", mnc: \"08\", tadig: NLDB1, "
		 "country: NL, coverage_share: 1.0, hss_site: Rotterdam, "
		 "spill_km: 0}\n"
		 "agreements:\n"
		 "  pairs:\n"
		 "    DE-A>NL-B: {relation: none}\n"
		 "classes:\n"
		 "  tracker:\n"
		 "    count: 100\n"
		 "    mobility: route\n"
		 "    routes: {rotterdam-bonn: 1}\n"
		 "    homes: {DE-A: 1}\n"
		 "    report_s: 600\n"
		 "    up_bytes: 100\n"
		 "    search_min_s: 0\n"
		 "    search_max_s: 0\n");
	/* No network search after a loss: the registration that follows a
	 * wait without candidate is then quick. */
	run_text(&x, yaml);
	cr_assert_gt(x.r->kpi[BSIM_KPI_rejects_cause_11], 10);
	/* Over an hour in the Netherlands per trip and device. */
	cr_assert_gt(x.r->kpi[BSIM_KPI_no_candidate_s], 100 * 3600.0, "%g",
		     x.r->kpi[BSIM_KPI_no_candidate_s]);
	cr_assert_lt(x.r->kpi[BSIM_KPI_attach_latency_p99_s], 10, "%g",
		     x.r->kpi[BSIM_KPI_attach_latency_p99_s]);
	cr_assert_lt(x.r->kpi[BSIM_KPI_attach_latency_mean_s], 10, "%g",
		     x.r->kpi[BSIM_KPI_attach_latency_mean_s]);
	run_free(&x);
}

Test(episodes, when_every_attempt_fails_no_episode_succeeds)
{
	/* Dutch meters with a German SIM attach for each report, and the
	 * German HSS is down for the whole run: every attach times out. */
	struct run x;
	char yaml[4096];

	snprintf(yaml, sizeof(yaml),
		 "%s"
		 "agreements:\n"
		 "  terms:\n"
		 "    arms_length: {fault_rate_per_year: 0}\n"
		 "classes:\n"
		 "  meter:\n"
		 "    count: 100\n"
		 "    mobility: stationary\n"
		 "    countries: {NL: 1}\n"
		 "    homes: {DE-A: 1}\n"
		 "    report_s: 3600\n"
		 "    session_per_report: true\n"
		 "    up_bytes: 100\n"
		 "failures:\n"
		 "  - {kind: hss_outage, operator: DE-A, start_s: 0, "
		 "duration_s: 90000}\n",
		 operators_ab);
	run_text(&x, yaml);
	/* The visited MME gives up on the silent HSS at its Diameter timer;
	 * the device's T3410 guards the rest. */
	cr_assert_gt(x.r->kpi[BSIM_KPI_timeouts] +
			     x.r->kpi[BSIM_KPI_diameter_timeouts],
		     100);
	cr_assert_gt(x.r->kpi[BSIM_KPI_attach_episodes], 50);
	cr_assert_gt(x.r->kpi[BSIM_KPI_attach_episodes_open], 50);
	cr_assert_eq(x.r->kpi[BSIM_KPI_attach_success_ratio], 0.0, "%g",
		     x.r->kpi[BSIM_KPI_attach_success_ratio]);
	cr_assert_eq(x.r->kpi[BSIM_KPI_attach_attempt_failure_ratio], 1.0);
	run_free(&x);
}
