# Reference FD simulator (SPEC §2).
si_test(test_sim_analytic ${CMAKE_CURRENT_SOURCE_DIR}/test_sim_analytic.c TIMEOUT 60)
si_test(test_sim_boundary ${CMAKE_CURRENT_SOURCE_DIR}/test_sim_boundary.c TIMEOUT 60)
si_test(test_sim_isa ${CMAKE_CURRENT_SOURCE_DIR}/test_sim_isa.c TIMEOUT 60)
si_test(test_sim_config ${CMAKE_CURRENT_SOURCE_DIR}/test_sim_config.c TIMEOUT 30)
si_test(test_sim_reciprocity ${CMAKE_CURRENT_SOURCE_DIR}/test_sim_reciprocity.c TIMEOUT 30)
