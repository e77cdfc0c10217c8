/* SEG-Y reader and writer: round trips (IEEE and IBM, rev 1 and 2), the
 * headers as segyio itself reads them, grouping and ordering of shuffled
 * traces, FieldRecord grouping without positions, hand-made little-endian
 * rev 2 and int16 files, the velocity depth section, and corrupt files
 * (each refused with a message naming the problem). */
#include "test_util.h"

#include <math.h>
#include <segyio/segy.h>

#include "seisinv/segy.h"

#define EXPECT_FAIL(st, want, needle)                                                              \
    do {                                                                                           \
        si_err st_ = (st);                                                                         \
        print_message("  %-22s -> %s\n", (needle), si_last_error());                               \
        if (st_ != (want) || !strstr(si_last_error(), (needle)))                                   \
            fail_msg("line %d: got %s '%s', want %s containing '%s'", __LINE__, si_err_name(st_),  \
                     si_last_error(), si_err_name(want), (needle));                                \
    } while (0)

enum { NS = 50, NSHOT = 3, NREC = 7 };

static char dir[256];

static const char *in_dir(const char *name) {
    static char buf[4][512];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
    return buf[k];
}

/* Sample t of the trace of (shot s, receiver r): unique per trace. */
static float value(int s, int r, int t) {
    return (float)(100 * s + r) + 0.25f * sinf(0.3f * (float)t + (float)r) - 0.001f * (float)t;
}

/* A survey of NSHOT x NREC traces written in `perm` order, dx 12.5 m. */
static void write_survey(const char *path, int format, int revision, const int *perm,
                         int positions) {
    float data[NSHOT * NREC * NS];
    si_segy_trace hdr[NSHOT * NREC];
    memset(hdr, 0, sizeof hdr);
    for (int q = 0; q < NSHOT * NREC; q++) {
        const int k = perm ? perm[q] : q, s = k / NREC, r = k % NREC;
        si_segy_trace *h = &hdr[q];
        h->field_record = 10 + s;
        h->trace_number = r + 1;
        if (positions) h->sx = 100 + 250.0 * s, h->gx = 12.5 * 8 * r, h->sy = h->gy = 2.5;
        h->offset = 12.5 * 8 * r - (100 + 250.0 * s);
        h->src_depth = 12.5, h->rec_depth = 2.5;
        for (int t = 0; t < NS; t++)
            data[q * NS + t] = value(s, r, t);
    }
    si_segy_write_opts o = {.format = format, .revision = revision, .dt = 0.002};
    if (si_segy_write(path, &o, NSHOT * NREC, NS, data, hdr) != SI_OK)
        fail_msg("%s", si_last_error());
}

static int setup(void **state) {
    (void)state;
    snprintf(dir, sizeof dir, "%s", si_test_tmpdir());
    return 0;
}

static int teardown(void **state) {
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd);
}

/* Shots ordered along x, receivers by GroupX, every sample in its place. */
static void check_survey(const si_segy *s, double tol) {
    assert_int_equal(s->ns, NS);
    assert_true(fabs(s->dt - 0.002) < 1e-12);
    assert_int_equal(s->ntraces, NSHOT * NREC);
    assert_int_equal(s->nshots, NSHOT);
    for (int k = 0; k < NSHOT; k++) {
        const si_segy_shot *sh = &s->shots[k];
        assert_int_equal(sh->count, NREC);
        assert_int_equal(sh->field_record, 10 + k);
        for (int r = 0; r < NREC; r++) {
            const si_segy_trace *t = &s->traces[sh->first + r];
            assert_int_equal(t->trace_number, r + 1);
            if (s->shot_key == SI_SEGY_BY_POSITION) {
                assert_true(t->sx == 100 + 250.0 * k && t->gx == 100.0 * r);
                assert_true(t->sy == 2.5 && t->gy == 2.5);
            }
            assert_true(t->offset == 100.0 * r - (100 + 250.0 * k));
            assert_true(t->src_depth == 12.5 && t->rec_depth == 2.5);
            for (int i = 0; i < NS; i++) {
                const float want = value(k, r, i), got = s->data[(sh->first + r) * NS + i];
                if (fabsf(got - want) > tol * fabsf(want))
                    fail_msg("shot %d receiver %d sample %d: %g, want %g", k, r, i, got, want);
            }
        }
    }
}

