#!/usr/bin/env python3
"""Expected single-core latency on Cortex-A72 and Cortex-A76 from the counts
that bench/arm/count-insns.sh prints (read from stdin or a file).

A lower bound in cycles: the most loaded of the front end and the pipes the
counted classes use, each at its peak rate (assumptions, from Arm's software
optimisation guides as we read them):
  Cortex-A72: decodes 3 instructions a cycle; two FP/ASIMD pipes that are
    64 bits wide for FP work, so a 128-bit (Q-form) FMLA or other vector FP
    op takes both: 1 vector op a cycle (4 fp32 FMA = 8 FLOP a cycle);
    scalar FP 2 a cycle; one load and one store pipe.
  Cortex-A76: decodes 4 a cycle; two 128-bit FP/ASIMD pipes: 2 vector ops
    (FMLA included: 16 FLOP a cycle) or 2 scalar FP ops a cycle; two loads
    and one store a cycle.
Real code also waits on caches and dependencies; GEMM-heavy code reaches
70-85% of such a bound, so the "expected" column divides by 0.75.
  bench/arm/estimate.py [counts.txt]
"""
import re, sys

CORES = {  # name: (GHz clocks, decode, vector FP ops/cycle, scalar FP/cycle, loads, stores)
    "Cortex-A72": ((1.5, 1.8), 3, 1, 2, 1, 1),
    "Cortex-A76": ((2.4,), 4, 2, 2, 2, 1),
}
EFFICIENCY = 0.75

text = open(sys.argv[1]).read() if len(sys.argv) > 1 else sys.stdin.read()
for line in text.splitlines():
    m = re.match(r"^(\S+)\s+(\S+)\s+(.*)$", line)
    if not m or "=" not in m.group(3):
        continue
    c = {k: float(v) for k, v in re.findall(r"(\w+)=([0-9.e+]+)", m.group(3))}
    vec = c["vector_fma"] + c["vector_other"]
    sfp = c["scalar_fma"] + c["scalar_fp"]
    print(f"{m.group(1)} ({m.group(2)}): {c['insns']:.3g} instructions, "
          f"{c['vector_fma']:.3g} vector FMA")
    for name, (clocks, dec, vrate, srate, ld, st) in CORES.items():
        terms = {"decode": c["insns"] / dec, "FP/ASIMD pipes": vec / vrate + sfp / srate,
                 "loads": c["loads"] / ld, "stores": c["stores"] / st}
        limit = max(terms, key=terms.get)
        cyc = terms[limit]
        times = ", ".join(f"{g} GHz: bound {cyc / g / 1e6:.0f} ms, expected "
                          f"{cyc / g / 1e6 / EFFICIENCY:.0f} ms" for g in clocks)
        print(f"  {name}: {cyc:.3g} cycles (limit: {limit}); {times}")
