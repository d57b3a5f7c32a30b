// SPDX-License-Identifier: GPL-2.0-only
/*
 * Cleancache frontend: the hooks the page cache and filesystems call, and
 * the contract with one backend.
 *
 * A clean folio that leaves the page cache of an opted-in filesystem is
 * offered to the backend; a read asks the backend before it goes to disk;
 * truncation, direct writes and unmount invalidate.  Pages are named by
 * (pool, file key, index): one pool per filesystem, created at mount (or
 * when a backend registers later), destroyed at unmount; the file key is
 * the exportfs handle when the filesystem has one, else the inode number.
 * The copies of a file named by a handle outlive its in-memory inode
 * while it stays linked; Documentation/admin-guide/mm/cleancache.rst
 * argues why no copy is ever stale.
 *
 * Every operation is a tracepoint and is counted per outcome, globally and
 * per pool, in debugfs cleancache/.  Until a backend registers, the hooks
 * are a patched-out static branch.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/cleancache.h>
#include <linux/debugfs.h>
#include <linux/exportfs.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/pagemap.h>
#include <linux/rcupdate.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/xarray.h>
#include <kunit/visibility.h>

#define CREATE_TRACE_POINTS
#include <trace/events/cleancache.h>

DEFINE_STATIC_KEY_FALSE(cleancache_enabled_key);
EXPORT_SYMBOL_GPL(cleancache_enabled_key);

/* Counters kept globally and per pool; each is one outcome. */
enum cleancache_stat {
	CC_PUTS,		/* pages the backend stored */
	CC_PUTS_REFUSED,	/* pages the backend did not store */
	CC_SUCC_GETS,		/* reads served from cleancache */
	CC_FAILED_GETS,		/* reads cleancache could not serve */
	CC_INVALIDATES,		/* single pages invalidated */
	CC_INODE_INVALIDATES,	/* whole files invalidated */
	CC_NR_POOL_STATS,
	CC_FS_INVALIDATES = CC_NR_POOL_STATS, /* pools destroyed (unmount) */
	CC_POOLS_CREATED,	/* pools a backend created */
	CC_POOL_CREATE_FAILED,	/* pools a backend failed to create */
	CC_INODES_KEPT,		/* inodes evicted with their copies kept */
	CC_PUTS_REJECTED_HWPOISON, /* poisoned folios never copied */
	CC_NR_STATS,
};

static const char * const cleancache_stat_names[CC_NR_STATS] = {
	[CC_PUTS]		= "puts",
	[CC_PUTS_REFUSED]	= "puts_refused",
	[CC_SUCC_GETS]		= "succ_gets",
	[CC_FAILED_GETS]	= "failed_gets",
	[CC_INVALIDATES]	= "invalidates",
	[CC_INODE_INVALIDATES]	= "inode_invalidates",
	[CC_FS_INVALIDATES]	= "fs_invalidates",
	[CC_POOLS_CREATED]	= "pools_created",
	[CC_POOL_CREATE_FAILED]	= "pool_create_failed",
	[CC_INODES_KEPT]	= "inodes_kept",
	[CC_PUTS_REJECTED_HWPOISON] = "puts_rejected_hwpoison",
};

/* A mounted filesystem using a pool */
struct cleancache_pool_mount {
	struct list_head node;
	dev_t dev;
};

/*
 * What the frontend knows of each pool, from the first mount the backend
 * handed its id to until the last of them unmounts: a shared pool can
 * serve several mounts under one id, and its counters keep running while
 * any of them is mounted.  Kept in the frontend's xarray by pool id, so
 * ids have no fixed limit.  Added, changed and removed under
 * cleancache_pools_mutex; the hooks find it under RCU only to bump @stats
 * (atomics), so it is freed after a grace period.
 */
struct cleancache_pool_info {
	struct rcu_head rcu;
	int refs;			/* mounts using the pool */
	bool shared;
	char fstype[16];
	struct list_head mounts;	/* cleancache_pool_mount, oldest first */
	atomic_long_t stats[CC_NR_POOL_STATS];
};

