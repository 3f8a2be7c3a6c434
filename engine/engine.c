/* SPDX-License-Identifier: MIT */
/*
 * The native backend of the engine interface: an event pool, one of the
 * pending-event structures of queue.h, and the run loop.
 *
 * Pool. Every pending event owns one 48-byte slot holding its sequence
 * number, generation, target, handler and payload. Slots are recycled LIFO
 * through a free list, so the slot an event frees is the one the next
 * schedule takes: in steady state the hot slot is in cache. The pool
 * doubles when full (amortised, never per event) and never moves a handle:
 * a handle is (generation << 32 | slot), and the generation is bumped every
 * time a slot is freed, so a stale handle is recognised in O(1).
 *
 * Cancellation frees the slot at once. The queue keeps a stale entry until
 * it pops it (its sequence no longer matches the slot's) or until stale
 * entries reach the number of live ones, when the queue is filtered in O(n);
 * amortised, each cancel costs O(1) and memory follows the live set.
 *
 * Not here: anything about devices, files or time units other than ns.
 */
#include "queue.h"

#include <blocsim/engine.h>
#include <blocsim/error.h>

#include <stdlib.h>
#include <string.h>

#define SEQ_FREE UINT64_MAX
#define SLOT_NIL UINT32_MAX
/* Stale queue entries tolerated before a purge, at least. */
#define STALE_MIN 4096

struct ev_rec {
	uint64_t seq;	  /* Sequence of the pending event, or SEQ_FREE. */
	uint32_t gen;	  /* Generation, >= 1; bumped when freed. */
	uint32_t target;  /* Target entity; next free slot while free. */
	uint16_t handler; /* Index into the handler table. */
	uint8_t pad[6];
	unsigned char payload[BSIM_PAYLOAD_MAX];
};

struct handler {
	bsim_handler_fn fn;
	void *ctx;
	size_t size; /* Payload bytes, 0..BSIM_PAYLOAD_MAX. */
};

struct bsim_engine {
	enum bsim_queue_kind kind;
	union {
		struct bsim__heap heap;
		struct bsim__ladder ladder;
	} q;
	struct ev_rec *pool;
	uint32_t pool_cap;  /* Slots allocated. */
	uint32_t free_head; /* First free slot, or SLOT_NIL. */
	uint64_t in_use;    /* Slots holding pending events. */
	uint64_t stale;	    /* Queue entries of cancelled events. */
	bsim_time_ns now;
	uint64_t seq; /* Next sequence number. */
	uint64_t executed, scheduled, cancelled;
	bool stop;
	unsigned nhandlers;
	struct handler handlers[BSIM_HANDLERS_MAX];
};

static const char *const queue_names[] = {
	[BSIM_QUEUE_LADDER] = "ladder",
	[BSIM_QUEUE_HEAP] = "heap",
};

int bsim_queue_from_name(const char *name, enum bsim_queue_kind *out)
{
	if (!strcmp(name, "ladder") || !strcmp(name, "calendar")) {
		*out = BSIM_QUEUE_LADDER;
		return 0;
	}
	if (!strcmp(name, "heap")) {
		*out = BSIM_QUEUE_HEAP;
		return 0;
	}
	return BSIM_EINVAL;
}

const char *bsim_queue_name(enum bsim_queue_kind kind)
{
	return kind == BSIM_QUEUE_HEAP ? queue_names[BSIM_QUEUE_HEAP]
				       : queue_names[BSIM_QUEUE_LADDER];
}

static int pool_grow(struct bsim_engine *e, uint64_t want)
{
	uint64_t cap = e->pool_cap ? e->pool_cap : 64;
	struct ev_rec *pool;

	while (cap < want)
		cap *= 2;
	if (cap >= SLOT_NIL)
		return BSIM_ENOMEM;
	pool = realloc(e->pool, cap * sizeof(*pool));
	if (!pool)
		return BSIM_ENOMEM;
	for (uint64_t i = cap; i-- > e->pool_cap;) {
		pool[i].seq = SEQ_FREE;
		pool[i].gen = 1;
		pool[i].target = e->free_head;
		e->free_head = (uint32_t)i;
	}
	e->pool = pool;
	e->pool_cap = (uint32_t)cap;
	if (e->kind == BSIM_QUEUE_LADDER)
		bsim__ladder_set_prefetch(&e->q.ladder, pool, sizeof(*pool));
	return 0;
}

int bsim_engine_create(const struct bsim_engine_config *cfg,
		       struct bsim_engine **out)
{
	struct bsim_engine_config def = { 0 };
	struct bsim_engine *e;
	int err;

