/* SPDX-License-Identifier: MIT */
/*
 * Ladder queue (Tang, Goh and Thng, "Ladder Queue: An O(1) Priority Queue
 * Structure for Large-Scale Discrete Event Simulation", ACM TOMACS 15(3),
 * 2005), on integer nanosecond times with (time, sequence) ties.
 *
 * Events far in the future go to an unsorted top. When the rest runs dry,
 * the top's earliest events are spread over rung 0; a bucket with more than
 * THRES events spawns a finer rung; a smaller one (or one that cannot be
 * split: width 1 ns, or all rungs in use) is sorted into the bottom, a short
 * ascending array popped from its head. Widths follow the events, not a
 * fixed time scale, which is why a mix of 10 ms signalling and 6 h sleep
 * timers does not break it as it breaks a calendar queue tuned to one
 * scale. Each event is moved a bounded number of times: O(1) amortised.
 *
 * Memory layout decides the speed at 10^6 pending events and more, where a
 * random access is a cache miss (100-280 ns on the machines we measured)
 * and comparisons are free. So every move streams: the top and bucket
 * overflow are lists of 1 KiB chunks appended at their head chunk; a rung
 * has at most MAX_BUCKETS buckets, so its bookkeeping and open chunks stay
 * in cache while events are scattered over it (a radix-sort pass rather
 * than one random write per event); a bucket's first event is stored
 * inline, since fine rungs hold about one event per bucket.
 */
#include "queue.h"

#include <blocsim/error.h>

#include <stdlib.h>
#include <string.h>

#define NIL UINT32_MAX
#define THRES 50
/* Most buckets per rung: the bookkeeping of 4096 buckets and one open line
 * each stay in L2 while a rung is filled. */
#define MAX_BUCKETS 4096

/* Chunk c of the arena. */
static inline struct bsim__chunk *chunk(const struct bsim__ladder *q,
					uint32_t c)
{
	return &q->blocks[c >> BSIM__BLOCK_SHIFT][c & (BSIM__BLOCK_CHUNKS - 1)];
}

static uint32_t chunk_alloc(struct bsim__ladder *q)
{
	uint32_t c;

	if (q->cfree != NIL) {
		c = q->cfree;
		q->cfree = chunk(q, c)->next;
		return c;
	}
	if (q->cused == q->nblocks * BSIM__BLOCK_CHUNKS) {
		if (q->cused >= NIL / 2)
			bsim_fatal(BSIM_LOC, "ladder queue over %u chunks",
				   NIL / 2);
		if (q->nblocks == q->blocks_cap) {
			size_t cap = q->blocks_cap ? 2 * q->blocks_cap : 16;
			void *t = realloc(q->blocks, cap * sizeof(*q->blocks));

			if (!t)
				bsim_fatal(BSIM_LOC, "out of memory for the "
						     "ladder's block table");
			q->blocks = t;
			q->blocks_cap = cap;
		}
		q->blocks[q->nblocks] = aligned_alloc(
			BSIM__QENT_ALIGN,
			BSIM__BLOCK_CHUNKS * sizeof(struct bsim__chunk));
		if (!q->blocks[q->nblocks++])
			bsim_fatal(BSIM_LOC,
				   "out of memory growing the ladder queue "
				   "past %u chunks",
				   q->cused);
	}
	return q->cused++;
}

static void chunk_free(struct bsim__ladder *q, uint32_t c)
{
	chunk(q, c)->next = q->cfree;
	q->cfree = c;
}

/*
 * Append x to the chunk list at *head, which holds m entries: every chunk
 * but the head one is full, so the fill comes from m and the push never
 * reads the chunk header (one cache miss fewer per event when the head
 * chunks of a rung's 4096 buckets no longer fit in cache).
 */
