/* SPDX-License-Identifier: MIT */
/*
 * Ladder queue (Tang, Goh and Thng, "Ladder Queue: An O(1) Priority Queue
 * Structure for Large-Scale Discrete Event Simulation", ACM TOMACS 15(3),
 * 2005), on integer nanosecond times with (time, sequence) ties.
 *
 * Events far in the future are appended to an unsorted top array. When the
 * rest runs dry, the top is spread over rung 0, whose bucket width is the
 * top's span divided by its count, so a bucket holds about one event
 * whatever the time scale: this is why a mix of 10 ms signalling and 6 h
 * sleep timers does not break it as it breaks a calendar queue tuned to one
 * scale. A bucket with more than THRES events spawns a finer rung; a smaller
 * one (or one that cannot be split: width 1 ns, or all rungs in use) is
 * sorted into the bottom, a short ascending array popped from its head.
 * Each event is moved a bounded number of times, hence O(1) amortised.
 *
 * Memory layout decides speed at 10^6 pending events and more, where every
 * random access is a cache miss: the top is a contiguous array (appends and
 * transfers stream through memory), buckets hold their first event inline
 * (rung 0 has about one event per bucket, so most never touch the node
 * arena, and buckets are consumed in address order), and only overflow
 * entries live in arena lists linked by 32-bit indices (the arena can grow
 * by realloc without invalidating links).
 */
#include "queue.h"

#include <blocsim/error.h>

#include <stdlib.h>
#include <string.h>

#define NIL UINT32_MAX
#define THRES 50
/* Buckets ahead whose first event's pool record and overflow node are
 * prefetched when a bucket is consumed. */
#define PREFETCH_BUCKETS 6

#if defined(__GNUC__)
#define PREFETCH(p) __builtin_prefetch((p))
#else
#define PREFETCH(p) ((void)(p))
#endif

static void grow_nodes(struct bsim__ladder *q, uint32_t want)
{
	uint64_t cap = q->ncap ? q->ncap : 64;
	struct bsim__qent *nodes;

	while (cap < want)
		cap *= 2;
	if (cap >= NIL)
		bsim_fatal(BSIM_LOC, "ladder queue over %u nodes", NIL - 1);
	nodes = realloc(q->nodes, cap * sizeof(*nodes));
	if (!nodes)
		bsim_fatal(BSIM_LOC,
			   "out of memory growing the ladder to %llu nodes",
			   (unsigned long long)cap);
	/* Chain the new nodes into the free list, lowest index first. */
	for (uint64_t i = cap; i-- > q->ncap;) {
		nodes[i].next = q->free_head;
		q->free_head = (uint32_t)i;
	}
	q->nodes = nodes;
	q->ncap = (uint32_t)cap;
}

static void *grow_array(void *a, size_t *cap, size_t want, size_t elem)
{
	size_t c = *cap ? *cap : 64;

	while (c < want)
		c *= 2;
	a = realloc(a, c * elem);
	if (!a)
		bsim_fatal(BSIM_LOC,
			   "out of memory growing the ladder to "
			   "%zu entries",
			   c);
	*cap = c;
	return a;
}

int bsim__ladder_init(struct bsim__ladder *q, size_t capacity_hint)
{
	memset(q, 0, sizeof(*q));
	q->free_head = NIL;
	q->top_min = UINT64_MAX;
	q->bot = grow_array(NULL, &q->bcap, 256, sizeof(*q->bot));
	q->top = grow_array(NULL, &q->top_cap,
			    capacity_hint < 64 ? 64 : capacity_hint,
			    sizeof(*q->top));
	grow_nodes(q, 64);
	return 0;
}

void bsim__ladder_finish(struct bsim__ladder *q)
{
	if (!q)
		return;
	for (unsigned r = 0; r < BSIM__LADDER_RUNGS; r++)
		free(q->rung[r].bk);
	free(q->nodes);
	free(q->top);
	free(q->bot);
	memset(q, 0, sizeof(*q));
}

