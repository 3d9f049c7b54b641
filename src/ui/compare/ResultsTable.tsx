import { useMemo, useState } from 'react';
import {
  groupResults,
  sortRows,
  speedUp,
  type ResultRow,
  type SortColumn,
  type TwinChange,
} from '../../core/train/results';
import { resultsToCsv, resultsToJson } from '../../core/share/export';
import { updateView } from '../../state/run-actions';
import { useWorkbench } from '../hooks';
import { compact, factor, rate, seconds, spread } from '../format';
import { download } from '../download';
import { NumberInput } from '../run/fields';
import { differingLabels } from './run-labels';
import { useComparedRuns } from './use-compared';
import { exportAs } from '../run/export-run';
import type { ExportFormat } from '../../core/export/files';
import type { RunView } from '../../state/store';

const COLUMNS: { id: SortColumn; label: string; numeric: boolean }[] = [
  { id: 'config', label: 'Configuration', numeric: false },
  { id: 'runs', label: 'Runs', numeric: true },
  { id: 'samplesPerSec', label: 'Samples/s end-to-end (median, min–max)', numeric: true },
  { id: 'timeToTarget', label: 'Time to target', numeric: true },
  { id: 'finalVal', label: 'Final validation', numeric: true },
  { id: 'speedUp', label: 'Speed-up', numeric: true },
  { id: 'environment', label: 'Environment', numeric: false },
];

const exact = (v: number) => (Number.isInteger(v) ? String(v) : compact(v));

/** fp16-mixed rows: the final loss scale and the skipped steps (median, min–max over the runs). */
function LossScaleNote({ r }: { r: ResultRow }) {
  if (r.lossScale.n === 0 && r.skippedSteps.n === 0) return null;
  const part = (name: string, st: ResultRow['lossScale']) => {
    const range = spread(st.min, st.max, st.n, exact);
    return st.median === null ? '' : `${name} ${exact(st.median)}${range ? ` (${range})` : ''}`;
  };
  return (
    <span
      className="spread loss-scale-note"
      data-testid="loss-scale"
      title="fp16-mixed: the dynamic loss scale at the end of the run, and the steps skipped because a gradient overflowed (each halves the scale); median over the runs"
    >
      {[part('loss scale', r.lossScale), part('skipped', r.skippedSteps)].filter(Boolean).join(' · ')}
    </span>
  );
}

/**
 * Pruned rows: the sparsity reached, the parameters left, and the change in the final
 * validation metric against the same configuration without pruning (per seed, median).
 */
function PruningNote({ r }: { r: ResultRow }) {
  if (!r.config.pruning) return null;
  const s = r.sparsity;
  const pct = (v: number) => `${(100 * v).toFixed(1)} %`;
  const range = spread(s.min, s.max, s.n, pct);
  const change = twinChange(
    r,
    r.againstDense,
    'dense',
    'no dense twin in the results (train this configuration without pruning to compare)',
  );
  return (
    <span
      className="spread pruning-note"
      data-testid="pruning-note"
      title="share of zero weights in the kernels at the end of the run (biases are not pruned), the parameters left that are not zero, and the change in final validation against the same configuration trained without pruning: median over the seeds both have of (pruned - dense)"
    >
      {s.median === null ? 'sparsity –' : `${pct(s.median)} sparse${range ? ` (${range})` : ''}`}
      {r.nonZeroParameters.median !== null && ` · ${compact(r.nonZeroParameters.median)} non-zero params`} · {change}
      {r.sparseLayers && ` · ${sparseKernels(r.sparseLayers)}`}
    </span>
  );
}

/** `+1.5 points vs dense (3 seeds)`, or why there is no such figure. */
function twinChange(r: ResultRow, d: TwinChange | null, twin: string, missing: string): string {
  const points = (v: number) =>
    r.valKind === 'accuracy'
      ? `${v >= 0 ? '+' : ''}${(100 * v).toFixed(1)} points`
      : `${v >= 0 ? '+' : ''}${compact(v)} loss`;
  if (!d) return missing;
  if (d.change === null) return `${twin} twin has no seed in common`;
  return `${points(d.change)} vs ${twin} (${d.seeds} seed${d.seeds === 1 ? '' : 's'})`;
}

/**
 * Distilled rows: which run taught them (its title when it is in the workbench) and the change
 * in the final validation metric against the same configuration trained without a teacher.
 */
function DistillNote({ r, runs }: { r: ResultRow; runs: readonly RunView[] }) {
  const d = r.config.distill;
  if (!d) return null;
  const teacher = runs.find((t) => t.id === d.teacher);
  const change = twinChange(
    r,
    r.againstAlone,
    'no teacher',
    'no twin without a teacher in the results (train this configuration without distillation to compare)',
  );
  return (
    <span
      className="spread distill-note"
      data-testid="distill-note"
      title="the teacher run, and the change in final validation against the same configuration trained without a teacher: median over the seeds both have of (distilled - alone)"
    >
      teacher {teacher ? teacher.title : d.teacher} · {change}
    </span>
  );
}