/*
 * A backend with its counters.  There is one for the kernel's
 * filesystems; the KUnit suite has its own, for its own filesystem type,
 * so that it never registers a backend or counts into the real one.
 * @ops is set once and never cleared: there is no unregister.
 */
struct cleancache_frontend {
	const struct cleancache_ops *ops;
	const char *name;
	atomic_long_t stats[CC_NR_STATS];
	struct xarray pools;	/* pool id -> struct cleancache_pool_info */
};

/* Serializes pool attach and detach, and readers of whole pool records */
static DEFINE_MUTEX(cleancache_pools_mutex);
static struct cleancache_frontend cleancache_main = {
	.name = "none",
	.pools = XARRAY_INIT(cleancache_main.pools, 0),
};

#if IS_ENABLED(CONFIG_CLEANCACHE_KUNIT_TEST)
static struct cleancache_frontend cleancache_kunit = {
	.pools = XARRAY_INIT(cleancache_kunit.pools, 0),
};

/* Only the KUnit suite's superblocks are of this type. */
struct file_system_type cleancache_kunit_fs_type = {
	.name = "cleancache_kunit",
};
EXPORT_SYMBOL_IF_KUNIT(cleancache_kunit_fs_type);

static struct cleancache_frontend *cleancache_frontend_of(struct super_block *sb)
{
	if (sb->s_type == &cleancache_kunit_fs_type)
		return &cleancache_kunit;
	return &cleancache_main;
}

/**
 * cleancache_kunit_set_ops - the backend of cleancache_kunit_fs_type
 * @ops: the test's backend, or NULL when the suite is done
 *
 * Resets the test's counters.  Superblocks of any other type are not
 * affected: the kernel's backend and counters stay as they are.
 */
void cleancache_kunit_set_ops(const struct cleancache_ops *ops)
{
	int i;

	for (i = 0; i < CC_NR_STATS; i++)
		atomic_long_set(&cleancache_kunit.stats[i], 0);
	/* Pairs with the smp_load_acquire() in cleancache_opt_in(). */
	smp_store_release(&cleancache_kunit.ops, ops);
}
EXPORT_SYMBOL_IF_KUNIT(cleancache_kunit_set_ops);

/**
 * cleancache_kunit_stat - a counter of the test's frontend, by name
 * @name: a debugfs counter name, e.g. "puts"
 *
 * Return: the counter, or -1 for an unknown name.
 */
long cleancache_kunit_stat(const char *name)
{
	int i;

	for (i = 0; i < CC_NR_STATS; i++) {
		if (!strcmp(name, cleancache_stat_names[i]))
			return atomic_long_read(&cleancache_kunit.stats[i]);
	}
	return -1;
}
EXPORT_SYMBOL_IF_KUNIT(cleancache_kunit_stat);

/**
 * cleancache_kunit_pool_stat - a per-pool counter of the test's frontend
 * @pool_id: the pool, as the test's backend numbered it
 * @name: a per-pool counter name, e.g. "puts"
 *
 * Return: the counter, or -1 for an unknown name or a pool the frontend
 * does not show (as debugfs cleancache/pools would not).
 */
long cleancache_kunit_pool_stat(int pool_id, const char *name)
{
	struct cleancache_pool_info *info;
	long val = -1;
	int i;

	if (pool_id < 0)
		return -1;
	mutex_lock(&cleancache_pools_mutex);
	info = xa_load(&cleancache_kunit.pools, pool_id);
	for (i = 0; info && i < CC_NR_POOL_STATS; i++) {
		if (!strcmp(name, cleancache_stat_names[i]))
			val = atomic_long_read(&info->stats[i]);
	}
	mutex_unlock(&cleancache_pools_mutex);
	return val;
}
EXPORT_SYMBOL_IF_KUNIT(cleancache_kunit_pool_stat);
#else
static struct cleancache_frontend *cleancache_frontend_of(struct super_block *sb)
{
	return &cleancache_main;
}
#endif

