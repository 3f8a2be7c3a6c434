/* SPDX-License-Identifier: MIT */
/* The model's life cycle and run loop (see model.h). */
#include "model-internal.h"

#include <blocsim/civil.h>
#include <blocsim/error.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const message_names[] = {
#define BSIM_MSG_NAME(id, name) name,
	BSIM_MESSAGE_TYPES(BSIM_MSG_NAME)
#undef BSIM_MSG_NAME
};

const char *bsim_message_name(unsigned m)
{
	return m < BSIM_MESSAGE_COUNT ? message_names[m] : "?";
}

void bsim__grow(void **a, size_t *cap, size_t n, size_t elem, size_t first)
{
	size_t c;
	void *p;

	if (n < *cap)
		return;
	c = *cap ? 2 * *cap : first;
	p = realloc(*a, c * elem);
	if (!p)
		bsim_fatal(BSIM_LOC, "out of memory for %zu results", c);
	*a = p;
	*cap = c;
}

static int class_params(struct bsim_model *m)
{
	const struct bsim_world *w = m->w;

	m->cp = calloc(w->nclasses ? w->nclasses : 1, sizeof(*m->cp));
	if (!m->cp)
		return BSIM_ENOMEM;
	for (size_t c = 0; c < w->nclasses; c++) {
		const struct bsim_class *cl = &w->classes[c];
		struct bsim__class_params *p = &m->cp[c];

		bsim__retry_defaults(&p->retry, cl->ts34);
		p->retry.t3411_ns = S_TO_NS(cl->t3411_s);
		p->retry.t3402_ns = S_TO_NS(cl->t3402_s);
		p->retry.max_attempts =
			(uint8_t)(cl->max_attempts > 255 ? 255
							 : cl->max_attempts);
		p->retry.t3346_min_ns = S_TO_NS(cl->t3346_min_s);
		p->retry.t3346_max_ns = S_TO_NS(cl->t3346_max_s);
		p->t3412_ns = S_TO_NS(cl->t3412_s);
		p->t3324_ns = S_TO_NS(cl->t3324_s);
		p->t3410_ns = S_TO_NS(cl->t3410_s);
		p->hplmn_ns = S_TO_NS(cl->hpplmn_search_s);
		p->report_ns = S_TO_NS(cl->report_s);
		p->parked_ns = S_TO_NS(cl->parked_report_s);
		p->edrx_ns = S_TO_NS(cl->edrx_s);
		p->search_min_ns = S_TO_NS(cl->search_min_s);
		p->search_max_ns = S_TO_NS(cl->search_max_s);
		p->mt_expiry_ns = S_TO_NS(cl->mt_expiry_s);
		p->mt_rate_per_s = cl->mt_per_day / 86400.0;
		p->family =
			cl->radio == BSIM_RADIO_2G ? BSIM__R_MAP : BSIM__R_EPS;
		p->radio_rtt_s = cl->radio == BSIM_RADIO_NB_IOT ? RADIO_RTT_NB_S
				 : cl->radio == BSIM_RADIO_2G	? RADIO_RTT_2G_S
								: RADIO_RTT_S;
	}
	return 0;
}

/* The world's service distributions are passed to nodes as they are. */
_Static_assert((int)BSIM_SERVICE_DIST_EXPONENTIAL ==
			       (int)BSIM_SERVICE_EXPONENTIAL &&
		       (int)BSIM_SERVICE_DIST_DETERMINISTIC ==
			       (int)BSIM_SERVICE_DETERMINISTIC &&
		       (int)BSIM_SERVICE_DIST_LOGNORMAL ==
			       (int)BSIM_SERVICE_LOGNORMAL,
	       "enum bsim_service_dist and enum bsim__service differ");

/* The background load of a dimensioned operator's MME or HSS
 * (bsim_world_background_per_s()), shaped by the diurnal profile in the
 * operator's local time and scaled like everything else by the sample
 * fraction. */
static void background(struct bsim_model *m, struct bsim__node *node, size_t o,
		       bool mme)
{
	const struct bsim_world *w = m->w;
	double f = w->run.sample_fraction > 0 ? w->run.sample_fraction : 1;
	double per_s = bsim_world_background_per_s(w, o, mme) * f, rate[24];

	if (per_s <= 0)
		return;
	for (int h = 0; h < 24; h++)
		rate[h] = per_s * bsim_diurnal_profile[h];
	bsim__node_background(
		node, m->rng, rate, w->run.start_unix_s,
		60 * (int64_t)w->countries[w->operators[o].country]
				.utc_offset_min);
}

