/* pkg/api codec: every field decodes and encodes (rich fixtures re-encode
 * byte for byte in canonical order), round trips are stable, unknown and
 * ignored fields are reported with full paths, type mismatches fail with
 * Go's text, the book's chapter 12 manifests decode to the expected objects. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/types.h"
#include "api/yaml.h"
#include "util/cleanup.h"

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        fail_msg("open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    if (len)
        *len = (size_t)n;
    return buf;
}

/* The first document of a YAML/JSON fixture. */
static cJSON *load_doc(const char *path)
{
    size_t len;
    cleanup_free char *buf = read_file(path, &len);
    cJSON *docs = NULL;
    kj_error_t err = NULL;
    if (kj_yaml_decode(buf, len, &docs, &err) < 0)
        fail_msg("%s: %s", path, err->msg);
    assert_true(cJSON_GetArraySize(docs) >= 1);
    cJSON *doc = cJSON_DetachItemFromArray(docs, 0);
    cJSON_Delete(docs);
    return doc;
}

static char *print(const cJSON *j)
{
    char *s = cJSON_PrintUnformatted(j);
    assert_non_null(s);
    return s;
}

static cJSON *parse(const char *s)
{
    cJSON *j = cJSON_Parse(s);
    if (j == NULL)
        fail_msg("bad test json: %s", s);
    return j;
}

/* decode(fixture) -> encode must equal the fixture (written in canonical
 * order), and decode -> encode -> decode -> encode must be byte-stable. */
static void check_canonical(enum kj_kind kind, const char *path)
{
    cleanup_cjson cJSON *doc = load_doc(path);
    assert_int_equal(kj_object_kind_of(doc), kind);
    const struct kj_kind_info *ki = kj_kind_info(kind);
    void *obj = calloc(1, ki->size), *obj2 = calloc(1, ki->size), *obj3 = calloc(1, ki->size);
    struct kj_strlist unknown = {0}, ignored = {0};
    kj_error_t err = NULL;
    if (kj_object_from_json(kind, doc, obj, &unknown, &ignored, &err) < 0)
        fail_msg("%s: %s", path, err->msg);
    if (unknown.len > 0)
        fail_msg("%s: unknown field %s", path, unknown.items[0]);
    cleanup_cjson cJSON *enc = kj_object_to_json(kind, obj);
    cleanup_free char *want = print(doc), *got = print(enc);
    if (strcmp(want, got) != 0)
        fail_msg("%s re-encodes differently:\nwant %s\ngot  %s", path, want, got);

    assert_int_equal(kj_object_from_json(kind, enc, obj2, NULL, NULL, &err), 0);
    cleanup_cjson cJSON *enc2 = kj_object_to_json(kind, obj2);
    cleanup_free char *got2 = print(enc2);
    assert_string_equal(got, got2);

    /* Deep copy encodes identically and shares nothing (freed separately). */
    kj_object_copy(kind, obj3, obj);
    kj_object_clear(kind, obj);
    cleanup_cjson cJSON *enc3 = kj_object_to_json(kind, obj3);
    cleanup_free char *got3 = print(enc3);
    assert_string_equal(got, got3);

    kj_object_clear(kind, obj2);
    kj_object_clear(kind, obj3);
    free(obj);
    free(obj2);
    free(obj3);
    kj_strlist_clear(&unknown);
    kj_strlist_clear(&ignored);
}

static void test_job_rich_canonical(void **state)
{
    (void)state;
    check_canonical(KJ_KIND_JOB, "tests/fixtures/api/job-rich.json");
}

static void test_pod_rich_canonical(void **state)
{
    (void)state;
    check_canonical(KJ_KIND_POD, "tests/fixtures/api/pod-rich.json");
}

static void test_other_kinds_canonical(void **state)
{
    (void)state;
    check_canonical(KJ_KIND_EVENT, "tests/fixtures/api/event.json");
    check_canonical(KJ_KIND_REPLICA_SET, "tests/fixtures/api/replicaset.json");
    check_canonical(KJ_KIND_SERVICE, "tests/fixtures/api/service.json");
    check_canonical(KJ_KIND_NAMESPACE, "tests/fixtures/api/namespace.json");
    check_canonical(KJ_KIND_STATUS, "tests/fixtures/api/status.json");
}

