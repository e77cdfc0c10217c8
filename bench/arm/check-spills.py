#!/usr/bin/env python3
"""Stack traffic inside the loops of the NEON kernels (aarch64 objects).

For every function of kernels/*/*-neon.c.o in BUILD (default build-aarch64),
a loop is the span from a backward branch's target to the branch; any load
or store addressed off sp inside a loop is a spill (or a reload) on a path
that repeats. Prints one line per loop with its instruction count, FMAs and
stack accesses, for the innermost loops (those that hold no other loop); a
loop is marked when it touches the stack. It reports, it does not judge: a
marked loop matters only if it is hot (bench/RESULTS.md, ARM section).
  bench/arm/check-spills.py [BUILD_DIR]
"""
import glob, os, re, subprocess, sys

build = sys.argv[1] if len(sys.argv) > 1 else "build-aarch64"
objs = sorted(glob.glob(os.path.join(build, "CMakeFiles/seisinv_kernels.dir/kernels/*/*-neon.c.o")))
if not objs:
    sys.exit(f"check-spills: no NEON objects under {build} (scripts/cross.sh aarch64)")
insn_re = re.compile(r"^\s*([0-9a-f]+):\s+(\S+)\s*(.*)$")
func_re = re.compile(r"^[0-9a-f]+ <(.+)>:$")
stack_re = re.compile(r"\[sp(,|\])")
bad = 0
for obj in objs:
    out = subprocess.run(["aarch64-linux-gnu-objdump", "-d", "--no-show-raw-insn", obj],
                         check=True, capture_output=True, text=True).stdout
    funcs, cur = {}, None
    for line in out.splitlines():
        m = func_re.match(line)
        if m:
            cur = funcs.setdefault(m.group(1), [])
            continue
        m = insn_re.match(line)
        if m and cur is not None:
            cur.append((int(m.group(1), 16), m.group(2), m.group(3)))
    for name, insns in funcs.items():
        loops = []
        for addr, op, args in insns:
            if op.startswith("b") or op.startswith("cb") or op.startswith("tb"):
                t = re.search(r"\b([0-9a-f]+) <", args)
                if t and int(t.group(1), 16) <= addr and not op.startswith("bl"):
                    loops.append((int(t.group(1), 16), addr))
        for lo, hi in loops:
            body = [i for i in insns if lo <= i[0] <= hi]
            inner = not any(l2 != (lo, hi) and lo <= l2[0] and l2[1] <= hi for l2 in loops)
            stack = [i for i in body if stack_re.search(i[2]) and
                     (i[1].startswith("ld") or i[1].startswith("st"))]
            fma = sum(1 for i in body if i[1] in ("fmla", "fmls", "fmadd", "fmsub"))
            if not inner:
                continue
            flag = ""
            if stack:
                flag, bad = "  <-- stack", bad + 1
            print(f"{os.path.basename(obj):26s} {name:26s} {lo:6x} {len(body):4d} insns "
                  f"{fma:3d} fma {len(stack):2d} stack{flag}")
print(f"{bad} innermost loops touch the stack")
