/* Velocity-model generator: determinism, layer count per type, monotone and
 * in-range velocities, layer thickness, undulating interfaces, type cycling. */
#include "test_util.h"

#include "seisinv/velgen.h"

/* Velocity changes down column x, checking monotonicity, range and the
 * thinnest layer (rows) on the way. */
static int column_layers(const float *v, int nz, int nx, int x, int *thinnest, int *first_iface) {
    int changes = 0, run = 1;
    *thinnest = nz;
    *first_iface = -1;
    for (int z = 0; z < nz; z++) {
        float a = v[z * nx + x];
        assert_true(a >= SI_VEL_MIN && a <= SI_VEL_MAX);
        if (z == 0) continue;
        float above = v[(z - 1) * nx + x];
        assert_true(a >= above); /* never slower with depth */
        if (a > above) {
            if (run < *thinnest) *thinnest = run;
            if (*first_iface < 0) *first_iface = z;
            changes++, run = 1;
        } else {
            run++;
        }
    }
    if (run < *thinnest) *thinnest = run;
    return changes;
}

static void check_model(int type, uint64_t seed, uint64_t index, int nz, int nx, int min_rows,
                        int *undulates) {
    float *v = malloc(sizeof(float) * nz * nx);
    assert_int_equal(si_velgen(type, seed, index, nz, nx, v), SI_OK);
    int lo_iface = nz, hi_iface = -1;
    for (int x = 0; x < nx; x++) {
        int thin, first;
        assert_int_equal(column_layers(v, nz, nx, x, &thin, &first), type + 1);
        assert_true(thin >= min_rows);
        if (first < lo_iface) lo_iface = first;
        if (first > hi_iface) hi_iface = first;
    }
    /* Exactly type + 2 distinct layer velocities across the model. */
    float seen[16];
    int nseen = 0;
    for (int i = 0; i < nz * nx; i++) {
        int found = 0;
        for (int k = 0; k < nseen; k++)
            found |= seen[k] == v[i];
        if (!found) {
            assert_true(nseen < 16);
            seen[nseen++] = v[i];
        }
    }
    assert_int_equal(nseen, type + 2);
    *undulates += hi_iface > lo_iface;
    free(v);
}

static void test_layers_per_type(void **state) {
    (void)state;
    for (int type = 1; type <= 4; type++) {
        int und100 = 0, und40 = 0;
        for (uint64_t i = 0; i < 25; i++) {
            check_model(type, 7, i, 100, 100, 5, &und100);
            check_model(type, 7, i, 40, 40, 3, &und40);
        }
        /* Undulations of a few cells: the top interface moves in most models. */
        assert_true(und100 >= 20);
        assert_true(und40 >= 10);
    }
}

static void test_deterministic(void **state) {
    (void)state;
    float a[100 * 100], b[100 * 100];
    assert_int_equal(si_velgen(3, 12345, 99, 100, 100, a), SI_OK);
    float other[40 * 40]; /* unrelated work in between must not matter */
    assert_int_equal(si_velgen(1, 1, 1, 40, 40, other), SI_OK);
    assert_int_equal(si_velgen(3, 12345, 99, 100, 100, b), SI_OK);
    assert_memory_equal(a, b, sizeof a);
}

static void test_indices_and_seeds_differ(void **state) {
    (void)state;
    static float m[6][100 * 100];
    assert_int_equal(si_velgen(2, 5, 0, 100, 100, m[0]), SI_OK);
    assert_int_equal(si_velgen(2, 5, 1, 100, 100, m[1]), SI_OK);
    assert_int_equal(si_velgen(2, 6, 0, 100, 100, m[2]), SI_OK);
    assert_int_equal(si_velgen(2, 6, 1, 100, 100, m[3]), SI_OK);
    assert_int_equal(si_velgen(2, 5, 1000000, 100, 100, m[4]), SI_OK);
    assert_int_equal(si_velgen(2, 0, 5, 100, 100, m[5]), SI_OK); /* (seed, index) swapped */
    for (int i = 0; i < 6; i++)
        for (int j = i + 1; j < 6; j++)
            assert_true(memcmp(m[i], m[j], sizeof m[0]) != 0);
}

static void test_velocity_spread(void **state) {
    (void)state;
    /* Over many models the layer velocities cover most of [1500, 4000]. */
    float v[40 * 40], lo = 1e9f, hi = 0;
    for (uint64_t i = 0; i < 200; i++) {
        assert_int_equal(si_velgen(1 + (int)(i % 4), 3, i, 40, 40, v), SI_OK);
        for (int k = 0; k < 40 * 40; k++)
            lo = v[k] < lo ? v[k] : lo, hi = v[k] > hi ? v[k] : hi;
    }
    assert_true(lo < 1700 && hi > 3800);
}

static void test_type_cycle(void **state) {
    (void)state;
    int count[5] = {0};
    for (uint64_t i = 0; i < 12; i++)
        count[si_velgen_type_for_index(1, 4, i)]++;
    assert_int_equal(count[1], 3);
    assert_int_equal(count[4], 3);
    assert_int_equal(si_velgen_type_for_index(1, 4, 0), 1);
    assert_int_equal(si_velgen_type_for_index(1, 4, 5), 2);
    assert_int_equal(si_velgen_type_for_index(2, 3, 7), 3);
    assert_int_equal(si_velgen_type_for_index(3, 3, 7), 3);
}

static void test_rejects_bad_input(void **state) {
    (void)state;
    float v[100 * 100];
    assert_int_equal(si_velgen(0, 1, 1, 100, 100, v), SI_EINVAL);
    assert_int_equal(si_velgen(5, 1, 1, 100, 100, v), SI_EINVAL);
    assert_non_null(strstr(si_last_error(), "type 5"));
    assert_int_equal(si_velgen(4, 1, 1, 10, 10, v), SI_EINVAL); /* 6 layers need 18 rows */
    assert_non_null(strstr(si_last_error(), "too small"));
    assert_int_equal(si_velgen(1, 1, 1, 100, 0, v), SI_EINVAL);
    assert_int_equal(si_velgen(4, 1, 1, 18, 10, v), SI_OK); /* the smallest that fits */
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layers_per_type),
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_indices_and_seeds_differ),
        cmocka_unit_test(test_velocity_spread),
        cmocka_unit_test(test_type_cycle),
        cmocka_unit_test(test_rejects_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
