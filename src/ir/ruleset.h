/* ruleset.h - a resolved profile as the filter sees it, per architecture
 * (ruleset.c and the files beside it), and the BPF tools that read it (compile.c, emulate.c, disasm.c).
 *
 * The ruleset is the IR between resolution and code generation: runc's and
 * libseccomp's rule semantics (docs/COMPAT.md §4.1.2, §4.3) are applied once here, so
 * the generator, explain/diff tools and tests all see the same decisions.
 * Everything lives in the ruleset's arena; strings are borrowed from the
 * profile, which must outlive the ruleset.
 */
#ifndef SP_RULESET_H
#define SP_RULESET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arch.h"
#include "profile/profile.h"
#include "profile/resolve.h"
#include "core/util.h"

#define SP_X32_BIT 0x40000000u

/* One argument comparison on one arch. On 32-bit ABIs value/value_two are
 * already truncated to their low 32 bits (libseccomp _db_rule_gen_32). */
struct sp_cond {
	uint8_t arg;
	/* the kernel reads the argument as 32 bits on this 64-bit ABI
	 * (gen/argtypes.inc): value/value_two were cut to their low word and
	 * the argument's high word counts as 0, so only the low word is tested */
	bool lo_only;
	enum sp_op op;
	uint64_t value;
	uint64_t value_two; /* MASKED_EQ only, already & value (libseccomp), else 0 */
};

/* A conditional rule: all conditions AND-ed. The conditions are an array
 * of their own in the ruleset's arena, nconds long (at most 6): most
 * chains test one argument, and a chain per rule is most of the ruleset
 * of a large profile. */
struct sp_crule {
	uint32_t ret;
	uint8_t nconds;
	const struct sp_cond *conds;
	const struct sp_rule *src;
};

/* One node of libseccomp 2.5.4's argument tree for one syscall (its
 * db_arg_chain_tree, replayed in tree.c): a test of one 32-bit word of
 * an argument. The BPF libseccomp generates (gen_bpf.c _gen_bpf_chain)
 * tries the nodes of a level in sibling order (prev/next); the side the
 * test takes goes down a level (t/f), or returns an action (has_t/has_f),
 * or, with neither, on to the next sibling; a level all of whose nodes fall
 * through goes on where its parent would have gone next, and the top level
 * falls through to the default action. */
struct sp_tnode {
	uint8_t level;        /* arg * 2 + 1 for the high word, arg * 2 for the low */
	enum sp_op op;        /* the word test: EQ, GT, GE or MASKED_EQ */
	enum sp_op op_orig;   /* the rule's operator: sibling order */
	uint32_t mask, datum; /* (word & mask) op datum; datum already & mask */
	uint64_t datum_full;
	struct sp_tnode *t, *f;       /* next level when the test is true / false */
	struct sp_tnode *prev, *next; /* siblings, libseccomp's order */
	bool has_t, has_f;            /* an action ends the chain on that side */
	uint32_t act_t, act_f;
	const struct sp_rule *src_t, *src_f;
	uint32_t ret; /* the action of the rule that made the node */
	bool lo_only; /* the argument is read as 32 bits (sp_cond):
				    a high-word test sees 0, never the input */
	/* the replay only (tree.c): libseccomp's reference count, and whether
	 * libseccomp would have freed the node */
	bool dead;
	uint32_t refs;
};

/* What a few numbers have beside their rules (sp_sysrule.more; read them
 * through sp_sys_tree and sp_sys_wide). */
struct sp_sysrule_more {
	/* when the conditional rules have two or more actions: libseccomp's
	 * word tree, which then decides instead of the rules' order (the
	 * rules stay for explanations); NULL otherwise */
	const struct sp_tnode *tree;
	/* Rules that test arguments the kernel reads as 32 bits (lo_only)
	 * also get this twin: the same rules compared on all 64 bits, as
	 * libseccomp compares them (Docker's verdict). The call gets the
	 * stricter of the two verdicts (sp_ret_stricter; ties: the twin's),
	 * so secprof never allows what Docker's filter denies, nor what the
	 * low word alone denies (ir/arg32.c). NULL when no rule tests such an
	 * argument. */
	const struct sp_wide *wide;
};

