// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * make bench, P4: how long the local store's put and get take per 4 KiB
 * page, timed between fentry and fexit of tmem_local_put_page() and
 * tmem_local_get_page().  The same pair on getppid() (a syscall that does
 * nothing) measures what the timing itself adds, so user space can
 * subtract it.  Sums and counts per CPU, per function.
 */
#include "vmlinux_min.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

enum { FN_PUT, FN_GET, FN_NOP, FN_NR };

struct span {
	__u64 count;
	__u64 sum_ns;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, FN_NR);
	__type(key, __u32);
	__type(value, struct span);
} spans SEC(".maps");

/* entry time of the function in flight on this CPU (none of them nest) */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, FN_NR);
	__type(key, __u32);
	__type(value, __u64);
} entered SEC(".maps");

static __always_inline int enter(__u32 fn)
{
	__u64 *t = bpf_map_lookup_elem(&entered, &fn);

	if (t)
		*t = bpf_ktime_get_ns();
	return 0;
}

static __always_inline int leave(__u32 fn)
{
	__u64 now = bpf_ktime_get_ns();
	__u64 *t = bpf_map_lookup_elem(&entered, &fn);
	struct span *s = bpf_map_lookup_elem(&spans, &fn);

	if (!t || !s || !*t)
		return 0;
	s->count++;
	s->sum_ns += now - *t;
	*t = 0;
	return 0;
}

SEC("fentry/tmem_local_put_page")
int BPF_PROG(put_entry) { return enter(FN_PUT); }
SEC("fexit/tmem_local_put_page")
int BPF_PROG(put_exit) { return leave(FN_PUT); }
SEC("fentry/tmem_local_get_page")
int BPF_PROG(get_entry) { return enter(FN_GET); }
SEC("fexit/tmem_local_get_page")
int BPF_PROG(get_exit) { return leave(FN_GET); }
SEC("fentry/__do_sys_getppid")
int BPF_PROG(nop_entry) { return enter(FN_NOP); }
SEC("fexit/__do_sys_getppid")
int BPF_PROG(nop_exit) { return leave(FN_NOP); }

char LICENSE[] SEC("license") = "Dual BSD/GPL";
