// SPDX-License-Identifier: GPL-2.0
/*
 * The analyzer session shared by `ccstat analyze` and `ccstat export
 * --analyze`: load and attach ccanalyze.bpf.c, read its maps into a
 * snapshot, and the two facts about the machine that its arithmetic
 * (analyze.c) needs: the store's capacity and each disk's read time.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "analyze.h"
#include "views.h"
#include "ccanalyze.skel.h"

struct analyzer {
	struct ccanalyze_bpf *skel;
	int stats_fd;
	int ncpus;
	__u64 threshold;	/* the sampling threshold it started with */
	bool timed;
};

static const char *const core_progs[] = {
	"ca_put", "ca_get", "ca_inval_page", "ca_inval_inode",
	"ca_pool_create", "ca_pool_destroy", "ca_evict",
};

static bool btf_has_tp(const struct btf *btf, const char *tp)
{
	char name[64];

	snprintf(name, sizeof(name), "btf_trace_%s", tp);
	return btf__find_by_name_kind(btf, name, BTF_KIND_TYPEDEF) >= 0;
}

static bool btf_has_func(const struct btf *btf, const char *fn)
{
	return btf__find_by_name_kind(btf, fn, BTF_KIND_FUNC) >= 0;
}

int analyzer_open(struct analyzer **ap, const struct options *opt,
		  const struct analyzer_cfg *cfg)
{
	static const char *const timing[] = {
		"ca_put_enter", "ca_put_exit", "ca_get_enter", "ca_get_exit",
	};
	struct bpf_program *p;
	struct analyzer *a;
	struct btf *btf;
	double rate = cfg->sample > 0 ? cfg->sample : 1;
	size_t i;
	int err;

	btf = bpf_preflight(opt);
	if (!btf)
		return 1;
	if (!btf_has_tp(btf, "cleancache_evict")) {
		btf__free(btf);
		return fail("analyze",
			    "this kernel has no cleancache_evict tracepoint (the series' tracepoints with file keys are needed; `ccstat check` says what it has)");
	}
	a = calloc(1, sizeof(*a));
	if (!a) {
		btf__free(btf);
		return fail("allocate analyzer", "%s", strerror(ENOMEM));
	}
	a->stats_fd = -1;
	a->skel = ccanalyze_bpf__open();
	if (!a->skel) {
		fail("open BPF object", "%s", strerror(errno));
		goto err_free;
	}
	a->threshold = (__u64)llround(rate * (1u << CA_SAMPLE_BITS));
	if (!a->threshold)
		a->threshold = 1;
	a->skel->rodata->targ_dev = opt->dev;
	if (cfg->pages)
		bpf_map__set_max_entries(a->skel->maps.pages, cfg->pages);
	/* timing needs the frontend's functions in BTF; the rest does not */
	a->timed = !cfg->no_latency &&
		   btf_has_func(btf, "__cleancache_put_folio") &&
		   btf_has_func(btf, "__cleancache_get_folio");
	for (i = 0; i < sizeof(timing) / sizeof(timing[0]); i++) {
		p = bpf_object__find_program_by_name(a->skel->obj, timing[i]);
		if (p)
			bpf_program__set_autoload(p, a->timed);
	}
	if (!btf_has_tp(btf, "block_rq_issue") ||
	    !btf_has_tp(btf, "block_rq_complete")) {
		bpf_program__set_autoload(a->skel->progs.ca_rq_issue, false);
		bpf_program__set_autoload(a->skel->progs.ca_rq_complete, false);
	}
	btf__free(btf);
	btf = NULL;

	err = ccanalyze_bpf__load(a->skel);
	if (err) {
		fail("load BPF programs", "%s%s", strerror(-err),
		     opt->verbose ? "" : " (-v shows the verifier log)");
		goto err_destroy;
	}
	{
		struct ca_global g = { .threshold = a->threshold };
		__u32 zero = 0;

		/* before any program runs: the sample starts at --sample */
		err = bpf_map_update_elem(bpf_map__fd(a->skel->maps.global),
					  &zero, &g, BPF_ANY);
		if (err) {
			fail("set sampling threshold", "%s", strerror(errno));
			goto err_destroy;
		}
	}
	for (i = 0; i < sizeof(core_progs) / sizeof(core_progs[0]); i++) {
		p = bpf_object__find_program_by_name(a->skel->obj,
						     core_progs[i]);
		if (!p || !bpf_program__attach(p)) {
			fail("attach BPF program", "%s: %s", core_progs[i],
			     strerror(errno));
			goto err_destroy;
		}
	}
	bpf_object__for_each_program(p, a->skel->obj) {
		bool core = false;

		for (i = 0; i < sizeof(core_progs) / sizeof(core_progs[0]); i++)
			core |= !strcmp(bpf_program__name(p), core_progs[i]);
		if (core || !bpf_program__autoload(p))
			continue;
		if (!bpf_program__attach(p)) {
			verbose(opt, "cannot attach %s: %s (going on without it)\n",
				bpf_program__name(p), strerror(errno));
			if (strstr(bpf_program__name(p), "_enter") ||
			    strstr(bpf_program__name(p), "_exit"))
				a->timed = false;
		}
	}
	/* host-wide: every BPF program pays two clock reads while it is on */
	if (opt->bpf_stats) {
		a->stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
		if (a->stats_fd < 0)
			verbose(opt, "cannot enable BPF run-time stats: %s\n",
				strerror(errno));
	}
	a->ncpus = libbpf_num_possible_cpus();
	*ap = a;
	return 0;

err_destroy:
	ccanalyze_bpf__destroy(a->skel);
err_free:
	btf__free(btf);
	free(a);
	return 1;
}

