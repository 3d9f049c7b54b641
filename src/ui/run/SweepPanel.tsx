import { useMemo } from 'react';
import { rankSweep, rungPlan } from '../../core/train/sweep';
import { matrixSize } from '../../core/share/matrix';
import { cancelSweep, startSweepFromForm, updateSweepForm } from '../../state/sweep-actions';
import type { SweepView } from '../../state/store';
import { useWorkbench } from '../hooks';
import { compact, seconds } from '../format';
import { NumberInput } from './fields';

/** Sweep mode: successive halving over the form's combinations, and how the sweep stands. */
export function SweepPanel() {
  const form = useWorkbench((s) => s.sweepForm);
  const matrix = useWorkbench((s) => s.matrix);
  const settings = useWorkbench((s) => s.settings);
  const baseOptimizer = settings.optimizer.name;
  const sweep = useWorkbench((s) => s.sweep);
  const ready = useWorkbench((s) => s.dataset.status === 'ready');
  const n = matrixSize(
    { ...matrix, optimizer: matrix.optimizer.length ? matrix.optimizer : [baseOptimizer] },
    1,
    settings,
  );
  const plan = useMemo(() => {
    try {
      return rungPlan(n, { eta: form.eta, minBudget: form.minEpochs, maxBudget: form.maxEpochs });
    } catch (e) {
      return (e as Error).message;
    }
  }, [n, form]);

  return (
    <details className="sweep" open={sweep !== null}>
      <summary>Sweep (successive halving)</summary>
      <p className="muted small">
        Runs every combination of the form (one seed) with a small budget, keeps the best 1/η, gives them η times the
        budget, and repeats.
      </p>
      <div className="row wrap">
        <label className="small-field">
          Keep 1 in (η)
          <select value={form.eta} onChange={(e) => updateSweepForm({ eta: Number(e.target.value) })}>
            {[2, 3, 4].map((v) => (
              <option key={v} value={v}>
                {v}
              </option>
            ))}
          </select>
        </label>
        <label className="small-field">
          Start budget
          <NumberInput
            value={form.minEpochs}
            onCommit={(v) => updateSweepForm({ minEpochs: v ?? NaN })}
            min={1}
            step={1}
            describedBy="sweep-unit"
          />
        </label>
        <label className="small-field">
          Budget cap
          <NumberInput
            value={form.maxEpochs}
            onCommit={(v) => updateSweepForm({ maxEpochs: v ?? NaN })}
            min={1}
            step={1}
            describedBy="sweep-unit"
          />
        </label>
        <label className="small-field">
          Survivors by
          <select value={form.rankBy} onChange={(e) => updateSweepForm({ rankBy: e.target.value as 'loss' })}>
            <option value="loss">loss reached</option>
            <option value="timeToTarget">time to target loss</option>
          </select>
        </label>
      </div>
      <small id="sweep-unit" className="muted">
        Budgets in epochs.{' '}
      </small>
      <small className="muted" data-testid="sweep-plan">
        {typeof plan === 'string' ? plan : `Plan: ${plan.map((r) => `${r.configs} × ${r.budget} ep.`).join(' → ')}`}
      </small>
      <div className="buttons">
        <button
          type="button"
          data-testid="sweep-button"
          disabled={!ready || sweep?.status === 'running'}
          onClick={() => startSweepFromForm()}
        >
          Start sweep
        </button>
        {sweep?.status === 'running' && (
          <button type="button" onClick={cancelSweep}>
            Cancel sweep
          </button>
        )}
      </div>
      {sweep && <SweepStatus sweep={sweep} />}
    </details>
  );
}

function SweepStatus({ sweep }: { sweep: SweepView }) {
  const ranking = useMemo(() => rankSweep(sweep.state), [sweep.state]);
  const rungs = sweep.state.rungs;
  const current = rungs.length - 1;
  const recordedNow = new Set(sweep.state.results.filter((r) => r.rung === current).map((r) => r.key));
  const pending = rungs[current].keys.filter((k) => !recordedNow.has(k));
  const rankedFinal = sweep.status === 'done';
  return (
    <div className="sweep-status">
      <p>
        <strong>{sweep.status}</strong> · rung {current + 1} ({rungs[current].budget} ep.) · {pending.length} of{' '}
        {rungs[current].keys.length} left
        {sweep.targetLoss !== null && ` · target loss ${sweep.targetLoss}`}
      </p>
      <table className="results compact-table" data-testid="sweep-table">
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">Configuration</th>
            <th scope="col" className="num">
              Budget
            </th>
            <th scope="col" className="num">
              Loss
            </th>
            <th scope="col" className="num">
              To target
            </th>
            <th scope="col">State</th>
          </tr>
        </thead>
        <tbody>
          {ranking.map((r) => {
            const waiting = pending.includes(r.key);
            const state = r.failed
              ? 'failed'
              : waiting
                ? 'running next rung'
                : r.stoppedEarly
                  ? 'stopped early'
                  : rankedFinal
                    ? 'finished'
                    : 'survived';
            return (
              <tr
                key={r.key}
                className={r.stoppedEarly && !waiting ? 'stopped-early' : ''}
                data-stopped-early={r.stoppedEarly && !waiting}
              >
                <td className="num">{rankedFinal ? r.rank : '·'}</td>
                <th scope="row">{sweep.labels[r.key]}</th>
                <td className="num">{r.budget} ep.</td>
                <td className="num">{compact(r.lossReached)}</td>
                <td className="num">{r.timeToTarget === null ? '–' : seconds(r.timeToTarget)}</td>
                <td title={`ran up to rung ${r.rungReached + 1} of ${rungs.length}`}>{state}</td>
              </tr>
            );
          })}
          {pending
            .filter((k) => !ranking.some((r) => r.key === k))
            .map((k) => (
              <tr key={k}>
                <td className="num">·</td>
                <th scope="row">{sweep.labels[k]}</th>
                <td className="num">{rungs[current].budget} ep.</td>
                <td className="num">–</td>
                <td className="num">–</td>
                <td>waiting</td>
              </tr>
            ))}
        </tbody>
      </table>
    </div>
  );
}
