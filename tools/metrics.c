// SPDX-License-Identifier: GPL-2.0
/*
 * Prometheus text format 0.0.4 and OpenMetrics 1.0.0 rendering of
 * ccstat's counters (see metrics.h).  The two formats differ only in the
 * family names of counters and info metrics, the content type and the
 * closing "# EOF"; both come from the same calls so they cannot drift.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "analyze.h"
#include "json_writer.h"
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

/*
 * One media range of an Accept header, "type/subtype;param=v;q=0.5":
 * how specifically it names @type (3: the type itself, 2: its major
 * type with a wildcard subtype, 1: the any-type wildcard, 0: not at all)
 * and its q-value (1 when absent; an unparsable one counts as 0).
 */
static int accept_range(const char *r, size_t n, const char *type,
			double *q)
{
	const char *semi = memchr(r, ';', n);
	const char *slash = strchr(type, '/');
	size_t tn = semi ? (size_t)(semi - r) : n, major;
	int spec;

	while (tn && (r[tn - 1] == ' ' || r[tn - 1] == '\t'))
		tn--;
	major = (size_t)(slash - type);
	if (tn == strlen(type) && !strncasecmp(r, type, tn))
		spec = 3;
	else if (tn == major + 2 && !strncasecmp(r, type, major + 1) &&
		 r[major + 1] == '*')
		spec = 2;
	else if (tn == 3 && !strncmp(r, "*/*", 3))
		spec = 1;
	else
		return 0;
	*q = 1;
	while (semi) {
		const char *p = semi + 1, *end = r + n;
		char num[16], *e;
		size_t k;

		semi = memchr(p, ';', (size_t)(end - p));
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (end - p < 2 || (*p != 'q' && *p != 'Q') || p[1] != '=')
			continue;
		k = (size_t)((semi ? semi : end) - (p + 2));
		if (k >= sizeof(num))
			k = sizeof(num) - 1;
		memcpy(num, p + 2, k);
		num[k] = 0;
		*q = strtod(num, &e);
		if (e == num || !(*q >= 0) || *q > 1)
			*q = 0;
	}
	return spec;
}

/* The q-value the most specific range of @accept gives @type, -1: none */
static double accept_q(const char *accept, const char *type, bool wildcards)
{
	int best = 0, spec;
	double q = -1, rq;
	const char *r = accept, *comma;

	while (*r) {
		size_t n;

		while (*r == ' ' || *r == '\t' || *r == ',')
			r++;
		comma = strchr(r, ',');
		n = comma ? (size_t)(comma - r) : strlen(r);
		spec = n ? accept_range(r, n, type, &rq) : 0;
		if ((wildcards || spec == 3) &&
		    (spec > best || (spec && spec == best && rq > q))) {
			best = spec;
			q = rq;
		}
		r += n;
	}
	return q;
}

enum metrics_format metrics_negotiate(const char *accept)
{
	double om, text;

	if (!accept)
		return METRICS_TEXT;
	/*
	 * OpenMetrics only when named (curl's and browsers' wildcard gets
	 * the text format) and wanted at least as much as text; q=0 means
	 * "not this one".  Parameters other than q are not matched: both
	 * formats' versions we serve are what Prometheus asks for.
	 */
	om = accept_q(accept, "application/openmetrics-text", false);
	text = accept_q(accept, "text/plain", true);
	if (om > 0 && om >= text)
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

/*
 * Length of the well-formed UTF-8 sequence at @s (Unicode's table 3-7:
 * no overlong forms, no surrogates, nothing above U+10FFFF); 0: the
 * bytes at @s are not one, and @bad says how many of them make up the
 * maximal ill-formed subpart that one U+FFFD replaces.
 */
static size_t utf8_len(const unsigned char *s, size_t *bad)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n, i;

	*bad = 1;
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;
	if (s[0] == 0xe0)
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f;
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;
	for (i = 1; i < n; i++) {
		if (s[i] < lo || s[i] > hi) {
			*bad = i;
			return 0;
		}
		lo = 0x80;
		hi = 0xbf;
	}
	return n;
}

/*
 * Label values and HELP text must be UTF-8 (a scraper rejects the whole
 * target otherwise), but mount points and device names are bytes: an
 * ill-formed sequence becomes U+FFFD, as Python's and Go's decoders do.
 */
