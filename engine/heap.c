/* SPDX-License-Identifier: MIT */
/*
 * Implicit 4-ary min-heap of 24-byte entries keyed by (time, sequence).
 * A 4-ary heap is half as deep as a binary one, so a sift-down touches half
 * as many levels; at 10^6 pending events and more the cost per event is the
 * cache misses of the sift, not the comparisons. Entries move with a hole
 * instead of swaps. The array doubles when full; filter() may shrink it.
 */
#include "queue.h"

#include <blocsim/error.h>

#include <stdlib.h>
#include <string.h>

#define ARITY 4

int bsim__heap_init(struct bsim__heap *h, size_t capacity_hint)
{
	memset(h, 0, sizeof(*h));
	h->a = bsim__grow_aligned(NULL, &h->cap, 0,
				  capacity_hint < 64 ? 64 : capacity_hint,
				  sizeof(*h->a));
	return 0;
}

void bsim__heap_finish(struct bsim__heap *h)
{
	if (!h)
		return;
	free(h->a);
	memset(h, 0, sizeof(*h));
}

static void sift_up(struct bsim__qent *a, size_t i, const struct bsim__qent *x)
{
	while (i > 0) {
		size_t p = (i - 1) / ARITY;

		if (!bsim__qent_before(x, &a[p]))
			break;
		a[i] = a[p];
		i = p;
	}
	a[i] = *x;
}

static void sift_down(struct bsim__qent *a, size_t n, size_t i,
		      const struct bsim__qent *x)
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
		if (!bsim__qent_before(&a[best], x))
			break;
		a[i] = a[best];
		i = best;
	}
	a[i] = *x;
}

void bsim__heap_push(struct bsim__heap *h, const struct bsim__qent *x)
{
	if (h->n == h->cap)
		h->a = bsim__grow_aligned(h->a, &h->cap, h->n, h->n + 1,
					  sizeof(*h->a));
	sift_up(h->a, h->n++, x);
}

const struct bsim__qent *bsim__heap_peek(struct bsim__heap *h)
{
	return h->n ? &h->a[0] : NULL;
}

void bsim__heap_pop(struct bsim__heap *h)
{
	if (--h->n > 0) {
		struct bsim__qent last = h->a[h->n];

		sift_down(h->a, h->n, 0, &last);
	}
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
		if (i < h->n) {
			struct bsim__qent x = h->a[i];

			sift_down(h->a, h->n, i, &x);
		}
}

size_t bsim__heap_bytes(const struct bsim__heap *h)
{
	return h->cap * sizeof(*h->a);
}