static void test_round_trips(void **state) {
    (void)state;
    const struct {
        int format, revision;
        double tol;
    } cases[] = {
        {SI_SEGY_IEEE, 1, 0}, {SI_SEGY_IBM, 1, 1e-6}, {SI_SEGY_IEEE, 2, 0}, {SI_SEGY_IBM, 2, 1e-6}};
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        const char *p = in_dir("rt.sgy");
        write_survey(p, cases[c].format, cases[c].revision, NULL, 1);
        si_segy s;
        if (si_segy_read(p, 1, &s) != SI_OK) fail_msg("%s", si_last_error());
        assert_int_equal(s.format, cases[c].format);
        assert_int_equal(s.revision, cases[c].revision);
        assert_int_equal(s.lsb, 0);
        assert_int_equal(s.shot_key, SI_SEGY_BY_POSITION);
        assert_int_equal(s.rec_key, SI_SEGY_BY_POSITION);
        assert_true(s.line[0] == 1 && s.line[1] == 0);
        check_survey(&s, cases[c].tol);
        si_segy_free(&s);
    }
    assert_int_equal(si_test_count_files(dir, ".tmp."), 0);
}

/* The headers as segyio reads them, independently of our reader. */
static void test_headers_by_segyio(void **state) {
    (void)state;
    const char *p = in_dir("h.sgy");
    write_survey(p, SI_SEGY_IBM, 1, NULL, 1);
    segy_file *f = segy_open(p, "rb");
    assert_non_null(f);
    char bh[400], th[240];
    assert_int_equal(segy_binheader(f, bh), 0);
    int32_t v;
    segy_get_bfield(bh, SEGY_BIN_FORMAT, &v), assert_int_equal(v, 1);
    segy_get_bfield(bh, SEGY_BIN_INTERVAL, &v), assert_int_equal(v, 2000);
    segy_get_bfield(bh, SEGY_BIN_SAMPLES, &v), assert_int_equal(v, NS);
    segy_get_bfield(bh, SEGY_BIN_SEGY_REVISION, &v), assert_int_equal(v, 0x0100);
    assert_int_equal(segy_set_format(f, SEGY_IBM_FLOAT_4_BYTE), 0);
    int n;
    const int bsize = segy_trace_bsize(NS);
    assert_int_equal(segy_traces(f, &n, 3600, bsize), 0);
    assert_int_equal(n, NSHOT * NREC);
    const int q = 1 * NREC + 3; /* shot 1, receiver 3 */
    assert_int_equal(segy_traceheader(f, q, th, 3600, bsize), 0);
    const struct {
        int field, want;
    } fields[] = {
        {SEGY_TR_FIELD_RECORD, 11},
        {SEGY_TR_NUMBER_ORIG_FIELD, 4},
        {SEGY_TR_SOURCE_GROUP_SCALAR, -10},
        {SEGY_TR_SOURCE_X, 3500},
        {SEGY_TR_GROUP_X, 3000},
        {SEGY_TR_SOURCE_Y, 25},
        {SEGY_TR_OFFSET, -50},
        {SEGY_TR_SAMPLE_COUNT, NS},
        {SEGY_TR_SAMPLE_INTER, 2000},
        {SEGY_TR_ELEV_SCALAR, -10},
        {SEGY_TR_SOURCE_DEPTH, 125},
        {SEGY_TR_RECV_GROUP_ELEV, -25},
        {SEGY_TR_SEQ_LINE, q + 1},
        {SEGY_TR_TRACE_ID, 1},
    };
    for (size_t i = 0; i < sizeof fields / sizeof *fields; i++) {
        segy_get_field(th, fields[i].field, &v);
        if (v != fields[i].want)
            fail_msg("field at byte %d: %d, want %d", fields[i].field, v, fields[i].want);
    }
    float tr[NS];
    assert_int_equal(segy_readtrace(f, q, tr, 3600, bsize), 0);
    assert_int_equal(segy_to_native(SEGY_IBM_FLOAT_4_BYTE, NS, tr), 0);
    for (int t = 0; t < NS; t++)
        assert_true(fabsf(tr[t] - value(1, 3, t)) <= 1e-6f * fabsf(tr[t]));
    char text[3201];
    assert_int_equal(segy_read_textheader(f, text), 0);
    assert_memory_equal(text, "C 1 SEISINV", 11);
    assert_memory_equal(text + 80 * 39, "C40 END TEXTUAL HEADER", 22);
    segy_close(f);
}