static void escape(struct mbuf *b, const char *s, bool quote)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n, bad;

	while (p && *p) {
		n = utf8_len(p, &bad);
		if (!n) {
			mbuf_puts(b, "\xef\xbf\xbd");
			p += bad;
		} else if (*p == '\\') {
			mbuf_puts(b, "\\\\");
			p++;
		} else if (*p == '\n') {
			mbuf_puts(b, "\\n");
			p++;
		} else if (*p == '"' && quote) {
			mbuf_puts(b, "\\\"");
			p++;
		} else {
			if (mbuf_grow(b, n)) {
				memcpy(b->p + b->len, p, n);
				b->len += n;
				b->p[b->len] = 0;
			}
			p += n;
		}
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
	char num[32];

	sample_head(b, name, l, nl);
	if (isnan(v)) {
		mbuf_puts(b, " NaN\n");
		return;
	}
	if (isinf(v)) {
		mbuf_puts(b, v > 0 ? " +Inf\n" : " -Inf\n");
		return;
	}
	/* the shortest that reads back as the same double: 17 at most */
	jw_format_double(num, sizeof(num), v);
	mbuf_printf(b, " %s\n", num);
}

void metrics_finish(struct mbuf *b, enum metrics_format f)
{
	if (f == METRICS_OPENMETRICS)
		mbuf_puts(b, "# EOF\n");
}

/* ---- the ccstat families ---- */

#define FS_LABELS 3

static void dev_labels(struct metric_label *l, const char *device,
		       const char *fstype, const char *mountpoint)
{
	l[0] = (struct metric_label){ "device", device };
	l[1] = (struct metric_label){ "fstype", fstype };
	l[2] = (struct metric_label){ "mountpoint", mountpoint };
}

