/* SPDX-License-Identifier: MIT */
/*
 * The sweep index (see index.h): /runs, /kpi and /run/<id> external links
 * to each run file's root, written from the run files on disk.
 */
#include "h5.h"

#include <blocsim/error.h>
#include <blocsim/index.h>
#include <blocsim/model.h>
#include <blocsim/result.h>
#include <blocsim/version.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

char *bsim_run_params_text(const struct bsim_run *run)
{
	size_t n = 1;
	char *t;

	for (size_t i = 0; i < run->nparams; i++)
		n += strlen(run->params[i].name) +
		     strlen(run->params[i].value) + 2;
	t = malloc(n);
	if (!t)
		return NULL;
	t[0] = '\0';
	for (size_t i = 0; i < run->nparams; i++) {
		strcat(t, run->params[i].name);
		strcat(t, "=");
		strcat(t, run->params[i].value);
		strcat(t, "\n");
	}
	return t;
}

/* Parse "key=value" lines into params (pointers into `text`). */
static size_t parse_params(char *text, struct bsim_param *p, size_t max)
{
	size_t n = 0;

	for (char *line = strtok(text, "\n"); line && n < max;
	     line = strtok(NULL, "\n")) {
		char *eq = strchr(line, '=');

		if (!eq)
			continue;
		*eq = '\0';
		p[n].name = line;
		p[n].value = eq + 1;
		n++;
	}
	return n;
}

/* Read a run file's KPI row (by field name) and wall time from open f. */
static void read_kpi(hid_t f, double *kpi, double *wall)
{
	const char *names[BSIM_KPI_COUNT];
	double *row = NULL;
	hid_t a;

	for (unsigned k = 0; k < BSIM_KPI_COUNT; k++) {
		kpi[k] = NAN;
		names[k] = bsim_kpi_name(k);
	}
	*wall = NAN;
	if (bsim__h5_read_fields(f, "kpi", names, BSIM_KPI_COUNT, &row) >= 1)
		memcpy(kpi, row, BSIM_KPI_COUNT * sizeof(double));
	free(row);
	if (H5Aexists(f, "wall_seconds") > 0) {
		a = H5Aopen(f, "wall_seconds", H5P_DEFAULT);
		if (a >= 0) {
			H5Aread(a, H5T_NATIVE_DOUBLE, wall);
			H5Aclose(a);
		}
	}
}

/* Is path a complete result of run? If so and kpi is not NULL, its KPI
 * row and wall time too, from the same opening of the file. */
static bool check_file(const char *path, const struct bsim_run *run,
		       double *kpi, double *wall)
{
	hid_t f, root;
	char *status = NULL, *id = NULL, *params = NULL, got[17];
	struct bsim_param p[64];
	int64_t rep = -1;
	bool ok = false, fmt = false;

	if (access(path, R_OK) != 0)
		return false;
	H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
	f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
	if (f < 0)
		return false;
	root = H5Gopen2(f, "/", H5P_DEFAULT);
	if (root >= 0) {
		status = bsim__h5_attr_text(root, "status");
		id = bsim__h5_attr_text(root, "sweep_run_id");
		params = bsim__h5_attr_text(root, "sweep_params");
		bsim__h5_attr_int(root, "sweep_replication", &rep);
		/* A file of another format version is not this run's result:
		 * its KPIs mean something else, so the run is done again. */
		fmt = bsim__h5_format_is(root, "blocsim-result",
					 BSIM_RESULT_FORMAT_VERSION, path, NULL,
					 0);
		H5Gclose(root);
	}
	if (fmt && status && id && params && rep >= 0 &&
	    !strcmp(status, "complete") && !strcmp(id, run->id)) {
		size_t n = parse_params(params, p, 64);

		bsim_run_id(p, n, (uint64_t)rep, got);
		ok = !strcmp(got, run->id);
	}
	if (ok && kpi)
		read_kpi(f, kpi, wall);
	H5Fclose(f);
	free(status);
	free(id);
	free(params);
	return ok;
}

