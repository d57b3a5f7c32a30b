/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The few kernel types ccstat's BPF programs read, declared by hand so that the
 * build needs no vmlinux BTF.  Every struct is preserve_access_index:
 * libbpf relocates each field by name against the running kernel's BTF,
 * so layout and nesting here do not matter (fields that the kernel keeps
 * inside anonymous structs and unions, as struct folio does, are matched
 * through them), only names and types.
 */
#ifndef __VMLINUX_MIN_H
#define __VMLINUX_MIN_H

#include <linux/types.h>
#include <linux/bpf.h>

typedef __u32 u32;
typedef __u64 u64;
typedef _Bool bool;
#define true 1
#define false 0

#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)

struct file_system_type {
	const char *name;
};

struct super_block {
	__u32 s_dev;			/* dev_t */
	unsigned long s_magic;
	struct file_system_type *s_type;
	int cleancache_poolid;
};

struct hlist_node {
	struct hlist_node *next;
};

struct hlist_head {
	struct hlist_node *first;
};

struct qstr {
	const unsigned char *name;
};

struct dentry {
	struct dentry *d_parent;
	struct qstr d_name;
	union {
		struct hlist_node d_alias;	/* inode->i_dentry link */
	} d_u;
};

struct inode {
	unsigned long i_ino;
	struct super_block *i_sb;
	struct hlist_head i_dentry;
};

/* fs/btrfs: a subvolume and the inode that belongs to one */
struct btrfs_root {
	__u32 anon_dev;			/* dev_t: st_dev of its files */
};

struct btrfs_inode {
	struct btrfs_root *root;
	struct inode vfs_inode;
};

struct address_space {
	struct inode *host;
};

struct folio {
	struct address_space *mapping;
	unsigned long index;		/* pgoff_t */
	unsigned long memcg_data;	/* CONFIG_MEMCG only */
};

struct kernfs_node {
	__u64 id;
};

struct cgroup {
	struct kernfs_node *kn;
	int level;
	struct cgroup *ancestors[];
};

struct cgroup_subsys_state {
	struct cgroup *cgroup;
};

struct mem_cgroup {
	struct cgroup_subsys_state css;
};

typedef struct {
	int counter;
} atomic_t;

struct signal_struct {
	atomic_t live;			/* threads not yet past do_exit() */
};

struct task_struct {
	int pid;
	int tgid;
	struct signal_struct *signal;
};

/* block layer: the device a request is for, its direction and size */
struct block_device {
	__u32 bd_dev;			/* dev_t */
};

struct request {
	__u32 cmd_flags;		/* blk_opf_t: REQ_OP_* in the low byte */
	unsigned int __data_len;
	struct block_device *part;
};

#pragma clang attribute pop

#endif /* __VMLINUX_MIN_H */
