/* pkg/api/yaml: YAML/JSON text -> cJSON with Kubernetes' (go-yaml v2 +
 * sigs.k8s.io/yaml) rules. Most cases are tables of input -> compact JSON
 * of the document array, or input -> error text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/yaml.h"
#include "util/cleanup.h"

struct ok_case {
    const char *in;
    const char *json; /* cJSON_PrintUnformatted of the document array */
};

struct err_case {
    const char *in;
    const char *msg; /* substring of the error message */
    int http;        /* expected kj_error_http_status() */
};

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

static void expect_ok_len(const char *in, size_t len, const char *json)
{
    cJSON *out = NULL;
    kj_error_t err = NULL;
    int ret = kj_yaml_decode(in, len, &out, &err);
    if (ret < 0)
        fail_msg("input %s: unexpected error: %s", in, err->msg);
    assert_null(err);
    cleanup_free char *text = cJSON_PrintUnformatted(out);
    cJSON_Delete(out);
    if (strcmp(text, json) != 0)
        fail_msg("input %s:\n  got  %s\n  want %s", in, text, json);
}

static void expect_ok(const char *in, const char *json)
{
    expect_ok_len(in, strlen(in), json);
}

static void expect_err_len(const char *in, size_t len, const char *msg, int http)
{
    cJSON *out = (cJSON *)&out; /* must stay untouched on failure */
    cJSON *sentinel = out;
    kj_error_t err = NULL;
    int ret = kj_yaml_decode(in, len, &out, &err);
    if (ret >= 0)
        fail_msg("input %.60s: expected error containing \"%s\"", in, msg);
    assert_ptr_equal(out, sentinel);
    assert_non_null(err);
    if (strstr(err->msg, msg) == NULL)
        fail_msg("input %.60s:\n  got  %s\n  want ...%s...", in, err->msg, msg);
    assert_int_equal(kj_error_http_status(err), http);
    kj_error_release(&err);
}

static void expect_err(const char *in, const char *msg)
{
    expect_err_len(in, strlen(in), msg, 400);
}

static void run_ok_table(const struct ok_case *cases, size_t n)
{
    for (size_t i = 0; i < n; i++)
        expect_ok(cases[i].in, cases[i].json);
}

static void run_err_table(const struct err_case *cases, size_t n)
{
    for (size_t i = 0; i < n; i++)
        expect_err_len(cases[i].in, strlen(cases[i].in), cases[i].msg,
                       cases[i].http ? cases[i].http : 400);
}

