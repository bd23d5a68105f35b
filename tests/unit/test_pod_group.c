/* The phase of multi-container pods (pkg/controller/pod_group.h):
 * kj_pod_group_aggregate, table-driven, plus which pods need a group and
 * the names of their containers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "controller/pod_group.h"
#include "fake_runtime.h"

/* A member in one token: role letter (P infra, I init, S sidecar, M main),
 * then state: - not created, c creating, w waiting, C created, R running,
 * 0..9 exited with that code, X removed. A trailing `s` on a sidecar that
 * is not running means "has started before". */
static void parse(const char *tok, struct kj_member_view *v, int64_t t)
{
    memset(v, 0, sizeof *v);
    v->name = tok;
    v->role = tok[0] == 'P'   ? KJ_MEMBER_INFRA
              : tok[0] == 'I' ? KJ_MEMBER_INIT
              : tok[0] == 'S' ? KJ_MEMBER_SIDECAR
                              : KJ_MEMBER_MAIN;
    char s = tok[1];
    v->created = s != '-';
    v->created_at = t;
    switch (s) {
    case '-':
    case 'c':
        v->state = KJ_POD_OBS_CREATING;
        break;
    case 'w':
        v->state = KJ_POD_OBS_WAITING;
        v->waiting_reason = "CreateContainerConfigError";
        break;
    case 'C':
        v->state = KJ_POD_OBS_CREATED;
        break;
    case 'R':
        v->state = KJ_POD_OBS_RUNNING;
        v->started_at = t;
        break;
    case 'X':
        v->state = KJ_POD_OBS_REMOVED;
        break;
    default:
        v->state = KJ_POD_OBS_EXITED;
        v->exit_code = s - '0';
        v->started_at = t;
        v->finished_at = t + 1;
        break;
    }
    if (tok[2] == 's')
        v->started_at = t;
}

struct agg_case {
    const char *name;
    const char *members; /* space separated tokens */
    enum kj_pod_obs_state state;
    int exit_code;
    int next;          /* member to create, -1 none */
    bool create_mains;
    bool stop_sidecars;
    int failed_init;
    const char *reason; /* WAITING reason or NULL */
    bool on_failure;    /* restartPolicy OnFailure */
};

