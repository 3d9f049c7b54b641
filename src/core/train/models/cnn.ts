import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../data/rng';
import { activate, denseStack, glorotVariable, modelScope, zerosVariable } from './init';
import { finish } from './mlp';
import type { CnnSpec, InputShape, Model } from './types';

/** Spatial size after `blocks` 2x2 max-pools with stride 2 and 'valid' padding (floor halving). */
export function cnnOutputSize(shape: InputShape, blocks: number): [number, number] {
  let [h, w] = shape;
  for (let i = 0; i < blocks; i++) {
    h = Math.floor(h / 2);
    w = Math.floor(w / 2);
  }
  return [h, w];
}

/** Builds the small CNN of `spec` for rows of `shape`; weights Glorot-uniform from the seeded generator. */
export function createCnn(spec: CnnSpec, shape: InputShape, outputs: number, seed: number): Model {
  const rng = new Rng(seed);
  const scope = modelScope();
  const variables: tf.Variable[] = [];
  const convs: { k: tf.Variable; b: tf.Variable }[] = [];
  let cin = shape[2];
  spec.filters.forEach((cout, i) => {
    const k = glorotVariable(rng, [3, 3, cin, cout], 9 * cin, 9 * cout, `${scope}conv${i}/kernel`);
    const b = zerosVariable([cout], `${scope}conv${i}/bias`);
    variables.push(k, b);
    convs.push({ k, b });
    cin = cout;
  });
  const [h, w] = cnnOutputSize(shape, spec.filters.length);
  const flat = h * w * cin;
  const dense = denseStack(rng, [flat, ...spec.hidden, outputs], `${scope}dense`, variables);
  return finish(variables, (x) => {
    let t = tf.reshape(x, [x.shape[0], ...shape]) as tf.Tensor4D;
    for (const { k, b } of convs) {
      const z = tf.add(tf.conv2d(t, k as tf.Tensor4D, 1, 'same'), b) as tf.Tensor4D;
      t = tf.maxPool(activate(spec.activation, z), 2, 2, 'valid');
    }
    const f = tf.reshape(t, [x.shape[0], flat]) as tf.Tensor2D;
    return dense(f, spec.activation);
  });
}
