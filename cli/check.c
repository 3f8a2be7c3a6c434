/* SPDX-License-Identifier: MIT */
/*
 * `blocsim check SCENARIO [--set path=value]...`: load and validate a
 * scenario without running it, and print what it holds.
 */
#include "cli.h"

#include <blocsim/error.h>
#include <blocsim/scenario.h>

#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
	fputs("usage: blocsim check SCENARIO [--set path=value]...\n"
	      "       blocsim check --keys\n"
	      "  validate a scenario without running it; exit 2 on a mistake\n"
	      "  --keys  print the scenario key tables (Markdown, as in\n"
	      "          scenarios/README.md) and exit\n",
	      f);
}

/* Below this many servers a sampled node's waits are not the real
 * node's: a single server at the real service time queues far more than
 * the real many-server node at the same utilisation [assumption]. */
#define FEW_SERVERS 10

static void few(const char *op, const char *kind, uint32_t c, double f,
		unsigned *n)
{
	uint32_t s = bsim_world_sampled(c, f);

	if (s >= FEW_SERVERS)
		return;
	if ((*n)++ < 6)
		printf("%s %s %s %u of %u", *n > 1 ? "," : "", op, kind, s, c);
	else if (*n == 7)
		printf(", ...");
}

/* The nodes the dimensioning rule sized, with their real servers and
 * busy-hour background utilisation. */
static void dimensioned(const struct bsim_world *w)
{
	for (size_t o = 0; o < w->noperators; o++) {
		const struct bsim_operator *op = &w->operators[o];

		if (op->subscribers == 0)
			continue;
		printf("    %s: %" PRIu64 " subscribers (%.0f M2M): hss %u "
		       "servers, %.0f/s, busy-hour background %.2f; mme %u, "
		       "%.0f/s, %.2f\n",
		       op->name, op->subscribers, bsim_world_m2m(w, o),
		       op->hss_servers, op->hss_capacity_per_s,
		       bsim_world_background_per_s(w, o, false) /
			       op->hss_capacity_per_s,
		       op->mme_servers, op->mme_capacity_per_s,
		       bsim_world_background_per_s(w, o, true) /
			       op->mme_capacity_per_s);
	}
}

/* Each node's servers in the sample, and a warning for the small ones. */
static void nodes(const struct bsim_world *w)
{
	double f = w->run.sample_fraction;
	unsigned n = 0;

	printf("  nodes: servers x sample fraction %g, at least 1 each; "
	       "below %d:",
	       f, FEW_SERVERS);
	for (size_t o = 0; o < w->noperators; o++) {
		few(w->operators[o].name, "mme", w->operators[o].mme_servers, f,
		    &n);
		few(w->operators[o].name, "hss", w->operators[o].hss_servers, f,
		    &n);
	}
	for (size_t p = 0; p < w->nplatforms; p++)
		few(w->platforms[p].name, "pool", w->platforms[p].servers, f,
		    &n);
	printf("%s\n", n ? "" : " none");
	dimensioned(w);
	if (n)
		fprintf(stderr,
			"blocsim check: warning: %u nodes have fewer than %d "
			"servers in the sample: their waits are not those of "
			"the real nodes (raise run.sample_fraction)\n",
			n, FEW_SERVERS);
}

