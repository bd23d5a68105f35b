/* Index lists (pkg/api/indexlist.h): the strict checker, the lenient
 * parser, the formatter and the overlap check on arbitrary text.
 *
 * Input: 4 bytes little-endian `completions` (sign bit cleared), then the
 * list text; a '|' splits it into completed|failed for the overlap check.
 * Invariants: a list the checker accepts parses leniently to exactly the
 * same set; whatever the lenient parser keeps formats to a list the checker
 * accepts with the same total; formatting is stable. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/indexlist.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 4)
        return 0;
    uint32_t c = (uint32_t)data[0] | (uint32_t)data[1] << 8 | (uint32_t)data[2] << 16 |
                 (uint32_t)data[3] << 24;
    int32_t completions = (int32_t)(c & 0x7fffffffu);
    size_t n = size - 4;
    char *text = malloc(n + 1);
    if (text == NULL)
        return 0;
    memcpy(text, data + 4, n);
    text[n] = '\0';

    kj_error_t err = NULL;
    int32_t total = -1;
    int strict = kj_indexlist_check(text, completions, &total, &err);
    if (strict < 0 && (err == NULL || err->msg == NULL))
        abort();
    kj_error_release(&err);

    struct kj_indexlist l;
    kj_indexlist_init(&l);
    if (kj_indexlist_parse(&l, text, completions, &err) < 0)
        abort();
    if (strict == 0 && kj_indexlist_total(&l) != total)
        abort();
    char *f = kj_indexlist_format(&l);
    if (f == NULL)
        abort();
    int32_t ftotal = -1;
    if (kj_indexlist_check(f, completions, &ftotal, &err) < 0 || ftotal != kj_indexlist_total(&l))
        abort();
    struct kj_indexlist l2;
    kj_indexlist_init(&l2);
    if (kj_indexlist_parse(&l2, f, completions, &err) < 0)
        abort();
    char *f2 = kj_indexlist_format(&l2);
    if (f2 == NULL || strcmp(f, f2) != 0)
        abort();
    for (size_t i = 0; i < l.len; i++)
        if (!kj_indexlist_has(&l, l.v[i].first) || !kj_indexlist_has(&l, l.v[i].last))
            abort();
    free(f);
    free(f2);
    kj_indexlist_free(&l);
    kj_indexlist_free(&l2);

    char *bar = strchr(text, '|');
    if (bar != NULL) {
        *bar = '\0';
        if (kj_indexlist_check_overlap(text, bar + 1, completions, &err) < 0 &&
            (err == NULL || err->msg == NULL))
            abort();
        kj_error_release(&err);
    }
    free(text);
    return 0;
}
