/* kjobctl apply -f FILE: create each object, or merge the manifest into the
 * existing one (a strategic merge patch of the whole manifest). Unlike
 * kubectl's client-side apply there is no last-applied annotation, so a
 * field deleted from the manifest is left as it is on the server. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/yaml.h"
#include "kjobctl.h"
#include "util/cleanup.h"
#include "util/xalloc.h"

static char *read_all(const char *path, size_t *len)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (f == NULL)
        return NULL;
    char *buf = NULL;
    size_t cap = 0;
    *len = 0;
    size_t n;
    do {
        if (*len + 65536 > cap) {
            cap = (*len + 65536) * 2;
            char *nb = realloc(buf, cap);
            if (nb == NULL) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
        }
        n = fread(buf + *len, 1, cap - *len, f);
        *len += n;
    } while (n > 0 && *len <= KJ_YAML_MAX_BYTES);
    if (f != stdin)
        fclose(f);
    return buf;
}

/* The served resource of an object's apiVersion and kind. */
static const struct kj_api_resource *resource_of(const cJSON *doc)
{
    const cJSON *av = cJSON_GetObjectItemCaseSensitive(doc, "apiVersion");
    const cJSON *kind = cJSON_GetObjectItemCaseSensitive(doc, "kind");
    if (!cJSON_IsString(av) || !cJSON_IsString(kind))
        return NULL;
    size_t n;
    const struct kj_api_resource *r = kj_resources(&n);
    for (size_t i = 0; i < n; i++) {
        char gv[96];
        if (r[i].group[0])
            snprintf(gv, sizeof(gv), "%s/%s", r[i].group, r[i].version);
        else
            snprintf(gv, sizeof(gv), "%s", r[i].version);
        if (strchr(r[i].name, '/') == NULL && strcmp(gv, av->valuestring) == 0 &&
            strcmp(r[i].kind, kind->valuestring) == 0)
            return &r[i];
    }
    return NULL;
}

static const char *rv_of(const char *body, char *buf, size_t len)
{
    cleanup_cjson cJSON *j = cJSON_Parse(body);
    const cJSON *rv = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(j, "metadata"), "resourceVersion");
    snprintf(buf, len, "%s", cJSON_IsString(rv) ? rv->valuestring : "");
    return buf;
}

static int apply_one(struct kjobctl *ctl, cJSON *doc)
{
    const struct kj_api_resource *r = resource_of(doc);
    const cJSON *kind = cJSON_GetObjectItemCaseSensitive(doc, "kind");
    if (r == NULL)
        return kjobctl_fail("resource mapping not found for kind \"%s\": kjobd does not serve it",
                            cJSON_IsString(kind) ? kind->valuestring : "");
    cJSON *meta = cJSON_GetObjectItemCaseSensitive(doc, "metadata");
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(meta, "name");
    if (!cJSON_IsString(name))
        return kjobctl_fail("metadata.name is required for apply");
    const cJSON *jns = cJSON_GetObjectItemCaseSensitive(meta, "namespace");
    const char *ns = cJSON_IsString(jns) ? jns->valuestring : ctl->ns;
    char display[256];
    snprintf(display, sizeof(display), "%s%s%s/%s", r->singular, r->group[0] ? "." : "", r->group,
             name->valuestring);

    char coll[512];
    kj_resource_path(r, ns, coll, sizeof(coll));
    cleanup_free char *body = cJSON_PrintUnformatted(doc);
    cleanup_free char *post = xasprintf("%s?fieldManager=kjobctl&fieldValidation=Strict", coll);
    struct kj_response resp = {0};
    kj_error_t err = NULL;
    if (kj_client_do(ctl->client, "POST", post, "application/json", body, NULL, &resp, &err) < 0) {
        int rc = kjobctl_fail("%s", err->msg);
        kj_error_release(&err);
        return rc;
    }
    if (resp.status == 201 || resp.status == 200) {
        printf("%s created\n", display);
        kj_response_clear(&resp);
        return 0;
    }
    if (resp.status != 409 || strstr(resp.body, "AlreadyExists") == NULL) {
        cleanup_free char *msg = kj_client_error_text(resp.status, resp.body);
        fprintf(stderr, "%s\n", msg);
        kj_response_clear(&resp);
        return 1;
    }
    kj_response_clear(&resp);

    cleanup_free char *item = xasprintf("%s/%s", coll, name->valuestring);
    char before[64] = "", after[64] = "";
    if (kj_client_do(ctl->client, "GET", item, NULL, NULL, NULL, &resp, &err) == 0 &&
        resp.status == 200)
        rv_of(resp.body, before, sizeof(before));
    kj_response_clear(&resp);
    cJSON_DeleteItemFromObjectCaseSensitive(doc, "status");
    cleanup_free char *patch = cJSON_PrintUnformatted(doc);
    cleanup_free char *url = xasprintf("%s?fieldManager=kjobctl&fieldValidation=Strict", item);
    if (kj_client_do(ctl->client, "PATCH", url, "application/strategic-merge-patch+json", patch,
                     NULL, &resp, &err) < 0) {
        int rc = kjobctl_fail("%s", err->msg);
        kj_error_release(&err);
        return rc;
    }
    if (resp.status != 200) {
        cleanup_free char *msg = kj_client_error_text(resp.status, resp.body);
        fprintf(stderr, "%s\n", msg);
        kj_response_clear(&resp);
        return 1;
    }
    rv_of(resp.body, after, sizeof(after));
    kj_response_clear(&resp);
    printf("%s %s\n", display, strcmp(before, after) == 0 ? "unchanged" : "configured");
    return 0;
}

int kj_cmd_apply(struct kjobctl *ctl, int argc, char **argv)
{
    static const struct option opts[] = {{"filename", required_argument, NULL, 'f'},
                                         {NULL, 0, NULL, 0}};
    const char *file = NULL;
    int c;
    optind = 0; /* 0 reinitialises GNU getopt after main()'s "+" scan */
    while ((c = getopt_long(argc, argv, "f:", opts, NULL)) != -1) {
        if (c == 'f')
            file = optarg;
        else
            return 2;
    }
    if (file == NULL)
        return kjobctl_fail("must specify -f FILE (or -f - for standard input)");
    size_t len;
    cleanup_free char *text = read_all(file, &len);
    if (text == NULL)
        return kjobctl_fail("cannot read `%s`", file);
    cleanup_cjson cJSON *docs = NULL;
    kj_error_t err = NULL;
    if (kj_yaml_decode(text, len, &docs, &err) < 0) {
        int rc = kjobctl_fail("%s: %s", file, err->msg);
        kj_error_release(&err);
        return rc;
    }
    int rc = 0;
    cJSON *doc;
    cJSON_ArrayForEach(doc, docs)
    {
        const cJSON *items = cJSON_GetObjectItemCaseSensitive(doc, "items");
        const cJSON *kind = cJSON_GetObjectItemCaseSensitive(doc, "kind");
        if (cJSON_IsArray(items) && cJSON_IsString(kind) &&
            strcmp(kind->valuestring + strlen(kind->valuestring) -
                       (strlen(kind->valuestring) >= 4 ? 4 : 0),
                   "List") == 0) {
            cJSON *it;
            cJSON_ArrayForEach(it, items) rc |= apply_one(ctl, it);
        } else if (cJSON_IsObject(doc))
            rc |= apply_one(ctl, doc);
        else
            rc |= kjobctl_fail("%s: a document is not an object", file);
    }
    return rc;
}
