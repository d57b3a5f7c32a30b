// SPDX-License-Identifier: GPL-2.0
/*
 * ccstat-jsoncheck [-s SCHEMA] [-p] FILE...: check that every record
 * ccstat -j printed is JSON (RFC 8259, strict: UTF-8, no duplicate keys)
 * and matches the schema of its "type" in tests/json/ccstat-records.json
 * (built in; -s reads another).  Each line of FILE ("-": stdin) must be
 * one record; -p reads --pretty output, records spanning lines.  A file
 * with no record is an error too.  Prints one "FILE: N records (...)"
 * line, or each error as "FILE:LINE: $.path: what", and exits 1 on any
 * error, 2 on bad usage.
 *
 * It runs in the test guest (busybox only: no python, no jq), so it is
 * small, static and self-contained: its own parser, and the UTF-8 rule
 * of ccstat's JSON writer.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "../../tools/json_writer.h"

static const char builtin_schema[] =
#include "ccstat-records.json.h"
;

enum jt { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ };

struct jv {
	enum jt t;
	bool b;
	bool integer;		/* J_NUM without fraction or exponent */
	bool negative;
	char *s;		/* J_STR: the decoded string; J_NUM: its text */
	size_t n;		/* members or items */
	char **keys;
	struct jv **v;
};

struct parser {
	const char *p, *end;
	const char *err;
	int line;
};

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n);
	if (!p) {
		fprintf(stderr, "ccstat-jsoncheck: out of memory\n");
		exit(2);
	}
	return p;
}

static void jv_free(struct jv *v)
{
	size_t i;

	if (!v)
		return;
	for (i = 0; i < v->n; i++) {
		if (v->keys)
			free(v->keys[i]);
		jv_free(v->v[i]);
	}
	free(v->keys);
	free(v->v);
	free(v->s);
	free(v);
}

static void skip_ws(struct parser *ps)
{
	while (ps->p < ps->end && strchr(" \t\r\n", *ps->p)) {
		if (*ps->p == '\n')
			ps->line++;
		ps->p++;
	}
}

static bool error(struct parser *ps, const char *what)
{
	if (!ps->err)
		ps->err = what;
	return false;
}

