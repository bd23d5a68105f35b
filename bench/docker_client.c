/* Bench: N short containers (`true`) at concurrency C through pkg/docker.
 * Prints wall time and the client's own CPU time per container.
 * bench/docker_client.sh runs it next to a `docker run --rm` loop.
 *
 *   docker_client [N=200] [C=10] [IMAGE=kjob/busybox:latest] [NETWORK=none]
 *                 [MODE=autoremove]
 *
 * MODE autoremove does what `docker run --rm` does: create with
 * HostConfig.AutoRemove, start, and count the container done at its
 * `destroy` event, when the engine has removed it (2 requests each).
 * MODE remove is the older flow kept for comparison: create, start, exit
 * seen as `die`, then DELETE from the client (3 requests each, the delete
 * inside the concurrency slot).
 * MODE overlap is autoremove with the slot freed at `die`: at most C
 * containers are being created or running, while the engine's removals
 * of exited ones overlap the next creates; the clock still stops at the
 * last `destroy`. Not what `xargs -P10 docker run --rm` does (each CLI
 * process holds its slot until the removal), so it is reported apart.
 * MODE keep is the wording taken literally: create, start, wait
 * for the exit (`die`), the container is left behind, as `docker run`
 * without --rm leaves it; the script removes both sides' containers after
 * the clock stops.
 *
 * NETWORK `disabled` creates the containers with Config.NetworkDisabled
 * (see kj_container_spec.network_disabled): no network either, but no
 * libnetwork sandbox, which `docker run --network none` cannot ask for.
 *
 * LABEL (6th argument) is the value of the io.kjob.bench label every
 * container gets; default kjbench-<pid>-<time>.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "docker/docker.h"

struct slot {
    int index; /* container number, -1 when free */
    char id[65];
    bool exited;
};

struct bench {
    struct event_base *base;
    struct kj_docker *d;
    const char *image, *network;
    char label[64];
    int n, conc, launched, finished, failed;
    struct slot *slots;
    bool ready;
    bool auto_remove; /* MODE autoremove or overlap */
    bool overlap;     /* MODE overlap: the slot frees at `die` */
    bool keep;        /* MODE keep: done at `die`, nothing removed */
    int destroyed;    /* MODE overlap: `destroy` events seen */
};

static struct bench B;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void launch(struct slot *s);

static void finish_slot(struct slot *s, kj_error_t err)
{
    if (err != NULL) {
        fprintf(stderr, "container %d: %s\n", s->index, err->msg);
        B.failed++;
    }
    B.finished++;
    s->index = -1;
    s->id[0] = '\0';
    s->exited = false;
    if (B.launched < B.n)
        launch(s);
    else if (B.finished == B.n && (!B.overlap || B.destroyed >= B.n - B.failed))
        event_base_loopbreak(B.base);
}

static void removed_cb(kj_error_t err, void *data)
{
    finish_slot(data, err);
}

static void remove_slot(struct slot *s)
{
    kj_error_t err = NULL;
    if (kj_docker_container_remove(B.d, s->id, true, false, removed_cb, s, &err) == NULL) {
        finish_slot(s, err);
        kj_error_release(&err);
    }
}

static void started_cb(kj_error_t err, void *data)
{
    struct slot *s = data;
    if (err != NULL) {
        fprintf(stderr, "start %d: %s\n", s->index, err->msg);
        B.failed++;
        s->exited = true; /* its destroy/die event must not finish the slot twice */
        remove_slot(s);
    }
}

static void created_cb(kj_error_t err, const char *id, void *data)
{
    struct slot *s = data;
    if (err != NULL) {
        finish_slot(s, err);
        return;
    }
    snprintf(s->id, sizeof(s->id), "%s", id);
    kj_error_t e = NULL;
    if (kj_docker_container_start(B.d, s->id, started_cb, s, &e) == NULL) {
        finish_slot(s, e);
        kj_error_release(&e);
    }
}

static void launch(struct slot *s)
{
    s->index = B.launched++;
    char name[128];
    snprintf(name, sizeof(name), "%s-%d", B.label, s->index);
    const char *cmd[] = {"true", NULL};
    struct kj_docker_kv labels[] = {{"io.kjob.bench", B.label}};
    bool disabled = strcmp(B.network, "disabled") == 0;
    struct kj_container_spec spec = {.name = name, .image = B.image, .cmd = cmd,
                                     .labels = labels, .n_labels = 1,
                                     .network = disabled ? NULL : B.network,
                                     .network_disabled = disabled,
                                     .auto_remove = B.auto_remove};
    kj_error_t err = NULL;
    if (kj_docker_container_create(B.d, &spec, created_cb, s, &err) == NULL) {
        finish_slot(s, err);
        kj_error_release(&err);
    }
}

