// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * `ccstat analyze` in the kernel: why gets miss, what the store is worth
 * and how big it should be.
 *
 * A sampled set of page keys (pool, file key, index; a key is sampled when
 * its hash falls under a threshold, as SHARDS samples) keeps its last fate:
 * stored at store-wide put number N, refused, invalidated, evicted by the
 * store, taken by a hit.  A get of a sampled key then says why it missed,
 * and how many puts separated it from its put (the reuse distance, which
 * sizes the store).  Flushes of a whole file or pool do not visit page
 * records: they leave the put number at which they happened, and a page
 * put before it counts as invalidated.
 *
 * Besides: the time puts and gets take (fentry/fexit on the frontend), and
 * the reads that did reach each block device, with their service time, so
 * user space can price a hit in disk time.
 */
#include "vmlinux_min.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "ccstat.h"
#include "ccanalyze.h"

#define ENOENT		2
#define REQ_OP_READ	0
#define REQ_OP_MASK	0xff
#define CLEANCACHE_KEY_BYTES	24

/* Set by user space before load */
const volatile __u32 sample_threshold = 1u << CA_SAMPLE_BITS;	/* all */
const volatile __u32 targ_dev = 0;	/* one filesystem (kernel dev_t), 0: all */

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, CA_MAX_PAGES);
	__type(key, struct ca_page_key);
	__type(value, struct ca_page);
} pages SEC(".maps");

/* The put number at a file's last whole-file invalidation */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, CA_MAX_FILES);
	__type(key, struct ca_file_key);
	__type(value, __u64);
} file_flush SEC(".maps");

/* The put number at a pool's creation or destruction */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, CA_MAX_POOLS);
	__type(key, __s32);
	__type(value, __u64);
} pool_flush SEC(".maps");

/* A pool's filesystem, learnt from its page events (evictions carry no dev) */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, CA_MAX_POOLS);
	__type(key, __s32);
	__type(value, __u32);
} pool_dev SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, CA_MAX_FS);
	__type(key, struct cc_fs_key);
	__type(value, struct ca_fs);
} fs_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ca_global);
} global SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct ca_lat);
} lat SEC(".maps");

/* Entry times of puts and gets in progress, by thread */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, __u64);
} op_start SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, CA_MAX_DEVS);
	__type(key, __u32);
	__type(value, struct ca_dev);
} dev_reads SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, CA_MAX_RQS);
	__type(key, __u64);
	__type(value, __u64);
} rq_start SEC(".maps");

static const struct ca_fs zero_fs;

static __always_inline __u64 mix64(__u64 x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

/* The 24-byte file key, hashed with its pool */
static __always_inline __u64 file_hash(const void *key, int pool)
{
	__u64 w[3] = {};

	bpf_probe_read_kernel(w, sizeof(w), key);
	return mix64(w[0] ^ mix64(w[1] ^ mix64(w[2] ^ (__u64)(__u32)pool)));
}

static __always_inline bool sampled(__u64 file, __u64 index)
{
	__u64 h = mix64(file ^ (index * 0x9e3779b97f4a7c15ULL));

	return (h & ((1u << CA_SAMPLE_BITS) - 1)) < sample_threshold;
}

static __always_inline struct ca_global *global_slot(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&global, &zero);
}

static __always_inline __u64 put_seq_now(void)
{
	struct ca_global *g = global_slot();

	return g ? g->put_seq : 0;
}

static __always_inline struct ca_fs *fs_slot(__u32 dev, int pool)
{
	struct cc_fs_key k = { .dev = dev, .pool = pool };
	struct ca_fs *f;

	f = bpf_map_lookup_elem(&fs_stats, &k);
	if (f)
		return f;
	bpf_map_update_elem(&fs_stats, &k, &zero_fs, BPF_NOEXIST);
	return bpf_map_lookup_elem(&fs_stats, &k);
}

