/* safetensors reader/writer: round trip, every kind of bad file gets a clear
 * error, and files cross over to and from a hand-written Python implementation. */
#include "test_util.h"

#include <math.h>

#include "seisinv/safetensors.h"

static char path[512];

/* Checks that `st` is the expected failure and its message has `needle`. */
#define EXPECT_FAIL(st, want, needle)                                                              \
    do {                                                                                           \
        si_err st_ = (st);                                                                         \
        if (st_ != (want) || !strstr(si_last_error(), (needle)))                                   \
            fail_msg("line %d: got %s '%s', want %s containing '%s'", __LINE__, si_err_name(st_),  \
                     si_last_error(), si_err_name(want), (needle));                                \
    } while (0)

/* A file image: 8-byte length `hl_field`, the header text, `datalen` bytes
 * of 0x5a. Returns an exact-size allocation so ASan sees any overread. */
static unsigned char *image(uint64_t hl_field, const char *hdr, size_t datalen, size_t *len) {
    size_t hl = strlen(hdr);
    *len = 8 + hl + datalen;
    unsigned char *b = malloc(*len);
    assert_non_null(b);
    for (int i = 0; i < 8; i++)
        b[i] = (unsigned char)(hl_field >> (8 * i));
    memcpy(b + 8, hdr, hl);
    memset(b + 8 + hl, 0x5a, datalen);
    return b;
}

static void expect_bad_lenfield(uint64_t hl_field, const char *hdr, size_t datalen,
                                const char *needle, int line) {
    size_t len;
    unsigned char *b = image(hl_field, hdr, datalen, &len);
    si_st_file *f = (si_st_file *)1;
    si_err st = si_st_open_memory(b, len, &f);
    if (st != SI_EFORMAT || !strstr(si_last_error(), needle))
        fail_msg("line %d: header %s: got %s '%s', want SI_EFORMAT containing '%s'", line, hdr,
                 si_err_name(st), si_last_error(), needle);
    assert_null(f);
    free(b);
}

#define EXPECT_BAD(hdr, datalen, needle)                                                           \
    expect_bad_lenfield(strlen(hdr), hdr, datalen, needle, __LINE__)

