/* SPDX-License-Identifier: MIT */
/*
 * Procedures as transactions through signalling nodes. A procedure
 * attempt is a chain of hop events: the serving MME, the IPX hub (when the
 * agreement's path goes through it), the home HSS (when the procedure
 * needs it), the hub again, and the answer back to the device. Without a
 * usable vector the HSS part runs twice: the AIR, then (after the
 * device's authentication) the ULR, each its own transaction. Each node
 * is a FIFO server (node.c) visited at the hop's arrival time, so its
 * arrivals come in time order and the Lindley recursion is exact. Nodes
 * count the messages of procedures.def as they process them, including
 * for attempts the device has already given up on (T3410): that wasted
 * work is what turns overload into a storm.
 */
#include "model-internal.h"

#include <blocsim/error.h>

#include <assert.h>
#include <math.h>
#include <string.h>

struct def {
	uint8_t proc, family, node, msg, count;
};

#define EPS BSIM__R_EPS
#define MAP BSIM__R_MAP
#define MME BSIM__N_MME
#define OLD BSIM__N_OLD
#define HSS BSIM__N_HSS
static const struct def defs[] = {
#define PROC_MSG(p, r, n, msg, c) { BSIM__P_##p, r, n, BSIM__M_##msg, c },
#include "procedures.def"
#undef PROC_MSG
};
#undef EPS
#undef MAP
#undef MME
#undef OLD
#undef HSS

void bsim__proc_tables(struct bsim_model *m)
{
	memset(m->msgs, 0, sizeof(m->msgs));
	for (size_t i = 0; i < sizeof(defs) / sizeof(defs[0]); i++) {
		struct bsim__msgs *s =
			&m->msgs[defs[i].proc][defs[i].family][defs[i].node];

		assert(s->n < 6);
		s->type[s->n] = defs[i].msg;
		s->count[s->n] = defs[i].count;
		s->n++;
		if (defs[i].msg == BSIM__M_NAS)
			s->nas += defs[i].count;
	}
}

uint16_t bsim__node_of(const struct bsim_model *m, enum bsim_node_kind k,
		       uint16_t index)
{
	size_t nop = m->w->noperators;

	switch (k) {
	case BSIM_NODE_MME:
		return index;
	case BSIM_NODE_HSS:
		return (uint16_t)(nop + index);
	case BSIM_NODE_PLATFORM:
		return (uint16_t)(2 * nop + index);
	case BSIM_NODE_IPX:
		break;
	}
	return m->ipx_node;
}

static size_t bin_of(const struct bsim_model *m, uint64_t t)
{
	size_t b = (size_t)(t / m->bin_ns);

	return b < m->nbins ? b : m->nbins - 1;
}

static void count(struct bsim_model *m, uint16_t node, uint64_t t,
		  unsigned type, unsigned n)
{
	size_t b = bin_of(m, t);

	m->messages[(b * m->nnodes + node) * BSIM_MESSAGE_COUNT + type] += n;
}

/* Is message type `type` counted in this transaction? The AIR (MAP SAI on
 * 2G) is a transaction of its own, sent only when the visited network
 * holds no usable vector; every other message of the HSS step goes in
 * the update (ULR; 2G: UL and ISD) that follows it. */
static bool sent(const struct bsim__hop *h, unsigned type)
{
	bool auth = type == BSIM__M_S6A_AIR || type == BSIM__M_MAP_SAI;

	return (h->flags & HOP_AIR) ? auth : !auth;
}

/* Count the messages of one procedure step at a node. */
static void count_step(struct bsim_model *m, uint16_t node, uint64_t t,
		       const struct bsim__hop *h, enum bsim__pnode kind)
{
	const struct bsim__msgs *s = &m->msgs[h->proc][h->family][kind];

	for (unsigned k = 0; k < s->n; k++)
		if (kind != BSIM__N_HSS || sent(h, s->type[k]))
			count(m, node, t, s->type[k], s->count[k]);
}

static unsigned hss_messages(const struct bsim_model *m,
			     const struct bsim__hop *h)
{
	const struct bsim__msgs *s = &m->msgs[h->proc][h->family][BSIM__N_HSS];
	unsigned n = 0;

	for (unsigned k = 0; k < s->n; k++)
		if (sent(h, s->type[k]))
			n += s->count[k];
	return n;
}

