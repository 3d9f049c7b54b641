/**
 * Runs that were waiting (or running) when the page closed: kept in IndexedDB beside the finished
 * runs and offered back on the next open. A waiting run is what it takes to queue it again: its
 * config (the data it was queued on included: file fingerprint, label, features, split), so it
 * trains on exactly what its record will say. Streaming runs (their file is gone) are not kept.
 * A sweep's waiting runs keep their sweep tag, and the sweep itself is kept beside them (see
 * sweep-runner.ts), so that a sweep in progress goes on after a reload.
 */
import { validateSettings, type RunSettings } from '../core/train/run-config';
import type { RunConfig } from '../core/train/record';
import type { RunView, SweepView } from './store';
import { configSettings, queuedConfig } from './queued-config';
import { SEARCH_TAG } from './search-runner';
import { parseWhere } from '../core/data/filter';
import { recordTrial, startSweep, type SweepOptions, type TrialResult } from '../core/train/sweep';

export interface WaitingRun {
  config: RunConfig;
  /** Index into the chart palette. */
  colour: number;
  createdAt: number;
  /** Set when a sweep made the run. */
  sweep: RunView['sweep'];
}

/** At most this many waiting runs are kept (a matrix of a few hundred is the most a form makes). */
export const MAX_WAITING = 1000;

/** The runs of the store that would be lost on close: queued or on the trainer, not streaming. */
export function waitingOf(runs: readonly RunView[]): WaitingRun[] {
  return (
    runs
      // A search's trial is not kept: the search, stored apart, queues it again when resumed.
      .filter(
        (r) =>
          (r.status === 'queued' || r.status === 'running' || r.status === 'paused') &&
          !r.stream &&
          r.sweep?.key !== SEARCH_TAG,
      )
      .slice(0, MAX_WAITING)
      .map((r) => ({ config: r.config, colour: r.colour, createdAt: r.createdAt, sweep: r.sweep }))
  );
}

const DEDUP = new Set(['none', 'exact', 'bloom']);

export function readData(v: unknown): RunConfig['data'] | null {
  if (typeof v !== 'object' || v === null) return null;
  const o = v as Record<string, unknown>;
  const str = (x: unknown, max = 4096) => typeof x === 'string' && x.length <= max;
  const frac = (x: unknown) => typeof x === 'number' && x >= 0 && x <= 1;
  const s = o.split as Record<string, unknown> | null;
  if (
    !str(o.fingerprint, 128) ||
    !str(o.name) ||
    !str(o.label) ||
    !(Number.isSafeInteger(o.rows) && (o.rows as number) >= 0)
  )
    return null;
  if (!Array.isArray(o.features) || o.features.length > 65_536 || !o.features.every((f) => str(f))) return null;
  if (
    !DEDUP.has(o.dedup as string) ||
    typeof s !== 'object' ||
    s === null ||
    !frac(s.train) ||
    !frac(s.val) ||
    !frac(s.test)
  )
    return null;
  if (!(Number.isInteger(s.seed) && (s.seed as number) >= 0 && (s.seed as number) <= 0xffffffff)) return null;
  const where = o.where ?? null;
  if (where !== null) {
    if (typeof where !== 'string') return null;
    try {
      parseWhere(where);
    } catch {
      return null;
    }
  }
  return {
    fingerprint: o.fingerprint as string,
    name: o.name as string,
    rows: o.rows as number,
    label: o.label as string,
    features: [...(o.features as string[])],
    dedup: o.dedup as RunConfig['data']['dedup'],
    split: { train: s.train as number, val: s.val as number, test: s.test as number, seed: s.seed as number },
    ...(where !== null ? { where } : {}),
  };
}

const positive = (x: unknown) => typeof x === 'number' && Number.isFinite(x) && x > 0;

/**
 * A stored config, checked by the settings' own rules and made again by queuedConfig (so a
 * value the form could not have made does not come back); null when it does not check out.
 * Throws a ConfigError for settings that no longer validate.
 */
function readConfig(v: unknown): RunConfig | null {
  if (typeof v !== 'object' || v === null) return null;
  const c = v as Record<string, unknown>;
  const data = readData(c.data);
  if (!data) return null;
  const budget = c.maxSeconds ?? null;
  if (budget !== null && !positive(budget)) return null;
  for (const key of ['targetLoss', 'maxSteps'] as const) if (c[key] !== undefined && c[key] !== null) return null;
  const settings = configSettings(c, data, budget as number | null);
  return queuedConfig(settings, data).config;
}

function readSweepTag(v: unknown): RunView['sweep'] | null | undefined {
  if (v === null || v === undefined) return null;
  const o = v as Record<string, unknown>;
  if (
    typeof o.id !== 'string' ||
    o.id.length > 256 ||
    typeof o.key !== 'string' ||
    o.key.length > 256 ||
    !(Number.isInteger(o.rung) && (o.rung as number) >= 0)
  )
    return undefined;
  return { id: o.id, rung: o.rung as number, key: o.key };
}

