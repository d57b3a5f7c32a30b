// SPDX-License-Identifier: GPL-2.0
/*
 * The BPF session behind every view: pick the attach variant from the
 * running kernel's BTF (tracepoints first, frontend functions as the
 * fallback), size the maps for what the subcommand reads (mapmem.h), set
 * the rodata filters, load, attach, turn on BPF run-time statistics
 * unless told not to, and read the maps back as snapshots, a batch of
 * keys per system call.  Rows of unmounted filesystems (pool destroyed,
 * idle since) leave the map and live on in user space, so the map only
 * holds what can still change.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <linux/capability.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "ccstat.h"
#include "mapmem.h"
#include "ccstat.skel.h"


struct session {
	struct ccstat_bpf *skel;
	enum attach_mode mode;
	int stats_fd;
	int ncpus;
	struct bpf_link *links[32];
	int nlinks;
	struct map_plan plan[CC_NR_MAPS];
	size_t nplan;
	struct fs_row *last_fs;		/* the fs map at the last snapshot */
	size_t nr_last_fs;
	struct fs_row *retired;		/* deleted from the map, by key */
	size_t nr_retired;
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

void bpf_set_verbose(bool on)
{
	libbpf_set_print(on ? libbpf_print : libbpf_quiet);
}

static bool cap_effective(const struct __user_cap_data_struct *d, int cap)
{
	return d[cap / 32].effective & (1u << (cap % 32));
}

static bool have_bpf_privileges(void)
{
	/* CAP_SYS_ADMIN, or CAP_BPF and CAP_PERFMON (5.8+) */
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};

	if (geteuid() == 0)
		return true;
	if (syscall(SYS_capget, &hdr, data))
		return false;
	return cap_effective(data, 21 /* CAP_SYS_ADMIN */) ||
	       (cap_effective(data, 39 /* CAP_BPF */) &&
		cap_effective(data, 38 /* CAP_PERFMON */));
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
				    "this kernel has no cleancache tracepoints; boot a kernel with the ccstat series (see README)");
		*mode = ATTACH_TP_BTF;
		return 0;
	case ATTACH_FENTRY:
		if (!fn)
			return fail("attach to cleancache functions",
				    "this kernel has no cleancache functions (__cleancache_put_folio); boot a kernel with the ccstat series (see README)");
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
		    "this kernel has no cleancache tracepoints or functions; boot a kernel with the ccstat series (see README)");
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
	if (cfg->follow_tgid) {
		bpf_program__set_autoload(s->skel->progs.on_fork, true);
		bpf_program__set_autoload(s->skel->progs.on_process_exit, true);
	}
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

/* Give each map the capacity of the plan: one entry for what is not read */
static int size_maps(struct session *s, const struct options *opt,
		     const struct session_cfg *cfg)
{
	struct map_needs needs = {
		.inodes = cfg->count_inodes,
		.workloads = cfg->count_workloads,
		.follow = cfg->follow_tgid,
		.ringbuf_bytes = cfg->trace ? (opt->ringbuf_kib ?
					       opt->ringbuf_kib : 1024) * 1024 : 0,
		.inode_entries = opt->map_entries,
		.workload_entries = opt->map_entries,
		.page_size = (__u32)sysconf(_SC_PAGESIZE),
	};
	struct bpf_map *m;
	size_t i;

	s->nplan = map_plan_for(&needs, s->plan);
	for (i = 0; i < s->nplan; i++) {
		m = bpf_object__find_map_by_name(s->skel->obj, s->plan[i].name);
		if (!m || bpf_map__set_max_entries(m, s->plan[i].max_entries))
			return fail("size BPF map", "%s", s->plan[i].name);
	}
	return 0;
}

