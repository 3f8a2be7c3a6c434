/* SPDX-License-Identifier: MIT */
/*
 * `blocsim bench model`: the default world's class mix scaled to N
 * devices, at output level billing, timed in phases: loading (scenario,
 * map, placement), the event loop, and writing the result file. Memory
 * per device is the growth of peak resident memory between a run of N/10
 * devices and one of N in the same process. With --compare the event
 * loop also runs on ns-3 and the ratio is printed.
 */
#include "bench.h"

#include <blocsim/engine.h>
#include <blocsim/error.h>
#include <blocsim/model.h>
#include <blocsim/result.h>
#include <blocsim/rng.h>
#include <blocsim/scenario.h>

#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double peak_rss_bytes(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_maxrss * 1024.0;
}

struct phase {
	double load_s, loop_s, write_s;
	uint64_t events, devices;
	double pending_sum;
	uint64_t samples;
	uint64_t engine_peak_bytes; /* Largest engine allocation sampled. */
	uint64_t records;
	struct bsim_engine *eng;
};

static bool sample(void *ctx, uint64_t done, uint64_t total, uint64_t events)
{
	struct phase *p = ctx;
	struct bsim_engine_stats st;

	(void)done;
	(void)total;
	(void)events;
	bsim_engine_get_stats(p->eng, &st);
	p->pending_sum += (double)st.pending;
	if (st.bytes_allocated > p->engine_peak_bytes)
		p->engine_peak_bytes = st.bytes_allocated;
	p->samples++;
	return true;
}

/* One run of `scenario` scaled to `devices` over `days`. */
static int one_run(const char *scenario, uint64_t devices, double days,
		   const struct bsim_engine_config *ec, bool write,
		   struct phase *p)
{
	static const char *const sets[] = { "run.output=billing" };
	struct bsim_world *w = NULL;
	struct bsim_cfg_err cerr;
	struct bsim_grid g;
	struct bsim_rng *rng = NULL;
	struct bsim_engine *eng = NULL;
	struct bsim_model *m = NULL;
	char err[512], *yaml = NULL, tmp[] = "/tmp/blocsim-bench-XXXXXX";
	uint64_t total, assigned = 0;
	double t0 = now_s();
	int rc;

	memset(p, 0, sizeof(*p));
	rc = bsim_scenario_load(scenario, sets, 1, &w, &yaml, &cerr);
	if (rc) {
		fprintf(stderr, "blocsim bench model: %s\n", cerr.msg);
		return 2;
	}
	w->run.duration_s = (uint64_t)llround(days * 86400);
	/* The same world at any N: a sample of N of its real population.
	 * Beyond the population the classes grow in proportion instead. */
	total = bsim_world_population(w);
	for (size_t c = 0; c < w->nclasses; c++)
		w->classes[c].sample_fraction = 0;
	if (devices <= total) {
		bsim_world_sample(w, (double)devices / (double)total);
	} else {
		for (size_t c = 0; c < w->nclasses; c++) {
			uint64_t k =
				c + 1 == w->nclasses
					? devices - assigned
					: (uint64_t)llround(
						  (double)devices *
						  (double)w->classes[c].count /
						  (double)total);

			w->classes[c].count = k;
			assigned += k;
		}
		bsim_world_sample(w, 1);
	}
	devices = bsim_world_devices(w);
	if ((rc = bsim_scenario_geography(w, &g, err, sizeof(err)))) {
		fprintf(stderr, "blocsim bench model: %s\n", err);
		bsim_world_destroy(w);
		free(yaml);
		return 2;
	}
	rng = bsim_rng_create(w->run.seed);
	rc = rng ? bsim_engine_create(ec, &eng) : BSIM_ENOMEM;
	if (!rc)
		rc = bsim_model_create(w, &g, eng, rng, &m, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "blocsim bench model: %s\n",
			rc == BSIM_EINVAL ? err : bsim_strerror(rc));
		goto out;
	}
	p->load_s = now_s() - t0;
	p->eng = eng;
	p->devices = devices;
	t0 = now_s();
	rc = bsim_model_run(m, w->run.duration_s * UINT64_C(10000000), sample,
			    p);
	p->loop_s = now_s() - t0;
	if (rc)
		goto out;
	p->events = bsim_model_results(m)->events_executed;
	p->records = bsim_model_results(m)->nrecords;
	if (write) {
		struct bsim_result_meta meta = { yaml, bsim_engine_name(eng), 0,
						 "" };
		int fd = mkstemp(tmp);

		if (fd >= 0) {
			close(fd);
			unlink(tmp);
		}
		t0 = now_s();
		rc = bsim_result_write(tmp, bsim_model_results(m), &meta, NULL,
				       err, sizeof(err));
		p->write_s = now_s() - t0;
		unlink(tmp);
		if (rc)
			fprintf(stderr, "blocsim bench model: %s\n", err);
	}
out:
	bsim_model_destroy(m);
	bsim_engine_destroy(eng);
	bsim_rng_destroy(rng);
	bsim_grid_finish(&g);
	bsim_world_destroy(w);
	free(yaml);
	return rc ? 1 : 0;
}

