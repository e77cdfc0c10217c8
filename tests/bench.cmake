# `seisinv bench` (JSON and text output, per-layer table, the random
# paper-configuration default, bad input) and the inference memory budget:
# arena + packed weights under a stated bound, the survey read into place,
# and the peak resident memory of `seisinv invert` (native Linux builds
# without sanitizers only: an emulator or ASan measures itself, not us).
si_test(test_cli_bench ${CMAKE_CURRENT_SOURCE_DIR}/test_cli_bench.c)
si_test(test_nn_memory ${CMAKE_CURRENT_SOURCE_DIR}/test_nn_memory.c)
if(CMAKE_SYSTEM_NAME STREQUAL "Linux" AND NOT CMAKE_CROSSCOMPILING AND NOT SEISINV_SANITIZE)
  target_compile_definitions(test_nn_memory PRIVATE SI_TEST_RSS=1)
endif()
