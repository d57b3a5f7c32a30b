// SPDX-License-Identifier: GPL-2.0
/*
 * ccstat export [--listen ADDR:PORT] [--prom-file PATH] [--top-inodes K]
 * [interval]: serve the counters on /metrics for Prometheus (text format,
 * or OpenMetrics when the scraper's Accept header asks for it), and/or
 * write them atomically to PATH every interval for node_exporter's
 * textfile collector.
 *
 * Every scrape reads the per-CPU maps afresh (libmicrohttpd's one epoll
 * thread serves the connections; a mutex keeps it and the textfile
 * writer apart).  Labels of a filesystem are remembered from the first
 * time it was seen, so an unmount does not rename its series.  Per-inode
 * series are capped at K: the first K inodes by gets are pinned, every
 * other inode is summed in inode="other" per device, and a pinned inode
 * starts from the value "other" last reported for it, so every counter
 * stays monotonic and the inode series of a device add up to its total.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>
#include "metrics.h"
#include "views.h"

#define EXPORT_MAX_CONNECTIONS	1000
#define EXPORT_CONN_TIMEOUT_S	10
/*
 * Scrapes this close together share one read of the maps: a burst of
 * concurrent scrapers costs one collection, not one each.  Far below any
 * sane scrape interval, so a lone Prometheus always sees fresh counters.
 */
#define EXPORT_REUSE_NS		(250 * 1000000ull)

struct fs_label {
	struct cc_fs_key key;
	char device[256];
	char fstype[64];
	char mountpoint[1024];
};

struct pin {
	struct cc_inode_key key;
	struct cc_counts offset;
};

struct other_sum {
	__u32 dev;
	struct cc_counts c;
};

struct exporter {
	const struct options *opt;
	struct session *s;		/* NULL: synthetic data */
	pthread_mutex_t lock;
	struct view_ctx v;
	struct fs_label *labels;
	size_t nlabels;
	struct pin *pins;
	size_t npins;
	struct inode_row *prev;		/* last scrape's inode rows, by key */
	size_t nprev;
	bool collected;
	unsigned long synthetic_tick;
	struct mbuf body;
	__u64 body_ns;			/* when body was rendered, 0: never */
	enum metrics_format body_format;
};

static int key_cmp(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct cc_inode_key));
}

static const struct fs_label *label_of(struct exporter *e,
				       const struct cc_fs_key *k)
{
	const struct mount_info *m;
	struct fs_label *l;
	struct fs_view fv;
	size_t i;

	for (i = 0; i < e->nlabels; i++)
		if (e->labels[i].key.dev == k->dev &&
		    e->labels[i].key.pool == k->pool)
			return &e->labels[i];
	l = realloc(e->labels, (e->nlabels + 1) * sizeof(*l));
	if (!l)
		return NULL;
	e->labels = l;
	l = &l[e->nlabels++];
	memset(l, 0, sizeof(*l));
	l->key = *k;
	m = mounts_find(&e->v.mt, k->dev);
	fs_view_of(&e->v, k, &fv);
	if (m && m->source[0])
		snprintf(l->device, sizeof(l->device), "%s", m->source);
	else
		snprintf(l->device, sizeof(l->device), "%s", fv.dev);
	snprintf(l->fstype, sizeof(l->fstype), "%s", fv.fstype ? fv.fstype : "");
	snprintf(l->mountpoint, sizeof(l->mountpoint), "%s",
		 fv.mount ? fv.mount : "");
	return l;
}

/* Device and mountpoint labels of an inode: those of its filesystem */
static const struct fs_label *label_of_dev(struct exporter *e, __u32 dev,
					   const struct snapshot *snap)
{
	size_t i;

	for (i = 0; i < snap->nr_fs; i++)
		if (snap->fs[i].key.dev == dev)
			return label_of(e, &snap->fs[i].key);
	return label_of(e, &(struct cc_fs_key){ .dev = dev, .pool = -1 });
}

static const struct inode_row *find_row(const struct inode_row *rows,
					size_t n, const struct cc_inode_key *k)
{
	return bsearch(k, rows, n, sizeof(*rows), key_cmp);
}

