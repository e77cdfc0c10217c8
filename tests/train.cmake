# The training graph (runtime/train/net*.c, include/seisinv/train.h): its
# kernels against their scalar references, finite differences of every layer
# op, the whole backward against PyTorch's autograd (small config; paper
# config labelled long), the step's memory, and `seisinv grad`.
si_test(test_train_kernels ${CMAKE_CURRENT_SOURCE_DIR}/test_train_kernels.c TIMEOUT 60)
si_test(test_train_fd ${CMAKE_CURRENT_SOURCE_DIR}/test_train_fd.c TIMEOUT 120)
si_test(test_train_grad ${CMAKE_CURRENT_SOURCE_DIR}/test_train_grad.c TIMEOUT 300)
si_test(test_train_grad_paper ${CMAKE_CURRENT_SOURCE_DIR}/test_train_grad.c LABELS long
  TIMEOUT 3600)
target_compile_definitions(test_train_grad_paper PRIVATE GRAD_CASE="paper" GRAD_BATCH=2)

# malloc & co. of the whole program go through counting wrappers.
si_test(test_train_alloc ${CMAKE_CURRENT_SOURCE_DIR}/test_train_alloc.c TIMEOUT 120)
target_link_options(test_train_alloc PRIVATE
  -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=aligned_alloc,--wrap=posix_memalign)
