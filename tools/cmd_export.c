// SPDX-License-Identifier: GPL-2.0
/*
 * ccstat export [--listen ADDR:PORT] [--prom-file PATH] [--top-inodes K]
 * [interval]: serve the counters on /metrics for Prometheus (text format,
 * or OpenMetrics when the scraper's Accept header asks for it), and/or
 * write them atomically to PATH every interval for node_exporter's
 * textfile collector.
 *
 * Every scrape reads the maps afresh (libmicrohttpd's one epoll thread
 * serves the connections; a mutex keeps it and the interval timer
 * apart).  Series are per filesystem, not per pool (a mount gets a new
 * pool id; ccstat_pool_info says which pool a filesystem has now), and
 * labels of a filesystem are remembered from the first time it was seen,
 * so an unmount does not rename its series.  Per-inode series follow the
 * K busiest inodes of each interval (gets since the previous one; the
 * timer chooses, never a scrape, so every scraper sees the same set):
 * see topk.h for how the set's series and "other" count.
 *
 * With --analyze the analyzer of `ccstat analyze` (ccanalyze.bpf.c) runs
 * beside the session, and its counters are exported per filesystem too:
 * miss causes, the store's evictions, what hits saved and what puts and
 * gets cost, the reuse distances as a histogram, and the hit ratio
 * predicted at other store sizes.
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
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include "analyze.h"
#include "metrics.h"
#include "topk.h"
#include "views.h"

#define EXPORT_MAX_CONNECTIONS	1000
/* An idle connection is closed after this long (--idle-timeout) */
#define EXPORT_IDLE_TIMEOUT_S	10
/* The interval when none is given: Prometheus's default scrape interval */
#define EXPORT_INTERVAL_S	15
/*
 * Scrapes this close together share one read of the maps: a burst of
 * concurrent scrapers costs one collection, not one each.  Far below any
 * sane scrape interval, so a lone Prometheus always sees fresh counters.
 */
#define EXPORT_REUSE_NS		(250 * 1000000ull)

struct fs_label {
	__u32 dev;
	char device[256];
	char fstype[64];
	char mountpoint[1024];
};

/* A filesystem's analysis counters, kept from scrape to scrape */
struct analyze_fs {
	__u32 dev;
	struct ca_fs c;			/* since start, every pool summed */
	struct metrics_analyze_acc acc;
};

struct exporter {
	const struct options *opt;
	struct session *s;		/* NULL: synthetic data */
	struct analyzer *an;		/* --analyze; NULL: synthetic or off */
	struct analyze_fs *afs;
	size_t nafs;
	pthread_mutex_t lock;
	struct view_ctx v;
	struct fs_label **labels;	/* each its own block: rows point into them */
	size_t nlabels;
	struct topk top;		/* --top-inodes: the live set */
	unsigned long synthetic_tick;
	__u32 synthetic_dev[2];
	bool serving;			/* HTTP on: count the scrapes */
	__u64 scrapes;			/* /metrics answered with metrics */
	struct mbuf body;
	__u64 body_ns;			/* when body was rendered, 0: never */
	enum metrics_format body_format;
};

/* Labels of device @dev, named the first time it is seen */
static const struct fs_label *label_of(struct exporter *e, __u32 dev)
{
	struct cc_fs_key k = { .dev = dev, .pool = -1 };
	const struct mount_info *m;
	struct fs_label *l, **ls;
	struct fs_view fv;
	size_t i;

	for (i = 0; i < e->nlabels; i++)
		if (e->labels[i]->dev == dev)
			return e->labels[i];
	ls = realloc(e->labels, (e->nlabels + 1) * sizeof(*ls));
	if (!ls)
		return NULL;
	e->labels = ls;
	l = calloc(1, sizeof(*l));
	if (!l)
		return NULL;
	ls[e->nlabels++] = l;
	l->dev = dev;
	m = mounts_find(&e->v.mt, dev);
	fs_view_of(&e->v, &k, &fv);
	if (!fv.fstype)		/* unmounted: the debugfs pool table */
		for (i = 0; i < e->v.nkp && !fv.fstype; i++)
			if (e->v.kp[i].dev == dev)
				fv.fstype = e->v.kp[i].fstype;
	if (m && m->source[0])
		snprintf(l->device, sizeof(l->device), "%s", m->source);
	else
		snprintf(l->device, sizeof(l->device), "%s", fv.dev);
	snprintf(l->fstype, sizeof(l->fstype), "%s", fv.fstype ? fv.fstype : "");
	snprintf(l->mountpoint, sizeof(l->mountpoint), "%s",
		 fv.mount ? fv.mount : "");
	return l;
}

