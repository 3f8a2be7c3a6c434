/* SPDX-License-Identifier: MIT */
/*
 * The roaming model end to end, on small worlds under tests/data:
 * conservation (messages counted by nodes against procedures completed by
 * devices, time, money), common random numbers across the five topology
 * variants, determinism, the periodic-update load, storms after an HSS
 * outage with Reset and after a radio outage (with and without TS.34
 * back-off), selection behaviour seen in the trace, and equal results on
 * the native and ns-3 engines.
 */
#include <blocsim/engine.h>
#include <blocsim/error.h>
#include <blocsim/geo.h>
#include <blocsim/model.h>
#include <blocsim/rng.h>
#include <blocsim/scenario.h>

#include <criterion/criterion.h>

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

struct run {
	struct bsim_world *w;
	struct bsim_grid g;
	struct bsim_engine *e;
	struct bsim_rng *rng;
	struct bsim_model *m;
	const struct bsim_results *r;
	struct bsim_record *rec;  /* All records, read back from the spool. */
	struct bsim_trace *trace; /* The whole trace, likewise. */
};

/* A whole spool as an array (NULL when empty). */
static struct bsim_device_row row_of(const struct bsim_results *r, size_t i)
{
	struct bsim_device_row d;

	bsim_results_device(r, i, &d);
	return d;
}

/* Messages of one type counted at the MMEs over the whole run. */
static uint64_t mme_messages(const struct bsim_results *r, unsigned type)
{
	uint64_t sum = 0;

	for (size_t b = 0; b < r->nbins; b++)
		for (size_t n = 0; n < r->nnodes; n++)
			if (r->nodes[n].kind == BSIM_NODE_MME)
				sum += r->messages[(b * r->nnodes + n) *
							   BSIM_MESSAGE_COUNT +
						   type];
	return sum;
}

static void *spool_all(const struct bsim_spool *s, size_t n, size_t elem)
{
	void *a = n ? malloc(n * elem) : NULL;

	if (n) {
		cr_assert_not_null(a);
		cr_assert_eq(bsim_spool_read(s, 0, n, a), 0);
	}
	return a;
}

/* Run a scenario file, with the loaded world changed by `tweak` (if not
 * NULL) before the model is created. */
static void run_tweaked(struct run *x, const char *file,
			const char *const *sets, size_t nsets,
			enum bsim_backend backend,
			void (*tweak)(struct bsim_world *));

static void run_file(struct run *x, const char *file, const char *const *sets,
		     size_t nsets, enum bsim_backend backend)
{
	run_tweaked(x, file, sets, nsets, backend, NULL);
}

static void run_tweaked(struct run *x, const char *file,
			const char *const *sets, size_t nsets,
			enum bsim_backend backend,
			void (*tweak)(struct bsim_world *))
{
	char path[1024], err[512];
	struct bsim_cfg_err cerr;
	struct bsim_engine_config ec = {
		.backend = backend,
		.queue = BSIM_QUEUE_LADDER,
		.ns3_scheduler = backend == BSIM_BACKEND_NS3 ? "map" : NULL
	};

	memset(x, 0, sizeof(*x));
	snprintf(path, sizeof(path), "%s/%s", BSIM_TEST_DATA, file);
	cr_assert_eq(bsim_scenario_load(path, sets, nsets, &x->w, NULL, &cerr),
		     0, "%s", cerr.msg);
	if (tweak)
		tweak(x->w);
	cr_assert_eq(bsim_scenario_geography(x->w, &x->g, err, sizeof(err)), 0,
		     "%s", err);
	x->rng = bsim_rng_create(x->w->run.seed);
	cr_assert_eq(bsim_engine_create(&ec, &x->e), 0);
	cr_assert_eq(bsim_model_create(x->w, &x->g, x->e, x->rng, &x->m, err,
				       sizeof(err)),
		     0, "%s", err);
	cr_assert_eq(bsim_model_run(x->m, 0, NULL, NULL), 0);
	x->r = bsim_model_results(x->m);
	x->rec = spool_all(x->r->records, x->r->nrecords,
			   sizeof(struct bsim_record));
	x->trace =
		spool_all(x->r->trace, x->r->ntrace, sizeof(struct bsim_trace));
}

static void run_free(struct run *x)
{
	free(x->rec);
	free(x->trace);
	bsim_model_destroy(x->m);
	bsim_engine_destroy(x->e);
	bsim_rng_destroy(x->rng);
	bsim_grid_finish(&x->g);
	bsim_world_destroy(x->w);
}

/* NAS messages per procedure (EPS), from the model's own table. */
static unsigned nas_of(unsigned proc)
{
	enum { EPS = 0, MAP = 1, MME = 0, OLD = 1, HSS = 2 };
	static const struct {
		unsigned p, r, n, m, c;
	} defs[] = {
#define BSIM__P_ATTACH 0
#define BSIM__P_TAU_INTER 1
#define BSIM__P_TAU_LOCAL 2
#define BSIM__P_SERVICE 3
#define BSIM__P_DETACH 4
#define BSIM__P_HO_INTRA 5
#define BSIM__P_HO_INTER 6
#define BSIM__P_PROFILE_SWITCH 7
#define BSIM__P_PAGE 8
#define PROC_MSG(p, r, n, msg, c) { BSIM__P_##p, r, n, BSIM__M_##msg, c },
#include "../../../model/procedures.def"
#undef PROC_MSG
	};
	unsigned n = 0;

	for (size_t k = 0; k < sizeof(defs) / sizeof(defs[0]); k++)
		if (defs[k].p == proc && defs[k].r == EPS && defs[k].n == MME &&
		    defs[k].m == BSIM__M_NAS)
			n += defs[k].c;
	return n;
}

Test(model, nodes_count_what_devices_complete, .timeout = 120)
{
	struct run x;
	uint64_t node_nas, dev_nas = 0, done = 0;

	run_file(&x, "topo/arms-length.yaml", NULL, 0, BSIM_BACKEND_NATIVE);
	/* A world without failures, faults or overload: every procedure
	 * started completes, so the counts must agree exactly. */
	cr_assert_eq(x.r->kpi[BSIM_KPI_timeouts], 0);
	cr_assert_eq(x.r->kpi[BSIM_KPI_rejects_cause_22], 0);
	node_nas = mme_messages(x.r, BSIM__M_NAS);
	for (size_t c = 0; c < x.w->nclasses; c++)
		for (unsigned p = 0; p < BSIM_PROCEDURES; p++) {
			uint64_t k =
				x.r->proc_done_by_class[c * BSIM_PROCEDURES +
							p];

			dev_nas += k * nas_of(p);
			done += k;
		}
	cr_assert_gt(done, 100000, "only %lu procedures", (unsigned long)done);
	cr_assert_eq(node_nas, dev_nas, "nodes %lu, devices %lu",
		     (unsigned long)node_nas, (unsigned long)dev_nas);
	run_free(&x);
}

Test(model, time_and_money_add_up, .timeout = 120)
{
	struct run x;
	size_t nop;
	int64_t *sum, dev = 0, rec = 0;
	uint64_t nrec = 0;

	run_file(&x, "topo/blocs.yaml", NULL, 0, BSIM_BACKEND_NATIVE);
	nop = x.w->noperators;
	for (size_t i = 0; i < x.r->ndevices; i++) {
		const struct bsim_device_row d_row = row_of(x.r, i),
					     *d = &d_row;

		cr_assert_eq(d->home_ns + d->roaming_ns + d->no_service_ns,
			     x.r->sim_duration_ns, "device %zu", i);
		dev += d->charge_ueur;
		nrec += d->records;
	}
	sum = calloc(nop * nop, sizeof(*sum));
	for (size_t q = 0; q < x.r->nrecords; q++) {
		const struct bsim_record *r = &x.rec[q];

		sum[r->home_op * nop + r->visited_op] += r->charge_ueur;
		rec += r->charge_ueur;
		/* One access fee per device, network and month: no other
		 * fee record of this device on this network. */
		if (r->kind == 2)
			for (size_t k = q + 1; k < x.r->nrecords; k++)
				cr_assert(!(x.rec[k].kind == 2 &&
					    x.rec[k].device == r->device &&
					    x.rec[k].visited_op ==
						    r->visited_op));
	}
	cr_assert_gt(x.r->nrecords, 1000);
	cr_assert_eq(nrec, x.r->nrecords);
	cr_assert_eq(dev, rec);
	for (size_t k = 0; k < nop * nop; k++)
		cr_assert_eq(sum[k], x.r->settlement_ueur[k], "pair %zu", k);
	free(sum);
	run_free(&x);
}

Test(model, movement_and_traffic_are_common_to_all_topologies, .timeout = 300)
{
	static const char *const topo[] = { "topo/arms-length.yaml",
					    "topo/blocs.yaml",
					    "topo/grand-alliance.yaml",
					    "topo/shared-platform.yaml",
					    "topo/paper-alliance.yaml" };
	struct run x[5];
	size_t n, domestic = 0, crossings = 0;

	for (int t = 0; t < 5; t++)
		run_file(&x[t], topo[t], NULL, 0, BSIM_BACKEND_NATIVE);
	n = x[0].r->ndevices;
	for (size_t i = 0; i < n; i++) {
		const struct bsim_device_row a_row = row_of(x[0].r, i),
					     *a = &a_row;
		const struct bsim_world *w = x[0].w;
		bool dom = w->classes[a->cls].mobility ==
				   BSIM_MOBILITY_STATIONARY &&
			   w->operators[a->home_op].country == a->country &&
			   a->roaming_ns == 0;

		crossings += a->border_crossings;
		domestic += dom;
		for (int t = 1; t < 5; t++) {
			const struct bsim_device_row b_row = row_of(x[t].r, i),
						     *b = &b_row;

			cr_assert_eq(a->border_crossings, b->border_crossings,
				     "device %zu, %s", i, topo[t]);
			cr_assert_eq(a->reports, b->reports, "device %zu, %s",
				     i, topo[t]);
			cr_assert_eq(a->home_op, b->home_op);
			/* Equal counts per procedure, equal fingerprints. */
			if (dom)
				cr_assert_eq(a->proc_digest, b->proc_digest,
					     "domestic meter %zu, %s", i,
					     topo[t]);
		}
	}
	cr_assert_gt(crossings, 1000);
	cr_assert_gt(domestic, 500);
	/* The mechanisms the topologies differ by are visible. */
	cr_assert_gt(x[0].r->kpi[BSIM_KPI_reattaches_per_border_crossing],
		     x[1].r->kpi[BSIM_KPI_reattaches_per_border_crossing]);
	cr_assert_gt(x[0].r->kpi[BSIM_KPI_usage_cost_per_device_month_eur],
		     x[1].r->kpi[BSIM_KPI_usage_cost_per_device_month_eur]);
	cr_assert_eq(x[0].r->kpi[BSIM_KPI_session_drops],
		     x[4].r->kpi[BSIM_KPI_session_drops]);
	for (int t = 0; t < 5; t++)
		run_free(&x[t]);
}

