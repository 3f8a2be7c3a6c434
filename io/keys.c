/* SPDX-License-Identifier: MIT */
/*
 * The generic side of the scenario key tables (see keys.h): reading a
 * section's mapping into its struct, formatting values, and the README's
 * Markdown. The tables themselves are in scenario_keys.c.
 */
#include "keys.h"

#include <blocsim/error.h>

#include <assert.h>
#include <inttypes.h>
#include <math.h>
#include <string.h>

/* More keys than any section declares (classes: about 40). */
#define KEYS_MAX 96

static void *field(void *obj, const struct bsim__key *k)
{
	return (char *)obj + k->offset;
}

/* A choice is stored in a uint8_t or in an enum (an int). */
static void set_choice(void *obj, const struct bsim__key *k, unsigned v)
{
	if (k->size == sizeof(uint8_t))
		*(uint8_t *)field(obj, k) = (uint8_t)v;
	else
		*(int *)field(obj, k) = (int)v;
}

static unsigned get_choice(const void *obj, const struct bsim__key *k)
{
	const char *p = (const char *)obj + k->offset;

	return k->size == sizeof(uint8_t) ? *(const uint8_t *)p
					  : (unsigned)*(const int *)p;
}

static const void *cfield(const void *obj, const struct bsim__key *k)
{
	return (const char *)obj + k->offset;
}

/* The field's width must be the type's: a table entry declared with the
 * wrong type is a programmer error. */
static void check_size(const struct bsim__key *k)
{
	switch (k->type) {
	case BSIM__KEY_DOUBLE:
		assert(k->size == sizeof(double));
		break;
	case BSIM__KEY_U64:
		assert(k->size == sizeof(uint64_t));
		break;
	case BSIM__KEY_U32:
		assert(k->size == sizeof(uint32_t) && k->uhi <= UINT32_MAX);
		break;
	case BSIM__KEY_U8:
		assert(k->size == sizeof(uint8_t) && k->uhi <= UINT8_MAX);
		break;
	case BSIM__KEY_CHOICE:
		assert(k->size == sizeof(uint8_t) || k->size == sizeof(int));
		break;
	case BSIM__KEY_BOOL:
		assert(k->size == sizeof(bool));
		break;
	case BSIM__KEY_CUSTOM:
		break;
	}
	(void)k;
}

void bsim__keys_defaults(const struct bsim__key *tab, size_t n, void *obj)
{
	for (size_t i = 0; i < n; i++) {
		const struct bsim__key *k = &tab[i];

		check_size(k);
		switch (k->type) {
		case BSIM__KEY_DOUBLE:
			*(double *)field(obj, k) = k->def;
			break;
		case BSIM__KEY_U64:
			*(uint64_t *)field(obj, k) = k->udef;
			break;
		case BSIM__KEY_U32:
			*(uint32_t *)field(obj, k) = (uint32_t)k->udef;
			break;
		case BSIM__KEY_U8:
			*(uint8_t *)field(obj, k) = (uint8_t)k->udef;
			break;
		case BSIM__KEY_CHOICE:
			set_choice(obj, k, (unsigned)k->udef);
			break;
		case BSIM__KEY_BOOL:
			*(bool *)field(obj, k) = k->def != 0;
			break;
		case BSIM__KEY_CUSTOM:
			break;
		}
	}
}

static int read_choice(const struct bsim__key *k,
		       const struct bsim_cfg_node *map, void *obj,
		       struct bsim_cfg_err *err)
{
	const char *s = NULL;
	char list[256] = "";
	int rc = bsim_cfg_string(map, k->name, k->required, &s, err);

	if (rc || !s)
		return rc;
	for (uint8_t c = 0; k->choices[c]; c++) {
		if (!strcmp(s, k->choices[c])) {
			set_choice(obj, k, c);
			return 0;
		}
		if (strlen(list) + strlen(k->choices[c]) + 3 < sizeof(list)) {
			if (c)
				strcat(list, k->choices[c + 1] ? ", " : " or ");
			strcat(list, k->choices[c]);
		}
	}
	return bsim_cfg_fail(bsim_cfg_get(map, k->name), err,
			     "expected %s, got '%s'", list, s);
}

