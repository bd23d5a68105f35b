#include "client/client.h"

#include <curl/curl.h> /* CURL */
#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/cleanup.h"
#include "util/xalloc.h"

struct kj_client {
    char *base;        /* owned: "http://host:port", or "http://localhost" for unix */
    char *unix_socket; /* owned, may be NULL */
    char *auth_header; /* owned, may be NULL */
    char *ca_file;     /* owned, may be NULL */
};

struct kj_client *kj_client_new(const char *server, const char *token, kj_error_t *err)
{
    if (server == NULL || server[0] == '\0')
        server = "http://127.0.0.1:8001";
    struct kj_client *c = xcalloc(1, sizeof(*c));
    if (strncmp(server, "unix:", 5) == 0) {
        const char *path = server + 5;
        while (path[0] == '/' && path[1] == '/')
            path++;
        c->unix_socket = xstrdup(path);
        c->base = xstrdup("http://localhost");
    } else if (strncmp(server, "http://", 7) == 0 || strncmp(server, "https://", 8) == 0) {
        size_t n = strlen(server);
        while (n > 0 && server[n - 1] == '/')
            n--;
        c->base = xstrndup(server, n);
    } else {
        free(c);
        kj_make_error(err, 0, "invalid server `%s`: want http://HOST:PORT, https://... or unix:/PATH",
                      server);
        return NULL;
    }
    if (token != NULL && token[0] != '\0')
        c->auth_header = xasprintf("Authorization: Bearer %s", token);
    return c;
}

void kj_client_set_ca(struct kj_client *c, const char *path)
{
    free(c->ca_file);
    c->ca_file = path != NULL ? xstrdup(path) : NULL;
}

void kj_client_free(struct kj_client *c)
{
    if (c == NULL)
        return;
    free(c->base);
    free(c->unix_socket);
    free(c->auth_header);
    free(c->ca_file);
    free(c);
}

void kj_response_clear(struct kj_response *r)
{
    free(r->body);
    r->body = NULL;
    r->len = 0;
}

struct sink {
    char *buf;
    size_t len;
    kj_client_chunk_cb cb;
    void *userdata;
    CURL *easy;
    bool stopped;
};

static size_t write_cb(char *data, size_t size, size_t nmemb, void *userdata)
{
    struct sink *s = userdata;
    size_t n = size * nmemb;
    if (s->cb != NULL) {
        long status = 0;
        curl_easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &status);
        if (status >= 200 && status < 300) {
            if (s->cb(data, n, s->userdata) != 0) {
                s->stopped = true;
                return 0;
            }
            return n;
        }
    }
    char *nb = realloc(s->buf, s->len + n + 1);
    if (nb == NULL)
        return 0;
    s->buf = nb;
    memcpy(s->buf + s->len, data, n);
    s->len += n;
    s->buf[s->len] = '\0';
    return n;
}

static int perform(struct kj_client *c, const char *method, const char *path,
                   const char *content_type, const char *body, const char *accept,
                   struct sink *sink, long *status, kj_error_t *err)
{
    CURL *h = curl_easy_init();
    if (h == NULL)
        return kj_make_error(err, 0, "cannot initialise libcurl");
    cleanup_free char *url = xasprintf("%s%s", c->base, path);
    struct curl_slist *headers = NULL;
    cleanup_free char *ct = content_type ? xasprintf("Content-Type: %s", content_type) : NULL;
    cleanup_free char *ac = xasprintf("Accept: %s", accept ? accept : "application/json");
    headers = curl_slist_append(headers, ac);
    if (ct != NULL)
        headers = curl_slist_append(headers, ct);
    if (c->auth_header != NULL)
        headers = curl_slist_append(headers, c->auth_header);
    char errbuf[CURL_ERROR_SIZE] = {0};
    sink->easy = h;
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "kjobctl");
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, write_cb);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, sink);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    if (c->unix_socket != NULL)
        curl_easy_setopt(h, CURLOPT_UNIX_SOCKET_PATH, c->unix_socket);
    if (c->ca_file != NULL)
        curl_easy_setopt(h, CURLOPT_CAINFO, c->ca_file);
    if (body != NULL) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    }
    CURLcode rc = curl_easy_perform(h);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
    curl_slist_free_all(headers);
    curl_easy_cleanup(h);
    if (rc != CURLE_OK && !(rc == CURLE_WRITE_ERROR && sink->stopped))
        return kj_make_error(err, 0, "%s %s: %s", method, url, errbuf[0] ? errbuf : curl_easy_strerror(rc));
    return 0;
}

int kj_client_do(struct kj_client *c, const char *method, const char *path,
                 const char *content_type, const char *body, const char *accept,
                 struct kj_response *out, kj_error_t *err)
{
    struct sink s = {0};
    int rc = perform(c, method, path, content_type, body, accept, &s, &out->status, err);
    if (rc < 0) {
        free(s.buf);
        return rc;
    }
    out->body = s.buf ? s.buf : xstrdup("");
    out->len = s.len;
    return 0;
}

int kj_client_stream(struct kj_client *c, const char *path, kj_client_chunk_cb cb,
                     void *userdata, long *status, char **error_body, kj_error_t *err)
{
    struct sink s = {.cb = cb, .userdata = userdata};
    int rc = perform(c, "GET", path, NULL, NULL, "*/*", &s, status, err);
    if (rc < 0 || *status < 200 || *status >= 300) {
        *error_body = s.buf ? s.buf : xstrdup("");
        return rc;
    }
    free(s.buf);
    *error_body = NULL;
    return 0;
}

char *kj_client_error_text(long status, const char *body)
{
    cleanup_cjson cJSON *j = body ? cJSON_Parse(body) : NULL;
    const cJSON *kind = cJSON_GetObjectItemCaseSensitive(j, "kind");
    if (cJSON_IsString(kind) && strcmp(kind->valuestring, "Status") == 0) {
        const cJSON *reason = cJSON_GetObjectItemCaseSensitive(j, "reason");
        const cJSON *msg = cJSON_GetObjectItemCaseSensitive(j, "message");
        const char *m = cJSON_IsString(msg) ? msg->valuestring : "";
        if (cJSON_IsString(reason) && strcmp(reason->valuestring, "Invalid") == 0) {
            /* kubectl: `The Job "x" is invalid: ...` from `Job.batch "x" is invalid: ...` */
            const cJSON *details = cJSON_GetObjectItemCaseSensitive(j, "details");
            const cJSON *k = cJSON_GetObjectItemCaseSensitive(details, "kind");
            const cJSON *n = cJSON_GetObjectItemCaseSensitive(details, "name");
            const char *rest = strstr(m, " is invalid: ");
            if (cJSON_IsString(k) && cJSON_IsString(n) && rest != NULL)
                return xasprintf("The %s \"%s\" is invalid: %s", k->valuestring, n->valuestring,
                                 rest + strlen(" is invalid: "));
        }
        if (cJSON_IsString(reason) && reason->valuestring[0] != '\0')
            return xasprintf("Error from server (%s): %s", reason->valuestring, m);
        return xasprintf("Error from server: %s", m);
    }
    size_t n = body ? strcspn(body, "\n") : 0;
    return xasprintf("Error from server (%ld): %.*s", status, (int)n, body ? body : "");
}

char *kj_client_escape(const char *s)
{
    char *e = curl_easy_escape(NULL, s, 0);
    char *out = xstrdup(e ? e : "");
    curl_free(e);
    return out;
}
