#!/usr/bin/env python3
"""make-corpus.py DIR - write the parser corpus (NN-name.json/.err/.out) to DIR.

Usage: python3 tests/parse/make-corpus.py tests/parse
Each case gives its input, exit status, options and expected messages in
words; the line:column of a message is computed here from a needle (the
token it must point at), independently of secprof, and rule positions in
.out files from Python's own JSON decoder. Append new cases at the end:
numbers follow the order below. See tests/suites/parse.sh for the format.
"""
import os, re, sys, json
D = sys.argv[1]
os.makedirs(D, exist_ok=True)
cases = []
def rule_starts(data):
    # line:col of each element of the (last) syscalls array, found with an
    # independent parser: Python's json with a position-tracking decoder
    out = []
    text = data.decode()
    dec = json.JSONDecoder()
    # locate syscalls arrays by scanning for the key (case-insensitively)
    for m in re.finditer(r'"(?i:syscalls|\u017fyscalls)"\s*:\s*\[', text):
        out = []
        i = m.end()
        while True:
            while text[i] in ' \n\t,': i += 1
            if text[i] == ']': break
            off = len(text[:i].encode())
            b = data
            line = b.count(b'\n', 0, off) + 1
            col = off - (b.rfind(b'\n', 0, off) + 1) + 1
            out.append('%d:%d' % (line, col))
            _, i = dec.raw_decode(text, i)
    return out
class P:
    def __init__(self, needle, msg, nth=1, after=None):
        self.needle, self.msg, self.nth, self.after = needle, msg, nth, after
def where(data, p):
    if p.needle is None:
        off = len(data)
    else:
        n = p.needle.encode() if isinstance(p.needle, str) else p.needle
        start = 0
        if p.after is not None:
            a = p.after.encode()
            start = data.index(a) + len(a)
        off = start - 1
        for _ in range(p.nth):
            off = data.index(n, off + 1)
    line = data.count(b'\n', 0, off) + 1
    col = off - (data.rfind(b'\n', 0, off) + 1) + 1
    return '%d:%d' % (line, col)
def case(name, data, rc, err, flags='', dump=None):
    if isinstance(data, str): data = data.encode()
    for e in err:
        if isinstance(e, P) and isinstance(e.msg, tuple):
            e.msg = e.msg[0] + twice_text(data, e.msg[1])
    cases.append((name, data, rc, err, flags, dump))

A = '"defaultAction": "SCMP_ACT_ERRNO"'
class Twice:
    # "key K appears twice": the first key's position is filled in when the
    # case is written (it depends on the case's own data)
    def __init__(self, key, needle, what):
        self.key, self.needle, self.what = key, needle, what
    def __radd__(self, prefix):
        return (prefix, self)
def twice(key, needle, what='elements'):
    return Twice(key, needle, what)
def twice_text(data, t):
    l, c = where(data, P(t.needle, '')).split(':')
    return ('key "%s" appears twice (first at line %s, column %s): Go\'s encoding/json'
            ' would decode the second into the first\'s %s (refused; give the key once)' % (t.key, l, c, t.what))
def prof(rule, extra=''):
    return '{' + A + extra + ', "syscalls": [' + rule + ']}'

# --- JSON syntax ---
case('empty-file', '', 1, [P(None, 'unexpected end of input')])
case('truncated-object', '{"defaultAction": "SCMP_ACT_ERRNO",\n', 1, [P(None, 'unexpected end of input')])
case('truncated-string', '{"defaultAction": "SCMP_AC', 1, [P(None, 'unexpected end of input')])
case('truncated-array', '{"syscalls": [', 1, [P(None, 'unexpected end of input')])
case('trailing-garbage', '{"defaultAction": "SCMP_ACT_ALLOW"} x\n', 1, [P('x', "invalid character 'x' after top-level value")])
case('two-values', '{}\n{}\n', 1, [P('{', "invalid character '{' after top-level value", nth=2)])
case('nul-byte', b'{"defaultAction": "SCMP_ACT_ALLOW"\x00}', 1, [P(b'\x00', 'NUL byte in input')])
case('non-utf8', b'{"defaultAction": "SCMP_ACT_\xff"}', 1, [P(b'\xff', 'invalid UTF-8 in string')])
case('overlong-utf8', b'{"defaultAction": "\xc0\xafx"}', 1, [P(b'\xc0', 'invalid UTF-8 in string')])
case('surrogate-utf8', b'{\n  "defaultAction": "\xed\xa0\x80"\n}', 1, [P(b'\xed', 'invalid UTF-8 in string')])
case('latin1-outside-string', b'{\xe9}', 1, [P(b'\xe9', 'invalid UTF-8 in input')])
case('single-quotes', "{'defaultAction': 1}", 1, [P("'", "invalid character '\\'' looking for beginning of object key string")])
case('trailing-comma', '{"defaultAction": "SCMP_ACT_ALLOW",}', 1, [P('}', "invalid character '}' looking for beginning of object key string")])
case('trailing-comma-array', prof('{"names": ["read",], "action": "SCMP_ACT_ALLOW"}'), 1, [P(']', "invalid character ']' looking for beginning of value")])
case('comment', '// comment\n{}', 1, [P('/', "invalid character '/' looking for beginning of value")])
case('missing-colon', '{"defaultAction" "SCMP_ACT_ALLOW"}', 1, [P('"SCMP', "invalid character '\"' after object key")])
case('missing-comma', '{"defaultAction": "SCMP_ACT_ALLOW"\n "syscalls": []}', 1, [P('"syscalls"', "invalid character '\"' after object key:value pair")])
case('bad-literal', '{"defaultAction": tru}', 1, [P('}', "invalid character '}' in literal true")])
case('bad-escape', '{"defaultAction": "SCMP\\x"}', 1, [P('x', "invalid character 'x' in string escape code")])
case('raw-tab-in-string', '{"defaultAction": "SCMP\tACT"}', 1, [P('\t', "invalid character '\\t' in string literal")])
case('vertical-tab', '{\v"defaultAction": "SCMP_ACT_ALLOW"}', 1, [P('\v', "invalid character '\\v' looking for beginning of object key string")])
case('leading-zero', prof('{"names": ["read"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 01, "op": "SCMP_CMP_EQ"}]}'), 1,
     [P('1, "op"', "invalid character '1' after object key:value pair")])
