import * as tf from '@tensorflow/tfjs';
import type { UpdateRule } from './types';

/**
 * Lion (Chen et al. 2023, "Symbolic Discovery of Optimization Algorithms", Program 1):
 * c = b1 m + (1 - b1) g; p -= lr * (sign(c) + wd * p); m = b2 m + (1 - b2) g.
 * sign(0) = 0. The paper pairs it with a learning rate 3-10x smaller than AdamW's.
 */
export function lionRule(beta1: number, beta2: number, weightDecay: number): UpdateRule {
  return {
    slots: ['m'],
    update(p, g, [m], ctx) {
      const c = tf.add(tf.mul(ctx.constant(beta1), m), tf.mul(ctx.constant(1 - beta1), g));
      let step: tf.Tensor = tf.sign(c);
      if (weightDecay !== 0) step = tf.add(step, tf.mul(ctx.constant(weightDecay), p));
      const m1 = tf.add(tf.mul(ctx.constant(beta2), m), tf.mul(ctx.constant(1 - beta2), g));
      return { param: tf.sub(p, tf.mul(ctx.lr, step)), slots: [m1] };
    },
  };
}
