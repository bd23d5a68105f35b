/* Entry points: size limit, JSON fast path, YAML through libyaml's event
 * parser (the event -> cJSON work is in yaml_build.c). */
#include "api/yaml.h"

#include <errno.h> /* ENOMEM */
#include <math.h>  /* isfinite */
#include <string.h>

#include "api/yaml-internal.h"
#include "util/cleanup.h"

static bool is_json_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static size_t skip_bom(const char *buf, size_t len)
{
    return len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;
}

static bool looks_like_json(const char *buf, size_t len)
{
    for (size_t i = skip_bom(buf, len); i < len; i++) {
        if (!is_json_space(buf[i]))
            return buf[i] == '{' || buf[i] == '[';
    }
    return false;
}

static void line_col(const char *buf, size_t offset, size_t *line, size_t *col)
{
    *line = 1;
    *col = 1;
    for (size_t i = 0; i < offset; i++) {
        if (buf[i] == '\n') {
            (*line)++;
            *col = 1;
        } else {
            (*col)++;
        }
    }
}

static int json_fail_at(const char *buf, size_t len, size_t offset, const char *what,
                        kj_error_t *err)
{
    size_t line, col;
    line_col(buf, offset, &line, &col);
    if (offset >= len)
        return kj_make_http_error(err, 400,
                                  "error decoding JSON: line %zu, column %zu: unexpected end of "
                                  "input",
                                  line, col);
    unsigned char c = (unsigned char)buf[offset];
    if (what != NULL)
        return kj_make_http_error(err, 400, "error decoding JSON: line %zu, column %zu: %s", line,
                                  col, what);
    if (c >= 0x21 && c < 0x7f)
        return kj_make_http_error(err, 400,
                                  "error decoding JSON: line %zu, column %zu: invalid character "
                                  "'%c'",
                                  line, col, c);
    return kj_make_http_error(err, 400,
                              "error decoding JSON: line %zu, column %zu: invalid character "
                              "0x%02x",
                              line, col, c);
}

/* Go's decoder (which the API server runs) keeps the last of repeated keys
 * and cJSON's lookups find the first, so repeated keys are refused rather
 * than silently read differently. Numbers beyond double range are refused
 * as Go refuses them; cJSON would turn them into inf. */
static int json_check(const cJSON *n, kj_error_t *err)
{
    if (cJSON_IsNumber(n) && !isfinite(n->valuedouble))
        return kj_make_http_error(err, 400, "error decoding JSON: number out of range");
    if (!cJSON_IsArray(n) && !cJSON_IsObject(n))
        return 0;
    struct kj_yaml_strmap seen = {0};
    int ret = 0;
    for (const cJSON *c = n->child; c != NULL && ret == 0; c = c->next) {
        if (cJSON_IsObject(n)) {
            if (kj_yaml_strmap_get(&seen, c->string) != NULL)
                ret = kj_make_http_error(err, 400, "error decoding JSON: duplicate field \"%s\"",
                                         c->string);
            else if (kj_yaml_strmap_put(&seen, c->string, (void *)c) < 0)
                ret = kj_make_error(err, ENOMEM, "error decoding JSON");
        }
        if (ret == 0)
            ret = json_check(c, err);
    }
    kj_yaml_strmap_clear(&seen);
    return ret;
}

/* Returns 0, -1 for a syntax error (the text may still be YAML), or -2 when
 * the text is JSON but its content is refused. */
static int json_parse(const char *buf, size_t len, cJSON **out, kj_error_t *err)
{
    if (len == 0) {
        json_fail_at(buf, len, 0, NULL, err);
        return -1;
    }
    const char *end = NULL;
    cleanup_cjson cJSON *v = cJSON_ParseWithLengthOpts(buf, len, &end, false);
    if (v == NULL) {
        size_t off = end != NULL && end >= buf ? (size_t)(end - buf) : 0;
        json_fail_at(buf, len, off, NULL, err);
        return -1;
    }
    size_t off = (size_t)(end - buf);
    while (off < len && is_json_space(buf[off]))
        off++;
    if (off < len) {
        json_fail_at(buf, len, off, "unexpected data after the top-level value", err);
        return -1;
    }
    if (json_check(v, err) < 0)
        return -2;
    *out = steal_pointer(&v);
    return 0;
}

