/* SHA-256 compression (FIPS 180-4): portable C, and the x86-64 SHA extensions (SHA-NI) chosen at run time.
 * See include/videogen_sha256.h. */
#include "videogen_sha256.h"

#if defined(__x86_64__) || defined(__i386__)
#define VG_SHA_X86 1
#include <cpuid.h>
#include <immintrin.h>
#endif

static const uint32_t K[64] __attribute__((aligned(16))) = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

/* ---- Portable implementation. ---- */

#define ROTR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))
#define BSIG0(x) (ROTR(x, 2) ^ ROTR(x, 13) ^ ROTR(x, 22))
#define BSIG1(x) (ROTR(x, 6) ^ ROTR(x, 11) ^ ROTR(x, 25))
#define SSIG0(x) (ROTR(x, 7) ^ ROTR(x, 18) ^ ((x) >> 3))
#define SSIG1(x) (ROTR(x, 17) ^ ROTR(x, 19) ^ ((x) >> 10))
#define CH(x, y, z) (((x) & (y)) ^ (~(x) & (z)))
#define MAJ(x, y, z) (((x) & (y)) ^ ((x) & (z)) ^ ((y) & (z)))

static inline uint32_t load_be32(const uint8_t *p) {
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

/* One round with the working variables named in rotated order, so that no variable is ever moved. */
#define ROUND(a, b, c, d, e, f, g, h, t)                                  \
    do {                                                                  \
        uint32_t t1 = (h) + BSIG1(e) + CH(e, f, g) + K[t] + w[(t) & 15];  \
        (d) += t1;                                                        \
        (h) = t1 + BSIG0(a) + MAJ(a, b, c);                               \
    } while (0)

/* w[t & 15] becomes W[t] for t >= 16 (a 16-word sliding window of the schedule). */
#define SCHEDULE(t) \
    (w[(t) & 15] += SSIG1(w[((t) - 2) & 15]) + w[((t) - 7) & 15] + SSIG0(w[((t) - 15) & 15]))

void videogen_sha256_blocks_portable(videogen_sha256_state *state, const uint8_t *data, size_t blocks) {
    uint32_t *hs = state->h;
    while (blocks-- > 0) {
        uint32_t w[16];
        for (int i = 0; i < 16; i++) w[i] = load_be32(data + 4 * i);
        uint32_t a = hs[0], b = hs[1], c = hs[2], d = hs[3], e = hs[4], f = hs[5], g = hs[6], h = hs[7];
        for (int t = 0; t < 64; t += 8) {
            if (t >= 16) {
                for (int i = 0; i < 8; i++) SCHEDULE(t + i);
            }
            ROUND(a, b, c, d, e, f, g, h, t + 0);
            ROUND(h, a, b, c, d, e, f, g, t + 1);
            ROUND(g, h, a, b, c, d, e, f, t + 2);
            ROUND(f, g, h, a, b, c, d, e, t + 3);
            ROUND(e, f, g, h, a, b, c, d, t + 4);
            ROUND(d, e, f, g, h, a, b, c, t + 5);
            ROUND(c, d, e, f, g, h, a, b, t + 6);
            ROUND(b, c, d, e, f, g, h, a, t + 7);
        }
        hs[0] += a; hs[1] += b; hs[2] += c; hs[3] += d;
        hs[4] += e; hs[5] += f; hs[6] += g; hs[7] += h;
        data += 64;
    }
}

/* ---- x86-64 SHA extensions. ---- */

#ifdef VG_SHA_X86

/* The state is kept as two vectors, ABEF and CDGH, the layout sha256rnds2 works on. Each quad-round adds four
 * schedule words to their constants and runs two double rounds; sha256msg1/msg2 extend the schedule four words at
 * a time, in the 4-vector window m0...m3. */
#define QUAD_ROUNDS(q, cur)                                                              \
    msg = _mm_add_epi32(cur, _mm_load_si128((const __m128i *)&K[4 * (q)]));              \
    cdgh = _mm_sha256rnds2_epu32(cdgh, abef, msg);                                       \
    msg = _mm_shuffle_epi32(msg, 0x0E);                                                  \
    abef = _mm_sha256rnds2_epu32(abef, cdgh, msg)

/* Quad-round q with schedule work: next = W[4(q+1)...] from cur and prev (msg2), and msg1 on prev. */
#define QUAD_ROUNDS_SCHEDULE(q, prev, cur, next, do_msg2, do_msg1)                      \
    msg = _mm_add_epi32(cur, _mm_load_si128((const __m128i *)&K[4 * (q)]));              \
    cdgh = _mm_sha256rnds2_epu32(cdgh, abef, msg);                                       \
    if (do_msg2) {                                                                       \
        next = _mm_add_epi32(next, _mm_alignr_epi8(cur, prev, 4));                       \
        next = _mm_sha256msg2_epu32(next, cur);                                          \
    }                                                                                    \
    msg = _mm_shuffle_epi32(msg, 0x0E);                                                  \
    abef = _mm_sha256rnds2_epu32(abef, cdgh, msg);                                       \
    if (do_msg1) prev = _mm_sha256msg1_epu32(prev, cur)

__attribute__((target("sha,sse4.1,ssse3")))
void videogen_sha256_blocks_hardware(videogen_sha256_state *state, const uint8_t *data, size_t blocks) {
    const __m128i byteswap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
    __m128i abcd = _mm_loadu_si128((const __m128i *)&state->h[0]); /* lanes: A B C D (A lowest) */
    __m128i efgh = _mm_loadu_si128((const __m128i *)&state->h[4]); /* lanes: E F G H */
    abcd = _mm_shuffle_epi32(abcd, 0xB1);                           /* B A D C */
    efgh = _mm_shuffle_epi32(efgh, 0x1B);                           /* H G F E */
    __m128i abef = _mm_alignr_epi8(abcd, efgh, 8);                  /* F E B A */
    __m128i cdgh = _mm_blend_epi16(efgh, abcd, 0xF0);               /* H G D C */

    while (blocks-- > 0) {
        const __m128i abef_saved = abef, cdgh_saved = cdgh;
        __m128i msg;
        __m128i m0 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(data + 0)), byteswap);
        __m128i m1 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(data + 16)), byteswap);
        __m128i m2 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(data + 32)), byteswap);
        __m128i m3 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(data + 48)), byteswap);

        QUAD_ROUNDS(0, m0);
        QUAD_ROUNDS_SCHEDULE(1, m0, m1, m2, 0, 1);
        QUAD_ROUNDS_SCHEDULE(2, m1, m2, m3, 0, 1);
        QUAD_ROUNDS_SCHEDULE(3, m2, m3, m0, 1, 1);
        QUAD_ROUNDS_SCHEDULE(4, m3, m0, m1, 1, 1);
        QUAD_ROUNDS_SCHEDULE(5, m0, m1, m2, 1, 1);
        QUAD_ROUNDS_SCHEDULE(6, m1, m2, m3, 1, 1);
        QUAD_ROUNDS_SCHEDULE(7, m2, m3, m0, 1, 1);
        QUAD_ROUNDS_SCHEDULE(8, m3, m0, m1, 1, 1);
        QUAD_ROUNDS_SCHEDULE(9, m0, m1, m2, 1, 1);
        QUAD_ROUNDS_SCHEDULE(10, m1, m2, m3, 1, 1);
        QUAD_ROUNDS_SCHEDULE(11, m2, m3, m0, 1, 1);
        QUAD_ROUNDS_SCHEDULE(12, m3, m0, m1, 1, 1);
        QUAD_ROUNDS_SCHEDULE(13, m0, m1, m2, 1, 0);
        QUAD_ROUNDS_SCHEDULE(14, m1, m2, m3, 1, 0);
        QUAD_ROUNDS(15, m3);

        abef = _mm_add_epi32(abef, abef_saved);
        cdgh = _mm_add_epi32(cdgh, cdgh_saved);
        data += 64;
    }

    __m128i feba = _mm_shuffle_epi32(abef, 0x1B);         /* A B E F */
    __m128i dchg = _mm_shuffle_epi32(cdgh, 0xB1);         /* G H C D */
    abcd = _mm_blend_epi16(feba, dchg, 0xF0);             /* A B C D */
    efgh = _mm_alignr_epi8(dchg, feba, 8);                /* E F G H */
    _mm_storeu_si128((__m128i *)&state->h[0], abcd);
    _mm_storeu_si128((__m128i *)&state->h[4], efgh);
}

