/* SPDX-License-Identifier: MIT */
/*
 * Scenario files into worlds (see scenario.h and scenarios/README.md). The
 * document layer (cfg.c) has already merged `extends` and applied the
 * overrides; here every section is read with typed readers, unknown keys
 * are refused, and cross-references are resolved to indices. Defaults and
 * their sources are listed in scenarios/README.md.
 */
#include "scenario_keys.h"

#include <blocsim/error.h>
#include <blocsim/scenario.h>

#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/*
 * Section `key` of named entities: a mapping whose values are mappings,
 * at most `max` of them (at least one if required). Allocates *arr with
 * one zeroed element of `elem` bytes per entry. An absent optional
 * section leaves *out and *arr NULL.
 */
static int entities(struct loader *L, const struct bsim_cfg_node *root,
		    const char *key, bool required, size_t max, size_t elem,
		    void **arr, const struct bsim_cfg_node **out)
{
	int rc = section(root, key, required, out, L->err);

	if (rc || !*out)
		return rc;
	if ((required && (*out)->n == 0) || (*out)->n > max)
		return bsim_cfg_fail(*out, L->err, "expected %d to %zu %s",
				     required, max, key);
	for (size_t i = 0; i < (*out)->n; i++)
		if ((*out)->child[i]->kind != BSIM_CFG_MAP)
			return bsim_cfg_fail((*out)->child[i], L->err,
					     "expected a mapping");
	*arr = calloc((*out)->n ? (*out)->n : 1, elem);
	return *arr ? 0 : BSIM_ENOMEM;
}

static int load_run(struct loader *L, const struct bsim_cfg_node *root)
{
	const struct bsim_cfg_node *r;
	int rc = section(root, "run", true, &r, L->err);

	if (rc || (rc = bsim__keys_read(bsim__run_keys, bsim__nrun_keys, r,
					&L->w->run, L->err)))
		return rc;
	return bsim_cfg_utc(r, "start", true, &L->w->run.start_unix_s, L->err);
}

static int load_grid(struct loader *L, const struct bsim_cfg_node *root)
{
	const struct bsim_cfg_node *g;
	struct bsim_grid_settings *gs = &L->w->grid;
	int rc = section(root, "grid", true, &g, L->err);

	if (rc || (rc = bsim__keys_read(bsim__grid_keys, bsim__ngrid_keys, g,
					gs, L->err)))
		return rc;
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

/*
 * Index of `name` among n records of `stride` bytes that each begin with
 * their name (every world entity does), or -1.
 */
static int find_in(const void *base, size_t n, size_t stride, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp((const char *)base + i * stride, name))
			return (int)i;
	return -1;
}

/* Index of the entry named by map[key] among n records, or an error. */
static int ref(const struct bsim_cfg_node *map, const char *key,
	       const char *what, const void *base, size_t stride, size_t n,
	       uint16_t *out, struct bsim_cfg_err *err)
{
	const char *s = NULL;
	int rc = bsim_cfg_string(map, key, true, &s, err), k;

	if (rc)
		return rc;
	k = find_in(base, n, stride, s);
	if (k < 0)
		return bsim_cfg_fail(bsim_cfg_get(map, key), err,
				     "no %s named '%s'", what, s);
	*out = (uint16_t)k;
	return 0;
}

