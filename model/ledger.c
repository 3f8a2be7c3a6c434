/* SPDX-License-Identifier: MIT */
/*
 * The visited networks' books: data sessions become TAP-like records
 * (one per closed session or partial period of exactly PARTIAL_RECORD_S
 * from the record's start, each rounded to the minimum charge on its
 * own), SMS records, per-IMSI access fees once per SIM,
 * visited network and local calendar month, and the settlement matrix
 * (what each home owes each visited network). Money is integer
 * micro-euro throughout, so every sum is exact.
 */
#include "model-internal.h"

#include <blocsim/civil.h>
#include <blocsim/error.h>

#include <math.h>
#include <stdlib.h>

static void push(struct bsim_model *m, const struct bsim_record *r)
{
	if (bsim__spool_push(&m->rec, r))
		bsim__spool_failed(m, &m->rec, "billing records");
	m->settle[(size_t)r->home_op * m->w->noperators + r->visited_op] +=
		r->charge_ueur;
	m->row[r->device].charge_ueur += r->charge_ueur;
}

/* The user plane's round trip of home's devices on visited, ms: the core's
 * share only (the radio access is the same whichever agreement carries
 * the traffic). */
static double pair_rtt_ms(const struct bsim_model *m, uint16_t home,
			  uint16_t visited)
{
	const struct bsim_terms *t = bsim_world_terms(m->w, home, visited);
	double rtt;

	if (visited == home || t->local_breakout)
		return LOCAL_RTT_MS;
	/* Home-routed: to the home's packet gateway and back. */
	rtt = LOCAL_RTT_MS + HOME_ROUTED_MS +
	      2e3 * m->lat_core_s[(size_t)visited * m->nnodes +
				  m->op_hss_node[home]];
	if (t->path == BSIM_PATH_IPX)
		rtt += 2e3 * IPX_DETOUR_S;
	return rtt;
}

double bsim__user_rtt_ms(const struct bsim_model *m, uint32_t i)
{
	const struct bsim__device *d = &m->dev[i];

	if (d->serving == BSIM__NO_OP)
		return 0;
	return pair_rtt_ms(m, d->home, d->serving);
}

/* A roaming session's time at its round trip, when both networks are of
 * territory countries (an intercontinental home's sessions are not the
 * comparison's). */
static void rtt_note(struct bsim_model *m, uint16_t home, uint16_t visited,
		     double seconds)
{
	const struct bsim_world *w = m->w;
	double rtt;
	long b;

	if (!w->countries[w->operators[home].country].territory ||
	    !w->countries[w->operators[visited].country].territory)
		return;
	rtt = pair_rtt_ms(m, home, visited);
	b = (long)floor(rtt);
	m->rtt_time_s[b < 0		   ? 0
		      : b >= RTT_HIST_BINS ? RTT_HIST_BINS - 1
					   : b] += seconds;
	if (rtt > w->qos.rtt_target_ms)
		m->rtt_over_s += seconds;
}

void bsim__session_open(struct bsim_model *m, uint32_t i, uint64_t now)
{
	struct bsim__device *d = &m->dev[i];

	if (d->serving == BSIM__NO_OP || d->serving == d->home ||
	    m->w->classes[d->cls].sms || d->sess_op != BSIM__NO_OP)
		return;
	d->sess_op = d->serving;
	d->sess_start_ns = (int64_t)now;
	d->sess_reports = d->sess_mt = 0;
}

static void cut(struct bsim_model *m, uint32_t i, uint64_t now)
{
	struct bsim__device *d = &m->dev[i];
	const struct bsim_terms *t =
		bsim_world_terms(m->w, d->home, d->sess_op);
	const struct bsim_class *cl = &m->w->classes[d->cls];
	uint64_t up = (uint64_t)d->sess_reports * cl->up_bytes,
		 down = (uint64_t)d->sess_reports * cl->down_bytes +
			(uint64_t)d->sess_mt * cl->mt_bytes;
	struct bsim_record r = {
		.t_start_ns = d->sess_start_ns,
		.duration_ns = now - (uint64_t)d->sess_start_ns,
		.device = i,
		.home_op = d->home,
		.visited_op = d->sess_op,
		.kind = BSIM_TAP_DATA,
		.bytes_up = up,
		.bytes_down = down,
	};

	r.charged_kb = bsim__charged_kb(up + down, t->min_kb);
	r.charge_ueur = bsim__charge_ueur(r.charged_kb, t->rate_ueur_per_mb);
	push(m, &r);
	m->row[i].records++;
	rtt_note(m, d->home, d->sess_op, (double)r.duration_ns / NS_PER_S);
	if (t->sla_ms > 0 && d->serving == d->sess_op &&
	    bsim__user_rtt_ms(m, i) > t->sla_ms)
		m->sla_breach_s += (double)r.duration_ns / NS_PER_S;
	d->sess_start_ns = (int64_t)now;
	d->sess_reports = d->sess_mt = 0;
}

