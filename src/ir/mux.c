/* mux.c - libseccomp's socketcall(2) and ipc(2) multiplexer rules on the
 * arches that have them (syscalls.c abi_syscall_resolve_name_munge). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ir/build.h"

/* ---- the multiplexers: socketcall(2) and ipc(2) ---------------------------
 *
 * On x86, ppc, ppc64(le), MIPS o32 and s390(x) libseccomp 2.5.4 resolves
 * the socket and SysV IPC family names to pseudo numbers
 * (syscalls.c abi_syscall_resolve_name_munge), and abi_rule_add turns a rule
 * for one of them into two: one for the multiplexer, socketcall(2) or
 * ipc(2), whose arg0 test is replaced by "arg0 == call number" (the rule's
 * other tests stay on their own arguments), and one for the direct syscall
 * where the arch has it (i386 socket 359), with the rule as written. The
 * multiplexer rules are entries of the multiplexer's number like any other
 * (push_entries), in runc's order among the profile's own rules for
 * socketcall/ipc, so they merge, refuse and decide in one tree as in
 * libseccomp. */
/* Names inline ("getsockname" the longest), so the tables need no
 * relocation at load (docs/CONVENTIONS.md §18); ""
 * ends each. */
struct mux_call {
	char name[12];
	uint8_t len;
	uint8_t call;
};

/* clang-format off */
#define MUX(n, c) { n, sizeof(n) - 1, c }
/* clang-format on */

/* the SYS_* numbers of include/uapi/linux/net.h and ipc/syscall.c */
/* clang-format off */
static const struct mux_call socket_calls[] = {
	MUX("socket", 1), MUX("bind", 2), MUX("connect", 3), MUX("listen", 4), MUX("accept", 5),
	MUX("getsockname", 6), MUX("getpeername", 7), MUX("socketpair", 8), MUX("send", 9),
	MUX("recv", 10), MUX("sendto", 11), MUX("recvfrom", 12), MUX("shutdown", 13),
	MUX("setsockopt", 14), MUX("getsockopt", 15), MUX("sendmsg", 16), MUX("recvmsg", 17),
	MUX("accept4", 18), MUX("recvmmsg", 19), MUX("sendmmsg", 20), { "", 0, 0 },
};
/* clang-format on */

/* clang-format off */
static const struct mux_call ipc_calls[] = {
	MUX("semop", 1), MUX("semget", 2), MUX("semctl", 3), MUX("semtimedop", 4), MUX("msgsnd", 11),
	MUX("msgrcv", 12), MUX("msgget", 13), MUX("msgctl", 14), MUX("shmat", 21), MUX("shmdt", 22),
	MUX("shmget", 23), MUX("shmctl", 24), { "", 0, 0 },
};
/* clang-format on */

/* The arches whose arch_def has sys_socketcall/sys_ipc and abi_rule_add in
 * libseccomp 2.5.4 (arch-x86.c, arch-ppc.c, arch-ppc64.c, arch-mips.c for
 * o32 only, arch-s390.c, arch-s390x.c). */
bool sp_rs_multiplexes(const struct sp_arch *a)
{
	static const char scmp[][18] = { "SCMP_ARCH_X86",     "SCMP_ARCH_PPC",  "SCMP_ARCH_PPC64",
					 "SCMP_ARCH_PPC64LE", "SCMP_ARCH_MIPS", "SCMP_ARCH_MIPSEL",
					 "SCMP_ARCH_S390",    "SCMP_ARCH_S390X" };

	for (size_t i = 0; i < SP_ARRAY_SIZE(scmp); i++)
		if (!strcmp(a->scmp, scmp[i]))
			return true;
	return false;
}

const char sp_rs_mux_syscall[2][sizeof("socketcall")] = { "socketcall", "ipc" };

static bool in_family(const struct mux_call *c, const char *name)
{
	for (; c->name[0]; c++)
		if (!strcmp(c->name, name))
			return true;
	return false;
}

int sp_rs_mux_family(const char *name)
{
	return in_family(socket_calls, name) ? 0 : in_family(ipc_calls, name) ? 1 : -1;
}

/* The number runc's ENOSYS stub counts for `name` on `arch`, as
 * sp_rs_build_arch counts it: findLastSyscalls asks libseccomp for the
 * number by name, which has none for a name 2.5.4 does not know there
 * (unless `newer`) and gives a pseudo number for a socket or IPC call on an
 * arch that multiplexes them, so neither counts; nor does 0. -1 when the
 * name does not count. */
