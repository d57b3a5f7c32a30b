// SPDX-License-Identifier: GPL-2.0
/*
 * ccstat trace: one line per cleancache event, read from the BPF ring
 * buffer.  Filters (-p, -c, --dev, --op) run in the kernel.  Records the
 * kernel could not queue (ring buffer full) are counted there and
 * reported here as they happen and at the end.
 */
#include <errno.h>
#include <string.h>
#include <time.h>
#include <bpf/libbpf.h>
#include "views.h"

static const struct column trace_columns[] = {
	{ "TIME", "time", -15, COL_TIME },
	{ "COMM", "comm", -15, COL_STR },
	{ "PID", "pid", 7, COL_U64 },
	{ "TID", "tid", 7, COL_U64 },
	{ "OP", "op", -12, COL_STR },
	{ "DEVICE", "device", -7, COL_STR },
	{ "POOL", "pool", 4, COL_INT },
	{ "INODE", "ino", 9, COL_U64 },
	{ "INDEX", "index", 8, COL_U64 },
	{ "RESULT", "result", -8, COL_STR },
	{ "RET", "ret", 4, COL_INT },
	{ "NAME", "name", -1, COL_STR },
};
#define NR_TRACE_COLUMNS (int)(sizeof(trace_columns) / sizeof(trace_columns[0]))

struct trace_ctx {
	const struct options *opt;
	struct json_writer jw;
	struct printer p;
	__u64 mono_to_wall_ns;
	__u64 events;
};

static const char *result_of(const struct cc_event *e)
{
	switch (e->op) {
	case CC_OP_PUT:
		return e->ret ? "refused" : "stored";
	case CC_OP_GET:
		return e->ret ? (e->ret == -ENODATA ? "miss" : "error") : "hit";
	case CC_OP_POOL_CREATE:
		return e->ret ? (e->ret == -ENODEV ? "deferred" : "error")
			      : "created";
	default:
		return e->ret ? "error" : "ok";
	}
}

static int on_event(void *ctx, void *data, size_t len)
{
	struct trace_ctx *t = ctx;
	const struct cc_event *e = data;
	struct cell cells[NR_TRACE_COLUMNS];
	char when[32], dev[24], comm[CC_COMM_LEN + 1], name[CC_NAME_LEN + 1];
	__u64 wall = e->ts_ns + t->mono_to_wall_ns;
	time_t sec = (time_t)(wall / 1000000000ull);
	struct tm tm;

	if (len < sizeof(*e))
		return 0;
	memset(cells, 0, sizeof(cells));
	localtime_r(&sec, &tm);
	strftime(when, 9, "%H:%M:%S", &tm);
	snprintf(when + 8, sizeof(when) - 8, ".%06llu",
		 (unsigned long long)(wall % 1000000000ull) / 1000);
	memcpy(comm, e->comm, CC_COMM_LEN);
	comm[CC_COMM_LEN] = 0;
	memcpy(name, e->name, CC_NAME_LEN);
	name[CC_NAME_LEN] = 0;
	format_dev(dev, sizeof(dev), e->dev);

	cells[0].s = when;
	cells[0].d = (double)wall / 1e9;
	cells[1].s = comm;
	cells[2].u = e->tgid;
	cells[3].u = e->pid;
	cells[4].s = op_name(e->op);
	cells[5].s = e->op == CC_OP_BACKEND ? NULL : dev;
	cells[6].i = e->pool;
	cells[7].u = e->ino;
	cells[8].u = e->index;
	cells[9].s = result_of(e);
	cells[10].i = e->ret;
	cells[11].s = name[0] ? name : NULL;
	print_row(&t->p, cells);
	t->events++;
	return 0;
}

static void report_lost(struct trace_ctx *t, __u64 lost, __u64 new)
{
	if (t->opt->json) {
		jw_start_object(&t->jw);
		jw_str_member(&t->jw, "type", "lost");
		jw_u64_member(&t->jw, "events_lost", lost);
		jw_end_object(&t->jw);
	} else {
		printf("# %llu events lost (ring buffer full), %llu in all\n",
		       (unsigned long long)new, (unsigned long long)lost);
	}
}

int cmd_trace(int argc, char **argv, struct options *opt)
{
	struct session_cfg cfg = { .trace = true };
	struct trace_ctx t = { .opt = opt };
	struct ring_buffer *rb = NULL;
	struct session *s = NULL;
	struct cc_drops d;
	__u64 lost = 0;
	int err, ret = 0;

	if (session_open(&s, opt, &cfg))
		return 1;
	jw_init(&t.jw, stdout, opt->pretty);
	t.p = (struct printer){ stdout, opt->json ? &t.jw : NULL, trace_columns,
				NR_TRACE_COLUMNS, "event" };
	t.mono_to_wall_ns = (__u64)(wall_time() * 1e9) - mono_ns();
	rb = ring_buffer__new(session_ringbuf_fd(s), on_event, &t, NULL);
	if (!rb) {
		ret = fail("open ring buffer", "%s", strerror(errno));
		goto out;
	}
	print_header(&t.p);
	fflush(stdout);
	/* Status on stderr: tells scripts the programs are attached. */
	fprintf(stderr, "Tracing cleancache events... Hit Ctrl-C to end.\n");
	while (!exiting) {
		err = ring_buffer__poll(rb, 100);
		if (err < 0 && err != -EINTR) {
			ret = fail("read ring buffer", "%s", strerror(-err));
			break;
		}
		if (!session_drops(s, &d) && d.events_lost != lost) {
			report_lost(&t, d.events_lost, d.events_lost - lost);
			lost = d.events_lost;
		}
		fflush(stdout);
	}
	/* what was queued before the signal */
	ring_buffer__consume(rb);
	if (!session_drops(s, &d))
		lost = d.events_lost;
	if (opt->json) {
		jw_start_object(&t.jw);
		jw_str_member(&t.jw, "type", "trace_summary");
		jw_u64_member(&t.jw, "events", t.events);
		jw_u64_member(&t.jw, "events_lost", lost);
		jw_end_object(&t.jw);
	} else {
		printf("# %llu events, %llu lost\n",
		       (unsigned long long)t.events, (unsigned long long)lost);
	}
out:
	ring_buffer__free(rb);
	session_close(s);
	return ret;
}
