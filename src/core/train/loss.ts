import * as tf from '@tensorflow/tfjs';

export type Task = 'classification' | 'regression';

/**
 * Mean loss of a batch: softmax cross-entropy against class indices for classification,
 * mean squared error for regression. `y` holds one value per row.
 */
export function batchLoss(task: Task, out: tf.Tensor2D, y: tf.Tensor1D, classes: number): tf.Scalar {
  if (task === 'classification') {
    const labels = tf.oneHot(tf.cast(y, 'int32') as tf.Tensor1D, classes);
    return tf.losses.softmaxCrossEntropy(labels, out) as tf.Scalar;
  }
  return tf.mean(tf.square(tf.sub(tf.squeeze(out, [1]), y))) as tf.Scalar;
}

/** Sum of losses and number of correct predictions over a batch (for validation). */
export function evalBatch(task: Task, out: tf.Tensor2D, y: tf.Tensor1D, classes: number): { lossSum: tf.Scalar; correct: tf.Scalar | null } {
  const n = out.shape[0];
  const lossSum = tf.mul(batchLoss(task, out, y, classes), n) as tf.Scalar;
  if (task !== 'classification') return { lossSum, correct: null };
  const correct = tf.sum(tf.cast(tf.equal(tf.argMax(out, 1), tf.cast(y, 'int32')), 'float32')) as tf.Scalar;
  return { lossSum, correct };
}
