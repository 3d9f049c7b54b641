import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../data/rng';
import {
  createModel,
  defaultModelSpec,
  resolveModelSpec,
  validateModelSpec,
  type CnnSpec,
  type DscnnSpec,
} from '../model';
import { ConfigError } from '../errors';

/** A float64 image, [h][w][c]. */
type Img = number[][][];

const relu = (v: number) => Math.max(0, v);
const zeros = (h: number, w: number, c: number): Img =>
  Array.from({ length: h }, () => Array.from({ length: w }, () => new Array<number>(c).fill(0)));

/** 'same' padding as TensorFlow: total pad max((ceil(n/s)-1)*s + k - n, 0), the smaller half before. */
function padBefore(n: number, k: number, s: number): number {
  return Math.floor(Math.max((Math.ceil(n / s) - 1) * s + k - n, 0) / 2);
}

/** Reference convolution; kernel flat [kh, kw, cin, cout] (or [kh, kw, c, 1] when depthwise). */
function conv(
  x: Img,
  k: Float32Array,
  kh: number,
  cout: number,
  bias: Float32Array,
  stride: number,
  depthwise: boolean,
): Img {
  const [h, w, cin] = [x.length, x[0].length, x[0][0].length];
  const oh = Math.ceil(h / stride);
  const ow = Math.ceil(w / stride);
  const pt = padBefore(h, kh, stride);
  const pl = padBefore(w, kh, stride);
  const outC = depthwise ? cin : cout;
  const y = zeros(oh, ow, outC);
  for (let i = 0; i < oh; i++)
    for (let j = 0; j < ow; j++)
      for (let o = 0; o < outC; o++) {
        let s = bias[o];
        for (let a = 0; a < kh; a++)
          for (let b = 0; b < kh; b++) {
            const r = i * stride + a - pt;
            const c = j * stride + b - pl;
            if (r < 0 || c < 0 || r >= h || c >= w) continue;
            if (depthwise) s += x[r][c][o] * k[(a * kh + b) * cin + o];
            else for (let q = 0; q < cin; q++) s += x[r][c][q] * k[((a * kh + b) * cin + q) * cout + o];
          }
        y[i][j][o] = s;
      }
  return y;
}

const mapImg = (x: Img, f: (v: number) => number): Img => x.map((r) => r.map((p) => p.map(f)));
function maxPool2(x: Img): Img {
  const oh = Math.floor(x.length / 2);
  const ow = Math.floor(x[0].length / 2);
  const y = zeros(oh, ow, x[0][0].length);
  for (let i = 0; i < oh; i++)
    for (let j = 0; j < ow; j++)
      for (let c = 0; c < x[0][0].length; c++)
        y[i][j][c] = Math.max(
          x[2 * i][2 * j][c],
          x[2 * i + 1][2 * j][c],
          x[2 * i][2 * j + 1][c],
          x[2 * i + 1][2 * j + 1][c],
        );
  return y;
}
function dense(v: number[], w: Float32Array, b: Float32Array): number[] {
  const out = b.length;
  return Array.from({ length: out }, (_, o) => v.reduce((s, x, i) => s + x * w[i * out + o], b[o]));
}
const toImg = (row: Float32Array, h: number, w: number, c: number): Img =>
  Array.from({ length: h }, (_, i) =>
    Array.from({ length: w }, (_, j) => Array.from({ length: c }, (_, q) => row[(i * w + j) * c + q])),
  );

async function weights(vars: tf.Variable[]): Promise<Float32Array[]> {
  return Promise.all(vars.map(async (v) => (await v.data()) as Float32Array));
}

async function forward(spec: CnnSpec | DscnnSpec, x: Float32Array, rows: number, outputs: number) {
  const dim = x.length / rows;
  const model = createModel(spec, dim, outputs, 7);
  const out = tf.tidy(() => model.apply(tf.tensor2d(x, [rows, dim])));
  const got = (await out.data()) as Float32Array;
  const w = await weights(model.variables);
  out.dispose();
  model.dispose();
  return { got, w };
}