static void test_plain_scalar_resolution(void **state)
{
    (void)state;
    static const struct ok_case cases[] = {
        /* YAML 1.1 booleans, exactly go-yaml v2's spellings */
        {"v: [true, True, TRUE, yes, Yes, YES, on, On, ON, y, Y]",
         "[{\"v\":[true,true,true,true,true,true,true,true,true,true,true]}]"},
        {"v: [false, False, FALSE, no, No, NO, off, Off, OFF, n, N]",
         "[{\"v\":[false,false,false,false,false,false,false,false,false,false,false]}]"},
        {"v: [tRUE, yES, oN, nO, truee, 'yes', \"on\"]",
         "[{\"v\":[\"tRUE\",\"yES\",\"oN\",\"nO\",\"truee\",\"yes\",\"on\"]}]"},
        /* nulls */
        {"v: [~, null, Null, NULL, nULL]", "[{\"v\":[null,null,null,null,\"nULL\"]}]"},
        {"a:\nb: ~\n", "[{\"a\":null,\"b\":null}]"},
        /* ints: decimal, sign, 0x, 0o, leading-0 octal, 0b, underscores */
        {"v: [0, 42, -17, +5, 1_000, 0x1F, 0X1f, 0o17, 017, 0b101, -0x10, -0b11]",
         "[{\"v\":[0,42,-17,5,1000,31,31,15,15,5,-16,-3]}]"},
        /* not octal, so a float (Go: ParseInt fails, the float regex matches) */
        {"v: [08, 09.5]", "[{\"v\":[8,9.5]}]"},
        {"v: [0x, 0xZ, _1, 1_, 1__0]", "[{\"v\":[\"0x\",\"0xZ\",\"_1\",1,10]}]"},
        /* int64 limits, then uint64, then float */
        /* numbers are doubles: beyond 2^53 only approximately kept */
        {"v: [9223372036854775807, -9223372036854775808]",
         "[{\"v\":[9.2233720368547758e+18,-9.2233720368547758e+18]}]"},
        {"v: 18446744073709551615", "[{\"v\":1.8446744073709552e+19}]"},
        {"v: 100000000000000000000", "[{\"v\":1e+20}]"},
        /* floats */
        {"v: [1.5, -2.25, 1e3, 1E-2, .5, -.5, 1., +1.5e+2, 6.02e23]",
         "[{\"v\":[1.5,-2.25,1000,0.01,0.5,-0.5,1,150,6.02e+23]}]"},
        /* overflow leaves a string (ParseFloat fails), underflow is 0 */
        {"v: [1e400, 1e-400]", "[{\"v\":[\"1e400\",0]}]"},
        {"v: [1.2.3, 1e, e3, '1.5', 0x1p3, .e3, ., -, +]",
         "[{\"v\":[\"1.2.3\",\"1e\",\"e3\",\"1.5\",\"0x1p3\",\".e3\",\".\",\"-\",\"+\"]}]"},
        /* timestamps stay strings in go-yaml v2 */
        {"v: 2001-12-14t21:59:43.10-05:00", "[{\"v\":\"2001-12-14t21:59:43.10-05:00\"}]"},
        {"v: 2020-01-01", "[{\"v\":\"2020-01-01\"}]"},
        {"v: 12:30", "[{\"v\":\"12:30\"}]"},
        /* plain text */
        {"v: hello world", "[{\"v\":\"hello world\"}]"},
        {"v: \"\"", "[{\"v\":\"\"}]"},
    };
    run_ok_table(cases, N_ELEMS(cases));

    cJSON *out = NULL;
    kj_error_t err = NULL;
    assert_int_equal(kj_yaml_decode("v: 9007199254740993", 19, &out, &err), 0);
    double v = cJSON_GetObjectItem(cJSON_GetArrayItem(out, 0), "v")->valuedouble;
    assert_true(v == 9007199254740992.0); /* documented: doubles above 2^53 */
    cJSON_Delete(out);
}

static void test_quoted_block_and_tags(void **state)
{
    (void)state;
    static const struct ok_case cases[] = {
        {"v: ['1', \"2\", 'true', \"null\", '~', '']",
         "[{\"v\":[\"1\",\"2\",\"true\",\"null\",\"~\",\"\"]}]"},
        {"v: |\n  line1\n  42\n", "[{\"v\":\"line1\\n42\\n\"}]"},
        {"v: >\n  folded\n  text\n", "[{\"v\":\"folded text\\n\"}]"},
        {"v: |-\n  yes\n", "[{\"v\":\"yes\"}]"},
        {"v: \"a\\tb\\u00e9\"", "[{\"v\":\"a\\tbé\"}]"},
        {"v: [!!str 1, !!str true, !!str ~]", "[{\"v\":[\"1\",\"true\",\"~\"]}]"},
        {"v: [!!int \"7\", !!int 0x10, !!float 2, !!float \"1.5\"]", "[{\"v\":[7,16,2,1.5]}]"},
        {"v: [!!bool \"yes\", !!bool off, !!null \"\", !!null ~]",
         "[{\"v\":[true,false,null,null]}]"},
        /* unknown and unsupported tags keep the text */
        {"v: [!foo 12, ! 12, !!binary aGk=, !!timestamp 2001-01-01]",
         "[{\"v\":[\"12\",\"12\",\"aGk=\",\"2001-01-01\"]}]"},
        {"%TAG !e! tag:yaml.org,2002:\n---\nv: !e!int \"5\"\n", "[{\"v\":5}]"},
        /* tags on collections are ignored */
        {"v: !!map {a: !!seq [1]}", "[{\"v\":{\"a\":[1]}}]"},
    };
    run_ok_table(cases, N_ELEMS(cases));
    static const struct err_case errs[] = {
        {"v: !!int abc", "yaml: line 1: cannot decode !!str `abc` as a !!int", 0},
        {"v: !!int 1.5", "cannot decode !!float `1.5` as a !!int", 0},
        {"\n\nv: !!bool 1", "yaml: line 3: cannot decode !!int `1` as a !!bool", 0},
        {"v: !!null x", "cannot decode !!str `x` as a !!null", 0},
        {"v: !!float abc", "cannot decode !!str `abc` as a !!float", 0},
    };
    run_err_table(errs, N_ELEMS(errs));
}