static int gets_desc(const void *a, const void *b)
{
	const struct inode_row *x = *(const struct inode_row *const *)a;
	const struct inode_row *y = *(const struct inode_row *const *)b;
	__u64 gx = counts_gets(&x->c), gy = counts_gets(&y->c);

	if (gx != gy)
		return gx < gy ? 1 : -1;
	return key_cmp(&x->key, &y->key);
}

/* Pin the busiest unpinned inodes while fewer than K are pinned */
static void pin_inodes(struct exporter *e, const struct snapshot *snap)
{
	size_t k = e->opt->top_inodes, i, n = 0, add;
	const struct inode_row **cand;
	struct pin *np;

	if (e->npins >= k || !snap->nr_inodes)
		return;
	cand = calloc(snap->nr_inodes, sizeof(*cand));
	if (!cand)
		return;
	for (i = 0; i < snap->nr_inodes; i++)
		if (!bsearch(&snap->inodes[i].key, e->pins, e->npins,
			     sizeof(*e->pins), key_cmp))
			cand[n++] = &snap->inodes[i];
	add = k - e->npins < n ? k - e->npins : n;
	if (add && (np = realloc(e->pins, (e->npins + add) * sizeof(*np)))) {
		e->pins = np;
		qsort(cand, n, sizeof(*cand), gets_desc);
		for (i = 0; i < add; i++) {
			const struct inode_row *old =
				find_row(e->prev, e->nprev, &cand[i]->key);

			np = &e->pins[e->npins++];
			np->key = cand[i]->key;
			/* what "other" last counted for it stays there */
			if (old && e->collected)
				np->offset = old->c;
			else
				memset(&np->offset, 0, sizeof(np->offset));
		}
		qsort(e->pins, e->npins, sizeof(*e->pins), key_cmp);
	}
	free(cand);
}

static struct other_sum *other_of(struct other_sum **o, size_t *n, __u32 dev)
{
	struct other_sum *p;
	size_t i;

	for (i = 0; i < *n; i++)
		if ((*o)[i].dev == dev)
			return &(*o)[i];
	p = realloc(*o, (*n + 1) * sizeof(*p));
	if (!p)
		return NULL;
	*o = p;
	p = &p[(*n)++];
	memset(p, 0, sizeof(*p));
	p->dev = dev;
	return p;
}

static void build_inodes(struct exporter *e, const struct snapshot *snap,
			 struct metrics_inode **out, size_t *nout)
{
	struct other_sum *others = NULL, *o;
	struct metrics_inode *mi;
	size_t nothers = 0, i, n = 0;

	pin_inodes(e, snap);
	for (i = 0; i < snap->nr_inodes; i++) {
		const struct inode_row *r = &snap->inodes[i];

		if (bsearch(&r->key, e->pins, e->npins, sizeof(*e->pins),
			    key_cmp))
			continue;
		o = other_of(&others, &nothers, r->key.dev);
		if (o)
			counts_add(&o->c, &r->c);
	}
	for (i = 0; i < e->npins; i++) {
		o = other_of(&others, &nothers, e->pins[i].key.dev);
		if (o)
			counts_add(&o->c, &e->pins[i].offset);
	}
	mi = calloc(e->npins + nothers + 1, sizeof(*mi));
	if (!mi) {
		free(others);
		*out = NULL;
		*nout = 0;
		return;
	}
	for (i = 0; i < e->npins; i++) {
		const struct inode_row *r = find_row(snap->inodes,
						     snap->nr_inodes,
						     &e->pins[i].key);
		const struct fs_label *l = label_of_dev(e, e->pins[i].key.dev,
							snap);

		mi[n].device = l ? l->device : "";
		mi[n].mountpoint = l ? l->mountpoint : "";
		mi[n].ino = e->pins[i].key.ino;
		if (r)
			counts_sub(&mi[n].c, &r->c, &e->pins[i].offset);
		n++;
	}
	for (i = 0; i < nothers; i++) {
		const struct fs_label *l = label_of_dev(e, others[i].dev, snap);

		mi[n].device = l ? l->device : "";
		mi[n].mountpoint = l ? l->mountpoint : "";
		mi[n].other = true;
		mi[n].c = others[i].c;
		n++;
	}
	free(others);
	*out = mi;
	*nout = n;
}

