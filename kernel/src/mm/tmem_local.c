// SPDX-License-Identifier: GPL-2.0-only
/*
 * The local tmem store: the hypervisor's side of the tmem ABI, in the
 * kernel's own RAM.  Pools hold objects (files), objects hold pages;
 * private pools give exclusive gets, shared pools keep the page.  Pages
 * are ephemeral: when the store is at capacity (tmem_local.max_size) the
 * least recently put page is evicted to make room, and a shrinker hands
 * memory back under pressure.  With tmem_local.prealloc=1 the capacity is
 * allocated at boot and kept, like hypervisor memory the guest cannot
 * reclaim, and the shrinker stays out.
 *
 * It is the cleancache store on KVM and bare metal, and the store every
 * test uses, so tests exercise the operations Xen receives.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cleancache.h>
#include <linux/debugfs.h>
#include <linux/fault-inject.h>
#include <linux/highmem.h>
#include <linux/idr.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/rbtree.h>
#include <linux/seq_file.h>
#include <linux/shrinker.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/tmem.h>
#include <linux/vmstat.h>
#include <kunit/visibility.h>
#include <trace/events/cleancache.h>

#include "tmem_local.h"

/* Pages freed per lock hold when a pool, an object or capacity goes away */
#define TMEM_LOCAL_FREE_BATCH	256

/*
 * Puts run inside reclaim, often with interrupts off: never sleep, never
 * dip into the emergency reserves that reclaim itself may need.
 */
#define TMEM_LOCAL_GFP	(GFP_NOWAIT | __GFP_NOWARN | __GFP_NOMEMALLOC)

/*
 * Lock order: tmem_local_config_lock (mutex, capacity and registration)
 * -> tmem_local.lock (spinlock, irq-safe: puts and flushes arrive with the
 * page cache's i_pages lock held and interrupts off).  tmem_local.lock
 * protects every pool, object and page, the LRU and the free list.
 */
static DEFINE_MUTEX(tmem_local_config_lock);
static struct tmem_local_store tmem_local = {
	.lock		= __SPIN_LOCK_UNLOCKED(tmem_local.lock),
	.pools		= IDR_INIT(tmem_local.pools),
	.lru		= LIST_HEAD_INIT(tmem_local.lru),
	.free_pages	= LIST_HEAD_INIT(tmem_local.free_pages),
	.free_descs	= LIST_HEAD_INIT(tmem_local.free_descs),
};

static struct kmem_cache *tmem_local_page_cache;
static struct kmem_cache *tmem_local_obj_cache;

static unsigned long tmem_local_max_bytes;	/* 0: a quarter of RAM */
static bool tmem_local_prealloc;
static bool tmem_local_enabled = true;
static bool tmem_local_registered;
/* Below this many free pages beyond the low watermarks, no new page */
static unsigned long tmem_local_min_free_pages;

/*
 * Fault injection (debugfs cleancache/tmem_local/fail_alloc, fail_put):
 * fail the store's allocations, or refuse puts outright, leaving an older
 * copy in place as a hypervisor's error path may.
 */
static DECLARE_FAULT_ATTR(tmem_local_fail_alloc);
static DECLARE_FAULT_ATTR(tmem_local_fail_put);

static void *tmem_local_cache_alloc(struct kmem_cache *cache)
{
	void *p = NULL;

	if (!should_fail(&tmem_local_fail_alloc, 1))
		p = kmem_cache_alloc(cache, TMEM_LOCAL_GFP);
	if (!p)
		atomic_long_inc(&tmem_local.stats[TL_ALLOC_FAILED]);
	return p;
}

static struct page *tmem_local_alloc_page(void)
{
	struct page *page = NULL;

	if (!should_fail(&tmem_local_fail_alloc, 1))
		page = alloc_page(TMEM_LOCAL_GFP);
	if (!page)
		atomic_long_inc(&tmem_local.stats[TL_ALLOC_FAILED]);
	return page;
}

/*
 * Memory is short when free pages fall below the zones' low watermarks
 * (direct reclaim territory) plus tmem_local.min_free: then the store
 * reuses its own oldest page rather than take one the system needs.
 */
static bool tmem_local_memory_low(void)
{
	unsigned long threshold = READ_ONCE(tmem_local_min_free_pages);
	struct zone *zone;

	for_each_populated_zone(zone)
		threshold += low_wmark_pages(zone);
	return global_zone_page_state(NR_FREE_PAGES) < threshold;
}

static void tmem_local_count(struct tmem_local_pool *pool,
			     enum tmem_local_stat stat, long n)
{
	atomic_long_add(n, &tmem_local.stats[stat]);
	if (pool)
		atomic_long_add(n, &pool->stats[stat]);
}

