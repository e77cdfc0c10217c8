# The training graph (runtime/train/net*.c, include/seisinv/train.h): its
# kernels against their scalar references, finite differences of every layer
# op, the whole backward against PyTorch's autograd (small config; paper
# config labelled long), the step's memory, and `seisinv grad`.
si_test(test_train_kernels ${CMAKE_CURRENT_SOURCE_DIR}/test_train_kernels.c TIMEOUT 60)
si_test(test_train_fd ${CMAKE_CURRENT_SOURCE_DIR}/test_train_fd.c TIMEOUT 300) # qemu: 11 min
si_test(test_train_grad ${CMAKE_CURRENT_SOURCE_DIR}/test_train_grad.c TIMEOUT 300)
si_test(test_train_grad_paper ${CMAKE_CURRENT_SOURCE_DIR}/test_train_grad.c LABELS long
  TIMEOUT 3600)
target_compile_definitions(test_train_grad_paper PRIVATE GRAD_CASE="paper" GRAD_BATCH=2)

# malloc & co. of the whole program go through counting wrappers.
si_test(test_train_alloc ${CMAKE_CURRENT_SOURCE_DIR}/test_train_alloc.c TIMEOUT 120)
si_count_allocations(test_train_alloc)

# Whole steps: a small configuration overfits three samples with Adam
# (tests/test_train_overfit.c; label nosan: ~8 minutes under ASan+UBSan, whose
# run the other training tests already cover with the same code paths); one
# L2 + Adam step against PyTorch's (tests/test_train_step.c, step_case.py;
# long: the oracle alone takes 40-120 s here on the small configuration, ~5 min
# on the paper one).
si_test(test_train_overfit ${CMAKE_CURRENT_SOURCE_DIR}/test_train_overfit.c LABELS unit nosan
  TIMEOUT 180)
si_test(test_train_step ${CMAKE_CURRENT_SOURCE_DIR}/test_train_step.c LABELS long TIMEOUT 900)
si_test(test_train_step_paper ${CMAKE_CURRENT_SOURCE_DIR}/test_train_step.c LABELS long
  TIMEOUT 3600)
target_compile_definitions(test_train_step_paper PRIVATE STEP_CASE="paper")
