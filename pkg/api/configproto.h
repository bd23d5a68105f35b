/* Decoding of the Kubernetes protobuf envelope for ConfigMap and Secret
 * bodies. kubectl's typed clients (`kubectl create configmap`, `create
 * secret generic`) send `application/vnd.kubernetes.protobuf`, not JSON, and
 * no protobuf library is part of kjob's stack; these two kinds are small, so
 * only the wire format and the fields kjob stores are read (the rest is
 * skipped, as a proto3 reader does with unknown fields).
 */
#ifndef KJ_API_CONFIGPROTO_H
#define KJ_API_CONFIGPROTO_H

#include <stdbool.h> /* bool */
#include <stddef.h>  /* size_t */

#include <cjson/cJSON.h>

/* True when `content_type` (may be NULL, may carry parameters) is
 * application/vnd.kubernetes.protobuf. */
bool kj_proto_content_type(const char *content_type);

/* Decode `len` bytes ("k8s\0" + runtime.Unknown wrapping a core/v1
 * ConfigMap when !secret, else a Secret) into the JSON form the API uses
 * (kind, apiVersion, metadata.{name,generateName,namespace,resourceVersion,
 * labels,annotations}, data/binaryData/stringData/type/immutable; bytes
 * fields as base64). Returns a new object (caller owns), or NULL with a
 * lowercase reason in *why (static string) when the body is malformed or
 * of another kind. */
cJSON *kj_proto_config_decode(const unsigned char *buf, size_t len, bool secret, const char **why);

#endif