static bool same_rows(const struct bsim_results *a,
		      const struct bsim_results *b)
{
	for (size_t i = 0; i < a->ndevices; i++) {
		struct bsim_device_row p = row_of(a, i), q = row_of(b, i);

		if (memcmp(&p, &q, sizeof(p)))
			return false;
	}
	return true;
}

static bool same_results(const struct run *x, const struct run *y)
{
	const struct bsim_results *a = x->r, *b = y->r;

	size_t nm = a->nbins * a->nnodes * BSIM_MESSAGE_COUNT;

	return a->ndevices == b->ndevices && a->nrecords == b->nrecords &&
	       a->events_executed == b->events_executed && same_rows(a, b) &&
	       !memcmp(a->messages, b->messages, nm * sizeof(uint32_t)) &&
	       !memcmp(a->node_series, b->node_series,
		       a->nbins * a->nnodes * BSIM_SERIES_COUNT *
			       sizeof(uint32_t)) &&
	       (!a->nrecords ||
		!memcmp(x->rec, y->rec, a->nrecords * sizeof(*x->rec))) &&
	       !memcmp(a->kpi, b->kpi, sizeof(a->kpi));
}

/* /agreements/path_rtt_ms: 4 ms + 0.021 ms/km from the visited MME's site
 * to the home's HSS node, + 10 ms through the IPX. */
static double want_rtt_ms(const struct bsim_world *w, size_t h, size_t v,
			  uint16_t hss_site)
{
	const struct bsim_city *a = &w->cities[w->operators[v].hss_site],
			       *b = &w->cities[hss_site];

	return 4 +
	       0.021 * bsim_geo_distance_km(a->lat, a->lon, b->lat, b->lon) +
	       (h != v && bsim_world_terms(w, h, v)->path == BSIM_PATH_IPX ? 10
									   : 0);
}

Test(model, path_round_trips_lead_to_the_hss_the_procedures_use)
{
	struct run x;
	const struct bsim_platform *p;
	size_t nop, elsewhere = 0, members = 0;

	run_file(&x, "topo/shared-platform.yaml", NULL, 0, BSIM_BACKEND_NATIVE);
	nop = x.w->noperators;
	cr_assert_eq(x.w->nplatforms, 1);
	p = &x.w->platforms[0];
	for (size_t h = 0; h < nop; h++) {
		uint16_t site = x.w->operators[h].hss_site;

		for (size_t k = 0; k < p->nmembers; k++)
			if (p->members[k] == h)
				site = p->hss_site;
		members += site == p->hss_site;
		elsewhere += site == p->hss_site &&
			     x.w->operators[h].hss_site != p->hss_site;
		for (size_t v = 0; v < nop; v++)
			cr_assert_float_eq(x.r->path_rtt_ms[h * nop + v],
					   want_rtt_ms(x.w, h, v, site), 1e-9,
					   "home %zu, visited %zu", h, v);
	}
	/* Members whose own HSS site is not the platform's tell the two
	 * apart. */
	cr_assert_geq(members, p->nmembers);
	cr_assert_gt(elsewhere, 0);
	run_free(&x);
}

Test(model, same_seed_same_results_other_seed_other_results, .timeout = 120)
{
	static const char *const seed9[] = { "run.seed=9" };
	struct run a, b, c;

	run_file(&a, "small.yaml", NULL, 0, BSIM_BACKEND_NATIVE);
	run_file(&b, "small.yaml", NULL, 0, BSIM_BACKEND_NATIVE);
	run_file(&c, "small.yaml", seed9, 1, BSIM_BACKEND_NATIVE);
	cr_assert(same_results(&a, &b));
	cr_assert(!same_results(&a, &c));
	run_free(&a);
	run_free(&b);
	run_free(&c);
}

Test(model, native_and_ns3_engines_give_the_same_results, .timeout = 300)
{
	struct run a, b;
	struct bsim_engine_stats st;

	if (!bsim_engine_has_ns3()) {
		/* Built without ns-3: the backend must be refused. */
		struct bsim_engine_config c = { .backend = BSIM_BACKEND_NS3,
						.ns3_scheduler = "map" };

		cr_assert_eq(bsim_engine_check_config(&c), BSIM_EUNSUPPORTED);
		return;
	}
	/* Border crossings, an HSS outage with Reset, a radio outage, and
	 * 1500 meters reporting at the same nanosecond (equal-time ties). */
	run_file(&a, "small-outage.yaml", NULL, 0, BSIM_BACKEND_NATIVE);
	run_file(&b, "small-outage.yaml", NULL, 0, BSIM_BACKEND_NS3);
	cr_assert_gt(a.r->events_executed, 100000);
	cr_assert_gt(a.r->kpi[BSIM_KPI_border_crossings_per_mobile_device_day],
		     1);
	cr_assert(same_results(&a, &b));
	bsim_engine_get_stats(b.e, &st);
	cr_assert_eq(st.backend_executed, b.r->events_executed);
	run_free(&a);
	run_free(&b);
}

Test(model, periodic_updates_come_at_n_over_t3412, .timeout = 120)
{
	/* 5000 sensors reporting rarely: the MMEs see N / T3412 updates. */
	static const char *const sets[] = { "failures=[]",
					    "classes.sensor.report_s=1000000",
					    "classes.sensor.t3412_s=600" };
	struct run x;
	uint64_t tau = 0;
	double expect;

	run_file(&x, "storm.yaml", sets, 3, BSIM_BACKEND_NATIVE);
	for (size_t c = 0; c < x.w->nclasses; c++)
		tau += x.r->proc_done_by_class[c * BSIM_PROCEDURES + 2];
	expect = 5000.0 * 7200 / 600;
	cr_assert(fabs(tau / expect - 1) < 0.01, "%lu updates, expected %g",
		  (unsigned long)tau, expect);
	run_free(&x);
}

/* Peak offered transactions per bin at the HSS after t0, and the number
 * of bins with any arrival there. */
static void hss_wave(const struct bsim_results *r, double t0, double t1,
		     uint32_t *peak, unsigned *bins, uint64_t *total)
{
	double bin = (double)r->world->run.bin_s;
	size_t hss = r->world->noperators; /* HSS of operator 0. */

	*peak = 0;
	*bins = 0;
	*total = 0;
	for (size_t b = 0; b < r->nbins; b++) {
		uint32_t off = r->node_series[(b * r->nnodes + hss) *
						      BSIM_SERIES_COUNT +
					      BSIM_SERIES_OFFERED];

		if (b * bin < t0 || b * bin >= t1)
			continue;
		*total += off;
		*bins += off > 0;
		if (off > *peak)
			*peak = off;
	}
}

Test(model, hss_reset_storm_is_lower_and_longer_with_ts34, .timeout = 120)
{
	/* storm.yaml: 5000 devices, HSS at 20/s (200 per 10 s bin), outage
	 * 1800-2400 s; the Reset sends every device's update within a
	 * minute of recovery: about four times capacity. */
	static const char *const ts34[] = { "classes.sensor.ts34=true" };
	struct run a, b;
	uint32_t pa, pb, w1;
	unsigned ba, bb, b1;
	uint64_t ta, tb, t1;

	run_file(&a, "storm.yaml", NULL, 0, BSIM_BACKEND_NATIVE);
	run_file(&b, "storm.yaml", ts34, 1, BSIM_BACKEND_NATIVE);
	/* The first wave (the Reset meeting capacity) is the same. */
	hss_wave(a.r, 2400, 2470, &w1, &b1, &t1);
	cr_assert_gt(w1, 2 * 200, "peak %u", w1);
	cr_assert_eq(t1, 5000);
	/* Retries: fixed T3346 brings synchronised waves above capacity;
	 * TS.34 jitter spreads them lower over more bins. */
	hss_wave(a.r, 2470, 7200, &pa, &ba, &ta);
	hss_wave(b.r, 2470, 7200, &pb, &bb, &tb);
	cr_assert_gt(pa, 200, "fixed back-off retry peak %u", pa);
	cr_assert_lt(pb, pa, "TS.34 peak %u vs %u", pb, pa);
	cr_assert_gt(bb, ba, "TS.34 bins %u vs %u", bb, ba);
	cr_assert_gt((double)(t1 + ta) / 5000, 1.5, "attempts per device");
	/* The queue limit (50 at 20/s over 10 servers) caps the HSS's
	 * backlog at (50 - 10) / 20 = 2 s: it refuses (#22) instead of
	 * queueing, so no second is a storm second (STORM_BACKLOG_S). */
	cr_assert_eq(a.r->kpi[BSIM_KPI_storm_seconds], 0);
	cr_assert_gt(a.r->kpi[BSIM_KPI_rejects_cause_22], 0);
	cr_assert_gt(a.r->kpi[BSIM_KPI_peak_load_per_capacity], 2);
	run_free(&a);
	run_free(&b);
}

