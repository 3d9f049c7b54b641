import { useMemo, useState } from 'react';
import { dataWaitShare } from '../core/train/step-series';
import { environmentLabel } from '../core/train/results';
import type { RunView } from '../state/store';
import { toggleRunVisible } from '../state/run-actions';
import { useThrottledWorkbench, useWorkbench } from './hooks';
import { compact, rate } from './format';
import { lossByStep, lossByTime, rateByStep, valByEpoch } from './compare/series';
import { RunLines, StepTimeChart } from './compare/RunCharts';
import { Tabs } from './Tabs';
import { runNames } from './compare/run-labels';
import { clearFromView, finishedIds, setDatasetFilter, showCleared } from './compare/view-filter';
import { useComparedRuns, type RunStyle } from './compare/use-compared';

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
 * The runs the comparison lists that have data, those shown (not toggled off), their names
 * (the settings that differ between them) and line styles, following the store at most every
 * `ms` (staggered by `lag`, so the views that follow it commit in separate tasks).
 */
function useShownRuns(ms: number, lag: number) {
  const compared = useComparedRuns(ms, lag);
  const hidden = useWorkbench((s) => s.view.hidden);
  const withData = useMemo(() => compared.listed.filter((r) => r.steps.length > 0), [compared.listed]);
  const shown = useMemo(() => withData.filter((r) => !hidden.includes(r.id)), [withData, hidden]);
  const names = useMemo(
    () =>
      runNames(withData.map((r) => ({ id: r.id, config: r.config, budgetSec: r.budgetSec, origin: r.origin ?? null }))),
    [withData],
  );
  return { ...compared, withData, shown, names, hidden };
}

const pct = (v: number) => `${Math.round(v * 100)} %`;

/** The comparison view: every run overlaid in its own colour, a legend that toggles runs, and live metrics. */
export function Charts() {
  const compared = useShownRuns(1000, 250);
  return (
    <section
      className="panel compare-panel"
      aria-labelledby="compare-heading"
      data-testid="compare-chart"
      data-series={compared.shown.length}
    >
      <div className="panel-head">
        <h2 id="compare-heading">Compare</h2>
        <LiveMetrics />
      </div>
      <LegendControls {...compared} />
      <RunLegend
        runs={compared.withData}
        names={compared.names}
        styles={compared.styles}
        hidden={compared.hidden}
        others={compared.all.filter((r) => r.steps.length > 0).length - compared.withData.length}
      />
      <div className="chart-grid">
        <LossCard />
        <OtherCard />
      </div>
    </section>
  );
}

function LossCard() {
  const { shown, names, styles } = useShownRuns(1000, 0);
  const [tab, setTab] = useState<(typeof LOSS_TABS)[number]['id']>('step');
  return (
    <div className="chart-card" data-testid="loss-chart" data-series={shown.length}>
      <Tabs label="Loss charts" tabs={LOSS_TABS} value={tab} onChange={setTab} />
      {tab === 'step' ? (
        <RunLines runs={shown} names={names} styles={styles} series={lossByStep} xLabel="step" yLabel="loss" />
      ) : (
        <RunLines runs={shown} names={names} styles={styles} series={lossByTime} xLabel="seconds" yLabel="loss" />
      )}
    </div>
  );
}

function OtherCard() {
  const { shown, names, styles } = useShownRuns(1000, 500);
  const [tab, setTab] = useState<(typeof OTHER_TABS)[number]['id']>('rate');
  const isClassification = shown.some((r) => r.epochs.some((e) => e.valAccuracy !== null));
  return (
    <div className="chart-card" data-testid="other-chart">
      <Tabs label="Throughput and validation charts" tabs={OTHER_TABS} value={tab} onChange={setTab} />
      {tab === 'rate' && (
        <RunLines runs={shown} names={names} styles={styles} series={rateByStep} xLabel="step" yLabel="samples/s" />
      )}
      {tab === 'steptime' && <StepTimeChart runs={shown} names={names} />}
      {tab === 'val' && (
        <RunLines
          runs={shown}
          names={names}
          styles={styles}
          series={valByEpoch}
          xLabel="epoch"
          yLabel={isClassification ? 'val. accuracy' : 'val. loss'}
          yFormat={isClassification ? pct : compact}
        />
      )}
    </div>
  );
}

