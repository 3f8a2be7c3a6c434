/* SPDX-License-Identifier: MIT */
/*
 * blocsim's command line: one executable, subcommands dispatched from a
 * table. Wiring only: each subcommand lives in its layer and returns the
 * process exit status (0 ok, 1 runtime failure, 2 bad input).
 */
#include "../bench/bench.h"
#include "cli.h"

#include <blocsim/engine.h>
#include <blocsim/version.h>

#include <stdio.h>
#include <string.h>

struct command {
	const char *name;
	const char *help;
	int (*main)(int argc, char **argv);
};

static int bench_main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "engine"))
		return bsim_bench_engine_main(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "model"))
		return bsim_bench_model_main(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "latency"))
		return bsim_bench_latency_main(argc - 1, argv + 1);
	fprintf(stderr, "usage: blocsim bench engine|model|latency [options]   "
			"(see `blocsim bench engine --help`)\n");
	if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")))
		return 0;
	return 2;
}

static int version_main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("blocsim %s\n", BSIM_VERSION);
	printf("features: ns-3 %s, MPI %s\n",
	       bsim_engine_has_ns3() ? "yes" : "no",
#ifdef BSIM_HAVE_MPI
	       "yes"
#else
	       "no"
#endif
	);
	return 0;
}

static const struct command commands[] = {
	{ "analyze",
	  "KPIs per group with confidence intervals (`analyze RESULT|INDEX`)",
	  bsim_cli_analyze },
	{ "bench",
	  "benchmarks: `bench engine` (HOLD), `bench model`, `bench latency`",
	  bench_main },
	{ "check", "validate a scenario (`check FILE [--set path=value]`)",
	  bsim_cli_check },
	{ "run", "run a scenario (`run SCENARIO [-o OUT.h5] [--seed N] ...`)",
	  bsim_cli_run },
	{ "sweep", "run or list a sweep (`sweep FILE -o DIR [-j N]`, `--list`)",
	  bsim_cli_sweep },
	{ "version", "print the version", version_main },
};

static void usage(FILE *f)
{
	fputs("usage: blocsim COMMAND [options]\n\ncommands:\n", f);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].help);
	fputs("\n`blocsim COMMAND --help` describes a command's options.\n", f);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version"))
		return version_main(argc - 1, argv + 1);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].main(argc - 1, argv + 1);
	fprintf(stderr, "blocsim: unknown command '%s'\n\n", argv[1]);
	usage(stderr);
	return 2;
}