int32_t sp_rs_stub_nr(const struct sp_arch *arch, const char *name, bool newer)
{
	const struct sp_arch *one[1] = { arch };
	int32_t nr = -1, row = -1;

	if (!sp_syscall_lookup(name, one, 1, &nr, NULL, &row) || nr <= 0)
		return -1;
	if (!newer && sp_syscall_newer(arch, row))
		return -1;
	if (sp_rs_multiplexes(arch) &&
	    (in_family(socket_calls, name) || in_family(ipc_calls, name)))
		return -1;
	return nr;
}
/* The list of multiplexer k (0 socketcall, 1 ipc): code, not a table of
 * the two pointers, which ld.so would relocate (docs/CONVENTIONS.md §18). */
static const struct mux_call *mux_calls(int k)
{
	return k ? ipc_calls : socket_calls;
}

const char *sp_rs_muxed_call(const char *mux, uint64_t call)
{
	for (int k = 0; mux && k < 2; k++)
		if (!strcmp(mux, sp_rs_mux_syscall[k]))
			for (const struct mux_call *c = mux_calls(k); c->name[0]; c++)
				if (c->call == call)
					return c->name;
	return NULL;
}

/* Nearly every name of a profile is neither a socket nor an IPC call, so
 * the two lists are looked up through a small hash index (length, first
 * and last byte), built once per rule set, instead of a scan of both lists
 * per name, which cost about 6% of compiling Docker's default profile. */
#define MUX_BUCKETS 64
#define MUX_MAX 40 /* entries of both lists */

struct mux_index {
	const struct mux_call *call[MUX_MAX];
	int8_t kind[MUX_MAX];
	int8_t next[MUX_MAX];
	int8_t head[MUX_BUCKETS];
};

_Static_assert(SP_ARRAY_SIZE(socket_calls) - 1 + SP_ARRAY_SIZE(ipc_calls) - 1 <= MUX_MAX,
	       "struct mux_index holds every socket and IPC call");

static unsigned mux_hash(const char *name, size_t len)
{
	return (unsigned)(len * 7 + (unsigned char)name[0] * 3 + (unsigned char)name[len - 1]) %
	       MUX_BUCKETS;
}

static void mux_index_build(struct mux_index *x)
{
	int n = 0;

	memset(x->head, -1, sizeof(x->head));
	for (int k = 0; k < 2; k++)
		for (const struct mux_call *c = mux_calls(k); c->name[0]; c++, n++) {
			unsigned h = mux_hash(c->name, c->len);
			x->call[n] = c;
			x->kind[n] = (int8_t)k;
			x->next[n] = x->head[h];
			x->head[h] = (int8_t)n;
		}
}

/* What `name` is to the multiplexers: {kind, call}, or {-1, 0}. */
static struct mux_name mux_lookup(const struct mux_index *x, const char *name)
{
	size_t len = name ? strlen(name) : 0;

	for (int e = len ? x->head[mux_hash(name, len)] : -1; e >= 0; e = x->next[e])
		if (x->call[e]->len == len && !memcmp(x->call[e]->name, name, len))
			return (struct mux_name){ x->kind[e], x->call[e]->call };
	return (struct mux_name){ -1, 0 };
}

/* The same from the rows sp_rs_lookup_names found (b->row): every socket
 * and IPC call is a row of the syscall table, so a name is one of them
 * exactly when its row is one of theirs, and a bit per row answers for
 * the other names (nearly all) without hashing or reading the name again
 * (the index above was 1.5 % of a compile of Docker's default). False
 * where the table has more rows than the bits: the index answers. */
#define MUX_ROW_BITS 1024u