case('bad-number', '{"defaultErrnoRet": -}', 1, [P('}', "invalid character '}' in numeric literal")])
# --- wrong shapes and types ---
case('top-level-array', '[]', 1, [P('[', 'a profile must be a JSON object, got an array')])
case('top-level-string', '"SCMP_ACT_ALLOW"', 1, [P('"', 'a profile must be a JSON object, got a string')])
case('defaultaction-number', '{"defaultAction": 5}', 1, [P('5', 'defaultAction: expected a string, got a number')])
case('syscalls-object', '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": {}}', 1, [P('{}', 'syscalls: expected an array, got an object')])
case('rule-is-array', prof('[]'), 1, [P('[]', 'syscalls[0]: expected an object, got an array')])
case('rule-is-null', prof('null'), 1, [P('null', 'syscalls[0]: null is not a syscall rule (expected an object)')])
case('names-string', prof('{"names": "read", "action": "SCMP_ACT_ALLOW"}'), 1, [P('"read"', 'syscalls[0].names: expected an array of strings, got a string')])
case('names-number-item', prof('{"names": ["read", 1], "action": "SCMP_ACT_ALLOW"}'), 1, [P('1]', 'syscalls[0].names[1]: expected a string, got a number')])
case('action-bool', prof('{"names": ["read"], "action": true}'), 1, [P('true', 'syscalls[0].action: expected a string, got a boolean')])
case('args-object', prof('{"names": ["read"], "action": "SCMP_ACT_ALLOW", "args": {}}'), 1, [P('{}', 'syscalls[0].args: expected an array, got an object')])
case('index-string', prof('{"names": ["read"], "action": "SCMP_ACT_ALLOW", "args": [{"index": "1", "op": "SCMP_CMP_EQ"}]}'), 1,
     [P('"1"', 'syscalls[0].args[0].index: expected an unsigned integer, got a string')])
case('value-negative', prof('{"names": ["read"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": -1, "op": "SCMP_CMP_EQ"}]}'), 1,
     [P('-1', 'syscalls[0].args[0].value: expected an unsigned integer, got -1')])
case('value-negative-zero', prof('{"names": ["read"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": -0, "op": "SCMP_CMP_EQ"}]}'), 1,
     [P('-0', 'syscalls[0].args[0].value: expected an unsigned integer, got -0')])
case('value-fraction', prof('{"names": ["read"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 1.5, "op": "SCMP_CMP_EQ"}]}'), 1,
     [P('1.5', 'syscalls[0].args[0].value: expected an unsigned integer, got 1.5')])
case('value-integral-fraction', prof('{"names": ["read"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 1.0, "op": "SCMP_CMP_EQ"}]}'), 1,
     [P('1.0', 'syscalls[0].args[0].value: expected an unsigned integer, got 1.0')])
case('value-exponent', prof('{"names": ["read"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 1e3, "op": "SCMP_CMP_EQ"}]}'), 1,
     [P('1e3', 'syscalls[0].args[0].value: expected an unsigned integer, got 1e3')])
case('value-2pow64', prof('{"names": ["read"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 18446744073709551616, "op": "SCMP_CMP_EQ"}]}'), 1,
     [P('18446744073709551616', 'syscalls[0].args[0].value: number 18446744073709551616 is out of range (an unsigned 64-bit integer is at most 18446744073709551615)')])
case('value-2pow64-minus-1', prof('{"names": ["read"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 18446744073709551615, "valueTwo": 0, "op": "SCMP_CMP_EQ"}]}'), 0, [],
     dump=['form docker', 'defaultAction SCMP_ACT_ERRNO', 'rule 0 {R0} SCMP_ACT_ALLOW [read]', '  arg 0 SCMP_CMP_EQ 18446744073709551615 0'])
case('errnoret-negative', prof('{"names": ["read"], "action": "SCMP_ACT_ERRNO", "errnoRet": -1}'), 1, [P('-1', 'syscalls[0].errnoRet: expected an unsigned integer, got -1')])
case('defaulterrnoret-string', '{"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": "1"}', 1, [P('"1"', 'defaultErrnoRet: expected an unsigned integer, got a string')])
case('includes-array', prof('{"names": ["read"], "action": "SCMP_ACT_ALLOW", "includes": []}'), 1, [P('[]', 'syscalls[0].includes: expected an object, got an array', after='"includes": ')])
case('caps-string', prof('{"names": ["read"], "action": "SCMP_ACT_ALLOW", "includes": {"caps": "CAP_SYS_ADMIN"}}'), 1,
     [P('"CAP_SYS_ADMIN"', 'syscalls[0].includes.caps: expected an array of strings, got a string')])
case('archmap-subs-string', '{"defaultAction": "SCMP_ACT_ERRNO", "archMap": [{"architecture": "SCMP_ARCH_X86_64", "subArchitectures": "SCMP_ARCH_X86"}]}', 1,
     [P('"SCMP_ARCH_X86"', 'archMap[0].subArchitectures: expected an array of strings, got a string')])
