# Non-GEMM conv kernels, im2col panels, ConvTranspose phases (kernels/conv),
# block instance norm (kernels/norm), sigmoid and crop (kernels/act): every
# table this CPU runs against the scalar references and naive oracles; and
# the same ops against PyTorch (skips when /usr/bin/python3 has no torch).
si_test(test_conv ${CMAKE_CURRENT_SOURCE_DIR}/test_conv.c TIMEOUT 120)
si_test(test_norm_act ${CMAKE_CURRENT_SOURCE_DIR}/test_norm_act.c TIMEOUT 60)
si_test(test_conv_torch ${CMAKE_CURRENT_SOURCE_DIR}/test_conv_torch.c TIMEOUT 120)
