/* SPDX-License-Identifier: MIT */
/*
 * Device behaviour: placement and initial state, reports, the periodic
 * update timer, movement along routes, network selection on loss of
 * coverage, the higher-priority search, answers to procedures, retries
 * and back-off, and the outages' effects on devices.
 *
 * What a device does is decided from its own streams (placement, traffic,
 * back-off, selection), so with one seed its movement and generated
 * traffic are the same in every topology; what the networks do with it
 * is what differs.
 */
#include "model-internal.h"

#include <blocsim/civil.h>
#include <blocsim/error.h>

#include <math.h>
#include <string.h>

#define MAX_CAND 32
/* Draw indices of network searches in the BACKOFF stream: 2^62 + the
 * time of the loss in ms. */
#define SEARCH_INDEX0 (UINT64_C(1) << 62)
/* ... and of the network-initiated detach after a data loss: 2^61 + the
 * time of the recovery in ms. */
#define DETACH_INDEX0 (UINT64_C(1) << 61)

static double u_at(const struct bsim_model *m, uint32_t i,
		   enum bsim_rng_purpose p, uint64_t index)
{
	return bsim_rng_uniform_at(m->rng, bsim__dev_entity(m, i), p, index);
}

/* The device's forbidden tracking areas (an empty list if it never had
 * one), and the same to modify (created on first use). */
static const struct bsim__sel_state *sel_of(const struct bsim_model *m,
					    const struct bsim__device *d)
{
	static const struct bsim__sel_state none;

	return d->sel == SEL_NONE ? &none : &m->sel[d->sel];
}

static struct bsim__sel_state *sel_mut(struct bsim_model *m, uint32_t i)
{
	struct bsim__device *d = &m->dev[i];

	if (d->sel == SEL_NONE) {
		bsim__grow((void **)&m->sel, &m->capsel, m->nsel,
			   sizeof(*m->sel), 1024);
		memset(&m->sel[m->nsel], 0, sizeof(*m->sel));
		d->sel = (uint32_t)m->nsel++;
	}
	return &m->sel[d->sel];
}

static uint64_t now_of(const struct bsim_model *m)
{
	return bsim_engine_now(m->eng);
}

void bsim__trace(struct bsim_model *m, uint32_t i, uint8_t type, uint8_t result,
		 uint16_t op, uint16_t peer)
{
	if (!m->tracing)
		return;
	{
		struct bsim_trace x = {
			.t_ns = now_of(m),
			.device = i,
			.type = type,
			.result = result,
			.op = op,
			.peer_op = peer,
			.cell = m->dev[i].cell,
		};

		if (bsim__spool_push(&m->trace, &x))
			bsim__spool_failed(m, &m->trace, "the event trace");
	}
}

void bsim__svc_set(struct bsim_model *m, uint32_t i, uint8_t svc, uint64_t now)
{
	struct bsim__device *d = &m->dev[i];
	struct bsim__row *r = &m->row[i];
	uint64_t dt = now - d->since_ns;
	bool was_out = bsim__dev_out(d);

	switch (d->svc) {
	case SVC_HOME:
		r->home_ns += dt;
		break;
	case SVC_ROAMING:
		r->roaming_ns += dt;
		break;
	default:
		r->no_service_ns += dt;
		if (d->flags & DEV_MOB_LOSS)
			r->interruption_ns += dt;
		break;
	}
	d->svc = svc;
	d->since_ns = now;
	if (svc != SVC_NONE)
		d->flags &= (uint16_t)~DEV_MOB_LOSS;
	bsim__recovery_note(m, i, was_out, now);
}

static uint8_t svc_of(const struct bsim__device *d)
{
	if (d->serving == BSIM__NO_OP)
		return SVC_NONE;
	return d->serving == d->home ? SVC_HOME : SVC_ROAMING;
}

/* Awake: no PSM, in its active time, or roaming where the agreement does
 * not honour PSM (psm_abroad: false), so the device cannot sleep. */
bool bsim__awake(const struct bsim_model *m, const struct bsim__device *d,
		 uint64_t now)
{
	if (m->cp[d->cls].t3324_ns == 0 || now < d->awake_until_ns)
		return true;
	return d->serving != BSIM__NO_OP && d->serving != d->home &&
	       !bsim_world_terms(m->w, d->home, d->serving)->psm_abroad;
}

/* eDRX honoured where the device is: at home, or roaming where the
 * agreement honours PSM/eDRX (psm_abroad). */
static bool edrx_on(const struct bsim_model *m, const struct bsim__device *d)
{
	return m->cp[d->cls].edrx_ns > 0 && d->serving != BSIM__NO_OP &&
	       (d->serving == d->home ||
		bsim_world_terms(m->w, d->home, d->serving)->psm_abroad);
}

bool bsim__edrx_idle(const struct bsim_model *m, const struct bsim__device *d,
		     uint64_t now)
{
	return now >= d->conn_until_ns && !(d->flags & DEV_BUSY) &&
	       edrx_on(m, d);
}

void bsim__po_ensure(struct bsim_model *m, uint32_t i, uint64_t now)
{
	struct bsim__device *d = &m->dev[i];
	uint64_t cycle, phase, t;

	if (d->flags & DEV_PO)
		return;
	/* The device's paging occasions: a fixed offset in its cycle (from
	 * its identity in a real network, from its own stream here). */
	cycle = edrx_on(m, d) ? m->cp[d->cls].edrx_ns : S_TO_NS(DRX_S);
	phase = (uint64_t)(u_at(m, i, BSIM_RNG_PLACEMENT, 8) * (double)cycle);
	t = now < phase ? phase : phase + ((now - phase) / cycle + 1) * cycle;
	d->flags |= DEV_PO;
	bsim_engine_post_at(m->eng, t, m->h_po, i, NULL);
}

/* The device wakes (PSM active time starts). Its contact with the
 * network (last_contact_ns) is set by each procedure it starts. */
static void touch(struct bsim_model *m, uint32_t i, uint64_t now)
{
	struct bsim__device *d = &m->dev[i];

	d->awake_until_ns = now + m->cp[d->cls].t3324_ns;
}

/* Order of a partner in a device's EPLMN list (smaller first): its
 * country's, then its distance, then its steering rank. */
struct eplmn_key {
	bool away;     /* Not of the cell's country. */
	double km;     /* From the cell to the partner's network. */
	uint32_t rank; /* Steering rank, unlisted last. */
};

static struct eplmn_key eplmn_key(const struct bsim_model *m, uint16_t home,
				  uint16_t country, double lat, double lon,
				  uint16_t op)
{
	const struct bsim_operator *o = &m->w->operators[op];
	uint16_t r = bsim_world_terms(m->w, home, op)->steering_rank;
	struct eplmn_key k = {
		.away = o->country != country,
		.km = bsim_geo_distance_km(lat, lon, m->op_lat[op],
					   m->op_lon[op]),
		.rank = r ? r : UINT16_MAX + 1u,
	};

	return k;
}

static bool eplmn_before(struct eplmn_key a, uint16_t ia, struct eplmn_key b,
			 uint16_t ib)
{
	if (a.away != b.away)
		return !a.away;
	if (a.km != b.km)
		return a.km < b.km;
	if (a.rank != b.rank)
		return a.rank < b.rank;
	return ia < ib;
}

bool bsim__eplmn_has(const struct bsim_model *m, uint16_t home, uint32_t cell,
		     uint16_t op)
{
	const struct bsim_world *w = m->w;
	uint16_t country = m->g->country[cell];
	struct eplmn_key kop;
	unsigned ahead = 1; /* The home leads the list. */
	double lat, lon;

	if (op == home)
		return true;
	if (!bsim_world_terms(w, home, op)->eplmn)
		return false;
	bsim_grid_centre(m->g, cell, &lat, &lon);
	kop = eplmn_key(m, home, country, lat, lon, op);
	for (size_t v = 0; v < w->noperators && ahead < EPLMN_MAX; v++)
		if (v != home && v != op &&
		    bsim_world_terms(w, home, (uint16_t)v)->eplmn &&
		    eplmn_before(
			    eplmn_key(m, home, country, lat, lon, (uint16_t)v),
			    (uint16_t)v, kop, op))
			ahead++;
	return ahead < EPLMN_MAX;
}

