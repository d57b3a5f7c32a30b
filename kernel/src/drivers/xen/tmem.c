// SPDX-License-Identifier: GPL-2.0-only
/*
 * Xen transcendent memory: the hypercall transport under the tmem layer.
 * Each tmem store operation is one HYPERVISOR_tmem_op on a struct tmem_op;
 * the hypervisor copies whole pages named by frame number (the gmfn in a PV
 * guest, the pfn in an auto-translated HVM or PVH guest).  Xen dropped tmem
 * in 4.13, so at boot the transport probes the hypervisor and registers as
 * the tmem store only if tmem answers; otherwise it stays out of the way
 * and the local RAM store takes over.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cleancache.h>
#include <linux/debugfs.h>
#include <linux/init.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/tmem.h>

#include <xen/xen.h>
#include <xen/interface/xen.h>

#include <asm/xen/hypercall.h>
#include <asm/xen/page.h>

/* Commands of HYPERVISOR_tmem_op, numbered as in Xen's public tmem.h */
#define TMEM_NEW_POOL		1
#define TMEM_DESTROY_POOL	2
#define TMEM_PUT_PAGE		4
#define TMEM_GET_PAGE		5
#define TMEM_FLUSH_PAGE		6
#define TMEM_FLUSH_OBJECT	7

/*
 * Xen's errno values are Linux's on x86 (Xen's public errno.h), plus two of
 * tmem's own: a client frozen for save/restore, and a get from a pool that
 * holds no page at all (a miss, not an error).  A hypervisor without the
 * tmem hypercall answers XEN_ENOSYS.
 */
#define XEN_ENOSYS		38
#define TMEM_EFROZEN		1000
#define TMEM_EEMPTY		1001

/* Outcomes, one counter each, in debugfs cleancache/xen_tmem/ */
enum xen_tmem_stat {
	XT_POOLS_CREATED,	/* TMEM_NEW_POOL answered with a pool id */
	XT_POOLS_DESTROYED,	/* TMEM_DESTROY_POOL succeeded */
	XT_PUTS,		/* pages the hypervisor stored */
	XT_PUTS_REFUSED,	/* puts it declined (no room, or policy) */
	XT_GETS_HIT,		/* gets that returned the page */
	XT_GETS_MISS,		/* gets that found nothing */
	XT_FLUSH_PAGES,		/* flush page calls the hypervisor accepted */
	XT_FLUSH_OBJECTS,	/* flush object calls the hypervisor accepted */
	XT_ERR_NOSYS,		/* -XEN_ENOSYS: no tmem hypercall (Xen >= 4.13) */
	XT_ERR_NODEV,		/* -ENODEV: tmem off, bad pool, or dying domain */
	XT_ERR_PERM,		/* -EPERM: refused by XSM or pool policy */
	XT_ERR_NOMEM,		/* -ENOMEM: the hypervisor had no memory */
	XT_ERR_INVAL,		/* -EINVAL or -EFAULT: bad pool, flags or frame */
	XT_ERR_FROZEN,		/* -EFROZEN: client frozen for save/restore */
	XT_ERR_OTHER,		/* any other negative return */
	XT_NR_STATS,
};

static const char * const xen_tmem_stat_names[] = {
	[XT_POOLS_CREATED]	= "pools_created",
	[XT_POOLS_DESTROYED]	= "pools_destroyed",
	[XT_PUTS]		= "puts",
	[XT_PUTS_REFUSED]	= "puts_refused",
	[XT_GETS_HIT]		= "gets_hit",
	[XT_GETS_MISS]		= "gets_miss",
	[XT_FLUSH_PAGES]	= "flush_pages",
	[XT_FLUSH_OBJECTS]	= "flush_objects",
	[XT_ERR_NOSYS]		= "errors_enosys",
	[XT_ERR_NODEV]		= "errors_enodev",
	[XT_ERR_PERM]		= "errors_eperm",
	[XT_ERR_NOMEM]		= "errors_enomem",
	[XT_ERR_INVAL]		= "errors_einval",
	[XT_ERR_FROZEN]		= "errors_efrozen",
	[XT_ERR_OTHER]		= "errors_other",
};

