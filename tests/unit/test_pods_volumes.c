/* emptyDir volumes of a pod template → Docker mounts
 * (controller/runtime_docker_map.h). Issue 8, first slice. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "controller/runtime_docker_map.h"

static int build(const char *tpl_json, struct kj_pod_container_spec *s, kj_error_t *err)
{
    cJSON *tpl = cJSON_Parse(tpl_json);
    assert_non_null(tpl);
    cJSON *labels = cJSON_Parse("{\"app\":\"x\"}");
    struct kj_runtime_pod_req req = {.ns = "ns", .job_name = "j", .job_uid = "ju", .pod_name = "j-abcde",
                                     .pod_uid = "pu", .index = -1, .pod_template = tpl, .labels = labels};
    int rc = kj_pod_container_spec_build(&req, NULL, NULL, s, err);
    cJSON_Delete(tpl);
    cJSON_Delete(labels);
    return rc;
}

static const char *label(const struct kj_docker_mount *m, const char *key)
{
    for (size_t i = 0; i < m->n_labels; i++)
        if (strcmp(m->labels[i].key, key) == 0)
            return m->labels[i].value;
    return NULL;
}

static void test_empty_dir_mounts(void **state)
{
    (void)state;
    struct kj_pod_container_spec s;
    kj_error_t err = NULL;
    assert_int_equal(build("{\"spec\":{\"volumes\":[{\"name\":\"scratch\",\"emptyDir\":{}},"
                           "{\"name\":\"mem\",\"emptyDir\":{\"medium\":\"Memory\",\"sizeLimit\":\"64Mi\"}},"
                           "{\"name\":\"cfg\",\"configMap\":{\"name\":\"c\"}}],"
                           "\"containers\":[{\"name\":\"c\",\"image\":\"kjob/busybox:latest\",\"volumeMounts\":["
                           "{\"name\":\"scratch\",\"mountPath\":\"/scratch\"},"
                           "{\"name\":\"mem\",\"mountPath\":\"/mem\",\"readOnly\":true},"
                           "{\"name\":\"cfg\",\"mountPath\":\"/cfg\"}]}]}}",
                           &s, &err),
                     0);
    assert_int_equal(s.spec.n_mounts, 2); /* configMap volumes are not mounted by this slice */
    const struct kj_docker_mount *m = &s.spec.mounts[0];
    assert_string_equal(m->type, "volume");
    assert_null(m->source);
    assert_string_equal(m->target, "/scratch");
    assert_false(m->read_only);
    assert_string_equal(label(m, "io.kjob.pod-uid"), "pu");
    assert_string_equal(label(m, "io.kjob.owner-uid"), "ju");
    assert_string_equal(label(m, "io.kjob.managed"), "true");
    m = &s.spec.mounts[1];
    assert_string_equal(m->type, "tmpfs");
    assert_string_equal(m->target, "/mem");
    assert_true(m->read_only);
    assert_int_equal(m->tmpfs_size, 64 * 1024 * 1024);
    kj_pod_container_spec_clear(&s);
}

static void test_empty_dir_refusals(void **state)
{
    (void)state;
    struct kj_pod_container_spec s;
    kj_error_t err = NULL;
    assert_int_equal(build("{\"spec\":{\"volumes\":[{\"name\":\"v\",\"emptyDir\":{\"medium\":\"Memory\"}}],"
                           "\"containers\":[{\"name\":\"c\",\"image\":\"i\",\"volumeMounts\":["
                           "{\"name\":\"v\",\"mountPath\":\"/v\",\"subPath\":\"a\"}]}]}}",
                           &s, &err),
                     -1);
    assert_non_null(strstr(err->msg, "subPath on a medium: Memory emptyDir volume is not supported"));
    kj_error_release(&err);
    /* With a subPath anywhere in the pod, the emptyDir is a host directory
     * (kj_pod_config_volumes_write), for every mount of it. */
    assert_int_equal(build("{\"spec\":{\"volumes\":[{\"name\":\"v\",\"emptyDir\":{}}],"
                           "\"containers\":[{\"name\":\"c\",\"image\":\"i\",\"volumeMounts\":["
                           "{\"name\":\"v\",\"mountPath\":\"/v\"}]}],"
                           "\"initContainers\":[{\"name\":\"o\",\"volumeMounts\":["
                           "{\"name\":\"v\",\"mountPath\":\"/w\",\"subPath\":\"a\"}]}]}}",
                           &s, &err),
                     0);
    assert_int_equal(s.spec.n_mounts, 0);
    kj_pod_container_spec_clear(&s);
    assert_int_equal(build("{\"spec\":{\"volumes\":[{\"name\":\"v\",\"emptyDir\":{\"medium\":\"Memory\",\"sizeLimit\":\"lots\"}}],"
                           "\"containers\":[{\"name\":\"c\",\"image\":\"i\",\"volumeMounts\":["
                           "{\"name\":\"v\",\"mountPath\":\"/v\"}]}]}}",
                           &s, &err),
                     -1);
    assert_non_null(strstr(err->msg, "emptyDir.sizeLimit"));
    kj_error_release(&err);
    /* no mounts at all: nothing in the spec */
    assert_int_equal(build("{\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"i\"}]}}", &s, &err), 0);
    assert_int_equal(s.spec.n_mounts, 0);
    assert_null(s.spec.mounts);
    kj_pod_container_spec_clear(&s);
}

