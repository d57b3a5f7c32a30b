// SPDX-License-Identifier: GPL-2.0
/*
 * The BPF session behind every view: pick the attach variant from the
 * running kernel's BTF (tracepoints first, frontend functions as the
 * fallback), set the rodata filters, load, attach, turn on BPF run-time
 * statistics, and read the per-CPU maps back as snapshots.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "ccstat.h"
#include "ccstat.skel.h"

static void sum_percpu(__u64 *out, const __u64 *vals, int ncpus, size_t nr);

struct session {
	struct ccstat_bpf *skel;
	enum attach_mode mode;
	int stats_fd;
	int ncpus;
	struct bpf_link *links[32];
	int nlinks;
};

static const char *const tp_progs[] = {
	"tp_put", "tp_get", "tp_inval_page", "tp_inval_inode",
	"tp_pool_create", "tp_pool_destroy", "tp_backend",
};

/* fallback program, kernel function, whether ccstat works without it */
static const struct {
	const char *prog;
	const char *func;
	bool optional;
} fx_progs[] = {
	{ "fx_put", "__cleancache_put_folio", false },
	{ "fx_get", "__cleancache_get_folio", false },
	{ "fx_inval_page", "__cleancache_invalidate_folio", false },
	{ "fx_inval_inode", "__cleancache_invalidate_inode", false },
	{ "fx_init_fs", "__cleancache_init_fs", true },
	{ "fx_init_shared_fs", "__cleancache_init_shared_fs", true },
	{ "fe_inval_fs", "__cleancache_invalidate_fs", true },
	{ "fx_backend", "cleancache_register_ops", true },
};

const char *attach_mode_name(enum attach_mode m)
{
	switch (m) {
	case ATTACH_TP_BTF:
		return "tp_btf";
	case ATTACH_FENTRY:
		return "fentry";
	default:
		return "auto";
	}
}

enum attach_mode session_mode(const struct session *s)
{
	return s->mode;
}

static bool btf_has(const struct btf *btf, const char *name, __u32 kind)
{
	return btf && btf__find_by_name_kind(btf, name, kind) >= 0;
}

static struct btf *vmlinux_btf(void)
{
	struct btf *btf = btf__load_vmlinux_btf();

	if (libbpf_get_error(btf))
		return NULL;
	return btf;
}

int probe_kernel_support(struct kernel_support *ks)
{
	struct btf *btf = vmlinux_btf();

	memset(ks, 0, sizeof(*ks));
	if (!btf)
		return -1;
	ks->btf = true;
	ks->tracepoints = btf_has(btf, "btf_trace_cleancache_put",
				  BTF_KIND_TYPEDEF);
	ks->functions = btf_has(btf, "__cleancache_put_folio", BTF_KIND_FUNC);
	btf__free(btf);
	return 0;
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	(void)level;
	return vfprintf(stderr, fmt, ap);
}

static int libbpf_quiet(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	(void)level; (void)fmt; (void)ap;
	return 0;
}

static bool have_bpf_privileges(void)
{
	/* capget() without libcap: CAP_SYS_ADMIN or CAP_BPF + CAP_PERFMON */
	struct { __u32 version; int pid; } hdr = { 0x20080522, 0 };
	struct { __u32 eff, perm, inh; } data[2] = {};

	if (geteuid() == 0)
		return true;
	if (syscall(125 /* SYS_capget */, &hdr, data))
		return false;
	if (data[0].eff & (1u << 21))
		return true;
	return (data[1].eff & (1u << (39 - 32))) &&
	       (data[1].eff & (1u << (38 - 32)));
}

static int choose_mode(const struct options *opt, struct btf *btf,
		       enum attach_mode *mode)
{
	bool tp = btf_has(btf, "btf_trace_cleancache_put", BTF_KIND_TYPEDEF);
	bool fn = btf_has(btf, "__cleancache_put_folio", BTF_KIND_FUNC);

