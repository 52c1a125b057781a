/* vocab.c - the closed lists of profile.h: actions, operators, filter flags
 * by name (exact, as runc's Go maps), and SECCOMP_RET_* values as text.
 *
 * Their own file so that parse.c (decoding) and check.c (validation and
 * summary) both use them without using each other.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "profile/profile.h"

/* Names inline, sized by the longest ("SCMP_ACT_KILL_PROCESS",
 * "SCMP_CMP_MASKED_EQ", "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"): no
 * relocation at load (docs/CONVENTIONS.md §18). */
#define ACTION_SIZE 22
#define OP_SIZE 19
static const char action_names[][ACTION_SIZE] = {
#define X(id, str, ret) str,
	SP_ACTIONS(X)
#undef X
};

static const uint32_t action_rets[] = {
#define X(id, str, ret) ret,
	SP_ACTIONS(X)
#undef X
};

static const char op_names[][OP_SIZE] = {
#define X(id, str) str,
	SP_OPS(X)
#undef X
};

static const uint8_t action_lens[] = {
#define X(id, str, ret) sizeof(str) - 1,
	SP_ACTIONS(X)
#undef X
};

static const uint8_t op_lens[] = {
#define X(id, str) sizeof(str) - 1,
	SP_OPS(X)
#undef X
};

/* Index of s in n names of size bytes each (lens[i] = strlen(names[i])),
 * -1 if absent: the length first, so most names are passed over without a
 * strcmp. */
static int lookup(const char *s, const char *names, size_t size, const uint8_t *lens, size_t n)
{
	size_t len;

	if (!s)
		return -1;
	len = strlen(s);
	for (size_t i = 0; i < n; i++)
		if (lens[i] == len && !memcmp(s, names + i * size, len))
			return (int)i;
	return -1;
}

static const struct {
	char name[39];
	uint32_t bit;
} flag_table[] = {
#define X(id, str, bit) { str, bit },
	SP_FLAGS(X)
#undef X
};

/* Exact, case-sensitive matches: runc's maps are Go map lookups (§4.1.1). */
int sp_action_from_str(const char *s)
{
	return lookup(s, (const char *)action_names, ACTION_SIZE, action_lens,
		      SP_ARRAY_SIZE(action_names));
}

const char *sp_action_str(enum sp_action a)
{
	return (unsigned)a < SP_ARRAY_SIZE(action_names) ? action_names[a] : NULL;
}

uint32_t sp_action_ret(enum sp_action a)
{
	return (unsigned)a < SP_ARRAY_SIZE(action_rets) ? action_rets[a] : 0;
}

int sp_op_from_str(const char *s)
{
	return lookup(s, (const char *)op_names, OP_SIZE, op_lens, SP_ARRAY_SIZE(op_names));
}

const char *sp_op_str(enum sp_op op)
{
	return (unsigned)op < SP_ARRAY_SIZE(op_names) ? op_names[op] : NULL;
}

const char *sp_action_name_at(size_t i)
{
	return i < SP_ARRAY_SIZE(action_names) ? action_names[i] : NULL;
}

const char *sp_op_name_at(size_t i)
{
	return i < SP_ARRAY_SIZE(op_names) ? op_names[i] : NULL;
}

const char *sp_flag_name_at(size_t i)
{
	return i < SP_ARRAY_SIZE(flag_table) ? flag_table[i].name : NULL;
}

uint32_t sp_flag_from_str(const char *s)
{
	for (size_t i = 0; s && i < SP_ARRAY_SIZE(flag_table); i++)
		if (!strcmp(s, flag_table[i].name))
			return flag_table[i].bit;
	return 0;
}

bool sp_action_takes_errno(enum sp_action act)
{
	return act == SP_ACT_ERRNO || act == SP_ACT_TRACE;
}

uint32_t sp_action_value(enum sp_action act, bool has_errno, uint64_t errno_ret)
{
	uint32_t data = has_errno ? (uint16_t)(int16_t)errno_ret : EPERM;

	return sp_action_ret(act) | (sp_action_takes_errno(act) ? data : 0);
}