/* Context: any, including i_pages held with interrupts off. */
static void cleancache_count(struct cleancache_frontend *fe, int pool_id,
			     enum cleancache_stat stat)
{
	struct cleancache_pool_info *info;

	atomic_long_inc(&fe->stats[stat]);
	if (stat >= CC_NR_POOL_STATS || pool_id < 0)
		return;
	rcu_read_lock();
	info = xa_load(&fe->pools, pool_id);
	if (info)
		atomic_long_inc(&info->stats[stat]);
	rcu_read_unlock();
}

/*
 * Record that @sb uses pool @pool_id: a new record with zeroed counters
 * for the pool's first mount, one more mount on the record of a pool
 * already in use (a shared pool joined again).  Context: process context.
 *
 * Return: 0, or -ENOMEM.
 */
static int cleancache_pool_attach(struct cleancache_frontend *fe,
				  struct super_block *sb, int pool_id,
				  bool shared)
{
	struct cleancache_pool_info *info;
	struct cleancache_pool_mount *mnt;
	int ret = 0;

	mnt = kmalloc(sizeof(*mnt), GFP_KERNEL);
	if (!mnt)
		return -ENOMEM;
	mnt->dev = sb->s_dev;

	mutex_lock(&cleancache_pools_mutex);
	info = xa_load(&fe->pools, pool_id);
	if (!info) {
		info = kzalloc(sizeof(*info), GFP_KERNEL);
		if (!info) {
			ret = -ENOMEM;
			goto out_free_mnt;
		}
		info->shared = shared;
		strscpy(info->fstype, sb->s_type->name, sizeof(info->fstype));
		INIT_LIST_HEAD(&info->mounts);
		ret = xa_err(xa_store(&fe->pools, pool_id, info, GFP_KERNEL));
		if (ret) {
			kfree(info);
			goto out_free_mnt;
		}
	}
	info->refs++;
	list_add_tail(&mnt->node, &info->mounts);
	mutex_unlock(&cleancache_pools_mutex);
	return 0;

out_free_mnt:
	mutex_unlock(&cleancache_pools_mutex);
	kfree(mnt);
	return ret;
}

/*
 * @sb no longer uses pool @pool_id; the record goes with its last mount.
 * Context: process context.
 *
 * Return: whether the pool was shared.
 */
static bool cleancache_pool_detach(struct cleancache_frontend *fe,
				   struct super_block *sb, int pool_id)
{
	struct cleancache_pool_info *info;
	struct cleancache_pool_mount *mnt;
	bool shared = false;

	mutex_lock(&cleancache_pools_mutex);
	info = xa_load(&fe->pools, pool_id);
	if (!info)
		goto out_unlock;
	shared = info->shared;
	list_for_each_entry(mnt, &info->mounts, node) {
		if (mnt->dev == sb->s_dev) {
			list_del(&mnt->node);
			kfree(mnt);
			break;
		}
	}
	if (!--info->refs) {
		xa_erase(&fe->pools, pool_id);
		kfree_rcu(info, rcu);
	}
out_unlock:
	mutex_unlock(&cleancache_pools_mutex);
	return shared;
}

/*
 * The file key: the exportfs handle (inode number and generation, and for
 * btrfs the subvolume) when the filesystem can encode one, so that a
 * recycled inode number never finds another file's pages; the inode
 * number otherwise.
 */
static int cleancache_get_key(struct inode *inode,
			      struct cleancache_filekey *key)
{
	const struct export_operations *eops = inode->i_sb->s_export_op;
	int maxlen = CLEANCACHE_KEY_MAX;
	int type;

