/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Pure arithmetic and parsing for ccstat: counter deltas, ratios and
 * rates, device numbers, argument values.  No BPF, no I/O, no root:
 * tests/unit/test_calc.c covers all of it.
 */
#ifndef CCSTAT_CALC_H
#define CCSTAT_CALC_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include "../bpf/ccstat.h"

/* Kernel dev_t: 12-bit major above a 20-bit minor (MKDEV in kdev_t.h) */
static inline __u32 kdev_make(unsigned int major, unsigned int minor)
{
	return (major << 20) | (minor & 0xfffff);
}
static inline unsigned int kdev_major(__u32 dev) { return dev >> 20; }
static inline unsigned int kdev_minor(__u32 dev) { return dev & 0xfffff; }

void counts_add(struct cc_counts *acc, const struct cc_counts *c);
/* now - then, field by field; a counter that went backwards gives 0 */
void counts_sub(struct cc_counts *out, const struct cc_counts *now,
		const struct cc_counts *then);
__u64 counts_gets(const struct cc_counts *c);
__u64 counts_invals(const struct cc_counts *c);
bool counts_zero(const struct cc_counts *c);

/* hits / (hits + misses) * 100, or -1 when there was no get */
double hit_pct(__u64 hits, __u64 misses);
/* delta per second over @ns nanoseconds, -1 when @ns is 0 */
double per_sec(__u64 delta, __u64 ns);

/* Each returns 0, or -1 when @s is not a valid value */
int parse_interval(const char *s, double *secs);	/* > 0, <= 1 day */
int parse_count(const char *s, long *count);		/* >= 1 */
int parse_pid(const char *s, __u32 *pid);		/* 1..4194304 */
int parse_dev(const char *s, __u32 *kdev);		/* MAJ:MIN */
int parse_ops(const char *s, __u32 *mask);		/* put,get,... */

const char *op_name(int op);
/* "MAJ:MIN" */
void format_dev(char *buf, size_t len, __u32 kdev);
/* 1234 -> "1234", 12345 -> "12.3K", ... ; fits in 7 characters */
void format_count(char *buf, size_t len, __u64 v);

/* Sort keys for top and summaries */
enum sort_key {
	SORT_PUTS, SORT_REFUSED, SORT_GETS, SORT_HITS, SORT_MISSES,
	SORT_HITPCT, SORT_INVALS, SORT_NR,
};
int parse_sort(const char *s, enum sort_key *key);
const char *sort_name(enum sort_key key);
/* <0 when @a sorts before @b (descending by the key) */
int counts_cmp(const struct cc_counts *a, const struct cc_counts *b,
	       enum sort_key key);

/*
 * An inode's path from the dentry names the BPF programs saw:
 * "MOUNT/name" when its parent is the filesystem's root, otherwise
 * "MOUNT/.../parent/name" ("..." stands for zero or more directories)
 */
void format_inode_path(char *buf, size_t len, const char *mount,
		       const struct cc_inode_name *nm);

#endif /* CCSTAT_CALC_H */