static void test_round_trip(void **state) {
    (void)state;
    const char *d = si_test_tmpdir();
    snprintf(path, sizeof path, "%s/w.safetensors", d);
    si_test_write_file(path, "old", 3); /* replaced atomically */
    float a[6], b[4] = {0.25f, -1.5f, 3e-8f, 1e20f}, s = 42.5f;
    for (int i = 0; i < 6; i++)
        a[i] = (float)i * 0.5f - 1.0f;
    int64_t sa[2] = {2, 3}, sb[2] = {2, 2}, se[1] = {0};
    /* given out of order: the file is sorted by name */
    si_st_entry t[4] = {{"zeta.weight", 2, sa, a},
                        {"alpha", 2, sb, b},
                        {"scalar", 0, NULL, &s},
                        {"empty", 1, se, NULL}};
    si_st_kv m[3] = {{"seisinv.S", "20"}, {"note", "vitesse \xe2\x9c\x93"}, {"blank", ""}};
    assert_int_equal(si_st_write(path, t, 4, m, 3), SI_OK);
    assert_int_equal(si_test_count_files(d, "tmp"), 0);

    size_t len;
    unsigned char *raw = (unsigned char *)si_test_slurp(path, &len);
    uint64_t hl = 0;
    for (int i = 7; i >= 0; i--)
        hl = hl << 8 | raw[i];
    assert_int_equal(hl % 8, 0);
    assert_int_equal(len, 8 + hl + 4 * (6 + 4 + 1));
    assert_memory_equal(raw + 8, "{\"__metadata__\":{\"blank\":\"\",\"note\":", 35);
    char *hdr = strndup((char *)raw + 8, (size_t)hl);
    assert_true(
        strstr(hdr, "\"alpha\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]}"));
    assert_true(
        strstr(hdr, "\"empty\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[16,16]}"));
    assert_true(
        strstr(hdr, "\"scalar\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[16,20]}"));
    assert_true(strstr(hdr, "\"zeta.weight\":{\"dtype\":\"F32\",\"shape\":[2,3],"
                            "\"data_offsets\":[20,44]}"));
    assert_true(strstr(hdr, "\"alpha\"") < strstr(hdr, "\"zeta.weight\""));
    size_t end = (size_t)hl; /* JSON, then fewer than 8 spaces of padding */
    while (end > 0 && hdr[end - 1] == ' ')
        end--;
    assert_int_equal(hdr[end - 1], '}');
    assert_true(hl - end < 8);
    free(hdr);

    si_st_file *f;
    assert_int_equal(si_st_open(path, &f), SI_OK);
    assert_int_equal(si_st_count(f), 4);
    const char *names[4] = {"alpha", "empty", "scalar", "zeta.weight"};
    for (size_t i = 0; i < 4; i++)
        assert_string_equal(si_st_at(f, i)->name, names[i]);
    assert_null(si_st_at(f, 4));
    const si_st_tensor *ta = si_st_find(f, "zeta.weight");
    assert_non_null(ta);
    assert_int_equal(ta->dtype, SI_ST_F32);
    assert_int_equal(ta->ndim, 2);
    assert_int_equal(ta->shape[0], 2);
    assert_int_equal(ta->shape[1], 3);
    assert_int_equal(ta->numel, 6);
    assert_int_equal(ta->nbytes, 24);
    assert_memory_equal(ta->data, a, sizeof a);
    float got[6];
    assert_int_equal(si_st_to_f32(ta, got), SI_OK);
    assert_memory_equal(got, a, sizeof a);
    const si_st_tensor *ts;
    int64_t none[1] = {0};
    assert_int_equal(si_st_require(f, "scalar", 0, none, &ts), SI_OK);
    assert_int_equal(ts->numel, 1);
    assert_memory_equal(ts->data, &s, 4);
    assert_int_equal(si_st_find(f, "empty")->numel, 0);
    assert_int_equal(si_st_find(f, "empty")->nbytes, 0);
    assert_memory_equal(si_st_find(f, "alpha")->data, b, sizeof b);
    assert_null(si_st_find(f, "alph"));
    assert_null(si_st_find(f, "zeta.weight2"));
    assert_string_equal(si_st_meta(f, "seisinv.S"), "20");
    assert_string_equal(si_st_meta(f, "note"), "vitesse \xe2\x9c\x93");
    assert_string_equal(si_st_meta(f, "blank"), "");
    assert_null(si_st_meta(f, "seisinv.R"));
    assert_int_equal(si_st_meta_count(f), 3);
    const char *k, *v;
    si_st_meta_at(f, 0, &k, &v);
    assert_string_equal(k, "blank");
    si_st_meta_at(f, 2, &k, &v);
    assert_string_equal(k, "seisinv.S");
    assert_string_equal(v, "20");
    si_st_close(f);

    /* no metadata: no "__metadata__" key at all; no tensors is a valid file */
    assert_int_equal(si_st_write(path, t, 1, NULL, 0), SI_OK);
    char *txt = si_test_slurp(path, &len);
    assert_null(strstr(txt + 8, "__metadata__"));
    free(txt);
    free(raw);
    assert_int_equal(si_st_write(path, NULL, 0, NULL, 0), SI_OK);
    assert_int_equal(si_st_open(path, &f), SI_OK);
    assert_int_equal(si_st_count(f), 0);
    assert_int_equal(si_st_meta_count(f), 0);
    si_st_close(f);
}

