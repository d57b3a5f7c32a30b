// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests for ccstat's pure parts: counter arithmetic, ratios,
 * rates, argument parsing, formatting, snapshot deltas, the print
 * layer's inode names (its text and JSON are in test_json.c),
 * the BPF map memory bound computed from the map definitions, and the
 * reconciliation of Xen's tmem pools with the guest's counts (`ccstat
 * check`'s hypervisor line) on made-up numbers.  No BPF, no root.  Prints TAP and a
 * final "N passed, N failed" line; exits non-zero on any failure.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include "../../tools/ccstat.h"
#include "../../tools/metrics.h"
#include "../../tools/mapmem.h"
#include "../../tools/topk.h"
#include "../../tools/analyze.h"
#include "../../tools/xen_tmem.h"
#include <linux/bpf.h>

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

/* print.c needs these from main.c; tests do not print errors */
volatile sig_atomic_t exiting;
int fail(const char *what, const char *fmt, ...) { (void)what; (void)fmt; return 1; }

static void test_counts(void)
{
	struct cc_counts a = { .puts = 10, .hits = 5, .misses = 3,
			       .inval_pages = 2, .inval_inodes = 1,
			       .inval_fs = 1 };
	struct cc_counts b = { .puts = 4, .hits = 5, .misses = 1 };
	struct cc_counts d, z = {};

	counts_sub(&d, &a, &b);
	CHECK(d.puts == 6 && d.hits == 0 && d.misses == 2 &&
	      d.inval_pages == 2, "counts_sub field by field");
	counts_sub(&d, &b, &a);
	CHECK(d.puts == 0 && d.misses == 0, "counts_sub clamps a counter that went backwards");
	counts_add(&z, &a);
	counts_add(&z, &b);
	CHECK(z.puts == 14 && z.hits == 10 && z.misses == 4, "counts_add");
	CHECK(counts_gets(&a) == 8, "gets = hits + misses");
	CHECK(counts_invals(&a) == 4, "invalidations = pages + inodes + fs");
	memset(&z, 0, sizeof(z));
	CHECK(counts_zero(&z) && !counts_zero(&a), "counts_zero");
	z.backends = 1;
	CHECK(!counts_zero(&z), "counts_zero sees the last counter");
}

static void test_ratios(void)
{
	CHECK(hit_pct(0, 0) < 0, "hit%% without gets is undefined (-1)");
	CHECK(fabs(hit_pct(3, 1) - 75.0) < 1e-9, "hit%% = hits / (hits + misses)");
	CHECK(hit_pct(5, 0) == 100.0, "hit%% all hits");
	CHECK(hit_pct(0, 7) == 0.0, "hit%% all misses");
	CHECK(per_sec(10, 0) < 0, "rate over zero time is undefined");
	CHECK(fabs(per_sec(10, 2000000000ull) - 5.0) < 1e-9, "rate = delta / seconds");
	CHECK(fabs(per_sec(1, 500000000ull) - 2.0) < 1e-9, "rate over half a second");
}

static void test_parse(void)
{
	double d;
	long c;
	__u32 u, m;

	CHECK(!parse_interval("2", &d) && d == 2.0, "interval 2");
	CHECK(!parse_interval("0.5", &d) && d == 0.5, "interval 0.5");
	CHECK(parse_interval("0", &d), "interval 0 refused");
	CHECK(parse_interval("-1", &d), "negative interval refused");
	CHECK(parse_interval("1s", &d), "interval with junk refused");
	CHECK(parse_interval("", &d), "empty interval refused");
	CHECK(parse_interval("nan", &d), "NaN interval refused");
	CHECK(parse_interval("100000", &d), "interval over a day refused");
	CHECK(!parse_count("3", &c) && c == 3, "count 3");
	CHECK(parse_count("0", &c), "count 0 refused");
	CHECK(parse_count("-2", &c), "negative count refused");
	CHECK(parse_count("+2", &c), "signed count refused");
	CHECK(parse_count("99999999999999999999999", &c), "overflowing count refused");
	CHECK(!parse_pid("1", &u) && u == 1, "pid 1");
	CHECK(parse_pid("0", &u), "pid 0 refused");
	CHECK(parse_pid("4194305", &u), "pid above PID_MAX_LIMIT refused");
	CHECK(parse_pid("12a", &u), "pid with junk refused");
	CHECK(!parse_dev("8:16", &u) && u == ((8u << 20) | 16), "dev 8:16 in kernel encoding");
	CHECK(!parse_dev("0:45", &u) && kdev_major(u) == 0 && kdev_minor(u) == 45, "dev 0:45 round trip");
	CHECK(!parse_dev("259:1048575", &u) && kdev_minor(u) == 1048575, "dev with 20-bit minor");
	CHECK(parse_dev("4096:0", &u), "major over 12 bits refused");
	CHECK(parse_dev("8", &u), "dev without colon refused");
	CHECK(parse_dev(":1", &u), "dev without major refused");
	CHECK(parse_dev("8:", &u), "dev without minor refused");
	CHECK(!parse_ops("put,get", &m) && m == ((1u << CC_OP_PUT) | (1u << CC_OP_GET)), "ops put,get");
	CHECK(!parse_ops("inval", &m) && (m & (1u << CC_OP_INVAL_PAGE)) &&
	      (m & (1u << CC_OP_INVAL_INODE)) && (m & (1u << CC_OP_POOL_DESTROY)) &&
	      !(m & (1u << CC_OP_PUT)), "ops inval = page, inode, fs");
	CHECK(!parse_ops("all", &m) && m == CC_OP_MASK_ALL, "ops all");
	CHECK(parse_ops("put,frob", &m), "unknown op refused");
	CHECK(parse_ops(",", &m), "empty op list refused");
}

static void test_format(void)
{
	char b[32];
	enum sort_key k;

	format_dev(b, sizeof(b), kdev_make(254, 3));
	CHECK(!strcmp(b, "254:3"), "format_dev");
	format_count(b, sizeof(b), 99999);
	CHECK(!strcmp(b, "99999"), "format_count below 100000 is exact");
	format_count(b, sizeof(b), 123456);
	CHECK(!strcmp(b, "123K"), "format_count 123456 -> 123K");
	format_count(b, sizeof(b), 1500000);
	CHECK(!strcmp(b, "1.5M"), "format_count 1500000 -> 1.5M");
	CHECK(!strcmp(op_name(CC_OP_INVAL_INODE), "inval_inode"), "op_name");
	CHECK(!strcmp(op_name(99), "?"), "op_name out of range");
	CHECK(!parse_sort("hit%", &k) && k == SORT_HITPCT, "sort hit%%");
	CHECK(!parse_sort("misses", &k) && k == SORT_MISSES, "sort misses");
	CHECK(parse_sort("bogus", &k), "unknown sort refused");
}

static void test_sort(void)
{
	struct cc_counts a = { .hits = 1, .misses = 9 };	/* 10% */
	struct cc_counts b = { .hits = 9, .misses = 1 };	/* 90% */
	struct cc_counts c = { .puts = 100 };

	CHECK(counts_cmp(&b, &a, SORT_HITPCT) < 0, "sort by hit%% puts 90%% first");
	CHECK(counts_cmp(&a, &b, SORT_MISSES) < 0, "sort by misses");
	CHECK(counts_cmp(&c, &a, SORT_PUTS) < 0, "sort by puts");
	CHECK(counts_cmp(&a, &b, SORT_GETS) == 0, "equal keys and volume tie");
	CHECK(counts_cmp(&c, &a, SORT_HITPCT) > 0, "no gets sorts after any hit%%");
}

static void test_delta(void)
{
	struct fs_row then_rows[2] = {
		{ { 1, 0 }, { .puts = 5 } },
		{ { 2, 1 }, { .hits = 7 } },
	};
	struct fs_row now_rows[3] = {
		{ { 1, 0 }, { .puts = 8 } },
		{ { 2, 1 }, { .hits = 7, .misses = 2 } },
		{ { 3, 0 }, { .puts = 4 } },
	};
	struct snapshot then = { .fs = then_rows, .nr_fs = 2 };
	struct snapshot now = { .fs = now_rows, .nr_fs = 3 };
	struct fs_row out[3];

	snapshot_delta_fs(&now, &then, out);
	CHECK(out[0].c.puts == 3, "delta of an existing filesystem");
	CHECK(out[1].c.hits == 0 && out[1].c.misses == 2, "delta matches by (dev, pool)");
	CHECK(out[2].c.puts == 4, "a new filesystem counts from zero");
	snapshot_delta_fs(&now, NULL, out);
	CHECK(out[0].c.puts == 8, "delta against nothing is the value");
}

static bool body_is(const struct mbuf *b, const char *want)
{
	if (b->p && !strcmp(b->p, want))
		return true;
	printf("# got:\n%s# want:\n%s", b->p ? b->p : "(null)", want);
	return false;
}

static void test_metrics_escaping(void)
{
	struct mbuf b = {};

	metrics_escape_label(&b, "a\\b\"c\nd");
	CHECK(body_is(&b, "a\\\\b\\\"c\\nd"),
	      "label value: backslash, quote and newline escaped");
	mbuf_reset(&b);
	metrics_escape_help(&b, "say \"hi\"\\\n");
	CHECK(body_is(&b, "say \"hi\"\\\\\\n"),
	      "HELP text: quote kept, backslash and newline escaped");
	mbuf_reset(&b);
	metrics_escape_label(&b, "/mnt/with space/\xc3\xa9\xf0\x9f\x98\x80");
	CHECK(body_is(&b, "/mnt/with space/\xc3\xa9\xf0\x9f\x98\x80"),
	      "label value: blanks and UTF-8 pass through");
	mbuf_reset(&b);
	/*
	 * Ill-formed: a stray byte, a truncated 3-byte sequence (one
	 * U+FFFD for its maximal subpart), an overlong '/', a surrogate,
	 * a code point above U+10FFFF, a lead byte at the end.  What
	 * Python's bytes.decode("utf-8", "replace") makes of them.
	 */
	metrics_escape_label(&b, "a\xff" "b\xe2\x82" "c\xc0\xaf" "d\xed\xa0\x80" "e\xf4\x90\x80\x80\\\xe2");
	CHECK(body_is(&b, "a\xef\xbf\xbd" "b\xef\xbf\xbd" "c\xef\xbf\xbd\xef\xbf\xbd"
		      "d\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
		      "e\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\\\\\xef\xbf\xbd"),
	      "label value: ill-formed UTF-8 becomes U+FFFD, as Python decodes it");
	mbuf_reset(&b);
	metrics_escape_help(&b, "mount \xff");
	CHECK(body_is(&b, "mount \xef\xbf\xbd"), "HELP text: valid UTF-8 too");
	mbuf_free(&b);

	CHECK(metrics_valid_name("ccstat_puts_total", false) &&
	      metrics_valid_name("ccstat:hit_ratio:rate5m", false),
	      "metric names: letters, digits, underscores, colons");
	CHECK(!metrics_valid_name("9lives", false) &&
	      !metrics_valid_name("a-b", false) &&
	      !metrics_valid_name("", false) &&
	      !metrics_valid_name("a:b", true),
	      "invalid names: leading digit, dash, empty, colon in a label");
}

static void test_metrics_formats(void)
{
	const struct metric_label l[] = { { "mountpoint", "/mnt/a\"b" },
					   { "scope", "page" } };
	struct mbuf b = {};
	int i;

	CHECK(metrics_negotiate(NULL) == METRICS_TEXT &&
	      metrics_negotiate("text/plain;version=0.0.4") == METRICS_TEXT &&
	      metrics_negotiate("*/*") == METRICS_TEXT &&
	      metrics_negotiate("application/openmetrics-text;version=1.0.0,"
				"text/plain;version=0.0.4;q=0.5") ==
	      METRICS_OPENMETRICS,
	      "Accept negotiation: OpenMetrics only when asked for");
	/* Prometheus 2 and 3 */
	CHECK(metrics_negotiate("application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1") == METRICS_OPENMETRICS &&
	      metrics_negotiate("application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,application/openmetrics-text;version=0.0.1;q=0.5,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2") == METRICS_OPENMETRICS,
	      "Accept negotiation: what Prometheus sends gets OpenMetrics");
	CHECK(metrics_negotiate("application/openmetrics-text;q=0, text/plain") == METRICS_TEXT &&
	      metrics_negotiate("application/openmetrics-text; q=0.0,*/*") == METRICS_TEXT &&
	      metrics_negotiate("text/plain;q=0.9, application/openmetrics-text;q=0.5") == METRICS_TEXT &&
	      metrics_negotiate("text/plain;q=0.4, APPLICATION/OpenMetrics-Text ;q=0.5") == METRICS_OPENMETRICS &&
	      metrics_negotiate("application/openmetrics-text;q=0.5, text/*;q=0.6") == METRICS_TEXT &&
	      metrics_negotiate("application/openmetrics-text;q=0.5, */*;q=0.6, text/plain;q=0") == METRICS_OPENMETRICS,
	      "Accept negotiation: q-values decide, q=0 excludes, the most specific range counts");
	CHECK(!strncmp(metrics_content_type(METRICS_TEXT),
		       "text/plain; version=0.0.4", 25) &&
	      !strncmp(metrics_content_type(METRICS_OPENMETRICS),
		       "application/openmetrics-text; version=1.0.0", 43),
	      "content types of the two formats");

	/* the same samples in both formats: u64 exact, never via a double */
	for (i = 0; i < 2; i++) {
		enum metrics_format f = i ? METRICS_OPENMETRICS : METRICS_TEXT;

		mbuf_reset(&b);
		metrics_family(&b, f, "ccstat_x_total", "counter", "X.");
		metrics_sample_u64(&b, "ccstat_x_total", l, 2,
				   18446744073709551615ull);
		metrics_family(&b, f, "ccstat_d_seconds", "gauge", "D.");
		metrics_sample_f64(&b, "ccstat_d_seconds", NULL, 0, 0.0125);
		metrics_finish(&b, f);
		CHECK(b.p && strstr(b.p, "\nccstat_x_total{mountpoint=\"/mnt/a\\\"b\",scope=\"page\"} 18446744073709551615\n") &&
		      strstr(b.p, "\nccstat_d_seconds 0.0125\n"),
		      i ? "OpenMetrics: 2^64-1 printed exactly, a float sample as is"
			: "text format: 2^64-1 printed exactly, a float sample as is");
	}
	mbuf_reset(&b);
	metrics_family(&b, METRICS_TEXT, "ccstat_x_total", "counter", "X.");
	metrics_sample_u64(&b, "ccstat_x_total", l, 2, 18446744073709551615ull);
	metrics_family(&b, METRICS_TEXT, "ccstat_build_info", "info", "B.");
	metrics_sample_u64(&b, "ccstat_build_info", NULL, 0, 1);
	metrics_finish(&b, METRICS_TEXT);
	CHECK(body_is(&b,
		      "# HELP ccstat_x_total X.\n# TYPE ccstat_x_total counter\n"
		      "ccstat_x_total{mountpoint=\"/mnt/a\\\"b\",scope=\"page\"} 18446744073709551615\n"
		      "# HELP ccstat_build_info B.\n# TYPE ccstat_build_info gauge\n"
		      "ccstat_build_info 1\n"),
	      "text format: counter family keeps _total, info is a gauge, no EOF");
	mbuf_reset(&b);
	metrics_family(&b, METRICS_OPENMETRICS, "ccstat_x_total", "counter", "X.");
	metrics_sample_u64(&b, "ccstat_x_total", NULL, 0, 3);
	metrics_family(&b, METRICS_OPENMETRICS, "ccstat_build_info", "info", "B.");
	metrics_sample_u64(&b, "ccstat_build_info", NULL, 0, 1);
	metrics_family(&b, METRICS_OPENMETRICS, "ccstat_d_seconds", "gauge", "D.");
	metrics_sample_f64(&b, "ccstat_d_seconds", NULL, 0, 0.0125);
	metrics_finish(&b, METRICS_OPENMETRICS);
	CHECK(body_is(&b,
		      "# HELP ccstat_x X.\n# TYPE ccstat_x counter\nccstat_x_total 3\n"
		      "# HELP ccstat_build B.\n# TYPE ccstat_build info\nccstat_build_info 1\n"
		      "# HELP ccstat_d_seconds D.\n# TYPE ccstat_d_seconds gauge\n"
		      "ccstat_d_seconds 0.0125\n# EOF\n"),
	      "OpenMetrics: family names drop _total/_info, body ends in # EOF");
	mbuf_reset(&b);
	{
		const double v[] = { 0.1 + 0.2, 123456789.123456789, 1e-7 / 3,
				     4503599627370497.0, 0, 1.0 / 0.0 };
		const char *p;
		bool exact = true;
		size_t k;

		for (k = 0; k < sizeof(v) / sizeof(v[0]); k++)
			metrics_sample_f64(&b, "x", NULL, 0, v[k]);
		for (p = b.p, k = 0; p && k < sizeof(v) / sizeof(v[0]); k++) {
			double r = strcmp(p + 2, "+Inf\n") ? strtod(p + 2, NULL) :
				   1.0 / 0.0;

			exact &= r == v[k];
			p = strchr(p, '\n');
			p = p ? p + 1 : NULL;
		}
		CHECK(exact && strstr(b.p, "x 0.30000000000000004\nx 123456789.12345679\n") &&
		      strstr(b.p, "x 0\nx +Inf\n"),
		      "float samples: the shortest text that reads back as the same double");
	}
	mbuf_free(&b);
}

static int count_of(const char *s, const char *needle)
{
	int n = 0;

	while (s && (s = strstr(s, needle))) {
		n++;
		s++;
	}
	return n;
}

static void test_metrics_render(void)
{
	struct metrics_fs fs = {
		.device = "/dev/vda", .fstype = "ext4",
		.mountpoint = "/mnt/ext4", .stored_bytes = 42 * 4096,
		.c = { .puts = 10, .puts_refused = 1, .hits = 6, .misses = 4,
		       .inval_pages = 2, .inval_inodes = 1 },
	};
	struct metrics_inode ino[] = {
		{ .device = "/dev/vda", .mountpoint = "/mnt/ext4", .ino = 12,
		  .c = { .hits = 5, .misses = 1 } },
		{ .device = "/dev/vda", .mountpoint = "/mnt/ext4",
		  .other = true, .c = { .hits = 1, .misses = 3 } },
	};
	struct metrics_pool pool = {
		.device = "/dev/vda", .fstype = "ext4",
		.mountpoint = "/mnt/ext4", .pool = 5,
	};
	struct metrics_input in = {
		.fs = &fs, .nfs = 1, .inodes_on = true, .inodes = ino,
		.ninodes = 2, .pools = 2, .backend = "tmem_local",
		.version = "0.1.0", .attach = "tp_btf",
		.drops = { .events_lost = 7, .inode_full = 3 },
		.pools_info = &pool, .npools_info = 1, .scrapes = -1,
		.store = { .present = true, .capacity_bytes = 1 << 20,
			   .stored_bytes = 8192, .evictions = 9,
			   .shrinker_freed = 4 },
	};
	struct mbuf b = {};

	metrics_render(&b, METRICS_TEXT, &in);
	metrics_render_scrape(&b, METRICS_TEXT, 0.5);
	CHECK(b.p && !strstr(b.p, "ccstat_hits_total") &&
	      strstr(b.p, "ccstat_gets_total{device=\"/dev/vda\",fstype=\"ext4\",mountpoint=\"/mnt/ext4\",result=\"hit\"} 6\n") &&
	      strstr(b.p, "ccstat_gets_total{device=\"/dev/vda\",fstype=\"ext4\",mountpoint=\"/mnt/ext4\",result=\"miss\"} 4\n") &&
	      count_of(b.p, "# TYPE ccstat_gets_total counter\n") == 1,
	      "render: gets one family, hit and miss by result, node_exporter labels");
	CHECK(b.p && strstr(b.p, ",result=\"refused\"} 1\n") &&
	      !strstr(b.p, "scope=") &&
	      strstr(b.p, "ccstat_invalidated_pages_total{device=\"/dev/vda\",fstype=\"ext4\",mountpoint=\"/mnt/ext4\"} 2\n") &&
	      strstr(b.p, "ccstat_invalidated_inodes_total{device=\"/dev/vda\",fstype=\"ext4\",mountpoint=\"/mnt/ext4\"} 1\n") &&
	      strstr(b.p, "ccstat_invalidated_filesystems_total{device=\"/dev/vda\",fstype=\"ext4\",mountpoint=\"/mnt/ext4\"} 0\n") &&
	      strstr(b.p, "ccstat_stored_bytes{device=\"/dev/vda\",fstype=\"ext4\",mountpoint=\"/mnt/ext4\"} 172032\n"),
	      "render: puts by result, a family per invalidation scope, bytes stored");
	CHECK(b.p && strstr(b.p, "ccstat_pool_info{device=\"/dev/vda\",fstype=\"ext4\",mountpoint=\"/mnt/ext4\",pool=\"5\"} 1\n") &&
	      count_of(b.p, "pool=\"") == 1,
	      "render: the pool id only in ccstat_pool_info");
	CHECK(b.p && strstr(b.p, "ccstat_store_capacity_bytes 1048576\n") &&
	      strstr(b.p, "ccstat_store_stored_bytes 8192\n") &&
	      strstr(b.p, "ccstat_store_evictions_total 9\n") &&
	      strstr(b.p, "ccstat_store_shrinker_freed_total 4\n"),
	      "render: store capacity, stored bytes, evictions, shrinker frees");
	CHECK(b.p && strstr(b.p, "inode=\"12\",result=\"hit\"} 5\n") &&
	      strstr(b.p, "inode=\"other\",result=\"miss\"} 3\n") &&
	      !strstr(b.p, "ccstat_inode_hits_total") && !strstr(b.p, "pid="),
	      "render: top inodes plus an other bucket, never a pid label");
	CHECK(b.p && !strstr(b.p, "events_lost") &&
	      strstr(b.p, "ccstat_map_full_drops_total{map=\"inode\"} 3\n") &&
	      strstr(b.p, "ccstat_backend_info{backend=\"tmem_local\"} 1\n") &&
	      strstr(b.p, "ccstat_pools 2\n") &&
	      strstr(b.p, "ccstat_build_info{version=\"0.1.0\",attach=\"tp_btf\"} 1\n") &&
	      strstr(b.p, "ccstat_scrape_duration_seconds 0.5\n"),
	      "render: health (no events_lost: export has no ring buffer), pools, backend and build info");
	CHECK(b.p && !strstr(b.p, "ccstat_bpf_run") && !strstr(b.p, "ccstat_scrapes_total"),
	      "render: no BPF run-time series while the stats are off, no scrape count without HTTP");
	mbuf_reset(&b);
	in.bpf_stats = true;
	in.bpf_run_ns = 1500000001;
	in.bpf_run_cnt = 12;
	in.scrapes = 4;
	metrics_render(&b, METRICS_TEXT, &in);
	CHECK(b.p && strstr(b.p, "ccstat_bpf_run_seconds_total 1.500000001\n") &&
	      strstr(b.p, "ccstat_bpf_runs_total 12\n") &&
	      strstr(b.p, "ccstat_scrapes_total 4\n"),
	      "render: BPF run time and runs with the stats on, scrapes answered");
	CHECK(b.p && !strstr(b.p, "_ratio"), "render: no ratio gauges");
	mbuf_free(&b);
}

/* The value of the sample line that starts with @head, or -1 */
static double sample_of(const char *body, const char *head)
{
	const char *p = body;
	size_t n = strlen(head);

	while (p && *p) {
		if (!strncmp(p, head, n) && p[n] == ' ')
			return strtod(p + n + 1, NULL);
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return -1;
}

static void test_metrics_analyze(void)
{
	struct metrics_analyze_acc acc;
	struct ca_fs c = {}, c2;
	struct metrics_analyze_fs fs = {
		.device = "/dev/vda", .fstype = "ext4",
		.mountpoint = "/mnt/ext4", .c = &c, .acc = &acc,
		.predicted = { 0.1, 0.2, 0.25, 0.5, -1 },
	};
	struct metrics_analyze a = {
		.fs = &fs, .nfs = 1, .sample_rate = 0.5,
		.capacity_bytes = 512 * 4096, .timed = true,
		.lat_sum_s = { 0.25, 0.5 },
	};
	struct metrics_input in = { .version = "0.1.0", .attach = "tp_btf",
				    .pools = -1 };
	const char *h = "ccstat_analyze_reuse_distance_puts_bucket{device=\"/dev/vda\",fstype=\"ext4\",mountpoint=\"/mnt/ext4\",le=";
	char name[256];
	struct mbuf b = {};
	double before;

	/* every get sampled: the causes are the sampled ones, exactly */
	metrics_analyze_acc_init(&acc);
	c.misses = c.misses_sampled = 30;
	c.cause[CA_COLD] = 20;
	c.cause[CA_EVICTED] = 10;
	c.hits = 5;
	metrics_analyze_acc_update(&acc, &c, -1);
	CHECK(acc.misses[CA_COLD] == 20 && acc.misses[CA_EVICTED] == 10 &&
	      acc.disk_s < 0 && acc.unpriced == 40,
	      "analyze export: causes exact at rate 1, disk time unknown without a timed read");
	/* a scrape with misses but no sampled miss: they wait for one */
	c2 = c;
	c2.misses += 100;
	metrics_analyze_acc_update(&acc, &c2, 1000);
	CHECK(acc.misses[CA_COLD] == 20 && acc.unattributed == 100 &&
	      fabs(acc.disk_s - 40e-6) < 1e-12 && !acc.unpriced,
	      "analyze export: misses wait for a sampled miss; saved sectors priced once known");
	before = acc.misses[CA_COLD];
	c2.misses += 100;
	c2.misses_sampled += 20;
	c2.cause[CA_EVICTED] += 20;	/* the new sample says: all evicted */
	metrics_analyze_acc_update(&acc, &c2, 1000);
	CHECK(acc.misses[CA_COLD] == before && acc.misses[CA_EVICTED] == 210 &&
	      !acc.unattributed,
	      "analyze export: estimates only grow (no counter reset), and add up to the misses");

	/* distances: 10 gets at d = 5 (need 6 pages), 3 at d = 511, 2 at d = 512 */
	memset(&c, 0, sizeof(c));
	c.gets_sampled = 20;
	c.hits = 3;
	c.put_ns = 250000000;
	c.dist[ca_dist_bucket(5)] = 10;
	c.dist[ca_dist_bucket(511)] = 3;
	c.dist[ca_dist_bucket(512)] = 2;
	a.lat[1].slot[9] = 4;		/* 512..1023 ns */
	a.lat[1].slot[20] = 1;		/* about 1 ms */
	in.analyze = &a;
	metrics_render(&b, METRICS_TEXT, &in);
	snprintf(name, sizeof(name), "%s\"16\"}", h);
	CHECK(b.p && sample_of(b.p, name) == 10, "analyze export: le=16 holds a get 6 puts away");
	snprintf(name, sizeof(name), "%s\"512\"}", h);
	CHECK(b.p && sample_of(b.p, name) == 13,
	      "analyze export: le=512 holds d = 511 (a 512-page store keeps it), not d = 512");
	snprintf(name, sizeof(name), "%s\"+Inf\"}", h);
	CHECK(b.p && sample_of(b.p, name) == 15 &&
	      sample_of(b.p, "ccstat_analyze_reuse_distance_puts_count{device=\"/dev/vda\",fstype=\"ext4\",mountpoint=\"/mnt/ext4\"}") == 15 &&
	      strstr(b.p, "# TYPE ccstat_analyze_reuse_distance_puts histogram\n"),
	      "analyze export: +Inf bucket = count = gets with a distance");
	CHECK(b.p && sample_of(b.p, "ccstat_analyze_op_latency_seconds_bucket{op=\"get\",le=\"1.024e-06\"}") == 4 &&
	      sample_of(b.p, "ccstat_analyze_op_latency_seconds_bucket{op=\"get\",le=\"+Inf\"}") == 5 &&
	      sample_of(b.p, "ccstat_analyze_op_latency_seconds_sum{op=\"get\"}") == 0.5,
	      "analyze export: latency histogram in seconds, log2 bounds");
	CHECK(b.p && sample_of(b.p, "ccstat_analyze_predicted_hit_ratio{device=\"/dev/vda\",fstype=\"ext4\",mountpoint=\"/mnt/ext4\",factor=\"0.25\"}") == 0.1 &&
	      !strstr(b.p, "factor=\"4\"") &&
	      sample_of(b.p, "ccstat_analyze_store_capacity_bytes") == 512 * 4096 &&
	      sample_of(b.p, "ccstat_analyze_sample_rate") == 0.5,
	      "analyze export: predicted ratio per factor (none where unknown), capacity, sample rate");
	CHECK(b.p && sample_of(b.p, "ccstat_analyze_saved_bytes_total{device=\"/dev/vda\",fstype=\"ext4\",mountpoint=\"/mnt/ext4\"}") == 3 * 4096 &&
	      sample_of(b.p, "ccstat_analyze_cpu_seconds_total{device=\"/dev/vda\",fstype=\"ext4\",mountpoint=\"/mnt/ext4\",op=\"put\"}") == 0.25 &&
	      sample_of(b.p, "ccstat_analyze_misses_total{device=\"/dev/vda\",fstype=\"ext4\",mountpoint=\"/mnt/ext4\",cause=\"evicted\"}") == 210 &&
	      strstr(b.p, "ccstat_analyze_evictions_total{device=\"/dev/vda\",fstype=\"ext4\",mountpoint=\"/mnt/ext4\",reason=\"silent\"} 0\n"),
	      "analyze export: saved bytes = hits x page, CPU seconds per op, causes, evictions by reason");
	mbuf_reset(&b);
	in.analyze = NULL;
	metrics_render(&b, METRICS_TEXT, &in);
	CHECK(b.p && !strstr(b.p, "ccstat_analyze_"), "analyze export: no analyze series without --analyze");
	mbuf_free(&b);
}

/* analyze.c: buckets, the sizing prediction, cause scaling, worth */
static void test_analyze(void)
{
	struct ca_fs c = {};
	struct ca_worth w;
	__u64 d, lo, hi;
	char line[256];
	bool ok = true;
	int b;

	/* every distance falls in the bucket whose bounds hold it */
	for (d = 0; d < 100000; d += 1 + d / 7) {
		b = ca_dist_bucket(d);
		ca_dist_bounds(b, &lo, &hi);
		ok &= b >= 0 && b < CA_DIST_BUCKETS && lo <= d && d < hi;
		/* a bucket spans at most a quarter of its lower bound */
		ok &= d < 4 || (hi - lo) * 4 <= lo;
	}
	CHECK(ok, "analyze: distance buckets hold their distances, 4 per power of two");
	CHECK(ca_dist_bucket(~0ull) == CA_DIST_BUCKETS - 1,
	      "analyze: huge distances land in the last bucket");

	/* 100 gets: 40 came 1000 puts after their put, 30 at 5000, 30 cold */
	c.gets_sampled = 100;
	c.dist[ca_dist_bucket(1000)] = 40;
	c.dist[ca_dist_bucket(5000)] = 30;
	CHECK(ca_predict_hit_pct(&c, 512, 512) == 0,
	      "analyze: a store smaller than every distance hits nothing");
	CHECK(ca_predict_hit_pct(&c, 2048, 512) == 40,
	      "analyze: a store between the two distances keeps the nearer");
	CHECK(ca_predict_hit_pct(&c, 8192, 512) == 70,
	      "analyze: a store above both distances keeps all but the cold");
	ca_dist_bounds(ca_dist_bucket(1000), &lo, &hi);
	CHECK(fabs(ca_predict_hit_pct(&c, (lo + hi) / 2, 512) - 20) < 1e-9,
	      "analyze: a size inside a bucket takes its share linearly");
	c.hit_no_dist = 10;
	CHECK(ca_predict_hit_pct(&c, 8192, 8192) == 80 &&
	      ca_predict_hit_pct(&c, 4096, 8192) == 40,
	      "analyze: hits put before tracking count at the current size and up");
	c = (struct ca_fs){};
	CHECK(ca_predict_hit_pct(&c, 1, 1) < 0 && ca_sampled_hit_pct(&c) < 0,
	      "analyze: no sampled get, no prediction");

	/* 1 key in 4 sampled: 25 of 100 misses seen, 20 evicted, 5 cold */
	c.hits = 50;
	c.misses = 100;
	c.gets_sampled = 38;
	c.misses_sampled = 25;
	c.cause[CA_EVICTED] = 20;
	c.cause[CA_COLD] = 5;
	CHECK(ca_cause_estimate(&c, CA_EVICTED) == 80 &&
	      ca_cause_estimate(&c, CA_COLD) == 20 &&
	      ca_cause_estimate(&c, CA_REFUSED) == 0,
	      "analyze: causes scale from the sampled misses to all misses");
	CHECK(fabs(ca_tracked_share(&c) - 38.0 / 150) < 1e-12,
	      "analyze: the tracked share is sampled gets over gets");

	c.puts = 200;
	c.put_ns = 2000000;
	c.put_timed = 200;
	c.get_ns = 1000000;
	c.get_timed = 150;
	ca_worth_of(&c, 100, &w);
	CHECK(w.put_efficiency == 0.25 && w.bytes_per_hit == 250.0 * 4096 / 50 &&
	      w.saved_bytes == 50 * 4096 && w.saved_sectors == 400 &&
	      fabs(w.saved_disk_s - 400 * 100 / 1e9) < 1e-15 &&
	      fabs(w.cpu_s - 0.003) < 1e-12 && w.put_avg_us == 10,
	      "analyze: worth from hits, puts, the device's time per sector and op time");
	ca_worth_line(line, sizeof(line), &w);
	CHECK(!strcmp(line, "saved 200.0 KiB of reads (≈ 40 µs of disk time) for 3 ms of CPU copying"),
	      "analyze: the worth line reads as a sentence");
	ca_worth_of(&c, -1, &w);
	CHECK(w.saved_disk_s < 0, "analyze: no timed read on the device, no disk time");
}

static void test_metrics_listen(void)
{
	struct sockaddr_storage ss;
	unsigned int len;

	CHECK(!metrics_parse_listen(":9587", &ss, &len) &&
	      ss.ss_family == AF_INET &&
	      ((struct sockaddr_in *)&ss)->sin_addr.s_addr == htonl(0x7f000001) &&
	      ((struct sockaddr_in *)&ss)->sin_port == htons(9587),
	      "listen :PORT means loopback");
	CHECK(!metrics_parse_listen("0.0.0.0:80", &ss, &len) &&
	      !metrics_parse_listen("[::1]:9587", &ss, &len) &&
	      ss.ss_family == AF_INET6,
	      "listen: explicit IPv4 and bracketed IPv6");
	CHECK(!metrics_parse_listen("localhost:1", &ss, &len) &&
	      ss.ss_family == AF_INET &&
	      ((struct sockaddr_in *)&ss)->sin_addr.s_addr == htonl(0x7f000001) &&
	      ((struct sockaddr_in *)&ss)->sin_port == htons(1),
	      "listen localhost:PORT is loopback");
	CHECK(!metrics_parse_listen("[::]:9587", &ss, &len) &&
	      ss.ss_family == AF_INET6 &&
	      ((struct sockaddr_in6 *)&ss)->sin6_port == htons(9587),
	      "listen [::]:PORT: every IPv6 address");
	CHECK(metrics_parse_listen("[::1:80", &ss, &len) &&
	      metrics_parse_listen("[]:80", &ss, &len) &&
	      metrics_parse_listen("127.0.0.1", &ss, &len) &&
	      metrics_parse_listen("127.0.0.1:0", &ss, &len) &&
	      metrics_parse_listen("127.0.0.1:65536", &ss, &len) &&
	      metrics_parse_listen("127.0.0.1:9x", &ss, &len),
	      "listen: bad brackets, missing or bad ports rejected");
}

static void test_inode_path(void)
{
	struct cc_inode_name nm = { .name = "f", .parent = "/" };
	char buf[256];

	format_inode_path(buf, sizeof(buf), "/mnt/ext4", &nm);
	CHECK(!strcmp(buf, "/mnt/ext4/f"), "inode path: a file at the top");
	format_inode_path(buf, sizeof(buf), "/", &nm);
	CHECK(!strcmp(buf, "/f"), "inode path: on the root filesystem");
	snprintf(nm.parent, sizeof(nm.parent), "dir");
	format_inode_path(buf, sizeof(buf), "/mnt/btrfs", &nm);
	CHECK(!strcmp(buf, "/mnt/btrfs/.../dir/f"), "inode path: deeper, parent named");
	memset(nm.name, 'n', sizeof(nm.name));	/* no NUL: full length */
	format_inode_path(buf, sizeof(buf), NULL, &nm);
	CHECK(strlen(buf) == strlen("/.../dir/") + CC_DNAME_LEN,
	      "inode path: a name filling its field, no mount known");
}

static __u64 pin_hits(const struct topk *t, __u64 ino)
{
	size_t i;

	for (i = 0; i < t->npins; i++)
		if (t->pins[i].key.ino == ino)
			return t->pins[i].acc.hits;
	return ~0ull;	/* not in the set */
}

static __u64 other_hits(const struct topk *t)
{
	return t->nothers == 1 ? t->others[0].c.hits : ~0ull;
}

/*
 * The exporter's --top-inodes set: chosen on the timer, every read
 * counted, "other" only what non-members did
 */
static void test_topk(void)
{
	struct inode_row r[3] = {
		{ .key = { .dev = 1, .ino = 1 }, .c = { .hits = 10 } },
		{ .key = { .dev = 1, .ino = 2 }, .c = { .hits = 5 } },
		{ .key = { .dev = 1, .ino = 3 }, .c = { .hits = 1 } },
	};
	struct topk t = {};

	topk_choose(&t, r, 3, 2);
	CHECK(t.npins == 2 && pin_hits(&t, 1) == 10 && pin_hits(&t, 2) == 5 &&
	      other_hits(&t) == 16,
	      "top-K: the 2 busiest inodes start at their own counts; other has what came before");
	r[2].c.hits = 21;	/* inode 3 busy, 1 and 2 idle */
	r[0].c.hits = 12;
	topk_account(&t, r, 3);
	CHECK(pin_hits(&t, 1) == 12 && pin_hits(&t, 2) == 5 &&
	      pin_hits(&t, 3) == ~0ull && other_hits(&t) == 36,
	      "top-K: a scrape counts, but does not change the set");
	topk_account(&t, r, 3);
	CHECK(pin_hits(&t, 1) == 12 && pin_hits(&t, 3) == ~0ull &&
	      other_hits(&t) == 36,
	      "top-K: a second scrape between choices sees the same set and counts");
	r[2].c.hits = 22;
	topk_choose(&t, r, 3, 2);
	CHECK(pin_hits(&t, 3) == 22 && pin_hits(&t, 1) == 12 &&
	      pin_hits(&t, 2) == ~0ull && other_hits(&t) == 37,
	      "top-K: a newcomer starts at its own count; the leaver's 5 do not go to other");
	r[0].c.hits = 13;
	topk_choose(&t, r, 2, 2);	/* inode 3 aged out of the map */
	CHECK(pin_hits(&t, 3) == 22 && pin_hits(&t, 1) == 13 &&
	      pin_hits(&t, 2) == ~0ull && other_hits(&t) == 37,
	      "top-K: a member whose row aged out keeps its place and count on a tie");
	r[2].c.hits = 3;	/* back in the map, from zero */
	r[1].c.hits = 7;
	topk_account(&t, r, 3);
	CHECK(pin_hits(&t, 3) == 25 && other_hits(&t) == 39,
	      "top-K: a row back from zero counts from zero; other gets what the leaver did since");
	topk_free(&t);
}

/* Map memory from the map definitions: the targets of issue 12 */
/* A private Xen pool and the guest's counts for it, quiet in between */
static void hv_private(struct xen_tmem_pool *x, struct xen_tmem_guest_pool *g,
		       uint32_t id, uint64_t pages, uint64_t xen_puts,
		       uint64_t xen_gets, uint64_t puts, uint64_t gets)
{
	memset(x, 0, sizeof(*x));
	x->id = id;
	x->pages = pages;
	x->good_puts = xen_puts;
	x->found_gets = xen_gets;
	memset(g, 0, sizeof(*g));
	g->pool = (int)id;
	g->puts_lo = g->puts_hi = puts;
	g->gets_lo = g->gets_hi = gets;
}

/* One private pool, quiet while read: Xen's numbers, the guest's, verdict */
static const struct hv_case {
	uint64_t pages, xen_puts, xen_gets, puts, gets;
	enum xen_tmem_verdict want;
	uint64_t bound;
	const char *status, *what;
} hv_cases[] = {
	{ 32, 64, 32, 64, 32, XEN_TMEM_CONSISTENT, 32, "ok",
	  "xen_tmem: 64 put, 32 read back: Xen holds the 32 left: ok" },
	{ 33, 64, 32, 64, 32, XEN_TMEM_PAGES_EXCEED, 32, "FAIL",
	  "xen_tmem: one page more in Xen than left: FAIL" },
	{ 64, 64, 32, 64, 32, XEN_TMEM_PAGES_EXCEED, 32, "FAIL",
	  "xen_tmem: a get that did not take the page out: FAIL" },
	{ 10, 64, 32, 64, 32, XEN_TMEM_CONSISTENT, 32, "ok",
	  "xen_tmem: fewer in Xen (evicted or flushed): ok" },
	{ 32, 63, 32, 64, 32, XEN_TMEM_PUTS_DIFFER, 32, "FAIL",
	  "xen_tmem: Xen counted one put less: FAIL" },
	{ 32, 65, 32, 64, 32, XEN_TMEM_PUTS_DIFFER, 32, "FAIL",
	  "xen_tmem: ... one put more: FAIL" },
	{ 31, 64, 33, 64, 32, XEN_TMEM_GETS_DIFFER, 32, "FAIL",
	  "xen_tmem: Xen counted a hit the guest did not: FAIL" },
	{ 0, 4, 4, 4, 4, XEN_TMEM_CONSISTENT, 0, "ok",
	  "xen_tmem: every page read back: nothing left, ok" },
};

static void test_xen_tmem_reconcile(void)
{
	struct xen_tmem_reconciled r[6];
	struct xen_tmem_guest_pool g[3];
	struct xen_tmem_pool x[3];
	size_t i, n;

	for (i = 0; i < sizeof(hv_cases) / sizeof(hv_cases[0]); i++) {
		const struct hv_case *c = &hv_cases[i];

		hv_private(&x[0], &g[0], 0, c->pages, c->xen_puts, c->xen_gets,
			   c->puts, c->gets);
		n = xen_tmem_reconcile(g, 1, x, 1, r);
		CHECK(n == 1 && r[0].verdict == c->want &&
		      r[0].guest_bound == c->bound &&
		      !strcmp(xen_tmem_verdict_status(r[0].verdict), c->status),
		      c->what);
	}

	/* Counts that moved while Xen answered: judged within them */
	hv_private(&x[0], &g[0], 1, 34, 62, 31, 0, 0);
	g[0].puts_lo = 60, g[0].puts_hi = 64, g[0].gets_lo = 30, g[0].gets_hi = 32;
	n = xen_tmem_reconcile(g, 1, x, 1, r);
	CHECK(n == 1 && r[0].verdict == XEN_TMEM_CONSISTENT &&
	      r[0].guest_bound == 34,
	      "xen_tmem: moving counts: bound is puts after - hits before");
	x[0].pages = 35;
	n = xen_tmem_reconcile(g, 1, x, 1, r);
	CHECK(n == 1 && r[0].verdict == XEN_TMEM_PAGES_EXCEED,
	      "xen_tmem: moving counts: one page above that bound: FAIL");
	x[0].pages = 34, x[0].good_puts = 59;
	n = xen_tmem_reconcile(g, 1, x, 1, r);
	CHECK(n == 1 && r[0].verdict == XEN_TMEM_PUTS_DIFFER,
	      "xen_tmem: moving counts: Xen's puts below the first read: FAIL");

	/* Pools on one side only */
	hv_private(&x[0], &g[0], 0, 5, 5, 0, 5, 0);
	hv_private(&x[1], &g[1], 1, 7, 7, 0, 7, 0);
	g[1].pool = 2;
	n = xen_tmem_reconcile(g, 2, x, 2, r);
	CHECK(n == 3 && r[0].verdict == XEN_TMEM_CONSISTENT &&
	      r[1].verdict == XEN_TMEM_NO_GUEST_POOL && r[1].pool == 1 &&
	      r[2].verdict == XEN_TMEM_NO_XEN_POOL && r[2].pool == 2 &&
	      !strcmp(xen_tmem_verdict_status(r[1].verdict), "FAIL") &&
	      !strcmp(xen_tmem_verdict_status(r[2].verdict), "FAIL"),
	      "xen_tmem: a pool only Xen or only the guest has: FAIL");
	n = xen_tmem_reconcile(g, 0, x, 0, r);
	CHECK(n == 0, "xen_tmem: no pools anywhere: nothing to say");

	/* Two ids naming one shared pool (ocfs2 clones): one entry */
	hv_private(&x[0], &g[0], 3, 64, 64, 64, 64, 64);
	hv_private(&x[1], &g[1], 4, 64, 64, 64, 0, 0);
	x[0].shared = x[1].shared = true;
	memset(x[0].uuid, 0xab, 16);
	memset(x[1].uuid, 0xab, 16);
	n = xen_tmem_reconcile(g, 2, x, 2, r);
	CHECK(n == 1 && r[0].ids == 2 && r[0].verdict == XEN_TMEM_SHARED &&
	      r[0].guest_puts == 64 && r[0].guest_gets == 64 &&
	      !strcmp(xen_tmem_verdict_status(r[0].verdict), "info"),
	      "xen_tmem: a shared pool named by two ids is shown once, not judged");
}

/* The plan's entry for map @name, or NULL: a renamed map fails the check */
static const struct map_plan *plan_map(const struct map_plan *p, size_t n,
				       const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(p[i].name, name))
			return &p[i];
	return NULL;
}

static void test_map_memory(void)
{
	struct map_needs stat = { .page_size = 4096 };
	struct map_needs top = { .inodes = true, .workloads = true,
				 .page_size = 4096 };
	struct map_needs trace = { .ringbuf_bytes = 1 << 20,
				   .page_size = 65536 };
	const struct map_plan *m, *w;
	struct map_plan p[CC_NR_MAPS];
	size_t n;
	__u64 b2, b256;

	n = map_plan_for(&stat, p);
	b2 = map_plan_bound(p, n, 2);
	b256 = map_plan_bound(p, n, 256);
	printf("# stat: bound %llu bytes on 2 CPUs, %llu on 256\n",
	       (unsigned long long)b2, (unsigned long long)b256);
	CHECK(b256 <= 8ull << 20, "stat: BPF maps <= 8 MiB on 256 CPUs");
	m = plan_map(p, n, "inode_stats");
	w = plan_map(p, n, "workload_stats");
	CHECK(m && w && m->max_entries == 1 && w->max_entries == 1,
	      "stat: inode and workload maps found, one entry each");
	n = map_plan_for(&top, p);
	b2 = map_plan_bound(p, n, 2);
	b256 = map_plan_bound(p, n, 256);
	printf("# top: bound %llu bytes on 2 CPUs, %llu on 256\n",
	       (unsigned long long)b2, (unsigned long long)b256);
	CHECK(b256 <= 64ull << 20, "top: BPF maps <= 64 MiB on 256 CPUs");
	m = plan_map(p, n, "inode_stats");
	CHECK(m && m->max_entries == CC_MAX_INODES &&
	      m->type == BPF_MAP_TYPE_LRU_HASH,
	      "top: inode map found, a shared LRU hash (ages out, no per-CPU copies)");
	n = map_plan_for(&trace, p);
	m = plan_map(p, n, "events");
	CHECK(m && m->max_entries % 65536 == 0 &&
	      !(m->max_entries & (m->max_entries - 1)),
	      "trace: ring buffer found, a power of two and of 64 KiB pages");
	CHECK(ringbuf_size(4096, 65536) == 65536 && ringbuf_size(0, 4096) == 4096 &&
	      ringbuf_size(5000, 4096) == 8192,
	      "ring buffer size: rounded up to a power of two and a page");
}

int main(void)
{
	printf("TAP version 13\n");
	test_counts();
	test_ratios();
	test_parse();
	test_format();
	test_sort();
	test_delta();
	test_metrics_escaping();
	test_metrics_formats();
	test_metrics_render();
	test_metrics_analyze();
	test_analyze();
	test_metrics_listen();
	test_inode_path();
	test_map_memory();
	test_topk();
	test_xen_tmem_reconcile();
	printf("1..%d\n", n);
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
