// SPDX-License-Identifier: GPL-2.0
/*
 * ccstat: observe cleancache per filesystem, inode and workload.
 *
 * main() parses the global flags once, picks the subcommand from the
 * table below (perf/bpftool style; no subcommand means "top"), and hands
 * it the rest of the command line.  Errors are one line on stderr:
 * "ccstat: failed to <verb> <object>: <reason>".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "ccstat.h"

volatile sig_atomic_t exiting;

static int cmd_help(int argc, char **argv, struct options *opt);
static int cmd_version(int argc, char **argv, struct options *opt);

static const struct command commands[] = {
	{ "top", cmd_top, "[-p PID|-c CGROUP] [--sort KEY] [interval]",
	  "live view per filesystem and per inode (default)" },
	{ "stat", cmd_stat, "[-T] [--total] [--csv] [interval [count]]",
	  "one line per filesystem per interval, like iostat" },
	{ "trace", cmd_trace, "[-p PID] [-c CGROUP] [--dev MAJ:MIN] [--op OPS]",
	  "one line per cleancache event" },
	{ "run", cmd_run, "[-a] -- COMMAND [ARGS...]",
	  "run COMMAND in its own cgroup and summarize its cleancache use" },
	{ "check", cmd_check, "[-d SECONDS]",
	  "check the kernel, attach, and reconcile with debugfs counters" },
	{ "export", cmd_export, "[--listen ADDR:PORT] [--prom-file PATH] [--top-inodes K] [interval]",
	  "serve Prometheus/OpenMetrics metrics (default 127.0.0.1:9587)" },
	{ "help", cmd_help, "", "show this help" },
	{ "version", cmd_version, "", "show the version" },
};

int fail(const char *what, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "ccstat: failed to %s: ", what);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
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
	(void)sig;
	exiting = 1;
}

void install_signal_handlers(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	/* no SA_RESTART: a signal must wake the interval sleep */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "Usage: ccstat [OPTIONS] [COMMAND] [ARGS]\n\n"
		   "Observe cleancache per filesystem, inode and workload.\n\nCommands:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-8s %-44s %s\n", commands[i].name,
			commands[i].args, commands[i].help);
	fprintf(f, "\nOptions (any command):\n"
		   "  -j, --json             JSON output (one object per line)\n"
		   "  -v, --verbose          libbpf and verifier messages\n"
		   "  -T, --timestamp        prefix lines with the time\n"
		   "  -p, --pid PID          only events of process PID (and its children for run)\n"
		   "  -c, --cgroup PATH      only events of cgroup v2 PATH (or its pages)\n"
		   "      --dev MAJ:MIN      only the filesystem on device MAJ:MIN\n"
		   "      --op OPS           only these operations: put,get,inval_page,\n"
		   "                         inval_inode,pool_create,pool_destroy,backend,\n"
		   "                         inval (all invalidations), pool, all\n"
		   "  -s, --sort KEY         puts|refused|gets|hits|misses|hit%%|invals\n"
		   "  -a, --all              run: count every task, not only COMMAND\n"
		   "      --total            stat: counts since start instead of per interval\n"
		   "  -d, --duration SECS    check: reconcile for SECS seconds (default 3)\n"
		   "      --csv              stat: comma-separated values, one header line\n"
		   "      --listen ADDR:PORT export: serve /metrics there (default " EXPORT_DEFAULT_LISTEN ")\n"
		   "      --prom-file PATH   export: write the metrics to PATH every interval\n"
		   "      --top-inodes K     export: per-inode series for K inodes, plus \"other\"\n"
		   "  -h, --help             this help\n"
		   "\nSee ccstat(8) for the fields and their formulas.\n");
}

static int cmd_help(int argc, char **argv, struct options *opt)
{
	(void)argc; (void)argv; (void)opt;
	usage(stdout);
	return 0;
}

static int cmd_version(int argc, char **argv, struct options *opt)
{
	(void)argc; (void)argv;
	if (opt->json)
		printf("{\"version\":\"%s\"}\n", CCSTAT_VERSION);
	else
		printf("ccstat %s\n", CCSTAT_VERSION);
	return 0;
}