static int nodes_build(struct bsim_model *m)
{
	const struct bsim_world *w = m->w;
	size_t nop = w->noperators, nn = 2 * nop + w->nplatforms + 1;
	int rc;

	m->nnodes = nn;
	m->ipx_node = (uint16_t)(nn - 1);
	m->nodes = calloc(nn, sizeof(*m->nodes));
	m->node_down = calloc(nn, sizeof(*m->node_down));
	m->node_site = calloc(nn, sizeof(*m->node_site));
	m->node_backoff = calloc(nn, sizeof(*m->node_backoff));
	m->op_hss_node = calloc(nop, sizeof(*m->op_hss_node));
	m->lat_core_s = calloc(nop * nn, sizeof(*m->lat_core_s));
	if (!m->nodes || !m->node_down || !m->node_site || !m->node_backoff ||
	    !m->op_hss_node || !m->lat_core_s)
		return BSIM_ENOMEM;
	for (size_t n = 0; n < nn; n++) {
		double rate, server_rate; /* Real node's and a server's, 1/s. */
		uint32_t limit, servers;
		const struct bsim_service_spec *svc =
			&w->service[n < nop	  ? BSIM_NODE_MME
				    : n < 2 * nop ? BSIM_NODE_HSS
				    : n < nn - 1  ? BSIM_NODE_PLATFORM
						  : BSIM_NODE_IPX];

		if (n < nop) {
			rate = w->operators[n].mme_capacity_per_s;
			limit = w->operators[n].mme_queue_limit;
			servers = w->operators[n].mme_servers;
			m->node_site[n] = w->operators[n].hss_site;
		} else if (n < 2 * nop) {
			rate = w->operators[n - nop].hss_capacity_per_s;
			limit = w->operators[n - nop].hss_queue_limit;
			servers = w->operators[n - nop].hss_servers;
			m->node_site[n] = w->operators[n - nop].hss_site;
		} else if (n < nn - 1) {
			const struct bsim_platform *p =
				&w->platforms[n - 2 * nop];

			rate = p->hss_capacity_per_s;
			limit = p->hss_queue_limit;
			servers = p->servers;
			m->node_site[n] = p->hss_site;
		} else {
			rate = IPX_RATE_PER_S;
			limit = IPX_QUEUE_LIMIT;
			servers = 1;
			m->node_site[n] = UINT16_MAX;
		}
		/* 0 servers in the world means one; the capacity is the
		 * node's total, so each server serves at rate / servers. */
		if (servers == 0)
			servers = 1;
		server_rate = rate / servers;
		/* A sample of f of the population meets max(1, round(c f))
		 * servers of the real service time and a queue of limit x f:
		 * overload, backlog in seconds of work and drain times are
		 * the real node's, and so are light-load waits while c f is
		 * not small (docs/model.md, Signalling nodes). The hub is
		 * not scaled: it serves far more than this world. */
		if (n != nn - 1) {
			double f = w->run.sample_fraction;

			servers = bsim_world_sampled(servers, f);
			limit = bsim_world_sampled(limit, f);
		}
		rc = bsim__node_init(&m->nodes[n],
				     bsim_entity(BSIM_ENTITY_NODE, n), servers,
				     server_rate, (enum bsim__service)svc->dist,
				     svc->cv, limit);
		if (rc)
			return rc;
		if (n < 2 * nop)
			background(m, &m->nodes[n], n % nop, n < nop);
	}
	for (size_t o = 0; o < nop; o++) {
		m->op_hss_node[o] = (uint16_t)(nop + o);
		for (size_t p = w->nplatforms; p-- > 0;)
			for (size_t k = 0; k < w->platforms[p].nmembers; k++)
				if (w->platforms[p].members[k] == o)
					m->op_hss_node[o] =
						(uint16_t)(2 * nop + p);
	}
	for (size_t v = 0; v < nop; v++)
		for (size_t n = 0; n < nn; n++) {
			const struct bsim_city *a =
				&w->cities[w->operators[v].hss_site];
			double km = 0;

			if (m->node_site[n] != UINT16_MAX) {
				const struct bsim_city *b =
					&w->cities[m->node_site[n]];

				km = bsim_geo_distance_km(a->lat, a->lon,
							  b->lat, b->lon);
			}
			m->lat_core_s[v * nn + n] =
				HOP_S + KM_RTT_MS * km / 2 / 1000;
		}
	return 0;
}

