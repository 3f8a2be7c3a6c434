/* SPDX-License-Identifier: MIT */
/*
 * KPIs at the end of a run, from the devices' own counters, the nodes'
 * counts and the records (definitions in results/README.md). Ratios with
 * no denominator are NaN, never a made-up 0 or 1.
 */
#include "model-internal.h"

#include <blocsim/civil.h>

#include <blocsim/error.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const kpi_names[] = {
#define BSIM_KPI_NAME(name, unit) #name,
	BSIM_KPIS(BSIM_KPI_NAME)
#undef BSIM_KPI_NAME
};
static const char *const kpi_units[] = {
#define BSIM_KPI_UNIT(name, unit) unit,
	BSIM_KPIS(BSIM_KPI_UNIT)
#undef BSIM_KPI_UNIT
};

const char *bsim_kpi_name(unsigned k)
{
	return k < BSIM_KPI_COUNT ? kpi_names[k] : "?";
}

const char *bsim_kpi_unit(unsigned k)
{
	return k < BSIM_KPI_COUNT ? kpi_units[k] : "?";
}

static double ratio(double a, double b)
{
	return b > 0 ? a / b : NAN;
}

/* Device-derived sums of one group of devices. */
struct acc {
	double ok, failed, nosvc, cross, reatt, intr, drops, n, nmob, usage,
		fees, reports, lost, mt_ok, mt_lost, mt_s, ep, ep_ok, ep_failed,
		ep_open, nocand, steered, roaming;
	double fee_months; /* Months whose fees count (fee_months()). */
};

/* Days in a mean Gregorian month. */
#define MONTH_DAYS (365.25 / 12)
/* Calendar months a run can touch (10 years and a bit). */
#define RUN_MONTHS 124

/*
 * Which calendar months (UTC) of the run count for access fees per
 * device-month: those the run covers whole. A fee is due once per SIM,
 * network and month, and a device meets more distinct networks the
 * longer it roams in a month (routes, and the random choice among good
 * networks at each crossing): in the default world a week of January
 * shows 0.51 EUR of fees per device, four weeks 0.60. So only a whole
 * month gives a month's fees. ok[q - q0]; returns how many months count.
 */
static unsigned fee_months(const struct bsim_model *m, int64_t *q0,
			   bool ok[RUN_MONTHS])
{
	int64_t t0 = m->w->run.start_unix_s,
		t1 = t0 + (int64_t)(m->end_ns / NS_PER_S);
	unsigned n = 0;

	*q0 = bsim_month_index(t0, 0);
	for (int64_t q = *q0; q < *q0 + RUN_MONTHS; q++) {
		int64_t y = q / 12, mo = q % 12 + 1;
		int64_t a = bsim_days_from_civil(y, (unsigned)mo, 1) * 86400,
			b = bsim_days_from_civil(
				    mo == 12 ? y + 1 : y,
				    mo == 12 ? 1u : (unsigned)mo + 1, 1) *
			    86400;

		ok[q - *q0] = a >= t0 && b <= t1;
		n += ok[q - *q0];
	}
	return n;
}

/* Records read back from the spool per slice. */
#define SLICE 4096

/* Group of device i in grouping kind: 0 for all, the class (kind 1) or
 * the home operator (kind 2). */
static size_t group_of(const struct bsim_model *m, int kind, uint32_t i)
{
	return kind == 0 ? 0 : kind == 1 ? m->dev[i].cls : m->dev[i].home;
}

/* The calendar month of an access fee, in the visited country's local
 * time (the month it is due for), clamped to the table of months from
 * the run's first UTC month q0. */
static int64_t fee_month(const struct bsim_model *m,
			 const struct bsim_record *r, int64_t q0)
{
	const struct bsim_world *w = m->w;
	int32_t off = w->countries[w->operators[r->visited_op].country]
			      .utc_offset_min;
	int64_t q = bsim_month_index(
		w->run.start_unix_s + r->t_start_ns / (int64_t)NS_PER_S, off);

	return q < q0 ? q0 : q >= q0 + RUN_MONTHS ? q0 + RUN_MONTHS - 1 : q;
}