/* The device of an inode's filesystem, or 0 if filtered out */
static __always_inline __u32 inode_dev(struct inode *inode, int pool)
{
	__u32 dev;

	if (!inode || pool < 0)
		return 0;
	dev = BPF_CORE_READ(inode, i_sb, s_dev);
	if (targ_dev && dev != targ_dev)
		return 0;
	if (!bpf_map_lookup_elem(&pool_dev, &pool))
		bpf_map_update_elem(&pool_dev, &pool, &dev, BPF_ANY);
	return dev;
}

/* Was the copy put at @seq flushed since, with its file or its pool? */
static __always_inline bool flushed_since(int pool, __u64 file, __u64 seq)
{
	struct ca_file_key fk = { .file = file, .pool = pool };
	__u64 *at;

	at = bpf_map_lookup_elem(&file_flush, &fk);
	if (at && *at >= seq)
		return true;
	at = bpf_map_lookup_elem(&pool_flush, &pool);
	return at && *at >= seq;
}

static __always_inline void add_dist(struct ca_fs *f, __u64 d)
{
	int b = ca_dist_bucket(d);

	if (b >= 0 && b < CA_DIST_BUCKETS)
		f->dist[b]++;
}

SEC("tp_btf/cleancache_put")
int BPF_PROG(ca_put, struct inode *inode, struct folio *folio, int pool,
	     int ret, const void *key)
{
	struct ca_page_key pk = {};
	struct ca_page pg = {};
	struct ca_global *g;
	struct ca_fs *f;
	__u64 seq = 0;
	__u32 dev;

	dev = inode_dev(inode, pool);
	if (!dev)
		return 0;
	f = fs_slot(dev, pool);
	if (!f)
		return 0;
	g = global_slot();
	if (!g)
		return 0;
	if (ret == 0) {
		f->puts++;
		seq = __sync_fetch_and_add(&g->put_seq, 1) + 1;
	} else {
		f->puts_refused++;
	}
	pk.file = file_hash(key, pool);
	pk.index = (__u32)BPF_CORE_READ(folio, index);	/* the store's u32 */
	pk.pool = pool;
	if (!sampled(pk.file, pk.index))
		return 0;
	pg.put_seq = seq;
	pg.state = ret == 0 ? CA_ST_STORED : CA_ST_REFUSED;
	if (bpf_map_update_elem(&pages, &pk, &pg, BPF_ANY))
		__sync_fetch_and_add(&g->untracked, 1);
	return 0;
}

SEC("tp_btf/cleancache_get")
int BPF_PROG(ca_get, struct inode *inode, struct folio *folio, int pool,
	     int ret, const void *key)
{
	struct ca_page_key pk = {};
	struct ca_page *pg;
	struct ca_fs *f;
	int cause;
	__u32 dev;

	dev = inode_dev(inode, pool);
	if (!dev)
		return 0;
	f = fs_slot(dev, pool);
	if (!f)
		return 0;
	if (ret == 0)
		f->hits++;
	else
		f->misses++;
	pk.file = file_hash(key, pool);
	pk.index = (__u32)BPF_CORE_READ(folio, index);	/* the store's u32 */
	pk.pool = pool;
	if (!sampled(pk.file, pk.index))
		return 0;
	f->gets_sampled++;
	pg = bpf_map_lookup_elem(&pages, &pk);
	if (ret == 0) {
		f->hits_sampled++;
		if (pg && pg->put_seq)
			add_dist(f, put_seq_now() - pg->put_seq);
		else
			f->hit_no_dist++;
		if (pg)
			pg->state = CA_ST_TAKEN;
		return 0;
	}
	f->misses_sampled++;
	if (!pg) {
		struct ca_global *g = global_slot();

		/* once the record map has overflowed, absence proves nothing */
		cause = g && g->untracked ? CA_UNKNOWN : CA_COLD;
	} else if (pg->state == CA_ST_INVALIDATED ||
		   ((pg->state == CA_ST_STORED || pg->state == CA_ST_EVICTED) &&
		    flushed_since(pool, pk.file, pg->put_seq))) {
		cause = CA_INVALIDATED;
	} else if (pg->state == CA_ST_REFUSED) {
		cause = CA_REFUSED;
	} else if (pg->state == CA_ST_EVICTED || pg->state == CA_ST_STORED) {
		cause = CA_EVICTED;
		/* a store big enough would have hit: it counts for sizing */
		add_dist(f, put_seq_now() - pg->put_seq);
		if (pg->state == CA_ST_STORED)
			f->evict[CA_EV_SILENT]++;
	} else {
		cause = CA_COLD;	/* taken or missed since: not put again */
	}
	if (cause >= 0 && cause < CA_NR_CAUSES)
		f->cause[cause]++;
	if (pg) {
		pg->state = CA_ST_MISSED;
		pg->put_seq = 0;
	}
	return 0;
}