type Compared = ReturnType<typeof useShownRuns>;

/** The dataset filter, and clearing finished runs from the view (they are not deleted). */
function LegendControls({ all, listed, datasets, fallback, fallbackFrom, filter, withData }: Compared) {
  const allWithData = all.filter((r) => r.steps.length > 0);
  if (allWithData.length === 0) return null;
  const finished = finishedIds(listed);
  const others = datasets.filter((d) => d.key !== fallback?.key);
  return (
    <div className="legend-controls">
      <label className="inline">
        Dataset
        <select
          data-testid="dataset-filter"
          value={filter.dataset ?? ''}
          onChange={(e) => setDatasetFilter(e.target.value || null)}
        >
          {fallback && (
            <option value="">
              {fallback.name} ({fallbackFrom})
            </option>
          )}
          {others.map((d) => (
            <option key={d.key} value={d.key}>
              {d.name} ({d.runs} run{d.runs === 1 ? '' : 's'})
            </option>
          ))}
          <option value="all">all datasets ({all.length} runs)</option>
        </select>
      </label>
      <button
        type="button"
        data-testid="clear-finished"
        disabled={finished.length === 0}
        onClick={() => clearFromView(finished)}
        title="Takes the finished runs off the charts and the results table; they stay in the queue bar's run list and in storage"
      >
        Clear finished from view
      </button>
      {filter.cleared.length > 0 && (
        <button type="button" className="link" data-testid="show-cleared" onClick={showCleared}>
          Show {filter.cleared.length} cleared
        </button>
      )}
      <span className="muted small" data-testid="legend-count">
        {withData.length} of {allWithData.length} runs
      </span>
    </div>
  );
}

/**
 * One button per run: its line (colour and dash), its name, and where it ran on hover;
 * pressing it hides or shows the run. Many runs scroll inside the legend's own box, so the
 * charts stay where they are.
 */
function RunLegend({
  runs,
  names,
  styles,
  hidden,
  others,
}: {
  runs: RunView[];
  names: Record<string, string>;
  styles: Record<string, RunStyle>;
  hidden: string[];
  others: number;
}) {
  if (runs.length === 0) {
    return (
      <p className="muted legend-empty">
        {others > 0
          ? `No runs on this dataset; ${others} on others (choose above).`
          : 'No runs yet: set up a configuration and press Train or Add to queue.'}
      </p>
    );
  }
  return (
    <ul className="legend" aria-label="Runs on the charts (press to hide or show)" data-testid="legend">
      {runs.map((r) => {
        const on = !hidden.includes(r.id);
        const style = styles[r.id];
        return (
          <li key={r.id}>
            <button
              type="button"
              className={`legend-item${on ? '' : ' off'}${r.origin ? ' shared' : ''}`}
              aria-pressed={on}
              data-shared={r.origin ? 'true' : undefined}
              data-colour={style?.colour}
              data-dash={style?.dash}
              onClick={() => toggleRunVisible(r.id)}
              title={`${r.title}\n${r.status} · ${environmentLabel(r.environment)}${r.environment ? ` · ${r.environment.runtime}` : ''}${r.environment?.fallbackReason ? `\nfallback: ${r.environment.fallbackReason}` : ''}`}
            >
              <svg className="swatch-line" width="18" height="8" aria-hidden="true">
                <line
                  x1="0"
                  y1="4"
                  x2="18"
                  y2="4"
                  stroke={style?.colour}
                  strokeWidth="3"
                  strokeDasharray={style?.dash || undefined}
                />
              </svg>
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
  const active = useThrottledWorkbench(
    (s) =>
      s.runs.find((r) => r.status === 'running' || r.status === 'paused') ??
      [...s.runs].reverse().find((r) => r.steps.length > 0) ??
      null,
    500,
    125,
  );
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
