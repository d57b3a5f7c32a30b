// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for cleancache: the frontend's contract with a backend
 * (suite "cleancache", against a fake backend defined here), and the
 * local RAM tmem store (suite "cleancache_tmem_local", through the same
 * tmem operations the Xen ABI defines).
 *
 * Neither suite leaves global state behind, and both pass whether or not
 * a store is registered: the frontend suite's superblocks are of a type
 * (cleancache_kunit_fs_type) that the frontend serves with the suite's
 * own backend and counters, never the kernel's; the store suite uses
 * pools of its own, and changes (and restores) the store's capacity only
 * while the store is not cleancache's backend.
 */

#include <kunit/test.h>
#include <linux/cleancache.h>
#include <linux/exportfs.h>
#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/slab.h>
#include <linux/tmem.h>

#include "tmem_local.h"

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

/* ---- a fake backend: a few slots, exclusive gets, call log ---- */

#define FAKE_SLOTS	8
#define FAKE_POOL	5

struct fake_slot {
	bool used;
	int pool;
	struct cleancache_filekey key;
	pgoff_t index;
	u8 data[PAGE_SIZE];
};

static struct fake_backend {
	struct fake_slot slots[FAKE_SLOTS];
	int refuse;			/* put_page returns this if non-zero */
	bool number_pools;		/* init_fs returns 0, 1, 2, ... */
	int next_pool;
	int init_fs_calls, put_calls, get_calls;
	int invalidate_page_calls, invalidate_inode_calls, invalidate_fs_calls;
	int last_pool;
	pgoff_t last_index;
	struct cleancache_filekey last_key;
} fake;

static bool fake_key_eq(const struct cleancache_filekey *a,
			const struct cleancache_filekey *b)
{
	return !memcmp(a, b, sizeof(*a));
}

static struct fake_slot *fake_find(int pool, struct cleancache_filekey *key,
				   pgoff_t index)
{
	int i;

	for (i = 0; i < FAKE_SLOTS; i++) {
		struct fake_slot *s = &fake.slots[i];

		if (s->used && s->pool == pool && s->index == index &&
		    fake_key_eq(&s->key, key))
			return s;
	}
	return NULL;
}

static int fake_init_fs(size_t pagesize)
{
	fake.init_fs_calls++;
	if (pagesize != PAGE_SIZE)
		return -EINVAL;
	return fake.number_pools ? fake.next_pool++ : FAKE_POOL;
}

static int fake_init_shared_fs(uuid_t *uuid, size_t pagesize)
{
	fake.init_fs_calls++;
	return FAKE_POOL + 1;
}

static int fake_get_page(int pool, struct cleancache_filekey key,
			 pgoff_t index, struct page *page)
{
	struct fake_slot *s = fake_find(pool, &key, index);

	fake.get_calls++;
	if (!s)
		return -ENODATA;
	memcpy_to_page(page, 0, s->data, PAGE_SIZE);
	s->used = false;
	return 0;
}

static int fake_put_page(int pool, struct cleancache_filekey key,
			 pgoff_t index, struct page *page)
{
	struct fake_slot *s = fake_find(pool, &key, index);
	int i;

	fake.put_calls++;
	fake.last_pool = pool;
	fake.last_key = key;
	fake.last_index = index;
	if (fake.refuse)
		return fake.refuse;
	for (i = 0; !s && i < FAKE_SLOTS; i++) {
		if (!fake.slots[i].used)
			s = &fake.slots[i];
	}
	if (!s)
		return -ENOSPC;
	s->used = true;
	s->pool = pool;
	s->key = key;
	s->index = index;
	memcpy_from_page(s->data, page, 0, PAGE_SIZE);
	return 0;
}

static void fake_invalidate_page(int pool, struct cleancache_filekey key,
				 pgoff_t index)
{
	struct fake_slot *s = fake_find(pool, &key, index);

	fake.invalidate_page_calls++;
	fake.last_index = index;
	if (s)
		s->used = false;
}

static void fake_invalidate_inode(int pool, struct cleancache_filekey key)
{
	int i;

	fake.invalidate_inode_calls++;
	for (i = 0; i < FAKE_SLOTS; i++) {
		if (fake.slots[i].pool == pool &&
		    fake_key_eq(&fake.slots[i].key, &key))
			fake.slots[i].used = false;
	}
}

static void fake_invalidate_fs(int pool)
{
	int i;

	fake.invalidate_fs_calls++;
	fake.last_pool = pool;
	for (i = 0; i < FAKE_SLOTS; i++) {
		if (fake.slots[i].pool == pool)
			fake.slots[i].used = false;
	}
}

static const struct cleancache_ops fake_ops = {
	.init_fs		= fake_init_fs,
	.init_shared_fs		= fake_init_shared_fs,
	.get_page		= fake_get_page,
	.put_page		= fake_put_page,
	.invalidate_page	= fake_invalidate_page,
	.invalidate_inode	= fake_invalidate_inode,
	.invalidate_fs		= fake_invalidate_fs,
};

/* ---- a fake filesystem: superblock, inode, mapping, folios ---- */

struct fake_fs {
	struct super_block *sb;
	struct inode *inode;
};

static int fake_encode_fh(struct inode *inode, __u32 *fh, int *max_len,
			  struct inode *parent)
{
	if (*max_len < 2) {
		*max_len = 2;
		return FILEID_INVALID;
	}
	fh[0] = inode->i_ino;
	fh[1] = inode->i_generation;
	*max_len = 2;
	return FILEID_INO32_GEN;
}