static const struct agg_case cases[] = {
    {"nothing created", "P- M-", KJ_POD_OBS_CREATING, 0, -1, false, false, -1, NULL},
    {"infra being created", "Pc M-", KJ_POD_OBS_CREATING, 0, -1, false, false, -1, NULL},
    {"infra image missing", "Pw M-", KJ_POD_OBS_WAITING, 0, -1, false, false, -1,
     "CreateContainerConfigError"},
    {"infra up: first init next", "PR I- I- M-", KJ_POD_OBS_CREATED, 0, 1, false, false, -1, NULL},
    {"first init runs", "PR IR I- M-", KJ_POD_OBS_CREATED, 0, -1, false, false, -1, NULL},
    {"first init done: second next", "PR I0 I- M-", KJ_POD_OBS_CREATED, 0, 2, false, false, -1, NULL},
    {"init failed", "PR I0 I3 M-", KJ_POD_OBS_EXITED, 3, -1, false, false, 2, NULL},
    {"init waiting on config", "PR Iw M-", KJ_POD_OBS_WAITING, 0, -1, false, false, -1,
     "CreateContainerConfigError"},
    {"init removed by hand", "PR IX M-", KJ_POD_OBS_REMOVED, 137, -1, false, false, -1, NULL},
    {"inits done: create mains", "PR I0 M- M-", KJ_POD_OBS_CREATED, 0, 2, true, false, -1, NULL},
    {"sidecar not started blocks", "PR SC M-", KJ_POD_OBS_CREATED, 0, -1, false, false, -1, NULL},
    {"sidecar started: mains next", "PR SR M-", KJ_POD_OBS_CREATED, 0, 2, true, false, -1, NULL},
    {"sidecar exited after start still counts", "PR S1s M-", KJ_POD_OBS_CREATED, 0, 2, true, false,
     -1, NULL},
    {"one main running", "PR M0 MR", KJ_POD_OBS_RUNNING, 0, -1, false, false, -1, NULL},
    {"main running, other created", "PR MR MC", KJ_POD_OBS_RUNNING, 0, -1, false, false, -1, NULL},
    {"all mains exited 0", "PR SR M0 M0", KJ_POD_OBS_EXITED, 0, -1, false, true, -1, NULL},
    {"one main failed", "PR M0 M2", KJ_POD_OBS_EXITED, 2, -1, false, true, -1, NULL},
    {"first failure wins", "PR M4 M2", KJ_POD_OBS_EXITED, 4, -1, false, true, -1, NULL},
    {"main failed, other running", "PR M1 MR", KJ_POD_OBS_RUNNING, 0, -1, false, false, -1, NULL},
    {"main waiting on config", "PR Mw MC", KJ_POD_OBS_WAITING, 0, -1, false, false, -1,
     "CreateContainerConfigError"},
    {"main removed", "PR MX MR", KJ_POD_OBS_REMOVED, 137, -1, false, false, -1, NULL},
    {"infra removed", "PX M0", KJ_POD_OBS_REMOVED, 137, -1, false, false, -1, NULL},
    {"finished pod, infra stopped", "P0 I0 S0s M0", KJ_POD_OBS_EXITED, 0, -1, false, true, -1, NULL},
    /* OnFailure: a failed container is the pod's exit at once (it restarts
     * in place while the others go on); sidecars stay until all are done. */
    {"OnFailure: main failed, other running", "PR SR M1 MR", KJ_POD_OBS_EXITED, 1, -1, false,
     false, -1, NULL, true},
    {"OnFailure: main failed, other waiting", "PR M3 Mw", KJ_POD_OBS_EXITED, 3, -1, false, false,
     -1, NULL, true},
    {"OnFailure: one failed, one done", "PR SR M0 M2", KJ_POD_OBS_EXITED, 2, -1, false, true, -1,
     NULL, true},
    {"OnFailure: running, none failed", "PR M0 MR", KJ_POD_OBS_RUNNING, 0, -1, false, false, -1,
     NULL, true},
    {"OnFailure: all exited 0", "PR M0 M0", KJ_POD_OBS_EXITED, 0, -1, false, true, -1, NULL, true},
    {"OnFailure: removed wins", "PR M2 MX", KJ_POD_OBS_REMOVED, 2, -1, false, false, -1, NULL, true},
    {"OnFailure: init failure as before", "PR I4 M-", KJ_POD_OBS_EXITED, 4, -1, false, false, 1,
     NULL, true},
};

static void test_aggregate(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct agg_case *c = &cases[i];
        char buf[128];
        strcpy(buf, c->members);
        struct kj_member_view v[8];
        int n = 0;
        for (char *tok = strtok(buf, " "); tok != NULL; tok = strtok(NULL, " ")) {
            parse(tok, &v[n], 1000 + n * 10);
            n++;
        }
        struct kj_group_agg a;
        kj_pod_group_aggregate(v, n, c->on_failure, &a);
        print_message("# %s\n", c->name);
        assert_int_equal(a.state, c->state);
        assert_int_equal(a.exit_code, c->exit_code);
        assert_int_equal(a.next, c->next);
        assert_int_equal(a.create_mains, c->create_mains);
        assert_int_equal(a.stop_sidecars, c->stop_sidecars);
        assert_int_equal(a.failed_init, c->failed_init);
        if (c->reason != NULL)
            assert_string_equal(a.waiting_reason, c->reason);
    }
}

