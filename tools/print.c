// SPDX-License-Identifier: GPL-2.0
/*
 * The one print layer: a view describes its columns once (text header,
 * JSON key, width, type) and hands rows of cells; text and JSON are both
 * rendered from that description, so the two outputs cannot drift apart.
 */
#include <string.h>
#include "ccstat.h"

#define COUNT_COLUMNS \
	{ "PUTS", "puts", 9, COL_U64 }, \
	{ "REFUSED", "puts_refused", 8, COL_U64 }, \
	{ "GETS", "gets", 9, COL_U64 }, \
	{ "HITS", "hits", 9, COL_U64 }, \
	{ "MISSES", "misses", 9, COL_U64 }, \
	{ "HIT%", "hit_pct", 6, COL_PCT }, \
	{ "INV_PG", "inval_pages", 8, COL_U64 }, \
	{ "INV_INO", "inval_inodes", 7, COL_U64 }, \
	{ "INV_FS", "inval_fs", 6, COL_U64 }
#define NR_COUNT_COLUMNS 9
/* -r: the same columns as rates per second */
#define RATE_COLUMNS \
	{ "PUTS/s", "puts_per_s", 9, COL_RATE }, \
	{ "REFUS/s", "puts_refused_per_s", 8, COL_RATE }, \
	{ "GETS/s", "gets_per_s", 9, COL_RATE }, \
	{ "HITS/s", "hits_per_s", 9, COL_RATE }, \
	{ "MISS/s", "misses_per_s", 9, COL_RATE }, \
	{ "HIT%", "hit_pct", 6, COL_PCT }, \
	{ "INVPG/s", "inval_pages_per_s", 8, COL_RATE }, \
	{ "INVIN/s", "inval_inodes_per_s", 7, COL_RATE }, \
	{ "INVFS/s", "inval_fs_per_s", 7, COL_RATE }

const struct column fs_columns[] = {
	{ "DEVICE", "device", -7, COL_STR },
	{ "FSTYPE", "fstype", -6, COL_STR },
	{ "POOL", "pool", 4, COL_I64 },
	COUNT_COLUMNS,
	{ "STORED", "pages_stored", 8, COL_I64 },
	{ "MOUNT", "mountpoint", -1, COL_STR },
};
const int fs_ncolumns = sizeof(fs_columns) / sizeof(fs_columns[0]);

const struct column fs_rate_columns[] = {
	{ "DEVICE", "device", -7, COL_STR },
	{ "FSTYPE", "fstype", -6, COL_STR },
	{ "POOL", "pool", 4, COL_I64 },
	RATE_COLUMNS,
	{ "STORED", "pages_stored", 8, COL_I64 },
	{ "MOUNT", "mountpoint", -1, COL_STR },
};

const struct column inode_columns[] = {
	{ "DEVICE", "device", -7, COL_STR },
	{ "INODE", "ino", 10, COL_U64 },
	{ "SUBVOL", "subvol", -6, COL_STR },
	COUNT_COLUMNS,
	{ "PATH", "path", -1, COL_STR },
};
const int inode_ncolumns = sizeof(inode_columns) / sizeof(inode_columns[0]);

const struct column inode_rate_columns[] = {
	{ "DEVICE", "device", -7, COL_STR },
	{ "INODE", "ino", 10, COL_U64 },
	{ "SUBVOL", "subvol", -6, COL_STR },
	RATE_COLUMNS,
	{ "PATH", "path", -1, COL_STR },
};

const struct column workload_columns[] = {
	{ "CGROUP", "cgroup_id", 8, COL_U64 },
	{ "PID", "pid", 7, COL_U64 },
	{ "COMM", "comm", -15, COL_STR },
	COUNT_COLUMNS,
};
const int workload_ncolumns =
	sizeof(workload_columns) / sizeof(workload_columns[0]);

const struct column workload_rate_columns[] = {
	{ "CGROUP", "cgroup_id", 8, COL_U64 },
	{ "PID", "pid", 7, COL_U64 },
	{ "COMM", "comm", -15, COL_STR },
	RATE_COLUMNS,
};

