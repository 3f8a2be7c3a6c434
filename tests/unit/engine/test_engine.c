/* SPDX-License-Identifier: MIT */
/*
 * Contract tests of the engine interface. Every test runs against every
 * pending-event structure (ParameterizedTest over the queue kinds): the
 * model may not care which one is underneath, so neither may the contract.
 */
#include <blocsim/engine.h>
#include <blocsim/error.h>

#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Every engine: both native structures and, in builds with ns-3, every
 * ns-3 scheduler. HEAVY tests (millions of events, a million
 * cancellations) keep only ns-3's map scheduler: in ns-3 3.37, Remove() is
 * a linear search in the heap, priority-queue and list schedulers, and the
 * list and calendar schedulers insert in O(n), so they would take hours.
 * Parameters hold no pointers: Criterion runs each test in a new process.
 */
struct kind {
	enum bsim_backend backend;
	enum bsim_queue_kind queue;
	char ns3_scheduler[16];
};

static struct kind configs[] = {
	{ BSIM_BACKEND_NATIVE, BSIM_QUEUE_LADDER, "" },
	{ BSIM_BACKEND_NATIVE, BSIM_QUEUE_HEAP, "" },
	{ BSIM_BACKEND_NS3, 0, "map" },
	{ BSIM_BACKEND_NS3, 0, "heap" },
	{ BSIM_BACKEND_NS3, 0, "priority" },
	{ BSIM_BACKEND_NS3, 0, "calendar" },
	{ BSIM_BACKEND_NS3, 0, "list" },
};

#define ENGINE_PARAMS(test)                                                    \
	ParameterizedTestParameters(engine, test)                              \
	{                                                                      \
		return cr_make_param_array(struct kind, configs,               \
					   bsim_engine_has_ns3() ? 7 : 2);     \
	}

#define HEAVY_PARAMS(test)                                                     \
	ParameterizedTestParameters(engine, test)                              \
	{                                                                      \
		return cr_make_param_array(struct kind, configs,               \
					   bsim_engine_has_ns3() ? 3 : 2);     \
	}

static struct bsim_engine *make(const struct kind *k)
{
	struct bsim_engine_config cfg = { .backend = k->backend,
					  .queue = k->queue,
					  .ns3_scheduler = k->ns3_scheduler };
	struct bsim_engine *e = NULL;

	cr_assert_eq(bsim_engine_create(&cfg, &e), 0);
	cr_assert_not_null(e);
	return e;
}

/* A log of fired events: (time, target). */
struct log {
	uint64_t *t;
	uint32_t *target;
	size_t n, cap;
	int stop_at; /* Stop the run after this many events (0: never). */
};

static void log_push(struct log *l, uint64_t t, uint32_t target)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 1024;
		l->t = realloc(l->t, l->cap * sizeof(*l->t));
		l->target = realloc(l->target, l->cap * sizeof(*l->target));
		cr_assert(l->t && l->target);
	}
	l->t[l->n] = t;
	l->target[l->n++] = target;
}

static void log_free(struct log *l)
{
	free(l->t);
	free(l->target);
}

static void on_log(struct bsim_engine *e, void *ctx, uint32_t target,
		   const void *payload)
{
	struct log *l = ctx;

	(void)payload;
	log_push(l, bsim_engine_now(e), target);
	if (l->stop_at && (int)l->n == l->stop_at)
		bsim_engine_stop(e);
}