/* For steering: whether the home ranks a network of v's country above v
 * (unranked v: any ranked one), per (home, visited). */
static int steer_build(struct bsim_model *m)
{
	const struct bsim_world *w = m->w;
	size_t nop = w->noperators;

	m->steer_better = calloc(nop * nop + 1, sizeof(*m->steer_better));
	if (!m->steer_better)
		return BSIM_ENOMEM;
	for (size_t h = 0; h < nop; h++)
		for (size_t v = 0; v < nop; v++) {
			uint16_t rv = bsim_world_terms(w, h, v)->steering_rank;

			for (size_t o = 0; o < nop; o++) {
				uint16_t r = bsim_world_terms(w, h, o)
						     ->steering_rank;

				if (o != v &&
				    w->operators[o].country ==
					    w->operators[v].country &&
				    r && (rv == 0 || r < rv))
					m->steer_better[h * nop + v] = true;
			}
		}
	return 0;
}

/* Where each operator's network lies, for the order of EPLMN lists: the
 * mean centre of its country's cells, else its HSS site. */
static int eplmn_build(struct bsim_model *m)
{
	const struct bsim_world *w = m->w;
	size_t nop = w->noperators, nc = w->ncountries;
	double *clat = calloc(nc + 1, sizeof(double)),
	       *clon = calloc(nc + 1, sizeof(double));

	m->op_lat = calloc(nop + 1, sizeof(*m->op_lat));
	m->op_lon = calloc(nop + 1, sizeof(*m->op_lon));
	if (!clat || !clon || !m->op_lat || !m->op_lon) {
		free(clat);
		free(clon);
		return BSIM_ENOMEM;
	}
	for (size_t c = 0; c < nc; c++) {
		uint32_t a = m->country_cells_start[c],
			 b = m->country_cells_start[c + 1];
		double lat, lon;

		for (uint32_t k = a; k < b; k++) {
			bsim_grid_centre(m->g, m->country_cells[k], &lat, &lon);
			clat[c] += lat;
			clon[c] += lon;
		}
		if (b > a) {
			clat[c] /= (double)(b - a);
			clon[c] /= (double)(b - a);
		} else {
			clat[c] = NAN;
		}
	}
	for (size_t o = 0; o < nop; o++) {
		const struct bsim_operator *op = &w->operators[o];

		if (isnan(clat[op->country])) {
			m->op_lat[o] = w->cities[op->hss_site].lat;
			m->op_lon[o] = w->cities[op->hss_site].lon;
		} else {
			m->op_lat[o] = clat[op->country];
			m->op_lon[o] = clon[op->country];
		}
	}
	free(clat);
	free(clon);
	return 0;
}

/* Random roaming faults per agreement: a Poisson process at the
 * agreement's rate; each lasts its detection plus repair time. */
static void faults_schedule(struct bsim_model *m)
{
	const struct bsim_world *w = m->w;
	size_t nop = w->noperators;
	double end_s = (double)w->run.duration_s;

	for (size_t h = 0; h < nop; h++)
		for (size_t v = 0; v < nop; v++) {
			const struct bsim_terms *t = bsim_world_terms(w, h, v);
			uint64_t ent =
				bsim_entity(BSIM_ENTITY_OPERATOR, h * nop + v);
			bsim_rng_ctr ctr = 0;
			double rate = t->fault_rate_per_year / 31557600.0,
			       ts = 0;
			uint32_t pair = (uint32_t)(h * nop + v);

			if (h == v || t->relation == BSIM_REL_NONE || rate <= 0)
				continue;
			for (;;) {
				double u, dur;
				uint8_t ph0 = 0, ph1 = 1;

				u = bsim_rng_uniform(m->rng, ent,
						     BSIM_RNG_FAILURE, &ctr);
				ts += -log1p(-u) / rate;
				if (ts >= end_s)
					break;
				u = bsim_rng_uniform(m->rng, ent,
						     BSIM_RNG_FAILURE, &ctr);
				dur = -log1p(-u) * t->fault_detect_s;
				u = bsim_rng_uniform(m->rng, ent,
						     BSIM_RNG_FAILURE, &ctr);
				dur += -log1p(-u) * t->fault_repair_s;
				bsim_engine_post_at(m->eng, S_TO_NS(ts),
						    m->h_fault, pair, &ph0);
				if (ts + dur < end_s)
					bsim_engine_post_at(
						m->eng, S_TO_NS(ts + dur),
						m->h_fault, pair, &ph1);
				ts += dur;
			}
		}
}

