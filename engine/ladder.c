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
 * random access is a cache miss (~100-200 ns) and the comparisons are free.
 * So every move streams: the top and bucket overflow are lists of 512-byte
 * chunks, appended at their head chunk; a rung has at most MAX_BUCKETS
 * buckets, so the buckets and their open chunks stay in cache while events
 * are scattered over them (a radix-sort pass rather than random writes into
 * one bucket per event); a fine rung's bucket holds its first event inline.
 * Left alone, the one miss per event would be the event's pool record, so
 * the ladder prefetches those a few buckets ahead (set_prefetch).
 */
#include "queue.h"

#include <blocsim/error.h>

#include <stdlib.h>
#include <string.h>

#define NIL UINT32_MAX
#define THRES 50
/* Most buckets per rung: 4096 buckets (128 KiB) plus one open chunk line
 * each fit in L2, so scattering events over a rung hits cache. */
#define MAX_BUCKETS 4096
/* Buckets ahead whose first event's pool record is prefetched. */
#define PREFETCH_BUCKETS 8

#if defined(__GNUC__)
#define PREFETCH(p) __builtin_prefetch((p))
#else
#define PREFETCH(p) ((void)(p))
#endif

static void *grow_array(void *a, size_t *cap, size_t want, size_t elem)
{
	size_t c = *cap ? *cap : 64;

	while (c < want)
		c *= 2;
	a = realloc(a, c * elem);
	if (!a)
		bsim_fatal(BSIM_LOC,
			   "out of memory growing the ladder to %zu "
			   "elements",
			   c);
	*cap = c;
	return a;
}

static uint32_t chunk_alloc(struct bsim__ladder *q)
{
	uint32_t c;

	if (q->cfree == NIL) {
		size_t cap = q->ccap;

		if (cap >= NIL / 2)
			bsim_fatal(BSIM_LOC, "ladder queue over %u chunks",
				   NIL / 2);
		q->chunks = grow_array(q->chunks, &cap, cap + 1,
				       sizeof(*q->chunks));
		for (size_t i = cap; i-- > q->ccap;) {
			q->chunks[i].next = q->cfree;
			q->cfree = (uint32_t)i;
		}
		q->ccap = (uint32_t)cap;
	}
	c = q->cfree;
	q->cfree = q->chunks[c].next;
	q->cused++;
	return c;
}

static void chunk_free(struct bsim__ladder *q, uint32_t c)
{
	q->chunks[c].next = q->cfree;
	q->cfree = c;
	q->cused--;
}

/* Append x to the chunk list at *head (order within a list is free). */
static inline void list_push(struct bsim__ladder *q, uint32_t *head,
			     const struct bsim__qent *x)
{
	struct bsim__chunk *c;

	if (*head == NIL || q->chunks[*head].n == BSIM__CHUNK_ENTRIES) {
		uint32_t i = chunk_alloc(q);

		q->chunks[i].next = *head;
		q->chunks[i].n = 0;
		*head = i;
	}
	c = &q->chunks[*head];
	c->e[c->n++] = *x;
}

int bsim__ladder_init(struct bsim__ladder *q, size_t capacity_hint)
{
	size_t chunks = capacity_hint / BSIM__CHUNK_ENTRIES + 16;

	memset(q, 0, sizeof(*q));
	q->cfree = NIL;
	q->top = NIL;
	q->top_min = UINT64_MAX;
	q->bot = grow_array(NULL, &q->bcap, 256, sizeof(*q->bot));
	if (chunks > NIL / 4)
		chunks = NIL / 4;
	q->chunks = grow_array(NULL, &chunks, chunks, sizeof(*q->chunks));
	for (size_t i = chunks; i-- > 0;) {
		q->chunks[i].next = q->cfree;
		q->cfree = (uint32_t)i;
	}
	q->ccap = (uint32_t)chunks;
	return 0;
}

