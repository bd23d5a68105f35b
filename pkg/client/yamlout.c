#include "client/yamlout.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h> /* yaml_emitter_t */

struct buf {
    char *p;
    size_t len;
};

static int write_handler(void *data, unsigned char *buffer, size_t size)
{
    struct buf *b = data;
    char *np = realloc(b->p, b->len + size + 1);
    if (np == NULL)
        return 0;
    b->p = np;
    memcpy(b->p + b->len, buffer, size);
    b->len += size;
    b->p[b->len] = '\0';
    return 1;
}

/* Would this plain scalar resolve to something other than a string in
 * YAML 1.1 (bool, null, number, timestamp)? */
static bool resolves_other(const char *s)
{
    static const char *const special[] = {"", "~", "null", "Null", "NULL", "true", "True",
                                          "TRUE", "false", "False", "FALSE", "yes", "Yes",
                                          "YES", "no", "No", "NO", "on", "On", "ON", "off",
                                          "Off", "OFF", "y", "Y", "n", "N"};
    for (size_t i = 0; i < sizeof(special) / sizeof(special[0]); i++)
        if (strcmp(s, special[i]) == 0)
            return true;
    char *end;
    strtod(s, &end);
    if (end != s && *end == '\0')
        return true;
    /* YAML 1.1 timestamps (creationTimestamp...). */
    return isdigit((unsigned char)s[0]) && isdigit((unsigned char)s[1]) && isdigit((unsigned char)s[2]) &&
           isdigit((unsigned char)s[3]) && s[4] == '-' && isdigit((unsigned char)s[5]);
}

/* go-yaml's choice (encode.go stringv): double quotes for a string that
 * would read back as another type, literal block for multi-line text, else
 * plain -- which libyaml's emitter itself turns into single quotes when the
 * text cannot be plain ("Created pod: x", "- x"), as go-yaml's does. */
static yaml_scalar_style_t string_style(const char *s)
{
    if (resolves_other(s))
        return YAML_DOUBLE_QUOTED_SCALAR_STYLE;
    if (strchr(s, '\n') != NULL)
        return YAML_LITERAL_SCALAR_STYLE;
    return YAML_PLAIN_SCALAR_STYLE;
}

static int scalar(yaml_emitter_t *e, const char *text, yaml_scalar_style_t style)
{
    yaml_event_t ev;
    yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)text, (int)strlen(text), 1, 1,
                                 style);
    return yaml_emitter_emit(e, &ev);
}

static int cmp_keys(const void *a, const void *b)
{
    return strcmp((*(const cJSON *const *)a)->string, (*(const cJSON *const *)b)->string);
}

static int emit(yaml_emitter_t *e, const cJSON *j)
{
    yaml_event_t ev;
    if (cJSON_IsObject(j)) {
        yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_MAPPING_STYLE);
        if (!yaml_emitter_emit(e, &ev))
            return 0;
        int n = cJSON_GetArraySize(j);
        const cJSON **kids = n ? calloc((size_t)n, sizeof(*kids)) : NULL;
        if (n && kids == NULL)
            return 0;
        int i = 0;
        const cJSON *c;
        cJSON_ArrayForEach(c, j) kids[i++] = c;
        if (n > 1) /* qsort(NULL, 0) is undefined: {} has no kids array */
            qsort(kids, (size_t)n, sizeof(*kids), cmp_keys);
        int ok = 1;
        for (i = 0; ok && i < n; i++)
            ok = scalar(e, kids[i]->string, string_style(kids[i]->string)) &&
                 emit(e, kids[i]);
        free(kids);
        if (!ok)
            return 0;
        yaml_mapping_end_event_initialize(&ev);
        return yaml_emitter_emit(e, &ev);
    }
    if (cJSON_IsArray(j)) {
        yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_SEQUENCE_STYLE);
        if (!yaml_emitter_emit(e, &ev))
            return 0;
        const cJSON *c;
        cJSON_ArrayForEach(c, j) if (!emit(e, c)) return 0;
        yaml_sequence_end_event_initialize(&ev);
        return yaml_emitter_emit(e, &ev);
    }
    if (cJSON_IsString(j))
        return scalar(e, j->valuestring, string_style(j->valuestring));
    if (cJSON_IsNumber(j)) {
        char num[64];
        if (j->valuedouble == (double)(long long)j->valuedouble)
            snprintf(num, sizeof(num), "%lld", (long long)j->valuedouble);
        else
            snprintf(num, sizeof(num), "%.17g", j->valuedouble);
        return scalar(e, num, YAML_PLAIN_SCALAR_STYLE);
    }
    if (cJSON_IsBool(j))
        return scalar(e, cJSON_IsTrue(j) ? "true" : "false", YAML_PLAIN_SCALAR_STYLE);
    return scalar(e, "null", YAML_PLAIN_SCALAR_STYLE);
}

char *kj_yaml_emit(const cJSON *doc)
{
    yaml_emitter_t e;
    struct buf b = {0};
    if (!yaml_emitter_initialize(&e))
        return NULL;
    yaml_emitter_set_output(&e, write_handler, &b);
    yaml_emitter_set_unicode(&e, 1);
    yaml_emitter_set_width(&e, 80); /* go-yaml's best_width: long plain scalars fold as kubectl's do */
    yaml_event_t ev;
    int ok = 1;
    yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING);
    ok = ok && yaml_emitter_emit(&e, &ev);
    yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1);
    ok = ok && yaml_emitter_emit(&e, &ev);
    ok = ok && emit(&e, doc);
    yaml_document_end_event_initialize(&ev, 1);
    ok = ok && yaml_emitter_emit(&e, &ev);
    yaml_stream_end_event_initialize(&ev);
    ok = ok && yaml_emitter_emit(&e, &ev);
    yaml_emitter_delete(&e);
    if (!ok) {
        free(b.p);
        return NULL;
    }
    return b.p;
}
