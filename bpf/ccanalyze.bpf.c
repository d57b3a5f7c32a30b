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
 * The record map has a fixed size (fixed-size SHARDS, Waldspurger et al.,
 * FAST '15): when a sampled key finds it full, the threshold is lowered
 * and the keys above it are dropped, so the map never stays full and a
 * sampled key missing from it was never put since tracking began.  Only
 * sampled keys touch shared state: the put number counts sampled puts,
 * each weighted by the inverse of the rate at the time, so distances are
 * in (estimated) store-wide puts.
 *
 * Besides: the time puts and gets of sampled keys take (fentry/fexit on
 * the frontend), and the reads that did reach each block device, with
 * their service time, so user space can price a hit in disk time.
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

/* Set by user space before load; the threshold in force is in global */
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

/*
 * The put and get in progress on a task: entry time, and whether the
 * tracepoint in between found its key sampled (only those are timed)
 */
struct ca_op {
	__u64 start_ns[2];		/* 0 put, 1 get */
	__u64 threshold[2];		/* the rate when it was sampled */
	__u32 dev[2];			/* 0: not sampled */
	__s32 pool[2];
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct ca_op);
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

/*
 * The 24-byte file key, hashed with its pool.  A copy, not field reads:
 * the kernel declares it as a union of u32 words, which the verifier
 * would not let us load as u64s.
 */
static __always_inline __u64 file_hash(const void *key, int pool)
{
	__u64 w[3] = {};

	bpf_probe_read_kernel(w, sizeof(w), key);
	return mix64(w[0] ^ mix64(w[1] ^ mix64(w[2] ^ (__u64)(__u32)pool)));
}

/* A page key's place in the sample: sampled while below the threshold */
static __always_inline __u64 key_hash(__u64 file, __u64 index)
{
	return mix64(file ^ (index * 0x9e3779b97f4a7c15ULL)) &
	       ((1u << CA_SAMPLE_BITS) - 1);
}

static __always_inline struct ca_global *global_slot(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&global, &zero);
}

static __always_inline bool sampled(struct ca_global *g, __u64 h)
{
	return h < g->threshold;
}

/* One sampled put, in store-wide puts: 1 / rate, in CA_SEQ_SHIFT fixed point */
static __always_inline __u64 seq_weight(__u64 threshold)
{
	return threshold ? (1ull << (CA_SAMPLE_BITS + CA_SEQ_SHIFT)) / threshold
			 : 0;
}

static long drop_above(void *map, struct ca_page_key *k, struct ca_page *pg,
		       __u64 *threshold)
{
	if (key_hash(k->file, k->index) >= *threshold)
		bpf_map_delete_elem(map, k);
	return 0;
}

/*
 * The record map is full: lower the threshold by a quarter and drop the
 * keys above it (one CPU does it; the others see the new threshold).
 */
static __always_inline void shrink_sample(struct ca_global *g)
{
	__u64 old = g->threshold, new = old - old / 4;

	if (new == old || new == 0)
		return;
	if (__sync_val_compare_and_swap(&g->threshold, old, new) != old)
		return;
	__sync_fetch_and_add(&g->shrinks, 1);
	bpf_for_each_map_elem(&pages, drop_above, &new, 0);
}

/*
 * Record a sampled key's new state.  If there is no room even after
 * shrinking, the key leaves the sample (the threshold drops to its hash),
 * so that absence from the map keeps meaning "not put since tracking
 * began" for every key still sampled.
 */
