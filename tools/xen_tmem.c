// SPDX-License-Identifier: GPL-2.0
/*
 * Xen tmem as the hypervisor sees it, from dom0: XEN_SYSCTL_tmem_op and
 * XEN_SYSCTL_physinfo issued through /dev/xen/privcmd, and the
 * reconciliation of Xen's per-pool counts with the guest's (see
 * xen_tmem.h).  The layouts below are Xen 4.12's public sysctl.h; the
 * sysctl interface version changed between releases, so the first one
 * Xen accepts is used and remembered.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include "xen_tmem.h"

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

/* XEN_SYSCTL_TMEM_OP_GET_POOLS's record, and SET_AUTH's */
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

struct xen_tmem {
	int fd;
	uint32_t version;	/* the sysctl interface version Xen took */
	struct shared_area *a;
};

int xen_tmem_open(struct xen_tmem **xp)
{
	struct xen_tmem *x;
	int err;

	*xp = NULL;
	x = calloc(1, sizeof(*x));
	if (!x)
		return -ENOMEM;
	x->fd = open("/dev/xen/privcmd", O_RDWR | O_CLOEXEC);
	if (x->fd < 0)
		goto err_free;
	x->a = mmap(NULL, sizeof(*x->a), PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (x->a == MAP_FAILED)
		goto err_close;
	if (mlock(x->a, sizeof(*x->a)))
		goto err_unmap;
	*xp = x;
	return 0;

err_unmap:
	err = errno;
	munmap(x->a, sizeof(*x->a));
	errno = err;
err_close:
	err = errno;
	close(x->fd);
	errno = err;
err_free:
	err = errno;
	free(x);
	return -err;
}

void xen_tmem_close(struct xen_tmem *x)
{
	if (!x)
		return;
	munmap(x->a, sizeof(*x->a));
	close(x->fd);
	free(x);
}

/*
 * Issue x->a->sysctl, trying the interface versions of Xen 4.9 to 4.12
 * until one is taken (a wrong one is refused with EACCES).  Return: what
 * Xen answered (>= 0), or -errno.
 */
static long do_sysctl(struct xen_tmem *x)
{
	static const uint32_t versions[] = { 0x12, 0x11, 0x10, 0x0f };
	struct privcmd_hypercall call = { .op = HYPERVISOR_sysctl };
	long ret;
	size_t i;

	call.arg[0] = (uint64_t)(uintptr_t)&x->a->sysctl;
	if (x->version) {
		x->a->sysctl.interface_version = x->version;
		ret = ioctl(x->fd, IOCTL_PRIVCMD_HYPERCALL, &call);
		return ret < 0 ? -errno : ret;
	}
	for (i = 0; i < sizeof(versions) / sizeof(versions[0]); i++) {
		x->a->sysctl.interface_version = versions[i];
		ret = ioctl(x->fd, IOCTL_PRIVCMD_HYPERCALL, &call);
		if (ret >= 0) {
			x->version = versions[i];
			return ret;
		}
		if (errno != EACCES)
			break;
	}
	return -errno;
}

/* One XEN_SYSCTL_tmem_op into x->a->buf; returns what Xen answered. */
static long tmem_sysctl(struct xen_tmem *x, uint32_t cmd, uint32_t cli_id,
			uint32_t len)
{
	struct xen_sysctl *s = &x->a->sysctl;

	memset(s, 0, sizeof(*s));
	s->cmd = XEN_SYSCTL_tmem_op;
	s->u.tmem_op.cmd = cmd;
	s->u.tmem_op.cli_id = cli_id;
	s->u.tmem_op.len = len;
	s->u.tmem_op.arg = 1;	/* LIST: the long format */
	s->u.tmem_op.buf = (uint64_t)(uintptr_t)x->a->buf;
	return do_sysctl(x);
}

int xen_tmem_physinfo(struct xen_tmem *x, uint64_t *total_pages,
		      uint64_t *free_pages)
{
	const struct xen_sysctl_physinfo *pi = &x->a->sysctl.u.physinfo;
	long ret;

	memset(&x->a->sysctl, 0, sizeof(x->a->sysctl));
	x->a->sysctl.cmd = XEN_SYSCTL_physinfo;
	ret = do_sysctl(x);
	if (ret < 0)
		return ret;
	*total_pages = pi->total_pages;
	*free_pages = pi->free_pages;
	return 0;
}

struct stat_key {
	const char *key;	/* LIST's two-letter key */
	size_t off;
};

#define POOL_KEY(k, f) { k, offsetof(struct xen_tmem_pool, f) }
/* Xen's per-pool ("P=") counters */
static const struct stat_key pool_keys[] = {
	POOL_KEY("ps", good_puts), POOL_KEY("pt", puts),
	POOL_KEY("gs", found_gets), POOL_KEY("gt", gets),
	POOL_KEY("fs", flushes_found), POOL_KEY("ft", flushes),
	POOL_KEY("os", flush_objs_found), POOL_KEY("ot", flush_objs),
	{ NULL, 0 },
};

#define GLOBAL_KEY(k, f) { k, offsetof(struct xen_tmem_global, f) }
/* ... and its tmem-wide ("G=") ones */
static const struct stat_key global_keys[] = {
	GLOBAL_KEY("Et", evicted), GLOBAL_KEY("Ea", evict_attempts),
	GLOBAL_KEY("Af", alloc_failed), GLOBAL_KEY("Pf", page_alloc_failed),
	GLOBAL_KEY("Ec", ephemeral_pages), GLOBAL_KEY("Fc", pages),
	{ NULL, 0 },
};

#define FIELD(s, f) { #f, offsetof(struct s, f) }
const struct xen_tmem_field xen_tmem_pool_fields[] = {
	FIELD(xen_tmem_pool, good_puts), FIELD(xen_tmem_pool, puts),
	FIELD(xen_tmem_pool, found_gets), FIELD(xen_tmem_pool, gets),
	FIELD(xen_tmem_pool, flushes_found), FIELD(xen_tmem_pool, flushes),
	FIELD(xen_tmem_pool, flush_objs_found),
	FIELD(xen_tmem_pool, flush_objs), FIELD(xen_tmem_pool, pages),
	{ NULL, 0 },
};

const struct xen_tmem_field xen_tmem_global_fields[] = {
	FIELD(xen_tmem_global, evicted), FIELD(xen_tmem_global, evict_attempts),
	FIELD(xen_tmem_global, alloc_failed),
	FIELD(xen_tmem_global, page_alloc_failed),
	FIELD(xen_tmem_global, ephemeral_pages), FIELD(xen_tmem_global, pages),
	{ NULL, 0 },
};

/*
 * A LIST line's "KEY:VALUE" fields that @keys names, into @base.
 * Return: the value of key @id_key (-1 if absent).
 */
static long parse_fields(char *line, const struct stat_key *keys, void *base,
			 const char *id_key)
{
	const struct stat_key *k;
	char *tok, *save;
	long id = -1;

	for (tok = strtok_r(line, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (strlen(tok) < 3 || tok[2] != ':')
			continue;
		if (id_key && !strncmp(tok, id_key, 2))
			id = strtol(tok + 3, NULL, 10);
		for (k = keys; k->key; k++)
			if (!strncmp(tok, k->key, 2))
				*(uint64_t *)((char *)base + k->off) =
					strtoull(tok + 3, NULL, 10);
	}
	return id;
}

/* XEN_SYSCTL_TMEM_OP_LIST of @cli_id; its lines are in x->a->buf. */
static int tmem_list(struct xen_tmem *x, uint32_t cli_id)
{
	long ret;

	memset(x->a->buf, 0, sizeof(x->a->buf));
	ret = tmem_sysctl(x, XEN_SYSCTL_TMEM_OP_LIST, cli_id,
			  sizeof(x->a->buf) - 1);
	return ret < 0 ? (int)ret : 0;
}

int xen_tmem_pools(struct xen_tmem *x, struct xen_tmem_pool *out, size_t max)
{
	const struct xen_tmem_pool_info *p = (const void *)x->a->buf;
	struct xen_tmem_pool scratch;
	char *line, *save;
	long i, n, id;
	size_t j;
	int err;

	n = tmem_sysctl(x, XEN_SYSCTL_TMEM_OP_GET_POOLS, DOM0,
			XEN_TMEM_MAX_POOLS * sizeof(*p));
	if (n < 0)
		return (int)n;
	if ((size_t)n > max)
		n = (long)max;
	for (i = 0; i < n; i++) {
		memset(&out[i], 0, sizeof(out[i]));
		out[i].id = p[i].id;
		out[i].shared = p[i].flags & TMEM_POOL_SHARED;
		out[i].pages = p[i].n_pages;
		memcpy(out[i].uuid, p[i].uuid, sizeof(out[i].uuid));
	}
	err = tmem_list(x, DOM0);
	if (err)
		return err;
	for (line = strtok_r(x->a->buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "P=", 2))
			continue;
		memset(&scratch, 0, sizeof(scratch));
		id = parse_fields(line + 2, pool_keys, &scratch, "PI");
		/* a shared pool is listed under each id that names it */
		for (j = 0; j < (size_t)n; j++) {
			if (out[j].id != (uint32_t)id)
				continue;
			scratch.id = out[j].id;
			scratch.shared = out[j].shared;
			scratch.pages = out[j].pages;
			memcpy(scratch.uuid, out[j].uuid, sizeof(scratch.uuid));
			out[j] = scratch;
		}
	}
	return (int)n;
}

int xen_tmem_global(struct xen_tmem *x, struct xen_tmem_global *g)
{
	char *line, *save;
	int err;

	memset(g, 0, sizeof(*g));
	err = tmem_list(x, ALL_CLIENTS);
	if (err)
		return err;
	for (line = strtok_r(x->a->buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		if (!strncmp(line, "G=", 2))
			parse_fields(line + 2, global_keys, g, NULL);
	return 0;
}

int xen_tmem_auth(struct xen_tmem *x, const uint8_t uuid[16])
{
	struct xen_tmem_pool_info *p = (void *)x->a->buf;
	long ret;

	memset(p, 0, sizeof(*p));
	memcpy(p->uuid, uuid, sizeof(p->uuid));
	p->flags = TMEM_POOL_AUTH;
	ret = tmem_sysctl(x, XEN_SYSCTL_TMEM_OP_SET_AUTH, DOM0, sizeof(*p));
	if (ret < 0)
		return (int)ret;
	return ret == 1 ? 0 : -EINVAL;
}

/* ---- reconciliation: pure ---- */

const char *xen_tmem_verdict_name(enum xen_tmem_verdict v)
{
	switch (v) {
	case XEN_TMEM_CONSISTENT:
		return "consistent";
	case XEN_TMEM_SHARED:
		return "shared, not judged";
	case XEN_TMEM_NO_XEN_POOL:
		return "Xen has no such pool";
	case XEN_TMEM_NO_GUEST_POOL:
		return "the guest has no such pool";
	case XEN_TMEM_PUTS_DIFFER:
		return "puts differ";
	case XEN_TMEM_GETS_DIFFER:
		return "gets differ";
	case XEN_TMEM_PAGES_EXCEED:
		return "Xen holds more pages than the guest left there";
	}
	return "?";
}

const char *xen_tmem_verdict_status(enum xen_tmem_verdict v)
{
	if (v == XEN_TMEM_CONSISTENT)
		return "ok";
	return v == XEN_TMEM_SHARED ? "info" : "FAIL";
}

/* Does Xen's pool @j name the same pool as an earlier entry? */
static bool same_as_earlier(const struct xen_tmem_pool *xen, size_t j)
{
	size_t i;

	for (i = 0; i < j; i++)
		if (xen[j].shared && xen[i].shared &&
		    !memcmp(xen[i].uuid, xen[j].uuid, sizeof(xen[i].uuid)))
			return true;
	return false;
}

/* Is guest pool id @pool one of the ids of the Xen pool at @j? */
static bool names_pool(const struct xen_tmem_pool *xen, size_t nx, size_t j,
		       int pool)
{
	size_t i;

	for (i = 0; i < nx; i++) {
		if ((int64_t)xen[i].id != pool)
			continue;
		if (i == j || (xen[j].shared && xen[i].shared &&
			       !memcmp(xen[i].uuid, xen[j].uuid,
				       sizeof(xen[i].uuid))))
			return true;
	}
	return false;
}

static bool within(uint64_t v, uint64_t lo, uint64_t hi)
{
	return v >= lo && v <= hi;
}

/*
 * A private pool's gets are exclusive: every hit took the page out, so
 * at most puts - hits pages can be left (fewer once Xen evicted or the
 * guest flushed).  A get counted before Xen answered was done before it,
 * and a put counted after it may have been done after, hence hi - lo.
 */
static void judge(struct xen_tmem_reconciled *r, uint64_t puts_lo,
		  uint64_t gets_lo)
{
	if (r->shared) {
		/*
		 * A mount or domain that left a shared pool left its pages
		 * and counts in it; the guest no longer has them.
		 */
		r->guest_bound = r->guest_puts;
		r->verdict = XEN_TMEM_SHARED;
		return;
	}
	r->guest_bound = r->guest_puts > gets_lo ? r->guest_puts - gets_lo : 0;
	if (!within(r->xen_puts, puts_lo, r->guest_puts))
		r->verdict = XEN_TMEM_PUTS_DIFFER;
	else if (!within(r->xen_gets, gets_lo, r->guest_gets))
		r->verdict = XEN_TMEM_GETS_DIFFER;
	else if (r->xen_pages > r->guest_bound)
		r->verdict = XEN_TMEM_PAGES_EXCEED;
	else
		r->verdict = XEN_TMEM_CONSISTENT;
}

size_t xen_tmem_reconcile(const struct xen_tmem_guest_pool *guest, size_t ng,
			  const struct xen_tmem_pool *xen, size_t nx,
			  struct xen_tmem_reconciled *out)
{
	size_t i, j, n = 0;

	for (j = 0; j < nx; j++) {
		struct xen_tmem_reconciled *r = &out[n];
		uint64_t puts_lo = 0, gets_lo = 0;

		if (same_as_earlier(xen, j))
			continue;
		memset(r, 0, sizeof(*r));
		r->pool = xen[j].id;
		r->shared = xen[j].shared;
		r->xen_pages = xen[j].pages;
		r->xen_puts = xen[j].good_puts;
		r->xen_gets = xen[j].found_gets;
		for (i = 0; i < ng; i++) {
			if (!names_pool(xen, nx, j, guest[i].pool))
				continue;
			r->ids++;
			puts_lo += guest[i].puts_lo;
			gets_lo += guest[i].gets_lo;
			r->guest_puts += guest[i].puts_hi;
			r->guest_gets += guest[i].gets_hi;
		}
		if (!r->ids)
			r->verdict = XEN_TMEM_NO_GUEST_POOL;
		else
			judge(r, puts_lo, gets_lo);
		n++;
	}
	for (i = 0; i < ng; i++) {
		for (j = 0; j < nx; j++)
			if ((int64_t)xen[j].id == guest[i].pool)
				break;
		if (j < nx)
			continue;
		memset(&out[n], 0, sizeof(out[n]));
		out[n].verdict = XEN_TMEM_NO_XEN_POOL;
		out[n].pool = (uint32_t)guest[i].pool;
		out[n].ids = 1;
		out[n].shared = guest[i].shared;
		out[n].guest_puts = guest[i].puts_hi;
		out[n].guest_gets = guest[i].gets_hi;
		n++;
	}
	return n;
}
