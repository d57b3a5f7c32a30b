// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests for ccstat's JSON writer (tools/json_writer.c) and the
 * print layer above it (tools/print.c): nesting, the escaping of every
 * byte in keys and values, integers printed exactly, doubles and their
 * non-finite values, pretty mode, refused misuse, the rows text and JSON
 * share, and the `ls -b` escaping of names in text output.  Documents
 * are also handed to python3's json module, an independent parser, when
 * the host has python3.  Prints TAP; exits non-zero on any failure.
 */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "../../tools/ccstat.h"
#include "../../tools/analyze.h"

static int passed, failed, n;

static void check(int cond, const char *what, int line)
{
	n++;
	if (cond) {
		passed++;
		printf("ok %d - %s\n", n, what);
	} else {
		failed++;
		printf("not ok %d - %s (line %d)\n", n, what, line);
	}
}
#define CHECK(c, what) check(!!(c), what, __LINE__)

/* print.c and views.c want these from main.c */
volatile sig_atomic_t exiting;
int fail(const char *what, const char *fmt, ...) { (void)what; (void)fmt; return 1; }

/* A writer into memory; done() closes it and returns the text */
struct mem {
	char *buf;
	size_t len;
	FILE *f;
	struct json_writer jw;
};

static void mem_open(struct mem *m, bool pretty)
{
	m->buf = NULL;
	m->len = 0;
	m->f = open_memstream(&m->buf, &m->len);
	jw_init(&m->jw, m->f, pretty);
}

static char *mem_done(struct mem *m)
{
	fclose(m->f);
	return m->buf;
}

static bool same(const char *got, const char *want)
{
	if (got && !strcmp(got, want))
		return true;
	printf("# got  %s\n# want %s\n", got ? got : "(null)", want);
	return false;
}

static bool have_python;

/*
 * python3 parses @doc (one or more lines, a JSON value each) and runs
 * @assertion on the list of values, named v; true if both succeed.
 */
static bool python_says_mode(const char *doc, const char *assertion,
			     bool whole)
{
	char path[] = "/tmp/ccstat-test-json.XXXXXX", cmd[4096];
	int fd = mkstemp(path), rc;
	FILE *f;

	if (fd < 0)
		return false;
	f = fdopen(fd, "w");
	fputs(doc, f);
	fclose(f);
	snprintf(cmd, sizeof(cmd),
		 "python3 -c 'import json,sys\n"
		 "t = open(sys.argv[1], encoding=\"utf-8\", errors=\"strict\").read()\n"
		 "v = [json.loads(t)] if %s else [json.loads(l) for l in t.splitlines()]\n"
		 "assert %s, v' %s", whole ? "True" : "False", assertion, path);
	rc = system(cmd);
	unlink(path);
	return rc == 0;
}

static bool python_says(const char *doc, const char *assertion)
{
	return python_says_mode(doc, assertion, false);
}