static const struct export_operations fake_export_ops = {
	.encode_fh = fake_encode_fh,
};

static void fake_fs_free(void *data)
{
	struct fake_fs *ffs = data;

	kfree(ffs->inode);
	kfree(ffs->sb);
}

static struct fake_fs *fake_fs_new(struct kunit *test, bool export)
{
	struct fake_fs *ffs = kunit_kzalloc(test, sizeof(*ffs), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, ffs);
	ffs->sb = kzalloc(sizeof(*ffs->sb), GFP_KERNEL);
	ffs->inode = kzalloc(sizeof(*ffs->inode), GFP_KERNEL);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, fake_fs_free,
							   ffs));
	KUNIT_ASSERT_NOT_NULL(test, ffs->sb);
	KUNIT_ASSERT_NOT_NULL(test, ffs->inode);
	ffs->sb->s_type = &cleancache_kunit_fs_type;
	ffs->sb->s_flags = SB_ACTIVE;
	ffs->sb->s_dev = MKDEV(7, 42);
	if (export)
		ffs->sb->s_export_op = &fake_export_ops;
	cleancache_init_sb(ffs->sb);
	ffs->inode->i_sb = ffs->sb;
	ffs->inode->i_ino = 1234;
	ffs->inode->i_mode = S_IFREG | 0644;
	ffs->inode->i_generation = 99;
	set_nlink(ffs->inode, 1);
	ffs->inode->i_mapping = &ffs->inode->i_data;
	ffs->inode->i_data.host = ffs->inode;
	return ffs;
}

static void fake_folio_free(void *data)
{
	struct folio *folio = data;

	folio->mapping = NULL;
	folio_put(folio);
}

/* A page-cache-looking folio of @ffs at @index, filled with @fill. */
static struct folio *fake_folio(struct kunit *test, struct fake_fs *ffs,
				pgoff_t index, unsigned int order, int fill)
{
	struct folio *folio = folio_alloc(GFP_KERNEL, order);
	long i;

	KUNIT_ASSERT_NOT_NULL(test, folio);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test,
							   fake_folio_free,
							   folio));
	for (i = 0; i < folio_nr_pages(folio); i++) {
		void *p = kmap_local_folio(folio, i * PAGE_SIZE);

		memset(p, fill, PAGE_SIZE);
		kunmap_local(p);
	}
	folio->mapping = ffs->inode->i_mapping;
	folio->index = index;
	return folio;
}

static void make_clean_on_disk(struct folio *folio)
{
	folio_mark_uptodate(folio);
	folio_set_mappedtodisk(folio);
}

static bool folio_filled_with(struct folio *folio, u8 fill)
{
	u8 *p = kmap_local_folio(folio, 0);
	bool ok = !memchr_inv(p, fill, PAGE_SIZE);

	kunmap_local(p);
	return ok;
}

static int cleancache_suite_init(struct kunit_suite *suite)
{
	cleancache_kunit_set_ops(&fake_ops);
	return 0;
}

static void cleancache_suite_exit(struct kunit_suite *suite)
{
	cleancache_kunit_set_ops(NULL);
}

/* Hits and misses through the out-of-line hook: no static key needed */
static bool get_hits(struct folio *folio)
{
	return __cleancache_get_folio(folio) == 0;
}

static int cleancache_test_init(struct kunit *test)
{
	memset(&fake, 0, sizeof(fake));
	return 0;
}

static void cleancache_test_init_fs(struct kunit *test)
{
	struct fake_fs *ffs = fake_fs_new(test, false);
	long created = cleancache_kunit_stat("pools_created");

	cleancache_init_fs(ffs->sb);
	KUNIT_EXPECT_EQ(test, ffs->sb->cleancache_poolid, FAKE_POOL);
	KUNIT_EXPECT_EQ(test, fake.init_fs_calls, 1);
	KUNIT_EXPECT_EQ(test, cleancache_kunit_stat("pools_created"),
			created + 1);
	cleancache_invalidate_fs(ffs->sb);
	KUNIT_EXPECT_EQ(test, ffs->sb->cleancache_poolid, CLEANCACHE_NO_POOL);
	KUNIT_EXPECT_EQ(test, fake.invalidate_fs_calls, 1);
	KUNIT_EXPECT_EQ(test, fake.last_pool, FAKE_POOL);
}

static void cleancache_test_put_get_exclusive(struct kunit *test)
{
	struct fake_fs *ffs = fake_fs_new(test, false);
	struct folio *out, *in;
	long puts = cleancache_kunit_stat("puts");
	long hits = cleancache_kunit_stat("succ_gets");
	long misses = cleancache_kunit_stat("failed_gets");

	cleancache_init_fs(ffs->sb);
	out = fake_folio(test, ffs, 3, 0, 0xab);
	make_clean_on_disk(out);
	KUNIT_EXPECT_EQ(test, __cleancache_put_folio(out), 0);
	KUNIT_EXPECT_EQ(test, fake.put_calls, 1);
	KUNIT_EXPECT_EQ(test, fake.last_key.u.ino, (ino_t)1234);
	KUNIT_EXPECT_EQ(test, fake.last_index, (pgoff_t)3);
	KUNIT_EXPECT_EQ(test, cleancache_kunit_stat("puts"), puts + 1);

	in = fake_folio(test, ffs, 3, 0, 0);
	KUNIT_EXPECT_TRUE(test, get_hits(in));
	KUNIT_EXPECT_TRUE(test, folio_filled_with(in, 0xab));
	KUNIT_EXPECT_EQ(test, cleancache_kunit_stat("succ_gets"), hits + 1);

	/* The fake backend, like private tmem pools, gives a page once. */
	KUNIT_EXPECT_EQ(test, __cleancache_get_folio(in), -ENODATA);
	KUNIT_EXPECT_EQ(test, cleancache_kunit_stat("failed_gets"),
			misses + 1);
	cleancache_invalidate_fs(ffs->sb);
}

