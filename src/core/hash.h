/* hash.h - one hash of a string's bytes, for the tables that find a
 * string by its text: the parser's interned strings (profile/parse.c)
 * and the syscall names (core/arch.c, whose table tools/gen-syscalls.py
 * builds with the same function: name_hash there).
 *
 * It reads the bytes eight at a time, little-endian, with a last word
 * that overlaps the one before where the length is not a multiple of
 * eight; shorter strings are read in two overlapping 32-bit words, or
 * three bytes. Each step is one multiply, so a name costs a few of them:
 * FNV-1a's multiply per byte, one after the other, was most of the cost
 * of a lookup (15 % of a compile of Docker's default with strcmp). Never
 * reads outside s[0..n). Not for hostile keys: a table probes on. */
#ifndef SECPROF_CORE_HASH_H
#define SECPROF_CORE_HASH_H

#include <endian.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline uint64_t sp_load_le64(const char *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return le64toh(v);
}

static inline uint64_t sp_load_le32(const char *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return le32toh(v);
}

#define SP_HASH_STEP 0xBF58476D1CE4E5B9u

static inline uint32_t sp_hash_bytes(const char *s, size_t n)
{
	uint64_t h = (uint64_t)n * 0x9E3779B97F4A7C15u;

	if (n >= 8) {
		for (size_t k = 0; k + 8 < n; k += 8)
			h = (h ^ sp_load_le64(s + k)) * SP_HASH_STEP;
		h = (h ^ sp_load_le64(s + n - 8)) * SP_HASH_STEP;
	} else if (n >= 4) {
		h = (h ^ sp_load_le32(s) ^ sp_load_le32(s + n - 4) << 32) * SP_HASH_STEP;
	} else if (n) {
		h = (h ^ (uint8_t)s[0] ^ (uint64_t)(uint8_t)s[n / 2] << 8 ^
		     (uint64_t)(uint8_t)s[n - 1] << 16) *
		    SP_HASH_STEP;
	}
	return (uint32_t)(h >> 32); /* a product's high bits: every input bit moved them */
}

#endif
