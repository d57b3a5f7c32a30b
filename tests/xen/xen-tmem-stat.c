// SPDX-License-Identifier: GPL-2.0
/*
 * xen-tmem-stat: the hypervisor's own view of this domain's tmem pools,
 * from dom0 through /dev/xen/privcmd, as "xl tmem-list" had it: the
 * XEN_SYSCTL_tmem_op sysctl of Xen 4.9 to 4.12 (tmem left in 4.13).  A
 * thin front end for the tests to ccstat's own reader, tools/xen_tmem.c
 * (`ccstat check` reconciles the same numbers with the guest's).
 *
 *   xen-tmem-stat pools    one line per pool: id, shared, pages, and the
 *                          uuid's 16 bytes in hex, in the order the guest
 *                          passed them (ocfs2's uuid_str order)
 *   xen-tmem-stat list     Xen's per-pool counters of this domain, one
 *                          line per pool: "pool=ID good_puts=.. puts=..
 *                          found_gets=.. gets=.. flushes_found=..
 *                          flushes=.. flush_objs_found=.. flush_objs=..
 *                          pages=.."
 *   xen-tmem-stat global   Xen's tmem-wide counters: pages evicted to make
 *                          room, allocation failures, pages held
 *   xen-tmem-stat free     the machine's memory and what Xen has free
 *                          (XEN_SYSCTL_physinfo), in MiB
 *   xen-tmem-stat auth UUID
 *                          let dom0 create a shared pool with this UUID
 *                          (32 hex digits, in byte order), as "xl
 *                          tmem-shared-auth" did: Xen 4.12 otherwise makes
 *                          the pool private
 *
 * Exit status: 0, 1 on a failed hypercall (message on stderr), 2 on usage.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "../../tools/xen_tmem.h"

static int failed(const char *what, int err)
{
	fprintf(stderr, "xen-tmem-stat: failed to %s: %s\n", what,
		strerror(-err));
	return 1;
}

/* "name=value" for each field, space separated, then a newline */
static void print_fields(const void *base, const struct xen_tmem_field *f)
{
	const char *sep = "";

	for (; f->name; f++, sep = " ")
		printf("%s%s=%llu", sep, f->name,
		       (unsigned long long)*(const uint64_t *)
		       ((const char *)base + f->off));
	putchar('\n');
}

static int cmd_pools(struct xen_tmem *x, bool counters)
{
	struct xen_tmem_pool p[XEN_TMEM_MAX_POOLS];
	int i, b, n = xen_tmem_pools(x, p, XEN_TMEM_MAX_POOLS);

	if (n < 0)
		return failed("read Xen's tmem pools", n);
	for (i = 0; i < n; i++) {
		if (counters) {
			printf("pool=%u ", p[i].id);
			print_fields(&p[i], xen_tmem_pool_fields);
			continue;
		}
		printf("pool=%u shared=%d pages=%llu uuid=", p[i].id,
		       p[i].shared, (unsigned long long)p[i].pages);
		for (b = 0; b < 16; b++)
			printf("%02x", p[i].uuid[b]);
		putchar('\n');
	}
	return 0;
}

static int cmd_global(struct xen_tmem *x)
{
	struct xen_tmem_global g;
	int err = xen_tmem_global(x, &g);

	if (err)
		return failed("read Xen's tmem counters", err);
	print_fields(&g, xen_tmem_global_fields);
	return 0;
}

static int cmd_free(struct xen_tmem *x)
{
	uint64_t total, free;
	int err = xen_tmem_physinfo(x, &total, &free);

	if (err)
		return failed("read Xen's physinfo", err);
	printf("total_mb=%llu free_mb=%llu\n", (unsigned long long)total >> 8,
	       (unsigned long long)free >> 8);
	return 0;
}

static int cmd_auth(struct xen_tmem *x, const char *hex)
{
	uint8_t uuid[16];
	int b, err;

	for (b = 0; b < 16; b++) {
		unsigned int byte;

		if (strlen(hex) != 32 || sscanf(hex + 2 * b, "%2x", &byte) != 1) {
			fprintf(stderr, "xen-tmem-stat: failed to parse UUID %s: want 32 hex digits\n",
				hex);
			return 2;
		}
		uuid[b] = byte;
	}
	err = xen_tmem_auth(x, uuid);
	return err ? failed("authorize the UUID", err) : 0;
}

int main(int argc, char **argv)
{
	const char *cmd = argc >= 2 ? argv[1] : "";
	struct xen_tmem *x;
	int err, ret;

	if ((argc != 2 || (strcmp(cmd, "pools") && strcmp(cmd, "list") &&
			   strcmp(cmd, "global") && strcmp(cmd, "free"))) &&
	    (argc != 3 || strcmp(cmd, "auth"))) {
		fprintf(stderr, "usage: xen-tmem-stat pools|list|global|free|auth UUID\n");
		return 2;
	}
	err = xen_tmem_open(&x);
	if (err)
		return failed("open /dev/xen/privcmd", err);
	if (!strcmp(cmd, "pools") || !strcmp(cmd, "list"))
		ret = cmd_pools(x, !strcmp(cmd, "list"));
	else if (!strcmp(cmd, "free"))
		ret = cmd_free(x);
	else if (!strcmp(cmd, "auth"))
		ret = cmd_auth(x, argv[2]);
	else
		ret = cmd_global(x);
	xen_tmem_close(x);
	return ret;
}
