/* The two primitives webhook verification needs (Sources/VideoGen/Webhooks), from the system's OpenSSL libcrypto:
 * HMAC-SHA256 (Standard Webhooks, Vidu, OpenRouter) and ED25519 signature verification (fal). No cryptography is
 * written here: both calls go straight to libcrypto's one-shot APIs. Nothing here is exported from libvideogen.so
 * (exports.map). */
#ifndef VIDEOGEN_CRYPTO_H
#define VIDEOGEN_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** HMAC-SHA256 of `data` under `key` into `out` (32 bytes). Returns 0 on success, -1 when libcrypto fails. A NULL
 *  pointer with a zero length is an empty input. */
int videogen_hmac_sha256(const uint8_t *key, size_t key_len, const uint8_t *data, size_t data_len, uint8_t out[32]);

/** 1 when `signature` (64 bytes) is a valid ED25519 signature of `message` under the raw 32-byte `public_key`,
 *  0 when it is not, -1 when libcrypto cannot load the key. */
int videogen_ed25519_verify(const uint8_t public_key[32], const uint8_t *message, size_t message_len,
                            const uint8_t signature[64]);

#ifdef __cplusplus
}
#endif

#endif