/* @choose: the interval timer's read, which re-chooses the set */
static int build_inodes(struct exporter *e, const struct snapshot *snap,
			bool choose, struct metrics_inode **out, size_t *nout)
{
	struct metrics_inode *mi;
	const struct fs_label *l;
	size_t i, n = 0;
	int err;

	*out = NULL;
	*nout = 0;
	err = choose ? topk_choose(&e->top, snap->inodes, snap->nr_inodes,
				   e->opt->top_inodes) :
		       topk_account(&e->top, snap->inodes, snap->nr_inodes);
	if (err)
		return err;
	mi = calloc(e->top.npins + e->top.nothers + 1, sizeof(*mi));
	if (!mi)
		return -ENOMEM;
	for (i = 0; i < e->top.npins; i++) {
		l = label_of(e, e->top.pins[i].key.dev);
		mi[n].device = l ? l->device : "";
		mi[n].mountpoint = l ? l->mountpoint : "";
		mi[n].ino = e->top.pins[i].key.ino;
		mi[n].subvol = e->top.pins[i].key.subvol;
		mi[n].c = e->top.pins[i].acc;
		n++;
	}
	for (i = 0; i < e->top.nothers; i++) {
		l = label_of(e, e->top.others[i].dev);
		mi[n].device = l ? l->device : "";
		mi[n].mountpoint = l ? l->mountpoint : "";
		mi[n].other = true;
		mi[n].c = e->top.others[i].c;
		n++;
	}
	*out = mi;
	*nout = n;
	return 0;
}

/*
 * Counters that grow with every read of the maps, for tests without
 * BPF.  The first filesystem is the working directory's, so a test picks
 * its labels by where it starts the exporter; the second is 7:1 (7:2 if
 * that is the first).  Inode i does 1 + i % 7 gets a read, and at read t
 * inode t % N does 100 more: the busiest inode changes at every read.
 */
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
		snap->fs[i].key = (struct cc_fs_key){ .dev = e->synthetic_dev[i], .pool = (int)i };
		snap->fs[i].c.puts = 100 * t;
		snap->fs[i].c.hits = 60 * t;
		snap->fs[i].c.misses = 40 * t;
		snap->fs[i].c.inval_pages = t;
		counts_add(&snap->total, &snap->fs[i].c);
	}
	for (i = 0; i < n; i++) {
		/* reads 1..t that were inode i's turn to be busy */
		__u64 turns = i ? (t >= i ? (t - i) / n + 1 : 0) : t / n;

		snap->inodes[i].key.dev = e->synthetic_dev[i & 1];
		snap->inodes[i].key.ino = 1000 + i;
		snap->inodes[i].c.hits = t * (i % 7);
		snap->inodes[i].c.misses = t + 100 * turns;
		snap->inodes[i].c.puts = t * (i % 3);
	}
	qsort(snap->inodes, n, sizeof(*snap->inodes), topk_key_cmp);
	snap->nr_inodes = n;
	return 0;
}

static struct metrics_fs *fs_row_of(struct exporter *e, struct metrics_fs *rows,
				    __u32 *devs, size_t *n, __u32 dev)
{
	const struct fs_label *l;
	size_t i;

	for (i = 0; i < *n; i++)
		if (devs[i] == dev)
			return &rows[i];
	l = label_of(e, dev);
	devs[*n] = dev;
	rows[*n] = (struct metrics_fs){
		.device = l ? l->device : "",
		.fstype = l ? l->fstype : "",
		.mountpoint = l ? l->mountpoint : "",
		.stored_bytes = -1,
	};
	return &rows[(*n)++];
}

