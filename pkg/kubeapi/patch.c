#include "kubeapi/patch.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* ---- RFC 7386 ---------------------------------------------------------- */

static cJSON *merge_value(cJSON *target, const cJSON *patch)
{
    if (!cJSON_IsObject(patch)) {
        cJSON_Delete(target);
        return cJSON_Duplicate(patch, true);
    }
    if (!cJSON_IsObject(target)) {
        cJSON_Delete(target);
        target = cJSON_CreateObject();
    }
    const cJSON *p;
    cJSON_ArrayForEach(p, patch)
    {
        if (cJSON_IsNull(p)) {
            cJSON_DeleteItemFromObjectCaseSensitive(target, p->string);
            continue;
        }
        cJSON *old = cJSON_DetachItemFromObjectCaseSensitive(target, p->string);
        cJSON_AddItemToObject(target, p->string, merge_value(old, p));
    }
    return target;
}

int kj_patch_merge(cJSON **target, const cJSON *patch, kj_error_t *err)
{
    (void)err;
    *target = merge_value(*target, patch);
    return 0;
}

/* ---- RFC 6902 ---------------------------------------------------------- */

/* Split a JSON pointer into its parent container and last token. The token
 * is unescaped into tok (~1 -> /, ~0 -> ~). */
static int pointer_parent(cJSON *root, const char *ptr, cJSON **parent, char *tok, size_t toklen,
                          kj_error_t *err)
{
    if (ptr[0] != '/')
        return kj_make_http_error(err, 400, "invalid json pointer `%s`", ptr);
    cJSON *cur = root;
    const char *p = ptr + 1;
    for (;;) {
        size_t n = 0;
        while (*p && *p != '/') {
            char c = *p++;
            if (c == '~') {
                if (*p == '0')
                    c = '~';
                else if (*p == '1')
                    c = '/';
                else
                    return kj_make_http_error(err, 400, "invalid json pointer `%s`", ptr);
                p++;
            }
            if (n + 1 >= toklen)
                return kj_make_http_error(err, 400, "json pointer token too long");
            tok[n++] = c;
        }
        tok[n] = '\0';
        if (*p == '\0') {
            *parent = cur;
            return 0;
        }
        p++;
        if (cJSON_IsObject(cur))
            cur = cJSON_GetObjectItemCaseSensitive(cur, tok);
        else if (cJSON_IsArray(cur)) {
            char *end;
            long i = strtol(tok, &end, 10);
            cur = (*tok && *end == '\0' && i >= 0) ? cJSON_GetArrayItem(cur, (int)i) : NULL;
        } else
            cur = NULL;
        if (cur == NULL)
            return kj_make_http_error(err, 422, "path `%s` does not exist", ptr);
    }
}

/* RFC 6901: an array index is "0" or digits without a leading zero. */
static int array_index(const cJSON *arr, const char *tok, bool for_add, int *out)
{
    int size = cJSON_GetArraySize(arr);
    if (for_add && strcmp(tok, "-") == 0) {
        *out = size;
        return 0;
    }
    if (tok[0] == '\0' || strspn(tok, "0123456789") != strlen(tok) ||
        (tok[0] == '0' && tok[1] != '\0') || strlen(tok) > 9)
        return -1;
    long i = strtol(tok, NULL, 10);
    if (i > size || (!for_add && i == size))
        return -1;
    *out = (int)i;
    return 0;
}

/* cJSON 1.7.15's cJSON_InsertItemInArray refuses items of parsed arrays, so
 * move the tail aside, append, and put the tail back. */
static void insert_at(cJSON *arr, int i, cJSON *item)
{
    cJSON *tail = cJSON_CreateArray();
    while (tail != NULL && cJSON_GetArraySize(arr) > i)
        cJSON_AddItemToArray(tail, cJSON_DetachItemFromArray(arr, i));
    cJSON_AddItemToArray(arr, item);
    while (tail != NULL && tail->child != NULL)
        cJSON_AddItemToArray(arr, cJSON_DetachItemFromArray(tail, 0));
    cJSON_Delete(tail);
}

/* Detach the value at ptr; NULL with err set if it doesn't exist. */
static cJSON *pointer_detach(cJSON **root, const char *ptr, kj_error_t *err)
{
    if (ptr[0] == '\0') {
        cJSON *r = *root;
        *root = NULL;
        return r;
    }
    char tok[512];
    cJSON *parent;
    if (pointer_parent(*root, ptr, &parent, tok, sizeof(tok), err) < 0)
        return NULL;
    cJSON *v = NULL;
    if (cJSON_IsObject(parent))
        v = cJSON_DetachItemFromObjectCaseSensitive(parent, tok);
    else if (cJSON_IsArray(parent)) {
        int i;
        if (array_index(parent, tok, false, &i) == 0)
            v = cJSON_DetachItemFromArray(parent, i);
    }
    if (v == NULL)
        kj_make_http_error(err, 422, "path `%s` does not exist", ptr);
    return v;
}

