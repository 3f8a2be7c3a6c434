/* SPDX-License-Identifier: MIT */
/*
 * Scenario files into worlds (see scenario.h and scenarios/README.md). The
 * document layer (cfg.c) has already merged `extends` and applied the
 * overrides; here every section is read with typed readers, unknown keys
 * are refused, and cross-references are resolved to indices. Defaults and
 * their sources are listed in scenarios/README.md.
 */
#include <blocsim/error.h>
#include <blocsim/scenario.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Node capacities by default: a virtualised MME cluster (37,000
 * procedures/s [K-prados]) and an HSS front end (5,000 tx/s
 * [assumption], DOMAIN.md section 1.7). */
#define DEFAULT_MME_PER_S 37000.0
#define DEFAULT_HSS_PER_S 5000.0

struct loader {
	struct bsim_world *w;
	struct bsim_cfg_err *err;
};

/* Copy a mapping key into a fixed name field. */
static int name_of(const struct bsim_cfg_node *n, const char *key,
		   char out[BSIM_NAME_MAX], struct bsim_cfg_err *err)
{
	if (strlen(key) >= BSIM_NAME_MAX)
		return bsim_cfg_fail(n, err, "name longer than %d characters",
				     BSIM_NAME_MAX - 1);
	strcpy(out, key);
	return 0;
}

/* A string of `min`..`max` characters, each accepted by `ok`. */
static int code(const struct bsim_cfg_node *map, const char *key, size_t min,
		size_t max, int (*ok)(int), const char *what, char *out,
		struct bsim_cfg_err *err)
{
	const char *s = NULL;
	size_t n;
	int rc = bsim_cfg_string(map, key, true, &s, err);

	if (rc)
		return rc;
	n = strlen(s);
	for (size_t i = 0; i < n; i++)
		if (!ok((unsigned char)s[i]))
			n = 0;
	if (n < min || n > max)
		return bsim_cfg_fail(bsim_cfg_get(map, key), err,
				     "expected %s, got '%s'", what, s);
	memcpy(out, s, n + 1);
	return 0;
}

static int is_upper_alnum(int c)
{
	return isdigit(c) || isupper(c);
}

/* A mapping section; NULL (no error) when absent and optional. */
static int section(const struct bsim_cfg_node *root, const char *key,
		   bool required, const struct bsim_cfg_node **out,
		   struct bsim_cfg_err *err)
{
	const struct bsim_cfg_node *n = bsim_cfg_get(root, key);

	*out = n;
	if (!n) {
		if (!required)
			return 0;
		return bsim_cfg_fail(root, err, "missing section '%s'", key);
	}
	if (n->kind != BSIM_CFG_MAP)
		return bsim_cfg_fail(n, err, "expected a mapping");
	return 0;
}

static int load_run(struct loader *L, const struct bsim_cfg_node *root)
{
	static const char *const keys[] = { "start",  "duration_s", "seed",
					    "output", "bin_s",	    NULL };
	static const char *const levels[] = { "summary", "billing", "full" };
	const struct bsim_cfg_node *r;
	struct bsim_run_settings *run = &L->w->run;
	const char *out = "billing";
	int rc = section(root, "run", true, &r, L->err);

	if (rc || (rc = bsim_cfg_check_keys(r, keys, L->err)))
		return rc;
	run->seed = 1;
	run->bin_s = 60;
	if ((rc = bsim_cfg_utc(r, "start", true, &run->start_unix_s, L->err)) ||
	    (rc = bsim_cfg_u64(r, "duration_s", true, 1, 10 * 366 * 86400ULL,
			       &run->duration_s, L->err)) ||
	    (rc = bsim_cfg_u64(r, "seed", false, 0, UINT64_MAX, &run->seed,
			       L->err)) ||
	    (rc = bsim_cfg_u64(r, "bin_s", false, 1, 86400, &run->bin_s,
			       L->err)) ||
	    (rc = bsim_cfg_string(r, "output", false, &out, L->err)))
		return rc;
	for (int i = 0; i < 3; i++)
		if (!strcmp(out, levels[i])) {
			run->output = (enum bsim_output)i;
			return 0;
		}
	return bsim_cfg_fail(bsim_cfg_get(r, "output"), L->err,
			     "expected summary, billing or full, got '%s'",
			     out);
}

