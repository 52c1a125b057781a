/* sha256.c - SHA-256 (FIPS 180-4), for the filter cache's keys and entry
 * checks (sandbox/progcache.c). Written out here rather than taken from
 * nettle because a shared library costs every secprof process its loading
 * (about 80 us for libnettle, README "The filter cache"), while the cache
 * hashes a few kilobytes per run. On x86-64 CPUs with the SHA extensions
 * (Intel since Goldmont and Ice Lake, AMD since Zen) a block goes through
 * SHA256RNDS2/MSG1/MSG2 instead: the 2.4 KB entry a cached `run` checks
 * costs ~15 us of portable rounds on the bench machine, ~3 us so.
 * Checked, both ways, against the FIPS 180-4 examples and python3's
 * hashlib (tests/unit/test_progcache.c). */
#include <string.h>

/* The SHA extensions are used where glibc has read the CPU's features at
 * start-up. musl reads none (the static secprof: see the Makefile), and a
 * CPUID of our own would cost more under a hypervisor than the portable
 * rounds over the few kilobytes a run hashes (below). */
#if defined(__x86_64__) && defined(__GLIBC__)
#define SP_SHA_NI 1
#endif

#ifdef SP_SHA_NI
#include <immintrin.h>
#include <sys/platform/x86.h>
#endif

#include "core/util.h"

static const uint32_t K[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
	0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
	0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
	0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
	0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
	0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
	0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
	0xc67178f2,
};

static inline uint32_t ror(uint32_t x, unsigned n)
{
	return (x >> n) | (x << (32 - n));
}

static void block(uint32_t h[8], const uint8_t *p)
{
	uint32_t w[64], a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6],
			k = h[7];

	for (int i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		       (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
	for (int i = 16; i < 64; i++) {
		uint32_t s0 = ror(w[i - 15], 7) ^ ror(w[i - 15], 18) ^ (w[i - 15] >> 3);
		uint32_t s1 = ror(w[i - 2], 17) ^ ror(w[i - 2], 19) ^ (w[i - 2] >> 10);
		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	for (int i = 0; i < 64; i++) {
		uint32_t t1 = k + (ror(e, 6) ^ ror(e, 11) ^ ror(e, 25)) + ((e & f) ^ (~e & g)) +
			      K[i] + w[i];
		uint32_t t2 = (ror(a, 2) ^ ror(a, 13) ^ ror(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
		k = g;
		g = f;
		f = e;
		e = d + t1;
		d = c;
		c = b;
		b = a;
		a = t1 + t2;
	}
	h[0] += a;
	h[1] += b;
	h[2] += c;
	h[3] += d;
	h[4] += e;
	h[5] += f;
	h[6] += g;
	h[7] += k;
}

#ifdef SP_SHA_NI
/* The SHA extensions with the SSSE3 and SSE4.1 the shuffles and blends
 * below need, as glibc read them at start-up (<sys/platform/x86.h>,
 * CPU_FEATURE_ACTIVE: glibc 2.34 and later). Not CPUID here: under a
 * hypervisor each CPUID exits to it (7-14 us on the bench machine, more
 * than the rounds it would save). */
static bool cpu_has_sha_ni(void)
{
	return CPU_FEATURE_ACTIVE(SHA) && CPU_FEATURE_ACTIVE(SSSE3) && CPU_FEATURE_ACTIVE(SSE4_1);
}

/* One block with the SHA extensions (Intel's "New Instructions Supporting
 * the Secure Hash Algorithm on Intel Architecture Processors", 2013): the
 * state is kept as two vectors, ABEF and CDGH, and each SHA256RNDS2 does
 * two rounds, turning CDGH into the next ABEF. The message schedule is
 * computed four words at a time: W[t..t+3] = MSG2(MSG1(W[t-16..], W[t-12..])
 * + W[t-7..t-4], W[t-4..t-1]). */
__attribute__((target("sha,sse4.1,ssse3"))) static void block_ni(uint32_t h[8], const uint8_t *p)
{
	const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bll, 0x0405060700010203ll);
	__m128i dcba = _mm_loadu_si128((const __m128i *)&h[0]);
	__m128i hgfe = _mm_loadu_si128((const __m128i *)&h[4]);
	__m128i cdab = _mm_shuffle_epi32(dcba, 0xb1), efgh = _mm_shuffle_epi32(hgfe, 0x1b);
	__m128i abef = _mm_alignr_epi8(cdab, efgh, 8), cdgh = _mm_blend_epi16(efgh, cdab, 0xf0);
	__m128i abef0 = abef, cdgh0 = cdgh, w[4];

	for (int i = 0; i < 16; i++) {
		__m128i m, k;
		if (i < 4) {
			m = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 16 * i)), bswap);
		} else {
			/* w[i & 3] holds W[4i-16..], w[(i+1) & 3] W[4i-12..],
			 * w[(i+2) & 3] W[4i-8..], w[(i+3) & 3] W[4i-4..] */
			m = _mm_sha256msg1_epu32(w[i & 3], w[(i + 1) & 3]);
			m = _mm_add_epi32(m, _mm_alignr_epi8(w[(i + 3) & 3], w[(i + 2) & 3], 4));
			m = _mm_sha256msg2_epu32(m, w[(i + 3) & 3]);
		}
		w[i & 3] = m;
		k = _mm_add_epi32(m, _mm_loadu_si128((const __m128i *)&K[4 * i]));
		cdgh = _mm_sha256rnds2_epu32(cdgh, abef, k);
		abef = _mm_sha256rnds2_epu32(abef, cdgh, _mm_shuffle_epi32(k, 0x0e));
	}
	abef = _mm_add_epi32(abef, abef0);
	cdgh = _mm_add_epi32(cdgh, cdgh0);
	/* back to h[0..7] = A..H */
	__m128i feba = _mm_shuffle_epi32(abef, 0x1b), dchg = _mm_shuffle_epi32(cdgh, 0xb1);
	_mm_storeu_si128((__m128i *)&h[0], _mm_blend_epi16(feba, dchg, 0xf0));
	_mm_storeu_si128((__m128i *)&h[4], _mm_alignr_epi8(dchg, feba, 8));
}
#else
static bool cpu_has_sha_ni(void)
{
	return false;
}