static void test_nesting(void)
{
	struct mem m;
	char *out;

	mem_open(&m, false);
	jw_start_object(&m.jw);
	jw_str_member(&m.jw, "type", "t");
	jw_key(&m.jw, "a");
	jw_start_array(&m.jw);
	jw_start_object(&m.jw);
	jw_end_object(&m.jw);
	jw_start_array(&m.jw);
	jw_end_array(&m.jw);
	jw_u64(&m.jw, 1);
	jw_start_object(&m.jw);
	jw_key(&m.jw, "x");
	jw_start_object(&m.jw);
	jw_null_member(&m.jw, "y");
	jw_end_object(&m.jw);
	jw_end_object(&m.jw);
	jw_end_array(&m.jw);
	jw_key(&m.jw, "b");
	jw_bool(&m.jw, true);
	jw_end_object(&m.jw);
	jw_start_object(&m.jw);
	jw_end_object(&m.jw);
	CHECK(jw_ok(&m.jw), "nesting: every container closed, no misuse");
	out = mem_done(&m);
	CHECK(same(out, "{\"type\":\"t\",\"a\":[{},[],1,{\"x\":{\"y\":null}}],\"b\":true}\n{}\n"),
	      "nesting: separators from the depth stack, one record per line");
	if (have_python)
		CHECK(python_says(out, "v == [{\"type\": \"t\", \"a\": [{}, [], 1, {\"x\": {\"y\": None}}], \"b\": True}, {}]"),
		      "nesting: python3 reads the same structure back");
	free(out);

	mem_open(&m, true);
	jw_start_object(&m.jw);
	jw_str_member(&m.jw, "k", "v");
	jw_key(&m.jw, "a");
	jw_start_array(&m.jw);
	jw_u64(&m.jw, 1);
	jw_start_object(&m.jw);
	jw_end_object(&m.jw);
	jw_end_array(&m.jw);
	jw_end_object(&m.jw);
	out = mem_done(&m);
	CHECK(same(out, "{\n  \"k\": \"v\",\n  \"a\": [\n    1,\n    {}\n  ]\n}\n"),
	      "pretty: two spaces a level, a newline after the record");
	if (have_python)
		CHECK(python_says_mode(out, "v == [{\"k\": \"v\", \"a\": [1, {}]}]", true),
		      "pretty: python3 reads the indented document as the same value");
	free(out);
}

static void test_misuse(void)
{
	struct mem m;
	int i;

	mem_open(&m, false);
	jw_start_object(&m.jw);
	jw_u64(&m.jw, 1);		/* no key */
	jw_end_object(&m.jw);
	CHECK(!jw_ok(&m.jw), "misuse: a value in an object without a key is refused");
	free(mem_done(&m));

	mem_open(&m, false);
	jw_start_array(&m.jw);
	jw_key(&m.jw, "k");		/* a key in an array */
	jw_end_array(&m.jw);
	CHECK(!jw_ok(&m.jw), "misuse: a key in an array is refused");
	free(mem_done(&m));

	mem_open(&m, false);
	jw_start_array(&m.jw);
	jw_end_object(&m.jw);		/* closes what is not open */
	CHECK(!jw_ok(&m.jw), "misuse: a close that matches no open is refused");
	free(mem_done(&m));

	mem_open(&m, false);
	jw_start_object(&m.jw);
	jw_key(&m.jw, "k");
	jw_end_object(&m.jw);		/* key without value */
	CHECK(!jw_ok(&m.jw), "misuse: a key left without its value is refused");
	free(mem_done(&m));

	mem_open(&m, false);
	for (i = 0; i <= JW_MAX_DEPTH; i++)
		jw_start_array(&m.jw);
	CHECK(!jw_ok(&m.jw) && m.jw.depth == JW_MAX_DEPTH,
	      "misuse: nesting deeper than the stack is refused");
	free(mem_done(&m));

	mem_open(&m, false);
	jw_start_object(&m.jw);
	CHECK(!jw_ok(&m.jw), "an object left open is not a finished document");
	free(mem_done(&m));
}

/* What the writer must make of one byte alone, from JSON's own rules */
static void expected_byte(char *buf, size_t len, unsigned char b)
{
	if (b == '"' || b == '\\')
		snprintf(buf, len, "\"\\%c\"", b);
	else if (b < 0x20 || b == 0x7f)
		snprintf(buf, len, "\"\\u00%c%c\"", "0123456789abcdef"[b >> 4],
			 "0123456789abcdef"[b & 15]);
	else if (b < 0x80)
		snprintf(buf, len, "\"%c\"", b);
	else	/* a lone byte >= 0x80 is never well-formed UTF-8 */
		snprintf(buf, len, "\"\\ufffd\"");
}