/* Both networks are on the EPLMN list the serving MME sends for the
 * device's cell, so a large alliance is not all equivalent: the partners
 * around the device are. */
static bool equivalent(const struct bsim_model *m, const struct bsim__device *d,
		       uint16_t a, uint16_t b)
{
	return bsim__eplmn_has(m, d->home, d->cell, a) &&
	       bsim__eplmn_has(m, d->home, d->cell, b);
}

static void schedule_hplmn(struct bsim_model *m, uint32_t i, uint64_t now)
{
	struct bsim__device *d = &m->dev[i];

	if (d->serving == d->home || d->serving == BSIM__NO_OP ||
	    (d->flags & DEV_HPLMN))
		return;
	d->flags |= DEV_HPLMN;
	bsim_engine_post_at(m->eng, now + m->cp[d->cls].hplmn_ns, m->h_hplmn, i,
			    NULL);
}

/* Registration episodes (results/README.md): one opens when the device
 * needs a registration (it lost service, must attach for a report, or
 * reselects or updates into another network) and closes when it is
 * registered. Its latency clock stops while the device, unregistered and
 * neither trying nor backing off, has no allowed candidate network. */
static void episode_open(struct bsim_model *m, uint32_t i, uint64_t now)
{
	struct bsim__device *d = &m->dev[i];

	if (d->flags & DEV_EPISODE)
		return;
	d->flags |= DEV_EPISODE;
	d->flags &= (uint16_t)~DEV_EP_FAILED;
	d->episode_ns = now;
	m->row[i].episodes++;
}

/* The wait without a candidate ends now, or when a forbidden area
 * expired if that came first. */
static void nocand_stop(struct bsim_model *m, uint32_t i, uint64_t now)
{
	struct bsim__device *d = &m->dev[i];
	uint64_t end = now < d->nocand_until_ns ? now : d->nocand_until_ns;

	if (!(d->flags & DEV_NOCAND))
		return;
	d->flags &= (uint16_t)~DEV_NOCAND;
	d->episode_ns += end - d->nocand_ns;
	m->row[i].no_candidate_ns += end - d->nocand_ns;
}

/* Start or stop the wait without a candidate after anything that can
 * change it: the cell, the radios, the forbidden lists, the device's
 * state. Between two calls the candidates stay the same, so only a
 * forbidden area expiring (nocand_until_ns) can end the wait. */
static void nocand_eval(struct bsim_model *m, uint32_t i, uint64_t now)
{
	struct bsim__device *d = &m->dev[i];
	struct bsim__candidate c[MAX_CAND];
	uint64_t until;
	int n;

	if ((d->flags & DEV_NOCAND) && now >= d->nocand_until_ns)
		nocand_stop(m, i, now);
	if (!(d->flags & DEV_EPISODE) || d->serving != BSIM__NO_OP ||
	    (d->flags & (DEV_BUSY | DEV_BACKOFF))) {
		nocand_stop(m, i, now);
		return;
	}
	n = bsim__candidates(m, d, d->cell, c, MAX_CAND);
	if (bsim__any_allowed(c, n, d->home, &d->sim, sel_of(m, d), now,
			      &until)) {
		nocand_stop(m, i, now);
		return;
	}
	if (!(d->flags & DEV_NOCAND)) {
		d->flags |= DEV_NOCAND;
		d->nocand_ns = now;
	}
	d->nocand_until_ns = until;
}

/* The episode ends registered now (latency recorded). */
static void episode_ok(struct bsim_model *m, uint32_t i, uint64_t now)
{
	struct bsim__device *d = &m->dev[i];
	double lat;

	if (!(d->flags & DEV_EPISODE))
		return;
	nocand_stop(m, i, now);
	lat = (double)(now - d->episode_ns) / NS_PER_S;
	m->lat_hist[bsim__fine_bin(lat)]++;
	m->lat_coarse[bsim__latency_bin(lat)]++;
	m->lat_sum_s += lat;
	m->nlat++;
	m->row[i].episodes_ok++;
	d->flags &= (uint16_t) ~(DEV_EPISODE | DEV_EP_FAILED);
}

void bsim__episode_finish(struct bsim_model *m, uint32_t i, uint64_t end)
{
	struct bsim__device *d = &m->dev[i];

	if (!(d->flags & DEV_EPISODE))
		return;
	nocand_stop(m, i, end);
	if (d->flags & DEV_EP_FAILED)
		m->row[i].episodes_failed++;
}

/* Register on `v` (seen in tracking area `ta`): an attach, or a
 * tracking-area update into an equivalent network, or a local update. */
static void register_on(struct bsim_model *m, uint32_t i, uint16_t v,
			uint32_t ta, uint64_t now)
{
	struct bsim__device *d = &m->dev[i];

	if (d->serving == BSIM__NO_OP || v != d->serving)
		episode_open(m, i, now);
	nocand_stop(m, i, now);
	/* Another network or tracking area than the last attempt's: the
	 * attempt counter starts again (TS 24.301 5.5.1.2.6, 5.5.3.2.6
	 * [K-attcnt]); the TS.34 back-off step does not. */
	if (v != d->target || ta != d->ta)
		d->retry.attempts = 0;
	d->ta = ta;
	if (d->serving != BSIM__NO_OP && v == d->serving)
		bsim__proc_start(m, i, BSIM__P_TAU_LOCAL, v, HOP_REPLY);
	else if (d->serving != BSIM__NO_OP && equivalent(m, d, d->serving, v))
		bsim__proc_start(m, i, BSIM__P_TAU_INTER, v, 0);
	else
		bsim__proc_start(m, i, BSIM__P_ATTACH, v, 0);
}

/* Network selection in the device's cell: the index in c (MAX_CAND
 * entries) of the network chosen, or -1. */
static int select_here(struct bsim_model *m, uint32_t i, uint64_t now,
		       struct bsim__candidate *c)
{
	struct bsim__device *d = &m->dev[i];
	int n = bsim__candidates(m, d, d->cell, c, MAX_CAND);

	return n ? bsim__select(c, n, d->home, &d->sim, sel_of(m, d), now,
				GOOD_QUALITY, m->rng, bsim__dev_entity(m, i),
				&d->ctr_sel)
		 : -1;
}

/* Network selection, then registration. */
static void try_register(struct bsim_model *m, uint32_t i, uint64_t now)
{
	struct bsim__device *d = &m->dev[i];
	struct bsim__candidate c[MAX_CAND];
	int k;

	if (d->serving == BSIM__NO_OP)
		episode_open(m, i, now);
	if (d->flags & (DEV_BUSY | DEV_BACKOFF | DEV_SEARCH))
		return;
	k = select_here(m, i, now, c);
	if (k < 0) {
		/* Nothing to register on: wait for a change. */
		nocand_eval(m, i, now);
		return;
	}
	register_on(m, i, c[k].op, c[k].ta, now);
}

static void lose(struct bsim_model *m, uint32_t i, uint64_t now, bool mobility)
{
	struct bsim__device *d = &m->dev[i];

	if (d->serving == BSIM__NO_OP)
		return;
	bsim__recovery_hit(m, i, now);
	bsim__trace(m, i, BSIM_TRACE_LOSS, BSIM_OUTCOME_OK, d->serving,
		    BSIM__NO_OP);
	bsim__session_close(m, i, now, true);
	/* A loss at a border: the device moved out of its network's
	 * country (a coverage hole at home is not the alliance's doing). */
	if (mobility &&
	    m->g->country[d->cell] != m->w->operators[d->serving].country)
		d->flags |= DEV_MOB_LOSS;
	d->serving = BSIM__NO_OP;
	bsim__svc_set(m, i, SVC_NONE, now);
	d->loss_ns = now;
	episode_open(m, i, now);
	nocand_eval(m, i, now);
}

