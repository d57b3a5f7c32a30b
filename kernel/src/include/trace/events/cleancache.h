/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Cleancache tracepoints: one event per operation (put, get, invalidate of
 * a page or an inode), per pool lifecycle step and per backend
 * registration.  Records hold plain numbers for perf, trace-cmd and
 * bpftrace; the prototypes pass the kernel objects for tp_btf programs.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM cleancache

#if !defined(_TRACE_CLEANCACHE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _TRACE_CLEANCACHE_H

#include <linux/tracepoint.h>
#include <linux/fs.h>
#include <linux/mm_types.h>

DECLARE_EVENT_CLASS(cleancache_page,
		    TP_PROTO(struct inode *inode, struct folio *folio,
			     int pool_id, int ret),
		    TP_ARGS(inode, folio, pool_id, ret),
		    TP_STRUCT__entry(__field(dev_t, dev)
				     __field(int, pool)
				     __field(unsigned long, ino)
				     __field(pgoff_t, index)
				     __field(int, ret)),
		    TP_fast_assign(__entry->dev = inode->i_sb->s_dev;
				   __entry->pool = pool_id;
				   __entry->ino = inode->i_ino;
				   __entry->index = folio->index;
				   __entry->ret = ret;),
		    TP_printk("dev=%d:%d pool=%d ino=%lu index=%lu ret=%d",
			      MAJOR(__entry->dev), MINOR(__entry->dev),
			      __entry->pool, __entry->ino,
			      (unsigned long)__entry->index, __entry->ret)
);

/* ret: 0 when the backend stored the page, else why it did not */
DEFINE_EVENT(cleancache_page, cleancache_put,
	     TP_PROTO(struct inode *inode, struct folio *folio, int pool_id,
		      int ret),
	     TP_ARGS(inode, folio, pool_id, ret)
);

/* ret: 0 on a hit (the folio was filled), -ENODATA on a miss */
DEFINE_EVENT(cleancache_page, cleancache_get,
	     TP_PROTO(struct inode *inode, struct folio *folio, int pool_id,
		      int ret),
	     TP_ARGS(inode, folio, pool_id, ret)
);

/* ret: 0 */
DEFINE_EVENT(cleancache_page, cleancache_invalidate_page,
	     TP_PROTO(struct inode *inode, struct folio *folio, int pool_id,
		      int ret),
	     TP_ARGS(inode, folio, pool_id, ret)
);

TRACE_EVENT(cleancache_invalidate_inode,
	    TP_PROTO(struct inode *inode, int pool_id),
	    TP_ARGS(inode, pool_id),
	    TP_STRUCT__entry(__field(dev_t, dev)
			     __field(int, pool)
			     __field(unsigned long, ino)),
	    TP_fast_assign(__entry->dev = inode->i_sb->s_dev;
			   __entry->pool = pool_id;
			   __entry->ino = inode->i_ino;),
	    TP_printk("dev=%d:%d pool=%d ino=%lu",
		      MAJOR(__entry->dev), MINOR(__entry->dev),
		      __entry->pool, __entry->ino)
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

#endif /* _TRACE_CLEANCACHE_H */

/* This part must be outside protection */
#include <trace/define_trace.h>
