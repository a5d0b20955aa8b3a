/* secret.h - random tokens and their stored form.
 *
 * Tokens are base64url (no padding) of random bytes from libsodium; the
 * database keeps only their SHA-256 in lower-case hex. */
#ifndef KC_DOMAIN_SECRET_H
#define KC_DOMAIN_SECRET_H

#include <stddef.h>

#define SECRET_HASH_HEX 65 /* 64 hex digits + NUL */

/* Initialise libsodium once (safe to call often; aborts if it cannot). */
void secret_init(void);

/* Fill out with the base64url text of n_bytes random bytes. out must hold
 * at least secret_b64_len(n_bytes) + 1 bytes. */
void secret_random_b64(char *out, size_t out_cap, size_t n_bytes);
size_t secret_b64_len(size_t n_bytes);

/* SHA-256 of n bytes at p in hex. */
void secret_sha256_hex(const void *p, size_t n, char out[SECRET_HASH_HEX]);

/* Random password of n characters (letters and digits, at least one of
 * each; no look-alikes 0/O/1/l/I). out holds n + 1 bytes. */
void secret_random_password(char *out, size_t n);

/* Constant-time comparison of two NUL-terminated strings of equal length;
 * 0 when different lengths. */
int secret_equal(const char *a, const char *b);

#endif