/* One pass over devices and one over the records (read back from their
 * spool once), summing into g[0] (all), g[1] (per class) and g[2] (per
 * home operator). Devices and records are visited in index order in every
 * grouping, so every group's sums are the same numbers in every run.
 * Returns 0, or BSIM_ENOMEM / BSIM_EIO (the spool could not be read). */
static int accumulate(const struct bsim_model *m, struct acc *const g[3],
		      size_t ngroups[3])
{
	struct bsim_record *buf = malloc(SLICE * sizeof(*buf));
	bool month_ok[RUN_MONTHS];
	int64_t q0;
	unsigned months = fee_months(m, &q0, month_ok);

	if (!buf)
		return BSIM_ENOMEM;
	for (int kind = 0; kind < 3; kind++)
		for (size_t j = 0; j < ngroups[kind]; j++)
			g[kind][j].fee_months = months;
	for (uint32_t i = 0; i < m->ndev; i++) {
		const struct bsim__row *r = &m->row[i];

		for (int kind = 0; kind < 3; kind++) {
			struct acc *a = &g[kind][group_of(m, kind, i)];

			a->n++;
			a->ok += r->attaches_ok;
			a->failed += r->attaches_failed;
			a->ep += r->episodes;
			a->ep_ok += r->episodes_ok;
			a->ep_failed += r->episodes_failed;
			a->ep_open += (m->dev[i].flags & DEV_EPISODE) != 0;
			a->nocand += (double)r->no_candidate_ns / NS_PER_S;
			a->steered += r->steering_rejects;
			a->roaming += (double)r->roaming_ns / NS_PER_S;
			a->nosvc += (double)r->no_service_ns / NS_PER_S;
			a->drops += r->session_drops;
			a->reports += r->reports;
			a->lost += r->reports_lost;
			a->mt_ok += r->mt_delivered;
			a->mt_lost += r->mt_expired;
			a->mt_s += (double)r->mt_latency_ns / NS_PER_S;
			if (m->dev[i].route != NO_ROUTE) {
				a->nmob++;
				a->cross += r->border_crossings;
				a->reatt += r->reattaches;
				a->intr +=
					(double)r->interruption_ns / NS_PER_S;
			}
		}
	}
	for (size_t q = 0; q < m->rec.n; q++) {
		const struct bsim_record *r = &buf[q % SLICE];

		if (q % SLICE == 0 &&
		    bsim_spool_read(&m->rec, q,
				    m->rec.n - q < SLICE ? m->rec.n - q : SLICE,
				    buf)) {
			free(buf);
			return BSIM_EIO;
		}
		for (int kind = 0; kind < 3; kind++) {
			struct acc *a = &g[kind][group_of(m, kind, r->device)];

			if (r->kind == BSIM_TAP_ACCESS_FEE)
				a->fees += month_ok[fee_month(m, r, q0) - q0]
						   ? (double)r->charge_ueur
						   : 0;
			else
				a->usage += (double)r->charge_ueur;
		}
	}
	free(buf);
	return 0;
}

/* Days in a mean Gregorian month. */
#define MONTH_DAYS (365.25 / 12)

