// SPDX-License-Identifier: GPL-2.0
/*
 * ccstat check: a doctor.  One line per question, in the order a user
 * would debug: is cleancache in this kernel, are its tracepoints and BTF
 * there, which attach path loads, is a backend registered, which mounts
 * have pools, does the hypervisor hold what the guest left in each pool
 * (Xen tmem, from dom0), and do ccstat's totals agree with the kernel's
 * own debugfs counters over a few seconds.  Exits non-zero when a check
 * fails.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>
#include "views.h"
#include "xen_tmem.h"

/* The JSON of a hypervisor line: one Xen pool against the guest's */
static const struct column hv_columns[] = {
	{ "POOL", "id", 0, COL_U64 },
	{ "IDS", "guest_ids", 0, COL_INT },
	{ "SHARED", "shared", 0, COL_INT },
	{ "VERDICT", "verdict", 0, COL_STR },
	{ "XEN_BYTES", "xen_bytes", 0, COL_BYTES },
	{ "GUEST_BOUND", "guest_bound_bytes", 0, COL_BYTES },
	{ "XEN_PUTS", "xen_puts", 0, COL_I64 },
	{ "GUEST_PUTS", "guest_puts", 0, COL_U64 },
	{ "XEN_GETS", "xen_gets", 0, COL_I64 },
	{ "GUEST_GETS", "guest_gets", 0, COL_U64 },
};
#define HV_NCOLUMNS ((int)(sizeof(hv_columns) / sizeof(hv_columns[0])))
/* tmem counts in pages of Xen's (x86: 4 KiB) */
#define XEN_PAGE_BYTES 4096ull

struct checker {
	const struct options *opt;
	struct json_writer jw;
	int failed;
};

static void vline(struct checker *c, const char *status, const char *what,
		  const struct cell *pool_cells, const char *fmt, va_list ap)
{
	char detail[512];

	vsnprintf(detail, sizeof(detail), fmt, ap);
	if (!strcmp(status, "FAIL"))
		c->failed++;
	if (c->opt->json) {
		jw_start_object(&c->jw);
		jw_str_member(&c->jw, "type", "check");
		jw_str_member(&c->jw, "check", what);
		jw_str_member(&c->jw, "status", status);
		jw_str_member(&c->jw, "detail", detail);
		if (pool_cells) {
			jw_key(&c->jw, "pool");
			print_row_json(&c->jw, hv_columns, HV_NCOLUMNS,
				       pool_cells);
		}
		jw_end_object(&c->jw);
	} else {
		char esc[4 * sizeof(detail)];

		/* mount points and names in it may hold any byte */
		text_escape(esc, sizeof(esc), detail);
		printf("%-5s %-14s %s\n", status, what, esc);
	}
	fflush(stdout);
}

static void __attribute__((format(printf, 4, 5)))
line(struct checker *c, const char *status, const char *what,
     const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vline(c, status, what, NULL, fmt, ap);
	va_end(ap);
}

static void __attribute__((format(printf, 5, 6)))
line_cells(struct checker *c, const char *status, const char *what,
	   const struct cell *pool_cells, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vline(c, status, what, pool_cells, fmt, ap);
	va_end(ap);
}

static bool exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

static bool try_attach(const struct options *base, enum attach_mode mode,
		       struct session **keep)
{
	/* the session kept for reconciling has every map top uses */
	struct session_cfg cfg = { .count_inodes = keep != NULL,
				   .count_workloads = keep != NULL };
	struct options o = *base;
	struct session *s = NULL;
	int saved = dup(STDERR_FILENO);
	FILE *null = fopen("/dev/null", "w");

	o.attach = mode;
	/* the failure is reported on the check line, not twice */
	if (!base->verbose && null && saved >= 0)
		dup2(fileno(null), STDERR_FILENO);
	session_open(&s, &o, &cfg);
	if (saved >= 0) {
		dup2(saved, STDERR_FILENO);
		close(saved);
	}
	if (null)
		fclose(null);
	if (!s)
		return false;
	if (keep)
		*keep = s;
	else
		session_close(s);
	return true;
}

