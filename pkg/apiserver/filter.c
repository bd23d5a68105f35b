/* Label and field selectors over JSON objects; see filter.h. */
#include "apiserver/filter.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/cleanup.h"
#include "util/xalloc.h"

void kj_filter_clear(struct kj_filter *f)
{
    kj_selector_clear(&f->labels);
    for (size_t i = 0; i < f->n_fields; i++) {
        free(f->fields[i].path);
        free(f->fields[i].value);
    }
    free(f->fields);
    f->fields = NULL;
    f->n_fields = 0;
}

int kj_field_selector_parse(const char *s, struct kj_filter *f, kj_error_t *err)
{
    cleanup_free char *copy = xstrdup(s);
    char *save = NULL;
    for (char *term = strtok_r(copy, ",", &save); term != NULL; term = strtok_r(NULL, ",", &save)) {
        while (*term == ' ')
            term++;
        if (*term == '\0')
            continue;
        char *op = strstr(term, "!=");
        size_t oplen = 2;
        bool neg = op != NULL;
        if (op == NULL) {
            op = strstr(term, "==");
            if (op == NULL) {
                op = strchr(term, '=');
                oplen = 1;
            }
        }
        if (op == NULL || op == term)
            return kj_make_http_error(err, 400, "invalid selector: '%s'; can't understand '%s'", s, term);
        f->fields = xrealloc(f->fields, (f->n_fields + 1) * sizeof *f->fields);
        struct kj_field_req *r = &f->fields[f->n_fields++];
        r->path = xstrndup(term, (size_t)(op - term));
        r->value = xstrdup(op + oplen);
        r->negate = neg;
        if (strcmp(r->path, "status.successful") == 0) {
            free(r->path);
            r->path = xstrdup("status.succeeded");
        }
    }
    return 0;
}

int kj_filter_from_opts(const struct kj_list_opts *o, struct kj_filter *f, kj_error_t *err)
{
    memset(f, 0, sizeof *f);
    if (o->label_selector != NULL && kj_selector_parse(o->label_selector, &f->labels, err) < 0)
        return -1;
    if (o->field_selector != NULL && kj_field_selector_parse(o->field_selector, f, err) < 0)
        return -1;
    return 0;
}

/* Render the value at a dotted path as a string into buf ("" if absent). */
static const char *field_value(const cJSON *obj, const char *path, char *buf, size_t size)
{
    cleanup_free char *copy = xstrdup(path);
    char *save = NULL;
    const cJSON *cur = obj;
    for (char *seg = strtok_r(copy, ".", &save); seg != NULL && cur != NULL; seg = strtok_r(NULL, ".", &save))
        cur = cJSON_GetObjectItemCaseSensitive(cur, seg);
    if (cJSON_IsString(cur))
        return cur->valuestring;
    if (cJSON_IsNumber(cur)) {
        snprintf(buf, size, "%lld", (long long)cur->valuedouble);
        return buf;
    }
    if (cJSON_IsBool(cur))
        return cJSON_IsTrue(cur) ? "true" : "false";
    /* Kubernetes compares absent counters as 0 for status.succeeded. */
    if (strcmp(path, "status.succeeded") == 0)
        return "0";
    return "";
}

bool kj_filter_matches(const struct kj_filter *f, const cJSON *obj)
{
    if (!kj_selector_is_empty(&f->labels) || f->labels.nothing) {
        struct kj_labels labels = {0};
        const cJSON *lm = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(obj, "metadata"), "labels");
        const cJSON *e;
        cJSON_ArrayForEach(e, lm)
        {
            if (cJSON_IsString(e))
                kj_labels_set(&labels, e->string, e->valuestring);
        }
        bool ok = kj_selector_matches(&f->labels, &labels);
        kj_labels_clear(&labels);
        if (!ok)
            return false;
    }
    for (size_t i = 0; i < f->n_fields; i++) {
        char buf[64];
        const char *v = field_value(obj, f->fields[i].path, buf, sizeof buf);
        bool eq = strcmp(v, f->fields[i].value) == 0;
        if (eq == f->fields[i].negate)
            return false;
    }
    return true;
}
