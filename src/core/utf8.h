/* utf8.h - the one check of a UTF-8 sequence, for the JSON reader (json.c)
 * and writer (jsonw.c). */
#ifndef SECPROF_CORE_UTF8_H
#define SECPROF_CORE_UTF8_H

#include <stddef.h>

/* Length of the valid UTF-8 sequence at s (RFC 3629, table 3-7 of the
 * Unicode standard: no overlong forms, no surrogates, at most U+10FFFF), 0
 * if s does not start one within avail bytes. A NUL is never a continuation
 * byte, so on a NUL-terminated string avail may be SIZE_MAX: no read goes
 * past the NUL. */
static inline size_t sp_utf8_len(const unsigned char *s, size_t avail)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xbf;
	size_t n;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4;
	else
		return 0;
	if (c == 0xe0)
		lo = 0xa0; /* overlong below U+0800 */
	else if (c == 0xed)
		hi = 0x9f; /* U+D800..U+DFFF: surrogates */
	else if (c == 0xf0)
		lo = 0x90; /* overlong below U+10000 */
	else if (c == 0xf4)
		hi = 0x8f; /* above U+10FFFF */
	if (avail < n || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return n;
}

#endif