static void test_every_byte(void)
{
	int bad_key = 0, bad_value = 0, b;
	char all[256], want[64], exp_py[4096], *out;
	size_t off = 0;
	struct mem m;

	for (b = 0; b < 256; b++) {
		unsigned char c = (unsigned char)b;
		char wline[160];

		expected_byte(want, sizeof(want), c);
		mem_open(&m, false);
		jw_start_object(&m.jw);
		jw_key_n(&m.jw, (const char *)&c, 1);
		jw_string_n(&m.jw, (const char *)&c, 1);
		jw_end_object(&m.jw);
		out = mem_done(&m);
		snprintf(wline, sizeof(wline), "{%s:%s}\n", want, want);
		if (strncmp(out, wline, strlen(want) + 1))
			bad_key++;
		if (strcmp(out + strlen(want) + 2, wline + strlen(want) + 2))
			bad_value++;
		if (bad_key + bad_value == 1 && strcmp(out, wline))
			printf("# byte 0x%02x: got %s", b, out);
		free(out);
		all[b] = (char)b;
	}
	CHECK(!bad_key, "every byte 0..255 alone in a key escapes as JSON says");
	CHECK(!bad_value, "every byte 0..255 alone in a value escapes as JSON says");

	/* all 256 bytes in one key and one value, read back by python3 */
	mem_open(&m, false);
	jw_start_object(&m.jw);
	jw_key_n(&m.jw, all, sizeof(all));
	jw_string_n(&m.jw, all, sizeof(all));
	jw_end_object(&m.jw);
	out = mem_done(&m);
	for (off = 0; off + 1 < m.len; off++)
		if ((unsigned char)out[off] < 0x20 || out[off] == 0x7f)
			break;
	CHECK(strlen(out) == m.len && off + 1 == m.len && out[off] == '\n',
	      "256 bytes: no raw control byte, one line");
	if (have_python) {
		/* bytes below 0x80 stay themselves, each one above is U+FFFD */
		off = (size_t)snprintf(exp_py, sizeof(exp_py),
			"list(v[0].keys())[0] == list(v[0].values())[0] == "
			"\"\".join(chr(i) for i in range(128)) + \"\\ufffd\" * 128");
		CHECK(off < sizeof(exp_py) && python_says(out, exp_py),
		      "256 bytes: python3 reads key and value back as 0..127 and 128 x U+FFFD");
	}
	free(out);
}