/* Counters that grow with every scrape, for tests without BPF */
static int synthetic_snapshot(struct exporter *e, struct snapshot *snap)
{
	size_t n = e->opt->synthetic, i;
	__u64 t = ++e->synthetic_tick;

	memset(snap, 0, sizeof(*snap));
	snap->fs = calloc(2, sizeof(*snap->fs));
	snap->inodes = calloc(n ? n : 1, sizeof(*snap->inodes));
	if (!snap->fs || !snap->inodes) {
		snapshot_free(snap);
		return -ENOMEM;
	}
	snap->nr_fs = 2;
	for (i = 0; i < 2; i++) {
		snap->fs[i].key = (struct cc_fs_key){ .dev = kdev_make(7, (unsigned)i), .pool = (int)i };
		snap->fs[i].c.puts = 100 * t;
		snap->fs[i].c.hits = 60 * t;
		snap->fs[i].c.misses = 40 * t;
		snap->fs[i].c.inval_pages = t;
		counts_add(&snap->total, &snap->fs[i].c);
	}
	for (i = 0; i < n; i++) {
		snap->inodes[i].key.dev = kdev_make(7, (unsigned)(i & 1));
		snap->inodes[i].key.ino = 1000 + i;
		snap->inodes[i].c.hits = t * (i % 7);
		snap->inodes[i].c.misses = t;
		snap->inodes[i].c.puts = t * (i % 3);
	}
	qsort(snap->inodes, n, sizeof(*snap->inodes), key_cmp);
	snap->nr_inodes = n;
	return 0;
}

/*
 * Every pool the kernel lists gets its series from the first scrape, at 0
 * until its first event: a counter that appears already at N hides its
 * first increase from rate().  Fills @out; returns how many rows.
 */
static size_t zero_rows_for_idle_pools(struct exporter *e,
				       const struct snapshot *snap,
				       struct metrics_fs *out)
{
	size_t i, j, n = 0;

	for (i = 0; e->s && i < e->v.nkp; i++) {
		const struct kpool *kp = &e->v.kp[i];
		struct cc_fs_key key = { .dev = kp->dev, .pool = kp->pool };
		const struct fs_label *l;

		for (j = 0; j < snap->nr_fs; j++)
			if (snap->fs[j].key.dev == key.dev &&
			    snap->fs[j].key.pool == key.pool)
				break;
		if (j < snap->nr_fs)
			continue;
		l = label_of(e, &key);
		memset(&out[n], 0, sizeof(out[n]));
		out[n].device = l ? l->device : "";
		out[n].fstype = l ? l->fstype : "";
		out[n].mountpoint = l ? l->mountpoint : "";
		out[n].pool = key.pool;
		out[n].stored = kp->stored;
		n++;
	}
	return n;
}

