/**
 * Shared by the WGSL engine's tests: a Dawn device (SwiftShader without a GPU, see
 * vitest.config.ts), run configs, seeded batches and error measures against a reference.
 */
import { Rng } from '../../core/data/rng';
import type { Activation } from '../../core/train/model';
import type { OptimizerSpec } from '../../core/train/optimizer-spec';
import type { RunConfig } from '../../core/train/record';
import { DEFAULT_SETTINGS, makeRunConfig } from '../../core/train/run-config';
import { installDawn } from '../node-webgpu';
import { openEngineGpu, type EngineGpu } from './device';

/** A device for the engine; throws (the test fails) when Dawn finds no adapter. */
export async function testGpu(options: { allowF16?: boolean } = {}): Promise<EngineGpu> {
  if (!(await installDawn())) throw new Error('the npm package "webgpu" (Dawn) did not load');
  const gpu = await openEngineGpu(options);
  if ('reason' in gpu)
    throw new Error(
      `no WebGPU device for the engine tests: ${gpu.reason} (is Debian's chromium, with SwiftShader, installed?)`,
    );
  return gpu;
}

export function mlpConfig(o: {
  hidden: number[];
  activation?: Activation;
  optimizer?: OptimizerSpec;
  batchSize: number;
  precision?: RunConfig['precision'];
  seed?: number;
}): RunConfig {
  return makeRunConfig(
    {
      ...DEFAULT_SETTINGS,
      engine: 'wgsl',
      precision: o.precision ?? 'fp32',
      batchSize: o.batchSize,
      seed: o.seed ?? 7,
      model: { type: 'mlp', hidden: o.hidden, activation: o.activation ?? 'relu' },
      optimizer: o.optimizer ?? { name: 'sgd', learningRate: 0 },
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
  );
}

/** Seeded rows: x normal; y a class from a random projection (classes >= 2), 0/1, or a noisy linear target. */
export function seededRows(
  rows: number,
  dim: number,
  target: { classes: number } | 'binary' | 'regression',
  seed = 3,
): { x: Float32Array; y: Float32Array } {
  const rng = new Rng(seed);
  const x = Float32Array.from({ length: rows * dim }, () => rng.normal());
  const k = target === 'binary' || target === 'regression' ? 1 : target.classes;
  const proj = Float64Array.from({ length: dim * k }, () => rng.normal());
  const y = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    let best = 0;
    let bestV = -Infinity;
    for (let c = 0; c < k; c++) {
      let v = 0;
      for (let i = 0; i < dim; i++) v += x[r * dim + i] * proj[i * k + c];
      if (v > bestV) [best, bestV] = [c, v];
    }
    y[r] =
      target === 'binary'
        ? bestV > 0
          ? 1
          : 0
        : target === 'regression'
          ? bestV / Math.sqrt(dim) + 0.1 * rng.normal()
          : best;
  }
  return { x, y };
}

/** max |a - b| / max |b|: the error relative to the reference's scale. */
export function relError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < b.length; i++) {
    num = Math.max(num, Math.abs(a[i] - b[i]));
    den = Math.max(den, Math.abs(b[i]));
  }
  return den === 0 ? num : num / den;
}

/** Cosine similarity of two vectors (1 when both are zero). */
export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < b.length; i++) {
    ab += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  return aa === 0 && bb === 0 ? 1 : ab / Math.sqrt(aa * bb);
}
