import { useMemo, useState } from 'react';
import { CartesianGrid, ResponsiveContainer, Scatter, ScatterChart, Tooltip, XAxis, YAxis, ZAxis } from 'recharts';
import {
  SECOND_OBJECTIVES,
  SWEEP_OBJECTIVES,
  SweepDriver,
  paretoFront,
  type SecondObjective,
} from '../../core/tune/driver';
import { objectivesOf, type SessionTrial } from '../../core/tune/session';
import {
  bestOfSearch,
  cancelSearch,
  resumeSearch,
  searchSpec,
  startSearchFromForm,
  trialToForm,
  updateSearchForm,
} from '../../state/sweep-actions';
import type { SearchView, SpaceRow } from '../../state/store';
import { useWorkbench } from '../hooks';
import { compact } from '../format';
import { NumberInput } from './fields';

/** Settings a dimension may name (any run setting path is taken; these are offered). */
const PATHS = [
  'optimizer.learningRate',
  'batchSize',
  'optimizer.name',
  'optimizer.weightDecay',
  'optimizer.momentum',
  'optimizer.beta1',
  'model.depth',
  'model.hidden.0',
  'model.hidden.1',
  'model.activation',
  'engine',
  'precision',
];

const OBJECTIVE_TEXT: Record<SecondObjective, string> = {
  valLoss: 'validation loss',
  valMetric: 'validation accuracy (loss for regression)',
  timeToTarget: 'time to the target loss',
  samplesPerSec: 'samples/s (end to end)',
  parameters: 'parameters',
  flopsPerSample: 'FLOPs per sample',
};

/** The trials of a spec's plan: Hyperband's brackets, halving's rounds, or the trial count. */
function plannedTrials(spec: SearchView['spec']): string {
  const plan = new SweepDriver(spec).plan();
  const trials = plan.reduce((n, b) => n + b.rounds.reduce((m, r) => m + r.configs, 0), 0);
  const rounds = plan
    .map((b) => b.rounds.map((r) => `${r.configs}×${Math.max(1, Math.round(r.budget))}`).join(' → '))
    .join(' | ');
  return `${trials} trials (configurations × steps: ${rounds})`;
}

