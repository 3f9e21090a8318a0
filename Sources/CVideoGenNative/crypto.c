/* HMAC-SHA256 and ED25519 verification through OpenSSL's libcrypto (see include/videogen_crypto.h). */
#include "videogen_crypto.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

static const uint8_t empty_input[1] = { 0 };

int videogen_hmac_sha256(const uint8_t *key, size_t key_len, const uint8_t *data, size_t data_len, uint8_t out[32]) {
    if (out == NULL || (key == NULL && key_len != 0) || (data == NULL && data_len != 0) || key_len > (size_t)INT32_MAX) {
        return -1;
    }
    unsigned int written = 0;
    const uint8_t *result = HMAC(EVP_sha256(), key != NULL ? key : empty_input, (int)key_len,
                                 data != NULL ? data : empty_input, data_len, out, &written);
    return result != NULL && written == 32 ? 0 : -1;
}

int videogen_ed25519_verify(const uint8_t public_key[32], const uint8_t *message, size_t message_len,
                            const uint8_t signature[64]) {
    if (public_key == NULL || signature == NULL || (message == NULL && message_len != 0)) {
        return -1;
    }
    EVP_PKEY *key = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, public_key, 32);
    if (key == NULL) {
        return -1;
    }
    EVP_MD_CTX *context = EVP_MD_CTX_new();
    int verdict = -1;
    if (context != NULL && EVP_DigestVerifyInit(context, NULL, NULL, NULL, key) == 1) {
        /* ED25519 is one-shot: EVP_DigestVerify, never the Update/Final pair. 1 valid, 0 invalid, <0 error. */
        int result = EVP_DigestVerify(context, signature, 64, message != NULL ? message : empty_input, message_len);
        verdict = result == 1 ? 1 : 0;
    }
    EVP_MD_CTX_free(context);
    EVP_PKEY_free(key);
    return verdict;
}
