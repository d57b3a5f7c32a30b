// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * ccstat's in-kernel half: count every cleancache operation per
 * filesystem (dev, pool), per inode (dev, ino) and per workload (cgroup,
 * tgid, comm), and in trace mode also send one record per event through
 * a ring buffer.  Two sets of programs see the same operations: tp_btf on
 * the cleancache tracepoints, and fexit/fentry on the frontend's
 * out-of-line functions for a kernel that has cleancache but not the
 * tracepoints.  User space enables exactly one set before load.  Filters
 * are rodata, so the verifier prunes what is not asked for.
 *
 * Pointers that the kernel hands a tp_btf or fentry/fexit program (and
 * fields reached from them) are read directly: the verifier knows their
 * types and turns a faulting load into 0.  BPF_CORE_READ remains where a
 * pointer was computed (container_of, memcg_data's flag bits).
 *
 * Memory: only the filesystem map, which every event writes, is per-CPU,
 * and it allocates an entry when a filesystem is first seen.  The inode
 * and workload maps are shared LRU hashes updated with atomic adds: their
 * size does not grow with the number of CPUs, and idle keys make room for
 * new ones instead of filling the map for good.
 */
#include "vmlinux_min.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "ccstat.h"

#define BTRFS_SUPER_MAGIC	0x9123683E
#define ENODATA	61
#define ENOENT	2
#define E2BIG	7
#define EEXIST	17

/* Filters, set by user space before load; 0 means "any" */
const volatile __u32 targ_tgid = 0;
const volatile bool targ_follow = false;	/* tgid filter includes descendants */
const volatile __u64 targ_cgid = 0;		/* a cgroup v2 subtree ... */
const volatile int targ_cg_level = 0;		/* ... whose root is this deep */
const volatile __u32 targ_dev = 0;		/* kernel dev_t encoding */
const volatile __u32 targ_ops = CC_OP_MASK_ALL;
const volatile bool trace_on = false;
const volatile bool count_inodes = true;
const volatile bool count_workloads = true;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, CC_MAX_FS);
	__type(key, struct cc_fs_key);
	__type(value, struct cc_counts);
} fs_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, CC_MAX_INODES);
	__type(key, struct cc_inode_key);
	__type(value, struct cc_counts);
} inode_stats SEC(".maps");

/* Written once, when an inode enters inode_stats; read for rows on screen */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, CC_MAX_INODES);
	__type(key, struct cc_inode_key);
	__type(value, struct cc_inode_name);
} inode_names SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, CC_MAX_WORKLOADS);
	__type(key, struct cc_workload_key);
	__type(value, struct cc_counts);
} workload_stats SEC(".maps");

/* Every event that passed the filters, whatever map had room */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct cc_counts);
} totals SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct cc_drops);
} drops SEC(".maps");

/* Processes followed by a tgid filter with targ_follow */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, CC_MAX_TRACKED);
	__type(key, __u32);
	__type(value, __u8);
} tracked SEC(".maps");

/* Sized by user space: a multiple of the page size */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

static const struct cc_counts zero_counts;

static __always_inline struct cc_drops *drops_slot(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&drops, &zero);
}

/*
 * Look a key up, inserting zeroed counters (*@added tells); NULL, and a
 * drop, if the map has no room
 */
static __always_inline struct cc_counts *
counts_for(void *map, const void *key, int which, bool *added)
{
	struct cc_counts *c;
	struct cc_drops *d;
	long err;

	c = bpf_map_lookup_elem(map, key);
	if (c)
		return c;
	err = bpf_map_update_elem(map, key, &zero_counts, BPF_NOEXIST);
	*added = !err;
	if (err && err != -EEXIST) {
		d = drops_slot();
		if (d) {
			if (which == 0)
				d->fs_full++;
			else if (which == 1)
				d->inode_full++;
			else
				d->workload_full++;
		}
		return NULL;
	}
	return bpf_map_lookup_elem(map, key);
}

/* Per-CPU values need no atomics; shared (LRU) values do */
#define INC(p, shared)						\
	do {							\
		if (shared)					\
			__sync_fetch_and_add((p), 1);		\
		else						\
			(*(p))++;				\
	} while (0)