/* Storm seconds: the node's backlog after an arrival at t, W, is the
 * wait of a transaction arriving at t; while every server stays busy it
 * drains at 1 s per s, so it stays above STORM_BACKLOG_S until
 * t + W - STORM_BACKLOG_S at least. Mark the whole seconds of
 * [t, t + W - STORM_BACKLOG_S]. Arrivals come in time order, so seconds
 * before storm_next_s are done: each second is marked once. */
static void storm_note(struct bsim_model *m, uint16_t node, uint64_t t)
{
	uint64_t w = bsim__node_backlog_ns(&m->nodes[node], t),
		 lim = S_TO_NS(STORM_BACKLOG_S), last = m->end_ns / 1000000000u,
		 s, e;

	if (w <= lim)
		return;
	s = t / 1000000000u;
	e = (t + w - lim) / 1000000000u;
	if (e > last)
		e = last;
	if (s < m->storm_next_s)
		s = m->storm_next_s;
	for (; s <= e; s++)
		m->storm_bits[s / 8] |= (uint8_t)(1u << (s % 8));
	if (e + 1 > m->storm_next_s)
		m->storm_next_s = e + 1;
}

/* A transaction arrives at a node now: true and its departure time, or
 * false when the node is at its queue limit. */
static bool arrive_below(struct bsim_model *m, uint16_t node, uint64_t t,
			 uint32_t limit, uint64_t *dep)
{
	size_t b = bin_of(m, t);
	uint32_t *s = &m->series[(b * m->nnodes + node) * BSIM_SERIES_COUNT];
	bool ok =
		bsim__node_arrive_below(&m->nodes[node], m->rng, t, limit, dep);
	uint32_t q = m->nodes[node].count;

	storm_note(m, node, t);
	s[BSIM_SERIES_OFFERED]++;
	if (ok)
		s[BSIM_SERIES_SERVED]++;
	else
		s[BSIM_SERIES_REJECTED]++;
	if (q > s[BSIM_SERIES_QUEUE])
		s[BSIM_SERIES_QUEUE] = q;
	return ok;
}

static bool arrive(struct bsim_model *m, uint16_t node, uint64_t t,
		   uint64_t *dep)
{
	return arrive_below(m, node, t, m->nodes[node].queue_limit, dep);
}

static double radio_rtt(const struct bsim_model *m, uint32_t i)
{
	return m->cp[m->dev[i].cls].radio_rtt_s;
}

/* The answer reaches the device after the remaining NAS round trips. */
static void answer(struct bsim_model *m, uint32_t i, const struct bsim__hop *h,
		   uint64_t t, unsigned cause, uint16_t node)
{
	unsigned nas = m->msgs[h->proc][h->family][BSIM__N_MME].nas;
	struct bsim__answer a = { .seq = h->seq,
				  .proc = h->proc,
				  .cause = (uint8_t)cause,
				  .visited = h->visited,
				  .node = node,
				  .steered = (h->flags & HOP_STEERED) != 0 };
	double rounds;

	if (!(h->flags & HOP_REPLY)) {
		/* Nobody waits: the procedure is complete here. */
		if (cause == CAUSE_NONE)
			bsim__proc_done(m, i, h->proc);
		return;
	}
	rounds = nas > 1 ? nas / 2.0 - 0.5 : 0.5;
	if (h->flags & HOP_AUTHED) /* Spent between the AIA and the ULR. */
		rounds =
			rounds - AUTH_ROUNDS > 0.5 ? rounds - AUTH_ROUNDS : 0.5;
	bsim_engine_post_at(m->eng, t + S_TO_NS(rounds * radio_rtt(m, i)),
			    m->h_answer, i, &a);
}

static void next(struct bsim_model *m, uint32_t i, struct bsim__hop h,
		 uint8_t step, uint64_t t)
{
	h.step = step;
	bsim_engine_post_at(m->eng, t, m->h_hop, i, &h);
}

/* One-way core latency between visited MME and HSS node, s. */
static double core_s(const struct bsim_model *m, const struct bsim__hop *h)
{
	double s = m->lat_core_s[(size_t)h->visited * m->nnodes + h->hss_node];

	return (h->flags & HOP_IPX) ? s + IPX_DETOUR_S : s;
}

/* The visited MME's Diameter timer (diameter_tx_s): the transaction in
 * flight goes on to a node or back to the MME at t. If t is past the
 * deadline, the MME has given up meanwhile: it rejects the attempt at the
 * deadline (#17) and will drop the late answer. t = UINT64_MAX: no answer
 * will ever come (a node down, or the hub dropped it). Every hop event of
 * a chain the MME still waits for comes at or before its deadline, so the
 * reject is never in the past. */
