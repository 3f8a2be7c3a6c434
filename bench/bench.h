/* SPDX-License-Identifier: MIT */
/*
 * Benchmark programs behind `blocsim bench ...`. Each entry point parses
 * its own options, prints human text and a last line of key=value pairs
 * starting with "RESULT", and returns a process exit status (0 ok, 2 bad
 * options, 1 failure).
 */
#ifndef BSIM_BENCH_H
#define BSIM_BENCH_H

#include <stdint.h>

/* `blocsim bench engine`: the HOLD model on a chosen queue. */
int bsim_bench_engine_main(int argc, char **argv);

/* `blocsim bench model`: the default world scaled to N devices. */
int bsim_bench_model_main(int argc, char **argv);

/* `blocsim bench latency`: random-access latency by working-set size. */
int bsim_bench_latency_main(int argc, char **argv);

/*
 * The minimal binary heap of 16-byte records that the engine is measured
 * against: no pool, no handles, no cancellation.
 */
struct bsim__baseline_rec {
	uint64_t t;	 /* Event time, ns. */
	uint32_t seq;	 /* Scheduling order (ties). */
	uint32_t target; /* Entity id. */
};

struct bsim__baseline {
	struct bsim__baseline_rec *a;
	uint64_t n, cap;
};

int bsim__baseline_init(struct bsim__baseline *h, uint64_t cap);
void bsim__baseline_finish(struct bsim__baseline *h);
void bsim__baseline_push(struct bsim__baseline *h, struct bsim__baseline_rec x);
/* Remove and return the minimum; the heap must not be empty. */
struct bsim__baseline_rec bsim__baseline_pop(struct bsim__baseline *h);

#endif /* BSIM_BENCH_H */