static inline uint32_t node_alloc(struct bsim__ladder *q)
{
	uint32_t i;

	if (q->free_head == NIL)
		grow_nodes(q, q->ncap + 1);
	i = q->free_head;
	q->free_head = q->nodes[i].next;
	return i;
}

static inline void node_free(struct bsim__ladder *q, uint32_t i)
{
	q->nodes[i].next = q->free_head;
	q->free_head = i;
}

/* Make room for nb empty buckets in rung r. */
static void rung_reset(struct bsim__rung *r, uint64_t start, uint64_t width,
		       uint32_t nb)
{
	if (nb > r->cap) {
		size_t cap = r->cap;

		r->bk = grow_array(r->bk, &cap, nb, sizeof(*r->bk));
		r->cap = (uint32_t)cap;
	}
	for (uint32_t b = 0; b < nb; b++) {
		r->bk[b].head = NIL;
		r->bk[b].count = 0;
	}
	r->start = start;
	r->width = width;
	r->nb = nb;
	r->cur = 0;
	r->n = 0;
}

static inline void rung_add(struct bsim__ladder *q, struct bsim__rung *r,
			    uint64_t t, uint64_t seq, uint32_t slot)
{
	struct bsim__bucket *b = &r->bk[(t - r->start) / r->width];

	if (b->count++ == 0) {
		b->t = t;
		b->seq = seq;
		b->slot = slot;
	} else {
		uint32_t i = node_alloc(q);

		q->nodes[i] = (struct bsim__qent){ t, seq, slot, b->head };
		b->head = i;
	}
	r->n++;
}

static void bottom_reserve(struct bsim__ladder *q, size_t extra)
{
	if (q->bh > 0 && q->bn + extra > q->bcap) {
		memmove(q->bot, q->bot + q->bh,
			(q->bn - q->bh) * sizeof(*q->bot));
		q->bn -= q->bh;
		q->bh = 0;
	}
	if (q->bn + extra > q->bcap)
		q->bot = grow_array(q->bot, &q->bcap, q->bn + extra,
				    sizeof(*q->bot));
}