	memset(key, 0, sizeof(*key));
	if (!eops || !eops->encode_fh) {
		key->u.ino = inode->i_ino;
		return 0;
	}
	type = eops->encode_fh(inode, key->u.fh, &maxlen, NULL);
	if (type <= FILEID_ROOT || type == FILEID_INVALID ||
	    maxlen > CLEANCACHE_KEY_MAX)
		return -EINVAL;
	return 0;
}

/*
 * Data that must never be copied out: encrypted or verity-checked files.
 * Nor the pages of an active swap file: swap I/O rewrites its blocks
 * behind the page cache, so a copy would outlive the data on disk.
 */
static bool cleancache_inode_eligible(struct inode *inode)
{
	return !IS_ENCRYPTED(inode) && !IS_VERITY(inode) && !IS_DAX(inode) &&
	       !IS_SWAPFILE(inode);
}

static void cleancache_create_pool(struct cleancache_frontend *fe,
				   struct super_block *sb, bool shared)
{
	int pool_id;

	if (shared)
		pool_id = fe->ops->init_shared_fs(&sb->s_uuid, PAGE_SIZE);
	else
		pool_id = fe->ops->init_fs(PAGE_SIZE);

	/* A pool the frontend cannot count is given back */
	if (pool_id >= 0 && cleancache_pool_attach(fe, sb, pool_id, shared)) {
		fe->ops->invalidate_fs(pool_id);
		pool_id = -ENOMEM;
	}
	trace_cleancache_pool_create(sb, pool_id < 0 ? CLEANCACHE_NO_POOL :
				     pool_id, shared, min(pool_id, 0));
	if (pool_id < 0) {
		cleancache_count(fe, -1, CC_POOL_CREATE_FAILED);
		sb->cleancache_poolid = CLEANCACHE_NO_POOL;
		return;
	}
	cleancache_count(fe, pool_id, CC_POOLS_CREATED);
	/* Publish the id only once its statistics slot is ready. */
	WRITE_ONCE(sb->cleancache_poolid, pool_id);
}

static void cleancache_opt_in(struct super_block *sb, bool shared)
{
	struct cleancache_frontend *fe = cleancache_frontend_of(sb);
	/* Pairs with the cmpxchg() in cleancache_register_ops(). */
	const struct cleancache_ops *ops = smp_load_acquire(&fe->ops);

	if (ops) {
		cleancache_create_pool(fe, sb, shared);
		return;
	}
	sb->cleancache_poolid = shared ? CLEANCACHE_NO_BACKEND_SHARED :
					 CLEANCACHE_NO_BACKEND;
	trace_cleancache_pool_create(sb, CLEANCACHE_NO_POOL, shared, -ENODEV);
}

/**
 * __cleancache_init_fs - create a private pool for a filesystem
 * @sb: the superblock being mounted (s_umount held)
 *
 * Without a backend the wish is remembered in sb->cleancache_poolid and
 * honoured by cleancache_register_ops().
 */
void __cleancache_init_fs(struct super_block *sb)
{
	cleancache_opt_in(sb, false);
}
EXPORT_SYMBOL(__cleancache_init_fs);

/**
 * __cleancache_init_shared_fs - join the pool shared under sb->s_uuid
 * @sb: the superblock being mounted (s_umount held)
 */
void __cleancache_init_shared_fs(struct super_block *sb)
{
	cleancache_opt_in(sb, true);
}
EXPORT_SYMBOL(__cleancache_init_shared_fs);

static void cleancache_register_ops_sb(struct super_block *sb, void *unused)
{
	switch (sb->cleancache_poolid) {
	case CLEANCACHE_NO_BACKEND:
		cleancache_create_pool(&cleancache_main, sb, false);
		break;
	case CLEANCACHE_NO_BACKEND_SHARED:
		cleancache_create_pool(&cleancache_main, sb, true);
		break;
	}
}

