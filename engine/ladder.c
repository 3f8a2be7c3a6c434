/* SPDX-License-Identifier: MIT */
/*
 * Ladder queue (Tang, Goh and Thng, "Ladder Queue: An O(1) Priority Queue
 * Structure for Large-Scale Discrete Event Simulation", ACM TOMACS 15(3),
 * 2005), on integer nanosecond times with (time, sequence) ties.
 *
 * Events far in the future are appended to an unsorted top list. When the
 * rest runs dry, the top is spread over rung 0, whose bucket width is the
 * top's span divided by its count, so a bucket holds about one event
 * whatever the time scale: this is why a mix of 10 ms signalling and 6 h
 * sleep timers does not break it as it breaks a calendar queue tuned to one
 * scale. A bucket with more than THRES events spawns a finer rung; a smaller
 * one (or one that cannot be split: width 1 ns, or all rungs in use) is
 * sorted into the bottom, a short ascending array popped from its head.
 * Each event is moved a bounded number of times, hence O(1) amortised.
 *
 * Lists are singly linked through a node arena indexed by 32-bit offsets,
 * so the arena can grow by realloc without invalidating links. The bottom
 * is the only sorted part; inserting into it costs a binary search and a
 * move of the later entries, which stays short because it spans one bucket.
 */
#include "queue.h"

#include <blocsim/error.h>

#include <stdlib.h>
#include <string.h>

#define NIL UINT32_MAX
#define THRES 50

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
			   "out of memory growing the ladder to %llu "
			   "nodes",
			   (unsigned long long)cap);
	/* Chain the new nodes into the free list, lowest index first. */
	for (uint64_t i = cap; i-- > q->ncap;) {
		nodes[i].next = q->free_head;
		q->free_head = (uint32_t)i;
	}
	q->nodes = nodes;
	q->ncap = (uint32_t)cap;
}

int bsim__ladder_init(struct bsim__ladder *q, size_t capacity_hint)
{
	memset(q, 0, sizeof(*q));
	q->free_head = NIL;
	q->top_head = NIL;
	q->top_min = UINT64_MAX;
	q->bcap = 256;
	q->bot = malloc(q->bcap * sizeof(*q->bot));
	if (!q->bot)
		return BSIM_ENOMEM;
	if (capacity_hint > NIL / 2)
		capacity_hint = NIL / 2;
	grow_nodes(q, capacity_hint < 64 ? 64 : (uint32_t)capacity_hint);
	return 0;
}