static void put_utf8(char **buf, size_t *len, unsigned int cp)
{
	char out[4];
	size_t n;

	if (cp < 0x80) {
		out[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		out[0] = (char)(0xc0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		out[0] = (char)(0xe0 | cp >> 12);
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		out[0] = (char)(0xf0 | cp >> 18);
		out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	*buf = xrealloc(*buf, *len + n + 1);
	memcpy(*buf + *len, out, n);
	*len += n;
	(*buf)[*len] = 0;
}

static bool hex4(struct parser *ps, unsigned int *cp)
{
	int i;

	*cp = 0;
	if (ps->end - ps->p < 4)
		return error(ps, "short \\u escape");
	for (i = 0; i < 4; i++) {
		char c = *ps->p++;

		*cp <<= 4;
		if (c >= '0' && c <= '9')
			*cp |= (unsigned int)(c - '0');
		else if (c >= 'a' && c <= 'f')
			*cp |= (unsigned int)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			*cp |= (unsigned int)(c - 'A' + 10);
		else
			return error(ps, "bad \\u escape");
	}
	return true;
}

static bool parse_string(struct parser *ps, char **out)
{
	char *buf = xrealloc(NULL, 1);
	size_t len = 0, seq;
	unsigned int cp, lo;

	buf[0] = 0;
	ps->p++;	/* the opening quote */
	for (;;) {
		unsigned char c;

		if (ps->p >= ps->end) {
			free(buf);
			return error(ps, "unterminated string");
		}
		c = (unsigned char)*ps->p;
		if (c == '"') {
			ps->p++;
			*out = buf;
			return true;
		}
		if (c < 0x20) {
			free(buf);
			return error(ps, "raw control character in a string");
		}
		if (c == '\\') {
			ps->p++;
			if (ps->p >= ps->end) {
				free(buf);
				return error(ps, "unterminated escape");
			}
			c = (unsigned char)*ps->p++;
			switch (c) {
			case '"': case '\\': case '/':
				put_utf8(&buf, &len, c);
				break;
			case 'b': put_utf8(&buf, &len, '\b'); break;
			case 'f': put_utf8(&buf, &len, '\f'); break;
			case 'n': put_utf8(&buf, &len, '\n'); break;
			case 'r': put_utf8(&buf, &len, '\r'); break;
			case 't': put_utf8(&buf, &len, '\t'); break;
			case 'u':
				if (!hex4(ps, &cp))
					goto bad;
				if (cp >= 0xdc00 && cp <= 0xdfff) {
					error(ps, "lone low surrogate");
					goto bad;
				}
				if (cp >= 0xd800 && cp <= 0xdbff) {
					if (ps->end - ps->p < 6 || ps->p[0] != '\\' ||
					    ps->p[1] != 'u') {
						error(ps, "lone high surrogate");
						goto bad;
					}
					ps->p += 2;
					if (!hex4(ps, &lo))
						goto bad;
					if (lo < 0xdc00 || lo > 0xdfff) {
						error(ps, "bad surrogate pair");
						goto bad;
					}
					cp = 0x10000 + ((cp - 0xd800) << 10) +
					     (lo - 0xdc00);
				}
				put_utf8(&buf, &len, cp);
				break;
			default:
				error(ps, "bad escape");
				goto bad;
			}
			continue;
		}
		seq = utf8_seq_len((const unsigned char *)ps->p,
				   (size_t)(ps->end - ps->p));
		if (!seq) {
			error(ps, "invalid UTF-8 in a string");
			goto bad;
		}
		buf = xrealloc(buf, len + seq + 1);
		memcpy(buf + len, ps->p, seq);
		len += seq;
		buf[len] = 0;
		ps->p += seq;
	}
bad:
	free(buf);
	return false;
}

static bool parse_number(struct parser *ps, struct jv *v)
{
	const char *s = ps->p;

	v->t = J_NUM;
	v->integer = true;
	if (*ps->p == '-') {
		v->negative = true;
		ps->p++;
	}
	if (ps->p < ps->end && *ps->p == '0') {
		ps->p++;
	} else if (ps->p < ps->end && *ps->p >= '1' && *ps->p <= '9') {
		while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9')
			ps->p++;
	} else {
		return error(ps, "bad number");
	}
	if (ps->p < ps->end && *ps->p == '.') {
		v->integer = false;
		ps->p++;
		if (ps->p >= ps->end || *ps->p < '0' || *ps->p > '9')
			return error(ps, "bad fraction");
		while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9')
			ps->p++;
	}
	if (ps->p < ps->end && (*ps->p == 'e' || *ps->p == 'E')) {
		v->integer = false;
		ps->p++;
		if (ps->p < ps->end && (*ps->p == '+' || *ps->p == '-'))
			ps->p++;
		if (ps->p >= ps->end || *ps->p < '0' || *ps->p > '9')
			return error(ps, "bad exponent");
		while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9')
			ps->p++;
	}
	v->s = strndup(s, (size_t)(ps->p - s));
	return true;
}

static bool literal(struct parser *ps, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n))
		return error(ps, "unexpected character");
	ps->p += n;
	return true;
}

static struct jv *parse_value(struct parser *ps, int depth);

static bool add(struct jv *v, char *key, struct jv *item)
{
	v->v = xrealloc(v->v, (v->n + 1) * sizeof(*v->v));
	if (v->t == J_OBJ)
		v->keys = xrealloc(v->keys, (v->n + 1) * sizeof(*v->keys));
	v->v[v->n] = item;
	if (v->t == J_OBJ)
		v->keys[v->n] = key;
	v->n++;
	return true;
}

static bool parse_container(struct parser *ps, struct jv *v, int depth)
{
	char close = v->t == J_OBJ ? '}' : ']';
	size_t i;

	ps->p++;
	skip_ws(ps);
	if (ps->p < ps->end && *ps->p == close) {
		ps->p++;
		return true;
	}
	for (;;) {
		char *key = NULL;
		struct jv *item;

		skip_ws(ps);
		if (v->t == J_OBJ) {
			if (ps->p >= ps->end || *ps->p != '"')
				return error(ps, "expected a key");
			if (!parse_string(ps, &key))
				return false;
			for (i = 0; i < v->n; i++) {
				if (!strcmp(v->keys[i], key)) {
					free(key);
					return error(ps, "duplicate key");
				}
			}
			skip_ws(ps);
			if (ps->p >= ps->end || *ps->p != ':') {
				free(key);
				return error(ps, "expected ':'");
			}
			ps->p++;
		}
		item = parse_value(ps, depth + 1);
		if (!item) {
			free(key);
			return false;
		}
		add(v, key, item);
		skip_ws(ps);
		if (ps->p < ps->end && *ps->p == ',') {
			ps->p++;
			continue;
		}
		if (ps->p < ps->end && *ps->p == close) {
			ps->p++;
			return true;
		}
		return error(ps, v->t == J_OBJ ? "expected ',' or '}'" :
					     "expected ',' or ']'");
	}
}

static struct jv *parse_value(struct parser *ps, int depth)
{
	struct jv *v = xrealloc(NULL, sizeof(*v));
	bool ok;

	memset(v, 0, sizeof(*v));
	skip_ws(ps);
	if (depth > 64) {
		error(ps, "nested too deep");
		free(v);
		return NULL;
	}
	if (ps->p >= ps->end) {
		error(ps, "unexpected end");
		free(v);
		return NULL;
	}
	switch (*ps->p) {
	case '{':
		v->t = J_OBJ;
		ok = parse_container(ps, v, depth);
		break;
	case '[':
		v->t = J_ARR;
		ok = parse_container(ps, v, depth);
		break;
	case '"':
		v->t = J_STR;
		ok = parse_string(ps, &v->s);
		break;
	case 't':
		v->t = J_BOOL;
		v->b = true;
		ok = literal(ps, "true");
		break;
	case 'f':
		v->t = J_BOOL;
		ok = literal(ps, "false");
		break;
	case 'n':
		ok = literal(ps, "null");
		break;
	default:
		ok = parse_number(ps, v);
		break;
	}
	if (!ok) {
		jv_free(v);
		return NULL;
	}
	return v;
}

static const struct jv *member(const struct jv *o, const char *key)
{
	size_t i;

	if (!o || o->t != J_OBJ)
		return NULL;
	for (i = 0; i < o->n; i++)
		if (!strcmp(o->keys[i], key))
			return o->v[i];
	return NULL;
}

/* ---- the schema ---- */

struct checker {
	const struct jv *schema;
	const char *file;
	int line;
	int errors;
	bool quiet;		/* inside anyOf: count, do not print */
};

static void complain(struct checker *c, const char *path, const char *fmt, ...)
{
	va_list ap;

	c->errors++;
	if (c->quiet)
		return;
	printf("%s:%d: %s: ", c->file, c->line, path);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static const struct jv *definition(struct checker *c, const char *name)
{
	return member(member(c->schema, "definitions"), name);
}

static const char *type_name(const struct jv *v)
{
	static const char *const names[] = { "null", "boolean", "number",
					     "string", "array", "object" };

	if (v->t == J_NUM)
		return v->integer ? (v->negative ? "integer" : "uint") : "number";
	return names[v->t];
}

static bool is_type(const struct jv *v, const char *t)
{
	if (!strcmp(t, "number"))
		return v->t == J_NUM;
	if (!strcmp(t, "integer"))
		return v->t == J_NUM && v->integer;
	if (!strcmp(t, "uint"))
		return v->t == J_NUM && v->integer && !v->negative &&
		       (strlen(v->s) < 20 || (strlen(v->s) == 20 &&
			strcmp(v->s, "18446744073709551615") <= 0));
	return !strcmp(t, type_name(v)) ||
	       (!strcmp(t, "object") && v->t == J_OBJ) ||
	       (!strcmp(t, "array") && v->t == J_ARR);
}

static void validate(struct checker *c, const struct jv *s,
		     const struct jv *v, const char *path);

/* Is @key among the properties of @s or of what it includes? */
static const struct jv *property(struct checker *c, const struct jv *s,
				 const char *key)
{
	const struct jv *p = member(member(s, "properties"), key);
	const struct jv *inc = member(s, "include");
	size_t i;

	for (i = 0; !p && inc && i < inc->n; i++)
		p = property(c, definition(c, inc->v[i]->s), key);
	return p;
}

static bool optional(struct checker *c, const struct jv *s, const char *key)
{
	const struct jv *o = member(s, "optional"), *inc = member(s, "include");
	size_t i;

	for (i = 0; o && i < o->n; i++)
		if (!strcmp(o->v[i]->s, key))
			return true;
	for (i = 0; inc && i < inc->n; i++)
		if (optional(c, definition(c, inc->v[i]->s), key))
			return true;
	return false;
}

/* Every required property of @s (and what it includes) is in @v */
static void required(struct checker *c, const struct jv *s, const struct jv *v,
		     const char *path)
{
	const struct jv *props = member(s, "properties"), *inc = member(s, "include");
	size_t i;

	for (i = 0; props && i < props->n; i++)
		if (!member(v, props->keys[i]) && !optional(c, s, props->keys[i]))
			complain(c, path, "missing key \"%s\"", props->keys[i]);
	for (i = 0; inc && i < inc->n; i++)
		required(c, definition(c, inc->v[i]->s), v, path);
}

static void validate(struct checker *c, const struct jv *s,
		     const struct jv *v, const char *path)
{
	const struct jv *t, *x;
	char sub[1024];
	size_t i;

	if (!s) {
		complain(c, path, "schema error: no schema here");
		return;
	}
	if ((x = member(s, "$ref"))) {
		validate(c, definition(c, x->s), v, path);
		return;
	}
	if ((x = member(s, "anyOf"))) {
		int before = c->errors;
		bool quiet = c->quiet;

		c->quiet = true;
		for (i = 0; i < x->n; i++) {
			int e = c->errors;

			validate(c, x->v[i], v, path);
			if (c->errors == e)
				break;
		}
		c->quiet = quiet;
		c->errors = before;
		if (i == x->n)
			complain(c, path, "matches none of its %zu forms", x->n);
		return;
	}
	if ((x = member(s, "const"))) {
		if (v->t != J_STR || strcmp(v->s, x->s))
			complain(c, path, "not \"%s\"", x->s);
		return;
	}
	if ((x = member(s, "enum"))) {
		for (i = 0; v->t == J_STR && i < x->n; i++)
			if (!strcmp(v->s, x->v[i]->s))
				return;
		complain(c, path, "%s%s%s not among the values allowed",
			 v->t == J_STR ? "\"" : "", v->t == J_STR ? v->s :
			 type_name(v), v->t == J_STR ? "\"" : "");
		return;
	}
	t = member(s, "type");
	if (t && t->t == J_STR && !is_type(v, t->s)) {
		complain(c, path, "%s where %s belongs", type_name(v), t->s);
		return;
	}
	if (t && t->t == J_ARR) {
		for (i = 0; i < t->n && !is_type(v, t->v[i]->s); i++)
			;
		if (i == t->n) {
			complain(c, path, "%s where %s or %s belongs",
				 type_name(v), t->v[0]->s, t->v[t->n - 1]->s);
			return;
		}
	}
	if (v->t == J_OBJ) {
		for (i = 0; i < v->n; i++) {
			const struct jv *p = property(c, s, v->keys[i]);

			snprintf(sub, sizeof(sub), "%s.%s", path, v->keys[i]);
			if (!p)
				complain(c, sub, "unknown key");
			else
				validate(c, p, v->v[i], sub);
		}
		required(c, s, v, path);
	}
	if (v->t == J_ARR && (x = member(s, "items"))) {
		for (i = 0; i < v->n; i++) {
			snprintf(sub, sizeof(sub), "%s[%zu]", path, i);
			validate(c, x, v->v[i], sub);
		}
	}
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	char *buf = NULL;
	size_t n = 0, cap = 0, r;

	if (!f)
		return NULL;
	do {
		if (n + 4096 > cap) {
			cap = 2 * cap + 8192;
			buf = xrealloc(buf, cap);
		}
		r = fread(buf + n, 1, cap - n - 1, f);
		n += r;
	} while (r);
	if (f != stdin)
		fclose(f);
	buf[n] = 0;
	*len = n;
	return buf;
}

/* One record: JSON, with a type the schema knows, matching its schema */
static void check_record(struct checker *c, const struct jv *v)
{
	const struct jv *type = member(v, "type");
	const struct jv *s;

	if (!v || v->t != J_OBJ) {
		complain(c, "$", "a record must be an object");
		return;
	}
	if (!type || type->t != J_STR) {
		complain(c, "$", "no \"type\" string");
		return;
	}
	s = member(member(c->schema, "records"), type->s);
	if (!s) {
		complain(c, "$.type", "no schema for records of type \"%s\"", type->s);
		return;
	}
	validate(c, s, v, "$");
}

static int check_file(const struct jv *schema, const char *path, bool pretty)
{
	struct checker c = { .schema = schema, .file = path };
	struct parser ps;
	size_t len;
	char *buf = slurp(path, &len);
	int records = 0;

	if (!buf) {
		printf("%s: cannot read: %s\n", path, strerror(errno));
		return 1;
	}
	ps = (struct parser){ .p = buf, .end = buf + len, .line = 1 };
	for (;;) {
		const char *eol;
		struct jv *v;

		if (pretty)
			skip_ws(&ps);
		if (ps.p >= ps.end)
			break;
		c.line = ps.line;
		eol = pretty ? ps.end : memchr(ps.p, '\n', (size_t)(ps.end - ps.p));
		if (!eol) {
			complain(&c, "$", "the last record has no newline");
			break;
		}
		ps.err = NULL;
		{
			struct parser one = { ps.p, eol, NULL, ps.line };

			v = parse_value(&one, 0);
			if (v && !pretty) {
				skip_ws(&one);
				if (one.p != eol)
					error(&one, "more than one value on the line");
			}
			if (one.err) {
				complain(&c, "$", "not JSON: %s at byte %td",
					 one.err, one.p - ps.p);
				jv_free(v);
				v = NULL;
				/* in pretty mode nothing after it can be found */
				if (pretty)
					break;
			}
			if (v)
				check_record(&c, v);
			jv_free(v);
			records++;
			ps.line = pretty ? one.line : ps.line + 1;
			ps.p = pretty ? one.p : eol + 1;
		}
	}
	if (!records && !c.errors)
		complain(&c, "$", "no records: ccstat printed nothing");
	if (!c.errors)
		printf("%s: %d records, all valid\n", path, records);
	free(buf);
	return c.errors ? 1 : 0;
}

int main(int argc, char **argv)
{
	const char *schema_path = NULL;
	struct parser ps;
	struct jv *schema;
	char *text = NULL;
	size_t len;
	bool pretty = false;
	int opt, i, rc = 0;

	while ((opt = getopt(argc, argv, "s:p")) != -1) {
		switch (opt) {
		case 's':
			schema_path = optarg;
			break;
		case 'p':
			pretty = true;
			break;
		default:
			goto usage;
		}
	}
	if (optind >= argc)
		goto usage;
	if (schema_path) {
		text = slurp(schema_path, &len);
		if (!text) {
			fprintf(stderr, "ccstat-jsoncheck: cannot read %s: %s\n",
				schema_path, strerror(errno));
			return 2;
		}
	} else {
		text = strdup(builtin_schema);
		len = strlen(text);
	}
	ps = (struct parser){ text, text + len, NULL, 1 };
	schema = parse_value(&ps, 0);
	if (!schema || !member(schema, "records")) {
		fprintf(stderr, "ccstat-jsoncheck: the schema is not JSON with records: %s (line %d)\n",
			ps.err ? ps.err : "no \"records\"", ps.line);
		return 2;
	}
	for (i = optind; i < argc; i++)
		rc |= check_file(schema, argv[i], pretty);
	jv_free(schema);
	free(text);
	return rc;
usage:
	fprintf(stderr, "usage: ccstat-jsoncheck [-s SCHEMA] [-p] FILE...\n");
	return 2;
}