/**
 * cleancache_register_ops - make @ops the cleancache backend
 * @ops: the backend's operations; must stay valid forever
 * @name: the backend's name, for logs, debugfs and the tracepoint
 *
 * Filesystems mounted before this call get their pools now.  Context:
 * process context; takes s_umount of every superblock.
 *
 * Return: 0, or -EBUSY if a backend is already registered.
 */
int cleancache_register_ops(const struct cleancache_ops *ops, const char *name)
{
	if (cmpxchg_release(&cleancache_main.ops, NULL, ops)) {
		trace_cleancache_backend_register(name, -EBUSY);
		return -EBUSY;
	}
	WRITE_ONCE(cleancache_main.name, name);

	/*
	 * Filesystems may mount while we register.  iterate_supers() skips
	 * only superblocks that are dying, and waits for one still being
	 * mounted; a mount that it does not see started after the store
	 * above and so sees the backend in cleancache_opt_in().  Either way
	 * each opted-in superblock gets exactly one pool: the switch in
	 * cleancache_register_ops_sb() acts only on the NO_BACKEND markers.
	 */
	iterate_supers(cleancache_register_ops_sb, NULL);
	static_branch_enable(&cleancache_enabled_key);
	trace_cleancache_backend_register(name, 0);
	pr_info("backend %s registered\n", name);
	return 0;
}
EXPORT_SYMBOL_GPL(cleancache_register_ops);

/*
 * The pool of a regular file's filesystem, or a negative id.  Only file
 * data is cached: metadata mappings (such as btrfs's btree inode) are not
 * regular files.
 */
static int cleancache_inode_pool(struct inode *inode)
{
	if (!inode || !S_ISREG(inode->i_mode))
		return CLEANCACHE_NO_POOL;
	return READ_ONCE(inode->i_sb->cleancache_poolid);
}

static int cleancache_folio_pool(struct folio *folio, struct inode **inodep)
{
	struct address_space *mapping = folio->mapping;

	if (!mapping)
		return CLEANCACHE_NO_POOL;
	*inodep = mapping->host;
	return cleancache_inode_pool(*inodep);
}

/**
 * __cleancache_get_folio - fill a folio from cleancache before a disk read
 * @folio: locked, !uptodate, in the page cache
 *
 * On a hit the caller marks the folio uptodate.  A private pool drops its
 * copy: the page cache holds the only copy again.
 *
 * Return: 0 on a hit, -ENODATA on a miss, -ENOENT if the filesystem has
 * no pool, or the backend's error.
 */
int __cleancache_get_folio(struct folio *folio)
{
	struct cleancache_frontend *fe;
	struct cleancache_filekey key;
	struct inode *inode;
	int pool_id, ret;

	pool_id = cleancache_folio_pool(folio, &inode);
	if (pool_id < 0 || folio_test_large(folio) ||
	    !cleancache_inode_eligible(inode))
		return -ENOENT;
	if (cleancache_get_key(inode, &key))
		return -ENOENT;

	fe = cleancache_frontend_of(inode->i_sb);
	ret = fe->ops->get_page(pool_id, key, folio->index,
				folio_page(folio, 0));
	if (ret > 0)
		ret = -ENODATA;
	cleancache_count(fe, pool_id, ret ? CC_FAILED_GETS : CC_SUCC_GETS);
	trace_cleancache_get(inode, folio, pool_id, ret, &key);
	return ret;
}
EXPORT_SYMBOL(__cleancache_get_folio);

static int cleancache_invalidate_index(struct inode *inode, int pool_id,
				       struct cleancache_filekey *key,
				       struct folio *folio)
{
	struct cleancache_frontend *fe = cleancache_frontend_of(inode->i_sb);
	long i, nr = folio_nr_pages(folio);

	for (i = 0; i < nr; i++)
		fe->ops->invalidate_page(pool_id, *key, folio->index + i);
	cleancache_count(fe, pool_id, CC_INVALIDATES);
	trace_cleancache_invalidate_page(inode, folio, pool_id, 0, key);
	return 0;
}

