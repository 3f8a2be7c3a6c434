/* SPDX-License-Identifier: MIT */
/*
 * The ns-3 backend: the engine interface on ns3::Simulator through the
 * shim of include/blocsim/ns3.h. Every model event is one
 * Simulator::Schedule(); ns-3 is the only queue, not a clock beside ours.
 *
 * Slots. Handler, target and payload of a pending event stay here, in a
 * slot whose number is the event's identity on the ns-3 side; handles are
 * (generation << 32 | slot) as in the native backend. Slot 0 is reserved
 * for run_until's sentinel.
 *
 * Cancellation uses Simulator::Remove(), which takes the event out of
 * ns-3's scheduler at once: Simulator::Cancel() only marks it, so cancelled
 * timers would pile up in the scheduler until their time came (with M2M
 * timers of hours, most of the queue).
 *
 * run_until(t). ns-3 orders equal times by a uid given at scheduling, so a
 * stop event placed at t would cut off events at t scheduled after it. The
 * sentinel therefore re-schedules itself at t, behind them, for as long as
 * events at exactly t keep being scheduled, and stops the run only when
 * none was added since it was placed. Sentinels are counted, so the events
 * ns-3 reports executed can be checked against the model's.
 *
 * ns-3 3.37 breaks ties with a 32-bit uid: past 2^32 scheduled events the
 * order would wrap, so the backend refuses to go on.
 */
#include "engine-internal.h"

#include <blocsim/error.h>
#include <blocsim/ns3.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SENTINEL 0u
#define SLOT_NIL UINT32_MAX

struct ns3_slot {
	uint32_t gen;  /* Generation, >= 1. */
	uint32_t next; /* Next free slot while free. */
	uint32_t target;
	uint16_t handler;
	uint8_t used;
	uint8_t pad;
	unsigned char payload[BSIM_PAYLOAD_MAX];
};

struct bsim__ns3b {
	struct bsim_engine *e;
	struct bsim_ns3 *ns;
	struct ns3_slot *slots;
	uint32_t nslots, free_head;
	uint64_t in_use, scheduled, executed, cancelled;
	uint64_t uids;	     /* Events handed to ns-3, sentinels included. */
	uint64_t sentinels;  /* Sentinel events ns-3 executed. */
	bsim_time_ns limit;  /* run_until's t while it runs. */
	bool limited;	     /* A run_until is in progress. */
	bool added_at_limit; /* An event at exactly `limit` since the
				sentinel was placed. */
	bool sentinel_pending;
	char name[24];
};

static void grow(struct bsim__ns3b *b)
{
	uint32_t cap = b->nslots ? 2 * b->nslots : 1024;
	struct ns3_slot *s = realloc(b->slots, (size_t)cap * sizeof(*s));

	if (!s || cap <= b->nslots)
		bsim_fatal(BSIM_LOC, "out of memory for ns-3 event slots");
	for (uint32_t i = cap; i-- > b->nslots;) {
		s[i] = (struct ns3_slot){ .gen = 1, .next = b->free_head };
		if (i != SENTINEL)
			b->free_head = i;
	}
	b->slots = s;
	b->nslots = cap;
}

/* Return a slot to the free list; its handles go stale. */
static void slot_release(struct bsim__ns3b *b, uint32_t slot)
{
	struct ns3_slot *s = &b->slots[slot];

	s->used = 0;
	if (++s->gen == 0)
		s->gen = 1;
	s->next = b->free_head;
	b->free_head = slot;
	b->in_use--;
}

static void hand_to_ns3(struct bsim__ns3b *b, uint64_t delay, uint32_t slot)
{
	if (++b->uids >= UINT64_C(1) << 32)
		bsim_fatal(BSIM_LOC,
			   "ns-3 3.37 orders events by a 32-bit uid: a run "
			   "past 2^32 events would lose its order; use the "
			   "native engine");
	if (bsim_ns3_schedule(b->ns, delay, slot))
		bsim_fatal(BSIM_LOC, "ns-3 refused to schedule an event");
}

static void place_sentinel(struct bsim__ns3b *b)
{
	hand_to_ns3(b, b->limit - bsim_ns3_now(b->ns), SENTINEL);
	b->sentinel_pending = true;
	b->added_at_limit = false;
}

static void fire(void *user, uint32_t slot)
{
	struct bsim__ns3b *b = user;
	const struct bsim__handler *h;
	struct ns3_slot *s;
	unsigned char payload[BSIM_PAYLOAD_MAX];
	uint32_t target;

	if (slot == SENTINEL) {
		b->sentinels++;
		b->sentinel_pending = false;
		if (b->added_at_limit)
			place_sentinel(b); /* Behind the newer events at t. */
		else
			bsim_ns3_stop(b->ns);
		return;
	}
	s = &b->slots[slot];
	h = bsim__engine_handler(b->e, s->handler);
	target = s->target;
	memcpy(payload, s->payload, BSIM_PAYLOAD_MAX);
	slot_release(b, slot);
	b->executed++;
	bsim__engine_set_now(b->e, bsim_ns3_now(b->ns));
	h->fn(b->e, h->ctx, target, h->size ? payload : NULL);
}

