/**
 * The results table as CSV (RFC 4180: comma-separated, CRLF line ends, fields with a comma,
 * quote or line break in double quotes, quotes doubled) and as JSON. Numbers are written in
 * full precision; the screen rounds, the file does not.
 */
import { speedUp, type ResultRow, type SpeedUpBy } from '../train/results';

export const CSV_COLUMNS = [
  'config',
  'runs',
  'seeds',
  'engine',
  'precision',
  'samples_per_sec_median',
  'samples_per_sec_min',
  'samples_per_sec_max',
  'target_loss',
  'time_to_target_s_median',
  'time_to_target_s_min',
  'time_to_target_s_max',
  'runs_reaching_target',
  'final_val_kind',
  'final_val_median',
  'final_val_min',
  'final_val_max',
  'final_val_rmse_median',
  'loss_scale_median',
  'loss_scale_min',
  'loss_scale_max',
  'skipped_steps_median',
  'skipped_steps_min',
  'skipped_steps_max',
  'parameters',
  'flops_per_sample',
  'batch_bytes',
  'data_wait_share_median',
  'sparsity_median',
  'non_zero_parameters_median',
  'val_change_vs_dense',
  'val_change_vs_no_teacher',
  'speed_up',
  'speed_up_by',
  'baseline',
  'environment',
  'full_config',
] as const;

/** One CSV field, quoted when it must be. */
export function csvField(v: string | number | null): string {
  if (v === null) return '';
  const s = typeof v === 'number' ? (Number.isFinite(v) ? String(v) : '') : v;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export interface ExportOptions {
  targetLoss: number | null;
  /** Key of the baseline row, or null for no speed-up column values. */
  baselineKey: string | null;
  speedUpBy: SpeedUpBy;
}

/** The values of one row, in {@link CSV_COLUMNS} order. */
function rowValues(r: ResultRow, baseline: ResultRow | null, o: ExportOptions): (string | number | null)[] {
  return [
    r.label,
    r.runIds.length,
    r.seeds.join(' '),
    r.config.engine ?? 'tfjs',
    r.config.precision,
    r.samplesPerSec.median,
    r.samplesPerSec.min,
    r.samplesPerSec.max,
    o.targetLoss,
    r.timeToTarget.median,
    r.timeToTarget.min,
    r.timeToTarget.max,
    `${r.timeToTarget.n}/${r.runIds.length}`,
    r.valKind,
    r.finalVal.median,
    r.finalVal.min,
    r.finalVal.max,
    r.finalRmse.median,
    r.lossScale.median,
    r.lossScale.min,
    r.lossScale.max,
    r.skippedSteps.median,
    r.skippedSteps.min,
    r.skippedSteps.max,
    r.model?.parameters ?? null,
    r.model?.flopsPerSample ?? null,
    r.batchBytes,
    r.dataWait.median,
    r.sparsity.median,
    r.nonZeroParameters.median,
    r.againstDense?.change ?? null,
    r.againstAlone?.change ?? null,
    baseline ? speedUp(r, baseline, o.speedUpBy) : null,
    o.speedUpBy,
    baseline?.label ?? null,
    r.environment,
    r.fullLabel,
  ];
}

/** The rows as CSV with a header line. */
export function resultsToCsv(rows: readonly ResultRow[], o: ExportOptions): string {
  const baseline = rows.find((r) => r.key === o.baselineKey) ?? null;
  const lines = [CSV_COLUMNS.join(','), ...rows.map((r) => rowValues(r, baseline, o).map(csvField).join(','))];
  return lines.join('\r\n') + '\r\n';
}

/** The rows as a JSON document (version 1), with each configuration in full. */
export function resultsToJson(rows: readonly ResultRow[], o: ExportOptions): string {
  const baseline = rows.find((r) => r.key === o.baselineKey) ?? null;
  return JSON.stringify(
    {
      version: 1,
      targetLoss: o.targetLoss,
      speedUpBy: o.speedUpBy,
      baseline: baseline?.label ?? null,
      rows: rows.map((r) => ({
        label: r.label,
        runIds: r.runIds,
        seeds: r.seeds,
        engine: r.config.engine ?? 'tfjs',
        precision: r.config.precision,
        samplesPerSec: r.samplesPerSec,
        timeToTarget: r.timeToTarget,
        lossReached: r.lossReached,
        finalVal: { kind: r.valKind, ...r.finalVal },
        // Regression only (n 0 otherwise): the validation RMSE in the label's units.
        finalRmse: r.finalRmse,
        // fp16-mixed runs only (n 0 otherwise): the final dynamic loss scale and the skipped steps.
        lossScale: r.lossScale,
        skippedSteps: r.skippedSteps,
        model: r.model,
        batchBytes: r.batchBytes,
        dataWait: r.dataWait,
        // Pruned runs only: kernel sparsity at the end, parameters not zero, change against the dense twin.
        sparsity: r.sparsity,
        nonZeroParameters: r.nonZeroParameters,
        againstDense: r.againstDense,
        // Distilled runs only: change against the same configuration trained without the teacher.
        againstAlone: r.againstAlone,
        speedUp: baseline ? speedUp(r, baseline, o.speedUpBy) : null,
        environment: r.environment,
        environments: r.environments,
        config: r.config,
      })),
    },
    null,
    2,
  );
}
