/* kuard's command line, parsed with spf13/pflag's rules (kuard.md §1).
 *
 *   struct kj_kuard_flags f;
 *   kj_kuard_flags_init(&f);
 *   int rc = kj_kuard_flags_parse(&f, argc, argv, &err);
 *   if (rc != 0) { print err->msg (if rc < 0) and kj_kuard_flags_usage(); exit(2); }
 *   ...
 *   kj_kuard_flags_free(&f);
 *
 * The parser never prints and never exits: the caller (cmd/kuard) does both,
 * so the parser can be unit-tested and fuzzed. Syntax: `--name=value`,
 * `--name value` (non-bools only), bare `--bool`, `--bool=false`; bools follow
 * Go's strconv.ParseBool, ints Go's strconv.ParseInt with base 0; positional
 * arguments anywhere are ignored; `--` ends the flags. Pure: no I/O, no globals.
 */
#ifndef KJ_KUARD_FLAGS_H
#define KJ_KUARD_FLAGS_H

#include <stdbool.h> /* bool */

#include "util/error.h" /* kj_error_t */

/* What the keygen workload runs (kuard's keygen.Config; also the body of
 * PUT /keygen). Strings are never NULL once initialised. */
struct kj_kuard_keygen_config {
    bool enable;
    bool exit_on_complete;
    long long exit_code;
    long long num_to_gen;  /* <= 0: unlimited */
    long long time_to_run; /* seconds; <= 0: unlimited */
    char *memq_server;     /* owned */
    char *memq_queue;      /* owned */
};

/* Set all fields to zero and both strings to "". Aborts on OOM (tiny). */
void kj_kuard_keygen_config_init(struct kj_kuard_keygen_config *c);
/* Deep copy of src into *dst (dst uninitialised or freed). Aborts on OOM. */
void kj_kuard_keygen_config_copy(struct kj_kuard_keygen_config *dst,
                                 const struct kj_kuard_keygen_config *src);
/* Free the strings; *c may be re-initialised afterwards. */
void kj_kuard_keygen_config_free(struct kj_kuard_keygen_config *c);

struct kj_kuard_flags {
    struct kj_kuard_keygen_config keygen;
    char *address;            /* owned; default ":8080" */
    char *tls_address;        /* owned; default ":8443" */
    char *tls_dir;            /* owned; default "/tls" */
    char *debug_sitedata_dir; /* owned; default "./sitedata" */
    bool debug;
    long long liveness_fail_next;
    long long readiness_fail_next;
};

/* Returned by kj_kuard_flags_parse() for `--help`/`-h` (err untouched). */
#define KJ_KUARD_FLAGS_HELP 1

/* Fill *f with kuard's defaults. Aborts on OOM. */
void kj_kuard_flags_init(struct kj_kuard_flags *f);

/* Parse argv[1..argc-1] into *f (initialised by kj_kuard_flags_init()).
 * Returns 0, KJ_KUARD_FLAGS_HELP, or < 0 with *err holding pflag's error
 * text (e.g. "unknown flag: --foo"). On failure *f is still valid to free,
 * possibly with some flags already applied. */
int kj_kuard_flags_parse(struct kj_kuard_flags *f, int argc, char *const *argv, kj_error_t *err);

/* Free the strings of *f. */
void kj_kuard_flags_free(struct kj_kuard_flags *f);

/* pflag's usage text ("Usage of <argv0>:\n" and one line per flag).
 * Returns an owned string; aborts on OOM. */
char *kj_kuard_flags_usage(const char *argv0);

/* The startup "Config: " dump: Go's json.MarshalIndent of viper's settings,
 * keys sorted, two-space indent, no trailing newline. Owned; NULL on OOM. */
char *kj_kuard_flags_config_json(const struct kj_kuard_flags *f);

/* Go strconv.ParseBool. Returns 0, or -1 when s is not a Go bool. */
int kj_kuard_parse_bool(const char *s, bool *out);

/* Go strconv.ParseInt(s, 0, 64). Returns 0, -1 for invalid syntax, -2 for
 * out of range (then *out is clamped, as Go does). */
int kj_kuard_parse_int(const char *s, long long *out);

#endif