/* Length of a valid UTF-8 sequence at @s (at most @n bytes), 0 if none */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	unsigned int cp, len, i;

	if (s[0] < 0xc2 || s[0] > 0xf4)
		return 0;	/* continuation, overlong lead or > U+10FFFF */
	len = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : 2;
	if (n < len)
		return 0;
	cp = s[0] & (0x7f >> len);
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return len;
}

/*
 * The one JSON string writer.  Paths and command names are arbitrary
 * bytes: valid UTF-8 passes through, control characters and DEL are
 * escaped, and a byte that is not part of valid UTF-8 is written as the
 * code point of the same value (\u0080..\u00ff), so the output is
 * always valid JSON.
 */
void json_str(FILE *f, const char *str)
{
	const unsigned char *s = (const unsigned char *)(str ? str : "");
	size_t n = strlen((const char *)s), len;

	fputc('"', f);
	while (*s) {
		if (*s == '"' || *s == '\\') {
			fprintf(f, "\\%c", *s);
		} else if (*s < 0x20 || *s == 0x7f) {
			fprintf(f, "\\u%04x", *s);
		} else if (*s < 0x80) {
			fputc(*s, f);
		} else if ((len = utf8_len(s, n)) > 0) {
			fwrite(s, 1, len, f);
			s += len;
			n -= len;
			continue;
		} else {
			fprintf(f, "\\u%04x", *s);
		}
		s++;
		n--;
	}
	fputc('"', f);
}

/* Times in JSON: seconds since the epoch, to the microsecond */
void json_time(FILE *f, const char *key, double epoch_s)
{
	fprintf(f, "\"%s\":%.6f", key, epoch_s);
}

void print_header(const struct printer *p)
{
	int i, w;

	if (p->json)
		return;
	for (i = 0; i < p->ncols; i++) {
		w = p->cols[i].width;
		if (i == p->ncols - 1 && w < 0)
			fprintf(p->f, "%s", p->cols[i].header);
		else
			fprintf(p->f, "%*s ", w, p->cols[i].header);
	}
	fputc('\n', p->f);
}

static void print_members(FILE *f, const struct column *cols, int n,
			  const struct cell *cells)
{
	int i;

	for (i = 0; i < n; i++) {
		const struct cell *c = &cells[i];

		fprintf(f, "%s\"%s\":", i ? "," : "", cols[i].key);
		switch (cols[i].type) {
		case COL_U64:
			fprintf(f, "%llu", (unsigned long long)c->u);
			break;
		case COL_I64:
			if (c->i < 0)
				fputs("null", f);
			else
				fprintf(f, "%lld", c->i);
			break;
		case COL_INT:
			fprintf(f, "%lld", c->i);
			break;
		case COL_PCT:
		case COL_RATE:
			if (c->d < 0)
				fputs("null", f);
			else
				fprintf(f, "%.2f", c->d);
			break;
		case COL_STR:
			if (c->s)
				json_str(f, c->s);
			else
				fputs("null", f);
			break;
		case COL_TIME:
			fprintf(f, "%.6f", c->d);
			break;
		}
	}
}

void print_row_json(FILE *f, const struct column *cols, int n,
		    const struct cell *cells)
{
	fputc('{', f);
	print_members(f, cols, n, cells);
	fputc('}', f);
}

