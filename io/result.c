/* SPDX-License-Identifier: MIT */
/*
 * The result file of a run (format version 1; layout and definitions in
 * results/README.md). Entity lists and small tables are compound datasets
 * (h5py: pd.DataFrame(f['devices'][:])); long tables (billing records,
 * the trace) are groups of 1-D columns sharing a row scale; the
 * signalling arrays carry dimension scales so that xarray opens
 * /signalling as a dataset.
 */
#include "h5.h"

#include <blocsim/error.h>
#include <blocsim/result.h>
#include <blocsim/rng.h>
#include <blocsim/version.h>

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A field of a row struct, written as a column. */
struct field {
	const char *name;
	enum bsim__h5_type type;
	size_t off, size;
	const char *units, *long_name;
	const char *flags; /* Meanings of codes 0, 1, ... (or NULL). */
};

/* A code column: codes 0, 1, ... named by `fl` (CF flag_meanings). */
#define FL(S, m, t, l, fl)                                                     \
	{                                                                      \
#m, t, offsetof(S, m), sizeof(((S *)0)->m), NULL, l, fl        \
	}
#define F(S, m, t, u, l)                                                       \
	{                                                                      \
#m, t, offsetof(S, m), sizeof(((S *)0)->m), u, l               \
	}

/* Fill row k of a table into `out` (the table's row struct). */
typedef void (*row_fn)(const void *ctx, size_t k, void *out);
/* Make rows [start, start + n) available to the row_fn (start is a
 * multiple of SLICE_ROWS); 0 or a BSIM_E* code. */
typedef int (*slice_fn)(const void *ctx, size_t start, size_t n);

struct array {
	const void *base;
	size_t stride;
};

static void copy_row(const void *ctx, size_t k, void *out)
{
	const struct array *a = ctx;

	memcpy(out, (const unsigned char *)a->base + k * a->stride, a->stride);
}

/* Rows per slice: tables are written from bounded buffers, never whole
 * copies of the model's arrays. */
#define SLICE_ROWS 4096

/* Write n rows produced by fn as a compound dataset (dim NULL) or as a
 * group of columns sharing the row scale `dim`. */
static int write_rows_fn(hid_t g, const char *name, const char *dim,
			 const struct field *f, size_t nf, size_t n,
			 size_t stride, slice_fn load, row_fn fn,
			 const void *ctx, const char *long_name)
{
	struct bsim__h5_col cols[64];
	unsigned char *data[64] = { 0 }, *rows = malloc(SLICE_ROWS * stride);
	struct bsim__h5_ctable *ct = NULL;
	struct bsim__h5_table *tt = NULL;
	hid_t sub = -1;
	int rc = rows ? 0 : BSIM_ENOMEM;

	if (nf > 64)
		rc = BSIM_EINVAL;
	for (size_t c = 0; c < nf && !rc; c++) {
		cols[c] =
			(struct bsim__h5_col){ f[c].name, f[c].type, f[c].units,
					       f[c].long_name, f[c].flags };
		data[c] = malloc(SLICE_ROWS * bsim__h5_size(f[c].type));
		if (!data[c])
			rc = BSIM_ENOMEM;
	}
	if (!rc && !dim) {
		rc = bsim__h5_ctable_create(g, name, cols, nf, n, long_name,
					    &ct);
	} else if (!rc) {
		sub = bsim__h5_subgroup(g, name);
		rc = sub < 0 ? BSIM_EIO
			     : bsim__h5_table_create(sub, dim, cols, nf, &tt);
		if (sub >= 0 && long_name)
			bsim__h5_attr_str(sub, "long_name", long_name);
	}
	for (size_t start = 0; !rc && start < n; start += SLICE_ROWS) {
		size_t cnt = n - start < SLICE_ROWS ? n - start : SLICE_ROWS;

		if (load && (rc = load(ctx, start, cnt)))
			break;
		for (size_t r = 0; r < cnt; r++)
			fn(ctx, start + r, rows + r * stride);
		for (size_t c = 0; c < nf; c++) {
			size_t e = bsim__h5_size(f[c].type);

			memset(data[c], 0, cnt * e);
			for (size_t r = 0; r < cnt; r++)
				memcpy(data[c] + r * e,
				       rows + r * stride + f[c].off,
				       f[c].size < e ? f[c].size : e);
		}
		rc = ct ? bsim__h5_ctable_write(ct, start, cnt,
						(const void *const *)data)
			: bsim__h5_table_append(tt, (const void *const *)data,
						cnt);
	}
	if (ct && bsim__h5_ctable_close(ct) && !rc)
		rc = BSIM_EIO;
	if (tt && bsim__h5_table_close(tt) && !rc)
		rc = BSIM_EIO;
	if (sub >= 0)
		H5Gclose(sub);
	for (size_t c = 0; c < nf && c < 64; c++)
		free(data[c]);
	free(rows);
	return rc;
}

static int write_rows(hid_t g, const char *name, const char *dim,
		      const struct field *f, size_t nf, const void *rows,
		      size_t n, size_t stride, const char *long_name)
{
	struct array a = { rows, stride };

	return write_rows_fn(g, name, dim, f, nf, n, stride, NULL, copy_row, &a,
			     long_name);
}

