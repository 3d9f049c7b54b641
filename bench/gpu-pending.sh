#!/usr/bin/env bash
# The real-GPU figures still to be taken, in one device call (docs/gpu.md; README, "trainer (GPU)").
# Here: npm run bench:gpu:bundle && ../shared/tools/gpu-pack
# On the GPU machine (carry .gpu and .bench-out): bash bench/gpu-pending.sh
#   prepare: the data-wait share of worker- and GPU-prepared batches (issue 14)
#   sparse:  the CSR kernels of a pruned 4096 x 4096 layer against its dense products (issue 17)
#   cnn:     the image workloads, now with the weight gradients' split along K among the tuner's candidates
#   mlp:     the MLP workloads (the dense weight gradients may split at batch 4096)
# Each part runs under its own time limit (PART_SECONDS, default 140), so a slow one cannot take
# the others' time; its JSON, log and exit status go to $OUT (or .bench-out/pending).
set -u
out=${OUT:-.bench-out/pending}
mkdir -p "$out"
limit=${PART_SECONDS:-140}
for part in ${PARTS:-prepare sparse cnn mlp}; do
  if [ "$part" = mlp ]; then flags=(--json); else flags=(--json "--only=$part"); fi
  start=$(date +%s)
  timeout "$limit" bash .gpu/run.sh .bench-out/gpu.mjs "${flags[@]}" > "$out/$part.json" 2> "$out/$part.log"
  echo "$part: exit $? in $(($(date +%s) - start)) s" | tee -a "$out/summary.txt"
done