struct pair {
	const char *name;
	__u64 ours;
	__u64 kernel;
};

static void reconcile(struct checker *c, struct session *s, int seconds)
{
	struct snapshot a = {}, b = {};
	struct kstats ka, kb;
	struct cc_counts d;
	struct pair p[8];
	char buf[512];
	size_t i, off = 0;
	int drift = 0;

	if (kstats_read(&ka) || session_snapshot(s, &a)) {
		line(c, "FAIL", "reconcile", "cannot read " DEBUGFS_CC " counters");
		return;
	}
	sleep_until(a.mono_ns + (__u64)seconds * 1000000000ull);
	if (kstats_read(&kb) || session_snapshot(s, &b)) {
		line(c, "FAIL", "reconcile", "cannot read counters");
		snapshot_free(&a);
		return;
	}
	counts_sub(&d, &b.total, &a.total);
	p[0] = (struct pair){ "puts", d.puts, kb.puts - ka.puts };
	p[1] = (struct pair){ "puts_refused", d.puts_refused,
			      kb.puts_refused - ka.puts_refused };
	p[2] = (struct pair){ "succ_gets", d.hits, kb.succ_gets - ka.succ_gets };
	p[3] = (struct pair){ "failed_gets", d.misses,
			      kb.failed_gets - ka.failed_gets };
	p[4] = (struct pair){ "invalidates", d.inval_pages,
			      kb.invalidates - ka.invalidates };
	p[5] = (struct pair){ "inode_invalidates", d.inval_inodes,
			      kb.inode_invalidates - ka.inode_invalidates };
	p[6] = (struct pair){ "fs_invalidates", d.inval_fs,
			      kb.fs_invalidates - ka.fs_invalidates };
	p[7] = (struct pair){ "pools_created", d.pools_created,
			      kb.pools_created - ka.pools_created };
	for (i = 0; i < 8; i++) {
		if (p[i].ours != p[i].kernel)
			drift++;
		off += (size_t)snprintf(buf + off, sizeof(buf) - off,
					"%s%s %llu/%llu", i ? ", " : "",
					p[i].name,
					(unsigned long long)p[i].ours,
					(unsigned long long)p[i].kernel);
		if (off >= sizeof(buf))
			break;
	}
	line(c, drift ? "FAIL" : "ok", "reconcile",
	     "%d s, ccstat/debugfs: %s%s", seconds, buf,
	     drift ? " (drift)" : "");
	format_cost(buf, sizeof(buf), &a, &b);
	line(c, "info", "overhead", "%s", buf);
	snapshot_free(&a);
	snapshot_free(&b);
}

/*
 * What the kernel charges for each map of this session (the memlock that
 * bpftool map show prints) and ccstat's bound for it, here and on 256
 * CPUs.  check loads what `top` loads: every map a view can use.
 */
static void map_memory(struct checker *c, struct session *s)
{
	struct map_mem mm[16];
	int i, n = session_map_memory(s, mm, 16);

	for (i = 0; i < n - 1; i++)
		line(c, "info", "map memory", "%s: %u entries, %lld bytes (bound %llu here, %llu on 256 CPUs)",
		     mm[i].name, mm[i].max_entries, mm[i].memlock,
		     (unsigned long long)mm[i].bound,
		     (unsigned long long)mm[i].bound_256);
	line(c, "info", "bpf memory", "%lld bytes in %d maps (bound %llu here, %llu on 256 CPUs)",
	     mm[n - 1].memlock, n - 1, (unsigned long long)mm[n - 1].bound,
	     (unsigned long long)mm[n - 1].bound_256);
}

/*
 * The guest's puts and hits per pool, read before (@lo) and after (@hi)
 * Xen's answer.  Return: how many pools, and whether nothing moved.
 */