static atomic_long_t xen_tmem_stats[XT_NR_STATS];

static bool xen_tmem_cleancache __read_mostly = true;
static bool xen_tmem_registered;
/* Set once the initcall ran: parameter writes then act at once. */
static bool xen_tmem_booted;
/* Serialises registration from the initcall and from the parameter. */
static DEFINE_MUTEX(xen_tmem_enable_lock);

static int xen_tmem_enable(void);

/*
 * xen_tmem.cleancache=0 at boot keeps the transport out of cleancache;
 * writing 1 at runtime probes and registers then, and filesystems mounted
 * meanwhile get their pools.  Backends cannot unregister: once registered,
 * 0 is refused.
 */
static int xen_tmem_cleancache_set(const char *val,
				   const struct kernel_param *kp)
{
	bool enable;
	int ret;

	ret = kstrtobool(val, &enable);
	if (ret)
		return ret;
	if (!READ_ONCE(xen_tmem_booted)) {
		xen_tmem_cleancache = enable;
		return 0;
	}
	mutex_lock(&xen_tmem_enable_lock);
	if (enable && !xen_tmem_registered)
		ret = xen_domain() ? xen_tmem_enable() : -ENODEV;
	else if (!enable && xen_tmem_registered)
		ret = -EBUSY;
	if (!ret)
		xen_tmem_cleancache = enable;
	mutex_unlock(&xen_tmem_enable_lock);
	return ret;
}

static const struct kernel_param_ops xen_tmem_cleancache_ops = {
	.set = xen_tmem_cleancache_set,
	.get = param_get_bool,
};
module_param_cb(cleancache, &xen_tmem_cleancache_ops, &xen_tmem_cleancache,
		0644);
MODULE_PARM_DESC(cleancache, "Use Xen tmem for cleancache if available (default 1); writing 1 registers at runtime");

/*
 * Linux stopped defining this call when Xen dropped tmem; the hypercall
 * number and struct tmem_op are still in the interface headers.
 */
static int HYPERVISOR_tmem_op(struct tmem_op *op)
{
	return _hypercall1(int, tmem_op, op);
}

/* The one way into the hypervisor; KUnit answers it with a model. */
static int (*xen_tmem_hypercall)(struct tmem_op *op) __read_mostly =
	HYPERVISOR_tmem_op;

static void xen_tmem_count(enum xen_tmem_stat stat, long n)
{
	atomic_long_add(n, &xen_tmem_stats[stat]);
}

static enum xen_tmem_stat xen_tmem_error_class(int err)
{
	switch (err) {
	case -XEN_ENOSYS:
		return XT_ERR_NOSYS;
	case -ENODEV:
		return XT_ERR_NODEV;
	case -EPERM:
		return XT_ERR_PERM;
	case -ENOMEM:
		return XT_ERR_NOMEM;
	case -EINVAL:
	case -EFAULT:
		return XT_ERR_INVAL;
	case -TMEM_EFROZEN:
		return XT_ERR_FROZEN;
	default:
		return XT_ERR_OTHER;
	}
}

/* Issue @op; a negative return is counted by class and passed back as is. */
static int xen_tmem_call(struct tmem_op *op)
{
	int ret = xen_tmem_hypercall(op);

	if (ret < 0)
		xen_tmem_count(xen_tmem_error_class(ret), 1);
	return ret;
}

/* The frame the hypervisor copies: machine frame in PV, else guest pfn. */
static unsigned long xen_tmem_frame(struct page *page)
{
	unsigned long pfn = page_to_pfn(page);

	return xen_pv_domain() ? pfn_to_gfn(pfn) : pfn;
}

