/* SPDX-License-Identifier: MIT */
/*
 * `blocsim bench engine`: the classic HOLD model. N events are pending;
 * each executed event schedules one new event at now + increment, so the
 * pending count stays N. After an untimed warm-up of N events (which moves
 * the queue from its initial fill to steady state) M events are timed.
 *
 * Increments come from one precomputed table (2^20 entries drawn from the
 * BENCH random stream), the same for every structure, so the structures
 * execute the same event sequence and only the queue differs: the checksum
 * over (time, target) of the executed events proves it, and the golden test
 * pins it. Workloads: exp, increments Exp(1 s); bimodal, 99% Exp(10 ms) and
 * 1% Exp(6 h), like M2M signalling next to sleep timers.
 *
 * --backend ns3 runs the same model on ns3::Simulator (any of its
 * schedulers), drawing from the same table, so that only the scheduler
 * differs; --max-seconds caps a run whose structure collapses (ns-3's
 * calendar scheduler at 10^6 pending), reporting the events it managed.
 */
#include "bench.h"

#include <blocsim/engine.h>
#include <blocsim/error.h>
#include <blocsim/rng.h>

#include <getopt.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define TABLE_BITS 20
#define TABLE_MASK ((UINT64_C(1) << TABLE_BITS) - 1)

enum workload { WL_EXP, WL_BIMODAL };

struct hold_opts {
	uint64_t pending;
	uint64_t events;
	const char *queue; /* "ladder", "heap", "calendar" or "baseline". */
	enum bsim_backend backend;
	const char *ns3_scheduler; /* With --backend ns3. */
	enum workload workload;
	uint64_t seed;
	double max_seconds; /* Per phase; 0: no cap. */
	int compare;
};

struct hold_result {
	char name[32];	 /* Engine or structure that ran. */
	uint64_t events; /* Timed events actually run. */
	bool capped;	 /* Stopped by --max-seconds. */
	double setup_s, run_s;
	double events_per_s, ns_per_event, bytes_per_pending;
	uint64_t checksum;
};

/* State shared by the HOLD handler. */
struct hold_state {
	const uint64_t *inc; /* Increment table, ns. */
	uint64_t next;	     /* Next table index. */
	uint64_t left;	     /* Events left before stopping. */
	uint64_t done;	     /* Events run in this phase. */
	uint64_t checksum;
	double deadline; /* Wall-clock cap of the phase, or 0. */
	bool capped;
	unsigned handler;
};

/* Defined below; the handler checks the wall clock for --max-seconds. */
static double seconds(void);

static double seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static uint64_t *make_table(enum workload wl, uint64_t seed)
{
	uint64_t *t = malloc((TABLE_MASK + 1) * sizeof(*t));
	struct bsim_rng *rng = bsim_rng_create(seed);
	uint64_t world = bsim_entity(BSIM_ENTITY_WORLD, 0);
	bsim_rng_ctr ctr = 0;

	if (!t || !rng) {
		free(t);
		bsim_rng_destroy(rng);
		return NULL;
	}
	for (uint64_t i = 0; i <= TABLE_MASK; i++) {
		double mean = 1.0;

		if (wl == WL_BIMODAL)
			mean = bsim_rng_uniform(rng, world, BSIM_RNG_BENCH,
						&ctr) < 0.99
				       ? 0.010
				       : 6 * 3600.0;
		t[i] = bsim_rng_exp_ns(rng, world, BSIM_RNG_BENCH, &ctr, mean);
	}
	bsim_rng_destroy(rng);
	return t;
}

static inline uint64_t mix(uint64_t h, uint64_t t, uint32_t target)
{
	return (h ^ t ^ ((uint64_t)target << 40)) * UINT64_C(0x100000001b3);
}

static void hold_handler(struct bsim_engine *e, void *ctx, uint32_t target,
			 const void *payload)
{
	struct hold_state *s = ctx;

	(void)payload;
	s->checksum = mix(s->checksum, bsim_engine_now(e), target);
	bsim_engine_schedule_in(e, s->inc[s->next++ & TABLE_MASK], s->handler,
				target, NULL);
	s->done++;
	if (--s->left == 0) {
		bsim_engine_stop(e);
	} else if (s->deadline > 0 && (s->done & 4095) == 0 &&
		   seconds() > s->deadline) {
		s->capped = true;
		bsim_engine_stop(e);
	}
}

