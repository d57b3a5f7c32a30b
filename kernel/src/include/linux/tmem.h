/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The tmem client layer: transcendent memory as a small set of page
 * operations on pools of objects (new pool, put page, get page, flush page,
 * flush object, destroy pool), the operations of Xen's struct tmem_op.
 * Cleancache sits on top through a thin adapter (mm/tmem.c); a store
 * answers underneath: the Xen hypercall transport, or the local RAM store
 * (mm/tmem_local.c), which implements the hypervisor's side of the same
 * contract.  Return values follow the Xen ABI.
 */
#ifndef _LINUX_TMEM_H
#define _LINUX_TMEM_H

#include <linux/log2.h>
#include <linux/types.h>
#include <linux/mm_types.h>

/* Pool flags of TMEM_NEW_POOL, as Xen encodes them */
#define TMEM_POOL_PERSIST		1
#define TMEM_POOL_SHARED		2
#define TMEM_POOL_PRECOMPRESSED		4
#define TMEM_POOL_PAGESIZE_SHIFT	4
#define TMEM_POOL_PAGESIZE_MASK		0xf
#define TMEM_POOL_VERSION_SHIFT		24
#define TMEM_POOL_VERSION_MASK		0xff
#define TMEM_SPEC_VERSION		1

/**
 * struct tmem_oid - an object (a file) within a pool
 * @oid: three words; cleancache fills them from its file key
 */
struct tmem_oid {
	u64 oid[3];
};

/**
 * struct tmem_store - a store answering tmem operations
 * @name: shown in logs, debugfs and the backend-register tracepoint
 * @new_pool: create a pool; @flags holds TMEM_POOL_* and the encoded page
 *	size and spec version; @uuid names a shared pool (else zero).
 *	Return: the pool id (>= 0) or a negative errno.
 * @destroy_pool: flush every page of the pool and free it.  Return: 0 or a
 *	negative errno.
 * @put_page: copy @page to (@pool_id, @oid, @index), replacing an older
 *	copy.  Return: 1 if stored, 0 if not stored (and no old copy
 *	remains), a negative errno on a bad pool.
 * @get_page: copy (@pool_id, @oid, @index) into @page.  A private pool
 *	drops its copy (exclusive get); a shared pool keeps it.  Return: 1 on
 *	a hit, 0 on a miss, a negative errno on a bad pool.
 * @flush_page: drop one page.  Return: 1 if a page was dropped, 0 if
 *	none was stored, a negative errno on a bad pool.
 * @flush_object: drop every page of an object.  Return: the number of
 *	pages dropped, or a negative errno on a bad pool.
 *
 * put_page and flush_page may be called with interrupts disabled and must
 * not sleep; get_page and flush_object run in process context, and
 * flush_object may sleep.
 */
struct tmem_store {
	const char *name;
	int (*new_pool)(const u64 uuid[2], u32 flags);
	int (*destroy_pool)(u32 pool_id);
	int (*put_page)(u32 pool_id, const struct tmem_oid *oid, u32 index,
			struct page *page);
	int (*get_page)(u32 pool_id, const struct tmem_oid *oid, u32 index,
			struct page *page);
	int (*flush_page)(u32 pool_id, const struct tmem_oid *oid, u32 index);
	int (*flush_object)(u32 pool_id, const struct tmem_oid *oid);
};

/**
 * tmem_pool_flags - encode TMEM_NEW_POOL flags
 * @shared: true for a shared pool
 * @pagesize: the client's page size
 *
 * Return: flags with the page size (as log2 minus 12) and spec version.
 */
static inline u32 tmem_pool_flags(bool shared, size_t pagesize)
{
	u32 flags = shared ? TMEM_POOL_SHARED : 0;

	flags |= (u32)(ilog2(pagesize) - 12) << TMEM_POOL_PAGESIZE_SHIFT;
	flags |= TMEM_SPEC_VERSION << TMEM_POOL_VERSION_SHIFT;
	return flags;
}

#ifdef CONFIG_TMEM
int tmem_register_store(const struct tmem_store *store);
const struct tmem_store *tmem_active_store(void);
#else
static inline int tmem_register_store(const struct tmem_store *store)
{
	return -ENODEV;
}

static inline const struct tmem_store *tmem_active_store(void)
{
	return NULL;
}
#endif

#ifdef CONFIG_TMEM_LOCAL
unsigned long tmem_local_total_pages(void);
#endif

#endif /* _LINUX_TMEM_H */