static void test_inf_nan_are_errors_as_values(void **state)
{
    (void)state;
    static const struct err_case errs[] = {
        {"a: 1\nv: .inf", "yaml: line 2: unsupported value: +Inf", 0},
        {"v: [-.Inf]", "line 1: unsupported value: -Inf", 0},
        {"v: .NaN", "unsupported value: NaN", 0},
        {"v: +.INF", "unsupported value: +Inf", 0},
        {"v: !!float .nan", "unsupported value: NaN", 0},
        {"&x .inf : 1\nv: *x", "line 2: unsupported value: alias 'x' is infinity or NaN", 0},
    };
    run_err_table(errs, N_ELEMS(errs));
    expect_ok("v: [.inf1, '.inf', .in]", "[{\"v\":[\".inf1\",\".inf\",\".in\"]}]");
}

static void test_non_string_keys(void **state)
{
    (void)state;
    static const struct ok_case cases[] = {
        {"1: a\n-2: b\n0x10: c\n", "[{\"1\":\"a\",\"-2\":\"b\",\"16\":\"c\"}]"},
        {"true: a\nno: b\n", "[{\"true\":\"a\",\"false\":\"b\"}]"},
        /* floats print as Go's FormatFloat(f, 'g', -1, 32) */
        {"{1.5: a, 1.0: b, 1e3: c, 1e7: d, 0.1: e, 3.14159265358979: f, 1e-5: g}",
         "[{\"1.5\":\"a\",\"1\":\"b\",\"1000\":\"c\",\"1e+07\":\"d\",\"0.1\":\"e\","
         "\"3.1415927\":\"f\",\"1e-05\":\"g\"}]"},
        {"{.inf: a, -.inf: b, .nan: c}", "[{\".inf\":\"a\",\"-.inf\":\"b\",\".nan\":\"c\"}]"},
        {"{18446744073709551615: a}", "[{\"18446744073709551615\":\"a\"}]"},
        {"'1': a\n\"true\": b\n", "[{\"1\":\"a\",\"true\":\"b\"}]"},
        {"k: &k 7\n*k : seven\n", "[{\"k\":7,\"7\":\"seven\"}]"},
    };
    run_ok_table(cases, N_ELEMS(cases));
    static const struct err_case errs[] = {
        {"true: a\non: b\n", "line 2: key \"true\" already set in map", 0},
        {"~: a", "yaml: line 1: unsupported map key: null", 0},
        {"? \n: a", "unsupported map key: null", 0},
        {"? [a]\n: b", "yaml: line 1: invalid map key: a sequence", 0},
        {"? {a: 1}\n: b", "yaml: line 1: invalid map key: a mapping", 0},
        {"x: &m {a: 1}\n*m : b", "line 2: invalid map key: a mapping", 0},
        {"x: &n ~\n*n : b", "line 2: unsupported map key: null", 0},
        /* flow-style YAML that starts like JSON reports YAML's error */
        {"[a]: b", "yaml: line 1: invalid map key: a sequence", 0},
    };
    run_err_table(errs, N_ELEMS(errs));
}

static void test_duplicate_keys(void **state)
{
    (void)state;
    static const struct err_case errs[] = {
        {"kind: Job\nmetadata:\n  name: a\n  name: b\n",
         "error converting YAML to JSON: yaml: unmarshal errors:\n  line 4: key \"name\" already "
         "set in map",
         0},
        {"{a: 1, b: 2, a: 3}", "line 1: key \"a\" already set in map", 0},
        {"1: a\n'1': b\n", "line 2: key \"1\" already set in map", 0},
        {"0x1: a\n1: b\n", "key \"1\" already set", 0},
    };
    run_err_table(errs, N_ELEMS(errs));
    /* many keys go through the hash set; a late duplicate is still found */
    char buf[64 * 1024];
    size_t n = 0;
    for (int i = 0; i < 2000; i++)
        n += (size_t)snprintf(buf + n, sizeof(buf) - n, "k%d: %d\n", i, i);
    n += (size_t)snprintf(buf + n, sizeof(buf) - n, "k1234: again\n");
    expect_err_len(buf, n, "line 2001: key \"k1234\" already set in map", 400);
    /* the same key in sibling mappings is fine */
    expect_ok("a: {name: x}\nb: {name: z}\n", "[{\"a\":{\"name\":\"x\"},\"b\":{\"name\":\"z\"}}]");
}