uint32_t sp_rule_ret(const struct sp_rule *rule)
{
	return sp_action_value(rule->act, rule->has_errno, rule->errno_ret);
}

uint32_t sp_default_ret(const struct secprof_profile *p)
{
	return sp_action_value(p->default_act, p->has_default_errno, p->default_errno);
}

/* The rule's action value as Docker hands it to runc: Podman's "errno"
 * ignored (moby's Syscall has no such field). */
static uint32_t docker_rule_ret(const struct sp_rule *rule)
{
	const struct sp_rule_extra *x = sp_rule_x(rule);

	if (!x->errno_name.s || !*x->errno_name.s)
		return sp_rule_ret(rule);
	return sp_action_value(rule->act, x->docker_has_errno, x->docker_errno_ret);
}

unsigned sp_rule_default_readings(const struct secprof_profile *p, const struct sp_rule *rule)
{
	uint32_t docker = docker_rule_ret(rule);
	bool podman = p->default_errno_name.s && *p->default_errno_name.s;
	uint32_t moby_default = podman ? sp_action_value(p->default_act,
							 p->docker_has_default_errno,
							 p->docker_default_errno)
				       : sp_default_ret(p);
	unsigned r = 0;

	if (sp_rule_ret(rule) == sp_default_ret(p))
		r |= SP_SKIP_APPLIED;
	if (docker == moby_default)
		r |= SP_SKIP_MOBY;
	if (docker == sp_action_value(p->default_act, false, 0))
		r |= SP_SKIP_DOCKER20;
	return r;
}

bool sp_rule_is_default(const struct secprof_profile *p, const struct sp_rule *rule)
{
	unsigned r = sp_rule_default_readings(p, rule);

	if (!p->reading || p->reading == SP_READING_OWN)
		return r == SP_SKIP_ALL;
	return (r & p->reading) != 0;
}

const struct sp_rule_extra sp_rule_no_extra;

const char *sp_rule_path(char *buf, size_t len, const struct sp_rule *rule, const char *field,
			 size_t i, const char *sub)
{
	int n = snprintf(buf, len, "syscalls[%zu]", rule->index);

	if (n >= 0 && (size_t)n < len && field)
		n += snprintf(buf + n, len - (size_t)n, ".%s", field);
	if (n >= 0 && (size_t)n < len && i != SP_NO_INDEX)
		n += snprintf(buf + n, len - (size_t)n, "[%zu]", i);
	if (n >= 0 && (size_t)n < len && sub)
		snprintf(buf + n, len - (size_t)n, ".%s", sub);
	return buf;
}

/* The kernel's SECCOMP_RET_* action of a filter's return value, as text
 * (include/uapi/linux/seccomp.h). */
const char *sp_ret_str(uint32_t ret, char *buf, size_t len)
{
	uint32_t data = ret & SP_RET_DATA;

	switch (ret & 0xffff0000u) {
	case 0x00000000u: snprintf(buf, len, "KILL_THREAD"); break;
	case 0x80000000u: snprintf(buf, len, "KILL_PROCESS"); break;
	case 0x00030000u: snprintf(buf, len, "TRAP"); break;
	case 0x00050000u: snprintf(buf, len, "ERRNO(%u)", data); break;
	case 0x7ff00000u: snprintf(buf, len, "TRACE(%u)", data); break;
	case 0x7fff0000u: snprintf(buf, len, "ALLOW"); break;
	case 0x7ffc0000u: snprintf(buf, len, "LOG"); break;
	case 0x7fc00000u: snprintf(buf, len, "NOTIFY"); break;
	default: snprintf(buf, len, "0x%08x", ret); break;
	}
	if (data && (ret & 0xffff0000u) != 0x00050000u && (ret & 0xffff0000u) != 0x7ff00000u &&
	    strlen(buf) + 12 < len)
		snprintf(buf + strlen(buf), len - strlen(buf), "+0x%x", data);
	return buf;
}
