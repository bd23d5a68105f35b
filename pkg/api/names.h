/* Name and label syntax checks with apimachinery's exact message texts
 * (reference k8s-job.md §1.4). Each check appends zero or more messages to
 * `msgs` (may be NULL to just count) and returns how many it appended; 0
 * means valid. Callers build the field error around a message, e.g.
 * `metadata.name: Invalid value: "Bad_Name": <msg>`.
 */
#ifndef KJ_API_NAMES_H
#define KJ_API_NAMES_H

#include <stddef.h> /* size_t */

#include "api/strlist.h" /* kj_strlist */

#define KJ_DNS1123_LABEL_MAX 63
#define KJ_DNS1123_SUBDOMAIN_MAX 253

/* "a lowercase RFC 1123 label must consist of lower case alphanumeric
 * characters or '-', and must start and end with an alphanumeric character
 * (e.g. 'my-name',  or '123-abc', regex used for validation is
 * '[a-z0-9]([-a-z0-9]*[a-z0-9])?')" and/or "must be no more than 63 bytes". */
size_t kj_dns1123_label_check(const char *s, struct kj_strlist *msgs);

/* "a lowercase RFC 1123 subdomain must consist of ..." and/or
 * "must be no more than 253 bytes". */
size_t kj_dns1123_subdomain_check(const char *s, struct kj_strlist *msgs);

/* Qualified name (label/annotation key): optional DNS-subdomain prefix and
 * '/', then a name part of [A-Za-z0-9][-A-Za-z0-9_.]* ending alphanumeric,
 * at most 63 bytes. */
size_t kj_qualified_name_check(const char *s, struct kj_strlist *msgs);

/* Label value: empty, or up to 63 bytes of the name-part alphabet. */
size_t kj_label_value_check(const char *s, struct kj_strlist *msgs);

#endif
