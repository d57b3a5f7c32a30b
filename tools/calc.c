// SPDX-License-Identifier: GPL-2.0
/*
 * Pure arithmetic and parsing for ccstat (see calc.h): every number
 * ccstat shows is computed here, so the unit tests cover each formula.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "calc.h"

#define NR_COUNTERS (sizeof(struct cc_counts) / sizeof(__u64))

void counts_add(struct cc_counts *acc, const struct cc_counts *c)
{
	__u64 *a = (__u64 *)acc;
	const __u64 *b = (const __u64 *)c;
	size_t i;

	for (i = 0; i < NR_COUNTERS; i++)
		a[i] += b[i];
}

void counts_sub(struct cc_counts *out, const struct cc_counts *now,
		const struct cc_counts *then)
{
	const __u64 *n = (const __u64 *)now, *t = (const __u64 *)then;
	__u64 *o = (__u64 *)out;
	size_t i;

	for (i = 0; i < NR_COUNTERS; i++)
		o[i] = n[i] >= t[i] ? n[i] - t[i] : 0;
}

__u64 counts_gets(const struct cc_counts *c)
{
	return c->hits + c->misses;
}

__u64 counts_invals(const struct cc_counts *c)
{
	return c->inval_pages + c->inval_inodes + c->inval_fs;
}

bool counts_zero(const struct cc_counts *c)
{
	const __u64 *a = (const __u64 *)c;
	size_t i;

	for (i = 0; i < NR_COUNTERS; i++)
		if (a[i])
			return false;
	return true;
}

double hit_pct(__u64 hits, __u64 misses)
{
	if (hits + misses == 0)
		return -1;
	return 100.0 * (double)hits / (double)(hits + misses);
}

double per_sec(__u64 delta, __u64 ns)
{
	if (!ns)
		return -1;
	return (double)delta * 1e9 / (double)ns;
}

int parse_interval(const char *s, double *secs)
{
	char *end;
	double v;

	if (!s || !*s)
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || !isfinite(v) || v < 0.01 || v > 86400)
		return -1;
	*secs = v;
	return 0;
}

static int parse_ulong(const char *s, unsigned long max, unsigned long *out)
{
	unsigned long v;
	char *end;

	if (!s || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v > max)
		return -1;
	*out = v;
	return 0;
}

int parse_count(const char *s, long *count)
{
	unsigned long v;

	if (parse_ulong(s, LONG_MAX, &v) || v == 0)
		return -1;
	*count = (long)v;
	return 0;
}

int parse_pid(const char *s, __u32 *pid)
{
	unsigned long v;

	/* PID_MAX_LIMIT on 64-bit */
	if (parse_ulong(s, 4194304, &v) || v == 0)
		return -1;
	*pid = (__u32)v;
	return 0;
}

int parse_dev(const char *s, __u32 *kdev)
{
	unsigned long ma, mi;
	const char *colon;
	char buf[16];
	size_t n;

	if (!s)
		return -1;
	colon = strchr(s, ':');
	if (!colon)
		return -1;
	n = (size_t)(colon - s);
	if (n == 0 || n >= sizeof(buf))
		return -1;
	memcpy(buf, s, n);
	buf[n] = 0;
	if (parse_ulong(buf, 0xfff, &ma) || parse_ulong(colon + 1, 0xfffff, &mi))
		return -1;
	*kdev = kdev_make(ma, mi);
	return 0;
}

static const char *const op_names[CC_OP_NR] = {
	[CC_OP_PUT] = "put",
	[CC_OP_GET] = "get",
	[CC_OP_INVAL_PAGE] = "inval_page",
	[CC_OP_INVAL_INODE] = "inval_inode",
	[CC_OP_POOL_CREATE] = "pool_create",
	[CC_OP_POOL_DESTROY] = "pool_destroy",
	[CC_OP_BACKEND] = "backend",
};

const char *op_name(int op)
{
	if (op < 0 || op >= CC_OP_NR)
		return "?";
	return op_names[op];
}

