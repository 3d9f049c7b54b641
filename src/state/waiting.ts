/**
 * Runs that were waiting (or running) when the page closed: kept in IndexedDB beside the finished
 * runs and offered back on the next open. A waiting run is what it takes to queue it again: its
 * settings and the data it was queued on (file fingerprint, label, features, split), so it trains
 * on exactly what its record will say. Streaming runs (their file is gone) and the progress of a
 * sweep are not kept; a sweep's runs come back as plain runs.
 */
import { validateSettings, type RunSettings } from '../core/train/run-config';
import type { RunConfig } from '../core/train/record';
import type { RunView } from './store';

export interface WaitingRun {
  settings: RunSettings;
  data: RunConfig['data'];
  /** Index into the chart palette. */
  colour: number;
  createdAt: number;
}

/** At most this many waiting runs are kept (a matrix of a few hundred is the most a form makes). */
export const MAX_WAITING = 1000;

/** The runs of the store that would be lost on close: queued or on the trainer, not streaming. */
export function waitingOf(runs: readonly RunView[]): WaitingRun[] {
  return runs
    .filter((r) => (r.status === 'queued' || r.status === 'running' || r.status === 'paused') && r.settings !== null && !r.stream)
    .slice(0, MAX_WAITING)
    .map((r) => ({ settings: r.settings!, data: r.config.data, colour: r.colour, createdAt: r.createdAt }));
}

const DEDUP = new Set(['none', 'exact', 'bloom']);

function readData(v: unknown): RunConfig['data'] | null {
  if (typeof v !== 'object' || v === null) return null;
  const o = v as Record<string, unknown>;
  const str = (x: unknown, max = 4096) => typeof x === 'string' && x.length <= max;
  const frac = (x: unknown) => typeof x === 'number' && x >= 0 && x <= 1;
  const s = o.split as Record<string, unknown> | null;
  if (!str(o.fingerprint, 128) || !str(o.name) || !str(o.label) || !(Number.isSafeInteger(o.rows) && (o.rows as number) >= 0)) return null;
  if (!Array.isArray(o.features) || o.features.length > 65_536 || !o.features.every((f) => str(f))) return null;
  if (!DEDUP.has(o.dedup as string) || typeof s !== 'object' || s === null || !frac(s.train) || !frac(s.val) || !frac(s.test)) return null;
  if (!(Number.isInteger(s.seed) && (s.seed as number) >= 0 && (s.seed as number) <= 0xffffffff)) return null;
  return {
    fingerprint: o.fingerprint as string,
    name: o.name as string,
    rows: o.rows as number,
    label: o.label as string,
    features: [...(o.features as string[])],
    dedup: o.dedup as RunConfig['data']['dedup'],
    split: { train: s.train as number, val: s.val as number, test: s.test as number, seed: s.seed as number },
  };
}

/** Waiting runs read back from storage; an entry that does not check out is dropped (counted). */
export function readWaiting(v: unknown): { runs: WaitingRun[]; dropped: number } {
  if (!Array.isArray(v)) return { runs: [], dropped: 0 };
  const runs: WaitingRun[] = [];
  for (const item of v.slice(0, MAX_WAITING)) {
    try {
      const o = item as Record<string, unknown>;
      const data = readData(o.data);
      if (!data || !Number.isInteger(o.colour) || (o.colour as number) < 0 || !(typeof o.createdAt === 'number' && Number.isFinite(o.createdAt))) continue;
      const settings = validateSettings(o.settings as RunSettings);
      const budget = settings.timeBudgetSec;
      if (budget !== null && budget !== undefined && !(typeof budget === 'number' && Number.isFinite(budget) && budget > 0)) continue;
      runs.push({ settings, data, colour: o.colour as number, createdAt: o.createdAt });
    } catch {
      // A setting that no longer validates (another version): dropped.
    }
  }
  return { runs, dropped: Math.min(v.length, MAX_WAITING) - runs.length };
}
