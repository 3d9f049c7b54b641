/**
 * `export`: a trained run as files another tool reads.
 *
 *   npm run cli -- export RUN_RECORD --to onnx|tfjs --out DIR [--json]
 *   npm run cli -- export CONFIG --data FILE --to onnx|tfjs --out DIR   (trains the config first)
 *
 * onnx: `model.onnx` (opset 13) and `preprocessing.json`; tfjs: `model.json`, `weights.bin`
 * and `preprocessing.json`. The model takes encoded rows; preprocessing.json says how a raw row
 * becomes one (core/data/preprocessing.ts) and what the outputs mean. The record is checked
 * first (its format version, the model spec, every tensor's shape and length: trained.ts).
 */
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { DataError } from '../../core/data/table';
import { ConfigError } from '../../core/errors';
import { EXPORT_FORMATS, exportFiles, type ExportFormat, type ExportQuantization } from '../../core/export/files';
import { ONNX_OPSET } from '../../core/export/onnx';
import { timeLimitSeconds, TRAIN_FLAGS, UsageError, type ParsedArgs } from '../args';
import { decodeFile, DEFAULT_TIME_LIMIT_S } from '../decode';
import { datasetFingerprint, sha256Hex } from '../../services/data-service';
import { groupFlag } from './inspect';
import { runData, type RunData } from '../../core/export/run-data';
import { readTrainedRecord } from '../../core/train/trained';

/** A record file larger than this is refused before it is read (weights of very large models). */
const MAX_RECORD_BYTES = 1 << 30;

export function exportHelp(): string {
  return [
    'usage: npm run cli -- export RUN_RECORD --to onnx|tfjs|pytorch --out DIR [--data FILE | --no-data] [--json]',
    '       npm run cli -- export CONFIG --data FILE --to onnx|tfjs|pytorch --out DIR [train flags]',
    '',
    'Writes a trained run as files other tools read. RUN_RECORD is what `train --json` printed (it',
    'carries the trained weights); given a config file instead, the run is trained first (as `train',
    '--config CONFIG --data FILE` would) and then exported.',
    '',
    `  --to onnx     model.onnx (ONNX opset ${ONNX_OPSET}) + preprocessing.json`,
    '  --to tfjs     model.json + weights.bin (tf.loadLayersModel) + preprocessing.json',
    '  --to pytorch  model.py, train_ddp.py (DDP under torchrun), bundle.json, initial_weights.npz,',
    '                trained_weights.npz, data.npz, preprocessing.json, README.md',
    "  --data FILE   pytorch: the run's dataset (checked against the record's sha256) for data.npz",
    '  --no-data     pytorch: export without data.npz',
    '  --quantize Q  store the kernels quantized: int8 (per output channel, ONNX: DequantizeLinear) or f16',
    '                (ONNX: float16 + Cast; tfjs: its float16 weight format); see `quantize` for the accuracy',
    '  --out DIR     the folder to write (created if missing; files of the same names are replaced)',
    '',
    'The model takes encoded rows (float32 [batch, dim]) and gives logits (classification) or the',
    'standardised target (regression); preprocessing.json lists, per source column, how a raw row',
    'is encoded (scale: (x - mean) / std, missing 0; onehot: the listed values; hash: FNV-1a buckets),',
    'the class names and the target mean and std.',
    '',
    'exit codes: 0 success, 1 bad input (the message names the file or field), 2 usage error',
  ].join('\n');
}

export async function readJson(path: string): Promise<unknown> {
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch (e) {
    throw new DataError(`${path}: cannot be read (${(e as NodeJS.ErrnoException).code ?? 'unknown error'})`);
  }
  if (size > MAX_RECORD_BYTES)
    throw new DataError(`${path}: ${size} bytes is larger than a run record can be here (${MAX_RECORD_BYTES})`);
  const text = await readFile(path, 'utf8');
  try {
    return JSON.parse(text);
  } catch (e) {
    const at = /position (\d+)/.exec((e as Error).message);
    const before = at ? text.slice(0, Number(at[1])).split('\n') : null;
    throw new DataError(
      `${path}: is not JSON` +
        (before ? ` (a mistake at line ${before.length}, column ${before[before.length - 1].length + 1})` : ''),
    );
  }
}

