/* kjobctl: a small client for kjobd for people without kubectl. Each verb
 * lives in its own file with one kj_cmd_<verb>() entry, dispatched from the
 * table in main.c. Verbs print kubectl's output where the two overlap and
 * fail with one line on stderr and a non-zero exit. */
#ifndef KJOBCTL_H
#define KJOBCTL_H

#include <cjson/cJSON.h>

#include "client/client.h"
#include "kubeapi/resources.h"

struct kjobctl {
    struct kj_client *client; /* owned */
    const char *server;       /* borrowed from argv/env */
    const char *ns;           /* namespace, "default" unless -n */
    const char *token;        /* borrowed bearer token or NULL */
    const char *ca_file;      /* borrowed CA bundle path or NULL */
};

int kj_cmd_apply(struct kjobctl *ctl, int argc, char **argv);
int kj_cmd_get(struct kjobctl *ctl, int argc, char **argv);
int kj_cmd_describe(struct kjobctl *ctl, int argc, char **argv);
int kj_cmd_logs(struct kjobctl *ctl, int argc, char **argv);
int kj_cmd_delete(struct kjobctl *ctl, int argc, char **argv);
int kj_cmd_wait(struct kjobctl *ctl, int argc, char **argv);
int kj_cmd_kubeconfig(struct kjobctl *ctl, int argc, char **argv);

/* Print "error: <msg>" on stderr; returns 1 (the exit code). */
int kjobctl_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* GET path and parse the JSON body. On a non-2xx answer prints kubectl's
 * error line and returns NULL; on success the tree is owned by the caller. */
cJSON *kjobctl_get_json(struct kjobctl *ctl, const char *path, const char *accept);

/* Split "job/NAME" or ("job", "NAME") into a resource and a name. */
const struct kj_api_resource *kjobctl_resource_arg(const char *arg, const char **name_out);

#endif
