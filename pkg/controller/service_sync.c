/* Service alias computation, node port allocation and the status of
 * published ports; see service_sync.h. */
#include "controller/service_sync.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

static const char *label(const cJSON *labels, const char *key)
{
    return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(labels, key));
}

bool kj_svc_selector_matches(const cJSON *selector, const cJSON *labels)
{
    if (!cJSON_IsObject(selector) || selector->child == NULL)
        return false;
    for (const cJSON *kv = selector->child; kv != NULL; kv = kv->next) {
        const char *have = label(labels, kv->string);
        if (!cJSON_IsString(kv) || have == NULL || strcmp(have, kv->valuestring) != 0)
            return false;
    }
    return true;
}

static bool in_values(const cJSON *values, const char *v)
{
    const cJSON *x;
    cJSON_ArrayForEach(x, values)
    {
        if (cJSON_IsString(x) && strcmp(x->valuestring, v) == 0)
            return true;
    }
    return false;
}

bool kj_label_selector_matches_json(const cJSON *ls, const cJSON *labels)
{
    const cJSON *ml = cJSON_GetObjectItemCaseSensitive(ls, "matchLabels");
    for (const cJSON *kv = cJSON_IsObject(ml) ? ml->child : NULL; kv != NULL; kv = kv->next) {
        const char *have = label(labels, kv->string);
        if (!cJSON_IsString(kv) || have == NULL || strcmp(have, kv->valuestring) != 0)
            return false;
    }
    const cJSON *e;
    cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(ls, "matchExpressions"))
    {
        const char *key = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "key"));
        const char *op = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "operator"));
        const cJSON *vals = cJSON_GetObjectItemCaseSensitive(e, "values");
        if (key == NULL || op == NULL)
            return false;
        const char *have = label(labels, key);
        bool ok;
        if (strcmp(op, "In") == 0)
            ok = have != NULL && in_values(vals, have);
        else if (strcmp(op, "NotIn") == 0)
            ok = have == NULL || !in_values(vals, have);
        else if (strcmp(op, "Exists") == 0)
            ok = have != NULL;
        else if (strcmp(op, "DoesNotExist") == 0)
            ok = have == NULL;
        else
            ok = false;
        if (!ok)
            return false;
    }
    return true;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

char *kj_svc_aliases_for(const cJSON *services, const char *ns, const cJSON *labels)
{
    int n = cJSON_GetArraySize(services), k = 0;
    const char **names = xcalloc((size_t)n + 1, sizeof *names);
    size_t len = 1;
    const cJSON *svc;
    cJSON_ArrayForEach(svc, services)
    {
        const cJSON *md = cJSON_GetObjectItemCaseSensitive(svc, "metadata");
        const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(md, "name"));
        const char *sns = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(md, "namespace"));
        const cJSON *sel = cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(svc, "spec"), "selector");
        if (name == NULL || sns == NULL || strcmp(sns, ns) != 0 ||
            !kj_svc_selector_matches(sel, labels))
            continue;
        names[k++] = name;
        len += strlen(name) + 1;
    }
    qsort(names, (size_t)k, sizeof *names, cmp_str);
    char *out = xcalloc(1, len);
    for (int i = 0; i < k; i++) {
        if (i > 0)
            strcat(out, ",");
        strcat(out, names[i]);
    }
    free(names);
    return out;
}

static int container_port_named(const cJSON *spec, const char *name)
{
    const cJSON *c, *p;
    cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(spec, "containers"))
    {
        cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(c, "ports"))
        {
            const char *pn = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(p, "name"));
            const cJSON *cp = cJSON_GetObjectItemCaseSensitive(p, "containerPort");
            if (pn != NULL && strcmp(pn, name) == 0 && cJSON_IsNumber(cp))
                return cp->valueint;
        }
    }
    return 0;
}

int kj_svc_target_port(const cJSON *svc, const char *want, const cJSON *template_spec)
{
    const cJSON *p;
    cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(
                              cJSON_GetObjectItemCaseSensitive(svc, "spec"), "ports"))
    {
        const cJSON *port = cJSON_GetObjectItemCaseSensitive(p, "port");
        const char *pname = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(p, "name"));
        if (!cJSON_IsNumber(port))
            continue;
        if (want != NULL && want[0] != '\0') {
            char *end;
            long w = strtol(want, &end, 10);
            bool by_num = *end == '\0' && w == port->valueint;
            bool by_name = pname != NULL && strcmp(pname, want) == 0;
            if (!by_num && !by_name)
                continue;
        }
        const cJSON *tp = cJSON_GetObjectItemCaseSensitive(p, "targetPort");
        if (cJSON_IsNumber(tp) && tp->valueint > 0)
            return tp->valueint;
        if (cJSON_IsString(tp)) {
            char *end;
            long v = strtol(tp->valuestring, &end, 10);
            if (*end == '\0' && v > 0 && v < 65536)
                return (int)v;
            return container_port_named(template_spec, tp->valuestring);
        }
        return port->valueint;
    }
    return 0;
}

