// SPDX-License-Identifier: GPL-2.0
/*
 * ccstat analyze [interval [count]] | [--] COMMAND: for the whole machine
 * or one filesystem (--dev), over an interval, until ^C, or while COMMAND
 * runs, answer three questions per filesystem:
 *
 *   why did gets miss    cold, evicted (and the store's reason), invalidated,
 *                        refused, unknown; from the sampled page keys
 *   what is it worth     hits per put, bytes copied per hit, the disk reads
 *                        and disk time the hits saved, the CPU time of puts
 *                        and gets, and their latency histograms
 *   how big should it be the hit ratio predicted at 1/4x to 4x the store's
 *                        size, from the put->get reuse distances
 *
 * The BPF side is ccanalyze.bpf.c, its session (shared with `ccstat export
 * --analyze`) analyzer.c, the arithmetic analyze.c.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "analyze.h"
#include "views.h"

/* ---- printing ---- */

struct report_ctx {
	const struct options *opt;
	struct analyzer *a;
	struct view_ctx v;
	__u64 capacity;		/* store pages; 0 unknown */
	char store[32];		/* backend name */
	FILE *f;
};

static const double factors[] = { 0.25, 0.5, 1, 2, 4 };
#define NFACTORS (sizeof(factors) / sizeof(factors[0]))

static void read_capacity(struct report_ctx *r)
{
	r->capacity = analyze_capacity_pages(r->opt, r->store,
					     sizeof(r->store));
}

static void pct_or_dash(char *buf, size_t len, double pct)
{
	if (pct < 0)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.1f%%", pct);
}

/* A quantity that may be unknown (negative): null then */
static void num_member(struct json_writer *jw, const char *key, double v)
{
	if (v < 0)
		jw_null_member(jw, key);
	else
		jw_double_member(jw, key, v);
}

static void print_fs_text(struct report_ctx *r, const char *title,
			  const struct ca_fs *c, double ns_per_sector)
{
	FILE *f = r->f;
	struct ca_worth w;
	char line[256], a[16], b[16];
	__u64 gets = c->hits + c->misses;
	double share = ca_tracked_share(c);
	size_t i;
	int k;

	ca_worth_of(c, ns_per_sector, &w);
	fprintf(f, "%s\n", title);
	pct_or_dash(a, sizeof(a), gets ? 100.0 * c->hits / gets : -1);
	fprintf(f, "  gets      %llu: %llu hits (%s), %llu misses; puts %llu stored, %llu refused\n",
		(unsigned long long)gets, (unsigned long long)c->hits, a,
		(unsigned long long)c->misses, (unsigned long long)c->puts,
		(unsigned long long)c->puts_refused);
	fprintf(f, "  misses   ");
	for (k = 0; k < CA_NR_CAUSES; k++) {
		double est = ca_cause_estimate(c, k);

		pct_or_dash(a, sizeof(a), c->misses ?
			    100.0 * est / c->misses : -1);
		fprintf(f, " %s %.0f (%s)%s", ca_cause_names[k], est, a,
			k + 1 < CA_NR_CAUSES ? "," : "\n");
	}
	pct_or_dash(a, sizeof(a), share < 0 ? -1 : 100 * share);
	fprintf(f, "            from %llu sampled misses of %llu sampled gets (%s of gets tracked)\n",
		(unsigned long long)c->misses_sampled,
		(unsigned long long)c->gets_sampled, a);
	fprintf(f, "  evicted  ");
	for (k = 0; k < CA_NR_EVICT; k++)
		fprintf(f, " %s %llu%s", ca_evict_names[k],
			(unsigned long long)c->evict[k],
			k + 1 < CA_NR_EVICT ? "," : "\n");
	ca_worth_line(line, sizeof(line), &w);
	fprintf(f, "  worth     %s\n", line);
	pct_or_dash(a, sizeof(a), w.put_efficiency < 0 ? -1 :
		    100 * w.put_efficiency);
	ca_format_bytes(b, sizeof(b), w.bytes_per_hit);
	fprintf(f, "            %s of puts paid off (hits / puts); %s copied per hit",
		a, w.bytes_per_hit < 0 ? "-" : b);
	if (w.put_avg_us >= 0)
		fprintf(f, "; put %.1f µs, get %.1f µs on average",
			w.put_avg_us, w.get_avg_us < 0 ? 0 : w.get_avg_us);
	fputc('\n', f);
	fprintf(f, "  size     ");
	if (!r->capacity) {
		fprintf(f, " store size unknown (use --store-size)\n");
		return;
	}
	for (i = 0; i < NFACTORS; i++) {
		__u64 pages = (__u64)(r->capacity * factors[i]);

		ca_format_bytes(b, sizeof(b), (double)pages * CA_PAGE_SIZE);
		pct_or_dash(a, sizeof(a),
			    ca_predict_hit_pct(c, pages, r->capacity));
		fprintf(f, " %gx %s: %s%s", factors[i], b, a,
			i + 1 < NFACTORS ? "," : "\n");
	}
	pct_or_dash(a, sizeof(a), ca_sampled_hit_pct(c));
	fprintf(f, "            (predicted hit ratio at each store size; measured now %s)\n", a);
}

