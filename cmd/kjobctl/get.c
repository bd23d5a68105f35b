/* kjobctl get: the server's Table, aligned as kubectl aligns it, or the
 * objects as JSON/YAML/names. */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/yamlout.h"
#include "kjobctl.h"
#include "kubeapi/tabwriter.h"
#include "util/cleanup.h"
#include "util/xalloc.h"

#define TABLE_ACCEPT "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"

static int cmp_keys(const void *a, const void *b)
{
    return strcmp((*(const cJSON *const *)a)->string, (*(const cJSON *const *)b)->string);
}

/* A JSON scalar as Go's encoding/json writes it: '<', '>' and '&' escaped
 * (they only occur inside strings, so the whole text can be scanned). */
static void put_go_json(FILE *out, const char *s)
{
    for (; *s != '\0'; s++) {
        if (*s == '<')
            fputs("\\u003c", out);
        else if (*s == '>')
            fputs("\\u003e", out);
        else if (*s == '&')
            fputs("\\u0026", out);
        else
            fputc(*s, out);
    }
}

/* kubectl -o json: encoding/json's MarshalIndent with four spaces. */
static void pretty(FILE *out, const cJSON *j, int depth)
{
    bool obj = cJSON_IsObject(j);
    if (!obj && !cJSON_IsArray(j)) {
        cleanup_free char *s = cJSON_PrintUnformatted(j);
        put_go_json(out, s ? s : "null");
        return;
    }
    if (j->child == NULL) {
        fputs(obj ? "{}" : "[]", out);
        return;
    }
    /* Keys sorted: kubectl prints a Go map. */
    size_t n = 0;
    for (const cJSON *c = j->child; c != NULL; c = c->next)
        n++;
    const cJSON **kids = xcalloc(n, sizeof *kids);
    n = 0;
    for (const cJSON *c = j->child; c != NULL; c = c->next)
        kids[n++] = c;
    if (obj)
        qsort(kids, n, sizeof *kids, cmp_keys);
    fputc(obj ? '{' : '[', out);
    for (size_t i = 0; i < n; i++) {
        const cJSON *c = kids[i];
        fprintf(out, "\n%*s", (depth + 1) * 4, "");
        if (obj) {
            cJSON *k = cJSON_CreateString(c->string);
            cleanup_free char *ks = cJSON_PrintUnformatted(k);
            cJSON_Delete(k);
            put_go_json(out, ks);
            fputs(": ", out);
        }
        pretty(out, c, depth + 1);
        if (i + 1 < n)
            fputc(',', out);
    }
    free(kids);
    fprintf(out, "\n%*s%c", depth * 4, "", obj ? '}' : ']');
}

static void cell_text(FILE *f, const cJSON *cell)
{
    if (cJSON_IsString(cell))
        fputs(cell->valuestring, f);
    else if (cJSON_IsNumber(cell))
        fprintf(f, "%lld", (long long)cell->valuedouble);
    else if (cJSON_IsBool(cell))
        fputs(cJSON_IsTrue(cell) ? "true" : "false", f);
    else if (!cJSON_IsNull(cell)) {
        cleanup_free char *s = cJSON_PrintUnformatted(cell);
        fputs(s ? s : "", f);
    }
}

static int print_table(const cJSON *table, bool wide, bool all_ns)
{
    const cJSON *cols = cJSON_GetObjectItemCaseSensitive(table, "columnDefinitions");
    const cJSON *rows = cJSON_GetObjectItemCaseSensitive(table, "rows");
    if (cJSON_GetArraySize(rows) == 0)
        return 0;
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (f == NULL)
        return kjobctl_fail("out of memory");
    int ncols = cJSON_GetArraySize(cols);
    bool *show = xcalloc((size_t)ncols, sizeof(*show));
    bool first = true;
    if (all_ns) {
        fputs("NAMESPACE", f);
        first = false;
    }
    for (int i = 0; i < ncols; i++) {
        const cJSON *c = cJSON_GetArrayItem(cols, i);
        const cJSON *prio = cJSON_GetObjectItemCaseSensitive(c, "priority");
        show[i] = wide || !cJSON_IsNumber(prio) || prio->valueint == 0;
        if (!show[i])
            continue;
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(c, "name");
        fputs(first ? "" : "\t", f);
        first = false;
        for (const char *p = cJSON_IsString(name) ? name->valuestring : ""; *p; p++)
            fputc(*p >= 'a' && *p <= 'z' ? *p - 'a' + 'A' : *p, f);
    }
    fputc('\n', f);
    const cJSON *row;
    cJSON_ArrayForEach(row, rows)
    {
        first = true;
        if (all_ns) {
            const cJSON *ns = cJSON_GetObjectItemCaseSensitive(
                cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(row, "object"),
                                                 "metadata"),
                "namespace");
            fputs(cJSON_IsString(ns) ? ns->valuestring : "", f);
            first = false;
        }
        const cJSON *cells = cJSON_GetObjectItemCaseSensitive(row, "cells");
        for (int i = 0; i < ncols; i++) {
            if (!show[i])
                continue;
            fputs(first ? "" : "\t", f);
            first = false;
            cell_text(f, cJSON_GetArrayItem(cells, i));
        }
        fputc('\n', f);
    }
    fclose(f);
    free(show);
    cleanup_free char *aligned = kj_tabwrite(text, 6, 3);
    free(text);
    fputs(aligned ? aligned : "", stdout);
    return 0;
}