SEC("tp_btf/cleancache_invalidate_page")
int BPF_PROG(ca_inval_page, struct inode *inode, struct folio *folio,
	     int pool, int ret, const void *key)
{
	struct ca_page_key pk = {};
	struct ca_page *pg;

	if (!inode_dev(inode, pool))
		return 0;
	pk.file = file_hash(key, pool);
	pk.index = (__u32)BPF_CORE_READ(folio, index);	/* the store's u32 */
	pk.pool = pool;
	if (!sampled(pk.file, pk.index))
		return 0;
	pg = bpf_map_lookup_elem(&pages, &pk);
	if (pg && (pg->state == CA_ST_STORED || pg->state == CA_ST_REFUSED))
		pg->state = CA_ST_INVALIDATED;
	return 0;
}

SEC("tp_btf/cleancache_invalidate_inode")
int BPF_PROG(ca_inval_inode, struct inode *inode, int pool, const void *key)
{
	struct ca_file_key fk = {};
	__u64 seq;

	if (!inode_dev(inode, pool))
		return 0;
	fk.file = file_hash(key, pool);
	fk.pool = pool;
	seq = put_seq_now();
	bpf_map_update_elem(&file_flush, &fk, &seq, BPF_ANY);
	return 0;
}

static __always_inline int pool_event(int pool)
{
	__u64 seq = put_seq_now();

	if (pool >= 0)
		bpf_map_update_elem(&pool_flush, &pool, &seq, BPF_ANY);
	return 0;
}

SEC("tp_btf/cleancache_pool_create")
int BPF_PROG(ca_pool_create, struct super_block *sb, int pool, bool shared,
	     int ret)
{
	return pool_event(pool);
}

SEC("tp_btf/cleancache_pool_destroy")
int BPF_PROG(ca_pool_destroy, struct super_block *sb, int pool, bool shared,
	     int ret)
{
	return pool_event(pool);
}

SEC("tp_btf/cleancache_evict")
int BPF_PROG(ca_evict, const char *store, __u32 pool_id, const void *oid,
	     __u32 index, int reason)
{
	struct ca_page_key pk = {};
	int pool = (int)pool_id;
	struct ca_page *pg;
	struct ca_fs *f;
	__u32 *dev;

	dev = bpf_map_lookup_elem(&pool_dev, &pool);
	if (!dev || (targ_dev && *dev != targ_dev))
		return 0;
	f = fs_slot(*dev, pool);
	if (f && reason >= 0 && reason < CA_EV_SILENT)
		f->evict[reason]++;
	pk.file = file_hash(oid, pool);
	pk.index = index;
	pk.pool = pool;
	if (!sampled(pk.file, pk.index))
		return 0;
	pg = bpf_map_lookup_elem(&pages, &pk);
	if (pg && pg->state == CA_ST_STORED)
		pg->state = CA_ST_EVICTED;
	return 0;
}

/* ---- the time puts and gets take ---- */

/* keyed by thread and operation: a get's allocation may reclaim and put */
static __always_inline __u32 op_key(int op)
{
	return (__u32)bpf_get_current_pid_tgid() << 1 | op;
}