static void tx_timer(struct bsim_model *m, uint32_t i, struct bsim__hop *h,
		     uint64_t t)
{
	if (!(h->flags & HOP_REPLY) || (h->flags & HOP_GAVEUP) ||
	    t <= h->deadline_ns)
		return;
	h->flags |= HOP_GAVEUP;
	answer(m, i, h, h->deadline_ns, CAUSE_DIAMETER, h->hss_node);
}

/* An HSS transaction leaves the MME at t, through the hub or straight to
 * the HSS; the MME's Diameter timer starts. */
static void to_hss(struct bsim_model *m, uint32_t i, struct bsim__hop h,
		   uint64_t t, double lat)
{
	uint64_t at = t + S_TO_NS((h.flags & HOP_IPX) ? lat / 2 : lat);

	h.deadline_ns = t + S_TO_NS(m->w->operators[h.visited].diameter_tx_s);
	tx_timer(m, i, &h, at);
	next(m, i, h, (h.flags & HOP_IPX) ? 1 : 2, at);
}

/* The HSS's answer reaches the visited MME at t. After an accepted AIR the
 * MME authenticates the device (AUTH_ROUNDS radio round trips) and then
 * sends the ULR, a second transaction; any other answer goes on to the
 * device. */
static void at_mme(struct bsim_model *m, uint32_t i, struct bsim__hop h,
		   uint64_t t, double lat)
{
	tx_timer(m, i, &h, t);
	if (h.flags & HOP_GAVEUP)
		return; /* Too late: the attempt was rejected. */
	if ((h.flags & HOP_AIR) && h.cause == CAUSE_NONE) {
		h.flags = (uint16_t)((h.flags & ~HOP_AIR) | HOP_AUTHED);
		to_hss(m, i, h, t + S_TO_NS(AUTH_ROUNDS * radio_rtt(m, i)),
		       lat);
		return;
	}
	answer(m, i, &h, t, h.cause,
	       h.cause == CAUSE_22 ? h.hss_node : h.visited);
}

void bsim__proc_start(struct bsim_model *m, uint32_t i, enum bsim__proc proc,
		      uint16_t visited, unsigned flags)
{
	struct bsim__device *d = &m->dev[i];
	const struct bsim_terms *t = bsim_world_terms(m->w, d->home, visited);
	uint64_t now = bsim_engine_now(m->eng);
	struct bsim__hop h = { .proc = (uint8_t)proc,
			       .family = m->cp[d->cls].family,
			       .visited = visited,
			       .old = BSIM__NO_OP,
			       .hss_node = m->op_hss_node[d->home] };
	bool reset = bsim__reset_due(m, d);

	d->last_contact_ns = now;

	switch (proc) {
	case BSIM__P_ATTACH:
		if (d->ctx_op != visited)
			flags |= HOP_AIR | HOP_HSS;
		if (d->hss_loc != visited || reset)
			flags |= HOP_HSS;
		flags |= HOP_REPLY;
		break;
	case BSIM__P_TAU_INTER:
	case BSIM__P_HO_INTER:
		flags |= HOP_HSS | HOP_REPLY;
		h.old = d->serving;
		break;
	case BSIM__P_TAU_LOCAL:
		if (reset || d->hss_loc != visited)
			flags |= HOP_HSS | HOP_REPLY;
		break;
	case BSIM__P_DETACH:
	case BSIM__P_PROFILE_SWITCH:
		flags |= HOP_HSS;
		break;
	case BSIM__P_SERVICE:
	case BSIM__P_HO_INTRA:
	case BSIM__P_PAGE:
	case BSIM__P_COUNT:
		break;
	}
	/* A device attached for SMS (SMS over SGs on EPS, the VLR on 2G)
	 * registers its VLR too on every attach and on every update that
	 * changes the VLR, i.e. the network. */
	if (m->w->classes[d->cls].sms &&
	    (proc == BSIM__P_ATTACH || proc == BSIM__P_TAU_INTER ||
	     proc == BSIM__P_HO_INTER))
		flags |= HOP_VLR | HOP_HSS;
	if ((flags & HOP_HSS) && visited != d->home && t->path == BSIM_PATH_IPX)
		flags |= HOP_IPX;
	if ((proc == BSIM__P_ATTACH || proc == BSIM__P_TAU_INTER) &&
	    visited != d->home && visited != d->hss_loc)
		flags |= HOP_STEER;
	h.flags = (uint16_t)flags;
	if (flags & HOP_REPLY) {
		d->seq++;
		h.seq = d->seq;
		d->flags |= DEV_BUSY;
		d->proc = (uint8_t)proc;
		d->target = visited;
		/* Posted, not cancelled: an answered attempt's guard finds
		 * another seq, or the device no longer busy. */
		bsim_engine_post_at(m->eng, now + m->cp[d->cls].t3410_ns,
				    m->h_guard, i, &h.seq);
	}
	if (proc == BSIM__P_PROFILE_SWITCH) {
		next(m, i, h, 2, now);
		return;
	}
	next(m, i, h, 0, now + S_TO_NS(radio_rtt(m, i) / 2));
}

