/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one JSON writer: every JSON byte ccstat prints goes through it.
 * It keeps a stack of the open objects and arrays, so that separators,
 * newlines and (in pretty mode) indentation come from the nesting alone,
 * and it refuses what would not be JSON (a value in an object without a
 * key, a key in an array, a close that matches no open).
 *
 * Strings: any byte sequence.  '"' and '\' are escaped with a backslash,
 * the control characters U+0000..U+001F and DEL as \u00XX, well-formed
 * UTF-8 (Unicode's table 3-7: no overlong forms, no surrogates, nothing
 * above U+10FFFF) passes unchanged, and every byte that is not part of a
 * well-formed sequence becomes \ufffd (U+FFFD), one per byte.  The output
 * is therefore always valid UTF-8 and valid JSON.
 *
 * Numbers: u64 and s64 are printed as decimal integers, exactly, never
 * through a double.  A double is printed with the fewest of 15, 16 or 17
 * significant digits ("%.15g", "%.16g", "%.17g") that read back as the
 * same double, so 0.1 prints "0.1" and no precision is lost; NaN and
 * infinities, which JSON cannot express, print null.
 *
 * Compact mode writes each top-level value on one line; pretty mode
 * indents by two spaces.  Both end a top-level value with a newline.
 */
#ifndef CCSTAT_JSON_WRITER_H
#define CCSTAT_JSON_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define JW_MAX_DEPTH 16

struct json_writer {
	FILE *f;
	bool pretty;
	bool misuse;			/* a call that would break the JSON */
	bool key_pending;		/* a key is written, its value not yet */
	int depth;			/* open objects and arrays */
	char open[JW_MAX_DEPTH];	/* '{' or '[' per level */
	bool members[JW_MAX_DEPTH];	/* the level has a member already */
};

void jw_init(struct json_writer *w, FILE *f, bool pretty);
/* true if every call so far made sense and nothing is left open */
bool jw_ok(const struct json_writer *w);

void jw_start_object(struct json_writer *w);
void jw_end_object(struct json_writer *w);
void jw_start_array(struct json_writer *w);
void jw_end_array(struct json_writer *w);

void jw_key(struct json_writer *w, const char *key);
void jw_key_n(struct json_writer *w, const char *key, size_t n);

/* Values: in an array, after a key, or at the top level */
void jw_string(struct json_writer *w, const char *s);	/* NULL: null */
void jw_string_n(struct json_writer *w, const char *s, size_t n);
void jw_u64(struct json_writer *w, uint64_t v);
void jw_s64(struct json_writer *w, int64_t v);
/* A finite double as its shortest exact text; @len >= 32 */
void jw_format_double(char *buf, size_t len, double v);
void jw_double(struct json_writer *w, double v);
void jw_bool(struct json_writer *w, bool v);
void jw_null(struct json_writer *w);

/* A key and its value */
void jw_str_member(struct json_writer *w, const char *key, const char *s);
void jw_u64_member(struct json_writer *w, const char *key, uint64_t v);
void jw_s64_member(struct json_writer *w, const char *key, int64_t v);
void jw_double_member(struct json_writer *w, const char *key, double v);
void jw_null_member(struct json_writer *w, const char *key);

/*
 * Length of the well-formed UTF-8 sequence at @s (at most @n bytes), or
 * 0 if the byte at @s does not start one.
 */
size_t utf8_seq_len(const unsigned char *s, size_t n);

#endif /* CCSTAT_JSON_WRITER_H */