/* A new calendar month in a country's local time: the access fees of
 * the roamers registered there are due again. */
static void months_schedule(struct bsim_model *m)
{
	const struct bsim_world *w = m->w;
	int64_t start = w->run.start_unix_s,
		end = start + (int64_t)w->run.duration_s;

	for (size_t c = 0; c < w->ncountries; c++) {
		int32_t off = w->countries[c].utc_offset_min;
		int64_t idx = bsim_month_index(start, off);

		if (!w->countries[c].territory)
			continue;
		for (;;) {
			int64_t n = idx + 1, t;

			t = bsim_days_from_civil(n / 12, (unsigned)(n % 12) + 1,
						 1) *
				    86400 -
			    (int64_t)off * 60;
			if (t >= end)
				break;
			bsim_engine_post_at(m->eng,
					    (uint64_t)(t - start) *
						    UINT64_C(1000000000),
					    m->h_month, (uint32_t)c, NULL);
			idx = n;
		}
	}
}

static int handlers(struct bsim_model *m)
{
	struct {
		unsigned *id;
		bsim_handler_fn fn;
		size_t size;
	} h[] = {
		{ &m->h_report, bsim__on_report, 0 },
		{ &m->h_periodic, bsim__on_periodic, 0 },
		{ &m->h_move, bsim__on_move, 0 },
		{ &m->h_hplmn, bsim__on_hplmn, 0 },
		{ &m->h_retry, bsim__on_retry, 0 },
		{ &m->h_guard, bsim__on_guard, sizeof(uint16_t) },
		{ &m->h_hop, bsim__on_hop, sizeof(struct bsim__hop) },
		{ &m->h_answer, bsim__on_answer, sizeof(struct bsim__answer) },
		{ &m->h_failure, bsim__on_failure, 1 },
		{ &m->h_fault, bsim__on_fault, 1 },
		{ &m->h_contact, bsim__on_contact, 0 },
		{ &m->h_month, bsim__on_month, 0 },
		{ &m->h_mt, bsim__on_mt, 0 },
		{ &m->h_po, bsim__on_po, 0 },
		{ &m->h_search, bsim__on_search, 0 },
		{ &m->h_nwdetach, bsim__on_nwdetach, 0 },
	};

	for (size_t k = 0; k < sizeof(h) / sizeof(h[0]); k++) {
		int id = bsim_engine_register(m->eng, h[k].fn, m, h[k].size);

		if (id < 0)
			return id;
		*h[k].id = (unsigned)id;
	}
	return 0;
}

