/* kjobctl kubeconfig: a kubeconfig for users who want a kubectl context. */
#include <stdio.h>
#include <stdlib.h>

#include "kjobctl.h"

int kj_cmd_kubeconfig(struct kjobctl *ctl, int argc, char **argv)
{
    (void)argc;
    (void)argv;
    const char *server = ctl->server ? ctl->server : "http://127.0.0.1:8001";
    const char *token = ctl->token;
    printf("apiVersion: v1\n"
           "kind: Config\n"
           "clusters:\n"
           "- name: kjob\n"
           "  cluster:\n"
           "    server: %s\n",
           server);
    if (ctl->ca_file != NULL) {
        /* Absolute, so the kubeconfig works from any directory. */
        char *abs = realpath(ctl->ca_file, NULL);
        printf("    certificate-authority: %s\n", abs != NULL ? abs : ctl->ca_file);
        free(abs);
    }
    printf("contexts:\n"
           "- name: kjob\n"
           "  context:\n"
           "    cluster: kjob\n"
           "    namespace: %s\n"
           "    user: kjob\n"
           "current-context: kjob\n"
           "users:\n"
           "- name: kjob\n",
           ctl->ns);
    if (token != NULL && token[0] != '\0')
        printf("  user:\n    token: %s\n", token);
    else
        printf("  user: {}\n");
    return 0;
}
