import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../data/rng';

/**
 * A trainable variable with Glorot-uniform values drawn from the project's seeded generator
 * (not tfjs's), so the same seed gives the same initial weights on every backend.
 */
export function glorotVariable(rng: Rng, shape: number[], fanIn: number, fanOut: number, name: string): tf.Variable {
  const w = glorotValues(
    rng,
    shape.reduce((a, b) => a * b, 1),
    fanIn,
    fanOut,
  );
  // tidy frees the initial values; variables survive it.
  return tf.tidy(() => tf.variable(tf.tensor(w, shape), true, name));
}

/**
 * `count` Glorot-uniform values, U(-limit, limit) with limit = sqrt(6 / (fanIn + fanOut)), in
 * the generator's order: the tfjs and wgsl engines both draw their initial weights here.
 */
export function glorotValues(rng: Rng, count: number, fanIn: number, fanOut: number): Float32Array {
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  const w = new Float32Array(count);
  for (let i = 0; i < w.length; i++) w[i] = (2 * rng.next() - 1) * limit;
  return w;
}

/** A zero-initialised bias variable. */
export function zerosVariable(shape: number[], name: string): tf.Variable {
  return tf.tidy(() => tf.variable(tf.zeros(shape), true, name));
}

let models = 0;
/**
 * A fresh name prefix per model (`m7/`): tfjs refuses two live variables with one name, and
 * two models may live at once (two runs, or a benchmark beside the trainer).
 */
export function modelScope(): string {
  return `m${++models}/`;
}

export type Activation = 'relu' | 'tanh' | 'sigmoid';

export function activate<T extends tf.Tensor>(kind: Activation, t: T): T {
  return kind === 'relu' ? tf.relu(t) : kind === 'tanh' ? tf.tanh(t) : tf.sigmoid(t);
}

/** Dense layers `widths[0] -> ... -> widths[n]`, activation between them, none after the last. */
export function denseStack(
  rng: Rng,
  widths: number[],
  prefix: string,
  variables: tf.Variable[],
): (h: tf.Tensor2D, act: Activation, pre?: <T extends tf.Tensor>(t: T) => T) => tf.Tensor2D {
  const layers: { w: tf.Variable; b: tf.Variable }[] = [];
  for (let l = 0; l + 1 < widths.length; l++) {
    const w = glorotVariable(rng, [widths[l], widths[l + 1]], widths[l], widths[l + 1], `${prefix}${l}/kernel`);
    const b = zerosVariable([widths[l + 1]], `${prefix}${l}/bias`);
    variables.push(w, b);
    layers.push({ w, b });
  }
  return (x, act, pre = (t) => t) => {
    let h = x;
    layers.forEach(({ w, b }, l) => {
      const z = tf.add(tf.matMul(pre(h), w as tf.Tensor2D), b) as tf.Tensor2D;
      h = l + 1 < layers.length ? activate(act, z) : z;
    });
    return h;
  };
}