static int run_engine(const struct hold_opts *o, const uint64_t *inc,
		      const struct bsim_engine_config *base,
		      struct hold_result *res)
{
	struct bsim_engine_config cfg = *base;
	struct hold_state s = { .inc = inc };
	struct bsim_engine_stats st;
	struct bsim_engine *e;
	double t0 = seconds(), t1, t2;
	int h, err;

	cfg.capacity_hint = (uint32_t)o->pending;
	err = bsim_engine_create(&cfg, &e);
	if (err)
		return err;
	h = bsim_engine_register(e, hold_handler, &s, 0);
	if (h < 0) {
		bsim_engine_destroy(e);
		return h;
	}
	snprintf(res->name, sizeof(res->name), "%s", bsim_engine_name(e));
	s.handler = (unsigned)h;
	s.deadline = o->max_seconds > 0 ? t0 + o->max_seconds : 0;
	for (uint64_t i = 0; i < o->pending; i++) {
		bsim_engine_schedule_at(e, inc[s.next++ & TABLE_MASK],
					s.handler, (uint32_t)i, NULL);
		if (s.deadline > 0 && (i & 4095) == 4095 &&
		    seconds() > s.deadline) {
			/* Even the fill is too slow (O(n) inserts). */
			bsim_engine_destroy(e);
			res->setup_s = seconds() - t0;
			res->run_s = 0;
			res->events = 0;
			res->capped = true;
			res->bytes_per_pending = 0;
			res->checksum = 0;
			return 0;
		}
	}
	s.left = o->pending;
	bsim_engine_run(e);
	t1 = seconds();
	s.left = o->events;
	s.done = 0;
	s.checksum = UINT64_C(0xcbf29ce484222325);
	s.deadline = o->max_seconds > 0 ? t1 + o->max_seconds : 0;
	bsim_engine_run(e);
	t2 = seconds();
	bsim_engine_get_stats(e, &st);
	res->setup_s = t1 - t0;
	res->run_s = t2 - t1;
	res->events = s.done;
	res->capped = s.capped;
	res->bytes_per_pending =
		(double)st.bytes_allocated / (double)o->pending;
	res->checksum = s.checksum;
	bsim_engine_destroy(e);
	return 0;
}

/* The same HOLD loop on the baseline heap, inlined: no engine at all. */
static uint64_t baseline_steps(struct bsim__baseline *h, const uint64_t *inc,
			       uint64_t *next, uint32_t *seq, uint64_t n,
			       uint64_t checksum)
{
	for (uint64_t k = 0; k < n; k++) {
		struct bsim__baseline_rec r = bsim__baseline_pop(h);

		checksum = mix(checksum, r.t, r.target);
		r.t += inc[(*next)++ & TABLE_MASK];
		r.seq = (*seq)++;
		bsim__baseline_push(h, r);
	}
	return checksum;
}

static int run_baseline(const struct hold_opts *o, const uint64_t *inc,
			struct hold_result *res)
{
	struct bsim__baseline h;
	uint64_t next = 0;
	uint32_t seq = 0;
	double t0 = seconds(), t1, t2;

	if (bsim__baseline_init(&h, o->pending))
		return BSIM_ENOMEM;
	for (uint64_t i = 0; i < o->pending; i++)
		bsim__baseline_push(&h, (struct bsim__baseline_rec){
						inc[next++ & TABLE_MASK], seq++,
						(uint32_t)i });
	baseline_steps(&h, inc, &next, &seq, o->pending, 0);
	t1 = seconds();
	res->checksum = baseline_steps(&h, inc, &next, &seq, o->events,
				       UINT64_C(0xcbf29ce484222325));
	t2 = seconds();
	res->setup_s = t1 - t0;
	res->run_s = t2 - t1;
	res->events = o->events;
	res->capped = false;
	snprintf(res->name, sizeof(res->name), "baseline");
	res->bytes_per_pending =
		(double)(h.cap * sizeof(*h.a)) / (double)o->pending;
	bsim__baseline_finish(&h);
	return 0;
}

