/* SPDX-License-Identifier: MIT */
/* Sweep files: expressions, run ids, seeds, expansion and its errors. */
#include <blocsim/error.h>
#include <blocsim/sweep.h>

#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct bsim_param P[] = {
	{ "topology", "blocs" },
	{ "x", "9" },
	{ "name", "abc" },
};
static struct bsim_run RUN = { "", 3, 0, 3, P };

static int eval(const char *text)
{
	struct bsim_expr *e;
	struct bsim_cfg_err err;
	int r;

	cr_assert_eq(bsim_expr_parse(text, "test", &e, &err), 0, "%s: %s", text,
		     err.msg);
	r = bsim_expr_eval(e, &RUN, &err);
	bsim_expr_destroy(e);
	return r;
}

Test(sweep, expressions_follow_precedence_and_types)
{
	cr_assert_eq(eval("topology == 'blocs'"), 1);
	cr_assert_eq(eval("topology != \"blocs\""), 0);
	cr_assert_eq(eval("x < 10"), 1, "9 < 10 as numbers");
	cr_assert_eq(eval("x > 10"), 0);
	cr_assert_eq(eval("x == 9.0"), 1, "numbers compare by value");
	cr_assert_eq(eval("name < 'abd'"), 1, "text compares as text");
	cr_assert_eq(eval("replication >= 3 && replication <= 3"), 1);
	/* && binds tighter than ||. */
	cr_assert_eq(eval("x == 1 || x == 9 && name == 'abc'"), 1);
	cr_assert_eq(eval("(x == 1 || x == 9) && name == 'zzz'"), 0);
	cr_assert_eq(eval("!(x == 9)"), 0);
	cr_assert_eq(eval("!!x"), 1, "a lone non-zero operand is true");
}

Test(sweep, expression_errors_name_the_column)
{
	static const struct {
		const char *text, *msg;
	} bad[] = {
		{ "x ==", "--filter: column 5: unexpected end of expression" },
		{ "(x == 1", "--filter: column 8: expected ')'" },
		{ "x == 1 junk",
		  "--filter: column 8: unexpected text after the expression" },
		{ "x == 'open", "--filter: column 6: unterminated string" },
		{ "== 3", "--filter: column 1: expected a name, a number or a "
			  "string" },
	};
	struct bsim_cfg_err err;
	struct bsim_expr *e;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cr_assert_eq(bsim_expr_parse(bad[i].text, "--filter", &e, &err),
			     BSIM_EPARSE, "%s", bad[i].text);
		cr_assert_str_eq(err.msg, bad[i].msg);
	}
	cr_assert_eq(bsim_expr_parse("nope == 1", "f", &e, &err), 0);
	cr_assert_eq(bsim_expr_eval(e, &RUN, &err), BSIM_ENOTFOUND);
	cr_assert(strstr(err.msg, "'nope' is not a parameter"), "%s", err.msg);
	bsim_expr_destroy(e);
}

Test(sweep, run_ids_are_canonical_and_stable)
{
	struct bsim_param a[] = { { "b", "1000" }, { "a", "x" } };
	struct bsim_param b[] = { { "a", "x" }, { "b", "1e3" } };
	struct bsim_param c[] = { { "a", "x" }, { "b", "1000.0" } };
	struct bsim_param d[] = { { "a", "x" }, { "b", "1001" } };
	char ia[17], ib[17], ic[17], id[17], ir[17];

	bsim_run_id(a, 2, 0, ia);
	bsim_run_id(b, 2, 0, ib);
	bsim_run_id(c, 2, 0, ic);
	bsim_run_id(d, 2, 0, id);
	bsim_run_id(a, 2, 1, ir);
	cr_assert_str_eq(ia, ib, "key order and number spelling don't matter");
	cr_assert_str_eq(ia, ic);
	cr_assert_str_neq(ia, id);
	cr_assert_str_neq(ia, ir, "the replication is part of the id");
	cr_assert_eq(strlen(ia), 16);
	/* Pinned: ids name result files, so they may never drift. */
	cr_assert_str_eq(ia, "c569d4b8b35b9d32");
}

