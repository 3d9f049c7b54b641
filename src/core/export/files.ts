/**
 * The files of an export, the same in the CLI (`export`) and the workbench (the trainer worker
 * makes them, the page downloads them): checked record in, named files out.
 */
import { ConfigError } from '../errors';
import { createModel } from '../train/model';
import { readTrainedRecord, type TrainedModel } from '../train/trained';
import { toOnnx } from './onnx';
import { pytorchFiles } from './pytorch';
import type { RunData } from './run-data';
import { toTfjsFiles } from './tfjs-layers';

export type ExportFormat = 'onnx' | 'tfjs' | 'pytorch';
export type ExportQuantization = 'int8' | 'f16';
export const EXPORT_FORMATS: readonly ExportFormat[] = ['onnx', 'tfjs', 'pytorch'];

export interface ExportedFile {
  name: string;
  bytes: Uint8Array;
}

/** The weights a run started from: the engines draw them from the run's seed (models/init.ts). */
export async function initialWeights(trained: TrainedModel, seed: number): Promise<Float32Array[]> {
  const model = createModel(trained.model, trained.preprocessing.dim, trained.outputs, seed);
  try {
    return await Promise.all(model.variables.map(async (v) => Float32Array.from(await v.data())));
  } finally {
    model.dispose();
  }
}

/**
 * The export of a run record (`{ version, id, config, trained }`) as `to`, each file's name
 * starting with `prefix` (tfjs's manifest names the weights file with it). `data`: the run's
 * data for the PyTorch bundle's data.npz (run-data.ts), or null to leave it out. Throws the
 * record checks' DataError or ConfigError naming the field.
 */
export async function exportFiles(
  record: unknown,
  to: ExportFormat,
  prefix = '',
  data: RunData | null = null,
  /** Kernels stored quantized: int8 per channel (ONNX only) or float16 (ONNX, tfjs); null: as trained. */
  quantize: ExportQuantization | null = null,
): Promise<{ files: ExportedFile[]; trained: TrainedModel; id: string }> {
  const { trained, config } = readTrainedRecord(record);
  if (quantize && to === 'pytorch')
    throw new ConfigError('quantize', 'the PyTorch bundle trains its weights: export it unquantized');
  if (quantize === 'int8' && to === 'tfjs')
    throw new ConfigError(
      'quantize',
      'tfjs stores int8 weights with one scale per tensor, not per channel as quantize measured; use f16 for tfjs, or ONNX for int8',
    );
  const id = String((record as { id?: unknown }).id ?? '');
  const text = (s: string) => new TextEncoder().encode(s);
  const preprocessing = `${JSON.stringify({ run: id, model: trained.model, ...trained.preprocessing }, null, 2)}\n`;
  if (to === 'pytorch') {
    const initial = await initialWeights(trained, config.seed);
    return { files: pytorchFiles(id, config, trained, initial, data, preprocessing, prefix), trained, id };
  }
  const files: ExportedFile[] = [];
  if (to === 'onnx') {
    const meta = { 'trainbench.run': id, 'trainbench.preprocessing': preprocessing };
    const weights = quantize === 'int8' ? 'int8' : quantize === 'f16' ? 'float16' : 'float32';
    files.push({ name: `${prefix}model.onnx`, bytes: toOnnx(trained, meta, weights) });
  } else {
    const { modelJson, weightsBin } = await toTfjsFiles(
      trained,
      `${prefix}weights.bin`,
      quantize === 'f16' ? 'float16' : 'float32',
    );
    files.push(
      { name: `${prefix}model.json`, bytes: text(modelJson) },
      { name: `${prefix}weights.bin`, bytes: weightsBin },
    );
  }
  files.push({ name: `${prefix}preprocessing.json`, bytes: text(preprocessing) });
  return { files, trained, id };
}