/** `CSR kernels: layer 0 (x1.9), layer 1 dense (sparse x0.8)`. */
function sparseKernels(layers: NonNullable<ResultRow['sparseLayers']>): string {
  const ratio = (l: (typeof layers)[number]) =>
    l.denseMs && l.sparseMs ? `x${(l.denseMs / l.sparseMs).toFixed(2)}` : '';
  return `CSR kernels: ${layers
    .map((l) =>
      l.sparse ? `layer ${l.layer} (${ratio(l) || 'forced'})` : `layer ${l.layer} dense (sparse ${ratio(l)})`,
    )
    .join(', ')}`;
}

/** The model's size: trainable parameters and forward FLOPs per sample. */
function ModelNote({ r }: { r: ResultRow }) {
  if (!r.model) return null;
  return (
    <span
      className="spread model-note"
      data-testid="model-size"
      title="trainable parameters and floating-point operations of one sample's forward pass (a multiply-add counts two); bytes one training batch puts on the device, and the share of the step time spent waiting for data (median over the runs)"
    >
      {compact(r.model.parameters)} params · {compact(r.model.flopsPerSample)} FLOPs/sample
      {r.batchBytes !== null && ` · ${compact(r.batchBytes / 1024)} KB/batch`}
      {r.dataWait.median !== null && ` · data wait ${(100 * r.dataWait.median).toFixed(1)} %`}
    </span>
  );
}

function valText(r: ResultRow, v: number | null): string {
  if (v === null) return '–';
  return r.valKind === 'accuracy' ? `${(100 * v).toFixed(1)} %` : compact(v);
}

/** The row's model export: the latest of its runs that finished without failing (the run list exports any one). */
function RowExport({ r, runs }: { r: ResultRow; runs: readonly RunView[] }) {
  const last = runs
    .filter((run) => r.runIds.includes(run.id) && (run.status === 'done' || run.status === 'stopped'))
    .pop();
  if (!last) return null;
  return (
    <select
      className="row-export small"
      value=""
      aria-label={`Export the model of the last run of ${r.label}`}
      title={`Download the trained model of ${last.title}`}
      onChange={(e) => {
        const to = e.target.value as ExportFormat | '';
        if (to) void exportAs(last.id, to);
      }}
    >
      <option value="">Export…</option>
      <option value="onnx">ONNX</option>
      <option value="tfjs">tfjs</option>
      <option value="pytorch">PyTorch job</option>
    </select>
  );
}

/**
 * One row per configuration (runs grouped over seeds) of the runs the comparison lists (its
 * dataset filter, less the runs cleared from the view), labelled by the settings that differ
 * between the rows; sortable, with a chosen baseline and CSV/JSON export.
 */