/* The steering decision of the home network: reject a non-preferred
 * visited network (with the home's sor_reject_cause) unless the device
 * has been rejected sor_max_attempts times within SOR_WINDOW_S. Preferred:
 * no network of the same country ranks better in the home's list. */
static bool steer_reject(struct bsim_model *m, uint32_t i, uint16_t v,
			 uint64_t now)
{
	struct bsim__device *d = &m->dev[i];
	const struct bsim_world *w = m->w;
	unsigned max = w->operators[d->home].sor_max_attempts;

	if (max == 0 || !m->steer_better[(size_t)d->home * w->noperators + v])
		return false;
	if (now - d->sor_window_ns > S_TO_NS(SOR_WINDOW_S)) {
		d->sor_window_ns = now;
		d->sor_count = 0;
	}
	if (d->sor_count >= max)
		return false;
	d->sor_count++;
	return true;
}

/* A procedure step at the serving MME: the old MME's context transfer,
 * admission (with the reserve for prioritised roamers), the agreement's
 * refusals (#11, #15), then the HSS or the answer. */
static void mme_step(struct bsim_model *m, uint32_t i, struct bsim__hop h,
		     uint64_t now, double lat)
{
	const struct bsim__device *d = &m->dev[i];
	const struct bsim_terms *t = bsim_world_terms(m->w, d->home, h.visited);
	bool roamer = d->home != h.visited;
	uint16_t node = h.visited;
	uint32_t lim = m->nodes[node].queue_limit;
	uint64_t dep;

	count_step(m, node, now, &h, BSIM__N_MME);
	if ((h.flags & HOP_VLR) && h.family == BSIM__R_EPS)
		/* SGsAP location update request and accept. */
		count(m, node, now, BSIM__M_SGSAP, 2);
	if (h.old != BSIM__NO_OP && h.old != h.visited) {
		/* The context transfer (S10) at the old MME; its
		 * cancel-location comes from the HSS later. */
		const struct bsim__msgs *s =
			&m->msgs[h.proc][h.family][BSIM__N_OLD];

		for (unsigned k = 0; k < s->n; k++)
			if (s->type[k] != BSIM__M_S6A_CLR &&
			    s->type[k] != BSIM__M_MAP_CL)
				count(m, h.old, now, s->type[k], s->count[k]);
		(void)arrive(m, h.old, now, &dep);
	}
	if (m->pair_fault[(size_t)d->home * m->w->noperators + h.visited])
		return; /* Misconfigured: no answer. */
	/* Under overload the MME keeps PRIORITY_RESERVE of its queue for
	 * its own subscribers and roamers whose home has admission
	 * priority there. */
	if (roamer && !t->admission_priority)
		lim -= (uint32_t)(lim * PRIORITY_RESERVE);
	if (!arrive_below(m, node, now, lim, &dep)) {
		count(m, node, now, BSIM__M_REJECT, 1);
		answer(m, i, &h, now, CAUSE_22, node);
		return;
	}
	if (t->relation == BSIM_REL_NONE ||
	    (roamer && !(t->radios & m->w->classes[d->cls].radio))) {
		/* No agreement (#11), or the agreement does not grant this
		 * radio: no suitable cells in the tracking area (#15). */
		count(m, node, dep, BSIM__M_REJECT, 1);
		answer(m, i, &h, dep,
		       t->relation == BSIM_REL_NONE ? CAUSE_11 : CAUSE_15,
		       node);
		return;
	}
	if (!(h.flags & HOP_HSS))
		answer(m, i, &h, dep, CAUSE_NONE, node);
	else
		to_hss(m, i, h, dep, lat);
}

