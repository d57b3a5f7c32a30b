// SPDX-License-Identifier: GPL-2.0
/*
 * xen-tmem-stat: the hypervisor's own view of this domain's tmem pools,
 * from dom0 through /dev/xen/privcmd, as "xl tmem-list" had it: the
 * XEN_SYSCTL_tmem_op sysctl of Xen 4.9 to 4.12 (tmem left in 4.13).
 *
 *   xen-tmem-stat pools    one line per pool: id, shared, pages, and the
 *                          uuid's 16 bytes in hex, in the order the guest
 *                          passed them (ocfs2's uuid_str order)
 *   xen-tmem-stat list     Xen's per-pool counters of this domain, one
 *                          line per pool: "pool=ID good_puts=.. puts=..
 *                          found_gets=.. gets=.. flushes_found=..
 *                          flushes=.. flush_objs_found=.. flush_objs=.."
 *   xen-tmem-stat global   Xen's tmem-wide counters: pages evicted to make
 *                          room, allocation failures, pages held
 *   xen-tmem-stat free     the machine's memory and what Xen has free
 *                          (XEN_SYSCTL_physinfo), in MiB
 *   xen-tmem-stat auth UUID
 *                          let dom0 create a shared pool with this UUID
 *                          (32 hex digits, in byte order), as "xl
 *                          tmem-shared-auth" did: Xen 4.12 otherwise makes
 *                          the pool private
 *
 * The layouts below are Xen 4.12's public sysctl.h; the sysctl interface
 * version changed between releases, so the first one Xen accepts is used.
 * Exit status: 0, 1 on a failed hypercall (message on stderr), 2 on usage.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#define HYPERVISOR_sysctl		35
#define XEN_SYSCTL_physinfo		3
#define XEN_SYSCTL_tmem_op		24
#define XEN_SYSCTL_TMEM_OP_LIST		4
#define XEN_SYSCTL_TMEM_OP_GET_POOLS	7
#define XEN_SYSCTL_TMEM_OP_SET_AUTH	11
#define TMEM_POOL_AUTH			4	/* flags.u.auth */
#define TMEM_POOL_SHARED		2
#define DOM0				0
#define ALL_CLIENTS			0xffff	/* TMEM_CLI_ID_NULL */
#define MAX_POOLS			16	/* Xen's MAX_POOLS_PER_DOMAIN */

/* Linux's include/uapi/xen/privcmd.h */
struct privcmd_hypercall {
	uint64_t op;
	uint64_t arg[5];
};
#define IOCTL_PRIVCMD_HYPERCALL \
	_IOC(_IOC_NONE, 'P', 0, sizeof(struct privcmd_hypercall))

struct xen_sysctl_tmem_op {
	uint32_t cmd;
	int32_t pool_id;
	uint32_t cli_id;
	uint32_t len;
	uint32_t arg;
	uint32_t pad;
	uint64_t oid[3];
	uint64_t buf;		/* XEN_GUEST_HANDLE_64 */
};

/* The head of Xen 4.12's struct xen_sysctl_physinfo */
struct xen_sysctl_physinfo {
	uint32_t threads_per_core, cores_per_socket, nr_cpus, max_cpu_id;
	uint32_t nr_nodes, max_node_id, cpu_khz, capabilities;
	uint64_t total_pages, free_pages;
};

struct xen_sysctl {
	uint32_t cmd;
	uint32_t interface_version;
	union {
		struct xen_sysctl_tmem_op tmem_op;
		struct xen_sysctl_physinfo physinfo;
		uint8_t pad[128];
	} u;
};

struct xen_tmem_pool_info {
	uint32_t flags;		/* TMEM_POOL_* bits */
	uint32_t id;
	uint64_t n_pages;
	uint64_t uuid[2];
};

/* Buffers Xen writes to must stay resident while it copies */
struct shared_area {
	struct xen_sysctl sysctl;
	char buf[16384];
};

static int privcmd_fd = -1;

static void die(const char *what)
{
	fprintf(stderr, "xen-tmem-stat: failed to %s: %s\n", what,
		strerror(errno));
	exit(1);
}

static struct shared_area *area_new(void)
{
	struct shared_area *a;