static void test_writer_rejects(void **state) {
    (void)state;
    const char *d = si_test_tmpdir();
    snprintf(path, sizeof path, "%s/keep.safetensors", d);
    si_test_write_file(path, "original", 8);
    float a[4] = {1, 2, 3, 4};
    int64_t s2[1] = {2}, neg[1] = {-1}, s9[9] = {1, 1, 1, 1, 1, 1, 1, 1, 1};
    si_st_entry dup[2] = {{"w", 1, s2, a}, {"w", 1, s2, a + 2}};
    EXPECT_FAIL(si_st_write(path, dup, 2, NULL, 0), SI_EINVAL, "tensor 'w' appears twice");
    si_st_entry empty[1] = {{"", 1, s2, a}};
    EXPECT_FAIL(si_st_write(path, empty, 1, NULL, 0), SI_EINVAL, "empty name");
    si_st_entry reserved[1] = {{"__metadata__", 1, s2, a}};
    EXPECT_FAIL(si_st_write(path, reserved, 1, NULL, 0), SI_EINVAL, "reserved");
    si_st_entry negative[1] = {{"n", 1, neg, a}};
    EXPECT_FAIL(si_st_write(path, negative, 1, NULL, 0), SI_EINVAL, "tensor 'n': dimension 0");
    si_st_entry rank9[1] = {{"r", 9, s9, a}};
    EXPECT_FAIL(si_st_write(path, rank9, 1, NULL, 0), SI_EINVAL, "tensor 'r': rank 9");
    si_st_entry nodata[1] = {{"x", 1, s2, NULL}};
    EXPECT_FAIL(si_st_write(path, nodata, 1, NULL, 0), SI_EINVAL, "tensor 'x' has no data");
    si_st_entry badutf[1] = {{"bad\xff", 1, s2, a}};
    EXPECT_FAIL(si_st_write(path, badutf, 1, NULL, 0), SI_EINVAL, "not valid UTF-8");
    si_st_entry ok[1] = {{"w", 1, s2, a}};
    si_st_kv mdup[2] = {{"k", "1"}, {"k", "2"}};
    EXPECT_FAIL(si_st_write(path, ok, 1, mdup, 2), SI_EINVAL, "metadata 'k' appears twice");
    si_st_kv mbad[1] = {{"k", "\xc3"}};
    EXPECT_FAIL(si_st_write(path, ok, 1, mbad, 1), SI_EINVAL, "metadata 'k'");
    si_st_kv mnull[1] = {{"", "v"}};
    EXPECT_FAIL(si_st_write(path, ok, 1, mnull, 1), SI_EINVAL, "empty key");
    char bad_dir[600];
    snprintf(bad_dir, sizeof bad_dir, "%s/no/such/dir/x.safetensors", d);
    EXPECT_FAIL(si_st_write(bad_dir, ok, 1, NULL, 0), SI_EIO, "cannot create");
    char *s = si_test_slurp(path, NULL);
    assert_string_equal(s, "original");
    free(s);
    assert_int_equal(si_test_count_files(d, "tmp"), 0);
}

/* A valid file with metadata and three tensors, as bytes. */
static unsigned char *valid_image(size_t *len) {
    const char *d = si_test_tmpdir();
    char p[600];
    snprintf(p, sizeof p, "%s/v.safetensors", d);
    float a[6] = {1, 2, 3, 4, 5, 6};
    int64_t s23[2] = {2, 3}, s1[1] = {1};
    si_st_entry t[3] = {{"b", 2, s23, a}, {"a", 1, s1, a}, {"c", 0, NULL, a + 5}};
    si_st_kv m[1] = {{"seisinv.arch", "seisinvnet"}};
    assert_int_equal(si_st_write(p, t, 3, m, 1), SI_OK);
    return (unsigned char *)si_test_slurp(p, len);
}

static void test_truncated_everywhere(void **state) {
    (void)state;
    size_t len;
    unsigned char *full = valid_image(&len);
    si_st_file *f;
    assert_int_equal(si_st_open_memory(full, len, &f), SI_OK);
    assert_int_equal(si_st_count(f), 3);
    si_st_close(f);
    for (size_t cut = 0; cut < len; cut++) {
        unsigned char *b = malloc(cut ? cut : 1); /* exact size: ASan catches overreads */
        memcpy(b, full, cut);
        f = (si_st_file *)1;
        si_err st = si_st_open_memory(b, cut, &f);
        if (st != SI_EFORMAT || !*si_last_error())
            fail_msg("cut at %zu of %zu: got %s '%s'", cut, len, si_err_name(st), si_last_error());
        assert_null(f);
        free(b);
    }
    /* the messages say what is wrong at each stage */
    EXPECT_FAIL(si_st_open_memory(full, 5, &f), SI_EFORMAT, "too short");
    EXPECT_FAIL(si_st_open_memory(full, 20, &f), SI_EFORMAT, "exceeds the 12 bytes");
    EXPECT_FAIL(si_st_open_memory(full, len - 1, &f), SI_EFORMAT, "run past the end");
    /* the same through a file: the message names it */
    const char *d = si_test_tmpdir();
    snprintf(path, sizeof path, "%s/cut.safetensors", d);
    si_test_write_file(path, full, len - 3);
    EXPECT_FAIL(si_st_open(path, &f), SI_EFORMAT, "cut.safetensors: tensor '");
    EXPECT_FAIL(si_st_open("/nonexistent/x.safetensors", &f), SI_EIO, "cannot open");
    EXPECT_FAIL(si_st_open(d, &f), SI_EIO, "not a regular file");
    free(full);
}

