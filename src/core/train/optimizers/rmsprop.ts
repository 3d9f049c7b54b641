import * as tf from '@tensorflow/tfjs';
import { withL2 } from './sgd';
import type { UpdateRule } from './types';

/**
 * RMSProp (Hinton, lecture 6e), the PyTorch / Keras form with epsilon added after the square
 * root (TF1's `tf.train.RMSPropOptimizer` puts it inside): sq = rho * sq + (1 - rho) * g^2;
 * p -= lr * g / (sqrt(sq) + eps). Not centred, no momentum.
 */
export function rmspropRule(rho: number, epsilon: number, weightDecay: number): UpdateRule {
  return {
    slots: ['meanSquare'],
    update(p, g, [sq], ctx) {
      const grad = withL2(g, p, weightDecay, ctx);
      const meanSquare = tf.add(tf.mul(ctx.constant(rho), sq), tf.mul(ctx.constant(1 - rho), tf.square(grad)));
      const step = tf.div(grad, tf.add(tf.sqrt(meanSquare), ctx.constant(epsilon)));
      return { param: tf.sub(p, tf.mul(ctx.lr, step)), slots: [meanSquare] };
    },
  };
}