static size_t guest_pools(struct xen_tmem_guest_pool *g,
			  const struct kpool *lo, size_t nlo,
			  const struct kpool *hi, size_t nhi, bool *still)
{
	size_t i, j, n = 0;

	*still = nlo == nhi;
	for (i = 0; i < nhi && n < XEN_TMEM_MAX_POOLS * 2; i++) {
		struct xen_tmem_guest_pool *p = &g[n++];

		memset(p, 0, sizeof(*p));
		p->pool = hi[i].pool;
		p->shared = hi[i].shared;
		p->puts_hi = hi[i].puts;
		p->gets_hi = hi[i].succ_gets;
		for (j = 0; j < nlo && lo[j].pool != hi[i].pool; j++)
			;
		if (j == nlo) {		/* created in between */
			*still = false;
			continue;
		}
		p->puts_lo = lo[j].puts;
		p->gets_lo = lo[j].succ_gets;
		if (p->puts_lo != p->puts_hi || p->gets_lo != p->gets_hi)
			*still = false;
	}
	return n;
}

static void hv_cells(struct cell *cl, const struct xen_tmem_reconciled *r)
{
	bool xen = r->verdict != XEN_TMEM_NO_XEN_POOL;
	bool guest = r->verdict != XEN_TMEM_NO_GUEST_POOL;

	memset(cl, 0, sizeof(*cl) * HV_NCOLUMNS);
	cl[0].u = r->pool;
	cl[1].i = r->ids;
	cl[2].i = r->shared;
	cl[3].s = xen_tmem_verdict_name(r->verdict);
	cl[4].i = xen ? (long long)(r->xen_pages * XEN_PAGE_BYTES) : -1;
	cl[5].i = guest ? (long long)(r->guest_bound * XEN_PAGE_BYTES) : -1;
	cl[6].i = xen ? (long long)r->xen_puts : -1;
	cl[7].u = r->guest_puts;
	cl[8].i = xen ? (long long)r->xen_gets : -1;
	cl[9].u = r->guest_gets;
}

/* One hypervisor line: a Xen pool against the guest's, in words */
static void hv_line(struct checker *c, const struct xen_tmem_reconciled *r,
		    bool still, long long evicted)
{
	unsigned long long pages = r->xen_pages, bound = r->guest_bound;
	const char *status = xen_tmem_verdict_status(r->verdict);
	const char *moved = still ? "" : " (counts moved while read)";
	struct cell cl[HV_NCOLUMNS];
	char fewer[128] = "";

	hv_cells(cl, r);
	switch (r->verdict) {
	case XEN_TMEM_NO_XEN_POOL:
		line_cells(c, status, "hypervisor", cl,
			   "pool %u: the guest's pool (puts %llu, hits %llu) is not among dom0's pools in Xen",
			   r->pool, (unsigned long long)r->guest_puts,
			   (unsigned long long)r->guest_gets);
		return;
	case XEN_TMEM_NO_GUEST_POOL:
		line_cells(c, status, "hypervisor", cl,
			   "pool %u: Xen holds %llu pages in a pool of dom0 the guest has no pool for",
			   r->pool, pages);
		return;
	case XEN_TMEM_SHARED:
		line_cells(c, status, "hypervisor", cl,
			   "pool %u (shared, %d guest ids): Xen holds %llu pages, guest puts %llu, hits %llu; a shared pool is not judged%s",
			   r->pool, r->ids, pages,
			   (unsigned long long)r->guest_puts,
			   (unsigned long long)r->guest_gets, moved);
		return;
	default:
		break;
	}
	if (r->verdict == XEN_TMEM_CONSISTENT && pages < bound)
		snprintf(fewer, sizeof(fewer),
			 "; %llu fewer in Xen: flushed or evicted (Xen evicted %lld in all)",
			 bound - pages, evicted);
	line_cells(c, status, "hypervisor", cl,
		   "pool %u: pages Xen/guest %llu/%llu, puts %llu/%llu, hits %llu/%llu%s%s%s%s%s",
		   r->pool, pages, bound, (unsigned long long)r->xen_puts,
		   (unsigned long long)r->guest_puts,
		   (unsigned long long)r->xen_gets,
		   (unsigned long long)r->guest_gets, fewer, moved,
		   r->verdict == XEN_TMEM_CONSISTENT ? "" : " (",
		   r->verdict == XEN_TMEM_CONSISTENT ? "" :
		   xen_tmem_verdict_name(r->verdict),
		   r->verdict == XEN_TMEM_CONSISTENT ? "" : ")");
}

