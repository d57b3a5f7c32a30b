// SPDX-License-Identifier: GPL-2.0
/*
 * Prometheus text format 0.0.4 and OpenMetrics 1.0.0 rendering of
 * ccstat's counters (see metrics.h).  The two formats differ only in the
 * family names of counters and info metrics, the content type and the
 * closing "# EOF"; both come from the same calls so they cannot drift.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "metrics.h"

static bool mbuf_grow(struct mbuf *b, size_t need)
{
	size_t cap = b->cap ? b->cap : 4096;
	char *p;

	if (b->oom)
		return false;
	while (cap < b->len + need + 1)
		cap *= 2;
	if (cap == b->cap)
		return true;
	p = realloc(b->p, cap);
	if (!p) {
		b->oom = true;
		return false;
	}
	b->p = p;
	b->cap = cap;
	return true;
}

void mbuf_printf(struct mbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !mbuf_grow(b, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void mbuf_puts(struct mbuf *b, const char *s)
{
	size_t n = strlen(s);

	if (!mbuf_grow(b, n))
		return;
	memcpy(b->p + b->len, s, n + 1);
	b->len += n;
}

static void mbuf_putc(struct mbuf *b, char c)
{
	if (!mbuf_grow(b, 1))
		return;
	b->p[b->len++] = c;
	b->p[b->len] = 0;
}

void mbuf_reset(struct mbuf *b)
{
	b->len = 0;
	b->oom = false;
	if (b->p)
		b->p[0] = 0;
}

void mbuf_free(struct mbuf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

/* A host name: its first address (getaddrinfo: /etc/hosts, then DNS) */
static int resolve_host(const char *host, unsigned short port,
			struct sockaddr_storage *ss, unsigned int *len)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC,
				  .ai_socktype = SOCK_STREAM };
	struct addrinfo *res = NULL;

	if (!*host || strchr(host, '[') || strchr(host, ']') ||
	    getaddrinfo(host, NULL, &hints, &res) || !res)
		return -EINVAL;
	if (res->ai_addrlen > sizeof(*ss)) {
		freeaddrinfo(res);
		return -EINVAL;
	}
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*len = (unsigned int)res->ai_addrlen;
	if (ss->ss_family == AF_INET)
		((struct sockaddr_in *)ss)->sin_port = htons(port);
	else
		((struct sockaddr_in6 *)ss)->sin6_port = htons(port);
	freeaddrinfo(res);
	return 0;
}

int metrics_parse_listen(const char *arg, struct sockaddr_storage *ss,
			 unsigned int *len)
{
	struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
	char host[64];
	const char *colon, *port;
	unsigned long p;
	char *end;
	size_t n;

	memset(ss, 0, sizeof(*ss));
	if (!arg)
		return -EINVAL;
	if (arg[0] == '[') {
		colon = strstr(arg, "]:");
		if (!colon)
			return -EINVAL;
		n = (size_t)(colon - arg - 1);
		if (!n)
			return -EINVAL;
		port = colon + 2;
		arg++;
	} else {
		colon = strrchr(arg, ':');
		if (!colon)
			return -EINVAL;
		n = (size_t)(colon - arg);
		port = colon + 1;
	}
	if (n >= sizeof(host) || !*port)
		return -EINVAL;
	errno = 0;
	p = strtoul(port, &end, 10);
	if (errno || *end || p < 1 || p > 65535)
		return -EINVAL;
	memcpy(host, arg, n);
	host[n] = 0;
	if (!n || !strcmp(host, "localhost"))
		snprintf(host, sizeof(host), "127.0.0.1");
	if (inet_pton(AF_INET, host, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons((unsigned short)p);
		*len = sizeof(*in4);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((unsigned short)p);
		*len = sizeof(*in6);
		return 0;
	}
	return resolve_host(host, (unsigned short)p, ss, len);
}

enum metrics_format metrics_negotiate(const char *accept)
{
	/* Prometheus lists OpenMetrics first when it wants it */
	if (accept && strstr(accept, "application/openmetrics-text"))
		return METRICS_OPENMETRICS;
	return METRICS_TEXT;
}

const char *metrics_content_type(enum metrics_format f)
{
	return f == METRICS_OPENMETRICS ?
		"application/openmetrics-text; version=1.0.0; charset=utf-8" :
		"text/plain; version=0.0.4; charset=utf-8";
}

bool metrics_valid_name(const char *s, bool label)
{
	const char *p;

	if (!s || !*s || (*s >= '0' && *s <= '9'))
		return false;
	for (p = s; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '_')
			continue;
		if (*p == ':' && !label)
			continue;
		return false;
	}
	return true;
}

