/**
 * What a model may cost before the tfjs engine builds it. Without this, a form asking for
 * `hidden: [65536, 65536]` (4.3 billion parameters, 17 GB of float32 weights) sat for minutes
 * drawing initial weights and then failed somewhere inside tfjs. It is refused in milliseconds,
 * naming the field and the numbers. (The wgsl engine has its own, tighter limits: its optimizer
 * dispatch and the device's buffer sizes, checked in src/gpu/engine.)
 */
import { ConfigError } from '../../errors';
import { parameterShapes } from './shapes';
import { modelSize } from './size';
import type { ModelSpec } from './types';

/**
 * The most parameters a tfjs-engine model may have: 2^28 (268 M), 1 GiB of float32 weights and
 * 2 to 4 GiB with their gradients and optimizer moments, past what a browser tab holds.
 */
export const MAX_PARAMETERS = 2 ** 28;

/** The largest single tensor where the backend gives no limit of its own: 2 GiB (typed arrays, wasm memory). */
export const DEFAULT_TENSOR_BYTES = 2 ** 31;

/** The most values one sample's input or layer output holds (what a batch's activations scale with). */
export function largestLayer(spec: ModelSpec, inputs: number, outputs: number): number {
  let most = Math.max(inputs, outputs);
  const dense = (widths: number[]) => widths.forEach((w) => (most = Math.max(most, w)));
  if (spec.type === 'mlp') {
    dense(spec.hidden);
    return most;
  }
  if (!spec.inputShape) throw new Error('an image model needs its input shape resolved first');
  let [h, w, c] = spec.inputShape;
  if (spec.type === 'cnn') {
    for (const co of spec.filters) {
      most = Math.max(most, h * w * co);
      [h, w, c] = [Math.floor(h / 2), Math.floor(w / 2), co];
    }
    dense([h * w * c, ...spec.hidden]);
  } else {
    most = Math.max(most, h * w * spec.stem);
    c = spec.stem;
    for (const b of spec.blocks) {
      [h, w] = [Math.ceil(h / b.stride), Math.ceil(w / b.stride)];
      most = Math.max(most, h * w * c, h * w * b.filters);
      c = b.filters;
    }
    dense(spec.hidden);
  }
  return most;
}

/**
 * Refuses a model the tfjs engine cannot hold: more than MAX_PARAMETERS parameters, a weight
 * tensor larger than `maxTensorBytes` (the backend's largest buffer), or a batch whose widest
 * layer output is. `field` names the model setting to change.
 */
export function checkModelFits(
  spec: ModelSpec,
  inputs: number,
  outputs: number,
  batchSize: number,
  maxTensorBytes: number,
): void {
  const field = spec.type === 'mlp' ? 'model.hidden' : 'model';
  const gb = (bytes: number) => `${(bytes / 2 ** 30).toFixed(bytes < 2 ** 30 ? 2 : 1)} GiB`;
  const { parameters } = modelSize(spec, inputs, outputs);
  if (parameters > MAX_PARAMETERS)
    throw new ConfigError(
      field,
      `the model has ${parameters.toLocaleString('en-US')} parameters (${gb(4 * parameters)} of float32 weights), ` +
        `more than the ${MAX_PARAMETERS.toLocaleString('en-US')} the workbench trains; use fewer or narrower layers`,
    );
  const biggest = parameterShapes(spec, inputs, outputs).reduce(
    (a, t) => {
      const n = t.shape.reduce((x, y) => x * y, 1);
      return n > a.n ? { n, name: t.name } : a;
    },
    { n: 0, name: '' },
  );
  if (4 * biggest.n > maxTensorBytes)
    throw new ConfigError(
      field,
      `the weight tensor ${biggest.name} needs ${gb(4 * biggest.n)}, more than the ${gb(maxTensorBytes)} ` +
        'this backend holds in one buffer; use narrower layers',
    );
  const layer = largestLayer(spec, inputs, outputs);
  if (4 * layer * batchSize > maxTensorBytes)
    throw new ConfigError(
      'batchSize',
      `${batchSize} rows of the widest layer (${layer.toLocaleString('en-US')} values a row) need ` +
        `${gb(4 * layer * batchSize)}, more than the ${gb(maxTensorBytes)} this backend holds in one buffer; ` +
        'use a smaller batch or narrower layers',
    );
}
