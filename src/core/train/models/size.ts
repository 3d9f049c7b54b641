/**
 * What a model costs, from its spec alone (no tfjs): trainable parameters and the floating-point
 * operations of one sample's forward pass (a multiply-add counts two; bias additions,
 * activations and pooling are left out, as the usual FLOP counts of CNNs leave them out). The
 * results table shows both, so dense, grouped and depthwise-separable blocks compare at equal
 * width. Image models need their input shape resolved (resolveModelSpec).
 */
import type { ModelSpec } from './types';

export interface ModelSize {
  parameters: number;
  flopsPerSample: number;
}

/** Parameters and forward FLOPs per sample of `spec` on rows of `inputs` features with `outputs` outputs. */
export function modelSize(spec: ModelSpec, inputs: number, outputs: number): ModelSize {
  let parameters = 0;
  let flops = 0;
  const dense = (widths: number[]) => {
    for (let l = 0; l + 1 < widths.length; l++) {
      parameters += (widths[l] + 1) * widths[l + 1];
      flops += 2 * widths[l] * widths[l + 1];
    }
  };
  if (spec.type === 'mlp') {
    dense([inputs, ...spec.hidden, outputs]);
    return { parameters, flopsPerSample: flops };
  }
  if (!spec.inputShape) throw new Error('an image model needs its input shape resolved first');
  let [h, w, c] = spec.inputShape;
  // A ks x ks convolution from c to co channels onto an oh x ow map (depthwise: co = c, one
  // filter each; grouped: each output channel sees c / groups input channels).
  const conv = (co: number, ks: number, oh: number, ow: number, depthwise = false, groups = 1) => {
    const taps = ks * ks * (depthwise ? 1 : c / groups);
    parameters += (taps + 1) * co;
    flops += 2 * oh * ow * taps * co;
  };
  if (spec.type === 'cnn') {
    for (const [i, co] of spec.filters.entries()) {
      conv(co, 3, h, w, false, spec.groups?.[i] ?? 1);
      [h, w, c] = [Math.floor(h / 2), Math.floor(w / 2), co];
    }
    dense([h * w * c, ...spec.hidden, outputs]);
  } else {
    conv(spec.stem, 3, h, w);
    c = spec.stem;
    for (const b of spec.blocks) {
      [h, w] = [Math.ceil(h / b.stride), Math.ceil(w / b.stride)];
      conv(c, 3, h, w, true);
      conv(b.filters, 1, h, w);
      c = b.filters;
    }
    dense([c, ...spec.hidden, outputs]);
  }
  return { parameters, flopsPerSample: flops };
}
