#!/usr/bin/env bash
# Generates the SeisInv training and validation data with `seisinv dataset`,
# one single-threaded process per core: a survey's 20 shots do not split
# evenly over 16 or 32 threads, independent processes keep every core busy.
# Process p writes OUT/train-sP (seed P, split train) and OUT/val-sP (seed P,
# split val); survey i of each is a pure function of (P, split, i), so the
# union is reproducible from these arguments alone.
#
#   gen_data.sh SEISINV_BIN OUT NPROC TRAIN_PER_PROC VAL_PER_PROC
#
# Types I-IV cycle with the index, so a multiple of 4 per process gives
# equal counts of each type.
set -euo pipefail
bin=$1 out=$2 nproc=$3 ntrain=$4 nval=$5
mkdir -p "$out"
one() { # seed split count
    "$bin" dataset --count "$3" --seed "$1" --split "$2" --threads 1 \
        --shard-size "$3" -o "$out/$2-s$1" >"$out/$2-s$1.log" 2>&1
}
export -f one
export bin out
start=$(date +%s)
{
    for p in $(seq 1 "$nproc"); do echo "$p train $ntrain"; done
    if [ "$nval" -gt 0 ]; then
        for p in $(seq 1 "$nproc"); do echo "$p val $nval"; done
    fi
} | xargs -P "$nproc" -L 1 bash -c 'one "$@"' _
echo "gen_data: $nproc x ($ntrain train + $nval val) surveys in $(($(date +%s) - start)) s"
