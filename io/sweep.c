/* SPDX-License-Identifier: MIT */
/*
 * Sweep files (see sweep.h): read through the scenario language's document
 * layer, expanded into runs (grid axes x zip groups, constraints applied,
 * replications innermost), each with its stable id and its seed.
 */
#include <blocsim/error.h>
#include <blocsim/sweep.h>

#include <Random123/philox.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One axis: k parameter names sharing n values each (a grid axis has
 * k = 1; a zip group has k >= 1). */
struct axis {
	size_t k, n;
	const char **names;
	const struct bsim_cfg_node **lists; /* k sequences of n scalars. */
};

static char *xstrdup(const char *s)
{
	char *d = strdup(s);

	if (!d)
		bsim_fatal(BSIM_LOC, "out of memory");
	return d;
}

uint64_t bsim_sweep_seed(uint64_t sweep_seed, uint64_t r)
{
	philox4x64_ctr_t c = { { r, BSIM_SWEEP_SEED_SCHEME, 0, 0 } };
	philox4x64_key_t k = { { sweep_seed, UINT64_C(0x5357454550) } };

	return philox4x64(c, k).v[0];
}

/* Canonical text of a value: numbers as %.17g of their value. */
static void canon(const char *v, char *buf, size_t n)
{
	char *end;
	double d = strtod(v, &end);

	if (*v && !*end)
		snprintf(buf, n, "%.17g", d);
	else
		snprintf(buf, n, "%s", v);
}

static int cmp_param(const void *a, const void *b)
{
	return strcmp(((const struct bsim_param *)a)->name,
		      ((const struct bsim_param *)b)->name);
}

void bsim_run_id(const struct bsim_param *params, size_t n,
		 uint64_t replication, char id[17])
{
	struct bsim_param *sorted = malloc((n ? n : 1) * sizeof(*sorted));
	uint64_t h = UINT64_C(0xcbf29ce484222325);
	char buf[512];

	if (!sorted)
		bsim_fatal(BSIM_LOC, "out of memory");
	memcpy(sorted, params, n * sizeof(*sorted));
	qsort(sorted, n, sizeof(*sorted), cmp_param);
	for (size_t i = 0; i <= n; i++) {
		char val[256];
		const char *p;

		if (i < n) {
			canon(sorted[i].value, val, sizeof(val));
			snprintf(buf, sizeof(buf), "%s=%s\n", sorted[i].name,
				 val);
		} else {
			snprintf(buf, sizeof(buf), "replication=%llu\n",
				 (unsigned long long)replication);
		}
		for (p = buf; *p; p++)
			h = (h ^ (unsigned char)*p) * UINT64_C(0x100000001b3);
	}
	free(sorted);
	/* MurmurHash3's fmix64, so that neighbouring inputs differ in every
	 * digit of the id, not only the last few. */
	h ^= h >> 33;
	h *= UINT64_C(0xff51afd7ed558ccd);
	h ^= h >> 33;
	h *= UINT64_C(0xc4ceb9fe1a85ec53);
	h ^= h >> 33;
	snprintf(id, 17, "%016llx", (unsigned long long)h);
}

void bsim_sweep_destroy(struct bsim_sweep *s)
{
	if (!s)
		return;
	for (size_t r = 0; r < s->nruns; r++) {
		for (size_t i = 0; i < s->runs[r].nparams; i++) {
			free(s->runs[r].params[i].name);
			free(s->runs[r].params[i].value);
		}
		free(s->runs[r].params);
	}
	for (size_t i = 0; i < s->nset; i++) {
		free(s->set[i].name);
		free(s->set[i].value);
	}
	free(s->set);
	free(s->runs);
	free(s->base);
	free(s);
}

/* A non-empty sequence of scalars, or an error at n. */
static int scalar_list(const struct bsim_cfg_node *n, struct bsim_cfg_err *err)
{
	if (n->kind != BSIM_CFG_SEQ || n->n == 0)
		return bsim_cfg_fail(n, err,
				     "expected a non-empty list of values");
	for (size_t i = 0; i < n->n; i++)
		if (n->child[i]->kind != BSIM_CFG_SCALAR)
			return bsim_cfg_fail(n->child[i], err,
					     "expected a single value");
	return 0;
}

