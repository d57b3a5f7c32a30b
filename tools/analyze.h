/* SPDX-License-Identifier: GPL-2.0 */
/*
 * `ccstat analyze`: why gets missed, what the store is worth, how big it
 * should be.  analyze.c holds the arithmetic (host-testable, no BPF);
 * cmd_analyze.c loads ccanalyze.bpf.c, reads it back as snapshots and
 * prints.  The exporter uses both.
 */
#ifndef CCSTAT_ANALYZE_H
#define CCSTAT_ANALYZE_H

#include "ccstat.h"
#include "../bpf/ccanalyze.h"

#define CA_PAGE_SIZE	4096ull

/* One filesystem's counters, summed over CPUs */
struct ca_fs_row {
	struct cc_fs_key key;
	struct ca_fs c;
};

struct ca_dev_row {
	__u32 dev;		/* kernel encoding */
	struct ca_dev d;
};

struct ca_snapshot {
	__u64 mono_ns;
	struct ca_global g;
	struct ca_lat lat[2];		/* 0 put, 1 get */
	struct ca_fs_row *fs;
	size_t nr_fs;
	struct ca_dev_row *devs;
	size_t nr_devs;
	bool run_stats;			/* --bpf-stats: the two below are known */
	__u64 run_time_ns;		/* the analysis programs' cost */
	__u64 run_cnt;
};

struct analyzer;

struct analyzer_cfg {
	double sample;			/* share of page keys tracked, (0, 1] */
	__u32 pages;			/* page record capacity, 0: default */
	bool no_latency;		/* skip fentry/fexit timing */
};

int analyzer_open(struct analyzer **ap, const struct options *opt,
		  const struct analyzer_cfg *cfg);
int analyzer_snapshot(struct analyzer *a, struct ca_snapshot *snap);
/*
 * The sampling rate in force (a multiple of 2^-24): --sample at first,
 * lowered each time the record map fills (fixed-size SHARDS)
 */
double analyzer_sample_rate(const struct analyzer *a);
bool analyzer_timed(const struct analyzer *a);
void analyzer_close(struct analyzer *a);
void ca_snapshot_free(struct ca_snapshot *snap);

/*
 * The store's capacity in pages (--store-size, else what tmem_local
 * reports; 0 unknown), and the registered backend's name into @backend.
 */
__u64 analyze_capacity_pages(const struct options *opt, char *backend,
			     size_t len);
/*
 * Read time per sector on the block device under filesystem @fsdev since
 * the analyzer started (ns), or -1 if no read was timed there.
 */
double analyze_ns_per_sector(const struct mount_table *mt,
			     const struct ca_snapshot *now, __u32 fsdev);

/* ---- analyze.c: arithmetic on the counters ---- */

/* @out = @now - @then, per field; filesystems matched by key */
void ca_fs_sub(struct ca_fs *out, const struct ca_fs *now,
	       const struct ca_fs *then);
void ca_fs_add(struct ca_fs *sum, const struct ca_fs *c);
void ca_dev_sub(struct ca_dev *out, const struct ca_dev *now,
		const struct ca_dev *then);
void ca_lat_sub(struct ca_lat *out, const struct ca_lat *now,
		const struct ca_lat *then);
/* now - then per filesystem of @now (then may lack it); rows as in now */
void ca_snapshot_delta(const struct ca_snapshot *now,
		       const struct ca_snapshot *then, struct ca_fs_row *out);

/*
 * Predicted hit ratio (0..100) at a store of @capacity pages, from the
 * put->get distances: a get hits if fewer than @capacity puts came after
 * its put (the store drops its oldest page first).  Sampled hits of pages
 * put before tracking began (no distance) count as hits at @current pages
 * and above.  -1 if no sampled get.
 */
double ca_predict_hit_pct(const struct ca_fs *c, __u64 capacity,
			  __u64 current);
/*
 * Store sizes, in pages, at which the predicted hit ratio is worth a
 * point of the curve: the prediction is linear between them (each
 * bucket's gets spread evenly over its distances), and it steps up at
 * the store's current size (the hits of pages put before tracking).
 * Sorted, without repeats; returns how many (at most @max).
 */
size_t ca_curve_sizes(const struct ca_fs *c, __u64 capacity, __u64 *out,
		      size_t max);
/* Measured hit ratio of the sampled gets, 0..100, -1 if none */
double ca_sampled_hit_pct(const struct ca_fs *c);

/* Misses of one cause, scaled from the sampled misses to all misses */
double ca_cause_estimate(const struct ca_fs *c, int cause);
/* Share of gets whose key was sampled, 0..1 (-1 without gets) */
double ca_tracked_share(const struct ca_fs *c);

struct ca_worth {
	double put_efficiency;		/* hits / puts, -1 without puts */
	double bytes_per_hit;		/* (puts + hits) pages copied per hit */
	__u64 saved_bytes;		/* hits x page size */
	__u64 saved_sectors;		/* hits x 8 */
	double saved_disk_s;		/* at the device's s per sector; -1 unknown */
	double cpu_s;			/* time in puts and gets (estimated from the sampled keys) */
	double put_avg_us, get_avg_us;	/* -1 without timed ops */
};

/* @dev_ns_per_sector: the device's read time per sector, < 0 unknown */
void ca_worth_of(const struct ca_fs *c, double dev_ns_per_sector,
		 struct ca_worth *w);
/* "saved 1.9 GiB of reads (≈ 41 s of disk time) for 3.1 s of CPU copying" */
void ca_worth_line(char *buf, size_t len, const struct ca_worth *w);

/* 1536 KiB -> "1.5 MiB" */
void ca_format_bytes(char *buf, size_t len, double bytes);

extern const char *const ca_cause_names[CA_NR_CAUSES];
extern const char *const ca_evict_names[CA_NR_EVICT];

#endif /* CCSTAT_ANALYZE_H */