/* Cut every whole period of PARTIAL_RECORD_S that has elapsed by `now`
 * since the record's start: records (start, start + P), (start + P,
 * start + 2P), ... At a report (`closing` false) a period ending exactly
 * now is cut, so the report opens the next period; at a close (`closing`
 * true) it is left for the closing record, which would otherwise be an
 * empty one of no duration. What the cut records carry is what was
 * counted so far: the counts are cut at every report before it is added,
 * so nothing counted lies beyond the first cut. */
static void cut_periods(struct bsim_model *m, uint32_t i, uint64_t now,
			bool closing)
{
	struct bsim__device *d = &m->dev[i];
	const uint64_t p = S_TO_NS(PARTIAL_RECORD_S);

	while (now - (uint64_t)d->sess_start_ns > p ||
	       (!closing && now - (uint64_t)d->sess_start_ns == p))
		cut(m, i, (uint64_t)d->sess_start_ns + p);
}

void bsim__session_close(struct bsim_model *m, uint32_t i, uint64_t now,
			 bool drop)
{
	struct bsim__device *d = &m->dev[i];

	if (d->sess_op == BSIM__NO_OP)
		return;
	cut_periods(m, i, now, true);
	cut(m, i, now);
	d->sess_op = BSIM__NO_OP;
	if (drop)
		m->row[i].session_drops++;
}

void bsim__session_traffic(struct bsim_model *m, uint32_t i, uint64_t now,
			   uint32_t reports, uint32_t mt)
{
	struct bsim__device *d = &m->dev[i];

	if (d->sess_op == BSIM__NO_OP)
		return;
	/* Partial records at exactly every PARTIAL_RECORD_S from the
	 * record's start, each charged on its own; this traffic falls in the
	 * period that contains `now`. */
	cut_periods(m, i, now, false);
	d->sess_reports += reports;
	d->sess_mt += mt;
}

void bsim__sms_record(struct bsim_model *m, uint32_t i, uint64_t now)
{
	struct bsim__device *d = &m->dev[i];

	/* Home traffic is not billed; the terms exist only for a visited
	 * network. */
	if (d->serving == BSIM__NO_OP || d->serving == d->home)
		return;
	push(m,
	     &(struct bsim_record){
		     .t_start_ns = (int64_t)now,
		     .device = i,
		     .home_op = d->home,
		     .visited_op = d->serving,
		     .kind = BSIM_TAP_SMS,
		     .charge_ueur = bsim_world_terms(m->w, d->home, d->serving)
					    ->rate_ueur_per_sms });
	m->row[i].records++;
}

void bsim__access_fee(struct bsim_model *m, uint32_t i, uint64_t now)
{
	struct bsim__device *d = &m->dev[i];
	const struct bsim_world *w = m->w;
	const struct bsim_terms *t;
	int64_t unix_s, month;

	if (d->serving == BSIM__NO_OP || d->serving == d->home)
		return;
	t = bsim_world_terms(w, d->home, d->serving);
	unix_s = w->run.start_unix_s + (int64_t)(now / 1000000000u);
	month = bsim_month_index(
		unix_s,
		w->countries[w->operators[d->serving].country].utc_offset_min);
	if (t->access_fee_ueur == 0 ||
	    !bsim__fee_due(&m->fees, i, d->serving, month, &d->fee_op,
			   &d->fee_month))
		return;
	push(m, &(struct bsim_record){ .t_start_ns = (int64_t)now,
				       .device = i,
				       .home_op = d->home,
				       .visited_op = d->serving,
				       .kind = BSIM_TAP_ACCESS_FEE,
				       .charge_ueur = t->access_fee_ueur });
	m->row[i].records++;
}
