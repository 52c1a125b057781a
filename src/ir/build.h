/* build.h - what the files of the rule-set build share (ruleset.c and the
 * stages it calls). Private to src/ir/: the rest of secprof reads the
 * finished struct sp_ruleset through ruleset.h. */
#ifndef SP_IR_BUILD_H
#define SP_IR_BUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "secprof.h"
#include "core/scratch.h"
#include "core/util.h"
#include "core/arch.h"
#include "profile/profile.h"
#include "profile/resolve.h"
#include "ir/ruleset.h"

/* What one name is to the multiplexers: socketcall(2) (kind 0) or ipc(2)
 * (kind 1) and its call number there; kind -1 for every other name. Worked
 * out once per build (sp_rs_mux_names), since every multiplexing arch reads it. */
struct mux_name {
	int8_t kind;
	uint8_t call;
};

/* One (syscall number, rule) pair on one arch, before merging. */
struct entry {
	int32_t nr;
	/* the name's place (rule order, then name order) << 32, so ties keep
	 * profile order; + 1 + part for the multiplexer rules of that name */
	uint64_t seq;
	const struct sp_rule *rule;
	const char *name;
};

/* The profile name an entry came from (its index in the build's tables). */
static inline size_t entry_name(const struct entry *e)
{
	return (size_t)(e->seq >> 32);
}

static inline bool entry_is_mux(const struct entry *e)
{
	return (uint32_t)e->seq != 0;
}

/* In nrs: the name exists on the arch, but libseccomp 2.5.4 does not
 * know it there, so runc skips it (sp_syscall_newer); < 0 like a name
 * that does not exist, so every test of `nr < 0` skips it too. */
#define SP_NR_NEWER (-2)

struct build {
	secprof_ctx *ctx;
	const secprof_resolved *r;
	struct sp_ruleset *rs;
	secprof_error *err;
	/* where the build's temporaries go (core/scratch.h): all of them are
	 * freed before build_ruleset returns */
	struct sp_scratch *scratch;
	const char *file;
	bool stub;
	/* The native arch, where the profile does not list it and the stub
	 * would answer ENOSYS where Debian 12's runc 1.1.5 gives the default
	 * KILL or TRAP: no stub section for it (ruleset.c collect_arches). */
	const struct sp_arch *stubless;
	int32_t *nrs;          /* [name seq][arch]: every name looked up once per arch */
	struct mux_name *muxn; /* [name seq]: what it is to the multiplexers */
	bool *known;           /* [name seq]: sp_syscall_known, from the same lookup */
	size_t steps;          /* replay work left for the whole profile (SP_REPLAY_STEPS) */
	uint8_t *arg32;        /* [name seq]: sp_syscall_arg32_of, from the same lookup */
	int32_t *row;          /* [name seq]: the name's index in the syscall table */
	bool exact;            /* secprof_compile_opts.exact_libseccomp */
	bool newer;            /* secprof_compile_opts.newer_syscalls */
	bool lxc;              /* an LXC policy (merge.c lxc_left_out) */
	const char **names;    /* [name seq]: the name as written; when recording only */
	struct sp_vec drops;   /* struct sp_drop: what the program leaves out */
	struct sp_vec conds;   /* struct sp_cond: merge.c's chains of one number while merged */
	bool record;           /* keep drops (sp_ruleset_build_ir); the compiler needs none */
	size_t insn_hint;      /* merge_nr's part of sp_ruleset.insn_hint for its number */
	bool as_written;       /* no libseccomp bug modelled (sp_ruleset_build_as_written) */
	/* [arch]: the entries of the numbers with argument rules, kept by
	 * sp_rs_build_arch for the stale accumulator's model (scmpacc.c), as
	 * sp_rs_list_db would list them; where NULL, or an arch's are not
	 * .kept or not .ok (they may differ), the model lists them itself */
	struct model_db *model_db;
	/* merge_nr: the last unconditional rule whose action it worked out */
	const struct sp_rule *ret_of;
	uint32_t ret;
};

struct model_db {
	const struct entry *e; /* in the rule set's arena */
	size_t n;
	bool kept, ok;
};

/* A refusal the chain-level check found: rule y meets the earlier rule x
 * with another action (`how` says on what). */
struct chain_clash {
	const struct sp_rule *x, *y;
	const char *how;
};

/* record.c */
int sp_rs_add_drop(struct build *b, enum secprof_reason reason, const struct sp_rule *rule,
		   const char *name, const struct sp_arch *a, const char *via,
		   const struct sp_rule *by, int cond);
int sp_rs_drop_entry(struct build *b, enum secprof_reason reason, const struct sp_arch *a,
		     const struct entry *e, const struct sp_rule *by, int cond);

/* names.c */
int sp_rs_lookup_names(struct build *b);
int sp_rs_warn_unknown(struct build *b);

/* arg32.c */
/* The arg32 mask of a syscall's entries: the same for every entry of one
 * name that has conditions (sp_rs_settle_arg32), and entries without conditions
 * make no tests. */
uint8_t sp_rs_entries_arg32(const struct build *b, const struct sp_arch *a, const struct entry *e,
			    size_t n);
