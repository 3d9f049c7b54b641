/**
 * Chart data derived from the runs, memoised per run: a run's series are recomputed only
 * when its steps or epochs array changes (the store replaces it on each metrics message),
 * and long series are thinned to a few hundred points.
 */
import type { EpochRecord, StepRecord } from '../../core/train/record';
import { downsample } from '../../core/train/step-series';
import type { RunView } from '../../state/store';

/** Points per run and chart at most. */
export const MAX_POINTS = 120;

export type Point = { x: number; y: number };
export type Row = Record<string, number>;

/**
 * At most `max` entries, evenly spaced, the first and the last kept ({@link downsample}: the stored runs and the CLI
 * thin the same way).
 */
export function thin<T>(xs: readonly T[], max = MAX_POINTS): T[] {
  return downsample(xs, max);
}

const cache = new WeakMap<readonly StepRecord[], Map<string, Point[]>>();

function stepSeries(steps: readonly StepRecord[], name: string, pick: (s: StepRecord) => Point): Point[] {
  let m = cache.get(steps);
  if (!m) cache.set(steps, (m = new Map()));
  let pts = m.get(name);
  if (!pts) m.set(name, (pts = thin(steps).map(pick)));
  return pts;
}

export const lossByStep = (r: RunView) => stepSeries(r.steps, 'loss-step', (s) => ({ x: s.step, y: s.loss }));
export const lossByTime = (r: RunView) =>
  stepSeries(r.steps, 'loss-time', (s) => ({ x: Math.round(s.time * 1000) / 1000, y: s.loss }));
export const rateByStep = (r: RunView) => stepSeries(r.steps, 'rate-step', (s) => ({ x: s.step, y: s.samplesPerSec }));

const epochCache = new WeakMap<readonly EpochRecord[], Point[]>();

/** Validation accuracy (or validation loss for regression) per epoch, counted from 1. */
export function valByEpoch(r: RunView): Point[] {
  let pts = epochCache.get(r.epochs);
  if (!pts) {
    pts = r.epochs.map((e) => ({ x: e.epoch + 1, y: e.valAccuracy ?? e.valLoss ?? NaN }));
    epochCache.set(r.epochs, pts);
  }
  return pts;
}

/**
 * One table for a chart of several runs: a row per x value, a column per run (its id). A run
 * without a point at some x leaves a gap there, which the lines bridge (connectNulls).
 */
export function mergeSeries(runs: readonly RunView[], series: (r: RunView) => Point[]): Row[] {
  const rows = new Map<number, Row>();
  for (const r of runs) {
    for (const p of series(r)) {
      if (!Number.isFinite(p.y)) continue;
      let row = rows.get(p.x);
      if (!row) rows.set(p.x, (row = { x: p.x }));
      row[r.id] = p.y;
    }
  }
  return [...rows.values()].sort((a, b) => a.x - b.x);
}

export interface StepTimeBar {
  id: string;
  name: string;
  dataWait: number;
  gpu: number;
  readback: number;
  other: number;
  gpuTimed: boolean;
}

const barCache = new WeakMap<readonly StepRecord[], Omit<StepTimeBar, 'id' | 'name'>>();

/**
 * Mean step time of a run split into data wait, GPU (when timed), readback and the rest, in
 * ms per step. Means, not medians: readback happens once per group of steps, so its median
 * is 0, and means add up to the mean step time. The first 10 steps (warm-up, shader
 * compilation) are left out when there are more.
 */
export function stepTimeBar(r: RunView): Omit<StepTimeBar, 'id' | 'name'> | null {
  const cached = barCache.get(r.steps);
  if (cached) return cached;
  const steps = r.steps.length > 20 ? r.steps.slice(10) : r.steps;
  if (steps.length < 2) return null;
  const n = steps.length - 1;
  const wall = ((steps[n].time - steps[0].time) * 1000) / n;
  let wait = 0;
  let gpu = 0;
  let gpuN = 0;
  let readback = 0;
  for (let i = 1; i <= n; i++) {
    wait += steps[i].dataWaitMs;
    readback += steps[i].readbackMs;
    if (steps[i].gpuMs !== null) {
      gpu += steps[i].gpuMs!;
      gpuN++;
    }
  }
  const bar = {
    dataWait: wait / n,
    gpu: gpuN ? gpu / gpuN : 0,
    readback: readback / n,
    other: 0,
    gpuTimed: gpuN > 0,
  };
  bar.other = Math.max(0, wall - bar.dataWait - bar.gpu - bar.readback);
  barCache.set(r.steps, bar);
  return bar;
}

/**
 * Round tick values covering [lo, hi] (steps of 1, 2 or 5 times a power of ten), and the
 * domain they span. Given to recharts as `ticks` and `domain`, so it does not compute nice
 * ticks itself (with decimal.js, on every update).
 */
export function niceTicks(lo: number, hi: number, count = 5): { ticks: number[]; domain: [number, number] } {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return { ticks: [0, 1], domain: [0, 1] };
  if (hi <= lo) {
    const pad = Math.abs(lo) * 0.1 || 1;
    lo -= pad;
    hi += pad;
  }
  const raw = (hi - lo) / Math.max(1, count - 1);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((st) => st >= raw) ?? 10 * mag;
  const start = Math.floor(lo / step) * step;
  const end = Math.ceil(hi / step) * step;
  const ticks: number[] = [];
  for (let v = start; v <= end + step / 2; v += step) ticks.push(Number(v.toPrecision(12)));
  return { ticks, domain: [ticks[0], ticks[ticks.length - 1]] };
}

/** The x and y extent of merged rows (every column but x counts for y). */
export function extent(rows: readonly Row[]): { x: [number, number]; y: [number, number] } {
  let x0 = Infinity,
    x1 = -Infinity,
    y0 = Infinity,
    y1 = -Infinity;
  for (const r of rows) {
    for (const k in r) {
      const v = r[k];
      if (k === 'x') {
        if (v < x0) x0 = v;
        if (v > x1) x1 = v;
      } else {
        if (v < y0) y0 = v;
        if (v > y1) y1 = v;
      }
    }
  }
  return { x: [x0, x1], y: [y0, y1] };
}
