// SPDX-License-Identifier: GPL-2.0
/*
 * ccstat: observe cleancache per filesystem, inode and workload.
 *
 * main() parses every option once, from one table that also says which
 * subcommands take each option (libbpf-tools/perf/bpftool habits): options
 * may come before or after the subcommand and after its positional
 * arguments, `ccstat CMD --help` lists that command's options only, an
 * option the command does not take is a usage error, and a usage error
 * exits 2 before any BPF is loaded.  No subcommand means "top".  Errors
 * are one line on stderr: "ccstat: failed to <verb> <object>: <reason>".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "ccstat.h"
#include "metrics.h"
#include "topk.h"

volatile sig_atomic_t exiting;
int exit_fd = -1;
static int exit_wfd = -1;

static int cmd_help(int argc, char **argv, struct options *opt);
static int cmd_version(int argc, char **argv, struct options *opt);

/* Every option; the bit of each in struct command.takes */
enum opt_id {
	O_JSON, O_PRETTY, O_VERBOSE, O_HELP, O_VERSION, O_BPF_STATS, O_TIMESTAMP,
	O_PID, O_CGROUP, O_DEV, O_OP, O_SORT, O_RATE, O_ALL, O_TOTAL,
	O_CSV, O_DURATION, O_LISTEN, O_PROM_FILE, O_TOP_INODES,
	O_SAMPLE, O_STORE_SIZE, O_ANALYZE, O_IDLE_TIMEOUT,
	/* hidden: for tests and debugging */
	O_ATTACH, O_RINGBUF, O_SYNTHETIC, O_MAP_ENTRIES,
	O_NR,
};

#define B(o)		(1ull << (o))
#define GLOBAL_OPTS	(B(O_JSON) | B(O_PRETTY) | B(O_VERBOSE) | B(O_HELP) | B(O_VERSION))
#define BPF_OPTS	(B(O_BPF_STATS) | B(O_ATTACH) | B(O_MAP_ENTRIES))
#define FILTER_OPTS	(B(O_PID) | B(O_CGROUP) | B(O_DEV) | B(O_OP))

struct opt_desc {
	const char *name;
	int short_name;		/* 0: long only */
	const char *arg;	/* NULL: a flag */
	const char *help;	/* NULL: hidden */
};

static const struct opt_desc opt_descs[O_NR] = {
	[O_JSON] = { "json", 'j', NULL, "JSON output, one object per line" },
	[O_PRETTY] = { "pretty", 0, NULL, "JSON output, indented for reading (implies -j)" },
	[O_VERBOSE] = { "verbose", 'v', NULL, "libbpf and verifier messages, the cost line" },
	[O_HELP] = { "help", 'h', NULL, "this help" },
	[O_VERSION] = { "version", 'V', NULL, "print the version and exit" },
	[O_BPF_STATS] = { "bpf-stats", 0, NULL, "turn on kernel BPF run-time stats for the cost figures (host-wide: 2 clock reads per BPF run)" },
	[O_TIMESTAMP] = { "timestamp", 'T', NULL, "print the time before each report" },
	[O_PID] = { "pid", 'p', "PID", "only events of process PID" },
	[O_CGROUP] = { "cgroup", 'c', "PATH", "only events of cgroup v2 PATH and its descendants (or their pages)" },
	[O_DEV] = { "dev", 0, "MAJ:MIN", "only the filesystem on device MAJ:MIN" },
	[O_OP] = { "op", 0, "OPS", "only these operations: put,get,inval_page,inval_inode,pool_create,pool_destroy,backend,inval,pool,all" },
	[O_SORT] = { "sort", 's', "KEY", "sort by puts|refused|gets|hits|misses|hit%|invals" },
	[O_RATE] = { "rate", 'r', NULL, "per-second rates instead of counts per interval" },
	[O_ALL] = { "all", 'a', NULL, "count every task, not only COMMAND" },
	[O_TOTAL] = { "total", 0, NULL, "counts since start instead of per interval" },
	[O_CSV] = { "csv", 0, NULL, "comma-separated values, one header line" },
	[O_DURATION] = { "duration", 'd', "SECS", "reconcile with debugfs for SECS seconds (default 3)" },
	[O_LISTEN] = { "listen", 0, "ADDR:PORT", "serve /metrics there: HOST:PORT, [IPv6]:PORT, :PORT (default " EXPORT_DEFAULT_LISTEN ")" },
	[O_PROM_FILE] = { "prom-file", 0, "PATH", "write the metrics to PATH every interval (default 15 s) and at exit" },
	[O_TOP_INODES] = { "top-inodes", 0, "K", "per-inode series for the K busiest inodes, plus \"other\" (K <= 10000)" },
	[O_IDLE_TIMEOUT] = { "idle-timeout", 0, "SECS", "close an HTTP connection idle for SECS (default 10)" },
	[O_SAMPLE] = { "sample", 0, "RATE", "track this share of page keys, 0 < RATE <= 1 (default 1)" },
	[O_STORE_SIZE] = { "store-size", 0, "SIZE", "the store's capacity for the sizing curve, e.g. 512M (default: what the store reports)" },
	[O_ANALYZE] = { "analyze", 0, NULL, "also export what `ccstat analyze` measures: miss causes, worth, reuse distances" },
	[O_ATTACH] = { "attach", 0, "MODE", NULL },
	[O_RINGBUF] = { "ringbuf-kib", 0, "KIB", NULL },
	[O_SYNTHETIC] = { "synthetic", 0, "N", NULL },
	[O_MAP_ENTRIES] = { "map-entries", 0, "N", NULL },
};