Test(sweep, seeds_depend_on_sweep_seed_and_replication_only)
{
	cr_assert_eq(bsim_sweep_seed(7, 0), bsim_sweep_seed(7, 0));
	cr_assert_neq(bsim_sweep_seed(7, 0), bsim_sweep_seed(7, 1));
	cr_assert_neq(bsim_sweep_seed(7, 0), bsim_sweep_seed(8, 0));
	/* Pinned: scheme v1. */
	cr_assert_eq(bsim_sweep_seed(7, 0), UINT64_C(1385393852022992568));
}

static char dir[64];

static const char *write_sweep(const char *text)
{
	static char path[128];
	FILE *f;

	strcpy(dir, "/tmp/bsim-sweep-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/s.yaml", dir);
	f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

static void clean(void)
{
	char cmd[96];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_assert_eq(system(cmd), 0);
}

Test(sweep, expansion_crosses_axes_zips_and_replications, .fini = clean)
{
	struct bsim_sweep *s;
	struct bsim_cfg_err err;
	const char *p = write_sweep(
		"sweep:\n  base: default.yaml\n  seed: 7\n  replications: 2\n"
		"  parameters:\n    topology: [arms-length, blocs, grand]\n"
		"    hss: [1000, 5000]\n  zip:\n    - {a: [1, 2], c: [x, y]}\n"
		"  constraints:\n    - \"topology != 'arms-length' || a == "
		"1\"\n"
		"  set:\n    run.duration_s: 3600\n");

	cr_assert_eq(bsim_sweep_load(p, &s, &err), 0, "%s", err.msg);
	cr_assert_eq(s->nruns, 20, "3 x 2 x 2 x 2 reps, less 4 by constraint");
	cr_assert(strstr(s->base, "/default.yaml"));
	cr_assert_eq(s->nset, 1);
	cr_assert_str_eq(s->runs[0].params[0].value, "arms-length");
	cr_assert_eq(s->runs[0].replication, 0);
	cr_assert_eq(s->runs[1].replication, 1, "replications innermost");
	cr_assert_eq(s->runs[0].seed, s->runs[2].seed,
		     "one replication, one seed: common random numbers");
	for (size_t r = 0; r < s->nruns; r++)
		for (size_t q = 0; q < r; q++)
			cr_assert_str_neq(s->runs[r].id, s->runs[q].id);
	bsim_sweep_destroy(s);
}

Test(sweep, mistakes_are_reported_where_they_are, .fini = clean)
{
	static const struct {
		const char *text, *msg;
	} bad[] = {
		{ "sweep:\n  base: d.yaml\n  replicatons: 2\n",
		  "s.yaml:3:3: sweep.replicatons: unknown key 'replicatons'" },
		{ "sweep:\n  base: d.yaml\n  replications: 0\n",
		  "s.yaml:3:17: sweep.replications: 0 is out of range" },
		{ "sweep:\n  base: d.yaml\n  zip:\n    - {a: [1, 2], b: [3]}\n",
		  "s.yaml:4:19: sweep.zip[0].b: zipped lists must have equal" },
		{ "sweep:\n  base: d.yaml\n  parameters:\n    a: [1]\n  zip:\n"
		  "    - {a: [2]}\n",
		  "sweep.zip[0].a: 'a' is swept twice" },
		{ "sweep:\n  base: d.yaml\n  parameters:\n    a: []\n",
		  "s.yaml:4:5: sweep.parameters.a: expected a non-empty list" },
		{ "sweep:\n  base: d.yaml\n  parameters:\n    a: [1]\n"
		  "  constraints:\n    - \"b == 1\"\n",
		  "s.yaml:6:7: sweep.constraints[0]: 'b' is not a parameter" },
		{ "sweep:\n  base: d.yaml\n  constraints:\n    - \"a ==\"\n",
		  "s.yaml:4:7: sweep.constraints[0]: expression: column 5" },
		{ "seeds: 1\n", "s.yaml:1:1: seeds: unknown key 'seeds'" },
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct bsim_sweep *s = NULL;
		struct bsim_cfg_err err;
		const char *p = write_sweep(bad[i].text);

		cr_assert_eq(bsim_sweep_load(p, &s, &err), BSIM_EPARSE,
			     "case %zu", i);
		cr_assert_null(s);
		cr_assert(strstr(err.msg, bad[i].msg), "case %zu: %s", i,
			  err.msg);
		clean();
	}
	write_sweep("");
}
