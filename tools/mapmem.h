/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Which BPF maps a subcommand creates, how big, and the most memory the
 * kernel can charge for them on a machine with N possible CPUs.  Pure
 * functions: session.c sizes the maps from the plan before load, `ccstat
 * check` prints the bound next to what the kernel reports, and the unit
 * tests hold the bound to its targets on 256 CPUs.
 */
#ifndef CCSTAT_MAPMEM_H
#define CCSTAT_MAPMEM_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

/* What a subcommand counts: decides which maps get real capacity */
struct map_needs {
	bool inodes;		/* inode_stats, inode_names */
	bool workloads;		/* workload_stats */
	bool follow;		/* tracked: a process tree without cgroup v2 */
	__u32 ringbuf_bytes;	/* trace: ring buffer size; 0: none used */
	__u32 inode_entries;	/* 0: the default (CC_MAX_INODES) */
	__u32 workload_entries;	/* 0: the default (CC_MAX_WORKLOADS) */
	__u32 page_size;
};

struct map_plan {
	const char *name;	/* as in ccstat.bpf.c */
	__u32 type;		/* BPF_MAP_TYPE_* */
	__u32 flags;		/* BPF_F_NO_PREALLOC or 0 */
	__u32 key_size, value_size, max_entries;
};

#define CC_NR_MAPS 8

/* Fill @out (CC_NR_MAPS entries) with the maps and their capacities */
size_t map_plan_for(const struct map_needs *n, struct map_plan *out);
/*
 * Upper bound of what the kernel charges (bpftool's "memlock", fdinfo's
 * "memlock") for one map on @ncpus possible CPUs: the formulas of
 * kernel/bpf/{hashtab,arraymap,ringbuf}.c's map_mem_usage in 6.12, with
 * a non-preallocated map counted full.
 */
__u64 map_mem_bound(const struct map_plan *m, int ncpus);
__u64 map_plan_bound(const struct map_plan *m, size_t n, int ncpus);
/* Round a ring buffer size up to a power of two and a whole page */
__u32 ringbuf_size(__u32 bytes, __u32 page_size);

#endif /* CCSTAT_MAPMEM_H */