/* Run `what`: "baseline", a native queue name, or "ns3" (o's scheduler). */
static int run_one(const struct hold_opts *o, const uint64_t *inc,
		   const char *what, struct hold_result *res)
{
	struct bsim_engine_config cfg = { 0 };
	int err;

	if (!strcmp(what, "baseline")) {
		err = run_baseline(o, inc, res);
	} else if (!strcmp(what, "ns3")) {
		cfg.backend = BSIM_BACKEND_NS3;
		cfg.ns3_scheduler = o->ns3_scheduler;
		err = run_engine(o, inc, &cfg, res);
	} else if (bsim_queue_from_name(what, &cfg.queue) == 0) {
		err = run_engine(o, inc, &cfg, res);
	} else {
		err = BSIM_EINVAL;
	}
	if (err)
		return err;
	if (res->events == 0) {
		printf("%-14s capped while filling %" PRIu64 " events "
		       "(%.1f s): no rate\n",
		       res->name, o->pending, res->setup_s);
		res->events_per_s = res->ns_per_event = 0;
		return 0;
	}
	res->events_per_s = (double)res->events / res->run_s;
	res->ns_per_event = 1e9 * res->run_s / (double)res->events;
	printf("%-14s setup+warm-up %.3f s, %" PRIu64 " events in %.3f s%s: "
	       "%.3g events/s, %.1f ns/event, %.1f bytes/pending, "
	       "checksum %016" PRIx64 "\n",
	       res->name, res->setup_s, res->events, res->run_s,
	       res->capped ? " (capped)" : "", res->events_per_s,
	       res->ns_per_event, res->bytes_per_pending, res->checksum);
	fflush(stdout);
	return 0;
}

static void usage(FILE *f)
{
	fputs("usage: blocsim bench engine [--pending N] [--events M]\n"
	      "         [--queue ladder|calendar|heap|baseline]\n"
	      "         [--backend native|ns3] [--ns3-scheduler map|heap|"
	      "calendar|list|priority]\n"
	      "         [--workload exp|bimodal] [--seed S] [--max-seconds T]"
	      "\n         [--compare]\n"
	      "  HOLD model: N pending events (default 1000000), M timed\n"
	      "  events (default 10000000) after a warm-up of N.\n"
	      "  --compare: native runs `baseline` too, ns3 runs the native\n"
	      "  default (ladder) too; the RESULT line gives the ratio.\n"
	      "  --max-seconds caps each phase (fill+warm-up, timed run).\n",
	      f);
}

static int parse_u64(const char *opt, const char *s, uint64_t min, uint64_t max,
		     uint64_t *out)
{
	char *end;
	double v;

	/* Accept 1000000, 1e6 and 10^6 alike. */
	if (!strncmp(s, "10^", 3)) {
		unsigned long p = strtoul(s + 3, &end, 10);

		v = 1;
		while (p--)
			v *= 10;
	} else {
		v = strtod(s, &end);
	}
	if (end == s || *end || v < (double)min || v > (double)max ||
	    v != (double)(uint64_t)v) {
		fprintf(stderr,
			"blocsim bench engine: %s: '%s' is not a whole number "
			"in [%" PRIu64 ", %" PRIu64 "]\n",
			opt, s, min, max);
		return BSIM_EINVAL;
	}
	*out = (uint64_t)v;
	return 0;
}

