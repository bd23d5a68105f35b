/* `kubectl describe job` as kubectl prints it (k8s-job.md §8.2), for
 * kjobctl: the same text from the same JSON objects, aligned with
 * kj_tabwrite(…, 0, 2). Times print in UTC.
 */
#ifndef KJ_KUBEAPI_DESCRIBE_H
#define KJ_KUBEAPI_DESCRIBE_H

#include <cjson/cJSON.h> /* cJSON */
#include <stdint.h>      /* int64_t */

/* job: the Job object; events: an array of Event objects about it (may be
 * NULL); now: seconds since the epoch for the ages. Returns the aligned text,
 * owned by the caller, or NULL on OOM. */
char *kj_describe_job(const cJSON *job, const cJSON *events, int64_t now);

#endif