	a = mmap(NULL, sizeof(*a), PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (a == MAP_FAILED)
		die("map a buffer");
	if (mlock(a, sizeof(*a)))
		die("lock a buffer");
	memset(a, 0, sizeof(*a));
	return a;
}

/*
 * Issue a->sysctl, trying the interface versions of Xen 4.9 to 4.12 (a
 * wrong one is refused with EACCES).  Return: what Xen answered (>= 0).
 */
static long do_sysctl(struct shared_area *a)
{
	static const uint32_t versions[] = { 0x12, 0x11, 0x10, 0x0f };
	struct privcmd_hypercall call = { .op = HYPERVISOR_sysctl };
	long ret = -1;
	size_t i;

	call.arg[0] = (uint64_t)(uintptr_t)&a->sysctl;
	for (i = 0; i < sizeof(versions) / sizeof(versions[0]); i++) {
		a->sysctl.interface_version = versions[i];
		ret = ioctl(privcmd_fd, IOCTL_PRIVCMD_HYPERCALL, &call);
		if (ret >= 0 || errno != EACCES)
			break;
	}
	if (ret < 0)
		die("call the sysctl hypercall");
	return ret;
}

/* One XEN_SYSCTL_tmem_op; returns what Xen answered. */
static long tmem_sysctl(struct shared_area *a, uint32_t cmd, uint32_t cli_id,
			uint32_t len)
{
	memset(&a->sysctl, 0, sizeof(a->sysctl));
	a->sysctl.cmd = XEN_SYSCTL_tmem_op;
	a->sysctl.u.tmem_op.cmd = cmd;
	a->sysctl.u.tmem_op.cli_id = cli_id;
	a->sysctl.u.tmem_op.len = len;
	a->sysctl.u.tmem_op.arg = 1;	/* LIST: the long format */
	a->sysctl.u.tmem_op.buf = (uint64_t)(uintptr_t)a->buf;
	return do_sysctl(a);
}

static int cmd_free(struct shared_area *a)
{
	const struct xen_sysctl_physinfo *pi = &a->sysctl.u.physinfo;

	memset(&a->sysctl, 0, sizeof(a->sysctl));
	a->sysctl.cmd = XEN_SYSCTL_physinfo;
	do_sysctl(a);
	printf("total_mb=%llu free_mb=%llu\n",
	       (unsigned long long)pi->total_pages >> 8,
	       (unsigned long long)pi->free_pages >> 8);
	return 0;
}

static int cmd_pools(struct shared_area *a)
{
	struct xen_tmem_pool_info *p = (void *)a->buf;
	long i, n;

	n = tmem_sysctl(a, XEN_SYSCTL_TMEM_OP_GET_POOLS, DOM0,
			MAX_POOLS * sizeof(*p));
	for (i = 0; i < n; i++) {
		const uint8_t *u = (const uint8_t *)p[i].uuid;
		int b;

		printf("pool=%u shared=%d pages=%llu uuid=", p[i].id,
		       !!(p[i].flags & TMEM_POOL_SHARED),
		       (unsigned long long)p[i].n_pages);
		for (b = 0; b < 16; b++)
			printf("%02x", u[b]);
		putchar('\n');
	}
	return 0;
}

struct stat_key {
	const char *key, *name;
};

/* Xen's per-pool ("P=") counters, by their two-letter keys */
static const struct stat_key pool_keys[] = {
	{ "PI", "pool" },
	{ "ps", "good_puts" }, { "pt", "puts" },
	{ "gs", "found_gets" }, { "gt", "gets" },
	{ "fs", "flushes_found" }, { "ft", "flushes" },
	{ "os", "flush_objs_found" }, { "ot", "flush_objs" },
	{ "Pc", "pages" },
	{ NULL, NULL },
};

/* ... and its tmem-wide ("G=") ones */
static const struct stat_key global_keys[] = {
	{ "Et", "evicted" }, { "Ea", "evict_attempts" },
	{ "Af", "alloc_failed" }, { "Pf", "page_alloc_failed" },
	{ "Ec", "ephemeral_pages" }, { "Fc", "pages" },
	{ NULL, NULL },
};

/* Print a line's "KEY:VALUE" fields that @keys names, as name=value. */
static void print_fields(char *line, const struct stat_key *keys)
{
	const struct stat_key *k;
	const char *sep = "";
	char *tok, *save;

	for (tok = strtok_r(line, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		for (k = keys; k->key; k++) {
			if (strncmp(tok, k->key, 2) || tok[2] != ':')
				continue;
			printf("%s%s=%s", sep, k->name, tok + 3);
			sep = " ";
		}
	}
	putchar('\n');
}

/* XEN_SYSCTL_TMEM_OP_LIST: print the @prefix lines of @cli_id's listing. */
static int cmd_list(struct shared_area *a, uint32_t cli_id, const char *prefix,
		    const struct stat_key *keys)
{
	char *line, *save;

	tmem_sysctl(a, XEN_SYSCTL_TMEM_OP_LIST, cli_id, sizeof(a->buf) - 1);
	for (line = strtok_r(a->buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		if (!strncmp(line, prefix, 2))
			print_fields(line + 2, keys);
	return 0;
}

static int cmd_auth(struct shared_area *a, const char *hex)
{
	struct xen_tmem_pool_info *p = (void *)a->buf;
	uint8_t *u = (uint8_t *)p->uuid;
	int b;

	memset(p, 0, sizeof(*p));
	for (b = 0; b < 16; b++) {
		unsigned int byte;

		if (strlen(hex) != 32 || sscanf(hex + 2 * b, "%2x", &byte) != 1) {
			fprintf(stderr, "xen-tmem-stat: failed to parse UUID %s: want 32 hex digits\n",
				hex);
			return 2;
		}
		u[b] = byte;
	}
	p->flags = TMEM_POOL_AUTH;
	return tmem_sysctl(a, XEN_SYSCTL_TMEM_OP_SET_AUTH, DOM0, sizeof(*p)) == 1 ? 0 : 1;
}

int main(int argc, char **argv)
{
	struct shared_area *a;

	const char *cmd = argc >= 2 ? argv[1] : "";

	if ((argc != 2 || (strcmp(cmd, "pools") && strcmp(cmd, "list") &&
			   strcmp(cmd, "global") && strcmp(cmd, "free"))) &&
	    (argc != 3 || strcmp(cmd, "auth"))) {
		fprintf(stderr, "usage: xen-tmem-stat pools|list|global|free|auth UUID\n");
		return 2;
	}
	privcmd_fd = open("/dev/xen/privcmd", O_RDWR | O_CLOEXEC);
	if (privcmd_fd < 0)
		die("open /dev/xen/privcmd");
	a = area_new();
	if (!strcmp(cmd, "pools"))
		return cmd_pools(a);
	if (!strcmp(cmd, "list"))
		return cmd_list(a, DOM0, "P=", pool_keys);
	if (!strcmp(cmd, "free"))
		return cmd_free(a);
	if (!strcmp(cmd, "auth"))
		return cmd_auth(a, argv[2]);
	return cmd_list(a, ALL_CLIENTS, "G=", global_keys);
}