static void cleancache_test_ineligible_put_invalidates(struct kunit *test)
{
	struct fake_fs *ffs = fake_fs_new(test, false);
	struct folio *clean, *dirty, *in;
	long invalidates = cleancache_kunit_stat("invalidates");

	cleancache_init_fs(ffs->sb);
	clean = fake_folio(test, ffs, 9, 0, 0x11);
	make_clean_on_disk(clean);
	KUNIT_ASSERT_EQ(test, __cleancache_put_folio(clean), 0);

	/* Same index, newer data, not on disk yet: the old copy must go. */
	dirty = fake_folio(test, ffs, 9, 0, 0x22);
	folio_mark_uptodate(dirty);
	KUNIT_EXPECT_EQ(test, __cleancache_put_folio(dirty), 0);
	KUNIT_EXPECT_EQ(test, fake.put_calls, 1);
	KUNIT_EXPECT_EQ(test, fake.invalidate_page_calls, 1);
	KUNIT_EXPECT_EQ(test, cleancache_kunit_stat("invalidates"),
			invalidates + 1);

	in = fake_folio(test, ffs, 9, 0, 0);
	KUNIT_EXPECT_FALSE(test, get_hits(in));
	cleancache_invalidate_fs(ffs->sb);
}

#ifdef CONFIG_MEMORY_FAILURE
/*
 * A poisoned folio's data is lost: never copied, nor an older copy kept.
 * PG_hwpoison exists only with CONFIG_MEMORY_FAILURE: built only there.
 */
static void cleancache_test_hwpoison_never_put(struct kunit *test)
{
	struct fake_fs *ffs;
	struct folio *old, *poisoned, *in;
	long rejected = cleancache_kunit_stat("puts_rejected_hwpoison");
	int ret;

	ffs = fake_fs_new(test, false);
	cleancache_init_fs(ffs->sb);
	old = fake_folio(test, ffs, 5, 0, 0x44);
	make_clean_on_disk(old);
	KUNIT_ASSERT_EQ(test, __cleancache_put_folio(old), 0);

	poisoned = fake_folio(test, ffs, 5, 0, 0x55);
	make_clean_on_disk(poisoned);
	folio_set_hwpoison(poisoned);
	ret = __cleancache_put_folio(poisoned);
	folio_clear_hwpoison(poisoned);
	KUNIT_EXPECT_EQ(test, ret, -EHWPOISON);
	KUNIT_EXPECT_EQ(test, fake.put_calls, 1);
	KUNIT_EXPECT_EQ(test, fake.invalidate_page_calls, 1);
	KUNIT_EXPECT_EQ(test, cleancache_kunit_stat("puts_rejected_hwpoison"),
			rejected + 1);

	in = fake_folio(test, ffs, 5, 0, 0);
	KUNIT_EXPECT_FALSE(test, get_hits(in));
	cleancache_invalidate_fs(ffs->sb);
}
#endif

static void cleancache_test_large_folio_invalidates_each_page(struct kunit *test)
{
	struct fake_fs *ffs = fake_fs_new(test, false);
	struct folio *big;

	cleancache_init_fs(ffs->sb);
	big = fake_folio(test, ffs, 16, 2, 0x33);
	make_clean_on_disk(big);
	KUNIT_EXPECT_EQ(test, __cleancache_put_folio(big), 0);
	KUNIT_EXPECT_EQ(test, fake.put_calls, 0);
	KUNIT_EXPECT_EQ(test, fake.invalidate_page_calls, 4);
	KUNIT_EXPECT_EQ(test, fake.last_index, (pgoff_t)19);
	KUNIT_EXPECT_EQ(test, __cleancache_get_folio(big), -ENOENT);
	cleancache_invalidate_fs(ffs->sb);
}

static void cleancache_test_refused_put_counted(struct kunit *test)
{
	struct fake_fs *ffs = fake_fs_new(test, false);
	long refused = cleancache_kunit_stat("puts_refused");
	long puts = cleancache_kunit_stat("puts");
	struct folio *out;

	cleancache_init_fs(ffs->sb);
	out = fake_folio(test, ffs, 1, 0, 0x44);
	make_clean_on_disk(out);
	fake.refuse = -ENOSPC;
	KUNIT_EXPECT_EQ(test, __cleancache_put_folio(out), -ENOSPC);
	KUNIT_EXPECT_EQ(test, cleancache_kunit_stat("puts_refused"),
			refused + 1);
	KUNIT_EXPECT_EQ(test, cleancache_kunit_stat("puts"), puts);
	cleancache_invalidate_fs(ffs->sb);
}

