/* SHA-256 block compression for videogen's streaming digest (Sources/VideoGen/Download/SHA256.swift).
 * Buffering, padding and hex formatting stay in Swift; this module only runs the FIPS 180-4 compression function
 * over whole 64-byte blocks, with the x86-64 SHA extensions when the processor has them (chosen once, at run
 * time, with cpuid) and portable C otherwise. Nothing here is exported from libvideogen.so (exports.map). */
#ifndef VIDEOGEN_SHA256_H
#define VIDEOGEN_SHA256_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The eight working words H0...H7 of a SHA-256 computation. */
typedef struct videogen_sha256_state {
    uint32_t h[8];
} videogen_sha256_state;

/** Compresses `blocks` consecutive 64-byte blocks at `data` into `state`, with the fastest implementation the
 *  processor supports. */
void videogen_sha256_blocks(videogen_sha256_state *state, const uint8_t *data, size_t blocks);

/** The same with the portable implementation only (for tests and comparisons). */
void videogen_sha256_blocks_portable(videogen_sha256_state *state, const uint8_t *data, size_t blocks);

/** The same with the SHA extensions; callable only when videogen_sha256_hardware() is non-zero. */
void videogen_sha256_blocks_hardware(videogen_sha256_state *state, const uint8_t *data, size_t blocks);

/** Non-zero when this processor has the SHA extensions (x86-64 SHA-NI with SSSE3 and SSE4.1). */
int videogen_sha256_hardware(void);

#ifdef __cplusplus
}
#endif

#endif
