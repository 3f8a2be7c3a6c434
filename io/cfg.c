/* SPDX-License-Identifier: MIT */
/*
 * The scenario language's document layer (see cfg.h): YAML is read through
 * libfyaml's event parser into a tree of our own, because the tree must
 * survive merging nodes from several files (`extends`) and overrides while
 * each node keeps its own file, line, column and key path for messages.
 * Documents are small (kilobytes); clarity wins over speed here.
 *
 * Not supported, each with a clear error: anchors and aliases, non-scalar
 * keys, duplicate keys, several documents in one file.
 */
#include <blocsim/cfg.h>
#include <blocsim/civil.h>
#include <blocsim/error.h>

#include <libfyaml.h>

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_EXTENDS_DEPTH 16

struct bsim_cfg {
	struct bsim_cfg_node *root;
	char **files; /* Names that nodes point to. */
	size_t nfiles;
};

static char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = malloc(n);

	if (!d)
		bsim_fatal(BSIM_LOC, "out of memory");
	return memcpy(d, s, n);
}

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		bsim_fatal(BSIM_LOC, "out of memory");
	return p;
}

static const char *intern_file(struct bsim_cfg *c, const char *name)
{
	for (size_t i = 0; i < c->nfiles; i++)
		if (!strcmp(c->files[i], name))
			return c->files[i];
	c->files = xrealloc(c->files, (c->nfiles + 1) * sizeof(*c->files));
	return c->files[c->nfiles++] = xstrdup(name);
}

static void node_free(struct bsim_cfg_node *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->n; i++) {
		node_free(n->child[i]);
		if (n->keys)
			free(n->keys[i]);
	}
	free(n->keys);
	free(n->child);
	free(n->path);
	free(n->text);
	free(n);
}

static struct bsim_cfg_node *node_new(enum bsim_cfg_kind kind, const char *file,
				      int line, int col)
{
	struct bsim_cfg_node *n = calloc(1, sizeof(*n));

	if (!n)
		bsim_fatal(BSIM_LOC, "out of memory");
	n->kind = kind;
	n->file = file;
	n->line = line;
	n->col = col;
	n->path = xstrdup("");
	return n;
}

/* The key path of child `key` (or item `index` when key is NULL). */
static char *child_path(const char *parent, const char *key, size_t index)
{
	size_t n = strlen(parent) + (key ? strlen(key) : 24) + 4;
	char *p = malloc(n);

	if (!p)
		bsim_fatal(BSIM_LOC, "out of memory");
	if (key)
		snprintf(p, n, "%s%s%s", parent, *parent ? "." : "", key);
	else
		snprintf(p, n, "%s[%zu]", parent, index);
	return p;
}

/* The path of the next child of collection p (under `key` in a map). */
static char *next_path(const struct bsim_cfg_node *p, const char *key)
{
	return child_path(p->path, p->kind == BSIM_CFG_MAP ? key : NULL, p->n);
}

/* Give a subtree the paths it has under `path`. */
static void repath(struct bsim_cfg_node *n, const char *path)
{
	free(n->path);
	n->path = xstrdup(path);
	for (size_t i = 0; i < n->n; i++) {
		char *p = child_path(
			path, n->kind == BSIM_CFG_MAP ? n->keys[i] : NULL, i);

		repath(n->child[i], p);
		free(p);
	}
}

static void append_child(struct bsim_cfg_node *parent, char *key,
			 struct bsim_cfg_node *child)
{
	if (!child->kline) {
		child->kline = child->line;
		child->kcol = child->col;
	}
	parent->child = xrealloc(parent->child,
				 (parent->n + 1) * sizeof(*parent->child));
	if (parent->kind == BSIM_CFG_MAP)
		parent->keys = xrealloc(
			parent->keys, (parent->n + 1) * sizeof(*parent->keys));
	if (parent->kind == BSIM_CFG_MAP)
		parent->keys[parent->n] = key;
	parent->child[parent->n++] = child;
}

static int vfail(const char *file, int line, int col, const char *path,
		 struct bsim_cfg_err *err, const char *fmt, va_list ap)
{
	int k;

