/* Exec requests; see exec.h. */
#include "docker/exec.h"

#include <errno.h>
#include <string.h>

#include "docker/docker-internal.h"
#include "util/cleanup.h"

kj_docker_req_t *kj_docker_exec_create(struct kj_docker *d, const char *container,
                                       const cJSON *argv, kj_docker_str_cb cb, void *data,
                                       kj_error_t *err)
{
    if (container == NULL || *container == '\0' || !cJSON_IsArray(argv)) {
        kj_make_error(err, EINVAL, "exec: no container or command");
        return NULL;
    }
    cleanup_free char *c = kj_docker_escape(container);
    cleanup_cjson cJSON *b = cJSON_CreateObject();
    if (c == NULL || b == NULL) {
        kj_make_error(err, ENOMEM, "exec in `%s`", container);
        return NULL;
    }
    cJSON_AddItemToObject(b, "Cmd", cJSON_Duplicate(argv, 1));
    cJSON_AddBoolToObject(b, "AttachStdin", false);
    cJSON_AddBoolToObject(b, "AttachStdout", false);
    cJSON_AddBoolToObject(b, "AttachStderr", false);
    char *body = cJSON_PrintUnformatted(b);
    if (body == NULL) {
        kj_make_error(err, ENOMEM, "exec in `%s`", container);
        return NULL;
    }
    return kj_docker_req_simple(d, &kj_docker_id_ops, "POST", body, (kj_docker_fn)cb, data,
                                "create exec", err, "/containers/%s/exec", c);
}

kj_docker_req_t *kj_docker_exec_start(struct kj_docker *d, const char *exec_id,
                                      kj_docker_done_cb cb, void *data, kj_error_t *err)
{
    cleanup_free char *id = exec_id != NULL ? kj_docker_escape(exec_id) : NULL;
    if (id == NULL) {
        kj_make_error(err, EINVAL, "start exec: no id");
        return NULL;
    }
    char *body = strdup("{\"Detach\":true,\"Tty\":false}");
    if (body == NULL) {
        kj_make_error(err, ENOMEM, "start exec");
        return NULL;
    }
    return kj_docker_req_simple(d, &kj_docker_done_ops, "POST", body, (kj_docker_fn)cb, data,
                                "start exec", err, "/exec/%s/start", id);
}

kj_docker_req_t *kj_docker_exec_inspect(struct kj_docker *d, const char *exec_id,
                                        kj_docker_json_cb cb, void *data, kj_error_t *err)
{
    cleanup_free char *id = exec_id != NULL ? kj_docker_escape(exec_id) : NULL;
    if (id == NULL) {
        kj_make_error(err, EINVAL, "inspect exec: no id");
        return NULL;
    }
    return kj_docker_req_simple(d, &kj_docker_json_ops, "GET", NULL, (kj_docker_fn)cb, data,
                                "inspect exec", err, "/exec/%s/json", id);
}