	switch (opt->attach) {
	case ATTACH_TP_BTF:
		if (!tp)
			return fail("attach to cleancache tracepoints",
				    "the kernel has no cleancache tracepoints (no btf_trace_cleancache_put in its BTF)");
		*mode = ATTACH_TP_BTF;
		return 0;
	case ATTACH_FENTRY:
		if (!fn)
			return fail("attach to cleancache functions",
				    "the kernel has no __cleancache_put_folio in its BTF");
		*mode = ATTACH_FENTRY;
		return 0;
	default:
		break;
	}
	if (tp) {
		*mode = ATTACH_TP_BTF;
		return 0;
	}
	if (fn) {
		*mode = ATTACH_FENTRY;
		return 0;
	}
	return fail("find cleancache in the running kernel",
		    "no cleancache tracepoints or functions in its BTF; boot the patched Linux 6.12 from this repository (kernel/, 'make kernel')");
}

static void set_autoload(struct session *s, struct btf *btf,
			 const struct session_cfg *cfg,
			 const struct options *opt)
{
	struct bpf_object *obj = s->skel->obj;
	struct bpf_program *p;
	size_t i;

	bpf_object__for_each_program(p, obj)
		bpf_program__set_autoload(p, false);
	if (s->mode == ATTACH_TP_BTF) {
		for (i = 0; i < sizeof(tp_progs) / sizeof(tp_progs[0]); i++) {
			p = bpf_object__find_program_by_name(obj, tp_progs[i]);
			if (p)
				bpf_program__set_autoload(p, true);
		}
	} else {
		for (i = 0; i < sizeof(fx_progs) / sizeof(fx_progs[0]); i++) {
			if (!btf_has(btf, fx_progs[i].func, BTF_KIND_FUNC)) {
				verbose(opt, "no %s in the kernel: %s not loaded\n",
					fx_progs[i].func, fx_progs[i].prog);
				continue;
			}
			p = bpf_object__find_program_by_name(obj, fx_progs[i].prog);
			if (p)
				bpf_program__set_autoload(p, true);
		}
	}
	if (cfg->follow_tgid)
		bpf_program__set_autoload(s->skel->progs.on_fork, true);
}

static int attach_all(struct session *s)
{
	struct bpf_program *p;
	struct bpf_link *l;

	bpf_object__for_each_program(p, s->skel->obj) {
		if (!bpf_program__autoload(p))
			continue;
		l = bpf_program__attach(p);
		if (!l) {
			return fail("attach BPF program", "%s: %s",
				    bpf_program__name(p), strerror(errno));
		}
		if (s->nlinks < (int)(sizeof(s->links) / sizeof(s->links[0])))
			s->links[s->nlinks++] = l;
	}
	return 0;
}

