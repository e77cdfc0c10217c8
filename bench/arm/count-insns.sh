#!/usr/bin/env bash
# Guest instructions per survey on aarch64, counted under qemu-aarch64 with
# the plugin bench/arm/qemu_insn_count.c (qemu timings mean nothing; counts
# do): SeisInvNet inference on the paper configuration (random weights,
# 1 thread) and the FD simulation of one paper-geometry survey (100x100,
# 20 shots, T=1000, order 8, CPML 20, 1 thread), each with the NEON and the
# scalar kernels (SEISINV_ISA). Start-up, weight loading and file I/O cancel
# out: inference = count(--runs 2) - count(--runs 1); FD = 10 x (count(nt
# 200) - count(nt 100)). Needs the cross build (scripts/cross.sh aarch64).
#   bench/arm/count-insns.sh [BUILD_DIR]      (default build-aarch64)
# ISAS="neon" (or "scalar") limits the kernel tables; bench/arm/estimate.py
# turns the rows into Cortex-A72/A76 latencies. About 30 CPU-minutes (the
# scalar inference is the slow part); prints one row per workload and table.
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${1:-build-aarch64}
ISAS=${ISAS:-neon scalar}
[ -f "$BUILD/seisinv" ] || { echo "count-insns: no $BUILD/seisinv (scripts/cross.sh aarch64)" >&2; exit 2; }
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
PLUGIN=$WORK/libqemu_insn_count.so
gcc -O2 -shared -fPIC -fvisibility=hidden -o "$PLUGIN" bench/arm/qemu_insn_count.c

count() { # OUT ISA ARGS...: the class counts of `seisinv ARGS` into OUT
  local out=$1 isa=$2
  shift 2
  SEISINV_ISA=$isa TMPDIR=$WORK qemu-aarch64 -L / -plugin "$PLUGIN,out=$out" "$BUILD/seisinv" "$@" \
    >/dev/null 2>"$WORK/err.txt" || { cat "$WORK/err.txt" >&2; exit 1; }
}
# Row: (B - A) x factor for every class.
row() { # NAME ISA FACTOR A B
  paste "$4" "$5" | awk -v name="$1" -v isa="$2" -v f="$3" \
    '{ v[NR] = ($4 - $2) * f; n[NR] = $1 }
     END { printf "%-10s %-7s", name, isa; for (i = 1; i <= NR; i++) printf " %s=%.4g", n[i], v[i]; print "" }'
}

qemu-aarch64 -L / "$BUILD/seisinv" model --type 3 --seed 1 --nz 100 --nx 100 -o "$WORK/m.npy" >/dev/null
# --peak: no peak measurement (it repeats until a time is reached, so its
# instruction count is not fixed).
for isa in $ISAS; do
  count "$WORK/b1" $isa bench -j 1 --runs 1 --warmup 0 --peak 100
  count "$WORK/b2" $isa bench -j 1 --runs 2 --warmup 0 --peak 100
  row inference $isa 1 "$WORK/b1" "$WORK/b2"
  count "$WORK/f1" $isa simulate --model "$WORK/m.npy" -o "$WORK/s.npy" --nt 100 --threads 1
  count "$WORK/f2" $isa simulate --model "$WORK/m.npy" -o "$WORK/s.npy" --nt 200 --threads 1
  row fd-survey $isa 10 "$WORK/f1" "$WORK/f2"
done