static inline void list_push(struct bsim__ladder *q, uint32_t *head, uint64_t m,
			     const struct bsim__qent *x)
{
	uint32_t idx = (uint32_t)(m % BSIM__CHUNK_ENTRIES);
	struct bsim__chunk *c;

	if (idx == 0) {
		uint32_t i = chunk_alloc(q);

		chunk(q, i)->next = *head;
		*head = i;
	}
	c = chunk(q, *head);
	c->e[idx] = *x;
	c->n = idx + 1;
}

/* Start fetching chunk c while the current one is being read. */
static inline void chunk_prefetch(const struct bsim__ladder *q, uint32_t c)
{
#if defined(__GNUC__)
	if (c != NIL) {
		const struct bsim__chunk *p = chunk(q, c);

		__builtin_prefetch(&p->next);
		__builtin_prefetch(&p->e[0]);
		__builtin_prefetch(&p->e[1]);
	}
#else
	(void)q;
	(void)c;
#endif
}

int bsim__ladder_init(struct bsim__ladder *q, size_t capacity_hint)
{
	/* The arena grows on demand without copies: no reservation needed. */
	(void)capacity_hint;
	memset(q, 0, sizeof(*q));
	q->cfree = NIL;
	q->top = NIL;
	q->top_min = UINT64_MAX;
	q->bot = bsim__grow_aligned(NULL, &q->bcap, 0, 256, sizeof(*q->bot));
	return 0;
}

void bsim__ladder_finish(struct bsim__ladder *q)
{
	if (!q)
		return;
	for (unsigned r = 0; r < BSIM__LADDER_RUNGS; r++) {
		free(q->rung[r].bk);
		free(q->rung[r].first);
	}
	for (size_t b = 0; b < q->nblocks; b++)
		free(q->blocks[b]);
	free(q->blocks);
	free(q->bot);
	memset(q, 0, sizeof(*q));
}

/* Make room for nb empty buckets in rung r. */
static void rung_reset(struct bsim__rung *r, uint64_t start, uint64_t width,
		       uint32_t nb)
{
	if (nb > r->cap) {
		size_t cap = r->cap;

		free(r->bk);
		free(r->first);
		r->bk = bsim__grow_aligned(NULL, &cap, 0, nb, sizeof(*r->bk));
		cap = r->cap;
		r->first = bsim__grow_aligned(NULL, &cap, 0, nb,
					      sizeof(*r->first));
		r->cap = cap;
	}
	for (uint32_t b = 0; b < nb; b++)
		r->bk[b] = (struct bsim__bucket){ NIL, 0 };
	r->start = start;
	r->width = width;
	r->nb = nb;
	r->cur = 0;
	r->n = 0;
}