static int load_countries(struct loader *L, const struct bsim_cfg_node *root)
{
	static const char *const keys[] = { "iso", "mcc", "utc_offset_min",
					    "territory", NULL };
	const struct bsim_cfg_node *cs;
	int rc = entities(L, root, "countries", true, 1000,
			  sizeof(*L->w->countries), (void **)&L->w->countries,
			  &cs);

	if (rc)
		return rc;
	for (size_t i = 0; i < cs->n; i++) {
		const struct bsim_cfg_node *c = cs->child[i];
		struct bsim_country *k = &L->w->countries[i];
		double offd = 0;

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
	int rc = entities(L, root, "cities", false, 60000,
			  sizeof(*L->w->cities), (void **)&L->w->cities, &cs);

	if (rc || !cs)
		return rc;
	for (size_t i = 0; i < cs->n; i++) {
		const struct bsim_cfg_node *c = cs->child[i];
		struct bsim_city *k = &L->w->cities[i];

		if ((rc = bsim_cfg_check_keys(c, keys, L->err)) ||
		    (rc = name_of(c, cs->keys[i], k->name, L->err)) ||
		    (rc = bsim_cfg_double(c, "lat", true, -90, 90, &k->lat,
					  L->err)) ||
		    (rc = bsim_cfg_double(c, "lon", true, -180, 180, &k->lon,
					  L->err)) ||
		    (rc = ref(c, "country", "country", L->w->countries,
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

/* The optional operator group (same_group relations). */
static int group_of(const struct bsim_cfg_node *o, char out[BSIM_NAME_MAX],
		    struct bsim_cfg_err *err)
{
	const char *g = NULL;
	int rc = bsim_cfg_string(o, "group", false, &g, err);

	if (rc || !g)
		return rc;
	if (strlen(g) >= BSIM_NAME_MAX)
		return bsim_cfg_fail(bsim_cfg_get(o, "group"), err,
				     "longer than %d characters",
				     BSIM_NAME_MAX - 1);
	strcpy(out, g);
	return 0;
}

static int load_operators(struct loader *L, const struct bsim_cfg_node *root)
{
	const struct bsim_cfg_node *os;
	struct bsim_world *w = L->w;
	int rc = entities(L, root, "operators", true, 60000,
			  sizeof(*w->operators), (void **)&w->operators, &os);

	if (rc)
		return rc;
	for (size_t i = 0; i < os->n; i++) {
		const struct bsim_cfg_node *o = os->child[i];
		struct bsim_operator *k = &w->operators[i];

		if ((rc = bsim__keys_read(bsim__operator_keys,
					  bsim__noperator_keys, o, k,
					  L->err)) ||
		    (rc = name_of(o, os->keys[i], k->name, L->err)) ||
		    (rc = group_of(o, k->group, L->err)) ||
		    (rc = code(o, "mcc", 3, 3, isdigit, "three digits", k->mcc,
			       L->err)) ||
		    (rc = code(o, "mnc", 2, 3, isdigit, "two or three digits",
			       k->mnc, L->err)) ||
		    (rc = code(o, "tadig", 5, 5, is_upper_alnum,
			       "five capitals or digits", k->tadig, L->err)) ||
		    (rc = ref(o, "country", "country", w->countries,
			      sizeof(w->countries[0]), w->ncountries,
			      &k->country, L->err)) ||
		    (rc = load_radios(o, &k->radios, L->err)) ||
		    (rc = ref(o, "hss_site", "city", w->cities,
			      sizeof(w->cities[0]), w->ncities, &k->hss_site,
			      L->err)))
			return rc;
		if (k->sor_reject_cause != 11 && k->sor_reject_cause != 13 &&
		    k->sor_reject_cause != 17)
			return bsim_cfg_fail(
				bsim_cfg_get(o, "sor_reject_cause"), L->err,
				"expected 11, 13 or 17, got %u",
				(unsigned)k->sor_reject_cause);
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
	int rc = entities(L, root, "blocs", false, 60000, sizeof(*w->blocs),
			  (void **)&w->blocs, &bs);

	if (rc || !bs)
		return rc;
	for (size_t i = 0; i < bs->n; i++) {
		const struct bsim_cfg_node *b = bs->child[i], *m;
		struct bsim_bloc *k = &w->blocs[i];
		const char *src;

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

static const char *const relation_names[] = {
	[BSIM_REL_HOME] = "home",
	[BSIM_REL_SAME_GROUP] = "same_group",
	[BSIM_REL_BLOC] = "bloc_partner",
	[BSIM_REL_ARMS_LENGTH] = "arms_length",
	[BSIM_REL_NONE] = "none",
};

/*
 * Terms when the scenario is silent: an arm's-length deal at the EU
 * wholesale caps. EUR 1.30/GB = 0.0013/MB and EUR 0.004/SMS [K-eucaps];
 * 10 kB minimum session [K-dmdata]; access fee EUR 0.30 per SIM and
 * month [K-hologram][K-tele2] + [assumption] on the amount; signalling
 * through an IPX hub; faults twice a year, found in 2 days and fixed in 3
 * (tickets through an IPX) [assumption].
 */
static const struct bsim_terms default_terms = {
	.relation = BSIM_REL_ARMS_LENGTH,
	.rate_ueur_per_mb = 1300,
	.rate_ueur_per_sms = 4000,
	.access_fee_ueur = 300000,
	.min_kb = 10,
	.path = BSIM_PATH_IPX,
	.fault_rate_per_year = 2,
	.fault_detect_s = 2 * 86400,
	.fault_repair_s = 3 * 86400,
	.radios = BSIM_RADIO_LTE_M | BSIM_RADIO_NB_IOT | BSIM_RADIO_2G,
};

/* Apply the keys present in map m to terms t. */
static int read_terms(const struct bsim_cfg_node *m, bool pair,
		      struct bsim_terms *t, struct bsim_cfg_err *err)
{
	static const char *const keys[] = { "relation",
					    "steering_rank",
					    "rate_eur_per_mb",
					    "rate_eur_per_sms",
					    "access_fee_eur",
					    "min_kb",
					    "path",
					    "eplmn",
					    "handover",
					    "local_breakout",
					    "admission_priority",
					    "sla_ms",
					    "glr_cache",
					    "fault_rate_per_year",
					    "fault_detect_s",
					    "fault_repair_s",
					    "netting",
					    "radio",
					    "psm_abroad",
					    NULL };
	const char *path = NULL;
	uint64_t rank = t->steering_rank, min_kb = t->min_kb;
	const struct bsim_cfg_node *radio = bsim_cfg_get(m, "radio");
	int rc;

	if (m->kind != BSIM_CFG_MAP)
		return bsim_cfg_fail(m, err, "expected a mapping of terms");
	if ((rc = bsim_cfg_check_keys(m, pair ? keys : keys + 1, err)))
		return rc;
	if ((rc = bsim_cfg_u64(m, "steering_rank", false, 0, 1000, &rank,
			       err)) ||
	    (rc = bsim_cfg_money_ueur(m, "rate_eur_per_mb", false, false,
				      &t->rate_ueur_per_mb, err)) ||
	    (rc = bsim_cfg_money_ueur(m, "rate_eur_per_sms", false, false,
				      &t->rate_ueur_per_sms, err)) ||
	    (rc = bsim_cfg_money_ueur(m, "access_fee_eur", false, false,
				      &t->access_fee_ueur, err)) ||
	    (rc = bsim_cfg_u64(m, "min_kb", false, 0, 1000000, &min_kb, err)) ||
	    (rc = bsim_cfg_string(m, "path", false, &path, err)) ||
	    (rc = bsim_cfg_bool(m, "eplmn", false, &t->eplmn, err)) ||
	    (rc = bsim_cfg_bool(m, "handover", false, &t->handover, err)) ||
	    (rc = bsim_cfg_bool(m, "local_breakout", false, &t->local_breakout,
				err)) ||
	    (rc = bsim_cfg_bool(m, "admission_priority", false,
				&t->admission_priority, err)) ||
	    (rc = bsim_cfg_double(m, "sla_ms", false, 0, 1e6, &t->sla_ms,
				  err)) ||
	    (rc = bsim_cfg_bool(m, "glr_cache", false, &t->glr_cache, err)) ||
	    (rc = bsim_cfg_double(m, "fault_rate_per_year", false, 0, 1e4,
				  &t->fault_rate_per_year, err)) ||
	    (rc = bsim_cfg_double(m, "fault_detect_s", false, 0, 1e9,
				  &t->fault_detect_s, err)) ||
	    (rc = bsim_cfg_double(m, "fault_repair_s", false, 0, 1e9,
				  &t->fault_repair_s, err)) ||
	    (rc = bsim_cfg_bool(m, "netting", false, &t->netting, err)) ||
	    (rc = bsim_cfg_bool(m, "psm_abroad", false, &t->psm_abroad, err)) ||
	    (radio && (rc = load_radios(m, &t->radios, err))))
		return rc;
	t->steering_rank = (uint16_t)rank;
	t->min_kb = (uint32_t)min_kb;
	if (path && !strcmp(path, "ipx"))
		t->path = BSIM_PATH_IPX;
	else if (path && !strcmp(path, "direct"))
		t->path = BSIM_PATH_DIRECT;
	else if (path)
		return bsim_cfg_fail(bsim_cfg_get(m, "path"), err,
				     "expected ipx or direct, got '%s'", path);
	if (t->handover && !t->eplmn)
		return bsim_cfg_fail(bsim_cfg_get(m, "handover"), err,
				     "inter-network handover needs eplmn: "
				     "true");
	return 0;
}

/* The relation of home h and visited v from groups and blocs. */
static enum bsim_relation derive(const struct bsim_world *w, size_t h, size_t v)
{
	if (h == v)
		return BSIM_REL_HOME;
	/* No national roaming between competitors of one country unless a
	 * pair entry grants it. */
	if (w->operators[h].country == w->operators[v].country)
		return BSIM_REL_NONE;
	if (w->operators[h].group[0] &&
	    !strcmp(w->operators[h].group, w->operators[v].group))
		return BSIM_REL_SAME_GROUP;
	for (size_t b = 0; b < w->nblocs; b++) {
		bool hh = false, vv = false;

		for (size_t m = 0; m < w->blocs[b].nmembers; m++) {
			hh |= w->blocs[b].members[m] == h;
			vv |= w->blocs[b].members[m] == v;
		}
		if (hh && vv)
			return BSIM_REL_BLOC;
	}
	return BSIM_REL_ARMS_LENGTH;
}

/*
 * agreements.terms.<relation>: the terms of each relation (defaults:
 * default_terms); agreements.pairs."HOME>VISITED": a relation and/or terms
 * for one pair. A pair's relation is, unless its entry says otherwise:
 * none between two operators of one country (no national roaming), else
 * same_group, bloc_partner (a common bloc), or arms_length.
 */
static int load_agreements(struct loader *L, const struct bsim_cfg_node *root)
{
	static const char *const keys[] = { "terms", "pairs", NULL };
	static const char *const rels[] = { "same_group", "bloc_partner",
					    "arms_length", NULL };
	struct bsim_world *w = L->w;
	size_t n = w->noperators;
	struct bsim_terms by_rel[BSIM_REL_NONE + 1];
	const struct bsim_cfg_node *a, *t = NULL, *p = NULL;
	int rc = section(root, "agreements", false, &a, L->err);

	if (rc)
		return rc;
	if (a && (rc = bsim_cfg_check_keys(a, keys, L->err)))
		return rc;
	if (a && (rc = section(a, "terms", false, &t, L->err)))
		return rc;
	if (t && (rc = bsim_cfg_check_keys(t, rels, L->err)))
		return rc;
	for (int r = 0; r <= BSIM_REL_NONE; r++) {
		const struct bsim_cfg_node *m =
			bsim_cfg_get(t, relation_names[r]);

		by_rel[r] = default_terms;
		by_rel[r].relation = (enum bsim_relation)r;
		if (m && (rc = read_terms(m, false, &by_rel[r], L->err)))
			return rc;
	}
	w->terms = calloc(n * n, sizeof(*w->terms));
	if (!w->terms)
		return BSIM_ENOMEM;
	for (size_t h = 0; h < n; h++)
		for (size_t v = 0; v < n; v++)
			w->terms[h * n + v] = by_rel[derive(w, h, v)];
	if (a && (rc = section(a, "pairs", false, &p, L->err)))
		return rc;
	for (size_t i = 0; p && i < p->n; i++) {
		const struct bsim_cfg_node *m = p->child[i];
		const char *rel = NULL, *gt = strchr(p->keys[i], '>');
		char home[BSIM_NAME_MAX];
		struct bsim_terms *dst;
		int h, v;

		if (!gt || (size_t)(gt - p->keys[i]) >= sizeof(home))
			return bsim_cfg_fail(m, L->err,
					     "expected a key HOME>VISITED, "
					     "e.g. DT-DE>Orange-FR");
		memcpy(home, p->keys[i], (size_t)(gt - p->keys[i]));
		home[gt - p->keys[i]] = '\0';
		h = bsim_world_operator(w, home);
		v = bsim_world_operator(w, gt + 1);
		if (h < 0 || v < 0)
			return bsim_cfg_fail(m, L->err,
					     "no operator named '%s'",
					     h < 0 ? home : gt + 1);
		if (h == v)
			return bsim_cfg_fail(m, L->err,
					     "a network has no agreement with "
					     "itself");
		dst = &w->terms[(size_t)h * n + (size_t)v];
		if (m->kind == BSIM_CFG_MAP &&
		    (rc = bsim_cfg_string(m, "relation", false, &rel, L->err)))
			return rc;
		if (rel) {
			int r = -1;

			for (int k = BSIM_REL_SAME_GROUP; k <= BSIM_REL_NONE;
			     k++)
				if (!strcmp(rel, relation_names[k]))
					r = k;
			if (r < 0)
				return bsim_cfg_fail(
					bsim_cfg_get(m, "relation"), L->err,
					"expected same_group, bloc_partner, "
					"arms_length or none, got '%s'",
					rel);
			*dst = by_rel[r];
		}
		if ((rc = read_terms(m, true, dst, L->err)))
			return rc;
	}
	return 0;
}

/* Look-ups by name for references; -1 when absent. */
typedef int (*find_fn)(const struct bsim_world *w, const char *name);

static int find_country(const struct bsim_world *w, const char *name)
{
	return find_in(w->countries, w->ncountries, sizeof(*w->countries),
		       name);
}

static int find_city(const struct bsim_world *w, const char *name)
{
	return find_in(w->cities, w->ncities, sizeof(*w->cities), name);
}

static int find_route(const struct bsim_world *w, const char *name)
{
	return find_in(w->routes, w->nroutes, sizeof(*w->routes), name);
}

static int find_platform(const struct bsim_world *w, const char *name)
{
	return find_in(w->platforms, w->nplatforms, sizeof(*w->platforms),
		       name);
}

/* map[key]: a list of names of `what`, each found; no repeats. */
static int name_list(const struct bsim_world *w,
		     const struct bsim_cfg_node *map, const char *key,
		     size_t min, find_fn find, const char *what, uint16_t **out,
		     size_t *n, struct bsim_cfg_err *err)
{
	const struct bsim_cfg_node *l = bsim_cfg_get(map, key);

	*n = 0;
	if (!l)
		return bsim_cfg_fail(map, err, "missing key '%s'", key);
	if (l->kind != BSIM_CFG_SEQ || l->n < min)
		return bsim_cfg_fail(l, err,
				     "expected a list of at least %zu "
				     "%s names",
				     min, what);
	*out = calloc(l->n, sizeof(**out));
	if (!*out)
		return BSIM_ENOMEM;
	for (size_t i = 0; i < l->n; i++) {
		const struct bsim_cfg_node *x = l->child[i];
		int k = x->kind == BSIM_CFG_SCALAR ? find(w, x->text) : -1;

		if (k < 0)
			return bsim_cfg_fail(x, err, "no %s named '%s'", what,
					     x->text ? x->text : "");
		(*out)[(*n)++] = (uint16_t)k;
	}
	return 0;
}

/* map[key]: a mapping of names of `what` to positive weights, normalised
 * to sum 1. Absent and optional: no shares. */
static int share_map(const struct bsim_world *w,
		     const struct bsim_cfg_node *map, const char *key,
		     bool required, find_fn find, const char *what,
		     struct bsim_share **out, size_t *n,
		     struct bsim_cfg_err *err)
{
	const struct bsim_cfg_node *m = bsim_cfg_get(map, key);
	double sum = 0;
	int rc;

	*n = 0;
	if (!m)
		return required ? bsim_cfg_fail(map, err, "missing key '%s'",
						key)
				: 0;
	if (m->kind != BSIM_CFG_MAP || m->n == 0)
		return bsim_cfg_fail(m, err,
				     "expected a mapping of %s names to "
				     "shares, e.g. {DE: 0.6, NL: 0.4}",
				     what);
	*out = calloc(m->n, sizeof(**out));
	if (!*out)
		return BSIM_ENOMEM;
	for (size_t i = 0; i < m->n; i++) {
		int k = find(w, m->keys[i]);
		double v = 0;

		if (k < 0)
			return bsim_cfg_fail(m->child[i], err,
					     "no %s named '%s'", what,
					     m->keys[i]);
		if ((rc = bsim_cfg_double(m, m->keys[i], true, 1e-12, 1e12, &v,
					  err)))
			return rc;
		(*out)[(*n)++] = (struct bsim_share){ (uint16_t)k, v };
		sum += v;
	}
	for (size_t i = 0; i < *n; i++)
		(*out)[i].weight /= sum;
	return 0;
}

static int load_routes(struct loader *L, const struct bsim_cfg_node *root)
{
	static const char *const keys[] = { "waypoints", "speed_kmh", "dwell_s",
					    "round_trip", NULL };
	struct bsim_world *w = L->w;
	const struct bsim_cfg_node *rs;
	int rc = entities(L, root, "routes", false, 60000, sizeof(*w->routes),
			  (void **)&w->routes, &rs);

	if (rc || !rs)
		return rc;
	for (size_t i = 0; i < rs->n; i++) {
		const struct bsim_cfg_node *r = rs->child[i];
		struct bsim_route *k = &w->routes[i];

		w->nroutes++;
		k->speed_kmh = 80;
		k->round_trip = true;
		if ((rc = bsim_cfg_check_keys(r, keys, L->err)) ||
		    (rc = name_of(r, rs->keys[i], k->name, L->err)) ||
		    (rc = name_list(w, r, "waypoints", 2, find_city, "city",
				    &k->waypoints, &k->nwaypoints, L->err)) ||
		    (rc = bsim_cfg_double(r, "speed_kmh", false, 1, 300,
					  &k->speed_kmh, L->err)) ||
		    (rc = bsim_cfg_double(r, "dwell_s", false, 0, 30 * 86400,
					  &k->dwell_s, L->err)) ||
		    (rc = bsim_cfg_bool(r, "round_trip", false, &k->round_trip,
					L->err)))
			return rc;
		for (size_t j = 0; j < k->nwaypoints; j++)
			if (!w->countries[w->cities[k->waypoints[j]].country]
				     .territory)
				return bsim_cfg_fail(
					bsim_cfg_get(r, "waypoints")->child[j],
					L->err,
					"'%s' lies in %s, which is not a "
					"territory devices move in",
					w->cities[k->waypoints[j]].name,
					w->countries[w->cities[k->waypoints[j]]
							     .country]
						.name);
	}
	return 0;
}

static int load_platforms(struct loader *L, const struct bsim_cfg_node *root)
{
	struct bsim_world *w = L->w;
	const struct bsim_cfg_node *ps;
	int rc = entities(L, root, "platforms", false, 60000,
			  sizeof(*w->platforms), (void **)&w->platforms, &ps);

	if (rc || !ps)
		return rc;
	for (size_t i = 0; i < ps->n; i++) {
		const struct bsim_cfg_node *p = ps->child[i];
		struct bsim_platform *k = &w->platforms[i];

		w->nplatforms++;
		if ((rc = bsim__keys_read(bsim__platform_keys,
					  bsim__nplatform_keys, p, k,
					  L->err)) ||
		    (rc = name_of(p, ps->keys[i], k->name, L->err)) ||
		    (rc = name_list(w, p, "members", 1, bsim_world_operator,
				    "operator", &k->members, &k->nmembers,
				    L->err)) ||
		    (rc = ref(p, "hss_site", "city", w->cities,
			      sizeof(w->cities[0]), w->ncities, &k->hss_site,
			      L->err)))
			return rc;
	}
	return 0;
}

/* eDRX cycles of TS 24.008 table 10.5.5.32 (s); LTE-M stops at 2621.44,
 * NB-IoT goes on to 10485.76 [K-ublox-edrx][K-cint]. */
static const double edrx_cycles[] = { 5.12,    10.24,	20.48,	 40.96,
				      61.44,   81.92,	102.4,	 122.88,
				      143.36,  163.84,	327.68,	 655.36,
				      1310.72, 2621.44, 5242.88, 10485.76 };

static int check_edrx(const struct bsim_cfg_node *c, const struct bsim_class *k,
		      struct bsim_cfg_err *err)
{
	double cap = k->radio == BSIM_RADIO_NB_IOT ? 10485.76 : 2621.44;

	if (k->edrx_s == 0)
		return 0;
	if (k->radio == BSIM_RADIO_2G)
		return bsim_cfg_fail(bsim_cfg_get(c, "edrx_s"), err,
				     "eDRX is modelled for LTE-M and NB-IoT "
				     "only, not 2g");
	for (size_t q = 0; q < sizeof(edrx_cycles) / sizeof(edrx_cycles[0]);
	     q++)
		if (fabs(k->edrx_s - edrx_cycles[q]) < 1e-9)
			return k->edrx_s <= cap
				       ? 0
				       : bsim_cfg_fail(
						 bsim_cfg_get(c, "edrx_s"), err,
						 "%g s is above the %g s "
						 "that LTE-M allows",
						 k->edrx_s, cap);
	return bsim_cfg_fail(bsim_cfg_get(c, "edrx_s"), err,
			     "%g s is not an eDRX cycle (5.12 s times 1-4, "
			     "6, 8, 10, ..., 32, 64, ..., 2048)",
			     k->edrx_s);
}

/* The devices simulated of class k: round(count x f), with the class's
 * own fraction or the run's (read before the classes). */
static int sample(struct loader *L, const struct bsim_cfg_node *c,
		  struct bsim_class *k)
{
	double f = k->sample_fraction > 0 ? k->sample_fraction
					  : L->w->run.sample_fraction;
	double n = round((double)k->count * f);

	if (n > (double)UINT32_MAX)
		return bsim_cfg_fail(bsim_cfg_get(c, "count"), L->err,
				     "%.0f devices to simulate (count x "
				     "sample_fraction) is above 2^32 - 1",
				     n);
	k->simulated = (uint64_t)n;
	return 0;
}

static int load_classes(struct loader *L, const struct bsim_cfg_node *root)
{
	static const char *const radios[] = { "lte-m", "nb-iot", "2g" };
	struct bsim_world *w = L->w;
	const struct bsim_cfg_node *cs;
	int rc = entities(L, root, "classes", false, 60000, sizeof(*w->classes),
			  (void **)&w->classes, &cs);

	if (rc || !cs)
		return rc;
	for (size_t i = 0; i < cs->n; i++) {
		const struct bsim_cfg_node *c = cs->child[i];
		struct bsim_class *k = &w->classes[i];
		const char *radio = "lte-m";

		w->nclasses++;
		if ((rc = bsim__keys_read(bsim__class_keys, bsim__nclass_keys,
					  c, k, L->err)) ||
		    (rc = name_of(c, cs->keys[i], k->name, L->err)) ||
		    (rc = bsim_cfg_string(c, "radio", false, &radio, L->err)) ||
		    (rc = share_map(w, c, "homes", true, bsim_world_operator,
				    "operator", &k->homes, &k->nhomes, L->err)))
			return rc;
		if (k->t3346_max_s < k->t3346_min_s)
			return bsim_cfg_fail(bsim_cfg_get(c, "t3346_max_s"),
					     L->err,
					     "must not be below t3346_min_s "
					     "(%g)",
					     k->t3346_min_s);
		if (k->search_max_s < k->search_min_s)
			return bsim_cfg_fail(bsim_cfg_get(c, "search_max_s"),
					     L->err,
					     "must not be below search_min_s "
					     "(%g)",
					     k->search_min_s);
		k->radio = 0;
		for (int r = 0; r < 3; r++)
			if (!strcmp(radio, radios[r]))
				k->radio = (uint8_t)(1u << r);
		if (!k->radio)
			return bsim_cfg_fail(bsim_cfg_get(c, "radio"), L->err,
					     "expected lte-m, nb-iot or 2g, "
					     "got '%s'",
					     radio);
		if ((rc = check_edrx(c, k, L->err)) || (rc = sample(L, c, k)))
			return rc;
		if (k->mobility == BSIM_MOBILITY_STATIONARY) {
			if (bsim_cfg_get(c, "routes"))
				return bsim_cfg_fail(
					bsim_cfg_get(c, "routes"), L->err,
					"a stationary class has no routes");
			rc = share_map(w, c, "countries", true, find_country,
				       "country", &k->places, &k->nplaces,
				       L->err);
			for (size_t j = 0; !rc && j < k->nplaces; j++)
				if (!w->countries[k->places[j].index].territory)
					rc = bsim_cfg_fail(
						bsim_cfg_get(c, "countries")
							->child[j],
						L->err,
						"%s is not a territory "
						"devices are placed in",
						w->countries[k->places[j].index]
							.name);
		} else {
			if (bsim_cfg_get(c, "countries"))
				return bsim_cfg_fail(
					bsim_cfg_get(c, "countries"), L->err,
					"a route class follows its routes");
			rc = share_map(w, c, "routes", true, find_route,
				       "route", &k->routes, &k->nroutes,
				       L->err);
		}
		if (rc)
			return rc;
	}
	return 0;
}

/* `qos`: the targets of the comparison KPIs. */
static int load_qos(struct loader *L, const struct bsim_cfg_node *root)
{
	const struct bsim_cfg_node *q;
	int rc = section(root, "qos", false, &q, L->err);

	bsim__keys_defaults(bsim__qos_keys, bsim__nqos_keys, &L->w->qos);
	if (rc || !q)
		return rc;
	return bsim__keys_read(bsim__qos_keys, bsim__nqos_keys, q, &L->w->qos,
			       L->err);
}

/* `dimensioning`: the rule that sizes the nodes of operators with
 * subscribers (applied by the model layer's bsim_world_dimension()). */
static int load_dimensioning(struct loader *L, const struct bsim_cfg_node *root)
{
	static const char *const fixed[] = { "mme_capacity_per_s",
					     "hss_capacity_per_s",
					     "mme_servers", "hss_servers" };
	const struct bsim_cfg_node *d, *os = bsim_cfg_get(root, "operators");
	int rc = section(root, "dimensioning", false, &d, L->err);

	bsim__keys_defaults(bsim__dim_keys, bsim__ndim_keys, &L->w->dim);
	if (rc || (d && (rc = bsim__keys_read(bsim__dim_keys, bsim__ndim_keys,
					      d, &L->w->dim, L->err))))
		return rc;
	for (size_t o = 0; o < L->w->noperators; o++) {
		if (L->w->operators[o].subscribers == 0)
			continue;
		for (size_t k = 0; k < sizeof(fixed) / sizeof(fixed[0]); k++)
			if (bsim_cfg_get(os->child[o], fixed[k]))
				return bsim_cfg_fail(
					bsim_cfg_get(os->child[o], fixed[k]),
					L->err,
					"set with subscribers: a dimensioned "
					"node's capacity comes from the rule "
					"(dimensioning.headroom scales it)");
	}
	bsim_world_dimension(L->w);
	return 0;
}

/* `nodes.KIND`: the service-time distribution of each node kind. */
static int load_nodes(struct loader *L, const struct bsim_cfg_node *root)
{
	static const char *const kinds[] = { "mme", "hss", "platform", "ipx",
					     NULL };
	const struct bsim_cfg_node *ns;
	int rc = section(root, "nodes", false, &ns, L->err);

	for (int k = 0; !rc && k < BSIM_NODE_KINDS; k++)
		bsim__keys_defaults(bsim__node_keys, bsim__nnode_keys,
				    &L->w->service[k]);
	if (rc || !ns || (rc = bsim_cfg_check_keys(ns, kinds, L->err)))
		return rc;
	for (int k = 0; k < BSIM_NODE_KINDS; k++) {
		const struct bsim_cfg_node *n = bsim_cfg_get(ns, kinds[k]);

		if (!n)
			continue;
		if (n->kind != BSIM_CFG_MAP)
			return bsim_cfg_fail(n, L->err, "expected a mapping");
		if ((rc = bsim__keys_read(bsim__node_keys, bsim__nnode_keys, n,
					  &L->w->service[k], L->err)))
			return rc;
	}
	return 0;
}

static int load_failures(struct loader *L, const struct bsim_cfg_node *root)
{
	static const char *const keys[] = { "kind",    "operator",
					    "country", "platform",
					    "start_s", "duration_s",
					    NULL };
	static const struct {
		const char *kind, *target;
		find_fn find;
	} kinds[] = {
		[BSIM_FAIL_HSS] = { "hss_outage", "operator",
				    bsim_world_operator },
		[BSIM_FAIL_RADIO] = { "radio_outage", "country", find_country },
		[BSIM_FAIL_IPX] = { "ipx_outage", NULL, NULL },
		[BSIM_FAIL_PLATFORM] = { "platform_outage", "platform",
					 find_platform },
		[BSIM_FAIL_HSS_DATA_LOSS] = { "hss_data_loss", "operator",
					      bsim_world_operator },
		[BSIM_FAIL_PLATFORM_DATA_LOSS] = { "platform_data_loss",
						   "platform", find_platform },
	};
	struct bsim_world *w = L->w;
	const struct bsim_cfg_node *fs = bsim_cfg_get(root, "failures");
	int rc;

	if (!fs)
		return 0;
	if (fs->kind != BSIM_CFG_SEQ)
		return bsim_cfg_fail(fs, L->err, "expected a list of outages");
	w->failures = calloc(fs->n ? fs->n : 1, sizeof(*w->failures));
	if (!w->failures)
		return BSIM_ENOMEM;
	for (size_t i = 0; i < fs->n; i++) {
		const struct bsim_cfg_node *f = fs->child[i];
		struct bsim_failure *k = &w->failures[i];
		const char *kind = NULL, *target = NULL;
		int which = -1;

		if (f->kind != BSIM_CFG_MAP)
			return bsim_cfg_fail(f, L->err, "expected a mapping");
		if ((rc = bsim_cfg_check_keys(f, keys, L->err)) ||
		    (rc = bsim_cfg_string(f, "kind", true, &kind, L->err)) ||
		    (rc = bsim_cfg_double(f, "start_s", true, 0, 1e10,
					  &k->start_s, L->err)) ||
		    (rc = bsim_cfg_double(f, "duration_s", true, 1, 1e10,
					  &k->duration_s, L->err)))
			return rc;
		for (int j = 0; j < BSIM_FAIL_KINDS; j++)
			if (!strcmp(kind, kinds[j].kind))
				which = j;
		if (which < 0)
			return bsim_cfg_fail(bsim_cfg_get(f, "kind"), L->err,
					     "expected hss_outage, "
					     "radio_outage, ipx_outage, "
					     "platform_outage, hss_data_loss "
					     "or platform_data_loss, got '%s'",
					     kind);
		k->kind = (enum bsim_failure_kind)which;
		for (int j = 0; j < BSIM_FAIL_KINDS; j++)
			if (kinds[j].target && j != which &&
			    strcmp(kinds[j].target,
				   kinds[which].target ? kinds[which].target
						       : "") &&
			    bsim_cfg_get(f, kinds[j].target))
				return bsim_cfg_fail(
					bsim_cfg_get(f, kinds[j].target),
					L->err, "a %s names no %s", kind,
					kinds[j].target);
		if (kinds[which].target) {
			int t;

			if ((rc = bsim_cfg_string(f, kinds[which].target, true,
						  &target, L->err)))
				return rc;
			t = kinds[which].find(w, target);
			if (t < 0)
				return bsim_cfg_fail(
					bsim_cfg_get(f, kinds[which].target),
					L->err, "no %s named '%s'",
					kinds[which].target, target);
			k->target = (uint16_t)t;
		}
		w->nfailures++;
	}
	return 0;
}

/* Validate a loaded document (consumed) into a world; `path` names the
 * scenario when it has no `name`. */
static int load_doc(struct bsim_cfg *cfg, const char *path,
		    const char *const *sets, size_t nsets,
		    struct bsim_world **out, char **resolved,
		    struct bsim_cfg_err *err)
{
	static const char *const top[] = {
		"name",	  "run",	  "grid",    "countries",
		"cities", "operators",	  "blocs",   "agreements",
		"routes", "platforms",	  "classes", "failures",
		"nodes",  "dimensioning", "qos",     NULL
	};
	struct loader L = { .err = err };
	const struct bsim_cfg_node *root;
	const char *name = NULL, *base, *dot;
	int rc = 0;

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
	if (!rc)
		rc = load_agreements(&L, root);
	if (!rc)
		rc = load_routes(&L, root);
	if (!rc)
		rc = load_platforms(&L, root);
	if (!rc)
		rc = load_classes(&L, root);
	if (!rc)
		rc = load_failures(&L, root);
	if (!rc)
		rc = load_nodes(&L, root);
	if (!rc)
		rc = load_dimensioning(&L, root);
	if (!rc)
		rc = load_qos(&L, root);
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

int bsim_scenario_load(const char *path, const char *const *sets, size_t nsets,
		       struct bsim_world **out, char **resolved,
		       struct bsim_cfg_err *err)
{
	struct bsim_cfg *cfg;
	int rc = bsim_cfg_load(path, &cfg, err);

	return rc ? rc : load_doc(cfg, path, sets, nsets, out, resolved, err);
}

int bsim_scenario_load_text(const char *text, const char *name,
			    const char *const *sets, size_t nsets,
			    struct bsim_world **out, char **resolved,
			    struct bsim_cfg_err *err)
{
	struct bsim_cfg *cfg;
	int rc = bsim_cfg_load_string(text, name, &cfg, err);

	return rc ? rc : load_doc(cfg, name, sets, nsets, out, resolved, err);
}
