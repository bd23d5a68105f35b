/* configMap, secret and downwardAPI volumes: files materialised per pod under the state
 * dir and bind-mounted read-only; see kj_pod_config_volumes_write in
 * runtime_docker_map.h. */
#define _XOPEN_SOURCE 700
#include "controller/runtime_docker_map.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api/configobj.h"
#include "util/cleanup.h"
#include "util/xalloc.h"

static const cJSON *get(const cJSON *o, const char *k)
{
    return cJSON_GetObjectItemCaseSensitive(o, k);
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path) == 0 || errno == ENOENT ? 0 : -1;
}

int kj_pod_dir_remove(const char *dir)
{
    struct stat st;
    if (lstat(dir, &st) < 0)
        return errno == ENOENT ? 0 : -1;
    return nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* mkdir -p of the parents of `path` (below an existing root). */
static int mkdirs_for(char *path)
{
    for (char *p = strchr(path + 1, '/'); p != NULL; p = strchr(p + 1, '/')) {
        *p = '\0';
        int rc = mkdir(path, 0755);
        *p = '/';
        if (rc < 0 && errno != EEXIST)
            return -1;
    }
    return 0;
}

static int write_file(const char *path, const unsigned char *data, size_t len, int mode, kj_error_t *err)
{
    cleanup_free char *p = xstrdup(path);
    if (mkdirs_for(p) < 0)
        return kj_make_error(err, errno, "create directories for `%s`", path);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return kj_make_error(err, errno, "create `%s`", path);
    size_t off = 0;
    while (off < len) {
        ssize_t n = write(fd, data + off, len - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int e = errno;
            close(fd);
            return kj_make_error(err, e, "write `%s`", path);
        }
        off += (size_t)n;
    }
    /* fchmod after creation: the umask must not narrow defaultMode. */
    if (fchmod(fd, (mode_t)mode) < 0 || close(fd) < 0)
        return kj_make_error(err, errno, "chmod `%s`", path);
    return 0;
}

/* The bytes of `key` in obj (Secret data and ConfigMap binaryData decoded). */
static unsigned char *bytes_of(const cJSON *obj, bool secret, const char *key, size_t *len)
{
    const cJSON *v = get(get(obj, "data"), key);
    if (cJSON_IsString(v) && !secret) {
        *len = strlen(v->valuestring);
        return (unsigned char *)xstrdup(v->valuestring);
    }
    if (!cJSON_IsString(v) && !secret)
        v = get(get(obj, "binaryData"), key);
    if (!cJSON_IsString(v))
        return NULL;
    return kj_base64_decode(v->valuestring, len);
}

static bool safe_rel_path(const char *p)
{
    return p[0] != '\0' && p[0] != '/' && strstr(p, "..") == NULL;
}

/* Write one volume's files into vdir. 0, 1 (*why), -1 (*err). */
static int write_volume(const cJSON *src, bool secret, const cJSON *obj, const char *vdir,
                        char **why, kj_error_t *err)
{
    if (mkdir(vdir, 0755) < 0 && errno != EEXIST)
        return kj_make_error(err, errno, "create `%s`", vdir);
    if (obj == NULL)
        return 0; /* optional and absent: an empty directory */
    const cJSON *dm = get(src, "defaultMode");
    int def_mode = cJSON_IsNumber(dm) ? dm->valueint & 0777 : 0644;
    const cJSON *items = get(src, "items");
    if (cJSON_GetArraySize(items) > 0) {
        const cJSON *it;
        cJSON_ArrayForEach(it, items)
        {
            const char *key = cJSON_GetStringValue(get(it, "key"));
            const char *path = cJSON_GetStringValue(get(it, "path"));
            if (key == NULL || path == NULL || !safe_rel_path(path))
                continue;
            size_t len = 0;
            cleanup_free unsigned char *data = bytes_of(obj, secret, key, &len);
            if (data == NULL) {
                if (cJSON_IsTrue(get(src, "optional")))
                    continue;
                *why = xasprintf("%s references non-existent config key: %s", secret ? "secret" : "configmap", key);
                return 1;
            }
            const cJSON *m = get(it, "mode");
            cleanup_free char *fp = xasprintf("%s/%s", vdir, path);
            if (write_file(fp, data, len, cJSON_IsNumber(m) ? m->valueint & 0777 : def_mode, err) < 0)
                return -1;
        }
        return 0;
    }
    const char *maps[] = {"data", secret ? NULL : "binaryData"};
    for (size_t i = 0; i < 2 && maps[i] != NULL; i++)
        for (const cJSON *kv = cJSON_IsObject(get(obj, maps[i])) ? get(obj, maps[i])->child : NULL; kv != NULL;
             kv = kv->next) {
            size_t len = 0;
            cleanup_free unsigned char *data = bytes_of(obj, secret, kv->string, &len);
            if (data == NULL || !safe_rel_path(kv->string))
                continue;
            cleanup_free char *fp = xasprintf("%s/%s", vdir, kv->string);
            if (write_file(fp, data, len, def_mode, err) < 0)
                return -1;
        }
    return 0;
}

/* An emptyDir on the host: mkdir -p base/vname[/sub], bind it. */
static int empty_dir_mount(const cJSON *vm, const char *vname, const char *target, const char *base,
                           struct kj_pod_container_spec *s, char **why, kj_error_t *err)
{
    if (base == NULL) {
        *why = xasprintf("volume \"%s\": subPath into an emptyDir needs kjobd's state dir", vname);
        return 1;
    }
    const char *sub = cJSON_GetStringValue(get(vm, "subPath"));
    bool has_sub = sub != NULL && sub[0] != '\0';
    if (has_sub && !safe_rel_path(sub)) {
        *why = xasprintf("volume \"%s\": invalid subPath", vname);
        return 1;
    }
    cleanup_free char *path = has_sub ? xasprintf("%s/%s/%s/", base, vname, sub)
                                      : xasprintf("%s/%s/", base, vname);
    if (mkdirs_for(path) < 0)
        return kj_make_error(err, errno, "create `%s`", path);
    /* World-writable like the kubelet's emptyDir: any container user. */
    path[strlen(path) - 1] = '\0';
    if (chmod(path, 0777) < 0)
        return kj_make_error(err, errno, "chmod `%s`", path);
    struct kj_docker_mount *m = &s->mounts[s->spec.n_mounts++];
    m->type = "bind";
    m->source = kj_pod_container_spec_keep(s, xstrdup(path));
    m->target = kj_pod_container_spec_keep(s, xstrdup(target));
    m->read_only = cJSON_IsTrue(get(vm, "readOnly"));
    return 0;
}

int kj_pod_config_volumes_write(const cJSON *pod_spec, const cJSON *c, const char *ns, const char *dir,
                                const char *empty_dir_base, kj_config_lookup_fn lookup, void *arg,
                                const cJSON *pod_meta, const struct kj_node_alloc *node,
                                struct kj_pod_container_spec *s, char **why, kj_error_t *err)
{
    *why = NULL;
    const cJSON *vm;
    bool made = false;
    cJSON_ArrayForEach(vm, get(c, "volumeMounts"))
    {
        const char *vname = cJSON_GetStringValue(get(vm, "name"));
        const char *target = cJSON_GetStringValue(get(vm, "mountPath"));
        const cJSON *vol = NULL, *v;
        cJSON_ArrayForEach(v, get(pod_spec, "volumes"))
        {
            const char *n = cJSON_GetStringValue(get(v, "name"));
            if (n != NULL && vname != NULL && strcmp(n, vname) == 0)
                vol = v;
        }
        const cJSON *ed = get(vol, "emptyDir");
        const char *medium = cJSON_GetStringValue(get(ed, "medium"));
        if (ed != NULL && target != NULL && (medium == NULL || strcmp(medium, "Memory") != 0) &&
            kj_pod_empty_dir_on_host(pod_spec, vname)) {
            int rc = empty_dir_mount(vm, vname, target, empty_dir_base, s, why, err);
            if (rc != 0)
                return rc;
            continue;
        }
        const cJSON *src = get(vol, "configMap");
        bool secret = src == NULL;
        if (secret)
            src = get(vol, "secret");
        const char *oname = cJSON_GetStringValue(get(src, secret ? "secretName" : "name"));
        cleanup_cjson cJSON *dsrc = NULL, *dobj = NULL;
        if (get(vol, "downwardAPI") != NULL && target != NULL) {
            kj_pod_downward_source(get(vol, "downwardAPI"), pod_meta, pod_spec, node, &dsrc, &dobj);
            src = dsrc;
            secret = false;
            oname = "";
        }
        if (src == NULL || oname == NULL || target == NULL)
            continue;
        const cJSON *obj = dobj != NULL ? dobj : lookup(arg, secret ? "secrets" : "configmaps", ns, oname);
        if (obj == NULL && !cJSON_IsTrue(get(src, "optional"))) {
            /* The kubelet's words: the pod stays ContainerCreating. */
            *why = xasprintf("MountVolume.SetUp failed for volume \"%s\" : %s \"%s\" not found",
                             vname, secret ? "secret" : "configmap", oname);
            return 1;
        }
        if (!made) {
            /* Fresh at each attempt: a retried pod sees the current data. */
            if (kj_pod_dir_remove(dir) < 0 || (mkdir(dir, 0755) < 0 && errno != EEXIST))
                return kj_make_error(err, errno, "create `%s`", dir);
            made = true;
        }
        cleanup_free char *vdir = xasprintf("%s/%s", dir, vname);
        int rc = write_volume(src, secret, obj, vdir, why, err);
        if (rc != 0)
            return rc;
        const char *sub = cJSON_GetStringValue(get(vm, "subPath"));
        if (sub != NULL && sub[0] != '\0' && !safe_rel_path(sub))
            continue;
        struct kj_docker_mount *m = &s->mounts[s->spec.n_mounts++];
        m->type = "bind";
        m->source = kj_pod_container_spec_keep(
            s, sub != NULL && sub[0] != '\0' ? xasprintf("%s/%s", vdir, sub) : xstrdup(vdir));
        m->target = kj_pod_container_spec_keep(s, xstrdup(target));
        m->read_only = true; /* Kubernetes mounts these read-only whatever readOnly says */
    }
    return 0;
}
