#include "kuard/client.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kuard/memq.h"
#include "util/cleanup.h"

struct kj_kuard_memq_client {
    CURL *curl;   /* owned; kept so idle connections are reused */
    char *url;    /* owned */
    char *body;   /* owned; response body of the last call */
    size_t body_len;
    char status_line[128]; /* reason phrase of the last response, e.g. "400 Bad Request" */
    char errbuf[CURL_ERROR_SIZE];
};

struct kj_kuard_memq_client *kj_kuard_memq_client_new(const char *server, const char *queue,
                                                      kj_error_t *err)
{
    struct kj_kuard_memq_client *c = calloc(1, sizeof(*c));
    if (c == NULL)
        return kj_make_error(err, ENOMEM, "memq client"), NULL;
    c->curl = curl_easy_init();
    if (c->curl == NULL || asprintf(&c->url, "%s/queues/%s/dequeue", server, queue) < 0) {
        c->url = NULL;
        kj_kuard_memq_client_free(c);
        return kj_make_error(err, ENOMEM, "memq client"), NULL;
    }
    return c;
}

void kj_kuard_memq_client_free(struct kj_kuard_memq_client *c)
{
    if (c == NULL)
        return;
    if (c->curl != NULL)
        curl_easy_cleanup(c->curl);
    free(c->url);
    free(c->body);
    free(c);
}

const char *kj_kuard_memq_client_url(const struct kj_kuard_memq_client *c)
{
    return c->url;
}

static size_t body_cb(char *data, size_t size, size_t nmemb, void *userdata)
{
    struct kj_kuard_memq_client *c = userdata;
    size_t n = size * nmemb;
    char *nb = realloc(c->body, c->body_len + n + 1);
    if (nb == NULL)
        return 0; /* aborts the transfer with CURLE_WRITE_ERROR */
    memcpy(nb + c->body_len, data, n);
    c->body_len += n;
    nb[c->body_len] = '\0';
    c->body = nb;
    return n;
}

/* Keep the status text of the last response (after redirects), which is
 * what Go's resp.Status shows: "400 Bad Request". */
static size_t header_cb(char *data, size_t size, size_t nmemb, void *userdata)
{
    struct kj_kuard_memq_client *c = userdata;
    size_t n = size * nmemb;
    if (n > 5 && memcmp(data, "HTTP/", 5) == 0) {
        const char *sp = memchr(data, ' ', n);
        if (sp != NULL) {
            size_t len = n - (size_t)(sp + 1 - data);
            while (len > 0 && (sp[len] == '\r' || sp[len] == '\n'))
                len--;
            if (len >= sizeof(c->status_line))
                len = sizeof(c->status_line) - 1;
            memcpy(c->status_line, sp + 1, len);
            c->status_line[len] = '\0';
        }
    }
    return n;
}

int kj_kuard_memq_client_dequeue(struct kj_kuard_memq_client *c, kj_error_t *err)
{
    free(c->body);
    c->body = NULL;
    c->body_len = 0;
    c->status_line[0] = '\0';
    c->errbuf[0] = '\0';
    CURL *h = c->curl;
    curl_easy_setopt(h, CURLOPT_URL, c->url);
    curl_easy_setopt(h, CURLOPT_POST, 1L);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, "");
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, 0L);
    /* Go's client follows 307/308 keeping the POST (the trailing-slash case). */
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(h, CURLOPT_POSTREDIR, (long)CURL_REDIR_POST_ALL);
    curl_easy_setopt(h, CURLOPT_MAXREDIRS, 10L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, body_cb);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, c);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, header_cb);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, c);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, c->errbuf);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "Go-http-client/1.1");

    CURLcode rc = curl_easy_perform(h);
    if (rc != CURLE_OK)
        return kj_make_error(err, 0, "Post %s: %s", c->url,
                             c->errbuf[0] != '\0' ? c->errbuf : curl_easy_strerror(rc));
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    if (status >= 300) {
        if (c->status_line[0] == '\0')
            snprintf(c->status_line, sizeof(c->status_line), "%ld", status);
        return kj_make_error(err, 0, "HTTP Error: %s", c->status_line);
    }
    if (status == 204)
        return KJ_KUARD_MEMQ_EMPTY;
    struct kj_kuard_memq_decoded msg;
    if (kj_kuard_memq_message_decode(c->body != NULL ? c->body : "", c->body_len, &msg, err) < 0)
        return -1;
    kj_kuard_memq_decoded_free(&msg);
    return KJ_KUARD_MEMQ_GOT;
}
