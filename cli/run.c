/* SPDX-License-Identifier: MIT */
/*
 * `blocsim run SCENARIO [options]`: load a scenario, run the model on the
 * chosen engine, write one result file, print the KPIs.
 *
 * Exit status: 0 done; 1 runtime failure (I/O, engine); 2 bad input
 * (scenario, options, paths), with no output file; 128 + signal when
 * SIGINT or SIGTERM stopped the run, with no output file either.
 */
#include "cli.h"

#include <blocsim/engine.h>
#include <blocsim/error.h>
#include <blocsim/model.h>
#include <blocsim/result.h>
#include <blocsim/rng.h>
#include <blocsim/scenario.h>

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Set by the signal handler; the only state shared with it. */
static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

static bool not_stopped(void)
{
	return stop_signal == 0;
}

static void usage(FILE *f)
{
	fputs("usage: blocsim run SCENARIO [options]\n"
	      "       blocsim run --from RESULT.h5 [options]\n"
	      "  -o, --output-file OUT.h5   result file (default "
	      "results/<scenario>.h5)\n"
	      "      --seed N               run seed (same as --set "
	      "run.seed=N)\n"
	      "      --set path=value       override a scenario key "
	      "(repeatable)\n"
	      "      --output LEVEL         summary, billing (default) or "
	      "full\n"
	      "      --engine E             native (default) or ns3\n"
	      "      --ns3-scheduler S      map (default), heap, calendar, "
	      "list, priority\n"
	      "      --queue Q              native queue: ladder (default) "
	      "or heap\n"
	      "      --from RESULT.h5       re-run the scenario kept in a "
	      "result file\n"
	      "      --quiet                no progress line, no KPI "
	      "summary\n",
	      f);
}

struct progress {
	bool show;
	double t0;
};

static bool on_progress(void *ctx, uint64_t done, uint64_t total,
			uint64_t events)
{
	struct progress *p = ctx;

	if (p->show) {
		double el = bsim_cli_wall_now() - p->t0,
		       frac = (double)done / total;

		fprintf(stderr,
			"\r  simulated %6.2f h of %.2f h  %5.1f%%  %6.2f M "
			"events  %5.2f M/s  %4.0f s left ",
			done / 3.6e12, total / 3.6e12, 100 * frac, events / 1e6,
			el > 0 ? events / el / 1e6 : 0,
			frac > 0 ? el * (1 - frac) / frac : 0);
		fflush(stderr);
	}
	return not_stopped();
}

static void print_kpis(const struct bsim_results *r, const char *out)
{
	printf("KPIs (%s):\n", out);
	for (unsigned k = 0; k < BSIM_KPI_COUNT; k++)
		printf("  %-40s %14.6g %s\n", bsim_kpi_name(k), r->kpi[k],
		       bsim_kpi_unit(k));
}

/* The output's directory must exist: a missing one is bad input. */
static int check_output(const char *path)
{
	char *dir = strdup(path), *slash;
	struct stat st;
	int rc = 0;

	if (!dir)
		return 1;
	slash = strrchr(dir, '/');
	if (slash) {
		*slash = '\0';
		if (*dir && (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))) {
			fprintf(stderr,
				"blocsim run: -o %s: directory %s does not "
				"exist\n",
				path, dir);
			rc = 2;
		}
	}
	free(dir);
	return rc;
}

