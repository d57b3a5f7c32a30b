// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests of the Xen tmem transport, included by drivers/xen/tmem.c.
 * The transport's hypercall pointer is swapped for a model of the
 * hypervisor side of the ABI: it decodes each struct tmem_op as Xen does
 * and answers it with the local tmem store, which implements the same
 * semantics, so every test runs the transport's real encoding and
 * decoding paths without a hypervisor.
 */

#include <kunit/test.h>

#include "../../mm/tmem_local.h"

/* What the model saw and how it answers */
struct xen_tmem_model {
	unsigned int calls;
	unsigned int cmds[TMEM_FLUSH_OBJECT + 1];
	unsigned int malformed;	/* whole-page ops with offsets or length */
	struct tmem_op last;
	bool forced;		/* answer every op with @answer */
	int answer;
};

static struct xen_tmem_model xen_tmem_model;

/* The hypervisor's view: a gmfn of an auto-translated guest is its pfn. */
static struct page *xen_tmem_model_page(const struct tmem_op *op)
{
	return pfn_to_page((unsigned long)op->u.gen.gmfn);
}

static int xen_tmem_model_op(struct tmem_op *op)
{
	const struct tmem_store *hv = &tmem_local_store;
	struct xen_tmem_model *m = &xen_tmem_model;
	struct tmem_oid oid;
	int ret;

	m->calls++;
	m->last = *op;
	if (op->cmd < ARRAY_SIZE(m->cmds))
		m->cmds[op->cmd]++;
	if (m->forced)
		return m->answer;
	if (op->cmd != TMEM_NEW_POOL && op->cmd != TMEM_DESTROY_POOL &&
	    (op->u.gen.tmem_offset || op->u.gen.pfn_offset || op->u.gen.len)) {
		m->malformed++;
		return -EINVAL;
	}
	memcpy(oid.oid, op->u.gen.oid, sizeof(oid.oid));

	switch (op->cmd) {
	case TMEM_NEW_POOL:
		return hv->new_pool(op->u.new.uuid, op->u.new.flags);
	case TMEM_DESTROY_POOL:
		ret = hv->destroy_pool(op->pool_id);
		return ret < 0 ? ret : 1;	/* as Xen answers */
	case TMEM_PUT_PAGE:
		return hv->put_page(op->pool_id, &oid, op->u.gen.index,
				    xen_tmem_model_page(op));
	case TMEM_GET_PAGE:
		return hv->get_page(op->pool_id, &oid, op->u.gen.index,
				    xen_tmem_model_page(op));
	case TMEM_FLUSH_PAGE:
		return hv->flush_page(op->pool_id, &oid, op->u.gen.index);
	case TMEM_FLUSH_OBJECT:
		return hv->flush_object(op->pool_id, &oid);
	default:
		return -XEN_ENOSYS;
	}
}

static int (*xen_tmem_saved_hypercall)(struct tmem_op *op);

static int xen_tmem_test_init(struct kunit *test)
{
	/* Never divert live cleancache traffic into the model. */
	if (tmem_active_store() == &xen_tmem_store)
		kunit_skip(test, "the transport is in use on this hypervisor");
	memset(&xen_tmem_model, 0, sizeof(xen_tmem_model));
	xen_tmem_saved_hypercall = xen_tmem_hypercall;
	xen_tmem_hypercall = xen_tmem_model_op;
	return 0;
}

static void xen_tmem_test_exit(struct kunit *test)
{
	if (xen_tmem_saved_hypercall)
		xen_tmem_hypercall = xen_tmem_saved_hypercall;
}

static const struct tmem_oid xt_oid = { .oid = { 0x1234, 0, 0 } };
static const struct tmem_oid xt_oid2 = { .oid = { 0x1234, 1, 0 } };
static const u64 xt_uuid[2] = { 0x0123456789abcdefULL, 0xfedcba9876543210ULL };

static void xt_free_page(void *page)
{
	__free_page(page);
}

static struct page *xt_page(struct kunit *test, u8 fill)
{
	struct page *page = alloc_page(GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, page);
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, xt_free_page, page));
	memset(page_address(page), fill, PAGE_SIZE);
	return page;
}

