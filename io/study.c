/* SPDX-License-Identifier: MIT */
/* Reading results for analysis (see study.h). */
#include "h5.h"

#include <blocsim/error.h>
#include <blocsim/index.h>
#include <blocsim/result.h>
#include <blocsim/study.h>

#include <hdf5.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Cost by class and net balances of one run (a result file's root). */
static void run_details(struct bsim_study *s, hid_t root,
			struct bsim_study_run *r)
{
	static const char *const cost[] = { "cost_per_device_month_eur" };
	double *c = NULL;
	long n = bsim__h5_read_fields(root, "kpi_by_class", cost, 1, &c);
	size_t nop = s->noperators;
	hid_t d;

	r->class_cost = calloc(s->nclasses + 1, sizeof(double));
	r->net_eur = calloc(nop + 1, sizeof(double));
	for (size_t k = 0; r->class_cost && k < s->nclasses; k++)
		r->class_cost[k] = n > (long)k ? c[k] : NAN;
	free(c);
	d = H5Dopen2(root, "billing/net_ueur", H5P_DEFAULT);
	if (d >= 0 && r->net_eur) {
		int64_t *net = malloc((nop * nop + 1) * sizeof(int64_t));

		if (net && H5Dread(d, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL,
				   H5P_DEFAULT, net) >= 0)
			for (size_t h = 0; h < nop; h++)
				for (size_t v = 0; v < nop; v++) {
					double e =
						(double)net[h * nop + v] / 1e6;

					r->net_eur[v] += e; /* received */
					r->net_eur[h] -= e; /* paid */
				}
		free(net);
	}
	if (d >= 0)
		H5Dclose(d);
}

static void names_of(struct bsim_study *s, hid_t root)
{
	s->classes =
		bsim__h5_read_strings(root, "classes", "name", &s->nclasses);
	s->operators = bsim__h5_read_strings(root, "operators", "name",
					     &s->noperators);
}