/*
 * One row per filesystem: its pools summed (the session keeps the rows of
 * destroyed pools, so the sum never goes back).  Every filesystem with a
 * pool gets its series from the first scrape, at 0 until its first event:
 * a counter that appears already at N hides its first increase from
 * rate().  Returns how many rows; @rows and @devs hold nr_fs + nkp.
 */
static size_t build_fs(struct exporter *e, const struct snapshot *snap,
		       struct metrics_fs *rows, __u32 *devs)
{
	long page = sysconf(_SC_PAGESIZE);
	struct metrics_fs *r;
	size_t i, n = 0;

	for (i = 0; i < snap->nr_fs; i++) {
		r = fs_row_of(e, rows, devs, &n, snap->fs[i].key.dev);
		counts_add(&r->c, &snap->fs[i].c);
	}
	for (i = 0; e->s && i < e->v.nkp; i++) {
		const struct kpool *kp = &e->v.kp[i];

		r = fs_row_of(e, rows, devs, &n, kp->dev);
		if (kp->stored < 0)
			continue;
		if (r->stored_bytes < 0)
			r->stored_bytes = 0;
		r->stored_bytes += kp->stored * page;
	}
	return n;
}

/* ccstat_pool_info: which pool each filesystem has now */
static size_t build_pools(struct exporter *e, struct metrics_pool *out)
{
	const struct fs_label *l;
	size_t i;

	for (i = 0; e->s && i < e->v.nkp; i++) {
		l = label_of(e, e->v.kp[i].dev);
		out[i] = (struct metrics_pool){
			.device = l ? l->device : "",
			.fstype = l ? l->fstype : "",
			.mountpoint = l ? l->mountpoint : "",
			.pool = e->v.kp[i].pool,
		};
	}
	return e->s ? e->v.nkp : 0;
}

static void read_store(struct metrics_store *ms)
{
	__u64 page = (__u64)sysconf(_SC_PAGESIZE);
	struct store_stats st;

	if (store_read(&st))
		return;
	ms->present = true;
	ms->capacity_bytes = st.max_pages * page;
	ms->stored_bytes = st.stored_pages * page;
	ms->evictions = st.evictions;
	ms->shrinker_freed = st.shrinker_freed;
}

/*
 * Analysis counters that grow with every scrape, for tests without BPF:
 * per filesystem 100 gets a tick (60 hits), misses of every cause, reuse
 * distances around 50, 500, 5,000 and 50,000 puts, timed operations and
 * disk reads at 12.5 us a sector.
 */
static int synthetic_analyze(struct exporter *e, struct ca_snapshot *snap)
{
	__u64 t = e->synthetic_tick;
	size_t i;
	int k;

	memset(snap, 0, sizeof(*snap));
	snap->fs = calloc(2, sizeof(*snap->fs));
	snap->devs = calloc(2, sizeof(*snap->devs));
	if (!snap->fs || !snap->devs) {
		ca_snapshot_free(snap);
		return -ENOMEM;
	}
	snap->nr_fs = snap->nr_devs = 2;
	for (i = 0; i < 2; i++) {
		struct ca_fs *c = &snap->fs[i].c;
		const __u64 cause[CA_NR_CAUSES] = { 10, 20, 6, 3, 1 };

		snap->fs[i].key = (struct cc_fs_key){ .dev = e->synthetic_dev[i], .pool = (int)i };
		c->puts = 100 * t;
		c->hits = c->hits_sampled = 60 * t;
		c->misses = c->misses_sampled = 40 * t;
		c->gets_sampled = 100 * t;
		for (k = 0; k < CA_NR_CAUSES; k++)
			c->cause[k] = cause[k] * t;
		c->evict[CA_EV_CAPACITY] = 20 * t;
		c->evict[CA_EV_LOWMEM] = 2 * t;
		c->evict[CA_EV_SHRINKER] = t;
		c->dist[ca_dist_bucket(50)] = 25 * t;	/* hits */
		c->dist[ca_dist_bucket(500)] = 35 * t;
		c->dist[ca_dist_bucket(5000)] = 15 * t;	/* evicted misses */
		c->dist[ca_dist_bucket(50000)] = 5 * t;
		c->put_ns = 2000 * c->puts;
		c->put_timed = c->puts;
		c->get_ns = 1500 * c->gets_sampled;
		c->get_timed = c->gets_sampled;
		c->put_ns_sampled = c->put_ns;	/* every key sampled */
		c->get_ns_sampled = c->get_ns;
		snap->lat[0].slot[10] += 80 * t;
		snap->lat[0].slot[12] += 20 * t;
		snap->lat[1].slot[10] += 90 * t;
		snap->lat[1].slot[11] += 10 * t;
		snap->devs[i].dev = snap->fs[i].key.dev;
		snap->devs[i].d = (struct ca_dev){ .reads = 4 * t,
						   .sectors = 32 * t,
						   .ns = 400000 * t };
	}
	return 0;
}