void bsim__ns3b_stop(struct bsim__ns3b *b)
{
	bsim_ns3_stop(b->ns);
}

int bsim__ns3b_check_scheduler(const char *scheduler)
{
	return bsim_ns3_scheduler_check(scheduler ? scheduler : "map");
}

int bsim__ns3b_create(struct bsim_engine *e, const char *scheduler,
		      struct bsim__ns3b **out)
{
	struct bsim__ns3b *b;
	int err;

	if (!scheduler)
		scheduler = "map";
	if (bsim_ns3_scheduler_check(scheduler))
		return BSIM_EINVAL;
	b = calloc(1, sizeof(*b));
	if (!b)
		return BSIM_ENOMEM;
	b->e = e;
	b->free_head = SLOT_NIL;
	err = bsim_ns3_create(scheduler, fire, b, &b->ns);
	if (err) {
		free(b);
		return err;
	}
	grow(b);
	snprintf(b->name, sizeof(b->name), "ns3/%s", scheduler);
	*out = b;
	return 0;
}

void bsim__ns3b_destroy(struct bsim__ns3b *b)
{
	if (!b)
		return;
	bsim_ns3_destroy(b->ns);
	free(b->slots);
	free(b);
}

bsim_event bsim__ns3b_schedule(struct bsim__ns3b *b, bsim_time_ns t,
			       unsigned handler, uint32_t target,
			       const void *payload, size_t size)
{
	struct ns3_slot *s;
	uint32_t slot;

	if (b->free_head == SLOT_NIL)
		grow(b);
	slot = b->free_head;
	s = &b->slots[slot];
	b->free_head = s->next;
	s->used = 1;
	s->target = target;
	s->handler = (uint16_t)handler;
	if (size)
		memcpy(s->payload, payload, size);
	b->in_use++;
	b->scheduled++;
	if (b->limited && t == b->limit)
		b->added_at_limit = true;
	/* The caller checked t >= now; ns-3 takes relative delays. */
	hand_to_ns3(b, t - bsim_ns3_now(b->ns), slot);
	return ((uint64_t)s->gen << 32) | slot;
}

bool bsim__ns3b_is_pending(const struct bsim__ns3b *b, bsim_event ev)
{
	uint32_t slot = (uint32_t)ev, gen = (uint32_t)(ev >> 32);

	return gen != 0 && slot != SENTINEL && slot < b->nslots &&
	       b->slots[slot].used && b->slots[slot].gen == gen;
}

bool bsim__ns3b_cancel(struct bsim__ns3b *b, bsim_event ev)
{
	uint32_t slot = (uint32_t)ev;

	if (!bsim__ns3b_is_pending(b, ev))
		return false;
	if (bsim_ns3_remove(b->ns, slot))
		bsim_fatal(BSIM_LOC, "ns-3 failed to remove an event");
	slot_release(b, slot);
	b->cancelled++;
	return true;
}

int bsim__ns3b_run_until(struct bsim__ns3b *b, bsim_time_ns limit)
{
	bool stopped;

	if (limit != BSIM_TIME_MAX) {
		if (limit < bsim_ns3_now(b->ns))
			return 0;
		b->limit = limit;
		b->limited = true;
		place_sentinel(b);
	}
	if (bsim_ns3_run(b->ns))
		bsim_fatal(BSIM_LOC, "ns-3 failed while running");
	b->limited = false;
	stopped = bsim__engine_take_stop(b->e);
	if (b->sentinel_pending) {
		/* Stopped early by a handler: the sentinel must not stay. */
		bsim_ns3_remove(b->ns, SENTINEL);
		b->sentinel_pending = false;
	}
	if (!stopped && limit != BSIM_TIME_MAX)
		bsim__engine_set_now(b->e, limit);
	return stopped ? BSIM_ESTOPPED : 0;
}

void bsim__ns3b_stats(const struct bsim__ns3b *b, struct bsim_engine_stats *out)
{
	memset(out, 0, sizeof(*out));
	out->pending = b->in_use;
	out->executed = b->executed;
	out->scheduled = b->scheduled;
	out->cancelled = b->cancelled;
	out->pool_in_use = b->in_use;
	out->pool_capacity = b->nslots;
	out->queue_entries = b->in_use;
	out->bytes_allocated = (uint64_t)b->nslots * sizeof(*b->slots);
	out->backend_executed = bsim_ns3_event_count(b->ns) - b->sentinels;
}

const char *bsim__ns3b_name(const struct bsim__ns3b *b)
{
	return b->name;
}