/* What one syscall number decides on one arch. */
struct sp_sysrule {
	/* the scalars first, together: 48 bytes rather than 64 with the
	 * padding after each and the tree and twin inline; every number of
	 * every arch has one (Docker's default: ~950 on amd64's three
	 * arches), and a cold compile pays for each cache line of them it
	 * writes */
	int32_t nr;
	uint32_t ret;    /* when uncond */
	uint32_t nrules; /* of rules */
	bool uncond;
	const char *name;
	struct sp_crule *rules;    /* when !uncond: first match wins, in this order */
	const struct sp_rule *src; /* the rule that decided (first one) */
	/* the word tree and the twin, NULL when it has neither (most numbers);
	 * shared by copies of the slot, so never changed in place: sp_sys_set
	 * gives the slot a new one */
	const struct sp_sysrule_more *more;
};
_Static_assert(sizeof(struct sp_sysrule) <= 16 + 4 * sizeof(void *), "struct sp_sysrule grew");

static inline const struct sp_tnode *sp_sys_tree(const struct sp_sysrule *s)
{
	return s->more ? s->more->tree : NULL;
}

static inline const struct sp_wide *sp_sys_wide(const struct sp_sysrule *s)
{
	return s->more ? s->more->wide : NULL;
}

/* Give s the word tree and twin given (in a new struct sp_sysrule_more in
 * arena; NULL for both: none). false on ENOMEM. */
bool sp_sys_set(struct sp_arena *arena, struct sp_sysrule *s, const struct sp_tnode *tree,
		const struct sp_wide *wide);

/* A 64-bit twin (sp_sysrule_more.wide), and what the program's fast path needs
 * (kept out of sp_sysrule: every number of every arch has one of those, a
 * twin only a few). */
struct sp_wide {
	struct sp_sysrule rules;
	/* the arguments whose high word the program checks first, and the high
	 * word each must have; when every one matches, both verdicts are equal
	 * and the low-word rules alone decide. 0 when that is not known to hold
	 * (a word tree on either side, whose shape follows the values; or the
	 * cut made a rule unconditional): the program then always takes both */
	uint8_t args;
	uint32_t hi[6];
	/* Set where libseccomp 2.5.4's program, as runc lays it out, compares a
	 * word another test left in the accumulator, or where its tree merges
	 * the rules otherwise than they read (ir/scmpacc.c): the twin's
	 * tree is then a DAG of these ndag nodes (each side a node or an
	 * action, no siblings) deciding the stricter of the rules as written
	 * and that program, and args is 0. NULL for a 64-bit twin. */
	const struct sp_tnode *dag;
	size_t ndag;
	/* with dag: runc's program differs from the rules not through a stale
	 * accumulator but because libseccomp's tree merges them otherwise than
	 * they read (a shared level, a rule partly lost: scmpacc.c) */
	bool merged;
	/* with dag, where it replaced a 64-bit twin (default mode): that twin,
	 * the rules as written with libseccomp's 64-bit compares. The DAG's
	 * first phase runs libseccomp's tree with fresh loads, which is not
	 * the rules as written where the tree merges them (merged), so the
	 * verdict is the stricter of the low-word rules, these and the DAG
	 * (a tie to the later). NULL otherwise. */
	const struct sp_sysrule *written;
};

/* The kernel's order of actions (kernel/seccomp.c seccomp_run_filters:
 * the lowest ACTION_ONLY value, as s32, wins): is `a` strictly stricter
 * than `b`? */
static inline bool sp_ret_stricter(uint32_t a, uint32_t b)
{
	return (int32_t)(a & 0xffff0000u) < (int32_t)(b & 0xffff0000u);
}