static void test_host_path_is_a_bind(void **state)
{
    (void)state;
    struct kj_pod_container_spec s;
    kj_error_t err = NULL;
    assert_int_equal(build("{\"spec\":{\"volumes\":[{\"name\":\"h\",\"hostPath\":{\"path\":\"/srv/data\"}}],"
                           "\"containers\":[{\"name\":\"c\",\"image\":\"i\",\"volumeMounts\":["
                           "{\"name\":\"h\",\"mountPath\":\"/data\",\"readOnly\":true}]}]}}",
                           &s, &err),
                     0);
    assert_int_equal(s.spec.n_mounts, 1);
    assert_string_equal(s.spec.mounts[0].type, "bind");
    assert_string_equal(s.spec.mounts[0].source, "/srv/data");
    assert_string_equal(s.spec.mounts[0].target, "/data");
    assert_true(s.spec.mounts[0].read_only);
    kj_pod_container_spec_clear(&s);
    /* subPath: a directory below the host path. */
    assert_int_equal(build("{\"spec\":{\"volumes\":[{\"name\":\"h\",\"hostPath\":{\"path\":\"/srv/data\"}}],"
                           "\"containers\":[{\"name\":\"c\",\"image\":\"i\",\"volumeMounts\":["
                           "{\"name\":\"h\",\"mountPath\":\"/data\",\"subPath\":\"a/b\"}]}]}}",
                           &s, &err),
                     0);
    assert_string_equal(s.spec.mounts[0].source, "/srv/data/a/b");
    kj_pod_container_spec_clear(&s);
    assert_int_equal(build("{\"spec\":{\"volumes\":[{\"name\":\"h\",\"hostPath\":{\"path\":\"/srv/data\"}}],"
                           "\"containers\":[{\"name\":\"c\",\"image\":\"i\",\"volumeMounts\":["
                           "{\"name\":\"h\",\"mountPath\":\"/data\",\"subPath\":\"../etc\"}]}]}}",
                           &s, &err),
                     -1);
    assert_non_null(strstr(err->msg, "invalid subPath"));
    kj_error_release(&err);
}

static cJSON *world;

