# Training losses, metrics, Adam (kernels/optim), the loss-curve picture,
# `seisinv eval` / `invert --truth` and `seisinv train` (resume bit for bit,
# Ctrl-C, PyTorch loads the weights): against PyTorch autograd, scikit-image
# and torch.optim.Adam through tests/oracle/metrics_case.py (skipped when
# /usr/bin/python3 lacks them), finite differences, and the scalar kernels.
si_test(test_loss ${CMAKE_CURRENT_SOURCE_DIR}/test_loss.c TIMEOUT 120)
si_test(test_metrics ${CMAKE_CURRENT_SOURCE_DIR}/test_metrics.c TIMEOUT 120)
si_test(test_adam ${CMAKE_CURRENT_SOURCE_DIR}/test_adam.c TIMEOUT 60)
si_test(test_metrics_curve ${CMAKE_CURRENT_SOURCE_DIR}/test_metrics_curve.c TIMEOUT 60)
target_link_libraries(test_metrics_curve PRIVATE PkgConfig::PNG)
si_test(test_metrics_cli ${CMAKE_CURRENT_SOURCE_DIR}/test_metrics_cli.c TIMEOUT 120)
si_test(test_train_cli ${CMAKE_CURRENT_SOURCE_DIR}/test_train_cli.c TIMEOUT 300)