static void device_kpis(const struct bsim_model *m, const struct acc *a,
			double *k)
{
	double days = (double)m->end_ns / NS_PER_S / 86400.0;
	double fee_months = a->fee_months;

	/* Episodes, not attempts: steering rejects are the home's choice,
	 * and episodes open at the end count only once an attempt in them
	 * failed otherwise (results/README.md). */
	k[BSIM_KPI_attach_success_ratio] =
		ratio(a->ep_ok, a->ep_ok + a->ep_failed);
	k[BSIM_KPI_attach_attempt_failure_ratio] =
		ratio(a->failed, a->ok + a->failed);
	k[BSIM_KPI_attach_episodes] = a->ep;
	k[BSIM_KPI_attach_episodes_open] = a->ep_open;
	k[BSIM_KPI_no_candidate_s] = a->nocand;
	k[BSIM_KPI_no_candidate_s_per_device_day] =
		ratio(a->nocand, a->n * days);
	k[BSIM_KPI_steering_rejects] = a->steered;
	k[BSIM_KPI_steering_rejects_per_roaming_device_day] =
		ratio(a->steered, a->roaming / 86400.0);
	k[BSIM_KPI_availability] =
		a->n > 0 ? 1 - a->nosvc / (a->n * (double)m->end_ns / NS_PER_S)
			 : NAN;
	k[BSIM_KPI_border_crossings_per_mobile_device_day] =
		ratio(a->cross, a->nmob * days);
	k[BSIM_KPI_reattaches_per_border_crossing] = ratio(a->reatt, a->cross);
	k[BSIM_KPI_interruption_s_per_border_crossing] =
		ratio(a->intr, a->cross);
	k[BSIM_KPI_session_drops] = a->drops;
	/* Usage scales with time; access fees are due once per SIM, network
	 * and local month, so they are taken from the months the run covers
	 * whole (fee_months(), results/README.md), NaN without one. */
	k[BSIM_KPI_usage_cost_per_device_month_eur] =
		a->n > 0 ? a->usage * MONTH_DAYS / days / a->n / 1e6 : NAN;
	k[BSIM_KPI_access_fees_per_device_month_eur] =
		a->n > 0 && fee_months > 0 ? a->fees / (a->n * fee_months) / 1e6
					   : NAN;
	k[BSIM_KPI_cost_per_device_month_eur] =
		k[BSIM_KPI_usage_cost_per_device_month_eur] +
		k[BSIM_KPI_access_fees_per_device_month_eur];
	k[BSIM_KPI_reports_lost_ratio] = ratio(a->lost, a->reports);
	k[BSIM_KPI_mt_delivery_ratio] = ratio(a->mt_ok, a->mt_ok + a->mt_lost);
	k[BSIM_KPI_mt_latency_mean_s] = ratio(a->mt_s, a->mt_ok);
}

unsigned bsim__fine_bin(double s)
{
	double x = log10(s > FINE_MIN_S ? s : FINE_MIN_S) - log10(FINE_MIN_S);
	long b = (long)floor(x * 100.0);

	return b < 0 ? 0 : b >= FINE_BINS ? FINE_BINS - 1 : (unsigned)b;
}

double bsim__fine_quantile(const uint32_t *hist, double q)
{
	uint64_t want, acc = 0, n = 0;

	for (unsigned b = 0; b < FINE_BINS; b++)
		n += hist[b];
	if (n == 0)
		return NAN;
	want = (uint64_t)ceil(q * (double)n);
	if (want == 0)
		want = 1;
	for (unsigned b = 0; b < FINE_BINS; b++) {
		acc += hist[b];
		if (acc >= want) /* The bin's geometric middle. */
			return FINE_MIN_S * pow(10, (b + 0.5) / 100.0);
	}
	return FINE_MIN_S * pow(10, FINE_BINS / 100.0);
}

unsigned bsim__latency_bin(double s)
{
	double x = log10(s > 0.01 ? s : 0.01);
	long b = (long)floor((x + 2) / 7.0 * BSIM_LATENCY_BINS);

	return b < 0			? 0
	       : b >= BSIM_LATENCY_BINS ? BSIM_LATENCY_BINS - 1
					: (unsigned)b;
}