static int add_axes(const struct bsim_cfg_node *sw, struct axis **axes,
		    size_t *naxes, struct bsim_cfg_err *err)
{
	const struct bsim_cfg_node *params = bsim_cfg_get(sw, "parameters");
	const struct bsim_cfg_node *zip = bsim_cfg_get(sw, "zip");
	size_t cap = (params ? params->n : 0) + (zip ? zip->n : 0);
	int rc;

	*axes = calloc(cap ? cap : 1, sizeof(**axes));
	*naxes = 0;
	if (!*axes)
		return BSIM_ENOMEM;
	if (params) {
		if (params->kind != BSIM_CFG_MAP)
			return bsim_cfg_fail(params, err,
					     "expected a mapping of parameter "
					     "paths to lists of values");
		for (size_t i = 0; i < params->n; i++) {
			struct axis *a = &(*axes)[(*naxes)++];

			rc = scalar_list(params->child[i], err);
			if (rc)
				return rc;
			a->k = 1;
			a->n = params->child[i]->n;
			a->names = malloc(sizeof(*a->names));
			a->lists = malloc(sizeof(*a->lists));
			if (!a->names || !a->lists)
				return BSIM_ENOMEM;
			a->names[0] = params->keys[i];
			a->lists[0] = params->child[i];
		}
	}
	if (zip) {
		if (zip->kind != BSIM_CFG_SEQ)
			return bsim_cfg_fail(zip, err,
					     "expected a list of groups");
		for (size_t g = 0; g < zip->n; g++) {
			const struct bsim_cfg_node *grp = zip->child[g];
			struct axis *a = &(*axes)[(*naxes)++];

			if (grp->kind != BSIM_CFG_MAP || grp->n == 0)
				return bsim_cfg_fail(grp, err,
						     "expected a mapping of "
						     "parameter paths to lists "
						     "of equal length");
			a->k = grp->n;
			a->n = grp->child[0]->n;
			a->names = malloc(a->k * sizeof(*a->names));
			a->lists = malloc(a->k * sizeof(*a->lists));
			if (!a->names || !a->lists)
				return BSIM_ENOMEM;
			for (size_t j = 0; j < grp->n; j++) {
				rc = scalar_list(grp->child[j], err);
				if (rc)
					return rc;
				if (grp->child[j]->n != a->n)
					return bsim_cfg_fail(
						grp->child[j], err,
						"zipped lists must have equal "
						"lengths (%zu here, %zu in "
						"'%s')",
						grp->child[j]->n, a->n,
						grp->keys[0]);
				a->names[j] = grp->keys[j];
				a->lists[j] = grp->child[j];
			}
		}
	}
	/* A parameter may be swept once. */
	for (size_t x = 0; x < *naxes; x++)
		for (size_t i = 0; i < (*axes)[x].k; i++)
			for (size_t y = 0; y <= x; y++)
				for (size_t j = 0;
				     j < (y == x ? i : (*axes)[y].k); j++)
					if (!strcmp((*axes)[x].names[i],
						    (*axes)[y].names[j]))
						return bsim_cfg_fail(
							(*axes)[x].lists[i],
							err,
							"'%s' is swept twice",
							(*axes)[x].names[i]);
	return 0;
}

static void free_axes(struct axis *axes, size_t n)
{
	for (size_t i = 0; axes && i < n; i++) {
		free(axes[i].names);
		free(axes[i].lists);
	}
	free(axes);
}

static int push_run(struct bsim_sweep *s, size_t *cap, struct bsim_run *r)
{
	if (s->nruns == *cap) {
		struct bsim_run *runs;

		*cap = *cap ? 2 * *cap : 64;
		runs = realloc(s->runs, *cap * sizeof(*runs));
		if (!runs)
			return BSIM_ENOMEM;
		s->runs = runs;
	}
	s->runs[s->nruns++] = *r;
	return 0;
}

/* Expand the axes (odometer, last axis fastest) x replications. */
static int expand(struct bsim_sweep *s, const struct axis *axes, size_t naxes,
		  struct bsim_expr **cons,
		  const struct bsim_cfg_node **cons_nodes, size_t ncons,
		  struct bsim_cfg_err *err)
{
	size_t *at = calloc(naxes ? naxes : 1, sizeof(*at)), cap = 0, np = 0;
	int rc = 0;

	if (!at)
		return BSIM_ENOMEM;
	for (size_t x = 0; x < naxes; x++)
		np += axes[x].k;
	for (;;) {
		for (uint64_t rep = 0; rep < s->replications && !rc; rep++) {
			struct bsim_run r = { .replication = rep };
			size_t p = 0;
			int keep = 1;

			r.nparams = np;
			r.params = calloc(np ? np : 1, sizeof(*r.params));
			if (!r.params)
				return BSIM_ENOMEM;
			for (size_t x = 0; x < naxes; x++)
				for (size_t i = 0; i < axes[x].k; i++) {
					r.params[p].name =
						xstrdup(axes[x].names[i]);
					r.params[p++].value =
						xstrdup(axes[x].lists[i]
								->child[at[x]]
								->text);
				}
			for (size_t c = 0; c < ncons && keep == 1; c++) {
				keep = bsim_expr_eval(cons[c], &r, err);
				if (keep < 0) {
					struct bsim_cfg_err inner = *err;

					rc = bsim_cfg_fail(cons_nodes[c], err,
							   "%s", inner.msg);
				}
			}
			if (keep == 1 && !rc) {
				bsim_run_id(r.params, r.nparams, rep, r.id);
				r.seed = bsim_sweep_seed(s->seed, rep);
				rc = push_run(s, &cap, &r);
			} else {
				for (size_t i = 0; i < r.nparams; i++) {
					free(r.params[i].name);
					free(r.params[i].value);
				}
				free(r.params);
			}
		}
		if (rc)
			break;
		/* Next combination. */
		{
			size_t x = naxes;

			while (x > 0 && ++at[x - 1] == axes[x - 1].n)
				at[--x] = 0;
			if (x == 0)
				break;
		}
	}
	free(at);
	return rc;
}