static int load_grid(struct loader *L, const struct bsim_cfg_node *root)
{
	static const char *const keys[] = { "cell_km", "south", "west",
					    "north",   "east",	"ta_cells",
					    NULL };
	const struct bsim_cfg_node *g;
	struct bsim_grid_settings *gs = &L->w->grid;
	uint64_t ta = 4;
	int rc = section(root, "grid", true, &g, L->err);

	if (rc || (rc = bsim_cfg_check_keys(g, keys, L->err)))
		return rc;
	if ((rc = bsim_cfg_double(g, "cell_km", true, 0.5, 100, &gs->cell_km,
				  L->err)) ||
	    (rc = bsim_cfg_double(g, "south", true, -89, 89, &gs->south,
				  L->err)) ||
	    (rc = bsim_cfg_double(g, "north", true, -89, 89, &gs->north,
				  L->err)) ||
	    (rc = bsim_cfg_double(g, "west", true, -180, 180, &gs->west,
				  L->err)) ||
	    (rc = bsim_cfg_double(g, "east", true, -180, 180, &gs->east,
				  L->err)) ||
	    (rc = bsim_cfg_u64(g, "ta_cells", false, 1, 100, &ta, L->err)))
		return rc;
	gs->ta_cells = (uint32_t)ta;
	if (gs->north <= gs->south)
		return bsim_cfg_fail(bsim_cfg_get(g, "north"), L->err,
				     "north must lie north of south (%g)",
				     gs->south);
	if (gs->east <= gs->west)
		return bsim_cfg_fail(bsim_cfg_get(g, "east"), L->err,
				     "east must lie east of west (%g)",
				     gs->west);
	return 0;
}

/* Index of the entry named by map[key] among n names, or an error. */
static int ref(const struct bsim_cfg_node *map, const char *key,
	       const char *what, const char *names, size_t stride, size_t n,
	       uint16_t *out, struct bsim_cfg_err *err)
{
	const char *s = NULL;
	int rc = bsim_cfg_string(map, key, true, &s, err);

	if (rc)
		return rc;
	for (size_t i = 0; i < n; i++)
		if (!strcmp(names + i * stride, s)) {
			*out = (uint16_t)i;
			return 0;
		}
	return bsim_cfg_fail(bsim_cfg_get(map, key), err, "no %s named '%s'",
			     what, s);
}

static int load_countries(struct loader *L, const struct bsim_cfg_node *root)
{
	static const char *const keys[] = { "iso", "mcc", "utc_offset_min",
					    "territory", NULL };
	const struct bsim_cfg_node *cs;
	int rc = section(root, "countries", true, &cs, L->err);

	if (rc)
		return rc;
	if (cs->n == 0 || cs->n > 1000)
		return bsim_cfg_fail(cs, L->err,
				     "expected 1 to 1000 countries");
	L->w->countries = calloc(cs->n, sizeof(*L->w->countries));
	if (!L->w->countries)
		return BSIM_ENOMEM;
	for (size_t i = 0; i < cs->n; i++) {
		const struct bsim_cfg_node *c = cs->child[i];
		struct bsim_country *k = &L->w->countries[i];
		double offd = 0;

		if (c->kind != BSIM_CFG_MAP)
			return bsim_cfg_fail(c, L->err, "expected a mapping");
		k->territory = true;
		if ((rc = bsim_cfg_check_keys(c, keys, L->err)) ||
		    (rc = name_of(c, cs->keys[i], k->name, L->err)) ||
		    (rc = code(c, "iso", 2, 2, isupper,
			       "two capital letters (ISO 3166-1)", k->iso,
			       L->err)) ||
		    (rc = code(c, "mcc", 3, 3, isdigit, "three digits", k->mcc,
			       L->err)) ||
		    (rc = bsim_cfg_double(c, "utc_offset_min", false, -720, 840,
					  &offd, L->err)) ||
		    (rc = bsim_cfg_bool(c, "territory", false, &k->territory,
					L->err)))
			return rc;
		if (offd != (double)(int32_t)offd)
			return bsim_cfg_fail(
				bsim_cfg_get(c, "utc_offset_min"), L->err,
				"expected whole minutes, got %g", offd);
		k->utc_offset_min = (int32_t)offd;
		L->w->ncountries++;
	}
	return 0;
}

