// SPDX-License-Identifier: GPL-2.0
/*
 * The one JSON writer (see json_writer.h for what it guarantees).  The
 * nesting lives in a small stack; each value asks prefix() for the
 * separator and indentation its position needs.
 */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "json_writer.h"

void jw_init(struct json_writer *w, FILE *f, bool pretty)
{
	memset(w, 0, sizeof(*w));
	w->f = f;
	w->pretty = pretty;
}

bool jw_ok(const struct json_writer *w)
{
	return !w->misuse && !w->depth && !w->key_pending;
}

static void indent(struct json_writer *w)
{
	int i;

	fputc('\n', w->f);
	for (i = 0; i < w->depth; i++)
		fputs("  ", w->f);
}

/* Before a value: its separator, or false if no value may come here */
static bool prefix(struct json_writer *w)
{
	if (!w->depth)
		return true;
	if (w->open[w->depth - 1] == '{') {
		if (!w->key_pending) {
			w->misuse = true;
			return false;
		}
		w->key_pending = false;
		return true;
	}
	if (w->members[w->depth - 1])
		fputc(',', w->f);
	w->members[w->depth - 1] = true;
	if (w->pretty)
		indent(w);
	return true;
}

/* After a value: a finished top-level value ends its line */
static void suffix(struct json_writer *w)
{
	if (!w->depth)
		fputc('\n', w->f);
}

size_t utf8_seq_len(const unsigned char *s, size_t n)
{
	unsigned int cp, len, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] < 0xc2 || s[0] > 0xf4)
		return 0;	/* continuation, overlong lead or > U+10FFFF */
	len = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : 2;
	if (n < len)
		return 0;
	cp = s[0] & (0x7f >> len);
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return len;
}

static void put_escaped(FILE *f, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t len;

	fputc('"', f);
	while (n) {
		if (*s == '"' || *s == '\\') {
			fputc('\\', f);
			fputc(*s, f);
			len = 1;
		} else if (*s < 0x20 || *s == 0x7f) {
			fprintf(f, "\\u%04x", *s);
			len = 1;
		} else if ((len = utf8_seq_len(s, n)) > 0) {
			fwrite(s, 1, len, f);
		} else {
			fputs("\\ufffd", f);
			len = 1;
		}
		s += len;
		n -= len;
	}
	fputc('"', f);
}

static void start(struct json_writer *w, char c)
{
	if (!prefix(w))
		return;
	if (w->depth == JW_MAX_DEPTH) {
		w->misuse = true;
		return;
	}
	fputc(c, w->f);
	w->open[w->depth] = c;
	w->members[w->depth] = false;
	w->depth++;
}

static void end(struct json_writer *w, char c)
{
	if (!w->depth || w->open[w->depth - 1] != c || w->key_pending) {
		w->misuse = true;
		return;
	}
	w->depth--;
	if (w->pretty && w->members[w->depth])
		indent(w);
	fputc(c == '{' ? '}' : ']', w->f);
	suffix(w);
}

void jw_start_object(struct json_writer *w)
{
	start(w, '{');
}

void jw_end_object(struct json_writer *w)
{
	end(w, '{');
}

void jw_start_array(struct json_writer *w)
{
	start(w, '[');
}

void jw_end_array(struct json_writer *w)
{
	end(w, '[');
}

void jw_key_n(struct json_writer *w, const char *key, size_t n)
{
	if (!w->depth || w->open[w->depth - 1] != '{' || w->key_pending) {
		w->misuse = true;
		return;
	}
	if (w->members[w->depth - 1])
		fputc(',', w->f);
	w->members[w->depth - 1] = true;
	if (w->pretty)
		indent(w);
	put_escaped(w->f, key, n);
	fputs(w->pretty ? ": " : ":", w->f);
	w->key_pending = true;
}

void jw_key(struct json_writer *w, const char *key)
{
	jw_key_n(w, key, strlen(key));
}

void jw_string_n(struct json_writer *w, const char *s, size_t n)
{
	if (!prefix(w))
		return;
	put_escaped(w->f, s, n);
	suffix(w);
}

void jw_string(struct json_writer *w, const char *s)
{
	if (!s)
		jw_null(w);
	else
		jw_string_n(w, s, strlen(s));
}

void jw_u64(struct json_writer *w, uint64_t v)
{
	if (!prefix(w))
		return;
	fprintf(w->f, "%" PRIu64, v);
	suffix(w);
}

void jw_s64(struct json_writer *w, int64_t v)
{
	if (!prefix(w))
		return;
	fprintf(w->f, "%" PRId64, v);
	suffix(w);
}

/*
 * The shortest of 15, 16 or 17 significant digits that reads back as
 * the same double (17 always does); the exporter prints its floats the
 * same way.
 */
void jw_format_double(char *buf, size_t len, double v)
{
	int prec;

	for (prec = 15; prec < 17; prec++) {
		snprintf(buf, len, "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			return;
	}
	snprintf(buf, len, "%.17g", v);
}

void jw_double(struct json_writer *w, double v)
{
	char buf[40];

	if (!isfinite(v)) {
		jw_null(w);
		return;
	}
	if (!prefix(w))
		return;
	jw_format_double(buf, sizeof(buf), v);
	fputs(buf, w->f);
	suffix(w);
}

void jw_bool(struct json_writer *w, bool v)
{
	if (!prefix(w))
		return;
	fputs(v ? "true" : "false", w->f);
	suffix(w);
}

void jw_null(struct json_writer *w)
{
	if (!prefix(w))
		return;
	fputs("null", w->f);
	suffix(w);
}

void jw_str_member(struct json_writer *w, const char *key, const char *s)
{
	jw_key(w, key);
	jw_string(w, s);
}

void jw_u64_member(struct json_writer *w, const char *key, uint64_t v)
{
	jw_key(w, key);
	jw_u64(w, v);
}

void jw_s64_member(struct json_writer *w, const char *key, int64_t v)
{
	jw_key(w, key);
	jw_s64(w, v);
}

void jw_double_member(struct json_writer *w, const char *key, double v)
{
	jw_key(w, key);
	jw_double(w, v);
}

void jw_null_member(struct json_writer *w, const char *key)
{
	jw_key(w, key);
	jw_null(w);
}