static bool by_row(struct build *b, size_t total)
{
	uint64_t bits[MUX_ROW_BITS / 64] = { 0 };
	int32_t row[MUX_MAX];
	struct mux_name what[MUX_MAX];
	int n = 0;

	if (sp_syscall_count() > MUX_ROW_BITS)
		return false;
	for (int k = 0; k < 2; k++)
		for (const struct mux_call *c = mux_calls(k); c->name[0]; c++) {
			int32_t r = -1;
			sp_syscall_lookup(c->name, NULL, 0, NULL, NULL, &r);
			if (r < 0)
				continue; /* not in the table: no name of a profile has its row */
			row[n] = r;
			what[n++] = (struct mux_name){ (int8_t)k, c->call };
			bits[(uint32_t)r / 64] |= 1ull << ((uint32_t)r % 64);
		}
	for (size_t seq = 0; seq < total; seq++) {
		int32_t r = b->row[seq];
		int k = 0;
		b->muxn[seq] = (struct mux_name){ -1, 0 };
		if (r < 0 || !(bits[(uint32_t)r / 64] >> ((uint32_t)r % 64) & 1))
			continue;
		while (row[k] != r)
			k++;
		b->muxn[seq] = what[k];
	}
	return true;
}

int sp_rs_mux_names(struct build *b)
{
	size_t total = 0, seq = 0;
	struct mux_index x;

	if (b->muxn)
		return 0;
	for (size_t i = 0; i < b->r->nrules; i++)
		total += b->r->rules[i]->nnames;
	if (!(b->muxn = sp_salloc(b->scratch, (total ? total : 1) * sizeof(*b->muxn))))
		return sp_err_oom(b->err);
	if (by_row(b, total))
		return 0;
	mux_index_build(&x);
	for (size_t i = 0; i < b->r->nrules; i++)
		for (size_t j = 0; j < b->r->rules[i]->nnames; j++, seq++)
			b->muxn[seq] = mux_lookup(&x, b->r->rules[i]->names[j].s);
	return 0;
}

/* The rule libseccomp adds for the multiplexer from part `part` of `rule`
 * (runc adds each condition of a rule with a repeated index as a rule of
 * its own): abi_rule_add overwrites args[0] with "arg0 == call" (mask
 * DATUM_MAX), so a test of the rule's own arg0 is gone and the others stay
 * where they were. Lives in the ruleset's arena, as a copy of the rule, so
 * that explanations still point at the profile's rule. */
static const struct sp_rule *mux_rule(struct build *b, const struct sp_rule *rule, unsigned call,
				      size_t part)
{
	struct sp_rule *m = sp_arena_alloc(&b->rs->arena, sizeof(*m));
	struct sp_arg *args = sp_arena_alloc(&b->rs->arena, (rule->nargs + 1) * sizeof(*args));
	bool split = sp_rs_index_repeats(rule);
	size_t n = 0;

	if (!m || !args)
		return NULL;
	*m = *rule;
	args[n++] = (struct sp_arg){ .index = 0, .op = SP_OP_EQ, .value = call, .loc = rule->loc };
	for (size_t k = split ? part : 0; k < (split ? part + 1 : rule->nargs); k++)
		if (rule->args[k].index != 0)
			args[n++] = rule->args[k];
	m->args = args;
	m->nargs = n;
	m->args_present = true;
	return m;
}

/* The entries libseccomp's multiplexer gets from one name of `rule` on a
 * multiplexing arch (mux_rule): one per rule runc adds for it, written to
 * out[0..parts) (sp_rs_mux_parts). */
size_t sp_rs_mux_parts(const struct sp_rule *rule)
{
	return sp_rs_index_repeats(rule) ? rule->nargs : 1;
}

int sp_rs_mux_entries(struct build *b, struct entry *out, int32_t nr, uint32_t seq,
		      const struct sp_rule *rule, const struct mux_name *mn)
{
	size_t parts = sp_rs_mux_parts(rule);

	for (size_t k = 0; k < parts; k++) {
		const struct sp_rule *m = mux_rule(b, rule, mn->call, k);
		if (!m)
			return sp_err_oom(b->err);
		/* the parts follow each other as runc adds them */
		out[k] = (struct entry){ nr, (uint64_t)seq << 32 | (k + 1), m,
					 sp_rs_mux_syscall[mn->kind] };
	}
	return 0;
}

int sp_rs_push_mux(struct build *b, struct sp_vec *v, int32_t nr, uint32_t seq,
		   const struct sp_rule *rule, const struct mux_name *mn)
{
	size_t parts = sp_rs_mux_parts(rule);

	for (size_t k = 0; k < parts; k++)
		if (!sp_vec_push(v))
			return sp_err_oom(b->err);
	return sp_rs_mux_entries(b, (struct entry *)v->items + v->len - parts, nr, seq, rule, mn);
}
