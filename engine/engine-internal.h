/* SPDX-License-Identifier: MIT */
/*
 * Between the engine's public front (engine.c, which also holds the native
 * backend) and its ns-3 backend (ns3_backend.c). The model never sees this.
 */
#ifndef BSIM_ENGINE_INTERNAL_H
#define BSIM_ENGINE_INTERNAL_H

#include <blocsim/engine.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct bsim__handler {
	bsim_handler_fn fn;
	void *ctx;
	size_t size; /* Payload bytes, 0..BSIM_PAYLOAD_MAX. */
};

/* Engine state the backends share. */
const struct bsim__handler *bsim__engine_handler(struct bsim_engine *e,
						 unsigned id);
void bsim__engine_set_now(struct bsim_engine *e, bsim_time_ns t);
/* True once if a handler asked the run to stop (and clears the request). */
bool bsim__engine_take_stop(struct bsim_engine *e);

/* The ns-3 backend (built with -Dns3=enabled). */
struct bsim__ns3b;

/* 0 if ns-3 knows the scheduler name (NULL: its default), or an error. */
int bsim__ns3b_check_scheduler(const char *scheduler);
int bsim__ns3b_create(struct bsim_engine *e, const char *scheduler,
		      struct bsim__ns3b **out);
void bsim__ns3b_destroy(struct bsim__ns3b *b);
bsim_event bsim__ns3b_schedule(struct bsim__ns3b *b, bsim_time_ns t,
			       unsigned handler, uint32_t target,
			       const void *payload, size_t size);
bool bsim__ns3b_is_pending(const struct bsim__ns3b *b, bsim_event ev);
bool bsim__ns3b_cancel(struct bsim__ns3b *b, bsim_event ev);
int bsim__ns3b_run_until(struct bsim__ns3b *b, bsim_time_ns limit);
/* Simulator::Stop(): the run returns after the current event. */
void bsim__ns3b_stop(struct bsim__ns3b *b);
void bsim__ns3b_stats(const struct bsim__ns3b *b,
		      struct bsim_engine_stats *out);
const char *bsim__ns3b_name(const struct bsim__ns3b *b);

#endif /* BSIM_ENGINE_INTERNAL_H */