int parse_ops(const char *s, __u32 *mask)
{
	char buf[256], *tok, *save = NULL;
	__u32 m = 0;
	int i;

	if (!s || !*s || strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (!strcmp(tok, "inval")) {
			m |= 1u << CC_OP_INVAL_PAGE | 1u << CC_OP_INVAL_INODE |
			     1u << CC_OP_POOL_DESTROY;
			continue;
		}
		if (!strcmp(tok, "pool")) {
			m |= 1u << CC_OP_POOL_CREATE | 1u << CC_OP_POOL_DESTROY;
			continue;
		}
		if (!strcmp(tok, "all")) {
			m |= CC_OP_MASK_ALL;
			continue;
		}
		for (i = 0; i < CC_OP_NR; i++)
			if (!strcmp(tok, op_names[i]))
				break;
		if (i == CC_OP_NR)
			return -1;
		m |= 1u << i;
	}
	if (!m)
		return -1;
	*mask = m;
	return 0;
}

void format_dev(char *buf, size_t len, __u32 kdev)
{
	snprintf(buf, len, "%u:%u", kdev_major(kdev), kdev_minor(kdev));
}

void format_count(char *buf, size_t len, __u64 v)
{
	static const char units[] = "KMGTPE";
	double d = (double)v;
	int u = -1;

	if (v < 100000) {
		snprintf(buf, len, "%llu", (unsigned long long)v);
		return;
	}
	while (d >= 999.95 && u < 5) {
		d /= 1000;
		u++;
	}
	snprintf(buf, len, d < 99.95 ? "%.1f%c" : "%.0f%c", d, units[u]);
}

static const char *const sort_names[SORT_NR] = {
	[SORT_PUTS] = "puts",
	[SORT_REFUSED] = "refused",
	[SORT_GETS] = "gets",
	[SORT_HITS] = "hits",
	[SORT_MISSES] = "misses",
	[SORT_HITPCT] = "hit%",
	[SORT_INVALS] = "invals",
};

int parse_sort(const char *s, enum sort_key *key)
{
	int i;

	if (!s)
		return -1;
	for (i = 0; i < SORT_NR; i++) {
		if (!strcmp(s, sort_names[i])) {
			*key = i;
			return 0;
		}
	}
	if (!strcmp(s, "hit")) {
		*key = SORT_HITPCT;
		return 0;
	}
	return -1;
}

const char *sort_name(enum sort_key key)
{
	return key < SORT_NR ? sort_names[key] : "?";
}

static double sort_value(const struct cc_counts *c, enum sort_key key)
{
	switch (key) {
	case SORT_PUTS:
		return (double)c->puts;
	case SORT_REFUSED:
		return (double)c->puts_refused;
	case SORT_GETS:
		return (double)counts_gets(c);
	case SORT_HITS:
		return (double)c->hits;
	case SORT_MISSES:
		return (double)c->misses;
	case SORT_HITPCT:
		return hit_pct(c->hits, c->misses);
	case SORT_INVALS:
		return (double)counts_invals(c);
	default:
		return 0;
	}
}

int counts_cmp(const struct cc_counts *a, const struct cc_counts *b,
	       enum sort_key key)
{
	double va = sort_value(a, key), vb = sort_value(b, key);

	if (va != vb)
		return va > vb ? -1 : 1;
	/* ties: busier first, so the order is stable across refreshes */
	if (counts_gets(a) + a->puts != counts_gets(b) + b->puts)
		return counts_gets(a) + a->puts > counts_gets(b) + b->puts ? -1 : 1;
	return 0;
}

void format_inode_path(char *buf, size_t len, const char *mount,
		       const struct cc_inode_name *nm)
{
	char name[CC_DNAME_LEN + 1], parent[CC_DNAME_LEN + 1];

	memcpy(name, nm->name, CC_DNAME_LEN);
	name[CC_DNAME_LEN] = 0;
	memcpy(parent, nm->parent, CC_DNAME_LEN);
	parent[CC_DNAME_LEN] = 0;
	if (!mount || !strcmp(mount, "/"))
		mount = "";
	/* the root dentry is named "/": the file is at the top */
	if (!parent[0] || !strcmp(parent, "/")) {
		snprintf(buf, len, "%s/%s", mount, name);
		return;
	}
	snprintf(buf, len, "%s/.../%s/%s", mount, parent, name);
}