	if (line > 0)
		k = snprintf(err->msg, sizeof(err->msg), "%s:%d:%d: %s: ", file,
			     line, col, *path ? path : "(top level)");
	else
		k = snprintf(err->msg, sizeof(err->msg), "%s: %s: ", file,
			     *path ? path : "(top level)");
	if (k >= 0 && (size_t)k < sizeof(err->msg))
		vsnprintf(err->msg + k, sizeof(err->msg) - (size_t)k, fmt, ap);
	return BSIM_EPARSE;
}

int bsim_cfg_fail(const struct bsim_cfg_node *n, struct bsim_cfg_err *err,
		  const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vfail(n->file, n->line, n->col, n->path, err, fmt, ap);
	va_end(ap);
	return rc;
}

static int fail_at(const char *file, int line, int col, const char *path,
		   struct bsim_cfg_err *err, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vfail(file, line, col, path, err, fmt, ap);
	va_end(ap);
	return rc;
}

/* libfyaml's diagnostics, kept instead of printed. */
struct diag_buf {
	char text[512];
	size_t len;
};

static void diag_out(struct fy_diag *diag, void *user, const char *buf,
		     size_t len)
{
	struct diag_buf *d = user;

	(void)diag;
	if (d->len + 1 < sizeof(d->text)) {
		size_t k = sizeof(d->text) - d->len - 1;

		k = len < k ? len : k;
		memcpy(d->text + d->len, buf, k);
		d->len += k;
		d->text[d->len] = '\0';
	}
}

/* The parser's own message, trimmed to its first line. */
static int parse_error(struct diag_buf *d, const char *name,
		       struct bsim_cfg_err *err)
{
	char *nl = strchr(d->text, '\n');

	if (nl)
		*nl = '\0';
	if (d->len == 0)
		snprintf(err->msg, sizeof(err->msg), "%s: not valid YAML",
			 name);
	else
		snprintf(err->msg, sizeof(err->msg), "%s", d->text);
	return BSIM_EPARSE;
}

/*
 * Parse one YAML document (the file `name`, or `text` when not NULL) into
 * a tree. Overrides pass positions = false: a column inside "--set" text
 * would only mislead.
 */
static int parse(struct bsim_cfg *c, const char *name, const char *text,
		 bool positions, struct bsim_cfg_node **out,
		 struct bsim_cfg_err *err)
{
	struct diag_buf dbuf = { .len = 0 };
	struct fy_diag_cfg dcfg;
	struct fy_parse_cfg pcfg = { .flags =
					     FYPCF_QUIET | FYPCF_COLLECT_DIAG };
	struct fy_parser *fyp;
	struct fy_diag *diag;
	struct fy_event *ev;
	const char *file = intern_file(c, name);
	/* Open collections, and for mappings the key awaiting its value. */
	struct {
		struct bsim_cfg_node *node;
		char *key;
		int key_line, key_col;
	} stack[64];
	int depth = -1, rc = 0, docs = 0;
	struct bsim_cfg_node *root = NULL;

