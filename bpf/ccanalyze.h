/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Structs shared by ccanalyze.bpf.c and `ccstat analyze`: the fate of a
 * sampled page key, the per-filesystem analysis counters (why gets missed,
 * what hits saved and puts cost, the put->get reuse distances), and the
 * block-layer read counters per device.
 */
#ifndef __CCANALYZE_H
#define __CCANALYZE_H

/*
 * Reuse distances in puts: four buckets per power of two (distances 0-3
 * have a bucket each), so a bucket spans at most a quarter of its lower
 * bound; bucket 127 holds everything from 7 << 30 puts up.
 */
#define CA_DIST_BUCKETS	128
/* Put and get latency: log2 of nanoseconds, as biolatency's slots */
#define CA_LAT_SLOTS	32

#define CA_MAX_FS	64
#define CA_MAX_POOLS	256
#define CA_MAX_FILES	65536
#define CA_MAX_DEVS	64
#define CA_MAX_RQS	4096
/* Default page records; user space sizes the map before load */
#define CA_MAX_PAGES	131072

/* SHARDS-style spatial sampling: a key is tracked if hash % 2^24 < T */
#define CA_SAMPLE_BITS	24
/* Put numbers count 1 / rate per sampled put, in this fixed point */
#define CA_SEQ_SHIFT	8

/* Why a get missed */
enum ca_cause {
	CA_COLD = 0,		/* never put since tracking began, or since its last hit */
	CA_EVICTED,		/* the store dropped it: capacity or memory pressure */
	CA_INVALIDATED,		/* page, inode or pool flushed after the put */
	CA_REFUSED,		/* its last put was not stored */
	CA_UNKNOWN,		/* past what ccstat tracks (no room even after shrinking) */
	CA_NR_CAUSES,
};

/* The store's reasons (the kernel's enum cleancache_evict_reason) */
enum ca_evict {
	CA_EV_CAPACITY = 0,
	CA_EV_LOWMEM,
	CA_EV_SHRINKER,
	CA_EV_RESIZE,
	CA_EV_SILENT,		/* a stored page missed with no eviction event (Xen) */
	CA_NR_EVICT,
};

/* The last thing ccstat saw happen to a sampled page key */
enum ca_state {
	CA_ST_STORED = 1,
	CA_ST_REFUSED,
	CA_ST_INVALIDATED,
	CA_ST_EVICTED,
	CA_ST_TAKEN,		/* a get hit (private pools drop their copy) */
	CA_ST_MISSED,		/* a get missed: read from disk since */
};

struct ca_page_key {
	__u64 file;		/* hash of the 24-byte file key */
	__u64 index;
	__s32 pool;
	__u32 pad;
};

struct ca_page {
	__u64 put_seq;		/* the store-wide put count at its last put */
	__u32 state;		/* enum ca_state */
	__u32 pad;
};

struct ca_file_key {
	__u64 file;
	__s32 pool;
	__u32 pad;
};

/* Counters per filesystem (device, pool); per-CPU in the kernel */
struct ca_fs {
	__u64 puts;		/* stored */
	__u64 puts_refused;
	__u64 hits;
	__u64 misses;
	__u64 gets_sampled;	/* gets of sampled keys */
	__u64 hits_sampled;
	__u64 misses_sampled;
	__u64 cause[CA_NR_CAUSES];	/* of misses_sampled */
	__u64 evict[CA_NR_EVICT];	/* the store's eviction events, all keys */
	__u64 hit_no_dist;	/* sampled hits of pages put before tracking */
	__u64 put_ns;		/* time in puts (fentry/fexit), estimated from the sampled ones */
	__u64 put_timed;	/* sampled puts timed */
	__u64 get_ns;
	__u64 get_timed;
	__u64 put_ns_sampled;	/* the time of the sampled puts timed, as measured */
	__u64 get_ns_sampled;
	__u64 dist[CA_DIST_BUCKETS];	/* sampled gets by put->get distance */
};

/* Machine-wide state, one slot */
struct ca_global {
	__u64 put_seq;		/* stored puts, every pool (<< CA_SEQ_SHIFT, estimated from the sample) */
	__u64 untracked;	/* sampled keys with no room even after shrinking */
	__u64 threshold;	/* keys with hash < threshold are sampled (of 2^24); user space sets it first */
	__u64 shrinks;		/* times a full record map lowered it */
};

/* Latency histograms, one per operation (0 put, 1 get); per-CPU */
struct ca_lat {
	__u64 slot[CA_LAT_SLOTS];
};

/* Reads that went to a block device */
struct ca_dev {
	__u64 reads;
	__u64 sectors;
	__u64 ns;		/* issue to completion, summed */
};

/* floor(log2(v)), 0 for 0 */
static inline int ca_log2(__u64 v)
{
	int p = 0;

	if (v >> 32) { p += 32; v >>= 32; }
	if (v >> 16) { p += 16; v >>= 16; }
	if (v >> 8) { p += 8; v >>= 8; }
	if (v >> 4) { p += 4; v >>= 4; }
	if (v >> 2) { p += 2; v >>= 2; }
	if (v >> 1)
		p += 1;
	return p;
}

static inline int ca_dist_bucket(__u64 d)
{
	int p;

	if (d < 4)
		return (int)d;
	p = ca_log2(d);
	if (p > 32)
		return CA_DIST_BUCKETS - 1;
	return (p - 1) * 4 + (int)((d >> (p - 2)) & 3);
}

/* The distances bucket @b holds: [lo, hi) */
static inline void ca_dist_bounds(int b, __u64 *lo, __u64 *hi)
{
	int p;

	if (b < 4) {
		*lo = b;
		*hi = b + 1;
		return;
	}
	p = b / 4 + 1;
	*lo = (__u64)(4 + b % 4) << (p - 2);
	*hi = *lo + (1ull << (p - 2));
}

#endif /* __CCANALYZE_H */