static void block_ni(uint32_t h[8], const uint8_t *p)
{
	block(h, p);
}
#endif

static void next_block(struct sp_sha256 *s, const uint8_t *p)
{
	if (s->ni)
		block_ni(s->h, p);
	else
		block(s->h, p);
}

void sp_sha256_init(struct sp_sha256 *s)
{
	static const uint32_t iv[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
					0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };

	memcpy(s->h, iv, sizeof(iv));
	s->total = 0;
	s->fill = 0;
	s->ni = cpu_has_sha_ni();
}

void sp_sha256_update(struct sp_sha256 *s, const void *data, size_t len)
{
	const uint8_t *p = data;

	s->total += len;
	if (s->fill) {
		size_t take = 64 - s->fill < len ? 64 - s->fill : len;
		memcpy(s->buf + s->fill, p, take);
		s->fill += take;
		p += take;
		len -= take;
		if (s->fill < 64)
			return;
		next_block(s, s->buf);
		s->fill = 0;
	}
	for (; len >= 64; p += 64, len -= 64)
		next_block(s, p);
	memcpy(s->buf, p, len);
	s->fill = len;
}

void sp_sha256_final(struct sp_sha256 *s, uint8_t out[SP_SHA256_SIZE])
{
	uint64_t bits = s->total * 8;
	uint8_t pad[72] = { 0x80 };
	size_t n = (s->fill < 56 ? 56 : 120) - s->fill;

	for (int i = 0; i < 8; i++)
		pad[n + (size_t)i] = (uint8_t)(bits >> (56 - 8 * i));
	sp_sha256_update(s, pad, n + 8);
	for (int i = 0; i < 8; i++) {
		out[4 * i] = (uint8_t)(s->h[i] >> 24);
		out[4 * i + 1] = (uint8_t)(s->h[i] >> 16);
		out[4 * i + 2] = (uint8_t)(s->h[i] >> 8);
		out[4 * i + 3] = (uint8_t)s->h[i];
	}
}

void sp_sha256(const void *data, size_t n, uint8_t out[SP_SHA256_SIZE])
{
	struct sp_sha256 s;

	sp_sha256_init(&s);
	sp_sha256_update(&s, data, n);
	sp_sha256_final(&s, out);
}
