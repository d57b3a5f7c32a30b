// SPDX-License-Identifier: GPL-2.0
/*
 * ccstat [top] [interval]: the live view.  Every interval it shows the
 * counts of that interval per filesystem, per inode or per task, sorted
 * by a chosen column, with ccstat's own cost in the footer.  On a
 * terminal it is an ncurses screen (keys below); otherwise, or with -j,
 * it prints one block (or one JSON object) per interval.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <curses.h>
#include "views.h"

#define JSON_ROWS 20
#define FIRST_SCREEN_NS (500 * 1000000ull)

enum top_view { VIEW_FS, VIEW_INODES, VIEW_TASKS, VIEW_NR };

static const char *const view_names[VIEW_NR] = {
	"filesystems", "inodes", "tasks",
};

struct top {
	struct options *opt;
	struct session *s;
	struct view_ctx v;
	enum top_view view;
	enum sort_key sort;
	bool curses;
	struct snapshot prev, now;
};

/* Render the current view into @f through the print layer */
static void render(struct top *t, FILE *f, size_t max_rows)
{
	const struct snapshot *a = &t->prev, *b = &t->now;
	double secs = (double)(b->mono_ns - a->mono_ns) / 1e9;
	char clock[16], cost[256];

	format_clock(clock, sizeof(clock));
	format_cost(cost, sizeof(cost), a, b);
	t->v.rate_secs = t->opt->rate ? secs : 0;
	if (t->opt->json) {
		struct fs_row *fs = calloc(b->nr_fs + 1, sizeof(*fs));
		struct inode_row *in = calloc(b->nr_inodes + 1, sizeof(*in));
		struct workload_row *wl = calloc(b->nr_workloads + 1,
						 sizeof(*wl));

		if (fs && in && wl) {
			snapshot_delta_fs(b, a, fs);
			snapshot_delta_inodes(b, a, in);
			snapshot_delta_workloads(b, a, wl);
			sort_fs_rows(fs, b->nr_fs, t->sort);
			sort_inode_rows(in, b->nr_inodes, t->sort);
			sort_workload_rows(wl, b->nr_workloads, t->sort);
			struct json_writer jw;

			jw_init(&jw, f, t->opt->pretty);
			jw_start_object(&jw);
			jw_str_member(&jw, "type", "top");
			jw_double_member(&jw, "time", wall_time());
			jw_double_member(&jw, "interval_s", secs);
			jw_str_member(&jw, "sort", sort_name(t->sort));
			jw_key(&jw, "filesystems");
			print_fs_rows(f, &jw, &t->v, fs, b->nr_fs, false);
			jw_key(&jw, "inodes");
			/* idle inodes sort last; the top ones are what top shows */
			print_inode_rows(f, &jw, &t->v, in, b->nr_inodes,
					 JSON_ROWS);
			jw_key(&jw, "tasks");
			print_workload_rows(f, &jw, &t->v, wl, b->nr_workloads,
					    JSON_ROWS);
			print_cost_json(&jw, a, b);
			jw_end_object(&jw);
		}
		free(fs);
		free(in);
		free(wl);
		return;
	}
	fprintf(f, "ccstat %s - %s  attach %s  %s %.1f s  view %s  sort %s\n",
		CCSTAT_VERSION, clock, attach_mode_name(session_mode(t->s)),
		t->opt->rate ? "rates per second over" : "counts per",
		secs, view_names[t->view], sort_name(t->sort));
	switch (t->view) {
	case VIEW_FS: {
		struct fs_row *fs = calloc(b->nr_fs + 1, sizeof(*fs));

		if (!fs)
			break;
		snapshot_delta_fs(b, a, fs);
		sort_fs_rows(fs, b->nr_fs, t->sort);
		print_fs_rows(f, NULL, &t->v, fs, b->nr_fs, false);
		free(fs);
		break;
	}
	case VIEW_INODES: {
		struct inode_row *in = calloc(b->nr_inodes + 1, sizeof(*in));
		size_t n = 0, i;

		if (!in)
			break;
		snapshot_delta_inodes(b, a, in);
		/* idle inodes stay in the map; show the active ones */
		for (i = 0; i < b->nr_inodes; i++)
			if (!counts_zero(&in[i].c))
				in[n++] = in[i];
		sort_inode_rows(in, n, t->sort);
		print_inode_rows(f, NULL, &t->v, in, n, max_rows);
		free(in);
		break;
	}
	default: {
		struct workload_row *wl = calloc(b->nr_workloads + 1,
						 sizeof(*wl));
		size_t n = 0, i;

		if (!wl)
			break;
		snapshot_delta_workloads(b, a, wl);
		for (i = 0; i < b->nr_workloads; i++)
			if (!counts_zero(&wl[i].c))
				wl[n++] = wl[i];
		sort_workload_rows(wl, n, t->sort);
		print_workload_rows(f, NULL, &t->v, wl, n, max_rows);
		free(wl);
		break;
	}
	}
	fprintf(f, "%s\n", cost);
	if (t->curses)
		fprintf(f, "f/i/t: filesystems/inodes/tasks  s: next sort  1-7: sort by column  q: quit\n");
}