static int tmem_local_oid_cmp(const struct tmem_oid *a,
			      const struct tmem_oid *b)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(a->oid); i++) {
		if (a->oid[i] != b->oid[i])
			return a->oid[i] < b->oid[i] ? -1 : 1;
	}
	return 0;
}

static struct tmem_local_obj *tmem_local_obj_find(struct tmem_local_pool *pool,
						  const struct tmem_oid *oid,
						  struct rb_node ***linkp,
						  struct rb_node **parentp)
{
	struct rb_node **link = &pool->objs.rb_node, *parent = NULL;

	while (*link) {
		struct tmem_local_obj *obj;
		int cmp;

		parent = *link;
		obj = rb_entry(parent, struct tmem_local_obj, node);
		cmp = tmem_local_oid_cmp(oid, &obj->oid);
		if (!cmp)
			return obj;
		link = cmp < 0 ? &parent->rb_left : &parent->rb_right;
	}
	if (linkp) {
		*linkp = link;
		*parentp = parent;
	}
	return NULL;
}

static struct tmem_local_page *tmem_local_page_find(struct tmem_local_obj *obj,
						    u32 index,
						    struct rb_node ***linkp,
						    struct rb_node **parentp)
{
	struct rb_node **link = &obj->pages.rb_node, *parent = NULL;

	while (*link) {
		struct tmem_local_page *tp;

		parent = *link;
		tp = rb_entry(parent, struct tmem_local_page, node);
		if (index == tp->index)
			return tp;
		link = index < tp->index ? &parent->rb_left : &parent->rb_right;
	}
	if (linkp) {
		*linkp = link;
		*parentp = parent;
	}
	return NULL;
}

static struct tmem_local_pool *tmem_local_pool_get(u32 pool_id)
{
	lockdep_assert_held(&tmem_local.lock);
	return idr_find(&tmem_local.pools, pool_id);
}

/*
 * Unlink a stored page from its object (freeing the object when it
 * empties) and from the LRU; the caller owns tp and tp->page afterwards.
 */
static void tmem_local_page_unlink(struct tmem_local_page *tp)
{
	struct tmem_local_obj *obj = tp->obj;
	struct tmem_local_pool *pool = obj->pool;

	lockdep_assert_held(&tmem_local.lock);
	rb_erase(&tp->node, &obj->pages);
	list_del(&tp->lru);
	tmem_local.nr_pages--;
	pool->nr_pages--;
	if (!--obj->nr_pages) {
		rb_erase(&obj->node, &pool->objs);
		kmem_cache_free(tmem_local_obj_cache, obj);
	}
}

/* Give a page back: to the free list in prealloc mode, else to the kernel */
static void tmem_local_release_page(struct page *page, struct list_head *freed)
{
	if (tmem_local_prealloc &&
	    tmem_local.nr_pages + tmem_local.nr_free < tmem_local.max_pages) {
		list_add(&page->lru, &tmem_local.free_pages);
		tmem_local.nr_free++;
		return;
	}
	list_add(&page->lru, freed);
}

static void tmem_local_free_list(struct list_head *freed)
{
	struct page *page, *next;

	list_for_each_entry_safe(page, next, freed, lru) {
		list_del(&page->lru);
		__free_page(page);
	}
}

/*
 * In prealloc mode every preallocated page comes with its descriptor,
 * allocated at the same time: a put made in reclaim, when small
 * allocations fail (no emergency reserves), must not be refused while the
 * store has room.  Otherwise descriptors come from the slab on demand.
 */
static struct tmem_local_page *tmem_local_desc_get(void)
{
	struct tmem_local_page *tp;

	lockdep_assert_held(&tmem_local.lock);
	tp = list_first_entry_or_null(&tmem_local.free_descs,
				      struct tmem_local_page, lru);
	if (!tp)
		return tmem_local_cache_alloc(tmem_local_page_cache);
	list_del(&tp->lru);
	tmem_local.nr_free_descs--;
	return tp;
}

static void tmem_local_desc_put(struct tmem_local_page *tp)
{
	lockdep_assert_held(&tmem_local.lock);
	if (tmem_local_prealloc &&
	    tmem_local.nr_pages + tmem_local.nr_free_descs <
	    tmem_local.max_pages) {
		list_add(&tp->lru, &tmem_local.free_descs);
		tmem_local.nr_free_descs++;
		return;
	}
	kmem_cache_free(tmem_local_page_cache, tp);
}

static void tmem_local_page_drop(struct tmem_local_page *tp,
				 struct list_head *freed)
{
	tmem_local_page_unlink(tp);
	tmem_local_release_page(tp->page, freed);
	tmem_local_desc_put(tp);
}