static int read_one(const struct bsim__key *k, const struct bsim_cfg_node *map,
		    void *obj, struct bsim_cfg_err *err)
{
	uint64_t u;
	int rc;

	switch (k->type) {
	case BSIM__KEY_DOUBLE:
		return bsim_cfg_double(map, k->name, k->required, k->lo, k->hi,
				       field(obj, k), err);
	case BSIM__KEY_U64:
		return bsim_cfg_u64(map, k->name, k->required, k->ulo, k->uhi,
				    field(obj, k), err);
	case BSIM__KEY_U32:
		u = *(uint32_t *)field(obj, k);
		if ((rc = bsim_cfg_u64(map, k->name, k->required, k->ulo,
				       k->uhi, &u, err)))
			return rc;
		*(uint32_t *)field(obj, k) = (uint32_t)u;
		return 0;
	case BSIM__KEY_U8:
		u = *(uint8_t *)field(obj, k);
		if ((rc = bsim_cfg_u64(map, k->name, k->required, k->ulo,
				       k->uhi, &u, err)))
			return rc;
		*(uint8_t *)field(obj, k) = (uint8_t)u;
		return 0;
	case BSIM__KEY_BOOL:
		return bsim_cfg_bool(map, k->name, k->required, field(obj, k),
				     err);
	case BSIM__KEY_CHOICE:
		return read_choice(k, map, obj, err);
	case BSIM__KEY_CUSTOM:
		break;
	}
	return 0;
}

int bsim__keys_read(const struct bsim__key *tab, size_t n,
		    const struct bsim_cfg_node *map, void *obj,
		    struct bsim_cfg_err *err)
{
	const char *names[KEYS_MAX + 1];
	int rc;

	assert(n <= KEYS_MAX);
	for (size_t i = 0; i < n; i++)
		names[i] = tab[i].name;
	names[n] = NULL;
	if ((rc = bsim_cfg_check_keys(map, names, err)))
		return rc;
	bsim__keys_defaults(tab, n, obj);
	for (size_t i = 0; i < n; i++)
		if ((rc = read_one(&tab[i], map, obj, err)))
			return rc;
	return 0;
}

const struct bsim__key *bsim__keys_find(const struct bsim__key *tab, size_t n,
					const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(tab[i].name, name))
			return &tab[i];
	return NULL;
}

/* A number as the README writes it: shortest exact form, thousands
 * unseparated ("0.5", "3240", "1e+09"). */
static void number(double v, char *buf, size_t len)
{
	snprintf(buf, len, "%.10g", v);
}

static void value_text(const struct bsim__key *k, double d, uint64_t u,
		       char *buf, size_t len)
{
	switch (k->type) {
	case BSIM__KEY_DOUBLE:
		number(d, buf, len);
		break;
	case BSIM__KEY_U64:
	case BSIM__KEY_U32:
	case BSIM__KEY_U8:
		snprintf(buf, len, "%" PRIu64, u);
		break;
	case BSIM__KEY_BOOL:
		snprintf(buf, len, "%s", d != 0 ? "true" : "false");
		break;
	case BSIM__KEY_CHOICE:
		snprintf(buf, len, "%s", k->choices[u]);
		break;
	case BSIM__KEY_CUSTOM:
		if (len)
			buf[0] = '\0';
		break;
	}
}

void bsim__key_format(const struct bsim__key *k, const void *obj, char *buf,
		      size_t len)
{
	double d = 0;
	uint64_t u = 0;

	switch (k->type) {
	case BSIM__KEY_DOUBLE:
		d = *(const double *)cfield(obj, k);
		break;
	case BSIM__KEY_U64:
		u = *(const uint64_t *)cfield(obj, k);
		break;
	case BSIM__KEY_U32:
		u = *(const uint32_t *)cfield(obj, k);
		break;
	case BSIM__KEY_U8:
		u = *(const uint8_t *)cfield(obj, k);
		break;
	case BSIM__KEY_CHOICE:
		u = get_choice(obj, k);
		break;
	case BSIM__KEY_BOOL:
		d = *(const bool *)cfield(obj, k);
		break;
	case BSIM__KEY_CUSTOM:
		break;
	}
	value_text(k, d, u, buf, len);
}