static __always_inline void bump(struct cc_counts *c, int op, int ret,
				 bool shared)
{
	switch (op) {
	case CC_OP_PUT:
		if (ret == 0)
			INC(&c->puts, shared);
		else
			INC(&c->puts_refused, shared);
		break;
	case CC_OP_GET:
		if (ret == 0)
			INC(&c->hits, shared);
		else
			INC(&c->misses, shared);
		break;
	case CC_OP_INVAL_PAGE:
		INC(&c->inval_pages, shared);
		break;
	case CC_OP_INVAL_INODE:
		INC(&c->inval_inodes, shared);
		break;
	case CC_OP_POOL_CREATE:
		if (ret == 0)
			INC(&c->pools_created, shared);
		else
			INC(&c->pools_failed, shared);
		break;
	case CC_OP_POOL_DESTROY:
		INC(&c->inval_fs, shared);
		break;
	case CC_OP_BACKEND:
		INC(&c->backends, shared);
		break;
	}
}

/*
 * Whether the folio's memory is charged to the target cgroup or one of its
 * descendants: its memcg's ancestor at the target's level is the target
 */
static __always_inline bool folio_in_cgroup(struct folio *folio)
{
	struct mem_cgroup *memcg;
	struct cgroup *cgrp, *anc = NULL;
	unsigned long data;
	int level;

	if (!folio || !bpf_core_field_exists(folio->memcg_data))
		return false;
	data = folio->memcg_data;
	/* low bits are MEMCG_DATA_OBJEXTS / MEMCG_DATA_KMEM flags */
	if (!data || (data & 3))
		return false;
	memcg = (struct mem_cgroup *)(data & ~3UL);
	cgrp = BPF_CORE_READ(memcg, css.cgroup);
	if (!cgrp)
		return false;
	level = BPF_CORE_READ(cgrp, level);
	if (level < targ_cg_level || targ_cg_level < 0 || targ_cg_level > 255)
		return false;
	bpf_probe_read_kernel(&anc, sizeof(anc), (void *)cgrp +
			      bpf_core_field_offset(struct cgroup, ancestors) +
			      (__u64)targ_cg_level * sizeof(anc));
	return anc && BPF_CORE_READ(anc, kn, id) == targ_cgid;
}

static __always_inline bool task_selected(struct folio *folio)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	__u64 cgid;

	if (targ_tgid) {
		if (targ_follow) {
			if (!bpf_map_lookup_elem(&tracked, &tgid))
				return false;
		} else if (tgid != targ_tgid) {
			return false;
		}
	}
	if (targ_cgid) {
		/*
		 * the task that caused it, or the cgroup its page belongs to,
		 * is in the target's subtree (runqlat's -c, with descendants)
		 */
		cgid = bpf_get_current_ancestor_cgroup_id(targ_cg_level);
		if (cgid != targ_cgid && !folio_in_cgroup(folio))
			return false;
	}
	return true;
}

static __always_inline void count_totals(int op, int ret)
{
	struct cc_counts *c;
	__u32 zero = 0;

	c = bpf_map_lookup_elem(&totals, &zero);
	if (c)
		bump(c, op, ret, false);
}

/* The names of one of the inode's dentries and of its parent */
static __always_inline void remember_name(const struct cc_inode_key *ik,
					  struct inode *inode)
{
	struct cc_inode_name nm = {};
	struct hlist_node *first;
	struct dentry *d, *parent;

	first = inode->i_dentry.first;
	if (!first)
		return;
	d = (void *)first - bpf_core_field_offset(struct dentry, d_u.d_alias);
	bpf_probe_read_kernel_str(nm.name, sizeof(nm.name),
				  BPF_CORE_READ(d, d_name.name));
	parent = BPF_CORE_READ(d, d_parent);
	if (parent && parent != d)
		bpf_probe_read_kernel_str(nm.parent, sizeof(nm.parent),
					  BPF_CORE_READ(parent, d_name.name));
	bpf_map_update_elem(&inode_names, ik, &nm, BPF_ANY);
}

static __always_inline void emit(int op, __u32 dev, int pool, __u64 ino,
				 __u64 index, int ret, bool shared,
				 const char *name)
{
	struct cc_event *e;
	struct cc_drops *d;
	__u64 id;

	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		d = drops_slot();
		if (d)
			d->events_lost++;
		return;
	}
	id = bpf_get_current_pid_tgid();
	e->ts_ns = bpf_ktime_get_ns();
	e->cgid = bpf_get_current_cgroup_id();
	e->pid = (__u32)id;
	e->tgid = id >> 32;
	e->dev = dev;
	e->pool = pool;
	e->ino = ino;
	e->index = index;
	e->ret = ret;
	e->op = op;
	e->shared = shared;
	e->pad[0] = e->pad[1] = 0;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	if (name)
		bpf_probe_read_kernel_str(e->name, sizeof(e->name), name);
	else
		e->name[0] = 0;
	bpf_ringbuf_submit(e, 0);
}

