/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers the views share: naming a filesystem row (device, fstype,
 * mountpoint, pages stored), sorting rows, the wall-clock stamp, and the
 * interval sleep that a signal cuts short.
 */
#ifndef CCSTAT_VIEWS_H
#define CCSTAT_VIEWS_H

#include "ccstat.h"

struct view_ctx {
	struct mount_table mt;
	struct kpool *kp;
	size_t nkp;
	struct session *s;	/* inode names; NULL: none */
	double rate_secs;	/* > 0: show rates over this many seconds */
};

void view_ctx_init(struct view_ctx *v, struct session *s);
void view_ctx_refresh(struct view_ctx *v);
void view_ctx_free(struct view_ctx *v);
void fs_view_of(const struct view_ctx *v, const struct cc_fs_key *k,
		struct fs_view *out);

void sort_fs_rows(struct fs_row *rows, size_t n, enum sort_key key);
void sort_inode_rows(struct inode_row *rows, size_t n, enum sort_key key);
void sort_workload_rows(struct workload_row *rows, size_t n,
			enum sort_key key);

/*
 * Print the filesystem rows, then the inode and workload rows: a text
 * table into @f, or with @jw a JSON array (its key already written)
 */
void print_fs_rows(FILE *f, struct json_writer *jw, const struct view_ctx *v,
		   const struct fs_row *rows, size_t n, bool skip_idle);
void print_inode_rows(FILE *f, struct json_writer *jw, struct view_ctx *v,
		      const struct inode_row *rows, size_t n, size_t limit);
void print_workload_rows(FILE *f, struct json_writer *jw, const struct view_ctx *v,
			 const struct workload_row *rows, size_t n,
			 size_t limit);

double wall_time(void);
void format_clock(char *buf, size_t len);
/* Sleep until @deadline_ns (CLOCK_MONOTONIC); false if interrupted */
bool sleep_until(__u64 deadline_ns);	/* UINT64_MAX: until a signal */
__u64 mono_ns(void);

#endif /* CCSTAT_VIEWS_H */
