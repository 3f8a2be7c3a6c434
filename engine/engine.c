/* SPDX-License-Identifier: MIT */
/*
 * The native backend of the engine interface: handle slots, one of the
 * pending-event structures of queue.h, and the run loop.
 *
 * Events live in the queue itself, as 24-byte entries carrying handler
 * and target (payloads sit in a small pool), so the run loop reads only
 * what the queue streams to it. Handles are (generation << 32 | slot) over
 * an array of 8-byte slots: a slot's generation is bumped whenever its
 * event fires or is cancelled, so a handle is pending exactly while its
 * generation is the slot's. Slots are recycled LIFO (the slot an event
 * frees is the one the next schedule takes, still in cache) and the array
 * doubles when full, never per event.
 *
 * Cancellation bumps the generation at once, marks the slot dead and
 * leaves its entry in the queue; a dead slot returns to the free list only
 * when that entry is popped or purged, so an entry needs no generation of
 * its own. A popped entry with a slot reads one bit of `dead`, never the
 * slot array unless the event fires. Stale entries are purged in O(n) when
 * they reach the live ones, so memory follows the live set.
 *
 * Not here: anything about devices, files or time units other than ns.
 */
#include "engine-internal.h"
#include "queue.h"

#include <blocsim/engine.h>
#include <blocsim/error.h>

#include <stdlib.h>
#include <string.h>

#define SLOT_NIL UINT32_MAX
/* Stale queue entries tolerated before a purge, at least. */
#define STALE_MIN 4096

struct slot {
	uint32_t gen;  /* Generation, >= 1; the pending event's while used. */
	uint32_t next; /* Next free slot while free; the pending event's
			  payload index (or BSIM__NO_PAYLOAD) while used. */
};

struct bsim_engine {
	struct bsim__ns3b *ns3; /* The ns-3 backend, or NULL for native. */
	enum bsim_queue_kind kind;
	union {
		struct bsim__heap heap;
		struct bsim__ladder ladder;
	} q;
	struct slot *slots;
	uint64_t *dead;	    /* One bit per slot: cancelled, entry queued. */
	uint32_t nslots;    /* Slots allocated. */
	uint32_t sused;	    /* Slots ever handed out: [sused, nslots) are
				  untouched, so a large capacity hint costs
				  address space, not memory. */
	uint32_t free_head; /* First returned slot, or SLOT_NIL. */
	uint64_t in_use;    /* Pending events (posted ones included). */
	uint64_t posted;    /* Pending events posted without a slot. */
	uint64_t stale;	    /* Queue entries of cancelled events. */
	bsim_time_ns now;
	uint64_t seq; /* Next sequence number. */
	/* Payloads of pending events, recycled LIFO through pay_free (the
	 * first 4 bytes of a free record hold the next free index). */
	unsigned char (*pay)[BSIM_PAYLOAD_MAX];
	uint32_t npay;	   /* Records allocated. */
	uint32_t pay_free; /* First free record, or BSIM__NO_PAYLOAD. */
	uint64_t executed, scheduled, cancelled;
	bool stop;
	unsigned nhandlers;
	struct bsim__handler handlers[BSIM_HANDLERS_MAX];
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
	return kind == BSIM_QUEUE_HEAP ? "heap" : "ladder";
}

static int slots_grow(struct bsim_engine *e, uint64_t want)
{
	uint64_t cap = e->nslots ? e->nslots : 64;
	struct slot *slots;
	uint64_t *bits;

	while (cap < want)
		cap *= 2;
	if (cap >= SLOT_NIL)
		return BSIM_ENOMEM;
	slots = realloc(e->slots, cap * sizeof(*slots));
	if (!slots)
		return BSIM_ENOMEM;
	e->slots = slots;
	bits = realloc(e->dead, cap / 64 * sizeof(*bits));
	if (!bits)
		return BSIM_ENOMEM;
	memset(bits + e->nslots / 64, 0,
	       (cap - e->nslots) / 64 * sizeof(*bits));
	e->dead = bits;
	e->nslots = (uint32_t)cap;
	return 0;
}

int bsim_engine_check_config(const struct bsim_engine_config *cfg)
{
	if (cfg->queue != BSIM_QUEUE_LADDER && cfg->queue != BSIM_QUEUE_HEAP)
		return BSIM_EINVAL;
	if (cfg->backend == BSIM_BACKEND_NATIVE)
		return 0;
	if (cfg->backend != BSIM_BACKEND_NS3)
		return BSIM_EINVAL;
	if (!bsim_engine_has_ns3())
		return BSIM_EUNSUPPORTED;
	return bsim__ns3b_check_scheduler(cfg->ns3_scheduler);
}

