/* Tables of ReplicaSets and Services; see table_queue.h. */
#include "kubeapi/table_queue.h"

#include <stdio.h>
#include <string.h>

#include "kubeapi/table.h"

static const cJSON *at(const cJSON *o, const char *a, const char *b)
{
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, a);
    return b != NULL ? cJSON_GetObjectItemCaseSensitive(x, b) : x;
}

static void col(cJSON *cols, const char *name, const char *desc, int priority)
{
    cJSON *c = cJSON_CreateObject();
    cJSON_AddStringToObject(c, "name", name);
    cJSON_AddStringToObject(c, "type", "string");
    cJSON_AddStringToObject(c, "format", "");
    cJSON_AddStringToObject(c, "description", desc);
    cJSON_AddNumberToObject(c, "priority", priority);
    cJSON_AddItemToArray(cols, c);
}

static const char age_desc[] =
    "CreationTimestamp is a timestamp representing the server time when this object was created.";

bool kj_table_queue_columns(const char *kind, cJSON *cols)
{
    if (strcmp(kind, "ReplicaSet") == 0) {
        col(cols, "Desired", "Number of desired pods.", 0);
        col(cols, "Current", "Number of actual replicas.", 0);
        col(cols, "Ready", "Number of ready replicas.", 0);
        col(cols, "Age", age_desc, 0);
        col(cols, "Containers", "Names of each container in the template.", 1);
        col(cols, "Images", "Images referenced by each container in the template.", 1);
        col(cols, "Selector", "Label selector for pods.", 1);
        return true;
    }
    if (strcmp(kind, "ConfigMap") == 0 || strcmp(kind, "Secret") == 0) {
        if (kind[0] == 'S')
            col(cols, "Type", "The type of the secret", 0);
        col(cols, "Data", "The number of keys in the data.", 0);
        col(cols, "Age", age_desc, 0);
        return true;
    }
    if (strcmp(kind, "Service") == 0) {
        col(cols, "Type", "The type of the service.", 0);
        col(cols, "Cluster-IP", "The cluster IP of the service.", 0);
        col(cols, "External-IP", "The external IP of the service.", 0);
        col(cols, "Port(s)", "The ports of the service.", 0);
        col(cols, "Age", age_desc, 0);
        col(cols, "Selector", "Route service traffic to pods with label keys and values matching this selector.", 1);
        return true;
    }
    return false;
}

static void add_num(cJSON *cells, const cJSON *o, const char *a, const char *b)
{
    const cJSON *n = at(o, a, b);
    cJSON_AddItemToArray(cells, cJSON_CreateNumber(cJSON_IsNumber(n) ? n->valuedouble : 0));
}

static void add_age(cJSON *cells, const cJSON *item, int64_t now)
{
    char buf[32];
    int64_t t = kj_rfc3339_seconds(cJSON_GetStringValue(at(item, "metadata", "creationTimestamp")));
    cJSON_AddItemToArray(cells, cJSON_CreateString(
                                    t < 0 ? "<unknown>" : kj_human_duration(now - t, buf, sizeof buf)));
}

/* "k=v,k2=v2" of a string map into buf; "<none>" when empty. */
static void map_text(const cJSON *m, char *buf, size_t len)
{
    size_t off = 0;
    buf[0] = '\0';
    for (const cJSON *kv = cJSON_IsObject(m) ? m->child : NULL; kv != NULL && off < len; kv = kv->next)
        off += (size_t)snprintf(buf + off, len - off, "%s%s=%s", off ? "," : "", kv->string,
                                cJSON_IsString(kv) ? kv->valuestring : "");
    if (buf[0] == '\0')
        snprintf(buf, len, "<none>");
}

static void containers_text(const cJSON *item, const char *field, char *buf, size_t len)
{
    size_t off = 0;
    buf[0] = '\0';
    const cJSON *c;
    cJSON_ArrayForEach(c, at(at(at(item, "spec", "template"), "spec", NULL), "containers", NULL))
    {
        const char *v = cJSON_GetStringValue(at(c, field, NULL));
        if (off < len)
            off += (size_t)snprintf(buf + off, len - off, "%s%s", off ? "," : "", v ? v : "");
    }
}

/* Append the strings of `arr` (skipping empty ones) to buf at *off. */
static void join_strings(const cJSON *arr, const char *field, char *buf, size_t len, size_t *off)
{
    const cJSON *x;
    cJSON_ArrayForEach(x, arr)
    {
        const char *v = cJSON_GetStringValue(field != NULL ? at(x, field, NULL) : x);
        if (field != NULL && (v == NULL || v[0] == '\0'))
            v = cJSON_GetStringValue(at(x, "hostname", NULL));
        if (v != NULL && v[0] != '\0' && *off < len)
            *off += (size_t)snprintf(buf + *off, len - *off, "%s%s", *off ? "," : "", v);
    }
}