void print_row(const struct printer *p, const struct cell *cells)
{
	char buf[64];
	int i, w;

	if (p->json) {
		fputc('{', p->f);
		if (p->type) {
			fputs("\"type\":", p->f);
			json_str(p->f, p->type);
			fputc(',', p->f);
		}
		print_members(p->f, p->cols, p->ncols, cells);
		fputs("}\n", p->f);
		return;
	}
	for (i = 0; i < p->ncols; i++) {
		const struct cell *c = &cells[i];
		const char *s = buf;

		switch (p->cols[i].type) {
		case COL_U64:
			snprintf(buf, sizeof(buf), "%llu",
				 (unsigned long long)c->u);
			break;
		case COL_I64:
			if (c->i < 0)
				snprintf(buf, sizeof(buf), "-");
			else
				snprintf(buf, sizeof(buf), "%lld", c->i);
			break;
		case COL_INT:
			snprintf(buf, sizeof(buf), "%lld", c->i);
			break;
		case COL_PCT:
		case COL_RATE:
			if (c->d < 0)
				snprintf(buf, sizeof(buf), "-");
			else
				snprintf(buf, sizeof(buf), "%.1f", c->d);
			break;
		case COL_STR:
		case COL_TIME:
			/* text shows the time as the view formats it */
			s = c->s ? c->s : "-";
			break;
		}
		w = p->cols[i].width;
		if (i == p->ncols - 1 && w < 0)
			fprintf(p->f, "%s", s);
		else
			fprintf(p->f, "%*s ", w, s);
	}
	fputc('\n', p->f);
}

void print_header_csv(FILE *f, const struct column *cols, int n)
{
	int i;

	for (i = 0; i < n; i++)
		fprintf(f, "%s%s", i ? "," : "", cols[i].key);
}