static int load_cities(struct loader *L, const struct bsim_cfg_node *root)
{
	static const char *const keys[] = { "lat", "lon", "country", NULL };
	const struct bsim_cfg_node *cs;
	int rc = section(root, "cities", false, &cs, L->err);

	if (rc || !cs)
		return rc;
	L->w->cities = calloc(cs->n ? cs->n : 1, sizeof(*L->w->cities));
	if (!L->w->cities)
		return BSIM_ENOMEM;
	for (size_t i = 0; i < cs->n; i++) {
		const struct bsim_cfg_node *c = cs->child[i];
		struct bsim_city *k = &L->w->cities[i];

		if (c->kind != BSIM_CFG_MAP)
			return bsim_cfg_fail(c, L->err, "expected a mapping");
		if ((rc = bsim_cfg_check_keys(c, keys, L->err)) ||
		    (rc = name_of(c, cs->keys[i], k->name, L->err)) ||
		    (rc = bsim_cfg_double(c, "lat", true, -90, 90, &k->lat,
					  L->err)) ||
		    (rc = bsim_cfg_double(c, "lon", true, -180, 180, &k->lon,
					  L->err)) ||
		    (rc = ref(c, "country", "country", L->w->countries[0].name,
			      sizeof(L->w->countries[0]), L->w->ncountries,
			      &k->country, L->err)))
			return rc;
		L->w->ncities++;
	}
	return 0;
}

static int load_radios(const struct bsim_cfg_node *op, uint8_t *out,
		       struct bsim_cfg_err *err)
{
	static const char *const names[] = { "lte-m", "nb-iot", "2g" };
	const struct bsim_cfg_node *r = bsim_cfg_get(op, "radio");

	*out = BSIM_RADIO_LTE_M;
	if (!r)
		return 0;
	if (r->kind != BSIM_CFG_SEQ || r->n == 0)
		return bsim_cfg_fail(r, err,
				     "expected a list such as "
				     "[lte-m, nb-iot, 2g]");
	*out = 0;
	for (size_t i = 0; i < r->n; i++) {
		const struct bsim_cfg_node *x = r->child[i];
		int k = -1;

		for (int j = 0; x->kind == BSIM_CFG_SCALAR && j < 3; j++)
			if (!strcmp(x->text, names[j]))
				k = j;
		if (k < 0)
			return bsim_cfg_fail(x, err,
					     "expected lte-m, nb-iot or 2g");
		*out |= (uint8_t)(1u << k);
	}
	return 0;
}