static void print_fs_json(struct report_ctx *r, struct json_writer *jw,
			  const struct ca_fs *c, double ns_per_sector)
{
	__u64 sizes[2 * CA_DIST_BUCKETS + 2];
	struct ca_worth w;
	size_t i, n;
	int k;

	ca_worth_of(c, ns_per_sector, &w);
	jw_u64_member(jw, "gets", c->hits + c->misses);
	jw_u64_member(jw, "hits", c->hits);
	jw_u64_member(jw, "misses", c->misses);
	jw_u64_member(jw, "puts", c->puts);
	jw_u64_member(jw, "puts_refused", c->puts_refused);
	jw_key(jw, "misses_by_cause");
	jw_start_object(jw);
	for (k = 0; k < CA_NR_CAUSES; k++)
		jw_double_member(jw, ca_cause_names[k], ca_cause_estimate(c, k));
	jw_end_object(jw);
	jw_key(jw, "sampled");
	jw_start_object(jw);
	jw_u64_member(jw, "gets", c->gets_sampled);
	jw_u64_member(jw, "hits", c->hits_sampled);
	jw_u64_member(jw, "misses", c->misses_sampled);
	jw_u64_member(jw, "hits_without_distance", c->hit_no_dist);
	for (k = 0; k < CA_NR_CAUSES; k++)
		jw_u64_member(jw, ca_cause_names[k], c->cause[k]);
	num_member(jw, "tracked_share", ca_tracked_share(c));
	jw_end_object(jw);
	jw_key(jw, "evictions");
	jw_start_object(jw);
	for (k = 0; k < CA_NR_EVICT; k++)
		jw_u64_member(jw, ca_evict_names[k], c->evict[k]);
	jw_end_object(jw);
	jw_key(jw, "worth");
	jw_start_object(jw);
	num_member(jw, "put_efficiency", w.put_efficiency);
	num_member(jw, "bytes_copied_per_hit", w.bytes_per_hit);
	jw_u64_member(jw, "saved_bytes", w.saved_bytes);
	jw_u64_member(jw, "saved_sectors", w.saved_sectors);
	num_member(jw, "saved_disk_seconds", w.saved_disk_s);
	num_member(jw, "cpu_seconds", w.cpu_s);
	num_member(jw, "put_avg_us", w.put_avg_us);
	num_member(jw, "get_avg_us", w.get_avg_us);
	jw_end_object(jw);
	jw_key(jw, "sizing");
	jw_start_array(jw);
	for (i = 0; r->capacity && i < NFACTORS; i++) {
		__u64 pages = (__u64)(r->capacity * factors[i]);

		jw_start_object(jw);
		jw_double_member(jw, "factor", factors[i]);
		jw_u64_member(jw, "size_bytes", pages * CA_PAGE_SIZE);
		num_member(jw, "predicted_hit_pct",
			   ca_predict_hit_pct(c, pages, r->capacity));
		jw_end_object(jw);
	}
	jw_end_array(jw);
	num_member(jw, "measured_hit_pct", ca_sampled_hit_pct(c));
	/* the whole predicted curve, point by point: what ccstat-plot draws */
	jw_key(jw, "curve");
	jw_start_array(jw);
	n = c->gets_sampled ? ca_curve_sizes(c, r->capacity, sizes,
					  sizeof(sizes) / sizeof(sizes[0])) : 0;
	for (i = 0; i < n; i++) {
		jw_start_object(jw);
		jw_u64_member(jw, "size_bytes", sizes[i] * CA_PAGE_SIZE);
		num_member(jw, "predicted_hit_pct",
			   ca_predict_hit_pct(c, sizes[i], r->capacity));
		jw_end_object(jw);
	}
	jw_end_array(jw);
	jw_key(jw, "reuse_distance");
	jw_start_array(jw);
	for (k = 0; k < CA_DIST_BUCKETS; k++) {
		__u64 lo, hi;

		if (!c->dist[k])
			continue;
		ca_dist_bounds(k, &lo, &hi);
		jw_start_object(jw);
		jw_u64_member(jw, "lo", lo);
		jw_u64_member(jw, "hi", hi);
		jw_u64_member(jw, "count", c->dist[k]);
		jw_end_object(jw);
	}
	jw_end_array(jw);
}

