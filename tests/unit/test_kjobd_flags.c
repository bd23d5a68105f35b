/* kjobd flags, environment twins, durations and listen addresses (pkg/daemon). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/config.h"
#include "util/error.h"

static const char *fake_env_vars[16][2];

static const char *fake_getenv(const char *name)
{
    for (size_t i = 0; i < 16 && fake_env_vars[i][0] != NULL; i++)
        if (strcmp(fake_env_vars[i][0], name) == 0)
            return fake_env_vars[i][1];
    if (strcmp(name, "HOME") == 0)
        return "/home/u";
    return NULL;
}

static int setup(void **state)
{
    (void)state;
    memset(fake_env_vars, 0, sizeof fake_env_vars);
    return 0;
}

static FILE *devnull(void)
{
    FILE *f = fopen("/dev/null", "w");
    assert_non_null(f);
    return f;
}

#define ARGV(...) ((char *const[]){"kjobd", __VA_ARGS__, NULL})
#define ARGC(...) ((int)(sizeof((const char *[]){"kjobd", __VA_ARGS__}) / sizeof(char *)))

static void test_defaults(void **state)
{
    (void)state;
    struct kj_daemon_config cfg;
    kj_error_t err = NULL;
    char *const argv[] = {"kjobd", NULL};
    assert_int_equal(kj_daemon_config_parse(&cfg, 1, argv, fake_getenv, NULL, &err), KJ_DAEMON_CONFIG_RUN);
    assert_int_equal(cfg.n_listen, 1);
    assert_false(cfg.listen[0].is_unix);
    assert_string_equal(cfg.listen[0].host, "127.0.0.1");
    assert_int_equal(cfg.listen[0].port, 8001);
    assert_string_equal(cfg.network, "kjob");
    assert_false(cfg.offline);
    assert_int_equal(cfg.pull_fallback, KJ_PULL_FALLBACK_LOCAL);
    assert_int_equal(cfg.backoff_base_ms, 10000);
    assert_int_equal(cfg.resync_period_ms, 10000);
    assert_null(cfg.docker_host);
    assert_non_null(cfg.state_dir);
    kj_daemon_config_clear(&cfg);
}

static void test_flags_override_env(void **state)
{
    (void)state;
    fake_env_vars[0][0] = "KJOBD_STATE_DIR";
    fake_env_vars[0][1] = "/env/state";
    fake_env_vars[1][0] = "KJOBD_LISTEN";
    fake_env_vars[1][1] = "127.0.0.1:1,unix:/tmp/k.sock";
    fake_env_vars[2][0] = "KJOBD_OFFLINE";
    fake_env_vars[2][1] = "true";
    fake_env_vars[3][0] = "KJOBD_BACKOFF_BASE";
    fake_env_vars[3][1] = "500ms";
    struct kj_daemon_config cfg;
    kj_error_t err = NULL;
    assert_int_equal(kj_daemon_config_parse(&cfg, 1, (char *const[]){"kjobd", NULL}, fake_getenv, NULL, &err), 0);
    assert_string_equal(cfg.state_dir, "/env/state");
    assert_int_equal(cfg.n_listen, 2);
    assert_true(cfg.listen[1].is_unix);
    assert_string_equal(cfg.listen[1].path, "/tmp/k.sock");
    assert_true(cfg.offline);
    assert_int_equal(cfg.backoff_base_ms, 500);
    kj_daemon_config_clear(&cfg);

    assert_int_equal(kj_daemon_config_parse(&cfg, ARGC("--state-dir", "/cli", "--listen=127.0.0.1:9", "--listen", "[::1]:10",
                                                       "--offline=false", "--network-internal", "--pull-fallback=strict",
                                                       "--backoff-max", "4s", "--resync-period", "2s", "--network", "n1",
                                                       "--log-format", "json", "--log-level", "debug"),
                                            ARGV("--state-dir", "/cli", "--listen=127.0.0.1:9", "--listen", "[::1]:10",
                                                 "--offline=false", "--network-internal", "--pull-fallback=strict",
                                                 "--backoff-max", "4s", "--resync-period", "2s", "--network", "n1",
                                                 "--log-format", "json", "--log-level", "debug"),
                                            fake_getenv, NULL, &err),
                     0);
    assert_null(err);
    assert_string_equal(cfg.state_dir, "/cli");
    assert_int_equal(cfg.n_listen, 2); /* argv replaced the env list */
    assert_int_equal(cfg.listen[0].port, 9);
    assert_string_equal(cfg.listen[1].host, "::1");
    assert_false(cfg.offline);
    assert_true(cfg.network_internal);
    assert_int_equal(cfg.pull_fallback, KJ_PULL_FALLBACK_STRICT);
    assert_int_equal(cfg.backoff_max_ms, 4000);
    assert_int_equal(cfg.resync_period_ms, 2000);
    assert_string_equal(cfg.network, "n1");
    assert_int_equal(cfg.log_format, KJ_LOG_JSON);
    assert_int_equal(cfg.log_level, KJ_LOG_DEBUG);
    kj_daemon_config_clear(&cfg);
}