ENGINE_PARAMS(fifo_for_equal_times)
ParameterizedTest(struct kind *kind, engine, fifo_for_equal_times)
{
	struct bsim_engine *e = make(kind);
	struct log l = { 0 };
	int h = bsim_engine_register(e, on_log, &l, 0);

	/* Targets in a scrambled order, all at one time, among others. */
	for (uint32_t i = 0; i < 1000; i++) {
		bsim_engine_schedule_at(e, 5000, (unsigned)h,
					(i * 7919u) % 1000u, NULL);
		bsim_engine_schedule_at(e, 4000 + i % 3, (unsigned)h,
					100000 + i, NULL);
	}
	cr_assert_eq(bsim_engine_run(e), 0);
	cr_assert_eq(l.n, 2000);
	for (size_t k = 1000; k < 2000; k++) {
		cr_assert_eq(l.t[k], 5000);
		cr_assert_eq(l.target[k], ((k - 1000) * 7919u) % 1000u,
			     "event %zu fired out of scheduling order", k);
	}
	for (size_t k = 1; k < 1000; k++)
		cr_assert(l.t[k - 1] < l.t[k] ||
			  (l.t[k - 1] == l.t[k] &&
			   l.target[k - 1] < l.target[k]));
	log_free(&l);
	bsim_engine_destroy(e);
}

ENGINE_PARAMS(posted_events_keep_the_order_and_take_no_slot)
ParameterizedTest(struct kind *kind, engine,
		  posted_events_keep_the_order_and_take_no_slot)
{
	struct bsim_engine *e = make(kind);
	struct log l = { 0 };
	struct bsim_engine_stats st;
	int h = bsim_engine_register(e, on_log, &l, 0);
	bsim_event cancelled;

	/* Posted and scheduled events interleaved at equal times fire in
	 * scheduling order; cancelling a scheduled one among them works. */
	for (uint32_t i = 0; i < 300; i++) {
		if (i % 2)
			bsim_engine_post_at(e, 1000 + i % 3, (unsigned)h, i,
					    NULL);
		else
			bsim_engine_schedule_at(e, 1000 + i % 3, (unsigned)h, i,
						NULL);
	}
	cancelled = bsim_engine_schedule_at(e, 1001, (unsigned)h, 9999, NULL);
	bsim_engine_get_stats(e, &st);
	cr_assert_eq(st.pending, 301);
	if (kind->backend == BSIM_BACKEND_NATIVE)
		cr_assert_eq(st.pool_in_use, 151, "posted events hold no slot");
	cr_assert(bsim_engine_cancel(e, cancelled));
	cr_assert_eq(bsim_engine_run(e), 0);
	cr_assert_eq(l.n, 300);
	for (size_t k = 0; k < 300; k++) {
		size_t q = k < 100   ? 3 * k
			   : k < 200 ? 3 * (k - 100) + 1
				     : 3 * (k - 200) + 2;

		cr_assert_eq(l.target[k], q, "event %zu: target %u", k,
			     l.target[k]);
		cr_assert_eq(l.t[k], 1000 + q % 3);
	}
	bsim_engine_get_stats(e, &st);
	cr_assert_eq(st.pending, 0);
	cr_assert_eq(st.executed, 300);
	log_free(&l);
	bsim_engine_destroy(e);
}

/* Schedules a follow-up at the same time as itself, twice. */
struct chain {
	unsigned h;
	struct log log;
};

static void on_chain(struct bsim_engine *e, void *ctx, uint32_t target,
		     const void *payload)
{
	struct chain *c = ctx;

	(void)payload;
	log_push(&c->log, bsim_engine_now(e), target);
	if (target < 3)
		bsim_engine_schedule_in(e, 0, c->h, target + 10, NULL);
}

ENGINE_PARAMS(zero_delay_events_fire_after_earlier_equal_times)
ParameterizedTest(struct kind *kind, engine,
		  zero_delay_events_fire_after_earlier_equal_times)
{
	struct bsim_engine *e = make(kind);
	struct chain c = { 0 };
	static const uint32_t want[] = { 0, 1, 2, 10, 11, 12 };

	c.h = (unsigned)bsim_engine_register(e, on_chain, &c, 0);
	for (uint32_t i = 0; i < 3; i++)
		bsim_engine_schedule_at(e, 77, c.h, i, NULL);
	bsim_engine_run(e);
	cr_assert_eq(c.log.n, 6);
	for (size_t k = 0; k < 6; k++) {
		cr_assert_eq(c.log.target[k], want[k]);
		cr_assert_eq(c.log.t[k], 77);
	}
	log_free(&c.log);
	bsim_engine_destroy(e);
}

