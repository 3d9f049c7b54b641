import type * as tf from '@tensorflow/tfjs';
import { Rng } from '../../data/rng';
import { denseStack, modelScope } from './init';
import type { MlpSpec, Model } from './types';

/** Builds an MLP with Glorot-uniform weights from the seeded generator and zero biases. */
export function createMlp(spec: MlpSpec, inputs: number, outputs: number, seed: number): Model {
  const variables: tf.Variable[] = [];
  const dense = denseStack(new Rng(seed), [inputs, ...spec.hidden, outputs], `${modelScope()}dense`, variables);
  return finish(variables, (x) => dense(x, spec.activation));
}

/** Wraps variables and a forward pass into a Model. */
export function finish(variables: tf.Variable[], apply: (x: tf.Tensor2D) => tf.Tensor2D): Model {
  return {
    variables,
    parameterCount: variables.reduce((n, v) => n + v.size, 0),
    apply,
    dispose() {
      for (const v of variables) v.dispose();
    },
  };
}