/* After a loss of service by movement the device searches for networks
 * (bands, RATs, PLMNs) before it can register: U(search_min_s,
 * search_max_s). LTE modules took more than 2 min to select a roaming
 * network and 20 s to 2 min for an inter-RAT move [K-kaist]. The draw is
 * read from the device's BACKOFF stream at an index given by the time of
 * the loss (in ms, above SEARCH_INDEX0, far beyond the sequential draws),
 * so a loss at the same moment searches equally long in every topology
 * (common random numbers); none when the range is empty. False when the
 * class has no search (both 0): the device registers at once. */
static bool search(struct bsim_model *m, uint32_t i, uint64_t now)
{
	struct bsim__device *d = &m->dev[i];
	const struct bsim__class_params *cp = &m->cp[d->cls];
	uint64_t t = cp->search_min_ns;

	if (cp->search_max_ns == 0)
		return false;
	if (cp->search_max_ns > t)
		t += (uint64_t)(u_at(m, i, BSIM_RNG_BACKOFF,
				     SEARCH_INDEX0 + now / 1000000u) *
				(double)(cp->search_max_ns - t));
	d->flags |= DEV_SEARCH;
	bsim_engine_post_at(m->eng, now + t, m->h_search, i, NULL);
	return true;
}

void bsim__on_search(struct bsim_engine *e, void *ctx, uint32_t i,
		     const void *payload)
{
	struct bsim_model *m = ctx;
	struct bsim__device *d = &m->dev[i];

	(void)payload;
	d->flags &= (uint16_t)~DEV_SEARCH;
	if (d->serving == BSIM__NO_OP)
		try_register(m, i, bsim_engine_now(e));
}

/* The network sees the device's position: reselection, updates,
 * handovers or loss of service. */
void bsim__handle_mobility(struct bsim_model *m, uint32_t i, uint64_t now)
{
	struct bsim__device *d = &m->dev[i];
	const struct bsim_class *cl = &m->w->classes[d->cls];
	struct bsim__candidate c[MAX_CAND];
	bool connected = now < d->conn_until_ns;
	uint32_t ta = m->cell_ta[d->cell];
	int k;

	d->flags &= (uint16_t)~DEV_UNSEEN;
	if (d->flags & DEV_DETACHED)
		return;
	if (d->serving == BSIM__NO_OP) {
		try_register(m, i, now);
		return;
	}
	if (bsim__covers(m, d->cell, d->serving)) {
		if (ta != d->ta) {
			if (connected && cl->radio == BSIM_RADIO_LTE_M) {
				bsim__proc_start(m, i, BSIM__P_HO_INTRA,
						 d->serving, 0);
				m->row[i].handovers++;
			}
			d->ta = ta;
			bsim__proc_start(m, i, BSIM__P_TAU_LOCAL, d->serving,
					 0);
		}
		return;
	}
	if (d->flags & DEV_BACKOFF) {
		/* No registration attempt before the back-off ends (nor
		 * before the search). */
		lose(m, i, now, true);
		search(m, i, now);
		return;
	}
	k = select_here(m, i, now, c);
	if (k >= 0 && equivalent(m, d, d->serving, c[k].op)) {
		d->ta = c[k].ta;
		episode_open(m, i, now);
		if (connected && cl->radio == BSIM_RADIO_LTE_M &&
		    bsim_world_terms(m->w, d->home, c[k].op)->handover) {
			m->ho_attempts++;
			bsim__proc_start(m, i, BSIM__P_HO_INTER, c[k].op, 0);
		} else {
			bsim__proc_start(m, i, BSIM__P_TAU_INTER, c[k].op, 0);
		}
		return;
	}
	lose(m, i, now, true);
	if (!search(m, i, now) && k >= 0)
		register_on(m, i, c[k].op, c[k].ta, now);
}

/* Devices in back-off because of `node` change by `delta` now. The
 * series holds each bin's most: bins without a change since the last one
 * carry its level forward. The count over all nodes and its peak give
 * backoff_peak_share. */
void bsim__backoff_note(struct bsim_model *m, uint16_t node, int delta,
			uint64_t now)
{
	size_t b = (size_t)(now / m->bin_ns);
	uint32_t level = m->node_backoff[node], *s;

	if (b >= m->nbins)
		b = m->nbins - 1;
	for (size_t k = (size_t)m->backoff_bin[node] + 1; k <= b; k++) {
		s = &m->series[(k * m->nnodes + node) * BSIM_SERIES_COUNT];
		if (level > s[BSIM_SERIES_BACKOFF])
			s[BSIM_SERIES_BACKOFF] = level;
	}
	if (b > m->backoff_bin[node])
		m->backoff_bin[node] = (uint32_t)b;
	m->node_backoff[node] = (uint32_t)((int64_t)level + delta);
	m->n_backoff = (uint32_t)((int64_t)m->n_backoff + delta);
	if (m->n_backoff > m->backoff_peak)
		m->backoff_peak = m->n_backoff;
	s = &m->series[(b * m->nnodes + node) * BSIM_SERIES_COUNT];
	if (m->node_backoff[node] > s[BSIM_SERIES_BACKOFF])
		s[BSIM_SERIES_BACKOFF] = m->node_backoff[node];
}

static void backoff(struct bsim_model *m, uint32_t i, uint64_t delay,
		    uint16_t node, uint64_t now)
{
	struct bsim__device *d = &m->dev[i];

	if (d->flags & DEV_BACKOFF) {
		/* A new back-off replaces the one in progress. */
		bsim_engine_cancel(m->eng, d->ev_retry);
		bsim__backoff_note(m, d->backoff_node, -1, now);
	}
	d->flags |= DEV_BACKOFF;
	nocand_stop(m, i, now); /* A back-off is part of the latency. */
	d->backoff_node = node;
	bsim__backoff_note(m, node, +1, now);
	d->ev_retry = bsim_engine_schedule_at(m->eng, now + delay, m->h_retry,
					      i, NULL);
}

void bsim__on_retry(struct bsim_engine *e, void *ctx, uint32_t i,
		    const void *payload)
{
	struct bsim_model *m = ctx;
	struct bsim__device *d = &m->dev[i];
	uint64_t now = bsim_engine_now(e);

	(void)payload;
	if (!(d->flags & DEV_BACKOFF))
		return;
	d->flags &= (uint16_t)~DEV_BACKOFF;
	bsim__backoff_note(m, d->backoff_node, -1, now);
	if (d->serving == BSIM__NO_OP || bsim__reset_due(m, d))
		try_register(m, i, now);
}

static void send_report(struct bsim_model *m, uint32_t i, uint64_t now);
static bool reg_lost_contact(struct bsim_model *m, uint32_t i, uint64_t now);

/* After a procedure: the report that waited for it, and a move the
 * network has not seen yet. */
static void after_procedure(struct bsim_model *m, uint32_t i, uint64_t now)
{
	struct bsim__device *d = &m->dev[i];

	if ((d->flags & DEV_REPORT_PENDING) && d->serving != BSIM__NO_OP) {
		d->flags &= (uint16_t)~DEV_REPORT_PENDING;
		send_report(m, i, now);
	}
	if (d->flags & DEV_UNSEEN)
		bsim__handle_mobility(m, i, now);
	if (!(d->flags & DEV_BUSY))
		bsim__mt_contact(m, i, now);
}