static void test_times(void **state)
{
    (void)state;
    struct kj_member_view v[3];
    parse("PR", &v[0], 100);
    parse("M0", &v[1], 200);
    parse("M0", &v[2], 300);
    struct kj_group_agg a;
    kj_pod_group_aggregate(v, 3, false, &a);
    assert_int_equal(a.started_at, 200);  /* the earliest container start */
    assert_int_equal(a.finished_at, 301); /* the last exit: the pod's one exit */
    v[2].oom_killed = true;
    v[2].exit_code = 137;
    kj_pod_group_aggregate(v, 3, false, &a);
    assert_int_equal(a.exit_code, 137);
    assert_true(a.oom_killed);

    /* OnFailure: the exit is the latest failure, whatever succeeded after
     * it, so that one failure is counted once. */
    parse("M2", &v[1], 200);
    parse("M0", &v[2], 300);
    kj_pod_group_aggregate(v, 3, false, &a);
    assert_int_equal(a.finished_at, 301);
    kj_pod_group_aggregate(v, 3, true, &a);
    assert_int_equal(a.exit_code, 2);
    assert_int_equal(a.finished_at, 201);
    parse("M5", &v[2], 300);
    kj_pod_group_aggregate(v, 3, true, &a);
    assert_int_equal(a.exit_code, 2); /* the first failed container's code */
    assert_int_equal(a.finished_at, 301);
}

static void test_grouped_and_refs(void **state)
{
    (void)state;
    cJSON *one = cJSON_Parse("{\"containers\":[{\"name\":\"a\"}]}");
    cJSON *two = cJSON_Parse("{\"containers\":[{\"name\":\"a\"},{\"name\":\"b\"}]}");
    cJSON *init = cJSON_Parse("{\"initContainers\":[{\"name\":\"i\"}],\"containers\":[{\"name\":\"a\"}]}");
    assert_false(kj_pod_spec_grouped(one));
    assert_true(kj_pod_spec_grouped(two));
    assert_true(kj_pod_spec_grouped(init));

    kj_error_t err = NULL;
    char *r = kj_pod_container_ref(one, "p", NULL, &err);
    assert_string_equal(r, "p");
    free(r);
    r = kj_pod_container_ref(one, "p", "a", &err);
    assert_string_equal(r, "p");
    free(r);
    r = kj_pod_container_ref(two, "p", NULL, &err);
    assert_string_equal(r, "p_a");
    free(r);
    r = kj_pod_container_ref(init, "p", "i", &err);
    assert_string_equal(r, "p_i");
    free(r);
    assert_null(kj_pod_container_ref(two, "p", "zz", &err));
    assert_int_equal(kj_error_http_status(err), 400);
    assert_string_equal(err->msg, "container zz is not valid for pod p");
    kj_error_release(&err);
    cJSON_Delete(one);
    cJSON_Delete(two);
    cJSON_Delete(init);
}

/* ---- the wrapper over the fake runtime ---- */

static struct event_base *the_base;

static struct event_base *base(void)
{
    if (the_base == NULL)
        the_base = event_base_new();
    return the_base;
}

/* Deliver the completions the wrapper defers to the loop. */
static void run_loop(void)
{
    event_base_loop(base(), EVLOOP_ONCE);
}

struct seen {
    int n;
    enum kj_pod_obs_state state;
    int exit_code;
    int members;
    char last_pod[64];
    char first_member_state[32], first_member_reason[32];
    int done_ok, done_err;
};

static void observer(void *arg, const struct kj_pod_obs *o)
{
    struct seen *s = arg;
    s->n++;
    snprintf(s->last_pod, sizeof s->last_pod, "%s", o->pod_name);
    s->state = o->state;
    s->exit_code = o->exit_code;
    s->members = o->containers != NULL ? cJSON_GetArraySize(o->containers) : -1;
    const char *st = cJSON_GetStringValue(
        cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(o->containers, 0), "state"));
    snprintf(s->first_member_state, sizeof s->first_member_state, "%s", st ? st : "");
    const char *r = cJSON_GetStringValue(
        cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(o->containers, 0), "reason"));
    snprintf(s->first_member_reason, sizeof s->first_member_reason, "%s", r ? r : "");
}

static void done_cb(void *arg, const char *cid, const kj_error_t err)
{
    struct seen *s = arg;
    (void)cid;
    if (err == NULL)
        s->done_ok++;
    else
        s->done_err++;
}

static void list_cb(void *arg, const struct kj_pod_obs *pods, int n, const kj_error_t err)
{
    struct seen *s = arg;
    assert_null(err);
    for (int i = 0; i < n; i++)
        observer(s, &pods[i]);
}