static int entities(hid_t root, const struct bsim_results *r)
{
	const struct bsim_world *w = r->world;
	static const struct field op[] = {
		F(struct bsim_operator, name, BSIM_H5_STR, NULL, NULL),
		F(struct bsim_operator, group, BSIM_H5_STR, NULL, NULL),
		F(struct bsim_operator, mcc, BSIM_H5_STR, NULL, NULL),
		F(struct bsim_operator, mnc, BSIM_H5_STR, NULL, NULL),
		F(struct bsim_operator, tadig, BSIM_H5_STR, NULL, NULL),
		F(struct bsim_operator, country, BSIM_H5_U16, NULL,
		  "row of /countries"),
		F(struct bsim_operator, coverage_share, BSIM_H5_F64, "1", NULL),
		F(struct bsim_operator, radios, BSIM_H5_U8, NULL,
		  "bits: 1 lte-m, 2 nb-iot, 4 2g"),
		F(struct bsim_operator, hss_site, BSIM_H5_U16, NULL,
		  "row of /cities"),
		F(struct bsim_operator, mme_capacity_per_s, BSIM_H5_F64, "1/s",
		  NULL),
		F(struct bsim_operator, hss_capacity_per_s, BSIM_H5_F64, "1/s",
		  NULL),
	};
	static const struct field co[] = {
		F(struct bsim_country, name, BSIM_H5_STR, NULL, NULL),
		F(struct bsim_country, iso, BSIM_H5_STR, NULL, NULL),
		F(struct bsim_country, mcc, BSIM_H5_STR, NULL, NULL),
		F(struct bsim_country, utc_offset_min, BSIM_H5_I32, "min",
		  NULL),
		F(struct bsim_country, territory, BSIM_H5_U8, NULL,
		  "1: devices move in it"),
	};
	static const struct field ci[] = {
		F(struct bsim_city, name, BSIM_H5_STR, NULL, NULL),
		F(struct bsim_city, lat, BSIM_H5_F64, "degrees_north", NULL),
		F(struct bsim_city, lon, BSIM_H5_F64, "degrees_east", NULL),
		F(struct bsim_city, country, BSIM_H5_U16, NULL, NULL),
	};
	static const struct field fa[] = {
		FL(struct bsim_failure, kind, BSIM_H5_U8,
		   "0 hss_outage, 1 radio_outage, 2 ipx_outage, 3 "
		   "platform_outage, 4 hss_data_loss, 5 platform_data_loss",
		   "hss_outage radio_outage ipx_outage platform_outage "
		   "hss_data_loss platform_data_loss"),
		F(struct bsim_failure, target, BSIM_H5_U16, NULL,
		  "row of /operators, /countries or /platforms by kind"),
		F(struct bsim_failure, start_s, BSIM_H5_F64, "s",
		  "from the run's start"),
		F(struct bsim_failure, duration_s, BSIM_H5_F64, "s", NULL),
	};
	static const struct field cl[] = {
		F(struct bsim_class, name, BSIM_H5_STR, NULL, NULL),
		F(struct bsim_class, count, BSIM_H5_U64, NULL,
		  "real population the class stands for"),
		F(struct bsim_class, simulated, BSIM_H5_U64, NULL,
		  "devices simulated: round(count x sample fraction)"),
		FL(struct bsim_class, mobility, BSIM_H5_U8,
		   "0 stationary, 1 route", "stationary route"),
		F(struct bsim_class, radio, BSIM_H5_U8, NULL,
		  "1 lte-m, 2 nb-iot, 4 2g"),
	};
	int rc;

	if ((rc = write_rows(root, "operators", NULL, op,
			     sizeof(op) / sizeof(op[0]), w->operators,
			     w->noperators, sizeof(*w->operators),
			     "operators; the row index is the operator id")) ||
	    (rc = write_rows(root, "countries", NULL, co,
			     sizeof(co) / sizeof(co[0]), w->countries,
			     w->ncountries, sizeof(*w->countries), NULL)) ||
	    (rc = write_rows(root, "cities", NULL, ci,
			     sizeof(ci) / sizeof(ci[0]), w->cities, w->ncities,
			     sizeof(*w->cities), NULL)) ||
	    (rc = write_rows(root, "failures", NULL, fa,
			     sizeof(fa) / sizeof(fa[0]), w->failures,
			     w->nfailures, sizeof(*w->failures),
			     "the scheduled outages")) ||
	    (rc = write_rows(root, "classes", NULL, cl,
			     sizeof(cl) / sizeof(cl[0]), w->classes,
			     w->nclasses, sizeof(*w->classes), NULL)))
		return rc;
	/* Blocs, bloc members, platforms and platform members. */
	{
		struct name_row {
			char name[BSIM_NAME_MAX];
		} *bn = calloc(w->nblocs + 1, sizeof(*bn));
		struct member {
			uint16_t bloc, operator;
		} * bm;
		struct plat {
			char name[BSIM_NAME_MAX];
			uint16_t hss_site;
			double hss_capacity_per_s;
			uint8_t hosts_pgw;
			double local_profile_after_s;
		} *pl = calloc(w->nplatforms + 1, sizeof(*pl));
		static const struct field fbn[] = {
			F(struct name_row, name, BSIM_H5_STR, NULL, NULL),
		};
		static const struct field fbm[] = {
			F(struct member, bloc, BSIM_H5_U16, NULL, NULL),
			F(struct member, operator, BSIM_H5_U16, NULL, NULL),
		};
		static const struct field fpl[] = {
			F(struct plat, name, BSIM_H5_STR, NULL, NULL),
			F(struct plat, hss_site, BSIM_H5_U16, NULL, NULL),
			F(struct plat, hss_capacity_per_s, BSIM_H5_F64, "1/s",
			  NULL),
			F(struct plat, hosts_pgw, BSIM_H5_U8, NULL, NULL),
			F(struct plat, local_profile_after_s, BSIM_H5_F64, "s",
			  NULL),
		};
		size_t nm = 0, k = 0, npm = 0;

		for (size_t b = 0; b < w->nblocs; b++)
			nm += w->blocs[b].nmembers;
		for (size_t p = 0; p < w->nplatforms; p++)
			npm += w->platforms[p].nmembers;
		bm = calloc(nm + npm + 1, sizeof(*bm));
		if (!bn || !bm || !pl) {
			free(bn);
			free(bm);
			free(pl);
			return BSIM_ENOMEM;
		}
		for (size_t b = 0; b < w->nblocs; b++) {
			memcpy(bn[b].name, w->blocs[b].name, BSIM_NAME_MAX);
			for (size_t q = 0; q < w->blocs[b].nmembers; q++)
				bm[k++] = (struct member){
					(uint16_t)b, w->blocs[b].members[q]
				};
		}
		rc = write_rows(root, "blocs", NULL, fbn, 1, bn, w->nblocs,
				sizeof(*bn), NULL);
		if (!rc)
			rc = write_rows(root, "bloc_members", NULL, fbm, 2, bm,
					nm, sizeof(*bm),
					"bloc: row of /blocs; operator: row "
					"of /operators");
		for (size_t p = 0; p < w->nplatforms; p++) {
			const struct bsim_platform *x = &w->platforms[p];

			memcpy(pl[p].name, x->name, BSIM_NAME_MAX);
			pl[p].hss_site = x->hss_site;
			pl[p].hss_capacity_per_s = x->hss_capacity_per_s;
			pl[p].hosts_pgw = x->hosts_pgw;
			pl[p].local_profile_after_s = x->local_profile_after_s;
		}
		k = 0;
		for (size_t p = 0; p < w->nplatforms; p++)
			for (size_t q = 0; q < w->platforms[p].nmembers; q++)
				bm[k++] = (struct member){
					(uint16_t)p, w->platforms[p].members[q]
				};
		if (!rc)
			rc = write_rows(root, "platforms", NULL, fpl,
					sizeof(fpl) / sizeof(fpl[0]), pl,
					w->nplatforms, sizeof(*pl), NULL);
		if (!rc) {
			static const struct field fpm[] = {
				{ "platform", BSIM_H5_U16,
				  offsetof(struct member, bloc),
				  sizeof(uint16_t), NULL, NULL },
				F(struct member, operator, BSIM_H5_U16, NULL,
				  NULL),
			};

			rc = write_rows(root, "platform_members", NULL, fpm, 2,
					bm, npm, sizeof(*bm),
					"platform: row of /platforms; "
					"operator: row of /operators");
		}
		free(bn);
		free(bm);
		free(pl);
	}
	return rc;
}

