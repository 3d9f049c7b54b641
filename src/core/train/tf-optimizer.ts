import * as tf from '@tensorflow/tfjs';
import type { StepOptimizer } from './trainer';

/**
 * Wraps one of tfjs's built-in optimizers as a StepOptimizer. Used by the first slice; the
 * project's own optimizers (src/core/train/optimizers) replace it.
 */
export function tfjsOptimizer(name: string, learningRate: number): StepOptimizer {
  const opt =
    name === 'sgd' ? tf.train.sgd(learningRate)
    : name === 'momentum' ? tf.train.momentum(learningRate, 0.9)
    : name === 'rmsprop' ? tf.train.rmsprop(learningRate)
    : tf.train.adam(learningRate);
  return {
    applyGradients(vars, grads) {
      opt.applyGradients(vars.map((v, i) => ({ name: v.name, tensor: grads[i] })));
    },
    dispose: () => opt.dispose(),
  };
}