static void summary(const struct bsim_world *w)
{
	static const char *const outputs[] = { "summary", "billing", "full" };
	int64_t day = w->run.start_unix_s / 86400,
		sec = w->run.start_unix_s % 86400;

	printf("scenario %s\n", w->name);
	printf("  run: start day %" PRId64 " + %" PRId64 " s UTC, %" PRIu64
	       " s, seed %" PRIu64 ", output %s, bins of %" PRIu64 " s\n",
	       day, sec, w->run.duration_s, w->run.seed, outputs[w->run.output],
	       w->run.bin_s);
	printf("  grid: %.1f km cells over %.2f..%.2f N, %.2f..%.2f E\n",
	       w->grid.cell_km, w->grid.south, w->grid.north, w->grid.west,
	       w->grid.east);
	printf("  countries: %zu, cities: %zu, operators: %zu, blocs: %zu\n",
	       w->ncountries, w->ncities, w->noperators, w->nblocs);
	for (size_t c = 0; c < w->ncountries; c++) {
		printf("    %-4s %-3s", w->countries[c].iso,
		       w->countries[c].mcc);
		for (size_t o = 0; o < w->noperators; o++)
			if (w->operators[o].country == c)
				printf(" %s(%s-%s)", w->operators[o].name,
				       w->operators[o].mcc,
				       w->operators[o].mnc);
		printf("\n");
	}
	{
		static const char *const rel[] = { "home", "same_group",
						   "bloc_partner",
						   "arms_length", "none" };
		size_t count[5] = { 0 };
		const char *sep = "";

		for (size_t h = 0; h < w->noperators; h++)
			for (size_t v = 0; v < w->noperators; v++)
				count[bsim_world_terms(w, h, v)->relation]++;
		printf("  agreements:");
		for (int r = 1; r < 5; r++)
			if (count[r]) {
				printf("%s %zu %s", sep, count[r], rel[r]);
				sep = ",";
			}
		printf("\n");
	}
	printf("  sample: fraction %g, %" PRIu64 " devices simulated of a "
	       "population of %" PRIu64 "\n",
	       w->run.sample_fraction, bsim_world_devices(w),
	       bsim_world_population(w));
	nodes(w);
	printf("  routes: %zu, platforms: %zu, failures: %zu\n", w->nroutes,
	       w->nplatforms, w->nfailures);
	for (size_t c = 0; c < w->nclasses; c++) {
		const struct bsim_class *k = &w->classes[c];
		double reports = k->daily ? 1 : 86400 / k->report_s;

		printf("    class %s: %" PRIu64 " devices, %s, %.1f reports + "
		       "%.1f periodic updates",
		       k->name, k->simulated,
		       k->mobility == BSIM_MOBILITY_ROUTE ? "on routes"
							  : "stationary",
		       reports, 86400 / k->t3412_s);
		if (k->mt_per_day > 0)
			printf(" + %.1f mobile-terminated messages",
			       k->mt_per_day);
		printf(" per device-day");
		if (k->t3324_s > 0)
			printf(", PSM");
		if (k->edrx_s > 0)
			printf(", eDRX %g s", k->edrx_s);
		printf("\n");
	}
	bsim_scenario_print_settings(stdout, w);
	for (size_t b = 0; b < w->nblocs; b++) {
		printf("    bloc %s:", w->blocs[b].name);
		for (size_t m = 0; m < w->blocs[b].nmembers; m++)
			printf(" %s",
			       w->operators[w->blocs[b].members[m]].name);
		printf("\n");
	}
}

int bsim_cli_check(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "set", required_argument, NULL, 's' },
		{ "keys", no_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char **sets = calloc((size_t)argc, sizeof(*sets));
	struct bsim_world *w = NULL;
	struct bsim_cfg_err err;
	size_t nsets = 0;
	int c, rc;

	if (!sets)
		return 1;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
			sets[nsets++] = optarg;
			break;
		case 'h':
			usage(stdout);
			free(sets);
			return 0;
		case 'k':
			bsim_scenario_keys_markdown(stdout);
			free(sets);
			return 0;
		default:
			usage(stderr);
			free(sets);
			return 2;
		}
	}
	if (optind + 1 != argc) {
		fprintf(stderr, "blocsim check: expected one scenario file\n");
		usage(stderr);
		free(sets);
		return 2;
	}
	rc = bsim_scenario_load(argv[optind], sets, nsets, &w, NULL, &err);
	free(sets);
	if (rc) {
		fprintf(stderr, "blocsim check: %s\n",
			rc == BSIM_ENOMEM ? bsim_strerror(rc) : err.msg);
		return rc == BSIM_ENOMEM ? 1 : 2;
	}
	summary(w);
	printf("ok\n");
	bsim_world_destroy(w);
	return 0;
}