static bool xt_page_is(struct page *page, u8 fill)
{
	return !memchr_inv(page_address(page), fill, PAGE_SIZE);
}

static long xt_stat(enum xen_tmem_stat stat)
{
	return atomic_long_read(&xen_tmem_stats[stat]);
}

static int xt_private_pool(struct kunit *test)
{
	static const u64 zero_uuid[2];
	int id = xen_tmem_store.new_pool(zero_uuid,
					 tmem_pool_flags(false, PAGE_SIZE));

	KUNIT_ASSERT_GE(test, id, 0);
	return id;
}

/* NEW_POOL and DESTROY_POOL carry what the ABI defines */
static void xen_tmem_test_pool_ops(struct kunit *test)
{
	const struct tmem_op *last = &xen_tmem_model.last;
	long created = xt_stat(XT_POOLS_CREATED);
	long destroyed = xt_stat(XT_POOLS_DESTROYED);
	int id = xt_private_pool(test);

	KUNIT_EXPECT_EQ(test, last->cmd, TMEM_NEW_POOL);
	KUNIT_EXPECT_EQ(test, last->u.new.uuid[0], 0);
	KUNIT_EXPECT_EQ(test, last->u.new.uuid[1], 0);
	KUNIT_EXPECT_EQ(test, last->u.new.flags & TMEM_POOL_SHARED, 0);
	KUNIT_EXPECT_EQ(test, last->u.new.flags & TMEM_POOL_PERSIST, 0);
	KUNIT_EXPECT_EQ(test, (last->u.new.flags >> TMEM_POOL_PAGESIZE_SHIFT) &
			TMEM_POOL_PAGESIZE_MASK, PAGE_SHIFT - 12);
	KUNIT_EXPECT_EQ(test, (last->u.new.flags >> TMEM_POOL_VERSION_SHIFT) &
			TMEM_POOL_VERSION_MASK, TMEM_SPEC_VERSION);

	/* Xen answers 1 for a destroyed pool; the store returns 0 */
	KUNIT_EXPECT_EQ(test, xen_tmem_store.destroy_pool(id), 0);
	KUNIT_EXPECT_EQ(test, last->cmd, TMEM_DESTROY_POOL);
	KUNIT_EXPECT_EQ(test, last->pool_id, id);
	KUNIT_EXPECT_EQ(test, xt_stat(XT_POOLS_CREATED), created + 1);
	KUNIT_EXPECT_EQ(test, xt_stat(XT_POOLS_DESTROYED), destroyed + 1);
	KUNIT_EXPECT_EQ(test, xen_tmem_model.calls, 2);
}

/* PUT_PAGE and GET_PAGE name the page by frame; a private get is exclusive */
static void xen_tmem_test_put_get_exclusive(struct kunit *test)
{
	const struct tmem_op *last = &xen_tmem_model.last;
	struct page *src = xt_page(test, 0xa5), *dst = xt_page(test, 0);
	long puts = xt_stat(XT_PUTS), hits = xt_stat(XT_GETS_HIT);
	long misses = xt_stat(XT_GETS_MISS);
	int id = xt_private_pool(test);

	KUNIT_EXPECT_EQ(test, xen_tmem_store.put_page(id, &xt_oid, 7, src), 1);
	KUNIT_EXPECT_EQ(test, last->cmd, TMEM_PUT_PAGE);
	KUNIT_EXPECT_EQ(test, last->pool_id, id);
	KUNIT_EXPECT_EQ(test, last->u.gen.oid[0], xt_oid.oid[0]);
	KUNIT_EXPECT_EQ(test, last->u.gen.index, 7);
	KUNIT_EXPECT_EQ(test, (unsigned long)last->u.gen.gmfn,
			page_to_pfn(src));

	KUNIT_EXPECT_EQ(test, xen_tmem_store.get_page(id, &xt_oid, 7, dst), 1);
	KUNIT_EXPECT_EQ(test, last->cmd, TMEM_GET_PAGE);
	KUNIT_EXPECT_EQ(test, (unsigned long)last->u.gen.gmfn,
			page_to_pfn(dst));
	KUNIT_EXPECT_TRUE(test, xt_page_is(dst, 0xa5));
	/* Exclusive: the copy went back to the page cache */
	KUNIT_EXPECT_EQ(test, xen_tmem_store.get_page(id, &xt_oid, 7, dst), 0);
	/* Another object, same index: a miss */
	KUNIT_EXPECT_EQ(test, xen_tmem_store.get_page(id, &xt_oid2, 7, dst), 0);

	KUNIT_EXPECT_EQ(test, xt_stat(XT_PUTS), puts + 1);
	KUNIT_EXPECT_EQ(test, xt_stat(XT_GETS_HIT), hits + 1);
	KUNIT_EXPECT_EQ(test, xt_stat(XT_GETS_MISS), misses + 2);
	KUNIT_EXPECT_EQ(test, xen_tmem_model.malformed, 0);
	KUNIT_EXPECT_EQ(test, xen_tmem_store.destroy_pool(id), 0);
}