ENGINE_PARAMS(run_until_executes_up_to_and_including_t)
ParameterizedTest(struct kind *kind, engine,
		  run_until_executes_up_to_and_including_t)
{
	struct bsim_engine *e = make(kind);
	struct log l = { 0 };
	unsigned h = (unsigned)bsim_engine_register(e, on_log, &l, 0);
	struct bsim_engine_stats st;

	bsim_engine_schedule_at(e, 10, h, 1, NULL);
	bsim_engine_schedule_at(e, 20, h, 2, NULL);
	bsim_engine_schedule_at(e, 30, h, 3, NULL);
	cr_assert_eq(bsim_engine_run_until(e, 20), 0);
	cr_assert_eq(l.n, 2);
	cr_assert_eq(bsim_engine_now(e), 20);
	cr_assert_eq(bsim_engine_run_until(e, 25), 0);
	cr_assert_eq(l.n, 2);
	cr_assert_eq(bsim_engine_now(e), 25, "now must be t after run_until");
	bsim_engine_get_stats(e, &st);
	cr_assert_eq(st.pending, 1);
	cr_assert_eq(bsim_engine_run(e), 0);
	cr_assert_eq(l.n, 3);
	cr_assert_eq(l.target[2], 3);
	cr_assert_eq(bsim_engine_now(e), 30);
	/* An empty engine's run_until still moves the clock. */
	cr_assert_eq(bsim_engine_run_until(e, 1000), 0);
	cr_assert_eq(bsim_engine_now(e), 1000);
	log_free(&l);
	bsim_engine_destroy(e);
}

ENGINE_PARAMS(stop_returns_and_run_resumes)
ParameterizedTest(struct kind *kind, engine, stop_returns_and_run_resumes)
{
	struct bsim_engine *e = make(kind);
	struct log l = { .stop_at = 3 };
	unsigned h = (unsigned)bsim_engine_register(e, on_log, &l, 0);

	for (uint32_t i = 1; i <= 6; i++)
		bsim_engine_schedule_at(e, 100 * i, h, i, NULL);
	cr_assert_eq(bsim_engine_run_until(e, 1000), BSIM_ESTOPPED);
	cr_assert_eq(l.n, 3);
	cr_assert_eq(bsim_engine_now(e), 300);
	l.stop_at = 0;
	cr_assert_eq(bsim_engine_run_until(e, 500), 0);
	cr_assert_eq(l.n, 5);
	cr_assert_eq(bsim_engine_run(e), 0);
	cr_assert_eq(l.n, 6);
	cr_assert_eq(l.target[5], 6);
	log_free(&l);
	bsim_engine_destroy(e);
}

