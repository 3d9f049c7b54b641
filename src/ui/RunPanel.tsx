import { useThrottledWorkbench } from './hooks';
import { lossText, startupText, validationText } from '../core/train/results';
import type { RunPhase } from '../state/store';
import { ConfigForm } from './run/ConfigForm';
import { SweepPanel } from './run/SweepPanel';
import { SearchPanel } from './run/SearchPanel';

/** The run configuration form, the sweep settings, and the active run's status. */
export function RunPanel() {
  return (
    <section className="panel run-panel" aria-labelledby="run-heading">
      {/* Focusable from code only: where the skip link lands. */}
      <h2 id="run-heading" tabIndex={-1}>
        Run
      </h2>
      <ConfigForm />
      <SweepPanel />
      <SearchPanel />
      <RunStatus />
    </section>
  );
}

/** What a starting run is doing (start-up phases; none of it counts in a time budget). */
const PHASE_TEXT: Record<Exclude<RunPhase, 'training'>, string> = {
  backend: 'starting the backend',
  data: 'preparing the data (split, first batches)',
  model: 'building the model',
  'first-step': 'first step (compiling shaders)',
};

function RunStatus() {
  const run = useThrottledWorkbench((s) => s.runs.find((r) => r.id === s.activeRunId) ?? null, 500, 190);
  if (!run)
    return (
      <p data-testid="run-status" data-status="idle" className="muted">
        No run yet: press Train.
      </p>
    );
  const last = run.steps[run.steps.length - 1];
  const first = run.steps[0];
  const lastEpoch = run.epochs[run.epochs.length - 1];
  return (
    <div
      className="run-status"
      data-testid="run-status"
      data-status={run.status}
      data-steps={run.steps.length}
      data-first-loss={first?.loss ?? ''}
      data-last-loss={last?.loss ?? ''}
      data-last-time={last?.time ?? ''}
      data-first-step-sec={run.summary?.startup?.firstStepSec ?? ''}
    >
      <p>
        <strong>{run.status}</strong>
        {(run.status === 'running' || run.status === 'paused') && run.phase && run.phase !== 'training' && (
          <span data-testid="run-phase" data-phase={run.phase}>
            {' '}
            · starting:{' '}
            {run.phase === 'data' && run.config.distill
              ? "preparing the data (split, the teacher's logits of every training row, first batches)"
              : PHASE_TEXT[run.phase]}
          </span>
        )}{' '}
        · step {run.steps.length}
        {last
          ? ` · epoch ${last.epoch + 1}${run.budgetSec ? '' : `/${run.config.epochs}`} · loss ${lossText(last.loss)}`
          : ''}
      </p>
      {run.info && <p className="muted">{run.info}</p>}
      {run.summary?.startup && (
        <p className="muted small" data-testid="run-startup">
          {startupText(run.summary.startup)}
        </p>
      )}
      {lastEpoch && (
        <p className="muted" data-testid="run-validation">
          validation: {validationText(lastEpoch, '', ' · ')}
        </p>
      )}
      {run.error && (
        <p className="error" role="alert" data-testid="run-error">
          {run.error}
        </p>
      )}
    </div>
  );
}