/* A second put of the same key replaces the data */
static void xen_tmem_test_put_replaces(struct kunit *test)
{
	struct page *a = xt_page(test, 0x11), *b = xt_page(test, 0x22);
	struct page *dst = xt_page(test, 0);
	int id = xt_private_pool(test);

	KUNIT_EXPECT_EQ(test, xen_tmem_store.put_page(id, &xt_oid, 3, a), 1);
	KUNIT_EXPECT_EQ(test, xen_tmem_store.put_page(id, &xt_oid, 3, b), 1);
	KUNIT_EXPECT_EQ(test, xen_tmem_store.get_page(id, &xt_oid, 3, dst), 1);
	KUNIT_EXPECT_TRUE(test, xt_page_is(dst, 0x22));
	KUNIT_EXPECT_EQ(test, xen_tmem_store.get_page(id, &xt_oid, 3, dst), 0);
	KUNIT_EXPECT_EQ(test, xen_tmem_store.destroy_pool(id), 0);
}

/* The largest index the ABI carries arrives intact */
static void xen_tmem_test_index_u32_max(struct kunit *test)
{
	struct page *src = xt_page(test, 0x5a), *dst = xt_page(test, 0);
	int id = xt_private_pool(test);

	KUNIT_EXPECT_EQ(test,
			xen_tmem_store.put_page(id, &xt_oid, U32_MAX, src), 1);
	KUNIT_EXPECT_EQ(test, xen_tmem_model.last.u.gen.index, U32_MAX);
	KUNIT_EXPECT_EQ(test,
			xen_tmem_store.get_page(id, &xt_oid, U32_MAX - 1, dst),
			0);
	KUNIT_EXPECT_EQ(test,
			xen_tmem_store.get_page(id, &xt_oid, U32_MAX, dst), 1);
	KUNIT_EXPECT_TRUE(test, xt_page_is(dst, 0x5a));
	KUNIT_EXPECT_EQ(test, xen_tmem_store.destroy_pool(id), 0);
}

/*
 * Through two ids of one shared pool: a page put through @id is got
 * through @id2, and is still there for a get through @id (not exclusive).
 */
static void xt_expect_shared_gets(struct kunit *test, int id, int id2)
{
	struct page *src = xt_page(test, 0x3c), *dst = xt_page(test, 0);

	KUNIT_EXPECT_EQ(test, xen_tmem_store.put_page(id, &xt_oid, 1, src), 1);
	KUNIT_EXPECT_EQ(test, xen_tmem_store.get_page(id2, &xt_oid, 1, dst), 1);
	KUNIT_EXPECT_TRUE(test, xt_page_is(dst, 0x3c));
	memset(page_address(dst), 0, PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, xen_tmem_store.get_page(id, &xt_oid, 1, dst), 1);
	KUNIT_EXPECT_TRUE(test, xt_page_is(dst, 0x3c));
}