	if (!cfg)
		cfg = &def;
	if (cfg->queue != BSIM_QUEUE_LADDER && cfg->queue != BSIM_QUEUE_HEAP)
		return BSIM_EINVAL;
	e = calloc(1, sizeof(*e));
	if (!e)
		return BSIM_ENOMEM;
	e->kind = cfg->queue;
	e->free_head = SLOT_NIL;
	err = e->kind == BSIM_QUEUE_HEAP
		      ? bsim__heap_init(&e->q.heap, cfg->capacity_hint)
		      : bsim__ladder_init(&e->q.ladder, cfg->capacity_hint);
	if (err)
		goto err_queue;
	err = pool_grow(e, cfg->capacity_hint < 64 ? 64 : cfg->capacity_hint);
	if (err)
		goto err_pool;
	*out = e;
	return 0;

err_pool:
	if (e->kind == BSIM_QUEUE_HEAP)
		bsim__heap_finish(&e->q.heap);
	else
		bsim__ladder_finish(&e->q.ladder);
err_queue:
	free(e);
	return err;
}

void bsim_engine_destroy(struct bsim_engine *e)
{
	if (!e)
		return;
	if (e->kind == BSIM_QUEUE_HEAP)
		bsim__heap_finish(&e->q.heap);
	else
		bsim__ladder_finish(&e->q.ladder);
	free(e->pool);
	free(e);
}

int bsim_engine_register(struct bsim_engine *e, bsim_handler_fn fn, void *ctx,
			 size_t payload_size)
{
	if (!fn || payload_size > BSIM_PAYLOAD_MAX ||
	    e->nhandlers == BSIM_HANDLERS_MAX)
		return BSIM_EINVAL;
	e->handlers[e->nhandlers] = (struct handler){ fn, ctx, payload_size };
	return (int)e->nhandlers++;
}

static inline void queue_push(struct bsim_engine *e, uint64_t t, uint64_t seq,
			      uint32_t slot)
{
	if (e->kind == BSIM_QUEUE_LADDER)
		bsim__ladder_push(&e->q.ladder, t, seq, slot);
	else
		bsim__heap_push(&e->q.heap, t, seq, slot);
}

static inline const struct bsim__qent *queue_peek(struct bsim_engine *e)
{
	return e->kind == BSIM_QUEUE_LADDER ? bsim__ladder_peek(&e->q.ladder)
					    : bsim__heap_peek(&e->q.heap);
}

static inline void queue_pop(struct bsim_engine *e)
{
	if (e->kind == BSIM_QUEUE_LADDER)
		bsim__ladder_pop(&e->q.ladder);
	else
		bsim__heap_pop(&e->q.heap);
}

bsim_event bsim_engine_schedule_at(struct bsim_engine *e, bsim_time_ns t_ns,
				   unsigned handler, uint32_t target,
				   const void *payload)
{
	const struct handler *h;
	struct ev_rec *r;
	uint32_t slot;

	if (handler >= e->nhandlers)
		bsim_fatal(BSIM_LOC,
			   "schedule: unknown handler %u (%u "
			   "registered)",
			   handler, e->nhandlers);
	if (t_ns < e->now)
		bsim_fatal(BSIM_LOC,
			   "schedule: time %llu ns is before now "
			   "(%llu ns), handler %u, target %u",
			   (unsigned long long)t_ns, (unsigned long long)e->now,
			   handler, target);
	if (t_ns == BSIM_TIME_MAX)
		bsim_fatal(BSIM_LOC, "schedule: time %llu ns is reserved",
			   (unsigned long long)t_ns);
	h = &e->handlers[handler];
	if (!payload && h->size)
		bsim_fatal(BSIM_LOC,
			   "schedule: handler %u needs %zu payload "
			   "bytes, got NULL",
			   handler, h->size);
	if (e->free_head == SLOT_NIL && pool_grow(e, (uint64_t)e->pool_cap + 1))
		bsim_fatal(BSIM_LOC,
			   "out of memory growing the event pool "
			   "past %u slots",
			   e->pool_cap);
	slot = e->free_head;
	r = &e->pool[slot];
	e->free_head = r->target;
	r->seq = e->seq++;
	r->target = target;
	r->handler = (uint16_t)handler;
	if (h->size)
		memcpy(r->payload, payload, h->size);
	e->in_use++;
	e->scheduled++;
	queue_push(e, t_ns, r->seq, slot);
	return ((uint64_t)r->gen << 32) | slot;
}