Test(model, storm_seconds_need_a_backlog_not_poisson_noise, .timeout = 240)
{
	/* The dimensioned default world without failures at three sample
	 * fractions, over the six hours around Europe's evening busy hour
	 * (its HSSs then carry their busiest background load): each sampled
	 * node has max(1, round(c f)) servers, so a few arrivals in one
	 * second can exceed its capacity per second, but its backlog never
	 * reaches STORM_BACKLOG_S. */
	static const char *const fs[] = { "run.sample_fraction=0.0005",
					  "run.sample_fraction=0.002",
					  "run.sample_fraction=0.01" };
	double peak[3];

	for (int k = 0; k < 3; k++) {
		const char *sets[] = { "failures=[]", fs[k],
				       "run.start=2026-01-05T13:00:00Z",
				       "run.duration_s=21600" };
		struct run x;

		run_file(&x, "../../scenarios/default.yaml", sets, 4,
			 BSIM_BACKEND_NATIVE);
		cr_assert_eq(x.r->kpi[BSIM_KPI_storm_seconds], 0, "%s: %g",
			     fs[k], x.r->kpi[BSIM_KPI_storm_seconds]);
		peak[k] = x.r->kpi[BSIM_KPI_peak_load_per_capacity];
		cr_assert_lt(peak[k], 1, "%s: %g", fs[k], peak[k]);
		cr_assert_lt(x.r->kpi[BSIM_KPI_backoff_peak_share], 0.05,
			     "%s: %g", fs[k],
			     x.r->kpi[BSIM_KPI_backoff_peak_share]);
		run_free(&x);
	}
}

Test(model, an_update_burst_above_hss_capacity_is_a_storm, .timeout = 120)
{
	/* storm.yaml with room to queue: after the outage the Reset makes
	 * all 5000 devices update (one ULR each) within about a minute, 250
	 * s of work at 20/s. The backlog passes 7.5 s at once and drains
	 * at best at capacity: at least about 250 - 60 - 7.5 s of storm. */
	static const char *const sets[] = { "operators.KPN-NL.hss_queue_limit="
					    "100000" };
	struct run x;
	double s;

	run_file(&x, "storm.yaml", sets, 1, BSIM_BACKEND_NATIVE);
	s = x.r->kpi[BSIM_KPI_storm_seconds];
	cr_assert_gt(s, 150, "%g storm seconds", s);
	cr_assert_lt(s, 7200 - 2400, "%g storm seconds", s);
	cr_assert_gt(x.r->kpi[BSIM_KPI_peak_load_per_capacity], 2);
	cr_assert_gt(x.r->kpi[BSIM_KPI_backoff_peak_share], 0);
	run_free(&x);
}

/* Devices of x that attached successfully at or after t0 (s), how many
 * times in all, and the time of the last such attach after t0. */
static unsigned attached_after(const struct run *x, double t0, unsigned *n,
			       double *last_s)
{
	uint8_t *seen = calloc(x->r->ndevices, 1);
	unsigned devices = 0;

	cr_assert_not_null(seen);
	*n = 0;
	*last_s = 0;
	for (size_t k = 0; k < x->r->ntrace; k++) {
		const struct bsim_trace *t = &x->trace[k];
		double s = (double)t->t_ns / 1e9;

		if (t->type != BSIM_TRACE_ATTACH ||
		    t->result != BSIM_OUTCOME_OK || s < t0)
			continue;
		(*n)++;
		devices += !seen[t->device];
		seen[t->device] = 1;
		if (s - t0 > *last_s)
			*last_s = s - t0;
	}
	free(seen);
	return devices;
}

/* AIR messages (requests and answers) at operator 0's HSS from t0 on. */
static uint64_t hss_airs_after(const struct bsim_results *r, double t0)
{
	size_t hss = r->world->noperators;
	uint64_t sum = 0;

	for (size_t b = 0; b < r->nbins; b++)
		if ((double)(b * r->world->run.bin_s) >= t0)
			sum += r->messages[(b * r->nnodes + hss) *
						   BSIM_MESSAGE_COUNT +
					   BSIM__M_S6A_AIR];
	return sum;
}

Test(model, a_data_loss_reattach_drains_no_faster_than_n_k_over_mu,
     .timeout = 120)
{
	/* storm.yaml: N = 5000 awake sensors homed on an HSS of mu = 20/s
	 * (10 servers, queue limit 50), with TS.34 back-off (its default).
	 * The HSS is down 1800-2400 s and comes back without its
	 * registrations: the MME detaches every device within 60 s and each
	 * attaches again with an AIR and a ULR, k = 2 transactions. The last
	 * registration cannot come before N k / mu = 500 s after the
	 * recovery (DOMAIN.md 7.6). Measured: 1359 s, a factor of 2.7: the
	 * HSS refuses (#22) what exceeds its queue, and the devices' T3346
	 * back-offs leave it idle between waves. */
	static const char *const loss[] = {
		"failures=[{kind: hss_data_loss, operator: KPN-NL, "
		"start_s: 1800, duration_s: 600}]",
		"classes.sensor.ts34=true", "run.output=full"
	};
	static const char *const outage[] = {
		"failures=[{kind: hss_outage, operator: KPN-NL, "
		"start_s: 1800, duration_s: 600}]",
		"classes.sensor.ts34=true", "run.output=full"
	};
	const double bound = 5000.0 * 2 / 20;
	struct run a, b;
	unsigned n, devices;
	double last;

	run_file(&a, "storm.yaml", loss, 3, BSIM_BACKEND_NATIVE);
	devices = attached_after(&a, 2400, &n, &last);
	cr_assert_eq(devices, 5000, "%u devices attached again", devices);
	cr_assert_geq(last, bound, "last attach %g s after the recovery", last);
	cr_assert_leq(last, 4 * bound, "last attach %g s after the recovery",
		      last);
	/* Each needed its AIR: the MME dropped the context. */
	cr_assert_geq(hss_airs_after(a.r, 2400), 2 * 5000);
	cr_assert_gt(a.r->kpi[BSIM_KPI_rejects_cause_22], 0);
	/* recovery_s: every subscriber is affected, and 95% of them need
	 * 95% of the work. */
	cr_assert_geq(a.r->kpi[BSIM_KPI_recovery_s], 0.95 * bound, "%g",
		      a.r->kpi[BSIM_KPI_recovery_s]);
	cr_assert_leq(a.r->kpi[BSIM_KPI_recovery_s], last, "%g",
		      a.r->kpi[BSIM_KPI_recovery_s]);
	/* The same outage without the data loss: a Reset (one ULR each),
	 * no attach, no AIR. No device lost service or was refused during
	 * it (none needed the HSS), so none was affected: recovered at its
	 * end. */
	run_file(&b, "storm.yaml", outage, 3, BSIM_BACKEND_NATIVE);
	devices = attached_after(&b, 2400, &n, &last);
	cr_assert_eq(n, 0, "%u attaches after a plain outage", n);
	cr_assert_eq(hss_airs_after(b.r, 2400), 0);
	cr_assert_eq(b.r->kpi[BSIM_KPI_recovery_s], 0);
	run_free(&a);
	run_free(&b);
}

Test(model, radio_outage_end_storm_is_lower_and_longer_with_ts34,
     .timeout = 120)
{
	/* A 30 min radio outage with T3412 = 10 min: every device is
	 * implicitly detached and attaches again within the 30 s cell
	 * search after it, against an HSS of 20/s. */
	static const char *const fixed[] = {
		"failures=[{kind: radio_outage, country: NL, start_s: 1800, "
		"duration_s: 1800}]",
		"classes.sensor.t3412_s=600"
	};
	static const char *const ts34[] = {
		"failures=[{kind: radio_outage, country: NL, start_s: 1800, "
		"duration_s: 1800}]",
		"classes.sensor.t3412_s=600", "classes.sensor.ts34=true"
	};
	struct run a, b;
	uint32_t pa, pb, w1;
	unsigned ba, bb, b1;
	uint64_t ta, tb, t1;

	run_file(&a, "storm.yaml", fixed, 2, BSIM_BACKEND_NATIVE);
	run_file(&b, "storm.yaml", ts34, 3, BSIM_BACKEND_NATIVE);
	hss_wave(a.r, 3600, 3640, &w1, &b1, &t1);
	cr_assert_gt(w1, 200, "peak %u", w1);
	hss_wave(a.r, 3640, 7200, &pa, &ba, &ta);
	hss_wave(b.r, 3640, 7200, &pb, &bb, &tb);
	cr_assert_gt(pa, 200, "fixed back-off retry peak %u", pa);
	cr_assert_lt(pb, pa, "TS.34 peak %u vs %u", pb, pa);
	cr_assert_gt(bb, ba, "TS.34 bins %u vs %u", bb, ba);
	cr_assert_gt((double)(t1 + ta) / 5000, 1.5, "attempts per device");
	run_free(&a);
	run_free(&b);
}

/* Per-device replay of the trace: the serving network and the country. */
struct replay {
	uint16_t serving, country;
	uint64_t enter_ns;    /* When it entered the current country. */
	bool reported;	      /* A report since it entered. */
	bool registered_here; /* Registered on a network of this country. */
	uint64_t home_due_ns; /* Back in the home country while roaming. */
};

/* A registration (not a periodic update, traced as a TAU on the network
 * it is already on). */
static bool registers(const struct bsim_trace *t)
{
	if (t->type == BSIM_TRACE_TAU && t->op == t->peer_op)
		return false;
	return t->result == BSIM_OUTCOME_OK &&
	       (t->type == BSIM_TRACE_ATTACH || t->type == BSIM_TRACE_TAU ||
		t->type == BSIM_TRACE_HANDOVER || t->type == BSIM_TRACE_CAMP);
}