# --- minKernel (§1.4) ---
def mk(v):
    return prof('{"names": ["ptrace"], "action": "SCMP_ACT_ALLOW",\n  "includes": {"minKernel": %s}}' % v)
MK = 'syscalls[0].includes.minKernel: invalid kernel version: %s, expected "<kernel>.<major>"'
case('minkernel-one-part', mk('"3"'), 1, [P('"3"', MK % '"3"')])
case('minkernel-three-parts', mk('"3.12.1"'), 1, [P('"3.12.1"', MK % '"3.12.1"')])
case('minkernel-suffix', mk('"4.15abc"'), 1, [P('"4.15abc"', MK % '"4.15abc"' + ': strconv.ParseUint: parsing "15abc": invalid syntax')])
case('minkernel-leading-dot', mk('".3"'), 1, [P('".3"', MK % '".3"' + ': strconv.ParseUint: parsing "": invalid syntax')])
case('minkernel-trailing-dot', mk('"3."'), 1, [P('"3."', MK % '"3."' + ': strconv.ParseUint: parsing "": invalid syntax')])
case('minkernel-zero', mk('"0.0"'), 1, [P('"0.0"', MK % '"0.0"' + ': version cannot be 0.0')])
case('minkernel-256', mk('"256.1"'), 1, [P('"256.1"', MK % '"256.1"' + ': strconv.ParseUint: parsing "256": value out of range')])
case('minkernel-minus', mk('"-1.2"'), 1, [P('"-1.2"', MK % '"-1.2"' + ': strconv.ParseUint: parsing "-1": invalid syntax')])
case('minkernel-plus', mk('"+1.2"'), 1, [P('"+1.2"', MK % '"+1.2"' + ': strconv.ParseUint: parsing "+1": invalid syntax')])
case('minkernel-number', mk('4.15'), 1, [P('4.15', MK % '4.15' + ': json: cannot unmarshal number into Go value of type string')])
case('minkernel-accepted-forms', prof('{"names": ["a"], "action": "SCMP_ACT_ALLOW", "includes": {"minKernel": "04.08"}},'
                                      '{"names": ["b"], "action": "SCMP_ACT_ALLOW", "includes": {"minKernel": ""}},'
                                      '{"names": ["c"], "action": "SCMP_ACT_ALLOW", "excludes": {"minKernel": null}},'
                                      '{"names": ["d"], "action": "SCMP_ACT_ALLOW", "includes": {"minKernel": "0.5"}}'), 0, [],
     dump=['form docker', 'defaultAction SCMP_ACT_ERRNO',
           'rule 0 {R0} SCMP_ACT_ALLOW [a]', '  includes:', '    caps []', '    arches []', '    minKernel 4.8',
           'rule 1 {R1} SCMP_ACT_ALLOW [b]', '  includes:', '    caps []', '    arches []', '    minKernel 0.0',
           'rule 2 {R2} SCMP_ACT_ALLOW [c]', '  excludes:', '    caps []', '    arches []',
           'rule 3 {R3} SCMP_ACT_ALLOW [d]', '  includes:', '    caps []', '    arches []', '    minKernel 0.5'])
# --- moby's checks (§1.5) ---
case('name-and-names', prof('\n  {"name": "read", "names": ["write"], "action": "SCMP_ACT_ALLOW"}'), 1,
     [P('{"name"', "syscalls[0]: both 'name' and 'names' are specified in the seccomp profile, use either 'name' or 'names'")])
case('architectures-and-archmap', '{"defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_X86_64"],\n "archMap": [{"architecture": "SCMP_ARCH_X86_64"}]}', 1,
     [P('[{"architecture"', "archMap: both 'architectures' and 'archMap' are specified in the seccomp profile, use either 'architectures' or 'archMap'")])
case('conflicts-ignored-when-unconfined', '{"architectures": ["SCMP_ARCH_X86_64"], "archMap": [{"architecture": "SCMP_ARCH_X86_64"}], "syscalls": []}', 0, [],
     dump=['form docker', 'defaultAction (none)', 'architectures [SCMP_ARCH_X86_64]', 'archMap SCMP_ARCH_X86_64 []'])
# --- runc's checks (§4.1.1) ---
ACTS = 'SCMP_ACT_KILL, SCMP_ACT_KILL_THREAD, SCMP_ACT_KILL_PROCESS, SCMP_ACT_TRAP, SCMP_ACT_ERRNO, SCMP_ACT_TRACE, SCMP_ACT_ALLOW, SCMP_ACT_LOG, SCMP_ACT_NOTIFY'
OPS = 'SCMP_CMP_NE, SCMP_CMP_LT, SCMP_CMP_LE, SCMP_CMP_EQ, SCMP_CMP_GE, SCMP_CMP_GT, SCMP_CMP_MASKED_EQ'
case('unknown-action', prof('{"names": ["read"], "action": "SCMP_ACT_ALLOWED"}'), 1, [P('"SCMP_ACT_ALLOWED"', 'syscalls[0].action: unknown action "SCMP_ACT_ALLOWED" (expected one of %s)' % ACTS)])
case('action-wrong-case', '{"defaultAction": "scmp_act_errno"}', 1, [P('"scmp', 'defaultAction: unknown action "scmp_act_errno" (expected one of %s)' % ACTS)])
case('missing-action', prof('{"names": ["read"]}'), 1, [P('{"names"', 'syscalls[0]: missing or empty action (expected one of %s)' % ACTS)])
case('empty-defaultaction-with-rules', '{"defaultAction": "", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW"}]}', 1,
     [P('""', 'defaultAction: defaultAction is missing or empty, but the profile has syscall rules (runc refuses an empty action)')])