static int agreements(hid_t root, const struct bsim_results *r)
{
	const struct bsim_world *w = r->world;
	size_t nop = w->noperators, n = nop * nop;
	struct agr {
		uint16_t home, visited;
		uint8_t relation, path;
		uint16_t steering_rank;
		int64_t rate_ueur_per_mb, rate_ueur_per_sms, access_fee_ueur;
		uint32_t min_kb;
		uint8_t eplmn, handover, local_breakout, admission_priority,
			glr_cache, netting, psm_abroad, radios;
		double sla_ms, path_rtt_ms, fault_rate_per_year, fault_detect_s,
			fault_repair_s;
	} *a = calloc(n + 1, sizeof(*a));
	static const struct field f[] = {
		F(struct agr, home, BSIM_H5_U16, NULL, "home operator"),
		F(struct agr, visited, BSIM_H5_U16, NULL, "visited operator"),
		FL(struct agr, relation, BSIM_H5_U8,
		   "0 home, 1 same_group, 2 bloc_partner, 3 arms_length, 4 "
		   "none",
		   "home same_group bloc_partner arms_length none"),
		F(struct agr, steering_rank, BSIM_H5_U16, NULL,
		  "1 best, 0 unlisted"),
		FL(struct agr, path, BSIM_H5_U8, "0 ipx, 1 direct",
		   "ipx direct"),
		F(struct agr, rate_ueur_per_mb, BSIM_H5_I64, "1e-6 EUR/MB",
		  NULL),
		F(struct agr, rate_ueur_per_sms, BSIM_H5_I64, "1e-6 EUR", NULL),
		F(struct agr, access_fee_ueur, BSIM_H5_I64, "1e-6 EUR",
		  "per SIM, visited network and month"),
		F(struct agr, min_kb, BSIM_H5_U32, "kB", NULL),
		F(struct agr, eplmn, BSIM_H5_U8, NULL, NULL),
		F(struct agr, handover, BSIM_H5_U8, NULL, NULL),
		F(struct agr, local_breakout, BSIM_H5_U8, NULL, NULL),
		F(struct agr, admission_priority, BSIM_H5_U8, NULL, NULL),
		F(struct agr, glr_cache, BSIM_H5_U8, NULL, NULL),
		F(struct agr, netting, BSIM_H5_U8, NULL, NULL),
		F(struct agr, psm_abroad, BSIM_H5_U8, NULL, NULL),
		F(struct agr, radios, BSIM_H5_U8, NULL,
		  "granted: 1 lte-m, 2 nb-iot, 4 2g"),
		F(struct agr, sla_ms, BSIM_H5_F64, "ms", "0: none"),
		F(struct agr, path_rtt_ms, BSIM_H5_F64, "ms",
		  "signalling round trip, visited MME to home HSS"),
		F(struct agr, fault_rate_per_year, BSIM_H5_F64, "1/year", NULL),
		F(struct agr, fault_detect_s, BSIM_H5_F64, "s", NULL),
		F(struct agr, fault_repair_s, BSIM_H5_F64, "s", NULL),
	};
	int rc;

	if (!a)
		return BSIM_ENOMEM;
	for (size_t h = 0; h < nop; h++)
		for (size_t v = 0; v < nop; v++) {
			const struct bsim_terms *t = bsim_world_terms(w, h, v);
			struct agr *q = &a[h * nop + v];

			q->home = (uint16_t)h;
			q->visited = (uint16_t)v;
			q->relation = (uint8_t)t->relation;
			q->steering_rank = t->steering_rank;
			q->path = (uint8_t)t->path;
			q->rate_ueur_per_mb = t->rate_ueur_per_mb;
			q->rate_ueur_per_sms = t->rate_ueur_per_sms;
			q->access_fee_ueur = t->access_fee_ueur;
			q->min_kb = t->min_kb;
			q->eplmn = t->eplmn;
			q->handover = t->handover;
			q->local_breakout = t->local_breakout;
			q->admission_priority = t->admission_priority;
			q->glr_cache = t->glr_cache;
			q->netting = t->netting;
			q->psm_abroad = t->psm_abroad;
			q->radios = t->radios;
			q->sla_ms = t->sla_ms;
			q->path_rtt_ms = r->path_rtt_ms[h * nop + v];
			q->fault_rate_per_year = t->fault_rate_per_year;
			q->fault_detect_s = t->fault_detect_s;
			q->fault_repair_s = t->fault_repair_s;
		}
	rc = write_rows(root, "agreements", NULL, f, sizeof(f) / sizeof(f[0]),
			a, n, sizeof(*a),
			"terms per (home, visited) pair, row home * "
			"n_operators + visited");
	free(a);
	return rc;
}