/* Evict the least recently put page; return its page for reuse. */
static struct page *tmem_local_evict_one(enum cleancache_evict_reason why)
{
	struct tmem_local_page *tp;
	struct page *page;

	lockdep_assert_held(&tmem_local.lock);
	tp = list_first_entry_or_null(&tmem_local.lru, struct tmem_local_page,
				      lru);
	if (!tp)
		return NULL;
	tmem_local_count(tp->obj->pool, TL_EVICTIONS, 1);
	trace_cleancache_evict(tmem_local_store.name, tp->obj->pool->id,
			       (const u32 *)tp->obj->oid.oid, tp->index, why);
	tmem_local_page_unlink(tp);
	page = tp->page;
	tmem_local_desc_put(tp);
	return page;
}

/* A page to copy into: free list, fresh allocation, or the LRU's oldest */
static struct page *tmem_local_take_page(void)
{
	enum cleancache_evict_reason why = CLEANCACHE_EVICT_CAPACITY;
	struct page *page;

	lockdep_assert_held(&tmem_local.lock);
	if (tmem_local.nr_free) {
		page = list_first_entry(&tmem_local.free_pages, struct page,
					lru);
		list_del(&page->lru);
		tmem_local.nr_free--;
		return page;
	}
	if (tmem_local.nr_pages < tmem_local.max_pages && !tmem_local_prealloc) {
		why = CLEANCACHE_EVICT_LOWMEM;
		if (tmem_local_memory_low()) {
			tmem_local_count(NULL, TL_ALLOC_LOWMEM, 1);
		} else {
			page = tmem_local_alloc_page();
			if (page)
				return page;
		}
	}
	return tmem_local_evict_one(why);
}

static int tmem_local_new_pool(const u64 uuid[2], u32 flags)
{
	u32 pagebits = (flags >> TMEM_POOL_PAGESIZE_SHIFT) &
		       TMEM_POOL_PAGESIZE_MASK;
	u32 version = (flags >> TMEM_POOL_VERSION_SHIFT) &
		      TMEM_POOL_VERSION_MASK;
	bool shared = flags & TMEM_POOL_SHARED;
	struct tmem_local_pool *pool, *new;
	unsigned long irqflags;
	int id;

	if (pagebits != PAGE_SHIFT - 12 || version != TMEM_SPEC_VERSION)
		return -EINVAL;
	/* Persistent pools would need frontswap semantics: not offered. */
	if (flags & TMEM_POOL_PERSIST)
		return -EOPNOTSUPP;

	new = kzalloc(sizeof(*new), GFP_KERNEL);
	if (!new)
		return -ENOMEM;
	new->shared = shared;
	new->refs = 1;
	new->uuid[0] = uuid[0];
	new->uuid[1] = uuid[1];
	new->objs = RB_ROOT;

	/* Ids come from an IDR: the lowest free one, with no fixed limit. */
	idr_preload(GFP_KERNEL);
	spin_lock_irqsave(&tmem_local.lock, irqflags);
	if (shared) {
		idr_for_each_entry(&tmem_local.pools, pool, id) {
			if (pool->shared && pool->uuid[0] == uuid[0] &&
			    pool->uuid[1] == uuid[1]) {
				pool->refs++;
				goto out_unlock;
			}
		}
	}
	id = idr_alloc(&tmem_local.pools, new, 0, 0, GFP_NOWAIT);
	if (id >= 0) {
		new->id = id;
		new = NULL;
	}
out_unlock:
	spin_unlock_irqrestore(&tmem_local.lock, irqflags);
	idr_preload_end();
	kfree(new);
	return id;
}

static void tmem_local_pool_empty(struct tmem_local_pool *pool)
{
	unsigned long irqflags;
	LIST_HEAD(freed);
	bool more = true;

	while (more) {
		struct tmem_local_obj *obj;
		int n = 0;

		spin_lock_irqsave(&tmem_local.lock, irqflags);
		while ((obj = rb_entry_safe(rb_first(&pool->objs),
					    struct tmem_local_obj, node)) &&
		       n < TMEM_LOCAL_FREE_BATCH) {
			struct tmem_local_page *tp;

			tp = rb_entry(rb_first(&obj->pages),
				      struct tmem_local_page, node);
			tmem_local_page_drop(tp, &freed);
			n++;
		}
		more = !RB_EMPTY_ROOT(&pool->objs);
		spin_unlock_irqrestore(&tmem_local.lock, irqflags);
		tmem_local_count(pool, TL_FLUSHED_PAGES, n);
		tmem_local_free_list(&freed);
		cond_resched();
	}
}