case('no-defaultaction-with-rules', '{"syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW"}]}', 1,
     [P('{', 'defaultAction: defaultAction is missing or empty, but the profile has syscall rules (runc refuses an empty action)')])
case('unknown-op', prof('{"names": ["read"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_EQQ"}]}'), 1,
     [P('"SCMP_CMP_EQQ"', 'syscalls[0].args[0].op: unknown operator "SCMP_CMP_EQQ" (expected one of %s)' % OPS)])
case('missing-op', prof('{"names": ["read"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 1}]}'), 1,
     [P('{"index"', 'syscalls[0].args[0]: missing or empty operator (expected one of %s)' % OPS)])
case('arg-index-6', prof('{"names": ["read"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 6, "value": 1, "op": "SCMP_CMP_EQ"}]}'), 1,
     [P('{"index"', 'syscalls[0].args[0]: argument index 6 is out of range: a syscall has 6 arguments (0..5)')])
case('unknown-arch', '{"defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_AMD64"]}', 1,
     [P('"SCMP_ARCH_AMD64"', 'architectures[1]: unknown architecture "SCMP_ARCH_AMD64" (expected one of SCMP_ARCH_X86, SCMP_ARCH_X86_64, SCMP_ARCH_X32, SCMP_ARCH_ARM, SCMP_ARCH_AARCH64, SCMP_ARCH_MIPS, SCMP_ARCH_MIPSEL, SCMP_ARCH_MIPS64, SCMP_ARCH_MIPSEL64, SCMP_ARCH_MIPS64N32, SCMP_ARCH_MIPSEL64N32, SCMP_ARCH_PPC, SCMP_ARCH_PPC64, SCMP_ARCH_PPC64LE, SCMP_ARCH_S390, SCMP_ARCH_S390X, SCMP_ARCH_RISCV64, SCMP_ARCH_LOONGARCH64)')])
case('arch-not-runc', '{"defaultAction": "SCMP_ACT_ERRNO", "archMap": [{"architecture": "SCMP_ARCH_X86_64", "subArchitectures": ["SCMP_ARCH_PARISC"]}]}', 1,
     [P('"SCMP_ARCH_PARISC"', 'archMap[0].subArchitectures[0]: architecture "SCMP_ARCH_PARISC" is not supported by runc')])
case('unknown-flag', '{"defaultAction": "SCMP_ACT_ERRNO", "flags": ["SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_NEW_LISTENER"]}', 1,
     [P('"SECCOMP_FILTER_FLAG_NEW', 'flags[1]: unknown flag "SECCOMP_FILTER_FLAG_NEW_LISTENER" (expected one of SECCOMP_FILTER_FLAG_TSYNC, SECCOMP_FILTER_FLAG_LOG, SECCOMP_FILTER_FLAG_SPEC_ALLOW, SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV)')])
case('empty-name', prof('{"names": ["read", ""], "action": "SCMP_ACT_ALLOW"}'), 1, [P('""', 'syscalls[0].names[1]: empty syscall name')])
case('notify-default', '{"defaultAction": "SCMP_ACT_NOTIFY", "listenerPath": "/run/l.sock"}', 1,
     [P('"SCMP_ACT_NOTIFY"', 'defaultAction: SCMP_ACT_NOTIFY cannot be used as the default action (runc refuses it)')])
case('notify-write', prof('{"names": ["read", "write"], "action": "SCMP_ACT_NOTIFY"}'), 1,
     [P('"write"', 'syscalls[0].names[1]: SCMP_ACT_NOTIFY cannot be used for the write syscall (runc refuses it)')])
case('nul-escape-in-name', prof('{"names": ["read\\u0000x"], "action": "SCMP_ACT_ALLOW"}'), 1,
     [P('"read\\u', 'syscalls[0].names[0]: string contains a NUL character (\\u0000)')])
# --- Go decoding rules (§1.3): positive cases ---
case('duplicate-keys-last-wins', '{"defaultAction": "SCMP_ACT_KILL", "defaultAction": "SCMP_ACT_ERRNO",\n "defaultErrnoRet": 5, "defaultErrnoRet": null,\n'
     ' "syscalls": [{"names": ["a"], "action": "SCMP_ACT_ALLOW", "action": "SCMP_ACT_LOG"}]}', 0, [],
     dump=['form docker', 'defaultAction SCMP_ACT_ERRNO', 'rule 0 {R0} SCMP_ACT_LOG [a]'])
# A key given an array or an object twice: Go decodes the second INTO the
# first (a slice keeps its elements past the new length), refused.
case('duplicate-object-refused', prof('{"names": ["a"], "action": "SCMP_ACT_ALLOW", "includes": {"caps": ["CAP_SYS_ADMIN"]},'
     ' "includes": {"arches": ["amd64"]}}'), 1,
     [P('"includes"', 'syscalls[0].includes: ' + twice('includes', '"includes"', 'fields'), nth=2)])
case('duplicate-array-refused', '{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["a"], "action": "SCMP_ACT_ALLOW", "errnoRet": 3}],\n'
     ' "syscalls": [{"names": ["b"]}, {"names": ["c"], "action": "SCMP_ACT_LOG"}]}', 1,
     [P('"syscalls"', 'syscalls: ' + twice('syscalls', '"syscalls"'), nth=2)])