/* Spot-check that decoded values land in the right C fields. */
static void test_job_rich_fields(void **state)
{
    (void)state;
    cleanup_cjson cJSON *doc = load_doc("tests/fixtures/api/job-rich.json");
    struct kj_job job = {0};
    kj_error_t err = NULL;
    assert_int_equal(kj_job_from_json(doc, &job, NULL, NULL, &err), 0);
    assert_string_equal(job.metadata.name, "rich");
    assert_string_equal(job.metadata.namespace_, "default");
    assert_int_equal(job.metadata.generation, 3);
    assert_true(job.metadata.creation_timestamp == INT64_C(1777228542) * KJ_NSEC_PER_SEC);
    assert_true(job.metadata.has_deletion_grace_period_seconds);
    assert_int_equal(job.metadata.deletion_grace_period_seconds, 0);
    assert_string_equal(kj_labels_get(&job.metadata.labels, "b"), "2");
    assert_int_equal(job.metadata.n_owner_references, 1);
    assert_true(job.metadata.owner_references[0].has_controller);
    assert_false(job.metadata.owner_references[0].controller);
    assert_null(kj_object_meta_controller_ref(&job.metadata));
    assert_non_null(job.metadata.managed_fields);

    const struct kj_job_spec *s = &job.spec;
    assert_true(s->has_parallelism && s->parallelism == 2);
    assert_true(s->has_completions && s->completions == 4);
    assert_true(s->has_active_deadline_seconds && s->active_deadline_seconds == 600);
    assert_true(s->has_backoff_limit && s->backoff_limit == 3);
    assert_true(s->has_backoff_limit_per_index && s->backoff_limit_per_index == 1);
    assert_true(s->has_max_failed_indexes && s->max_failed_indexes == 2);
    assert_true(s->has_manual_selector && s->manual_selector);
    assert_true(s->has_ttl_seconds_after_finished && s->ttl_seconds_after_finished == 100);
    assert_true(s->has_suspend && !s->suspend);
    assert_string_equal(s->completion_mode, "Indexed");
    assert_string_equal(s->pod_replacement_policy, "Failed");
    assert_string_equal(s->managed_by, "kubernetes.io/job-controller");
    assert_true(s->has_pod_failure_policy);
    assert_int_equal(s->pod_failure_policy.n_rules, 2);
    const struct kj_pod_failure_policy_rule *r0 = &s->pod_failure_policy.rules[0];
    assert_string_equal(r0->action, "FailJob");
    assert_true(r0->has_on_exit_codes);
    assert_string_equal(r0->on_exit_codes.container_name, "main");
    assert_string_equal(r0->on_exit_codes.operator_, "In");
    assert_int_equal(r0->on_exit_codes.n_values, 3);
    assert_int_equal(r0->on_exit_codes.values[2], 42);
    const struct kj_pod_failure_policy_rule *r1 = &s->pod_failure_policy.rules[1];
    assert_false(r1->has_on_exit_codes);
    assert_int_equal(r1->n_on_pod_conditions, 1);
    assert_string_equal(r1->on_pod_conditions[0].type, "DisruptionTarget");
    assert_true(s->has_success_policy);
    assert_string_equal(s->success_policy.rules[0].succeeded_indexes, "0-2");
    assert_true(s->success_policy.rules[0].has_succeeded_count);
    assert_true(s->has_selector);
    assert_string_equal(kj_labels_get(&s->selector.match_labels, "batch.kubernetes.io/controller-uid"), "u");
    assert_string_equal(s->selector.match_expressions[0].operator_, "In");
    assert_int_equal(s->selector.match_expressions[0].values.len, 2);

    const struct kj_pod_spec *ps = &s->template_.spec;
    assert_int_equal(ps->n_volumes, 2);
    assert_true(ps->volumes[0].has_empty_dir);
    assert_true(ps->volumes[0].empty_dir.has_size_limit);
    assert_true(kj_quantity_value(&ps->volumes[0].empty_dir.size_limit) == 64 * 1024 * 1024);
    assert_true(ps->volumes[1].has_host_path);
    assert_string_equal(ps->volumes[1].host_path.type, "DirectoryOrCreate");
    assert_int_equal(ps->n_init_containers, 1);
    assert_int_equal(ps->n_containers, 1);
    const struct kj_container *c = &ps->containers[0];
    assert_string_equal(c->command.items[0], "/kuard");
    assert_string_equal(c->args.items[1], "--b");
    assert_string_equal(c->working_dir, "/w");
    assert_int_equal(c->ports[0].container_port, 8080);
    assert_string_equal(c->env[0].value, "1");
    assert_true(c->env[1].has_value_from && c->env[1].value_from.has_field_ref);
    assert_null(c->env[1].value);
    assert_true(kj_quantity_milli(kj_resource_list_get(&c->resources.limits, "cpu")) == 500);
    assert_true(kj_quantity_value(kj_resource_list_get(&c->resources.requests, "memory")) == 64 << 20);
    assert_null(kj_resource_list_get(&c->resources.limits, "gpu"));
    assert_true(c->volume_mounts[1].read_only);
    assert_true(c->stdin_ && c->tty && !c->stdin_once);
    assert_string_equal(c->image_pull_policy, "IfNotPresent");
    assert_string_equal(ps->restart_policy, "Never");
    assert_true(ps->has_termination_grace_period_seconds && ps->termination_grace_period_seconds == 30);
    assert_true(ps->has_enable_service_links && ps->enable_service_links);

    const struct kj_job_status *st = &job.status;
    assert_int_equal(st->n_conditions, 1);
    assert_string_equal(st->conditions[0].reason, "CompletionsReached");
    assert_int_equal(st->active, 1);
    assert_int_equal(st->failed, 3);
    assert_true(st->has_terminating && st->terminating == 0);
    assert_true(st->has_ready);
    assert_string_equal(st->failed_indexes, "");
    assert_true(st->has_uncounted_terminated_pods);
    assert_string_equal(st->uncounted_terminated_pods.failed.items[0], "p2");
    assert_non_null(kj_job_find_condition(&job, "SuccessCriteriaMet"));
    assert_null(kj_job_find_condition(&job, "Complete"));
    assert_false(kj_job_is_finished(&job));
    kj_job_clear(&job);
    kj_job_clear(&job); /* clear is idempotent */
}

