/* Pod env from ConfigMaps and Secrets (controller/runtime_docker_map.h:
 * kj_pod_env_refs_resolve, and that the container spec leaves such env to
 * it). Issue 8, first slice. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "controller/runtime_docker_map.h"

/* A tiny store: {"configmaps": {"ns/name": obj}, "secrets": {...}}. */
static cJSON *world;

static const cJSON *lookup(void *arg, const char *resource, const char *ns, const char *name)
{
    (void)arg;
    char key[256];
    snprintf(key, sizeof key, "%s/%s", ns, name);
    return cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(world, resource), key);
}

static int setup(void **state)
{
    (void)state;
    world = cJSON_Parse("{\"configmaps\":{\"ns/app\":{\"data\":{\"MODE\":\"fast\",\"LEVEL\":\"3\"},"
                        "\"binaryData\":{\"BIN\":\"aGk=\"}}},"
                        "\"secrets\":{\"ns/db\":{\"data\":{\"password\":\"aHVudGVyMg==\"}}}}");
    return world != NULL ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    cJSON_Delete(world);
    return 0;
}

/* Resolve the container JSON; returns the vars joined by ';' or "!why". */
static char *resolve(const char *container_json)
{
    cJSON *c = cJSON_Parse(container_json);
    assert_non_null(c);
    char **vars = NULL, *why = NULL;
    int rc = kj_pod_env_refs_resolve(c, "ns", lookup, NULL, &vars, &why);
    cJSON_Delete(c);
    char buf[1024] = "";
    if (rc != 0) {
        assert_null(vars);
        snprintf(buf, sizeof buf, "!%s", why);
        free(why);
        return strdup(buf);
    }
    assert_null(why);
    for (size_t i = 0; vars != NULL && vars[i] != NULL; i++) {
        strcat(buf, i ? ";" : "");
        strcat(buf, vars[i]);
        free(vars[i]);
    }
    free(vars);
    return strdup(buf);
}

#define EXPECT(json, want)                                                                         \
    do {                                                                                           \
        char *got_ = resolve(json);                                                                \
        assert_string_equal(got_, want);                                                           \
        free(got_);                                                                                \
    } while (0)

static void test_key_refs(void **state)
{
    (void)state;
    EXPECT("{\"env\":[{\"name\":\"M\",\"valueFrom\":{\"configMapKeyRef\":{\"name\":\"app\",\"key\":\"MODE\"}}},"
           "{\"name\":\"PW\",\"valueFrom\":{\"secretKeyRef\":{\"name\":\"db\",\"key\":\"password\"}}},"
           "{\"name\":\"B\",\"valueFrom\":{\"configMapKeyRef\":{\"name\":\"app\",\"key\":\"BIN\"}}},"
           "{\"name\":\"PLAIN\",\"value\":\"x\"}]}",
           "M=fast;PW=hunter2;B=hi");
}

static void test_env_from_with_prefix(void **state)
{
    (void)state;
    EXPECT("{\"envFrom\":[{\"configMapRef\":{\"name\":\"app\"},\"prefix\":\"CFG_\"},"
           "{\"secretRef\":{\"name\":\"db\"}}]}",
           "CFG_MODE=fast;CFG_LEVEL=3;CFG_BIN=hi;password=hunter2");
}

static void test_missing_refs(void **state)
{
    (void)state;
    EXPECT("{\"env\":[{\"name\":\"M\",\"valueFrom\":{\"configMapKeyRef\":{\"name\":\"nope\",\"key\":\"k\"}}}]}",
           "!configmap \"nope\" not found");
    EXPECT("{\"env\":[{\"name\":\"M\",\"valueFrom\":{\"secretKeyRef\":{\"name\":\"db\",\"key\":\"user\"}}}]}",
           "!couldn't find key user in Secret ns/db");
    EXPECT("{\"envFrom\":[{\"secretRef\":{\"name\":\"gone\"}}]}", "!secret \"gone\" not found");
    /* optional: skipped, never an error */
    EXPECT("{\"envFrom\":[{\"secretRef\":{\"name\":\"gone\",\"optional\":true}}],"
           "\"env\":[{\"name\":\"M\",\"valueFrom\":{\"configMapKeyRef\":{\"name\":\"nope\",\"key\":\"k\",\"optional\":true}}},"
           "{\"name\":\"U\",\"valueFrom\":{\"secretKeyRef\":{\"name\":\"db\",\"key\":\"user\",\"optional\":true}}}]}",
           "");
}

static void test_has_refs_and_spec_skips_them(void **state)
{
    (void)state;
    cJSON *tpl = cJSON_Parse(
        "{\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"kjob/busybox:latest\",\"env\":["
        "{\"name\":\"A\",\"value\":\"1\"},"
        "{\"name\":\"PW\",\"valueFrom\":{\"secretKeyRef\":{\"name\":\"db\",\"key\":\"password\"}}}]}]}}");
    const cJSON *c = cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetObjectItem(tpl, "spec"), "containers"), 0);
    assert_true(kj_pod_env_has_refs(c));
    cJSON *plain = cJSON_Parse("{\"env\":[{\"name\":\"A\",\"value\":\"1\"}]}");
    assert_false(kj_pod_env_has_refs(plain));
    cJSON_Delete(plain);
    cJSON *labels = cJSON_Parse("{}");
    struct kj_runtime_pod_req req = {.ns = "ns", .job_name = "j", .job_uid = "u", .pod_name = "j-abcde",
                                     .pod_uid = "pu", .index = -1, .pod_template = tpl, .labels = labels};
    struct kj_pod_container_spec s;
    kj_error_t err = NULL;
    assert_int_equal(kj_pod_container_spec_build(&req, NULL, NULL, &s, &err), 0);
    assert_string_equal(s.spec.env[0], "A=1");
    assert_null(s.spec.env[1]); /* left to kj_pod_env_refs_resolve */
    char **vars = calloc(2, sizeof *vars);
    vars[0] = strdup("PW=hunter2");
    kj_pod_container_spec_prepend_env(&s, vars);
    assert_string_equal(s.spec.env[0], "PW=hunter2");
    assert_string_equal(s.spec.env[1], "A=1");
    assert_null(s.spec.env[2]);
    kj_pod_container_spec_clear(&s);
    cJSON_Delete(labels);
    cJSON_Delete(tpl);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_key_refs),
        cmocka_unit_test(test_env_from_with_prefix),
        cmocka_unit_test(test_missing_refs),
        cmocka_unit_test(test_has_refs_and_spec_skips_them),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