static hid_t index_scale(hid_t g, const char *name, size_t n)
{
	uint32_t *v = malloc((n ? n : 1) * sizeof(*v));
	hid_t s;

	if (!v)
		return -1;
	for (size_t i = 0; i < n; i++)
		v[i] = (uint32_t)i;
	s = bsim__h5_scale(g, name, BSIM_H5_U32, n, v, NULL);
	free(v);
	return s;
}

static int geography(struct bsim__h5 *f, const struct bsim_results *r)
{
	const struct bsim_grid *g = r->grid;
	size_t nc = (size_t)g->nx * g->ny;
	hid_t grp = bsim__h5_group(f, "/geography"), sc[2];
	double *lat = malloc(g->ny * sizeof(double)),
	       *lon = malloc(g->nx * sizeof(double));
	uint16_t *ncov = malloc(nc * sizeof(uint16_t));
	hsize_t dims[2] = { g->ny, g->nx }, one;
	int rc = 0;

	if (grp < 0 || !lat || !lon || !ncov) {
		rc = BSIM_ENOMEM;
		goto out;
	}
	for (uint32_t y = 0; y < g->ny; y++)
		lat[y] = g->south + (y + 0.5) * g->dlat;
	for (uint32_t x = 0; x < g->nx; x++)
		lon[x] = g->west + (x + 0.5) * g->dlon;
	for (size_t c = 0; c < nc; c++)
		ncov[c] = (uint16_t)(r->cell_cover_start[c + 1] -
				     r->cell_cover_start[c]);
	bsim__h5_attr_f64(grp, "south", g->south);
	bsim__h5_attr_f64(grp, "west", g->west);
	bsim__h5_attr_f64(grp, "dlat", g->dlat);
	bsim__h5_attr_f64(grp, "dlon", g->dlon);
	bsim__h5_attr_f64(grp, "cell_km", g->cell_km);
	bsim__h5_attr_str(grp, "projection",
			  "regular latitude-longitude grid (plate carree); "
			  "cell index = row * nx + column from the south-west");
	bsim__h5_attr_str(grp, "map_data",
			  "country borders: Digital Chart of the World "
			  "(gmt-dcw)");
	sc[0] = bsim__h5_scale(grp, "lat", BSIM_H5_F64, g->ny, lat,
			       "degrees_north");
	sc[1] = bsim__h5_scale(grp, "lon", BSIM_H5_F64, g->nx, lon,
			       "degrees_east");
	if (sc[0] < 0 || sc[1] < 0)
		rc = BSIM_EIO;
	if (!rc)
		rc = bsim__h5_array(grp, "country", BSIM_H5_U16, 2, dims,
				    g->country, sc, NULL,
				    "row of /countries; 65535: none");
	if (!rc)
		rc = bsim__h5_array(grp, "tracking_area", BSIM_H5_U32, 2, dims,
				    r->cell_ta, sc, NULL, NULL);
	if (!rc)
		rc = bsim__h5_array(grp, "n_covering", BSIM_H5_U16, 2, dims,
				    ncov, sc, NULL,
				    "operators covering the cell");
	if (sc[0] >= 0)
		H5Dclose(sc[0]);
	if (sc[1] >= 0)
		H5Dclose(sc[1]);
	/* Covering operators, CSR: cell c's are cover_op[start[c] ..
	 * start[c+1]). */
	if (!rc) {
		hid_t s1, s2;

		one = nc + 1;
		s1 = index_scale(grp, "cell_edge", nc + 1);
		rc = s1 < 0 ? BSIM_EIO
			    : bsim__h5_array(grp, "cover_start", BSIM_H5_U32, 1,
					     &one, r->cell_cover_start, &s1,
					     NULL,
					     "cell c's operators are "
					     "cover_op[cover_start[c]:"
					     "cover_start[c+1]]");
		one = r->cell_cover_start[nc];
		s2 = index_scale(grp, "cover_entry", (size_t)one);
		if (!rc)
			rc = s2 < 0 ? BSIM_EIO
				    : bsim__h5_array(grp, "cover_op",
						     BSIM_H5_U16, 1, &one,
						     r->cell_cover_op, &s2,
						     NULL, "row of /operators");
		if (s1 >= 0)
			H5Dclose(s1);
		if (s2 >= 0)
			H5Dclose(s2);
	}
out:
	free(lat);
	free(lon);
	free(ncov);
	if (grp >= 0)
		H5Gclose(grp);
	return rc;
}

/* Times go out in seconds: a derived view of the model's rows. */
struct dev {
	uint32_t id;
	uint16_t class_, home_op, home_op_initial, country;
	uint32_t attaches_ok, attaches_failed, handovers, border_crossings,
		reattaches, session_drops, reports, reports_lost, records;
	double roaming_s, home_s, no_service_s, interruption_s;
	uint64_t bytes_up, bytes_down;
	int64_t charge_ueur;
	uint32_t mt_delivered, mt_expired;
	double mt_latency_s;
};