/* ---- NodePort / LoadBalancer ---- */

static const cJSON *get(const cJSON *o, const char *k)
{
    return cJSON_GetObjectItemCaseSensitive(o, k);
}

static const char *type_of(const cJSON *svc)
{
    const char *t = cJSON_GetStringValue(get(get(svc, "spec"), "type"));
    return t != NULL ? t : "ClusterIP";
}

static const char *proto_of(const cJSON *port)
{
    const char *p = cJSON_GetStringValue(get(port, "protocol"));
    return p != NULL ? p : "TCP";
}

/* spec.ports[].nodePort, or 0 when unset or not a number. */
static int node_port_of(const cJSON *port)
{
    const cJSON *np = get(port, "nodePort");
    return cJSON_IsNumber(np) && np->valuedouble >= 1 && np->valuedouble <= 65535 ? np->valueint : 0;
}

static bool in_range(int np)
{
    return np >= KJ_SVC_NODE_PORT_MIN && np <= KJ_SVC_NODE_PORT_MAX;
}

bool kj_svc_needs_node_ports(const cJSON *svc)
{
    const char *t = type_of(svc);
    return strcmp(t, "NodePort") == 0 || strcmp(t, "LoadBalancer") == 0;
}

void kj_svc_node_ports_wipe(cJSON *svc, const cJSON *old)
{
    if (old == NULL || kj_svc_needs_node_ports(svc))
        return;
    cJSON *p;
    cJSON_ArrayForEach(p, get(get(svc, "spec"), "ports"))
    {
        int np = node_port_of(p);
        const cJSON *op;
        cJSON_ArrayForEach(op, get(get(old, "spec"), "ports"))
        {
            if (np != 0 && node_port_of(op) == np) {
                cJSON_DeleteItemFromObjectCaseSensitive(p, "nodePort");
                break;
            }
        }
    }
}

enum { NP_RANGE = KJ_SVC_NODE_PORT_MAX - KJ_SVC_NODE_PORT_MIN + 1 };

static bool same_key(const cJSON *a, const cJSON *b)
{
    const char *an = cJSON_GetStringValue(get(get(a, "metadata"), "name"));
    const char *ans = cJSON_GetStringValue(get(get(a, "metadata"), "namespace"));
    const char *bn = cJSON_GetStringValue(get(get(b, "metadata"), "name"));
    const char *bns = cJSON_GetStringValue(get(get(b, "metadata"), "namespace"));
    return an != NULL && bn != NULL && ans != NULL && bns != NULL && strcmp(an, bn) == 0 &&
           strcmp(ans, bns) == 0;
}

/* `port` (a spec.ports[].port) is one LoadBalancer `svc` listens on in
 * the node port range. */
static bool lb_port(const cJSON *svc, const cJSON *port)
{
    return strcmp(type_of(svc), "LoadBalancer") == 0 && cJSON_IsNumber(port) &&
           in_range(port->valueint);
}

static void set_node_port(cJSON *port, int np)
{
    cJSON_DeleteItemFromObjectCaseSensitive(port, "nodePort");
    cJSON_AddNumberToObject(port, "nodePort", np);
}