enum {
	OPT_DEV = 256, OPT_OP, OPT_ATTACH, OPT_RINGBUF, OPT_TOTAL,
	OPT_CSV, OPT_LISTEN, OPT_PROM_FILE, OPT_TOP_INODES, OPT_SYNTHETIC,
};

static const struct option long_options[] = {
	{ "json", no_argument, NULL, 'j' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "timestamp", no_argument, NULL, 'T' },
	{ "pid", required_argument, NULL, 'p' },
	{ "cgroup", required_argument, NULL, 'c' },
	{ "dev", required_argument, NULL, OPT_DEV },
	{ "op", required_argument, NULL, OPT_OP },
	{ "sort", required_argument, NULL, 's' },
	{ "all", no_argument, NULL, 'a' },
	{ "total", no_argument, NULL, OPT_TOTAL },
	{ "duration", required_argument, NULL, 'd' },
	{ "help", no_argument, NULL, 'h' },
	{ "csv", no_argument, NULL, OPT_CSV },
	{ "listen", required_argument, NULL, OPT_LISTEN },
	{ "prom-file", required_argument, NULL, OPT_PROM_FILE },
	{ "top-inodes", required_argument, NULL, OPT_TOP_INODES },
	/* hidden: for tests and debugging */
	{ "synthetic", required_argument, NULL, OPT_SYNTHETIC },
	{ "attach", required_argument, NULL, OPT_ATTACH },
	{ "ringbuf-kib", required_argument, NULL, OPT_RINGBUF },
	{ NULL, 0, NULL, 0 },
};

static int resolve_cgroup(struct options *opt, const char *arg)
{
	char root[64], path[PATH_MAX];
	int err;

	if (arg[0] == '/') {
		snprintf(path, sizeof(path), "%s", arg);
	} else {
		if (!cgroup2_root(root, sizeof(root)))
			return fail("resolve cgroup", "%s: no cgroup v2 hierarchy mounted", arg);
		snprintf(path, sizeof(path), "%s/%s", root, arg);
	}
	err = cgroup_id_of(path, &opt->cgid);
	if (err == -ENOTDIR)
		return fail("resolve cgroup", "%s: not a cgroup v2 directory", path);
	if (err)
		return fail("resolve cgroup", "%s: %s", path, strerror(-err));
	opt->cgroup_path = arg;
	return 0;
}

/*
 * The one option parser.  Stops at the first non-option ("+") so that the
 * subcommand, positional arguments and "run -- COMMAND" stay put.
 */
