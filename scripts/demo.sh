#!/usr/bin/env bash
# Quick-start command 1: set up, build, and run the demo: generate a SeisInv
# velocity model, simulate its 20-shot survey, and draw both as PNG.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh build
mkdir -p out
SI=build/seisinv
$SI model --type 3 --seed 7 -o out/vel.npy --png out/vel.png
time $SI simulate --model out/vel.npy -o out/shots.npy --png out/shots.png
echo "demo: wrote out/vel.npy, out/vel.png, out/shots.npy, out/shots.png"