struct book_case {
    const char *file;
    enum kj_kind kind;
    const char *name;
    int parallelism;  /* -1 = unset */
    int completions;  /* -1 = unset */
    const char *label_chapter;
};

static void test_book_manifests(void **state)
{
    (void)state;
    static const struct book_case cases[] = {
        {"12-1-job-oneshot.yaml", KJ_KIND_JOB, "oneshot", -1, -1, NULL},
        {"12-2-job-oneshot-failure1.yaml", KJ_KIND_JOB, "oneshot", -1, -1, "jobs"},
        {"12-3-job-parallel.yaml", KJ_KIND_JOB, "parallel", 5, 10, "jobs"},
        {"12-4-rs-queue.yaml", KJ_KIND_REPLICA_SET, "queue", -1, -1, "jobs"},
        {"12-5-service-queue.yaml", KJ_KIND_SERVICE, "queue", -1, -1, "jobs"},
        {"12-7-job-consumers.yaml", KJ_KIND_JOB, "consumers", 5, -1, "jobs"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct book_case *bc = &cases[i];
        char path[256];
        snprintf(path, sizeof path, "tests/fixtures/book/%s", bc->file);
        cleanup_cjson cJSON *doc = load_doc(path);
        assert_int_equal(kj_object_kind_of(doc), bc->kind);
        struct kj_strlist unknown = {0}, ignored = {0};
        kj_error_t err = NULL;
        const struct kj_kind_info *ki = kj_kind_info(bc->kind);
        void *obj = calloc(1, ki->size);
        if (kj_object_from_json(bc->kind, doc, obj, &unknown, &ignored, &err) < 0)
            fail_msg("%s: %s", path, err->msg);
        assert_int_equal(unknown.len, 0);
        assert_int_equal(ignored.len, 0);
        const struct kj_object_meta *meta = obj;
        assert_string_equal(meta->name, bc->name);
        const char *chapter = kj_labels_get(&meta->labels, "chapter");
        if (bc->label_chapter)
            assert_string_equal(chapter, bc->label_chapter);
        else
            assert_null(chapter);
        if (bc->kind == KJ_KIND_JOB) {
            const struct kj_job *job = obj;
            assert_int_equal(job->spec.has_parallelism, bc->parallelism >= 0);
            if (bc->parallelism >= 0)
                assert_int_equal(job->spec.parallelism, bc->parallelism);
            assert_int_equal(job->spec.has_completions, bc->completions >= 0);
            if (bc->completions >= 0)
                assert_int_equal(job->spec.completions, bc->completions);
            const struct kj_pod_spec *ps = &job->spec.template_.spec;
            assert_string_equal(ps->restart_policy, "OnFailure");
            assert_int_equal(ps->n_containers, 1);
            assert_string_equal(ps->containers[0].image, "gcr.io/kuar-demo/kuard-amd64:blue");
            assert_string_equal(ps->containers[0].image_pull_policy, "Always");
            assert_int_equal(ps->containers[0].command.len, 1);
            assert_string_equal(ps->containers[0].command.items[0], "/kuard");
            assert_string_equal(ps->containers[0].args.items[0], "--keygen-enable");
            assert_string_equal(ps->containers[0].args.items[1], "--keygen-exit-on-complete");
            if (bc->label_chapter)
                assert_string_equal(kj_labels_get(&job->spec.template_.metadata.labels, "chapter"), "jobs");
        } else if (bc->kind == KJ_KIND_REPLICA_SET) {
            const struct kj_replica_set *rs = obj;
            assert_true(rs->spec.has_replicas && rs->spec.replicas == 1);
            assert_true(rs->spec.has_selector);
            assert_int_equal(rs->spec.selector.match_labels.len, 3);
            assert_string_equal(rs->spec.template_.spec.containers[0].name, "queue");
            assert_int_equal(kj_label_selector_matches(&rs->spec.selector,
                                                       &rs->spec.template_.metadata.labels, &err), 1);
        } else {
            const struct kj_service *svc = obj;
            assert_int_equal(svc->spec.n_ports, 1);
            assert_int_equal(svc->spec.ports[0].port, 8080);
            assert_true(svc->spec.ports[0].has_target_port);
            assert_false(svc->spec.ports[0].target_port.is_string);
            assert_int_equal(svc->spec.ports[0].target_port.int_val, 8080);
            assert_string_equal(svc->spec.ports[0].protocol, "TCP");
            assert_string_equal(kj_labels_get(&svc->spec.selector, "component"), "queue");
        }
        /* Round trip stays byte-stable. */
        cleanup_cjson cJSON *e1 = kj_object_to_json(bc->kind, obj);
        void *obj2 = calloc(1, ki->size);
        assert_int_equal(kj_object_from_json(bc->kind, e1, obj2, NULL, NULL, &err), 0);
        cleanup_cjson cJSON *e2 = kj_object_to_json(bc->kind, obj2);
        cleanup_free char *s1 = print(e1), *s2 = print(e2);
        assert_string_equal(s1, s2);
        kj_object_clear(bc->kind, obj);
        kj_object_clear(bc->kind, obj2);
        free(obj);
        free(obj2);
        kj_strlist_clear(&unknown);
        kj_strlist_clear(&ignored);
    }
}

static void test_book_oneshot_encoding(void **state)
{
    (void)state;
    cleanup_cjson cJSON *doc = load_doc("tests/fixtures/book/12-1-job-oneshot.yaml");
    struct kj_job job = {0};
    kj_error_t err = NULL;
    assert_int_equal(kj_job_from_json(doc, &job, NULL, NULL, &err), 0);
    cleanup_cjson cJSON *enc = kj_job_to_json(&job);
    cleanup_free char *s = print(enc);
    assert_string_equal(s,
        "{\"kind\":\"Job\",\"apiVersion\":\"batch/v1\",\"metadata\":{\"name\":\"oneshot\"},"
        "\"spec\":{\"template\":{\"metadata\":{},\"spec\":{\"containers\":[{\"name\":\"kuard\","
        "\"image\":\"gcr.io/kuar-demo/kuard-amd64:blue\",\"command\":[\"/kuard\"],"
        "\"args\":[\"--keygen-enable\",\"--keygen-exit-on-complete\",\"--keygen-num-to-gen=10\"],"
        "\"resources\":{},\"imagePullPolicy\":\"Always\"}],\"restartPolicy\":\"OnFailure\"}}},"
        "\"status\":{}}");
    kj_job_clear(&job);
}

static void test_unknown_fields_paths(void **state)
{
    (void)state;
    cleanup_cjson cJSON *doc = parse(
        "{\"apiVersion\":\"batch/v1\",\"kind\":\"Job\",\"metadata\":{\"name\":\"x\",\"nmae\":1},"
        "\"spec\":{\"paralelism\":2,\"template\":{\"spec\":{\"containers\":[{\"name\":\"a\"},"
        "{\"name\":\"b\",\"imagePullPolcy\":\"Always\",\"resources\":{\"limit\":{}}}],"
        "\"restartPolicy\":\"Never\"}}},\"extra\":{\"deep\":true}}");
    struct kj_job job = {0};
    struct kj_strlist unknown = {0};
    kj_error_t err = NULL;
    assert_int_equal(kj_job_from_json(doc, &job, &unknown, NULL, &err), 0);
    assert_int_equal(unknown.len, 5);
    assert_string_equal(unknown.items[0], "metadata.nmae");
    assert_string_equal(unknown.items[1], "spec.paralelism");
    assert_string_equal(unknown.items[2], "spec.template.spec.containers[1].imagePullPolcy");
    assert_string_equal(unknown.items[3], "spec.template.spec.containers[1].resources.limit");
    assert_string_equal(unknown.items[4], "extra");
    /* Unknown fields are dropped, the known ones kept. */
    assert_string_equal(job.spec.template_.spec.containers[1].name, "b");
    assert_false(job.spec.has_parallelism);
    kj_job_clear(&job);
    kj_strlist_clear(&unknown);
}

static void test_ignored_fields_paths(void **state)
{
    (void)state;
    cleanup_cjson cJSON *doc = load_doc("tests/fixtures/api/job-ignored.json");
    struct kj_job job = {0};
    struct kj_strlist unknown = {0}, ignored = {0};
    kj_error_t err = NULL;
    assert_int_equal(kj_job_from_json(doc, &job, &unknown, &ignored, &err), 0);
    assert_int_equal(unknown.len, 0);
    /* volumes[1].configMap and env[0].valueFrom.secretKeyRef are in the
     * fixture too: honoured by the runtime, so not reported. */
    static const char *const want[] = {
        "spec.template.spec.containers[0].livenessProbe",
        "spec.template.spec.nodeSelector",
        "spec.template.spec.serviceAccountName",
        "spec.template.spec.affinity",
        "spec.template.spec.tolerations",
    };
    assert_int_equal(ignored.len, sizeof want / sizeof want[0]);
    for (size_t i = 0; i < ignored.len; i++)
        assert_string_equal(ignored.items[i], want[i]);
    /* Ignored fields are still kept and round-trip. */
    const struct kj_pod_spec *ps = &job.spec.template_.spec;
    assert_string_equal(kj_labels_get(&ps->node_selector, "kubernetes.io/hostname"), "kjob");
    assert_non_null(ps->affinity);
    assert_non_null(ps->security_context);
    assert_string_equal(ps->service_account_name, "sa");
    cleanup_cjson cJSON *enc = kj_job_to_json(&job);
    cJSON *tol = cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(
        cJSON_GetObjectItem(enc, "spec"), "template"), "spec"), "tolerations");
    assert_true(cJSON_IsArray(tol));
    kj_job_clear(&job);
    kj_strlist_clear(&unknown);
    kj_strlist_clear(&ignored);
}

