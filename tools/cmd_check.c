// SPDX-License-Identifier: GPL-2.0
/*
 * ccstat check: a doctor.  One line per question, in the order a user
 * would debug: is cleancache in this kernel, are its tracepoints and BTF
 * there, which attach path loads, is a backend registered, which mounts
 * have pools, and do ccstat's totals agree with the kernel's own debugfs
 * counters over a few seconds.  Exits non-zero when a check fails.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>
#include "views.h"

struct checker {
	const struct options *opt;
	int failed;
	bool first;
};

static void line(struct checker *c, const char *status, const char *what,
		 const char *fmt, ...)
{
	char detail[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	if (!strcmp(status, "FAIL"))
		c->failed++;
	if (c->opt->json) {
		printf("%s{\"type\":\"check\",\"check\":", c->first ? "" : ",");
		json_str(stdout, what);
		printf(",\"status\":");
		json_str(stdout, status);
		printf(",\"detail\":");
		json_str(stdout, detail);
		putchar('}');
		c->first = false;
	} else {
		printf("%-5s %-14s %s\n", status, what, detail);
	}
	fflush(stdout);
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

int cmd_check(int argc, char **argv, struct options *opt)
{
	struct checker c = { .opt = opt, .first = true };
	struct kernel_support ks;
	struct session *s = NULL;
	struct mount_table mt = {};
	struct kpool *kp = NULL;
	struct kstats k;
	struct utsname u;
	size_t nkp = 0, i;
	bool tp_ok = false, fn_ok = false;

	if (opt->json)
		printf("{\"type\":\"checks\",\"checks\":[");

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
	if (!tp_ok && !fn_ok)
		goto done;
	if (try_attach(opt, tp_ok ? ATTACH_TP_BTF : ATTACH_FENTRY, &s)) {
		map_memory(&c, s);
		reconcile(&c, s, opt->check_seconds);
		session_close(s);
	}
done:
	if (opt->json)
		printf("],\"failed\":%d}\n", c.failed);
	return c.failed ? 1 : 0;
}