static const struct command commands[] = {
	{ "top", cmd_top, "[interval [count]]",
	  "live view per filesystem, inode and task (default)",
	  BPF_OPTS | FILTER_OPTS | B(O_SORT) | B(O_RATE), 2 },
	{ "stat", cmd_stat, "[interval [count]]",
	  "one line per filesystem per interval, like iostat",
	  BPF_OPTS | FILTER_OPTS | B(O_TIMESTAMP) | B(O_TOTAL) | B(O_CSV) |
	  B(O_RATE), 2 },
	{ "trace", cmd_trace, "",
	  "one line per cleancache event",
	  BPF_OPTS | FILTER_OPTS | B(O_RINGBUF), 0 },
	{ "run", cmd_run, "[--] COMMAND [ARGS...]",
	  "run COMMAND in its own cgroup and summarize its cleancache use",
	  BPF_OPTS | B(O_DEV) | B(O_OP) | B(O_ALL) | B(O_SORT), -1 },
	{ "check", cmd_check, "",
	  "check the kernel, attach, and reconcile with debugfs counters",
	  BPF_OPTS | B(O_DURATION), 0 },
	{ "export", cmd_export, "[interval]",
	  "serve Prometheus/OpenMetrics metrics (default " EXPORT_DEFAULT_LISTEN ")",
	  BPF_OPTS | FILTER_OPTS | B(O_LISTEN) | B(O_PROM_FILE) |
	  B(O_TOP_INODES) | B(O_SYNTHETIC) | B(O_ANALYZE) | B(O_SAMPLE) |
	  B(O_STORE_SIZE) | B(O_IDLE_TIMEOUT), 1 },
	{ "analyze", cmd_analyze, "[interval [count]] | [--] COMMAND [ARGS...]",
	  "why gets missed, what the store is worth, how big it should be",
	  B(O_BPF_STATS) | B(O_MAP_ENTRIES) | B(O_DEV) | B(O_SAMPLE) |
	  B(O_STORE_SIZE), -1 },
	{ "help", cmd_help, "[COMMAND]", "show this help, or COMMAND's", 0, 1 },
	{ "version", cmd_version, "", "show the version", 0, 0 },
};

#define NR_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static int vreport(int ret, const char *what, const char *fmt, va_list ap)
{
	fprintf(stderr, "ccstat: failed to %s: ", what);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	return ret;
}

int fail(const char *what, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = vreport(1, what, fmt, ap);
	va_end(ap);
	return ret;
}

int usage_error(const char *what, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = vreport(EXIT_USAGE, what, fmt, ap);
	va_end(ap);
	return ret;
}

