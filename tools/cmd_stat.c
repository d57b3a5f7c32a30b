// SPDX-License-Identifier: GPL-2.0
/*
 * ccstat stat [interval [count]]: iostat-like reports, one row per
 * filesystem that saw cleancache activity in the interval and a total
 * row; counts are per interval (or since start with --total).  With -j
 * every report is one JSON object on one line.
 */
#include <stdlib.h>
#include <string.h>
#include "views.h"

static void print_total_json(struct json_writer *jw,
			     const struct cc_counts *c, double rate_secs)
{
	struct cell cells[16];

	fill_counts_cells(cells, c, rate_secs);
	/* the count columns of a filesystem row, without its naming */
	jw_key(jw, "total");
	print_row_json(jw, (rate_secs > 0 ? fs_rate_columns : fs_columns) + 3,
		       9, cells);
}

/* CSV: one header line, then a row per filesystem and a total row */
static void report_csv(const struct options *opt, struct view_ctx *v,
		       const struct fs_row *rows, size_t n,
		       const struct cc_counts *total, double span)
{
	const struct column *cols = v->rate_secs > 0 ? fs_rate_columns :
						       fs_columns;
	static bool header_done;
	struct fs_view fv;
	struct cell cells[32];
	double t = wall_time();
	size_t i;

	if (!header_done) {
		printf("time,interval_s,");
		print_header_csv(stdout, cols, fs_ncolumns);
		putchar('\n');
		header_done = true;
	}
	for (i = 0; i <= n; i++) {
		if (i < n) {
			if (!opt->total && counts_zero(&rows[i].c))
				continue;
			fs_view_of(v, &rows[i].key, &fv);
			fill_fs_cells(cells, &fv, &rows[i].c, v->rate_secs);
		} else {
			fv = (struct fs_view){ .dev = "total", .pool = -1,
					       .stored = -1 };
			fill_fs_cells(cells, &fv, total, v->rate_secs);
		}
		printf("%.6f,%.3f,", t, span);
		print_row_csv(stdout, cols, fs_ncolumns, cells);
		putchar('\n');
	}
}

static void report(const struct options *opt, struct view_ctx *v,
		   const struct snapshot *now, const struct snapshot *base,
		   const struct snapshot *cost_base)
{
	struct fs_row *rows;
	struct cc_counts total;
	char clock[16], cost[256];
	__u64 span = now->mono_ns - base->mono_ns;

	rows = calloc(now->nr_fs ? now->nr_fs : 1, sizeof(*rows));
	if (!rows)
		return;
	snapshot_delta_fs(now, base, rows);
	sort_fs_rows(rows, now->nr_fs, SORT_GETS);
	counts_sub(&total, &now->total, &base->total);
	view_ctx_refresh(v);
	v->rate_secs = opt->rate && span ? (double)span / 1e9 : 0;

	if (opt->csv) {
		report_csv(opt, v, rows, now->nr_fs, &total,
			   (double)span / 1e9);
	} else if (opt->json) {
		struct json_writer jw;

		jw_init(&jw, stdout, opt->pretty);
		jw_start_object(&jw);
		jw_str_member(&jw, "type", "stat");
		jw_double_member(&jw, "time", wall_time());
		jw_double_member(&jw, "interval_s", (double)span / 1e9);
		jw_key(&jw, "filesystems");
		print_fs_rows(stdout, &jw, v, rows, now->nr_fs, !opt->total);
		print_total_json(&jw, &total, v->rate_secs);
		print_cost_json(&jw, cost_base, now);
		jw_end_object(&jw);
	} else {
		struct printer p = { stdout, NULL, v->rate_secs > 0 ?
				     fs_rate_columns : fs_columns,
				     fs_ncolumns, NULL };
		struct cell cells[32];
		struct fs_view fv = { .dev = "total", .pool = -1,
				      .stored = -1 };

		if (opt->timestamps) {
			format_clock(clock, sizeof(clock));
			printf("%s\n", clock);
		}
		print_fs_rows(stdout, NULL, v, rows, now->nr_fs, !opt->total);
		fill_fs_cells(cells, &fv, &total, v->rate_secs);
		print_row(&p, cells);
		if (opt->verbose) {
			format_cost(cost, sizeof(cost), cost_base, now);
			printf("%s\n", cost);
		}
		putchar('\n');
	}
	fflush(stdout);
	free(rows);
}

int cmd_stat(int argc, char **argv, struct options *opt)
{
	struct session_cfg cfg = { .count_inodes = false,
				   .count_workloads = false };
	struct snapshot start = {}, prev = {}, now = {};
	struct session *s = NULL;
	struct view_ctx v;
	__u64 deadline, step;
	int ret = 0;
	long n = 0;

	if (parse_interval_count(argc, argv, 1, opt, true))
		return EXIT_USAGE;
	if (opt->csv && opt->json)
		return usage_error("parse arguments", "-j and --csv exclude each other");
	if (session_open(&s, opt, &cfg))
		return 1;
	view_ctx_init(&v, s);
	if (session_snapshot(s, &start)) {
		ret = fail("read BPF maps", "out of memory");
		goto out;
	}
	if (opt->total) {
		/* a zero line first: the programs are attached from here */
		report(opt, &v, &start, &start, &start);
	}
	step = (__u64)(opt->interval * 1e9);
	deadline = start.mono_ns;
	prev = start;
	start.fs = NULL;	/* prev owns the rows now */
	start.inodes = NULL;
	start.workloads = NULL;
	start.nr_fs = 0;
	while (opt->count < 0 || n < opt->count) {
		bool woke;

		deadline += step;
		woke = sleep_until(deadline);
		if (!woke && !opt->total)
			break;
		if (session_snapshot(s, &now)) {
			ret = fail("read BPF maps", "out of memory");
			break;
		}
		if (opt->total)
			report(opt, &v, &now, &start, &start);
		else
			report(opt, &v, &now, &prev, &prev);
		snapshot_free(&prev);
		prev = now;
		memset(&now, 0, sizeof(now));
		n++;
		if (!woke)
			break;
	}
out:
	snapshot_free(&prev);
	snapshot_free(&now);
	view_ctx_free(&v);
	session_close(s);
	return ret;
}