#define SPEC                                                                                   \
    "{\"spec\":{\"restartPolicy\":\"Never\",\"volumes\":[{\"name\":\"w\",\"emptyDir\":{}}],"   \
    "\"initContainers\":[{\"name\":\"init\",\"image\":\"b\"}],"                               \
    "\"containers\":[{\"name\":\"a\",\"image\":\"b\"},{\"name\":\"b\",\"image\":\"b\"}]}}"

static int create_pod(struct kj_runtime rt, struct seen *s, cJSON *tmpl)
{
    cJSON *labels = cJSON_Parse("{\"app\":\"x\"}");
    struct kj_runtime_pod_req req = {.ns = "ns", .job_name = "j", .job_uid = "ju", .pod_name = "p1",
                                     .pod_uid = "pu", .index = -1, .pod_template = tmpl,
                                     .labels = labels, .hostname = "p1"};
    kj_error_t err = NULL;
    int rc = rt.ops->pod_create(rt.impl, &req, done_cb, s, &err);
    cJSON_Delete(labels);
    return rc;
}

static enum kj_pod_obs_state state_of(struct kj_fake_runtime *f, const char *name)
{
    for (int i = 0;; i++) {
        enum kj_pod_obs_state st;
        const char *n = kj_fake_runtime_name(f, i, &st);
        if (n == NULL)
            return (enum kj_pod_obs_state)-1;
        if (strcmp(n, name) == 0)
            return st;
    }
}

static void test_sequence(void **state)
{
    (void)state;
    struct kj_fake_runtime *f = kj_fake_runtime_new();
    struct kj_pod_group *g = kj_pod_group_new(base(), kj_fake_runtime_get(f), "infra:1");
    struct kj_runtime rt = kj_pod_group_runtime(g);
    struct seen s = {0};
    rt.ops->set_observer(rt.impl, observer, &s);
    cJSON *tmpl = cJSON_Parse(SPEC);
    assert_int_equal(create_pod(rt, &s, tmpl), 0);
    assert_int_equal(kj_fake_runtime_calls(f, KJ_FAKE_CREATE), 1); /* the infra only */
    kj_fake_runtime_complete(f, -1);
    assert_int_equal(s.done_ok, 1); /* the pod exists once its infra runs */
    assert_string_equal(s.last_pod, "p1");
    assert_int_equal(s.state, KJ_POD_OBS_CREATED); /* initializing */
    assert_int_equal(s.members, 3);
    assert_int_equal(kj_fake_runtime_calls(f, KJ_FAKE_CREATE), 2); /* then the init container */
    kj_fake_runtime_complete(f, -1);
    assert_int_equal(state_of(f, "p1_init"), KJ_POD_OBS_RUNNING);
    assert_int_equal((int)state_of(f, "p1_a"), -1); /* not before the init container is done */
    assert_string_equal(s.first_member_state, "running");
    assert_int_equal(kj_fake_runtime_exit(f, "p1_init", 0), 0);
    assert_int_equal(kj_fake_runtime_calls(f, KJ_FAKE_CREATE), 4); /* both containers at once */
    kj_fake_runtime_complete(f, -1);
    assert_int_equal(s.state, KJ_POD_OBS_RUNNING);
    kj_fake_runtime_exit(f, "p1_a", 0);
    assert_int_equal(s.state, KJ_POD_OBS_RUNNING);
    kj_fake_runtime_exit(f, "p1_b", 5);
    assert_int_equal(s.state, KJ_POD_OBS_EXITED);
    assert_int_equal(s.exit_code, 5);
    assert_int_equal(kj_fake_runtime_calls(f, KJ_FAKE_STOP), 1); /* the infra: nothing to restart */
    kj_fake_runtime_complete(f, -1);
    /* Stop on a finished pod: nothing in flight, yet the completion comes
     * from the loop, never inside the call. */
    struct kj_runtime_pod_ref stop_ref = {.ns = "ns", .pod_name = "p1"};
    kj_error_t serr = NULL;
    int before = s.done_ok;
    assert_int_equal(rt.ops->pod_stop(rt.impl, &stop_ref, 1, done_cb, &s, &serr), 0);
    assert_int_equal(s.done_ok, before);
    run_loop();
    assert_int_equal(s.done_ok, before + 1);

    /* A new kjobd over the same engine: the listing rebuilds the group. */
    struct kj_pod_group *g2 = kj_pod_group_new(base(), kj_fake_runtime_get(f), "infra:1");
    struct kj_runtime rt2 = kj_pod_group_runtime(g2);
    struct seen s2 = {0};
    rt2.ops->set_observer(rt2.impl, observer, &s2);
    kj_error_t err = NULL;
    assert_int_equal(rt2.ops->pod_list(rt2.impl, list_cb, &s2, &err), 0);
    kj_fake_runtime_complete(f, 1);
    assert_int_equal(s2.n, 1); /* one pod, not four containers */
    assert_string_equal(s2.last_pod, "p1");
    assert_int_equal(s2.state, KJ_POD_OBS_EXITED);
    assert_int_equal(s2.exit_code, 5);

    /* Remove: the members, then the infra. */
    struct kj_runtime_pod_ref ref = {.ns = "ns", .pod_name = "p1"};
    assert_int_equal(rt2.ops->pod_remove(rt2.impl, &ref, done_cb, &s2, &err), 0);
    assert_int_equal(kj_fake_runtime_calls(f, KJ_FAKE_REMOVE), 3);
    kj_fake_runtime_complete(f, -1);
    assert_int_equal(kj_fake_runtime_calls(f, KJ_FAKE_REMOVE), 4);
    assert_int_equal(s2.done_ok, 0);
    kj_fake_runtime_complete(f, -1);
    assert_int_equal(s2.done_ok, 1);
    assert_int_equal(s2.state, KJ_POD_OBS_REMOVED);
    assert_int_equal(kj_fake_runtime_count(f, KJ_POD_OBS_EXITED), 0);
    assert_int_equal(kj_fake_runtime_count(f, KJ_POD_OBS_RUNNING), 0);
    kj_pod_group_free(g2);
    kj_pod_group_free(g);
    kj_fake_runtime_free(f);
    cJSON_Delete(tmpl);
}

