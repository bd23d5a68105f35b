/* YAML / JSON manifest text -> cJSON, with Kubernetes' conversion rules.
 *
 * Every manifest passes through here before the typed decoders (codec.h) see
 * it. The rules are those of sigs.k8s.io/yaml over go-yaml v2, which kubectl
 * and the API server use:
 *
 *  - YAML 1.1 resolution of plain scalars: `yes/no/on/off/y/n/true/false` (and
 *    their Title/UPPER forms) are booleans, `~`/`null`/empty are null, ints
 *    take `0x`, `0o`, `0` (octal), `0b`, a sign and `_` separators, floats
 *    follow `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`, anything
 *    else (timestamps included) is a string. Quoted and block scalars are
 *    always strings. Tags `!!str !!int !!float !!bool !!null` are honoured;
 *    other tags (`!!binary`, `!!timestamp`, `!foo`) leave the text a string.
 *  - Numbers become cJSON numbers (double): integers beyond 2^53 lose
 *    precision, integers beyond uint64 become floats. `.inf` and `.nan` are
 *    errors as values (JSON cannot hold them); as keys they are ".inf" etc.
 *  - Mapping keys become strings: ints in decimal, floats as Go's
 *    FormatFloat(f, 'g', -1, 32), bools as "true"/"false". Null, mapping and
 *    sequence keys are errors. A key repeated in one mapping is an error
 *    (go-yaml's strict mode, which the API server applies).
 *  - Anchors/aliases are expanded by copying; merge keys `<<` (a mapping, an
 *    alias to one, or a sequence of those) add keys the mapping does not set
 *    itself, earlier sources first. Alias expansion is bounded
 *    (KJ_YAML_MAX_ALIAS_NODES nodes, KJ_YAML_MAX_ALIAS_BYTES bytes per call),
 *    so an alias bomb fails fast with "document contains excessive aliasing".
 *  - Nesting deeper than KJ_YAML_MAX_DEPTH fails; input larger than
 *    KJ_YAML_MAX_BYTES is refused before parsing.
 *  - Object keys keep document order (Go would sort them; JSON consumers
 *    must not care).
 *
 * Errors follow Kubernetes' wording with real 1-based line numbers, e.g.
 *   error converting YAML to JSON: yaml: line 3: mapping values are not allowed in this context (column 7)
 *   error converting YAML to JSON: yaml: unmarshal errors:\n  line 4: key "name" already set in map
 *   error decoding JSON: line 1, column 9: unexpected data after the top-level value
 * They carry HTTP 400 (413 for oversized input, 500 for out of memory), see
 * kj_error_http_status(). Thread-safe apart from cJSON's global error
 * pointer, which is written but never read here.
 */
#ifndef KJ_API_YAML_H
#define KJ_API_YAML_H

#include <cjson/cJSON.h> /* cJSON */
#include <stddef.h>      /* size_t */
#include <yaml.h>        /* yaml_parser_t, yaml_parser_delete */

#include "util/error.h" /* kj_error_t */

/* The API server's request body limit; larger input is refused (HTTP 413). */
#define KJ_YAML_MAX_BYTES (3 * 1024 * 1024)
/* Maximum nesting of mappings/sequences (also cJSON's parse limit). */
#define KJ_YAML_MAX_DEPTH 1000
/* Budget for alias expansion per kj_yaml_decode() call: nodes copied, and
 * bytes of keys and strings copied. */
#define KJ_YAML_MAX_ALIAS_NODES 100000
#define KJ_YAML_MAX_ALIAS_BYTES (32 * 1024 * 1024)

/* Decode a YAML (or JSON) stream of `---` separated documents.
 *
 * `buf` is borrowed and need not be NUL-terminated. Input whose first
 * non-space byte (after an optional UTF-8 BOM) is `{` or `[` is parsed as one
 * JSON value with cJSON (exact JSON semantics, duplicate keys and numbers out
 * of double range rejected). If that is not valid JSON the text is retried
 * as YAML (flow style such as `{name: x}` is YAML, not JSON); when YAML fails
 * too, the JSON syntax error is reported unless the text was valid YAML
 * syntax (then YAML's error, e.g. a duplicate key, is the relevant one).
 *
 * On success returns 0 and sets *out to a new cJSON array (owned by the
 * caller, cJSON_Delete) holding one element per document whose content is not
 * null: empty documents, comment-only documents and `--- null` are skipped, as
 * kubectl does. A document may be any JSON type (a plain scalar top level is
 * allowed; the caller rejects it). On failure returns < 0, sets *err and
 * leaves *out untouched. */
int kj_yaml_decode(const char *buf, size_t len, cJSON **out, kj_error_t *err);

/* Decode exactly one JSON value (a request body sent as application/json).
 *
 * `buf` is borrowed and need not be NUL-terminated; a UTF-8 BOM and
 * surrounding whitespace are allowed, anything else after the value is an
 * error, as are duplicate keys in one object and numbers that overflow a
 * double. Any JSON type is returned; the caller checks it is an object.
 * On success returns 0 and *out owns a new cJSON tree (cJSON_Delete). On
 * failure returns < 0 with *err set (line and column of the problem) and
 * *out untouched. */
int kj_json_decode(const char *buf, size_t len, cJSON **out, kj_error_t *err);

static inline void kj_cleanup_yaml_parserp(yaml_parser_t *p)
{
    yaml_parser_delete(p);
}

/* Deletes the parser when it leaves scope. The variable must be initialized
 * before any early return: by yaml_parser_initialize() or, when that may not
 * run, by `= {0}` (yaml_parser_delete() is a no-op on a zeroed parser). */
#define cleanup_yaml_parser __attribute__((cleanup(kj_cleanup_yaml_parserp)))

#endif