static void draw_curses(struct top *t)
{
	char *buf = NULL, *line, *save = NULL;
	size_t len = 0;
	int row = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return;
	if (!t->prev.mono_ns) {
		fclose(f);
		free(buf);
		return;
	}
	render(t, f, LINES > 6 ? (size_t)LINES - 6 : 1);
	fclose(f);
	erase();
	for (line = strtok_r(buf, "\n", &save); line && row < LINES;
	     line = strtok_r(NULL, "\n", &save), row++) {
		if (row == 1)
			attron(A_REVERSE);
		mvaddnstr(row, 0, line, COLS);
		if (row == 1)
			attroff(A_REVERSE);
	}
	refresh();
	free(buf);
}

/* Wait for the next refresh, handling keys; false to quit */
static bool wait_keys(struct top *t, __u64 deadline)
{
	int ch;

	if (!t->curses)
		return sleep_until(deadline);
	while (!exiting) {
		__u64 now = mono_ns();

		if (now >= deadline)
			return true;
		timeout((int)((deadline - now) / 1000000) + 1);
		ch = getch();
		switch (ch) {
		case 'q':
		case 'Q':
			return false;
		case 'f':
			t->view = VIEW_FS;
			break;
		case 'i':
			t->view = VIEW_INODES;
			break;
		case 't':
		case 'w':
			t->view = VIEW_TASKS;
			break;
		case '\t':
			t->view = (t->view + 1) % VIEW_NR;
			break;
		case 's':
			t->sort = (t->sort + 1) % SORT_NR;
			break;
		default:
			if (ch >= '1' && ch < '1' + SORT_NR)
				t->sort = ch - '1';
			else
				continue;
		}
		draw_curses(t);
	}
	return false;
}

int cmd_top(int argc, char **argv, struct options *opt)
{
	struct session_cfg cfg = { .count_inodes = true,
				   .count_workloads = true };
	struct top t = { .opt = opt, .sort = SORT_GETS };
	__u64 deadline, step;
	SCREEN *scr = NULL;
	int ret = 0;
	long n = 0;

	if (parse_interval_count(argc, argv, 1, opt, true))
		return EXIT_USAGE;
	if (opt->sort)
		parse_sort(opt->sort, &t.sort);
	if (session_open(&t.s, opt, &cfg))
		return 1;
	view_ctx_init(&t.v, t.s);
	if (!opt->json && isatty(STDOUT_FILENO) && isatty(STDIN_FILENO)) {
		scr = newterm(NULL, stdout, stdin);
		if (scr) {
			t.curses = true;
			cbreak();
			noecho();
			curs_set(0);
			keypad(stdscr, TRUE);
		}
	}
	/* render() compares prev with now: the last two snapshots */
	if (session_snapshot(t.s, &t.now)) {
		ret = fail("read BPF maps", "out of memory");
		goto out;
	}
	step = (__u64)(opt->interval * 1e9);
	/*
	 * The first screen comes FIRST_SCREEN_NS after attaching (or one
	 * interval, if shorter), its header saying over how long; then one
	 * every interval
	 */
	deadline = t.now.mono_ns - step +
		   (step < FIRST_SCREEN_NS ? step : FIRST_SCREEN_NS);
	while (opt->count < 0 || n++ < opt->count) {
		struct snapshot next;

		deadline += step;
		if (!wait_keys(&t, deadline))
			break;
		if (session_snapshot(t.s, &next)) {
			ret = fail("read BPF maps", "out of memory");
			break;
		}
		snapshot_free(&t.prev);
		t.prev = t.now;
		t.now = next;
		view_ctx_refresh(&t.v);
		if (t.curses) {
			draw_curses(&t);
		} else {
			render(&t, stdout, 25);
			if (!opt->json)
				putchar('\n');
			fflush(stdout);
		}
	}
out:
	if (scr) {
		endwin();
		delscreen(scr);
	}
	snapshot_free(&t.prev);
	snapshot_free(&t.now);
	view_ctx_free(&t.v);
	session_close(t.s);
	return ret;
}
