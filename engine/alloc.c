/* SPDX-License-Identifier: MIT */
/*
 * Growth of the engine's large arrays. Entry arrays are aligned to a cache
 * line, so that three lines hold eight 24-byte entries exactly. realloc() keeps no
 * alignment, so growth allocates, copies and frees; it doubles, so the
 * copies are amortised O(1) per element and never happen per event in
 * steady state.
 */
#include "queue.h"

#include <blocsim/error.h>

#include <stdlib.h>
#include <string.h>

void *bsim__grow_aligned(void *a, size_t *cap, size_t n_old, size_t want,
			 size_t elem)
{
	size_t c = *cap ? *cap : 64, bytes;
	void *b;

	while (c < want)
		c *= 2;
	bytes = c * elem;
	bytes = (bytes + BSIM__QENT_ALIGN - 1) &
		~(size_t)(BSIM__QENT_ALIGN - 1);
	b = aligned_alloc(BSIM__QENT_ALIGN, bytes);
	if (!b)
		bsim_fatal(BSIM_LOC,
			   "out of memory growing an array to %zu "
			   "bytes",
			   bytes);
	if (a) {
		memcpy(b, a, n_old * elem);
		free(a);
	}
	*cap = c;
	return b;
}
