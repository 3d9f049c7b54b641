/**
 * A trained model as a tfjs Layers model (`model.json` and `weights.bin`, loadable with
 * `tf.loadLayersModel`): the same layers in the same order as the workbench's model, with the
 * trained weights. Input: the encoded rows, float32 [batch, dim]; output: the last layer's
 * values (logits or the standardised target, see Preprocessing.output).
 *
 * tfjs Layers has no grouped convolution; a grouped block is written as a plain Conv2D whose
 * kernel is block-diagonal (zero between groups). That computes exactly the grouped
 * convolution, with groups times the stored kernel (the README's export section says so).
 */
import * as tf from '@tensorflow/tfjs';
import type { TrainedModel } from '../train/trained';
import { toHalfBits } from '../train/half';

/** A grouped kernel [kh, kw, cin / groups, cout] as the equivalent dense kernel [kh, kw, cin, cout]. */
export function expandGroupedKernel(k: Float32Array, [kh, kw, cig, cout]: number[], groups: number): Float32Array {
  const cin = cig * groups;
  const cog = cout / groups;
  const out = new Float32Array(kh * kw * cin * cout);
  for (let t = 0; t < kh * kw; t++)
    for (let o = 0; o < cout; o++) {
      const g = Math.floor(o / cog);
      for (let i = 0; i < cig; i++) out[(t * cin + g * cig + i) * cout + o] = k[(t * cig + i) * cout + o];
    }
  return out;
}

/** Builds the Layers model with the trained weights (dispose it when done). */
export function toLayersModel(trained: TrainedModel): tf.LayersModel {
  const spec = trained.model;
  const values: { values: Float32Array; shape: number[] }[] = [];
  let next = 0;
  const take = () => {
    const t = trained.tensors[next++];
    values.push({ values: t.values, shape: t.shape });
  };
  const model = tf.sequential({ name: 'trainbench' });
  const act = spec.activation;
  const denseHead = (inputShape?: number[]) => {
    const widths = [...spec.hidden, trained.outputs];
    widths.forEach((units, l) => {
      model.add(
        tf.layers.dense({
          units,
          activation: l + 1 < widths.length ? act : 'linear',
          name: `dense${l}`,
          ...(l === 0 && inputShape ? { inputShape } : {}),
        }),
      );
      take();
      take();
    });
  };
  const dim = trained.preprocessing.dim;
  if (spec.type === 'mlp') denseHead([dim]);
  else {
    const shape = spec.inputShape!;
    model.add(tf.layers.reshape({ targetShape: shape, inputShape: [dim], name: 'image' }));
    if (spec.type === 'cnn') {
      spec.filters.forEach((filters, i) => {
        model.add(tf.layers.conv2d({ filters, kernelSize: 3, padding: 'same', activation: act, name: `conv${i}` }));
        const groups = spec.groups?.[i] ?? 1;
        const k = trained.tensors[next++];
        values.push(
          groups === 1
            ? { values: k.values, shape: k.shape }
            : {
                values: expandGroupedKernel(k.values, k.shape, groups),
                shape: [k.shape[0], k.shape[1], k.shape[2] * groups, k.shape[3]],
              },
        );
        take();
        model.add(tf.layers.maxPooling2d({ poolSize: 2, strides: 2, padding: 'valid', name: `pool${i}` }));
      });
      model.add(tf.layers.flatten({ name: 'flatten' }));
    } else {
      model.add(
        tf.layers.conv2d({ filters: spec.stem, kernelSize: 3, padding: 'same', activation: act, name: 'stem' }),
      );
      take();
      take();
      spec.blocks.forEach((b, i) => {
        model.add(
          tf.layers.depthwiseConv2d({
            kernelSize: 3,
            strides: b.stride,
            padding: 'same',
            depthMultiplier: 1,
            activation: act,
            name: `block${i}_depthwise`,
          }),
        );
        take();
        take();
        model.add(
          tf.layers.conv2d({ filters: b.filters, kernelSize: 1, activation: act, name: `block${i}_pointwise` }),
        );
        take();
        take();
      });
      model.add(tf.layers.globalAveragePooling2d({ name: 'pool' }));
    }
    denseHead();
  }
  const weights = values.map((v) => tf.tensor(v.values, v.shape));
  model.setWeights(weights);
  for (const w of weights) w.dispose();
  return model;
}

/** Rewrites float32 kernels (not biases) as binary16 and marks their specs with tfjs's float16 quantization. */
function halveKernels(specs: tf.io.WeightsManifestEntry[], bin: Uint8Array): Uint8Array {
  const chunks: Uint8Array[] = [];
  let at = 0;
  for (const spec of specs) {
    const n = spec.shape.reduce((a, b) => a * b, 1);
    const values = new Float32Array(bin.slice(at, at + 4 * n).buffer);
    at += 4 * n;
    if (spec.name.endsWith('/bias')) chunks.push(new Uint8Array(values.buffer));
    else {
      chunks.push(new Uint8Array(Uint16Array.from(values, toHalfBits).buffer));
      spec.quantization = { dtype: 'float16' };
    }
  }
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}

/** The files of the tfjs export: `model.json` (topology and a weights manifest naming `weightsName`) and the weights. */
export async function toTfjsFiles(
  trained: TrainedModel,
  weightsName = 'weights.bin',
  /** 'float16': kernels stored as binary16 (tfjs's float16 weight quantization; biases stay float32). */
  weights: 'float32' | 'float16' = 'float32',
): Promise<{ modelJson: string; weightsBin: Uint8Array }> {
  const model = toLayersModel(trained);
  try {
    let saved: tf.io.ModelArtifacts | null = null;
    await model.save(
      tf.io.withSaveHandler(async (artifacts) => {
        saved = artifacts;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    const a = saved as unknown as tf.io.ModelArtifacts;
    const data = a.weightData;
    const parts = data === undefined ? [] : Array.isArray(data) ? data : [data];
    let weightsBin: Uint8Array = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
    let at = 0;
    for (const p of parts) {
      weightsBin.set(new Uint8Array(p), at);
      at += p.byteLength;
    }
    if (weights === 'float16') weightsBin = halveKernels(a.weightSpecs ?? [], weightsBin);
    const modelJson = JSON.stringify({
      format: 'layers-model',
      generatedBy: `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
      convertedBy: 'trainbench export',
      modelTopology: a.modelTopology,
      weightsManifest: [{ paths: [weightsName], weights: a.weightSpecs }],
    });
    return { modelJson, weightsBin };
  } finally {
    model.dispose();
  }
}