static void cleancache_test_invalidate_inode(struct kunit *test)
{
	struct fake_fs *ffs = fake_fs_new(test, false);
	long inode_invalidates = cleancache_kunit_stat("inode_invalidates");
	struct folio *a, *b, *in;

	cleancache_init_fs(ffs->sb);
	a = fake_folio(test, ffs, 0, 0, 0x55);
	b = fake_folio(test, ffs, 1, 0, 0x66);
	make_clean_on_disk(a);
	make_clean_on_disk(b);
	KUNIT_ASSERT_EQ(test, __cleancache_put_folio(a), 0);
	KUNIT_ASSERT_EQ(test, __cleancache_put_folio(b), 0);
	KUNIT_EXPECT_EQ(test, __cleancache_invalidate_inode(ffs->inode->i_mapping),
			0);
	KUNIT_EXPECT_EQ(test, fake.invalidate_inode_calls, 1);
	KUNIT_EXPECT_EQ(test, cleancache_kunit_stat("inode_invalidates"),
			inode_invalidates + 1);
	in = fake_folio(test, ffs, 1, 0, 0);
	KUNIT_EXPECT_FALSE(test, get_hits(in));
	cleancache_invalidate_fs(ffs->sb);
}

static void cleancache_test_no_pool_is_a_noop(struct kunit *test)
{
	struct fake_fs *ffs = fake_fs_new(test, false);
	struct folio *folio = fake_folio(test, ffs, 0, 0, 0x77);

	make_clean_on_disk(folio);
	/* Never opted in */
	KUNIT_EXPECT_EQ(test, __cleancache_put_folio(folio), -ENOENT);
	KUNIT_EXPECT_EQ(test, __cleancache_get_folio(folio), -ENOENT);
	KUNIT_EXPECT_EQ(test, __cleancache_invalidate_inode(folio->mapping),
			-ENOENT);
	/* Unmounted */
	cleancache_init_fs(ffs->sb);
	cleancache_invalidate_fs(ffs->sb);
	KUNIT_EXPECT_EQ(test, __cleancache_put_folio(folio), -ENOENT);
	KUNIT_EXPECT_EQ(test, fake.put_calls + fake.get_calls, 0);
}

static void cleancache_test_export_key_and_encryption(struct kunit *test)
{
	struct fake_fs *ffs = fake_fs_new(test, true);
	struct folio *folio;

	cleancache_init_fs(ffs->sb);
	folio = fake_folio(test, ffs, 2, 0, 0x88);
	make_clean_on_disk(folio);
	KUNIT_ASSERT_EQ(test, __cleancache_put_folio(folio), 0);
	/* The exportfs handle, with the generation, names the file. */
	KUNIT_EXPECT_EQ(test, fake.last_key.u.fh[0], 1234U);
	KUNIT_EXPECT_EQ(test, fake.last_key.u.fh[1], 99U);

	/* Encrypted data never leaves the page cache. */
	ffs->inode->i_flags |= S_ENCRYPTED;
	KUNIT_EXPECT_EQ(test, __cleancache_put_folio(folio), 0);
	KUNIT_EXPECT_EQ(test, fake.put_calls, 1);
	KUNIT_EXPECT_EQ(test, fake.invalidate_page_calls, 1);
	KUNIT_EXPECT_EQ(test, __cleancache_get_folio(folio), -ENOENT);
	cleancache_invalidate_fs(ffs->sb);
}

/*
 * An active swap file: swap I/O rewrites its blocks behind the page
 * cache.  Its pages are neither stored nor looked up, and invalidating
 * the inode (swapon, swapoff) still reaches the backend.
 */
static void cleancache_test_swapfile(struct kunit *test)
{
	struct fake_fs *ffs = fake_fs_new(test, false);
	struct folio *folio;

	cleancache_init_fs(ffs->sb);
	folio = fake_folio(test, ffs, 4, 0, 0x99);
	make_clean_on_disk(folio);
	ffs->inode->i_flags |= S_SWAPFILE;
	KUNIT_EXPECT_EQ(test, __cleancache_put_folio(folio), 0);
	KUNIT_EXPECT_EQ(test, fake.put_calls, 0);
	KUNIT_EXPECT_EQ(test, fake.invalidate_page_calls, 1);
	KUNIT_EXPECT_EQ(test, __cleancache_get_folio(folio), -ENOENT);
	KUNIT_EXPECT_EQ(test, fake.get_calls, 0);
	KUNIT_EXPECT_EQ(test, __cleancache_invalidate_inode(ffs->inode->i_mapping), 0);
	KUNIT_EXPECT_EQ(test, fake.invalidate_inode_calls, 1);
	ffs->inode->i_flags &= ~S_SWAPFILE;
	cleancache_invalidate_fs(ffs->sb);
}

static void cleancache_test_shared_pool(struct kunit *test)
{
	struct fake_fs *ffs = fake_fs_new(test, false);

	cleancache_init_shared_fs(ffs->sb);
	KUNIT_EXPECT_EQ(test, ffs->sb->cleancache_poolid, FAKE_POOL + 1);
	cleancache_invalidate_fs(ffs->sb);
	KUNIT_EXPECT_EQ(test, fake.last_pool, FAKE_POOL + 1);
}

/*
 * Two mounts of one shared pool (the backend hands both the same id):
 * the pool's counters run from the first mount to the last unmount.
 */