static int tmem_local_destroy_pool(u32 pool_id)
{
	struct tmem_local_pool *pool;
	unsigned long irqflags;

	spin_lock_irqsave(&tmem_local.lock, irqflags);
	pool = tmem_local_pool_get(pool_id);
	if (!pool) {
		spin_unlock_irqrestore(&tmem_local.lock, irqflags);
		return -EINVAL;
	}
	if (--pool->refs) {
		spin_unlock_irqrestore(&tmem_local.lock, irqflags);
		return 0;
	}
	/* Unreachable from now on: no new pages can arrive. */
	idr_remove(&tmem_local.pools, pool_id);
	spin_unlock_irqrestore(&tmem_local.lock, irqflags);

	tmem_local_pool_empty(pool);
	kfree(pool);
	return 0;
}

static int tmem_local_put_page(u32 pool_id, const struct tmem_oid *oid,
			       u32 index, struct page *page)
{
	struct tmem_local_obj *obj, *new_obj = NULL;
	struct rb_node **link, *parent;
	struct tmem_local_page *tp;
	struct tmem_local_pool *pool;
	unsigned long irqflags;
	struct page *dst;
	int ret = 0;

	spin_lock_irqsave(&tmem_local.lock, irqflags);
	pool = tmem_local_pool_get(pool_id);
	if (!pool) {
		ret = -EINVAL;
		goto out_unlock;
	}
	if (should_fail(&tmem_local_fail_put, 1)) {
		tmem_local_count(pool, TL_PUTS_INJECTED, 1);
		tmem_local_count(pool, TL_PUTS_FAILED, 1);
		goto out_unlock;
	}

	obj = tmem_local_obj_find(pool, oid, &link, &parent);
	if (obj) {
		tp = tmem_local_page_find(obj, index, NULL, NULL);
		if (tp) {
			/* A newer copy of the same page: overwrite in place. */
			copy_highpage(tp->page, page);
			list_move_tail(&tp->lru, &tmem_local.lru);
			tmem_local_count(pool, TL_PUTS, 1);
			tmem_local_count(pool, TL_PUTS_REPLACED, 1);
			ret = 1;
			goto out_unlock;
		}
	} else {
		new_obj = tmem_local_cache_alloc(tmem_local_obj_cache);
		if (!new_obj)
			goto out_nomem;
		new_obj->oid = *oid;
		new_obj->pages = RB_ROOT;
		new_obj->nr_pages = 0;
		new_obj->pool = pool;
		rb_link_node(&new_obj->node, parent, link);
		rb_insert_color(&new_obj->node, &pool->objs);
		obj = new_obj;
	}

	tp = tmem_local_desc_get();
	if (!tp)
		goto out_nomem;
	/* Taking a page may evict: look the slot up only afterwards. */
	obj->nr_pages++;
	dst = tmem_local_take_page();
	obj->nr_pages--;
	if (!dst) {
		tmem_local_desc_put(tp);
		goto out_nomem;
	}
	copy_highpage(dst, page);
	tp->page = dst;
	tp->index = index;
	tp->obj = obj;
	tmem_local_page_find(obj, index, &link, &parent);
	rb_link_node(&tp->node, parent, link);
	rb_insert_color(&tp->node, &obj->pages);
	list_add_tail(&tp->lru, &tmem_local.lru);
	obj->nr_pages++;
	pool->nr_pages++;
	tmem_local.nr_pages++;
	tmem_local_count(pool, TL_PUTS, 1);
	ret = 1;
	goto out_unlock;

out_nomem:
	tmem_local_count(pool, TL_PUTS_FAILED, 1);
	if (obj && !obj->nr_pages) {
		rb_erase(&obj->node, &pool->objs);
		kmem_cache_free(tmem_local_obj_cache, obj);
	}
out_unlock:
	spin_unlock_irqrestore(&tmem_local.lock, irqflags);
	return ret;
}

static int tmem_local_get_page(u32 pool_id, const struct tmem_oid *oid,
			       u32 index, struct page *page)
{
	struct tmem_local_pool *pool;
	struct tmem_local_page *tp;
	struct tmem_local_obj *obj;
	unsigned long irqflags;
	LIST_HEAD(freed);
	int ret = 0;

	spin_lock_irqsave(&tmem_local.lock, irqflags);
	pool = tmem_local_pool_get(pool_id);
	if (!pool) {
		ret = -EINVAL;
		goto out_unlock;
	}
	obj = tmem_local_obj_find(pool, oid, NULL, NULL);
	tp = obj ? tmem_local_page_find(obj, index, NULL, NULL) : NULL;
	if (!tp) {
		tmem_local_count(pool, TL_GETS_MISS, 1);
		goto out_unlock;
	}
	copy_highpage(page, tp->page);
	tmem_local_count(pool, TL_GETS_HIT, 1);
	ret = 1;
	/* Private pools are exclusive: the page cache owns the data again. */
	if (!pool->shared)
		tmem_local_page_drop(tp, &freed);
out_unlock:
	spin_unlock_irqrestore(&tmem_local.lock, irqflags);
	tmem_local_free_list(&freed);
	return ret;
}