int kj_cmd_get(struct kjobctl *ctl, int argc, char **argv)
{
    static const struct option opts[] = {{"output", required_argument, NULL, 'o'},
                                         {"selector", required_argument, NULL, 'l'},
                                         {"all-namespaces", no_argument, NULL, 'A'},
                                         {NULL, 0, NULL, 0}};
    const char *output = "", *selector = NULL;
    bool all_ns = false;
    int c;
    optind = 0; /* 0 reinitialises GNU getopt after main()'s "+" scan */
    while ((c = getopt_long(argc, argv, "o:l:A", opts, NULL)) != -1) {
        switch (c) {
        case 'o':
            output = optarg;
            break;
        case 'l':
            selector = optarg;
            break;
        case 'A':
            all_ns = true;
            break;
        default:
            return 2;
        }
    }
    if (optind >= argc)
        return kjobctl_fail("you must specify the type of resource to get");
    const char *name = NULL;
    const struct kj_api_resource *r = kjobctl_resource_arg(argv[optind], &name);
    if (r == NULL)
        return kjobctl_fail("the server doesn't have a resource type \"%s\"", argv[optind]);
    if (name == NULL && optind + 1 < argc)
        name = argv[optind + 1];
    if (strcmp(output, "") != 0 && strcmp(output, "wide") != 0 && strcmp(output, "json") != 0 &&
        strcmp(output, "yaml") != 0 && strcmp(output, "name") != 0)
        return kjobctl_fail("unable to match a printer suitable for the output format \"%s\"",
                            output);

    char path[768];
    int n = kj_resource_path(r, all_ns && name == NULL ? NULL : ctl->ns, path, sizeof(path));
    if (name != NULL)
        snprintf(path + n, sizeof(path) - (size_t)n, "/%s", name);
    else if (selector != NULL) {
        cleanup_free char *esc = kj_client_escape(selector);
        snprintf(path + n, sizeof(path) - (size_t)n, "?labelSelector=%s", esc);
    }
    bool table = output[0] == '\0' || strcmp(output, "wide") == 0;
    cleanup_cjson cJSON *j = kjobctl_get_json(ctl, path, table ? TABLE_ACCEPT : NULL);
    if (j == NULL)
        return 1;
    if (table) {
        if (cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(j, "rows")) == 0) {
            if (all_ns || !r->namespaced)
                fprintf(stderr, "No resources found\n");
            else
                fprintf(stderr, "No resources found in %s namespace.\n", ctl->ns);
            return 0;
        }
        return print_table(j, strcmp(output, "wide") == 0, all_ns && name == NULL);
    }
    cJSON *shown = j;
    cleanup_cjson cJSON *list = NULL;
    if (name == NULL) {
        /* kubectl prints a v1 List whatever the list kind was */
        list = cJSON_CreateObject();
        cJSON_AddStringToObject(list, "apiVersion", "v1");
        cJSON *items = cJSON_DetachItemFromObjectCaseSensitive(j, "items");
        cJSON *it;
        char av[96];
        snprintf(av, sizeof(av), "%s%s%s", r->group, r->group[0] ? "/" : "", r->version);
        cJSON_ArrayForEach(it, items)
        {
            if (!cJSON_HasObjectItem(it, "kind")) {
                cJSON_AddStringToObject(it, "apiVersion", av);
                cJSON_AddStringToObject(it, "kind", r->kind);
            }
        }
        cJSON_AddItemToObject(list, "items", items ? items : cJSON_CreateArray());
        cJSON_AddStringToObject(list, "kind", "List");
        cJSON *meta = cJSON_AddObjectToObject(list, "metadata");
        cJSON_AddStringToObject(meta, "resourceVersion", "");
        shown = list;
    }
    if (strcmp(output, "json") == 0) {
        pretty(stdout, shown, 0);
        fputc('\n', stdout);
    } else if (strcmp(output, "yaml") == 0) {
        cleanup_free char *y = kj_yaml_emit(shown);
        if (y == NULL)
            return kjobctl_fail("cannot print YAML");
        fputs(y, stdout);
    } else {
        const cJSON *items = cJSON_GetObjectItemCaseSensitive(shown, "items");
        const cJSON *it;
        cJSON *single = NULL;
        if (items == NULL) {
            single = cJSON_CreateArray();
            cJSON_AddItemReferenceToArray(single, shown);
            items = single;
        }
        cJSON_ArrayForEach(it, items)
        {
            const cJSON *nm = cJSON_GetObjectItemCaseSensitive(
                cJSON_GetObjectItemCaseSensitive(it, "metadata"), "name");
            printf("%s%s%s/%s\n", r->singular, r->group[0] ? "." : "", r->group,
                   cJSON_IsString(nm) ? nm->valuestring : "");
        }
        cJSON_Delete(single);
    }
    return 0;
}