int kj_json_decode(const char *buf, size_t len, cJSON **out, kj_error_t *err)
{
    if (len > KJ_YAML_MAX_BYTES)
        return kj_make_http_error(err, 413,
                                  "error decoding JSON: input of %zu bytes is over the limit of "
                                  "%d bytes",
                                  len, KJ_YAML_MAX_BYTES);
    if (buf == NULL)
        buf = "";
    return json_parse(buf, len, out, err) < 0 ? -1 : 0;
}

/* Reader errors (bad UTF-8, control characters) carry a byte offset rather
 * than a mark. */
static void offset_to_mark(const char *input, size_t len, size_t offset, yaml_mark_t *m)
{
    m->line = 0;
    m->column = 0;
    for (size_t i = 0; i < offset && i < len; i++) {
        if (input[i] == '\n') {
            m->line++;
            m->column = 0;
        } else {
            m->column++;
        }
    }
}

static void parser_fail(const yaml_parser_t *p, const char *input, size_t len, kj_error_t *err)
{
    if (p->error == YAML_MEMORY_ERROR) {
        kj_make_error(err, ENOMEM, "error converting YAML to JSON");
        return;
    }
    yaml_mark_t m = p->problem_mark;
    if (p->error == YAML_READER_ERROR)
        offset_to_mark(input, len, p->problem_offset, &m);
    const char *problem = p->problem ? p->problem : "unknown problem parsing YAML content";
    kj_make_http_error(err, 400,
                       "error converting YAML to JSON: yaml: line %zu: %s (column %zu)",
                       m.line + 1, problem, m.column + 1);
}

/* Returns kj_yaml_build()'s codes. */
static int yaml_parse(const char *buf, size_t len, cJSON *docs, kj_error_t *err)
{
    cleanup_yaml_parser yaml_parser_t parser = {0};
    if (!yaml_parser_initialize(&parser)) {
        kj_make_error(err, ENOMEM, "error converting YAML to JSON");
        return -2;
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
    int ret = kj_yaml_build(&parser, docs, err);
    if (ret == -1)
        parser_fail(&parser, buf, len, err);
    return ret;
}

int kj_yaml_decode(const char *buf, size_t len, cJSON **out, kj_error_t *err)
{
    if (len > KJ_YAML_MAX_BYTES)
        return kj_make_http_error(err, 413,
                                  "error converting YAML to JSON: input of %zu bytes is over the "
                                  "limit of %d bytes",
                                  len, KJ_YAML_MAX_BYTES);
    if (buf == NULL)
        buf = "";
    cleanup_cjson cJSON *docs = cJSON_CreateArray();
    if (docs == NULL)
        return kj_make_error(err, ENOMEM, "error converting YAML to JSON");

    if (looks_like_json(buf, len)) {
        kj_error_t json_err = NULL;
        cJSON *v = NULL;
        int r = json_parse(buf, len, &v, &json_err);
        if (r == 0) {
            cJSON_AddItemToArray(docs, v);
            *out = steal_pointer(&docs);
            return 0;
        }
        /* Flow-style YAML (`{name: x}`) also starts with a brace. When the
         * text is valid YAML syntax, YAML's verdict is the relevant one. */
        kj_error_t yaml_err = NULL;
        int y = r == -1 ? yaml_parse(buf, len, docs, &yaml_err) : -1;
        if (y == 0) {
            kj_error_release(&json_err);
            *out = steal_pointer(&docs);
            return 0;
        }
        kj_error_t *pick = y == -2 ? &yaml_err : &json_err;
        if (err != NULL && *err == NULL)
            *err = steal_pointer(pick);
        kj_error_release(&json_err);
        kj_error_release(&yaml_err);
        return -1;
    }
    if (yaml_parse(buf, len, docs, err) < 0)
        return -1;
    *out = steal_pointer(&docs);
    return 0;
}
