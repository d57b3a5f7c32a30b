/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Cleancache: a second-chance cache for clean page-cache folios.
 *
 * When the page cache drops a clean, uptodate, mapped-to-disk folio of a
 * filesystem that opted in, cleancache offers a copy to a backend
 * (put); before that filesystem reads the folio from disk it asks the
 * backend for it (get); truncation, hole punching, direct writes and
 * unmount invalidate what the backend holds.  With no backend registered
 * every hook below is one patched-out static branch.
 */
#ifndef _LINUX_CLEANCACHE_H
#define _LINUX_CLEANCACHE_H

#include <linux/fs.h>
#include <linux/exportfs.h>
#include <linux/mm.h>
#include <linux/jump_label.h>

/* sb->cleancache_poolid when the filesystem did not opt in */
#define CLEANCACHE_NO_POOL		-1
/* sb->cleancache_poolid when it opted in before any backend registered */
#define CLEANCACHE_NO_BACKEND		-2
/* ... and when it opted in for a shared pool before any backend */
#define CLEANCACHE_NO_BACKEND_SHARED	-3

/* An exportfs file handle fits; so does an inode number */
#define CLEANCACHE_KEY_MAX		6

/**
 * struct cleancache_filekey - identifies a file within a pool
 * @ino: the inode number, for filesystems without export operations
 * @fh: the exportfs file handle (inode number and generation)
 * @key: the raw words, as handed to a backend
 */
struct cleancache_filekey {
	union {
		ino_t ino;
		__u32 fh[CLEANCACHE_KEY_MAX];
		u32 key[CLEANCACHE_KEY_MAX];
	} u;
};

/**
 * struct cleancache_ops - what a cleancache backend implements
 * @init_fs: create a private pool for a filesystem of page size @pagesize;
 *	return the pool id (>= 0) or a negative errno.
 * @init_shared_fs: the same for a pool shared by every mount of the
 *	filesystem with UUID @uuid (cluster filesystems).
 * @get_page: copy the page at (@pool_id, @key, @index) into @page; return
 *	0 on a hit and a negative errno (-ENODATA for a miss) otherwise.  A
 *	private pool drops its copy on a hit: gets are exclusive.
 * @put_page: store a copy of @page at (@pool_id, @key, @index), replacing
 *	what was there; return 0 if stored, a negative errno if refused.
 *	After a refusal the frontend invalidates the key, so an error path
 *	need not promise that the older copy is gone.
 * @invalidate_page: forget one page.
 * @invalidate_inode: forget every page of one file.
 * @invalidate_fs: forget every page of a pool and destroy it.
 *
 * @put_page and @invalidate_page may be called with the mapping's i_pages
 * lock held and interrupts disabled: they must not sleep.  @get_page is
 * called from process context with the folio locked; @invalidate_inode
 * from process context, and it may sleep.
 */
struct cleancache_ops {
	int (*init_fs)(size_t pagesize);
	int (*init_shared_fs)(uuid_t *uuid, size_t pagesize);
	int (*get_page)(int pool_id, struct cleancache_filekey key,
			pgoff_t index, struct page *page);
	int (*put_page)(int pool_id, struct cleancache_filekey key,
			pgoff_t index, struct page *page);
	void (*invalidate_page)(int pool_id, struct cleancache_filekey key,
				pgoff_t index);
	void (*invalidate_inode)(int pool_id, struct cleancache_filekey key);
	void (*invalidate_fs)(int pool_id);
};

#ifdef CONFIG_CLEANCACHE

DECLARE_STATIC_KEY_FALSE(cleancache_enabled_key);

int cleancache_register_ops(const struct cleancache_ops *ops,
			    const char *name);
struct dentry *cleancache_debugfs_dir(void);
void cleancache_debugfs_counter(const char *name, struct dentry *dir,
				atomic_long_t *counter);
#if IS_ENABLED(CONFIG_CLEANCACHE_KUNIT_TEST)
extern struct file_system_type cleancache_kunit_fs_type;
void cleancache_kunit_set_ops(const struct cleancache_ops *ops);
long cleancache_kunit_stat(const char *name);
long cleancache_kunit_pool_stat(int pool_id, const char *name);
#endif

void __cleancache_init_fs(struct super_block *sb);
void __cleancache_init_shared_fs(struct super_block *sb);
/*
 * The hooks' out-of-line halves return what happened, so that fexit
 * programs see the same outcome the tracepoints record: 0 for a stored
 * put, a hit or a done invalidation; -ENODATA for a miss; -ENOENT when
 * the filesystem has no pool (no operation, no event); another negative
 * errno when the backend refused.
 */
int __cleancache_get_folio(struct folio *folio);
int __cleancache_put_folio(struct folio *folio);
int __cleancache_invalidate_folio(struct address_space *mapping,
				  struct folio *folio);
