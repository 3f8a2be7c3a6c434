/* SPDX-License-Identifier: MIT */
/*
 * Randomised contract test: RANDOM_OPS mixed schedule / cancel / run_until
 * operations, on every queue, checked event by event against a reference
 * (a plain array scanned for its (time, sequence) minimum). Delays mix zero
 * (ties), nanoseconds, seconds and hours, so equal times, ladder rungs and
 * the bottom are all exercised. Built twice: 10^5 operations for the unit
 * suite, 2*10^6 for the slow one.
 */
#include <blocsim/engine.h>

#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include <stdlib.h>

#ifndef RANDOM_OPS
#define RANDOM_OPS 100000
#endif

struct ref_ev {
	uint64_t t, seq;
	uint32_t id;
	bsim_event h;
};

struct fixture {
	struct bsim_engine *e;
	unsigned h;
	struct ref_ev *pend; /* Reference pending set, unordered. */
	size_t n, cap;
	bsim_event *done; /* Handles of fired or cancelled events. */
	size_t ndone;
	uint64_t seq, ops, fired, rng;
	uint32_t next_id;
};

static uint64_t rnd(struct fixture *f)
{
	uint64_t x = f->rng;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return f->rng = x;
}

static uint64_t delay(struct fixture *f)
{
	uint64_t r = rnd(f);

	switch (r % 8) {
	case 0:
		return 0; /* An equal-time tie with now. */
	case 1:
		return r % 16; /* Nanoseconds: more ties. */
	case 2:
	case 3:
	case 4:
		return r % 10000000u; /* Up to 10 ms. */
	case 5:
	case 6:
		return r % 2000000000u; /* Up to 2 s. */
	default:
		return r % 21600000000000u; /* Up to 6 h. */
	}
}

static void schedule(struct fixture *f)
{
	uint64_t t = bsim_engine_now(f->e) + delay(f);
	struct ref_ev r = { .t = t, .seq = f->seq++, .id = f->next_id++ };

	r.h = bsim_engine_schedule_at(f->e, t, f->h, r.id, NULL);
	if (f->n == f->cap) {
		f->cap = f->cap ? 2 * f->cap : 1024;
		f->pend = realloc(f->pend, f->cap * sizeof(*f->pend));
		cr_assert_not_null(f->pend);
	}
	f->pend[f->n++] = r;
	f->ops++;
}

static void remember_done(struct fixture *f, bsim_event h)
{
	f->done[f->ndone++ % 4096] = h;
}

static void random_ops(struct fixture *f)
{
	int k = 1 + (int)(rnd(f) % 3);

	while (k-- > 0 && f->ops < RANDOM_OPS) {
		uint64_t r = rnd(f) % 10;

		if (r < 5 || f->n < 200) {
			schedule(f);
		} else if (r < 8 && f->n > 0) {
			size_t i = rnd(f) % f->n;

			cr_assert(bsim_engine_cancel(f->e, f->pend[i].h),
				  "cancel of a pending event failed");
			remember_done(f, f->pend[i].h);
			f->pend[i] = f->pend[--f->n];
			f->ops++;
		} else if (f->ndone > 0) {
			size_t lim = f->ndone < 4096 ? f->ndone : 4096;

			cr_assert_not(
				bsim_engine_cancel(f->e, f->done[rnd(f) % lim]),
				"cancel of a finished event succeeded");
			f->ops++;
		}
	}
}

static size_t ref_min(const struct fixture *f)
{
	size_t m = 0;

	for (size_t i = 1; i < f->n; i++)
		if (f->pend[i].t < f->pend[m].t ||
		    (f->pend[i].t == f->pend[m].t &&
		     f->pend[i].seq < f->pend[m].seq))
			m = i;
	return m;
}

static void on_event(struct bsim_engine *e, void *ctx, uint32_t target,
		     const void *payload)
{
	struct fixture *f = ctx;
	size_t m;

	(void)payload;
	cr_assert_gt(f->n, 0, "event fired with nothing pending");
	m = ref_min(f);
	cr_assert_eq(target, f->pend[m].id,
		     "event %u fired, reference expects %u (op %llu)", target,
		     f->pend[m].id, (unsigned long long)f->ops);
	cr_assert_eq(bsim_engine_now(e), f->pend[m].t);
	remember_done(f, f->pend[m].h);
	f->pend[m] = f->pend[--f->n];
	f->fired++;
	random_ops(f);
}

/* No pointers in parameters: Criterion runs each test in a new process. */
struct param {
	enum bsim_backend backend;
	enum bsim_queue_kind kind;
	char ns3_scheduler[16];
	uint64_t seed;
};

/* Native structures first, then ns-3's schedulers (builds with ns-3). The
 * slow build keeps ns-3's map only: list and calendar insert in O(n). */
static struct param params[] = {
	{ BSIM_BACKEND_NATIVE, BSIM_QUEUE_LADDER, "", 1 },
	{ BSIM_BACKEND_NATIVE, BSIM_QUEUE_LADDER, "", 2 },
	{ BSIM_BACKEND_NATIVE, BSIM_QUEUE_LADDER, "", 3 },
	{ BSIM_BACKEND_NATIVE, BSIM_QUEUE_HEAP, "", 1 },
	{ BSIM_BACKEND_NATIVE, BSIM_QUEUE_HEAP, "", 2 },
	{ BSIM_BACKEND_NATIVE, BSIM_QUEUE_HEAP, "", 3 },
	{ BSIM_BACKEND_NS3, 0, "map", 1 },
	{ BSIM_BACKEND_NS3, 0, "heap", 2 },
	{ BSIM_BACKEND_NS3, 0, "priority", 3 },
	{ BSIM_BACKEND_NS3, 0, "calendar", 4 },
	{ BSIM_BACKEND_NS3, 0, "list", 5 },
};

ParameterizedTestParameters(engine_random, matches_reference_order)
{
	size_t n = 6;

	if (bsim_engine_has_ns3())
		n = RANDOM_OPS > 100000 ? 7 : 11;
	return cr_make_param_array(struct param, params, n);
}

ParameterizedTest(struct param *p, engine_random, matches_reference_order,
		  .timeout = 600)
{
	struct bsim_engine_config cfg = { .queue = p->kind };
	struct fixture f = { .rng = 0x9e3779b97f4a7c15u * p->seed };
	struct bsim_engine_stats st;

	f.done = calloc(4096, sizeof(*f.done));
	cr_assert_eq(bsim_engine_create(&cfg, &f.e), 0);
	f.h = (unsigned)bsim_engine_register(f.e, on_event, &f, 0);
	for (int i = 0; i < 1000; i++)
		schedule(&f);
	while (f.ops < RANDOM_OPS) {
		uint64_t limit = bsim_engine_now(f.e) + delay(&f);

		cr_assert_eq(bsim_engine_run_until(f.e, limit), 0);
		cr_assert_geq(bsim_engine_now(f.e), limit);
		if (f.n)
			cr_assert_gt(f.pend[ref_min(&f)].t, limit,
				     "run_until left an event <= t pending");
		random_ops(&f);
	}
	cr_assert_eq(bsim_engine_run(f.e), 0);
	cr_assert_eq(f.n, 0, "%zu reference events never fired", f.n);
	bsim_engine_get_stats(f.e, &st);
	cr_assert_eq(st.executed, f.fired);
	cr_assert_eq(st.backend_executed, f.fired,
		     "the backend counted other events than it ran");
	cr_assert_eq(st.pending, 0);
	cr_assert_gt(f.fired, RANDOM_OPS / 4);
	bsim_engine_destroy(f.e);
	free(f.pend);
	free(f.done);
}
