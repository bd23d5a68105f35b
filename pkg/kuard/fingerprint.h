/* The keygen work item: make an RSA key and name it by its OpenSSH
 * fingerprint (kuard.md §2). Uses OpenSSL libcrypto's EVP API only.
 *
 * Thread-safe (OpenSSL 3 is); CPU-bound: a 4096-bit key takes about a
 * second of one core, with a long tail.
 */
#ifndef KJ_KUARD_FINGERPRINT_H
#define KJ_KUARD_FINGERPRINT_H

#include <openssl/evp.h> /* EVP_PKEY */
#include <stddef.h>      /* size_t */

#include "util/error.h" /* kj_error_t */

/* kuard's key size. */
#define KJ_KUARD_RSA_BITS 4096

/* "SHA256:" + 43 unpadded base64 chars + NUL. */
#define KJ_KUARD_FP_SIZE 51

/* Write the OpenSSH SHA256 fingerprint of the RSA public key in `pkey`
 * (borrowed) into out: "SHA256:" + unpadded base64 of SHA-256 over the
 * ssh-rsa wire format (string "ssh-rsa", mpint e, mpint n). size must be
 * >= KJ_KUARD_FP_SIZE. Returns 0, or < 0 with *err set (not an RSA key,
 * OpenSSL failure). */
int kj_kuard_ssh_fingerprint(const EVP_PKEY *pkey, char *out, size_t size, kj_error_t *err);

/* Generate an RSA key of `bits` bits with e=65537, fingerprint it into out
 * (as above) and throw the key away. Returns 0, or < 0 with *err set; the
 * message is what follows kuard's "Error generating key: ". */
int kj_kuard_keygen_one(int bits, char *out, size_t size, kj_error_t *err);

#endif
