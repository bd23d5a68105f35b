/* Fuzz the REST request-target parsers: path/query split and decoding,
 * list options, label/field selectors, propagation policy and route
 * matching against the built-in table, gracePeriodSeconds. Input: one request target
 * ("/api/v1/namespaces/a/pods?labelSelector=..."), NUL bytes cut it. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "apiserver/filter.h"
#include "apiserver/query.h"
#include "apiserver/router.h"
#include "apiserver/server.h"
#include "util/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 8192)
        return 0;
    kj_log_threshold = KJ_LOG_ERROR + 1;
    char *target = malloc(size + 1);
    if (target == NULL)
        return 0;
    memcpy(target, data, size);
    target[size] = '\0';

    char *path = NULL;
    struct kj_query q;
    kj_error_t err = NULL;
    if (kj_request_target_parse(target, &path, &q, &err) == 0) {
        size_t n = 0;
        const struct kj_route *routes = kj_apiserver_builtin_routes(&n);
        struct kj_route_params p;
        static const char *const methods[] = {"GET", "POST", "DELETE", "PATCH"};
        for (size_t m = 0; m < 4; m++) {
            int i = kj_route_match(routes, n, methods[m], path, &p);
            if (i >= 0) {
                (void)kj_route_param(&p, "namespace");
                (void)kj_route_param(&p, "name");
            }
        }
        struct kj_list_opts o;
        if (kj_list_opts_parse(&q, &o, &err) == 0) {
            struct kj_filter f;
            if (kj_filter_from_opts(&o, &f, &err) == 0) {
                cJSON *obj = cJSON_Parse("{\"metadata\":{\"name\":\"a\",\"labels\":{\"job-name\":\"pi\",\"x\":\"1\"}},"
                                         "\"status\":{\"phase\":\"Running\",\"succeeded\":2}}");
                if (obj != NULL)
                    (void)kj_filter_matches(&f, obj);
                cJSON_Delete(obj);
            }
            kj_filter_clear(&f);
        }
        kj_error_release(&err);
        enum kj_propagation pp;
        (void)kj_propagation_parse(kj_query_get(&q, "propagationPolicy"), &pp, &err);
        kj_error_release(&err);
        int grace;
        (void)kj_grace_period_parse(&q, NULL, &grace, &err);
        kj_error_release(&err);
        kj_query_clear(&q);
        free(path);
    }
    kj_error_release(&err);
    free(target);
    return 0;
}
