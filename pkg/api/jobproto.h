/* Decoding of protobuf batch/v1 Job bodies. `kubectl create job` posts the
 * Job as `application/vnd.kubernetes.protobuf`; this turns it into the
 * same JSON the YAML/JSON decoders produce, so the create path validates
 * and defaults it like any other body. Field numbers are those of
 * Kubernetes' generated.proto files (batch/v1, core/v1, meta/v1).
 */
#ifndef KJ_API_JOBPROTO_H
#define KJ_API_JOBPROTO_H

#include <stddef.h> /* size_t */

#include <cjson/cJSON.h>

#include "util/error.h" /* kj_error_t */

/* Decode `len` bytes ("k8s\0" + runtime.Unknown wrapping a batch/v1 Job)
 * into {"kind":"Job","apiVersion":"batch/v1","metadata":{...},"spec":{...}}.
 * Read: ObjectMeta's name, generateName, namespace, labels, annotations,
 * ownerReferences, finalizers; every JobSpec field kjob models; the pod
 * template's metadata and the PodSpec fields kubectl or kjob use
 * (containers and initContainers with name, image, command, args,
 * workingDir, ports, env, resources, pull and termination policies;
 * restartPolicy and the scalar pod fields). Status, server-set metadata
 * and unknown fields are skipped; strings Go writes even when empty are
 * left out when empty, pointer fields are kept whatever their value.
 *
 * Returns a new object (caller owns), or NULL with a 400 error naming the
 * JSON path of the offending field when the body is malformed, is not
 * a Job, or is content-encoded. */
cJSON *kj_proto_job_decode(const unsigned char *buf, size_t len, kj_error_t *err);

#endif