int bsim_cli_run(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output-file", required_argument, NULL, 'o' },
		{ "seed", required_argument, NULL, 'S' },
		{ "set", required_argument, NULL, 's' },
		{ "output", required_argument, NULL, 'O' },
		{ "engine", required_argument, NULL, 'e' },
		{ "ns3-scheduler", required_argument, NULL, 'n' },
		{ "queue", required_argument, NULL, 'q' },
		{ "from", required_argument, NULL, 'f' },
		{ "quiet", no_argument, NULL, 'Q' },
		/* Set by `blocsim sweep` for the runs it starts. */
		{ "sweep-run-id", required_argument, NULL, 'I' },
		{ "sweep-params", required_argument, NULL, 'P' },
		{ "sweep-replication", required_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char **sets = calloc((size_t)argc + 2, sizeof(*sets));
	char seedset[64], outset[64], err[1024] = "", *yaml = NULL,
				      *from_text = NULL;
	char outbuf[512], engname[64], host[256] = "";
	const char *out = NULL, *from = NULL, *scenario = NULL,
		   *sweep_id = NULL, *sweep_params = NULL;
	int64_t sweep_rep = 0;
	struct bsim_engine_config ec = { .backend = BSIM_BACKEND_NATIVE,
					 .queue = BSIM_QUEUE_LADDER };
	struct bsim_world *w = NULL;
	struct bsim_grid grid = { 0 };
	struct bsim_engine *eng = NULL;
	struct bsim_rng *rng = NULL;
	struct bsim_model *m = NULL;
	struct bsim_cfg_err cerr;
	struct progress prog = { 0 };
	struct sigaction sa;
	bool quiet = false, have_grid = false;
	uint64_t ndev; /* Devices of all classes. */
	size_t nsets = 0;
	int c, rc, status = 0;
	double t0 = bsim_cli_wall_now();

	if (!sets)
		return 1;
	seedset[0] = outset[0] = '\0';
	argv[0] = "blocsim run"; /* getopt's messages name the command. */
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			out = optarg;
			break;
		case 'S': {
			char *end;

			errno = 0;
			(void)strtoull(optarg, &end, 10);
			if (!*optarg || *end || errno || optarg[0] == '-') {
				fprintf(stderr,
					"blocsim run: --seed %s: expected a "
					"non-negative integer\n",
					optarg);
				status = 2;
				goto done;
			}
			snprintf(seedset, sizeof(seedset), "run.seed=%s",
				 optarg);
			break;
		}
		case 's':
			sets[nsets++] = optarg;
			break;
		case 'O':
			snprintf(outset, sizeof(outset), "run.output=%s",
				 optarg);
			break;
		case 'e':
			if (!strcmp(optarg, "native")) {
				ec.backend = BSIM_BACKEND_NATIVE;
			} else if (!strcmp(optarg, "ns3")) {
				ec.backend = BSIM_BACKEND_NS3;
			} else {
				fprintf(stderr,
					"blocsim run: --engine %s: expected "
					"native or ns3\n",
					optarg);
				status = 2;
				goto done;
			}
			break;
		case 'n':
			ec.ns3_scheduler = optarg;
			break;
		case 'q':
			if (bsim_queue_from_name(optarg, &ec.queue)) {
				fprintf(stderr,
					"blocsim run: --queue %s: expected "
					"ladder or heap\n",
					optarg);
				status = 2;
				goto done;
			}
			break;
		case 'f':
			from = optarg;
			break;
		case 'Q':
			quiet = true;
			break;
		case 'I':
			sweep_id = optarg;
			break;
		case 'P':
			sweep_params = optarg;
			break;
		case 'R':
			sweep_rep = strtoll(optarg, NULL, 10);
			break;
		case 'h':
			usage(stdout);
			goto done;
		default:
			usage(stderr);
			status = 2;
			goto done;
		}
	}
	if (from ? optind != argc : optind + 1 != argc) {
		fprintf(stderr, "blocsim run: expected %s\n",
			from ? "no scenario file with --from"
			     : "one scenario file");
		usage(stderr);
		status = 2;
		goto done;
	}
	if (seedset[0])
		sets[nsets++] = seedset;
	if (outset[0])
		sets[nsets++] = outset;
	if (ec.backend != BSIM_BACKEND_NS3 && ec.ns3_scheduler) {
		fprintf(stderr,
			"blocsim run: --ns3-scheduler needs --engine ns3\n");
		status = 2;
		goto done;
	}
	if (ec.backend == BSIM_BACKEND_NS3 && !ec.ns3_scheduler)
		ec.ns3_scheduler = "map";
	if ((rc = bsim_engine_check_config(&ec))) {
		fprintf(stderr, "blocsim run: %s\n",
			rc == BSIM_EUNSUPPORTED
				? "--engine ns3: this build has no ns-3 "
				  "(configure with -Dns3=enabled)"
				: "--ns3-scheduler: expected map, heap, "
				  "calendar, list or priority");
		status = 2;
		goto done;
	}
	/* The scenario. */
	if (from) {
		rc = bsim_result_read_scenario(from, &from_text, err,
					       sizeof(err));
		if (rc) {
			fprintf(stderr, "blocsim run: --from %s\n", err);
			status = rc == BSIM_ENOMEM ? 1 : 2;
			goto done;
		}
		scenario = from;
		rc = bsim_scenario_load_text(from_text, from, sets, nsets, &w,
					     &yaml, &cerr);
	} else {
		scenario = argv[optind];
		rc = bsim_scenario_load(scenario, sets, nsets, &w, &yaml,
					&cerr);
	}
	if (rc) {
		fprintf(stderr, "blocsim run: %s\n",
			rc == BSIM_ENOMEM ? bsim_strerror(rc) : cerr.msg);
		status = rc == BSIM_ENOMEM ? 1 : 2;
		goto done;
	}
	if (!out) {
		struct stat st;

		if (stat("results", &st) != 0 && mkdir("results", 0777) != 0) {
			fprintf(stderr,
				"blocsim run: cannot create results/: %s\n",
				strerror(errno));
			status = 1;
			goto done;
		}
		snprintf(outbuf, sizeof(outbuf), "results/%s.h5", w->name);
		out = outbuf;
	}
	if ((status = check_output(out)))
		goto done;
	ndev = bsim_world_devices(w);
	prog.show = !quiet && isatty(STDERR_FILENO);
	if (prog.show) {
		/* Large worlds take seconds to place: say what is going on
		 * (a line of its own, so that an error reads cleanly). */
		fprintf(stderr,
			"  loading the map and placing %" PRIu64 " devices\n",
			ndev);
		fflush(stderr);
	}
	if ((rc = bsim_scenario_geography(w, &grid, err, sizeof(err)))) {
		fprintf(stderr, "blocsim run: %s: %s\n", scenario, err);
		status = rc == BSIM_EINVAL ? 2 : 1;
		goto done;
	}
	have_grid = true;
	/* Signals stop the run between slices; the result is not written. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	ec.capacity_hint =
		(uint32_t)(ndev * 6 < UINT32_MAX ? ndev * 6 : UINT32_MAX);
	rng = bsim_rng_create(w->run.seed);
	if (!rng || (rc = bsim_engine_create(&ec, &eng))) {
		fprintf(stderr, "blocsim run: cannot create the engine: %s\n",
			rng ? bsim_strerror(rc) : "out of memory");
		status = 1;
		goto done;
	}
	rc = bsim_model_create(w, &grid, eng, rng, &m, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "blocsim run: %s: %s\n", scenario,
			rc == BSIM_EINVAL ? err : bsim_strerror(rc));
		status = rc == BSIM_EINVAL ? 2 : 1;
		goto done;
	}
	prog.t0 = bsim_cli_wall_now();
	/* Slices of a thousandth of the run: the progress line and signal
	 * checks come often enough without costing time. */
	rc = bsim_model_run(m, w->run.duration_s * UINT64_C(1000000),
			    on_progress, &prog);
	if (prog.show)
		fputc('\n', stderr);
	if (rc == BSIM_ESTOPPED || stop_signal)
		goto stopped;
	if (rc) {
		fprintf(stderr, "blocsim run: the run failed: %s\n",
			*bsim_model_error(m) ? bsim_model_error(m)
					     : bsim_strerror(rc));
		status = 1;
		goto done;
	}
	snprintf(engname, sizeof(engname), "%s", bsim_engine_name(eng));
	gethostname(host, sizeof(host) - 1);
	{
		struct bsim_result_meta meta = {
			.scenario_yaml = yaml,
			.engine = engname,
			.wall_seconds = bsim_cli_wall_now() - t0,
			.host = host,
			.sweep_run_id = sweep_id,
			.sweep_params = sweep_params,
			.sweep_replication = sweep_rep,
		};

		rc = bsim_result_write(out, bsim_model_results(m), &meta,
				       not_stopped, err, sizeof(err));
	}
	if (rc == BSIM_ESTOPPED)
		goto stopped;
	if (rc) {
		fprintf(stderr, "blocsim run: %s\n", err);
		status = 1;
		goto done;
	}
	if (!quiet) {
		const struct bsim_results *r = bsim_model_results(m);

		printf("run %s: %zu devices, %.0f s simulated, %" PRIu64
		       " events on %s in %.2f s\n",
		       w->name, r->ndevices, r->sim_duration_ns * 1e-9,
		       r->events_executed, engname, bsim_cli_wall_now() - t0);
		printf("sample: fraction %g of a population of %" PRIu64
		       " devices (counts below are the sample's; rates and "
		       "ratios stand for the population)\n",
		       w->run.sample_fraction, bsim_world_population(w));
		print_kpis(r, out);
	}
	goto done;
stopped:
	fprintf(stderr,
		"blocsim run: stopped by signal %d; no result written\n",
		(int)stop_signal);
	status = 128 + (int)stop_signal;
done:
	bsim_model_destroy(m);
	bsim_engine_destroy(eng);
	bsim_rng_destroy(rng);
	if (have_grid)
		bsim_grid_finish(&grid);
	bsim_world_destroy(w);
	free(yaml);
	free(from_text);
	free(sets);
	return status;
}
