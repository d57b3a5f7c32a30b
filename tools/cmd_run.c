// SPDX-License-Identifier: GPL-2.0
/*
 * ccstat run -- COMMAND [ARGS...]: run COMMAND in a new cgroup v2 of its
 * own, below ccstat's own cgroup (the delegation rule: a user or a
 * container may create cgroups only in the subtree it was given), leaving
 * the parent's cgroup.subtree_control as it found it; count only the
 * cleancache operations of that cgroup (tasks in it,
 * or pages charged to it, and their descendants), and print a summary
 * on stderr when it exits, as perf stat does, then exit with COMMAND's
 * status: a pipeline sees COMMAND's output and status only.  Without
 * cgroup v2, follow COMMAND's process tree instead (forks are tracked in
 * the kernel).  -a counts every task while COMMAND runs.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "views.h"

#define SUMMARY_ROWS 10

static int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	if (n < 0) {
		n = -errno;
		close(fd);
		return (int)n;
	}
	close(fd);
	return 0;
}

/*
 * The cgroup v2 that ccstat itself runs in, as a path below @root (from
 * /proc/self/cgroup's "0::/PATH" line), and its depth below the root
 */
static int own_cgroup(const char *root, char *buf, size_t len, int *level)
{
	char line[PATH_MAX + 8], *path, *p;
	FILE *f = fopen("/proc/self/cgroup", "re");
	int found = 0;

	if (!f)
		return -errno;
	while (!found && fgets(line, sizeof(line), f)) {
		if (strncmp(line, "0::/", 4))
			continue;
		line[strcspn(line, "\n")] = 0;
		path = line + 3;
		if (!strcmp(path, "/"))
			path = "";
		if ((size_t)snprintf(buf, len, "%s%s", root, path) >= len)
			break;
		*level = 0;
		for (p = path; *p; p++)
			*level += *p == '/';
		found = 1;
	}
	fclose(f);
	return found ? 0 : -ENOENT;
}

/* Whether a cgroup.subtree_control file lists @ctrl */
static bool controls(const char *path, const char *ctrl)
{
	char line[512], *tok, *save;
	FILE *f = fopen(path, "re");
	bool on = false;

	if (!f)
		return false;
	if (fgets(line, sizeof(line), f))
		for (tok = strtok_r(line, " \n", &save); tok && !on;
		     tok = strtok_r(NULL, " \n", &save))
			on = !strcmp(tok, ctrl);
	fclose(f);
	return on;
}

/* The child: wait for the go, then exec; report an exec failure */
static void child_main(int go_fd, int err_fd, char **cmd)
{
	char c;
	int e;

	if (read(go_fd, &c, 1) != 1)
		_exit(127);
	execvp(cmd[0], cmd);
	e = errno;
	if (write(err_fd, &e, sizeof(e)) < 0)
		_exit(127);
	_exit(127);
}

int spawn_held(struct held_child *c, char **cmd)
{
	int go[2], errp[2];

	c->pid = -1;
	c->go = c->err = -1;
	if (pipe2(go, O_CLOEXEC))
		return fail("create pipe", "%s", strerror(errno));
	if (pipe2(errp, O_CLOEXEC)) {
		close(go[0]);
		close(go[1]);
		return fail("create pipe", "%s", strerror(errno));
	}
	c->pid = fork();
	if (c->pid < 0) {
		close(go[0]);
		close(go[1]);
		close(errp[0]);
		close(errp[1]);
		return fail("fork", "%s", strerror(errno));
	}
	if (c->pid == 0) {
		close(go[1]);
		close(errp[0]);
		child_main(go[0], errp[1], cmd);
	}
	close(go[0]);
	close(errp[1]);
	c->go = go[1];
	c->err = errp[0];
	return 0;
}

int release_held(struct held_child *c, const char *name)
{
	int e;

	if (write(c->go, "g", 1) != 1) {
		fail("start command", "%s", strerror(errno));
		return -1;
	}
	close(c->go);
	c->go = -1;
	if (read(c->err, &e, sizeof(e)) == sizeof(e)) {
		waitpid(c->pid, NULL, 0);
		c->pid = -1;
		fail("run command", "%s: %s", name, strerror(e));
		/* as a shell says it: 127 not found, 126 not executable */
		return e == ENOENT ? 127 : 126;
	}
	return 0;
}