static void fs_labels(struct metric_label *l, const struct metrics_fs *fs)
{
	dev_labels(l, fs->device, fs->fstype, fs->mountpoint);
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

static __u64 get_puts(const struct cc_counts *c) { return c->puts; }
static __u64 get_refused(const struct cc_counts *c) { return c->puts_refused; }
static __u64 get_hits(const struct cc_counts *c) { return c->hits; }
static __u64 get_misses(const struct cc_counts *c) { return c->misses; }
static __u64 get_inval_pages(const struct cc_counts *c) { return c->inval_pages; }
static __u64 get_inval_inodes(const struct cc_counts *c) { return c->inval_inodes; }
static __u64 get_inval_fs(const struct cc_counts *c) { return c->inval_fs; }

/* A counter split by outcome: label result = @names[0] or @names[1] */
struct outcome {
	const char *name, *help;
	const char *result[2];
	__u64 (*get[2])(const struct cc_counts *);
};

/*
 * Puts and gets: one family each, the outcome a label, so that the
 * family's sum() is every put or get and a ratio is one family's series
 * over its sum.
 */
static const struct outcome fs_outcomes[] = {
	{ "ccstat_puts_total",
	  "Clean pages offered to cleancache, by outcome (stored by the backend or refused).",
	  { "stored", "refused" }, { get_puts, get_refused } },
	{ "ccstat_gets_total",
	  "Cleancache lookups before a read goes to disk, by outcome (hit: the page was filled, no disk read; miss: the read goes to disk).",
	  { "hit", "miss" }, { get_hits, get_misses } },
};

static void render_fs(struct mbuf *b, enum metrics_format f,
		      const struct metrics_input *in)
{
	struct metric_label l[FS_LABELS + 1];
	char pool[16];
	size_t i, k, r;

	for (k = 0; k < sizeof(fs_outcomes) / sizeof(fs_outcomes[0]); k++) {
		const struct outcome *o = &fs_outcomes[k];

		metrics_family(b, f, o->name, "counter", o->help);
		for (i = 0; i < in->nfs; i++) {
			fs_labels(l, &in->fs[i]);
			for (r = 0; r < 2; r++) {
				l[FS_LABELS] = (struct metric_label){ "result", o->result[r] };
				metrics_sample_u64(b, o->name, l, FS_LABELS + 1,
						   o->get[r](&in->fs[i].c));
			}
		}
	}
	/*
	 * Invalidations: a family per scope, for their units differ (a
	 * page; every page of a file, however many; a whole pool), so a
	 * sum across scopes would mean nothing, while each family sums
	 * across filesystems.
	 */
	fs_family(b, f, in, "ccstat_invalidated_pages_total",
		  "Single pages invalidated in cleancache (the page cache dropped or rewrote them).",
		  get_inval_pages);
	fs_family(b, f, in, "ccstat_invalidated_inodes_total",
		  "Inodes whose every cleancache page was invalidated at once (truncated, deleted or evicted).",
		  get_inval_inodes);
	fs_family(b, f, in, "ccstat_invalidated_filesystems_total",
		  "Whole-filesystem invalidations: its pool destroyed (unmounts).",
		  get_inval_fs);
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
	static const struct outcome fams[] = {
		{ "ccstat_inode_puts_total",
		  "Pages of the inode offered to cleancache, by outcome (top inodes; inode=\"other\": the rest, while not in the top).",
		  { "stored", "refused" }, { get_puts, get_refused } },
		{ "ccstat_inode_gets_total",
		  "Cleancache lookups for the inode's pages, by outcome (top inodes; inode=\"other\": the rest, while not in the top).",
		  { "hit", "miss" }, { get_hits, get_misses } },
	};
	struct metric_label l[4];
	char ino[48];
	size_t i, k, r;

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
			for (r = 0; r < 2; r++) {
				l[3] = (struct metric_label){ "result", fams[k].result[r] };
				metrics_sample_u64(b, fams[k].name, l, 4,
						   fams[k].get[r](&n->c));
			}
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
	if (in->scrapes >= 0)
		counter1(b, f, "ccstat_scrapes_total",
			 "Scrapes of /metrics answered before this one.",
			 (__u64)in->scrapes);

	metrics_family(b, f, "ccstat_map_full_drops_total", "counter",
		       "Events not counted per key because a BPF map had no room (transient: the inode and task maps drop their least recently used rows).");
	for (i = 0; i < 3; i++) {
		l[0] = (struct metric_label){ "map", maps[i] };
		metrics_sample_u64(b, "ccstat_map_full_drops_total", l, 1,
				   full[i]);
	}
	/* absent, not 0, when the kernel does not time programs */
	if (in->bpf_stats) {
		metrics_family(b, f, "ccstat_bpf_run_seconds_total", "counter",
			       "CPU time ccstat's BPF programs ran (kernel BPF stats, --bpf-stats).");
		metrics_sample_f64(b, "ccstat_bpf_run_seconds_total", NULL, 0,
				   (double)in->bpf_run_ns / 1e9);
		counter1(b, f, "ccstat_bpf_runs_total",
			 "Runs of ccstat's BPF programs (kernel BPF stats, --bpf-stats).",
			 in->bpf_run_cnt);
	}
	metrics_family(b, f, "ccstat_build_info", "info",
		       "ccstat's version and how its BPF programs attach.");
	l[0] = (struct metric_label){ "version", in->version };
	l[1] = (struct metric_label){ "attach", in->attach };
	metrics_sample_u64(b, "ccstat_build_info", l, 2, 1);
}

/* ---- export --analyze ---- */

const double metrics_factors[METRICS_NR_FACTORS] = { 0.25, 0.5, 1, 2, 4 };

/* Bucket bounds of the two histograms, as powers of two */
#define DIST_LE_MIN	4	/* 16 puts (64 KiB of 4 KiB pages) */
#define DIST_LE_MAX	26	/* 64 Mi puts (256 GiB) */
#define LAT_LE_MIN	8	/* 256 ns */
#define LAT_LE_MAX	30	/* about 1.07 s */

void metrics_analyze_acc_init(struct metrics_analyze_acc *a)
{
	memset(a, 0, sizeof(*a));
	a->disk_s = -1;
}

void metrics_analyze_acc_update(struct metrics_analyze_acc *a,
				const struct ca_fs *now, double ns_per_sector)
{
	struct ca_fs d;
	__u64 misses, sectors;
	int k;

	ca_fs_sub(&d, now, &a->last);
	misses = d.misses + a->unattributed;
	if (d.misses_sampled) {
		for (k = 0; k < CA_NR_CAUSES; k++)
			a->misses[k] += (double)d.cause[k] * misses /
					d.misses_sampled;
		a->unattributed = 0;
	} else {
		a->unattributed = misses;
	}
	sectors = d.hits * (CA_PAGE_SIZE / 512) + a->unpriced;
	if (ns_per_sector >= 0) {
		if (a->disk_s < 0)
			a->disk_s = 0;
		a->disk_s += sectors * ns_per_sector / 1e9;
		a->unpriced = 0;
	} else {
		a->unpriced = sectors;
	}
	a->last = *now;
}

static void analyze_fs_labels(struct metric_label *l,
			      const struct metrics_analyze_fs *fs)
{
	dev_labels(l, fs->device, fs->fstype, fs->mountpoint);
}

/* One _bucket sample; @l has room for the le label after @nl labels */
static void bucket(struct mbuf *b, const char *base, struct metric_label *l,
		   int nl, const char *le, __u64 v)
{
	char name[128];

	snprintf(name, sizeof(name), "%s_bucket", base);
	l[nl] = (struct metric_label){ "le", le };
	metrics_sample_u64(b, name, l, nl + 1, v);
}

/* _sum and _count of a histogram */
static void hist_tail(struct mbuf *b, const char *base,
		      const struct metric_label *l, int nl, double sum,
		      __u64 count)
{
	char name[128];

	snprintf(name, sizeof(name), "%s_sum", base);
	metrics_sample_f64(b, name, l, nl, sum);
	snprintf(name, sizeof(name), "%s_count", base);
	metrics_sample_u64(b, name, l, nl, count);
}

/*
 * The reuse distance of a get counted as the puts from its page's put to
 * it, that put included: the least store, in pages, that would have kept
 * the page (d + 1 for the BPF side's d puts after it).  le = 2^k holds
 * the gets with d < 2^k, exactly: powers of two are bucket bounds.  The
 * sum takes each bucket at its middle.
 */
static void render_dist(struct mbuf *b, const char *base,
			struct metric_label *l, const struct ca_fs *c)
{
	__u64 cum = 0, lo, hi;
	double sum = 0;
	char le[24];
	int k, i = 0;

	for (k = DIST_LE_MIN; k <= DIST_LE_MAX; k++) {
		for (; i < CA_DIST_BUCKETS; i++) {
			ca_dist_bounds(i, &lo, &hi);
			if (hi > 1ull << k)
				break;
			cum += c->dist[i];
			sum += c->dist[i] * ((lo + hi - 1) / 2.0 + 1);
		}
		snprintf(le, sizeof(le), "%llu", 1ull << k);
		bucket(b, base, l, FS_LABELS, le, cum);
	}
	for (; i < CA_DIST_BUCKETS; i++) {
		ca_dist_bounds(i, &lo, &hi);
		cum += c->dist[i];
		sum += c->dist[i] * ((lo + hi - 1) / 2.0 + 1);
	}
	bucket(b, base, l, FS_LABELS, "+Inf", cum);
	hist_tail(b, base, l, FS_LABELS, sum, cum);
}

/* Slot i holds [2^i, 2^(i+1)) ns: le = 2^k ns counts the slots below k */
static void render_lat(struct mbuf *b, const char *base,
		       struct metric_label *l, const struct ca_lat *lat,
		       double sum_s)
{
	__u64 cum = 0;
	char le[32];
	int k, i = 0;

	for (k = LAT_LE_MIN; k <= LAT_LE_MAX; k++) {
		for (; i < k && i < CA_LAT_SLOTS; i++)
			cum += lat->slot[i];
		snprintf(le, sizeof(le), "%.10g", (double)(1ull << k) / 1e9);
		bucket(b, base, l, 1, le, cum);
	}
	for (; i < CA_LAT_SLOTS; i++)
		cum += lat->slot[i];
	bucket(b, base, l, 1, "+Inf", cum);
	hist_tail(b, base, l, 1, sum_s, cum);
}

static void render_analyze(struct mbuf *b, enum metrics_format f,
			   const struct metrics_analyze *a)
{
	static const char *const ops[] = { "put", "get" };
	static const char *const dist = "ccstat_analyze_reuse_distance_puts";
	static const char *const lat = "ccstat_analyze_op_latency_seconds";
	struct metric_label l[FS_LABELS + 1];
	char factor[16];
	size_t i, k;

	metrics_family(b, f, "ccstat_analyze_sample_rate", "gauge",
		       "Share of page keys whose fate is tracked (SHARDS sampling by key hash).");
	metrics_sample_f64(b, "ccstat_analyze_sample_rate", NULL, 0,
			   a->sample_rate);
	if (a->capacity_bytes) {
		gauge1(b, f, "ccstat_analyze_store_capacity_bytes",
		       "The store size the predicted hit ratios are relative to (--store-size, else what the store reports).",
		       a->capacity_bytes);
	}
	metrics_family(b, f, "ccstat_analyze_sampled_gets_total", "counter",
		       "Gets of sampled page keys: what the miss causes and the reuse distances are measured on.");
	for (i = 0; i < a->nfs; i++) {
		analyze_fs_labels(l, &a->fs[i]);
		metrics_sample_u64(b, "ccstat_analyze_sampled_gets_total", l,
				   FS_LABELS, a->fs[i].c->gets_sampled);
	}
	metrics_family(b, f, "ccstat_analyze_misses_total", "counter",
		       "Misses by cause, estimated: each scrape's misses shared out as that scrape's sampled misses were.");
	for (i = 0; i < a->nfs; i++) {
		analyze_fs_labels(l, &a->fs[i]);
		for (k = 0; k < CA_NR_CAUSES; k++) {
			l[FS_LABELS] = (struct metric_label){ "cause", ca_cause_names[k] };
			metrics_sample_f64(b, "ccstat_analyze_misses_total", l,
					   FS_LABELS + 1,
					   a->fs[i].acc->misses[k]);
		}
	}
	metrics_family(b, f, "ccstat_analyze_evictions_total", "counter",
		       "Pages the store dropped, by its reason (silent: a stored sampled page missed with no eviction event).");
	for (i = 0; i < a->nfs; i++) {
		analyze_fs_labels(l, &a->fs[i]);
		for (k = 0; k < CA_NR_EVICT; k++) {
			l[FS_LABELS] = (struct metric_label){ "reason", ca_evict_names[k] };
			metrics_sample_u64(b, "ccstat_analyze_evictions_total", l,
					   FS_LABELS + 1, a->fs[i].c->evict[k]);
		}
	}
	metrics_family(b, f, "ccstat_analyze_saved_bytes_total", "counter",
		       "Bytes of reads the hits saved (hits times the page size).");
	for (i = 0; i < a->nfs; i++) {
		analyze_fs_labels(l, &a->fs[i]);
		metrics_sample_u64(b, "ccstat_analyze_saved_bytes_total", l,
				   FS_LABELS, a->fs[i].c->hits * CA_PAGE_SIZE);
	}
	metrics_family(b, f, "ccstat_analyze_saved_disk_seconds_total", "counter",
		       "Disk read time the hits saved, at the device's read time per sector (absent until a read on it was timed).");
	for (i = 0; i < a->nfs; i++) {
		if (a->fs[i].acc->disk_s < 0)
			continue;
		analyze_fs_labels(l, &a->fs[i]);
		metrics_sample_f64(b, "ccstat_analyze_saved_disk_seconds_total",
				   l, FS_LABELS, a->fs[i].acc->disk_s);
	}
	if (a->timed) {
		metrics_family(b, f, "ccstat_analyze_cpu_seconds_total", "counter",
			       "CPU time spent in cleancache puts and gets (the frontend's functions, timed).");
		for (i = 0; i < a->nfs; i++) {
			const __u64 ns[] = { a->fs[i].c->put_ns, a->fs[i].c->get_ns };

			analyze_fs_labels(l, &a->fs[i]);
			for (k = 0; k < 2; k++) {
				l[FS_LABELS] = (struct metric_label){ "op", ops[k] };
				metrics_sample_f64(b, "ccstat_analyze_cpu_seconds_total",
						   l, FS_LABELS + 1, ns[k] / 1e9);
			}
		}
	}
	metrics_family(b, f, dist, "histogram",
		       "Sampled gets by reuse distance: the puts, store-wide, from the page's put to the get, that put included (the store size in pages that would have kept it).");
	for (i = 0; i < a->nfs; i++) {
		analyze_fs_labels(l, &a->fs[i]);
		render_dist(b, dist, l, a->fs[i].c);
	}
	metrics_family(b, f, "ccstat_analyze_predicted_hit_ratio", "gauge",
		       "Hit ratio of the sampled gets since start predicted at a store of factor times the current size.");
	for (i = 0; a->capacity_bytes && i < a->nfs; i++) {
		analyze_fs_labels(l, &a->fs[i]);
		for (k = 0; k < METRICS_NR_FACTORS; k++) {
			if (a->fs[i].predicted[k] < 0)
				continue;
			snprintf(factor, sizeof(factor), "%g", metrics_factors[k]);
			l[FS_LABELS] = (struct metric_label){ "factor", factor };
			metrics_sample_f64(b, "ccstat_analyze_predicted_hit_ratio",
					   l, FS_LABELS + 1, a->fs[i].predicted[k]);
		}
	}
	if (a->timed) {
		metrics_family(b, f, lat, "histogram",
			       "Time a cleancache put or get took, every filesystem (log2 buckets).");
		for (k = 0; k < 2; k++) {
			l[0] = (struct metric_label){ "op", ops[k] };
			render_lat(b, lat, l, &a->lat[k], a->lat_sum_s[k]);
		}
	}
}

void metrics_render(struct mbuf *b, enum metrics_format f,
		    const struct metrics_input *in)
{
	render_fs(b, f, in);
	if (in->inodes_on)
		render_inodes(b, f, in);
	render_global(b, f, in);
	if (in->analyze)
		render_analyze(b, f, in->analyze);
}

void metrics_render_scrape(struct mbuf *b, enum metrics_format f,
			   double seconds)
{
	metrics_family(b, f, "ccstat_scrape_duration_seconds", "gauge",
		       "Time this scrape took to read the BPF maps and render.");
	metrics_sample_f64(b, "ccstat_scrape_duration_seconds", NULL, 0,
			   seconds);
}