static void test_utf8(void)
{
	static const struct {
		const char *in, *want, *what;
	} cases[] = {
		{ "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"", "valid UTF-8 (2, 3, 4 bytes) passes unchanged" },
		{ "x\xffy\xc3", "\"x\\ufffdy\\ufffd\"", "a stray byte and a truncated sequence: U+FFFD each" },
		{ "\xc0\xaf", "\"\\ufffd\\ufffd\"", "overlong form: U+FFFD per byte" },
		{ "\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"", "UTF-8 of a surrogate: U+FFFD per byte" },
		{ "\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"", "above U+10FFFF: U+FFFD per byte" },
		{ "\xe2\x82", "\"\\ufffd\\ufffd\"", "a sequence cut short by the end" },
		{ "", "\"\"", "empty string" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mem m;
		char want[128];
		char *out;

		mem_open(&m, false);
		jw_string(&m.jw, cases[i].in);
		out = mem_done(&m);
		snprintf(want, sizeof(want), "%s\n", cases[i].want);
		CHECK(same(out, want), cases[i].what);
		free(out);
	}
}

static void test_numbers(void)
{
	static const struct {
		double v;
		const char *want;
	} dbl[] = {
		{ 0.1, "0.1" }, { 75, "75" }, { -0.5, "-0.5" },
		{ 1.0 / 3, "0.3333333333333333" }, { 1e300, "1e+300" },
		{ 123456.789, "123456.789" }, { 5e-324, "4.94065645841247e-324" },
		{ DBL_MAX, "1.7976931348623157e+308" },
	};
	double rt[] = { 0.1, 2.0 / 3, M_PI, 1e-7, 1733461234.123456, 99.99999999999999, 33.33333333333333 };
	struct mem m;
	char *out, *p;
	bool all_rt = true;
	size_t i;

	mem_open(&m, false);
	jw_start_array(&m.jw);
	jw_u64(&m.jw, UINT64_MAX);
	jw_u64(&m.jw, (1ull << 53) + 1);
	jw_s64(&m.jw, INT64_MIN);
	jw_s64(&m.jw, -1);
	jw_u64(&m.jw, 0);
	jw_end_array(&m.jw);
	out = mem_done(&m);
	CHECK(same(out, "[18446744073709551615,9007199254740993,-9223372036854775808,-1,0]\n"),
	      "integers exact: u64 max, 2^53 + 1 (a double rounds it), s64 min, -1, 0");
	if (have_python)
		CHECK(python_says(out, "v[0] == [2**64 - 1, 2**53 + 1, -2**63, -1, 0]"),
		      "integers: python3 reads them back exactly");
	free(out);

	for (i = 0; i < sizeof(dbl) / sizeof(dbl[0]); i++) {
		char what[96];

		mem_open(&m, false);
		jw_double(&m.jw, dbl[i].v);
		out = mem_done(&m);
		out[strcspn(out, "\n")] = 0;
		snprintf(what, sizeof(what), "double %s: the fewest digits that read back", dbl[i].want);
		CHECK(same(out, dbl[i].want), what);
		free(out);
	}
	for (i = 0; i < sizeof(rt) / sizeof(rt[0]); i++) {
		mem_open(&m, false);
		jw_double(&m.jw, rt[i]);
		out = mem_done(&m);
		if (strtod(out, &p) != rt[i] || *p != '\n') {
			printf("# %.17g printed as %s", rt[i], out);
			all_rt = false;
		}
		free(out);
	}
	CHECK(all_rt, "doubles read back as the same double");

	mem_open(&m, false);
	jw_start_array(&m.jw);
	jw_double(&m.jw, NAN);
	jw_double(&m.jw, INFINITY);
	jw_double(&m.jw, -INFINITY);
	jw_end_array(&m.jw);
	out = mem_done(&m);
	CHECK(same(out, "[null,null,null]\n") && jw_ok(&m.jw), "NaN and infinities print null");
	free(out);
}

/* ---- the print layer: one column description, text and JSON ---- */

static const struct column cols[] = {
	{ "NAME", "name", -6, COL_STR },
	{ "N", "n", 4, COL_U64 },
	{ "HIT%", "hit_pct", 6, COL_PCT },
	{ "STORED", "stored", 6, COL_I64 },
	{ "RET", "ret", 4, COL_INT },
	{ "SIZE", "bytes", 6, COL_BYTES },
};

static char *print_two(bool json)
{
	struct mem m;
	struct printer p;
	struct cell c1[6] = { { .s = "a\"b" }, { .u = 42 }, { .d = 75 },
			      { .i = -1 }, { .i = -61 }, { .i = 49152 } };
	struct cell c2[6] = { { .s = NULL }, { .u = 0 }, { .d = -1 },
			      { .i = 12 }, { .i = 0 }, { .i = -1 } };

	mem_open(&m, false);
	p = (struct printer){ m.f, json ? &m.jw : NULL, cols, 6, NULL };
	print_header(&p);
	print_row(&p, c1);
	print_row(&p, c2);
	return mem_done(&m);
}

static void test_print(void)
{
	char *out = print_two(false);

	CHECK(same(out,
		"NAME      N   HIT% STORED  RET   SIZE \n"
		"a\"b      42   75.0      -  -61  48.0K \n"
		"-         0      -     12    0      - \n"), "text table");
	free(out);
	out = print_two(true);
	CHECK(same(out,
		"{\"name\":\"a\\\"b\",\"n\":42,\"hit_pct\":75,\"stored\":null,\"ret\":-61,\"bytes\":49152}\n"
		"{\"name\":null,\"n\":0,\"hit_pct\":null,\"stored\":12,\"ret\":0,\"bytes\":null}\n"),
	      "JSON rows from the same columns");
	free(out);
}

static void test_fs_row(void)
{
	struct cc_counts c = { .puts = 3, .puts_refused = 1, .hits = 2,
			       .misses = 1, .inval_pages = 5 };
	struct fs_view v = { .dev = "8:0", .fstype = "ext4",
			     .mount = "/mnt/ext4", .pool = 0, .stored = 7 };
	struct cell cells[32];
	struct mem m;
	char *out, want[512];

	mem_open(&m, false);
	fill_fs_cells(cells, &v, &c, 0);
	print_row_json(&m.jw, fs_columns, fs_ncolumns, cells);
	out = mem_done(&m);
	snprintf(want, sizeof(want),
		 "{\"device\":\"8:0\",\"fstype\":\"ext4\",\"pool\":0,\"puts\":3,"
		 "\"puts_refused\":1,\"gets\":3,\"hits\":2,\"misses\":1,"
		 "\"hit_pct\":66.66666666666667,\"inval_pages\":5,\"inval_inodes\":0,"
		 "\"inval_fs\":0,\"bytes_stored\":%ld,\"mountpoint\":\"/mnt/ext4\"}\n",
		 7 * sysconf(_SC_PAGESIZE));
	CHECK(same(out, want),
	      "filesystem row JSON: device, mountpoint, bytes stored, hit%% in full");
	free(out);

	mem_open(&m, false);
	c = (struct cc_counts){ .puts = 30, .hits = 20, .misses = 20 };
	v = (struct fs_view){ .dev = "8:0", .fstype = "ext4", .mount = "/",
			      .pool = 1, .stored = -1 };
	fill_fs_cells(cells, &v, &c, 2.0);
	print_row_json(&m.jw, fs_rate_columns, fs_ncolumns, cells);
	out = mem_done(&m);
	CHECK(out && strstr(out, "\"puts_per_s\":15,") &&
	      strstr(out, "\"gets_per_s\":20,") &&
	      strstr(out, "\"hit_pct\":50,") &&
	      strstr(out, "\"inval_fs_per_s\":0,") &&
	      strstr(out, "\"bytes_stored\":null,"),
	      "-r: counts over 2 s as rates per second, hit%% unchanged");
	free(out);
}

/* ---- text: names escaped like ls -b ---- */

static void test_text_escape(void)
{
	static const struct {
		const char *in, *want, *what;
	} cases[] = {
		{ "/mnt/a b", "/mnt/a b", "a space stays" },
		{ "a\nb\tc\rd", "a\\nb\\tc\\rd", "newline, tab, CR as C escapes" },
		{ "\a\b\v\f", "\\a\\b\\v\\f", "bell, backspace, VT, FF as C escapes" },
		{ "x\x01\x1b[31my", "x\\001\\033[31my", "other controls (ESC) in octal" },
		{ "del\x7f", "del\\177", "DEL in octal" },
		{ "back\\slash", "back\\\\slash", "a backslash doubles" },
		{ "caf\xc3\xa9 \xe2\x82\xac", "caf\xc3\xa9 \xe2\x82\xac", "printable UTF-8 stays" },
		{ "c1\xc2\x85", "c1\\302\\205", "a C1 control (NEL) in octal" },
		{ "bad\xff\xc3", "bad\\377\\303", "bytes outside UTF-8 in octal" },
	};
	char buf[256], row[256];
	size_t i, need;
	int b, bad = 0;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		text_escape(buf, sizeof(buf), cases[i].in);
		CHECK(same(buf, cases[i].want), cases[i].what);
	}
	need = text_escape(buf, 4, "a\nbcdef");
	CHECK(need == 8 && !strcmp(buf, "a\\n"), "a short buffer is cut and NUL-ended; the length needed is returned");
	/* every byte alone: printable ASCII out, one octal escape at most */
	for (b = 1; b < 256; b++) {
		char in[2] = { (char)b, 0 };
		size_t k;

		text_escape(buf, sizeof(buf), in);
		for (k = 0; buf[k]; k++)
			if ((unsigned char)buf[k] < 0x20 || (unsigned char)buf[k] >= 0x7f)
				bad++;
		if (b >= 0x80 && (strlen(buf) != 4 || buf[0] != '\\'))
			bad++;
	}
	CHECK(!bad, "every byte 1..255 alone: printable ASCII out, bytes above 0x7f as \\ooo");

	/* a row with a newline in its path stays one line */
	{
		static const struct column c2[] = {
			{ "N", "n", 3, COL_U64 }, { "PATH", "path", -1, COL_STR },
		};
		struct cell cells[2] = { { .u = 1 }, { .s = "/mnt/x\ny" } };
		struct mem m;
		struct printer p;
		char *out;

		mem_open(&m, false);
		p = (struct printer){ m.f, NULL, c2, 2, NULL };
		print_row(&p, cells);
		out = mem_done(&m);
		snprintf(row, sizeof(row), "  1 /mnt/x\\ny\n");
		CHECK(same(out, row), "text rows escape their names: one line per row");
		free(out);
	}
}

/*
 * analyze's curve on the workload of tests/json/examples.json: 24,576
 * sampled gets, 9,216 of them 4,096-5,119 puts after their put, 6,144 at
 * 10,240-12,287, 2,048 hits of pages put before tracking, a store of
 * 6,144 pages.  By hand: nothing below 4,096 pages, 9,216 / 24,576 =
 * 37.5 % from 5,120, plus 2,048 from the store's size on (45.83 %), plus
 * 6,144 from 12,288 (70.83 %).  The example (which the ccstat-plot test
 * reads) must hold these very points.
 */
static void test_curve(void)
{
	static const __u64 want_pages[] = { 4096, 5120, 6143, 6144, 10240, 12288 };
	const double want_pct[] = { 0, 37.5, 37.5, 100.0 * 11264 / 24576,
				    100.0 * 11264 / 24576, 100.0 * 17408 / 24576 };
	struct ca_fs c = { .gets_sampled = 24576, .hit_no_dist = 2048 };
	__u64 sizes[2 * CA_DIST_BUCKETS + 2];
	char path[512], *doc = NULL, *out, *curve;
	size_t n, i, len = 0;
	bool same_pts = true;
	struct mem m;
	FILE *f;

	c.dist[ca_dist_bucket(4096)] = 9216;
	c.dist[ca_dist_bucket(10240)] = 6144;
	n = ca_curve_sizes(&c, 6144, sizes, sizeof(sizes) / sizeof(sizes[0]));
	for (i = 0; i < n && n == 6; i++)
		if (sizes[i] != want_pages[i] ||
		    fabs(ca_predict_hit_pct(&c, sizes[i], 6144) - want_pct[i]) > 1e-9)
			same_pts = false;
	CHECK(n == 6 && same_pts, "analyze curve: a point at each bucket bound and at the store's size, the hand-computed ratios");

	mem_open(&m, false);
	jw_start_array(&m.jw);
	for (i = 0; i < n; i++) {
		jw_start_object(&m.jw);
		jw_u64_member(&m.jw, "size_bytes", sizes[i] * CA_PAGE_SIZE);
		jw_double_member(&m.jw, "predicted_hit_pct",
				 ca_predict_hit_pct(&c, sizes[i], 6144));
		jw_end_object(&m.jw);
	}
	jw_end_array(&m.jw);
	out = mem_done(&m);
	out[strcspn(out, "\n")] = 0;
	snprintf(path, sizeof(path), "%.*s/../json/examples.json",
		 (int)(strrchr(__FILE__, '/') - __FILE__), __FILE__);
	f = fopen(path, "r");
	if (f) {
		getdelim(&doc, &len, 0, f);
		fclose(f);
	}
	curve = doc ? strstr(doc, "\"curve\":") : NULL;
	CHECK(curve && !strncmp(curve + 8, out, strlen(out)),
	      "analyze curve: tests/json/examples.json holds the same points");
	if (!curve || strncmp(curve + 8, out, strlen(out)))
		printf("# %s: want %s\n", path, out);
	free(out);
	free(doc);
}

int main(void)
{
	have_python = system("command -v python3 >/dev/null 2>&1") == 0;
	printf("TAP version 13\n");
	if (!have_python)
		printf("# python3 not found: the independent parser's checks are left out\n");
	test_nesting();
	test_misuse();
	test_every_byte();
	test_utf8();
	test_numbers();
	test_print();
	test_fs_row();
	test_text_escape();
	test_curve();
	printf("1..%d\n", n);
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
