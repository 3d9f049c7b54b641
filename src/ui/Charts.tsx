import { useMemo, useState } from 'react';
import type { StepRecord } from '../core/train/record';
import { configKey, distinguishingLabels, environmentLabel } from '../core/train/results';
import type { RunView } from '../state/store';
import { toggleRunVisible } from '../state/run-actions';
import { useThrottledWorkbench, useWorkbench } from './hooks';
import { compact, rate, runColour } from './format';
import { lossByStep, lossByTime, rateByStep, valByEpoch } from './compare/series';
import { RunLines, StepTimeChart } from './compare/RunCharts';
import { Tabs } from './Tabs';

/** Short names for the runs: what sets each configuration apart, and the seed. */
function useRunNames(runs: RunView[]): Record<string, string> {
  return useMemo(() => {
    const keys = new Map<string, { config: RunView['config']; budgetSec: number | null; origin: string | null }>();
    const keyOf = new Map<string, string>();
    for (const r of runs) {
      const origin = r.origin ?? null;
      const k = configKey(r.config, r.budgetSec, origin);
      keyOf.set(r.id, k);
      if (!keys.has(k)) keys.set(k, { config: r.config, budgetSec: r.budgetSec, origin });
    }
    const labels = distinguishingLabels([...keys.values()]);
    const byKey = new Map([...keys.keys()].map((k, i) => [k, labels[i]]));
    return Object.fromEntries(runs.map((r) => [r.id, `${byKey.get(keyOf.get(r.id)!)} · seed ${r.config.seed}`]));
  }, [runs]);
}

const LOSS_TABS = [
  { id: 'step', label: 'Loss vs step' },
  { id: 'time', label: 'Loss vs time' },
] as const;
const OTHER_TABS = [
  { id: 'rate', label: 'Samples/s' },
  { id: 'steptime', label: 'Step time' },
  { id: 'val', label: 'Validation' },
] as const;

/**
 * The runs with data, those shown (not toggled off), and their names, following the store at
 * most every `ms` (staggered by `lag`, so the views that follow it commit in separate tasks).
 */
function useShownRuns(ms: number, lag: number) {
  const all = useThrottledWorkbench((s) => s.runs, ms, lag);
  const hidden = useWorkbench((s) => s.view.hidden);
  const withData = useMemo(() => all.filter((r) => r.steps.length > 0), [all]);
  const shown = useMemo(() => withData.filter((r) => !hidden.includes(r.id)), [withData, hidden]);
  const names = useRunNames(withData);
  return { withData, shown, names, hidden };
}

const pct = (v: number) => `${Math.round(v * 100)} %`;

/** The comparison view: every run overlaid in its own colour, a legend that toggles runs, and live metrics. */
export function Charts() {
  const { withData, shown, names, hidden } = useShownRuns(1000, 250);
  return (
    <section className="panel compare-panel" aria-labelledby="compare-heading" data-testid="compare-chart" data-series={shown.length}>
      <div className="panel-head">
        <h2 id="compare-heading">Compare</h2>
        <LiveMetrics />
      </div>
      <RunLegend runs={withData} names={names} hidden={hidden} />
      <div className="chart-grid">
        <LossCard />
        <OtherCard />
      </div>
    </section>
  );
}

function LossCard() {
  const { shown, names } = useShownRuns(1000, 0);
  const [tab, setTab] = useState<(typeof LOSS_TABS)[number]['id']>('step');
  return (
    <div className="chart-card" data-testid="loss-chart" data-series={shown.length}>
      <Tabs label="Loss charts" tabs={LOSS_TABS} value={tab} onChange={setTab} />
      {tab === 'step'
        ? <RunLines runs={shown} names={names} series={lossByStep} xLabel="step" yLabel="loss" />
        : <RunLines runs={shown} names={names} series={lossByTime} xLabel="seconds" yLabel="loss" />}
    </div>
  );
}

function OtherCard() {
  const { shown, names } = useShownRuns(1000, 500);
  const [tab, setTab] = useState<(typeof OTHER_TABS)[number]['id']>('rate');
  const isClassification = shown.some((r) => r.epochs.some((e) => e.valAccuracy !== null));
  return (
    <div className="chart-card" data-testid="other-chart">
      <Tabs label="Throughput and validation charts" tabs={OTHER_TABS} value={tab} onChange={setTab} />
      {tab === 'rate' && <RunLines runs={shown} names={names} series={rateByStep} xLabel="step" yLabel="samples/s" />}
      {tab === 'steptime' && <StepTimeChart runs={shown} names={names} />}
      {tab === 'val' && (
        <RunLines runs={shown} names={names} series={valByEpoch} xLabel="epoch" yLabel={isClassification ? 'val. accuracy' : 'val. loss'}
          yFormat={isClassification ? pct : compact} />
      )}
    </div>
  );
}

/** One button per run: its colour, its name, and where it ran on hover; pressing it hides or shows the run. */
function RunLegend({ runs, names, hidden }: { runs: RunView[]; names: Record<string, string>; hidden: string[] }) {
  if (runs.length === 0) return <p className="muted legend-empty">No runs yet: set up a configuration and press Train or Add to queue.</p>;
  return (
    <ul className="legend" aria-label="Runs on the charts (press to hide or show)">
      {runs.map((r) => {
        const on = !hidden.includes(r.id);
        return (
          <li key={r.id}>
            <button
              type="button"
              className={`legend-item${on ? '' : ' off'}`}
              aria-pressed={on}
              onClick={() => toggleRunVisible(r.id)}
              title={`${r.title}\n${r.status} · ${environmentLabel(r.environment)}${r.environment ? ` · ${r.environment.runtime}` : ''}${r.environment?.fallbackReason ? `\nfallback: ${r.environment.fallbackReason}` : ''}`}
            >
              <span className="swatch" style={{ background: runColour(r.colour) }} aria-hidden="true" />
              {names[r.id]}
              {(r.status === 'running' || r.status === 'paused') && <span className="live"> · {r.status}</span>}
            </button>
          </li>
        );
      })}
    </ul>
  );
}

/** Throughput and data-wait share of the run on the trainer (or the last run). */
function LiveMetrics() {
  const active = useThrottledWorkbench((s) => s.runs.find((r) => r.status === 'running' || r.status === 'paused') ?? [...s.runs].reverse().find((r) => r.steps.length > 0) ?? null, 500, 125);
  const last = active?.steps[active.steps.length - 1];
  const waitShare = active && active.steps.length > 0 ? dataWaitShare(active.steps) : null;
  return (
    <div className="metrics">
      <div className="metric">
        <span className="metric-value" data-testid="metric-samples-per-sec" data-value={last?.samplesPerSec ?? ''}>
          {last ? rate(last.samplesPerSec) : '–'}
        </span>
        <span className="metric-label">throughput</span>
      </div>
      <div className="metric">
        <span className="metric-value">{waitShare === null ? '–' : `${(100 * waitShare).toFixed(1)} %`}</span>
        <span className="metric-label">waiting for data</span>
      </div>
      <div className="metric">
        <span className="metric-value">{last ? compact(last.loss) : '–'}</span>
        <span className="metric-label">loss</span>
      </div>
    </div>
  );
}

/** Share of the wall time the trainer spent waiting for batches, after the first step. */
function dataWaitShare(steps: StepRecord[]): number | null {
  if (steps.length < 3) return null;
  const wait = steps.slice(1).reduce((s, x) => s + x.dataWaitMs, 0);
  const total = (steps[steps.length - 1].time - steps[1].time) * 1000;
  return total > 0 ? Math.min(1, wait / total) : null;
}
