/* .npy reader/writer: round trip, and every kind of bad file gets a clear error. */
#include "test_util.h"

#include <math.h>

#include "seisinv/npy.h"

static char path[512];

static void write_raw_npy(const char *p, const char *dict, const void *data, size_t len) {
    unsigned char hdr[256];
    size_t dl = strlen(dict);
    memcpy(hdr, "\x93NUMPY\x01\x00", 8);
    hdr[8] = (unsigned char)dl, hdr[9] = 0;
    memcpy(hdr + 10, dict, dl);
    FILE *f = fopen(p, "wb");
    assert_non_null(f);
    fwrite(hdr, 1, 10 + dl, f);
    if (len) fwrite(data, 1, len, f);
    fclose(f);
}

static void test_round_trip(void **state) {
    (void)state;
    const char *d = si_test_tmpdir();
    snprintf(path, sizeof path, "%s/a.npy", d);
    float v[2 * 3 * 5];
    for (int i = 0; i < 30; i++) v[i] = (float)i * 0.5f - 3.0f;
    int64_t shape[3] = {2, 3, 5};
    assert_int_equal(si_npy_write(path, 3, shape, v), SI_OK);
    si_array a;
    assert_int_equal(si_npy_read(path, &a), SI_OK);
    assert_int_equal(a.ndim, 3);
    assert_int_equal(a.shape[0], 2);
    assert_int_equal(a.shape[2], 5);
    assert_memory_equal(a.data, v, sizeof v);
    si_array_free(&a);
    assert_int_equal(si_test_count_files(d, "tmp"), 0);
    /* 1-D and the numpy-compatible header (oracle reads it when python is present). */
    int64_t s1[1] = {7};
    assert_int_equal(si_npy_write(path, 1, s1, v), SI_OK);
    assert_int_equal(si_npy_read(path, &a), SI_OK);
    assert_int_equal(a.ndim, 1);
    assert_int_equal(a.shape[0], 7);
    si_array_free(&a);
    if (system("/usr/bin/python3 -c 'import numpy' 2>/dev/null") == 0) {
        char cmd[1024];
        snprintf(cmd, sizeof cmd,
                 "/usr/bin/python3 -c \"import numpy as n; a=n.load('%s'); "
                 "assert a.shape==(7,) and a.dtype==n.float32 and a[1]==-2.5\"",
                 path);
        assert_int_equal(system(cmd), 0);
    }
}

static void expect_error(const char *dict, const void *data, size_t len, si_err want,
                         const char *needle) {
    write_raw_npy(path, dict, data, len);
    si_array a;
    si_err st = si_npy_read(path, &a);
    if (st != want || !strstr(si_last_error(), needle))
        fail_msg("dict %s: got %s '%s', want %s containing '%s'", dict, si_err_name(st),
                 si_last_error(), si_err_name(want), needle);
    assert_null(a.data);
}

static void test_bad_files(void **state) {
    (void)state;
    const char *d = si_test_tmpdir();
    snprintf(path, sizeof path, "%s/bad.npy", d);
    float v[4] = {1, 2, 3, 4};
    expect_error("{'descr': '<f8', 'fortran_order': False, 'shape': (4,), }", v, 16, SI_EFORMAT,
                 "dtype");
    expect_error("{'descr': '<f4', 'fortran_order': True, 'shape': (4,), }", v, 16, SI_EFORMAT,
                 "Fortran");
    expect_error("{'descr': '<f4', 'fortran_order': False, 'shape': (5,), }", v, 16, SI_EFORMAT,
                 "truncated");
    expect_error("{'descr': '<f4', 'fortran_order': False, 'shape': (x,), }", v, 16, SI_EFORMAT,
                 "shape");
    expect_error("{'descr': '<f4', 'fortran_order': False, }", v, 16, SI_EFORMAT, "shape");
    float nan4[4] = {1, NAN, 3, 4};
    expect_error("{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }", nan4, 16, SI_EDATA,
                 "sample 1 [1] is NaN");
    float inf4[4] = {1, 2, 3, INFINITY};
    expect_error("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }", inf4, 16, SI_EDATA,
                 "sample 3 [1, 1] is Inf");
    si_test_write_file(path, "hello world", 11);
    si_array a;
    assert_int_equal(si_npy_read(path, &a), SI_EFORMAT);
    assert_non_null(strstr(si_last_error(), "magic"));
    si_test_write_file(path, "\x93NUMPY\x01\x00\xff\x00{'de", 14);
    assert_int_equal(si_npy_read(path, &a), SI_EFORMAT);
    assert_int_equal(si_npy_read("/nonexistent/x.npy", &a), SI_EIO);
    /* every prefix of a valid file is rejected cleanly */
    int64_t shape[2] = {2, 2};
    assert_int_equal(si_npy_write(path, 2, shape, v), SI_OK);
    size_t len = 0;
    char *full = si_test_slurp(path, &len);
    for (size_t cut = 0; cut < len; cut++) {
        assert_int_not_equal(si_npy_parse(full, cut, &a), SI_OK);
        assert_null(a.data);
    }
    assert_int_equal(si_npy_parse(full, len, &a), SI_OK);
    si_array_free(&a);
    free(full);
}

static void test_writer_abort_keeps_existing(void **state) {
    (void)state;
    const char *d = si_test_tmpdir();
    snprintf(path, sizeof path, "%s/keep.npy", d);
    si_test_write_file(path, "original", 8);
    si_npy_writer *w;
    int64_t shape[1] = {10};
    float v[10] = {0};
    assert_int_equal(si_npy_writer_open(&w, path, 1, shape), SI_OK);
    assert_int_equal(si_npy_writer_append(w, v, 5), SI_OK);
    si_npy_writer_abort(w);
    char *s = si_test_slurp(path, NULL);
    assert_string_equal(s, "original");
    free(s);
    /* committing a short array is refused and leaves the old file too */
    assert_int_equal(si_npy_writer_open(&w, path, 1, shape), SI_OK);
    assert_int_equal(si_npy_writer_append(w, v, 5), SI_OK);
    assert_int_equal(si_npy_writer_commit(w), SI_EINVAL);
    s = si_test_slurp(path, NULL);
    assert_string_equal(s, "original");
    free(s);
    assert_int_equal(si_test_count_files(d, "tmp"), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_bad_files),
        cmocka_unit_test(test_writer_abort_keeps_existing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
