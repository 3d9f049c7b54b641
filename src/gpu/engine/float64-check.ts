/**
 * One step of the WGSL engine against the float64 reference (src/core/train/reference/mlp.ts):
 * a zero learning rate, then the loss, every layer's activations, and every weight and bias
 * gradient read back and compared. Shared by kernels.test.ts (SwiftShader, lavapipe) and
 * bench/gpu.ts (a real GPU, where the native float16 path meets a vendor's rounding), so both
 * check the same thing with the same tolerances.
 */
import { lossFor, lossOutputs } from '../../core/train/loss';
import type { Activation } from '../../core/train/model';
import { mlpReference } from '../../core/train/reference/mlp';
import type { EngineGpu } from './device';
import { createWgslEngine } from './engine';
import { layerValues } from './layout';
import { cosine, mlpConfig, relError, seededRows } from './test-support';

export interface CheckCase {
  name: string;
  dim: number;
  hidden: number[];
  target: { classes: number } | 'binary' | 'regression';
  activation: Activation;
  rows: number;
  batch: number;
}

/** Seeded shapes that are not multiples of the tiles, the vec4 padding or the loss kernel's 64 rows. */
export const CHECK_CASES: CheckCase[] = [
  {
    name: '5-7-3 relu softmax, 13 rows',
    dim: 5,
    hidden: [7],
    target: { classes: 3 },
    activation: 'relu',
    rows: 13,
    batch: 16,
  },
  {
    name: '33-70-65-1 tanh binary, 130 rows',
    dim: 33,
    hidden: [70, 65],
    target: 'binary',
    activation: 'tanh',
    rows: 130,
    batch: 130,
  },
  {
    name: '6-9-1 sigmoid mse, 1 row',
    dim: 6,
    hidden: [9],
    target: 'regression',
    activation: 'sigmoid',
    rows: 1,
    batch: 4,
  },
  {
    name: '784-40-10 relu softmax, short batch of 70',
    dim: 784,
    hidden: [40],
    target: { classes: 10 },
    activation: 'relu',
    rows: 70,
    batch: 96,
  },
  {
    name: '17-129 linear softmax, 200 rows',
    dim: 17,
    hidden: [],
    target: { classes: 129 },
    activation: 'relu',
    rows: 200,
    batch: 200,
  },
];

export interface CheckFormat {
  label: string;
  precision: 'fp32' | 'fp16-mixed';
  f16Path?: 'native' | 'packed';
  /** Largest relative error allowed (f32 1e-4; the float16 paths 1e-2). */
  tol: number;
  /** Smallest cosine similarity allowed. */
  cos: number;
}

export const CHECK_FORMATS: Record<'f32' | 'packed' | 'native', CheckFormat> = {
  f32: { label: 'fp32', precision: 'fp32', tol: 1e-4, cos: 1 - 1e-7 },
  packed: { label: 'fp16 packed', precision: 'fp16-mixed', f16Path: 'packed', tol: 1e-2, cos: 0.999 },
  native: { label: 'fp16 native', precision: 'fp16-mixed', f16Path: 'native', tol: 1e-2, cos: 0.999 },
};

/** One compared quantity: its relative error and cosine similarity to float64. */
export interface Measure {
  what: string;
  rel: number;
  cos: number;
}

export interface CheckResult {
  /** The storage format the engine chose (must equal the one asked for). */
  format: string;
  measures: Measure[];
  /** Padding columns of the gradient layout that are not exactly zero. */
  dirtyPadding: number;
}

/** Runs one case in one format and measures every quantity against float64. */
export async function checkOneStep(gpu: EngineGpu, c: CheckCase, f: CheckFormat): Promise<CheckResult> {
  const task = {
    task: c.target === 'regression' ? ('regression' as const) : ('classification' as const),
    dim: c.dim,
    outputs: c.target === 'binary' ? 2 : c.target === 'regression' ? 1 : c.target.classes,
  };
  const config = mlpConfig({ hidden: c.hidden, activation: c.activation, batchSize: c.batch, precision: f.precision });
  const engine = await createWgslEngine(config, task, gpu, { f16Path: f.f16Path });
  try {
    const { x, y } = seededRows(c.rows, c.dim, c.target);
    const flat = await engine.readParameters();
    const L = engine.layout.layers.length;
    const weights = engine.layout.layers.map((_, l) => layerValues(engine.layout, flat, l));
    const loss = lossFor(task.task, task.outputs);
    const ref = mlpReference(engine.layout.widths, weights, c.activation, loss, x, y, c.rows);
    if (engine.layout.widths[L] !== lossOutputs(loss, task.outputs))
      throw new Error(`output width ${engine.layout.widths[L]} is not the loss's ${lossOutputs(loss, task.outputs)}`);

    await engine.step({ x, y, size: c.rows, epoch: 0, index: 0, lastInEpoch: true }, false);
    const { losses } = await engine.drain();
    const measures: Measure[] = [
      { what: 'loss', rel: Math.abs(losses[0] - ref.loss) / Math.max(1e-6, Math.abs(ref.loss)), cos: 1 },
    ];
    for (let l = 1; l <= L; l++) {
      const acts = await engine.readActivations('acts', l, c.rows);
      measures.push({
        what: l === L ? 'logits' : `layer ${l} activations`,
        rel: relError(acts, ref.outputs[l - 1]),
        cos: l === L ? cosine(acts, ref.outputs[l - 1]) : 1,
      });
    }
    const grads = new Float32Array(await engine.readBytes(engine.gpuBuffers.grads, 0, 4 * engine.layout.P));
    const scale = (await engine.mixedPrecision())?.lossScale ?? 1;
    for (let l = 0; l < L; l++) {
      const g = layerValues(engine.layout, grads, l);
      const gw = g.w.map((v) => v / scale);
      const gb = g.b.map((v) => v / scale);
      measures.push({
        what: `layer ${l} weight gradients`,
        rel: relError(gw, ref.gradW[l]),
        cos: cosine(gw, ref.gradW[l]),
      });
      measures.push({
        what: `layer ${l} bias gradients`,
        rel: relError(gb, ref.gradB[l]),
        cos: cosine(gb, ref.gradB[l]),
      });
    }
    let dirtyPadding = 0;
    for (const ly of engine.layout.layers) {
      for (let k = 0; k <= ly.K; k++)
        for (let n = ly.N; n < ly.stride; n++) if (grads[ly.wOff + k * ly.stride + n] !== 0) dirtyPadding++;
    }
    return { format: engine.format, measures, dirtyPadding };
  } finally {
    engine.dispose();
  }
}

/** The worst relative error and cosine of a result, and whether it is within the format's tolerances. */
export function verdict(r: CheckResult, f: CheckFormat): { maxRel: number; minCos: number; pass: boolean } {
  const maxRel = Math.max(...r.measures.map((m) => m.rel));
  const minCos = Math.min(...r.measures.map((m) => m.cos));
  const wanted = f.f16Path ?? 'f32';
  return { maxRel, minCos, pass: r.format === wanted && maxRel < f.tol && minCos > f.cos && r.dirtyPadding === 0 };
}
