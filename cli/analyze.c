/* SPDX-License-Identifier: MIT */
/*
 * `blocsim analyze RESULT.h5|DIR/index.h5 [--by PARAM] [--baseline VALUE]
 * [--format table|csv|json]`: KPIs per group of runs with 95% confidence
 * intervals (Student's t), paired differences against a baseline (per
 * replication: common random numbers make them tight), cost per device by
 * class, and the largest net payers and receivers of the settlement.
 *
 * Groups are the distinct combinations of the swept parameters other than
 * the replication; with --by, that parameter labels the groups and the
 * others, where they vary, stay part of the group (never pooled).
 */
#include "../stats/summary.h"
#include "cli.h"

#include <blocsim/error.h>
#include <blocsim/study.h>

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum fmt { TABLE, CSV, JSON };

struct group {
	char label[512];
	size_t *runs, n;
	const struct bsim_study_run *first;
};

static void usage(FILE *f)
{
	fputs("usage: blocsim analyze RESULT.h5|DIR/index.h5 [--by PARAM]\n"
	      "                       [--baseline VALUE] [--format "
	      "table|csv|json]\n"
	      "  KPIs per group of runs: n, mean, sd, 95% CI (Student's t);\n"
	      "  --by PARAM labels groups by one swept parameter;\n"
	      "  --baseline VALUE adds paired differences against the group\n"
	      "  whose PARAM is VALUE, replication by replication\n",
	      f);
}

/* Do runs a and b belong to one group (all parameters equal)? */
static bool same_group(const struct bsim_study *s,
		       const struct bsim_study_run *a,
		       const struct bsim_study_run *b)
{
	for (size_t p = 0; p < s->nparams; p++)
		if (strcmp(a->values[p] ? a->values[p] : "",
			   b->values[p] ? b->values[p] : ""))
			return false;
	return true;
}

/* Same group but for parameter `by`? */
static bool same_but(const struct bsim_study *s, const struct bsim_study_run *a,
		     const struct bsim_study_run *b, int by)
{
	for (size_t p = 0; p < s->nparams; p++)
		if ((int)p != by && strcmp(a->values[p] ? a->values[p] : "",
					   b->values[p] ? b->values[p] : ""))
			return false;
	return true;
}

static void label_of(const struct bsim_study *s, const struct bsim_study_run *r,
		     int by, bool others_vary, char *out, size_t len)
{
	size_t used = 0;

	out[0] = '\0';
	if (!s->index) {
		snprintf(out, len, "run");
		return;
	}
	if (by >= 0) {
		used += (size_t)snprintf(out, len, "%s", r->values[by]);
		if (!others_vary)
			return;
		used += (size_t)snprintf(out + used, len - used, " [");
	}
	for (size_t p = 0, k = 0; p < s->nparams && used < len; p++) {
		if ((int)p == by)
			continue;
		used += (size_t)snprintf(out + used, len - used, "%s%s=%s",
					 k++ ? "," : "", s->params[p],
					 r->values[p] ? r->values[p] : "");
	}
	if (by >= 0 && used < len)
		snprintf(out + used, len - used, "]");
	if (!out[0])
		snprintf(out, len, "all");
}

static void num(FILE *f, enum fmt fm, double v)
{
	if (isnan(v))
		fputs(fm == JSON ? "null" : fm == CSV ? "" : "-", f);
	else
		fprintf(f, "%.10g", v);
}

/* One summary row in the chosen format. */
static void row(enum fmt fm, bool *first, const char *group, const char *kpi,
		const struct bsim_summary *m, const char *kind)
{
	if (fm == CSV) {
		printf("\"%s\",%s,%zu,", group, kpi, m->n);
		num(stdout, fm, m->mean);
		putchar(',');
		num(stdout, fm, m->sd);
		putchar(',');
		num(stdout, fm, m->ci95_low);
		putchar(',');
		num(stdout, fm, m->ci95_high);
		printf(",%s\n", kind);
	} else if (fm == JSON) {
		printf("%s\n  {\"group\": \"%s\", \"kpi\": \"%s\", \"kind\": "
		       "\"%s\", \"n\": %zu, \"mean\": ",
		       *first ? "" : ",", group, kpi, kind, m->n);
		num(stdout, fm, m->mean);
		fputs(", \"sd\": ", stdout);
		num(stdout, fm, m->sd);
		fputs(", \"ci95_low\": ", stdout);
		num(stdout, fm, m->ci95_low);
		fputs(", \"ci95_high\": ", stdout);
		num(stdout, fm, m->ci95_high);
		putchar('}');
	} else {
		printf("  %-40s %4zu ", kpi, m->n);
		num(stdout, fm, m->mean);
		putchar(' ');
		num(stdout, fm, m->sd);
		fputs("  [", stdout);
		num(stdout, fm, m->ci95_low);
		fputs(", ", stdout);
		num(stdout, fm, m->ci95_high);
		puts("]");
	}
	*first = false;
}