int session_open(struct session **sp, const struct options *opt,
		 const struct session_cfg *cfg)
{
	struct session *s;
	struct btf *btf;
	int err;

	libbpf_set_print(opt->verbose ? libbpf_print : libbpf_quiet);
	if (!have_bpf_privileges())
		return fail("load BPF programs",
			    "permission denied (run as root, or with CAP_BPF and CAP_PERFMON)");
	btf = vmlinux_btf();
	if (!btf)
		return fail("load kernel BTF",
			    "/sys/kernel/btf/vmlinux not readable (the kernel needs CONFIG_DEBUG_INFO_BTF=y)");
	s = calloc(1, sizeof(*s));
	if (!s) {
		btf__free(btf);
		return fail("allocate session", "%s", strerror(ENOMEM));
	}
	s->stats_fd = -1;
	if (choose_mode(opt, btf, &s->mode))
		goto err_free;
	verbose(opt, "attaching with %s\n", attach_mode_name(s->mode));

	s->skel = ccstat_bpf__open();
	if (!s->skel) {
		fail("open BPF object", "%s", strerror(errno));
		goto err_free;
	}
	s->skel->rodata->targ_tgid = opt->pid;
	s->skel->rodata->targ_follow = cfg->follow_tgid;
	s->skel->rodata->targ_cgid = opt->cgid;
	s->skel->rodata->targ_dev = opt->dev;
	s->skel->rodata->targ_ops = opt->ops ? opt->ops : CC_OP_MASK_ALL;
	s->skel->rodata->trace_on = cfg->trace;
	s->skel->rodata->count_inodes = cfg->count_inodes;
	s->skel->rodata->count_workloads = cfg->count_workloads;
	bpf_map__set_max_entries(s->skel->maps.events,
				 cfg->trace ? (opt->ringbuf_kib ?
					       opt->ringbuf_kib : 1024) * 1024
					    : 4096);
	set_autoload(s, btf, cfg, opt);

	err = ccstat_bpf__load(s->skel);
	if (err) {
		fail("load BPF programs", "%s%s", strerror(-err),
		     opt->verbose ? "" : " (-v shows the verifier log)");
		goto err_destroy;
	}
	if (cfg->follow_tgid && opt->pid) {
		__u8 one = 1;

		bpf_map_update_elem(bpf_map__fd(s->skel->maps.tracked),
				    &opt->pid, &one, BPF_ANY);
	}
	if (attach_all(s))
		goto err_destroy;
	/* the cost columns need it; other tools may have it on already */
	s->stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
	if (s->stats_fd < 0)
		verbose(opt, "cannot enable BPF run-time stats: %s\n",
			strerror(errno));
	s->ncpus = libbpf_num_possible_cpus();
	btf__free(btf);
	*sp = s;
	return 0;

err_destroy:
	while (s->nlinks)
		bpf_link__destroy(s->links[--s->nlinks]);
	ccstat_bpf__destroy(s->skel);
err_free:
	btf__free(btf);
	free(s);
	return 1;
}

int session_ringbuf_fd(struct session *s)
{
	return bpf_map__fd(s->skel->maps.events);
}

int session_drops(struct session *s, struct cc_drops *d)
{
	size_t nr = sizeof(*d) / sizeof(__u64);
	__u64 *vals;
	__u32 zero = 0;
	int err;

	memset(d, 0, sizeof(*d));
	vals = calloc((size_t)s->ncpus, sizeof(*d));
	if (!vals)
		return -ENOMEM;
	err = bpf_map_lookup_elem(bpf_map__fd(s->skel->maps.drops), &zero, vals);
	if (!err)
		sum_percpu((__u64 *)d, vals, s->ncpus, nr);
	free(vals);
	return err;
}

int session_track_pid(struct session *s, __u32 tgid)
{
	__u8 one = 1;

	return bpf_map_update_elem(bpf_map__fd(s->skel->maps.tracked), &tgid,
				   &one, BPF_ANY);
}

void session_close(struct session *s)
{
	if (!s)
		return;
	while (s->nlinks)
		bpf_link__destroy(s->links[--s->nlinks]);
	ccstat_bpf__destroy(s->skel);
	if (s->stats_fd >= 0)
		close(s->stats_fd);
	free(s);
}

/* Sum one per-CPU value of @nr u64 counters */
static void sum_percpu(__u64 *out, const __u64 *vals, int ncpus, size_t nr)
{
	size_t i;
	int cpu;

	memset(out, 0, nr * sizeof(__u64));
	for (cpu = 0; cpu < ncpus; cpu++)
		for (i = 0; i < nr; i++)
			out[i] += vals[cpu * nr + i];
}

static size_t sort_key_size;

static int cmp_key(const void *a, const void *b)
{
	return memcmp(a, b, sort_key_size);
}

/*
 * Read a whole per-CPU hash map into an array of rows laid out as
 * { key (key_size bytes), struct cc_counts }.
 */
