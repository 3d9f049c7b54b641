/**
 * Exports against the workbench's own predictions: the tfjs model the trainer builds
 * (createModel, cpu backend) gives the reference outputs; the ONNX file is scored by ONNX
 * Runtime (the wasm build of onnxruntime-web, which also enforces the ONNX checker's rules when
 * it loads a model), and the tfjs files are loaded back with tf.loadLayersModel.
 */
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-web';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../data/rng';
import { createModel, resolveModelSpec, type ModelSpec } from '../train/model';
import { parameterShapes } from '../train/models/shapes';
import { MODEL_CASES } from '../train/models/model-cases.test-support';
import type { TrainedModel } from '../train/trained';
import { convKernelToOnnx, samePads, toOnnx } from './onnx';
import { quantizedWeights } from '../compress/quantize';
import { expandGroupedKernel, toTfjsFiles } from './tfjs-layers';

ort.env.wasm.numThreads = 1;

/** A model as the trainer builds it, with random (not initial) weights, and its export form. */
async function trainedFrom(spec0: ModelSpec, dim: number, outputs: number, seed: number) {
  const spec = resolveModelSpec(spec0, dim);
  const model = createModel(spec, dim, outputs, seed);
  const rng = new Rng(seed + 7);
  // Biases too: non-zero values catch a bias applied to the wrong channel.
  for (const v of model.variables)
    v.assign(
      tf.tensor(
        Float32Array.from({ length: v.size }, () => rng.normal() * 0.3),
        v.shape,
      ),
    );
  const tensors = await Promise.all(
    parameterShapes(spec, dim, outputs).map(async (s, i) => ({
      ...s,
      values: Float32Array.from(await model.variables[i].data()),
    })),
  );
  const trained: TrainedModel = {
    model: spec,
    preprocessing: { dim } as TrainedModel['preprocessing'],
    tensors,
    outputs,
  };
  return { model, trained };
}

const rows = 7;

