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

static void json_num(FILE *f, const char *key, double v, bool comma)
{
	fprintf(f, "%s\"%s\":", comma ? "," : "", key);
	if (v < 0 || isnan(v))
		fputs("null", f);
	else if (v == floor(v) && v < 1e15)
		fprintf(f, "%.0f", v);
	else
		fprintf(f, "%.6g", v);
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

static void print_fs_json(struct report_ctx *r, const struct ca_fs *c,
			  double ns_per_sector)
{
	FILE *f = r->f;
	struct ca_worth w;
	bool first = true;
	size_t i;
	int k;

	ca_worth_of(c, ns_per_sector, &w);
	json_num(f, "gets", (double)(c->hits + c->misses), true);
	json_num(f, "hits", (double)c->hits, true);
	json_num(f, "misses", (double)c->misses, true);
	json_num(f, "puts", (double)c->puts, true);
	json_num(f, "puts_refused", (double)c->puts_refused, true);
	fprintf(f, ",\"misses_by_cause\":{");
	for (k = 0; k < CA_NR_CAUSES; k++)
		json_num(f, ca_cause_names[k], ca_cause_estimate(c, k), k);
	fprintf(f, "},\"sampled\":{");
	json_num(f, "gets", (double)c->gets_sampled, false);
	json_num(f, "hits", (double)c->hits_sampled, true);
	json_num(f, "misses", (double)c->misses_sampled, true);
	json_num(f, "hits_without_distance", (double)c->hit_no_dist, true);
	for (k = 0; k < CA_NR_CAUSES; k++)
		json_num(f, ca_cause_names[k], (double)c->cause[k], true);
	json_num(f, "tracked_share", ca_tracked_share(c), true);
	fprintf(f, "},\"evictions\":{");
	for (k = 0; k < CA_NR_EVICT; k++)
		json_num(f, ca_evict_names[k], (double)c->evict[k], k);
	fprintf(f, "},\"worth\":{");
	json_num(f, "put_efficiency", w.put_efficiency, false);
	json_num(f, "bytes_copied_per_hit", w.bytes_per_hit, true);
	json_num(f, "saved_bytes", (double)w.saved_bytes, true);
	json_num(f, "saved_sectors", (double)w.saved_sectors, true);
	json_num(f, "saved_disk_seconds", w.saved_disk_s, true);
	json_num(f, "cpu_seconds", w.cpu_s, true);
	json_num(f, "put_avg_us", w.put_avg_us, true);
	json_num(f, "get_avg_us", w.get_avg_us, true);
	fprintf(f, "},\"sizing\":[");
	for (i = 0; r->capacity && i < NFACTORS; i++) {
		__u64 pages = (__u64)(r->capacity * factors[i]);

		fprintf(f, "%s{", i ? "," : "");
		json_num(f, "factor", factors[i], false);
		json_num(f, "size_bytes", (double)pages * CA_PAGE_SIZE, true);
		json_num(f, "predicted_hit_pct",
			 ca_predict_hit_pct(c, pages, r->capacity), true);
		fputc('}', f);
	}
	fprintf(f, "],\"measured_hit_pct\":");
	if (ca_sampled_hit_pct(c) < 0)
		fputs("null", f);
	else
		fprintf(f, "%.3f", ca_sampled_hit_pct(c));
	fprintf(f, ",\"reuse_distance\":[");
	for (k = 0; k < CA_DIST_BUCKETS; k++) {
		__u64 lo, hi;

		if (!c->dist[k])
			continue;
		ca_dist_bounds(k, &lo, &hi);
		fprintf(f, "%s{\"lo\":%llu,\"hi\":%llu,\"count\":%llu}",
			first ? "" : ",", (unsigned long long)lo,
			(unsigned long long)hi, (unsigned long long)c->dist[k]);
		first = false;
	}
	fputc(']', f);
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

static void print_lat_json(FILE *f, const char *what, const struct ca_lat *l)
{
	bool first = true;
	int i;

	fprintf(f, ",\"%s_latency_ns\":[", what);
	for (i = 0; i < CA_LAT_SLOTS; i++) {
		if (!l->slot[i])
			continue;
		fprintf(f, "%s{\"lo\":%llu,\"hi\":%llu,\"count\":%llu}",
			first ? "" : ",", i ? 1ull << i : 0ull,
			1ull << (i + 1), (unsigned long long)l->slot[i]);
		first = false;
	}
	fputc(']', f);
}

static void report(struct report_ctx *r, const struct ca_snapshot *now,
		   const struct ca_snapshot *base, double secs)
{
	struct ca_fs_row *rows;
	struct ca_fs total = {};
	struct ca_lat lat[2];
	char title[512], cap[32];
	bool first_fs = true;
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

	if (r->opt->json) {
		fprintf(r->f, "{\"type\":\"analyze\",\"interval_s\":%.3f,\"store\":",
			secs);
		json_str(r->f, r->store);
		json_num(r->f, "store_capacity_bytes", r->capacity ?
			 (double)r->capacity * CA_PAGE_SIZE : -1, true);
		json_num(r->f, "sample_rate", analyzer_sample_rate(r->a), true);
		json_num(r->f, "untracked_puts", (double)now->g.untracked, true);
		json_num(r->f, "bpf_ns_per_event", cost, true);
		fprintf(r->f, ",\"filesystems\":[");
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
			fprintf(r->f, "%s{\"dev\":", first_fs ? "" : ",");
			first_fs = false;
			json_str(r->f, fv.dev);
			fprintf(r->f, ",\"fstype\":");
			json_str(r->f, fv.fstype ? fv.fstype : "");
			fprintf(r->f, ",\"mount\":");
			json_str(r->f, fv.mount ? fv.mount : "");
			fprintf(r->f, ",\"pool\":%d", fv.pool);
			print_fs_json(r, &rows[i].c, nsps);
			fputc('}', r->f);
		} else {
			snprintf(title, sizeof(title), "\n%s (%s %s, pool %d)",
				 fv.mount ? fv.mount : "?",
				 fv.fstype ? fv.fstype : "?", fv.dev, fv.pool);
			print_fs_text(r, title, &rows[i].c, nsps);
		}
	}
	/* the total's disk time: each filesystem's hits at its device's price */
	total_nsps = timed_sectors ? saved_ns / timed_sectors : -1;
	if (r->opt->json) {
		fprintf(r->f, "],\"total\":{");
		fprintf(r->f, "\"dev\":\"total\"");
		print_fs_json(r, &total, total_nsps);
		fputc('}', r->f);
		print_lat_json(r->f, "put", &lat[0]);
		print_lat_json(r->f, "get", &lat[1]);
		fprintf(r->f, "}\n");
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