case('case-insensitive-keys', '{"DEFAULTACTION": "SCMP_ACT_ERRNO", "Syscalls": [{"NAMES": ["a"], "Action": "SCMP_ACT_ALLOW",'
     ' "args": [{"INDEX": 1, "VALUE": 2, "ValueTwo": 3, "OP": "SCMP_CMP_EQ"}]}]}', 0, [],
     dump=['form docker', 'defaultAction SCMP_ACT_ERRNO', 'rule 0 {R0} SCMP_ACT_ALLOW [a]', '  arg 1 SCMP_CMP_EQ 2 3'])
case('unicode-fold-keys', '{"defaultAction": "SCMP_ACT_ERRNO", "\u017fyscalls": [{"names": ["a"], "action": "SCMP_ACT_ALLOW", "errnoRet": 7},'
     '{"names": ["b"], "action": "SCMP_ACT_ERRNO", "errnoRet": 8}], "archMap": [{"architecture": "SCMP_ARCH_X86_64", "\u212aey": 1}]}', 0,
     [('W', P('"\u212aey"', 'archMap[0].\u212aey: unknown key "\u212aey" (Docker ignores it)'))],
     dump=['form docker', 'defaultAction SCMP_ACT_ERRNO', 'archMap SCMP_ARCH_X86_64 []', 'rule 0 {R0} SCMP_ACT_ALLOW errno=7 [a]', 'rule 1 {R1} SCMP_ACT_ERRNO errno=8 [b]'])
case('exact-key-beats-folded', '{"DefaultAction": "SCMP_ACT_KILL", "defaultAction": "SCMP_ACT_ERRNO", "DEFAULTACTION": "SCMP_ACT_LOG"}', 0, [],
     dump=['form docker', 'defaultAction SCMP_ACT_LOG'])
case('null-values', '{"defaultAction": "SCMP_ACT_ERRNO", "architectures": null, "flags": null, "archMap": null,'
     ' "syscalls": [{"names": ["a"], "action": "SCMP_ACT_ALLOW", "args": null, "includes": null, "errnoRet": null, "comment": null}]}', 0, [],
     dump=['form docker', 'defaultAction SCMP_ACT_ERRNO', 'rule 0 {R0} SCMP_ACT_ALLOW [a]'])
case('unknown-key-warns', '{"defaultAction": "SCMP_ACT_ERRNO",\n "defaultErrnoRet": 1, "comment": "top-level comment is not a field"}', 0,
     [('W', P('"comment"', 'comment: unknown key "comment" (Docker ignores it)'))])
case('unknown-key-strict', '{"defaultAction": "SCMP_ACT_ERRNO",\n "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW", "arg": []}]}', 1,
     [P('"arg"', 'syscalls[0].arg: unknown key "arg" (Docker ignores it)')], flags='--strict')
case('empty-object-unconfined', '{}', 0, [], dump=['form docker', 'defaultAction (none)'])
case('null-profile', 'null', 0, [('W', P('null', 'the profile is null, which Docker reads as {} (no seccomp at all)'))])
case('legacy-name-args-null', '{"defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"],\n'
     ' "syscalls": [{"name": "accept", "action": "SCMP_ACT_ALLOW", "args": null}, {"name": "", "names": ["bind"], "action": "SCMP_ACT_ALLOW"}]}', 0, [],
     dump=['form docker', 'defaultAction SCMP_ACT_ERRNO', 'architectures [SCMP_ARCH_X86_64 SCMP_ARCH_X86]', 'rule 0 {R0} SCMP_ACT_ALLOW [accept]', 'rule 1 {R1} SCMP_ACT_ALLOW [bind]'])
case('podman-errno-applied', '{"defaultAction": "SCMP_ACT_ERRNO", "defaultErrno": "ENOSYS", "defaultErrnoRet": 38,\n'
     ' "syscalls": [{"names": ["bpf"], "action": "SCMP_ACT_ERRNO", "errno": "EINVAL"}]}', 0,
     [('W', P('"EINVAL"', 'syscalls[0].errno: "errno" is Podman\'s field: secprof applies EINVAL (22), Docker ignores it and would use EPERM (no errnoRet)'))],
     dump=['form docker', 'defaultAction SCMP_ACT_ERRNO', 'defaultErrnoRet 38', 'rule 0 {R0} SCMP_ACT_ERRNO errno=22 [bpf]'])
case('podman-errno-strict', '{"defaultAction": "SCMP_ACT_ERRNO", "defaultErrno": "ENOSYS"}', 1,
     [P('"ENOSYS"', 'defaultErrno: "defaultErrno" is Podman\'s field: secprof applies ENOSYS (38), Docker ignores it and would use EPERM (no defaultErrnoRet)')], flags='--strict')
case('podman-errno-unknown', prof('{"names": ["bpf"], "action": "SCMP_ACT_ERRNO", "errno": "EFOO"}'), 1,
     [P('"EFOO"', 'syscalls[0].errno: unknown errno "EFOO" (expected a name such as EPERM or a number)')])
# --- strict mode: what runc ignores (sp_check_profile) ---
case('strict-errnoret-on-allow', prof('{"names": ["read"], "action": "SCMP_ACT_ALLOW", "errnoRet": 5}'), 1,
     [P('5}', 'syscalls[0].errnoRet: errnoRet is ignored with SCMP_ACT_ALLOW (runc ignores it, crun fails)')], flags='--strict')
case('strict-rule-equals-default', prof('{"names": ["read"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}'), 1,
     [P('"SCMP_ACT_ERRNO"', "syscalls[0].action: the rule's action equals the default action, so runc skips the rule", nth=2)], flags='--strict')