int bsim_model_create(const struct bsim_world *world,
		      const struct bsim_grid *grid, struct bsim_engine *engine,
		      struct bsim_rng *rng, struct bsim_model **out, char *err,
		      size_t errlen)
{
	struct bsim_model *m = calloc(1, sizeof(*m));
	size_t nop = world->noperators, ndev = 0;
	int rc;

	if (!m)
		return BSIM_ENOMEM;
	m->w = world;
	m->g = grid;
	m->eng = engine;
	m->rng = rng;
	m->end_ns = S_TO_NS((double)world->run.duration_s);
	m->bin_ns = S_TO_NS((double)world->run.bin_s);
	m->tracing = world->run.output == BSIM_OUTPUT_FULL;
	bsim__spool_init(&m->rec, sizeof(struct bsim_record));
	bsim__spool_init(&m->trace, sizeof(struct bsim_trace));
	if ((rc = handlers(m)) || (rc = class_params(m)) ||
	    (rc = bsim__mt_create(m)) || (rc = nodes_build(m)))
		goto fail;
	m->op_radio_down = calloc(nop, sizeof(*m->op_radio_down));
	m->op_reset_epoch = calloc(nop, sizeof(*m->op_reset_epoch));
	m->pair_fault = calloc(nop * nop, sizeof(*m->pair_fault));
	m->settle = calloc(nop * nop, sizeof(*m->settle));
	m->net = calloc(nop * nop, sizeof(*m->net));
	m->failure_end_ns = calloc(world->nfailures + 1, sizeof(uint64_t));
	m->fail_n = calloc(world->nfailures + 1, sizeof(uint32_t));
	m->fail_out = calloc(world->nfailures + 1, sizeof(uint32_t));
	m->fail_recovered_ns = calloc(world->nfailures + 1, sizeof(uint64_t));
	m->fail_state = calloc(world->nfailures + 1, 1);
	m->op_hss_tx = calloc(nop, sizeof(*m->op_hss_tx));
	m->backoff_bin = calloc(m->nnodes, sizeof(*m->backoff_bin));
	m->nbins = (size_t)((world->run.duration_s + world->run.bin_s - 1) /
			    world->run.bin_s);
	m->messages = calloc(m->nbins * m->nnodes * BSIM_MESSAGE_COUNT,
			     sizeof(*m->messages));
	m->series = calloc(m->nbins * m->nnodes * BSIM_SERIES_COUNT,
			   sizeof(*m->series));
	m->storm_bits = calloc(world->run.duration_s / 8 + 2, 1);
	rc = BSIM_ENOMEM;
	if (!m->op_radio_down || !m->op_reset_epoch || !m->pair_fault ||
	    !m->settle || !m->net || !m->failure_end_ns || !m->messages ||
	    !m->fail_n || !m->fail_out || !m->fail_recovered_ns ||
	    !m->fail_state || !m->op_hss_tx || !m->backoff_bin || !m->series ||
	    !m->storm_bits)
		goto fail;
	if ((rc = bsim__cover_build(m, err, errlen)) ||
	    (rc = bsim__routes_build(m, err, errlen)))
		goto fail;
	bsim__proc_tables(m);
	if ((rc = eplmn_build(m)) || (rc = steer_build(m)))
		goto fail;
	m->cls_first = calloc(world->nclasses + 1, sizeof(*m->cls_first));
	if (!m->cls_first) {
		rc = BSIM_ENOMEM;
		goto fail;
	}
	for (size_t c = 0; c < world->nclasses; c++) {
		ndev += world->classes[c].simulated;
		m->cls_first[c + 1] = (uint32_t)ndev;
	}
	m->ndev = ndev;
	m->proc_done = calloc((world->nclasses + 1) * BSIM_PROCEDURES,
			      sizeof(*m->proc_done));
	m->dev = calloc(ndev ? ndev : 1, sizeof(*m->dev));
	m->row = calloc(ndev ? ndev : 1, sizeof(*m->row));
	if (world->nfailures) {
		m->dev_fail = malloc((ndev ? ndev : 1) * sizeof(*m->dev_fail));
		if (m->dev_fail)
			for (size_t i = 0; i < ndev; i++)
				m->dev_fail[i] = NO_FAILURE;
	}
	rc = BSIM_ENOMEM;
	if (!m->dev || !m->row || !m->proc_done ||
	    (world->nfailures && !m->dev_fail))
		goto fail;
	for (size_t c = 0; c < world->nclasses; c++)
		for (uint32_t i = m->cls_first[c]; i < m->cls_first[c + 1];
		     i++) {
			m->dev[i].cls = (uint16_t)c;
			bsim__device_init(m, i);
		}
	if ((rc = bsim__periodic_create(m)))
		goto fail;
	bsim__mt_start(m);
	for (size_t f = 0; f < world->nfailures; f++) {
		const struct bsim_failure *fl = &world->failures[f];
		uint8_t ph0 = 0, ph1 = 1;
		uint64_t t0 = S_TO_NS(fl->start_s),
			 t1 = S_TO_NS(fl->start_s + fl->duration_s);

		if (t0 < m->end_ns)
			bsim_engine_post_at(engine, t0, m->h_failure,
					    (uint32_t)f, &ph0);
		if (t1 < m->end_ns)
			bsim_engine_post_at(engine, t1, m->h_failure,
					    (uint32_t)f, &ph1);
	}
	faults_schedule(m);
	months_schedule(m);
	*out = m;
	return 0;
fail:
	bsim_model_destroy(m);
	return rc;
}

