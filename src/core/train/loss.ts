import * as tf from '@tensorflow/tfjs';

export type Task = 'classification' | 'regression';

/**
 * The loss, which follows from the label's type:
 * - `softmax-ce`: a categorical label with three or more classes; one logit per class.
 * - `binary-ce`: a boolean label, or a categorical one with exactly two values; ONE logit
 *   (the log-odds of class index 1, i.e. `true` or the second value seen), sigmoid inside
 *   the loss. Half the output weights of a two-way softmax, and the same optimum.
 * - `mse`: a numeric label (standardised by the encoder); one output.
 */
export type LossKind = 'softmax-ce' | 'binary-ce' | 'mse';

/** Picks the loss for a task with `classes` classes (ignored for regression). */
export function lossFor(task: Task, classes: number): LossKind {
  if (task === 'regression') return 'mse';
  return classes === 2 ? 'binary-ce' : 'softmax-ce';
}

/** Width of the model's output layer for a loss. */
export function lossOutputs(kind: LossKind, classes: number): number {
  return kind === 'softmax-ce' ? classes : 1;
}

/** Per-row losses, shape [batch]. `y` holds one value per row: a class index or a target. */
function rowLosses(kind: LossKind, out: tf.Tensor2D, y: tf.Tensor1D): tf.Tensor1D {
  if (kind === 'softmax-ce') {
    const labels = tf.oneHot(tf.cast(y, 'int32') as tf.Tensor1D, out.shape[1]);
    // log-softmax through logSumExp: stable for large logits.
    return tf.sub(tf.logSumExp(out, 1), tf.sum(tf.mul(labels, out), 1)) as tf.Tensor1D;
  }
  const z = tf.squeeze(out, [1]) as tf.Tensor1D;
  if (kind === 'binary-ce') {
    // max(z, 0) - z*y + log(1 + exp(-|z|)): the stable form of -y log s(z) - (1-y) log(1-s(z)).
    return tf.add(tf.sub(tf.relu(z), tf.mul(z, y)), tf.log1p(tf.exp(tf.neg(tf.abs(z))))) as tf.Tensor1D;
  }
  return tf.square(tf.sub(z, y)) as tf.Tensor1D;
}

/** Mean loss of a batch. */
export function batchLoss(kind: LossKind, out: tf.Tensor2D, y: tf.Tensor1D): tf.Scalar {
  return tf.mean(rowLosses(kind, out, y)) as tf.Scalar;
}

/** Sum of losses and number of correct predictions over a batch (for validation). */
export function evalBatch(
  kind: LossKind,
  out: tf.Tensor2D,
  y: tf.Tensor1D,
): { lossSum: tf.Scalar; correct: tf.Scalar | null } {
  const lossSum = tf.sum(rowLosses(kind, out, y)) as tf.Scalar;
  if (kind === 'mse') return { lossSum, correct: null };
  const predicted = kind === 'softmax-ce' ? tf.argMax(out, 1) : tf.cast(tf.greater(tf.squeeze(out, [1]), 0), 'int32');
  const correct = tf.sum(tf.cast(tf.equal(predicted, tf.cast(y, 'int32')), 'float32')) as tf.Scalar;
  return { lossSum, correct };
}
