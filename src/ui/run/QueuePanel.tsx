import { useRef, useState } from 'react';
import { environmentLabel, lossText } from '../../core/train/results';
import {
  clearRuns,
  deleteRun,
  discardRestored,
  pauseRun,
  queueRestored,
  removeQueued,
  resumeRun,
  stopRun,
} from '../../state/run-actions';
import type { RunView } from '../../state/store';
import { exportAs } from './export-run';
import { quantizeRun } from '../../state/export-actions';
import type { Evaluation, QuantizeReport } from '../../core/compress/quantize';
import type { ExportFormat } from '../../core/export/files';
import { importRecord, MAX_RECORD_BYTES } from '../../state/import-record';
import { store } from '../../state/store';
import { DataError } from '../../core/data/table';
import { useThrottledWorkbench, useWorkbench } from '../hooks';
import { runColour, seconds } from '../format';
import { useComparedRuns, type RunStyle } from '../compare/use-compared';

/** Fraction of a run done: steps of the expected steps, or time of the budget. */
function progressOf(r: RunView): number | null {
  if (r.status === 'done') return 1;
  const last = r.steps[r.steps.length - 1];
  if (r.budgetSec) return last ? Math.min(1, last.time / r.budgetSec) : 0;
  if (r.expectedSteps) return Math.min(1, r.steps.length / r.expectedSteps);
  return null;
}

/** The export buttons of a finished run: format, button text, and the words of its label. */
const EXPORTS: [ExportFormat, string, string][] = [
  ['onnx', 'ONNX', 'ONNX'],
  ['tfjs', 'tfjs', 'tfjs'],
  ['pytorch', 'PyTorch', 'a PyTorch job'],
];

const evalText = (e: Evaluation | null) =>
  e === null
    ? '–'
    : e.accuracy === null
      ? `loss ${lossText(e.loss)}`
      : `${(100 * e.accuracy).toFixed(1)} % (loss ${e.loss.toFixed(3)})`;