describe('export', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  for (const [name, spec, dim, outputs] of MODEL_CASES) {
    it(`${name}: ONNX Runtime and tf.loadLayersModel give the workbench's predictions`, async () => {
      const { model, trained } = await trainedFrom(spec, dim, outputs, 5);
      const rng = new Rng(11);
      const x = Float32Array.from({ length: rows * dim }, () => rng.normal());
      const want = await tf.tidy(() => model.apply(tf.tensor2d(x, [rows, dim]))).data();
      model.dispose();

      const session = await ort.InferenceSession.create(toOnnx(trained, { classes: '["a"]' }));
      const result = await session.run({ input: new ort.Tensor('float32', x, [rows, dim]) });
      expect(result.output.dims).toEqual([rows, outputs]);
      const onnx = result.output.data as Float32Array;
      for (let i = 0; i < want.length; i++) expect(Math.abs(onnx[i] - want[i])).toBeLessThan(1e-4);
      await session.release();

      const { modelJson, weightsBin } = await toTfjsFiles(trained);
      const json = JSON.parse(modelJson) as {
        modelTopology: object;
        weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
      };
      expect(json.weightsManifest[0].paths).toEqual(['weights.bin']);
      const loaded = await tf.loadLayersModel(
        tf.io.fromMemory({
          modelTopology: json.modelTopology,
          weightSpecs: json.weightsManifest[0].weights,
          weightData: weightsBin.slice().buffer,
        }),
      );
      const got = await tf.tidy(() => loaded.predict(tf.tensor2d(x, [rows, dim])) as tf.Tensor).data();
      loaded.dispose();
      expect(got.length).toBe(want.length);
      for (let i = 0; i < want.length; i++) expect(Math.abs(got[i] - want[i])).toBeLessThan(1e-5);
    });
  }

  for (const [weights, mode] of [
    ['int8', 'int8'],
    ['float16', 'f16'],
  ] as const)
    it(`quantized ONNX (${weights} kernels) gives the workbench's model with the same quantized weights, and a file a quarter or half the size`, async () => {
      for (const [, spec, dim, outputs] of MODEL_CASES) {
        const { model, trained } = await trainedFrom(spec, dim, outputs, 9);
        const { values } = quantizedWeights(trained, mode);
        model.variables.forEach((v, i) => v.assign(tf.tensor(values[i], trained.tensors[i].shape)));
        const x = Float32Array.from({ length: rows * dim }, (_, i) => Math.sin(i * 0.37));
        const want = await tf.tidy(() => model.apply(tf.tensor2d(x, [rows, dim]))).data();
        model.dispose();
        const bytes = toOnnx(trained, {}, weights);
        const session = await ort.InferenceSession.create(bytes);
        const got = (await session.run({ input: new ort.Tensor('float32', x, [rows, dim]) })).output
          .data as Float32Array;
        await session.release();
        for (let i = 0; i < want.length; i++) expect(Math.abs(got[i] - want[i])).toBeLessThan(1e-4);
        if (weights === 'float16') {
          // tfjs's own float16 weight format, loaded by tf.loadLayersModel.
          const { modelJson, weightsBin } = await toTfjsFiles(trained, 'weights.bin', 'float16');
          const json = JSON.parse(modelJson) as {
            modelTopology: object;
            weightsManifest: { weights: tf.io.WeightsManifestEntry[] }[];
          };
          expect(json.weightsManifest[0].weights.some((w) => w.quantization?.dtype === 'float16')).toBe(true);
          const loaded = await tf.loadLayersModel(
            tf.io.fromMemory({
              modelTopology: json.modelTopology,
              weightSpecs: json.weightsManifest[0].weights,
              weightData: weightsBin.slice().buffer,
            }),
          );
          const viaTfjs = await tf.tidy(() => loaded.predict(tf.tensor2d(x, [rows, dim])) as tf.Tensor).data();
          loaded.dispose();
          for (let i = 0; i < want.length; i++) expect(Math.abs(viaTfjs[i] - want[i])).toBeLessThan(1e-5);
        }
      }
      // The file shrinks with the kernels (the graph's extra nodes matter only for tiny models).
      const { model, trained } = await trainedFrom({ type: 'mlp', hidden: [256], activation: 'relu' }, 100, 10, 2);
      model.dispose();
      const ratio = toOnnx(trained, {}, weights).length / toOnnx(trained).length;
      expect(ratio).toBeLessThan(weights === 'int8' ? 0.3 : 0.55);
    });

  it('transposes convolution kernels from [kh, kw, in, out] to [out, in, kh, kw]', () => {
    const shape = [3, 2, 4, 5];
    const k = Float32Array.from({ length: 120 }, (_, i) => i);
    const o = convKernelToOnnx(k, shape);
    for (let y = 0; y < 3; y++)
      for (let x = 0; x < 2; x++)
        for (let i = 0; i < 4; i++)
          for (let c = 0; c < 5; c++) expect(o[c * 24 + i * 6 + y * 2 + x]).toBe(k[y * 40 + x * 20 + i * 5 + c]);
  });

  it("pads 'same' as TensorFlow does: the output size is ceil(size / stride), the extra row at the end", () => {
    for (let size = 1; size < 12; size++)
      for (const stride of [1, 2]) {
        const [a, b] = samePads(size, 3, stride);
        expect(Math.floor((size + a + b - 3) / stride) + 1).toBe(Math.ceil(size / stride));
        expect(b - a === 0 || b - a === 1).toBe(true);
      }
  });

  it('expands a grouped kernel to a block-diagonal dense one', () => {
    const k = Float32Array.from({ length: 3 * 3 * 2 * 6 }, (_, i) => i + 1);
    const full = expandGroupedKernel(k, [3, 3, 2, 6], 3);
    for (let t = 0; t < 9; t++)
      for (let i = 0; i < 6; i++)
        for (let o = 0; o < 6; o++) {
          const v = full[(t * 6 + i) * 6 + o];
          if (Math.floor(i / 2) === Math.floor(o / 2)) expect(v).toBe(k[(t * 2 + (i % 2)) * 6 + o]);
          else expect(v).toBe(0);
        }
  });
});
