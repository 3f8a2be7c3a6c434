/* SPDX-License-Identifier: MIT */
/*
 * Constraint and --filter expressions over a run's parameters (grammar in
 * sweep.h): a recursive-descent parser into a small tree, evaluated per
 * run. Expressions are short and runs number in the thousands, so nothing
 * here is tuned.
 */
#include <blocsim/error.h>
#include <blocsim/sweep.h>

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum kind { K_OR, K_AND, K_NOT, K_CMP, K_NAME, K_NUM, K_TEXT };
enum cmp { C_EQ, C_NE, C_LT, C_LE, C_GT, C_GE };

struct bsim_expr {
	enum kind kind;
	enum cmp cmp;
	struct bsim_expr *a, *b;
	char *text; /* Name, number text or string. */
};

struct parser {
	const char *s, *p;
	const char *where;
	struct bsim_cfg_err *err;
	int failed;
};

static struct bsim_expr *node(enum kind k, struct bsim_expr *a,
			      struct bsim_expr *b)
{
	struct bsim_expr *e = calloc(1, sizeof(*e));

	if (!e)
		bsim_fatal(BSIM_LOC, "out of memory");
	e->kind = k;
	e->a = a;
	e->b = b;
	return e;
}

void bsim_expr_destroy(struct bsim_expr *e)
{
	if (!e)
		return;
	bsim_expr_destroy(e->a);
	bsim_expr_destroy(e->b);
	free(e->text);
	free(e);
}

static struct bsim_expr *fail(struct parser *ps, const char *what)
{
	if (!ps->failed)
		snprintf(ps->err->msg, sizeof(ps->err->msg),
			 "%s: column %d: %s", ps->where,
			 (int)(ps->p - ps->s) + 1, what);
	ps->failed = 1;
	return NULL;
}

static void skip(struct parser *ps)
{
	while (isspace((unsigned char)*ps->p))
		ps->p++;
}

static int accept(struct parser *ps, const char *tok)
{
	size_t n = strlen(tok);

	skip(ps);
	if (strncmp(ps->p, tok, n))
		return 0;
	ps->p += n;
	return 1;
}

static struct bsim_expr *parse_or(struct parser *ps);

static struct bsim_expr *operand(struct parser *ps)
{
	const char *start;
	struct bsim_expr *e;

	skip(ps);
	start = ps->p;
	if (*ps->p == '\'' || *ps->p == '"') {
		char q = *ps->p++;
		const char *end = strchr(ps->p, q);

		if (!end) {
			ps->p = start;
			return fail(ps, "unterminated string");
		}
		e = node(K_TEXT, NULL, NULL);
		e->text = strndup(ps->p, (size_t)(end - ps->p));
		ps->p = end + 1;
		return e;
	}
	if (isdigit((unsigned char)*ps->p) ||
	    ((*ps->p == '-' || *ps->p == '.') &&
	     isdigit((unsigned char)ps->p[1]))) {
		char *end;

		strtod(ps->p, &end);
		e = node(K_NUM, NULL, NULL);
		e->text = strndup(ps->p, (size_t)(end - ps->p));
		ps->p = end;
		return e;
	}
	if (isalpha((unsigned char)*ps->p) || *ps->p == '_') {
		while (isalnum((unsigned char)*ps->p) || *ps->p == '_' ||
		       *ps->p == '.' || *ps->p == '-')
			ps->p++;
		e = node(K_NAME, NULL, NULL);
		e->text = strndup(start, (size_t)(ps->p - start));
		return e;
	}
	return fail(ps, *ps->p ? "expected a name, a number or a string"
			       : "unexpected end of expression");
}

static struct bsim_expr *unary(struct parser *ps)
{
	static const struct {
		const char *tok;
		enum cmp cmp;
	} ops[] = { { "==", C_EQ }, { "!=", C_NE }, { "<=", C_LE },
		    { ">=", C_GE }, { "<", C_LT },  { ">", C_GT } };
	struct bsim_expr *a, *b;

