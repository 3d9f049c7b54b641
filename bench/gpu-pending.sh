#!/usr/bin/env bash
# The real-GPU figures still to be taken, in one device call (docs/gpu.md; README, "trainer (GPU)").
# Here: npm run bench:gpu:bundle && ../shared/tools/gpu-pack
# On the GPU machine (carry .gpu and .bench-out): bash bench/gpu-pending.sh
#   prepare: the data-wait share of worker- and GPU-prepared batches (issue 14)
#   sparse:  the CSR kernels of a pruned 4096 x 4096 layer against its dense products (issue 17)
#   cnn:     the image workloads, now with the weight gradients' split along K among the tuner's candidates
#   mlp:     the matmuls and MLP workloads (the dense weight gradients may split at batch 4096)
# Each part runs under its own time limit (PART_SECONDS, default 140; PART_SECONDS_<part> for one
# part), so a slow one cannot take the others' time; REPS (default 3) timed runs per case, to fit a
# 15-minute lease (the 32x32x3 CNN took 193 s at 5 reps on 2026-12-01, mostly tfjs's own runs).
# Its JSON, log and exit status go to $OUT (or .bench-out/pending); a part cut short still leaves
# each rep's line in its log.
set -u
out=${OUT:-.bench-out/pending}
mkdir -p "$out"
limit=${PART_SECONDS:-140}
for part in ${PARTS:-prepare cnn sparse mlp}; do
  flags=(--json "--only=$part" "--reps=${REPS:-3}")
  var=PART_SECONDS_$part
  start=$(date +%s)
  timeout "${!var:-$limit}" bash .gpu/run.sh .bench-out/gpu.mjs "${flags[@]}" > "$out/$part.json" 2> "$out/$part.log"
  echo "$part: exit $? in $(($(date +%s) - start)) s" | tee -a "$out/summary.txt"
done