bool bsim_run_file_complete(const char *path, const struct bsim_run *run)
{
	return check_file(path, run, NULL, NULL);
}

struct bsim_index {
	char *dir;
	const struct bsim_sweep *s;
	char *sweep_text;
	uint8_t *status;
	bool *failed;
	bool *have_kpi; /* KPI row read (complete runs only). */
	double *kpi;	/* [run][kpi] */
	double *wall;	/* Per run, from its file. */
};

int bsim_index_create(const char *dir, const struct bsim_sweep *s,
		      const char *sweep_text, struct bsim_index **out)
{
	struct bsim_index *x = calloc(1, sizeof(*x));
	size_t n = s->nruns ? s->nruns : 1;

	if (!x)
		return BSIM_ENOMEM;
	x->dir = strdup(dir);
	x->s = s;
	x->sweep_text = strdup(sweep_text ? sweep_text : "");
	x->status = calloc(n, 1);
	x->failed = calloc(n, sizeof(bool));
	x->have_kpi = calloc(n, sizeof(bool));
	x->kpi = calloc(n * BSIM_KPI_COUNT, sizeof(double));
	x->wall = calloc(n, sizeof(double));
	if (!x->dir || !x->sweep_text || !x->status || !x->failed ||
	    !x->have_kpi || !x->kpi || !x->wall) {
		bsim_index_destroy(x);
		return BSIM_ENOMEM;
	}
	*out = x;
	return 0;
}

bool bsim_index_take(struct bsim_index *x, size_t k)
{
	const struct bsim_run *run = &x->s->runs[k];
	size_t len = strlen(x->dir) + 96;
	char *path = malloc(len);
	bool ok;

	if (!path)
		return false;
	snprintf(path, len, "%s/runs/%s.h5", x->dir, run->id);
	ok = check_file(path, run, &x->kpi[k * BSIM_KPI_COUNT], &x->wall[k]);
	if (ok) {
		x->status[k] = BSIM_RUN_COMPLETE;
		x->have_kpi[k] = true;
	}
	free(path);
	return ok;
}

void bsim_index_failed(struct bsim_index *x, size_t k)
{
	x->failed[k] = true;
}

enum bsim_run_status bsim_index_status(const struct bsim_index *x, size_t k)
{
	return (enum bsim_run_status)x->status[k];
}

/* Is every run's value of parameter p a number? */
static bool numeric(const struct bsim_sweep *s, size_t p)
{
	for (size_t r = 0; r < s->nruns; r++) {
		char *end;
		const char *v = s->runs[r].params[p].value;

		strtod(v, &end);
		if (!*v || *end)
			return false;
	}
	return true;
}