/* A shared pool is joined by UUID, and its gets are not exclusive */
static void xen_tmem_test_shared_pool(struct kunit *test)
{
	u32 flags = tmem_pool_flags(true, PAGE_SIZE);
	struct page *dst = xt_page(test, 0);
	int id, id2;

	id = xen_tmem_store.new_pool(xt_uuid, flags);
	KUNIT_ASSERT_GE(test, id, 0);
	KUNIT_EXPECT_EQ(test, xen_tmem_model.last.u.new.uuid[0], xt_uuid[0]);
	KUNIT_EXPECT_EQ(test, xen_tmem_model.last.u.new.uuid[1], xt_uuid[1]);
	KUNIT_EXPECT_NE(test,
			xen_tmem_model.last.u.new.flags & TMEM_POOL_SHARED, 0);
	id2 = xen_tmem_store.new_pool(xt_uuid, flags);
	KUNIT_EXPECT_EQ(test, id2, id);

	xt_expect_shared_gets(test, id, id2);

	/* The first unmount leaves the pool to the second */
	KUNIT_EXPECT_EQ(test, xen_tmem_store.destroy_pool(id), 0);
	KUNIT_EXPECT_EQ(test, xen_tmem_store.get_page(id2, &xt_oid, 1, dst), 1);
	KUNIT_EXPECT_EQ(test, xen_tmem_store.destroy_pool(id2), 0);
}

/* FLUSH_PAGE drops one page, FLUSH_OBJECT a whole object; each call counts */
static void xen_tmem_test_flushes(struct kunit *test)
{
	struct page *src = xt_page(test, 0x77), *dst = xt_page(test, 0);
	long flush_pages = xt_stat(XT_FLUSH_PAGES);
	long flush_objects = xt_stat(XT_FLUSH_OBJECTS);
	int id = xt_private_pool(test);
	u32 i;

	for (i = 0; i < 4; i++)
		KUNIT_EXPECT_EQ(test,
				xen_tmem_store.put_page(id, &xt_oid, i, src), 1);
	KUNIT_EXPECT_EQ(test, xen_tmem_store.put_page(id, &xt_oid2, 0, src), 1);

	KUNIT_EXPECT_EQ(test, xen_tmem_store.flush_page(id, &xt_oid, 2), 1);
	KUNIT_EXPECT_EQ(test, xen_tmem_model.last.cmd, TMEM_FLUSH_PAGE);
	KUNIT_EXPECT_EQ(test, xen_tmem_model.last.u.gen.index, 2);
	KUNIT_EXPECT_EQ(test, xen_tmem_store.flush_page(id, &xt_oid, 2), 0);
	KUNIT_EXPECT_EQ(test, xen_tmem_store.get_page(id, &xt_oid, 2, dst), 0);

	KUNIT_EXPECT_EQ(test, xen_tmem_store.flush_object(id, &xt_oid), 3);
	KUNIT_EXPECT_EQ(test, xen_tmem_model.last.cmd, TMEM_FLUSH_OBJECT);
	KUNIT_EXPECT_EQ(test, xen_tmem_store.flush_object(id, &xt_oid), 0);
	KUNIT_EXPECT_EQ(test, xen_tmem_store.get_page(id, &xt_oid, 0, dst), 0);
	/* The other object is untouched */
	KUNIT_EXPECT_EQ(test, xen_tmem_store.get_page(id, &xt_oid2, 0, dst), 1);

	KUNIT_EXPECT_EQ(test, xt_stat(XT_FLUSH_PAGES), flush_pages + 2);
	KUNIT_EXPECT_EQ(test, xt_stat(XT_FLUSH_OBJECTS), flush_objects + 2);
	KUNIT_EXPECT_EQ(test, xen_tmem_model.malformed, 0);
	KUNIT_EXPECT_EQ(test, xen_tmem_store.destroy_pool(id), 0);
}