static void print_lat_text(FILE *f, const char *what, const struct ca_lat *l)
{
	__u64 max = 0;
	int i, lo = -1, hi = -1;

	for (i = 0; i < CA_LAT_SLOTS; i++) {
		if (!l->slot[i])
			continue;
		if (lo < 0)
			lo = i;
		hi = i;
		if (l->slot[i] > max)
			max = l->slot[i];
	}
	if (lo < 0)
		return;
	fprintf(f, "\n%s latency (ns)\n%20s : %-10s |%-30s|\n", what, "ns",
		"count", "distribution");
	for (i = lo; i <= hi; i++) {
		char range[48], bar[31];
		int n = (int)(30 * l->slot[i] / max);

		snprintf(range, sizeof(range), "%llu -> %llu",
			 i ? 1ull << i : 0ull, (1ull << (i + 1)) - 1);
		memset(bar, '*', (size_t)n);
		bar[n] = 0;
		fprintf(f, "%20s : %-10llu |%-30s|\n", range,
			(unsigned long long)l->slot[i], bar);
	}
}

static void print_lat_json(struct json_writer *jw, const char *key,
			   const struct ca_lat *l)
{
	int i;

	jw_key(jw, key);
	jw_start_array(jw);
	for (i = 0; i < CA_LAT_SLOTS; i++) {
		if (!l->slot[i])
			continue;
		jw_start_object(jw);
		jw_u64_member(jw, "lo", i ? 1ull << i : 0ull);
		jw_u64_member(jw, "hi", 1ull << (i + 1));
		jw_u64_member(jw, "count", l->slot[i]);
		jw_end_object(jw);
	}
	jw_end_array(jw);
}

static void report(struct report_ctx *r, const struct ca_snapshot *now,
		   const struct ca_snapshot *base, double secs)
{
	struct ca_fs_row *rows;
	struct ca_fs total = {};
	struct ca_lat lat[2];
	struct json_writer jw;
	char title[4 * 1024 + 128], cap[32];
	double saved_ns = 0, timed_sectors = 0, total_nsps;
	__u64 dcnt = now->run_cnt - base->run_cnt;
	/* null in JSON, "unavailable" in text: not timed without --bpf-stats */
	double cost = now->run_stats && dcnt ?
		(double)(now->run_time_ns - base->run_time_ns) / dcnt : -1;
	size_t i;
	int k;

	rows = calloc(now->nr_fs ? now->nr_fs : 1, sizeof(*rows));
	if (!rows)
		return;
	ca_snapshot_delta(now, base, rows);
	for (k = 0; k < 2; k++)
		ca_lat_sub(&lat[k], &now->lat[k], &base->lat[k]);
	view_ctx_refresh(&r->v);
	read_capacity(r);
	ca_format_bytes(cap, sizeof(cap), (double)r->capacity * CA_PAGE_SIZE);

	jw_init(&jw, r->f, r->opt->pretty);
	if (r->opt->json) {
		jw_start_object(&jw);
		jw_str_member(&jw, "type", "analyze");
		jw_double_member(&jw, "interval_s", secs);
		jw_str_member(&jw, "store", r->store);
		if (r->capacity)
			jw_u64_member(&jw, "store_capacity_bytes",
				      r->capacity * CA_PAGE_SIZE);
		else
			jw_null_member(&jw, "store_capacity_bytes");
		jw_double_member(&jw, "sample_rate", analyzer_sample_rate(r->a));
		jw_u64_member(&jw, "untracked_puts", now->g.untracked);
		num_member(&jw, "bpf_ns_per_event", cost);
		jw_key(&jw, "filesystems");
		jw_start_array(&jw);
	} else {
		fprintf(r->f, "ccstat analyze: %.1f s; store %s, %s; %.4g%% of page keys sampled",
			secs, r->store[0] ? r->store : "?",
			r->capacity ? cap : "size unknown",
			100 * analyzer_sample_rate(r->a));
		if (now->g.untracked)
			fprintf(r->f, "; %llu puts untracked (record map full: raise --map-entries or lower --sample)",
				(unsigned long long)now->g.untracked);
		fputc('\n', r->f);
	}
	for (i = 0; i < now->nr_fs; i++) {
		struct fs_view fv;
		double nsps;

		if (!rows[i].c.puts && !rows[i].c.puts_refused &&
		    !rows[i].c.hits && !rows[i].c.misses)
			continue;
		ca_fs_add(&total, &rows[i].c);
		fs_view_of(&r->v, &rows[i].key, &fv);
		nsps = analyze_ns_per_sector(&r->v.mt, now, rows[i].key.dev);
		if (nsps >= 0) {
			saved_ns += nsps * rows[i].c.hits * (CA_PAGE_SIZE / 512);
			timed_sectors += rows[i].c.hits * (CA_PAGE_SIZE / 512);
		}
		if (r->opt->json) {
			jw_start_object(&jw);
			jw_str_member(&jw, "device", fv.dev);
			jw_str_member(&jw, "fstype", fv.fstype);
			jw_str_member(&jw, "mountpoint", fv.mount);
			jw_s64_member(&jw, "pool", fv.pool);
			print_fs_json(r, &jw, &rows[i].c, nsps);
			jw_end_object(&jw);
		} else {
			char mnt[4 * 1024];

			text_escape(mnt, sizeof(mnt), fv.mount ? fv.mount : "?");
			snprintf(title, sizeof(title), "\n%s (%s %s, pool %d)",
				 mnt, fv.fstype ? fv.fstype : "?", fv.dev,
				 fv.pool);
			print_fs_text(r, title, &rows[i].c, nsps);
		}
	}
	/* the total's disk time: each filesystem's hits at its device's price */
	total_nsps = timed_sectors ? saved_ns / timed_sectors : -1;
	if (r->opt->json) {
		jw_end_array(&jw);
		jw_key(&jw, "total");
		jw_start_object(&jw);
		print_fs_json(r, &jw, &total, total_nsps);
		jw_end_object(&jw);
		print_lat_json(&jw, "put_latency_ns", &lat[0]);
		print_lat_json(&jw, "get_latency_ns", &lat[1]);
		jw_end_object(&jw);
	} else {
		print_fs_text(r, "\ntotal", &total, total_nsps);
		print_lat_text(r->f, "put", &lat[0]);
		print_lat_text(r->f, "get", &lat[1]);
		if (cost >= 0)
			fprintf(r->f, "\nBPF cost: %.0f ns per event (%llu events)\n",
				cost, (unsigned long long)dcnt);
		else if (!now->run_stats)
			fprintf(r->f, "\nBPF cost: unavailable (--bpf-stats turns the kernel's run-time statistics on)\n");
	}
	fflush(r->f);
	free(rows);
}

