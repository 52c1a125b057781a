/* names.c - every (name, arch) pair looked up once, and the warnings for
 * names no arch of the filter knows (runc and libseccomp skip them). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ir/build.h"

/* ---- unknown names ------------------------------------------------------ */

/* Look every (name, arch) pair up once; names are numbered in rule order. */
int sp_rs_lookup_names(struct build *b)
{
	size_t total = 0, seq = 0, na = b->rs->narches;
	const struct sp_arch **arches = sp_salloc(b->scratch, na * sizeof(*arches));

	for (size_t i = 0; i < b->r->nrules; i++)
		total += b->r->rules[i]->nnames;
	b->nrs = sp_salloc(b->scratch, (total ? total : 1) * na * sizeof(*b->nrs));
	b->known = sp_salloc(b->scratch, (total ? total : 1) * sizeof(*b->known));
	/* in the rule set's arena: no heap block of its own to come and go */
	b->row = sp_arena_alloc_raw(&b->rs->arena, (total ? total : 1) * sizeof(*b->row));
	b->arg32 = sp_arena_alloc_raw(&b->rs->arena, total ? total : 1);
	/* only the drops name them (record.c): 3 KB on Docker's default that a
	 * compile would write and never read */
	b->names = b->record ? sp_arena_alloc_raw(&b->rs->arena,
						  (total ? total : 1) * sizeof(*b->names))
			     : NULL;
	if (!b->nrs || !b->known || !b->row || !b->arg32 || (b->record && !b->names) || !arches) {
		sp_sfree(b->scratch, arches);
		return sp_err_oom(b->err);
	}
	for (size_t a = 0; a < na; a++)
		arches[a] = b->rs->arches[a].arch;
	/* one name lookup per name, its numbers on every arch at once */
	for (size_t i = 0; i < b->r->nrules; i++) {
		const struct sp_rule *rule = b->r->rules[i];
		for (size_t j = 0; j < rule->nnames; j++, seq++) {
			/* argument types matter to rules with conditions only */
			bool args = rule->nargs > 0;
			if (b->names)
				b->names[seq] = rule->names[j].s;
			b->arg32[seq] = 0;
			b->row[seq] = -1;
			b->known[seq] =
				sp_syscall_lookup(rule->names[j].s, arches, na, &b->nrs[seq * na],
						  args ? &b->arg32[seq] : NULL, &b->row[seq]);
			/* runc asks its libseccomp for the number: 2.5.4 (Debian
			 * 12's) has none for names newer than itself, and runc
			 * skips them (seccomp_syscall_resolve_name_arch gives
			 * __NR_SCMP_ERROR): the default action, or the ENOSYS
			 * stub above the highest number it knows */
			if (b->newer || !sp_syscall_newer_anywhere(b->row[seq]))
				continue;
			for (size_t a = 0; a < na; a++)
				if (b->nrs[seq * na + a] >= 0 &&
				    sp_syscall_newer(arches[a], b->row[seq]))
					b->nrs[seq * na + a] = SP_NR_NEWER;
		}
	}
	sp_sfree(b->scratch, arches);
	return 0;
}

static bool known_on_filter(const struct build *b, size_t seq)
{
	for (size_t a = 0; a < b->rs->narches; a++)
		if (b->nrs[seq * b->rs->narches + a] >= 0 ||
		    b->nrs[seq * b->rs->narches + a] == SP_NR_NEWER)
			return true; /* newer names: the IR's drops say so */
	return false;
}

struct unknown {
	const char *name;
	size_t order;
	const struct sp_rule *rule;
	size_t j;
};

static int cmp_unknown(const void *x, const void *y)
{
	const struct unknown *a = x, *b = y;
	int c = strcmp(a->name, b->name);
	if (c)
		return c;
	return a->order < b->order ? -1 : a->order > b->order;
}

static int cmp_unknown_order(const void *x, const void *y)
{
	const struct unknown *a = x, *b = y;
	return a->order < b->order ? -1 : a->order > b->order;
}

/* runc skips names its libseccomp does not know for an arch. Names unknown
 * on every arch of the table are reported (and refused in strict mode) when
 * the profile is checked (check.c); here, once per name and only in strict
 * mode, we note the names that exist elsewhere but on no arch of this
 * filter (recv and send in Docker's default on amd64): normal in a
 * multi-arch profile, so never an error, and not worth a line on every
 * `secprof run`. Rules equal to the default are skipped by runc first. */
int sp_rs_warn_unknown(struct build *b)
{
	struct sp_vec v = { .item_size = sizeof(struct unknown), .scratch = b->scratch };
	size_t kept = 0;
	int rc = 0;

	if (!b->ctx || !b->ctx->strict)
		return 0;

	for (size_t i = 0, seq = 0; i < b->r->nrules; i++) {
		const struct sp_rule *rule = b->r->rules[i];
		if (sp_rule_is_default(b->r->prof, rule)) {
			seq += rule->nnames;
			continue;
		}
		for (size_t j = 0; j < rule->nnames; j++, seq++) {
			struct unknown *u;
			if (known_on_filter(b, seq) || !b->known[seq])
				continue;
			if (!(u = sp_vec_push(&v))) {
				sp_vec_free(&v);
				return sp_err_oom(b->err);
			}
			*u = (struct unknown){ rule->names[j].s, v.len, rule, j };
		}
	}
	struct unknown *u = v.items;
	if (!v.len)
		return 0;
	qsort(u, v.len, sizeof(*u), cmp_unknown);
	for (size_t i = 0; i < v.len; i++)
		if (i == 0 || strcmp(u[i].name, u[kept - 1].name))
			u[kept++] = u[i];
	qsort(u, kept, sizeof(*u), cmp_unknown_order);
	for (size_t i = 0; i < kept; i++) {
		char path[SP_RULE_PATH_MAX];
		sp_rule_path(path, sizeof(path), u[i].rule, "names", u[i].j, NULL);
		sp_note(b->ctx, b->file, &u[i].rule->names[u[i].j].loc, path,
			"syscall \"%s\" does not exist on %s%s: ignored in this filter", u[i].name,
			b->rs->arches[0].arch->name,
			b->rs->narches > 1 ? " or the other arches" : "");
	}
	sp_vec_free(&v);
	return rc;
}