ENGINE_PARAMS(cancel_reports_only_pending_events)
ParameterizedTest(struct kind *kind, engine, cancel_reports_only_pending_events)
{
	struct bsim_engine *e = make(kind);
	struct log l = { 0 };
	unsigned h = (unsigned)bsim_engine_register(e, on_log, &l, 0);
	bsim_event a, b, c, d, fired;

	cr_assert_not(bsim_engine_cancel(e, BSIM_EVENT_NONE));
	fired = bsim_engine_schedule_at(e, 1, h, 1, NULL);
	bsim_engine_run(e);
	cr_assert_not(bsim_engine_cancel(e, fired), "fired event cancelled");
	a = bsim_engine_schedule_at(e, 10, h, 2, NULL);
	cr_assert(bsim_engine_is_pending(e, a));
	cr_assert(bsim_engine_cancel(e, a));
	cr_assert_not(bsim_engine_is_pending(e, a));
	cr_assert_not(bsim_engine_cancel(e, a), "double cancel succeeded");
	/* Native: a cancelled event's slot waits for its entry to leave the
	 * queue; ns-3: b may reuse it at once. Either way a's handle stays
	 * dead and b fires. */
	b = bsim_engine_schedule_at(e, 10, h, 3, NULL);
	cr_assert_neq(b, a);
	cr_assert_not(bsim_engine_cancel(e, a), "cancelled twice");
	cr_assert(bsim_engine_is_pending(e, b));
	bsim_engine_run(e);
	cr_assert_eq(l.n, 2);
	cr_assert_eq(l.target[1], 3, "b must fire, a must not");
	/* Every slot is free again: a's is recycled, with a new generation. */
	c = bsim_engine_schedule_at(e, 20, h, 4, NULL);
	d = bsim_engine_schedule_at(e, 20, h, 5, NULL);
	cr_assert((uint32_t)c == (uint32_t)a || (uint32_t)d == (uint32_t)a,
		  "a's slot was not recycled");
	cr_assert_neq(c, a);
	cr_assert_neq(d, a);
	cr_assert_not(bsim_engine_cancel(e, a), "recycled slot cancelled");
	cr_assert(bsim_engine_is_pending(e, c));
	cr_assert(bsim_engine_is_pending(e, d));
	bsim_engine_run(e);
	cr_assert_eq(l.n, 4);
	cr_assert_eq(l.target[3], 5, "the recycled slot's event must fire");
	log_free(&l);
	bsim_engine_destroy(e);
}

struct payload {
	uint64_t a;
	uint32_t b;
	unsigned char c[12];
};

struct seen {
	struct payload p;
	uint32_t target;
	int calls;
};

static void on_payload(struct bsim_engine *e, void *ctx, uint32_t target,
		       const void *payload)
{
	struct seen *s = ctx;

	(void)e;
	memcpy(&s->p, payload, sizeof(s->p));
	s->target = target;
	s->calls++;
}

ENGINE_PARAMS(payload_is_copied_at_scheduling)
ParameterizedTest(struct kind *kind, engine, payload_is_copied_at_scheduling)
{
	struct bsim_engine *e = make(kind);
	struct seen s = { 0 };
	struct payload p = { .a = 0x1122334455667788u, .b = 42 };
	int h = bsim_engine_register(e, on_payload, &s, sizeof(p));

	cr_assert_geq(h, 0);
	memcpy(p.c, "abcdefghijk", 12);
	bsim_engine_schedule_in(e, 3, (unsigned)h, 0xdeadbeefu, &p);
	memset(&p, 0, sizeof(p)); /* The engine must hold its own copy. */
	bsim_engine_run(e);
	cr_assert_eq(s.calls, 1);
	cr_assert_eq(s.target, 0xdeadbeefu);
	cr_assert_eq(s.p.a, 0x1122334455667788u);
	cr_assert_eq(s.p.b, 42);
	cr_assert_str_eq((const char *)s.p.c, "abcdefghijk");
	bsim_engine_destroy(e);
}

ENGINE_PARAMS(register_rejects_bad_handlers)
ParameterizedTest(struct kind *kind, engine, register_rejects_bad_handlers)
{
	struct bsim_engine *e = make(kind);

	cr_assert_eq(
		bsim_engine_register(e, on_log, NULL, BSIM_PAYLOAD_MAX + 1),
		BSIM_EINVAL);
	cr_assert_eq(bsim_engine_register(e, NULL, NULL, 0), BSIM_EINVAL);
	for (int i = 0; i < BSIM_HANDLERS_MAX; i++)
		cr_assert_eq(bsim_engine_register(e, on_log, NULL, 0), i);
	cr_assert_eq(bsim_engine_register(e, on_log, NULL, 0), BSIM_EINVAL);
	bsim_engine_destroy(e);
}

