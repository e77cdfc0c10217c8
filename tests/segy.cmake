# SEG-Y and the field workflow: reader/writer round trips and corrupt files,
# resampling accuracy and survey mapping, and the CLI (simulate -> SEG-Y ->
# invert equals the .npy path, info, bad input).
si_test(test_segy ${CMAKE_CURRENT_SOURCE_DIR}/test_segy.c)
si_test(test_survey_map ${CMAKE_CURRENT_SOURCE_DIR}/test_survey_map.c)
si_test(test_cli_segy ${CMAKE_CURRENT_SOURCE_DIR}/test_cli_segy.c TIMEOUT 300)