/** A run's model in its quantized forms: size and validation / test metrics beside the float model. */
function QuantizedTable({ report }: { report: QuantizeReport }) {
  const float = report.forms[0].bytes;
  return (
    <table className="quantized" data-testid="quantized">
      <caption className="muted small">
        quantized after training · activations calibrated on {report.calibrationRows} training rows · {report.valRows}{' '}
        validation, {report.testRows} test rows
      </caption>
      <thead>
        <tr>
          <th scope="col">form</th>
          <th scope="col">size</th>
          <th scope="col">validation</th>
          <th scope="col">test</th>
        </tr>
      </thead>
      <tbody>
        {report.forms.map((f) => (
          <tr key={f.mode} data-mode={f.mode} data-val-accuracy={f.val?.accuracy ?? ''}>
            <th scope="row">{f.mode}</th>
            <td className="num">
              {(f.bytes / 1024).toFixed(1)} KB ({Math.round((100 * f.bytes) / float)} %)
            </td>
            <td className="num">{evalText(f.val)}</td>
            <td className="num">{evalText(f.test)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/**
 * Opens a run record file (from `train --json`, or an exported PyTorch job's run-pytorch.json)
 * as a finished run; a bad file is a notice naming what is wrong.
 */
function OpenRecord() {
  const input = useRef<HTMLInputElement>(null);
  const open = async (file: File) => {
    try {
      if (file.size > MAX_RECORD_BYTES)
        throw new DataError(`${file.name}: ${file.size} bytes is more than a run record can be (${MAX_RECORD_BYTES})`);
      importRecord(await file.text(), file.name);
    } catch (e) {
      store.setState({
        notice: e instanceof DataError ? e.message : `${file.name}: could not be opened as a run record`,
      });
    }
  };
  return (
    <>
      <button type="button" className="small" onClick={() => input.current?.click()}>
        Open a run record…
      </button>
      <input
        ref={input}
        type="file"
        accept=".json,application/json"
        data-testid="record-input"
        aria-label="Open a run record file"
        style={{ display: 'none' }}
        onChange={(e) => {
          const file = e.target.files?.[0];
          e.target.value = '';
          if (file) void open(file);
        }}
      />
    </>
  );
}

/** The run's colour on the charts (its own when the comparison does not list it). */
const Swatch = ({ r, styles }: { r: RunView; styles: Record<string, RunStyle> }) => (
  <span className="swatch" style={{ background: styles[r.id]?.colour ?? runColour(r.colour) }} aria-hidden="true" />
);

/** The queue bar: what runs, what waits, progress, pause / stop, and the finished runs (delete, clear). */
export function QueuePanel() {
  // Throttled like the charts: the bar follows a run twice a second, in a transition.
  const runs = useThrottledWorkbench((s) => s.runs, 500, 60);
  const { styles } = useComparedRuns(500, 60);
  const storage = useWorkbench((s) => s.storage);
  const [open, setOpen] = useState(false);
  const [confirmClear, setConfirmClear] = useState(false);
  const live = runs.find((r) => r.status === 'running' || r.status === 'paused') ?? null;
  const waiting = runs.filter((r) => r.status === 'queued');
  const finished = runs.filter((r) => r.status === 'done' || r.status === 'stopped' || r.status === 'failed');
  // This batch: the runs made since the oldest one still waiting or running.
  const since = Math.min(...[live, ...waiting].filter((r): r is RunView => r !== null).map((r) => r.createdAt));
  // Runs of this session only: a run restored from storage or opened from a link is finished and never started here.
  const batch = runs.filter((r) => (r.status === 'queued' || r.startedAt !== null) && r.createdAt >= since);
  const batchDone = batch.filter(
    (r) => r.status !== 'queued' && r.status !== 'running' && r.status !== 'paused',
  ).length;
  const overall = batch.length ? (batchDone + (live ? (progressOf(live) ?? 0) : 0)) / batch.length : null;
  const liveProgress = live ? progressOf(live) : null;
  const last = live?.steps[live.steps.length - 1];

  return (
    <section
      className="queue-bar"
      data-testid="run-queue"
      data-running={live ? 1 : 0}
      data-waiting={waiting.length}
      data-finished={finished.length}
      aria-label="Run queue"
    >
      <RestoredQueue />
      <div className="queue-summary">
        <strong>Queue</strong>
        <span data-testid="queue-counts">
          {live ? `1 ${live.status}` : 'idle'} · {waiting.length} waiting
        </span>
        {overall !== null && (
          <span className="queue-progress">
            <progress value={overall} max={1} aria-label="Queue progress" />
            {Math.round(overall * 100)} %
          </span>
        )}
        {live && (
          <span className="queue-live" title={live.title}>
            <Swatch r={live} styles={styles} />
            <span className="ellipsis">{live.title}</span>
            {liveProgress !== null && (
              <progress value={liveProgress} max={1} aria-label="Progress of the running run" />
            )}
            <span className="muted">
              {live.budgetSec
                ? `${seconds(last?.time ?? 0)} of ${live.budgetSec} s`
                : `step ${live.steps.length}${live.expectedSteps ? ` of ${live.expectedSteps}` : ''}`}
            </span>
          </span>
        )}
        <span className="queue-buttons">
          {live?.status === 'paused' ? (
            <button type="button" onClick={resumeRun}>
              Resume
            </button>
          ) : (
            <button type="button" onClick={pauseRun} disabled={!live}>
              Pause
            </button>
          )}
          <button type="button" data-testid="stop-button" onClick={stopRun} disabled={!live}>
            Stop
          </button>
          <button type="button" aria-expanded={open} aria-controls="queue-details" onClick={() => setOpen((v) => !v)}>
            {open ? 'Hide runs' : `Runs (${runs.length})`}
          </button>
        </span>
      </div>
      {open && (
        <div id="queue-details" className="queue-details">
          <div>
            <h3>Waiting</h3>
            {waiting.length === 0 ? (
              <p className="muted">Nothing waiting.</p>
            ) : (
              <ol className="run-list">
                {waiting.map((r) => (
                  <li key={r.id} data-testid="queued-run">
                    <Swatch r={r} styles={styles} />
                    <span className="ellipsis" title={r.title}>
                      {r.title}
                    </span>
                    <button
                      type="button"
                      onClick={() => removeQueued(r.id)}
                      aria-label={`Remove ${r.title} from the queue`}
                    >
                      Remove
                    </button>
                  </li>
                ))}
              </ol>
            )}
          </div>
          <div>
            <h3>
              Finished runs{' '}
              <span className="muted small">
                {storage.error ??
                  `kept in this browser (IndexedDB)${storage.restored ? `, ${storage.restored} restored` : ''}`}
              </span>{' '}
              <OpenRecord />
            </h3>
            {finished.length === 0 ? (
              <p className="muted">None yet.</p>
            ) : (
              <ul className="run-list">
                {finished.map((r) => (
                  <li key={r.id} data-testid="finished-run">
                    <Swatch r={r} styles={styles} />
                    <span className={`status status-${r.status}`}>{r.status}</span>
                    <span
                      className="ellipsis"
                      title={`${r.title}\n${environmentLabel(r.environment)}${r.error ? `\n${r.error}` : ''}`}
                    >
                      {r.title}
                    </span>
                    <span className="muted small">{r.origin ?? environmentLabel(r.environment)}</span>
                    {r.status !== 'failed' && (
                      <span className="export-buttons" title="Download the trained model (see the README, Export)">
                        <button
                          type="button"
                          onClick={() => void quantizeRun(r.id)}
                          aria-label={`Quantize run ${r.title}`}
                          title="f16, int8 weights and int8 activations, evaluated on the run's validation and test rows"
                        >
                          Quantize
                        </button>
                        {EXPORTS.map(([to, button, words]) => (
                          <button
                            key={to}
                            type="button"
                            onClick={() => void exportAs(r.id, to)}
                            aria-label={`Export run ${r.title} as ${words}`}
                          >
                            {button}
                          </button>
                        ))}
                      </span>
                    )}
                    <button type="button" onClick={() => deleteRun(r.id)} aria-label={`Delete run ${r.title}`}>
                      Delete
                    </button>
                    {r.quantized && <QuantizedTable report={r.quantized} />}
                  </li>
                ))}
              </ul>
            )}
            {finished.length > 0 &&
              (confirmClear ? (
                <p>
                  Delete all {finished.length} finished runs?{' '}
                  <button
                    type="button"
                    onClick={() => {
                      clearRuns();
                      setConfirmClear(false);
                    }}
                  >
                    Delete all
                  </button>{' '}
                  <button type="button" onClick={() => setConfirmClear(false)}>
                    Keep them
                  </button>
                </p>
              ) : (
                <button type="button" onClick={() => setConfirmClear(true)}>
                  Clear all…
                </button>
              ))}
          </div>
        </div>
      )}
    </section>
  );
}

/** Runs that were waiting when the page last closed: queue them again (on their own data) or let them go. */
function RestoredQueue() {
  const restored = useWorkbench((s) => s.restoredQueue);
  const [why, setWhy] = useState<string | null>(null);
  if (!restored) return null;
  const n = restored.runs.length;
  const names = [...new Set(restored.runs.map((w) => w.config.data.name))].join(', ');
  return (
    <div className="queue-restored" role="status" data-testid="restored-queue" data-runs={n}>
      {n} run{n === 1 ? ' was' : 's were'} waiting when the page closed (on {names}
      {restored.dropped ? `; ${restored.dropped} more could not be read back` : ''})
      {restored.sweep ? ', a sweep in progress among them: it goes on' : ''}.{' '}
      <button type="button" onClick={() => setWhy(queueRestored())}>
        Queue {n === 1 ? 'it' : 'them'} again
      </button>{' '}
      <button
        type="button"
        onClick={() => {
          setWhy(null);
          discardRestored();
        }}
      >
        Discard
      </button>
      {why && (
        <span className="error" role="alert">
          {' '}
          {why}
        </span>
      )}
    </div>
  );
}