int bsim_cli_analyze(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "by", required_argument, NULL, 'b' },
		{ "baseline", required_argument, NULL, 'B' },
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *by_name = NULL, *baseline = NULL;
	struct bsim_study *s = NULL;
	struct group *g = NULL;
	enum fmt fm = TABLE;
	char err[512];
	size_t ng = 0;
	int by = -1, c, rc;
	bool others_vary = false, first = true;
	double *x;

	argv[0] = "blocsim analyze";
	optind = 1;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'b':
			by_name = optarg;
			break;
		case 'B':
			baseline = optarg;
			break;
		case 'f':
			if (!strcmp(optarg, "table"))
				fm = TABLE;
			else if (!strcmp(optarg, "csv"))
				fm = CSV;
			else if (!strcmp(optarg, "json"))
				fm = JSON;
			else {
				fprintf(stderr,
					"blocsim analyze: --format %s: "
					"expected table, csv or json\n",
					optarg);
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
	if (optind + 1 != argc) {
		fprintf(stderr, "blocsim analyze: expected one result file or "
				"index\n");
		usage(stderr);
		return 2;
	}
	if (baseline && !by_name) {
		fprintf(stderr, "blocsim analyze: --baseline needs --by\n");
		return 2;
	}
	if ((rc = bsim_study_load(argv[optind], &s, err, sizeof(err)))) {
		fprintf(stderr, "blocsim analyze: %s\n", err);
		return rc == BSIM_ENOMEM ? 1 : 2;
	}
	if (by_name) {
		for (size_t p = 0; p < s->nparams; p++)
			if (!strcmp(s->params[p], by_name))
				by = (int)p;
		if (by < 0) {
			fprintf(stderr,
				"blocsim analyze: --by %s: not a swept "
				"parameter of %s\n",
				by_name, argv[optind]);
			bsim_study_destroy(s);
			return 2;
		}
		for (size_t r = 1; r < s->nruns; r++)
			for (size_t p = 0; p < s->nparams; p++)
				if ((int)p != by &&
				    strcmp(s->runs[r].values[p],
					   s->runs[0].values[p]))
					others_vary = true;
	}
	/* Groups, in order of first appearance. */
	g = calloc(s->nruns + 1, sizeof(*g));
	x = calloc(s->nruns + 1, sizeof(*x));
	for (size_t r = 0; g && r < s->nruns; r++) {
		size_t k = 0;

		while (k < ng &&
		       !(s->index ? same_group(s, g[k].first, &s->runs[r])
				  : false))
			k++;
		if (k == ng) {
			g[k].first = &s->runs[r];
			g[k].runs = calloc(s->nruns, sizeof(size_t));
			label_of(s, &s->runs[r], by, others_vary, g[k].label,
				 sizeof(g[k].label));
			ng++;
		}
		g[k].runs[g[k].n++] = r;
	}
	if (fm == CSV)
		puts("group,kpi,n,mean,sd,ci95_low,ci95_high,kind");
	if (fm == JSON)
		fputs("{\"rows\": [", stdout);
	for (size_t k = 0; k < ng; k++) {
		if (fm == TABLE)
			printf("%s (n = %zu)\n  %-40s %4s mean sd  [95%% CI]\n",
			       g[k].label, g[k].n, "kpi", "n");
		for (unsigned q = 0; q < BSIM_KPI_COUNT; q++) {
			struct bsim_summary m;

			for (size_t i = 0; i < g[k].n; i++)
				x[i] = s->runs[g[k].runs[i]].kpi[q];
			m = bsim_summarise(x, g[k].n);
			row(fm, &first, g[k].label, bsim_kpi_name(q), &m,
			    "value");
		}
		/* Cost per device by class. */
		for (size_t cl = 0; cl < s->nclasses; cl++) {
			struct bsim_summary m;
			char kn[128];

			for (size_t i = 0; i < g[k].n; i++) {
				const struct bsim_study_run *r =
					&s->runs[g[k].runs[i]];

				x[i] = r->class_cost ? r->class_cost[cl] : NAN;
			}
			m = bsim_summarise(x, g[k].n);
			snprintf(kn, sizeof(kn),
				 "cost_per_device_month_eur[%s]",
				 s->classes[cl]);
			row(fm, &first, g[k].label, kn, &m, "class");
		}
	}
	/* Paired differences against the baseline group. */
	if (baseline) {
		bool found = false;

		for (size_t k = 0; k < ng; k++) {
			const struct bsim_study_run *a = g[k].first;
			size_t b = ng;
			char kind[160];

			if (!strcmp(a->values[by], baseline)) {
				found = true;
				continue;
			}
			for (size_t j = 0; j < ng; j++)
				if (!strcmp(g[j].first->values[by], baseline) &&
				    same_but(s, g[j].first, a, by))
					b = j;
			if (b == ng)
				continue;
			snprintf(kind, sizeof(kind), "paired-vs-%s", baseline);
			if (fm == TABLE)
				printf("%s minus %s, paired by replication\n",
				       g[k].label, baseline);
			for (unsigned q = 0; q < BSIM_KPI_COUNT; q++) {
				size_t n = 0;
				struct bsim_summary m;

				for (size_t i = 0; i < g[k].n; i++) {
					const struct bsim_study_run *ra =
						&s->runs[g[k].runs[i]];

					for (size_t j = 0; j < g[b].n; j++) {
						const struct bsim_study_run *rb =
							&s->runs[g[b].runs[j]];

						if (rb->replication ==
						    ra->replication)
							x[n++] = ra->kpi[q] -
								 rb->kpi[q];
					}
				}
				m = bsim_summarise(x, n);
				row(fm, &first, g[k].label, bsim_kpi_name(q),
				    &m, kind);
			}
		}
		if (!found)
			fprintf(stderr,
				"blocsim analyze: no group has %s = %s\n",
				by_name, baseline);
	}
	if (fm == JSON)
		fputs("\n]", stdout);
	/* Settlement: largest net payers and receivers, mean over runs. */
	if (s->noperators) {
		double *bal = calloc(s->noperators, sizeof(double));
		size_t *ord = calloc(s->noperators, sizeof(size_t));

		for (size_t r = 0; bal && r < s->nruns; r++)
			for (size_t o = 0; o < s->noperators; o++)
				bal[o] += s->runs[r].net_eur
						  ? s->runs[r].net_eur[o] /
							    (double)s->nruns
						  : 0;
		for (size_t o = 0; ord && o < s->noperators; o++)
			ord[o] = o;
		for (size_t i = 1; ord && bal && i < s->noperators; i++)
			for (size_t j = i;
			     j > 0 && bal[ord[j]] > bal[ord[j - 1]]; j--) {
				size_t t = ord[j];

				ord[j] = ord[j - 1];
				ord[j - 1] = t;
			}
		if (ord && bal) {
			size_t n = s->noperators, top = n < 3 ? n : 3;

			if (fm == TABLE) {
				puts("settlement, net EUR per run (all runs): "
				     "largest receivers and payers");
				for (size_t i = 0; i < top; i++)
					printf("  receives %-20s %12.2f\n",
					       s->operators[ord[i]],
					       bal[ord[i]]);
				for (size_t i = 0; i < top; i++)
					printf("  pays     %-20s %12.2f\n",
					       s->operators[ord[n - 1 - i]],
					       -bal[ord[n - 1 - i]]);
			} else if (fm == JSON) {
				fputs(", \"net_balance_eur\": {", stdout);
				for (size_t o = 0; o < n; o++)
					printf("%s\"%s\": %.6f", o ? ", " : "",
					       s->operators[o], bal[o]);
				fputs("}", stdout);
			} else {
				for (size_t o = 0; o < n; o++)
					printf("\"settlement\",net_balance_eur["
					       "%"
					       "s],%zu,%.6f,,,,net\n",
					       s->operators[o], s->nruns,
					       bal[o]);
			}
		}
		free(bal);
		free(ord);
	}
	if (fm == JSON)
		puts("}");
	for (size_t k = 0; k < ng; k++)
		free(g[k].runs);
	free(g);
	free(x);
	bsim_study_destroy(s);
	return 0;
}
