# safetensors reader/writer, and the PyTorch oracle's case files read back
# (that one skips when /usr/bin/python3 has no torch).
si_test(test_safetensors ${CMAKE_CURRENT_SOURCE_DIR}/test_safetensors.c)
si_test(test_oracle_case ${CMAKE_CURRENT_SOURCE_DIR}/test_oracle_case.c TIMEOUT 120)