static const cJSON *lookup(void *arg, const char *resource, const char *ns, const char *name)
{
    (void)arg;
    (void)ns;
    return cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(world, resource), name);
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return NULL;
    char *buf = calloc(1, 256);
    size_t n = fread(buf, 1, 255, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static int mode_of(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (int)(st.st_mode & 0777) : -1;
}

static void test_config_volume_files(void **state)
{
    (void)state;
    world = cJSON_Parse("{\"configmaps\":{\"app\":{\"data\":{\"run.sh\":\"echo hi\",\"other\":\"o\"}}},"
                        "\"secrets\":{\"db\":{\"data\":{\"pw\":\"aHVudGVyMg==\"}}}}");
    cJSON *spec = cJSON_Parse(
        "{\"volumes\":[{\"name\":\"cfg\",\"configMap\":{\"name\":\"app\",\"defaultMode\":365}},"
        "{\"name\":\"sec\",\"secret\":{\"secretName\":\"db\",\"items\":[{\"key\":\"pw\",\"path\":\"a/b\",\"mode\":256}]}},"
        "{\"name\":\"opt\",\"configMap\":{\"name\":\"gone\",\"optional\":true}}],"
        "\"containers\":[{\"name\":\"c\",\"image\":\"i\",\"volumeMounts\":["
        "{\"name\":\"cfg\",\"mountPath\":\"/cfg\"},{\"name\":\"cfg\",\"mountPath\":\"/x.sh\",\"subPath\":\"run.sh\"},"
        "{\"name\":\"sec\",\"mountPath\":\"/sec\"},{\"name\":\"opt\",\"mountPath\":\"/opt\"}]}]}");
    char tmpl[] = "/tmp/kj-pods-vol-XXXXXX";
    assert_non_null(mkdtemp(tmpl));
    char dir[64];
    snprintf(dir, sizeof dir, "%s/pod", tmpl);
    struct kj_pod_container_spec s;
    memset(&s, 0, sizeof s);
    s.mounts = calloc(4, sizeof *s.mounts);
    s.spec.mounts = s.mounts;
    char *why = NULL;
    kj_error_t err = NULL;
    const cJSON *c = cJSON_GetArrayItem(cJSON_GetObjectItem(spec, "containers"), 0);
    assert_int_equal(kj_pod_config_volumes_write(spec, c, "ns", dir, NULL, lookup, NULL, NULL, NULL, &s, &why, &err), 0);
    char path[128];
    snprintf(path, sizeof path, "%s/cfg/run.sh", dir);
    char *got = slurp(path);
    assert_string_equal(got, "echo hi");
    free(got);
    assert_int_equal(mode_of(path), 0555);
    snprintf(path, sizeof path, "%s/sec/a/b", dir);
    got = slurp(path);
    assert_string_equal(got, "hunter2"); /* decoded; only the listed item */
    free(got);
    assert_int_equal(mode_of(path), 0400);
    snprintf(path, sizeof path, "%s/sec/pw", dir);
    assert_int_equal(mode_of(path), -1);
    assert_int_equal(s.spec.n_mounts, 4);
    assert_string_equal(s.spec.mounts[1].target, "/x.sh");
    assert_non_null(strstr(s.spec.mounts[1].source, "/cfg/run.sh"));
    for (size_t i = 0; i < 4; i++) {
        assert_string_equal(s.spec.mounts[i].type, "bind");
        assert_true(s.spec.mounts[i].read_only);
    }
    kj_pod_container_spec_clear(&s);

    /* a missing non-optional ConfigMap, then a missing item key */
    memset(&s, 0, sizeof s);
    s.mounts = calloc(4, sizeof *s.mounts);
    s.spec.mounts = s.mounts;
    cJSON_DeleteItemFromObject(cJSON_GetObjectItem(world, "configmaps"), "app");
    assert_int_equal(kj_pod_config_volumes_write(spec, c, "ns", dir, NULL, lookup, NULL, NULL, NULL, &s, &why, &err), 1);
    assert_string_equal(why, "MountVolume.SetUp failed for volume \"cfg\" : configmap \"app\" not found");
    free(why);
    cJSON_AddItemToObject(cJSON_GetObjectItem(world, "configmaps"), "app", cJSON_Parse("{\"data\":{}}"));
    cJSON_ReplaceItemInObject(cJSON_GetObjectItem(world, "secrets"), "db", cJSON_Parse("{\"data\":{}}"));
    assert_int_equal(kj_pod_config_volumes_write(spec, c, "ns", dir, NULL, lookup, NULL, NULL, NULL, &s, &why, &err), 1);
    assert_string_equal(why, "secret references non-existent config key: pw");
    free(why);
    kj_pod_container_spec_clear(&s);

    assert_int_equal(kj_pod_dir_remove(tmpl), 0);
    assert_int_equal(access(tmpl, F_OK), -1);
    cJSON_Delete(spec);
    cJSON_Delete(world);
}

static void test_downward_api(void **state)
{
    (void)state;
    cJSON *meta = cJSON_Parse("{\"name\":\"p\",\"namespace\":\"ns\",\"uid\":\"u1\","
                              "\"labels\":{\"z\":\"last\",\"a\":\"say \\\"hi\\\"\\n\"},"
                              "\"annotations\":{\"k\":\"v\"}}");
    char *v = kj_pod_field_value(meta, "metadata.labels");
    assert_string_equal(v, "a=\"say \\\"hi\\\"\\n\"\nz=\"last\""); /* sorted, Go-quoted, no final newline */
    free(v);
    v = kj_pod_field_value(meta, "metadata.annotations['k']");
    assert_string_equal(v, "v");
    free(v);
    v = kj_pod_field_value(meta, "metadata.labels['none']");
    assert_string_equal(v, "");
    free(v);
    v = kj_pod_field_value(meta, "metadata.uid");
    assert_string_equal(v, "u1");
    free(v);
    assert_null(kj_pod_field_value(meta, "spec.nodeName"));
    cJSON *dapi = cJSON_Parse("{\"defaultMode\":256,\"items\":["
                              "{\"path\":\"n\",\"fieldRef\":{\"fieldPath\":\"metadata.name\"},\"mode\":384},"
                              "{\"path\":\"cpu\",\"resourceFieldRef\":{\"containerName\":\"c\","
                              "\"resource\":\"limits.cpu\",\"divisor\":\"1m\"}},"
                              "{\"path\":\"disk\",\"resourceFieldRef\":{\"containerName\":\"c\","
                              "\"resource\":\"limits.ephemeral-storage\"}}]}");
    cJSON *pspec = cJSON_Parse("{\"containers\":[{\"name\":\"c\",\"resources\":{\"limits\":{\"cpu\":\"250m\"}}}]}");
    cJSON *src = NULL, *obj = NULL;
    /* ephemeral storage without a limit has no value here: skipped */
    assert_int_equal(kj_pod_downward_source(dapi, meta, pspec, NULL, &src, &obj), 1);
    char *out = cJSON_PrintUnformatted(src);
    assert_string_equal(out, "{\"defaultMode\":256,\"items\":[{\"key\":\"n\",\"path\":\"n\",\"mode\":384},"
                             "{\"key\":\"cpu\",\"path\":\"cpu\"}]}");
    free(out);
    out = cJSON_PrintUnformatted(obj);
    assert_string_equal(out, "{\"data\":{\"n\":\"p\",\"cpu\":\"250\"}}");
    cJSON_Delete(pspec);
    free(out);
    cJSON_Delete(src);
    cJSON_Delete(obj);
    cJSON_Delete(dapi);
    cJSON_Delete(meta);
}

/* resourceFieldRef as the kubelet computes it: ceil(quantity / divisor),
 * limits unset = the node's allocatable, requests unset = the limit or 0. */
static void test_resource_field_values(void **state)
{
    (void)state;
    static const struct {
        const char *container; /* "resources" of container "c" */
        const char *ref;
        const char *want; /* NULL: no value */
    } cases[] = {
        {"{\"limits\":{\"cpu\":\"500m\"}}", "{\"resource\":\"limits.cpu\"}", "1"},
        {"{\"limits\":{\"cpu\":\"500m\"}}", "{\"resource\":\"limits.cpu\",\"divisor\":\"1m\"}", "500"},
        {"{\"limits\":{\"cpu\":2}}", "{\"resource\":\"limits.cpu\"}", "2"},
        {"{}", "{\"resource\":\"limits.cpu\"}", "4"}, /* the node's 4 CPUs */
        {"{\"limits\":{\"cpu\":\"250m\"}}", "{\"resource\":\"requests.cpu\",\"divisor\":\"1m\"}", "250"},
        {"{\"requests\":{\"cpu\":\"100m\"},\"limits\":{\"cpu\":\"1\"}}",
         "{\"resource\":\"requests.cpu\",\"divisor\":\"1m\"}", "100"},
        {"{}", "{\"resource\":\"requests.cpu\"}", "0"},
        {"{\"limits\":{\"memory\":\"64Mi\"}}", "{\"resource\":\"limits.memory\"}", "67108864"},
        {"{\"limits\":{\"memory\":\"64Mi\"}}", "{\"resource\":\"limits.memory\",\"divisor\":\"1Mi\"}", "64"},
        {"{\"limits\":{\"memory\":\"64Mi\"}}", "{\"resource\":\"limits.memory\",\"divisor\":\"1Gi\"}", "1"},
        {"{}", "{\"resource\":\"limits.memory\",\"divisor\":\"1Mi\"}", "8192"},
        {"{}", "{\"resource\":\"requests.memory\"}", "0"},
        {"{\"limits\":{\"ephemeral-storage\":\"1Gi\"}}",
         "{\"resource\":\"limits.ephemeral-storage\",\"divisor\":\"1Mi\"}", "1024"},
        {"{}", "{\"resource\":\"limits.ephemeral-storage\"}", NULL},
        {"{}", "{\"resource\":\"limits.hugepages-2Mi\"}", "0"},
        {"{}", "{\"resource\":\"limits.gpu\"}", NULL},
        {"{\"limits\":{\"cpu\":\"3\"}}", "{\"containerName\":\"side\",\"resource\":\"limits.cpu\"}", "1"},
        {"{}", "{\"containerName\":\"nope\",\"resource\":\"limits.cpu\"}", NULL},
    };
    struct kj_node_alloc node = {.cpu_milli = 4000, .memory = INT64_C(8) << 30};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char buf[512];
        snprintf(buf, sizeof buf,
                 "{\"containers\":[{\"name\":\"c\",\"resources\":%s}],"
                 "\"initContainers\":[{\"name\":\"side\",\"resources\":{\"limits\":{\"cpu\":\"1\"}}}]}",
                 cases[i].container);
        cJSON *spec = cJSON_Parse(buf);
        cJSON *ref = cJSON_Parse(cases[i].ref);
        const cJSON *self = cJSON_GetArrayItem(cJSON_GetObjectItem(spec, "containers"), 0);
        char *v = kj_pod_resource_value(spec, self, ref, &node);
        print_message("# %s %s\n", cases[i].container, cases[i].ref);
        if (cases[i].want == NULL)
            assert_null(v);
        else
            assert_string_equal(v, cases[i].want);
        free(v);
        cJSON_Delete(ref);
        cJSON_Delete(spec);
    }
    /* A limit not set and no node known: no value rather than a wrong one. */
    cJSON *spec = cJSON_Parse("{\"containers\":[{\"name\":\"c\"}]}");
    cJSON *ref = cJSON_Parse("{\"resource\":\"limits.cpu\"}");
    assert_null(kj_pod_resource_value(spec, cJSON_GetArrayItem(cJSON_GetObjectItem(spec, "containers"), 0),
                                      ref, NULL));
    cJSON_Delete(ref);
    cJSON_Delete(spec);
}