bsim_event bsim_engine_schedule_in(struct bsim_engine *e, bsim_time_ns delay_ns,
				   unsigned handler, uint32_t target,
				   const void *payload)
{
	if (delay_ns >= BSIM_TIME_MAX - e->now)
		bsim_fatal(BSIM_LOC, "schedule: delay %llu ns overflows time",
			   (unsigned long long)delay_ns);
	return bsim_engine_schedule_at(e, e->now + delay_ns, handler, target,
				       payload);
}

static inline void slot_free(struct bsim_engine *e, uint32_t slot)
{
	struct ev_rec *r = &e->pool[slot];

	r->seq = SEQ_FREE;
	if (++r->gen == 0)
		r->gen = 1;
	r->target = e->free_head;
	e->free_head = slot;
	e->in_use--;
}

static bool entry_live(const struct bsim__qent *q, void *ctx)
{
	const struct bsim_engine *e = ctx;

	return e->pool[q->slot].seq == q->seq;
}

bool bsim_engine_is_pending(const struct bsim_engine *e, bsim_event ev)
{
	uint32_t slot = (uint32_t)ev, gen = (uint32_t)(ev >> 32);

	return gen != 0 && slot < e->pool_cap && e->pool[slot].gen == gen &&
	       e->pool[slot].seq != SEQ_FREE;
}

bool bsim_engine_cancel(struct bsim_engine *e, bsim_event ev)
{
	if (!bsim_engine_is_pending(e, ev))
		return false;
	slot_free(e, (uint32_t)ev);
	e->cancelled++;
	if (++e->stale >= STALE_MIN && e->stale >= e->in_use) {
		if (e->kind == BSIM_QUEUE_LADDER)
			bsim__ladder_filter(&e->q.ladder, entry_live, e);
		else
			bsim__heap_filter(&e->q.heap, entry_live, e);
		e->stale = 0;
	}
	return true;
}

bsim_time_ns bsim_engine_now(const struct bsim_engine *e)
{
	return e->now;
}

void bsim_engine_stop(struct bsim_engine *e)
{
	e->stop = true;
}

/* Run events with time <= limit; the hot loop of every simulation. */
static int run_loop(struct bsim_engine *e, bsim_time_ns limit)
{
	unsigned char payload[BSIM_PAYLOAD_MAX];

	e->stop = false;
	for (;;) {
		const struct bsim__qent *q = queue_peek(e);
		const struct handler *h;
		struct ev_rec *r;
		uint32_t slot, target;

		if (!q || q->t > limit)
			return 0;
		slot = q->slot;
		r = &e->pool[slot];
		if (r->seq != q->seq) {
			queue_pop(e);
			e->stale--;
			continue;
		}
		e->now = q->t;
		queue_pop(e);
		h = &e->handlers[r->handler];
		target = r->target;
		memcpy(payload, r->payload, BSIM_PAYLOAD_MAX);
		slot_free(e, slot);
		e->executed++;
		h->fn(e, h->ctx, target, h->size ? payload : NULL);
		if (e->stop) {
			e->stop = false;
			return BSIM_ESTOPPED;
		}
	}
}

int bsim_engine_run_until(struct bsim_engine *e, bsim_time_ns t_ns)
{
	int err = run_loop(e, t_ns);

	if (!err && t_ns > e->now)
		e->now = t_ns;
	return err;
}

int bsim_engine_run(struct bsim_engine *e)
{
	return run_loop(e, BSIM_TIME_MAX);
}

void bsim_engine_get_stats(const struct bsim_engine *e,
			   struct bsim_engine_stats *out)
{
	size_t qbytes = e->kind == BSIM_QUEUE_LADDER
				? bsim__ladder_bytes(&e->q.ladder)
				: bsim__heap_bytes(&e->q.heap);

	out->pending = e->in_use;
	out->executed = e->executed;
	out->scheduled = e->scheduled;
	out->cancelled = e->cancelled;
	out->pool_in_use = e->in_use;
	out->pool_capacity = e->pool_cap;
	out->queue_entries =
		e->kind == BSIM_QUEUE_LADDER ? e->q.ladder.size : e->q.heap.n;
	out->bytes_allocated =
		qbytes + (uint64_t)e->pool_cap * sizeof(*e->pool);
}

const char *bsim_engine_name(const struct bsim_engine *e)
{
	return e->kind == BSIM_QUEUE_HEAP ? "native/heap" : "native/ladder";
}