static int detect_hardware(void) {
    unsigned int eax, ebx, ecx, edx;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return 0;
    const int ssse3 = (ecx >> 9) & 1, sse41 = (ecx >> 19) & 1;
    if (__get_cpuid_max(0, NULL) < 7) return 0;
    __cpuid_count(7, 0, eax, ebx, ecx, edx);
    const int sha = (ebx >> 29) & 1;
    return ssse3 && sse41 && sha;
}

#else

void videogen_sha256_blocks_hardware(videogen_sha256_state *state, const uint8_t *data, size_t blocks) {
    videogen_sha256_blocks_portable(state, data, blocks);
}

static int detect_hardware(void) { return 0; }

#endif

/* 0 = not yet known, 1 = portable, 2 = hardware. Racing first calls compute the same answer. */
static int chosen;

int videogen_sha256_hardware(void) {
    int choice = __atomic_load_n(&chosen, __ATOMIC_RELAXED);
    if (choice == 0) {
        choice = detect_hardware() ? 2 : 1;
        __atomic_store_n(&chosen, choice, __ATOMIC_RELAXED);
    }
    return choice == 2;
}

void videogen_sha256_blocks(videogen_sha256_state *state, const uint8_t *data, size_t blocks) {
    if (videogen_sha256_hardware()) {
        videogen_sha256_blocks_hardware(state, data, blocks);
    } else {
        videogen_sha256_blocks_portable(state, data, blocks);
    }
}
