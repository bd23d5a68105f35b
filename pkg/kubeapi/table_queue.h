/* Server-side Table columns and cells for ReplicaSets, Services, ConfigMaps
 * and Secrets, as kubectl 1.32 prints them (`get rs`, `get svc`, `get cm`,
 * `get secrets`). Used by table.c. */
#ifndef KJ_KUBEAPI_TABLE_QUEUE_H
#define KJ_KUBEAPI_TABLE_QUEUE_H

#include <stdbool.h> /* bool */
#include <stdint.h>  /* int64_t */

#include <cjson/cJSON.h> /* cJSON */

/* Append the column definitions after NAME for `kind` to `cols`; false when
 * the kind is not one of those above (nothing appended). */
bool kj_table_queue_columns(const char *kind, cJSON *cols);

/* Append the cells after NAME of `item` to `cells` (now: Unix seconds);
 * false when the kind is not handled. */
bool kj_table_queue_cells(const char *kind, const cJSON *item, int64_t now, cJSON *cells);

#endif
