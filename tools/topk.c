// SPDX-License-Identifier: GPL-2.0
/*
 * The top-K set of inodes (see topk.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "topk.h"

/* An inode's gets since the last choice, and whether it is a member */
struct cand {
	struct cc_inode_key key;
	__u64 gets;
	const struct inode_row *row;	/* NULL: aged out of the map */
	bool member;
};

int topk_key_cmp(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct cc_inode_key));
}

static const struct inode_row *find_row(const struct inode_row *rows,
					size_t n, const struct cc_inode_key *k)
{
	return n ? bsearch(k, rows, n, sizeof(*rows), topk_key_cmp) : NULL;
}

static struct topk_pin *find_pin(const struct topk *t,
				 const struct cc_inode_key *k)
{
	return t->npins ? bsearch(k, t->pins, t->npins, sizeof(*t->pins),
				  topk_key_cmp) : NULL;
}

static struct topk_other *other_of(struct topk *t, __u32 dev)
{
	struct topk_other *p;
	size_t i;

	for (i = 0; i < t->nothers; i++)
		if (t->others[i].dev == dev)
			return &t->others[i];
	p = realloc(t->others, (t->nothers + 1) * sizeof(*p));
	if (!p)
		return NULL;
	t->others = p;
	p = &p[t->nothers++];
	memset(p, 0, sizeof(*p));
	p->dev = dev;
	return p;
}

/*
 * @r's change since @old (the same inode in an earlier read); a row that
 * went back (aged out of the LRU map, back from 0) changed by all of it
 */
static void row_delta(const struct inode_row *old_rows, size_t nold,
		      const struct inode_row *r, struct cc_counts *d)
{
	const struct inode_row *old = find_row(old_rows, nold, &r->key);
	const __u64 *n = (const __u64 *)&r->c, *o;
	size_t i;

	*d = r->c;
	if (!old)
		return;
	o = (const __u64 *)&old->c;
	for (i = 0; i < sizeof(r->c) / sizeof(__u64); i++)
		if (n[i] < o[i])
			return;
	counts_sub(d, &r->c, &old->c);
}

static struct inode_row *copy_rows(const struct inode_row *rows, size_t n)
{
	struct inode_row *c = malloc((n + 1) * sizeof(*c));

	if (c && n)
		memcpy(c, rows, n * sizeof(*c));
	return c;
}

int topk_account(struct topk *t, const struct inode_row *rows, size_t n)
{
	struct inode_row *copy = copy_rows(rows, n);
	struct cc_counts d;
	struct topk_pin *p;
	struct topk_other *o;
	size_t i;

	if (!copy)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		row_delta(t->prev, t->nprev, &rows[i], &d);
		/* every device with an inode has its "other", from 0 */
		o = other_of(t, rows[i].key.dev);
		p = find_pin(t, &rows[i].key);
		if (p)
			counts_add(&p->acc, &d);
		else if (o)
			counts_add(&o->c, &d);
	}
	free(t->prev);
	t->prev = copy;
	t->nprev = n;
	return 0;
}

static int cand_cmp(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;

	if (x->gets != y->gets)
		return x->gets < y->gets ? 1 : -1;
	if (x->member != y->member)
		return x->member ? -1 : 1;
	return topk_key_cmp(&x->key, &y->key);
}

int topk_choose(struct topk *t, const struct inode_row *rows, size_t n,
		size_t k)
{
	struct inode_row *base = NULL;
	struct topk_pin *sel = NULL, *p;
	struct cand *c = NULL;
	struct cc_counts d;
	size_t nc = 0, i, nsel;
	int err;

	err = topk_account(t, rows, n);
	if (err)
		return err;
	c = calloc(n + t->npins + 1, sizeof(*c));
	base = copy_rows(rows, n);
	if (!c || !base)
		goto oom;
	for (i = 0; i < n; i++) {
		row_delta(t->base, t->nbase, &rows[i], &d);
		c[nc++] = (struct cand){ .key = rows[i].key,
					 .gets = counts_gets(&d),
					 .row = &rows[i],
					 .member = find_pin(t, &rows[i].key) != NULL };
	}
	/* members whose row aged out of the map can stay, idle */
	for (i = 0; i < t->npins; i++)
		if (!find_row(rows, n, &t->pins[i].key))
			c[nc++] = (struct cand){ .key = t->pins[i].key,
						 .member = true };
	qsort(c, nc, sizeof(*c), cand_cmp);
	nsel = nc < k ? nc : k;
	sel = calloc(nsel + 1, sizeof(*sel));
	if (!sel)
		goto oom;
	for (i = 0; i < nsel; i++) {
		sel[i].key = c[i].key;
		p = c[i].member ? find_pin(t, &c[i].key) : NULL;
		/* a newcomer's series starts at its own count */
		sel[i].acc = p ? p->acc : c[i].row->c;
	}
	qsort(sel, nsel, sizeof(*sel), topk_key_cmp);
	free(t->pins);
	t->pins = sel;
	t->npins = nsel;
	free(t->base);
	t->base = base;
	t->nbase = n;
	free(c);
	return 0;
oom:
	free(c);
	free(base);
	free(sel);
	return -ENOMEM;
}

void topk_free(struct topk *t)
{
	free(t->pins);
	free(t->others);
	free(t->prev);
	free(t->base);
	memset(t, 0, sizeof(*t));
}