/** Search mode: a space of settings sampled by TPE or at random, under Hyperband or halving, and its trials. */
export function SearchPanel() {
  const form = useWorkbench((s) => s.searchForm);
  const search = useWorkbench((s) => s.search);
  const ready = useWorkbench((s) => s.dataset.status === 'ready');
  const planned = useMemo(() => {
    try {
      return plannedTrials(searchSpec(form));
    } catch (e) {
      return (e as Error).message;
    }
  }, [form]);
  const setRow = (i: number, patch: Partial<SpaceRow>) =>
    updateSearchForm({ rows: form.rows.map((r, k) => (k === i ? { ...r, ...patch } : r)) });
  const running = search?.status === 'running';

  return (
    <details className="sweep search" data-testid="search-panel" open={search !== null}>
      <summary>Search (TPE, Hyperband)</summary>
      <p className="muted small">
        Samples the settings below from their ranges (TPE learns from the trials so far), trains each trial on the Run
        form&apos;s other settings for its budget of steps, and stops the weaker ones early (Hyperband: several rounds
        of halving from different starting budgets). One trial at a time; kept over a reload.
      </p>
      <table className="compact-table space-editor" data-testid="space-editor">
        <thead>
          <tr>
            <th scope="col">Setting</th>
            <th scope="col">Range</th>
            <th scope="col">From / values</th>
            <th scope="col">To</th>
            <th scope="col">
              <span className="visually-hidden">Remove</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {form.rows.map((r, i) => (
            <tr key={i} data-testid="space-row">
              <td>
                <input
                  aria-label={`Setting ${i + 1}`}
                  list="search-paths"
                  value={r.path}
                  onChange={(e) => setRow(i, { path: e.target.value })}
                />
              </td>
              <td>
                <select
                  aria-label={`Range ${i + 1}`}
                  value={r.type}
                  onChange={(e) => setRow(i, { type: e.target.value as SpaceRow['type'] })}
                >
                  <option value="log">log-uniform</option>
                  <option value="float">uniform</option>
                  <option value="int">integer</option>
                  <option value="choice">choice</option>
                </select>
              </td>
              {r.type === 'choice' ? (
                <td colSpan={2}>
                  <input
                    aria-label={`Values ${i + 1}`}
                    value={r.values}
                    placeholder="sgd, adam"
                    onChange={(e) => setRow(i, { values: e.target.value })}
                  />
                </td>
              ) : (
                <>
                  <td>
                    <NumberInput label={`From ${i + 1}`} value={r.min} onCommit={(v) => setRow(i, { min: v ?? NaN })} />
                  </td>
                  <td>
                    <NumberInput label={`To ${i + 1}`} value={r.max} onCommit={(v) => setRow(i, { max: v ?? NaN })} />
                  </td>
                </>
              )}
              <td>
                <button
                  type="button"
                  aria-label={`Remove ${r.path || `setting ${i + 1}`}`}
                  onClick={() => updateSearchForm({ rows: form.rows.filter((_, k) => k !== i) })}
                >
                  ×
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <datalist id="search-paths">
        {PATHS.map((p) => (
          <option key={p} value={p} />
        ))}
      </datalist>
      <button
        type="button"
        onClick={() =>
          updateSearchForm({ rows: [...form.rows, { path: '', type: 'log', min: 0.001, max: 0.1, values: '' }] })
        }
      >
        Add a setting
      </button>
      <div className="row wrap">
        <Select
          label="Sampler"
          value={form.sampler}
          options={[
            ['tpe', 'TPE'],
            ['random', 'random'],
          ]}
          onChange={(sampler) => updateSearchForm({ sampler })}
        />
        <Select
          label="Early stopping"
          value={form.scheduler}
          options={[
            ['hyperband', 'Hyperband'],
            ['halving', 'successive halving'],
            ['none', 'none'],
          ]}
          onChange={(scheduler) => updateSearchForm({ scheduler })}
        />
        <Select
          label="Objective"
          value={form.objective}
          options={SWEEP_OBJECTIVES.map((o) => [o, OBJECTIVE_TEXT[o]])}
          onChange={(objective) => updateSearchForm({ objective })}
        />
        <Select
          label="Second objective"
          value={form.second}
          options={[
            ['none', 'none'],
            ...SECOND_OBJECTIVES.filter((o) => o !== form.objective).map((o): [SecondObjective, string] => [
              o,
              OBJECTIVE_TEXT[o],
            ]),
          ]}
          onChange={(second) => updateSearchForm({ second })}
        />
        <label className="small-field">
          Longest trial (steps)
          <NumberInput
            value={form.maxBudget}
            onCommit={(v) => updateSearchForm({ maxBudget: v ?? NaN })}
            min={1}
            step={1}
          />
        </label>
        <label className="small-field">
          Keep 1 in (η)
          <NumberInput value={form.eta} onCommit={(v) => updateSearchForm({ eta: v ?? NaN })} min={2} step={1} />
        </label>
        {form.scheduler !== 'hyperband' && (
          <label className="small-field">
            Configurations
            <NumberInput
              value={form.trials}
              onCommit={(v) => updateSearchForm({ trials: v ?? NaN })}
              min={1}
              step={1}
            />
          </label>
        )}
        <label className="small-field">
          Time budget (s)
          <NumberInput
            value={form.timeBudgetSec}
            onCommit={(v) => updateSearchForm({ timeBudgetSec: v })}
            allowEmpty
            placeholder="none"
            min={1}
          />
        </label>
        <label className="small-field">
          Search seed
          <NumberInput value={form.seed} onCommit={(v) => updateSearchForm({ seed: v ?? NaN })} min={0} step={1} />
        </label>
      </div>
      <small className="muted" data-testid="search-plan">
        {planned}
      </small>
      <div className="buttons">
        <button
          type="button"
          data-testid="search-start"
          disabled={!ready || running}
          onClick={() => startSearchFromForm()}
        >
          Start search
        </button>
        {running && (
          <button type="button" onClick={cancelSearch}>
            Cancel search
          </button>
        )}
        {search?.status === 'interrupted' && (
          <button type="button" data-testid="search-resume" onClick={resumeSearch}>
            Resume search
          </button>
        )}
      </div>
      {search && <SearchTrials search={search} />}
    </details>
  );
}

/** A labelled select over `options` ([value, text]). */
function Select<T extends string>({
  label,
  value,
  options,
  onChange,
}: {
  label: string;
  value: T;
  options: [T, string][];
  onChange: (v: T) => void;
}) {
  return (
    <label className="small-field">
      {label}
      <select value={value} onChange={(e) => onChange(e.target.value as T)}>
        {options.map(([v, text]) => (
          <option key={v} value={v}>
            {text}
          </option>
        ))}
      </select>
    </label>
  );
}

const shown = (v: string | number | boolean | undefined) =>
  v === undefined ? '–' : typeof v === 'number' ? compact(v) : String(v);

/** The trials: a scatter of one setting against the objective, a row per trial, the best one click from the form. */
function SearchTrials({ search }: { search: SearchView }) {
  const [first, second] = objectivesOf(search.spec);
  // The x axis: a searched setting, the model's size (parameters, FLOPs: from the trials' runs,
  // for an architecture search), or the second objective.
  const runs = useWorkbench((s) => s.runs);
  const paths = Object.keys(search.spec.space);
  const SIZES = ['parameters', 'flopsPerSample'] as const;
  const axes = [...paths, ...SIZES, ...(second && !(SIZES as readonly string[]).includes(second) ? [second] : [])];
  const [x, setX] = useState(axes[0]);
  const axis = axes.includes(x) ? x : axes[0];
  const best = useMemo(() => {
    try {
      return bestOfSearch(search);
    } catch {
      return null;
    }
  }, [search]);
  const finished = search.trials.filter((t) => t.objective !== null);
  const dim = search.spec.space[axis] ?? null;
  const values = dim?.type === 'choice' ? dim.values.map(String) : null;
  const modelOf = (t: SessionTrial) => runs.find((r) => r.id === t.runId)?.summary?.model ?? null;
  const xOf = (t: SessionTrial): number | null => {
    if (axis === second) return t.second;
    if (axis === 'parameters') return modelOf(t)?.parameters ?? null;
    if (axis === 'flopsPerSample') return modelOf(t)?.flopsPerSample ?? null;
    return values ? values.indexOf(String(t.params[axis])) : (t.params[axis] as number);
  };
  const points = finished
    .map((t) => ({ x: xOf(t), y: t.objective, budget: t.budget, trial: t.trial }))
    .filter((p) => p.x !== null);
  // Two objectives: the trials at the largest budget that no other there beats in both.
  const pareto = useMemo(() => {
    if (!second) return new Set<number>();
    const top = Math.max(0, ...search.trials.filter((t) => t.objective !== null).map((t) => t.budget));
    const c = search.trials.filter((t) => t.budget === top && t.objective !== null && t.second !== null);
    const front = paretoFront(
      c.map((t) => [t.objective!, t.second!]),
      [search.minimise, search.minimiseSecond],
    );
    return new Set(front.map((i) => c[i].trial));
  }, [search, second]);
  const top = Math.max(0, ...finished.map((t) => t.budget));
  const status =
    search.status === 'interrupted'
      ? 'interrupted by a reload: resume to go on'
      : search.stoppedByBudget
        ? `done: its time budget (${search.spec.timeBudgetSec} s) was spent before its plan ran out`
        : search.status === 'shared'
          ? 'opened from a share link'
          : search.status;
  return (
    <div className="sweep-status" data-testid="search-trials" data-status={search.status}>
      <p>
        <strong>{status}</strong> · {finished.length} of {search.trials.length} trials with a result in{' '}
        {Math.round(search.spentSec)} s · {OBJECTIVE_TEXT[first]} ({search.minimise ? 'lower' : 'higher'} is better)
        {second && ` · second: ${OBJECTIVE_TEXT[second]}`}
      </p>
      {best && (
        <p data-testid="search-best">
          Best at {best.budget} steps: {OBJECTIVE_TEXT[first]} {compact(best.objective!)} with{' '}
          {Object.entries(best.params)
            .map(([k, v]) => `${k} ${shown(v)}`)
            .join(', ')}{' '}
          <button type="button" data-testid="search-best-to-form" onClick={() => trialToForm(search, best)}>
            Put in the Run form
          </button>
        </p>
      )}
      {finished.length > 0 && (
        <div className="search-scatter">
          <label className="small-field">
            Plot against
            <select value={axis} onChange={(e) => setX(e.target.value)}>
              {axes.map((p) => (
                <option key={p} value={p}>
                  {p in OBJECTIVE_TEXT ? OBJECTIVE_TEXT[p as SecondObjective] : p}
                </option>
              ))}
            </select>
          </label>
          <ResponsiveContainer width="100%" height={200}>
            <ScatterChart margin={{ top: 8, right: 16, bottom: 8, left: 8 }}>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis
                type="number"
                dataKey="x"
                name={axis}
                scale={dim?.type === 'log' ? 'log' : 'auto'}
                domain={['auto', 'auto']}
                ticks={values ? values.map((_, i) => i) : undefined}
                tickFormatter={(v: number) => (values ? (values[v] ?? '') : compact(v))}
              />
              <YAxis
                type="number"
                dataKey="y"
                name={first}
                domain={['auto', 'auto']}
                tickFormatter={(v: number) => compact(v)}
              />
              <ZAxis type="number" dataKey="budget" range={[20, 120]} name="steps" />
              <Tooltip cursor={{ strokeDasharray: '3 3' }} />
              <Scatter name="trials" data={points.filter((p) => p.budget < top)} fill="#9aa5b1" />
              <Scatter
                name={`trials at ${top} steps`}
                data={points.filter((p) => p.budget === top && !pareto.has(p.trial))}
                fill="#2563eb"
              />
              {pareto.size > 0 && (
                <Scatter name="Pareto front" data={points.filter((p) => pareto.has(p.trial))} fill="#ea580c" />
              )}
            </ScatterChart>
          </ResponsiveContainer>
        </div>
      )}
      <table className="results compact-table" data-testid="search-table">
        <thead>
          <tr>
            <th scope="col">Trial</th>
            <th scope="col">Config</th>
            {paths.map((p) => (
              <th key={p} scope="col">
                {p}
              </th>
            ))}
            <th scope="col" className="num">
              Steps
            </th>
            <th scope="col" className="num">
              {first}
            </th>
            {second && (
              <th scope="col" className="num">
                {second}
              </th>
            )}
            <th scope="col">State</th>
          </tr>
        </thead>
        <tbody>
          {search.trials.map((t: SessionTrial) => (
            <tr
              key={t.trial}
              data-testid="search-trial"
              data-pareto={pareto.has(t.trial)}
              className={t.stoppedEarly ? 'stopped-early' : ''}
            >
              <td className="num">{t.trial + 1}</td>
              <td className="num">{t.config + 1}</td>
              {paths.map((p) => (
                <td key={p}>{shown(t.params[p])}</td>
              ))}
              <td className="num">
                {t.steps || '–'} / {t.budget}
              </td>
              <td className="num">{t.objective === null ? '–' : compact(t.objective)}</td>
              {second && <td className="num">{t.second === null ? '–' : compact(t.second)}</td>}
              <td title={t.error}>
                {t.error
                  ? 'failed'
                  : t.objective === null && t.steps === 0
                    ? 'training'
                    : t.stoppedEarly
                      ? 'stopped early'
                      : 'finished'}
                {pareto.has(t.trial) && ' · Pareto front'}{' '}
                <button type="button" className="link" onClick={() => trialToForm(search, t)}>
                  to form
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
