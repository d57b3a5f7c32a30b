/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ccstat internals shared by the subcommands: the options parsed once by
 * main.c, the subcommand table, and the interfaces of the BPF session
 * (session.c), the system readers (sysinfo.c) and the print layer
 * (print.c).  The pure arithmetic lives in calc.h.
 */
#ifndef CCSTAT_H
#define CCSTAT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <signal.h>
#include <sys/types.h>
#include <linux/types.h>
#include "../bpf/ccstat.h"
#include "calc.h"
#include "json_writer.h"

#define CCSTAT_VERSION "0.1.0"

enum attach_mode { ATTACH_AUTO, ATTACH_TP_BTF, ATTACH_FENTRY };

/* Options; global flags are parsed once in main.c, the rest per command */
struct options {
	bool json;
	bool pretty;			/* --pretty: indented JSON */
	bool verbose;
	bool timestamps;		/* -T */
	bool all_tasks;			/* run -a: count every task */
	bool total;			/* stat --total: cumulative lines */
	enum attach_mode attach;
	bool rate;			/* -r: per-second rates */
	bool bpf_stats;			/* --bpf-stats: kernel run-time stats on */
	__u32 pid;			/* -p */
	const char *cgroup_path;	/* -c */
	__u64 cgid;
	int cg_level;			/* depth of -c below the cgroup2 root */
	__u32 dev;			/* --dev, kernel encoding, 0 = any */
	__u32 ops;			/* --op mask */
	double interval;		/* seconds */
	long count;			/* -1: forever */
	unsigned int ringbuf_kib;	/* hidden: trace ring buffer size */
	int check_seconds;
	const char *sort;		/* top/run: sort column */
	bool csv;			/* stat --csv */
	const char *listen;		/* export --listen ADDR:PORT */
	const char *prom_file;		/* export --prom-file PATH */
	size_t top_inodes;		/* export --top-inodes K */
	unsigned int idle_timeout;	/* export --idle-timeout S, 0: 10 */
	size_t synthetic;		/* hidden: export fake inodes, no BPF */
	__u32 map_entries;		/* hidden: inode/workload map capacity */
	double sample;			/* analyze --sample: 0 = default (1) */
	__u64 store_size;		/* analyze --store-size, bytes; 0 = ask */
	bool analyze;			/* export --analyze */
	unsigned long long seen;	/* options given, 1 << enum opt_id */
};

/* export's default: loopback only, on the port README.md documents */
#define EXPORT_DEFAULT_LISTEN "127.0.0.1:9587"

struct command {
	const char *name;
	int (*fn)(int argc, char **argv, struct options *opt);
	const char *args;
	const char *help;
	unsigned long long takes;	/* options it accepts, 1 << enum opt_id */
	int max_pos;			/* positional arguments; -1: a command */
};

/* Exit status: 0 success, 1 runtime failure, 2 usage error */
#define EXIT_USAGE 2

extern volatile sig_atomic_t exiting;
/*
 * Readable once SIGINT, SIGTERM or SIGHUP asked ccstat to end (-1 before
 * install_signal_handlers()): a wait polls it with its timeout, so a
 * signal that lands just before the wait still ends it at once.
 */
extern int exit_fd;
void install_signal_handlers(void);

int cmd_top(int argc, char **argv, struct options *opt);
int cmd_stat(int argc, char **argv, struct options *opt);
int cmd_trace(int argc, char **argv, struct options *opt);
int cmd_run(int argc, char **argv, struct options *opt);
int cmd_check(int argc, char **argv, struct options *opt);
int cmd_export(int argc, char **argv, struct options *opt);
int cmd_analyze(int argc, char **argv, struct options *opt);

/*
 * cmd_run.c: COMMAND forked but held before its exec, so that the BPF
 * programs are attached before it runs.  spawn_held: 0, or 1 after an
 * error line.  release_held lets it exec: 0; 127 or 126 (as a shell
 * says it) after an error line if the exec failed; -1 after an error
 * line if it could not be told to go.  held_done closes the pipes, and
 * kills and reaps a child never released.  wait_child reaps it
 * (forwarding a ^C as SIGTERM) and gives a shell's exit status.
 */
