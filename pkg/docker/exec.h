/* Exec in a running container (readiness probes): create, start detached,
 * inspect. Same contract as every request of docker.h (one callback, later,
 * from the loop; borrowed results). The command's output is not collected:
 * probes need only its exit code (GET /exec/{id}/json: Running, ExitCode).
 */
#ifndef KJ_DOCKER_EXEC_H
#define KJ_DOCKER_EXEC_H

#include <cjson/cJSON.h> /* cJSON */

#include "docker/docker.h" /* kj_docker, kj_docker_req_t, callbacks */

/* POST /containers/{id}/exec with Cmd = argv (a JSON array of strings,
 * borrowed). `str` = the exec id. 404 = no such container, 409 = not running. */
kj_docker_req_t *kj_docker_exec_create(struct kj_docker *d, const char *container,
                                       const cJSON *argv, kj_docker_str_cb cb, void *data,
                                       kj_error_t *err);

/* POST /exec/{id}/start with Detach: the engine answers once the process
 * is started, not when it ends. */
kj_docker_req_t *kj_docker_exec_start(struct kj_docker *d, const char *exec_id,
                                      kj_docker_done_cb cb, void *data, kj_error_t *err);

/* GET /exec/{id}/json: the whole document (Running, ExitCode, Pid ...). */
kj_docker_req_t *kj_docker_exec_inspect(struct kj_docker *d, const char *exec_id,
                                        kj_docker_json_cb cb, void *data, kj_error_t *err);

#endif
