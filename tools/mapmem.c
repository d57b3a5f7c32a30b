// SPDX-License-Identifier: GPL-2.0
/*
 * BPF map plans and their memory bound (see mapmem.h).  The sizes of the
 * kernel's private structs are those of x86_64 and arm64 without lockdep;
 * the struct bpf_htab/bpf_array/bpf_ringbuf_map headers are rounded up.
 */
#include <linux/bpf.h>
#include "mapmem.h"
#include "../bpf/ccstat.h"

#define HTAB_ELEM_HDR	48	/* struct htab_elem up to key[] */
#define HTAB_BUCKET	16	/* struct bucket */
#define HTAB_LOCKS	8	/* HASHTAB_MAP_LOCK_COUNT ints per CPU */
#define LLIST_NODE	8
#define MAP_HDR		1024	/* struct bpf_htab / bpf_array / ringbuf map */

static __u64 round8(__u64 v)
{
	return (v + 7) & ~7ull;
}

static __u64 pow2_at_least(__u64 v)
{
	__u64 p = 1;

	while (p < v)
		p <<= 1;
	return p;
}

__u32 ringbuf_size(__u32 bytes, __u32 page_size)
{
	__u64 size = pow2_at_least(bytes ? bytes : 1);

	if (size < page_size)
		size = page_size;
	return (__u32)size;
}

size_t map_plan_for(const struct map_needs *n, struct map_plan *out)
{
	__u32 inodes = n->inode_entries ? n->inode_entries : CC_MAX_INODES;
	__u32 wls = n->workload_entries ? n->workload_entries : CC_MAX_WORKLOADS;
	const struct map_plan plan[CC_NR_MAPS] = {
		{ "fs_stats", BPF_MAP_TYPE_PERCPU_HASH, BPF_F_NO_PREALLOC,
		  sizeof(struct cc_fs_key), sizeof(struct cc_counts), CC_MAX_FS },
		{ "inode_stats", BPF_MAP_TYPE_LRU_HASH, 0,
		  sizeof(struct cc_inode_key), sizeof(struct cc_counts),
		  n->inodes ? inodes : 1 },
		{ "inode_names", BPF_MAP_TYPE_LRU_HASH, 0,
		  sizeof(struct cc_inode_key), sizeof(struct cc_inode_name),
		  n->inodes ? inodes : 1 },
		{ "workload_stats", BPF_MAP_TYPE_LRU_HASH, 0,
		  sizeof(struct cc_workload_key), sizeof(struct cc_counts),
		  n->workloads ? wls : 1 },
		{ "totals", BPF_MAP_TYPE_PERCPU_ARRAY, 0,
		  sizeof(__u32), sizeof(struct cc_counts), 1 },
		{ "drops", BPF_MAP_TYPE_PERCPU_ARRAY, 0,
		  sizeof(__u32), sizeof(struct cc_drops), 1 },
		{ "tracked", BPF_MAP_TYPE_HASH, 0, sizeof(__u32), sizeof(__u8),
		  n->follow ? CC_MAX_TRACKED : 1 },
		{ "events", BPF_MAP_TYPE_RINGBUF, 0, 0, 0,
		  ringbuf_size(n->ringbuf_bytes, n->page_size) },
	};
	size_t i;

	for (i = 0; i < CC_NR_MAPS; i++)
		out[i] = plan[i];
	return CC_NR_MAPS;
}

static __u64 htab_bound(const struct map_plan *m, int ncpus)
{
	bool percpu = m->type == BPF_MAP_TYPE_PERCPU_HASH ||
		      m->type == BPF_MAP_TYPE_LRU_PERCPU_HASH;
	bool lru = m->type == BPF_MAP_TYPE_LRU_HASH ||
		   m->type == BPF_MAP_TYPE_LRU_PERCPU_HASH;
	bool prealloc = !(m->flags & BPF_F_NO_PREALLOC);
	__u64 value = round8(m->value_size), n = m->max_entries;
	__u64 elem = HTAB_ELEM_HDR + round8(m->key_size) +
		     (percpu ? sizeof(void *) : value);
	__u64 usage = MAP_HDR;

	usage += HTAB_BUCKET * pow2_at_least(n);
	usage += sizeof(int) * (__u64)ncpus * HTAB_LOCKS;
	if (prealloc) {
		if (!percpu && !lru)
			n += (__u64)ncpus;	/* extra elems */
		usage += elem * n;
		if (percpu)
			usage += value * (__u64)ncpus * n;
		else if (!lru)
			usage += sizeof(void *) * (__u64)ncpus;
	} else {
		usage += (elem + LLIST_NODE) * n;
		if (percpu) {
			usage += (LLIST_NODE + sizeof(void *)) * n;
			usage += value * (__u64)ncpus * n;
		}
	}
	return usage;
}

__u64 map_mem_bound(const struct map_plan *m, int ncpus)
{
	__u64 n = m->max_entries;

	switch (m->type) {
	case BPF_MAP_TYPE_PERCPU_ARRAY:
		return MAP_HDR + n * sizeof(void *) +
		       n * round8(m->value_size) * (__u64)ncpus;
	case BPF_MAP_TYPE_ARRAY:
		return MAP_HDR + n * round8(m->value_size);
	case BPF_MAP_TYPE_RINGBUF:
		/* data pages, mapped twice, plus the consumer/producer pages */
		return MAP_HDR + n + 4 * 65536ull + (2 * n / 4096 + 4) * 8;
	default:
		return htab_bound(m, ncpus);
	}
}

__u64 map_plan_bound(const struct map_plan *m, size_t n, int ncpus)
{
	__u64 sum = 0;
	size_t i;

	for (i = 0; i < n; i++)
		sum += map_mem_bound(&m[i], ncpus);
	return sum;
}
