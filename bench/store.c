/* Store benchmark: create N Job-sized (~2 KiB) objects, then load them in a
 * fresh process and report the time and resident memory.
 *
 *   build/default/bench/store [N] [DIR]     (default 1000, a temp dir under /tmp)
 *
 * The load runs in a re-executed copy of this program so that its RSS is
 * what kjobd would have after start-up, not the leftovers of the creates. */
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/wait.h> /* waitpid */
#include <unistd.h>

#include "store/store.h"
#include "util/log.h"

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static long rss_kib(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kib = -1;
    while (f != NULL && fgets(line, sizeof(line), f) != NULL)
        if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
            break;
    if (f != NULL)
        fclose(f);
    return kib;
}

/* A finished Job as kubectl apply + the controller leave it (~2 KiB). */
static cJSON *job(int i)
{
    char name[32], text[4096];
    snprintf(name, sizeof(name), "bench-%05d", i);
    snprintf(text, sizeof(text),
             "{\"apiVersion\":\"batch/v1\",\"kind\":\"Job\",\"metadata\":{\"name\":\"%s\","
             "\"namespace\":\"default\",\"uid\":\"6f1c2a8e-%04d-4c39-9d7a-0242ac120002\","
             "\"generation\":1,\"resourceVersion\":\"0\","
             "\"creationTimestamp\":\"2026-11-26T21:04:58Z\","
             "\"labels\":{\"app\":\"oneshot\",\"controller-uid\":\"6f1c2a8e-%04d\","
             "\"job-name\":\"%s\"},\"annotations\":{\"kubectl.kubernetes.io/"
             "last-applied-configuration\":\"{\\\"apiVersion\\\":\\\"batch/v1\\\",\\\"kind\\\":"
             "\\\"Job\\\",\\\"metadata\\\":{\\\"labels\\\":{\\\"chapter\\\":\\\"jobs\\\"},"
             "\\\"name\\\":\\\"%s\\\",\\\"namespace\\\":\\\"default\\\"},\\\"spec\\\":"
             "{\\\"template\\\":{\\\"spec\\\":{\\\"containers\\\":[{\\\"args\\\":[\\\"--keygen-"
             "enable\\\",\\\"--keygen-exit-on-complete\\\",\\\"--keygen-num-to-gen=10\\\"],"
             "\\\"image\\\":\\\"gcr.io/kuar-demo/kuard-amd64:blue\\\",\\\"name\\\":\\\"kuard\\\"}],"
             "\\\"restartPolicy\\\":\\\"OnFailure\\\"}}}}\\n\"}},"
             "\"spec\":{\"parallelism\":1,\"activeDeadlineSeconds\":600,"
             "\"ttlSecondsAfterFinished\":3600,\"manualSelector\":false,\"completions\":1,"
             "\"backoffLimit\":6,"
             "\"completionMode\":\"NonIndexed\",\"suspend\":false,\"selector\":{\"matchLabels\":"
             "{\"controller-uid\":\"6f1c2a8e-%04d\"}},\"template\":{\"metadata\":{\"labels\":"
             "{\"app\":\"oneshot\",\"controller-uid\":\"6f1c2a8e-%04d\",\"job-name\":\"%s\"}},"
             "\"spec\":{\"containers\":[{\"name\":\"kuard\",\"image\":\"gcr.io/kuar-demo/"
             "kuard-amd64:blue\",\"imagePullPolicy\":\"IfNotPresent\",\"args\":["
             "\"--keygen-enable\",\"--keygen-exit-on-complete\",\"--keygen-num-to-gen=10\"],"
             "\"resources\":{},\"terminationMessagePath\":\"/dev/termination-log\","
             "\"terminationMessagePolicy\":\"File\"}],\"restartPolicy\":\"OnFailure\","
             "\"terminationGracePeriodSeconds\":30,\"dnsPolicy\":\"ClusterFirst\","
             "\"securityContext\":{},\"schedulerName\":\"default-scheduler\"}}},"
             "\"status\":{\"conditions\":[{\"type\":\"Complete\",\"status\":\"True\","
             "\"lastProbeTime\":\"2026-11-26T21:05:31Z\",\"lastTransitionTime\":"
             "\"2026-11-26T21:05:31Z\"}],\"startTime\":\"2026-11-26T21:04:58Z\","
             "\"completionTime\":\"2026-11-26T21:05:31Z\",\"active\":0,\"failed\":0,"
             "\"terminating\":0,\"completedIndexes\":\"\",\"readyPods\":0,"
             "\"observedPods\":[\"%s-7xk2p\"],\"succeeded\":1,\"ready\":0,"
             "\"uncountedTerminatedPods\":{}}}",
             name, i, i, name, name, i, i, name, name);
    return cJSON_Parse(text);
}

