/**
 * The wgsl engine's CSR kernels for pruned layers against its own dense products on the same
 * layer, in one Node process on Dawn (#17). Layer: 1024 x 1024 inside an MLP 1024-1024-1024-10,
 * batch 128. At 50, 90 and 99 % sparsity (random masks, seeded), the engine's mask update times
 * the layer's three products (forward, weight gradient at kept positions, input gradient)
 * dense and sparse; repeated `reps` times, medians and the ratio. Then whole training steps of
 * the same model with every pruned layer forced dense and forced sparse. Goal: sparse faster
 * from 90 %, at least 5x at 99 %; where it is slower the engine stays dense (its own choice).
 *
 *   npx tsx bench/sparse.ts [--json] [--reps N]
 *   (no GPU: LD_LIBRARY_PATH=/usr/lib/chromium VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json)
 */
import { openEngineGpu } from '../src/gpu/engine/device';
import { createWgslEngine, type WgslEngine } from '../src/gpu/engine/engine';
import { netLayout, netTensorSizes } from '../src/gpu/engine/net-layout';
import { Rng } from '../src/core/data/rng';
import { magnitudeMask } from '../src/core/compress/prune';
import { DEFAULT_SETTINGS, makeRunConfig } from '../src/core/train/run-config';
import type { RunConfig } from '../src/core/train/record';
import type { Batch } from '../src/core/train/engine';
import { benchArgs, machineLine } from './harness';
import { startWebGpu } from './trainer-workloads';

const { asJson, flag } = benchArgs();
const REPS = Math.max(1, Number(flag('--reps', '5')));
const STEPS = 6;
const log = (m: string) => process.stderr.write(`[sparse] ${m}\n`);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

const INPUTS = 1024;
const HIDDEN = [1024, 1024];
const CLASSES = 10;
const BATCH = 128;

const env = await startWebGpu(log);
if (!env) process.exit(1);
const gpu = await openEngineGpu();
if ('reason' in gpu) {
  log(gpu.reason);
  process.exit(1);
}

const config: RunConfig = {
  ...makeRunConfig(
    {
      ...DEFAULT_SETTINGS,
      engine: 'wgsl',
      batchSize: BATCH,
      model: { type: 'mlp', hidden: HIDDEN, activation: 'relu' },
      optimizer: { name: 'adam', learningRate: 0.001 },
    },
    {
      fingerprint: '',
      name: 'synthetic',
      rows: 0,
      label: 'y',
      features: [],
      dedup: 'none',
      split: { train: 1, val: 0, test: 0, seed: 1 },
    },
  ),
  // Masks come from the bench (setMasks), not from a schedule; the setting switches the engine's pruning on.
  pruning: { targetSparsity: 0.9, startStep: 0, endStep: 0, every: 1 },
};
const task = { task: 'classification' as const, dim: INPUTS, outputs: CLASSES };
const rng = new Rng(7);
const batch: Batch = {
  x: Float32Array.from({ length: BATCH * INPUTS }, () => rng.normal()),
  y: Float32Array.from({ length: BATCH }, () => rng.int(CLASSES)),
  size: BATCH,
  epoch: 0,
  index: 0,
  lastInEpoch: false,
};
const sizes = netTensorSizes(netLayout(config.model, INPUTS, CLASSES));
// Exactly round(sparsity * n) zeros per kernel (the smallest of random magnitudes), as pruning leaves them.
const masksAt = (sparsity: number) =>
  sizes.map((n, t) =>
    t % 2 === 0 && t < 4
      ? magnitudeMask(
          Float32Array.from({ length: n }, () => rng.normal()),
          sparsity,
        )
      : null,
  );

async function steps(engine: WgslEngine, n: number): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await engine.step(batch, false);
  await engine.drain();
  return (performance.now() - t0) / n;
}

interface Row {
  sparsity: number;
  denseMs: number;
  sparseMs: number;
  speedUp: number;
  autoChoice: string;
  stepDenseMs: number;
  stepSparseMs: number;
}
const rows: Row[] = [];
for (const sparsity of [0.5, 0.9, 0.99]) {
  const masks = masksAt(sparsity);
  // The layer products, timed by the engine's own mask update ('auto'), layer 1 (it has all three products).
  const auto = await createWgslEngine(config, task, gpu, { sparseKernels: 'auto' });
  await steps(auto, 2);
  const dense: number[] = [];
  const sparse: number[] = [];
  let choice = '';
  for (let r = 0; r < REPS; r++) {
    await auto.setMasks(masks);
    const rep = auto.sparseLayers().find((l) => l.layer === 1)!;
    dense.push(rep.denseMs!);
    sparse.push(rep.sparseMs!);
    choice = rep.sparse ? 'sparse' : 'dense';
  }
  auto.dispose();
  // Whole steps, each side forced, alternating.
  const forced = async (mode: 'always' | 'never') => {
    const e = await createWgslEngine(config, task, gpu, { sparseKernels: mode });
    await e.setMasks(masks);
    await steps(e, 2);
    return e;
  };
  const [never, always] = [await forced('never'), await forced('always')];
  const stepDense: number[] = [];
  const stepSparse: number[] = [];
  for (let r = 0; r < REPS; r++) {
    stepDense.push(await steps(never, STEPS));
    stepSparse.push(await steps(always, STEPS));
  }
  never.dispose();
  always.dispose();
  const row: Row = {
    sparsity,
    denseMs: median(dense),
    sparseMs: median(sparse),
    speedUp: median(dense) / median(sparse),
    autoChoice: choice,
    stepDenseMs: median(stepDense),
    stepSparseMs: median(stepSparse),
  };
  rows.push(row);
  log(`${sparsity}: ${JSON.stringify(row)}`);
}

const adapter = env.adapter ? `${env.adapter.vendor} ${env.adapter.architecture}` : 'unknown adapter';
if (asJson) {
  process.stdout.write(JSON.stringify({ machine: machineLine(), adapter, reps: REPS, rows }, null, 2) + '\n');
} else {
  const pct = (x: number) => `${(100 * x).toFixed(0)} %`.padStart(9);
  const ms = (x: number) => x.toFixed(2).padStart(11);
  process.stdout.write(
    [
      `sparse (CSR) against dense products, layer 1024x1024 of MLP 1024-1024-1024-10, batch ${BATCH}, ${REPS} reps, medians`,
      `${machineLine()} · ${adapter}`,
      `${'sparsity'.padStart(9)}${'dense ms'.padStart(11)}${'sparse ms'.padStart(11)}${'speed-up'.padStart(10)}${'auto'.padStart(8)}${'step dense'.padStart(12)}${'step sparse'.padStart(13)}${'step x'.padStart(8)}`,
      ...rows.map(
        (r) =>
          `${pct(r.sparsity)}${ms(r.denseMs)}${ms(r.sparseMs)}${`x${r.speedUp.toFixed(2)}`.padStart(10)}${r.autoChoice.padStart(8)}` +
          `${ms(r.stepDenseMs).padStart(12)}${ms(r.stepSparseMs).padStart(13)}${`x${(r.stepDenseMs / r.stepSparseMs).toFixed(2)}`.padStart(8)}`,
      ),
      'layer times: forward + weight gradient + input gradient of layer 1; steps: the whole training step, both pruned layers forced',
    ].join('\n') + '\n',
  );
}
gpu.device.destroy();
process.exit(0);
