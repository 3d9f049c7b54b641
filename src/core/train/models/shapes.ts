/**
 * The trainable tensors of a model, from its spec alone (no tfjs): name and shape of each, in
 * the order both engines hold them (`TrainEngine.parameters()`), with the layouts of tfjs:
 * dense kernels [in, out], convolution kernels [kh, kw, in / groups, out], depthwise kernels
 * [3, 3, channels, 1], biases [out]. Exports and stored weights are checked against it.
 * Image models need their input shape resolved (resolveModelSpec).
 */
import { cnnOutputSize } from './output-size';
import type { ModelSpec } from './types';

export interface ParameterShape {
  /** `dense0/kernel`, `conv1/bias`, `block0/depthwise`, ... */
  name: string;
  shape: number[];
}

/** The parameter tensors of `spec` on rows of `inputs` features with `outputs` outputs. */
export function parameterShapes(spec: ModelSpec, inputs: number, outputs: number): ParameterShape[] {
  const out: ParameterShape[] = [];
  const dense = (widths: number[]) => {
    for (let l = 0; l + 1 < widths.length; l++) {
      out.push({ name: `dense${l}/kernel`, shape: [widths[l], widths[l + 1]] });
      out.push({ name: `dense${l}/bias`, shape: [widths[l + 1]] });
    }
  };
  if (spec.type === 'mlp') {
    dense([inputs, ...spec.hidden, outputs]);
    return out;
  }
  if (!spec.inputShape) throw new Error('an image model needs its input shape resolved first');
  let c = spec.inputShape[2];
  if (spec.type === 'cnn') {
    spec.filters.forEach((co, i) => {
      const g = spec.groups?.[i] ?? 1;
      out.push({ name: `conv${i}/kernel`, shape: [3, 3, c / g, co] });
      out.push({ name: `conv${i}/bias`, shape: [co] });
      c = co;
    });
    const [h, w] = cnnOutputSize(spec.inputShape, spec.filters.length);
    dense([h * w * c, ...spec.hidden, outputs]);
    return out;
  }
  out.push({ name: 'stem/kernel', shape: [3, 3, c, spec.stem] });
  out.push({ name: 'stem/bias', shape: [spec.stem] });
  c = spec.stem;
  spec.blocks.forEach((b, i) => {
    out.push({ name: `block${i}/depthwise`, shape: [3, 3, c, 1] });
    out.push({ name: `block${i}/depthwise_bias`, shape: [c] });
    out.push({ name: `block${i}/pointwise`, shape: [1, 1, c, b.filters] });
    out.push({ name: `block${i}/pointwise_bias`, shape: [b.filters] });
    c = b.filters;
  });
  dense([c, ...spec.hidden, outputs]);
  return out;
}