/**
 * Waiting runs read back from storage; an entry that does not check out is dropped (counted).
 * Entries of the first version (settings and data, before configs were stored) are read too.
 */
export function readWaiting(v: unknown): { runs: WaitingRun[]; dropped: number } {
  if (!Array.isArray(v)) return { runs: [], dropped: 0 };
  const runs: WaitingRun[] = [];
  for (const item of v.slice(0, MAX_WAITING)) {
    try {
      const o = item as Record<string, unknown>;
      if (
        !Number.isInteger(o.colour) ||
        (o.colour as number) < 0 ||
        !(typeof o.createdAt === 'number' && Number.isFinite(o.createdAt))
      )
        continue;
      const sweep = readSweepTag(o.sweep);
      if (sweep === undefined) continue;
      let config: RunConfig | null;
      if (o.config !== undefined) config = readConfig(o.config);
      else {
        const data = readData(o.data);
        const settings = data ? validateSettings(o.settings as RunSettings) : null;
        const budget = settings?.timeBudgetSec;
        if (budget !== null && budget !== undefined && !positive(budget)) continue;
        config = data && settings ? queuedConfig(settings, data).config : null;
      }
      if (!config) continue;
      runs.push({ config, colour: o.colour as number, createdAt: o.createdAt, sweep });
    } catch {
      // A setting that no longer validates (another version): dropped.
    }
  }
  return { runs, dropped: Math.min(v.length, MAX_WAITING) - runs.length };
}

/**
 * A sweep in progress as it is stored: what it takes to go on with it. Its state is not stored
 * as such: on the next open the trials recorded so far are replayed through the algorithm
 * (startSweep, recordTrial), so a stored sweep that does not add up is refused, not resumed.
 * Its waiting runs are stored with the other waiting runs, tagged with the sweep's id.
 */
export interface StoredSweep {
  id: string;
  keys: string[];
  options: SweepOptions;
  results: TrialResult[];
  configs: Record<string, RunConfig>;
  labels: Record<string, string>;
  targetLoss: number | null;
}

/** The sweep to keep over a reload: one still running, else null. */
export function sweepToStore(view: SweepView | null): StoredSweep | null {
  if (!view || view.status !== 'running') return null;
  const { id, configs, labels, targetLoss, state } = view;
  return {
    id,
    keys: Object.keys(configs),
    options: state.options,
    results: state.results,
    configs,
    labels,
    targetLoss,
  };
}

const optionalNumber = (x: unknown) => x === null || (typeof x === 'number' && Number.isFinite(x));

/** A stored sweep read back, its state rebuilt from its trials; null when it does not check out (or is finished). */
export function readSweep(v: unknown): SweepView | null {
  try {
    if (typeof v !== 'object' || v === null) return null;
    const o = v as Record<string, unknown>;
    const keys = o.keys;
    if (
      typeof o.id !== 'string' ||
      o.id.length > 256 ||
      !Array.isArray(keys) ||
      keys.length > MAX_WAITING ||
      !keys.every((k) => typeof k === 'string' && k.length <= 256)
    )
      return null;
    if (
      !optionalNumber(o.targetLoss) ||
      typeof o.configs !== 'object' ||
      o.configs === null ||
      typeof o.labels !== 'object' ||
      o.labels === null
    )
      return null;
    const configs: Record<string, RunConfig> = {};
    const labels: Record<string, string> = {};
    for (const k of keys as string[]) {
      const config = readConfig((o.configs as Record<string, unknown>)[k]);
      const label = (o.labels as Record<string, unknown>)[k];
      if (!config || typeof label !== 'string' || label.length > 4096) return null;
      configs[k] = config;
      labels[k] = label;
    }
    const opt = o.options as Record<string, unknown> | null;
    if (typeof opt !== 'object' || opt === null || (opt.rankBy !== 'loss' && opt.rankBy !== 'timeToTarget'))
      return null;
    let state = startSweep(keys as string[], {
      eta: opt.eta as number,
      minBudget: opt.minBudget as number,
      maxBudget: opt.maxBudget as number,
      rankBy: opt.rankBy,
    });
    if (!Array.isArray(o.results)) return null;
    for (const r of o.results as Record<string, unknown>[]) {
      if (
        typeof r !== 'object' ||
        r === null ||
        typeof r.key !== 'string' ||
        !Number.isInteger(r.rung) ||
        typeof r.budget !== 'number' ||
        typeof r.failed !== 'boolean'
      )
        return null;
      if (!optionalNumber(r.lossReached) || !optionalNumber(r.timeToTarget)) return null;
      state = recordTrial(state, {
        key: r.key,
        rung: r.rung as number,
        budget: r.budget,
        lossReached: r.lossReached as number | null,
        timeToTarget: r.timeToTarget as number | null,
        failed: r.failed,
      });
    }
    if (state.done) return null;
    return { id: o.id, state, configs, labels, targetLoss: o.targetLoss as number | null, status: 'running' };
  } catch {
    // Options or trials the algorithm refuses (another version, or damaged).
    return null;
  }
}
