// SPDX-License-Identifier: GPL-2.0
/*
 * What ccstat reads besides its maps: mounts (/proc/self/mountinfo) to
 * name a device, the kernel's cleancache counters in debugfs (the ground
 * truth `ccstat check` reconciles against) and cgroup v2 ids.  Inode
 * names come from the kernel (the BPF programs), never from a walk.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include "ccstat.h"

/* mountinfo escapes blanks as \040 etc. */
static void unescape(char *s)
{
	char *d = s;

	while (*s) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '7' &&
		    s[2] >= '0' && s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*d++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 +
				      (s[3] - '0'));
			s += 4;
		} else {
			*d++ = *s++;
		}
	}
	*d = 0;
}

int mounts_load(struct mount_table *t)
{
	char line[4096], root[1024], mnt[1024], fstype[64], source[256];
	unsigned int ma, mi;
	size_t cap = 0;
	FILE *f;

	t->m = NULL;
	t->n = 0;
	f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		const struct mount_info *old;
		struct mount_info *m;
		char *sep;

		if (sscanf(line, "%*d %*d %u:%u %1023s %1023s", &ma, &mi, root,
			   mnt) != 4)
			continue;
		sep = strstr(line, " - ");
		if (!sep || sscanf(sep + 3, "%63s %255s", fstype, source) < 1)
			continue;
		if (sscanf(sep + 3, "%*s %255s", source) != 1)
			source[0] = 0;
		unescape(mnt);
		unescape(source);
		/* a device's first mount names it */
		old = mounts_find(t, kdev_make(ma, mi));
		if (old)
			continue;
		if (t->n == cap) {
			cap = cap ? cap * 2 : 32;
			m = realloc(t->m, cap * sizeof(*m));
			if (!m)
				break;
			t->m = m;
		}
		m = &t->m[t->n++];
		m->dev = kdev_make(ma, mi);
		snprintf(m->fstype, sizeof(m->fstype), "%s", fstype);
		snprintf(m->mountpoint, sizeof(m->mountpoint), "%s", mnt);
		snprintf(m->source, sizeof(m->source), "%s", source);
	}
	fclose(f);
	return 0;
}

const struct mount_info *mounts_find(const struct mount_table *t, __u32 dev)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (t->m[i].dev == dev)
			return &t->m[i];
	return NULL;
}

void mounts_free(struct mount_table *t)
{
	free(t->m);
	t->m = NULL;
	t->n = 0;
}

static int read_u64_file(const char *path, __u64 *v)
{
	unsigned long long x;
	FILE *f = fopen(path, "re");
	int ok;

	if (!f)
		return -1;
	ok = fscanf(f, "%llu", &x) == 1;
	fclose(f);
	if (!ok)
		return -1;
	*v = x;
	return 0;
}

struct u64_file {
	const char *name;
	size_t off;
};

/* Read @n one-number files of directory @dir into fields of @base */
static int read_u64_files(const char *dir, const struct u64_file *files,
			  size_t n, void *base)
{
	char path[256];
	size_t i;

	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i].name);
		if (read_u64_file(path, (__u64 *)((char *)base + files[i].off)))
			return -1;
	}
	return 0;
}

int kstats_read(struct kstats *k)
{
	static const struct u64_file files[] = {
		{ "puts", offsetof(struct kstats, puts) },
		{ "puts_refused", offsetof(struct kstats, puts_refused) },
		{ "succ_gets", offsetof(struct kstats, succ_gets) },
		{ "failed_gets", offsetof(struct kstats, failed_gets) },
		{ "invalidates", offsetof(struct kstats, invalidates) },
		{ "inode_invalidates", offsetof(struct kstats, inode_invalidates) },
		{ "fs_invalidates", offsetof(struct kstats, fs_invalidates) },
		{ "pools_created", offsetof(struct kstats, pools_created) },
	};
	FILE *f;

	memset(k, 0, sizeof(*k));
	if (read_u64_files(DEBUGFS_CC, files, sizeof(files) / sizeof(files[0]), k))
		return -1;
	k->present = true;
	f = fopen(DEBUGFS_CC "/backend", "re");
	if (f) {
		if (!fgets(k->backend, sizeof(k->backend), f))
			k->backend[0] = 0;
		k->backend[strcspn(k->backend, "\n")] = 0;
		fclose(f);
	}
	return 0;
}

