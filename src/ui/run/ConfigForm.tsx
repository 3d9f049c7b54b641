import { useId } from 'react';
import { BACKENDS, type RunSettings } from '../../core/train/run-config';
import { OPTIMIZER_DEFAULTS, OPTIMIZER_NAMES, type ScheduleSpec } from '../../core/train/optimizer-spec';
import { engineCombos, leftOutNote, matrixSize, wgslUnavailableNote } from '../../core/share/matrix';
import {
  ENGINES,
  PRECISIONS,
  type BackendName,
  type EngineName,
  type Precision,
  type PrepareOn,
  type PruningSetting,
} from '../../core/train/record';
import { addToQueue, setOptimizers, updateMatrix, updateSettings } from '../../state/run-actions';
import { useWorkbench } from '../hooks';
import { Chips, ListInput, NumberInput } from './fields';
import { ModelFields } from './ModelFields';

const HYPERS = [
  { key: 'momentum', label: 'Momentum' },
  { key: 'beta1', label: 'Beta 1' },
  { key: 'beta2', label: 'Beta 2' },
  { key: 'rho', label: 'Rho' },
  { key: 'epsilon', label: 'Epsilon' },
  { key: 'weightDecay', label: 'Weight decay' },
] as const;

const SHOWN_BACKENDS = BACKENDS;