static void success(struct bsim_model *m, uint32_t i,
		    const struct bsim__answer *a, uint64_t now)
{
	struct bsim__device *d = &m->dev[i];
	struct bsim__row *r = &m->row[i];
	uint16_t v = a->visited, old = d->serving;

	bsim__proc_done(m, i, a->proc);
	bsim__retry_success(&d->retry);
	if (a->proc == BSIM__P_TAU_LOCAL) {
		/* An update the HSS needed (after a Reset): not a
		 * registration in a new network. */
		d->ctx_op = d->serving;
		after_procedure(m, i, now);
		return;
	}
	r->attaches_ok++; /* A registration in a new network. */
	if (a->proc == BSIM__P_ATTACH) {
		if (d->flags & DEV_MOB_LOSS)
			r->reattaches++;
		if (old != BSIM__NO_OP && old != v)
			bsim__session_close(m, i, now, false);
	} else if (d->sess_op != BSIM__NO_OP && d->sess_op != v) {
		/* Context moved (S10): the session goes on, but each visited
		 * network bills its own part. */
		bsim__session_close(m, i, now, false);
	}
	if (a->proc == BSIM__P_HO_INTER) {
		r->handovers++;
		m->ho_ok++;
	}
	bsim__trace(m, i,
		    a->proc == BSIM__P_ATTACH	  ? BSIM_TRACE_ATTACH
		    : a->proc == BSIM__P_HO_INTER ? BSIM_TRACE_HANDOVER
						  : BSIM_TRACE_TAU,
		    BSIM_OUTCOME_OK, v, old);
	episode_ok(m, i, now);
	if (v != d->home && (old == d->home || old == BSIM__NO_OP) &&
	    d->abroad_since_s == ABROAD_NONE)
		d->abroad_since_s = (int32_t)(now / 1000000000u);
	if (v == d->home)
		d->abroad_since_s = ABROAD_NONE;
	d->serving = v;
	d->ctx_op = v;
	d->sim.rplmn = v;
	d->flags &= (uint16_t) ~(DEV_OUTAGE | DEV_DETACHED);
	bsim__svc_set(m, i, svc_of(d), now);
	if (d->flags & DEV_REG_LOST) {
		/* Registered at the HSS again (a ULR) before its MME told it
		 * of the loss. */
		d->flags &= (uint16_t)~DEV_REG_LOST;
		bsim__recovery_note(m, i, true, now);
	}
	bsim__access_fee(m, i, now);
	bsim__session_open(m, i, now);
	schedule_hplmn(m, i, now);
	after_procedure(m, i, now);
}

static void failure(struct bsim_model *m, uint32_t i, unsigned proc, uint16_t v,
		    unsigned cause, bool steered, uint16_t node, uint64_t now)
{
	struct bsim__device *d = &m->dev[i];
	const struct bsim__class_params *cp = &m->cp[d->cls];
	enum bsim__fail why = cause == CAUSE_22	       ? BSIM_FAIL_CONGESTION
			      : cause == CAUSE_TIMEOUT ? BSIM_FAIL_TIMEOUT
						       : BSIM_FAIL_RETRYABLE;
	uint64_t delay;

	if (!steered)
		bsim__recovery_hit(m, i, now);
	m->rejects[cause]++;
	if (proc != BSIM__P_TAU_LOCAL) {
		m->row[i].attaches_failed++;
		if (!steered && (d->flags & DEV_EPISODE))
			d->flags |= DEV_EP_FAILED;
	}
	bsim__trace(m, i,
		    proc == BSIM__P_ATTACH     ? BSIM_TRACE_ATTACH
		    : proc == BSIM__P_HO_INTER ? BSIM_TRACE_HANDOVER
					       : BSIM_TRACE_TAU,
		    cause == CAUSE_TIMEOUT ? BSIM_OUTCOME_TIMEOUT
					   : BSIM_OUTCOME_REJECT,
		    v, d->serving);
	if (cause == CAUSE_11)
		bsim__sim_forbid(&d->sim, v); /* Whatever happens next. */
	if ((proc == BSIM__P_ATTACH || proc == BSIM__P_TAU_INTER) &&
	    d->serving != BSIM__NO_OP && d->serving != v &&
	    bsim__covers(m, d->cell, d->serving)) {
		/* A higher-priority attempt failed: stay where registered.
		 * The episode ends without a registration: failed, unless
		 * the home steered it away. */
		if ((d->flags & DEV_EPISODE) && !steered)
			m->row[i].episodes_failed++;
		d->flags &= (uint16_t) ~(DEV_EPISODE | DEV_EP_FAILED);
		after_procedure(m, i, now);
		return;
	}
	if (proc == BSIM__P_HO_INTER || proc == BSIM__P_TAU_INTER) {
		/* No move into the equivalent network: service is lost
		 * here; the device attaches where it can. */
		lose(m, i, now, true);
	}
	switch (cause) {
	case CAUSE_11:
		try_register(m, i, now);
		return;
	case CAUSE_13:
	case CAUSE_15: {
		double u = bsim_rng_uniform(m->rng, bsim__dev_entity(m, i),
					    BSIM_RNG_BACKOFF, &d->ctr_backoff);

		bsim__forbid_ta(sel_mut(m, i), v, d->ta,
				now + S_TO_NS(43200.0 + u * 43200.0));
		try_register(m, i, now);
		return;
	}
	default:
		break;
	}
	delay = bsim__retry_after(&d->retry, &cp->retry, why, m->rng,
				  bsim__dev_entity(m, i), &d->ctr_backoff);
	if (why != BSIM_FAIL_CONGESTION && d->retry.attempts == 0) {
		/* The attempt counter ran out: T3402 for this network, and
		 * PLMN selection at once (TS 24.301 5.5.1.2.6): another
		 * network may take the device meanwhile. */
		struct bsim__candidate c[MAX_CAND];
		int k;

		bsim__forbid_ta(sel_mut(m, i), v, d->ta, now + delay);
		k = select_here(m, i, now, c);
		if (k >= 0 && c[k].op != v) {
			register_on(m, i, c[k].op, c[k].ta, now);
			return;
		}
	}
	backoff(m, i, delay, node, now);
}

void bsim__on_answer(struct bsim_engine *e, void *ctx, uint32_t i,
		     const void *payload)
{
	struct bsim_model *m = ctx;
	struct bsim__device *d = &m->dev[i];
	struct bsim__answer a;
	uint64_t now = bsim_engine_now(e);

	memcpy(&a, payload, sizeof(a));
	if (a.seq != d->seq || !(d->flags & DEV_BUSY))
		return; /* The device gave up on this attempt (T3410). */
	d->flags &= (uint16_t)~DEV_BUSY;
	if (a.cause == CAUSE_NONE && a.proc != BSIM__P_TAU_LOCAL &&
	    !bsim__covers(m, d->cell, a.visited))
		/* The accept never reaches the device: that network's radio
		 * went down meanwhile. */
		failure(m, i, a.proc, a.visited, CAUSE_TIMEOUT, false,
			a.visited, now);
	else if (a.cause == CAUSE_NONE)
		success(m, i, &a, now);
	else
		failure(m, i, a.proc, a.visited, a.cause, a.steered != 0,
			a.node, now);
	bsim__mt_reach(m, i, now);
}

void bsim__on_guard(struct bsim_engine *e, void *ctx, uint32_t i,
		    const void *payload)
{
	struct bsim_model *m = ctx;
	struct bsim__device *d = &m->dev[i];
	uint16_t seq;

	memcpy(&seq, payload, sizeof(seq));
	if (seq != d->seq || !(d->flags & DEV_BUSY))
		return;
	d->flags &= (uint16_t)~DEV_BUSY;
	/* No answer: the device cannot tell which node failed; back-off is
	 * booked against its home HSS. */
	failure(m, i, d->proc, d->target, CAUSE_TIMEOUT, false,
		m->op_hss_node[d->home], bsim_engine_now(e));
	bsim__mt_reach(m, i, bsim_engine_now(e));
}