/* A whole-page operation: offsets and length 0 mean the full page. */
static void xen_tmem_gen_op(struct tmem_op *op, u32 cmd, u32 pool_id,
			    const struct tmem_oid *oid, u32 index,
			    unsigned long frame)
{
	memset(op, 0, sizeof(*op));
	op->cmd = cmd;
	op->pool_id = pool_id;
	memcpy(op->u.gen.oid, oid->oid, sizeof(op->u.gen.oid));
	op->u.gen.index = index;
	set_xen_guest_handle(op->u.gen.gmfn, (void *)frame);
}

static int xen_tmem_new_pool(const u64 uuid[2], u32 flags)
{
	struct tmem_op op = { .cmd = TMEM_NEW_POOL };
	int ret;

	op.u.new.uuid[0] = uuid[0];
	op.u.new.uuid[1] = uuid[1];
	op.u.new.flags = flags;
	ret = xen_tmem_call(&op);
	if (ret >= 0)
		xen_tmem_count(XT_POOLS_CREATED, 1);
	return ret;
}

static int xen_tmem_destroy_pool(u32 pool_id)
{
	struct tmem_op op = {
		.cmd = TMEM_DESTROY_POOL,
		.pool_id = pool_id,
	};
	int ret = xen_tmem_call(&op);

	if (ret < 0)
		return ret;
	/* Xen answers 1 for a destroyed pool; the store contract says 0. */
	xen_tmem_count(XT_POOLS_DESTROYED, 1);
	return 0;
}

static int xen_tmem_put_page(u32 pool_id, const struct tmem_oid *oid,
			     u32 index, struct page *page)
{
	struct tmem_op op;
	int ret;

	xen_tmem_gen_op(&op, TMEM_PUT_PAGE, pool_id, oid, index,
			xen_tmem_frame(page));
	ret = xen_tmem_call(&op);
	if (ret > 0)
		xen_tmem_count(XT_PUTS, 1);
	else if (!ret)
		xen_tmem_count(XT_PUTS_REFUSED, 1);
	return ret;
}

static int xen_tmem_get_page(u32 pool_id, const struct tmem_oid *oid,
			     u32 index, struct page *page)
{
	struct tmem_op op;
	int ret;

	xen_tmem_gen_op(&op, TMEM_GET_PAGE, pool_id, oid, index,
			xen_tmem_frame(page));
	/* Xen answers an empty pool with -EEMPTY before it looks: a miss. */
	ret = xen_tmem_hypercall(&op);
	if (ret == -TMEM_EEMPTY)
		ret = 0;
	else if (ret < 0)
		xen_tmem_count(xen_tmem_error_class(ret), 1);
	if (ret > 0)
		xen_tmem_count(XT_GETS_HIT, 1);
	else if (!ret)
		xen_tmem_count(XT_GETS_MISS, 1);
	return ret;
}

static int xen_tmem_flush_page(u32 pool_id, const struct tmem_oid *oid,
			       u32 index)
{
	struct tmem_op op;
	int ret;

	xen_tmem_gen_op(&op, TMEM_FLUSH_PAGE, pool_id, oid, index, 0);
	ret = xen_tmem_call(&op);
	/* Xen answers 1 whether or not it held the page. */
	if (ret >= 0)
		xen_tmem_count(XT_FLUSH_PAGES, 1);
	return ret;
}

static int xen_tmem_flush_object(u32 pool_id, const struct tmem_oid *oid)
{
	struct tmem_op op;
	int ret;

	xen_tmem_gen_op(&op, TMEM_FLUSH_OBJECT, pool_id, oid, 0, 0);
	ret = xen_tmem_call(&op);
	/* Xen answers 1, not the number of pages it dropped. */
	if (ret >= 0)
		xen_tmem_count(XT_FLUSH_OBJECTS, 1);
	return ret;
}