/* Only whole, clean, on-disk pages: anything else could be stale later. */
static bool cleancache_folio_eligible(struct folio *folio)
{
	return !folio_test_large(folio) && folio_test_uptodate(folio) &&
	       !folio_test_dirty(folio) && !folio_test_writeback(folio) &&
	       folio_test_mappedtodisk(folio);
}

/**
 * __cleancache_put_folio - offer a folio that leaves the page cache
 * @folio: the folio, still in its mapping
 *
 * An eligible folio is copied to the backend; any other folio of a pooled
 * filesystem has its key invalidated, so a copy from an older put cannot
 * outlive newer data.  A put the backend refuses is followed by an
 * invalidation of the key too: a backend's error path need not have
 * dropped the older copy.  A hardware-poisoned folio is never read: its
 * data is lost, and copying it would consume the poison.  Context: may
 * hold i_pages with interrupts off.
 *
 * Return: 0 when stored (or invalidated), -ENOENT without a pool,
 * -EHWPOISON for a poisoned folio, or the backend's reason for refusing.
 */
int __cleancache_put_folio(struct folio *folio)
{
	struct cleancache_frontend *fe;
	struct cleancache_filekey key;
	struct inode *inode;
	int pool_id, ret;

	pool_id = cleancache_folio_pool(folio, &inode);
	if (pool_id < 0 || cleancache_get_key(inode, &key))
		return -ENOENT;
	fe = cleancache_frontend_of(inode->i_sb);
	if (folio_test_hwpoison(folio)) {
		cleancache_invalidate_index(inode, pool_id, &key, folio);
		cleancache_count(fe, pool_id, CC_PUTS_REJECTED_HWPOISON);
		return -EHWPOISON;
	}
	if (!cleancache_folio_eligible(folio) ||
	    !cleancache_inode_eligible(inode))
		return cleancache_invalidate_index(inode, pool_id, &key, folio);

	ret = fe->ops->put_page(pool_id, key, folio->index,
				folio_page(folio, 0));
	if (ret)
		fe->ops->invalidate_page(pool_id, key, folio->index);
	cleancache_count(fe, pool_id, ret ? CC_PUTS_REFUSED : CC_PUTS);
	trace_cleancache_put(inode, folio, pool_id, ret, &key);
	return ret;
}
EXPORT_SYMBOL(__cleancache_put_folio);

/**
 * __cleancache_invalidate_folio - forget the copy of one folio
 * @mapping: the folio's mapping
 * @folio: the folio
 *
 * Return: 0, or -ENOENT if the filesystem has no pool.
 */
int __cleancache_invalidate_folio(struct address_space *mapping,
				  struct folio *folio)
{
	struct inode *inode = mapping->host;
	struct cleancache_filekey key;
	int pool_id = cleancache_inode_pool(inode);

	if (pool_id < 0 || cleancache_get_key(inode, &key))
		return -ENOENT;
	return cleancache_invalidate_index(inode, pool_id, &key, folio);
}
EXPORT_SYMBOL(__cleancache_invalidate_folio);

/**
 * __cleancache_invalidate_inode - forget every page of a file
 * @mapping: the file's mapping
 *
 * Context: process context; may sleep (a store frees a large file's
 * copies in batches and reschedules between them).
 *
 * Return: 0, or -ENOENT if the filesystem has no pool.
 */
int __cleancache_invalidate_inode(struct address_space *mapping)
{
	struct inode *inode = mapping->host;
	struct cleancache_frontend *fe;
	struct cleancache_filekey key;
	int pool_id;

	might_sleep();
	pool_id = cleancache_inode_pool(inode);
	if (pool_id < 0 || cleancache_get_key(inode, &key))
		return -ENOENT;
	fe = cleancache_frontend_of(inode->i_sb);
	fe->ops->invalidate_inode(pool_id, key);
	cleancache_count(fe, pool_id, CC_INODE_INVALIDATES);
	trace_cleancache_invalidate_inode(inode, pool_id, &key);
	return 0;
}
EXPORT_SYMBOL(__cleancache_invalidate_inode);