int bsim_sweep_load(const char *path, struct bsim_sweep **out,
		    struct bsim_cfg_err *err)
{
	static const char *const top[] = { "sweep", NULL };
	static const char *const keys[] = { "base",	    "seed",
					    "replications", "parameters",
					    "zip",	    "constraints",
					    "set",	    NULL };
	struct bsim_cfg *cfg;
	const struct bsim_cfg_node *sw, *n;
	struct bsim_sweep *s = NULL;
	struct axis *axes = NULL;
	size_t naxes = 0, ncons = 0;
	struct bsim_expr **cons = NULL;
	const struct bsim_cfg_node **cons_nodes = NULL;
	const char *base, *slash;
	int rc = bsim_cfg_load(path, &cfg, err);

	if (rc)
		return rc;
	sw = bsim_cfg_get(bsim_cfg_root(cfg), "sweep");
	rc = bsim_cfg_check_keys(bsim_cfg_root(cfg), top, err);
	if (!rc && !sw)
		rc = bsim_cfg_fail(bsim_cfg_root(cfg), err,
				   "a sweep file has a top-level 'sweep' key");
	if (!rc)
		rc = bsim_cfg_check_keys(sw, keys, err);
	if (rc)
		goto out;
	s = calloc(1, sizeof(*s));
	if (!s) {
		rc = BSIM_ENOMEM;
		goto out;
	}
	s->replications = 1;
	rc = bsim_cfg_string(sw, "base", true, &base, err);
	if (!rc)
		rc = bsim_cfg_u64(sw, "seed", false, 0, UINT64_MAX, &s->seed,
				  err);
	if (!rc)
		rc = bsim_cfg_u64(sw, "replications", false, 1, 1000000,
				  &s->replications, err);
	if (rc)
		goto out;
	slash = strrchr(path, '/');
	if (base[0] == '/' || !slash) {
		s->base = xstrdup(base);
	} else {
		size_t len = (size_t)(slash - path) + strlen(base) + 2;

		s->base = malloc(len);
		if (!s->base)
			bsim_fatal(BSIM_LOC, "out of memory");
		snprintf(s->base, len, "%.*s/%s", (int)(slash - path), path,
			 base);
	}
	n = bsim_cfg_get(sw, "set");
	if (n) {
		if (n->kind != BSIM_CFG_MAP) {
			rc = bsim_cfg_fail(n, err,
					   "expected a mapping of "
					   "paths to values");
			goto out;
		}
		s->set = calloc(n->n ? n->n : 1, sizeof(*s->set));
		if (!s->set)
			bsim_fatal(BSIM_LOC, "out of memory");
		for (size_t i = 0; i < n->n; i++) {
			if (n->child[i]->kind != BSIM_CFG_SCALAR) {
				rc = bsim_cfg_fail(n->child[i], err,
						   "expected a single value");
				goto out;
			}
			s->set[s->nset].name = xstrdup(n->keys[i]);
			s->set[s->nset++].value = xstrdup(n->child[i]->text);
		}
	}
	rc = add_axes(sw, &axes, &naxes, err);
	if (rc)
		goto out;
	n = bsim_cfg_get(sw, "constraints");
	if (n) {
		if (n->kind != BSIM_CFG_SEQ) {
			rc = bsim_cfg_fail(n, err,
					   "expected a list of expressions");
			goto out;
		}
		cons = calloc(n->n ? n->n : 1, sizeof(*cons));
		cons_nodes = calloc(n->n ? n->n : 1, sizeof(*cons_nodes));
		if (!cons || !cons_nodes)
			bsim_fatal(BSIM_LOC, "out of memory");
		for (size_t i = 0; i < n->n; i++) {
			struct bsim_cfg_err inner;

			cons_nodes[i] = n->child[i];
			if (n->child[i]->kind != BSIM_CFG_SCALAR) {
				rc = bsim_cfg_fail(n->child[i], err,
						   "expected an expression");
				goto out;
			}
			rc = bsim_expr_parse(n->child[i]->text, "expression",
					     &cons[ncons], &inner);
			if (rc) {
				rc = bsim_cfg_fail(n->child[i], err, "%s",
						   inner.msg);
				goto out;
			}
			ncons++;
		}
	}
	rc = expand(s, axes, naxes, cons, cons_nodes, ncons, err);
out:
	for (size_t i = 0; i < ncons; i++)
		bsim_expr_destroy(cons[i]);
	free(cons);
	free(cons_nodes);
	free_axes(axes, naxes);
	bsim_cfg_destroy(cfg);
	if (rc) {
		bsim_sweep_destroy(s);
		return rc;
	}
	*out = s;
	return 0;
}