static void cleancache_test_shared_pool_stats(struct kunit *test)
{
	struct fake_fs *a = fake_fs_new(test, false);
	struct fake_fs *b = fake_fs_new(test, false);
	int id = FAKE_POOL + 1;
	struct folio *folio;

	b->sb->s_dev = MKDEV(7, 43);
	cleancache_init_shared_fs(a->sb);
	KUNIT_ASSERT_EQ(test, a->sb->cleancache_poolid, id);
	folio = fake_folio(test, a, 0, 0, 0x11);
	make_clean_on_disk(folio);
	KUNIT_EXPECT_EQ(test, __cleancache_put_folio(folio), 0);
	KUNIT_EXPECT_EQ(test, cleancache_kunit_pool_stat(id, "puts"), 1);

	/* The second mount joins: the first's counts stay */
	cleancache_init_shared_fs(b->sb);
	KUNIT_ASSERT_EQ(test, b->sb->cleancache_poolid, id);
	KUNIT_EXPECT_EQ(test, cleancache_kunit_pool_stat(id, "puts"), 1);

	/* The first leaves: the pool is still in use, and still shown */
	cleancache_invalidate_fs(a->sb);
	KUNIT_EXPECT_EQ(test, fake.invalidate_fs_calls, 1);
	KUNIT_EXPECT_EQ(test, cleancache_kunit_pool_stat(id, "puts"), 1);
	folio = fake_folio(test, b, 1, 0, 0x12);
	make_clean_on_disk(folio);
	KUNIT_EXPECT_EQ(test, __cleancache_put_folio(folio), 0);
	KUNIT_EXPECT_EQ(test, cleancache_kunit_pool_stat(id, "puts"), 2);

	/* The last leaves: the pool goes */
	cleancache_invalidate_fs(b->sb);
	KUNIT_EXPECT_EQ(test, fake.invalidate_fs_calls, 2);
	KUNIT_EXPECT_EQ(test, cleancache_kunit_pool_stat(id, "puts"), -1);
}

#define MANY_POOLS	100

/* Pool ids have no fixed limit: more than 64 pools, each counted */
static void cleancache_test_many_pools(struct kunit *test)
{
	struct fake_fs *ffs[MANY_POOLS];
	struct folio *folio;
	int i, pooled = 0, shown = 0;

	fake.number_pools = true;
	for (i = 0; i < MANY_POOLS; i++) {
		ffs[i] = fake_fs_new(test, false);
		ffs[i]->sb->s_dev = MKDEV(7, i);
		cleancache_init_fs(ffs[i]->sb);
		pooled += ffs[i]->sb->cleancache_poolid == i;
		shown += cleancache_kunit_pool_stat(i, "puts") == 0;
	}
	KUNIT_EXPECT_EQ(test, pooled, MANY_POOLS);
	KUNIT_EXPECT_EQ(test, shown, MANY_POOLS);

	/* The last pool works and counts like the first */
	folio = fake_folio(test, ffs[MANY_POOLS - 1], 3, 0, 0x64);
	make_clean_on_disk(folio);
	KUNIT_EXPECT_EQ(test, __cleancache_put_folio(folio), 0);
	KUNIT_EXPECT_EQ(test, fake.last_pool, MANY_POOLS - 1);
	KUNIT_EXPECT_EQ(test,
			cleancache_kunit_pool_stat(MANY_POOLS - 1, "puts"), 1);
	folio = fake_folio(test, ffs[MANY_POOLS - 1], 3, 0, 0);
	KUNIT_EXPECT_TRUE(test, get_hits(folio));
	KUNIT_EXPECT_TRUE(test, folio_filled_with(folio, 0x64));
	KUNIT_EXPECT_EQ(test,
			cleancache_kunit_pool_stat(MANY_POOLS - 1, "succ_gets"),
			1);

	for (i = 0; i < MANY_POOLS; i++)
		cleancache_invalidate_fs(ffs[i]->sb);
	KUNIT_EXPECT_EQ(test, fake.invalidate_fs_calls, MANY_POOLS);
	for (shown = 0, i = 0; i < MANY_POOLS; i++)
		shown += cleancache_kunit_pool_stat(i, "puts") != -1;
	KUNIT_EXPECT_EQ(test, shown, 0);
}

/*
 * A refused put: the fake backend, like a hypervisor's error path, keeps
 * the older copy it had.  The frontend must invalidate it.
 */
static void cleancache_test_refused_put_drops_older_copy(struct kunit *test)
{
	struct fake_fs *ffs = fake_fs_new(test, false);
	long refused = cleancache_kunit_stat("puts_refused");
	struct folio *v1, *v2, *in;

	cleancache_init_fs(ffs->sb);
	v1 = fake_folio(test, ffs, 4, 0, 0x91);
	make_clean_on_disk(v1);
	KUNIT_ASSERT_EQ(test, __cleancache_put_folio(v1), 0);

	v2 = fake_folio(test, ffs, 4, 0, 0x92);
	make_clean_on_disk(v2);
	fake.refuse = -EIO;
	KUNIT_EXPECT_EQ(test, __cleancache_put_folio(v2), -EIO);
	KUNIT_EXPECT_EQ(test, fake.invalidate_page_calls, 1);
	KUNIT_EXPECT_EQ(test, cleancache_kunit_stat("puts_refused"),
			refused + 1);

	in = fake_folio(test, ffs, 4, 0, 0);
	KUNIT_EXPECT_FALSE(test, get_hits(in));
	cleancache_invalidate_fs(ffs->sb);
}