static void dev_row(const void *ctx, size_t i, void *out)
{
	struct bsim_device_row s;

	bsim_results_device(ctx, i, &s);
	*(struct dev *)out = (struct dev){
		.id = (uint32_t)i,
		.class_ = s.cls,
		.home_op = s.home_op,
		.home_op_initial = s.home_op_initial,
		.country = s.country,
		.attaches_ok = s.attaches_ok,
		.attaches_failed = s.attaches_failed,
		.handovers = s.handovers,
		.border_crossings = s.border_crossings,
		.reattaches = s.reattaches,
		.session_drops = s.session_drops,
		.reports = s.reports,
		.reports_lost = s.reports_lost,
		.records = s.records,
		.roaming_s = (double)s.roaming_ns * 1e-9,
		.home_s = (double)s.home_ns * 1e-9,
		.no_service_s = (double)s.no_service_ns * 1e-9,
		.interruption_s = (double)s.interruption_ns * 1e-9,
		.bytes_up = s.bytes_up,
		.bytes_down = s.bytes_down,
		.charge_ueur = s.charge_ueur,
		.mt_delivered = s.mt_delivered,
		.mt_expired = s.mt_expired,
		.mt_latency_s = (double)s.mt_latency_ns * 1e-9,
	};
}

static int devices(hid_t root, const struct bsim_results *r)
{
	static const struct field f[] = {
		F(struct dev, id, BSIM_H5_U32, NULL, NULL),
		{ "class", BSIM_H5_U16, offsetof(struct dev, class_),
		  sizeof(uint16_t), NULL, "row of /classes" },
		F(struct dev, home_op, BSIM_H5_U16, NULL,
		  "home operator at the end"),
		F(struct dev, home_op_initial, BSIM_H5_U16, NULL, NULL),
		F(struct dev, country, BSIM_H5_U16, NULL,
		  "row of /countries where the device starts"),
		F(struct dev, attaches_ok, BSIM_H5_U32, NULL,
		  "successful registrations in a new network"),
		F(struct dev, attaches_failed, BSIM_H5_U32, NULL,
		  "failed registration attempts"),
		F(struct dev, handovers, BSIM_H5_U32, NULL, NULL),
		F(struct dev, border_crossings, BSIM_H5_U32, NULL, NULL),
		F(struct dev, reattaches, BSIM_H5_U32, NULL,
		  "attaches after losing the network at a border"),
		F(struct dev, session_drops, BSIM_H5_U32, NULL, NULL),
		F(struct dev, reports, BSIM_H5_U32, NULL, "generated"),
		F(struct dev, reports_lost, BSIM_H5_U32, NULL, NULL),
		F(struct dev, records, BSIM_H5_U32, NULL,
		  "billing records of the device"),
		F(struct dev, roaming_s, BSIM_H5_F64, "s", NULL),
		F(struct dev, home_s, BSIM_H5_F64, "s", NULL),
		F(struct dev, no_service_s, BSIM_H5_F64, "s", NULL),
		F(struct dev, interruption_s, BSIM_H5_F64, "s",
		  "no service after losing the network at a border"),
		F(struct dev, bytes_up, BSIM_H5_U64, "bytes", NULL),
		F(struct dev, bytes_down, BSIM_H5_U64, "bytes", NULL),
		F(struct dev, charge_ueur, BSIM_H5_I64, "1e-6 EUR",
		  "sum of the device's roaming records"),
		F(struct dev, mt_delivered, BSIM_H5_U32, NULL,
		  "mobile-terminated messages delivered"),
		F(struct dev, mt_expired, BSIM_H5_U32, NULL,
		  "mobile-terminated messages lost to their expiry"),
		F(struct dev, mt_latency_s, BSIM_H5_F64, "s",
		  "summed delivery latency of the delivered ones"),
	};

	return write_rows_fn(root, "devices", NULL, f, sizeof(f) / sizeof(f[0]),
			     r->ndevices, sizeof(struct dev), NULL, dev_row, r,
			     "one row per device");
}