static void test_anchors_aliases_merge(void **state)
{
    (void)state;
    static const struct ok_case cases[] = {
        {"a: &x hello\nb: *x\n", "[{\"a\":\"hello\",\"b\":\"hello\"}]"},
        {"a: &x {k: [1, 2]}\nb: *x\nc: [*x]\n",
         "[{\"a\":{\"k\":[1,2]},\"b\":{\"k\":[1,2]},\"c\":[{\"k\":[1,2]}]}]"},
        /* a redefined anchor: later aliases see the latest definition */
        {"a: &x 1\nb: *x\nc: &x 2\nd: *x\n", "[{\"a\":1,\"b\":1,\"c\":2,\"d\":2}]"},
        /* resolution belongs to the anchored node */
        {"a: &x yes\nb: *x\n", "[{\"a\":true,\"b\":true}]"},
        /* merge: explicit keys win wherever they are; earlier sources win */
        {"base: &b {name: x, image: busybox}\nc:\n  <<: *b\n  name: z\n",
         "[{\"base\":{\"name\":\"x\",\"image\":\"busybox\"},\"c\":{\"name\":\"z\","
         "\"image\":\"busybox\"}}]"},
        /* YAML 1.1: a bare y is a boolean, even as a label value */
        {"name: y", "[{\"name\":true}]"},
        {"a: &a {p: 1, q: 1}\nb: &b {q: 2, r: 2}\nc: {w: 0, <<: [*a, *b]}\n",
         "[{\"a\":{\"p\":1,\"q\":1},\"b\":{\"q\":2,\"r\":2},\"c\":{\"w\":0,\"p\":1,\"q\":1,"
         "\"r\":2}}]"},
        {"c:\n  <<: {a: 1}\n  b: 2\n", "[{\"c\":{\"b\":2,\"a\":1}}]"},
        {"c:\n  <<: [{a: 1}, {a: 2, b: 3}]\n", "[{\"c\":{\"a\":1,\"b\":3}}]"},
        {"c: {!!merge <<: {a: 1}}", "[{\"c\":{\"a\":1}}]"},
        /* a quoted "<<" is an ordinary key */
        {"c: {'<<': {a: 1}}", "[{\"c\":{\"<<\":{\"a\":1}}}]"},
        {"c: [<<]", "[{\"c\":[\"<<\"]}]"},
        /* anchors on merge sources and keys stay usable */
        {"c: {<<: &m {a: 1}}\nd: *m\n", "[{\"c\":{\"a\":1},\"d\":{\"a\":1}}]"},
        {"&k key: v\nx: *k\n", "[{\"key\":\"v\",\"x\":\"key\"}]"},
        /* anchors are per document */
        {"a: &x 1\n---\na: &x 2\nb: *x\n", "[{\"a\":1},{\"a\":2,\"b\":2}]"},
    };
    run_ok_table(cases, N_ELEMS(cases));
    static const struct err_case errs[] = {
        {"a: *nope", "yaml: line 1: unknown anchor 'nope' referenced", 0},
        {"a: &x 1\n---\nb: *x\n", "line 3: unknown anchor 'x' referenced", 0},
        {"a: &x [1, *x]", "anchor 'x' value contains itself", 0},
        {"a: &x {b: *x}", "anchor 'x' value contains itself", 0},
        {"a: {<<: 1}", "yaml: line 1: map merge requires map or sequence of maps as the value", 0},
        {"a: {<<: [1]}", "map merge requires map or sequence of maps", 0},
        {"a: {<<: [[{b: 1}]]}", "map merge requires map or sequence of maps", 0},
        {"s: &s [1]\na: {<<: *s}", "line 2: map merge requires map", 0},
        {"a:\n  <<:\n", "map merge requires map", 0},
    };
    run_err_table(errs, N_ELEMS(errs));
}