Test(model, selection_seen_in_the_trace, .timeout = 300)
{
	struct run x;
	struct replay *r;
	const struct bsim_world *w;
	uint64_t hplmn_ns, late = 0, home_returns = 0, unseen = 0;
	int psm = -1;

	run_file(&x, "small-trace.yaml", NULL, 0, BSIM_BACKEND_NATIVE);
	w = x.w;
	for (size_t c = 0; c < w->nclasses; c++)
		if (!strcmp(w->classes[c].name, "psm_tracker"))
			psm = (int)c;
	cr_assert_geq(psm, 0);
	hplmn_ns = (uint64_t)(w->classes[0].hpplmn_search_s * 1e9);
	r = calloc(x.r->ndevices, sizeof(*r));
	for (size_t i = 0; i < x.r->ndevices; i++) {
		r[i].serving = UINT16_MAX;
		r[i].country = row_of(x.r, i).country;
		r[i].home_due_ns = UINT64_MAX;
	}
	for (size_t k = 0; k < x.r->ntrace; k++) {
		const struct bsim_trace *t = &x.trace[k];
		struct replay *d = &r[t->device];
		const struct bsim_device_row row_row = row_of(x.r, t->device),
					     *row = &row_row;
		uint16_t home = row->home_op;

		if (t->type == BSIM_TRACE_TAU)
			d->reported = true; /* Awake: an update. */
		if (registers(t)) {
			d->serving = t->op;
			if (w->operators[t->op].country == d->country)
				d->registered_here = true;
			if (t->op == home && d->home_due_ns != UINT64_MAX) {
				/* Back on the home network: in time? */
				late += t->t_ns > d->home_due_ns;
				home_returns++;
				d->home_due_ns = UINT64_MAX;
			}
		} else if (t->type == BSIM_TRACE_LOSS) {
			d->serving = UINT16_MAX;
		} else if (t->type == BSIM_TRACE_REPORT) {
			d->reported = true; /* Awake: a report. */
		} else if (t->type == BSIM_TRACE_BORDER) {
			uint16_t c = x.g.country[t->cell];

			/* Leaving a country crossed asleep: a PSM tracker
			 * that never reported there registered nowhere in
			 * it. */
			if (row->cls == psm && !d->reported &&
			    d->enter_ns > 0) {
				cr_assert(!d->registered_here,
					  "device %u registered in country "
					  "%u without waking",
					  t->device, d->country);
				unseen++;
			}
			d->country = c;
			d->enter_ns = t->t_ns;
			d->reported = false;
			d->registered_here = false;
			/* Home again on a foreign network: back within one
			 * higher-priority search period (awake devices). */
			if (row->cls != psm &&
			    c == w->operators[home].country &&
			    d->serving != UINT16_MAX && d->serving != home)
				d->home_due_ns = t->t_ns + hplmn_ns;
		}
	}
	cr_assert_gt(unseen, 10, "crossings made asleep: %lu",
		     (unsigned long)unseen);
	cr_assert_gt(home_returns, 50, "returns home: %lu",
		     (unsigned long)home_returns);
	cr_assert_eq(late, 0, "%lu of %lu returns home took longer than %g s",
		     (unsigned long)late, (unsigned long)home_returns,
		     hplmn_ns / 1e9);
	free(r);
	run_free(&x);
}

Test(model, littles_law_for_roamers, .timeout = 120)
{
	/* L (time-average number of roaming registrations, from the devices'
	 * own time accounting) = lambda (registrations on foreign networks
	 * per second, from the trace) x W (their mean length, from the
	 * trace). */
	struct run x;
	uint16_t *serving;
	uint64_t *since, arrivals = 0;
	double sojourn = 0, roaming = 0, T;

	run_file(&x, "small-trace.yaml", NULL, 0, BSIM_BACKEND_NATIVE);
	T = x.r->sim_duration_ns / 1e9;
	serving = malloc(x.r->ndevices * sizeof(*serving));
	since = calloc(x.r->ndevices, sizeof(*since));
	for (size_t i = 0; i < x.r->ndevices; i++) {
		serving[i] = UINT16_MAX;
		roaming += row_of(x.r, i).roaming_ns / 1e9;
	}
	for (size_t k = 0; k <= x.r->ntrace; k++) {
		const struct bsim_trace *t =
			k < x.r->ntrace ? &x.trace[k] : NULL;

		for (size_t i = t ? t->device : 0;
		     i < (t ? t->device + 1u : x.r->ndevices); i++) {
			bool ends = !t || registers(t) ||
				    t->type == BSIM_TRACE_LOSS;
			uint64_t now = t ? t->t_ns : x.r->sim_duration_ns;
			uint16_t home = row_of(x.r, i).home_op;

			if (!ends)
				continue;
			if (serving[i] != UINT16_MAX && serving[i] != home)
				sojourn += (now - since[i]) / 1e9;
			serving[i] = t && registers(t) ? t->op : UINT16_MAX;
			since[i] = now;
			if (t && registers(t) && t->op != home)
				arrivals++;
		}
	}
	cr_assert_gt(arrivals, 500);
	cr_assert_gt(roaming / T, 50, "L = %g", roaming / T);
	cr_assert(fabs(roaming / T - (arrivals / T) * (sojourn / arrivals)) <
			  1e-6 * roaming / T,
		  "L = %.6f, lambda W = %.6f", roaming / T,
		  (arrivals / T) * (sojourn / arrivals));
	free(serving);
	free(since);
	run_free(&x);
}

Test(model, admission_priority_admits_partners_under_overload, .timeout = 120)
{
	/* PX-BE's MME, one server at 1 transaction/s with room for 10:
	 * overloaded. Without admission priority, foreign roamers get only
	 * 90% of the queue. The trackers search no networks after a loss
	 * (the overload was set for that: a search of 20-120 s spreads their
	 * attaches at PX-BE so far that its MME seldom fills up). One slot
	 * of ten is a small effect against the noise of one seed (it goes
	 * either way in some), so the refusals are summed over six seeds. */
	double r22[2] = { 0, 0 };

	for (int on = 0; on < 2; on++)
		for (int seed = 1; seed <= 6; seed++) {
			char sd[32];
			const char *sets[] = {
				"operators.PX-BE.mme_capacity_per_s=1",
				"operators.PX-BE.mme_queue_limit=10",
				"operators.PX-BE.mme_servers=1",
				on ? "agreements.terms.arms_length."
				     "admission_priority=true"
				   : "agreements.terms.arms_length."
				     "admission_priority=false",
				"classes.tracker.search_min_s=0",
				"classes.tracker.search_max_s=0",
				sd
			};
			struct run x;

			snprintf(sd, sizeof(sd), "run.seed=%d", seed);
			run_file(&x, "small.yaml", sets, 7,
				 BSIM_BACKEND_NATIVE);
			r22[on] += x.r->kpi[BSIM_KPI_rejects_cause_22];
			run_free(&x);
		}
	cr_assert_gt(r22[0], 120, "%g", r22[0]);
	cr_assert_lt(r22[1], r22[0], "#22: %g with priority, %g without",
		     r22[1], r22[0]);
}

Test(model, eplmn_lists_hold_at_most_15_networks, .timeout = 120)
{
	/* In the small world's grand alliance (7 operators) every partner is
	 * equivalent: border crossings never need an attach. In the default
	 * world's grand alliance (56 operators) a list stops at 15, but the
	 * serving MME lists the partners around the device (test_eplmn.c),
	 * so crossings need no attach there either. */
	static const char *const small[] = { "failures=[]" };
	static const char *const big[] = { "failures=[]",
					   "classes.smart_meter.count=0",
					   "classes.wearable.count=0",
					   "run.sample_fraction=0.001",
					   "run.output=billing" };
	struct run a, b;
	char path[1024];

	run_file(&a, "topo/grand-alliance.yaml", small, 1, BSIM_BACKEND_NATIVE);
	cr_assert_gt(a.r->kpi[BSIM_KPI_border_crossings_per_mobile_device_day],
		     1);
	cr_assert_eq(a.r->kpi[BSIM_KPI_reattaches_per_border_crossing], 0);
	snprintf(path, sizeof(path), "../../scenarios/grand-alliance.yaml");
	run_file(&b, path, big, 5, BSIM_BACKEND_NATIVE);
	cr_assert_gt(b.w->noperators, 15);
	cr_assert_gt(b.r->kpi[BSIM_KPI_border_crossings_per_mobile_device_day],
		     1);
	cr_assert_lt(b.r->kpi[BSIM_KPI_reattaches_per_border_crossing], 0.01,
		     "%g", b.r->kpi[BSIM_KPI_reattaches_per_border_crossing]);
	run_free(&a);
	run_free(&b);
}

Test(model, sms_devices_register_their_vlr, .timeout = 120)
{
	/* Trackers attached for SMS (SMS over SGs): every attach and every
	 * change of network adds SGsAP at the MME and a MAP UpdateLocation
	 * at the HLR, 2 messages each; devices without SMS add none. */
	static const char *const sms[] = { "classes.tracker.sms=true" };
	struct run a, b;
	uint64_t ul[2] = { 0, 0 }, sgs[2] = { 0, 0 }, moves = 0;
	struct run *x[2] = { &a, &b };

	run_file(&a, "topo/arms-length.yaml", NULL, 0, BSIM_BACKEND_NATIVE);
	run_file(&b, "topo/arms-length.yaml", sms, 1, BSIM_BACKEND_NATIVE);
	for (int k = 0; k < 2; k++)
		for (size_t bin = 0; bin < x[k]->r->nbins; bin++)
			for (size_t n = 0; n < x[k]->r->nnodes; n++) {
				const uint32_t *c =
					&x[k]->r->messages
						 [(bin * x[k]->r->nnodes + n) *
						  BSIM_MESSAGE_COUNT];

				ul[k] += c[BSIM__M_MAP_UL];
				sgs[k] += c[BSIM__M_SGSAP];
			}
	for (size_t c = 0; c < b.w->nclasses; c++) {
		const uint64_t *k =
			&b.r->proc_done_by_class[c * BSIM_PROCEDURES];

		if (b.w->classes[c].sms)
			moves += k[0] + k[1] + k[6];
	}
	cr_assert_eq(ul[0], 0);
	cr_assert_eq(sgs[0], 0);
	cr_assert_gt(moves, 100);
	/* No failures in this world: every attempt that reached the HLR
	 * completed. */
	cr_assert_eq(ul[1], 2 * moves, "MAP UL %lu, moves %lu",
		     (unsigned long)ul[1], (unsigned long)moves);
	cr_assert_geq(sgs[1], 2 * moves);
	run_free(&a);
	run_free(&b);
}