	fy_diag_cfg_default(&dcfg);
	dcfg.fp = NULL;
	dcfg.output_fn = diag_out;
	dcfg.user = &dbuf;
	dcfg.colorize = false;
	diag = fy_diag_create(&dcfg);
	if (!diag)
		bsim_fatal(BSIM_LOC, "out of memory");
	pcfg.diag = diag;
	fyp = fy_parser_create(&pcfg);
	if (!fyp)
		bsim_fatal(BSIM_LOC, "out of memory");
	if (!text) {
		/* libfyaml opens lazily; a missing file must say so. */
		FILE *f = fopen(name, "r");

		if (!f) {
			snprintf(err->msg, sizeof(err->msg),
				 "%s: cannot read: %s", name, strerror(errno));
			rc = BSIM_EIO;
			goto out;
		}
		fclose(f);
	}
	if (text ? fy_parser_set_string(fyp, text, strlen(text))
		 : fy_parser_set_input_file(fyp, name)) {
		snprintf(err->msg, sizeof(err->msg), "%s: cannot read: %s",
			 name, strerror(errno));
		rc = BSIM_EIO;
		goto out;
	}
	while (rc == 0 && (ev = fy_parser_parse(fyp))) {
		const struct fy_mark *m = fy_event_start_mark(ev);
		int line = m ? m->line + 1 : 0, col = m ? m->column + 1 : 0;
		struct bsim_cfg_node *n = NULL;
		const char *ppath = depth >= 0 ? stack[depth].node->path : "";

		if (!positions)
			line = col = 0;
		switch (ev->type) {
		case FYET_DOCUMENT_START:
			if (++docs > 1)
				rc = fail_at(file, line, col, "", err,
					     "only one YAML document per file");
			break;
		case FYET_ALIAS:
			rc = fail_at(file, line, col, ppath, err,
				     "anchors and aliases are not supported");
			break;
		case FYET_SCALAR:
			if (ev->scalar.anchor) {
				rc = fail_at(file, line, col, ppath, err,
					     "anchors and aliases are not "
					     "supported");
				break;
			}
			if (depth >= 0 &&
			    stack[depth].node->kind == BSIM_CFG_MAP &&
			    !stack[depth].key) {
				const char *k =
					fy_token_get_text0(ev->scalar.value);

				if (bsim_cfg_get(stack[depth].node, k)) {
					char *p = child_path(ppath, k, 0);

					rc = fail_at(file, line, col, p, err,
						     "duplicate key");
					free(p);
					break;
				}
				stack[depth].key = xstrdup(k);
				stack[depth].key_line = line;
				stack[depth].key_col = col;
				break;
			}
			n = node_new(BSIM_CFG_SCALAR, file, line, col);
			n->text = xstrdup(fy_token_get_text0(ev->scalar.value));
			n->quoted = fy_token_scalar_style(ev->scalar.value) !=
				    FYSS_PLAIN;
			/* libfyaml marks a quoted scalar after its quote. */
			if (n->quoted && n->col > 1)
				n->col--;
			break;
		case FYET_MAPPING_START:
		case FYET_SEQUENCE_START:
			if (depth >= 0 &&
			    stack[depth].node->kind == BSIM_CFG_MAP &&
			    !stack[depth].key) {
				rc = fail_at(file, line, col, ppath, err,
					     "keys must be plain scalars");
				break;
			}
			if (depth + 1 ==
			    (int)(sizeof(stack) / sizeof(stack[0]))) {
				rc = fail_at(file, line, col, ppath, err,
					     "nested too deeply");
				break;
			}
			n = node_new(ev->type == FYET_MAPPING_START
					     ? BSIM_CFG_MAP
					     : BSIM_CFG_SEQ,
				     file, line, col);
			break;
		case FYET_MAPPING_END:
		case FYET_SEQUENCE_END:
			n = stack[depth--].node;
			if (depth < 0) {
				root = n;
				n = NULL;
			} else {
				/* Attach the finished collection now. */
				goto attach;
			}
			break;
		default:
			break;
		}
		if (!n || rc)
			goto next;
		if (n->kind != BSIM_CFG_SCALAR) {
			/* Paths are known once attached; push it open. */
			if (depth >= 0) {
				const struct bsim_cfg_node *p =
					stack[depth].node;

				free(n->path);
				n->path = next_path(p, stack[depth].key);
				if (p->kind == BSIM_CFG_MAP) {
					n->line = stack[depth].key_line;
					n->col = stack[depth].key_col;
				}
			}
			stack[++depth].node = n;
			stack[depth].key = NULL;
			goto next;
		}
		if (depth < 0) {
			root = n;
			goto next;
		}
	attach : {
		struct bsim_cfg_node *p = stack[depth].node;

		if (n->kind == BSIM_CFG_SCALAR) {
			free(n->path);
			n->path = next_path(p, stack[depth].key);
		}
		if (p->kind == BSIM_CFG_MAP) {
			n->kline = stack[depth].key_line;
			n->kcol = stack[depth].key_col;
		}
		append_child(p,
			     p->kind == BSIM_CFG_MAP ? stack[depth].key : NULL,
			     n);
		stack[depth].key = NULL;
	}
	next:
		fy_parser_event_free(fyp, ev);
	}
	if (rc == 0 && fy_parser_get_stream_error(fyp))
		rc = parse_error(&dbuf, name, err);
out:
	if (rc) {
		/* Open collections are attached only when they close. */
		while (depth >= 0) {
			free(stack[depth].key);
			node_free(stack[depth].node);
			depth--;
		}
		node_free(root);
		root = NULL;
	}
	fy_parser_destroy(fyp);
	fy_diag_destroy(diag);
	if (rc == 0 && !root)
		root = node_new(BSIM_CFG_MAP, file, 1, 1);
	*out = root;
	return rc;
}

