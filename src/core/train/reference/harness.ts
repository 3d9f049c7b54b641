import * as tf from '@tensorflow/tfjs';
import type { OptimizerSpec } from '../optimizer-spec';
import { createOptimizer } from '../optimizers';
import type { TrainOptimizer } from '../optimizers';
import { ReferenceOptimizer } from './optimizers';
import { makeProblem, problemGradient, SHAPES, type Problem } from './problem';

/** The float64 reference run: final parameters, the float32-rounded gradients it consumed, and the optimizer. */
export interface ReferenceRun {
  params: Float64Array[];
  grads: Float64Array[][];
  rates: number[];
  ref: ReferenceOptimizer;
}

/**
 * Runs the reference optimizer on the problem for `steps` updates in float64. Each gradient is
 * computed analytically at the reference's own parameters and rounded to float32 before use,
 * so the tfjs side can be fed exactly the same values.
 */
export function runReference(spec: OptimizerSpec, steps: number, pb: Problem = makeProblem()): ReferenceRun {
  const params = pb.init.map((p) => Float64Array.from(p));
  const ref = new ReferenceOptimizer(spec);
  const grads: Float64Array[][] = [];
  const rates: number[] = [];
  for (let t = 0; t < steps; t++) {
    const g = problemGradient(pb, params).map((a) => a.map(Math.fround));
    grads.push(g);
    ref.step(params, g);
    rates.push(ref.lastRate);
  }
  return { params, grads, rates, ref };
}

/** tfjs variables holding the problem's starting parameters. */
export function makeVariables(pb: Problem = makeProblem()): tf.Variable[] {
  return pb.init.map((p, i) => tf.tidy(() => tf.variable(tf.tensor(Float32Array.from(p), [...SHAPES[i]]), true)));
}

/** Reads variables back as float64 arrays (asynchronously). */
export async function readVariables(vars: readonly tf.Variable[]): Promise<Float64Array[]> {
  return Promise.all(vars.map(async (v) => Float64Array.from(await v.data())));
}

/** Feeds a recorded gradient sequence to a fresh tfjs optimizer; returns parameters and per-step rates. */
export async function runTfOnGradients(
  spec: OptimizerSpec,
  grads: readonly Float64Array[][],
  pb: Problem = makeProblem(),
): Promise<{ params: Float64Array[]; rates: number[]; optimizer: TrainOptimizer }> {
  const vars = makeVariables(pb);
  const opt = createOptimizer(spec);
  const rates: number[] = [];
  for (const g of grads) {
    const gt = g.map((a, i) => tf.tensor(Float32Array.from(a), [...SHAPES[i]]));
    opt.applyGradients(vars, gt);
    gt.forEach((t) => t.dispose());
    rates.push(opt.getLearningRate());
  }
  const params = await readVariables(vars);
  vars.forEach((v) => v.dispose());
  return { params, rates, optimizer: opt };
}

/** The problem's loss as a tfjs function of the variables (W, b, Q, s), for closed-loop runs. */
export function tfLoss(pb: Problem, vars: readonly tf.Variable[]): { loss: () => tf.Scalar; dispose: () => void } {
  const x = tf.tensor2d(Float32Array.from(pb.x), [pb.n, 4]);
  const y = tf.tensor2d(Float32Array.from(pb.y), [pb.n, 3]);
  const a = tf.tensor(Float32Array.from(pb.a), [2, 2, 2]);
  const c = tf.tensor(Float32Array.from(pb.c), [2, 2, 2]);
  const [w, b, q, s] = vars;
  const loss = () => {
    const r = tf.sub(tf.add(tf.matMul(x, w), b), y);
    const ls = tf.div(tf.sum(tf.square(r)), 2 * pb.n);
    const lq = tf.mul(0.5, tf.sum(tf.mul(a, tf.square(tf.sub(q, c)))));
    const l1 = tf.mul(0.5 * pb.aS, tf.square(tf.sub(s, pb.cS)));
    return tf.addN([ls, lq, l1]) as tf.Scalar;
  };
  return { loss, dispose: () => [x, y, a, c].forEach((t) => t.dispose()) };
}

/** Largest element-wise relative error |got - want| / |want| over all tensors. */
export function maxRelError(got: readonly Float64Array[], want: readonly Float64Array[]): number {
  let worst = 0;
  got.forEach((g, j) => {
    for (let i = 0; i < g.length; i++) worst = Math.max(worst, Math.abs(g[i] - want[j][i]) / Math.abs(want[j][i]));
  });
  return worst;
}
