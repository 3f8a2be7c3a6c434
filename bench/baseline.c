/* SPDX-License-Identifier: MIT */
/*
 * A deliberately minimal binary min-heap of 16-byte (time, seq, target)
 * records, written only as the yardstick of `blocsim bench engine
 * --compare`: pop moves the last record to the root and sifts it down,
 * push sifts up. It is what a competent first implementation looks like,
 * so ratios against it say what the engine's structure buys.
 */
#include "bench.h"

#include <blocsim/error.h>

#include <stdlib.h>

static inline int before(const struct bsim__baseline_rec *a,
			 const struct bsim__baseline_rec *b)
{
	return a->t < b->t || (a->t == b->t && a->seq < b->seq);
}

int bsim__baseline_init(struct bsim__baseline *h, uint64_t cap)
{
	h->cap = cap < 16 ? 16 : cap;
	h->n = 0;
	h->a = malloc(h->cap * sizeof(*h->a));
	return h->a ? 0 : BSIM_ENOMEM;
}

void bsim__baseline_finish(struct bsim__baseline *h)
{
	free(h->a);
	h->a = NULL;
	h->n = h->cap = 0;
}

void bsim__baseline_push(struct bsim__baseline *h, struct bsim__baseline_rec x)
{
	uint64_t i;

	if (h->n == h->cap) {
		struct bsim__baseline_rec *a =
			realloc(h->a, 2 * h->cap * sizeof(*a));

		if (!a)
			bsim_fatal(BSIM_LOC, "out of memory");
		h->a = a;
		h->cap *= 2;
	}
	i = h->n++;
	h->a[i] = x;
	while (i > 0 && before(&h->a[i], &h->a[(i - 1) / 2])) {
		struct bsim__baseline_rec tmp = h->a[i];

		h->a[i] = h->a[(i - 1) / 2];
		h->a[(i - 1) / 2] = tmp;
		i = (i - 1) / 2;
	}
}

struct bsim__baseline_rec bsim__baseline_pop(struct bsim__baseline *h)
{
	struct bsim__baseline_rec top = h->a[0];
	uint64_t i = 0;

	h->a[0] = h->a[--h->n];
	for (;;) {
		uint64_t l = 2 * i + 1, r = l + 1, m = i;

		if (l < h->n && before(&h->a[l], &h->a[m]))
			m = l;
		if (r < h->n && before(&h->a[r], &h->a[m]))
			m = r;
		if (m == i)
			break;
		struct bsim__baseline_rec tmp = h->a[i];

		h->a[i] = h->a[m];
		h->a[m] = tmp;
		i = m;
	}
	return top;
}
