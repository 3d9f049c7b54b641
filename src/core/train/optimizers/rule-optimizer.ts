import * as tf from '@tensorflow/tfjs';
import { clipByGlobalNorm, readScalar } from '../clip';
import type { OptimizerSpec } from '../optimizer-spec';
import { learningRateAt } from '../schedules';
import type { StepContext, TrainOptimizer, UpdateRule } from './types';

/** Throws unless vars and grads pair up one to one with equal shapes and float32 values. */
export function checkPairs(vars: readonly tf.Variable[], grads: readonly tf.Tensor[]): void {
  if (vars.length !== grads.length)
    throw new RangeError(`applyGradients: ${vars.length} variables but ${grads.length} gradients`);
  vars.forEach((v, i) => {
    const g = grads[i];
    if (v.dtype !== 'float32')
      throw new TypeError(`applyGradients: variable ${v.name} is ${v.dtype}, expected float32`);
    if (v.shape.length !== g.shape.length || v.shape.some((d, j) => d !== g.shape[j])) {
      throw new RangeError(
        `applyGradients: gradient ${i} has shape [${g.shape.join(', ')}], variable ${v.name} has ` +
          `[${v.shape.join(', ')}]`,
      );
    }
  });
}

/**
 * Runs an {@link UpdateRule}: keeps the step counter, the schedule, the optional clipping by
 * global norm and the slot variables. Each step is one `tf.tidy`; new values for every
 * parameter and slot are computed first and then written with `assign`.
 */
export class RuleOptimizer implements TrainOptimizer {
  readonly spec: OptimizerSpec;
  private readonly rule: UpdateRule;
  private readonly slots = new Map<tf.Variable, tf.Variable[]>();
  private readonly constants = new Map<number, tf.Scalar>();
  private gradNorm: tf.Scalar | null = null;
  private steps = 0;
  private lastRate: number;
  private disposed = false;

  /** `spec` must already be validated (see `createOptimizer`). */
  constructor(spec: OptimizerSpec, rule: UpdateRule) {
    this.spec = spec;
    this.rule = rule;
    this.lastRate = learningRateAt(spec.learningRate, spec.schedule, 0);
  }

  get step(): number {
    return this.steps;
  }

  applyGradients(vars: readonly tf.Variable[], grads: readonly tf.Tensor[]): void {
    if (this.disposed) throw new Error('applyGradients: optimizer was disposed');
    checkPairs(vars, grads);
    const rate = learningRateAt(this.spec.learningRate, this.spec.schedule, this.steps);
    const slotLists = vars.map((v) => this.slotsFor(v));
    const clipNorm = this.spec.clipNorm ?? null;
    tf.tidy(() => {
      let gs: readonly tf.Tensor[] = grads;
      if (clipNorm !== null) {
        const clipped = clipByGlobalNorm(grads, clipNorm);
        gs = clipped.grads;
        this.gradNorm?.dispose();
        this.gradNorm = tf.keep(clipped.norm);
      }
      const ctx: StepContext = { lr: tf.scalar(rate), t: this.steps + 1, constant: (x) => this.constant(x) };
      const results = vars.map((v, i) => this.rule.update(v, gs[i], slotLists[i], ctx));
      results.forEach((r, i) => {
        vars[i].assign(r.param);
        r.slots.forEach((s, j) => slotLists[i][j].assign(s));
      });
    });
    this.steps += 1;
    this.lastRate = rate;
  }

  getLearningRate(): number {
    return this.lastRate;
  }

  async readGradNorm(): Promise<number | null> {
    if (this.gradNorm === null) return null;
    // A clone holds the data even if the next step disposes gradNorm while the read is pending.
    const held = this.gradNorm.clone();
    try {
      return await readScalar(held);
    } finally {
      held.dispose();
    }
  }

  stateTensors(): number {
    let n = this.constants.size + (this.gradNorm === null ? 0 : 1);
    for (const list of this.slots.values()) n += list.length;
    return n;
  }

  dispose(): void {
    for (const list of this.slots.values()) list.forEach((s) => s.dispose());
    for (const c of this.constants.values()) c.dispose();
    this.gradNorm?.dispose();
    this.slots.clear();
    this.constants.clear();
    this.gradNorm = null;
    this.disposed = true;
  }

  private slotsFor(v: tf.Variable): tf.Variable[] {
    let list = this.slots.get(v);
    if (list === undefined) {
      list = this.rule.slots.map(() => tf.tidy(() => tf.variable(tf.zerosLike(v), false)));
      this.slots.set(v, list);
    }
    return list;
  }

  private constant(x: number): tf.Scalar {
    let c = this.constants.get(x);
    if (c === undefined) {
      c = tf.keep(tf.scalar(x));
      this.constants.set(x, c);
    }
    return c;
  }
}