static void test_shuffled_grouping(void **state) {
    (void)state;
    int perm[NSHOT * NREC];
    for (int i = 0; i < NSHOT * NREC; i++)
        perm[i] = i;
    srand(7);
    for (int i = NSHOT * NREC - 1; i > 0; i--) {
        int j = rand() % (i + 1), t = perm[i];
        perm[i] = perm[j], perm[j] = t;
    }
    const char *p = in_dir("shuffled.sgy");
    write_survey(p, SI_SEGY_IEEE, 1, perm, 1);
    si_segy s;
    if (si_segy_read(p, 1, &s) != SI_OK) fail_msg("%s", si_last_error());
    check_survey(&s, 0);
    for (int64_t i = 0; i < s.ntraces; i++) { /* the file positions come along */
        const si_segy_trace *t = &s.traces[i];
        const int k = perm[t->index];
        assert_int_equal(k / NREC, (int)(i / NREC));
        assert_int_equal(k % NREC, (int)(i % NREC));
    }
    si_segy_free(&s);

    /* No positions at all: shots by FieldRecord, receivers by offset. */
    write_survey(p, SI_SEGY_IEEE, 1, perm, 0);
    if (si_segy_read(p, 1, &s) != SI_OK) fail_msg("%s", si_last_error());
    assert_int_equal(s.shot_key, SI_SEGY_BY_RECORD);
    assert_int_equal(s.rec_key, SI_SEGY_BY_OFFSET);
    assert_non_null(strstr(s.notes, "grouped by FieldRecord"));
    print_message("notes: %s", s.notes);
    check_survey(&s, 0);
    si_segy_free(&s);
}

static void put16(unsigned char *p, int v, int le) {
    p[le ? 0 : 1] = (unsigned char)v, p[le ? 1 : 0] = (unsigned char)(v >> 8);
}
static void put32(unsigned char *p, int32_t v, int le) {
    for (int i = 0; i < 4; i++)
        p[le ? i : 3 - i] = (unsigned char)((uint32_t)v >> (8 * i));
}

/* A hand-made file: ASCII text header, 2 shots x 2 traces of 3 samples. */
static size_t hand_file(unsigned char *b, int le, int format, int rev2) {
    const int bps = format == 3 ? 2 : 4, ns = 3;
    memset(b, 0, 3600 + 4 * (240 + ns * 4));
    memset(b, ' ', 3200);
    memcpy(b, "C 1 HAND MADE", 13);
    unsigned char *bh = b + 3200;
    put16(bh + 16, 4000, le); /* 4 ms */
    put16(bh + 20, rev2 ? 0 : ns, le);
    if (rev2) put32(bh + 68, ns, le); /* extended sample count */
    put16(bh + 24, format, le);
    if (rev2) put32(bh + 96, 0x01020304, le), bh[300] = 2;
    for (int q = 0; q < 4; q++) {
        unsigned char *h = b + 3600 + q * (240 + ns * bps);
        const int s = 1 - q / 2, r = 1 - q % 2; /* stored backwards */
        put32(h + 8, 5 + s, le);
        put16(h + 70, -100, le);
        put32(h + 72, 100000 * (s + 1), le); /* 1000 m, 2000 m */
        put32(h + 80, 50000 * r + 100000, le);
        put16(h + 114, ns, le);
        for (int t = 0; t < ns; t++) {
            const int v = 1000 * s + 100 * r + t;
            if (format == 3) {
                put16(h + 240 + 2 * t, v, le);
            } else {
                float f = (float)v;
                int32_t u;
                memcpy(&u, &f, 4);
                put32(h + 240 + 4 * t, u, le);
            }
        }
    }
    return 3600 + 4 * (240 + (size_t)ns * bps);
}