struct mismatch_case {
    const char *json;
    const char *msg;
};

static void test_type_mismatch_errors(void **state)
{
    (void)state;
    static const struct mismatch_case cases[] = {
        {"{\"spec\":{\"parallelism\":\"2\"}}",
         "json: cannot unmarshal string into Go struct field JobSpec.spec.parallelism of type int32"},
        {"{\"spec\":{\"parallelism\":1.5}}",
         "json: cannot unmarshal number 1.5 into Go struct field JobSpec.spec.parallelism of type int32"},
        {"{\"spec\":{\"completions\":3000000000}}",
         "json: cannot unmarshal number 3000000000 into Go struct field JobSpec.spec.completions of type int32"},
        {"{\"spec\":{\"suspend\":\"true\"}}",
         "json: cannot unmarshal string into Go struct field JobSpec.spec.suspend of type bool"},
        {"{\"spec\":{\"completionMode\":1}}",
         "json: cannot unmarshal number into Go struct field JobSpec.spec.completionMode of type v1.CompletionMode"},
        {"{\"metadata\":{\"name\":[\"a\"]}}",
         "json: cannot unmarshal array into Go struct field ObjectMeta.metadata.name of type string"},
        {"{\"metadata\":{\"labels\":{\"a\":1}}}",
         "json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string"},
        {"{\"spec\":\"x\"}",
         "json: cannot unmarshal string into Go struct field Job.spec of type v1.JobSpec"},
        {"{\"spec\":{\"template\":{\"spec\":{\"containers\":{}}}}}",
         "json: cannot unmarshal object into Go struct field PodSpec.spec.template.spec.containers of type []v1.Container"},
        {"{\"spec\":{\"template\":{\"spec\":{\"containers\":[\"c\"]}}}}",
         "json: cannot unmarshal string into Go struct field PodSpec.spec.template.spec.containers of type v1.Container"},
        {"{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"a\",\"command\":[\"x\",1]}]}}}}",
         "json: cannot unmarshal number into Go struct field Container.spec.template.spec.containers.command of type string"},
        {"{\"spec\":{\"podFailurePolicy\":{\"rules\":[{\"onExitCodes\":{\"values\":[\"1\"]}}]}}}",
         "json: cannot unmarshal string into Go struct field PodFailurePolicyOnExitCodesRequirement.spec.podFailurePolicy.rules.onExitCodes.values of type int32"},
        {"{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"resources\":{\"limits\":{\"cpu\":\"lots\"}}}]}}}}",
         "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"},
        {"{\"status\":{\"startTime\":\"yesterday\"}}",
         "parsing time \"yesterday\" as \"2006-01-02T15:04:05Z07:00\": cannot parse \"yesterday\" as \"2006\""},
        {"{\"kind\":\"Pod\",\"apiVersion\":\"v1\"}",
         "object of kind `Pod` (`v1`) cannot be decoded as `Job` (`batch/v1`)"},
        {"{\"kind\":7}",
         "json: cannot unmarshal number into Go struct field Job.kind of type string"},
        {"[1]", "json: cannot unmarshal array into Go value of type v1.Job"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cleanup_cjson cJSON *doc = parse(cases[i].json);
        struct kj_job job = {0};
        kj_error_t err = NULL;
        assert_true(kj_job_from_json(doc, &job, NULL, NULL, &err) < 0);
        assert_non_null(err);
        if (strcmp(err->msg, cases[i].msg) != 0)
            fail_msg("case %zu: want\n  %s\ngot\n  %s", i, cases[i].msg, err->msg);
        assert_int_equal(kj_error_http_status(err), 400);
        kj_error_release(&err);
        /* Failure leaves the struct cleared (nothing to leak). */
        assert_null(job.metadata.name);
        assert_int_equal(job.spec.template_.spec.n_containers, 0);
    }
}

static void test_nulls_and_duplicates(void **state)
{
    (void)state;
    cleanup_cjson cJSON *doc = parse(
        "{\"metadata\":{\"name\":null,\"labels\":null},\"spec\":{\"parallelism\":null,"
        "\"completions\":1,\"completions\":2,\"template\":{\"spec\":{\"containers\":[null,"
        "{\"name\":\"n\",\"args\":[null,\"a\"]}]}}}}");
    struct kj_job job = {0};
    kj_error_t err = NULL;
    assert_int_equal(kj_job_from_json(doc, &job, NULL, NULL, &err), 0);
    assert_null(job.metadata.name);
    assert_false(job.spec.has_parallelism);
    assert_true(job.spec.has_completions);
    assert_int_equal(job.spec.completions, 2);
    assert_int_equal(job.spec.template_.spec.n_containers, 2);
    assert_null(job.spec.template_.spec.containers[0].name);
    assert_string_equal(job.spec.template_.spec.containers[1].args.items[0], "");
    kj_job_clear(&job);
}

static void test_pod_state_encoding(void **state)
{
    (void)state;
    /* A pod built by hand, as the controller reports it. */
    struct kj_pod pod = {0};
    pod.metadata.name = strdup("p");
    pod.status.phase = strdup("Running");
    pod.status.n_container_statuses = 1;
    pod.status.container_statuses = calloc(1, sizeof(struct kj_container_status));
    struct kj_container_status *cs = &pod.status.container_statuses[0];
    cs->name = strdup("c");
    cs->state.has_running = true;
    cs->state.running.started_at = INT64_C(1777228542) * KJ_NSEC_PER_SEC + 999;
    cs->last_state.has_terminated = true;
    cs->last_state.terminated.exit_code = 0;
    cs->last_state.terminated.reason = strdup("Completed");
    cleanup_cjson cJSON *enc = kj_pod_to_json(&pod);
    cleanup_free char *s = print(enc);
    assert_string_equal(s,
        "{\"kind\":\"Pod\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"p\"},\"spec\":{},"
        "\"status\":{\"phase\":\"Running\",\"containerStatuses\":[{\"name\":\"c\",\"state\":"
        "{\"running\":{\"startedAt\":\"2026-04-26T18:35:42Z\"}},\"lastState\":{\"terminated\":"
        "{\"exitCode\":0,\"reason\":\"Completed\"}},\"ready\":false,\"restartCount\":0,"
        "\"image\":\"\",\"imageID\":\"\"}]}}");
    kj_pod_clear(&pod);
}

static void test_kind_dispatch(void **state)
{
    (void)state;
    static const struct {
        const char *json;
        enum kj_kind kind;
    } cases[] = {
        {"{\"apiVersion\":\"batch/v1\",\"kind\":\"Job\"}", KJ_KIND_JOB},
        {"{\"apiVersion\":\"batch/v1\",\"kind\":\"JobList\"}", KJ_KIND_JOB_LIST},
        {"{\"apiVersion\":\"v1\",\"kind\":\"Pod\"}", KJ_KIND_POD},
        {"{\"apiVersion\":\"apps/v1\",\"kind\":\"ReplicaSet\"}", KJ_KIND_REPLICA_SET},
        {"{\"apiVersion\":\"v1\",\"kind\":\"Service\"}", KJ_KIND_SERVICE},
        {"{\"apiVersion\":\"v1\",\"kind\":\"Namespace\"}", KJ_KIND_NAMESPACE},
        {"{\"apiVersion\":\"v1\",\"kind\":\"Event\"}", KJ_KIND_EVENT},
        {"{\"apiVersion\":\"v1\",\"kind\":\"Status\"}", KJ_KIND_STATUS},
        {"{\"apiVersion\":\"batch/v2\",\"kind\":\"Job\"}", KJ_KIND_UNKNOWN},
        {"{\"apiVersion\":\"v1\",\"kind\":\"Job\"}", KJ_KIND_UNKNOWN},
        {"{\"kind\":\"Job\"}", KJ_KIND_UNKNOWN},
        {"[]", KJ_KIND_UNKNOWN},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cleanup_cjson cJSON *j = parse(cases[i].json);
        assert_int_equal(kj_object_kind_of(j), cases[i].kind);
    }
    assert_int_equal(kj_kind_by_resource("batch", "jobs"), KJ_KIND_JOB);
    assert_int_equal(kj_kind_by_resource("", "pods"), KJ_KIND_POD);
    assert_int_equal(kj_kind_by_resource("apps", "replicasets"), KJ_KIND_REPLICA_SET);
    assert_int_equal(kj_kind_by_resource("", "jobs"), KJ_KIND_UNKNOWN);
    assert_false(kj_kind_info(KJ_KIND_NAMESPACE)->namespaced);
    assert_string_equal(kj_kind_info(KJ_KIND_JOB)->resource, "jobs");
    assert_null(kj_kind_info(KJ_KIND_UNKNOWN));
    assert_null(kj_kind_info(KJ_KIND_COUNT_));
}

static void test_job_list(void **state)
{
    (void)state;
    cleanup_cjson cJSON *doc = parse(
        "{\"kind\":\"JobList\",\"apiVersion\":\"batch/v1\",\"metadata\":{\"resourceVersion\":\"9\"},"
        "\"items\":[{\"kind\":\"Job\",\"apiVersion\":\"batch/v1\",\"metadata\":{\"name\":\"a\"}},"
        "{\"metadata\":{\"name\":\"b\"}}]}");
    struct kj_job_list l = {0};
    kj_error_t err = NULL;
    assert_int_equal(kj_job_list_from_json(doc, &l, NULL, NULL, &err), 0);
    assert_int_equal(l.n_items, 2);
    assert_string_equal(l.items[1].metadata.name, "b");
    assert_string_equal(l.metadata.resource_version, "9");
    cleanup_cjson cJSON *enc = kj_job_list_to_json(&l);
    cleanup_free char *s = print(enc);
    assert_string_equal(s,
        "{\"kind\":\"JobList\",\"apiVersion\":\"batch/v1\",\"metadata\":{\"resourceVersion\":\"9\"},"
        "\"items\":[{\"metadata\":{\"name\":\"a\"},\"spec\":{\"template\":{\"metadata\":{},\"spec\":{}}},"
        "\"status\":{}},{\"metadata\":{\"name\":\"b\"},\"spec\":{\"template\":{\"metadata\":{},"
        "\"spec\":{}}},\"status\":{}}]}");
    kj_job_list_clear(&l);

    struct kj_job_list empty = {0};
    cleanup_cjson cJSON *e = kj_job_list_to_json(&empty);
    cleanup_free char *es = print(e);
    assert_string_equal(es, "{\"kind\":\"JobList\",\"apiVersion\":\"batch/v1\",\"metadata\":{},\"items\":[]}");

    cleanup_cjson cJSON *nl = kj_list_json_new("v1", "PodList", "12");
    cleanup_free char *ns = print(nl);
    assert_string_equal(ns, "{\"kind\":\"PodList\",\"apiVersion\":\"v1\",\"metadata\":{\"resourceVersion\":\"12\"},\"items\":[]}");
}

static void test_sub_codecs(void **state)
{
    (void)state;
    cleanup_cjson cJSON *sel = parse("{\"matchLabels\":{\"b\":\"2\",\"a\":\"1\"},\"matchExpressions\":"
                                     "[{\"key\":\"k\",\"operator\":\"Exists\"}]}");
    struct kj_label_selector ls = {0};
    kj_error_t err = NULL;
    assert_int_equal(kj_label_selector_from_json(sel, &ls, &err), 0);
    cleanup_cjson cJSON *enc = kj_label_selector_to_json(&ls);
    cleanup_free char *s = print(enc);
    /* Map keys come out sorted, like Go. */
    assert_string_equal(s, "{\"matchLabels\":{\"a\":\"1\",\"b\":\"2\"},\"matchExpressions\":"
                           "[{\"key\":\"k\",\"operator\":\"Exists\"}]}");
    cleanup_free char *f = kj_label_selector_format(&ls, &err);
    assert_string_equal(f, "a=1,b=2,k");
    kj_label_selector_clear(&ls);

    cleanup_cjson cJSON *tpl = parse("{\"metadata\":{\"labels\":{\"x\":\"y\"}},\"spec\":{\"containers\":"
                                     "[{\"name\":\"c\",\"image\":\"i\",\"bogus\":1}]}}");
    struct kj_pod_template_spec t = {0}, t2 = {0};
    struct kj_strlist unknown = {0};
    assert_int_equal(kj_pod_template_spec_from_json(tpl, &t, &unknown, NULL, &err), 0);
    assert_int_equal(unknown.len, 1);
    assert_string_equal(unknown.items[0], "spec.containers[0].bogus");
    kj_pod_template_spec_copy(&t2, &t);
    kj_pod_template_spec_clear(&t);
    assert_string_equal(t2.spec.containers[0].image, "i");
    cleanup_cjson cJSON *te = kj_pod_template_spec_to_json(&t2);
    cleanup_free char *ts = print(te);
    assert_string_equal(ts, "{\"metadata\":{\"labels\":{\"x\":\"y\"}},\"spec\":{\"containers\":"
                            "[{\"name\":\"c\",\"image\":\"i\",\"resources\":{}}]}}");
    kj_pod_template_spec_clear(&t2);
    kj_strlist_clear(&unknown);
}

static void test_quantity_numbers_in_resources(void **state)
{
    (void)state;
    /* YAML `cpu: 2` and `memory: 1.5e9` arrive as JSON numbers. */
    cleanup_cjson cJSON *doc = parse("{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"c\","
                                     "\"resources\":{\"limits\":{\"memory\":1500000000,\"cpu\":2},"
                                     "\"requests\":{\"cpu\":0.25}}}]}}}}");
    struct kj_job job = {0};
    kj_error_t err = NULL;
    assert_int_equal(kj_job_from_json(doc, &job, NULL, NULL, &err), 0);
    cleanup_cjson cJSON *enc = kj_job_to_json(&job);
    cJSON *res = cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetObjectItem(
        cJSON_GetObjectItem(cJSON_GetObjectItem(enc, "spec"), "template"), "spec"), "containers"), 0),
        "resources");
    cleanup_free char *s = print(res);
    assert_string_equal(s, "{\"limits\":{\"cpu\":\"2\",\"memory\":\"1500M\"},\"requests\":{\"cpu\":\"250m\"}}");
    kj_job_clear(&job);
}