/** Refuses an --out that exists and is not a folder (a file, say the run record itself). */
async function checkOutFolder(out: string): Promise<void> {
  let isFolder: boolean;
  try {
    isFolder = (await stat(out)).isDirectory();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return; // made when the files are written
    throw new DataError(`${out}: --out cannot be used (${writeFailure(e)})`);
  }
  if (!isFolder)
    throw new DataError(`${out}: is a file, not a folder; --out names the folder the files are written to`);
}

/** A file system failure in words (its code), never Node's own message with its paths and syscalls. */
function writeFailure(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  const words: Record<string, string> = {
    EACCES: 'permission denied',
    EPERM: 'not permitted',
    EROFS: 'a read-only file system',
    ENOSPC: 'no space left on the device',
    ENOTDIR: 'a part of the path is a file, not a folder',
    EISDIR: 'a folder of that name is in the way',
    EEXIST: 'a file of that name is in the way',
    ENAMETOOLONG: 'the name is too long',
  };
  return code ? (words[code] ? `${words[code]}, ${code}` : code) : 'unknown error';
}

/** True for a run record (it has a version and a summary); anything else is read as a config. */
const isRecord = (v: unknown) =>
  typeof v === 'object' && v !== null && 'version' in v && ('summary' in v || 'trained' in v);

/**
 * The run's data (for data.npz, or to evaluate on): `--data FILE` (checked against the record's
 * sha256), or null with `--no-data`; neither is a ConfigError saying what to pass.
 */
export async function pytorchData(args: ParsedArgs, raw: unknown, purpose = 'export'): Promise<RunData | null> {
  if (args.flags.has('no-data')) return null;
  const { config, trained } = readTrainedRecord(raw);
  const file = args.flags.get('data');
  if (typeof file !== 'string')
    throw new ConfigError(
      'data',
      (purpose === 'export' ? "the PyTorch bundle's data.npz needs" : `${purpose} evaluates on`) +
        ` the run's dataset (${config.data.name}, sha256 ${config.data.fingerprint.slice(0, 12)}...): pass --data FILE` +
        (purpose === 'export' ? ', or --no-data to export without data.npz' : ''),
    );
  const name = file.split(/[\\/]/).pop()!;
  const { table, bytes } = await decodeFile(file, name, timeLimitSeconds(args, DEFAULT_TIME_LIMIT_S), groupFlag(args));
  const fingerprint = await datasetFingerprint(await sha256Hex(bytes), table);
  if (fingerprint !== config.data.fingerprint)
    throw new DataError(
      `${file}: is not the run's dataset (its sha256 is ${fingerprint.slice(0, 12)}..., the run trained on ` +
        `${config.data.name} with ${config.data.fingerprint.slice(0, 12)}...); pass that file` +
        (purpose === 'export' ? ', or --no-data' : ''),
    );
  return runData(table, config, trained.preprocessing.inputs);
}

/** Flags train reads that export of a run record reads too (the data for data.npz, its HDF5 group). */
const RECORD_FLAGS = ['data', 'group', 'quiet'];

/** `--quantize int8|f16`, or null. */
function quantizeFlag(args: ParsedArgs): ExportQuantization | null {
  const q = args.flags.get('quantize');
  if (q === undefined) return null;
  if (q !== 'int8' && q !== 'f16')
    throw new UsageError(`--quantize takes int8 or f16, got ${q === true ? 'nothing' : `"${q}"`}`);
  return q;
}