struct sp_arch_rules {
	const struct sp_arch *arch;
	struct sp_sysrule *sys; /* sorted by nr, one per nr */
	size_t nsys;
	int64_t enosys_max; /* ENOSYS stub: numbers above this get ENOSYS; -1 = no stub */
	/* the native arch, which the profile does not list: runc 1.1.5 builds
	 * no stub section for it (§4.1.3), so above enosys_max its calls reach
	 * libseccomp's program, which may kill or trap there (x86_64's guard,
	 * a rule for a socket or IPC call's direct number the maximum does not
	 * count). Such a number keeps its rules, raised to ENOSYS where they
	 * give an errno or less (ruleset.c floor_unlisted). */
	bool unlisted;
};

/* The work all replays of libseccomp's argument tree (tree.c) may do
 * for one filter, shared by every syscall and arch, in steps: a node that a
 * walk of the model visits, or a sibling it passes. Compile time must never
 * be a denial of service, and the count depends on the profile alone, so a
 * profile is always accepted or always refused whatever the machine. Real
 * profiles stay far below it (Docker's default: a few hundred steps; the
 * differential test's random profiles: under a thousand each); 1,024
 * conditions on one syscall in rules of alternating actions take about 3
 * million; one step costs some 8 ns here, so the whole budget about 0.15 s.
 * libseccomp has no such limit, and takes longer on such profiles. */
#define SP_REPLAY_STEPS 16000000u

struct sp_ruleset {
	struct sp_arena arena;
	uint32_t default_ret;
	struct sp_arch_rules *arches; /* the native arch first */
	size_t narches;
	uint32_t flags; /* SECCOMP_FILTER_FLAG_* */
	bool needs_listener;
	size_t replay_steps; /* work the word-tree replays did (SP_REPLAY_STEPS) */
	/* 3 per number with conditional rules plus their conditions, as the
	 * build merged them (sp_rs_build_arch): the compiler sizes its
	 * instruction table from it (compile.c cons_presize) instead of
	 * reading every number's slot again (~950 on Docker's default) */
	size_t insn_hint;
	/* sp_ruleset_build_ir only (NULL otherwise): what the program
	 * leaves out and why (docs/IR.md): resolve's drops
	 * (secprof_resolved.drops, copied) in profile order, then the rule
	 * set's own, arch by arch; in the arena */
	struct sp_drop *drops;
	size_t ndrops;
};

/* A stretch of syscall numbers of one audit arch: numbers in [lo, hi] are
 * looked up in `table` (missing ones get the default action, or ENOSYS
 * above table->enosys_max), or all get `ret` when table is NULL. */
struct sp_zone {
	uint32_t lo, hi;
	const struct sp_arch_rules *table;
	uint32_t ret;
};
#define SP_MAX_ZONES 8

/* Apply runc/libseccomp semantics to a resolved profile. Warns through ctx
 * (once per name unknown on every arch of the filter; strict: error). */
struct sp_ruleset *sp_ruleset_build(secprof_ctx *ctx, const secprof_resolved *r,
				    const secprof_compile_opts *opts, secprof_error *err);
/* The same in the caller's scratch region (core/scratch.h), rule set
 * included: the caller frees the rule set before it gives the region back
 * (secprof_compile). */
struct sp_scratch;
struct sp_ruleset *sp_ruleset_build_in(secprof_ctx *ctx, struct sp_scratch *scratch,
				       const secprof_resolved *r, const secprof_compile_opts *opts,
				       secprof_error *err);
/* The same build, keeping what is left out and why (drops, docs/IR.md).
 * Only the recording differs: the decisions are those sp_ruleset_build
 * makes for the compiler, which skips the recording (it costs a quarter of
 * a compile of Docker's default). */
struct sp_ruleset *sp_ruleset_build_ir(secprof_ctx *ctx, const secprof_resolved *r,
				       const secprof_compile_opts *opts, secprof_error *err);
/* The same build without libseccomp 2.5.4's code-generation bugs
 * (scmpbug.c, scmpacc.c: the dropped number load, the stale accumulator):
 * what the rules say, where runc's program for them may decide otherwise.
 * The default mode's low-word rules decide this way: runc never compiles
 * the profile with its 32-bit values cut, so what libseccomp would make
 * of that profile is nobody's filter (tests/compat/equiv.h, test 67). */