static void test_empty_dir_subpath_on_host(void **state)
{
    (void)state;
    char base[] = "/tmp/kjob-empty-XXXXXX";
    assert_non_null(mkdtemp(base));
    cJSON *spec = cJSON_Parse("{\"volumes\":[{\"name\":\"w\",\"emptyDir\":{}}],"
                              "\"containers\":[{\"name\":\"c\",\"image\":\"i\",\"volumeMounts\":["
                              "{\"name\":\"w\",\"mountPath\":\"/out\",\"subPath\":\"a/b\"},"
                              "{\"name\":\"w\",\"mountPath\":\"/all\",\"readOnly\":true}]}]}");
    const cJSON *c = cJSON_GetArrayItem(cJSON_GetObjectItem(spec, "containers"), 0);
    struct kj_pod_container_spec s;
    memset(&s, 0, sizeof s);
    s.mounts = calloc(2, sizeof *s.mounts);
    s.spec.mounts = s.mounts;
    char *why = NULL;
    kj_error_t err = NULL;
    char dir[64], empty[64];
    snprintf(dir, sizeof dir, "%s/files", base);
    snprintf(empty, sizeof empty, "%s/p.empty", base);
    assert_int_equal(kj_pod_config_volumes_write(spec, c, "ns", dir, empty, NULL, NULL, NULL, NULL, &s, &why, &err), 0);
    assert_int_equal(s.spec.n_mounts, 2);
    char want[96];
    snprintf(want, sizeof want, "%s/w/a/b", empty);
    assert_string_equal(s.mounts[0].type, "bind");
    assert_string_equal(s.mounts[0].source, want);
    assert_string_equal(s.mounts[0].target, "/out");
    struct stat st;
    assert_int_equal(stat(want, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    assert_int_equal(st.st_mode & 0777, 0777);
    snprintf(want, sizeof want, "%s/w", empty);
    assert_string_equal(s.mounts[1].source, want);
    assert_true(s.mounts[1].read_only);
    /* Without a state dir: refused, with a reason. */
    s.spec.n_mounts = 0;
    assert_int_equal(kj_pod_config_volumes_write(spec, c, "ns", dir, NULL, NULL, NULL, NULL, NULL, &s, &why, &err), 1);
    assert_non_null(strstr(why, "needs kjobd's state dir"));
    free(why);
    kj_pod_container_spec_clear(&s);
    cJSON_Delete(spec);
    assert_int_equal(kj_pod_dir_remove(base), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty_dir_mounts),
        cmocka_unit_test(test_empty_dir_refusals),
        cmocka_unit_test(test_host_path_is_a_bind),
        cmocka_unit_test(test_config_volume_files),
        cmocka_unit_test(test_downward_api),
        cmocka_unit_test(test_resource_field_values),
        cmocka_unit_test(test_empty_dir_subpath_on_host),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
