/* pkg/api label selectors: string form parse/format/match, structured
 * selectors, syntax and validation errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "api/selector.h"

static void test_parse_format(void **state)
{
    (void)state;
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"", ""},
        {"   ", ""},
        {"a=b", "a=b"},
        {"a==b", "a==b"},
        {"a!=b", "a!=b"},
        {"e in (y,x)", "e in (x,y)"},
        {"e in(x)", "e in (x)"},
        {"f notin (z)", "f notin (z)"},
        {"!g", "!g"},
        {"h", "h"},
        {"c!=d,a=b", "a=b,c!=d"},
        {" a = b , c ", "a=b,c"},
        {"x>1", "x>1"},
        {"x<5", "x<5"},
        {"a=", "a="},
        {"a in (x,)", "a in (,x)"},
        {"batch.kubernetes.io/controller-uid=0b6c2a4e-1111",
         "batch.kubernetes.io/controller-uid=0b6c2a4e-1111"},
        {"a=b,c!=d,e in (x,y),f notin (z),!g,h", "a=b,c!=d,e in (x,y),f notin (z),!g,h"},
        {"z,y,x", "x,y,z"},
        {"a in (x,x,y,x)", "a in (x,y)"},
        {"a in (,,x)", "a in (,x)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct kj_selector sel = {0};
        kj_error_t err = NULL;
        if (kj_selector_parse(cases[i].in, &sel, &err) < 0)
            fail_msg("`%s`: %s", cases[i].in, err->msg);
        char *s = kj_selector_format(&sel);
        if (strcmp(s, cases[i].out) != 0)
            fail_msg("`%s`: want `%s` got `%s`", cases[i].in, cases[i].out, s);
        assert_int_equal(kj_selector_is_empty(&sel), cases[i].out[0] == '\0');
        free(s);
        kj_selector_clear(&sel);
    }
}

static void test_parse_errors(void **state)
{
    (void)state;
    static const struct {
        const char *in, *msg;
    } cases[] = {
        {"a=b,", "found '', expected: identifier after ','"},
        {",a", "found ',', expected: !, identifier, or 'end of string'"},
        {"a in b", "unable to parse requirement: found 'b' expected: '('"},
        {"a in (b", "unable to parse requirement: found '', expected: ',' or ')'"},
        {"a in (b c)", "unable to parse requirement: found 'c', expected: ',' or ')'"},
        {"a b", "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt"},
        {"!a=b", "found '=', expected: ',' or 'end of string'"},
        {"!", "unable to parse requirement: found '', expected: identifier"},
        {"a=b=c", "found '=', expected: ',' or 'end of string'"},
        {"a in ()",
         "unable to parse requirement: values: Invalid value: []string{}: for 'in', 'notin' operators, "
         "values set can't be empty"},
        {"x>a", "unable to parse requirement: values[0]: Invalid value: \"a\": for 'Gt', 'Lt' operators, "
                "the value must be an integer"},
        {"a=b c", "found 'c', expected: ',' or 'end of string'"},
        {"-a=b",
         "unable to parse requirement: key: Invalid value: \"-a\": name part must consist of alphanumeric "
         "characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. "
         "'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
         "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"},
        {"a=-b",
         "unable to parse requirement: values[0][a]: Invalid value: \"-b\": a valid label must be an empty "
         "string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
         "alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation "
         "is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct kj_selector sel = {0};
        kj_error_t err = NULL;
        if (kj_selector_parse(cases[i].in, &sel, &err) == 0)
            fail_msg("`%s` parsed", cases[i].in);
        if (strcmp(err->msg, cases[i].msg) != 0)
            fail_msg("`%s`: want\n  %s\ngot\n  %s", cases[i].in, cases[i].msg, err->msg);
        assert_int_equal(kj_error_http_status(err), 400);
        assert_int_equal(sel.n_reqs, 0);
        kj_error_release(&err);
    }
}

static void test_match(void **state)
{
    (void)state;
    struct kj_labels l = {0};
    kj_labels_set(&l, "a", "b");
    kj_labels_set(&l, "c", "d");
    kj_labels_set(&l, "e", "x");
    kj_labels_set(&l, "n", "5");
    static const struct {
        const char *sel;
        bool match;
    } cases[] = {
        {"", true},          {"a=b", true},         {"a==b", true},        {"a=c", false},
        {"a!=c", true},      {"a!=b", false},       {"zz!=c", true},       {"e in (x,y)", true},
        {"e in (y)", false}, {"zz in (y)", false},  {"e notin (x)", false}, {"zz notin (x)", true},
        {"!a", false},       {"!zz", true},         {"a", true},           {"zz", false},
        {"n>3", true},       {"n<3", false},        {"n>5", false},        {"a>3", false},
        {"a=b,c=d", true},   {"a=b,c=x", false},    {"a,c,!zz,e notin (q)", true},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct kj_selector sel = {0};
        kj_error_t err = NULL;
        assert_int_equal(kj_selector_parse(cases[i].sel, &sel, &err), 0);
        if (kj_selector_matches(&sel, &l) != cases[i].match)
            fail_msg("`%s` should %smatch", cases[i].sel, cases[i].match ? "" : "not ");
        kj_selector_clear(&sel);
    }
    kj_labels_clear(&l);
}

static void test_structured(void **state)
{
    (void)state;
    struct kj_label_selector ls = {0};
    kj_labels_set(&ls.match_labels, "job-name", "pi");
    kj_labels_set(&ls.match_labels, "batch.kubernetes.io/controller-uid", "u1");
    ls.n_match_expressions = 2;
    ls.match_expressions = calloc(2, sizeof *ls.match_expressions);
    ls.match_expressions[0].key = strdup("tier");
    ls.match_expressions[0].operator_ = strdup("NotIn");
    kj_strlist_push(&ls.match_expressions[0].values, "web");
    kj_strlist_push(&ls.match_expressions[0].values, "db");
    ls.match_expressions[1].key = strdup("env");
    ls.match_expressions[1].operator_ = strdup("Exists");
    kj_error_t err = NULL;
    char *s = kj_label_selector_format(&ls, &err);
    assert_string_equal(s, "batch.kubernetes.io/controller-uid=u1,env,job-name=pi,tier notin (db,web)");
    free(s);

    struct kj_labels l = {0};
    kj_labels_set(&l, "job-name", "pi");
    kj_labels_set(&l, "batch.kubernetes.io/controller-uid", "u1");
    assert_int_equal(kj_label_selector_matches(&ls, &l, &err), 0); /* env missing */
    kj_labels_set(&l, "env", "prod");
    assert_int_equal(kj_label_selector_matches(&ls, &l, &err), 1);
    kj_labels_set(&l, "tier", "db");
    assert_int_equal(kj_label_selector_matches(&ls, &l, &err), 0);

    /* An empty selector matches everything; a nil one nothing. */
    struct kj_label_selector empty = {0};
    assert_int_equal(kj_label_selector_matches(&empty, &l, &err), 1);
    struct kj_selector nothing = {0};
    assert_int_equal(kj_selector_from_label_selector(NULL, &nothing, &err), 0);
    assert_false(kj_selector_matches(&nothing, &l));
    assert_false(kj_selector_is_empty(&nothing));
    kj_selector_clear(&nothing);

    /* Bad operators and In without values are rejected. */
    free(ls.match_expressions[1].operator_);
    ls.match_expressions[1].operator_ = strdup("Foo");
    assert_int_equal(kj_label_selector_matches(&ls, &l, &err), -1);
    assert_string_equal(err->msg, "\"Foo\" is not a valid label selector operator");
    kj_error_release(&err);
    free(ls.match_expressions[1].operator_);
    ls.match_expressions[1].operator_ = strdup("In");
    assert_null(kj_label_selector_format(&ls, &err));
    assert_string_equal(err->msg, "values: Invalid value: []string{}: for 'in', 'notin' operators, values set can't be empty");
    kj_error_release(&err);
    kj_label_selector_clear(&ls);
    kj_labels_clear(&l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_format),
        cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_match),
        cmocka_unit_test(test_structured),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