/* Detach and return map[key] (NULL if absent). */
static struct bsim_cfg_node *take(struct bsim_cfg_node *map, const char *key)
{
	for (size_t i = 0; i < map->n; i++) {
		if (strcmp(map->keys[i], key))
			continue;
		struct bsim_cfg_node *v = map->child[i];

		free(map->keys[i]);
		memmove(map->keys + i, map->keys + i + 1,
			(map->n - i - 1) * sizeof(*map->keys));
		memmove(map->child + i, map->child + i + 1,
			(map->n - i - 1) * sizeof(*map->child));
		map->n--;
		return v;
	}
	return NULL;
}

/* Deep-merge src onto dst (both mappings); src's nodes move into dst and
 * src itself is freed. */
static void merge(struct bsim_cfg_node *dst, struct bsim_cfg_node *src)
{
	for (size_t i = 0; i < src->n; i++) {
		struct bsim_cfg_node *s = src->child[i], *d = NULL;
		size_t j;

		for (j = 0; j < dst->n; j++)
			if (!strcmp(dst->keys[j], src->keys[i])) {
				d = dst->child[j];
				break;
			}
		if (s->kind == BSIM_CFG_SCALAR && !s->quoted &&
		    (!strcmp(s->text, "null") || !strcmp(s->text, "~"))) {
			/* `key: null` removes an inherited key (a variant
			 * without the base's blocs, say). */
			node_free(s);
			if (d)
				node_free(take(dst, src->keys[i]));
		} else if (d && d->kind == BSIM_CFG_MAP &&
			   s->kind == BSIM_CFG_MAP) {
			merge(d, s); /* Frees s. */
		} else if (d) {
			node_free(d);
			dst->child[j] = s;
		} else {
			append_child(dst, xstrdup(src->keys[i]), s);
		}
		free(src->keys[i]);
	}
	src->n = 0;
	free(src->keys);
	free(src->child);
	src->keys = NULL;
	src->child = NULL;
	free(src->path);
	free(src);
}

static int load_file(struct bsim_cfg *c, const char *path, int depth,
		     struct bsim_cfg_node **out, struct bsim_cfg_err *err)
{
	struct bsim_cfg_node *doc, *ext, *base;
	char *base_path;
	const char *slash;
	int rc = parse(c, path, NULL, true, &doc, err);

	if (rc)
		return rc;
	if (doc->kind != BSIM_CFG_MAP) {
		rc = bsim_cfg_fail(doc, err, "a scenario is a mapping of keys");
		node_free(doc);
		return rc;
	}
	ext = take(doc, "extends");
	if (!ext) {
		*out = doc;
		return 0;
	}
	if (ext->kind != BSIM_CFG_SCALAR || !*ext->text) {
		rc = bsim_cfg_fail(ext, err, "expected a file name");
		goto fail;
	}
	if (depth >= MAX_EXTENDS_DEPTH) {
		rc = bsim_cfg_fail(ext, err,
				   "extends nested deeper than %d files (a "
				   "cycle?)",
				   MAX_EXTENDS_DEPTH);
		goto fail;
	}
	/* Relative to the extending file's folder. */
	slash = strrchr(path, '/');
	if (ext->text[0] == '/' || !slash) {
		base_path = xstrdup(ext->text);
	} else {
		size_t n = (size_t)(slash - path) + strlen(ext->text) + 2;

		base_path = malloc(n);
		if (!base_path)
			bsim_fatal(BSIM_LOC, "out of memory");
		snprintf(base_path, n, "%.*s/%s", (int)(slash - path), path,
			 ext->text);
	}
	rc = load_file(c, base_path, depth + 1, &base, err);
	if (rc == BSIM_EIO) {
		/* Blame the line that names the missing file. */
		struct bsim_cfg_err inner = *err;

		bsim_cfg_fail(ext, err, "%s", inner.msg);
	}
	free(base_path);
	if (rc)
		goto fail;
	merge(base, doc);
	node_free(ext);
	*out = base;
	return 0;

fail:
	node_free(ext);
	node_free(doc);
	return rc;
}