void held_done(struct held_child *c)
{
	if (c->pid > 0 && c->go >= 0) {	/* never released: it must not run */
		kill(c->pid, SIGKILL);
		waitpid(c->pid, NULL, 0);
	}
	if (c->go >= 0)
		close(c->go);
	if (c->err >= 0)
		close(c->err);
	c->go = c->err = -1;
}

static void print_summary(FILE *f, const struct options *opt,
			  struct session *s, char **cmd,
			  const struct snapshot *a, const struct snapshot *b,
			  int status, __u64 cgid)
{
	struct workload_row *wl = calloc(b->nr_workloads + 1, sizeof(*wl));
	struct inode_row *in = calloc(b->nr_inodes + 1, sizeof(*in));
	struct fs_row *fs = calloc(b->nr_fs + 1, sizeof(*fs));
	double secs = (double)(b->mono_ns - a->mono_ns) / 1e9;
	struct cc_counts total;
	struct view_ctx v;
	enum sort_key key = SORT_GETS;
	char cost[256];
	int i;

	if (!wl || !in || !fs)
		goto out;
	if (opt->sort)
		parse_sort(opt->sort, &key);
	view_ctx_init(&v, s);
	counts_sub(&total, &b->total, &a->total);
	snapshot_delta_fs(b, a, fs);
	snapshot_delta_inodes(b, a, in);
	snapshot_delta_workloads(b, a, wl);
	sort_fs_rows(fs, b->nr_fs, key);
	sort_inode_rows(in, b->nr_inodes, key);
	sort_workload_rows(wl, b->nr_workloads, key);

	if (opt->json) {
		struct json_writer jw;
		struct cell cells[16];

		jw_init(&jw, f, opt->pretty);
		jw_start_object(&jw);
		jw_str_member(&jw, "type", "run");
		jw_key(&jw, "command");
		jw_start_array(&jw);
		for (i = 0; cmd[i]; i++)
			jw_string(&jw, cmd[i]);
		jw_end_array(&jw);
		jw_s64_member(&jw, "exit_status", status);
		jw_double_member(&jw, "duration_s", secs);
		jw_u64_member(&jw, "cgroup_id", cgid);
		fill_counts_cells(cells, &total, 0);
		jw_key(&jw, "total");
		print_row_json(&jw, fs_columns + 3, 9, cells);
		jw_key(&jw, "filesystems");
		print_fs_rows(f, &jw, &v, fs, b->nr_fs, true);
		jw_key(&jw, "inodes");
		print_inode_rows(f, &jw, &v, in, b->nr_inodes, SIZE_MAX);
		jw_key(&jw, "workloads");
		print_workload_rows(f, &jw, &v, wl, b->nr_workloads, SIZE_MAX);
		print_cost_json(&jw, a, b);
		jw_end_object(&jw);
	} else {
		double pct = hit_pct(total.hits, total.misses);

		char name[4 * 256];

		text_escape(name, sizeof(name), cmd[0]);
		fprintf(f, "\nccstat: %s exited with status %d after %.2f s\n",
		       name, status, secs);
		fprintf(f, "puts %llu (refused %llu)  gets %llu: hits %llu, misses %llu",
		       (unsigned long long)total.puts,
		       (unsigned long long)total.puts_refused,
		       (unsigned long long)counts_gets(&total),
		       (unsigned long long)total.hits,
		       (unsigned long long)total.misses);
		if (pct >= 0)
			fprintf(f, ", hit %.1f%%", pct);
		fprintf(f, "\ninvalidations: %llu pages, %llu inodes, %llu filesystems\n\n",
		       (unsigned long long)total.inval_pages,
		       (unsigned long long)total.inval_inodes,
		       (unsigned long long)total.inval_fs);
		print_fs_rows(f, NULL, &v, fs, b->nr_fs, true);
		fprintf(f, "\nTop inodes (by %s):\n", sort_name(key));
		print_inode_rows(f, NULL, &v, in, b->nr_inodes,
				 SUMMARY_ROWS);
		fprintf(f, "\nTop tasks (by %s):\n", sort_name(key));
		print_workload_rows(f, NULL, &v, wl, b->nr_workloads,
				    SUMMARY_ROWS);
		format_cost(cost, sizeof(cost), a, b);
		fprintf(f, "\n%s\n", cost);
	}
	view_ctx_free(&v);
out:
	free(wl);
	free(in);
	free(fs);
}

