import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../data/rng';
import { activate, denseStack, glorotVariable, modelScope, zerosVariable } from './init';
import { finish } from './mlp';
import { layerInputs, type CnnSpec, type InputShape, type Model } from './types';
import { cnnOutputSize } from './output-size';

export { cnnOutputSize } from './output-size';

/**
 * A 3x3 'same' convolution in `groups` groups. tfjs has no grouped conv2d: the input's channels
 * and the kernel's output channels are split into the groups, each pair convolved, the outputs
 * concatenated (one conv2d when groups is 1).
 */
export function groupedConv(x: tf.Tensor4D, kernel: tf.Tensor4D, groups: number): tf.Tensor4D {
  if (groups === 1) return tf.conv2d(x, kernel, 1, 'same');
  const xs = tf.split(x, groups, 3) as tf.Tensor4D[];
  const ks = tf.split(kernel, groups, 3) as tf.Tensor4D[];
  return tf.concat(
    xs.map((xi, i) => tf.conv2d(xi, ks[i], 1, 'same')),
    3,
  );
}

/** Builds the small CNN of `spec` for rows of `shape`; weights Glorot-uniform from the seeded generator. */
export function createCnn(spec: CnnSpec, shape: InputShape, outputs: number, seed: number): Model {
  const rng = new Rng(seed);
  const scope = modelScope();
  const variables: tf.Variable[] = [];
  const convs: { k: tf.Variable; b: tf.Variable; groups: number }[] = [];
  let cin = shape[2];
  spec.filters.forEach((cout, i) => {
    // Grouped (ResNeXt): the kernel holds each group's C / groups input channels, [3, 3, C / g, CO],
    // Glorot's fans as Keras counts them for such a kernel.
    const g = spec.groups?.[i] ?? 1;
    const k = glorotVariable(rng, [3, 3, cin / g, cout], (9 * cin) / g, 9 * cout, `${scope}conv${i}/kernel`);
    const b = zerosVariable([cout], `${scope}conv${i}/bias`);
    variables.push(k, b);
    convs.push({ k, b, groups: g });
    cin = cout;
  });
  const [h, w] = cnnOutputSize(shape, spec.filters.length);
  const flat = h * w * cin;
  const dense = denseStack(rng, [flat, ...spec.hidden, outputs], `${scope}dense`, variables);
  return finish(variables, (x, before) => {
    const pre = layerInputs(before);
    let t = tf.reshape(x, [x.shape[0], ...shape]) as tf.Tensor4D;
    for (const { k, b, groups } of convs) {
      const z = tf.add(groupedConv(pre(t), k as tf.Tensor4D, groups), b) as tf.Tensor4D;
      t = tf.maxPool(activate(spec.activation, z), 2, 2, 'valid');
    }
    const f = tf.reshape(t, [x.shape[0], flat]) as tf.Tensor2D;
    return dense(f, spec.activation, pre);
  });
}