static void test_hand_made(void **state) {
    (void)state;
    unsigned char b[8192];
    const struct { int le, format, rev2; } cases[] = {{1, 5, 1}, {0, 3, 0}, {1, 3, 0}, {0, 5, 1}};
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        size_t n = hand_file(b, cases[c].le, cases[c].format, cases[c].rev2);
        si_test_write_file(in_dir("hand.sgy"), b, n);
        si_segy s;
        if (si_segy_read(in_dir("hand.sgy"), 1, &s) != SI_OK) fail_msg("%s", si_last_error());
        assert_int_equal(s.lsb, cases[c].le);
        assert_int_equal(s.revision, cases[c].rev2 ? 2 : 0);
        assert_int_equal(s.ns, 3);
        assert_true(fabs(s.dt - 0.004) < 1e-12);
        assert_int_equal(s.nshots, 2);
        assert_memory_equal(s.text, "C 1 HAND MADE", 13);
        for (int k = 0; k < 2; k++) {
            assert_true(s.shots[k].u == 1000.0 * (k + 1));
            for (int r = 0; r < 2; r++) {
                const si_segy_trace *t = &s.traces[2 * k + r];
                assert_true(t->gx == 500.0 * r + 1000);
                for (int i = 0; i < 3; i++)
                    assert_true(s.data[(2 * k + r) * 3 + i] == 1000 * k + 100 * r + i);
            }
        }
        si_segy_free(&s);
    }
}

static void test_velocity_section(void **state) {
    (void)state;
    enum { NZ = 6, NX = 5 };
    float vel[NZ * NX];
    for (int i = 0; i < NZ * NX; i++)
        vel[i] = 1500.0f + (float)i;
    const char *p = in_dir("vel.sgy");
    assert_int_equal(si_segy_write_velocity(p, vel, NZ, NX, 12.5), SI_OK);
    si_segy s;
    if (si_segy_read(p, 1, &s) != SI_OK) fail_msg("%s", si_last_error());
    assert_int_equal(s.depth, 1);
    assert_int_equal(s.ns, NZ);
    assert_int_equal(s.ntraces, NX);
    assert_true(s.dt == 12.5); /* dz in metres */
    for (int x = 0; x < NX; x++) {
        assert_true(s.traces[x].gx == 12.5 * x);
        for (int z = 0; z < NZ; z++)
            assert_true(s.data[x * NZ + z] == vel[z * NX + x]);
    }
    si_segy_free(&s);
    EXPECT_FAIL(si_segy_write_velocity(in_dir("v50.sgy"), vel, NZ, NX, 50), SI_EINVAL,
                "whole millimetres");
    assert_false(si_test_file_exists(in_dir("v50.sgy")));
}

/* Corrupts a copy of `src` at `at` with `len` bytes (or truncates it to `at`
 * when bytes is NULL) and expects the read to fail with `needle`. */
static void corrupt(const char *src, long at, const void *bytes, size_t len, si_err want,
                    const char *needle) {
    size_t n;
    char *b = si_test_slurp(src, &n);
    assert_non_null(b);
    if (bytes) memcpy(b + at, bytes, len);
    si_test_write_file(in_dir("bad.sgy"), b, bytes ? n : (size_t)at);
    free(b);
    si_segy s;
    EXPECT_FAIL(si_segy_read(in_dir("bad.sgy"), 1, &s), want, needle);
    assert_null(s.traces);
    assert_null(s.data);
}