static void noop(struct bsim_engine *e, void *ctx, uint32_t target,
		 const void *payload)
{
	(void)e;
	(void)ctx;
	(void)target;
	(void)payload;
}

static void past_scheduler(struct bsim_engine *e, void *ctx, uint32_t target,
			   const void *payload)
{
	(void)ctx;
	(void)payload;
	bsim_engine_schedule_at(e, bsim_engine_now(e) - 1, 0, target, NULL);
}

ENGINE_PARAMS(schedule_in_the_past_aborts)
ParameterizedTest(struct kind *kind, engine, schedule_in_the_past_aborts,
		  .signal = SIGABRT)
{
	struct bsim_engine *e = make(kind);
	unsigned h = (unsigned)bsim_engine_register(e, past_scheduler, NULL, 0);

	bsim_engine_schedule_at(e, 50, h, 0, NULL);
	bsim_engine_run(e);
}

ENGINE_PARAMS(unknown_handler_aborts)
ParameterizedTest(struct kind *kind, engine, unknown_handler_aborts,
		  .signal = SIGABRT)
{
	struct bsim_engine *e = make(kind);

	bsim_engine_register(e, noop, NULL, 0);
	bsim_engine_schedule_at(e, 50, 1, 0, NULL);
}

HEAVY_PARAMS(times_across_many_scales_fire_sorted)
ParameterizedTest(struct kind *kind, engine,
		  times_across_many_scales_fire_sorted)
{
	struct bsim_engine *e = make(kind);
	struct log l = { 0 };
	unsigned h = (unsigned)bsim_engine_register(e, on_log, &l, 0);
	uint64_t x = 88172645463325252u;

	/* 1 ns to ~10^15 ns (11 days), with duplicates: bimodal-like. */
	for (uint32_t i = 0; i < 50000; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		bsim_engine_schedule_at(e, (x % 1000003u) << (x >> 58) % 30, h,
					i, NULL);
	}
	bsim_engine_run(e);
	cr_assert_eq(l.n, 50000);
	for (size_t k = 1; k < l.n; k++)
		cr_assert(l.t[k - 1] < l.t[k] ||
				  (l.t[k - 1] == l.t[k] &&
				   l.target[k - 1] < l.target[k]),
			  "order broken at %zu", k);
	log_free(&l);
	bsim_engine_destroy(e);
}

HEAVY_PARAMS(cancelling_half_reclaims_the_pool)
ParameterizedTest(struct kind *kind, engine, cancelling_half_reclaims_the_pool)
{
	enum { N = 2000000 };
	struct bsim_engine *e, *ref;
	struct log l = { 0 };
	unsigned h, hr;
	bsim_event *ev = malloc(N * sizeof(*ev));
	struct bsim_engine_stats st, sr;

	/* The reference first: ns-3 allows one engine at a time. */
	ref = make(kind);
	hr = (unsigned)bsim_engine_register(ref, noop, NULL, 0);
	for (uint32_t i = 0; i < N / 2; i++)
		bsim_engine_schedule_at(ref, 1000 + i, hr, i, NULL);
	bsim_engine_get_stats(ref, &sr);
	bsim_engine_destroy(ref);
	e = make(kind);
	h = (unsigned)bsim_engine_register(e, on_log, &l, 0);
	cr_assert_not_null(ev);
	for (uint32_t i = 0; i < N; i++)
		ev[i] = bsim_engine_schedule_at(e, 1000 + (i * 2654435761u) % N,
						h, i, NULL);
	for (uint32_t i = 0; i < N; i += 2)
		cr_assert(bsim_engine_cancel(e, ev[i]));
	bsim_engine_get_stats(e, &st);
	cr_assert_eq(st.pending, N / 2);
	cr_assert_eq(st.pool_in_use, sr.pool_in_use,
		     "pool occupancy %llu, never-cancelled %llu",
		     (unsigned long long)st.pool_in_use,
		     (unsigned long long)sr.pool_in_use);
	cr_assert_leq(st.queue_entries, N / 2,
		      "stale queue entries were not purged");
	cr_assert_eq(st.cancelled, N / 2);
	bsim_engine_run(e);
	cr_assert_eq(l.n, N / 2);
	for (size_t k = 0; k < l.n; k++)
		cr_assert_eq(l.target[k] % 2, 1, "a cancelled event fired");
	for (size_t k = 1; k < l.n; k++)
		cr_assert_leq(l.t[k - 1], l.t[k]);
	free(ev);
	log_free(&l);
	bsim_engine_destroy(e);
}

