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

static void print_total_json(FILE *f, const struct cc_counts *c)
{
	struct cell cells[16];

	fill_counts_cells(cells, c, 0);
	/* the count columns of a filesystem row, without its naming */
	print_row_json(f, fs_columns + 3, 9, cells);
}

/* CSV: one header line, then a row per filesystem and a total row */
static void report_csv(const struct options *opt, struct view_ctx *v,
		       const struct fs_row *rows, size_t n,
		       const struct cc_counts *total, double span)
{
	static bool header_done;
	struct fs_view fv;
	struct cell cells[32];
	double t = wall_time();
	size_t i;

	if (!header_done) {
		printf("time,interval_s,");
		print_header_csv(stdout, fs_columns, fs_ncolumns);
		putchar('\n');
		header_done = true;
	}
	for (i = 0; i <= n; i++) {
		if (i < n) {
			if (!opt->total && counts_zero(&rows[i].c))
				continue;
			fs_view_of(v, &rows[i].key, &fv);
			fill_fs_cells(cells, &fv, &rows[i].c, 0);
		} else {
			fv = (struct fs_view){ .dev = "total", .pool = -1,
					       .stored = -1 };
			fill_fs_cells(cells, &fv, total, 0);
		}
		printf("%.3f,%.3f,", t, span);
		print_row_csv(stdout, fs_columns, fs_ncolumns, cells);
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

	if (opt->csv) {
		report_csv(opt, v, rows, now->nr_fs, &total,
			   (double)span / 1e9);
	} else if (opt->json) {
		printf("{\"time\":%.3f,\"interval_s\":%.3f,\"filesystems\":",
		       wall_time(), (double)span / 1e9);
		print_fs_rows(stdout, true, v, rows, now->nr_fs, !opt->total);
		printf(",\"total\":");
		print_total_json(stdout, &total);
		putchar(',');
		print_cost_json(stdout, cost_base, now);
		printf("}\n");
	} else {
		struct printer p = { stdout, false, fs_columns, fs_ncolumns };
		struct cell cells[32];
		struct fs_view fv = { .dev = "total", .pool = -1,
				      .stored = -1 };

		if (opt->timestamps) {
			format_clock(clock, sizeof(clock));
			printf("%s\n", clock);
		}
		print_fs_rows(stdout, false, v, rows, now->nr_fs, !opt->total);
		fill_fs_cells(cells, &fv, &total, 0);
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
	int first, ret = 0;
	long n = 0;

	if (parse_view_options(argc, argv, opt, &first, true) ||
	    parse_interval_count(argc, argv, first, opt))
		return 1;
	if (opt->csv && opt->json)
		return fail("parse arguments", "-j and --csv exclude each other");
	if (session_open(&s, opt, &cfg))
		return 1;
	view_ctx_init(&v);
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