static void test_standalone_clears_and_omitempty(void **state)
{
    (void)state;
    struct kj_env_var ev = {0};
    ev.name = strdup("A");
    ev.has_value_from = true;
    ev.value_from.has_field_ref = true;
    ev.value_from.field_ref.field_path = strdup("metadata.name");
    ev.value_from.secret_key_ref = cJSON_CreateObject();
    kj_env_var_clear(&ev);
    assert_null(ev.name);
    assert_false(ev.has_value_from);

    struct kj_pod_container_state cs = {0};
    cs.has_terminated = true;
    cs.terminated.reason = strdup("Error");
    kj_pod_container_state_clear(&cs);
    assert_false(cs.has_terminated);

    struct kj_status_details d = {0};
    d.name = strdup("x");
    d.n_causes = 1;
    d.causes = calloc(1, sizeof *d.causes);
    d.causes[0].field = strdup("spec");
    kj_status_details_clear(&d);
    assert_int_equal(d.n_causes, 0);

    /* Empty strings and unset optionals are omitted; Go *string fields keep
     * "" (failedIndexes), has_ flags emit zero values. */
    struct kj_job job = {0};
    job.metadata.name = strdup("");
    job.spec.managed_by = strdup("");
    job.spec.has_suspend = true;
    job.spec.has_backoff_limit = true;
    job.status.failed_indexes = strdup("");
    job.status.completed_indexes = strdup("");
    job.status.has_ready = true;
    cleanup_cjson cJSON *enc = kj_job_to_json(&job);
    cleanup_free char *s = print(enc);
    assert_string_equal(s, "{\"kind\":\"Job\",\"apiVersion\":\"batch/v1\",\"metadata\":{},"
                           "\"spec\":{\"backoffLimit\":0,\"template\":{\"metadata\":{},\"spec\":{}},"
                           "\"suspend\":false},\"status\":{\"failedIndexes\":\"\",\"ready\":0}}");
    kj_job_clear(&job);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_job_rich_canonical),
        cmocka_unit_test(test_pod_rich_canonical),
        cmocka_unit_test(test_other_kinds_canonical),
        cmocka_unit_test(test_job_rich_fields),
        cmocka_unit_test(test_book_manifests),
        cmocka_unit_test(test_book_oneshot_encoding),
        cmocka_unit_test(test_unknown_fields_paths),
        cmocka_unit_test(test_ignored_fields_paths),
        cmocka_unit_test(test_type_mismatch_errors),
        cmocka_unit_test(test_nulls_and_duplicates),
        cmocka_unit_test(test_pod_state_encoding),
        cmocka_unit_test(test_kind_dispatch),
        cmocka_unit_test(test_job_list),
        cmocka_unit_test(test_sub_codecs),
        cmocka_unit_test(test_quantity_numbers_in_resources),
        cmocka_unit_test(test_standalone_clears_and_omitempty),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
