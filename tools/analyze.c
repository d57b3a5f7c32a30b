// SPDX-License-Identifier: GPL-2.0
/*
 * The arithmetic of `ccstat analyze`, apart from BPF so the host unit
 * tests can check it: deltas, the sizing prediction from the reuse
 * distance histogram, the miss causes scaled from the sampled keys, and
 * the worth of the store in bytes, disk time and CPU time.
 */
#include <stdio.h>
#include <string.h>
#include "analyze.h"

const char *const ca_cause_names[CA_NR_CAUSES] = {
	[CA_COLD] = "cold",
	[CA_EVICTED] = "evicted",
	[CA_INVALIDATED] = "invalidated",
	[CA_REFUSED] = "refused",
	[CA_UNKNOWN] = "unknown",
};

const char *const ca_evict_names[CA_NR_EVICT] = {
	[CA_EV_CAPACITY] = "capacity",
	[CA_EV_LOWMEM] = "lowmem",
	[CA_EV_SHRINKER] = "shrinker",
	[CA_EV_RESIZE] = "resize",
	[CA_EV_SILENT] = "silent",
};

#define NWORDS(t) (sizeof(t) / sizeof(__u64))

static void sub_words(__u64 *out, const __u64 *now, const __u64 *then,
		      size_t n)
{
	size_t i;

	/* a counter that went backwards restarted: count from zero */
	for (i = 0; i < n; i++)
		out[i] = now[i] >= then[i] ? now[i] - then[i] : now[i];
}

void ca_fs_sub(struct ca_fs *out, const struct ca_fs *now,
	       const struct ca_fs *then)
{
	sub_words((__u64 *)out, (const __u64 *)now, (const __u64 *)then,
		  NWORDS(struct ca_fs));
}

void ca_fs_add(struct ca_fs *sum, const struct ca_fs *c)
{
	__u64 *s = (__u64 *)sum;
	const __u64 *v = (const __u64 *)c;
	size_t i;

	for (i = 0; i < NWORDS(struct ca_fs); i++)
		s[i] += v[i];
}

void ca_dev_sub(struct ca_dev *out, const struct ca_dev *now,
		const struct ca_dev *then)
{
	sub_words((__u64 *)out, (const __u64 *)now, (const __u64 *)then,
		  NWORDS(struct ca_dev));
}

void ca_lat_sub(struct ca_lat *out, const struct ca_lat *now,
		const struct ca_lat *then)
{
	sub_words(out->slot, now->slot, then->slot, CA_LAT_SLOTS);
}

void ca_snapshot_delta(const struct ca_snapshot *now,
		       const struct ca_snapshot *then, struct ca_fs_row *out)
{
	static const struct ca_fs zero;
	size_t i, j;

	for (i = 0; i < now->nr_fs; i++) {
		const struct ca_fs *base = &zero;

		for (j = 0; then && j < then->nr_fs; j++) {
			if (!memcmp(&then->fs[j].key, &now->fs[i].key,
				    sizeof(now->fs[i].key))) {
				base = &then->fs[j].c;
				break;
			}
		}
		out[i].key = now->fs[i].key;
		ca_fs_sub(&out[i].c, &now->fs[i].c, base);
	}
}

double ca_predict_hit_pct(const struct ca_fs *c, __u64 capacity,
			  __u64 current)
{
	double hits = 0;
	int b;

	if (!c->gets_sampled)
		return -1;
	for (b = 0; b < CA_DIST_BUCKETS; b++) {
		__u64 lo, hi;

		if (!c->dist[b])
			continue;
		ca_dist_bounds(b, &lo, &hi);
		if (hi <= capacity)
			hits += c->dist[b];
		else if (lo < capacity)	/* spread evenly over the bucket */
			hits += (double)c->dist[b] * (capacity - lo) / (hi - lo);
	}
	if (capacity >= current)
		hits += c->hit_no_dist;
	return 100.0 * hits / c->gets_sampled;
}