static int signalling(struct bsim__h5 *f, const struct bsim_results *r)
{
	hid_t g = bsim__h5_group(f, "/signalling"), sc[3] = { -1, -1, -1 },
	      qs = -1;
	size_t nb = r->nbins, nn = r->nnodes;
	double *t = malloc((nb ? nb : 1) * sizeof(double));
	int32_t codes[64];
	char meanings[512] = "";
	static const struct field fn[] = {
		F(struct bsim_node_row, op, BSIM_H5_U16, NULL,
		  "operator (mme, hss) or platform row; 65535 for the IPX"),
		FL(struct bsim_node_row, kind, BSIM_H5_U8,
		   "0 mme, 1 hss, 2 platform, 3 ipx", "mme hss platform ipx"),
		F(struct bsim_node_row, site, BSIM_H5_U16, NULL,
		  "row of /cities; 65535: none"),
		F(struct bsim_node_row, service_rate_per_s, BSIM_H5_F64, "1/s",
		  "total capacity of the node's servers"),
		F(struct bsim_node_row, servers, BSIM_H5_U32, NULL,
		  "parallel servers sharing the FIFO queue"),
		F(struct bsim_node_row, queue_limit, BSIM_H5_U32, NULL, NULL),
		F(struct bsim_node_row, arrivals, BSIM_H5_U64, NULL, NULL),
		F(struct bsim_node_row, served, BSIM_H5_U64, NULL, NULL),
		F(struct bsim_node_row, rejected, BSIM_H5_U64, NULL, NULL),
		F(struct bsim_node_row, max_queue, BSIM_H5_U32, NULL, NULL),
		F(struct bsim_node_row, mean_wait_s, BSIM_H5_F64, "s", NULL),
		F(struct bsim_node_row, p99_wait_s, BSIM_H5_F64, "s", NULL),
		F(struct bsim_node_row, mean_sojourn_s, BSIM_H5_F64, "s",
		  "mean wait plus service"),
		F(struct bsim_node_row, p99_sojourn_s, BSIM_H5_F64, "s",
		  "99th percentile of wait plus service"),
		F(struct bsim_node_row, messages, BSIM_H5_U64, NULL,
		  "messages counted at the node"),
		F(struct bsim_node_row, background_arrivals, BSIM_H5_U64, NULL,
		  "background transactions offered (subscribers not "
		  "simulated)"),
		F(struct bsim_node_row, background_rejected, BSIM_H5_U64, NULL,
		  "background transactions refused at the queue limit"),
		F(struct bsim_node_row, utilisation, BSIM_H5_F64, "1",
		  "service time handed out, simulated and background, over "
		  "servers x the run's duration"),
	};
	int rc = 0;

	if (g < 0 || !t) {
		free(t);
		return BSIM_ENOMEM;
	}
	for (size_t b = 0; b < nb; b++)
		t[b] = (double)b * (double)r->world->run.bin_s;
	sc[0] = bsim__h5_scale(g, "time_s", BSIM_H5_F64, nb, t, "s");
	sc[1] = index_scale(g, "node", nn);
	for (unsigned k = 0; k < BSIM_MESSAGE_COUNT; k++) {
		codes[k] = (int32_t)k;
		if (k)
			strcat(meanings, " ");
		strcat(meanings, bsim_message_name(k));
	}
	sc[2] = index_scale(g, "message_type", BSIM_MESSAGE_COUNT);
	if (sc[2] >= 0)
		bsim__h5_attr_flags(sc[2], codes, BSIM_MESSAGE_COUNT, meanings);
	qs = index_scale(g, "quantity", BSIM_SERIES_COUNT);
	if (qs >= 0) {
		for (unsigned k = 0; k < BSIM_SERIES_COUNT; k++)
			codes[k] = (int32_t)k;
		bsim__h5_attr_flags(qs, codes, BSIM_SERIES_COUNT,
				    "offered served rejected queue_len "
				    "devices_in_backoff");
	}
	if (sc[0] < 0 || sc[1] < 0 || sc[2] < 0 || qs < 0)
		rc = BSIM_EIO;
	if (!rc) {
		hsize_t dims[3] = { nb, nn, BSIM_MESSAGE_COUNT };

		rc = bsim__h5_array(g, "messages", BSIM_H5_U32, 3, dims,
				    r->messages, sc, "1",
				    "messages counted by each node per bin");
	}
	if (!rc) {
		hsize_t dims[3] = { nb, nn, BSIM_SERIES_COUNT };
		hid_t s3[3] = { sc[0], sc[1], qs };

		rc = bsim__h5_array(g, "node_series", BSIM_H5_U32, 3, dims,
				    r->node_series, s3, "1",
				    "per bin: transactions offered, served, "
				    "rejected; most in the system; most "
				    "devices in back-off");
	}
	for (int k = 0; k < 3; k++)
		if (sc[k] >= 0)
			H5Dclose(sc[k]);
	if (qs >= 0)
		H5Dclose(qs);
	if (!rc)
		rc = write_rows(g, "nodes", "node_row", fn,
				sizeof(fn) / sizeof(fn[0]), r->nodes, nn,
				sizeof(*r->nodes),
				"signalling nodes; row = node index");
	free(t);
	H5Gclose(g);
	return rc;
}

struct rec {
	double t_start_s, duration_s;
	uint32_t device;
	uint16_t home_op, visited_op;
	uint8_t kind;
	uint64_t bytes_up, bytes_down, charged_kb;
	int64_t charge_ueur;
};

/* A spooled table read back one slice at a time into buf. */
struct spooled {
	const struct bsim_spool *s;
	void *buf; /* SLICE_ROWS items. */
};

static int spooled_load(const void *ctx, size_t start, size_t n)
{
	const struct spooled *sp = ctx;

	return bsim_spool_read(sp->s, start, n, sp->buf);
}

static void trace_row(const void *ctx, size_t q, void *out)
{
	const struct spooled *sp = ctx;

	memcpy(out, (const struct bsim_trace *)sp->buf + q % SLICE_ROWS,
	       sizeof(struct bsim_trace));
}

static void rec_row(const void *ctx, size_t q, void *out)
{
	const struct spooled *sp = ctx;
	const struct bsim_record *x =
		(const struct bsim_record *)sp->buf + q % SLICE_ROWS;

	*(struct rec *)out = (struct rec){
		.t_start_s = (double)x->t_start_ns * 1e-9,
		.duration_s = (double)x->duration_ns * 1e-9,
		.device = x->device,
		.home_op = x->home_op,
		.visited_op = x->visited_op,
		.kind = x->kind,
		.bytes_up = x->bytes_up,
		.bytes_down = x->bytes_down,
		.charged_kb = x->charged_kb,
		.charge_ueur = x->charge_ueur,
	};
}

static int billing(struct bsim__h5 *f, const struct bsim_results *r,
		   bool records)
{
	const struct bsim_world *w = r->world;
	size_t nop = w->noperators;
	hid_t g = bsim__h5_group(f, "/billing"), s[2] = { -1, -1 };
	static const struct field fr[] = {
		F(struct rec, t_start_s, BSIM_H5_F64, "s",
		  "from the run's start"),
		F(struct rec, duration_s, BSIM_H5_F64, "s", NULL),
		F(struct rec, device, BSIM_H5_U32, NULL, NULL),
		F(struct rec, home_op, BSIM_H5_U16, NULL, NULL),
		F(struct rec, visited_op, BSIM_H5_U16, NULL, NULL),
		FL(struct rec, kind, BSIM_H5_U8, "0 data, 1 sms, 2 access_fee",
		   "data sms access_fee"),
		F(struct rec, bytes_up, BSIM_H5_U64, "bytes", NULL),
		F(struct rec, bytes_down, BSIM_H5_U64, "bytes", NULL),
		F(struct rec, charged_kb, BSIM_H5_U64, "kB", NULL),
		F(struct rec, charge_ueur, BSIM_H5_I64, "1e-6 EUR", NULL),
	};
	hsize_t dims[2] = { nop, nop };
	int rc = 0;

	if (g < 0)
		return BSIM_EIO;
	s[0] = index_scale(g, "home_op", nop);
	s[1] = index_scale(g, "visited_op", nop);
	if (s[0] < 0 || s[1] < 0)
		rc = BSIM_EIO;
	if (!rc)
		rc = bsim__h5_array(g, "settlement_ueur", BSIM_H5_I64, 2, dims,
				    r->settlement_ueur, s, "1e-6 EUR",
				    "gross: what home owes visited, the sum "
				    "of the records");
	if (!rc)
		rc = bsim__h5_array(g, "net_ueur", BSIM_H5_I64, 2, dims,
				    r->net_ueur, s, "1e-6 EUR",
				    "what home pays visited after bilateral "
				    "netting");
	for (int k = 0; k < 2; k++)
		if (s[k] >= 0)
			H5Dclose(s[k]);
	if (!rc && records) {
		struct spooled sp = { r->records,
				      malloc(SLICE_ROWS *
					     sizeof(struct bsim_record)) };

		rc = !sp.buf ? BSIM_ENOMEM
			     : write_rows_fn(g, "records", "record", fr,
					     sizeof(fr) / sizeof(fr[0]),
					     r->nrecords, sizeof(struct rec),
					     spooled_load, rec_row, &sp,
					     "TAP-like records");
		free(sp.buf);
	}
	H5Gclose(g);
	return rc;
}

