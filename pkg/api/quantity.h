/* Kubernetes resource quantities ("500m", "1Gi", "129e6", "1.5", "100Mi").
 *
 * A quantity is kept as an exact decimal `mantissa * 10^scale` plus the
 * format its suffix implied, like apimachinery's int64Amount, so it can be
 * re-encoded in Kubernetes' canonical form ("1.5" -> "1500m", "1000" -> "1k",
 * "1.5Gi" -> "1536Mi", "0.5Ki" -> "512"). Values whose mantissa does not fit
 * in int64 after the suffix is applied are rejected.
 */
#ifndef KJ_API_QUANTITY_H
#define KJ_API_QUANTITY_H

#include <stdbool.h> /* bool */
#include <stdint.h>  /* int64_t */

#include <cjson/cJSON.h> /* cJSON */

#include "util/error.h" /* kj_error_t */

enum kj_quantity_format {
    KJ_QUANTITY_DECIMAL_SI = 0,  /* "", n u m k M G T P E */
    KJ_QUANTITY_BINARY_SI = 1,   /* Ki Mi Gi Ti Pi Ei */
    KJ_QUANTITY_DECIMAL_EXP = 2, /* e3, E-6 */
};

struct kj_quantity {
    int64_t mantissa;
    int32_t scale; /* value = mantissa * 10^scale */
    enum kj_quantity_format format;
};

/* Parse s. On failure returns -1 and sets *err (HTTP 400) with
 * apimachinery's texts: "quantities must match the regular expression
 * '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'" or
 * "unable to parse quantity's suffix". */
int kj_quantity_parse(const char *s, struct kj_quantity *out, kj_error_t *err);

/* A quantity held in raw JSON: a string, or a number (YAML `cpu: 2` or
 * `cpu: 0.5`, printed with 15 significant digits so that 0.1 stays 0.1).
 * Anything else is the regular-expression error of kj_quantity_parse. */
int kj_quantity_from_json(const cJSON *v, struct kj_quantity *out, kj_error_t *err);

/* Canonical string (owned by caller), e.g. "500m", "1Gi", "129e6", "0". */
char *kj_quantity_format(const struct kj_quantity *q);

/* Value in thousandths, rounded up (apimachinery MilliValue), saturated at
 * INT64_MAX/INT64_MIN. */
int64_t kj_quantity_milli(const struct kj_quantity *q);
/* Value in units, rounded up (apimachinery Value), saturated. */
int64_t kj_quantity_value(const struct kj_quantity *q);

/* -1, 0, 1 by numeric value (format ignored). */
int kj_quantity_cmp(const struct kj_quantity *a, const struct kj_quantity *b);
bool kj_quantity_is_zero(const struct kj_quantity *q);

#endif