int bsim_study_load(const char *path, struct bsim_study **out, char *err,
		    size_t errlen)
{
	struct bsim_study *s = calloc(1, sizeof(*s));
	const char *kn[BSIM_KPI_COUNT];
	hid_t f, root;
	char *format;
	int rc = 0;

	if (!s)
		return BSIM_ENOMEM;
	for (unsigned k = 0; k < BSIM_KPI_COUNT; k++)
		kn[k] = bsim_kpi_name(k);
	H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
	f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
	if (f < 0) {
		snprintf(err, errlen, "%s: not a readable HDF5 file", path);
		free(s);
		return BSIM_EIO;
	}
	root = H5Gopen2(f, "/", H5P_DEFAULT);
	format = bsim__h5_attr_text(root, "format");
	if (format && !strcmp(format, "blocsim-result") &&
	    !bsim__h5_format_is(root, format, BSIM_RESULT_FORMAT_VERSION, path,
				err, errlen)) {
		rc = BSIM_EPARSE;
	} else if (format && !strcmp(format, "blocsim-index") &&
		   !bsim__h5_format_is(root, format, BSIM_INDEX_FORMAT_VERSION,
				       path, err, errlen)) {
		rc = BSIM_EPARSE;
	} else if (format && !strcmp(format, "blocsim-result")) {
		double *k = NULL;

		s->nruns = 1;
		s->runs = calloc(1, sizeof(*s->runs));
		names_of(s, root);
		if (!s->runs || bsim__h5_read_fields(root, "kpi", kn,
						     BSIM_KPI_COUNT, &k) != 1) {
			snprintf(err, errlen, "%s: no /kpi row", path);
			rc = BSIM_EPARSE;
		} else {
			memcpy(s->runs[0].kpi, k, sizeof(s->runs[0].kpi));
			run_details(s, root, &s->runs[0]);
		}
		free(k);
	} else if (format && !strcmp(format, "blocsim-index")) {
		size_t nr = 0, nk = 0;
		char **ids = bsim__h5_read_strings(root, "runs", "run_id", &nr);
		char **status =
			bsim__h5_read_strings(root, "runs", "status", &nr);
		char **kid = bsim__h5_read_strings(root, "kpi", "run_id", &nk);
		double *k = NULL, *rep = NULL;
		char ***pv = NULL; /* [param][row] values as text. */
		static const char *const repn[] = { "replication" };
		hid_t rt = H5Dopen2(root, "runs", H5P_DEFAULT), ft;

		s->index = true;
		/* Swept parameters: the /runs columns after wall_s. */
		ft = rt >= 0 ? H5Dget_type(rt) : -1;
		if (ft >= 0) {
			int nm = H5Tget_nmembers(ft);

			s->params = calloc((size_t)nm + 1, sizeof(char *));
			for (int m = 5; s->params && m < nm; m++)
				s->params[s->nparams++] =
					H5Tget_member_name(ft, (unsigned)m);
			H5Tclose(ft);
		}
		if (rt >= 0)
			H5Dclose(rt);
		bsim__h5_read_fields(root, "runs", repn, 1, &rep);
		if (bsim__h5_read_fields(root, "kpi", kn, BSIM_KPI_COUNT, &k) <
			    0 ||
		    !ids || !status || !kid || !rep || !s->params) {
			snprintf(err, errlen, "%s: a damaged index", path);
			rc = BSIM_EPARSE;
		}
		/* Each parameter column once, as text (numbers as %.17g). */
		pv = calloc(s->nparams + 1, sizeof(*pv));
		for (size_t p = 0; !rc && pv && p < s->nparams; p++) {
			const char *pn[] = { s->params[p] };
			double *dv = NULL;
			size_t n2 = 0;

			pv[p] = bsim__h5_read_strings(root, "runs",
						      s->params[p], &n2);
			if (pv[p] && n2 && !pv[p][0] &&
			    bsim__h5_read_fields(root, "runs", pn, 1, &dv) ==
				    (long)nr) {
				for (size_t i = 0; i < nr; i++) {
					char t[64];

					snprintf(t, sizeof(t), "%.17g", dv[i]);
					pv[p][i] = strdup(t);
				}
			}
			free(dv);
		}
		s->runs = calloc(nk + 1, sizeof(*s->runs));
		for (size_t q = 0; !rc && q < nk; q++) {
			struct bsim_study_run *r = &s->runs[s->nruns];
			size_t row = nr;
			char link[64];
			hid_t g;

			for (size_t i = 0; i < nr; i++)
				if (!strcmp(ids[i], kid[q]))
					row = i;
			if (row == nr)
				continue;
			snprintf(r->id, sizeof(r->id), "%s", kid[q]);
			r->replication = (uint64_t)rep[row];
			memcpy(r->kpi, &k[q * BSIM_KPI_COUNT], sizeof(r->kpi));
			r->values = calloc(s->nparams + 1, sizeof(char *));
			for (size_t p = 0; r->values && p < s->nparams; p++)
				if (pv[p] && pv[p][row])
					r->values[p] = strdup(pv[p][row]);
			snprintf(link, sizeof(link), "run/%s", r->id);
			g = H5Gopen2(root, link, H5P_DEFAULT);
			if (g >= 0) {
				if (!s->operators)
					names_of(s, g);
				run_details(s, g, r);
				H5Gclose(g);
			}
			s->nruns++;
		}
		for (size_t p = 0; pv && p < s->nparams; p++)
			bsim__h5_free_strings(pv[p], nr);
		free(pv);
		free(k);
		free(rep);
		bsim__h5_free_strings(ids, nr);
		bsim__h5_free_strings(status, nr);
		bsim__h5_free_strings(kid, nk);
	} else {
		snprintf(err, errlen,
			 "%s: neither a blocsim result nor a sweep index",
			 path);
		rc = BSIM_EPARSE;
	}
	free(format);
	H5Gclose(root);
	H5Fclose(f);
	if (rc) {
		bsim_study_destroy(s);
		return rc;
	}
	*out = s;
	return 0;
}

void bsim_study_destroy(struct bsim_study *s)
{
	if (!s)
		return;
	for (size_t r = 0; r < s->nruns; r++) {
		if (s->runs[r].values)
			for (size_t p = 0; p < s->nparams; p++)
				free(s->runs[r].values[p]);
		free(s->runs[r].values);
		free(s->runs[r].class_cost);
		free(s->runs[r].net_eur);
	}
	free(s->runs);
	for (size_t p = 0; p < s->nparams; p++)
		H5free_memory(s->params[p]);
	free(s->params);
	bsim__h5_free_strings(s->classes, s->nclasses);
	bsim__h5_free_strings(s->operators, s->noperators);
	free(s);
}
