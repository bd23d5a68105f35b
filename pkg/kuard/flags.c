#include "kuard/flags.h"

#include <cjson/cJSON.h> /* the startup config dump */
#include <stddef.h> /* offsetof */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/cleanup.h"
#include "util/xalloc.h"

enum flag_type { FLAG_BOOL, FLAG_INT, FLAG_STRING };

struct flag_def {
    const char *name;
    enum flag_type type;
    size_t offset; /* into struct kj_kuard_flags */
    const char *usage;
};

#define F(field) offsetof(struct kj_kuard_flags, field)

/* Sorted by name, as pflag prints them. */
static const struct flag_def flag_defs[] = {
    {"address", FLAG_STRING, F(address), "The address to serve on"},
    {"debug", FLAG_BOOL, F(debug), "Debug/devel mode"},
    {"debug-sitedata-dir", FLAG_STRING, F(debug_sitedata_dir),
     "When in debug/dev mode, directory to find the static assets."},
    {"keygen-enable", FLAG_BOOL, F(keygen.enable), "Enable KeyGen workload"},
    {"keygen-exit-code", FLAG_INT, F(keygen.exit_code), "Exit code when workload complete"},
    {"keygen-exit-on-complete", FLAG_BOOL, F(keygen.exit_on_complete),
     "Exit after workload is complete"},
    {"keygen-memq-queue", FLAG_STRING, F(keygen.memq_queue),
     "The MemQ server queue to use. If MemQ is used, other limits are ignored."},
    {"keygen-memq-server", FLAG_STRING, F(keygen.memq_server),
     "The MemQ server to draw work items from.  If MemQ is used, other limits are ignored."},
    {"keygen-num-to-gen", FLAG_INT, F(keygen.num_to_gen),
     "The number of keys to generate. Set to 0 for infinite"},
    {"keygen-time-to-run", FLAG_INT, F(keygen.time_to_run),
     "The target run time in seconds. Set to 0 for infinite"},
    {"liveness-fail-next", FLAG_INT, F(liveness_fail_next),
     "Fail the next N probes. 0 is succeed forever. <0 is fail forever."},
    {"readiness-fail-next", FLAG_INT, F(readiness_fail_next),
     "Fail the next N probes. 0 is succeed forever. <0 is fail forever."},
    {"tls-address", FLAG_STRING, F(tls_address), "The address to serve on for TLS"},
    {"tls-dir", FLAG_STRING, F(tls_dir),
     "The directory to find the TLS certs (kuard.crt and kuard.key)"},
};
#undef F

#define N_FLAGS (sizeof(flag_defs) / sizeof(flag_defs[0]))

/* The default shown by the usage text; NULL means the type's zero value
 * (which pflag does not print). */
static const char *flag_default(const struct flag_def *d)
{
    if (strcmp(d->name, "address") == 0)
        return ":8080";
    if (strcmp(d->name, "tls-address") == 0)
        return ":8443";
    if (strcmp(d->name, "tls-dir") == 0)
        return "/tls";
    if (strcmp(d->name, "debug-sitedata-dir") == 0)
        return "./sitedata";
    return NULL;
}

void kj_kuard_keygen_config_init(struct kj_kuard_keygen_config *c)
{
    memset(c, 0, sizeof(*c));
    c->memq_server = xstrdup("");
    c->memq_queue = xstrdup("");
}

void kj_kuard_keygen_config_copy(struct kj_kuard_keygen_config *dst,
                                 const struct kj_kuard_keygen_config *src)
{
    *dst = *src;
    dst->memq_server = xstrdup(src->memq_server);
    dst->memq_queue = xstrdup(src->memq_queue);
}

void kj_kuard_keygen_config_free(struct kj_kuard_keygen_config *c)
{
    free(c->memq_server);
    free(c->memq_queue);
    c->memq_server = NULL;
    c->memq_queue = NULL;
}

void kj_kuard_flags_init(struct kj_kuard_flags *f)
{
    memset(f, 0, sizeof(*f));
    kj_kuard_keygen_config_init(&f->keygen);
    f->address = xstrdup(":8080");
    f->tls_address = xstrdup(":8443");
    f->tls_dir = xstrdup("/tls");
    f->debug_sitedata_dir = xstrdup("./sitedata");
}

void kj_kuard_flags_free(struct kj_kuard_flags *f)
{
    kj_kuard_keygen_config_free(&f->keygen);
    free(f->address);
    free(f->tls_address);
    free(f->tls_dir);
    free(f->debug_sitedata_dir);
    f->address = f->tls_address = f->tls_dir = f->debug_sitedata_dir = NULL;
}

int kj_kuard_parse_bool(const char *s, bool *out)
{
    static const char *const yes[] = {"1", "t", "T", "TRUE", "true", "True"};
    static const char *const no[] = {"0", "f", "F", "FALSE", "false", "False"};
    for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
        if (strcmp(s, yes[i]) == 0) {
            *out = true;
            return 0;
        }
        if (strcmp(s, no[i]) == 0) {
            *out = false;
            return 0;
        }
    }
    return -1;
}

static int digit_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'Z')
        return c - 'A' + 10;
    return 99;
}

