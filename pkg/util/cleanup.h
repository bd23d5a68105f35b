/* Scope-bound cleanup (after bubblewrap's and crun's utils.h).
 *
 *   cleanup_free char *s = strdup(x);        freed when s leaves scope
 *   *out = steal_pointer(&s);                hand ownership to the caller
 *
 * Wrapper headers define their own cleanup_<type> next to the destructor
 * (cleanup_cjson here since cJSON is used everywhere).
 */
#ifndef KJ_UTIL_CLEANUP_H
#define KJ_UTIL_CLEANUP_H

#include <cjson/cJSON.h> /* cJSON_Delete */
#include <stdio.h>       /* FILE, fclose */
#include <stdlib.h>      /* free */
#include <unistd.h>      /* close */

static inline void kj_cleanup_freep(void *p)
{
    free(*(void **)p);
}

static inline void kj_cleanup_closep(const int *fd)
{
    if (*fd >= 0)
        close(*fd);
}

static inline void kj_cleanup_filep(FILE **f)
{
    if (*f != NULL)
        fclose(*f);
}

static inline void kj_cleanup_cjsonp(cJSON **j)
{
    cJSON_Delete(*j);
}

#define cleanup_free __attribute__((cleanup(kj_cleanup_freep)))
#define cleanup_close __attribute__((cleanup(kj_cleanup_closep)))
#define cleanup_file __attribute__((cleanup(kj_cleanup_filep)))
#define cleanup_cjson __attribute__((cleanup(kj_cleanup_cjsonp)))

static inline void *kj_steal_pointer(void *pp)
{
    void **p = (void **)pp;
    void *ret = *p;
    *p = NULL;
    return ret;
}

/* Type-checked: the result has the pointee's type. */
#define steal_pointer(pp) ((__typeof__(*(pp)))kj_steal_pointer(pp))

static inline int kj_steal_fd(int *fd)
{
    int ret = *fd;
    *fd = -1;
    return ret;
}

#endif