static struct analyze_fs *analyze_fs_of(struct exporter *e, __u32 dev)
{
	struct analyze_fs *a;
	size_t i;

	for (i = 0; i < e->nafs; i++)
		if (e->afs[i].dev == dev)
			return &e->afs[i];
	a = realloc(e->afs, (e->nafs + 1) * sizeof(*a));
	if (!a)
		return NULL;
	e->afs = a;
	a = &a[e->nafs++];
	memset(a, 0, sizeof(*a));
	a->dev = dev;
	metrics_analyze_acc_init(&a->acc);
	return a;
}

/*
 * Read the analyzer into @ma: a row for every filesystem of the main
 * series (@devs) and every one the analyzer saw, kept once seen, so its
 * series start at 0 like the others.  @rows has room for the rows.
 */
static int collect_analyze(struct exporter *e, const __u32 *devs,
			   size_t ndevs, struct metrics_analyze *ma,
			   struct metrics_analyze_fs **rows)
{
	struct ca_snapshot snap;
	struct metrics_analyze_fs *r;
	const struct fs_label *l;
	__u64 cap;
	size_t i, k;
	int err;

	err = e->an ? analyzer_snapshot(e->an, &snap) :
		      synthetic_analyze(e, &snap);
	if (err)
		return err;
	for (i = 0; i < ndevs; i++)
		if (!analyze_fs_of(e, devs[i]))
			goto oom;
	for (i = 0; i < snap.nr_fs; i++)
		if (!analyze_fs_of(e, snap.fs[i].key.dev))
			goto oom;
	r = calloc(e->nafs ? e->nafs : 1, sizeof(*r));
	if (!r)
		goto oom;
	for (i = 0; i < e->nafs; i++)
		memset(&e->afs[i].c, 0, sizeof(e->afs[i].c));
	for (i = 0; i < snap.nr_fs; i++)
		ca_fs_add(&analyze_fs_of(e, snap.fs[i].key.dev)->c,
			  &snap.fs[i].c);
	cap = e->an ? analyze_capacity_pages(e->opt, NULL, 0) :
		      e->opt->store_size / CA_PAGE_SIZE;
	*ma = (struct metrics_analyze){
		.fs = r,
		.nfs = e->nafs,
		.sample_rate = e->an ? analyzer_sample_rate(e->an) :
			       (e->opt->sample > 0 ? e->opt->sample : 1),
		.capacity_bytes = cap * CA_PAGE_SIZE,
		.timed = e->an ? analyzer_timed(e->an) : true,
	};
	for (k = 0; k < 2; k++)
		ma->lat[k] = snap.lat[k];
	for (i = 0; i < e->nafs; i++) {
		struct analyze_fs *a = &e->afs[i];

		metrics_analyze_acc_update(&a->acc, &a->c,
			analyze_ns_per_sector(&e->v.mt, &snap, a->dev));
		/* the histograms count sampled operations: their time */
		ma->lat_sum_s[0] += a->c.put_ns_sampled / 1e9;
		ma->lat_sum_s[1] += a->c.get_ns_sampled / 1e9;
		l = label_of(e, a->dev);
		r[i] = (struct metrics_analyze_fs){
			.device = l ? l->device : "",
			.fstype = l ? l->fstype : "",
			.mountpoint = l ? l->mountpoint : "",
			.c = &a->c,
			.acc = &a->acc,
		};
		for (k = 0; k < METRICS_NR_FACTORS; k++) {
			double pct = cap ? ca_predict_hit_pct(&a->c,
					(__u64)(cap * metrics_factors[k]), cap) : -1;

			r[i].predicted[k] = pct < 0 ? -1 : pct / 100;
		}
	}
	*rows = r;
	ca_snapshot_free(&snap);
	return 0;
oom:
	ca_snapshot_free(&snap);
	return -ENOMEM;
}