Test(model, a_radio_not_granted_is_refused_with_cause_15, .timeout = 120)
{
	/* Roaming agreements grant LTE-M only; the trackers use NB-IoT. They
	 * try foreign networks at borders, are refused with #15, and never
	 * register on a foreign network. */
	static const char *const sets[] = {
		"agreements.terms.arms_length.radio=[lte-m]",
		"classes.tracker.radio=nb-iot"
	};
	struct run x;
	uint64_t roaming = 0, crossings = 0;

	run_file(&x, "topo/arms-length.yaml", sets, 2, BSIM_BACKEND_NATIVE);
	for (size_t i = 0; i < x.r->ndevices; i++) {
		const struct bsim_device_row d_row = row_of(x.r, i),
					     *d = &d_row;

		if (x.w->classes[d->cls].mobility != BSIM_MOBILITY_ROUTE)
			continue;
		roaming += d->roaming_ns;
		crossings += d->border_crossings;
	}
	cr_assert_gt(crossings, 100);
	cr_assert_gt(x.r->kpi[BSIM_KPI_rejects_cause_15], 10);
	cr_assert_eq(roaming, 0);
	run_free(&x);
}

/* Mobile-terminated delivery of one class's devices that stayed in one
 * state all run (at home, or roaming), with service throughout. */
struct mt_sum {
	uint64_t delivered, expired, devices;
	double latency_s;
};

static struct mt_sum mt_of(const struct run *x, const char *cls, bool roaming)
{
	struct mt_sum s = { 0 };

	for (size_t i = 0; i < x->r->ndevices; i++) {
		const struct bsim_device_row d_row = row_of(x->r, i),
					     *d = &d_row;

		if (strcmp(x->w->classes[d->cls].name, cls) ||
		    d->no_service_ns || (d->roaming_ns > 0) != roaming ||
		    (roaming && d->home_ns))
			continue;
		s.devices++;
		s.delivered += d->mt_delivered;
		s.expired += d->mt_expired;
		s.latency_s += (double)d->mt_latency_ns / 1e9;
	}
	return s;
}

Test(model, mobile_terminated_messages_wait_for_paging_or_contact,
     .timeout = 120)
{
	/* Poisson arrivals against a device's paging occasions (a fixed
	 * phase every cycle T) wait U(0, T): mean T/2. A PSM device buffers
	 * until its periodic update every P; with expiry E < P a fraction
	 * E/P arrives in time, after a mean E/2. The one-way user plane at
	 * home adds 5 ms. */
	struct run x;
	struct mt_sum edrx, drx, psm, roam, spr;
	uint64_t paging, pages = 0;

	run_file(&x, "mt.yaml", NULL, 0, BSIM_BACKEND_NATIVE);
	edrx = mt_of(&x, "edrx", false);
	drx = mt_of(&x, "drx", false);
	psm = mt_of(&x, "psm", false);
	roam = mt_of(&x, "edrx_roamer", true);
	spr = mt_of(&x, "attach_per_report", false);
	cr_assert_gt(edrx.delivered, 5000);
	cr_assert_gt(drx.delivered, 2500);
	cr_assert_gt(psm.delivered + psm.expired, 10000);
	cr_assert_gt(roam.delivered, 1500);
	cr_assert_eq(edrx.expired + drx.expired + roam.expired, 0);
	/* eDRX 81.92 s: 40.97 s (standard error about 0.6%). */
	cr_assert_float_eq(edrx.latency_s / edrx.delivered, 81.92 / 2 + 0.005,
			   0.03 * 40.96, "eDRX mean %g s",
			   edrx.latency_s / edrx.delivered);
	/* DRX 1.28 s: 0.645 s. */
	cr_assert_float_eq(drx.latency_s / drx.delivered, 0.645, 0.03 * 0.645,
			   "DRX mean %g s", drx.latency_s / drx.delivered);
	/* PSM, P = 3600 s, E = 600 s: 1/6 delivered, after 300 s. */
	cr_assert_float_eq(
		(double)psm.delivered / (double)(psm.delivered + psm.expired),
		1.0 / 6, 0.012, "PSM delivered %g",
		(double)psm.delivered / (double)(psm.delivered + psm.expired));
	cr_assert_float_eq(psm.latency_s / psm.delivered, 300, 0.04 * 300,
			   "PSM mean %g s", psm.latency_s / psm.delivered);
	/* eDRX not honoured abroad: paged every 1.28 s like DRX (the
	 * home-routed user plane adds a few ms more). */
	cr_assert_float_eq(roam.latency_s / roam.delivered, 0.66, 0.05,
			   "roamer mean %g s", roam.latency_s / roam.delivered);
	/* Detached between hourly reports: delivered at the next one,
	 * after 1800 s on average. */
	cr_assert_gt(spr.delivered, 2000);
	cr_assert_eq(spr.expired, 0);
	cr_assert_float_eq(spr.latency_s / spr.delivered, 1800, 0.04 * 1800,
			   "attach-per-report mean %g s",
			   spr.latency_s / spr.delivered);
	/* Every paging counted at the MMEs is a page the devices answered,
	 * and each delivered message brought its payload. */
	paging = mme_messages(x.r, BSIM__M_PAGING);
	for (size_t c = 0; c < x.w->nclasses; c++)
		pages += x.r->proc_done_by_class[c * BSIM_PROCEDURES + 8];
	for (size_t i = 0; i < x.r->ndevices; i++) {
		const struct bsim_device_row d_row = row_of(x.r, i),
					     *d = &d_row;

		cr_assert_eq(d->bytes_down, 100 * (uint64_t)d->mt_delivered,
			     "device %zu", i);
	}
	cr_assert_gt(pages, 5000);
	cr_assert_eq(paging, pages);
	run_free(&x);
}

Test(model, the_steering_cause_decides_how_devices_move_on, .timeout = 120)
{
	/* The default world at a twentieth of its size, one day. With #17 a
	 * steered device retries the same network until its attempt counter
	 * runs out; with #13 it bars the area and selects another network at
	 * once, so the home sends fewer rejects for the same steering. */
	static const char *const small[] = {
		"run.sample_fraction=0.0005",
		"classes.smart_meter.sample_fraction=0.0005",
		"classes.car_telematics.sample_fraction=0.0005",
		"classes.truck_tracker.sample_fraction=0.0005",
		"operators.DT-DE.sor_reject_cause=13",
		"operators.Vodafone-DE.sor_reject_cause=13",
		"operators.KPN-NL.sor_reject_cause=13",
		"operators.Orange-FR.sor_reject_cause=13",
		"operators.Movistar-ES.sor_reject_cause=13",
		"operators.ATT-US.sor_reject_cause=13",
	};
	struct run a, b;
	double r17, r13;

	run_file(&a, "../../scenarios/default.yaml", small, 4,
		 BSIM_BACKEND_NATIVE);
	run_file(&b, "../../scenarios/default.yaml", small,
		 sizeof(small) / sizeof(small[0]), BSIM_BACKEND_NATIVE);
	r17 = a.r->kpi[BSIM_KPI_rejects_cause_17];
	r13 = b.r->kpi[BSIM_KPI_rejects_cause_13];
	cr_assert_eq(a.r->kpi[BSIM_KPI_rejects_cause_13], 0);
	cr_assert_gt(r17, 500, "only %g steering rejects", r17);
	cr_assert_gt(r13, 100, "only %g #13 rejects", r13);
	/* Homes left at #17 still steer with it. */
	cr_assert_lt(b.r->kpi[BSIM_KPI_rejects_cause_17], r17);
	cr_assert_lt(r13 + b.r->kpi[BSIM_KPI_rejects_cause_17], 0.7 * r17,
		     "#13 %g + #17 %g against #17 alone %g", r13,
		     b.r->kpi[BSIM_KPI_rejects_cause_17], r17);
	run_free(&a);
	run_free(&b);
}

Test(model, the_attempt_counter_restarts_in_another_network_or_area,
     .timeout = 120)
{
	/* From the trace of the default world at a twentieth of its size
	 * (with its HSS outage): a device's failed registrations form runs
	 * that end at a success or a pause of T3402 (720 s, at least 360 s
	 * with TS.34 jitter). Within a run, attempts on one (network,
	 * tracking area) number at most 5; and since the counter restarts
	 * on another network or area, such a stretch may begin anywhere in
	 * the run. A counter that restarted only after 5 failures would
	 * keep every stretch inside one block of 5 failures of the run. */
	static const char *const small[] = {
		"run.sample_fraction=0.0005",
		"classes.smart_meter.sample_fraction=0.0005",
		"classes.car_telematics.sample_fraction=0.0005",
		"classes.truck_tracker.sample_fraction=0.0005",
		"run.output=full",
	};
	struct dev_run {
		uint64_t last_ns;
		uint32_t n, start, ta;
		uint16_t op;
	} * s;
	struct run x;
	uint32_t longest = 0, straddling = 0;

	run_file(&x, "../../scenarios/default.yaml", small, 5,
		 BSIM_BACKEND_NATIVE);
	s = calloc(x.r->ndevices, sizeof(*s));
	for (size_t i = 0; i < x.r->ndevices; i++)
		s[i].op = UINT16_MAX;
	for (size_t k = 0; k < x.r->ntrace; k++) {
		const struct bsim_trace *t = &x.trace[k];
		struct dev_run *d = &s[t->device];
		uint32_t ta = x.r->cell_ta[t->cell];

		if (t->type != BSIM_TRACE_ATTACH && t->type != BSIM_TRACE_TAU)
			continue;
		if (t->result == BSIM_OUTCOME_OK) {
			d->n = 0;
			d->op = UINT16_MAX;
			continue;
		}
		if (d->op != UINT16_MAX &&
		    t->t_ns - d->last_ns >= UINT64_C(360000000000)) {
			d->n = 0;
			d->op = UINT16_MAX;
		}
		if (t->op != d->op || ta != d->ta) {
			d->op = t->op;
			d->ta = ta;
			d->start = d->n;
		}
		if (d->n - d->start + 1 > longest)
			longest = d->n - d->start + 1;
		if (d->start / 5 != d->n / 5)
			straddling++;
		d->n++;
		d->last_ns = t->t_ns;
	}
	cr_assert_eq(longest, 5, "%u attempts in a row on one area", longest);
	cr_assert_gt(straddling, 5, "only %u", straddling);
	free(s);
	run_free(&x);
}

