# Velocity models, dataset shards and the simulate/model/dataset commands.
si_test(test_velgen ${CMAKE_CURRENT_SOURCE_DIR}/test_velgen.c)
si_test(test_dataset ${CMAKE_CURRENT_SOURCE_DIR}/test_dataset.c)
si_test(test_cli_data ${CMAKE_CURRENT_SOURCE_DIR}/test_cli_data.c)