/* Copies outlive the in-memory inode only of a linked, handle-named file */
static void cleancache_test_evict_inode(struct kunit *test)
{
	struct fake_fs *ffs = fake_fs_new(test, true);
	struct fake_fs *noexp = fake_fs_new(test, false);
	struct address_space *mapping = ffs->inode->i_mapping;
	long kept = cleancache_kunit_stat("inodes_kept");

	cleancache_init_fs(ffs->sb);
	cleancache_init_fs(noexp->sb);

	KUNIT_EXPECT_EQ(test, __cleancache_evict_inode(mapping), 0);
	KUNIT_EXPECT_EQ(test, fake.invalidate_inode_calls, 0);
	KUNIT_EXPECT_EQ(test, cleancache_kunit_stat("inodes_kept"), kept + 1);

	/* Deleted: the copies go */
	clear_nlink(ffs->inode);
	KUNIT_EXPECT_EQ(test, __cleancache_evict_inode(mapping), 0);
	KUNIT_EXPECT_EQ(test, fake.invalidate_inode_calls, 1);

	/* An inode number alone may be reused: the copies go */
	KUNIT_EXPECT_EQ(test, __cleancache_evict_inode(noexp->inode->i_mapping),
			0);
	KUNIT_EXPECT_EQ(test, fake.invalidate_inode_calls, 2);

	/* Unmounted: nothing to do */
	cleancache_invalidate_fs(ffs->sb);
	cleancache_invalidate_fs(noexp->sb);
	KUNIT_EXPECT_EQ(test, __cleancache_evict_inode(mapping), -ENOENT);
	KUNIT_EXPECT_EQ(test, cleancache_kunit_stat("inodes_kept"), kept + 1);
}

/*
 * A shared pool never keeps copies past the inode: another node may
 * change the file while this one holds no lock on it.
 */
static void cleancache_test_evict_inode_shared(struct kunit *test)
{
	struct fake_fs *ffs = fake_fs_new(test, true);
	long kept = cleancache_kunit_stat("inodes_kept");

	cleancache_init_shared_fs(ffs->sb);
	KUNIT_ASSERT_EQ(test, ffs->sb->cleancache_poolid, FAKE_POOL + 1);
	KUNIT_EXPECT_EQ(test, __cleancache_evict_inode(ffs->inode->i_mapping),
			0);
	KUNIT_EXPECT_EQ(test, fake.invalidate_inode_calls, 1);
	KUNIT_EXPECT_EQ(test, cleancache_kunit_stat("inodes_kept"), kept);
	cleancache_invalidate_fs(ffs->sb);
}

/* Only with a registered backend, which then stays the only one */
static void cleancache_test_second_backend_refused(struct kunit *test)
{
	if (!tmem_active_store())
		kunit_skip(test, "no backend registered (tmem_local.enabled=0)");
	KUNIT_EXPECT_EQ(test, cleancache_register_ops(&fake_ops, "again"),
			-EBUSY);
}

static struct kunit_case cleancache_test_cases[] = {
	KUNIT_CASE(cleancache_test_init_fs),
	KUNIT_CASE(cleancache_test_put_get_exclusive),
	KUNIT_CASE(cleancache_test_ineligible_put_invalidates),
	KUNIT_CASE(cleancache_test_swapfile),
#ifdef CONFIG_MEMORY_FAILURE
	KUNIT_CASE(cleancache_test_hwpoison_never_put),
#endif
	KUNIT_CASE(cleancache_test_large_folio_invalidates_each_page),
	KUNIT_CASE(cleancache_test_refused_put_counted),
	KUNIT_CASE(cleancache_test_invalidate_inode),
	KUNIT_CASE(cleancache_test_no_pool_is_a_noop),
	KUNIT_CASE(cleancache_test_export_key_and_encryption),
	KUNIT_CASE(cleancache_test_shared_pool),
	KUNIT_CASE(cleancache_test_shared_pool_stats),
	KUNIT_CASE(cleancache_test_many_pools),
	KUNIT_CASE(cleancache_test_refused_put_drops_older_copy),
	KUNIT_CASE(cleancache_test_evict_inode),
	KUNIT_CASE(cleancache_test_evict_inode_shared),
	KUNIT_CASE(cleancache_test_second_backend_refused),
	{}
};

static struct kunit_suite cleancache_test_suite = {
	.name = "cleancache",
	.suite_init = cleancache_suite_init,
	.suite_exit = cleancache_suite_exit,
	.init = cleancache_test_init,
	.test_cases = cleancache_test_cases,
};

/* ---- the local tmem store, through its tmem operations ---- */

static const struct tmem_store *store = &tmem_local_store;
static const u64 no_uuid[2];

static struct page *tl_page(struct kunit *test, u8 fill)
{
	struct page *page = alloc_page(GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, page);
	memset(page_address(page), fill, PAGE_SIZE);
	return page;
}

static bool tl_page_is(struct page *page, u8 fill)
{
	return !memchr_inv(page_address(page), fill, PAGE_SIZE);
}

static int tl_new_pool(struct kunit *test, bool shared, const u64 uuid[2])
{
	int id = store->new_pool(uuid, tmem_pool_flags(shared, PAGE_SIZE));

	KUNIT_ASSERT_GE(test, id, 0);
	return id;
}

static void tmem_local_test_private_pool_exclusive_get(struct kunit *test)
{
	struct tmem_oid oid = { .oid = { 1, 2, 3 } };
	struct page *p = tl_page(test, 0x5a), *q = tl_page(test, 0);
	int pool = tl_new_pool(test, false, no_uuid);

	KUNIT_EXPECT_EQ(test, store->put_page(pool, &oid, 7, p), 1);
	KUNIT_EXPECT_EQ(test, store->get_page(pool, &oid, 7, q), 1);
	KUNIT_EXPECT_TRUE(test, tl_page_is(q, 0x5a));
	/* Exclusive: the second get misses. */
	KUNIT_EXPECT_EQ(test, store->get_page(pool, &oid, 7, q), 0);
	/* Another index, another object: misses. */
	KUNIT_EXPECT_EQ(test, store->get_page(pool, &oid, 8, q), 0);
	KUNIT_EXPECT_EQ(test, store->destroy_pool(pool), 0);
	__free_page(p);
	__free_page(q);
}