int session_map_memory(struct session *s, struct map_mem *out, size_t max)
{
	struct map_mem all = { .name = "all" };
	char path[64], line[128];
	size_t i, n = 0;
	FILE *f;

	for (i = 0; i < s->nplan && n + 1 < max; i++) {
		struct bpf_map *m = bpf_object__find_map_by_name(s->skel->obj,
							s->plan[i].name);

		if (!m)
			continue;
		out[n].name = s->plan[i].name;
		out[n].max_entries = s->plan[i].max_entries;
		out[n].memlock = -1;
		out[n].bound = map_mem_bound(&s->plan[i], s->ncpus);
		out[n].bound_256 = map_mem_bound(&s->plan[i], 256);
		/* what bpftool map show reports as memlock */
		snprintf(path, sizeof(path), "/proc/self/fdinfo/%d",
			 bpf_map__fd(m));
		f = fopen(path, "re");
		while (f && fgets(line, sizeof(line), f))
			if (sscanf(line, "memlock: %lld", &out[n].memlock) == 1)
				break;
		if (f)
			fclose(f);
		all.memlock += out[n].memlock > 0 ? out[n].memlock : 0;
		all.bound += out[n].bound;
		all.bound_256 += out[n].bound_256;
		n++;
	}
	out[n++] = all;
	return (int)n;
}

/* -v: what the maps cost, as bpftool would show it, and ccstat's bound */
static void print_map_memory(struct session *s)
{
	struct map_mem mm[CC_NR_MAPS + 1];
	int n = session_map_memory(s, mm, CC_NR_MAPS + 1);

	fprintf(stderr, "ccstat: BPF maps: %lld bytes (bound %llu on %d CPUs, %llu on 256)\n",
		mm[n - 1].memlock, (unsigned long long)mm[n - 1].bound,
		s->ncpus, (unsigned long long)mm[n - 1].bound_256);
}

int session_inode_name(struct session *s, const struct cc_inode_key *k,
		       struct cc_inode_name *nm)
{
	return bpf_map_lookup_elem(bpf_map__fd(s->skel->maps.inode_names), k,
				   nm);
}

struct btf *bpf_preflight(const struct options *opt)
{
	struct btf *btf;

	bpf_set_verbose(opt->verbose);
	if (!have_bpf_privileges()) {
		fail("load BPF programs",
		     "permission denied (run as root, or with CAP_BPF and CAP_PERFMON)");
		return NULL;
	}
	btf = vmlinux_btf();
	if (!btf)
		fail("load kernel BTF",
		     "/sys/kernel/btf/vmlinux not readable: this kernel has no BTF (CONFIG_DEBUG_INFO_BTF=y); boot one with BTF");
	return btf;
}

int session_open(struct session **sp, const struct options *opt,
		 const struct session_cfg *cfg)
{
	struct session *s;
	struct btf *btf;
	int err;

	btf = bpf_preflight(opt);
	if (!btf)
		return 1;
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
	s->skel->rodata->targ_cg_level = opt->cg_level;
	s->skel->rodata->targ_dev = opt->dev;
	s->skel->rodata->targ_ops = opt->ops ? opt->ops : CC_OP_MASK_ALL;
	s->skel->rodata->trace_on = cfg->trace;
	s->skel->rodata->count_inodes = cfg->count_inodes;
	s->skel->rodata->count_workloads = cfg->count_workloads;
	if (size_maps(s, opt, cfg))
		goto err_destroy;
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
	/*
	 * The cost figures need it.  It is host-wide (every BPF program
	 * pays two clock reads per run while any holder keeps it on), so
	 * only --bpf-stats turns it on.
	 */
	if (opt->bpf_stats) {
		s->stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
		if (s->stats_fd < 0)
			verbose(opt, "cannot enable BPF run-time stats: %s\n",
				strerror(errno));
	}
	s->ncpus = libbpf_num_possible_cpus();
	btf__free(btf);
	if (opt->verbose)
		print_map_memory(s);
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
	free(s->last_fs);
	free(s->retired);
	free(s);
}

/* Sum one per-CPU value of @nr u64 counters */
void sum_percpu(__u64 *out, const __u64 *vals, int ncpus, size_t nr)
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

static void sort_rows(void *rows, size_t n, size_t row_size, size_t key_size)
{
	sort_key_size = key_size;
	qsort(rows, n, row_size, cmp_key);
}