static int tmem_local_flush_page(u32 pool_id, const struct tmem_oid *oid,
				 u32 index)
{
	struct tmem_local_pool *pool;
	struct tmem_local_page *tp;
	struct tmem_local_obj *obj;
	unsigned long irqflags;
	LIST_HEAD(freed);
	int ret = 0;

	spin_lock_irqsave(&tmem_local.lock, irqflags);
	pool = tmem_local_pool_get(pool_id);
	if (!pool) {
		ret = -EINVAL;
		goto out_unlock;
	}
	obj = tmem_local_obj_find(pool, oid, NULL, NULL);
	tp = obj ? tmem_local_page_find(obj, index, NULL, NULL) : NULL;
	if (tp) {
		tmem_local_page_drop(tp, &freed);
		tmem_local_count(pool, TL_FLUSHED_PAGES, 1);
		ret = 1;
	}
out_unlock:
	spin_unlock_irqrestore(&tmem_local.lock, irqflags);
	tmem_local_free_list(&freed);
	return ret;
}

/*
 * Flush a large object in batches, so that the lock (and with it
 * interrupts) is never held for more than TMEM_LOCAL_FREE_BATCH pages,
 * rescheduling between batches: every caller (truncation, invalidation,
 * inode eviction) is in process context.  The object is looked up again
 * after each batch: it goes away with its last page.  Pages put
 * meanwhile may survive; callers that need them gone flush again
 * afterwards, as truncation does.
 */
static int tmem_local_flush_object(u32 pool_id, const struct tmem_oid *oid)
{
	struct tmem_local_pool *pool;
	unsigned long irqflags;
	LIST_HEAD(freed);
	int ret = 0;
	bool more;

	do {
		struct tmem_local_obj *obj;
		int n = 0;

		spin_lock_irqsave(&tmem_local.lock, irqflags);
		pool = tmem_local_pool_get(pool_id);
		if (!pool) {
			spin_unlock_irqrestore(&tmem_local.lock, irqflags);
			return ret ? ret : -EINVAL;
		}
		obj = tmem_local_obj_find(pool, oid, NULL, NULL);
		while (obj && n < TMEM_LOCAL_FREE_BATCH) {
			struct tmem_local_page *tp;
			bool last = obj->nr_pages == 1;

			tp = rb_entry(rb_first(&obj->pages),
				      struct tmem_local_page, node);
			tmem_local_page_drop(tp, &freed);
			n++;
			if (last)
				obj = NULL;
		}
		more = obj;
		tmem_local_count(pool, TL_FLUSHED_PAGES, n);
		spin_unlock_irqrestore(&tmem_local.lock, irqflags);
		tmem_local_free_list(&freed);
		ret += n;
		if (more)
			cond_resched();
	} while (more);
	return ret;
}

const struct tmem_store tmem_local_store = {
	.name		= "tmem_local",
	.new_pool	= tmem_local_new_pool,
	.destroy_pool	= tmem_local_destroy_pool,
	.put_page	= tmem_local_put_page,
	.get_page	= tmem_local_get_page,
	.flush_page	= tmem_local_flush_page,
	.flush_object	= tmem_local_flush_object,
};
EXPORT_SYMBOL_IF_KUNIT(tmem_local_store);

/* Evict down to @target stored pages; return how many were freed. */
static unsigned long tmem_local_shrink_to(unsigned long target,
					  enum cleancache_evict_reason why)
{
	unsigned long irqflags, freed_pages = 0;
	LIST_HEAD(freed);

	for (;;) {
		struct page *page;
		int n = 0;

		spin_lock_irqsave(&tmem_local.lock, irqflags);
		while (tmem_local.nr_pages > target &&
		       n < TMEM_LOCAL_FREE_BATCH) {
			page = tmem_local_evict_one(why);
			list_add(&page->lru, &freed);
			n++;
		}
		/* Surplus preallocated pages go too when capacity drops. */
		while (tmem_local.nr_free &&
		       tmem_local.nr_free + tmem_local.nr_pages >
		       tmem_local.max_pages && n < TMEM_LOCAL_FREE_BATCH) {
			page = list_first_entry(&tmem_local.free_pages,
						struct page, lru);
			list_move(&page->lru, &freed);
			tmem_local.nr_free--;
			n++;
		}
		spin_unlock_irqrestore(&tmem_local.lock, irqflags);
		if (!n)
			break;
		tmem_local_free_list(&freed);
		freed_pages += n;
		cond_resched();
	}
	return freed_pages;
}