static void csv_str(FILE *f, const char *s)
{
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

void print_row_csv(FILE *f, const struct column *cols, int n,
		   const struct cell *cells)
{
	int i;

	for (i = 0; i < n; i++) {
		const struct cell *c = &cells[i];

		if (i)
			fputc(',', f);
		switch (cols[i].type) {
		case COL_U64:
			fprintf(f, "%llu", (unsigned long long)c->u);
			break;
		case COL_I64:
			if (c->i >= 0)
				fprintf(f, "%lld", c->i);
			break;
		case COL_INT:
			fprintf(f, "%lld", c->i);
			break;
		case COL_PCT:
		case COL_RATE:
			if (c->d >= 0)
				fprintf(f, "%.2f", c->d);
			break;
		case COL_STR:
			if (c->s)
				csv_str(f, c->s);
			break;
		case COL_TIME:
			fprintf(f, "%.6f", c->d);
			break;
		}
	}
}

void fill_counts_cells(struct cell *cells, const struct cc_counts *c,
		       double secs)
{
	const __u64 v[NR_COUNT_COLUMNS] = {
		c->puts, c->puts_refused, counts_gets(c), c->hits, c->misses,
		0, c->inval_pages, c->inval_inodes, c->inval_fs,
	};
	int i;

	memset(cells, 0, NR_COUNT_COLUMNS * sizeof(*cells));
	for (i = 0; i < NR_COUNT_COLUMNS; i++) {
		cells[i].u = v[i];
		/* the rate columns (secs > 0) read .d */
		cells[i].d = secs > 0 ? per_sec(v[i], (__u64)(secs * 1e9)) : 0;
	}
	cells[5].d = hit_pct(c->hits, c->misses);
}

void fill_fs_cells(struct cell *cells, const struct fs_view *v,
		   const struct cc_counts *c, double secs)
{
	memset(cells, 0, (size_t)fs_ncolumns * sizeof(*cells));
	cells[0].s = v->dev;
	cells[1].s = v->fstype;
	cells[2].i = v->pool;
	fill_counts_cells(&cells[3], c, secs);
	cells[3 + NR_COUNT_COLUMNS].i = v->stored;
	cells[4 + NR_COUNT_COLUMNS].s = v->mount;
}

static void cost_between(const struct snapshot *a, const struct snapshot *b,
			 __u64 *ns, __u64 *cnt, __u64 *wall)
{
	*ns = b->run_time_ns - (a ? a->run_time_ns : 0);
	*cnt = b->run_cnt - (a ? a->run_cnt : 0);
	*wall = a ? b->mono_ns - a->mono_ns : 0;
}

void print_cost_json(FILE *f, const struct snapshot *a,
		     const struct snapshot *b)
{
	__u64 ns, cnt, wall;

	cost_between(a, b, &ns, &cnt, &wall);
	/* without --bpf-stats the kernel does not time programs: null */
	if (b->run_stats)
		fprintf(f, "\"cost\":{\"bpf_run_time_ns\":%llu,\"bpf_run_count\":%llu,"
			"\"bpf_ns_per_run\":%llu,",
			(unsigned long long)ns, (unsigned long long)cnt,
			(unsigned long long)(cnt ? ns / cnt : 0));
	else
		fprintf(f, "\"cost\":{\"bpf_run_time_ns\":null,\"bpf_run_count\":null,"
			"\"bpf_ns_per_run\":null,");
	fprintf(f, "\"events_lost\":%llu,"
		"\"fs_map_full\":%llu,\"inode_map_full\":%llu,"
		"\"workload_map_full\":%llu}",
		(unsigned long long)b->drops.events_lost,
		(unsigned long long)b->drops.fs_full,
		(unsigned long long)b->drops.inode_full,
		(unsigned long long)b->drops.workload_full);
}

void format_cost(char *buf, size_t len, const struct snapshot *a,
		 const struct snapshot *b)
{
	__u64 ns, cnt, wall;

	char run[128];

	cost_between(a, b, &ns, &cnt, &wall);
	if (b->run_stats)
		snprintf(run, sizeof(run),
			 "%llu runs, %llu ns (%llu ns/run, %.3f%% of one CPU)",
			 (unsigned long long)cnt, (unsigned long long)ns,
			 (unsigned long long)(cnt ? ns / cnt : 0),
			 wall ? 100.0 * (double)ns / (double)wall : 0.0);
	else
		snprintf(run, sizeof(run), "cost unavailable (--bpf-stats)");
	snprintf(buf, len, "BPF: %s  lost %llu  map full %llu/%llu/%llu",
		 run, (unsigned long long)b->drops.events_lost,
		 (unsigned long long)b->drops.fs_full,
		 (unsigned long long)b->drops.inode_full,
		 (unsigned long long)b->drops.workload_full);
}

/* ---- deltas between snapshots, matched by key ---- */

/*
 * Rows of a snapshot are sorted by key (session_snapshot() does it), so
 * each row of @now finds its old value by binary search.
 */
static void delta_rows(const void *now, size_t nnow, const void *then,
		       size_t nthen, void *out, size_t row, size_t keylen)
{
	size_t i, lo, hi, mid;
	int cmp;

	memcpy(out, now, nnow * row);
	for (i = 0; i < nnow; i++) {
		const char *r = (const char *)now + i * row;
		char *o = (char *)out + i * row;

		lo = 0;
		hi = then ? nthen : 0;
		while (lo < hi) {
			const char *t;

			mid = (lo + hi) / 2;
			t = (const char *)then + mid * row;
			cmp = memcmp(t, r, keylen);
			if (!cmp) {
				counts_sub((struct cc_counts *)(o + row -
						sizeof(struct cc_counts)),
					   (const struct cc_counts *)(r + row -
						sizeof(struct cc_counts)),
					   (const struct cc_counts *)(t + row -
						sizeof(struct cc_counts)));
				break;
			}
			if (cmp < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
	}
}

void snapshot_delta_fs(const struct snapshot *now, const struct snapshot *then,
		       struct fs_row *out)
{
	delta_rows(now->fs, now->nr_fs, then ? then->fs : NULL,
		   then ? then->nr_fs : 0, out, sizeof(*out),
		   sizeof(out->key));
}

void snapshot_delta_inodes(const struct snapshot *now,
			   const struct snapshot *then, struct inode_row *out)
{
	delta_rows(now->inodes, now->nr_inodes, then ? then->inodes : NULL,
		   then ? then->nr_inodes : 0, out, sizeof(*out),
		   sizeof(out->key));
}

void snapshot_delta_workloads(const struct snapshot *now,
			      const struct snapshot *then,
			      struct workload_row *out)
{
	delta_rows(now->workloads, now->nr_workloads,
		   then ? then->workloads : NULL,
		   then ? then->nr_workloads : 0, out, sizeof(*out),
		   sizeof(out->key));
}
