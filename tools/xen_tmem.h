/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The hypervisor's view of dom0's tmem pools, read through
 * /dev/xen/privcmd with the XEN_SYSCTL_tmem_op sysctl of Xen 4.9 to 4.12
 * (what "xl tmem-list" used; Xen dropped tmem in 4.13), and the
 * reconciliation of that view with the guest's own per-pool counters
 * that `ccstat check` prints.  xen_tmem_reconcile() is pure, so the host
 * unit tests feed it made-up numbers.  tests/xen/xen-tmem-stat.c is a
 * thin command-line front end to the same code.
 */
#ifndef CCSTAT_XEN_TMEM_H
#define CCSTAT_XEN_TMEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define XEN_TMEM_MAX_POOLS	16	/* Xen's MAX_POOLS_PER_DOMAIN */

struct xen_tmem;

/* Open privcmd; 0 or -errno (-ENOENT: not on Xen, or no privcmd). */
int xen_tmem_open(struct xen_tmem **xp);
void xen_tmem_close(struct xen_tmem *x);

/* One pool of dom0 as Xen holds it: GET_POOLS, and LIST's counters */
struct xen_tmem_pool {
	uint32_t id;
	bool shared;
	uint64_t pages;
	uint8_t uuid[16];		/* in the order the guest passed it */
	/* LIST's per-pool counters, since the pool was created */
	uint64_t good_puts, puts, found_gets, gets;
	uint64_t flushes_found, flushes, flush_objs_found, flush_objs;
};

/*
 * dom0's pools with their page counts, then the counters LIST prints
 * for each.  Return: how many pools (at most @max), or -errno (-EPERM:
 * not dom0; -ENOSYS or -EOPNOTSUPP: no tmem sysctl in this Xen).
 */
int xen_tmem_pools(struct xen_tmem *x, struct xen_tmem_pool *out, size_t max);

/* Xen's tmem-wide counters (LIST of every client, its "G=" line) */
struct xen_tmem_global {
	uint64_t evicted, evict_attempts, alloc_failed, page_alloc_failed;
	uint64_t ephemeral_pages, pages;
};
int xen_tmem_global(struct xen_tmem *x, struct xen_tmem_global *g);

/* XEN_SYSCTL_physinfo: the machine's pages and those Xen has free */
int xen_tmem_physinfo(struct xen_tmem *x, uint64_t *total_pages,
		      uint64_t *free_pages);

/* Let dom0 create a shared pool with @uuid ("xl tmem-shared-auth"). */
int xen_tmem_auth(struct xen_tmem *x, const uint8_t uuid[16]);

/* Field names and offsets of the structs above, for printers */
struct xen_tmem_field {
	const char *name;
	size_t off;			/* of a uint64_t */
};
extern const struct xen_tmem_field xen_tmem_pool_fields[];
extern const struct xen_tmem_field xen_tmem_global_fields[];

/*
 * What the guest's frontend counted for one pool id, read twice: before
 * (lo) and after (hi) Xen's answer, so that work in between cannot make
 * a consistent pair look wrong.
 */
struct xen_tmem_guest_pool {
	int pool;
	bool shared;
	uint64_t puts_lo, puts_hi;	/* pages Xen accepted */
	uint64_t gets_lo, gets_hi;	/* gets that returned a page */
};

enum xen_tmem_verdict {
	XEN_TMEM_CONSISTENT,
	XEN_TMEM_SHARED,		/* a shared pool: shown, not judged */
	XEN_TMEM_NO_XEN_POOL,		/* the guest uses an id Xen lacks */
	XEN_TMEM_NO_GUEST_POOL,		/* Xen holds a pool the guest forgot */
	XEN_TMEM_PUTS_DIFFER,		/* good_puts outside [lo, hi] */
	XEN_TMEM_GETS_DIFFER,		/* found_gets outside [lo, hi] */
	XEN_TMEM_PAGES_EXCEED,		/* Xen holds more than was left */
};

/*
 * One Xen pool (a shared pool once, however many of the guest's ids
 * name it) against the guest's pools of the same id or UUID.
 */
struct xen_tmem_reconciled {
	enum xen_tmem_verdict verdict;
	uint32_t pool;			/* Xen's id; the first one if shared */
	int ids;			/* the guest's pool ids it covers */
	bool shared;
	uint64_t xen_pages;
	uint64_t xen_puts, xen_gets;	/* good_puts, found_gets */
	uint64_t guest_puts, guest_gets;	/* hi, summed over the ids */
	uint64_t guest_bound;		/* the most Xen may hold */
};

/*
 * Reconcile @ng guest pools with the @nx pools Xen lists for dom0 into
 * @out (room for @nx + @ng entries).  Return: how many entries.
 */
size_t xen_tmem_reconcile(const struct xen_tmem_guest_pool *guest, size_t ng,
			  const struct xen_tmem_pool *xen, size_t nx,
			  struct xen_tmem_reconciled *out);
const char *xen_tmem_verdict_name(enum xen_tmem_verdict v);
/* `ccstat check`'s status for @v: "ok", "info" (shared) or "FAIL" */
const char *xen_tmem_verdict_status(enum xen_tmem_verdict v);

#endif /* CCSTAT_XEN_TMEM_H */