int bsim_model_run(struct bsim_model *m, uint64_t slice_ns,
		   bsim_progress_fn progress, void *ctx)
{
	uint64_t t = bsim_engine_now(m->eng);
	struct bsim_engine_stats st;
	int rc;

	if (m->spool_err[0])
		return BSIM_EIO; /* Failed while placing the devices. */
	if (slice_ns == 0)
		slice_ns = m->end_ns;
	while (t < m->end_ns) {
		t = m->end_ns - t > slice_ns ? t + slice_ns : m->end_ns;
		rc = bsim_engine_run_until(m->eng, t);
		if (m->spool_err[0])
			return BSIM_EIO;
		if (rc < 0)
			return rc;
		bsim_engine_get_stats(m->eng, &st);
		if (progress && !progress(ctx, t, m->end_ns, st.executed))
			return BSIM_ESTOPPED;
	}
	for (uint32_t i = 0; i < m->ndev; i++) {
		struct bsim__device *d = &m->dev[i];

		bsim__svc_set(m, i, d->svc, m->end_ns);
		bsim__session_close(m, i, m->end_ns, false);
		bsim__episode_finish(m, i, m->end_ns);
	}
	bsim__mt_finish(m);
	/* Back-off levels carried to the last bin. */
	for (size_t n = 0; n < m->nnodes; n++)
		bsim__backoff_note(m, (uint16_t)n, 0, m->end_ns - 1);
	bsim_engine_get_stats(m->eng, &st);
	m->res.events_executed = st.executed;
	if (m->spool_err[0])
		return BSIM_EIO;
	rc = bsim__kpi_finish(m);
	if (rc == BSIM_EIO && !m->spool_err[0])
		snprintf(m->spool_err, sizeof(m->spool_err),
			 "cannot read back the billing records from their "
			 "temporary file");
	return rc;
}

void bsim__spool_failed(struct bsim_model *m, const struct bsim_spool *s,
			const char *what)
{
	const char *dir = getenv("TMPDIR");

	if (m->spool_err[0])
		return;
	snprintf(m->spool_err, sizeof(m->spool_err),
		 "cannot keep %s in a temporary file in %s: %s", what,
		 dir && *dir ? dir : "/tmp", strerror(s->err));
	bsim_engine_stop(m->eng);
}

const char *bsim_model_error(const struct bsim_model *m)
{
	return m->spool_err;
}

const struct bsim_results *bsim_model_results(const struct bsim_model *m)
{
	return &m->res;
}

void bsim_model_destroy(struct bsim_model *m)
{
	if (!m)
		return;
	if (m->nodes)
		for (size_t n = 0; n < m->nnodes; n++)
			bsim__node_finish(&m->nodes[n]);
	free(m->nodes);
	free(m->node_down);
	free(m->node_site);
	free(m->node_backoff);
	free(m->op_hss_node);
	free(m->op_lat);
	free(m->steer_better);
	free(m->op_lon);
	free(m->lat_core_s);
	free(m->cp);
	free(m->op_radio_down);
	free(m->op_reset_epoch);
	free(m->pair_fault);
	free(m->settle);
	free(m->net);
	free(m->failure_end_ns);
	free(m->fail_n);
	free(m->fail_out);
	free(m->dev_fail);
	free(m->fail_recovered_ns);
	free(m->fail_state);
	free(m->op_hss_tx);
	free(m->backoff_bin);
	free(m->messages);
	free(m->series);
	free(m->storm_bits);
	free(m->cell_ta);
	free(m->cover_start);
	free(m->cover_op);
	free(m->country_cells_start);
	free(m->country_cells);
	bsim__routes_free(m);
	free(m->proc_done);
	free(m->cls_first);
	free(m->dev);
	free(m->row);
	bsim__spool_finish(&m->rec);
	bsim__mt_free(m);
	bsim__periodic_free(m);
	free(m->sel);
	bsim__fee_set_finish(&m->fees);
	bsim__spool_finish(&m->trace);
	free(m->node_rows);
	free(m->kpi_class);
	free(m->kpi_op);
	free(m->path_rtt_ms);
	free(m);
}