static void expect_bad(int argc, char *const *argv, const char *needle)
{
    struct kj_daemon_config cfg;
    kj_error_t err = NULL;
    assert_int_equal(kj_daemon_config_parse(&cfg, argc, argv, fake_getenv, NULL, &err), -1);
    assert_non_null(err);
    if (strstr(err->msg, needle) == NULL)
        fail_msg("`%s` not in `%s`", needle, err->msg);
    assert_null(strchr(err->msg, '\n'));
    kj_error_release(&err);
    assert_int_equal(cfg.n_listen, 0);
}

static void test_bad_flags(void **state)
{
    (void)state;
    expect_bad(ARGC("--bogus"), ARGV("--bogus"), "unknown flag `--bogus`");
    expect_bad(ARGC("--listen", "nope"), ARGV("--listen", "nope"), "invalid listen address `nope`");
    expect_bad(ARGC("--listen", "1.2.3.4:99999"), ARGV("--listen", "1.2.3.4:99999"), "bad port");
    expect_bad(ARGC("--backoff-base", "10"), ARGV("--backoff-base", "10"), "missing unit");
    expect_bad(ARGC("--backoff-base", "2s", "--backoff-max", "1s"), ARGV("--backoff-base", "2s", "--backoff-max", "1s"),
               "`--backoff-max` must not be below");
    expect_bad(ARGC("--pull-fallback=x"), ARGV("--pull-fallback=x"), "`--pull-fallback`");
    expect_bad(ARGC("--log-format", "xml"), ARGV("--log-format", "xml"), "`--log-format`");
    expect_bad(ARGC("--offline=maybe"), ARGV("--offline=maybe"), "`--offline`");
    expect_bad(ARGC("extra"), ARGV("extra"), "unexpected argument `extra`");
    fake_env_vars[0][0] = "KJOBD_RESYNC_PERIOD";
    fake_env_vars[0][1] = "soon";
    expect_bad(1, (char *const[]){"kjobd", NULL}, "KJOBD_RESYNC_PERIOD");
}