/** The run configuration: model, optimizer and schedule, data and length; several values where a matrix is wanted. */
export function ConfigForm() {
  const lengthId = useId();
  const budgetHintId = useId();
  const prepareId = useId();
  const prepareHintId = useId();
  const settings = useWorkbench((s) => s.settings);
  const matrix = useWorkbench((s) => s.matrix);
  const error = useWorkbench((s) => s.settingsError);
  const ready = useWorkbench((s) => s.dataset.status === 'ready' && s.dataset.summary !== null);
  const busy = useWorkbench((s) =>
    s.runs.some((r) => r.status === 'running' || r.status === 'paused' || r.status === 'queued'),
  );
  const o = settings.optimizer;
  const optimizers = matrix.optimizer.length ? matrix.optimizer : [o.name];
  const hypers = HYPERS.filter((h) => optimizers.some((n) => OPTIMIZER_DEFAULTS[n][h.key] !== undefined));
  const sched: ScheduleSpec = o.schedule ?? { type: 'constant', warmupSteps: 0 };
  const setSchedule = (s: ScheduleSpec) => updateSettings({ optimizer: { ...o, schedule: s } });
  const byTime = settings.timeBudgetSec !== null && settings.timeBudgetSec !== undefined;
  const engines = matrix.engine.length ? matrix.engine : [settings.engine ?? 'tfjs'];
  const precisions = matrix.precision.length ? matrix.precision : [settings.precision ?? 'fp32'];
  const leftOut = leftOutNote(engineCombos(settings, { engine: engines, precision: precisions }).leftOut);
  const environment = useWorkbench((s) => s.environment);
  const noWgsl = wgslUnavailableNote(environment, engines);
  const size = matrixSize({ ...matrix, optimizer: optimizers }, matrix.repeats, settings);
  const combos = size / matrix.repeats;

  return (
    <form
      data-testid="config-form"
      className="config-form"
      onSubmit={(e) => {
        e.preventDefault();
        addToQueue();
      }}
    >
      {/* The actions first: Train is in view (and two Tab stops after the skip link) on a 1280 x 800 screen; they stay in view while the form scrolls. */}
      <div className="form-actions" data-testid="form-actions">
        <p className="matrix-size" data-testid="matrix-size" data-runs={Number.isFinite(size) ? size : ''}>
          {Number.isFinite(size)
            ? `${combos} configuration${combos === 1 ? '' : 's'} × ${matrix.repeats} seed${matrix.repeats === 1 ? '' : 's'} = ${size} run${size === 1 ? '' : 's'}`
            : 'repeats must be a whole number'}
        </p>
        {leftOut && (
          <p className="muted small" data-testid="left-out">
            {leftOut}
          </p>
        )}
        {noWgsl && (
          <p className="notice small" role="status" data-testid="wgsl-unavailable">
            {noWgsl}
          </p>
        )}
        {error && (
          <p className="error" role="alert" data-testid="settings-error">
            {error}
          </p>
        )}
        <div className="buttons">
          <button
            type="submit"
            className="primary"
            data-testid="train-button"
            disabled={!ready || busy}
            title="Queue these runs and start"
          >
            Train
          </button>
          <button type="button" data-testid="add-to-queue" disabled={!ready} onClick={() => addToQueue()}>
            Add to queue
          </button>
        </div>
      </div>

      <ModelFields model={settings.model} />

      <fieldset className="group">
        <legend>Optimizer</legend>
        <Chips
          legend="Optimizers"
          options={OPTIMIZER_NAMES}
          selected={optimizers}
          onChange={setOptimizers}
          testId="optimizer-chips"
        />
        <label>
          Learning rate
          <ListInput
            values={matrix.learningRate.length ? matrix.learningRate : [o.learningRate]}
            onCommit={(v) => updateMatrix({ learningRate: v })}
            describedBy="list-help"
          />
        </label>
        {hypers.length > 0 && (
          <div className="row wrap">
            {hypers.map((h) => (
              <label key={h.key} className="small-field">
                {h.label}
                <NumberInput
                  value={o[h.key] ?? null}
                  allowEmpty
                  placeholder={String(optimizers.map((n) => OPTIMIZER_DEFAULTS[n][h.key]).find((v) => v !== undefined))}
                  onCommit={(v) => {
                    const next = { ...o };
                    if (v === null) delete next[h.key];
                    else next[h.key] = v;
                    updateSettings({ optimizer: next });
                  }}
                />
              </label>
            ))}
          </div>
        )}
        <div className="row wrap">
          <label className="small-field">
            Schedule
            <select
              value={sched.type}
              onChange={(e) => {
                const type = e.target.value as ScheduleSpec['type'];
                const warmupSteps = sched.warmupSteps ?? 0;
                setSchedule(
                  type === 'step'
                    ? { type, warmupSteps, stepSize: 100, gamma: 0.1 }
                    : type === 'cosine'
                      ? { type, warmupSteps }
                      : { type, warmupSteps },
                );
              }}
            >
              <option value="constant">constant</option>
              <option value="step">step decay</option>
              <option value="cosine">cosine</option>
            </select>
          </label>
          <label className="small-field">
            Warm-up steps
            <NumberInput
              value={sched.warmupSteps ?? 0}
              onCommit={(v) => setSchedule({ ...sched, warmupSteps: v ?? 0 })}
              min={0}
              step={1}
            />
          </label>
          {sched.type === 'step' && (
            <>
              <label className="small-field">
                Step size
                <NumberInput
                  value={sched.stepSize ?? null}
                  onCommit={(v) => setSchedule({ ...sched, stepSize: v ?? undefined })}
                  min={1}
                  step={1}
                />
              </label>
              <label className="small-field">
                Gamma
                <NumberInput
                  value={sched.gamma ?? null}
                  allowEmpty
                  placeholder="0.1"
                  onCommit={(v) => setSchedule({ ...sched, gamma: v ?? undefined })}
                />
              </label>
            </>
          )}
          {sched.type === 'cosine' && (
            <>
              <label className="small-field">
                Total steps
                <NumberInput
                  value={sched.totalSteps ?? null}
                  allowEmpty
                  placeholder="whole run"
                  onCommit={(v) => setSchedule({ ...sched, totalSteps: v ?? undefined })}
                  min={1}
                  step={1}
                />
              </label>
              <label className="small-field">
                Minimum rate
                <NumberInput
                  value={sched.minLearningRate ?? null}
                  allowEmpty
                  placeholder="0"
                  onCommit={(v) => setSchedule({ ...sched, minLearningRate: v ?? undefined })}
                />
              </label>
            </>
          )}
          <label className="small-field">
            Clip norm
            <NumberInput
              value={o.clipNorm ?? null}
              allowEmpty
              placeholder="off"
              onCommit={(v) => updateSettings({ optimizer: { ...o, clipNorm: v } })}
            />
          </label>
        </div>
      </fieldset>

      <fieldset className="group">
        <legend>Data and hardware</legend>
        <label>
          Batch size
          <ListInput
            values={matrix.batchSize.length ? matrix.batchSize : [settings.batchSize]}
            onCommit={(v) => updateMatrix({ batchSize: v })}
            describedBy="list-help"
          />
        </label>
        <Chips
          legend="Backends"
          options={SHOWN_BACKENDS}
          selected={matrix.backend.length ? matrix.backend : [settings.backend]}
          onChange={(v: BackendName[]) => updateMatrix({ backend: v })}
          testId="backend-chips"
        />
        <Chips
          legend="Dedup"
          options={['none', 'exact', 'bloom'] as const}
          selected={matrix.dedup.length ? matrix.dedup : [settings.dedup ?? 'none']}
          onChange={(v) => updateMatrix({ dedup: v })}
          testId="dedup-chips"
        />
        <Chips
          legend="Engine"
          options={ENGINES}
          selected={engines}
          onChange={(v: EngineName[]) => updateMatrix({ engine: v })}
          testId="engine-chips"
        />
        <Chips
          legend="Precision"
          options={PRECISIONS}
          selected={precisions}
          onChange={(v: Precision[]) => updateMatrix({ precision: v })}
          testId="precision-chips"
        />
        <small id="engine-help" className="muted">
          wgsl: the project&apos;s own fused WebGPU kernels (every model). fp16-mixed: float16 weights and activations
          in the matmuls, float32 master weights, dynamic loss scaling (wgsl engine).
        </small>
        <div className="row wrap">
          <label className="small-field">
            Prefetch depth
            <NumberInput
              value={settings.prefetch}
              onCommit={(v) => updateSettings({ prefetch: v ?? NaN })}
              min={1}
              step={1}
            />
          </label>
          <div className="small-field field">
            <label htmlFor={prepareId}>Prepare batches on</label>
            <select
              id={prepareId}
              data-testid="prepare-on"
              value={settings.prepareOn ?? 'worker'}
              onChange={(e) =>
                updateSettings({
                  prepareOn: e.target.value as PrepareOn,
                  ...(e.target.value === 'worker' ? { augment: null } : {}),
                })
              }
              aria-describedby={prepareHintId}
            >
              <option value="worker">worker</option>
              <option value="gpu">gpu (wgsl)</option>
            </select>
          </div>
          {settings.prepareOn === 'gpu' && (
            <>
              <label className="small-field">
                Crop padding (px)
                <NumberInput
                  value={settings.augment?.pad ?? 0}
                  onCommit={(v) =>
                    updateSettings({
                      augment:
                        v || settings.augment?.flip ? { pad: v ?? 0, flip: settings.augment?.flip ?? false } : null,
                    })
                  }
                  min={0}
                  step={1}
                />
              </label>
              <label className="inline">
                <input
                  type="checkbox"
                  data-testid="augment-flip"
                  checked={settings.augment?.flip ?? false}
                  onChange={(e) =>
                    updateSettings({
                      augment:
                        e.target.checked || settings.augment?.pad
                          ? { pad: settings.augment?.pad ?? 0, flip: e.target.checked }
                          : null,
                    })
                  }
                />
                Flip
              </label>
            </>
          )}
        </div>
        <small id={prepareHintId} className="muted">
          gpu: the data worker sends raw columns (image pixels as bytes) and the wgsl engine standardises, one-hot
          encodes and, for images, augments (seeded crop and flip) inside the training step; the results show bytes per
          batch and data wait for both.
        </small>
      </fieldset>

      <PruningFields settings={settings} />

      <fieldset className="group">
        <legend>Length and repeats</legend>
        <div className="row wrap">
          {/* Label beside, not around, the select: its option texts would otherwise join the label text. */}
          <div className="small-field field">
            <label htmlFor={lengthId}>Run length</label>
            <select
              id={lengthId}
              value={byTime ? 'time' : 'epochs'}
              onChange={(e) => updateSettings({ timeBudgetSec: e.target.value === 'time' ? 30 : null })}
            >
              <option value="epochs">epochs</option>
              <option value="time">seconds</option>
            </select>
          </div>
          {byTime ? (
            <div className="small-field field">
              <label className="small-field">
                Time budget (s)
                <NumberInput
                  value={settings.timeBudgetSec ?? null}
                  onCommit={(v) => updateSettings({ timeBudgetSec: v ?? NaN })}
                  min={1}
                  describedBy={budgetHintId}
                />
              </label>
              <small id={budgetHintId} className="muted" data-testid="budget-hint">
                Seconds of training after start-up (backend, data, shader compilation: timed apart); pauses not counted.
              </small>
            </div>
          ) : (
            <label className="small-field">
              Epochs
              <NumberInput
                value={settings.epochs}
                onCommit={(v) => updateSettings({ epochs: v ?? NaN })}
                min={1}
                step={1}
              />
            </label>
          )}
          <label className="small-field">
            Seed
            <NumberInput value={settings.seed} onCommit={(v) => updateSettings({ seed: v ?? NaN })} min={0} step={1} />
          </label>
          <label className="small-field">
            Repeats
            <NumberInput
              value={matrix.repeats}
              onCommit={(v) => updateMatrix({ repeats: v ?? NaN })}
              min={1}
              step={1}
              describedBy="repeats-help"
            />
          </label>
        </div>
        <small id="repeats-help" className="muted">
          Each combination runs with seeds {settings.seed}…{settings.seed + Math.max(1, matrix.repeats || 1) - 1}.
        </small>
        <small id="list-help" className="muted">
          {' '}
          Several values, comma-separated, make a matrix.
        </small>
      </fieldset>
    </form>
  );
}

