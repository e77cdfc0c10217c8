# The whole network against the output an x86-64 build recorded for the same
# weights and survey (tests/data/nn_small_x86.*): the ARM builds' check that
# they agree with x86 (issue 4), and a drift check on x86.
si_test(test_nn_x86_ref ${CMAKE_CURRENT_SOURCE_DIR}/test_nn_x86_ref.c TIMEOUT 120)