static int read_hash(struct session *s, struct bpf_map *map,
		     size_t key_size, size_t row_size, void **rows,
		     size_t *nrows)
{
	size_t nr = sizeof(struct cc_counts) / sizeof(__u64), n = 0, cap;
	int fd = bpf_map__fd(map);
	char key[64], next[64];
	__u64 *vals;
	char *out;
	void *prev = NULL;

	cap = bpf_map__max_entries(map);
	out = calloc(cap ? cap : 1, row_size);
	vals = calloc((size_t)s->ncpus, sizeof(struct cc_counts));
	if (!out || !vals) {
		free(out);
		free(vals);
		return -ENOMEM;
	}
	while (n < cap && bpf_map_get_next_key(fd, prev, next) == 0) {
		memcpy(key, next, key_size);
		prev = key;
		if (bpf_map_lookup_elem(fd, key, vals))
			continue;	/* deleted meanwhile */
		memcpy(out + n * row_size, key, key_size);
		sum_percpu((__u64 *)(out + n * row_size + row_size -
				     sizeof(struct cc_counts)),
			   vals, s->ncpus, nr);
		n++;
	}
	free(vals);
	sort_key_size = key_size;
	qsort(out, n, row_size, cmp_key);
	*rows = out;
	*nrows = n;
	return 0;
}

static void prog_cost(struct session *s, __u64 *run_ns, __u64 *run_cnt)
{
	struct bpf_program *p;

	*run_ns = *run_cnt = 0;
	bpf_object__for_each_program(p, s->skel->obj) {
		struct bpf_prog_info info = {};
		__u32 len = sizeof(info);
		int fd = bpf_program__fd(p);

		if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len))
			continue;
		*run_ns += info.run_time_ns;
		*run_cnt += info.run_cnt;
	}
}

int session_snapshot(struct session *s, struct snapshot *snap)
{
	size_t ncounts = sizeof(struct cc_counts) / sizeof(__u64);
	size_t ndrops = sizeof(struct cc_drops) / sizeof(__u64);
	struct timespec ts;
	__u64 *vals;
	__u32 zero = 0;
	int err;

	memset(snap, 0, sizeof(*snap));
	clock_gettime(CLOCK_MONOTONIC, &ts);
	snap->mono_ns = (__u64)ts.tv_sec * 1000000000ull + ts.tv_nsec;
	vals = calloc((size_t)s->ncpus, sizeof(struct cc_counts) +
					    sizeof(struct cc_drops));
	if (!vals)
		return -ENOMEM;
	if (!bpf_map_lookup_elem(bpf_map__fd(s->skel->maps.totals), &zero, vals))
		sum_percpu((__u64 *)&snap->total, vals, s->ncpus, ncounts);
	if (!bpf_map_lookup_elem(bpf_map__fd(s->skel->maps.drops), &zero, vals))
		sum_percpu((__u64 *)&snap->drops, vals, s->ncpus, ndrops);
	free(vals);
	prog_cost(s, &snap->run_time_ns, &snap->run_cnt);

	err = read_hash(s, s->skel->maps.fs_stats, sizeof(struct cc_fs_key),
			sizeof(struct fs_row), (void **)&snap->fs, &snap->nr_fs);
	if (!err)
		err = read_hash(s, s->skel->maps.inode_stats,
				sizeof(struct cc_inode_key),
				sizeof(struct inode_row),
				(void **)&snap->inodes, &snap->nr_inodes);
	if (!err)
		err = read_hash(s, s->skel->maps.workload_stats,
				sizeof(struct cc_workload_key),
				sizeof(struct workload_row),
				(void **)&snap->workloads,
				&snap->nr_workloads);
	if (err)
		snapshot_free(snap);
	return err;
}

void snapshot_free(struct snapshot *snap)
{
	free(snap->fs);
	free(snap->inodes);
	free(snap->workloads);
	snap->fs = NULL;
	snap->inodes = NULL;
	snap->workloads = NULL;
	snap->nr_fs = snap->nr_inodes = snap->nr_workloads = 0;
}