int bsim_cfg_load(const char *path, struct bsim_cfg **out,
		  struct bsim_cfg_err *err)
{
	struct bsim_cfg *c = calloc(1, sizeof(*c));
	int rc;

	if (!c)
		return BSIM_ENOMEM;
	rc = load_file(c, path, 0, &c->root, err);
	if (rc) {
		bsim_cfg_destroy(c);
		return rc;
	}
	*out = c;
	return 0;
}

int bsim_cfg_load_string(const char *text, const char *name,
			 struct bsim_cfg **out, struct bsim_cfg_err *err)
{
	struct bsim_cfg *c = calloc(1, sizeof(*c));
	int rc;

	if (!c)
		return BSIM_ENOMEM;
	rc = parse(c, name, text, true, &c->root, err);
	if (rc == 0 && c->root->kind != BSIM_CFG_MAP)
		rc = bsim_cfg_fail(c->root, err, "expected a mapping of keys");
	if (rc) {
		bsim_cfg_destroy(c);
		return rc;
	}
	*out = c;
	return 0;
}

void bsim_cfg_destroy(struct bsim_cfg *c)
{
	if (!c)
		return;
	node_free(c->root);
	for (size_t i = 0; i < c->nfiles; i++)
		free(c->files[i]);
	free(c->files);
	free(c);
}

const struct bsim_cfg_node *bsim_cfg_root(const struct bsim_cfg *c)
{
	return c->root;
}

const struct bsim_cfg_node *bsim_cfg_get(const struct bsim_cfg_node *map,
					 const char *key)
{
	if (!map || map->kind != BSIM_CFG_MAP)
		return NULL;
	for (size_t i = 0; i < map->n; i++)
		if (!strcmp(map->keys[i], key))
			return map->child[i];
	return NULL;
}

/* map[key] = value, in place when the key exists (order is kept). */
static void set_child(struct bsim_cfg_node *map, const char *key,
		      struct bsim_cfg_node *value)
{
	for (size_t i = 0; i < map->n; i++)
		if (!strcmp(map->keys[i], key)) {
			node_free(map->child[i]);
			map->child[i] = value;
			return;
		}
	append_child(map, xstrdup(key), value);
}

int bsim_cfg_override(struct bsim_cfg *c, const char *assignment, int index,
		      struct bsim_cfg_err *err)
{
	char where[32], *spec = xstrdup(assignment), *eq = strchr(spec, '=');
	char *key, *save = NULL, *next;
	struct bsim_cfg_node *map = c->root, *value;
	const char *file;
	int rc = 0;