/*
 * btrfs numbers inodes afresh in every subvolume: the subvolume's device
 * (st_dev of its files) tells them apart; 0 for the top-level subvolume
 * and on every other filesystem
 */
static __always_inline __u32 subvol_of(struct inode *inode, __u32 dev)
{
	struct btrfs_inode *bi;
	__u32 sv;

	if (!bpf_core_type_exists(struct btrfs_inode) ||
	    inode->i_sb->s_magic != BTRFS_SUPER_MAGIC)
		return 0;
	bi = (void *)inode - bpf_core_field_offset(struct btrfs_inode, vfs_inode);
	sv = BPF_CORE_READ(bi, root, anon_dev);
	return sv == dev ? 0 : sv;
}

/* A page or inode operation on an inode of pool @pool */
static __always_inline int on_page_op(int op, struct inode *inode,
				      struct folio *folio, int pool, int ret)
{
	struct cc_workload_key wk = {};
	struct cc_inode_key ik = {};
	struct cc_fs_key fk = {};
	struct cc_counts *c;
	bool added = false;
	__u64 index = 0;
	__u32 dev;

	if (!(targ_ops & (1u << op)) || !inode)
		return 0;
	dev = inode->i_sb->s_dev;
	if (targ_dev && dev != targ_dev)
		return 0;
	if (!task_selected(folio))
		return 0;

	count_totals(op, ret);
	fk.dev = dev;
	fk.pool = pool;
	c = counts_for(&fs_stats, &fk, 0, &added);
	if (c)
		bump(c, op, ret, false);
	ik.dev = dev;
	ik.ino = inode->i_ino;
	if (count_inodes) {
		ik.subvol = subvol_of(inode, dev);
		added = false;
		c = counts_for(&inode_stats, &ik, 1, &added);
		if (c)
			bump(c, op, ret, true);
		if (added)
			remember_name(&ik, inode);
	}
	if (count_workloads) {
		wk.cgid = bpf_get_current_cgroup_id();
		wk.tgid = bpf_get_current_pid_tgid() >> 32;
		bpf_get_current_comm(wk.comm, sizeof(wk.comm));
		c = counts_for(&workload_stats, &wk, 2, &added);
		if (c)
			bump(c, op, ret, true);
	}
	if (trace_on) {
		if (folio)
			index = folio->index;
		emit(op, dev, pool, ik.ino, index, ret, false, NULL);
	}
	return 0;
}

static __always_inline int on_pool_op(int op, struct super_block *sb,
				      int pool, bool shared, int ret)
{
	struct cc_fs_key fk = {};
	struct cc_counts *c;
	bool added;
	__u32 dev;

	if (!(targ_ops & (1u << op)) || !sb)
		return 0;
	dev = sb->s_dev;
	if (targ_dev && dev != targ_dev)
		return 0;
	if (!task_selected(NULL))
		return 0;

	count_totals(op, ret);
	fk.dev = dev;
	fk.pool = pool;
	c = counts_for(&fs_stats, &fk, 0, &added);
	if (c)
		bump(c, op, ret, false);
	if (trace_on)
		emit(op, dev, pool, 0, 0, ret, shared, sb->s_type->name);
	return 0;
}

static __always_inline int on_backend(const char *name, int ret)
{
	if (!(targ_ops & (1u << CC_OP_BACKEND)))
		return 0;
	count_totals(CC_OP_BACKEND, ret);
	if (trace_on)
		emit(CC_OP_BACKEND, 0, -1, 0, 0, ret, false, name);
	return 0;
}

/* ---- tracepoints (preferred) ---- */

SEC("tp_btf/cleancache_put")
int BPF_PROG(tp_put, struct inode *inode, struct folio *folio, int pool_id,
	     int ret)
{
	return on_page_op(CC_OP_PUT, inode, folio, pool_id, ret);
}

SEC("tp_btf/cleancache_get")
int BPF_PROG(tp_get, struct inode *inode, struct folio *folio, int pool_id,
	     int ret)
{
	return on_page_op(CC_OP_GET, inode, folio, pool_id, ret);
}

SEC("tp_btf/cleancache_invalidate_page")
int BPF_PROG(tp_inval_page, struct inode *inode, struct folio *folio,
	     int pool_id, int ret)
{
	return on_page_op(CC_OP_INVAL_PAGE, inode, folio, pool_id, ret);
}

SEC("tp_btf/cleancache_invalidate_inode")
int BPF_PROG(tp_inval_inode, struct inode *inode, int pool_id)
{
	return on_page_op(CC_OP_INVAL_INODE, inode, NULL, pool_id, 0);
}