/* Insert value (ownership taken) at ptr; replace=true requires it to exist. */
static int pointer_put(cJSON **root, const char *ptr, cJSON *value, bool replace, kj_error_t *err)
{
    if (ptr[0] == '\0') {
        cJSON_Delete(*root);
        *root = value;
        return 0;
    }
    char tok[512];
    cJSON *parent;
    if (pointer_parent(*root, ptr, &parent, tok, sizeof(tok), err) < 0) {
        cJSON_Delete(value);
        return -1;
    }
    if (cJSON_IsObject(parent)) {
        bool exists = cJSON_GetObjectItemCaseSensitive(parent, tok) != NULL;
        if (replace && !exists) {
            cJSON_Delete(value);
            return kj_make_http_error(err, 422, "path `%s` does not exist", ptr);
        }
        if (exists) {
            if (!cJSON_ReplaceItemInObjectCaseSensitive(parent, tok, value)) {
                cJSON_Delete(value);
                return kj_make_http_error(err, 422, "cannot replace `%s`", ptr);
            }
        } else
            cJSON_AddItemToObject(parent, tok, value);
        return 0;
    }
    if (cJSON_IsArray(parent)) {
        int i;
        if (array_index(parent, tok, !replace, &i) < 0) {
            cJSON_Delete(value);
            return kj_make_http_error(err, 422, "path `%s` is not a valid array index", ptr);
        }
        if (replace) {
            if (!cJSON_ReplaceItemViaPointer(parent, cJSON_GetArrayItem(parent, i), value)) {
                cJSON_Delete(value);
                return kj_make_http_error(err, 422, "cannot replace `%s`", ptr);
            }
        } else
            insert_at(parent, i, value);
        return 0;
    }
    cJSON_Delete(value);
    return kj_make_http_error(err, 422, "path `%s` does not exist", ptr);
}

static const cJSON *pointer_get(const cJSON *root, const char *ptr)
{
    if (ptr[0] == '\0')
        return root;
    char tok[512];
    cJSON *parent;
    kj_error_t e = NULL;
    if (pointer_parent((cJSON *)root, ptr, &parent, tok, sizeof(tok), &e) < 0) {
        kj_error_release(&e);
        return NULL;
    }
    if (cJSON_IsObject(parent))
        return cJSON_GetObjectItemCaseSensitive(parent, tok);
    int i;
    if (cJSON_IsArray(parent) && array_index(parent, tok, false, &i) == 0)
        return cJSON_GetArrayItem(parent, i);
    return NULL;
}

int kj_patch_json(cJSON **target, const cJSON *ops, kj_error_t *err)
{
    if (!cJSON_IsArray(ops))
        return kj_make_http_error(err, 400, "json patch must be an array of operations");
    const cJSON *op;
    int n = 0;
    cJSON_ArrayForEach(op, ops)
    {
        const cJSON *jop = cJSON_GetObjectItemCaseSensitive(op, "op");
        const cJSON *jpath = cJSON_GetObjectItemCaseSensitive(op, "path");
        const cJSON *value = cJSON_GetObjectItemCaseSensitive(op, "value");
        const cJSON *from = cJSON_GetObjectItemCaseSensitive(op, "from");
        if (!cJSON_IsString(jop) || !cJSON_IsString(jpath))
            return kj_make_http_error(err, 400, "json patch operation %d lacks `op` or `path`", n);
        const char *o = jop->valuestring, *path = jpath->valuestring;
        int rc = 0;
        if (strcmp(o, "add") == 0 || strcmp(o, "replace") == 0) {
            if (value == NULL)
                return kj_make_http_error(err, 400, "json patch `%s` needs a value", o);
            rc = pointer_put(target, path, cJSON_Duplicate(value, true), o[0] == 'r', err);
        } else if (strcmp(o, "remove") == 0) {
            cJSON *v = pointer_detach(target, path, err);
            rc = v ? 0 : -1;
            cJSON_Delete(v);
        } else if (strcmp(o, "move") == 0 || strcmp(o, "copy") == 0) {
            if (!cJSON_IsString(from))
                return kj_make_http_error(err, 400, "json patch `%s` needs `from`", o);
            cJSON *v;
            if (o[0] == 'm')
                v = pointer_detach(target, from->valuestring, err);
            else {
                const cJSON *src = pointer_get(*target, from->valuestring);
                v = src ? cJSON_Duplicate(src, true) : NULL;
                if (v == NULL)
                    kj_make_http_error(err, 422, "path `%s` does not exist", from->valuestring);
            }
            rc = v ? pointer_put(target, path, v, false, err) : -1;
        } else if (strcmp(o, "test") == 0) {
            const cJSON *cur = pointer_get(*target, path);
            if (cur == NULL || value == NULL || !cJSON_Compare(cur, value, true))
                return kj_make_http_error(err, 422, "testing value at `%s` failed", path);
        } else
            return kj_make_http_error(err, 400, "unknown json patch operation `%s`", o);
        if (rc < 0)
            return rc;
        n++;
    }
    return 0;
}

