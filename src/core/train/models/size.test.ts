/**
 * modelSize against independent counts: the parameters against the tfjs models' own variables
 * (src/core/train/models), the FLOPs against a brute-force count of every multiply-add of the
 * forward pass, output value by output value.
 */
import { describe, expect, it } from 'vitest';
import { createModel, type ModelSpec } from '../model';
import { modelSize } from './size';

/** Multiply-adds of the forward pass, walking every output value of every layer (times two). */
function bruteFlops(spec: ModelSpec, inputs: number, outputs: number): number {
  let macs = 0;
  const dense = (widths: number[]) => {
    for (let l = 0; l + 1 < widths.length; l++)
      for (let o = 0; o < widths[l + 1]; o++) for (let i = 0; i < widths[l]; i++) macs++;
  };
  if (spec.type === 'mlp') {
    dense([inputs, ...spec.hidden, outputs]);
    return 2 * macs;
  }
  let [h, w, c] = spec.inputShape!;
  // 'same' 3x3 or 1x1 convolutions count every tap, padding included (as frameworks count them).
  const conv = (co: number, ks: number, stride: number, depthwise: boolean, groups = 1) => {
    const [oh, ow] = [Math.ceil(h / stride), Math.ceil(w / stride)];
    for (let y = 0; y < oh; y++)
      for (let x = 0; x < ow; x++)
        for (let o = 0; o < co; o++) for (let t = 0; t < ks * ks * (depthwise ? 1 : c / groups); t++) macs++;
    [h, w, c] = [oh, ow, co];
  };
  if (spec.type === 'cnn') {
    for (const [i, co] of spec.filters.entries()) {
      conv(co, 3, 1, false, spec.groups?.[i] ?? 1);
      [h, w] = [Math.floor(h / 2), Math.floor(w / 2)];
    }
    dense([h * w * c, ...spec.hidden, outputs]);
  } else {
    conv(spec.stem, 3, 1, false);
    for (const b of spec.blocks) {
      conv(c, 3, b.stride, true);
      conv(b.filters, 1, 1, false);
    }
    dense([c, ...spec.hidden, outputs]);
  }
  return 2 * macs;
}

const SPECS: [ModelSpec, number, number][] = [
  [{ type: 'mlp', hidden: [16, 8], activation: 'relu' }, 13, 3],
  [{ type: 'cnn', inputShape: [28, 28, 1], filters: [8, 16], hidden: [], activation: 'relu' }, 784, 10],
  [{ type: 'cnn', inputShape: [9, 7, 3], filters: [5], hidden: [6], activation: 'tanh' }, 189, 4],
  [{ type: 'cnn', inputShape: [8, 8, 4], filters: [6, 9], groups: [2, 3], hidden: [], activation: 'relu' }, 256, 5],
  [
    {
      type: 'dscnn',
      inputShape: [13, 10, 2],
      stem: 6,
      blocks: [
        { filters: 7, stride: 2 },
        { filters: 5, stride: 1 },
      ],
      hidden: [4],
      activation: 'relu',
    },
    260,
    3,
  ],
];

describe('modelSize', () => {
  it.each(SPECS.map((s) => [s[0].type, ...s] as const))(
    '%s: parameters as tfjs counts them, FLOPs as counted one by one',
    (_t, spec, inputs, outputs) => {
      const got = modelSize(spec, inputs, outputs);
      const model = createModel(spec, inputs, outputs, 1);
      const tfjsCount = model.variables.reduce((n, v) => n + v.size, 0);
      model.dispose();
      expect(got.parameters).toBe(tfjsCount);
      expect(got.flopsPerSample).toBe(bruteFlops(spec, inputs, outputs));
    },
  );
});