#define BATCH_KEYS 1024

/* Append one key and its (summed) counters to the rows */
static void add_row(struct session *s, char *out, size_t *n, size_t row_size,
		    size_t key_size, const void *key, const __u64 *vals,
		    bool percpu)
{
	size_t nr = sizeof(struct cc_counts) / sizeof(__u64);
	char *row = out + *n * row_size;
	__u64 *c = (__u64 *)(row + row_size - sizeof(struct cc_counts));

	memcpy(row, key, key_size);
	if (percpu)
		sum_percpu(c, vals, s->ncpus, nr);
	else
		memcpy(c, vals, sizeof(struct cc_counts));
	(*n)++;
}

/* Kernels before 5.6 have no batch lookup: one key at a time */
static int read_hash_by_key(struct session *s, int fd, size_t key_size,
			    size_t row_size, bool percpu, char *out,
			    size_t cap, size_t *n)
{
	char key[64], next[64];
	void *prev = NULL;
	__u64 *vals;

	vals = calloc((size_t)(percpu ? s->ncpus : 1), sizeof(struct cc_counts));
	if (!vals)
		return -ENOMEM;
	while (*n < cap + BATCH_KEYS &&
	       bpf_map_get_next_key(fd, prev, next) == 0) {
		memcpy(key, next, key_size);
		prev = key;
		if (bpf_map_lookup_elem(fd, key, vals))
			continue;	/* deleted meanwhile */
		add_row(s, out, n, row_size, key_size, key, vals, percpu);
	}
	free(vals);
	return 0;
}

/*
 * Read a whole hash map of struct cc_counts into an array of rows laid
 * out as { key (key_size bytes), struct cc_counts }, sorted by key, with
 * bpf_map_lookup_batch(): BATCH_KEYS keys per system call.
 */
static int read_hash(struct session *s, struct bpf_map *map,
		     size_t key_size, size_t row_size, void **rows,
		     size_t *nrows)
{
	bool percpu = bpf_map__type(map) == BPF_MAP_TYPE_PERCPU_HASH ||
		      bpf_map__type(map) == BPF_MAP_TYPE_LRU_PERCPU_HASH;
	size_t vsize = sizeof(struct cc_counts) * (percpu ? (size_t)s->ncpus : 1);
	size_t n = 0, cap = bpf_map__max_entries(map), i;
	int fd = bpf_map__fd(map), err = 0;
	__u32 token = 0, count;
	bool first = true;
	char *out, *keys;
	__u64 *vals;

	/* room for a full batch past capacity: the kernel refuses a batch
	 * smaller than the bucket it stops in (ENOSPC) */
	out = calloc(cap + BATCH_KEYS, row_size);
	keys = calloc(BATCH_KEYS, key_size);
	vals = calloc(BATCH_KEYS, vsize);
	if (!out || !keys || !vals) {
		err = -ENOMEM;
		goto out;
	}
	for (;;) {
		count = BATCH_KEYS;
		if (n > cap)
			break;
		err = bpf_map_lookup_batch(fd, first ? NULL : &token, &token,
					   keys, vals, &count, NULL);
		if (err && errno != ENOENT) {
			if (first && (errno == EINVAL || errno == ENOTSUP ||
				      errno == EOPNOTSUPP)) {
				err = read_hash_by_key(s, fd, key_size,
						       row_size, percpu, out,
						       cap, &n);
			} else {
				err = -errno;
			}
			break;
		}
		for (i = 0; i < count; i++)
			add_row(s, out, &n, row_size, key_size,
				keys + i * key_size,
				(__u64 *)((char *)vals + i * vsize), percpu);
		first = false;
		if (err) {	/* ENOENT: that was the last batch */
			err = 0;
			break;
		}
	}
out:
	free(keys);
	free(vals);
	if (err) {
		free(out);
		return err;
	}
	sort_rows(out, n, row_size, key_size);
	*rows = out;
	*nrows = n;
	return 0;
}