/* Read the maps and render the body into e->body; call with e->lock held */
static int collect(struct exporter *e, enum metrics_format f)
{
	struct metrics_input in = {
		.version = CCSTAT_VERSION,
		.inodes_on = e->opt->top_inodes > 0,
		.pools = -1,
	};
	struct metrics_inode *mi = NULL;
	struct metrics_fs *mfs = NULL;
	struct snapshot snap;
	struct kstats ks;
	__u64 t0 = mono_ns();
	size_t i;
	int err;

	err = e->s ? session_snapshot(e->s, &snap) : synthetic_snapshot(e, &snap);
	if (err)
		return err;
	view_ctx_refresh(&e->v);
	mfs = calloc(snap.nr_fs + e->v.nkp + 1, sizeof(*mfs));
	if (!mfs) {
		snapshot_free(&snap);
		return -ENOMEM;
	}
	for (i = 0; i < snap.nr_fs; i++) {
		const struct fs_label *l = label_of(e, &snap.fs[i].key);

		mfs[i].device = l ? l->device : "";
		mfs[i].fstype = l ? l->fstype : "";
		mfs[i].mountpoint = l ? l->mountpoint : "";
		mfs[i].pool = snap.fs[i].key.pool;
		mfs[i].c = snap.fs[i].c;
		mfs[i].stored = stored_pages_for_pool(e->v.kp, e->v.nkp,
						      snap.fs[i].key.pool);
	}
	in.fs = mfs;
	in.nfs = snap.nr_fs + zero_rows_for_idle_pools(e, &snap, mfs + snap.nr_fs);
	if (in.inodes_on) {
		build_inodes(e, &snap, &mi, &in.ninodes);
		in.inodes = mi;
	}
	in.total = snap.total;
	in.drops = snap.drops;
	in.bpf_run_ns = snap.run_time_ns;
	in.bpf_run_cnt = snap.run_cnt;
	in.attach = e->s ? attach_mode_name(session_mode(e->s)) : "synthetic";
	if (e->s && !kstats_read(&ks)) {
		in.backend = ks.backend[0] ? ks.backend : NULL;
		in.pools = (long long)e->v.nkp;
	}
	mbuf_reset(&e->body);
	e->body_ns = 0;
	metrics_render(&e->body, f, &in);
	metrics_render_scrape(&e->body, f, (double)(mono_ns() - t0) / 1e9);
	metrics_finish(&e->body, f);

	/* keep this scrape's inode rows: the offsets of future pins */
	free(e->prev);
	e->prev = snap.inodes;
	e->nprev = snap.nr_inodes;
	snap.inodes = NULL;
	snap.nr_inodes = 0;
	e->collected = true;
	snapshot_free(&snap);
	free(mfs);
	free(mi);
	if (e->body.oom)
		return -ENOMEM;
	e->body_ns = mono_ns();
	e->body_format = f;
	return 0;
}

static enum MHD_Result reply(struct MHD_Connection *c, unsigned int status,
			     const char *type, const char *body, size_t len)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	r = MHD_create_response_from_buffer(len, (void *)body,
					    MHD_RESPMEM_MUST_COPY);
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result reply_text(struct MHD_Connection *c,
				  unsigned int status, const char *msg)
{
	return reply(c, status, "text/plain; charset=utf-8", msg, strlen(msg));
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c,
			      const char *url, const char *method,
			      const char *version, const char *upload_data,
			      size_t *upload_data_size, void **req_cls)
{
	static const char index_html[] =
		"<html><head><title>ccstat exporter</title></head><body>"
		"<h1>ccstat exporter</h1><p><a href=\"/metrics\">Metrics</a></p>"
		"</body></html>\n";
	struct exporter *e = cls;
	enum metrics_format f;
	enum MHD_Result ret;
	static int seen;

	(void)version; (void)upload_data;
	if (!*req_cls) {
		/* headers only so far; answer once the request is complete */
		*req_cls = &seen;
		return MHD_YES;
	}
	if (*upload_data_size) {
		*upload_data_size = 0;	/* a body is never wanted: drop it */
		return MHD_YES;
	}
	if (strcmp(method, MHD_HTTP_METHOD_GET) &&
	    strcmp(method, MHD_HTTP_METHOD_HEAD))
		return reply_text(c, MHD_HTTP_METHOD_NOT_ALLOWED,
				  "only GET and HEAD\n");
	if (!strcmp(url, "/"))
		return reply(c, MHD_HTTP_OK, "text/html; charset=utf-8",
			     index_html, sizeof(index_html) - 1);
	if (strcmp(url, "/metrics"))
		return reply_text(c, MHD_HTTP_NOT_FOUND, "not found; try /metrics\n");

	f = metrics_negotiate(MHD_lookup_connection_value(c, MHD_HEADER_KIND,
				MHD_HTTP_HEADER_ACCEPT));
	pthread_mutex_lock(&e->lock);
	if ((e->body_ns && e->body_format == f &&
	     mono_ns() - e->body_ns < EXPORT_REUSE_NS) || !collect(e, f))
		ret = reply(c, MHD_HTTP_OK, metrics_content_type(f),
			    e->body.p, e->body.len);
	else
		ret = reply_text(c, MHD_HTTP_INTERNAL_SERVER_ERROR,
				 "failed to read the BPF maps\n");
	pthread_mutex_unlock(&e->lock);
	return ret;
}

