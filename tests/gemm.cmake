si_test(test_gemm ${CMAKE_CURRENT_SOURCE_DIR}/test_gemm.c LABELS unit TIMEOUT 120)