/* Destroying a pool with pages in it frees them; the id is then bad */
static void xen_tmem_test_destroy_full_pool(struct kunit *test)
{
	struct page *src = xt_page(test, 0x99), *dst = xt_page(test, 0);
	unsigned long stored = tmem_local_stored_pages();
	long einval = xt_stat(XT_ERR_INVAL);
	int id = xt_private_pool(test);
	u32 i;

	for (i = 0; i < 8; i++)
		KUNIT_EXPECT_EQ(test,
				xen_tmem_store.put_page(id, &xt_oid, i, src), 1);
	KUNIT_EXPECT_EQ(test, tmem_local_stored_pages(), stored + 8);
	KUNIT_EXPECT_EQ(test, xen_tmem_store.destroy_pool(id), 0);
	KUNIT_EXPECT_EQ(test, tmem_local_stored_pages(), stored);

	/* The hypervisor's error for a gone pool comes back unchanged */
	KUNIT_EXPECT_EQ(test, xen_tmem_store.get_page(id, &xt_oid, 0, dst),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, xen_tmem_store.put_page(id, &xt_oid, 0, src),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, xen_tmem_store.destroy_pool(id), -EINVAL);
	KUNIT_EXPECT_EQ(test, xt_stat(XT_ERR_INVAL), einval + 3);
}

/* Every operation passes a hypervisor error back as is, counted by class */
static void xen_tmem_test_errors(struct kunit *test)
{
	static const struct {
		int err;
		enum xen_tmem_stat stat;
	} cases[] = {
		{ -XEN_ENOSYS, XT_ERR_NOSYS },
		{ -ENODEV, XT_ERR_NODEV },
		{ -EPERM, XT_ERR_PERM },
		{ -ENOMEM, XT_ERR_NOMEM },
		{ -EINVAL, XT_ERR_INVAL },
		{ -EFAULT, XT_ERR_INVAL },
		{ -TMEM_EFROZEN, XT_ERR_FROZEN },
		{ -EBUSY, XT_ERR_OTHER },
	};
	static const u64 zero_uuid[2];
	u32 flags = tmem_pool_flags(false, PAGE_SIZE);
	struct page *page = xt_page(test, 0);
	long puts = xt_stat(XT_PUTS_REFUSED), misses = xt_stat(XT_GETS_MISS);
	int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		int err = cases[i].err;
		long before = xt_stat(cases[i].stat);

		xen_tmem_model.forced = true;
		xen_tmem_model.answer = err;
		KUNIT_EXPECT_EQ(test, xen_tmem_store.new_pool(zero_uuid, flags),
				err);
		KUNIT_EXPECT_EQ(test, xen_tmem_store.destroy_pool(0), err);
		KUNIT_EXPECT_EQ(test,
				xen_tmem_store.put_page(0, &xt_oid, 0, page),
				err);
		KUNIT_EXPECT_EQ(test,
				xen_tmem_store.get_page(0, &xt_oid, 0, page),
				err);
		KUNIT_EXPECT_EQ(test, xen_tmem_store.flush_page(0, &xt_oid, 0),
				err);
		KUNIT_EXPECT_EQ(test, xen_tmem_store.flush_object(0, &xt_oid),
				err);
		KUNIT_EXPECT_EQ_MSG(test, xt_stat(cases[i].stat), before + 6,
				    "errno %d", err);
	}
	/* An error is neither a refused put nor a miss */
	KUNIT_EXPECT_EQ(test, xt_stat(XT_PUTS_REFUSED), puts);
	KUNIT_EXPECT_EQ(test, xt_stat(XT_GETS_MISS), misses);
}

/* A declined put (0) is a refusal, a get that finds nothing a miss */
static void xen_tmem_test_put_refused(struct kunit *test)
{
	struct page *page = xt_page(test, 0x42);
	long refused = xt_stat(XT_PUTS_REFUSED), misses = xt_stat(XT_GETS_MISS);
	long other = xt_stat(XT_ERR_OTHER);

	/* The local store evicts rather than refuse: answer for it */
	xen_tmem_model.forced = true;
	xen_tmem_model.answer = 0;
	KUNIT_EXPECT_EQ(test, xen_tmem_store.put_page(0, &xt_oid, 0, page), 0);
	KUNIT_EXPECT_EQ(test, xen_tmem_store.get_page(0, &xt_oid, 0, page), 0);
	KUNIT_EXPECT_EQ(test, xt_stat(XT_PUTS_REFUSED), refused + 1);
	KUNIT_EXPECT_EQ(test, xt_stat(XT_GETS_MISS), misses + 1);

	/* Xen answers a get from a pool with no pages -EEMPTY: a miss too */
	xen_tmem_model.answer = -TMEM_EEMPTY;
	KUNIT_EXPECT_EQ(test, xen_tmem_store.get_page(0, &xt_oid, 0, page), 0);
	KUNIT_EXPECT_EQ(test, xt_stat(XT_GETS_MISS), misses + 2);
	KUNIT_EXPECT_EQ(test, xt_stat(XT_ERR_OTHER), other);
}