bool bsim__data_broken(const struct bsim_model *m, uint32_t i)
{
	const struct bsim__device *d = &m->dev[i];
	const struct bsim_terms *t =
		bsim_world_terms(m->w, d->home, d->serving);
	uint16_t hn = m->op_hss_node[d->home];

	if (d->serving != d->home && !t->local_breakout &&
	    t->path == BSIM_PATH_IPX && m->node_down[m->ipx_node])
		return true;
	if (m->pair_fault[(size_t)d->home * m->w->noperators + d->serving])
		return true;
	if (hn >= 2 * m->w->noperators && hn != m->ipx_node &&
	    m->node_down[hn] &&
	    m->w->platforms[hn - 2 * m->w->noperators].hosts_pgw)
		return true;
	return false;
}

static void send_report(struct bsim_model *m, uint32_t i, uint64_t now)
{
	struct bsim__device *d = &m->dev[i];
	const struct bsim_class *cl = &m->w->classes[d->cls];
	struct bsim__row *r = &m->row[i];

	if (bsim__data_broken(m, i)) {
		r->reports_lost++;
		bsim__trace(m, i, BSIM_TRACE_REPORT, BSIM_OUTCOME_TIMEOUT,
			    d->serving, BSIM__NO_OP);
		return;
	}
	bsim__proc_start(m, i, BSIM__P_SERVICE, d->serving, 0);
	d->conn_until_ns = now + S_TO_NS(CONNECTED_S);
	r->sent++; /* Its volumes: rows.c. */
	if (cl->sms)
		bsim__sms_record(m, i, now);
	else
		bsim__session_traffic(m, i, now, 1, 0);
	bsim__trace(m, i, BSIM_TRACE_REPORT, BSIM_OUTCOME_OK, d->serving,
		    BSIM__NO_OP);
	/* Connected: what waits for the device goes down now (before a
	 * session-per-report device detaches again). */
	bsim__mt_contact(m, i, now);
	if (cl->session_per_report) {
		const struct bsim_terms *t =
			bsim_world_terms(m->w, d->home, d->serving);

		bsim__proc_start(m, i, BSIM__P_DETACH, d->serving, 0);
		bsim__trace(m, i, BSIM_TRACE_DETACH, BSIM_OUTCOME_OK,
			    d->serving, BSIM__NO_OP);
		bsim__session_close(m, i, now, false);
		d->ctx_op = t->glr_cache || d->serving == d->home ? d->serving
								  : BSIM__NO_OP;
		d->serving = BSIM__NO_OP;
		d->flags |= DEV_DETACHED;
	}
}

/* Time of report k (k counts from 0), ns from the run's start, or
 * UINT64_MAX when before it. Daily classes report once per local day in
 * their window; the offset is report k's own traffic draw. */
static uint64_t daily_time(const struct bsim_model *m, uint32_t i, uint32_t k)
{
	const struct bsim__device *d = &m->dev[i];
	const struct bsim_class *cl = &m->w->classes[d->cls];
	int64_t start = m->w->run.start_unix_s;
	int32_t off =
		m->w->countries[m->g->country[d->cell]].utc_offset_min * 60;
	int64_t day0 = (start + off) / 86400 - ((start + off) % 86400 < 0);
	double t = (double)((day0 + k) * 86400 - off - start) +
		   cl->window_start_s +
		   u_at(m, i, BSIM_RNG_TRAFFIC, k) * cl->window_s;

	return t < 0 ? UINT64_MAX : S_TO_NS(t);
}

static void schedule_report(struct bsim_model *m, uint32_t i, uint64_t now)
{
	struct bsim__device *d = &m->dev[i];
	const struct bsim_class *cl = &m->w->classes[d->cls];
	uint64_t t;

	if (cl->daily) {
		do
			t = daily_time(m, i, d->report_k++);
		while (t == UINT64_MAX || t < now);
	} else {
		t = now + ((d->flags & DEV_MOVING) || d->route == NO_ROUTE
				   ? m->cp[d->cls].report_ns
				   : m->cp[d->cls].parked_ns);
		d->report_k++;
	}
	d->report_ns = t;
	bsim_engine_post_at(m->eng, t, m->h_report, i, NULL);
}

/* A platform moves a device that has stayed abroad long enough to a
 * local member's profile (multi-IMSI): one provisioning transaction at
 * the platform's HSS, after which the device is at home where it is. */
static void maybe_switch_profile(struct bsim_model *m, uint32_t i, uint64_t now)
{
	struct bsim__device *d = &m->dev[i];
	const struct bsim_world *w = m->w;
	uint16_t hn = m->op_hss_node[d->home], local = BSIM__NO_OP;
	const struct bsim_platform *p;

	if (hn < 2 * w->noperators || hn == m->ipx_node || m->node_down[hn] ||
	    (d->flags & DEV_BACKOFF) || d->serving == BSIM__NO_OP ||
	    d->serving == d->home || d->abroad_since_s == ABROAD_NONE ||
	    (d->flags & DEV_BUSY))
		return;
	p = &w->platforms[hn - 2 * w->noperators];
	if (p->local_profile_after_s <= 0 ||
	    (int64_t)now - (int64_t)d->abroad_since_s * 1000000000 <
		    (int64_t)S_TO_NS(p->local_profile_after_s))
		return;
	for (size_t k = 0; k < p->nmembers; k++)
		if (w->operators[p->members[k]].country ==
		    w->operators[d->serving].country)
			local = p->members[k];
	if (local == BSIM__NO_OP || !bsim__covers(m, d->cell, local))
		return;
	bsim__proc_start(m, i, BSIM__P_PROFILE_SWITCH, d->serving, 0);
	bsim__session_close(m, i, now, false);
	d->home = local;
	d->reset_epoch = m->op_reset_epoch[local];
	d->abroad_since_s = ABROAD_NONE;
	bsim__sim_init(&d->sim, 4);
	if (d->serving == local) {
		bsim__svc_set(m, i, svc_of(d), now);
		return;
	}
	/* Registered on another network of the country: register on the
	 * new home network now. */
	lose(m, i, now, false);
	register_on(m, i, local, m->cell_ta[d->cell], now);
}

void bsim__on_report(struct bsim_engine *e, void *ctx, uint32_t i,
		     const void *payload)
{
	struct bsim_model *m = ctx;
	struct bsim__device *d = &m->dev[i];
	uint64_t now = bsim_engine_now(e);

	(void)payload;
	if (now != d->report_ns)
		return; /* Rescheduled when the device set off. */
	m->row[i].reports++;
	schedule_report(m, i, now);
	touch(m, i, now);
	if (d->flags & DEV_REPORT_PENDING) {
		m->row[i].reports_lost++; /* The previous one never left. */
		d->flags &= (uint16_t)~DEV_REPORT_PENDING;
	}
	reg_lost_contact(m, i, now);
	if (d->flags & DEV_UNSEEN && !(d->flags & DEV_BUSY))
		bsim__handle_mobility(m, i, now);
	if (d->serving == BSIM__NO_OP || (d->flags & DEV_BUSY)) {
		d->flags |= DEV_REPORT_PENDING;
		if (d->serving == BSIM__NO_OP)
			try_register(m, i, now);
		return;
	}
	if (bsim__reset_due(m, d) && !(d->flags & DEV_BACKOFF))
		bsim__proc_start(m, i, BSIM__P_TAU_LOCAL, d->serving, 0);
	send_report(m, i, now);
	maybe_switch_profile(m, i, now);
}