/* OnFailure: a failed container restarts in place while the other runs on
 * (the kubelet's rule), not once both have exited. */
/* Pod p1 of containers a and b with pod spec fields `fields` ("k":v,...),
 * created and running in a new group over f. */
static struct kj_pod_group *running_pair(struct kj_fake_runtime *f, struct seen *s,
                                         const char *fields, cJSON **tmpl)
{
    struct kj_pod_group *g = kj_pod_group_new(base(), kj_fake_runtime_get(f), "infra:1");
    struct kj_runtime rt = kj_pod_group_runtime(g);
    rt.ops->set_observer(rt.impl, observer, s);
    char json[512];
    snprintf(json, sizeof json,
             "{\"spec\":{%s,\"containers\":[{\"name\":\"a\",\"image\":\"b\"},"
             "{\"name\":\"b\",\"image\":\"b\"}]}}",
             fields);
    *tmpl = cJSON_Parse(json);
    assert_int_equal(create_pod(rt, s, *tmpl), 0);
    kj_fake_runtime_complete(f, -1);
    kj_fake_runtime_complete(f, -1);
    assert_int_equal(s->state, KJ_POD_OBS_RUNNING);
    return g;
}

static void test_on_failure_restarts_one_member(void **state)
{
    (void)state;
    struct kj_fake_runtime *f = kj_fake_runtime_new();
    struct seen s = {0};
    cJSON *tmpl;
    struct kj_pod_group *g = running_pair(f, &s, "\"restartPolicy\":\"OnFailure\"", &tmpl);
    struct kj_runtime rt = kj_pod_group_runtime(g);

    kj_fake_runtime_set_now(f, 100);
    assert_int_equal(kj_fake_runtime_exit(f, "p1_a", 3), 0);
    assert_int_equal(s.state, KJ_POD_OBS_EXITED); /* the controller counts it now */
    assert_int_equal(s.exit_code, 3);
    assert_string_equal(s.first_member_state, "waiting");
    assert_string_equal(s.first_member_reason, "CrashLoopBackOff");
    assert_int_equal(state_of(f, "p1_b"), KJ_POD_OBS_RUNNING);
    assert_int_equal(kj_fake_runtime_calls(f, KJ_FAKE_STOP), 0); /* infra and b go on */

    struct kj_runtime_pod_ref ref = {.ns = "ns", .pod_name = "p1"};
    kj_error_t err = NULL;
    assert_int_equal(rt.ops->pod_restart(rt.impl, &ref, done_cb, &s, &err), 0);
    assert_int_equal(kj_fake_runtime_calls(f, KJ_FAKE_RESTART), 1); /* a only */
    kj_fake_runtime_complete(f, -1);
    assert_int_equal(s.state, KJ_POD_OBS_RUNNING);
    assert_string_equal(s.first_member_state, "running");

    kj_fake_runtime_set_now(f, 200);
    kj_fake_runtime_exit(f, "p1_b", 0);
    assert_int_equal(s.state, KJ_POD_OBS_RUNNING);
    kj_fake_runtime_set_now(f, 300);
    kj_fake_runtime_exit(f, "p1_a", 0);
    assert_int_equal(s.state, KJ_POD_OBS_EXITED);
    assert_int_equal(s.exit_code, 0);
    assert_int_equal(kj_fake_runtime_calls(f, KJ_FAKE_RESTART), 1);
    kj_fake_runtime_complete(f, -1);
    kj_pod_group_free(g);
    kj_fake_runtime_free(f);
    cJSON_Delete(tmpl);
}