	snprintf(where, sizeof(where), "--set #%d", index);
	file = intern_file(c, where);
	if (!eq || eq == spec) {
		rc = fail_at(file, 0, 0, spec, err,
			     "expected PATH=VALUE, e.g. "
			     "operators.DT-DE.hss_capacity_per_s=2000");
		goto out;
	}
	*eq = '\0';
	for (key = strtok_r(spec, ".", &save); key; key = next) {
		struct bsim_cfg_node *child;

		next = strtok_r(NULL, ".", &save);
		if (next == NULL)
			break;
		child = (struct bsim_cfg_node *)bsim_cfg_get(map, key);
		if (!child || child->kind != BSIM_CFG_MAP) {
			char *p = child_path(map->path, key, 0);

			rc = fail_at(file, 0, 0, p, err,
				     child ? "is not a mapping, cannot set "
					     "keys inside it"
					   : "no such key in the scenario");
			free(p);
			goto out;
		}
		map = child;
	}
	if (!key) {
		rc = fail_at(file, 0, 0, "", err, "empty key path");
		goto out;
	}
	{
		struct bsim_cfg *tmp = calloc(1, sizeof(*tmp));
		size_t vlen = strlen(eq + 1) + 8;
		char *doc = malloc(vlen);
		char *p;

		if (!tmp || !doc)
			bsim_fatal(BSIM_LOC, "out of memory");
		/* Parse "v: VALUE" so that any YAML value reads as in a file. */
		snprintf(doc, vlen, "v: %s", eq + 1);
		rc = parse(c, file, doc, false, &tmp->root, err);
		free(doc);
		if (rc) {
			p = child_path(map->path, key, 0);
			{
				struct bsim_cfg_err inner = *err;

				rc = fail_at(file, 0, 0, p, err,
					     "bad value: %s", inner.msg);
			}
			free(p);
			free(tmp);
			goto out;
		}
		value = take(tmp->root, "v");
		node_free(tmp->root);
		free(tmp);
		if (!value)
			value = node_new(BSIM_CFG_SCALAR, file, 0, 0);
		if (!value->text && value->kind == BSIM_CFG_SCALAR)
			value->text = xstrdup("");
		p = child_path(map->path, key, 0);
		repath(value, p);
		free(p);
		set_child(map, key, value);
	}
out:
	free(spec);
	return rc;
}

int bsim_cfg_check_keys(const struct bsim_cfg_node *map,
			const char *const *allowed, struct bsim_cfg_err *err)
{
	if (map->kind != BSIM_CFG_MAP)
		return bsim_cfg_fail(map, err, "expected a mapping");
	for (size_t i = 0; i < map->n; i++) {
		const char *const *a = allowed;

		while (*a && strcmp(*a, map->keys[i]))
			a++;
		if (!*a) {
			char list[512] = "";
			size_t k = 0;

			for (a = allowed; *a && k < sizeof(list) - 64; a++)
				k += (size_t)snprintf(
					list + k, sizeof(list) - k, "%s%s",
					a == allowed ? "" : ", ", *a);
			return fail_at(
				map->child[i]->file, map->child[i]->kline,
				map->child[i]->kcol, map->child[i]->path, err,
				"unknown key '%s' (expected one of: %s)",
				map->keys[i], list);
		}
	}
	return 0;
}

/* map[key] as a plain scalar, or an error; NULL without error if absent
 * and not required. */
static int scalar_of(const struct bsim_cfg_node *map, const char *key,
		     bool required, const struct bsim_cfg_node **out,
		     struct bsim_cfg_err *err)
{
	const struct bsim_cfg_node *n = bsim_cfg_get(map, key);

	*out = NULL;
	if (!n) {
		if (!required)
			return 0;
		{
			char *p = child_path(map->path, key, 0);
			int rc = fail_at(map->file, map->line, map->col, p, err,
					 "missing required key");

			free(p);
			return rc;
		}
	}
	if (n->kind != BSIM_CFG_SCALAR)
		return bsim_cfg_fail(n, err,
				     "expected a single value, found a "
				     "%s",
				     n->kind == BSIM_CFG_MAP ? "mapping"
							     : "sequence");
	*out = n;
	return 0;
}

int bsim_cfg_u64(const struct bsim_cfg_node *map, const char *key,
		 bool required, uint64_t min, uint64_t max, uint64_t *out,
		 struct bsim_cfg_err *err)
{
	const struct bsim_cfg_node *n;
	unsigned long long v;
	char *end;
	int rc = scalar_of(map, key, required, &n, err);