static void bottom_insert(struct bsim__ladder *q, const struct bsim__qent *x)
{
	size_t lo, hi;

	bottom_reserve(q, 1);
	lo = q->bh;
	hi = q->bn;
	/* First position whose entry fires after x. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (bsim__qent_before(x, &q->bot[mid]))
			hi = mid;
		else
			lo = mid + 1;
	}
	memmove(q->bot + lo + 1, q->bot + lo, (q->bn - lo) * sizeof(*q->bot));
	q->bot[lo] = *x;
	q->bn++;
}

void bsim__ladder_push(struct bsim__ladder *q, uint64_t t, uint64_t seq,
		       uint32_t slot)
{
	q->size++;
	if (t >= q->top_start) {
		if (q->top_n == q->top_cap)
			q->top = grow_array(q->top, &q->top_cap, q->top_n + 1,
					    sizeof(*q->top));
		q->top[q->top_n++] = (struct bsim__qent){ t, seq, slot, NIL };
		if (t < q->top_min)
			q->top_min = t;
		if (t > q->top_max)
			q->top_max = t;
		return;
	}
	for (unsigned k = 0; k < q->nr; k++) {
		struct bsim__rung *r = &q->rung[k];

		if (t >= r->start + (uint64_t)r->cur * r->width) {
			rung_add(q, r, t, seq, slot);
			return;
		}
	}
	bottom_insert(q, &(struct bsim__qent){ t, seq, slot, NIL });
}

static int cmp_qent(const void *pa, const void *pb)
{
	const struct bsim__qent *a = pa, *b = pb;

	if (bsim__qent_before(a, b))
		return -1;
	return bsim__qent_before(b, a) ? 1 : 0;
}

/* Move bucket b's entries into the (empty) bottom and sort them. */
static void bucket_to_bottom(struct bsim__ladder *q,
			     const struct bsim__bucket *b)
{
	uint32_t i = b->head;

	q->bh = q->bn = 0;
	bottom_reserve(q, b->count);
	q->bot[q->bn++] = (struct bsim__qent){ b->t, b->seq, b->slot, NIL };
	while (i != NIL) {
		uint32_t next = q->nodes[i].next;

		q->bot[q->bn++] = q->nodes[i];
		node_free(q, i);
		i = next;
	}
	if (q->bn <= 32) {
		for (size_t k = 1; k < q->bn; k++) {
			struct bsim__qent x = q->bot[k];
			size_t j = k;

			while (j > 0 && bsim__qent_before(&x, &q->bot[j - 1])) {
				q->bot[j] = q->bot[j - 1];
				j--;
			}
			q->bot[j] = x;
		}
	} else {
		qsort(q->bot, q->bn, sizeof(*q->bot), cmp_qent);
	}
}

/* Spread bucket b's entries over the rung `to`. */
static void bucket_to_rung(struct bsim__ladder *q, const struct bsim__bucket *b,
			   struct bsim__rung *to)
{
	uint32_t i = b->head;

	rung_add(q, to, b->t, b->seq, b->slot);
	while (i != NIL) {
		uint32_t next = q->nodes[i].next;
		struct bsim__qent x = q->nodes[i];

		node_free(q, i);
		rung_add(q, to, x.t, x.seq, x.slot);
		i = next;
	}
}

static int cmp_u64(const void *pa, const void *pb)
{
	uint64_t a = *(const uint64_t *)pa, b = *(const uint64_t *)pb;

	return a < b ? -1 : a > b;
}

/*
 * Bucket width for rung 0: about one event per bucket below the top's median
 * time, estimated from SAMPLES evenly spaced top entries. The paper's
 * span / count puts a dozen events in each early bucket when times are
 * skewed (exponential, or 10 ms next to 6 h), and every extra event in a
 * bucket is a linked node, i.e. a cache miss at 10^6 events.
 */
#define SAMPLES 255
static uint64_t top_width(const struct bsim__ladder *q)
{
	uint64_t s[SAMPLES], med;

	if (q->top_n <= 2 * SAMPLES)
		return (q->top_max - q->top_min) / q->top_n + 1;
	for (size_t i = 0; i < SAMPLES; i++)
		s[i] = q->top[i * q->top_n / SAMPLES].t;
	qsort(s, SAMPLES, sizeof(s[0]), cmp_u64);
	med = s[SAMPLES / 2];
	return (med - q->top_min) / (q->top_n / 2) + 1;
}

/*
 * Spread the top's earliest events over a fresh rung 0 of at most top_n
 * buckets; later events stay in the top (compacted in place) for the next
 * transfer, so rung memory stays within one bucket per pending event.
 */
static void top_to_rung(struct bsim__ladder *q)
{
	struct bsim__rung *r = &q->rung[0];
	uint64_t width = top_width(q);
	uint64_t nb = (q->top_max - q->top_min) / width + 1;
	uint64_t end, min = UINT64_MAX, max = 0;
	size_t keep = 0;

	if (nb > q->top_n)
		nb = q->top_n;
	end = q->top_min + nb * width;
	rung_reset(r, q->top_min, width, (uint32_t)nb);
	q->nr = 1;
	for (size_t i = 0; i < q->top_n; i++) {
		struct bsim__qent x = q->top[i];

		if (x.t < end) {
			rung_add(q, r, x.t, x.seq, x.slot);
		} else {
			q->top[keep++] = x;
			min = x.t < min ? x.t : min;
			max = x.t > max ? x.t : max;
		}
	}
	q->top_start = end;
	q->top_n = keep;
	q->top_min = min;
	q->top_max = max;
}

/* Make the bottom non-empty; false when the queue is empty. */
static bool refill(struct bsim__ladder *q)
{
	while (q->bh == q->bn) {
		struct bsim__rung *r;
		struct bsim__bucket b;

		if (q->nr == 0) {
			if (q->top_n == 0)
				return false;
			top_to_rung(q);
		}
		r = &q->rung[q->nr - 1];
		while (r->cur < r->nb && r->bk[r->cur].count == 0)
			r->cur++;
		if (r->cur == r->nb) {
			q->nr--;
			continue;
		}
		if (q->pf_base && r->cur + PREFETCH_BUCKETS < r->nb) {
			const struct bsim__bucket *a =
				&r->bk[r->cur + PREFETCH_BUCKETS];

			if (a->count) {
				PREFETCH(q->pf_base + a->slot * q->pf_stride);
				if (a->head != NIL)
					PREFETCH(&q->nodes[a->head]);
			}
		}
		b = r->bk[r->cur];
		r->bk[r->cur].count = 0;
		r->bk[r->cur].head = NIL;
		r->n -= b.count;
		if (b.count > THRES && r->width > 1 &&
		    q->nr < BSIM__LADDER_RUNGS) {
			struct bsim__rung *child = &q->rung[q->nr];
			uint64_t w = (r->width + b.count - 1) / b.count;
			uint64_t nb = (r->width + w - 1) / w;

			rung_reset(child,
				   r->start + (uint64_t)r->cur * r->width, w,
				   (uint32_t)nb);
			r->cur++;
			q->nr++;
			bucket_to_rung(q, &b, child);
		} else {
			r->cur++;
			bucket_to_bottom(q, &b);
		}
	}
	return true;
}

const struct bsim__qent *bsim__ladder_peek(struct bsim__ladder *q)
{
	if (q->bh == q->bn && !refill(q))
		return NULL;
	return &q->bot[q->bh];
}

void bsim__ladder_pop(struct bsim__ladder *q)
{
	q->bh++;
	q->size--;
}

/* Drop the entries of bucket b that keep() rejects; returns those kept. */
static uint32_t filter_bucket(struct bsim__ladder *q, struct bsim__bucket *b,
			      bsim__qkeep_fn keep, void *ctx)
{
	struct bsim__bucket old = *b;
	uint32_t i = old.head;
	struct bsim__qent x = { old.t, old.seq, old.slot, NIL };

	b->count = 0;
	b->head = NIL;
	if (old.count == 0)
		return 0;
	for (;;) {
		if (keep(&x, ctx)) {
			if (b->count++ == 0) {
				b->t = x.t;
				b->seq = x.seq;
				b->slot = x.slot;
			} else {
				uint32_t n = node_alloc(q);

				q->nodes[n] =
					(struct bsim__qent){ x.t, x.seq, x.slot,
							     b->head };
				b->head = n;
			}
		}
		if (i == NIL)
			break;
		x = q->nodes[i];
		node_free(q, i);
		i = x.next;
	}
	return b->count;
}

void bsim__ladder_filter(struct bsim__ladder *q, bsim__qkeep_fn keep, void *ctx)
{
	uint64_t total = 0;
	size_t j = 0;

	for (size_t i = 0; i < q->top_n; i++)
		if (keep(&q->top[i], ctx))
			q->top[j++] = q->top[i];
	q->top_n = j;
	total += j;
	for (unsigned k = 0; k < q->nr; k++) {
		struct bsim__rung *r = &q->rung[k];

		r->n = 0;
		for (uint32_t b = r->cur; b < r->nb; b++)
			r->n += filter_bucket(q, &r->bk[b], keep, ctx);
		total += r->n;
	}
	j = q->bh;
	for (size_t i = q->bh; i < q->bn; i++)
		if (keep(&q->bot[i], ctx))
			q->bot[j++] = q->bot[i];
	q->bn = j;
	q->size = total + (q->bn - q->bh);
}

size_t bsim__ladder_bytes(const struct bsim__ladder *q)
{
	size_t bytes = (size_t)q->ncap * sizeof(*q->nodes) +
		       q->bcap * sizeof(*q->bot) + q->top_cap * sizeof(*q->top);

	for (unsigned r = 0; r < BSIM__LADDER_RUNGS; r++)
		bytes += (size_t)q->rung[r].cap * sizeof(*q->rung[r].bk);
	return bytes;
}