int kj_svc_node_ports_assign(cJSON *svc, const cJSON *old, const cJSON *stored, uint32_t seed,
                             int *bad_index, const char **why)
{
    if (!kj_svc_needs_node_ports(svc))
        return 0;
    /* taken: by another stored Service; mine: by a port of this one (the
     * same nodePort for TCP and UDP of one port is fine). */
    bool taken[NP_RANGE] = {false}, mine[NP_RANGE] = {false};
    const cJSON *o, *p;
    cJSON_ArrayForEach(o, stored)
    {
        if (same_key(o, svc) || !kj_svc_needs_node_ports(o))
            continue;
        cJSON_ArrayForEach(p, get(get(o, "spec"), "ports"))
        {
            if (in_range(node_port_of(p)))
                taken[node_port_of(p) - KJ_SVC_NODE_PORT_MIN] = true;
            /* A LoadBalancer listens on its port too (kj_svc_publish_ports). */
            const cJSON *port = get(p, "port");
            if (lb_port(o, port))
                taken[port->valueint - KJ_SVC_NODE_PORT_MIN] = true;
        }
    }
    cJSON *spec = cJSON_GetObjectItemCaseSensitive(svc, "spec");
    cJSON *ports = cJSON_GetObjectItemCaseSensitive(spec, "ports");
    int i = 0;
    cJSON *sp;
    cJSON_ArrayForEach(sp, ports)
    {
        const cJSON *port = get(sp, "port");
        if (lb_port(svc, port))
            mine[port->valueint - KJ_SVC_NODE_PORT_MIN] = true;
    }
    cJSON_ArrayForEach(sp, ports)
    {
        int np = node_port_of(sp);
        if (cJSON_IsNumber(get(sp, "nodePort")) && get(sp, "nodePort")->valuedouble != 0) {
            if (!in_range(np)) {
                *bad_index = i;
                *why = "provided port is not in the valid range. The range of valid ports is "
                       "30000-32767";
                return -1;
            }
            if (taken[np - KJ_SVC_NODE_PORT_MIN]) {
                *bad_index = i;
                *why = "provided port is already allocated";
                return -1;
            }
            mine[np - KJ_SVC_NODE_PORT_MIN] = true;
        }
        i++;
    }
    /* An update that leaves nodePort out keeps the one the port had. */
    cJSON_ArrayForEach(sp, ports)
    {
        if (node_port_of(sp) != 0 || old == NULL)
            continue;
        const cJSON *port = get(sp, "port");
        cJSON_ArrayForEach(p, get(get(old, "spec"), "ports"))
        {
            int np = node_port_of(p);
            const cJSON *op = get(p, "port");
            if (in_range(np) && cJSON_IsNumber(op) && cJSON_IsNumber(port) &&
                op->valueint == port->valueint && strcmp(proto_of(p), proto_of(sp)) == 0 &&
                !taken[np - KJ_SVC_NODE_PORT_MIN] && !mine[np - KJ_SVC_NODE_PORT_MIN]) {
                set_node_port(sp, np);
                mine[np - KJ_SVC_NODE_PORT_MIN] = true;
                break;
            }
        }
    }
    cJSON_ArrayForEach(sp, ports)
    {
        if (node_port_of(sp) != 0)
            continue;
        int start = (int)(seed % NP_RANGE), k;
        for (k = 0; k < NP_RANGE; k++) {
            int off = (start + k) % NP_RANGE;
            if (!taken[off] && !mine[off])
                break;
        }
        if (k == NP_RANGE)
            return -2;
        int off = (start + k) % NP_RANGE;
        mine[off] = true;
        set_node_port(sp, KJ_SVC_NODE_PORT_MIN + off);
    }
    return 0;
}

static size_t add_port(struct kj_svc_pub_port *out, size_t n, size_t max, int svc_port,
                       int host_port, int err)
{
    for (size_t i = 0; i < n; i++)
        if (out[i].svc_port == svc_port && out[i].host_port == host_port)
            return n;
    if (n < max)
        out[n++] = (struct kj_svc_pub_port){svc_port, host_port, err};
    return n;
}

size_t kj_svc_publish_ports(const cJSON *svc, struct kj_svc_pub_port *out, size_t max)
{
    if (!kj_svc_needs_node_ports(svc))
        return 0;
    bool lb = strcmp(type_of(svc), "LoadBalancer") == 0;
    size_t n = 0;
    const cJSON *p;
    cJSON_ArrayForEach(p, get(get(svc, "spec"), "ports"))
    {
        const cJSON *port = get(p, "port");
        if (!cJSON_IsNumber(port))
            continue;
        int np = node_port_of(p);
        if (strcmp(proto_of(p), "TCP") != 0) {
            n = add_port(out, n, max, port->valueint, np != 0 ? np : port->valueint,
                         EPROTONOSUPPORT);
            continue;
        }
        if (np != 0)
            n = add_port(out, n, max, port->valueint, np, 0);
        if (lb)
            n = add_port(out, n, max, port->valueint, port->valueint, 0);
    }
    return n;
}

const cJSON *kj_svc_published_condition(const cJSON *status)
{
    const cJSON *c;
    cJSON_ArrayForEach(c, get(status, "conditions"))
    {
        const char *t = cJSON_GetStringValue(get(c, "type"));
        if (t != NULL && strcmp(t, KJ_SVC_PUBLISHED_CONDITION) == 0)
            return c;
    }
    return NULL;
}

