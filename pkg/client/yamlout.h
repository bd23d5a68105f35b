/* JSON -> YAML text as `kubectl get -o yaml` prints it: block style, keys
 * sorted (kubectl goes through a Go map), strings quoted only when a plain
 * scalar would read back as something else. Uses libyaml's emitter. */
#ifndef KJ_CLIENT_YAMLOUT_H
#define KJ_CLIENT_YAMLOUT_H

#include <cjson/cJSON.h> /* cJSON */

/* Returns a new string owned by the caller, or NULL on failure. */
char *kj_yaml_emit(const cJSON *doc);

#endif