const PRUNING_DEFAULT: PruningSetting = { targetSparsity: 0.9, startStep: 100, endStep: 1000, every: 50 };

/**
 * Gradual magnitude pruning (Zhu & Gupta): off, or a target sparsity reached along the cubic
 * schedule between two steps. Values are committed as typed; validateSettings refuses a bad one
 * with the field's name (shown above the form), as for every other setting.
 */
function PruningFields({ settings }: { settings: RunSettings }) {
  const hintId = useId();
  const p = settings.pruning ?? null;
  const set = (patch: Partial<PruningSetting>) => updateSettings({ pruning: { ...(p ?? PRUNING_DEFAULT), ...patch } });
  return (
    <fieldset className="group" data-testid="pruning">
      <legend>Compression</legend>
      <div className="row wrap">
        <label className="inline">
          <input
            type="checkbox"
            data-testid="pruning-on"
            checked={p !== null}
            onChange={(e) => updateSettings({ pruning: e.target.checked ? { ...PRUNING_DEFAULT } : null })}
            aria-describedby={hintId}
          />
          Prune weights
        </label>
        {p && (
          <>
            <label className="small-field">
              Target sparsity (%)
              <NumberInput
                value={+(100 * p.targetSparsity).toFixed(4)}
                onCommit={(v) => set({ targetSparsity: v === null ? NaN : v / 100 })}
                min={0}
                step={1}
              />
            </label>
            <label className="small-field">
              From step
              <NumberInput value={p.startStep} onCommit={(v) => set({ startStep: v ?? NaN })} min={0} step={1} />
            </label>
            <label className="small-field">
              To step
              <NumberInput value={p.endStep} onCommit={(v) => set({ endStep: v ?? NaN })} min={0} step={1} />
            </label>
            <label className="small-field">
              Every (steps)
              <NumberInput value={p.every} onCommit={(v) => set({ every: v ?? NaN })} min={1} step={1} />
            </label>
          </>
        )}
      </div>
      <small id={hintId} className="muted">
        Gradual magnitude pruning (Zhu &amp; Gupta 2017), both engines: each kernel&apos;s smallest weights are set to
        zero, the share rising along a cubic curve from the first step to the last, and kept zero after every optimizer
        step. The results show the sparsity reached, the parameters left and, next to the same configuration trained
        without pruning, the change in validation accuracy per seed.
      </small>
      <DistillFields settings={settings} />
    </fieldset>
  );
}

