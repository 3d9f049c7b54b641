import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../data/rng';
import { activate, denseStack, glorotVariable, modelScope, zerosVariable } from './init';
import { finish } from './mlp';
import { layerInputs, type DscnnSpec, type InputShape, type Model } from './types';

export { dscnnOutputSize } from './output-size';

/**
 * Builds the depthwise-separable CNN of `spec`: stem 3x3 conv, then per block a depthwise 3x3
 * (stride 1 or 2) and a pointwise 1x1 conv, each followed by the activation; global average
 * pooling; dense head. Weights Glorot-uniform from the seeded generator, biases zero.
 */
export function createDscnn(spec: DscnnSpec, shape: InputShape, outputs: number, seed: number): Model {
  const rng = new Rng(seed);
  const scope = modelScope();
  const variables: tf.Variable[] = [];
  const stemK = glorotVariable(rng, [3, 3, shape[2], spec.stem], 9 * shape[2], 9 * spec.stem, `${scope}stem/kernel`);
  const stemB = zerosVariable([spec.stem], `${scope}stem/bias`);
  variables.push(stemK, stemB);
  let cin = spec.stem;
  const blocks = spec.blocks.map((blk, i) => {
    // Depthwise kernel [3, 3, cin, 1]: each channel has its own 3x3 filter (fan-in and fan-out 9).
    const dk = glorotVariable(rng, [3, 3, cin, 1], 9, 9, `${scope}block${i}/depthwise`);
    const db = zerosVariable([cin], `${scope}block${i}/depthwise_bias`);
    const pk = glorotVariable(rng, [1, 1, cin, blk.filters], cin, blk.filters, `${scope}block${i}/pointwise`);
    const pb = zerosVariable([blk.filters], `${scope}block${i}/pointwise_bias`);
    variables.push(dk, db, pk, pb);
    cin = blk.filters;
    return { dk, db, pk, pb, stride: blk.stride };
  });
  const dense = denseStack(rng, [cin, ...spec.hidden, outputs], `${scope}dense`, variables);
  const act = <T extends tf.Tensor>(t: T) => activate(spec.activation, t);
  return finish(variables, (x, before) => {
    const pre = layerInputs(before);
    let t = tf.reshape(x, [x.shape[0], ...shape]) as tf.Tensor4D;
    t = act(tf.add(tf.conv2d(pre(t), stemK as tf.Tensor4D, 1, 'same'), stemB) as tf.Tensor4D);
    for (const b of blocks) {
      t = act(tf.add(tf.depthwiseConv2d(pre(t), b.dk as tf.Tensor4D, b.stride, 'same'), b.db) as tf.Tensor4D);
      t = act(tf.add(tf.conv2d(pre(t), b.pk as tf.Tensor4D, 1, 'same'), b.pb) as tf.Tensor4D);
    }
    const pooled = tf.mean(t, [1, 2]) as tf.Tensor2D;
    return dense(pooled, spec.activation, pre);
  });
}