void bsim__periodic_fire(struct bsim_model *m, uint32_t i, uint64_t now)
{
	struct bsim__device *d = &m->dev[i];

	if (d->serving == BSIM__NO_OP || (d->flags & DEV_DETACHED))
		return;
	touch(m, i, now);
	if (reg_lost_contact(m, i, now))
		return; /* Detached at this contact: it attaches. */
	/* The periodic update wakes the device (traced as a TAU). */
	bsim__trace(m, i, BSIM_TRACE_TAU, BSIM_OUTCOME_OK, d->serving,
		    d->serving);
	if (d->flags & DEV_BUSY)
		return;
	if (d->flags & DEV_UNSEEN) {
		bsim__handle_mobility(m, i, now);
		return;
	}
	if (bsim__reset_due(m, d) && (d->flags & DEV_BACKOFF))
		return; /* The update the HSS needs waits for the back-off. */
	bsim__proc_start(m, i, BSIM__P_TAU_LOCAL, d->serving,
			 bsim__reset_due(m, d) ? HOP_REPLY : 0);
	/* Data buffered for a sleeping device goes with the update. */
	if (!(d->flags & DEV_BUSY))
		bsim__mt_contact(m, i, now);
}

void bsim__on_move(struct bsim_engine *e, void *ctx, uint32_t i,
		   const void *payload)
{
	struct bsim_model *m = ctx;
	struct bsim__device *d = &m->dev[i];
	const struct bsim__route_tl *r = &m->routes[d->route];
	uint64_t now = bsim_engine_now(e);
	uint16_t c0 = m->g->country[d->cell], c1;
	bool was_moving = d->flags & DEV_MOVING;

	(void)payload;
	if (++d->tl == r->n) {
		d->tl = 0;
		d->cycle0_ns += (int64_t)r->period_ns;
	}
	d->cell = r->steps[d->tl].cell;
	if (r->steps[d->tl].moving)
		d->flags |= DEV_MOVING;
	else
		d->flags &= (uint16_t)~DEV_MOVING;
	{
		uint32_t nx = d->tl + 1 == r->n ? 0 : d->tl + 1;
		int64_t t = d->cycle0_ns + (int64_t)r->steps[nx].t_ns +
			    (nx == 0 ? (int64_t)r->period_ns : 0);

		bsim_engine_post_at(e, (uint64_t)t, m->h_move, i, NULL);
	}
	if (d->flags & DEV_EPISODE)
		nocand_eval(m, i, now); /* Coverage may have come or gone. */
	c1 = m->g->country[d->cell];
	bsim__trace(m, i, BSIM_TRACE_CELL, BSIM_OUTCOME_OK, d->serving,
		    BSIM__NO_OP);
	if (c1 != c0) {
		m->row[i].border_crossings++;
		bsim__trace(m, i, BSIM_TRACE_BORDER, BSIM_OUTCOME_OK,
			    d->serving, BSIM__NO_OP);
	}
	if (!was_moving && (d->flags & DEV_MOVING) &&
	    !m->w->classes[d->cls].daily) {
		/* Setting off: report at the moving rate from now. */
		uint64_t t = now + m->cp[d->cls].report_ns;

		d->report_ns = t; /* The parked one's event goes stale. */
		bsim_engine_post_at(e, t, m->h_report, i, NULL);
	}
	{
		bool awake = bsim__awake(m, d, now);
		bool edrx = awake && bsim__edrx_idle(m, d, now);

		if (awake && !(d->flags & DEV_BUSY) && !edrx) {
			bsim__handle_mobility(m, i, now);
		} else {
			/* Seen at the next activity; idle in eDRX, the device
			 * evaluates cells once per cycle, at its paging
			 * occasion. */
			d->flags |= DEV_UNSEEN;
			if (edrx)
				bsim__po_ensure(m, i, now);
		}
	}
}

void bsim__on_hplmn(struct bsim_engine *e, void *ctx, uint32_t i,
		    const void *payload)
{
	struct bsim_model *m = ctx;
	struct bsim__device *d = &m->dev[i];
	struct bsim__candidate c[MAX_CAND];
	uint64_t now = bsim_engine_now(e);
	uint16_t rank;
	int n, k;

	(void)payload;
	d->flags &= (uint16_t)~DEV_HPLMN;
	schedule_hplmn(m, i, now); /* The next search, while roaming. */
	if (!(d->flags & DEV_HPLMN))
		return; /* Home or without service: searching stops. */
	if (!bsim__awake(m, d, now) || (d->flags & (DEV_BUSY | DEV_BACKOFF)))
		return;
	rank = bsim_world_terms(m->w, d->home, d->serving)->steering_rank;
	n = bsim__candidates(m, d, d->cell, c, MAX_CAND);
	k = bsim__higher_priority(c, n, d->home, d->serving, rank, &d->sim,
				  sel_of(m, d), now);
	if (k >= 0)
		register_on(m, i, c[k].op, c[k].ta, now);
}

void bsim__on_contact(struct bsim_engine *e, void *ctx, uint32_t i,
		      const void *payload)
{
	struct bsim_model *m = ctx;
	struct bsim__device *d = &m->dev[i];
	const struct bsim__class_params *cp = &m->cp[d->cls];
	uint64_t now = bsim_engine_now(e);
	uint16_t old = d->ctx_op;

	(void)payload;
	if (!(d->flags & DEV_OUTAGE) || d->serving != BSIM__NO_OP)
		return;
	d->flags &= (uint16_t)~DEV_OUTAGE;
	if (old != BSIM__NO_OP && bsim__covers(m, d->cell, old) &&
	    now - d->last_contact_ns <
		    cp->t3412_ns +
			    S_TO_NS(REACHABLE_EXTRA_S + IMPLICIT_DETACH_S)) {
		/* The MME still holds the context: service is back. An awake
		 * device sends a tracking-area update if its periodic timer
		 * ran out or its connection dropped; otherwise it just camps
		 * again (a sleeping one updates at its own next timer). */
		bool tau = bsim__awake(m, d, now) &&
			   (now - d->last_contact_ns >= cp->t3412_ns ||
			    d->loss_ns < d->conn_until_ns);

		d->serving = old;
		episode_ok(m, i, now); /* Registered again, unsignalled. */
		bsim__trace(m, i, BSIM_TRACE_CAMP, BSIM_OUTCOME_OK, old,
			    BSIM__NO_OP);
		bsim__svc_set(m, i, svc_of(d), now);
		bsim__session_open(m, i, now);
		schedule_hplmn(m, i, now);
		if (tau) {
			touch(m, i, now);
			bsim__proc_start(m, i, BSIM__P_TAU_LOCAL, old, 0);
		}
		return;
	}
	/* Implicitly detached: attach again, at once if awake, else at the
	 * next wake-up. */
	d->ctx_op = BSIM__NO_OP;
	if (bsim__awake(m, d, now))
		try_register(m, i, now);
	else
		d->flags |= DEV_UNSEEN;
}

/* The HSS lost device i's registration and the MME now tells the device
 * (a network-initiated detach with "re-attach required", TS 24.301
 * 5.5.2.3): service ends, the MME drops its context, and the device
 * attaches again at once, with an AIR and a ULR. */
static void reg_lost_detach(struct bsim_model *m, uint32_t i, uint64_t now)
{
	struct bsim__device *d = &m->dev[i];
	bool was_out = bsim__dev_out(d);

	if (d->serving != BSIM__NO_OP) {
		bsim__trace(m, i, BSIM_TRACE_DETACH, BSIM_OUTCOME_OK,
			    d->serving, BSIM__NO_OP);
		lose(m, i, now, false);
	}
	d->flags &= (uint16_t)~DEV_REG_LOST;
	bsim__recovery_note(m, i, was_out, now);
	d->ctx_op = d->hss_loc = BSIM__NO_OP;
	d->flags &= (uint16_t) ~(DEV_DETACHED | DEV_OUTAGE);
	try_register(m, i, now);
}

/* A contact of device i with the network now (a report, a periodic
 * update): a registration lost with its HSS's data is detached here.
 * A device with an attempt in flight is told at its next contact. True
 * when it was detached. */
static bool reg_lost_contact(struct bsim_model *m, uint32_t i, uint64_t now)
{
	if (!(m->dev[i].flags & DEV_REG_LOST) || (m->dev[i].flags & DEV_BUSY))
		return false;
	reg_lost_detach(m, i, now);
	return true;
}