static __always_inline int op_enter(int op)
{
	__u32 tid = op_key(op);
	__u64 ts = bpf_ktime_get_ns();

	bpf_map_update_elem(&op_start, &tid, &ts, BPF_ANY);
	return 0;
}

static __always_inline int op_exit(int op, struct folio *folio, int ret)
{
	__u32 tid = op_key(op), dev, k = op;
	struct inode *inode;
	struct ca_lat *l;
	struct ca_fs *f;
	__u64 *start, ns;
	int pool, slot;

	start = bpf_map_lookup_elem(&op_start, &tid);
	if (!start)
		return 0;
	ns = bpf_ktime_get_ns() - *start;
	bpf_map_delete_elem(&op_start, &tid);
	/* -ENOENT: no pool, nothing was copied */
	if (ret == -ENOENT)
		return 0;
	inode = BPF_CORE_READ(folio, mapping, host);
	if (!inode)
		return 0;
	pool = BPF_CORE_READ(inode, i_sb, cleancache_poolid);
	dev = inode_dev(inode, pool);
	if (!dev)
		return 0;
	f = fs_slot(dev, pool);
	if (f) {
		if (op == 0) {
			f->put_ns += ns;
			f->put_timed++;
		} else {
			f->get_ns += ns;
			f->get_timed++;
		}
	}
	l = bpf_map_lookup_elem(&lat, &k);
	if (!l)
		return 0;
	slot = ca_log2(ns);
	if (slot >= CA_LAT_SLOTS)
		slot = CA_LAT_SLOTS - 1;
	if (slot >= 0)
		l->slot[slot]++;
	return 0;
}

SEC("fentry/__cleancache_put_folio")
int BPF_PROG(ca_put_enter, struct folio *folio)
{
	return op_enter(0);
}

SEC("fexit/__cleancache_put_folio")
int BPF_PROG(ca_put_exit, struct folio *folio, int ret)
{
	return op_exit(0, folio, ret);
}

SEC("fentry/__cleancache_get_folio")
int BPF_PROG(ca_get_enter, struct folio *folio)
{
	return op_enter(1);
}

SEC("fexit/__cleancache_get_folio")
int BPF_PROG(ca_get_exit, struct folio *folio, int ret)
{
	return op_exit(1, folio, ret);
}

/* ---- reads that reached a disk ---- */

SEC("tp_btf/block_rq_issue")
int BPF_PROG(ca_rq_issue, struct request *rq)
{
	__u64 key = (__u64)rq, ts;

	if ((BPF_CORE_READ(rq, cmd_flags) & REQ_OP_MASK) != REQ_OP_READ)
		return 0;
	ts = bpf_ktime_get_ns();
	bpf_map_update_elem(&rq_start, &key, &ts, BPF_ANY);
	return 0;
}

SEC("tp_btf/block_rq_complete")
int BPF_PROG(ca_rq_complete, struct request *rq, int error,
	     unsigned int nr_bytes)
{
	__u64 key = (__u64)rq, *start, ns;
	struct ca_dev *d, zero = {};
	struct block_device *part;
	__u32 dev;

	start = bpf_map_lookup_elem(&rq_start, &key);
	if (!start)
		return 0;
	ns = bpf_ktime_get_ns() - *start;
	bpf_map_delete_elem(&rq_start, &key);
	part = BPF_CORE_READ(rq, part);
	if (!part)
		return 0;
	dev = BPF_CORE_READ(part, bd_dev);
	d = bpf_map_lookup_elem(&dev_reads, &dev);
	if (!d) {
		bpf_map_update_elem(&dev_reads, &dev, &zero, BPF_NOEXIST);
		d = bpf_map_lookup_elem(&dev_reads, &dev);
		if (!d)
			return 0;
	}
	__sync_fetch_and_add(&d->reads, 1);
	__sync_fetch_and_add(&d->sectors, nr_bytes >> 9);
	__sync_fetch_and_add(&d->ns, ns);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
