// SPDX-License-Identifier: GPL-2.0
/*
 * make bench, P4 (runs in the test VM): the local store's put and get per
 * 4 KiB page next to a bare 4 KiB memcpy in the same guest.
 *
 *   storecost OBJ COMMAND...
 *
 * Loads OBJ (storecost.bpf.o), times 200,000 getppid() calls under the
 * same fentry/fexit pair (what the timing adds), runs COMMAND (a workload
 * that puts and gets pages), then times 4 KiB memcpys in user space, and
 * prints one "bench p4_store_cost ..." line.
 */
#include <bpf/libbpf.h>
#include <bpf/bpf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { FN_PUT, FN_GET, FN_NOP, FN_NR };

struct span {
	unsigned long long count;
	unsigned long long sum_ns;
};

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* mean ns of one call of function @fn, summed over CPUs */
static double mean_ns(int map_fd, unsigned int fn, unsigned long long *count)
{
	int ncpu = libbpf_num_possible_cpus();
	struct span *s = calloc(ncpu, sizeof(*s));
	unsigned long long n = 0, sum = 0;
	int i;

	if (!s || bpf_map_lookup_elem(map_fd, &fn, s)) {
		free(s);
		*count = 0;
		return 0;
	}
	for (i = 0; i < ncpu; i++) {
		n += s[i].count;
		sum += s[i].sum_ns;
	}
	free(s);
	*count = n;
	return n ? (double)sum / n : 0;
}

static double memcpy_ns(void)
{
	enum { ROUNDS = 200000, PAGE = 4096 };
	static char src[16 * PAGE], dst[16 * PAGE];
	double t0, t1;
	int i;

	memset(src, 1, sizeof(src));
	t0 = now_ns();
	for (i = 0; i < ROUNDS; i++) {
		/* a different page each time, as the store copies cold pages */
		memcpy(dst + (i % 16) * PAGE, src + ((i * 7) % 16) * PAGE, PAGE);
		__asm__ __volatile__("" : : "r"(dst) : "memory");
	}
	t1 = now_ns();
	return (t1 - t0) / ROUNDS;
}

int main(int argc, char **argv)
{
	struct bpf_object *obj;
	struct bpf_program *prog;
	unsigned long long nput, nget, nnop;
	double put, get, nop, cpy;
	int map_fd, status, i;
	pid_t pid;

	if (argc < 3) {
		fprintf(stderr, "usage: storecost OBJ COMMAND...\n");
		return 2;
	}
	obj = bpf_object__open_file(argv[1], NULL);
	if (!obj || bpf_object__load(obj)) {
		fprintf(stderr, "storecost: failed to load %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	bpf_object__for_each_program(prog, obj) {
		if (!bpf_program__attach(prog)) {
			fprintf(stderr, "storecost: failed to attach %s: %s\n",
				bpf_program__name(prog), strerror(errno));
			return 1;
		}
	}
	map_fd = bpf_object__find_map_fd_by_name(obj, "spans");
	for (i = 0; i < 200000; i++)
		syscall(SYS_getppid);
	pid = fork();
	if (pid == 0) {
		execvp(argv[2], argv + 2);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status)) {
		fprintf(stderr, "storecost: workload %s failed\n", argv[2]);
		return 1;
	}
	put = mean_ns(map_fd, FN_PUT, &nput);
	get = mean_ns(map_fd, FN_GET, &nget);
	nop = mean_ns(map_fd, FN_NOP, &nnop);
	cpy = memcpy_ns();
	printf("bench p4_store_cost puts=%llu gets=%llu put_ns=%.0f get_ns=%.0f timing_ns=%.0f memcpy_4k_ns=%.0f get_over_memcpy=%.2f put_over_memcpy=%.2f\n",
	       nput, nget, put - nop, get - nop, nop, cpy,
	       cpy > 0 ? (get - nop) / cpy : 0, cpy > 0 ? (put - nop) / cpy : 0);
	bpf_object__close(obj);
	return 0;
}
