si_test(test_npy ${CMAKE_CURRENT_SOURCE_DIR}/test_npy.c)
si_test(test_cli ${CMAKE_CURRENT_SOURCE_DIR}/test_cli.c)
