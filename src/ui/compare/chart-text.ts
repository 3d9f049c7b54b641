/**
 * What a chart shows, in words: the accessible name of each chart (a screen reader cannot
 * read an SVG of lines), with the last value of every run.
 */
import type { Point } from './series';

/** Runs named in a chart's description at most; the rest are counted. */
export const DESCRIBED_RUNS = 8;

export interface DescribedRun {
  id: string;
  name: string;
  points: readonly Point[];
}

/**
 * `Line chart of loss against step, 2 runs. batch 16: 0.31 at step 120; batch 64: 0.40 at
 * step 30.` A run without a finite point yet is `no data yet`.
 */
export function describeLineChart(
  runs: readonly DescribedRun[],
  xLabel: string,
  yLabel: string,
  format: (v: number) => string,
  xFormat: (v: number) => string = String,
): string {
  const head = `Line chart of ${yLabel} against ${xLabel}`;
  if (runs.length === 0) return `${head}: no runs to show.`;
  const parts = runs.slice(0, DESCRIBED_RUNS).map((r) => {
    const last = [...r.points].reverse().find((p) => Number.isFinite(p.y));
    return last ? `${r.name}: ${format(last.y)} at ${xLabel} ${xFormat(last.x)}` : `${r.name}: no data yet`;
  });
  const more = runs.length > DESCRIBED_RUNS ? `; and ${runs.length - DESCRIBED_RUNS} more` : '';
  return `${head}, ${runs.length} run${runs.length === 1 ? '' : 's'}, last values. ${parts.join('; ')}${more}.`;
}

/** `Bar chart of the mean step time per run, ...: batch 16: 2.1 ms (data wait 0.1 ms, ...).` */
export function describeStepTimes(bars: readonly { name: string; parts: readonly [string, number][] }[]): string {
  const head = 'Bar chart of the mean time per step of each run, split into data wait, GPU, readback and the rest';
  if (bars.length === 0) return `${head}: no step times yet.`;
  const ms = (v: number) => `${v.toFixed(2)} ms`;
  const parts = bars
    .slice(0, DESCRIBED_RUNS)
    .map(
      (b) =>
        `${b.name}: ${ms(b.parts.reduce((s, [, v]) => s + v, 0))} (${b.parts.map(([n, v]) => `${n} ${ms(v)}`).join(', ')})`,
    );
  const more = bars.length > DESCRIBED_RUNS ? `; and ${bars.length - DESCRIBED_RUNS} more` : '';
  return `${head}. ${parts.join('; ')}${more}.`;
}
