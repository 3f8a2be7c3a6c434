/* SPDX-License-Identifier: MIT */
/*
 * Implicit 4-ary min-heap of 24-byte entries keyed by (time, sequence).
 * Four children share at most two cache lines, so a sift-down touches half
 * as many lines as a binary heap at the same size: at 10^6 pending events
 * and more, the cost per event is the cache misses of the sift, not the
 * comparisons. Entries are moved with a hole instead of swapped. The array
 * doubles when full; it never shrinks except through filter().
 */
#include "queue.h"

#include <blocsim/error.h>

#include <stdlib.h>
#include <string.h>

#define ARITY 4

int bsim__heap_init(struct bsim__heap *h, size_t capacity_hint)
{
	size_t cap = capacity_hint < 64 ? 64 : capacity_hint;

	h->a = malloc(cap * sizeof(*h->a));
	if (!h->a)
		return BSIM_ENOMEM;
	h->n = 0;
	h->cap = cap;
	return 0;
}

void bsim__heap_finish(struct bsim__heap *h)
{
	if (!h)
		return;
	free(h->a);
	memset(h, 0, sizeof(*h));
}

static void sift_up(struct bsim__qent *a, size_t i, struct bsim__qent x)
{
	while (i > 0) {
		size_t p = (i - 1) / ARITY;

		if (!bsim__qent_before(&x, &a[p]))
			break;
		a[i] = a[p];
		i = p;
	}
	a[i] = x;
}

static void sift_down(struct bsim__qent *a, size_t n, size_t i,
		      struct bsim__qent x)
{
	for (;;) {
		size_t c = ARITY * i + 1, best, end;

		if (c >= n)
			break;
		best = c;
		end = c + ARITY < n ? c + ARITY : n;
		for (size_t k = c + 1; k < end; k++)
			if (bsim__qent_before(&a[k], &a[best]))
				best = k;
		if (!bsim__qent_before(&a[best], &x))
			break;
		a[i] = a[best];
		i = best;
	}
	a[i] = x;
}

void bsim__heap_push(struct bsim__heap *h, uint64_t t, uint64_t seq,
		     uint32_t slot)
{
	struct bsim__qent x = { .t = t, .seq = seq, .slot = slot };

	if (h->n == h->cap) {
		size_t cap = h->cap * 2;
		struct bsim__qent *a = realloc(h->a, cap * sizeof(*a));

		if (!a)
			bsim_fatal(BSIM_LOC,
				   "out of memory growing the heap "
				   "to %zu entries",
				   cap);
		h->a = a;
		h->cap = cap;
	}
	sift_up(h->a, h->n++, x);
}

const struct bsim__qent *bsim__heap_peek(struct bsim__heap *h)
{
	return h->n ? &h->a[0] : NULL;
}

void bsim__heap_pop(struct bsim__heap *h)
{
	if (--h->n > 0)
		sift_down(h->a, h->n, 0, h->a[h->n]);
}

void bsim__heap_filter(struct bsim__heap *h, bsim__qkeep_fn keep, void *ctx)
{
	size_t j = 0;

	for (size_t i = 0; i < h->n; i++)
		if (keep(&h->a[i], ctx))
			h->a[j++] = h->a[i];
	h->n = j;
	/* Floyd's bottom-up heap construction: O(n). */
	for (size_t i = h->n / ARITY + 1; i-- > 0;)
		if (i < h->n)
			sift_down(h->a, h->n, i, h->a[i]);
	if (h->cap > 64 && h->n < h->cap / 4) {
		size_t cap = h->n * 2 < 64 ? 64 : h->n * 2;
		struct bsim__qent *a = realloc(h->a, cap * sizeof(*a));

		if (a) {
			h->a = a;
			h->cap = cap;
		}
	}
}

size_t bsim__heap_bytes(const struct bsim__heap *h)
{
	return h->cap * sizeof(*h->a);
}