int bsim_engine_create(const struct bsim_engine_config *cfg,
		       struct bsim_engine **out)
{
	struct bsim_engine_config def = { 0 };
	struct bsim_engine *e;
	int err;

	if (!cfg)
		cfg = &def;
	err = bsim_engine_check_config(cfg);
	if (err)
		return err;
	e = calloc(1, sizeof(*e));
	if (!e)
		return BSIM_ENOMEM;
	if (cfg->backend == BSIM_BACKEND_NS3) {
		err = bsim__ns3b_create(e, cfg->ns3_scheduler, &e->ns3);
		if (err) {
			free(e);
			return err;
		}
		*out = e;
		return 0;
	}
	e->kind = cfg->queue;
	e->free_head = SLOT_NIL;
	e->pay_free = BSIM__NO_PAYLOAD;
	err = e->kind == BSIM_QUEUE_HEAP
		      ? bsim__heap_init(&e->q.heap, cfg->capacity_hint)
		      : bsim__ladder_init(&e->q.ladder, cfg->capacity_hint);
	if (err)
		goto err_queue;
	err = slots_grow(e, cfg->capacity_hint < 64 ? 64 : cfg->capacity_hint);
	if (err)
		goto err_slots;
	*out = e;
	return 0;

err_slots:
	bsim_engine_destroy(e);
	return err;
err_queue:
	free(e);
	return err;
}

void bsim_engine_destroy(struct bsim_engine *e)
{
	if (!e)
		return;
	if (e->ns3) {
		bsim__ns3b_destroy(e->ns3);
		free(e);
		return;
	}
	if (e->kind == BSIM_QUEUE_HEAP)
		bsim__heap_finish(&e->q.heap);
	else
		bsim__ladder_finish(&e->q.ladder);
	free(e->slots);
	free(e->dead);
	free(e->pay);
	free(e);
}

int bsim_engine_register(struct bsim_engine *e, bsim_handler_fn fn, void *ctx,
			 size_t payload_size)
{
	if (!fn || payload_size > BSIM_PAYLOAD_MAX ||
	    e->nhandlers == BSIM_HANDLERS_MAX)
		return BSIM_EINVAL;
	e->handlers[e->nhandlers] =
		(struct bsim__handler){ fn, ctx, payload_size };
	return (int)e->nhandlers++;
}

/* A pool record holding a copy of the size bytes at p. */
static uint32_t pay_put(struct bsim_engine *e, const void *p, size_t size)
{
	uint32_t i;

	if (e->pay_free == BSIM__NO_PAYLOAD) {
		uint32_t cap = e->npay ? 2 * e->npay : 64;
		void *a =
			e->npay < UINT32_MAX / 2
				? realloc(e->pay, (size_t)cap * sizeof(*e->pay))
				: NULL;

		if (!a)
			bsim_fatal(BSIM_LOC,
				   "out of memory growing the payload pool "
				   "past %u",
				   e->npay);
		e->pay = a;
		for (uint32_t k = cap; k-- > e->npay;) {
			memcpy(e->pay[k], &e->pay_free, sizeof(uint32_t));
			e->pay_free = k;
		}
		e->npay = cap;
	}
	i = e->pay_free;
	memcpy(&e->pay_free, e->pay[i], sizeof(uint32_t));
	memcpy(e->pay[i], p, size);
	return i;
}

static inline void pay_release(struct bsim_engine *e, uint32_t i)
{
	if (i == BSIM__NO_PAYLOAD)
		return;
	memcpy(e->pay[i], &e->pay_free, sizeof(uint32_t));
	e->pay_free = i;
}