static void on_event(const struct kj_docker_event *ev, void *data)
{
    (void)data;
    if (B.overlap && strcmp(ev->action, "destroy") == 0) {
        /* Every container of this run carries the run's label. */
        if (++B.destroyed >= B.n - B.failed && B.finished == B.n)
            event_base_loopbreak(B.base);
        return;
    }
    if (strcmp(ev->action, B.auto_remove && !B.overlap ? "destroy" : "die") != 0)
        return;
    for (int i = 0; i < B.conc; i++) {
        struct slot *s = &B.slots[i];
        if (s->index >= 0 && !s->exited && strcmp(s->id, ev->id) == 0) {
            s->exited = true;
            if (B.auto_remove || B.keep)
                finish_slot(s, NULL); /* the engine removes it (or already has), or it stays */
            else
                remove_slot(s);
            return;
        }
    }
}

static void on_resync(bool reconnect, void *data)
{
    (void)data;
    if (reconnect)
        fprintf(stderr, "events stream reconnected\n");
    B.ready = true;
    event_base_loopbreak(B.base);
}

int main(int argc, char **argv)
{
    B.n = argc > 1 ? atoi(argv[1]) : 200;
    B.conc = argc > 2 ? atoi(argv[2]) : 10;
    B.image = argc > 3 ? argv[3] : "kjob/busybox:latest";
    B.network = argc > 4 ? argv[4] : "none";
    const char *mode = argc > 5 ? argv[5] : "autoremove";
    B.overlap = strcmp(mode, "overlap") == 0;
    B.auto_remove = B.overlap || strcmp(mode, "autoremove") == 0;
    B.keep = strcmp(mode, "keep") == 0;
    if (B.n <= 0 || B.conc <= 0 || (!B.auto_remove && !B.keep && strcmp(mode, "remove") != 0)) {
        fprintf(stderr, "usage: docker_client [N] [CONCURRENCY] [IMAGE] [NETWORK] "
                        "[autoremove|remove|overlap|keep] [LABEL]\n");
        return 2;
    }
    if (argc > 6)
        snprintf(B.label, sizeof(B.label), "%s", argv[6]);
    else
        snprintf(B.label, sizeof(B.label), "kjbench-%ld-%ld", (long)getpid(), (long)time(NULL));
    B.base = event_base_new();
    kj_error_t err = NULL;
    B.d = kj_docker_new(B.base, NULL, &err);
    if (B.d == NULL) {
        fprintf(stderr, "docker_client: %s\n", err->msg);
        return 1;
    }
    char filter[96];
    snprintf(filter, sizeof(filter), "io.kjob.bench=%s", B.label);
    const char *labels[] = {filter, NULL};
    const char *types[] = {"container", NULL};
    const char *actions[] = {B.overlap ? "die" : B.auto_remove ? "destroy" : "die",
                             B.overlap ? "destroy" : NULL, NULL};
    struct kj_docker_events_opts eo = {.types = types, .labels = labels, .actions = actions};
    struct kj_docker_events_cbs cbs = {.resync_cb = on_resync, .event_cb = on_event};
    kj_docker_req_t *ev = kj_docker_events(B.d, &eo, &cbs, NULL, &err);
    if (ev == NULL) {
        fprintf(stderr, "docker_client: %s\n", err->msg);
        return 1;
    }
    event_base_dispatch(B.base); /* until the events stream is up */
    if (!B.ready)
        return 1;

    struct rusage ru0, ru1;
    getrusage(RUSAGE_SELF, &ru0);
    double t0 = now_s();
    B.slots = calloc((size_t)B.conc, sizeof(*B.slots));
    for (int i = 0; i < B.conc; i++) {
        B.slots[i].index = -1;
        if (B.launched < B.n)
            launch(&B.slots[i]);
    }
    event_base_dispatch(B.base);
    double wall = now_s() - t0;
    getrusage(RUSAGE_SELF, &ru1);
    double cpu = (double)(ru1.ru_utime.tv_sec - ru0.ru_utime.tv_sec) +
                 (double)(ru1.ru_stime.tv_sec - ru0.ru_stime.tv_sec) +
                 (double)(ru1.ru_utime.tv_usec - ru0.ru_utime.tv_usec) / 1e6 +
                 (double)(ru1.ru_stime.tv_usec - ru0.ru_stime.tv_usec) / 1e6;
    printf("client (%s, network %s): %d containers, concurrency %d: %.2f s wall, %.1f containers/s, "
           "cpu %.2f ms/container, %d failed\n",
           mode, B.network, B.n, B.conc, wall, B.n / wall, cpu * 1000 / B.n, B.failed);
    kj_docker_cancel(ev);
    kj_docker_free(B.d);
    event_base_free(B.base);
    free(B.slots);
    return B.failed ? 1 : 0;
}