/*
 * The hypervisor's view: with xen_tmem as the store and dom0's privcmd
 * at hand, each of dom0's pools in Xen against the guest's counts for
 * it.  The guest's are read on both sides of Xen's answer, again until
 * nothing moved in between (a few tries), so that a quiet system is
 * compared exactly and a busy one within what moved.
 */
static void hypervisor(struct checker *c, const struct kstats *k)
{
	struct xen_tmem_guest_pool g[XEN_TMEM_MAX_POOLS * 2];
	struct xen_tmem_pool xp[XEN_TMEM_MAX_POOLS];
	struct xen_tmem_reconciled r[XEN_TMEM_MAX_POOLS * 3];
	struct kpool *lo = NULL, *hi = NULL;
	size_t nlo = 0, nhi = 0, ng = 0, nr, i;
	struct xen_tmem_global glob;
	struct xen_tmem *x;
	long long evicted = -1;
	bool still = false;
	int tries, nx = 0, err;

	if (strcmp(k->backend, "xen_tmem")) {
		line(c, "skip", "hypervisor", "the store is %s, not xen_tmem: no hypervisor pools to compare",
		     k->backend[0] ? k->backend : "unknown");
		return;
	}
	err = xen_tmem_open(&x);
	if (err) {
		line(c, "skip", "hypervisor", "cannot open /dev/xen/privcmd: %s%s",
		     strerror(-err), err == -ENOENT ?
		     " (not dom0, or CONFIG_XEN_PRIVCMD off)" : "");
		return;
	}
	for (tries = 0; tries < 5 && !still; tries++) {
		if (tries)
			usleep(200 * 1000);
		free(lo);
		free(hi);
		lo = hi = NULL;
		kpools_read(&lo, &nlo);
		nx = xen_tmem_pools(x, xp, XEN_TMEM_MAX_POOLS);
		kpools_read(&hi, &nhi);
		if (nx < 0)
			break;
		ng = guest_pools(g, lo, nlo, hi, nhi, &still);
	}
	if (nx >= 0 && !xen_tmem_global(x, &glob))
		evicted = (long long)glob.evicted;
	xen_tmem_close(x);
	free(lo);
	free(hi);
	if (nx == -EPERM || nx == -EACCES) {
		line(c, "skip", "hypervisor", "Xen refuses the tmem sysctl: %s",
		     nx == -EPERM ? "only dom0 may read it" :
		     "its interface is not Xen 4.9 to 4.12's");
		return;
	}
	if (nx < 0) {
		line(c, "FAIL", "hypervisor", "cannot read Xen's tmem pools: %s",
		     strerror(-nx));
		return;
	}
	nr = xen_tmem_reconcile(g, ng, xp, (size_t)nx, r);
	for (i = 0; i < nr; i++)
		hv_line(c, &r[i], still, evicted);
	if (!nr)
		line(c, "ok", "hypervisor", "no tmem pools in Xen or in the guest");
}