/* ---- strategic merge --------------------------------------------------- */

/* The merge key of a list field, from the Kubernetes types kjob serves. The
 * parent's key disambiguates `ports` (container ports vs Service ports). */
static const char *merge_key(const char *field, const char *parent)
{
    static const struct {
        const char *field, *key;
    } keys[] = {
        {"containers", "name"},      {"initContainers", "name"}, {"ephemeralContainers", "name"},
        {"env", "name"},             {"volumes", "name"},        {"imagePullSecrets", "name"},
        {"volumeMounts", "mountPath"}, {"volumeDevices", "devicePath"},
        {"ownerReferences", "uid"},  {"conditions", "type"},     {"hostAliases", "ip"},
        {"topologySpreadConstraints", "topologyKey"},            {"resourceClaims", "name"},
    };
    if (strcmp(field, "ports") == 0)
        return parent != NULL && strcmp(parent, "spec") == 0 ? "port" : "containerPort";
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
        if (strcmp(keys[i].field, field) == 0)
            return keys[i].key;
    return NULL;
}

/* Primitive lists with merge semantics (set union). */
static bool merge_primitive(const char *field)
{
    return strcmp(field, "finalizers") == 0;
}

static const char *directive(const cJSON *o)
{
    const cJSON *d = cJSON_GetObjectItemCaseSensitive(o, "$patch");
    return cJSON_IsString(d) ? d->valuestring : NULL;
}

static cJSON *find_by_key(cJSON *arr, const char *key, const cJSON *val)
{
    cJSON *e;
    cJSON_ArrayForEach(e, arr)
    {
        if (cJSON_Compare(cJSON_GetObjectItemCaseSensitive(e, key), val, true))
            return e;
    }
    return NULL;
}

static cJSON *strategic_value(cJSON *target, const cJSON *patch, const char *field,
                              const char *parent, kj_error_t *err, int *rc);

static cJSON *strip_directives(const cJSON *patch)
{
    cJSON *c = cJSON_Duplicate(patch, true);
    cJSON *e = c ? c->child : NULL;
    while (e != NULL) {
        cJSON *next = e->next;
        if (e->string != NULL && e->string[0] == '$')
            cJSON_Delete(cJSON_DetachItemViaPointer(c, e));
        else if (cJSON_IsObject(e) || cJSON_IsArray(e)) {
            cJSON *s = strip_directives(e);
            cJSON_ReplaceItemViaPointer(c, e, s);
        }
        e = next;
    }
    return c;
}

static cJSON *strategic_list(cJSON *target, const cJSON *patch, const char *field,
                             const char *parent, kj_error_t *err, int *rc)
{
    const char *key = merge_key(field, parent);
    if (key == NULL && !merge_primitive(field)) {
        cJSON_Delete(target);
        return strip_directives(patch);
    }
    const cJSON *p;
    cJSON_ArrayForEach(p, patch)
    {
        if (cJSON_IsObject(p) && directive(p) && strcmp(directive(p), "replace") == 0) {
            cJSON_Delete(target);
            cJSON *out = cJSON_CreateArray();
            const cJSON *q;
            cJSON_ArrayForEach(q, patch)
            {
                if (!(cJSON_IsObject(q) && directive(q)))
                    cJSON_AddItemToArray(out, strip_directives(q));
            }
            return out;
        }
    }
    if (!cJSON_IsArray(target)) {
        cJSON_Delete(target);
        target = cJSON_CreateArray();
    }
    cJSON_ArrayForEach(p, patch)
    {
        if (key == NULL) { /* primitive list with set semantics */
            bool found = false;
            const cJSON *t;
            cJSON_ArrayForEach(t, target) found = found || cJSON_Compare(t, p, true);
            if (!found)
                cJSON_AddItemToArray(target, cJSON_Duplicate(p, true));
            continue;
        }
        const cJSON *kv = cJSON_GetObjectItemCaseSensitive(p, key);
        if (!cJSON_IsObject(p) || kv == NULL) {
            *rc = kj_make_http_error(err, 422, "element of `%s` lacks the merge key `%s`", field,
                                     key);
            return target;
        }
        cJSON *cur = find_by_key(target, key, kv);
        const char *d = directive(p);
        if (d != NULL && strcmp(d, "delete") == 0) {
            if (cur != NULL)
                cJSON_Delete(cJSON_DetachItemViaPointer(target, cur));
            continue;
        }
        if (cur == NULL) {
            cJSON_AddItemToArray(target, strip_directives(p));
            continue;
        }
        cJSON *copy = cJSON_Duplicate(cur, true);
        cJSON *merged = strategic_value(copy, p, field, parent, err, rc);
        cJSON_ReplaceItemViaPointer(target, cur, merged);
        if (*rc < 0)
            return target;
    }
    return target;
}