Test(model, the_sample_of_a_tenth_is_the_first_tenth_of_each_class,
     .timeout = 120)
{
	/* Devices are keyed by class and index within the class, so the
	 * sample of f/10 is, class by class, the first devices of the sample
	 * of f: the same homes, places and start countries (common random
	 * numbers across sample fractions). */
	static const char *const big[] = { "run.duration_s=60",
					   "run.sample_fraction=0.0005" };
	static const char *const small[] = { "run.duration_s=60",
					     "run.sample_fraction=0.00005" };
	struct run a, b;
	size_t first_a = 0, first_b = 0, compared = 0, homes = 0;

	run_file(&a, "../../scenarios/default.yaml", big, 2,
		 BSIM_BACKEND_NATIVE);
	run_file(&b, "../../scenarios/default.yaml", small, 2,
		 BSIM_BACKEND_NATIVE);
	cr_assert_eq(a.w->nclasses, b.w->nclasses);
	for (size_t c = 0; c < a.w->nclasses; c++) {
		uint64_t na = a.w->classes[c].simulated,
			 nb = b.w->classes[c].simulated;

		cr_assert_eq(na, (uint64_t)round((double)a.w->classes[c].count *
						 0.0005));
		cr_assert_eq(nb, (uint64_t)round((double)b.w->classes[c].count *
						 0.00005));
		cr_assert_lt(nb, na);
		for (uint64_t k = 0; k < nb; k++) {
			struct bsim_device_row ra, rb;

			bsim_results_device(a.r, first_a + k, &ra);
			bsim_results_device(b.r, first_b + k, &rb);
			cr_assert_eq(ra.cls, c);
			cr_assert_eq(rb.cls, c);
			cr_assert_eq(ra.home_op_initial, rb.home_op_initial,
				     "class %zu device %" PRIu64, c, k);
			cr_assert_eq(ra.country, rb.country);
			homes += ra.home_op_initial != 0;
			compared++;
		}
		first_a += na;
		first_b += nb;
	}
	cr_assert_eq(first_a, a.r->ndevices);
	cr_assert_eq(first_b, b.r->ndevices);
	cr_assert_gt(compared, 400);
	cr_assert_gt(homes, 100); /* Not a world of one home. */
	run_free(&a);
	run_free(&b);
}

Test(model, partial_records_are_cut_at_exact_periods, .timeout = 120)
{
	/* Roamers reporting every 7 h for 3 days: each data record ends at
	 * exactly start + k * 24 h of its session (or at the session's
	 * close), holds the reports sent within its own period, and the
	 * settlement is still the sum of the records. */
	const uint64_t p = 86400ull * 1000000000ull;
	struct run x;
	size_t nop, ndata = 0, nfull = 0;
	int64_t *sum;
	uint64_t reports = 0, counted = 0;

	run_file(&x, "partial.yaml", NULL, 0, BSIM_BACKEND_NATIVE);
	nop = x.w->noperators;
	sum = calloc(nop * nop, sizeof(*sum));
	cr_assert_not_null(sum);
	for (size_t q = 0; q < x.r->nrecords; q++) {
		const struct bsim_record *r = &x.rec[q];
		uint64_t t0 = (uint64_t)r->t_start_ns, t1 = t0 + r->duration_ns,
			 n = 0, up = 5000;
		int64_t s0 = r->t_start_ns;
		bool last = true;

		sum[r->home_op * nop + r->visited_op] += r->charge_ueur;
		if (r->kind != 0)
			continue;
		ndata++;
		cr_assert_leq(r->duration_ns, p, "record %zu", q);
		/* The session's start: back along this device's records that
		 * end where the next one starts. */
		for (size_t k = q; k-- > 0;) {
			const struct bsim_record *o = &x.rec[k];

			if (o->kind == 0 && o->device == r->device &&
			    (int64_t)((uint64_t)o->t_start_ns +
				      o->duration_ns) == s0 &&
			    o->duration_ns == p)
				s0 = o->t_start_ns;
		}
		cr_assert_eq((t0 - (uint64_t)s0) % p, 0,
			     "record %zu starts %lu ns after its session", q,
			     (unsigned long)(t0 - (uint64_t)s0));
		for (size_t k = q + 1; k < x.r->nrecords; k++)
			if (x.rec[k].kind == 0 &&
			    x.rec[k].device == r->device) {
				last = x.rec[k].t_start_ns != (int64_t)t1;
				break;
			}
		/* A record followed by its session's next one is a full
		 * period; the period is half-open, its end in the next. */
		if (!last) {
			cr_assert_eq(r->duration_ns, p, "record %zu", q);
			nfull++;
		}
		for (size_t k = 0; k < x.r->ntrace; k++) {
			const struct bsim_trace *e = &x.trace[k];

			if (e->device == r->device &&
			    e->type == BSIM_TRACE_REPORT &&
			    e->result == BSIM_OUTCOME_OK && e->t_ns >= t0 &&
			    (e->t_ns < t1 || (last && e->t_ns == t1)))
				n++;
		}
		cr_assert_eq(r->bytes_up, n * up,
			     "record %zu (device %u, %lu s from %lu s): %lu B "
			     "for %lu reports",
			     q, r->device,
			     (unsigned long)(r->duration_ns / 1000000000u),
			     (unsigned long)(t0 / 1000000000u),
			     (unsigned long)r->bytes_up, (unsigned long)n);
		if (!last)
			cr_assert(n == 3 || n == 4, "%lu reports in 24 h",
				  (unsigned long)n);
		counted += n;
	}
	/* Every report sent while roaming is in exactly one record (those
	 * of devices placed on their home network are in none). */
	for (size_t k = 0; k < x.r->ntrace; k++)
		reports +=
			x.trace[k].type == BSIM_TRACE_REPORT &&
			x.trace[k].result == BSIM_OUTCOME_OK &&
			x.trace[k].op != row_of(x.r, x.trace[k].device).home_op;
	cr_assert_eq(counted, reports, "%lu of %lu reports in records",
		     (unsigned long)counted, (unsigned long)reports);
	/* Most of the 50 devices roam for the 3 days: two full periods
	 * each. */
	cr_assert_geq(nfull, 60, "%zu full periods in %zu records", nfull,
		      ndata);
	for (size_t k = 0; k < nop * nop; k++)
		cr_assert_eq(sum[k], x.r->settlement_ueur[k], "pair %zu", k);
	free(sum);
	run_free(&x);
}

/* Every node with one server and exponential services, spelled out. */
static void one_exponential_server(struct bsim_world *w)
{
	for (size_t o = 0; o < w->noperators; o++)
		w->operators[o].mme_servers = w->operators[o].hss_servers = 1;
	for (size_t p = 0; p < w->nplatforms; p++)
		w->platforms[p].servers = 1;
	for (unsigned k = 0; k < BSIM_NODE_KINDS; k++)
		w->service[k] = (struct bsim_service_spec){
			.dist = BSIM_SERVICE_DIST_EXPONENTIAL, .cv = 0
		};
}

/* PX-BE's MME as 4 servers with deterministic services, HSSs lognormal. */
static void four_mme_servers(struct bsim_world *w)
{
	int o = bsim_world_operator(w, "PX-BE");

	cr_assert_geq(o, 0);
	w->operators[o].mme_servers = 4;
	w->service[BSIM_NODE_MME].dist = BSIM_SERVICE_DIST_DETERMINISTIC;
	w->service[BSIM_NODE_HSS] =
		(struct bsim_service_spec){ .dist = BSIM_SERVICE_DIST_LOGNORMAL,
					    .cv = 1.5 };
}

/* Every node's servers and service spec zeroed: one exponential
 * server by the world's contract. */
static void zeroed_servers(struct bsim_world *w)
{
	for (size_t o = 0; o < w->noperators; o++)
		w->operators[o].mme_servers = w->operators[o].hss_servers = 0;
	for (size_t p = 0; p < w->nplatforms; p++)
		w->platforms[p].servers = 0;
	memset(w->service, 0, sizeof(w->service));
}