int cmd_check(int argc, char **argv, struct options *opt)
{
	struct checker c = { .opt = opt };
	struct kernel_support ks;
	struct session *s = NULL;
	struct mount_table mt = {};
	struct kpool *kp = NULL;
	struct kstats k;
	struct utsname u;
	size_t nkp = 0, i;
	bool tp_ok = false, fn_ok = false;

	jw_init(&c.jw, stdout, opt->pretty);
	if (opt->json) {
		jw_start_object(&c.jw);
		jw_str_member(&c.jw, "type", "checks");
		jw_key(&c.jw, "checks");
		jw_start_array(&c.jw);
	}

	uname(&u);
	line(&c, "info", "kernel", "%s %s", u.release, u.version);
	if (geteuid() != 0)
		line(&c, "warn", "privileges", "not root: loading needs CAP_BPF and CAP_PERFMON");
	if (probe_kernel_support(&ks)) {
		line(&c, "FAIL", "btf", "/sys/kernel/btf/vmlinux missing: this kernel was built without CONFIG_DEBUG_INFO_BTF=y; boot one with BTF");
		goto done;
	}
	line(&c, "ok", "btf", "/sys/kernel/btf/vmlinux");
	if (!ks.functions && !ks.tracepoints) {
		line(&c, "FAIL", "cleancache", "this kernel has no cleancache; boot a kernel with the ccstat series (see README)");
		goto done;
	}
	line(&c, "ok", "cleancache", "frontend functions %s",
	     ks.functions ? "present" : "missing (fallback unavailable)");
	line(&c, ks.tracepoints ? "ok" : "warn", "tracepoints",
	     "%s%s", ks.tracepoints ? "cleancache:* in BTF" : "missing: only the fentry fallback works",
	     ks.tracepoints && !exists("/sys/kernel/tracing/events/cleancache") &&
	     !exists("/sys/kernel/debug/tracing/events/cleancache") ?
	     " (tracefs not mounted)" : "");
	if (ks.tracepoints) {
		tp_ok = try_attach(opt, ATTACH_TP_BTF, NULL);
		line(&c, tp_ok ? "ok" : "FAIL", "attach tp_btf",
		     tp_ok ? "loads and attaches" : "failed (ccstat -v check shows why)");
	}
	if (ks.functions) {
		fn_ok = try_attach(opt, ATTACH_FENTRY, NULL);
		line(&c, fn_ok ? "ok" : (tp_ok ? "warn" : "FAIL"),
		     "attach fentry", fn_ok ? "loads and attaches" : "failed (ccstat -v check shows why)");
	}
	if (kstats_read(&k)) {
		line(&c, "FAIL", "debugfs", DEBUGFS_CC " not readable (mount -t debugfs none /sys/kernel/debug)");
		goto done;
	}
	line(&c, "ok", "debugfs", DEBUGFS_CC);
	line(&c, strcmp(k.backend, "none") && k.backend[0] ? "ok" : "warn",
	     "backend", "%s", k.backend[0] ? k.backend : "unknown");
	mounts_load(&mt);
	kpools_read(&kp, &nkp);
	for (i = 0; i < nkp; i++) {
		const struct mount_info *m = mounts_find(&mt, kp[i].dev);

		line(&c, "ok", "pool", "pool %d %u:%u %s%s on %s", kp[i].pool,
		     kdev_major(kp[i].dev), kdev_minor(kp[i].dev),
		     kp[i].fstype, kp[i].shared ? " (shared)" : "",
		     m ? m->mountpoint : "(not mounted)");
	}
	if (!nkp)
		line(&c, "warn", "pool", "no filesystem has a cleancache pool");
	mounts_free(&mt);
	free(kp);
	hypervisor(&c, &k);
	if (!tp_ok && !fn_ok)
		goto done;
	if (try_attach(opt, tp_ok ? ATTACH_TP_BTF : ATTACH_FENTRY, &s)) {
		map_memory(&c, s);
		reconcile(&c, s, opt->check_seconds);
		session_close(s);
	}
done:
	if (opt->json) {
		jw_end_array(&c.jw);
		jw_s64_member(&c.jw, "failed", c.failed);
		jw_end_object(&c.jw);
	}
	return c.failed ? 1 : 0;
}
