/* SPDX-License-Identifier: MIT */
/*
 * Mobile-terminated messages (commands, configuration, firmware checks)
 * and paging. Messages arrive for each device as a Poisson process of the
 * class's rate mt_per_day. A class's arrivals are drawn as one process of
 * count times that rate, each message for a device drawn uniformly from
 * the class: the same distribution as one process per device (Poisson
 * superposition), from one stream per class, so that the queue holds one
 * arrival event per class instead of one per device. Messages wait at
 * the network until the device can take them:
 *
 *   - connected (a report, update or registration in progress): at once;
 *   - idle and awake: at its next paging occasion, every eDRX cycle where
 *     eDRX is in use and honoured (the home network, or a visited one
 *     whose agreement honours PSM/eDRX), else every DRX_S; the MME pages
 *     and the device answers with a service request;
 *   - asleep in PSM, detached, or without service: at its next contact
 *     (report, periodic update, registration), where the network delivers
 *     what it buffered without paging.
 *
 * A message older than the class's mt_expiry_s when it could be delivered
 * is lost. Latency runs from arrival to delivery plus the one-way user
 * plane (half the round trip of bsim__user_rtt_ms()).
 */
#include "model-internal.h"

#include <blocsim/error.h>

#include <math.h>
#include <stdlib.h>

int bsim__mt_create(struct bsim_model *m)
{
	const struct bsim_world *w = m->w;

	m->mt_free = MT_NIL;
	m->mt_k = calloc(w->nclasses + 1, sizeof(*m->mt_k));
	m->mt_hist_cls =
		calloc((w->nclasses + 1) * FINE_BINS, sizeof(uint32_t));
	m->mt_hist_op =
		calloc((w->noperators + 1) * FINE_BINS, sizeof(uint32_t));
	return m->mt_k && m->mt_hist_cls && m->mt_hist_op ? 0 : BSIM_ENOMEM;
}

void bsim__mt_free(struct bsim_model *m)
{
	free(m->mt);
	free(m->mt_k);
	free(m->mt_hist_cls);
	free(m->mt_hist_op);
}

/* The MT stream of class c: entity (WORLD, c), two draws per arrival
 * (its gap, its device). */
static uint64_t class_entity(size_t c)
{
	return bsim_entity(BSIM_ENTITY_WORLD, c);
}

/* Schedule the next arrival of class c after now (none past the end). */
static void schedule_arrival(struct bsim_model *m, uint32_t c, uint64_t now)
{
	double rate = m->cp[c].mt_rate_per_s *
		      (double)(m->cls_first[c + 1] - m->cls_first[c]);
	double u = bsim_rng_uniform_at(m->rng, class_entity(c), BSIM_RNG_MT,
				       2 * m->mt_k[c]);
	double dt = -log1p(-u) / rate;

	if (dt >= (double)(m->end_ns - now) / NS_PER_S)
		return; /* After the end of the run. */
	bsim_engine_post_at(m->eng, now + S_TO_NS(dt), m->h_mt, c, NULL);
}

void bsim__mt_start(struct bsim_model *m)
{
	for (size_t c = 0; c < m->w->nclasses; c++)
		if (m->cls_first[c + 1] > m->cls_first[c] &&
		    m->cp[c].mt_rate_per_s > 0)
			schedule_arrival(m, (uint32_t)c, 0);
}

static uint32_t node_alloc(struct bsim_model *m)
{
	uint32_t k = m->mt_free;

	if (k != MT_NIL) {
		m->mt_free = m->mt[k].next;
		return k;
	}
	if (m->nmt_used == MT_NIL)
		bsim_fatal(BSIM_LOC, "more than 2^32 waiting messages");
	bsim__grow((void **)&m->mt, &m->capmt, m->nmt_used, sizeof(*m->mt),
		   4096);
	return (uint32_t)m->nmt_used++;
}

static void node_release(struct bsim_model *m, uint32_t k)
{
	m->mt[k].next = m->mt_free;
	m->mt_free = k;
}

/* Drop (as expired) the waiting messages of device i already past their
 * expiry, so that a device out of reach for long holds only the live
 * ones. */
static void prune(struct bsim_model *m, uint32_t i, uint64_t now)
{
	struct bsim__device *d = &m->dev[i];
	uint64_t expiry = m->cp[d->cls].mt_expiry_ns;
	uint32_t *link = &d->mt_head;

	while (*link != MT_NIL) {
		uint32_t k = *link;

		if (now - m->mt[k].arrival_ns > expiry) {
			*link = m->mt[k].next;
			node_release(m, k);
			m->row[i].mt_expired++;
		} else {
			link = &m->mt[k].next;
		}
	}
}

/* Deliver every waiting message of device i now (those past their
 * expiry are lost instead). */
