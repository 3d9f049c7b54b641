import * as tf from '@tensorflow/tfjs';
import { withL2 } from './sgd';
import type { UpdateRule } from './types';

/**
 * Adam (Kingma & Ba 2015, Algorithm 1) and AdamW (Loshchilov & Hutter 2019, Algorithm 2):
 * m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2; mhat = m / (1 - b1^t); vhat = v / (1 - b2^t).
 * Adam: p -= lr * mhat / (sqrt(vhat) + eps), with g += wd * p when weightDecay > 0 (L2).
 * AdamW (`decoupled`): p -= lr * (mhat / (sqrt(vhat) + eps) + wd * p), the decay kept out of
 * the moments; as in PyTorch, lr (schedule included) also scales the decay.
 */
export function adamRule(
  beta1: number,
  beta2: number,
  epsilon: number,
  weightDecay: number,
  decoupled: boolean,
): UpdateRule {
  return {
    slots: ['m', 'v'],
    update(p, g, [m, v], ctx) {
      const grad = decoupled ? g : withL2(g, p, weightDecay, ctx);
      const m1 = tf.add(tf.mul(ctx.constant(beta1), m), tf.mul(ctx.constant(1 - beta1), grad));
      const v1 = tf.add(tf.mul(ctx.constant(beta2), v), tf.mul(ctx.constant(1 - beta2), tf.square(grad)));
      const mHat = tf.div(m1, tf.scalar(1 - Math.pow(beta1, ctx.t)));
      const vHat = tf.div(v1, tf.scalar(1 - Math.pow(beta2, ctx.t)));
      let step = tf.div(mHat, tf.add(tf.sqrt(vHat), ctx.constant(epsilon)));
      if (decoupled && weightDecay !== 0) step = tf.add(step, tf.mul(ctx.constant(weightDecay), p));
      return { param: tf.sub(p, tf.mul(ctx.lr, step)), slots: [m1, v1] };
    },
  };
}