/* 9 levels of 9 aliases: 9^9 nodes if expanded ("billion laughs"). */
static const char bomb[] = "a: &a [lol,lol,lol,lol,lol,lol,lol,lol,lol]\n"
                           "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
                           "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
                           "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
                           "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
                           "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
                           "g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
                           "h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\n"
                           "i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]\n";

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void test_alias_bomb_is_bounded(void **state)
{
    (void)state;
    double t0 = now_s();
    expect_err(bomb, "error converting YAML to JSON: yaml: document contains excessive aliasing");
    /* a bomb hidden in merge keys, and one spread over many documents */
    expect_err("a: &a {a1: 1, a2: 2, a3: 3, a4: 4, a5: 5, a6: 6, a7: 7, a8: 8, a9: 9}\n"
               "b: &b {b1: *a, b2: *a, b3: *a, b4: *a, b5: *a, b6: *a, b7: *a, b8: *a}\n"
               "c: &c {c1: *b, c2: *b, c3: *b, c4: *b, c5: *b, c6: *b, c7: *b, c8: *b}\n"
               "d: &d {d1: *c, d2: *c, d3: *c, d4: *c, d5: *c, d6: *c, d7: *c, d8: *c}\n"
               "e: &e {e1: *d, e2: *d, e3: *d, e4: *d, e5: *d, e6: *d, e7: *d, e8: *d}\n"
               "f: {<<: *e}\ng: {<<: *e}\nh: {<<: *e}\n",
               "excessive aliasing");
    char *many = malloc(64 * 1024);
    assert_non_null(many);
    size_t n = 0;
    for (int i = 0; i < 60; i++) {
        n += (size_t)snprintf(many + n, 64 * 1024 - n,
                              "---\na: &a [%s]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
                              "c: [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\n",
                              "x,x,x,x,x,x,x,x,x,x,x,x,x,x,x,x,x,x,x,x");
    }
    expect_err_len(many, n, "excessive aliasing", 400);
    free(many);
    /* Expanded, these would be ~400M nodes; the budget stops each after
     * 100k copies, well under a second natively. The bound is generous for
     * valgrind on a loaded machine. */
    assert_true(now_s() - t0 < 30.0);
    /* legitimate reuse well inside the budget still works */
    expect_ok("a: &a [1, 2]\nb: &b [*a, *a]\nc: [*b, *b]\n",
              "[{\"a\":[1,2],\"b\":[[1,2],[1,2]],\"c\":[[[1,2],[1,2]],[[1,2],[1,2]]]}]");
}

static void test_multi_document_streams(void **state)
{
    (void)state;
    static const struct ok_case cases[] = {
        {"", "[]"},
        {"# just a comment\n", "[]"},
        {"---\n", "[]"},
        {"---\n---\n# c\n---\na: 1\n...\n---\n~\n--- null\n---\nb: 2\n",
         "[{\"a\":1},{\"b\":2}]"},
        {"a: 1\n---\nb: 2\n---\n", "[{\"a\":1},{\"b\":2}]"},
        {"%YAML 1.1\n---\na: 1\n...\n%YAML 1.1\n---\nb: 2\n", "[{\"a\":1},{\"b\":2}]"},
        /* a scalar or sequence top level is the caller's problem */
        {"--- hello\n", "[\"hello\"]"},
        {"--- 5\n--- false\n", "[5,false]"},
        {"- a\n- b\n", "[[\"a\",\"b\"]]"},
        {"a: 1 # trailing comment\n# b: 2\n", "[{\"a\":1}]"},
    };
    run_ok_table(cases, N_ELEMS(cases));
    expect_ok_len(NULL, 0, "[]");
    /* an error in a later document fails the whole stream */
    expect_err("a: 1\n---\nb: [\n", "yaml: line 4:");
}

static void test_bom_crlf_tabs(void **state)
{
    (void)state;
    expect_ok("\xef\xbb\xbfkind: Job\r\nmetadata:\r\n  name: crlf\r\n",
              "[{\"kind\":\"Job\",\"metadata\":{\"name\":\"crlf\"}}]");
    expect_ok("v: |\r\n  a\r\n  b\r\n", "[{\"v\":\"a\\nb\\n\"}]");
    expect_ok("a:\tb\n", "[{\"a\":\"b\"}]"); /* a tab as separation is fine */
    expect_err("a:\n\tb: 1\n",
               "yaml: line 2: found character that cannot start any token (column 1)");
    expect_err("kind: Job\nspec:\n  x: 1\n\t  y: 2\n", "yaml: line 4:");
}