static int write_runs(hid_t root, const struct bsim_index *x)
{
	const struct bsim_sweep *s = x->s;
	size_t n = s->nruns, np = s->nruns ? s->runs[0].nparams : 0;
	struct bsim__h5_col cols[6 + 64];
	void *data[6 + 64] = { 0 };
	char *ids = calloc(n + 1, BSIM__H5_STR_LEN),
	     *st = calloc(n + 1, BSIM__H5_STR_LEN);
	uint64_t *rep = calloc(n + 1, 8), *seed = calloc(n + 1, 8);
	double *wall = calloc(n + 1, 8);
	static const char *const names[] = { "missing", "complete", "failed" };
	size_t nc = 0;
	int rc = 0;

	if (np > 64)
		np = 64;
	if (!ids || !st || !rep || !seed || !wall)
		rc = BSIM_ENOMEM;
	for (size_t r = 0; !rc && r < n; r++) {
		snprintf(ids + r * BSIM__H5_STR_LEN, BSIM__H5_STR_LEN, "%s",
			 s->runs[r].id);
		snprintf(st + r * BSIM__H5_STR_LEN, BSIM__H5_STR_LEN, "%s",
			 names[x->status[r]]);
		rep[r] = s->runs[r].replication;
		seed[r] = s->runs[r].seed;
		wall[r] = x->status[r] == BSIM_RUN_COMPLETE ? x->wall[r] : NAN;
	}
	cols[nc] = (struct bsim__h5_col){ "run_id", BSIM_H5_STR, NULL, NULL };
	data[nc++] = ids;
	cols[nc] =
		(struct bsim__h5_col){ "replication", BSIM_H5_U64, NULL, NULL };
	data[nc++] = rep;
	cols[nc] = (struct bsim__h5_col){ "seed", BSIM_H5_U64, NULL, NULL };
	data[nc++] = seed;
	cols[nc] = (struct bsim__h5_col){ "status", BSIM_H5_STR, NULL,
					  "missing, complete or failed" };
	data[nc++] = st;
	cols[nc] = (struct bsim__h5_col){ "wall_s", BSIM_H5_F64, "s",
					  "wall time of the run (not a "
					  "simulated quantity)" };
	data[nc++] = wall;
	for (size_t p = 0; !rc && p < np; p++) {
		bool num = numeric(s, p);
		size_t e = num ? sizeof(double) : BSIM__H5_STR_LEN;
		unsigned char *v = calloc(n + 1, e);

		if (!v) {
			rc = BSIM_ENOMEM;
			break;
		}
		for (size_t r = 0; r < n; r++) {
			const char *t = s->runs[r].params[p].value;

			if (num) {
				double d = strtod(t, NULL);

				memcpy(v + r * e, &d, e);
			} else {
				snprintf((char *)v + r * e, e, "%s", t);
			}
		}
		cols[nc] =
			(struct bsim__h5_col){ s->runs[0].params[p].name,
					       num ? BSIM_H5_F64 : BSIM_H5_STR,
					       NULL, "swept parameter" };
		data[nc++] = v;
	}
	if (!rc)
		rc = bsim__h5_compound(root, "runs", cols, nc, n,
				       (const void *const *)data,
				       "the sweep's runs in canonical order");
	for (size_t c = 5; c < nc; c++)
		free(data[c]);
	free(ids);
	free(st);
	free(rep);
	free(seed);
	free(wall);
	return rc;
}

static int write_kpi(hid_t root, const struct bsim_index *x)
{
	const struct bsim_sweep *s = x->s;
	size_t n = 0, q = 0;
	struct bsim__h5_col cols[BSIM_KPI_COUNT + 1];
	void *data[BSIM_KPI_COUNT + 1] = { 0 };
	char *ids;
	int rc = 0;

	for (size_t r = 0; r < s->nruns; r++)
		n += x->status[r] == BSIM_RUN_COMPLETE;
	ids = calloc(n + 1, BSIM__H5_STR_LEN);
	cols[0] = (struct bsim__h5_col){ "run_id", BSIM_H5_STR, NULL, NULL };
	data[0] = ids;
	for (unsigned k = 0; k < BSIM_KPI_COUNT; k++) {
		cols[k + 1] =
			(struct bsim__h5_col){ bsim_kpi_name(k), BSIM_H5_F64,
					       bsim_kpi_unit(k), NULL };
		data[k + 1] = calloc(n + 1, sizeof(double));
		if (!data[k + 1])
			rc = BSIM_ENOMEM;
	}
	if (!ids)
		rc = BSIM_ENOMEM;
	for (size_t r = 0; !rc && r < s->nruns; r++) {
		if (x->status[r] != BSIM_RUN_COMPLETE)
			continue;
		snprintf(ids + q * BSIM__H5_STR_LEN, BSIM__H5_STR_LEN, "%s",
			 s->runs[r].id);
		for (unsigned k = 0; k < BSIM_KPI_COUNT; k++)
			((double *)data[k + 1])[q] =
				x->kpi[r * BSIM_KPI_COUNT + k];
		q++;
	}
	if (!rc)
		rc = bsim__h5_compound(root, "kpi", cols, BSIM_KPI_COUNT + 1, n,
				       (const void *const *)data,
				       "each complete run's /kpi row");
	for (unsigned k = 0; k <= BSIM_KPI_COUNT; k++)
		free(data[k]);
	return rc;
}

