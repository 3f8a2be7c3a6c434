/* SPDX-License-Identifier: MIT */
/*
 * Pending-event structures of the native backend, behind one small internal
 * interface. A queue holds whole events: 24-byte entries in cache-line-
 * aligned arrays, carrying the time, sequence, handler and target, ordered
 * by (time, sequence). Popping a timer therefore reads only the queue,
 * whose structures move entries in streams, and never a record at a
 * random address: at 10^6 pending events and more that one random read per
 * event would cost more than everything else together. Only the few events
 * with a payload read one more record, from a small, hot pool.
 *
 * Cancellation is lazy: the engine bumps the slot's generation at once and
 * the entry goes stale; stale entries are recognised when popped and purged
 * with the queue's filter when they reach the live ones, so memory tracks
 * the live pending set.
 */
#ifndef BSIM_ENGINE_QUEUE_H
#define BSIM_ENGINE_QUEUE_H

#include <blocsim/engine.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * One queue entry: a whole event in 24 bytes. The sequence number (unique
 * per engine, < 2^48) and the handler share one word, sequence above, so
 * comparing the word compares sequences. `aux` is the event's handle slot
 * when the key carries BSIM__QENT_SLOT (the slot then holds the payload
 * index), else the index of its payload in the engine's payload pool or
 * BSIM__NO_PAYLOAD. Few events carry a payload (messages in flight), so
 * that the millions of timers stay small.
 */
struct bsim__qent {
	uint64_t t;	 /* Event time, ns. */
	uint64_t key;	 /* seq << 16 | flags | handler. */
	uint32_t target; /* Target entity. */
	uint32_t aux;	 /* Slot, or payload pool index. */
};

#define BSIM__NO_PAYLOAD UINT32_MAX
#define BSIM__QENT_SLOT 0x100u /* Key flag: aux is a handle slot. */
#define BSIM__SEQ_MAX (UINT64_C(1) << 48)
_Static_assert(sizeof(struct bsim__qent) == 24, "queue entries are 24 bytes");
_Static_assert(BSIM_HANDLERS_MAX <= 0x100, "handlers fit the key's low byte");

static inline unsigned bsim__qent_handler(const struct bsim__qent *x)
{
	return (unsigned)(x->key & 0xff);
}

static inline bool bsim__qent_has_slot(const struct bsim__qent *x)
{
	return x->key & BSIM__QENT_SLOT;
}

/* Entry arrays are aligned to a cache line (eight entries fill three). */
#define BSIM__QENT_ALIGN 64

/* (time, sequence) order: true if a fires before b. */
static inline bool bsim__qent_before(const struct bsim__qent *a,
				     const struct bsim__qent *b)
{
	return a->t < b->t || (a->t == b->t && a->key < b->key);
}

/* Predicate for filters: true keeps the entry. */
typedef bool (*bsim__qkeep_fn)(const struct bsim__qent *e, void *ctx);

/*
 * Grow an aligned array of n_old elements of elem bytes to at least want
 * elements (doubling from *cap); aborts when out of memory. Returns the
 * (possibly moved) array.
 */
void *bsim__grow_aligned(void *a, size_t *cap, size_t n_old, size_t want,
			 size_t elem);

/* Implicit 4-ary min-heap of entries. */
struct bsim__heap {
	struct bsim__qent *a; /* a[0] is the minimum. */
	size_t n;	      /* Entries in use. */
	size_t cap;	      /* Entries allocated. */
};

int bsim__heap_init(struct bsim__heap *h, size_t capacity_hint);
void bsim__heap_finish(struct bsim__heap *h);
void bsim__heap_push(struct bsim__heap *h, const struct bsim__qent *x);
/* Smallest entry, or NULL when empty. */
const struct bsim__qent *bsim__heap_peek(struct bsim__heap *h);
/* Remove the smallest entry (the heap must not be empty). */
void bsim__heap_pop(struct bsim__heap *h);
void bsim__heap_filter(struct bsim__heap *h, bsim__qkeep_fn keep, void *ctx);
size_t bsim__heap_bytes(const struct bsim__heap *h);

#define BSIM__LADDER_RUNGS 8

/* Entries per chunk: a chunk is 1 KiB (42 entries and a header). */
#define BSIM__CHUNK_ENTRIES 42

/* A block of entries; lists of chunks hold the top and bucket overflow. */
struct bsim__chunk {
	struct bsim__qent e[BSIM__CHUNK_ENTRIES];
	uint32_t next; /* Next chunk of the same list, or UINT32_MAX. */
	uint32_t n;    /* Entries in use. */
	unsigned char pad[1024 - 8 - BSIM__CHUNK_ENTRIES * 24];
};
_Static_assert(sizeof(struct bsim__chunk) == 1024, "chunks are 1 KiB");

/* Bucket bookkeeping; the first entry of bucket b is first[b]. */
struct bsim__bucket {
	uint32_t head;	/* Chunks of entries 2..count, or UINT32_MAX. */
	uint32_t count; /* Entries in the bucket. */
};

/* One rung: nb buckets of equal width starting at start. */
struct bsim__rung {
	uint64_t start;		  /* Time at the start of bucket 0, ns. */
	uint64_t width;		  /* Bucket width, ns, >= 1. */
	uint64_t n;		  /* Entries held by the rung. */
	uint32_t nb;		  /* Buckets in use. */
	uint32_t cur;		  /* Buckets before cur are consumed. */
	size_t cap;		  /* Buckets allocated. */
	struct bsim__bucket *bk;  /* Bookkeeping per bucket. */
	struct bsim__qent *first; /* First entry per bucket (inline). */
};

/*
 * Ladder queue (Tang, Goh and Thng, ACM TOMACS 15(3), 2005): an unsorted
 * top for far-future events, rungs of buckets that split a time span ever
 * finer, and a small sorted bottom from which events are popped.
 */
/* Chunks per arena block (4 MiB): the arena grows a block at a time and
 * never moves, so growing copies nothing and touches no page early. */
#define BSIM__BLOCK_SHIFT 12
#define BSIM__BLOCK_CHUNKS (1u << BSIM__BLOCK_SHIFT)

struct bsim__ladder {
	struct bsim__chunk **blocks; /* Chunk arena, a block at a time. */
	size_t nblocks, blocks_cap;  /* Blocks allocated; table size. */
	uint32_t cused;		     /* Chunks ever handed out. */
	uint32_t cfree;		     /* Free chunk list (of returned ones). */
	uint32_t top;		     /* Chunk list of events >= top_start. */
	uint64_t top_n, top_min, top_max, top_start;
	struct bsim__rung rung[BSIM__LADDER_RUNGS];
	unsigned nr;		/* Rungs in use; rung[nr - 1] is the finest. */
	struct bsim__qent *bot; /* Sorted ascending; live part [bh, bn). */
	size_t bh, bn, bcap;
	uint64_t size; /* Entries held in total. */
};

int bsim__ladder_init(struct bsim__ladder *q, size_t capacity_hint);
void bsim__ladder_finish(struct bsim__ladder *q);
void bsim__ladder_push(struct bsim__ladder *q, const struct bsim__qent *x);
const struct bsim__qent *bsim__ladder_peek(struct bsim__ladder *q);
void bsim__ladder_pop(struct bsim__ladder *q);
void bsim__ladder_filter(struct bsim__ladder *q, bsim__qkeep_fn keep,
			 void *ctx);
size_t bsim__ladder_bytes(const struct bsim__ladder *q);

#endif /* BSIM_ENGINE_QUEUE_H */
