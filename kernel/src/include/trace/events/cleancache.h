/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Cleancache tracepoints: one event per operation (put, get, invalidate of
 * a page or an inode), per pool lifecycle step, per backend registration
 * and per page a store evicts on its own.  Records hold plain numbers for
 * perf, trace-cmd and bpftrace; the prototypes pass the kernel objects for
 * tp_btf programs.  Page and inode events carry the file key the backend
 * is given (the exportfs handle, with the generation), so a store's
 * eviction can be matched with the put that stored the page.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM cleancache

#if !defined(_TRACE_CLEANCACHE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _TRACE_CLEANCACHE_H

#include <linux/tracepoint.h>
#include <linux/fs.h>
#include <linux/mm_types.h>

/*
 * The file key as a backend sees it: struct cleancache_filekey, which is
 * also the bytes of the tmem object id (the frontend and the stores check
 * the size at build time).
 */
#define CLEANCACHE_KEY_BYTES	24
struct cleancache_filekey;

/*
 * @key is last so that programs written for the first four arguments
 * keep working.
 */
DECLARE_EVENT_CLASS(cleancache_page,
		    TP_PROTO(struct inode *inode, struct folio *folio,
			     int pool_id, int ret,
			     const struct cleancache_filekey *key),
		    TP_ARGS(inode, folio, pool_id, ret, key),
		    TP_STRUCT__entry(__field(dev_t, dev)
				     __field(int, pool)
				     __field(unsigned long, ino)
				     __field(pgoff_t, index)
				     __field(int, ret)
				     __array(u8, key, CLEANCACHE_KEY_BYTES)),
		    TP_fast_assign(__entry->dev = inode->i_sb->s_dev;
				   __entry->pool = pool_id;
				   __entry->ino = inode->i_ino;
				   __entry->index = folio->index;
				   __entry->ret = ret;
				   memcpy(__entry->key, key,
					  CLEANCACHE_KEY_BYTES);),
		    TP_printk("dev=%d:%d pool=%d ino=%lu index=%lu ret=%d key=%s",
			      MAJOR(__entry->dev), MINOR(__entry->dev),
			      __entry->pool, __entry->ino,
			      (unsigned long)__entry->index, __entry->ret,
			      __print_hex_str(__entry->key,
					      CLEANCACHE_KEY_BYTES))
);

/* ret: 0 when the backend stored the page, else why it did not */
DEFINE_EVENT(cleancache_page, cleancache_put,
	     TP_PROTO(struct inode *inode, struct folio *folio, int pool_id,
		      int ret, const struct cleancache_filekey *key),
	     TP_ARGS(inode, folio, pool_id, ret, key)
);

/* ret: 0 on a hit (the folio was filled), -ENODATA on a miss */
DEFINE_EVENT(cleancache_page, cleancache_get,
	     TP_PROTO(struct inode *inode, struct folio *folio, int pool_id,
		      int ret, const struct cleancache_filekey *key),
	     TP_ARGS(inode, folio, pool_id, ret, key)
);

/* ret: 0 */
DEFINE_EVENT(cleancache_page, cleancache_invalidate_page,
	     TP_PROTO(struct inode *inode, struct folio *folio, int pool_id,
		      int ret, const struct cleancache_filekey *key),
	     TP_ARGS(inode, folio, pool_id, ret, key)
);

TRACE_EVENT(cleancache_invalidate_inode,
	    TP_PROTO(struct inode *inode, int pool_id,
		     const struct cleancache_filekey *key),
	    TP_ARGS(inode, pool_id, key),
	    TP_STRUCT__entry(__field(dev_t, dev)
			     __field(int, pool)
			     __field(unsigned long, ino)
			     __array(u8, key, CLEANCACHE_KEY_BYTES)),
	    TP_fast_assign(__entry->dev = inode->i_sb->s_dev;
			   __entry->pool = pool_id;
			   __entry->ino = inode->i_ino;
			   memcpy(__entry->key, key, CLEANCACHE_KEY_BYTES);),
	    TP_printk("dev=%d:%d pool=%d ino=%lu key=%s",
		      MAJOR(__entry->dev), MINOR(__entry->dev),
		      __entry->pool, __entry->ino,
		      __print_hex_str(__entry->key, CLEANCACHE_KEY_BYTES))
);

