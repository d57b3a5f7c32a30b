// SPDX-License-Identifier: GPL-2.0
/*
 * The one print layer: a view describes its columns once (text header,
 * JSON key, width, type) and hands rows of cells; text and JSON are both
 * rendered from that description, so the two outputs cannot drift apart.
 */
#include <string.h>
#include <unistd.h>
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
	{ "STORED", "bytes_stored", 8, COL_BYTES },
	{ "MOUNT", "mountpoint", -1, COL_STR },
};
const int fs_ncolumns = sizeof(fs_columns) / sizeof(fs_columns[0]);

const struct column fs_rate_columns[] = {
	{ "DEVICE", "device", -7, COL_STR },
	{ "FSTYPE", "fstype", -6, COL_STR },
	{ "POOL", "pool", 4, COL_I64 },
	RATE_COLUMNS,
	{ "STORED", "bytes_stored", 8, COL_BYTES },
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

size_t text_escape(char *buf, size_t len, const char *str)
{
	static const char cesc[] = "\aa\bb\tt\nn\vv\ff\rr";
	const unsigned char *s = (const unsigned char *)str;
	size_t n = strlen(str), out = 0, seq;
	char tmp[8];
	const char *e;

	while (n) {
		seq = utf8_seq_len(s, n);
		if (*s == '\\') {
			snprintf(tmp, sizeof(tmp), "\\\\");
		} else if (*s && *s < 0x20 && (e = strchr(cesc, *s))) {
			snprintf(tmp, sizeof(tmp), "\\%c", e[1]);
		} else if (*s >= 0x20 && *s < 0x7f) {
			snprintf(tmp, sizeof(tmp), "%c", *s);
		} else if (seq > 1 && !(s[0] == 0xc2 && s[1] < 0xa0)) {
			/* printable beyond ASCII (not a C1 control): as is */
			if (out + seq < len)
				memcpy(buf + out, s, seq);
			out += seq;
			s += seq;
			n -= seq;
			continue;
		} else {
			/* C0/C1 controls, DEL, bytes not in valid UTF-8 */
			snprintf(tmp, sizeof(tmp), "\\%03o", *s);
		}
		seq = strlen(tmp);
		if (out + seq < len)
			memcpy(buf + out, tmp, seq);
		out += seq;
		s++;
		n--;
	}
	if (len)
		buf[out < len ? out : len - 1] = 0;
	return out;
}

/* Bytes in a narrow text column: 512B, 4.0K, 48.0M, 1.5G */
static void format_size(char *buf, size_t len, unsigned long long b)
{
	static const char unit[] = "KMGTPE";
	double v = (double)b;
	int u = -1;

	if (b < 1024) {
		snprintf(buf, len, "%lluB", b);
		return;
	}
	while (v >= 1024 && u < 5) {
		v /= 1024;
		u++;
	}
	snprintf(buf, len, "%.1f%c", v, unit[u]);
}

void print_header(const struct printer *p)
{
	int i, w;

	if (p->jw)
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

void print_members(struct json_writer *jw, const struct column *cols, int n,
		   const struct cell *cells)
{
	int i;

	for (i = 0; i < n; i++) {
		const struct cell *c = &cells[i];

		jw_key(jw, cols[i].key);
		switch (cols[i].type) {
		case COL_U64:
			jw_u64(jw, c->u);
			break;
		case COL_I64:
		case COL_BYTES:
			if (c->i < 0)
				jw_null(jw);
			else
				jw_s64(jw, c->i);
			break;
		case COL_INT:
			jw_s64(jw, c->i);
			break;
		case COL_PCT:
		case COL_RATE:
			if (c->d < 0)
				jw_null(jw);
			else
				jw_double(jw, c->d);
			break;
		case COL_STR:
			jw_string(jw, c->s);
			break;
		case COL_TIME:
			jw_double(jw, c->d);
			break;
		}
	}
}

void print_row_json(struct json_writer *jw, const struct column *cols, int n,
		    const struct cell *cells)
{
	jw_start_object(jw);
	print_members(jw, cols, n, cells);
	jw_end_object(jw);
}

void print_row(const struct printer *p, const struct cell *cells)
{
	char buf[64], esc[4 * 2048];
	int i, w;

	if (p->jw) {
		jw_start_object(p->jw);
		if (p->type)
			jw_str_member(p->jw, "type", p->type);
		print_members(p->jw, p->cols, p->ncols, cells);
		jw_end_object(p->jw);
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
		case COL_BYTES:
			if (c->i < 0)
				snprintf(buf, sizeof(buf), "-");
			else
				format_size(buf, sizeof(buf),
					    (unsigned long long)c->i);
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
			s = "-";
			if (c->s) {
				text_escape(esc, sizeof(esc), c->s);
				s = esc;
			}
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
		case COL_BYTES:
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
	cells[3 + NR_COUNT_COLUMNS].i = v->stored < 0 ? -1 :
		v->stored * sysconf(_SC_PAGESIZE);
	cells[4 + NR_COUNT_COLUMNS].s = v->mount;
}

static void cost_between(const struct snapshot *a, const struct snapshot *b,
			 __u64 *ns, __u64 *cnt, __u64 *wall)
{
	*ns = b->run_time_ns - (a ? a->run_time_ns : 0);
	*cnt = b->run_cnt - (a ? a->run_cnt : 0);
	*wall = a ? b->mono_ns - a->mono_ns : 0;
}

void print_cost_json(struct json_writer *jw, const struct snapshot *a,
		     const struct snapshot *b)
{
	__u64 ns, cnt, wall;

	cost_between(a, b, &ns, &cnt, &wall);
	jw_key(jw, "cost");
	jw_start_object(jw);
	/* without --bpf-stats the kernel does not time programs: null */
	if (b->run_stats) {
		jw_u64_member(jw, "bpf_run_time_ns", ns);
		jw_u64_member(jw, "bpf_run_count", cnt);
		jw_u64_member(jw, "bpf_ns_per_run", cnt ? ns / cnt : 0);
	} else {
		jw_null_member(jw, "bpf_run_time_ns");
		jw_null_member(jw, "bpf_run_count");
		jw_null_member(jw, "bpf_ns_per_run");
	}
	jw_u64_member(jw, "events_lost", b->drops.events_lost);
	jw_u64_member(jw, "fs_map_full", b->drops.fs_full);
	jw_u64_member(jw, "inode_map_full", b->drops.inode_full);
	jw_u64_member(jw, "workload_map_full", b->drops.workload_full);
	jw_end_object(jw);
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
