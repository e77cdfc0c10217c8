/* The CLI front door: help lists every command, unknown commands fail with 2. */
#include "test_util.h"

static void test_help_lists_commands(void **state) {
    (void)state;
    const char *bin = getenv("SEISINV_BIN");
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "'%s' help", bin);
    FILE *p = popen(cmd, "r");
    char buf[8192] = {0};
    size_t n = fread(buf, 1, sizeof buf - 1, p);
    (void)n;
    assert_int_equal(pclose(p), 0);
    const char *want[] = {"simulate", "model", "dataset", "version", "help"};
    for (size_t i = 0; i < sizeof want / sizeof *want; i++) assert_non_null(strstr(buf, want[i]));
}

static void test_unknown_command(void **state) {
    (void)state;
    assert_int_equal(si_test_run_cli(NULL, "frobnicate"), 2);
    assert_int_equal(si_test_run_cli(NULL, ""), 2);
    assert_int_equal(si_test_run_cli(NULL, "version"), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_help_lists_commands),
        cmocka_unit_test(test_unknown_command),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