DECLARE_EVENT_CLASS(cleancache_pool,
		    TP_PROTO(struct super_block *sb, int pool_id, bool shared,
			     int ret),
		    TP_ARGS(sb, pool_id, shared, ret),
		    TP_STRUCT__entry(__field(dev_t, dev)
				     __field(int, pool)
				     __field(bool, shared)
				     __field(int, ret)
				     __array(char, fstype, 16)),
		    TP_fast_assign(__entry->dev = sb->s_dev;
				   __entry->pool = pool_id;
				   __entry->shared = shared;
				   __entry->ret = ret;
				   strscpy(__entry->fstype, sb->s_type->name,
					   sizeof(__entry->fstype));),
		    TP_printk("dev=%d:%d pool=%d fstype=%s shared=%d ret=%d",
			      MAJOR(__entry->dev), MINOR(__entry->dev),
			      __entry->pool, __entry->fstype, __entry->shared,
			      __entry->ret)
);

/*
 * A filesystem opted in.  ret: 0 with the new pool id, -ENODEV while no
 * backend is registered (the pool is created when one registers), or the
 * backend's error.
 */
DEFINE_EVENT(cleancache_pool, cleancache_pool_create,
	     TP_PROTO(struct super_block *sb, int pool_id, bool shared,
		      int ret),
	     TP_ARGS(sb, pool_id, shared, ret)
);

/* invalidate fs: the pool and every page in it are gone (unmount) */
DEFINE_EVENT(cleancache_pool, cleancache_pool_destroy,
	     TP_PROTO(struct super_block *sb, int pool_id, bool shared,
		      int ret),
	     TP_ARGS(sb, pool_id, shared, ret)
);

TRACE_EVENT(cleancache_backend_register,
	    TP_PROTO(const char *name, int ret),
	    TP_ARGS(name, ret),
	    TP_STRUCT__entry(__string(name, name)
			     __field(int, ret)),
	    TP_fast_assign(__assign_str(name);
			   __entry->ret = ret;),
	    TP_printk("backend=%s ret=%d", __get_str(name), __entry->ret)
);

#ifndef __CLEANCACHE_EVICT_REASON
#define __CLEANCACHE_EVICT_REASON
/*
 * Why a store dropped a page it held, on its own.  capacity: the store was
 * full and made room for a newer put; lowmem: free memory was short (or a
 * page allocation failed), so a put reused the oldest page; shrinker:
 * memory pressure took pages back; resize: the store's capacity was
 * lowered.
 */
enum cleancache_evict_reason {
	CLEANCACHE_EVICT_CAPACITY,
	CLEANCACHE_EVICT_LOWMEM,
	CLEANCACHE_EVICT_SHRINKER,
	CLEANCACHE_EVICT_RESIZE,
};
#endif

TRACE_DEFINE_ENUM(CLEANCACHE_EVICT_CAPACITY);
TRACE_DEFINE_ENUM(CLEANCACHE_EVICT_LOWMEM);
TRACE_DEFINE_ENUM(CLEANCACHE_EVICT_SHRINKER);
TRACE_DEFINE_ENUM(CLEANCACHE_EVICT_RESIZE);

/*
 * A store dropped a stored page on its own (not asked to by a flush): the
 * key is the pool, the file key (@key: the tmem object id as words, the
 * same bytes the page events carry) and the page index.  A get of it will
 * miss.  (@key is not void *: BTF-typed programs may read only pointers
 * to structs and integers.)
 */
TRACE_EVENT(cleancache_evict,
	    TP_PROTO(const char *store, u32 pool_id, const u32 *key,
		     u32 index, enum cleancache_evict_reason reason),
	    TP_ARGS(store, pool_id, key, index, reason),
	    TP_STRUCT__entry(__string(store, store)
			     __field(int, pool)
			     __field(u32, index)
			     __field(int, reason)
			     __array(u8, key, CLEANCACHE_KEY_BYTES)),
	    TP_fast_assign(__assign_str(store);
			   __entry->pool = pool_id;
			   __entry->index = index;
			   __entry->reason = reason;
			   memcpy(__entry->key, key, CLEANCACHE_KEY_BYTES);),
	    TP_printk("store=%s pool=%d index=%u reason=%s key=%s",
		      __get_str(store), __entry->pool, __entry->index,
		      __print_symbolic(__entry->reason,
				       { CLEANCACHE_EVICT_CAPACITY, "capacity" },
				       { CLEANCACHE_EVICT_LOWMEM, "lowmem" },
				       { CLEANCACHE_EVICT_SHRINKER, "shrinker" },
				       { CLEANCACHE_EVICT_RESIZE, "resize" }),
		      __print_hex_str(__entry->key, CLEANCACHE_KEY_BYTES))
);

#endif /* _TRACE_CLEANCACHE_H */

/* This part must be outside protection */
#include <trace/define_trace.h>
