/* SPDX-License-Identifier: MIT */
/*
 * The ns-3 backend's own promises (the engine contract itself is tested on
 * every ns-3 scheduler by test_engine.c): one ns-3 engine at a time, a new
 * one after the previous is destroyed, scheduler names checked before ns-3
 * sees them, and ns-3's own event count equal to the events run.
 */
#include <blocsim/engine.h>
#include <blocsim/error.h>
#include <blocsim/ns3.h>

#include <criterion/criterion.h>

static struct bsim_engine *ns3(const char *scheduler, int *err)
{
	struct bsim_engine_config cfg = { .backend = BSIM_BACKEND_NS3,
					  .ns3_scheduler = scheduler };
	struct bsim_engine *e = NULL;

	*err = bsim_engine_create(&cfg, &e);
	return e;
}

Test(ns3, one_engine_at_a_time_and_a_new_one_after_destroy)
{
	int err;
	struct bsim_engine *a = ns3("map", &err), *b;

	cr_assert_eq(err, 0);
	b = ns3("heap", &err);
	cr_assert_eq(err, BSIM_EBACKEND, "ns-3's simulator is a singleton");
	cr_assert_null(b);
	bsim_engine_destroy(a);
	for (int i = 0; i < 3; i++) {
		b = ns3(i % 2 ? "calendar" : "priority", &err);
		cr_assert_eq(err, 0, "round %d", i);
		cr_assert_eq(bsim_engine_now(b), 0, "a fresh simulator");
		bsim_engine_destroy(b);
	}
}

Test(ns3, scheduler_names_are_checked_before_ns3_sees_them)
{
	int err;
	struct bsim_engine *e = ns3("splay", &err);

	cr_assert_eq(err, BSIM_EINVAL);
	cr_assert_null(e);
	cr_assert_eq(bsim_ns3_scheduler_check("ns3::MapScheduler"),
		     BSIM_EINVAL);
	cr_assert_eq(bsim_ns3_scheduler_check(NULL), BSIM_EINVAL);
	e = ns3(NULL, &err);
	cr_assert_eq(err, 0, "nothing was left behind");
	cr_assert_str_eq(bsim_engine_name(e), "ns3/map",
			 "map is ns-3's default");
	bsim_engine_destroy(e);
}

static void chain(struct bsim_engine *e, void *ctx, uint32_t target,
		  const void *payload)
{
	unsigned *h = ctx;

	(void)payload;
	if (target < 1000)
		bsim_engine_schedule_in(e, target % 3, *h, target + 1, NULL);
}

Test(ns3, ns3_event_count_equals_the_events_run)
{
	int err;
	struct bsim_engine *e = ns3("map", &err);
	struct bsim_engine_stats st;
	unsigned h;
	bsim_event c;

	cr_assert_eq(err, 0);
	h = (unsigned)bsim_engine_register(e, chain, &h, 0);
	bsim_engine_schedule_at(e, 5, h, 0, NULL);
	c = bsim_engine_schedule_at(e, 7, h, 5000, NULL);
	cr_assert(bsim_engine_cancel(e, c));
	/* Several run_until calls, each with its sentinel. */
	for (uint64_t t = 100; t <= 1500; t += 100)
		cr_assert_eq(bsim_engine_run_until(e, t), 0);
	bsim_engine_get_stats(e, &st);
	cr_assert_eq(st.executed, 1001);
	cr_assert_eq(st.backend_executed, st.executed,
		     "Simulator::GetEventCount() less sentinels");
	cr_assert_eq(bsim_engine_now(e), 1500);
	bsim_engine_destroy(e);
}