	if (rc || !n)
		return rc;
	errno = 0;
	v = strtoull(n->text, &end, 10);
	if (n->quoted || !*n->text || *end || n->text[0] == '-' ||
	    n->text[0] == '+' || errno)
		return bsim_cfg_fail(
			n, err, "expected a whole number, got '%s'", n->text);
	if (v < min || v > max)
		return bsim_cfg_fail(
			n, err, "%llu is out of range [%llu, %llu]", v,
			(unsigned long long)min, (unsigned long long)max);
	*out = v;
	return 0;
}

int bsim_cfg_double(const struct bsim_cfg_node *map, const char *key,
		    bool required, double min, double max, double *out,
		    struct bsim_cfg_err *err)
{
	const struct bsim_cfg_node *n;
	double v;
	char *end;
	int rc = scalar_of(map, key, required, &n, err);

	if (rc || !n)
		return rc;
	errno = 0;
	v = strtod(n->text, &end);
	if (n->quoted || !*n->text || *end || errno || !isfinite(v))
		return bsim_cfg_fail(n, err, "expected a number, got '%s'",
				     n->text);
	if (v < min || v > max)
		return bsim_cfg_fail(n, err, "%g is out of range [%g, %g]", v,
				     min, max);
	*out = v;
	return 0;
}

int bsim_cfg_bool(const struct bsim_cfg_node *map, const char *key,
		  bool required, bool *out, struct bsim_cfg_err *err)
{
	const struct bsim_cfg_node *n;
	int rc = scalar_of(map, key, required, &n, err);

	if (rc || !n)
		return rc;
	if (!n->quoted && !strcmp(n->text, "true"))
		*out = true;
	else if (!n->quoted && !strcmp(n->text, "false"))
		*out = false;
	else
		return bsim_cfg_fail(n, err, "expected true or false, got '%s'",
				     n->text);
	return 0;
}

int bsim_cfg_string(const struct bsim_cfg_node *map, const char *key,
		    bool required, const char **out, struct bsim_cfg_err *err)
{
	const struct bsim_cfg_node *n;
	int rc = scalar_of(map, key, required, &n, err);

	if (rc || !n)
		return rc;
	if (!*n->text)
		return bsim_cfg_fail(n, err, "expected a non-empty string");
	*out = n->text;
	return 0;
}

int bsim_cfg_utc(const struct bsim_cfg_node *map, const char *key,
		 bool required, int64_t *unix_s, struct bsim_cfg_err *err)
{
	const struct bsim_cfg_node *n;
	int rc = scalar_of(map, key, required, &n, err);

	if (rc || !n)
		return rc;
	if (bsim_parse_utc(n->text, unix_s))
		return bsim_cfg_fail(n, err,
				     "expected a UTC date-time like "
				     "2026-01-05T00:00:00Z, got '%s'",
				     n->text);
	return 0;
}

int bsim_parse_money_ueur(const char *s, int64_t *out)
{
	const int64_t limit = INT64_MAX / 1000000;
	bool neg = false;
	int64_t whole = 0, frac = 0;
	int digits = 0, fdigits = 0;

	if (*s == '-') {
		neg = true;
		s++;
	}
	for (; *s >= '0' && *s <= '9'; s++, digits++) {
		if (whole > (limit - (*s - '0')) / 10)
			return BSIM_ERANGE;
		whole = whole * 10 + (*s - '0');
	}
	if (*s == '.') {
		for (s++; *s >= '0' && *s <= '9'; s++, fdigits++) {
			if (fdigits == 6)
				return BSIM_ERANGE; /* Finer than a micro-euro. */
			frac = frac * 10 + (*s - '0');
		}
		if (fdigits == 0)
			return BSIM_ERANGE;
	}
	if (*s || digits == 0)
		return BSIM_ERANGE;
	while (fdigits++ < 6)
		frac *= 10;
	if (whole == limit && frac > INT64_MAX % 1000000)
		return BSIM_ERANGE;
	*out = (whole * 1000000 + frac) * (neg ? -1 : 1);
	return 0;
}

