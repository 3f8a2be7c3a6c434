/* SPDX-License-Identifier: MIT */
/*
 * Billing arithmetic (see billing.h): integer-only, so that two runs, two
 * engines or two machines give the same micro-euro.
 */
#include "billing.h"

#include <blocsim/error.h>

#include <stdlib.h>
#include <string.h>

uint64_t bsim__charged_kb(uint64_t bytes, uint32_t min_kb)
{
	uint64_t kb = bytes / 1000 + (bytes % 1000 != 0);

	return kb > min_kb ? kb : min_kb;
}

int64_t bsim__charge_ueur(uint64_t charged_kb, int64_t rate_ueur_per_mb)
{
	/* kb * rate / 1000, half up; |rate| < 2^40 and kb < 2^23 keep the
	 * product exact, far beyond any session. */
	int64_t p = (int64_t)charged_kb * rate_ueur_per_mb;

	return p >= 0 ? (p + 500) / 1000 : -((-p + 500) / 1000);
}

void bsim__fee_set_finish(struct bsim__fee_set *s)
{
	if (!s)
		return;
	free(s->keys);
	memset(s, 0, sizeof(*s));
}

static inline uint64_t mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= UINT64_C(0xff51afd7ed558ccd);
	x ^= x >> 33;
	return x;
}

/* Insert k (never 0) into a table of cap slots; false if present. */
static bool insert(uint64_t *keys, size_t cap, uint64_t k)
{
	for (size_t i = mix64(k) & (cap - 1);; i = (i + 1) & (cap - 1)) {
		if (keys[i] == k)
			return false;
		if (keys[i] == 0) {
			keys[i] = k;
			return true;
		}
	}
}

static uint64_t fee_key(uint32_t device, uint16_t op, int64_t month)
{
	return (((uint64_t)device << 32) | ((uint64_t)op << 16) |
		(uint64_t)(month & 0xffff)) +
	       1;
}

static bool lookup(const struct bsim__fee_set *s, uint64_t k)
{
	if (!s->cap)
		return false;
	for (size_t i = mix64(k) & (s->cap - 1);; i = (i + 1) & (s->cap - 1)) {
		if (s->keys[i] == k)
			return true;
		if (s->keys[i] == 0)
			return false;
	}
}

static void add(struct bsim__fee_set *s, uint64_t k)
{
	if (2 * (s->n + 1) > s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 1024;
		uint64_t *keys = calloc(cap, sizeof(*keys));

		if (!keys)
			bsim_fatal(BSIM_LOC, "out of memory for access fees");
		for (size_t i = 0; i < s->cap; i++)
			if (s->keys[i])
				insert(keys, cap, s->keys[i]);
		free(s->keys);
		s->keys = keys;
		s->cap = cap;
	}
	if (insert(s->keys, s->cap, k))
		s->n++;
}

bool bsim__fee_due(struct bsim__fee_set *s, uint32_t device,
		   uint16_t visited_op, int64_t month, uint16_t *last_op,
		   uint8_t *last_month)
{
	if (*last_op == visited_op && *last_month == (uint8_t)month)
		return false;
	if (lookup(s, fee_key(device, visited_op, month)))
		return false;
	/* Due. The latest triple goes to the set, unless it is on this
	 * network: its month there is over for good. Its full month is the
	 * one at most a month above this one with the same low 8 bits. */
	if (*last_op != BSIM__FEE_NONE && *last_op != visited_op) {
		int64_t top = month + 1,
			full = top - (int64_t)((uint8_t)(top - *last_month));

		add(s, fee_key(device, *last_op, full));
	}
	*last_op = visited_op;
	*last_month = (uint8_t)month;
	return true;
}

void bsim__settle_net(const int64_t *gross, const bool *net_pair, size_t n,
		      int64_t *net)
{
	for (size_t h = 0; h < n; h++)
		for (size_t v = 0; v < n; v++) {
			int64_t owe = gross[h * n + v];

			if (h != v && net_pair[h * n + v]) {
				int64_t back = gross[v * n + h];

				owe = owe > back ? owe - back : 0;
			}
			net[h * n + v] = owe;
		}
}