static int parse_options(int argc, char **argv, struct options *opt, int *next)
{
	unsigned long v;
	char *end;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+jvTp:c:s:ad:h", long_options,
				NULL)) != -1) {
		switch (c) {
		case 'j':
			opt->json = true;
			break;
		case 'v':
			opt->verbose = true;
			break;
		case 'T':
			opt->timestamps = true;
			break;
		case 'p':
			if (parse_pid(optarg, &opt->pid))
				return fail("parse PID", "'%s' is not a process id", optarg);
			if (kill((pid_t)opt->pid, 0) && errno == ESRCH)
				return fail("find process", "%s: no such process", optarg);
			break;
		case 'c':
			if (resolve_cgroup(opt, optarg))
				return 1;
			break;
		case OPT_DEV:
			if (parse_dev(optarg, &opt->dev))
				return fail("parse device", "'%s' is not MAJ:MIN", optarg);
			break;
		case OPT_OP:
			if (parse_ops(optarg, &opt->ops))
				return fail("parse operations", "'%s': use put,get,inval_page,inval_inode,pool_create,pool_destroy,backend,inval,pool,all", optarg);
			break;
		case 's':
			if (parse_sort(optarg, &(enum sort_key){0}))
				return fail("parse sort key", "'%s': use puts, refused, gets, hits, misses, hit%% or invals", optarg);
			opt->sort = optarg;
			break;
		case 'a':
			opt->all_tasks = true;
			break;
		case OPT_TOTAL:
			opt->total = true;
			break;
		case 'd':
			errno = 0;
			v = strtoul(optarg, &end, 10);
			if (errno || *end || !*optarg || v < 1 || v > 3600)
				return fail("parse duration", "'%s' is not 1..3600 seconds", optarg);
			opt->check_seconds = (int)v;
			break;
		case OPT_CSV:
			opt->csv = true;
			break;
		case OPT_LISTEN:
			opt->listen = optarg;
			break;
		case OPT_PROM_FILE:
			opt->prom_file = optarg;
			break;
		case OPT_TOP_INODES:
		case OPT_SYNTHETIC:
			errno = 0;
			v = strtoul(optarg, &end, 10);
			if (errno || *end || !*optarg || v > 1000000)
				return fail("parse inode count", "'%s' is not 0..1000000", optarg);
			if (c == OPT_TOP_INODES)
				opt->top_inodes = v;
			else
				opt->synthetic = v;
			break;
		case OPT_ATTACH:
			if (!strcmp(optarg, "tp_btf"))
				opt->attach = ATTACH_TP_BTF;
			else if (!strcmp(optarg, "fentry") || !strcmp(optarg, "fexit"))
				opt->attach = ATTACH_FENTRY;
			else if (!strcmp(optarg, "auto"))
				opt->attach = ATTACH_AUTO;
			else
				return fail("parse attach mode", "'%s': use tp_btf, fentry or auto", optarg);
			break;
		case OPT_RINGBUF:
			errno = 0;
			v = strtoul(optarg, &end, 10);
			/* a power of two number of pages, 4 KiB .. 256 MiB */
			if (errno || *end || v < 4 || v > 262144 || (v & (v - 1)))
				return fail("parse ring buffer size", "'%s' is not a power of two KiB in 4..262144", optarg);
			opt->ringbuf_kib = (unsigned int)v;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			if (optopt && strchr("pcsd", optopt))
				return fail("parse arguments", "option '-%c' needs a value", optopt);
			if (optopt)
				return fail("parse arguments", "unknown option '-%c' (see ccstat help)", optopt);
			return fail("parse arguments", "unknown option '%s' (see ccstat help)", argv[optind - 1]);
		}
	}
	*next = optind;
	return 0;
}

int parse_view_options(int argc, char **argv, struct options *opt,
		       int *first_pos, bool allow_ops)
{
	(void)allow_ops;
	optind = 0;	/* glibc: start over */
	return parse_options(argc, argv, opt, first_pos);
}

int parse_interval_count(int argc, char **argv, int first,
			 struct options *opt)
{
	if (first < argc && parse_interval(argv[first], &opt->interval))
		return fail("parse interval", "'%s' is not a number of seconds in 0.01..86400", argv[first]);
	if (first + 1 < argc && parse_count(argv[first + 1], &opt->count))
		return fail("parse count", "'%s' is not a positive integer", argv[first + 1]);
	if (first + 2 < argc)
		return fail("parse arguments", "unexpected '%s'", argv[first + 2]);
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
	int next, ret;
	size_t i;

	if (parse_options(argc, argv, &opt, &next))
		return 1;
	if (next < argc) {
		for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
			if (!strcmp(argv[next], commands[i].name))
				break;
		if (i < sizeof(commands) / sizeof(commands[0])) {
			cmd = &commands[i];
			next++;
		} else if (parse_interval(argv[next], &(double){0})) {
			/* "ccstat 2" is "ccstat top 2"; anything else is a typo */
			return fail("parse arguments", "unknown command '%s' (see ccstat help)", argv[next]);
		}
	}
	/* the command sees argv[0] = its name, then its own arguments */
	argv[next - 1] = (char *)cmd->name;
	install_signal_handlers();
	ret = cmd->fn(argc - next + 1, argv + next - 1, &opt);
	if (fclose(stdout) && !ret)
		ret = fail("write output", "%s", strerror(errno));
	return ret;
}