static int kpis(hid_t root, const struct bsim_results *r)
{
	const struct bsim_world *w = r->world;
	struct field f[BSIM_KPI_COUNT + 1];
	size_t nf = 0;
	double *rows;
	int rc;

	for (unsigned k = 0; k < BSIM_KPI_COUNT; k++)
		f[nf++] = (struct field){ bsim_kpi_name(k),   BSIM_H5_F64,
					  k * sizeof(double), sizeof(double),
					  bsim_kpi_unit(k),   NULL };
	rc = write_rows(root, "kpi", NULL, f, nf, r->kpi, 1,
			BSIM_KPI_COUNT * sizeof(double),
			"the run's KPIs (definitions: results/README.md)");
	if (rc)
		return rc;
	/* By class and by operator: a leading id column. */
	for (int pass = 0; pass < 2; pass++) {
		size_t n = pass == 0 ? w->nclasses : w->noperators;
		const double *src =
			pass == 0 ? r->kpi_by_class : r->kpi_by_operator;
		size_t stride = (BSIM_KPI_COUNT + 1) * sizeof(double);
		struct field g[BSIM_KPI_COUNT + 1];

		rows = calloc(n + 1, stride);
		if (!rows)
			return BSIM_ENOMEM;
		g[0] = (struct field){ pass == 0 ? "class" : "operator",
				       BSIM_H5_F64,
				       0,
				       sizeof(double),
				       NULL,
				       "row of /classes or /operators" };
		for (unsigned k = 0; k < BSIM_KPI_COUNT; k++)
			g[k + 1] = (struct field){
				bsim_kpi_name(k),	  BSIM_H5_F64,
				(k + 1) * sizeof(double), sizeof(double),
				bsim_kpi_unit(k),	  NULL
			};
		for (size_t i = 0; i < n; i++) {
			rows[i * (BSIM_KPI_COUNT + 1)] = (double)i;
			memcpy(&rows[i * (BSIM_KPI_COUNT + 1) + 1],
			       &src[i * BSIM_KPI_COUNT],
			       BSIM_KPI_COUNT * sizeof(double));
		}
		rc = write_rows(root,
				pass == 0 ? "kpi_by_class" : "kpi_by_operator",
				NULL, g, BSIM_KPI_COUNT + 1, rows, n, stride,
				pass == 0 ? "KPIs per device class"
					  : "KPIs per home operator");
		free(rows);
		if (rc)
			return rc;
	}
	/* The attach latency histogram. */
	{
		struct bin {
			double lower_s, upper_s;
			uint64_t count;
		} b[BSIM_LATENCY_BINS];
		static const struct field fb[] = {
			F(struct bin, lower_s, BSIM_H5_F64, "s", NULL),
			F(struct bin, upper_s, BSIM_H5_F64, "s", NULL),
			F(struct bin, count, BSIM_H5_U64, NULL, NULL),
		};

		for (unsigned k = 0; k < BSIM_LATENCY_BINS; k++)
			b[k] = (struct bin){ r->latency_edges[k],
					     r->latency_edges[k + 1],
					     r->latency_counts[k] };
		rc = write_rows(root, "attach_latency_hist", "bin", fb, 3, b,
				BSIM_LATENCY_BINS, sizeof(b[0]),
				"registration episodes by latency, retries "
				"included");
		for (unsigned k = 0; k < BSIM_LATENCY_BINS; k++)
			b[k].count = r->mt_latency_counts[k];
		if (!rc)
			rc = write_rows(root, "mt_latency_hist", "bin", fb, 3,
					b, BSIM_LATENCY_BINS, sizeof(b[0]),
					"mobile-terminated messages by "
					"delivery latency");
	}
	return rc;
}

static int trace(hid_t root, const struct bsim_results *r)
{
	hid_t g = bsim__h5_subgroup(root, "trace");
	static const struct field f[] = {
		F(struct bsim_trace, t_ns, BSIM_H5_U64, "ns", NULL),
		F(struct bsim_trace, device, BSIM_H5_U32, NULL, NULL),
		FL(struct bsim_trace, type, BSIM_H5_U8,
		   "0 attach, 1 tau, 2 handover, 3 detach, 4 report, 5 cell, "
		   "6 border, 7 loss, 8 camp (registered without signalling)",
		   "attach tau handover detach report cell border loss camp"),
		{ "operator", BSIM_H5_U16, offsetof(struct bsim_trace, op),
		  sizeof(uint16_t), NULL, "65535: none" },
		{ "peer_operator", BSIM_H5_U16,
		  offsetof(struct bsim_trace, peer_op), sizeof(uint16_t), NULL,
		  "previous network; 65535: none" },
		F(struct bsim_trace, cell, BSIM_H5_U32, NULL, NULL),
		FL(struct bsim_trace, result, BSIM_H5_U8,
		   "0 ok, 1 reject, 2 timeout", "ok reject timeout"),
	};
	int rc;

	if (g < 0)
		return BSIM_EIO;
	{
		struct spooled sp = {
			r->trace, malloc(SLICE_ROWS * sizeof(struct bsim_trace))
		};

		rc = !sp.buf ? BSIM_ENOMEM
			     : write_rows_fn(g, "events", "event", f,
					     sizeof(f) / sizeof(f[0]),
					     r->ntrace,
					     sizeof(struct bsim_trace),
					     spooled_load, trace_row, &sp,
					     "the run's events (output level "
					     "full)");
		free(sp.buf);
	}
	H5Gclose(g);
	return rc;
}

