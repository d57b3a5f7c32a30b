/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The top-K set of inodes behind `ccstat export --top-inodes K`.
 *
 * The set is chosen on the exporter's interval timer, never by a scrape,
 * so every scraper sees the same series: topk_choose() ranks the inodes
 * by their gets since the previous choice (a member keeps its place on
 * a tie).  Every read of the maps, scrape or timer, calls topk_account()
 * first, which moves each inode's change since the previous read: a
 * member's to its own series, everybody else's to its device's
 * "other".  An inode that joins starts its series at its own count (the
 * increase it had outside the set is already in "other"; a new series
 * has no rate() until its second sample, so no spike), and one that
 * leaves takes its series with it: "other" only ever counts what
 * non-members did.  Every series is monotonic, whatever ages out of the
 * BPF map (a row back from zero counts from zero).  Pure: no BPF, no I/O.
 */
#ifndef CCSTAT_TOPK_H
#define CCSTAT_TOPK_H

#include <stddef.h>
#include "ccstat.h"

/*
 * The most inodes --top-inodes may name: 4 series each (puts and gets,
 * each by outcome), so 40,000 inode series at most in a scrape.
 */
#define TOPK_MAX	10000

/* An inode in the set and its series */
struct topk_pin {
	struct cc_inode_key key;
	struct cc_counts acc;
};

/* Per device: what inodes outside the set counted while outside it */
struct topk_other {
	__u32 dev;
	struct cc_counts c;
};

struct topk {
	struct topk_pin *pins;		/* the set, sorted by key */
	size_t npins;
	struct topk_other *others;
	size_t nothers;
	struct inode_row *prev;		/* the rows at the last account */
	size_t nprev;
	struct inode_row *base;		/* the rows at the last choice */
	size_t nbase;
};

/*
 * @rows: the inode map now, sorted by key, cumulative counts.  account:
 * move the changes since the last call into the series; choose: account,
 * then pick the K busiest since the last choice.  0 or -ENOMEM (then
 * nothing changed).
 */
int topk_account(struct topk *t, const struct inode_row *rows, size_t n);
int topk_choose(struct topk *t, const struct inode_row *rows, size_t n,
		size_t k);
void topk_free(struct topk *t);
int topk_key_cmp(const void *a, const void *b);

#endif /* CCSTAT_TOPK_H */