int bsim_cfg_money_ueur(const struct bsim_cfg_node *map, const char *key,
			bool required, bool allow_negative, int64_t *out,
			struct bsim_cfg_err *err)
{
	const struct bsim_cfg_node *n;
	int64_t v;
	int rc = scalar_of(map, key, required, &n, err);

	if (rc || !n)
		return rc;
	if (bsim_parse_money_ueur(n->text, &v))
		return bsim_cfg_fail(n, err,
				     "expected an amount in euro with at most "
				     "6 decimals (e.g. 0.35), got '%s'",
				     n->text);
	if (v < 0 && !allow_negative)
		return bsim_cfg_fail(n, err, "amount must not be negative");
	*out = v;
	return 0;
}

/* Would a plain scalar read back as this exact string (and as a string
 * when it was quoted)? */
static bool plain_ok(const char *s, bool quoted)
{
	static const char *const special = "-?:,[]{}#&*!|>'\"%@`";

	/* A leading '-' is plain before a digit: "-300", "-96.797". */
	bool dash =
		s[0] == '-' && (isdigit((unsigned char)s[1]) ||
				(s[1] == '.' && isdigit((unsigned char)s[2])));

	if (!*s || (strchr(special, s[0]) && !dash) || s[0] == ' ' ||
	    s[strlen(s) - 1] == ' ')
		return false;
	if (strstr(s, ": ") || strstr(s, " #") || strchr(s, '\n') ||
	    strchr(s, '\t') || s[strlen(s) - 1] == ':')
		return false;
	if (quoted) {
		/* A quoted string that reads as a number, bool or null must
		 * stay quoted. */
		char *end;

		strtod(s, &end);
		if (!*end || !strcmp(s, "true") || !strcmp(s, "false") ||
		    !strcmp(s, "null") || !strcmp(s, "~"))
			return false;
	}
	return true;
}

struct buf {
	char *p;
	size_t n, cap;
};

static void put(struct buf *b, const char *s, size_t len)
{
	if (b->n + len + 1 > b->cap) {
		b->cap = (b->n + len + 1) * 2;
		b->p = xrealloc(b->p, b->cap);
	}
	memcpy(b->p + b->n, s, len);
	b->n += len;
	b->p[b->n] = '\0';
}

static void puts_(struct buf *b, const char *s)
{
	put(b, s, strlen(s));
}

static void put_scalar(struct buf *b, const char *s, bool quoted)
{
	if (plain_ok(s, quoted)) {
		puts_(b, s);
		return;
	}
	put(b, "\"", 1);
	for (; *s; s++) {
		char esc[8];

		if (*s == '"' || *s == '\\') {
			esc[0] = '\\';
			esc[1] = *s;
			put(b, esc, 2);
		} else if ((unsigned char)*s < 0x20) {
			snprintf(esc, sizeof(esc), "\\x%02x",
				 (unsigned char)*s);
			puts_(b, esc);
		} else {
			put(b, s, 1);
		}
	}
	put(b, "\"", 1);
}

static void indent(struct buf *b, int level)
{
	for (int i = 0; i < level; i++)
		put(b, "  ", 2);
}

static void emit(struct buf *b, const struct bsim_cfg_node *n, int level)
{
	for (size_t i = 0; i < n->n; i++) {
		const struct bsim_cfg_node *c = n->child[i];

		indent(b, level);
		if (n->kind == BSIM_CFG_MAP) {
			put_scalar(b, n->keys[i], false);
			put(b, ":", 1);
		} else {
			put(b, "-", 1);
		}
		if (c->kind == BSIM_CFG_SCALAR) {
			put(b, " ", 1);
			put_scalar(b, c->text, c->quoted);
			put(b, "\n", 1);
		} else if (c->n == 0) {
			puts_(b, c->kind == BSIM_CFG_MAP ? " {}\n" : " []\n");
		} else {
			put(b, "\n", 1);
			emit(b, c, level + 1);
		}
	}
}

char *bsim_cfg_to_yaml(const struct bsim_cfg *c)
{
	struct buf b = { 0 };

	puts_(&b, "");
	emit(&b, c->root, 0);
	return b.p;
}