static const struct tmem_store xen_tmem_store = {
	.name		= "xen_tmem",
	.new_pool	= xen_tmem_new_pool,
	.destroy_pool	= xen_tmem_destroy_pool,
	.put_page	= xen_tmem_put_page,
	.get_page	= xen_tmem_get_page,
	.flush_page	= xen_tmem_flush_page,
	.flush_object	= xen_tmem_flush_object,
};

/*
 * Ask the hypervisor for what a mount will ask: a private pool of our page
 * size, destroyed again at once.  Harmless on any Xen: without tmem the
 * call fails (-XEN_ENOSYS since Xen 4.13, -ENODEV when tmem is compiled
 * in but not enabled) and nothing is left behind.
 */
static int xen_tmem_probe(void)
{
	static const u64 private_uuid[2];
	int pool_id;

	pool_id = xen_tmem_new_pool(private_uuid,
				    tmem_pool_flags(false, PAGE_SIZE));
	if (pool_id < 0)
		return pool_id;
	return xen_tmem_destroy_pool(pool_id);
}

static const char *xen_tmem_probe_reason(int err)
{
	switch (err) {
	case -XEN_ENOSYS:
		return "the hypervisor has no tmem";
	case -ENODEV:
		return "tmem is not enabled in the hypervisor";
	case -EPERM:
		return "tmem is not permitted for this domain";
	default:
		return "tmem refused a pool";
	}
}

/* Probe, then register: the transport is either in charge or not there. */
static int xen_tmem_enable(void)
{
	int ret = xen_tmem_probe();

	if (ret < 0) {
		pr_info("%s (tmem_op: %d): not registering\n",
			xen_tmem_probe_reason(ret), ret);
		return ret;
	}
	ret = tmem_register_store(&xen_tmem_store);
	if (ret) {
		pr_warn("not registering: another store is in charge (%d)\n",
			ret);
		return ret;
	}
	xen_tmem_registered = true;
	pr_info("registered: cleancache pages go to Xen tmem\n");
	return 0;
}

static void xen_tmem_debugfs_init(void)
{
	struct dentry *dir;
	int i;

	dir = debugfs_create_dir("xen_tmem", cleancache_debugfs_dir());
	for (i = 0; i < XT_NR_STATS; i++)
		cleancache_debugfs_counter(xen_tmem_stat_names[i], dir,
					   &xen_tmem_stats[i]);
	debugfs_create_bool("registered", 0444, dir, &xen_tmem_registered);
}

/* Before the local store's late initcall: a working tmem takes precedence. */
static int __init xen_tmem_init(void)
{
	/* The hypervisor reads struct tmem_op with this exact layout. */
	BUILD_BUG_ON(sizeof(struct tmem_op) != 56);
	BUILD_BUG_ON(sizeof_field(struct tmem_op, u.gen.oid) !=
		     sizeof(struct tmem_oid));
	BUILD_BUG_ON(sizeof_field(struct tmem_op, u.gen.index) != sizeof(u32));
	BUILD_BUG_ON(sizeof_field(struct tmem_op, u.gen.gmfn) !=
		     sizeof(unsigned long));
	BUILD_BUG_ON(sizeof_field(struct tmem_op, u.new.uuid) !=
		     2 * sizeof(u64));
	BUILD_BUG_ON(ARRAY_SIZE(xen_tmem_stat_names) != XT_NR_STATS);

	if (!xen_domain()) {
		WRITE_ONCE(xen_tmem_booted, true);
		return -ENODEV;
	}
	xen_tmem_debugfs_init();
	mutex_lock(&xen_tmem_enable_lock);
	WRITE_ONCE(xen_tmem_booted, true);
	if (xen_tmem_cleancache)
		xen_tmem_enable();
	else
		pr_info("not used for cleancache (xen_tmem.cleancache=0)\n");
	mutex_unlock(&xen_tmem_enable_lock);
	return 0;
}
device_initcall(xen_tmem_init);

#if IS_ENABLED(CONFIG_XEN_TMEM_KUNIT_TEST)
#include "tmem_test.c"
#endif