static void test_syntax_errors_carry_positions(void **state)
{
    (void)state;
    static const struct err_case errs[] = {
        {"a: b: c\n", "error converting YAML to JSON: yaml: line 1: mapping values are not "
                      "allowed in this context (column 5)",
         0},
        {"kind: Job\nmetadata:\n  name: x\n  labels: a: b\n",
         "yaml: line 4: mapping values are not allowed in this context (column 12)", 0},
        {"a:\n  - 1\n b: 2\n", "yaml: line 3: did not find expected key", 0},
        {"a: [1, 2\n", "yaml: line 2: did not find expected ',' or ']'", 0},
        {"a: 'open\n", "yaml: line 2: found unexpected end of stream", 0},
        {"a: \x01\n", "yaml: line 1: control characters are not allowed (column 4)", 0},
        {"a: b\nc: \xff\n", "yaml: line 2: invalid leading UTF-8 octet (column 4)", 0},
        {"a: \"x\\0y\"\n", "yaml: line 1: NUL characters are not supported in strings", 0},
        {"a: &x &y 1\n", "yaml: line 1: did not find expected key (column 7)", 0},
        {"a: [1, 2\n", "(column 1)", 0},
    };
    run_err_table(errs, N_ELEMS(errs));
}

static char *nested(int levels, bool flow)
{
    size_t cap = (size_t)levels * ((size_t)levels * 2 + 8) + 16;
    char *s = malloc(cap);
    assert_non_null(s);
    size_t n = 0;
    if (flow) {
        for (int i = 0; i < levels; i++)
            s[n++] = '[';
        for (int i = 0; i < levels; i++)
            s[n++] = ']';
        s[n] = '\0';
        return s;
    }
    for (int i = 0; i < levels; i++) {
        memset(s + n, ' ', (size_t)i * 2);
        n += (size_t)i * 2;
        memcpy(s + n, "a:\n", 3);
        n += 3;
    }
    s[n] = '\0';
    return s;
}

static void test_depth_limit(void **state)
{
    (void)state;
    cleanup_free char *ok_flow = nested(KJ_YAML_MAX_DEPTH, true);
    cleanup_free char *deep_flow = nested(KJ_YAML_MAX_DEPTH + 1, true);
    cleanup_free char *ok_block = nested(KJ_YAML_MAX_DEPTH, false);
    cleanup_free char *deep_block = nested(KJ_YAML_MAX_DEPTH + 1, false);
    cJSON *out = NULL;
    kj_error_t err = NULL;
    assert_int_equal(kj_yaml_decode(ok_flow, strlen(ok_flow), &out, &err), 0);
    cJSON_Delete(out);
    assert_int_equal(kj_yaml_decode(ok_block, strlen(ok_block), &out, &err), 0);
    cJSON_Delete(out);
    expect_err(deep_flow, "yaml: line 1: exceeded max depth of 1000");
    expect_err(deep_block, "yaml: line 1001: exceeded max depth of 1000");
    /* an alias may not smuggle in extra depth */
    size_t len = strlen(ok_flow) + 64;
    cleanup_free char *alias_deep = malloc(len);
    assert_non_null(alias_deep);
    snprintf(alias_deep, len, "a: &a %.*s\nb: [*a]\n", 2 * 999, ok_flow + 1);
    expect_err(alias_deep, "yaml: line 2: exceeded max depth of 1000");
}

static void test_size_limit(void **state)
{
    (void)state;
    size_t len = KJ_YAML_MAX_BYTES + 1;
    cleanup_free char *huge = malloc(len);
    assert_non_null(huge);
    memset(huge, 'x', len);
    expect_err_len(huge, len, "over the limit of 3145728 bytes", 413);
    cJSON *out = NULL;
    kj_error_t err = NULL;
    assert_true(kj_json_decode(huge, len, &out, &err) < 0);
    assert_int_equal(kj_error_http_status(err), 413);
    kj_error_release(&err);

    /* just under the limit: a flat mapping of ~200k keys decodes */
    len = 0;
    for (int i = 0; len < KJ_YAML_MAX_BYTES - 32; i++)
        len += (size_t)snprintf(huge + len, KJ_YAML_MAX_BYTES - len, "key%d: %d\n", i, i);
    assert_int_equal(kj_yaml_decode(huge, len, &out, &err), 0);
    const cJSON *doc = cJSON_GetArrayItem(out, 0);
    assert_int_equal(cJSON_GetObjectItem(doc, "key7")->valueint, 7);
    assert_true(cJSON_GetArraySize(doc) > 150000);
    cJSON_Delete(out);
}

