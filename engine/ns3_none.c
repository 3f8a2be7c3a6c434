/* SPDX-License-Identifier: MIT */
/*
 * Builds without ns-3 (-Dns3=disabled): bsim_engine_create() refuses the
 * ns-3 backend with BSIM_EUNSUPPORTED, so none of these is ever reached;
 * they exist only so that the front end links the same way in every build.
 */
#include "engine-internal.h"

#include <blocsim/error.h>

#define UNREACHABLE bsim_fatal(BSIM_LOC, "this build has no ns-3 backend")

int bsim__ns3b_check_scheduler(const char *scheduler)
{
	(void)scheduler;
	return BSIM_EUNSUPPORTED;
}

int bsim__ns3b_create(struct bsim_engine *e, const char *scheduler,
		      struct bsim__ns3b **out)
{
	(void)e;
	(void)scheduler;
	(void)out;
	return BSIM_EUNSUPPORTED;
}

void bsim__ns3b_destroy(struct bsim__ns3b *b)
{
	(void)b;
}

bsim_event bsim__ns3b_schedule(struct bsim__ns3b *b, bsim_time_ns t,
			       unsigned handler, uint32_t target,
			       const void *payload, size_t size)
{
	(void)b, (void)t, (void)handler, (void)target;
	(void)payload, (void)size;
	UNREACHABLE;
}

bool bsim__ns3b_is_pending(const struct bsim__ns3b *b, bsim_event ev)
{
	(void)b, (void)ev;
	UNREACHABLE;
}

bool bsim__ns3b_cancel(struct bsim__ns3b *b, bsim_event ev)
{
	(void)b, (void)ev;
	UNREACHABLE;
}

int bsim__ns3b_run_until(struct bsim__ns3b *b, bsim_time_ns limit)
{
	(void)b, (void)limit;
	UNREACHABLE;
}

void bsim__ns3b_stop(struct bsim__ns3b *b)
{
	(void)b;
	UNREACHABLE;
}

void bsim__ns3b_stats(const struct bsim__ns3b *b, struct bsim_engine_stats *out)
{
	(void)b, (void)out;
	UNREACHABLE;
}

const char *bsim__ns3b_name(const struct bsim__ns3b *b)
{
	(void)b;
	UNREACHABLE;
}