struct held_child {
	pid_t pid;
	int go;			/* write a byte to let it exec */
	int err;		/* its exec's errno, if that failed */
};
int spawn_held(struct held_child *c, char **cmd);
int release_held(struct held_child *c, const char *name);
void held_done(struct held_child *c);
int wait_child(pid_t pid, int *status);

/* "ccstat: failed to <what>: <why>" on stderr; returns 1 */
int fail(const char *what, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The same for a bad command line: "ccstat: <what>: ..."; returns 2 */
int usage_error(const char *what, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void verbose(const struct options *opt, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * main() has parsed every option and checked that the command takes
 * them; argv holds the positional arguments only.  Parse
 * [interval [count]] (count only if @count_ok).
 */
int parse_interval_count(int argc, char **argv, int first,
			 struct options *opt, bool count_ok);

/* ---- session.c: the loaded BPF programs ---- */

struct fs_row {
	struct cc_fs_key key;
	struct cc_counts c;
};

struct inode_row {
	struct cc_inode_key key;
	struct cc_counts c;
};

struct workload_row {
	struct cc_workload_key key;
	struct cc_counts c;
};

struct snapshot {
	__u64 mono_ns;
	struct cc_counts total;
	struct cc_drops drops;
	bool run_stats;			/* --bpf-stats: the two below are known */
	__u64 run_time_ns;
	__u64 run_cnt;
	struct fs_row *fs;
	size_t nr_fs;
	struct inode_row *inodes;
	size_t nr_inodes;
	struct workload_row *workloads;
	size_t nr_workloads;
};

struct session;

struct session_cfg {
	bool trace;
	bool follow_tgid;		/* track forks of opt->pid */
	bool count_inodes;
	bool count_workloads;
};

enum attach_mode session_mode(const struct session *s);
int session_open(struct session **sp, const struct options *opt,
		 const struct session_cfg *cfg);
int session_snapshot(struct session *s, struct snapshot *snap);
int session_ringbuf_fd(struct session *s);
int session_drops(struct session *s, struct cc_drops *d);
int session_track_pid(struct session *s, __u32 tgid);
/* The dentry names the kernel had when the inode was first counted */
int session_inode_name(struct session *s, const struct cc_inode_key *k,
		       struct cc_inode_name *nm);

/* Memory of one BPF map: the kernel's charge and ccstat's bound */
struct map_mem {
	const char *name;
	__u32 max_entries;
	long long memlock;		/* fdinfo / bpftool; -1 unknown */
	__u64 bound;			/* on this machine's possible CPUs */
	__u64 bound_256;		/* on 256 possible CPUs */
};
/* One entry per map, then one named "all" with the sums; returns how many */
int session_map_memory(struct session *s, struct map_mem *out, size_t max);
void session_close(struct session *s);
void snapshot_free(struct snapshot *snap);
const char *attach_mode_name(enum attach_mode m);

/* What the running kernel offers, from its BTF */
struct kernel_support {
	bool btf;
	bool tracepoints;
	bool functions;
};
int probe_kernel_support(struct kernel_support *ks);

/* Shared with the other BPF objects (cmd_analyze.c) */
struct btf;
struct bpf_object;
/* libbpf's messages per -v, privileges, the kernel's BTF; NULL after an error line */
struct btf *bpf_preflight(const struct options *opt);
void bpf_set_verbose(bool on);
void sum_percpu(__u64 *out, const __u64 *vals, int ncpus, size_t nr);
/* run time and runs of every program of @obj (BPF stats on) */
void bpf_object_cost(struct bpf_object *obj, __u64 *run_ns, __u64 *run_cnt);

/* ---- sysinfo.c: /proc, debugfs, cgroups ---- */

struct mount_info {
	__u32 dev;			/* kernel encoding */
	char fstype[64];
	char mountpoint[1024];
	char source[256];		/* e.g. /dev/vda, as node_exporter's device */
};

struct mount_table {
	struct mount_info *m;
	size_t n;
};

int mounts_load(struct mount_table *t);
const struct mount_info *mounts_find(const struct mount_table *t, __u32 dev);
void mounts_free(struct mount_table *t);

#define DEBUGFS_CC "/sys/kernel/debug/cleancache"

/* The kernel's own counters (debugfs), the ground truth */
struct kstats {
	bool present;
	__u64 puts, puts_refused, succ_gets, failed_gets, invalidates;
	__u64 inode_invalidates, fs_invalidates, pools_created;
	char backend[32];
};

struct kpool {
	int pool;
	__u32 dev;
	char fstype[32];
	int shared;
	__u64 puts, puts_refused, succ_gets, failed_gets, invalidates;
	__u64 inode_invalidates;
	long long stored;		/* tmem_local pages, -1 unknown */
};

/* The RAM store, store-wide (debugfs cleancache/tmem_local), in pages */
struct store_stats {
	__u64 max_pages, stored_pages, evictions, shrinker_freed;
};

int kstats_read(struct kstats *k);
int store_read(struct store_stats *st);
int kpools_read(struct kpool **pools, size_t *n);

int cgroup_id_of(const char *path, __u64 *id);
bool cgroup2_root(char *buf, size_t len);


/* ---- print.c: one layer for text and JSON ---- */

/*
 * COL_I64 prints a negative value as "-" (null); COL_INT prints it.
 * COL_BYTES: .i bytes, negative "-" (null); text in K/M/G units.
 * COL_TIME: JSON and CSV print .d (seconds since the epoch), text .s.
 */
enum col_type { COL_U64, COL_STR, COL_PCT, COL_RATE, COL_I64, COL_INT,
		COL_TIME, COL_BYTES };

struct column {
	const char *header;	/* text header */
	const char *key;	/* JSON key */
	int width;		/* text width; negative: left aligned */
	enum col_type type;
};

struct cell {
	__u64 u;
	long long i;		/* COL_I64; negative prints "-" / null */
	double d;		/* COL_PCT, COL_RATE; negative: "-" / null */
	const char *s;
};

struct printer {
	FILE *f;
	struct json_writer *jw;	/* JSON through it; NULL: text */
	const struct column *cols;
	int ncols;
	const char *type;	/* JSON: a "type" member first, if set */
};

void print_header(const struct printer *p);
/* A row: a text line, or a JSON object (a record if at the top level) */
void print_row(const struct printer *p, const struct cell *cells);
void print_row_json(struct json_writer *jw, const struct column *cols, int n,
		    const struct cell *cells);
/* The members alone, into an object the caller opened */
void print_members(struct json_writer *jw, const struct column *cols, int n,
		   const struct cell *cells);
/*
 * Text output of a name that may hold any byte, like `ls -b`: a
 * backslash doubles, \a \b \t \n \v \f \r stand for themselves, other
 * control characters (C0, DEL, C1) and bytes that are not valid UTF-8
 * print as \ooo octal; printable UTF-8 and spaces stay.  Writes at most
 * @len bytes with the NUL and returns the length it needed.
 */
size_t text_escape(char *buf, size_t len, const char *s);
/* CSV (RFC 4180): the JSON keys as the header, null cells left empty */
void print_header_csv(FILE *f, const struct column *cols, int n);
void print_row_csv(FILE *f, const struct column *cols, int n,
		   const struct cell *cells);

/* Columns of a filesystem / inode / workload row and filling them */
extern const struct column fs_columns[];
extern const int fs_ncolumns;
extern const struct column inode_columns[];
extern const int inode_ncolumns;
extern const struct column workload_columns[];
extern const int workload_ncolumns;
/* The same with per-second rates (-r); as many columns */
extern const struct column fs_rate_columns[];
extern const struct column inode_rate_columns[];
extern const struct column workload_rate_columns[];

struct fs_view {
	char dev[24];
	const char *fstype;
	const char *mount;
	int pool;
	long long stored;
};

void fill_counts_cells(struct cell *cells, const struct cc_counts *c,
		       double secs);
void fill_fs_cells(struct cell *cells, const struct fs_view *v,
		   const struct cc_counts *c, double secs);
/* "cost": the BPF programs' run time and the drops, as a member */
void print_cost_json(struct json_writer *jw, const struct snapshot *a,
		     const struct snapshot *b);
void format_cost(char *buf, size_t len, const struct snapshot *a,
		 const struct snapshot *b);

/* Snapshot deltas, matched by key */
void snapshot_delta_fs(const struct snapshot *now, const struct snapshot *then,
		       struct fs_row *out);
void snapshot_delta_inodes(const struct snapshot *now,
			   const struct snapshot *then, struct inode_row *out);
void snapshot_delta_workloads(const struct snapshot *now,
			      const struct snapshot *then,
			      struct workload_row *out);

#endif /* CCSTAT_H */