/*
 * Read the maps and render the body into e->body; call with e->lock
 * held.  @choose: the interval timer's read (re-choose the top inodes).
 */
static int collect(struct exporter *e, enum metrics_format f, bool choose)
{
	struct metrics_input in = {
		.version = CCSTAT_VERSION,
		.inodes_on = e->opt->top_inodes > 0,
		.pools = -1,
		.scrapes = e->serving ? (long long)e->scrapes : -1,
	};
	struct metrics_analyze_fs *mafs = NULL;
	struct metrics_analyze ma;
	struct metrics_inode *mi = NULL;
	struct metrics_pool *mp = NULL;
	struct metrics_fs *mfs = NULL;
	struct snapshot snap;
	struct kstats ks;
	__u64 t0 = mono_ns();
	__u32 *devs = NULL;
	int err;

	err = e->s ? session_snapshot(e->s, &snap) : synthetic_snapshot(e, &snap);
	if (err)
		return err;
	view_ctx_refresh(&e->v);
	mfs = calloc(snap.nr_fs + e->v.nkp + 1, sizeof(*mfs));
	devs = calloc(snap.nr_fs + e->v.nkp + 1, sizeof(*devs));
	mp = calloc(e->v.nkp + 1, sizeof(*mp));
	if (!mfs || !devs || !mp) {
		err = -ENOMEM;
		goto out;
	}
	in.fs = mfs;
	in.nfs = build_fs(e, &snap, mfs, devs);
	in.pools_info = mp;
	in.npools_info = build_pools(e, mp);
	if (in.inodes_on) {
		err = build_inodes(e, &snap, choose, &mi, &in.ninodes);
		if (err)
			goto out;
		in.inodes = mi;
	}
	in.total = snap.total;
	in.drops = snap.drops;
	in.bpf_stats = snap.run_stats;
	in.bpf_run_ns = snap.run_time_ns;
	in.bpf_run_cnt = snap.run_cnt;
	in.attach = e->s ? attach_mode_name(session_mode(e->s)) : "synthetic";
	if (e->s && !kstats_read(&ks)) {
		in.backend = ks.backend[0] ? ks.backend : NULL;
		in.pools = (long long)e->v.nkp;
		read_store(&in.store);
	}
	if (e->opt->analyze) {
		err = collect_analyze(e, devs, in.nfs, &ma, &mafs);
		if (err)
			goto out;
		in.analyze = &ma;
	}
	mbuf_reset(&e->body);
	e->body_ns = 0;
	metrics_render(&e->body, f, &in);
	metrics_render_scrape(&e->body, f, (double)(mono_ns() - t0) / 1e9);
	metrics_finish(&e->body, f);

	if (e->body.oom)
		err = -ENOMEM;
out:
	snapshot_free(&snap);
	free(mfs);
	free(devs);
	free(mp);
	free(mi);
	free(mafs);
	if (err)
		return err;
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
	/* RFC 9110: a 405 says which methods the resource has */
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
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
	     mono_ns() - e->body_ns < EXPORT_REUSE_NS) || !collect(e, f, false)) {
		ret = reply(c, MHD_HTTP_OK, metrics_content_type(f),
			    e->body.p, e->body.len);
		if (ret == MHD_YES)
			e->scrapes++;
	} else {
		ret = reply_text(c, MHD_HTTP_INTERNAL_SERVER_ERROR,
				 "failed to read the BPF maps\n");
	}
	pthread_mutex_unlock(&e->lock);
	return ret;
}

