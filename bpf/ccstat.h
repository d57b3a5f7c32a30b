/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Plain structs shared by ccstat.bpf.c and the ccstat CLI: map keys, the
 * counters kept per key, and the record a trace event carries through the
 * ring buffer.  Fixed-size fields only, so both sides agree on the layout.
 */
#ifndef __CCSTAT_H
#define __CCSTAT_H

#define CC_COMM_LEN	16
#define CC_NAME_LEN	16

#define CC_DNAME_LEN	48	/* a dentry name, truncated */

/*
 * Map capacities.  The filesystem map is per-CPU (every event writes it)
 * but allocated on demand; the inode and workload maps are shared LRU
 * hashes (atomic adds), so idle keys age out instead of filling them.
 * User space shrinks a map it does not read to one entry before load.
 */
#define CC_MAX_FS	256
#define CC_MAX_INODES	65536
#define CC_MAX_WORKLOADS 16384
#define CC_MAX_TRACKED	8192

/* Operations, in trace records and as bits of the op filter mask */
enum cc_op {
	CC_OP_PUT = 0,
	CC_OP_GET,
	CC_OP_INVAL_PAGE,
	CC_OP_INVAL_INODE,
	CC_OP_POOL_CREATE,
	CC_OP_POOL_DESTROY,
	CC_OP_BACKEND,
	CC_OP_NR,
};

#define CC_OP_MASK_ALL	((1u << CC_OP_NR) - 1)

/* A filesystem: its device (kernel dev_t encoding) and cleancache pool */
struct cc_fs_key {
	__u32 dev;
	__s32 pool;
};

/*
 * A file: device (kernel dev_t encoding) and inode number, and on btrfs
 * the subvolume's device (what stat() calls st_dev; 0 for the top-level
 * one): inode numbers start afresh in every subvolume
 */
struct cc_inode_key {
	__u32 dev;
	__u32 subvol;
	__u64 ino;
};

/* A workload: the task's cgroup v2 id, its process id and name */
struct cc_workload_key {
	__u64 cgid;
	__u32 tgid;
	char comm[CC_COMM_LEN];
	__u32 pad;
};

/*
 * Outcomes counted per key.  Named after the kernel's debugfs counters
 * (puts, puts_refused, succ_gets, failed_gets, invalidates,
 * inode_invalidates, fs_invalidates (= pools destroyed), pools_created).
 */
struct cc_counts {
	__u64 puts;		/* put stored (ret 0) */
	__u64 puts_refused;	/* put refused by the backend (ret < 0) */
	__u64 hits;		/* get filled the folio (ret 0) */
	__u64 misses;		/* get found nothing (ret < 0) */
	__u64 inval_pages;	/* one page invalidated */
	__u64 inval_inodes;	/* every page of one file invalidated */
	__u64 inval_fs;		/* pool destroyed (unmount) */
	__u64 pools_created;	/* pool created (ret 0) */
	__u64 pools_failed;	/* pool create returned an error */
	__u64 backends;		/* backend registrations */
};

/* The names the kernel had for an inode when ccstat first saw it */
struct cc_inode_name {
	char name[CC_DNAME_LEN];	/* its dentry's name, "" if none */
	char parent[CC_DNAME_LEN];	/* the parent dentry's name */
};

/* Ccstat's own losses, one slot per CPU */
struct cc_drops {
	__u64 events_lost;	/* ring buffer full: trace record dropped */
	__u64 fs_full;		/* per-filesystem map full: not counted there */
	__u64 inode_full;	/* per-inode map full */
	__u64 workload_full;	/* per-workload map full */
};

/* One trace record */
struct cc_event {
	__u64 ts_ns;		/* bpf_ktime_get_ns() */
	__u64 cgid;
	__u64 ino;
	__u64 index;
	__u32 pid;
	__u32 tgid;
	__u32 dev;
	__s32 pool;
	__s32 ret;
	__u8 op;		/* enum cc_op */
	__u8 shared;		/* pool events */
	__u8 pad[2];
	char comm[CC_COMM_LEN];
	char name[CC_NAME_LEN];	/* fstype (pool events), backend name */
};

#endif /* __CCSTAT_H */