static bool is_interval(const char *s)
{
	char *end;

	errno = 0;
	strtod(s, &end);
	return !errno && end != s && !*end;
}

static int run_command(struct report_ctx *r, char **cmd,
		       struct ca_snapshot *a, struct ca_snapshot *b)
{
	struct held_child child;
	int status = 0, err;

	if (spawn_held(&child, cmd))
		return 1;
	if (analyzer_snapshot(r->a, a)) {
		held_done(&child);
		return fail("read BPF maps", "out of memory");
	}
	err = release_held(&child, cmd[0]);
	if (err) {
		held_done(&child);
		return err < 0 ? 1 : err;
	}
	err = wait_child(child.pid, &status);
	held_done(&child);
	if (err)
		return fail("wait for command", "%s", strerror(-err));
	if (analyzer_snapshot(r->a, b))
		return fail("read BPF maps", "out of memory");
	/* stderr, like perf stat: COMMAND's output stays alone on stdout */
	r->f = stderr;
	report(r, b, a, (double)(b->mono_ns - a->mono_ns) / 1e9);
	return status;
}

int cmd_analyze(int argc, char **argv, struct options *opt)
{
	struct analyzer_cfg cfg = { .sample = opt->sample,
				    .pages = opt->map_entries };
	struct ca_snapshot a = {}, b = {};
	struct report_ctx r = { .opt = opt, .f = stdout };
	bool command = false, timed = false;
	int ret = 0, err;
	long n;

	if (argc >= 2) {
		if (is_interval(argv[1])) {
			err = parse_interval_count(argc, argv, 1, opt, true);
			if (err)
				return err;
			timed = true;
		} else {
			command = true;
		}
	}
	if (analyzer_open(&r.a, opt, &cfg))
		return 1;
	view_ctx_init(&r.v, NULL);
	if (command) {
		ret = run_command(&r, argv + 1, &a, &b);
		goto out;
	}
	if (analyzer_snapshot(r.a, &a)) {
		ret = fail("read BPF maps", "out of memory");
		goto out;
	}
	/* on stderr even with -j: a script can wait for it */
	if (!timed)
		fprintf(stderr, "Tracing... hit Ctrl-C to end.\n");
	for (n = 0; !exiting && (opt->count < 0 || n < opt->count); n++) {
		if (timed) {
			sleep_until(a.mono_ns + (__u64)(opt->interval * 1e9));
		} else {
			sleep_until(UINT64_MAX);
		}
		if (analyzer_snapshot(r.a, &b)) {
			ret = fail("read BPF maps", "out of memory");
			goto out;
		}
		report(&r, &b, &a, (double)(b.mono_ns - a.mono_ns) / 1e9);
		ca_snapshot_free(&a);
		a = b;
		memset(&b, 0, sizeof(b));
		if (!timed)
			break;
	}
out:
	ca_snapshot_free(&a);
	ca_snapshot_free(&b);
	view_ctx_free(&r.v);
	analyzer_close(r.a);
	return ret;
}