const DISTILL_DEFAULT = { temperature: 4, alpha: 0.5 };

/**
 * Distillation (Hinton et al. 2015): off, or a teacher picked among this workbench's runs on the
 * same dataset and label (finished, or queued ahead of the student), with its temperature and
 * the labels' weight. The queue checks the teacher when the student starts.
 */
function DistillFields({ settings }: { settings: RunSettings }) {
  const hintId = useId();
  const teacherId = useId();
  const d = settings.distill ?? null;
  const fingerprint = useWorkbench((s) => s.dataset.summary?.fingerprint ?? null);
  const label = useWorkbench((s) => s.dataset.label);
  const runs = useWorkbench((s) => s.runs);
  const teachers = runs.filter(
    (r) =>
      r.status !== 'failed' &&
      !r.stream &&
      !r.origin &&
      r.config.data.fingerprint === fingerprint &&
      r.config.data.label === label,
  );
  const set = (patch: Partial<NonNullable<RunSettings['distill']>>) =>
    updateSettings({ distill: { teacher: '', ...DISTILL_DEFAULT, ...d, ...patch } });
  return (
    <>
      <div className="row wrap" data-testid="distill">
        <label className="inline">
          <input
            type="checkbox"
            data-testid="distill-on"
            checked={d !== null}
            onChange={(e) =>
              updateSettings({
                distill: e.target.checked
                  ? { teacher: teachers[teachers.length - 1]?.id ?? '', ...DISTILL_DEFAULT }
                  : null,
              })
            }
            aria-describedby={hintId}
          />
          Distil from a teacher run
        </label>
        {d && (
          <>
            <div className="field">
              <label htmlFor={teacherId}>Teacher run</label>
              <select id={teacherId} value={d.teacher} onChange={(e) => set({ teacher: e.target.value })}>
                {!teachers.some((t) => t.id === d.teacher) && (
                  <option value={d.teacher}>
                    {d.teacher ? `${d.teacher} (not on this dataset and label)` : 'pick a run'}
                  </option>
                )}
                {teachers.map((t) => (
                  <option key={t.id} value={t.id}>
                    {t.title}
                    {t.status === 'done' || t.status === 'stopped' ? '' : ` (${t.status})`}
                  </option>
                ))}
              </select>
            </div>
            <label className="small-field">
              Temperature
              <NumberInput value={d.temperature} onCommit={(v) => set({ temperature: v ?? NaN })} min={0} step={0.5} />
            </label>
            <label className="small-field">
              Alpha (labels&apos; weight)
              <NumberInput value={d.alpha} onCommit={(v) => set({ alpha: v ?? NaN })} min={0} step={0.1} />
            </label>
          </>
        )}
      </div>
      {d && teachers.length === 0 && (
        <small className="muted" data-testid="no-teacher">
          No run on this dataset and label to learn from yet: train a larger model first, then distil it into this one.
        </small>
      )}
      <small id={hintId} className="muted">
        Knowledge distillation (Hinton et al. 2015), both engines, classification: the student trains on alpha x
        cross-entropy with the labels + (1 - alpha) x T² x KL(teacher/T ‖ student/T). The teacher&apos;s logits are
        computed once per training row when the run starts. The results show the change in validation accuracy against
        the same configuration trained without a teacher, per seed.
      </small>
    </>
  );
}
