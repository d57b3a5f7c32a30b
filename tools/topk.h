/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The live top-K set of inodes behind `ccstat export --top-inodes K`.
 * Each update ranks the inodes by their gets since the previous update
 * (a member keeps its place on a tie) and moves the counts: a member's
 * change goes to its own series, everything else to its device's
 * "other", and an inode that leaves the set hands what its series
 * counted to "other".  So every series is monotonic and the series of a
 * device always add up to its inode counts, however the set changes and
 * whatever ages out of the BPF map.  Pure: no BPF, no I/O.
 */
#ifndef CCSTAT_TOPK_H
#define CCSTAT_TOPK_H

#include <stddef.h>
#include "ccstat.h"

/* An inode in the set and what it counted while in it */
struct topk_pin {
	struct cc_inode_key key;
	struct cc_counts acc;
};

/* Per device: what inodes outside the set counted */
struct topk_other {
	__u32 dev;
	struct cc_counts c;
};

struct topk {
	struct topk_pin *pins;		/* the set, sorted by key */
	size_t npins;
	struct topk_other *others;
	size_t nothers;
	struct inode_row *prev;		/* the rows of the last update */
	size_t nprev;
};

/* @rows: the inode map now, sorted by key (cumulative counts) */
void topk_update(struct topk *t, const struct inode_row *rows, size_t n,
		 size_t k);
void topk_free(struct topk *t);
int topk_key_cmp(const void *a, const void *b);

#endif /* CCSTAT_TOPK_H */
