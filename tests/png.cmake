si_test(test_png ${CMAKE_CURRENT_SOURCE_DIR}/test_png.c TIMEOUT 60)
