# Winograd F(2x2, 3x3) transforms (kernels/winograd) against a direct conv.
si_test(test_winograd ${CMAKE_CURRENT_SOURCE_DIR}/test_winograd.c TIMEOUT 120)
