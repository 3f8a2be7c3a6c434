/* SPDX-License-Identifier: MIT */
/*
 * Scenario key tables: each section of the scenario language declares its
 * keys once, as an array of struct bsim__key (name, type and unit, range,
 * default, help, source, struct field). From that one declaration come
 *   - the loader: bsim__keys_read() checks the mapping's keys, sets every
 *     absent key to its default and reads every present scalar key with its
 *     range, into the struct field at `offset`;
 *   - `blocsim check`'s summary of non-default values;
 *   - the key tables of scenarios/README.md (`blocsim check --keys`; a test
 *     fails when the README and the tables disagree).
 * Keys whose value is not a scalar (shares by name, lists, references) are
 * declared with type BSIM__KEY_CUSTOM: they appear in the allowed keys and
 * the documentation, and the section's loader reads them by hand.
 *
 * Private to io/.
 */
#ifndef BSIM_IO_KEYS_H
#define BSIM_IO_KEYS_H

#include <blocsim/cfg.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum bsim__key_type {
	BSIM__KEY_DOUBLE, /* double field; lo..hi, default def. */
	BSIM__KEY_U64,	  /* uint64_t field; ulo..uhi, default udef. */
	BSIM__KEY_U32,	  /* uint32_t field; ulo..uhi <= UINT32_MAX. */
	BSIM__KEY_U8,	  /* uint8_t field; ulo..uhi <= 255. */
	BSIM__KEY_BOOL,	  /* bool field; default def != 0. */
	BSIM__KEY_CHOICE, /* uint8_t field: index into choices[]; default
			     udef (an index). */
	BSIM__KEY_CUSTOM, /* Declared only: read by the section's loader. */
};

struct bsim__key {
	const char *name; /* Key within its section. */
	enum bsim__key_type type;
	size_t offset, size;	    /* Field in the section's struct. */
	const char *unit;	    /* "s", "tx/s", "" for none. */
	double lo, hi;		    /* BSIM__KEY_DOUBLE range, inclusive. */
	uint64_t ulo, uhi;	    /* Integer range, inclusive. */
	double def;		    /* Default: doubles and booleans. */
	uint64_t udef;		    /* Default: integers and choices. */
	bool required;		    /* Absent is an error. */
	const char *const *choices; /* BSIM__KEY_CHOICE: NULL-terminated. */
	const char *deftext;	    /* Default as documented when it is not
				       a plain value (CUSTOM, "the file's
				       stem"); NULL: formatted from def. */
	const char *help;	    /* What it means (README). */
	const char *source;	    /* "[K-...]", "TS ...", "[assumption]",
				       or NULL for a pure setting. */
};

/* One section of the scenario language: `path` as written in the README
 * ("run", "operators.X", "classes.X"). */
struct bsim__key_section {
	const char *path;
	const struct bsim__key *keys;
	size_t nkeys;
};

#define BSIM__FIELD(S, f) .offset = offsetof(S, f), .size = sizeof(((S *)0)->f)

/* Declarations, one per key type. */
#define BSIM__KEY_D(S, f, k, u, l, h, d, src, txt)                             \
	{                                                                      \
		.name = k, .type = BSIM__KEY_DOUBLE, BSIM__FIELD(S, f),        \
		.unit = u, .lo = l, .hi = h, .def = d, .source = src,          \
		.help = txt                                                    \
	}
#define BSIM__KEY_DREQ(S, f, k, u, l, h, txt)                                  \
	{                                                                      \
		.name = k, .type = BSIM__KEY_DOUBLE, BSIM__FIELD(S, f),        \
		.unit = u, .lo = l, .hi = h, .required = true, .help = txt     \
	}
#define BSIM__KEY_UINT(T, S, f, k, u, l, h, d, src, txt)                       \
	{                                                                      \
		.name = k, .type = T, BSIM__FIELD(S, f), .unit = u, .ulo = l,  \
		.uhi = h, .udef = d, .source = src, .help = txt                \
	}
#define BSIM__KEY_B(S, f, k, d, src, txt)                                      \
	{                                                                      \
		.name = k, .type = BSIM__KEY_BOOL, BSIM__FIELD(S, f),          \
		.unit = "", .def = d, .source = src, .help = txt               \
	}
#define BSIM__KEY_C(S, f, k, ch, d, src, txt)                                  \
	{                                                                      \
		.name = k, .type = BSIM__KEY_CHOICE, BSIM__FIELD(S, f),        \
		.unit = "", .choices = ch, .udef = d, .source = src,           \
		.help = txt                                                    \
	}
#define BSIM__KEY_X(k, req, dtxt, src, txt)                                    \
	{                                                                      \
		.name = k, .type = BSIM__KEY_CUSTOM, .unit = "",               \
		.required = req, .deftext = dtxt, .source = src, .help = txt   \
	}

/*
 * Check that every key of mapping @p map is declared in @p tab (@p n
 * entries), set every declared scalar field of @p obj to its default and
 * read every present one, with its type and range; a missing required
 * scalar is an error. CUSTOM keys are left to the caller.
 * @return 0, or BSIM_EPARSE with @p err naming the key's location.
 */
int bsim__keys_read(const struct bsim__key *tab, size_t n,
		    const struct bsim_cfg_node *map, void *obj,
		    struct bsim_cfg_err *err);

/* Set every scalar field of @p obj to its default (for objects built
 * without a mapping). */
void bsim__keys_defaults(const struct bsim__key *tab, size_t n, void *obj);

/* The entry named @p name, or NULL. */
const struct bsim__key *bsim__keys_find(const struct bsim__key *tab, size_t n,
					const char *name);

/* Write @p k's value in @p obj as text ("15 s", "true", "exponential")
 * into @p buf; CUSTOM keys give "". */
void bsim__key_format(const struct bsim__key *k, const void *obj, char *buf,
		      size_t len);

/* True when @p obj holds @p k's default (CUSTOM keys: true). */
bool bsim__key_is_default(const struct bsim__key *k, const void *obj);

/* Print " key=value unit, ..." for every scalar key of @p obj that differs
 * from its default. */
void bsim__keys_print_set(FILE *f, const struct bsim__key *tab, size_t n,
			  const void *obj);

/* The sections of the scenario language that have key tables, in README
 * order; *n receives their number. */
const struct bsim__key_section *bsim__scenario_sections(size_t *n);

/* Write the Markdown key table of every section (scenarios/README.md
 * holds the same text between its `<!-- keys -->` markers). */
void bsim__keys_markdown(FILE *f);

#endif /* BSIM_IO_KEYS_H */
