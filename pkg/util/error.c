#include "error.h"

#include <stdio.h>  /* vasprintf */
#include <stdlib.h> /* free */
#include <string.h> /* strerror_r */

#include "log.h"

static char *fallback_msg(void)
{
    /* Out of memory while building an error: a static text would break
     * the ownership rule, so give up on the message but keep the error. */
    return NULL;
}

int kj_make_error_v(kj_error_t *err, int errno_or_0, const char *fmt, va_list ap)
{
    int ret = errno_or_0 > 0 ? -errno_or_0 : -1;
    if (err == NULL || *err != NULL)
        return ret;
    struct kj_error_s *e = calloc(1, sizeof(*e));
    if (e == NULL)
        return ret;
    char *msg = NULL;
    if (vasprintf(&msg, fmt, ap) < 0)
        msg = fallback_msg();
    if (msg != NULL && errno_or_0 > 0 && errno_or_0 < KJ_ERR_HTTP_BASE) {
        char buf[128];
        char *s = strerror_r(errno_or_0, buf, sizeof(buf));
        char *full = NULL;
        if (asprintf(&full, "%s: %s", msg, s) >= 0) {
            free(msg);
            msg = full;
        }
    }
    e->status = errno_or_0;
    e->msg = msg;
    *err = e;
    return ret;
}

int kj_make_error(kj_error_t *err, int errno_or_0, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int ret = kj_make_error_v(err, errno_or_0, fmt, ap);
    va_end(ap);
    return ret;
}

int kj_make_http_error(kj_error_t *err, int http_status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int ret = kj_make_error_v(err, KJ_ERR_HTTP_BASE + http_status, fmt, ap);
    va_end(ap);
    return ret;
}

int kj_error_wrap(kj_error_t *err, const char *fmt, ...)
{
    if (err == NULL || *err == NULL)
        return -1;
    char *ctx = NULL;
    va_list ap;
    va_start(ap, fmt);
    int n = vasprintf(&ctx, fmt, ap);
    va_end(ap);
    if (n < 0)
        return -1;
    char *full = NULL;
    if (asprintf(&full, "%s: %s", ctx, (*err)->msg ? (*err)->msg : "unknown error") >= 0) {
        free((*err)->msg);
        (*err)->msg = full;
    }
    free(ctx);
    return -1;
}

int kj_error_http_status(const kj_error_t err)
{
    if (err == NULL || err->status < KJ_ERR_HTTP_BASE)
        return 0;
    return err->status - KJ_ERR_HTTP_BASE;
}

void kj_error_release(kj_error_t *err)
{
    if (err == NULL || *err == NULL)
        return;
    free((*err)->msg);
    free(*err);
    *err = NULL;
}

void kj_error_log_release(kj_error_t *err, const char *prefix)
{
    if (err == NULL || *err == NULL)
        return;
    kj_log(KJ_LOG_ERROR, "%s: %s", prefix, (*err)->msg ? (*err)->msg : "unknown error");
    kj_error_release(err);
}