struct sp_arg sp_rs_narrow_arg(const struct sp_arg *x, uint8_t arg32);
int sp_rs_settle_arg32(struct build *b);

/* mux.c */
extern const char sp_rs_mux_syscall[2][sizeof("socketcall")]; /* "socketcall", "ipc" */
bool sp_rs_multiplexes(const struct sp_arch *a);
/* The multiplexer whose family `name` is in: 0 socketcall, 1 ipc, -1 none. */
int sp_rs_mux_family(const char *name);
int sp_rs_push_mux(struct build *b, struct sp_vec *v, int32_t nr, uint32_t seq,
		   const struct sp_rule *rule, const struct mux_name *mn);
/* The entries sp_rs_push_mux pushes, written to out[0..sp_rs_mux_parts). */
size_t sp_rs_mux_parts(const struct sp_rule *rule);
int sp_rs_mux_entries(struct build *b, struct entry *out, int32_t nr, uint32_t seq,
		      const struct sp_rule *rule, const struct mux_name *mn);
int sp_rs_mux_names(struct build *b);

/* merge.c */
bool sp_rs_index_repeats(const struct sp_rule *rule);
int sp_rs_build_arch(struct build *b, struct sp_arch_rules *ar);
/* Does sysrule s have blocks past its number in libseccomp's program (an
 * argument rule on either side)? The numbers the stale model lists. */
bool sp_rs_tests_args(const struct sp_sysrule *s);
/* Can sysrule s give an action stricter than an errno (kill, trap)? */
bool sp_rs_beats_errno(const struct sp_sysrule *s);
int sp_rs_check_absent(struct build *b, const struct sp_arch_rules *ar);
int sp_rs_clash(struct build *b, const struct sp_sysrule *s, const struct sp_rule *x,
		const struct sp_rule *y, const char *how);

/* tree.c */
/* What decides whether a syscall's rules can make libseccomp's word tree
 * refuse: its conditional rules add two conditions or more and have two
 * actions (nothing else replays). Fed one rule at a time, per name by
 * sp_rs_check_word_tree, over many names at once by a caller that wants to
 * know that no name of them can. */
struct clash_scan {
	const struct sp_rule *first; /* the first conditional rule */
	uint32_t first_ret;
	size_t adds; /* conditions of the conditional rules */
	bool mixed;  /* a conditional rule with another action than first's */
};
void sp_rs_clash_scan_add(struct clash_scan *s, const struct sp_rule *rule);
static inline bool sp_rs_clash_scan_may(const struct clash_scan *s)
{
	return s->adds >= 2 && s->mixed;
}
int sp_rs_check_word_tree(struct build *b, const struct sp_arch *a, struct sp_sysrule *keep,
			  const char *name, const struct entry *e, size_t n,
			  const struct chain_clash *cc);
bool sp_rs_tree_has_src(const struct sp_tnode *n, const struct sp_rule *rule);
/* libseccomp's node count for these entries (db.c node_cnt: not freed, linked or not);
 * SIZE_MAX when the replay refuses or runs out of steps. */
size_t sp_rs_word_tree_nodes(struct build *b, const struct sp_arch *a, const struct entry *e,
			     size_t n);
/* libseccomp's word tree for one syscall's entries, replayed with the
 * profile's values (runc adds them uncut), and its node count. */
struct sp_word_tree {
	struct sp_tnode *pool; /* the caller frees it (sp_sfree, b->scratch) */
	const struct sp_tnode *root;
	size_t nodes;  /* libseccomp's count (db.c node_cnt), not the pool's */
	size_t used;   /* the pool's nodes, freed ones too */
	bool narrowed; /* a merge lost part of a rule (tree.c tree_add) */
};
bool sp_rs_word_tree_replay(struct build *b, const struct sp_arch *a, const struct entry *e,
			    size_t n, struct sp_word_tree *w);
/* scmpbug.c */
/* Where libseccomp 2.5.4's program never loads the syscall number on an
 * arch (docs/COMPAT.md §4.4), give every verdict there the stricter of it
 * and the default action, as runc's filter does; a note where it may. */
int sp_rs_libseccomp_bugs(struct build *b);
/* The db runc's rules make for arch ai (db_rule_add via
 * arch_filter_rule_add): real numbers, the multiplexer's rules, and pseudo
 * numbers where libseccomp keeps them; one number's entries together, in
 * runc's order. want (may be NULL): only the numbers it wants. */
int sp_rs_list_db(struct build *b, size_t ai, struct sp_vec *v,
		  bool (*want)(const void *data, int32_t nr), const void *data);

/* scmpacc.c */
/* Where libseccomp 2.5.4's program compares a stale accumulator
 * (docs/COMPAT.md §4.4), give the syscall a twin deciding the stricter of
 * the rules and that program (sp_wide.dag). skip[ai]: arches whose
 * program never reaches the rules; optimize2: runc may lay the program out
 * at OPTIMIZE 2 too (above 32 rules). */
int sp_rs_model_stale(struct build *b, const bool *skip, bool optimize2);

#endif
