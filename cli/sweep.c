/* SPDX-License-Identifier: MIT */
/*
 * `blocsim sweep SWEEP.yaml --list [--filter EXPR]`: expand a sweep file
 * and print its runs (id, replication, seed, parameters), one per line, in
 * canonical order. Running them arrives with `blocsim run`.
 */
#include "cli.h"

#include <blocsim/error.h>
#include <blocsim/sweep.h>

#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static void usage(FILE *f)
{
	fputs("usage: blocsim sweep SWEEP.yaml --list [--filter EXPR]\n"
	      "  --list         print the runs without running them\n"
	      "  --filter EXPR  keep the runs where EXPR holds, e.g.\n"
	      "                 \"topology == 'blocs' && replication < 2\"\n",
	      f);
}

int bsim_cli_sweep(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "list", no_argument, NULL, 'l' },
		{ "filter", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct bsim_expr *filter = NULL;
	struct bsim_sweep *s = NULL;
	struct bsim_cfg_err err;
	const char *ftext = NULL;
	size_t shown = 0;
	int c, list = 0, rc = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'l':
			list = 1;
			break;
		case 'f':
			ftext = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind + 1 != argc) {
		fprintf(stderr, "blocsim sweep: expected one sweep file\n");
		usage(stderr);
		return 2;
	}
	if (!list) {
		fprintf(stderr, "blocsim sweep: this version lists sweeps "
				"(--list); running them needs `blocsim run`, "
				"which is not built yet\n");
		return 2;
	}
	if (ftext && bsim_expr_parse(ftext, "--filter", &filter, &err)) {
		fprintf(stderr, "blocsim sweep: %s\n", err.msg);
		return 2;
	}
	if (bsim_sweep_load(argv[optind], &s, &err)) {
		fprintf(stderr, "blocsim sweep: %s\n", err.msg);
		bsim_expr_destroy(filter);
		return 2;
	}
	for (size_t r = 0; r < s->nruns && rc == 0; r++) {
		const struct bsim_run *run = &s->runs[r];

		if (filter) {
			int keep = bsim_expr_eval(filter, run, &err);

			if (keep < 0) {
				fprintf(stderr, "blocsim sweep: --filter: %s\n",
					err.msg);
				rc = 2;
				break;
			}
			if (!keep)
				continue;
		}
		printf("%s\treplication=%" PRIu64 "\tseed=%" PRIu64, run->id,
		       run->replication, run->seed);
		for (size_t i = 0; i < run->nparams; i++)
			printf("\t%s=%s", run->params[i].name,
			       run->params[i].value);
		printf("\n");
		shown++;
	}
	if (rc == 0)
		fprintf(stderr, "%zu of %zu runs (base %s)\n", shown, s->nruns,
			s->base);
	bsim_sweep_destroy(s);
	bsim_expr_destroy(filter);
	return rc;
}
