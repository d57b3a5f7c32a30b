/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The Prometheus exposition of ccstat's counters: a growable text buffer,
 * name and label escaping, the text (0.0.4) vs OpenMetrics (1.0.0)
 * differences, and the one renderer that `ccstat export` serves over HTTP
 * and writes for node_exporter's textfile collector.  Pure functions: no
 * BPF, no I/O, unit-tested on the host.
 */
#ifndef CCSTAT_METRICS_H
#define CCSTAT_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include "../bpf/ccstat.h"
#include "../bpf/ccanalyze.h"

/* A growable string; after an allocation failure only .oom changes */
struct mbuf {
	char *p;
	size_t len, cap;
	bool oom;
};

void mbuf_printf(struct mbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void mbuf_puts(struct mbuf *b, const char *s);
void mbuf_reset(struct mbuf *b);
void mbuf_free(struct mbuf *b);

enum metrics_format { METRICS_TEXT, METRICS_OPENMETRICS };

/*
 * The format an HTTP Accept header asks for, by q-value (q=0: never);
 * OpenMetrics only when named and preferred at least as much as text
 * (NULL, wildcards: text)
 */
enum metrics_format metrics_negotiate(const char *accept);
const char *metrics_content_type(enum metrics_format f);

/* [a-zA-Z_:][a-zA-Z0-9_:]* (label names: no ':') */
bool metrics_valid_name(const char *s, bool label);
/*
 * Label value: made valid UTF-8 (each ill-formed sequence becomes
 * U+FFFD), then backslash, double quote and newline escaped
 */
void metrics_escape_label(struct mbuf *b, const char *s);
/* HELP text: valid UTF-8 as above, backslash and newline escaped */
void metrics_escape_help(struct mbuf *b, const char *s);

struct metric_label {
	const char *name;
	const char *value;
};

/*
 * "# HELP"/"# TYPE" of a family.  @name is the sample name; for a
 * counter it ends in "_total", which OpenMetrics drops from the family
 * name.  @type is "counter" or "gauge".
 */
void metrics_family(struct mbuf *b, enum metrics_format f, const char *name,
		    const char *type, const char *help);
void metrics_sample_u64(struct mbuf *b, const char *name,
			const struct metric_label *l, int nl, __u64 v);
void metrics_sample_f64(struct mbuf *b, const char *name,
			const struct metric_label *l, int nl, double v);
/* OpenMetrics ends with "# EOF" */
void metrics_finish(struct mbuf *b, enum metrics_format f);

/*
 * One filesystem: every pool it had (a mount creates a new one) summed.
 * The pool id is not a label: it changes at every mount.
 */
struct metrics_fs {
	const char *device;	/* mount source, as node_exporter names it */
	const char *fstype;
	const char *mountpoint;
	struct cc_counts c;
	long long stored_bytes;	/* held by the RAM store, -1: unknown */
};

/* A pool that exists now: ccstat_pool_info maps it to its filesystem */
struct metrics_pool {
	const char *device;
	const char *fstype;
	const char *mountpoint;
	int pool;
};

/* The RAM store (debugfs cleancache/tmem_local), store-wide */
struct metrics_store {
	bool present;
	__u64 capacity_bytes, stored_bytes;
	__u64 evictions, shrinker_freed;	/* pages, since boot */
};

/* One exported inode; other = true: every inode not exported on @device */
struct metrics_inode {
	const char *device;
	const char *mountpoint;
	__u64 ino;
	__u32 subvol;		/* btrfs subvolume's st_dev, 0: none */
	bool other;
	struct cc_counts c;
};

/* ---- export --analyze ---- */

/* Store sizes of ccstat_analyze_predicted_hit_ratio, times the current one */
#define METRICS_NR_FACTORS	5
extern const double metrics_factors[METRICS_NR_FACTORS];

/*
 * What the exporter carries from scrape to scrape for one filesystem, so
 * that its estimates are counters that never go back: each scrape's new
 * misses are shared out by the causes of that scrape's sampled misses
 * (misses with no sampled miss yet wait for the next one), and each
 * scrape's newly saved sectors are priced at the device's read time per
 * sector as known then (unpriced ones wait for the first timed read).
 */
struct metrics_analyze_acc {
	struct ca_fs last;		/* the counters at the previous scrape */
	double misses[CA_NR_CAUSES];	/* estimated misses per cause */
	__u64 unattributed;		/* misses not shared out yet */
	double disk_s;			/* saved disk seconds, < 0: unknown yet */
	__u64 unpriced;			/* saved sectors not priced yet */
};

void metrics_analyze_acc_init(struct metrics_analyze_acc *a);
/* @now: counters since start; @ns_per_sector < 0: unknown */
void metrics_analyze_acc_update(struct metrics_analyze_acc *a,
				const struct ca_fs *now, double ns_per_sector);

struct metrics_analyze_fs {
	const char *device;
	const char *fstype;
	const char *mountpoint;
	const struct ca_fs *c;		/* since start, every pool summed */
	const struct metrics_analyze_acc *acc;
	double predicted[METRICS_NR_FACTORS];	/* hit ratio, < 0: unknown */
};

struct metrics_analyze {
	const struct metrics_analyze_fs *fs;
	size_t nfs;
	double sample_rate;		/* share of page keys tracked */
	__u64 capacity_bytes;		/* the store's, 0: unknown */
	bool timed;			/* puts and gets are timed */
	struct ca_lat lat[2];		/* 0 put, 1 get: log2 ns slots */
	double lat_sum_s[2];		/* their total time */
};

struct metrics_input {
	const struct metrics_fs *fs;
	size_t nfs;
	const struct metrics_pool *pools_info;
	size_t npools_info;
	struct metrics_store store;
	bool inodes_on;			/* --top-inodes given */
	const struct metrics_inode *inodes;
	size_t ninodes;
	struct cc_counts total;
	struct cc_drops drops;		/* events_lost is not exported */
	long long pools;		/* live pools, -1: unknown */
	long long scrapes;		/* answered so far, -1: not serving */
	const char *backend;		/* NULL: unknown */
	const char *version;
	const char *attach;
	bool bpf_stats;			/* --bpf-stats: the two below exist */
	__u64 bpf_run_ns, bpf_run_cnt;
	const struct metrics_analyze *analyze;	/* NULL: no --analyze */
};

/*
 * "ADDR:PORT", "[ADDR6]:PORT", "HOST:PORT" (localhost is 127.0.0.1,
 * other names resolve) or ":PORT" (loopback) into a socket address; 0 or
 * -EINVAL.
 */
struct sockaddr_storage;
int metrics_parse_listen(const char *arg, struct sockaddr_storage *ss,
			 unsigned int *len);

/* Everything but the scrape duration (the caller times the whole scrape) */
void metrics_render(struct mbuf *b, enum metrics_format f,
		    const struct metrics_input *in);
void metrics_render_scrape(struct mbuf *b, enum metrics_format f,
			   double seconds);

#endif /* CCSTAT_METRICS_H */
