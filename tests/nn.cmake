# SeisInvNet inference: the whole network against the PyTorch oracle (small
# config; paper config labelled long; both again with the scalar kernels),
# no allocation in si_infer, two models in one process, `seisinv invert`.
si_test(test_nn_oracle ${CMAKE_CURRENT_SOURCE_DIR}/test_nn_oracle.c TIMEOUT 300)
si_test(test_nn_oracle_paper ${CMAKE_CURRENT_SOURCE_DIR}/test_nn_oracle.c LABELS long TIMEOUT 900)
target_compile_definitions(test_nn_oracle_paper PRIVATE NN_CASE="paper" NN_SEED=1)

# The same programs on the scalar and the AVX2 kernel tables (the default
# above is the best the CPU has; an ISA it lacks falls back to that). On ARM
# the default runs the NEON kernels, so the scalar table is the other one.
set(SI_NN_ISAS scalar avx2)
if(SI_ARCH_ARM)
  set(SI_NN_ISAS scalar)
endif()
foreach(t test_nn_oracle test_nn_oracle_paper)
  get_test_property(${t} LABELS labels)
  get_test_property(${t} TIMEOUT timeout)
  foreach(isa ${SI_NN_ISAS})
    add_test(NAME ${t}_${isa} COMMAND ${t})
    set_tests_properties(${t}_${isa} PROPERTIES LABELS "${labels}" TIMEOUT ${timeout}
      ENVIRONMENT "SEISINV_ISA=${isa};${SI_TEST_ENV}")
  endforeach()
endforeach()

# malloc/calloc/realloc of the whole program (library included: it is
# linked statically) go through counting wrappers.
si_test(test_nn_alloc ${CMAKE_CURRENT_SOURCE_DIR}/test_nn_alloc.c)
si_count_allocations(test_nn_alloc)

si_test(test_nn_models ${CMAKE_CURRENT_SOURCE_DIR}/test_nn_models.c)
si_test(test_cli_invert ${CMAKE_CURRENT_SOURCE_DIR}/test_cli_invert.c)