int bsim__kpi_finish(struct bsim_model *m)
{
	const struct bsim_world *w = m->w;
	struct bsim_results *res = &m->res;
	size_t nop = w->noperators, nn = m->nnodes;
	double days = (double)m->end_ns / NS_PER_S / 86400.0, *k = res->kpi;
	double bin_s = (double)w->run.bin_s, msgs = 0, peak = 0;
	uint64_t storm = 0;
	struct acc all = { 0 }, *ac, *ao;
	int rc;

	for (unsigned q = 0; q < BSIM_KPI_COUNT; q++)
		k[q] = NAN;
	for (uint64_t s = 0; s <= m->end_ns / 1000000000u; s++)
		storm += (m->storm_bits[s / 8] >> (s % 8)) & 1;
	ac = calloc(w->nclasses + 1, sizeof(*ac));
	ao = calloc(nop + 1, sizeof(*ao));
	rc = ac && ao ? accumulate(m, (struct acc *const[3]){ &all, ac, ao },
				   (size_t[3]){ 1, w->nclasses, nop })
		      : BSIM_ENOMEM;
	if (rc) {
		free(ac);
		free(ao);
		return rc;
	}
	device_kpis(m, &all, k);
	{
		/* The spare row after the classes' holds their sum. */
		uint32_t *h = &m->mt_hist_cls[w->nclasses * FINE_BINS];

		for (size_t c = 0; c < w->nclasses; c++)
			for (unsigned b = 0; b < FINE_BINS; b++)
				h[b] += m->mt_hist_cls[c * FINE_BINS + b];
		k[BSIM_KPI_mt_latency_p95_s] = bsim__fine_quantile(h, 0.95);
	}
	k[BSIM_KPI_attach_latency_mean_s] =
		m->nlat ? m->lat_sum_s / (double)m->nlat : NAN;
	k[BSIM_KPI_attach_latency_p50_s] =
		bsim__fine_quantile(m->lat_hist, 0.50);
	k[BSIM_KPI_attach_latency_p95_s] =
		bsim__fine_quantile(m->lat_hist, 0.95);
	k[BSIM_KPI_attach_latency_p99_s] =
		bsim__fine_quantile(m->lat_hist, 0.99);
	for (size_t q = 0; q < m->nbins * nn * BSIM_MESSAGE_COUNT; q++)
		msgs += m->messages[q];
	k[BSIM_KPI_signalling_msgs_per_device_day] =
		ratio(msgs, (double)m->ndev * days);
	/* Offered load over capacity: MMEs, HSSs and platform pools (the
	 * hub, not scaled with the sample, is left out). */
	for (size_t b = 0; b < m->nbins; b++)
		for (size_t n = 0; n < nn - 1; n++) {
			double off =
				m->series[(b * nn + n) * BSIM_SERIES_COUNT +
					  BSIM_SERIES_OFFERED];
			double u = off / (m->nodes[n].rate_per_s * bin_s);

			if (u > peak)
				peak = u;
		}
	k[BSIM_KPI_peak_load_per_capacity] = peak;
	k[BSIM_KPI_storm_seconds] = (double)storm;
	k[BSIM_KPI_backoff_peak_share] =
		ratio((double)m->backoff_peak, (double)m->ndev);
	k[BSIM_KPI_handover_success_ratio] =
		ratio((double)m->ho_ok, (double)m->ho_attempts);
	k[BSIM_KPI_sla_breach_s] = m->sla_breach_s;
	{
		/* Session time by user-plane RTT, 1 ms bins: the bin's upper
		 * edge where 95% of the time is reached. */
		double tot = 0, acc = 0;

		for (int b = 0; b < RTT_HIST_BINS; b++)
			tot += m->rtt_time_s[b];
		for (int b = 0; b < RTT_HIST_BINS && tot > 0; b++) {
			acc += m->rtt_time_s[b];
			if (acc >= 0.95 * tot) {
				k[BSIM_KPI_rtt_p95_ms] = b + 1;
				break;
			}
		}
		k[BSIM_KPI_rtt_over_target_share] = ratio(m->rtt_over_s, tot);
	}
	{
		double hss = 0;

		for (size_t n = nop; n < nn - 1; n++)
			hss += (double)m->nodes[n].arrivals;
		k[BSIM_KPI_home_hss_tx_per_subscriber_day] =
			ratio(hss, (double)m->ndev * days);
	}
	/* Recovery: from each outage's end until the devices without
	 * service are back to their number when it began. */
	{
		double rec = NAN;

		for (size_t f = 0; f < w->nfailures; f++) {
			double r;

			if (m->fail_state[f] < 2)
				continue;
			r = (double)((m->fail_state[f] == 3
					      ? m->fail_recovered_ns[f]
					      : m->end_ns) -
				     m->failure_end_ns[f]) /
			    NS_PER_S;
			if (isnan(rec) || r > rec)
				rec = r;
		}
		k[BSIM_KPI_recovery_s] = rec;
	}
	k[BSIM_KPI_rejects_cause_11] = (double)m->rejects[CAUSE_11];
	k[BSIM_KPI_rejects_cause_13] = (double)m->rejects[CAUSE_13];
	k[BSIM_KPI_rejects_cause_15] = (double)m->rejects[CAUSE_15];
	k[BSIM_KPI_rejects_cause_17] = (double)m->rejects[CAUSE_17];
	k[BSIM_KPI_rejects_cause_22] = (double)m->rejects[CAUSE_22];
	k[BSIM_KPI_timeouts] = (double)m->rejects[CAUSE_TIMEOUT];
	k[BSIM_KPI_diameter_timeouts] = (double)m->rejects[CAUSE_DIAMETER];
	/* Attach latency histogram: log-spaced, 10 ms to 10^5 s. */
	for (unsigned b = 0; b <= BSIM_LATENCY_BINS; b++)
		res->latency_edges[b] =
			pow(10, -2 + 7.0 * b / BSIM_LATENCY_BINS);
	memcpy(res->latency_counts, m->lat_coarse, sizeof(res->latency_counts));
	memcpy(res->mt_latency_counts, m->mt_coarse,
	       sizeof(res->mt_latency_counts));
	/* Settlement netting. */
	{
		bool *np = calloc(nop * nop, sizeof(*np));

		if (!np) {
			free(ac);
			free(ao);
			return BSIM_ENOMEM;
		}
		for (size_t h = 0; h < nop; h++)
			for (size_t v = 0; v < nop; v++)
				np[h * nop + v] =
					bsim_world_terms(w, h, v)->netting &&
					bsim_world_terms(w, v, h)->netting;
		bsim__settle_net(m->settle, np, nop, m->net);
		free(np);
	}
	/* Path round trips as the procedures take them (proc.c): twice the
	 * one-way core latency to the home's current HSS node, plus the hub
	 * detours of a roaming path through the IPX. */
	m->path_rtt_ms = malloc((nop ? nop * nop : 1) * sizeof(double));
	if (!m->path_rtt_ms) {
		free(ac);
		free(ao);
		return BSIM_ENOMEM;
	}
	for (size_t h = 0; h < nop; h++)
		for (size_t v = 0; v < nop; v++)
			m->path_rtt_ms[h * nop + v] =
				2e3 *
				(m->lat_core_s[v * nn + m->op_hss_node[h]] +
				 (h != v && bsim_world_terms(w, h, v)->path ==
							  BSIM_PATH_IPX
					  ? IPX_DETOUR_S
					  : 0));
	/* By class and by home operator. */
	m->kpi_class =
		malloc((w->nclasses + 1) * BSIM_KPI_COUNT * sizeof(double));
	m->kpi_op = malloc((nop + 1) * BSIM_KPI_COUNT * sizeof(double));
	{
		if (!m->kpi_class || !m->kpi_op) {
			free(ac);
			free(ao);
			return BSIM_ENOMEM;
		}
		for (size_t c = 0; c < w->nclasses; c++) {
			double *kc = &m->kpi_class[c * BSIM_KPI_COUNT];

			for (unsigned q = 0; q < BSIM_KPI_COUNT; q++)
				kc[q] = NAN;
			device_kpis(m, &ac[c], kc);
			kc[BSIM_KPI_mt_latency_p95_s] = bsim__fine_quantile(
				&m->mt_hist_cls[c * FINE_BINS], 0.95);
		}
		for (size_t o = 0; o < nop; o++) {
			double *ko = &m->kpi_op[o * BSIM_KPI_COUNT];

			for (unsigned q = 0; q < BSIM_KPI_COUNT; q++)
				ko[q] = NAN;
			device_kpis(m, &ao[o], ko);
			ko[BSIM_KPI_mt_latency_p95_s] = bsim__fine_quantile(
				&m->mt_hist_op[o * FINE_BINS], 0.95);
			ko[BSIM_KPI_home_hss_tx_per_subscriber_day] =
				ratio((double)m->op_hss_tx[o], ao[o].n * days);
		}
		free(ac);
		free(ao);
	}
	/* Node rows. */
	m->node_rows = calloc(nn, sizeof(*m->node_rows));
	if (!m->node_rows)
		return BSIM_ENOMEM;
	for (size_t n = 0; n < nn; n++) {
		struct bsim_node_row *r = &m->node_rows[n];
		const struct bsim__node *x = &m->nodes[n];

		r->kind = n < nop	? BSIM_NODE_MME
			  : n < 2 * nop ? BSIM_NODE_HSS
			  : n + 1 < nn	? BSIM_NODE_PLATFORM
					: BSIM_NODE_IPX;
		r->op = r->kind == BSIM_NODE_MME   ? (uint16_t)n
			: r->kind == BSIM_NODE_HSS ? (uint16_t)(n - nop)
			: r->kind == BSIM_NODE_PLATFORM
				? (uint16_t)(n - 2 * nop)
				: UINT16_MAX;
		r->site = m->node_site[n];
		r->service_rate_per_s = x->rate_per_s;
		r->servers = x->servers;
		r->queue_limit = x->queue_limit;
		r->arrivals = x->arrivals;
		r->served = x->served;
		r->rejected = x->rejected;
		r->max_queue = x->max_in_system;
		r->mean_wait_s = x->served ? x->sum_wait_s / x->served : 0;
		r->p99_wait_s = bsim__node_wait_quantile(x, 0.99);
		r->mean_sojourn_s =
			x->served ? x->sum_sojourn_s / x->served : 0;
		r->p99_sojourn_s = bsim__node_sojourn_quantile(x, 0.99);
		r->background_arrivals = x->bg_arrivals;
		r->background_rejected = x->bg_rejected;
		r->utilisation =
			(x->busy_s + x->bg_busy_s) /
			((double)x->servers * (double)m->end_ns / NS_PER_S);
		for (size_t b = 0; b < m->nbins; b++)
			for (unsigned t = 0; t < BSIM_MESSAGE_COUNT; t++)
				r->messages +=
					m->messages[(b * nn + n) *
							    BSIM_MESSAGE_COUNT +
						    t];
	}
	res->world = w;
	res->grid = m->g;
	res->sim_duration_ns = m->end_ns;
	res->cell_cover_start = m->cover_start;
	res->cell_cover_op = m->cover_op;
	res->cell_ta = m->cell_ta;
	res->ndevices = m->ndev;
	res->model = m;
	res->proc_done_by_class = m->proc_done;
	res->nnodes = nn;
	res->nodes = m->node_rows;
	res->nbins = m->nbins;
	res->messages = m->messages;
	res->node_series = m->series;
	res->nrecords = m->rec.n;
	res->records = &m->rec;
	res->settlement_ueur = m->settle;
	res->net_ueur = m->net;
	res->path_rtt_ms = m->path_rtt_ms;
	res->kpi_by_class = m->kpi_class;
	res->kpi_by_operator = m->kpi_op;
	res->ntrace = m->trace.n;
	res->trace = &m->trace;
	return 0;
}
