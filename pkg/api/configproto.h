/* Decoding of protobuf ConfigMap and Secret bodies. kubectl's typed
 * clients (`kubectl create configmap`, `create secret generic`) send
 * `application/vnd.kubernetes.protobuf`, not JSON; the wire format and the
 * envelope are api/protowire.h's, this file maps the fields kjob stores
 * (the rest is skipped, as a proto3 reader does with unknown fields).
 */
#ifndef KJ_API_CONFIGPROTO_H
#define KJ_API_CONFIGPROTO_H

#include <stdbool.h> /* bool */
#include <stddef.h>  /* size_t */

#include <cjson/cJSON.h>

#include "api/protowire.h" /* kj_proto_content_type, for this header's users */

/* Decode `len` bytes ("k8s\0" + runtime.Unknown wrapping a core/v1
 * ConfigMap when !secret, else a Secret) into the JSON form the API uses
 * (kind, apiVersion, metadata.{name,generateName,namespace,resourceVersion,
 * labels,annotations}, data/binaryData/stringData/type/immutable; bytes
 * fields as base64). Returns a new object (caller owns), or NULL with a
 * lowercase reason in *why (static string) when the body is malformed or
 * of another kind. */
cJSON *kj_proto_config_decode(const unsigned char *buf, size_t len, bool secret, const char **why);

#endif