int bsim_bench_engine_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "pending", required_argument, NULL, 'n' },
		{ "events", required_argument, NULL, 'm' },
		{ "queue", required_argument, NULL, 'q' },
		{ "workload", required_argument, NULL, 'w' },
		{ "seed", required_argument, NULL, 's' },
		{ "compare", no_argument, NULL, 'c' },
		{ "backend", required_argument, NULL, 'b' },
		{ "ns3-scheduler", required_argument, NULL, 'S' },
		{ "max-seconds", required_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct hold_opts o = { .pending = 1000000,
			       .events = 10000000,
			       .queue = "ladder",
			       .workload = WL_EXP,
			       .seed = 1 };
	struct hold_result res, base;
	enum bsim_queue_kind kind;
	uint64_t *inc;
	int c, err;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'n':
			if (parse_u64("--pending", optarg, 1, UINT32_MAX / 4,
				      &o.pending))
				return 2;
			break;
		case 'm':
			if (parse_u64("--events", optarg, 1, UINT64_C(1) << 40,
				      &o.events))
				return 2;
			break;
		case 'q':
			o.queue = optarg;
			if (strcmp(o.queue, "baseline") &&
			    bsim_queue_from_name(o.queue, &kind)) {
				fprintf(stderr,
					"blocsim bench engine: --queue: "
					"unknown queue '%s' (ladder, "
					"calendar, heap, baseline)\n",
					o.queue);
				return 2;
			}
			break;
		case 'w':
			if (!strcmp(optarg, "exp")) {
				o.workload = WL_EXP;
			} else if (!strcmp(optarg, "bimodal")) {
				o.workload = WL_BIMODAL;
			} else {
				fprintf(stderr,
					"blocsim bench engine: --workload: "
					"unknown workload '%s' (exp, "
					"bimodal)\n",
					optarg);
				return 2;
			}
			break;
		case 's':
			if (parse_u64("--seed", optarg, 0, UINT64_MAX >> 11,
				      &o.seed))
				return 2;
			break;
		case 'c':
			o.compare = 1;
			break;
		case 'b':
			if (!strcmp(optarg, "native")) {
				o.backend = BSIM_BACKEND_NATIVE;
			} else if (!strcmp(optarg, "ns3")) {
				o.backend = BSIM_BACKEND_NS3;
			} else {
				fprintf(stderr,
					"blocsim bench engine: --backend: "
					"unknown backend '%s' (native, ns3)\n",
					optarg);
				return 2;
			}
			break;
		case 'S':
			o.ns3_scheduler = optarg;
			break;
		case 'T': {
			char *end;

			o.max_seconds = strtod(optarg, &end);
			if (end == optarg || *end || !(o.max_seconds > 0)) {
				fprintf(stderr,
					"blocsim bench engine: --max-seconds: "
					"'%s' is not a positive number\n",
					optarg);
				return 2;
			}
			break;
		}
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr,
			"blocsim bench engine: unexpected argument "
			"'%s'\n",
			argv[optind]);
		usage(stderr);
		return 2;
	}
	if (o.backend == BSIM_BACKEND_NS3) {
		struct bsim_engine_config cfg = {
			.backend = BSIM_BACKEND_NS3,
			.ns3_scheduler =
				o.ns3_scheduler ? o.ns3_scheduler : "map"
		};

		o.ns3_scheduler = cfg.ns3_scheduler;
		switch (bsim_engine_check_config(&cfg)) {
		case 0:
			break;
		case BSIM_EUNSUPPORTED:
			fprintf(stderr, "blocsim bench engine: --backend ns3: "
					"this build has no ns-3 (configure "
					"with -Dns3=enabled)\n");
			return 2;
		default:
			fprintf(stderr,
				"blocsim bench engine: --ns3-scheduler: "
				"unknown scheduler '%s' (map, heap, calendar, "
				"list, priority)\n",
				o.ns3_scheduler);
			return 2;
		}
	} else if (o.ns3_scheduler) {
		fprintf(stderr, "blocsim bench engine: --ns3-scheduler needs "
				"--backend ns3\n");
		return 2;
	}
	inc = make_table(o.workload, o.seed);
	if (!inc) {
		fprintf(stderr, "blocsim bench engine: out of memory\n");
		return 1;
	}
	printf("blocsim bench engine: HOLD, workload %s, %" PRIu64
	       " pending, %" PRIu64 " timed events, seed %" PRIu64 "\n",
	       o.workload == WL_EXP ? "exp" : "bimodal", o.pending, o.events,
	       o.seed);
	fflush(stdout);
	/* The engine under test, then (--compare) its yardstick: baseline
	 * for native, the native default for ns-3. */
	err = run_one(&o, inc, o.backend == BSIM_BACKEND_NS3 ? "ns3" : o.queue,
		      &res);
	if (!err && o.compare)
		err = run_one(&o, inc,
			      o.backend == BSIM_BACKEND_NS3 ? "ladder"
							    : "baseline",
			      &base);
	free(inc);
	if (err) {
		fprintf(stderr, "blocsim bench engine: %s\n",
			bsim_strerror(err));
		return 1;
	}
	if (o.compare && !res.capped && !base.capped &&
	    base.checksum != res.checksum) {
		fprintf(stderr,
			"blocsim bench engine: %s and %s executed different "
			"event sequences\n",
			res.name, base.name);
		return 1;
	}
	printf("RESULT events_per_s=%.6g ns_per_event=%.3f "
	       "bytes_per_pending=%.2f checksum=%016" PRIx64
	       " engine=%s queue=%s workload=%s pending=%" PRIu64
	       " events=%" PRIu64 " capped=%d",
	       res.events_per_s, res.ns_per_event, res.bytes_per_pending,
	       res.checksum, res.name,
	       o.backend == BSIM_BACKEND_NS3 ? o.ns3_scheduler : o.queue,
	       o.workload == WL_EXP ? "exp" : "bimodal", o.pending, res.events,
	       res.capped);
	if (o.compare && o.backend == BSIM_BACKEND_NS3)
		printf(" native_events_per_s=%.6g native_over_ns3=%.3f",
		       base.events_per_s, base.events_per_s / res.events_per_s);
	else if (o.compare)
		printf(" baseline_events_per_s=%.6g ratio=%.3f",
		       base.events_per_s, res.events_per_s / base.events_per_s);
	printf("\n");
	return 0;
}