static int load_operators(struct loader *L, const struct bsim_cfg_node *root)
{
	static const char *const keys[] = { "mcc",
					    "mnc",
					    "tadig",
					    "country",
					    "coverage_share",
					    "radio",
					    "hss_site",
					    "spill_km",
					    "mme_capacity_per_s",
					    "mme_queue_limit",
					    "hss_capacity_per_s",
					    "hss_queue_limit",
					    NULL };
	const struct bsim_cfg_node *os;
	struct bsim_world *w = L->w;
	int rc = section(root, "operators", true, &os, L->err);

	if (rc)
		return rc;
	if (os->n == 0 || os->n > 60000)
		return bsim_cfg_fail(os, L->err,
				     "expected 1 to 60000 operators");
	w->operators = calloc(os->n, sizeof(*w->operators));
	if (!w->operators)
		return BSIM_ENOMEM;
	for (size_t i = 0; i < os->n; i++) {
		const struct bsim_cfg_node *o = os->child[i];
		struct bsim_operator *k = &w->operators[i];
		uint64_t mq = 100000, hq = 50000;

		if (o->kind != BSIM_CFG_MAP)
			return bsim_cfg_fail(o, L->err, "expected a mapping");
		k->coverage_share = 1.0;
		k->spill_km = 10.0;
		k->mme_capacity_per_s = DEFAULT_MME_PER_S;
		k->hss_capacity_per_s = DEFAULT_HSS_PER_S;
		if ((rc = bsim_cfg_check_keys(o, keys, L->err)) ||
		    (rc = name_of(o, os->keys[i], k->name, L->err)) ||
		    (rc = code(o, "mcc", 3, 3, isdigit, "three digits", k->mcc,
			       L->err)) ||
		    (rc = code(o, "mnc", 2, 3, isdigit, "two or three digits",
			       k->mnc, L->err)) ||
		    (rc = code(o, "tadig", 5, 5, is_upper_alnum,
			       "five capitals or digits", k->tadig, L->err)) ||
		    (rc = ref(o, "country", "country", w->countries[0].name,
			      sizeof(w->countries[0]), w->ncountries,
			      &k->country, L->err)) ||
		    (rc = bsim_cfg_double(o, "coverage_share", false, 0, 1,
					  &k->coverage_share, L->err)) ||
		    (rc = load_radios(o, &k->radios, L->err)) ||
		    (rc = ref(o, "hss_site", "city",
			      w->ncities ? w->cities[0].name : "",
			      sizeof(w->cities[0]), w->ncities, &k->hss_site,
			      L->err)) ||
		    (rc = bsim_cfg_double(o, "spill_km", false, 0, 200,
					  &k->spill_km, L->err)) ||
		    (rc = bsim_cfg_double(o, "mme_capacity_per_s", false, 1e-3,
					  1e9, &k->mme_capacity_per_s,
					  L->err)) ||
		    (rc = bsim_cfg_u64(o, "mme_queue_limit", false, 1, 1u << 30,
				       &mq, L->err)) ||
		    (rc = bsim_cfg_double(o, "hss_capacity_per_s", false, 1e-3,
					  1e9, &k->hss_capacity_per_s,
					  L->err)) ||
		    (rc = bsim_cfg_u64(o, "hss_queue_limit", false, 1, 1u << 30,
				       &hq, L->err)))
			return rc;
		k->mme_queue_limit = (uint32_t)mq;
		k->hss_queue_limit = (uint32_t)hq;
		if (strcmp(k->mcc, w->countries[k->country].mcc))
			return bsim_cfg_fail(bsim_cfg_get(o, "mcc"), L->err,
					     "MCC %s is not that of %s (%s)",
					     k->mcc,
					     w->countries[k->country].name,
					     w->countries[k->country].mcc);
		for (size_t j = 0; j < i; j++)
			if (!strcmp(w->operators[j].mcc, k->mcc) &&
			    !strcmp(w->operators[j].mnc, k->mnc))
				return bsim_cfg_fail(
					bsim_cfg_get(o, "mnc"), L->err,
					"%s-%s is already %s's code", k->mcc,
					k->mnc, w->operators[j].name);
		w->noperators++;
	}
	return 0;
}