SEC("tp_btf/cleancache_pool_create")
int BPF_PROG(tp_pool_create, struct super_block *sb, int pool_id,
	     bool shared, int ret)
{
	return on_pool_op(CC_OP_POOL_CREATE, sb, pool_id, shared, ret);
}

SEC("tp_btf/cleancache_pool_destroy")
int BPF_PROG(tp_pool_destroy, struct super_block *sb, int pool_id,
	     bool shared, int ret)
{
	return on_pool_op(CC_OP_POOL_DESTROY, sb, pool_id, shared, ret);
}

SEC("tp_btf/cleancache_backend_register")
int BPF_PROG(tp_backend, const char *name, int ret)
{
	return on_backend(name, ret);
}

/* ---- fallback: the frontend's out-of-line functions ---- */

static __always_inline struct inode *mapping_host(struct address_space *m)
{
	return m ? m->host : NULL;
}

static __always_inline int fx_page(int op, struct address_space *mapping,
				   struct folio *folio, int ret)
{
	struct inode *inode;
	int pool;

	/* -ENOENT: the filesystem has no pool, nothing happened */
	if (ret == -ENOENT)
		return 0;
	inode = mapping_host(mapping);
	if (!inode)
		return 0;
	pool = inode->i_sb->cleancache_poolid;
	return on_page_op(op, inode, folio, pool, ret);
}

SEC("fexit/__cleancache_put_folio")
int BPF_PROG(fx_put, struct folio *folio, int ret)
{
	return fx_page(CC_OP_PUT, folio->mapping, folio, ret);
}

SEC("fexit/__cleancache_get_folio")
int BPF_PROG(fx_get, struct folio *folio, int ret)
{
	return fx_page(CC_OP_GET, folio->mapping, folio, ret);
}

SEC("fexit/__cleancache_invalidate_folio")
int BPF_PROG(fx_inval_page, struct address_space *mapping,
	     struct folio *folio, int ret)
{
	return fx_page(CC_OP_INVAL_PAGE, mapping, folio, ret);
}

SEC("fexit/__cleancache_invalidate_inode")
int BPF_PROG(fx_inval_inode, struct address_space *mapping, int ret)
{
	return fx_page(CC_OP_INVAL_INODE, mapping, NULL, ret);
}

static __always_inline int fx_init(struct super_block *sb, bool shared)
{
	int pool = sb->cleancache_poolid;

	/* no backend yet: the tracepoint reports -ENODEV with no pool */
	if (pool == -2 || pool == -3)
		return on_pool_op(CC_OP_POOL_CREATE, sb, pool, shared, -19);
	if (pool < 0)
		return 0;
	return on_pool_op(CC_OP_POOL_CREATE, sb, pool, shared, 0);
}

SEC("fexit/__cleancache_init_fs")
int BPF_PROG(fx_init_fs, struct super_block *sb)
{
	return fx_init(sb, false);
}

SEC("fexit/__cleancache_init_shared_fs")
int BPF_PROG(fx_init_shared_fs, struct super_block *sb)
{
	return fx_init(sb, true);
}

/* fentry: the pool id is reset once the function has run */
SEC("fentry/__cleancache_invalidate_fs")
int BPF_PROG(fe_inval_fs, struct super_block *sb)
{
	int pool = sb->cleancache_poolid;

	if (pool < 0)
		return 0;
	return on_pool_op(CC_OP_POOL_DESTROY, sb, pool, false, 0);
}

SEC("fexit/cleancache_register_ops")
int BPF_PROG(fx_backend, const void *ops, const char *name, int ret)
{
	return on_backend(name, ret);
}

/* ---- following a process tree (-p with children, cgroup v1 hosts) ---- */

SEC("tp_btf/sched_process_fork")
int BPF_PROG(on_fork, struct task_struct *parent, struct task_struct *child)
{
	__u32 ptgid, ctgid;
	__u8 one = 1;

	if (!targ_follow)
		return 0;
	ptgid = parent->tgid;
	if (!bpf_map_lookup_elem(&tracked, &ptgid))
		return 0;
	ctgid = child->tgid;
	bpf_map_update_elem(&tracked, &ctgid, &one, BPF_ANY);
	return 0;
}

/*
 * A followed process is gone when its last thread exits (do_exit() has
 * counted it off signal->live): its slot goes back to the map, so a tree
 * that forks more than the map holds over its life is still followed
 */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(on_process_exit, struct task_struct *p)
{
	__u32 tgid;

	if (!targ_follow || p->signal->live.counter)
		return 0;
	tgid = p->tgid;
	bpf_map_delete_elem(&tracked, &tgid);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