static void test_max_connections(void **state)
{
    (void)state;
    struct kj_daemon_config cfg;
    kj_error_t err = NULL;
    char *const argv[] = {"kjobd", NULL};
    assert_int_equal(kj_daemon_config_parse(&cfg, 1, argv, fake_getenv, NULL, &err), KJ_DAEMON_CONFIG_RUN);
    assert_int_equal(cfg.max_connections, 1024);
    kj_daemon_config_clear(&cfg);
    fake_env_vars[0][0] = "KJOBD_MAX_CONNECTIONS";
    fake_env_vars[0][1] = "8";
    assert_int_equal(kj_daemon_config_parse(&cfg, 1, argv, fake_getenv, NULL, &err), KJ_DAEMON_CONFIG_RUN);
    assert_int_equal(cfg.max_connections, 8);
    kj_daemon_config_clear(&cfg);
    assert_int_equal(kj_daemon_config_parse(&cfg, ARGC("--max-connections", "4"), ARGV("--max-connections", "4"),
                                            fake_getenv, NULL, &err),
                     KJ_DAEMON_CONFIG_RUN);
    assert_int_equal(cfg.max_connections, 4); /* the flag beats the environment */
    kj_daemon_config_clear(&cfg);
    fake_env_vars[0][0] = NULL;
    expect_bad(ARGC("--max-connections", "0"), ARGV("--max-connections", "0"), "`--max-connections`");
    expect_bad(ARGC("--max-connections", "4x"), ARGV("--max-connections", "4x"), "want a count");
    expect_bad(ARGC("--max-connections", "-1"), ARGV("--max-connections", "-1"), "want a count");
}

static void test_help_lists_every_flag(void **state)
{
    (void)state;
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    struct kj_daemon_config cfg;
    kj_error_t err = NULL;
    assert_int_equal(kj_daemon_config_parse(&cfg, ARGC("--help"), ARGV("--help"), fake_getenv, out, &err),
                     KJ_DAEMON_CONFIG_EXIT);
    fclose(out);
    const char *names[] = {"--listen", "--state-dir", "--docker-host", "--network ", "--network-internal",
                           "--offline", "--pull-fallback", "--backoff-base", "--backoff-max",
                           "--resync-period", "--log-level", "--log-format", "--max-connections",
                           "--help", "--version"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strstr(buf, names[i]) == NULL)
            fail_msg("help lacks %s", names[i]);
    free(buf);
    kj_daemon_config_clear(&cfg);

    FILE *null = devnull();
    assert_int_equal(kj_daemon_config_parse(&cfg, ARGC("--version"), ARGV("--version"), fake_getenv, null, &err),
                     KJ_DAEMON_CONFIG_EXIT);
    fclose(null);
    kj_daemon_config_clear(&cfg);
}

static void test_durations(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        int64_t ms;
    } good[] = {{"10s", 10000}, {"500ms", 500}, {"5m", 300000}, {"1m30s", 90000}, {"1.5s", 1500},
                {"2h", 7200000}, {"0", 0}, {"1500us", 1}, {"0s", 0}};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        int64_t ms = -1;
        kj_error_t err = NULL;
        assert_int_equal(kj_duration_parse_ms(good[i].in, &ms, &err), 0);
        assert_int_equal(ms, good[i].ms);
    }
    const char *bad[] = {"", "s", "10", "-1s", "1x", "1s2"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t ms = 0;
        kj_error_t err = NULL;
        assert_int_equal(kj_duration_parse_ms(bad[i], &ms, &err), -1);
        kj_error_release(&err);
    }
}

static void test_listen_addr(void **state)
{
    (void)state;
    struct kj_listen_addr a;
    kj_error_t err = NULL;
    assert_int_equal(kj_listen_addr_parse(":8001", &a, &err), 0);
    assert_string_equal(a.host, "0.0.0.0");
    kj_listen_addr_clear(&a);
    assert_int_equal(kj_listen_addr_parse("unix:///run/k.sock", &a, &err), 0);
    assert_string_equal(a.path, "/run/k.sock");
    kj_listen_addr_clear(&a);
    assert_int_equal(kj_listen_addr_parse("::1:80", &a, &err), -1);
    kj_error_release(&err);
    assert_int_equal(kj_listen_addr_parse("unix:", &a, &err), -1);
    kj_error_release(&err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_defaults, setup),
        cmocka_unit_test_setup(test_flags_override_env, setup),
        cmocka_unit_test_setup(test_bad_flags, setup),
        cmocka_unit_test_setup(test_help_lists_every_flag, setup),
        cmocka_unit_test_setup(test_max_connections, setup),
        cmocka_unit_test_setup(test_durations, setup),
        cmocka_unit_test_setup(test_listen_addr, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
