/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The local tmem store's data structures, shared by mm/tmem_local.c and
 * its KUnit tests.
 */
#ifndef _MM_TMEM_LOCAL_H
#define _MM_TMEM_LOCAL_H

#include <linux/atomic.h>
#include <linux/idr.h>
#include <linux/list.h>
#include <linux/rbtree.h>
#include <linux/spinlock.h>
#include <linux/tmem.h>

/* Counters kept for the store and per pool; each is one outcome. */
enum tmem_local_stat {
	TL_PUTS,		/* pages stored (new or replacing) */
	TL_PUTS_REPLACED,	/* puts that overwrote an older copy */
	TL_PUTS_FAILED,		/* puts not stored, for any reason */
	TL_PUTS_INJECTED,	/* of which refused by the fail_put knob */
	TL_GETS_HIT,		/* gets that found the page */
	TL_GETS_MISS,		/* gets that did not */
	TL_FLUSHED_PAGES,	/* pages dropped by flush page/object/pool */
	TL_EVICTIONS,		/* pages evicted, oldest first, for room */
	TL_NR_POOL_STATS,
	TL_SHRINKER_FREED = TL_NR_POOL_STATS, /* pages the shrinker freed */
	TL_ALLOC_FAILED,	/* allocations that failed (a page: then evict) */
	TL_ALLOC_LOWMEM,	/* page allocations skipped: free memory low */
	TL_NR_STATS,
};

static const char * const tmem_local_stat_names[] = {
	[TL_PUTS]		= "puts",
	[TL_PUTS_REPLACED]	= "puts_replaced",
	[TL_PUTS_FAILED]	= "puts_failed",
	[TL_PUTS_INJECTED]	= "puts_failed_injected",
	[TL_GETS_HIT]		= "gets_hit",
	[TL_GETS_MISS]		= "gets_miss",
	[TL_FLUSHED_PAGES]	= "flushed_pages",
	[TL_EVICTIONS]		= "evictions",
	[TL_SHRINKER_FREED]	= "shrinker_freed",
	[TL_ALLOC_FAILED]	= "alloc_failed",
	[TL_ALLOC_LOWMEM]	= "alloc_lowmem",
};

/* One stored page: in its object's tree by index and in the store LRU */
struct tmem_local_page {
	struct rb_node node;
	struct list_head lru;
	struct tmem_local_obj *obj;
	struct page *page;
	u32 index;
};

/* One object (a file): in its pool's tree by oid; freed with its last page */
struct tmem_local_obj {
	struct rb_node node;
	struct rb_root pages;
	struct tmem_oid oid;
	struct tmem_local_pool *pool;
	unsigned long nr_pages;
};

struct tmem_local_pool {
	struct rb_root objs;
	u64 uuid[2];
	u32 id;
	bool shared;
	int refs;		/* mounts sharing it */
	unsigned long nr_pages;
	atomic_long_t stats[TL_NR_POOL_STATS];
};

struct tmem_local_store {
	spinlock_t lock;		/* protects all below but stats */
	struct idr pools;		/* pool id -> tmem_local_pool */
	struct list_head lru;		/* stored pages, oldest first */
	struct list_head free_pages;	/* prealloc mode: pages to reuse */
	struct list_head free_descs;	/* prealloc mode: their descriptors */
	unsigned long nr_pages;		/* stored */
	unsigned long nr_free;
	unsigned long nr_free_descs;
	unsigned long max_pages;
	atomic_long_t stats[TL_NR_STATS];
};

extern const struct tmem_store tmem_local_store;
int tmem_local_set_capacity(unsigned long bytes);
unsigned long tmem_local_capacity(void);
unsigned long tmem_local_stored_pages(void);

#endif /* _MM_TMEM_LOCAL_H */
