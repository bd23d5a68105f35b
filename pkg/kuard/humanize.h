/* go-humanize's RelTime, the "25 seconds left" in kuard's item lines and
 * the "5 seconds ago" in the probe history (kuard.md §2, §5). Pure. */
#ifndef KJ_KUARD_HUMANIZE_H
#define KJ_KUARD_HUMANIZE_H

#include <stddef.h> /* size_t */
#include <stdint.h> /* int64_t */

/* humanize.RelTime(a, b, albl, blbl) where diff_ns = b - a in nanoseconds:
 * `albl` labels a positive difference, `blbl` a negative one; under one
 * second gives "now". Writes the NUL-terminated text into buf (truncated to
 * size). Labels are borrowed. */
void kj_kuard_reltime(int64_t diff_ns, const char *albl, const char *blbl, char *buf, size_t size);

#endif
