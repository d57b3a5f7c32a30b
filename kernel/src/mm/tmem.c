// SPDX-License-Identifier: GPL-2.0-only
/*
 * The tmem client layer: turns cleancache operations into tmem operations
 * on whichever store registered (the Xen hypercall transport or the local
 * RAM store), exactly as the Xen tmem driver did.  Cleancache keys become
 * tmem object ids; page indexes beyond the 32 bits of the tmem ABI are
 * refused and counted, never truncated.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cleancache.h>
#include <linux/tmem.h>

static const struct tmem_store *tmem_store __read_mostly;

/* Operations the tmem ABI cannot express (index above U32_MAX) */
static atomic_long_t tmem_index_overflow;

static struct tmem_oid tmem_oid_of(const struct cleancache_filekey *key)
{
	struct tmem_oid oid;

	BUILD_BUG_ON(sizeof(oid) != sizeof(*key));
	memcpy(&oid, key, sizeof(oid));
	return oid;
}

static bool tmem_index_fits(pgoff_t index)
{
	if (likely(index <= U32_MAX))
		return true;
	atomic_long_inc(&tmem_index_overflow);
	return false;
}

static int tmem_cleancache_init_fs(size_t pagesize)
{
	static const u64 private_uuid[2];

	return tmem_store->new_pool(private_uuid,
				    tmem_pool_flags(false, pagesize));
}

static int tmem_cleancache_init_shared_fs(uuid_t *uuid, size_t pagesize)
{
	u64 shared_uuid[2];

	BUILD_BUG_ON(sizeof(shared_uuid) != sizeof(*uuid));
	memcpy(shared_uuid, uuid, sizeof(shared_uuid));
	return tmem_store->new_pool(shared_uuid,
				    tmem_pool_flags(true, pagesize));
}

static int tmem_cleancache_get_page(int pool_id, struct cleancache_filekey key,
				    pgoff_t index, struct page *page)
{
	struct tmem_oid oid = tmem_oid_of(&key);
	int ret;

	if (!tmem_index_fits(index))
		return -ERANGE;
	ret = tmem_store->get_page(pool_id, &oid, index, page);
	if (ret == 1)
		return 0;
	return ret < 0 ? ret : -ENODATA;
}

static int tmem_cleancache_put_page(int pool_id, struct cleancache_filekey key,
				    pgoff_t index, struct page *page)
{
	struct tmem_oid oid = tmem_oid_of(&key);
	int ret;

	if (!tmem_index_fits(index))
		return -ERANGE;
	ret = tmem_store->put_page(pool_id, &oid, index, page);
	if (ret == 1)
		return 0;
	return ret < 0 ? ret : -ENOSPC;
}

static void tmem_cleancache_invalidate_page(int pool_id,
					    struct cleancache_filekey key,
					    pgoff_t index)
{
	struct tmem_oid oid = tmem_oid_of(&key);

	/* Nothing can be stored beyond the ABI's reach: nothing to drop. */
	if (tmem_index_fits(index))
		tmem_store->flush_page(pool_id, &oid, index);
}

static void tmem_cleancache_invalidate_inode(int pool_id,
					     struct cleancache_filekey key)
{
	struct tmem_oid oid = tmem_oid_of(&key);

	tmem_store->flush_object(pool_id, &oid);
}

static void tmem_cleancache_invalidate_fs(int pool_id)
{
	tmem_store->destroy_pool(pool_id);
}

static const struct cleancache_ops tmem_cleancache_ops = {
	.init_fs		= tmem_cleancache_init_fs,
	.init_shared_fs		= tmem_cleancache_init_shared_fs,
	.get_page		= tmem_cleancache_get_page,
	.put_page		= tmem_cleancache_put_page,
	.invalidate_page	= tmem_cleancache_invalidate_page,
	.invalidate_inode	= tmem_cleancache_invalidate_inode,
	.invalidate_fs		= tmem_cleancache_invalidate_fs,
};

/**
 * tmem_register_store - make @store the store behind cleancache
 * @store: the store; must stay valid forever
 *
 * The first store wins: a hypervisor transport that probes successfully
 * registers before the local store's late initcall.  Context: process
 * context, may sleep.
 *
 * Return: 0, or -EBUSY if a store (or another cleancache backend) is
 * already registered.
 */
int tmem_register_store(const struct tmem_store *store)
{
	int ret;

	if (cmpxchg(&tmem_store, NULL, store))
		return -EBUSY;
	ret = cleancache_register_ops(&tmem_cleancache_ops, store->name);
	if (ret) {
		pr_warn("%s: cleancache already has a backend\n", store->name);
		WRITE_ONCE(tmem_store, NULL);
		return ret;
	}
	cleancache_debugfs_counter("tmem_index_overflow",
				   cleancache_debugfs_dir(), &tmem_index_overflow);
	return 0;
}
EXPORT_SYMBOL_GPL(tmem_register_store);

/**
 * tmem_active_store - the store cleancache uses, if any
 *
 * Return: the registered store or NULL.
 */
const struct tmem_store *tmem_active_store(void)
{
	return READ_ONCE(tmem_store);
}
EXPORT_SYMBOL_GPL(tmem_active_store);