static int load_blocs(struct loader *L, const struct bsim_cfg_node *root)
{
	static const char *const keys[] = { "members", "source", NULL };
	const struct bsim_cfg_node *bs;
	struct bsim_world *w = L->w;
	int rc = section(root, "blocs", false, &bs, L->err);

	if (rc || !bs)
		return rc;
	w->blocs = calloc(bs->n ? bs->n : 1, sizeof(*w->blocs));
	if (!w->blocs)
		return BSIM_ENOMEM;
	for (size_t i = 0; i < bs->n; i++) {
		const struct bsim_cfg_node *b = bs->child[i], *m;
		struct bsim_bloc *k = &w->blocs[i];
		const char *src;

		if (b->kind != BSIM_CFG_MAP)
			return bsim_cfg_fail(b, L->err, "expected a mapping");
		if ((rc = bsim_cfg_check_keys(b, keys, L->err)) ||
		    (rc = name_of(b, bs->keys[i], k->name, L->err)) ||
		    (rc = bsim_cfg_string(b, "source", false, &src, L->err)))
			return rc;
		w->nblocs++;
		m = bsim_cfg_get(b, "members");
		if (!m || m->kind != BSIM_CFG_SEQ || m->n == 0)
			return bsim_cfg_fail(m ? m : b, L->err,
					     m ? "expected a non-empty list of "
						 "operators"
					       : "missing key 'members'");
		k->members = calloc(m->n, sizeof(*k->members));
		if (!k->members)
			return BSIM_ENOMEM;
		for (size_t j = 0; j < m->n; j++) {
			const struct bsim_cfg_node *x = m->child[j];
			int op = x->kind == BSIM_CFG_SCALAR
					 ? bsim_world_operator(w, x->text)
					 : -1;

			if (op < 0)
				return bsim_cfg_fail(x, L->err,
						     "no operator named '%s'",
						     x->text ? x->text : "");
			for (size_t q = 0; q < k->nmembers; q++)
				if (k->members[q] == op)
					return bsim_cfg_fail(
						x, L->err,
						"'%s' is listed twice",
						x->text);
			k->members[k->nmembers++] = (uint16_t)op;
		}
	}
	return 0;
}

int bsim_scenario_load(const char *path, const char *const *sets, size_t nsets,
		       struct bsim_world **out, char **resolved,
		       struct bsim_cfg_err *err)
{
	static const char *const top[] = { "name",	"run",	  "grid",
					   "countries", "cities", "operators",
					   "blocs",	NULL };
	struct loader L = { .err = err };
	const struct bsim_cfg_node *root;
	struct bsim_cfg *cfg;
	const char *name = NULL, *base, *dot;
	int rc = bsim_cfg_load(path, &cfg, err);

	if (rc)
		return rc;
	for (size_t i = 0; i < nsets && !rc; i++)
		rc = bsim_cfg_override(cfg, sets[i], (int)i + 1, err);
	root = bsim_cfg_root(cfg);
	if (!rc)
		rc = bsim_cfg_check_keys(root, top, err);
	L.w = calloc(1, sizeof(*L.w));
	if (!rc && !L.w)
		rc = BSIM_ENOMEM;
	if (!rc)
		rc = bsim_cfg_string(root, "name", false, &name, err);
	if (!rc && name && strlen(name) >= sizeof(L.w->name))
		rc = bsim_cfg_fail(bsim_cfg_get(root, "name"), err,
				   "longer than %zu characters",
				   sizeof(L.w->name) - 1);
	if (!rc && name) {
		strcpy(L.w->name, name);
	} else if (!rc) {
		/* Default name: the file's stem. */
		base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
		dot = strrchr(base, '.');
		snprintf(L.w->name, sizeof(L.w->name), "%.*s",
			 (int)(dot ? (size_t)(dot - base) : strlen(base)),
			 base);
	}
	if (!rc)
		rc = load_run(&L, root);
	if (!rc)
		rc = load_grid(&L, root);
	if (!rc)
		rc = load_countries(&L, root);
	if (!rc)
		rc = load_cities(&L, root);
	if (!rc)
		rc = load_operators(&L, root);
	if (!rc)
		rc = load_blocs(&L, root);
	if (!rc && resolved) {
		*resolved = bsim_cfg_to_yaml(cfg);
		if (!*resolved)
			rc = BSIM_ENOMEM;
	}
	bsim_cfg_destroy(cfg);
	if (rc) {
		bsim_world_destroy(L.w);
		return rc;
	}
	*out = L.w;
	return 0;
}