static int rm_cb(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

static int load(const char *dir, int n)
{
    long before = rss_kib();
    kj_error_t err = NULL;
    double t0 = now_ms();
    struct kj_store *s = kj_store_open(dir, &err);
    double t1 = now_ms();
    if (s == NULL) {
        kj_error_log_release(&err, "open");
        return 1;
    }
    size_t got = kj_store_count(s, "jobs", NULL);
    double t2 = now_ms();
    for (int i = 0; i < n; i++) {
        char name[32];
        snprintf(name, sizeof(name), "bench-%05d", i);
        if (kj_store_get(s, "jobs", "default", name) == NULL)
            return 1;
    }
    double t3 = now_ms();
    long after = rss_kib();
    printf("load:   %zu objects in %.1f ms; %d gets in %.3f ms\n", got, t1 - t0, n, t3 - t2);
    printf("rss:    %ld KiB before open, %ld KiB after (%.1f KiB per object)\n", before, after,
           (double)(after - before) / (double)(got ? got : 1));
    kj_store_close(s);
    return got == (size_t)n ? 0 : 1;
}

int main(int argc, char **argv)
{
    kj_log_setup(KJ_LOG_WARN, KJ_LOG_TEXT, NULL);
    if (argc == 4 && strcmp(argv[1], "--load") == 0)
        return load(argv[2], atoi(argv[3]));
    int n = argc > 1 ? atoi(argv[1]) : 1000;
    char tmp[] = "/tmp/kj-store-bench.XXXXXX";
    const char *dir = argc > 2 ? argv[2] : mkdtemp(tmp);
    if (n <= 0 || dir == NULL) {
        fprintf(stderr, "usage: store [N] [DIR]\n");
        return 2;
    }
    kj_error_t err = NULL;
    struct kj_store *s = kj_store_open(dir, &err);
    if (s == NULL) {
        kj_error_log_release(&err, "open");
        return 1;
    }
    cJSON *probe = job(0);
    char *text = cJSON_PrintUnformatted(probe);
    printf("object: %zu bytes of JSON\n", strlen(text));
    free(text);
    cJSON_Delete(probe);
    double t0 = now_ms();
    for (int i = 0; i < n; i++) {
        cJSON *o = job(i);
        if (kj_store_create(s, "jobs", "default", cJSON_GetObjectItem(cJSON_GetObjectItem(o,
                            "metadata"), "name")->valuestring, o, NULL, &err) < 0) {
            kj_error_log_release(&err, "create");
            return 1;
        }
    }
    double t1 = now_ms();
    for (int i = 0; i < n; i++) {
        cJSON *o = job(i);
        char name[32];
        snprintf(name, sizeof(name), "bench-%05d", i);
        if (kj_store_update(s, "jobs", "default", name, o, NULL, NULL, &err) < 0) {
            kj_error_log_release(&err, "update");
            return 1;
        }
    }
    double t2 = now_ms();
    printf("create: %d in %.1f ms (%.3f ms each)\n", n, t1 - t0, (t1 - t0) / n);
    printf("update: %d in %.1f ms (%.3f ms each)\n", n, t2 - t1, (t2 - t1) / n);
    printf("rss:    %ld KiB after creating and updating (history ring full)\n", rss_kib());
    kj_store_close(s);

    char count[16];
    snprintf(count, sizeof(count), "%d", n);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        execl("/proc/self/exe", argv[0], "--load", dir, count, (char *)NULL);
        _exit(127);
    }
    int status = 1;
    waitpid(pid, &status, 0);
    if (argc <= 2)
        nftw(dir, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