static void test_corrupt_files(void **state) {
    (void)state;
    char good[512];
    snprintf(good, sizeof good, "%s", in_dir("good.sgy"));
    write_survey(good, SI_SEGY_IEEE, 1, NULL, 1);
    const long tr = 240 + NS * 4;
    corrupt(good, 1000, NULL, 0, SI_EFORMAT, "too short for SEG-Y");
    corrupt(good, 3600 + 5 * tr + 17, NULL, 0, SI_EFORMAT, "truncated");
    corrupt(good, 3600, NULL, 0, SI_EFORMAT, "holds no traces");
    corrupt(good, 3200 + 24, "\x00\x07", 2, SI_EFORMAT, "sample format code 7 is not supported");
    corrupt(good, 3200 + 24, "\x00\x00", 2, SI_EFORMAT, "not SEG-Y");
    corrupt(good, 3200 + 20, "\x00\x31", 2, SI_EFORMAT, "not a whole number"); /* 49 samples */
    corrupt(good, 3600 + 4 * tr + 114, "\x00\x31", 2, SI_EFORMAT, "trace 4 has 49 samples");
    corrupt(good, 3200 + 304, "\xff\xff", 2, SI_EFORMAT, "extended text headers");
    corrupt(good, 3200 + 304, "\x00\x03", 2, SI_EFORMAT, "holds no traces");
    corrupt(good, 3200 + 96, "\x02\x01\x04\x03", 4, SI_EFORMAT, "pairwise byte-swapped");
    corrupt(good, 3600 + 2 * tr + 240 + 4 * 9, "\x7f\xc0\x00\x00", 4, SI_EDATA,
            "trace 2 (FieldRecord 10, TraceNumber 3) sample 9 is NaN");
    corrupt(good, 3600 + 8 * tr + 240, "\x7f\x80\x00\x00", 4, SI_EDATA, "sample 0 is infinite");
    si_segy s;
    /* No sample count in the binary header: trace 0's is used, and said so. */
    size_t n;
    char *b = si_test_slurp(good, &n);
    memset(b + 3200 + 20, 0, 2);
    si_test_write_file(in_dir("ns0.sgy"), b, n);
    if (si_segy_read(in_dir("ns0.sgy"), 1, &s) != SI_OK) fail_msg("%s", si_last_error());
    assert_int_equal(s.ns, NS);
    assert_non_null(strstr(s.notes, "0 in the binary header, 50 from trace 0"));
    si_segy_free(&s);
    memset(b + 3600 + 114, 0, 2); /* and none in trace 0 either */
    si_test_write_file(in_dir("ns0.sgy"), b, n);
    free(b);
    EXPECT_FAIL(si_segy_read(in_dir("ns0.sgy"), 1, &s), SI_EFORMAT,
                "sample count 0 is out of range");
    EXPECT_FAIL(si_segy_read(in_dir("missing.sgy"), 1, &s), SI_EIO, "cannot open");
    EXPECT_FAIL(si_segy_read(dir, 1, &s), SI_EIO, "not a regular file");
}

static void test_writer_refusals(void **state) {
    (void)state;
    float d[4] = {1, 2, NAN, 4};
    si_segy_trace h[2];
    memset(h, 0, sizeof h);
    si_segy_write_opts o = {.dt = 0.001};
    const char *p = in_dir("w.sgy");
    si_test_write_file(p, "KEEP", 4);
    EXPECT_FAIL(si_segy_write(p, &o, 2, 2, d, h), SI_EDATA, "trace 1 sample 0 is not finite");
    d[2] = 3;
    o.dt = 1.5e-6;
    EXPECT_FAIL(si_segy_write(p, &o, 2, 2, d, h), SI_EINVAL, "whole number of microseconds");
    o.dt = 0.001, o.format = SI_SEGY_INT16;
    EXPECT_FAIL(si_segy_write(p, &o, 2, 2, d, h), SI_EINVAL, "IEEE (5) or IBM (1)");
    o.format = SI_SEGY_IEEE, h[1].gx = 3e9;
    EXPECT_FAIL(si_segy_write(p, &o, 2, 2, d, h), SI_EINVAL, "does not fit a 32-bit");
    char *kept = si_test_slurp(p, NULL);
    assert_string_equal(kept, "KEEP");
    free(kept);
    assert_int_equal(si_test_count_files(dir, ".tmp."), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trips),       cmocka_unit_test(test_headers_by_segyio),
        cmocka_unit_test(test_shuffled_grouping), cmocka_unit_test(test_hand_made),
        cmocka_unit_test(test_velocity_section),  cmocka_unit_test(test_corrupt_files),
        cmocka_unit_test(test_writer_refusals),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