/* HSS or pool node hn is back without its registrations: every device
 * whose home uses it must attach again (AIR + ULR). The HSS knows no
 * location for them. A device without service, or detached between
 * reports, just loses the MME context it kept, so its next attach is a
 * full one. A registered device keeps its service until its MME detaches
 * it: at U(0, NW_DETACH_S) if awake then (the draw from its BACKOFF stream
 * at an index given by the recovery time, like the search), else at its
 * next contact. No Reset: the HSS no longer knows which MMEs to reset. */
static void data_lost(struct bsim_model *m, uint16_t f, uint16_t hn,
		      uint64_t now)
{
	for (uint32_t i = 0; i < m->ndev; i++) {
		struct bsim__device *d = &m->dev[i];
		bool was_out;

		if (m->op_hss_node[d->home] != hn)
			continue;
		/* Every subscriber is affected (recovery_s). */
		bsim__recovery_mark(m, i, f, now);
		d->hss_loc = BSIM__NO_OP;
		if (d->serving == BSIM__NO_OP) {
			d->ctx_op = BSIM__NO_OP;
			continue;
		}
		was_out = bsim__dev_out(d);
		d->flags |= DEV_REG_LOST;
		bsim__recovery_note(m, i, was_out, now);
		if (bsim__awake(m, d, now))
			bsim_engine_post_at(
				m->eng,
				now + S_TO_NS(u_at(m, i, BSIM_RNG_BACKOFF,
						   DETACH_INDEX0 +
							   now / 1000000u) *
					      NW_DETACH_S),
				m->h_nwdetach, i, NULL);
	}
}

void bsim__on_nwdetach(struct bsim_engine *e, void *ctx, uint32_t i,
		       const void *payload)
{
	struct bsim_model *m = ctx;
	uint64_t now = bsim_engine_now(e);

	(void)payload;
	/* Asleep since (PSM): told at its next contact. */
	if (bsim__awake(m, &m->dev[i], now))
		reg_lost_contact(m, i, now);
}

void bsim__on_failure(struct bsim_engine *e, void *ctx, uint32_t target,
		      const void *payload)
{
	struct bsim_model *m = ctx;
	const struct bsim_world *w = m->w;
	const struct bsim_failure *f = &w->failures[target];
	uint64_t now = bsim_engine_now(e);
	uint8_t phase;
	bool down;

	memcpy(&phase, payload, 1);
	down = phase == 0;
	if (down)
		m->fail_state[target] = 1;
	switch (f->kind) {
	case BSIM_FAIL_HSS:
		m->node_down[bsim__node_of(m, BSIM_NODE_HSS, f->target)] +=
			down ? 1 : -1;
		if (!down)
			m->op_reset_epoch[f->target]++;
		break;
	case BSIM_FAIL_HSS_DATA_LOSS:
	case BSIM_FAIL_PLATFORM_DATA_LOSS: {
		uint16_t hn = bsim__node_of(m,
					    f->kind == BSIM_FAIL_HSS_DATA_LOSS
						    ? BSIM_NODE_HSS
						    : BSIM_NODE_PLATFORM,
					    f->target);

		m->node_down[hn] += down ? 1 : -1;
		if (!down)
			data_lost(m, (uint16_t)target, hn, now);
		break;
	}
	case BSIM_FAIL_PLATFORM: {
		uint16_t pn = bsim__node_of(m, BSIM_NODE_PLATFORM, f->target);

		m->node_down[pn] += down ? 1 : -1;
		if (!down)
			for (size_t o = 0; o < w->noperators; o++)
				if (m->op_hss_node[o] == pn)
					m->op_reset_epoch[o]++;
		break;
	}
	case BSIM_FAIL_IPX:
		m->node_down[m->ipx_node] += down ? 1 : -1;
		break;
	case BSIM_FAIL_RADIO:
		for (size_t o = 0; o < w->noperators; o++)
			if (w->operators[o].country == f->target)
				m->op_radio_down[o] += down ? 1 : -1;
		for (uint32_t i = 0; i < m->ndev; i++) {
			struct bsim__device *d = &m->dev[i];

			if (down && d->serving != BSIM__NO_OP &&
			    m->op_radio_down[d->serving]) {
				d->flags |= DEV_OUTAGE;
				lose(m, i, now, false);
			} else if (!down && (d->flags & DEV_OUTAGE) &&
				   d->ctx_op != BSIM__NO_OP &&
				   !m->op_radio_down[d->ctx_op]) {
				double u = bsim_rng_uniform(
					m->rng, bsim__dev_entity(m, i),
					BSIM_RNG_BACKOFF, &d->ctr_backoff);

				bsim_engine_post_at(
					e, now + S_TO_NS(u * CELL_SEARCH_S),
					m->h_contact, i, NULL);
			}
			if (d->flags & DEV_EPISODE)
				nocand_eval(m, i, now); /* Radios changed. */
		}
		break;
	}
	if (!down)
		bsim__recovery_end(m, (uint16_t)target, now);
}

void bsim__on_month(struct bsim_engine *e, void *ctx, uint32_t country,
		    const void *payload)
{
	struct bsim_model *m = ctx;
	uint64_t now = bsim_engine_now(e);

	(void)payload;
	for (uint32_t i = 0; i < m->ndev; i++) {
		const struct bsim__device *d = &m->dev[i];

		if (d->serving != BSIM__NO_OP &&
		    m->w->operators[d->serving].country == country)
			bsim__access_fee(m, i, now);
	}
}

void bsim__on_fault(struct bsim_engine *e, void *ctx, uint32_t pair,
		    const void *payload)
{
	struct bsim_model *m = ctx;
	uint8_t phase;

	(void)e;
	memcpy(&phase, payload, 1);
	m->pair_fault[pair] = phase == 0;
}

/* Network selection at placement in `cell`, with no signalling: networks
 * without an agreement refused the device before the run (#11), so they
 * are on its SIM's forbidden list, and areas of networks that do not grant
 * its radio are forbidden (#15). The index of the network chosen in c, or
 * -1. */
static int place_select(struct bsim_model *m, uint32_t i, uint32_t cell,
			struct bsim__candidate c[MAX_CAND])
{
	struct bsim__device *d = &m->dev[i];
	const struct bsim_class *cl = &m->w->classes[d->cls];
	int n = bsim__candidates(m, d, cell, c, MAX_CAND), k = -1;

	for (int tries = 0; tries <= n; tries++) {
		const struct bsim_terms *t;

		k = n ? bsim__select(c, n, d->home, &d->sim, sel_of(m, d), 0,
				     GOOD_QUALITY, m->rng,
				     bsim__dev_entity(m, i), &d->ctr_sel)
		      : -1;
		if (k < 0)
			break;
		t = bsim_world_terms(m->w, d->home, c[k].op);
		if (t->relation == BSIM_REL_NONE) {
			bsim__sim_forbid(&d->sim, c[k].op);
		} else if (c[k].op != d->home && !(t->radios & cl->radio)) {
			bsim__forbid_ta(sel_mut(m, i), c[k].op, c[k].ta,
					S_TO_NS(43200.0));
		} else {
			break;
		}
		k = -1;
	}
	return k;
}

/*
 * Placement of a route device in the steady state of its route: a device
 * on the road keeps its network while that network covers it and selects
 * anew only where it does not, or at its higher-priority search (every
 * hpplmn_search_s, the first at U(0, period) after t = 0, so the last one
 * was that much minus a period before). So it selects where it was at
 * its last search and follows its route from there to its place at
 * t = 0, selecting again where its network stops covering it. Placing it
 * by a fresh selection at t = 0 instead would put it on its home wherever
 * the home reaches across a border, where a device coming from the other
 * side is still on the visited network: too few roamers at the start.
 * Returns the index in c of its network at t = 0, or -1.
 */
