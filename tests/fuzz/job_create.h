/* What kjobd's POST of a Job runs after the typed decode (handlers_jobs.c):
 * defaults, the namespace, uid and creation time, validation. The uid and
 * time are fixed so that results compare. Shared by the fuzz targets and
 * the unit tests; header-only because the fuzz targets link no test
 * helpers. Returns the number of field errors put in `errs`. */
#ifndef KJ_TESTS_JOB_CREATE_H
#define KJ_TESTS_JOB_CREATE_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/fielderr.h"
#include "api/validate.h"

static inline size_t kj_test_job_create(struct kj_job *job, struct kj_field_errors *errs)
{
    kj_job_default(job);
    if (job->metadata.namespace_ == NULL)
        job->metadata.namespace_ = strdup("default");
    kj_job_prepare_create(job, "0b6c2a4e-1111-2222-3333-444455556666",
                          INT64_C(1777228542000000000));
    return kj_job_validate_create(job, errs);
}

#endif
