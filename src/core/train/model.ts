import * as tf from '@tensorflow/tfjs';
import { Rng } from '../data/rng';

/** A multi-layer perceptron: `hidden` widths with one activation, then a linear output. */
export interface MlpSpec {
  type: 'mlp';
  hidden: number[];
  activation: 'relu' | 'tanh' | 'sigmoid';
}

export type ModelSpec = MlpSpec;

/** Trainable parameters plus the forward pass. */
export interface Model {
  readonly variables: tf.Variable[];
  /** Logits (classification) or predictions (regression), shape [batch, outputs]. */
  apply(x: tf.Tensor2D): tf.Tensor2D;
  /** Number of trainable scalars. */
  readonly parameterCount: number;
  dispose(): void;
}

/**
 * Builds an MLP with Glorot-uniform weights drawn from the project's seeded generator (not
 * tfjs's), so the same seed gives the same initial weights on every backend.
 */
export function createMlp(spec: MlpSpec, inputs: number, outputs: number, seed: number): Model {
  const rng = new Rng(seed);
  const widths = [inputs, ...spec.hidden, outputs];
  const variables: tf.Variable[] = [];
  for (let l = 0; l + 1 < widths.length; l++) {
    const fanIn = widths[l];
    const fanOut = widths[l + 1];
    const limit = Math.sqrt(6 / (fanIn + fanOut));
    const w = new Float32Array(fanIn * fanOut);
    for (let i = 0; i < w.length; i++) w[i] = (2 * rng.next() - 1) * limit;
    // tidy frees the initial values; variables survive it.
    variables.push(tf.tidy(() => tf.variable(tf.tensor2d(w, [fanIn, fanOut]), true, `dense${l}/kernel`)));
    variables.push(tf.tidy(() => tf.variable(tf.zeros([fanOut]), true, `dense${l}/bias`)));
  }
  const act = (t: tf.Tensor2D): tf.Tensor2D =>
    spec.activation === 'relu' ? tf.relu(t) : spec.activation === 'tanh' ? tf.tanh(t) : tf.sigmoid(t);
  const layers = widths.length - 1;
  return {
    variables,
    parameterCount: variables.reduce((n, v) => n + v.size, 0),
    apply(x) {
      let h = x;
      for (let l = 0; l < layers; l++) {
        const z = tf.add(tf.matMul(h, variables[2 * l] as tf.Tensor2D), variables[2 * l + 1]) as tf.Tensor2D;
        h = l + 1 < layers ? act(z) : z;
      }
      return h;
    },
    dispose() {
      for (const v of variables) v.dispose();
    },
  };
}

/** Builds the model a spec describes. */
export function createModel(spec: ModelSpec, inputs: number, outputs: number, seed: number): Model {
  return createMlp(spec, inputs, outputs, seed);
}