/* node_exporter's textfile collector must never see a half-written file */
static int write_prom_file(struct exporter *e, const char *path)
{
	char tmp[4096];
	int fd, err = 0;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path,
			     (int)getpid()) >= sizeof(tmp))
		return -ENAMETOOLONG;
	pthread_mutex_lock(&e->lock);
	err = collect(e, METRICS_TEXT);
	if (!err) {
		fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd < 0) {
			err = -errno;
		} else {
			size_t off = 0;

			while (off < e->body.len && !err) {
				ssize_t n = write(fd, e->body.p + off,
						  e->body.len - off);

				if (n < 0 && errno != EINTR)
					err = -errno;
				else if (n > 0)
					off += (size_t)n;
			}
			if (close(fd) && !err)
				err = -errno;
			if (!err && rename(tmp, path))
				err = -errno;
			if (err)
				unlink(tmp);
		}
	}
	pthread_mutex_unlock(&e->lock);
	return err;
}

static struct MHD_Daemon *start_http(struct exporter *e, const char *listen,
				     bool verbose)
{
	struct sockaddr_storage ss;
	unsigned int len;
	unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL;
	struct MHD_Daemon *d;

	if (metrics_parse_listen(listen, &ss, &len)) {
		fail("parse listen address", "'%s': use HOST:PORT, [IPv6]:PORT or :PORT", listen);
		return NULL;
	}
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	if (verbose)
		flags |= MHD_USE_ERROR_LOG;
	errno = 0;
	d = MHD_start_daemon(flags, 0, NULL, NULL, handle, e,
			     MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
			     MHD_OPTION_CONNECTION_LIMIT,
			     (unsigned int)EXPORT_MAX_CONNECTIONS,
			     MHD_OPTION_CONNECTION_TIMEOUT,
			     (unsigned int)EXPORT_CONN_TIMEOUT_S,
			     MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024u,
			     MHD_OPTION_END);
	if (!d)
		fail("listen on", "%s: %s", listen,
		     errno ? strerror(errno) : "libmicrohttpd refused it");
	return d;
}

/* 500 open scrapes need more descriptors than the usual soft limit */
static void raise_fd_limit(void)
{
	struct rlimit rl;

	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < rl.rlim_max &&
	    rl.rlim_cur < 4096) {
		rl.rlim_cur = rl.rlim_max < 4096 ? rl.rlim_max : 4096;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

int cmd_export(int argc, char **argv, struct options *opt)
{
	struct session_cfg cfg = { .count_inodes = opt->top_inodes > 0 };
	struct exporter e = { .opt = opt };
	struct MHD_Daemon *d = NULL;
	const char *listen = opt->listen;
	__u64 deadline;
	int ret = 0, err;

	if (parse_interval_count(argc, argv, 1, opt, false))
		return EXIT_USAGE;
	cfg.count_inodes = opt->top_inodes > 0;
	listen = opt->listen;
	if (!listen && !opt->prom_file)
		listen = EXPORT_DEFAULT_LISTEN;
	if (!opt->synthetic && session_open(&e.s, opt, &cfg))
		return 1;
	pthread_mutex_init(&e.lock, NULL);
	view_ctx_init(&e.v, e.s);
	signal(SIGPIPE, SIG_IGN);
	raise_fd_limit();
	if (listen) {
		d = start_http(&e, listen, opt->verbose);
		if (!d) {
			ret = 1;
			goto out;
		}
		verbose(opt, "serving /metrics on %s\n", listen);
	}
	deadline = mono_ns();
	while (!exiting) {
		if (opt->prom_file) {
			err = write_prom_file(&e, opt->prom_file);
			if (err) {
				ret = fail("write metrics file", "%s: %s",
					   opt->prom_file, strerror(-err));
				break;
			}
		}
		deadline += (__u64)(opt->interval * 1e9);
		sleep_until(deadline);
	}
out:
	if (d)
		MHD_stop_daemon(d);
	session_close(e.s);
	view_ctx_free(&e.v);
	mbuf_free(&e.body);
	free(e.labels);
	free(e.pins);
	free(e.prev);
	pthread_mutex_destroy(&e.lock);
	return ret;
}