/* Whether @pool_id is shared (or unknown, which is treated alike) */
static bool cleancache_pool_shared(struct cleancache_frontend *fe,
				   int pool_id)
{
	struct cleancache_pool_info *info;
	bool shared;

	rcu_read_lock();
	info = xa_load(&fe->pools, pool_id);
	shared = !info || info->shared;
	rcu_read_unlock();
	return shared;
}

/*
 * Whether a file's copies may outlive its in-memory inode: it is still
 * linked, so it can only change again through a new in-memory inode, and
 * its key is an exportfs handle with the generation, so no other file
 * can ever have it.  An inode number alone could be reused.  Never in a
 * shared pool: there another node can change the file while this one
 * holds no lock on it, and only the in-memory inode's cluster lock kept
 * the copies valid.
 */
static bool cleancache_keep_on_evict(struct inode *inode, int pool_id)
{
	const struct export_operations *eops = inode->i_sb->s_export_op;

	return inode->i_nlink && eops && eops->encode_fh &&
	       !is_bad_inode(inode) && (inode->i_sb->s_flags & SB_ACTIVE) &&
	       !cleancache_pool_shared(cleancache_frontend_of(inode->i_sb),
				       pool_id);
}

/**
 * __cleancache_evict_inode - the in-memory inode of a file goes away
 * @mapping: the file's mapping, after its final truncation
 *
 * Keeps the file's copies while it stays linked under a stable handle,
 * so that a re-read after inode reclaim (or drop_caches) is served from
 * cleancache; forgets them when the file was deleted, its key is an
 * inode number or its pool is shared.  Unmount destroys the pool before
 * inodes are evicted.
 *
 * Return: 0 when kept or forgotten, -ENOENT if the filesystem has no pool.
 */
int __cleancache_evict_inode(struct address_space *mapping)
{
	struct inode *inode = mapping->host;
	int pool_id = cleancache_inode_pool(inode);

	if (pool_id < 0)
		return -ENOENT;
	if (!cleancache_keep_on_evict(inode, pool_id))
		return __cleancache_invalidate_inode(mapping);
	cleancache_count(cleancache_frontend_of(inode->i_sb), pool_id,
			 CC_INODES_KEPT);
	return 0;
}
EXPORT_SYMBOL(__cleancache_evict_inode);

/**
 * __cleancache_invalidate_fs - destroy a filesystem's pool at unmount
 * @sb: the superblock, before ->kill_sb evicts its inodes
 *
 * The pool id is cleared first, so the page-cache teardown that follows
 * no longer feeds the backend.
 */
void __cleancache_invalidate_fs(struct super_block *sb)
{
	struct cleancache_frontend *fe = cleancache_frontend_of(sb);
	int pool_id = sb->cleancache_poolid;
	bool shared;

	WRITE_ONCE(sb->cleancache_poolid, CLEANCACHE_NO_POOL);
	if (pool_id < 0)
		return;
	/*
	 * Reclaim may be putting a page of this filesystem right now, with
	 * the old id read under i_pages (an RCU read-side section): let it
	 * finish before the id can be handed to another filesystem.
	 */
	synchronize_rcu();
	/*
	 * Forget the record before the backend may hand the id out again,
	 * so that a new pool under this id starts a new record.
	 */
	shared = cleancache_pool_detach(fe, sb, pool_id);
	fe->ops->invalidate_fs(pool_id);
	cleancache_count(fe, pool_id, CC_FS_INVALIDATES);
	trace_cleancache_pool_destroy(sb, pool_id, shared, 0);
}
EXPORT_SYMBOL(__cleancache_invalidate_fs);