export function ResultsTable() {
  const { listed: runs } = useComparedRuns(1000, 750);
  const view = useWorkbench((s) => s.view);
  const [sort, setSort] = useState<{ column: SortColumn; dir: 'asc' | 'desc' } | null>(null);
  const rows = useMemo(() => {
    const grouped = groupResults(runs, view.targetLoss);
    const originOf = new Map(runs.map((r) => [r.id, r.origin ?? null]));
    const labels = differingLabels(
      grouped.map((g) => ({
        config: g.config,
        budgetSec: runs.find((r) => r.id === g.runIds[0])?.budgetSec ?? null,
        origin: originOf.get(g.runIds[0]) ?? null,
      })),
    );
    return grouped.map((g, i) => ({ ...g, label: labels[i] }));
  }, [runs, view.targetLoss]);
  const baseline = rows.find((r) => r.key === view.baselineKey) ?? rows[0] ?? null;
  const sorted = sort ? sortRows(rows, sort.column, sort.dir, view.speedUpBy) : rows;
  const options = { targetLoss: view.targetLoss, baselineKey: baseline?.key ?? null, speedUpBy: view.speedUpBy };
  const stamp = () => new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-');

  const onSort = (column: SortColumn) =>
    setSort((s) =>
      s?.column === column
        ? { column, dir: s.dir === 'asc' ? 'desc' : 'asc' }
        : { column, dir: column === 'config' || column === 'environment' ? 'asc' : 'desc' },
    );

  return (
    <section className="panel results-panel" aria-labelledby="results-heading">
      <div className="panel-head">
        <h2 id="results-heading">Results</h2>
        <div className="results-controls">
          <label className="inline">
            Target loss
            <NumberInput
              value={view.targetLoss}
              allowEmpty
              min={0}
              onCommit={(v) => updateView({ targetLoss: v })}
              className="narrow"
            />
          </label>
          <label className="inline">
            Speed-up by
            <select value={view.speedUpBy} onChange={(e) => updateView({ speedUpBy: e.target.value as 'throughput' })}>
              <option value="throughput">samples/s</option>
              <option value="timeToTarget">time to target</option>
            </select>
          </label>
          <button
            type="button"
            disabled={rows.length === 0}
            onClick={() => download(`trainbench-results-${stamp()}.csv`, resultsToCsv(sorted, options), 'text/csv')}
          >
            Export CSV
          </button>
          <button
            type="button"
            disabled={rows.length === 0}
            onClick={() =>
              download(`trainbench-results-${stamp()}.json`, resultsToJson(sorted, options), 'application/json')
            }
          >
            Export JSON
          </button>
        </div>
      </div>
      <div className="table-scroll">
        <table className="results" data-testid="results-table" data-rows={rows.length}>
          <caption className="visually-hidden">Results per configuration; press a column heading to sort</caption>
          <thead>
            <tr>
              {COLUMNS.map((c) => (
                <th
                  key={c.id}
                  scope="col"
                  aria-sort={sort?.column === c.id ? (sort.dir === 'asc' ? 'ascending' : 'descending') : 'none'}
                  className={c.numeric ? 'num' : ''}
                >
                  <button type="button" className="sort" onClick={() => onSort(c.id)}>
                    {c.label}
                    <span aria-hidden="true">{sort?.column === c.id ? (sort.dir === 'asc' ? ' ▲' : ' ▼') : ''}</span>
                  </button>
                </th>
              ))}
              <th scope="col">Baseline</th>
            </tr>
          </thead>
          <tbody>
            {sorted.length === 0 && (
              <tr>
                <td colSpan={COLUMNS.length + 1} className="muted">
                  Finished and running runs show here, one row per configuration.
                </td>
              </tr>
            )}
            {sorted.map((r) => {
              const up = baseline ? speedUp(r, baseline, view.speedUpBy) : null;
              const isBase = baseline?.key === r.key;
              return (
                <tr
                  key={r.key}
                  data-testid="results-row"
                  data-samples-per-sec={r.samplesPerSec.median ?? ''}
                  data-runs={r.runIds.length}
                  className={isBase ? 'baseline' : ''}
                >
                  <th scope="row" title={r.fullLabel} className="config-cell">
                    {r.label}
                    <ModelNote r={r} />
                    <LossScaleNote r={r} />
                    <PruningNote r={r} />
                    <DistillNote r={r} runs={runs} />
                    <RowExport r={r} runs={runs} />
                  </th>
                  <td className="num" title={`seeds ${r.seeds.join(', ')}`}>
                    {r.runIds.length}
                  </td>
                  <td className="num">
                    {rate(r.samplesPerSec.median)}
                    <span className="spread">
                      {' '}
                      {spread(r.samplesPerSec.min, r.samplesPerSec.max, r.samplesPerSec.n, (v) => compact(v))}
                    </span>
                    <span
                      className="spread steady"
                      data-testid="steady-rate"
                      title="steady state: the median over windows of about 10 steps, without start-up, validation passes and stalls"
                    >
                      <br />
                      steady {compact(r.steadySamplesPerSec.median)}
                    </span>
                  </td>
                  <td
                    className="num"
                    title={
                      view.targetLoss === null
                        ? 'set a target loss'
                        : `smoothed loss ` +
                          `≤ ${view.targetLoss}; ${r.timeToTarget.n} of ${r.runIds.length} runs reached it`
                    }
                  >
                    {view.targetLoss === null
                      ? '–'
                      : r.timeToTarget.median === null
                        ? 'not reached'
                        : seconds(r.timeToTarget.median)}
                    <span className="spread">
                      {' '}
                      {spread(r.timeToTarget.min, r.timeToTarget.max, r.timeToTarget.n, seconds)}
                    </span>
                    {r.timeToTarget.n > 0 && r.timeToTarget.n < r.runIds.length && (
                      <span className="spread">
                        {' '}
                        ({r.timeToTarget.n}/{r.runIds.length})
                      </span>
                    )}
                  </td>
                  <td
                    className="num"
                    title={
                      r.valKind === 'loss'
                        ? `validation loss (MSE on the standardised target)${r.finalRmse.n ? "; RMSE in the label's units" : ''}`
                        : 'validation accuracy'
                    }
                  >
                    {valText(r, r.finalVal.median)}
                    <span className="spread">
                      {' '}
                      {spread(r.finalVal.min, r.finalVal.max, r.finalVal.n, (v) => valText(r, v))}
                    </span>
                    {r.finalRmse.median !== null && (
                      <span className="spread" data-testid="final-rmse">
                        {' '}
                        · RMSE {compact(r.finalRmse.median)}
                      </span>
                    )}
                  </td>
                  <td className="num">{isBase ? 'baseline' : factor(up)}</td>
                  <td
                    className="env-cell"
                    title={r.environments
                      .map(
                        (e) =>
                          `${e.runtime} · ${e.backend} · features: ${e.features.join(', ') || 'none'} · ` +
                          `f16 ${e.f16Path}${e.fallbackReason ? ` · fallback: ${e.fallbackReason}` : ''}`,
                      )
                      .join('\n')}
                  >
                    {r.environment}
                  </td>
                  <td>
                    <input
                      type="radio"
                      name="baseline"
                      checked={isBase}
                      onChange={() => updateView({ baselineKey: r.key })}
                      aria-label={`Use ${r.label} as the baseline`}
                    />
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
}