void bsim__ladder_finish(struct bsim__ladder *q)
{
	if (!q)
		return;
	for (unsigned r = 0; r < BSIM__LADDER_RUNGS; r++)
		free(q->rung[r].bk);
	free(q->chunks);
	free(q->bot);
	memset(q, 0, sizeof(*q));
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

static inline void bucket_add(struct bsim__ladder *q, struct bsim__bucket *b,
			      const struct bsim__qent *x)
{
	if (b->count++ == 0) {
		b->t = x->t;
		b->seq = x->seq;
		b->slot = x->slot;
	} else {
		list_push(q, &b->head, x);
	}
}

static inline void rung_add(struct bsim__ladder *q, struct bsim__rung *r,
			    const struct bsim__qent *x)
{
	bucket_add(q, &r->bk[(x->t - r->start) / r->width], x);
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
	struct bsim__qent x = { .t = t, .seq = seq, .slot = slot };

	q->size++;
	if (t >= q->top_start) {
		list_push(q, &q->top, &x);
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
			rung_add(q, r, &x);
			return;
		}
	}
	bottom_insert(q, &x);
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
	uint32_t c = b->head;

	q->bh = q->bn = 0;
	bottom_reserve(q, b->count);
	q->bot[q->bn++] = (struct bsim__qent){ b->t, b->seq, b->slot, 0 };
	while (c != NIL) {
		uint32_t next = q->chunks[c].next;

		memcpy(q->bot + q->bn, q->chunks[c].e,
		       q->chunks[c].n * sizeof(*q->bot));
		q->bn += q->chunks[c].n;
		chunk_free(q, c);
		c = next;
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
	struct bsim__qent first = { b->t, b->seq, b->slot, 0 };
	uint32_t c = b->head;

	rung_add(q, to, &first);
	/* rung_add() may grow the arena: copy entries out, never hold
	 * pointers into it across the call. */
	while (c != NIL) {
		uint32_t next = q->chunks[c].next;

		for (uint32_t i = 0; i < q->chunks[c].n; i++) {
			struct bsim__qent x = q->chunks[c].e[i];

			rung_add(q, to, &x);
		}
		chunk_free(q, c);
		c = next;
	}
}

static int cmp_u64(const void *pa, const void *pb)
{
	uint64_t a = *(const uint64_t *)pa, b = *(const uint64_t *)pb;

	return a < b ? -1 : a > b;
}

/*
 * Rung 0's bucket width: the span of the top's earlier half spread over
 * half the buckets, from SAMPLES entries taken across the top's chunks.
 * The paper's span / count crowds the early buckets when times are skewed
 * (exponential, or 10 ms next to 6 h); the median is robust to the tail.
 */
#define SAMPLES 255
static uint64_t top_width(const struct bsim__ladder *q, uint64_t nb)
{
	uint64_t s[SAMPLES], med;
	size_t n = 0, stride;

	if (q->top_n <= 2 * SAMPLES || nb < 2)
		return (q->top_max - q->top_min) / nb + 1;
	stride = q->top_n / SAMPLES;
	for (uint32_t c = q->top, k = 0; c != NIL && n < SAMPLES;
	     c = q->chunks[c].next)
		for (uint32_t i = 0; i < q->chunks[c].n && n < SAMPLES;
		     i++, k++)
			if (k % stride == 0)
				s[n++] = q->chunks[c].e[i].t;
	qsort(s, n, sizeof(s[0]), cmp_u64);
	med = s[n / 2];
	return (med - q->top_min) / (nb / 2) + 1;
}

/*
 * Spread the top's earliest events over a fresh rung 0; later events stay
 * in the top for the next transfer.
 */
static void top_to_rung(struct bsim__ladder *q)
{
	struct bsim__rung *r = &q->rung[0];
	uint64_t nb = q->top_n < MAX_BUCKETS ? q->top_n : MAX_BUCKETS;
	uint64_t width = top_width(q, nb);
	uint64_t span_nb = (q->top_max - q->top_min) / width + 1;
	uint64_t end, min = UINT64_MAX, max = 0, kept = 0;
	uint32_t c = q->top, rest = NIL;

	if (span_nb < nb)
		nb = span_nb;
	end = q->top_min + nb * width;
	rung_reset(r, q->top_min, width, (uint32_t)nb);
	q->nr = 1;
	while (c != NIL) {
		uint32_t next = q->chunks[c].next;

		for (uint32_t i = 0; i < q->chunks[c].n; i++) {
			struct bsim__qent x = q->chunks[c].e[i];

			if (x.t < end) {
				rung_add(q, r, &x);
			} else {
				list_push(q, &rest, &x);
				kept++;
				min = x.t < min ? x.t : min;
				max = x.t > max ? x.t : max;
			}
		}
		chunk_free(q, c);
		c = next;
	}
	q->top = rest;
	q->top_start = end;
	q->top_n = kept;
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

			if (a->count)
				PREFETCH(q->pf_base + a->slot * q->pf_stride);
		}
		b = r->bk[r->cur];
		r->bk[r->cur].count = 0;
		r->bk[r->cur].head = NIL;
		r->n -= b.count;
		if (b.count > THRES && r->width > 1 &&
		    q->nr < BSIM__LADDER_RUNGS) {
			struct bsim__rung *child = &q->rung[q->nr];
			uint64_t nb =
				b.count < MAX_BUCKETS ? b.count : MAX_BUCKETS;
			uint64_t w = (r->width + nb - 1) / nb;

			nb = (r->width + w - 1) / w;
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

/* Rebuild the chunk list at *head with the entries keep() accepts; each
 * old chunk is freed once read, so the rebuild needs no extra memory. */
static uint64_t filter_list(struct bsim__ladder *q, uint32_t *head,
			    bsim__qkeep_fn keep, void *ctx)
{
	uint32_t c = *head, out = NIL;
	uint64_t kept = 0;

	while (c != NIL) {
		struct bsim__chunk old = q->chunks[c];

		chunk_free(q, c);
		for (uint32_t i = 0; i < old.n; i++)
			if (keep(&old.e[i], ctx)) {
				list_push(q, &out, &old.e[i]);
				kept++;
			}
		c = old.next;
	}
	*head = out;
	return kept;
}

static uint32_t filter_bucket(struct bsim__ladder *q, struct bsim__bucket *b,
			      bsim__qkeep_fn keep, void *ctx)
{
	struct bsim__qent first = { b->t, b->seq, b->slot, 0 };
	uint32_t rest;

	if (b->count == 0)
		return 0;
	rest = b->head;
	b->head = NIL;
	b->count = 0;
	if (keep(&first, ctx))
		bucket_add(q, b, &first);
	filter_list(q, &rest, keep, ctx);
	for (uint32_t c = rest; c != NIL;) {
		uint32_t next = q->chunks[c].next;

		for (uint32_t i = 0; i < q->chunks[c].n; i++) {
			struct bsim__qent x = q->chunks[c].e[i];

			bucket_add(q, b, &x);
		}
		chunk_free(q, c);
		c = next;
	}
	return b->count;
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
			r->n += filter_bucket(q, &r->bk[b], keep, ctx);
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
	size_t bytes = (size_t)q->ccap * sizeof(*q->chunks) +
		       q->bcap * sizeof(*q->bot);

	for (unsigned r = 0; r < BSIM__LADDER_RUNGS; r++)
		bytes += (size_t)q->rung[r].cap * sizeof(*q->rung[r].bk);
	return bytes;
}