/* Go 1.12 strconv.ParseInt(s, 0, 64): optional sign, then "0x"/"0X" hex,
 * a leading "0" octal, or decimal; no spaces, no underscores. */
int kj_kuard_parse_int(const char *s, long long *out)
{
    const char *p = s;
    bool neg = false;
    *out = 0;
    if (*p == '+' || *p == '-') {
        neg = *p == '-';
        p++;
    }
    unsigned base = 10;
    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
        base = 16;
        p += 2;
    } else if (p[0] == '0') {
        base = 8;
    }
    if (*p == '\0')
        return -1;
    uint64_t v = 0;
    bool overflow = false;
    for (; *p != '\0'; p++) {
        int d = digit_value(*p);
        if (d >= (int)base)
            return -1;
        if (v > (UINT64_MAX - (uint64_t)d) / base)
            overflow = true;
        else
            v = v * base + (uint64_t)d;
    }
    uint64_t limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    if (overflow || v > limit) {
        *out = neg ? INT64_MIN : INT64_MAX;
        return -2;
    }
    *out = neg ? (long long)(0 - v) : (long long)v;
    return 0;
}

/* Go's %q for the error texts: quotes, with backslash escapes for `"`, `\`
 * and bytes that are not printable ASCII. Owned result; aborts on OOM. */
static char *go_quote(const char *s)
{
    size_t n = strlen(s);
    char *out = xmalloc(n * 4 + 3);
    char *o = out;
    *o++ = '"';
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
        if (*p == '"' || *p == '\\') {
            *o++ = '\\';
            *o++ = (char)*p;
        } else if (*p == '\n') {
            *o++ = '\\';
            *o++ = 'n';
        } else if (*p == '\t') {
            *o++ = '\\';
            *o++ = 't';
        } else if (*p < 0x20 || *p >= 0x7f) {
            static const char hex[] = "0123456789abcdef";
            *o++ = '\\';
            *o++ = 'x';
            *o++ = hex[*p >> 4];
            *o++ = hex[*p & 0xf];
        } else {
            *o++ = (char)*p;
        }
    }
    *o++ = '"';
    *o = '\0';
    return out;
}

static const struct flag_def *flag_find(const char *name, size_t len)
{
    for (size_t i = 0; i < N_FLAGS; i++) {
        if (strlen(flag_defs[i].name) == len && memcmp(flag_defs[i].name, name, len) == 0)
            return &flag_defs[i];
    }
    return NULL;
}

static int flag_set(struct kj_kuard_flags *f, const struct flag_def *d, const char *value,
                    kj_error_t *err)
{
    char *field = (char *)f + d->offset;
    const char *why = NULL;
    switch (d->type) {
    case FLAG_BOOL: {
        bool b;
        if (kj_kuard_parse_bool(value, &b) < 0)
            why = "strconv.ParseBool";
        else
            *(bool *)(void *)field = b;
        break;
    }
    case FLAG_INT: {
        long long v;
        int rc = kj_kuard_parse_int(value, &v);
        if (rc == -1)
            why = "strconv.ParseInt";
        else if (rc == -2)
            why = "range";
        else
            *(long long *)(void *)field = v;
        break;
    }
    case FLAG_STRING: {
        char **sp = (char **)(void *)field;
        free(*sp);
        *sp = xstrdup(value);
        break;
    }
    default:
        kj_assert(!"unknown flag type");
    }
    if (why == NULL)
        return 0;
    cleanup_free char *qv = go_quote(value);
    if (strcmp(why, "range") == 0)
        return kj_make_error(err, 0,
                             "invalid argument %s for \"--%s\" flag: strconv.ParseInt: parsing "
                             "%s: value out of range",
                             qv, d->name, qv);
    return kj_make_error(err, 0, "invalid argument %s for \"--%s\" flag: %s: parsing %s: invalid syntax",
                         qv, d->name, why, qv);
}

/* One `--...` argument; *i is advanced past a consumed value. */
static int parse_long(struct kj_kuard_flags *f, int argc, char *const *argv, int *i,
                      kj_error_t *err)
{
    const char *s = argv[*i];
    const char *name = s + 2;
    if (name[0] == '-' || name[0] == '=')
        return kj_make_error(err, 0, "bad flag syntax: %s", s);
    const char *eq = strchr(name, '=');
    size_t name_len = eq != NULL ? (size_t)(eq - name) : strlen(name);
    const struct flag_def *d = flag_find(name, name_len);
    if (d == NULL) {
        if (name_len == 4 && memcmp(name, "help", 4) == 0)
            return KJ_KUARD_FLAGS_HELP;
        return kj_make_error(err, 0, "unknown flag: --%.*s", (int)name_len, name);
    }
    const char *value;
    if (eq != NULL)
        value = eq + 1;
    else if (d->type == FLAG_BOOL)
        value = "true";
    else if (*i + 1 < argc && argv[*i + 1] != NULL)
        value = argv[++*i];
    else
        return kj_make_error(err, 0, "flag needs an argument: %s", s);
    return flag_set(f, d, value, err);
}