size_t ca_curve_sizes(const struct ca_fs *c, __u64 capacity, __u64 *out,
		      size_t max)
{
	size_t n = 0, i, j;
	int k;

	for (k = 0; k < CA_DIST_BUCKETS && n + 2 <= max; k++) {
		__u64 lo, hi;

		if (!c->dist[k])
			continue;
		ca_dist_bounds(k, &lo, &hi);
		out[n++] = lo;
		out[n++] = hi;
	}
	if (capacity > 1 && n + 2 <= max) {
		out[n++] = capacity - 1;
		out[n++] = capacity;
	}
	/* insertion sort: a few hundred points at most */
	for (i = 1; i < n; i++) {
		__u64 v = out[i];

		for (j = i; j > 0 && out[j - 1] > v; j--)
			out[j] = out[j - 1];
		out[j] = v;
	}
	for (i = j = 0; i < n; i++)
		if (!j || out[j - 1] != out[i])
			out[j++] = out[i];
	return j;
}

double ca_sampled_hit_pct(const struct ca_fs *c)
{
	if (!c->gets_sampled)
		return -1;
	return 100.0 * c->hits_sampled / c->gets_sampled;
}

double ca_cause_estimate(const struct ca_fs *c, int cause)
{
	if (cause < 0 || cause >= CA_NR_CAUSES || !c->misses_sampled)
		return 0;
	return (double)c->cause[cause] * c->misses / c->misses_sampled;
}

double ca_tracked_share(const struct ca_fs *c)
{
	__u64 gets = c->hits + c->misses;

	if (!gets)
		return -1;
	return (double)c->gets_sampled / gets;
}

void ca_worth_of(const struct ca_fs *c, double dev_ns_per_sector,
		 struct ca_worth *w)
{
	memset(w, 0, sizeof(*w));
	w->put_efficiency = c->puts ? (double)c->hits / c->puts : -1;
	w->bytes_per_hit = c->hits ?
		(double)(c->puts + c->hits) * CA_PAGE_SIZE / c->hits : -1;
	w->saved_bytes = c->hits * CA_PAGE_SIZE;
	w->saved_sectors = c->hits * (CA_PAGE_SIZE / 512);
	w->saved_disk_s = dev_ns_per_sector >= 0 ?
		w->saved_sectors * dev_ns_per_sector / 1e9 : -1;
	w->cpu_s = (double)(c->put_ns + c->get_ns) / 1e9;
	/* put_ns and get_ns are estimates for all keys; the *_timed sampled */
	w->put_avg_us = c->put_timed && c->puts + c->puts_refused ?
		c->put_ns / 1e3 / (c->puts + c->puts_refused) : -1;
	w->get_avg_us = c->get_timed && c->hits + c->misses ?
		c->get_ns / 1e3 / (c->hits + c->misses) : -1;
}

void ca_format_bytes(char *buf, size_t len, double bytes)
{
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	int u = 0;

	while (bytes >= 1024 && u < 4) {
		bytes /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(buf, len, "%.0f B", bytes);
	else
		snprintf(buf, len, "%.1f %s", bytes, unit[u]);
}

static void format_secs(char *buf, size_t len, double s)
{
	if (s < 0.001)
		snprintf(buf, len, "%.0f µs", s * 1e6);
	else if (s < 1)
		snprintf(buf, len, "%.0f ms", s * 1e3);
	else
		snprintf(buf, len, "%.1f s", s);
}

void ca_worth_line(char *buf, size_t len, const struct ca_worth *w)
{
	char bytes[32], disk[32], cpu[32];

	ca_format_bytes(bytes, sizeof(bytes), (double)w->saved_bytes);
	format_secs(cpu, sizeof(cpu), w->cpu_s);
	if (w->saved_disk_s >= 0) {
		format_secs(disk, sizeof(disk), w->saved_disk_s);
		snprintf(buf, len,
			 "saved %s of reads (≈ %s of disk time) for %s of CPU copying",
			 bytes, disk, cpu);
	} else {
		snprintf(buf, len,
			 "saved %s of reads (disk time unknown: no reads timed on its device) for %s of CPU copying",
			 bytes, cpu);
	}
}