/* On a hypervisor with tmem the probe leaves nothing behind */
static void xen_tmem_test_probe_ok(struct kunit *test)
{
	struct xen_tmem_model *m = &xen_tmem_model;

	KUNIT_EXPECT_EQ(test, xen_tmem_probe(), 0);
	KUNIT_EXPECT_EQ(test, m->calls, 2);
	KUNIT_EXPECT_EQ(test, m->cmds[TMEM_NEW_POOL], 1);
	KUNIT_EXPECT_EQ(test, m->cmds[TMEM_DESTROY_POOL], 1);
	/* The pool destroyed is the pool created: the id is free again */
	KUNIT_EXPECT_EQ(test, xen_tmem_store.destroy_pool(m->last.pool_id),
			-EINVAL);
}

/* Without tmem the transport declines after one call and stays out */
static void xen_tmem_test_probe_no_tmem(struct kunit *test)
{
	const struct tmem_store *before = tmem_active_store();
	long enosys = xt_stat(XT_ERR_NOSYS);

	xen_tmem_model.forced = true;
	xen_tmem_model.answer = -XEN_ENOSYS;
	KUNIT_EXPECT_EQ(test, xen_tmem_enable(), -XEN_ENOSYS);
	KUNIT_EXPECT_EQ(test, xen_tmem_model.calls, 1);
	KUNIT_EXPECT_EQ(test, xen_tmem_model.cmds[TMEM_NEW_POOL], 1);
	KUNIT_EXPECT_PTR_EQ(test, tmem_active_store(), before);
	KUNIT_EXPECT_FALSE(test, xen_tmem_registered);
	KUNIT_EXPECT_EQ(test, xt_stat(XT_ERR_NOSYS), enosys + 1);

	/* Compiled in but not enabled: the same */
	xen_tmem_model.answer = -ENODEV;
	KUNIT_EXPECT_EQ(test, xen_tmem_enable(), -ENODEV);
	KUNIT_EXPECT_PTR_EQ(test, tmem_active_store(), before);
}

/*
 * The same operations against the real hypervisor, where the transport is
 * the registered store: on pools of its own, next to cleancache's.  Shared
 * pools are left to the ocfs2 tests: Xen 4.12 makes a pool shared only for
 * a UUID that dom0's tools authorized for the guest.
 */
static int xen_tmem_hv_test_init(struct kunit *test)
{
	if (tmem_active_store() != &xen_tmem_store)
		kunit_skip(test, "the transport is not registered (no Xen tmem)");
	return 0;
}

/* Xen's private gets are exclusive; a get from an empty pool misses */
static void xen_tmem_hv_test_exclusive(struct kunit *test)
{
	struct page *src = xt_page(test, 0xa5), *dst = xt_page(test, 0);
	long misses = xt_stat(XT_GETS_MISS);
	int id = xt_private_pool(test);

	KUNIT_EXPECT_EQ(test, xen_tmem_store.get_page(id, &xt_oid, 0, dst), 0);
	KUNIT_EXPECT_EQ(test, xen_tmem_store.put_page(id, &xt_oid, 7, src), 1);
	KUNIT_EXPECT_EQ(test, xen_tmem_store.get_page(id, &xt_oid, 7, dst), 1);
	KUNIT_EXPECT_TRUE(test, xt_page_is(dst, 0xa5));
	KUNIT_EXPECT_EQ(test, xen_tmem_store.get_page(id, &xt_oid, 7, dst), 0);
	KUNIT_EXPECT_EQ(test, xt_stat(XT_GETS_MISS), misses + 2);
	KUNIT_EXPECT_EQ(test, xen_tmem_store.destroy_pool(id), 0);
}