case('strict-unknown-syscall', prof('{"names": ["read", "no_such_call"], "action": "SCMP_ACT_ALLOW"}'), 1,
     [P('"no_such_call"', 'syscalls[0].names[1]: unknown syscall "no_such_call": not a syscall on any architecture, runc ignores it')], flags='--strict')
case('strict-empty-names', prof('{"names": [], "action": "SCMP_ACT_ALLOW"}'), 1,
     [P('{"names"', 'syscalls[0]: rule names no syscall, so it does nothing')], flags='--strict')
# --- other forms ---
case('oci-config', '{"ociVersion": "1.0.2", "process": {"args": ["sh"]},\n "linux": {"seccomp": {"defaultAction": "SCMP_ACT_ALLOW",\n'
     '  "architectures": ["SCMP_ARCH_X86"], "syscalls": [{"names": ["getcwd"], "action": "SCMP_ACT_ERRNO"}]}}}', 0, [],
     dump=['form oci-config', 'defaultAction SCMP_ACT_ALLOW', 'architectures [SCMP_ARCH_X86]', 'rule 0 {R0} SCMP_ACT_ERRNO [getcwd]'])
case('oci-config-error-path', '{"ociVersion": "1.0.2",\n "linux": {"seccomp": {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["getcwd"], "action": "SCMP_ACT_ERR"}]}}}', 1,
     [P('"SCMP_ACT_ERR"', 'linux.seccomp.syscalls[0].action: unknown action "SCMP_ACT_ERR" (expected one of %s)' % ACTS)])
case('oci-config-no-seccomp', '{"ociVersion": "1.0.2", "linux": {"namespaces": []}}', 0, [], dump=['form oci-config no-seccomp', 'defaultAction (none)'])
case('oci-features', '{"ociVersionMin": "1.0.0", "linux": {"seccomp": {"enabled": true}}}', 1,
     [P('{', 'this is an OCI runtime features document, not a seccomp profile (Docker would ignore every key in it and run with no seccomp at all)')])

case('oci-config-docker-keys', '{"ociVersion": "1.0.2", "linux": {"seccomp": {"defaultAction": "SCMP_ACT_ERRNO", "archMap": [],\n'
     ' "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW", "includes": {"caps": ["CAP_SYS_ADMIN"]}}]}}}', 0,
     [('W', P('"archMap"', 'linux.seccomp.archMap: unknown key "archMap" (an OCI runtime ignores it)')),
      ('W', P('"includes"', 'linux.seccomp.syscalls[0].includes: unknown key "includes" (an OCI runtime ignores it)'))],
     dump=['form oci-config', 'defaultAction SCMP_ACT_ERRNO', 'rule 0 {R0} SCMP_ACT_ALLOW [read]'])
case('podman-errno-number', prof('{"names": ["bpf"], "action": "SCMP_ACT_ERRNO", "errno": "22", "errnoRet": 22}'), 0, [],
     dump=['form docker', 'defaultAction SCMP_ACT_ERRNO', 'rule 0 {R0} SCMP_ACT_ERRNO errno=22 [bpf]'])
case('comment-number', prof('{"names": ["read"], "action": "SCMP_ACT_ALLOW", "comment": 5}'), 1,
     [P('5}', 'syscalls[0].comment: expected a string, got a number')])
case('names-null-element', prof('{"names": ["read", null], "action": "SCMP_ACT_ALLOW"}'), 1,
     [P('null', 'syscalls[0].names[1]: empty syscall name')])
case('escaped-key', '{"default\\u0041ction": "SCMP_ACT_LOG"}', 0, [], dump=['form docker', 'defaultAction SCMP_ACT_LOG'])
case('crlf-lines', '{\r\n "defaultAction": 5\r\n}', 1, [P('5', 'defaultAction: expected a string, got a number')])
case('flags-valid', '{"defaultAction": "SCMP_ACT_ERRNO", "flags": ["SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW"], "listenerPath": "/run/x"}', 0,
     [('W', P('"SECCOMP_FILTER_FLAG_SPEC_ALLOW"', "flags[1]: SECCOMP_FILTER_FLAG_SPEC_ALLOW is not applied: Debian 12's Docker (20.10) drops a profile's flags, so its containers keep the kernel's speculative-store-bypass mitigation, and secprof keeps it too"))],
     dump=['form docker', 'defaultAction SCMP_ACT_ERRNO', 'flags [SECCOMP_FILTER_FLAG_LOG SECCOMP_FILTER_FLAG_SPEC_ALLOW]', 'listenerPath /run/x'])

case('caps-not-exact', prof('{"names": ["mount"], "action": "SCMP_ACT_ALLOW", "includes": {"caps": ["cap_sys_admin"]},'
     ' "excludes": {"caps": ["SYS_BOOT"]}}'), 0,
     [('W', P('"cap_sys_admin"', 'syscalls[0].includes.caps[0]: capability "cap_sys_admin" never matches: Docker compares names exactly (write "CAP_SYS_ADMIN")')),
      ('W', P('"SYS_BOOT"', 'syscalls[0].excludes.caps[0]: capability "SYS_BOOT" never matches: Docker compares names exactly (write "CAP_SYS_BOOT")'))])
case('caps-unknown-strict', prof('{"names": ["mount"], "action": "SCMP_ACT_ALLOW", "includes": {"caps": ["CAP_SYS_ADMIN", "CAP_ROOT"]}}'), 1,
     [P('"CAP_ROOT"', 'syscalls[0].includes.caps[1]: unknown capability "CAP_ROOT": it never matches')], flags='--strict')
