import type * as tf from '@tensorflow/tfjs';
import type { OptimizerSpec } from '../optimizer-spec';

/**
 * An optimizer as the training loop sees it. The caller keeps ownership of the gradients it
 * passes in (dispose them after the step); the optimizer owns its slot variables until
 * {@link TrainOptimizer.dispose}. Pass the same variables, in the same order, every step.
 */
export interface TrainOptimizer {
  /** The validated spec, with every default written out. */
  readonly spec: OptimizerSpec;
  /** Updates taken so far. */
  readonly step: number;
  /** One update: grads[i] is the gradient of the loss with respect to vars[i]. */
  applyGradients(vars: readonly tf.Variable[], grads: readonly tf.Tensor[]): void;
  /** Rate used by the latest update (after the schedule); before the first update, the rate it will use. */
  getLearningRate(): number;
  /**
   * Global gradient norm before clipping at the latest update, read asynchronously; null when clipping is off or before
   * any step.
   */
  readGradNorm(): Promise<number | null>;
  /** Tensors the optimizer holds (slots, slow weights, cached constants), for leak accounting. */
  stateTensors(): number;
  /** Frees every tensor the optimizer holds; the variables it updated are left alone. */
  dispose(): void;
}

/** What an update rule sees during one step (inside a `tf.tidy`). */
export interface StepContext {
  /** Learning rate of this step, after the schedule. */
  lr: tf.Scalar;
  /** 1-based update count (t in Kingma & Ba), for bias correction. */
  t: number;
  /** A float32 scalar for a constant hyperparameter, created once and cached by the optimizer. */
  constant(x: number): tf.Scalar;
}

/** New values for one parameter and its slots, in the order of {@link UpdateRule.slots}. */
export interface RuleResult {
  param: tf.Tensor;
  slots: tf.Tensor[];
}

/**
 * The per-parameter update of one optimizer, as pure tensor math: it must not assign or
 * dispose anything; the caller assigns the results after every parameter has been computed.
 */
export interface UpdateRule {
  /** Names of the per-parameter slots, each initialised to zeros shaped like the parameter. */
  readonly slots: readonly string[];
  update(param: tf.Tensor, grad: tf.Tensor, slots: readonly tf.Tensor[], ctx: StepContext): RuleResult;
}