static void test_stop_grace_reaches_members(void **state)
{
    (void)state;
    struct kj_fake_runtime *f = kj_fake_runtime_new();
    struct seen s = {0};
    cJSON *tmpl;
    struct kj_pod_group *g = running_pair(
        f, &s, "\"restartPolicy\":\"Never\",\"terminationGracePeriodSeconds\":40", &tmpl);
    struct kj_runtime rt = kj_pod_group_runtime(g);
    /* A client's `kubectl delete pod --grace-period=2`, not the template's 40. */
    struct kj_runtime_pod_ref ref = {.ns = "ns", .pod_name = "p1"};
    kj_error_t err = NULL;
    assert_int_equal(rt.ops->pod_stop(rt.impl, &ref, 2, done_cb, &s, &err), 0);
    assert_int_equal(kj_fake_runtime_stop_grace(f, "p1_a"), 2);
    assert_int_equal(kj_fake_runtime_stop_grace(f, "p1_b"), 2);
    assert_int_equal(kj_fake_runtime_stop_grace(f, "p1"), 1); /* the infra holds nothing */
    kj_fake_runtime_complete(f, -1);
    run_loop();
    assert_int_equal(s.state, KJ_POD_OBS_EXITED);
    kj_pod_group_free(g);
    kj_fake_runtime_free(f);
    cJSON_Delete(tmpl);
}

/* kjobd dies while a pod's init container runs; `while_down` changes the
 * engine meanwhile; then a new wrapper lists the engine. Free with
 * crash_end. */
struct crash {
    struct kj_fake_runtime *f;
    struct kj_pod_group *g2;
    struct seen s2;
    cJSON *tmpl;
    int creates, starts; /* before the listing */
};

static void crash_mid_init(struct crash *c, void (*while_down)(struct kj_fake_runtime *))
{
    memset(c, 0, sizeof *c);
    c->f = kj_fake_runtime_new();
    struct kj_pod_group *g = kj_pod_group_new(base(), kj_fake_runtime_get(c->f), "infra:1");
    struct kj_runtime rt = kj_pod_group_runtime(g);
    struct seen s = {0};
    rt.ops->set_observer(rt.impl, observer, &s);
    c->tmpl = cJSON_Parse(SPEC);
    create_pod(rt, &s, c->tmpl);
    kj_fake_runtime_complete(c->f, -1);
    kj_fake_runtime_complete(c->f, -1);
    kj_pod_group_free(g);
    kj_fake_runtime_mute(c->f, true);
    while_down(c->f);
    kj_fake_runtime_mute(c->f, false);
    c->g2 = kj_pod_group_new(base(), kj_fake_runtime_get(c->f), "infra:1");
    struct kj_runtime rt2 = kj_pod_group_runtime(c->g2);
    rt2.ops->set_observer(rt2.impl, observer, &c->s2);
    kj_error_t err = NULL;
    c->creates = kj_fake_runtime_calls(c->f, KJ_FAKE_CREATE);
    c->starts = kj_fake_runtime_calls(c->f, KJ_FAKE_RESTART);
    assert_int_equal(rt2.ops->pod_list(rt2.impl, list_cb, &c->s2, &err), 0);
    kj_fake_runtime_complete(c->f, 1);
}