int kj_kuard_flags_parse(struct kj_kuard_flags *f, int argc, char *const *argv, kj_error_t *err)
{
    for (int i = 1; i < argc && argv[i] != NULL; i++) {
        const char *s = argv[i];
        if (s[0] != '-' || s[1] == '\0')
            continue; /* positional: allowed anywhere, ignored */
        if (s[1] == '-') {
            if (s[2] == '\0')
                return 0; /* `--` ends the flags */
            int rc = parse_long(f, argc, argv, &i, err);
            if (rc != 0)
                return rc;
            continue;
        }
        /* Single dash: shorthand flags, and kuard defines none, so only
         * pflag's built-in -h does anything. */
        if (s[1] == 'h')
            return KJ_KUARD_FLAGS_HELP;
        char c[2] = {s[1], '\0'};
        cleanup_free char *qc = go_quote(c);
        qc[0] = qc[strlen(qc) - 1] = '\'';
        return kj_make_error(err, 0, "unknown shorthand flag: %s in %s", qc, s);
    }
    return 0;
}

char *kj_kuard_flags_usage(const char *argv0)
{
    char *lefts[N_FLAGS];
    size_t maxlen = 0;
    for (size_t i = 0; i < N_FLAGS; i++) {
        const struct flag_def *d = &flag_defs[i];
        const char *tname = d->type == FLAG_INT ? " int" : d->type == FLAG_STRING ? " string" : "";
        lefts[i] = xasprintf("      --%s%s", d->name, tname);
        if (strlen(lefts[i]) > maxlen)
            maxlen = strlen(lefts[i]);
    }
    char *out = xasprintf("Usage of %s:\n", argv0);
    for (size_t i = 0; i < N_FLAGS; i++) {
        const struct flag_def *d = &flag_defs[i];
        const char *def = flag_default(d);
        cleanup_free char *qdef = def != NULL ? go_quote(def) : NULL;
        char *next = xasprintf("%s%s %*s %s%s%s%s\n", out, lefts[i], (int)(maxlen - strlen(lefts[i])),
                               "", d->usage, qdef ? " (default " : "", qdef ? qdef : "",
                               qdef ? ")" : "");
        free(out);
        free(lefts[i]);
        out = next;
    }
    return out;
}

char *kj_kuard_flags_config_json(const struct kj_kuard_flags *f)
{
    cleanup_cjson cJSON *root = cJSON_CreateObject();
    cJSON *kg = cJSON_CreateObject();
    cJSON *live = cJSON_CreateObject();
    cJSON *ready = cJSON_CreateObject();
    if (root == NULL || kg == NULL || live == NULL || ready == NULL) {
        cJSON_Delete(kg);
        cJSON_Delete(live);
        cJSON_Delete(ready);
        return NULL;
    }
    /* Insertion order is output order: keep it sorted, as Go prints maps. */
    cJSON_AddStringToObject(root, "address", f->address);
    cJSON_AddBoolToObject(root, "debug", f->debug);
    cJSON_AddStringToObject(root, "debug-sitedata-dir", f->debug_sitedata_dir);
    cJSON_AddItemToObject(root, "keygen", kg);
    cJSON_AddBoolToObject(kg, "enable", f->keygen.enable);
    cJSON_AddNumberToObject(kg, "exit-code", (double)f->keygen.exit_code);
    cJSON_AddBoolToObject(kg, "exit-on-complete", f->keygen.exit_on_complete);
    cJSON_AddStringToObject(kg, "memq-queue", f->keygen.memq_queue);
    cJSON_AddStringToObject(kg, "memq-server", f->keygen.memq_server);
    cJSON_AddNumberToObject(kg, "num-to-gen", (double)f->keygen.num_to_gen);
    cJSON_AddNumberToObject(kg, "time-to-run", (double)f->keygen.time_to_run);
    cJSON_AddItemToObject(root, "liveness", live);
    cJSON_AddNumberToObject(live, "fail-next", (double)f->liveness_fail_next);
    cJSON_AddItemToObject(root, "readiness", ready);
    cJSON_AddNumberToObject(ready, "fail-next", (double)f->readiness_fail_next);
    cJSON_AddStringToObject(root, "tls-address", f->tls_address);
    cJSON_AddStringToObject(root, "tls-dir", f->tls_dir);

    cleanup_free char *tabbed = cJSON_Print(root);
    if (tabbed == NULL)
        return NULL;
    /* cJSON indents with tabs and separates keys with ":\t"; Go's
     * MarshalIndent uses two spaces and ": ". Raw tabs only occur as
     * formatting (tabs inside strings are escaped), so a byte rewrite is safe. */
    size_t tabs = 0;
    for (const char *p = tabbed; *p != '\0'; p++)
        tabs += *p == '\t';
    char *out = malloc(strlen(tabbed) + tabs + 1);
    if (out == NULL)
        return NULL;
    char *o = out;
    for (const char *p = tabbed; *p != '\0'; p++) {
        if (*p != '\t') {
            *o++ = *p;
        } else if (p > tabbed && p[-1] == ':') {
            *o++ = ' ';
        } else {
            *o++ = ' ';
            *o++ = ' ';
        }
    }
    *o = '\0';
    return out;
}
