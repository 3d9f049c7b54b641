/**
 * The files of an export, the same in the CLI (`export`) and the workbench (the trainer worker
 * makes them, the page downloads them): checked record in, named files out.
 */
import { readTrainedRecord, type TrainedModel } from '../train/trained';
import { toOnnx } from './onnx';
import { toTfjsFiles } from './tfjs-layers';

export type ExportFormat = 'onnx' | 'tfjs';

export interface ExportedFile {
  name: string;
  bytes: Uint8Array;
}

/**
 * The export of a run record (`{ version, id, config, trained }`) as `to`, each file's name
 * starting with `prefix` (tfjs's manifest names the weights file with it). Throws the record
 * checks' DataError or ConfigError naming the field.
 */
export async function exportFiles(
  record: unknown,
  to: ExportFormat,
  prefix = '',
): Promise<{ files: ExportedFile[]; trained: TrainedModel; id: string }> {
  const { trained } = readTrainedRecord(record);
  const id = String((record as { id?: unknown }).id ?? '');
  const text = (s: string) => new TextEncoder().encode(s);
  const preprocessing = JSON.stringify({ run: id, model: trained.model, ...trained.preprocessing }, null, 2);
  const files: ExportedFile[] = [];
  if (to === 'onnx') {
    const meta = { 'trainbench.run': id, 'trainbench.preprocessing': preprocessing };
    files.push({ name: `${prefix}model.onnx`, bytes: toOnnx(trained, meta) });
  } else {
    const { modelJson, weightsBin } = await toTfjsFiles(trained, `${prefix}weights.bin`);
    files.push(
      { name: `${prefix}model.json`, bytes: text(modelJson) },
      { name: `${prefix}weights.bin`, bytes: weightsBin },
    );
  }
  files.push({ name: `${prefix}preprocessing.json`, bytes: text(`${preprocessing}\n`) });
  return { files, trained, id };
}
