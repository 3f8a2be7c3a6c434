/* SPDX-License-Identifier: MIT */
/*
 * The scenario language's document layer: locations, extends, overrides,
 * typed readers and their messages, exact money, and the emitter.
 */
#include <blocsim/cfg.h>
#include <blocsim/error.h>

#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[64];

static void make_dir(void)
{
	strcpy(dir, "/tmp/bsim-cfg-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
}

/* Write FILE in the test folder; returns its path (static buffer). */
static const char *write_file(const char *name, const char *text)
{
	static char path[4][128];
	static int k;
	char *p = path[k++ % 4];
	FILE *f;

	snprintf(p, 128, "%s/%s", dir, name);
	f = fopen(p, "w");
	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
	return p;
}

static void remove_dir(void)
{
	char cmd[96];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(cfg, .init = make_dir, .fini = remove_dir);

Test(cfg, nodes_know_file_line_column_and_path)
{
	const char *p = write_file("a.yaml", "run:\n  seed: 7\n  name: x\n"
					     "operators:\n  DT-DE:\n"
					     "    mnc: \"01\"\n");
	struct bsim_cfg *c;
	struct bsim_cfg_err err;
	const struct bsim_cfg_node *mnc;

	cr_assert_eq(bsim_cfg_load(p, &c, &err), 0, "%s", err.msg);
	mnc = bsim_cfg_get(
		bsim_cfg_get(bsim_cfg_get(bsim_cfg_root(c), "operators"),
			     "DT-DE"),
		"mnc");
	cr_assert_not_null(mnc);
	cr_assert_str_eq(mnc->text, "01", "leading zeros must survive");
	cr_assert(mnc->quoted);
	cr_assert_eq(mnc->line, 6);
	cr_assert_eq(mnc->col, 10);
	cr_assert_str_eq(mnc->path, "operators.DT-DE.mnc");
	cr_assert_str_eq(mnc->file, p);
	bsim_cfg_destroy(c);
}

Test(cfg, extends_deep_merges_maps_and_replaces_sequences)
{
	struct bsim_cfg *c;
	struct bsim_cfg_err err;
	const struct bsim_cfg_node *r, *ops, *seq;
	const char *child;

	write_file("base.yaml", "run:\n  seed: 1\n  days: 2\n"
				"operators:\n  A: {mnc: \"01\"}\n  B: {mnc: "
				"\"02\"}\nlist: [1, 2, 3]\n");
	child = write_file("child.yaml", "extends: base.yaml\nrun:\n  seed: "
					 "9\noperators:\n  C: {mnc: \"03\"}\n"
					 "list: [4]\n");
	cr_assert_eq(bsim_cfg_load(child, &c, &err), 0, "%s", err.msg);
	r = bsim_cfg_root(c);
	cr_assert_null(bsim_cfg_get(r, "extends"));
	cr_assert_str_eq(bsim_cfg_get(bsim_cfg_get(r, "run"), "seed")->text,
			 "9");
	cr_assert_str_eq(bsim_cfg_get(bsim_cfg_get(r, "run"), "days")->text,
			 "2", "a key only the base sets must survive");
	ops = bsim_cfg_get(r, "operators");
	cr_assert_eq(ops->n, 3);
	seq = bsim_cfg_get(r, "list");
	cr_assert_eq(seq->n, 1, "sequences are replaced, not merged");
	cr_assert_str_eq(seq->child[0]->text, "4");
	/* Each node keeps the file it came from. */
	cr_assert(strstr(bsim_cfg_get(ops, "A")->file, "base.yaml"));
	cr_assert(strstr(bsim_cfg_get(ops, "C")->file, "child.yaml"));
	bsim_cfg_destroy(c);
}

Test(cfg, a_null_value_removes_an_inherited_key)
{
	struct bsim_cfg *c;
	struct bsim_cfg_err err;
	const struct bsim_cfg_node *r, *ops;
	const char *child;

	write_file("base2.yaml", "blocs:\n  X: {members: [A]}\n"
				 "operators:\n  A: {mnc: \"01\"}\n  B: {mnc: "
				 "\"02\"}\n");
	child = write_file("child2.yaml", "extends: base2.yaml\nblocs: null\n"
					  "operators:\n  B: ~\n  Z: null\n");
	cr_assert_eq(bsim_cfg_load(child, &c, &err), 0, "%s", err.msg);
	r = bsim_cfg_root(c);
	cr_assert_null(bsim_cfg_get(r, "blocs"));
	ops = bsim_cfg_get(r, "operators");
	cr_assert_eq(ops->n, 1, "B removed, Z never added");
	cr_assert_not_null(bsim_cfg_get(ops, "A"));
	bsim_cfg_destroy(c);
}

Test(cfg, errors_inside_an_extended_file_name_that_file)
{
	struct bsim_cfg *c;
	struct bsim_cfg_err err;
	uint64_t v = 0;
	const char *child;

	write_file("base.yaml", "run:\n  seed: 1\n  days: lots\n");
	child = write_file("child.yaml",
			   "extends: base.yaml\nrun:\n  seed: 2\n");
	cr_assert_eq(bsim_cfg_load(child, &c, &err), 0, "%s", err.msg);
	cr_assert_eq(bsim_cfg_u64(bsim_cfg_get(bsim_cfg_root(c), "run"), "days",
				  true, 1, 365, &v, &err),
		     BSIM_EPARSE);
	cr_assert(strstr(err.msg, "base.yaml:3:9: run.days: expected a whole "
				  "number, got 'lots'"),
		  "%s", err.msg);
	bsim_cfg_destroy(c);
}

Test(cfg, extends_of_a_missing_file_or_a_cycle_fails)
{
	struct bsim_cfg *c = NULL;
	struct bsim_cfg_err err;
	const char *p = write_file("a.yaml", "extends: nowhere.yaml\n");

	cr_assert_eq(bsim_cfg_load(p, &c, &err), BSIM_EIO);
	cr_assert(strstr(err.msg, "a.yaml:1:10: extends:"), "%s", err.msg);
	cr_assert(strstr(err.msg, "nowhere.yaml"), "%s", err.msg);
	p = write_file("loop.yaml", "extends: loop.yaml\n");
	cr_assert_eq(bsim_cfg_load(p, &c, &err), BSIM_EPARSE);
	cr_assert(strstr(err.msg, "cycle"), "%s", err.msg);
	cr_assert_null(c);
}

Test(cfg, yaml_syntax_errors_carry_line_and_column)
{
	struct bsim_cfg *c = NULL;
	struct bsim_cfg_err err;
	const char *p = write_file("bad.yaml", "a: 1\nb: {c: 2\n");

	cr_assert_eq(bsim_cfg_load(p, &c, &err), BSIM_EPARSE);
	cr_assert(strstr(err.msg, "bad.yaml:"), "%s", err.msg);
	p = write_file("dup.yaml", "a: 1\nb: 2\na: 3\n");
	cr_assert_eq(bsim_cfg_load(p, &c, &err), BSIM_EPARSE);
	cr_assert(strstr(err.msg, "dup.yaml:3:1: a: duplicate key"), "%s",
		  err.msg);
	p = write_file("alias.yaml", "a: &x 1\nb: *x\n");
	cr_assert_eq(bsim_cfg_load(p, &c, &err), BSIM_EPARSE);
	cr_assert(strstr(err.msg, "not supported"), "%s", err.msg);
	cr_assert_null(c);
}

Test(cfg, overrides_replace_merged_keys_and_report_their_index)
{
	struct bsim_cfg *c;
	struct bsim_cfg_err err;
	const struct bsim_cfg_node *op;
	uint64_t cap = 0;
	const char *p = write_file("s.yaml", "operators:\n  DT-DE:\n"
					     "    hss_capacity_per_s: 500\n"
					     "    mnc: \"01\"\n");

	cr_assert_eq(bsim_cfg_load(p, &c, &err), 0, "%s", err.msg);
	cr_assert_eq(
		bsim_cfg_override(c, "operators.DT-DE.hss_capacity_per_s=2000",
				  1, &err),
		0, "%s", err.msg);
	op = bsim_cfg_get(bsim_cfg_get(bsim_cfg_root(c), "operators"), "DT-DE");
	cr_assert_eq(bsim_cfg_u64(op, "hss_capacity_per_s", true, 1, 1000000,
				  &cap, &err),
		     0);
	cr_assert_eq(cap, 2000);
	cr_assert_str_eq(op->keys[0], "hss_capacity_per_s", "order is kept");
	cr_assert_eq(bsim_cfg_override(c, "operators.DT-DE.mnc=x y", 2, &err),
		     0);
	cr_assert_eq(bsim_cfg_override(c,
				       "operators.DT-DE.hss_capacity_per_s="
				       "fast",
				       3, &err),
		     0);
	cr_assert_eq(bsim_cfg_u64(op, "hss_capacity_per_s", true, 1, 1000000,
				  &cap, &err),
		     BSIM_EPARSE);
	cr_assert_str_eq(err.msg, "--set #3: operators.DT-DE.hss_capacity_per_"
				  "s: expected a whole number, got 'fast'");
	cr_assert_eq(bsim_cfg_override(c, "operators.XX.mnc=1", 4, &err),
		     BSIM_EPARSE);
	cr_assert_str_eq(err.msg,
			 "--set #4: operators.XX: no such key in the scenario");
	cr_assert_eq(bsim_cfg_override(c, "no-equals-sign", 5, &err),
		     BSIM_EPARSE);
	cr_assert(strstr(err.msg, "--set #5"), "%s", err.msg);
	bsim_cfg_destroy(c);
}

Test(cfg, overrides_accept_yaml_values)
{
	struct bsim_cfg *c;
	struct bsim_cfg_err err;
	const struct bsim_cfg_node *l;

	cr_assert_eq(bsim_cfg_load_string("a: {b: [1]}\n", "mem", &c, &err), 0);
	cr_assert_eq(bsim_cfg_override(c, "a.b=[4, 5, 6]", 1, &err), 0, "%s",
		     err.msg);
	l = bsim_cfg_get(bsim_cfg_get(bsim_cfg_root(c), "a"), "b");
	cr_assert_eq(l->kind, BSIM_CFG_SEQ);
	cr_assert_eq(l->n, 3);
	cr_assert_str_eq(l->child[2]->path, "a.b[2]");
	cr_assert_str_eq(l->child[2]->file, "--set #1");
	bsim_cfg_destroy(c);
}

Test(cfg, booleans_are_true_or_false_only)
{
	struct bsim_cfg *c;
	struct bsim_cfg_err err;
	bool b = false;
	const struct bsim_cfg_node *r;

	cr_assert_eq(bsim_cfg_load_string("a: true\nb: yes\nc: \"true\"\nd: "
					  "False\n",
					  "mem.yaml", &c, &err),
		     0);
	r = bsim_cfg_root(c);
	cr_assert_eq(bsim_cfg_bool(r, "a", true, &b, &err), 0);
	cr_assert(b);
	cr_assert_eq(bsim_cfg_bool(r, "b", true, &b, &err), BSIM_EPARSE);
	cr_assert_str_eq(err.msg,
			 "mem.yaml:2:4: b: expected true or false, got 'yes'");
	cr_assert_eq(bsim_cfg_bool(r, "c", true, &b, &err), BSIM_EPARSE);
	cr_assert_eq(bsim_cfg_bool(r, "d", true, &b, &err), BSIM_EPARSE);
	cr_assert_eq(bsim_cfg_bool(r, "missing", false, &b, &err), 0);
	cr_assert_eq(bsim_cfg_bool(r, "missing", true, &b, &err), BSIM_EPARSE);
	cr_assert(strstr(err.msg, "missing: missing required key"), "%s",
		  err.msg);
	bsim_cfg_destroy(c);
}

Test(cfg, money_is_parsed_exactly_into_micro_euro)
{
	static const struct {
		const char *text;
		int64_t ueur;
		int rc;
	} cases[] = {
		{ "0.35", 350000, 0 },
		{ "12", 12000000, 0 },
		{ "0.000001", 1, 0 },
		{ "1.1", 1100000, 0 },
		{ "0.1", 100000, 0 }, /* 0.1 has no exact binary double. */
		{ "-2.5", -2500000, 0 },
		{ "9223372036854", 9223372036854000000, 0 },
		{ "9223372036855", 0, BSIM_ERANGE },
		{ "0.0000001", 0, BSIM_ERANGE },
		{ "1e3", 0, BSIM_ERANGE },
		{ "1.", 0, BSIM_ERANGE },
		{ ".5", 0, BSIM_ERANGE },
		{ "", 0, BSIM_ERANGE },
		{ "12 EUR", 0, BSIM_ERANGE },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int64_t v = 0;

		cr_assert_eq(bsim_parse_money_ueur(cases[i].text, &v),
			     cases[i].rc, "'%s'", cases[i].text);
		if (!cases[i].rc)
			cr_assert_eq(v, cases[i].ueur, "'%s' gave %lld",
				     cases[i].text, (long long)v);
	}
}

Test(cfg, money_reader_refuses_negative_amounts_by_default)
{
	struct bsim_cfg *c;
	struct bsim_cfg_err err;
	int64_t v = 0;

	cr_assert_eq(bsim_cfg_load_string("rate_eur_per_mb: -0.5\nfee_eur: "
					  "\"0.25\"\n",
					  "m.yaml", &c, &err),
		     0);
	cr_assert_eq(bsim_cfg_money_ueur(bsim_cfg_root(c), "rate_eur_per_mb",
					 true, false, &v, &err),
		     BSIM_EPARSE);
	cr_assert(strstr(err.msg, "m.yaml:1:18: rate_eur_per_mb: amount must "
				  "not be negative"),
		  "%s", err.msg);
	cr_assert_eq(bsim_cfg_money_ueur(bsim_cfg_root(c), "fee_eur", true,
					 false, &v, &err),
		     0);
	cr_assert_eq(v, 250000);
	bsim_cfg_destroy(c);
}

Test(cfg, unknown_keys_are_errors_naming_the_expected_ones)
{
	struct bsim_cfg *c;
	struct bsim_cfg_err err;
	static const char *const allowed[] = { "seed", "duration_s", NULL };

	cr_assert_eq(bsim_cfg_load_string("run:\n  seed: 1\n  duraton_s: 5\n",
					  "t.yaml", &c, &err),
		     0);
	cr_assert_eq(bsim_cfg_check_keys(bsim_cfg_get(bsim_cfg_root(c), "run"),
					 allowed, &err),
		     BSIM_EPARSE);
	cr_assert_str_eq(err.msg, "t.yaml:3:3: run.duraton_s: unknown key "
				  "'duraton_s' (expected one of: seed, "
				  "duration_s)");
	bsim_cfg_destroy(c);
}

Test(cfg, numbers_are_range_checked)
{
	struct bsim_cfg *c;
	struct bsim_cfg_err err;
	uint64_t u = 0;
	double d = 0;
	const struct bsim_cfg_node *r;

	cr_assert_eq(bsim_cfg_load_string("n: 70000\nx: 0.5\ny: nan\nz: "
					  "-1\nq: \"5\"\n",
					  "n.yaml", &c, &err),
		     0);
	r = bsim_cfg_root(c);
	cr_assert_eq(bsim_cfg_u64(r, "n", true, 0, 65535, &u, &err),
		     BSIM_EPARSE);
	cr_assert_str_eq(err.msg,
			 "n.yaml:1:4: n: 70000 is out of range [0, 65535]");
	cr_assert_eq(bsim_cfg_double(r, "x", true, 0, 1, &d, &err), 0);
	cr_assert_eq(d, 0.5);
	cr_assert_eq(bsim_cfg_double(r, "y", true, 0, 1, &d, &err),
		     BSIM_EPARSE);
	cr_assert_eq(bsim_cfg_u64(r, "z", true, 0, 10, &u, &err), BSIM_EPARSE);
	cr_assert_eq(bsim_cfg_u64(r, "q", true, 0, 10, &u, &err), BSIM_EPARSE,
		     "a quoted number is a string");
	bsim_cfg_destroy(c);
}

Test(cfg, emitted_yaml_loads_back_to_the_same_document)
{
	struct bsim_cfg *a, *b;
	struct bsim_cfg_err err;
	char *ya, *yb;
	const char *child;

	write_file("base.yaml",
		   "name: \"a: b\"\nmnc: \"020\"\nflag: \"true\"\nempty: {}\n"
		   "routes:\n  r1:\n    waypoints:\n      - {lat: 51.9, lon: "
		   "4.5}\n      - [1, 2]\n    note: 'it''s #1'\nseq: []\n");
	child = write_file("child.yaml", "extends: base.yaml\nmnc: \"030\"\n");
	cr_assert_eq(bsim_cfg_load(child, &a, &err), 0, "%s", err.msg);
	cr_assert_eq(bsim_cfg_override(a, "routes.r1.note=x", 1, &err), 0);
	ya = bsim_cfg_to_yaml(a);
	cr_assert_not_null(ya);
	cr_assert_eq(bsim_cfg_load_string(ya, "emitted", &b, &err), 0, "%s\n%s",
		     err.msg, ya);
	yb = bsim_cfg_to_yaml(b);
	cr_assert_str_eq(ya, yb);
	cr_assert_str_eq(bsim_cfg_get(bsim_cfg_root(b), "mnc")->text, "030");
	cr_assert(bsim_cfg_get(bsim_cfg_root(b), "flag")->quoted);
	cr_assert_str_eq(bsim_cfg_get(bsim_cfg_root(b), "name")->text, "a: b");
	cr_assert_null(strstr(ya, "extends"));
	free(ya);
	free(yb);
	bsim_cfg_destroy(a);
	bsim_cfg_destroy(b);
}

Test(cfg, run_start_is_a_strict_utc_date_time)
{
	struct bsim_cfg *c;
	struct bsim_cfg_err err;
	int64_t t = 0;
	const struct bsim_cfg_node *r;

	cr_assert_eq(bsim_cfg_load_string("start: 2026-01-05T06:07:08Z\n"
					  "local: 2026-01-05T06:07:08\n",
					  "run.yaml", &c, &err),
		     0);
	r = bsim_cfg_root(c);
	cr_assert_eq(bsim_cfg_utc(r, "start", true, &t, &err), 0);
	cr_assert_eq(t, 1767593228);
	cr_assert_eq(bsim_cfg_utc(r, "local", true, &t, &err), BSIM_EPARSE);
	cr_assert(strstr(err.msg, "run.yaml:2:8: local: expected a UTC "
				  "date-time"),
		  "%s", err.msg);
	bsim_cfg_destroy(c);
}