static void usage(FILE *f)
{
	fputs("usage: blocsim bench model [--devices N] [--days D] "
	      "[--scenario FILE]\n"
	      "                           [--engine native|ns3] "
	      "[--ns3-scheduler S] [--queue ladder|heap] [--compare]\n"
	      "  the default world's class mix scaled to N devices "
	      "(default 100000)\n"
	      "  over D days (default 1); --compare also runs the loop on "
	      "ns-3 (map)\n",
	      f);
}

int bsim_bench_model_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "devices", required_argument, NULL, 'n' },
		{ "days", required_argument, NULL, 'd' },
		{ "scenario", required_argument, NULL, 's' },
		{ "engine", required_argument, NULL, 'e' },
		{ "ns3-scheduler", required_argument, NULL, 'S' },
		{ "compare", no_argument, NULL, 'c' },
		{ "queue", required_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct bsim_engine_config ec = { .queue = BSIM_QUEUE_LADDER };
	const char *scenario = "scenarios/default.yaml";
	uint64_t devices = 100000;
	double days = 1, rss0, rss1;
	bool compare = false;
	struct phase small, big, other;
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'n':
			devices = strtoull(optarg, NULL, 10);
			break;
		case 'd':
			days = strtod(optarg, NULL);
			break;
		case 's':
			scenario = optarg;
			break;
		case 'e':
			if (!strcmp(optarg, "ns3"))
				ec.backend = BSIM_BACKEND_NS3;
			else if (strcmp(optarg, "native")) {
				usage(stderr);
				return 2;
			}
			break;
		case 'S':
			ec.ns3_scheduler = optarg;
			break;
		case 'c':
			compare = true;
			break;
		case 'q':
			if (bsim_queue_from_name(optarg, &ec.queue)) {
				usage(stderr);
				return 2;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (devices < 10 || !(days > 0) || days > 3650) {
		fprintf(stderr, "blocsim bench model: --devices >= 10 and "
				"--days in (0, 3650]\n");
		return 2;
	}
	if (ec.backend == BSIM_BACKEND_NS3 && !ec.ns3_scheduler)
		ec.ns3_scheduler = "map";
	if (bsim_engine_check_config(&ec)) {
		fprintf(stderr, "blocsim bench model: this engine is not "
				"available in this build\n");
		return 2;
	}
	/* N/10 first, then N, each written to a file like a run: the peak
	 * grows by N's extra devices only, and fixed costs (the HDF5
	 * library's buffers among them) cancel. */
	if ((rc = one_run(scenario, devices / 10, days, &ec, true, &small)))
		return rc;
	rss0 = peak_rss_bytes();
	if ((rc = one_run(scenario, devices, days, &ec, true, &big)))
		return rc;
	rss1 = peak_rss_bytes();
	printf("model: %" PRIu64 " devices, %.3g days on %s: load %.2f s, "
	       "event loop %.2f s (%" PRIu64 " events), write %.2f s\n",
	       devices, days,
	       ec.backend == BSIM_BACKEND_NS3 ? "ns-3" : "native", big.load_s,
	       big.loop_s, big.events, big.write_s);
	printf("memory per device at %" PRIu64 " devices: engine %.0f B "
	       "(pending events and handles, peak sampled), %.2f billing "
	       "records\n",
	       devices, (double)big.engine_peak_bytes / (double)devices,
	       (double)big.records / (double)devices);
	if (compare) {
		struct bsim_engine_config o = ec;

		o.backend = ec.backend == BSIM_BACKEND_NS3 ? BSIM_BACKEND_NATIVE
							   : BSIM_BACKEND_NS3;
		o.ns3_scheduler = o.backend == BSIM_BACKEND_NS3 ? "map" : NULL;
		if (bsim_engine_check_config(&o)) {
			fprintf(stderr, "blocsim bench model: --compare needs "
					"ns-3 in this build\n");
			return 2;
		}
		if ((rc = one_run(scenario, devices, days, &o, false, &other)))
			return rc;
		if (other.events != big.events) {
			fprintf(stderr,
				"blocsim bench model: the engines executed "
				"different event counts (%" PRIu64
				" and %" PRIu64 ")\n",
				big.events, other.events);
			return 1;
		}
		printf("%s event loop: %.2f s; native over ns-3/map: %.2fx\n",
		       o.backend == BSIM_BACKEND_NS3 ? "ns-3/map" : "native",
		       other.loop_s,
		       ec.backend == BSIM_BACKEND_NS3
			       ? big.loop_s / other.loop_s
			       : other.loop_s / big.loop_s);
	}
	printf("RESULT wall_s=%.3f events_per_s=%.4g "
	       "events_per_device_day=%.2f pending_mean=%.0f "
	       "bytes_per_device=%.1f load_s=%.3f write_s=%.3f\n",
	       big.load_s + big.loop_s + big.write_s,
	       (double)big.events / big.loop_s,
	       (double)big.events / (double)devices / days,
	       big.samples ? big.pending_sum / (double)big.samples : 0,
	       (rss1 - rss0) / (double)(devices - devices / 10), big.load_s,
	       big.write_s);
	return 0;
}