static void test_json_decode(void **state)
{
    (void)state;
    cJSON *out = NULL;
    kj_error_t err = NULL;
    const char *in = "\xef\xbb\xbf {\"kind\": \"Job\", \"spec\": {\"parallelism\": 5}}\r\n\t ";
    assert_int_equal(kj_json_decode(in, strlen(in), &out, &err), 0);
    assert_string_equal(cJSON_GetObjectItem(out, "kind")->valuestring, "Job");
    cJSON_Delete(out);
    /* the buffer need not be NUL-terminated */
    assert_int_equal(kj_json_decode("[1]]]]", 3, &out, &err), 0);
    assert_true(cJSON_IsArray(out));
    cJSON_Delete(out);

    static const struct err_case errs[] = {
        {"{\"a\": 1} x", "error decoding JSON: line 1, column 10: unexpected data after the "
                         "top-level value",
         0},
        {"{\"a\": 1}\n{\"b\": 2}", "line 2, column 1: unexpected data after the top-level value",
         0},
        {"{\"a\": 1,\n \"b\": tru}", "error decoding JSON: line 2,", 0},
        {"", "error decoding JSON: line 1, column 1: unexpected end of input", 0},
        {"{\"a\": 1, \"a\": 2}", "error decoding JSON: duplicate field \"a\"", 0},
        {"{\"a\": [{\"b\": 1, \"b\": 1}]}", "duplicate field \"b\"", 0},
        {"{\"a\": 1e999}", "error decoding JSON: number out of range", 0},
    };
    for (size_t i = 0; i < N_ELEMS(errs); i++) {
        out = (cJSON *)&errs;
        assert_true(kj_json_decode(errs[i].in, strlen(errs[i].in), &out, &err) < 0);
        assert_ptr_equal(out, (cJSON *)&errs);
        if (strstr(err->msg, errs[i].msg) == NULL)
            fail_msg("input %s:\n  got  %s\n  want ...%s...", errs[i].in, err->msg, errs[i].msg);
        assert_int_equal(kj_error_http_status(err), 400);
        kj_error_release(&err);
    }
    assert_true(kj_json_decode(NULL, 0, &out, &err) < 0);
    kj_error_release(&err);
}

static void test_json_through_yaml_decode(void **state)
{
    (void)state;
    static const struct ok_case cases[] = {
        {"{\"kind\":\"Job\",\"n\":1.5,\"b\":true,\"z\":null,\"s\":\"yes\"}",
         "[{\"kind\":\"Job\",\"n\":1.5,\"b\":true,\"z\":null,\"s\":\"yes\"}]"},
        {"  [1, \"on\"]  \n", "[[1,\"on\"]]"},
        {"\xef\xbb\xbf{\"a\":{}}", "[{\"a\":{}}]"},
        /* flow YAML is not JSON: it falls back to the YAML rules */
        {"{kind: Job, metadata: {name: flow}, on: yes}",
         "[{\"kind\":\"Job\",\"metadata\":{\"name\":\"flow\"},\"true\":true}]"},
        {"{\"a\": 1}\n---\n{\"b\": 2}\n", "[{\"a\":1},{\"b\":2}]"},
    };
    run_ok_table(cases, N_ELEMS(cases));
    static const struct err_case errs[] = {
        {"{\"a\": 1} garbage", "error decoding JSON: line 1, column 10: unexpected data", 0},
        {"{\"a\": 1, \"a\": 2}", "error decoding JSON: duplicate field \"a\"", 0},
        {"{\"a\": [1, 2}", "error decoding JSON: line 1, column 12: invalid character '}'", 0},
        /* valid YAML syntax, so YAML's verdict is reported */
        {"{a: 1, a: 2}", "yaml: unmarshal errors:\n  line 1: key \"a\" already set in map", 0},
    };
    run_err_table(errs, N_ELEMS(errs));
}

struct book {
    const char *file;
    const char *kind;
    const char *name;
};