static void escape(struct mbuf *b, const char *s, bool quote)
{
	for (; s && *s; s++) {
		if (*s == '\\')
			mbuf_puts(b, "\\\\");
		else if (*s == '\n')
			mbuf_puts(b, "\\n");
		else if (*s == '"' && quote)
			mbuf_puts(b, "\\\"");
		else
			mbuf_putc(b, *s);
	}
}

void metrics_escape_label(struct mbuf *b, const char *s)
{
	escape(b, s, true);
}

void metrics_escape_help(struct mbuf *b, const char *s)
{
	escape(b, s, false);
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

void metrics_family(struct mbuf *b, enum metrics_format f, const char *name,
		    const char *type, const char *help)
{
	size_t n = strlen(name);
	const char *om_type = type;

	if (f == METRICS_OPENMETRICS) {
		/* the family is named without the sample's type suffix */
		if (!strcmp(type, "counter") && ends_with(name, "_total"))
			n -= strlen("_total");
		else if (!strcmp(type, "info") && ends_with(name, "_info"))
			n -= strlen("_info");
	} else if (!strcmp(type, "info")) {
		om_type = "gauge";	/* the text format has no info type */
	}
	mbuf_printf(b, "# HELP %.*s ", (int)n, name);
	metrics_escape_help(b, help);
	mbuf_printf(b, "\n# TYPE %.*s %s\n", (int)n, name, om_type);
}

static void sample_head(struct mbuf *b, const char *name,
			const struct metric_label *l, int nl)
{
	int i;

	mbuf_puts(b, name);
	if (!nl)
		return;
	mbuf_putc(b, '{');
	for (i = 0; i < nl; i++) {
		mbuf_printf(b, "%s%s=\"", i ? "," : "", l[i].name);
		metrics_escape_label(b, l[i].value ? l[i].value : "");
		mbuf_putc(b, '"');
	}
	mbuf_putc(b, '}');
}

void metrics_sample_u64(struct mbuf *b, const char *name,
			const struct metric_label *l, int nl, __u64 v)
{
	sample_head(b, name, l, nl);
	mbuf_printf(b, " %llu\n", (unsigned long long)v);
}

void metrics_sample_f64(struct mbuf *b, const char *name,
			const struct metric_label *l, int nl, double v)
{
	sample_head(b, name, l, nl);
	mbuf_printf(b, " %.9g\n", v);
}

void metrics_finish(struct mbuf *b, enum metrics_format f)
{
	if (f == METRICS_OPENMETRICS)
		mbuf_puts(b, "# EOF\n");
}

/* ---- the ccstat families ---- */

#define FS_LABELS 3

static void fs_labels(struct metric_label *l, const struct metrics_fs *fs)
{
	l[0] = (struct metric_label){ "device", fs->device };
	l[1] = (struct metric_label){ "fstype", fs->fstype };
	l[2] = (struct metric_label){ "mountpoint", fs->mountpoint };
}

/* One per-filesystem counter family; @get picks the value */
static void fs_family(struct mbuf *b, enum metrics_format f,
		      const struct metrics_input *in, const char *name,
		      const char *help, __u64 (*get)(const struct cc_counts *))
{
	struct metric_label l[FS_LABELS];
	size_t i;

	metrics_family(b, f, name, "counter", help);
	for (i = 0; i < in->nfs; i++) {
		fs_labels(l, &in->fs[i]);
		metrics_sample_u64(b, name, l, FS_LABELS, get(&in->fs[i].c));
	}
}

static __u64 get_gets(const struct cc_counts *c) { return c->hits + c->misses; }
static __u64 get_hits(const struct cc_counts *c) { return c->hits; }
static __u64 get_puts(const struct cc_counts *c) { return c->puts; }

static void render_fs(struct mbuf *b, enum metrics_format f,
		      const struct metrics_input *in)
{
	static const char *const scopes[] = { "page", "inode", "fs" };
	struct metric_label l[FS_LABELS + 1];
	char pool[16];
	size_t i, s;

	metrics_family(b, f, "ccstat_puts_total", "counter",
		       "Clean pages offered to cleancache, by outcome (stored by the backend or refused).");
	for (i = 0; i < in->nfs; i++) {
		fs_labels(l, &in->fs[i]);
		l[FS_LABELS] = (struct metric_label){ "result", "stored" };
		metrics_sample_u64(b, "ccstat_puts_total", l, FS_LABELS + 1,
				   in->fs[i].c.puts);
		l[FS_LABELS].value = "refused";
		metrics_sample_u64(b, "ccstat_puts_total", l, FS_LABELS + 1,
				   in->fs[i].c.puts_refused);
	}
	fs_family(b, f, in, "ccstat_gets_total",
		  "Cleancache lookups before a read goes to disk (hits plus misses).",
		  get_gets);
	fs_family(b, f, in, "ccstat_hits_total",
		  "Cleancache lookups that filled the page (no disk read).",
		  get_hits);
	metrics_family(b, f, "ccstat_invalidations_total", "counter",
		       "Cleancache invalidations by scope: one page, every page of an inode, a whole filesystem (pool destroyed).");
	for (i = 0; i < in->nfs; i++) {
		const struct cc_counts *c = &in->fs[i].c;
		__u64 v[] = { c->inval_pages, c->inval_inodes, c->inval_fs };

		fs_labels(l, &in->fs[i]);
		for (s = 0; s < 3; s++) {
			l[FS_LABELS] = (struct metric_label){ "scope", scopes[s] };
			metrics_sample_u64(b, "ccstat_invalidations_total", l,
					   FS_LABELS + 1, v[s]);
		}
	}
	metrics_family(b, f, "ccstat_stored_bytes", "gauge",
		       "Bytes the RAM (tmem_local) store holds for the filesystem.");
	for (i = 0; i < in->nfs; i++) {
		if (in->fs[i].stored_bytes < 0)
			continue;
		fs_labels(l, &in->fs[i]);
		metrics_sample_u64(b, "ccstat_stored_bytes", l, FS_LABELS,
				   (__u64)in->fs[i].stored_bytes);
	}
	metrics_family(b, f, "ccstat_pool_info", "info",
		       "The cleancache pool a mounted filesystem has now (a new id at every mount).");
	for (i = 0; i < in->npools_info; i++) {
		const struct metrics_pool *p = &in->pools_info[i];

		snprintf(pool, sizeof(pool), "%d", p->pool);
		l[0] = (struct metric_label){ "device", p->device };
		l[1] = (struct metric_label){ "fstype", p->fstype };
		l[2] = (struct metric_label){ "mountpoint", p->mountpoint };
		l[3] = (struct metric_label){ "pool", pool };
		metrics_sample_u64(b, "ccstat_pool_info", l, FS_LABELS + 1, 1);
	}
}

static void gauge1(struct mbuf *b, enum metrics_format f, const char *name,
		   const char *help, __u64 v)
{
	metrics_family(b, f, name, "gauge", help);
	metrics_sample_u64(b, name, NULL, 0, v);
}

static void render_inodes(struct mbuf *b, enum metrics_format f,
			  const struct metrics_input *in)
{
	static const struct {
		const char *name, *help;
		__u64 (*get)(const struct cc_counts *);
	} fams[] = {
		{ "ccstat_inode_puts_total", "Pages of the inode stored in cleancache (top inodes; inode=\"other\": all the rest).", get_puts },
		{ "ccstat_inode_gets_total", "Cleancache lookups for the inode's pages (top inodes; inode=\"other\": all the rest).", get_gets },
		{ "ccstat_inode_hits_total", "Cleancache lookups that found the inode's page (top inodes; inode=\"other\": all the rest).", get_hits },
	};
	struct metric_label l[3];
	char ino[48];
	size_t i, k;

	for (k = 0; k < sizeof(fams) / sizeof(fams[0]); k++) {
		metrics_family(b, f, fams[k].name, "counter", fams[k].help);
		for (i = 0; i < in->ninodes; i++) {
			const struct metrics_inode *n = &in->inodes[i];

			if (n->other)
				snprintf(ino, sizeof(ino), "other");
			else if (n->subvol)	/* unique on btrfs: "0:45/257" */
				snprintf(ino, sizeof(ino), "%u:%u/%llu",
					 n->subvol >> 20, n->subvol & 0xfffff,
					 (unsigned long long)n->ino);
			else
				snprintf(ino, sizeof(ino), "%llu",
					 (unsigned long long)n->ino);
			l[0] = (struct metric_label){ "device", n->device };
			l[1] = (struct metric_label){ "mountpoint", n->mountpoint };
			l[2] = (struct metric_label){ "inode", ino };
			metrics_sample_u64(b, fams[k].name, l, 3,
					   fams[k].get(&n->c));
		}
	}
}

static void counter1(struct mbuf *b, enum metrics_format f, const char *name,
		     const char *help, __u64 v)
{
	metrics_family(b, f, name, "counter", help);
	metrics_sample_u64(b, name, NULL, 0, v);
}

static void render_global(struct mbuf *b, enum metrics_format f,
			  const struct metrics_input *in)
{
	static const char *const maps[] = { "fs", "inode", "workload" };
	/* no ring buffer in export: nothing can be lost, no events_lost */
	const __u64 full[] = { in->drops.fs_full, in->drops.inode_full,
			       in->drops.workload_full };
	struct metric_label l[2];
	size_t i;

	if (in->pools >= 0) {
		metrics_family(b, f, "ccstat_pools", "gauge",
			       "Cleancache pools that exist now (one per mounted filesystem that opted in).");
		metrics_sample_u64(b, "ccstat_pools", NULL, 0,
				   (__u64)in->pools);
	}
	counter1(b, f, "ccstat_pools_created_total",
		 "Cleancache pools created (filesystem mounts) since the exporter started.",
		 in->total.pools_created);
	counter1(b, f, "ccstat_pools_destroyed_total",
		 "Cleancache pools destroyed (unmounts) since the exporter started.",
		 in->total.inval_fs);
	counter1(b, f, "ccstat_pool_create_failures_total",
		 "Pool creations the backend refused since the exporter started.",
		 in->total.pools_failed);
	counter1(b, f, "ccstat_backend_registrations_total",
		 "Cleancache backends registered since the exporter started.",
		 in->total.backends);
	if (in->backend && *in->backend) {
		metrics_family(b, f, "ccstat_backend_info", "info",
			       "The cleancache backend the kernel registered.");
		l[0] = (struct metric_label){ "backend", in->backend };
		metrics_sample_u64(b, "ccstat_backend_info", l, 1, 1);
	}
	if (in->store.present) {
		gauge1(b, f, "ccstat_store_capacity_bytes",
		       "Bytes the RAM (tmem_local) store may hold.",
		       in->store.capacity_bytes);
		gauge1(b, f, "ccstat_store_stored_bytes",
		       "Bytes the RAM (tmem_local) store holds now, all pools.",
		       in->store.stored_bytes);
		counter1(b, f, "ccstat_store_evictions_total",
			 "Pages the RAM store evicted, oldest first, to make room (since boot).",
			 in->store.evictions);
		counter1(b, f, "ccstat_store_shrinker_freed_total",
			 "Pages the RAM store gave back to the kernel under memory pressure (since boot).",
			 in->store.shrinker_freed);
	}
	metrics_family(b, f, "ccstat_map_full_drops_total", "counter",
		       "Events not counted per key because a BPF map had no room (transient: the inode and task maps drop their least recently used rows).");
	for (i = 0; i < 3; i++) {
		l[0] = (struct metric_label){ "map", maps[i] };
		metrics_sample_u64(b, "ccstat_map_full_drops_total", l, 1,
				   full[i]);
	}
	metrics_family(b, f, "ccstat_bpf_run_seconds_total", "counter",
		       "CPU time ccstat's BPF programs ran (kernel BPF stats).");
	metrics_sample_f64(b, "ccstat_bpf_run_seconds_total", NULL, 0,
			   (double)in->bpf_run_ns / 1e9);
	counter1(b, f, "ccstat_bpf_runs_total",
		 "Runs of ccstat's BPF programs (kernel BPF stats).",
		 in->bpf_run_cnt);
	metrics_family(b, f, "ccstat_build_info", "info",
		       "ccstat's version and how its BPF programs attach.");
	l[0] = (struct metric_label){ "version", in->version };
	l[1] = (struct metric_label){ "attach", in->attach };
	metrics_sample_u64(b, "ccstat_build_info", l, 2, 1);
}

void metrics_render(struct mbuf *b, enum metrics_format f,
		    const struct metrics_input *in)
{
	render_fs(b, f, in);
	if (in->inodes_on)
		render_inodes(b, f, in);
	render_global(b, f, in);
}

void metrics_render_scrape(struct mbuf *b, enum metrics_format f,
			   double seconds)
{
	metrics_family(b, f, "ccstat_scrape_duration_seconds", "gauge",
		       "Time this scrape took to read the BPF maps and render.");
	metrics_sample_f64(b, "ccstat_scrape_duration_seconds", NULL, 0,
			   seconds);
}
