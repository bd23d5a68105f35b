/* kjobctl wait job/NAME --for=condition=complete|failed [--timeout=30s]:
 * polls the Job (5 Hz, against a local daemon) and shows a live progress
 * bar on a terminal, plain lines on change otherwise. Unlike kubectl, which
 * waits out the timeout, it stops at once when the Job reaches the other
 * terminal condition, since that one can never change. */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "kjobctl.h"
#include "util/cleanup.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* "30s", "2m", "1h", "500ms" or a bare number of seconds; -1 if invalid. */
static double parse_duration(const char *s)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || v < 0)
        return -1;
    if (*end == '\0' || strcmp(end, "s") == 0)
        return v;
    if (strcmp(end, "ms") == 0)
        return v / 1000;
    if (strcmp(end, "m") == 0)
        return v * 60;
    if (strcmp(end, "h") == 0)
        return v * 3600;
    return -1;
}

static int num(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsNumber(v) ? v->valueint : 0;
}

/* The reason of a True condition of that type, "" if True without one, NULL if not True. */
static const char *condition(const cJSON *status, const char *type)
{
    const cJSON *c;
    cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(status, "conditions"))
    {
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(c, "type");
        const cJSON *s = cJSON_GetObjectItemCaseSensitive(c, "status");
        const cJSON *r = cJSON_GetObjectItemCaseSensitive(c, "reason");
        if (cJSON_IsString(t) && strcasecmp(t->valuestring, type) == 0 && cJSON_IsString(s) &&
            strcmp(s->valuestring, "True") == 0)
            return cJSON_IsString(r) ? r->valuestring : "";
    }
    return NULL;
}

static void progress(bool tty, const char *name, int want, int succeeded, int active, int failed,
                     double elapsed, char *last, size_t lastlen)
{
    char line[256];
    if (want > 0)
        snprintf(line, sizeof(line), "%d/%d succeeded, %d active, %d failed", succeeded, want,
                 active, failed);
    else
        snprintf(line, sizeof(line), "%d succeeded, %d active, %d failed", succeeded, active,
                 failed);
    if (tty) {
        char bar[31];
        int width = 30, filled = want > 0 ? (succeeded * width) / want : 0;
        if (filled > width)
            filled = width;
        for (int i = 0; i < width; i++)
            bar[i] = i < filled ? '#' : (i < filled + active && want > 0 ? '>' : '-');
        bar[width] = '\0';
        fprintf(stderr, "\r\033[Kjob/%s [%s] %s  %.0fs", name, bar, line, elapsed);
        fflush(stderr);
    } else if (strcmp(line, last) != 0) {
        fprintf(stderr, "job/%s: %s\n", name, line);
    }
    snprintf(last, lastlen, "%s", line);
}

int kj_cmd_wait(struct kjobctl *ctl, int argc, char **argv)
{
    static const struct option opts[] = {{"for", required_argument, NULL, 'f'},
                                         {"timeout", required_argument, NULL, 't'},
                                         {NULL, 0, NULL, 0}};
    const char *want_cond = "Complete";
    double timeout = 30;
    int c;
    optind = 0; /* 0 reinitialises GNU getopt after main()'s "+" scan */
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'f') {
            if (strncmp(optarg, "condition=", 10) != 0)
                return kjobctl_fail("unrecognized condition: \"%s\"", optarg);
            want_cond = optarg + 10;
        } else if (c == 't') {
            timeout = parse_duration(optarg);
            if (timeout < 0)
                return kjobctl_fail("invalid --timeout `%s`", optarg);
        } else
            return 2;
    }
    if (strcasecmp(want_cond, "complete") != 0 && strcasecmp(want_cond, "failed") != 0)
        return kjobctl_fail("kjobctl waits for condition=complete or condition=failed");
    if (optind >= argc)
        return kjobctl_fail("expected job/NAME");
    const char *name = NULL;
    const struct kj_api_resource *r = kjobctl_resource_arg(argv[optind], &name);
    if (name == NULL && optind + 1 < argc) {
        name = argv[optind + 1];
    }
    if (r == NULL || strcmp(r->kind, "Job") != 0 || name == NULL)
        return kjobctl_fail("kjobctl waits for jobs: expected job/NAME");
    char path[768];
    int n = kj_resource_path(r, ctl->ns, path, sizeof(path));
    snprintf(path + n, sizeof(path) - (size_t)n, "/%s", name);

    bool tty = isatty(STDERR_FILENO);
    char last[256] = "";
    double start = now_s();
    const char *other = strcasecmp(want_cond, "complete") == 0 ? "Failed" : "Complete";
    for (;;) {
        cleanup_cjson cJSON *job = kjobctl_get_json(ctl, path, NULL);
        if (job == NULL)
            return 1;
        const cJSON *status = cJSON_GetObjectItemCaseSensitive(job, "status");
        const cJSON *comp = cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(job, "spec"), "completions");
        progress(tty, name, cJSON_IsNumber(comp) ? comp->valueint : 0, num(status, "succeeded"),
                 num(status, "active"), num(status, "failed"), now_s() - start, last,
                 sizeof(last));
        if (condition(status, want_cond) != NULL) {
            if (tty)
                fputc('\n', stderr);
            printf("job.batch/%s condition met\n", name);
            return 0;
        }
        const char *why = condition(status, other);
        if (why != NULL) {
            if (tty)
                fputc('\n', stderr);
            return kjobctl_fail("job.batch/%s is %s (%s): condition %s can no longer be met", name,
                                other, why, want_cond);
        }
        if (now_s() - start >= timeout) {
            if (tty)
                fputc('\n', stderr);
            return kjobctl_fail("timed out waiting for the condition on jobs/%s", name);
        }
        usleep(200000);
    }
}
