/* Counts every malloc, calloc, realloc, aligned_alloc and posix_memalign of
 * the program (the statically linked library included) while `counting` is
 * set: the test links with si_count_allocations(target) (tests/CMakeLists.txt),
 * which routes them here through -Wl,--wrap. Include once, in the test's
 * main file. */
#ifndef SI_TEST_ALLOC_COUNT_H
#define SI_TEST_ALLOC_COUNT_H

#include <stdatomic.h>
#include <stddef.h>

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
void *__real_aligned_alloc(size_t align, size_t n);
int __real_posix_memalign(void **p, size_t align, size_t n);

static atomic_int counting;
static atomic_long calls;

void *__wrap_malloc(size_t n) {
    if (counting) calls++;
    return __real_malloc(n);
}
void *__wrap_calloc(size_t n, size_t size) {
    if (counting) calls++;
    return __real_calloc(n, size);
}
void *__wrap_realloc(void *p, size_t n) {
    if (counting) calls++;
    return __real_realloc(p, n);
}
void *__wrap_aligned_alloc(size_t align, size_t n) {
    if (counting) calls++;
    return __real_aligned_alloc(align, n);
}
int __wrap_posix_memalign(void **p, size_t align, size_t n) {
    if (counting) calls++;
    return __real_posix_memalign(p, align, n);
}

#endif
