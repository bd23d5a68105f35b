/* The API server's connection registry (apiserver/conns.h): the cap, and the
 * close callbacks it multiplexes. Connections are stand-in pointers: the
 * registry never dereferences them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "apiserver/conns.h"

static char fake[8]; /* &fake[i] stands for the i-th connection */
#define CONN(i) ((struct evhttp_connection *)(void *)&fake[i])

struct calls {
    int n;
    struct evhttp_connection *last;
};

static void count_cb(struct evhttp_connection *conn, void *arg)
{
    struct calls *c = arg;
    c->n++;
    c->last = conn;
}

static void test_cap_admits_up_to_max(void **state)
{
    (void)state;
    struct kj_conns *c = kj_conns_new(2);
    assert_int_equal(kj_conns_max(c), 2);
    assert_int_equal(kj_conns_admit(c, CONN(0)), KJ_CONN_NEW);
    assert_int_equal(kj_conns_admit(c, CONN(0)), KJ_CONN_KNOWN); /* keep-alive */
    assert_int_equal(kj_conns_admit(c, CONN(1)), KJ_CONN_NEW);
    assert_int_equal(kj_conns_admit(c, CONN(2)), KJ_CONN_FULL);
    assert_int_equal(kj_conns_count(c), 2);
    /* Refused connections are not remembered: closing one changes nothing. */
    kj_conns_closed(c, CONN(2));
    assert_int_equal(kj_conns_count(c), 2);
    /* A known connection still gets in at the cap. */
    assert_int_equal(kj_conns_admit(c, CONN(1)), KJ_CONN_KNOWN);
    kj_conns_closed(c, CONN(0));
    assert_int_equal(kj_conns_count(c), 1);
    assert_int_equal(kj_conns_admit(c, CONN(2)), KJ_CONN_NEW);
    assert_int_equal(kj_conns_admit(c, CONN(0)), KJ_CONN_FULL);
    kj_conns_free(c);
}

static void test_default_max(void **state)
{
    (void)state;
    struct kj_conns *c = kj_conns_new(0);
    assert_int_equal(kj_conns_max(c), KJ_APISERVER_DEFAULT_MAX_CONNECTIONS);
    /* Growth past the initial array keeps every entry. */
    static char many[100];
    for (int i = 0; i < 100; i++)
        assert_int_equal(kj_conns_admit(c, (struct evhttp_connection *)(void *)&many[i]), KJ_CONN_NEW);
    for (int i = 0; i < 100; i++)
        assert_int_equal(kj_conns_admit(c, (struct evhttp_connection *)(void *)&many[i]), KJ_CONN_KNOWN);
    assert_int_equal(kj_conns_count(c), 100);
    kj_conns_free(c);
}

static void test_close_callback_fires_once(void **state)
{
    (void)state;
    struct kj_conns *c = kj_conns_new(4);
    struct calls a = {0}, b = {0};
    assert_int_equal(kj_conns_set_close(c, CONN(0), count_cb, &a), -1); /* not registered */
    kj_conns_admit(c, CONN(0));
    kj_conns_admit(c, CONN(1));
    assert_int_equal(kj_apiserver_on_close(CONN(0), count_cb, &a), 0);
    assert_int_equal(kj_apiserver_on_close(CONN(1), count_cb, &b), 0);
    kj_conns_closed(c, CONN(0));
    assert_int_equal(a.n, 1);
    assert_ptr_equal(a.last, CONN(0));
    assert_int_equal(b.n, 0);
    kj_conns_closed(c, CONN(0)); /* already gone */
    assert_int_equal(a.n, 1);
    /* The callback is per connection: a later connection does not inherit it. */
    kj_conns_admit(c, CONN(0));
    kj_conns_closed(c, CONN(0));
    assert_int_equal(a.n, 1);
    kj_conns_closed(c, CONN(1));
    assert_int_equal(b.n, 1);
    assert_int_equal(kj_conns_count(c), 0);
    kj_conns_free(c);
}

static void test_cancel_and_replace(void **state)
{
    (void)state;
    struct kj_conns *c = kj_conns_new(4);
    struct calls a = {0}, b = {0};
    kj_conns_admit(c, CONN(3));
    kj_apiserver_on_close(CONN(3), count_cb, &a);
    kj_apiserver_on_close_cancel(CONN(3));
    kj_apiserver_on_close_cancel(CONN(5)); /* unknown: no-op */
    kj_conns_closed(c, CONN(3));
    assert_int_equal(a.n, 0);
    kj_conns_admit(c, CONN(3));
    kj_apiserver_on_close(CONN(3), count_cb, &a);
    kj_apiserver_on_close(CONN(3), count_cb, &b); /* replaces, like evhttp's slot */
    kj_conns_closed(c, CONN(3));
    assert_int_equal(a.n, 0);
    assert_int_equal(b.n, 1);
    kj_conns_free(c);
}

/* A module's callback typically tears its stream down, cancelling itself. */
static void cancelling_cb(struct evhttp_connection *conn, void *arg)
{
    struct calls *c = arg;
    c->n++;
    kj_apiserver_on_close_cancel(conn);
    assert_null(kj_conns_find(conn));
}

static void test_callback_may_cancel_itself(void **state)
{
    (void)state;
    struct kj_conns *c = kj_conns_new(4);
    struct calls a = {0};
    kj_conns_admit(c, CONN(0));
    kj_apiserver_on_close(CONN(0), cancelling_cb, &a);
    kj_conns_closed(c, CONN(0));
    assert_int_equal(a.n, 1);
    assert_int_equal(kj_conns_count(c), 0);
    kj_conns_free(c);
}

static void test_find_across_registries(void **state)
{
    (void)state;
    struct kj_conns *c1 = kj_conns_new(4), *c2 = kj_conns_new(4);
    kj_conns_admit(c1, CONN(0));
    kj_conns_admit(c2, CONN(1));
    assert_ptr_equal(kj_conns_find(CONN(0)), c1);
    assert_ptr_equal(kj_conns_find(CONN(1)), c2);
    assert_null(kj_conns_find(CONN(2)));
    assert_int_equal(kj_apiserver_on_close(CONN(2), count_cb, NULL), -1);
    kj_conns_free(c1);
    assert_null(kj_conns_find(CONN(0))); /* a freed registry is no longer searched */
    assert_ptr_equal(kj_conns_find(CONN(1)), c2);
    kj_conns_free(c2);
    kj_conns_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cap_admits_up_to_max),
        cmocka_unit_test(test_default_max),
        cmocka_unit_test(test_close_callback_fires_once),
        cmocka_unit_test(test_cancel_and_replace),
        cmocka_unit_test(test_callback_may_cancel_itself),
        cmocka_unit_test(test_find_across_registries),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