describe('image models (tfjs-cpu) against a float64 reference', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });
  const rng = new Rng(3);
  const rows = 2;
  const [h, wd, c] = [7, 6, 2];
  const x = Float32Array.from({ length: rows * h * wd * c }, () => rng.normal());

  it('the CNN: conv3x3 -> relu -> maxpool twice, flatten, dense', async () => {
    const spec: CnnSpec = { type: 'cnn', inputShape: [h, wd, c], filters: [3, 4], hidden: [5], activation: 'relu' };
    const { got, w } = await forward(spec, x, rows, 3);
    for (let r = 0; r < rows; r++) {
      let t = toImg(x.subarray(r * h * wd * c, (r + 1) * h * wd * c), h, wd, c);
      t = maxPool2(mapImg(conv(t, w[0], 3, 3, w[1], 1, false), relu));
      t = maxPool2(mapImg(conv(t, w[2], 3, 4, w[3], 1, false), relu));
      expect([t.length, t[0].length]).toEqual([1, 1]);
      const flat = t.flat(2);
      const want = dense(dense(flat, w[4], w[5]).map(relu), w[6], w[7]);
      want.forEach((v, o) => expect(got[r * 3 + o]).toBeCloseTo(v, 4));
    }
  });

  it(
    'the depthwise-separable CNN: stem, depthwise (stride 2) + pointwise blocks, global average ' + 'pool, dense',
    async () => {
      const spec: DscnnSpec = {
        type: 'dscnn',
        inputShape: [h, wd, c],
        stem: 3,
        blocks: [
          { filters: 4, stride: 2 },
          { filters: 5, stride: 1 },
        ],
        hidden: [],
        activation: 'relu',
      };
      const { got, w } = await forward(spec, x, rows, 2);
      for (let r = 0; r < rows; r++) {
        let t = toImg(x.subarray(r * h * wd * c, (r + 1) * h * wd * c), h, wd, c);
        t = mapImg(conv(t, w[0], 3, 3, w[1], 1, false), relu);
        let at = 2;
        for (const b of spec.blocks) {
          t = mapImg(conv(t, w[at], 3, 0, w[at + 1], b.stride, true), relu);
          t = mapImg(conv(t, w[at + 2], 1, b.filters, w[at + 3], 1, false), relu);
          at += 4;
        }
        expect([t.length, t[0].length]).toEqual([4, 3]);
        const pooled = Array.from({ length: 5 }, (_, q) => t.flat().reduce((s, p) => s + p[q], 0) / 12);
        const want = dense(pooled, w[at], w[at + 1]);
        want.forEach((v, o) => expect(got[r * 2 + o]).toBeCloseTo(v, 4));
      }
    },
  );

  it('draws the same weights for the same seed, other weights for another, and counts parameters', async () => {
    const spec = defaultModelSpec('dscnn', [28, 28, 1]);
    const a = createModel(spec, 784, 10, 1);
    const b = createModel(spec, 784, 10, 1);
    const other = createModel(spec, 784, 10, 2);
    const [wa, wb, wo] = await Promise.all([weights(a.variables), weights(b.variables), weights(other.variables)]);
    expect(wa).toEqual(wb);
    expect(wa[0]).not.toEqual(wo[0]);
    // stem 3*3*1*8+8, block 1: 3*3*8+8 + 8*16+16, block 2: 3*3*16+16 + 16*32+32, dense 32*10+10
    expect(a.parameterCount).toBe(80 + 80 + 144 + 160 + 544 + 330);
    const cnn = createModel(defaultModelSpec('cnn', [28, 28, 1]), 784, 10, 1);
    expect(cnn.parameterCount).toBe(3 * 3 * 8 + 8 + 3 * 3 * 8 * 16 + 16 + 7 * 7 * 16 * 10 + 10);
    for (const m of [a, b, other, cnn]) m.dispose();
  });
});

describe('model specs', () => {
  it('infers a square input shape from the feature count and refuses one that does not fit', () => {
    expect(resolveModelSpec(defaultModelSpec('cnn'), 784)).toMatchObject({ inputShape: [28, 28, 1] });
    expect(resolveModelSpec(defaultModelSpec('dscnn'), 32 * 32 * 3)).toMatchObject({ inputShape: [32, 32, 3] });
    expect(() => resolveModelSpec(defaultModelSpec('cnn', [28, 28, 1]), 783)).toThrow(
      new ConfigError('model.inputShape', '28x28x1 is 784 values per row, but the data has 783 feature values per row'),
    );
    expect(() => resolveModelSpec(defaultModelSpec('cnn'), 10)).toThrow(
      /^model\.inputShape: is not given and 10 feature values/,
    );
    expect(resolveModelSpec(defaultModelSpec('mlp'), 10)).toEqual(defaultModelSpec('mlp'));
  });

  it('names the field of a bad spec', () => {
    const bad = (spec: unknown) => () => validateModelSpec(spec as CnnSpec);
    expect(bad({ type: 'resnet', hidden: [], activation: 'relu' })).toThrow(/^model\.type: "resnet" is unknown/);
    expect(bad({ ...defaultModelSpec('cnn'), filters: [8, 0] })).toThrow(
      /^model\.filters\[1\]: must be a whole number/,
    );
    expect(bad({ ...defaultModelSpec('cnn'), inputShape: [28, 28] })).toThrow(
      /^model\.inputShape: must be \[height, width, channels\]/,
    );
    expect(bad({ ...defaultModelSpec('cnn'), inputShape: [4, 4, 1], filters: [2, 2, 2] })).toThrow(
      /^model\.filters: 3 pooling blocks halve 4x4 to nothing/,
    );
    expect(bad({ ...defaultModelSpec('dscnn'), blocks: [{ filters: 8, stride: 3 }] })).toThrow(
      /^model\.blocks\[0\]\.stride: must be 1 or 2/,
    );
    expect(bad({ ...defaultModelSpec('mlp'), activation: 'gelu' })).toThrow(/^model\.activation/);
  });

  it("refuses groups that do not divide a block's channels, naming the block", () => {
    const cnn = { ...defaultModelSpec('cnn'), filters: [8, 12] } as CnnSpec;
    const bad = (spec: unknown) => () => validateModelSpec(spec as CnnSpec);
    expect(bad({ ...cnn, groups: [1] })).toThrow(
      new ConfigError('model.groups', 'has 1 entries for 2 convolution blocks; give one per block'),
    );
    expect(bad({ ...cnn, groups: [1, 3] })).toThrow(
      new ConfigError('model.groups[1]', "3 groups do not divide block 1's 8 input and 12 output channels"),
    );
    expect(bad({ ...cnn, groups: [1, 0] })).toThrow(/^model\.groups\[1\]: must be a whole number/);
    expect(validateModelSpec({ ...cnn, groups: [1, 4] })).toMatchObject({ groups: [1, 4] });
    // Block 0 against the image's channels, once they are known (given or inferred).
    expect(() => resolveModelSpec({ ...cnn, groups: [2, 4] }, 784)).toThrow(
      new ConfigError('model.groups[0]', "2 groups do not divide block 0's 1 input and 8 output channels"),
    );
    expect(() => validateModelSpec({ ...cnn, inputShape: [8, 8, 3], groups: [2, 4] })).toThrow(/^model\.groups\[0\]/);
    expect(resolveModelSpec({ ...cnn, inputShape: [8, 8, 2], groups: [2, 4] }, 128)).toMatchObject({ groups: [2, 4] });
  });
});