/* kubectl's getServiceExternalIP: a LoadBalancer shows its ingress
 * addresses (then spec.externalIPs), or <pending> while it has none. */
static void external_ip(const cJSON *item, const char *type, char *buf, size_t len)
{
    size_t off = 0;
    buf[0] = '\0';
    if (strcmp(type, "ExternalName") == 0) {
        const char *n = cJSON_GetStringValue(at(item, "spec", "externalName"));
        snprintf(buf, len, "%s", n != NULL ? n : "");
        return;
    }
    if (strcmp(type, "LoadBalancer") == 0)
        join_strings(at(at(item, "status", "loadBalancer"), "ingress", NULL), "ip", buf, len, &off);
    join_strings(at(item, "spec", "externalIPs"), NULL, buf, len, &off);
    if (off == 0)
        snprintf(buf, len, "%s", strcmp(type, "LoadBalancer") == 0 ? "<pending>" : "<none>");
}

bool kj_table_queue_cells(const char *kind, const cJSON *item, int64_t now, cJSON *cells)
{
    char buf[512];
    if (strcmp(kind, "ReplicaSet") == 0) {
        add_num(cells, item, "spec", "replicas");
        add_num(cells, item, "status", "replicas");
        add_num(cells, item, "status", "readyReplicas");
        add_age(cells, item, now);
        containers_text(item, "name", buf, sizeof buf);
        cJSON_AddItemToArray(cells, cJSON_CreateString(buf));
        containers_text(item, "image", buf, sizeof buf);
        cJSON_AddItemToArray(cells, cJSON_CreateString(buf));
        map_text(at(at(item, "spec", "selector"), "matchLabels", NULL), buf, sizeof buf);
        cJSON_AddItemToArray(cells, cJSON_CreateString(buf));
        return true;
    }
    if (strcmp(kind, "ConfigMap") == 0 || strcmp(kind, "Secret") == 0) {
        if (kind[0] == 'S') {
            const char *t = cJSON_GetStringValue(at(item, "type", NULL));
            cJSON_AddItemToArray(cells, cJSON_CreateString(t ? t : "Opaque"));
        }
        /* Both maps count, as kubectl's printer counts them for ConfigMaps. */
        int n = cJSON_GetArraySize(at(item, "data", NULL)) + cJSON_GetArraySize(at(item, "binaryData", NULL));
        cJSON_AddItemToArray(cells, cJSON_CreateNumber(n));
        add_age(cells, item, now);
        return true;
    }
    if (strcmp(kind, "Service") != 0)
        return false;
    const char *type = cJSON_GetStringValue(at(item, "spec", "type"));
    const char *cip = cJSON_GetStringValue(at(item, "spec", "clusterIP"));
    cJSON_AddItemToArray(cells, cJSON_CreateString(type ? type : "ClusterIP"));
    cJSON_AddItemToArray(cells, cJSON_CreateString(cip && cip[0] ? cip : "<none>"));
    external_ip(item, type ? type : "ClusterIP", buf, sizeof buf);
    cJSON_AddItemToArray(cells, cJSON_CreateString(buf));
    size_t off = 0;
    buf[0] = '\0';
    const cJSON *p;
    cJSON_ArrayForEach(p, at(item, "spec", "ports"))
    {
        const cJSON *port = at(p, "port", NULL), *np = at(p, "nodePort", NULL);
        const char *proto = cJSON_GetStringValue(at(p, "protocol", NULL));
        if (off >= sizeof buf)
            break;
        if (cJSON_IsNumber(np) && np->valueint > 0)
            off += (size_t)snprintf(buf + off, sizeof buf - off, "%s%d:%d/%s", off ? "," : "",
                                    port ? port->valueint : 0, np->valueint, proto ? proto : "TCP");
        else
            off += (size_t)snprintf(buf + off, sizeof buf - off, "%s%d/%s", off ? "," : "",
                                    port ? port->valueint : 0, proto ? proto : "TCP");
    }
    cJSON_AddItemToArray(cells, cJSON_CreateString(off ? buf : "<none>"));
    add_age(cells, item, now);
    map_text(at(item, "spec", "selector"), buf, sizeof buf);
    cJSON_AddItemToArray(cells, cJSON_CreateString(buf));
    return true;
}