static const struct fs_row *find_fs(const struct fs_row *rows, size_t n,
				    const struct cc_fs_key *k)
{
	sort_key_size = sizeof(*k);
	return bsearch(k, rows, n, sizeof(*rows), cmp_key);
}

/*
 * The fs map holds a row per (device, pool) ever seen; a pool is never
 * used again once destroyed (unmount), unless its id is reused for the
 * same device.  A row that saw its pool destroyed and has not changed
 * since the last snapshot leaves the map for s->retired, which every
 * snapshot adds back: the counts stay whole and the map keeps room.
 */
/* Move one row from the map to s->retired; false if it stays */
static bool retire_one(struct session *s, int fd, const struct fs_row *row)
{
	struct fs_row *r;

	r = realloc(s->retired, (s->nr_retired + 1) * sizeof(*r));
	if (!r)
		return false;
	s->retired = r;
	if (bpf_map_delete_elem(fd, &row->key))
		return false;
	r = (struct fs_row *)find_fs(s->retired, s->nr_retired, &row->key);
	if (r) {
		counts_add(&r->c, &row->c);	/* pool id reused, retired again */
		return true;
	}
	s->retired[s->nr_retired++] = *row;
	sort_rows(s->retired, s->nr_retired, sizeof(*r), sizeof(r->key));
	return true;
}

static void retire_fs_rows(struct session *s, struct snapshot *snap)
{
	int fd = bpf_map__fd(s->skel->maps.fs_stats);
	struct fs_row *rows = snap->fs;
	const struct fs_row *old;
	size_t i, kept = 0;

	for (i = 0; i < snap->nr_fs; i++) {
		old = NULL;
		if (rows[i].c.inval_fs)
			old = find_fs(s->last_fs, s->nr_last_fs, &rows[i].key);
		if (old && !memcmp(&old->c, &rows[i].c, sizeof(old->c)) &&
		    retire_one(s, fd, &rows[i]))
			continue;
		rows[kept++] = rows[i];
	}
	snap->nr_fs = kept;
}

/* The live rows plus the retired ones, one row per key */
static int merge_retired(struct session *s, struct snapshot *snap)
{
	struct fs_row *rows, *r;
	size_t i, n = snap->nr_fs;

	if (!s->nr_retired)
		return 0;
	rows = realloc(snap->fs, (n + s->nr_retired) * sizeof(*rows));
	if (!rows)
		return -ENOMEM;
	snap->fs = rows;
	for (i = 0; i < s->nr_retired; i++) {
		r = (struct fs_row *)find_fs(rows, snap->nr_fs,
					     &s->retired[i].key);
		if (r)
			counts_add(&r->c, &s->retired[i].c);
		else
			rows[n++] = s->retired[i];
	}
	snap->nr_fs = n;
	sort_rows(rows, n, sizeof(*rows), sizeof(rows->key));
	return 0;
}

static int read_fs(struct session *s, struct snapshot *snap)
{
	struct fs_row *copy;
	int err;

	err = read_hash(s, s->skel->maps.fs_stats, sizeof(struct cc_fs_key),
			sizeof(struct fs_row), (void **)&snap->fs,
			&snap->nr_fs);
	if (err)
		return err;
	retire_fs_rows(s, snap);
	copy = malloc((snap->nr_fs ? snap->nr_fs : 1) * sizeof(*copy));
	if (copy) {
		memcpy(copy, snap->fs, snap->nr_fs * sizeof(*copy));
		free(s->last_fs);
		s->last_fs = copy;
		s->nr_last_fs = snap->nr_fs;
	}
	return merge_retired(s, snap);
}

void bpf_object_cost(struct bpf_object *obj, __u64 *run_ns, __u64 *run_cnt)
{
	struct bpf_program *p;

	*run_ns = *run_cnt = 0;
	bpf_object__for_each_program(p, obj) {
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
	snap->run_stats = s->stats_fd >= 0;
	if (snap->run_stats)
		bpf_object_cost(s->skel->obj, &snap->run_time_ns,
				&snap->run_cnt);

	err = read_fs(s, snap);
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