static cJSON *strategic_value(cJSON *target, const cJSON *patch, const char *field,
                              const char *parent, kj_error_t *err, int *rc)
{
    if (cJSON_IsArray(patch))
        return strategic_list(target, patch, field ? field : "", parent, err, rc);
    if (!cJSON_IsObject(patch)) {
        cJSON_Delete(target);
        return cJSON_Duplicate(patch, true);
    }
    const char *d = directive(patch);
    if (d != NULL && strcmp(d, "replace") == 0) {
        cJSON_Delete(target);
        return strip_directives(patch);
    }
    if (d != NULL && strcmp(d, "delete") == 0) {
        cJSON_Delete(target);
        return NULL;
    }
    if (!cJSON_IsObject(target)) {
        cJSON_Delete(target);
        target = cJSON_CreateObject();
    }
    const cJSON *retain = cJSON_GetObjectItemCaseSensitive(patch, "$retainKeys");
    if (cJSON_IsArray(retain)) {
        cJSON *e = target->child;
        while (e != NULL) {
            cJSON *next = e->next;
            bool keep = false;
            const cJSON *k;
            cJSON_ArrayForEach(k, retain) keep =
                keep || (cJSON_IsString(k) && strcmp(k->valuestring, e->string) == 0);
            if (!keep)
                cJSON_Delete(cJSON_DetachItemViaPointer(target, e));
            e = next;
        }
    }
    const cJSON *p;
    cJSON_ArrayForEach(p, patch)
    {
        const char *name = p->string;
        static const char del_prefix[] = "$deleteFromPrimitiveList/";
        if (strncmp(name, del_prefix, sizeof(del_prefix) - 1) == 0) {
            cJSON *list =
                cJSON_GetObjectItemCaseSensitive(target, name + sizeof(del_prefix) - 1);
            const cJSON *v;
            cJSON_ArrayForEach(v, p)
            {
                cJSON *e = list ? list->child : NULL;
                while (e != NULL) {
                    cJSON *next = e->next;
                    if (cJSON_Compare(e, v, true))
                        cJSON_Delete(cJSON_DetachItemViaPointer(list, e));
                    e = next;
                }
            }
            continue;
        }
        if (name[0] == '$') /* $patch, $retainKeys, $setElementOrder/...: order is advisory */
            continue;
        if (cJSON_IsNull(p)) {
            cJSON_DeleteItemFromObjectCaseSensitive(target, name);
            continue;
        }
        cJSON *old = cJSON_DetachItemFromObjectCaseSensitive(target, name);
        cJSON *merged = strategic_value(old, p, name, field, err, rc);
        if (merged != NULL)
            cJSON_AddItemToObject(target, name, merged);
        if (*rc < 0)
            return target;
    }
    return target;
}

int kj_patch_strategic(cJSON **target, const cJSON *patch, kj_error_t *err)
{
    if (!cJSON_IsObject(patch))
        return kj_make_http_error(err, 400, "strategic merge patch must be a JSON object");
    int rc = 0;
    cJSON *out = strategic_value(*target, patch, NULL, NULL, err, &rc);
    *target = out != NULL ? out : cJSON_CreateObject();
    return rc;
}

int kj_patch_apply(const char *content_type, cJSON **target, const cJSON *patch,
                   kj_error_t *err)
{
    size_t n = content_type ? strcspn(content_type, "; ") : 0;
    if (n == strlen("application/merge-patch+json") &&
        strncmp(content_type, "application/merge-patch+json", n) == 0)
        return kj_patch_merge(target, patch, err);
    if (n == strlen("application/json-patch+json") &&
        strncmp(content_type, "application/json-patch+json", n) == 0)
        return kj_patch_json(target, patch, err);
    if (n == strlen("application/strategic-merge-patch+json") &&
        strncmp(content_type, "application/strategic-merge-patch+json", n) == 0)
        return kj_patch_strategic(target, patch, err);
    return kj_make_http_error(err, 415, "the body of the request was in an unknown format - "
                                        "accepted media types include: application/json-patch+json, "
                                        "application/merge-patch+json, "
                                        "application/strategic-merge-patch+json");
}