Test(model, node_servers_and_service_times_come_from_the_world, .timeout = 120)
{
	/* The scenario's defaults: 37 MME servers, 25 HSS servers, one hub
	 * server. Zeroed fields mean one exponential server: spelling that
	 * out gives the same run. Four servers and other distributions
	 * change it, and the node rows show the servers with the same total
	 * capacity. */
	static const char *const slow[] = {
		"operators.PX-BE.mme_capacity_per_s=20",
	};
	struct run a, b, z, c;
	size_t nop;
	int o;

	run_file(&a, "small.yaml", slow, 1, BSIM_BACKEND_NATIVE);
	run_tweaked(&b, "small.yaml", slow, 1, BSIM_BACKEND_NATIVE,
		    one_exponential_server);
	run_tweaked(&z, "small.yaml", slow, 1, BSIM_BACKEND_NATIVE,
		    zeroed_servers);
	run_tweaked(&c, "small.yaml", slow, 1, BSIM_BACKEND_NATIVE,
		    four_mme_servers);
	o = bsim_world_operator(a.w, "PX-BE");
	nop = a.w->noperators;
	for (size_t n = 0; n < a.r->nnodes; n++)
		cr_assert_eq(a.r->nodes[n].servers,
			     n < nop		   ? 37u
			     : n + 1 < a.r->nnodes ? 25u
						   : 1u,
			     "node %zu", n);
	cr_assert_eq(memcmp(z.r->nodes, b.r->nodes,
			    z.r->nnodes * sizeof(*z.r->nodes)),
		     0, "explicit one server = zeroed world");
	cr_assert_eq(memcmp(z.r->kpi, b.r->kpi, sizeof(z.r->kpi)), 0);
	for (size_t n = 0; n < b.r->nnodes; n++)
		cr_assert_eq(b.r->nodes[n].servers, 1);
	cr_assert_eq(c.r->nodes[o].servers, 4);
	cr_assert_float_eq(c.r->nodes[o].service_rate_per_s, 20.0, 1e-9,
			   "the capacity is the node's total");
	cr_assert_float_eq(a.r->nodes[o].service_rate_per_s, 20.0, 1e-9);
	cr_assert_gt(c.r->nodes[o].arrivals, 0);
	cr_assert_neq(memcmp(b.r->nodes, c.r->nodes,
			     b.r->nnodes * sizeof(*b.r->nodes)),
		      0);
	cr_assert_neq(b.r->nodes[o].mean_wait_s, c.r->nodes[o].mean_wait_s);
	/* More servers of the same total capacity: shorter waits. */
	cr_assert_lt(a.r->nodes[o].mean_wait_s, b.r->nodes[o].mean_wait_s);
	run_free(&a);
	run_free(&b);
	run_free(&z);
	run_free(&c);
}

Test(model, cost_per_device_month_does_not_depend_on_the_runs_length,
     .timeout = 300)
{
	/* The default world at 1/10,000 of its size from 1 January: one month
	 * and two months give the same cost per device-month (usage scales
	 * with days, access fees come from whole months). A week gives the
	 * same usage but no fees per month: a device meets more networks
	 * the longer it roams in a month, so a week would undercount. */
	static const char *const jan[] = { "run.start=2026-01-01T00:00:00Z",
					   "run.sample_fraction=0.0001",
					   "dimensioning.hss_background=false",
					   "run.duration_s=2678400" };
	static const char *const janfeb[] = {
		"run.start=2026-01-01T00:00:00Z", "run.sample_fraction=0.0001",
		"dimensioning.hss_background=false", "run.duration_s=5097600"
	};
	static const char *const week[] = { "run.start=2026-01-01T00:00:00Z",
					    "run.sample_fraction=0.0001",
					    "dimensioning.hss_background=false",
					    "run.duration_s=604800" };
	struct run a, b, c;
	double ca, cb, ua, uc;

	run_file(&a, "../../scenarios/default.yaml", jan, 4,
		 BSIM_BACKEND_NATIVE);
	run_file(&b, "../../scenarios/default.yaml", janfeb, 4,
		 BSIM_BACKEND_NATIVE);
	run_file(&c, "../../scenarios/default.yaml", week, 4,
		 BSIM_BACKEND_NATIVE);
	ca = a.r->kpi[BSIM_KPI_cost_per_device_month_eur];
	cb = b.r->kpi[BSIM_KPI_cost_per_device_month_eur];
	ua = a.r->kpi[BSIM_KPI_usage_cost_per_device_month_eur];
	uc = c.r->kpi[BSIM_KPI_usage_cost_per_device_month_eur];
	cr_assert_gt(ca, 0.1, "%g", ca);
	cr_assert_lt(fabs(cb / ca - 1), 0.10, "one month %g, two %g", ca, cb);
	cr_assert_float_eq(
		ca, ua + a.r->kpi[BSIM_KPI_access_fees_per_device_month_eur],
		1e-12);
	cr_assert(isnan(c.r->kpi[BSIM_KPI_access_fees_per_device_month_eur]));
	cr_assert(isnan(c.r->kpi[BSIM_KPI_cost_per_device_month_eur]));
	cr_assert_gt(uc, 0);
	cr_assert_lt(fabs(uc / ua - 1), 0.10, "week %g, month %g", uc, ua);
	run_free(&a);
	run_free(&b);
	run_free(&c);
}

/* Transactions that arrived at and were served by the HSS nodes (of
 * operators and platforms), and messages of one type counted there. */
static void hss_load(const struct bsim_results *r, uint64_t *arrivals,
		     uint64_t *served)
{
	*arrivals = *served = 0;
	for (size_t n = 0; n < r->nnodes; n++)
		if (r->nodes[n].kind == BSIM_NODE_HSS ||
		    r->nodes[n].kind == BSIM_NODE_PLATFORM) {
			*arrivals += r->nodes[n].arrivals;
			*served += r->nodes[n].served;
		}
}

static uint64_t hss_messages_of(const struct bsim_results *r, unsigned type)
{
	uint64_t sum = 0;

	for (size_t b = 0; b < r->nbins; b++)
		for (size_t n = 0; n < r->nnodes; n++)
			if (r->nodes[n].kind == BSIM_NODE_HSS ||
			    r->nodes[n].kind == BSIM_NODE_PLATFORM)
				sum += r->messages[(b * r->nnodes + n) *
							   BSIM_MESSAGE_COUNT +
						   type];
	return sum;
}

/* Completions of procedure p by class c. */
static uint64_t done_of(const struct run *x, size_t c, unsigned p)
{
	return x->r->proc_done_by_class[c * BSIM_PROCEDURES + p];
}

Test(model, an_attach_with_authentication_is_two_hss_transactions,
     .timeout = 60)
{
	/* hss.yaml: one roamer attaching on DT-DE every hour without a
	 * cached vector, detaching (PUR) after each report. Each attach is
	 * an AIR, then a ULR: two HSS transactions of 2 messages each; each
	 * detach is one. */
	struct run x;
	uint64_t arr, served, att, det;
	double rtt, want;

	run_file(&x, "hss.yaml", NULL, 0, BSIM_BACKEND_NATIVE);
	att = done_of(&x, 0, 0);
	det = done_of(&x, 0, 4);
	hss_load(x.r, &arr, &served);
	cr_assert_geq(att, 2);
	cr_assert_eq(x.r->kpi[BSIM_KPI_attach_success_ratio], 1);
	cr_assert_eq(arr, 2 * att + det, "%lu arrivals, %lu attaches",
		     (unsigned long)arr, (unsigned long)att);
	cr_assert_eq(served, arr);
	cr_assert_eq(hss_messages_of(x.r, BSIM__M_S6A_AIR), 2 * att);
	cr_assert_eq(hss_messages_of(x.r, BSIM__M_S6A_ULR), 2 * att);
	cr_assert_eq(hss_messages_of(x.r, BSIM__M_S6A_PUR), 2 * det);
	/* Its latency: 4 LTE-M radio round trips of 50 ms (half before the
	 * MME, AUTH_ROUNDS between the AIA and the ULR, the rest after)
	 * and two core round trips over the IPX (path_rtt_ms: 4 ms + 0.021
	 * ms/km + 10 ms), node services being ns (the hub's 5 us each). */
	rtt = x.r->path_rtt_ms[0 * x.w->noperators + 1] / 1000;
	want = 4 * 0.05 + 2 * rtt;
	cr_assert_float_eq(x.r->kpi[BSIM_KPI_attach_latency_mean_s], want, 1e-4,
			   "latency %.6f s, expected %.6f s",
			   x.r->kpi[BSIM_KPI_attach_latency_mean_s], want);
	run_free(&x);
}

Test(model, a_steered_attempt_still_costs_its_air_and_ulr, .timeout = 60)
{
	/* The home steers once per window: the first attempt of each hour
	 * is rejected at the ULR (#17), the retry after T3411 admitted.
	 * Both attempts cost an AIR and a ULR. */
	static const char *const steer[] = {
		"operators.KPN-NL.sor_max_attempts=1"
	};
	struct run x;
	uint64_t arr, served, det;
	struct bsim_device_row d;

	run_file(&x, "hss.yaml", steer, 1, BSIM_BACKEND_NATIVE);
	d = row_of(x.r, 0);
	det = done_of(&x, 0, 4);
	hss_load(x.r, &arr, &served);
	cr_assert_geq(x.r->kpi[BSIM_KPI_rejects_cause_17], 2);
	cr_assert_eq(d.attaches_failed, x.r->kpi[BSIM_KPI_rejects_cause_17]);
	cr_assert_eq(d.attaches_ok, done_of(&x, 0, 0));
	cr_assert_eq(arr, 2 * (d.attaches_ok + d.attaches_failed) + det,
		     "%lu arrivals, %u + %u attempts", (unsigned long)arr,
		     d.attaches_ok, d.attaches_failed);
	cr_assert_eq(hss_messages_of(x.r, BSIM__M_S6A_AIR),
		     2 * (d.attaches_ok + d.attaches_failed));
	run_free(&x);
}

Test(model, an_s10_update_is_one_hss_transaction, .timeout = 60)
{
	/* Trucks between KPN-NL and DT-DE, equivalent networks: the context
	 * moves over S10, so each update is a ULR alone. */
	static const char *const trucks[] = { "classes.meter.count=0",
					      "classes.truck.count=20" };
	struct run x;
	uint64_t arr, served, tau;

	run_file(&x, "hss.yaml", trucks, 2, BSIM_BACKEND_NATIVE);
	tau = done_of(&x, 1, 1);
	hss_load(x.r, &arr, &served);
	cr_assert_gt(tau, 10);
	cr_assert_eq(done_of(&x, 1, 0), 0);
	cr_assert_eq(arr, tau, "%lu arrivals, %lu S10 updates",
		     (unsigned long)arr, (unsigned long)tau);
	cr_assert_eq(hss_messages_of(x.r, BSIM__M_S6A_AIR), 0);
	cr_assert_eq(hss_messages_of(x.r, BSIM__M_S6A_ULR), 2 * tau);
	run_free(&x);
}