ENGINE_PARAMS(stats_count_scheduled_executed_and_cancelled)
ParameterizedTest(struct kind *kind, engine,
		  stats_count_scheduled_executed_and_cancelled)
{
	struct bsim_engine *e = make(kind);
	unsigned h = (unsigned)bsim_engine_register(e, noop, NULL, 0);
	struct bsim_engine_stats st;
	bsim_event a;

	a = bsim_engine_schedule_at(e, 5, h, 0, NULL);
	bsim_engine_schedule_at(e, 6, h, 0, NULL);
	bsim_engine_schedule_at(e, 7, h, 0, NULL);
	bsim_engine_cancel(e, a);
	bsim_engine_run(e);
	bsim_engine_get_stats(e, &st);
	cr_assert_eq(st.scheduled, 3);
	cr_assert_eq(st.executed, 2);
	cr_assert_eq(st.cancelled, 1);
	cr_assert_eq(st.pending, 0);
	cr_assert_eq(st.queue_entries, 0);
	cr_assert_gt(st.bytes_allocated, 0);
	{
		char want[32];

		snprintf(want, sizeof(want), "%s/%s",
			 kind->backend == BSIM_BACKEND_NS3 ? "ns3" : "native",
			 kind->backend == BSIM_BACKEND_NS3
				 ? kind->ns3_scheduler
				 : bsim_queue_name(kind->queue));
		cr_assert_str_eq(bsim_engine_name(e), want);
	}
	cr_assert_eq(st.backend_executed, st.executed,
		     "the backend's own count of executed events");
	bsim_engine_destroy(e);
}

Test(engine, queue_names_round_trip)
{
	enum bsim_queue_kind k;

	cr_assert_eq(bsim_queue_from_name("heap", &k), 0);
	cr_assert_eq(k, BSIM_QUEUE_HEAP);
	cr_assert_eq(bsim_queue_from_name("calendar", &k), 0);
	cr_assert_eq(k, BSIM_QUEUE_LADDER);
	cr_assert_eq(bsim_queue_from_name("ladder", &k), 0);
	cr_assert_eq(k, BSIM_QUEUE_LADDER);
	cr_assert_eq(bsim_queue_from_name("splay", &k), BSIM_EINVAL);
	cr_assert_str_eq(bsim_queue_name(BSIM_QUEUE_HEAP), "heap");
	cr_assert_str_eq(bsim_queue_name(BSIM_QUEUE_LADDER), "ladder");
}

Test(engine, create_rejects_unknown_queue_kind)
{
	struct bsim_engine_config cfg = { .queue = (enum bsim_queue_kind)7 };
	struct bsim_engine *e = NULL;

	cr_assert_eq(bsim_engine_create(&cfg, &e), BSIM_EINVAL);
	cr_assert_null(e);
	bsim_engine_destroy(NULL); /* Accepts NULL. */
}

Test(engine, ns3_backend_is_refused_in_builds_without_it)
{
	struct bsim_engine_config cfg = { .backend = BSIM_BACKEND_NS3 };
	struct bsim_engine *e = NULL;

	if (bsim_engine_has_ns3())
		cr_skip_test("this build has ns-3");
	cr_assert_eq(bsim_engine_create(&cfg, &e), BSIM_EUNSUPPORTED);
	cr_assert_null(e);
}
