import { memo, useMemo } from 'react';
import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import type { RunView } from '../../state/store';
import { compact } from '../format';
import { extent, mergeSeries, niceTicks, stepTimeBar, type Point, type StepTimeBar } from './series';
import { describeLineChart, describeStepTimes } from './chart-text';
import type { RunStyle } from './use-compared';

/**
 * A plain SVG tick label. Recharts' own <Text> measures every label in the DOM on every
 * render (getBoundingClientRect), which made each chart update a long task; with a numeric
 * `interval` and this tick nothing is measured.
 */
function tick(format: (v: number) => string, axis: 'x' | 'y') {
  return function Tick(props: { x?: number | string; y?: number | string; payload?: { value: unknown } }) {
    const v = props.payload?.value;
    return (
      <text
        x={props.x}
        y={props.y}
        dy={axis === 'x' ? 12 : 4}
        textAnchor={axis === 'x' ? 'middle' : 'end'}
        fontSize={11}
        fill="#64748b"
      >
        {typeof v === 'number' ? format(v) : String(v ?? '')}
      </text>
    );
  };
}

const fmt4 = (v: unknown) => (typeof v === 'number' ? (Math.abs(v) >= 100 ? compact(v) : v.toPrecision(4)) : String(v));

interface LinesProps {
  runs: RunView[];
  names: Record<string, string>;
  styles: Record<string, RunStyle>;
  series: (r: RunView) => Point[];
  xLabel: string;
  yLabel: string;
  yFormat?: (v: number) => string;
  height?: number;
}

/**
 * Every run as a line in its own colour (and dash, past twelve runs) over a shared x axis;
 * hover shows the values. The chart is one image to assistive technology, named by what it
 * shows and each run's last value (recharts' own keyboard layer, an unnamed tab stop, is off).
 */
export const RunLines = memo(function RunLines({
  runs,
  names,
  styles,
  series,
  xLabel,
  yLabel,
  yFormat = compact,
  height = 240,
}: LinesProps) {
  const rows = useMemo(() => mergeSeries(runs, series), [runs, series]);
  const label = useMemo(
    () =>
      describeLineChart(
        runs.map((r) => ({ id: r.id, name: names[r.id] ?? r.title, points: series(r) })),
        xLabel,
        yLabel,
        yFormat,
        compact,
      ),
    [runs, names, series, xLabel, yLabel, yFormat],
  );
  const axes = useMemo(() => {
    const e = extent(rows);
    return { x: niceTicks(e.x[0], e.x[1], 6), y: niceTicks(e.y[0], e.y[1], 5) };
  }, [rows]);
  const xTick = useMemo(() => tick(compact, 'x'), []);
  const yTick = useMemo(() => tick(yFormat, 'y'), [yFormat]);
  return (
    <div role="img" aria-label={label} data-testid="line-chart">
      <p className="axis-caption" aria-hidden="true">
        {yLabel} against {xLabel}
      </p>
      <ResponsiveContainer width="100%" height={height}>
        <LineChart data={rows} margin={{ top: 4, right: 16, bottom: 0, left: 0 }} accessibilityLayer={false}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis
            dataKey="x"
            type="number"
            domain={axes.x.domain}
            ticks={axes.x.ticks}
            interval={0}
            tick={xTick}
            allowDataOverflow
          />
          <YAxis
            type="number"
            width={52}
            domain={axes.y.domain}
            ticks={axes.y.ticks}
            interval={0}
            tick={yTick}
            allowDataOverflow
          />
          <Tooltip formatter={fmt4} labelFormatter={(x) => `${xLabel} ${fmt4(x)}`} contentStyle={{ fontSize: 12 }} />
          {runs.map((r) => (
            <Line
              key={r.id}
              dataKey={r.id}
              name={names[r.id] ?? r.title}
              stroke={styles[r.id]?.colour}
              strokeDasharray={styles[r.id]?.dash || undefined}
              dot={false}
              isAnimationActive={false}
              connectNulls
              strokeWidth={1.5}
            />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
});

const SEGMENTS: { key: keyof StepTimeBar; label: string; colour: string }[] = [
  { key: 'dataWait', label: 'data wait', colour: '#f59e0b' },
  { key: 'gpu', label: 'GPU (timed)', colour: '#2563eb' },
  { key: 'readback', label: 'readback', colour: '#dc2626' },
  { key: 'other', label: 'rest of the step', colour: '#94a3b8' },
];

const msTick = tick((v) => `${compact(v)} ms`, 'x');
const nameTick = tick((v) => String(v), 'y');

/** Mean time per step, stacked as data wait / GPU / readback / the rest, one bar per run. */
export const StepTimeChart = memo(function StepTimeChart({
  runs,
  names,
}: {
  runs: RunView[];
  names: Record<string, string>;
}) {
  const bars = useMemo(
    () =>
      runs.flatMap((r) => {
        const b = stepTimeBar(r);
        return b ? [{ ...b, id: r.id, name: names[r.id] ?? r.title }] : [];
      }),
    [runs, names],
  );
  const label = useMemo(
    () =>
      describeStepTimes(
        bars.map((b) => ({
          name: b.name,
          parts: SEGMENTS.map((s) => [s.label, b[s.key] as number] as [string, number]),
        })),
      ),
    [bars],
  );
  if (bars.length === 0) return <p className="muted chart-empty">No step times yet.</p>;
  return (
    <div role="img" aria-label={label} data-testid="step-time-chart">
      <ResponsiveContainer width="100%" height={Math.max(140, 44 * bars.length + 70)}>
        <BarChart
          data={bars}
          layout="vertical"
          margin={{ top: 8, right: 16, bottom: 8, left: 8 }}
          accessibilityLayer={false}
        >
          <CartesianGrid strokeDasharray="3 3" horizontal={false} />
          <XAxis type="number" interval={0} tick={msTick} />
          <YAxis type="category" dataKey="name" width={130} interval={0} tick={nameTick} />
          <Tooltip
            formatter={(v) => (typeof v === 'number' ? `${v.toFixed(2)} ms` : String(v))}
            contentStyle={{ fontSize: 12 }}
          />
          <Legend wrapperStyle={{ fontSize: 12 }} />
          {SEGMENTS.map((s) => (
            <Bar key={s.key} dataKey={s.key} name={s.label} stackId="step" fill={s.colour} isAnimationActive={false} />
          ))}
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
});