double analyzer_sample_rate(const struct analyzer *a)
{
	struct ca_global g = { .threshold = a->threshold };
	__u32 zero = 0;

	/* lowered by the BPF side each time the record map fills */
	bpf_map_lookup_elem(bpf_map__fd(a->skel->maps.global), &zero, &g);
	return (double)g.threshold / (1u << CA_SAMPLE_BITS);
}

bool analyzer_timed(const struct analyzer *a)
{
	return a->timed;
}

void analyzer_close(struct analyzer *a)
{
	if (!a)
		return;
	if (a->stats_fd >= 0)
		close(a->stats_fd);
	ccanalyze_bpf__destroy(a->skel);
	free(a);
}

void ca_snapshot_free(struct ca_snapshot *snap)
{
	free(snap->fs);
	free(snap->devs);
	memset(snap, 0, sizeof(*snap));
}

static int read_fs(struct analyzer *a, struct ca_snapshot *snap)
{
	size_t nr = sizeof(struct ca_fs) / sizeof(__u64);
	int fd = bpf_map__fd(a->skel->maps.fs_stats);
	struct cc_fs_key key, next, *prev = NULL;
	__u64 *vals;

	vals = calloc((size_t)a->ncpus, sizeof(struct ca_fs));
	snap->fs = calloc(CA_MAX_FS, sizeof(*snap->fs));
	if (!vals || !snap->fs) {
		free(vals);
		return -ENOMEM;
	}
	while (snap->nr_fs < CA_MAX_FS &&
	       !bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, vals))
			continue;
		snap->fs[snap->nr_fs].key = key;
		sum_percpu((__u64 *)&snap->fs[snap->nr_fs].c, vals, a->ncpus,
			   nr);
		snap->nr_fs++;
	}
	free(vals);
	return 0;
}

static int read_devs(struct analyzer *a, struct ca_snapshot *snap)
{
	int fd = bpf_map__fd(a->skel->maps.dev_reads);
	__u32 key, next, *prev = NULL;

	snap->devs = calloc(CA_MAX_DEVS, sizeof(*snap->devs));
	if (!snap->devs)
		return -ENOMEM;
	while (snap->nr_devs < CA_MAX_DEVS &&
	       !bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &snap->devs[snap->nr_devs].d))
			continue;
		snap->devs[snap->nr_devs++].dev = key;
	}
	return 0;
}

int analyzer_snapshot(struct analyzer *a, struct ca_snapshot *snap)
{
	size_t nlat = sizeof(struct ca_lat) / sizeof(__u64);
	__u64 *vals;
	__u32 k;

	memset(snap, 0, sizeof(*snap));
	snap->mono_ns = mono_ns();
	k = 0;
	bpf_map_lookup_elem(bpf_map__fd(a->skel->maps.global), &k, &snap->g);
	vals = calloc((size_t)a->ncpus, sizeof(struct ca_lat));
	if (!vals)
		return -ENOMEM;
	for (k = 0; k < 2; k++)
		if (!bpf_map_lookup_elem(bpf_map__fd(a->skel->maps.lat), &k,
					 vals))
			sum_percpu(snap->lat[k].slot, vals, a->ncpus, nlat);
	free(vals);
	if (read_fs(a, snap) || read_devs(a, snap)) {
		ca_snapshot_free(snap);
		return -ENOMEM;
	}
	snap->run_stats = a->stats_fd >= 0;
	if (snap->run_stats)
		bpf_object_cost(a->skel->obj, &snap->run_time_ns,
				&snap->run_cnt);
	return 0;
}


__u64 analyze_capacity_pages(const struct options *opt, char *backend,
			     size_t len)
{
	struct store_stats st;
	struct kstats k;
	__u64 pages = 0;

	if (opt->store_size)
		pages = opt->store_size / CA_PAGE_SIZE;
	else if (!store_read(&st) && st.max_pages)
		pages = st.max_pages;
	if (backend && len) {
		backend[0] = 0;
		if (!kstats_read(&k) && k.backend[0])
			snprintf(backend, len, "%s", k.backend);
	}
	return pages;
}

double analyze_ns_per_sector(const struct mount_table *mt,
			     const struct ca_snapshot *now, __u32 fsdev)
{
	const struct mount_info *m = mounts_find(mt, fsdev);
	__u32 bdev = fsdev;
	struct stat st;
	size_t i;

	/* btrfs's s_dev is anonymous: its device is the mount's source */
	if (m && m->source[0] == '/' && !stat(m->source, &st) &&
	    S_ISBLK(st.st_mode))
		bdev = (major(st.st_rdev) << 20) | minor(st.st_rdev);
	for (i = 0; i < now->nr_devs; i++)
		if (now->devs[i].dev == bdev && now->devs[i].d.sectors)
			return (double)now->devs[i].d.ns /
			       now->devs[i].d.sectors;
	return -1;
}
