/* One request's own state: construction, body and headers, and the libcurl
 * write/header callbacks that route the response to its ops. Nothing here
 * touches the client's lists or the CURLM (see docker.c). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h> /* strncasecmp */

#include "docker/docker-internal.h"
#include "util/cleanup.h"

/* ---- per-transfer libcurl callbacks --------------------------------------- */

static int buffer_append(struct kj_docker_req *r, const char *p, size_t n, size_t limit)
{
    if (r->resp_len + n > limit)
        return -1;
    if (r->resp_len + n + 1 > r->resp_cap) {
        size_t cap = r->resp_cap ? r->resp_cap : 4096;
        while (cap < r->resp_len + n + 1)
            cap *= 2;
        char *b = realloc(r->resp, cap);
        if (b == NULL)
            return -1;
        r->resp = b;
        r->resp_cap = cap;
    }
    memcpy(r->resp + r->resp_len, p, n);
    r->resp_len += n;
    r->resp[r->resp_len] = '\0';
    return 0;
}

#define KJ_DOCKER_BODY_MAX (64 * 1024 * 1024)
#define KJ_DOCKER_ERROR_BODY_MAX (64 * 1024)

size_t kj_docker_write_cb(char *p, size_t size, size_t nmemb, void *userp)
{
    struct kj_docker_req *r = userp;
    size_t n = size * nmemb;
    if (r->cancelled)
        return 0;
    if (r->status == 0)
        curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &r->status);
    bool ok = r->status >= 200 && r->status < 300;
    if (ok && r->ops->data != NULL) {
        int rc = r->ops->data(r, p, n, &r->data_err);
        /* A user callback inside data may have cancelled us. */
        return rc == 0 && !r->cancelled ? n : 0;
    }
    if (buffer_append(r, p, n, ok ? KJ_DOCKER_BODY_MAX : KJ_DOCKER_ERROR_BODY_MAX) < 0) {
        if (!ok)
            return n; /* keep the head of an oversized error body */
        kj_make_error(&r->data_err, EMSGSIZE, "response body over %d bytes", KJ_DOCKER_BODY_MAX);
        return 0;
    }
    return n;
}

static char *header_value(const char *line, size_t n, const char *name)
{
    size_t nl = strlen(name);
    if (n <= nl || strncasecmp(line, name, nl) != 0 || line[nl] != ':')
        return NULL;
    const char *v = line + nl + 1, *end = line + n;
    while (v < end && (*v == ' ' || *v == '\t'))
        v++;
    while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' '))
        end--;
    return strndup(v, (size_t)(end - v));
}

size_t kj_docker_header_cb(char *p, size_t size, size_t nmemb, void *userp)
{
    struct kj_docker_req *r = userp;
    size_t n = size * nmemb;
    if (r->cancelled)
        return 0;
    if (n >= 5 && strncmp(p, "HTTP/", 5) == 0) {
        /* A new response starts (after a 1xx, or a redirect we don't follow). */
        r->headers_done = false;
        free(r->api_version);
        free(r->content_type);
        r->api_version = r->content_type = NULL;
        return n;
    }
    if (n <= 2 && (p[0] == '\r' || p[0] == '\n')) {
        curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &r->status);
        if (r->status >= 200 && !r->headers_done) {
            r->headers_done = true;
            if (r->ops->headers != NULL && r->status < 300)
                r->ops->headers(r);
        }
        return r->cancelled ? 0 : n;
    }
    char *v;
    if ((v = header_value(p, n, "Api-Version")) != NULL) {
        free(r->api_version);
        r->api_version = v;
    } else if ((v = header_value(p, n, "Content-Type")) != NULL) {
        free(r->content_type);
        r->content_type = v;
    }
    return n;
}

struct kj_docker_req *kj_docker_req_new(struct kj_docker *d, const struct kj_docker_req_ops *ops,
                                        const char *method, kj_error_t *err, const char *fmt, ...)
{
    struct kj_docker_req *r = calloc(1, sizeof(*r));
    if (r == NULL) {
        kj_make_error(err, ENOMEM, "docker request");
        return NULL;
    }
    va_list ap;
    va_start(ap, fmt);
    int n = vasprintf(&r->path, fmt, ap);
    va_end(ap);
    if (n < 0) {
        free(r);
        kj_make_error(err, ENOMEM, "docker request");
        return NULL;
    }
    r->d = d;
    r->ops = ops;
    r->method = method;
    r->versioned = true;
    r->state = KJ_REQ_IDLE;
    return r;
}

void kj_docker_req_reset_transfer(struct kj_docker_req *r)
{
    if (r->easy != NULL) {
        curl_easy_cleanup(r->easy);
        r->easy = NULL;
    }
    free(r->resp);
    free(r->api_version);
    free(r->content_type);
    r->resp = r->api_version = r->content_type = NULL;
    r->resp_len = r->resp_cap = 0;
    r->status = 0;
    r->headers_done = false;
    r->errbuf[0] = '\0';
    kj_error_release(&r->data_err);
}

void kj_docker_req_discard(struct kj_docker_req *r)
{
    if (r == NULL)
        return;
    if (r->ops != NULL && r->ops->free != NULL)
        r->ops->free(r);
    kj_docker_req_reset_transfer(r);
    curl_slist_free_all(r->headers);
    free(r->what);
    free(r->path);
    free(r->body);
    free(r);
}

void kj_docker_req_what(struct kj_docker_req *r, const char *fmt, ...)
{
    free(r->what);
    r->what = NULL;
    va_list ap;
    va_start(ap, fmt);
    if (vasprintf(&r->what, fmt, ap) < 0)
        r->what = NULL;
    va_end(ap);
}

int kj_docker_req_set_json(struct kj_docker_req *r, char *json_text, kj_error_t *err)
{
    free(r->body);
    r->body = json_text;
    if (json_text == NULL)
        return kj_make_error(err, ENOMEM, "docker request body");
    return kj_docker_req_add_header(r, "Content-Type: application/json", err);
}

int kj_docker_req_add_header(struct kj_docker_req *r, const char *header, kj_error_t *err)
{
    struct curl_slist *l = curl_slist_append(r->headers, header);
    if (l == NULL)
        return kj_make_error(err, ENOMEM, "docker request header");
    r->headers = l;
    return 0;
}

char *kj_docker_escape(const char *s)
{
    char *e = curl_easy_escape(NULL, s, 0);
    if (e == NULL)
        return NULL;
    char *out = strdup(e);
    curl_free(e);
    return out;
}
