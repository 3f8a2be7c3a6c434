/* SPDX-License-Identifier: MIT */
/*
 * `blocsim bench latency`: the machine's random-access latency at several
 * working-set sizes (a pointer chase through a random cyclic permutation of
 * 64-byte lines, so every load depends on the previous one). It explains
 * the engine benchmark: once the pending events outgrow the caches, an
 * event costs about one of these loads, whatever the structure.
 */
#include "bench.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LINE 16 /* uint32 per 64-byte line */
#define LOADS 20000000

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* ns per dependent load over `lines` 64-byte lines; -1 if out of memory. */
static double chase(size_t lines)
{
	uint32_t *a = malloc(lines * LINE * sizeof(*a));
	uint32_t *perm = malloc(lines * sizeof(*perm));
	uint64_t x = UINT64_C(88172645463325252);
	uint32_t p = 0;
	double t0, t1;

	if (!a || !perm) {
		free(a);
		free(perm);
		return -1;
	}
	for (size_t i = 0; i < lines; i++)
		perm[i] = (uint32_t)i;
	for (size_t i = lines - 1; i > 0; i--) {
		size_t j;
		uint32_t t;

		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		j = (size_t)(x % (i + 1));
		t = perm[i];
		perm[i] = perm[j];
		perm[j] = t;
	}
	for (size_t i = 0; i < lines; i++)
		a[(size_t)perm[i] * LINE] = perm[(i + 1) % lines];
	free(perm);
	t0 = now_s();
	for (long i = 0; i < LOADS; i++)
		p = a[(size_t)p * LINE];
	t1 = now_s();
	/* Use p so the chase cannot be optimised away. */
	if (p == UINT32_MAX)
		fputc('\n', stderr);
	free(a);
	return (t1 - t0) * 1e9 / LOADS;
}

int bsim_bench_latency_main(int argc, char **argv)
{
	static const size_t mib[] = { 1, 16, 256, 1024 };
	double ns[4];

	if (argc > 1) {
		if (!strcmp(argv[1], "--help")) {
			puts("usage: blocsim bench latency\n"
			     "  ns per dependent random load at 1, 16, 256 and "
			     "1024 MiB");
			return 0;
		}
		fprintf(stderr,
			"blocsim bench latency: unexpected argument "
			"'%s'\n",
			argv[1]);
		return 2;
	}
	for (int i = 0; i < 4; i++) {
		ns[i] = chase(mib[i] * 1024 * 1024 / 64);
		if (ns[i] < 0) {
			fprintf(stderr, "blocsim bench latency: out of "
					"memory\n");
			return 1;
		}
		printf("%5zu MiB: %.1f ns per dependent load\n", mib[i], ns[i]);
		fflush(stdout);
	}
	printf("RESULT ns_1mib=%.1f ns_16mib=%.1f ns_256mib=%.1f "
	       "ns_1024mib=%.1f\n",
	       ns[0], ns[1], ns[2], ns[3]);
	return 0;
}
