/* kjobctl describe job NAME: kubectl's describe layout, from the Job and the
 * events about it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kjobctl.h"
#include "kubeapi/describe.h"
#include "util/cleanup.h"
#include "util/xalloc.h"

/* Events about the object, oldest first; filtered here too, so a server that
 * ignores fieldSelector still gives the right answer. */
static cJSON *events_about(struct kjobctl *ctl, const char *ns, const char *kind,
                           const char *name, const char *uid)
{
    cleanup_free char *sel = xasprintf("involvedObject.kind=%s,involvedObject.name=%s", kind, name);
    cleanup_free char *esc = kj_client_escape(sel);
    cleanup_free char *path = xasprintf("/api/v1/namespaces/%s/events?fieldSelector=%s", ns, esc);
    cJSON *list = kjobctl_get_json(ctl, path, NULL);
    cJSON *out = cJSON_CreateArray();
    cJSON *items = cJSON_GetObjectItemCaseSensitive(list, "items");
    cJSON *e = items ? items->child : NULL;
    while (e != NULL) {
        cJSON *next = e->next;
        const cJSON *io = cJSON_GetObjectItemCaseSensitive(e, "involvedObject");
        const cJSON *k = cJSON_GetObjectItemCaseSensitive(io, "kind");
        const cJSON *n = cJSON_GetObjectItemCaseSensitive(io, "name");
        const cJSON *u = cJSON_GetObjectItemCaseSensitive(io, "uid");
        if (cJSON_IsString(k) && strcmp(k->valuestring, kind) == 0 && cJSON_IsString(n) &&
            strcmp(n->valuestring, name) == 0 &&
            (uid == NULL || !cJSON_IsString(u) || strcmp(u->valuestring, uid) == 0))
            cJSON_AddItemToArray(out, cJSON_DetachItemViaPointer(items, e));
        e = next;
    }
    cJSON_Delete(list);
    return out;
}

int kj_cmd_describe(struct kjobctl *ctl, int argc, char **argv)
{
    if (argc < 2)
        return kjobctl_fail("you must specify the type of resource to describe");
    const char *name = NULL;
    const struct kj_api_resource *r = kjobctl_resource_arg(argv[1], &name);
    if (name == NULL && argc > 2)
        name = argv[2];
    if (r == NULL || strcmp(r->kind, "Job") != 0)
        return kjobctl_fail("kjobctl describes jobs only; use `kjobctl get %s NAME -o yaml`",
                            argv[1]);
    if (name == NULL)
        return kjobctl_fail("you must specify the name of the job to describe");
    char path[768];
    int n = kj_resource_path(r, ctl->ns, path, sizeof(path));
    snprintf(path + n, sizeof(path) - (size_t)n, "/%s", name);
    cleanup_cjson cJSON *job = kjobctl_get_json(ctl, path, NULL);
    if (job == NULL)
        return 1;
    const cJSON *uid = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(job, "metadata"), "uid");
    cleanup_cjson cJSON *events =
        events_about(ctl, ctl->ns, "Job", name, cJSON_IsString(uid) ? uid->valuestring : NULL);
    cleanup_free char *text = kj_describe_job(job, events, (int64_t)time(NULL));
    if (text == NULL)
        return kjobctl_fail("out of memory");
    fputs(text, stdout);
    return 0;
}