void bsim__on_hop(struct bsim_engine *e, void *ctx, uint32_t i,
		  const void *payload)
{
	struct bsim_model *m = ctx;
	struct bsim__hop h;
	struct bsim__device *d = &m->dev[i];
	uint64_t now = bsim_engine_now(e), dep;
	uint16_t node;
	double lat;

	memcpy(&h, payload, sizeof(h));
	lat = core_s(m, &h);
	switch (h.step) {
	case 0: /* The serving MME. */
		mme_step(m, i, h, now, lat);
		return;
	case 1: /* The IPX hub, outbound. */
	case 3: /* ... and back. */
		node = m->ipx_node;
		if (m->node_down[node]) {
			tx_timer(m, i, &h, UINT64_MAX);
			return;
		}
		if (h.step == 1)
			count(m, node, now, BSIM__M_DEA_RELAY,
			      hss_messages(m, &h));
		if (!arrive(m, node, now, &dep)) {
			/* Dropped by the hub: the MME's timer runs out. */
			tx_timer(m, i, &h, UINT64_MAX);
			return;
		}
		if (h.step == 1) {
			tx_timer(m, i, &h, dep + S_TO_NS(lat / 2));
			next(m, i, h, 2, dep + S_TO_NS(lat / 2));
		} else
			at_mme(m, i, h, dep + S_TO_NS(lat / 2), lat);
		return;
	case 2: /* The home HSS (or platform pool). */
		node = h.hss_node;
		count_step(m, node, now, &h, BSIM__N_HSS);
		if ((h.flags & HOP_VLR) && !(h.flags & HOP_AIR))
			/* The VLR's MAP UpdateLocation to the HLR. */
			count(m, node, now, BSIM__M_MAP_UL, 2);
		if (m->node_down[node]) {
			/* No answer: the MME's timer runs out. */
			tx_timer(m, i, &h, UINT64_MAX);
			return;
		}
		m->op_hss_tx[d->home]++;
		dep = now;
		if (!arrive(m, node, now, &dep)) {
			count(m, node, now, BSIM__M_REJECT, 1);
			h.cause = CAUSE_22; /* Too busy: the MME sends #22. */
		} else if (h.flags & HOP_AIR) {
			h.cause = CAUSE_NONE; /* Vectors: the ULR decides. */
		} else if ((h.flags & HOP_STEER) &&
			   steer_reject(m, i, h.visited, now)) {
			/* Counted at the decision, whether or not the answer
			 * reaches the device in time. */
			m->row[i].steering_rejects++;
			h.flags |= HOP_STEERED;
			h.cause = m->w->operators[d->home].sor_reject_cause;
		} else {
			h.cause = CAUSE_NONE;
			if (h.proc != BSIM__P_DETACH &&
			    h.proc != BSIM__P_PROFILE_SWITCH) {
				uint16_t old = d->hss_loc;

				d->hss_loc = h.visited;
				d->reset_epoch = m->op_reset_epoch[d->home];
				if (old != BSIM__NO_OP && old != h.visited) {
					/* Cancel-location to the old MME. */
					const struct bsim__msgs *s =
						&m->msgs[h.proc][h.family]
							[BSIM__N_OLD];
					for (unsigned k = 0; k < s->n; k++)
						if (s->type[k] ==
							    BSIM__M_S6A_CLR ||
						    s->type[k] ==
							    BSIM__M_MAP_CL)
							count(m, old, now,
							      s->type[k],
							      s->count[k]);
					uint64_t old_dep;

					(void)arrive(m, old, now, &old_dep);
					if (d->ctx_op == old)
						d->ctx_op = BSIM__NO_OP;
				}
			} else if (h.proc == BSIM__P_DETACH) {
				d->hss_loc = BSIM__NO_OP;
			}
		}
		if (!(h.flags & HOP_REPLY)) {
			if (h.cause == CAUSE_NONE)
				bsim__proc_done(m, i, h.proc);
			return;
		}
		if (h.flags & HOP_IPX) {
			tx_timer(m, i, &h, dep + S_TO_NS(lat / 2));
			next(m, i, h, 3, dep + S_TO_NS(lat / 2));
		} else {
			at_mme(m, i, h, dep + S_TO_NS(lat), lat);
		}
		return;
	default:
		assert(!"unknown hop step");
	}
}
