// SPDX-License-Identifier: GPL-2.0
/*
 * The live top-K set of inodes (see topk.h).
 */
#include <stdlib.h>
#include <string.h>
#include "topk.h"

/* An inode's change since the last update, and whether it is a member */
struct cand {
	struct cc_inode_key key;
	struct cc_counts delta;
	bool member;
};

int topk_key_cmp(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct cc_inode_key));
}

static const struct inode_row *find_row(const struct inode_row *rows,
					size_t n, const struct cc_inode_key *k)
{
	return bsearch(k, rows, n, sizeof(*rows), topk_key_cmp);
}

static struct topk_pin *find_pin(const struct topk *t,
				 const struct cc_inode_key *k)
{
	return bsearch(k, t->pins, t->npins, sizeof(*t->pins), topk_key_cmp);
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

/* A row that went back (aged out of the LRU map, back from 0): all of it */
static void row_delta(const struct topk *t, const struct inode_row *r,
		      struct cc_counts *d)
{
	const struct inode_row *old = find_row(t->prev, t->nprev, &r->key);
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

static int cand_cmp(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;
	__u64 gx = counts_gets(&x->delta), gy = counts_gets(&y->delta);

	if (gx != gy)
		return gx < gy ? 1 : -1;
	if (x->member != y->member)
		return x->member ? -1 : 1;
	return topk_key_cmp(&x->key, &y->key);
}

void topk_update(struct topk *t, const struct inode_row *rows, size_t n,
		 size_t k)
{
	size_t nc = 0, i, nsel;
	struct topk_pin *sel, *p;
	struct topk_other *o;
	struct inode_row *copy;
	struct cand *c;

	c = calloc(n + t->npins + 1, sizeof(*c));
	copy = malloc((n + 1) * sizeof(*copy));
	if (!c || !copy) {
		free(c);
		free(copy);
		return;
	}
	for (i = 0; i < n; i++) {
		c[nc].key = rows[i].key;
		row_delta(t, &rows[i], &c[nc].delta);
		c[nc].member = find_pin(t, &c[nc].key) != NULL;
		nc++;
	}
	/* members whose row aged out of the map can stay, idle */
	for (i = 0; i < t->npins; i++)
		if (!find_row(rows, n, &t->pins[i].key))
			c[nc++] = (struct cand){ .key = t->pins[i].key,
						 .member = true };
	qsort(c, nc, sizeof(*c), cand_cmp);
	nsel = nc < k ? nc : k;
	sel = calloc(nsel + 1, sizeof(*sel));
	if (!sel) {
		free(c);
		free(copy);
		return;
	}
	for (i = 0; i < nsel; i++) {
		sel[i].key = c[i].key;
		p = c[i].member ? find_pin(t, &c[i].key) : NULL;
		if (p)
			sel[i].acc = p->acc;
		counts_add(&sel[i].acc, &c[i].delta);
		other_of(t, c[i].key.dev);	/* a series has its "other" */
	}
	for (; i < nc; i++) {
		o = other_of(t, c[i].key.dev);
		if (!o)
			continue;
		counts_add(&o->c, &c[i].delta);
		p = c[i].member ? find_pin(t, &c[i].key) : NULL;
		if (p)
			counts_add(&o->c, &p->acc);
	}
	qsort(sel, nsel, sizeof(*sel), topk_key_cmp);
	free(t->pins);
	t->pins = sel;
	t->npins = nsel;
	memcpy(copy, rows, n * sizeof(*copy));
	free(t->prev);
	t->prev = copy;
	t->nprev = n;
	free(c);
}

void topk_free(struct topk *t)
{
	free(t->pins);
	free(t->others);
	free(t->prev);
	memset(t, 0, sizeof(*t));
}