void verbose(const struct options *opt, const char *fmt, ...)
{
	va_list ap;

	if (!opt->verbose)
		return;
	fputs("ccstat: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

static void on_signal(int sig)
{
	int saved = errno;

	(void)sig;
	exiting = 1;
	/* the self-pipe: wakes a poll in any thread, even one not yet in it */
	if (exit_wfd >= 0 && write(exit_wfd, "x", 1) < 0)
		errno = saved;
	errno = saved;
}

void install_signal_handlers(void)
{
	struct sigaction sa = { .sa_handler = on_signal };
	int p[2];

	if (!pipe2(p, O_NONBLOCK | O_CLOEXEC)) {
		exit_fd = p[0];
		exit_wfd = p[1];
	}
	/* no SA_RESTART: a signal must also interrupt waitpid() and reads */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

static void print_options(FILE *f, unsigned long long which)
{
	char left[64];
	int i;

	for (i = 0; i < O_NR; i++) {
		const struct opt_desc *d = &opt_descs[i];

		if (!(which & B(i)) || !d->help)
			continue;
		snprintf(left, sizeof(left), "%c%c%c --%s%s%s",
			 d->short_name ? '-' : ' ',
			 d->short_name ? d->short_name : ' ',
			 d->short_name ? ',' : ' ', d->name,
			 d->arg ? " " : "", d->arg ? d->arg : "");
		fprintf(f, "  %-26s %s\n", left, d->help);
	}
}

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "Usage: ccstat [OPTIONS] [COMMAND] [ARGS] [OPTIONS]\n\n"
		   "Observe cleancache per filesystem, inode and workload.\n\nCommands:\n");
	for (i = 0; i < NR_COMMANDS; i++)
		fprintf(f, "  %-8s %-24s %s\n", commands[i].name,
			commands[i].args, commands[i].help);
	fprintf(f, "\nOptions (any command):\n");
	print_options(f, GLOBAL_OPTS);
	fprintf(f, "\n'ccstat COMMAND --help' lists the options of COMMAND.\n"
		   "Exit status: 0 success, 1 failure, 2 usage error.\n"
		   "See ccstat(8) for the fields and their formulas.\n");
}

static void command_usage(FILE *f, const struct command *c)
{
	fprintf(f, "Usage: ccstat %s [OPTIONS] %s\n\n%s.\n\nOptions:\n",
		c->name, c->args, c->help);
	print_options(f, c->takes | GLOBAL_OPTS);
	fprintf(f, "\nSee ccstat(8).\n");
}

static const struct command *find_command(const char *name)
{
	size_t i;

	for (i = 0; i < NR_COMMANDS; i++)
		if (!strcmp(name, commands[i].name))
			return &commands[i];
	return NULL;
}

static int cmd_help(int argc, char **argv, struct options *opt)
{
	const struct command *c;

	(void)opt;
	if (argc < 2) {
		usage(stdout);
		return 0;
	}
	c = find_command(argv[1]);
	if (!c)
		return usage_error("parse arguments", "unknown command '%s' (see ccstat --help)", argv[1]);
	command_usage(stdout, c);
	return 0;
}

static int cmd_version(int argc, char **argv, struct options *opt)
{
	(void)argc; (void)argv;
	if (opt->json) {
		struct json_writer jw;

		jw_init(&jw, stdout, opt->pretty);
		jw_start_object(&jw);
		jw_str_member(&jw, "type", "version");
		jw_str_member(&jw, "version", CCSTAT_VERSION);
		jw_end_object(&jw);
	} else {
		printf("ccstat %s\n", CCSTAT_VERSION);
	}
	return 0;
}

/* How many path components @path has below @root (both real paths) */
static int depth_below(const char *root, const char *path)
{
	size_t n = strlen(root);
	int depth = 0;

	if (strncmp(path, root, n) || (path[n] && path[n] != '/'))
		return -1;
	for (path += n; *path; path++)
		if (*path == '/' && path[1] && path[1] != '/')
			depth++;
	return depth;
}

static int resolve_cgroup(struct options *opt, const char *arg)
{
	char root[64], rroot[PATH_MAX], path[PATH_MAX], real[PATH_MAX];
	int err;

	if (!cgroup2_root(root, sizeof(root)))
		return usage_error("resolve cgroup", "%s: no cgroup v2 hierarchy mounted", arg);
	if (arg[0] == '/')
		snprintf(path, sizeof(path), "%s", arg);
	else
		snprintf(path, sizeof(path), "%s/%s", root, arg);
	err = cgroup_id_of(path, &opt->cgid);
	if (err == -ENOTDIR)
		return usage_error("resolve cgroup", "%s: not a cgroup v2 directory", path);
	if (err)
		return usage_error("resolve cgroup", "%s: %s", path, strerror(-err));
	if (!realpath(root, rroot) || !realpath(path, real) ||
	    (opt->cg_level = depth_below(rroot, real)) < 0)
		return usage_error("resolve cgroup", "%s: not below %s", path, root);
	opt->cgroup_path = arg;
	return 0;
}

static int parse_number(const char *what, const char *arg, unsigned long min,
			unsigned long max, unsigned long *v)
{
	char *end;

	errno = 0;
	*v = strtoul(arg, &end, 10);
	if (errno || *end || !*arg || *arg == '-' || *v < min || *v > max)
		return usage_error(what, "'%s' is not %lu..%lu", arg, min, max);
	return 0;
}

/* Bytes, with an optional K, M, G or T suffix (powers of 1024); > 0 */
static int parse_size(const char *arg, __u64 *bytes)
{
	unsigned long long v;
	char *end;
	int shift = 0;

	errno = 0;
	v = strtoull(arg, &end, 10);
	if (errno || end == arg || *arg == '-')
		return -1;
	switch (*end) {
	case 'K': case 'k': shift = 10; end++; break;
	case 'M': case 'm': shift = 20; end++; break;
	case 'G': case 'g': shift = 30; end++; break;
	case 'T': case 't': shift = 40; end++; break;
	}
	if (*end == 'i' && shift)
		end++;
	if (*end == 'B' && shift)
		end++;
	if (*end || !v || v > (~0ull >> shift))
		return -1;
	*bytes = v << shift;
	return 0;
}

/* One option's value into @opt; 0 or the exit status of a usage error */
static int apply_option(int id, const char *arg, struct options *opt)
{
	struct sockaddr_storage ss;
	unsigned long v;
	unsigned int len;

	switch (id) {
	case O_JSON:
		opt->json = true;
		break;
	case O_PRETTY:
		opt->json = opt->pretty = true;
		break;
	case O_VERBOSE:
		opt->verbose = true;
		break;
	case O_TIMESTAMP:
		opt->timestamps = true;
		break;
	case O_BPF_STATS:
		opt->bpf_stats = true;
		break;
	case O_RATE:
		opt->rate = true;
		break;
	case O_PID:
		if (parse_pid(arg, &opt->pid))
			return usage_error("parse PID", "'%s' is not a process id", arg);
		if (kill((pid_t)opt->pid, 0) && errno == ESRCH)
			return usage_error("find process", "%s: no such process", arg);
		break;
	case O_CGROUP:
		return resolve_cgroup(opt, arg);
	case O_DEV:
		if (parse_dev(arg, &opt->dev))
			return usage_error("parse device", "'%s' is not MAJ:MIN", arg);
		break;
	case O_OP:
		if (parse_ops(arg, &opt->ops))
			return usage_error("parse operations", "'%s': use put,get,inval_page,inval_inode,pool_create,pool_destroy,backend,inval,pool,all", arg);
		break;
	case O_SORT:
		if (parse_sort(arg, &(enum sort_key){0}))
			return usage_error("parse sort key", "'%s': use puts, refused, gets, hits, misses, hit%% or invals", arg);
		opt->sort = arg;
		break;
	case O_ALL:
		opt->all_tasks = true;
		break;
	case O_TOTAL:
		opt->total = true;
		break;
	case O_CSV:
		opt->csv = true;
		break;
	case O_DURATION:
		if (parse_number("parse duration", arg, 1, 3600, &v))
			return EXIT_USAGE;
		opt->check_seconds = (int)v;
		break;
	case O_LISTEN:
		/* checked now: a typo must not cost a BPF load */
		if (metrics_parse_listen(arg, &ss, &len))
			return usage_error("parse listen address", "'%s': use HOST:PORT, [IPv6]:PORT or :PORT", arg);
		opt->listen = arg;
		break;
	case O_PROM_FILE:
		opt->prom_file = arg;
		break;
	case O_TOP_INODES:
		/* every inode costs 4 series in every scrape */
		if (parse_number("parse inode count", arg, 0, TOPK_MAX, &v))
			return EXIT_USAGE;
		opt->top_inodes = v;
		break;
	case O_SYNTHETIC:
		if (parse_number("parse inode count", arg, 0, 1000000, &v))
			return EXIT_USAGE;
		opt->synthetic = v;
		break;
	case O_IDLE_TIMEOUT:
		if (parse_number("parse idle timeout", arg, 1, 86400, &v))
			return EXIT_USAGE;
		opt->idle_timeout = (unsigned int)v;
		break;
	case O_SAMPLE: {
		char *end;

		errno = 0;
		opt->sample = strtod(arg, &end);
		if (errno || *end || !*arg || !(opt->sample > 0) ||
		    opt->sample > 1)
			return usage_error("parse sampling rate", "'%s' is not a number in (0, 1]", arg);
		break;
	}
	case O_ANALYZE:
		opt->analyze = true;
		break;
	case O_STORE_SIZE:
		if (parse_size(arg, &opt->store_size))
			return usage_error("parse store size", "'%s': use a size such as 65536, 512K, 256M or 2G", arg);
		break;
	case O_MAP_ENTRIES:
		if (parse_number("parse map entries", arg, 16, 1u << 22, &v))
			return EXIT_USAGE;
		opt->map_entries = (__u32)v;
		break;
	case O_ATTACH:
		if (!strcmp(arg, "tp_btf"))
			opt->attach = ATTACH_TP_BTF;
		else if (!strcmp(arg, "fentry") || !strcmp(arg, "fexit"))
			opt->attach = ATTACH_FENTRY;
		else if (!strcmp(arg, "auto"))
			opt->attach = ATTACH_AUTO;
		else
			return usage_error("parse attach mode", "'%s': use tp_btf, fentry or auto", arg);
		break;
	case O_RINGBUF: {
		char *end;

		/* a power of two, 4 KiB .. 256 MiB; rounded up to a page */
		errno = 0;
		v = strtoul(arg, &end, 10);
		if (errno || *end || !*arg || *arg == '-' || v < 4 ||
		    v > 262144 || (v & (v - 1)))
			return usage_error("parse ring buffer size", "'%s' is not a power of two KiB in 4..262144", arg);
		opt->ringbuf_kib = (unsigned int)v;
		break;
	}
	}
	return 0;
}

/*
 * Parse options from argv[*pos] on: with @stop_at_arg, up to the first
 * non-option (the command, or run's COMMAND); otherwise every option,
 * permuting positional arguments to the end.  *pos is left on the first
 * positional argument.
 */
static int parse_options(int argc, char **argv, int *pos, bool stop_at_arg,
			 struct options *opt)
{
	struct option lo[O_NR + 1];
	char shorts[2 * O_NR + 2], *sp = shorts;
	int c, i, idx, err;

	if (stop_at_arg)
		*sp++ = '+';
	*sp++ = ':';
	for (i = 0; i < O_NR; i++) {
		lo[i] = (struct option){ opt_descs[i].name,
			opt_descs[i].arg ? required_argument : no_argument,
			NULL, 1000 + i };
		if (opt_descs[i].short_name) {
			*sp++ = (char)opt_descs[i].short_name;
			if (opt_descs[i].arg)
				*sp++ = ':';
		}
	}
	*sp = 0;
	lo[O_NR] = (struct option){ NULL, 0, NULL, 0 };

	/* getopt counts from argv[0]: hand it argv[*pos - 1] as "name" */
	optind = 0;	/* glibc: start over */
	opterr = 0;
	argc -= *pos - 1;
	argv += *pos - 1;
	while ((c = getopt_long(argc, argv, shorts, lo, &idx)) != -1) {
		if (c == ':')
			return usage_error("parse arguments", "option '%s' needs a value", argv[optind - 1]);
		if (c == '?') {
			if (optopt && optopt < 256)
				return usage_error("parse arguments", "unknown option '-%c' (see ccstat --help)", optopt);
			return usage_error("parse arguments", "unknown option '%s' (see ccstat --help)", argv[optind - 1]);
		}
		if (c >= 1000) {
			i = c - 1000;
		} else {
			for (i = 0; i < O_NR && opt_descs[i].short_name != c; i++)
				;
		}
		opt->seen |= B(i);
		err = apply_option(i, optarg, opt);
		if (err)
			return err;
	}
	*pos += optind - 1;
	return 0;
}

static int check_takes(const struct command *cmd, const struct options *opt)
{
	unsigned long long bad = opt->seen & ~(cmd->takes | GLOBAL_OPTS);
	int i;

	for (i = 0; i < O_NR; i++)
		if (bad & B(i))
			return usage_error("parse arguments", "'%s' does not take --%s (see ccstat %s --help)",
					   cmd->name, opt_descs[i].name, cmd->name);
	return 0;
}

int parse_interval_count(int argc, char **argv, int first,
			 struct options *opt, bool count_ok)
{
	if (first < argc && parse_interval(argv[first], &opt->interval))
		return usage_error("parse interval", "'%s' is not a number of seconds in 0.01..86400", argv[first]);
	if (first + 1 < argc && !count_ok)
		return usage_error("parse arguments", "unexpected '%s': %s takes an interval, no count",
				   argv[first + 1], argv[0]);
	if (first + 1 < argc && parse_count(argv[first + 1], &opt->count))
		return usage_error("parse count", "'%s' is not a positive integer", argv[first + 1]);
	if (first + 2 < argc)
		return usage_error("parse arguments", "unexpected '%s'", argv[first + 2]);
	return 0;
}

int main(int argc, char **argv)
{
	struct options opt = {
		.interval = 1.0,
		.count = -1,
		.check_seconds = 3,
	};
	const struct command *cmd = &commands[0];
	int pos = 1, err, ret, npos;
	bool named = false;

	/* options before the command */
	err = parse_options(argc, argv, &pos, true, &opt);
	if (err)
		return err;
	if (pos < argc) {
		const struct command *c = find_command(argv[pos]);

		if (c) {
			cmd = c;
			named = true;
			pos++;
		} else if (parse_interval(argv[pos], &(double){0})) {
			/* "ccstat 2" is "ccstat top 2"; anything else is a typo */
			return usage_error("parse arguments", "unknown command '%s' (see ccstat --help)", argv[pos]);
		}
	}
	/* options after it, anywhere but after run's COMMAND */
	err = parse_options(argc, argv, &pos, cmd->max_pos < 0, &opt);
	if (err)
		return err;
	if (opt.seen & B(O_HELP)) {
		if (!named)
			usage(stdout);
		else
			command_usage(stdout, cmd);
		return fclose(stdout) ? 1 : 0;
	}
	if (opt.seen & B(O_VERSION)) {
		cmd_version(0, NULL, &opt);
		return fclose(stdout) ? 1 : 0;
	}
	err = check_takes(cmd, &opt);
	if (err)
		return err;
	npos = argc - pos;
	if (cmd->max_pos >= 0 && npos > cmd->max_pos)
		return usage_error("parse arguments", "unexpected '%s': %s takes %s (see ccstat %s --help)",
				   argv[pos + cmd->max_pos], cmd->name,
				   cmd->max_pos ? cmd->args : "no arguments",
				   cmd->name);
	/* the command sees argv[0] = its name, then its positional arguments */
	argv[pos - 1] = (char *)cmd->name;
	install_signal_handlers();
	ret = cmd->fn(npos + 1, argv + pos - 1, &opt);
	if (fclose(stdout) && !ret)
		ret = fail("write output", "%s", strerror(errno));
	return ret;
}