void bsim__ladder_finish(struct bsim__ladder *q)
{
	if (!q)
		return;
	for (unsigned r = 0; r < BSIM__LADDER_RUNGS; r++) {
		free(q->rung[r].head);
		free(q->rung[r].count);
	}
	free(q->nodes);
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

/* Make room for nb buckets in rung r and empty them. */
static void rung_reset(struct bsim__rung *r, uint64_t start, uint64_t width,
		       uint32_t nb)
{
	if (nb > r->cap) {
		uint32_t cap = r->cap ? r->cap : 64;
		uint32_t *head, *count;

		while (cap < nb)
			cap = cap > NIL / 2 ? nb : cap * 2;
		head = realloc(r->head, (size_t)cap * sizeof(*head));
		if (head)
			r->head = head;
		count = realloc(r->count, (size_t)cap * sizeof(*count));
		if (count)
			r->count = count;
		if (!head || !count)
			bsim_fatal(BSIM_LOC, "out of memory for %u buckets",
				   nb);
		r->cap = cap;
	}
	memset(r->head, 0xff, (size_t)nb * sizeof(*r->head));
	memset(r->count, 0, (size_t)nb * sizeof(*r->count));
	r->start = start;
	r->width = width;
	r->nb = nb;
	r->cur = 0;
	r->n = 0;
}

static inline void rung_add(struct bsim__ladder *q, struct bsim__rung *r,
			    uint32_t i)
{
	uint64_t b = (q->nodes[i].t - r->start) / r->width;

	q->nodes[i].next = r->head[b];
	r->head[b] = i;
	r->count[b]++;
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
	if (q->bn + extra > q->bcap) {
		size_t cap = q->bcap * 2;
		struct bsim__qent *bot;

		while (cap < q->bn + extra)
			cap *= 2;
		bot = realloc(q->bot, cap * sizeof(*bot));
		if (!bot)
			bsim_fatal(BSIM_LOC, "out of memory for the ladder "
					     "bottom");
		q->bot = bot;
		q->bcap = cap;
	}
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
		uint32_t i = node_alloc(q);

		q->nodes[i] = (struct bsim__qent){ t, seq, slot, q->top_head };
		q->top_head = i;
		q->top_n++;
		if (t < q->top_min)
			q->top_min = t;
		if (t > q->top_max)
			q->top_max = t;
		return;
	}
	for (unsigned k = 0; k < q->nr; k++) {
		struct bsim__rung *r = &q->rung[k];

		if (t >= r->start + (uint64_t)r->cur * r->width) {
			uint32_t i = node_alloc(q);

			q->nodes[i] = (struct bsim__qent){ t, seq, slot, NIL };
			rung_add(q, r, i);
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

/* Move a list of c nodes into the (empty) bottom and sort it. */
static void list_to_bottom(struct bsim__ladder *q, uint32_t head, uint32_t c)
{
	q->bh = q->bn = 0;
	bottom_reserve(q, c);
	while (head != NIL) {
		uint32_t next = q->nodes[head].next;

		q->bot[q->bn++] = q->nodes[head];
		node_free(q, head);
		head = next;
	}
	if (c <= 32) {
		for (size_t i = 1; i < q->bn; i++) {
			struct bsim__qent x = q->bot[i];
			size_t j = i;

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

/* Spread the top over a fresh rung 0. */
static void top_to_rung(struct bsim__ladder *q)
{
	struct bsim__rung *r = &q->rung[0];
	uint64_t span = q->top_max - q->top_min;
	uint64_t width = span / q->top_n + 1;
	uint64_t nb = span / width + 1;
	uint32_t i = q->top_head;

	rung_reset(r, q->top_min, width, (uint32_t)nb);
	q->nr = 1;
	while (i != NIL) {
		uint32_t next = q->nodes[i].next;

		rung_add(q, r, i);
		i = next;
	}
	q->top_start = q->top_max + 1;
	q->top_head = NIL;
	q->top_n = 0;
	q->top_min = UINT64_MAX;
	q->top_max = 0;
}

/* Make the bottom non-empty; false when the queue is empty. */
static bool refill(struct bsim__ladder *q)
{
	while (q->bh == q->bn) {
		struct bsim__rung *r;
		uint32_t b, c, head;

		if (q->nr == 0) {
			if (q->top_n == 0)
				return false;
			top_to_rung(q);
		}
		r = &q->rung[q->nr - 1];
		while (r->cur < r->nb && r->head[r->cur] == NIL)
			r->cur++;
		if (r->cur == r->nb) {
			q->nr--;
			continue;
		}
		b = r->cur++;
		c = r->count[b];
		head = r->head[b];
		r->head[b] = NIL;
		r->count[b] = 0;
		r->n -= c;
		if (c > THRES && r->width > 1 && q->nr < BSIM__LADDER_RUNGS) {
			struct bsim__rung *child = &q->rung[q->nr];
			uint64_t w = (r->width + c - 1) / c;
			uint64_t nb = (r->width + w - 1) / w;

			rung_reset(child, r->start + (uint64_t)b * r->width, w,
				   (uint32_t)nb);
			q->nr++;
			while (head != NIL) {
				uint32_t next = q->nodes[head].next;

				rung_add(q, child, head);
				head = next;
			}
		} else {
			list_to_bottom(q, head, c);
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

static uint32_t filter_list(struct bsim__ladder *q, uint32_t head,
			    bsim__qkeep_fn keep, void *ctx, uint64_t *kept)
{
	uint32_t out = NIL;

	*kept = 0;
	while (head != NIL) {
		uint32_t next = q->nodes[head].next;

		if (keep(&q->nodes[head], ctx)) {
			q->nodes[head].next = out;
			out = head;
			(*kept)++;
		} else {
			node_free(q, head);
		}
		head = next;
	}
	return out;
}

void bsim__ladder_filter(struct bsim__ladder *q, bsim__qkeep_fn keep, void *ctx)
{
	uint64_t kept, total;
	size_t j = q->bh;

	q->top_head = filter_list(q, q->top_head, keep, ctx, &kept);
	q->top_n = kept;
	total = kept;
	for (unsigned k = 0; k < q->nr; k++) {
		struct bsim__rung *r = &q->rung[k];

		r->n = 0;
		for (uint32_t b = r->cur; b < r->nb; b++) {
			r->head[b] =
				filter_list(q, r->head[b], keep, ctx, &kept);
			r->count[b] = (uint32_t)kept;
			r->n += kept;
		}
		total += r->n;
	}
	for (size_t i = q->bh; i < q->bn; i++)
		if (keep(&q->bot[i], ctx))
			q->bot[j++] = q->bot[i];
	q->bn = j;
	q->size = total + (q->bn - q->bh);
}

size_t bsim__ladder_bytes(const struct bsim__ladder *q)
{
	size_t bytes =
		(size_t)q->ncap * sizeof(*q->nodes) + q->bcap * sizeof(*q->bot);

	for (unsigned r = 0; r < BSIM__LADDER_RUNGS; r++)
		bytes += (size_t)q->rung[r].cap *
			 (sizeof(*q->rung[r].head) + sizeof(*q->rung[r].count));
	return bytes;
}
