/* One core's floating-point peak as the GEMM micro-kernel in use reaches it,
 * for `seisinv bench` when the user gives no --peak. */
#ifndef SI_CLI_PEAK_H
#define SI_CLI_PEAK_H

/* GFLOP/s of one MR×NR register tile over L1-resident packed panels (no
 * memory traffic), best of three ~0.05 s runs on the calling thread; *kernel
 * gets the kernel's name ("8x32-avx512"). 0 if it could not be measured. */
double si_cli_peak_gflops(const char **kernel);

#endif
