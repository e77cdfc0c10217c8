/* Helpers shared by the tests: scratch folders, running the CLI, files. */
#ifndef SI_TEST_UTIL_H
#define SI_TEST_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* Creates a fresh scratch folder under $TMPDIR (or /tmp) and returns its path. */
static inline const char *si_test_tmpdir(void) {
    static char dir[256];
    const char *base = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/seisinv-test-XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(dir)) return NULL;
    return dir;
}

/* 1 when the tests run under an emulator (qemu-user in a cross build: CMake
 * sets SEISINV_EMULATED=1), where compute runs ~100x slower: slow tests then
 * use smaller problems or fewer repetitions, keeping every check.
 * SEISINV_TEST_FULL_SIZE=1 (scripts/cross.sh --test-full) turns this off. */
static inline int si_test_small(void) {
    const char *e = getenv("SEISINV_EMULATED"), *full = getenv("SEISINV_TEST_FULL_SIZE");
    return e && strcmp(e, "1") == 0 && !(full && strcmp(full, "1") == 0);
}

/* Runs the CLI (path from $SEISINV_BIN) with the given shell-quoted args;
 * returns its exit code. stderr goes to `errfile` when not NULL. */
static inline int si_test_run_cli(const char *errfile, const char *fmt, ...) {
    char args[4096], cmd[8192];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    const char *bin = getenv("SEISINV_BIN");
    if (!bin) bin = "seisinv";
    snprintf(cmd, sizeof cmd, "'%s' %s >/dev/null 2>%s", bin, args,
             errfile ? errfile : "/dev/null");
    int rc = system(cmd);
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static inline int si_test_file_exists(const char *path) {
    struct stat st;
    return stat(path, &st) == 0;
}

/* Reads a whole (small) file into a NUL-terminated malloc'ed string. */
static inline char *si_test_slurp(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (len) *len = 0;
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) n = 0;
    if (buf) buf[n] = 0;
    fclose(f);
    if (len) *len = (size_t)n;
    return buf;
}

static inline void si_test_write_file(const char *path, const void *data, size_t len) {
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    fclose(f);
}

/* Counts files in `dir` whose name contains `needle` (to find stray temporaries). */
static inline int si_test_count_files(const char *dir, const char *needle) {
    char cmd[512];
    snprintf(cmd, sizeof cmd, "ls -a '%s' | grep -c -- '%s'", dir, needle);
    FILE *p = popen(cmd, "r");
    int n = 0;
    if (p) {
        if (fscanf(p, "%d", &n) != 1) n = 0;
        pclose(p);
    }
    return n;
}

/* Runs the oracle script tests/oracle/<script> with /usr/bin/python3, the
 * given args (shell-quoted by the caller) and --out '<dir>', its output in
 * <dir>/log.txt; prints that log when it fails. Returns 0 or -1. */
static inline int si_test_run_oracle(const char *dir, const char *script, const char *fmt, ...) {
    char args[1024], cmd[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    const char *src = getenv("SEISINV_SRC");
    assert_non_null(src);
    snprintf(cmd, sizeof cmd,
             "/usr/bin/python3 '%s/tests/oracle/%s' %s --out '%s' >'%s/log.txt' 2>&1", src, script,
             args, dir, dir);
    if (system(cmd) == 0) return 0;
    snprintf(cmd, sizeof cmd, "%s/log.txt", dir);
    char *log = si_test_slurp(cmd, NULL);
    fprintf(stderr, "%s failed:\n%s\n", script, log ? log : "(no log)");
    free(log);
    return -1;
}

/* rm -rf dir; 0 or -1. */
static inline int si_test_remove_tree(const char *dir) {
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

#endif
