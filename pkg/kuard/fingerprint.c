#include "kuard/fingerprint.h"

#include <openssl/bn.h>
#include <openssl/core_names.h> /* OSSL_PKEY_PARAM_RSA_N */
#include <openssl/err.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static int openssl_error(kj_error_t *err, const char *what)
{
    char buf[256];
    unsigned long e = ERR_get_error();
    ERR_clear_error();
    if (e == 0)
        return kj_make_error(err, 0, "%s", what);
    ERR_error_string_n(e, buf, sizeof(buf));
    return kj_make_error(err, 0, "%s: %s", what, buf);
}

static void put_u32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

int kj_kuard_ssh_fingerprint(const EVP_PKEY *pkey, char *out, size_t size, kj_error_t *err)
{
    static const char type[] = "ssh-rsa";
    if (size < KJ_KUARD_FP_SIZE)
        return kj_make_error(err, 0, "fingerprint buffer too small");
    if (EVP_PKEY_get_base_id(pkey) != EVP_PKEY_RSA)
        return kj_make_error(err, 0, "not an rsa key");
    BIGNUM *n = NULL, *e = NULL;
    if (EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_N, &n) != 1 ||
        EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_E, &e) != 1) {
        BN_free(n);
        return openssl_error(err, "read rsa public key");
    }
    /* BN_bn2mpi's format is exactly SSH's mpint for a positive number:
     * uint32 big-endian length, then the magnitude with a 0x00 in front
     * when the top bit is set. */
    int elen = BN_bn2mpi(e, NULL), nlen = BN_bn2mpi(n, NULL);
    size_t wire_len = 4 + sizeof(type) - 1 + (size_t)elen + (size_t)nlen;
    unsigned char *wire = malloc(wire_len);
    if (wire == NULL) {
        BN_free(n);
        BN_free(e);
        return kj_make_error(err, ENOMEM, "fingerprint");
    }
    put_u32(wire, sizeof(type) - 1);
    memcpy(wire + 4, type, sizeof(type) - 1);
    BN_bn2mpi(e, wire + 4 + sizeof(type) - 1);
    BN_bn2mpi(n, wire + 4 + sizeof(type) - 1 + elen);
    BN_free(n);
    BN_free(e);

    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;
    int ok = EVP_Digest(wire, wire_len, md, &md_len, EVP_sha256(), NULL);
    free(wire);
    if (ok != 1)
        return openssl_error(err, "sha256");
    unsigned char b64[64];
    int b64_len = EVP_EncodeBlock(b64, md, (int)md_len);
    while (b64_len > 0 && b64[b64_len - 1] == '=')
        b64_len--; /* OpenSSH prints the base64 unpadded */
    snprintf(out, size, "SHA256:%.*s", b64_len, (const char *)b64);
    return 0;
}

int kj_kuard_keygen_one(int bits, char *out, size_t size, kj_error_t *err)
{
    /* EVP_PKEY_Q_keygen's RSA default exponent is 65537, as Go's. */
    EVP_PKEY *pkey = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)bits);
    if (pkey == NULL)
        return openssl_error(err, "rsa key generation failed");
    int rc = kj_kuard_ssh_fingerprint(pkey, out, size, err);
    EVP_PKEY_free(pkey);
    return rc;
}