static void tmem_local_test_shared_pool(struct kunit *test)
{
	static const u64 uuid[2] = { 0xfeed, 0xbeef };
	struct tmem_oid oid = { .oid = { 9 } };
	struct page *p = tl_page(test, 0x3c), *q = tl_page(test, 0);
	int pool = tl_new_pool(test, true, uuid);

	/* The same UUID joins the same pool. */
	KUNIT_EXPECT_EQ(test, tl_new_pool(test, true, uuid), pool);
	KUNIT_EXPECT_EQ(test, store->put_page(pool, &oid, 0, p), 1);
	KUNIT_EXPECT_EQ(test, store->get_page(pool, &oid, 0, q), 1);
	KUNIT_EXPECT_EQ(test, store->get_page(pool, &oid, 0, q), 1);
	KUNIT_EXPECT_TRUE(test, tl_page_is(q, 0x3c));
	/* One destroy per user: the pool lives until the last. */
	KUNIT_EXPECT_EQ(test, store->destroy_pool(pool), 0);
	KUNIT_EXPECT_EQ(test, store->get_page(pool, &oid, 0, q), 1);
	KUNIT_EXPECT_EQ(test, store->destroy_pool(pool), 0);
	KUNIT_EXPECT_EQ(test, store->get_page(pool, &oid, 0, q), -EINVAL);
	__free_page(p);
	__free_page(q);
}

static void tmem_local_test_put_replaces(struct kunit *test)
{
	struct tmem_oid oid = { .oid = { 4 } };
	struct page *a = tl_page(test, 0xaa), *b = tl_page(test, 0xbb);
	struct page *q = tl_page(test, 0);
	int pool = tl_new_pool(test, false, no_uuid);

	KUNIT_EXPECT_EQ(test, store->put_page(pool, &oid, 1, a), 1);
	KUNIT_EXPECT_EQ(test, store->put_page(pool, &oid, 1, b), 1);
	KUNIT_EXPECT_EQ(test, store->get_page(pool, &oid, 1, q), 1);
	KUNIT_EXPECT_TRUE(test, tl_page_is(q, 0xbb));
	KUNIT_EXPECT_EQ(test, store->get_page(pool, &oid, 1, q), 0);
	KUNIT_EXPECT_EQ(test, store->destroy_pool(pool), 0);
	__free_page(a);
	__free_page(b);
	__free_page(q);
}

static void tmem_local_test_flush_page_and_object(struct kunit *test)
{
	struct tmem_oid oid = { .oid = { 5 } }, other = { .oid = { 6 } };
	struct page *p = tl_page(test, 0x12), *q = tl_page(test, 0);
	int pool = tl_new_pool(test, false, no_uuid);
	int i;

	for (i = 0; i < 4; i++)
		KUNIT_ASSERT_EQ(test, store->put_page(pool, &oid, i, p), 1);
	KUNIT_ASSERT_EQ(test, store->put_page(pool, &other, 0, p), 1);

	KUNIT_EXPECT_EQ(test, store->flush_page(pool, &oid, 2), 1);
	KUNIT_EXPECT_EQ(test, store->flush_page(pool, &oid, 2), 0);
	KUNIT_EXPECT_EQ(test, store->get_page(pool, &oid, 2, q), 0);
	KUNIT_EXPECT_EQ(test, store->flush_object(pool, &oid), 3);
	KUNIT_EXPECT_EQ(test, store->get_page(pool, &oid, 0, q), 0);
	/* Other objects are untouched. */
	KUNIT_EXPECT_EQ(test, store->get_page(pool, &other, 0, q), 1);
	KUNIT_EXPECT_EQ(test, store->destroy_pool(pool), 0);
	__free_page(p);
	__free_page(q);
}

/* An object larger than a batch is flushed whole, batch after batch. */
static void tmem_local_test_flush_large_object(struct kunit *test)
{
	struct tmem_oid oid = { .oid = { 11 } };
	struct page *p = tl_page(test, 0x77), *q = tl_page(test, 0);
	int pool = tl_new_pool(test, false, no_uuid);
	int i, n = 600;

	for (i = 0; i < n; i++)
		KUNIT_ASSERT_EQ(test, store->put_page(pool, &oid, i, p), 1);
	KUNIT_EXPECT_EQ(test, store->flush_object(pool, &oid), n);
	KUNIT_EXPECT_EQ(test, store->get_page(pool, &oid, n - 1, q), 0);
	KUNIT_EXPECT_EQ(test, store->flush_object(pool, &oid), 0);
	KUNIT_EXPECT_EQ(test, store->destroy_pool(pool), 0);
	__free_page(p);
	__free_page(q);
}