static inline void queue_push(struct bsim_engine *e, const struct bsim__qent *x)
{
	if (e->kind == BSIM_QUEUE_LADDER)
		bsim__ladder_push(&e->q.ladder, x);
	else
		bsim__heap_push(&e->q.heap, x);
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

/* Check a schedule request; the handler. Programmer errors abort. */
static const struct bsim__handler *checked(const struct bsim_engine *e,
					   bsim_time_ns t_ns, unsigned handler,
					   uint32_t target, const void *payload)
{
	const struct bsim__handler *h;

	if (handler >= e->nhandlers)
		bsim_fatal(BSIM_LOC,
			   "schedule: unknown handler %u (%u registered)",
			   handler, e->nhandlers);
	if (t_ns < e->now)
		bsim_fatal(BSIM_LOC,
			   "schedule: time %llu ns is before now (%llu ns), "
			   "handler %u, target %u",
			   (unsigned long long)t_ns, (unsigned long long)e->now,
			   handler, target);
	if (t_ns == BSIM_TIME_MAX)
		bsim_fatal(BSIM_LOC, "schedule: time %llu ns is reserved",
			   (unsigned long long)t_ns);
	h = &e->handlers[handler];
	if (!payload && h->size)
		bsim_fatal(BSIM_LOC,
			   "schedule: handler %u needs %zu payload bytes, "
			   "got NULL",
			   handler, h->size);
	if (e->seq == BSIM__SEQ_MAX)
		bsim_fatal(BSIM_LOC, "schedule: more than 2^48 events");
	return h;
}

/* Queue an event holding slot (SLOT_NIL: none, posted). */
static void enqueue(struct bsim_engine *e, const struct bsim__handler *h,
		    bsim_time_ns t_ns, unsigned handler, uint32_t target,
		    const void *payload, uint32_t slot)
{
	struct bsim__qent x;
	uint32_t pay =
		h->size ? pay_put(e, payload, h->size) : BSIM__NO_PAYLOAD;

	x.t = t_ns;
	x.key = e->seq++ << 16 | handler;
	x.target = target;
	if (slot == SLOT_NIL) {
		x.aux = pay;
	} else {
		x.key |= BSIM__QENT_SLOT;
		x.aux = slot;
		e->slots[slot].next = pay;
	}
	e->in_use++;
	e->scheduled++;
	queue_push(e, &x);
}

bsim_event bsim_engine_schedule_at(struct bsim_engine *e, bsim_time_ns t_ns,
				   unsigned handler, uint32_t target,
				   const void *payload)
{
	const struct bsim__handler *h =
		checked(e, t_ns, handler, target, payload);
	uint32_t slot;

	if (e->ns3)
		return bsim__ns3b_schedule(e->ns3, t_ns, handler, target,
					   payload, h->size);
	if (e->free_head != SLOT_NIL) {
		slot = e->free_head;
		e->free_head = e->slots[slot].next;
	} else {
		if (e->sused == e->nslots &&
		    slots_grow(e, (uint64_t)e->nslots + 1))
			bsim_fatal(BSIM_LOC,
				   "out of memory growing the event slots "
				   "past %u",
				   e->nslots);
		slot = e->sused++;
		e->slots[slot].gen = 1;
	}
	enqueue(e, h, t_ns, handler, target, payload, slot);
	return ((uint64_t)e->slots[slot].gen << 32) | slot;
}

void bsim_engine_post_at(struct bsim_engine *e, bsim_time_ns t_ns,
			 unsigned handler, uint32_t target, const void *payload)
{
	const struct bsim__handler *h =
		checked(e, t_ns, handler, target, payload);

	if (e->ns3) {
		/* ns-3 keeps target, handler and payload in a slot anyway. */
		(void)bsim__ns3b_schedule(e->ns3, t_ns, handler, target,
					  payload, h->size);
		return;
	}
	enqueue(e, h, t_ns, handler, target, payload, SLOT_NIL);
	e->posted++;
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

/* End a slot's use: a new generation (handles to it go stale). */
static inline void slot_bump(struct bsim_engine *e, uint32_t slot)
{
	uint32_t gen = e->slots[slot].gen + 1;

	e->slots[slot].gen = gen ? gen : 1;
}

static inline void slot_free(struct bsim_engine *e, uint32_t slot)
{
	e->slots[slot].next = e->free_head;
	e->free_head = slot;
}

static inline bool slot_dead(const struct bsim_engine *e, uint32_t slot)
{
	return e->dead[slot / 64] >> (slot % 64) & 1;
}

/* A dead slot's entry has left the queue: the slot is free again. */
static inline void slot_bury(struct bsim_engine *e, uint32_t slot)
{
	e->dead[slot / 64] &= ~(UINT64_C(1) << (slot % 64));
	slot_free(e, slot);
}

/* Filter predicate of purge(): keeps live entries and frees the slot of
 * each stale one it drops (each entry is judged once). */
static bool entry_live(const struct bsim__qent *q, void *ctx)
{
	struct bsim_engine *e = ctx;

	if (!bsim__qent_has_slot(q) || !slot_dead(e, q->aux))
		return true;
	slot_bury(e, q->aux);
	return false;
}

bool bsim_engine_is_pending(const struct bsim_engine *e, bsim_event ev)
{
	uint32_t slot = (uint32_t)ev, gen = (uint32_t)(ev >> 32);

	if (e->ns3)
		return bsim__ns3b_is_pending(e->ns3, ev);
	return gen != 0 && slot < e->sused && e->slots[slot].gen == gen;
}

/* Drop every stale entry; afterwards no slot needs checking. */
static void purge(struct bsim_engine *e)
{
	if (e->kind == BSIM_QUEUE_LADDER)
		bsim__ladder_filter(&e->q.ladder, entry_live, e);
	else
		bsim__heap_filter(&e->q.heap, entry_live, e);
	e->stale = 0;
}

bool bsim_engine_cancel(struct bsim_engine *e, bsim_event ev)
{
	uint32_t slot = (uint32_t)ev;

	if (e->ns3)
		return bsim__ns3b_cancel(e->ns3, ev);
	if (!bsim_engine_is_pending(e, ev))
		return false;
	pay_release(e, e->slots[slot].next);
	slot_bump(e, slot);
	e->dead[slot / 64] |= UINT64_C(1) << (slot % 64);
	e->in_use--;
	e->cancelled++;
	if (++e->stale >= STALE_MIN && e->stale >= e->in_use)
		purge(e);
	return true;
}

bsim_time_ns bsim_engine_now(const struct bsim_engine *e)
{
	return e->now;
}

void bsim_engine_stop(struct bsim_engine *e)
{
	e->stop = true;
	if (e->ns3)
		bsim__ns3b_stop(e->ns3);
}

const struct bsim__handler *bsim__engine_handler(struct bsim_engine *e,
						 unsigned id)
{
	return &e->handlers[id];
}

void bsim__engine_set_now(struct bsim_engine *e, bsim_time_ns t)
{
	e->now = t;
}

bool bsim__engine_take_stop(struct bsim_engine *e)
{
	bool stop = e->stop;

	e->stop = false;
	return stop;
}

bool bsim_engine_has_ns3(void)
{
#if defined(BSIM_HAVE_NS3)
	return true;
#else
	return false;
#endif
}

/* Run events with time <= limit; the hot loop of every simulation. */
static int run_loop(struct bsim_engine *e, bsim_time_ns limit)
{
	e->stop = false;
	for (;;) {
		const struct bsim__qent *q = queue_peek(e);
		const struct bsim__handler *h;
		struct bsim__qent x;
		unsigned char pay[BSIM_PAYLOAD_MAX];
		uint32_t payi;

		if (!q || q->t > limit)
			return 0;
		x = *q;
		queue_pop(e);
		if (!bsim__qent_has_slot(&x)) {
			e->in_use--; /* Posted: no handle, never stale. */
			e->posted--;
			payi = x.aux;
		} else if (slot_dead(e, x.aux)) {
			slot_bury(e, x.aux);
			e->stale--;
			continue;
		} else {
			payi = e->slots[x.aux].next;
			slot_bump(e, x.aux);
			slot_free(e, x.aux);
			e->in_use--;
		}
		e->now = x.t;
		e->executed++;
		h = &e->handlers[bsim__qent_handler(&x)];
		if (payi != BSIM__NO_PAYLOAD) {
			/* Copied out first: the handler may schedule, and so
			 * reuse the record or move the pool. */
			memcpy(pay, e->pay[payi], h->size);
			pay_release(e, payi);
		}
		h->fn(e, h->ctx, x.target,
		      payi != BSIM__NO_PAYLOAD ? pay : NULL);
		if (e->stop) {
			e->stop = false;
			return BSIM_ESTOPPED;
		}
	}
}

int bsim_engine_run_until(struct bsim_engine *e, bsim_time_ns t_ns)
{
	int err;

	if (e->ns3) {
		e->stop = false;
		return bsim__ns3b_run_until(e->ns3, t_ns);
	}
	err = run_loop(e, t_ns);

	if (!err && t_ns > e->now)
		e->now = t_ns;
	return err;
}

int bsim_engine_run(struct bsim_engine *e)
{
	if (e->ns3) {
		e->stop = false;
		return bsim__ns3b_run_until(e->ns3, BSIM_TIME_MAX);
	}
	return run_loop(e, BSIM_TIME_MAX);
}

void bsim_engine_get_stats(const struct bsim_engine *e,
			   struct bsim_engine_stats *out)
{
	size_t qbytes;

	if (e->ns3) {
		bsim__ns3b_stats(e->ns3, out);
		return;
	}
	qbytes = e->kind == BSIM_QUEUE_LADDER ? bsim__ladder_bytes(&e->q.ladder)
					      : bsim__heap_bytes(&e->q.heap);
	out->pending = e->in_use;
	out->executed = e->executed;
	out->scheduled = e->scheduled;
	out->cancelled = e->cancelled;
	out->pool_in_use = e->in_use - e->posted;
	out->pool_capacity = e->nslots;
	out->queue_entries =
		e->kind == BSIM_QUEUE_LADDER ? e->q.ladder.size : e->q.heap.n;
	out->backend_executed = e->executed;
	out->bytes_allocated = qbytes + (uint64_t)e->sused * sizeof(*e->slots) +
			       e->nslots / 8 +
			       (uint64_t)e->npay * sizeof(*e->pay);
}

const char *bsim_engine_name(const struct bsim_engine *e)
{
	if (e->ns3)
		return bsim__ns3b_name(e->ns3);
	return e->kind == BSIM_QUEUE_HEAP ? "native/heap" : "native/ladder";
}