bool bsim__key_is_default(const struct bsim__key *k, const void *obj)
{
	switch (k->type) {
	case BSIM__KEY_DOUBLE:
		return *(const double *)cfield(obj, k) == k->def;
	case BSIM__KEY_U64:
		return *(const uint64_t *)cfield(obj, k) == k->udef;
	case BSIM__KEY_U32:
		return *(const uint32_t *)cfield(obj, k) == k->udef;
	case BSIM__KEY_U8:
		return *(const uint8_t *)cfield(obj, k) == k->udef;
	case BSIM__KEY_CHOICE:
		return get_choice(obj, k) == k->udef;
	case BSIM__KEY_BOOL:
		return *(const bool *)cfield(obj, k) == (k->def != 0);
	case BSIM__KEY_CUSTOM:
		break;
	}
	return true;
}

void bsim__keys_print_set(FILE *f, const struct bsim__key *tab, size_t n,
			  const void *obj)
{
	const char *sep = " ";
	char buf[64];

	for (size_t i = 0; i < n; i++) {
		const struct bsim__key *k = &tab[i];

		if (k->type == BSIM__KEY_CUSTOM || bsim__key_is_default(k, obj))
			continue;
		bsim__key_format(k, obj, buf, sizeof(buf));
		fprintf(f, "%s%s=%s%s%s", sep, k->name, buf,
			*k->unit ? " " : "", k->unit);
		sep = ", ";
	}
}

/* "double, s, 1..600" and the like. */
static void type_text(const struct bsim__key *k, char *buf, size_t len)
{
	char lo[32], hi[32];
	const char *unit = *k->unit ? k->unit : "";
	const char *sep = *k->unit ? ", " : "";

	switch (k->type) {
	case BSIM__KEY_DOUBLE:
		number(k->lo, lo, sizeof(lo));
		number(k->hi, hi, sizeof(hi));
		snprintf(buf, len, "number%s%s, %s to %s", sep, unit, lo, hi);
		break;
	case BSIM__KEY_U64:
	case BSIM__KEY_U32:
	case BSIM__KEY_U8:
		snprintf(buf, len, "integer%s%s, %" PRIu64 " to %" PRIu64, sep,
			 unit, k->ulo, k->uhi);
		break;
	case BSIM__KEY_BOOL:
		snprintf(buf, len, "boolean");
		break;
	case BSIM__KEY_CHOICE: {
		size_t used = 0;

		buf[0] = '\0';
		for (size_t c = 0; k->choices[c] && used + 1 < len; c++)
			used += (size_t)snprintf(buf + used, len - used,
						 "%s`%s`", c ? ", " : "",
						 k->choices[c]);
		break;
	}
	case BSIM__KEY_CUSTOM:
		snprintf(buf, len, "see meaning");
		break;
	}
}

void bsim__keys_markdown(FILE *f)
{
	size_t ns;
	const struct bsim__key_section *s = bsim__scenario_sections(&ns);

	for (size_t i = 0; i < ns; i++) {
		fprintf(f, "\n#### `%s`\n\n", s[i].path);
		fprintf(f, "| key | type | default | source | meaning |\n");
		fprintf(f, "|---|---|---|---|---|\n");
		for (size_t j = 0; j < s[i].nkeys; j++) {
			const struct bsim__key *k = &s[i].keys[j];
			char type[160], def[64];

			type_text(k, type, sizeof(type));
			if (k->deftext)
				snprintf(def, sizeof(def), "%s", k->deftext);
			else if (k->required)
				snprintf(def, sizeof(def), "required");
			else
				value_text(k, k->def, k->udef, def,
					   sizeof(def));
			fprintf(f, "| `%s` | %s | %s | %s | %s |\n", k->name,
				type, def, k->source ? k->source : "", k->help);
		}
	}
}
