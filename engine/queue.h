/* SPDX-License-Identifier: MIT */
/*
 * Pending-event structures of the native backend, behind one small internal
 * interface. A queue holds entries (time, sequence, pool slot) ordered by
 * (time, sequence); it knows nothing of handlers or payloads, which stay in
 * the event pool. Cancellation is lazy: the engine frees the pool slot at
 * once and the queue entry becomes stale; the engine recognises stale
 * entries when it pops them (their sequence no longer matches the slot's)
 * and purges them with bsim__queue_filter() when they outnumber live ones,
 * so memory tracks the live pending set.
 */
#ifndef BSIM_ENGINE_QUEUE_H
#define BSIM_ENGINE_QUEUE_H

#include <blocsim/engine.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One queue entry, 24 bytes. */
struct bsim__qent {
	uint64_t t;    /* Event time, ns. */
	uint64_t seq;  /* Scheduling sequence number; unique per engine. */
	uint32_t slot; /* Pool slot of the event. */
	uint32_t pad;
};

/* (time, sequence) order: true if a fires before b. */
static inline bool bsim__qent_before(const struct bsim__qent *a,
				     const struct bsim__qent *b)
{
	return a->t < b->t || (a->t == b->t && a->seq < b->seq);
}

/* Predicate for bsim__queue_filter(): true keeps the entry. */
typedef bool (*bsim__qkeep_fn)(const struct bsim__qent *e, void *ctx);

/* Implicit 4-ary min-heap of entries. */
struct bsim__heap {
	struct bsim__qent *a; /* a[0] is the minimum. */
	size_t n;	      /* Entries in use. */
	size_t cap;	      /* Entries allocated. */
};

int bsim__heap_init(struct bsim__heap *h, size_t capacity_hint);
void bsim__heap_finish(struct bsim__heap *h);
void bsim__heap_push(struct bsim__heap *h, uint64_t t, uint64_t seq,
		     uint32_t slot);
/* Smallest entry, or NULL when empty. */
const struct bsim__qent *bsim__heap_peek(struct bsim__heap *h);
/* Remove the smallest entry (the heap must not be empty). */
void bsim__heap_pop(struct bsim__heap *h);
void bsim__heap_filter(struct bsim__heap *h, bsim__qkeep_fn keep, void *ctx);
size_t bsim__heap_bytes(const struct bsim__heap *h);

#define BSIM__LADDER_RUNGS 8

/* Entries per chunk: a chunk is 512 bytes. */
#define BSIM__CHUNK_ENTRIES 21

/* A block of entries; lists of chunks hold the top and bucket overflow. */
struct bsim__chunk {
	uint32_t next; /* Next chunk of the same list, or UINT32_MAX. */
	uint32_t n;    /* Entries in use. */
	struct bsim__qent e[BSIM__CHUNK_ENTRIES];
};

/*
 * One bucket, 32 bytes: its first entry inline (fine rungs hold about one
 * event per bucket, so most never touch a chunk) and the rest in chunks.
 */
struct bsim__bucket {
	uint64_t t, seq; /* Inline entry, valid when count >= 1. */
	uint32_t slot;	 /* Inline entry's pool slot. */
	uint32_t head;	 /* Chunks of entries 2..count, or UINT32_MAX. */
	uint32_t count;	 /* Entries in the bucket. */
	uint32_t pad;
};

/* One rung: nb buckets of equal width starting at start. */
struct bsim__rung {
	uint64_t start;		 /* Time at the start of bucket 0, ns. */
	uint64_t width;		 /* Bucket width, ns, >= 1. */
	uint64_t n;		 /* Entries held by the rung. */
	uint32_t nb;		 /* Buckets in use. */
	uint32_t cur;		 /* Buckets before cur are consumed. */
	uint32_t cap;		 /* Buckets allocated. */
	struct bsim__bucket *bk; /* The buckets. */
};

/*
 * Ladder queue (Tang, Goh and Thng, ACM TOMACS 15(3), 2005): an unsorted
 * top for far-future events, rungs of buckets that split a time span ever
 * finer, and a small sorted bottom from which events are popped.
 */
struct bsim__ladder {
	struct bsim__chunk *chunks; /* Chunk arena. */
	uint32_t ccap;		    /* Chunks allocated. */
	uint32_t cfree;		    /* Free chunk list. */
	uint32_t cused;		    /* Chunks in use. */
	uint32_t top;		    /* Chunk list of events >= top_start. */
	uint64_t top_n, top_min, top_max, top_start;
	struct bsim__rung rung[BSIM__LADDER_RUNGS];
	unsigned nr;		/* Rungs in use; rung[nr - 1] is the finest. */
	struct bsim__qent *bot; /* Sorted ascending; live part [bh, bn). */
	size_t bh, bn, bcap;
	uint64_t size; /* Entries held in total. */
	/* Prefetch hint: the event pool, whose record for slot s starts at
	 * pf_base + s * pf_stride (NULL: no prefetching). */
	const char *pf_base;
	size_t pf_stride;
};

int bsim__ladder_init(struct bsim__ladder *q, size_t capacity_hint);
void bsim__ladder_finish(struct bsim__ladder *q);
void bsim__ladder_push(struct bsim__ladder *q, uint64_t t, uint64_t seq,
		       uint32_t slot);
const struct bsim__qent *bsim__ladder_peek(struct bsim__ladder *q);
/*
 * Let the ladder prefetch pool records of events a few buckets ahead of the
 * one it hands to the bottom: at 10^6 pending events the record is a cache
 * miss, and only the ladder knows which events come next. Call again after
 * the pool moves.
 */
static inline void bsim__ladder_set_prefetch(struct bsim__ladder *q,
					     const void *base, size_t stride)
{
	q->pf_base = base;
	q->pf_stride = stride;
}
void bsim__ladder_pop(struct bsim__ladder *q);
void bsim__ladder_filter(struct bsim__ladder *q, bsim__qkeep_fn keep,
			 void *ctx);
size_t bsim__ladder_bytes(const struct bsim__ladder *q);

#endif /* BSIM_ENGINE_QUEUE_H */