/*
 * The interval timer: re-choose the top inodes and, with --prom-file,
 * write the file (node_exporter's textfile collector must never see a
 * half-written one); @path NULL: no file.
 */
static int tick(struct exporter *e, const char *path)
{
	char tmp[4096];
	int fd, err = 0;

	if (path && (size_t)snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path,
				     (int)getpid()) >= sizeof(tmp))
		return -ENAMETOOLONG;
	pthread_mutex_lock(&e->lock);
	err = collect(e, METRICS_TEXT, true);
	if (!path) {
		pthread_mutex_unlock(&e->lock);
		return err;
	}
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
			     e->opt->idle_timeout ? e->opt->idle_timeout :
			     (unsigned int)EXPORT_IDLE_TIMEOUT_S,
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

/* The synthetic filesystems' devices: see synthetic_snapshot() */
static void synthetic_devs(struct exporter *e)
{
	struct stat st;

	e->synthetic_dev[0] = kdev_make(7, 0);
	if (!stat(".", &st))
		e->synthetic_dev[0] = kdev_make(major(st.st_dev),
						minor(st.st_dev));
	e->synthetic_dev[1] = kdev_make(7, 1);
	if (e->synthetic_dev[0] == e->synthetic_dev[1])
		e->synthetic_dev[1] = kdev_make(7, 2);
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
	if (argc < 2)
		opt->interval = EXPORT_INTERVAL_S;
	cfg.count_inodes = opt->top_inodes > 0;
	listen = opt->listen;
	if (!listen && !opt->prom_file)
		listen = EXPORT_DEFAULT_LISTEN;
	if (!opt->analyze && (opt->sample > 0 || opt->store_size))
		return usage_error("parse arguments",
				   "--sample and --store-size go with --analyze");
	if (opt->idle_timeout && !listen)
		return usage_error("parse arguments",
				   "--idle-timeout goes with serving HTTP (--listen)");
	if (!opt->synthetic && session_open(&e.s, opt, &cfg))
		return 1;
	if (opt->analyze && !opt->synthetic) {
		struct analyzer_cfg acfg = { .sample = opt->sample,
					     .pages = opt->map_entries };

		if (analyzer_open(&e.an, opt, &acfg)) {
			session_close(e.s);
			return 1;
		}
	}
	if (opt->synthetic)
		synthetic_devs(&e);
	pthread_mutex_init(&e.lock, NULL);
	view_ctx_init(&e.v, e.s);
	signal(SIGPIPE, SIG_IGN);
	raise_fd_limit();
	e.serving = listen != NULL;
	/* the first choice of top inodes (and file) before the first scrape */
	deadline = mono_ns();
	err = tick(&e, opt->prom_file);
	if (err && opt->prom_file) {
		ret = fail("write metrics file", "%s: %s", opt->prom_file,
			   strerror(-err));
		goto out;
	}
	if (listen) {
		d = start_http(&e, listen, opt->verbose);
		if (!d) {
			ret = 1;
			goto out;
		}
		verbose(opt, "serving /metrics on %s\n", listen);
	}
	for (;;) {
		deadline += (__u64)(opt->interval * 1e9);
		sleep_until(deadline);
		if (exiting && !opt->prom_file)
			break;
		/*
		 * At exit too, with --prom-file: the file then has every
		 * event up to the signal, not the last interval's.
		 */
		err = tick(&e, opt->prom_file);
		if (err && opt->prom_file) {
			ret = fail("write metrics file", "%s: %s",
				   opt->prom_file, strerror(-err));
			break;
		}
		if (exiting)
			break;
	}
out:
	if (d)
		MHD_stop_daemon(d);
	analyzer_close(e.an);
	session_close(e.s);
	view_ctx_free(&e.v);
	mbuf_free(&e.body);
	free(e.afs);
	while (e.nlabels)
		free(e.labels[--e.nlabels]);
	free(e.labels);
	topk_free(&e.top);
	pthread_mutex_destroy(&e.lock);
	return ret;
}