static void deliver(struct bsim_model *m, uint32_t i, uint64_t now)
{
	struct bsim__device *d = &m->dev[i];
	struct bsim__row *r = &m->row[i];
	const struct bsim_class *cl = &m->w->classes[d->cls];
	uint64_t oneway = S_TO_NS(bsim__user_rtt_ms(m, i) / 2000.0);
	uint32_t n = 0;

	prune(m, i, now);
	for (uint32_t k = d->mt_head, next; k != MT_NIL; k = next) {
		uint64_t lat = now - m->mt[k].arrival_ns + oneway;
		double s = (double)lat / NS_PER_S;
		unsigned f = bsim__fine_bin(s);

		next = m->mt[k].next;
		node_release(m, k);
		r->mt_delivered++;
		r->mt_latency_ns += lat;
		m->mt_hist_cls[(size_t)d->cls * FINE_BINS + f]++;
		m->mt_hist_op[(size_t)d->home * FINE_BINS + f]++;
		m->mt_coarse[bsim__latency_bin(s)]++;
		n++;
	}
	d->mt_head = MT_NIL;
	if (!n)
		return;
	if (cl->sms)
		for (uint32_t k = 0; k < n; k++)
			bsim__sms_record(m, i, now);
	else
		bsim__session_traffic(m, i, now, 0, n);
}

/* Messages wait for device i and the network could hand them over now:
 * registered, attached, not in a procedure, user plane up. (Whether it
 * is awake decides between paging and waiting for its contact.) */
static bool deliverable(const struct bsim_model *m, uint32_t i)
{
	const struct bsim__device *d = &m->dev[i];

	return d->mt_head != MT_NIL && d->serving != BSIM__NO_OP &&
	       !(d->flags & (DEV_DETACHED | DEV_BUSY)) &&
	       !bsim__data_broken(m, i);
}

/* Can the network reach device i now without waiting for its contact?
 * Then deliver at once (connected) or at the next paging occasion. */
void bsim__mt_reach(struct bsim_model *m, uint32_t i, uint64_t now)
{
	struct bsim__device *d = &m->dev[i];

	if (!deliverable(m, i))
		return; /* Waits for a contact (a busy device ends in one). */
	if (now < d->conn_until_ns) {
		deliver(m, i, now);
		return;
	}
	if (bsim__awake(m, d, now))
		bsim__po_ensure(m, i, now);
}

void bsim__on_mt(struct bsim_engine *e, void *ctx, uint32_t c,
		 const void *payload)
{
	struct bsim_model *m = ctx;
	uint64_t now = bsim_engine_now(e);
	uint32_t first = m->cls_first[c], n = m->cls_first[c + 1] - first;
	double u = bsim_rng_uniform_at(m->rng, class_entity(c), BSIM_RNG_MT,
				       2 * m->mt_k[c] + 1);
	uint32_t pick = (uint32_t)(u * (double)n);
	uint32_t i = first + (pick < n ? pick : n - 1);
	struct bsim__device *d = &m->dev[i];
	uint32_t msg;

	(void)payload;
	m->mt_k[c]++;
	schedule_arrival(m, c, now);
	prune(m, i, now);
	msg = node_alloc(m);
	m->mt[msg].arrival_ns = now;
	m->mt[msg].next = d->mt_head;
	d->mt_head = msg;
	bsim__mt_reach(m, i, now);
}

void bsim__on_po(struct bsim_engine *e, void *ctx, uint32_t i,
		 const void *payload)
{
	struct bsim_model *m = ctx;
	struct bsim__device *d = &m->dev[i];
	uint64_t now = bsim_engine_now(e);

	(void)payload;
	d->flags &= (uint16_t)~DEV_PO;
	if (!bsim__awake(m, d, now))
		return; /* Fell asleep (PSM) meanwhile: its next contact. */
	if ((d->flags & DEV_UNSEEN) && !(d->flags & DEV_BUSY))
		bsim__handle_mobility(m, i, now); /* Reselection (eDRX). */
	if (!deliverable(m, i))
		return;
	/* Paged: the device answers with a service request. */
	bsim__proc_start(m, i, BSIM__P_PAGE, d->serving, 0);
	bsim__proc_start(m, i, BSIM__P_SERVICE, d->serving, 0);
	d->conn_until_ns = now + S_TO_NS(CONNECTED_S);
	deliver(m, i, now);
}

void bsim__mt_contact(struct bsim_model *m, uint32_t i, uint64_t now)
{
	const struct bsim__device *d = &m->dev[i];

	if (d->mt_head != MT_NIL && d->serving != BSIM__NO_OP &&
	    !bsim__data_broken(m, i))
		deliver(m, i, now);
}

void bsim__mt_finish(struct bsim_model *m)
{
	for (uint32_t i = 0; i < m->ndev; i++) {
		struct bsim__device *d = &m->dev[i];
		uint64_t expiry = m->cp[d->cls].mt_expiry_ns;

		for (uint32_t k = d->mt_head; k != MT_NIL; k = m->mt[k].next)
			if (m->end_ns - m->mt[k].arrival_ns > expiry)
				m->row[i].mt_expired++;
	}
}