static void tmem_local_test_destroy_frees_pages(struct kunit *test)
{
	struct tmem_oid oid = { .oid = { 7 } };
	struct page *p = tl_page(test, 0x21);
	int pool = tl_new_pool(test, false, no_uuid);
	unsigned long before = tmem_local_stored_pages();
	int i;

	for (i = 0; i < 32; i++)
		KUNIT_ASSERT_EQ(test, store->put_page(pool, &oid, i, p), 1);
	KUNIT_EXPECT_EQ(test, tmem_local_stored_pages(), before + 32);
	KUNIT_EXPECT_EQ(test, store->destroy_pool(pool), 0);
	KUNIT_EXPECT_EQ(test, tmem_local_stored_pages(), before);
	/* Every operation on a destroyed pool fails cleanly. */
	KUNIT_EXPECT_EQ(test, store->put_page(pool, &oid, 0, p), -EINVAL);
	KUNIT_EXPECT_EQ(test, store->get_page(pool, &oid, 0, p), -EINVAL);
	KUNIT_EXPECT_EQ(test, store->flush_page(pool, &oid, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, store->flush_object(pool, &oid), -EINVAL);
	KUNIT_EXPECT_EQ(test, store->destroy_pool(pool), -EINVAL);
	__free_page(p);
}

static void tmem_local_test_capacity_evicts_oldest(struct kunit *test)
{
	struct tmem_oid oid = { .oid = { 8 } };
	unsigned long old = tmem_local_capacity();
	struct page *q;
	int pool, i;

	/* Shrinking the store would evict the page cache's real copies. */
	if (tmem_active_store() == store)
		kunit_skip(test, "the store is registered: its capacity is not ours to change");
	q = tl_page(test, 0);
	pool = tl_new_pool(test, false, no_uuid);

	KUNIT_ASSERT_EQ(test, tmem_local_set_capacity(4 * PAGE_SIZE), 0);
	for (i = 0; i < 6; i++) {
		struct page *p = tl_page(test, i);

		KUNIT_EXPECT_EQ(test, store->put_page(pool, &oid, i, p), 1);
		__free_page(p);
	}
	/* The two oldest went; the four newest are intact. */
	KUNIT_EXPECT_EQ(test, store->get_page(pool, &oid, 0, q), 0);
	KUNIT_EXPECT_EQ(test, store->get_page(pool, &oid, 1, q), 0);
	for (i = 2; i < 6; i++) {
		KUNIT_EXPECT_EQ(test, store->get_page(pool, &oid, i, q), 1);
		KUNIT_EXPECT_TRUE(test, tl_page_is(q, i));
	}
	KUNIT_EXPECT_EQ(test, store->destroy_pool(pool), 0);
	KUNIT_EXPECT_EQ(test, tmem_local_set_capacity(old), 0);
	__free_page(q);
}

/* Pool ids have no fixed limit: 100 private pools, beside the kernel's */
static void tmem_local_test_many_pools(struct kunit *test)
{
	struct tmem_oid oid = { .oid = { 100 } };
	struct page *p = tl_page(test, 0x64), *q = tl_page(test, 0);
	int ids[MANY_POOLS], i, j, n, dups = 0;

	for (n = 0; n < MANY_POOLS; n++) {
		ids[n] = store->new_pool(no_uuid,
					 tmem_pool_flags(false, PAGE_SIZE));
		if (ids[n] < 0)
			break;
	}
	KUNIT_EXPECT_EQ(test, n, MANY_POOLS);
	for (i = 0; i < n; i++) {
		for (j = i + 1; j < n; j++)
			dups += ids[i] == ids[j];
	}
	KUNIT_EXPECT_EQ(test, dups, 0);
	if (n == MANY_POOLS) {
		int last = ids[MANY_POOLS - 1];

		KUNIT_EXPECT_EQ(test, store->put_page(last, &oid, 1, p), 1);
		KUNIT_EXPECT_EQ(test, store->get_page(last, &oid, 1, q), 1);
		KUNIT_EXPECT_TRUE(test, tl_page_is(q, 0x64));
	}
	for (i = 0; i < n; i++)
		KUNIT_EXPECT_EQ(test, store->destroy_pool(ids[i]), 0);
	if (n)
		KUNIT_EXPECT_EQ(test, store->get_page(ids[n - 1], &oid, 1, q),
				-EINVAL);
	__free_page(p);
	__free_page(q);
}

static void tmem_local_test_bad_input(struct kunit *test)
{
	/* Wrong page size, wrong spec version, persistent pools */
	KUNIT_EXPECT_EQ(test, store->new_pool(no_uuid,
					      tmem_pool_flags(false, 2 * PAGE_SIZE)),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, store->new_pool(no_uuid, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, store->new_pool(no_uuid,
					      tmem_pool_flags(false, PAGE_SIZE) |
					      TMEM_POOL_PERSIST),
			-EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, store->destroy_pool(INT_MAX), -EINVAL);
	KUNIT_EXPECT_EQ(test, tmem_local_set_capacity(0), -EINVAL);
	KUNIT_EXPECT_EQ(test, tmem_local_set_capacity(ULONG_MAX), -EINVAL);
}

static struct kunit_case tmem_local_test_cases[] = {
	KUNIT_CASE(tmem_local_test_private_pool_exclusive_get),
	KUNIT_CASE(tmem_local_test_shared_pool),
	KUNIT_CASE(tmem_local_test_put_replaces),
	KUNIT_CASE(tmem_local_test_flush_page_and_object),
	KUNIT_CASE(tmem_local_test_flush_large_object),
	KUNIT_CASE(tmem_local_test_destroy_frees_pages),
	KUNIT_CASE(tmem_local_test_capacity_evicts_oldest),
	KUNIT_CASE(tmem_local_test_many_pools),
	KUNIT_CASE(tmem_local_test_bad_input),
	{}
};

static struct kunit_suite tmem_local_test_suite = {
	.name = "cleancache_tmem_local",
	.test_cases = tmem_local_test_cases,
};

kunit_test_suites(&cleancache_test_suite, &tmem_local_test_suite);

MODULE_DESCRIPTION("KUnit tests for cleancache and the local tmem store");
MODULE_LICENSE("GPL");