/* "127.0.0.1:30080 for port 80, ..." of the ports that worked (ok) or
 * failed (!ok, with the reason), into a new string. */
static char *ports_text(const struct kj_svc_pub_port *ports, size_t n, bool ok)
{
    size_t len = 1;
    for (size_t i = 0; i < n; i++)
        len += 128;
    char *buf = xcalloc(1, len);
    size_t off = 0;
    for (size_t i = 0; i < n; i++) {
        if ((ports[i].err == 0) != ok)
            continue;
        off += (size_t)snprintf(buf + off, len - off, "%s127.0.0.1:%d for port %d", off ? ", " : "",
                                ports[i].host_port, ports[i].svc_port);
        if (!ok)
            off += (size_t)snprintf(buf + off, len - off, " (%s)",
                                    ports[i].err == EPROTONOSUPPORT ? "only TCP is proxied"
                                                                    : strerror(ports[i].err));
    }
    return buf;
}

static cJSON *published_condition(const cJSON *old, const struct kj_svc_pub_port *ports, size_t n,
                                  const char *now)
{
    bool ok = n > 0, in_use = false;
    for (size_t i = 0; i < n; i++) {
        ok = ok && ports[i].err == 0;
        in_use = in_use || ports[i].err == EADDRINUSE;
    }
    const char *status = ok ? "True" : "False";
    const char *reason = ok ? "Published" : in_use ? "PortInUse" : "CannotPublish";
    char *list = ports_text(ports, n, ok), *msg;
    if (ok)
        msg = xasprintf("listening on %s", list);
    else if (n == 0)
        msg = xstrdup("no port to publish");
    else
        msg = xasprintf("cannot listen on %s; retrying", list);
    free(list);
    const char *old_status = cJSON_GetStringValue(get(old, "status"));
    const char *old_ts = cJSON_GetStringValue(get(old, "lastTransitionTime"));
    cJSON *c = cJSON_CreateObject();
    cJSON_AddStringToObject(c, "type", KJ_SVC_PUBLISHED_CONDITION);
    cJSON_AddStringToObject(c, "status", status);
    cJSON_AddStringToObject(c, "lastTransitionTime",
                            old_status != NULL && strcmp(old_status, status) == 0 && old_ts != NULL
                                ? old_ts
                                : now);
    cJSON_AddStringToObject(c, "reason", reason);
    cJSON_AddStringToObject(c, "message", msg);
    free(msg);
    return c;
}

cJSON *kj_svc_publish_status(const cJSON *svc, const struct kj_svc_pub_port *ports, size_t n,
                             const char *now)
{
    const cJSON *cur = get(svc, "status");
    bool needs = kj_svc_needs_node_ports(svc);
    bool all_ok = n > 0;
    for (size_t i = 0; i < n; i++)
        all_ok = all_ok && ports[i].err == 0;
    cJSON *st = cJSON_IsObject(cur) ? cJSON_Duplicate(cur, 1) : cJSON_CreateObject();
    cJSON_DeleteItemFromObjectCaseSensitive(st, "loadBalancer");
    cJSON *lbs = cJSON_AddObjectToObject(st, "loadBalancer");
    if (needs && all_ok && strcmp(type_of(svc), "LoadBalancer") == 0) {
        cJSON *ing = cJSON_CreateObject();
        cJSON_AddStringToObject(ing, "ip", "127.0.0.1");
        cJSON_AddItemToArray(cJSON_AddArrayToObject(lbs, "ingress"), ing);
    }
    cJSON *conds = cJSON_CreateArray();
    const cJSON *c;
    cJSON_ArrayForEach(c, get(cur, "conditions"))
    {
        if (c != kj_svc_published_condition(cur))
            cJSON_AddItemToArray(conds, cJSON_Duplicate(c, 1));
    }
    if (needs)
        cJSON_AddItemToArray(conds, published_condition(kj_svc_published_condition(cur), ports, n, now));
    cJSON_DeleteItemFromObjectCaseSensitive(st, "conditions");
    if (cJSON_GetArraySize(conds) > 0)
        cJSON_AddItemToObject(st, "conditions", conds);
    else
        cJSON_Delete(conds);
    if (cJSON_IsObject(cur) && cJSON_Compare(cur, st, true)) {
        cJSON_Delete(st);
        return NULL;
    }
    return st;
}