struct sp_ruleset *sp_ruleset_build_as_written(secprof_ctx *ctx, const secprof_resolved *r,
					       const secprof_compile_opts *opts,
					       secprof_error *err);
void sp_ruleset_free(struct sp_ruleset *rs);
/* The number runc's ENOSYS stub counts for `name` on `arch` (a socket or
 * IPC call on a multiplexing arch, a name libseccomp 2.5.4 does not know
 * unless `newer`, and 0 count for nothing), or -1 (mux.c). */
int32_t sp_rs_stub_nr(const struct sp_arch *arch, const char *name, bool newer);
/* The call that multiplexer `mux` ("socketcall" or "ipc") makes when its
 * arg0 is `call` (include/uapi/linux/net.h SYS_*, ipc/syscall.c), or NULL
 * (mux.c: the one table of them). */
const char *sp_rs_muxed_call(const char *mux, uint64_t call);
/* The native arch `native` gets no ENOSYS stub section: the profile does
 * not list it and its default kills or traps, where Debian 12's runc 1.1.5
 * (the stricter there) builds the stub for the listed arches alone
 * (docs/COMPAT.md §4.1.3). */
bool sp_rs_stub_skips_native(const secprof_resolved *r, const struct sp_arch *native);
/* Whether the profile's `architectures` list the native arch `native`. */
bool sp_rs_lists_native(const secprof_resolved *r, const struct sp_arch *native);
/* The arch rules whose arch has this audit token and nr_base (NULL if none). */
const struct sp_arch_rules *sp_ruleset_arch(const struct sp_ruleset *rs, const struct sp_arch *a);
/* The audit tokens of the filter, in dispatch order (native first). */
size_t sp_ruleset_audits(const struct sp_ruleset *rs, uint32_t *audits, size_t max);
/* Split the number space of one audit arch into zones (ascending, covering
 * 0..UINT32_MAX). Returns the count, 0 if the audit arch is not in the filter. */
size_t sp_ruleset_zones(const struct sp_ruleset *rs, uint32_t audit, struct sp_zone *zones);
/* The 32-bit word a tree node tests (32-bit ABIs have low words only; the
 * high word of a lo_only argument is 0). */
uint32_t sp_tnode_word(const struct sp_tnode *n, const secprof_data *in);
/* A node's test on a word: (word & mask) op datum. */
bool sp_tnode_test(const struct sp_tnode *n, uint32_t word);
/* Evaluate one syscall's conditional rules (first match wins; the word
 * tree where the sysrule has one). */
uint32_t sp_sysrule_eval(const struct sp_sysrule *s, const struct sp_arch *arch,
			 const secprof_data *in, uint32_t default_ret);
/* The index of the first condition of a chain that does not hold for `in`
 * (cr->nconds when all hold): the test sp_sysrule_eval makes. */
size_t sp_crule_first_fail(const struct sp_crule *cr, const struct sp_arch *arch,
			   const secprof_data *in);
/* Decide a syscall straight from the ruleset, without BPF: the oracle the
 * tests compare the generated program with. */
uint32_t sp_ruleset_decide(const struct sp_ruleset *rs, const secprof_data *in);

/* What decided one call (sp_ruleset_why): the walk of sp_ruleset_decide,
 * with its provenance. */
struct sp_why {
	uint32_t ret;
	enum secprof_decided_by by;
	const struct sp_arch_rules *table; /* NULL when by ARCH */
	const struct sp_sysrule *sys;      /* the number's entry, or NULL */
	const struct sp_crule *crule;      /* the chain that matched, or NULL */
	const struct sp_rule *rule;        /* by RULE */
	bool wide;                         /* decided by sys->wide (64-bit compares) */
};
uint32_t sp_ruleset_why(const struct sp_ruleset *rs, const secprof_data *in, struct sp_why *why);
/* The entry for number nr (with the arch's number base) of an arch's table
 * (sorted by number), or NULL. */
struct sp_sysrule *sp_arch_rules_find(const struct sp_arch_rules *t, uint32_t nr);

#endif
