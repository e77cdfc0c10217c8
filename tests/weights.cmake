# The shipped weights invert fresh surveys within bounds (weights/README.md).
si_test(test_weights ${CMAKE_CURRENT_SOURCE_DIR}/test_weights.c TIMEOUT 120)
