// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers the views share (see views.h): naming rows, sorting them and
 * printing them through the print layer, and timekeeping.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "views.h"

void view_ctx_init(struct view_ctx *v, struct session *s)
{
	memset(v, 0, sizeof(*v));
	v->s = s;
	view_ctx_refresh(v);
}

void view_ctx_refresh(struct view_ctx *v)
{
	mounts_free(&v->mt);
	mounts_load(&v->mt);
	free(v->kp);
	v->kp = NULL;
	v->nkp = 0;
	kpools_read(&v->kp, &v->nkp);
}

void view_ctx_free(struct view_ctx *v)
{
	mounts_free(&v->mt);
	free(v->kp);
	memset(v, 0, sizeof(*v));
}

void fs_view_of(const struct view_ctx *v, const struct cc_fs_key *k,
		struct fs_view *out)
{
	const struct mount_info *m = mounts_find(&v->mt, k->dev);
	size_t i;

	format_dev(out->dev, sizeof(out->dev), k->dev);
	out->fstype = m ? m->fstype : NULL;
	out->mount = m ? m->mountpoint : NULL;
	out->pool = k->pool;
	out->stored = -1;
	for (i = 0; i < v->nkp; i++) {
		if (v->kp[i].pool != k->pool || v->kp[i].dev != k->dev)
			continue;
		out->stored = v->kp[i].stored;
		if (!out->fstype)
			out->fstype = v->kp[i].fstype;
	}
}

static enum sort_key cur_sort;

static int fs_cmp(const void *a, const void *b)
{
	return counts_cmp(&((const struct fs_row *)a)->c,
			  &((const struct fs_row *)b)->c, cur_sort);
}

static int inode_cmp(const void *a, const void *b)
{
	return counts_cmp(&((const struct inode_row *)a)->c,
			  &((const struct inode_row *)b)->c, cur_sort);
}

static int workload_cmp(const void *a, const void *b)
{
	return counts_cmp(&((const struct workload_row *)a)->c,
			  &((const struct workload_row *)b)->c, cur_sort);
}

void sort_fs_rows(struct fs_row *rows, size_t n, enum sort_key key)
{
	cur_sort = key;
	qsort(rows, n, sizeof(*rows), fs_cmp);
}

void sort_inode_rows(struct inode_row *rows, size_t n, enum sort_key key)
{
	cur_sort = key;
	qsort(rows, n, sizeof(*rows), inode_cmp);
}

void sort_workload_rows(struct workload_row *rows, size_t n,
			enum sort_key key)
{
	cur_sort = key;
	qsort(rows, n, sizeof(*rows), workload_cmp);
}

void print_fs_rows(FILE *f, struct json_writer *jw, const struct view_ctx *v,
		   const struct fs_row *rows, size_t n, bool skip_idle)
{
	const struct column *cols = v->rate_secs > 0 ? fs_rate_columns : fs_columns;
	struct printer p = { f, jw, cols, fs_ncolumns, NULL };
	struct cell cells[32];
	struct fs_view fv;
	size_t i;

	if (jw)
		jw_start_array(jw);
	else
		print_header(&p);
	for (i = 0; i < n; i++) {
		if (skip_idle && counts_zero(&rows[i].c))
			continue;
		fs_view_of(v, &rows[i].key, &fv);
		fill_fs_cells(cells, &fv, &rows[i].c, v->rate_secs);
		print_row(&p, cells);
	}
	if (jw)
		jw_end_array(jw);
}

void print_inode_rows(FILE *f, struct json_writer *jw, struct view_ctx *v,
		      const struct inode_row *rows, size_t n, size_t limit)
{
	const struct column *cols = v->rate_secs > 0 ? inode_rate_columns :
						       inode_columns;
	struct printer p = { f, jw, cols, inode_ncolumns, NULL };
	const struct mount_info *m;
	struct cc_inode_name nm;
	struct cell cells[32];
	char dev[24], subvol[24], path[2 * CC_DNAME_LEN + 1100];
	size_t i;

	if (jw)
		jw_start_array(jw);
	else
		print_header(&p);
	for (i = 0; i < n && i < limit; i++) {
		memset(cells, 0, sizeof(cells));
		format_dev(dev, sizeof(dev), rows[i].key.dev);
		cells[0].s = dev;
		cells[1].u = rows[i].key.ino;
		if (rows[i].key.subvol) {
			format_dev(subvol, sizeof(subvol), rows[i].key.subvol);
			cells[2].s = subvol;
		}
		fill_counts_cells(&cells[3], &rows[i].c, v->rate_secs);
		/* only rows shown are named: one map lookup each, no walk */
		if (v->s && !session_inode_name(v->s, &rows[i].key, &nm) &&
		    nm.name[0]) {
			m = mounts_find(&v->mt, rows[i].key.dev);
			format_inode_path(path, sizeof(path),
					  m ? m->mountpoint : NULL, &nm);
			cells[inode_ncolumns - 1].s = path;
		}
		print_row(&p, cells);
	}
	if (jw)
		jw_end_array(jw);
}

void print_workload_rows(FILE *f, struct json_writer *jw, const struct view_ctx *v,
			 const struct workload_row *rows, size_t n,
			 size_t limit)
{
	const struct column *cols = v->rate_secs > 0 ? workload_rate_columns :
						       workload_columns;
	struct printer p = { f, jw, cols, workload_ncolumns, NULL };
	struct cell cells[32];
	char comm[CC_COMM_LEN + 1];
	size_t i;

	if (jw)
		jw_start_array(jw);
	else
		print_header(&p);
	for (i = 0; i < n && i < limit; i++) {
		memset(cells, 0, sizeof(cells));
		memcpy(comm, rows[i].key.comm, CC_COMM_LEN);
		comm[CC_COMM_LEN] = 0;
		cells[0].u = rows[i].key.cgid;
		cells[1].u = rows[i].key.tgid;
		cells[2].s = comm;
		fill_counts_cells(&cells[3], &rows[i].c, v->rate_secs);
		print_row(&p, cells);
	}
	if (jw)
		jw_end_array(jw);
}

double wall_time(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

void format_clock(char *buf, size_t len)
{
	time_t t = time(NULL);
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(buf, len, "%H:%M:%S", &tm);
}

__u64 mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + (__u64)ts.tv_nsec;
}

bool sleep_until(__u64 deadline_ns)
{
	struct pollfd pfd = { .fd = exit_fd, .events = POLLIN };

	/*
	 * Not a sleep: a poll of the signal handler's pipe with the time
	 * left as its timeout, so a signal that came between the check of
	 * exiting and the wait still ends it at once.
	 */
	while (!exiting) {
		__u64 now = mono_ns(), left;
		struct timespec ts;
		int n;

		if (now >= deadline_ns)
			return true;
		left = deadline_ns - now;
		ts.tv_sec = (time_t)(left / 1000000000ull);
		ts.tv_nsec = (long)(left % 1000000000ull);
		n = ppoll(exit_fd >= 0 ? &pfd : NULL, exit_fd >= 0 ? 1 : 0,
			  deadline_ns == UINT64_MAX ? NULL : &ts, NULL);
		if (n < 0 && errno != EINTR)
			return false;
	}
	return false;
}
