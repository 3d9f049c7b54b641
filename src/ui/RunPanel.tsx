import { pauseRun, resumeRun, startRun, stopRun, updateSettings } from '../state/run-actions';
import { BACKENDS } from '../core/train/run-config';
import { OPTIMIZER_NAMES, type OptimizerName } from '../core/train/optimizer-spec';
import { useWorkbench } from './hooks';

/** The run settings form, Train / Pause / Stop, and the active run's status. */
export function RunPanel() {
  const settings = useWorkbench((s) => s.settings);
  const error = useWorkbench((s) => s.settingsError);
  const ready = useWorkbench((s) => s.dataset.status === 'ready' && s.dataset.summary !== null);
  const active = useWorkbench((s) => s.runs.find((r) => r.id === s.activeRunId) ?? null);
  const running = active?.status === 'running' || active?.status === 'paused';
  const num = (v: string) => (v.trim() === '' ? NaN : Number(v));

  return (
    <section className="panel run-panel" aria-labelledby="run-heading">
      <h2 id="run-heading">Run</h2>
      <form
        data-testid="config-form"
        onSubmit={(e) => {
          e.preventDefault();
          void startRun();
        }}
      >
        <label>
          Hidden layers
          <input
            defaultValue={settings.model.hidden.join(',')}
            onChange={(e) => {
              const hidden = e.target.value.split(/[,x ]+/).filter(Boolean).map(Number);
              updateSettings({ model: { ...settings.model, hidden } });
            }}
            aria-describedby="hidden-help"
          />
          <small id="hidden-help">widths, e.g. 32,32</small>
        </label>
        <label>
          Activation
          <select value={settings.model.activation} onChange={(e) => updateSettings({ model: { ...settings.model, activation: e.target.value as 'relu' } })}>
            <option value="relu">relu</option>
            <option value="tanh">tanh</option>
            <option value="sigmoid">sigmoid</option>
          </select>
        </label>
        <label>
          Optimizer
          <select value={settings.optimizer.name} onChange={(e) => updateSettings({ optimizer: { name: e.target.value as OptimizerName, learningRate: settings.optimizer.learningRate } })}>
            {OPTIMIZER_NAMES.map((o) => (
              <option key={o}>{o}</option>
            ))}
          </select>
        </label>
        <label>
          Learning rate
          <input type="number" step="any" defaultValue={settings.optimizer.learningRate} onChange={(e) => updateSettings({ optimizer: { ...settings.optimizer, learningRate: num(e.target.value) } })} />
        </label>
        <label>
          Batch size
          <input type="number" defaultValue={settings.batchSize} onChange={(e) => updateSettings({ batchSize: num(e.target.value) })} />
        </label>
        <label>
          Epochs
          <input type="number" defaultValue={settings.epochs} onChange={(e) => updateSettings({ epochs: num(e.target.value) })} />
        </label>
        <label>
          Seed
          <input type="number" defaultValue={settings.seed} onChange={(e) => updateSettings({ seed: num(e.target.value) })} />
        </label>
        <label>
          Backend
          <select value={settings.backend} onChange={(e) => updateSettings({ backend: e.target.value as typeof settings.backend })}>
            {BACKENDS.filter((b) => b !== 'wasm').map((b) => (
              <option key={b}>{b}</option>
            ))}
          </select>
        </label>
        {error && (
          <p className="error" role="alert" data-testid="settings-error">
            {error}
          </p>
        )}
        <div className="buttons">
          <button type="submit" className="primary" data-testid="train-button" disabled={!ready || running}>
            Train
          </button>
          {active?.status === 'paused' ? (
            <button type="button" onClick={resumeRun}>
              Resume
            </button>
          ) : (
            <button type="button" onClick={pauseRun} disabled={!running}>
              Pause
            </button>
          )}
          <button type="button" data-testid="stop-button" onClick={stopRun} disabled={!running}>
            Stop
          </button>
        </div>
      </form>
      <RunStatus />
    </section>
  );
}

function RunStatus() {
  const run = useWorkbench((s) => s.runs.find((r) => r.id === s.activeRunId) ?? null);
  if (!run) return <p data-testid="run-status" data-status="idle">No run yet: press Train.</p>;
  const last = run.steps[run.steps.length - 1];
  const first = run.steps[0];
  return (
    <div
      data-testid="run-status"
      data-status={run.status}
      data-steps={run.steps.length}
      data-first-loss={first?.loss ?? ''}
      data-last-loss={last?.loss ?? ''}
    >
      <p>
        <strong>{run.status}</strong> · step {run.steps.length}
        {last ? ` · epoch ${last.epoch + 1}/${run.config.epochs} · loss ${last.loss.toFixed(4)}` : ''}
      </p>
      {run.info && <p className="muted">{run.info}</p>}
      {run.epochs.length > 0 && (
        <p className="muted">
          validation: loss {run.epochs[run.epochs.length - 1].valLoss?.toFixed(4) ?? '–'}
          {run.epochs[run.epochs.length - 1].valAccuracy !== null ? ` · accuracy ${(100 * run.epochs[run.epochs.length - 1].valAccuracy!).toFixed(1)} %` : ''}
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
