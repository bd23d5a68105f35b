/* Allocation helpers that abort on OOM (the `x` prefix marks them).
 * Used where a failed small allocation leaves no sensible way forward
 * (building log lines, small strings); large or input-sized allocations
 * use the plain allocators and report through kj_error_t. */
#ifndef KJ_UTIL_XALLOC_H
#define KJ_UTIL_XALLOC_H

#include <stddef.h> /* size_t */

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* asprintf that aborts on OOM; returns the new string (owned by caller). */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Report a broken invariant and abort (redis' serverPanic). */
_Noreturn void kj_panic(const char *file, int line, const char *msg);
#define kj_assert(cond)                                                                        \
    do {                                                                                       \
        if (!(cond))                                                                           \
            kj_panic(__FILE__, __LINE__, #cond);                                               \
    } while (0)

#endif