static int cleancache_counter_get(void *data, u64 *val)
{
	*val = atomic_long_read(data);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(cleancache_counter_fops, cleancache_counter_get, NULL,
			 "%llu\n");

/**
 * cleancache_debugfs_counter - expose an atomic counter read-only
 * @name: the file name
 * @dir: the directory, e.g. cleancache_debugfs_dir() or a subdirectory
 * @counter: the counter; must outlive the file
 *
 * For the frontend and its backends alike.  Failure is not fatal.
 */
void cleancache_debugfs_counter(const char *name, struct dentry *dir,
				atomic_long_t *counter)
{
	debugfs_create_file_unsafe(name, 0444, dir, counter,
				   &cleancache_counter_fops);
}
EXPORT_SYMBOL_GPL(cleancache_debugfs_counter);

static int cleancache_backend_show(struct seq_file *m, void *v)
{
	seq_printf(m, "%s\n", READ_ONCE(cleancache_main.name));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(cleancache_backend);

/*
 * One row per pool: its oldest mount's device, its counters, then the
 * devices of every mount using it (a shared pool may have several).
 */
static int cleancache_pools_show(struct seq_file *m, void *v)
{
	struct cleancache_pool_info *info;
	struct cleancache_pool_mount *mnt;
	unsigned long id;
	int i;

	seq_puts(m, "pool dev fstype shared");
	for (i = 0; i < CC_NR_POOL_STATS; i++)
		seq_printf(m, " %s", cleancache_stat_names[i]);
	seq_puts(m, " mounts\n");

	mutex_lock(&cleancache_pools_mutex);
	xa_for_each(&cleancache_main.pools, id, info) {
		dev_t dev = 0;

		mnt = list_first_entry_or_null(&info->mounts,
					       struct cleancache_pool_mount,
					       node);
		if (mnt)
			dev = mnt->dev;
		seq_printf(m, "%lu %u:%u %s %d", id, MAJOR(dev), MINOR(dev),
			   info->fstype, info->shared);
		for (i = 0; i < CC_NR_POOL_STATS; i++)
			seq_printf(m, " %ld", atomic_long_read(&info->stats[i]));
		i = 0;
		list_for_each_entry(mnt, &info->mounts, node)
			seq_printf(m, "%c%u:%u", i++ ? ',' : ' ',
				   MAJOR(mnt->dev), MINOR(mnt->dev));
		seq_putc(m, '\n');
	}
	mutex_unlock(&cleancache_pools_mutex);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(cleancache_pools);

static struct dentry *cleancache_debugfs_root;

/**
 * cleancache_debugfs_dir - debugfs cleancache/, for a backend's own files
 *
 * Return: the directory, or an error pointer that debugfs calls accept.
 */
struct dentry *cleancache_debugfs_dir(void)
{
	return cleancache_debugfs_root;
}
EXPORT_SYMBOL_GPL(cleancache_debugfs_dir);

static int __init cleancache_init(void)
{
	struct dentry *root;
	int i;

	BUILD_BUG_ON(sizeof(struct cleancache_filekey) !=
		     CLEANCACHE_KEY_MAX * sizeof(u32));
	/* the tracepoints copy the key as so many bytes */
	BUILD_BUG_ON(sizeof(struct cleancache_filekey) != CLEANCACHE_KEY_BYTES);
	BUILD_BUG_ON(ARRAY_SIZE(cleancache_stat_names) != CC_NR_STATS);

	/* Statistics are a convenience: failure to expose them is not fatal. */
	root = debugfs_create_dir("cleancache", NULL);
	cleancache_debugfs_root = root;
	for (i = 0; i < CC_NR_STATS; i++)
		cleancache_debugfs_counter(cleancache_stat_names[i], root,
					   &cleancache_main.stats[i]);
	debugfs_create_file("backend", 0444, root, NULL,
			    &cleancache_backend_fops);
	debugfs_create_file("pools", 0444, root, NULL, &cleancache_pools_fops);
	return 0;
}

/* After debugfs (core) and before any store (device, late) */
fs_initcall(cleancache_init);