/* FLUSH_PAGE and FLUSH_OBJECT reach Xen: a get after them misses */
static void xen_tmem_hv_test_flushes(struct kunit *test)
{
	struct page *src = xt_page(test, 0x77), *dst = xt_page(test, 0);
	int id = xt_private_pool(test);
	u32 i;

	for (i = 0; i < 4; i++)
		KUNIT_EXPECT_EQ(test,
				xen_tmem_store.put_page(id, &xt_oid, i, src), 1);
	KUNIT_EXPECT_EQ(test, xen_tmem_store.put_page(id, &xt_oid2, 0, src), 1);
	KUNIT_EXPECT_EQ(test, xen_tmem_store.flush_page(id, &xt_oid, 2), 1);
	KUNIT_EXPECT_EQ(test, xen_tmem_store.get_page(id, &xt_oid, 2, dst), 0);
	KUNIT_EXPECT_EQ(test, xen_tmem_store.flush_object(id, &xt_oid), 1);
	for (i = 0; i < 4; i++)
		KUNIT_EXPECT_EQ(test,
				xen_tmem_store.get_page(id, &xt_oid, i, dst), 0);
	KUNIT_EXPECT_EQ(test, xen_tmem_store.get_page(id, &xt_oid2, 0, dst), 1);
	KUNIT_EXPECT_EQ(test, xen_tmem_store.destroy_pool(id), 0);
}

/* DESTROY_POOL reaches Xen: the pool id is unknown to it afterwards */
static void xen_tmem_hv_test_destroy(struct kunit *test)
{
	struct page *src = xt_page(test, 0x99), *dst = xt_page(test, 0);
	long enodev = xt_stat(XT_ERR_NODEV);
	int id = xt_private_pool(test);

	KUNIT_EXPECT_EQ(test, xen_tmem_store.put_page(id, &xt_oid, 0, src), 1);
	KUNIT_EXPECT_EQ(test, xen_tmem_store.destroy_pool(id), 0);
	KUNIT_EXPECT_EQ(test, xen_tmem_store.get_page(id, &xt_oid, 0, dst),
			-ENODEV);
	KUNIT_EXPECT_EQ(test, xt_stat(XT_ERR_NODEV), enodev + 1);
}

static struct kunit_case xen_tmem_hv_test_cases[] = {
	KUNIT_CASE(xen_tmem_test_put_replaces),
	KUNIT_CASE(xen_tmem_hv_test_exclusive),
	KUNIT_CASE(xen_tmem_hv_test_flushes),
	KUNIT_CASE(xen_tmem_hv_test_destroy),
	{}
};

static struct kunit_suite xen_tmem_hv_test_suite = {
	.name = "xen_tmem_hypervisor",
	.init = xen_tmem_hv_test_init,
	.test_cases = xen_tmem_hv_test_cases,
};

static struct kunit_case xen_tmem_test_cases[] = {
	KUNIT_CASE(xen_tmem_test_pool_ops),
	KUNIT_CASE(xen_tmem_test_put_get_exclusive),
	KUNIT_CASE(xen_tmem_test_put_replaces),
	KUNIT_CASE(xen_tmem_test_index_u32_max),
	KUNIT_CASE(xen_tmem_test_shared_pool),
	KUNIT_CASE(xen_tmem_test_flushes),
	KUNIT_CASE(xen_tmem_test_destroy_full_pool),
	KUNIT_CASE(xen_tmem_test_errors),
	KUNIT_CASE(xen_tmem_test_put_refused),
	KUNIT_CASE(xen_tmem_test_probe_ok),
	KUNIT_CASE(xen_tmem_test_probe_no_tmem),
	{}
};

static struct kunit_suite xen_tmem_test_suite = {
	.name = "xen_tmem",
	.init = xen_tmem_test_init,
	.exit = xen_tmem_test_exit,
	.test_cases = xen_tmem_test_cases,
};

kunit_test_suites(&xen_tmem_test_suite, &xen_tmem_hv_test_suite);