static int place_on_route(struct bsim_model *m, uint32_t i,
			  struct bsim__candidate c[MAX_CAND])
{
	struct bsim__device *d = &m->dev[i];
	const struct bsim__route_tl *r = &m->routes[d->route];
	uint64_t h = m->cp[d->cls].hplmn_ns, p = r->period_ns;
	uint64_t back =
		h - (uint64_t)(u_at(m, i, BSIM_RNG_PLACEMENT, 5) * (double)h);
	uint64_t c0 = (uint64_t)(-d->cycle0_ns), from;
	uint32_t s, steps = 0;
	uint16_t op = BSIM__NO_OP;
	int k;

	if (r->n < 2 || back >= p)
		return place_select(m, i, d->cell, c);
	from = (c0 + p - back) % p;
	s = bsim__route_index(r, from);
	for (;;) {
		uint32_t cell = r->steps[s].cell;

		if (op == BSIM__NO_OP || !bsim__covers(m, cell, op)) {
			k = place_select(m, i, cell, c);
			op = k >= 0 ? c[k].op : BSIM__NO_OP;
		}
		if (s == d->tl || ++steps > r->n)
			break;
		s = s + 1 == r->n ? 0 : s + 1;
	}
	/* Its network at its place now, with the candidate list there. */
	{
		int n = bsim__candidates(m, d, d->cell, c, MAX_CAND);

		for (k = 0; k < n; k++)
			if (c[k].op == op)
				return k;
	}
	return place_select(m, i, d->cell, c);
}

void bsim__device_init(struct bsim_model *m, uint32_t i)
{
	struct bsim__device *d = &m->dev[i];
	const struct bsim_world *w = m->w;
	const struct bsim_class *cl = &w->classes[d->cls];
	const struct bsim__class_params *cp = &m->cp[d->cls];
	struct bsim__candidate c[MAX_CAND];
	double wsum = 0, u;
	uint16_t place = BSIM_GEO_NONE;
	int k;

	d->serving = d->hss_loc = d->ctx_op = d->sess_op = BSIM__NO_OP;
	d->fee_op = BSIM__FEE_NONE;
	d->route = NO_ROUTE;
	d->sel = SEL_NONE;
	d->abroad_since_s = ABROAD_NONE;
	bsim__sim_init(&d->sim, 4);
	if (cl->mobility == BSIM_MOBILITY_ROUTE) {
		const struct bsim__route_tl *r;
		uint64_t c0;

		u = u_at(m, i, BSIM_RNG_PLACEMENT, 0);
		for (size_t k2 = 0; k2 < cl->nroutes; k2++) {
			wsum += cl->routes[k2].weight;
			if (u < wsum || k2 + 1 == cl->nroutes) {
				d->route = cl->routes[k2].index;
				break;
			}
		}
		r = &m->routes[d->route];
		c0 = (uint64_t)(u_at(m, i, BSIM_RNG_PLACEMENT, 1) *
				(double)r->period_ns);
		d->tl = bsim__route_index(r, c0);
		d->cycle0_ns = -(int64_t)c0;
		d->cell = r->steps[d->tl].cell;
		if (r->steps[d->tl].moving)
			d->flags |= DEV_MOVING;
		if (r->n > 1) { /* A one-cell route never moves. */
			uint32_t nx = d->tl + 1 == r->n ? 0 : d->tl + 1;
			int64_t t = d->cycle0_ns + (int64_t)r->steps[nx].t_ns +
				    (nx == 0 ? (int64_t)r->period_ns : 0);

			bsim_engine_post_at(m->eng, (uint64_t)(t > 0 ? t : 0),
					    m->h_move, i, NULL);
		}
	} else {
		uint32_t n0, n1;

		u = u_at(m, i, BSIM_RNG_PLACEMENT, 0);
		for (size_t k2 = 0; k2 < cl->nplaces; k2++) {
			wsum += cl->places[k2].weight;
			if (u < wsum || k2 + 1 == cl->nplaces) {
				place = cl->places[k2].index;
				break;
			}
		}
		n0 = m->country_cells_start[place];
		n1 = m->country_cells_start[place + 1];
		d->cell = m->country_cells[n0 +
					   (uint32_t)(u_at(m, i,
							   BSIM_RNG_PLACEMENT,
							   1) *
						      (n1 - n0))];
	}
	place = m->g->country[d->cell];
	/* Home: domestic or (with foreign_sim_share) foreign among the
	 * class's homes; any home when the class has none of the kind. */
	{
		bool foreign = cl->mobility == BSIM_MOBILITY_STATIONARY &&
			       u_at(m, i, BSIM_RNG_PLACEMENT, 2) <
				       cl->foreign_sim_share;
		double tot = 0, acc = 0;
		bool any = false;

		for (int pass = 0; pass < 2 && !any; pass++) {
			tot = 0;
			for (size_t h = 0; h < cl->nhomes; h++) {
				uint16_t op = cl->homes[h].index;
				bool dom = w->operators[op].country == place;

				if (pass == 1 ||
				    cl->mobility == BSIM_MOBILITY_ROUTE ||
				    dom != foreign)
					tot += cl->homes[h].weight;
			}
			any = tot > 0;
			if (!any)
				continue;
			u = u_at(m, i, BSIM_RNG_PLACEMENT, 3) * tot;
			for (size_t h = 0; h < cl->nhomes; h++) {
				uint16_t op = cl->homes[h].index;
				bool dom = w->operators[op].country == place;

				if (!(pass == 1 ||
				      cl->mobility == BSIM_MOBILITY_ROUTE ||
				      dom != foreign))
					continue;
				acc += cl->homes[h].weight;
				d->home = op;
				if (u < acc)
					break;
			}
		}
	}
	m->row[i].home_op_initial = d->home;
	m->row[i].country = place;
	/* Registered where it would select, with no signalling (a route
	 * device where its recent past left it: place_on_route()). */
	k = cl->mobility == BSIM_MOBILITY_ROUTE
		    ? place_on_route(m, i, c)
		    : place_select(m, i, d->cell, c);
	if (k >= 0) {
		d->serving = d->hss_loc = d->ctx_op = d->sim.rplmn = c[k].op;
		d->ta = c[k].ta;
		if (d->serving != d->home)
			d->abroad_since_s = -(int32_t)ceil(
				u_at(m, i, BSIM_RNG_PLACEMENT, 7) *
				ABROAD_MAX_DAYS * 86400.0);
	}
	d->svc = svc_of(d);
	d->since_ns = 0;
	if (d->serving == BSIM__NO_OP) {
		/* It needs a registration from the start. */
		episode_open(m, i, 0);
		nocand_eval(m, i, 0);
	}
	if (d->serving != BSIM__NO_OP)
		bsim__trace(m, i, BSIM_TRACE_CAMP, BSIM_OUTCOME_OK, d->serving,
			    BSIM__NO_OP);
	bsim__access_fee(m, i, 0);
	bsim__session_open(m, i, 0);
	/* Timers at random phases (the periodic one: periodic.c). */
	if (d->serving != d->home && d->serving != BSIM__NO_OP) {
		d->flags |= DEV_HPLMN;
		bsim_engine_post_at(
			m->eng,
			(uint64_t)(u_at(m, i, BSIM_RNG_PLACEMENT, 5) *
				   (double)cp->hplmn_ns),
			m->h_hplmn, i, NULL);
	}
	if (cl->daily) {
		schedule_report(m, i, 0);
	} else {
		uint64_t iv = (d->flags & DEV_MOVING) || d->route == NO_ROUTE
				      ? cp->report_ns
				      : cp->parked_ns;

		d->report_k = 1;
		d->report_ns = (uint64_t)(u_at(m, i, BSIM_RNG_PLACEMENT, 6) *
					  (double)iv);
		bsim_engine_post_at(m->eng, d->report_ns, m->h_report, i, NULL);
	}
	/* Awake for a random part of its cycle at the start. */
	d->last_contact_ns = 0;
	d->awake_until_ns = 0;
	d->mt_head = MT_NIL;
}
