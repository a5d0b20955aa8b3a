/* secret.c - random tokens, SHA-256, constant-time comparison. */
#include "base/secret.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "base/log.h"

void secret_init(void)
{
    if (sodium_init() < 0) {
        fprintf(stderr, "kechuang: libsodium cannot be initialised\n");
        abort();
    }
}

size_t secret_b64_len(size_t n_bytes)
{
    return sodium_base64_ENCODED_LEN(n_bytes,
                                     sodium_base64_VARIANT_URLSAFE_NO_PADDING) -
           1;
}

void secret_random_b64(char *out, size_t out_cap, size_t n_bytes)
{
    unsigned char raw[64];

    secret_init();
    if (n_bytes > sizeof raw || out_cap < secret_b64_len(n_bytes) + 1) {
        log_error("secret_random_b64: bad sizes");
        abort();
    }
    randombytes_buf(raw, n_bytes);
    sodium_bin2base64(out, out_cap, raw, n_bytes,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof raw);
}

void secret_sha256_hex(const void *p, size_t n, char out[SECRET_HASH_HEX])
{
    unsigned char h[crypto_hash_sha256_BYTES];

    crypto_hash_sha256(h, p, n);
    sodium_bin2hex(out, SECRET_HASH_HEX, h, sizeof h);
}

void secret_random_password(char *out, size_t n)
{
    static const char alphabet[] = "abcdefghijkmnpqrstuvwxyz"
                                   "ABCDEFGHJKLMNPQRSTUVWXYZ"
                                   "23456789";
    size_t i;
    int letters;
    int digits;

    secret_init();
    do {
        letters = digits = 0;
        for (i = 0; i < n; i++) {
            char ch = alphabet[randombytes_uniform(sizeof alphabet - 1)];
            out[i] = ch;
            if (ch >= '2' && ch <= '9') {
                digits++;
            } else {
                letters++;
            }
        }
        out[n] = '\0';
    } while (n >= 2 && (letters == 0 || digits == 0));
}

int secret_equal(const char *a, const char *b)
{
    size_t n = strlen(a);

    if (strlen(b) != n) {
        return 0;
    }
    return sodium_memcmp(a, b, n) == 0;
}