static inline void rung_add(struct bsim__ladder *q, struct bsim__rung *r,
			    const struct bsim__qent *x)
{
	uint64_t b = (x->t - r->start) / r->width;

	if (r->bk[b].count++ == 0)
		r->first[b] = *x;
	else
		list_push(q, &r->bk[b].head, r->bk[b].count - 2, x);
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
		q->bot = bsim__grow_aligned(q->bot, &q->bcap, q->bn,
					    q->bn + extra, sizeof(*q->bot));
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

void bsim__ladder_push(struct bsim__ladder *q, const struct bsim__qent *x)
{
	q->size++;
	if (x->t >= q->top_start) {
		list_push(q, &q->top, q->top_n++, x);
		if (x->t < q->top_min)
			q->top_min = x->t;
		if (x->t > q->top_max)
			q->top_max = x->t;
		return;
	}
	for (unsigned k = 0; k < q->nr; k++) {
		struct bsim__rung *r = &q->rung[k];

		if (x->t >= r->start + (uint64_t)r->cur * r->width) {
			rung_add(q, r, x);
			return;
		}
	}
	bottom_insert(q, x);
}

/* Sort a[0..n) by (time, sequence): insertion sort below 24 entries,
 * else quicksort on the median of three, recursing into the smaller side
 * (depth <= log2 n). Inline comparisons: a bucket is sorted at every
 * transfer to the bottom, and qsort()'s call per comparison cost 7% of a
 * model run. Keys are unique, so stability does not matter. */
static void sort_qents(struct bsim__qent *a, size_t n)
{
	while (n >= 24) {
		struct bsim__qent p, t;
		size_t i = 0, j = n - 1, mid = n / 2;

		/* Median of three into a[mid]; a[0] <= a[mid] <= a[n-1]. */
		if (bsim__qent_before(&a[mid], &a[0]))
			t = a[mid], a[mid] = a[0], a[0] = t;
		if (bsim__qent_before(&a[n - 1], &a[mid])) {
			t = a[mid], a[mid] = a[n - 1], a[n - 1] = t;
			if (bsim__qent_before(&a[mid], &a[0]))
				t = a[mid], a[mid] = a[0], a[0] = t;
		}
		p = a[mid];
		/* Hoare partition: [0, i) <= p, (j, n) >= p. */
		for (;;) {
			while (bsim__qent_before(&a[i], &p))
				i++;
			while (bsim__qent_before(&p, &a[j]))
				j--;
			if (i >= j)
				break;
			t = a[i], a[i] = a[j], a[j] = t;
			i++;
			j--;
		}
		/* a[0..j] and a[j+1..n) */
		if (j + 1 < n - (j + 1)) {
			sort_qents(a, j + 1);
			a += j + 1;
			n -= j + 1;
		} else {
			sort_qents(a + j + 1, n - (j + 1));
			n = j + 1;
		}
	}
	for (size_t k = 1; k < n; k++) {
		struct bsim__qent x = a[k];
		size_t j = k;

		while (j > 0 && bsim__qent_before(&x, &a[j - 1])) {
			a[j] = a[j - 1];
			j--;
		}
		a[j] = x;
	}
}

/* Move bucket b of rung r into the (empty) bottom and sort it. */
static void bucket_to_bottom(struct bsim__ladder *q, struct bsim__rung *r,
			     uint32_t b)
{
	uint32_t c = r->bk[b].head;

	q->bh = q->bn = 0;
	bottom_reserve(q, r->bk[b].count);
	q->bot[q->bn++] = r->first[b];
	while (c != NIL) {
		uint32_t next = chunk(q, c)->next;

		chunk_prefetch(q, next);
		memcpy(q->bot + q->bn, chunk(q, c)->e,
		       chunk(q, c)->n * sizeof(*q->bot));
		q->bn += chunk(q, c)->n;
		chunk_free(q, c);
		c = next;
	}
	sort_qents(q->bot, q->bn);
}

/*
 * Spread the chunk list at head over rung `to`, freeing each chunk once
 * read (rung_add() allocates chunks, but the arena never moves, so the
 * chunk being read stays valid).
 */
static void list_to_rung(struct bsim__ladder *q, uint32_t head,
			 struct bsim__rung *to)
{
	while (head != NIL) {
		uint32_t next = chunk(q, head)->next;

		chunk_prefetch(q, next);
		for (uint32_t i = 0; i < chunk(q, head)->n; i++) {
			struct bsim__qent x = chunk(q, head)->e[i];

			rung_add(q, to, &x);
		}
		chunk_free(q, head);
		head = next;
	}
}

/* Spread bucket b of rung r over rung `to`. */
static void bucket_to_rung(struct bsim__ladder *q, struct bsim__rung *r,
			   uint32_t b, struct bsim__rung *to)
{
	rung_add(q, to, &r->first[b]);
	list_to_rung(q, r->bk[b].head, to);
}

/* Spread the top over a fresh rung 0 and empty it. */
static void top_to_rung(struct bsim__ladder *q)
{
	struct bsim__rung *r = &q->rung[0];
	uint64_t span = q->top_max - q->top_min;
	uint64_t nb = q->top_n < MAX_BUCKETS ? q->top_n : MAX_BUCKETS;
	/* The paper's span / count, over at most MAX_BUCKETS buckets. Skewed
	 * times crowd the early buckets, which then spawn finer rungs: cheap
	 * with chunked buckets, and covering the whole top means no event is
	 * scanned twice. */
	uint64_t width = span / nb + 1;

	nb = span / width + 1;
	rung_reset(r, q->top_min, width, (uint32_t)nb);
	q->nr = 1;
	list_to_rung(q, q->top, r);
	q->top = NIL;
	q->top_start = q->top_max + 1;
	q->top_n = 0;
	q->top_min = UINT64_MAX;
	q->top_max = 0;
}

/* Make the bottom non-empty; false when the queue is empty. */
static bool refill(struct bsim__ladder *q)
{
	while (q->bh == q->bn) {
		struct bsim__rung *r;
		uint32_t b, count;

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
		b = r->cur++;
		count = r->bk[b].count;
		r->n -= count;
		if (count > THRES && r->width > 1 &&
		    q->nr < BSIM__LADDER_RUNGS) {
			struct bsim__rung *child = &q->rung[q->nr];
			uint64_t nb = count < MAX_BUCKETS ? count : MAX_BUCKETS;
			uint64_t w = (r->width + nb - 1) / nb;

			nb = (r->width + w - 1) / w;
			rung_reset(child, r->start + (uint64_t)b * r->width, w,
				   (uint32_t)nb);
			q->nr++;
			bucket_to_rung(q, r, b, child);
		} else {
			bucket_to_bottom(q, r, b);
		}
		r->bk[b] = (struct bsim__bucket){ NIL, 0 };
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

/* Rebuild the chunk list at *head with the entries keep() accepts; each
 * old chunk is freed once copied out, so the rebuild needs no extra
 * memory. */
static uint64_t filter_list(struct bsim__ladder *q, uint32_t *head,
			    bsim__qkeep_fn keep, void *ctx)
{
	uint32_t c = *head, out = NIL;
	uint64_t kept = 0;

	while (c != NIL) {
		uint32_t next = chunk(q, c)->next, n = chunk(q, c)->n;
		struct bsim__qent e[BSIM__CHUNK_ENTRIES];

		memcpy(e, chunk(q, c)->e, n * sizeof(e[0]));
		chunk_free(q, c);
		for (uint32_t i = 0; i < n; i++)
			if (keep(&e[i], ctx)) {
				list_push(q, &out, kept++, &e[i]);
			}
		c = next;
	}
	*head = out;
	return kept;
}

static uint32_t filter_bucket(struct bsim__ladder *q, struct bsim__rung *r,
			      uint32_t b, bsim__qkeep_fn keep, void *ctx)
{
	struct bsim__qent first = r->first[b];
	uint32_t rest = r->bk[b].head;
	bool had = r->bk[b].count > 0;

	r->bk[b] = (struct bsim__bucket){ NIL, 0 };
	if (!had)
		return 0;
	if (keep(&first, ctx))
		rung_add(q, r, &first);
	filter_list(q, &rest, keep, ctx);
	list_to_rung(q, rest, r);
	return r->bk[b].count;
}

void bsim__ladder_filter(struct bsim__ladder *q, bsim__qkeep_fn keep, void *ctx)
{
	uint64_t total;
	size_t j = q->bh;

	q->top_n = filter_list(q, &q->top, keep, ctx);
	total = q->top_n;
	for (unsigned k = 0; k < q->nr; k++) {
		struct bsim__rung *r = &q->rung[k];

		r->n = 0;
		for (uint32_t b = r->cur; b < r->nb; b++)
			filter_bucket(q, r, b, keep, ctx);
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
	size_t bytes = q->cused * sizeof(struct bsim__chunk) +
		       q->bcap * sizeof(*q->bot);

	for (unsigned r = 0; r < BSIM__LADDER_RUNGS; r++)
		bytes += q->rung[r].cap *
			 (sizeof(*q->rung[r].bk) + sizeof(*q->rung[r].first));
	return bytes;
}
