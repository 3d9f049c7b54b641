/**
 * The sparse-kernel measurement (bench/sparse.ts here on Dawn, bench/gpu.ts --only=sparse on a
 * GPU machine): a square layer inside an MLP inputs-width-width-10, pruned by random magnitudes
 * to each sparsity; the engine's own mask update times the layer's three products dense and
 * sparse (`reps` times, medians), then whole training steps with both pruned layers forced
 * dense and forced sparse, alternating.
 */
import { magnitudeMask } from '../src/core/compress/prune';
import { Rng } from '../src/core/data/rng';
import type { Batch } from '../src/core/train/engine';
import type { RunConfig } from '../src/core/train/record';
import type { EngineGpu } from '../src/gpu/engine/device';
import { createWgslEngine, type WgslEngine } from '../src/gpu/engine/engine';
import { netLayout, netTensorSizes } from '../src/gpu/engine/net-layout';
import { mlpConfig } from '../src/gpu/engine/test-support';

export interface SparseRow {
  inputs: number;
  width: number;
  batch: number;
  sparsity: number;
  denseMs: number;
  sparseMs: number;
  speedUp: number;
  autoChoice: string;
  stepDenseMs: number;
  stepSparseMs: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

export async function measureSparse(
  gpu: EngineGpu,
  o: { inputs?: number; width: number; batch: number; reps: number; steps: number; sparsities: number[] },
  log: (m: string) => void,
): Promise<SparseRow[]> {
  // The input layer may be narrower than the square one: at width 4096 an MLP 4096-4096-4096-10
  // has 33.6 M parameters, past the engine's optimizer dispatch (33 M); 1024-4096-4096-10 has 21 M.
  const INPUTS = o.inputs ?? o.width;
  const HIDDEN = [o.width, o.width];
  const CLASSES = 10;
  const BATCH = o.batch;
  const REPS = o.reps;
  const STEPS = o.steps;
  const config: RunConfig = {
    ...mlpConfig({ hidden: HIDDEN, batchSize: BATCH, optimizer: { name: 'adam', learningRate: 0.001 } }),
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

  const rows: SparseRow[] = [];
  for (const sparsity of o.sparsities) {
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
    const row: SparseRow = {
      inputs: INPUTS,
      width: o.width,
      batch: BATCH,
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

  return rows;
}

/** The rows as a table, with the machine and adapter line given. */
export function sparseTable(rows: SparseRow[], reps: number, machine: string): string {
  const pct = (x: number) => `${(100 * x).toFixed(0)} %`.padStart(9);
  const ms = (x: number) => x.toFixed(2).padStart(11);
  const r0 = rows[0];
  return [
    `sparse (CSR) against dense products, layer ${r0?.width}x${r0?.width} of MLP ${r0?.inputs}-${r0?.width}-${r0?.width}-10, batch ${r0?.batch}, ${reps} reps, medians`,
    machine,
    `${'sparsity'.padStart(9)}${'dense ms'.padStart(11)}${'sparse ms'.padStart(11)}${'speed-up'.padStart(10)}${'auto'.padStart(8)}${'step dense'.padStart(12)}${'step sparse'.padStart(13)}${'step x'.padStart(8)}`,
    ...rows.map(
      (r) =>
        `${pct(r.sparsity)}${ms(r.denseMs)}${ms(r.sparseMs)}${`x${r.speedUp.toFixed(2)}`.padStart(10)}${r.autoChoice.padStart(8)}` +
        `${ms(r.stepDenseMs).padStart(12)}${ms(r.stepSparseMs).padStart(13)}${`x${(r.stepDenseMs / r.stepSparseMs).toFixed(2)}`.padStart(8)}`,
    ),
    'layer times: forward + weight gradient + input gradient of layer 1; steps: the whole training step, both pruned layers forced',
  ].join('\n');
}