	if (accept(ps, "!")) {
		a = unary(ps);
		return a ? node(K_NOT, a, NULL) : NULL;
	}
	if (accept(ps, "(")) {
		a = parse_or(ps);
		if (!a)
			return NULL;
		if (!accept(ps, ")")) {
			bsim_expr_destroy(a);
			return fail(ps, "expected ')'");
		}
		return a;
	}
	a = operand(ps);
	if (!a)
		return NULL;
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (accept(ps, ops[i].tok)) {
			struct bsim_expr *c;

			b = operand(ps);
			if (!b) {
				bsim_expr_destroy(a);
				return NULL;
			}
			c = node(K_CMP, a, b);
			c->cmp = ops[i].cmp;
			return c;
		}
	return a;
}

/* A left-associative chain `sub (tok sub)*` of nodes of kind k. */
static struct bsim_expr *chain(struct parser *ps, const char *tok, enum kind k,
			       struct bsim_expr *(*sub)(struct parser *))
{
	struct bsim_expr *a = sub(ps);

	while (a && accept(ps, tok)) {
		struct bsim_expr *b = sub(ps);

		if (!b) {
			bsim_expr_destroy(a);
			return NULL;
		}
		a = node(k, a, b);
	}
	return a;
}

static struct bsim_expr *parse_and(struct parser *ps)
{
	return chain(ps, "&&", K_AND, unary);
}

static struct bsim_expr *parse_or(struct parser *ps)
{
	return chain(ps, "||", K_OR, parse_and);
}

int bsim_expr_parse(const char *text, const char *where, struct bsim_expr **out,
		    struct bsim_cfg_err *err)
{
	struct parser ps = { text, text, where, err, 0 };
	struct bsim_expr *e = parse_or(&ps);

	if (e) {
		skip(&ps);
		if (*ps.p) {
			bsim_expr_destroy(e);
			e = fail(&ps, "unexpected text after the expression");
		}
	}
	if (!e)
		return BSIM_EPARSE;
	*out = e;
	return 0;
}

/* The text of an operand for this run, or NULL (err filled). */
static const char *value_of(const struct bsim_expr *e,
			    const struct bsim_run *run, char *buf, size_t n,
			    struct bsim_cfg_err *err)
{
	if (e->kind != K_NAME)
		return e->text;
	if (!strcmp(e->text, "replication")) {
		snprintf(buf, n, "%llu", (unsigned long long)run->replication);
		return buf;
	}
	for (size_t i = 0; i < run->nparams; i++)
		if (!strcmp(run->params[i].name, e->text))
			return run->params[i].value;
	snprintf(err->msg, sizeof(err->msg),
		 "'%s' is not a parameter of this sweep", e->text);
	return NULL;
}

static int number(const char *s, double *v)
{
	char *end;

	errno = 0;
	*v = strtod(s, &end);
	return *s && !*end && !errno && isfinite(*v);
}

int bsim_expr_eval(const struct bsim_expr *e, const struct bsim_run *run,
		   struct bsim_cfg_err *err)
{
	char ba[32], bb[32];
	const char *x, *y;
	double u, v;
	int l, r, c;

	switch (e->kind) {
	case K_OR:
	case K_AND:
		l = bsim_expr_eval(e->a, run, err);
		if (l < 0 || (e->kind == K_OR ? l == 1 : l == 0))
			return l;
		return bsim_expr_eval(e->b, run, err);
	case K_NOT:
		l = bsim_expr_eval(e->a, run, err);
		return l < 0 ? l : !l;
	case K_CMP:
		x = value_of(e->a, run, ba, sizeof(ba), err);
		y = value_of(e->b, run, bb, sizeof(bb), err);
		if (!x || !y)
			return BSIM_ENOTFOUND;
		if (number(x, &u) && number(y, &v))
			c = u < v ? -1 : u > v;
		else
			c = strcmp(x, y) < 0 ? -1 : strcmp(x, y) > 0;
		switch (e->cmp) {
		case C_EQ:
			return c == 0;
		case C_NE:
			return c != 0;
		case C_LT:
			return c < 0;
		case C_LE:
			return c <= 0;
		case C_GT:
			return c > 0;
		case C_GE:
			return c >= 0;
		}
		return 0;
	default:
		x = value_of(e, run, ba, sizeof(ba), err);
		if (!x)
			return BSIM_ENOTFOUND;
		r = number(x, &u) ? u != 0 : *x != '\0';
		return r;
	}
}
