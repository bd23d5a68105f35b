/* Name syntax checks (names.h), after apimachinery util/validation. The
 * regexes are matched by hand; the messages are upstream's, including the
 * double space RegexError puts before " or ". */
#include "api/names.h"

#include <stdbool.h>
#include <string.h>

#define DNS1123_LABEL_FMT "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
#define DNS1123_SUBDOMAIN_FMT DNS1123_LABEL_FMT "(\\." DNS1123_LABEL_FMT ")*"
#define QNAME_FMT "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
#define LABEL_VALUE_FMT "(" QNAME_FMT ")?"
#define QNAME_ERR                                                                              \
    "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an " \
    "alphanumeric character"
#define QNAME_REGEX_ERR                                                                        \
    QNAME_ERR " (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '"     \
              QNAME_FMT "')"

static const char dns1123_label_msg[] =
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and "
    "must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex "
    "used for validation is '" DNS1123_LABEL_FMT "')";
static const char dns1123_subdomain_msg[] =
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
    "'.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used "
    "for validation is '" DNS1123_SUBDOMAIN_FMT "')";
static const char label_value_msg[] =
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or "
    "'.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or "
    "'my_value',  or '12345', regex used for validation is '" LABEL_VALUE_FMT "')";

static bool lower_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static bool alnum(char c)
{
    return lower_alnum(c) || (c >= 'A' && c <= 'Z');
}

/* [a-z0-9]([-a-z0-9]*[a-z0-9])? over s[0..n) */
static bool match_label(const char *s, size_t n)
{
    if (n == 0 || !lower_alnum(s[0]) || !lower_alnum(s[n - 1]))
        return false;
    for (size_t i = 0; i < n; i++)
        if (!lower_alnum(s[i]) && s[i] != '-')
            return false;
    return true;
}

static bool match_subdomain(const char *s)
{
    const char *p = s;
    for (;;) {
        const char *dot = strchr(p, '.');
        size_t n = dot ? (size_t)(dot - p) : strlen(p);
        if (!match_label(p, n))
            return false;
        if (dot == NULL)
            return true;
        p = dot + 1;
    }
}

/* ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9] over s[0..n) */
static bool match_qname(const char *s, size_t n)
{
    if (n == 0 || !alnum(s[0]) || !alnum(s[n - 1]))
        return false;
    for (size_t i = 0; i < n; i++)
        if (!alnum(s[i]) && s[i] != '-' && s[i] != '_' && s[i] != '.')
            return false;
    return true;
}

static size_t add(struct kj_strlist *msgs, const char *prefix, const char *msg)
{
    if (msgs != NULL)
        kj_strlist_pushf(msgs, "%s%s", prefix, msg);
    return 1;
}

static size_t max_len(struct kj_strlist *msgs, const char *prefix, size_t max)
{
    if (msgs != NULL)
        kj_strlist_pushf(msgs, "%smust be no more than %zu bytes", prefix, max);
    return 1;
}

size_t kj_dns1123_label_check(const char *s, struct kj_strlist *msgs)
{
    size_t n = 0, len = strlen(s);
    if (len > KJ_DNS1123_LABEL_MAX)
        n += max_len(msgs, "", KJ_DNS1123_LABEL_MAX);
    if (!match_label(s, len)) {
        /* A valid subdomain that is not a label can only have dots. */
        if (match_subdomain(s))
            n += add(msgs, "", "must not contain dots");
        else
            n += add(msgs, "", dns1123_label_msg);
    }
    return n;
}

static size_t subdomain_check(const char *s, struct kj_strlist *msgs, const char *prefix)
{
    size_t n = 0;
    if (strlen(s) > KJ_DNS1123_SUBDOMAIN_MAX)
        n += max_len(msgs, prefix, KJ_DNS1123_SUBDOMAIN_MAX);
    if (!match_subdomain(s))
        n += add(msgs, prefix, dns1123_subdomain_msg);
    return n;
}

size_t kj_dns1123_subdomain_check(const char *s, struct kj_strlist *msgs)
{
    return subdomain_check(s, msgs, "");
}

size_t kj_qualified_name_check(const char *s, struct kj_strlist *msgs)
{
    size_t n = 0;
    const char *slash = strchr(s, '/');
    const char *name = s;
    if (slash != NULL) {
        if (strchr(slash + 1, '/') != NULL)
            return add(msgs, "",
                       "a qualified name " QNAME_REGEX_ERR
                       " with an optional DNS subdomain prefix and '/' (e.g. "
                       "'example.com/MyName')");
        size_t plen = (size_t)(slash - s);
        if (plen == 0) {
            n += add(msgs, "prefix part ", "must be non-empty");
        } else {
            char prefix[KJ_DNS1123_SUBDOMAIN_MAX + 2];
            if (plen > KJ_DNS1123_SUBDOMAIN_MAX) {
                n += max_len(msgs, "prefix part ", KJ_DNS1123_SUBDOMAIN_MAX);
                /* The regex part is judged on a truncated copy: same verdict
                 * for every realistic input, and no allocation. */
                plen = KJ_DNS1123_SUBDOMAIN_MAX;
                memcpy(prefix, s, plen);
                prefix[plen] = '\0';
                if (!match_subdomain(prefix))
                    n += add(msgs, "prefix part ", dns1123_subdomain_msg);
            } else {
                memcpy(prefix, s, plen);
                prefix[plen] = '\0';
                n += subdomain_check(prefix, msgs, "prefix part ");
            }
        }
        name = slash + 1;
    }
    size_t len = strlen(name);
    if (len == 0)
        n += add(msgs, "name part ", "must be non-empty");
    else if (len > 63)
        n += max_len(msgs, "name part ", 63);
    if (!match_qname(name, len))
        n += add(msgs, "name part ", QNAME_REGEX_ERR);
    return n;
}

size_t kj_label_value_check(const char *s, struct kj_strlist *msgs)
{
    size_t n = 0, len = strlen(s);
    if (len > 63)
        n += max_len(msgs, "", 63);
    if (len > 0 && !match_qname(s, len))
        n += add(msgs, "", label_value_msg);
    return n;
}