/* The shortest and longest gaps between consecutive failed attaches of
 * one device less than 100 s apart (one run of the attempt counter), and
 * how many failed attaches the trace holds and how many timed out. */
static void reject_gaps(const struct run *x, double *min_s, double *max_s,
			uint64_t *fails, uint64_t *timeouts)
{
	uint64_t *last = calloc(x->r->ndevices, sizeof(*last));

	cr_assert_not_null(last);
	*min_s = INFINITY;
	*max_s = 0;
	*fails = *timeouts = 0;
	for (size_t k = 0; k < x->r->ntrace; k++) {
		const struct bsim_trace *t = &x->trace[k];
		double gap;

		if (t->type != BSIM_TRACE_ATTACH ||
		    t->result == BSIM_OUTCOME_OK)
			continue;
		++*fails;
		*timeouts += t->result == BSIM_OUTCOME_TIMEOUT;
		gap = (double)(t->t_ns - last[t->device]) / 1e9;
		if (last[t->device] && gap < 100) {
			*min_s = gap < *min_s ? gap : *min_s;
			*max_s = gap > *max_s ? gap : *max_s;
		}
		last[t->device] = t->t_ns;
	}
	free(last);
}

Test(model, an_hss_that_does_not_answer_is_given_up_at_the_diameter_timer,
     .timeout = 60)
{
	/* After a radio outage the sensors attach again while their HSS is
	 * down. The visited MME gives up diameter_tx_s (6 s) after sending
	 * the AIR and rejects with #17; the device retries after T3411
	 * (10 s, no jitter). Consecutive failures are thus T3411 + 6 s + the
	 * 4 radio round trips of the attach (0.2 s) apart, not T3411 +
	 * T3410 (25 s). */
	static const char *const sets[] = {
		"classes.meter.count=0", "classes.sensor.count=20",
		"failures=[{kind: radio_outage, country: DE, start_s: 600, "
		"duration_s: 600}, {kind: hss_outage, operator: KPN-NL, "
		"start_s: 600, duration_s: 3000}]"
	};
	struct run x;
	double lo, hi;
	uint64_t fails, tmo;

	run_file(&x, "hss.yaml", sets, 3, BSIM_BACKEND_NATIVE);
	reject_gaps(&x, &lo, &hi, &fails, &tmo);
	cr_assert_gt(fails, 40);
	cr_assert_eq(tmo, 0);
	cr_assert_eq(x.r->kpi[BSIM_KPI_timeouts], 0);
	cr_assert_eq(x.r->kpi[BSIM_KPI_diameter_timeouts], fails);
	cr_assert_eq(x.r->kpi[BSIM_KPI_rejects_cause_17], 0);
	cr_assert_float_eq(lo, 10 + 6 + 0.2, 1e-3, "gap %.6f s", lo);
	cr_assert_float_eq(hi, 10 + 6 + 0.2, 1e-3, "gap %.6f s", hi);
	run_free(&x);
}

Test(model, a_slow_hss_is_given_up_on_but_serves_every_transaction,
     .timeout = 60)
{
	/* 200 sensors attach (AIR + ULR) within 30 s against an HSS of
	 * 1 transaction/s: most answers would come after the MME's 6 s
	 * timer. The MME rejects those at the timer (never T3410: two
	 * timers of 6 s and the radio stay below 15 s), the HSS still serves
	 * every transaction it admitted (its queue limit is never reached),
	 * and the devices retry after T3411. */
	static const char *const sets[] = {
		"classes.meter.count=0", "classes.sensor.count=200",
		"operators.KPN-NL.hss_capacity_per_s=1",
		"failures=[{kind: radio_outage, country: DE, start_s: 600, "
		"duration_s: 600}]"
	};
	struct run x;
	double lo, hi;
	uint64_t fails, tmo, arr, served;

	run_file(&x, "hss.yaml", sets, 4, BSIM_BACKEND_NATIVE);
	reject_gaps(&x, &lo, &hi, &fails, &tmo);
	hss_load(x.r, &arr, &served);
	cr_assert_gt(x.r->kpi[BSIM_KPI_diameter_timeouts], 100);
	cr_assert_eq(x.r->kpi[BSIM_KPI_diameter_timeouts], fails);
	cr_assert_eq(tmo, 0);
	cr_assert_eq(x.r->kpi[BSIM_KPI_rejects_cause_22], 0);
	cr_assert_eq(served, arr);
	/* Work for attempts the MME gave up on. */
	cr_assert_gt(arr, 2 * done_of(&x, 2, 0) + 50, "%lu arrivals",
		     (unsigned long)arr);
	/* The quickest retry: T3411 after a reject at the AIR's timer. */
	cr_assert_float_eq(lo, 10 + 6 + 0.2, 1e-3, "gap %.6f s", lo);
	run_free(&x);
}

/* Over the trace: the shortest time from a loss of service to the
 * device's next registration outcome (attach, update or handover, any
 * result), and how many losses were followed by one. */
static double loss_to_register(const struct run *x, uint64_t *n)
{
	uint64_t *lost = calloc(x->r->ndevices, sizeof(*lost));
	double lo = INFINITY;

	cr_assert_not_null(lost);
	*n = 0;
	for (size_t k = 0; k < x->r->ntrace; k++) {
		const struct bsim_trace *t = &x->trace[k];

		if (t->type == BSIM_TRACE_LOSS) {
			lost[t->device] = t->t_ns + 1;
		} else if ((t->type == BSIM_TRACE_ATTACH ||
			    t->type == BSIM_TRACE_TAU ||
			    t->type == BSIM_TRACE_HANDOVER) &&
			   lost[t->device]) {
			double s =
				(double)(t->t_ns - (lost[t->device] - 1)) / 1e9;

			lo = s < lo ? s : lo;
			lost[t->device] = 0;
			++*n;
		}
	}
	free(lost);
	return lo;
}

Test(model, a_device_that_loses_service_searches_before_it_registers,
     .timeout = 120)
{
	/* Trackers crossing borders at arm's length (no equivalent
	 * networks) lose service at each border. With a search of
	 * U(40, 80) s they register no earlier than 40 s after the loss, and
	 * each re-attach ends an interruption of at least 40 s; without a
	 * search they attach at once. */
	static const char *const slow[] = { "run.output=full",
					    "classes.tracker.search_min_s=40",
					    "classes.tracker.search_max_s=80" };
	static const char *const none[] = { "run.output=full",
					    "classes.tracker.search_min_s=0",
					    "classes.tracker.search_max_s=0" };
	struct run a, b;
	uint64_t na, nb, reattaches = 0, interruption_ns = 0;
	double la, lb;

	run_file(&a, "topo/arms-length.yaml", slow, 3, BSIM_BACKEND_NATIVE);
	run_file(&b, "topo/arms-length.yaml", none, 3, BSIM_BACKEND_NATIVE);
	la = loss_to_register(&a, &na);
	lb = loss_to_register(&b, &nb);
	cr_assert_gt(na, 100);
	cr_assert_gt(nb, 100);
	cr_assert_geq(la, 40, "registered %.3f s after a loss", la);
	cr_assert_lt(la, 50, "shortest %.3f s", la);
	cr_assert_lt(lb, 1, "without a search: %.3f s", lb);
	for (size_t i = 0; i < a.r->ndevices; i++) {
		const struct bsim_device_row d = row_of(a.r, i);

		reattaches += d.reattaches;
		interruption_ns += d.interruption_ns;
	}
	cr_assert_gt(reattaches, 100);
	cr_assert_geq(interruption_ns, reattaches * UINT64_C(40000000000));
	cr_assert_gt(a.r->kpi[BSIM_KPI_interruption_s_per_border_crossing],
		     b.r->kpi[BSIM_KPI_interruption_s_per_border_crossing]);
	run_free(&a);
	run_free(&b);
}

Test(model, every_roaming_session_has_a_user_plane_round_trip, .timeout = 120)
{
	/* Arm's-length roaming is home-routed through the IPX: its user
	 * plane takes the local 10 ms, the 40 ms fixed detour and the signalling
	 * path's round trip with the hub's detour (path_rtt_ms + 50 ms), so at
	 * least 64 ms within Europe (>= 60 ms measured [K-lutu]); the 95th
	 * percentile of session time lies between the smallest and the
	 * largest pair's round trip among pairs of territory networks. */
	struct run x;
	const struct bsim_world *w;
	double lo = INFINITY, hi = 0, p95;
	size_t nop;

	run_file(&x, "topo/arms-length.yaml", NULL, 0, BSIM_BACKEND_NATIVE);
	w = x.w;
	nop = w->noperators;
	for (size_t h = 0; h < nop; h++)
		for (size_t v = 0; v < nop; v++) {
			double rtt = x.r->path_rtt_ms[h * nop + v] + 50;

			if (h == v ||
			    !w->countries[w->operators[h].country].territory ||
			    !w->countries[w->operators[v].country].territory ||
			    bsim_world_terms(w, h, v)->relation ==
				    BSIM_REL_NONE)
				continue;
			lo = rtt < lo ? rtt : lo;
			hi = rtt > hi ? rtt : hi;
		}
	p95 = x.r->kpi[BSIM_KPI_rtt_p95_ms];
	cr_assert_geq(lo, 64 - 1e-9, "%g", lo);
	cr_assert_geq(p95, floor(lo), "p95 %g, pairs %g-%g", p95, lo, hi);
	cr_assert_leq(p95, ceil(hi) + 1, "p95 %g, pairs %g-%g", p95, lo, hi);
	cr_assert_geq(x.r->kpi[BSIM_KPI_rtt_over_target_share], 0);
	cr_assert_leq(x.r->kpi[BSIM_KPI_rtt_over_target_share], 1);
	run_free(&x);
}
