import * as tf from '@tensorflow/tfjs';
import type { StepContext, UpdateRule } from './types';

/** Gradient plus the coupled L2 term: g + wd * p (PyTorch `weight_decay`); g itself when wd = 0. */
export function withL2(grad: tf.Tensor, param: tf.Tensor, weightDecay: number, ctx: StepContext): tf.Tensor {
  return weightDecay === 0 ? grad : tf.add(grad, tf.mul(ctx.constant(weightDecay), param));
}

/** Plain SGD: p -= lr * g. */
export function sgdRule(weightDecay: number): UpdateRule {
  return {
    slots: [],
    update(p, g, _slots, ctx) {
      const grad = withL2(g, p, weightDecay, ctx);
      return { param: tf.sub(p, tf.mul(ctx.lr, grad)), slots: [] };
    },
  };
}

/**
 * Heavy-ball momentum, PyTorch convention (no dampening): v = mu * v + g; p -= lr * v.
 * With `nesterov`, PyTorch's Nesterov form (Sutskever et al. 2013): v = mu * v + g;
 * p -= lr * (g + mu * v).
 */
export function momentumRule(momentum: number, weightDecay: number, nesterov: boolean): UpdateRule {
  return {
    slots: ['velocity'],
    update(p, g, [v], ctx) {
      const grad = withL2(g, p, weightDecay, ctx);
      const mu = ctx.constant(momentum);
      const velocity = tf.add(tf.mul(mu, v), grad);
      const step = nesterov ? tf.add(grad, tf.mul(mu, velocity)) : velocity;
      return { param: tf.sub(p, tf.mul(ctx.lr, step)), slots: [velocity] };
    },
  };
}
