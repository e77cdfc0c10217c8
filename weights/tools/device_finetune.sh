#!/usr/bin/env bash
# Fine-tunes the shipped weights in C (`seisinv train --init`) on the CPU cores
# of the device machine, for surveys recorded with a free surface (the shipped
# model was trained without one and is far off there). Run from the
# repository root there, with .devw/ from weights/tools/pack_device.sh carried:
#   weights/tools/device_finetune.sh [END_S]
# The first call generates the data (one single-threaded `seisinv dataset`
# per core, seeds 101..), scores the shipped weights on the test split,
# trains until END_S seconds after it started, stops with SIGINT (the run
# saves its checkpoint) and scores the weights reached. A later call on a
# warm machine resumes the run (`seisinv train --resume`) for another END_S.
set -euo pipefail
end_s=${1:-560}
t0=$(date +%s)
out=${OUT:-/tmp/ftout}
mkdir -p "$out"
repo=$PWD
export LD_LIBRARY_PATH=$repo/.devw/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
bin=$repo/.devw/seisinv
ncpu=$(nproc)
root=/tmp/ft
shipped=$repo/weights/seisinvnet-seisinv.safetensors
per=${PER_PROC:-100} ntest=${TEST_PER_PROC:-16} epochs=${EPOCHS:-3}
echo "$ncpu cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2)); $("$bin" version | head -1)"

gen() { # split seed count dir
    "$bin" dataset --count "$3" --seed "$2" --split "$1" --threads 1 --shard-size "$3" \
        --free-surface -o "$4" >"$4.log" 2>&1
}
if [ ! -f "$root/.done" ]; then
    rm -rf "$root" && mkdir -p "$root/gen" "$root/train" "$root/test"
    export -f gen
    export bin
    start=$(date +%s)
    {
        for p in $(seq 1 "$ncpu"); do
            echo "train $((100 + p)) $per $root/gen/train-$p"
            echo "test $((100 + p)) $ntest $root/gen/test-$p"
        done
        echo "val 100 64 $root/val"
    } | xargs -P "$ncpu" -L 1 bash -c 'gen "$@"' _
    for p in $(seq 1 "$ncpu"); do # one folder of shards data_K / model_K each
        for s in train test; do
            mv "$root/gen/$s-$p/data_0.npy" "$root/$s/data_$((p - 1)).npy"
            mv "$root/gen/$s-$p/model_0.npy" "$root/$s/model_$((p - 1)).npy"
        done
    done
    echo "data: $((ncpu * per)) train, 64 val, $((ncpu * ntest)) test surveys (free surface)" \
        "in $(($(date +%s) - start)) s"
    touch "$root/.done"
fi

if [ ! -f "$root/run/checkpoint.safetensors" ]; then
    echo "shipped weights on the free-surface test split:"
    "$bin" eval -w "$shipped" -d "$root/test" -j "$ncpu" 2>&1 | tail -1 | tee "$out/eval-shipped.txt"
    args=(--init "$shipped" --data "$root/train" --val "$root/val" -o "$root/run"
        --epochs "$epochs" --batch 12 --lr 5e-5 --loss l1 --save-every 25 -j "$ncpu")
else
    args=(--resume "$root/run" -j "$ncpu")
fi
budget=$((end_s - ($(date +%s) - t0) - 40)) # the last evaluation and packing
echo "seisinv train ${args[*]} (stopped after $budget s)"
rc=0
timeout --preserve-status -s INT "$budget" "$bin" train "${args[@]}" >>"$out/train.log" 2>&1 || rc=$?
tail -5 "$out/train.log"
echo "train exit code $rc"
echo "fine-tuned weights on the free-surface test split:"
"$bin" eval -w "$root/run/model.safetensors" -d "$root/test" -j "$ncpu" 2>&1 | tail -1 |
    tee "$out/eval-finetuned.txt"
cp "$root/run/loss.png" "$out/" 2>/dev/null || true
split -b 15M -d "$root/run/model.safetensors" "$out/model.safetensors.part"
echo "call finished after $(($(date +%s) - t0)) s"