int wait_child(pid_t pid, int *status)
{
	bool forwarded = false;
	int st;

	for (;;) {
		if (waitpid(pid, &st, 0) == pid)
			break;
		if (errno != EINTR)
			return -errno;
		if (exiting && !forwarded) {
			/* a terminal's ^C reached the child already */
			kill(pid, SIGTERM);
			forwarded = true;
		}
	}
	if (WIFEXITED(st))
		*status = WEXITSTATUS(st);
	else
		*status = 128 + WTERMSIG(st);
	return 0;
}

int cmd_run(int argc, char **argv, struct options *opt)
{
	struct session_cfg cfg = { .count_inodes = true,
				   .count_workloads = true };
	struct snapshot a = {}, b = {};
	char root[64], parent[PATH_MAX], cg[PATH_MAX + 32];
	char ctl[PATH_MAX + 32], procs[PATH_MAX + 64], buf[32];
	struct held_child child;
	struct session *s = NULL;
	bool made_cgroup = false, enabled_memory = false;
	int status = 0, ret = 1, err, level = 0;
	char **cmd;
	pid_t pid;

	if (argc < 2)
		return usage_error("parse arguments", "run needs a command: ccstat run [-a] -- COMMAND [ARGS...]");
	cmd = argv + 1;
	if (spawn_held(&child, cmd))
		return 1;
	pid = child.pid;

	if (!opt->all_tasks && cgroup2_root(root, sizeof(root))) {
		err = own_cgroup(root, parent, sizeof(parent), &level);
		if (err) {
			fail("find own cgroup", "/proc/self/cgroup: %s",
			     strerror(-err));
			goto err_kill;
		}
		snprintf(cg, sizeof(cg), "%s/ccstat-run-%d", parent,
			 (int)getpid());
		if (mkdir(cg, 0755) && errno != EEXIST) {
			fail("create cgroup", "%s: %s", cg, strerror(errno));
			goto err_kill;
		}
		made_cgroup = true;
		/*
		 * Pages charged to the cgroup count too: best effort, and
		 * undone at exit if it was ccstat that turned memory on
		 */
		snprintf(ctl, sizeof(ctl), "%s/cgroup.subtree_control", parent);
		if (!controls(ctl, "memory")) {
			err = write_str(ctl, "+memory");
			enabled_memory = !err;
			if (err)
				verbose(opt, "cannot enable memory in %s: %s (pages are counted by the task that touches them)\n",
					ctl, strerror(-err));
		}
		snprintf(buf, sizeof(buf), "%d", (int)pid);
		snprintf(procs, sizeof(procs), "%s/cgroup.procs", cg);
		err = write_str(procs, buf);
		if (err) {
			fail("move command to cgroup", "%s: %s", cg,
			     strerror(-err));
			goto err_kill;
		}
		err = cgroup_id_of(cg, &opt->cgid);
		if (err) {
			fail("resolve cgroup", "%s: %s", cg, strerror(-err));
			goto err_kill;
		}
		/* the cgroup and what COMMAND creates below it */
		opt->cg_level = level + 1;
		verbose(opt, "running in %s (id %llu)\n", cg,
			(unsigned long long)opt->cgid);
	} else if (!opt->all_tasks) {
		opt->pid = (__u32)pid;
		cfg.follow_tgid = true;
		verbose(opt, "no cgroup v2: following pid %d and its children\n",
			(int)pid);
	}
	if (session_open(&s, opt, &cfg))
		goto err_kill;
	if (session_snapshot(s, &a)) {
		fail("read BPF maps", "out of memory");
		goto err_kill;
	}
	err = release_held(&child, cmd[0]);
	if (err) {
		if (err < 0)
			goto err_kill;
		ret = err;
		goto out;
	}
	err = wait_child(pid, &status);
	if (err) {
		fail("wait for command", "%s", strerror(-err));
		goto out;
	}
	if (session_snapshot(s, &b)) {
		fail("read BPF maps", "out of memory");
		goto out;
	}
	/* stderr, like perf stat: COMMAND's output stays alone on stdout */
	print_summary(stderr, opt, s, cmd, &a, &b, status, opt->cgid);
	ret = status;
	goto out;

err_kill:
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	child.pid = -1;
out:
	held_done(&child);
	snapshot_free(&a);
	snapshot_free(&b);
	session_close(s);
	if (made_cgroup && rmdir(cg))
		verbose(opt, "cannot remove %s: %s\n", cg, strerror(errno));
	if (enabled_memory) {
		err = write_str(ctl, "-memory");
		if (err)
			verbose(opt, "cannot restore %s: %s\n", ctl,
				strerror(-err));
	}
	return ret;
}
