import { memo } from 'react';
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { StepRecord } from '../core/train/record';
import type { RunView } from '../state/store';
import { useWorkbench } from './hooks';
import { compact, runColour } from './format';

/** At most `max` evenly spaced points of a series, the last point always kept. */
function thin(steps: StepRecord[], max = 400): StepRecord[] {
  if (steps.length <= max) return steps;
  const every = Math.ceil(steps.length / max);
  const out = steps.filter((_, i) => i % every === 0);
  if (out[out.length - 1] !== steps[steps.length - 1]) out.push(steps[steps.length - 1]);
  return out;
}

const LossChart = memo(function LossChart({ runs }: { runs: RunView[] }) {
  return (
    <div className="chart" data-testid="loss-chart" data-series={runs.filter((r) => r.steps.length).length}>
      <h3>Loss vs step</h3>
      <ResponsiveContainer width="100%" height={260}>
        <LineChart margin={{ top: 8, right: 16, bottom: 8, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="step" type="number" domain={['dataMin', 'dataMax']} allowDuplicatedCategory={false} />
          <YAxis tickFormatter={(v: number) => compact(v)} width={56} />
          <Tooltip formatter={(v) => (typeof v === 'number' ? v.toFixed(4) : String(v))} />
          <Legend />
          {runs.map((r, i) => (
            <Line key={r.id} data={thin(r.steps)} dataKey="loss" name={r.title} stroke={runColour(i)} dot={false} isAnimationActive={false} />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
});

/** Live charts of every run, and the active run's throughput. */
export function Charts() {
  const runs = useWorkbench((s) => s.runs);
  const active = runs.find((r) => r.status === 'running') ?? runs[runs.length - 1];
  const last = active?.steps[active.steps.length - 1];
  const waitShare = active && active.steps.length > 0 ? dataWaitShare(active.steps) : null;
  return (
    <section className="panel compare-panel" aria-labelledby="compare-heading">
      <h2 id="compare-heading">Compare</h2>
      <div className="metrics">
        <div className="metric">
          <span className="metric-value" data-testid="metric-samples-per-sec" data-value={last?.samplesPerSec ?? ''}>
            {last ? `${compact(last.samplesPerSec)} samples/s` : '–'}
          </span>
          <span className="metric-label">throughput</span>
        </div>
        <div className="metric">
          <span className="metric-value">{waitShare === null ? '–' : `${(100 * waitShare).toFixed(1)} %`}</span>
          <span className="metric-label">time waiting for data</span>
        </div>
      </div>
      <LossChart runs={runs} />
    </section>
  );
}

/** Share of the wall time the trainer spent waiting for batches, after the first step. */
function dataWaitShare(steps: StepRecord[]): number | null {
  if (steps.length < 3) return null;
  const wait = steps.slice(1).reduce((s, x) => s + x.dataWaitMs, 0);
  const total = (steps[steps.length - 1].time - steps[1].time) * 1000;
  return total > 0 ? Math.min(1, wait / total) : null;
}