/* Fill the free list up to capacity (prealloc mode). */
static int tmem_local_fill(void)
{
	unsigned long irqflags;

	for (;;) {
		struct tmem_local_page *tp;
		struct page *page;
		bool full;

		spin_lock_irqsave(&tmem_local.lock, irqflags);
		full = tmem_local.nr_free + tmem_local.nr_pages >=
		       tmem_local.max_pages;
		spin_unlock_irqrestore(&tmem_local.lock, irqflags);
		if (full)
			return 0;
		page = alloc_page(GFP_KERNEL | __GFP_NOWARN | __GFP_NORETRY);
		if (!page)
			return -ENOMEM;
		tp = kmem_cache_alloc(tmem_local_page_cache,
				      GFP_KERNEL | __GFP_NOWARN | __GFP_NORETRY);
		if (!tp) {
			__free_page(page);
			return -ENOMEM;
		}
		spin_lock_irqsave(&tmem_local.lock, irqflags);
		list_add(&page->lru, &tmem_local.free_pages);
		tmem_local.nr_free++;
		tmem_local_desc_put(tp);
		spin_unlock_irqrestore(&tmem_local.lock, irqflags);
		cond_resched();
	}
}

static unsigned long tmem_local_shrink_count(struct shrinker *shrinker,
					     struct shrink_control *sc)
{
	unsigned long nr = READ_ONCE(tmem_local.nr_pages);

	return nr ? nr : SHRINK_EMPTY;
}

static unsigned long tmem_local_shrink_scan(struct shrinker *shrinker,
					    struct shrink_control *sc)
{
	unsigned long nr = READ_ONCE(tmem_local.nr_pages), freed;

	freed = tmem_local_shrink_to(nr > sc->nr_to_scan ?
				     nr - sc->nr_to_scan : 0,
				     CLEANCACHE_EVICT_SHRINKER);
	tmem_local_count(NULL, TL_SHRINKER_FREED, freed);
	return freed ? freed : SHRINK_STOP;
}

/**
 * tmem_local_set_capacity - change how many pages the store may hold
 * @bytes: the new capacity in bytes, at least one page and at most RAM
 *
 * Shrinking evicts the oldest pages at once.  Context: process context,
 * takes tmem_local_config_lock.
 *
 * Return: 0, -EINVAL for an impossible size, -ENOMEM if prealloc mode
 * could not allocate the new capacity (what it got is kept).
 */
int tmem_local_set_capacity(unsigned long bytes)
{
	unsigned long pages = bytes >> PAGE_SHIFT, irqflags;
	int ret = 0;

	if (!pages || pages > totalram_pages()) {
		pr_err("max_size %lu is out of range: 1 page to %lu bytes of RAM\n",
		       bytes, totalram_pages() << PAGE_SHIFT);
		return -EINVAL;
	}
	mutex_lock(&tmem_local_config_lock);
	spin_lock_irqsave(&tmem_local.lock, irqflags);
	tmem_local.max_pages = pages;
	spin_unlock_irqrestore(&tmem_local.lock, irqflags);
	tmem_local_shrink_to(pages, CLEANCACHE_EVICT_RESIZE);
	if (tmem_local_prealloc)
		ret = tmem_local_fill();
	mutex_unlock(&tmem_local_config_lock);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(tmem_local_set_capacity);

/**
 * tmem_local_capacity - the store's capacity
 *
 * Return: the capacity in bytes.
 */
unsigned long tmem_local_capacity(void)
{
	return READ_ONCE(tmem_local.max_pages) << PAGE_SHIFT;
}
EXPORT_SYMBOL_IF_KUNIT(tmem_local_capacity);

/**
 * tmem_local_stored_pages - how many pages the store holds
 *
 * Return: the number of stored pages, over all pools.
 */
unsigned long tmem_local_stored_pages(void)
{
	return READ_ONCE(tmem_local.nr_pages);
}
EXPORT_SYMBOL_IF_KUNIT(tmem_local_stored_pages);

/**
 * tmem_local_total_pages - RAM the store holds, for /proc/meminfo
 *
 * Return: stored pages plus preallocated pages kept for reuse.
 */
unsigned long tmem_local_total_pages(void)
{
	return READ_ONCE(tmem_local.nr_pages) + READ_ONCE(tmem_local.nr_free);
}

static int tmem_local_max_size_set(const char *val, const struct kernel_param *kp)
{
	unsigned long bytes;
	char *end;

	bytes = memparse(val, &end);
	if (end == val || (*end && *end != '\n')) {
		pr_err("max_size '%.*s' is not a size (e.g. 64M, 1G)\n",
		       (int)strcspn(val, "\n"), val);
		return -EINVAL;
	}
	/* At boot RAM is not counted yet: tmem_local_init() checks. */
	if (!tmem_local_page_cache) {
		tmem_local_max_bytes = bytes;
		return 0;
	}
	return tmem_local_set_capacity(bytes);
}

static int tmem_local_max_size_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%lu\n", tmem_local_capacity());
}