static char *slurp(const char *path, size_t *len)
{
    cleanup_file FILE *f = fopen(path, "rb");
    if (f == NULL)
        fail_msg("open %s (run from the repository root)", path);
    char *buf = malloc(64 * 1024);
    assert_non_null(buf);
    *len = fread(buf, 1, 64 * 1024, f);
    return buf;
}

static void test_book_manifests(void **state)
{
    (void)state;
    static const struct book books[] = {
        {"12-1-job-oneshot.yaml", "Job", "oneshot"},
        {"12-2-job-oneshot-failure1.yaml", "Job", "oneshot"},
        {"12-3-job-parallel.yaml", "Job", "parallel"},
        {"12-4-rs-queue.yaml", "ReplicaSet", "queue"},
        {"12-5-service-queue.yaml", "Service", "queue"},
        {"12-7-job-consumers.yaml", "Job", "consumers"},
    };
    for (size_t i = 0; i < N_ELEMS(books); i++) {
        char path[256];
        snprintf(path, sizeof(path), "tests/fixtures/book/%s", books[i].file);
        size_t len;
        cleanup_free char *buf = slurp(path, &len);
        cJSON *out = NULL;
        kj_error_t err = NULL;
        if (kj_yaml_decode(buf, len, &out, &err) < 0)
            fail_msg("%s: %s", path, err->msg);
        assert_int_equal(cJSON_GetArraySize(out), 1);
        const cJSON *doc = cJSON_GetArrayItem(out, 0);
        assert_string_equal(cJSON_GetObjectItem(doc, "kind")->valuestring, books[i].kind);
        const cJSON *meta = cJSON_GetObjectItem(doc, "metadata");
        assert_string_equal(cJSON_GetObjectItem(meta, "name")->valuestring, books[i].name);
        cJSON_Delete(out);
    }
    /* numbers and strings land with the right JSON types */
    size_t len;
    cleanup_free char *buf = slurp("tests/fixtures/book/12-3-job-parallel.yaml", &len);
    cJSON *out = NULL;
    kj_error_t err = NULL;
    assert_int_equal(kj_yaml_decode(buf, len, &out, &err), 0);
    const cJSON *spec = cJSON_GetObjectItem(cJSON_GetArrayItem(out, 0), "spec");
    assert_true(cJSON_IsNumber(cJSON_GetObjectItem(spec, "parallelism")));
    assert_int_equal(cJSON_GetObjectItem(spec, "completions")->valueint, 10);
    const cJSON *c0 = cJSON_GetArrayItem(
        cJSON_GetObjectItem(
            cJSON_GetObjectItem(cJSON_GetObjectItem(spec, "template"), "spec"), "containers"),
        0);
    assert_string_equal(cJSON_GetArrayItem(cJSON_GetObjectItem(c0, "args"), 2)->valuestring,
                        "--keygen-num-to-gen=10");
    cJSON_Delete(out);
}

static void test_cleanup_yaml_parser(void **state)
{
    (void)state;
    {
        cleanup_yaml_parser yaml_parser_t zeroed = {0};
        (void)zeroed;
    }
    cleanup_yaml_parser yaml_parser_t p;
    assert_true(yaml_parser_initialize(&p));
    yaml_parser_set_input_string(&p, (const unsigned char *)"a: 1", 4);
    yaml_event_t ev;
    assert_true(yaml_parser_parse(&p, &ev));
    assert_int_equal(ev.type, YAML_STREAM_START_EVENT);
    yaml_event_delete(&ev);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_scalar_resolution),
        cmocka_unit_test(test_quoted_block_and_tags),
        cmocka_unit_test(test_inf_nan_are_errors_as_values),
        cmocka_unit_test(test_non_string_keys),
        cmocka_unit_test(test_duplicate_keys),
        cmocka_unit_test(test_anchors_aliases_merge),
        cmocka_unit_test(test_alias_bomb_is_bounded),
        cmocka_unit_test(test_multi_document_streams),
        cmocka_unit_test(test_bom_crlf_tabs),
        cmocka_unit_test(test_syntax_errors_carry_positions),
        cmocka_unit_test(test_depth_limit),
        cmocka_unit_test(test_size_limit),
        cmocka_unit_test(test_json_decode),
        cmocka_unit_test(test_json_through_yaml_decode),
        cmocka_unit_test(test_book_manifests),
        cmocka_unit_test(test_cleanup_yaml_parser),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