static void test_bad_headers(void **state) {
    (void)state;
    const char *ok = "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";
    size_t len;
    unsigned char *b = image(strlen(ok), ok, 8, &len);
    si_st_file *f;
    assert_int_equal(si_st_open_memory(b, len, &f), SI_OK);
    si_st_close(f);
    free(b);
    /* header length lies */
    expect_bad_lenfield(strlen(ok) + 9, ok, 8, "exceeds the", __LINE__);
    expect_bad_lenfield((uint64_t)1 << 63, ok, 8, "exceeds the", __LINE__);
    expect_bad_lenfield(strlen(ok) - 1, ok, 8, "not valid JSON", __LINE__);
    expect_bad_lenfield(0, ok, 8, "does not start with '{'", __LINE__);
    /* bad JSON */
    EXPECT_BAD("{\"w\":", 0, "not valid JSON");
    EXPECT_BAD("{} x", 0, "not valid JSON");
    EXPECT_BAD("[1, 2]", 0, "does not start with '{'");
    EXPECT_BAD(" {}", 0, "does not start with '{'");
    EXPECT_BAD("{\"w\xff\":{}}", 0, "not valid JSON");
    EXPECT_BAD("{\"a\\u0000b\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4]}}", 4,
               "not valid JSON");
    EXPECT_BAD("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
               "\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}",
               8, "duplicate");
    /* tensor entries */
    EXPECT_BAD("{\"w\":3}", 0, "tensor 'w': entry is not an object");
    EXPECT_BAD("{\"\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4, "empty name");
    EXPECT_BAD("{\"w\":{\"shape\":[1],\"data_offsets\":[0,4]}}", 4, "tensor 'w': \"dtype\"");
    EXPECT_BAD("{\"w\":{\"dtype\":\"F31\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4,
               "tensor 'w': unknown dtype 'F31'");
    EXPECT_BAD("{\"w\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", 4, "tensor 'w': \"shape\"");
    EXPECT_BAD("{\"w\":{\"dtype\":\"F32\",\"shape\":[2.0],\"data_offsets\":[0,8]}}", 8,
               "tensor 'w': shape entry 0");
    EXPECT_BAD("{\"w\":{\"dtype\":\"F32\",\"shape\":[2,-1],\"data_offsets\":[0,8]}}", 8,
               "tensor 'w': shape entry 1");
    EXPECT_BAD("{\"w\":{\"dtype\":\"F32\",\"shape\":[1,1,1,1,1,1,1,1,1],\"data_offsets\":[0,4]}}",
               4, "tensor 'w' has 9 dimensions");
    EXPECT_BAD(
        "{\"w\":{\"dtype\":\"F32\",\"shape\":[4611686018427387904,4],\"data_offsets\":[0,4]}}", 4,
        "tensor 'w': shape is too large");
    EXPECT_BAD("{\"w\":{\"dtype\":\"F32\",\"shape\":[1]}}", 4, "tensor 'w': \"data_offsets\"");
    EXPECT_BAD("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}}", 4,
               "tensor 'w': \"data_offsets\"");
    EXPECT_BAD("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[-4,0]}}", 4,
               "tensor 'w': \"data_offsets\"");
    EXPECT_BAD("{\"w\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[4,0]}}", 4,
               "tensor 'w': data_offsets [4, 0] end before they begin");
    /* dtype vs size */
    EXPECT_BAD("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4]}}", 4,
               "tensor 'w': shape [2] of F32 needs 8 bytes but data_offsets [0, 4] hold 4");
    EXPECT_BAD("{\"w\":{\"dtype\":\"F16\",\"shape\":[2,3],\"data_offsets\":[0,24]}}", 24,
               "tensor 'w': shape [2, 3] of F16 needs 12 bytes");
    EXPECT_BAD("{\"w\":{\"dtype\":\"F4\",\"shape\":[3],\"data_offsets\":[0,2]}}", 2,
               "tensor 'w': 3 elements of F4 do not fill whole bytes");
    /* offsets outside the buffer, overlapping, with holes or a tail */
    EXPECT_BAD("{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", 8,
               "tensor 'w': data_offsets [0, 16] run past the end of the 8-byte data buffer");
    EXPECT_BAD("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
               "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}",
               12, "tensors 'a' [0, 8] and 'b' [4, 12] overlap");
    EXPECT_BAD("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
               "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}",
               8, "overlap");
    EXPECT_BAD("{\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]},"
               "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}",
               12, "4 unused bytes before tensor 'b'");
    EXPECT_BAD("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 8,
               "4 bytes at the end of the data buffer belong to no tensor");
    /* metadata */
    EXPECT_BAD("{\"__metadata__\":{\"k\":1}}", 0, "metadata 'k' is not a string");
    EXPECT_BAD("{\"__metadata__\":[\"k\"]}", 0, "\"__metadata__\" is not an object");

    /* out of order in the header is fine: only the buffer layout matters */
    const char *swapped = "{\"b\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[4,8]},"
                          "\"__metadata__\":{\"k\":\"v\"},"
                          "\"a\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]}}";
    b = image(strlen(swapped), swapped, 8, &len);
    const unsigned char words[8] = {0x00, 0x3c, 0x01, 0x00, 0x80, 0x3f, 0x80, 0xff};
    memcpy(b + len - 8, words, 8);
    assert_int_equal(si_st_open_memory(b, len, &f), SI_OK);
    assert_string_equal(si_st_at(f, 0)->name, "a");
    assert_string_equal(si_st_meta(f, "k"), "v");
    float h[2], bf[2];
    assert_int_equal(si_st_to_f32(si_st_find(f, "a"), h), SI_OK);
    assert_true(h[0] == 1.0f && h[1] == 0x1p-24f); /* F16 1.0 and the smallest subnormal */
    assert_int_equal(si_st_to_f32(si_st_find(f, "b"), bf), SI_OK);
    assert_true(bf[0] == 1.0f && isinf(bf[1]) && bf[1] < 0);
    /* missing and mis-shaped tensors name the tensor */
    const si_st_tensor *t;
    int64_t want[2] = {3, 2};
    EXPECT_FAIL(si_st_require(f, "decoder.layer5.1.running_var", 1, want, &t), SI_EFORMAT,
                "tensor 'decoder.layer5.1.running_var' is missing");
    assert_null(t);
    EXPECT_FAIL(si_st_require(f, "a", 2, want, &t), SI_EFORMAT,
                "tensor 'a' has shape [2], expected [3, 2]");
    assert_int_equal(si_st_require(f, "a", 0, NULL, &t), SI_OK);
    si_st_close(f);
    free(b);
    const char *ints = "{\"n\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[0,8]}}";
    b = image(strlen(ints), ints, 8, &len);
    assert_int_equal(si_st_open_memory(b, len, &f), SI_OK);
    EXPECT_FAIL(si_st_to_f32(si_st_find(f, "n"), h), SI_EFORMAT,
                "tensor 'n' has dtype I64, expected F32, F16 or BF16");
    si_st_close(f);
    free(b);
}

/* Random byte changes in a valid file: each is rejected cleanly or, when it
 * still parses, every tensor lies inside the buffer. */
static void test_mutations(void **state) {
    (void)state;
    size_t len;
    unsigned char *full = valid_image(&len);
    unsigned char *b = malloc(len);
    uint64_t x = 0x9e3779b97f4a7c15ull;
    int accepted = 0;
    for (int it = 0; it < 5000; it++) {
        memcpy(b, full, len);
        for (int k = 0; k < 1 + it % 3; k++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            size_t at = (size_t)(x % len);
            b[at] = (it & 1) ? (unsigned char)(x >> 32) : "0123456789[]{},:\"-eE. "[(x >> 40) % 22];
        }
        si_st_file *f;
        si_err st = si_st_open_memory(b, len, &f);
        if (st) {
            assert_int_equal(st, SI_EFORMAT);
            assert_true(*si_last_error());
            continue;
        }
        accepted++;
        for (size_t i = 0; i < si_st_count(f); i++) {
            const si_st_tensor *t = si_st_at(f, i);
            const unsigned char *p = t->data;
            assert_true(p >= b && p + t->nbytes <= b + len);
        }
        si_st_close(f);
    }
    assert_true(accepted > 0); /* mutations in the data bytes stay valid */
    free(b);
    free(full);
}

static int have_python(const char *module) {
    char cmd[256];
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 -c 'import %s' >/dev/null 2>&1", module);
    return system(cmd) == 0;
}

static void test_python_interop(void **state) {
    (void)state;
    if (!have_python("numpy")) skip();
    const char *src = getenv("SEISINV_SRC");
    assert_non_null(src);
    const char *d = si_test_tmpdir();
    char cmd[2048];
    /* Python writes, we read */
    snprintf(path, sizeof path, "%s/py.safetensors", d);
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 '%s/tests/oracle/st_interop.py' write '%s'", src,
             path);
    assert_int_equal(system(cmd), 0);
    si_st_file *f;
    assert_int_equal(si_st_open(path, &f), SI_OK);
    assert_int_equal(si_st_count(f), 6);
    const si_st_tensor *t;
    int64_t s23[2] = {2, 3}, s5[1] = {5}, s22[2] = {2, 2}, s03[2] = {0, 3}, s3[1] = {3};
    assert_int_equal(si_st_require(f, "a.weight", 2, s23, &t), SI_OK);
    float v[6];
    assert_int_equal(si_st_to_f32(t, v), SI_OK);
    for (int i = 0; i < 6; i++)
        assert_true(v[i] == (float)i * 0.5f - 1.0f);
    assert_int_equal(si_st_require(f, "b.f16", 1, s5, &t), SI_OK);
    assert_int_equal(t->dtype, SI_ST_F16);
    assert_int_equal(si_st_to_f32(t, v), SI_OK);
    assert_true(v[0] == 1.0f && v[1] == -2.0f && v[2] == 0.5f && v[3] == 65504.0f &&
                v[4] == 0x1p-24f);
    assert_int_equal(si_st_require(f, "c.bf16", 2, s22, &t), SI_OK);
    assert_int_equal(t->dtype, SI_ST_BF16);
    assert_int_equal(si_st_to_f32(t, v), SI_OK);
    assert_true(v[0] == 1.0f && v[1] == -3.140625f && v[2] == 0x1p100f && v[3] == 0.0078125f);
    assert_int_equal(si_st_require(f, "d.count", 0, NULL, &t), SI_OK);
    assert_int_equal(t->dtype, SI_ST_I64);
    assert_int_equal(t->ndim, 0);
    int64_t n;
    memcpy(&n, t->data, 8);
    assert_int_equal(n, 7);
    assert_int_equal(si_st_require(f, "e.empty", 2, s03, &t), SI_OK);
    assert_int_equal(t->nbytes, 0);
    assert_int_equal(si_st_require(f, "z.u8", 1, s3, &t), SI_OK);
    assert_int_equal(t->dtype, SI_ST_U8);
    assert_int_equal(((const unsigned char *)t->data)[2], 255);
    assert_string_equal(si_st_meta(f, "seisinv.S"), "20");
    assert_string_equal(si_st_meta(f, "note"), "vitesse m/s \xe2\x80\x94 \xe2\x9c\x93");
    assert_string_equal(si_st_meta(f, "empty"), "");
    si_st_close(f);

    /* we write, Python reads and compares with its own writer's bytes */
    snprintf(path, sizeof path, "%s/c.safetensors", d);
    float lb[3] = {1, 2, 3}, la[4] = {0.25f, -1.5f, 3.0e-8f, 1.0e20f}, sc = 42.5f;
    int64_t sb[1] = {3}, sa[2] = {2, 2}, se[1] = {0};
    si_st_entry te[4] = {{"layer.b", 1, sb, lb},
                         {"layer.a", 2, sa, la},
                         {"scalar", 0, NULL, &sc},
                         {"empty", 1, se, NULL}};
    si_st_kv m[3] = {{"seisinv.arch", "seisinvnet"}, {"z", "last"}, {"a", "first \xe2\x9c\x93"}};
    assert_int_equal(si_st_write(path, te, 4, m, 3), SI_OK);
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 '%s/tests/oracle/st_interop.py' check '%s'", src,
             path);
    assert_int_equal(system(cmd), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_writer_rejects),
        cmocka_unit_test(test_truncated_everywhere),
        cmocka_unit_test(test_bad_headers),
        cmocka_unit_test(test_mutations),
        cmocka_unit_test(test_python_interop),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