static void crash_end(struct crash *c)
{
    kj_pod_group_free(c->g2);
    kj_fake_runtime_free(c->f);
    cJSON_Delete(c->tmpl);
}

static void init_exits(struct kj_fake_runtime *f)
{
    assert_int_equal(kj_fake_runtime_exit(f, "p1_init", 0), 0);
}

static void test_restart_after_crash_mid_init(void **state)
{
    (void)state;
    struct crash c;
    crash_mid_init(&c, init_exits);
    /* The sequence goes on from the infra's spec label. */
    assert_int_equal(kj_fake_runtime_calls(c.f, KJ_FAKE_CREATE), c.creates + 2);
    kj_fake_runtime_complete(c.f, -1);
    assert_int_equal(c.s2.state, KJ_POD_OBS_RUNNING);
    crash_end(&c);
}

/* A kill between the init container's create and its start leaves it
 * created, never started (made here by hand): the next kjobd starts it
 * instead of waiting for it forever. */
static void init_stranded(struct kj_fake_runtime *f)
{
    assert_int_equal(kj_fake_runtime_strand(f, "p1_init"), 0);
}

static void test_restart_after_crash_between_create_and_start(void **state)
{
    (void)state;
    struct crash c;
    crash_mid_init(&c, init_stranded);
    assert_int_equal(kj_fake_runtime_calls(c.f, KJ_FAKE_RESTART), c.starts + 1);
    kj_fake_runtime_complete(c.f, -1);
    assert_int_equal(state_of(c.f, "p1_init"), KJ_POD_OBS_RUNNING);
    assert_int_equal(kj_fake_runtime_exit(c.f, "p1_init", 0), 0);
    kj_fake_runtime_complete(c.f, -1);
    assert_int_equal(c.s2.state, KJ_POD_OBS_RUNNING); /* on to the containers */
    crash_end(&c);
}

static void test_one_container_passes_through(void **state)
{
    (void)state;
    struct kj_fake_runtime *f = kj_fake_runtime_new();
    struct kj_pod_group *g = kj_pod_group_new(base(), kj_fake_runtime_get(f), "infra:1");
    struct kj_runtime rt = kj_pod_group_runtime(g);
    struct seen s = {0};
    rt.ops->set_observer(rt.impl, observer, &s);
    cJSON *tmpl = cJSON_Parse("{\"spec\":{\"containers\":[{\"name\":\"a\",\"image\":\"b\"}]}}");
    create_pod(rt, &s, tmpl);
    kj_fake_runtime_complete(f, -1);
    assert_string_equal(kj_fake_runtime_name(f, 0, NULL), "p1");
    assert_null(kj_fake_runtime_name(f, 1, NULL));
    assert_int_equal(s.members, -1); /* no member list for a plain pod */
    kj_fake_runtime_exit(f, "p1", 0);
    assert_int_equal(s.state, KJ_POD_OBS_EXITED);
    kj_pod_group_free(g);
    kj_fake_runtime_free(f);
    cJSON_Delete(tmpl);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_aggregate),
        cmocka_unit_test(test_times),
        cmocka_unit_test(test_grouped_and_refs),
        cmocka_unit_test(test_sequence),
        cmocka_unit_test(test_on_failure_restarts_one_member),
        cmocka_unit_test(test_stop_grace_reaches_members),
        cmocka_unit_test(test_restart_after_crash_mid_init),
        cmocka_unit_test(test_restart_after_crash_between_create_and_start),
        cmocka_unit_test(test_one_container_passes_through),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    if (the_base != NULL)
        event_base_free(the_base);
    return rc;
}