export async function exportRun(args: ParsedArgs): Promise<{ json: unknown; text: string }> {
  const file = args.positionals[0];
  if (!file)
    throw new UsageError('export needs a run record (or a config with --data): export RUN.json --to onnx --out DIR');
  const to = args.flags.get('to');
  if (typeof to !== 'string' || !(EXPORT_FORMATS as readonly string[]).includes(to))
    throw new UsageError(
      `export needs --to ${EXPORT_FORMATS.join('|')}, got ${to === undefined || to === true ? 'nothing' : `"${to}"`}`,
    );
  const out = args.flags.get('out');
  if (typeof out !== 'string' || out === '') throw new UsageError('export needs --out DIR, the folder to write');
  if (args.flags.has('data') && args.flags.has('no-data'))
    throw new UsageError('--data and --no-data cannot go together (--no-data leaves the data out of a PyTorch bundle)');
  // Before anything is read or trained: an --out that is a file cannot take the files.
  await checkOutFolder(out);

  let raw = await readJson(file);
  if (isRecord(raw)) {
    // A run record is already trained: a training flag would change nothing, so it is refused.
    const training = [...args.flags.keys()].find((f) => TRAIN_FLAGS.includes(f) && !RECORD_FLAGS.includes(f));
    if (training !== undefined)
      throw new UsageError(
        `--${training} applies when exporting a config (trained first, with --data); ${file} is a run record, ` +
          'already trained',
      );
    // Only a PyTorch bundle reads the run's data (its data.npz): a data flag would be dropped.
    const dataFlag = ['data', 'no-data', 'group'].find((f) => args.flags.has(f));
    if (dataFlag !== undefined && to !== 'pytorch')
      throw new UsageError(
        `--${dataFlag} applies to --to pytorch (${dataFlag === 'no-data' ? 'a bundle without' : 'its'} data.npz)` +
          `${dataFlag === 'no-data' ? '' : ' or to a config trained first'}; ${file} is a run record and --to ${to} ` +
          'reads no data',
      );
  } else {
    if (args.flags.has('no-data') && to !== 'pytorch')
      throw new UsageError(
        '--no-data applies to --to pytorch (a bundle without data.npz); a config needs --data to train',
      );
    // A streamed run's rows cannot be rebuilt from the file (see runData): refused before it trains.
    if (to === 'pytorch' && args.flags.has('stream') && !args.flags.has('no-data'))
      throw new UsageError(
        "--stream: a run trained streaming has no rows a PyTorch bundle's data.npz could hold (its split is by " +
          "position, its encoding the first piece's); leave out --stream, or export it with --no-data",
      );
    const data = args.flags.get('data');
    if (typeof data !== 'string')
      throw new DataError(
        `${file}: is not a run record (no version and summary); to export a config, give the data to train it on with --data FILE`,
      );
    const { train } = await import('./train');
    const flags = new Map(args.flags);
    flags.set('config', file);
    flags.delete('to');
    flags.delete('out');
    const ran = await train({ positionals: [], flags });
    if (ran.failure) throw new DataError(`${file}: trained first, and ${ran.failure}`);
    raw = ran.json;
  }
  tf.env().set('PROD', true);
  if (to !== 'onnx') await tf.setBackend('cpu');
  let made: Awaited<ReturnType<typeof exportFiles>>;
  try {
    const data = to === 'pytorch' ? await pytorchData(args, raw) : null;
    made = await exportFiles(raw, to as ExportFormat, '', data, quantizeFlag(args));
  } catch (e) {
    if (e instanceof DataError) throw new DataError(`${file}: ${e.message}`);
    throw e;
  }
  const { trained, id } = made;
  const files: { path: string; bytes: number }[] = [];
  let path = out;
  try {
    await mkdir(out, { recursive: true });
    for (const f of made.files) {
      path = join(out, f.name);
      await writeFile(path, f.bytes);
      files.push({ path, bytes: f.bytes.byteLength });
    }
  } catch (e) {
    throw new DataError(`${path}: cannot be written (${writeFailure(e)})`);
  }
  const text = [
    `${id || file}: ${trained.model.type} with ${trained.tensors.reduce((n, t) => n + t.values.length, 0)} parameters, ` +
      `${trained.preprocessing.dim} inputs -> ${trained.outputs} outputs (${trained.preprocessing.output})`,
    ...files.map((f) => `wrote ${f.path} (${f.bytes} bytes)`),
  ].join('\n');
  return { json: { record: file, run: id, to, out, files }, text };
}
