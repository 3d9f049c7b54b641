import type * as tf from '@tensorflow/tfjs';
import { Rng } from '../../data/rng';
import { denseStack, modelScope } from './init';
import { layerInputs, type MlpSpec, type Model } from './types';

/** Builds an MLP with Glorot-uniform weights from the seeded generator and zero biases. */
export function createMlp(spec: MlpSpec, inputs: number, outputs: number, seed: number): Model {
  const variables: tf.Variable[] = [];
  const dense = denseStack(new Rng(seed), [inputs, ...spec.hidden, outputs], `${modelScope()}dense`, variables);
  return finish(variables, (x, before) => dense(x, spec.activation, layerInputs(before)));
}

/** Wraps variables and a forward pass into a Model. */
export function finish(variables: tf.Variable[], apply: Model['apply']): Model {
  return {
    variables,
    parameterCount: variables.reduce((n, v) => n + v.size, 0),
    apply,
    dispose() {
      for (const v of variables) v.dispose();
    },
  };
}
