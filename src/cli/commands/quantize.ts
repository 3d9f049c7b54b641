/**
 * `quantize`: a finished run's model quantized after training (int8 weights per output channel,
 * int8 activations calibrated on training rows, f16 weights) and evaluated beside the float model
 * on the run's validation and test rows (core/compress/quantize.ts).
 *
 *   npm run cli -- quantize RUN_RECORD --data FILE [--json]
 */
import * as tf from '@tensorflow/tfjs';
import { quantizeReport, type Evaluation } from '../../core/compress/quantize';
import { DataError } from '../../core/data/table';
import { readTrainedRecord, type TrainedModel } from '../../core/train/trained';
import { UsageError, type ParsedArgs } from '../args';
import { pytorchData, readJson } from './export';

export function quantizeHelp(): string {
  return [
    'usage: npm run cli -- quantize RUN_RECORD --data FILE [--json]',
    '',
    "Quantizes a finished run's model after training and evaluates each form on the run's validation and",
    'test rows, beside the float model: f16 weights; int8 weights (symmetric, per output channel);',
    'int8 weights and int8 activations (per tensor, calibrated on up to 2,048 training rows).',
    "RUN_RECORD is what `train --json` printed (it carries the weights); --data is the run's dataset",
    '(checked against the record).',
    '',
    'exit codes: 0 success, 1 bad input (the message names the file or field), 2 usage error',
  ].join('\n');
}

const fmt = (e: Evaluation | null) =>
  e === null
    ? '-'
    : `loss ${e.loss.toFixed(4)}${e.accuracy === null ? '' : `, accuracy ${(100 * e.accuracy).toFixed(2)} %`}` +
      (e.rmse === undefined ? '' : `, RMSE ${e.rmse.toPrecision(4)}`);

export async function quantize(args: ParsedArgs): Promise<{ json: unknown; text: string }> {
  const file = args.positionals[0];
  if (!file) throw new UsageError('quantize needs a run record: quantize RUN.json --data FILE');
  if (args.flags.has('no-data')) throw new UsageError("quantize evaluates on the run's rows: it needs --data FILE");
  const raw = await readJson(file);
  let trained: TrainedModel;
  try {
    trained = readTrainedRecord(raw).trained;
  } catch (e) {
    if (e instanceof DataError) throw new DataError(`${file}: ${e.message}`);
    throw e;
  }
  const data = await pytorchData(args, raw, 'quantize');
  if (!data) throw new UsageError("quantize evaluates on the run's rows: it needs --data FILE");
  tf.env().set('PROD', true);
  await tf.setBackend('cpu');
  const report = await quantizeReport(trained, data);
  const modes = report.forms;
  const float = modes[0];
  const text = [
    `${file}: ${trained.model.type}, ${trained.tensors.reduce((n, t) => n + t.values.length, 0)} parameters; ` +
      `${report.valRows} validation and ${report.testRows} test rows; activations calibrated on ` +
      `${report.calibrationRows} training rows`,
    ...modes.map(
      (m) =>
        `  ${m.mode.padEnd(9)} ${String(m.bytes).padStart(9)} bytes (${((100 * m.bytes) / float.bytes).toFixed(0).padStart(3)} %)` +
        `  val ${fmt(m.val)}  ·  test ${fmt(m.test)}`,
    ),
  ].join('\n');
  return { json: { record: file, calibrationRows: report.calibrationRows, modes }, text };
}