case('archmap-dead-entry', '{"defaultAction": "SCMP_ACT_ERRNO", "archMap": [{"architecture": "SCMP_ARCH_X86_64", "subArchitectures": ["SCMP_ARCH_X86"]},\n'
     ' {"architecture": "SCMP_ARCH_VAX", "subArchitectures": ["SCMP_ARCH_PDP11"]}]}', 0,
     [('W', P('"SCMP_ARCH_VAX"', 'archMap[1].architecture: architecture "SCMP_ARCH_VAX" matches no host, so Docker never uses this entry'))],
     dump=['form docker', 'defaultAction SCMP_ACT_ERRNO', 'archMap SCMP_ARCH_X86_64 [SCMP_ARCH_X86]', 'archMap SCMP_ARCH_VAX [SCMP_ARCH_PDP11]'])

case('arg-null', prof('{"names": ["read"], "action": "SCMP_ACT_ALLOW", "args": [null]}'), 1,
     [P('null', 'syscalls[0].args[0]: missing or empty operator (expected one of %s)' % OPS)])
case('errnoret-2pow64-minus-1', prof('{"names": ["read"], "action": "SCMP_ACT_ERRNO", "errnoRet": 18446744073709551615}'), 0, [],
     dump=['form docker', 'defaultAction SCMP_ACT_ERRNO', 'rule 0 {R0} SCMP_ACT_ERRNO errno=18446744073709551615 [read]'])

case('byte-order-mark', b'\xef\xbb\xbf{"defaultAction": "SCMP_ACT_ERRNO"}', 1,
     [P(b'\xef', "invalid character '\ufeff' (U+FEFF) looking for beginning of value")])

# runc decodes config.json with Go's encoding/json: every key that matches
# "linux"/"seccomp" case-insensitively is decoded, in order, into the same
# struct (merging), and null resets the pointer.
case('oci-config-case-merge', '{"ociVersion": "1.0.2", "linux": {"seccomp": {"defaultAction": "SCMP_ACT_ERRNO",\n'
     ' "syscalls": [{"names": ["getcwd"], "action": "SCMP_ACT_ALLOW"}]}}, "Linux": {"Seccomp": {"defaultAction": "SCMP_ACT_KILL"}}}', 0, [],
     dump=['form oci-config', 'defaultAction SCMP_ACT_KILL', 'rule 0 {R0} SCMP_ACT_ALLOW [getcwd]'])
case('oci-config-case-null', '{"ociVersion": "1.0.2", "Linux": {"seccomp": {"defaultAction": "SCMP_ACT_ALLOW",\n'
     ' "syscalls": [{"names": ["getcwd"], "action": "SCMP_ACT_ERRNO"}]}}, "linux": {"SECCOMP": null, "seccomp": {"defaultAction": "SCMP_ACT_ERRNO"}}}', 0, [],
     dump=['form oci-config', 'defaultAction SCMP_ACT_ERRNO'])
case('oci-config-linux-null-last', '{"ociVersion": "1.0.2", "linux": {"seccomp": {"defaultAction": "SCMP_ACT_ERRNO"}}, "LINUX": null}', 0, [],
     dump=['form oci-config no-seccomp', 'defaultAction (none)'])

# A repeated includes/excludes: null clears current moby's pointer but
# leaves Debian 12's docker.io 20.10 struct as the first key made it, so the
# two apply the rule under different conditions: refused. Null first, or
# null twice, reads alike in both.
NULLAFTER = 'null after an earlier value of the same key: Docker 20.10 keeps the earlier conditions, current Docker drops them (give the key once)'
case('includes-null-after-value', prof('{"names": ["times"], "action": "SCMP_ACT_ALLOW", "includes": {"caps": ["CAP_SYS_ADMIN"]},\n "includes": null}'), 1,
     [P('null', 'syscalls[0].includes: ' + NULLAFTER)])
case('excludes-null-after-empty', prof('{"names": ["times"], "action": "SCMP_ACT_ALLOW", "excludes": {}, "excludes": null}'), 1,
     [P('null', 'syscalls[0].excludes: ' + NULLAFTER)])
case('includes-null-then-value', prof('{"names": ["times"], "action": "SCMP_ACT_ALLOW", "includes": null, "includes": null,\n'
     ' "excludes": null, "excludes": {"caps": ["CAP_CHOWN"]}}'), 0, [],
     dump=['form docker', 'defaultAction SCMP_ACT_ERRNO', 'rule 0 {R0} SCMP_ACT_ALLOW [times]', '  excludes:', '    caps [CAP_CHOWN]', '    arches []'])


# A key given an array or an object twice, at every level that decodes
# into a Go slice or struct: Go's encoding/json decodes the second value
# into the first, and a slice's elements past the second's length keep the
# first's fields, for a third value to bring back (runc 1.1.5 then denies
# getppid and getuid here, which a fresh read of the last value allows).
case('repeat-array-stale-elements', '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["getpid"],"action":"SCMP_ACT_ERRNO","errnoRet":1},'
     '{"names":["getppid","getuid"],"action":"SCMP_ACT_ERRNO","errnoRet":1}],\n"syscalls":[{"names":["getpid"],"action":"SCMP_ACT_ERRNO","errnoRet":1}],\n'
     '"syscalls":[{"names":["getpid"],"action":"SCMP_ACT_ERRNO","errnoRet":1},{"action":"SCMP_ACT_ERRNO","errnoRet":1}]}', 1,
     [P('"syscalls"', 'syscalls: ' + twice('syscalls', '"syscalls"'), nth=2)])