int bsim_index_write(struct bsim_index *x, char *err, size_t errlen)
{
	const struct bsim_sweep *s = x->s;
	size_t len = strlen(x->dir) + 96;
	char *path = malloc(len), *priv = malloc(len), host[64] = "";
	struct bsim__h5 *f = NULL;
	hid_t root = -1, links = -1;
	int rc = 0;

	if (!path || !priv) {
		free(path);
		free(priv);
		return BSIM_ENOMEM;
	}
	for (size_t r = 0; r < s->nruns; r++)
		/* A run verified before is skipped: run files never change. */
		if (!(x->status[r] == BSIM_RUN_COMPLETE && x->have_kpi[r]) &&
		    !bsim_index_take(x, r))
			x->status[r] = x->failed[r] ? BSIM_RUN_FAILED
						    : BSIM_RUN_MISSING;
	/* A private name per writer, renamed over index.h5 when whole. */
	gethostname(host, sizeof(host) - 1);
	snprintf(priv, len, "%s/.index-%s-%ld.h5", x->dir, host,
		 (long)getpid());
	snprintf(path, len, "%s/index.h5", x->dir);
	rc = bsim__h5_create(priv, &f, err, errlen);
	if (!rc) {
		root = H5Gopen2(f->file, "/", H5P_DEFAULT);
		bsim__h5_attr_str(root, "format", BSIM_INDEX_FORMAT);
		bsim__h5_attr_i64(root, "format_version",
				  BSIM_INDEX_FORMAT_VERSION);
		bsim__h5_attr_str(root, "blocsim_version", BSIM_VERSION);
		bsim__h5_attr_str(root, "git_revision", BSIM_VERSION);
		bsim__h5_attr_i64(root, "git_dirty",
				  strstr(BSIM_VERSION, "-dirty") != NULL);
		bsim__h5_attr_str(root, "sweep", x->sweep_text);
		bsim__h5_attr_str(root, "base", s->base);
		bsim__h5_attr_u64(root, "sweep_seed", s->seed);
		bsim__h5_attr_u64(root, "replications", s->replications);
		rc = write_runs(root, x);
		if (!rc)
			rc = write_kpi(root, x);
		links = rc ? -1 : bsim__h5_subgroup(root, "run");
		for (size_t r = 0; !rc && links >= 0 && r < s->nruns; r++) {
			char target[64];

			if (x->status[r] != BSIM_RUN_COMPLETE)
				continue;
			/* Relative to the index's own directory, so the
			 * sweep directory can move. */
			snprintf(target, sizeof(target), "runs/%s.h5",
				 s->runs[r].id);
			if (H5Lcreate_external(target, "/", links,
					       s->runs[r].id, H5P_DEFAULT,
					       H5P_DEFAULT) < 0)
				rc = BSIM_EIO;
		}
		if (links >= 0)
			H5Gclose(links);
		if (root >= 0)
			H5Gclose(root);
		if (rc) {
			bsim__h5_abort(f);
		} else {
			rc = bsim__h5_commit(f);
			if (!rc && rename(priv, path) != 0)
				rc = BSIM_EIO;
		}
		if (rc)
			snprintf(err, errlen, "%s: cannot write the index",
				 path);
	}
	free(path);
	free(priv);
	return rc;
}

void bsim_index_destroy(struct bsim_index *x)
{
	if (!x)
		return;
	free(x->dir);
	free(x->sweep_text);
	free(x->status);
	free(x->failed);
	free(x->have_kpi);
	free(x->kpi);
	free(x->wall);
	free(x);
}