static const struct kernel_param_ops tmem_local_max_size_ops = {
	.set = tmem_local_max_size_set,
	.get = tmem_local_max_size_get,
};
module_param_cb(max_size, &tmem_local_max_size_ops, NULL, 0644);
MODULE_PARM_DESC(max_size, "Capacity of the store in bytes (K/M/G suffixes; default a quarter of RAM)");

static int tmem_local_min_free_set(const char *val,
				   const struct kernel_param *kp)
{
	unsigned long bytes;
	char *end;

	bytes = memparse(val, &end);
	if (end == val || (*end && *end != '\n')) {
		pr_err("min_free '%.*s' is not a size (e.g. 16M)\n",
		       (int)strcspn(val, "\n"), val);
		return -EINVAL;
	}
	WRITE_ONCE(tmem_local_min_free_pages, bytes >> PAGE_SHIFT);
	return 0;
}

static int tmem_local_min_free_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%lu\n",
			  READ_ONCE(tmem_local_min_free_pages) << PAGE_SHIFT);
}

static const struct kernel_param_ops tmem_local_min_free_ops = {
	.set = tmem_local_min_free_set,
	.get = tmem_local_min_free_get,
};
module_param_cb(min_free, &tmem_local_min_free_ops, NULL, 0644);
MODULE_PARM_DESC(min_free, "Free memory, in bytes above the zones' low watermarks, below which the store takes no new page (default 0)");

module_param_named(prealloc, tmem_local_prealloc, bool, 0444);
MODULE_PARM_DESC(prealloc, "Allocate the whole capacity at boot and keep it, like hypervisor memory");

static int tmem_local_register(void);

static int tmem_local_enabled_set(const char *val, const struct kernel_param *kp)
{
	bool enable;
	int ret;

	ret = kstrtobool(val, &enable);
	if (ret) {
		pr_err("enabled '%.*s' is not a boolean\n",
		       (int)strcspn(val, "\n"), val);
		return ret;
	}
	if (!tmem_local_page_cache) {
		/* Boot: tmem_local_init() acts on it. */
		tmem_local_enabled = enable;
		return 0;
	}
	mutex_lock(&tmem_local_config_lock);
	if (!enable && tmem_local_registered) {
		pr_err("cannot disable: cleancache backends cannot unregister\n");
		ret = -EBUSY;
	} else if (enable && !tmem_local_registered) {
		ret = tmem_local_register();
	}
	if (!ret)
		tmem_local_enabled = enable;
	mutex_unlock(&tmem_local_config_lock);
	return ret;
}

static const struct kernel_param_ops tmem_local_enabled_ops = {
	.set = tmem_local_enabled_set,
	.get = param_get_bool,
};
module_param_cb(enabled, &tmem_local_enabled_ops, &tmem_local_enabled, 0644);
MODULE_PARM_DESC(enabled, "Register as the cleancache store (1, default) or stay out (0); can be turned on at runtime");

