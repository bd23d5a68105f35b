/* kjobctl delete RESOURCE NAME [--cascade=background|foreground|orphan]:
 * kubectl sends Background unless told otherwise, and so does kjobctl. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "kjobctl.h"
#include "util/cleanup.h"
#include "util/xalloc.h"

int kj_cmd_delete(struct kjobctl *ctl, int argc, char **argv)
{
    static const struct option opts[] = {{"cascade", required_argument, NULL, 'c'},
                                         {NULL, 0, NULL, 0}};
    const char *policy = "Background";
    int c;
    optind = 0; /* 0 reinitialises GNU getopt after main()'s "+" scan */
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c != 'c')
            return 2;
        if (strcmp(optarg, "background") == 0 || strcmp(optarg, "true") == 0)
            policy = "Background";
        else if (strcmp(optarg, "foreground") == 0)
            policy = "Foreground";
        else if (strcmp(optarg, "orphan") == 0 || strcmp(optarg, "false") == 0)
            policy = "Orphan";
        else
            return kjobctl_fail("invalid cascade value (%s). Must be \"background\", "
                                "\"foreground\", or \"orphan\"",
                                optarg);
    }
    if (optind >= argc)
        return kjobctl_fail("you must specify the type of resource to delete");
    const char *name = NULL;
    const struct kj_api_resource *r = kjobctl_resource_arg(argv[optind], &name);
    if (r == NULL)
        return kjobctl_fail("the server doesn't have a resource type \"%s\"", argv[optind]);
    if (name == NULL && optind + 1 < argc)
        name = argv[optind + 1];
    if (name == NULL)
        return kjobctl_fail("resource name may not be empty");
    char path[768];
    int n = kj_resource_path(r, ctl->ns, path, sizeof(path));
    snprintf(path + n, sizeof(path) - (size_t)n, "/%s", name);
    cleanup_free char *body =
        xasprintf("{\"kind\":\"DeleteOptions\",\"apiVersion\":\"v1\",\"propagationPolicy\":\"%s\"}",
                  policy);
    struct kj_response resp = {0};
    kj_error_t err = NULL;
    if (kj_client_do(ctl->client, "DELETE", path, "application/json", body, NULL, &resp, &err) < 0) {
        int rc = kjobctl_fail("%s", err->msg);
        kj_error_release(&err);
        return rc;
    }
    int rc = 0;
    if (resp.status >= 200 && resp.status < 300)
        printf("%s%s%s \"%s\" deleted\n", r->singular, r->group[0] ? "." : "", r->group, name);
    else {
        cleanup_free char *msg = kj_client_error_text(resp.status, resp.body);
        fprintf(stderr, "%s\n", msg);
        rc = 1;
    }
    kj_response_clear(&resp);
    return rc;
}