int store_read(struct store_stats *st)
{
	static const struct u64_file files[] = {
		{ "max_pages", offsetof(struct store_stats, max_pages) },
		{ "stored_pages", offsetof(struct store_stats, stored_pages) },
		{ "evictions", offsetof(struct store_stats, evictions) },
		{ "shrinker_freed", offsetof(struct store_stats, shrinker_freed) },
	};

	memset(st, 0, sizeof(*st));
	return read_u64_files(DEBUGFS_CC "/tmem_local", files,
			      sizeof(files) / sizeof(files[0]), st);
}

/* Index of the column named @name in a whitespace-separated header. */
static int header_column(const char *header, const char *name)
{
	char buf[512], *tok, *save;
	int col = 0;

	snprintf(buf, sizeof(buf), "%s", header);
	for (tok = strtok_r(buf, " \t\n", &save); tok;
	     tok = strtok_r(NULL, " \t\n", &save), col++)
		if (!strcmp(tok, name))
			return col;
	return -1;
}

/* tmem_local/pools: a header naming the columns ("pool ... pages ..."),
 * then one row per pool */
static void read_stored(struct kpool *pools, size_t n)
{
	char line[512], *tok, *save;
	int pool, col, pages_col;
	long long pages;
	FILE *f;
	size_t i;

	f = fopen(DEBUGFS_CC "/tmem_local/pools", "re");
	if (!f)
		return;
	if (!fgets(line, sizeof(line), f) ||
	    (pages_col = header_column(line, "pages")) < 1) {
		fclose(f);
		return;
	}
	for (i = 0; i < n; i++)
		pools[i].stored = 0;
	while (fgets(line, sizeof(line), f)) {
		pool = -1;
		pages = -1;
		for (tok = strtok_r(line, " \t\n", &save), col = 0; tok;
		     tok = strtok_r(NULL, " \t\n", &save), col++) {
			if (col == 0)
				pool = atoi(tok);
			else if (col == pages_col)
				pages = atoll(tok);
		}
		for (i = 0; i < n && pages >= 0; i++)
			if (pools[i].pool == pool)
				pools[i].stored = pages;
	}
	fclose(f);
}

int kpools_read(struct kpool **pools, size_t *n)
{
	struct kpool *p = NULL, *np;
	char line[512], fstype[32];
	unsigned long long v[6];
	size_t cnt = 0, cap = 0;
	unsigned int ma, mi;
	int pool, shared;
	FILE *f;

	*pools = NULL;
	*n = 0;
	f = fopen(DEBUGFS_CC "/pools", "re");
	if (!f)
		return -1;
	if (!fgets(line, sizeof(line), f)) {
		fclose(f);
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%d %u:%u %31s %d %llu %llu %llu %llu %llu %llu",
			   &pool, &ma, &mi, fstype, &shared, &v[0], &v[1],
			   &v[2], &v[3], &v[4], &v[5]) != 11)
			continue;
		if (cnt == cap) {
			cap = cap ? cap * 2 : 16;
			np = realloc(p, cap * sizeof(*p));
			if (!np)
				break;
			p = np;
		}
		np = &p[cnt++];
		memset(np, 0, sizeof(*np));
		np->pool = pool;
		np->dev = kdev_make(ma, mi);
		snprintf(np->fstype, sizeof(np->fstype), "%s", fstype);
		np->shared = shared;
		np->puts = v[0];
		np->puts_refused = v[1];
		np->succ_gets = v[2];
		np->failed_gets = v[3];
		np->invalidates = v[4];
		np->inode_invalidates = v[5];
		np->stored = -1;
	}
	fclose(f);
	read_stored(p, cnt);
	*pools = p;
	*n = cnt;
	return 0;
}

bool cgroup2_root(char *buf, size_t len)
{
	struct statfs sfs;

	/* CGROUP2_SUPER_MAGIC */
	if (!statfs("/sys/fs/cgroup", &sfs) && sfs.f_type == 0x63677270) {
		snprintf(buf, len, "/sys/fs/cgroup");
		return true;
	}
	if (!statfs("/sys/fs/cgroup/unified", &sfs) &&
	    sfs.f_type == 0x63677270) {
		snprintf(buf, len, "/sys/fs/cgroup/unified");
		return true;
	}
	return false;
}

int cgroup_id_of(const char *path, __u64 *id)
{
	struct {
		struct file_handle fh;
		__u64 cgid;
	} h;
	struct statfs sfs;
	int mount_id;

	if (statfs(path, &sfs))
		return -errno;
	if (sfs.f_type != 0x63677270)
		return -ENOTDIR;
	h.fh.handle_bytes = sizeof(__u64);
	if (name_to_handle_at(AT_FDCWD, path, &h.fh, &mount_id, 0))
		return -errno;
	memcpy(id, h.fh.f_handle, sizeof(*id));
	return 0;
}