int bsim_result_write(const char *path, const struct bsim_results *r,
		      const struct bsim_result_meta *meta,
		      bool (*keep_tmp_check)(void), char *err, size_t errlen)
{
	const struct bsim_world *w = r->world;
	struct bsim__h5 *f;
	hid_t root;
	int rc = bsim__h5_create(path, &f, err, errlen);

	if (rc)
		return rc;
	root = H5Gopen2(f->file, "/", H5P_DEFAULT);
	if (root < 0) {
		bsim__h5_abort(f);
		snprintf(err, errlen, "%s: cannot open the root group", path);
		return BSIM_EIO;
	}
	bsim__h5_attr_str(root, "format", BSIM_RESULT_FORMAT);
	bsim__h5_attr_i64(root, "format_version", BSIM_RESULT_FORMAT_VERSION);
	bsim__h5_attr_str(root, "blocsim_version", BSIM_VERSION);
	bsim__h5_attr_str(root, "scenario_name", w->name);
	bsim__h5_attr_u64(root, "seed", w->run.seed);
	bsim__h5_attr_str(root, "rng_scheme", BSIM_RNG_SCHEME);
	bsim__h5_attr_str(root, "engine", meta->engine);
	bsim__h5_attr_f64(root, "sim_duration_s",
			  (double)r->sim_duration_ns * 1e-9);
	bsim__h5_attr_u64(root, "bin_s", w->run.bin_s);
	bsim__h5_attr_f64(root, "sample_fraction", w->run.sample_fraction);
	bsim__h5_attr_u64(root, "events_executed", r->events_executed);
	bsim__h5_attr_f64(root, "wall_seconds", meta->wall_seconds);
	bsim__h5_attr_str(root, "host", meta->host ? meta->host : "");
	if (meta->sweep_run_id) {
		bsim__h5_attr_str(root, "sweep_run_id", meta->sweep_run_id);
		bsim__h5_attr_str(root, "sweep_params",
				  meta->sweep_params ? meta->sweep_params : "");
		bsim__h5_attr_i64(root, "sweep_replication",
				  meta->sweep_replication);
	}
	bsim__h5_attr_str(root, "output_level",
			  w->run.output == BSIM_OUTPUT_FULL	 ? "full"
			  : w->run.output == BSIM_OUTPUT_BILLING ? "billing"
								 : "summary");
	rc = bsim__h5_text(root, "scenario", meta->scenario_yaml);
	if (!rc)
		rc = entities(root, r);
	if (!rc)
		rc = agreements(root, r);
	if (!rc)
		rc = geography(f, r);
	if (!rc)
		rc = devices(root, r);
	if (!rc)
		rc = signalling(f, r);
	if (!rc)
		rc = billing(f, r, w->run.output >= BSIM_OUTPUT_BILLING);
	if (!rc)
		rc = kpis(root, r);
	if (!rc && w->run.output == BSIM_OUTPUT_FULL)
		rc = trace(root, r);
	if (!rc)
		bsim__h5_attr_str(root, "status", "complete");
	H5Gclose(root);
	if (rc) {
		snprintf(err, errlen, "%s: writing the result file failed (%s)",
			 path, bsim_strerror(rc));
		bsim__h5_abort(f);
		return rc;
	}
	if (keep_tmp_check && !keep_tmp_check()) {
		bsim__h5_abort(f);
		return BSIM_ESTOPPED;
	}
	rc = bsim__h5_commit(f);
	if (rc)
		snprintf(err, errlen, "%s: cannot complete the file", path);
	return rc;
}

int bsim_result_read_scenario(const char *path, char **text, char *err,
			      size_t errlen)
{
	hid_t f, d = -1, t = -1, mt = -1;
	char *v = NULL;
	int rc = 0;

	H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
	f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
	if (f < 0) {
		snprintf(err, errlen, "%s: not a readable HDF5 file", path);
		return BSIM_EIO;
	}
	d = H5Gopen2(f, "/", H5P_DEFAULT);
	if (d < 0 ||
	    !bsim__h5_format_is(d, "blocsim-result", BSIM_RESULT_FORMAT_VERSION,
				path, err, errlen)) {
		if (d < 0)
			snprintf(err, errlen, "%s: no root group", path);
		else
			H5Gclose(d);
		H5Fclose(f);
		return BSIM_EPARSE;
	}
	H5Gclose(d);
	d = -1;
	if (H5Lexists(f, "scenario", H5P_DEFAULT) <= 0 ||
	    (d = H5Dopen2(f, "scenario", H5P_DEFAULT)) < 0) {
		snprintf(err, errlen,
			 "%s: no /scenario dataset (not a blocsim result)",
			 path);
		H5Fclose(f);
		return BSIM_EPARSE;
	}
	mt = H5Tcopy(H5T_C_S1);
	H5Tset_size(mt, H5T_VARIABLE);
	H5Tset_cset(mt, H5T_CSET_UTF8);
	t = H5Dget_type(d);
	if (H5Tis_variable_str(t) <= 0 ||
	    H5Dread(d, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, &v) < 0 || !v) {
		snprintf(err, errlen, "%s: /scenario is not a text", path);
		rc = BSIM_EPARSE;
	} else {
		*text = strdup(v);
		if (!*text)
			rc = BSIM_ENOMEM;
		H5free_memory(v);
	}
	H5Tclose(t);
	H5Tclose(mt);
	H5Dclose(d);
	H5Fclose(f);
	return rc;
}
