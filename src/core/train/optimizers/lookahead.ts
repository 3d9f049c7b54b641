import * as tf from '@tensorflow/tfjs';
import type { LookaheadSpec, OptimizerSpec } from '../optimizer-spec';
import { checkPairs } from './rule-optimizer';
import type { TrainOptimizer } from './types';

/**
 * Lookahead (Zhang et al. 2019, Algorithm 1) around any inner optimizer. Slow weights start as
 * a copy of the parameters before the first update; after every `k` inner updates
 * slow += alpha * (fast - slow) and fast = slow. The inner optimizer's state is kept across
 * synchronisations (the paper's default "maintain" choice).
 */
export class LookaheadOptimizer implements TrainOptimizer {
  readonly spec: OptimizerSpec;
  private readonly inner: TrainOptimizer;
  private readonly k: number;
  private readonly alpha: number;
  private readonly slow = new Map<tf.Variable, tf.Variable>();
  private alphaScalar: tf.Scalar | null = null;

  /** Takes ownership of `inner`; `spec` is the full spec, lookahead included. */
  constructor(spec: OptimizerSpec, inner: TrainOptimizer, lookahead: LookaheadSpec) {
    this.spec = spec;
    this.inner = inner;
    this.k = lookahead.k;
    this.alpha = lookahead.alpha;
  }

  get step(): number {
    return this.inner.step;
  }

  applyGradients(vars: readonly tf.Variable[], grads: readonly tf.Tensor[]): void {
    checkPairs(vars, grads);
    // Slow weights and alpha are created at the first step, so the tensor count is flat after it.
    const slow = vars.map((v) => this.slowFor(v));
    const alpha = this.alphaTensor();
    this.inner.applyGradients(vars, grads);
    if (this.inner.step % this.k !== 0) return;
    tf.tidy(() => {
      vars.forEach((fast, i) => {
        const next = tf.add(slow[i], tf.mul(alpha, tf.sub(fast, slow[i])));
        slow[i].assign(next);
        fast.assign(next);
      });
    });
  }

  getLearningRate(): number {
    return this.inner.getLearningRate();
  }

  readGradNorm(): Promise<number | null> {
    return this.inner.readGradNorm();
  }

  stateTensors(): number {
    return this.inner.stateTensors() + this.slow.size + (this.alphaScalar === null ? 0 : 1);
  }

  dispose(): void {
    this.inner.dispose();
    for (const s of this.slow.values()) s.dispose();
    this.slow.clear();
    this.alphaScalar?.dispose();
    this.alphaScalar = null;
  }

  private slowFor(v: tf.Variable): tf.Variable {
    let s = this.slow.get(v);
    if (s === undefined) {
      s = tf.tidy(() => tf.variable(v.clone(), false));
      this.slow.set(v, s);
    }
    return s;
  }

  private alphaTensor(): tf.Scalar {
    if (this.alphaScalar === null) this.alphaScalar = tf.keep(tf.scalar(this.alpha));
    return this.alphaScalar;
  }
}