static int tmem_local_ulong_get(void *data, u64 *val)
{
	*val = READ_ONCE(*(unsigned long *)data);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(tmem_local_ulong_fops, tmem_local_ulong_get, NULL,
			 "%llu\n");

static int tmem_local_pools_show(struct seq_file *m, void *v)
{
	unsigned long irqflags;
	int id, i;

	seq_puts(m, "pool shared refs pages");
	for (i = 0; i < TL_NR_POOL_STATS; i++)
		seq_printf(m, " %s", tmem_local_stat_names[i]);
	seq_putc(m, '\n');

	for (id = 0; ; id++) {
		long stats[TL_NR_POOL_STATS];
		struct tmem_local_pool *pool;
		unsigned long pages;
		bool shared;
		int refs;

		spin_lock_irqsave(&tmem_local.lock, irqflags);
		pool = idr_get_next(&tmem_local.pools, &id);
		if (pool) {
			shared = pool->shared;
			refs = pool->refs;
			pages = pool->nr_pages;
			for (i = 0; i < TL_NR_POOL_STATS; i++)
				stats[i] = atomic_long_read(&pool->stats[i]);
		}
		spin_unlock_irqrestore(&tmem_local.lock, irqflags);
		if (!pool)
			break;
		seq_printf(m, "%d %d %d %lu", id, shared, refs, pages);
		for (i = 0; i < TL_NR_POOL_STATS; i++)
			seq_printf(m, " %ld", stats[i]);
		seq_putc(m, '\n');
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(tmem_local_pools);

static void tmem_local_debugfs_init(void)
{
	struct dentry *dir;
	int i;

	dir = debugfs_create_dir("tmem_local", cleancache_debugfs_dir());
	debugfs_create_file_unsafe("stored_pages", 0444, dir,
				   &tmem_local.nr_pages,
				   &tmem_local_ulong_fops);
	debugfs_create_file_unsafe("max_pages", 0444, dir,
				   &tmem_local.max_pages,
				   &tmem_local_ulong_fops);
	debugfs_create_file_unsafe("free_pages", 0444, dir,
				   &tmem_local.nr_free,
				   &tmem_local_ulong_fops);
	for (i = 0; i < TL_NR_STATS; i++)
		cleancache_debugfs_counter(tmem_local_stat_names[i], dir,
					   &tmem_local.stats[i]);
	debugfs_create_file("pools", 0444, dir, NULL, &tmem_local_pools_fops);
	/* Not fatal, and absent without CONFIG_FAULT_INJECTION_DEBUG_FS */
	fault_create_debugfs_attr("fail_alloc", dir, &tmem_local_fail_alloc);
	fault_create_debugfs_attr("fail_put", dir, &tmem_local_fail_put);
}

/* Called with tmem_local_config_lock held, or at init. */
static int tmem_local_register(void)
{
	int ret = tmem_register_store(&tmem_local_store);

	if (ret) {
		pr_info("not registering: another tmem store is in charge\n");
		return ret;
	}
	tmem_local_registered = true;
	tmem_local_debugfs_init();
	pr_info("registered: %lu pages (%s)\n", tmem_local.max_pages,
		tmem_local_prealloc ? "preallocated" : "on demand");
	return 0;
}

static int __init tmem_local_init(void)
{
	unsigned long pages = totalram_pages() / 4;
	struct shrinker *shrinker;
	int ret;

	BUILD_BUG_ON(ARRAY_SIZE(tmem_local_stat_names) != TL_NR_STATS);
	/* cleancache_evict copies the object id as the page events' key */
	BUILD_BUG_ON(sizeof(struct tmem_oid) != CLEANCACHE_KEY_BYTES);

	if (tmem_local_max_bytes) {
		pages = tmem_local_max_bytes >> PAGE_SHIFT;
		if (!pages || pages > totalram_pages()) {
			pr_err("max_size=%lu out of range (1 page to %lu bytes): using %lu pages\n",
			       tmem_local_max_bytes,
			       totalram_pages() << PAGE_SHIFT,
			       totalram_pages() / 4);
			pages = totalram_pages() / 4;
		}
	}
	tmem_local.max_pages = pages;

	tmem_local_page_cache = KMEM_CACHE(tmem_local_page, 0);
	tmem_local_obj_cache = KMEM_CACHE(tmem_local_obj, 0);
	if (!tmem_local_page_cache || !tmem_local_obj_cache) {
		ret = -ENOMEM;
		goto out_destroy_caches;
	}

	if (tmem_local_prealloc) {
		ret = tmem_local_fill();
		if (ret)
			pr_warn("preallocated only %lu of %lu pages\n",
				tmem_local.nr_free, pages);
	} else {
		shrinker = shrinker_alloc(0, "tmem_local");
		if (shrinker) {
			shrinker->count_objects = tmem_local_shrink_count;
			shrinker->scan_objects = tmem_local_shrink_scan;
			shrinker->seeks = DEFAULT_SEEKS;
			shrinker_register(shrinker);
		} else {
			pr_warn("no shrinker: the store only shrinks at capacity\n");
		}
	}

	if (!tmem_local_enabled) {
		pr_info("disabled (tmem_local.enabled=0)\n");
		return 0;
	}
	mutex_lock(&tmem_local_config_lock);
	tmem_local_register();
	mutex_unlock(&tmem_local_config_lock);
	return 0;

out_destroy_caches:
	kmem_cache_destroy(tmem_local_obj_cache);
	kmem_cache_destroy(tmem_local_page_cache);
	tmem_local_page_cache = NULL;
	return ret;
}

/* After hypervisor transports (device_initcall), which take precedence. */
late_initcall(tmem_local_init);
