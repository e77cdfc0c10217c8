#!/usr/bin/env bash
# Quick-start command 1: set up, build, and run the demo: generate a SeisInv
# velocity model, simulate its 20-shot survey (the 32 receivers SeisInvNet
# takes), invert it with the shipped weights, print the metrics against the
# true model, and draw the model, the shot gathers and the inversion as PNG.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh build
mkdir -p out
SI=build/seisinv
WEIGHTS=weights/seisinvnet-seisinv.safetensors
$SI model --type 3 --seed 7 -o out/vel.npy --png out/vel.png
$SI simulate --model out/vel.npy --receivers 32 -o out/shots.npy --png out/shots.png
$SI invert --weights "$WEIGHTS" out/shots.npy -o out/inverted.npy --png out/inverted.png \
  --truth out/vel.npy
echo "demo: wrote out/vel.png (true model), out/shots.png (gathers), out/inverted.png (SeisInvNet)"