case('repeat-array-case-folded', '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["getpid"], "action": "SCMP_ACT_ERRNO"}],\n'
     ' "Syscalls": [{"names": ["getppid"], "action": "SCMP_ACT_ERRNO"}]}', 1,
     [P('"Syscalls"', 'Syscalls: ' + twice('Syscalls', '"syscalls"'))])
case('repeat-array-null-between', '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["getpid"], "action": "SCMP_ACT_ERRNO"}],\n'
     ' "syscalls": null, "syscalls": [{"names": ["getppid"], "action": "SCMP_ACT_ERRNO"}]}', 1,
     [P('"syscalls"', 'syscalls: ' + twice('syscalls', '"syscalls"'), nth=3)])
case('repeat-names', prof('{"names": ["ptrace", "getppid"], "action": "SCMP_ACT_ALLOW",\n "names": ["getpid"]}'), 1,
     [P('"names"', 'syscalls[0].names: ' + twice('names', '"names"'), nth=2)])
case('repeat-args', prof('{"names": ["socket"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_EQ"}],\n'
     ' "args": []}'), 1,
     [P('"args"', 'syscalls[0].args: ' + twice('args', '"args"'), nth=2)])
case('repeat-includes-caps', prof('{"names": ["ptrace"], "action": "SCMP_ACT_ALLOW",\n'
     ' "includes": {"caps": ["CAP_SYS_PTRACE", "CAP_SYS_ADMIN"], "caps": ["CAP_SYS_PTRACE"]}}'), 1,
     [P('"caps"', 'syscalls[0].includes.caps: ' + twice('caps', '"caps"'), nth=2)])
case('repeat-excludes-arches', prof('{"names": ["ptrace"], "action": "SCMP_ACT_ALLOW",\n'
     ' "excludes": {"arches": ["amd64"], "arches": []}}'), 1,
     [P('"arches"', 'syscalls[0].excludes.arches: ' + twice('arches', '"arches"'), nth=2)])
case('repeat-architectures', '{"defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"],\n'
     ' "architectures": ["SCMP_ARCH_X86_64"]}', 1,
     [P('"architectures"', 'architectures: ' + twice('architectures', '"architectures"'), nth=2)])
case('repeat-flags', '{"defaultAction": "SCMP_ACT_ERRNO", "flags": ["SECCOMP_FILTER_FLAG_LOG"], "flags": []}', 1,
     [P('"flags"', 'flags: ' + twice('flags', '"flags"'), nth=2)])
case('repeat-archmap-subarchitectures', '{"defaultAction": "SCMP_ACT_ERRNO", "archMap": [{"architecture": "SCMP_ARCH_X86_64",\n'
     ' "subArchitectures": ["SCMP_ARCH_X86"], "subArchitectures": ["SCMP_ARCH_X32"]}]}', 1,
     [P('"subArchitectures"', 'archMap[0].subArchitectures: ' + twice('subArchitectures', '"subArchitectures"'), nth=2)])
# runc merges every linux/seccomp object of a config.json into one struct:
# a field given an array in two of them is refused the same way; null in
# between resets the pointer, so what follows decodes afresh.
case('oci-config-repeat-syscalls', '{"ociVersion": "1.0.2", "linux": {"seccomp": {"defaultAction": "SCMP_ACT_ALLOW",\n'
     ' "syscalls": [{"names": ["ptrace", "getppid"], "action": "SCMP_ACT_ERRNO"}]}},\n'
     ' "Linux": {"Seccomp": {"syscalls": [{"names": ["ptrace"], "action": "SCMP_ACT_ERRNO"}]}}}', 1,
     [P('"syscalls"', 'linux.seccomp.syscalls: ' + twice('syscalls', '"syscalls"'), nth=2)])
case('oci-config-repeat-after-null', '{"ociVersion": "1.0.2", "linux": {"seccomp": {"defaultAction": "SCMP_ACT_ALLOW",\n'
     ' "syscalls": [{"names": ["ptrace", "getppid"], "action": "SCMP_ACT_ERRNO"}]}, "seccomp": null,\n'
     ' "seccomp": {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["ptrace"], "action": "SCMP_ACT_ERRNO"}]}}}', 0, [],
     dump=['form oci-config', 'defaultAction SCMP_ACT_ALLOW', 'rule 0 {R0} SCMP_ACT_ERRNO [ptrace]'])

for i, (name, data, rc, err, flags, dump) in enumerate(cases, 1):
    base = '%02d-%s' % (i, name)
    with open(os.path.join(D, base + '.json'), 'wb') as f:
        f.write(data)
    lines = []
    for e in err:
        if isinstance(e, P):
            e = where(data, e) + ': ' + e.msg
        elif isinstance(e, tuple):  # ('W', P): warning
            e = 'secprof: warning: %s.json:%s: %s' % (base, where(data, e[1]), e[1].msg)
        lines.append(e if e.startswith('secprof: warning: ') else 'secprof: %s.json:%s' % (base, e))
    # warnings embed the file name: fix the placeholder name
    lines = [l.replace('secprof: warning: %s.json' % name, 'secprof: warning: %s.json' % base) for l in lines]
    with open(os.path.join(D, base + '.err'), 'w', encoding='utf-8') as f:
        f.write('rc=%d%s\n' % (rc, (' ' + flags) if flags else ''))
        for l in lines:
            f.write(l + '\n')
    if dump is not None:
        starts = rule_starts(data)
        dump = [re.sub(r'\{R(\d+)\}', lambda m: starts[int(m.group(1))], l) for l in dump]
        with open(os.path.join(D, base + '.out'), 'w', encoding='utf-8') as f:
            f.write('\n'.join(dump) + '\n')
print(len(cases), 'cases')
