#!/usr/bin/env bash
# One training stage on the GPU machine, run from the repository root there
# (see weights/README.md for the calls that made the shipped weights):
#   1. generates the SeisInv data with .devw/seisinv unless a warm machine
#      still has it (PER_PROC training + VAL_PER_PROC validation surveys per
#      core, one single-threaded `seisinv dataset` per core, seeds 1..ncores);
#   2. trains until END_S seconds after this script started (stage 1 from
#      scratch; stage 2 from stage 1's checkpoint on a warm machine, else from
#      the carried .devw/stage1.safetensors with a fresh optimiser);
#   3. leaves the weights split in 15 MiB parts, the log and history in $OUT.
#
#   weights/tools/device_train.sh STAGE LR [END_S]
set -euo pipefail
stage=$1 lr=$2 end_s=${3:-555}
t0=$(date +%s)
out=${OUT:-/tmp/wout}
mkdir -p "$out"
repo=$PWD
export LD_LIBRARY_PATH=$repo/.devw/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
export PYTHONUNBUFFERED=1 NCCL_NVLS_ENABLE=0 TORCH_SYMM_MEM_DISABLE_MULTICAST=1 \
    NVSHMEM_DISABLE_NVLS=1
bin=$repo/.devw/seisinv
ncpu=$(nproc)
ngpu=$(nvidia-smi -L | wc -l)
gpu=$(nvidia-smi --query-gpu=name --format=csv,noheader | head -1)
echo "stage $stage: $ngpu x $gpu, $ncpu cores; $("$bin" version | head -1)"
python3 -c 'import torch, safetensors; print("torch", torch.__version__, "safetensors", safetensors.__version__)'

# the data folder: where the most space is, remembered for the next stage
if [ -f /tmp/w.root ]; then root=$(cat /tmp/w.root); else
    root=$(for d in /tmp /root "$repo/.."; do echo "$(df -P "$d" | awk 'NR == 2 { print $4 }') $d"
    done | sort -n | tail -1 | cut -d' ' -f2)/w
    mkdir -p "$root" && echo "$root" >/tmp/w.root
fi
df -h "$root" | tail -1
per=${PER_PROC:-376} nval=${VAL_PER_PROC:-8}
if [ ! -f "$root/data/.done" ]; then
    weights/tools/gen_data.sh "$bin" "$root/data" "$ncpu" "$per" "$nval" | tee "$out/gen.log"
    touch "$root/data/.done"
else
    echo "data from the previous stage: $(ls -d "$root"/data/train-s*/ | wc -l) folders"
fi

init=() resume=()
if [ "$stage" != 1 ]; then
    if [ -f "$root/out/checkpoint.pt" ]; then
        init=(--init "$root/out/seisinvnet-seisinv.safetensors")
        resume=(--resume "$root/out/checkpoint.pt")
    else
        init=(--init "$repo/.devw/stage1.safetensors")
    fi
fi
budget=$((end_s - ($(date +%s) - t0) - 45)) # data load, last validation and save
echo "training budget ${budget} s"
if [ "$ngpu" -gt 1 ]; then
    launch=(torchrun --standalone --nproc_per_node="$ngpu")
else
    launch=(python3)
fi
hw="$ngpu x $gpu, $ncpu CPU cores; $(date -u +%Y-%m-%d)"
"${launch[@]}" weights/tools/train.py --train "$root/data/train-s*" --val "$root/data/val-s*" \
    --out "$root/out" --parts-dir "$out" --stage "$stage" --lr "$lr" --budget-s "$budget" \
    --hardware "$hw" "${init[@]}" "${resume[@]}" ${TRAIN_ARGS:-} 2>&1 | tee "$out/train-stage$stage.log"
echo "stage $stage finished after $(($(date +%s) - t0)) s"