int __cleancache_invalidate_inode(struct address_space *mapping);
int __cleancache_evict_inode(struct address_space *mapping);
void __cleancache_invalidate_fs(struct super_block *sb);

static inline bool cleancache_enabled(void)
{
	return static_branch_unlikely(&cleancache_enabled_key);
}

static inline bool cleancache_fs_enabled_mapping(struct address_space *mapping)
{
	return mapping->host->i_sb->cleancache_poolid >= 0;
}

static inline void cleancache_init_sb(struct super_block *sb)
{
	sb->cleancache_poolid = CLEANCACHE_NO_POOL;
}

/**
 * cleancache_init_fs - opt a filesystem in to cleancache at mount
 * @sb: the filesystem's superblock, set up far enough that s_dev is valid
 *
 * Creates a private pool now, or remembers the wish until a backend
 * registers.  Pairs with cleancache_invalidate_fs() at unmount.
 */
static inline void cleancache_init_fs(struct super_block *sb)
{
	__cleancache_init_fs(sb);
}

/**
 * cleancache_init_shared_fs - opt a cluster filesystem in to a shared pool
 * @sb: the superblock; sb->s_uuid names the pool
 *
 * Only for a mount whose cluster stack keeps every mount of the UUID
 * coherent: two volumes that merely share a UUID (a clone, a snapshot)
 * would be served each other's pages.  Otherwise use cleancache_init_fs().
 */
static inline void cleancache_init_shared_fs(struct super_block *sb)
{
	__cleancache_init_shared_fs(sb);
}

/**
 * cleancache_get_folio - try to fill a locked folio from cleancache
 * @folio: a locked, !uptodate, order-0 page-cache folio about to be read
 *
 * Return: true if the folio now holds the data (the caller marks it
 * uptodate and skips the disk), false if the caller must read it.
 */
static inline bool cleancache_get_folio(struct folio *folio)
{
	if (cleancache_enabled())
		return __cleancache_get_folio(folio) == 0;
	return false;
}

/**
 * cleancache_put_folio - offer a folio leaving the page cache
 * @folio: the folio, still in the mapping; i_pages may be locked
 *
 * Puts clean, uptodate, mapped-to-disk, order-0 folios of opted-in
 * filesystems; invalidates the key for any other folio so that nothing
 * stale can survive it.
 */
static inline void cleancache_put_folio(struct folio *folio)
{
	if (cleancache_enabled())
		__cleancache_put_folio(folio);
}

/**
 * cleancache_invalidate_folio - forget the copy of one folio
 * @mapping: the folio's mapping
 * @folio: the folio (locked, still in @mapping)
 */
static inline void cleancache_invalidate_folio(struct address_space *mapping,
					       struct folio *folio)
{
	if (cleancache_enabled())
		__cleancache_invalidate_folio(mapping, folio);
}

/**
 * cleancache_invalidate_inode - forget every page of a file
 * @mapping: the file's mapping
 */
static inline void cleancache_invalidate_inode(struct address_space *mapping)
{
	if (cleancache_enabled())
		__cleancache_invalidate_inode(mapping);
}

/**
 * cleancache_evict_inode - the in-memory inode of a file goes away
 * @mapping: the file's mapping, after its final truncation
 *
 * Keeps the copies of a file in a private pool that is still linked and
 * named by an exportfs handle (with its generation); forgets them
 * otherwise.
 */
static inline void cleancache_evict_inode(struct address_space *mapping)
{
	if (cleancache_enabled())
		__cleancache_evict_inode(mapping);
}

/**
 * cleancache_invalidate_fs - forget every page of a filesystem at unmount
 * @sb: the superblock; its pool is destroyed
 */
static inline void cleancache_invalidate_fs(struct super_block *sb)
{
	__cleancache_invalidate_fs(sb);
}

#else /* !CONFIG_CLEANCACHE */

static inline void cleancache_init_sb(struct super_block *sb) {}

static inline void cleancache_init_fs(struct super_block *sb) {}

static inline void cleancache_init_shared_fs(struct super_block *sb) {}

static inline bool cleancache_get_folio(struct folio *folio)
{
	return false;
}

static inline void cleancache_put_folio(struct folio *folio) {}

static inline void cleancache_invalidate_folio(struct address_space *mapping,
					       struct folio *folio) {}

static inline void cleancache_invalidate_inode(struct address_space *mapping) {}

static inline void cleancache_evict_inode(struct address_space *mapping) {}

static inline void cleancache_invalidate_fs(struct super_block *sb) {}

#endif /* CONFIG_CLEANCACHE */

#endif /* _LINUX_CLEANCACHE_H */