static __always_inline void record(struct ca_global *g,
				   const struct ca_page_key *pk, __u64 h,
				   __u64 seq, __u32 state)
{
	struct ca_page pg = { .put_seq = seq, .state = state };
	struct ca_page *old;
	__u64 t;
	int i;

	old = bpf_map_lookup_elem(&pages, pk);
	if (old) {
		old->put_seq = seq;
		old->state = state;
		return;
	}
	if (!bpf_map_update_elem(&pages, pk, &pg, BPF_NOEXIST))
		return;
	shrink_sample(g);
	if (!sampled(g, h) ||
	    !bpf_map_update_elem(&pages, pk, &pg, BPF_NOEXIST))
		return;
	for (i = 0; i < 4; i++) {
		t = g->threshold;
		if (t <= h ||
		    __sync_val_compare_and_swap(&g->threshold, t, h) == t)
			return;
	}
	__sync_fetch_and_add(&g->untracked, 1);
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
	dev = inode->i_sb->s_dev;	/* a tracepoint's own pointer: trusted */
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

/* @d: a put number difference (CA_SEQ_SHIFT fixed point) */
static __always_inline void add_dist(struct ca_fs *f, __u64 d)
{
	int b = ca_dist_bucket(d >> CA_SEQ_SHIFT);

	if (b >= 0 && b < CA_DIST_BUCKETS)
		f->dist[b]++;
}

static __always_inline void op_sampled(int op, __u32 dev, int pool,
				       __u64 threshold);

SEC("tp_btf/cleancache_put")
int BPF_PROG(ca_put, struct inode *inode, struct folio *folio, int pool,
	     int ret, const void *key)
{
	struct ca_page_key pk = {};
	struct ca_global *g;
	struct ca_fs *f;
	__u64 seq = 0, h, w;
	__u32 dev;

	dev = inode_dev(inode, pool);
	if (!dev)
		return 0;
	f = fs_slot(dev, pool);
	if (!f)
		return 0;
	if (ret == 0)
		f->puts++;
	else
		f->puts_refused++;
	g = global_slot();
	if (!g)
		return 0;
	pk.file = file_hash(key, pool);
	pk.index = (__u32)folio->index;	/* the store's u32 */
	pk.pool = pool;
	h = key_hash(pk.file, pk.index);
	if (!sampled(g, h))
		return 0;
	op_sampled(0, dev, pool, g->threshold);
	if (ret == 0) {
		w = seq_weight(g->threshold);
		seq = __sync_fetch_and_add(&g->put_seq, w) + w;
	}
	record(g, &pk, h, seq, ret == 0 ? CA_ST_STORED : CA_ST_REFUSED);
	return 0;
}

SEC("tp_btf/cleancache_get")
int BPF_PROG(ca_get, struct inode *inode, struct folio *folio, int pool,
	     int ret, const void *key)
{
	struct ca_page_key pk = {};
	struct ca_global *g;
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
	g = global_slot();
	if (!g)
		return 0;
	pk.file = file_hash(key, pool);
	pk.index = (__u32)folio->index;	/* the store's u32 */
	pk.pool = pool;
	if (!sampled(g, key_hash(pk.file, pk.index)))
		return 0;
	op_sampled(1, dev, pool, g->threshold);
	f->gets_sampled++;
	pg = bpf_map_lookup_elem(&pages, &pk);
	if (ret == 0) {
		f->hits_sampled++;
		if (pg && pg->put_seq)
			add_dist(f, g->put_seq - pg->put_seq);
		else
			f->hit_no_dist++;
		if (pg)
			pg->state = CA_ST_TAKEN;
		return 0;
	}
	f->misses_sampled++;
	if (!pg) {
		/* absence proves nothing once a sampled key found no room */
		cause = g->untracked ? CA_UNKNOWN : CA_COLD;
	} else if (pg->state == CA_ST_INVALIDATED ||
		   ((pg->state == CA_ST_STORED || pg->state == CA_ST_EVICTED) &&
		    flushed_since(pool, pk.file, pg->put_seq))) {
		cause = CA_INVALIDATED;
	} else if (pg->state == CA_ST_REFUSED) {
		cause = CA_REFUSED;
	} else if (pg->state == CA_ST_EVICTED || pg->state == CA_ST_STORED) {
		cause = CA_EVICTED;
		/* a store big enough would have hit: it counts for sizing */
		add_dist(f, g->put_seq - pg->put_seq);
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
	struct ca_global *g;
	struct ca_page *pg;

	if (!inode_dev(inode, pool))
		return 0;
	g = global_slot();
	if (!g)
		return 0;
	pk.file = file_hash(key, pool);
	pk.index = (__u32)folio->index;	/* the store's u32 */
	pk.pool = pool;
	if (!sampled(g, key_hash(pk.file, pk.index)))
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
	struct ca_global *g;
	struct ca_page *pg;
	struct ca_fs *f;
	__u32 *dev;

	dev = bpf_map_lookup_elem(&pool_dev, &pool);
	if (!dev || (targ_dev && *dev != targ_dev))
		return 0;
	f = fs_slot(*dev, pool);
	if (f && reason >= 0 && reason < CA_EV_SILENT)
		f->evict[reason]++;
	g = global_slot();
	if (!g)
		return 0;
	pk.file = file_hash(oid, pool);
	pk.index = index;
	pk.pool = pool;
	if (!sampled(g, key_hash(pk.file, pk.index)))
		return 0;
	pg = bpf_map_lookup_elem(&pages, &pk);
	if (pg && pg->state == CA_ST_STORED)
		pg->state = CA_ST_EVICTED;
	return 0;
}

/* ---- the time puts and gets of sampled keys take ---- */

static __always_inline struct ca_op *op_slot(bool create)
{
	return bpf_task_storage_get(&op_start, bpf_get_current_task_btf(), 0,
				    create ? BPF_LOCAL_STORAGE_GET_F_CREATE : 0);
}

static __always_inline int op_enter(int op)
{
	struct ca_op *o = op_slot(true);

	if (!o)
		return 0;
	if (op) {
		o->dev[1] = 0;
		o->start_ns[1] = bpf_ktime_get_ns();
	} else {
		o->dev[0] = 0;
		o->start_ns[0] = bpf_ktime_get_ns();
	}
	return 0;
}

/* From the tracepoint, between entry and exit: this one is timed */
static __always_inline void op_sampled(int op, __u32 dev, int pool,
				       __u64 threshold)
{
	struct ca_op *o = op_slot(false);

	if (!o)
		return;
	if (op) {
		o->dev[1] = dev;
		o->pool[1] = pool;
		o->threshold[1] = threshold;
	} else {
		o->dev[0] = dev;
		o->pool[0] = pool;
		o->threshold[0] = threshold;
	}
}

/*
 * A get's allocation may reclaim and put: each operation has its slot.
 * The time is weighted by 1 / rate, so put_ns and get_ns estimate the time
 * of every put and get; the histograms count the sampled ones.
 */
static __always_inline int op_exit(int op, int ret)
{
	struct ca_op *o = op_slot(false);
	__u64 ns, start, t;
	struct ca_lat *l;
	struct ca_fs *f;
	__u32 dev, k = op;
	int pool, slot;

	if (!o)
		return 0;
	if (op) {
		dev = o->dev[1];
		pool = o->pool[1];
		start = o->start_ns[1];
		t = o->threshold[1];
		o->dev[1] = 0;
	} else {
		dev = o->dev[0];
		pool = o->pool[0];
		start = o->start_ns[0];
		t = o->threshold[0];
		o->dev[0] = 0;
	}
	/* not sampled, or -ENOENT: no pool, nothing was copied */
	if (!dev || !t || ret == -ENOENT)
		return 0;
	ns = bpf_ktime_get_ns() - start;
	f = fs_slot(dev, pool);
	if (f) {
		__u64 est = (ns << CA_SAMPLE_BITS) / t;

		if (op == 0) {
			f->put_ns += est;
			f->put_ns_sampled += ns;
			f->put_timed++;
		} else {
			f->get_ns += est;
			f->get_ns_sampled += ns;
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
	return op_exit(0, ret);
}

SEC("fentry/__cleancache_get_folio")
int BPF_PROG(ca_get_enter, struct folio *folio)
{
	return op_enter(1);
}

SEC("fexit/__cleancache_get_folio")
int BPF_PROG(ca_get_exit, struct folio *folio, int ret)
{
	return op_exit(1, ret);
}

/* ---- reads that reached a disk ---- */

SEC("tp_btf/block_rq_issue")
int BPF_PROG(ca_rq_issue, struct request *rq)
{
	__u64 key = (__u64)rq, ts;

	if ((rq->cmd_flags & REQ_OP_MASK) != REQ_OP_READ)
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
	part = rq->part;
	if (!part)
		return 0;
	dev = part->bd_dev;
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
